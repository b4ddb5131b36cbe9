//! The office's pages: the head's inbox (appeals to decide, review steps to sign), HR's
//! month board (open or closed, who is below the pass mark; close, reopen, start the
//! reviews), the documents (statement, rating sheet, recommendation; HTML to print, xlsx
//! and csv to open in Excel) and the audit log with its verification.

use askama::Template;
use axum::extract::{Path, Query, State as Shared};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{Done, Listing, Nav, Page, Words, call, done, render, see};
use crate::app::{BoardMonth, Document, Error, Find, Missing, MonthBoard, RatedRow};
use crate::domain::month::Month;
use crate::report::ReviewRow;
use crate::store::{Appeal, AuditEntry, Verification};
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/inbox", get(inbox))
        .route("/appeals/{id}/decide", post(decide))
        .route("/corrections/{id}/decide", post(decide_correction))
        .route("/reviews/{employee}/sign", post(sign))
        .route("/months", get(months))
        .route("/months/{month}/close", post(close))
        .route("/months/{month}/reopen", post(reopen))
        .route("/reviews/start", post(start_reviews))
        .route("/ratings", get(ratings))
        .route("/statement", get(statement))
        .route("/reports/{file}", get(report))
        .route("/audit", get(audit))
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

/// A review waiting on the caller, at the step they sign.
struct ToSign {
    row: ReviewRow,
    step: String,
}

#[derive(Template)]
#[template(path = "web/inbox.html")]
struct InboxPage {
    nav: Option<Nav>,
    /// The year asked for, else the year under review.
    year: i32,
    appeals: Vec<Appeal>,
    /// Reviews waiting on the caller: of the year asked for, else of every year with any.
    reviews: Vec<ToSign>,
    leaves: Vec<crate::store::Leave>,
    corrections: Vec<crate::store::Correction>,
    /// Months that have ended and are still open (for whoever closes them).
    months: Vec<Month>,
    words: Words,
    /// Leave type id → label.
    leave_labels: std::collections::BTreeMap<String, String>,
}

impl InboxPage {
    fn leave_label(&self, id: &str) -> String {
        self.leave_labels
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// `/inbox`: appeals and review steps waiting on the caller.
async fn inbox(state: Shared<State>, caller: Caller, Query(q): Query<YearQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let waiting = super::waiting_on(&state, &caller).await?;
    let page = call(&state, &caller, move |app, by| {
        // The year's review runs early in the next one.
        let year = app.review_year(q.year);
        let years = match q.year {
            Some(y) => vec![y],
            None => waiting.reviews.iter().map(|(y, _)| *y).collect(),
        };
        let appeals = app.appeals_waiting_on(by)?;
        let mut reviews = Vec::new();
        for year in years {
            for row in app.reviews_waiting_on(by, year)? {
                let Some(step) = row.waiting_on.as_ref().map(|w| w.step.clone()) else {
                    continue;
                };
                reviews.push(ToSign { row, step });
            }
        }
        Ok(InboxPage {
            nav,
            year,
            appeals,
            reviews,
            leaves: app.leaves_waiting_on(by)?,
            corrections: app.corrections_waiting_on(by)?,
            months: waiting.months,
            leave_labels: app.leave_labels()?,
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct CorrectionForm {
    /// `approve` or `reject`.
    outcome: String,
    #[serde(default)]
    reason: String,
}

/// `POST /corrections/ID/decide`: a punch correction approved or rejected.
async fn decide_correction(
    state: Shared<State>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<CorrectionForm>,
) -> Page {
    let approve = f.outcome == "approve";
    call(&state, &caller, move |app, by| {
        app.decide_correction(by, id, approve, &f.reason)
    })
    .await?;
    Ok(see(done("/inbox#corrections", Done::CorrectionDecided)))
}

#[derive(Deserialize)]
struct DecideForm {
    /// `excuse` or `reject`.
    outcome: String,
    reason: String,
}

/// `POST /appeals/ID/decide`.
async fn decide(
    state: Shared<State>,
    caller: Caller,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Page {
    let upheld = f.outcome == "excuse";
    call(&state, &caller, move |app, by| {
        app.decide_appeal(by, id, upheld, &f.reason)
    })
    .await?;
    Ok(see(done("/inbox", Done::AppealDecided)))
}

/// `POST /reviews/EMPLOYEE/sign`.
async fn sign(
    state: Shared<State>,
    caller: Caller,
    Path(employee): Path<String>,
    Form(f): Form<crate::web::Signing>,
) -> Page {
    let year = f.year;
    call(&state, &caller, move |app, by| {
        app.sign_review(by, &employee, f.year, &f.step, &f.grade, &f.comment)
    })
    .await?;
    Ok(see(done(&format!("/inbox?year={year}"), Done::Signed)))
}

#[derive(Template)]
#[template(path = "web/months.html")]
struct MonthsPage {
    nav: Option<Nav>,
    year: i32,
    rows: Vec<BoardMonth>,
}

/// `/months`: the year's months, open or closed, and who is below the pass mark.
async fn months(state: Shared<State>, caller: Caller, Query(q): Query<YearQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let MonthBoard { year, rows } = app.month_board(by, q.year)?;
        Ok(MonthsPage { nav, year, rows })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /months/M/close`.
async fn close(state: Shared<State>, caller: Caller, Path(month): Path<String>) -> Page {
    call(&state, &caller, move |app, by| {
        app.close_month(by, crate::web::parse_month(&month)?)
    })
    .await?;
    Ok(see("/months"))
}

#[derive(Deserialize)]
struct ReasonForm {
    reason: String,
}

/// `POST /months/M/reopen`, with the reason.
async fn reopen(
    state: Shared<State>,
    caller: Caller,
    Path(month): Path<String>,
    Form(f): Form<ReasonForm>,
) -> Page {
    call(&state, &caller, move |app, by| {
        app.reopen_month(by, crate::web::parse_month(&month)?, &f.reason)
    })
    .await?;
    Ok(see("/months"))
}

#[derive(Deserialize)]
struct StartForm {
    year: i32,
}

/// `POST /reviews/start`: the year's reviews (every month of it must be closed).
async fn start_reviews(state: Shared<State>, caller: Caller, Form(f): Form<StartForm>) -> Page {
    let year = f.year;
    call(&state, &caller, move |app, by| {
        app.start_reviews(by, year, None, None, false)
    })
    .await?;
    Ok(see(done(&format!("/inbox?year={year}"), Done::Signed)))
}

#[derive(Template)]
#[template(path = "web/ratings.html")]
struct RatingsPage {
    nav: Option<Nav>,
    year: i32,
    /// The page of the year's ratings found.
    rows: Vec<RatedRow>,
    through: Month,
    /// The department listed, or every one (empty).
    department: String,
    /// Where the page is in its list, the text found, and what its pager keeps.
    list: Listing,
    /// For the filter and the statement's and the recommendation's pickers.
    departments: Vec<crate::domain::staff::Department>,
    /// The month a statement is of by default: the last one that has ended.
    last_month: Month,
    words: Words,
}

#[derive(Deserialize)]
struct RatingsQuery {
    year: Option<i32>,
    #[serde(default)]
    department: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: usize,
}

/// `/ratings?year=&department=&q=&page=`: a page of the year's ratings, found by name or
/// id; the whole sheet with its calibration charts is a download.
async fn ratings(state: Shared<State>, caller: Caller, Query(q): Query<RatingsQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let year = app.review_year(q.year);
        let find = Find::new(&q.q, q.page);
        let department = (!q.department.is_empty()).then_some(q.department.as_str());
        let found = app.ratings_page(by, year, department, &find)?;
        Ok(RatingsPage {
            nav,
            year,
            rows: found.rows,
            through: found.through,
            list: Listing::new(
                find,
                found.pages,
                &[("year", &year.to_string()), ("department", &q.department)],
            ),
            department: q.department,
            departments: app.departments()?,
            last_month: Month::of(app.today()).prev(),
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct StatementQuery {
    department: Option<String>,
    month: Option<String>,
}

/// `/statement?department=&month=`: the department's monthly statement, ready to print.
/// A head sees their own department's by default.
async fn statement(state: Shared<State>, caller: Caller, Query(q): Query<StatementQuery>) -> Page {
    let department = q
        .department
        .or_else(|| caller.actor.department().map(str::to_string));
    let html = call(&state, &caller, move |app, by| {
        let department = department.ok_or_else(|| Error::refused("请选择部门"))?;
        // A month's statement is written once it has ended: the last one, unless asked.
        let month = match q.month.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => crate::web::parse_month(m)?,
            None => Month::of(app.today()).prev(),
        };
        app.statement(by, &department, month, Document::Html)
    })
    .await?;
    Ok(download("text/html; charset=utf-8", None, html))
}

#[derive(Deserialize)]
struct ReportQuery {
    year: Option<i32>,
    employee: Option<String>,
}

/// `/reports/FILE?year=`: `ratings.xlsx`, `ratings.csv`, `ratings.html`, and
/// `recommendation.html?employee=` (the reward/penalty form).
async fn report(
    state: Shared<State>,
    caller: Caller,
    Path(file): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Page {
    let (name, doc) = match file.as_str() {
        "ratings.xlsx" => ("ratings", Document::Xlsx),
        "ratings.csv" => ("ratings", Document::Csv),
        "ratings.html" => ("ratings", Document::Html),
        "recommendation.html" => ("recommendation", Document::Html),
        _ => {
            return Err(super::failed(
                &caller,
                Error::NotFound(Missing::Report(file)),
            ));
        }
    };
    let employee = q.employee;
    let (year, bytes) = call(&state, &caller, move |app, by| {
        let year = app.review_year(q.year);
        let bytes = match (name, employee) {
            ("ratings", _) => app.rating_sheet(by, year, None, None, doc)?,
            (_, Some(e)) => app.recommendation(by, &e, year, doc)?,
            (_, None) => return Err(Error::refused("请填写员工工号")),
        };
        Ok((year, bytes))
    })
    .await?;
    let mime = match doc {
        Document::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Document::Csv => "text/csv; charset=utf-8",
        _ => "text/html; charset=utf-8",
    };
    let attachment = (doc != Document::Html).then(|| format!("{name}-{year}.{}", doc.extension()));
    Ok(download(mime, attachment, bytes))
}

/// A document as the answer; with a file name, as a download.
pub(super) fn download(
    mime: &'static str,
    attachment: Option<String>,
    bytes: Vec<u8>,
) -> axum::response::Response {
    let mut response = ([(header::CONTENT_TYPE, mime)], bytes).into_response();
    if let Some(name) = attachment
        && let Ok(value) = format!("attachment; filename=\"{name}\"").parse()
    {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[derive(Template)]
#[template(path = "web/audit.html")]
struct AuditPage {
    nav: Option<Nav>,
    verification: Verification,
    entries: Vec<AuditEntry>,
    /// Where the next (older) page starts, if there is one.
    older: Option<i64>,
    /// Failed logins of the last hour.
    failures: Vec<crate::store::FailedLogins>,
}

/// How many entries of the log a page shows.
const AUDIT_PAGE: usize = 100;

#[derive(Deserialize)]
struct AuditQuery {
    /// Show the entries before this one.
    before: Option<i64>,
    /// Walk the whole chain and rebuild every pack, not only what was added since.
    #[serde(default)]
    full: bool,
}

/// `/audit?before=&full=`: whether the record is intact (what was added since the last
/// verification, or everything), a page of the log, newest first, and failed logins.
async fn audit(state: Shared<State>, caller: Caller, Query(q): Query<AuditQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let verification = if q.full {
            app.verify(by)?
        } else {
            app.verify_since_last(by)?
        };
        // One more than a page says whether there is an older one.
        let mut entries = app.audit_page(by, q.before, AUDIT_PAGE + 1)?;
        let more = entries.len() > AUDIT_PAGE;
        entries.truncate(AUDIT_PAGE);
        let older = more.then(|| entries.last().map(|e| e.id)).flatten();
        let failures = app.login_failures(by)?;
        Ok(AuditPage {
            nav,
            verification,
            entries,
            older,
            failures,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}
