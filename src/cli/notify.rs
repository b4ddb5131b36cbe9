//! `appraise notify …`: where notices go, delivering the outbox (for cron), and what it
//! holds. Secrets are read only from standard input and never printed.

use clap::Subcommand;

use super::{Ctx, Result, refused};
use appraise::app::{self, Actor};
use appraise::domain::notice::{ChannelKind, NoticeKind, NoticeState};
use appraise::report::{ChannelsView, NoticesView};
use appraise::store::Channel;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Where notices go: a department's robot, or the default channels.
    #[command(subcommand)]
    Channel(ChannelCommand),
    /// Send a test message through a channel.
    Test {
        name: String,
        /// The address an e-mail channel writes to (else its own sender).
        #[arg(long)]
        to: Option<String>,
        /// HR's login [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Deliver what is due (reminders and digests written first), then exit: for a cron
    /// job when `appraise serve` is not running. Exits 1 when a notice failed for good.
    Send,
    /// The outbox, newest first, with each notice's state, attempts and last error.
    List {
        /// Only the notices given up on.
        #[arg(long)]
        failed: bool,
        /// Only the notices waiting to be sent.
        #[arg(long, conflicts_with = "failed")]
        pending: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Turn a kind of notice on or off for the whole company.
    Kind {
        /// The kind, by id (`appeal.reminder`) or label (申诉到期提醒).
        kind: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Mute an optional kind for yourself (or, `on`, choose one: the daily team digest).
    Mine {
        kind: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Set where links point (`base-url https://kaoping.example.cn`) or how many hours a
    /// notice is retried before it is given up on (`give-up-hours 72`).
    Set {
        #[arg(value_parser = ["base-url", "give-up-hours"])]
        key: String,
        value: String,
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChannelCommand {
    /// Add a channel, or replace the one of its name:
    /// `echo SEC… | appraise notify channel add 客服群 --kind dingtalk --to 'https://oapi.dingtalk.com/robot/send?access_token=…' --secret-stdin --department customer-service`.
    Add {
        name: String,
        #[arg(long)]
        kind: String,
        /// The robot's or webhook's address; for e-mail `smtp://USER@HOST:587?from=ADDRESS`.
        #[arg(long)]
        to: String,
        /// Read the signing secret (or the SMTP password) from standard input; it is kept
        /// in the database.
        #[arg(long, conflicts_with_all = ["secret_env", "secret_file"])]
        secret_stdin: bool,
        /// The secret is in this variable of the service's environment (a systemd
        /// `EnvironmentFile`): the database keeps only its name.
        #[arg(long, value_name = "NAME", conflicts_with = "secret_file")]
        secret_env: Option<String>,
        /// The secret is in this file, readable by the service's user only: the database
        /// keeps only its path.
        #[arg(long, value_name = "PATH")]
        secret_file: Option<std::path::PathBuf>,
        /// The department whose notices it carries; without it, the default channel.
        #[arg(long)]
        department: Option<String>,
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Every channel (addresses shown without their keys).
    List,
}

/// A kind of notice named by its id or label.
fn notice_kind(kind: String) -> Result<NoticeKind> {
    kind.parse()
        .map_err(|_| app::Error::from(app::Invalid::UnknownNoticeKind(kind)).into())
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result {
    match cmd {
        Command::Channel(ChannelCommand::Add {
            name,
            kind,
            to,
            secret_stdin,
            secret_env,
            secret_file,
            department,
            by,
        }) => {
            let kind: ChannelKind = kind
                .parse()
                .map_err(|_| app::Error::from(app::Invalid::UnknownChannelKind(kind)))?;
            let secret = if secret_stdin {
                let mut s = String::new();
                std::io::stdin().read_line(&mut s)?;
                let s = s.trim().to_string();
                if s.starts_with("env:") || s.starts_with("file:") {
                    return Err(refused(
                        "从标准输入读取的密钥按原样保存；要指明密钥所在位置，请用 --secret-env 变量名 或 --secret-file 路径",
                        "a secret read from standard input is kept as it is; to name where it is, use --secret-env NAME or --secret-file PATH",
                    ));
                }
                Some(s).filter(|s| !s.is_empty())
            } else if let Some(name) = secret_env {
                Some(format!("env:{name}"))
            } else {
                secret_file.map(|p| format!("file:{}", p.display()))
            };
            let actor = ctx.actor(by)?;
            ctx.app.add_channel(
                &actor,
                Channel {
                    name: name.clone(),
                    kind,
                    target: to,
                    secret,
                    department,
                    added_by: actor.name().to_string(),
                    added_at: String::new(),
                },
            )?;
            ctx.say(format_args!(
                "已设置通知渠道“{name}”（{}）；用 appraise notify test {name} 发一条测试通知",
                kind.label()
            ))
        }
        Command::Channel(ChannelCommand::List) => ctx.print(&ChannelsView {
            channels: ctx.app.channels(&Actor::owner())?,
        }),
        Command::Test { name, to, by } => {
            ctx.app
                .test_channel(&ctx.actor(by)?, &name, to.as_deref())?;
            ctx.say(format_args!("测试通知已通过“{name}”发出"))
        }
        Command::Send => {
            let done = ctx.app.deliver_notices()?;
            let r = &done.round;
            ctx.say(format_args!(
                "新增提醒 {} 条；发出 {} 条，待重试 {} 条，限速顺延 {} 条，放弃 {} 条",
                done.queued, r.sent, r.retried, r.deferred, r.failed
            ))?;
            if r.failed > 0 {
                return Err(super::refused(
                    format!(
                        "{} 条通知发送失败，已放弃；appraise notify list --failed 列出原因",
                        r.failed
                    ),
                    format!(
                        "{} notices failed and were given up; `appraise notify list --failed` lists why",
                        r.failed
                    ),
                ));
            }
            Ok(())
        }
        Command::List {
            failed,
            pending,
            limit,
        } => {
            let state = if failed {
                Some(NoticeState::Failed)
            } else if pending {
                Some(NoticeState::Pending)
            } else {
                None
            };
            ctx.print(&NoticesView {
                notices: ctx.app.notices(&Actor::owner(), state, limit)?,
            })
        }
        Command::Kind { kind, state, by } => {
            let kind = notice_kind(kind)?;
            ctx.app
                .set_notice_kind(&ctx.actor(by)?, kind, state == "on")?;
            ctx.say(format_args!(
                "全公司“{}”通知已{}",
                kind.label(),
                if state == "on" { "开启" } else { "关闭" }
            ))
        }
        Command::Mine { kind, state, by } => {
            let kind = notice_kind(kind)?;
            ctx.app
                .set_my_notice(&ctx.actor(by)?, kind, state == "on")?;
            ctx.say(format_args!(
                "您的“{}”通知已{}",
                kind.label(),
                if state == "on" { "开启" } else { "关闭" }
            ))
        }
        Command::Set { key, value, by } => {
            let key = key.replace('-', "_");
            if key == "give_up_hours" && value.parse::<u32>().is_err() {
                let value = appraise::domain::text::clip(&value);
                return Err(super::refused(
                    format!("give-up-hours 须为小时数（整数），例如 72；“{value}”不是"),
                    format!("give-up-hours is a number of hours, e.g. 72; `{value}` is not"),
                ));
            }
            ctx.app.set_notice_setting(&ctx.actor(by)?, &key, &value)?;
            ctx.say(format_args!("已设置 {key} = {value}"))
        }
    }
}
