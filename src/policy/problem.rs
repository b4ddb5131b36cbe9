//! Problems found while loading a policy, each at a `file:line:column` position, as data:
//! what is wrong (`message`) kept apart from how to mend it (`help`), so that a front end
//! can show a snippet with a caret on a terminal and one line in a log.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// One thing wrong with a policy file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub file: String,
    /// Where it is, both from 1; columns count characters.
    pub line: usize,
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to mend it, when there is something to say.
    pub help: Option<String>,
    /// The bytes of the file it points at, when known: a front end underlines them.
    pub span: Option<(usize, usize)>,
    /// The text of the file as it was read, so that a front end shows the very lines the
    /// problem was found in (the file on disk may have changed since, or not exist: a
    /// stored version or an upload).
    pub source: Option<Arc<str>>,
}

impl Problem {
    /// A problem at `line` and `column` of `file`; its bytes and text are attached when the
    /// policy's files are known ([`SourceText::attach`]).
    pub fn at(
        file: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Problem {
        Problem {
            file: file.into(),
            line,
            column,
            message: message.into(),
            help: None,
            span: None,
            source: None,
        }
    }

    /// A problem at the start of `file` (one that has no better place).
    pub fn at_start(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem::at(file, 1, 1, message)
    }

    /// The same problem with a hint on how to mend it.
    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}

/// One line: `file:line:column: message; help`, as logs and CI show it.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        match &self.help {
            Some(help) => write!(f, "; {help}"),
            None => Ok(()),
        }
    }
}

/// Every problem of a policy that could not be loaded, in file and position order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::domain::event::write_lines(f, &self.0, 0)
    }
}

/// A source text with its name, turning byte offsets into 1-based lines and columns
/// (columns count characters, so CJK text is one column per character).
#[derive(Debug, Clone)]
pub struct SourceText {
    pub name: String,
    /// Shared with the problems found in it.
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceText {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceText {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceText {
            name: name.into(),
            text: Arc::from(text),
            line_starts,
        }
    }

    /// Line and column (both from 1) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line + 1, column)
    }

    pub fn problem(&self, span: Range<usize>, message: impl Into<String>) -> Problem {
        let (line, column) = self.position(span.start);
        Problem {
            file: self.name.clone(),
            line,
            column,
            message: message.into(),
            help: None,
            span: Some(if span.is_empty() {
                self.word_at(line, column).unwrap_or((span.start, span.end))
            } else {
                (span.start, span.end)
            }),
            source: Some(Arc::clone(&self.text)),
        }
    }

    /// The bytes a problem known only by its line and column points at: from there to the
    /// end of the word (at least one character).
    pub fn word_at(&self, line: usize, column: usize) -> Option<(usize, usize)> {
        let start_of_line = *self.line_starts.get(line.checked_sub(1)?)?;
        let rest = self.text.get(start_of_line..)?;
        let (offset, _) = rest
            .char_indices()
            .chain([(rest.len(), ' ')])
            .nth(column.checked_sub(1)?)?;
        let start = start_of_line + offset;
        let word = self.text[start..]
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(self.text.len() - start, |(i, _)| i);
        let first = self.text[start..].chars().next().map_or(0, char::len_utf8);
        Some((start, start + word.max(first)))
    }

    /// `p` with this file's text, and its bytes when it had only a line and column.
    pub fn attach(&self, mut p: Problem) -> Problem {
        if p.file == self.name && p.source.is_none() {
            p.span = p.span.or_else(|| self.word_at(p.line, p.column));
            p.source = Some(Arc::clone(&self.text));
        }
        p
    }

    /// Where the content of a TOML string value begins, given the span of the value with its
    /// quotes: after `"`/`'`, or after `"""`/`'''` and the newline that may follow them.
    pub fn string_content_start(&self, span: Range<usize>) -> (usize, usize) {
        let raw = self.text.get(span.clone()).unwrap_or("");
        let mut skip = if raw.starts_with("'''") || raw.starts_with("\"\"\"") {
            3
        } else if raw.starts_with(['\'', '"']) {
            1
        } else {
            0
        };
        if skip == 3 {
            if raw[skip..].starts_with("\r\n") {
                skip += 2;
            } else if raw[skip..].starts_with('\n') {
                skip += 1;
            }
        }
        self.position(span.start + skip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let s = SourceText::new("a.toml", "x = 1\nname = \"考评\" y\n");
        assert_eq!(s.position(0), (1, 1));
        assert_eq!(s.position(6), (2, 1));
        let y = s.text.find(" y").unwrap() + 1;
        assert_eq!(s.position(y), (2, 13));
    }

    #[test]
    fn string_content_skips_delimiters() {
        let text = "s = '''\nabc'''\n";
        let s = SourceText::new("a.toml", text);
        assert_eq!(s.string_content_start(4..text.len() - 1), (2, 1));
        let s = SourceText::new("a.toml", "s = \"abc\"");
        assert_eq!(s.string_content_start(4..9), (1, 6));
    }
}
