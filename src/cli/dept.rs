//! `appraise dept …`: departments.

use clap::Subcommand;

use super::{Ctx, actor_or_login, found};
use crate::engine::{DepartmentYear, rate_department};
use crate::event::is_identifier;
use crate::month::Month;
use crate::points::Points;
use crate::report::{DepartmentRatingsView, DepartmentsView};
use crate::rulebook::Rulebook;
use crate::store::Store;

fn known_department(store: &Store, id: &str) -> anyhow::Result<()> {
    if store.departments()?.iter().any(|d| d.id == id) {
        Ok(())
    } else {
        Err(found(format!(
            "no department `{id}`; `appraise dept list` shows them, `appraise dept add` creates one"
        )))
    }
}

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
        /// Who records it [env: APPRAISE_USER; default: the login name].
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
        /// Who records it [env: APPRAISE_USER; default: the login name].
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
        Command::Target {
            department,
            year,
            name,
            met,
            missed: _,
            by,
        } => {
            known_department(&store, &department)?;
            if name.trim().is_empty() {
                return Err(found("a target needs a `--name`"));
            }
            store.put_target(
                &department,
                year,
                name.trim(),
                met,
                &ctx.stamp(&actor_or_login(by)),
            )?;
            println!(
                "target `{}` of `{department}` for {year}: {}",
                name.trim(),
                if met { "met" } else { "missed" }
            );
            Ok(())
        }
        Command::Budget {
            department,
            year,
            budget,
            spent,
            by,
        } => {
            known_department(&store, &department)?;
            let money = |what: &str, x: f64| {
                Points::from_f64(x)
                    .filter(|p| !p.is_negative())
                    .ok_or_else(|| {
                        found(format!(
                            "`--{what} {x}` must be an amount of yuan, not negative"
                        ))
                    })
            };
            let (b, s) = (money("budget", budget)?, money("spent", spent)?);
            store.put_budget(
                &department,
                year,
                b.hundredths(),
                s.hundredths(),
                &ctx.stamp(&actor_or_login(by)),
            )?;
            println!("budget of `{department}` for {year}: {b}, spent {s}");
            Ok(())
        }
        Command::Rate { year, department } => {
            let rulebook = Rulebook::load(&store)?;
            let month = Month::new(year, 12)
                .expect("December exists")
                .min(Month::of(ctx.today));
            let mut ratings = Vec::new();
            for d in store
                .departments()?
                .into_iter()
                .filter(|d| department.as_ref().is_none_or(|x| &d.id == x))
            {
                let policy = rulebook
                    .governing(&d.id, month)
                    .ok_or_else(|| anyhow::anyhow!(Rulebook::none_governs(&d.id, month)))?;
                let input = DepartmentYear {
                    targets: store
                        .targets(&d.id, year)?
                        .into_iter()
                        .map(|t| (t.name, t.met))
                        .collect(),
                    budget: None,
                    spent: None,
                    id: d.id.clone(),
                    name: d.name.clone(),
                    year,
                    head: d.head.clone(),
                };
                let input = match store.budget(&d.id, year)? {
                    Some((b, s)) => DepartmentYear {
                        budget: Some(Points::from_hundredths(b)),
                        spent: Some(Points::from_hundredths(s)),
                        ..input
                    },
                    None => input,
                };
                ratings.push(rate_department(policy, &input)?);
            }
            ctx.print(&DepartmentRatingsView {
                year,
                departments: ratings,
            })
        }
        Command::List => ctx.print(&DepartmentsView {
            departments: store.departments()?,
        }),
    }
}
