//! The transient session model of MODEL.md §3b: the M_t/M/c_t queue of a pool over a
//! session that opens empty, by uniformisation of the Kolmogorov forward equations.
//!
//! A session is a list of [`Slot`]s, each with its length (a 13:30–14:00 slot is 30
//! minutes), a Poisson arrival rate λ (constant within the slot) and a whole number of
//! windows c. The queue starts empty, people arrive only during the slots, and after the
//! last slot the queue drains with the last windows on duty. With s̄ the mean handling
//! time, N(t) (people in the hall: queued or at a window) is a birth–death process with
//! birth rate λ_h and death rate min(n, c_h)·μ, μ = 1/s̄. Everything reported is
//! person-minutes and minutes; every wait is the exponential model's times the
//! Allen–Cunneen factor (1 + cs²)/2 (see *Approximations*). The steady-state formulas
//! stay in [`crate::queueing`] (the `erlang` calculator); this module replaces
//! `model::session` (SIPP with carry-over) wherever the planner needs a wait.
//!
//! # What is computed
//! Per slot ([`SlotWait`]): expected arrivals; the waiting person-minutes spent in the
//! slot, ∫E[(N − c)⁺]dt over it; the mean wait of the slot's own arrivals (their virtual
//! waiting time: an arrival who finds n people waits Erlang(n − c + 1, cμ) under FCFS with
//! c windows); and the share of them who wait. Per session ([`SessionWait`]): the closing
//! drain, E[Q(Q + 1)]/(2cμ) over the closing distribution with Q = (N − c)⁺ (the j-th in
//! line waits j/(cμ) more; the positive part matters: N = c − 2 is not "two people
//! queued"); the session's waiting (slots + drain); its arrival-weighted mean wait by
//! Little (waiting ÷ arrivals); P(wait > 0); and the p90 of the wait over its arrivals
//! (the mixture of the slots' Erlang waits, inverted by bisection). A day ([`day`]) is its
//! sessions side by side.
//!
//! # Method
//! Per slot, with Λ = λ + cμ and P = I + Q/Λ, p_k = p(t_h)·P^k (one tridiagonal step per
//! k, two fused loops, no allocation: the buffers live in a thread-local workspace):
//! - ∫p(t)dt over the slot = Σ_k P(Pois(ΛT) > k)·p_k / Λ (the integrated distribution,
//!   from which every slot figure is a dot product);
//! - p(T) = p(t_h) + S·(P − I) with S = Σ_k P(Pois(ΛT) > k)·p_k — Σ_k P(Pois = k)·p_k
//!   telescopes to this, so the end of the slot needs no second accumulation (states
//!   dropped by the truncation are debited so the identity stays exact).
//!
//! The Poisson weights are computed outwards from the mode and normalised (Fox–Glynn
//! style), stable for ΛT in the hundreds of thousands; weights below 1e-12 of the modal
//! weight are dropped (≈ ±7.4σ). The state space is not truncated at a fixed size: the
//! support [lo, hi] grows by one state per step and loses its edge states while their
//! probability is below 1e-13 (`TRIM`), so a session of K steps loses < 2K·1e-13 of
//! probability (< 1e-9); waiting is accurate to about 1e-7 relative (measured against
//! 1e-20 / 1e-18 cut-offs), and waiting below ~1e-12 person-minutes reads as 0.
//!
//! The derivative in the load ([`PoolDay::waiting_with_slope`]) is propagated alongside
//! (forward sensitivity: with Λ held fixed, dp_{k+1} = dp_k·P + p_k·(dQ/dL)/Λ), so it is
//! exact to the same truncation, not a finite difference.
//!
//! # Approximations (knowingly)
//! - **Non-exponential handling.** Every wait — person-minutes, means, drain, p90 — is the
//!   exponential model's times (1 + cs²)/2, P(wait) is not scaled: the Allen–Cunneen
//!   scaling of `queueing::Station` (its tail P(W > t) = C·exp(−(c − a)·t/(s̄·(1+cs²)/2))
//!   is the exponential tail with time stretched by the same factor, and so is ours). The
//!   long-run limit is therefore Station's mean and p90 exactly (tested). A closed stretch
//!   (c = 0) is scaled too, though waiting for a window to open does not depend on cs².
//! - **Windows that close between slots.** The CTMC lets the people beyond the new count
//!   go back to the queue (pre-emptive; with exponential handling they resume without
//!   loss). A real window usually finishes its customer (exhaustive service), so when c
//!   drops the model's queue is a little longer for about one service time. The Monte
//!   Carlo tests simulate the pre-emptive rule, so they test the model, not this choice.
//! - **Slot waits when windows change later.** With the same c to the end of the session
//!   (the planner's fast path) the virtual wait is exact. Otherwise a customer at position
//!   j (1 = first in line) has an expected remaining wait R(j, t) that depends on the later
//!   window counts; it is computed exactly at the slot boundaries by a backward
//!   uniformisation of his position (a pure-death chain: one position down at rate
//!   μ·min(j − 1, c), gone at rate μ if j ≤ c, waiting while j > c; nobody behind him
//!   matters under FCFS with pre-emption), and inside the slot R = R_c + e^{G(t_e − t)}δ
//!   with R_c = (j − c)⁺/(cμ) and δ = R_{h+1} − R_c. The R_c part pairs exactly with
//!   ∫p dt; for the correction, which fades as the people ahead are served, p(t) is taken
//!   quadratic in time through the exact p(t_e), dp/dt(t_e) = p(t_e)·Q and ∫p dt. Closed
//!   slots are exact (R = t_e − t + R_{h+1}). Measured against the exact
//!   ∫λ·Σ_n p_n(t)·R(n + 1, t)dt (RK4 on a fine grid) on eight sessions with windows
//!   opening, closing, lunch dips, overloaded peaks and a closed stretch: within 0.72 %,
//!   where the rule "wait with the current count" (Erlang(n − c + 1, cμ)) was off by
//!   10–164 % (a one-window lunch slot between three-window hours: +146 %). The slot's p90
//!   mixture is stretched in time to the corrected mean. This costs a backward sweep of
//!   about the forward pass's size, in [`session`] and [`day`] only when windows vary.
//! - **p90 of a closed slot**: its arrivals' extra wait until the opening is taken at its
//!   mean (half the slot plus the closed time after it), not spread.
//! - **Drain.** With the last slot's windows, or the last positive count when the session
//!   ends with closed slots ("windows stay on duty while tickets issued before closing
//!   wait"). Exact for exponential handling. A session with arrivals and no window at all
//!   waits forever (every figure infinite).
//! - **One handling time per pool**: a pool serving a mix of matters uses the mix's mean
//!   s̄ and cs² (cs² of the mixture, E\[S²\]/E\[S\]² − 1, if the spread of means matters).
//!
//! # The planner's fast path: [`PoolDay`]
//! A pool with a fixed day profile (sessions of [`ShapeSlot`]s: length and share of the
//! day's arrivals), a handling time, a constant whole window count c and a day load L.
//! **L is in Erlang-hours per day** — the day's work in hours, arrivals × s̄/60 — the unit
//! of `model::session::profile_day`; a slot of m minutes and share π gets π·L·60/s̄
//! arrivals, λ = π·L·3600/(s̄·m) per hour, and for hour-long slots its offered load is
//! π·L Erlangs.
//! - [`PoolDay::waiting`]`(c, L)` = φ_c(L), the day's waiting person-minutes (infinite for
//!   c = 0 with load). Increasing and convex in L, decreasing and convex in c (property
//!   tests on random days, up to a peak utilisation of 1.3), so tangent cuts are valid:
//!   [`PoolDay::waiting_with_slope`] gives φ and the exact φ' for
//!   t ≥ φ'(L̂)·a + (φ(L̂) − φ'(L̂)·L̂)·y.
//! - [`PoolDay::max_load`]`(c, &Targets)` = A_p(c), the largest L with the day's mean wait
//!   ≤ T_mean, every slot's mean wait ≤ T_peak and every slot's utilisation ≤ ρ_max (all
//!   monotone in L; Brent's method to 1e-9 relative, the returned load is feasible);
//!   [`PoolDay::capacities`]`(c_max, …)` does c = 0..=c_max, each search started from the
//!   previous two (5–7 evaluations where a wait target binds, 1 where the utilisation cap
//!   does). `max_utilisation` may exceed 1 (today's overloaded peaks): overloaded slots are
//!   finite here.
//! - [`PoolDay::evaluate`] gives mean, worst-slot wait and peak utilisation at (c, L);
//!   [`PoolDay::sessions_at`] gives the day's [`Slot`]s at (c, L) for [`day`] (p90).
//! - Replacing `model::session`: `profile_day` + `total_person_min` → `PoolDay::waiting`;
//!   `day_capacity` → `PoolDay::max_load` (targets in uncalibrated minutes, as before);
//!   `eval_session` (mean, worst hour, p90 of a configuration whose windows vary by hour)
//!   → [`day`] with whole windows per slot. `session::SATURATION` has no counterpart:
//!   tangent cuts are valid at every load, so there is no stationary limit to respect.
//! - Threads: every call uses a thread-local workspace, `PoolDay` is `Send + Sync`, so
//!   pools can be evaluated in parallel (`std::thread::scope`) without locking.
//!
//! # Cost
//! `examples/transient_cost.rs`, release build, one thread, best of 3–5 runs on a shared
//! 2-core AMD EPYC VM (load average 4–9 from other jobs while measuring, so these are upper
//! bounds). A day of two sessions, 09:00–12:00 and 13:30–17:00, in 7 slots, at a peak
//! utilisation of 0.95 with c windows all day ([`PoolDay::waiting`]):
//!
//! | s̄ (min) | c = 1 | c = 5 | c = 10 | c = 20 | mean over c = 1..20 | with slope (mean) |
//! |---------|-------|-------|--------|--------|---------------------|-------------------|
//! | 2       | 43 µs | 188 µs | 351 µs | 726 µs | 420 µs             | 940 µs            |
//! | 5       | 20 µs | 83 µs | 159 µs | 312 µs | 166 µs              | 352 µs            |
//! | 10      | 13 µs | 47 µs | 87 µs  | 167 µs | 90 µs               | 188 µs            |
//! | 20      | 9 µs  | 27 µs | 49 µs  | 91 µs  | 51 µs               | 100 µs            |
//!
//! The work is (λ + cμ)·T uniformisation steps (≈ 2c·minutes/s̄ at high load, plus ~7σ of
//! Poisson tail per slot) times the support (c plus the queue's spread, ~50–150 states),
//! at ~0.5 ns per state and step (SSE2). Per session that is under 0.4 ms in the worst
//! case measured (s̄ = 2, c = 20) and under 0.2 ms for s̄ ≥ 5.
//! [`session`] with p90 on a 3.5-hour afternoon with 10 windows: 150 µs (s̄ = 5), 89 µs
//! (s̄ = 10); with a dip to 6 windows in one slot (backward sweep): 343 µs, 196 µs.
//! [`PoolDay::capacities`] for c = 0..=20 with mean/peak targets 0.2·s̄/0.5·s̄: 65 ms
//! (s̄ = 2), 12 ms (s̄ = 5), 4.2 ms (s̄ = 10), 1.9 ms (s̄ = 20). A hall of 30 pools (four
//! with 12–20 windows, the rest 1–6; s̄ 4–25 min; 156 windows): capacities for
//! c ≤ today + 2 in 62 ms and 4 tangent cuts with slopes per c (864 evaluations) in 93 ms,
//! 155 ms in all on one thread — inside the planner's 1 s, with room for a second core.
//! No precomputed load table was needed: a table per (pool, c) would cost as many
//! evaluations to build as the searches it would replace.

use std::cell::RefCell;

/// A duration in minutes.
pub type Minutes = f64;

/// One slot of a session: its length, its Poisson arrival rate (constant within the
/// slot) and the whole number of windows (servers) on duty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// Length of the slot in minutes (13:30–14:00 is 30).
    pub minutes: Minutes,
    /// Poisson arrival rate λ, per hour.
    pub arrivals_per_hour: f64,
    /// Windows on duty.
    pub windows: u32,
}

/// Handling time of a pool: mean (minutes) and squared coefficient of variation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Service {
    /// Mean handling time s̄ in minutes.
    pub handle_min: Minutes,
    /// cs² of the handling time (1 = exponential).
    pub cs2: f64,
}

impl Service {
    /// Allen–Cunneen factor (1 + cs²)/2 applied to every wait of the exponential model.
    pub fn allen_cunneen(&self) -> f64 {
        (1.0 + self.cs2.max(0.0)) / 2.0
    }

    /// μ per minute; `None` when the mean handling time is not positive and finite.
    fn rate(&self) -> Option<f64> {
        (self.handle_min > 0.0 && self.handle_min.is_finite()).then(|| 1.0 / self.handle_min)
    }
}

/// Waiting in one slot.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SlotWait {
    /// Expected arrivals in the slot, λ·minutes/60.
    pub arrivals: f64,
    /// Waiting person-minutes spent in the slot, ∫E[Q(t)]dt over it (by anyone in the queue,
    /// whenever they arrived), Allen–Cunneen scaled.
    pub person_min: Minutes,
    /// Mean wait of the people who arrive in this slot (their virtual waiting time, see the
    /// module documentation), Allen–Cunneen scaled. 0 when nobody arrives.
    pub mean_wait_min: Minutes,
    /// Share of the slot's arrivals who wait at all.
    pub p_wait: f64,
}

/// Waiting over a session that opens empty and serves everyone who arrived before closing.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionWait {
    /// One entry per slot, in order.
    pub slots: Vec<SlotWait>,
    /// Person-minutes waited after closing by the people still queued then.
    pub drain_person_min: Minutes,
    /// All waiting of the session: Σ slot person-minutes + drain.
    pub person_min: Minutes,
    /// Expected arrivals of the session.
    pub arrivals: f64,
    /// Arrival-weighted mean wait, person_min / arrivals (Little); 0 with no arrivals.
    pub mean_wait_min: Minutes,
    /// Share of the session's arrivals who wait at all.
    pub p_wait: f64,
    /// 90th percentile of the wait over the session's arrivals.
    pub p90_min: Minutes,
}

/// Waiting over a day of several sessions (each opens empty).
#[derive(Debug, Clone, PartialEq)]
pub struct DayWait {
    /// One entry per session, in order.
    pub sessions: Vec<SessionWait>,
    /// All waiting of the day.
    pub person_min: Minutes,
    /// Expected arrivals of the day.
    pub arrivals: f64,
    /// person_min / arrivals; 0 with no arrivals.
    pub mean_wait_min: Minutes,
    /// Share of the day's arrivals who wait at all.
    pub p_wait: f64,
    /// 90th percentile of the wait over the day's arrivals.
    pub p90_min: Minutes,
    /// The largest slot mean wait of the day (slots with arrivals).
    pub worst_slot_wait_min: Minutes,
}

// ---------------------------------------------------------------------------------------
// The engine: uniformisation of the birth–death forward equations, slot by slot.
// ---------------------------------------------------------------------------------------

/// A state whose probability falls below this is dropped from the support (at its edges).
/// Each dropped value is below TRIM and a step drops a handful at most, so a day of
/// K ≈ 5000 steps loses ~1e-9 of probability (the 200-hour test, 2·10⁵ steps, ~1e-8).
const TRIM: f64 = 1e-13;
/// Poisson weights below this fraction of the modal weight are dropped (≈ 7.4 σ each side).
const POISSON_CUT: f64 = 1e-12;

/// One slot as the engine sees it (rates per minute).
#[derive(Debug, Clone, Copy, Default)]
struct Seg {
    minutes: f64,
    lambda: f64,
    /// dλ/dL, for the derivative with respect to a load scale.
    dlambda: f64,
    c: u32,
    /// Window count that serves this slot's arrivals: `c`, or for a slot without windows the
    /// next count that opens (the drain's count when none does).
    wait_c: u32,
    /// Minutes without windows after this slot before `wait_c` opens (0 when c > 0).
    closed_after: f64,
}

/// A slot's distributions, kept when windows vary: for n = lo + i, `integral[i]` = ∫p_n dt
/// over the slot and `end[i]` = p_n at its end.
#[derive(Debug, Clone, Default)]
struct SlotDist {
    lo: usize,
    integral: Vec<f64>,
    end: Vec<f64>,
}

/// Per-slot results of the exponential model (unscaled).
#[derive(Debug, Clone, Copy, Default)]
struct SegOut {
    /// ∫E[(N − c)⁺]dt over the slot.
    q_int: f64,
    /// Expected total virtual wait of the slot's arrivals.
    wait_sum: f64,
    /// Expected number of the slot's arrivals who wait.
    waiters: f64,
    d_q_int: f64,
}

/// One slot's share of a wait distribution: `weights[start + i]` expected arrivals wait
/// `shift + Erlang(k0 + i, rate)` minutes (Erlang(0, ·) = 0) in the exponential model.
#[derive(Debug, Clone, Copy)]
struct Part {
    slot: usize,
    rate: f64,
    shift: f64,
    k0: usize,
    start: usize,
    len: usize,
}

/// Arrival-weighted wait distribution of a set of slots: per slot an Erlang mixture.
/// Arrivals who do not wait are not stored: they are `arrivals` minus the weights.
#[derive(Debug, Default)]
struct Mixture {
    parts: Vec<Part>,
    weights: Vec<f64>,
    arrivals: f64,
}

#[derive(Debug, Default)]
struct Workspace {
    p: Vec<f64>,
    next: Vec<f64>,
    end: Vec<f64>,
    acc: Vec<f64>,
    dp: Vec<f64>,
    dnext: Vec<f64>,
    dend: Vec<f64>,
    dacc: Vec<f64>,
    stay: Vec<f64>,
    down1: Vec<f64>,
    weights: Vec<f64>,
    tails: Vec<f64>,
    segs: Vec<Seg>,
    outs: Vec<SegOut>,
}

thread_local! {
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::default());
}

impl Workspace {
    /// Buffers index state n at n + 1 (index 0 stays 0), and steps read one past the top.
    fn ensure(&mut self, top_state: usize, derivative: bool) {
        let need = top_state + 4;
        if self.p.len() < need {
            let len = need.max(2 * self.p.len()).max(64);
            for v in [&mut self.p, &mut self.next, &mut self.end, &mut self.acc] {
                v.resize(len, 0.0);
            }
        }
        if derivative && self.dp.len() < need {
            let len = need.max(2 * self.dp.len()).max(64);
            for v in [
                &mut self.dp,
                &mut self.dnext,
                &mut self.dend,
                &mut self.dacc,
            ] {
                v.resize(len, 0.0);
            }
        }
    }
}

/// Poisson(m) weights on [left, right], normalised, computed outwards from the mode so
/// nothing under- or overflows for any m (Fox–Glynn style); `tails[i]` = P(K > left + i).
fn poisson_window(m: f64, weights: &mut Vec<f64>, tails: &mut Vec<f64>) -> (usize, usize) {
    weights.clear();
    tails.clear();
    let mode = m.floor() as usize;
    weights.push(1.0);
    let (mut x, mut k) = (1.0, mode);
    while k > 0 {
        let y = x * k as f64 / m;
        if y < POISSON_CUT {
            break;
        }
        weights.push(y);
        x = y;
        k -= 1;
    }
    let left = k;
    weights.reverse();
    let (mut x, mut k) = (1.0, mode);
    loop {
        let y = x * m / (k + 1) as f64;
        if y < POISSON_CUT {
            break;
        }
        weights.push(y);
        x = y;
        k += 1;
    }
    let right = k;
    let sum: f64 = weights.iter().sum();
    for w in weights.iter_mut() {
        *w /= sum;
    }
    tails.resize(weights.len(), 0.0);
    let mut t = 0.0;
    for i in (0..weights.len()).rev() {
        tails[i] = t;
        t += weights[i];
    }
    (left, right)
}

/// Zero `v` on the index range `[from, to)` (no-op when empty).
fn zero(v: &mut [f64], from: usize, to: usize) {
    if from < to {
        v[from..to].fill(0.0);
    }
}

/// Drop edge states below `TRIM` from the support [lo, hi] of `v` (and `dv`).
fn trim<const D: bool>(v: &mut [f64], dv: &mut [f64], lo: &mut usize, hi: &mut usize) {
    while *hi > *lo && v[*hi + 1] < TRIM {
        v[*hi + 1] = 0.0;
        if D {
            dv[*hi + 1] = 0.0;
        }
        *hi -= 1;
    }
    while *lo < *hi && v[*lo + 1] < TRIM {
        v[*lo + 1] = 0.0;
        if D {
            dv[*lo + 1] = 0.0;
        }
        *lo += 1;
    }
}

/// Drop edge states below `TRIM` from `next` on [lo, hi] (and `dnext`). A value r dropped
/// in step k would have entered S with weight tk; `end` (holding p(0)) is debited tk·r so
/// that p(T) = p(0) + S·(P − I) stays the Poisson mixture of the trimmed iterates.
fn trim_step<const D: bool>(ws: &mut Workspace, lo: &mut usize, hi: &mut usize, tk: f64) {
    let Workspace {
        next,
        dnext,
        end,
        dend,
        ..
    } = ws;
    while *hi > *lo && next[*hi + 1] < TRIM {
        end[*hi + 1] -= tk * next[*hi + 1];
        next[*hi + 1] = 0.0;
        if D {
            dend[*hi + 1] -= tk * dnext[*hi + 1];
            dnext[*hi + 1] = 0.0;
        }
        *hi -= 1;
    }
    while *lo < *hi && next[*lo + 1] < TRIM {
        end[*lo + 1] -= tk * next[*lo + 1];
        next[*lo + 1] = 0.0;
        if D {
            dend[*lo + 1] -= tk * dnext[*lo + 1];
            dnext[*lo + 1] = 0.0;
        }
        *lo += 1;
    }
}

/// Run the forward equations over the slots of one session starting empty, filling `outs`.
/// Returns the closing drain (waiting person-minutes after closing, exponential model) and
/// its derivative. With `D` the derivative with respect to the load scale (the `dlambda`
/// of each slot) is propagated alongside (forward sensitivity, exact under uniformisation).
///
/// Per slot with Λ = λ + cμ and P = I + Q/Λ: p_k = p(0)·P^k, S = Σ_k P(Pois(ΛT) > k)·p_k,
/// so ∫p(t)dt over the slot = S/Λ, and p(T) = p(0) + S·(P − I) (summing P(Pois = k)·p_k
/// telescopes to this), which spares a second accumulation over the Poisson window.
fn run<const D: bool>(
    ws: &mut Workspace,
    segs: &[Seg],
    mu: f64,
    drain_c: u32,
    outs: &mut [SegOut],
    mut mix: Option<&mut Mixture>,
    mut store: Option<&mut Vec<SlotDist>>,
) -> (f64, f64) {
    ws.ensure(2, D);
    // Support of p, and the stale support of `next` (zero elsewhere).
    let (mut lo, mut hi) = (0usize, 0usize);
    let (mut slo, mut shi) = (1usize, 0usize); // empty
    ws.p[1] = 1.0;
    for (h, (seg, out)) in segs.iter().zip(outs.iter_mut()).enumerate() {
        *out = SegOut::default();
        let t = seg.minutes;
        if t <= 0.0 {
            continue;
        }
        let c = seg.c as usize;
        let lam = seg.lambda;
        let cmu = c as f64 * mu;
        let big = lam + cmu;
        // The accumulator's support (S on [alo, ahi]).
        let (mut alo, mut ahi) = (lo, hi);
        if big <= 0.0 {
            // Nothing happens: the distribution stands still for t minutes.
            for n in lo..=hi {
                ws.acc[n + 1] = t * ws.p[n + 1];
                if D {
                    ws.dacc[n + 1] = t * ws.dp[n + 1];
                }
            }
        } else {
            let (left, right) = poisson_window(big * t, &mut ws.weights, &mut ws.tails);
            let up = lam / big;
            let kap = seg.dlambda / big;
            ws.stay.clear();
            ws.down1.clear();
            for n in 0..=c {
                let stay = if n >= c {
                    0.0
                } else {
                    1.0 - (lam + n as f64 * mu) / big
                };
                ws.stay.push(stay);
                ws.down1.push(((n + 1).min(c)) as f64 * mu / big);
            }
            let coef = Coef {
                c,
                up,
                dc: cmu / big,
                kap,
            };
            // Keep p(0) in `end` (zero elsewhere) for p(T) = p(0) + S·(P − I).
            ws.end[lo + 1..hi + 2].copy_from_slice(&ws.p[lo + 1..hi + 2]);
            if D {
                ws.dend[lo + 1..hi + 2].copy_from_slice(&ws.dp[lo + 1..hi + 2]);
            }
            let (ilo, ihi) = (lo, hi);
            for k in 0..right {
                let tk = if k < left { 1.0 } else { ws.tails[k - left] };
                // One step next = p·P, fused with S += tk·p.
                let nlo = if c > 0 { lo.saturating_sub(1) } else { lo };
                let nhi = if lam > 0.0 { hi + 1 } else { hi };
                ws.ensure(nhi + 2, D);
                // Clear stale entries of `next` outside the range about to be written.
                zero(&mut ws.next, slo + 1, (nlo + 1).min(shi + 2));
                zero(&mut ws.next, (nhi + 2).max(slo + 1), shi + 2);
                if D {
                    zero(&mut ws.dnext, slo + 1, (nlo + 1).min(shi + 2));
                    zero(&mut ws.dnext, (nhi + 2).max(slo + 1), shi + 2);
                }
                step::<D>(ws, nlo, nhi, &coef, tk);
                alo = alo.min(nlo);
                ahi = ahi.max(nhi);
                let (mut tlo, mut thi) = (nlo, nhi);
                trim_step::<D>(ws, &mut tlo, &mut thi, tk);
                std::mem::swap(&mut ws.p, &mut ws.next);
                if D {
                    std::mem::swap(&mut ws.dp, &mut ws.dnext);
                }
                (slo, shi) = (lo, hi);
                (lo, hi) = (tlo, thi);
            }
            // p(T) = p(0) + S·(P − I), written into `end`, which then becomes p.
            let plo = if c > 0 { alo.saturating_sub(1) } else { alo };
            let phi = if lam > 0.0 { ahi + 1 } else { ahi };
            ws.ensure(phi + 2, D);
            end_step::<D>(ws, plo, phi, &coef);
            zero(&mut ws.p, lo + 1, hi + 2);
            std::mem::swap(&mut ws.p, &mut ws.end);
            if D {
                zero(&mut ws.dp, lo + 1, hi + 2);
                std::mem::swap(&mut ws.dp, &mut ws.dend);
            }
            (lo, hi) = (plo.min(ilo), phi.max(ihi));
            trim::<D>(&mut ws.p, &mut ws.dp, &mut lo, &mut hi);
            let inv = 1.0 / big;
            for a in &mut ws.acc[alo + 1..ahi + 2] {
                *a *= inv;
            }
            if D {
                for a in &mut ws.dacc[alo + 1..ahi + 2] {
                    *a *= inv;
                }
            }
        }
        // The slot's functionals from the integrated distribution I = acc on [alo, ahi].
        slot_functionals::<D>(ws, seg, h, mu, alo, ahi, out, mix.as_deref_mut());
        if let Some(store) = store.as_deref_mut() {
            // On one range covering the integral's and the end's supports.
            let (from, to) = (alo.min(lo), ahi.max(hi));
            ws.ensure(to + 2, D);
            store.push(SlotDist {
                lo: from,
                integral: ws.acc[from + 1..to + 2].to_vec(),
                end: ws.p[from + 1..to + 2].to_vec(),
            });
        }
        zero(&mut ws.acc, alo + 1, ahi + 2);
        if D {
            zero(&mut ws.dacc, alo + 1, ahi + 2);
        }
    }
    // The closing drain: the j-th in queue waits j/(cμ) more, so Q(Q+1)/(2cμ) in all.
    let (mut drain, mut d_drain) = (0.0, 0.0);
    let cd = drain_c as usize;
    for n in lo.max(cd + 1)..=hi {
        let q = (n - cd) as f64;
        let w = q * (q + 1.0) / 2.0;
        drain += w * ws.p[n + 1];
        if D {
            d_drain += w * ws.dp[n + 1];
        }
    }
    if drain_c == 0 {
        if drain > 0.0 {
            drain = f64::INFINITY;
        }
    } else {
        let r = drain_c as f64 * mu;
        drain /= r;
        d_drain /= r;
    }
    // Leave the buffers clean for the next call.
    zero(&mut ws.p, lo + 1, hi + 2);
    zero(&mut ws.next, slo + 1, shi + 2);
    if D {
        zero(&mut ws.dp, lo + 1, hi + 2);
        zero(&mut ws.dnext, slo + 1, shi + 2);
    }
    (drain, d_drain)
}

/// Coefficients of one step: windows, up/down probabilities above c, and the derivative's
/// driver dλ/dL/Λ.
struct Coef {
    c: usize,
    up: f64,
    dc: f64,
    kap: f64,
}

/// next[n] = up·p[n−1] + stay[n]·p[n] + down[n+1]·p[n+1] on [nlo, nhi], with acc += tk·p;
/// with D the same for the derivative vectors, whose step is driven by kap·(p[n−1] − p[n]).
#[inline(always)]
fn step<const D: bool>(ws: &mut Workspace, nlo: usize, nhi: usize, k: &Coef, tk: f64) {
    let Workspace {
        p,
        next,
        acc,
        dp,
        dnext,
        dacc,
        stay,
        down1,
        ..
    } = ws;
    let Coef { c, up, dc, kap } = *k;
    // Below and at c: state-dependent coefficients.
    let a_end = nhi.min(c); // inclusive
    if nlo <= a_end {
        let (s, len) = (nlo, a_end + 1 - nlo);
        let out = &mut next[s + 1..s + 1 + len];
        let a = &mut acc[s + 1..s + 1 + len];
        let pm = &p[s..s + len];
        let p0 = &p[s + 1..s + 1 + len];
        let pp = &p[s + 2..s + 2 + len];
        let st = &stay[s..s + len];
        let dn = &down1[s..s + len];
        for i in 0..len {
            let x = p0[i];
            out[i] = up * pm[i] + st[i] * x + dn[i] * pp[i];
            a[i] += tk * x;
        }
        if D {
            let out = &mut dnext[s + 1..s + 1 + len];
            let a = &mut dacc[s + 1..s + 1 + len];
            let qm = &dp[s..s + len];
            let q0 = &dp[s + 1..s + 1 + len];
            let qp = &dp[s + 2..s + 2 + len];
            for i in 0..len {
                let y = q0[i];
                out[i] = up * qm[i] + st[i] * y + dn[i] * qp[i] + kap * (pm[i] - p0[i]);
                a[i] += tk * y;
            }
        }
    }
    // Above c: constant coefficients (the stay probability is 0 there).
    let b_start = nlo.max(c + 1);
    if b_start <= nhi {
        let (s, len) = (b_start, nhi + 1 - b_start);
        let out = &mut next[s + 1..s + 1 + len];
        let a = &mut acc[s + 1..s + 1 + len];
        let pm = &p[s..s + len];
        let p0 = &p[s + 1..s + 1 + len];
        let pp = &p[s + 2..s + 2 + len];
        for i in 0..len {
            out[i] = up * pm[i] + dc * pp[i];
            a[i] += tk * p0[i];
        }
        if D {
            let out = &mut dnext[s + 1..s + 1 + len];
            let a = &mut dacc[s + 1..s + 1 + len];
            let qm = &dp[s..s + len];
            let q0 = &dp[s + 1..s + 1 + len];
            let qp = &dp[s + 2..s + 2 + len];
            for i in 0..len {
                out[i] = up * qm[i] + dc * qp[i] + kap * (pm[i] - p0[i]);
                a[i] += tk * q0[i];
            }
        }
    }
}

/// end += S·(P − I) on [nlo, nhi] (S = acc), and with D, dend += dS·(P − I) + kap·(S[n−1] − S[n]).
fn end_step<const D: bool>(ws: &mut Workspace, nlo: usize, nhi: usize, k: &Coef) {
    let Workspace {
        end,
        acc,
        dend,
        dacc,
        stay,
        down1,
        ..
    } = ws;
    let Coef { c, up, dc, kap } = *k;
    for n in nlo..=nhi {
        let (st, dn) = if n <= c {
            (stay[n], down1[n])
        } else {
            (0.0, dc)
        };
        let (sm, s0, sp) = (acc[n], acc[n + 1], acc[n + 2]);
        end[n + 1] += up * sm + (st - 1.0) * s0 + dn * sp;
        if D {
            let (qm, q0, qp) = (dacc[n], dacc[n + 1], dacc[n + 2]);
            dend[n + 1] += up * qm + (st - 1.0) * q0 + dn * qp + kap * (sm - s0);
        }
    }
}

/// Queue integral, virtual waits and (optionally) the wait mixture of one slot from its
/// integrated distribution `acc` on [alo, ahi].
#[allow(clippy::too_many_arguments)]
fn slot_functionals<const D: bool>(
    ws: &Workspace,
    seg: &Seg,
    slot: usize,
    mu: f64,
    alo: usize,
    ahi: usize,
    out: &mut SegOut,
    mix: Option<&mut Mixture>,
) {
    let c = seg.c as usize;
    let lam = seg.lambda;
    let (mut q, mut dq) = (0.0, 0.0);
    for n in alo.max(c + 1)..=ahi {
        let k = (n - c) as f64;
        q += k * ws.acc[n + 1];
        if D {
            dq += k * ws.dacc[n + 1];
        }
    }
    out.q_int = q;
    out.d_q_int = dq;
    if lam <= 0.0 {
        return;
    }
    if c > 0 {
        // Arrivals finding n ≥ c wait Erlang(n − c + 1, cμ): mean (n − c + 1)/(cμ).
        let busy: f64 = (alo.max(c)..=ahi).map(|n| ws.acc[n + 1]).sum();
        let r = c as f64 * mu;
        out.waiters = lam * busy;
        out.wait_sum = lam * (q + busy) / r;
        if let Some(mix) = mix {
            let first = alo.max(c);
            if first <= ahi {
                let start = mix.weights.len();
                mix.weights
                    .extend(ws.acc[first + 1..ahi + 2].iter().map(|&x| lam * x));
                mix.parts.push(Part {
                    slot,
                    rate: r,
                    shift: 0.0,
                    k0: first + 1 - c,
                    start,
                    len: ahi + 1 - first,
                });
            }
        }
    } else {
        // No window: wait for the rest of the slot and the closed time after it, then
        // (n + 1 − c′)⁺ departures at rate c′μ with the count c′ that opens next.
        let t = seg.minutes;
        out.waiters = lam * t;
        let cw = seg.wait_c as usize;
        if cw == 0 {
            out.wait_sum = f64::INFINITY;
            return;
        }
        let r = cw as f64 * mu;
        let s: f64 = (alo.max(cw - 1)..=ahi)
            .map(|n| (n + 1 - cw) as f64 * ws.acc[n + 1])
            .sum();
        let closed = t * t / 2.0 + t * seg.closed_after;
        out.wait_sum = lam * (s / r + closed);
        if let Some(mix) = mix {
            // k = (n + 1 − c′)⁺: everyone below c′ − 1 only waits for the opening.
            let shift = t / 2.0 + seg.closed_after;
            let start = mix.weights.len();
            let below: f64 = (alo..=ahi.min(cw - 1)).map(|n| lam * ws.acc[n + 1]).sum();
            let first = alo.max(cw);
            let k0 = if below > 0.0 || first > ahi {
                mix.weights.push(below);
                0
            } else {
                first + 1 - cw
            };
            if first <= ahi {
                if k0 == 0 {
                    // Fill k = 1 .. first − cw with nothing (the support starts above c′).
                    mix.weights.extend(std::iter::repeat_n(0.0, first - cw));
                }
                mix.weights
                    .extend(ws.acc[first + 1..ahi + 2].iter().map(|&x| lam * x));
            }
            let len = mix.weights.len() - start;
            mix.parts.push(Part {
                slot,
                rate: r,
                shift,
                k0,
                start,
                len,
            });
        }
    }
}

// ---------------------------------------------------------------------------------------
// Wait quantiles of the Erlang mixtures.
// ---------------------------------------------------------------------------------------

/// ln(n!), exact summation below 32, Stirling's series (error < 1e-15) above.
fn ln_factorial(n: usize) -> f64 {
    if n < 32 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    let x2 = x * x;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
}

/// cdf[j] = P(Poisson(z) ≤ j) for j = 0..=jmax, from the pmf at min(⌊z⌋, jmax) outwards, so
/// nothing overflows and only negligible terms underflow.
fn poisson_cdf(z: f64, jmax: usize, cdf: &mut Vec<f64>) {
    cdf.clear();
    cdf.resize(jmax + 1, 0.0);
    if z <= 0.0 {
        cdf.fill(1.0);
        return;
    }
    let js = (z.floor() as usize).min(jmax);
    cdf[js] = (-z + js as f64 * z.ln() - ln_factorial(js)).exp();
    for j in (0..js).rev() {
        cdf[j] = cdf[j + 1] * (j + 1) as f64 / z;
    }
    for j in js + 1..=jmax {
        cdf[j] = cdf[j - 1] * z / j as f64;
    }
    let mut s = 0.0;
    for v in cdf.iter_mut() {
        s += *v;
        *v = s.min(1.0);
    }
}

/// P(W > x) over the arrivals of the mixtures (exponential model, minutes).
fn tail_at(mixes: &[&Mixture], x: f64, cdf: &mut Vec<f64>) -> f64 {
    let mut arrivals = 0.0;
    let mut over = 0.0;
    for mix in mixes {
        arrivals += mix.arrivals;
        for part in &mix.parts {
            let w = &mix.weights[part.start..part.start + part.len];
            let y = x - part.shift;
            if y < 0.0 {
                over += w.iter().sum::<f64>();
                continue;
            }
            // P(shift + Erlang(k, r) > x) = P(Poisson(r·y) ≤ k − 1); k = 0 never exceeds.
            let kmax = part.k0 + part.len - 1;
            if kmax == 0 {
                continue;
            }
            poisson_cdf(part.rate * y, kmax - 1, cdf);
            for (i, &wi) in w.iter().enumerate() {
                let k = part.k0 + i;
                if k > 0 {
                    over += wi * cdf[k - 1];
                }
            }
        }
    }
    if arrivals > 0.0 {
        (over / arrivals).min(1.0)
    } else {
        0.0
    }
}

/// Smallest x with P(W > x) ≤ 1 − q over the mixtures (exponential model), by Brent's
/// method to 1e-9 relative (the returned x may be that much below the quantile).
fn mixture_quantile(mixes: &[&Mixture], q: f64) -> f64 {
    let arrivals: f64 = mixes.iter().map(|m| m.arrivals).sum();
    if arrivals <= 0.0 {
        return 0.0;
    }
    let allowed = 1.0 - q;
    let mut cdf = Vec::new();
    if tail_at(mixes, 0.0, &mut cdf) <= allowed {
        return 0.0;
    }
    // Markov: P(W > x) ≤ E[W]/x, so the quantile is at most E[W]/(1 − q).
    let mut mean = 0.0;
    for mix in mixes {
        for part in &mix.parts {
            for (i, &wi) in mix.weights[part.start..part.start + part.len]
                .iter()
                .enumerate()
            {
                mean += wi * (part.shift + (part.k0 + i) as f64 / part.rate);
            }
        }
    }
    let hi = mean / arrivals / allowed * (1.0 + 1e-9) + 1e-12;
    if !hi.is_finite() {
        return f64::INFINITY;
    }
    // P(W > x) falls with x: the quantile is where allowed − P(W > x) turns positive.
    let cdf = RefCell::new(cdf);
    let g = |x: f64| allowed - tail_at(mixes, x, &mut cdf.borrow_mut());
    let (g0, ghi) = (g(0.0), g(hi));
    if ghi <= 0.0 {
        return hi;
    }
    brent_largest_feasible(&g, 0.0, g0, hi, ghi)
}

// ---------------------------------------------------------------------------------------
// Sessions and days.
// ---------------------------------------------------------------------------------------

/// Backward quantities of one slot (positions j = 0..=jmax, 0 = gone).
struct Backward {
    /// R at the slot's start.
    start: Vec<f64>,
    /// Φ_i = ∫₀ᵀ (τ/T)^i·e^{Gτ}δ dτ, i = 0, 1, 2, with δ = R_{h+1} − R_c (c > 0 only).
    phi: [Vec<f64>; 3],
}

/// Expected remaining wait R(j) of a customer at queue position j (1 = first in line,
/// positions ≤ c in service) at the start of each slot, and at closing (returned second),
/// with the moments Φ of the correction each slot needs (see `varying_slot_waits`).
///
/// Under FCFS with pre-emption of the latest arrivals, nobody behind a customer affects
/// him: his position only falls, by one at rate μ·min(j − 1, c) (someone ahead finishes),
/// he leaves at rate μ if j ≤ c, and he waits while j > c — a chain with generator G. At
/// closing R(j) = (j − c)⁺/(cμ) (the drain). Within a slot with c > 0 windows,
/// R(·, t) = R_c + e^{G(t_e − t)}δ, where R_c = (j − c)⁺/(cμ) solves the slot's equation
/// (constant windows forever) and δ = R_{h+1} − R_c carries the later window changes back;
/// e^{Gτ}δ is summed by uniformisation at rate cμ (P'·y is a shift down above c). With no
/// window, R(·, t) = (t_e − t) + R_{h+1}.
fn remaining_waits(
    segs: &[Seg],
    mu: f64,
    drain_c: u32,
    jmax: usize,
    weights: &mut Vec<f64>,
    tails: &mut Vec<f64>,
) -> (Vec<Backward>, Vec<f64>) {
    let cd = f64::from(drain_c);
    let closing: Vec<f64> = (0..=jmax)
        .map(|j| (j as f64 - cd).max(0.0) / (cd * mu))
        .collect();
    let mut out: Vec<Backward> = Vec::with_capacity(segs.len());
    let mut next = closing.clone();
    let mut y = vec![0.0; jmax + 1];
    for seg in segs.iter().rev() {
        let t = seg.minutes;
        let c = seg.c as usize;
        let empty = || [Vec::new(), Vec::new(), Vec::new()];
        let back = if t <= 0.0 {
            Backward {
                start: next.clone(),
                phi: empty(),
            }
        } else if c == 0 {
            let start = next
                .iter()
                .enumerate()
                .map(|(j, &x)| if j == 0 { 0.0 } else { t + x })
                .collect();
            Backward {
                start,
                phi: empty(),
            }
        } else {
            let big = c as f64 * mu;
            let rc = |j: usize| (j as f64 - c as f64).max(0.0) / big;
            // y_k = P'^k δ; R_h = R_c + Σ_k w_k y_k and
            // Φ_i = Σ_k (k+1)…(k+i)·P(Pois > k+i)/(Λ^{i+1}T^i)·y_k.
            for j in 0..=jmax {
                y[j] = if j == 0 { 0.0 } else { next[j] - rc(j) };
            }
            let (left, right) = poisson_window(big * t, weights, tails);
            let tail = |k: usize| {
                if k < left {
                    1.0
                } else if k <= right {
                    tails[k - left]
                } else {
                    0.0
                }
            };
            let mut end = vec![0.0; jmax + 1];
            let mut phi = [
                vec![0.0; jmax + 1],
                vec![0.0; jmax + 1],
                vec![0.0; jmax + 1],
            ];
            let bt = big * t;
            for k in 0..=right {
                let kf = k as f64;
                let wk = if k < left { 0.0 } else { weights[k - left] };
                let a0 = tail(k) / big;
                let a1 = (kf + 1.0) * tail(k + 1) / (big * bt);
                let a2 = (kf + 1.0) * (kf + 2.0) * tail(k + 2) / (big * bt * bt);
                let [f0, f1, f2] = &mut phi;
                if wk > 0.0 {
                    for (e, &v) in end.iter_mut().zip(&y) {
                        *e += wk * v;
                    }
                }
                for (((x0, x1), x2), &v) in
                    f0.iter_mut().zip(f1.iter_mut()).zip(f2.iter_mut()).zip(&y)
                {
                    *x0 += a0 * v;
                    *x1 += a1 * v;
                    *x2 += a2 * v;
                }
                // y ← P'·y: above c a pure shift down (by one position); at or below c the
                // customer stays, moves down, or leaves (y[0] = 0 is "gone").
                if c < jmax {
                    y.copy_within(c..jmax, c + 1);
                }
                for j in (1..=c.min(jmax)).rev() {
                    let jf = j as f64;
                    y[j] = y[j] * (1.0 - jf * mu / big) + (jf - 1.0) * mu / big * y[j - 1];
                }
            }
            let start = (0..=jmax)
                .map(|j| if j == 0 { 0.0 } else { rc(j) + end[j] })
                .collect();
            Backward { start, phi }
        };
        next = back.start.clone();
        out.push(back);
    }
    out.reverse();
    (out, closing)
}

/// Slot waits when the window count varies within the session. An arrival at time t of
/// slot h who finds n people joins at position n + 1 and waits R(n + 1, t) more. With
/// c > 0 windows, R(·, t) = R_c + e^{G(t_e − t)}δ (see `remaining_waits`): the R_c part
/// pairs exactly with ∫p dt. The correction e^{Gτ}δ matters most near the slot's end
/// (it fades as the people ahead are served), so there p(t) is taken quadratic in
/// v = (t_e − t)/T through the exact p(t_e), its exact slope dp/dt = p(t_e)·Q and the exact
/// ∫p dt: p ≈ p_end + g·v + a·v², g = −T·p_end·Q, a = 3·(∫p/T − p_end − g/2), so
/// ∫p·Δ dt = p_end·Φ0 + g·Φ1 + a·Φ2. Exact for constant windows (δ = 0) and for closed
/// slots (R = t_e − t + R_{h+1}). The slot's p90 mixture is stretched in time so its mean
/// matches.
fn varying_slot_waits(
    segs: &[Seg],
    mu: f64,
    drain_c: u32,
    dists: &[SlotDist],
    outs: &mut [SegOut],
    mix: &mut Mixture,
) {
    let jmax = dists
        .iter()
        .map(|d| d.lo + d.integral.len() + 1)
        .max()
        .unwrap_or(1);
    let (mut weights, mut tails) = (Vec::new(), Vec::new());
    let (back, closing) = remaining_waits(segs, mu, drain_c, jmax, &mut weights, &mut tails);
    // Slots without a stored distribution (zero length) are skipped by `run`.
    let mut stored = dists.iter();
    for (h, (seg, out)) in segs.iter().zip(outs.iter_mut()).enumerate() {
        let t = seg.minutes;
        if t <= 0.0 {
            continue;
        }
        let Some(dist) = stored.next() else { break };
        if seg.lambda <= 0.0 {
            continue;
        }
        let next = back.get(h + 1).map_or(&closing, |b| &b.start);
        let c = seg.c as usize;
        let mut sum = 0.0;
        if c == 0 {
            for (i, &whole) in dist.integral.iter().enumerate() {
                sum += whole * next[dist.lo + i + 1];
            }
            sum += t * t / 2.0;
        } else {
            let rc = |j: usize| (j as f64 - c as f64).max(0.0) / (c as f64 * mu);
            let phi = &back[h].phi;
            let death = |n: usize| n.min(c) as f64 * mu;
            let end = |i: usize| dist.end.get(i).copied().unwrap_or(0.0);
            for (i, &whole) in dist.integral.iter().enumerate() {
                let (n, j) = (dist.lo + i, dist.lo + i + 1);
                // p_n near the slot's end, in v = (t_e − t)/T: p_end + g·v + a·v², with
                // g = −T·(p_end·Q)_n and a fixed by ∫p dt.
                let p1 = end(i);
                let below = if i > 0 { end(i - 1) } else { 0.0 };
                let slope =
                    seg.lambda * below - (seg.lambda + death(n)) * p1 + death(n + 1) * end(i + 1);
                let g = -t * slope;
                let a = 3.0 * (whole / t - p1 - g / 2.0);
                sum += whole * rc(j) + p1 * phi[0][j] + g * phi[1][j] + a * phi[2][j];
            }
        }
        // The fit aside, the sum is a mean of non-negative waits.
        let new_sum = seg.lambda * sum.max(0.0);
        let old_sum = out.wait_sum;
        out.wait_sum = new_sum;
        if old_sum > 0.0 && new_sum > 0.0 && old_sum.is_finite() {
            let stretch = new_sum / old_sum;
            for part in mix.parts.iter_mut().filter(|p| p.slot == h) {
                part.rate /= stretch;
                part.shift *= stretch;
            }
        }
    }
}

/// The drain's window count: the last slot's, or the last positive count before it (windows
/// stay on duty while tickets issued before closing wait); 0 when the session has none.
fn drain_windows(segs: &[Seg]) -> u32 {
    segs.iter().rev().map(|s| s.c).find(|&c| c > 0).unwrap_or(0)
}

/// Fill `wait_c` and `closed_after` of every slot, given the drain's count.
fn link_closed_slots(segs: &mut [Seg], drain_c: u32) {
    let mut next_c = drain_c;
    let mut gap = 0.0;
    for seg in segs.iter_mut().rev() {
        if seg.c > 0 {
            seg.wait_c = seg.c;
            seg.closed_after = 0.0;
            next_c = seg.c;
            gap = 0.0;
        } else {
            seg.wait_c = next_c;
            seg.closed_after = gap;
            gap += seg.minutes;
        }
    }
}

/// `x` if positive and finite-or-infinite, else 0 (NaN and negatives read as nothing).
fn non_negative(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// Evaluate one session into a `SessionWait` (without the p90) and its wait mixture.
fn session_parts(slots: &[Slot], service: Service, mix: &mut Mixture) -> SessionWait {
    let f = service.allen_cunneen();
    let mut segs: Vec<Seg> = slots
        .iter()
        .map(|s| Seg {
            minutes: non_negative(s.minutes),
            lambda: non_negative(s.arrivals_per_hour) / 60.0,
            dlambda: 0.0,
            c: s.windows,
            wait_c: s.windows,
            closed_after: 0.0,
        })
        .collect();
    let arrivals_of = |s: &Seg| s.lambda * s.minutes;
    let arrivals: f64 = segs.iter().map(arrivals_of).sum();
    mix.arrivals = arrivals;
    let mut outs = vec![SegOut::default(); segs.len()];
    let drain = match service.rate() {
        Some(mu) if arrivals > 0.0 => {
            let drain_c = drain_windows(&segs);
            link_closed_slots(&mut segs, drain_c);
            if drain_c > 0 && segs.iter().any(|s| s.c != drain_c && s.minutes > 0.0) {
                // Windows vary: slot waits from the remaining-wait vectors (see below).
                let mut dists = Vec::with_capacity(segs.len());
                let drain = WORKSPACE.with(|ws| {
                    let mut ws = ws.borrow_mut();
                    run::<false>(
                        &mut ws,
                        &segs,
                        mu,
                        drain_c,
                        &mut outs,
                        Some(mix),
                        Some(&mut dists),
                    )
                    .0
                });
                varying_slot_waits(&segs, mu, drain_c, &dists, &mut outs, mix);
                drain
            } else {
                WORKSPACE.with(|ws| {
                    run::<false>(
                        &mut ws.borrow_mut(),
                        &segs,
                        mu,
                        drain_c,
                        &mut outs,
                        Some(mix),
                        None,
                    )
                    .0
                })
            }
        }
        // No arrivals, or instantaneous service: nobody waits.
        _ => 0.0,
    };
    let slot_waits: Vec<SlotWait> = segs
        .iter()
        .zip(&outs)
        .map(|(s, o)| {
            let a = arrivals_of(s);
            SlotWait {
                arrivals: a,
                person_min: f * o.q_int,
                mean_wait_min: if a > 0.0 { f * o.wait_sum / a } else { 0.0 },
                p_wait: if a > 0.0 {
                    (o.waiters / a).min(1.0)
                } else {
                    0.0
                },
            }
        })
        .collect();
    let person_min = f * (outs.iter().map(|o| o.q_int).sum::<f64>() + drain);
    let waiters: f64 = outs.iter().map(|o| o.waiters).sum();
    SessionWait {
        slots: slot_waits,
        drain_person_min: f * drain,
        person_min,
        arrivals,
        mean_wait_min: if arrivals > 0.0 {
            person_min / arrivals
        } else {
            0.0
        },
        p_wait: if arrivals > 0.0 {
            (waiters / arrivals).min(1.0)
        } else {
            0.0
        },
        p90_min: 0.0,
    }
}

/// The q-quantile of the wait over the mixtures, Allen–Cunneen scaled like
/// `queueing::Station::wait_quantile` (the exponential model's time axis stretched by f).
fn scaled_quantile(mixes: &[&Mixture], q: f64, f: f64, person_min: f64) -> f64 {
    if !person_min.is_finite() {
        return f64::INFINITY;
    }
    f * mixture_quantile(mixes, q)
}

/// Waiting over one session that opens empty, with Poisson arrivals at each slot's rate,
/// the slot's windows on duty, and after the last slot the queue drained by the last
/// windows on duty (see the module documentation for the model and its approximations).
///
/// With arrivals but no window in the whole session every waiting figure is infinite.
pub fn session(slots: &[Slot], service: Service) -> SessionWait {
    let mut mix = Mixture::default();
    let mut out = session_parts(slots, service, &mut mix);
    out.p90_min = scaled_quantile(&[&mix], 0.9, service.allen_cunneen(), out.person_min);
    out
}

/// The q-quantile (0 ≤ q < 1) of the wait over a session's arrivals; `session` reports
/// q = 0.9. `None` for q outside [0, 1).
pub fn session_wait_quantile(slots: &[Slot], service: Service, q: f64) -> Option<Minutes> {
    if !(0.0..1.0).contains(&q) {
        return None;
    }
    let mut mix = Mixture::default();
    let out = session_parts(slots, service, &mut mix);
    Some(scaled_quantile(
        &[&mix],
        q,
        service.allen_cunneen(),
        out.person_min,
    ))
}

/// Waiting over a day of sessions (each opens empty, e.g. morning and afternoon), with the
/// day's arrival-weighted mean, p(wait), p90 and worst slot.
pub fn day(sessions: &[&[Slot]], service: Service) -> DayWait {
    let mut mixes: Vec<Mixture> = Vec::with_capacity(sessions.len());
    let mut out: Vec<SessionWait> = Vec::with_capacity(sessions.len());
    for slots in sessions {
        let mut mix = Mixture::default();
        let mut s = session_parts(slots, service, &mut mix);
        s.p90_min = scaled_quantile(&[&mix], 0.9, service.allen_cunneen(), s.person_min);
        out.push(s);
        mixes.push(mix);
    }
    let person_min: f64 = out.iter().map(|s| s.person_min).sum();
    let arrivals: f64 = out.iter().map(|s| s.arrivals).sum();
    let waiters: f64 = out.iter().map(|s| s.p_wait * s.arrivals).sum();
    let refs: Vec<&Mixture> = mixes.iter().collect();
    let worst = out
        .iter()
        .flat_map(|s| s.slots.iter())
        .filter(|w| w.arrivals > 0.0)
        .map(|w| w.mean_wait_min)
        .fold(0.0, f64::max);
    DayWait {
        p90_min: scaled_quantile(&refs, 0.9, service.allen_cunneen(), person_min),
        sessions: out,
        person_min,
        arrivals,
        mean_wait_min: if arrivals > 0.0 {
            person_min / arrivals
        } else {
            0.0
        },
        p_wait: if arrivals > 0.0 {
            (waiters / arrivals).min(1.0)
        } else {
            0.0
        },
        worst_slot_wait_min: worst,
    }
}

// ---------------------------------------------------------------------------------------
// The planner's fast path: one pool, a fixed day profile, a constant window count.
// ---------------------------------------------------------------------------------------

/// One slot of a day profile: its length and its share of the day's arrivals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapeSlot {
    pub minutes: Minutes,
    /// Share of the day's arrivals that arrive in this slot (the shares are normalised).
    pub share: f64,
}

/// Service targets of a pool, for [`PoolDay::max_load`]. Use `f64::INFINITY` for a
/// target that is not set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    /// The day's arrival-weighted mean wait must not exceed this (minutes).
    pub mean_wait_min: Minutes,
    /// No slot's mean wait (of its own arrivals) may exceed this (minutes).
    pub peak_wait_min: Minutes,
    /// No slot's offered load may exceed this share of the windows.
    pub max_utilisation: f64,
}

/// A day of one pool at a constant window count and day load.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DaySummary {
    /// Waiting person-minutes of the day (slots and drains, Allen–Cunneen scaled).
    pub person_min: Minutes,
    /// Expected arrivals of the day.
    pub arrivals: f64,
    /// person_min / arrivals.
    pub mean_wait_min: Minutes,
    /// The largest mean wait of a slot's arrivals.
    pub worst_slot_wait_min: Minutes,
    /// The largest slot utilisation, offered load / windows.
    pub peak_utilisation: f64,
}

/// A pool's day for the planner: the day profile (sessions of slots with their shares of
/// the day's arrivals) and the handling time, evaluated at any whole window count `c`
/// (constant over the day) and day load `L`.
///
/// **The day load L is in Erlang-hours per day**: the day's work in hours,
/// `L = arrivals per day × s̄ / 60` (the unit of `model::session::profile_day`; for
/// hour-long slots the slot's offered load is `share × L` Erlangs). The slot of length m
/// minutes and share π receives `π·L·60/s̄` arrivals, i.e. λ = π·L·3600/(s̄·m) per hour.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolDay {
    service: Service,
    /// Per slot: minutes and arrivals per minute per unit of L.
    slots: Vec<(f64, f64)>,
    /// Per session: its range of `slots`.
    sessions: Vec<(usize, usize)>,
    /// Largest slot offered load (Erlangs) per unit of L.
    peak_per_load: f64,
}

impl PoolDay {
    /// The day's sessions, each a list of slots. Shares are normalised to sum to 1; slots
    /// of non-positive length or share carry no arrivals. A profile without any positive
    /// share carries nothing (every load waits 0).
    pub fn new(sessions: &[&[ShapeSlot]], service: Service) -> PoolDay {
        let total: f64 = sessions
            .iter()
            .flat_map(|s| s.iter())
            .filter(|s| s.minutes > 0.0)
            .map(|s| non_negative(s.share))
            .sum();
        let mut slots = Vec::new();
        let mut ranges = Vec::new();
        let mut peak_per_load: f64 = 0.0;
        let s_bar = service.handle_min;
        for session in sessions {
            let start = slots.len();
            for s in session.iter() {
                let minutes = non_negative(s.minutes);
                let share = if total > 0.0 && minutes > 0.0 {
                    non_negative(s.share) / total
                } else {
                    0.0
                };
                let per_min = if share > 0.0 && s_bar > 0.0 {
                    share * 60.0 / s_bar / minutes
                } else {
                    0.0
                };
                peak_per_load = peak_per_load.max(per_min * s_bar);
                slots.push((minutes, per_min));
            }
            ranges.push((start, slots.len()));
        }
        PoolDay {
            service,
            slots,
            sessions: ranges,
            peak_per_load,
        }
    }

    /// The handling time the pool was built with.
    pub fn service(&self) -> Service {
        self.service
    }

    /// The day's sessions as [`Slot`]s at (c, L), for [`day`] (p90, per-slot figures):
    /// `day(&refs, pool.service())` gives the same waiting as [`Self::evaluate`].
    pub fn sessions_at(&self, c: u32, load: f64) -> Vec<Vec<Slot>> {
        let load = non_negative(load);
        self.sessions
            .iter()
            .map(|&(a, b)| {
                self.slots[a..b]
                    .iter()
                    .map(|&(minutes, per_min)| Slot {
                        minutes,
                        arrivals_per_hour: per_min * load * 60.0,
                        windows: c,
                    })
                    .collect()
            })
            .collect()
    }

    /// Expected arrivals per day at day load `load`: L·60/s̄ (0 for an empty profile).
    pub fn arrivals(&self, load: f64) -> f64 {
        self.slots.iter().map(|&(m, k)| m * k).sum::<f64>() * load
    }

    /// The busiest slot's offered load over the windows; infinite with load but no windows.
    pub fn peak_utilisation(&self, c: u32, load: f64) -> f64 {
        let a = load * self.peak_per_load;
        if a <= 0.0 {
            0.0
        } else if c == 0 {
            f64::INFINITY
        } else {
            a / f64::from(c)
        }
    }

    /// Waiting person-minutes of the day, φ_c(L), with `c` windows all day at day load L.
    /// Infinite when c = 0 and anyone arrives.
    pub fn waiting(&self, c: u32, load: f64) -> Minutes {
        self.eval::<false>(c, load).0
    }

    /// (φ_c(L), dφ_c/dL): the waiting and its exact derivative in the load (forward
    /// sensitivity through the uniformisation, about twice the cost of [`Self::waiting`]),
    /// for the tangent cut φ ≥ φ(L̂) + φ'(L̂)·(L − L̂).
    pub fn waiting_with_slope(&self, c: u32, load: f64) -> (Minutes, f64) {
        let (w, dw, _) = self.eval::<true>(c, load);
        (w, dw)
    }

    /// Waiting, mean, worst slot and peak utilisation at (c, L).
    pub fn evaluate(&self, c: u32, load: f64) -> DaySummary {
        let (person_min, _, worst) = self.eval::<false>(c, load);
        let arrivals = self.arrivals(load);
        DaySummary {
            person_min,
            arrivals,
            mean_wait_min: if arrivals > 0.0 {
                person_min / arrivals
            } else {
                0.0
            },
            worst_slot_wait_min: worst,
            peak_utilisation: self.peak_utilisation(c, load),
        }
    }

    /// (person-min, d person-min / dL, worst slot mean wait), Allen–Cunneen scaled.
    fn eval<const D: bool>(&self, c: u32, load: f64) -> (f64, f64, f64) {
        let load = non_negative(load);
        let Some(mu) = self.service.rate() else {
            return (0.0, 0.0, 0.0);
        };
        if load <= 0.0 || self.arrivals(1.0) <= 0.0 {
            // The slope at 0 is 0 for c ≥ 1 (waiting is O(L²)); infinite for c = 0.
            let slope = if c == 0 && self.arrivals(1.0) > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            return (0.0, slope, 0.0);
        }
        if c == 0 {
            return (f64::INFINITY, f64::INFINITY, f64::INFINITY);
        }
        let f = self.service.allen_cunneen();
        WORKSPACE.with(|cell| {
            let mut ws = cell.borrow_mut();
            let mut segs = std::mem::take(&mut ws.segs);
            let mut outs = std::mem::take(&mut ws.outs);
            let (mut total, mut d_total, mut worst) = (0.0, 0.0, 0.0f64);
            for &(a, b) in &self.sessions {
                segs.clear();
                segs.extend(self.slots[a..b].iter().map(|&(m, k)| Seg {
                    minutes: m,
                    lambda: k * load,
                    dlambda: k,
                    c,
                    wait_c: c,
                    closed_after: 0.0,
                }));
                outs.clear();
                outs.resize(segs.len(), SegOut::default());
                let (drain, d_drain) = run::<D>(&mut ws, &segs, mu, c, &mut outs, None, None);
                for (s, o) in segs.iter().zip(&outs) {
                    total += o.q_int;
                    d_total += o.d_q_int;
                    if s.lambda > 0.0 {
                        worst = worst.max(o.wait_sum / (s.lambda * s.minutes));
                    }
                }
                total += drain;
                d_total += d_drain;
            }
            ws.segs = segs;
            ws.outs = outs;
            (f * total, f * d_total, f * worst)
        })
    }

    /// The largest day load L (Erlang-hours) that `c` windows carry with (i) the day's
    /// mean wait ≤ `targets.mean_wait_min`, (ii) every slot's mean wait ≤
    /// `targets.peak_wait_min`, (iii) every slot's utilisation ≤ `targets.max_utilisation`.
    /// All three are monotone in L, so the answer is the feasible end of a bracket narrowed
    /// by Brent's method to 1e-9 relative: `evaluate(c, max_load(..))` meets the targets.
    /// 0 for c = 0; the utilisation cap when no wait target is set; infinite when nothing
    /// binds (no target and no cap, or nobody arrives).
    pub fn max_load(&self, c: u32, targets: &Targets) -> f64 {
        self.max_load_from(c, targets, None)
    }

    /// A_p(c) = [`Self::max_load`] for every c in 0..=c_max (warm-started from c − 1).
    pub fn capacities(&self, c_max: u32, targets: &Targets) -> Vec<f64> {
        let mut out: Vec<f64> = Vec::with_capacity(c_max as usize + 1);
        // Relative error of the last guess: the next bracket is a few times as wide.
        let mut last_error = GUESS_STEP;
        for c in 0..=c_max {
            // Capacity grows about linearly in c: extrapolate from the last two.
            let guess = match out.as_slice() {
                [.., a, b] if *b > 0.0 && b.is_finite() && a.is_finite() => Some(2.0 * b - a),
                [.., b] if *b > 0.0 && b.is_finite() => Some(*b * f64::from(c) / f64::from(c - 1)),
                _ => None,
            };
            let step = (4.0 * last_error).clamp(1e-6, GUESS_STEP);
            let a = self.max_load_from(c, targets, guess.map(|x| (x, step)));
            if let Some(x) = guess {
                if a > 0.0 && a.is_finite() {
                    last_error = ((x - a) / a).abs();
                }
            }
            out.push(a);
        }
        out
    }

    /// [`Self::max_load`] with an optional first guess (e.g. extrapolated from c − 1).
    fn max_load_from(&self, c: u32, targets: &Targets, guess: Option<(f64, f64)>) -> f64 {
        if c == 0 {
            return 0.0;
        }
        if self.peak_per_load <= 0.0 || self.service.rate().is_none() {
            return f64::INFINITY; // nobody arrives, or nobody waits
        }
        let cap = non_negative(targets.max_utilisation) * f64::from(c) / self.peak_per_load;
        if cap <= 0.0 {
            return 0.0;
        }
        let (tm, tp) = (targets.mean_wait_min, targets.peak_wait_min);
        if tm == f64::INFINITY && tp == f64::INFINITY {
            return cap;
        }
        // g(L) = max(mean/T_mean, worst/T_peak) − 1: increasing, ≤ 0 exactly where feasible.
        let g = |l: f64| -> f64 {
            let d = self.evaluate(c, l);
            violation(d.mean_wait_min, tm).max(violation(d.worst_slot_wait_min, tp)) - 1.0
        };
        // A bracket [lo, hi] with g(lo) ≤ 0 < g(hi): around the guess when there is one,
        // else [0, cap] (or doubling when there is no utilisation cap).
        let (mut lo, mut glo) = (0.0, -1.0);
        let (mut hi, mut ghi);
        match guess.filter(|&(x, _)| x > 0.0 && x < cap) {
            Some((x0, rel_step)) => {
                let g0 = g(x0);
                let mut step = rel_step * x0;
                if g0 <= 0.0 {
                    (lo, glo) = (x0, g0);
                    loop {
                        let x = (lo + step).min(cap);
                        let gx = g(x);
                        if gx > 0.0 {
                            (hi, ghi) = (x, gx);
                            break;
                        }
                        if x >= cap {
                            return cap;
                        }
                        (lo, glo) = (x, gx);
                        step *= 4.0;
                    }
                } else {
                    (hi, ghi) = (x0, g0);
                    loop {
                        let x = hi - step;
                        if x <= 0.0 {
                            break; // keep lo = 0
                        }
                        let gx = g(x);
                        if gx <= 0.0 {
                            (lo, glo) = (x, gx);
                            break;
                        }
                        (hi, ghi) = (x, gx);
                        step *= 4.0;
                    }
                }
            }
            None => {
                hi = if cap.is_finite() {
                    cap
                } else {
                    f64::from(c) / self.peak_per_load
                };
                ghi = g(hi);
                while ghi <= 0.0 {
                    if hi >= cap {
                        return cap;
                    }
                    // No utilisation cap: double until a target breaks.
                    (lo, glo) = (hi, ghi);
                    hi *= 2.0;
                    if !hi.is_finite() {
                        return f64::INFINITY;
                    }
                    ghi = g(hi);
                }
            }
        }
        brent_largest_feasible(&g, lo, glo, hi, ghi)
    }
}

/// Relative width of the first bracket around a capacity guess (quadrupled while it fails).
const GUESS_STEP: f64 = 0.02;

/// w / t: how far a wait w is through its target t (0 for an unset, infinite target;
/// infinite for any wait against a non-positive target).
fn violation(w: f64, t: f64) -> f64 {
    if t == f64::INFINITY {
        0.0
    } else if t > 0.0 {
        w / t
    } else if w > 0.0 || t.is_nan() {
        f64::INFINITY
    } else {
        0.0
    }
}

/// The largest x in [lo, hi] with g(x) ≤ 0, for g increasing with g(lo) ≤ 0 < g(hi):
/// Brent's method (inverse quadratic / secant steps safeguarded by bisection) until the
/// bracket is within 1e-9 of hi; returns the feasible end.
fn brent_largest_feasible(g: &impl Fn(f64) -> f64, lo: f64, glo: f64, hi: f64, ghi: f64) -> f64 {
    let tol = 1e-9 * hi;
    // Values are clamped so an infinite violation still orders the secant steps.
    let clamp = |v: f64| v.min(1e6);
    let (mut a, mut fa) = (lo, clamp(glo));
    let (mut b, mut fb) = (hi, clamp(ghi));
    let (mut feas, mut infeas) = (lo, hi);
    if fa.abs() < fb.abs() {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut fa, &mut fb);
    }
    let (mut cpt, mut fc) = (a, fa);
    let mut d = 0.0;
    let mut bisected = true;
    for _ in 0..200 {
        if infeas - feas <= tol {
            break;
        }
        let mut s = if fa != fc && fb != fc {
            a * fb * fc / ((fa - fb) * (fa - fc))
                + b * fa * fc / ((fb - fa) * (fb - fc))
                + cpt * fa * fb / ((fc - fa) * (fc - fb))
        } else {
            b - fb * (b - a) / (fb - fa)
        };
        let q = (3.0 * a + b) / 4.0;
        let outside = !((s > q.min(b)) && (s < q.max(b)));
        if outside
            || (bisected && (s - b).abs() >= (b - cpt).abs() / 2.0)
            || (!bisected && (s - b).abs() >= (cpt - d).abs() / 2.0)
            || (bisected && (b - cpt).abs() < tol)
            || (!bisected && (cpt - d).abs() < tol)
            || !s.is_finite()
        {
            s = 0.5 * (a + b);
            bisected = true;
        } else {
            bisected = false;
        }
        // Keep s strictly inside the known bracket.
        if !(s > feas && s < infeas) {
            s = 0.5 * (feas + infeas);
        }
        let fs_raw = g(s);
        if fs_raw <= 0.0 {
            feas = s;
        } else {
            infeas = s;
        }
        let fs = clamp(fs_raw);
        d = cpt;
        cpt = b;
        fc = fb;
        if (fa <= 0.0) != (fs <= 0.0) {
            b = s;
            fb = fs;
        } else {
            a = s;
            fa = fs;
        }
        if fa.abs() < fb.abs() {
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut fa, &mut fb);
        }
    }
    feas
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::{erlang_c, Station};
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::collections::VecDeque;

    fn slot(minutes: f64, arrivals_per_hour: f64, windows: u32) -> Slot {
        Slot {
            minutes,
            arrivals_per_hour,
            windows,
        }
    }

    fn exponential(handle_min: f64) -> Service {
        Service {
            handle_min,
            cs2: 1.0,
        }
    }

    fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= rel * expected.abs(),
            "{what}: expected {expected}, got {actual} (relative tolerance {rel})"
        );
    }

    // -----------------------------------------------------------------------------------
    // Long-run limit: a long session at constant rates is the stationary M/M/c queue.
    // -----------------------------------------------------------------------------------

    /// 200 hours at constant λ with c windows: the opening transient and the closing drain
    /// are a vanishing share of the waiting, so the session's mean wait, P(wait) and p90
    /// approach Erlang C (MODEL.md §3a reference values, s̄ = 1, cs² = 1).
    #[test]
    fn a_long_session_converges_to_erlang_c() {
        for (c, a, p_wait) in [(1u32, 0.5, 0.5), (2, 1.0, 1.0 / 3.0), (10, 8.0, 0.40918)] {
            let lambda = a * 60.0; // s̄ = 1 minute
            let s = session(&[slot(200.0 * 60.0, lambda, c)], exponential(1.0));
            let wq = p_wait / (f64::from(c) - a);
            assert_rel(erlang_c(c, a), p_wait, 1e-5, "reference Erlang C");
            assert_rel(
                s.mean_wait_min,
                wq,
                0.01,
                &format!("mean wait, c={c} a={a}"),
            );
            assert_rel(s.p_wait, p_wait, 0.01, &format!("P(wait), c={c} a={a}"));
            let station = Station {
                servers: c,
                arrivals_per_hour: lambda,
                handle_min: 1.0,
                cs2: 1.0,
            };
            let p90 = station.wait_quantile(0.9).expect("stable");
            assert_rel(s.p90_min, p90, 0.01, &format!("p90, c={c} a={a}"));
            // The transient from empty only ever waits less than steady state here.
            assert!(s.mean_wait_min < wq);
        }
    }

    /// Non-exponential handling: every wait (means, person-minutes, p90) is the exponential
    /// model's times (1 + cs²)/2, and P(wait) is unchanged — the scaling of
    /// `queueing::Station` (mean and tail), so the long-run limit is Allen–Cunneen's.
    #[test]
    fn allen_cunneen_scales_every_wait_like_the_stationary_formulas() {
        let slots = [
            slot(60.0, 40.0, 3),
            slot(30.0, 70.0, 3),
            slot(60.0, 20.0, 2),
        ];
        let base = session(&slots, exponential(4.0));
        for cs2 in [0.0, 0.5, 2.5] {
            let s = session(
                &slots,
                Service {
                    handle_min: 4.0,
                    cs2,
                },
            );
            let f = (1.0 + cs2) / 2.0;
            assert_rel(s.person_min, f * base.person_min, 1e-12, "person-minutes");
            assert_rel(
                s.drain_person_min,
                f * base.drain_person_min,
                1e-12,
                "drain",
            );
            assert_rel(s.p90_min, f * base.p90_min, 1e-12, "p90");
            assert_eq!(s.p_wait, base.p_wait);
            for (a, b) in s.slots.iter().zip(&base.slots) {
                assert_rel(a.mean_wait_min, f * b.mean_wait_min, 1e-12, "slot wait");
            }
        }
        // Long run with cs² = 0.5: mean and p90 approach the Allen–Cunneen station's.
        let st = Station {
            servers: 4,
            arrivals_per_hour: 180.0,
            handle_min: 1.0,
            cs2: 0.5,
        };
        let s = session(
            &[slot(200.0 * 60.0, 180.0, 4)],
            Service {
                handle_min: 1.0,
                cs2: 0.5,
            },
        );
        assert_rel(
            s.mean_wait_min,
            st.mean_wait().expect("stable"),
            0.01,
            "AC mean",
        );
        assert_rel(
            s.p90_min,
            st.wait_quantile(0.9).expect("stable"),
            0.01,
            "AC p90",
        );
    }

    // -----------------------------------------------------------------------------------
    // Exact small cases.
    // -----------------------------------------------------------------------------------

    /// Independent integrations by classical RK4 (step 1e-3 min, 120 states): forward
    /// dp/dt = p·Q with p kept every 0.01 min, and backward dR/dτ = 1{j > c} + G·R for the
    /// tagged customer's remaining wait, kept on the same grid.
    const RK4_STATES: usize = 120;
    const RK4_STEP: f64 = 1e-3;
    const RK4_KEEP: usize = 10;

    fn rk4<F: Fn(&[f64], &mut [f64])>(x: &mut [f64], dt: f64, f: &F, k: &mut [Vec<f64>; 5]) {
        let n = x.len();
        let [k1, k2, k3, k4, tmp] = k;
        f(x, k1);
        for i in 0..n {
            tmp[i] = x[i] + 0.5 * dt * k1[i];
        }
        f(tmp, k2);
        for i in 0..n {
            tmp[i] = x[i] + 0.5 * dt * k2[i];
        }
        f(tmp, k3);
        for i in 0..n {
            tmp[i] = x[i] + dt * k3[i];
        }
        f(tmp, k4);
        for i in 0..n {
            x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }

    fn scratch(n: usize) -> [Vec<f64>; 5] {
        [
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
            vec![0.0; n],
        ]
    }

    /// p on the grid of each slot (both ends included).
    fn rk4_forward(slots: &[Slot], handle: f64) -> Vec<Vec<Vec<f64>>> {
        let mu = 1.0 / handle;
        let mut p = vec![0.0; RK4_STATES];
        p[0] = 1.0;
        let mut k = scratch(RK4_STATES);
        slots
            .iter()
            .map(|s| {
                let (lam, c) = (s.arrivals_per_hour / 60.0, s.windows as usize);
                let f = |p: &[f64], d: &mut [f64]| {
                    for n in 0..RK4_STATES {
                        let mut v = -(lam + mu * n.min(c) as f64) * p[n];
                        if n > 0 {
                            v += lam * p[n - 1];
                        }
                        if n + 1 < RK4_STATES {
                            v += mu * (n + 1).min(c) as f64 * p[n + 1];
                        }
                        d[n] = v;
                    }
                };
                let steps = (s.minutes / RK4_STEP).round() as usize;
                let mut grid = vec![p.clone()];
                for i in 1..=steps {
                    rk4(&mut p, s.minutes / steps as f64, &f, &mut k);
                    if i % RK4_KEEP == 0 {
                        grid.push(p.clone());
                    }
                }
                grid
            })
            .collect()
    }

    /// R(j, t) on the grid of each slot (forward in time), positions 0..=RK4_STATES.
    fn rk4_backward(slots: &[Slot], handle: f64, drain_c: u32) -> Vec<Vec<Vec<f64>>> {
        let j_max = RK4_STATES + 1;
        let mu = 1.0 / handle;
        let cd = f64::from(drain_c);
        let mut r: Vec<f64> = (0..j_max)
            .map(|j| (j as f64 - cd).max(0.0) / (cd * mu))
            .collect();
        let mut k = scratch(j_max);
        let mut out: Vec<Vec<Vec<f64>>> = slots
            .iter()
            .rev()
            .map(|s| {
                let c = s.windows as usize;
                let g = |r: &[f64], d: &mut [f64]| {
                    d[0] = 0.0;
                    for j in 1..j_max {
                        let ahead = mu * (j - 1).min(c) as f64 * (r[j - 1] - r[j]);
                        let own = if j <= c { -mu * r[j] } else { 0.0 };
                        d[j] = if j > c { 1.0 } else { 0.0 } + ahead + own;
                    }
                };
                let steps = (s.minutes / RK4_STEP).round() as usize;
                let mut grid = vec![r.clone()];
                for i in 1..=steps {
                    rk4(&mut r, s.minutes / steps as f64, &g, &mut k);
                    if i % RK4_KEEP == 0 {
                        grid.push(r.clone());
                    }
                }
                grid.reverse();
                grid
            })
            .collect();
        out.reverse();
        out
    }

    /// Simpson's rule over an even number of equal intervals.
    fn simpson(values: &[f64], h: f64) -> f64 {
        let n = values.len() - 1;
        assert!(n.is_multiple_of(2));
        let inner: f64 = (1..n)
            .map(|i| if i % 2 == 1 { 4.0 } else { 2.0 } * values[i])
            .sum();
        h / 3.0 * (values[0] + inner + values[n])
    }

    /// A short session with one window, a closed stretch, two windows and one again,
    /// against the RK4 integrations: queue integrals, waiters and the closing drain to 1e-7
    /// (uniformisation is exact up to truncation); the backward remaining waits at the slot
    /// boundaries to 1e-8; and each slot's mean wait against the exact pre-emptive FCFS
    /// wait ∫λ·Σ_n p_n(t)·R(n + 1, t) dt — exact to 1e-7 for the closed slot and the last
    /// slot (constant windows to the end), within 1 % where later windows change (the
    /// quadratic-in-time approximation of p in the correction term; see the next test).
    #[test]
    fn uniformisation_matches_an_independent_rk4_integration() {
        let slots = [
            slot(20.0, 30.0, 1),
            slot(10.0, 18.0, 0),
            slot(16.0, 12.0, 2),
            slot(12.0, 40.0, 1),
        ];
        let handle = 2.5;
        let mu = 1.0 / handle;
        let s = session(&slots, exponential(handle));
        let fwd = rk4_forward(&slots, handle);
        let back = rk4_backward(&slots, handle, 1);
        let grid_h = RK4_STEP * RK4_KEEP as f64;
        for (h, sl) in slots.iter().enumerate() {
            let (got, c, lam) = (
                &s.slots[h],
                sl.windows as usize,
                sl.arrivals_per_hour / 60.0,
            );
            let at = |f: &dyn Fn(&[f64], &[f64]) -> f64| -> f64 {
                let v: Vec<f64> = fwd[h].iter().zip(&back[h]).map(|(p, r)| f(p, r)).collect();
                simpson(&v, grid_h)
            };
            let q = at(&|p, _| {
                p.iter()
                    .enumerate()
                    .map(|(n, x)| n.saturating_sub(c) as f64 * x)
                    .sum()
            });
            let busy = at(&|p, _| p.iter().skip(c).sum());
            let waits = at(&|p, r| p.iter().enumerate().map(|(n, x)| x * r[n + 1]).sum());
            assert_rel(got.person_min, q, 1e-7, &format!("slot {h} person-minutes"));
            assert_rel(
                got.p_wait * got.arrivals,
                lam * busy,
                1e-7,
                &format!("slot {h} waiters"),
            );
            let tol = if c == 0 || h == slots.len() - 1 {
                1e-7
            } else {
                0.01
            };
            assert_rel(
                got.mean_wait_min * got.arrivals,
                lam * waits,
                tol,
                &format!("slot {h} waits"),
            );
        }
        let closing = fwd[slots.len() - 1].last().expect("grid");
        let drain: f64 = closing
            .iter()
            .enumerate()
            .map(|(n, x)| {
                let q = n.saturating_sub(1) as f64;
                q * (q + 1.0) / 2.0 * x
            })
            .sum::<f64>()
            / mu;
        assert_rel(s.drain_person_min, drain, 1e-7, "drain");
        // The engine's backward vectors at the slot starts are the RK4 ones.
        let segs: Vec<Seg> = slots
            .iter()
            .map(|s| Seg {
                minutes: s.minutes,
                c: s.windows,
                ..Seg::default()
            })
            .collect();
        let (mut w, mut t) = (Vec::new(), Vec::new());
        let (r, _) = remaining_waits(&segs, mu, 1, 60, &mut w, &mut t);
        for (h, (b, grid)) in r.iter().zip(&back).enumerate() {
            for (j, (&got, &want)) in b.start.iter().zip(&grid[0]).enumerate().skip(1) {
                assert!(
                    (got - want).abs() <= 1e-8 * want.max(1.0),
                    "R slot {h} position {j}: {got} vs {want}"
                );
            }
        }
    }

    /// When windows change between slots, a slot's mean wait is close to the exact
    /// pre-emptive FCFS wait ∫λ·Σ_n p_n(t)·R(n + 1, t) dt (RK4 on a 0.01-min grid): within
    /// 1 % (0.72 % at worst here) for windows opening and closing, lunch dips, overloaded
    /// peaks, short and long slots and a stretch with no window — where the "current window
    /// count" rule (Erlang(n − c + 1, cμ)) is off by 10 % to 160 %.
    #[test]
    fn slot_waits_follow_later_window_changes() {
        let cases: Vec<(Vec<Slot>, f64)> = vec![
            (
                vec![
                    slot(30.0, 20.0, 2),
                    slot(30.0, 45.0, 3),
                    slot(20.0, 10.0, 1),
                    slot(30.0, 30.0, 3),
                ],
                5.0,
            ),
            (vec![slot(30.0, 40.0, 2), slot(30.0, 40.0, 4)], 4.0),
            (vec![slot(30.0, 40.0, 4), slot(30.0, 40.0, 2)], 4.0),
            (
                vec![
                    slot(10.0, 60.0, 2),
                    slot(10.0, 60.0, 3),
                    slot(10.0, 60.0, 1),
                    slot(10.0, 60.0, 3),
                ],
                3.0,
            ),
            (
                vec![
                    slot(20.0, 30.0, 1),
                    slot(10.0, 18.0, 0),
                    slot(16.0, 12.0, 2),
                    slot(12.0, 40.0, 1),
                ],
                2.5,
            ),
            (
                vec![slot(15.0, 21.1, 2), slot(15.0, 1.44, 4), slot(15.0, 0.0, 2)],
                1.0,
            ),
            (
                vec![
                    slot(60.0, 30.0, 3),
                    slot(60.0, 50.0, 4),
                    slot(60.0, 20.0, 2),
                    slot(60.0, 40.0, 3),
                ],
                6.0,
            ),
            (
                vec![
                    slot(45.0, 70.0, 4),
                    slot(45.0, 30.0, 2),
                    slot(45.0, 10.0, 1),
                ],
                3.5,
            ),
        ];
        let mut worst_current: f64 = 0.0;
        for (slots, handle) in cases {
            let s = session(&slots, exponential(handle));
            let drain_c = slots.last().map_or(1, |s| s.windows).max(1);
            let fwd = rk4_forward(&slots, handle);
            let back = rk4_backward(&slots, handle, drain_c);
            let grid_h = RK4_STEP * RK4_KEEP as f64;
            for (h, sl) in slots.iter().enumerate() {
                let lam = sl.arrivals_per_hour / 60.0;
                let c = f64::from(sl.windows);
                let exact: Vec<f64> = fwd[h]
                    .iter()
                    .zip(&back[h])
                    .map(|(p, r)| p.iter().enumerate().map(|(n, x)| x * r[n + 1]).sum())
                    .collect();
                let exact = lam * simpson(&exact, grid_h);
                if lam == 0.0 {
                    continue;
                }
                let got = s.slots[h].mean_wait_min * s.slots[h].arrivals;
                assert_rel(got, exact, 0.01, &format!("{slots:?} slot {h}"));
                if c > 0.0 {
                    let current: Vec<f64> = fwd[h]
                        .iter()
                        .map(|p| {
                            p.iter()
                                .enumerate()
                                .map(|(n, x)| x * (n as f64 + 1.0 - c).max(0.0) * handle / c)
                                .sum()
                        })
                        .collect();
                    let current = lam * simpson(&current, grid_h);
                    worst_current = worst_current.max((current / exact - 1.0).abs());
                }
            }
        }
        assert!(
            worst_current > 1.0,
            "the current-count rule is far off: {worst_current}"
        );
    }

    /// Closed form: with no window, N(t) is Poisson(λt), so the queue integral over a closed
    /// slot is λT²/2 and its arrivals wait the rest of it, T/2 on average, plus their
    /// service order once windows open.
    #[test]
    fn a_closed_slot_queues_everybody() {
        let lambda = 24.0; // per hour
        let s = session(
            &[slot(30.0, lambda, 0), slot(60.0, 0.0, 50)],
            exponential(3.0),
        );
        let l = lambda / 60.0;
        assert_rel(s.slots[0].person_min, l * 30.0 * 30.0 / 2.0, 1e-9, "λT²/2");
        assert_eq!(s.slots[0].p_wait, 1.0);
        // With 50 windows nobody is behind anybody at the opening: waits are T/2 exactly
        // (up to the Poisson(12) tail beyond 49 people).
        assert_rel(s.slots[0].mean_wait_min, 15.0, 1e-9, "T/2");
        assert_rel(s.mean_wait_min, 15.0, 1e-9, "session mean");
        // Slot 2 (no arrivals) starts with everyone in service: nobody queues.
        assert!(s.slots[1].person_min < 1e-9);
    }

    /// Poisson weights stay exact for ΛT in the thousands: they sum to 1 and have the
    /// Poisson mean and variance.
    #[test]
    fn poisson_weights_are_stable_for_large_means() {
        for m in [0.0, 1e-9, 0.7, 35.0, 4321.5, 2.0e5] {
            let (mut w, mut t) = (Vec::new(), Vec::new());
            let (left, right) = poisson_window(m, &mut w, &mut t);
            assert_eq!(w.len(), right - left + 1);
            let sum: f64 = w.iter().sum();
            let mean: f64 = w
                .iter()
                .enumerate()
                .map(|(i, &x)| (left + i) as f64 * x)
                .sum();
            let var: f64 = w
                .iter()
                .enumerate()
                .map(|(i, &x)| ((left + i) as f64 - m).powi(2) * x)
                .sum();
            assert!((sum - 1.0).abs() < 1e-13, "m={m}: sum {sum}");
            assert!((mean - m).abs() <= 1e-10 * m.max(1.0), "m={m}: mean {mean}");
            assert!((var - m).abs() <= 1e-8 * m.max(1.0), "m={m}: var {var}");
            assert!(t[w.len() - 1] == 0.0 && (t[0] + w[0] - 1.0).abs() < 1e-13);
        }
    }

    #[test]
    fn poisson_cdf_is_stable_far_in_the_tails() {
        let mut cdf = Vec::new();
        poisson_cdf(3.0, 10, &mut cdf);
        let exact: f64 = (0..=4)
            .map(|k| (-3.0f64).exp() * 3f64.powi(k) / (1..=k).map(f64::from).product::<f64>())
            .sum();
        assert!((cdf[4] - exact).abs() < 1e-14);
        poisson_cdf(2000.0, 2100, &mut cdf);
        assert!(cdf[1000] < 1e-100 && (cdf[2000] - 0.5).abs() < 0.01 && cdf[2100] > 0.98);
        assert!(
            (ln_factorial(40) - (1..=40).map(|i| f64::from(i).ln()).sum::<f64>()).abs() < 1e-12
        );
    }

    // -----------------------------------------------------------------------------------
    // Monte Carlo: an event simulation of the same session.
    // -----------------------------------------------------------------------------------

    /// Per-replication results of the simulation.
    struct Replication {
        /// ∫Q dt within each slot.
        slot_q: Vec<f64>,
        /// Σ waits of the arrivals of each slot, and their number.
        cohort_wait: Vec<f64>,
        cohort_n: Vec<f64>,
        /// ∫Q dt after closing.
        drain_q: f64,
    }

    /// First-come-first-served with exponential handling, `windows` servers per slot, Poisson
    /// arrivals, the queue drained after closing by `drain_c` windows. When windows close,
    /// the customers in service beyond the new count go back to the head of the queue
    /// (pre-emptive, the CTMC's rule); exponential handling makes resuming exact.
    fn simulate(slots: &[Slot], handle: f64, drain_c: u32, rng: &mut ChaCha8Rng) -> Replication {
        struct Customer {
            cohort: usize,
            waited: f64,
            queued_since: Option<f64>,
        }
        let mu = 1.0 / handle;
        let mut rep = Replication {
            slot_q: vec![0.0; slots.len()],
            cohort_wait: vec![0.0; slots.len()],
            cohort_n: vec![0.0; slots.len()],
            drain_q: 0.0,
        };
        let mut line: VecDeque<Customer> = VecDeque::new();
        let mut t = 0.0;
        let mut c = 0usize;
        // Phases: the slots, then the drain (no arrivals, no end).
        for phase in 0..=slots.len() {
            let (lam, new_c, end) = match slots.get(phase) {
                Some(s) => (
                    s.arrivals_per_hour / 60.0,
                    s.windows as usize,
                    t + s.minutes,
                ),
                None => (0.0, drain_c as usize, f64::INFINITY),
            };
            // Windows change: positions in [min, max) flip between service and queue.
            for (i, cust) in line.iter_mut().enumerate() {
                if i >= new_c && i < c {
                    cust.queued_since = Some(t);
                } else if i >= c && i < new_c {
                    if let Some(since) = cust.queued_since.take() {
                        cust.waited += t - since;
                    }
                }
            }
            c = new_c;
            loop {
                let in_service = line.len().min(c);
                let rate = lam + in_service as f64 * mu;
                if rate == 0.0 && end.is_infinite() {
                    break; // drained
                }
                let dt = if rate > 0.0 {
                    -(1.0 - rng.random::<f64>()).ln() / rate
                } else {
                    f64::INFINITY
                };
                let q = line.len().saturating_sub(c) as f64;
                if t + dt >= end {
                    rep.slot_q[phase] += q * (end - t);
                    t = end;
                    break;
                }
                match slots.get(phase) {
                    Some(_) => rep.slot_q[phase] += q * dt,
                    None => rep.drain_q += q * dt,
                }
                t += dt;
                if rng.random::<f64>() * rate < lam {
                    let queued = line.len() >= c;
                    line.push_back(Customer {
                        cohort: phase,
                        waited: 0.0,
                        queued_since: queued.then_some(t),
                    });
                    rep.cohort_n[phase] += 1.0;
                } else {
                    let i = rng.random_range(0..in_service);
                    let done = line.remove(i).expect("in service");
                    rep.cohort_wait[done.cohort] += done.waited;
                    // The first in queue takes the freed window.
                    if let Some(next) = line.get_mut(c - 1) {
                        if let Some(since) = next.queued_since.take() {
                            next.waited += t - since;
                        }
                    }
                }
            }
        }
        rep
    }

    /// Mean and standard error of the mean.
    fn mean_se(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (var / n).sqrt())
    }

    /// z of a two-sided 99 % confidence interval.
    const Z99: f64 = 2.576;

    fn within(model: f64, sample: &[f64], z: f64, what: &str) {
        let (mean, se) = mean_se(sample);
        assert!(
            (model - mean).abs() <= z * se,
            "{what}: model {model}, simulation {mean} ± {} (z = {z})",
            z * se
        );
    }

    /// The simulator's own bookkeeping: the waits of all customers add up to ∫Q dt.
    #[test]
    fn the_simulator_conserves_waiting() {
        let slots = [
            slot(45.0, 50.0, 2),
            slot(30.0, 20.0, 1),
            slot(45.0, 70.0, 3),
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            let r = simulate(&slots, 3.0, 3, &mut rng);
            let by_queue: f64 = r.slot_q.iter().sum::<f64>() + r.drain_q;
            let by_people: f64 = r.cohort_wait.iter().sum();
            assert!((by_queue - by_people).abs() < 1e-9 * by_queue.max(1.0));
        }
    }

    /// Sessions the model must reproduce: morning with a peak, a lunch-like short slot, an
    /// overloaded hour (ρ > 1) and window counts that rise and fall between slots.
    fn mc_sessions() -> Vec<(&'static str, Vec<Slot>, f64)> {
        vec![
            (
                "morning, constant windows",
                vec![
                    slot(60.0, 24.0, 3),
                    slot(60.0, 40.0, 3),
                    slot(60.0, 30.0, 3),
                ],
                6.0,
            ),
            (
                "overloaded peak, lunch slot, windows change",
                vec![
                    slot(60.0, 20.0, 2),
                    slot(60.0, 45.0, 3), // ρ = 1.25
                    slot(30.0, 10.0, 1), // 12:00–12:30, one window left
                    slot(60.0, 30.0, 3),
                    slot(30.0, 8.0, 2),
                ],
                5.0,
            ),
            (
                "single window, short handling, closed stretch",
                vec![
                    slot(30.0, 40.0, 1),
                    slot(15.0, 30.0, 0),
                    slot(45.0, 30.0, 1),
                ],
                1.2,
            ),
        ]
    }

    /// The session's total waiting (hence its mean wait, Little) lies in the simulation's
    /// 99 % confidence interval; each slot's queue integral and the drain lie within four
    /// standard errors (15 comparisons: 99 % each would fail somewhere one run in ten).
    #[test]
    fn the_model_matches_a_monte_carlo_simulation_of_the_same_session() {
        const REPS: usize = 4000;
        for (name, slots, handle) in mc_sessions() {
            let model = session(&slots, exponential(handle));
            let drain_c = slots.last().map_or(0, |s| s.windows).max(1);
            let mut rng = ChaCha8Rng::seed_from_u64(20_240_601);
            let reps: Vec<Replication> = (0..REPS)
                .map(|_| simulate(&slots, handle, drain_c, &mut rng))
                .collect();
            let total: Vec<f64> = reps
                .iter()
                .map(|r| r.slot_q.iter().sum::<f64>() + r.drain_q)
                .collect();
            within(
                model.person_min,
                &total,
                Z99,
                &format!("{name}: session waiting"),
            );
            let arrivals: Vec<f64> = reps.iter().map(|r| r.cohort_n.iter().sum()).collect();
            within(model.arrivals, &arrivals, Z99, &format!("{name}: arrivals"));
            // The mean wait is waiting over expected arrivals, so it is in the CI scaled.
            let (mean, se) = mean_se(&total);
            let w = model.mean_wait_min;
            assert!(
                (w - mean / model.arrivals).abs() <= Z99 * se / model.arrivals,
                "{name}: mean wait"
            );
            for (h, s) in model.slots.iter().enumerate() {
                let q: Vec<f64> = reps.iter().map(|r| r.slot_q[h]).collect();
                within(
                    s.person_min,
                    &q,
                    4.0,
                    &format!("{name}: slot {h} person-minutes"),
                );
            }
            let drain: Vec<f64> = reps.iter().map(|r| r.drain_q).collect();
            within(
                model.drain_person_min,
                &drain,
                4.0,
                &format!("{name}: drain"),
            );
        }
    }

    /// With a constant window count the virtual wait is exact: each slot's mean wait is the
    /// mean wait of the people who arrived in it (ratio of means; 4 standard errors by the
    /// delta method). With changing windows it is an approximation; the test bounds it.
    #[test]
    fn slot_waits_are_the_waits_of_the_slots_arrivals() {
        const REPS: usize = 4000;
        for (name, slots, handle) in mc_sessions() {
            let model = session(&slots, exponential(handle));
            let constant = slots.windows(2).all(|w| w[0].windows == w[1].windows);
            let drain_c = slots.last().map_or(0, |s| s.windows).max(1);
            let mut rng = ChaCha8Rng::seed_from_u64(99);
            let reps: Vec<Replication> = (0..REPS)
                .map(|_| simulate(&slots, handle, drain_c, &mut rng))
                .collect();
            for (h, s) in model.slots.iter().enumerate() {
                let waits: Vec<f64> = reps.iter().map(|r| r.cohort_wait[h]).collect();
                let (w_mean, w_se) = mean_se(&waits);
                // E[Σ waits of the cohort] = expected arrivals × mean wait.
                let expected = s.mean_wait_min * s.arrivals;
                if constant {
                    assert!(
                        (expected - w_mean).abs() <= 4.0 * w_se,
                        "{name}: slot {h}: model {expected}, simulation {w_mean} ± {}",
                        4.0 * w_se
                    );
                } else {
                    // Varying windows: the correction term's quadratic-in-time p.
                    assert!(
                        (expected - w_mean).abs() <= 0.05 * w_mean + 4.0 * w_se,
                        "{name}: slot {h}: model {expected}, simulation {w_mean} ± {}",
                        4.0 * w_se
                    );
                }
            }
        }
    }

    /// The closing drain is exact for exponential handling: the j-th in queue waits j/(cμ)
    /// more, so E[Q(Q + 1)]/(2cμ) over the closing distribution, Q = (N − c)⁺. An
    /// overloaded hour leaves a long queue (≈ 9 people at two windows).
    #[test]
    fn the_closing_drain_matches_a_monte_carlo_of_an_overloaded_session() {
        let slots = [slot(60.0, 30.0, 2)]; // ρ = 1.25 at s̄ = 5
        let model = session(&slots, exponential(5.0));
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let drain: Vec<f64> = (0..20_000)
            .map(|_| simulate(&slots, 5.0, 2, &mut rng).drain_q)
            .collect();
        within(model.drain_person_min, &drain, Z99, "drain person-minutes");
        assert!(model.drain_person_min > 0.3 * model.person_min);
        // And with a different drain count (the last slot's windows): one window.
        let slots = [slot(60.0, 30.0, 2), slot(20.0, 0.0, 1)];
        let model = session(&slots, exponential(5.0));
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let drain: Vec<f64> = (0..20_000)
            .map(|_| simulate(&slots, 5.0, 1, &mut rng).drain_q)
            .collect();
        within(
            model.drain_person_min,
            &drain,
            Z99,
            "drain person-minutes, one window",
        );
    }

    // -----------------------------------------------------------------------------------
    // Bookkeeping and edge cases.
    // -----------------------------------------------------------------------------------

    /// Little's law twice: the session's waiting is the sum of its slots' queue integrals
    /// and the drain, and — with constant windows — also the sum over slots of arrivals ×
    /// the slot's (virtual) mean wait.
    #[test]
    fn waiting_adds_up_by_queue_and_by_person() {
        let slots = [
            slot(60.0, 30.0, 3),
            slot(45.0, 55.0, 3),
            slot(30.0, 12.0, 3),
            slot(60.0, 40.0, 3),
        ];
        let s = session(
            &slots,
            Service {
                handle_min: 5.5,
                cs2: 0.7,
            },
        );
        let by_queue: f64 = s.slots.iter().map(|w| w.person_min).sum::<f64>() + s.drain_person_min;
        let by_person: f64 = s.slots.iter().map(|w| w.arrivals * w.mean_wait_min).sum();
        assert_rel(by_queue, s.person_min, 1e-12, "slots + drain");
        assert_rel(by_person, s.person_min, 1e-7, "arrivals × virtual waits");
        assert_rel(s.mean_wait_min * s.arrivals, s.person_min, 1e-12, "Little");
        assert_rel(
            s.arrivals,
            30.0 + 55.0 * 0.75 + 6.0 + 40.0,
            1e-12,
            "arrivals",
        );
    }

    #[test]
    fn edge_cases() {
        let sv = exponential(4.0);
        // Nobody arrives.
        let s = session(&[slot(60.0, 0.0, 2)], sv);
        assert_eq!(
            (s.person_min, s.mean_wait_min, s.p_wait, s.p90_min),
            (0.0, 0.0, 0.0, 0.0)
        );
        let s = session(&[], sv);
        assert_eq!((s.arrivals, s.person_min), (0.0, 0.0));
        // Arrivals and never a window: infinite.
        let s = session(&[slot(60.0, 10.0, 0), slot(30.0, 5.0, 0)], sv);
        assert!(
            s.person_min.is_infinite() && s.mean_wait_min.is_infinite() && s.p90_min.is_infinite()
        );
        assert_eq!(s.p_wait, 1.0);
        // A trailing closed slot: the drain uses the last windows on duty.
        let s = session(&[slot(60.0, 20.0, 2), slot(30.0, 10.0, 0)], sv);
        assert!(s.person_min.is_finite() && s.slots[1].mean_wait_min > 15.0);
        // Zero-length and negative inputs carry nothing.
        let s = session(
            &[
                slot(0.0, 100.0, 1),
                slot(-5.0, 10.0, 1),
                slot(30.0, -3.0, 1),
            ],
            sv,
        );
        assert_eq!((s.arrivals, s.person_min), (0.0, 0.0));
        // Instantaneous service: nobody waits.
        let s = session(
            &[slot(60.0, 100.0, 1)],
            Service {
                handle_min: 0.0,
                cs2: 1.0,
            },
        );
        assert_eq!((s.person_min, s.arrivals), (0.0, 100.0));
        // p90 is 0 when fewer than 10 % wait.
        let s = session(&[slot(60.0, 6.0, 5)], sv);
        assert!(s.p_wait < 0.1 && s.p90_min == 0.0);
    }

    /// The quantile is the smallest t with P(W > t) ≤ 10 %, over the mixture of the slots'
    /// Erlang waits: checked against the mixture's tail directly, and p90 ≥ the median.
    #[test]
    fn p90_inverts_the_wait_distribution() {
        let slots = [
            slot(60.0, 30.0, 2),
            slot(60.0, 50.0, 3),
            slot(30.0, 10.0, 1),
        ];
        let sv = exponential(5.0);
        let s = session(&slots, sv);
        let median = session_wait_quantile(&slots, sv, 0.5).expect("q in range");
        assert!(s.p90_min > median && median >= 0.0);
        let mut mix = Mixture::default();
        session_parts(&slots, sv, &mut mix);
        let mut cdf = Vec::new();
        let tail = |x: f64, cdf: &mut Vec<f64>| tail_at(&[&mix], x, cdf);
        assert!((tail(s.p90_min, &mut cdf) - 0.1).abs() < 1e-7);
        assert!((tail(0.0, &mut cdf) - s.p_wait).abs() < 1e-9);
        assert_eq!(session_wait_quantile(&slots, sv, 1.0), None);
    }

    /// The planner may evaluate pools on several threads (thread-local workspaces).
    #[test]
    fn pools_can_be_shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<PoolDay>();
        let pool = planner_pool();
        let here = pool.waiting(3, 10.0);
        let there =
            std::thread::scope(|s| s.spawn(|| pool.waiting(3, 10.0)).join().expect("thread"));
        assert_eq!(here, there);
    }

    /// A day is its sessions side by side; the planner's fast path gives the same numbers.
    #[test]
    fn the_fast_path_is_the_same_model() {
        let sv = Service {
            handle_min: 7.0,
            cs2: 1.4,
        };
        let morning = [
            ShapeSlot {
                minutes: 60.0,
                share: 0.2,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.3,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.15,
            },
        ];
        let afternoon = [
            ShapeSlot {
                minutes: 30.0,
                share: 0.05,
            },
            ShapeSlot {
                minutes: 90.0,
                share: 0.3,
            },
        ];
        let pool = PoolDay::new(&[&morning, &afternoon], sv);
        let load = 20.0; // Erlang-hours: 20·60/7 ≈ 171 arrivals
        let c = 4;
        let to_slots = |shape: &[ShapeSlot]| -> Vec<Slot> {
            shape
                .iter()
                .map(|s| slot(s.minutes, s.share * load * 3600.0 / (7.0 * s.minutes), c))
                .collect()
        };
        let (m, a) = (to_slots(&morning), to_slots(&afternoon));
        let d = day(&[&m, &a], sv);
        let again = pool.sessions_at(c, load);
        for (x, y) in again.iter().flatten().zip(m.iter().chain(&a)) {
            assert_rel(
                x.arrivals_per_hour,
                y.arrivals_per_hour,
                1e-12,
                "sessions_at",
            );
            assert_eq!((x.minutes, x.windows), (y.minutes, y.windows));
        }
        let fast = pool.evaluate(c, load);
        assert_rel(fast.person_min, d.person_min, 1e-12, "person-minutes");
        assert_rel(fast.arrivals, load * 60.0 / 7.0, 1e-12, "arrivals");
        assert_rel(d.arrivals, fast.arrivals, 1e-12, "day arrivals");
        assert_rel(fast.mean_wait_min, d.mean_wait_min, 1e-12, "mean");
        assert_rel(
            fast.worst_slot_wait_min,
            d.worst_slot_wait_min,
            1e-12,
            "worst slot",
        );
        assert_rel(
            fast.peak_utilisation,
            0.3 * load * 60.0 / 60.0 / 4.0,
            1e-12,
            "peak utilisation",
        );
        assert_rel(pool.waiting(c, load), d.person_min, 1e-12, "waiting");
        let sum: f64 = d.sessions.iter().map(|s| s.person_min).sum();
        assert_rel(sum, d.person_min, 1e-12, "sessions add up");
        assert!(d.p90_min > 0.0 && d.p90_min.is_finite());
        // No windows: infinite; no load: nothing.
        assert!(pool.waiting(0, load).is_infinite());
        assert_eq!(pool.waiting(0, 0.0), 0.0);
        assert_eq!(pool.waiting(3, 0.0), 0.0);
    }

    /// The slope is the derivative of the waiting (central differences agree to 1e-5).
    #[test]
    fn the_slope_is_the_derivative_of_the_waiting() {
        let sv = Service {
            handle_min: 9.0,
            cs2: 0.8,
        };
        let m = [
            ShapeSlot {
                minutes: 60.0,
                share: 0.25,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.35,
            },
            ShapeSlot {
                minutes: 30.0,
                share: 0.1,
            },
        ];
        let a = [ShapeSlot {
            minutes: 90.0,
            share: 0.3,
        }];
        let pool = PoolDay::new(&[&m, &a], sv);
        for c in [1u32, 2, 5] {
            for rho in [0.1, 0.5, 0.9, 1.2] {
                let load = rho * f64::from(c) / pool.peak_utilisation(1, 1.0);
                let (w, slope) = pool.waiting_with_slope(c, load);
                assert_rel(w, pool.waiting(c, load), 1e-12, "same waiting");
                let h = 1e-4 * load;
                let numeric = (pool.waiting(c, load + h) - pool.waiting(c, load - h)) / (2.0 * h);
                assert_rel(slope, numeric, 1e-5, &format!("slope c={c} ρ={rho}"));
            }
        }
    }

    fn planner_pool() -> PoolDay {
        let m = [
            ShapeSlot {
                minutes: 60.0,
                share: 0.14,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.2,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.16,
            },
        ];
        let a = [
            ShapeSlot {
                minutes: 30.0,
                share: 0.05,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.17,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.18,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.1,
            },
        ];
        PoolDay::new(
            &[&m, &a],
            Service {
                handle_min: 8.0,
                cs2: 1.0,
            },
        )
    }

    /// max_load is the largest feasible load: at it every target holds, 1e-6 above it one
    /// fails (unless the utilisation cap binds); capacities() agrees with it for every c.
    #[test]
    fn max_load_is_the_largest_load_meeting_every_target() {
        let pool = planner_pool();
        let targets = Targets {
            mean_wait_min: 2.0,
            peak_wait_min: 4.5,
            max_utilisation: 0.95,
        };
        let caps = pool.capacities(12, &targets);
        assert_eq!(caps[0], 0.0);
        let mut binding = 0;
        for c in 1..=12u32 {
            let a = pool.max_load(c, &targets);
            assert_rel(caps[c as usize], a, 1e-8, &format!("capacities c={c}"));
            let ok = |l: f64| {
                let d = pool.evaluate(c, l);
                d.mean_wait_min <= targets.mean_wait_min
                    && d.worst_slot_wait_min <= targets.peak_wait_min
                    && d.peak_utilisation <= targets.max_utilisation * (1.0 + 1e-12)
            };
            assert!(ok(a), "c={c}: A = {a} is infeasible");
            let cap = 0.95 * f64::from(c) / pool.peak_utilisation(1, 1.0);
            if a < cap * (1.0 - 1e-9) {
                assert!(!ok(a * (1.0 + 1e-6)), "c={c}: A = {a} is not the largest");
                binding += 1;
            } else {
                assert_rel(a, cap, 1e-12, "utilisation cap");
            }
            assert!(
                c == 1 || a > caps[c as usize - 1],
                "capacity grows with windows"
            );
        }
        assert!(binding >= 3, "the wait targets bind for small pools");
        // No wait targets: the utilisation cap; no cap either: infinite.
        let loose = Targets {
            mean_wait_min: f64::INFINITY,
            peak_wait_min: f64::INFINITY,
            max_utilisation: 0.8,
        };
        assert_rel(
            pool.max_load(3, &loose),
            0.8 * 3.0 / pool.peak_utilisation(1, 1.0),
            1e-12,
            "cap",
        );
        let none = Targets {
            max_utilisation: f64::INFINITY,
            ..loose
        };
        assert!(pool.max_load(3, &none).is_infinite());
        // Without a utilisation cap the search doubles past it (ρ > 1 is finite here).
        let uncapped = Targets {
            max_utilisation: f64::INFINITY,
            ..targets
        };
        let a = pool.max_load(2, &uncapped);
        assert!(a.is_finite() && a >= caps[2] * (1.0 - 1e-8));
        assert_eq!(pool.max_load(0, &targets), 0.0);
        // A zero target only admits loads whose waiting underflows to nothing.
        let strict = Targets {
            mean_wait_min: 0.0,
            ..targets
        };
        let a = pool.max_load(4, &strict);
        assert!(
            a < 0.3 * caps[4] && pool.evaluate(4, a).mean_wait_min == 0.0,
            "{a}"
        );
    }

    // -----------------------------------------------------------------------------------
    // Properties over random days (the MILP's tangent cuts rely on them).
    // -----------------------------------------------------------------------------------

    prop_compose! {
        fn shape_slot()(minutes in prop::sample::select(vec![15.0, 30.0, 45.0, 60.0, 90.0]), share in 0.02f64..1.0) -> ShapeSlot {
            ShapeSlot { minutes, share }
        }
    }

    prop_compose! {
        fn random_day()(
            sessions in prop::collection::vec(prop::collection::vec(shape_slot(), 1..5), 1..3),
            handle in 2.0f64..30.0,
            cs2 in 0.0f64..2.0,
        ) -> (Vec<Vec<ShapeSlot>>, Service) {
            (sessions, Service { handle_min: handle, cs2 })
        }
    }

    fn pool_of(sessions: &[Vec<ShapeSlot>], service: Service) -> PoolDay {
        let refs: Vec<&[ShapeSlot]> = sessions.iter().map(Vec::as_slice).collect();
        PoolDay::new(&refs, service)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Day waiting is non-decreasing and convex in the load, up to a peak utilisation of
        /// 1.3 (second differences ≥ −1e-7 of the largest value).
        #[test]
        fn day_waiting_is_increasing_and_convex_in_load((sessions, service) in random_day(), c in 1u32..7) {
            let pool = pool_of(&sessions, service);
            let top = 1.3 * f64::from(c) / pool.peak_utilisation(1, 1.0);
            let w: Vec<f64> = (0..=14).map(|i| pool.waiting(c, top * f64::from(i) / 14.0)).collect();
            let eps = 1e-7 * w[14] + 1e-9;
            for i in 0..14 {
                prop_assert!(w[i] >= 0.0);
                prop_assert!(w[i + 1] >= w[i] - eps, "decreasing at {i}: {w:?}");
            }
            for i in 1..14 {
                prop_assert!(w[i + 1] - 2.0 * w[i] + w[i - 1] >= -eps, "concave at {i}: {w:?}");
            }
        }

        /// Day waiting is non-increasing and convex in the windows at a fixed load.
        #[test]
        fn day_waiting_is_decreasing_and_convex_in_windows((sessions, service) in random_day(), rho in 0.2f64..1.3) {
            let pool = pool_of(&sessions, service);
            let load = rho * 2.0 / pool.peak_utilisation(1, 1.0); // ρ at 2 windows
            let w: Vec<f64> = (1..=8).map(|c| pool.waiting(c, load)).collect();
            let eps = 1e-7 * w[0] + 1e-9;
            for i in 0..7 {
                prop_assert!(w[i + 1] <= w[i] + eps, "increasing at c={}: {w:?}", i + 1);
            }
            for i in 0..6 {
                prop_assert!(w[i] - w[i + 1] >= w[i + 1] - w[i + 2] - eps, "concave at c={}: {w:?}", i + 2);
            }
        }

        /// Random sessions (windows varying by slot, closed slots allowed): waits are
        /// non-negative, person-minutes add up, mean = person-minutes / arrivals (Little),
        /// and with constant windows the slots' arrivals × virtual waits add up to the same.
        #[test]
        fn session_bookkeeping(
            raw in prop::collection::vec((prop::sample::select(vec![15.0, 30.0, 60.0]), 0.0f64..60.0, 0u32..5), 1..7),
            handle in 1.0f64..20.0,
            constant in any::<bool>(),
        ) {
            let mut slots: Vec<Slot> = raw.iter().map(|&(m, l, c)| slot(m, l, c)).collect();
            if constant {
                for s in &mut slots { s.windows = 3; }
            }
            if slots.iter().all(|s| s.windows == 0) { slots[0].windows = 1; }
            let s = session(&slots, exponential(handle));
            prop_assert!(s.person_min >= 0.0 && s.mean_wait_min >= 0.0 && s.drain_person_min >= 0.0);
            prop_assert!((0.0..=1.0).contains(&s.p_wait));
            prop_assert!(s.p90_min >= 0.0);
            for w in &s.slots {
                prop_assert!(w.person_min >= 0.0 && w.mean_wait_min >= 0.0);
            }
            let by_queue: f64 = s.slots.iter().map(|w| w.person_min).sum::<f64>() + s.drain_person_min;
            prop_assert!((by_queue - s.person_min).abs() <= 1e-9 * s.person_min.max(1.0));
            if s.arrivals > 0.0 {
                prop_assert!((s.mean_wait_min * s.arrivals - s.person_min).abs() <= 1e-9 * s.person_min.max(1.0));
            }
            if constant {
                let by_person: f64 = s.slots.iter().map(|w| w.arrivals * w.mean_wait_min).sum();
                prop_assert!((by_person - s.person_min).abs() <= 1e-6 * s.person_min + 1e-9);
            }
        }
    }
}
