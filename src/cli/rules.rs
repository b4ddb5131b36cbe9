//! `appraise rules …`: check, test, activate and list policy versions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, actor, found};
use crate::coverage::coverage;
use crate::engine::PolicyRef;
use crate::evaluate::{Evaluation, Selection, rated_months};
use crate::month::Month;
use crate::policy::Policy;
use crate::report::{CasesView, CoverageView, DiffView, VersionRow, VersionsView};
use crate::rulebook::Rulebook;
use crate::verify::{CaseResult, run_cases, untested};
use crate::whatif::{YearSummary, diff};

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
    /// How the rules fire on the year's real logs.
    Coverage {
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

pub fn run(ctx: &Ctx, cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Check { paths } => {
            let (policies, problems) = load_all(&paths)?;
            for p in &policies {
                println!(
                    "ok {}: policy `{}` version {} from {}, {} event rules over {} kinds, {} month rules, {} year rules, {} grades, {} tests",
                    p.bundle.root(),
                    p.id,
                    p.version,
                    p.effective_from,
                    p.rules.len(),
                    p.kinds.len(),
                    p.monthly.len(),
                    p.annual.len(),
                    p.grades.len(),
                    p.tests.len()
                );
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(found(problems.join("\n")))
            }
        }
        Command::Test { paths, coverage } => {
            let (policies, problems) = load_all(&paths)?;
            let runs: Vec<(&Policy, Vec<CaseResult>)> =
                policies.iter().map(|p| (p, run_cases(p))).collect();
            let untested = coverage.then(|| {
                untested(
                    &runs
                        .iter()
                        .map(|(p, r)| (*p, r.as_slice()))
                        .collect::<Vec<_>>(),
                )
            });
            let results: Vec<CaseResult> = runs.into_iter().flat_map(|(_, r)| r).collect();
            let failed = results.iter().any(|r| !r.passed);
            ctx.print(&CasesView { results, untested })?;
            if !problems.is_empty() {
                return Err(found(problems.join("\n")));
            }
            if failed {
                Err(found("some policy tests failed"))
            } else {
                Ok(())
            }
        }
        Command::Activate {
            file,
            by,
            restate: _,
            reason,
        } => {
            let by = actor(by)?;
            let policy = Policy::load(&file).map_err(|p| found(p.to_string()))?;
            activate(ctx, &policy, reason.as_deref(), &by)
        }
        Command::List => {
            let (store, rulebook) = ctx.store_and_rules()?;
            let frozen: BTreeMap<Month, Vec<String>> = store
                .snapshot_hashes()?
                .into_iter()
                .filter_map(|(m, h)| Some((m.parse().ok()?, h)))
                .collect();
            let versions = rulebook
                .versions()
                .map(|(v, p)| VersionRow {
                    governs: governed_months(&rulebook, p, &v.hash, &frozen, Month::of(ctx.today)),
                    version: v.clone(),
                })
                .collect();
            ctx.print(&VersionsView { versions })
        }
        Command::Diff {
            candidate,
            year,
            through,
            department,
        } => {
            let candidate = Policy::load(&candidate).map_err(|p| found(p.to_string()))?;
            let (store, rulebook) = ctx.store_and_rules()?;
            let months = rated_months(year, through, ctx.today)?;
            let sel = Selection {
                department,
                employee: None,
            };
            let what_if = rulebook.with_candidate(candidate.clone());
            // Each side keeps a summary per employee, not the whole ledger.
            let summaries = |rulebook: &Rulebook| -> anyhow::Result<Vec<YearSummary>> {
                let mut out = Vec::new();
                let eval = Evaluation {
                    store: &store,
                    rulebook,
                    snapshots: false,
                };
                eval.year_each(year, &months, &sel, &|_, _| {}, |r| {
                    out.push(YearSummary::from(r));
                    Ok(())
                })?;
                Ok(out)
            };
            let before = summaries(&rulebook)?;
            let after = summaries(&what_if)?;
            ctx.print(&DiffView {
                year,
                through: *months.last().expect("rated_months is never empty"),
                candidate: PolicyRef::of(&candidate),
                effective_from: candidate.effective_from,
                diff: diff(&before, &after),
            })
        }
        Command::Coverage { year, department } => {
            let (store, rulebook) = ctx.store_and_rules()?;
            let months = rated_months(year, None, ctx.today)?;
            let sel = Selection {
                department,
                employee: None,
            };
            let results = Evaluation::official(&store, &rulebook).year(year, &months, &sel)?;
            let policies = rulebook
                .versions()
                .map(|(v, p)| (v.hash.clone(), p.as_ref()))
                .collect();
            ctx.print(&CoverageView {
                year,
                coverage: coverage(&results, &policies),
            })
        }
    }
}

/// Activates a loaded policy and says what happened.
pub fn activate(ctx: &Ctx, policy: &Policy, restate: Option<&str>, by: &str) -> anyhow::Result<()> {
    let mut store = ctx.store()?;
    let activated = store
        .activate(policy, restate, &ctx.stamp(by))
        .map_err(|e| match e {
            crate::store::Error::Closed(m) => found(m),
            other => other.into(),
        })?;
    match activated {
        Some(id) => println!(
            "activated `{}` version {} as #{id} (hash {}), governing {} from {}",
            policy.id,
            policy.version,
            &policy.hash()[..12],
            policy.departments.join(", "),
            policy.effective_from
        ),
        None => println!(
            "`{}` version {} with this exact text is already activated; nothing changed",
            policy.id, policy.version
        ),
    }
    Ok(())
}

/// The policy files named by `paths` (directories give their `*.toml`, sorted).
fn policy_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let defaults = [PathBuf::from("rules")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            in_dir.sort();
            files.extend(in_dir);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            anyhow::bail!("no policy file or folder `{}`", p.display());
        }
    }
    Ok(files)
}

/// Loads every file; returns the policies that loaded and the problems of those that did not.
fn load_all(paths: &[PathBuf]) -> anyhow::Result<(Vec<Policy>, Vec<String>)> {
    let mut policies = Vec::new();
    let mut problems = Vec::new();
    for f in policy_files(paths)? {
        match Policy::load(Path::new(&f)) {
            Ok(p) => policies.push(p),
            Err(p) => problems.push(p.to_string()),
        }
    }
    Ok((policies, problems))
}

/// The months from `policy`'s `effective_from` to `now` that it governs (for at least one of
/// its departments), as ranges like `2025-01..2025-12`. A closed month is governed by the
/// versions its snapshot was computed under (`frozen`: month → hashes).
fn governed_months(
    rulebook: &Rulebook,
    policy: &std::sync::Arc<Policy>,
    hash: &str,
    frozen: &BTreeMap<Month, Vec<String>>,
    now: Month,
) -> String {
    // A department no policy names stands for "every other department" of a `*` policy.
    let probes: Vec<&str> = if policy.governs_all() {
        vec!["\u{0}any-other"]
    } else {
        policy.departments.iter().map(String::as_str).collect()
    };
    let mut ranges: Vec<(Month, Month)> = Vec::new();
    let mut m = policy.effective_from;
    while m <= now {
        let governs = match frozen.get(&m) {
            Some(hashes) => hashes.iter().any(|h| h == hash),
            None => probes.iter().any(|d| {
                rulebook
                    .governing(d, m)
                    .is_some_and(|g| std::sync::Arc::ptr_eq(g, policy))
            }),
        };
        if governs {
            match ranges.last_mut() {
                Some((_, end)) if end.next() == m => *end = m,
                _ => ranges.push((m, m)),
            }
        }
        m = m.next();
    }
    if ranges.is_empty() {
        return if policy.effective_from > now {
            format!("from {}", policy.effective_from)
        } else {
            "none (superseded)".into()
        };
    }
    ranges
        .iter()
        .map(|(a, b)| {
            if *b == now {
                format!("{a}..")
            } else if a == b {
                a.to_string()
            } else {
                format!("{a}..{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
