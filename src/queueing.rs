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
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tol: f64) -> bool {
        (actual - expected).abs() <= tol
    }

    fn assert_close(actual: f64, expected: f64, tol: f64) {
        assert!(
            close(actual, expected, tol),
            "expected {expected}, got {actual} (tol {tol})"
        );
    }

    fn station(servers: u32, arrivals_per_hour: f64, handle_min: f64, cs2: f64) -> Station {
        Station {
            servers,
            arrivals_per_hour,
            handle_min,
            cs2,
        }
    }

    /// Station with s = 1 min, cs² = 1 (so the load equals λ/60).
    fn mmc(servers: u32, load: f64) -> Station {
        station(servers, load * 60.0, 1.0, 1.0)
    }

    fn some(x: Option<f64>) -> f64 {
        x.expect("expected a value for a stable station")
    }

    /// Erlang C by the closed-form sum, independent of the recursion.
    fn erlang_c_by_sum(c: u32, a: f64) -> f64 {
        let mut term = 1.0; // a^k / k!
        let mut below = 0.0; // Σ_{k<c} a^k / k!
        for k in 0..c {
            below += term;
            term *= a / f64::from(k + 1);
        }
        let top = term * f64::from(c) / (f64::from(c) - a);
        top / (below + top)
    }

    #[test]
    fn erlang_b_known_values() {
        assert_close(erlang_b(0, 3.0), 1.0, 1e-15);
        assert_close(erlang_b(1, 1.0), 0.5, 1e-15);
        assert_close(erlang_b(2, 1.0), 0.2, 1e-15);
        assert_close(erlang_b(3, 2.0), 4.0 / 19.0, 1e-15);
        assert_close(erlang_b(5, 0.0), 0.0, 0.0);
        assert_close(erlang_b(5, f64::INFINITY), 1.0, 0.0);
    }

    #[test]
    fn single_server_at_half_load_waits_half_the_time_for_one_service() {
        let st = mmc(1, 0.5);
        assert_close(st.p_wait(), 0.5, 1e-12);
        assert_close(some(st.mean_wait()), 1.0, 1e-12);
    }

    #[test]
    fn two_servers_at_one_erlang() {
        let st = mmc(2, 1.0);
        assert_close(st.p_wait(), 1.0 / 3.0, 1e-12);
        assert_close(some(st.mean_wait()), 1.0 / 3.0, 1e-12);
    }

    #[test]
    fn ten_servers_at_eight_erlangs_matches_the_closed_form_sum() {
        let c = erlang_c(10, 8.0);
        assert_close(c, 0.40918, 5e-6);
        assert_close(c, erlang_c_by_sum(10, 8.0), 1e-12);
    }

    #[test]
    fn erlang_c_matches_closed_form_on_a_grid() {
        for c in 1..=40 {
            for i in 0..20 {
                let a = f64::from(c) * f64::from(i) / 20.0;
                assert_close(erlang_c(c, a), erlang_c_by_sum(c, a), 1e-12);
            }
        }
    }

    #[test]
    fn erlang_c_is_one_when_unstable_or_without_servers() {
        assert_eq!(erlang_c(0, 0.0), 1.0);
        assert_eq!(erlang_c(0, 2.0), 1.0);
        assert_eq!(erlang_c(3, 3.0), 1.0);
        assert_eq!(erlang_c(3, 7.5), 1.0);
        assert_eq!(erlang_c(3, 0.0), 0.0);
    }

    #[test]
    fn offered_load_is_arrivals_times_handle_over_sixty() {
        assert_close(offered_load(200.0, 3.0), 10.0, 1e-12);
        assert_close(offered_load(0.0, 3.0), 0.0, 0.0);
    }

    /// pyworkforce ErlangC example: 100 calls / 30 min, 3 min AHT, 20 s target.
    #[test]
    fn pyworkforce_published_case() {
        let target = 20.0 / 60.0;
        let with13 = station(13, 200.0, 3.0, 1.0);
        assert_close(some(with13.service_level(target)), 0.7956, 5e-5);

        let with14 = station(14, 200.0, 3.0, 1.0);
        assert_close(with14.p_wait(), 0.174132, 5e-7);
        assert_close(some(with14.service_level(target)), 0.88835, 5e-6);
        assert_close(some(with14.mean_wait()) * 60.0, 7.84, 5e-3);
        assert_close(with14.utilisation(), 0.714, 5e-4);
        assert_eq!(
            min_servers_for_service_level(10.0, 3.0, 1.0, 0.8, target, 0.85),
            14
        );
    }

    /// Defaults of a public Allen–Cunneen calculator: λ = 3.5/min, s = 3, c = 13.
    #[test]
    fn allen_cunneen_calculator_defaults() {
        let st = station(13, 210.0, 3.0, 1.0);
        assert_close(st.utilisation(), 0.808, 5e-4);
        assert_close(st.p_wait(), 0.3688, 5e-5);
        assert_close(some(st.mean_wait()) * 60.0, 26.56, 5e-3);
    }

    #[test]
    fn handle_time_variability_scales_the_wait_by_the_allen_cunneen_factor() {
        let exponential = some(station(4, 120.0, 1.5, 1.0).mean_wait());
        let deterministic = some(station(4, 120.0, 1.5, 0.0).mean_wait());
        let erratic = some(station(4, 120.0, 1.5, 3.0).mean_wait());
        assert_close(deterministic, 0.5 * exponential, 1e-12);
        assert_close(erratic, 2.0 * exponential, 1e-12);
    }

    #[test]
    fn unstable_and_empty_stations() {
        let overloaded = station(3, 120.0, 1.5, 1.0); // a = 3
        assert!(!overloaded.is_stable());
        assert_eq!(overloaded.p_wait(), 1.0);
        assert_eq!(overloaded.mean_wait(), None);
        assert_eq!(overloaded.service_level(1.0), None);
        assert_eq!(overloaded.wait_quantile(0.9), None);
        assert_eq!(overloaded.waiting_rate(), None);

        let unstaffed = station(0, 10.0, 2.0, 1.0);
        assert_eq!(unstaffed.utilisation(), f64::INFINITY);
        assert_eq!(unstaffed.mean_wait(), None);

        let quiet = station(0, 0.0, 2.0, 1.0);
        assert!(quiet.is_stable());
        assert_eq!(quiet.utilisation(), 0.0);
        assert_eq!(quiet.p_wait(), 0.0);
        assert_eq!(quiet.mean_wait(), Some(0.0));
        assert_eq!(quiet.service_level(0.5), Some(1.0));
        assert_eq!(quiet.wait_quantile(0.9), Some(0.0));
        assert_eq!(quiet.waiting_rate(), Some(0.0));
    }

    #[test]
    fn service_level_at_zero_is_the_share_not_waiting() {
        let st = station(5, 150.0, 1.6, 1.4);
        assert_close(some(st.service_level(0.0)), 1.0 - st.p_wait(), 1e-15);
        assert_close(some(st.service_level(-1.0)), 1.0 - st.p_wait(), 1e-15);
    }

    #[test]
    fn wait_quantile_inverts_the_service_level() {
        let st = station(5, 150.0, 1.6, 1.4); // a = 4, C ≈ 0.55
        for q in [0.5, 0.8, 0.9, 0.95, 0.99] {
            let t = some(st.wait_quantile(q));
            assert!(t > 0.0);
            assert_close(some(st.service_level(t)), q, 1e-12);
        }
        // Fewer than 1 − q wait at all, so the quantile is 0.
        let light = station(5, 60.0, 1.0, 1.0);
        assert!(light.p_wait() < 0.1);
        assert_eq!(light.wait_quantile(0.9), Some(0.0));
        assert_eq!(st.wait_quantile(1.0), None);
        assert_eq!(st.wait_quantile(-0.1), None);
    }

    #[test]
    fn waiting_rate_is_arrivals_times_mean_wait() {
        let st = station(6, 200.0, 1.5, 0.7);
        let expected = 200.0 * some(st.mean_wait());
        assert_close(some(st.waiting_rate()), expected, 1e-9);
        let phi = some(waiting_rate_at_load(6, st.load(), 1.5, 0.7));
        assert_close(phi, expected, 1e-9);
    }

    #[test]
    fn large_pools_stay_finite() {
        for (c, a) in [(500, 480.0), (5_000, 4_990.0), (20_000, 19_000.0)] {
            let b = erlang_b(c, a);
            let p = erlang_c(c, a);
            assert!(b.is_finite() && (0.0..=1.0).contains(&b), "B = {b}");
            assert!(p.is_finite() && (0.0..=1.0).contains(&p), "C = {p}");
            let w = some(mean_wait_at(c, a, 2.0, 1.0));
            assert!(w.is_finite() && w >= 0.0);
        }
        assert_close(erlang_c(500, 480.0), erlang_c_by_sum(500, 480.0), 1e-9);
    }

    /// Wq increases with the load: C(c, a) and 1/(c − a) both do, and both are
    /// positive. The bisections rely on it.
    #[test]
    fn mean_wait_increases_with_load() {
        for c in 1..=30 {
            let mut last = 0.0;
            for i in 1..200 {
                let a = f64::from(c) * f64::from(i) / 200.0;
                let w = some(mean_wait_at(c, a, 2.5, 0.8));
                assert!(w > last, "c={c} a={a}: {w} <= {last}");
                last = w;
            }
        }
    }

    /// φ_c is a positive multiple of the M/M/c queue length Lq, which is convex
    /// in the load; tangent cuts are only valid lower bounds if this holds.
    #[test]
    fn waiting_rate_is_convex_in_load() {
        for c in 1..=30 {
            let n = 300;
            let h = f64::from(c) / f64::from(n);
            let phi = |i: u32| some(waiting_rate_at_load(c, h * f64::from(i), 2.0, 1.3));
            let slope = |i: u32| some(waiting_rate_slope(c, h * f64::from(i), 2.0, 1.3));
            for i in 1..n - 1 {
                let second = phi(i + 1) - 2.0 * phi(i) + phi(i - 1);
                assert!(second >= -1e-9 * phi(i + 1), "c={c} i={i}: {second}");
                assert!(slope(i + 1) >= slope(i), "c={c} i={i}");
            }
            assert!(slope(0) >= 0.0);
        }
    }

    #[test]
    fn slope_matches_a_central_difference() {
        for c in [1, 2, 3, 7, 15, 40, 120] {
            for frac in [0.0, 0.05, 0.3, 0.6, 0.85, 0.95, 0.99] {
                let cf = f64::from(c);
                let a = frac * cf;
                let h = 1e-5 * (cf - a).min(1.0);
                let phi = |x: f64| some(waiting_rate_at_load(c, x, 3.0, 0.5));
                let slope = some(waiting_rate_slope(c, a, 3.0, 0.5));
                let numeric = if a == 0.0 {
                    (4.0 * phi(h) - 3.0 * phi(0.0) - phi(2.0 * h)) / (2.0 * h)
                } else {
                    (phi(a + h) - phi(a - h)) / (2.0 * h)
                };
                let tol = 1e-5 * slope.abs().max(1.0);
                assert!(
                    close(slope, numeric, tol),
                    "c={c} a={a}: {slope} vs {numeric}"
                );
            }
        }
    }

    #[test]
    fn waiting_rate_at_load_edge_cases() {
        assert_eq!(waiting_rate_at_load(3, 3.0, 2.0, 1.0), None);
        assert_eq!(waiting_rate_at_load(0, 0.0, 2.0, 1.0), None);
        assert_eq!(waiting_rate_at_load(3, 1.0, 0.0, 1.0), None);
        assert_eq!(waiting_rate_at_load(3, 0.0, 2.0, 1.0), Some(0.0));
        assert_eq!(waiting_rate_slope(3, 4.0, 2.0, 1.0), None);
        // Single server near 0: φ ≈ 60·a², so the slope starts at 0.
        assert_close(some(waiting_rate_slope(1, 0.0, 2.0, 1.0)), 0.0, 1e-15);
    }

    /// Deterministic, irregular parameter grid for the inversion properties.
    fn grid() -> Vec<(u32, f64, f64, f64, f64)> {
        let mut out = Vec::new();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..150 {
            let c = 1 + (next() * 40.0) as u32;
            let handle = 0.5 + 9.5 * next();
            let cs2 = 2.0 * next();
            let target = 0.05 + 5.0 * next();
            let max_util = if next() < 0.5 {
                1.0
            } else {
                0.7 + 0.25 * next()
            };
            out.push((c, handle, cs2, target, max_util));
        }
        out
    }

    #[test]
    fn max_load_for_mean_wait_is_the_largest_feasible_load() {
        for (c, s, cs2, target, u) in grid() {
            let a = max_load_for_mean_wait(c, s, cs2, target, u);
            let cf = f64::from(c);
            assert!(a > 0.0 && a <= u * cf && a < cf);
            assert!(some(mean_wait_at(c, a, s, cs2)) <= target);
            if a < u * cf * (1.0 - 1e-7) {
                let more = a * (1.0 + 1e-6);
                assert!(some(mean_wait_at(c, more, s, cs2)) > target, "c={c}");
            }
        }
    }

    #[test]
    fn max_load_for_service_level_is_the_largest_feasible_load() {
        for (c, s, cs2, within, u) in grid() {
            let level = 0.5 + 0.45 * (within / 5.05);
            let a = max_load_for_service_level(c, s, cs2, level, within, u);
            let cf = f64::from(c);
            assert!(a > 0.0 && a <= u * cf && a < cf);
            assert!(some(service_level_at(c, a, s, cs2, within)) >= level);
            if a < u * cf * (1.0 - 1e-7) {
                let more = a * (1.0 + 1e-6);
                assert!(some(service_level_at(c, more, s, cs2, within)) < level);
            }
        }
    }

    #[test]
    fn max_load_edge_cases() {
        assert_eq!(max_load_for_mean_wait(0, 2.0, 1.0, 1.0, 1.0), 0.0);
        assert_eq!(max_load_for_mean_wait(5, 2.0, 1.0, -1.0, 1.0), 0.0);
        assert_eq!(max_load_for_mean_wait(5, 2.0, 1.0, 0.0, 1.0), 0.0);
        assert_eq!(max_load_for_service_level(0, 2.0, 1.0, 0.8, 0.3, 1.0), 0.0);
        // A generous wait target leaves the utilisation cap binding.
        assert_close(max_load_for_mean_wait(10, 2.0, 1.0, 1e6, 0.8), 8.0, 1e-12);
    }

    #[test]
    fn min_servers_for_mean_wait_is_the_smallest_that_works() {
        let works = |c: u32, a: f64, s: f64, cs2: f64, target: f64, u: f64| {
            a <= u * f64::from(c) && mean_wait_at(c, a, s, cs2).is_some_and(|w| w <= target)
        };
        for (c0, s, cs2, target, u) in grid() {
            let a = f64::from(c0) * 0.83 + 0.1;
            let c = min_servers_for_mean_wait(a, s, cs2, target, u);
            assert!(works(c, a, s, cs2, target, u), "a={a} c={c}");
            assert!(!works(c - 1, a, s, cs2, target, u), "a={a} c={c}");
        }
    }

    #[test]
    fn min_servers_for_service_level_is_the_smallest_that_works() {
        let works = |c: u32, a: f64, s: f64, cs2: f64, level: f64, t: f64, u: f64| {
            a <= u * f64::from(c) && service_level_at(c, a, s, cs2, t).is_some_and(|sl| sl >= level)
        };
        for (c0, s, cs2, within, u) in grid() {
            let a = f64::from(c0) * 0.9 + 0.05;
            let level = 0.6 + 0.35 * (within / 5.05);
            let c = min_servers_for_service_level(a, s, cs2, level, within, u);
            assert!(works(c, a, s, cs2, level, within, u), "a={a} c={c}");
            assert!(!works(c - 1, a, s, cs2, level, within, u), "a={a} c={c}");
        }
    }

    #[test]
    fn min_servers_edge_cases() {
        assert_eq!(min_servers_for_mean_wait(0.0, 2.0, 1.0, 1.0, 0.9), 0);
        assert_eq!(
            min_servers_for_service_level(0.0, 2.0, 1.0, 0.8, 0.3, 0.9),
            0
        );
        assert_eq!(min_servers_for_mean_wait(3.0, 2.0, 1.0, 0.0, 0.9), u32::MAX);
        assert_eq!(min_servers_for_mean_wait(3.0, 2.0, 1.0, 1.0, 0.0), u32::MAX);
        assert_eq!(
            min_servers_for_service_level(3.0, 2.0, 1.0, 1.0, 0.3, 0.9),
            u32::MAX
        );
        // A lax target leaves the utilisation cap binding: ceil(7.2 / 0.8) = 9.
        assert_eq!(min_servers_for_mean_wait(7.2, 2.0, 1.0, 1e6, 0.8), 9);
        // Stability alone: 3 Erlangs need 4 servers.
        assert_eq!(min_servers_for_mean_wait(3.0, 2.0, 1.0, 1e6, 1.0), 4);
    }

    #[test]
    fn min_servers_and_max_load_agree() {
        for (c0, s, cs2, target, u) in grid() {
            let a = max_load_for_mean_wait(c0, s, cs2, target, u);
            let c = min_servers_for_mean_wait(a, s, cs2, target, u);
            assert_eq!(c, c0, "a={a}");
        }
    }

    #[test]
    fn sipp_weights_slots_by_arrivals() {
        let slots = [(100.0, Some(1.0)), (300.0, Some(2.0)), (0.0, None)];
        assert_close(some(sipp_mean_wait(&slots)), 1.75, 1e-15);
        assert_eq!(sipp_mean_wait(&[(10.0, Some(1.0)), (5.0, None)]), None);
        assert_eq!(sipp_mean_wait(&[(0.0, None), (0.0, Some(3.0))]), Some(0.0));
        assert_eq!(sipp_mean_wait(&[]), Some(0.0));
    }
}
