//! The delivery worker: a thread that delivers the outbox while the server runs, woken by
//! every write (so a notice leaves within moments of its change) and at least every few
//! seconds (for retries and rate-limited notices coming due); once a minute it also writes
//! the notices no change carries (reminders, digests). It ends with the server.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::watch::Metrics;
use crate::app::App;

/// How long the worker sleeps when nothing wakes it.
const IDLE: Duration = Duration::from_secs(5);

/// How often reminders and digests are looked for.
const DUE_EVERY: Duration = Duration::from_secs(60);

/// The bell that wakes the worker; the worker stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub(super) struct Outbox {
    bell: mpsc::SyncSender<()>,
}

impl Outbox {
    /// Starts the worker, delivering in the workspace as `app` makes it at the time.
    pub(super) fn start(
        metrics: Metrics,
        app: impl Fn() -> App + Send + 'static,
    ) -> std::io::Result<Outbox> {
        // One ring waiting is enough: a worker about to run sees every write before it.
        let (bell, rung) = mpsc::sync_channel::<()>(1);
        std::thread::Builder::new()
            .name("appraise-outbox".into())
            .spawn(move || {
                let mut due_at = Instant::now();
                loop {
                    match rung.recv_timeout(IDLE) {
                        Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        Ok(()) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                    }
                    let app = app();
                    if Instant::now() >= due_at {
                        due_at = Instant::now() + DUE_EVERY;
                        if let Err(e) = app.queue_due_notices() {
                            tracing::error!(target: "appraise::notify", "notices due today: {e}");
                        }
                    }
                    // Round after round while the outbox has due notices.
                    loop {
                        match app.deliver_round() {
                            Ok(r) if r.sent + r.retried + r.failed > 0 => {
                                metrics.delivery_failed(r.failed);
                                continue;
                            }
                            Ok(_) => break,
                            Err(e) => {
                                tracing::error!(target: "appraise::notify", "delivering notices: {e}");
                                break;
                            }
                        }
                    }
                }
            })?;
        Ok(Outbox { bell })
    }

    /// Wakes the worker: something was written.
    pub(super) fn ring(&self) {
        let _ = self.bell.try_send(());
    }
}
