//! Setting up a workspace: a database and `rules/` with the shipped policies, activated;
//! and the demo company built in one. [`demo`] generates the sample company's files and
//! company-scale workloads; [`shipped`] holds the policies `init` writes.

pub mod demo;
pub mod shipped;

use std::path::{Path, PathBuf};

use super::{Activation, Actor, App, Error, Imported, Invalid, IssuedLogin, Result, StaffImported};
use crate::domain::month::Month;
use crate::engine::Rating;
use crate::evaluation::evaluate::Selection;
use crate::policy::Policy;

/// What setting up a workspace did.
#[derive(Debug)]
pub struct Setup {
    /// The first HR login.
    pub admin: String,
    /// Policy files written, and those kept because they were there already.
    pub written: Vec<PathBuf>,
    pub kept: Vec<PathBuf>,
    /// Each policy found in `rules/`, and whether activating it stored a new version.
    pub activated: Vec<Activation>,
}

/// The demo company, built and rated.
#[derive(Debug)]
pub struct Demo {
    /// The workspace it was built in.
    pub app: App,
    pub dir: PathBuf,
    pub year: i32,
    pub setup: Setup,
    pub staff: StaffImported,
    pub events: Imported,
    pub ratings: Vec<Rating>,
    pub through: Month,
    /// A conscientious and a troubled employee, for the commands to try next.
    pub examples: (String, String),
}

/// The demo's year and seed: fixed, so the demo prints the same ratings on every machine.
const DEMO_YEAR: i32 = 2025;
const DEMO_SEED: u64 = 2025;
/// The demo's HR login.
pub const DEMO_ADMIN: &str = "hr";

impl App {
    /// One login per role on the demo company, each with a fresh random password: HR (the
    /// demo's admin), the customer-service head, a supervisor there and one of their team.
    pub fn demo_logins(&self) -> Result<Vec<IssuedLogin>> {
        use crate::domain::user::{Role, User};
        let hr = self.actor(DEMO_ADMIN)?;
        let month = Month::of(self.today);
        let staff = self.staff(&hr, Some("customer-service"), Some(month))?;
        let head = staff.iter().find(|e| e.role == "department_head");
        let supervisor = staff.iter().find(|e| {
            e.role != "department_head"
                && staff.iter().any(|m| m.supervisor.as_ref() == Some(&e.id))
        });
        let (Some(head), Some(supervisor)) = (head, supervisor) else {
            return Err(Error::Internal(format!(
                "the demo company has no customer-service head and supervisor in {month}"
            )));
        };
        let member = staff
            .iter()
            .find(|m| m.supervisor.as_ref() == Some(&supervisor.id))
            .expect("the supervisor was chosen for having a team");
        let mut made = Vec::new();
        let mut add =
            |login: &str, role: Role, who: Option<&crate::domain::staff::Employee>| -> Result<()> {
                let user = match who {
                    None => self
                        .users(&hr)?
                        .into_iter()
                        .find(|u| u.login == login)
                        .ok_or_else(|| Error::UnknownActor(login.to_string()))?,
                    Some(e) => self.add_user(
                        &hr,
                        User {
                            login: login.to_string(),
                            name: e.name.clone(),
                            role,
                            employee: Some(e.id.clone()),
                            department: (role != Role::Employee).then(|| e.department.clone()),
                        },
                    )?,
                };
                let password = super::users::random_password()?;
                self.set_password(&hr, login, &password)?;
                made.push(IssuedLogin { user, password });
                Ok(())
            };
        add(DEMO_ADMIN, Role::Hr, None)?;
        add("head", Role::Head, Some(head))?;
        add("supervisor", Role::Supervisor, Some(supervisor))?;
        add("employee", Role::Employee, Some(member))?;
        Ok(made)
    }

    /// Writes the shipped policies into `dir/rules/` (keeping files already there), creates
    /// this workspace's database, registers `admin` as its first HR login, and activates the
    /// policies it wrote or kept as that login.
    pub fn init(&self, admin: &str, dir: &Path) -> Result<Setup> {
        // `rules/…`, not `./rules/…`: the name is stored with every activated version.
        let rules = if dir == Path::new(".") {
            PathBuf::from("rules")
        } else {
            dir.join("rules")
        };
        let io = Error::io_at;
        std::fs::create_dir_all(&rules).map_err(io(&rules))?;
        let mut setup = Setup {
            admin: String::new(),
            written: Vec::new(),
            kept: Vec::new(),
            activated: Vec::new(),
        };
        for (name, text) in shipped::POLICIES {
            let path = rules.join(name);
            if path.exists() {
                setup.kept.push(path);
            } else {
                std::fs::write(&path, text).map_err(io(&path))?;
                setup.written.push(path);
            }
        }
        drop(crate::store::Store::open(&self.db)?);
        let by = self.add_admin(admin)?;
        setup.admin = by.name().to_string();
        for (name, _) in shipped::POLICIES {
            let policy = Policy::load(&rules.join(name)).map_err(Error::Policy)?;
            setup
                .activated
                .push(self.activate_policy(&by, &policy, None)?);
        }
        Ok(setup)
    }

    /// Builds the demo company in `dir` (a new or empty folder): the shipped policies, 25
    /// staff in two departments, their targets and budgets, a generated year of daily logs,
    /// and the year's ratings.
    pub fn demo(dir: &Path, today: chrono::NaiveDate) -> Result<Demo> {
        let io = Error::io_at;
        if dir.exists() && std::fs::read_dir(dir).map_err(io(dir))?.next().is_some() {
            return Err(Invalid::FolderNotEmpty(dir.to_path_buf()).into());
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let app = App::new(dir.join("appraise.db"), today);
        let setup = app.init(DEMO_ADMIN, dir)?;
        let by = app.actor(DEMO_ADMIN)?;

        let sample = demo::generate(DEMO_YEAR, DEMO_SEED);
        let staff_file = dir.join("staff.csv");
        let events_file = dir.join("events.csv");
        std::fs::write(&staff_file, &sample.staff_csv).map_err(io(&staff_file))?;
        std::fs::write(&events_file, &sample.events_csv).map_err(io(&events_file))?;
        let staff = app.import_staff(&by, &staff_file, None)?;
        for (id, name, head) in &sample.departments {
            app.save_department(&by, id, Some(name), Some(head))?;
        }
        for (dept, target, met) in &sample.targets {
            app.record_target(&by, dept, DEMO_YEAR, target, *met)?;
        }
        for (dept, budget, spent) in &sample.budgets {
            app.record_budget(&by, dept, DEMO_YEAR, *budget as f64, *spent as f64)?;
        }
        let events = app.import_events(&by, &events_file, false)?;
        if let Some((_, calendar)) = shipped::HOLIDAYS.iter().find(|(y, _)| *y == DEMO_YEAR) {
            let file = dir.join("holidays.csv");
            std::fs::write(&file, calendar).map_err(io(&file))?;
            app.import_holidays(&by, &file)?;
        }
        let (ratings, through) = app.ratings(
            &Actor::owner(),
            DEMO_YEAR,
            None,
            &Selection::default(),
            &|_, _| {},
        )?;
        Ok(Demo {
            app,
            dir: dir.to_path_buf(),
            year: DEMO_YEAR,
            setup,
            staff,
            events,
            ratings,
            through,
            examples: sample.examples,
        })
    }
}
