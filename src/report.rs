//! Rendering: a computed value (scores, ratings, events …) becomes a table for people,
//! JSON for programs, or CSV for spreadsheets. Nothing here computes anything.

pub mod html;
pub mod markdown;
mod svg;
mod views;
pub mod workbook;

use comfy_table::{CellAlignment, Table, presets};
use serde::Serialize;

pub use views::*;

/// Flags with their counts, e.g. `severe×2`, joined by `sep` (`none` when there are none).
pub fn flag_list(flags: &std::collections::BTreeMap<String, i64>, sep: &str, none: &str) -> String {
    if flags.is_empty() {
        return none.to_string();
    }
    flags
        .iter()
        .map(|(f, n)| format!("{f}×{n}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Output format of a command that prints records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// Which way a column's cells line up in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A value that can be shown as rows: JSON comes from `Serialize`, table and CSV from here.
pub trait Records: Serialize {
    fn columns(&self) -> Vec<(&'static str, Align)>;
    fn rows(&self) -> Vec<Vec<String>>;
    /// Lines above the table (table format only).
    fn heading(&self) -> Vec<String> {
        Vec::new()
    }
    /// Lines below the table (table format only).
    fn footing(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Renders `value` in `format`; the text ends with a newline.
pub fn render(format: Format, value: &impl Records) -> String {
    match format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(value).expect("report values always serialize");
            s.push('\n');
            s
        }
        Format::Csv => csv_text(value),
        Format::Table => table_text(value),
    }
}

fn csv_text(value: &impl Records) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>| -> csv::Result<()> {
        w.write_record(value.columns().iter().map(|(c, _)| *c))?;
        for row in value.rows() {
            w.write_record(&row)?;
        }
        w.flush()?;
        Ok(())
    };
    // Writing to memory cannot fail.
    write(&mut w).expect("CSV into memory");
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn table_text(value: &impl Records) -> String {
    let mut out = String::new();
    for line in value.heading() {
        out.push_str(&line);
        out.push('\n');
    }
    let rows = value.rows();
    if rows.is_empty() {
        out.push_str("(none)\n");
    } else {
        let columns = value.columns();
        let mut table = Table::new();
        // Fixed layout: the same data always prints the same, terminal or pipe.
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .force_no_tty();
        table.set_header(columns.iter().map(|(c, _)| *c));
        table.add_rows(rows);
        for (i, (_, align)) in columns.iter().enumerate() {
            if *align == Align::Right
                && let Some(c) = table.column_mut(i)
            {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    for line in value.footing() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Names(Vec<(String, i32)>);

    impl Records for Names {
        fn columns(&self) -> Vec<(&'static str, Align)> {
            vec![("name", Align::Left), ("n", Align::Right)]
        }
        fn rows(&self) -> Vec<Vec<String>> {
            self.0
                .iter()
                .map(|(a, b)| vec![a.clone(), b.to_string()])
                .collect()
        }
    }

    #[test]
    fn table_lines_up_with_cjk_text() {
        let t = render(
            Format::Table,
            &Names(vec![("张三丰".into(), 1), ("Bob".into(), 10)]),
        );
        let widths: Vec<usize> = t
            .lines()
            .map(unicode_width::UnicodeWidthStr::width)
            .collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{t}");
    }

    #[test]
    fn csv_quotes_when_needed() {
        let t = render(Format::Csv, &Names(vec![("a,b".into(), 1)]));
        assert_eq!(t, "name,n\n\"a,b\",1\n");
    }
}
