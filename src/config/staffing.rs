//! `staffing`: the planning inputs of today's hall (the policy gives the targets, the
//! demand and the slots; no objective, no solver choice matters).

use super::{planning_inputs, Env, Input};
use crate::cli::StaffingArgs;
use crate::error::Result;
use crate::optimise::milp::Solver;
use crate::plan::Objective;
use crate::planner::PlanConfig;
use crate::report::OutputDir;

pub struct StaffingConfig {
    pub out: OutputDir,
    pub input: Input,
    /// The policy (scenario, then `--set`s) the planner prepares today's hall under.
    pub planner: PlanConfig,
}

impl StaffingConfig {
    pub(super) fn new(a: StaffingArgs, env: Env) -> Result<StaffingConfig> {
        let (out, policy, input) = planning_inputs(
            &a.data,
            &a.out,
            a.scenario.as_ref(),
            &a.set,
            "staffing",
            env,
        )?;
        let scenario = super::scenario_path(a.scenario.as_ref(), input.data.dir.as_deref());
        Ok(StaffingConfig {
            out,
            input,
            planner: PlanConfig {
                policy,
                // Staffing solves no MILP: the preparation (backtest, calibration,
                // targets) is all it takes from the planner.
                objective: Objective::FewestWindows,
                solver: Solver::Microlp,
                run: env.run_options(),
                scenario,
            },
        })
    }
}
