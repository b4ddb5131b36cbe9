//! `appraise init [DIR]`: a database and `rules/` with the shipped policies, activated.

use std::path::{Path, PathBuf};

use super::{Ctx, Result};
use appraise::app::{App, Setup};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to set up [default: the current folder].
    pub dir: Option<PathBuf>,
    /// The first HR login, who registers the others [default: the system login name, or
    /// `admin`].
    #[arg(long)]
    pub admin: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    let db = if ctx.db_given {
        ctx.app.db().to_path_buf()
    } else if dir == Path::new(".") {
        PathBuf::from("appraise.db")
    } else {
        dir.join("appraise.db")
    };
    let admin = args
        .admin
        .or_else(|| std::env::var("USER").ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "admin".into());
    let app = App::new(db, ctx.today());
    let setup = app.init(&admin, &dir)?;
    report_setup(ctx, &app, &setup)?;
    ctx.tell(
        format_args!(
            "下一步：`appraise staff import staff.csv --by {admin}`，再为每位记录或签字的人运行 `appraise user add 登录名 --name 姓名 --role supervisor --employee 工号 --by {admin}`"
        ),
        format_args!(
            "next: `appraise staff import staff.csv --by {admin}`, then `appraise user add LOGIN --name NAME --role supervisor --employee ID --by {admin}` for each person who records or signs"
        ),
    )
}

/// What setting up a workspace did, a line each.
pub fn report_setup(ctx: &Ctx, app: &App, setup: &Setup) -> Result {
    for p in &setup.written {
        let p = p.display();
        ctx.tell(format_args!("已写入 {p}"), format_args!("wrote {p}"))?;
    }
    for p in &setup.kept {
        let p = p.display();
        ctx.tell(
            format_args!("保留 {p}（已存在）"),
            format_args!("kept {p} (already there)"),
        )?;
    }
    let db = app.db().display();
    ctx.tell(format_args!("数据库 {db}"), format_args!("database {db}"))?;
    let admin = &setup.admin;
    ctx.tell(
        format_args!("已注册人力资源部登录账号 `{admin}`"),
        format_args!("HR login `{admin}` registered"),
    )?;
    for a in &setup.activated {
        super::rules::report_activation(ctx, a)?;
    }
    Ok(())
}
