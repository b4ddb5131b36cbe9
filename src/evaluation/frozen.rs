//! The closed months an evaluation reads from their snapshots, each parsed on a thread of
//! its own as the employees' windows reach it: a window holds the frozen scores of its own
//! employees only, never a whole month (a closed month of 100,000 staff parsed whole took
//! several hundred MiB, and a year end reads twelve).

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

/// One closed month's snapshot, read in employee order.
pub(super) struct Frozen<M> {
    pub(super) month: Month,
    scores: Receiver<Sent<M>>,
    /// The first month past the last window, kept for the next.
    ahead: Option<M>,
    /// The employee of the last score taken (empty before the first), to hold the
    /// snapshot to employee order.
    last: String,
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
        last: String::new(),
    }
}

fn read<M: Kept>(stream: &SnapshotStream, send: &SyncSender<Sent<M>>) {
    // A send fails only when the evaluation has ended (done, or failed elsewhere).
    if let Err(e) = stream.each(|score| send.send(Ok(score)).is_ok()) {
        let _ = send.send(Err(e));
    }
}

impl<M: Kept> Frozen<M> {
    /// The frozen months of the employees of `window` (in employee order), each with the
    /// employee's place in the window. A snapshot whose scores are not in employee order
    /// was changed past appraise: that is an error naming the month.
    pub(super) fn window(
        &mut self,
        window: &[StaffRecord],
    ) -> Result<Vec<(usize, M)>, crate::store::Error> {
        let mut out = Vec::new();
        let Some(end) = window.last().map(|e| e.id.as_str()) else {
            return Ok(out);
        };
        loop {
            let score = match self.ahead.take() {
                Some(s) => s,
                None => match self.scores.recv() {
                    Ok(s) => s?,
                    // The snapshot is read to its end.
                    Err(_) => break,
                },
            };
            let employee = score.employee();
            if !self.last.is_empty() && *self.last >= *employee {
                return Err(crate::store::Error::Snapshot {
                    month: self.month,
                    why: format!("its scores are not in employee order at `{employee}`"),
                });
            }
            if employee > end {
                self.ahead = Some(score);
                break;
            }
            self.last.clear();
            self.last.push_str(employee);
            if let Ok(at) = window.binary_search_by(|e| e.id.as_str().cmp(employee)) {
                out.push((at, score));
            }
        }
        Ok(out)
    }
}
