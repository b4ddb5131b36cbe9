//! `appraise demo`: a sample company in a fresh folder, rated.

use std::path::{Path, PathBuf};

use super::{Ctx, Result, init, log};
use appraise::app::{App, Error};
use appraise::report::RatingsView;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to build the sample workspace (a new or empty folder) [default:
    /// `./appraise-demo`, or `./appraise-demo-2`, … when that one is taken].
    pub dir: Option<PathBuf>,
    /// Then serve the workplace on it, with one login per role (passwords printed once).
    #[arg(long)]
    pub serve: bool,
    #[command(flatten)]
    pub server: super::serve::Listen,
}

/// The folder a demo without one is built in: `./appraise-demo` where a newcomer looks,
/// or, when a demo (or anything else) is there already, the first of `appraise-demo-2`, …
/// that is free: a second run never touches the first one's workspace.
fn free_folder() -> Result<PathBuf> {
    let taken =
        |p: &Path| std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_some()) || p.is_file();
    let first = PathBuf::from("appraise-demo");
    if !taken(&first) {
        return Ok(first);
    }
    (2..1000)
        .map(|n| PathBuf::from(format!("appraise-demo-{n}")))
        .find(|p| !taken(p))
        .ok_or_else(|| Error::Invalid(appraise::app::Invalid::FolderNotEmpty(first)).into())
}

pub fn run(ctx: &Ctx, a: Args) -> Result {
    let dir = match a.dir {
        Some(d) => d,
        None => free_folder()?,
    };
    ctx.tell(
        format_args!("正在 {} 中建立示例公司", dir.display()),
        format_args!("Building the sample company in {}", dir.display()),
    )?;
    let demo = App::demo(&dir, ctx.today())?;
    init::report_setup(ctx, &demo.app, &demo.setup)?;
    super::staff::report_import(ctx, &demo.staff)?;
    ctx.say(log::imported(&demo.events, ctx.english))?;
    ctx.say("")?;
    ctx.print_of(
        &demo.app,
        &RatingsView {
            year: demo.year,
            through: demo.through,
            ratings: demo.ratings,
        },
    )?;

    let db = demo.app.db().display();
    let year = demo.year;
    let (good, troubled) = &demo.examples;
    // The binary that is running, so the commands below work as printed even when
    // `appraise` is not on the PATH (e.g. after `cargo run`).
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "appraise".into());
    ctx.say("")?;
    let dir = dir.display();
    ctx.tell(
        format_args!("工作区在 {dir}（数据库、rules/、staff.csv、events.csv）。可以试试："),
        format_args!("The workspace is {dir} (database, rules/, staff.csv, events.csv). Try:"),
    )?;
    ctx.say(format_args!(
        "  {exe} --db {db} explain {troubled} --year {year}"
    ))?;
    ctx.say(format_args!(
        "  {exe} --db {db} score --month {year}-03 --department customer-service"
    ))?;
    ctx.say(format_args!(
        "  {exe} --db {db} log add {good} late --date {year}-12-15 --minutes 20 --by {}",
        appraise::app::DEMO_ADMIN
    ))?;
    if !a.serve {
        return Ok(());
    }
    ctx.say("")?;
    ctx.tell(
        format_args!("网页工作台的登录账号（密码只在此显示一次）："),
        format_args!("Logins of the workplace (the passwords are shown only now):"),
    )?;
    for l in demo.app.demo_logins()? {
        ctx.say(format_args!(
            "  {:<11} {:<12} {} ({}) {}",
            l.user.login,
            l.password,
            l.user.role.label(),
            l.user.role,
            l.user.employee.as_deref().unwrap_or("")
        ))?;
    }
    let ctx = super::Ctx {
        app: demo.app.clone(),
        db_given: true,
        format: ctx.format,
        config: ctx.config.clone(),
        english: ctx.english,
    };
    super::serve::serve(&ctx, &a.server)
}
