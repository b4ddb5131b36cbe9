//! Activated policy versions: the full text and hash of every version ever activated.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Error, Result, Row, Stamp, Store, append_audited};
use crate::policy::{Bundle, Policy};

/// An activated policy version as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Version {
    pub id: i64,
    pub policy: String,
    pub name: String,
    pub version: String,
    pub effective_from: String,
    pub departments: Vec<String>,
    pub hash: String,
    pub activated_by: String,
    pub activated_at: String,
    /// Why a version restating closed months was activated.
    pub restated: Option<String>,
    #[serde(skip)]
    pub bundle: Bundle,
}

impl Store {
    /// Records a policy version. Returns `None` when this exact text is activated already.
    /// A version effective from a closed month restates it and needs a reason (`restate`);
    /// the closed months keep their snapshots until they are reopened.
    pub fn activate(
        &mut self,
        policy: &Policy,
        restate: Option<&str>,
        stamp: &Stamp,
    ) -> Result<Option<i64>> {
        let hash = policy.hash();
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT count(*) > 0 FROM policy_versions WHERE hash = ?1",
            [&hash],
            |r| r.get(0),
        )?;
        if exists {
            return Ok(None);
        }
        let from = policy.effective_from.to_string();
        if restate.is_none() {
            let closed: Option<String> = tx
                .query_row(
                    &format!(
                        "SELECT group_concat(month, ', ') FROM (SELECT month FROM ({}) WHERE month >= ?1 ORDER BY month)",
                        super::months::CLOSED_MONTHS
                    ),
                    [&from],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            if let Some(months) = closed {
                return Err(Error::RestatesClosed {
                    policy: policy.id.clone(),
                    version: policy.version.clone(),
                    from,
                    closed: months,
                });
            }
        }
        let row = Row {
            table: "policy_versions",
            sql: "INSERT INTO policy_versions (policy_id, name, version, effective_from, departments, bundle, hash, activated_by, activated_at, restated)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params: params![
                policy.id,
                policy.name,
                policy.version,
                from,
                serde_json::to_string(&policy.departments).unwrap_or_default(),
                serde_json::to_string(&policy.bundle).unwrap_or_default(),
                hash,
                stamp.by,
                stamp.at,
                restate,
            ],
            key: None,
        };
        let id = append_audited(&tx, row, stamp, "rules.activate", |id| {
            let mut detail = format!("#{id} effective from {from}, hash {}", &hash[..12]);
            if let Some(r) = restate {
                detail += &format!(", restating closed months: {r}");
            }
            (format!("{} {}", policy.id, policy.version), detail)
        })?;
        tx.commit()?;
        Ok(Some(id))
    }

    /// Every activated version, oldest activation first.
    /// How many versions are activated and the newest's id: versions are only ever
    /// added, so this names the set, and a rulebook compiled for it stays good until it
    /// changes.
    pub fn versions_key(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT count(*), coalesce(max(id), 0) FROM policy_versions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    pub fn versions(&self) -> Result<Vec<Version>> {
        let mut st = self.conn.prepare(
            "SELECT id, policy_id, name, version, effective_from, departments, bundle, hash,
                    activated_by, activated_at, restated
             FROM policy_versions ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                Version {
                    id: r.get(0)?,
                    policy: r.get(1)?,
                    name: r.get(2)?,
                    version: r.get(3)?,
                    effective_from: r.get(4)?,
                    departments: Vec::new(),
                    hash: r.get(7)?,
                    activated_by: r.get(8)?,
                    activated_at: r.get(9)?,
                    restated: r.get(10)?,
                    bundle: Bundle { files: Vec::new() },
                },
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|r| {
            let (mut v, departments, bundle) = r?;
            v.departments = serde_json::from_str(&departments)
                .map_err(|e| Error::Corrupt(format!("version {} departments: {e}", v.id)))?;
            v.bundle = serde_json::from_str(&bundle)
                .map_err(|e| Error::Corrupt(format!("version {} bundle: {e}", v.id)))?;
            Ok(v)
        })
        .collect()
    }
}
