//! The configuration stage (ripgrep's low → high arguments): what the user typed (the
//! clap structs of [`crate::cli`]) becomes one validated, resolved config per command —
//! the hall folder or the bundled sample, the reading options, the output folder (checked
//! before any slow work), the policy, the solver, the seed, the mode. No clap type travels
//! past this module; the environment knobs are read here too ([`Env`]).

mod compare;
mod erlang;
mod frontier;
mod plan;
mod profile;
mod sample;
mod serve;
mod set;
mod simulate;
mod staffing;
mod validate;

pub use compare::CompareConfig;
pub use erlang::ErlangConfig;
pub use frontier::FrontierConfig;
pub use plan::{ModelFile, PlanCommandConfig};
pub use profile::ProfileConfig;
pub use sample::SampleConfig;
pub use serve::ServeConfig;
pub(crate) use set::distance;
pub use simulate::{SimMode, SimulateConfig};
pub use staffing::StaffingConfig;
pub use validate::ValidateConfig;

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, DataArgs, OutArgs, SolverArg};
use crate::error::{Error, Result};
use crate::ingest::{self, ColumnMap, FileKind, LoadOptions, Loaded, Needs};
use crate::model::Policy;
use crate::optimise::milp::Solver;
use crate::report::output::MARKER;
use crate::report::OutputDir;

/// One command's resolved config.
// Built once per run and moved into its command: the size of the largest variant
// costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Config {
    Validate(ValidateConfig),
    Profile(ProfileConfig),
    Sample(SampleConfig),
    Erlang(ErlangConfig),
    Plan(PlanCommandConfig),
    Frontier(FrontierConfig),
    Staffing(StaffingConfig),
    Simulate(SimulateConfig),
    Compare(CompareConfig),
    Serve(ServeConfig),
}

impl Config {
    /// Resolves what the user typed, in the order each command has always checked it
    /// (so the first error reported stays the same).
    pub fn from_cli(cli: Cli) -> Result<Config> {
        let env = Env::read();
        Ok(match cli.command {
            Command::Validate(a) => Config::Validate(ValidateConfig::new(a, env)?),
            Command::Profile(a) => Config::Profile(ProfileConfig::new(a, env)?),
            Command::Sample(a) => Config::Sample(SampleConfig::new(a)),
            Command::Erlang(a) => Config::Erlang(ErlangConfig::new(a)?),
            Command::Plan(a) => Config::Plan(PlanCommandConfig::new(a, env)?),
            Command::Frontier(a) => Config::Frontier(FrontierConfig::new(a, env)?),
            Command::Staffing(a) => Config::Staffing(StaffingConfig::new(a, env)?),
            Command::Simulate(a) => Config::Simulate(SimulateConfig::new(a, env)?),
            Command::Compare(a) => Config::Compare(CompareConfig::new(a, env)?),
            Command::Serve(a) => Config::Serve(ServeConfig::new(a, env)?),
        })
    }
}

/// The environment knobs, read here and nowhere else in the library: `HALLPLAN_THREADS`
/// (threads for reading a large file, for the bootstrap and for the planner's per-pool
/// work; results do not depend on it) and `HALLPLAN_TIMING` (phase timings on stderr,
/// for benchmarks).
#[derive(Debug, Clone, Copy)]
pub struct Env {
    pub threads: usize,
    pub timing: bool,
}

impl Env {
    /// What the planner needs of the environment.
    pub fn run_options(&self) -> crate::optimise::milp::RunOptions {
        crate::optimise::milp::RunOptions {
            threads: self.threads,
            timing: self.timing,
        }
    }

    pub fn read() -> Env {
        Env {
            threads: std::env::var("HALLPLAN_THREADS")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|&n| n > 0)
                .unwrap_or_else(ingest::default_threads),
            timing: std::env::var_os("HALLPLAN_TIMING").is_some(),
        }
    }
}

/// A hall to read: where, and how.
#[derive(Debug, Clone)]
pub struct Input {
    pub data: DataDir,
    pub options: LoadOptions,
}

impl Input {
    pub fn load(&self) -> Result<Loaded> {
        ingest::load(self.data.dir.as_deref(), &self.options)
    }
}

/// The hall directory to read, and whether it is the bundled sample.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub dir: Option<PathBuf>,
    pub is_sample: bool,
}

/// `--data`, or the bundled sample: `data/binjiang` under the current folder, else the
/// copy in the source tree, else generated afresh into a temporary folder.
fn data_dir(args: &DataArgs) -> Result<DataDir> {
    if let Some(d) = &args.data {
        return Ok(DataDir {
            dir: Some(d.clone()),
            is_sample: false,
        });
    }
    let single_files = args.windows.is_some()
        || args.matters.is_some()
        || args.tickets.is_some()
        || args.footfall.is_some();
    if single_files {
        return Ok(DataDir {
            dir: None,
            is_sample: false,
        });
    }
    let dir = sample_dir("binjiang")?;
    eprintln!(
        "note: no --data given; using the bundled sample hall {}",
        dir.display()
    );
    Ok(DataDir {
        dir: Some(dir),
        is_sample: true,
    })
}

/// A folder of the bundled sample (`binjiang` or `binjiang-after`).
pub fn sample_dir(name: &str) -> Result<PathBuf> {
    let local = Path::new("data").join(name);
    if local.join("tickets.csv").exists() {
        return Ok(local);
    }
    let source_tree = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name);
    if source_tree.join("tickets.csv").exists() {
        return Ok(source_tree);
    }
    let tmp = std::env::temp_dir().join(format!("hallplan-sample-{}", crate::sample::DEFAULT_SEED));
    if !tmp.join(name).join("tickets.csv").exists() {
        for f in crate::sample::generate(crate::sample::DEFAULT_SEED) {
            let p = tmp.join(&f.path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(&p, &f.bytes).map_err(|source| Error::Write {
                path: p.clone(),
                source,
            })?;
        }
    }
    Ok(tmp.join(name))
}

/// Validated load options from the data flags and the environment.
fn load_options(args: &DataArgs, needs: Needs, env: Env) -> Result<LoadOptions> {
    let mut opts = LoadOptions {
        strict: args.strict,
        clock_skew_s: args.clock_skew_s,
        max_service_min: args.max_service_min,
        needs,
        timing: env.timing,
        ..LoadOptions::default()
    };
    opts.open.threads = env.threads;
    if args.clock_skew_s < 0 {
        return Err(Error::Config {
            what: "--clock-skew-s".into(),
            message: "must be ≥ 0 seconds".into(),
        });
    }
    if args.max_service_min.is_nan() || args.max_service_min <= 0.0 {
        return Err(Error::Config {
            what: "--max-service-min".into(),
            message: "must be > 0 minutes".into(),
        });
    }
    if let Some(e) = &args.encoding {
        opts.open.encoding = Some(e.parse().map_err(|m| Error::Config {
            what: "--encoding".into(),
            message: m,
        })?);
    }
    opts.open.sheet = args.sheet.clone();
    if let Some(p) = &args.columns {
        opts.columns = Some(ColumnMap::load(p)?);
    }
    for (kind, p) in [
        (FileKind::Windows, &args.windows),
        (FileKind::Matters, &args.matters),
        (FileKind::Footfall, &args.footfall),
        (FileKind::Tickets, &args.tickets),
    ] {
        if let Some(p) = p {
            opts.files.insert(kind, p.clone());
        }
    }
    Ok(opts)
}

/// The output folder: `--out`, or `out/<command>` (replaced when hallplan wrote it).
fn output_dir(args: &OutArgs, command: &str, inputs: &[PathBuf]) -> Result<OutputDir> {
    let lang = match args.lang {
        crate::cli::LangArg::Zh => crate::report::Lang::Zh,
        crate::cli::LangArg::En => crate::report::Lang::En,
        crate::cli::LangArg::Both => crate::report::Lang::Both,
    };
    Ok(match &args.out {
        Some(p) => OutputDir::prepare(p, args.force, inputs),
        None => {
            let p = Path::new("out").join(command);
            let ours = p.join(MARKER).exists();
            OutputDir::prepare(&p, args.force || ours, inputs)
        }
    }?
    .in_lang(lang))
}

/// A plan.json written by `hallplan plan`.
pub fn read_plan(path: &Path) -> Result<crate::plan::Plan> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        file: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::BadFile {
        file: path.display().to_string(),
        message: format!("not a hallplan plan.json: {e}"),
    })
}

/// What `plan` and `frontier` share: the hall folder, the output folder (checked before
/// the slow work), the policy and how to read the hall.
fn planning_inputs(
    data: &DataArgs,
    out: &OutArgs,
    scenario: Option<&PathBuf>,
    sets: &[String],
    command: &str,
    env: Env,
) -> Result<(OutputDir, Policy, Input)> {
    let dir = data_dir(data)?;
    let mut inputs: Vec<PathBuf> = dir.dir.iter().cloned().collect();
    inputs.extend(scenario.iter().map(|p| (*p).clone()));
    let out = output_dir(out, command, &inputs)?;
    let policy = policy(scenario, sets, dir.dir.as_deref())?;
    let options = load_options(
        data,
        Needs {
            windows: true,
            matters: true,
            tickets: false,
        },
        env,
    )?;
    Ok((out, policy, Input { data: dir, options }))
}

/// Applies one `key=value` knob to a policy exactly as `--set key=value` does (same
/// parsing, same ranges, same messages), so that the what-if page and the command line
/// agree on what a knob accepts.
pub fn apply_set(policy: &mut Policy, assignment: &str) -> Result<()> {
    set::apply(policy, assignment)
}

/// The solver named by `--solver`.
fn solver(arg: SolverArg) -> Solver {
    match arg {
        SolverArg::Microlp => Solver::Microlp,
        SolverArg::Highs => Solver::Highs,
    }
}

/// The scenario file the policy is read from: `--scenario`, else scenario.toml in the
/// hall folder when there is one.
pub(crate) fn scenario_path(
    scenario: Option<&PathBuf>,
    data_dir: Option<&std::path::Path>,
) -> Option<PathBuf> {
    scenario.cloned().or_else(|| {
        data_dir
            .map(|d| d.join("scenario.toml"))
            .filter(|p| p.exists())
    })
}

/// The policy: scenario file (or scenario.toml in the hall folder), then `--set`s —
/// the one place the knobs (`demand_change` among them) are resolved for planning.
fn policy(
    scenario: Option<&PathBuf>,
    sets: &[String],
    data_dir: Option<&std::path::Path>,
) -> Result<Policy> {
    let path = scenario_path(scenario, data_dir);
    let mut p = match &path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
                file: path.display().to_string(),
                source,
            })?;
            Policy::from_toml(&text, &path.display().to_string())?
        }
        None => Policy::default(),
    };
    for s in sets {
        set::apply(&mut p, s)?;
    }
    Ok(p)
}

#[cfg(test)]
mod tests;
