//! The nightly backup: a thread that writes a dated, verified copy into the backup folder
//! every day at the configured time (company time), removing the oldest beyond the number
//! kept, and says how it went in the log and the metrics. It ends with the server.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime};

use super::watch::Metrics;
use crate::app::{Actor, App};

/// Where backups go and when the server writes one.
#[derive(Debug, Clone, PartialEq)]
pub struct Backups {
    pub dir: PathBuf,
    pub keep: usize,
    /// The time of day of the nightly copy; `None`: the server writes none (a cron job
    /// running `appraise backup --dir` may), but `/metrics` still tells the newest one's age.
    pub at: Option<NaiveTime>,
}

/// The running schedule; dropping it ends the thread.
#[derive(Debug)]
pub(super) struct Schedule {
    _stop: mpsc::SyncSender<()>,
}

/// Starts the nightly backup when `backups` has a time; `now` is the company's clock.
pub(super) fn start(
    backups: Backups,
    metrics: Metrics,
    now: impl Fn() -> DateTime<FixedOffset> + Send + 'static,
    app: impl Fn() -> App + Send + 'static,
) -> std::io::Result<Option<Schedule>> {
    let Some(at) = backups.at else {
        return Ok(None);
    };
    let (stop, stopped) = mpsc::sync_channel::<()>(0);
    std::thread::Builder::new()
        .name("appraise-backups".into())
        .spawn(move || {
            let mut next = first_after(now().naive_local(), at);
            loop {
                let wait = (next - now().naive_local())
                    .to_std()
                    .unwrap_or(Duration::ZERO);
                match stopped.recv_timeout(wait) {
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => break,
                }
                let taken = now().naive_local();
                match app().backup_into(&Actor::owner(), &backups.dir, backups.keep, taken) {
                    Ok(k) => {
                        metrics.backed_up(true);
                        tracing::info!(
                            target: "appraise::backup",
                            path = %k.path.display(),
                            removed = k.removed.len(),
                            head = %k.head,
                            "backup written and verified"
                        );
                    }
                    Err(e) => {
                        metrics.backed_up(false);
                        tracing::error!(target: "appraise::backup", "the nightly backup failed: {e}");
                    }
                }
                // The next day's, even if this one ran long or the clock moved.
                next = first_after(taken.max(next), at);
            }
        })?;
    Ok(Some(Schedule { _stop: stop }))
}

/// The first time of day `at` after `now`.
fn first_after(now: NaiveDateTime, at: NaiveTime) -> NaiveDateTime {
    let today = now.date().and_time(at);
    if today > now {
        today
    } else {
        today + chrono::Days::new(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_backup_is_later_today_or_tomorrow() {
        let at = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(
            first_after(t("2026-03-01 01:00:00"), at),
            t("2026-03-01 02:30:00")
        );
        assert_eq!(
            first_after(t("2026-03-01 02:30:00"), at),
            t("2026-03-02 02:30:00")
        );
        assert_eq!(
            first_after(t("2026-12-31 23:00:00"), at),
            t("2027-01-01 02:30:00")
        );
    }
}
