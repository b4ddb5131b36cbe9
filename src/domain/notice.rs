//! What people are told (通知): the kinds of notice, who receives each, whether a person may
//! mute it, and the channels a notice travels by. The words are composed by `app`, the
//! delivery is `notify`'s; this is the catalogue both go by.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A kind of notice. The id is what programs and settings keep; the label is what people
/// read on the settings page and in `notify list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum NoticeKind {
    /// To the employee: an event of theirs was recorded (what, points, by whom, the appeal
    /// deadline).
    EventRecorded,
    /// To the employee: an event of theirs was voided (an entry mistake).
    EventVoided,
    /// To the employee: an event of theirs was excused.
    EventExcused,
    /// To the employee: the events an import recorded for them, one message per import.
    ImportDigest,
    /// To the employee: their appeal was decided.
    AppealDecided,
    /// To the employee: a month of theirs failed (a warning at the third of a year).
    MonthFailed,
    /// To the head: an appeal waits for a decision.
    AppealWaiting,
    /// To the head: an appeal's window closes tomorrow and it is still undecided.
    AppealReminder,
    /// To a signer: a review step waits on them.
    ReviewWaiting,
    /// To a signer: reviews still wait on them (daily, while any do).
    ReviewReminder,
    /// To a supervisor: their team's day, in one message (only when they choose it).
    TeamDigest,
    /// To HR: every department's month is ready to close.
    MonthReady,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 12] = [
        NoticeKind::EventRecorded,
        NoticeKind::EventVoided,
        NoticeKind::EventExcused,
        NoticeKind::ImportDigest,
        NoticeKind::AppealDecided,
        NoticeKind::MonthFailed,
        NoticeKind::AppealWaiting,
        NoticeKind::AppealReminder,
        NoticeKind::ReviewWaiting,
        NoticeKind::ReviewReminder,
        NoticeKind::TeamDigest,
        NoticeKind::MonthReady,
    ];

    pub fn id(self) -> &'static str {
        match self {
            NoticeKind::EventRecorded => "event.recorded",
            NoticeKind::EventVoided => "event.voided",
            NoticeKind::EventExcused => "event.excused",
            NoticeKind::ImportDigest => "import.digest",
            NoticeKind::AppealDecided => "appeal.decided",
            NoticeKind::MonthFailed => "month.failed",
            NoticeKind::AppealWaiting => "appeal.waiting",
            NoticeKind::AppealReminder => "appeal.reminder",
            NoticeKind::ReviewWaiting => "review.waiting",
            NoticeKind::ReviewReminder => "review.reminder",
            NoticeKind::TeamDigest => "team.digest",
            NoticeKind::MonthReady => "month.ready",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::EventRecorded => "记录通知",
            NoticeKind::EventVoided => "作废通知",
            NoticeKind::EventExcused => "免计通知",
            NoticeKind::ImportDigest => "导入汇总",
            NoticeKind::AppealDecided => "申诉结果",
            NoticeKind::MonthFailed => "月度不合格",
            NoticeKind::AppealWaiting => "待处理申诉",
            NoticeKind::AppealReminder => "申诉到期提醒",
            NoticeKind::ReviewWaiting => "待签署考评",
            NoticeKind::ReviewReminder => "考评签署提醒",
            NoticeKind::TeamDigest => "班组每日汇总",
            NoticeKind::MonthReady => "月度可结账",
        }
    }

    /// Whether a person may mute it. What starts a deadline against them (an entry they may
    /// appeal, a decision, a failed month) or waits on their signature cannot be muted.
    pub fn optional(self) -> bool {
        matches!(
            self,
            NoticeKind::AppealReminder
                | NoticeKind::ReviewReminder
                | NoticeKind::TeamDigest
                | NoticeKind::MonthReady
        )
    }

    /// Whether it can concern a person of `role`: an employee is never asked to sign, a
    /// supervisor never closes a month.
    pub fn concerns(self, role: super::user::Role) -> bool {
        use super::user::Role;
        match self {
            NoticeKind::AppealWaiting | NoticeKind::AppealReminder => {
                matches!(role, Role::Head | Role::Hr)
            }
            NoticeKind::ReviewWaiting | NoticeKind::ReviewReminder => role != Role::Employee,
            NoticeKind::TeamDigest => matches!(role, Role::Supervisor | Role::Head),
            NoticeKind::MonthReady => role == Role::Hr,
            _ => true,
        }
    }

    /// Whether a person receives it without asking: the daily digest is chosen, not sent.
    pub fn on_unless_muted(self) -> bool {
        self != NoticeKind::TeamDigest
    }
}

impl fmt::Display for NoticeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for NoticeKind {
    type Err = String;
    /// By id or by label.
    fn from_str(s: &str) -> Result<NoticeKind, String> {
        NoticeKind::ALL
            .into_iter()
            .find(|k| k.id() == s || k.label() == s)
            .ok_or_else(|| {
                let ids: Vec<&str> = NoticeKind::ALL.iter().map(|k| k.id()).collect();
                format!(
                    "unknown notice kind `{}`; use one of {}",
                    super::text::clip(s),
                    ids.join(", ")
                )
            })
    }
}

/// How a channel reaches people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// E-mail over SMTP, to the person's `email` attribute.
    Email,
    /// A WeCom (企业微信) group robot.
    Wecom,
    /// A DingTalk (钉钉) custom robot, signed.
    Dingtalk,
    /// A Feishu (飞书) custom bot, signed.
    Feishu,
    /// Any receiver of the contract's JSON, signed with HMAC-SHA256.
    Webhook,
}

impl ChannelKind {
    pub const NAMES: &'static str = "email, wecom, dingtalk, feishu or webhook";

    pub fn id(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Wecom => "wecom",
            ChannelKind::Dingtalk => "dingtalk",
            ChannelKind::Feishu => "feishu",
            ChannelKind::Webhook => "webhook",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChannelKind::Email => "电子邮件",
            ChannelKind::Wecom => "企业微信",
            ChannelKind::Dingtalk => "钉钉",
            ChannelKind::Feishu => "飞书",
            ChannelKind::Webhook => "Webhook",
        }
    }

    /// Messages a minute the receiver accepts from one sender: the platforms' published
    /// limits for a robot (20 a minute for WeCom and DingTalk, 100 for Feishu); beyond
    /// them a message waits, it is never dropped.
    pub fn per_minute(self) -> Option<u32> {
        match self {
            ChannelKind::Wecom | ChannelKind::Dingtalk => Some(20),
            ChannelKind::Feishu => Some(100),
            ChannelKind::Email | ChannelKind::Webhook => None,
        }
    }

    /// The staff attribute that names the person on this channel (mentioned in a group,
    /// or the address written to).
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            ChannelKind::Email => Some("email"),
            ChannelKind::Wecom => Some("wecom_id"),
            ChannelKind::Dingtalk => Some("dingtalk_id"),
            ChannelKind::Feishu => Some("feishu_id"),
            ChannelKind::Webhook => None,
        }
    }
}

impl FromStr for ChannelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<ChannelKind, String> {
        [
            ChannelKind::Email,
            ChannelKind::Wecom,
            ChannelKind::Dingtalk,
            ChannelKind::Feishu,
            ChannelKind::Webhook,
        ]
        .into_iter()
        .find(|k| k.id() == s || k.label() == s)
        .ok_or_else(|| {
            format!(
                "unknown channel kind `{}`; use {}",
                super::text::clip(s),
                ChannelKind::NAMES
            )
        })
    }
}

/// Where a notice stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoticeState {
    /// Waiting for its first delivery or a retry.
    Pending,
    Sent,
    /// Given up on: shown to HR with its last error.
    Failed,
}

impl NoticeState {
    pub fn id(self) -> &'static str {
        match self {
            NoticeState::Pending => "pending",
            NoticeState::Sent => "sent",
            NoticeState::Failed => "failed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeState::Pending => "待发送",
            NoticeState::Sent => "已发送",
            NoticeState::Failed => "发送失败",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeState> {
        [NoticeState::Pending, NoticeState::Sent, NoticeState::Failed]
            .into_iter()
            .find(|k| k.id() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_id_and_its_label() {
        for k in NoticeKind::ALL {
            assert_eq!(k.id().parse::<NoticeKind>(), Ok(k));
            assert_eq!(k.label().parse::<NoticeKind>(), Ok(k));
        }
        assert!("event.deleted".parse::<NoticeKind>().is_err());
    }

    #[test]
    fn what_starts_a_deadline_cannot_be_muted() {
        assert!(!NoticeKind::EventRecorded.optional());
        assert!(!NoticeKind::ReviewWaiting.optional());
        assert!(NoticeKind::AppealReminder.optional());
        assert!(!NoticeKind::TeamDigest.on_unless_muted());
    }
}
