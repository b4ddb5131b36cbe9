//! An employee's record as they (and whoever looks after them) see it: the year's months,
//! every point of a month with its rule, event and note, their appeals (申诉) and how each
//! was decided, and where their review stands.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;

use super::{Done, FormPost, Nav, Page, Words, call, render, see};
use crate::app::{Error, Missing, PersonMonth, PersonYear};
use crate::report::{ReviewRow, YearExplanation};
use crate::store::Appeal;
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> axum::Router<State> {
    Router::new()
        .route("/me", get(me))
        .route("/people/{employee}", get(person))
        .route("/people/{employee}/{month}", get(month_page))
        .route(
            "/events/{id}/appeal",
            post(appeal).layer(axum::extract::DefaultBodyLimit::max(super::PHOTOS_BODY)),
        )
        .route("/photos/{sha256}", get(photo))
}

/// `GET /photos/SHA256`: a photo attached as evidence, to whoever may see an event it is
/// evidence of (403 to anyone else). Its name is its content: it never changes.
async fn photo(state: Shared<State>, caller: Caller, Path(sha256): Path<String>) -> Page {
    let (mime, bytes) = call(&state, &caller, move |app, by| app.photo(by, &sha256)).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, mime),
            (
                axum::http::header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `/me`: one's own record.
async fn me(caller: Caller) -> Page {
    match caller.actor.employee() {
        Some(e) => Ok(see(format!("/people/{e}"))),
        None => Err(super::failed(
            &caller,
            Error::NotFound(Missing::OwnRecord(caller.actor.name().to_string())),
        )),
    }
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i32>,
}

#[derive(Template)]
#[template(path = "web/person.html")]
struct PersonPage {
    nav: Option<Nav>,
    year: i32,
    employee: String,
    /// `None` when no month of the year is rated yet.
    year_view: Option<YearExplanation>,
    appeals: Vec<Appeal>,
    reviews: Vec<ReviewRow>,
    words: Words,
}

/// `/people/EMPLOYEE?year=`: the year's months, appeals and reviews.
async fn person(
    state: Shared<State>,
    caller: Caller,
    Path(employee): Path<String>,
    Query(q): Query<YearQuery>,
) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let PersonYear {
            year,
            explained: year_view,
            appeals,
            reviews,
        } = app.person_year(by, &employee, q.year)?;
        Ok(PersonPage {
            nav,
            year,
            employee,
            year_view,
            appeals,
            reviews,
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "web/month.html")]
struct MonthPage {
    nav: Option<Nav>,
    m: PersonMonth,
    words: Words,
}

/// `/people/EMPLOYEE/YYYY-MM`: every point of the month, each event with its note, fields
/// and who entered it, and an appeal where one can succeed.
async fn month_page(
    state: Shared<State>,
    caller: Caller,
    Path((employee, month)): Path<(String, String)>,
) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        Ok(MonthPage {
            nav,
            m: app.person_month(by, &employee, crate::web::parse_month(&month)?)?,
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /events/ID/appeal`: the employee's appeal, with the reason and any photos.
async fn appeal(
    state: Shared<State>,
    caller: Caller,
    Path(id): Path<i64>,
    FormPost { pairs, photos }: FormPost,
) -> Page {
    let field = |name: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (reason, back) = (field("reason"), field("back"));
    call(&state, &caller, move |app, by| {
        app.file_appeal_with_photos(by, id, &reason, photos)
    })
    .await?;
    Ok(see(super::done(
        super::back_to(&back, "/me"),
        Done::Appealed,
    )))
}
