//! Delivering the outbox (`appraise serve`'s worker, and `appraise notify send` for cron):
//! each due notice goes through the first channel that reaches its recipient — their
//! department's, else the default ones — within the channel's rate limit; a receiver that
//! is down or answers 5xx is tried again with growing delays, and a notice is given up on
//! (shown to HR) once its time is out or the receiver refuses it for good.
//!
//! - `send`: one message through one channel, and the judgement of its answer;
//! - `sign`: the signatures DingTalk, Feishu and the generic webhook check.

pub mod send;
pub mod sign;

use std::collections::BTreeMap;

use crate::domain::month::Month;
use crate::domain::notice::ChannelKind;
use crate::store::{self, Channel, Delivery, Queued, Store};

pub use send::{Failure, Outgoing, Smtp};

/// The first retry waits this long; each next one twice as long, up to [`MAX_DELAY`].
const FIRST_DELAY: i64 = 30;
const MAX_DELAY: i64 = 3600;

/// How long a notice is tried before it is given up on, unless the company sets
/// `give_up_hours`: three days outlast a weekend's outage.
pub const GIVE_UP_HOURS: i64 = 72;

/// How many outcomes are written in one transaction: a crash loses at most these (their
/// notices are sent again, under the same idempotency key), and the outbox does not sync
/// the disk once per message.
const FLUSH: usize = 32;

/// How long a round holds the notices it took (seconds): longer than a round of sends at
/// their timeout takes in practice; a deliverer that dies frees them when it ends.
const LEASE: i64 = 300;

/// The notices one round takes at most: a round ends, and the next begins, so that a
/// large backlog does not hold the outbox's state back from people watching it.
const ROUND: usize = 500;

/// What a round of delivery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    /// Tried and waiting for another try.
    pub retried: usize,
    /// Given up on in this round.
    pub failed: usize,
    /// Held back by a channel's rate limit (not an attempt).
    pub deferred: usize,
}

impl Round {
    /// Adds another round's counts to this one's.
    pub fn add(&mut self, other: &Round) {
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
        self.deferred += other.deferred;
    }
}

/// The delay before attempt `attempts + 1`: 30 s, 60 s, 2 min, … up to an hour.
pub fn delay(attempts: i64) -> i64 {
    let doubled = FIRST_DELAY.saturating_mul(1_i64 << attempts.clamp(0, 20));
    doubled.min(MAX_DELAY)
}

/// How a recipient is reached: their name, and their staff attributes.
struct Reach {
    name: String,
    attrs: BTreeMap<String, String>,
}

/// Delivers the notices due at `now()` (Unix seconds), one round. `base_url` makes links
/// absolute.
pub fn deliver(store: &mut Store, now: &dyn Fn() -> i64) -> store::Result<Round> {
    let channels = store.channels()?;
    let settings = store.settings()?;
    let base_url = settings
        .get("base_url")
        .map_or("", |u| u.trim_end_matches('/'))
        .to_string();
    let give_up = settings
        .get("give_up_hours")
        .and_then(|h| h.parse::<i64>().ok())
        .unwrap_or(GIVE_UP_HOURS)
        * 3600;
    let mut round = Round::default();
    // Sent through each rate-limited channel in the last minute: (count, earliest).
    let mut window: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    // Outcomes not yet written.
    let mut done: Vec<(i64, Delivery)> = Vec::with_capacity(FLUSH);
    for notice in store.claim_due(now(), ROUND, LEASE)? {
        let reach = reach(store, &notice.recipient)?;
        let Some(channel) = route(&channels, &notice, &reach) else {
            let error = format!(
                "没有能送达 {} 的渠道（部门机器人，或其 email 属性配合邮件渠道）",
                notice.recipient
            );
            let d = retry_or_give_up(&notice, None, error, now(), give_up);
            count(&mut round, &d);
            done.push((notice.id, d));
            continue;
        };
        if let Some(limit) = channel.kind.per_minute() {
            let t = now();
            let sent = window.entry(channel.name.clone()).or_default();
            if sent.is_empty() {
                // The first time in this round: what earlier rounds sent in the minute.
                let (n, earliest) = store.sent_through(&channel.name, t - 60)?;
                sent.extend(std::iter::repeat_n(earliest.unwrap_or(t), n as usize));
            }
            sent.retain(|s| *s > t - 60);
            if sent.len() >= limit as usize {
                let free = sent.iter().min().copied().unwrap_or(t) + 60;
                store.defer_notice(notice.id, free)?;
                round.deferred += 1;
                continue;
            }
            sent.push(t);
        }
        let url = format!("{base_url}{}", notice.url);
        let attribute = channel.kind.attribute();
        let m = Outgoing {
            key: &notice.key,
            kind: &notice.kind,
            employee: &notice.employee,
            recipient: &notice.recipient,
            name: &reach.name,
            text: &notice.text,
            url: &url,
            address: attribute
                .and_then(|a| reach.attrs.get(a))
                .map(String::as_str),
            mobile: reach.attrs.get("mobile").map(String::as_str),
            now_ms: now() * 1000,
        };
        let d = match send::send(channel, &m) {
            Ok(()) => Delivery::Sent {
                channel: channel.name.clone(),
                at: now(),
            },
            Err(f) if f.retry => {
                retry_or_give_up(&notice, Some(&channel.name), f.reason, now(), give_up)
            }
            Err(f) => Delivery::Failed {
                channel: Some(channel.name.clone()),
                error: f.reason,
            },
        };
        count(&mut round, &d);
        done.push((notice.id, d));
        if done.len() >= FLUSH {
            store.record_deliveries(&std::mem::take(&mut done))?;
        }
    }
    store.record_deliveries(&done)?;
    Ok(round)
}

fn count(round: &mut Round, d: &Delivery) {
    match d {
        Delivery::Sent { .. } => round.sent += 1,
        Delivery::Retry { .. } => round.retried += 1,
        Delivery::Failed { .. } => round.failed += 1,
    }
}

/// Another try after the notice's next delay, or, past its time, giving it up.
fn retry_or_give_up(
    notice: &Queued,
    channel: Option<&str>,
    error: String,
    now: i64,
    give_up: i64,
) -> Delivery {
    let next_at = now + delay(notice.attempts);
    let channel = channel.map(str::to_string);
    if next_at - notice.created > give_up {
        Delivery::Failed {
            channel,
            error: format!("{error}；已重试 {} 次，放弃发送", notice.attempts + 1),
        }
    } else {
        Delivery::Retry {
            channel,
            error,
            next_at,
        }
    }
}

/// The recipient's name and attributes as their record stands now; a login that is
/// nobody on the staff (`@LOGIN`) has none.
fn reach(store: &Store, recipient: &str) -> store::Result<Reach> {
    if let Some(login) = recipient.strip_prefix('@') {
        return Ok(Reach {
            name: login.to_string(),
            attrs: BTreeMap::new(),
        });
    }
    let now = Month::of(chrono::Local::now().date_naive());
    Ok(match store.staff_record(recipient)? {
        Some(r) => {
            let e = r.at(now);
            Reach {
                name: e.name.clone(),
                attrs: e.attrs.clone(),
            }
        }
        None => Reach {
            name: recipient.to_string(),
            attrs: BTreeMap::new(),
        },
    })
}

/// The channel a notice goes by: of the recipient's department's channels, else of the
/// default ones, the first (by name) that reaches them — a robot reaches its whole group,
/// e-mail only a person with an `email` attribute.
fn route<'a>(channels: &'a [Channel], notice: &Queued, reach: &Reach) -> Option<&'a Channel> {
    let reaches = |c: &&Channel| c.kind != ChannelKind::Email || reach.attrs.contains_key("email");
    let department = Some(notice.department.as_str()).filter(|d| !d.is_empty());
    let own = channels
        .iter()
        .filter(|c| department.is_some() && c.department.as_deref() == department)
        .find(reaches);
    own.or_else(|| {
        channels
            .iter()
            .filter(|c| c.department.is_none())
            .find(reaches)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        assert_eq!(delay(0), 30);
        assert_eq!(delay(1), 60);
        assert_eq!(delay(3), 240);
        assert_eq!(delay(10), 3600);
        assert_eq!(delay(500), 3600);
    }
}
