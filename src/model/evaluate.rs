//! Evaluating a configuration: per pool and slot, arrivals and load from the channels
//! chosen, then the Allen–Cunneen waits (SIPP: each hour stationary, arrival-weighted).

use super::{Channel, HallModel, Policy};
use crate::queueing::{erlang_c, Station};

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
            vec![(
                pool,
                md.lambda.iter().map(|l| l * rest).collect(),
                md.handle_min,
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
    pub peak_utilisation: f64,
    pub mean_wait: Option<f64>,
    pub p90_wait: Option<f64>,
    pub worst_hour_wait: Option<f64>,
}

fn station(flow: &Flow, h: usize, n: u32) -> Station {
    let (s, cs2) = flow.mix(h);
    Station {
        servers: n,
        arrivals_per_hour: flow.lambda[h],
        handle_min: s,
        cs2,
    }
}

pub fn eval_pool(flow: &Flow, n: u32, k: f64) -> PoolEval {
    let total = flow.arrivals_per_day();
    let mut weighted = 0.0;
    let mut worst: Option<f64> = Some(0.0);
    let mut stable = true;
    for h in 0..flow.lambda.len() {
        if flow.lambda[h] <= 0.0 {
            continue;
        }
        match station(flow, h, n).mean_wait() {
            Some(w) => {
                weighted += flow.lambda[h] * w * k;
                worst = worst.map(|x| x.max(w * k));
            }
            None => stable = false,
        }
    }
    let mean = if !stable {
        None
    } else if total > 0.0 {
        Some(weighted / total)
    } else {
        Some(0.0)
    };
    PoolEval {
        windows: n,
        arrivals_per_day: total,
        peak_load: flow.peak_load(),
        peak_utilisation: if n > 0 {
            flow.peak_load() / f64::from(n)
        } else if flow.peak_load() > 0.0 {
            f64::INFINITY
        } else {
            0.0
        },
        mean_wait: mean,
        p90_wait: if stable { p90(flow, n, k) } else { None },
        worst_hour_wait: if stable { worst } else { None },
    }
}

/// The 90th percentile of the day's waits: t with Σ_h λ_h P_h(W > t) = 0.1 Σ λ_h, where
/// P_h(W > t) = C·exp(−(c − a)·t / (k·s̄·(1 + cs²)/2)) (the calibration stretches time).
fn p90(flow: &Flow, n: u32, k: f64) -> Option<f64> {
    let total = flow.arrivals_per_day();
    if total <= 0.0 {
        return Some(0.0);
    }
    let tail = |t: f64| -> f64 {
        (0..flow.lambda.len())
            .filter(|&h| flow.lambda[h] > 0.0)
            .map(|h| {
                let (s, cs2) = flow.mix(h);
                let a = flow.load[h];
                let c = erlang_c(n, a);
                flow.lambda[h] * c * (-(f64::from(n) - a) * t / (k * s * (1.0 + cs2) / 2.0)).exp()
            })
            .sum::<f64>()
            / total
    };
    if tail(0.0) <= 0.1 {
        return Some(0.0);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while tail(hi) > 0.1 {
        hi *= 2.0;
        if hi > 1e6 {
            return None;
        }
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if tail(mid) > 0.1 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

/// Mean wait with a fractional number of servers: staffed windows averaged over days
/// (linear between the neighbouring whole numbers).
fn wait_fractional(flow: &Flow, h: usize, servers: f64) -> Option<f64> {
    let lo = servers.floor().max(0.0) as u32;
    let frac = servers - f64::from(lo);
    let at = |n: u32| station(flow, h, n).mean_wait();
    if frac < 1e-9 {
        return at(lo);
    }
    match (at(lo), at(lo + 1)) {
        (Some(a), Some(b)) => Some(a + (b - a) * frac),
        (None, Some(b)) if frac >= 0.5 => Some(b),
        _ => None,
    }
}

/// Today's hall as it ran: each hour with the windows that were actually staffed (read
/// from the tickets), not the whole inventory.
pub fn eval_pool_staffed(flow: &Flow, servers: &[f64], k: f64) -> PoolEval {
    let total = flow.arrivals_per_day();
    let mut weighted = 0.0;
    let mut worst: f64 = 0.0;
    let mut stable = true;
    for h in 0..flow.lambda.len() {
        if flow.lambda[h] <= 0.0 {
            continue;
        }
        // An hour the formula finds overloaded with the staffed windows had a queue that
        // built and drained within the session; it is evaluated at the fewest whole windows
        // that carry it (a steady state cannot describe it).
        let staffed = servers
            .get(h)
            .copied()
            .unwrap_or(0.0)
            .max(flow.load[h].floor() + 1.0);
        match wait_fractional(flow, h, staffed) {
            Some(w) => {
                weighted += flow.lambda[h] * w * k;
                worst = worst.max(w * k);
            }
            None => stable = false,
        }
    }
    let peak_servers = servers.iter().copied().fold(0.0, f64::max);
    let n = peak_servers.round() as u32;
    PoolEval {
        windows: n,
        arrivals_per_day: total,
        peak_load: flow.peak_load(),
        peak_utilisation: if peak_servers > 0.0 {
            flow.peak_load() / peak_servers
        } else {
            f64::INFINITY
        },
        mean_wait: if !stable {
            None
        } else if total > 0.0 {
            Some(weighted / total)
        } else {
            Some(0.0)
        },
        p90_wait: if stable { p90(flow, n.max(1), k) } else { None },
        worst_hour_wait: stable.then_some(worst),
    }
}
