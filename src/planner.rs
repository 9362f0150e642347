//! The planner: above the optimiser and the simulation, it runs the loop a plan goes
//! through — solve the MILP, replay the hall's tickets through the plan (model.md §6,
//! `calibration = "simulation"`), give the pools the replay finds short the windows they
//! need — and the frontier sweep over window budgets. A library call, so that the
//! commands, the tests and a future what-if server plan the same way.

use crate::error::Result;
use crate::hall::Hall;
use crate::model::{evaluate, Calibration, Channel, Policy};
use crate::optimise::milp::{self, MilpError, Solver};
use crate::optimise::{self, Prepared};
use crate::plan::Objective;

pub use crate::optimise::PlanRun;

/// Windows above a pool's plan that the simulation check tries before giving up.
const CHECK_SEARCH: u32 = 50;

/// What a plan is asked for: the policy, the objective and the solver.
#[derive(Debug, Clone)]
pub struct PlanConfig {
    pub policy: Policy,
    pub objective: Objective,
    pub solver: Solver,
}

/// Backtests and calibrates today's hall, solves, and checks the plan by replay.
pub fn plan(hall: &Hall, config: &PlanConfig) -> Result<PlanRun> {
    let prep = prepare(hall, config)?;
    solve(&prep, hall, config)
}

/// Everything that does not depend on the objective (`frontier` prepares once).
pub fn prepare(hall: &Hall, config: &PlanConfig) -> Result<Prepared> {
    let mut prep = optimise::prepare(hall, &config.policy)?;
    prep.input.solver = config.solver;
    Ok(prep)
}

/// The MILP of a prepared hall in CPLEX LP format (`--write-model`).
pub fn lp_model(prep: &Prepared, objective: Objective) -> std::result::Result<String, MilpError> {
    milp::to_lp_format(&prep.input_for(objective))
}

/// Solves, then (with `calibration = "simulation"` and tickets to replay) replays the
/// plan and gives each pool that misses its target the fewest windows whose replay meets
/// it. Without tickets the calibrated formula alone decides, and the plan says so.
pub fn solve(prep: &Prepared, hall: &Hall, config: &PlanConfig) -> Result<PlanRun> {
    let policy = &config.policy;
    let objective = config.objective;
    let attempt = optimise::attempt(prep, hall, policy, objective)?;
    if policy.calibration != Calibration::Simulation {
        return Ok(attempt.run);
    }
    if hall.tickets.is_empty() {
        let mut run = attempt.run;
        run.notes.push("no ticket log to replay: the plan is checked by the formula alone (calibration \"simulation\" needs tickets)".into());
        return Ok(run);
    }
    let needs =
        crate::simulate::check::shortfalls(hall, &attempt.run.plan, policy.seed, CHECK_SEARCH)?;
    if needs.is_empty() {
        return Ok(attempt.run);
    }
    Ok(optimise::adjust(
        prep, hall, policy, objective, attempt, &needs,
    ))
}

/// One window budget of the frontier.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    /// The budget (at most this many windows).
    pub max_windows: u32,
    /// Windows the least-waiting plan uses.
    pub windows: u32,
    pub waiting_person_min_per_day: f64,
    pub mean_wait_min: Option<f64>,
}

/// The recommended plan and the least waiting for every budget from its window count to
/// today's.
pub struct Frontier {
    pub best: PlanRun,
    pub points: Vec<FrontierPoint>,
}

/// The trade-off curve. It keeps the recommended plan's channels and spends each extra
/// window where it cuts the most waiting (optimal for those channels: waiting is convex
/// in windows).
pub fn frontier(hall: &Hall, config: &PlanConfig) -> Result<Frontier> {
    let config = PlanConfig {
        objective: Objective::FewestWindows,
        ..config.clone()
    };
    let prep = prepare(hall, &config)?;
    let best = solve(&prep, hall, &config)?;
    let today = best.plan.windows_before;
    let channels: Vec<Channel> = best
        .plan
        .matters
        .iter()
        .zip(&prep.model.matters)
        .map(|(m, md)| {
            md.channels
                .iter()
                .copied()
                .find(|c| c.as_str() == m.channel)
                .unwrap_or(md.today)
        })
        .collect();
    let flows = evaluate::flows(&prep.model, &channels, &config.policy);
    let mut windows: Vec<u32> = best.plan.pools.iter().map(|p| p.windows_after).collect();
    let mut points = Vec::new();
    for n in best.plan.windows_after..=today.max(best.plan.windows_after) {
        let used: u32 = windows.iter().sum();
        if n > used {
            optimise::spend_windows(&prep, &flows, &mut windows, n - used);
        }
        let (waiting, mean) = optimise::waiting_of(&prep, &flows, &windows);
        points.push(FrontierPoint {
            max_windows: n,
            windows: windows.iter().sum::<u32>(),
            waiting_person_min_per_day: waiting,
            mean_wait_min: mean,
        });
    }
    Ok(Frontier { best, points })
}
