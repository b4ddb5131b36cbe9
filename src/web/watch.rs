//! What an operator watches: a log line per request (through `tracing`: method, route,
//! status, milliseconds and the login, never a password, token or secret) and the metrics
//! `GET /metrics` serves in Prometheus's text format (requests by route and status, their
//! latency, entries stored and the group commits' batch sizes, the notice outbox, the
//! backups, the database's size). Routes are counted by their pattern (`/explain/{id}`), so
//! the metrics stay as few as the routes whatever the traffic.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{MatchedPath, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use super::State;

/// Every metric the server keeps, registered once.
#[derive(Clone)]
pub(super) struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    entries: IntCounter,
    batches: Histogram,
    notices: IntGaugeVec,
    delivery_failures: IntCounter,
    backups: IntCounterVec,
    backup_age: IntGauge,
    database_bytes: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Latency buckets, in seconds: a page answers in milliseconds; a rating sheet of a large
/// company takes seconds.
const LATENCY: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Entries per group commit, up to its bound (512).
const BATCH: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 512.0];

impl Metrics {
    pub(super) fn new() -> Metrics {
        let r = Registry::new();
        Metrics {
            requests: add(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "appraise_http_requests_total",
                        "Requests answered, by route pattern, method and status.",
                    ),
                    &["route", "method", "status"],
                ),
            ),
            latency: add(
                &r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "appraise_http_request_duration_seconds",
                        "Time from a request's arrival to its answer, by route pattern.",
                    )
                    .buckets(LATENCY.to_vec()),
                    &["route"],
                ),
            ),
            entries: add(
                &r,
                IntCounter::with_opts(Opts::new(
                    "appraise_entries_stored_total",
                    "Events entered through the web and the API and committed.",
                )),
            ),
            batches: add(
                &r,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "appraise_entry_batch_size",
                        "Entries committed together by one group commit.",
                    )
                    .buckets(BATCH.to_vec()),
                ),
            ),
            notices: add(
                &r,
                IntGaugeVec::new(
                    Opts::new(
                        "appraise_outbox_notices",
                        "Notices in the outbox, by state (pending, sent, failed).",
                    ),
                    &["state"],
                ),
            ),
            delivery_failures: add(
                &r,
                IntCounter::with_opts(Opts::new(
                    "appraise_notice_delivery_failures_total",
                    "Notices that failed for good since the server started.",
                )),
            ),
            backups: add(
                &r,
                IntCounterVec::new(
                    Opts::new(
                        "appraise_backups_total",
                        "Scheduled backups since the server started, by outcome (ok, failed).",
                    ),
                    &["outcome"],
                ),
            ),
            backup_age: add(
                &r,
                IntGauge::with_opts(Opts::new(
                    "appraise_backup_age_seconds",
                    "Seconds since the newest copy in the backup folder was written; -1 without a folder or a copy.",
                )),
            ),
            database_bytes: add(
                &r,
                IntGauge::with_opts(Opts::new(
                    "appraise_database_bytes",
                    "The database file and its write-ahead log, in bytes.",
                )),
            ),
            registry: r,
        }
    }

    /// A group commit stored `stored` of the `batch` entries it took.
    pub(super) fn committed(&self, batch: usize, stored: usize) {
        self.batches.observe(batch as f64);
        self.entries.inc_by(stored as u64);
    }

    /// The delivery worker gave up on `failed` notices.
    pub(super) fn delivery_failed(&self, failed: usize) {
        self.delivery_failures.inc_by(failed as u64);
    }

    /// A scheduled backup ended.
    pub(super) fn backed_up(&self, ok: bool) {
        self.backups
            .with_label_values(&[if ok { "ok" } else { "failed" }])
            .inc();
    }

    /// The text Prometheus reads, with what is read at each scrape brought up to date.
    fn render(&self, vitals: &crate::app::Vitals, last_backup: Option<SystemTime>) -> String {
        for state in ["pending", "sent", "failed"] {
            let n = vitals.notices.get(state).copied().unwrap_or(0);
            self.notices.with_label_values(&[state]).set(n);
        }
        self.database_bytes
            .set(i64::try_from(vitals.database_bytes).unwrap_or(i64::MAX));
        let age = last_backup
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .map_or(-1, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        self.backup_age.set(age);
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("the text encoding of gathered metrics does not fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// `made`, registered with `r`: each metric once, under a name of its own.
fn add<M: prometheus::core::Collector + Clone + 'static>(
    r: &Registry,
    made: prometheus::Result<M>,
) -> M {
    let m = made.expect("a metric's name and labels are valid");
    r.register(Box::new(m.clone()))
        .expect("each metric is registered once, under a name of its own");
    m
}

/// Who a request turned out to be, filled in by the session check (`auth`) for the log
/// line: the log names the login, never the token that proved it.
#[derive(Debug, Clone, Default)]
pub(super) struct LoginSeen(Arc<OnceLock<String>>);

impl LoginSeen {
    /// The request's login (the first one named: a request has one).
    pub(super) fn set(&self, login: &str) {
        let _ = self.0.set(login.to_string());
    }

    fn get(&self) -> &str {
        self.0.get().map_or("-", String::as_str)
    }
}

/// Counts and times every request and writes its log line.
pub(super) async fn observe(
    AxumState(state): AxumState<State>,
    mut req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |m| m.as_str().to_string());
    let method = req.method().clone();
    let seen = LoginSeen::default();
    req.extensions_mut().insert(seen.clone());
    let answer = next.run(req).await;
    let took = started.elapsed();
    let status = answer.status().as_u16();
    let m = &state.metrics;
    let status_label = status.to_string();
    m.requests
        .with_label_values(&[route.as_str(), method.as_str(), status_label.as_str()])
        .inc();
    m.latency
        .with_label_values(&[route.as_str()])
        .observe(took.as_secs_f64());
    // Tenths of a millisecond are as fine as a person reading the log needs.
    let ms = (took.as_secs_f64() * 10_000.0).round() / 10.0;
    tracing::info!(
        target: "appraise::http",
        method = %method,
        route = %route,
        status,
        ms,
        login = %seen.get()
    );
    answer
}

/// `GET /metrics`: the Prometheus text format.
pub(super) async fn metrics(AxumState(state): AxumState<State>) -> Response {
    let backup_dir = state.config.backups.as_ref().map(|b| b.dir.clone());
    let read = state
        .call(move |app| {
            let vitals = app.vitals()?;
            let last = backup_dir
                .as_deref()
                .and_then(crate::app::backups::last_backup);
            Ok((vitals, last))
        })
        .await;
    match read {
        Ok((vitals, last)) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            state.metrics.render(&vitals, last),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(target: "appraise::http", "metrics: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
    }
}

/// `GET /readyz`: whether the database answers, within a few seconds (`/healthz` only says
/// the process serves).
pub(super) async fn ready(AxumState(state): AxumState<State>) -> Response {
    let answered =
        tokio::time::timeout(Duration::from_secs(5), state.call(|app| app.vitals())).await;
    match answered {
        Ok(Ok(_)) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(target: "appraise::http", "not ready: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the database did not answer within 5 s\n",
        )
            .into_response(),
    }
}
