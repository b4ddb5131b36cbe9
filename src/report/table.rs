//! Tables for a terminal: the columns a layout shows, fitted to the terminal's width.
//!
//! A table that is too wide first leaves out the columns people need least (the layout
//! marks them), then wraps long text inside its column, and only then breaks short
//! columns too. Widths are display widths (a Chinese character takes two columns) and a
//! character is never split, so no line is ever wider than the terminal. Without a width
//! (output piped to a file or a program) every row stays one line.

use comfy_table::{CellAlignment, Table, presets};
use textwrap::WordSplitter;
use unicode_width::UnicodeWidthStr;

use super::{Align, Column, Layout, Records, Show};
use crate::domain::labels::Glossary;

/// How wide a table's heading and footing lines get when no terminal says: a long list
/// (the rules that never fired) reads as a paragraph, not one line of a thousand columns.
const NO_TERMINAL_WIDTH: usize = 100;

/// The narrowest a column of long text is wrapped to while shorter columns can keep their
/// width: about four Chinese characters.
const MIN_TEXT: usize = 8;

/// The narrowest any column gets: one Chinese character.
const MIN_ANY: usize = 2;

/// A table's borders: `│ a │ b │` takes three columns per cell and one more.
fn frame(columns: usize) -> usize {
    3 * columns + 1
}

/// `value` as a table no wider than `width`, with its heading and footing.
pub(super) fn text(value: &impl Records, words: &Glossary, width: Option<usize>) -> String {
    let lines_at = width.unwrap_or(NO_TERMINAL_WIDTH);
    let mut out = String::new();
    for line in value.heading(words) {
        push_wrapped(&mut out, &line, lines_at);
    }
    let Layout { columns, rows } = value.layout(words);
    let shown: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].show == Show::Everywhere)
        .collect();
    if rows.is_empty() {
        out.push_str("（无）\n");
    } else {
        let natural: Vec<usize> = (0..columns.len())
            .map(|i| {
                rows.iter()
                    .map(|r| widest_line(&r[i]))
                    .chain([columns[i].name.width()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        // A column with nothing in it is shown only while there is room, and its leaving
        // goes unmentioned.
        let empty: Vec<bool> = (0..columns.len())
            .map(|i| rows.iter().all(|r| r[i].trim().is_empty()))
            .collect();
        let (kept, widths) = match width {
            Some(w) => fit(&columns, &natural, &empty, shown, w),
            None => {
                let widths = shown.iter().map(|&i| natural[i]).collect();
                (shown, widths)
            }
        };
        out.push_str(&draw(&columns, &rows, &kept, &widths));
        out.push('\n');
        let left_out: Vec<&str> = (0..columns.len())
            .filter(|i| columns[*i].show == Show::Everywhere && !kept.contains(i) && !empty[*i])
            .map(|i| columns[i].name)
            .collect();
        if !left_out.is_empty() {
            let note = format!(
                "终端宽度不够，未显示：{}（加宽终端，或用 --format csv 查看全部）",
                left_out.join("、")
            );
            push_wrapped(&mut out, &note, lines_at);
        }
    }
    for line in value.footing(words) {
        push_wrapped(&mut out, &line, lines_at);
    }
    out
}

/// The columns kept (indexes into the layout) and the width of each, so that the table is
/// no wider than `width`.
fn fit(
    columns: &[Column],
    natural: &[usize],
    empty: &[bool],
    mut kept: Vec<usize>,
    width: usize,
) -> (Vec<usize>, Vec<usize>) {
    let total =
        |kept: &[usize]| frame(kept.len()) + kept.iter().map(|&i| natural[i]).sum::<usize>();
    // First leave out the empty columns, then the minor ones, rightmost first, while the
    // table is too wide.
    let leave_out = |kept: &mut Vec<usize>, gives_way: &dyn Fn(usize) -> bool| {
        while total(kept) > width {
            let Some(p) = kept.iter().rposition(|&i| gives_way(i)) else {
                break;
            };
            kept.remove(p);
        }
    };
    leave_out(&mut kept, &|i| empty[i]);
    leave_out(&mut kept, &|i| columns[i].minor);
    // A terminal too narrow for even one character a column loses columns from the right.
    while kept.len() > 1 && frame(kept.len()) + MIN_ANY * kept.len() > width {
        kept.pop();
    }
    let room = width.saturating_sub(frame(kept.len()));
    let wants: Vec<usize> = kept.iter().map(|&i| natural[i]).collect();
    if wants.iter().sum::<usize>() <= room {
        return (kept, wants);
    }
    // Then long text wraps, while short columns keep their width.
    let text: Vec<bool> = kept
        .iter()
        .map(|&i| columns[i].align == Align::Text)
        .collect();
    let fixed: usize = wants
        .iter()
        .zip(&text)
        .filter(|(_, t)| !**t)
        .map(|(w, _)| w)
        .sum();
    let text_min: usize = wants
        .iter()
        .zip(&text)
        .filter(|(_, t)| **t)
        .map(|(w, _)| (*w).min(MIN_TEXT))
        .sum();
    if text.iter().any(|t| *t) && fixed + text_min <= room {
        let shrink: Vec<usize> = (0..kept.len()).filter(|&k| text[k]).collect();
        let widths = share(&wants, &shrink, room - fixed);
        return (kept, widths);
    }
    // Last, every column gives way.
    let all: Vec<usize> = (0..kept.len()).collect();
    let widths = share(&wants, &all, room);
    (kept, widths)
}

/// Widths for `wants`, where the columns in `shrink` share `room` (the others keep what
/// they want): each gets what it wants or an equal share of what is left, whichever is
/// less, the narrowest first, and never less than [`MIN_ANY`].
fn share(wants: &[usize], shrink: &[usize], room: usize) -> Vec<usize> {
    let mut widths = wants.to_vec();
    let mut order = shrink.to_vec();
    order.sort_by_key(|&k| (wants[k], k));
    let mut left = room;
    for (n, &k) in order.iter().enumerate() {
        let fair = left / (order.len() - n);
        let w = wants[k].min(fair).max(MIN_ANY);
        widths[k] = w;
        left = left.saturating_sub(w);
    }
    widths
}

/// The table of the `kept` columns, each cell wrapped to its column's width.
fn draw(columns: &[Column], rows: &[Vec<String>], kept: &[usize], widths: &[usize]) -> String {
    let mut table = Table::new();
    // No styling and no width detection of its own: the cells arrive wrapped, so the same
    // data always prints the same for the same width.
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .force_no_tty();
    table.set_header(
        kept.iter()
            .zip(widths)
            .map(|(&i, &w)| wrap_cell(columns[i].name, w)),
    );
    for row in rows {
        table.add_row(
            kept.iter()
                .zip(widths)
                .map(|(&i, &w)| wrap_cell(&terminal_safe(&row[i]), w)),
        );
    }
    for (k, &i) in kept.iter().enumerate() {
        if columns[i].align == Align::Right
            && let Some(c) = table.column_mut(k)
        {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table.to_string()
}

/// The widest line of a cell, in display columns.
fn widest_line(cell: &str) -> usize {
    cell.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

/// `cell` with each of its lines wrapped to `width` display columns: at spaces where it
/// can, else between characters (never inside one).
fn wrap_cell(cell: &str, width: usize) -> String {
    if widest_line(cell) <= width {
        return cell.to_string();
    }
    let options = textwrap::Options::new(width).word_splitter(WordSplitter::NoHyphenation);
    cell.lines()
        .flat_map(|line| textwrap::wrap(line, &options))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Appends `line` wrapped to `width`, its continued lines indented by two spaces.
fn push_wrapped(out: &mut String, line: &str, width: usize) {
    if line.width() <= width {
        out.push_str(line);
        out.push('\n');
        return;
    }
    let options = textwrap::Options::new(width.max(MIN_ANY + 2))
        .subsequent_indent("  ")
        .word_splitter(WordSplitter::NoHyphenation);
    for piece in textwrap::wrap(line, options) {
        out.push_str(&piece);
        out.push('\n');
    }
}

/// A cell as a terminal shows it: control characters (escape sequences, bells) replaced,
/// line breaks kept for cells that wrap on purpose.
fn terminal_safe(cell: &str) -> String {
    cell.chars()
        .map(|c| {
            if c.is_control() && c != '\n' {
                '�'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_between_characters() {
        let line = format!(
            "从未触发（30）：{}",
            vec!["company:grooming"; 30].join(", ")
        );
        let mut out = String::new();
        push_wrapped(&mut out, &line, 60);
        assert!(out.lines().count() > 5, "{out}");
        for l in out.lines() {
            assert!(l.width() <= 60, "{l:?}");
        }
        let cjk = "通报表扬、晋升加薪、年度优秀员工、奖金加倍".repeat(4);
        let wrapped = wrap_cell(&cjk, 9);
        for l in wrapped.lines() {
            assert!(l.width() <= 9, "{l:?}");
        }
        assert_eq!(wrapped.replace('\n', ""), cjk, "no character lost or split");
    }

    #[test]
    fn shares_go_to_the_narrowest_first() {
        assert_eq!(share(&[3, 40, 40], &[0, 1, 2], 43), vec![3, 20, 20]);
        assert_eq!(share(&[5, 40], &[1], 20), vec![5, 20]);
    }
}
