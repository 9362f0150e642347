//! `hallplan frontier`: least waiting for every window budget, the trade-off curve.

use crate::cli::FrontierArgs;
use crate::config;
use crate::error::Result;
use crate::plan::Objective;
use crate::planner::{self, Frontier, PlanConfig};
use crate::report::{self, pages};

pub fn run(args: FrontierArgs) -> Result<()> {
    let (out, policy, loaded) = config::planning_inputs(
        &args.data,
        &args.out,
        args.scenario.as_ref(),
        &args.set,
        "frontier",
    )?;
    let config = PlanConfig {
        policy,
        objective: Objective::FewestWindows,
        solver: config::solver(args.solver),
    };
    let Frontier { best, points } = planner::frontier(&loaded.hall, &config)?;
    let (rep, summary) = pages::frontier::build(&best, &points)?;
    let bundle = report::render(&rep, &summary)?;
    super::commit(&out, bundle)
}
