//! Where notices go and who wants which: channels, the company's settings, each person's
//! choices, HR's board; and the runs that deliver the outbox or test a channel.

use std::collections::{BTreeMap, BTreeSet};

use super::{kind_setting, person_of};
use crate::app::{Actor, App, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::domain::notice::{ChannelKind, NoticeKind, NoticeState};
use crate::domain::user::Role;
use crate::store::{Channel, Queued, SecretAt};

impl App {
    /// Adds (or replaces) a channel. A robot's address and any secret are kept, never shown.
    /// The address must be one its kind can use: an e-mail channel's a full
    /// `smtp://…?from=…`, any other's an `https://` (or `http://`) address.
    pub fn add_channel(&self, by: &Actor, channel: Channel) -> Result<()> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        let bad = |why: String| Invalid::BadChannel {
            name: channel.name.clone(),
            why,
        };
        if channel.name.trim().is_empty() {
            return Err(Invalid::NameMissing("a notice channel").into());
        }
        match channel.kind {
            ChannelKind::Email => {
                crate::notify::Smtp::parse(&channel.target).map_err(bad)?;
            }
            _ => {
                let web =
                    channel.target.starts_with("https://") || channel.target.starts_with("http://");
                if !web {
                    return Err(
                        bad("地址须以 https:// 开头（群机器人或 Webhook 的地址）".into()).into(),
                    );
                }
            }
        }
        match channel.secret_at() {
            Some(SecretAt::Env(name))
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                return Err(bad(format!(
                    "密钥所在的环境变量名“{}”只能由大写字母、数字和下划线组成",
                    crate::domain::text::clip(name)
                ))
                .into());
            }
            Some(SecretAt::File(path)) if !std::path::Path::new(path).is_absolute() => {
                return Err(bad(format!(
                    "密钥文件须写绝对路径（如 /etc/appraise/secrets/群机器人），而不是“{}”",
                    crate::domain::text::clip(path)
                ))
                .into());
            }
            _ => {}
        }
        let mut store = self.store()?;
        if let Some(d) = &channel.department
            && !store.departments()?.iter().any(|x| &x.id == d)
        {
            return Err(Invalid::NoDepartment(d.clone()).into());
        }
        Ok(store.put_channel(&channel, &self.stamp(by))?)
    }

    /// Every channel (secrets left out by their type).
    pub fn channels(&self, by: &Actor) -> Result<Vec<Channel>> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        Ok(self.store()?.channels()?)
    }

    /// The outbox, newest first: only the notices in `state` when given.
    pub fn notices(
        &self,
        by: &Actor,
        state: Option<NoticeState>,
        limit: usize,
    ) -> Result<Vec<Queued>> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        Ok(self.store()?.notices(state, limit)?)
    }

    /// Turns a kind on or off for the whole company.
    pub fn set_notice_kind(&self, by: &Actor, kind: NoticeKind, on: bool) -> Result<()> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        let value = if on { "on" } else { "off" };
        Ok(self
            .store()?
            .set_setting(&kind_setting(kind), value, &self.stamp(by))?)
    }

    /// Sets a company setting of delivery: `base_url` (what links start with) or
    /// `give_up_hours` (how long a notice is retried).
    pub fn set_notice_setting(&self, by: &Actor, key: &str, value: &str) -> Result<()> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        Ok(self.store()?.set_setting(key, value, &self.stamp(by))?)
    }

    /// `by`'s own choice of an optional kind: muted, or (a digest) chosen.
    pub fn set_my_notice(&self, by: &Actor, kind: NoticeKind, on: bool) -> Result<()> {
        if !kind.optional() {
            return Err(Invalid::NoticeRequired(kind).into());
        }
        let role = by.role().unwrap_or(Role::Employee);
        if !kind.concerns(role) {
            return Err(Invalid::NoticeNotForRole { kind, role }.into());
        }
        Ok(self
            .store()?
            .set_notice_pref(&person_of(by), kind, on, &self.stamp(by))?)
    }

    /// Whether `by` receives each optional kind that can concern them, as they chose or
    /// by default.
    pub fn my_notices(&self, by: &Actor) -> Result<Vec<(NoticeKind, bool)>> {
        let prefs = self.store()?.notice_prefs(&person_of(by))?;
        let role = by.role().unwrap_or(Role::Employee);
        Ok(NoticeKind::ALL
            .into_iter()
            .filter(|k| k.optional() && k.concerns(role))
            .map(|k| (k, prefs.get(k.id()).copied().unwrap_or(k.on_unless_muted())))
            .collect())
    }

    /// The channel named `name`, for a test message.
    pub fn channel(&self, by: &Actor, name: &str) -> Result<Channel> {
        self.channels(by)?
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Invalid::UnknownChannel(name.to_string()).into())
    }

    /// Kinds of channel, for a form.
    pub fn channel_kinds() -> [ChannelKind; 5] {
        [
            ChannelKind::Email,
            ChannelKind::Wecom,
            ChannelKind::Dingtalk,
            ChannelKind::Feishu,
            ChannelKind::Webhook,
        ]
    }
}

/// What one delivery run did: the notices found due today, and the round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// Reminders, digests and the like written before the round.
    pub queued: usize,
    pub round: crate::notify::Round,
}

impl App {
    /// Writes the notices due today ([`App::queue_due_notices`]) and delivers one round of
    /// the outbox: what the server's worker runs, and `appraise notify send`. Nobody acts:
    /// it moves only what changes already put in the outbox.
    pub fn deliver_notices(&self) -> Result<Delivered> {
        let queued = self.queue_due_notices()?;
        let mut round = crate::notify::Round::default();
        loop {
            let r = self.deliver_round()?;
            let done = r.sent + r.retried + r.failed == 0;
            round.add(&r);
            if done {
                break;
            }
        }
        Ok(Delivered { queued, round })
    }

    /// Delivers one round of what is due in the outbox.
    pub fn deliver_round(&self) -> Result<crate::notify::Round> {
        let mut store = self.store()?;
        Ok(crate::notify::deliver(&mut store, &|| {
            chrono::Utc::now().timestamp()
        })?)
    }

    /// Sends a test message through channel `name` (an e-mail channel writes to `to`,
    /// else to its own sender). Nothing is written to the outbox.
    pub fn test_channel(&self, by: &Actor, name: &str, to: Option<&str>) -> Result<()> {
        let channel = self.channel(by, name)?;
        let from = match channel.kind {
            ChannelKind::Email => Some(
                crate::notify::Smtp::parse(&channel.target)
                    .map_err(|why| Invalid::BadChannel {
                        name: name.to_string(),
                        why,
                    })?
                    .from,
            ),
            _ => None,
        };
        let base = self.store()?.setting("base_url")?.unwrap_or_default();
        let key = format!("test:{name}:{}", chrono::Utc::now().timestamp_millis());
        let m = crate::notify::Outgoing {
            key: &key,
            kind: "test",
            employee: "",
            recipient: by.name(),
            name: by.name(),
            text: "【测试】这是一条来自 appraise 考评系统的测试通知，收到即说明渠道设置正确。",
            url: &format!("{}/", base.trim_end_matches('/')),
            address: to.or(from.as_deref()),
            mobile: None,
            now_ms: chrono::Utc::now().timestamp_millis(),
        };
        crate::notify::send::send(&channel, &m).map_err(|f| {
            Invalid::BadChannel {
                name: name.to_string(),
                why: format!("测试通知未能送达：{}", f.reason),
            }
            .into()
        })
    }
}

/// HR's view of notices: where they go, how the outbox stands, what failed, the
/// company's settings.
#[derive(Debug, Clone)]
pub struct NoticeBoard {
    pub channels: Vec<Channel>,
    /// How many notices are in each state (`pending`, `sent`, `failed`).
    pub counts: BTreeMap<String, i64>,
    /// The latest notices given up on, and the latest still waiting.
    pub failed: Vec<Queued>,
    pub pending: Vec<Queued>,
    /// Each kind, and whether the company sends it.
    pub kinds: Vec<(NoticeKind, bool)>,
    pub base_url: String,
    pub give_up_hours: i64,
    pub keep_photo_location: bool,
}

/// How many notices of each list the board shows.
const BOARD_ROWS: usize = 50;

impl App {
    /// HR's board of notices.
    pub fn notice_board(&self, by: &Actor) -> Result<NoticeBoard> {
        self.authorize(by, Action::ManageNotices, &Target::Company)?;
        let store = self.store()?;
        let settings = store.settings()?;
        Ok(NoticeBoard {
            channels: store.channels()?,
            counts: store.notice_counts()?,
            failed: store.notices(Some(NoticeState::Failed), BOARD_ROWS)?,
            pending: store.notices(Some(NoticeState::Pending), BOARD_ROWS)?,
            kinds: NoticeKind::ALL
                .into_iter()
                .map(|k| {
                    (
                        k,
                        settings.get(&kind_setting(k)).map(String::as_str) != Some("off"),
                    )
                })
                .collect(),
            base_url: settings.get("base_url").cloned().unwrap_or_default(),
            give_up_hours: settings
                .get("give_up_hours")
                .and_then(|h| h.parse().ok())
                .unwrap_or(crate::notify::GIVE_UP_HOURS),
            keep_photo_location: settings.get(crate::app::KEEP_LOCATION).map(String::as_str)
                == Some("on"),
        })
    }

    /// Saves the company's settings of notices and evidence from HR's board: only what
    /// changed is written (each change audited).
    pub fn save_notice_settings(
        &self,
        by: &Actor,
        base_url: &str,
        give_up_hours: &str,
        keep_photo_location: bool,
        kinds_on: &BTreeSet<NoticeKind>,
    ) -> Result<()> {
        let before = self.notice_board(by)?;
        let hours: i64 = give_up_hours
            .trim()
            .parse()
            .ok()
            .filter(|h| *h > 0)
            .ok_or_else(|| Invalid::BadAmount {
                what: "give-up hours",
                given: crate::domain::text::clip(give_up_hours),
            })?;
        let base_url = base_url.trim();
        let absolute = base_url.starts_with("https://") || base_url.starts_with("http://");
        if !(base_url.is_empty() || absolute) {
            return Err(Invalid::BadChannel {
                name: "base_url".into(),
                why: "链接前缀须以 https:// 或 http:// 开头".into(),
            }
            .into());
        }
        let mut store = self.store()?;
        let stamp = self.stamp(by);
        if base_url != before.base_url {
            store.set_setting("base_url", base_url, &stamp)?;
        }
        if hours != before.give_up_hours {
            store.set_setting("give_up_hours", &hours.to_string(), &stamp)?;
        }
        if keep_photo_location != before.keep_photo_location {
            let v = if keep_photo_location { "on" } else { "off" };
            store.set_setting(crate::app::KEEP_LOCATION, v, &stamp)?;
        }
        for (kind, on) in before.kinds {
            let now = kinds_on.contains(&kind);
            if now != on {
                store.set_setting(&kind_setting(kind), if now { "on" } else { "off" }, &stamp)?;
            }
        }
        Ok(())
    }

    /// Sets `by`'s own choices of the optional kinds: those in `on` are received.
    pub fn save_my_notices(&self, by: &Actor, on: &BTreeSet<NoticeKind>) -> Result<()> {
        for (kind, was) in self.my_notices(by)? {
            let now = on.contains(&kind);
            if now != was {
                self.set_my_notice(by, kind, now)?;
            }
        }
        Ok(())
    }
}
