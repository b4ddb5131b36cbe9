//! `appraise dept …`: departments.

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::Actor;
use appraise::report::{DepartmentRatingsView, DepartmentsView};

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
        /// Who makes the change [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every department.
    List,
    /// Record a yearly target as met or missed (recording it again replaces it).
    Target {
        department: String,
        #[arg(long)]
        year: i32,
        /// What the target is, e.g. 投诉回访率100%
        #[arg(long)]
        name: String,
        #[arg(long, conflicts_with = "missed", required_unless_present = "missed")]
        met: bool,
        #[arg(long)]
        missed: bool,
        /// Who records it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Record the year's budget and actual spending (in yuan).
    Budget {
        department: String,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        budget: f64,
        #[arg(long)]
        spent: f64,
        /// Who records it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// The departments' year: targets missed, the head's bonus cut, the department bonus.
    Rate {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        department: Option<String>,
    },
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    let app = &ctx.app;
    match cmd {
        Command::Add { id, name, head, by } => {
            app.save_department(&ctx.actor(by)?, &id, name.as_deref(), head.as_deref())?;
            ctx.tell(
                format_args!("部门 `{id}` 已保存"),
                format_args!("department `{id}` saved"),
            )
        }
        Command::Target {
            department,
            year,
            name,
            met,
            missed: _,
            by,
        } => {
            app.record_target(&ctx.actor(by)?, &department, year, &name, met)?;
            let name = name.trim();
            ctx.tell(
                format_args!(
                    "`{department}` {year} 年目标“{name}”：{}",
                    if met { "已完成" } else { "未完成" }
                ),
                format_args!(
                    "target `{name}` of `{department}` for {year}: {}",
                    if met { "met" } else { "missed" }
                ),
            )
        }
        Command::Budget {
            department,
            year,
            budget,
            spent,
            by,
        } => {
            let (b, s) = app.record_budget(&ctx.actor(by)?, &department, year, budget, spent)?;
            ctx.tell(
                format_args!("`{department}` {year} 年预算 {b}，实际支出 {s}"),
                format_args!("budget of `{department}` for {year}: {b}, spent {s}"),
            )
        }
        Command::Rate { year, department } => ctx.print(&DepartmentRatingsView {
            year,
            departments: app.rate_departments(&Actor::owner(), year, department.as_deref())?,
        }),
        Command::List => ctx.print(&DepartmentsView {
            departments: app.departments()?,
        }),
    }
}
