//! Excel workbooks (`.xlsx`): the first sheet read as the table a CSV export of it would
//! be — dates as `YYYY-MM-DD`, times of day as `HH:MM`, whole numbers without decimals —
//! so that every import reads an Excel file exactly as it reads CSV.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Whether `bytes` are a zip file, as every `.xlsx` is.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The first sheet of the workbook in `bytes`, as CSV text.
pub fn first_sheet_as_csv(bytes: &[u8]) -> Result<String, String> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| format!("is not a readable Excel workbook ({e}); save it as .xlsx or CSV"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("the workbook has no sheet")?
        .map_err(|e| format!("its first sheet cannot be read ({e})"))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut out = csv::Writer::from_writer(Vec::new());
    for (r, row) in range.rows().enumerate() {
        let mut cells = Vec::with_capacity(row.len());
        for (c, cell) in row.iter().enumerate() {
            cells.push(text(cell).map_err(|e| {
                format!(
                    "row {} column {} holds {e}; fix the cell",
                    top as usize + r + 1,
                    column_name(left as usize + c)
                )
            })?);
        }
        out.write_record(&cells).map_err(|e| e.to_string())?;
    }
    let bytes = out.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// A cell as the text a person would type into a CSV file.
fn text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let Some(at) = d.as_datetime() else {
                return Err(format!("a date Excel cannot place ({})", d.as_f64()));
            };
            if d.as_f64() < 1.0 {
                // A time of day alone.
                at.format("%H:%M").to_string()
            } else if at.time() == chrono::NaiveTime::MIN {
                at.format("%Y-%m-%d").to_string()
            } else {
                at.format("%Y-%m-%d %H:%M:%S").to_string()
            }
        }
        Data::Error(e) => return Err(format!("the Excel error {e}")),
    })
}

/// `A`, `B`, … `Z`, `AA`, … for a column index from 0.
fn column_name(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_reads_as_its_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "工号").unwrap();
        sheet.write_string(0, 1, "日期").unwrap();
        sheet.write_string(0, 2, "类型").unwrap();
        sheet.write_string(0, 3, "minutes").unwrap();
        sheet.write_string(1, 0, "E002").unwrap();
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 3, 2).unwrap();
        let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        sheet
            .write_datetime_with_format(1, 1, &date, &format)
            .unwrap();
        sheet.write_string(1, 2, "迟到").unwrap();
        sheet.write_number(1, 3, 47.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(is_xlsx(&bytes));
        assert_eq!(
            first_sheet_as_csv(&bytes).unwrap(),
            "工号,日期,类型,minutes\nE002,2026-03-02,迟到,47\n"
        );
        assert_eq!(column_name(27), "AB");
    }
}
