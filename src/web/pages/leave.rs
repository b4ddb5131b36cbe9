//! Leave and punch corrections on the web: an employee asks for leave, or for a punch the
//! clock missed, from a phone and sees where each request stands (and may cancel a leave);
//! a supervisor or HR asks for a correction for someone of their team; whoever approves
//! either does so from the to-do list (`/inbox`).

use askama::Template;
use axum::extract::{Path, State as Shared};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{Done, Nav, Page, call, done, render, see};
use crate::app::{Error, LeaveRequest, Missing};
use crate::store::{Correction, Leave, LeaveState};
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/leave", get(leave).post(request))
        .route("/leave/{id}/decide", post(decide))
        .route("/leave/{id}/cancel", post(cancel))
        .route("/corrections", post(correct))
}

#[derive(Template)]
#[template(path = "web/leave.html")]
struct LeavePage {
    nav: Option<Nav>,
    employee: String,
    /// Leave type id → label, as the form offers them.
    types: Vec<(String, String)>,
    leaves: Vec<Leave>,
    corrections: Vec<Correction>,
}

impl LeavePage {
    fn label(&self, id: &str) -> String {
        self.types
            .iter()
            .find(|(i, _)| i == id)
            .map_or_else(|| id.to_string(), |(_, l)| l.clone())
    }
}

/// The caller's own employee id; a login linked to none has no leave of its own.
fn own(caller: &Caller) -> Result<String, Error> {
    caller
        .actor
        .employee()
        .map(str::to_string)
        .ok_or_else(|| Error::NotFound(Missing::OwnRecord(caller.actor.name().to_string())))
}

/// `/leave`: one's own leave, and the form to ask for more.
async fn leave(state: Shared<State>, caller: Caller) -> Page {
    let employee = own(&caller).map_err(|e| super::failed(&caller, e))?;
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        Ok(LeavePage {
            nav,
            types: app.leave_labels()?.into_iter().collect(),
            leaves: app.leaves(by, Some(&employee), None, None)?,
            corrections: app.corrections(by, Some(&employee), false)?,
            employee,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct RequestForm {
    kind: String,
    from: String,
    /// `day`, `am` or `pm`: the whole day, or its morning or afternoon.
    from_part: String,
    to: String,
    to_part: String,
    reason: String,
}

/// A date and part as a leave file writes it.
fn moment(date: &str, part: &str) -> String {
    match part {
        "am" => format!("{date} 上午"),
        "pm" => format!("{date} 下午"),
        _ => date.to_string(),
    }
}

/// `POST /leave`: ask for leave for oneself.
async fn request(state: Shared<State>, caller: Caller, Form(f): Form<RequestForm>) -> Page {
    let employee = own(&caller).map_err(|e| super::failed(&caller, e))?;
    call(&state, &caller, move |app, by| {
        app.request_leave(
            by,
            LeaveRequest {
                employee,
                kind: f.kind,
                from: moment(&f.from, &f.from_part),
                to: moment(&f.to, &f.to_part),
                reason: f.reason,
            },
        )
    })
    .await?;
    Ok(see("/leave"))
}

#[derive(Deserialize)]
struct CorrectionForm {
    /// Whose punches: one's own when empty.
    #[serde(default)]
    employee: String,
    date: String,
    #[serde(default, rename = "in")]
    in_time: String,
    #[serde(default, rename = "out")]
    out_time: String,
    reason: String,
    /// The page to go back to (a path of this site).
    #[serde(default)]
    back: String,
}

/// `POST /corrections`: a punch the clock missed, asked for (one's own, or a team
/// member's); it counts once whoever enters the employee's events approves it.
async fn correct(state: Shared<State>, caller: Caller, Form(f): Form<CorrectionForm>) -> Page {
    let employee = match f.employee.trim() {
        "" => own(&caller).map_err(|e| super::failed(&caller, e))?,
        e => e.to_string(),
    };
    let back = super::back_to(&f.back, "/leave#corrections").to_string();
    call(&state, &caller, move |app, by| {
        let time = |t: &str| Some(t.trim()).filter(|t| !t.is_empty()).map(str::to_string);
        let (in_time, out_time) = (time(&f.in_time), time(&f.out_time));
        app.request_correction(
            by,
            &employee,
            &f.date,
            in_time.as_deref(),
            out_time.as_deref(),
            &f.reason,
        )
    })
    .await?;
    Ok(see(done(&back, Done::CorrectionRequested)))
}

#[derive(Deserialize)]
struct DecideForm {
    /// `approve` or `reject`.
    outcome: String,
    #[serde(default)]
    reason: String,
}

/// `POST /leave/ID/decide`: approve or reject, from the to-do list.
async fn decide(
    state: Shared<State>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Page {
    let outcome = if f.outcome == "approve" {
        LeaveState::Approved
    } else {
        LeaveState::Rejected
    };
    call(&state, &caller, move |app, by| {
        app.decide_leave(by, id, outcome, &f.reason)
    })
    .await?;
    Ok(see(done("/inbox", Done::LeaveDecided)))
}

#[derive(Deserialize)]
struct CancelForm {
    reason: String,
}

/// `POST /leave/ID/cancel`.
async fn cancel(
    state: Shared<State>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<CancelForm>,
) -> Page {
    call(&state, &caller, move |app, by| {
        app.decide_leave(by, id, LeaveState::Cancelled, &f.reason)
    })
    .await?;
    Ok(see("/leave"))
}
