//! The planner: above the optimiser and the simulation, it runs the loop a plan goes
//! through — solve the MILP, replay the hall's tickets through the plan (model.md §6,
//! `calibration = "simulation"`), give the pools the replay finds short the windows they
//! need — and the frontier sweep over window budgets. A library call, so that the
//! commands, the tests and a future what-if server plan the same way.

use crate::error::{Error, Result};
use crate::hall::Hall;
use crate::model::{evaluate, Calibration, Channel, Policy};
use crate::optimise::milp::{self, MilpError, Solver};
use crate::optimise::{self, Prepared};

mod checks;
use crate::plan::Objective;
use checks::replay_checked;

pub use crate::optimise::PlanRun;

/// Windows above a pool's plan that the simulation check tries before giving up.
const CHECK_SEARCH: u32 = 50;

/// What a plan is asked for: the policy, the objective and the solver.
#[derive(Debug, Clone)]
pub struct PlanConfig {
    pub policy: Policy,
    pub objective: Objective,
    pub solver: Solver,
    /// Threads and timings (`HALLPLAN_THREADS`, `HALLPLAN_TIMING`); no result depends on them.
    pub run: milp::RunOptions,
    /// The scenario file the policy was read from, to name it in errors (None: defaults
    /// and `--set`s only).
    pub scenario: Option<std::path::PathBuf>,
}

/// Backtests and calibrates today's hall, solves, and checks the plan by replay.
pub fn plan(hall: &Hall, config: &PlanConfig) -> Result<PlanRun> {
    let prep = prepare(hall, config)?;
    solve(&prep, hall, config)
}

/// [`plan`] for a caller that plans one hall many times (`serve`): what earlier plans of
/// `hall` with `cache` computed is reused — the whole preparation for the same policy
/// (another window budget), each pool's capacity curve for the same profile and targets
/// (another locked window). The same plan, byte for byte, as [`plan`].
pub fn plan_with(hall: &Hall, config: &PlanConfig, cache: &optimise::HallCache) -> Result<PlanRun> {
    let prep = prepare_with(hall, config, cache)?;
    solve(&prep, hall, config)
}

/// Everything that does not depend on the objective (`frontier` prepares once).
pub fn prepare(hall: &Hall, config: &PlanConfig) -> Result<Prepared> {
    start(hall, config)?;
    make(hall, config, &optimise::HallCache::new())
}

/// [`prepare`], kept in `cache` by the policy and solver it was made for.
pub fn prepare_with(
    hall: &Hall,
    config: &PlanConfig,
    cache: &optimise::HallCache,
) -> Result<std::sync::Arc<Prepared>> {
    start(hall, config)?;
    // Debug output is every field, and exact for f64 (shortest round trip).
    let key = format!("{:?}|{}", config.policy, config.solver.as_str());
    cache.prepared(key, || make(hall, config, cache))
}

/// What every plan checks first.
fn start(hall: &Hall, config: &PlanConfig) -> Result<()> {
    milp::set_run_options(config.run);
    crate::targets::check_departments(&config.policy, hall, config.scenario.as_deref())
}

fn make(hall: &Hall, config: &PlanConfig, cache: &optimise::HallCache) -> Result<Prepared> {
    let started = std::time::Instant::now();
    let mut prep = optimise::prepare_with(hall, &config.policy, cache)?;
    milp::timing(
        "prepare (model, backtest, calibration, capacities)",
        started,
    );
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
///
/// The answer is optimal only under the check it reports (model.md §4). The MILP proves
/// the fewest windows *under the model*; when the replay then raises pools, the planner
/// does not call the raised count "fewest": it descends over window budgets — the
/// least-waiting plan within one window fewer, checked by the same replay — until a
/// budget fails, and reports the last budget that passed. `--max-windows K` runs that
/// very procedure for K, so `--max-windows N−1` (N the reported fewest) exits 3, and no
/// budget ever returns more windows than it allows.
pub fn solve(prep: &Prepared, hall: &Hall, config: &PlanConfig) -> Result<PlanRun> {
    let policy = &config.policy;
    let objective = config.objective;
    let attempt = optimise::attempt(prep, hall, policy, objective)?;
    if policy.calibration != Calibration::Simulation || hall.tickets.is_empty() {
        // The formula alone checks the plan; its exact-mix check may still add windows.
        let mut run = replay_checked(prep, hall, policy, objective, attempt)?;
        if policy.calibration == Calibration::Simulation {
            run.notes.push("no ticket log to replay: the plan is checked by the formula alone (calibration \"simulation\" needs tickets)".into());
        }
        return Ok(run);
    }
    match objective {
        Objective::LeastWaiting { max_windows } => {
            match within_budget(prep, hall, policy, max_windows, Some(attempt)) {
                Err(Error::Infeasible(why)) => {
                    // The fewest-window procedure reaches its plan by another route (its
                    // own budgets from above); a plan it finds within the budget is one
                    // the budget allows, so `--max-windows N` for the reported fewest N
                    // always has a plan.
                    let fewest = optimise::attempt(prep, hall, policy, Objective::FewestWindows)
                        .and_then(|first| fewest_plan(prep, hall, policy, first));
                    match fewest {
                        Ok(mut run) if run.plan.windows_after <= max_windows => {
                            run.notes.push(format!("the least-waiting plan within {max_windows} windows misses a target under the plan's checks ({why}); this is the fewest-window plan, {} windows, which is within the budget", run.plan.windows_after));
                            Ok(run)
                        }
                        _ => Err(Error::Infeasible(why)),
                    }
                }
                other => other,
            }
        }
        Objective::FewestWindows => fewest_plan(prep, hall, policy, attempt),
    }
}

/// The least-waiting plan within `max_windows` under the plan's checks, or why there is
/// none (exit 3): the MILP within the budget, replay-checked, and refused when the checks
/// raise it above the budget or leave staff that do not add up. `--max-windows K` and
/// every budget of the fewest-window descent run this same procedure.
fn within_budget(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    max_windows: u32,
    attempt: Option<optimise::Attempt>,
) -> Result<PlanRun> {
    let budget = Objective::LeastWaiting { max_windows };
    let attempt = match attempt {
        Some(a) => a,
        None => optimise::attempt(prep, hall, policy, budget)?,
    };
    let run = replay_checked(prep, hall, policy, budget, attempt)?;
    within(run, max_windows)
}

/// The fewest-window plan under the plan's checks: the model's fewest, replay-checked,
/// then the descent over budgets.
fn fewest_plan(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    attempt: optimise::Attempt,
) -> Result<PlanRun> {
    let model = (attempt.run.milp_windows, attempt.run.milp_windows_proven);
    let first = replay_checked(prep, hall, policy, Objective::FewestWindows, attempt)?;
    descend(prep, hall, policy, first, model)
}

/// A budget is honoured or refused: a plan that the replay raised above `max_windows`
/// is infeasible (exit 3), with the pools that needed more.
fn within(run: PlanRun, max_windows: u32) -> Result<PlanRun> {
    let used = run.plan.windows_after;
    if used <= max_windows {
        return Ok(run);
    }
    let raised: Vec<String> = run
        .plan
        .pools
        .iter()
        .zip(run.milp_pool_windows.iter())
        .filter(|(p, &milp)| p.windows_after > milp)
        .map(|(p, &milp)| format!("{} {milp} → {}", p.name, p.windows_after))
        .collect();
    Err(Error::Infeasible(format!(
        "no plan with at most {max_windows} windows keeps every target under the plan's checks: the least-waiting plan of the model within {max_windows} windows ({} windows) misses targets under the exact hourly mix or when the hall's tickets are replayed through it, and its pools need {used} windows ({}); raise --max-windows, or set max_mean_wait_min higher",
        run.milp_windows,
        raised.join(", ")
    )))
}

/// From the replay-checked fewest-window plan, try one window fewer at a time (the
/// least-waiting plan within the budget, replay-checked: [`within_budget`], the very
/// procedure of `--max-windows`) while that passes; see [`solve`]. Below the model's
/// fewest (`model`: its window count and whether proven) the MILP itself is infeasible.
fn descend(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    first: PlanRun,
    model: (u32, bool),
) -> Result<PlanRun> {
    let (model_fewest, model_proven) = model;
    let raised = first.plan.windows_after;
    let how = if first.staff_feedback {
        "the exact-mix check and the trace replay raised that plan, and the MILP solved again so that its staff add up, to"
    } else {
        "the exact-mix check and the trace replay raised that plan to"
    };
    let mut best = first;
    let mut failed_at = None;
    while best.plan.windows_after > model_fewest {
        let k = best.plan.windows_after - 1;
        match within_budget(prep, hall, policy, k, None) {
            Ok(run) => best = relabel_fewest(run),
            Err(Error::Infeasible(_)) => {
                failed_at = Some(k);
                break;
            }
            Err(e) => return Err(e),
        }
    }
    let n = best.plan.windows_after;
    let proven = if model_proven {
        "proven"
    } else {
        "not proven — the solver stopped at its work limit, or the plan was too far above the bound to search"
    };
    best.notes.push(if raised == model_fewest {
        format!("fewest windows: {n}, {proven} under the model (the MILP's bound), and the trace replay confirms every pool's target")
    } else {
        let below = match failed_at {
            Some(k) => format!("with {k} windows the least-waiting plan misses a target under the replay even after raising its pools (or its staff do not add up), so `--max-windows {k}` is infeasible"),
            None => format!("below {n} windows the model itself has no plan"),
        };
        format!("fewest windows: {n}. The model's fewest ({proven}) is {model_fewest}; {how} {raised}; budgets were then lowered one window at a time while the replay still passed: {below}. So {n} is the fewest windows this procedure finds under its replay check — not a proof that no plan with fewer windows passes the replay")
    });
    Ok(best)
}

/// A plan found within a budget but reported as the fewest-window plan.
fn relabel_fewest(mut run: PlanRun) -> PlanRun {
    run.plan.objective = "fewest windows, then least waiting".into();
    run
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
    /// People the plan's helpers and back office need beyond the staff these windows
    /// release (0 when they fit, or hiring is allowed): each window kept above the
    /// recommended plan is a person fewer for the same channels' helpers and back office.
    pub staff_short: u32,
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
                .find(|&c| c == m.channel)
                .unwrap_or(md.today)
        })
        .collect();
    let flows = evaluate::flows(&prep.model, &channels, &config.policy);
    let choice: Vec<usize> = channels
        .iter()
        .zip(&prep.model.matters)
        .map(|(c, md)| md.channels.iter().position(|x| x == c).unwrap_or(0))
        .collect();
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
            staff_short: milp::staff_after(&prep.input, &windows, &choice).short,
        });
    }
    Ok(Frontier { best, points })
}
