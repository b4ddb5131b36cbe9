//! Policy files: checking and testing them, activating a version, the activated versions
//! and the months each governs, and the what-ifs of a candidate on the year's real logs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Actor, App, Error, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::domain::month::Month;
use crate::engine::cases::{CaseResult, run_cases, untested};
use crate::evaluation::coverage::{Coverage, Tally};
use crate::evaluation::evaluate::{Evaluation, Selection, rated_months};
use crate::evaluation::rulebook::Rulebook;
use crate::evaluation::trial::{Covered, trial};
use crate::evaluation::whatif::Differ;
use crate::policy::{Policy, PolicyRef, Problems};
use crate::report::{DiffView, VersionRow};

/// Policy files checked: those that loaded, and every problem of those that did not.
#[derive(Debug)]
pub struct Checked {
    pub policies: Vec<Policy>,
    pub problems: Problems,
}

/// The `[[test]]` cases of policy files, run.
#[derive(Debug)]
pub struct Tested {
    pub results: Vec<CaseResult>,
    /// When asked: the rules no case makes fire.
    pub untested: Option<Vec<String>>,
    /// Problems of files that did not load (their cases did not run).
    pub problems: Problems,
}

impl Tested {
    /// Whether every case ran and passed.
    pub fn passed(&self) -> bool {
        self.problems.0.is_empty() && self.results.iter().all(|r| r.passed)
    }
}

/// What activating a version did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activated {
    /// Stored as this version id.
    New(i64),
    /// This exact text was activated before; nothing changed.
    Already,
}

/// A version activated (or found activated already), and what it governs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    pub policy: PolicyRef,
    pub departments: Vec<String>,
    pub effective_from: Month,
    pub outcome: Activated,
}

impl App {
    /// Loads every policy file under `paths` (a folder gives its `*.toml`, sorted).
    pub fn check_policies(paths: &[PathBuf]) -> Result<Checked> {
        let mut policies = Vec::new();
        let mut problems = Vec::new();
        for f in policy_files(paths)? {
            match Policy::load(&f) {
                Ok(p) => policies.push(p),
                Err(p) => problems.extend(p.0),
            }
        }
        Ok(Checked {
            policies,
            problems: Problems(problems),
        })
    }

    /// Runs the `[[test]]` cases of the policy files under `paths`; `coverage` also lists
    /// the rules no case makes fire.
    pub fn test_policies(paths: &[PathBuf], coverage: bool) -> Result<Tested> {
        let checked = App::check_policies(paths)?;
        let runs: Vec<(&Policy, Vec<CaseResult>)> =
            checked.policies.iter().map(|p| (p, run_cases(p))).collect();
        let untested = coverage.then(|| {
            untested(
                &runs
                    .iter()
                    .map(|(p, r)| (*p, r.as_slice()))
                    .collect::<Vec<_>>(),
            )
        });
        Ok(Tested {
            results: runs.into_iter().flat_map(|(_, r)| r).collect(),
            untested,
            problems: checked.problems,
        })
    }

    /// Activates the policy file at `file` (its full text and hash). A version effective
    /// from a closed month is a restatement and needs `restate`, the reason.
    pub fn activate(&self, by: &Actor, file: &Path, restate: Option<&str>) -> Result<Activation> {
        let policy = Policy::load(file).map_err(Error::Policy)?;
        self.activate_policy(by, &policy, restate)
    }

    /// Activates a loaded policy (a file, or a [`candidate`](App::candidate) uploaded).
    pub fn activate_policy(
        &self,
        by: &Actor,
        policy: &Policy,
        restate: Option<&str>,
    ) -> Result<Activation> {
        self.authorize(by, Action::ActivatePolicy, &Target::Company)?;
        let restate = restate.map(str::trim);
        if restate == Some("") {
            return Err(Invalid::RestatementReason.into());
        }
        let mut store = self.store()?;
        self.refuse_missing_fields(&store, policy)?;
        let rulebook = Rulebook::load(&store)?;
        refuse_name_clash(&rulebook, policy)?;
        self.refuse_failing(&store, &rulebook, policy, None)?;
        let outcome = match store.activate(policy, restate, &self.stamp(by))? {
            Some(id) => Activated::New(id),
            None => Activated::Already,
        };
        Ok(Activation {
            policy: policy.reference.clone(),
            departments: policy.departments.clone(),
            effective_from: policy.effective_from,
            outcome,
        })
    }

    /// Refuses a version that fails on the logged events it would govern, up to today:
    /// before it is activated, and before a what-if compares it.
    fn refuse_failing(
        &self,
        store: &crate::store::Store,
        rulebook: &Rulebook,
        policy: &Policy,
        covered: Option<Covered>,
    ) -> Result<()> {
        let failures = trial(store, rulebook, policy, self.today, covered)?;
        if failures.is_empty() {
            return Ok(());
        }
        Err(Invalid::TrialFailed {
            policy: policy.id.clone(),
            version: policy.version.clone(),
            failures,
        }
        .into())
    }

    /// Refuses a version whose declared staff attributes (`[staff_fields]`) some employee
    /// it would govern lacks, or has in another type: better now than at month close.
    fn refuse_missing_fields(&self, store: &crate::store::Store, policy: &Policy) -> Result<()> {
        if policy.staff_fields.is_empty() {
            return Ok(());
        }
        let month = policy.effective_from.max(Month::of(self.today));
        let rulebook = Rulebook::load(store)?.with_candidate(policy.clone());
        let mut problems = Vec::new();
        for record in store.staff_records()? {
            if !record.employed_in(month) {
                continue;
            }
            let e = record.at(month);
            let governed = rulebook
                .governing(&e.department, month)
                .is_some_and(|p| p.hash() == policy.hash());
            if !governed {
                continue;
            }
            problems.extend(super::staff::lacking(policy, e, None));
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(Invalid::MissingAttributes {
            policy: policy.id.clone(),
            version: policy.version.clone(),
            month,
            missing: problems,
        }
        .into())
    }

    /// The activated versions, oldest first, with the months each governs up to today.
    pub fn versions(&self, by: &Actor) -> Result<Vec<VersionRow>> {
        self.check_report(by, by.department())?;
        let (store, rulebook) = self.store_and_rules()?;
        let frozen: BTreeMap<Month, Vec<String>> = store
            .snapshot_hashes()?
            .into_iter()
            .filter_map(|(m, h)| Some((m.parse().ok()?, h)))
            .collect();
        let departments: Vec<String> = store.departments()?.into_iter().map(|d| d.id).collect();
        let now = Month::of(self.today);
        Ok(rulebook
            .versions()
            .map(|(v, p)| VersionRow {
                governs: governed_months(&rulebook, p, &departments, &frozen, now),
                version: v.clone(),
            })
            .collect())
    }

    /// What-if: the year's real logs under `candidate` activated last, against the
    /// activated versions, per employee whose result changes. Nothing is stored.
    pub fn what_if(
        &self,
        by: &Actor,
        candidate: &Path,
        year: i32,
        through: Option<Month>,
        department: Option<String>,
    ) -> Result<DiffView> {
        let candidate = Policy::load(candidate).map_err(Error::Policy)?;
        self.what_if_of(by, candidate, year, through, department)
    }

    /// A candidate policy given as text (uploaded): it may extend the files of the activated
    /// versions, which are read as activated. A file name with folders keeps only its
    /// last part, so that `extends` resolves among the stored files.
    pub fn candidate(&self, name: &str, text: &str) -> Result<Policy> {
        if text.len() as u64 > Policy::MAX_FILE_BYTES {
            return Err(Invalid::PolicyTooLarge {
                name: name.to_string(),
                kib: Policy::MAX_FILE_BYTES / 1024,
            }
            .into());
        }
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .ok_or_else(|| Invalid::NotAPolicyFile(name.to_string()))?;
        let (store, _) = self.store_and_rules()?;
        let mut versions = store.versions()?;
        versions.reverse();
        let stored: Vec<_> = versions.iter().map(|v| &v.bundle).collect();
        Policy::from_upload(&name, text, &stored).map_err(Error::Policy)
    }

    /// The what-if of a compiled candidate, of a department (HR: of the company, without
    /// one) as `by` may ask it: a head for their own department.
    pub fn what_if_of(
        &self,
        by: &Actor,
        candidate: Policy,
        year: i32,
        through: Option<Month>,
        department: Option<String>,
    ) -> Result<DiffView> {
        self.check_report(by, department.as_deref())?;
        let (store, rulebook) = self.store_and_rules()?;
        let months = rated_months(year, through, self.today)?;
        // The what-if scores the candidate over its own months and selection: the trial
        // covers the rest first, and all of it only if the what-if fails.
        let covered = Covered {
            year,
            months: &months,
            department: department.as_deref(),
        };
        self.refuse_failing(&store, &rulebook, &candidate, Some(covered))?;
        let sel = Selection {
            department,
            employee: None,
            ..Default::default()
        };
        let what_if = rulebook.with_candidate(candidate.clone());
        let mut differ = Differ::default();
        let compared = Evaluation {
            store: &store,
            rulebook: &rulebook,
            snapshots: false,
        }
        .year_pairs(&what_if, year, &months, &sel, |before, after| {
            differ.add(&before, &after);
            Ok(())
        });
        if let Err(crate::evaluation::evaluate::Error::Eval(_)) = &compared {
            // Reported as an activation would report it: every failure the trial finds.
            self.refuse_failing(&store, &rulebook, &candidate, None)?;
        }
        compared?;
        Ok(DiffView {
            year,
            through: *months.last().expect("rated_months is never empty"),
            candidate: candidate.reference.clone(),
            effective_from: candidate.effective_from,
            diff: differ.finish(),
        })
    }

    /// How the activated rules fire on the year's real logs; with a `candidate` policy
    /// file, how its rules would (the months it would govern re-evaluated under it).
    pub fn rule_coverage(
        &self,
        by: &Actor,
        candidate: Option<&Path>,
        year: i32,
        department: Option<String>,
    ) -> Result<Coverage> {
        self.check_report(by, department.as_deref())?;
        let candidate = candidate
            .map(|file| Policy::load(file).map_err(Error::Policy))
            .transpose()?;
        let (store, activated) = self.store_and_rules()?;
        // A candidate's months are scored under it, closed ones too; the official
        // coverage reads closed months from their snapshots.
        let snapshots = candidate.is_none();
        let rulebook = match candidate {
            Some(c) => std::sync::Arc::new(activated.with_candidate(c)),
            None => activated,
        };
        let months = rated_months(year, None, self.today)?;
        let sel = Selection {
            department,
            employee: None,
            ..Default::default()
        };
        let policies = rulebook
            .policies()
            .map(|p| (p.hash().to_string(), p.as_ref()))
            .collect();
        let mut tally = Tally::new(&policies);
        Evaluation {
            store: &store,
            rulebook: &rulebook,
            snapshots,
        }
        .year_each(year, &months, &sel, &|_, _| {}, |r| {
            tally.add(&r);
            Ok(())
        })?;
        Ok(tally.finish())
    }
}

/// Refuses a version in which a name people write for a kind (an alias, a rule's name, a
/// kind id) means another kind than under an activated policy of another id: a supervisor
/// writing 漏打卡 must record the same kind in every department.
fn refuse_name_clash(rulebook: &Rulebook, policy: &Policy) -> Result<()> {
    let mut clashes = Vec::new();
    let names = policy
        .kind_names
        .iter()
        .map(|(n, k)| (n.as_str(), k.as_str()))
        .chain(policy.kinds.keys().map(|k| (k.as_str(), k.as_str())));
    for (name, kind) in names {
        for other in rulebook
            .versions()
            .map(|(_, p)| p)
            .filter(|p| p.id != policy.id)
        {
            if let Some(other_kind) = other.kind_named(name)
                && other_kind != kind
            {
                let clash = super::problem::NameClash {
                    name: name.to_string(),
                    kind: kind.to_string(),
                    other_policy: other.id.clone(),
                    other_kind: other_kind.to_string(),
                };
                if !clashes.contains(&clash) {
                    clashes.push(clash);
                }
            }
        }
    }
    if clashes.is_empty() {
        return Ok(());
    }
    Err(Invalid::NameClash {
        policy: policy.id.clone(),
        clashes,
    }
    .into())
}

/// The policy files named by `paths` (folders give their `*.toml`, sorted; none: `rules/`).
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let defaults = [PathBuf::from("rules")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|source| Error::Io {
                path: p.clone(),
                source,
            })?;
            let mut in_dir: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            in_dir.sort();
            files.extend(in_dir);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(Invalid::NoPolicyPath(p.to_path_buf()).into());
        }
    }
    Ok(files)
}

/// The months from `policy`'s `effective_from` to `now` that it governs for at least one
/// department, as ranges like `2025-01..2025-12`. A closed month is governed by the
/// versions its snapshot was computed under (`frozen`: month → hashes). A `*` policy is
/// probed with the departments on file and, for departments yet to come, with an id no
/// policy names.
fn governed_months(
    rulebook: &Rulebook,
    policy: &Arc<Policy>,
    departments: &[String],
    frozen: &BTreeMap<Month, Vec<String>>,
    now: Month,
) -> String {
    let probes: Vec<&str> = if policy.governs_all() {
        departments
            .iter()
            .map(String::as_str)
            .chain([Rulebook::UNNAMED_DEPARTMENT])
            .collect()
    } else {
        policy.departments.iter().map(String::as_str).collect()
    };
    let mut ranges: Vec<(Month, Month)> = Vec::new();
    let mut m = policy.effective_from;
    while m <= now {
        let governs = match frozen.get(&m) {
            Some(hashes) => hashes.iter().any(|h| h == policy.hash()),
            None => probes.iter().any(|d| {
                rulebook
                    .governing(d, m)
                    .is_some_and(|g| Arc::ptr_eq(g, policy))
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
