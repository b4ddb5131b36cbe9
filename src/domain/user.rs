//! The people who act on the record: registered logins, each with a role.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// What a login may do, broadly (the web's scopes build on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Human resources: runs the year, signs the company's step.
    Hr,
    /// A department head.
    Head,
    /// A supervisor, who records the daily log of their team.
    Supervisor,
    /// An employee, who sees their own record.
    Employee,
}

impl Role {
    pub const NAMES: &'static str = "hr, head, supervisor or employee";

    /// The role as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Hr => "人事",
            Role::Head => "部门负责人",
            Role::Supervisor => "主管",
            Role::Employee => "员工",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hr => "hr",
            Role::Head => "head",
            Role::Supervisor => "supervisor",
            Role::Employee => "employee",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Role, String> {
        Ok(match s {
            "hr" => Role::Hr,
            "head" => Role::Head,
            "supervisor" => Role::Supervisor,
            "employee" => Role::Employee,
            other => return Err(format!("unknown role `{other}`; use {}", Role::NAMES)),
        })
    }
}

/// A registered login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The employee this login is (who signs as a supervisor or head).
    pub employee: Option<String>,
    /// The department a head or supervisor works for.
    pub department: Option<String>,
}
