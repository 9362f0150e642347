//! Tangent cuts of the waiting rate φ_c(a): where they are placed, and the lower bound
//! they give. One table serves the model builder, the checker and the tests.

use super::flows::{load_range, option_flows};
use super::input::{MilpInput, PoolSpec};
use crate::queueing::{waiting_rate_at_load, waiting_rate_slope};

/// Person-minutes per unit of the waiting variables t (person-hours).
pub(super) const CUT_UNIT: f64 = 60.0;

/// Relative accuracy of the tangent envelope (share of φ at the top of the
/// reachable load range), checked at the candidate points.
pub(super) const CUT_REL_TOL: f64 = 1e-2;

/// Absolute accuracy of the tangent envelope (person-minutes of waiting per
/// hour); a curve that stays below it on the reachable range gets no cut.
pub(super) const CUT_ABS_TOL: f64 = 1e-3;

/// A tangent φ_c(â) + φ'_c(â)·(a − â) = slope·a + intercept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cut {
    pub slope: f64,
    pub intercept: f64,
}

/// Tangent cuts of φ_c for `pool` on the load range (0, `domain`], where
/// `domain` = min(A_p(c), the largest load the pool can get in the slot).
///
/// Candidate points are `D·(1 − (1 − i/K)²)`, i = 1..K: denser towards the
/// top of the range, where φ bends sharply as the pool nears saturation, and
/// sparse near 0 where φ is almost flat. Cuts are then chosen greedily: the
/// tangent at the top first, then at whichever candidate the current
/// envelope under-estimates most, until every candidate is within
/// [`CUT_REL_TOL`]·φ(D) + [`CUT_ABS_TOL`]. So `K` is a maximum: flat curves
/// (many windows, light load) get one or two cuts, or none when φ(D) is below
/// [`CUT_ABS_TOL`], which keeps the model small where the curve does not
/// matter. Restricting the points to loads the slot can actually reach
/// spends the cuts where they can bind; any tangent is a valid under-estimator
/// everywhere, so this costs no validity.
pub(crate) fn tangent_cuts(pool: &PoolSpec, c: u32, points: usize, domain: f64) -> Vec<Cut> {
    let domain = curve_domain(pool, c, domain);
    if c == 0 || domain <= 0.0 || points == 0 {
        return Vec::new();
    }
    // The top of the range first: a curve that stays flat there (a pool with far more
    // windows than its load needs, e.g. the comprehensive pool's largest counts) gets no
    // cut, and its other points need not be evaluated.
    let top = tangent_at(pool, c, domain);
    if top.is_some_and(|(_, value, _)| value <= CUT_ABS_TOL) {
        return Vec::new();
    }
    let candidates: Vec<(f64, f64, Cut)> = top
        .into_iter()
        .chain((1..points).rev().filter_map(|i| {
            let rest = 1.0 - i as f64 / points as f64;
            tangent_at(pool, c, domain * (1.0 - rest * rest))
        }))
        .collect();
    let Some(&(_, top_value, _)) = candidates.first() else {
        return Vec::new();
    };
    let tolerance = CUT_REL_TOL * top_value + CUT_ABS_TOL;
    if top_value <= CUT_ABS_TOL {
        return Vec::new();
    }
    let mut chosen: Vec<usize> = vec![0];
    loop {
        let cuts: Vec<Cut> = chosen.iter().map(|&i| candidates[i].2).collect();
        let worst = candidates
            .iter()
            .enumerate()
            .map(|(i, &(at, value, _))| (i, value - tangent_bound(&cuts, at)))
            .fold(
                (0, 0.0),
                |best, next| if next.1 > best.1 { next } else { best },
            );
        if worst.1 <= tolerance || chosen.contains(&worst.0) {
            break;
        }
        chosen.push(worst.0);
    }
    // Order by slope so the rows read naturally and do not depend on the
    // greedy order.
    chosen.sort_unstable_by(|a, b| b.cmp(a));
    chosen.iter().map(|&i| candidates[i].2).collect()
}

/// The load range (0, domain] a curve's cuts are placed on: the slot's largest load `top`,
/// no more than the capacity A_p(c) nor where φ stops being convex.
fn curve_domain(pool: &PoolSpec, c: u32, top: f64) -> f64 {
    let cap = pool.peak_capacity.get(c as usize).copied().unwrap_or(0.0);
    top.min(cap).min(stationary_limit(pool, c))
}

/// Waiting person-minutes per hour (per day for a collapsed pool) at load `a`. A
/// collapsed pool's day comes from the transient session model (`model::transient`):
/// finite even when its peak slot is overloaded, increasing and convex in the load.
pub(crate) fn phi(pool: &PoolSpec, c: u32, a: f64) -> Option<f64> {
    if let Some(day) = &pool.day {
        let w = day.waiting(c, a);
        return w.is_finite().then_some(w);
    }
    if pool.profile.is_empty() {
        return waiting_rate_at_load(c, a, pool.handle_min, pool.cs2);
    }
    pool.profile
        .iter()
        .map(|&share| waiting_rate_at_load(c, share * a, pool.handle_min, pool.cs2))
        .sum()
}

/// The largest load at which φ is defined and convex: for the transient model every
/// load (a session always ends), for steady state below the windows.
pub(super) fn stationary_limit(pool: &PoolSpec, c: u32) -> f64 {
    if pool.day.is_some() {
        return f64::INFINITY;
    }
    let top = pool.profile.iter().copied().fold(0.0, f64::max);
    if pool.profile.is_empty() || top <= 0.0 {
        f64::from(c)
    } else {
        0.999 * f64::from(c) / top
    }
}

/// dφ/da: the transient model's exact sensitivity, or the chain rule over the slots.
pub(crate) fn phi_slope(pool: &PoolSpec, c: u32, a: f64) -> Option<f64> {
    if let Some(day) = &pool.day {
        let (w, d) = day.waiting_with_slope(c, a);
        return (w.is_finite() && d.is_finite()).then_some(d);
    }
    if pool.profile.is_empty() {
        return waiting_rate_slope(c, a, pool.handle_min, pool.cs2);
    }
    pool.profile
        .iter()
        .filter(|&&share| share > 0.0)
        .map(|&share| {
            waiting_rate_slope(c, share * a, pool.handle_min, pool.cs2).map(|d| d * share)
        })
        .sum()
}

/// (â, φ(â), tangent at â), or None where φ is undefined.
pub(super) fn tangent_at(pool: &PoolSpec, c: u32, at: f64) -> Option<(f64, f64, Cut)> {
    // Cuts are written in person-hours: slopes near saturation reach 10⁵ person-minutes
    // per Erlang, and coefficients that large make microlp's bases ill-conditioned.
    // The transient model gives the value with its slope in one pass (the slope alone
    // costs about twice the value; asking for both separately would cost three times).
    let (value, slope) = match &pool.day {
        Some(day) => day.waiting_with_slope(c, at),
        None => (phi(pool, c, at)?, phi_slope(pool, c, at)?),
    };
    (value.is_finite() && slope.is_finite()).then_some((
        at,
        value,
        Cut {
            slope,
            intercept: value - slope * at,
        },
    ))
}

/// Tangent cuts for every pool, window count and slot: `cuts[p][c][h]`.
/// One table serves the model builder, [`super::check`] and the tests, so all
/// three evaluate the very same lower bound.
#[derive(Debug, Clone)]
pub(crate) struct CutTable {
    pub cuts: Vec<Vec<Vec<Vec<Cut>>>>,
}

impl CutTable {
    pub(crate) fn new(input: &MilpInput) -> Self {
        let (_, hi) = load_range(input, &option_flows(input));
        Self::with_range(input, &hi)
    }

    /// The table for known largest loads `hi[p][h]`, every window count of every pool.
    pub(super) fn with_range(input: &MilpInput, hi: &[Vec<f64>]) -> Self {
        Self::for_sizes(input, hi, None)
    }

    /// The table for known largest loads `hi[p][h]`, with the curves of the window counts
    /// `sizes[p]` made (all of them when `sizes` is None); the other curves are left empty
    /// (no cut) and must not be read — a model built with these sizes reads no other.
    ///
    /// Why only those: a least-waiting model within a budget admits each pool only the
    /// sizes the budget leaves it, and the comprehensive pool, which may take nearly the
    /// whole hall (channel `general`), has curves up to ~58 windows, the dearest of the
    /// table. Each curve depends only on its pool, window count, largest load and points
    /// ([`curve_cache`]), so a curve made for one table is the same bytes in another.
    ///
    /// Curves run in parallel ([`super::par_map`], one task per (pool, window count)), and
    /// are kept (the planner builds the same least-waiting model for every budget it
    /// tries, and `serve` the same pools under many settings): a later call makes only the
    /// curves no earlier call made.
    pub(super) fn for_sizes(
        input: &MilpInput,
        hi: &[Vec<f64>],
        sizes: Option<&[Vec<u32>]>,
    ) -> Self {
        let mut cuts: Vec<Vec<Vec<Vec<Cut>>>> = input
            .pools
            .iter()
            .zip(hi)
            .map(|(pool, hi)| vec![vec![Vec::new(); hi.len()]; pool.max_windows as usize + 1])
            .collect();
        if input.tangent_points == 0 {
            return Self { cuts };
        }
        let started = std::time::Instant::now();
        // Debug output of f64 is exact (shortest round trip), so equal keys mean equal
        // inputs to every tangent of the curve (see `tangent_cuts`, `tangent_at`, `phi`).
        let pool_keys: Vec<String> = input
            .pools
            .iter()
            .map(|pool| {
                format!(
                    "{:?}|{:?}|{:?}|{:?}|{}",
                    pool.day, pool.profile, pool.handle_min, pool.cs2, input.tangent_points
                )
            })
            .collect();
        // A curve reads its slot's largest load only through its domain (`tangent_cuts`):
        // keyed by the domain, a curve whose capacity A_p(c) is below the largest load —
        // most of them — is the same curve at every demand level (`serve`'s demand knob).
        let key = |p: usize, c: u32| {
            let pool = &input.pools[p];
            let cap = pool.peak_capacity.get(c as usize).copied();
            let domains: Vec<f64> = hi[p]
                .iter()
                .map(|&top| curve_domain(pool, c, top))
                .collect();
            format!("{}|{c}|{cap:?}|{domains:?}", pool_keys[p])
        };
        let wanted =
            |p: usize, c: u32| sizes.is_none_or(|s| s.get(p).is_some_and(|s| s.contains(&c)));
        let mut missing: Vec<(usize, u32, String)> = Vec::new();
        for (p, pool) in input.pools.iter().enumerate() {
            for c in (0..=pool.max_windows).filter(|&c| wanted(p, c)) {
                let k = key(p, c);
                match curve_cache::get(&k) {
                    Some(kept) => cuts[p][c as usize] = kept,
                    None => missing.push((p, c, k)),
                }
            }
        }
        if missing.is_empty() {
            return Self { cuts };
        }
        let fresh = super::par_map(missing.len(), |i| -> Vec<Vec<Cut>> {
            let (p, c, _) = missing[i];
            hi[p]
                .iter()
                .map(|&top| tangent_cuts(&input.pools[p], c, input.tangent_points, top))
                .collect()
        });
        for ((p, c, k), per_slot) in missing.iter().zip(fresh) {
            curve_cache::put(k.clone(), &per_slot);
            cuts[*p][*c as usize] = per_slot;
        }
        super::timing(
            &format!("tangent cut table ({} curves)", missing.len()),
            started,
        );
        Self { cuts }
    }

    /// Σ_h of the tangent lower bound of pool `p` with `c` windows.
    pub(crate) fn pool_bound(&self, p: usize, c: u32, loads: &[f64]) -> f64 {
        self.cuts[p].get(c as usize).map_or(0.0, |per_slot| {
            per_slot
                .iter()
                .zip(loads)
                .map(|(cuts, &load)| tangent_bound(cuts, load))
                .sum()
        })
    }
}

/// The tangent-cut lower bound of φ_c at `load` (what the MILP's t equals at
/// an optimum when the pool has c windows).
pub(crate) fn tangent_bound(cuts: &[Cut], load: f64) -> f64 {
    cuts.iter()
        .map(|cut| cut.slope * load + cut.intercept)
        .fold(0.0, f64::max)
}

/// Tangent curves already made, keyed by everything they depend on, process-wide (the
/// descent's budgets and `serve`'s settings share them). Bounded: past [`curve_cache::KEEP`]
/// curves it starts afresh.
mod curve_cache {
    use super::Cut;
    use std::collections::HashMap;
    use std::sync::Mutex;

    static KEPT: Mutex<Option<HashMap<String, Vec<Vec<Cut>>>>> = Mutex::new(None);
    pub(super) const KEEP: usize = 20_000;

    pub(super) fn get(key: &str) -> Option<Vec<Vec<Cut>>> {
        let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        kept.as_ref().and_then(|m| m.get(key).cloned())
    }

    pub(super) fn put(key: String, curve: &[Vec<Cut>]) {
        let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        let map = kept.get_or_insert_with(HashMap::new);
        if map.len() >= KEEP {
            map.clear();
        }
        map.insert(key, curve.to_vec());
    }
}
