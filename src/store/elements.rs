//! The elements of a stored JSON array, read a piece at a time: each element's bytes are
//! found by following only strings and nesting, and handed whole to serde_json as a slice.
//! (serde_json's own reader parses byte by byte, three times slower than from a slice:
//! that was a third of a rating that read twelve closed months.)

use std::io::Read;

/// How much is read at once.
const PIECE: usize = 1 << 20;

/// Why the text is not an array of elements.
#[derive(Debug, thiserror::Error)]
pub enum Malformed {
    #[error("{0}")]
    Read(#[from] std::io::Error),
    #[error("it does not start with `[`")]
    NotArray,
    #[error("it ends before its array does ({0} bytes read)")]
    CutShort(u64),
    #[error("byte {at}: `{found}` where an element or the array's end should be")]
    Unexpected { at: u64, found: char },
    #[error("text after the array's end, at byte {0}")]
    Trailing(u64),
}

/// Hands each element of the JSON array that `text` holds to `each`, as its bytes; stops
/// early when `each` returns `false`.
pub fn each_element(
    mut text: impl Read,
    mut each: impl FnMut(&[u8]) -> bool,
) -> Result<(), Malformed> {
    let mut buf: Vec<u8> = Vec::with_capacity(2 * PIECE);
    // Bytes of the text consumed before `buf[0]`.
    let mut before = 0u64;
    let mut scan = Scan::default();
    loop {
        let filled = buf.len();
        buf.resize(filled + PIECE, 0);
        let n = read_some(&mut text, &mut buf[filled..])?;
        buf.truncate(filled + n);
        let mut used = 0;
        let mut i = filled;
        if scan.escaped && i < buf.len() {
            // The byte after a backslash that ended the last piece.
            (scan.escaped, i) = (false, i + 1);
        }
        while i < buf.len() {
            if scan.in_string {
                // Most of the text is strings: skipped to their next quote or backslash.
                match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                    None => i = buf.len(),
                    Some(k) if buf[i + k] == b'"' => (scan.in_string, i) = (false, i + k + 1),
                    // A backslash: the byte after it is taken as it is.
                    Some(k) if i + k + 1 < buf.len() => i += k + 2,
                    Some(_) => (scan.escaped, i) = (true, buf.len()),
                }
                continue;
            }
            match scan.byte(buf[i], before + i as u64)? {
                Step::Go => {}
                Step::Start => used = i,
                Step::End => {
                    if !each(&buf[used..=i]) {
                        return Ok(());
                    }
                    used = i + 1;
                }
            }
            i += 1;
        }
        if n == 0 {
            return match scan.state {
                State::Done => Ok(()),
                _ => Err(Malformed::CutShort(before + buf.len() as u64)),
            };
        }
        // Keeps the element begun and not yet ended; drops what was handed over.
        let keep = if scan.depth > 1 { used } else { buf.len() };
        buf.drain(..keep);
        before += keep as u64;
    }
}

fn read_some(text: &mut impl Read, into: &mut [u8]) -> Result<usize, Malformed> {
    loop {
        match text.read(into) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return Ok(r?),
        }
    }
}

#[derive(Default, PartialEq)]
enum State {
    /// Before the array's `[`.
    #[default]
    Opening,
    /// Inside the array.
    Inside,
    /// After its `]`.
    Done,
}

/// Where the scan of the text stands.
#[derive(Default)]
struct Scan {
    state: State,
    /// Nesting: 1 inside the array, more inside an element.
    depth: usize,
    in_string: bool,
    /// The last piece ended in a string, on a backslash.
    escaped: bool,
}

enum Step {
    Go,
    /// An element starts at this byte.
    Start,
    /// An element ends at this byte.
    End,
}

impl Scan {
    /// Steps over `b`, at byte `at` of the text, outside any string.
    fn byte(&mut self, b: u8, at: u64) -> Result<Step, Malformed> {
        let space = matches!(b, b' ' | b'\n' | b'\r' | b'\t');
        match self.state {
            State::Opening if space => Ok(Step::Go),
            State::Opening if b == b'[' => {
                (self.state, self.depth) = (State::Inside, 1);
                Ok(Step::Go)
            }
            State::Opening => Err(Malformed::NotArray),
            State::Done if space => Ok(Step::Go),
            State::Done => Err(Malformed::Trailing(at)),
            State::Inside => match (b, self.depth) {
                (b'{' | b'[', 1) => {
                    self.depth = 2;
                    Ok(Step::Start)
                }
                (b'{' | b'[', _) => {
                    self.depth += 1;
                    Ok(Step::Go)
                }
                (b'}' | b']', 2) => {
                    self.depth = 1;
                    Ok(Step::End)
                }
                (b']', 1) => {
                    (self.state, self.depth) = (State::Done, 0);
                    Ok(Step::Go)
                }
                (b'}', 1) => Err(Malformed::Unexpected {
                    at,
                    found: char::from(b),
                }),
                (b'}' | b']', _) => {
                    self.depth -= 1;
                    Ok(Step::Go)
                }
                (b'"', d) if d > 1 => {
                    self.in_string = true;
                    Ok(Step::Go)
                }
                (b',', 1) => Ok(Step::Go),
                _ if space || self.depth > 1 => Ok(Step::Go),
                _ => Err(Malformed::Unexpected {
                    at,
                    found: char::from(b),
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(text: &str, piece: usize) -> Result<Vec<String>, Malformed> {
        let mut out = Vec::new();
        // A reader that gives at most `piece` bytes a call, to cut elements across reads.
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(into.len());
                into[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        each_element(Slow(text.as_bytes(), piece), |e| {
            out.push(String::from_utf8(e.to_vec()).unwrap());
            true
        })?;
        Ok(out)
    }

    #[test]
    fn every_element_is_found_whole_however_the_text_is_read() {
        let values = serde_json::json!([
            {"a": "x]}\"{[", "b": [1, {"c": []}], "d": "\\\\"},
            {},
            [1, 2],
            {"e": "中文\\\"}"}
        ]);
        for text in [
            values.to_string(),
            serde_json::to_string_pretty(&values).unwrap(),
        ] {
            for piece in [1, 2, 3, 7, 64, PIECE] {
                let found = elements(&text, piece).unwrap();
                let parsed: Vec<serde_json::Value> = found
                    .iter()
                    .map(|e| serde_json::from_str(e).unwrap())
                    .collect();
                assert_eq!(
                    serde_json::Value::Array(parsed),
                    values,
                    "{piece}: {found:?}"
                );
            }
        }
        assert_eq!(elements(" [ ] ", 1).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn text_that_is_no_array_of_elements_is_refused() {
        for (text, says) in [
            ("", "ends before"),
            ("{}", "does not start"),
            ("[{}", "ends before"),
            ("[{\"a\": \"}]", "ends before"),
            ("[1]", "`1` where"),
            ("[{}] x", "after the array"),
            ("[}]", "`}` where"),
        ] {
            let err = elements(text, 2).unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
