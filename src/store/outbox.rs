//! The outbox (通知发件箱): notices written in the transaction of the change they tell of,
//! so that a crash can neither lose one nor leave one for a change that did not commit;
//! then delivered, retried and given up on by `notify`, each move its own short
//! transaction. Also where notices go (channels, with their secrets, never shown), the
//! company's settings and each person's choices. All of it is operational: outside the
//! chain, since what it tells of is sealed where it is recorded.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Result, Stamp, Store, audit};
use crate::domain::notice::{ChannelKind, NoticeKind, NoticeState};

/// A notice to write with a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What makes it one notice, whatever retries or repeats of the change: a second
    /// notice with the same key is not written (and a receiver that honours the key never
    /// shows a message twice).
    pub key: String,
    pub kind: NoticeKind,
    /// Whom it is about.
    pub employee: String,
    /// Whom it is for: a staff id (reached by their attributes or their department's
    /// robot), or `@LOGIN` for a login that is nobody on the staff.
    pub recipient: String,
    /// The recipient's department, whose robot carries it (empty: the default channels).
    pub department: String,
    /// What it says, in Chinese.
    pub text: String,
    /// Where the recipient acts: a path of the workplace, made absolute at delivery.
    pub url: String,
    /// When it was written (Unix seconds).
    pub at: i64,
}

/// A notice in the outbox, with where its delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queued {
    pub id: i64,
    pub key: String,
    pub kind: String,
    pub employee: String,
    pub recipient: String,
    pub department: String,
    pub text: String,
    pub url: String,
    pub created: i64,
    pub state: NoticeState,
    pub attempts: i64,
    pub next_at: i64,
    pub last_error: Option<String>,
    /// The channel that carried it (once sent) or last tried.
    pub channel: Option<String>,
    pub sent_at: Option<i64>,
}

/// Where notices go. Not serializable itself: JSON shows it through [`ChannelShown`].
#[derive(Clone, PartialEq, Eq)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    /// The robot's address, the SMTP server (`smtp://…`) or the webhook's URL. A robot's
    /// address carries its key: never shown (see [`Channel::shown`]).
    pub target: String,
    /// Never shown: not in JSON, not in `Debug`, not in the audit log. Either the secret
    /// itself or where the service finds it ([`SecretAt`]), so that the database (and
    /// every backup of it) need not hold it.
    pub secret: Option<String>,
    /// The department whose notices it carries; none for the default channel.
    pub department: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

impl Channel {
    /// The address as it may be shown: an e-mail channel's server whole (its password is
    /// the secret), any other only its scheme and host, since the rest is the robot's key.
    pub fn shown(&self) -> String {
        if self.kind == ChannelKind::Email {
            return self.target.clone();
        }
        match self.target.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.split(['/', '?']).next().unwrap_or_default();
                format!("{scheme}://{host}/…")
            }
            None => "…".to_string(),
        }
    }
}

impl Serialize for ChannelShown<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let c = self.0;
        let mut st = s.serialize_struct("Channel", 6)?;
        st.serialize_field("name", &c.name)?;
        st.serialize_field("kind", &c.kind)?;
        st.serialize_field("to", &c.shown())?;
        st.serialize_field("signed", &c.secret.is_some())?;
        st.serialize_field("department", &c.department)?;
        st.serialize_field("added_by", &c.added_by)?;
        st.end()
    }
}

/// Where a channel's secret is: in the database, or where the service reads it when it
/// sends: `env:NAME`, a variable of its environment (a systemd `EnvironmentFile`), or
/// `file:PATH`, a file only its user may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretAt<'a> {
    Here(&'a str),
    Env(&'a str),
    File(&'a str),
}

impl Channel {
    /// Where this channel's secret is, if it has one.
    pub fn secret_at(&self) -> Option<SecretAt<'_>> {
        let s = self.secret.as_deref().filter(|s| !s.is_empty())?;
        Some(if let Some(name) = s.strip_prefix("env:") {
            SecretAt::Env(name)
        } else if let Some(path) = s.strip_prefix("file:") {
            SecretAt::File(path)
        } else {
            SecretAt::Here(s)
        })
    }
}

/// A channel as JSON shows it: its address as [`Channel::shown`], whether it is signed.
pub struct ChannelShown<'a>(pub &'a Channel);

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("department", &self.department)
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .finish_non_exhaustive()
    }
}

/// How a delivery attempt ended, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent {
        channel: String,
        at: i64,
    },
    /// Try again at `next_at`.
    Retry {
        channel: Option<String>,
        error: String,
        next_at: i64,
    },
    /// Given up on.
    Failed {
        channel: Option<String>,
        error: String,
    },
}

/// Writes `notices` inside the caller's transaction, each once: a key written before is
/// left as it is. Returns how many were new.
pub(super) fn put(conn: &Connection, notices: &[Notice]) -> Result<usize> {
    let mut st = conn.prepare_cached(
        "INSERT INTO notices (key, kind, employee, recipient, department, text, url, created, next_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT (key) DO NOTHING",
    )?;
    let mut new = 0;
    for n in notices {
        new += st.execute(params![
            n.key,
            n.kind.id(),
            n.employee,
            n.recipient,
            n.department,
            n.text,
            n.url,
            n.at
        ])?;
    }
    Ok(new)
}

const COLUMNS: &str = "id, key, kind, employee, recipient, department, text, url, created, state,
                       attempts, next_at, last_error, channel, sent_at";

fn queued(r: &rusqlite::Row<'_>) -> rusqlite::Result<Queued> {
    let state: String = r.get(9)?;
    Ok(Queued {
        id: r.get(0)?,
        key: r.get(1)?,
        kind: r.get(2)?,
        employee: r.get(3)?,
        recipient: r.get(4)?,
        department: r.get(5)?,
        text: r.get(6)?,
        url: r.get(7)?,
        created: r.get(8)?,
        state: NoticeState::parse(&state).unwrap_or(NoticeState::Pending),
        attempts: r.get(10)?,
        next_at: r.get(11)?,
        last_error: r.get(12)?,
        channel: r.get(13)?,
        sent_at: r.get(14)?,
    })
}

fn channel_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Channel> {
    let kind: String = r.get(1)?;
    Ok(Channel {
        name: r.get(0)?,
        kind: kind.parse().unwrap_or(ChannelKind::Webhook),
        target: r.get(2)?,
        secret: r.get(3)?,
        department: r.get(4)?,
        added_by: r.get(5)?,
        added_at: r.get(6)?,
    })
}

/// Records how delivering notice `id` ended, inside the caller's transaction. Only a
/// pending notice moves: a notice is sent or given up on once.
fn record(tx: &Connection, id: i64, delivery: &Delivery) -> Result<()> {
    match delivery {
        Delivery::Sent { channel, at } => tx
            .prepare_cached(
                "UPDATE notices SET state = 'sent', attempts = attempts + 1, channel = ?2, sent_at = ?3, last_error = NULL
                 WHERE id = ?1 AND state = 'pending'",
            )?
            .execute(params![id, channel, at])?,
        Delivery::Retry {
            channel,
            error,
            next_at,
        } => tx
            .prepare_cached(
                "UPDATE notices SET attempts = attempts + 1, channel = ?2, last_error = ?3, next_at = ?4
                 WHERE id = ?1 AND state = 'pending'",
            )?
            .execute(params![id, channel, error, next_at])?,
        Delivery::Failed { channel, error } => tx
            .prepare_cached(
                "UPDATE notices SET state = 'failed', attempts = attempts + 1, channel = ?2, last_error = ?3
                 WHERE id = ?1 AND state = 'pending'",
            )?
            .execute(params![id, channel, error])?,
    };
    Ok(())
}

impl Store {
    /// Writes notices that no change carries (reminders, digests, a month ready to close),
    /// each once by its key. Returns how many were new.
    pub fn queue_notices(&mut self, notices: &[Notice]) -> Result<usize> {
        let tx = self.write()?;
        let new = put(&tx, notices)?;
        tx.commit()?;
        Ok(new)
    }

    /// Claims the pending notices due at `now`, oldest first, at most `limit`: each is put
    /// off `lease` seconds in the same transaction, so that a second deliverer (a cron
    /// `notify send` beside the server) does not take it too; one that dies holding it
    /// leaves it due again when the lease ends. The outcome written later replaces the lease.
    pub fn claim_due(&mut self, now: i64, limit: usize, lease: i64) -> Result<Vec<Queued>> {
        let tx = self.write()?;
        let due: Vec<Queued> = {
            let mut st = tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM notices WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2"
            ))?;
            let rows = st.query_map(params![now, limit as i64], queued)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        {
            let mut st = tx.prepare_cached("UPDATE notices SET next_at = ?2 WHERE id = ?1")?;
            for n in &due {
                st.execute(params![n.id, now + lease])?;
            }
        }
        tx.commit()?;
        Ok(due)
    }

    /// When the next pending notice is due, if any is.
    pub fn next_due(&self) -> Result<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT min(next_at) FROM notices WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records how delivering each notice ended, in one transaction.
    pub fn record_deliveries(&mut self, done: &[(i64, Delivery)]) -> Result<()> {
        let tx = self.write()?;
        for (id, delivery) in done {
            record(&tx, *id, delivery)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts notice `id` off until `next_at` without counting an attempt (its channel's
    /// rate limit is reached).
    pub fn defer_notice(&mut self, id: i64, next_at: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE notices SET next_at = ?2 WHERE id = ?1 AND state = 'pending'",
            params![id, next_at],
        )?;
        Ok(())
    }

    /// The notices sent through `channel` since `since`: how many, and when the earliest.
    pub fn sent_through(&self, channel: &str, since: i64) -> Result<(u32, Option<i64>)> {
        Ok(self.conn.query_row(
            "SELECT count(*), min(sent_at) FROM notices WHERE channel = ?1 AND sent_at >= ?2",
            params![channel, since],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// The newest notices first, at most `limit`; only those in `state` when given.
    pub fn notices(&self, state: Option<NoticeState>, limit: usize) -> Result<Vec<Queued>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM notices WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2"
        ))?;
        let rows = st.query_map(params![state.map(|s| s.id()), limit as i64], queued)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many notices are in each state.
    pub fn notice_counts(&self) -> Result<BTreeMap<String, i64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM notices GROUP BY state")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds channel `channel`, or replaces the one of its name. The audit entry names the
    /// channel and its kind, never its address or secret (a robot's address is a secret too).
    pub fn put_channel(&mut self, channel: &Channel, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT OR REPLACE INTO channels (name, kind, target, secret, department, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                channel.name,
                channel.kind.id(),
                channel.target,
                channel.secret,
                channel.department,
                stamp.by,
                stamp.at
            ],
        )?;
        let scope = channel
            .department
            .as_deref()
            .map_or_else(|| "default".to_string(), |d| format!("department {d}"));
        audit(
            &tx,
            stamp,
            "notify.channel",
            &channel.name,
            &format!("{} ({scope})", channel.kind.id()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every channel, by name.
    pub fn channels(&self) -> Result<Vec<Channel>> {
        let mut st = self.conn.prepare_cached(
            "SELECT name, kind, target, secret, department, added_by, added_at FROM channels ORDER BY name",
        )?;
        let rows = st.query_map([], channel_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether any channel is set up: without one, nothing is queued to be sent.
    pub fn has_channels(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM channels)", [], |r| r.get(0))?)
    }

    /// A company setting: of notices (`base_url`, `give_up_hours`, `kind.KIND`), of
    /// evidence (`keep_photo_location`).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets a company setting, audited.
    pub fn set_setting(&mut self, key: &str, value: &str, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        audit(&tx, stamp, "notify.setting", key, value)?;
        tx.commit()?;
        Ok(())
    }

    /// Every company setting.
    pub fn settings(&self) -> Result<BTreeMap<String, String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT key, value FROM settings")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A person's choices: the kinds they turned on or off.
    pub fn notice_prefs(&self, person: &str) -> Result<BTreeMap<String, bool>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT kind, on_ FROM notice_prefs WHERE person = ?1")?;
        let rows = st.query_map([person], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every person's choices: (person, kind) → on.
    pub fn all_notice_prefs(&self) -> Result<BTreeMap<(String, String), bool>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT person, kind, on_ FROM notice_prefs")?;
        let rows = st.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every person's choices of one kind.
    pub fn notice_prefs_of(&self, kind: NoticeKind) -> Result<BTreeMap<String, bool>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT person, on_ FROM notice_prefs WHERE kind = ?1")?;
        let rows = st.query_map([kind.id()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Turns kind `kind` on or off for `person`.
    pub fn set_notice_pref(
        &mut self,
        person: &str,
        kind: NoticeKind,
        on: bool,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT OR REPLACE INTO notice_prefs (person, kind, on_) VALUES (?1, ?2, ?3)",
            params![person, kind.id(), on],
        )?;
        audit(
            &tx,
            stamp,
            "notify.pref",
            person,
            &format!("{} {}", kind.id(), if on { "on" } else { "off" }),
        )?;
        tx.commit()?;
        Ok(())
    }
}
