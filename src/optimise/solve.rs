//! One solve of the MILP for a prepared hall: the plan it gives, re-checked pool by pool
//! with the exact hourly mix, turned into windows, staff and channels — and, when the
//! planner's replay finds pools short, the same plan with the windows the replay needs.

use super::assign;
use super::milp::{self, MilpInput, PoolSpec};
use super::prepare::{util_cap, Prepared};
use crate::error::{Error, Result};
use crate::hall::Hall;
use crate::model::evaluate::{self, eval_pool, Flows, PoolEval};
use crate::model::{Channel, HallModel, Policy};
use crate::plan::{Objective, Plan, SimNeed};

/// What a plan run produced besides the plan: the model, solver figures, notes.
#[derive(Debug, Clone)]
pub struct PlanRun {
    pub plan: Plan,
    pub model: HallModel,
    pub solve_ms: f64,
    pub variables: usize,
    pub constraints: usize,
    pub notes: Vec<String>,
    pub milp: MilpInput,
    /// Windows of the MILP's solution, before the exact-mix and replay checks add any.
    pub milp_windows: u32,
    /// The same per pool.
    pub milp_pool_windows: Vec<u32>,
    /// Whether the solver proved the MILP's window count (not stopped by its time limit).
    pub milp_windows_proven: bool,
    /// Whether the plan's helpers and back-office staff fit in the staff its cut windows
    /// release (or hiring is allowed). The MILP's plan always fits; windows the exact-mix
    /// or replay checks add keep staff, and may leave too few released.
    pub staff_fits: bool,
    /// Whether the MILP solved again with the planner's feedback (floors and a staff
    /// reserve) to get this plan (`planner`).
    pub staff_feedback: bool,
}

/// Cheap checks that explain an infeasible plan in words.
fn explain_infeasible(
    model: &HallModel,
    specs: &[PoolSpec],
    flows_forced: &Flows,
    cap: Option<u32>,
    today: u32,
    allow_growth: bool,
) -> String {
    let mut lines = Vec::new();
    let mut need_total = 0u32;
    for (p, spec) in specs.iter().enumerate() {
        let f = &flows_forced.pools[p];
        let mut need = spec.min_windows;
        let day: f64 = f.load.iter().sum();
        let peak_hour = (0..f.load.len())
            .max_by(|&a, &b| f.load[a].total_cmp(&f.load[b]))
            .unwrap_or(0);
        match (0..spec.peak_capacity.len()).find(|&c| spec.peak_capacity[c] >= day) {
            None => lines.push(format!("{} cannot keep its targets with up to {} windows: its {:02}:00 peak load is {:.1} Erlangs", model.pools[p].name, spec.max_windows, model.hours.get(peak_hour).copied().unwrap_or(0), f.load.get(peak_hour).copied().unwrap_or(0.0))),
            Some(c) if c as u32 > need => need = c as u32,
            Some(_) => {}
        }
        need_total += need;
    }
    // The total cap that binds (as the MILP's window cap: --max-windows, and today's
    // windows unless the policy allows growth), and what lifts it. With growth allowed and
    // no --max-windows there is none, and the line would blame a cap that is not there.
    let growth = (!allow_growth).then_some(today);
    let binding = match (cap, growth) {
        (Some(k), Some(t)) if t < k => {
            Some((t, "set allow_growth = true or max_mean_wait_min higher"))
        }
        (Some(k), _) => Some((k, "raise --max-windows or set max_mean_wait_min higher")),
        (None, Some(t)) => Some((t, "set allow_growth = true or max_mean_wait_min higher")),
        (None, None) => None,
    };
    if let Some((cap, remedy)) = binding.filter(|&(cap, _)| need_total > cap) {
        lines.push(format!("the matters that can only be served at their own department's counter already need {need_total} windows at their peak hours; with the window cap of {cap} no plan keeps every target ({remedy})"));
    }
    if lines.is_empty() {
        lines.push("the staff constraints cannot be met: helpers ≥ helper_share × released staff and back-office staff for the back-office work exceed the staff released (set allow_hiring = true or lower helper_share)".into());
    }
    format!("no plan meets the policy: {}", lines.join("; "))
}

/// Prepares and solves on the calibrated formula alone, without the planner's replay
/// check (the planner's `plan` adds it).
pub fn formula_plan(hall: &Hall, policy: &Policy, objective: Objective) -> Result<PlanRun> {
    let prep = super::prepare::prepare(hall, policy)?;
    solve(&prep, hall, policy, objective)
}

/// Adds `extra` windows one at a time where they cut the most waiting person-minutes
/// per day (calibrated formula). Waiting is convex and decreasing in the windows of a
/// pool, so for fixed channels this greedy allocation is optimal.
pub fn spend_windows(prep: &Prepared, flows: &Flows, windows: &mut [u32], extra: u32) {
    let waiting = |p: usize, n: u32| -> f64 {
        let f = &flows.pools[p];
        let e = eval_pool(f, n, prep.k[p]);
        e.mean_wait
            .map_or(f64::INFINITY, |w| w * f.arrivals_per_day())
    };
    for _ in 0..extra {
        let best = (0..windows.len())
            .filter(|&p| flows.pools[p].arrivals_per_day() > 0.0)
            .map(|p| (p, waiting(p, windows[p]) - waiting(p, windows[p] + 1)))
            .filter(|(_, gain)| *gain > 1e-9)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((p, _)) => windows[p] += 1,
            None => break,
        }
    }
}

/// Waiting person-minutes per day and the arrival-weighted mean wait of a configuration.
pub fn waiting_of(prep: &Prepared, flows: &Flows, windows: &[u32]) -> (f64, Option<f64>) {
    let mut total = 0.0;
    let mut arrivals = 0.0;
    let mut stable = true;
    for (p, &n) in windows.iter().enumerate() {
        let f = &flows.pools[p];
        match eval_pool(f, n, prep.k[p]).mean_wait {
            Some(w) => total += w * f.arrivals_per_day(),
            None => stable = false,
        }
        arrivals += f.arrivals_per_day();
    }
    (total, (stable && arrivals > 0.0).then(|| total / arrivals))
}

/// Time limit of one solve (each stage shares it).
const SOLVE_SECONDS: f64 = 30.0;

/// The MILP sees each joint and fallback pool with the hourly profile of its widest mix;
/// the exact mix may peak differently. Re-check every pool with the exact hourly flows
/// and add windows where a target would be missed, saying so.
fn repair(
    prep: &Prepared,
    flows: &Flows,
    windows: &mut [u32],
    policy: &Policy,
    notes: &mut Vec<String>,
) {
    for (p, n) in windows.iter_mut().enumerate() {
        let f = &flows.pools[p];
        if f.arrivals_per_day() <= 0.0 {
            continue;
        }
        let today = prep.model.pools[p].windows_today.len() as u32;
        let today_flow = &prep.before_flows.pools[p];
        let ucap = util_cap(policy, today, today_flow);
        let carries_today = |n: u32| {
            !prep.targets.stated[p]
                && today > 0
                && n >= today
                && f.load.iter().sum::<f64>() <= today_flow.load.iter().sum::<f64>() * (1.0 + 1e-9)
        };
        let ok = |n: u32| {
            let e = eval_pool(f, n, prep.k[p]);
            carries_today(n)
                || (e
                    .mean_wait
                    .is_some_and(|w| w <= prep.targets.mean[p] + 1e-6)
                    && e.worst_hour_wait
                        .is_some_and(|w| w <= prep.targets.peak[p] + 1e-6)
                    && e.peak_utilisation <= ucap
                    && prep.targets.percentile.is_none_or(|q| {
                        f.share_over(q.within_min / prep.k[p], |_| n)
                            .is_none_or(|over| over <= 1.0 - q.share + 1e-9)
                    }))
        };
        let start = *n;
        while !ok(*n) && *n < start + 200 {
            *n += 1;
        }
        if *n > start {
            notes.push(format!(
                "{}: {} → {} windows after checking the exact hourly mix against its targets",
                prep.model.pools[p].name, start, n
            ));
        }
    }
}

/// A solve and the plan made of it, kept so that `adjust` can raise pools the replay
/// finds short without solving again.
pub struct Attempt {
    pub run: PlanRun,
    solved: Solved,
    input: MilpInput,
    started: std::time::Instant,
}

/// Solves once (with the exact-mix repair) and builds the plan.
pub fn attempt(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
) -> Result<Attempt> {
    attempt_with(prep, hall, policy, objective, &Feedback::default())
}

/// What the planner's checks of earlier plans tell the MILP (see `planner`): windows the
/// replay found pools need, and staff to keep back for windows the checks add.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Feedback {
    /// At least this many windows per pool (none where shorter).
    pub floors: Vec<u32>,
    /// Staff the helpers and back office leave unused ([`MilpInput::staff_reserve`]).
    pub reserve: u32,
}

impl Feedback {
    pub fn is_empty(&self) -> bool {
        self.reserve == 0 && self.floors.iter().all(|&f| f == 0)
    }
}

/// [`attempt`] with the checks' feedback: floors on pools' windows and a staff reserve.
pub fn attempt_with(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
    feedback: &Feedback,
) -> Result<Attempt> {
    let mut input = prep.input_for(objective);
    for (pool, &floor) in input.pools.iter_mut().zip(&feedback.floors) {
        // A pool's windows cannot exceed its cap C_p (its capacity curve ends there).
        pool.min_windows = pool.min_windows.max(floor.min(pool.max_windows));
    }
    input.staff_reserve = f64::from(feedback.reserve);
    input.prove_fewest = feedback.is_empty();
    let started = std::time::Instant::now();
    let solved = solve_input(prep, &input, policy, objective)?;
    milp::timing(
        &format!("MILP and exact-mix repair ({objective:?})"),
        started,
    );
    let built = std::time::Instant::now();
    let run = finish(
        prep,
        hall,
        policy,
        objective,
        solved.clone(),
        started,
        &input,
    );
    milp::timing("plan tables", built);
    Ok(Attempt {
        run,
        solved,
        input,
        started,
    })
}

/// The plan of one solve, unchecked by the replay.
pub fn solve(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
) -> Result<PlanRun> {
    attempt(prep, hall, policy, objective).map(|a| a.run)
}

/// The attempt's plan with each pool the replay found short (`needs`) given the fewest
/// windows whose replay meets its target. For the channels the MILP chose this is the
/// fewest windows per pool by the replay's measure (pools are independent once the
/// channels are fixed). Re-solving the MILP with capacities cut where the replay fails
/// (Atlason, Epelman & Henderson's simulation and cutting planes, 2004) was tried: it
/// could move channels too, but made microlp's branch and bound take 8–15 s per round
/// instead of 0.5 s.
fn adjust(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
    attempt: Attempt,
    needs: &[SimNeed],
) -> PlanRun {
    let Attempt {
        run,
        mut solved,
        input,
        started,
    } = attempt;
    raise(&mut solved, &run.plan, needs, objective);
    finish(prep, hall, policy, objective, solved, started, &input)
}

/// `adjust` with the replay as `replay` (the pools a plan leaves short; none when it
/// returns none): the attempt's plan with every pool the replay finds short raised.
pub fn checked(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
    attempt: Attempt,
    replay: &dyn Fn(&Plan) -> Result<Vec<SimNeed>>,
) -> Result<PlanRun> {
    let needs = replay(&attempt.run.plan)?;
    if needs.is_empty() {
        return Ok(attempt.run);
    }
    Ok(adjust(prep, hall, policy, objective, attempt, &needs))
}

/// Raises each pool the replay found short (`needs`) to the fewest windows whose replay
/// meets its target, with a note per pool.
fn raise(solved: &mut Solved, plan: &Plan, needs: &[SimNeed], objective: Objective) {
    let mut notes = Vec::new();
    for need in needs {
        let name = &plan.pools[need.pool].name;
        let share = need
            .share_within
            .map(|(s, q)| {
                format!(
                    " and serves {:.1} % within {} min against its {q}",
                    100.0 * s,
                    crate::report::fmt_num(q.within_min, 1)
                )
            })
            .unwrap_or_default();
        let head = format!(
            "{name}: the trace replay of the plan gives {:.1} min with {} against its {:.1} min target{share}",
            need.simulated_min,
            windows_text(need.windows),
            need.target_min
        );
        notes.push(match need.needed {
            Some(c) => {
                solved.sol.windows[need.pool] = solved.sol.windows[need.pool].max(c);
                format!("{head}: {} → {c} windows", need.windows)
            }
            None => format!("{head}, and no window count within reach meets it"),
        });
    }
    if let Objective::LeastWaiting { max_windows } = objective {
        let total: u32 = solved.sol.windows.iter().sum();
        if total > max_windows {
            notes.push(format!("the plan needs {total} windows, {} more than --max-windows {max_windows}: the trace replay of the pools above misses their targets with fewer", total - max_windows));
        }
    }
    solved.notes.extend(notes);
}

fn windows_text(n: u32) -> String {
    match n {
        1 => "1 window".into(),
        n => format!("{n} windows"),
    }
}

/// One solve of the MILP with the exact-mix repair: everything but the plan tables.
#[derive(Clone)]
struct Solved {
    sol: milp::MilpSolution,
    channels: Vec<Channel>,
    after_flows: Flows,
    notes: Vec<String>,
    milp_windows: u32,
    milp_pool_windows: Vec<u32>,
    milp_windows_proven: bool,
}

fn solve_input(
    prep: &Prepared,
    input: &MilpInput,
    policy: &Policy,
    objective: Objective,
) -> Result<Solved> {
    let model = &prep.model;
    let today = model.windows_today();
    let solved = match objective {
        Objective::FewestWindows => milp::solve_with_time_limit(input, SOLVE_SECONDS),
        Objective::LeastWaiting { max_windows } => {
            match milp::solve_with_time_limit(input, SOLVE_SECONDS / 3.0) {
                Ok(s) => Ok(s),
                Err(milp::MilpError::Infeasible) => Err(milp::MilpError::Infeasible),
                // microlp could not finish: the fewest-window plan, then the extra windows
                // where they cut the most waiting (exact for the channels it chose).
                Err(_) => {
                    let mut fewest = input.clone();
                    fewest.objective = Objective::FewestWindows;
                    milp::solve_with_time_limit(&fewest, SOLVE_SECONDS).map(|(mut s, _)| {
                        let channels: Vec<Channel> = s
                            .choice
                            .iter()
                            .enumerate()
                            .map(|(m, &o)| model.matters[m].channels[o])
                            .collect();
                        let flows = evaluate::flows(model, &channels, policy);
                        let extra = max_windows.saturating_sub(s.windows.iter().sum());
                        spend_windows(prep, &flows, &mut s.windows, extra);
                        (s, milp::Optimality::WindowsOnly)
                    })
                }
            }
        }
    };
    let (mut sol, optimality) = match solved {
        Ok(s) => s,
        Err(milp::MilpError::Infeasible) => {
            let forced: Vec<Channel> = model
                .matters
                .iter()
                .map(|m| {
                    if m.channels.len() == 1 {
                        m.channels[0]
                    } else {
                        Channel::Online
                    }
                })
                .collect();
            let ff = evaluate::flows(model, &forced, policy);
            let cap = match objective {
                Objective::LeastWaiting { max_windows } => Some(max_windows),
                Objective::FewestWindows => None,
            };
            return Err(Error::Infeasible(explain_infeasible(
                model,
                &input.pools,
                &ff,
                cap,
                today,
                input.allow_growth,
            )));
        }
        Err(e) => return Err(Error::Solver(format!("the solver failed: {e}"))),
    };
    let channels: Vec<Channel> = sol
        .choice
        .iter()
        .enumerate()
        .map(|(m, &o)| model.matters[m].channels[o])
        .collect();
    let after_flows = evaluate::flows(model, &channels, policy);
    let milp_windows = sol.windows.iter().sum();
    let milp_pool_windows = sol.windows.clone();
    let milp_windows_proven = !matches!(optimality, milp::Optimality::TimeLimit { .. });
    let mut notes = Vec::new();
    match optimality {
        milp::Optimality::TimeLimit { fewest_at_least } => {
            // What the search did prove: no plan of the model has fewer windows than the
            // relaxation's bound (with its cover cuts), rounded up.
            let bound = match fewest_at_least {
                Some(k) if k < milp_windows => format!("; no plan of the model has fewer than {k} windows (the bound of its relaxation with cover cuts), so the fewest is between {k} and {milp_windows}"),
                _ => String::new(),
            };
            notes.push(format!("the solver stopped at its limit ({SOLVE_SECONDS:.0} s; for microlp's fewest-windows stage, a fixed number of branch-and-bound nodes, none when the heuristics' plan is three or more windows above the bound): the plan is feasible but its window count is not proven the fewest{bound}"))
        }
        milp::Optimality::WindowsOnly => notes.push(match objective {
            Objective::FewestWindows => format!("the fewest windows are proven optimal; among plans with that many windows the least waiting is the least found ({}: a local search over channels with each pool's windows where they cut the most waiting), not proven least (`--solver highs` proves it)", input.solver.as_str()),
            Objective::LeastWaiting { .. } => format!("the least waiting within --max-windows is the least found ({}: a local search over channels from the fewest-window plan, with each pool's windows where they cut the most waiting), not proven least (`--solver highs` proves it)", input.solver.as_str()),
        }),
        milp::Optimality::Proven => {}
    }
    let repaired = std::time::Instant::now();
    repair(prep, &after_flows, &mut sol.windows, policy, &mut notes);
    milp::timing("exact-mix repair", repaired);
    if let Objective::LeastWaiting { max_windows } = objective {
        let total: u32 = sol.windows.iter().sum();
        if total > max_windows {
            notes.push(format!("the plan needs {total} windows, {} more than --max-windows {max_windows}: the exact hourly mix of the pools above misses its targets with fewer", total - max_windows));
        }
    }
    Ok(Solved {
        sol,
        channels,
        after_flows,
        notes,
        milp_windows,
        milp_pool_windows,
        milp_windows_proven,
    })
}

fn finish(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
    solved: Solved,
    started: std::time::Instant,
    input: &MilpInput,
) -> PlanRun {
    let model = &prep.model;
    let Solved {
        sol,
        channels,
        after_flows,
        notes: solve_notes,
        milp_windows,
        milp_pool_windows,
        milp_windows_proven,
    } = solved;
    let mut notes = prep.notes.clone();
    notes.extend(solve_notes);
    // The MILP's helpers and back office are the fewest its own window count needs; the
    // checks may have added windows since, which release fewer staff and need fewer
    // helpers (helper_share × released).
    let staff = milp::staff_after(input, &sol.windows, &sol.choice);
    // The MILP's own waiting where nothing changed; the plan's windows when the checks
    // raised pools.
    let waiting = if sol.windows == milp_pool_windows {
        sol.waiting_person_min_per_day
    } else {
        milp::waiting_after(input, &sol.windows, &sol.choice)
    };
    let after: Vec<PoolEval> = (0..model.pools.len())
        .map(|p| eval_pool(&after_flows.pools[p], sol.windows[p], prep.k[p]))
        .collect();
    let mut plan = assign::build_plan(assign::Parts {
        hall,
        model,
        policy,
        objective,
        channels: &channels,
        windows: &sol.windows,
        helpers: staff.helpers,
        backoffice: staff.backoffice,
        before: &prep.before,
        before_raw: &prep.before_raw,
        after: &after,
        after_flows: &after_flows,
        before_flows: &prep.before_flows,
        observed: &prep.observed,
        k: &prep.k,
        targets: (&prep.targets.mean, &prep.targets.peak),
        waiting,
    });
    crate::targets::model_checks(
        &mut plan,
        model,
        policy,
        &channels,
        &after_flows,
        &sol.windows,
        &prep.k,
    );
    PlanRun {
        plan,
        model: model.clone(),
        solve_ms: started.elapsed().as_secs_f64() * 1000.0,
        variables: sol.variables,
        constraints: sol.constraints,
        notes,
        milp: input.clone(),
        milp_windows,
        milp_pool_windows,
        milp_windows_proven,
        staff_fits: staff.fits(),
        staff_feedback: false,
    }
}
