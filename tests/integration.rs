//! Integration tests: the real `appraise` binary on temporary folders with real database
//! files, and the engine's domain laws as property tests.

mod appeals;
mod attendance;
mod bounds;
mod browser;
mod cli;
mod evidence;
mod faults;
mod front_office;
mod governance;
mod history;
mod laws;
mod layers;
mod library;
mod notices;
mod operations;
mod policy_files;
mod printed;
mod receivers;
mod reports;
mod reviews;
mod scope;
mod staff_fields;
mod tamper;
mod terminal;
mod upgrades;
mod util;
mod validator;
mod walkthrough;
mod web;
mod workflow;
