//! appraise: staff appraisal by points, with the rules as code.
//!
//! The modules are layers; each may use the ones listed below it and never one above
//! (`tests/layers.rs` checks this, and `docs/architecture.md` draws it):
//!
//! - [`web`]: the workplace (pages and `/api/v1`) over [`app`]; the command line, the other
//!   front end, is the `appraise` binary's own `cli` module.
//! - [`app`]: one function for each thing a person does, taking the acting person and
//!   checked against [`domain::access`]; its `setup` builds workspaces and the demo company.
//! - [`notify`]: the outbox delivered: e-mail, the WeCom, DingTalk and Feishu robots, webhooks.
//! - [`report`]: computed values → tables, JSON, CSV, documents.
//! - [`intake`]: files people wrote → validated rows, bounded.
//! - [`evaluation`]: the rulebook of activated policies, evaluation over the store on every
//!   core, what-ifs, coverage and the documents' values.
//! - [`store`]: SQLite: staff, the append-only log sealed in a hash chain, policy versions.
//! - [`engine`]: pure: events → monthly scores → annual ratings; attendance derivation, the
//!   review chain, policy test cases.
//! - [`policy`]: TOML + rhai → a compiled, checked policy.
//! - [`domain`]: the plain types everyone shares (month, points, event, staff, user, text)
//!   and who may do what ([`domain::access`]).

pub mod app;
pub mod domain;
pub mod engine;
pub mod evaluation;
pub mod intake;
pub mod notify;
pub mod policy;
pub mod report;
pub mod store;
pub mod web;
