//! Hourly staffing (issue 14, item 5): the fewest windows to open in each slot of each pool
//! that keep the pool's targets, for a plan (or today's hall), so that a planner can roster
//! the windows hour by hour instead of keeping every window open all day.
//!
//! # What "keeps the targets" means
//! The same targets the plan is held to, evaluated the same way, slot counts instead of one
//! count all day:
//! - **the model** (model.md §3b): the transient session model with the whole windows of
//!   each slot ([`Flow::day_wait_on`]: every session opens empty, so a slot's count changes
//!   the queue that later slots of its session inherit), calibrated by the pool's factor;
//!   the day's mean wait within the mean target and every slot's mean wait within the peak
//!   target. With `--slots week` every open weekday is staffed on its own and must keep the
//!   targets on that weekday (a planner rosters a Monday as a Monday).
//! - **the trace replay** (model.md §7): the hall's own tickets replayed through the
//!   staffed windows, hour by hour and weekday by weekday; the pool's replayed mean wait
//!   within its mean target, and no visitor left unserved.
//!
//! Staffing never opens more windows in a slot than the plan has (`upper`), so the plan
//! itself is always a feasible roster: where the plan already misses a model target (a pool
//! the replay raised above the model's count, or today's hall that carries its load only
//! because it is today's), the target is read as "no worse than the plan's own figure".
//!
//! # Lower bounds of a slot (a choice, documented)
//! A slot needs ⌈load / `max_utilisation`⌉ windows (at least the plan's count when the plan
//! itself runs that slot above the cap), at least one window when anyone is expected to
//! arrive in it, and the last slot of a session keeps one window when anyone arrives in the
//! session (the session drains its queue at the windows on duty). A slot with no expected
//! arrivals and no such duty opens 0 windows, if the queue carried into it allows.
//!
//! # Algorithm
//! Greedy descent from the plan's count in every slot: among the slots that can lose a
//! window and still keep the targets, remove one window where it adds the least waiting
//! person-minutes per window-hour saved, and repeat until no slot can lose one. Waiting is
//! convex and decreasing in each slot's windows, so this is the marginal-cost rule of
//! convex resource allocation; it is not a proof of the fewest window-hours (slots are
//! coupled through the queue a session carries). Costs are evaluated lazily (a candidate's
//! last cost is a lower bound of its next, so the cheapest is re-evaluated and taken when
//! still cheapest), and every accepted roster is evaluated in full before it is accepted.
//! A slot that cannot lose a window never can later: other slots only lose windows, and
//! waits only grow.
//!
//! Then the replay: while the pool's replayed mean wait misses its target, the slot (of the
//! weekday) whose visitors wait the most person-minutes in the replay, among those below
//! the plan's count, gets a window back.

use crate::error::Result;
use crate::hall::Hall;
use crate::model::evaluate::{self, Flow};
use crate::model::{Channel, HallModel, Policy};
use crate::optimise::PlanRun;
use crate::simulate::check::PlanReplay;

/// Hourly staffing of a plan: its channels, windows, targets and calibration, checked by
/// replaying the hall's tickets through the rosters when the hall has tickets.
pub fn for_plan(run: &PlanRun, hall: &Hall) -> Result<Staffing> {
    let plan = &run.plan;
    let channels: Vec<Channel> = plan.matters.iter().map(|m| m.channel).collect();
    let windows: Vec<u32> = plan.pools.iter().map(|p| p.windows_after).collect();
    let calibration: Vec<f64> = plan.pools.iter().map(|p| p.calibration).collect();
    let target_mean: Vec<f64> = plan.pools.iter().map(|p| p.target_mean_min).collect();
    let target_peak: Vec<f64> = plan.pools.iter().map(|p| p.target_peak_min).collect();
    let input = StaffingInput {
        model: &run.model,
        policy: &plan.policy,
        channels: &channels,
        windows: &windows,
        calibration: &calibration,
        target_mean: &target_mean,
        target_peak: &target_peak,
    };
    let replay = if hall.tickets.is_empty() {
        None
    } else {
        Some(PlanReplay::new(hall, plan, plan.policy.seed)?)
    };
    staff(&input, replay.as_ref())
}

/// One pool's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolStaffing {
    /// Index of the pool in the model (and in the plan).
    pub pool: usize,
    pub name: String,
    /// The departments whose matters the pool serves.
    pub departments: Vec<String>,
    /// The plan's windows: the most any slot opens.
    pub windows: u32,
    /// Calibration factor of the model's waits.
    pub calibration: f64,
    pub target_mean_min: f64,
    pub target_peak_min: f64,
    /// One roster per day type (the typical day, or each open weekday).
    pub days: Vec<StaffedDay>,
    /// The model's mean wait over the day (weighted over day types): staffed, and with the
    /// plan's windows all day. `None` when nobody arrives or the queue never empties.
    pub model_mean_min: Option<f64>,
    pub model_mean_all_day_min: Option<f64>,
    /// The replay's mean wait of the pool's visitors: staffed and all day (`None` without
    /// a replay or visitors).
    pub replay_mean_min: Option<f64>,
    pub replay_mean_all_day_min: Option<f64>,
    /// Windows (slot-windows) the replay added back after the model's descent.
    pub replay_raised: u32,
}

/// The roster of one day type.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffedDay {
    /// Share of the open days (1 for the typical day).
    pub weight: f64,
    /// Windows open per slot.
    pub windows: Vec<u32>,
    /// Expected arrivals per slot.
    pub arrivals: Vec<f64>,
    /// The model's mean wait of each slot's arrivals (calibrated; `None` without arrivals).
    pub model_wait_min: Vec<Option<f64>>,
    /// The replay's mean wait of each slot's visitors on days of this type.
    pub replay_wait_min: Vec<Option<f64>>,
}

/// Hourly staffing of every pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    /// Each slot's first minute and end (minutes of day).
    pub slots: Vec<(u32, u32)>,
    /// Day type names: `""` for the typical day, else `Mon`, `Tue`, ….
    pub day_types: Vec<String>,
    pub pools: Vec<PoolStaffing>,
}

impl Staffing {
    /// Window-hours per open day with the plan's windows open all day.
    pub fn window_hours_all_day(&self) -> f64 {
        let hours: f64 = self
            .slots
            .iter()
            .map(|(a, b)| f64::from(b - a) / 60.0)
            .sum();
        self.pools
            .iter()
            .map(|p| f64::from(p.windows) * hours)
            .sum()
    }

    /// Window-hours per open day with the staffed windows (weighted over day types).
    pub fn window_hours_staffed(&self) -> f64 {
        self.pools.iter().map(|p| p.window_hours(&self.slots)).sum()
    }
}

impl PoolStaffing {
    /// Window-hours per open day of this pool's roster.
    pub fn window_hours(&self, slots: &[(u32, u32)]) -> f64 {
        self.days
            .iter()
            .map(|d| {
                d.weight
                    * d.windows
                        .iter()
                        .zip(slots)
                        .map(|(&c, (a, b))| f64::from(c) * f64::from(b - a) / 60.0)
                        .sum::<f64>()
            })
            .sum()
    }
}

/// What staffing needs: the model, what reaches each pool, the windows to staff and the
/// targets (calibrated minutes, as the plan states them).
pub struct StaffingInput<'a> {
    pub model: &'a HallModel,
    pub policy: &'a Policy,
    /// The channel of every model matter (the plan's, or today's).
    pub channels: &'a [Channel],
    /// The plan's (or today's) windows per pool: the most a slot opens.
    pub windows: &'a [u32],
    pub calibration: &'a [f64],
    pub target_mean: &'a [f64],
    pub target_peak: &'a [f64],
}

/// The fewest windows per slot that keep every pool's targets under the model and, given a
/// replay of the plan (`replay`, built for the same plan and pools), under the replay.
pub fn staff(input: &StaffingInput<'_>, replay: Option<&PlanReplay>) -> Result<Staffing> {
    let started = std::time::Instant::now();
    let model = input.model;
    let flows = evaluate::flows(model, input.channels, input.policy);
    let mut departments: Vec<Vec<String>> = vec![Vec::new(); model.pools.len()];
    for (m, &ch) in input.channels.iter().enumerate() {
        for (p, lambda, _, _) in evaluate::routes(model, m, ch, input.policy) {
            let d = &model.departments[model.matters[m].department];
            if lambda.iter().any(|&l| l > 0.0) && !departments[p].contains(d) {
                departments[p].push(d.clone());
            }
        }
    }
    let pools: Vec<usize> = (0..model.pools.len())
        .filter(|&p| input.windows[p] > 0 || flows.pools[p].arrivals_per_day() > 0.0)
        .collect();
    let staffed = crate::optimise::milp::par_map(pools.len(), |i| {
        let p = pools[i];
        let mut deps = departments[p].clone();
        deps.sort();
        staff_pool(
            &flows.pools[p],
            PoolTargets {
                windows: input.windows[p],
                k: input.calibration[p],
                mean: input.target_mean[p],
                peak: input.target_peak[p],
                max_utilisation: input.policy.max_utilisation,
            },
            p,
            model.pools[p].name.clone(),
            deps,
        )
    });
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let day_types = match &model.week {
        Some(w) => w
            .weekdays
            .iter()
            .map(|&d| NAMES[d as usize % 7].to_string())
            .collect(),
        None => vec![String::new()],
    };
    let mut staffing = Staffing {
        slots: model
            .shape
            .slots
            .iter()
            .map(|s| (s.start, s.end()))
            .collect(),
        day_types,
        pools: staffed,
    };
    crate::optimise::milp::timing("hourly staffing: the model's rosters", started);
    if let Some(replay) = replay {
        let started = std::time::Instant::now();
        check_by_replay(&mut staffing, model, replay)?;
        crate::optimise::milp::timing("hourly staffing: replay check", started);
        for pool in &mut staffing.pools {
            if pool.replay_raised > 0 {
                fill_model(pool, &flows.pools[pool.pool]);
            }
        }
    }
    Ok(staffing)
}

/// One pool's bounds and targets.
#[derive(Debug, Clone, Copy)]
struct PoolTargets {
    windows: u32,
    k: f64,
    mean: f64,
    peak: f64,
    max_utilisation: f64,
}

/// A day type's roster evaluated: (day mean, worst slot, waiting person-min, per-slot
/// means), calibrated; `None` when the queue never empties.
struct Eval {
    mean: f64,
    worst: f64,
    person_min: f64,
    slots: Vec<f64>,
}

fn eval_day(flow: &Flow, day: usize, windows: &[u32], k: f64) -> Option<Eval> {
    let d = flow.day_wait_on(day, |h| windows.get(h).copied().unwrap_or(0));
    let Some(d) = d else {
        return Some(Eval {
            mean: 0.0,
            worst: 0.0,
            person_min: 0.0,
            slots: vec![0.0; windows.len()],
        });
    };
    if !d.mean_wait_min.is_finite() || !d.person_min.is_finite() {
        return None;
    }
    let slots: Vec<f64> = d
        .sessions
        .iter()
        .flat_map(|s| s.slots.iter())
        .map(|s| s.mean_wait_min * k)
        .collect();
    let worst = d
        .sessions
        .iter()
        .flat_map(|s| s.slots.iter())
        .filter(|s| s.arrivals > 0.0)
        .map(|s| s.mean_wait_min * k)
        .fold(0.0, f64::max);
    Some(Eval {
        mean: d.mean_wait_min * k,
        worst,
        person_min: d.person_min * k,
        slots,
    })
}

/// Arrivals per slot of day type `day` (the typical day when the flow has no week).
fn arrivals_on(flow: &Flow, day: usize) -> Vec<f64> {
    match flow.week.get(day) {
        Some(t) => t.lambda.clone(),
        None => flow.lambda.clone(),
    }
}

fn staff_pool(
    flow: &Flow,
    t: PoolTargets,
    pool: usize,
    name: String,
    departments: Vec<String>,
) -> PoolStaffing {
    let n_types = flow.week.len().max(1);
    let slots = flow.lambda.len();
    let flat = vec![t.windows; slots];
    let weight_of = |day: usize| flow.week.get(day).map_or(1.0, |w| w.weight);
    let flat_evals: Vec<Option<Eval>> = (0..n_types)
        .map(|day| eval_day(flow, day, &flat, t.k))
        .collect();
    let caps = mean_caps(
        &(0..n_types)
            .map(|day| {
                let arrivals: f64 = arrivals_on(flow, day).iter().sum();
                let mean = flat_evals[day].as_ref().map_or(0.0, |e| e.mean);
                (weight_of(day) * arrivals, mean)
            })
            .collect::<Vec<_>>(),
        t.mean,
    );
    let mut days = Vec::with_capacity(n_types);
    let mut hint: Option<Vec<u32>> = None;
    for day in 0..n_types {
        let arrivals = arrivals_on(flow, day);
        let load: Vec<f64> = match flow.week.get(day) {
            Some(w) => w.load.clone(),
            None => flow.load.clone(),
        };
        let lower = lower_bounds(flow, &arrivals, &load, t);
        let windows = match &flat_evals[day] {
            // The plan's own roster never empties its queue (no windows for a pool people
            // come to): nothing to take away.
            None => flat.clone(),
            Some(f) => {
                let (c, floor) = descend(
                    flow,
                    day,
                    &flat,
                    &lower,
                    PoolTargets {
                        mean: caps[day],
                        ..t
                    },
                    f,
                    hint.as_deref(),
                );
                hint = Some(floor);
                c
            }
        };
        days.push(StaffedDay {
            weight: weight_of(day),
            windows,
            arrivals,
            model_wait_min: vec![None; slots],
            replay_wait_min: vec![None; slots],
        });
    }
    let mut staffed = PoolStaffing {
        pool,
        name,
        departments,
        windows: t.windows,
        calibration: t.k,
        target_mean_min: t.mean,
        target_peak_min: t.peak,
        days,
        model_mean_min: None,
        model_mean_all_day_min: None,
        replay_mean_min: None,
        replay_mean_all_day_min: None,
        replay_raised: 0,
    };
    fill_model(&mut staffed, flow);
    staffed
}

/// The model's waits of a pool's rosters (per slot and over the day) and of the plan's
/// windows all day.
fn fill_model(pool: &mut PoolStaffing, flow: &Flow) {
    let (mut staffed_num, mut flat_num, mut den) = (0.0, 0.0, 0.0);
    let mut finite = true;
    for (k, day) in pool.days.iter_mut().enumerate() {
        let flat = vec![pool.windows; day.windows.len()];
        let staffed = eval_day(flow, k, &day.windows, pool.calibration);
        let flat_eval = eval_day(flow, k, &flat, pool.calibration);
        let total: f64 = day.arrivals.iter().sum();
        match (&staffed, &flat_eval) {
            (Some(s), Some(f)) => {
                staffed_num += day.weight * total * s.mean;
                flat_num += day.weight * total * f.mean;
                den += day.weight * total;
            }
            _ => finite = false,
        }
        day.model_wait_min = match &staffed {
            Some(s) => day
                .arrivals
                .iter()
                .zip(&s.slots)
                .map(|(&a, &w)| (a > 0.0).then_some(w))
                .collect(),
            None => vec![None; day.windows.len()],
        };
    }
    let mean = |num: f64| {
        if !finite {
            None
        } else if den > 0.0 {
            Some(num / den)
        } else {
            Some(0.0)
        }
    };
    pool.model_mean_min = mean(staffed_num);
    pool.model_mean_all_day_min = mean(flat_num);
}

/// Each day type's cap on its mean wait, from (arrivals × weight, the plan's own mean) per
/// day type: max(the plan's own mean, τ), with τ the largest level at which the week's
/// mean stays within max(target, the plan's week mean) — water-filling. A weekday the plan
/// already runs above the target stays no worse than the plan; the others share what the
/// target leaves, so the week keeps the target the plan keeps (for a typical day, τ is
/// the target).
fn mean_caps(days: &[(f64, f64)], target: f64) -> Vec<f64> {
    let total: f64 = days.iter().map(|d| d.0).sum();
    if total <= 0.0 {
        return vec![target; days.len()];
    }
    let week = days.iter().map(|d| d.0 * d.1).sum::<f64>() / total;
    let budget = target.max(week) * total;
    // Σ a_k·max(m_k, τ) is increasing and piecewise linear in τ: bisection to 1e-12.
    let used = |tau: f64| days.iter().map(|d| d.0 * d.1.max(tau)).sum::<f64>();
    let (mut lo, mut hi) = (0.0, target.max(week));
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if used(mid) <= budget {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    days.iter().map(|d| d.1.max(lo)).collect()
}

/// The fewest windows each slot may have whatever the waits (see the module docs).
fn lower_bounds(flow: &Flow, arrivals: &[f64], load: &[f64], t: PoolTargets) -> Vec<u32> {
    let mut lower: Vec<u32> = (0..arrivals.len())
        .map(|h| {
            let minutes = flow.minutes.get(h).copied().unwrap_or(60.0);
            let erlangs = if minutes > 0.0 {
                load[h] * 60.0 / minutes
            } else {
                0.0
            };
            let by_util = if t.max_utilisation > 0.0 {
                // Tiny tolerance so that a load of exactly 2 × cap needs 2, not 3.
                (erlangs / t.max_utilisation - 1e-9).ceil().max(0.0) as u32
            } else {
                t.windows
            };
            let someone = u32::from(arrivals[h] > 0.0);
            by_util.max(someone).min(t.windows)
        })
        .collect();
    for r in &flow.sessions {
        let anyone = r.clone().any(|h| arrivals[h] > 0.0);
        if let Some(last) = r.clone().last() {
            if anyone {
                lower[last] = lower[last].max(1).min(t.windows);
            }
        }
    }
    lower
}

/// The roster of one day type (see the module docs): per-slot bounds by bisection, a
/// greedy ascent to feasibility, then a greedy descent.
fn descend(
    flow: &Flow,
    day: usize,
    flat: &[u32],
    lower: &[u32],
    t: PoolTargets,
    flat_eval: &Eval,
    hint: Option<&[u32]>,
) -> (Vec<u32>, Vec<u32>) {
    // Targets read as "no worse than the plan's own figure" where the plan misses them.
    let mean_cap = t.mean.max(flat_eval.mean) + 1e-6;
    let peak_cap = t.peak.max(flat_eval.worst) + 1e-6;
    let ok = |e: &Option<Eval>| {
        e.as_ref()
            .is_some_and(|e| e.mean <= mean_cap && e.worst <= peak_cap)
    };
    let eval = |c: &[u32]| eval_day(flow, day, c, t.k);
    let waiting = |e: &Option<Eval>| e.as_ref().map_or(f64::INFINITY, |e| e.person_min);
    let hours = |h: usize| (flow.minutes.get(h).copied().unwrap_or(60.0) / 60.0).max(1e-9);
    let n = flat.len();
    // 1. Each slot's fewest windows with every other slot at the plan's count: a bound of
    // any feasible roster (more windows elsewhere never hurt), by bisection.
    let mut floor = lower.to_vec();
    let fits = |h: usize, x: u32| {
        let mut c = flat.to_vec();
        c[h] = x;
        ok(&eval(&c))
    };
    for h in 0..n {
        let (mut lo, mut hi) = (lower[h], flat[h]);
        // Open weekdays differ little: the previous weekday's bound, checked from both
        // sides, usually settles the slot in two evaluations.
        if let Some(&g) = hint.and_then(|x| x.get(h)) {
            if g > lo && g < hi {
                if fits(h, g) {
                    hi = g;
                    if !fits(h, g - 1) {
                        lo = g;
                    }
                } else {
                    lo = g + 1;
                    if lo < hi && fits(h, lo) {
                        hi = lo;
                    }
                }
            }
        }
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if fits(h, mid) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        floor[h] = lo;
    }
    // 2. Ascent: add a window where it saves the most waiting per window-hour until the
    // roster keeps the targets (the plan's roster does, so this ends at or below it).
    // Gains shrink as windows are added, so a stale gain bounds the fresh one (lazy).
    let mut c = floor.clone();
    let mut current = eval(&c);
    let mut gain: Vec<Option<f64>> = (0..n)
        .map(|h| (c[h] < flat[h]).then_some(f64::INFINITY))
        .collect();
    while !ok(&current) {
        let Some(h) = (0..n).filter(|&h| gain[h].is_some()).max_by(|&a, &b| {
            gain[a]
                .unwrap_or(0.0)
                .total_cmp(&gain[b].unwrap_or(0.0))
                .then(b.cmp(&a))
        }) else {
            return (flat.to_vec(), floor); // cannot happen: the plan's roster is feasible
        };
        let mut trial = c.clone();
        trial[h] += 1;
        let e = eval(&trial);
        let before = waiting(&current);
        let after = waiting(&e);
        let fresh = if before.is_infinite() {
            if after.is_finite() {
                f64::MAX
            } else {
                0.0
            }
        } else {
            (before - after) / hours(h)
        };
        let next = (0..n)
            .filter(|&g| g != h)
            .filter_map(|g| gain[g])
            .fold(f64::NEG_INFINITY, f64::max);
        if fresh >= next {
            c = trial;
            current = e;
            gain[h] = (c[h] < flat[h]).then_some(fresh);
        } else {
            gain[h] = Some(fresh);
        }
    }
    // 3. Descent: remove a window where it adds the least waiting per window-hour while
    // the targets hold. A slot that cannot lose one never can later (lazy, as above).
    let mut waiting_now = waiting(&current);
    let mut cost: Vec<Option<f64>> = (0..n)
        .map(|h| (c[h] > floor[h]).then_some(f64::NEG_INFINITY))
        .collect();
    while let Some(h) = (0..n)
        .filter(|&h| cost[h].is_some())
        .min_by(|&a, &b| cost[a].unwrap_or(0.0).total_cmp(&cost[b].unwrap_or(0.0)))
    {
        let mut trial = c.clone();
        trial[h] -= 1;
        let e = eval(&trial);
        if !ok(&e) {
            cost[h] = None;
            continue;
        }
        let fresh = (waiting(&e) - waiting_now) / hours(h);
        let next = (0..n)
            .filter(|&g| g != h)
            .filter_map(|g| cost[g])
            .fold(f64::INFINITY, f64::min);
        if fresh <= next {
            c = trial;
            waiting_now = waiting(&e);
            cost[h] = (c[h] > floor[h]).then_some(fresh);
        } else {
            cost[h] = Some(fresh);
        }
    }
    (c, floor)
}

/// Checks every pool's roster by replaying the tickets (see the module docs), raising
/// slots until the replay keeps the pool's mean target (or the plan's own replayed mean
/// where the plan misses it) and leaves no more visitors unserved than the plan.
fn check_by_replay(staffing: &mut Staffing, model: &HallModel, replay: &PlanReplay) -> Result<()> {
    let n_types = staffing.day_types.len();
    let type_of = |d: i64| -> Option<usize> {
        match &model.week {
            Some(w) => w.type_of(d),
            None => Some(0),
        }
    };
    let slot_hours: Vec<u32> = model.hours.clone();
    for pool in &mut staffing.pools {
        let flat = replay.waits_with(pool.pool, |_, _| pool.windows)?;
        let Some(flat) = flat else {
            continue; // nobody to replay
        };
        pool.replay_mean_all_day_min = flat.mean();
        let cap = pool.target_mean_min.max(flat.mean().unwrap_or(0.0)) + 1e-9;
        let flat_unserved = flat.unserved;
        loop {
            let days = &pool.days;
            let servers = |d: i64, hour: u32| -> u32 {
                let rosters: Vec<&Vec<u32>> = match type_of(d) {
                    Some(k) => vec![&days[k.min(n_types - 1)].windows],
                    // A day that is not an open weekday: the most of any weekday.
                    None => days.iter().map(|x| &x.windows).collect(),
                };
                rosters
                    .iter()
                    .flat_map(|r| {
                        slot_hours
                            .iter()
                            .zip(r.iter())
                            .filter(move |(h, _)| **h == hour)
                            .map(|(_, &c)| c)
                    })
                    .max()
                    .unwrap_or(pool.windows)
            };
            let Some(run) = replay.waits_with(pool.pool, servers)? else {
                break;
            };
            let passes = run.mean().is_none_or(|m| m <= cap) && run.unserved <= flat_unserved;
            // Per day type and slot: waiting person-minutes per open day of that type, and
            // the mean wait of the slot's visitors.
            let mut sum = vec![vec![(0.0f64, 0usize); slot_hours.len()]; n_types];
            for &(day, hour, wait) in &run.waits {
                let Some(k) = type_of(day) else { continue };
                if let Some(h) = slot_hours.iter().position(|&x| x == hour) {
                    let cell = &mut sum[k.min(n_types - 1)][h];
                    cell.0 += wait;
                    cell.1 += 1;
                }
            }
            if passes {
                pool.replay_mean_min = run.mean();
                for (k, day) in pool.days.iter_mut().enumerate() {
                    day.replay_wait_min = sum[k]
                        .iter()
                        .map(|&(s, n)| (n > 0).then(|| s / n as f64))
                        .collect();
                }
                break;
            }
            // Raise the slot below the plan whose visitors wait the most.
            let mut best: Option<(usize, usize, f64)> = None;
            for (k, day) in pool.days.iter().enumerate() {
                for (h, &c) in day.windows.iter().enumerate() {
                    if c >= pool.windows {
                        continue;
                    }
                    let w = sum[k][h].0 * day.weight;
                    if best.is_none_or(|(_, _, b)| w > b) {
                        best = Some((k, h, w));
                    }
                }
            }
            match best {
                Some((k, h, _)) => {
                    pool.days[k].windows[h] += 1;
                    pool.replay_raised += 1;
                }
                None => {
                    // Every slot at the plan's count: the plan's own replay.
                    pool.replay_mean_min = run.mean();
                    break;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
mod today;
pub use today::{for_today, on_duty_hours};
