//! The entry sheet (`appraise log template`): an `.xlsx` workbook a front desk fills in —
//! the team and the policy's kinds as drop-down lists, the kinds' fields as columns,
//! Chinese headers — which `log import` reads back as it is.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, ExcelDateTime, Format, Formula, XlsxError,
};

use crate::intake::{MAX_QTY, chinese_header};
use crate::policy::menu::EntrySheet;

/// The rows the sheet prepares for entries.
const ROWS: u32 = 500;

/// The sheet's own columns, before the kinds' fields.
const COLUMNS: [&str; 6] = ["employee", "name", "date", "kind", "qty", "note"];

/// A column's header as the sheet shows it: the Chinese one `log import` reads back.
fn header(column: &str) -> &'static str {
    chinese_header(column).expect("every column of the sheet has a Chinese header")
}

/// The workbook's bytes.
pub fn entry_template(s: &EntrySheet) -> Result<Vec<u8>, XlsxError> {
    let mut book = super::workbook::workbook_of(s.month);
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let mut fields: Vec<&str> = Vec::new();
    for (_, k) in &s.kinds {
        for f in &k.fields {
            if !fields.contains(&f.name.as_str()) {
                fields.push(&f.name);
            }
        }
    }
    let headers: Vec<&str> = COLUMNS
        .map(header)
        .into_iter()
        .chain(fields.iter().copied())
        .collect();
    let n_people = s.employees.len() as u32;
    let n_kinds = s.kinds.len() as u32;

    let sheet = book.add_worksheet();
    sheet.set_name("记录")?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        let wide = COLUMNS.get(c) == Some(&"note");
        sheet.set_column_width(c as u16, if wide { 30 } else { 14 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let list = |range: String, title: &str, message: &str| -> Result<DataValidation, XlsxError> {
        DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_error_title(title)?
            .set_error_message(message)
    };
    sheet.add_data_validation(
        1,
        0,
        ROWS,
        0,
        &list(
            format!("='名单'!$A$2:$A${}", n_people + 1),
            header("employee"),
            "请从名单中选择员工。",
        )?,
    )?;
    sheet.add_data_validation(
        1,
        3,
        ROWS,
        3,
        &list(
            format!("='类型'!$A$2:$A${}", n_kinds + 1),
            header("kind"),
            "请从规则的类型中选择。",
        )?,
    )?;
    let (first, last) = (s.month.first_day(), s.month.last_day());
    let date = |d: chrono::NaiveDate| {
        use chrono::Datelike;
        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
    };
    sheet.add_data_validation(
        1,
        2,
        ROWS,
        2,
        &DataValidation::new()
            .allow_date(DataValidationRule::Between(date(first)?, date(last)?))
            .set_error_message(format!("日期须在 {} 月内，格式 YYYY-MM-DD。", s.month))?,
    )?;
    sheet.add_data_validation(
        1,
        4,
        ROWS,
        4,
        &DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(1, MAX_QTY as i32))
            .set_error_message(format!("数量为 1 到 {MAX_QTY} 的整数，空着即为 1。"))?,
    )?;
    for r in 1..=ROWS {
        // The name follows the id chosen, for the person filling the sheet in.
        sheet.write_formula(
            r,
            1,
            Formula::new(format!(
                "=IFERROR(VLOOKUP(A{row},'名单'!$A:$B,2,FALSE),\"\")",
                row = r + 1
            ))
            .set_result(""),
        )?;
        sheet.set_cell_format(r, 2, &day)?;
    }

    let people = book.add_worksheet();
    people.set_name("名单")?;
    people.write_string_with_format(0, 0, header("employee"), &bold)?;
    people.write_string_with_format(0, 1, header("name"), &bold)?;
    for (i, (id, name)) in s.employees.iter().enumerate() {
        people.write_string(i as u32 + 1, 0, id)?;
        people.write_string(i as u32 + 1, 1, name)?;
    }

    let kinds = book.add_worksheet();
    kinds.set_name("类型")?;
    for (c, h) in ["类型", "代码", "类别", "分值", "要填的字段"]
        .iter()
        .enumerate()
    {
        kinds.write_string_with_format(0, c as u16, *h, &bold)?;
        kinds.set_column_width(c as u16, if c == 0 { 30 } else { 14 })?;
    }
    for (i, (written, k)) in s.kinds.iter().enumerate() {
        let r = i as u32 + 1;
        kinds.write_string(r, 0, written)?;
        kinds.write_string(r, 1, &k.kind)?;
        kinds.write_string(r, 2, &k.category)?;
        kinds.write_string(
            r,
            3,
            k.points
                .map_or_else(|| "按规则计算".into(), |p| p.to_string()),
        )?;
        kinds.write_string(
            r,
            4,
            k.fields
                .iter()
                .map(|f| format!("{}：{} ({})", f.name, f.label, f.ty))
                .collect::<Vec<_>>()
                .join(", "),
        )?;
    }
    book.save_to_buffer()
}
