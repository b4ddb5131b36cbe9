//! Rules on the web: the activated versions, and the what-if of a candidate policy file —
//! a head uploads a changed file and sees, on the year's real logs, whose scores and grades
//! would move, before anything goes live (nothing is stored); HR can then activate it.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State as Shared};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Datelike;
use serde::Deserialize;

use super::{Nav, Page, Upload, call, failed, render, see};
use crate::app::{Activated, Error};
use crate::domain::user::Role;
use crate::report::{DiffView, VersionRow};
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/rules", get(rules))
        .route("/rules/what-if", post(what_if))
        .route("/rules/activate", post(activate))
}

#[derive(Template)]
#[template(path = "web/rules.html")]
struct RulesPage {
    nav: Option<Nav>,
    year: i32,
    versions: Vec<VersionRow>,
    /// Department id → name, for the choice of a what-if's scope (HR's; a head's is theirs).
    departments: Vec<(String, String)>,
    own: Option<String>,
    activated: Option<String>,
}

#[derive(Deserialize)]
struct RulesQuery {
    activated: Option<String>,
}

/// `/rules`: the versions in force and the what-if form.
async fn rules(state: Shared<State>, caller: Caller, Query(q): Query<RulesQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        // A head's department, HR's company; nobody else's.
        Ok(RulesPage {
            nav,
            year: app.today().year(),
            versions: app.versions(by)?,
            departments: app
                .departments()?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            own: by.department().map(str::to_string),
            activated: q.activated,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "web/whatif.html")]
struct WhatIfPage {
    nav: Option<Nav>,
    view: DiffView,
    /// The candidate policy's name (the view names it by id).
    policy_name: String,
    /// Department id → name, to show names.
    names: BTreeMap<String, String>,
    /// Rule id → the rule's name in the candidate (a rule it drops shows its id).
    rule_names: BTreeMap<String, String>,
    scope: String,
    /// The candidate, carried to the activation form (HR's): its name, and its bytes in
    /// base64 — a form would turn its line ends into CRLF, and so change the version's hash.
    file: String,
    text64: String,
    may_activate: bool,
}

/// `POST /rules/what-if?csrf=`: the candidate file against the activated versions on the
/// year's real logs. A file that does not load is shown with each problem at its line.
async fn what_if(state: Shared<State>, caller: Caller, form: axum::extract::Multipart) -> Page {
    let refused = |e| failed(&caller, e);
    let mut upload = Upload::read(form).await.map_err(refused)?;
    let (file, bytes) = upload.file("考评细则文件（.toml）").map_err(refused)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        failed(
            &caller,
            Error::refused(format!("“{file}”不是 UTF-8 文本；请另存为 UTF-8")),
        )
    })?;
    let department = match upload.field("department") {
        "" => caller.actor.department().map(str::to_string),
        d => Some(d.to_string()),
    };
    let year = upload.field("year").parse::<i32>().ok();
    let nav = Some(Nav::of(&caller));
    let may_activate = caller.actor.role() == Some(Role::Hr);
    let page = call(&state, &caller, move |app, by| {
        let candidate = app.candidate(&file, &text)?;
        let rule_names = candidate
            .rules
            .iter()
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect();
        let policy_name = candidate.name.clone();
        let year = year.unwrap_or(app.today().year());
        let view = app.what_if_of(by, candidate, year, None, department.clone())?;
        let names: BTreeMap<String, String> = app
            .departments()?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let scope = match &department {
            Some(d) => names.get(d).cloned().unwrap_or_else(|| d.clone()),
            None => "全公司".into(),
        };
        Ok(WhatIfPage {
            nav,
            view,
            policy_name,
            names,
            rule_names,
            scope,
            file,
            text64: BASE64.encode(&text),
            may_activate,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct Activation {
    file: String,
    text64: String,
    #[serde(default)]
    restate: String,
}

/// `POST /rules/activate`: HR activates the candidate just compared.
async fn activate(state: Shared<State>, caller: Caller, Form(a): Form<Activation>) -> Page {
    let done = call(&state, &caller, move |app, by| {
        let text = BASE64
            .decode(a.text64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| Error::refused("传回的候选文件已损坏；请重新上传"))?;
        let candidate = app.candidate(&a.file, &text)?;
        let restate = Some(a.restate.trim()).filter(|r| !r.is_empty());
        app.activate_policy(by, &candidate, restate)
    })
    .await?;
    let what = format!(
        "{} {}{}",
        done.policy.id,
        done.policy.version,
        match done.outcome {
            Activated::New(_) => "",
            Activated::Already => "（此前已启用，未改变）",
        }
    );
    let query = serde_urlencoded::to_string([("activated", what)]).unwrap_or_default();
    Ok(see(format!("/rules?{query}")))
}
