//! The activated policy versions, compiled once, and which one governs a department in a
//! month. Scores always come from here, never from the files in `rules/`.

use std::sync::Arc;

use crate::month::Month;
use crate::policy::{Policy, Problems};
use crate::store::{self, Store, Version};

/// Why the activated versions could not be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error("activated version {id} of policy `{policy}` no longer loads:\n{problems}")]
    Stored {
        id: i64,
        policy: String,
        problems: Problems,
    },
}

/// Every activated version with its compiled policy.
pub struct Rulebook {
    versions: Vec<(Version, Arc<Policy>)>,
}

impl Rulebook {
    pub fn load(store: &Store) -> Result<Rulebook, Error> {
        let mut versions = Vec::new();
        for v in store.versions()? {
            let policy = Policy::from_bundle(&v.bundle).map_err(|problems| Error::Stored {
                id: v.id,
                policy: v.policy.clone(),
                problems,
            })?;
            versions.push((v, Arc::new(policy)));
        }
        Ok(Rulebook { versions })
    }

    /// A rulebook of the given policies, as if activated in this order (for what-ifs and tests).
    pub fn of(policies: Vec<Policy>) -> Rulebook {
        let versions = policies
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let v = Version {
                    id: i as i64 + 1,
                    policy: p.id.clone(),
                    name: p.name.clone(),
                    version: p.version.clone(),
                    effective_from: p.effective_from.to_string(),
                    departments: p.departments.clone(),
                    hash: p.hash(),
                    activated_by: String::new(),
                    activated_at: String::new(),
                    restated: None,
                    bundle: p.bundle.clone(),
                };
                (v, Arc::new(p))
            })
            .collect();
        Rulebook { versions }
    }

    /// The version with this hash (what a stored result names).
    pub fn by_hash(&self, hash: &str) -> Option<&Arc<Policy>> {
        self.versions
            .iter()
            .find(|(v, _)| v.hash == hash)
            .map(|(_, p)| p)
    }

    /// The stored versions, oldest activation first.
    pub fn versions(&self) -> impl Iterator<Item = (&Version, &Arc<Policy>)> {
        self.versions.iter().map(|(v, p)| (v, p))
    }

    /// This rulebook with `candidate` activated last (for what-ifs; nothing is stored).
    pub fn with_candidate(&self, candidate: Policy) -> Rulebook {
        let mut versions = self.versions.clone();
        let mut extra = Rulebook::of(vec![candidate]).versions;
        extra[0].0.id = versions.iter().map(|(v, _)| v.id).max().unwrap_or(0) + 1;
        versions.append(&mut extra);
        Rulebook { versions }
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The policy governing `department` in `month`: among versions in force (effective from
    /// that month or earlier), those naming the department beat `*`; then the latest
    /// `effective_from`; then the latest activation.
    pub fn governing(&self, department: &str, month: Month) -> Option<&Arc<Policy>> {
        let in_force = || {
            self.versions
                .iter()
                .filter(|(_, p)| p.effective_from <= month)
        };
        let named: Vec<_> = in_force()
            .filter(|(_, p)| p.departments.iter().any(|d| d == department))
            .collect();
        let pool = if named.is_empty() {
            in_force().filter(|(_, p)| p.governs_all()).collect()
        } else {
            named
        };
        pool.into_iter()
            .max_by_key(|(v, p)| (p.effective_from, v.id))
            .map(|(_, p)| p)
    }

    /// Why nothing governs, for error messages.
    pub fn none_governs(department: &str, month: Month) -> String {
        format!(
            "no activated policy governs department `{department}` in {month}; activate one with `appraise rules activate FILE` (its `effective_from` must be {month} or earlier)"
        )
    }
}
