//! `appraise staff …`: employees.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Result, actor_or_login};
use appraise::app::{StaffImported, StaffInput};
use appraise::report::StaffView;
use appraise::text::count;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import `staff.csv` (id,name,department,role,joined,left,supervisor,…); rows whose id
    /// exists update that employee. All or nothing.
    Import {
        file: PathBuf,
        /// Who imports it [env: APPRAISE_USER; default: the login name].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
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
        /// Who makes the change [env: APPRAISE_USER; default: the login name].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every employee.
    List {
        #[arg(long)]
        department: Option<String>,
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
        Command::Import { file, by } => {
            report_import(ctx, &ctx.app.import_staff(&actor_or_login(by), &file)?)
        }
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
            let saved = ctx.app.save_employee(&actor_or_login(by), input)?;
            ctx.say(format_args!("employee `{}` saved", saved.id))
        }
        Command::List { department } => ctx.print(&StaffView {
            staff: ctx.app.staff(department.as_deref())?,
        }),
    }
}

/// What a staff import did, in a line.
pub fn report_import(ctx: &Ctx, done: &StaffImported) -> Result {
    ctx.say(format_args!(
        "imported {} from {} ({} new, {} updated)",
        count(done.added + done.updated, "employee", "employees"),
        done.file,
        done.added,
        done.updated
    ))
}
