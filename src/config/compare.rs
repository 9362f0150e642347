//! `compare`: the two periods (two exports, one export cut by dates, or the bundled
//! sample), how to read them, the plan that was carried out, the footfall file and the
//! permutations.

use std::path::PathBuf;

use super::{load_options, output_dir, read_plan, sample_dir, Env};
use crate::cli::CompareArgs;
use crate::compare::{self, Periods, Resampling};
use crate::error::{Error, Result};
use crate::ingest::{FileKind, LoadOptions, Needs};
use crate::plan::Plan;
use crate::report::OutputDir;

pub struct CompareConfig {
    pub out: OutputDir,
    pub periods: Periods,
    /// How each export is read (without the footfall file, which covers both periods).
    pub options: LoadOptions,
    /// The plan that was carried out.
    pub plan: Option<Plan>,
    /// Footfall counts for both periods.
    pub footfall: Option<PathBuf>,
    pub resampling: Resampling,
    pub timing: bool,
}

fn range(s: &str, flag: &str) -> Result<(i64, i64)> {
    compare::parse_range(s).map_err(|message| Error::Config {
        what: flag.into(),
        message,
    })
}

impl CompareConfig {
    pub(super) fn new(a: CompareArgs, env: Env) -> Result<CompareConfig> {
        let mut inputs: Vec<PathBuf> = a
            .before
            .iter()
            .chain(a.after.iter())
            .chain(a.plan.iter())
            .chain(a.data.footfall.iter())
            .cloned()
            .collect();
        inputs.extend(a.data.data.iter().cloned());
        let out = output_dir(&a.out, "compare", &inputs)?;
        let mut options = load_options(&a.data, Needs::default(), env)?;
        options.files.remove(&FileKind::Footfall);
        let ranges = match (&a.before_range, &a.after_range) {
            (Some(b), Some(r)) => Some((range(b, "--before-range")?, range(r, "--after-range")?)),
            (None, None) => None,
            _ => {
                return Err(Error::Config {
                    what: "--before-range/--after-range".into(),
                    message: "give both ranges, or neither".into(),
                })
            }
        };
        let periods = match (&a.before, &a.after, ranges) {
            (Some(b), Some(r), ranges) => Periods::Two {
                before: b.clone(),
                after: r.clone(),
                ranges,
            },
            (b, None, Some(ranges)) => Periods::One {
                export: match (b, &a.data.data) {
                    (Some(p), _) | (None, Some(p)) => p.clone(),
                    (None, None) => sample_dir("binjiang")?,
                },
                ranges,
            },
            (None, None, None) => {
                let b = sample_dir("binjiang")?;
                let r = sample_dir("binjiang-after")?;
                eprintln!(
                    "note: no --before/--after given; comparing the bundled sample {} with {}",
                    b.display(),
                    r.display()
                );
                Periods::Two {
                    before: b,
                    after: r,
                    ranges: None,
                }
            }
            _ => {
                return Err(Error::Config {
                    what: "--before/--after".into(),
                    message: "give --before and --after (a hall folder or a ticket file each), or one export with --before-range and --after-range".into(),
                })
            }
        };
        let plan = a.plan.as_deref().map(read_plan).transpose()?;
        Ok(CompareConfig {
            out,
            periods,
            options,
            plan,
            footfall: a.data.footfall.clone(),
            resampling: Resampling {
                permutations: a.resamples,
                seed: a.seed,
                threads: env.threads,
            },
            timing: env.timing,
        })
    }
}
