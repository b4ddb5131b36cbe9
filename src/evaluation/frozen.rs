//! The closed months an evaluation reads from their snapshots, each parsed on a thread of
//! its own as the employees' windows reach it: a window holds the frozen scores of its own
//! employees only, never a whole month (a closed month of 100,000 staff parsed whole took
//! several hundred MiB, and a year end reads twelve).

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::domain::month::Month;
use crate::domain::staff::StaffRecord;
use crate::engine::{MonthFigures, MonthScore};
use crate::store::SnapshotStream;

/// What an evaluation keeps of each month: its whole score, or the figures a rating takes
/// from it. A closed month's snapshot is read as either.
pub(super) trait Kept: serde::de::DeserializeOwned + Clone + Send + 'static {
    /// What is kept of a month scored from the log.
    fn scored(score: MonthScore) -> Self;
    fn employee(&self) -> &str;
}

impl Kept for MonthScore {
    fn scored(score: MonthScore) -> Self {
        score
    }

    fn employee(&self) -> &str {
        &self.employee
    }
}

impl Kept for MonthFigures {
    fn scored(score: MonthScore) -> Self {
        MonthFigures::of(&score)
    }

    fn employee(&self) -> &str {
        &self.employee
    }
}

/// What a snapshot's thread sends: a month, or why the snapshot could not be read.
type Sent<M> = Result<M, crate::store::Error>;

/// Why a window's frozen scores could not be had.
#[derive(Debug)]
pub(super) enum Unread {
    Store(crate::store::Error),
    /// The snapshot's scores are not in employee order: this employee came after a later one.
    OutOfOrder(String),
}

/// One closed month's snapshot, read in employee order.
pub(super) struct Frozen<M> {
    pub(super) month: Month,
    scores: Receiver<Sent<M>>,
    /// The first month past the last window, kept for the next.
    ahead: Option<M>,
    /// The employee of the last score taken, to hold the snapshot to employee order.
    last: Option<String>,
}

/// Reads `stream` on its own thread of `scope`, a bounded number of scores ahead of the
/// windows (`ahead`); the thread stops when the [`Frozen`] is dropped.
pub(super) fn spawn<'s, M: Kept>(
    scope: &'s std::thread::Scope<'s, '_>,
    month: Month,
    stream: SnapshotStream,
    ahead: usize,
) -> Frozen<M> {
    let (send, scores) = sync_channel(ahead);
    scope.spawn(move || read(&stream, &send));
    Frozen {
        month,
        scores,
        ahead: None,
        last: None,
    }
}

fn read<M: Kept>(stream: &SnapshotStream, send: &SyncSender<Sent<M>>) {
    // A send fails only when the evaluation has ended (done, or failed elsewhere).
    if let Err(e) = stream.each(|score| send.send(Ok(score)).is_ok()) {
        let _ = send.send(Err(e));
    }
}

impl<M: Kept> Frozen<M> {
    /// The frozen months of the employees of `window` (in employee order), by employee.
    pub(super) fn window(&mut self, window: &[StaffRecord]) -> Result<BTreeMap<String, M>, Unread> {
        let mut out = BTreeMap::new();
        let Some(end) = window.last().map(|e| e.id.as_str()) else {
            return Ok(out);
        };
        loop {
            let score = match self.ahead.take() {
                Some(s) => s,
                None => match self.scores.recv() {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => return Err(Unread::Store(e)),
                    // The snapshot is read to its end.
                    Err(_) => break,
                },
            };
            let employee = score.employee();
            if self.last.as_deref().is_some_and(|l| l >= employee) {
                return Err(Unread::OutOfOrder(employee.to_string()));
            }
            if employee > end {
                self.ahead = Some(score);
                break;
            }
            self.last = Some(employee.to_string());
            if window
                .binary_search_by(|e| e.id.as_str().cmp(employee))
                .is_ok()
            {
                out.insert(employee.to_string(), score);
            }
        }
        Ok(out)
    }
}
