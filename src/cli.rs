//! What the user typed: clap derive structs. Nothing here travels past [`crate::config`],
//! which turns these into one validated config per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "Exit codes: 0 success; 1 usage or internal failure; 2 unusable input (nothing written); 3 plan infeasible under the policy.";

#[derive(Debug, Parser)]
#[command(name = "hallplan", version, about = "Plan how a service hall can cut, merge and move its windows without making people wait longer.", after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a hall's exports and account for every row.
    #[command(after_help = EXIT_CODES)]
    Validate(ValidateArgs),
    /// The "smart big screen": top-10s, footfall trend, hourly load, utilisation, waits.
    #[command(after_help = EXIT_CODES)]
    Profile(ProfileArgs),
    /// Generate the bundled Binjiang-like sample hall.
    #[command(after_help = EXIT_CODES)]
    Sample(SampleArgs),
    /// Erlang C / Allen–Cunneen calculator, forwards and in reverse (windows needed).
    #[command(after_help = EXIT_CODES)]
    Erlang(ErlangArgs),
    /// Decide which windows to cut, merge into joint windows or move to the back office.
    #[command(after_help = EXIT_CODES)]
    Plan(PlanArgs),
    /// Hourly staffing of today's hall: the fewest of today's windows to open in each
    /// slot that keep each pool's targets, and the window-hours that saves.
    #[command(after_help = EXIT_CODES)]
    Staffing(StaffingArgs),
    /// Least waiting for every window budget: the windows-versus-waiting curve.
    #[command(after_help = EXIT_CODES)]
    Frontier(FrontierArgs),
    /// Replay the tickets through today's windows or a plan's (or synthetic days).
    #[command(after_help = EXIT_CODES)]
    Simulate(SimulateArgs),
    /// Before/after wait-time report with confidence intervals and verdicts.
    #[command(after_help = EXIT_CODES)]
    Compare(CompareArgs),
    /// The what-if page: a local web server where the knobs, the window budget and the
    /// locked windows re-plan the hall at once (README: `serve`).
    #[command(after_help = EXIT_CODES)]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Scenario TOML with the page's starting knobs (default: DIR/scenario.toml if present).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// TCP port (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; anything but a loopback address exposes the page (and the
    /// CPU) to the network, and serve says so.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
    pub bind: String,
    /// Seconds one request may take (queueing and planning) before it gets a 504.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub time_limit_s: f64,
    /// MILP solver: microlp or highs (see `plan --help`).
    #[arg(long, value_enum, default_value_t = SolverArg::Microlp)]
    pub solver: SolverArg,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Reading flags (and --data as the one export for --before-range/--after-range).
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: OutArgs,
    /// The "before" export: a hall folder or a ticket file.
    #[arg(long, value_name = "DIR|FILE")]
    pub before: Option<PathBuf>,
    /// The "after" export: a hall folder or a ticket file.
    #[arg(long, value_name = "DIR|FILE")]
    pub after: Option<PathBuf>,
    /// The plan that was carried out: predicted vs actual per department.
    #[arg(long, value_name = "plan.json")]
    pub plan: Option<PathBuf>,
    /// Dates of the before period in one export, YYYY-MM-DD..YYYY-MM-DD.
    #[arg(long)]
    pub before_range: Option<String>,
    /// Dates of the after period in one export.
    #[arg(long)]
    pub after_range: Option<String>,
    /// Random deals of the days for the permutation intervals (at least 200).
    #[arg(long, visible_alias = "permutations", default_value_t = 1000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(200..))]
    pub resamples: usize,
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: OutArgs,
    /// Scenario TOML with policy knobs (default: DIR/scenario.toml if present).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Override one policy knob, e.g. --set demand_change=-0.4 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Least waiting with at most N windows (default objective: fewest windows).
    #[arg(long, value_name = "N")]
    pub max_windows: Option<u32>,
    /// Write the MILP in the LP file format for audit with another solver.
    #[arg(long, value_name = "FILE.lp")]
    pub write_model: Option<PathBuf>,
    /// MILP solver: microlp (pure Rust, always built) or highs (needs a build with
    /// `--features highs`).
    #[arg(long, value_enum, default_value_t = SolverArg::Microlp)]
    pub solver: SolverArg,
}

#[derive(Debug, Args)]
pub struct StaffingArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: OutArgs,
    /// Scenario TOML with policy knobs (default: DIR/scenario.toml if present): targets,
    /// demand change, opening hours, slots.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Override one policy knob, e.g. --set demand_change=0.1 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FrontierArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: OutArgs,
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// MILP solver: microlp or highs (see `plan --help`).
    #[arg(long, value_enum, default_value_t = SolverArg::Microlp)]
    pub solver: SolverArg,
}

/// `--solver`: the MILP solver by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SolverArg {
    Microlp,
    Highs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimMode {
    /// Replay each ticket with its own issue and handling time.
    Trace,
    /// Poisson arrivals at the model's hourly rates.
    Synthetic,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: OutArgs,
    /// A plan.json written by `hallplan plan`.
    #[arg(long, value_name = "plan.json", conflicts_with = "proposal")]
    pub plan: Option<PathBuf>,
    /// A hand-made future window inventory (the format of windows.csv) to replay today's
    /// tickets through, before vs proposed; writes its plan.json for `compare --plan`.
    #[arg(long, value_name = "windows.csv")]
    pub proposal: Option<PathBuf>,
    /// The proposal comes with the reform's levers: every matter the catalogue and the
    /// scenario allow online goes online (its walk-ins to the fallback windows, or the
    /// joint windows with online_remainder = "joint"), back-office matters leave only
    /// their intake; without it every matter stays in person.
    #[arg(long, requires = "proposal")]
    pub with_channels: bool,
    /// Scenario TOML for the proposal (default: DIR/scenario.toml if present).
    #[arg(long, value_name = "FILE", requires = "proposal")]
    pub scenario: Option<PathBuf>,
    /// Override one policy knob of the proposal's scenario (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", requires = "proposal")]
    pub set: Vec<String>,
    #[arg(long, value_enum, default_value_t = SimMode::Trace)]
    pub mode: SimMode,
    /// Replications (synthetic mode).
    #[arg(long, default_value_t = 20)]
    pub replications: usize,
    /// Open days per replication (synthetic mode).
    #[arg(long, default_value_t = 20)]
    pub days: usize,
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Demand change for synthetic arrivals (e.g. -0.4), replacing the plan's own; with
    /// --mode synthetic only.
    #[arg(long, allow_negative_numbers = true)]
    pub demand_change: Option<f64>,
    /// Show a progress bar.
    #[arg(long)]
    pub progress: bool,
}

/// Where a hall's exports are and how to read them.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Hall directory with windows, matters, footfall, tickets (.csv/.tsv/.xlsx/.parquet).
    /// Without it the bundled sample data/binjiang is used.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The window inventory, overriding the directory's.
    #[arg(long, value_name = "FILE")]
    pub windows: Option<PathBuf>,
    /// The matter catalogue, overriding the directory's.
    #[arg(long, value_name = "FILE")]
    pub matters: Option<PathBuf>,
    /// Footfall counts, overriding the directory's.
    #[arg(long, value_name = "FILE")]
    pub footfall: Option<PathBuf>,
    /// The ticket log, overriding the directory's.
    #[arg(long, value_name = "FILE")]
    pub tickets: Option<PathBuf>,
    /// Force the CSV encoding: utf-8 or gbk (default: detected and reported).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Spreadsheet sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Column-mapping file (TOML) for exports with their own headers.
    #[arg(long, value_name = "MAP.toml")]
    pub columns: Option<PathBuf>,
    /// Turn the first rejected row into a fatal error.
    #[arg(long)]
    pub strict: bool,
    /// A call up to this many seconds before the ticket was issued counts as a zero wait.
    #[arg(long, default_value_t = 60)]
    pub clock_skew_s: i64,
    /// Services longer than this are rejected rows.
    #[arg(long, default_value_t = 480.0)]
    pub max_service_min: f64,
}

#[derive(Debug, Clone, Args)]
pub struct OutArgs {
    /// Output folder (written atomically). Default: out/<command>.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
    /// Language of the report, workbook and chart words: zh, en, or both (bilingual
    /// headings and English prose, as always). Names in the data are never translated;
    /// CSV headers stay snake_case keys.
    #[arg(long, value_enum, default_value_t = LangArg::Both)]
    pub lang: LangArg,
}

/// `--lang`: the language of the hand-outs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    Zh,
    En,
    Both,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Print the accounting as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub out: OutArgs,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Folder to write binjiang/ and binjiang-after/ into.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 2020)]
    pub seed: u64,
    /// Replace existing sample folders.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ErlangArgs {
    /// Arrivals per hour.
    #[arg(long)]
    pub arrivals_per_hour: f64,
    /// Mean handling time, minutes.
    #[arg(long)]
    pub handle_min: f64,
    /// Squared coefficient of variation of handling time (1 = exponential).
    #[arg(long, default_value_t = 1.0)]
    pub cv2: f64,
    /// Evaluate this many windows (with --target-wait-min or --service-level: and say
    /// whether they meet it).
    #[arg(long)]
    pub windows: Option<u32>,
    /// Find the windows needed for this mean wait (minutes), or check --windows against it.
    #[arg(long)]
    pub target_wait_min: Option<f64>,
    /// Find the windows needed for this service level (with --within-min).
    #[arg(long)]
    pub service_level: Option<f64>,
    /// The service level's time limit, minutes.
    #[arg(long, default_value_t = 0.33)]
    pub within_min: f64,
    /// Highest utilisation allowed when sizing.
    #[arg(long, default_value_t = 0.95)]
    pub max_utilisation: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
