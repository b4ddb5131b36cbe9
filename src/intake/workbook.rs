//! Excel workbooks (`.xlsx`): the first sheet read as the table a CSV export of it would
//! be — dates as `YYYY-MM-DD`, times of day as `HH:MM`, whole numbers without decimals —
//! so that every import reads an Excel file exactly as it reads CSV.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::shape::{
    Cell, CellValue, MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_PART_BYTES, MAX_PARTS, MAX_ROWS,
    MAX_SHARED_STRINGS_BYTES, MAX_SHEET_TEXT, MAX_UNPACKED_BYTES, Shape,
};

/// Whether `bytes` are a zip file, as every `.xlsx` is.
pub fn is_xlsx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The first sheet of the workbook in `bytes`, as CSV text: its cells from the top-left
/// used one, each row as wide as the widest.
pub fn first_sheet_as_csv(bytes: &[u8]) -> Result<String, Shape> {
    check_unpacked(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e: calamine::XlsxError| Shape::NotAWorkbook(e.to_string()))?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(Shape::NoSheet)?;
    let unreadable = |e: calamine::XlsxError| Shape::SheetUnreadable(e.to_string());
    let mut reader = book.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let (mut top, mut left, mut width, mut filled) = (u32::MAX, u32::MAX, 0u32, 0usize);
    let mut held = 0usize;
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let at = Cell { row: r, column: c };
        if r >= MAX_ROWS || c >= MAX_COLUMNS {
            return Err(Shape::CellBeyond(at));
        }
        let value = text(&cell.get_value().clone().into())
            .map_err(|value| Shape::CellValue { cell: at, value })?;
        if value.is_empty() {
            continue;
        }
        if value.chars().count() > MAX_CELL_CHARS {
            return Err(Shape::CellTooLong {
                cell: Some(at),
                chars: value.chars().count(),
                shown: crate::domain::text::clip(&value),
            });
        }
        filled += 1;
        held += value.len();
        if filled > MAX_CELLS || held > MAX_SHEET_TEXT {
            return Err(Shape::TooMuch);
        }
        (top, left, width) = (top.min(r), left.min(c), width.max(c + 1));
        let r = r as usize;
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c as usize {
            row.resize(c as usize + 1, String::new());
        }
        row[c as usize] = value;
    }
    // Written into memory: the writer fails at nothing a sheet can hold.
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows.iter_mut().skip(top as usize) {
        row.resize(width as usize, String::new());
        out.write_record(&row[left as usize..])
            .map_err(|e| Shape::Csv(e.to_string()))?;
    }
    let bytes = out.into_inner().map_err(|e| Shape::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Shape::Csv(e.to_string()))
}

/// Refuses a workbook whose parts unpack beyond the limits, before any of it is held: each
/// part is unpacked into nothing, counting, and the count stops one byte past its limit.
fn check_unpacked(bytes: &[u8]) -> Result<(), Shape> {
    let unreadable = |e: &dyn std::fmt::Display| Shape::NotAWorkbook(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_PARTS {
        return Err(Shape::TooManyParts(zip.len()));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let name = part.name().to_string();
        let limit = if part.name().ends_with("sharedStrings.xml") {
            MAX_SHARED_STRINGS_BYTES
        } else {
            MAX_PART_BYTES
        };
        let sheet = part.name().starts_with("xl/worksheets/");
        let mut part = std::io::Read::take(part, limit + 1);
        // Counted chunk by chunk; a sheet's references are checked on the way.
        let (mut size, mut buf, mut carry) = (0u64, vec![0u8; 1 << 16], Vec::new());
        loop {
            let n = std::io::Read::read(&mut part, &mut buf).map_err(|e| unreadable(&e))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if sheet {
                carry.extend_from_slice(&buf[..n]);
                check_references(&carry)?;
                carry.drain(..carry.len().saturating_sub(256));
            }
        }
        total += size;
        if size > limit || total > MAX_UNPACKED_BYTES {
            return Err(Shape::PartTooLarge {
                part: crate::domain::text::clip(&name),
                mb: size.min(limit) >> 20,
                limit,
            });
        }
    }
    Ok(())
}

/// Refuses a sheet whose stated dimension ends before it starts (`D2:A1`) or whose cell
/// references would overflow the reader's arithmetic (`A99999999999`). The reader (calamine)
/// subtracts one corner of the dimension from the other and adds up a reference's digits in
/// 32 bits; built with overflow checks it panics (found by the `xlsx` fuzz target), without
/// them it wraps. `text` is a part of the sheet read so far, the end of the previous part
/// carried over so that no reference is cut.
fn check_references(text: &[u8]) -> Result<(), Shape> {
    let text = String::from_utf8_lossy(text);
    let refused = |dimension: bool, stated: &str| {
        Err(Shape::BadReference {
            dimension,
            stated: crate::domain::text::clip(stated),
        })
    };
    for (at, _) in text.match_indices(" r=\"") {
        let Some((stated, _)) = text[at + 4..].split_once('"') else {
            continue;
        };
        if reference(stated).is_err() {
            return refused(false, stated);
        }
    }
    // Every dimension a sheet states: the reader takes the last (found by the fuzzer).
    const DIMENSION: &str = "<dimension ref=\"";
    for (at, _) in text.match_indices(DIMENSION) {
        let Some((stated, _)) = text[at + DIMENSION.len()..].split_once('"') else {
            continue;
        };
        let corners: Vec<_> = stated.split(':').map(reference).collect();
        match corners.as_slice() {
            [Err(()), ..] | [_, Err(())] => return refused(true, stated),
            [Ok(Some((r1, c1))), Ok(Some((r2, c2)))] if r2 < r1 || c2 < c1 => {
                return refused(true, stated);
            }
            _ => {}
        }
    }
    Ok(())
}

/// A cell reference read as the reader reads it (from the end: digits for the row, then
/// letters of either case for the column): `Ok(Some((row, column)))`, `Ok(None)` where the
/// reader refuses it itself, `Err(())` where its 32-bit arithmetic would overflow.
fn reference(text: &str) -> Result<Option<(u64, u64)>, ()> {
    let (mut row, mut col, mut pow, mut reading_row) = (0u64, 0u64, 1u64, true);
    let fits = |x: u64| {
        if x > u64::from(u32::MAX) {
            Err(())
        } else {
            Ok(x)
        }
    };
    for c in text.bytes().rev() {
        match c {
            b'0'..=b'9' if reading_row => {
                row = fits(row + fits(u64::from(c - b'0') * pow)?)?;
                pow = fits(pow * 10)?;
            }
            b'A'..=b'Z' | b'a'..=b'z' => {
                if reading_row {
                    if row == 0 {
                        return Ok(None);
                    }
                    (pow, reading_row) = (1, false);
                }
                let digit = u64::from(c.to_ascii_uppercase() - b'A') + 1;
                col = fits(col + fits(digit * pow)?)?;
                pow = fits(pow * 26)?;
            }
            _ => return Ok(None),
        }
    }
    Ok((row > 0).then_some((row, col)))
}

/// A cell as the text a person would type into a CSV file.
fn text(cell: &Data) -> Result<String, CellValue> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let Some(at) = d.as_datetime() else {
                return Err(CellValue::Date(d.as_f64().to_string()));
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
        Data::Error(e) => return Err(CellValue::Error(e.to_string())),
    })
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
    }

    /// A workbook of four cells and one at XFD1048576 states a dimension of 17 billion
    /// cells; read whole it allocated 512 GiB. Read cell by cell it is refused at once.
    #[test]
    fn a_cell_far_beyond_the_table_is_refused_not_allocated() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in ["工号", "日期", "类型", "备注"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 8_000, "{} bytes", bytes.len());
        let beyond = Cell {
            row: 1_048_575,
            column: 16_383,
        };
        assert_eq!(first_sheet_as_csv(&bytes), Err(Shape::CellBeyond(beyond)));
        assert_eq!(beyond.to_string(), "row 1048576 column XFD");
    }

    #[test]
    fn a_sheet_with_gaps_keeps_its_shape_from_the_first_used_cell() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(2, 1, "a").unwrap();
        sheet.write_string(4, 3, "b").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(first_sheet_as_csv(&bytes).unwrap(), "a,,\n,,\n,,b\n");
    }

    /// One 4,000-character shared string in 20,000 cells: a small file whose cells hold
    /// 80 MB of text once each is read. Refused at the sheet's text limit.
    #[test]
    fn a_long_string_repeated_in_every_cell_is_refused_at_the_text_limit() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let long = "长".repeat(1_400);
        for r in 0..20_000 {
            sheet.write_string(r, 0, &long).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 400_000, "{} bytes", bytes.len());
        assert_eq!(first_sheet_as_csv(&bytes), Err(Shape::TooMuch));
    }

    /// A part that unpacks to more than the shared strings may (spaces compress a
    /// thousandfold) is refused before the workbook is opened.
    #[test]
    fn a_part_unpacking_beyond_its_limit_is_refused_before_opening() {
        use std::io::Write;
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "工号").unwrap();
        let good = book.save_to_buffer().unwrap();
        let mut source = zip::ZipArchive::new(Cursor::new(&good[..])).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..source.len() {
            let part = source.by_index_raw(i).unwrap();
            if part.name() != "xl/sharedStrings.xml" {
                out.raw_copy_file(part).unwrap();
            }
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file("xl/sharedStrings.xml", options).unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_SHARED_STRINGS_BYTES >> 20) {
            out.write_all(&spaces).unwrap();
        }
        let bytes = out.finish().unwrap().into_inner();
        assert!(bytes.len() < 1_000_000, "{} bytes", bytes.len());
        assert_eq!(
            first_sheet_as_csv(&bytes),
            Err(Shape::PartTooLarge {
                part: "xl/sharedStrings.xml".into(),
                mb: 64,
                limit: MAX_SHARED_STRINGS_BYTES
            })
        );
    }

    /// Found by the `xlsx` fuzz target: a sheet stating the dimension `D2:A1` (or `Ah1:B3`,
    /// read as AH1, or a second dimension after a good one) made the reader subtract past
    /// zero, and a reference of eleven digits overflows its sum (panics where overflow is
    /// checked). Refused instead.
    #[test]
    fn references_the_reader_cannot_do_arithmetic_on_are_refused() {
        assert_eq!(reference("Ah1"), Ok(Some((1, 34))));
        assert_eq!(reference("XFD1048576"), Ok(Some((1_048_576, 16_384))));
        assert_eq!(reference("A99999999999"), Err(()));
        assert_eq!(reference("1A1"), Ok(None));
        for (dimension, cell, is_dimension, stated) in [
            ("D2:A1", "A1", true, "D2:A1"),
            (r#"A1:B3"/><dimension ref="AA1:B3"#, "A1", true, "AA1:B3"),
            ("Ah1:B3", "A1", true, "Ah1:B3"),
            ("A1:B2", "A99999999999", false, "A99999999999"),
        ] {
            assert_eq!(
                first_sheet_as_csv(&with_sheet(dimension, cell)),
                Err(Shape::BadReference {
                    dimension: is_dimension,
                    stated: stated.into()
                })
            );
        }
    }

    /// A workbook whose sheet states `dimension` and holds one cell at `cell`.
    fn with_sheet(dimension: &str, cell: &str) -> Vec<u8> {
        use std::io::Write;
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "工号").unwrap();
        let good = book.save_to_buffer().unwrap();
        let mut source = zip::ZipArchive::new(Cursor::new(&good[..])).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..source.len() {
            let part = source.by_index_raw(i).unwrap();
            if part.name() != "xl/worksheets/sheet1.xml" {
                out.raw_copy_file(part).unwrap();
            }
        }
        out.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        out.write_all(
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData><row r="1"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#)
                .as_bytes(),
        )
        .unwrap();
        out.finish().unwrap().into_inner()
    }
}
