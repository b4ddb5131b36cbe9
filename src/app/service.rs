//! How a company runs appraise as a service: the configuration file (`appraise.toml` beside
//! the database, or `--config PATH`). Every setting has a default, so a file holds only what
//! differs; a key or value the service does not know is refused at start, naming the file,
//! the line and what to write instead, rather than ignored (a misspelt `keep` would otherwise
//! keep the default number of backups without a word). Secrets never go here: the file is
//! meant to be readable by the operator, and the channels' secrets stay where `notify
//! channel add --secret-stdin` put them.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Deserializer};

use super::App;

/// The name of the file looked for beside the database.
pub const FILE_NAME: &str = "appraise.toml";

/// The most bytes a configuration file may have: a real one is a few hundred.
const MAX_BYTES: u64 = 64 * 1024;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceConfig {
    pub server: Server,
    pub company: Company,
    pub log: Log,
    pub backup: Backup,
}

/// `[server]`: where and how `appraise serve` listens.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// The address and port to listen on (`--listen` wins).
    pub listen: SocketAddr,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed
    /// (added to any `--trusted-proxy`).
    pub trusted_proxies: Vec<IpAddr>,
    /// Served over HTTPS (directly or behind a proxy): session cookies are `Secure`.
    pub https: bool,
    /// How long a stopping server (SIGTERM, ctrl-c) waits for the requests in flight before
    /// it exits anyway.
    pub shutdown_seconds: u64,
}

impl Default for Server {
    fn default() -> Server {
        Server {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            trusted_proxies: Vec::new(),
            https: false,
            shutdown_seconds: 30,
        }
    }
}

/// `[company]`: facts about the company the service needs.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Company {
    /// The company's time zone as an offset from UTC (`"+08:00"`): what day it is, and when
    /// the nightly backup runs, whatever zone the server's clock is set to. Unset: the
    /// server's own zone.
    #[serde(deserialize_with = "offset")]
    pub utc_offset: Option<FixedOffset>,
}

/// `[log]`: what the service writes to standard error (the journal, under systemd).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Log {
    pub level: Level,
}

/// How much the service logs: `error`, `warn`, `info` (a line per request) or `debug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warn,
    #[default]
    Info,
    Debug,
}

/// `[backup]`: dated copies in a folder, the oldest removed beyond `keep`; with `at`, the
/// server writes one every day at that time.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Backup {
    /// The folder the copies go to (`backup --dir` wins); best on another disk, and copied
    /// off the machine from there.
    pub dir: Option<PathBuf>,
    /// How many copies to keep, at least 1.
    pub keep: usize,
    /// The time of day (company time, `"HH:MM"`, or `"HH:MM:SS"`) the server writes a
    /// copy; unset: never.
    #[serde(deserialize_with = "time_of_day")]
    pub at: Option<NaiveTime>,
}

impl Default for Backup {
    fn default() -> Backup {
        Backup {
            dir: None,
            keep: 14,
            at: None,
        }
    }
}

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration `{}` could not be read: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration `{}` is over {} KiB; it holds a few settings", .path.display(), MAX_BYTES / 1024)]
    TooLarge { path: PathBuf },
    /// A key or value not understood, with the line (TOML's own message quotes the line
    /// and marks the place).
    #[error("the configuration `{}` is wrong at line {line}:\n{message}", .path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl ServiceConfig {
    /// The configuration at `path` when given (it must exist), else `appraise.toml` beside
    /// `db` if there is one, else every default.
    pub fn find(path: Option<&Path>, db: &Path) -> Result<ServiceConfig, ConfigError> {
        match path {
            Some(p) => ServiceConfig::load(p),
            None => {
                let beside = beside(db);
                if beside.exists() {
                    ServiceConfig::load(&beside)
                } else {
                    Ok(ServiceConfig::default())
                }
            }
        }
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<ServiceConfig, ConfigError> {
        use std::io::Read;
        let read = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(read)?
            .take(MAX_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read)?;
        if text.len() as u64 > MAX_BYTES {
            return Err(ConfigError::TooLarge {
                path: path.to_path_buf(),
            });
        }
        ServiceConfig::parse(&text).map_err(|(line, message)| ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        })
    }

    /// The settings in `text`, or the line of the first wrong one and what is wrong.
    pub fn parse(text: &str) -> Result<ServiceConfig, (usize, String)> {
        let config: ServiceConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                1 + text.as_bytes()[..s.start.min(text.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count()
            });
            (line, e.to_string())
        })?;
        if config.backup.at.is_some() && config.backup.dir.is_none() {
            return Err((
                line_of(text, "at"),
                "`at` is when the nightly backup runs: say where it goes with `dir` under [backup]"
                    .into(),
            ));
        }
        if config.backup.keep == 0 {
            let line = line_of(text, "keep");
            return Err((
                line,
                "`keep` is how many backups to keep: at least 1 (a new copy is kept before an old one is removed)".into(),
            ));
        }
        Ok(config)
    }

    /// Now on the company's clock.
    pub fn now(&self) -> DateTime<FixedOffset> {
        company_now(self.company.utc_offset)
    }

    /// Today on the company's clock.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}

/// Now at the company's offset from UTC, or in the server's own zone without one.
pub fn company_now(utc_offset: Option<FixedOffset>) -> DateTime<FixedOffset> {
    match utc_offset {
        Some(offset) => Utc::now().with_timezone(&offset),
        None => Local::now().fixed_offset(),
    }
}

/// What an operator watches, read afresh at each look: the notices by state, and the
/// database's size on disk.
#[derive(Debug, Clone, Default)]
pub struct Vitals {
    pub notices: BTreeMap<String, i64>,
    /// The database file and its write-ahead log.
    pub database_bytes: u64,
}

impl App {
    /// The service's vitals; an error when the database does not answer (what `/readyz`
    /// asks). Counts only, nothing about anyone, so no actor is needed.
    pub fn vitals(&self) -> crate::app::Result<Vitals> {
        let notices = self.store()?.notice_counts()?;
        let size = |suffix: &str| {
            std::fs::metadata(crate::store::sqlite_file(self.db(), suffix)).map_or(0, |m| m.len())
        };
        Ok(Vitals {
            notices,
            database_bytes: size("") + size("-wal"),
        })
    }
}

/// `appraise.toml` in the folder of `db`.
pub fn beside(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(FILE_NAME)
}

/// The first line of `text` that sets `key`, for a value refused after parsing.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(1, |i| i + 1)
}

/// `"+08:00"`, `"-05:30"` or `"Z"`; or the name of a zone of Chinese-speaking regions,
/// none of which keeps summer time (`"Asia/Shanghai"`), so that one offset is all of it.
fn offset<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FixedOffset>, D::Error> {
    let text = String::deserialize(d)?;
    let parsed = match text.as_str() {
        "Z" | "UTC" => FixedOffset::east_opt(0),
        "Asia/Shanghai" | "Asia/Hong_Kong" | "Asia/Macau" | "Asia/Taipei" | "Asia/Singapore" => {
            FixedOffset::east_opt(8 * 3600)
        }
        _ => text.parse::<FixedOffset>().ok(),
    };
    parsed.map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`{}` is not an offset from UTC; write it as \"+08:00\" (China) or \"-05:00\"",
            crate::domain::text::clip(&text)
        ))
    })
}

/// `"02:30"` (or `"02:30:15"`, to the second).
fn time_of_day<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
    let text = String::deserialize(d)?;
    NaiveTime::parse_from_str(&text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
        .map(Some)
        .map_err(|_| {
            serde::de::Error::custom(format!(
                "`{}` is not a time of day; write it as \"02:30\"",
                crate::domain::text::clip(&text)
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_every_default() {
        let c = ServiceConfig::parse("").unwrap();
        assert_eq!(c, ServiceConfig::default());
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.backup.keep, 14);
        assert_eq!(c.log.level, Level::Info);
    }

    #[test]
    fn every_setting_reads() {
        let c = ServiceConfig::parse(
            r#"
[server]
listen = "0.0.0.0:9000"
trusted_proxies = ["127.0.0.1", "::1"]
https = true
shutdown_seconds = 5

[company]
utc_offset = "+08:00"

[log]
level = "debug"

[backup]
dir = "/var/backups/appraise"
keep = 7
at = "02:30"
"#,
        )
        .unwrap();
        assert_eq!(c.server.listen.port(), 9000);
        assert_eq!(c.server.trusted_proxies.len(), 2);
        assert!(c.server.https);
        assert_eq!(c.server.shutdown_seconds, 5);
        assert_eq!(c.company.utc_offset.unwrap().local_minus_utc(), 8 * 3600);
        assert_eq!(c.log.level, Level::Debug);
        assert_eq!(c.backup.keep, 7);
        assert_eq!(c.backup.at, NaiveTime::from_hms_opt(2, 30, 0));
    }

    #[test]
    fn a_wrong_key_or_value_is_refused_at_its_line() {
        let (line, message) =
            ServiceConfig::parse("[server]\nhttps = true\nlisten_on = \"1.2.3.4:1\"\n")
                .unwrap_err();
        assert_eq!(line, 3, "{message}");
        assert!(message.contains("listen_on"), "{message}");
        let (line, message) = ServiceConfig::parse("[backup]\n\nat = \"25:00\"\n").unwrap_err();
        assert_eq!(line, 3, "{message}");
        assert!(message.contains("02:30"), "{message}");
        let c = ServiceConfig::parse("[company]\nutc_offset = \"Asia/Shanghai\"\n").unwrap();
        assert_eq!(c.company.utc_offset.unwrap().local_minus_utc(), 8 * 3600);
        let (line, message) =
            ServiceConfig::parse("[company]\nutc_offset = \"Beijing\"\n").unwrap_err();
        assert_eq!(line, 2, "{message}");
        assert!(message.contains("+08:00"), "{message}");
        let (line, message) = ServiceConfig::parse("[backup]\nkeep = 0\n").unwrap_err();
        assert_eq!(line, 2, "{message}");
        let (line, message) =
            ServiceConfig::parse("[backup]\nkeep = 3\nat = \"02:30\"\n").unwrap_err();
        assert_eq!(line, 3, "{message}");
        assert!(message.contains("dir"), "{message}");
        let (line, _) = ServiceConfig::parse("[log]\nlevel = \"loud\"\n").unwrap_err();
        assert_eq!(line, 2);
        let (line, _) = ServiceConfig::parse("[server]\nlisten = \"localhost\"\n").unwrap_err();
        assert_eq!(line, 2);
    }
}
