//! `appraise gen`: a reproducible company-scale workload, in the contract's CSV formats.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{Ctx, Result, refused};
use appraise::app::Error;
use appraise::app::setup::demo;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many employees.
    #[arg(long, default_value_t = 10_000)]
    pub staff: usize,
    #[arg(long)]
    pub year: i32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write staff.csv and events.csv, and January's roster.csv and clock.csv.
    pub out_dir: PathBuf,
}

pub fn run(ctx: &Ctx, a: Args) -> Result {
    if a.staff == 0 {
        return Err(refused(
            "`--staff` 至少为 1",
            "`--staff` must be at least 1",
        ));
    }
    let dir = &a.out_dir;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    // A log holds no future day: the current year is written up to today.
    let until = ctx.app.today();
    let (n, e) = write_two(dir, ["staff.csv", "events.csv"], |staff, events| {
        demo::write_workload(a.staff, a.year, until, a.seed, staff, events)
    })?;
    let (shifts, punches) = write_two(dir, ["roster.csv", "clock.csv"], |roster, clock| {
        demo::write_attendance(a.staff, a.year, until, a.seed, roster, clock)
    })?;
    ctx.say(format_args!(
        "wrote {n} employees and {e} events ({:.0} per employee-year), and January's {shifts} rostered shifts and {punches} punches, to {}",
        e as f64 / n as f64,
        a.out_dir.display()
    ))
}

/// A file being written, buffered: the workload is hundreds of megabytes.
type Out = BufWriter<std::fs::File>;

/// Creates the files `names` in `dir`, lets `write` fill them and flushes both; returns
/// what `write` counted.
fn write_two(
    dir: &Path,
    names: [&str; 2],
    write: impl FnOnce(&mut Out, &mut Out) -> std::io::Result<(usize, usize)>,
) -> Result<(usize, usize)> {
    let open = |name: &str| -> Result<Out> {
        let path = dir.join(name);
        let f = std::fs::File::create(&path).map_err(io(&path))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let (mut a, mut b) = (open(names[0])?, open(names[1])?);
    let counts = write(&mut a, &mut b).map_err(io(dir))?;
    a.flush().map_err(io(dir))?;
    b.flush().map_err(io(dir))?;
    Ok(counts)
}

/// An I/O failure at `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::Io { path, source }
}
