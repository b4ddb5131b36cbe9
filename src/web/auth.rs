//! Who is calling. A browser holds its session in an HttpOnly, SameSite=Strict cookie and
//! proves each write with a CSRF token bound to that session; a program sends
//! `Authorization: Bearer TOKEN` and needs no CSRF token (no browser attaches it on its
//! own). The session itself (argon2id passwords, throttling, expiry) is the application's.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use sha2::{Digest, Sha256};

use super::State;
use super::reply::Failure;
use super::watch::LoginSeen;
use crate::app::{Actor, Error, Session};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "appraise_session";

/// A random value a browser holds before it logs in, so that the login form has a CSRF
/// token too.
const PRE_COOKIE: &str = "appraise_pre";

/// The form field (or `X-CSRF-Token` header, or `csrf` query parameter for file uploads)
/// that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

/// The largest form body the CSRF check reads (file uploads carry the token in the query).
const FORM_LIMIT: usize = 1 << 20;

/// A logged-in caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    /// The session token (from the cookie or the bearer header).
    pub token: String,
    /// What waits on them (the menu counts it; the home page and the inbox list it):
    /// worked out for pages read, not for the API or for writes.
    pub waiting: Option<crate::app::Waiting>,
    /// What the write that sent them here did (`?done=ID`), for the page to confirm.
    pub done: Option<String>,
    /// The page of this site they came from (the `Referer`'s path, when it is of this
    /// host): where a refused form sends them back to mend it.
    pub came_from: Option<String>,
}

impl Caller {
    /// The CSRF token every form of this session carries.
    pub fn csrf(&self) -> String {
        csrf_for(&self.token)
    }
}

/// The CSRF token of a session (or a pre-login value): derived from the secret the cookie
/// holds, so a page on another site, which cannot read the cookie, cannot make it.
pub fn csrf_for(secret: &str) -> String {
    let digest = Sha256::digest(format!("appraise-csrf\0{secret}").as_bytes());
    crate::domain::text::hex(&digest[..16])
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_string())
}

impl FromRequestParts<State> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Caller, Response> {
        let api = parts.uri.path().starts_with("/api/");
        let token = bearer(&parts.headers).or_else(|| {
            CookieJar::from_headers(&parts.headers)
                .get(SESSION_COOKIE)
                .map(|c| c.value().to_string())
        });
        let Some(token) = token else {
            return Err(unauthenticated(api));
        };
        let t = token.clone();
        let count = !api && parts.method == Method::GET;
        let done = parts.uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, v)| k == "done" && v.len() <= 32)
                .map(|(_, v)| v)
        });
        let came_from = came_from(&parts.headers);
        let found = state
            .call(move |app| {
                let actor = app.session_actor(&t)?;
                let waiting = if count {
                    Some(app.waiting(&actor)?)
                } else {
                    None
                };
                Ok((actor, waiting))
            })
            .await;
        if let (Ok((actor, _)), Some(seen)) = (&found, parts.extensions.get::<LoginSeen>()) {
            seen.set(actor.name());
        }
        match found {
            Ok((actor, waiting)) => Ok(Caller {
                actor,
                token,
                waiting,
                done,
                came_from,
            }),
            Err(Error::SessionEnded | Error::UnknownActor(_)) => Err(unauthenticated(api)),
            Err(e) => Err(Failure::from(e).into_response()),
        }
    }
}

/// The path (with its query) of the `Referer` when it is a page of the host asked, else
/// `None`: a link back never leads off the site.
fn came_from(headers: &axum::http::HeaderMap) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let referer = headers.get(axum::http::header::REFERER)?.to_str().ok()?;
    let rest = referer
        .strip_prefix("http://")
        .or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    (path.starts_with('/') && !path.starts_with("//") && path.len() <= 2_000)
        .then(|| path.to_string())
}

/// No live session: a program is told to log in; a browser is sent to the login page.
fn unauthenticated(api: bool) -> Response {
    if api {
        Failure::new(
            StatusCode::UNAUTHORIZED,
            "请先登录：POST /api/v1/login，然后发送 Authorization: Bearer TOKEN",
        )
        .into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

/// Refuses (403) every write that rides on a browser's cookie without the CSRF token of
/// that cookie, in the `X-CSRF-Token` header, the `csrf` query parameter or the `csrf`
/// form field. Reads and bearer-authenticated calls pass; so does a write with no cookie
/// at all, which carries nothing to forge (its handler asks for a login).
pub async fn csrf_guard(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD) || bearer(req.headers()).is_some() {
        return next.run(req).await;
    }
    let Some(secret) = cookie_secret(&CookieJar::from_headers(req.headers())) else {
        return next.run(req).await;
    };
    let expected = csrf_for(&secret);
    let in_header = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected);
    let in_query = req.uri().query().is_some_and(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .is_ok_and(|pairs| pairs.iter().any(|(k, v)| k == CSRF_FIELD && *v == expected))
    });
    if in_header || in_query {
        return next.run(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
            return forged();
        };
        let good = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .is_ok_and(|pairs| pairs.iter().any(|(k, v)| k == CSRF_FIELD && *v == expected));
        if good {
            return next
                .run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await;
        }
    }
    forged()
}

fn forged() -> Response {
    Failure::new(
        StatusCode::FORBIDDEN,
        "表单的安全令牌（CSRF）缺失或已过期；请刷新页面后重新提交。",
    )
    .into_response()
}

/// Where a request comes from: the client's address, as the login throttle counts it, and
/// whether it reached us over HTTPS. Behind a trusted proxy (`--trusted-proxy`) both come
/// from what the proxy adds (`X-Forwarded-For`, `X-Forwarded-Proto`); from anyone else
/// those headers are ignored, since a client can send them to pose as another address.
#[derive(Debug, Clone)]
pub struct Client {
    pub address: String,
    pub https: bool,
    /// Where the request's log line learns the login a login attempt named.
    seen: LoginSeen,
}

impl FromRequestParts<State> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &State,
    ) -> Result<Client, Self::Rejection> {
        let seen = parts
            .extensions
            .get::<LoginSeen>()
            .cloned()
            .unwrap_or_default();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let trusted = |ip: &IpAddr| state.config.trusted_proxies.contains(ip);
        let Some(peer) = peer else {
            return Ok(Client {
                address: "unknown".into(),
                https: state.config.secure_cookies,
                seen,
            });
        };
        if !trusted(&peer) {
            return Ok(Client {
                address: peer.to_string(),
                https: state.config.secure_cookies,
                seen,
            });
        }
        // The proxy appends the address it saw; the nearest one that is not itself a
        // trusted proxy is the client (anything further left the client could have sent).
        let forwarded: Vec<IpAddr> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse())
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        let address = forwarded
            .iter()
            .rev()
            .find(|ip| !trusted(ip))
            .copied()
            .unwrap_or(peer);
        let https = state.config.secure_cookies
            || parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        Ok(Client {
            address: address.to_string(),
            https,
            seen,
        })
    }
}

/// The cookie that holds a new session. It has no max-age: it ends with the browser
/// (a shared front-desk PC forgets it), and the server ends the session after
/// [`SESSION_HOURS`](crate::app::SESSION_HOURS) whatever the browser keeps. `Secure`
/// whenever the request came over HTTPS.
pub fn session_cookie(client: &Client, session: &Session) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, session.token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(client.https)
        .path("/")
        .build()
}

/// The jar after a logout: the session cookie removed.
pub fn logged_out(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
}

/// A browser's pre-login secret and the jar that holds it (set when it had none).
pub fn pre_login(client: &Client, jar: CookieJar) -> (String, CookieJar) {
    if let Some(secret) = cookie_secret(&jar) {
        return (secret, jar);
    }
    let secret = crate::domain::text::random_hex(16).expect("the system has randomness");
    let cookie = Cookie::build((PRE_COOKIE, secret.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(client.https)
        .path("/")
        .build();
    (secret, jar.add(cookie))
}

/// The secret a browser's writes are checked against: its session, else its pre-login value.
fn cookie_secret(jar: &CookieJar) -> Option<String> {
    jar.get(SESSION_COOKIE)
        .or_else(|| jar.get(PRE_COOKIE))
        .map(|c| c.value().to_string())
}

/// A login attempt from `client`, as the page and the API both make it. A throttled one is
/// said on the server's log, so that whoever runs the server sees guessing as it happens
/// (HR sees it on the audit page).
pub async fn log_in(
    state: &State,
    client: &Client,
    login: String,
    password: String,
) -> crate::app::Result<Session> {
    let address = client.address.clone();
    // The log line names the login tried, whatever came of it (never the password).
    client.seen.set(&login);
    let who = login.clone();
    let attempt = state
        .call(move |app| app.login(&login, &password, &address))
        .await;
    if let Err(Error::Throttled { seconds }) = &attempt {
        tracing::warn!(
            target: "appraise::http",
            "login throttled: login {who:?} from {} waits {seconds} s",
            client.address
        );
    }
    attempt
}

/// The headers every answer carries: no script runs (there is none), no other site frames
/// a page (clickjacking), no address leaks to other sites, no type is guessed. Styles may be
/// inline: the printable documents carry their own.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, axum::http::HeaderValue::from_static(value));
    }
    res
}
