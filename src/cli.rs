//! The command line: dispatch, the context every command shares, and how output is
//! written. The top-level arguments are in `args`; each command group lives in its own
//! file and only parses, calls one application function, and prints what it returns.

mod appeal;
mod args;
mod attendance;
mod audit;
mod backup;
mod demo;
mod dept;
mod diagnostics;
mod explain;
mod init;
mod leave;
mod log;
mod month;
mod notify;
mod rate;
mod report;
mod review;
mod rules;
mod score;
mod serve;
mod staff;
mod user;
mod workload;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use chrono::NaiveDate;

use appraise::app::{self, Actor, App, ServiceConfig};
use appraise::domain::month::parse_date;
use appraise::domain::text::count;
use appraise::intake::Encoding;
use appraise::report::{Format, Records};

pub use args::{Cli, Command};
pub use diagnostics::report_error;

/// Why a command failed: the application refused or failed, or its output could not be
/// written (a closed pipe, say). `main` turns the kind into the exit code.
#[derive(Debug)]
pub enum Error {
    App(app::Error),
    Output(std::io::Error),
}

impl From<app::Error> for Error {
    fn from(e: app::Error) -> Error {
        Error::App(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Output(e)
    }
}

pub type Result<T = ()> = std::result::Result<T, Error>;

/// A request refused as given on the command line (exit code 1): told `zh`, or `en` when
/// people asked for English ([`english`]).
pub fn refused(zh: impl Into<String>, en: impl Into<String>) -> Error {
    let message = if english() { en.into() } else { zh.into() };
    Error::App(app::Error::Refused(message))
}

/// What every command needs: the workspace, how to print, and where the database is.
pub struct Ctx {
    pub app: App,
    /// Whether `--db` or `APPRAISE_DB` named the database (else it is `./appraise.db`).
    pub db_given: bool,
    pub format: Format,
    /// The service's configuration (every default without a file).
    pub config: ServiceConfig,
    /// Whether people are told in English ([`english`]) rather than Chinese.
    pub english: bool,
}

/// Whether people are told in English (`APPRAISE_LANG=en`) rather than Chinese, the
/// default. A policy problem's line and a script's rhai account keep their own words either way.
pub fn english() -> bool {
    std::env::var("APPRAISE_LANG").is_ok_and(|l| l.eq_ignore_ascii_case("en"))
}

/// A file's name, saying how it was read when that was not UTF-8: in English with `en`.
pub fn read_as(file: &str, encoding: Encoding, en: bool) -> String {
    match (encoding, en) {
        (Encoding::Utf8, _) => file.to_string(),
        (other, true) => format!("{file} (read as {})", other.name()),
        (Encoding::Xlsx, false) => format!("{file}（Excel 第一个工作表）"),
        (other, false) => format!("{file}（按 {} 编码读取）", other.name()),
    }
}

impl Ctx {
    /// Says what an attendance import or a handover entry did.
    pub fn report_attendance(&self, done: &appraise::app::AttendanceImported) -> Result {
        let en = self.english;
        let file = read_as(&done.file, done.encoding, en);
        let (absences, missing) = (done.absences, done.missing_punches);
        let derived = match (absences + missing, en) {
            (0, _) => String::new(),
            (_, true) => format!(
                " ({} and {})",
                count(absences, "absence", "absences"),
                count(missing, "missing punch", "missing punches")
            ),
            (_, false) => format!("（旷工 {absences} 条，漏打卡 {missing} 条）"),
        };
        let released = match (done.released, en) {
            (0, _) => String::new(),
            (n, true) => format!(
                "; {} an earlier export of the same span spoke for released",
                count(n, "employee-day", "employee-days")
            ),
            (n, false) => format!("；同一时段较早导出所涉的 {n} 个人日已解除"),
        };
        let dry = match (done.stored, en) {
            (true, _) => "",
            (false, true) => "; nothing stored (dry run)",
            (false, false) => "；试运行，未保存任何内容",
        };
        let (rows, days, added, voided) = (done.rows, done.days, done.added, done.withdrawn);
        self.tell(
            format_args!(
                "{file}：{rows} 行；重新推算 {days} 个人日：新增 {added} 条事件{derived}，作废 {voided} 条{released}{dry}"
            ),
            format_args!(
                "{file}: {}; {} derived again: {} added{derived}, {voided} voided{released}{dry}",
                count(rows, "row", "rows"),
                count(days, "employee-day", "employee-days"),
                count(added, "event", "events"),
            ),
        )
    }

    fn from_env(db: Option<PathBuf>, config: Option<PathBuf>, format: Format) -> Result<Ctx> {
        let db_given = db.is_some();
        let db = db.unwrap_or_else(|| PathBuf::from("appraise.db"));
        let config = ServiceConfig::find(config.as_deref(), &db)
            .map_err(|e| Error::App(app::Error::Refused(e.to_string())))?;
        Ok(Ctx {
            db_given,
            app: App::new(db, today(&config)?),
            format,
            config,
            english: english(),
        })
    }

    pub fn today(&self) -> NaiveDate {
        self.app.today()
    }

    /// Who is acting: `--by`, else `APPRAISE_USER` (the parser reads both into `by`): a
    /// registered login or an employee id, the same rule for every command that changes
    /// something.
    pub fn actor(&self, by: Option<String>) -> Result<Actor> {
        Ok(self.app.actor(by.as_deref().unwrap_or_default())?)
    }

    /// Prints records in the chosen format. A table fits the terminal ([`width`]); piped,
    /// every row stays one line. Tables and CSV name departments, kinds, grades and flags
    /// by the words people know them by, when the workspace has them.
    pub fn print(&self, value: &impl Records) -> Result {
        self.print_of(&self.app, value)
    }

    /// Prints records of `app`'s workspace (the demo's, say) as [`Ctx::print`] does.
    pub fn print_of(&self, app: &App, value: &impl Records) -> Result {
        let words = match self.format {
            Format::Json => Default::default(),
            _ => app.labels().unwrap_or_default(),
        };
        let shape = appraise::report::Shape {
            format: self.format,
            width: width(),
            words,
        };
        appraise::report::write(&shape, value, std::io::stdout().lock())?;
        Ok(())
    }

    /// Prints one line of text.
    pub fn say(&self, line: impl fmt::Display) -> Result {
        writeln!(std::io::stdout().lock(), "{line}")?;
        Ok(())
    }

    /// Prints what a command did: `zh`, or `en` when people asked for English.
    pub fn tell(&self, zh: fmt::Arguments<'_>, en: fmt::Arguments<'_>) -> Result {
        self.say(if self.english { en } else { zh })
    }

    /// What a verification found whole, in the words people asked for: what `verify`,
    /// `backup` and `restore` each report.
    pub fn sealed(&self, blocks: i64, rows: i64, head: &str) -> String {
        if self.english {
            format!("{blocks} blocks seal {rows} rows; head {head}")
        } else {
            format!("{blocks} 个区块封存 {rows} 行；链头 {head}")
        }
    }
}

/// The width a table must fit: `COLUMNS` when it is set (a script or a test asks for a
/// width), else the terminal's when the output is one, else none.
pub fn width() -> Option<u16> {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
    {
        return Some(w);
    }
    if std::io::stdout().is_terminal() {
        comfy_table::Table::new().width()
    } else {
        None
    }
}

/// A photo file, read only when it is no larger than a photo may be.
pub fn read_photo(path: &std::path::Path) -> Result<app::Upload> {
    use std::io::Read;
    let io = |source| {
        Error::App(app::Error::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let max = appraise::intake::photo::MAX_BYTES as u64;
    let mut bytes = Vec::new();
    // One byte past the bound tells a file too large without reading it all.
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    Ok(app::Upload {
        name: path.display().to_string(),
        bytes,
    })
}

/// Today, from `APPRAISE_TODAY` (YYYY-MM-DD) when set, else the company's clock (the
/// configuration's offset from UTC, else the system's zone): the only place the command
/// line reads the date, so runs are reproducible.
fn today(config: &ServiceConfig) -> Result<NaiveDate> {
    match std::env::var("APPRAISE_TODAY") {
        Ok(s) => parse_date(&s).ok_or_else(|| {
            refused(
                format!("APPRAISE_TODAY “{s}”不是日期，请写成 YYYY-MM-DD"),
                format!("APPRAISE_TODAY `{s}` is not a date; write YYYY-MM-DD"),
            )
        }),
        Err(_) => Ok(config.today()),
    }
}

/// A progress bar on standard error for long runs: shown only on a terminal, and only once
/// the run has taken more than a second.
pub struct Progress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(what: &'static str) -> Progress {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_message(what);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} employees ({eta})")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: std::time::Instant::now(),
        }
    }

    pub fn set(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
        if self.bar.is_hidden() && self.started.elapsed().as_secs() >= 1 && done < total {
            // `stderr()` stays hidden when standard error is not a terminal.
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result {
    let ctx = Ctx::from_env(cli.db, cli.config, cli.format.into())?;
    match cli.command {
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Init(a) => init::run(&ctx, a),
        Command::Staff(c) => staff::run(&ctx, c),
        Command::Dept(c) => dept::run(&ctx, c),
        Command::Log(c) => log::run(&ctx, c),
        Command::Rules(c) => rules::run(&ctx, c),
        Command::Score(a) => score::run(&ctx, a),
        Command::Explain(a) => explain::run(&ctx, a),
        Command::Rate(a) => rate::run(&ctx, a),
        Command::Month(c) => month::run(&ctx, c),
        Command::Audit(a) => audit::run(&ctx, a),
        Command::Review(c) => review::run(&ctx, c),
        Command::Report(c) => report::run(&ctx, c),
        Command::Gen(a) => workload::run(&ctx, a),
        Command::User(c) => user::run(&ctx, c),
        Command::Appeal(c) => appeal::run(&ctx, c),
        Command::Roster(c) => attendance::roster(&ctx, c),
        Command::Clock(c) => attendance::clock(&ctx, c),
        Command::Handover(c) => attendance::handover(&ctx, c),
        Command::Leave(c) => leave::leave(&ctx, c),
        Command::Holiday(c) => leave::holiday(&ctx, c),
        Command::Notify(c) => notify::run(&ctx, c),
        Command::Serve(a) => serve::run(&ctx, a),
        Command::Backup(a) => backup::run(&ctx, a),
        Command::Restore(a) => backup::restore(&ctx, a),
        Command::Completions { shell } => {
            std::io::stdout()
                .lock()
                .write_all(&args::completions(shell))?;
            Ok(())
        }
    }
}
