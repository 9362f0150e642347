//! From a loaded hall and a policy to a [`Plan`]: backtest and calibrate today's hall,
//! set targets, build and solve the MILP, evaluate the result, assign windows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::milp::{self, ChannelOption, MatterSpec, MilpInput, OptionLoad, PoolSpec};
use crate::error::{Error, Result};
use crate::hall::{Hall, Status, NONE};
use crate::model::evaluate::{self, eval_pool, Flow, Flows, PoolEval};
use crate::model::{Calibration, Channel, HallModel, Policy, PoolKind};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    FewestWindows,
    LeastWaiting { max_windows: u32 },
}

/// One pool before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPool {
    pub name: String,
    pub kind: String,
    pub windows_before: u32,
    pub windows_after: u32,
    pub calibration: f64,
    pub target_mean_min: f64,
    pub target_peak_min: f64,
    pub observed_mean_min: Option<f64>,
    /// Today's mean wait by the formula alone (no calibration): the backtest.
    pub formula_mean_min: Option<f64>,
    pub before_mean_min: Option<f64>,
    pub before_p90_min: Option<f64>,
    pub after_mean_min: Option<f64>,
    pub after_p90_min: Option<f64>,
    pub after_arrivals_per_day: f64,
    pub after_peak_load: f64,
    pub before_arrivals_per_day: f64,
    /// Arrivals and load per slot after the plan, for the hourly chart and the simulation.
    pub after_lambda: Vec<f64>,
    pub after_load: Vec<f64>,
    pub after_handle_min: f64,
    pub after_cs2: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanWindow {
    pub window_id: String,
    pub department: String,
    pub staff: u32,
    /// keep, joint:<group>, fallback, cut
    pub action: String,
    /// online, merged, back-office, surplus (for cut windows); empty otherwise.
    pub reason: String,
    /// The pool the window serves after the plan (empty when cut).
    pub pool: String,
    /// window, helper, back office, released
    pub staff_destination: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanMatter {
    pub matter_id: String,
    pub name: String,
    pub department: String,
    pub weekly_volume: f64,
    pub channel: String,
    pub pool: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDepartment {
    pub department: String,
    pub windows_before: u32,
    pub windows_after: u32,
    pub observed_mean_min: Option<f64>,
    pub before_mean_min: Option<f64>,
    pub after_mean_min: Option<f64>,
    pub target_mean_min: f64,
    pub tickets_per_day_before: f64,
    pub arrivals_per_day_after: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffPlan {
    pub today: u32,
    pub at_windows: u32,
    pub helpers: u32,
    pub backoffice: u32,
    pub released: u32,
}

/// A complete, re-loadable plan (`plan.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    pub policy: Policy,
    pub objective: String,
    pub hours: Vec<u32>,
    pub open_days_per_week: f64,
    pub windows_before: u32,
    pub windows_after: u32,
    pub waiting_person_min_per_day: f64,
    pub pools: Vec<PlanPool>,
    pub departments: Vec<PlanDepartment>,
    pub windows: Vec<PlanWindow>,
    pub matters: Vec<PlanMatter>,
    pub staff: StaffPlan,
    pub summary: Vec<String>,
}

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
}

/// Observed mean wait (served tickets) per pool today: tickets served at the pool's windows.
fn observed_by_pool(hall: &Hall, model: &HallModel) -> Vec<Option<f64>> {
    let t = &hall.tickets;
    let mut pool_of_window: BTreeMap<&str, usize> = BTreeMap::new();
    for (p, pool) in model.pools.iter().enumerate() {
        for &w in &pool.windows_today {
            pool_of_window.insert(hall.windows[w].id.as_str(), p);
        }
    }
    let by_index: Vec<Option<usize>> = t
        .windows
        .names()
        .iter()
        .map(|n| pool_of_window.get(n.as_str()).copied())
        .collect();
    let mut acc = vec![(0.0, 0u64); model.pools.len()];
    for i in 0..t.len() {
        if t.status[i] != Status::Served || t.window[i] == NONE {
            continue;
        }
        if let (Some(p), Some(w)) = (by_index[t.window[i] as usize], t.wait_min(i)) {
            acc[p].0 += w;
            acc[p].1 += 1;
        }
    }
    acc.iter()
        .map(|(s, n)| (*n >= 20).then(|| s / *n as f64))
        .collect()
}

/// Mean staffed windows per pool and planning slot over the open days of the log (a
/// window is staffed in an hour when it serves someone in it); None without tickets.
/// Today's staffing per pool: for each distinct pattern of whole windows on duty per
/// slot, the number of open days that had it (MODEL.md §3b: "an average of 1.45 staffed
/// windows is evaluated as the day's real mix of 1 and 2"). A day on which a pool had no
/// window on duty at all is a day it was closed (it served nobody), not a day of infinite
/// waits, and is left out of that pool's patterns.
fn staffed_by_pool(hall: &Hall, model: &HallModel) -> Option<Vec<Vec<(f64, Vec<u32>)>>> {
    let t = &hall.tickets;
    if t.is_empty() {
        return None;
    }
    let mut pool_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (p, pool) in model.pools.iter().enumerate() {
        for &w in &pool.windows_today {
            pool_of.insert(hall.windows[w].id.as_str(), p);
        }
    }
    let by_index: Vec<Option<usize>> = t
        .windows
        .names()
        .iter()
        .map(|n| pool_of.get(n.as_str()).copied())
        .collect();
    let staffed = crate::ingest::derive::staffed_windows(t);
    let days: std::collections::BTreeSet<i64> = staffed.keys().map(|(d, _)| *d).collect();
    let slots = model.slots();
    let mut per_day: BTreeMap<i64, Vec<Vec<u32>>> = days
        .iter()
        .map(|&d| (d, vec![vec![0u32; slots]; model.pools.len()]))
        .collect();
    for ((day, hour), ws) in &staffed {
        let day_counts = per_day.get_mut(day).expect("every staffed day is listed");
        for (h, _) in model.hours.iter().enumerate().filter(|(_, x)| *x == hour) {
            for &w in ws {
                if let Some(p) = by_index[w as usize] {
                    day_counts[p][h] += 1;
                }
            }
        }
    }
    let mut out: Vec<BTreeMap<Vec<u32>, f64>> = vec![BTreeMap::new(); model.pools.len()];
    for counts in per_day.into_values() {
        for (p, pattern) in counts.into_iter().enumerate() {
            if pattern.iter().any(|&c| c > 0) {
                *out[p].entry(pattern).or_default() += 1.0;
            }
        }
    }
    Some(
        out.into_iter()
            .map(|m| m.into_iter().map(|(pattern, n)| (n, pattern)).collect())
            .collect(),
    )
}

/// Calibration factor per pool (MODEL.md §6): observed / predicted today, clamped; pools
/// that do not exist today take the load-weighted factor of the departments feeding them.
fn calibrate(
    model: &HallModel,
    policy: &Policy,
    observed: &[Option<f64>],
    before: &[PoolEval],
    flows_max: &[Flow],
    notes: &mut Vec<String>,
) -> Vec<f64> {
    let clamp = policy.calibration_clamp;
    let mut k = vec![1.0; model.pools.len()];
    if policy.calibration == Calibration::None {
        return k;
    }
    let mut known = vec![false; model.pools.len()];
    for p in 0..model.pools.len() {
        if let (Some(o), Some(pred)) = (observed[p], before[p].mean_wait) {
            if pred > 0.05 && o > 0.0 {
                let raw = o / pred;
                k[p] = raw.clamp(1.0 / clamp, clamp);
                known[p] = true;
                if (raw - k[p]).abs() > 1e-9 {
                    notes.push(format!(
                        "calibration of {} clamped from {:.2} to {:.2}",
                        model.pools[p].name, raw, k[p]
                    ));
                }
            }
        }
    }
    // Load-weighted factor of known department pools, for pools without a history.
    let mut num = 0.0;
    let mut den = 0.0;
    for p in 0..model.pools.len() {
        if known[p] {
            let w = flows_max[p].load.iter().sum::<f64>().max(1e-9);
            num += k[p].ln() * w;
            den += w;
        }
    }
    let hall_k = if den > 0.0 { (num / den).exp() } else { 1.0 };
    for p in 0..model.pools.len() {
        if !known[p] {
            k[p] = hall_k;
        }
    }
    k
}

/// Flows if every matter took every channel it may: the widest mix each pool can see.
fn max_flows(model: &HallModel, policy: &Policy) -> Vec<Flow> {
    let mut out: Vec<Flow> = vec![Flow::new(&model.shape); model.pools.len()];
    for m in 0..model.matters.len() {
        for &ch in &model.matters[m].channels {
            for (p, lambda, s, cs2) in evaluate::routes(model, m, ch, policy) {
                for (h, l) in lambda.iter().enumerate() {
                    out[p].lambda[h] += l;
                    out[p].load[h] += l * s / 60.0;
                    out[p].second[h] += l * s * s * (1.0 + cs2);
                }
            }
        }
    }
    out
}

struct Targets {
    mean: Vec<f64>,
    peak: Vec<f64>,
}

/// MODEL.md §4 defaults: today's predicted (calibrated) wait, raised to the floor, capped
/// by max_mean_wait_min; joint and fallback pools take the smallest target of the
/// departments that may feed them; peak = max(peak_factor × mean, today's worst hour).
fn targets(model: &HallModel, policy: &Policy, before: &[PoolEval], k: &[f64]) -> Targets {
    let n = model.pools.len();
    let mut mean = vec![f64::INFINITY; n];
    let mut peak = vec![0.0f64; n];
    for p in 0..n {
        if let PoolKind::Department(_) = model.pools[p].kind {
            let today = before[p].mean_wait.map_or(policy.wait_floor_min, |w| w);
            mean[p] = today.max(policy.wait_floor_min);
            peak[p] = before[p].worst_hour_wait.unwrap_or(0.0);
        }
    }
    // Feeding departments of joint and fallback pools.
    for m in &model.matters {
        for &ch in &m.channels {
            if let Some(p) = model.pool_of(m, ch) {
                if !matches!(model.pools[p].kind, PoolKind::Department(_)) {
                    let d = model.dept_pool[m.department];
                    mean[p] = mean[p].min(mean[d]);
                }
            }
        }
    }
    for p in 0..n {
        if !mean[p].is_finite() {
            mean[p] = policy.wait_floor_min.max(0.5);
        }
        if let Some(cap) = policy.max_mean_wait_min {
            mean[p] = mean[p].min(cap);
        }
        peak[p] = (policy.peak_factor * mean[p]).max(peak[p]);
        let _ = k;
    }
    Targets { mean, peak }
}

/// The share of a pool's day load in each slot (from the widest mix it may see).
fn profile(flow: &Flow) -> Vec<f64> {
    let total: f64 = flow.load.iter().sum();
    if total <= 0.0 {
        return vec![1.0 / flow.load.len().max(1) as f64; flow.load.len()];
    }
    flow.load.iter().map(|l| l / total).collect()
}

/// A peak slot at or above this utilisation is named in the notes: its queue builds
/// within the session and drains after the peak.
const OVERLOADED: f64 = 0.95;

/// The largest day load (Erlang-hours) a pool with c windows carries while every slot
/// stays within the peak target and the day's arrival-weighted mean wait within the mean
/// target, both in uncalibrated minutes (targets ÷ k), and the peak slot's load within
/// `util_cap · c`. With the pool's profile fixed, both targets become one capacity per
/// window count: the MILP is then a multiple-choice model with knapsack rows, whose LP
/// relaxation is nearly integral. Evaluated by the transient session model, so a cap
/// above 1 admits peaks that build and drain a queue within the session.
fn day_capacities(
    day: &crate::model::transient::PoolDay,
    c_max: u32,
    peak_target: f64,
    mean_target: f64,
    util_cap: f64,
) -> Vec<f64> {
    day.capacities(
        c_max,
        &crate::model::transient::Targets {
            mean_wait_min: mean_target,
            peak_wait_min: peak_target,
            max_utilisation: util_cap,
        },
    )
}

/// Today's windows of a pool always carry today's load (MODEL.md §4: today's hall is a
/// feasible plan at today's demand), even where today's peak hour is at or above the
/// policy's `max_utilisation`: such a pool's utilisation cap is raised to today's peak.
fn util_cap(policy: &Policy, today_windows: u32, today: &Flow) -> f64 {
    if today_windows == 0 {
        return policy.max_utilisation;
    }
    let peak = today.peak_load() / f64::from(today_windows);
    policy.max_utilisation.max(peak * (1.0 + 1e-9))
}

fn pool_specs(
    model: &HallModel,
    policy: &Policy,
    flows_max: &[Flow],
    today_flows: &[Flow],
    k: &[f64],
    t: &Targets,
) -> Vec<PoolSpec> {
    model
        .pools
        .iter()
        .enumerate()
        .map(|(p, pool)| {
            let (s, cs2) = flows_max[p].day_mix();
            let prof = profile(&flows_max[p]);
            let day_load: f64 = flows_max[p].load.iter().sum();
            let today = pool.windows_today.len() as u32;
            let today_load: f64 = today_flows[p].load.iter().sum();
            let ucap = util_cap(policy, today, &today_flows[p]);
            let day = flows_max[p].pool_day(&prof, s, cs2);
            let limit = today.max(1) * 4 + 50;
            let mut formula = day_capacities(&day, today.max(1), t.peak[p] / k[p], t.mean[p] / k[p], ucap);
            let cap_of = |formula: &[f64], c: u32| {
                let f = formula[c as usize];
                if today > 0 && c >= today {
                    f.max(today_load * (1.0 + 1e-9))
                } else {
                    f
                }
            };
            let mut c_max = today;
            while cap_of(&formula, c_max) < day_load && c_max < limit {
                c_max += 1;
                if c_max as usize >= formula.len() {
                    let grown = (2 * c_max).min(limit);
                    formula = day_capacities(&day, grown, t.peak[p] / k[p], t.mean[p] / k[p], ucap);
                }
            }
            let min_windows = pool.locked.max(u32::from(pool.needs_one)).min(c_max);
            let c_max = c_max.max(min_windows);
            PoolSpec {
                name: pool.name.clone(),
                handle_min: s,
                cs2,
                min_windows,
                max_windows: c_max,
                peak_capacity: (0..=c_max).map(|c| cap_of(&formula, c)).collect(),
                mean_target_min: f64::INFINITY,
                profile: prof,
                day: Some(day),
            }
        })
        .collect()
}

/// Channel options with their loads summed over the day (the pools are collapsed).
fn matter_specs(model: &HallModel, hall: &Hall, policy: &Policy) -> Vec<MatterSpec> {
    model
        .matters
        .iter()
        .enumerate()
        .map(|(m, md)| MatterSpec {
            name: hall.matters[md.matter].id.clone(),
            options: md
                .channels
                .iter()
                .map(|&ch| ChannelOption {
                    label: ch.as_str().to_string(),
                    loads: evaluate::routes(model, m, ch, policy)
                        .into_iter()
                        .map(|(pool, lambda, s, _)| OptionLoad {
                            pool,
                            arrivals_per_hour: vec![lambda.iter().sum()],
                            handle_min: s,
                        })
                        .collect(),
                    backoffice_work_min_week: evaluate::backoffice_work(model, m, ch),
                    // Conservative: the peak hour of each matter's terminal users.
                    self_service_users_per_hour: vec![evaluate::self_service_users(
                        model, m, ch, policy,
                    )
                    .iter()
                    .copied()
                    .fold(0.0, f64::max)],
                })
                .collect(),
        })
        .collect()
}

/// Cheap checks that explain an infeasible plan in words.
fn explain_infeasible(
    model: &HallModel,
    specs: &[PoolSpec],
    flows_forced: &Flows,
    cap: Option<u32>,
    today: u32,
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
    let cap = cap.unwrap_or(today);
    if need_total > cap {
        lines.push(format!("the matters that can only be served at their own department's counter already need {need_total} windows at their peak hours; with the window cap of {cap} no plan keeps every target (raise --max-windows, set max_mean_wait_min higher, or allow_growth = true)"));
    }
    if lines.is_empty() {
        lines.push("the staff constraints cannot be met: helpers ≥ helper_share × released staff and back-office staff for the back-office work exceed the staff released (set allow_hiring = true or lower helper_share)".into());
    }
    format!("no plan meets the policy: {}", lines.join("; "))
}

/// Everything that does not depend on the objective: the model, today's evaluation, the
/// calibration, the targets and the MILP input. `frontier` prepares once and solves many.
pub struct Prepared {
    pub model: HallModel,
    pub notes: Vec<String>,
    before_flows: Flows,
    before_raw: Vec<PoolEval>,
    before: Vec<PoolEval>,
    observed: Vec<Option<f64>>,
    k: Vec<f64>,
    targets: Targets,
    pub input: MilpInput,
}

pub fn prepare(hall: &Hall, policy: &Policy) -> Result<Prepared> {
    let model = HallModel::build(hall, policy)?;
    let mut notes = Vec::new();
    let today_ch: Vec<Channel> = model.matters.iter().map(|m| m.today).collect();
    // Today is today's demand: the backtest, the calibration and the targets compare the
    // formula with the waits people had, before any what-if demand change.
    let today_policy = Policy {
        demand_change: 0.0,
        ..policy.clone()
    };
    let today_model = HallModel::build(hall, &today_policy)?;
    let before_flows = evaluate::flows(&today_model, &today_ch, &today_policy);
    let staffed = staffed_by_pool(hall, &model);
    let today_eval = |p: usize, k: f64| match &staffed {
        Some(s) if !s[p].is_empty() => {
            evaluate::eval_pool_staffed(&before_flows.pools[p], &s[p], k)
        }
        _ => eval_pool(
            &before_flows.pools[p],
            model.pools[p].windows_today.len() as u32,
            k,
        ),
    };
    if staffed.is_some() {
        notes.push("today's hall is evaluated day by day with the whole windows the tickets show were staffed in each slot (not the whole inventory), each session opening empty".into());
    }
    let before_raw: Vec<PoolEval> = (0..model.pools.len()).map(|p| today_eval(p, 1.0)).collect();
    let observed = observed_by_pool(hall, &model);
    let fmax = max_flows(&model, policy);
    let k = calibrate(&model, policy, &observed, &before_raw, &fmax, &mut notes);
    let before: Vec<PoolEval> = (0..model.pools.len())
        .map(|p| today_eval(p, k[p]))
        .collect();
    for (p, e) in before.iter().enumerate() {
        let n = model.pools[p].windows_today.len();
        if n > 0 && e.peak_utilisation >= OVERLOADED {
            notes.push(format!("{}: today's peak slot offers {:.1} Erlangs to {:.1} staffed windows (utilisation {:.0} %): the queue builds and drains within the session (transient model); today's {} windows stay a feasible plan", model.pools[p].name, e.peak_load, e.peak_load / e.peak_utilisation, 100.0 * e.peak_utilisation, n));
        }
    }
    let targets = targets(&model, policy, &before, &k);
    let specs = pool_specs(&model, policy, &fmax, &before_flows.pools, &k, &targets);
    let today = model.windows_today();
    let staff_today: u32 = hall.windows.iter().map(|w| w.staff).sum();
    let input = MilpInput {
        slots: 1,
        pools: specs,
        matters: matter_specs(&model, hall, policy),
        windows_today: today,
        allow_growth: policy.allow_growth,
        staff_today: f64::from(staff_today),
        staff_per_window: f64::from(staff_today) / f64::from(today.max(1)),
        allow_hiring: policy.allow_hiring,
        helper_share: policy.helper_share,
        helper_users_per_hour: policy.helper_users_per_hour,
        backoffice_min_per_staff_week: policy.backoffice_min_per_staff_week,
        tangent_points: policy.tangent_points,
        objective: milp::Objective::FewestWindows,
        solver: milp::Solver::default(),
    };
    Ok(Prepared {
        model,
        notes,
        before_flows,
        before_raw,
        before,
        observed,
        k,
        targets,
        input,
    })
}

impl Prepared {
    /// The MILP input for one objective.
    pub fn input_for(&self, objective: Objective) -> MilpInput {
        let mut input = self.input.clone();
        input.objective = match objective {
            Objective::FewestWindows => milp::Objective::FewestWindows,
            Objective::LeastWaiting { max_windows } => {
                milp::Objective::LeastWaiting { max_windows }
            }
        };
        input
    }
}

pub fn plan(hall: &Hall, policy: &Policy, objective: Objective) -> Result<PlanRun> {
    let prep = prepare(hall, policy)?;
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
            today > 0
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
                    && e.peak_utilisation <= ucap)
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

/// A pool whose trace replay misses its target (the simulation check, MODEL.md §6).
#[derive(Debug, Clone, PartialEq)]
pub struct SimNeed {
    /// Index into the plan's pools.
    pub pool: usize,
    /// The plan's windows and the replayed mean wait with them (minutes).
    pub windows: u32,
    pub simulated_min: f64,
    pub target_min: f64,
    /// The fewest windows whose replay meets the target (None: none within the search).
    pub needed: Option<u32>,
}

/// The simulation check: the pools of a plan that miss their targets when the hall's
/// tickets are replayed through it. Injected by the caller (the simulation is a later
/// stage of the pipeline than the optimisation).
pub type SimCheck<'a> = &'a dyn Fn(&Plan) -> Result<Vec<SimNeed>>;

pub fn solve(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
) -> Result<PlanRun> {
    solve_checked(prep, hall, policy, objective, None)
}

/// Solves, then (with `calibration = "simulation"` and a check) replays the plan and
/// gives each pool that misses its target the fewest windows whose replay meets it.
/// For the channels the MILP chose this is the fewest windows per pool by the replay's
/// measure (pools are independent once the channels are fixed). Re-solving the MILP
/// with capacities cut where the replay fails (Atlason, Epelman & Henderson's
/// simulation and cutting planes, 2004) was tried: it could move channels too, but made
/// microlp's branch and bound take 8–15 s per round instead of 0.5 s.
pub fn solve_checked(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
    check: Option<SimCheck>,
) -> Result<PlanRun> {
    let input = prep.input_for(objective);
    let started = std::time::Instant::now();
    let mut solved = solve_input(prep, &input, policy, objective)?;
    let run = finish(
        prep,
        hall,
        policy,
        objective,
        solved.clone(),
        started,
        &input,
    );
    let check = match check {
        Some(c) if policy.calibration == Calibration::Simulation => c,
        _ => return Ok(run),
    };
    let needs = check(&run.plan)?;
    if needs.is_empty() {
        return Ok(run);
    }
    let mut notes = Vec::new();
    for need in &needs {
        let name = &run.plan.pools[need.pool].name;
        let head = format!(
            "{name}: the trace replay of the plan gives {:.1} min with {} against its {:.1} min target",
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
    Ok(finish(
        prep, hall, policy, objective, solved, started, &input,
    ))
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
                    fewest.objective = milp::Objective::FewestWindows;
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
    let mut notes = Vec::new();
    match optimality {
        milp::Optimality::TimeLimit => notes.push(format!("the solver stopped at its {SOLVE_SECONDS:.0} s limit: the plan is feasible but not proven optimal")),
        milp::Optimality::WindowsOnly => notes.push(match objective {
            Objective::FewestWindows => format!("the fewest windows are proven optimal; among plans with that many windows the least waiting is the least found ({}: a local search over channels with each pool's windows where they cut the most waiting), not proven least (`--solver highs` proves it)", input.solver.as_str()),
            Objective::LeastWaiting { .. } => format!("the least waiting within --max-windows is the least found ({}: a local search over channels from the fewest-window plan, with each pool's windows where they cut the most waiting), not proven least (`--solver highs` proves it)", input.solver.as_str()),
        }),
        milp::Optimality::Proven => {}
    }
    repair(prep, &after_flows, &mut sol.windows, policy, &mut notes);
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
    } = solved;
    let mut notes = prep.notes.clone();
    notes.extend(solve_notes);
    let after: Vec<PoolEval> = (0..model.pools.len())
        .map(|p| eval_pool(&after_flows.pools[p], sol.windows[p], prep.k[p]))
        .collect();
    let plan = super::assign::build_plan(super::assign::Parts {
        hall,
        model,
        policy,
        objective,
        channels: &channels,
        windows: &sol.windows,
        helpers: sol.helpers,
        backoffice: sol.backoffice_staff,
        before: &prep.before,
        before_raw: &prep.before_raw,
        after: &after,
        after_flows: &after_flows,
        before_flows: &prep.before_flows,
        observed: &prep.observed,
        k: &prep.k,
        targets: (&prep.targets.mean, &prep.targets.peak),
        waiting: sol.waiting_person_min_per_day,
    });
    PlanRun {
        plan,
        model: model.clone(),
        solve_ms: started.elapsed().as_secs_f64() * 1000.0,
        variables: sol.variables,
        constraints: sol.constraints,
        notes,
        milp: input.clone(),
        milp_windows,
    }
}
