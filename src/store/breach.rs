//! Where a verification found the database no longer matching its record: a value each
//! front end renders in its own words (the Chinese of people, the English of a log), never
//! a sentence to match.

use serde::Serialize;

/// The first place the database no longer matches its chain, its seals or its log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Breach {
    /// A block verified before no longer carries the hash it had then: the chain itself
    /// was edited.
    ChainEdited { block: i64, verified_at: String },
    /// A block names a table that is not part of the record.
    UnknownTable { block: i64, table: String },
    /// A block's rows no longer hash to it: one was changed, removed or slipped in, or the
    /// chain itself was edited.
    Block {
        block: i64,
        table: String,
        first: i64,
        last: i64,
    },
    /// A row of the record that no block covers: it was written past appraise.
    Unsealed { table: &'static str, key: i64 },
    /// A current row (staff, departments, logins, …) against its seal.
    Seal {
        table: &'static str,
        key: String,
        change: Change,
    },
    /// A pack (what ratings read) no longer made by the log, which is itself whole.
    Pack { employee: String, month: String },
    /// Packs of months with no events in the log (the log itself is whole).
    OrphanPacks { count: usize },
}

/// How a sealed row differs from its seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Changed,
    Written,
    Removed,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const REPACK: &str =
            "the log itself is whole, so `appraise audit repack` (HR) rebuilds the packs from it";
        match self {
            Breach::ChainEdited { block, verified_at } => write!(
                f,
                "block {block} no longer carries the hash it had when it was verified at {verified_at}: the chain itself was edited"
            ),
            Breach::UnknownTable { block, table } => write!(
                f,
                "block {block} names `{table}`, which is not a table of the record"
            ),
            Breach::Block {
                block,
                table,
                first,
                last,
            } => {
                write!(f, "block {block} ({table} {first}")?;
                if first != last {
                    write!(f, "–{last}")?;
                }
                write!(
                    f,
                    ") does not match: a row it sealed was changed, removed or slipped in, or the chain itself was edited"
                )
            }
            Breach::Unsealed { table, key } => write!(
                f,
                "{table} row {key} is in no block: it was written past appraise"
            ),
            Breach::Seal { table, key, change } => {
                let what = match change {
                    Change::Changed => "changed",
                    Change::Written => "written",
                    Change::Removed => "removed",
                };
                write!(f, "{table} row `{key}` was {what} past appraise")
            }
            Breach::Pack { employee, month } => write!(
                f,
                "the pack of {employee}'s {month} (what ratings read) does not match the log: it was written past appraise; {REPACK}"
            ),
            Breach::OrphanPacks { count } => write!(
                f,
                "{count} packs (what ratings read) are of months with no events in the log: they were written past appraise; {REPACK}"
            ),
        }
    }
}
