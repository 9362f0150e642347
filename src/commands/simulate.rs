//! `hallplan simulate`: replay the tickets (or synthetic days) through today's windows and,
//! with `--plan`, through the plan's; today vs plan side by side, and the backtest.

use std::path::PathBuf;

use crate::cli::{SimMode, SimulateArgs};
use crate::config;
use crate::error::Result;
use crate::ingest::Needs;
use crate::plan::Plan;
use crate::report::{self, pages};
use crate::simulate::{poisson, trace};

pub fn run(args: SimulateArgs) -> Result<()> {
    let dir = config::data_dir(&args.data)?;
    let mut inputs: Vec<PathBuf> = dir.dir.iter().cloned().collect();
    inputs.extend(args.plan.iter().cloned());
    let out = config::output_dir(&args.out, "simulate", &inputs)?;
    let plan: Option<Plan> = args.plan.as_deref().map(config::read_plan).transpose()?;
    let needs = Needs {
        windows: true,
        matters: args.mode == SimMode::Synthetic,
        tickets: args.mode == SimMode::Trace,
    };
    let opts = config::load_options(&args.data, needs)?;
    let loaded = crate::ingest::load(dir.dir.as_deref(), &opts)?;
    let mut policy = plan.as_ref().map(|p| p.policy.clone()).unwrap_or_default();
    // `--demand-change` replaces the plan's (or the default) what-if demand: read once.
    let planned_demand = policy.demand_change;
    if let Some(dc) = args.demand_change {
        policy.demand_change = dc;
    }
    let seed = args.seed;
    let progress = indicatif::ProgressBar::new(if plan.is_some() { 2 } else { 1 });
    progress.set_draw_target(if args.progress {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    });
    let (today, after) = match args.mode {
        SimMode::Trace => {
            let today = trace::replay(&loaded.hall, None, seed)?;
            progress.inc(1);
            let after = plan
                .as_ref()
                .map(|p| trace::replay(&loaded.hall, Some(p), seed))
                .transpose()?;
            (today, after)
        }
        SimMode::Synthetic => {
            let days = args.days;
            let today = poisson::run(
                &poisson::pools_today(&loaded.hall, &policy)?,
                days,
                args.replications,
                seed,
                "today",
            )?;
            progress.inc(1);
            let after = plan
                .as_ref()
                .map(|p| {
                    let factor = (1.0 + policy.demand_change) / (1.0 + planned_demand);
                    poisson::run(
                        &poisson::pools_of_plan(p, factor),
                        days,
                        args.replications,
                        seed,
                        "plan",
                    )
                })
                .transpose()?;
            (today, after)
        }
    };
    progress.finish_and_clear();
    let (rep, summary) = pages::simulate::build(&loaded.hall, &today, after.as_ref())?;
    let bundle = report::render(&rep, &summary)?;
    eprintln!(
        "hall mean wait: today {:.2} min{}",
        today.hall.mean_wait,
        after
            .as_ref()
            .map(|a| format!(", plan {:.2} min", a.hall.mean_wait))
            .unwrap_or_default()
    );
    super::commit(&out, bundle)
}
