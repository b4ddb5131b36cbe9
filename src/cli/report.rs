//! `appraise report …`: documents to print, file, or open in a spreadsheet. The file's
//! extension picks the format: `.html`, `.md`, `.xlsx` or `.csv`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, found};
use crate::documents;
use crate::evaluate::{Evaluation, Selection, rated_months};
use crate::month::Month;
use crate::report::{html, markdown, workbook};
use crate::rulebook::Rulebook;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The Department Monthly Appraisal Statement (.html or .md).
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

/// The file to write (`--out`, else `default`) and its format, one of `allowed` extensions.
fn target(
    out: Option<PathBuf>,
    default: String,
    allowed: &[&str],
) -> anyhow::Result<(PathBuf, String)> {
    let out = out.unwrap_or_else(|| PathBuf::from(default));
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if !allowed.contains(&ext.as_str()) {
        let names: Vec<String> = allowed
            .iter()
            .filter(|a| **a != "htm")
            .map(|a| format!(".{a}"))
            .collect();
        let (last, rest) = names.split_last().expect("every report allows a format");
        return Err(found(format!(
            "`{}`: this report can be written as {} or {last}; name the file accordingly",
            out.display(),
            rest.join(", ")
        )));
    }
    Ok((out, ext))
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes)
        .map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn pass_mark(rulebook: &Rulebook, department: &str, month: Month) -> Option<f64> {
    rulebook
        .governing(department, month)
        .map(|p| p.scoring.pass_mark.to_f64())
}

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    let (store, rulebook) = ctx.store_and_rules()?;
    let eval = Evaluation::official(&store, &rulebook);
    match cmd {
        Command::Statement {
            department,
            month,
            out,
        } => {
            let (out, ext) = target(
                out,
                format!("statement-{department}-{month}.html"),
                &["html", "htm", "md"],
            )?;
            let dept = store
                .departments()?
                .into_iter()
                .find(|d| d.id == department)
                .ok_or_else(|| {
                    found(format!(
                        "no department `{department}`; `appraise dept list` shows them"
                    ))
                })?;
            let sel = Selection {
                department: Some(department.clone()),
                employee: None,
            };
            // Months before any policy governs have no scores to compare with; any other
            // failure is an error, never a silently missing month.
            let scored = |m: Month| match eval.month(m, &sel) {
                Ok(s) => Ok(Some(s)),
                Err(crate::evaluate::Error::NoPolicy(_)) => Ok(None),
                Err(e) => Err(e),
            };
            let scores = eval.month(month, &sel)?;
            let mut year = BTreeMap::new();
            for m in Month::of_year(month.year()).filter(|m| *m < month) {
                if let Some(s) = scored(m)? {
                    year.insert(m, s);
                }
            }
            // The previous month is already scored unless it is December of the year before.
            let previous = match year.get(&month.prev()) {
                Some(s) => s.clone(),
                None => scored(month.prev())?.unwrap_or_default(),
            };
            year.insert(month, scores.clone());
            let s = documents::statement(
                (&dept.id, &dept.name, dept.head.as_deref()),
                month,
                &scores,
                &previous,
                &year,
            );
            let text = if ext == "md" {
                markdown::statement(&s)
            } else {
                html::statement(&s, pass_mark(&rulebook, &department, month))
            };
            write(&out, text.as_bytes())
        }
        Command::Ratings {
            year,
            department,
            through,
            out,
        } => {
            let (out, ext) = target(
                out,
                format!("ratings-{year}.xlsx"),
                &["xlsx", "csv", "html", "htm"],
            )?;
            let months = rated_months(year, through, ctx.today)?;
            let sel = Selection {
                department: department.clone(),
                employee: None,
            };
            let results = eval.year(year, &months, &sel)?;
            let reviews = store.reviews(year)?;
            let mut labels = BTreeMap::new();
            let mut ladder: Vec<String> = Vec::new();
            for r in &results {
                if let Some(p) = rulebook.by_hash(&r.rating.policy.hash) {
                    for g in &p.grades {
                        labels
                            .entry(g.id.clone())
                            .or_insert_with(|| g.label.clone());
                        if !ladder.contains(&g.label) {
                            ladder.push(g.label.clone());
                        }
                    }
                }
            }
            let last = *months.last().expect("rated_months is never empty");
            let sheet = documents::rating_sheet(
                year,
                last,
                department.clone(),
                &results,
                &reviews,
                &labels,
                ladder,
            );
            let bytes = match ext.as_str() {
                "xlsx" => workbook::xlsx_bytes(&sheet)?,
                "csv" => workbook::csv_bytes(&sheet),
                _ => {
                    let mark = results
                        .first()
                        .and_then(|r| rulebook.by_hash(&r.rating.policy.hash))
                        .map(|p| p.scoring.pass_mark.to_f64());
                    html::rating_sheet(&sheet, mark).into_bytes()
                }
            };
            write(&out, &bytes)
        }
        Command::Recommendation {
            employee,
            year,
            out,
        } => {
            let (out, ext) = target(
                out,
                format!("recommendation-{employee}-{year}.html"),
                &["html", "htm", "md"],
            )?;
            let months = rated_months(year, None, ctx.today)?;
            let sel = Selection {
                department: None,
                employee: Some(employee.clone()),
            };
            let Some(result) = eval.year(year, &months, &sel)?.pop() else {
                return Err(found(format!("`{employee}` was not employed in {year}")));
            };
            let staff = store
                .employee(&employee)?
                .ok_or_else(|| found(format!("no employee `{employee}`")))?;
            let review = store
                .reviews(year)?
                .into_iter()
                .find(|r| r.employee == employee);
            let r =
                documents::recommendation(&result, &staff.role, &staff.joined.to_string(), review);
            let text = if ext == "md" {
                markdown::recommendation(&r)
            } else {
                html::recommendation(&r)
            };
            write(&out, text.as_bytes())
        }
    }
}
