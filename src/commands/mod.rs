//! One module per subcommand, each orchestration only: resolve options, load, compute,
//! render, write.

pub mod compare;
pub mod erlang;
pub mod frontier;
pub mod plan;
pub mod profile;
pub mod sample;
pub mod simulate;
pub mod validate;

use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, DataArgs, OutArgs};
use crate::error::{Error, Result};
use crate::ingest::{self, ColumnMap, FileKind, LoadOptions, Loaded, Needs};
use crate::report::{Bundle, OutputDir};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Erlang(a) => erlang::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Frontier(a) => frontier::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Compare(a) => compare::run(a),
    }
}

/// The hall directory to read, and whether it is the bundled sample.
pub struct DataDir {
    pub dir: Option<PathBuf>,
    pub is_sample: bool,
}

/// `--data`, or the bundled sample: `data/binjiang` under the current folder, else the
/// copy in the source tree, else generated afresh into a temporary folder.
pub fn data_dir(args: &DataArgs) -> Result<DataDir> {
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

/// Validated load options from the data flags.
pub fn load_options(args: &DataArgs, needs: Needs) -> Result<LoadOptions> {
    let mut opts = LoadOptions {
        strict: args.strict,
        clock_skew_s: args.clock_skew_s,
        max_service_min: args.max_service_min,
        needs,
        ..LoadOptions::default()
    };
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

/// Loads the hall named by the data flags.
pub fn load(args: &DataArgs, needs: Needs) -> Result<(Loaded, DataDir)> {
    let dir = data_dir(args)?;
    let opts = load_options(args, needs)?;
    let loaded = ingest::load(dir.dir.as_deref(), &opts)?;
    Ok((loaded, dir))
}

/// A marker in every output folder: hallplan's own default folders may be replaced.
const MARKER: &str = ".hallplan-output";

/// The output folder: `--out`, or `out/<command>` (replaced when hallplan wrote it).
pub fn output_dir(args: &OutArgs, command: &str, inputs: &[PathBuf]) -> Result<OutputDir> {
    match &args.out {
        Some(p) => OutputDir::prepare(p, args.force, inputs),
        None => {
            let p = Path::new("out").join(command);
            let ours = p.join(MARKER).exists();
            OutputDir::prepare(&p, args.force || ours, inputs)
        }
    }
}

/// Writes the bundle (with the marker) and says where.
pub fn commit(out: &OutputDir, mut bundle: Bundle) -> Result<()> {
    bundle.add(MARKER, b"written by hallplan\n".to_vec());
    out.commit(&bundle)?;
    eprintln!(
        "wrote {} files to {}",
        bundle.files.len() - 1,
        out.path().display()
    );
    Ok(())
}

/// rejected_rows.csv: every row set aside, with file, line and reason.
pub fn rejected_rows_csv(loaded: &Loaded) -> Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = loaded
        .rejected
        .iter()
        .map(|r| {
            vec![
                r.file.clone(),
                r.at.to_string(),
                r.column.clone(),
                r.reason.to_string(),
                r.message.clone(),
                r.value.clone(),
            ]
        })
        .collect();
    crate::report::csv::render_rows(
        &["file", "line", "column", "reason", "message", "value"],
        &rows,
    )
}

/// The per-file accounting as JSON (`files.<name>.{read,accepted,…}`).
pub fn files_json(loaded: &Loaded) -> serde_json::Value {
    serde_json::to_value(&loaded.files).unwrap_or(serde_json::Value::Null)
}

/// A plan.json written by `hallplan plan`.
pub fn read_plan(path: &Path) -> Result<crate::optimise::Plan> {
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
/// the slow work), the policy and the loaded hall.
pub fn planning_inputs(
    data: &DataArgs,
    out: &OutArgs,
    scenario: Option<&PathBuf>,
    sets: &[String],
    command: &str,
) -> Result<(OutputDir, crate::model::Policy, Loaded)> {
    let dir = data_dir(data)?;
    let mut inputs: Vec<PathBuf> = dir.dir.iter().cloned().collect();
    inputs.extend(scenario.iter().map(|p| (*p).clone()));
    let out = output_dir(out, command, &inputs)?;
    let policy = plan::policy(scenario, sets, dir.dir.as_deref())?;
    let opts = load_options(
        data,
        Needs {
            windows: true,
            matters: true,
            tickets: false,
        },
    )?;
    let loaded = ingest::load(dir.dir.as_deref(), &opts)?;
    Ok((out, policy, loaded))
}

/// Windows above a pool's plan that the simulation check tries before giving up.
const CHECK_SEARCH: u32 = 50;

/// `plan` and `frontier` solve with the simulation check (MODEL.md §6) when the hall has
/// tickets to replay; without tickets the calibrated formula alone decides.
pub fn solve_checked(
    prep: &crate::optimise::Prepared,
    hall: &crate::hall::Hall,
    policy: &crate::model::Policy,
    objective: crate::optimise::Objective,
) -> Result<crate::optimise::PlanRun> {
    if hall.tickets.is_empty() {
        let mut run = crate::optimise::solve(prep, hall, policy, objective)?;
        if policy.calibration == crate::model::Calibration::Simulation {
            run.notes.push("no ticket log to replay: the plan is checked by the formula alone (calibration \"simulation\" needs tickets)".into());
        }
        return Ok(run);
    }
    let check = |plan: &crate::optimise::Plan| {
        crate::simulate::check::shortfalls(hall, plan, policy.seed, CHECK_SEARCH)
    };
    crate::optimise::solve_checked(prep, hall, policy, objective, Some(&check))
}
