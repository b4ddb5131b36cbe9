//! `appraise init [DIR]`: a database and `rules/` with the shipped policies, activated.

use std::path::{Path, PathBuf};

use super::{Ctx, Result};
use appraise::app::{Actor, App, Setup};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to set up [default: the current folder].
    pub dir: Option<PathBuf>,
    /// Who activates the shipped policies [env: APPRAISE_USER].
    #[arg(long, env = "APPRAISE_USER")]
    pub by: Option<String>,
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
    let by = Actor::new(args.by.as_deref().unwrap_or("appraise init"))?;
    let app = App::new(db, ctx.today());
    let setup = app.init(&by, &dir)?;
    report_setup(ctx, &app, &setup)?;
    ctx.say("next: `appraise staff import staff.csv`, then `appraise log import events.csv`")
}

/// What setting up a workspace did, a line each.
pub fn report_setup(ctx: &Ctx, app: &App, setup: &Setup) -> Result {
    for p in &setup.written {
        ctx.say(format_args!("wrote {}", p.display()))?;
    }
    for p in &setup.kept {
        ctx.say(format_args!("kept {} (already there)", p.display()))?;
    }
    ctx.say(format_args!("database {}", app.db().display()))?;
    for a in &setup.activated {
        super::rules::report_activation(ctx, a)?;
    }
    Ok(())
}
