//! `appraise log …`: the daily log. Entries are validated like import rows; nothing is ever
//! edited or deleted, a mistake is voided.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use super::{Ctx, Result, read_as, refused};
use appraise::app::{Actor, Entry, Imported, Recorded};
use appraise::domain::month::Month;
use appraise::domain::text::count;
use appraise::report::EventsView;
use appraise::store::{EventFilter, Status};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Record one event: `appraise log add E001 late --date 2026-03-04 --minutes 40`.
    Add {
        employee: String,
        kind: String,
        /// YYYY-MM-DD [default: today]
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        qty: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// Who records it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
        /// Record it even though the same event is in the log: it happened twice.
        #[arg(long)]
        again: bool,
        /// A photo of what happened (JPEG, PNG, WebP or HEIC; repeatable, at most 5).
        #[arg(long = "photo", value_name = "FILE")]
        photos: Vec<PathBuf>,
        /// The kind's fields, as `--FIELD VALUE` (or `--FIELD=VALUE`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0.., value_name = "--FIELD VALUE")]
        fields: Vec<String>,
    },
    /// Write an Excel sheet to fill in for a department's month: the team and the policy's
    /// kinds as drop-down lists, the kinds' fields as columns; `log import` reads it back.
    Template {
        #[arg(long)]
        department: String,
        /// YYYY-MM
        #[arg(long)]
        month: Month,
        /// The workbook to write (`.xlsx`).
        #[arg(long)]
        out: PathBuf,
        /// Who will fill it in: the sheet lists the people they may enter events for
        /// [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Import `events.csv` or a filled-in `.xlsx` (employee,date,kind,qty,note,recorded_by,
    /// FIELD…, or the Chinese headers 工号,日期,类型,数量,备注,录入人). All or nothing.
    Import {
        file: PathBuf,
        /// Validate and report only; store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Who recorded rows whose `recorded_by` is empty [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// The photos attached to an event (and to its appeal), by their SHA-256; `--save DIR`
    /// writes each to DIR/HASH.EXT.
    Evidence {
        id: i64,
        #[arg(long)]
        save: Option<PathBuf>,
        /// Who looks [env: APPRAISE_USER].
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
        status: Option<StatusArg>,
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

/// `--status`: which events to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Neither voided nor excused.
    Live,
    Voided,
    Excused,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Status {
        match s {
            StatusArg::Live => Status::Live,
            StatusArg::Voided => Status::Voided,
            StatusArg::Excused => Status::Excused,
        }
    }
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    let app = &ctx.app;
    match cmd {
        Command::Add {
            employee,
            kind,
            date,
            qty,
            note,
            by,
            again,
            photos,
            fields,
        } => {
            let (fields, mut options, more) = field_flags(&fields)?;
            let photos = photos
                .iter()
                .chain(&more)
                .map(|p| super::read_photo(p))
                .collect::<Result<Vec<_>>>()?;
            let mut option = |name: &str, given: Option<String>| options.remove(name).or(given);
            let (date, qty, note, by) = (
                option("date", date),
                option("qty", qty),
                option("note", note),
                option("by", by),
            );
            let again = again || options.contains_key("again");
            let by = ctx.actor(by)?;
            let entry = Entry {
                employee,
                kind,
                date: date.unwrap_or_default(),
                qty: qty.unwrap_or_default(),
                note: note.unwrap_or_default(),
                fields,
            };
            match app.add_event_with_photos(&by, entry, again, photos)? {
                Recorded::Event(id) => ctx.tell(
                    format_args!("已记录事件 {id}"),
                    format_args!("recorded event {id}"),
                ),
                Recorded::Handover(done) => ctx.report_attendance(&done),
            }
        }
        Command::Template {
            department,
            month,
            out,
            by,
        } => {
            let sheet = app.entry_sheet(&ctx.actor(by)?, &department, month)?;
            let bytes = appraise::report::template::entry_template(&sheet).map_err(|e| {
                refused(
                    format!("无法生成工作簿：{e}"),
                    format!("cannot write the workbook: {e}"),
                )
            })?;
            std::fs::write(&out, bytes).map_err(|e| {
                let out = out.display();
                refused(
                    format!("无法写入 `{out}`：{e}"),
                    format!("cannot write `{out}`: {e}"),
                )
            })?;
            let (out, department, month) = (out.display(), &sheet.department_name, sheet.month);
            ctx.tell(
                format_args!(
                    "已写入 {out}：{department} {month} 的 {} 名员工，可选 {} 种事件",
                    sheet.employees.len(),
                    sheet.kinds.len()
                ),
                format_args!(
                    "wrote {out}: {} of {department} for {month}, {} to choose from",
                    count(sheet.employees.len(), "employee", "employees"),
                    count(sheet.kinds.len(), "kind", "kinds")
                ),
            )
        }
        Command::Import { file, dry_run, by } => {
            // Rows without `recorded_by` are recorded as by the importer.
            let done = app.import_events(&ctx.actor(by)?, &file, dry_run)?;
            ctx.say(imported(&done, ctx.english))
        }
        Command::List {
            employee,
            month,
            kind,
            status,
        } => ctx.print(&EventsView {
            events: app.events(
                &Actor::owner(),
                &EventFilter {
                    employee,
                    month,
                    kind,
                    status: status.map(Status::from),
                    ..EventFilter::default()
                },
            )?,
        }),
        Command::Evidence { id, save, by } => {
            let by = ctx.actor(by)?;
            let photos = app.event_evidence(&by, id)?;
            if let Some(dir) = save {
                for p in &photos {
                    let (mime, bytes) = app.photo(&by, &p.sha256)?;
                    let ext = mime
                        .rsplit('/')
                        .next()
                        .unwrap_or("img")
                        .replace("jpeg", "jpg");
                    let to = dir.join(format!("{}.{ext}", p.sha256));
                    std::fs::write(&to, bytes).map_err(|source| appraise::app::Error::Io {
                        path: to.clone(),
                        source,
                    })?;
                }
            }
            ctx.print(&appraise::report::EvidenceView { event: id, photos })
        }
        Command::Void { id, reason, by } => {
            app.void_event(&ctx.actor(by)?, id, &reason)?;
            ctx.tell(
                format_args!("已作废事件 {id}：它仍留在日志中，不再计分"),
                format_args!("voided event {id}; it stays in the log and no longer counts"),
            )
        }
        Command::Excuse { id, reason, by } => {
            app.excuse_event(&ctx.actor(by)?, id, &reason)?;
            ctx.tell(
                format_args!("已免除事件 {id}：它仍留在日志中，不计分，explain 会说明原因"),
                format_args!(
                    "excused event {id}; it stays in the log, scores nothing, and explain shows why"
                ),
            )
        }
    }
}

/// What an import did, in a line: in English with `en`, else in Chinese.
pub fn imported(done: &Imported, en: bool) -> String {
    let say = |english: String, chinese: String| if en { english } else { chinese };
    match done {
        Imported::Valid {
            file,
            rows,
            encoding,
        } => {
            let file = read_as(file, *encoding, en);
            say(
                format!(
                    "{file}: {} valid; nothing stored (dry run)",
                    count(*rows, "row is", "rows are")
                ),
                format!("{file}：{rows} 行全部有效；试运行，未保存任何内容"),
            )
        }
        Imported::Stored {
            file,
            ids,
            already,
            encoding,
        } => {
            let file = read_as(file, *encoding, en);
            let stored = ids.len();
            match (ids.first(), ids.last(), already) {
                (None, _, 0) => say(format!("{file}: no rows"), format!("{file}：没有数据行")),
                (None, _, n) => say(
                    format!(
                        "{file}: all {} already in the log; nothing new stored",
                        count(*n, "row is", "rows are")
                    ),
                    format!("{file}：{n} 行全部已在日志中；没有新内容保存"),
                ),
                (Some(a), Some(b), 0) => say(
                    format!(
                        "{file}: stored {} (ids {a}–{b})",
                        count(stored, "event", "events")
                    ),
                    format!("{file}：已保存 {stored} 条事件（编号 {a}–{b}）"),
                ),
                (Some(a), Some(b), n) => say(
                    format!(
                        "{file}: stored {} new (ids {a}–{b}); {} already in the log",
                        count(stored, "event", "events"),
                        count(*n, "row was", "rows were")
                    ),
                    format!("{file}：已保存 {stored} 条新事件（编号 {a}–{b}）；{n} 行已在日志中"),
                ),
                _ => unreachable!("a first id has a last id"),
            }
        }
    }
}

/// Options of `log add` that may also come after the fields (clap hands everything after the
/// first field to us).
const ADD_OPTIONS: [&str; 5] = ["date", "qty", "note", "by", "again"];

/// Reads `--FIELD VALUE` / `--FIELD=VALUE` pairs into (fields, options of `log add`).
type Flags = BTreeMap<String, String>;

fn field_flags(args: &[String]) -> Result<(Flags, Flags, Vec<PathBuf>)> {
    let mut fields = BTreeMap::new();
    let mut options = BTreeMap::new();
    let mut photos = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(name) = a.strip_prefix("--") else {
            return Err(refused(
                format!("无法识别 `{a}`；字段请写成 `--字段 值`，例如 `--minutes 40`"),
                format!("unexpected `{a}`; give fields as `--FIELD VALUE`, e.g. `--minutes 40`"),
            ));
        };
        let (name, value) = match name.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            // The one switch of `log add`, which takes no value.
            None if name == "again" => (name.to_string(), String::new()),
            None => {
                let v = it.next().ok_or_else(|| {
                    refused(
                        format!("`--{name}` 缺少值"),
                        format!("`--{name}` needs a value"),
                    )
                })?;
                (name.to_string(), v.clone())
            }
        };
        if name == "photo" {
            photos.push(PathBuf::from(value));
            continue;
        }
        let into = if ADD_OPTIONS.contains(&name.as_str()) {
            &mut options
        } else {
            &mut fields
        };
        if into.insert(name.clone(), value).is_some() {
            return Err(refused(
                format!("`--{name}` 给了两次"),
                format!("`--{name}` is given twice"),
            ));
        }
    }
    Ok((fields, options, photos))
}
