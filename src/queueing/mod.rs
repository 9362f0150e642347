//! Steady-state queueing formulas for a pool of identical service windows.
//!
//! * Erlang B by the numerically stable recursion `B_0 = 1`,
//!   `B_k = a·B_{k−1} / (k + a·B_{k−1})`, and Erlang C (the M/M/c probability
//!   of waiting) from it: `C = c·B / (c − a·(1 − B))` (Erlang, 1917).
//! * Mean wait in queue for M/G/c by the Allen–Cunneen approximation:
//!   `Wq = C · s / (c − a) · (1 + cs²) / 2` (Allen, *Probability, Statistics
//!   and Queueing Theory*, 1990), with the matching exponential tail
//!   `P(Wq > t) ≈ C · exp(−(c − a)·t / (s·(1 + cs²)/2))`, its quantiles and the
//!   service level `SL(t) = 1 − P(Wq > t)`.
//! * Time-varying demand is handled by SIPP, the stationary independent
//!   period-by-period approach (Green, Kolesar & Soares, "Improving the SIPP
//!   approach for staffing service systems that have cyclic demands",
//!   *Operations Research* 49(4), 2001): each slot is solved as a stationary
//!   queue and the slot waits are averaged with arrival weights.
//!
//! Units: arrivals per hour, handling and waiting times in minutes, load in
//! Erlangs (`a = λ·s/60`). With `cs² = 1` every formula is exact M/M/c.

pub mod staffing;

pub use crate::units::{Erlangs, Minutes, PerHour};

/// The capacity inversions stop once the bracket is this small relative to its top.
const BISECTION_REL_TOL: f64 = 1e-9;
/// Hard cap on bisection steps, so a target only met at load 0 still terminates.
const BISECTION_MAX_STEPS: u32 = 200;
/// The server searches give up (and return `u32::MAX`) past this many servers.
const MAX_SERVERS_SEARCHED: u32 = 1 << 20;

/// `a < c`: the queue settles. False for a NaN load, so bad input reads as unstable.
fn is_stable_load(c: u32, a: Erlangs) -> bool {
    a < f64::from(c)
}

/// `x > 0`, false for NaN.
fn is_positive(x: f64) -> bool {
    x > 0.0
}

/// Erlang B blocking probability of `c` servers offered `a` Erlangs.
///
/// Negative loads count as 0; an infinite load blocks everything.
pub fn erlang_b(c: u32, a: Erlangs) -> f64 {
    erlang_b_pair(c, a).1
}

/// `(B_{c−1}, B_c)`. The slope needs `B_{c−1}` to evaluate `c·B_c/a` without
/// dividing by `a` (see [`waiting_rate_slope`]). For `c = 0` both are `B_0 = 1`.
fn erlang_b_pair(c: u32, a: Erlangs) -> (f64, f64) {
    if a.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    if a == f64::INFINITY {
        return (1.0, 1.0);
    }
    let a = a.max(0.0);
    // The textbook form a^c/c! / Σ a^k/k! overflows for c in the hundreds;
    // this recursion only ever handles numbers in [0, 1].
    let mut prev = 1.0;
    let mut b = 1.0;
    for k in 1..=c {
        prev = b;
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
    }
    (prev, b)
}

/// Erlang C: probability that an arrival has to wait (M/M/c).
///
/// 1.0 when the pool is unstable (`a >= c`, including `c = 0`).
pub fn erlang_c(c: u32, a: Erlangs) -> f64 {
    if a.is_nan() {
        return f64::NAN;
    }
    if c == 0 || a >= f64::from(c) {
        return 1.0;
    }
    let a = a.max(0.0);
    erlang_c_from_b(c, a, erlang_b(c, a))
}

/// Erlang C given Erlang B of the same `(c, a)`; needs `0 <= a < c`.
fn erlang_c_from_b(c: u32, a: Erlangs, b: f64) -> f64 {
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

/// Offered load in Erlangs: `λ·s/60`.
pub fn offered_load(arrivals_per_hour: PerHour, handle_min: Minutes) -> Erlangs {
    arrivals_per_hour * handle_min / 60.0
}

/// Allen–Cunneen time scale `s·(1 + cs²)/2`: the M/M/c waiting time is scaled
/// by the mean of the arrival (Poisson, cv² = 1) and service variabilities.
fn wait_scale(handle_min: Minutes, cs2: f64) -> Minutes {
    handle_min * (1.0 + cs2) / 2.0
}

/// `Wq` given the waiting probability; needs `a < c`.
fn mean_wait_given(c: u32, a: Erlangs, p_wait: f64, scale: Minutes) -> Minutes {
    p_wait * scale / (f64::from(c) - a)
}

/// `P(Wq > t)` given the waiting probability; needs `a < c`. Negative `t` counts as 0.
fn tail_given(c: u32, a: Erlangs, p_wait: f64, scale: Minutes, t: Minutes) -> f64 {
    if t <= 0.0 {
        // Also avoids 0/0 when the scale is 0.
        return p_wait;
    }
    p_wait * (-(f64::from(c) - a) * t / scale).exp()
}

/// Allen–Cunneen mean wait; `None` when unstable, `Some(0)` when there is no load.
fn mean_wait_at(c: u32, a: Erlangs, handle_min: Minutes, cs2: f64) -> Option<Minutes> {
    if a <= 0.0 {
        return Some(0.0);
    }
    if !is_stable_load(c, a) {
        return None; // unstable, or NaN
    }
    let p_wait = erlang_c(c, a);
    Some(mean_wait_given(c, a, p_wait, wait_scale(handle_min, cs2)))
}

/// `SL(within) = 1 − P(Wq > within)`; `None` when unstable.
fn service_level_at(
    c: u32,
    a: Erlangs,
    handle_min: Minutes,
    cs2: f64,
    within: Minutes,
) -> Option<f64> {
    if a <= 0.0 {
        return Some(1.0);
    }
    if !is_stable_load(c, a) {
        return None;
    }
    let p_wait = erlang_c(c, a);
    let tail = tail_given(c, a, p_wait, wait_scale(handle_min, cs2), within);
    Some(1.0 - tail)
}

/// A stationary pool: c servers, arrivals per hour, mean handle time, cs².
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Station {
    /// Number of open windows.
    pub servers: u32,
    /// Poisson arrival rate λ.
    pub arrivals_per_hour: PerHour,
    /// Mean handling time s.
    pub handle_min: Minutes,
    /// Squared coefficient of variation of the handling time (1 = exponential).
    pub cs2: f64,
}

impl Station {
    /// Offered load `a = λ·s/60`.
    pub fn load(&self) -> Erlangs {
        offered_load(self.arrivals_per_hour, self.handle_min)
    }

    /// Occupancy `a/c`: 0 with no load, infinite with load but no servers.
    pub fn utilisation(&self) -> f64 {
        let a = self.load();
        if a <= 0.0 {
            0.0
        } else if self.servers == 0 {
            f64::INFINITY
        } else {
            a / f64::from(self.servers)
        }
    }

    /// `a < c`, or no load at all (nobody ever queues).
    pub fn is_stable(&self) -> bool {
        let a = self.load();
        a <= 0.0 || is_stable_load(self.servers, a)
    }

    /// Erlang C probability of waiting; 0 with no load, 1 when unstable.
    pub fn p_wait(&self) -> f64 {
        let a = self.load();
        if a <= 0.0 {
            0.0
        } else {
            erlang_c(self.servers, a)
        }
    }

    /// Allen–Cunneen mean wait in queue. `None` when unstable; `Some(0.0)` with no arrivals.
    pub fn mean_wait(&self) -> Option<Minutes> {
        mean_wait_at(self.servers, self.load(), self.handle_min, self.cs2)
    }

    /// Smallest `t >= 0` with `P(Wq > t) <= 1 − q` (e.g. `q = 0.9` for the p90 wait).
    ///
    /// `None` when unstable or when `q` is outside `[0, 1)` (the q = 1 quantile
    /// of an exponential tail is infinite).
    pub fn wait_quantile(&self, q: f64) -> Option<Minutes> {
        if !(0.0..1.0).contains(&q) {
            return None;
        }
        let a = self.load();
        if a <= 0.0 {
            return Some(0.0);
        }
        let c = self.servers;
        if !is_stable_load(c, a) {
            return None;
        }
        let p_wait = erlang_c(c, a);
        let allowed = 1.0 - q;
        if p_wait <= allowed {
            return Some(0.0);
        }
        let scale = wait_scale(self.handle_min, self.cs2);
        Some((p_wait / allowed).ln() * scale / (f64::from(c) - a))
    }

    /// Share of arrivals served within `within` minutes; `None` when unstable.
    /// A negative `within` counts as 0 (the share not waiting at all).
    pub fn service_level(&self, within: Minutes) -> Option<f64> {
        service_level_at(self.servers, self.load(), self.handle_min, self.cs2, within)
    }

    /// Person-minutes of waiting per hour, `λ·Wq`; `None` when unstable.
    pub fn waiting_rate(&self) -> Option<f64> {
        if self.arrivals_per_hour <= 0.0 {
            return Some(0.0);
        }
        self.mean_wait().map(|w| self.arrivals_per_hour * w)
    }
}

/// `φ_c(a) = (60·a/s)·Wq(c, a)`: waiting person-minutes per hour as a function
/// of the load, for the MILP's tangent cuts.
///
/// `s` cancels: `φ = 30·(1 + cs²)·a·C(c, a)/(c − a)`, i.e. a positive multiple
/// of the M/M/c mean queue length `Lq(a)`, so φ is increasing and convex on
/// `[0, c)` (Grassmann 1983; Lee & Cohen 1983, convexity of M/M/c `Lq` in the
/// load). That is what makes outer tangent cuts valid lower bounds.
/// `None` when `a >= c` or when `handle_min` is not positive (no arrival rate
/// corresponds to the load then).
pub fn waiting_rate_at_load(c: u32, a: Erlangs, handle_min: Minutes, cs2: f64) -> Option<f64> {
    if !is_positive(handle_min) || !is_stable_load(c, a) {
        return None;
    }
    let a = a.max(0.0);
    let gap = f64::from(c) - a;
    Some(30.0 * (1.0 + cs2) * a * erlang_c(c, a) / gap)
}

/// Analytic `dφ/da` of [`waiting_rate_at_load`]; `None` in the same cases.
pub fn waiting_rate_slope(c: u32, a: Erlangs, handle_min: Minutes, cs2: f64) -> Option<f64> {
    if !is_positive(handle_min) || !is_stable_load(c, a) {
        return None;
    }
    let a = a.max(0.0);
    let cf = f64::from(c);
    let (b_prev, b) = erlang_b_pair(c, a);
    // dB/da = B·(c/a − 1 + B). The term c·B_c/a equals c·B_{c−1}/(c + a·B_{c−1})
    // by the recursion, which stays finite at a = 0.
    let c_b_over_a = cf * b_prev / (cf + a * b_prev);
    let db = c_b_over_a - b * (1.0 - b);
    // C = c·B/D with D = c − a·(1 − B), so D' = B − 1 + a·B'.
    let d = cf - a * (1.0 - b);
    let p_wait = cf * b / d;
    let dp_wait = cf * (db * d - b * (b - 1.0 + a * db)) / (d * d);
    // φ = k·a·C/g with g = c − a:  φ' = k·[(C + a·C')/g + a·C/g²].
    let gap = cf - a;
    let k = 30.0 * (1.0 + cs2);
    Some(k * ((p_wait + a * dp_wait) / gap + a * p_wait / (gap * gap)))
}

/// Largest load in `[0, c·min(max_utilisation, 1)]` passing `feasible`, which
/// must be monotone (true up to some load, false beyond). 0 if none.
fn max_load_where(c: u32, max_utilisation: f64, feasible: impl Fn(Erlangs) -> bool) -> Erlangs {
    let cap = f64::from(c) * max_utilisation.min(1.0);
    if !is_positive(cap) || !feasible(0.0) {
        return 0.0;
    }
    if feasible(cap) {
        return cap;
    }
    let (mut lo, mut hi) = (0.0, cap);
    for _ in 0..BISECTION_MAX_STEPS {
        if hi - lo <= BISECTION_REL_TOL * hi {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if feasible(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Capacity inversion: the largest load a (Erlangs) with c servers such that
/// `Wq(c, a) <= target_wait` and `a/c <= max_utilisation`.
///
/// Bisection to 1e-9 relative is valid because `Wq` is increasing in `a`
/// (see [`waiting_rate_at_load`]). 0 when `c == 0` or nothing is feasible
/// (e.g. a negative target).
pub fn max_load_for_mean_wait(
    c: u32,
    handle_min: Minutes,
    cs2: f64,
    target_wait: Minutes,
    max_utilisation: f64,
) -> Erlangs {
    max_load_where(c, max_utilisation, |a| {
        mean_wait_at(c, a, handle_min, cs2).is_some_and(|w| w <= target_wait)
    })
}

/// Same as [`max_load_for_mean_wait`] with a service-level target
/// `SL(within) >= level`; SL is decreasing in `a` because both `C` and the
/// tail factor `exp(−(c − a)·t/…)` increase with it.
pub fn max_load_for_service_level(
    c: u32,
    handle_min: Minutes,
    cs2: f64,
    level: f64,
    within: Minutes,
    max_utilisation: f64,
) -> Erlangs {
    max_load_where(c, max_utilisation, |a| {
        service_level_at(c, a, handle_min, cs2, within).is_some_and(|sl| sl >= level)
    })
}

/// Smallest stable `c` with `a/c <= max_utilisation` whose Erlang C passes `meets(c, C)`.
///
/// Walks `c` upwards carrying the Erlang B recursion, so the whole search
/// costs O(answer). Waits fall as `c` grows, so the first hit is the smallest.
fn min_servers_where(a: Erlangs, max_utilisation: f64, meets: impl Fn(u32, f64) -> bool) -> u32 {
    if a.is_nan() || a <= 0.0 {
        return 0;
    }
    if !a.is_finite() || !is_positive(max_utilisation) {
        return u32::MAX;
    }
    let mut b = 1.0;
    for c in 1..=MAX_SERVERS_SEARCHED {
        let ab = a * b;
        let cf = f64::from(c);
        b = ab / (cf + ab);
        if a < cf && a <= max_utilisation * cf && meets(c, erlang_c_from_b(c, a, b)) {
            return c;
        }
    }
    u32::MAX
}

/// Smallest `c` with `Wq <= target_wait` and `a/c <= max_utilisation`; 0 for `a = 0`.
///
/// `u32::MAX` when no server count can meet the target: a non-positive
/// target (any load waits a little), a non-positive `max_utilisation`, an
/// infinite load, or more than 2^20 servers needed.
pub fn min_servers_for_mean_wait(
    a: Erlangs,
    handle_min: Minutes,
    cs2: f64,
    target_wait: Minutes,
    max_utilisation: f64,
) -> u32 {
    if a > 0.0 && !is_positive(target_wait) {
        return u32::MAX;
    }
    let scale = wait_scale(handle_min, cs2);
    min_servers_where(a, max_utilisation, |c, p_wait| {
        mean_wait_given(c, a, p_wait, scale) <= target_wait
    })
}

/// Smallest `c` with `SL(within) >= level` and `a/c <= max_utilisation`; 0 for `a = 0`.
///
/// `u32::MAX` when unattainable: `level >= 1` (the tail is never exactly 0),
/// a non-positive `max_utilisation`, an infinite load, or more than 2^20 servers.
pub fn min_servers_for_service_level(
    a: Erlangs,
    handle_min: Minutes,
    cs2: f64,
    level: f64,
    within: Minutes,
    max_utilisation: f64,
) -> u32 {
    if a > 0.0 && (level >= 1.0 || level.is_nan()) {
        return u32::MAX;
    }
    let scale = wait_scale(handle_min, cs2);
    min_servers_where(a, max_utilisation, |c, p_wait| {
        1.0 - tail_given(c, a, p_wait, scale, within) >= level
    })
}

/// SIPP: arrival-weighted mean of per-slot mean waits, slots given as
/// `(arrivals_per_hour, mean_wait)`.
///
/// Weighting by arrivals makes this the wait of an average *person*, not of an
/// average slot. `None` if any slot with arrivals is unstable (`None` wait);
/// `Some(0.0)` if no slot has arrivals. Slots with no arrivals are ignored.
pub fn sipp_mean_wait(slots: &[(PerHour, Option<Minutes>)]) -> Option<Minutes> {
    let mut arrivals = 0.0;
    let mut weighted = 0.0;
    for &(rate, wait) in slots {
        if rate > 0.0 {
            arrivals += rate;
            weighted += rate * wait?;
        }
    }
    if arrivals > 0.0 {
        Some(weighted / arrivals)
    } else {
        Some(0.0)
    }
}

#[cfg(test)]
mod tests;
