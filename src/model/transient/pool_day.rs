//! The planner's fast path: one pool, a fixed day profile, a constant window count, and
//! the largest load a window count carries within the targets.

use super::brent::brent_largest_feasible;
use super::sessions::non_negative;
use super::uniformise::{run, Seg, SegOut, WORKSPACE};
use super::{Minutes, Service, Slot};

/// `x` rounded to 40 significant bits (≈ 12 decimal digits), the precision a pool's day
/// is kept at.
///
/// Why: a pool's day is built from sums of per-matter loads, so the same day shape at
/// another demand level (`demand_change` scales every matter before the sums) differs in
/// its last bits, and every curve keyed by the day — capacities, tangent cuts, kept across
/// plans by `optimise::cache` — would be computed again for what is the same day. Rounded,
/// the same shape is the same key; 1e-12 relative is far below anything the model resolves
/// (its waits are accurate to ~1e-7).
pub(crate) fn snap(x: f64) -> f64 {
    const DROP: u32 = 12;
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    // Round the magnitude half-up on the bit pattern (a carry into the exponent is the
    // right result); the sign bit is untouched.
    let bits = x.to_bits();
    f64::from_bits((bits + (1 << (DROP - 1))) & !((1u64 << DROP) - 1))
}

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
    /// Per session: its weight in the day (1, or a weekday's share of the open days when
    /// the "day" is a week of weekday types — `--slots week`, model.md §1).
    weights: Vec<f64>,
    /// Per slot: its position in its day (slot h of every weekday is position h).
    positions: Vec<usize>,
    /// Positions in a day.
    n_positions: usize,
    /// Largest slot offered load (Erlangs) per unit of L, of the weighted average over the
    /// days at each position.
    peak_per_load: f64,
}

impl PoolDay {
    /// The day's sessions, each a list of slots. Shares are normalised to sum to 1; slots
    /// of non-positive length or share carry no arrivals. A profile without any positive
    /// share carries nothing (every load waits 0).
    pub fn new(sessions: &[&[ShapeSlot]], service: Service) -> PoolDay {
        PoolDay::weighted(&[(1.0, sessions)], service)
    }

    /// A "day" that is a set of days with weights (`--slots week`: the sessions of each
    /// open weekday, weighted by that weekday's share of the open days), so that waiting,
    /// arrivals and the mean wait are those of an average open day. Slot targets and the
    /// peak utilisation are read at each slot position (slot h of every day) as the
    /// weighted average over the days — what today's backtest reports, day by day — so a
    /// week and a typical day are held to the same kind of target. Every day must have the
    /// same slots. Shares are normalised so that Σ weight × share = 1 (L stays the average
    /// day's work).
    pub fn weighted(days: &[(f64, &[&[ShapeSlot]])], service: Service) -> PoolDay {
        let service = Service {
            handle_min: snap(service.handle_min),
            cs2: snap(service.cs2),
        };
        let total: f64 = days
            .iter()
            .flat_map(|(w, ss)| {
                ss.iter()
                    .flat_map(|s| s.iter())
                    .map(move |x| (non_negative(*w), x))
            })
            .filter(|(_, s)| s.minutes > 0.0)
            .map(|(w, s)| w * non_negative(s.share))
            .sum();
        let mut slots = Vec::new();
        let mut ranges = Vec::new();
        let mut weights = Vec::new();
        let mut positions = Vec::new();
        let mut pos_load: Vec<f64> = Vec::new();
        let s_bar = service.handle_min;
        for (weight, sessions) in days {
            let weight = non_negative(*weight);
            let mut pos = 0;
            for session in sessions.iter() {
                let start = slots.len();
                for s in session.iter() {
                    let minutes = non_negative(s.minutes);
                    let share = if total > 0.0 && minutes > 0.0 && weight > 0.0 {
                        non_negative(s.share) / total
                    } else {
                        0.0
                    };
                    let per_min = if share > 0.0 && s_bar > 0.0 {
                        snap(share * 60.0 / s_bar / minutes)
                    } else {
                        0.0
                    };
                    if pos_load.len() <= pos {
                        pos_load.resize(pos + 1, 0.0);
                    }
                    pos_load[pos] += weight * per_min * s_bar;
                    slots.push((minutes, per_min));
                    positions.push(pos);
                    pos += 1;
                }
                ranges.push((start, slots.len()));
                weights.push(weight);
            }
        }
        PoolDay {
            service,
            slots,
            sessions: ranges,
            weights,
            positions,
            n_positions: pos_load.len(),
            peak_per_load: pos_load.iter().copied().fold(0.0, f64::max),
        }
    }

    /// The handling time the pool was built with.
    pub fn service(&self) -> Service {
        self.service
    }

    /// The day's sessions as [`Slot`]s at (c, L), for [`day`](super::day) (p90, per-slot figures):
    /// `day(&refs, pool.service())` gives the same waiting as [`Self::evaluate`] when every
    /// session weighs 1 (a weighted week lists its sessions unweighted here).
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

    /// P(wait > `t`) over the day's arrivals at (c, L), sessions weighted as in
    /// [`Self::evaluate`] ([`super::share_over`]).
    pub fn share_over(&self, c: u32, load: f64, t: Minutes) -> f64 {
        let sessions = self.sessions_at(c, load);
        let weighted: Vec<(f64, &[Slot])> = sessions
            .iter()
            .zip(&self.weights)
            .map(|(s, &w)| (w, s.as_slice()))
            .collect();
        super::sessions::share_over(&weighted, self.service, t)
    }

    /// The largest day load ≤ `upper` at which `c` windows serve at least `share` of the
    /// day's arrivals within `t` minutes (a percentile target): P(wait > t) rises with the
    /// load, so Brent's method narrows [0, upper] to its feasible end. `upper` is returned
    /// when it already meets the target, 0 when c = 0.
    pub fn max_load_within(&self, c: u32, upper: f64, share: f64, t: Minutes) -> f64 {
        if c == 0 || upper <= 0.0 {
            return 0.0;
        }
        let allowed = 1.0 - share;
        let g = |l: f64| self.share_over(c, l, t) - allowed;
        if upper.is_finite() {
            let ghi = g(upper);
            if ghi <= 0.0 {
                return upper;
            }
            return brent_largest_feasible(&g, 0.0, -allowed, upper, ghi);
        }
        // No other limit: from the load that saturates the peak, double until it fails.
        let (mut lo, mut glo) = (0.0, -allowed);
        let mut hi = f64::from(c) / self.peak_per_load.max(1e-12);
        let mut ghi = g(hi);
        while ghi <= 0.0 {
            (lo, glo) = (hi, ghi);
            hi *= 2.0;
            if hi > 1e12 {
                return f64::INFINITY;
            }
            ghi = g(hi);
        }
        brent_largest_feasible(&g, lo, glo, hi, ghi)
    }

    /// Expected arrivals per day at day load `load`: L·60/s̄ (0 for an empty profile).
    pub fn arrivals(&self, load: f64) -> f64 {
        // Slot by slot in order, so that unit weights add up exactly as a plain day does.
        let mut sum = 0.0;
        for (&(a, b), &w) in self.sessions.iter().zip(&self.weights) {
            for &(m, k) in &self.slots[a..b] {
                sum += w * m * k;
            }
        }
        sum * load
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
        // Diffusion scaling (module docs): the exponential queue on the day with its clock
        // ts times faster; person-minutes scale by f·ts, waits by f.
        let ts = self.service.time_scale();
        WORKSPACE.with(|cell| {
            let mut ws = cell.borrow_mut();
            let mut segs = std::mem::take(&mut ws.segs);
            let mut outs = std::mem::take(&mut ws.outs);
            let (mut total, mut d_total) = (0.0, 0.0);
            // Each position's mean wait, weighted over the days.
            let mut at = vec![0.0f64; self.n_positions];
            for (&(a, b), &weight) in self.sessions.iter().zip(&self.weights) {
                if weight <= 0.0 {
                    continue;
                }
                segs.clear();
                segs.extend(self.slots[a..b].iter().map(|&(m, k)| Seg {
                    minutes: m / ts,
                    lambda: k * load,
                    dlambda: k,
                    c,
                    wait_c: c,
                    closed_after: 0.0,
                }));
                outs.clear();
                outs.resize(segs.len(), SegOut::default());
                let (drain, d_drain) = run::<D>(&mut ws, &segs, mu, c, &mut outs, None, None);
                for ((s, o), &pos) in segs.iter().zip(&outs).zip(&self.positions[a..b]) {
                    total += weight * o.q_int;
                    d_total += weight * o.d_q_int;
                    if s.lambda > 0.0 {
                        at[pos] += weight * (o.wait_sum / (s.lambda * s.minutes));
                    }
                }
                total += weight * drain;
                d_total += weight * d_drain;
            }
            ws.segs = segs;
            ws.outs = outs;
            let worst = at.iter().copied().fold(0.0, f64::max);
            (f * ts * total, f * ts * d_total, f * worst)
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
        let mut out = Capacities::default();
        self.extend_capacities(&mut out, c_max, targets);
        out.values
    }

    /// [`Self::capacities`] continued up to `c_max` from where `out` stopped (the same
    /// values as one call up to `c_max`: each A(c) depends only on those below it), so a
    /// caller that learns how far it needs to go as it goes computes each A(c) once.
    pub fn extend_capacities(&self, out: &mut Capacities, c_max: u32, targets: &Targets) {
        let Capacities {
            values: out,
            last_error,
        } = out;
        for c in out.len() as u32..=c_max {
            // Capacity grows about linearly in c: extrapolate from the last two.
            let guess = match out.as_slice() {
                [.., a, b] if *b > 0.0 && b.is_finite() && a.is_finite() => Some(2.0 * b - a),
                [.., b] if *b > 0.0 && b.is_finite() => Some(*b * f64::from(c) / f64::from(c - 1)),
                _ => None,
            };
            let step = (4.0 * *last_error).clamp(1e-6, GUESS_STEP);
            let a = self.max_load_from(c, targets, guess.map(|x| (x, step)));
            if let Some(x) = guess {
                if a > 0.0 && a.is_finite() {
                    *last_error = ((x - a) / a).abs();
                }
            }
            out.push(a);
        }
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

/// A(0), A(1), … of [`PoolDay::extend_capacities`] so far, with the state its warm
/// start carries from one window count to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacities {
    pub values: Vec<f64>,
    /// Relative error of the last guess: the next bracket is a few times as wide.
    last_error: f64,
}

impl Default for Capacities {
    fn default() -> Self {
        Capacities {
            values: Vec::new(),
            last_error: GUESS_STEP,
        }
    }
}

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
