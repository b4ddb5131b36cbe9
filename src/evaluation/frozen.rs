//! The closed months an evaluation reads from their snapshots, each parsed on a thread of
//! its own as the employees' windows reach it: a window holds the frozen scores of its own
//! employees only, never a whole month (a closed month of 100,000 staff parsed whole took
//! several hundred MiB, and a year end reads twelve).

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::domain::month::Month;
use crate::domain::staff::StaffRecord;
use crate::engine::MonthScore;
use crate::store::SnapshotStream;

/// What a snapshot's thread sends: a score, or why the snapshot could not be read.
type Sent = Result<MonthScore, crate::store::Error>;

/// Why a window's frozen scores could not be had.
#[derive(Debug)]
pub(super) enum Unread {
    Store(crate::store::Error),
    /// The snapshot's scores are not in employee order: this employee came after a later one.
    OutOfOrder(String),
}

/// One closed month's snapshot, read in employee order.
pub(super) struct Frozen {
    pub(super) month: Month,
    scores: Receiver<Sent>,
    /// The first score past the last window, kept for the next.
    ahead: Option<MonthScore>,
    /// The employee of the last score taken, to hold the snapshot to employee order.
    last: Option<String>,
}

/// Reads `stream` on its own thread of `scope`, a bounded number of scores ahead of the
/// windows (`ahead`); the thread stops when the [`Frozen`] is dropped.
pub(super) fn spawn<'s>(
    scope: &'s std::thread::Scope<'s, '_>,
    month: Month,
    stream: SnapshotStream,
    ahead: usize,
) -> Frozen {
    let (send, scores) = sync_channel(ahead);
    scope.spawn(move || read(&stream, &send));
    Frozen {
        month,
        scores,
        ahead: None,
        last: None,
    }
}

fn read(stream: &SnapshotStream, send: &SyncSender<Sent>) {
    // A send fails only when the evaluation has ended (done, or failed elsewhere).
    if let Err(e) = stream.each(|score| send.send(Ok(score)).is_ok()) {
        let _ = send.send(Err(e));
    }
}

impl Frozen {
    /// The frozen scores of the employees of `window` (in employee order), by employee.
    pub(super) fn window(
        &mut self,
        window: &[StaffRecord],
    ) -> Result<BTreeMap<String, MonthScore>, Unread> {
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
            if self.last.as_deref().is_some_and(|l| *l >= *score.employee) {
                return Err(Unread::OutOfOrder(score.employee));
            }
            if score.employee.as_str() > end {
                self.ahead = Some(score);
                break;
            }
            self.last = Some(score.employee.clone());
            if window
                .binary_search_by(|e| e.id.as_str().cmp(&score.employee))
                .is_ok()
            {
                out.insert(score.employee.clone(), score);
            }
        }
        Ok(out)
    }
}
