//! `appraise serve [--listen ADDR]`: the web workplace and `/api/v1` over this database.

use super::{Ctx, Result};
use appraise::app::Error;
use appraise::web::{self, Config};

/// Where and how to serve (also `demo --serve`'s).
#[derive(Debug, clap::Args)]
pub struct Listen {
    /// The address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
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

/// Serves until ctrl-c, saying where.
pub fn serve(ctx: &Ctx, a: &Listen) -> Result {
    let config = Config {
        db: ctx.app.db().to_path_buf(),
        // A date fixed by APPRAISE_TODAY stays fixed; otherwise each request reads the clock.
        today: std::env::var_os("APPRAISE_TODAY").map(|_| ctx.today()),
        secure_cookies: a.secure_cookies,
        trusted_proxies: a.trusted_proxies.clone(),
    };
    web::run(&a.listen, config, |addr| {
        println!("Serving the workplace at http://{addr}/ (ctrl-c stops it)");
    })
    .map_err(|source| {
        Error::Io {
            path: a.listen.clone().into(),
            source,
        }
        .into()
    })
}
