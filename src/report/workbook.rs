//! The annual rating sheet as an `.xlsx` workbook or a spreadsheet-friendly CSV, and the
//! monthly statement as a workbook; each sheet set up to print as an office files it.

use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::domain::month::Month;
use crate::evaluation::documents::{RatingSheet, Statement, Tally};
use chrono::Datelike;

const COLUMNS: [&str; 14] = [
    "工号",
    "姓名",
    "部门",
    "部门编号",
    "月数",
    "平均分",
    "最低分",
    "最高分",
    "不合格月数",
    "等级",
    "等级编号",
    "结果",
    "标记",
    "审核",
];

/// Where the grade's label is among the columns.
const GRADE_COLUMN: usize = 9;

/// The columns that hold numbers (written as numbers, so that Excel sums and sorts them).
const NUMERIC: [usize; 5] = [4, 5, 6, 7, 8];

/// The widest a column is made, in characters of the default font; longer text wraps.
const MAX_WIDTH: usize = 40;

fn cells(s: &RatingSheet) -> Vec<Vec<String>> {
    s.rows
        .iter()
        .map(|r| {
            let x = &r.rating;
            vec![
                x.employee.clone(),
                x.name.clone(),
                r.department_name.clone(),
                x.department.clone(),
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

/// The width of a column that shows `texts` whole: their display width (a Chinese
/// character takes two), a little padding, at most [`MAX_WIDTH`].
fn fitted_width<'a>(texts: impl IntoIterator<Item = &'a str>) -> f64 {
    let widest = texts
        .into_iter()
        .map(unicode_width::UnicodeWidthStr::width)
        .max()
        .unwrap_or(0);
    (widest + 2).clamp(6, MAX_WIDTH) as f64
}

/// A sheet set up to print as an office files it: A4 (landscape when `wide`), one page
/// wide and as many long as it takes, the header row repeated on every page and frozen on
/// screen, the title at the top of each page and `第 N 页，共 M 页` at the bottom.
fn print_setup(sheet: &mut Worksheet, title: &str, wide: bool) -> Result<(), XlsxError> {
    sheet.set_paper_size(9);
    if wide {
        sheet.set_landscape();
    } else {
        sheet.set_portrait();
    }
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_freeze_panes(1, 2)?;
    sheet.set_print_gridlines(true);
    sheet.set_header(format!("&C&\"-,Bold\"&14{title}"));
    sheet.set_footer("&C第 &P 页，共 &N 页");
    Ok(())
}

/// 制表人 / 审核人 / 批准人 with their date lines, two rows below the last one, in cells
/// that print inside the page's width.
fn signature_block(sheet: &mut Worksheet, after: u32, bold: &Format) -> Result<(), XlsxError> {
    let row = after + 2;
    // Row by row: a low-memory sheet has written a row out once the next one begins.
    for (i, who) in ["制表人", "审核人", "批准人"].iter().enumerate() {
        let col = (i * 4) as u16;
        sheet.write_string_with_format(row, col, format!("{who}："), bold)?;
        sheet.write_string(row, col + 1, "________")?;
    }
    for i in 0..3 {
        let col = (i * 4) as u16;
        sheet.write_string(row + 1, col, "日期：")?;
        sheet.write_string(row + 1, col + 1, "____年__月__日")?;
    }
    Ok(())
}

/// A workbook stamped as made on the last day of the period it reports (its properties
/// would otherwise carry the wall clock's time): the same data and policy give the same
/// bytes, however often and whenever the document is made.
pub(crate) fn workbook_of(period: Month) -> Workbook {
    let day = period.last_day();
    let made = rust_xlsxwriter::ExcelDateTime::from_ymd(
        day.year() as u16,
        day.month() as u8,
        day.day() as u8,
    )
    .expect("a month's last day is a date Excel holds");
    let mut book = Workbook::new();
    book.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&made));
    book
}

/// The formats every sheet shares: bold text (the lines to sign, a summary), and a header
/// row's cells, bold and centred on grey.
fn formats() -> (Format, Format) {
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_background_color(rust_xlsxwriter::Color::RGB(0xEEEEEE));
    (Format::new().set_bold(), header)
}

/// An `.xlsx` workbook: the ratings, and the monthly scores of every employee, each sheet
/// set up to print.
pub fn xlsx_bytes(s: &RatingSheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = workbook_of(s.through);
    let (bold, header) = formats();
    let title = format!("{} {} 年度员工考评汇总表", s.scope(), s.year);
    // Low-memory sheets: each row goes to a temporary file once the next begins (the
    // rows are written in order; the texts still share one table, so the package is the
    // same as a sheet held whole).
    let sheet = book
        .add_worksheet_with_low_memory()?
        .set_name(format!("{} 年度考评", s.year))?;
    // The grade's cell in its colour (the distribution chart's), bold white on it.
    let grade_format = |c: usize, label: &str| {
        let color =
            super::charts::grade_color_of(label, &s.grades).filter(|_| c == GRADE_COLUMN)?;
        let rgb = u32::from_str_radix(color.trim_start_matches('#'), 16).unwrap_or(0);
        Some(
            Format::new()
                .set_bold()
                .set_font_color(rust_xlsxwriter::Color::White)
                .set_background_color(rust_xlsxwriter::Color::RGB(rgb)),
        )
    };
    let rows = cells(s);
    table(sheet, &COLUMNS, &rows, &NUMERIC, &header, &grade_format)?;
    print_setup(sheet, &title, true)?;
    signature_block(sheet, rows.len() as u32, &bold)?;

    let months = book.add_worksheet_with_low_memory()?.set_name("月度得分")?;
    months.write_string_with_format(0, 0, "工号", &header)?;
    months.write_string_with_format(0, 1, "姓名", &header)?;
    for m in 1..=12u16 {
        months.write_string_with_format(0, m + 1, format!("{m}月"), &header)?;
    }
    for (r, row) in s.rows.iter().enumerate() {
        let rr = r as u32 + 1;
        months.write_string(rr, 0, &row.rating.employee)?;
        months.write_string(rr, 1, &row.rating.name)?;
        for m in &row.rating.monthly {
            months.write_number(rr, m.month.number() as u16 + 1, m.score.to_f64())?;
        }
    }
    let ids = s.rows.iter().map(|r| r.rating.employee.as_str());
    let names = s.rows.iter().map(|r| r.rating.name.as_str());
    months.set_column_width(0, fitted_width(ids.chain(["工号"])))?;
    months.set_column_width(1, fitted_width(names.chain(["姓名"])))?;
    for m in 1..=12u16 {
        months.set_column_width(m + 1, 7)?;
    }
    print_setup(
        months,
        &format!("{} {} 年月度得分", s.scope(), s.year),
        true,
    )?;
    signature_block(months, s.rows.len() as u32, &bold)?;
    book.save_to_buffer()
}

/// No cell of a table is styled on its own.
fn plain(_: usize, _: &str) -> Option<Format> {
    None
}

/// Writes a table at the top of `sheet`: its header row in `header`, then the rows, numbers
/// as numbers (so that Excel sums and sorts them), text in the format `style` gives its
/// column and value if any, wrapped when wider than a column is made; each column as wide
/// as its text.
fn table(
    sheet: &mut Worksheet,
    columns: &[&str],
    rows: &[Vec<String>],
    numeric: &[usize],
    header: &Format,
    style: &dyn Fn(usize, &str) -> Option<Format>,
) -> Result<(), XlsxError> {
    for (c, h) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, header)?;
    }
    let wrap = Format::new().set_text_wrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (r as u32 + 1, c as u16);
            match (v.parse::<f64>(), style(c, v)) {
                (Ok(x), _) if numeric.contains(&c) => sheet.write_number(rr, cc, x)?,
                (_, Some(f)) => sheet.write_string_with_format(rr, cc, v, &f)?,
                _ if unicode_width::UnicodeWidthStr::width(v.as_str()) > MAX_WIDTH => {
                    sheet.write_string_with_format(rr, cc, v, &wrap)?
                }
                _ => sheet.write_string(rr, cc, v)?,
            };
        }
    }
    for (c, h) in columns.iter().enumerate() {
        let width = fitted_width(rows.iter().map(|r| r[c].as_str()).chain([*h]));
        sheet.set_column_width(c as u16, width)?;
    }
    Ok(())
}

/// A tally's rows: the manual's item number (when `numbered`), the rule or category, the
/// count, the points.
fn tally_rows(tallies: &[Tally], numbered: bool) -> Vec<Vec<String>> {
    tallies
        .iter()
        .map(|t| {
            let mut row = Vec::with_capacity(4);
            if numbered {
                row.push(t.reference.clone().unwrap_or_default());
            }
            row.extend([t.label.clone(), t.count.to_string(), t.points.to_string()]);
            row
        })
        .collect()
}

/// The Department Monthly Appraisal Statement as a workbook: the employees' scores (with the
/// month's summary and the lines to sign below them), deductions by rule with the manual's
/// item numbers, and by category, a sheet each, each set up to print on A4.
pub fn statement_xlsx(s: &Statement) -> Result<Vec<u8>, XlsxError> {
    let mut book = workbook_of(s.month);
    let (bold, header) = formats();
    let title = format!("{} {} 部门月度考评说明书", s.department_name, s.month);

    let scores = book.add_worksheet().set_name("员工得分")?;
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| {
            vec![
                r.employee.clone(),
                r.name.clone(),
                r.deducted.to_string(),
                r.rewarded.to_string(),
                r.score.to_string(),
                r.change_text(),
                if r.passed { "合格" } else { "不合格" }.to_string(),
            ]
        })
        .collect();
    table(
        scores,
        &["工号", "姓名", "扣分", "加分", "得分", "较上月", "结果"],
        &rows,
        &[2, 3, 4],
        &header,
        &plain,
    )?;
    let below = rows.len() as u32 + 2;
    scores.write_string_with_format(
        below,
        0,
        format!(
            "本月考评 {} 人，平均 {} 分（上月 {}，变化 {}），不合格 {} 人。考评细则：{}",
            s.rows.len(),
            s.average,
            s.previous_average_text(),
            s.average_change_text(),
            s.failed,
            s.policies_text()
        ),
        &bold,
    )?;
    print_setup(scores, &title, false)?;
    signature_block(scores, below + 1, &bold)?;

    let by_rule = book.add_worksheet().set_name("按细则条款")?;
    table(
        by_rule,
        &["条款号", "条款", "次数", "分数"],
        &tally_rows(&s.by_rule, true),
        &[2, 3],
        &header,
        &plain,
    )?;
    print_setup(by_rule, &format!("{title}：按细则条款"), false)?;

    let by_category = book.add_worksheet().set_name("按类别")?;
    table(
        by_category,
        &["类别", "次数", "分数"],
        &tally_rows(&s.by_category, false),
        &[1, 2],
        &header,
        &plain,
    )?;
    print_setup(by_category, &format!("{title}：按类别"), false)?;
    book.save_to_buffer()
}
