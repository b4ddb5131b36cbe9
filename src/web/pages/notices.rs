//! Notices in the browser: HR's board (通知: channels, the outbox with what failed, the
//! company's settings) and each person's choices of the optional kinds (通知设置).

use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Path, State as Shared};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Router};

use super::{Done, Nav, Page, Words, call, done, render, see};
use crate::app::NoticeBoard;
use crate::domain::notice::{ChannelKind, NoticeKind};
use crate::store::Channel;
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/notices", get(board))
        .route("/notices/channels", post(add_channel))
        .route("/notices/channels/{name}/test", post(test))
        .route("/notices/settings", post(settings))
        .route("/notices/mine", get(mine).post(save_mine))
}

#[derive(Template)]
#[template(path = "web/notices.html")]
struct BoardPage {
    nav: Option<Nav>,
    b: NoticeBoard,
    kinds: [ChannelKind; 5],
    departments: Vec<(String, String)>,
    words: Words,
}

impl BoardPage {
    /// A kind's label for a notice row (its id when it is no kind's).
    fn kind_label(&self, kind: &str) -> String {
        kind.parse::<NoticeKind>()
            .map_or_else(|_| kind.to_string(), |k| k.label().to_string())
    }
}

/// `GET /notices`: HR's board.
async fn board(state: Shared<State>, caller: Caller) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        Ok(BoardPage {
            nav,
            b: app.notice_board(by)?,
            kinds: crate::app::App::channel_kinds(),
            departments: app
                .departments()?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// The form's fields, a repeated one (`kind`) kept whole.
type Pairs = Vec<(String, String)>;

fn field(pairs: &Pairs, name: &str) -> String {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// The kinds checked in the form.
fn kinds_checked(pairs: &Pairs) -> BTreeSet<NoticeKind> {
    pairs
        .iter()
        .filter(|(k, _)| k == "kind")
        .filter_map(|(_, v)| v.parse().ok())
        .collect()
}

/// `POST /notices/channels`: a channel added (or replaced).
async fn add_channel(state: Shared<State>, caller: Caller, Form(f): Form<Pairs>) -> Page {
    call(&state, &caller, move |app, by| {
        let given = field(&f, "kind");
        let kind: ChannelKind = given
            .parse()
            .map_err(|_| crate::app::Invalid::UnknownChannelKind(given))?;
        let secret = Some(field(&f, "secret")).filter(|s| !s.is_empty());
        let department = Some(field(&f, "department")).filter(|s| !s.is_empty());
        app.add_channel(
            by,
            Channel {
                name: field(&f, "name"),
                kind,
                target: field(&f, "to"),
                secret,
                department,
                added_by: by.name().to_string(),
                added_at: String::new(),
            },
        )
    })
    .await?;
    Ok(see(done("/notices#channels", Done::ChannelSaved)))
}

/// `POST /notices/channels/NAME/test`: a test message through one channel.
async fn test(
    state: Shared<State>,
    caller: Caller,
    Path(name): Path<String>,
    Form(f): Form<Pairs>,
) -> Page {
    call(&state, &caller, move |app, by| {
        let to = Some(field(&f, "to")).filter(|t| !t.is_empty());
        app.test_channel(by, &name, to.as_deref())
    })
    .await?;
    Ok(see(done("/notices#channels", Done::NoticeTested)))
}

/// `POST /notices/settings`: the company's settings.
async fn settings(state: Shared<State>, caller: Caller, Form(f): Form<Pairs>) -> Page {
    call(&state, &caller, move |app, by| {
        app.save_notice_settings(
            by,
            &field(&f, "base_url"),
            &field(&f, "give_up_hours"),
            field(&f, "keep_photo_location") == "1",
            &kinds_checked(&f),
        )
    })
    .await?;
    Ok(see(done("/notices#settings", Done::SettingsSaved)))
}

#[derive(Template)]
#[template(path = "web/my_notices.html")]
struct MinePage {
    nav: Option<Nav>,
    kinds: Vec<(NoticeKind, bool)>,
}

/// `GET /notices/mine`: one's own choices.
async fn mine(state: Shared<State>, caller: Caller) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        Ok(MinePage {
            nav,
            kinds: app.my_notices(by)?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /notices/mine`.
async fn save_mine(state: Shared<State>, caller: Caller, Form(f): Form<Pairs>) -> Page {
    call(&state, &caller, move |app, by| {
        app.save_my_notices(by, &kinds_checked(&f))
    })
    .await?;
    Ok(see(done("/notices/mine", Done::SettingsSaved)))
}
