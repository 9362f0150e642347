//! `hallplan simulate`: replay the tickets (or synthetic days) through today's windows and,
//! with `--plan`, through the plan's; today vs plan side by side, and the backtest.

use crate::config::{SimMode, SimulateConfig};
use crate::error::{Error, Result};
use crate::proposal;
use crate::report::{self, pages};
use crate::simulate::{poisson, trace};

pub fn run(c: SimulateConfig) -> Result<()> {
    let seed = c.seed;
    // A bad proposal fails before the slow work, naming its file, line and column.
    let proposed = c
        .proposal
        .as_deref()
        .map(|p| proposal::read(p, &c.input.options))
        .transpose()?;
    let loaded = c.input.load()?;
    // The proposal as a plan (its model waits filled in), and today's inventory read by
    // the same rules, for the model's before.
    let proposals = match (&proposed, &c.proposal) {
        (Some(windows), Some(path)) => {
            let file = path.display().to_string();
            let hall = &loaded.hall;
            // The replay of `compare --plan` takes the plan's seed: the one simulated here.
            let policy = crate::model::Policy {
                seed,
                ..c.policy.clone()
            };
            let mut plan = proposal::plan_of(hall, windows, &policy, &file, c.levers)?;
            proposal::ticket_arrivals(hall, &mut plan, seed)?;
            let today_policy = crate::model::Policy {
                demand_change: c.today_demand_change,
                ..policy.clone()
            };
            let mut as_is = proposal::plan_of(
                hall,
                &hall.windows,
                &today_policy,
                "today",
                proposal::Levers::InPerson,
            )?;
            proposal::ticket_arrivals(hall, &mut as_is, seed)?;
            // The model's column is the planner's own evaluator (§3b, calibrated by
            // today's backtest), so a proposal and a plan of the same inventory agree.
            let prep = crate::optimise::prepare(hall, &policy)?;
            proposal::model_waits(hall, &mut plan, &prep, false);
            proposal::model_waits(hall, &mut as_is, &prep, true);
            Some((file, plan, as_is))
        }
        _ => None,
    };
    let plan = c.plan.as_ref().or(proposals.as_ref().map(|p| &p.1));
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
    let (mut rep, summary) =
        pages::simulate::build(&loaded.hall, &today, after.as_ref(), c.out.lang())?;
    let mut proposal_json = None;
    if let (Some((file, mut plan, as_is)), Some(after)) = (proposals, after.as_ref()) {
        let days =
            crate::hall::derive::opening_hours(&loaded.hall.tickets).map_or(1, |h| h.open_days);
        proposal::fill_before(&mut plan, &today, days);
        pages::proposal::add(&mut rep, &file, &plan, &as_is, &today, after);
        let mut json = serde_json::to_string_pretty(&plan).map_err(|e| Error::Render {
            what: "plan.json".into(),
            message: e.to_string(),
        })?;
        json.push('\n');
        proposal_json = Some(json);
    }
    let mut bundle = report::render(&rep, &summary)?;
    if let Some(json) = proposal_json {
        bundle.add("plan.json", json.into_bytes());
    }
    println!(
        "hall mean wait: today {:.2} min{}",
        today.hall.mean_wait,
        after
            .as_ref()
            .map(|a| format!(
                ", {} {:.2} min",
                if c.proposal.is_some() {
                    "proposal"
                } else {
                    "plan"
                },
                a.hall.mean_wait
            ))
            .unwrap_or_default()
    );
    super::commit(&c.out, bundle)
}
