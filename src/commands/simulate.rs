//! `hallplan simulate`: replay the tickets (or synthetic days) through today's windows and,
//! with `--plan`, through the plan's; today vs plan side by side, and the backtest.

use crate::config::{SimMode, SimulateConfig};
use crate::error::Result;
use crate::report::{self, pages};
use crate::simulate::{poisson, trace};

pub fn run(c: SimulateConfig) -> Result<()> {
    let loaded = c.input.load()?;
    let (plan, seed) = (c.plan.as_ref(), c.seed);
    let progress = indicatif::ProgressBar::new(if plan.is_some() { 2 } else { 1 });
    progress.set_draw_target(if c.progress {
        indicatif::ProgressDrawTarget::stderr()
    } else {
        indicatif::ProgressDrawTarget::hidden()
    });
    let (today, after) = match c.mode {
        SimMode::Trace => {
            let today = trace::replay_at(&loaded.hall, None, seed, c.today_demand_change)?;
            progress.inc(1);
            let after = plan
                .map(|p| trace::replay_at(&loaded.hall, Some(p), seed, c.policy.demand_change))
                .transpose()?;
            (today, after)
        }
        SimMode::Synthetic { replications, days } => {
            let today_policy = crate::model::Policy {
                demand_change: c.today_demand_change,
                ..c.policy.clone()
            };
            let pools = poisson::pools_today(&loaded.hall, &today_policy)?;
            let today = poisson::run(&pools, days, replications, seed, "today")?;
            progress.inc(1);
            let after = plan
                .map(|p| {
                    let pools = poisson::pools_of_plan(p, c.plan_demand_factor);
                    poisson::run(&pools, days, replications, seed, "plan")
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
    super::commit(&c.out, bundle)
}
