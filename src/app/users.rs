//! The people who act: registering logins and listing them.

use super::{Actor, App, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::domain::user::{Role, User};

impl App {
    /// Registers a login (or changes one): its name, role, and the employee and department
    /// it is linked to. Only HR registers logins.
    pub fn add_user(&self, by: &Actor, user: User) -> Result<User> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let mut store = self.store()?;
        check_user(&store, &user)?;
        store.put_user(&user, &self.stamp(by))?;
        Ok(user)
    }

    /// Every registered login.
    pub fn users(&self, by: &Actor) -> Result<Vec<User>> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        Ok(self.store()?.users()?)
    }

    /// Registers the first HR login of a new workspace: the one who can register the rest.
    pub(super) fn add_admin(&self, login: &str) -> Result<Actor> {
        let mut store = self.store()?;
        let user = User {
            login: login.trim().to_string(),
            name: login.trim().to_string(),
            role: Role::Hr,
            employee: None,
            department: None,
        };
        check_user(&store, &user)?;
        if let Some(existing) = store.user(&user.login)? {
            return Ok(Actor::of_user(existing));
        }
        let stamp = crate::store::Stamp {
            by: user.login.clone(),
            at: self.stamp_time(),
        };
        store.put_user(&user, &stamp)?;
        Ok(Actor::of_user(user))
    }
}

/// A login is one word; the employee and department it names must be on file.
fn check_user(store: &crate::store::Store, u: &User) -> Result<()> {
    if u.login.is_empty() || u.login.chars().any(char::is_whitespace) {
        return Err(Invalid::LoginNotOneWord(u.login.clone()).into());
    }
    if u.name.trim().is_empty() {
        return Err(Invalid::NameMissing("a login").into());
    }
    if let Some(e) = &u.employee
        && store.staff_record(e)?.is_none()
    {
        return Err(Invalid::NoEmployee(e.clone()).into());
    }
    if let Some(d) = &u.department
        && !store.departments()?.iter().any(|x| &x.id == d)
    {
        return Err(Invalid::NoDepartment(d.clone()).into());
    }
    Ok(())
}
