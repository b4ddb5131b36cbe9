//! The plain types every layer shares: months and dates, points, events, staff and their
//! history, logins and roles, the wording helpers, and [`access`], the one place that decides
//! who may do what. Nothing here reads a file, a database or the clock.

pub mod access;
pub mod event;
pub mod labels;
pub mod month;
pub mod notice;
pub mod points;
pub mod staff;
pub mod text;
pub mod user;
