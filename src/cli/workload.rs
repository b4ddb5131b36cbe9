//! `appraise gen`: a reproducible company-scale workload, in the contract's CSV formats.

use std::io::BufWriter;
use std::path::PathBuf;

use super::{Ctx, Result, refused};
use appraise::app::Error;
use appraise::demo;

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
        return Err(refused("`--staff` must be at least 1"));
    }
    let io = |path: PathBuf| move |source| Error::Io { path, source };
    std::fs::create_dir_all(&a.out_dir).map_err(io(a.out_dir.clone()))?;
    let open = |name: &str| -> Result<BufWriter<std::fs::File>> {
        let path = a.out_dir.join(name);
        let f = std::fs::File::create(&path).map_err(io(path))?;
        Ok(BufWriter::with_capacity(1 << 20, f))
    };
    let (mut staff, mut events) = (open("staff.csv")?, open("events.csv")?);
    // A log holds no future day: the current year is written up to today.
    let until = ctx.app.today();
    let written = demo::write_workload(a.staff, a.year, until, a.seed, &mut staff, &mut events)
        .and_then(|counts| {
            std::io::Write::flush(&mut staff)?;
            std::io::Write::flush(&mut events)?;
            Ok(counts)
        })
        .map_err(io(a.out_dir.clone()))?;
    let (n, e) = written;
    let (mut roster, mut clock) = (open("roster.csv")?, open("clock.csv")?);
    let (shifts, punches) =
        demo::write_attendance(a.staff, a.year, until, a.seed, &mut roster, &mut clock)
            .and_then(|counts| {
                std::io::Write::flush(&mut roster)?;
                std::io::Write::flush(&mut clock)?;
                Ok(counts)
            })
            .map_err(io(a.out_dir.clone()))?;
    ctx.say(format_args!(
        "wrote {n} employees and {e} events ({:.0} per employee-year), and January's {shifts} rostered shifts and {punches} punches, to {}",
        e as f64 / n as f64,
        a.out_dir.display()
    ))
}
