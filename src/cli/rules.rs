//! `appraise rules …`: check, test, activate and list policy versions; what-ifs.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Result, refused};
use appraise::app::{Activated, Activation, Actor, App};
use appraise::domain::month::Month;
use appraise::report::{CasesView, CoverageView, VersionsView};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate policy files (default: rules/); exit 1 with every problem.
    Check { paths: Vec<PathBuf> },
    /// Run the policies' [[test]] cases (default: rules/); exit 1 on any failure.
    Test {
        paths: Vec<PathBuf>,
        /// Also list the rules that no test makes fire.
        #[arg(long)]
        coverage: bool,
    },
    /// What-if: the year's real logs under CANDIDATE vs the activated policies. Stores nothing.
    Diff {
        candidate: PathBuf,
        #[arg(long)]
        year: i32,
        /// Compare the months up to this one (YYYY-MM) only.
        #[arg(long)]
        through: Option<Month>,
        #[arg(long)]
        department: Option<String>,
    },
    /// How the rules fire on the year's real logs: the activated policies', or CANDIDATE's.
    Coverage {
        /// A policy file to measure instead of the activated version it would replace.
        candidate: Option<PathBuf>,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        department: Option<String>,
    },
    /// Record a policy version (its full text and hash) in the database.
    Activate {
        file: PathBuf,
        /// Who activates it [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
        /// Activate even though the version is effective from a closed month.
        #[arg(long, requires = "reason")]
        restate: bool,
        /// Why closed months are restated (with --restate).
        #[arg(long, requires = "restate")]
        reason: Option<String>,
    },
    /// The activated versions.
    List,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::Check { paths } => {
            let checked = App::check_policies(&paths)?;
            for p in &checked.policies {
                let (root, id, version, from) =
                    (p.bundle.root(), &p.id, &p.version, p.effective_from);
                let (rules, kinds, monthly, annual, grades, tests) = (
                    p.rules.len(),
                    p.kinds.len(),
                    p.monthly.len(),
                    p.annual.len(),
                    p.grades.len(),
                    p.tests.len(),
                );
                ctx.tell(
                    format_args!(
                        "通过 {root}：制度 `{id}` 版本 {version}，自 {from} 起；事件规则 {rules} 条（覆盖 {kinds} 种事件），月度规则 {monthly} 条，年度规则 {annual} 条，等级 {grades} 个，测试 {tests} 个"
                    ),
                    format_args!(
                        "ok {root}: policy `{id}` version {version} from {from}, {rules} event rules over {kinds} kinds, {monthly} month rules, {annual} year rules, {grades} grades, {tests} tests"
                    ),
                )?;
            }
            if checked.problems.0.is_empty() {
                Ok(())
            } else {
                Err(appraise::app::Error::Policy(checked.problems).into())
            }
        }
        Command::Test { paths, coverage } => {
            let tested = App::test_policies(&paths, coverage)?;
            let passed = tested.passed();
            ctx.print(&CasesView {
                results: tested.results,
                untested: tested.untested,
            })?;
            if !tested.problems.0.is_empty() {
                return Err(appraise::app::Error::Policy(tested.problems).into());
            }
            if !passed {
                return Err(refused("部分制度测试未通过", "some policy tests failed"));
            }
            Ok(())
        }
        Command::Activate {
            file,
            by,
            restate: _,
            reason,
        } => {
            let done = ctx
                .app
                .activate(&ctx.actor(by)?, &file, reason.as_deref())?;
            report_activation(ctx, &done)
        }
        Command::List => ctx.print(&VersionsView {
            versions: ctx.app.versions(&Actor::owner())?,
        }),
        Command::Diff {
            candidate,
            year,
            through,
            department,
        } => ctx.print(
            &ctx.app
                .what_if(&Actor::owner(), &candidate, year, through, department)?,
        ),
        Command::Coverage {
            candidate,
            year,
            department,
        } => ctx.print(&CoverageView {
            year,
            coverage: ctx.app.rule_coverage(
                &Actor::owner(),
                candidate.as_deref(),
                year,
                department,
            )?,
        }),
    }
}

/// What an activation did, in a line.
pub fn report_activation(ctx: &Ctx, a: &Activation) -> Result {
    let p = &a.policy;
    let (policy, version, hash) = (&p.id, &p.version, &p.hash[..12]);
    let (departments, from) = (a.departments.join(", "), a.effective_from);
    match a.outcome {
        Activated::New(id) => ctx.tell(
            format_args!(
                "已启用 `{policy}` 版本 {version}，编号 #{id}（哈希 {hash}），自 {from} 起适用于 {}",
                if departments == "*" { "全公司" } else { &departments }
            ),
            format_args!(
                "activated `{policy}` version {version} as #{id} (hash {hash}), governing {departments} from {from}"
            ),
        ),
        Activated::Already => ctx.tell(
            format_args!("`{policy}` 版本 {version} 的同一文本已启用；没有改动"),
            format_args!(
                "`{policy}` version {version} with this exact text is already activated; nothing changed"
            ),
        ),
    }
}
