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

    /// The times of the failed attempts at `login` since `since` and since its last good
    /// one, and of those from `address` since `since`, newest first.
    pub fn failed_logins(
        &self,
        login: &str,
        address: &str,
        since: i64,
    ) -> Result<(Vec<i64>, Vec<i64>)> {
        let times = |sql: &str, key: &str| -> Result<Vec<i64>> {
            let mut st = self.conn.prepare_cached(sql)?;
            let rows = st.query_map(params![key, since], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok((
            times(
                "SELECT at FROM login_attempts WHERE login = ?1 AND NOT ok AND at > ?2
                   AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE login = ?1 AND ok), ?2)
                 ORDER BY at DESC",
                login,
            )?,
            times(
                "SELECT at FROM login_attempts WHERE address = ?1 AND NOT ok AND at > ?2
                 ORDER BY at DESC",
                address,
            )?,
        ))
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
