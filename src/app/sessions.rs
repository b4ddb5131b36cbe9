//! Passwords and sessions: what turns a person at a browser or a program into an `Actor`.
//! Passwords are kept as argon2id hashes; a session token is random and kept only as its
//! SHA-256, so a copy of the database lets nobody in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Local};
use sha2::{Digest, Sha256};

use super::{Actor, App, Error, Result};
use crate::user::Role;

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 8;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// A started session: the token to present, and until when it is good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub token: String,
    pub expires_at: String,
}

impl App {
    /// Sets `login`'s password. HR sets anyone's; everyone else only their own.
    pub fn set_password(&self, by: &Actor, login: &str, password: &str) -> Result<()> {
        if by.role() != Some(Role::Hr) && by.name() != login {
            return Err(Error::NotAllowed(format!(
                "only HR sets another login's password; `{}` may set only their own",
                by.name()
            )));
        }
        if password.chars().count() < MIN_PASSWORD {
            return Err(Error::refused(format!(
                "a password has at least {MIN_PASSWORD} characters"
            )));
        }
        let mut store = self.store()?;
        if store.user(login)?.is_none() {
            return Err(Error::UnknownActor(login.to_string()));
        }
        let phc = Argon2::default()
            .hash_password(password.as_bytes())
            .map_err(|e| Error::refused(format!("the password cannot be hashed: {e}")))?
            .to_string();
        store.set_password(login, &phc, &self.stamp(by))?;
        Ok(())
    }

    /// Starts a session for `login` if `password` is its password. The same answer for an
    /// unknown login and a wrong password, so that logins cannot be probed.
    pub fn login(&self, login: &str, password: &str) -> Result<Session> {
        let mut store = self.store()?;
        let denied = || Error::NotAllowed("the login or the password is wrong".into());
        let Some(phc) = store.password(login)? else {
            return Err(denied());
        };
        Argon2::default()
            .verify_password(password.as_bytes(), phc.as_str())
            .map_err(|_| denied())?;
        let actor = self.actor(login)?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::refused(format!("no randomness for a session token: {e}")))?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let expires_at = (Local::now() + Duration::hours(SESSION_HOURS))
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string();
        store.start_session(&token_hash(&token), login, &expires_at, &self.stamp(&actor))?;
        Ok(Session { token, expires_at })
    }

    /// The actor a session token stands for, while the session is live.
    pub fn session_actor(&self, token: &str) -> Result<Actor> {
        let store = self.store()?;
        let expired = || Error::NotAllowed("the session has ended; log in again".into());
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
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
