//! The activated policy versions, compiled once, and which one governs a department in a
//! month. Scores always come from here, never from the files in `rules/`.

use std::sync::Arc;

use crate::domain::month::Month;
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

/// A policy in the rulebook: an activated version, or a candidate tried in a what-if.
#[derive(Clone)]
struct Entry {
    /// Activation order: the later of two versions in force with the same `effective_from`
    /// governs.
    order: i64,
    policy: Arc<Policy>,
    /// The stored version; `None` for a what-if's candidate, which is never stored.
    stored: Option<Version>,
}

/// Every activated version with its compiled policy.
pub struct Rulebook {
    entries: Vec<Entry>,
}

impl Rulebook {
    /// A department id that no policy can name (ids are `[a-z0-9_-]`): what a `*` policy
    /// governs when asked about "any other department".
    pub const UNNAMED_DEPARTMENT: &'static str = "(any other department)";

    pub fn load(store: &Store) -> Result<Rulebook, Error> {
        let mut entries = Vec::new();
        for v in store.versions()? {
            let policy = Policy::from_bundle(&v.bundle).map_err(|problems| Error::Stored {
                id: v.id,
                policy: v.policy.clone(),
                problems,
            })?;
            entries.push(Entry {
                order: v.id,
                policy: Arc::new(policy),
                stored: Some(v),
            });
        }
        Ok(Rulebook { entries })
    }

    /// A rulebook of policies that are not stored, as if activated in this order: for
    /// scoring files in memory (policy tests, what a head tries before activating).
    pub fn of(policies: Vec<Policy>) -> Rulebook {
        Rulebook {
            entries: policies
                .into_iter()
                .zip(1..)
                .map(|(p, order)| Entry {
                    order,
                    policy: Arc::new(p),
                    stored: None,
                })
                .collect(),
        }
    }

    /// The version with this hash (what a stored result names).
    pub fn by_hash(&self, hash: &str) -> Option<&Arc<Policy>> {
        self.entries
            .iter()
            .find(|e| e.policy.hash() == hash)
            .map(|e| &e.policy)
    }

    /// The stored versions, oldest activation first.
    pub fn versions(&self) -> impl Iterator<Item = (&Version, &Arc<Policy>)> {
        self.entries
            .iter()
            .filter_map(|e| Some((e.stored.as_ref()?, &e.policy)))
    }

    /// Every version, stored or a candidate, oldest first.
    pub fn policies(&self) -> impl Iterator<Item = &Arc<Policy>> {
        self.entries.iter().map(|e| &e.policy)
    }

    /// This rulebook with `candidate` activated last (for what-ifs; nothing is stored).
    pub fn with_candidate(&self, candidate: Policy) -> Rulebook {
        let mut entries = self.entries.clone();
        entries.push(Entry {
            order: entries.iter().map(|e| e.order).max().unwrap_or(0) + 1,
            policy: Arc::new(candidate),
            stored: None,
        });
        Rulebook { entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The policy governing `department` in `month`: among versions in force (effective from
    /// that month or earlier), those naming the department beat `*`; then the latest
    /// `effective_from`; then the latest activation.
    pub fn governing(&self, department: &str, month: Month) -> Option<&Arc<Policy>> {
        let in_force = || {
            self.entries
                .iter()
                .filter(|e| e.policy.effective_from <= month)
        };
        let named: Vec<_> = in_force()
            .filter(|e| e.policy.departments.iter().any(|d| d == department))
            .collect();
        let pool = if named.is_empty() {
            in_force().filter(|e| e.policy.governs_all()).collect()
        } else {
            named
        };
        pool.into_iter()
            .max_by_key(|e| (e.policy.effective_from, e.order))
            .map(|e| &e.policy)
    }

    /// Why nothing governs, for error messages.
    pub fn none_governs(department: &str, month: Month) -> String {
        format!(
            "no activated policy governs department `{department}` in {month}; activate a version for it whose `effective_from` is {month} or earlier"
        )
    }
}
