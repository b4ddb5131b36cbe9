//! The annual rating sheet as an `.xlsx` workbook or a spreadsheet-friendly CSV.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::evaluation::documents::RatingSheet;

const COLUMNS: [&str; 13] = [
    "工号",
    "姓名",
    "部门",
    "月数",
    "平均分",
    "最低分",
    "最高分",
    "不合格月数",
    "等级",
    "等级代码",
    "结果",
    "标记",
    "审核",
];

/// Where the grade's label is among the columns.
const GRADE_COLUMN: usize = 8;

fn cells(s: &RatingSheet) -> Vec<Vec<String>> {
    s.rows
        .iter()
        .map(|r| {
            let x = &r.rating;
            vec![
                x.employee.clone(),
                x.name.clone(),
                r.department_name.clone(),
                x.months.to_string(),
                x.average.to_string(),
                x.min.to_string(),
                x.max.to_string(),
                x.failed_months.to_string(),
                x.label.clone(),
                x.grade.clone(),
                r.outcomes_text(),
                s.flags_text(&x.flags, " ", ""),
                r.review_text(),
            ]
        })
        .collect()
}

/// CSV with a UTF-8 byte-order mark, so spreadsheets show the Chinese text correctly.
pub fn csv_bytes(s: &RatingSheet) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let _ = w.write_record(COLUMNS);
    for row in cells(s) {
        let _ = w.write_record(row.iter().map(|c| super::spreadsheet_safe(c).into_owned()));
    }
    // Writing to memory cannot fail.
    w.into_inner().unwrap_or_default()
}

/// An `.xlsx` workbook: the ratings, and the monthly scores of every employee.
pub fn xlsx_bytes(s: &RatingSheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let numeric = [3usize, 4, 5, 6, 7];
    let sheet = book
        .add_worksheet()
        .set_name(format!("{} 年度考评", s.year))?;
    for (c, h) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    // The grade's cell in its colour (the distribution chart's), bold white on it.
    let grade_format = |label: &str| {
        super::charts::grade_color_of(label, &s.grades).map(|c| {
            let rgb = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0);
            Format::new()
                .set_bold()
                .set_font_color(rust_xlsxwriter::Color::White)
                .set_background_color(rust_xlsxwriter::Color::RGB(rgb))
        })
    };
    for (r, row) in cells(s).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (r as u32 + 1, c as u16);
            match v.parse::<f64>() {
                Ok(x) if numeric.contains(&c) => sheet.write_number(rr, cc, x)?,
                _ if c == GRADE_COLUMN => match grade_format(v) {
                    Some(f) => sheet.write_string_with_format(rr, cc, v, &f)?,
                    None => sheet.write_string(rr, cc, v)?,
                },
                _ => sheet.write_string(rr, cc, v)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 2)?;
    for (c, width) in [10, 10, 18, 6, 8, 8, 8, 10, 8, 10, 24, 30, 24]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *width)?;
    }
    let months = book.add_worksheet().set_name("月度得分")?;
    months.write_string_with_format(0, 0, "工号", &bold)?;
    months.write_string_with_format(0, 1, "姓名", &bold)?;
    for m in 1..=12u16 {
        months.write_string_with_format(0, m + 1, format!("{m}月"), &bold)?;
    }
    for (r, row) in s.rows.iter().enumerate() {
        let rr = r as u32 + 1;
        months.write_string(rr, 0, &row.rating.employee)?;
        months.write_string(rr, 1, &row.rating.name)?;
        for m in &row.rating.monthly {
            months.write_number(rr, m.month.number() as u16 + 1, m.score.to_f64())?;
        }
    }
    book.save_to_buffer()
}
