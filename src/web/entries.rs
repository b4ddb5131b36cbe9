//! Group commit for entries. Every commit to SQLite waits for the disk, and SQLite lets one
//! writer in at a time: one entry per commit caps a server at a few hundred entries a
//! second however many supervisors type at once. So entries go to one thread, which takes
//! everything that has arrived, records it with [`App::add_events`] in one transaction,
//! and only then answers each request: the entries that arrive while a batch commits make
//! up the next one. Each entry is still checked and refused on its own, and nobody is told
//! an entry is stored before its commit is on disk.

use std::sync::{Arc, mpsc};

use tokio::sync::{Mutex, oneshot};

use super::watch::Metrics;
use crate::app::{self, Actor, App, Entry, Recorded, Submitted};

/// The most entries one commit takes, so that a burst cannot hold the write lock for long.
const MOST: usize = 512;

/// An entry waiting for its batch, and where its answer goes.
struct Job {
    submitted: Submitted,
    answer: oneshot::Sender<app::Result<Recorded>>,
}

/// The queue to the batching thread.
#[derive(Debug, Clone)]
pub(super) struct Entries {
    queue: mpsc::Sender<Job>,
}

impl Entries {
    /// Starts the batching thread, which records each batch holding the server's `writer`
    /// turn, in the workspace as `app` makes it at the time; the thread ends with the last
    /// clone of this queue.
    pub(super) fn start(
        writer: Arc<Mutex<()>>,
        metrics: Metrics,
        app: impl Fn() -> App + Send + 'static,
    ) -> std::io::Result<Entries> {
        let (queue, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("appraise-entries".into())
            .spawn(move || {
                while let Ok(first) = jobs.recv() {
                    let mut batch = vec![first];
                    batch.extend(jobs.try_iter().take(MOST - 1));
                    // A bug that panics fails its batch's requests (their answers are
                    // dropped), not every later entry.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        record(&writer, &metrics, &app(), batch)
                    }));
                }
            })?;
        Ok(Entries { queue })
    }

    /// Records `entry` by `by` with whatever else is waiting; answers once it is committed.
    pub(super) async fn add(&self, by: Actor, entry: Entry, again: bool) -> app::Result<Recorded> {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            submitted: Submitted { by, entry, again },
            answer,
        };
        if self.queue.send(job).is_err() {
            return Err(app::Error::Internal(
                "the server's entry queue has stopped; nothing was stored".into(),
            ));
        }
        answered.await.unwrap_or_else(|_| {
            Err(app::Error::Internal(
                "the server failed while recording this entry; look in the log before entering it again".into(),
            ))
        })
    }
}

/// Records one batch under the server's write turn, then answers each of its requests. If
/// the batch fails as a whole, each entry is tried alone: each request hears its own error,
/// and an entry that breaks the transaction does not take the others down with it.
fn record(writer: &Mutex<()>, metrics: &Metrics, app: &App, batch: Vec<Job>) {
    let (submitted, answers): (Vec<Submitted>, Vec<_>) =
        batch.into_iter().map(|j| (j.submitted, j.answer)).unzip();
    let _turn = writer.blocking_lock();
    let results = match app.add_events(submitted.clone()) {
        Ok(results) => results,
        Err(_) => submitted
            .into_iter()
            .map(|s| app.add_event(&s.by, s.entry, s.again))
            .collect(),
    };
    metrics.committed(results.len(), results.iter().filter(|r| r.is_ok()).count());
    for (answer, result) in answers.into_iter().zip(results) {
        // A client gone meanwhile still has its entry stored, as with any write.
        let _ = answer.send(result);
    }
}
