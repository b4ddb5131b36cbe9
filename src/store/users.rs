//! The people who act: registered logins with their role.

use rusqlite::{OptionalExtension, params};

use super::{Result, Stamp, Store, audit};
use crate::domain::user::{Role, User};

impl Store {
    /// Registers a login, or changes its name, role and links.
    pub fn put_user(&mut self, user: &User, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        let before = tx
            .query_row(
                "SELECT name, role, employee, department FROM users WHERE login = ?1",
                [&user.login],
                |r| {
                    Ok(format!(
                        "{} {} {} {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                        r.get::<_, Option<String>>(3)?.unwrap_or_default()
                    ))
                },
            )
            .optional()?;
        tx.execute(
            "INSERT INTO users (login, name, role, employee, department, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(login) DO UPDATE SET name = ?2, role = ?3, employee = ?4, department = ?5",
            params![
                user.login,
                user.name,
                user.role.as_str(),
                user.employee,
                user.department,
                stamp.by,
                stamp.at
            ],
        )?;
        let after = format!(
            "{} {} {} {}",
            user.name,
            user.role.as_str(),
            user.employee.as_deref().unwrap_or_default(),
            user.department.as_deref().unwrap_or_default()
        );
        let detail = match before {
            Some(b) => format!("{} → {}", b.trim_end(), after.trim_end()),
            None => after.trim_end().to_string(),
        };
        super::seals::seal_rows(&tx, "users", &[&user.login])?;
        audit(&tx, stamp, "user.add", &user.login, &detail)?;
        tx.commit()?;
        Ok(())
    }

    /// Sets a login's password (an argon2id PHC string, never the password itself).
    pub fn set_password(&mut self, login: &str, phc: &str, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE users SET password = ?2 WHERE login = ?1",
            params![login, phc],
        )?;
        super::seals::seal_rows(&tx, "users", &[login])?;
        audit(&tx, stamp, "user.passwd", login, "password set")?;
        tx.commit()?;
        Ok(())
    }

    /// Disables a login: its password is cleared (so nothing opens it until HR gives it a
    /// new one) and its sessions end, in one transaction.
    pub fn disable_user(&mut self, login: &str, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        tx.execute("UPDATE users SET password = NULL WHERE login = ?1", [login])?;
        let ended = tx.execute(
            "UPDATE sessions SET ended_at = ?2 WHERE login = ?1 AND ended_at IS NULL",
            params![login, stamp.at],
        )?;
        super::seals::seal_rows(&tx, "users", &[login])?;
        audit(
            &tx,
            stamp,
            "user.disable",
            login,
            &format!("password cleared, {ended} sessions ended"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The logins that have a password (the others cannot log in).
    pub fn logins_with_password(&self) -> Result<std::collections::BTreeSet<String>> {
        let mut st = self
            .conn
            .prepare("SELECT login FROM users WHERE password IS NOT NULL")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A login's password (its PHC string), if one is set.
    pub fn password(&self, login: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT password FROM users WHERE login = ?1",
                [login],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// Starts a session for `login`, kept by the hash of its token, until `expires_at`.
    pub fn start_session(
        &mut self,
        token_hash: &str,
        login: &str,
        expires_at: &str,
        stamp: &Stamp,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO sessions (token_hash, login, started_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, login, stamp.at, expires_at],
        )?;
        audit(
            &tx,
            stamp,
            "user.login",
            login,
            &format!("session until {expires_at}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The login and expiry of a live (not ended) session.
    pub fn session(&self, token_hash: &str) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT login, expires_at FROM sessions WHERE token_hash = ?1 AND ended_at IS NULL",
                [token_hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Ends a session (a logout).
    pub fn end_session(&mut self, token_hash: &str, stamp: &Stamp) -> Result<()> {
        let tx = self.write()?;
        let login: Option<String> = tx
            .query_row(
                "SELECT login FROM sessions WHERE token_hash = ?1 AND ended_at IS NULL",
                [token_hash],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(login) = login {
            tx.execute(
                "UPDATE sessions SET ended_at = ?2 WHERE token_hash = ?1",
                params![token_hash, stamp.at],
            )?;
            audit(&tx, stamp, "user.logout", &login, "")?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Notes one login attempt (`at` in Unix seconds), good or bad.
    pub fn note_login_attempt(
        &mut self,
        login: &str,
        address: &str,
        at: i64,
        ok: bool,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO login_attempts (login, address, at, ok) VALUES (?1, ?2, ?3, ?4)",
            params![login, address, at, ok],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// What the throttle weighs for an attempt at `login` from `address`: the times of the
    /// failed attempts of that pair since `since` and since the pair's last good one, those
    /// from `address` at any login since `since`, newest first, and whether `login` has
    /// logged in from `address` since `known_since`.
    pub fn failed_logins(
        &self,
        login: &str,
        address: &str,
        since: i64,
        known_since: i64,
    ) -> Result<LoginFailures> {
        let times = |sql: &str, keys: &[&dyn rusqlite::ToSql]| -> Result<Vec<i64>> {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map(keys, |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let pair = times(
            "SELECT at FROM login_attempts WHERE login = ?1 AND address = ?2 AND NOT ok AND at > ?3
               AND at > COALESCE((SELECT MAX(at) FROM login_attempts
                                   WHERE login = ?1 AND address = ?2 AND ok), ?3)
             ORDER BY at DESC",
            &[&login, &address, &since],
        )?;
        let from_address = times(
            "SELECT at FROM login_attempts WHERE address = ?1 AND NOT ok AND at > ?2
             ORDER BY at DESC",
            &[&address, &since],
        )?;
        let known = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM login_attempts
                             WHERE login = ?1 AND address = ?2 AND ok AND at > ?3)",
            params![login, address, known_since],
            |r| r.get(0),
        )?;
        Ok(LoginFailures {
            pair,
            from_address,
            known,
        })
    }

    /// The failed attempts since `since`, a row per login and address, most failures
    /// first (at most `limit` rows): what HR sees of guessing.
    pub fn login_failures_since(&self, since: i64, limit: usize) -> Result<Vec<FailedLogins>> {
        let mut st = self.conn.prepare(
            "SELECT login, address, COUNT(*), MAX(at) FROM login_attempts
              WHERE NOT ok AND at > ?1
              GROUP BY login, address ORDER BY COUNT(*) DESC, MAX(at) DESC, login, address
              LIMIT ?2",
        )?;
        let rows = st.query_map(params![since, limit as i64], |r| {
            Ok(FailedLogins {
                login: r.get(0)?,
                address: r.get(1)?,
                failures: r.get::<_, i64>(2)? as usize,
                last_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every registered login, by login.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut st = self
            .conn
            .prepare("SELECT login, name, role, employee, department FROM users ORDER BY login")?;
        let rows = st.query_map([], user_row)?;
        rows.map(|r| Ok(r?)).collect()
    }

    /// The login `login`, if registered.
    pub fn user(&self, login: &str) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row(
                "SELECT login, name, role, employee, department FROM users WHERE login = ?1",
                [login],
                user_row,
            )
            .optional()?)
    }
}

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        login: r.get(0)?,
        name: r.get(1)?,
        // The table's CHECK admits only the four roles.
        role: role.parse().unwrap_or(Role::Employee),
        employee: r.get(3)?,
        department: r.get(4)?,
    })
}

/// What the throttle weighs for one attempt (see [`Store::failed_logins`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures at this login from this address, newest first.
    pub pair: Vec<i64>,
    /// Failures from this address at any login, newest first.
    pub from_address: Vec<i64>,
    /// Whether this login has logged in from this address lately.
    pub known: bool,
}

/// Failed attempts at one login from one address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailedLogins {
    pub login: String,
    pub address: String,
    pub failures: usize,
    /// The latest, in Unix seconds.
    pub last_at: i64,
}
