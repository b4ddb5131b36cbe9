//! Sending one message through one channel: the platforms' robots (WeCom, DingTalk,
//! Feishu), the generic webhook and e-mail over SMTP. Each answer is judged here: what is
//! worth another try (the receiver down, 5xx, 429, a platform's rate limit) and what is
//! not (a wrong key, a refused address).

use std::borrow::Cow;
use std::io::Read;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde_json::json;

use super::sign;
use crate::domain::notice::ChannelKind;
use crate::store::{Channel, SecretAt};

/// How long one attempt may take: a receiver slower than this is treated as down.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One message as it goes out.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// The idempotency key (the webhook's `id`, the e-mail's Message-ID).
    pub key: &'a str,
    pub kind: &'a str,
    pub employee: &'a str,
    pub recipient: &'a str,
    /// The recipient's name, written into a group message.
    pub name: &'a str,
    pub text: &'a str,
    /// The absolute link.
    pub url: &'a str,
    /// The recipient's address on this channel (an e-mail address, a platform user id).
    pub address: Option<&'a str>,
    /// The recipient's mobile, which the robots mention by.
    pub mobile: Option<&'a str>,
    /// Now, in Unix milliseconds (what the signatures are made with).
    pub now_ms: i64,
}

/// Why an attempt did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Worth another try later.
    pub retry: bool,
    /// What happened, in Chinese, without the channel's address or secret.
    pub reason: String,
}

impl Failure {
    fn retry(reason: String) -> Failure {
        Failure {
            retry: true,
            reason,
        }
    }

    fn fatal(reason: String) -> Failure {
        Failure {
            retry: false,
            reason,
        }
    }
}

/// Sends `m` through `channel`.
pub fn send(channel: &Channel, m: &Outgoing) -> Result<(), Failure> {
    let channel = &with_secret(channel)?;
    let sent = match channel.kind {
        ChannelKind::Email => email(channel, m),
        ChannelKind::Webhook => webhook(channel, m),
        ChannelKind::Wecom | ChannelKind::Dingtalk | ChannelKind::Feishu => robot(channel, m),
    };
    sent.map_err(|f| Failure {
        reason: redact(&f.reason, channel),
        ..f
    })
}

/// The most bytes a secret file may have: a signing key or a password is a line.
const SECRET_FILE_MAX: u64 = 4096;

/// `channel` with its secret itself, read from where it is kept when that is not the
/// database (see [`SecretAt`]). A secret not found is retried: the notice waits while the
/// operator mends the service's environment, and the reason names the variable or the file,
/// never a secret.
fn with_secret(channel: &Channel) -> Result<Cow<'_, Channel>, Failure> {
    let found = match channel.secret_at() {
        Some(SecretAt::Env(name)) => std::env::var(name).map_err(|_| {
            Failure::retry(format!(
                "服务的环境变量 {name} 未设置：渠道“{}”的密钥应在其中",
                channel.name
            ))
        })?,
        Some(SecretAt::File(path)) => {
            let mut text = String::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(SECRET_FILE_MAX).read_to_string(&mut text))
                .map_err(|e| {
                    Failure::retry(format!(
                        "读不到渠道“{}”的密钥文件 {path}：{e}",
                        channel.name
                    ))
                })?;
            text
        }
        Some(SecretAt::Here(_)) | None => return Ok(Cow::Borrowed(channel)),
    };
    Ok(Cow::Owned(Channel {
        secret: Some(found.trim().to_string()).filter(|s| !s.is_empty()),
        ..channel.clone()
    }))
}

/// `text` without the channel's address or secret (an error may quote the URL it tried,
/// and a robot's URL carries its key).
fn redact(text: &str, channel: &Channel) -> String {
    let mut text = text.replace(&channel.target, "（渠道地址）");
    if let Some(s) = channel.secret.as_deref().filter(|s| !s.is_empty()) {
        text = text.replace(s, "（密钥）");
    }
    text
}

/// The group message of a robot: the text, whom it is for, and the link.
fn group_text(m: &Outgoing) -> String {
    format!("{}\n{}", m.text, m.url)
}

fn robot(channel: &Channel, m: &Outgoing) -> Result<(), Failure> {
    let (url, body) = match channel.kind {
        ChannelKind::Wecom => {
            let mut text = json!({ "content": group_text(m) });
            if let Some(id) = m.address {
                text["mentioned_list"] = json!([id]);
            }
            if let Some(mobile) = m.mobile {
                text["mentioned_mobile_list"] = json!([mobile]);
            }
            (
                channel.target.clone(),
                json!({ "msgtype": "text", "text": text }),
            )
        }
        ChannelKind::Dingtalk => {
            let mut url = channel.target.clone();
            if let Some(secret) = channel.secret.as_deref() {
                let signed = sign::dingtalk(secret, m.now_ms);
                let signed: String =
                    url::form_urlencoded::byte_serialize(signed.as_bytes()).collect();
                let joiner = if url.contains('?') { '&' } else { '?' };
                url = format!("{url}{joiner}timestamp={}&sign={signed}", m.now_ms);
            }
            let at = json!({
                "atMobiles": m.mobile.map(|x| vec![x]).unwrap_or_default(),
                "atUserIds": m.address.map(|x| vec![x]).unwrap_or_default(),
                "isAtAll": false,
            });
            (
                url,
                json!({ "msgtype": "text", "text": { "content": group_text(m) }, "at": at }),
            )
        }
        _ => {
            let mention = m
                .address
                .map(|id| format!("<at user_id=\"{id}\">{}</at> ", m.name))
                .unwrap_or_default();
            let mut body = json!({
                "msg_type": "text",
                "content": { "text": format!("{mention}{}", group_text(m)) },
            });
            if let Some(secret) = channel.secret.as_deref() {
                let s = m.now_ms / 1000;
                body["timestamp"] = json!(s.to_string());
                body["sign"] = json!(sign::feishu(secret, s));
            }
            (channel.target.clone(), body)
        }
    };
    let answer = post(&url, &body.to_string(), &[])?;
    platform_answer(channel.kind, &answer)
}

/// A platform's own verdict in a 200 answer: WeCom and DingTalk say `errcode`, Feishu
/// `code` (or `StatusCode`); 0 is delivered. Their rate-limit codes are worth a retry.
fn platform_answer(kind: ChannelKind, body: &str) -> Result<(), Failure> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or(serde_json::Value::Null);
    let code = v
        .get("errcode")
        .or_else(|| v.get("code"))
        .or_else(|| v.get("StatusCode"))
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(0);
    if code == 0 {
        return Ok(());
    }
    let said = v
        .get("errmsg")
        .or_else(|| v.get("msg"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let said = crate::domain::text::clip(said);
    // WeCom 45009 and DingTalk 130101 / 410100: too many messages; Feishu 9499 and 11232:
    // frequency limited.
    let limited = matches!(code, 45009 | 130101 | 410100 | 9499 | 11232);
    let reason = format!("{}拒收（错误码 {code}：{said}）", kind.label());
    if limited {
        Err(Failure::retry(reason))
    } else {
        Err(Failure::fatal(reason))
    }
}

fn webhook(channel: &Channel, m: &Outgoing) -> Result<(), Failure> {
    let body = json!({
        "id": m.key,
        "kind": m.kind,
        "employee": m.employee,
        "recipient": m.recipient,
        "text": m.text,
        "url": m.url,
    })
    .to_string();
    let signature = channel
        .secret
        .as_deref()
        .map(|s| sign::webhook(s, body.as_bytes()));
    let mut headers = vec![("Idempotency-Key", m.key.to_string())];
    if let Some(s) = signature {
        headers.push(("X-Appraise-Signature", s));
    }
    post(&channel.target, &body, &headers).map(|_| ())
}

/// POSTs JSON; a 2xx answer's body comes back. 5xx, 429 and no answer are worth a retry;
/// any other status is not.
fn post(url: &str, body: &str, headers: &[(&str, String)]) -> Result<String, Failure> {
    let mut request = agent()
        .post(url)
        .header("Content-Type", "application/json; charset=utf-8");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let mut answer = request
        .send(body)
        .map_err(|e| Failure::retry(format!("无法连接接收方：{}", unreachable(&e))))?;
    let status = answer.status().as_u16();
    let text = answer
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    match status {
        200..=299 => Ok(text),
        429 | 500..=599 => Err(Failure::retry(format!(
            "接收方暂时无法处理（HTTP {status}）"
        ))),
        _ => Err(Failure::fatal(format!(
            "接收方拒收（HTTP {status}：{}）",
            crate::domain::text::clip(&text)
        ))),
    }
}

/// Why a receiver could not be reached, in words; the transport's own words last.
fn unreachable(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "连接被拒绝（接收方未在运行？）".into()
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => "连接超时".into(),
        ureq::Error::Timeout(_) => format!("{} 秒内没有应答", TIMEOUT.as_secs()),
        ureq::Error::HostNotFound => "找不到该主机（域名解析失败）".into(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => format!("TLS 握手失败（{e}）"),
        other => format!("网络错误（{other}）"),
    }
}

/// The HTTP client every delivery shares: its connections to a receiver are kept open
/// between messages.
fn agent() -> &'static ureq::Agent {
    static AGENT: std::sync::OnceLock<ureq::Agent> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .build()
            .into()
    })
}

/// Where an e-mail channel sends from: `smtp://[USER@]HOST[:PORT]?from=ADDRESS[&tls=…]`,
/// with `tls` `starttls` (the default, port 587), `tls` (port 465) or `none` (a relay on
/// the same machine, port 25).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub from: String,
    pub tls: SmtpTls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    StartTls,
    Wrapper,
    None,
}

impl Smtp {
    /// Reads an e-mail channel's target; the error says what to write.
    pub fn parse(target: &str) -> Result<Smtp, String> {
        let url = url::Url::parse(target).map_err(|_| {
            "邮件渠道的地址应写作 smtp://用户名@服务器:587?from=发件地址".to_string()
        })?;
        if url.scheme() != "smtp" {
            return Err("邮件渠道的地址应以 smtp:// 开头".to_string());
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("邮件渠道的地址缺少服务器")?
            .to_string();
        let mut from = None;
        let mut tls = SmtpTls::StartTls;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "from" => from = Some(v.into_owned()),
                "tls" => {
                    tls = match v.as_ref() {
                        "starttls" => SmtpTls::StartTls,
                        "tls" => SmtpTls::Wrapper,
                        "none" => SmtpTls::None,
                        _ => return Err("tls 只能是 starttls、tls 或 none".to_string()),
                    }
                }
                _ => {
                    return Err(format!(
                        "邮件渠道的地址不认识参数“{}”",
                        crate::domain::text::clip(&k)
                    ));
                }
            }
        }
        let from = from.ok_or("邮件渠道的地址缺少 from=发件地址")?;
        from.parse::<lettre::Address>().map_err(|_| {
            format!(
                "发件地址“{}”不是电子邮件地址",
                crate::domain::text::clip(&from)
            )
        })?;
        let port = url.port().unwrap_or(match tls {
            SmtpTls::StartTls => 587,
            SmtpTls::Wrapper => 465,
            SmtpTls::None => 25,
        });
        let user = Some(url.username().to_string()).filter(|u| !u.is_empty());
        let user = user.map(|u| {
            percent_encoding::percent_decode_str(&u)
                .decode_utf8_lossy()
                .into_owned()
        });
        Ok(Smtp {
            host,
            port,
            user,
            from,
            tls,
        })
    }
}

fn email(channel: &Channel, m: &Outgoing) -> Result<(), Failure> {
    let smtp = Smtp::parse(&channel.target).map_err(Failure::fatal)?;
    let to = m
        .address
        .ok_or_else(|| Failure::fatal(format!("{} 没有登记电子邮件地址", m.recipient)))?;
    let subject = m
        .text
        .strip_prefix('【')
        .and_then(|t| t.split_once('】'))
        .map_or("考评通知", |(s, _)| s);
    let bad = |what: &str, value: &str| {
        Failure::fatal(format!(
            "{what}“{}”不是电子邮件地址",
            crate::domain::text::clip(value)
        ))
    };
    let message = Message::builder()
        .from(smtp.from.parse().map_err(|_| bad("发件地址", &smtp.from))?)
        .to(to.parse().map_err(|_| bad("收件地址", to))?)
        .subject(format!("【appraise】{subject}"))
        .message_id(Some(format!("<{}@appraise>", message_id(m.key))))
        .header(ContentType::TEXT_PLAIN)
        .body(format!("{}\n\n{}\n", m.text, m.url))
        .map_err(|e| Failure::fatal(format!("邮件无法生成：{e}")))?;
    let tls = |host: &str| {
        TlsParameters::new(host.to_string())
            .map_err(|e| Failure::fatal(format!("TLS 设置有误：{e}")))
    };
    let mut transport = SmtpTransport::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .timeout(Some(TIMEOUT))
        .tls(match smtp.tls {
            SmtpTls::StartTls => Tls::Required(tls(&smtp.host)?),
            SmtpTls::Wrapper => Tls::Wrapper(tls(&smtp.host)?),
            SmtpTls::None => Tls::None,
        });
    if let Some(user) = smtp.user {
        transport = transport.credentials(Credentials::new(
            user,
            channel.secret.clone().unwrap_or_default(),
        ));
    }
    transport.build().send(&message).map(|_| ()).map_err(|e| {
        let reason = format!("邮件服务器：{e}");
        if e.is_permanent() {
            Failure::fatal(reason)
        } else {
            Failure::retry(reason)
        }
    })
}

/// The key as the local part of a Message-ID: only what the grammar allows.
fn message_id(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '.'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_smtp_target_reads_with_its_defaults() {
        let s = Smtp::parse("smtp://hr%40corp.cn@mail.corp.cn?from=hr@corp.cn").unwrap();
        assert_eq!(s.host, "mail.corp.cn");
        assert_eq!(s.port, 587);
        assert_eq!(s.user.as_deref(), Some("hr@corp.cn"));
        assert_eq!(s.tls, SmtpTls::StartTls);
        let s = Smtp::parse("smtp://127.0.0.1:2525?from=a@b.cn&tls=none").unwrap();
        assert_eq!((s.port, s.tls, s.user), (2525, SmtpTls::None, None));
        assert!(Smtp::parse("smtp://mail.corp.cn").is_err());
        assert!(Smtp::parse("http://mail.corp.cn?from=a@b.cn").is_err());
        assert!(Smtp::parse("smtp://mail.corp.cn?from=nobody").is_err());
    }

    #[test]
    fn a_platforms_verdict_is_read_from_its_body() {
        assert!(platform_answer(ChannelKind::Wecom, r#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        let limited = platform_answer(
            ChannelKind::Dingtalk,
            r#"{"errcode":130101,"errmsg":"send too fast"}"#,
        );
        assert!(limited.unwrap_err().retry);
        let wrong = platform_answer(
            ChannelKind::Feishu,
            r#"{"code":19021,"msg":"sign match fail"}"#,
        );
        assert!(!wrong.unwrap_err().retry);
    }
}
