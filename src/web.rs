//! The web workplace (`appraise serve`): server-rendered pages for people and `/api/v1` for
//! programs, over the same database as the command line. Like the command line it only
//! translates: a request becomes an [`Actor`](crate::app::Actor) (from its session) and one
//! [`App`] call, run on the blocking pool because SQLite and the engine block; the answer
//! becomes a page or JSON. Who may do what is decided by `app` through `access`, never here.
//!
//! - `auth`: sessions (cookie or bearer token), the CSRF check on every cookie-borne write,
//!   login and logout;
//! - `api`: the JSON routes;
//! - `pages`: the HTML pages, one set per role's work;
//! - `reply`: how an application error becomes a status and a body.

mod api;
mod auth;
mod entries;
mod outbox;
mod pages;
mod reply;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use chrono::{Local, NaiveDate};

use crate::app::{self, App};

pub use auth::SESSION_COOKIE;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The workspace's database.
    pub db: PathBuf,
    /// A fixed "today" (for reproducible runs and tests); `None` reads the clock on every
    /// request, so a server left running moves on to the next day.
    pub today: Option<NaiveDate>,
    /// Mark cookies `Secure` whatever the request says (served over TLS).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed: the client's
    /// address (for the login throttle) and HTTPS (for `Secure` cookies) come from them.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// What every handler shares.
#[derive(Debug, Clone)]
struct State {
    config: Arc<Config>,
    /// The workspace; each request sees it on its own day.
    app: App,
    /// Held by each request that writes, in arrival order: SQLite lets one writer in at a
    /// time, and a writer kept out polls with growing sleeps, so queueing here instead
    /// keeps the wait fair and short.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Entries, recorded a batch per commit (see `entries`).
    entries: entries::Entries,
    /// The worker that delivers notices (see `outbox`).
    outbox: outbox::Outbox,
}

impl State {
    /// The workspace as of now.
    fn app(&self) -> App {
        today_of(&self.app, &self.config)
    }

    /// Records an entry with whatever other entries are waiting (see `entries`).
    async fn add_event(
        &self,
        by: app::Actor,
        entry: app::Entry,
        again: bool,
    ) -> app::Result<app::Recorded> {
        self.entries.add(by, entry, again).await
    }

    /// Runs an application call on the blocking pool.
    async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&App) -> app::Result<T> + Send + 'static,
    ) -> app::Result<T> {
        let app = self.app();
        tokio::task::spawn_blocking(move || f(&app))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }
}

/// A review step signed, as the API's JSON and the inbox's form both send it.
#[derive(Debug, serde::Deserialize)]
struct Signing {
    year: i32,
    step: String,
    grade: String,
    #[serde(default)]
    comment: String,
}

/// `app` on the server's today: the configured one, or the clock's.
fn today_of(app: &App, config: &Config) -> App {
    app.on(config.today.unwrap_or_else(|| Local::now().date_naive()))
}

/// A month given in a path or query (`YYYY-MM`); a bad one is refused saying so.
fn parse_month(text: &str) -> app::Result<crate::domain::month::Month> {
    text.parse()
        .map_err(|_: crate::domain::month::ParseMonthError| {
            app::Error::refused(format!(
                "“{}”不是月份；请按 2025-03 的格式填写",
                crate::domain::text::clip(text)
            ))
        })
}

/// Every route of the workplace; starts the thread that records entries.
pub fn router(config: Config) -> std::io::Result<Router> {
    let app = App::new(
        &config.db,
        config.today.unwrap_or_else(|| Local::now().date_naive()),
    );
    let config = Arc::new(config);
    let writer = Arc::default();
    let entries = entries::Entries::start(Arc::clone(&writer), {
        let (app, config) = (app.clone(), Arc::clone(&config));
        move || today_of(&app, &config)
    })?;
    let outbox = outbox::Outbox::start({
        let (app, config) = (app.clone(), Arc::clone(&config));
        move || today_of(&app, &config)
    })?;
    let state = State {
        app,
        config,
        writer,
        entries,
        outbox,
    };
    Ok(Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(api::routes())
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            one_writer,
        ))
        .layer(axum::middleware::from_fn(auth::csrf_guard))
        .layer(axum::middleware::from_fn(auth::security_headers))
        .with_state(state))
}

/// Lets the requests that change something (every method but GET and HEAD) in one at a
/// time, first come first served. Entries (`POST /api/v1/events`, `POST /day/EMPLOYEE`)
/// pass: they queue for `entries`, which takes the same turn for each batch. After each
/// write the delivery worker is woken.
async fn one_writer(
    axum::extract::State(state): axum::extract::State<State>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    let entry = path == "/api/v1/events" || path.starts_with("/day/");
    let reading = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    if reading {
        return next.run(req).await;
    }
    let answer = if entry {
        next.run(req).await
    } else {
        let _turn = state.writer.lock().await;
        next.run(req).await
    };
    // A write may have put notices in the outbox.
    state.outbox.ring();
    answer
}

/// Serves the workplace on `listener` until the process ends (or ctrl-c).
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(config)?.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// Binds `listen` and serves on a runtime of its own: what `appraise serve` runs.
/// `started` is told the address bound (port 0 picks a free one).
pub fn run(listen: &str, config: Config, started: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        started(listener.local_addr()?);
        serve(listener, config).await
    })
}
