//! The supervisor's day: the team as rows with their month scores, the policy's kinds as
//! quick actions (a kind without fields is one tap), typed forms for kinds with fields,
//! and the day's entries with voiding for mistakes.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use super::{FormPost, Listing, Nav, Page, Upload, call, failed, message, render, see};
use crate::app::{
    DayEntry, Entry, EntryForm, Error, Find, Imported, KindChoice, Recorded, TeamRow,
};
use crate::domain::event::FieldType;
use crate::domain::month::{Month, parse_date};
use crate::engine::MonthScore;
use crate::web::State;
use crate::web::auth::Caller;
use crate::web::reply::problems;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/day", get(day))
        .route(
            "/day/{employee}",
            get(entry_page)
                .post(enter)
                .layer(axum::extract::DefaultBodyLimit::max(super::PHOTOS_BODY)),
        )
        .route("/events/{id}/void", post(void))
        .route("/events/{id}/excuse", post(excuse))
        .route("/imports", post(import))
        .route("/day/template.xlsx", get(template))
}

#[derive(Deserialize, Default)]
struct DayQuery {
    date: Option<String>,
    /// The event just stored, to confirm with the new month score.
    saved: Option<i64>,
    /// A file just imported: the entries stored, and those already in the log.
    imported: Option<usize>,
    already: Option<usize>,
    kind: Option<String>,
    /// Text to find in the team's ids and names.
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: usize,
}

/// The day asked for, else today.
fn day_of(app_today: NaiveDate, q: &DayQuery) -> NaiveDate {
    q.date.as_deref().and_then(parse_date).unwrap_or(app_today)
}

#[derive(Template)]
#[template(path = "web/day.html")]
struct DayPage {
    nav: Option<Nav>,
    date: String,
    month: String,
    saved: Option<String>,
    team: Vec<TeamRow>,
    team_size: usize,
    /// Where the page is in its list, the text found, and what its pager keeps.
    list: Listing,
    entries: Vec<DayEntry>,
    entries_total: usize,
    holiday: Option<crate::store::Holiday>,
}

async fn day(state: Shared<State>, caller: Caller, Query(q): Query<DayQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let find = Find::new(&q.q, q.page);
        let sheet = app.day_sheet(by, day_of(app.today(), &q), q.saved, &find)?;
        let imported = q.imported.map(|n| {
            format!(
                "已导入 {n} 条记录{}",
                match q.already {
                    Some(a) if a > 0 => format!("（另有 {a} 条已在记录中，未重复保存）"),
                    _ => String::new(),
                }
            )
        });
        let saved = sheet.saved.map(|s| {
            format!(
                "已记录 #{}：{} {} · {} · 本月得分 {}{}",
                s.id,
                s.employee,
                s.name,
                s.label,
                s.score.score,
                if s.score.passed {
                    ""
                } else {
                    "（低于及格线）"
                }
            )
        });
        Ok(DayPage {
            nav,
            date: sheet.date.to_string(),
            month: sheet.month.to_string(),
            saved: saved.or(imported),
            team: sheet.team,
            team_size: sheet.team_size,
            list: Listing::new(find, sheet.pages, &[("date", &sheet.date.to_string())]),
            entries: sheet.entries,
            entries_total: sheet.entries_total,
            holiday: sheet.holiday,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// A field of an entry form, typed from the policy.
struct FieldInput {
    name: String,
    /// What people read for it.
    label: String,
    /// The HTML input type: number, time, date, checkbox or text.
    input: &'static str,
    step: &'static str,
    value: String,
    error: Vec<String>,
}

#[derive(Template)]
#[template(path = "web/entry.html")]
struct EntryPage {
    nav: Option<Nav>,
    employee: String,
    name: String,
    date: String,
    score: Option<MonthScore>,
    /// Kinds without fields: one tap each.
    quick: Vec<KindChoice>,
    /// Kinds with fields: a form each.
    detailed: Vec<KindChoice>,
    /// The kind whose form is open, with its fields.
    open: Option<KindChoice>,
    fields: Vec<FieldInput>,
    qty: String,
    note: String,
    errors: Vec<String>,
    /// The entry is an exact copy of a live event: offer to record it again.
    same: bool,
}

fn input_of(t: FieldType) -> (&'static str, &'static str) {
    match t {
        FieldType::Int => ("number", "1"),
        FieldType::Float => ("number", "any"),
        FieldType::Time => ("time", ""),
        FieldType::Date => ("date", ""),
        FieldType::Bool => ("checkbox", ""),
        FieldType::Text => ("text", ""),
    }
}

/// Builds the entry page; `form` holds what was submitted when it comes back refused
/// for `failure`.
fn entry_page_of(
    nav: Option<Nav>,
    employee: String,
    date: NaiveDate,
    EntryForm { menu, score, name }: EntryForm,
    kind: Option<&str>,
    form: &BTreeMap<String, String>,
    failure: Option<&Error>,
) -> EntryPage {
    let open = kind.and_then(|k| menu.iter().find(|c| c.kind == k).cloned());
    let mut general = Vec::new();
    let mut fields: Vec<FieldInput> = open
        .iter()
        .flat_map(|k| &k.fields)
        .map(|f| {
            let (input, step) = input_of(f.ty);
            let n = &f.name;
            FieldInput {
                label: f.label.clone(),
                name: n.clone(),
                input,
                step,
                value: form.get(&format!("field.{n}")).cloned().unwrap_or_default(),
                error: Vec::new(),
            }
        })
        .collect();
    // A problem about a field is shown beside it; the rest above the form.
    for (field, message) in failure.map(problems).unwrap_or_default() {
        match fields
            .iter_mut()
            .find(|f| field.as_deref() == Some(f.name.as_str()))
        {
            Some(f) => f.error.push(message),
            None => general.push(message),
        }
    }
    let (detailed, quick) = menu.into_iter().partition(|k| !k.fields.is_empty());
    EntryPage {
        nav,
        employee,
        name,
        date: date.to_string(),
        score,
        quick,
        detailed,
        open,
        fields,
        qty: form.get("qty").cloned().unwrap_or_default(),
        note: form.get("note").cloned().unwrap_or_default(),
        same: matches!(failure, Some(Error::SameEvent { .. })),
        errors: general,
    }
}

async fn entry_page(
    state: Shared<State>,
    caller: Caller,
    Path(employee): Path<String>,
    Query(q): Query<DayQuery>,
) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let date = day_of(app.today(), &q);
        let data = app.entry_form(by, &employee, date)?;
        Ok(entry_page_of(
            nav,
            employee,
            date,
            data,
            q.kind.as_deref(),
            &BTreeMap::new(),
            None,
        ))
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /day/EMPLOYEE`: one entry; back to the day page with the new score, or the form
/// again with the policy's words next to the field.
async fn enter(
    state: Shared<State>,
    caller: Caller,
    Path(employee): Path<String>,
    FormPost { pairs, photos }: FormPost,
) -> Page {
    // Later values win: a checkbox's `true` follows its hidden `false`.
    let form: BTreeMap<String, String> = pairs.into_iter().collect();
    let fields = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("field.")?.to_string(), v.clone())))
        .collect();
    let entry = Entry {
        employee: employee.clone(),
        kind: form.get("kind").cloned().unwrap_or_default(),
        date: form.get("date").cloned().unwrap_or_default(),
        qty: form.get("qty").cloned().unwrap_or_default(),
        note: form.get("note").cloned().unwrap_or_default(),
        fields,
    };
    let again = form.get("again").is_some_and(|v| v == "1");
    let date = entry.date.clone();
    // An entry with photos is recorded on its own (the photos are taken first); one
    // without joins the others waiting (see `entries`).
    let outcome = if photos.is_empty() {
        state.add_event(caller.actor.clone(), entry, again).await
    } else {
        let by = caller.actor.clone();
        state
            .call(move |app| app.add_event_with_photos(&by, entry, again, photos))
            .await
    };
    match outcome {
        Ok(Recorded::Event(id)) => Ok(see(format!("/day?date={date}&saved={id}"))),
        Ok(Recorded::Handover(_)) => Ok(see(format!("/day?date={date}"))),
        Err(e @ (Error::Rejected { .. } | Error::SameEvent { .. } | Error::Invalid(_))) => {
            let kind = form.get("kind").cloned();
            let nav = Some(Nav::of(&caller));
            let page = call(&state, &caller, move |app, by| {
                let day = parse_date(&date).unwrap_or(app.today());
                let data = app.entry_form(by, &employee, day)?;
                Ok(entry_page_of(
                    nav,
                    employee,
                    day,
                    data,
                    kind.as_deref(),
                    &form,
                    Some(&e),
                ))
            })
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failed(&caller, e)),
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    reason: String,
    /// The page to go back to (a path of this site).
    #[serde(default)]
    back: String,
}

/// `POST /events/ID/void`: an entry mistake, with the reason.
async fn void(state: Shared<State>, caller: Caller, id: Path<i64>, f: Form<ReasonForm>) -> Page {
    mark(state, caller, id, f, Mark::Void).await
}

/// `POST /events/ID/excuse`: a deduction excused (a head's or HR's decision outside an
/// appeal); it stays in the record, scores nothing and shows why.
async fn excuse(state: Shared<State>, caller: Caller, id: Path<i64>, f: Form<ReasonForm>) -> Page {
    mark(state, caller, id, f, Mark::Excuse).await
}

/// What a reasoned mark on an event does.
#[derive(Clone, Copy)]
enum Mark {
    Void,
    Excuse,
}

/// Marks event `id` with the form's reason, then goes back where the form came from.
async fn mark(
    state: Shared<State>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
    how: Mark,
) -> Page {
    let reason = f.reason;
    call(&state, &caller, move |app, by| match how {
        Mark::Void => app.void_event(by, id, &reason),
        Mark::Excuse => app.excuse_event(by, id, &reason),
    })
    .await?;
    let (otherwise, what) = match how {
        Mark::Void => ("/day", super::Done::Voided),
        Mark::Excuse => ("/", super::Done::Excused),
    };
    Ok(see(super::done(super::back_to(&f.back, otherwise), what)))
}

/// `POST /imports?csrf=`: a day's file of entries (CSV with the columns of `log import`),
/// only checked or stored whole; a bad row anywhere stores nothing and is named.
async fn import(state: Shared<State>, caller: Caller, form: axum::extract::Multipart) -> Page {
    let refused = |e| failed(&caller, e);
    let mut upload = Upload::read(form).await.map_err(refused)?;
    let (name, bytes) = upload
        .file("当日记录文件（CSV 或 Excel）")
        .map_err(refused)?;
    let check_only = upload.field("action") == "check";
    let date = upload.field("date").to_string();
    let imported = call(&state, &caller, move |app, by| {
        app.import_events_from(by, &name, bytes.as_slice(), check_only)
    })
    .await?;
    match imported {
        Imported::Valid {
            file,
            rows,
            encoding,
        } => Ok(message(
            &caller,
            StatusCode::OK,
            "文件检查通过",
            vec![
                format!("{file}（按 {} 读取）：{rows} 行全部有效。", encoding.name()),
                "尚未保存；确认无误后请选择“导入”。".into(),
            ],
        )),
        Imported::Stored { ids, already, .. } => Ok(see(format!(
            "/day?date={}&imported={}&already={already}",
            parse_date(&date).map(|d| d.to_string()).unwrap_or_default(),
            ids.len()
        ))),
    }
}

#[derive(Deserialize)]
struct TemplateQuery {
    month: Option<String>,
    department: Option<String>,
}

/// `GET /day/template.xlsx?month=&department=`: the sheet to fill in for the month (`log
/// template`), of the caller's team's department unless another is named.
async fn template(state: Shared<State>, caller: Caller, Query(q): Query<TemplateQuery>) -> Page {
    let (bytes, name) = call(&state, &caller, move |app, by| {
        let month = match &q.month {
            Some(m) => crate::web::parse_month(m)?,
            None => Month::of(app.today()),
        };
        let department = match q.department.filter(|d| !d.is_empty()) {
            Some(d) => d,
            None => app
                .team(by)?
                .first()
                .map(|e| e.department.clone())
                .ok_or_else(|| Error::NobodyToEnter {
                    login: by.name().to_string(),
                    of: None,
                })?,
        };
        let sheet = app.entry_sheet(by, &department, month)?;
        let bytes = crate::report::template::entry_template(&sheet)
            .map_err(|e| Error::Document(e.to_string()))?;
        Ok((bytes, format!("{department}-{month}.xlsx")))
    })
    .await?;
    Ok(super::office::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some(name),
        bytes,
    ))
}
