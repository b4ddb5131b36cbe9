//! `appraise dept …`: departments.

use clap::Subcommand;

use super::{Ctx, actor_or_login, found};
use crate::event::is_identifier;
use crate::report::DepartmentsView;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a department, or set its name and head.
    Add {
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// The employee id of the department head.
        #[arg(long)]
        head: Option<String>,
        /// Who makes the change [env: APPRAISE_USER; default: the login name].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every department.
    List,
}

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    let mut store = ctx.store()?;
    match cmd {
        Command::Add { id, name, head, by } => {
            if !is_identifier(&id) {
                return Err(found(format!(
                    "department id `{id}` may only use a-z, 0-9, `_` and `-`, e.g. customer-service"
                )));
            }
            if let Some(h) = &head
                && store.employee(h)?.is_none()
            {
                return Err(found(format!(
                    "no employee `{h}` to head `{id}`; import staff first"
                )));
            }
            store.put_department(
                &id,
                name.as_deref(),
                head.as_deref(),
                &ctx.stamp(&actor_or_login(by)),
            )?;
            println!("department `{id}` saved");
            Ok(())
        }
        Command::List => ctx.print(&DepartmentsView {
            departments: store.departments()?,
        }),
    }
}
