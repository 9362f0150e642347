//! `hallplan compare`: the before/after wait-time report analysts hand to leadership.

use std::path::{Path, PathBuf};

use crate::cli::CompareArgs;
use crate::compare;
use crate::config;
use crate::error::{Error, Result};
use crate::hall::time;
use crate::ingest::{self, FileKind, LoadOptions, Needs};
use crate::plan::Plan;
use crate::report::{self, pages};

/// Loads one export: a hall folder or a ticket file.
fn load_side(path: &Path, base: &LoadOptions) -> Result<ingest::Loaded> {
    let mut opts = base.clone();
    opts.needs = Needs {
        windows: false,
        matters: false,
        tickets: true,
    };
    if path.is_dir() {
        ingest::load(Some(path), &opts)
    } else {
        opts.files.insert(FileKind::Tickets, path.to_path_buf());
        ingest::load(None, &opts)
    }
}

fn parse_range(s: &str, flag: &str) -> Result<(i64, i64)> {
    let bad = || Error::Config {
        what: flag.into(),
        message: format!("\"{s}\" is not a date range (expected YYYY-MM-DD..YYYY-MM-DD)"),
    };
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let day = |x: &str| {
        ingest::values::parse_datetime(x)
            .map(|(t, _)| time::day(t))
            .ok_or_else(bad)
    };
    let (a, b) = (day(a)?, day(b)?);
    if b < a {
        return Err(bad());
    }
    Ok((a, b))
}

pub fn run(args: CompareArgs) -> Result<()> {
    let mut inputs: Vec<PathBuf> = args
        .before
        .iter()
        .chain(args.after.iter())
        .chain(args.plan.iter())
        .chain(args.data.footfall.iter())
        .cloned()
        .collect();
    inputs.extend(args.data.data.iter().cloned());
    let out = config::output_dir(&args.out, "compare", &inputs)?;
    // `--footfall` covers both periods: it is read once below, not into either side.
    let mut base = config::load_options(&args.data, Needs::default())?;
    base.files.remove(&FileKind::Footfall);
    let ranges = match (&args.before_range, &args.after_range) {
        (Some(b), Some(a)) => Some((
            parse_range(b, "--before-range")?,
            parse_range(a, "--after-range")?,
        )),
        (None, None) => None,
        _ => {
            return Err(Error::Config {
                what: "--before-range/--after-range".into(),
                message: "give both ranges, or neither".into(),
            })
        }
    };
    let (rb, ra) = match ranges {
        Some((b, a)) => (Some(b), Some(a)),
        None => (None, None),
    };
    // Each side's figures, computed where the side was loaded when the two exports are
    // loaded at once.
    let mut early = None;
    let (before, after) = match (&args.before, &args.after, ranges) {
        (Some(b), Some(a), _) => {
            // Both exports at once: one's single-threaded stretches overlap the other's.
            let side = |p: &Path, range| {
                load_side(p, &base).map(|l| {
                    let s = compare::sides(&l.hall.tickets, range);
                    (l, s)
                })
            };
            let (lb, la) = std::thread::scope(|s| {
                let lb = s.spawn(|| side(b, rb));
                let la = side(a, ra);
                (lb.join(), la)
            });
            let (lb, sb) =
                lb.map_err(|_| Error::Thread("loading the before export failed".into()))??;
            let (la, sa) = la?;
            early = Some((sb, sa));
            (lb, la)
        }
        (b, None, Some(_)) => {
            let one = match (b, &args.data.data) {
                (Some(p), _) | (None, Some(p)) => p.clone(),
                (None, None) => config::sample_dir("binjiang")?,
            };
            let l = load_side(&one, &base)?;
            (l.clone(), l)
        }
        (None, None, None) => {
            let b = config::sample_dir("binjiang")?;
            let a = config::sample_dir("binjiang-after")?;
            eprintln!("note: no --before/--after given; comparing the bundled sample {} with {}", b.display(), a.display());
            (load_side(&b, &base)?, load_side(&a, &base)?)
        }
        _ => return Err(Error::Config { what: "--before/--after".into(), message: "give --before and --after (a hall folder or a ticket file each), or one export with --before-range and --after-range".into() }),
    };
    let plan: Option<Plan> = args.plan.as_deref().map(config::read_plan).transpose()?;
    let footfall = match &args.data.footfall {
        Some(p) => {
            let mut o = base.clone();
            o.files.insert(FileKind::Footfall, p.clone());
            Some(ingest::load(None, &o)?.hall.footfall)
        }
        None => None,
    };
    let clock = ingest::Clock::start();
    let (sb, sa) = match early {
        Some(s) => s,
        None => (
            compare::sides(&before.hall.tickets, rb),
            compare::sides(&after.hall.tickets, ra),
        ),
    };
    clock.lap("loaded, sides");
    let sim = match &plan {
        Some(p) if !before.hall.windows.is_empty() && !before.hall.matters.is_empty() => Some(
            crate::simulate::trace::replay(&before.hall, Some(p), p.policy.seed)?,
        ),
        _ => None,
    };
    let (rep, summary) = pages::compare::build(
        &sb,
        &sa,
        args.resamples,
        args.seed,
        plan.as_ref(),
        sim.as_ref(),
        footfall.as_deref(),
        &before.hall,
        &after.hall,
    )?;
    clock.lap("figures and bootstrap");
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("compare.xlsx", report::xlsx::render(&rep)?);
    clock.lap("report rendered");
    let mut rejected = before.rejected.clone();
    rejected.extend(after.rejected.iter().cloned());
    let l = ingest::Loaded {
        rejected,
        ..Default::default()
    };
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&l)?);
    super::commit(&out, bundle)
}
