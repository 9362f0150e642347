//! The transient session model of model.md §3: the M_t/M/c_t queue of a pool over a
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
//! - **Non-exponential handling: diffusion scaling.** With f = (1 + cs²)/2, the queue of
//!   a pool whose handling has cs² is the exponential model's queue scaled by f in *both*
//!   size and time: Q_G(t) ≈ f·Q_M(t/f), where Q_M runs on the session with every slot
//!   f times shorter (same λ, same windows). This is exact for the heavy-traffic limit:
//!   the queue is a reflected Brownian motion with drift λ − cμ and variance λ(1 + cs²)
//!   (Poisson arrivals), and RBM(θ, f·σ²)(t) has the law of f·RBM(θ, σ²)(t/f) — also
//!   with a drift that varies in time, run on the compressed clock. So a session's
//!   waiting person-minutes are f² times the compressed session's (f·f: queue size and
//!   the clock), its arrivals f times, and every wait (means, drain, p90) f times the
//!   compressed session's; P(wait) is the compressed session's. In the long run the
//!   clock does not matter and this is Allen–Cunneen (tested: `queueing::Station`'s
//!   mean and p90); over a 3-hour session that opens empty it is not: plain
//!   Allen–Cunneen scaling (f × the exponential session) assumes the queue has had time
//!   to feel the variability, and so overstated the Ciw halls' waits where cs² > 1 and
//!   understated them where cs² < 1 (median |model − expected| 9.2 % → 8.4 % over 77
//!   departments, largest 91 % → 64 %, docs/VALIDATION.md). A closed stretch (c = 0)
//!   is scaled too, though waiting for a window to open does not depend on cs².
//! - **Windows that leave between slots finish their visitors** (exhaustive service, as a
//!   real clerk and the Ciw halls do): when c drops from c₀ to c₁ the visitors at the
//!   leaving windows leave the chain at once (their remaining services are independent
//!   of everyone else's with exponential handling), n ↦ n − clamp(n − c₁, 0, c₀ − c₁).
//!   Exact when the queue is not empty at the drop; below that the idle windows are the
//!   ones that leave. The earlier engine sent those visitors back to the queue
//!   (pre-emptive), which overstated the hour after a window left early by about one
//!   service time per leaving window (h03 公积金中心 +74 % against its log once the
//!   roster rule of `hall::derive::duty` saw the early leave). The Monte Carlo and RK4
//!   references in the tests follow the same rule.
//! - **Slot waits when windows change later.** With the same c to the end of the session
//!   (the planner's fast path) the virtual wait is exact. Otherwise a customer at position
//!   j (1 = first in line) has an expected remaining wait R(j, t) that depends on the later
//!   window counts; it is computed exactly at the slot boundaries by a backward
//!   uniformisation of his position (a pure-death chain: one position down at rate μ·min(j
//!   − 1, c), gone at rate μ if j ≤ c, waiting while j > c, moved up by the visitors who
//!   leave with leaving windows; nobody behind him matters under FCFS), and inside the slot
//!   R = R_c + e^{G(t_e − t)}δ with R_c = (j − c)⁺/(cμ) and δ = R_{h+1} − R_c. The R_c part
//!   pairs exactly with ∫p dt; for the correction, which fades as the people ahead are
//!   served, p(t) is taken quadratic in time through the exact p(t_e), dp/dt(t_e) =
//!   p(t_e)·Q and ∫p dt. Closed slots are exact (R = t_e − t + R_{h+1}). Measured against
//!   the exact ∫λ·Σ_n p_n(t)·R(n + 1, t)dt (RK4 on a fine grid) on eight sessions with
//!   windows opening, closing, lunch dips, overloaded peaks and a closed stretch: within
//!   0.72 %, where the rule "wait with the current count" (Erlang(n − c + 1, cμ)) was off
//!   by 10–164 % (a one-window lunch slot between three-window hours: +146 %). The slot's
//!   p90 mixture is stretched in time to the corrected mean. This costs a backward sweep of
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

// The model by responsibility: the uniformisation engine, the wait mixtures and their
// quantiles, the backward sweep for windows that vary, sessions and days, and the
// planner's fast path (one pool, constant windows) with its capacity search.
mod backward;
mod brent;
mod mixture;
mod pool_day;
mod sessions;
mod uniformise;

#[cfg(test)]
mod tests;

pub(crate) use pool_day::snap;
pub use pool_day::{Capacities, DaySummary, PoolDay, ShapeSlot, Targets};
pub use sessions::{day, session, session_wait_quantile, share_over};

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

    /// Time scale of the diffusion scaling (module docs, *Non-exponential handling*): the
    /// exponential model runs on the session with its clock this many times faster, f =
    /// (1 + cs²)/2, the Allen–Cunneen factor itself.
    pub fn time_scale(&self) -> f64 {
        self.allen_cunneen()
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
