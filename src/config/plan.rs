//! `plan`: the planning inputs, the objective (`--max-windows`), the solver and where to
//! write the MILP for audit.

use std::path::PathBuf;

use super::{planning_inputs, solver, Env, Input};
use crate::cli::PlanArgs;
use crate::error::Result;
use crate::plan::Objective;
use crate::planner::PlanConfig;
use crate::report::OutputDir;

pub struct PlanCommandConfig {
    pub out: OutputDir,
    pub input: Input,
    /// Policy (scenario, then `--set`s), objective and solver: what the planner reads.
    pub planner: PlanConfig,
    /// Write the MILP in the LP file format here.
    pub write_model: Option<PathBuf>,
}

impl PlanCommandConfig {
    pub(super) fn new(a: PlanArgs, env: Env) -> Result<PlanCommandConfig> {
        let (out, policy, input) =
            planning_inputs(&a.data, &a.out, a.scenario.as_ref(), &a.set, "plan", env)?;
        let objective = match a.max_windows {
            Some(n) => Objective::LeastWaiting { max_windows: n },
            None => Objective::FewestWindows,
        };
        Ok(PlanCommandConfig {
            out,
            input,
            planner: PlanConfig {
                policy,
                objective,
                solver: solver(a.solver),
                run: env.run_options(),
            },
            write_model: a.write_model,
        })
    }
}
