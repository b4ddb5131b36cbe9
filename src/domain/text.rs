//! The texts of ledger items. A policy's labels (rule ids, names, categories, reasons, kinds)
//! go into millions of items: they are interned once per process and then shared by plain
//! reference, with no count to keep per item. Texts made for one item (a capped reason) or
//! read back from a snapshot are owned.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{Mutex, OnceLock, PoisonError};

/// A ledger text: an interned label or an owned one.
pub type Text = Cow<'static, str>;

/// `s` as a process-wide text. Each distinct text is stored once and kept for the life of
/// the process, so the memory is bounded by the distinct labels of the policies it loads
/// (loading the same policy again stores nothing new).
///
/// Hashed with foldhash, not SipHash, and looked up first in a set of the calling thread's
/// own: a closed month's snapshot interns each item's texts as it is read, on a thread per
/// month, and the one lock all of them took showed in the rating's profile.
pub fn intern(s: &str) -> &'static str {
    thread_local! {
        static NEAR: RefCell<foldhash::HashSet<&'static str>> = RefCell::default();
    }
    static TEXTS: OnceLock<Mutex<foldhash::HashSet<&'static str>>> = OnceLock::new();
    if let Some(t) = NEAR.with_borrow(|near| near.get(s).copied()) {
        return t;
    }
    let t = {
        let mut texts = TEXTS
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match texts.get(s) {
            Some(t) => *t,
            None => {
                let t: &'static str = Box::leak(s.into());
                texts.insert(t);
                t
            }
        }
    };
    NEAR.with_borrow_mut(|near| near.insert(t));
    t
}

/// A value as a message shows it: at most 40 characters (a megabyte cell would bury the
/// message), control characters replaced so that nothing reaches a terminal raw.
pub fn clip(value: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = value
        .chars()
        .take(MAX)
        .map(|c| if c.is_control() { '�' } else { c })
        .collect();
    if value.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Something people write that is not plain text of its length, as facts: `Display` gives
/// the English, front ends their own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPlain {
    /// What it is (`note`, `name`).
    pub what: String,
    /// Its length in characters, when it is too long.
    pub chars: Option<usize>,
    pub max: usize,
    /// The value, quoted short.
    pub shown: String,
}

impl std::fmt::Display for NotPlain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, max, shown) = (&self.what, self.max, &self.shown);
        match self.chars {
            Some(n) => write!(f, "{what} holds {n} characters; at most {max}: {shown}"),
            None => write!(
                f,
                "{what} holds a control character (shown as �): {shown}; write plain text"
            ),
        }
    }
}

impl From<NotPlain> for String {
    fn from(p: NotPlain) -> String {
        p.to_string()
    }
}

/// Checks that `value`, the `what` of something people write (a note, a name), is plain
/// text of at most `max` characters: no control characters (a NUL or an escape sequence
/// would reach every page and terminal that shows it) except a line break or a tab.
pub fn plain(what: &str, value: &str, max: usize) -> Result<(), NotPlain> {
    let not = |chars| NotPlain {
        what: what.to_string(),
        chars,
        max,
        shown: clip(value),
    };
    if value.chars().nth(max).is_some() {
        Err(not(Some(value.chars().count())))
    } else if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        Err(not(None))
    } else {
        Ok(())
    }
}

/// `n` with the right form of a counted word: `1 employee`, `2 employees`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", plural(n, one, many))
}

/// A wait of `seconds`, in seconds under a minute, else in whole minutes rounded up.
pub fn wait(seconds: i64) -> String {
    if seconds < 60 {
        count(seconds.max(1) as usize, "second", "seconds")
    } else {
        count(((seconds + 59) / 60) as usize, "minute", "minutes")
    }
}

/// [`wait`] in Chinese: `30 秒`, `2 分钟`.
pub fn wait_zh(seconds: i64) -> String {
    if seconds < 60 {
        format!("{} 秒", seconds.max(1))
    } else {
        format!("{} 分钟", (seconds + 59) / 60)
    }
}

/// The singular or plural form of a word for `n` things.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Bytes as lowercase hexadecimal (hashes, tokens).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// `n` bytes from the system's randomness, as hexadecimal: session tokens and secrets.
pub fn random_hex(n: usize) -> Result<String, getrandom::Error> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// Flags with their counts, e.g. `严重违纪 建议辞退×2` (a count of one is left out), each
/// shown by its label when `labels` has one, joined by `sep`; `none` when there are none.
pub fn flag_list(
    flags: &std::collections::BTreeMap<String, i64>,
    labels: &std::collections::BTreeMap<String, String>,
    sep: &str,
    none: &str,
) -> String {
    if flags.is_empty() {
        return none.to_string();
    }
    flags
        .iter()
        .map(|(f, n)| {
            let name = labels.get(f).unwrap_or(f);
            if *n == 1 {
                name.clone()
            } else {
                format!("{name}×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

/// The candidate closest to a misspelt `word`, for "did you mean"; never `word` itself, and
/// none when every candidate is too far off to be what was meant.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // A word far longer than any name is no misspelling of one (and comparing a megabyte
    // with every name would take minutes).
    if word.chars().nth(64).is_some() {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| {
            let distance = strsim::damerau_levenshtein(c, word);
            // A name in Chinese is short in characters, not in bytes.
            (distance, c, 3.max(c.chars().count() / 3))
        })
        .filter(|(d, _, most)| d <= most)
        .min()
        .map(|(_, c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_stored_once() {
        let a = intern(&String::from("迟到"));
        let b = intern(&String::from("迟到"));
        assert_eq!(a, "迟到");
        assert!(std::ptr::eq(a, b));
        assert!(!std::ptr::eq(a, intern("早退")));
    }
}
