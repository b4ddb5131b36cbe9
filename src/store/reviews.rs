//! Annual reviews and their signatures, append-only.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::{Error, Notice, Result, Row, Stamp, Store, append_audited, audit, audit_unsealed};
use crate::engine::Rating;
use crate::engine::review::{Review, Signature, Signers, Standing};

/// One review to start: the proposal, the chain of steps and who signs them.
pub struct ReviewStart<'a> {
    pub proposal: &'a Rating,
    pub role: &'a str,
    pub steps: &'a [String],
    pub signers: &'a Signers,
}

impl Store {
    /// Starts the reviews of `year`, all in one transaction: a year's start is seen whole
    /// or not at all (a kill part-way leaves none started). A review already started is
    /// kept as it is. How many were started.
    pub fn start_reviews(
        &mut self,
        year: i32,
        starts: &[ReviewStart],
        open_months: &[String],
        stamp: &Stamp,
        notices: &[Notice],
    ) -> Result<usize> {
        let tx = self.write()?;
        // Going on despite open months is a decision, recorded with what it started (and
        // sealed in the same transaction, so that a kill leaves both or neither).
        if !open_months.is_empty() {
            audit(
                &tx,
                stamp,
                "review.start.open_months",
                &year.to_string(),
                &format!("started with open months: {}", open_months.join(", ")),
            )?;
        }
        // The reviews and their audit entries are sealed after the loop, a block per table:
        // within this transaction each table's new rows are the ids from its first to its last.
        let (mut reviews, mut audited) = (Vec::new(), Vec::new());
        for s in starts {
            let proposal = s.proposal;
            let inserted = tx.prepare_cached(
                "INSERT INTO reviews (year, employee, role, proposal, policy_hash, steps, started_by, started_at, supervisor, head)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (year, employee) DO NOTHING",
            )?
            .execute(params![
                    year,
                    proposal.employee,
                    s.role,
                    serde_json::to_string(proposal).unwrap_or_default(),
                    proposal.policy.hash,
                    serde_json::to_string(s.steps).unwrap_or_default(),
                    stamp.by,
                    stamp.at,
                    s.signers.supervisor,
                    s.signers.head
                ],
            )?;
            if inserted == 0 {
                continue;
            }
            reviews.push(tx.last_insert_rowid());
            audited.push(audit_unsealed(
                &tx,
                stamp,
                "review.start",
                &format!("{} {year}", proposal.employee),
                &format!(
                    "proposal `{}`, steps {}",
                    proposal.grade,
                    s.steps.join(" → ")
                ),
            )?);
        }
        for (table, ids) in [("reviews", &reviews), ("audit", &audited)] {
            if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
                super::chain::seal(&tx, table, *first, *last)?;
            }
        }
        super::seals::seal_rows(&tx, "reviews", &reviews)?;
        super::outbox::put(&tx, notices)?;
        tx.commit()?;
        Ok(reviews.len())
    }

    /// The reviews of `year`, by employee id.
    pub fn reviews(&self, year: i32) -> Result<Vec<Review>> {
        let mut st = self.conn.prepare(
            "SELECT id, employee, role, proposal, steps, started_by, started_at, supervisor, head
             FROM reviews WHERE year = ?1 ORDER BY employee",
        )?;
        let rows = st.query_map([year], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                Signers {
                    supervisor: r.get(7)?,
                    head: r.get(8)?,
                },
            ))
        })?;
        let mut sig = self.conn.prepare(
            "SELECT step, grade, signer, comment, at FROM review_signatures WHERE review_id = ?1 ORDER BY step_index",
        )?;
        rows.map(|r| {
            let (id, employee, role, proposal, steps, started_by, started_at, signers) = r?;
            let corrupt =
                |e: serde_json::Error| Error::Corrupt(format!("review of {employee} {year}: {e}"));
            let proposal: Rating = serde_json::from_str(&proposal).map_err(corrupt)?;
            let signatures = sig
                .query_map([id], |s| {
                    Ok(Signature {
                        step: s.get(0)?,
                        grade: s.get(1)?,
                        signer: s.get(2)?,
                        comment: s.get(3)?,
                        at: s.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let steps = serde_json::from_str(&steps).map_err(corrupt)?;
            Ok(Review {
                year,
                name: proposal.name.clone(),
                department: proposal.department.clone(),
                employee,
                role,
                proposal,
                steps,
                signatures,
                started_by,
                started_at,
                signers,
            })
        })
        .collect()
    }

    /// Where each of the year's reviews stands, by employee id: read without the proposals
    /// themselves (their policy is a column, the grade read by SQLite for the rare review
    /// of no steps), so that every rating and every page (what waits on whom) can afford it.
    pub fn review_standings(&self, year: i32) -> Result<Vec<Standing>> {
        let mut signed: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        let mut st = self.conn.prepare(
            "SELECT s.review_id, s.grade FROM review_signatures s JOIN reviews r ON r.id = s.review_id
              WHERE r.year = ?1 ORDER BY s.review_id, s.step_index",
        )?;
        let mut rows = st.query([year])?;
        while let Some(r) = rows.next()? {
            signed.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        let mut st = self.conn.prepare(
            "SELECT id, employee, policy_hash, steps, supervisor, head,
                    CASE WHEN json_array_length(steps) = 0 THEN json_extract(proposal, '$.grade') END
               FROM reviews WHERE year = ?1 ORDER BY employee",
        )?;
        let mut rows = st.query([year])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, employee): (i64, String) = (r.get(0)?, r.get(1)?);
            let steps: String = r.get(3)?;
            let steps = serde_json::from_str(&steps)
                .map_err(|e| Error::Corrupt(format!("review of {employee} {year}: {e}")))?;
            out.push(Standing {
                policy_hash: r.get(2)?,
                proposed: r.get(6)?,
                steps,
                signed: signed.remove(&id).unwrap_or_default(),
                signers: Signers {
                    supervisor: r.get(4)?,
                    head: r.get(5)?,
                },
                employee,
            });
        }
        Ok(out)
    }

    /// Records the signature of step `index` (checked by the caller against the chain rules;
    /// the database refuses a second signature of the same step).
    pub fn sign_review(
        &mut self,
        year: i32,
        employee: &str,
        index: usize,
        signature: &Signature,
        stamp: &Stamp,
        notices: &[Notice],
    ) -> Result<()> {
        let tx = self.write()?;
        let id: Option<i64> = tx
            .query_row(
                "SELECT id FROM reviews WHERE year = ?1 AND employee = ?2",
                params![year, employee],
                |r| r.get(0),
            )
            .optional()?;
        let id = id.ok_or_else(|| Error::NoReview {
            employee: employee.to_string(),
            year,
        })?;
        let row = Row {
            table: "review_signatures",
            sql: "INSERT INTO review_signatures (review_id, step_index, step, grade, signer, comment, at)
                  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params: params![
                id,
                index as i64,
                signature.step,
                signature.grade,
                signature.signer,
                signature.comment,
                signature.at
            ],
            key: None,
        };
        append_audited(&tx, row, stamp, "review.sign", |_| {
            (
                format!("{employee} {year}"),
                format!(
                    "{}: `{}` {}",
                    signature.step, signature.grade, signature.comment
                ),
            )
        })?;
        super::outbox::put(&tx, notices)?;
        tx.commit()?;
        Ok(())
    }
}
