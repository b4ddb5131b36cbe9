//! The text encodings of the files people save: UTF-8 (with or without a byte-order mark),
//! or GB18030 — what Excel writes for "CSV" on a Chinese Windows PC (GBK and GB2312 are
//! parts of it).
//!
//! The rule, stated so that people can predict it: a file is UTF-8 if its first MiB is
//! valid UTF-8 (a character cut by the end of that MiB aside, and a leading BOM allowed);
//! otherwise it is GB18030. A GB18030 file that does not decode is refused at the line
//! where it stops making sense; nothing is ever read with replacement characters.

use std::io::{self, Read};

pub use super::shape::Encoding;
use super::shape::Shape;

/// How much of a file decides its encoding.
const SNIFF: usize = 1 << 20;

/// The encoding of a file that starts with `prefix`; `whole` when `prefix` is all of it.
fn sniff(prefix: &[u8], whole: bool) -> Encoding {
    match std::str::from_utf8(prefix) {
        Ok(_) => Encoding::Utf8,
        // Only a character cut by the end of the sniffed part.
        Err(e) if e.error_len().is_none() && !whole => Encoding::Utf8,
        Err(_) => Encoding::Gb18030,
    }
}

/// A file's bytes as text, and how they were read.
pub fn decode(bytes: &[u8]) -> Result<(Encoding, String), Shape> {
    if super::workbook::is_xlsx(bytes) {
        return Ok((Encoding::Xlsx, super::workbook::first_sheet_as_csv(bytes)?));
    }
    let sniffed = &bytes[..bytes.len().min(SNIFF)];
    match sniff(sniffed, sniffed.len() == bytes.len()) {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(text) => Ok((Encoding::Utf8, text.to_string())),
            Err(e) => Err(not_text(bytes, e.valid_up_to(), Encoding::Utf8)),
        },
        Encoding::Gb18030 | Encoding::Xlsx => Ok((Encoding::Gb18030, gb18030(bytes)?)),
    }
}

/// Reads `input` as UTF-8 text, decoding it first if it is GB18030: a UTF-8 file streams
/// through (an import of millions of rows stays in flat memory); a GB18030 one (what
/// Excel saves, at most a million rows) is decoded whole. Failing to read is the outer
/// error; a file read that is no text (or no table) the inner.
pub fn reader<'a>(mut input: impl Read + Send + 'a) -> io::Result<Result<Decoded<'a>, Shape>> {
    let mut prefix = Vec::with_capacity(64 * 1024);
    (&mut input).take(SNIFF as u64).read_to_end(&mut prefix)?;
    let whole = prefix.len() < SNIFF;
    if super::workbook::is_xlsx(&prefix) {
        input.read_to_end(&mut prefix)?;
        return Ok(super::workbook::first_sheet_as_csv(&prefix).map(|text| {
            let text: Box<dyn Read + Send> = Box::new(io::Cursor::new(text.into_bytes()));
            (Encoding::Xlsx, text)
        }));
    }
    match sniff(&prefix, whole) {
        Encoding::Utf8 => Ok(Ok((
            Encoding::Utf8,
            Box::new(io::Cursor::new(prefix).chain(input)),
        ))),
        // (`of` tells the text encodings only.)
        Encoding::Gb18030 | Encoding::Xlsx => {
            input.read_to_end(&mut prefix)?;
            Ok(gb18030(&prefix).map(|text| {
                let text: Box<dyn Read + Send> = Box::new(io::Cursor::new(text.into_bytes()));
                (Encoding::Gb18030, text)
            }))
        }
    }
}

/// A file being read as text, and how it is read.
pub type Decoded<'a> = (Encoding, Box<dyn Read + Send + 'a>);

/// `bytes` decoded as GB18030, or where they stop being GB18030.
fn gb18030(bytes: &[u8]) -> Result<String, Shape> {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len() * 3),
    );
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(text),
        encoding_rs::DecoderResult::Malformed(bad, after) => Err(not_text(
            bytes,
            read - bad as usize - after as usize,
            Encoding::Gb18030,
        )),
        encoding_rs::DecoderResult::OutputFull => {
            unreachable!("the buffer holds the longest decoding")
        }
    }
}

/// Why a file is not text: the line of the first byte that fits neither encoding.
fn not_text(bytes: &[u8], at: usize, tried: Encoding) -> Shape {
    let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
    Shape::NotText { line, tried }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GB18030.encode(text).0.into_owned()
    }

    #[test]
    fn utf8_with_or_without_a_bom_and_gb18030_are_told_apart() {
        let text = "工号,日期,上班打卡\nE001,2026-03-02,08:31\n";
        assert_eq!(
            decode(text.as_bytes()).unwrap(),
            (Encoding::Utf8, text.into())
        );
        let bom = format!("\u{feff}{text}");
        assert_eq!(decode(bom.as_bytes()).unwrap().0, Encoding::Utf8);
        assert_eq!(
            decode(&gbk(text)).unwrap(),
            (Encoding::Gb18030, text.into())
        );
        let saved = gbk(text);
        let (encoding, mut read) = reader(&saved[..]).unwrap().unwrap();
        let mut out = String::new();
        read.read_to_string(&mut out).unwrap();
        assert_eq!((encoding, out.as_str()), (Encoding::Gb18030, text));
    }

    #[test]
    fn bytes_that_are_neither_are_refused_at_their_line() {
        // 0x81 0x20 opens a GB18030 pair that a space cannot close.
        let bytes = b"employee,note\nE001,ok\nE002,\x81\x20bad\n";
        assert_eq!(
            decode(bytes),
            Err(Shape::NotText {
                line: 3,
                tried: Encoding::Gb18030
            })
        );
    }

    #[test]
    fn a_character_cut_by_the_sniffed_part_is_still_utf8() {
        let mut text = "a".repeat(SNIFF - 1);
        text.push('工');
        let (encoding, mut read) = reader(text.as_bytes()).unwrap().unwrap();
        let mut out = String::new();
        read.read_to_string(&mut out).unwrap();
        assert_eq!((encoding, out.len()), (Encoding::Utf8, text.len()));
    }
}
