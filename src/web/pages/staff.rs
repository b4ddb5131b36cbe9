//! HR's staff records: the company's employees a page at a time, found by name or id, and
//! one employee's record over time — every change with the month it applies from, who made
//! it and when — with the form that transfers them or changes their record from a month
//! on (what a later month changes never rewrites an earlier one).

use askama::Template;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::{Done, FindQuery, Listing, Nav, Page, Words, call, done, render, see};
use crate::app::StaffChange;
use crate::domain::month::Month;
use crate::domain::staff::{Department, Employee, StaffRecord};
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/staff", get(list))
        .route("/staff/{employee}", get(record).post(change))
}

#[derive(Template)]
#[template(path = "web/staff.html")]
struct ListPage {
    nav: Option<Nav>,
    staff: Vec<Employee>,
    /// Where the page is in its list, the text found, and what its pager keeps.
    list: Listing,
    words: Words,
}

/// `/staff?q=&page=`: the employees the caller sees, as their records stand this month.
async fn list(state: Shared<State>, caller: Caller, Query(q): Query<FindQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let find = q.find();
        let found = app
            .staff(by, None, None)?
            .into_iter()
            .filter(|e| find.matches(&e.id, &e.name))
            .collect();
        let (staff, pages) = find.page(found);
        Ok(ListPage {
            nav,
            staff,
            list: Listing::new(find, pages, &[]),
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "web/staff_record.html")]
struct RecordPage {
    nav: Option<Nav>,
    record: StaffRecord,
    /// The record as it stands this month (or as it last stood).
    now: Employee,
    /// This month, the default first month of a change.
    month: Month,
    departments: Vec<Department>,
    words: Words,
}

/// `/staff/ID`: one employee's record over time, and the form that changes it.
async fn record(state: Shared<State>, caller: Caller, Path(employee): Path<String>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let record = app.record(by, &employee)?;
        let month = Month::of(app.today());
        let now = record.at(month).clone();
        Ok(RecordPage {
            nav,
            record,
            now,
            month,
            departments: app.departments()?,
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// The change form: an empty field keeps what the record has.
#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    role: String,
    /// A new supervisor's id.
    #[serde(default)]
    supervisor: String,
    /// Ticked: no supervisor from the month on.
    #[serde(default)]
    no_supervisor: Option<String>,
    from: String,
}

/// `POST /staff/ID`: the record changed from a month on, checked as the command line's
/// `staff set` checks it.
async fn change(
    state: Shared<State>,
    caller: Caller,
    Path(employee): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Page {
    let back = format!("/staff/{}", super::segment(&employee));
    let id = employee;
    call(&state, &caller, move |app, by| {
        let given = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let change = StaffChange {
            name: given(&f.name),
            department: given(&f.department),
            role: given(&f.role),
            supervisor: match f.no_supervisor {
                Some(_) => Some(None),
                None => given(&f.supervisor).map(Some),
            },
            ..StaffChange::default()
        };
        let from = crate::web::parse_month(&f.from)?;
        app.change_employee(by, &id, change, from)
    })
    .await?;
    Ok(see(done(&back, Done::StaffChanged)))
}
