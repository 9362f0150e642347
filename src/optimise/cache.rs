//! What the planner keeps between plans of one hall: each pool's capacity curve A_p(c),
//! keyed by everything it depends on (the pool's day profile and handling, its targets in
//! uncalibrated minutes, its utilisation cap and the percentile target), and grown to the
//! window counts a plan asks for.
//!
//! Why: `hallplan serve` plans the same hall under many knob settings. A window budget or
//! a locked window leaves every pool's profile and targets as they were, so its curves are
//! the ones an earlier plan computed — the dearest part of preparing a plan (≈ 60 % of it
//! on the bundled sample). `plan` uses a cache of its own for one run (it still saves
//! computing a curve twice). A curve is the same bytes whether it came from the cache or
//! was computed afresh: each A(c) depends only on the key and on A(0..c), and the cache
//! only ever extends a curve by the same computation (`PoolDay::extend_capacities`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::model::transient::{Capacities, PoolDay, Targets};
use crate::model::PercentileTarget;

/// Curves kept at most; beyond it the cache starts afresh (a what-if session that sweeps
/// hundreds of demand levels must not grow without bound).
const MAX_CURVES: usize = 4096;

/// The per-hall cache of the planner. Shared by concurrent plans (`serve`): each curve
/// has its own lock, held while it grows, so two plans needing the same curve compute it
/// once and plans needing different curves do not wait for each other.
#[derive(Default)]
pub struct HallCache {
    curves: Mutex<HashMap<String, Arc<Mutex<CapacityCurve>>>>,
}

/// A poisoned lock only means a planning thread panicked while holding it; a curve is
/// extended one whole value at a time, so what it holds is still right.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl HallCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The capacity curve of a pool with this day, targets and percentile target (its
    /// `within_min` already in uncalibrated minutes).
    pub(crate) fn curve(
        &self,
        day: &PoolDay,
        targets: Targets,
        percentile: Option<PercentileTarget>,
    ) -> Arc<Mutex<CapacityCurve>> {
        // Debug output of f64 is exact (shortest round trip): equal keys, equal inputs.
        let key = format!("{day:?}|{targets:?}|{percentile:?}");
        let mut curves = lock(&self.curves);
        if curves.len() >= MAX_CURVES && !curves.contains_key(&key) {
            curves.clear();
        }
        Arc::clone(curves.entry(key).or_insert_with(|| {
            Arc::new(Mutex::new(CapacityCurve {
                day: day.clone(),
                targets,
                percentile,
                raw: Capacities::default(),
                values: Vec::new(),
            }))
        }))
    }

    /// Curves held (tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.curves).len()
    }
}

/// A_p(0..) of one pool: the largest day load each window count carries within the
/// targets (model.md §4), lowered by the percentile target when there is one.
pub(crate) struct CapacityCurve {
    day: PoolDay,
    targets: Targets,
    percentile: Option<PercentileTarget>,
    raw: Capacities,
    values: Vec<f64>,
}

impl CapacityCurve {
    /// A(0..=c_max), computing the values not yet known.
    pub(crate) fn up_to(&mut self, c_max: u32) -> &[f64] {
        let n = c_max as usize + 1;
        if self.values.len() < n {
            self.day
                .extend_capacities(&mut self.raw, c_max, &self.targets);
            // A percentile target lowers each capacity to the load at which the transient
            // model still serves the stated share within the stated wait.
            for c in self.values.len()..n {
                let cap = self.raw.values[c];
                self.values.push(match self.percentile {
                    Some(q) => self
                        .day
                        .max_load_within(c as u32, cap, q.share, q.within_min),
                    None => cap,
                });
            }
        }
        &self.values[..n]
    }
}

/// The planner's own lock on a curve.
pub(crate) fn hold(curve: &Mutex<CapacityCurve>) -> MutexGuard<'_, CapacityCurve> {
    lock(curve)
}
