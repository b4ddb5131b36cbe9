//! `appraise staff …`: employees.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Result, read_as};
use appraise::app::{Actor, StaffChange, StaffImported, StaffInput};
use appraise::domain::month::Month;
use appraise::domain::text::count;
use appraise::intake::Encoding;
use appraise::report::{StaffHistoryView, StaffView};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import `staff.csv` (id,name,department,role,joined,left,supervisor,…); rows whose id
    /// exists update that employee. All or nothing.
    Import {
        file: PathBuf,
        /// The month (YYYY-MM) from which rows change existing employees; needed to move
        /// someone with logged events to another department, role or supervisor.
        #[arg(long)]
        effective: Option<Month>,
        /// Who imports it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Transfer an employee from a month on: `appraise staff move E003 --department security --from 2025-04`.
    Move {
        id: String,
        #[arg(long)]
        department: String,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        supervisor: Option<String>,
        /// The first month (YYYY-MM) of the new record; earlier months keep theirs.
        #[arg(long)]
        from: Month,
        /// Who makes the change [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Change parts of an employee's record from a month on; nothing unnamed changes.
    Set {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        role: Option<String>,
        /// The new supervisor's id (`none` removes the supervisor).
        #[arg(long)]
        supervisor: Option<String>,
        /// An attribute, KEY=VALUE (repeatable).
        #[arg(long = "attr", value_parser = parse_attr)]
        attrs: Vec<(String, String)>,
        /// The first month (YYYY-MM) of the new record; earlier months keep theirs.
        #[arg(long)]
        from: Month,
        /// Who makes the change [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every change of an employee's record, and the record from each month on.
    History { id: String },
    /// Add or update one employee.
    Add {
        id: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        department: String,
        /// e.g. staff, manager, department_head
        #[arg(long, default_value = "staff")]
        role: String,
        /// YYYY-MM-DD
        #[arg(long)]
        joined: String,
        #[arg(long)]
        left: Option<String>,
        #[arg(long)]
        supervisor: Option<String>,
        /// An extra attribute, KEY=VALUE (repeatable).
        #[arg(long = "attr", value_parser = parse_attr)]
        attrs: Vec<(String, String)>,
        /// Who makes the change [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every employee, as their records stand this month (or in `--at`).
    List {
        #[arg(long)]
        department: Option<String>,
        /// The month (YYYY-MM) whose records to show; only those employed then.
        #[arg(long)]
        at: Option<Month>,
    },
}

fn parse_attr(s: &str) -> std::result::Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::Import {
            file,
            effective,
            by,
        } => report_import(
            ctx,
            &ctx.app.import_staff(&ctx.actor(by)?, &file, effective)?,
        ),
        Command::Move {
            id,
            department,
            role,
            supervisor,
            from,
            by,
        } => {
            let change = StaffChange {
                department: Some(department),
                role,
                supervisor: supervisor.map(|s| none_is_empty(&s)),
                ..StaffChange::default()
            };
            let record = ctx
                .app
                .change_employee(&ctx.actor(by)?, &id, change, from)?;
            let e = record.at(from);
            let (department, role) = (&e.department, &e.role);
            ctx.tell(
                format_args!(
                    "`{id}` 自 {from} 起在{}任{}；此前各月保持原记录",
                    ctx.app.labels().unwrap_or_default().department(department),
                    appraise::domain::labels::staff_role(role)
                ),
                format_args!(
                    "`{id}` is in `{department}` as {role} from {from}; earlier months keep their record"
                ),
            )
        }
        Command::Set {
            id,
            name,
            role,
            supervisor,
            attrs,
            from,
            by,
        } => {
            let change = StaffChange {
                name,
                role,
                supervisor: supervisor.map(|s| none_is_empty(&s)),
                attrs: attrs.into_iter().collect(),
                ..StaffChange::default()
            };
            ctx.app
                .change_employee(&ctx.actor(by)?, &id, change, from)?;
            ctx.tell(
                format_args!("`{id}` 自 {from} 起的资料已修改；此前各月保持原记录"),
                format_args!("`{id}` changed from {from}; earlier months keep their record"),
            )
        }
        Command::History { id } => ctx.print(&StaffHistoryView {
            record: ctx.app.record(&Actor::owner(), &id)?,
        }),
        Command::Add {
            id,
            name,
            department,
            role,
            joined,
            left,
            supervisor,
            attrs,
            by,
        } => {
            let input = StaffInput {
                id,
                name,
                department,
                role,
                joined,
                left,
                supervisor,
                attrs: attrs.into_iter().collect(),
            };
            let saved = ctx.app.save_employee(&ctx.actor(by)?, input)?;
            let id = &saved.id;
            ctx.tell(
                format_args!("员工 `{id}` 已保存"),
                format_args!("employee `{id}` saved"),
            )
        }
        Command::List { department, at } => ctx.print(&StaffView {
            staff: ctx.app.staff(&Actor::owner(), department.as_deref(), at)?,
        }),
    }
}

/// What a staff import did, in a line.
pub fn report_import(ctx: &Ctx, done: &StaffImported) -> Result {
    let (added, updated) = (done.added, done.updated);
    ctx.tell(
        format_args!(
            "已从 {} 导入 {} 名员工（新增 {added}，更新 {updated}）",
            read_as(&done.file, done.encoding, false),
            added + updated
        ),
        format_args!(
            "imported {} from {} ({added} new, {updated} updated{})",
            count(added + updated, "employee", "employees"),
            done.file,
            match done.encoding {
                Encoding::Utf8 => String::new(),
                other => format!("; read as {}", other.name()),
            }
        ),
    )
}

/// A supervisor given as `none` (or empty) removes the supervisor.
fn none_is_empty(s: &str) -> Option<String> {
    match s.trim() {
        "" | "none" => None,
        s => Some(s.to_string()),
    }
}
