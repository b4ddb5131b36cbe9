//! Passwords and sessions: what turns a person at a browser or a program into an `Actor`.
//! Passwords are kept as argon2id hashes; a session token is random and kept only as its
//! SHA-256, so a copy of the database lets nobody in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Local};
use sha2::{Digest, Sha256};

use super::{Actor, App, Error, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::store::FailedLogins;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Failed attempts at one login from one address that pass unhindered within
/// [`THROTTLE_WINDOW`]; after them each further attempt from there waits, longer after each
/// failure (see [`wait_after`]). A good login from there starts the count again. Counting
/// by login *and* address means someone guessing at a login from one place cannot keep its
/// owner out from another.
pub const LOGIN_FAILURES: usize = 5;

/// Failed attempts from one address at any logins within the window after which attempts
/// from there wait too, so that guessing across many logins is slowed. It does not hold up
/// a login that has logged in from that address within [`KNOWN_ADDRESS`]: a whole office
/// behind one address is not locked out by one guesser among them.
pub const ADDRESS_FAILURES: usize = 20;

/// The window over which failures are counted, in seconds.
pub const THROTTLE_WINDOW: i64 = 60 * 60;

/// The first wait, in seconds; each further failure doubles it, up to [`LONGEST_WAIT`].
pub const FIRST_WAIT: i64 = 30;

/// The longest wait, in seconds.
pub const LONGEST_WAIT: i64 = 15 * 60;

/// How long a good login from an address keeps that address known for the login, in
/// seconds.
pub const KNOWN_ADDRESS: i64 = 30 * 24 * 60 * 60;

/// How long after the latest of `failures` (newest first) the next attempt must wait, when
/// the first `free` failures pass unhindered: [`FIRST_WAIT`] after the `free`-th, doubling
/// with each one more, at most [`LONGEST_WAIT`].
fn wait_after(failures: &[i64], free: usize, now: i64) -> Option<i64> {
    let over = failures.len().checked_sub(free)?;
    let wait = FIRST_WAIT
        .saturating_mul(1_i64 << over.min(20))
        .min(LONGEST_WAIT);
    let until = failures.first()? + wait;
    (until > now).then_some(until - now)
}

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
    /// unknown login and a wrong password, so that logins cannot be probed. Repeated
    /// failures make the next attempt wait (per login and address after
    /// [`LOGIN_FAILURES`], per address after [`ADDRESS_FAILURES`]); an attempt that comes
    /// too soon is refused unchecked and not counted, and the refusal says how long to
    /// wait.
    pub fn login(&self, login: &str, password: &str, address: &str) -> Result<Session> {
        self.login_at(login, password, address, Local::now().timestamp())
    }

    fn login_at(&self, login: &str, password: &str, address: &str, now: i64) -> Result<Session> {
        let mut store = self.store()?;
        let seen =
            store.failed_logins(login, address, now - THROTTLE_WINDOW, now - KNOWN_ADDRESS)?;
        let by_address = (!seen.known)
            .then(|| wait_after(&seen.from_address, ADDRESS_FAILURES, now))
            .flatten();
        if let Some(seconds) = wait_after(&seen.pair, LOGIN_FAILURES, now).max(by_address) {
            return Err(Error::Throttled { seconds });
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

    /// The failed logins of the last [`THROTTLE_WINDOW`], a row per login and address,
    /// most first (at most 100): what HR sees of guessing, for the company's reports.
    pub fn login_failures(&self, by: &Actor) -> Result<Vec<FailedLogins>> {
        self.check_report(by, None)?;
        let since = Local::now().timestamp() - THROTTLE_WINDOW;
        Ok(self.store()?.login_failures_since(since, 100)?)
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
    fn guessing_at_one_login_from_one_address_waits_longer_after_each_failure() {
        let dir = tempfile::tempdir().unwrap();
        let app = workspace(dir.path());
        let t = 1_800_000_000;
        for i in 0..LOGIN_FAILURES as i64 {
            let e = app.login_at("zhang", "guess", "10.0.0.9", t + i);
            assert!(matches!(e, Err(Error::WrongLogin)), "{e:?}");
        }
        // Now even the right password waits there, and the refusal says how long.
        let last = t + LOGIN_FAILURES as i64 - 1;
        let e = app.login_at("zhang", "front-desk-2026", "10.0.0.9", last + 10);
        assert!(matches!(e, Err(Error::Throttled { seconds: 20 })), "{e:?}");
        // The owner at another address is not held up, nor another login there.
        app.login_at("zhang", "front-desk-2026", "10.0.0.7", last + 10)
            .unwrap();
        app.login_at("wang", "front-desk-2026", "10.0.0.9", last + 10)
            .unwrap();
        // Each failure after waiting doubles the next wait: 30 s, 60 s, 120 s …
        let mut at = last + FIRST_WAIT;
        for wait in [60, 120, 240, 480, 900, 900] {
            let e = app.login_at("zhang", "guess", "10.0.0.9", at);
            assert!(matches!(e, Err(Error::WrongLogin)), "{e:?}");
            let e = app.login_at("zhang", "guess", "10.0.0.9", at + wait - 1);
            assert!(matches!(e, Err(Error::Throttled { seconds: 1 })), "{e:?}");
            at += wait;
        }
        // Once the wait is over the right password works, and starts the count again.
        app.login_at("zhang", "front-desk-2026", "10.0.0.9", at)
            .unwrap();
        for i in 0..LOGIN_FAILURES as i64 - 1 {
            app.login_at("zhang", "guess", "10.0.0.9", at + 1 + i)
                .unwrap_err();
        }
        app.login_at("zhang", "front-desk-2026", "10.0.0.9", at + 10)
            .unwrap();
    }

    #[test]
    fn guessing_across_logins_from_one_address_is_slowed_but_known_logins_pass() {
        let dir = tempfile::tempdir().unwrap();
        let app = workspace(dir.path());
        let t = 1_800_000_000;
        // Wang logged in from the office's address last week.
        app.login_at("wang", "front-desk-2026", "10.0.0.9", t - 7 * 24 * 3600)
            .unwrap();
        // Unknown logins count too (the answer must not tell which logins exist).
        for i in 0..ADDRESS_FAILURES as i64 {
            app.login_at(&format!("user{i}"), "guess", "10.0.0.9", t + i)
                .unwrap_err();
        }
        let e = app.login_at("zhang", "front-desk-2026", "10.0.0.9", t + 30);
        assert!(matches!(e, Err(Error::Throttled { .. })), "{e:?}");
        app.login_at("zhang", "front-desk-2026", "10.0.0.8", t + 30)
            .unwrap();
        // A login known at that address is not held up by the others' failures.
        app.login_at("wang", "front-desk-2026", "10.0.0.9", t + 30)
            .unwrap();
        // What HR sees: a row per login and address.
        let seen = app
            .store()
            .unwrap()
            .login_failures_since(t - 1, 100)
            .unwrap();
        assert_eq!(seen.len(), ADDRESS_FAILURES);
        assert!(
            seen.iter()
                .all(|f| f.address == "10.0.0.9" && f.failures == 1)
        );
    }
}
