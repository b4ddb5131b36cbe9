//! `appraise rules …`: check, test, activate and list policy versions.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Ctx, actor, found};
use crate::policy::Policy;
use crate::report::{CasesView, VersionsView};
use crate::verify::run_cases;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate policy files (default: rules/); exit 1 with every problem.
    Check { paths: Vec<PathBuf> },
    /// Run the policies' [[test]] cases (default: rules/); exit 1 on any failure.
    Test { paths: Vec<PathBuf> },
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
        Command::Test { paths } => {
            let (policies, problems) = load_all(&paths)?;
            let results = policies.iter().flat_map(run_cases).collect::<Vec<_>>();
            let failed = results.iter().any(|r| !r.passed);
            ctx.print(&CasesView { results })?;
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
            let store = ctx.store()?;
            ctx.print(&VersionsView {
                versions: store.versions()?,
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
