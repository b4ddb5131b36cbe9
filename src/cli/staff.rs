//! `appraise staff …`: employees.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, actor_or_login, found};
use crate::intake::{STAFF_COLUMNS, read_staff};
use crate::report::StaffView;

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

fn parse_attr(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))
}

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    let mut store = ctx.store()?;
    match cmd {
        Command::Import { file, by } => import(ctx, &file, &actor_or_login(by)),
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
            let mut header = STAFF_COLUMNS.to_vec();
            let mut row = vec![
                id,
                name,
                department,
                role,
                joined,
                left.unwrap_or_default(),
                supervisor.unwrap_or_default(),
            ];
            for (k, v) in &attrs {
                header.push(k);
                row.push(v.clone());
            }
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&header)?;
            w.write_record(&row)?;
            let text = String::from_utf8(w.into_inner()?)?;
            let known = known_ids(&store)?;
            let staff = read_staff("entry", &text, &known).map_err(|r| found(r.to_string()))?;
            store.put_staff(&staff, "entry", &ctx.stamp(&actor_or_login(by)))?;
            println!("employee `{}` saved", staff[0].id);
            Ok(())
        }
        Command::List { department } => {
            let staff = store
                .staff()?
                .into_iter()
                .filter(|e| department.as_ref().is_none_or(|d| &e.department == d))
                .collect();
            ctx.print(&StaffView { staff })
        }
    }
}

fn known_ids(store: &crate::store::Store) -> anyhow::Result<BTreeSet<String>> {
    Ok(store.staff()?.into_iter().map(|e| e.id).collect())
}

/// Imports a staff file, all or nothing.
pub fn import(ctx: &Ctx, file: &PathBuf, by: &str) -> anyhow::Result<()> {
    let mut store = ctx.store()?;
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", file.display()))?;
    let known = known_ids(&store)?;
    let staff = read_staff(&file.display().to_string(), &text, &known).map_err(|r| {
        found(format!(
            "{r}\nnothing was imported; fix the rows above and import the file again"
        ))
    })?;
    let updated = staff.iter().filter(|e| known.contains(&e.id)).count();
    store.put_staff(&staff, &file.display().to_string(), &ctx.stamp(by))?;
    println!(
        "imported {} employees from {} ({} new, {updated} updated)",
        staff.len(),
        file.display(),
        staff.len() - updated
    );
    Ok(())
}
