//! Evaluating a configuration: per pool and slot, arrivals and load from the channels
//! chosen, then the Allen–Cunneen waits (SIPP: each hour stationary, arrival-weighted).

use super::session;
use super::{Channel, HallModel, Policy, PoolKind};

/// What reaches one pool, per slot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    /// Arrivals per hour.
    pub lambda: Vec<f64>,
    /// Offered load, Erlangs.
    pub load: Vec<f64>,
    /// Σ λ·E[S²] (min²/h), for the mixture's cs².
    pub second: Vec<f64>,
}

impl Flow {
    fn new(slots: usize) -> Flow {
        Flow {
            lambda: vec![0.0; slots],
            load: vec![0.0; slots],
            second: vec![0.0; slots],
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
    pub fn peak_load(&self) -> f64 {
        self.load.iter().copied().fold(0.0, f64::max)
    }
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

pub fn flows(model: &HallModel, channels: &[Channel], policy: &Policy) -> Flows {
    let slots = model.slots();
    let mut pools = vec![Flow::new(slots); model.pools.len()];
    let mut self_service = vec![0.0; slots];
    let mut work = 0.0;
    for (m, &ch) in channels.iter().enumerate() {
        for (p, lambda, s, cs2) in routes(model, m, ch, policy) {
            for (h, l) in lambda.iter().enumerate() {
                pools[p].add(h, *l, s, cs2);
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

/// The pool's day as a session with `servers(h)` windows open in slot h.
fn session_hours(flow: &Flow, servers: impl Fn(usize) -> f64) -> Vec<session::Hour> {
    (0..flow.lambda.len())
        .map(|h| {
            let (s, cs2) = flow.mix(h);
            session::Hour {
                arrivals_per_hour: flow.lambda[h],
                handle_min: s,
                cs2,
                servers: servers(h),
            }
        })
        .collect()
}

/// Mean, worst-hour and p90 waits of a session, calibrated by `k`. `None` when people
/// arrive but no window ever opens.
fn eval_session(
    flow: &Flow,
    hours: &[session::Hour],
    k: f64,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let total = flow.arrivals_per_day();
    if total <= 0.0 {
        return (Some(0.0), Some(0.0), Some(0.0));
    }
    if hours.iter().all(|h| h.servers <= 0.0) {
        return (None, None, None);
    }
    let waits = session::waits(hours);
    let mut weighted = 0.0;
    let mut worst: f64 = 0.0;
    // Per hour with arrivals: (arrivals, P(wait), mean wait of its arrivals).
    let mut tails = Vec::with_capacity(waits.len());
    for (h, w) in waits.iter().enumerate() {
        weighted += w.person_min * k;
        let lambda = flow.lambda[h];
        if lambda > 0.0 {
            let mean = w.person_min * k / lambda;
            worst = worst.max(mean);
            tails.push((lambda, w.p_wait, mean));
        }
    }
    (
        Some(weighted / total),
        Some(worst),
        Some(p90(&tails, total)),
    )
}

pub fn eval_pool(flow: &Flow, n: u32, k: f64) -> PoolEval {
    let hours = session_hours(flow, |_| f64::from(n));
    let (mean_wait, worst_hour_wait, p90_wait) = eval_session(flow, &hours, k);
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

fn utilisation(load: f64, servers: f64) -> f64 {
    if servers > 0.0 {
        load / servers
    } else if load > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The 90th percentile of the day's waits: t with Σ_h λ_h P_h(W > t) = 0.1 Σ λ_h, each
/// hour's waits exponential beyond P(wait): P_h(W > t) = P_h·exp(−t·P_h / W̄_h). For a
/// stationary hour this is the Allen–Cunneen tail C·exp(−(c − a)·t / (s·(1 + cs²)/2)).
fn p90(tails: &[(f64, f64, f64)], total: f64) -> f64 {
    let tail = |t: f64| -> f64 {
        tails
            .iter()
            .filter(|(_, p, mean)| *p > 0.0 && *mean > 0.0)
            .map(|&(lambda, p, mean)| lambda * p * (-t * p / mean).exp())
            .sum::<f64>()
            / total
    };
    if tail(0.0) <= 0.1 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while tail(hi) > 0.1 && hi < 1e9 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.1 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Today's hall as it ran: each hour with the windows that were actually staffed (read
/// from the tickets, averaged over days), not the whole inventory.
pub fn eval_pool_staffed(flow: &Flow, servers: &[f64], k: f64) -> PoolEval {
    let hours = session_hours(flow, |h| servers.get(h).copied().unwrap_or(0.0));
    let (mean_wait, worst_hour_wait, p90_wait) = eval_session(flow, &hours, k);
    let peak_servers = servers.iter().copied().fold(0.0, f64::max);
    PoolEval {
        windows: peak_servers.round() as u32,
        arrivals_per_day: flow.arrivals_per_day(),
        peak_load: flow.peak_load(),
        peak_utilisation: utilisation(flow.peak_load(), peak_servers),
        mean_wait,
        p90_wait,
        worst_hour_wait,
    }
}
