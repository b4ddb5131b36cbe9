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
mod schedule;
mod watch;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::app::{self, App};

pub use auth::SESSION_COOKIE;
pub use schedule::Backups;

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
    /// The company's offset from UTC: what day it is and when the nightly backup runs.
    /// `None`: the server's own zone.
    pub utc_offset: Option<FixedOffset>,
    /// How long a stopping server waits for the requests in flight.
    pub shutdown_grace: Duration,
    /// The backup folder (whose newest copy's age `/metrics` tells) and the nightly copy.
    pub backups: Option<Backups>,
}

impl Config {
    /// A server of `db` on the clock's day, with every other setting at its default.
    pub fn new(db: impl Into<PathBuf>) -> Config {
        Config {
            db: db.into(),
            today: None,
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            utc_offset: None,
            shutdown_grace: Duration::from_secs(30),
            backups: None,
        }
    }

    /// Now on the company's clock.
    fn now(&self) -> DateTime<FixedOffset> {
        app::service::company_now(self.utc_offset)
    }
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
    /// What `/metrics` serves (see `watch`).
    metrics: watch::Metrics,
    /// The nightly backup, when configured; the thread ends with the last clone.
    _schedule: Option<Arc<schedule::Schedule>>,
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

/// `app` on the server's today: the configured one, or the company clock's.
fn today_of(app: &App, config: &Config) -> App {
    app.on(config.today.unwrap_or_else(|| config.now().date_naive()))
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
        config.today.unwrap_or_else(|| config.now().date_naive()),
    );
    let config = Arc::new(config);
    let writer = Arc::default();
    let metrics = watch::Metrics::new();
    let on_today = || {
        let (app, config) = (app.clone(), Arc::clone(&config));
        move || today_of(&app, &config)
    };
    let entries = entries::Entries::start(Arc::clone(&writer), metrics.clone(), on_today())?;
    let outbox = outbox::Outbox::start(metrics.clone(), on_today())?;
    let schedule = match &config.backups {
        Some(backups) => schedule::start(
            backups.clone(),
            metrics.clone(),
            {
                let config = Arc::clone(&config);
                move || config.now()
            },
            on_today(),
        )?,
        None => None,
    };
    let state = State {
        app,
        config,
        writer,
        entries,
        outbox,
        metrics,
        _schedule: schedule.map(Arc::new),
    };
    Ok(Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(watch::ready))
        .route("/metrics", get(watch::metrics))
        .merge(api::routes())
        .merge(pages::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            one_writer,
        ))
        .layer(axum::middleware::from_fn(auth::csrf_guard))
        .layer(axum::middleware::from_fn(auth::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            watch::observe,
        ))
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

/// Serves the workplace on `listener` until `stop` completes, then stops taking
/// connections and waits for the requests in flight (an entry is answered only once it is
/// committed, so every entry acknowledged is stored) for at most the configured grace.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = config.shutdown_grace;
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        router(config)?.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        tracing::info!(target: "appraise::serve", "stopping: no new connections; finishing the requests in flight");
        let _ = stopping.send(());
    })
    .into_future();
    let overdue = async move {
        match stopped.await {
            Ok(()) => tokio::time::sleep(grace).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        done = server => done,
        () = overdue => {
            tracing::warn!(target: "appraise::serve", "requests still in flight after {} s; stopping anyway", grace.as_secs());
            Ok(())
        }
    }
}

/// Completes at SIGTERM (what systemd sends to stop a service) or ctrl-c. The SIGTERM
/// handler is installed here, before the server says it is up, so that a stop sent at
/// once is not the default action (an abrupt end).
fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    Ok(async move {
        #[cfg(unix)]
        let term = term.recv();
        #[cfg(not(unix))]
        let term = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    })
}

/// Binds `listen` and serves on a runtime of its own until SIGTERM or ctrl-c: what
/// `appraise serve` runs. `started` is told the address bound (port 0 picks a free one).
pub fn run(listen: &str, config: Config, started: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let stop = stop_signal()?;
        started(listener.local_addr()?);
        serve(listener, config, stop).await
    });
    // A request still computing past the grace (a company's rating sheet, say) runs on the
    // blocking pool, which dropping the runtime would wait for without end.
    runtime.shutdown_timeout(Duration::from_secs(1));
    served
}
