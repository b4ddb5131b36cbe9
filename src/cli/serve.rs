//! `appraise serve [--listen ADDR]`: the web workplace and `/api/v1` over this database.

use std::time::Duration;

use super::{Ctx, Result};
use appraise::app::Error;
use appraise::app::service::Level;
use appraise::web::{self, Backups, Config};

/// Where and how to serve (also `demo --serve`'s).
#[derive(Debug, clap::Args)]
pub struct Listen {
    /// The address to listen on; port 0 picks a free one [default: the configuration's
    /// `[server] listen`, else 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<String>,
    /// Served over HTTPS: mark the session cookie `Secure` on every answer. Behind a
    /// trusted proxy that says `X-Forwarded-Proto: https` it is marked so anyway.
    #[arg(long = "https", visible_alias = "secure-cookies")]
    pub secure_cookies: bool,
    /// A proxy in front of the server (repeatable): the client's address is taken from the
    /// `X-Forwarded-For` it adds, and HTTPS from its `X-Forwarded-Proto`. Without it, those
    /// headers are ignored and every client behind the proxy shares its address.
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

pub type Args = Listen;

pub fn run(ctx: &Ctx, a: Args) -> Result {
    if !ctx.app.db().exists() {
        return Err(Error::NoDatabase(ctx.app.db().to_path_buf()).into());
    }
    serve(ctx, &a)
}

/// Serves until SIGTERM or ctrl-c, saying where; the flags win over the configuration
/// (trusted proxies are added to its own).
pub fn serve(ctx: &Ctx, a: &Listen) -> Result {
    let c = &ctx.config;
    log_to_stderr(c.log.level);
    let mut trusted_proxies = c.server.trusted_proxies.clone();
    trusted_proxies.extend(a.trusted_proxies.iter().copied());
    let config = Config {
        // A date fixed by APPRAISE_TODAY stays fixed; otherwise each request reads the clock.
        today: std::env::var_os("APPRAISE_TODAY").map(|_| ctx.today()),
        secure_cookies: a.secure_cookies || c.server.https,
        trusted_proxies,
        utc_offset: c.company.utc_offset,
        shutdown_grace: Duration::from_secs(c.server.shutdown_seconds),
        backups: c.backup.dir.clone().map(|dir| Backups {
            dir,
            keep: c.backup.keep,
            at: c.backup.at,
        }),
        ..Config::new(ctx.app.db())
    };
    let listen = a
        .listen
        .clone()
        .unwrap_or_else(|| c.server.listen.to_string());
    web::run(&listen, config, |addr| {
        if super::english() {
            println!("Serving the workplace at http://{addr}/ (ctrl-c or SIGTERM stops it)");
        } else {
            println!("网页工作台已在 http://{addr}/ 上运行（按 Ctrl-C 或发送 SIGTERM 停止）");
        }
    })
    .map_err(|source| {
        Error::Io {
            path: listen.clone().into(),
            source,
        }
        .into()
    })
}

/// One line per request and what the workers do, on standard error (the journal, under
/// systemd), at the configured level.
fn log_to_stderr(level: Level) {
    let level = match level {
        Level::Error => tracing::Level::ERROR,
        Level::Warn => tracing::Level::WARN,
        Level::Info => tracing::Level::INFO,
        Level::Debug => tracing::Level::DEBUG,
    };
    // A second call (the demo serving after it built its company) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
