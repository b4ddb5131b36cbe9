//! The shape of a file people wrote, and what can be wrong with it before any of its rows
//! is read: the limits it is held to, how it was read (its text encoding, or a workbook's
//! first sheet), and a file that is no table (not text, a workbook beyond the limits, a
//! header row without the columns, a record that is not a row). Facts, as
//! [`Wrong`](super::Wrong) is: `Display` gives the English, `app::zh` the Chinese.

/// The largest roster, clock export or staff file read (they are read whole; events
/// stream, whatever their size).
pub const MAX_TABLE_BYTES: u64 = 256 << 20;

/// The most rows and columns a sheet to import may reach, and the most cells with a value:
/// a company's year of entries fits far inside them. A workbook states its dimension, but
/// that is a claim, not a size: the cells are read one by one and the first one beyond
/// the limits stops the read, so that a 2 KB file naming cell XFD1048576 costs nothing.
pub const MAX_ROWS: u32 = 200_000;
pub const MAX_COLUMNS: u32 = 64;
pub const MAX_CELLS: usize = 2_000_000;
/// The longest text a cell may hold (a note is far shorter).
pub const MAX_CELL_CHARS: usize = 4_096;
/// The most text, in bytes, the cells of a sheet may hold together: a sheet whose two
/// million cells each repeat one long shared string would otherwise be copied two million
/// times (8 GB from a file of under 2 MB).
pub const MAX_SHEET_TEXT: usize = 64 << 20;
/// The most a workbook's parts may unpack to, each and together, and the most the
/// shared strings may (they are held whole while the sheet is read). Checked by unpacking
/// into nothing before the workbook is opened: the sizes a zip states are claims too.
pub const MAX_PART_BYTES: u64 = 256 << 20;
pub const MAX_UNPACKED_BYTES: u64 = 512 << 20;
pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 << 20;
/// The most parts a workbook may have (a company's sheet has about a dozen).
pub const MAX_PARTS: usize = 1_000;

/// How a file was read: as UTF-8 or GB18030 text, or as an Excel workbook (its first
/// sheet; see `workbook`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
    Xlsx,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Xlsx => "Excel, first sheet",
        }
    }
}

/// A cell of a workbook's first sheet, both from 0 (shown from 1, the column as letters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub row: u32,
    pub column: u32,
}

impl Cell {
    /// The column as a spreadsheet names it: `A`, `B`, … `Z`, `AA`, …
    pub fn column_name(self) -> String {
        let mut i = self.column as usize;
        let mut name = Vec::new();
        loop {
            name.push(b'A' + (i % 26) as u8);
            if i < 26 {
                break;
            }
            i = i / 26 - 1;
        }
        name.reverse();
        String::from_utf8(name).expect("ASCII letters")
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {} column {}", self.row + 1, self.column_name())
    }
}

/// What a workbook's cell holds that is no value to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    /// A date serial Excel itself cannot place on the calendar (as the sheet holds it).
    Date(String),
    /// An error value such as `#DIV/0!`.
    Error(String),
}

/// What is wrong with a file's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Shape {
    /// A file to read whole larger than one may be (its size in MB).
    #[error(
        "is {mb} MB; a roster, clock export or staff file holds at most {} MB: split it by month",
        MAX_TABLE_BYTES >> 20
    )]
    TooLarge { mb: u64 },
    /// A byte that fits neither text encoding: the line it is on.
    #[error(
        "line {line} is not {} text (the file was read as {} by its first MiB); save the file as UTF-8",
        .tried.name(), .tried.name()
    )]
    NotText { line: usize, tried: Encoding },
    /// The zip or the workbook inside it cannot be read (the reader's words).
    #[error("is not a readable Excel workbook ({0}); save it as .xlsx or CSV")]
    NotAWorkbook(String),
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error("its first sheet cannot be read ({0})")]
    SheetUnreadable(String),
    #[error(
        "its first sheet has a cell at {0}; a sheet to import has at most {rows} rows and {columns} columns: delete what lies beyond the table, or split the file",
        rows = MAX_ROWS,
        columns = MAX_COLUMNS
    )]
    CellBeyond(Cell),
    #[error("{cell} holds {}; fix the cell", match .value {
        CellValue::Date(serial) => format!("a date Excel cannot place ({serial})"),
        CellValue::Error(e) => format!("the Excel error {e}"),
    })]
    CellValue { cell: Cell, value: CellValue },
    /// A cell longer than a cell may be: in a workbook, the cell; in a CSV file, the row's.
    #[error(
        "{} holds {chars} characters; a cell holds at most {}: {shown}",
        .cell.map_or_else(|| "a cell".to_string(), |c| c.to_string()),
        MAX_CELL_CHARS
    )]
    CellTooLong {
        cell: Option<Cell>,
        chars: usize,
        shown: String,
    },
    #[error(
        "its first sheet has more than {} cells with a value or more than {} MB of text; split the file",
        MAX_CELLS,
        MAX_SHEET_TEXT >> 20
    )]
    TooMuch,
    #[error(
        "is a workbook of {0} parts; one to import has at most {max}: save the table alone as .xlsx or CSV",
        max = MAX_PARTS
    )]
    TooManyParts(usize),
    #[error(
        "is a workbook whose part {part} unpacks to more than {mb} MB (at most {} MB a part, {} MB in all); save the table alone as .xlsx or CSV",
        .limit >> 20,
        MAX_UNPACKED_BYTES >> 20
    )]
    PartTooLarge { part: String, mb: u64, limit: u64 },
    /// A cell reference or a dimension no spreadsheet writes (`D2:A1`, `A99999999999`).
    #[error(
        "is a workbook whose first sheet states {} {stated}, which no spreadsheet writes; save it again from Excel, or as CSV",
        if *.dimension { "the dimension" } else { "the cell reference" }
    )]
    BadReference { dimension: bool, stated: String },
    /// The header row cannot be read as CSV (the reader's words).
    #[error("cannot read the header row: {0}")]
    HeaderUnreadable(String),
    /// Required columns absent: those missing, all the required (as the file must start),
    /// and their Chinese headers where every one has one.
    #[error(
        "the header row lacks {}; the file must start with `{}`{}",
        .missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
        .required.join(","),
        .chinese.as_ref().map_or_else(String::new, |c| format!(" (or `{}`)", c.join(",")))
    )]
    HeaderLacks {
        missing: Vec<String>,
        required: Vec<String>,
        chinese: Option<Vec<String>>,
    },
    #[error("column `{0}` appears twice in the header row")]
    ColumnTwice(String),
    /// A record of `len` cells under a header of `width`.
    #[error(
        "has {len} cells but the header has {width}; check for a stray or missing comma{}",
        if .len < .width {
            ", or a quote `\"` that is opened and never closed (the cell then runs on over the next lines)"
        } else {
            ""
        }
    )]
    CellCount { width: usize, len: usize },
    #[error("is not valid UTF-8; save the file as UTF-8")]
    NotUtf8,
    /// Any other failure of the CSV reader (its words).
    #[error("{0}")]
    Csv(String),
}

impl Shape {
    /// What a CSV reading error means for the person who wrote the file.
    pub fn of_csv(e: &csv::Error) -> Shape {
        match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => Shape::CellCount {
                width: *expected_len as usize,
                len: *len as usize,
            },
            csv::ErrorKind::Utf8 { .. } => Shape::NotUtf8,
            _ => Shape::Csv(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_a_spreadsheet_names_them() {
        let name = |column| Cell { row: 0, column }.column_name();
        assert_eq!(
            [name(0), name(25), name(26), name(27), name(701), name(702)],
            ["A", "Z", "AA", "AB", "ZZ", "AAA"]
        );
        assert_eq!(Cell { row: 4, column: 1 }.to_string(), "row 5 column B");
    }
}
