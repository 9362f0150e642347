//! `simulate`: the hall, the plan (if any), the mode and its sizes, the seed, and the one
//! resolved demand change.

use std::path::PathBuf;

use super::{data_dir, load_options, output_dir, policy as scenario_policy, read_plan, Env, Input};
use crate::cli::{self, SimulateArgs};
use crate::error::{Error, Result};
use crate::ingest::Needs;
use crate::model::Policy;
use crate::plan::Plan;
use crate::report::OutputDir;

/// How arrivals are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimMode {
    /// Each ticket replayed with its own issue and handling time.
    Trace,
    /// Poisson arrivals at the model's hourly rates: `replications` runs of `days` open
    /// days each.
    Synthetic { replications: usize, days: usize },
}

pub struct SimulateConfig {
    pub out: OutputDir,
    pub input: Input,
    /// The plan to replay beside today's windows.
    pub plan: Option<Plan>,
    /// A hand-made inventory to replay instead of a plan (`--proposal`).
    pub proposal: Option<PathBuf>,
    /// Whether the proposal's matters take the scenario's channels (`--with-channels`).
    pub levers: crate::proposal::Levers,
    pub mode: SimMode,
    pub seed: u64,
    /// The plan's policy (or the default) with the demand change resolved: the plan's,
    /// replaced by `--demand-change` when given. The plan is simulated at it.
    pub policy: Policy,
    /// The demand change today's hall is simulated at: `--demand-change` when given,
    /// else none (today's hall at the demand its log shows, the backtest's).
    pub today_demand_change: f64,
    /// What the plan's pools are scaled by: from the demand the plan was made for to the
    /// demand simulated, `(1 + resolved) / (1 + planned)`.
    pub plan_demand_factor: f64,
    /// Show a progress bar.
    pub progress: bool,
}

impl SimulateConfig {
    pub(super) fn new(a: SimulateArgs, env: Env) -> Result<SimulateConfig> {
        let data = data_dir(&a.data)?;
        let mut inputs: Vec<PathBuf> = data.dir.iter().cloned().collect();
        inputs.extend(a.plan.iter().cloned());
        inputs.extend(a.proposal.iter().cloned());
        inputs.extend(a.scenario.iter().cloned());
        let out = output_dir(&a.out, "simulate", &inputs)?;
        let plan: Option<Plan> = a.plan.as_deref().map(read_plan).transpose()?;
        if let Some(p) = &a.proposal {
            if !p.is_file() {
                return Err(Error::MissingFile {
                    file: p.display().to_string(),
                    what: "the proposal (a window inventory in the format of windows.csv)".into(),
                    looked: "--proposal FILE".into(),
                });
            }
        }
        let mode = match a.mode {
            cli::SimMode::Trace => SimMode::Trace,
            cli::SimMode::Synthetic => SimMode::Synthetic {
                replications: a.replications,
                days: a.days,
            },
        };
        // The one place the simulated demand change is decided, with one meaning in both
        // modes (model.md §7): demand relative to the log's. The plan is simulated at its
        // own unless `--demand-change` replaces it; today's hall at the log's own unless
        // `--demand-change` is given, then at that (the same demand for both).
        if let Some(dc) = a.demand_change {
            if !(dc > -1.0 && dc.is_finite()) {
                return Err(Error::Config {
                    what: "--demand-change".into(),
                    message: format!("{dc} is not a demand change above -1 (e.g. -0.4 for 40 % fewer tickets, 0.2 for 20 % more)"),
                });
            }
        }
        let today_demand_change = a.demand_change.unwrap_or(0.0);
        // A proposal is planned under the scenario (and `--set`s), as `plan` is.
        let mut policy = match (&plan, &a.proposal) {
            (Some(p), _) => p.policy.clone(),
            (None, Some(_)) => scenario_policy(a.scenario.as_ref(), &a.set, data.dir.as_deref())?,
            (None, None) => Policy::default(),
        };
        let planned_demand = policy.demand_change;
        if let Some(dc) = a.demand_change {
            policy.demand_change = dc;
        }
        let plan_demand_factor = (1.0 + policy.demand_change) / (1.0 + planned_demand);
        let needs = Needs {
            windows: true,
            matters: mode != SimMode::Trace || a.proposal.is_some(),
            tickets: mode == SimMode::Trace,
        };
        let options = load_options(&a.data, needs, env)?;
        Ok(SimulateConfig {
            out,
            input: Input { data, options },
            plan,
            proposal: a.proposal,
            levers: if a.with_channels {
                crate::proposal::Levers::Scenario
            } else {
                crate::proposal::Levers::InPerson
            },
            mode,
            seed: a.seed,
            policy,
            today_demand_change,
            plan_demand_factor,
            progress: a.progress,
        })
    }
}
