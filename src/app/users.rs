//! The people who act: registering logins and listing them.

use super::{Actor, App, Error, Invalid, Result};
use crate::domain::access::{Action, Target};
use crate::domain::user::{Role, User};

/// A login made with a first password: shown once to whoever made it, stored only hashed.
#[derive(Debug, Clone)]
pub struct IssuedLogin {
    pub user: User,
    pub password: String,
}

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

    /// Makes a login, with a first password, for every employee employed today (of
    /// `department`, or of every department) who has none: named by their employee id,
    /// with the role their staff record gives (a department head heads their department, a
    /// manager supervises their reports, staff see their own record). HR only. Each login
    /// is registered and its password set as `add_user` and `set_password` do, audited.
    pub fn issue_logins(&self, by: &Actor, department: Option<&str>) -> Result<Vec<IssuedLogin>> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let store = self.store()?;
        if let Some(d) = department
            && !store.departments()?.iter().any(|x| x.id == d)
        {
            return Err(Invalid::NoDepartment(d.to_string()).into());
        }
        // Employees with a login of their own, and the names logins already have.
        let mut taken = std::collections::BTreeSet::new();
        for u in store.users()? {
            taken.extend(u.employee);
            taken.insert(u.login);
        }
        let month = crate::domain::month::Month::of(self.today);
        let mut issued = Vec::new();
        for record in store.staff_records()? {
            if !record.employed_in(month) {
                continue;
            }
            let e = record.at(month);
            if department.is_some_and(|d| e.department != d) || taken.contains(&e.id) {
                continue;
            }
            let role = match e.role.as_str() {
                "department_head" => Role::Head,
                "manager" => Role::Supervisor,
                _ => Role::Employee,
            };
            let user = self.add_user(
                by,
                User {
                    login: e.id.clone(),
                    name: e.name.clone(),
                    role,
                    employee: Some(e.id.clone()),
                    department: (role == Role::Head).then(|| e.department.clone()),
                },
            )?;
            issued.push(self.reset_password(by, &user.login)?);
        }
        Ok(issued)
    }

    /// Gives `login` a new random password, to be shown once: a new login's first, or one
    /// for someone who forgot theirs. HR only.
    pub fn reset_password(&self, by: &Actor, login: &str) -> Result<IssuedLogin> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        let user = self
            .store()?
            .user(login)?
            .ok_or_else(|| Error::UnknownActor(login.to_string()))?;
        let password = random_password()?;
        self.set_password(by, login, &password)?;
        Ok(IssuedLogin { user, password })
    }

    /// Disables `login`: nothing opens it (its password is cleared, its sessions end) until
    /// HR resets its password. HR only, and never their own.
    pub fn disable_login(&self, by: &Actor, login: &str) -> Result<()> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        if by.name() == login {
            return Err(Invalid::OwnLogin(login.to_string()).into());
        }
        let mut store = self.store()?;
        if store.user(login)?.is_none() {
            return Err(Error::UnknownActor(login.to_string()));
        }
        Ok(store.disable_user(login, &self.stamp(by))?)
    }

    /// The logins that can log in (that have a password). HR only.
    pub fn enabled_logins(&self, by: &Actor) -> Result<std::collections::BTreeSet<String>> {
        self.authorize(by, Action::ChangeStaff, &Target::Company)?;
        Ok(self.store()?.logins_with_password()?)
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

/// A password of 12 letters and digits (no look-alikes), from the system's randomness.
pub(super) fn random_password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::Internal(format!("no randomness for a password: {e}")))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}
