//! `frontier`: the planning inputs and the solver.

use super::{planning_inputs, solver, Env, Input};
use crate::cli::FrontierArgs;
use crate::error::Result;
use crate::plan::Objective;
use crate::planner::PlanConfig;
use crate::report::OutputDir;

pub struct FrontierConfig {
    pub out: OutputDir,
    pub input: Input,
    /// Policy and solver; the sweep sets the window budget itself.
    pub planner: PlanConfig,
}

impl FrontierConfig {
    pub(super) fn new(a: FrontierArgs, env: Env) -> Result<FrontierConfig> {
        let (out, policy, input) = planning_inputs(
            &a.data,
            &a.out,
            a.scenario.as_ref(),
            &a.set,
            "frontier",
            env,
        )?;
        let scenario = super::scenario_path(a.scenario.as_ref(), input.data.dir.as_deref());
        Ok(FrontierConfig {
            out,
            input,
            planner: PlanConfig {
                policy,
                objective: Objective::FewestWindows,
                solver: solver(a.solver),
                run: env.run_options(),
                scenario,
            },
        })
    }
}
