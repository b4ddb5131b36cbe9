//! Passwords and sessions: what turns a person at a browser or a program into an `Actor`.
//! Passwords are kept as argon2id hashes; a session token is random and kept only as its
//! SHA-256, so a copy of the database lets nobody in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Local};
use sha2::{Digest, Sha256};

use super::{Actor, App, Error, Invalid, Result};
use crate::domain::access::{Action, Target};

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Failed attempts at one login, within [`THROTTLE_WINDOW`], after which it must wait;
/// a good login starts the count again.
pub const LOGIN_FAILURES: usize = 5;

/// Failed attempts from one address (at any logins) within the window after which it
/// must wait, so that guessing across many logins is slowed too.
pub const ADDRESS_FAILURES: usize = 20;

/// The window over which failures are counted, in seconds.
pub const THROTTLE_WINDOW: i64 = 15 * 60;

/// A started session: the token to present, and until when it is good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
}

impl App {
    /// Sets `login`'s password. HR sets anyone's; everyone else only their own.
    pub fn set_password(&self, by: &Actor, login: &str, password: &str) -> Result<()> {
        self.authorize(by, Action::SetPassword, &Target::Login(login))?;
        if password.chars().count() < MIN_PASSWORD {
            return Err(Invalid::PasswordTooShort(MIN_PASSWORD).into());
        }
        let mut store = self.store()?;
        if store.user(login)?.is_none() {
            return Err(Error::UnknownActor(login.to_string()));
        }
        let phc = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| Error::Internal(format!("the password cannot be hashed: {e}")))?
            .to_string();
        store.set_password(login, &phc, &self.stamp(by))?;
        Ok(())
    }

    /// Starts a session for `login` if `password` is its password, asked from `address`
    /// (the client's IP address, or `local` for a command line). The same answer for an
    /// unknown login and a wrong password, so that logins cannot be probed. After
    /// [`LOGIN_FAILURES`] failures at a login, or [`ADDRESS_FAILURES`] from an address,
    /// within [`THROTTLE_WINDOW`], attempts are refused unchecked until the window lets the
    /// oldest go; the refusal says how long to wait.
    pub fn login(&self, login: &str, password: &str, address: &str) -> Result<Session> {
        self.login_at(login, password, address, Local::now().timestamp())
    }

    fn login_at(&self, login: &str, password: &str, address: &str, now: i64) -> Result<Session> {
        let mut store = self.store()?;
        let (by_login, by_address) = store.failed_logins(login, address, now - THROTTLE_WINDOW)?;
        let wait = [(by_login, LOGIN_FAILURES), (by_address, ADDRESS_FAILURES)]
            .into_iter()
            .filter_map(|(times, limit)| times.get(limit - 1).map(|t| t + THROTTLE_WINDOW - now))
            .max();
        if let Some(wait) = wait {
            let minutes = ((wait + 59) / 60) as usize;
            return Err(Error::Throttled { minutes });
        }
        let good = store.password(login)?.is_some_and(|phc| {
            Argon2::default()
                .verify_password(password.as_bytes(), phc.as_str())
                .is_ok()
        });
        store.note_login_attempt(login, address, now, good)?;
        if !good {
            return Err(Error::WrongLogin);
        }
        let actor = self.actor(login)?;
        let token = crate::domain::text::random_hex(32)
            .map_err(|e| Error::Internal(format!("no randomness for a session token: {e}")))?;
        let expires_at = (Local::now() + Duration::hours(SESSION_HOURS))
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string();
        store.start_session(&token_hash(&token), login, &expires_at, &self.stamp(&actor))?;
        Ok(Session { token, expires_at })
    }

    /// The actor a session token stands for, while the session is live.
    pub fn session_actor(&self, token: &str) -> Result<Actor> {
        let store = self.store()?;
        let expired = || Error::SessionEnded;
        let Some((login, expires_at)) = store.session(&token_hash(token))? else {
            return Err(expired());
        };
        let live = DateTime::parse_from_str(&expires_at, "%Y-%m-%dT%H:%M:%S%:z")
            .is_ok_and(|t| t > Local::now());
        if !live {
            return Err(expired());
        }
        self.actor(&login)
    }

    /// Ends the session of `token` (a logout); an unknown token is already ended.
    pub fn logout(&self, token: &str) -> Result<()> {
        let actor = self.session_actor(token)?;
        self.store()?
            .end_session(&token_hash(token), &self.stamp(&actor))?;
        Ok(())
    }
}

/// What the database keeps of a token.
fn token_hash(token: &str) -> String {
    crate::domain::text::hex(&Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::{Role, User};

    /// A workspace with HR and `zhang`, whose password is `front-desk-2026`.
    fn workspace(dir: &std::path::Path) -> App {
        let app = App::new(dir.join("appraise.db"), chrono::NaiveDate::MIN);
        app.init("HR", dir).unwrap();
        let hr = app.actor("HR").unwrap();
        for login in ["zhang", "wang"] {
            let user = User {
                login: login.into(),
                name: login.into(),
                role: Role::Supervisor,
                employee: None,
                department: None,
            };
            app.add_user(&hr, user).unwrap();
            app.set_password(&hr, login, "front-desk-2026").unwrap();
        }
        app
    }

    #[test]
    fn guessing_at_one_login_is_slowed_until_the_window_passes() {
        let dir = tempfile::tempdir().unwrap();
        let app = workspace(dir.path());
        let t = 1_800_000_000;
        for i in 0..LOGIN_FAILURES as i64 {
            let e = app.login_at("zhang", "guess", "10.0.0.9", t + i);
            assert!(matches!(e, Err(Error::WrongLogin)), "{e:?}");
        }
        // Now even the right password waits, and the refusal says how long.
        let e = app.login_at("zhang", "front-desk-2026", "10.0.0.9", t + 60);
        assert!(matches!(e, Err(Error::Throttled { minutes: 14 })), "{e:?}");
        // Another login from another address is not held up.
        app.login_at("wang", "front-desk-2026", "10.0.0.7", t + 60)
            .unwrap();
        // Once the oldest failure leaves the window, the right password works, and a good
        // login starts the count again.
        app.login_at("zhang", "front-desk-2026", "10.0.0.9", t + THROTTLE_WINDOW)
            .unwrap();
        let after = t + THROTTLE_WINDOW + 1;
        for i in 0..LOGIN_FAILURES as i64 - 1 {
            app.login_at("zhang", "guess", "10.0.0.9", after + i)
                .unwrap_err();
        }
        app.login_at("zhang", "front-desk-2026", "10.0.0.9", after + 10)
            .unwrap();
    }

    #[test]
    fn guessing_across_logins_from_one_address_is_slowed() {
        let dir = tempfile::tempdir().unwrap();
        let app = workspace(dir.path());
        let t = 1_800_000_000;
        // Unknown logins count too (the answer must not tell which logins exist).
        for i in 0..ADDRESS_FAILURES as i64 {
            app.login_at(&format!("user{i}"), "guess", "10.0.0.9", t + i)
                .unwrap_err();
        }
        let e = app.login_at("wang", "front-desk-2026", "10.0.0.9", t + 30);
        assert!(matches!(e, Err(Error::Throttled { .. })), "{e:?}");
        app.login_at("wang", "front-desk-2026", "10.0.0.8", t + 30)
            .unwrap();
    }
}
