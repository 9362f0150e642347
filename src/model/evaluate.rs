//! Evaluating a configuration: per pool and slot, arrivals and load from the channels
//! chosen, then the waits of the transient session model (model.md §3,
//! [`super::transient`]): every session opens empty, whole windows per slot, the queue
//! drains after closing.

use std::ops::Range;

use super::slots::DayShape;
use super::transient::{self, DayWait, PoolDay, Service, ShapeSlot};
use super::{Channel, HallModel, Policy, PoolKind};

/// What reaches one pool, per slot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    /// Arrivals in the slot per open day (for an hour-long slot: per hour).
    pub lambda: Vec<f64>,
    /// Work arriving in the slot, Erlang-hours (arrivals × handling ÷ 60); for an
    /// hour-long slot this is its offered load in Erlangs.
    pub load: Vec<f64>,
    /// Σ λ·E[S²] (min²), for the mixture's cs².
    pub second: Vec<f64>,
    /// Length of each slot in minutes.
    pub minutes: Vec<f64>,
    /// The sessions (slot ranges) of the day: each opens with an empty queue.
    pub sessions: Vec<Range<usize>>,
    /// With `--slots week`: what reaches the pool on each open weekday (the vectors above
    /// are their weighted average, the typical open day). Empty: plan the typical day.
    pub week: Vec<DayType>,
}

/// One open weekday of a week (`--slots week`, model.md §1): its share of the open days
/// and what reaches the pool per slot on it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayType {
    pub weight: f64,
    pub lambda: Vec<f64>,
    pub load: Vec<f64>,
    pub second: Vec<f64>,
}

impl Flow {
    /// An empty flow over the planning day's slots.
    pub fn new(shape: &DayShape) -> Flow {
        let slots = shape.len();
        Flow {
            lambda: vec![0.0; slots],
            load: vec![0.0; slots],
            second: vec![0.0; slots],
            minutes: shape.minutes(),
            sessions: shape.sessions(),
            week: Vec::new(),
        }
    }

    /// An empty flow over the model's planning slots, with its weekday types when the
    /// model plans each open weekday.
    pub fn for_model(model: &HallModel) -> Flow {
        let mut f = Flow::new(&model.shape);
        if let Some(w) = &model.week {
            let n = f.lambda.len();
            f.week = w
                .weights
                .iter()
                .map(|&weight| DayType {
                    weight,
                    lambda: vec![0.0; n],
                    load: vec![0.0; n],
                    second: vec![0.0; n],
                })
                .collect();
        }
        f
    }

    /// Adds a matter's arrivals in slot h; `factors` scale them on each weekday type (the
    /// matter's department's weekday factors), when the flow has a week.
    pub fn add_matter(
        &mut self,
        h: usize,
        lambda: f64,
        handle: f64,
        cs2: f64,
        factors: Option<&[f64]>,
    ) {
        self.add(h, lambda, handle, cs2);
        for (k, t) in self.week.iter_mut().enumerate() {
            let l = lambda * factors.and_then(|f| f.get(k)).copied().unwrap_or(1.0);
            t.lambda[h] += l;
            t.load[h] += l * handle / 60.0;
            t.second[h] += l * handle * handle * (1.0 + cs2);
        }
    }
    /// Offered load of slot h in Erlangs: its work over its length.
    pub fn erlangs(&self, h: usize) -> f64 {
        let m = self.minutes.get(h).copied().unwrap_or(60.0);
        if m > 0.0 {
            self.load[h] * 60.0 / m
        } else {
            0.0
        }
    }
    fn add(&mut self, h: usize, lambda: f64, handle: f64, cs2: f64) {
        self.lambda[h] += lambda;
        self.load[h] += lambda * handle / 60.0;
        self.second[h] += lambda * handle * handle * (1.0 + cs2);
    }
    /// Mean handling time and cs² of the mix in slot h.
    pub fn mix(&self, h: usize) -> (f64, f64) {
        let l = self.lambda[h];
        if l <= 0.0 {
            return (1.0, 1.0);
        }
        let s = self.load[h] * 60.0 / l;
        let es2 = self.second[h] / l;
        (s, (es2 / (s * s) - 1.0).max(0.0))
    }
    /// Mean handling time and cs² over the whole day.
    pub fn day_mix(&self) -> (f64, f64) {
        let l: f64 = self.lambda.iter().sum();
        if l <= 0.0 {
            return (1.0, 1.0);
        }
        let s = self.load.iter().sum::<f64>() * 60.0 / l;
        let es2 = self.second.iter().sum::<f64>() / l;
        (s, (es2 / (s * s) - 1.0).max(0.0))
    }
    pub fn arrivals_per_day(&self) -> f64 {
        self.lambda.iter().sum()
    }
    /// The largest offered load of a slot, Erlangs.
    pub fn peak_load(&self) -> f64 {
        (0..self.load.len())
            .map(|h| self.erlangs(h))
            .fold(0.0, f64::max)
    }

    /// The pool's day for the planner's fast path: the sessions with each slot's share of
    /// the day's work `profile` (shares summing to 1), at handling `s` and `cs2`.
    pub fn pool_day(&self, profile: &[f64], s: f64, cs2: f64) -> PoolDay {
        let session_of = |scale: &dyn Fn(usize) -> f64| -> Vec<Vec<ShapeSlot>> {
            self.sessions
                .iter()
                .map(|r| {
                    r.clone()
                        .map(|h| ShapeSlot {
                            minutes: self.minutes[h],
                            share: profile.get(h).copied().unwrap_or(0.0) * scale(h),
                        })
                        .collect()
                })
                .collect()
        };
        let service = Service { handle_min: s, cs2 };
        if self.week.is_empty() {
            let sessions = session_of(&|_| 1.0);
            let refs: Vec<&[ShapeSlot]> = sessions.iter().map(Vec::as_slice).collect();
            return PoolDay::new(&refs, service);
        }
        // Each weekday's sessions, its slots' shares scaled by that weekday's work over
        // the typical day's, weighted by its share of the open days.
        let types: Vec<(f64, Vec<Vec<ShapeSlot>>)> = self
            .week
            .iter()
            .map(|t| {
                let ratio = |h: usize| {
                    if self.load[h] > 0.0 {
                        t.load[h] / self.load[h]
                    } else {
                        1.0
                    }
                };
                (t.weight, session_of(&ratio))
            })
            .collect();
        let refs: Vec<Vec<&[ShapeSlot]>> = types
            .iter()
            .map(|(_, ss)| ss.iter().map(Vec::as_slice).collect())
            .collect();
        let days: Vec<(f64, &[&[ShapeSlot]])> = types
            .iter()
            .zip(&refs)
            .map(|((w, _), r)| (*w, r.as_slice()))
            .collect();
        PoolDay::weighted(&days, service)
    }

    /// The day through the transient model with `windows(h)` whole windows in slot h, at
    /// the day's handling mix. Each slot keeps its work (Erlang-hours), so a slot whose
    /// mix is slower than the day's carries its true load. `None` when nobody arrives.
    /// With a week, the open weekdays are evaluated one by one and pooled
    /// ([`Flow::day_wait_on`] gives one weekday).
    pub fn day_wait(&self, windows: impl Fn(usize) -> u32) -> Option<DayWait> {
        if self.week.is_empty() {
            return self.wait_with(&self.load, &windows);
        }
        let types: Vec<(f64, DayWait)> = self
            .week
            .iter()
            .filter_map(|t| Some((t.weight, self.wait_with(&t.load, &windows)?)))
            .collect();
        pool_days(&types)
    }

    /// The day on weekday type `k` of the week (the typical day when the flow has none).
    pub fn day_wait_on(&self, k: usize, windows: impl Fn(usize) -> u32) -> Option<DayWait> {
        match self.week.get(k) {
            Some(t) => self.wait_with(&t.load, &windows),
            None => self.wait_with(&self.load, &windows),
        }
    }

    /// P(wait > t) over the day's arrivals with `windows(h)` whole windows in slot h (the
    /// week's weekdays pooled by their arrivals); `None` when nobody arrives. For a
    /// percentile target: "90 % within 10 min" holds when this is ≤ 0.1.
    pub fn share_over(&self, t: f64, windows: impl Fn(usize) -> u32) -> Option<f64> {
        if self.arrivals_per_day() <= 0.0 {
            return None;
        }
        let (s, cs2) = self.day_mix();
        let service = Service { handle_min: s, cs2 };
        let types: Vec<(f64, &[f64])> = if self.week.is_empty() {
            vec![(1.0, self.load.as_slice())]
        } else {
            self.week
                .iter()
                .map(|d| (d.weight, d.load.as_slice()))
                .collect()
        };
        let days: Vec<(f64, Vec<Vec<transient::Slot>>)> = types
            .iter()
            .map(|&(w, load)| (w, self.sessions_with(load, &windows)))
            .collect();
        let weighted: Vec<(f64, &[transient::Slot])> = days
            .iter()
            .flat_map(|(w, ss)| ss.iter().map(move |s| (*w, s.as_slice())))
            .collect();
        Some(transient::share_over(&weighted, service, t))
    }

    /// The day's sessions as transient slots with work `load` per slot.
    fn sessions_with(
        &self,
        load: &[f64],
        windows: &dyn Fn(usize) -> u32,
    ) -> Vec<Vec<transient::Slot>> {
        let (s, _) = self.day_mix();
        self.sessions
            .iter()
            .map(|r| {
                r.clone()
                    .map(|h| {
                        let m = self.minutes.get(h).copied().unwrap_or(60.0);
                        let erlangs = if m > 0.0 { load[h] * 60.0 / m } else { 0.0 };
                        transient::Slot {
                            minutes: self.minutes[h],
                            arrivals_per_hour: erlangs * 60.0 / s,
                            windows: windows(h),
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// The day with work `load` per slot, at the typical day's handling mix.
    fn wait_with(&self, load: &[f64], windows: &dyn Fn(usize) -> u32) -> Option<DayWait> {
        let total = self.arrivals_per_day();
        if total <= 0.0 {
            return None;
        }
        let (s, cs2) = self.day_mix();
        let sessions: Vec<Vec<transient::Slot>> = self
            .sessions
            .iter()
            .map(|r| {
                r.clone()
                    .map(|h| {
                        let m = self.minutes.get(h).copied().unwrap_or(60.0);
                        let erlangs = if m > 0.0 { load[h] * 60.0 / m } else { 0.0 };
                        transient::Slot {
                            minutes: self.minutes[h],
                            arrivals_per_hour: erlangs * 60.0 / s,
                            windows: windows(h),
                        }
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[transient::Slot]> = sessions.iter().map(Vec::as_slice).collect();
        Some(transient::day(&refs, Service { handle_min: s, cs2 }))
    }
}

/// The largest slot wait of days pooled by weight: each slot position's mean wait averaged
/// over the days (as the backtest does day by day, and as `PoolDay::weighted` reads its
/// slot targets).
fn worst_position(types: &[(f64, DayWait)]) -> f64 {
    let mut at: Vec<f64> = Vec::new();
    for (w, d) in types {
        for (h, slot) in d.sessions.iter().flat_map(|s| s.slots.iter()).enumerate() {
            if at.len() <= h {
                at.resize(h + 1, 0.0);
            }
            if slot.arrivals > 0.0 {
                at[h] += w * slot.mean_wait_min;
            }
        }
    }
    at.into_iter().fold(0.0, f64::max)
}

/// Weekday days pooled into the week's average open day: waiting and arrivals weighted by
/// the weekdays' shares, so the mean wait is over the week's arrivals; the p90 is the
/// arrival-weighted average of the weekdays' p90s (not the quantile of the mixture); the
/// worst slot is the largest weighted average over the weekdays of a slot's mean wait.
/// The pooled day lists no sessions.
fn pool_days(types: &[(f64, DayWait)]) -> Option<DayWait> {
    if types.is_empty() {
        return None;
    }
    let person_min: f64 = types.iter().map(|(w, d)| w * d.person_min).sum();
    let arrivals: f64 = types.iter().map(|(w, d)| w * d.arrivals).sum();
    let by_arrivals = |f: &dyn Fn(&DayWait) -> f64| -> f64 {
        if arrivals > 0.0 {
            types
                .iter()
                .map(|(w, d)| w * d.arrivals * f(d))
                .sum::<f64>()
                / arrivals
        } else {
            0.0
        }
    };
    Some(DayWait {
        sessions: Vec::new(),
        person_min,
        arrivals,
        mean_wait_min: if arrivals > 0.0 {
            person_min / arrivals
        } else {
            0.0
        },
        p_wait: by_arrivals(&|d| d.p_wait),
        p90_min: by_arrivals(&|d| d.p90_min),
        worst_slot_wait_min: worst_position(types),
    })
}

/// Flows per pool, self-service users per slot and back-office minutes per week for a
/// choice of channel per matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Flows {
    pub pools: Vec<Flow>,
    pub self_service: Vec<f64>,
    pub backoffice_min_week: f64,
}

/// Where one matter's arrivals go under a channel: (pool, arrivals per slot, handle, cs²).
pub fn routes(
    model: &HallModel,
    m: usize,
    ch: Channel,
    policy: &Policy,
) -> Vec<(usize, Vec<f64>, f64, f64)> {
    let md = &model.matters[m];
    let Some(pool) = model.pool_of(md, ch) else {
        return Vec::new();
    };
    match ch {
        Channel::Counter => vec![(pool, md.lambda.clone(), md.handle_min, md.cs2)],
        Channel::Joint => vec![(
            pool,
            md.lambda.clone(),
            md.handle_min * (1.0 + policy.joint_slowdown),
            md.cs2,
        )],
        Channel::Online => {
            let rest = 1.0 - md.online_share;
            if rest <= 0.0 {
                return Vec::new();
            }
            // Walk-ins served at a joint window take its cross-department time too.
            let slowdown = match model.pools[pool].kind {
                PoolKind::Joint(_) => 1.0 + policy.joint_slowdown,
                _ => 1.0,
            };
            vec![(
                pool,
                md.lambda.iter().map(|l| l * rest).collect(),
                md.handle_min * slowdown,
                md.cs2,
            )]
        }
        // The comprehensive window: the whole in-person demand, served by staff who
        // handle every department's matters, so more slowly.
        Channel::General => vec![(
            pool,
            md.lambda.clone(),
            md.handle_min * (1.0 + policy.general_slowdown),
            md.cs2,
        )],
        Channel::BackOffice => {
            let intake = intake_min(model, m);
            if intake <= 0.0 {
                return Vec::new();
            }
            // Intake is a short, regular task.
            vec![(pool, md.lambda.clone(), intake, 0.5)]
        }
    }
}

fn intake_min(model: &HallModel, m: usize) -> f64 {
    model.intake[m]
}

pub fn self_service_users(model: &HallModel, m: usize, ch: Channel, policy: &Policy) -> Vec<f64> {
    let md = &model.matters[m];
    match ch {
        Channel::Online => md
            .lambda
            .iter()
            .map(|l| l * md.online_share * policy.self_service_share)
            .collect(),
        _ => vec![0.0; md.lambda.len()],
    }
}

pub fn backoffice_work(model: &HallModel, m: usize, ch: Channel) -> f64 {
    let md = &model.matters[m];
    if ch == Channel::BackOffice {
        md.weekly_volume * md.handle_min
    } else {
        0.0
    }
}

/// The weekday factors of matter `m`'s department, when the model plans each weekday.
pub fn weekday_factors(model: &HallModel, m: usize) -> Option<&[f64]> {
    let w = model.week.as_ref()?;
    w.factor.get(model.matters[m].department).map(Vec::as_slice)
}

pub fn flows(model: &HallModel, channels: &[Channel], policy: &Policy) -> Flows {
    let slots = model.slots();
    let mut pools = vec![Flow::for_model(model); model.pools.len()];
    let mut self_service = vec![0.0; slots];
    let mut work = 0.0;
    for (m, &ch) in channels.iter().enumerate() {
        let factors = weekday_factors(model, m);
        for (p, lambda, s, cs2) in routes(model, m, ch, policy) {
            for (h, l) in lambda.iter().enumerate() {
                pools[p].add_matter(h, *l, s, cs2, factors);
            }
        }
        for (h, u) in self_service_users(model, m, ch, policy).iter().enumerate() {
            self_service[h] += u;
        }
        work += backoffice_work(model, m, ch);
    }
    Flows {
        pools,
        self_service,
        backoffice_min_week: work,
    }
}

/// A pool evaluated with n windows and a calibration factor on waits.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PoolEval {
    pub windows: u32,
    pub arrivals_per_day: f64,
    pub peak_load: f64,
    /// Peak offered load over the windows: above 1 the peak hour builds a backlog.
    pub peak_utilisation: f64,
    pub mean_wait: Option<f64>,
    pub p90_wait: Option<f64>,
    pub worst_hour_wait: Option<f64>,
}

/// A pool with `n` windows all day, waits calibrated by `k`.
pub fn eval_pool(flow: &Flow, n: u32, k: f64) -> PoolEval {
    let day = flow.day_wait(|_| n);
    let (mean_wait, worst_hour_wait, p90_wait) = calibrated(day.as_ref(), k);
    PoolEval {
        windows: n,
        arrivals_per_day: flow.arrivals_per_day(),
        peak_load: flow.peak_load(),
        peak_utilisation: utilisation(flow.peak_load(), f64::from(n)),
        mean_wait,
        p90_wait,
        worst_hour_wait,
    }
}

/// (mean, worst slot, p90) of a day, times `k`; `None` where the day never ends (people
/// arrive and no window opens); zeros when nobody arrives.
fn calibrated(day: Option<&DayWait>, k: f64) -> (Option<f64>, Option<f64>, Option<f64>) {
    match day {
        None => (Some(0.0), Some(0.0), Some(0.0)),
        Some(d) if !d.mean_wait_min.is_finite() => (None, None, None),
        Some(d) => (
            Some(d.mean_wait_min * k),
            Some(d.worst_slot_wait_min * k),
            Some(d.p90_min * k),
        ),
    }
}

fn utilisation(load: f64, servers: f64) -> f64 {
    if servers > 0.0 {
        load / servers
    } else if load > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Today's hall as it ran: each open day's session(s) with the whole windows the tickets
/// show on duty per slot that day (`days`: (number of days, windows per slot) for each
/// distinct staffing pattern), at the typical day's arrivals — never a blend of
/// fractional averages. The day waits are pooled by arrivals; the p90 and the worst slot
/// are the day-weighted averages of each pattern's.
///
/// `days` holds (days, weekday type, windows per slot); the weekday type picks the
/// weekday's arrivals when the flow plans each weekday (`--slots week`).
pub fn eval_pool_staffed(flow: &Flow, days: &[(f64, usize, Vec<u32>)], k: f64) -> PoolEval {
    let mut person_min = 0.0;
    let mut arrivals = 0.0;
    let mut p90 = 0.0;
    let mut worst = vec![0.0; flow.lambda.len()];
    let mut weight = 0.0;
    let mut finite = true;
    for (w, day_type, windows) in days {
        let Some(d) = flow.day_wait_on(*day_type, |h| windows.get(h).copied().unwrap_or(0)) else {
            continue;
        };
        if !d.mean_wait_min.is_finite() {
            finite = false;
            continue;
        }
        person_min += w * d.person_min;
        arrivals += w * d.arrivals;
        p90 += w * d.p90_min;
        weight += w;
        let mut h = 0;
        for session in &d.sessions {
            for slot in &session.slots {
                worst[h] += w * slot.mean_wait_min;
                h += 1;
            }
        }
    }
    let peak_servers = days
        .iter()
        .flat_map(|(_, _, v)| v.iter().copied())
        .max()
        .unwrap_or(0);
    let (mean_wait, worst_hour_wait, p90_wait) = if flow.arrivals_per_day() <= 0.0 {
        (Some(0.0), Some(0.0), Some(0.0))
    } else if !finite || weight <= 0.0 || arrivals <= 0.0 {
        (None, None, None)
    } else {
        let worst = worst.iter().copied().fold(0.0, f64::max) / weight;
        (
            Some(person_min / arrivals * k),
            Some(worst * k),
            Some(p90 / weight * k),
        )
    };
    // Utilisation against the windows on duty on an average day in the peak slot.
    let total: f64 = days.iter().map(|(w, _, _)| w).sum();
    let peak_h = (0..flow.load.len())
        .max_by(|&a, &b| flow.erlangs(a).total_cmp(&flow.erlangs(b)))
        .unwrap_or(0);
    let mean_servers = days
        .iter()
        .map(|(w, _, v)| w * f64::from(v.get(peak_h).copied().unwrap_or(0)))
        .sum::<f64>()
        / total.max(1e-12);
    PoolEval {
        windows: peak_servers,
        arrivals_per_day: flow.arrivals_per_day(),
        peak_load: flow.peak_load(),
        peak_utilisation: utilisation(flow.peak_load(), mean_servers),
        mean_wait,
        p90_wait,
        worst_hour_wait,
    }
}
