//! `appraise init [DIR]`: a database and `rules/` with the shipped policies, activated.

use std::path::{Path, PathBuf};

use super::{Ctx, rules};
use crate::policy::Policy;
use crate::shipped;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to set up [default: the current folder].
    pub dir: Option<PathBuf>,
    /// Who activates the shipped policies [env: APPRAISE_USER].
    #[arg(long, env = "APPRAISE_USER")]
    pub by: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> anyhow::Result<()> {
    let dir = args.dir.unwrap_or_else(|| PathBuf::from("."));
    let db = if ctx.db_given {
        ctx.db.clone()
    } else if dir == Path::new(".") {
        PathBuf::from("appraise.db")
    } else {
        dir.join("appraise.db")
    };
    let by = args.by.unwrap_or_else(|| "appraise init".into());
    let ctx = Ctx {
        db,
        db_given: true,
        format: ctx.format,
        today: ctx.today,
    };
    setup(&ctx, &dir, &by)?;
    println!("next: `appraise staff import staff.csv`, then `appraise log import events.csv`");
    Ok(())
}

/// Writes the shipped policies into `dir/rules/` (keeping files already there), creates the
/// database and activates the policies found in `rules/`.
pub fn setup(ctx: &Ctx, dir: &Path, by: &str) -> anyhow::Result<()> {
    // `rules/…`, not `./rules/…`: the name is stored with every activated version.
    let rules_dir = if dir == Path::new(".") {
        PathBuf::from("rules")
    } else {
        dir.join("rules")
    };
    std::fs::create_dir_all(&rules_dir)?;
    for (name, text) in shipped::POLICIES {
        let path = rules_dir.join(name);
        if path.exists() {
            println!("kept {} (already there)", path.display());
        } else {
            std::fs::write(&path, text)?;
            println!("wrote {}", path.display());
        }
    }
    drop(crate::store::Store::open(&ctx.db)?);
    println!("database {}", ctx.db.display());
    for (name, _) in shipped::POLICIES {
        let path = rules_dir.join(name);
        let policy = Policy::load(&path).map_err(|p| super::found(p.to_string()))?;
        rules::activate(ctx, &policy, None, by)?;
    }
    Ok(())
}
