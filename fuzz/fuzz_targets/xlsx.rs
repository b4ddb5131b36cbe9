//! Any workbook as an events file, a roster and a clock export. The first byte chooses
//! what the rest is:
//! - odd: the bytes of a file, as uploaded;
//! - even: the sheet's XML, then (after a 0xFF byte) the shared strings' XML, packed into
//!   an otherwise valid workbook, so that the fuzzer works on what the reader parses
//!   (dimensions, cell references, string indexes) rather than on compressed bytes.
//!
//! Every input is read or refused with a message within the reader's limits, never a
//! panic or an allocation beyond `-rss_limit_mb`.
#![no_main]

mod shared;

use std::io::{Cursor, Write};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// A valid one-sheet workbook, the frame the XML parts are packed into.
fn frame() -> &'static [u8] {
    static FRAME: OnceLock<Vec<u8>> = OnceLock::new();
    FRAME.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "工号").expect("a cell");
        book.save_to_buffer().expect("a workbook")
    })
}

/// The frame with its sheet and shared strings replaced.
fn packed(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(frame())).expect("the frame reads");
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..source.len() {
        let part = source.by_index_raw(i).expect("a part");
        let replaced = match part.name() {
            "xl/worksheets/sheet1.xml" => Some(sheet),
            "xl/sharedStrings.xml" => Some(strings),
            _ => None,
        };
        match replaced {
            Some(bytes) => {
                let name = part.name().to_string();
                drop(part);
                out.start_file(name, stored).expect("a part");
                out.write_all(bytes).expect("written");
            }
            None => out.raw_copy_file(part).expect("copied"),
        }
    }
    out.finish().expect("a zip").into_inner()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 1 {
        rest.to_vec()
    } else {
        let (sheet, strings) = match rest.iter().position(|b| *b == 0xFF) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &b""[..]),
        };
        packed(sheet, strings)
    };
    shared::events("events.xlsx", &bytes);
    if let Ok((_, text)) = appraise::intake::decode(&bytes) {
        shared::attendance("attendance.xlsx", &text);
    }
});
