//! Everything a plan needs before the solver runs: today's hall backtested and
//! calibrated (model.md §6), each pool's targets and window capacities (§4), and the MILP
//! input. `frontier` prepares once and solves many times.

use std::collections::BTreeMap;

use super::milp::{ChannelOption, MatterSpec, MilpInput, OptionLoad, PoolSpec, Solver};
use crate::error::Result;
use crate::hall::{time, Hall, Status, NONE};
use crate::model::evaluate::{self, eval_pool, Flow, Flows, PoolEval};
use crate::model::transient::snap;
use crate::model::{Calibration, Channel, HallModel, Policy, PoolKind, Slots};
use crate::plan::Objective;

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

/// One pool's staffing days: (number of open days, weekday type, servers on duty per
/// slot) for each distinct pattern; the weekday type is 0 unless the model plans each
/// open weekday (`--slots week`).
type StaffingPatterns = Vec<(f64, usize, Vec<u32>)>;

/// Today's staffing per pool: for each distinct pattern of whole servers on duty per
/// slot, the number of open days that had it (model.md §3b: "an average of 1.45 staffed
/// windows is evaluated as the day's real mix of 1 and 2"). On duty is the one rule the
/// replay uses too (`hall::derive::duty`): a window is on duty over the sessions in which
/// it serves, except where the log shows it idle while its pool had people waiting; it
/// counts in a slot when on duty for at least half of it, with as many servers as the
/// services the log shows overlapping at it (normally one; `staff` is head count). A day
/// on which a pool had nobody on duty is a day it was closed (it served nobody), not a
/// day of infinite waits, and is left out of that pool's patterns.
fn staffed_by_pool(hall: &Hall, model: &HallModel) -> Option<Vec<StaffingPatterns>> {
    let t = &hall.tickets;
    if t.is_empty() {
        return None;
    }
    let duty = crate::hall::derive::Duty::read(hall);
    let pool_windows: Vec<Vec<u32>> = model
        .pools
        .iter()
        .map(|pool| {
            pool.windows_today
                .iter()
                .filter_map(|&w| t.windows.get(&hall.windows[w].id))
                .collect()
        })
        .collect();
    let slots: Vec<(u32, u32)> = model
        .shape
        .slots
        .iter()
        .map(|s| (s.start, s.end()))
        .collect();
    let weekdays: std::collections::BTreeSet<u32> = crate::hall::derive::opening_hours(t)
        .map(|h| h.weekdays.into_iter().collect())
        .unwrap_or_default();
    let days: std::collections::BTreeSet<i64> = (0..t.len())
        .filter(|&i| t.status[i] == Status::Served)
        .map(|i| time::day(t.issued[i]))
        .filter(|&d| weekdays.contains(&(((d + 3).rem_euclid(7)) as u32)))
        .collect();
    let mut out: Vec<BTreeMap<(usize, Vec<u32>), f64>> = vec![BTreeMap::new(); model.pools.len()];
    for &day in &days {
        let day_type = model
            .week
            .as_ref()
            .and_then(|w| w.type_of(day))
            .unwrap_or(0);
        for (p, windows) in pool_windows.iter().enumerate() {
            let pattern: Vec<u32> = slots
                .iter()
                .map(|&(a, b)| {
                    let (from, to) = (
                        day * time::DAY + i64::from(a) * 60,
                        day * time::DAY + i64::from(b) * 60,
                    );
                    windows
                        .iter()
                        .filter(|&&w| 2 * duty.seconds_on(w, from, to) >= to - from)
                        .map(|&w| duty.servers[w as usize].max(1))
                        .sum()
                })
                .collect();
            if pattern.iter().any(|&c| c > 0) {
                *out[p].entry((day_type, pattern)).or_default() += 1.0;
            }
        }
    }
    Some(
        out.into_iter()
            .map(|m| {
                m.into_iter()
                    .map(|((day_type, pattern), n)| (n, day_type, pattern))
                    .collect()
            })
            .collect(),
    )
}

/// Calibration factor per pool (model.md §6): observed / predicted today, clamped; pools
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
    let mut out: Vec<Flow> = vec![Flow::for_model(model); model.pools.len()];
    for m in 0..model.matters.len() {
        let factors = evaluate::weekday_factors(model, m);
        for &ch in &model.matters[m].channels {
            for (p, lambda, s, cs2) in evaluate::routes(model, m, ch, policy) {
                for (h, l) in lambda.iter().enumerate() {
                    out[p].add_matter(h, *l, s, cs2, factors);
                }
            }
        }
    }
    out
}

pub(crate) struct Targets {
    pub(crate) mean: Vec<f64>,
    pub(crate) peak: Vec<f64>,
    /// Pools held to a target the planner stated (`department_mean_wait_min` of a
    /// department they serve, or `percentile_target`): today's windows are no longer a
    /// feasible plan by construction for them — a stated target stricter than today's
    /// wait asks for more windows than today, or is infeasible.
    pub(crate) stated: Vec<bool>,
    /// The percentile target every pool is held to, if stated.
    pub(crate) percentile: Option<crate::model::PercentileTarget>,
}

/// model.md §4: a department's mean target is the one the planner states for it
/// (`department_mean_wait_min`), else the default — today's predicted (calibrated) wait
/// raised to the floor; `max_mean_wait_min` caps both. Joint and fallback pools take the
/// smallest target of the departments that may feed them (a joint window serving a
/// department with a stated 6-minute target serves everyone there within 6 minutes: FCFS
/// does not wait differently per department). Peak = max(peak_factor × mean, today's
/// worst hour) by default; a stated target is not relaxed by today's worst hour.
fn targets(model: &HallModel, policy: &Policy, before: &[PoolEval], k: &[f64]) -> Targets {
    let n = model.pools.len();
    let mut mean = vec![f64::INFINITY; n];
    let mut peak = vec![0.0f64; n];
    let mut stated = vec![policy.percentile_target.is_some(); n];
    for p in 0..n {
        if let PoolKind::Department(name) = &model.pools[p].kind {
            if let Some(&t) = policy.department_mean_wait_min.get(name) {
                mean[p] = t;
                stated[p] = true;
                continue;
            }
            let today = before[p].mean_wait.map_or(policy.wait_floor_min, |w| w);
            mean[p] = today.max(policy.wait_floor_min);
            peak[p] = before[p].worst_hour_wait.unwrap_or(0.0);
        }
    }
    // Feeding departments of joint and fallback pools. A department served at the pool
    // itself today (no windows of its own: its pool is this one) has today's wait of
    // the pool, raised to the floor, as its default target.
    for m in &model.matters {
        for &ch in &m.channels {
            if let Some(p) = model.pool_of(m, ch) {
                if !matches!(model.pools[p].kind, PoolKind::Department(_)) {
                    let d = model.dept_pool[m.department];
                    let own = if d == p {
                        let name = &model.departments[m.department];
                        match policy.department_mean_wait_min.get(name) {
                            Some(&t) => {
                                stated[p] = true;
                                t
                            }
                            None => before[p]
                                .mean_wait
                                .map_or(policy.wait_floor_min, |w| w)
                                .max(policy.wait_floor_min),
                        }
                    } else {
                        mean[d]
                    };
                    mean[p] = mean[p].min(own);
                    stated[p] |= stated[d];
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
    Targets {
        mean,
        peak,
        stated,
        percentile: policy.percentile_target,
    }
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

/// Today's windows of a pool always carry today's load (model.md §4: today's hall is a
/// feasible plan at today's demand), even where today's peak hour is at or above the
/// policy's `max_utilisation`: such a pool's utilisation cap is raised to today's peak.
pub(crate) fn util_cap(policy: &Policy, today_windows: u32, today: &Flow) -> f64 {
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
    cache: &super::cache::HallCache,
) -> Vec<PoolSpec> {
    // Pools are independent: their capacity searches run in parallel, each result
    // depending only on its pool (the same bytes whatever the threads' timing).
    let started = std::time::Instant::now();
    let specs = crate::optimise::milp::par_map(model.pools.len(), |p| {
        let pool = &model.pools[p];
        // Rounded as the pool's day is (`snap`): the same shape at another demand level
        // is then the same pool, and its curves are found in the cache.
        let (s, cs2) = flows_max[p].day_mix();
        let (s, cs2) = (snap(s), snap(cs2));
        let prof: Vec<f64> = profile(&flows_max[p]).into_iter().map(snap).collect();
        let day_load: f64 = flows_max[p].load.iter().sum();
        let today = pool.windows_today.len() as u32;
        let today_load: f64 = today_flows[p].load.iter().sum();
        let ucap = util_cap(policy, today, &today_flows[p]);
        let day = flows_max[p].pool_day(&prof, s, cs2);
        let limit = today.max(1) * 4 + 50;
        // The largest day load (Erlang-hours) a pool with c windows carries while every
        // slot stays within the peak target and the day's arrival-weighted mean wait within
        // the mean target, both in uncalibrated minutes (targets ÷ k), and the peak slot's
        // load within `util_cap · c`. With the pool's profile fixed, both targets become one
        // capacity per window count: the MILP is then a multiple-choice model with knapsack
        // rows, whose LP relaxation is nearly integral. Evaluated by the transient session
        // model, so a cap above 1 admits peaks that build and drain a queue within the
        // session. A percentile target lowers each capacity to the load at which the
        // transient model still serves the stated share within the stated wait (its
        // P(wait > T), in uncalibrated minutes T ÷ k like the other targets).
        let targets = crate::model::transient::Targets {
            mean_wait_min: t.mean[p] / k[p],
            peak_wait_min: t.peak[p] / k[p],
            max_utilisation: ucap,
        };
        let percentile = t.percentile.map(|q| crate::model::PercentileTarget {
            share: q.share,
            within_min: q.within_min / k[p],
        });
        let curve = cache.curve(&day, targets, percentile);
        let mut curve = super::cache::hold(&curve);
        let cap_of = |formula: &[f64], c: u32| {
            let f = formula[c as usize];
            if today > 0 && c >= today && !t.stated[p] {
                f.max(today_load * (1.0 + 1e-9))
            } else {
                f
            }
        };
        // Grown one window count at a time, as far as the pool's widest load needs.
        let mut c_max = today;
        while cap_of(curve.up_to(c_max.max(1)), c_max) < day_load && c_max < limit {
            c_max += 1;
        }
        let formula = curve.up_to(c_max.max(1));
        let min_windows = pool.locked.max(u32::from(pool.needs_one)).min(c_max);
        let c_max = c_max.max(min_windows);
        PoolSpec {
            name: pool.name.clone(),
            handle_min: s,
            cs2,
            min_windows,
            max_windows: c_max,
            peak_capacity: (0..=c_max).map(|c| cap_of(formula, c)).collect(),
            mean_target_min: f64::INFINITY,
            profile: prof,
            day: Some(day),
        }
    });
    crate::optimise::milp::timing("capacities A_p(c) of every pool", started);
    specs
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

/// Everything that does not depend on the objective: the model, today's evaluation, the
/// calibration, the targets and the MILP input. `frontier` prepares once and solves many.
pub struct Prepared {
    pub model: HallModel,
    pub notes: Vec<String>,
    pub(crate) before_flows: Flows,
    pub(crate) before_raw: Vec<PoolEval>,
    pub(crate) before: Vec<PoolEval>,
    pub(crate) observed: Vec<Option<f64>>,
    pub(crate) k: Vec<f64>,
    pub(crate) targets: Targets,
    pub input: MilpInput,
}

/// Today's hall through the model, uncalibrated (model.md §6): the flows of today's
/// channels at today's demand, and each pool evaluated day by day with the servers the
/// tickets show on duty (or its whole inventory when there are no tickets).
pub(crate) struct Backtest {
    flows: Flows,
    staffed: Option<Vec<StaffingPatterns>>,
}

impl Backtest {
    fn run(hall: &Hall, model: &HallModel, policy: &Policy) -> Result<Backtest> {
        // Today is today's demand: the backtest, the calibration and the targets compare
        // the formula with the waits people had, before any what-if demand change.
        let today_policy = Policy {
            demand_change: 0.0,
            ..policy.clone()
        };
        let today_model = HallModel::build(hall, &today_policy)?;
        let today_ch: Vec<Channel> = model.matters.iter().map(|m| m.today).collect();
        Ok(Backtest {
            flows: evaluate::flows(&today_model, &today_ch, &today_policy),
            staffed: staffed_by_pool(hall, model),
        })
    }

    fn eval(&self, model: &HallModel, p: usize, k: f64) -> PoolEval {
        match &self.staffed {
            Some(s) if !s[p].is_empty() => {
                evaluate::eval_pool_staffed(&self.flows.pools[p], &s[p], k)
            }
            _ => eval_pool(
                &self.flows.pools[p],
                model.pools[p].windows_today.len() as u32,
                k,
            ),
        }
    }
}

/// Median |model − observed| over the pools with an observed wait, relative to
/// max(observed, 0.5 min) — the validation suite's measure.
fn backtest_error(model: &HallModel, bt: &Backtest, observed: &[Option<f64>]) -> Option<f64> {
    let mut errors: Vec<f64> = (0..model.pools.len())
        .filter_map(|p| {
            let o = observed[p]?;
            let m = bt.eval(model, p, 1.0).mean_wait?;
            Some((m - o).abs() / o.max(0.5))
        })
        .collect();
    if errors.is_empty() {
        return None;
    }
    errors.sort_by(f64::total_cmp);
    let n = errors.len();
    Some(if n % 2 == 1 {
        errors[n / 2]
    } else {
        (errors[n / 2 - 1] + errors[n / 2]) / 2.0
    })
}

/// `slots = auto` (model.md §1, §6): plan each open weekday when the log holds enough of
/// every weekday and the weekdays backtest better than the typical day; the note says
/// which, and why.
/// The resolved policy, the note, and — when `auto` already built them — the chosen
/// model and its backtest.
type Resolved = (Policy, String, Option<(HallModel, Backtest)>);

fn resolve_slots(hall: &Hall, policy: &Policy) -> Result<Resolved> {
    let with = |slots: Slots| Policy {
        slots,
        ..policy.clone()
    };
    match policy.slots {
        Slots::Day => Ok((
            with(Slots::Day),
            "planning slots: the typical open day (slots = day)".into(),
            None,
        )),
        Slots::Week => {
            let model = HallModel::build(hall, &with(Slots::Week))?;
            let days = model
                .week
                .as_ref()
                .map(|w| w.describe())
                .unwrap_or_default();
            Ok((
                with(Slots::Week),
                format!("planning slots: each open weekday ({days}; slots = week)"),
                None,
            ))
        }
        Slots::Auto => {
            let Ok(week) = HallModel::build(hall, &with(Slots::Week)) else {
                return Ok((with(Slots::Day), format!("planning slots: the typical open day (slots = auto: the tickets hold fewer than {} days of some open weekday)", crate::model::demand::WEEK_MIN_DAYS), None));
            };
            let day = HallModel::build(hall, &with(Slots::Day))?;
            let observed = observed_by_pool(hall, &day);
            let bt_day = Backtest::run(hall, &day, &with(Slots::Day))?;
            let bt_week = Backtest::run(hall, &week, &with(Slots::Week))?;
            let e_day = backtest_error(&day, &bt_day, &observed);
            let e_week = backtest_error(&week, &bt_week, &observed);
            let days = week.week.as_ref().map(|w| w.describe()).unwrap_or_default();
            Ok(match (e_day, e_week) {
                (Some(d), Some(w)) if w < d => (with(Slots::Week), format!("planning slots: each open weekday ({days}), chosen by the backtest (slots = auto): median model error {:.1} % against {:.1} % for the typical day", 100.0 * w, 100.0 * d), Some((week, bt_week))),
                (Some(d), Some(w)) => (with(Slots::Day), format!("planning slots: the typical open day, chosen by the backtest (slots = auto): median model error {:.1} % against {:.1} % for each weekday", 100.0 * d, 100.0 * w), Some((day, bt_day))),
                _ => (with(Slots::Day), "planning slots: the typical open day (slots = auto: no observed waits to choose by)".into(), Some((day, bt_day))),
            })
        }
    }
}

pub fn prepare(hall: &Hall, policy: &Policy) -> Result<Prepared> {
    prepare_with(hall, policy, &super::cache::HallCache::new())
}

/// What today's hall gives whatever the what-if demand: the planning slots (`slots =
/// auto` picks them by backtesting both), today's backtest, the observed waits and the
/// uncalibrated predictions of today. Each depends on the hall and on the policy with
/// `demand_change` at 0 (the backtest is today's demand by definition, and the pools are
/// the same at any demand), so `serve` makes it once for every demand level it is asked.
pub(crate) struct Today {
    slots: Slots,
    note: String,
    bt: Backtest,
    observed: Vec<Option<f64>>,
    before_raw: Vec<PoolEval>,
}

impl Today {
    /// The key it is kept by: the policy without its demand change and locked windows.
    pub(crate) fn key(policy: &Policy) -> String {
        // Debug output is every field, and exact for f64 (shortest round trip).
        format!("{:?}", Self::policy(policy))
    }

    /// Today is today's demand and today's windows: a what-if demand change does not
    /// reach it, and locks only count the windows a pool may not cut (`Pool::locked`),
    /// which neither today's slots, its backtest nor its observed waits read.
    fn policy(policy: &Policy) -> Policy {
        Policy {
            demand_change: 0.0,
            locked_windows: Vec::new(),
            ..policy.clone()
        }
    }

    pub(crate) fn make(hall: &Hall, policy: &Policy) -> Result<Today> {
        let (resolved, note, built) = resolve_slots(hall, &Self::policy(policy))?;
        let (model, bt) = match built {
            Some(b) => b,
            None => {
                let model = HallModel::build(hall, &resolved)?;
                let bt = Backtest::run(hall, &model, &resolved)?;
                (model, bt)
            }
        };
        let before_raw = (0..model.pools.len())
            .map(|p| bt.eval(&model, p, 1.0))
            .collect();
        Ok(Today {
            slots: resolved.slots,
            note,
            observed: observed_by_pool(hall, &model),
            bt,
            before_raw,
        })
    }
}

/// [`prepare`] with the curves kept in `cache` from earlier plans of the same hall (the
/// same bytes as without: see [`super::cache`]).
pub fn prepare_with(
    hall: &Hall,
    policy: &Policy,
    cache: &super::cache::HallCache,
) -> Result<Prepared> {
    let started = std::time::Instant::now();
    let today = cache.today(Today::key(policy), || Today::make(hall, policy))?;
    crate::optimise::milp::timing("prepare: planning slots and today's backtest", started);
    let policy = &Policy {
        slots: today.slots,
        ..policy.clone()
    };
    let model = HallModel::build(hall, policy)?;
    let bt = &today.bt;
    let mut notes = vec![today.note.clone()];
    let today_eval = |p: usize, k: f64| bt.eval(&model, p, k);
    if bt.staffed.is_some() {
        notes.push("today's hall is evaluated day by day with the whole windows the tickets show were staffed in each slot (not the whole inventory), each session opening empty".into());
    }
    let before_raw = today.before_raw.clone();
    let observed = today.observed.clone();
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
    crate::optimise::milp::timing("prepare: model, backtest, calibration, targets", started);
    let before_flows = bt.flows.clone();
    let specs = pool_specs(
        &model,
        policy,
        &fmax,
        &before_flows.pools,
        &k,
        &targets,
        cache,
    );
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
        staff_reserve: 0.0,
        prove_fewest: true,
        helper_share: policy.helper_share,
        helper_users_per_hour: policy.helper_users_per_hour,
        backoffice_min_per_staff_week: policy.backoffice_min_per_staff_week,
        tangent_points: policy.tangent_points,
        objective: Objective::FewestWindows,
        solver: Solver::default(),
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
        input.objective = objective;
        input
    }
}

#[cfg(test)]
#[path = "prepare_tests.rs"]
mod tests;
