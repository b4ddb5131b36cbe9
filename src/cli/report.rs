//! `appraise report …`: documents to print, file, or open in a spreadsheet. The file's
//! extension picks the format: `.html`, `.md`, `.xlsx` or `.csv`.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, Result, refused};
use appraise::app::{Actor, Document, Error};
use appraise::domain::month::Month;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Department Monthly Appraisal Statement (.html, .md or .xlsx).
    Statement {
        #[arg(long)]
        department: String,
        #[arg(long)]
        month: Month,
        /// Where to write it [default: statement-DEPT-MONTH.html].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The annual rating sheet (.xlsx, .csv or .html).
    Ratings {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        through: Option<Month>,
        /// Where to write it [default: ratings-YEAR.xlsx].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The Employee Reward/Penalty Recommendation (.html or .md).
    Recommendation {
        employee: String,
        #[arg(long)]
        year: i32,
        /// Where to write it [default: recommendation-EMPLOYEE-YEAR.html].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The file to write (`--out`, else `default`) and its format, one of `allowed`.
fn target(
    out: Option<PathBuf>,
    default: String,
    allowed: &[Document],
) -> Result<(PathBuf, Document)> {
    let out = out.unwrap_or_else(|| PathBuf::from(default));
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ext = if ext == "htm" { "html".into() } else { ext };
    if let Some(format) = allowed.iter().find(|d| d.extension() == ext) {
        return Ok((out, *format));
    }
    let names: Vec<String> = allowed
        .iter()
        .map(|a| format!(".{}", a.extension()))
        .collect();
    let (last, rest) = names.split_last().expect("every report allows a format");
    let out = out.display();
    Err(refused(
        format!(
            "`{out}`：此报表可写成 {} 或 {last}，请按此命名文件",
            rest.join("、")
        ),
        format!(
            "`{out}`: this report can be written as {} or {last}; name the file accordingly",
            rest.join(", ")
        ),
    ))
}

fn write(ctx: &Ctx, path: &Path, bytes: &[u8]) -> Result {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let path = path.display();
    ctx.tell(format_args!("已写入 {path}"), format_args!("wrote {path}"))
}

/// A file name made of an id people typed: only its letters, digits, `-` and `_`, so that
/// the default name never points outside the current folder.
fn safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    use Document::{Csv, Html, Markdown, Xlsx};
    match cmd {
        Command::Statement {
            department,
            month,
            out,
        } => {
            let (out, format) = target(
                out,
                format!("statement-{}-{month}.html", safe(&department)),
                &[Html, Markdown, Xlsx],
            )?;
            let bytes = ctx
                .app
                .statement(&Actor::owner(), &department, month, format)?;
            write(ctx, &out, &bytes)
        }
        Command::Ratings {
            year,
            department,
            through,
            out,
        } => {
            let (out, format) = target(out, format!("ratings-{year}.xlsx"), &[Xlsx, Csv, Html])?;
            let bytes = ctx
                .app
                .rating_sheet(&Actor::owner(), year, department, through, format)?;
            write(ctx, &out, &bytes)
        }
        Command::Recommendation {
            employee,
            year,
            out,
        } => {
            let (out, format) = target(
                out,
                format!("recommendation-{}-{year}.html", safe(&employee)),
                &[Html, Markdown],
            )?;
            let bytes = ctx
                .app
                .recommendation(&Actor::owner(), &employee, year, format)?;
            write(ctx, &out, &bytes)
        }
    }
}
