//! `appraise demo`: a sample company in a fresh folder, rated.

use std::path::PathBuf;

use super::Ctx;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to build the sample workspace (must not exist or be empty) [default: a new
    /// folder under the system's temporary folder].
    pub dir: Option<PathBuf>,
}

pub fn run(_ctx: &Ctx, _a: Args) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
