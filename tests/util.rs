//! A temporary workspace and a way to run the binary in it.

use std::path::{Path, PathBuf};
use std::process::Output;

use appraise::app::App;
use appraise::domain::user::User;
use assert_cmd::Command;
use tempfile::TempDir;

/// "Today" for every test run, so that dates in the future are well defined.
pub const TODAY: &str = "2026-06-30";

/// A temporary folder with its own database.
pub struct Workspace {
    pub dir: TempDir,
}

/// What a run printed, and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Everything it printed, whatever the exit code.
    pub fn run_output(self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Asserts exit code `code` and returns stderr.
    pub fn fails(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self.stderr
    }
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A workspace as `appraise init --admin HR` leaves it, with the people the tests act
    /// as registered. Set up through the library, in this process: what these steps print
    /// is tested where it is the point (`tests/cli.rs`, the walk-through), and a process
    /// per step made up most of the suite's time.
    pub fn init() -> Workspace {
        let ws = Workspace::new();
        ws.app().init("HR", ws.dir.path()).expect("init");
        for (login, role) in LOGINS {
            ws.add_login(login, role, &[]);
        }
        ws
    }

    /// The library's view of this workspace, on the tests' today.
    pub fn app(&self) -> App {
        App::new(
            self.path("appraise.db"),
            chrono::NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap(),
        )
    }

    /// Links the test logins to their employee or department ([`LINKS`]); the staff must
    /// be on file.
    pub fn link_logins(&self) {
        for (login, flag, to) in LINKS {
            let role = LOGINS.iter().find(|(l, _)| *l == login).unwrap().1;
            self.add_login(login, role, &[flag, to]);
        }
    }

    /// Registers (or changes) a test login named as itself, with its links (`--employee
    /// ID`, `--department ID`, as `appraise user add` takes them).
    pub fn add_login(&self, login: &str, role: &str, links: &[&str]) {
        let link = |flag: &str| {
            links
                .windows(2)
                .find(|w| w[0] == flag)
                .map(|w| w[1].to_string())
        };
        let user = User {
            login: login.into(),
            name: login.into(),
            role: role.parse().expect("a role"),
            employee: link("--employee"),
            department: link("--department"),
        };
        let app = self.app();
        app.add_user(&app.actor("HR").unwrap(), user)
            .expect("user add");
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p
    }

    /// Runs a command line split at spaces (for arguments without spaces).
    pub fn cmd(&self, line: &str) -> Run {
        self.run(&line.split_whitespace().collect::<Vec<_>>())
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.dir.path(), args)
    }

    /// Runs as [`Workspace::run`] does, on another day than [`TODAY`].
    pub fn run_on(&self, today: &str, args: &[&str]) -> Run {
        self.command(self.dir.path(), args)
            .env("APPRAISE_USER", "HR")
            .env("APPRAISE_TODAY", today)
            .output()
            .expect("run appraise")
            .into()
    }

    /// Runs in `cwd` as `HR` (APPRAISE_USER) unless the arguments say `--by` someone else.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        self.command(cwd, args)
            .env("APPRAISE_USER", "HR")
            .output()
            .expect("run appraise")
            .into()
    }

    /// Runs as [`Workspace::run`] does, with more environment variables.
    pub fn run_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(self.dir.path(), args);
        cmd.env("APPRAISE_USER", "HR");
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().expect("run appraise").into()
    }

    /// Runs with nobody named as acting (no `--by`, no APPRAISE_USER).
    pub fn run_anonymous(&self, args: &[&str]) -> Run {
        self.command(self.dir.path(), args)
            .env_remove("APPRAISE_USER")
            .output()
            .expect("run appraise")
            .into()
    }

    fn command(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("appraise").expect("binary");
        // The tests read the English wording of problems (the developers' catalogue); the
        // Chinese default is tested on its own (`cli::problems_are_told_in_chinese_by_default`).
        cmd.current_dir(cwd)
            .env_remove("APPRAISE_DB")
            .env_remove("COLUMNS")
            .env("APPRAISE_LANG", "en")
            .env("APPRAISE_TODAY", TODAY)
            .args(args);
        cmd
    }
}

/// The logins the tests act as, besides `HR`, with their roles. `x` is a second HR login
/// (for tests about something else than scope).
pub const LOGINS: [(&str, &str); 5] = [
    ("张主管", "supervisor"),
    ("王主管", "supervisor"),
    ("队长", "head"),
    ("部门负责人", "head"),
    ("x", "hr"),
];

/// What each login is linked to once `STAFF` is on file: 张主管 is E001, the supervisor of
/// E002 and E003; 王主管 is the front desk of customer service (a department, no
/// employee); 部门负责人 heads customer service and 队长 security.
pub const LINKS: [(&str, &str, &str); 4] = [
    ("张主管", "--employee", "E001"),
    ("王主管", "--department", "customer-service"),
    ("部门负责人", "--department", "customer-service"),
    ("队长", "--department", "security"),
];

/// A small customer-service team; E003 joined mid-2026.
pub const STAFF: &str = "\
id,name,department,role,joined,left,supervisor,shift_start
E001,张三,customer-service,manager,2024-01-01,,,08:30
E002,李四,customer-service,staff,2024-03-01,,E001,08:30
E003,王五,customer-service,staff,2026-04-15,,E001,08:30
E004,赵六,security,staff,2025-01-01,2026-03-31,,07:00
";

/// The sample company of `appraise demo d`, and the year it rates.
pub fn demo() -> (Workspace, String) {
    let ws = Workspace::new();
    let out = ws.cmd("demo d").ok();
    let year = out
        .lines()
        .find_map(|l| l.split_once(" 年度评级").map(|(y, _)| y.to_string()))
        .expect("the demo prints its ratings");
    (ws, year)
}

/// A workspace after init with `STAFF` imported.
pub fn staffed() -> Workspace {
    let ws = Workspace::init();
    let file = ws.write("staff.csv", STAFF);
    let app = ws.app();
    app.import_staff(&app.actor("HR").unwrap(), &file, None)
        .expect("staff import");
    ws.link_logins();
    ws
}

/// Parses a command's JSON output, showing it when it is not JSON.
pub fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}
