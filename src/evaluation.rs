//! Evaluation over the record: the [`rulebook`] of activated policy versions, compiled
//! once; [`evaluate`], which runs the engine over the store's log on every core; the
//! [`whatif`] of a candidate policy, [`coverage`] of rules, and the values of the
//! [`documents`] HR prints. Everything here reads; nothing writes.

pub mod coverage;
pub mod documents;
pub mod evaluate;
mod frozen;
pub mod rulebook;
pub mod trial;
pub mod whatif;
