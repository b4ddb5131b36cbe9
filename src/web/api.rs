//! `/api/v1`: the workplace for programs. Bodies are JSON; answers are the command line's
//! JSON shapes (`score --format json`, `explain`, `rate`, `log list`), holding only what the
//! caller may see. Errors are `{"errors": […]}` with the status of their kind.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::State;
use super::auth::{self, Caller};
use super::reply::Failure;
use crate::app::{Actor, App, Entry, Recorded, Who};
use crate::domain::month::Month;
use crate::report::{AppealsView, EventsView, RatingsView, ScoresView};
use crate::store::EventFilter;

type Answer = Result<Response, Failure>;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/login", post(login))
        .route("/api/v1/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/events", get(events).post(add_event))
        .route("/api/v1/events/{id}/void", post(void))
        .route("/api/v1/events/{id}/excuse", post(excuse))
        .route("/api/v1/events/{id}/appeal", post(appeal))
        .route(
            "/api/v1/events/{id}/photos",
            get(event_photos)
                .post(event_photo)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::intake::photo::MAX_BYTES + 1024,
                )),
        )
        .route(
            "/api/v1/appeals/{id}/photos",
            post(appeal_photo).layer(axum::extract::DefaultBodyLimit::max(
                crate::intake::photo::MAX_BYTES + 1024,
            )),
        )
        .route("/api/v1/appeals", get(appeals))
        .route("/api/v1/appeals/{id}/decide", post(decide))
        .route("/api/v1/scores", get(scores))
        .route("/api/v1/explain/{employee}", get(explain))
        .route("/api/v1/ratings", get(ratings))
        .route("/api/v1/reviews/{employee}/sign", post(sign))
}

/// The OpenAPI description of these routes.
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

/// A JSON body, or a 422 saying what is wrong with it.
fn body<T: DeserializeOwned>(body: Result<Json<T>, JsonRejection>) -> Result<T, Failure> {
    body.map(|Json(b)| b).map_err(|e| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("请求内容不符合这个接口的格式：{}", e.body_text()),
        )
    })
}

/// A `YYYY-MM` query parameter.
fn month(name: &str, value: Option<&str>) -> Result<Month, Failure> {
    let value = value.ok_or_else(|| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("缺少参数 `{name}`，格式为 YYYY-MM，如 2026-03"),
        )
    })?;
    Ok(super::parse_month(value)?)
}

/// An answer whose records carry ids, with the labels people read for them beside it.
#[derive(serde::Serialize)]
struct Labelled<T> {
    #[serde(flatten)]
    view: T,
    labels: crate::domain::labels::Glossary,
}

fn ok(value: impl serde::Serialize) -> Answer {
    Ok(Json(value).into_response())
}

#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

/// `POST /api/v1/login`: a session token (also set as the session cookie).
async fn login(
    state: axum::extract::State<State>,
    client: auth::Client,
    jar: CookieJar,
    b: Result<Json<Credentials>, JsonRejection>,
) -> Answer {
    let c = body(b)?;
    let session = auth::log_in(&state, &client, c.login, c.password).await?;
    let jar = jar.add(auth::session_cookie(&client, &session));
    Ok((
        jar,
        Json(json!({ "token": session.token, "expires_at": session.expires_at })),
    )
        .into_response())
}

/// `POST /api/v1/logout`: ends the session.
async fn logout(state: axum::extract::State<State>, caller: Caller, jar: CookieJar) -> Answer {
    state.call(move |app| app.logout(&caller.token)).await?;
    Ok((auth::logged_out(jar), StatusCode::NO_CONTENT).into_response())
}

/// `GET /api/v1/me`: who the session is.
async fn me(caller: Caller) -> Answer {
    let a = &caller.actor;
    ok(json!({
        "login": a.name(),
        "role": a.role().map(|r| r.as_str()),
        "role_label": a.role().unwrap_or(crate::domain::user::Role::Employee).label(),
        "employee": a.employee(),
        "csrf": caller.csrf(),
    }))
}

#[derive(Deserialize)]
struct EventsQuery {
    employee: Option<String>,
    month: Option<String>,
}

/// `GET /api/v1/events?employee=&month=`: the log, as `log list --format json`.
async fn events(
    state: axum::extract::State<State>,
    caller: Caller,
    Query(q): Query<EventsQuery>,
) -> Answer {
    let filter = EventFilter {
        employee: q.employee,
        month: q
            .month
            .as_deref()
            .map(|m| month("month", Some(m)))
            .transpose()?,
        ..EventFilter::default()
    };
    let (events, labels) = state
        .call(move |app| Ok((app.events(&caller.actor, &filter)?, app.labels()?)))
        .await?;
    ok(Labelled {
        view: EventsView { events },
        labels,
    })
}

/// An event as a program posts it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEvent {
    employee: String,
    #[serde(default)]
    date: String,
    kind: String,
    #[serde(default)]
    qty: Option<Value>,
    #[serde(default)]
    note: String,
    #[serde(default)]
    fields: BTreeMap<String, Value>,
    /// A second event the same in every detail really happened.
    #[serde(default)]
    again: bool,
}

/// A JSON scalar as the text an import cell would hold; the validator types it.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `POST /api/v1/events`: `201 {"id"}`.
async fn add_event(
    state: axum::extract::State<State>,
    caller: Caller,
    b: Result<Json<NewEvent>, JsonRejection>,
) -> Answer {
    let e = body(b)?;
    let entry = Entry {
        employee: e.employee,
        kind: e.kind,
        date: e.date,
        qty: e.qty.as_ref().map(text).unwrap_or_default(),
        note: e.note,
        fields: e.fields.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
    };
    let again = e.again;
    let done = match state.add_event(caller.actor, entry, again).await? {
        Recorded::Event(id) => json!({ "id": id }),
        Recorded::Handover(h) => json!({
            "handover": { "days": h.days, "added": h.added, "voided": h.withdrawn }
        }),
    };
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

#[derive(Deserialize)]
struct Reason {
    reason: String,
}

/// Does `f` to event `id` as the caller, with the body's reason.
async fn with_reason<T: Send + 'static>(
    state: &State,
    caller: Caller,
    id: i64,
    b: Result<Json<Reason>, JsonRejection>,
    f: fn(&App, &Actor, i64, &str) -> crate::app::Result<T>,
) -> Result<T, Failure> {
    let r = body(b)?;
    Ok(state
        .call(move |app| f(app, &caller.actor, id, &r.reason))
        .await?)
}

/// `POST /api/v1/events/ID/void`.
async fn void(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<Reason>, JsonRejection>,
) -> Answer {
    with_reason(&state, caller, id, b, App::void_event).await?;
    ok(json!({ "id": id, "voided": true }))
}

/// `POST /api/v1/events/ID/excuse`.
async fn excuse(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<Reason>, JsonRejection>,
) -> Answer {
    with_reason(&state, caller, id, b, App::excuse_event).await?;
    ok(json!({ "id": id, "excused": true }))
}

/// `POST /api/v1/events/ID/appeal` (the employee): `201 {"id"}` of the appeal.
async fn appeal(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<Reason>, JsonRejection>,
) -> Answer {
    let appeal = with_reason(&state, caller, id, b, App::file_appeal).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": appeal }))).into_response())
}

/// `POST /api/v1/events/ID/photos`: one photo as the body (its type is judged from its
/// bytes, whatever `Content-Type` says); `201 {"photos": N}`, how many the event carries.
async fn event_photo(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Answer {
    attach_one(
        &state,
        caller,
        format!("event-{id}-photo"),
        body,
        move |app, by, photo| app.attach_to_event(by, id, photo),
    )
    .await
}

/// `POST /api/v1/appeals/ID/photos`: one photo for the caller's own appeal.
async fn appeal_photo(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Answer {
    attach_one(
        &state,
        caller,
        format!("appeal-{id}-photo"),
        body,
        move |app, by, photo| app.attach_to_appeal(by, id, photo),
    )
    .await
}

/// Attaches the request's body as one photo through `attach`: `201 {"photos": N}`.
async fn attach_one(
    state: &State,
    caller: Caller,
    name: String,
    body: axum::body::Bytes,
    attach: impl FnOnce(&App, &crate::app::Actor, Vec<crate::app::Upload>) -> crate::app::Result<usize>
    + Send
    + 'static,
) -> Answer {
    let upload = crate::app::Upload {
        name,
        bytes: body.to_vec(),
    };
    let n = state
        .call(move |app| attach(app, &caller.actor, vec![upload]))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "photos": n }))).into_response())
}

/// `GET /api/v1/events/ID/photos`: the photos of an event and its appeal (hash, type,
/// size, who attached them when); each is `GET /photos/HASH`.
async fn event_photos(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Answer {
    let photos = state
        .call(move |app| app.event_evidence(&caller.actor, id))
        .await?;
    ok(json!({ "event": id, "photos": photos }))
}

/// `GET /api/v1/appeals`: those waiting on the caller's decision, and the caller's own.
async fn appeals(state: axum::extract::State<State>, caller: Caller) -> Answer {
    let (waiting, own) = state
        .call(move |app| {
            let waiting = app.appeals_waiting_on(&caller.actor)?;
            let own = match caller.actor.employee() {
                Some(e) => app.appeals(&caller.actor, false, Some(e))?,
                None => Vec::new(),
            };
            Ok((waiting, own))
        })
        .await?;
    ok(json!({
        "waiting": AppealsView { appeals: waiting },
        "own": AppealsView { appeals: own },
    }))
}

#[derive(Deserialize)]
struct Decision {
    excuse: bool,
    reason: String,
}

/// `POST /api/v1/appeals/ID/decide` (the head): excuse the event, or reject the appeal.
async fn decide(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(id): Path<i64>,
    b: Result<Json<Decision>, JsonRejection>,
) -> Answer {
    let d = body(b)?;
    state
        .call(move |app| app.decide_appeal(&caller.actor, id, d.excuse, &d.reason))
        .await?;
    ok(json!({ "id": id, "excused": d.excuse }))
}

#[derive(Deserialize)]
struct ScoresQuery {
    month: Option<String>,
    department: Option<String>,
}

/// `GET /api/v1/scores?month=YYYY-MM[&department=]`: as `score --format json`.
async fn scores(
    state: axum::extract::State<State>,
    caller: Caller,
    Query(q): Query<ScoresQuery>,
) -> Answer {
    let month = month("month", q.month.as_deref())?;
    let (scores, labels) = state
        .call(move |app| {
            let who = Who {
                department: q.department.clone(),
                ..Default::default()
            };
            Ok((app.scores(&caller.actor, month, &who)?, app.labels()?))
        })
        .await?;
    ok(Labelled {
        view: ScoresView { month, scores },
        labels,
    })
}

#[derive(Deserialize)]
struct MonthQuery {
    month: Option<String>,
}

/// `GET /api/v1/explain/EMPLOYEE?month=`: every point of the month, as `explain`.
async fn explain(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(employee): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Answer {
    let month = month("month", q.month.as_deref())?;
    let (explanation, labels) = state
        .call(move |app| {
            Ok((
                app.explain_month(&caller.actor, &employee, month)?,
                app.labels()?,
            ))
        })
        .await?;
    ok(Labelled {
        view: explanation,
        labels,
    })
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// `GET /api/v1/ratings?year=`: as `rate --format json`.
async fn ratings(
    state: axum::extract::State<State>,
    caller: Caller,
    q: Result<Query<YearQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let year = q.ok().and_then(|Query(q)| q.year).ok_or_else(|| {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "缺少参数 `year`，应为年份，如 2025",
        )
    })?;
    let ((ratings, through), labels) = state
        .call(move |app| {
            let rated = app.ratings(&caller.actor, year, None, &Who::default(), &|_, _| {})?;
            Ok((rated, app.labels()?))
        })
        .await?;
    ok(Labelled {
        view: RatingsView {
            year,
            through,
            ratings,
        },
        labels,
    })
}

/// `POST /api/v1/reviews/EMPLOYEE/sign`: the next step of a review.
async fn sign(
    state: axum::extract::State<State>,
    caller: Caller,
    Path(employee): Path<String>,
    b: Result<Json<super::Signing>, JsonRejection>,
) -> Answer {
    let s = body(b)?;
    let signed = state
        .call(move |app| {
            app.sign_review(
                &caller.actor,
                &employee,
                s.year,
                &s.step,
                &s.grade,
                &s.comment,
            )
        })
        .await?;
    ok(json!({ "next": signed.next }))
}
