//! `appraise user …`: the people who act, each a login with a role.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::domain::user::{Role, User};
use appraise::report::UsersView;

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
    /// Disable a login: its password is cleared and its sessions end, until HR sets a new
    /// password (`appraise user passwd`).
    Disable {
        login: String,
        /// Who disables it: an HR login [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Set a login's password, read from standard input (never from the command line,
    /// where it would stay in the shell's history): `echo … | appraise user passwd zhang --password-stdin`.
    Passwd {
        login: String,
        /// Read the password from standard input (the only way).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Who sets it: HR, or the login itself [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
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
            let (login, name, role) = (&saved.login, &saved.name, saved.role);
            ctx.tell(
                format_args!("登录账号 `{login}`（{name}）已保存，角色：{}", role.label()),
                format_args!("login `{login}` ({name}) saved as {role}"),
            )
        }
        Command::List => {
            let owner = Actor::owner();
            let enabled = ctx.app.enabled_logins(&owner)?;
            let users = ctx.app.users(&owner)?;
            let disabled = users
                .iter()
                .filter(|u| !enabled.contains(&u.login))
                .map(|u| u.login.clone())
                .collect();
            ctx.print(&UsersView { users, disabled })
        }
        Command::Disable { login, by } => {
            ctx.app.disable_login(&ctx.actor(by)?, &login)?;
            ctx.tell(
                format_args!("登录账号 `{login}` 已停用，其会话均已结束"),
                format_args!("login `{login}` disabled: its sessions ended"),
            )
        }
        Command::Passwd { login, by, .. } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            ctx.app.set_password(&ctx.actor(by)?, &login, password)?;
            ctx.tell(
                format_args!("`{login}` 的密码已设置"),
                format_args!("password of `{login}` set"),
            )
        }
    }
}
