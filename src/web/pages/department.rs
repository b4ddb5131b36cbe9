//! The head's department year: the targets recorded (met or missed), the budget against
//! the spending, and what the policy's `[department]` script makes of them — the head's
//! bonus cut and the department's bonus — with the forms to record each.

use askama::Template;
use axum::extract::{Query, State as Shared};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::Datelike;
use serde::Deserialize;

use super::{Nav, Page, call, render, see};
use crate::app::{DepartmentBook, Error};
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/department", get(department))
        .route("/department/targets", post(target))
        .route("/department/budget", post(budget))
}

#[derive(Deserialize)]
struct Which {
    department: Option<String>,
    year: Option<i32>,
}

impl Which {
    /// The department asked for, else the caller's own.
    fn department(&self, caller: &Caller) -> crate::app::Result<String> {
        self.department
            .clone()
            .filter(|d| !d.is_empty())
            .or_else(|| caller.actor.department().map(str::to_string))
            .ok_or_else(|| Error::refused("请选择部门"))
    }
}

#[derive(Template)]
#[template(path = "web/department.html")]
struct DepartmentPage {
    nav: Option<Nav>,
    year: i32,
    book: DepartmentBook,
    words: super::Words,
}

/// `/department?department=&year=`: the year so far, and the forms.
async fn department(state: Shared<State>, caller: Caller, Query(q): Query<Which>) -> Page {
    let nav = Some(Nav::of(&caller));
    let department = q.department(&caller);
    let page = call(&state, &caller, move |app, by| {
        let year = q.year.unwrap_or(app.today().year());
        let book = app.department_book(by, &department?, year)?;
        Ok(DepartmentPage {
            nav,
            year,
            book,
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// Back to the department's page for the year.
fn back(department: &str, year: i32) -> axum::response::Response {
    let query = serde_urlencoded::to_string([("department", department)]).unwrap_or_default();
    see(format!("/department?{query}&year={year}"))
}

#[derive(Deserialize)]
struct TargetForm {
    department: String,
    year: i32,
    name: String,
    /// `met` or `missed`.
    outcome: String,
}

/// `POST /department/targets`: a target met or missed (recording it again replaces it).
async fn target(state: Shared<State>, caller: Caller, Form(f): Form<TargetForm>) -> Page {
    let (department, year) = (f.department.clone(), f.year);
    call(&state, &caller, move |app, by| {
        let met = match f.outcome.as_str() {
            "met" => true,
            "missed" => false,
            other => {
                return Err(Error::refused(format!(
                    "“{}”既不是“达成”也不是“未达成”",
                    crate::domain::text::clip(other)
                )));
            }
        };
        app.record_target(by, &f.department, f.year, &f.name, met)
    })
    .await?;
    Ok(back(&department, year))
}

#[derive(Deserialize)]
struct BudgetForm {
    department: String,
    year: i32,
    budget: String,
    spent: String,
}

/// `POST /department/budget`: the year's budget and spending, in yuan.
async fn budget(state: Shared<State>, caller: Caller, Form(f): Form<BudgetForm>) -> Page {
    let (department, year) = (f.department.clone(), f.year);
    call(&state, &caller, move |app, by| {
        let amount = |what: &str, text: &str| {
            text.trim().parse::<f64>().map_err(|_| {
                Error::refused(format!(
                    "{what}“{}”须为元数，例如 120000.50",
                    crate::domain::text::clip(text)
                ))
            })
        };
        let (b, s) = (amount("预算", &f.budget)?, amount("支出", &f.spent)?);
        app.record_budget(by, &f.department, f.year, b, s)
    })
    .await?;
    Ok(back(&department, year))
}
