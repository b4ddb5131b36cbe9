//! `appraise log …`: the daily log. Entries are validated like import rows; nothing is ever
//! edited or deleted, a mistake is voided.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, actor, found};
use crate::intake::{EventRow, EventValidator, read_events};
use crate::month::Month;
use crate::report::EventsView;
use crate::rulebook::Rulebook;
use crate::store::{EventFilter, Prepared, Status, Store};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record one event: `appraise log add E001 late --date 2026-03-04 --minutes 40`.
    Add {
        employee: String,
        kind: String,
        /// YYYY-MM-DD (required)
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        qty: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// Who records it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
        /// The kind's fields, as `--FIELD VALUE` (or `--FIELD=VALUE`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "--FIELD VALUE")]
        fields: Vec<String>,
    },
    /// Import `events.csv` (employee,date,kind,qty,note,recorded_by,FIELD…). All or nothing.
    Import {
        file: PathBuf,
        /// Validate and report only; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who recorded rows whose `recorded_by` is empty [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Events, voided ones marked.
    List {
        #[arg(long)]
        employee: Option<String>,
        /// YYYY-MM
        #[arg(long)]
        month: Option<Month>,
        #[arg(long)]
        kind: Option<String>,
        /// Only live, voided or excused events.
        #[arg(long, value_enum)]
        status: Option<Status>,
    },
    /// Excuse an event (an approved appeal): it stays, scores nothing, and is explained.
    Excuse {
        id: i64,
        #[arg(long)]
        reason: String,
        /// Who approved the appeal [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Void an event (an entry mistake): it stays in the log and stops counting.
    Void {
        id: i64,
        #[arg(long)]
        reason: String,
        /// Who voids it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Add {
            employee,
            kind,
            date,
            qty,
            note,
            by,
            fields,
        } => {
            let (mut fields, mut options) = field_flags(&fields)?;
            let mut option = |name: &str, given: Option<String>| options.remove(name).or(given);
            let (date, qty, note, by) = (
                option("date", date),
                option("qty", qty),
                option("note", note),
                option("by", by),
            );
            let by = actor(by)?;
            let Some(date) = date else {
                return Err(found("`--date YYYY-MM-DD` is required"));
            };
            let (mut store, rulebook) = ctx.store_and_rules()?;
            let row = EventRow {
                employee,
                date,
                kind,
                qty: qty.unwrap_or_default(),
                note: note.unwrap_or_default(),
                recorded_by: by.clone(),
                fields: std::mem::take(&mut fields),
            };
            let v = validator(ctx, &store, &rulebook, None)?;
            let event = v.check(&row).map_err(|p| {
                found(format!(
                    "entry: {}\nnothing was stored",
                    p.join("\nentry: ")
                ))
            })?;
            let out = store
                .append(&[event], None, &ctx.stamp(&by))
                .map_err(refused)?;
            for id in &out.stored {
                println!("recorded event {id}");
            }
            Ok(())
        }
        Command::Import { file, dry_run, by } => import(ctx, &file, dry_run, by),
        Command::List {
            employee,
            month,
            kind,
            status,
        } => {
            let store = ctx.store()?;
            let events = store.events(&EventFilter {
                employee,
                month,
                kind,
                status,
                ..EventFilter::default()
            })?;
            ctx.print(&EventsView { events })
        }
        Command::Void { id, reason, by } => {
            mark(ctx, id, &reason, by, Mark::Void)?;
            println!("voided event {id}; it stays in the log and no longer counts");
            Ok(())
        }
        Command::Excuse { id, reason, by } => {
            mark(ctx, id, &reason, by, Mark::Excuse)?;
            println!(
                "excused event {id}; it stays in the log, scores nothing, and explain shows why"
            );
            Ok(())
        }
    }
}

fn validator<'a>(
    ctx: &Ctx,
    store: &Store,
    rulebook: &'a Rulebook,
    default_by: Option<String>,
) -> anyhow::Result<EventValidator<'a>> {
    Ok(EventValidator {
        staff: store
            .staff()?
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect(),
        rulebook,
        today: ctx.today,
        default_by,
        closed: store
            .closed_months()?
            .into_iter()
            .filter_map(|c| Some((c.month.parse().ok()?, format!("by {} at {}", c.by, c.at))))
            .collect(),
    })
}

/// A void (an entry mistake) or an excuse (an approved appeal).
enum Mark {
    Void,
    Excuse,
}

fn mark(ctx: &Ctx, id: i64, reason: &str, by: Option<String>, how: Mark) -> anyhow::Result<()> {
    let by = actor(by)?;
    if reason.trim().is_empty() {
        return Err(found("a `--reason` is required"));
    }
    let mut store = ctx.store()?;
    let stamp = ctx.stamp(&by);
    match how {
        Mark::Void => store.void(id, reason.trim(), &stamp),
        Mark::Excuse => store.excuse(id, reason.trim(), &stamp),
    }
    .map_err(refused)
}

/// Store refusals the user can act on exit with 1; the rest are errors.
fn refused(e: crate::store::Error) -> anyhow::Error {
    use crate::store::Error::{Already, Closed, NoEvent};
    match e {
        NoEvent(_) | Already { .. } | Closed(_) => found(e.to_string()),
        other => other.into(),
    }
}

/// Options of `log add` that may also come after the fields (clap hands everything after the
/// first field to us).
const ADD_OPTIONS: [&str; 4] = ["date", "qty", "note", "by"];

/// Reads `--FIELD VALUE` / `--FIELD=VALUE` pairs into (fields, options of `log add`).
type Flags = BTreeMap<String, String>;

fn field_flags(args: &[String]) -> anyhow::Result<(Flags, Flags)> {
    let mut fields = BTreeMap::new();
    let mut options = BTreeMap::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(name) = a.strip_prefix("--") else {
            return Err(found(format!(
                "unexpected `{a}`; give fields as `--FIELD VALUE`, e.g. `--minutes 40`"
            )));
        };
        let (name, value) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => {
                let v = it
                    .next()
                    .ok_or_else(|| found(format!("`--{name}` needs a value")))?;
                (name.to_string(), v.clone())
            }
        };
        let into = if ADD_OPTIONS.contains(&name.as_str()) {
            &mut options
        } else {
            &mut fields
        };
        if into.insert(name.clone(), value).is_some() {
            return Err(found(format!("`--{name}` is given twice")));
        }
    }
    Ok((fields, options))
}

/// Imports an events file, all or nothing.
pub fn import(ctx: &Ctx, file: &PathBuf, dry_run: bool, by: Option<String>) -> anyhow::Result<()> {
    let (mut store, rulebook) = ctx.store_and_rules()?;
    let input = std::fs::File::open(file)
        .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", file.display()))?;
    let input = std::io::BufReader::with_capacity(1 << 20, input);
    let name = file.display().to_string();
    let v = validator(ctx, &store, &rulebook, by.clone())?;
    let stamp = ctx.stamp(by.as_deref().unwrap_or("import"));
    // Rows go into one open transaction as they are read; a bad row anywhere rolls it back.
    let mut app = if dry_run {
        None
    } else {
        Some(store.appender(Some(&name), &stamp).map_err(refused)?)
    };
    let (read, stored) = pipeline(&name, input, &v, |row| match &mut app {
        Some(a) => a.push(row),
        None => Ok(()),
    });
    stored.map_err(refused)?;
    let rows = match read {
        Ok(rows) => rows,
        Err(r) => {
            drop(app);
            let bad: std::collections::BTreeSet<&str> = r.0.iter().map(|p| p.at.as_str()).collect();
            return Err(found(format!(
                "{r}\n{} bad row(s); nothing was imported",
                bad.len()
            )));
        }
    };
    let Some(app) = app else {
        println!("{name}: {rows} rows are valid; nothing stored (dry run)");
        return Ok(());
    };
    let out = app.commit(rows).map_err(refused)?;
    match (out.stored.len(), out.already) {
        (0, 0) => println!("{name}: no rows"),
        (0, n) => println!("{name}: all {n} rows are already in the log; nothing new stored"),
        (s, 0) => println!(
            "{name}: stored {s} events (ids {}–{})",
            out.stored[0],
            out.stored[s - 1]
        ),
        (s, n) => println!(
            "{name}: stored {s} new events (ids {}–{}); {n} rows were already in the log",
            out.stored[0],
            out.stored[s - 1]
        ),
    }
    Ok(())
}

/// The consumer of an import stopped (its error is reported instead).
struct Stopped;

/// Reads, validates and prepares the rows on one thread while `store` stores them on this
/// one, a batch at a time: an import uses two cores. Returns what reading found and the
/// first error of `store`, which stops the reading.
fn pipeline(
    name: &str,
    input: impl std::io::Read + Send,
    v: &EventValidator,
    mut store: impl FnMut(&Prepared) -> Result<(), crate::store::Error>,
) -> (
    Result<usize, crate::intake::Rejected>,
    Result<(), crate::store::Error>,
) {
    const BATCH: usize = 4096;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Prepared>>(4);
    std::thread::scope(|threads| {
        let reader = threads.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            let read = read_events(name, input, v, |e| {
                batch.push(Prepared::new(e));
                if batch.len() == BATCH {
                    tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .map_err(|_| Stopped)?;
                }
                Ok(())
            });
            if !batch.is_empty() {
                // A stopped consumer has its own error to report.
                let _ = tx.send(batch);
            }
            read
        });
        let stored = rx
            .iter()
            .try_for_each(|batch| batch.iter().try_for_each(&mut store));
        // Dropping the receiver stops a reader still going after a store error.
        drop(rx);
        let read = reader.join().expect("the import's reading thread panicked");
        match read {
            Ok(read) => (read, stored),
            Err(Stopped) => (Ok(0), stored),
        }
    })
}
