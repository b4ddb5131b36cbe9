//! `appraise user …`: the people who act, each a login with a role.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::report::UsersView;
use appraise::user::{Role, User};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a login (or change one): `appraise user add zhang --name 张主管 --role supervisor --employee E002`.
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// hr, head, supervisor or employee.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The employee this login is (who signs review steps as a supervisor or head).
        #[arg(long)]
        employee: Option<String>,
        /// The department a head or supervisor works for.
        #[arg(long)]
        department: Option<String>,
        /// Who registers it: an HR login [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every registered login.
    List,
}

fn parse_role(s: &str) -> std::result::Result<Role, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::Add {
            login,
            name,
            role,
            employee,
            department,
            by,
        } => {
            let user = User {
                login,
                name,
                role,
                employee,
                department,
            };
            let saved = ctx.app.add_user(&ctx.actor(by)?, user)?;
            ctx.say(format_args!(
                "login `{}` ({}) saved as {}",
                saved.login, saved.name, saved.role
            ))
        }
        Command::List => ctx.print(&UsersView {
            users: ctx.app.users()?,
        }),
    }
}
