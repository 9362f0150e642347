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
    /// Whole preparations by the policy they were made for, newest last (a window budget
    /// changes only the solve: `serve` answers every budget of a setting from one).
    prepared: Mutex<Vec<(String, Arc<super::Prepared>)>>,
    /// Today's slots and backtest by the policy without its demand change, newest last
    /// (every demand level of a setting shares them).
    today: Mutex<Vec<(String, Arc<super::prepare::Today>)>>,
}

/// Preparations kept at most (each holds the hall's model, a few MB on a large hall).
const MAX_PREPARED: usize = 8;

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

    /// The preparation kept for `key`, or `make`'s, then kept (an error is not kept).
    /// Two plans asking at once for a new key may both prepare it: the same bytes, kept
    /// once.
    pub(crate) fn prepared(
        &self,
        key: String,
        make: impl FnOnce() -> crate::error::Result<super::Prepared>,
    ) -> crate::error::Result<Arc<super::Prepared>> {
        kept_or_made(&self.prepared, key, make)
    }

    /// Today's slots and backtest kept for `key`, or `make`'s, then kept; as
    /// [`HallCache::prepared`].
    pub(crate) fn today(
        &self,
        key: String,
        make: impl FnOnce() -> crate::error::Result<super::prepare::Today>,
    ) -> crate::error::Result<Arc<super::prepare::Today>> {
        kept_or_made(&self.today, key, make)
    }

    /// Curves held (tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.curves).len()
    }
}

/// The value kept in `list` for `key`, or `make`'s, then kept (newest last, at most
/// [`MAX_PREPARED`]; an error is not kept). The lock is not held while making: two callers
/// asking at once for a new key may both make it — the same bytes, kept once.
fn kept_or_made<T>(
    list: &Mutex<Vec<(String, Arc<T>)>>,
    key: String,
    make: impl FnOnce() -> crate::error::Result<T>,
) -> crate::error::Result<Arc<T>> {
    if let Some((_, v)) = lock(list).iter().find(|(k, _)| *k == key) {
        return Ok(Arc::clone(v));
    }
    let made = Arc::new(make()?);
    let mut kept = lock(list);
    if !kept.iter().any(|(k, _)| *k == key) {
        if kept.len() >= MAX_PREPARED {
            kept.remove(0);
        }
        kept.push((key, Arc::clone(&made)));
    }
    Ok(made)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::transient::{Service, ShapeSlot};

    fn day() -> PoolDay {
        let morning = [
            ShapeSlot {
                minutes: 60.0,
                share: 0.2,
            },
            ShapeSlot {
                minutes: 60.0,
                share: 0.35,
            },
        ];
        let afternoon = [ShapeSlot {
            minutes: 120.0,
            share: 0.45,
        }];
        PoolDay::new(
            &[&morning, &afternoon],
            Service {
                handle_min: 6.0,
                cs2: 0.6,
            },
        )
    }

    const TARGETS: Targets = Targets {
        mean_wait_min: 5.0,
        peak_wait_min: 12.0,
        max_utilisation: 0.95,
    };

    #[test]
    fn a_curve_grown_a_window_at_a_time_is_the_one_computed_at_once() {
        let cache = HallCache::new();
        let curve = cache.curve(&day(), TARGETS, None);
        let mut grown = Vec::new();
        for c in 0..=12 {
            grown = hold(&curve).up_to(c).to_vec();
        }
        let at_once = day().capacities(12, &TARGETS);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&grown), bits(&at_once));
        assert!(grown[12] > grown[6] && grown[6] > 0.0, "{grown:?}");
    }

    #[test]
    fn another_profile_target_or_percentile_is_another_curve() {
        let cache = HallCache::new();
        let a = cache.curve(&day(), TARGETS, None);
        let again = cache.curve(&day(), TARGETS, None);
        assert!(Arc::ptr_eq(&a, &again), "same key, same curve");
        let stricter = Targets {
            mean_wait_min: 4.0,
            ..TARGETS
        };
        let b = cache.curve(&day(), stricter, None);
        let q = Some(PercentileTarget {
            share: 0.9,
            within_min: 15.0,
        });
        let c = cache.curve(&day(), TARGETS, q);
        assert_eq!(cache.len(), 3);
        let (a, b, c) = (hold(&a).up_to(8).to_vec(), hold(&b).up_to(8).to_vec(), {
            hold(&c).up_to(8).to_vec()
        });
        // One window is held by the mean target; more by the utilisation cap.
        assert!(
            b[1] < a[1],
            "a stricter mean target carries less: {a:?} {b:?}"
        );
        assert!(b.iter().zip(&a).all(|(b, a)| b <= a), "{a:?} {b:?}");
        assert!(
            c.iter().zip(&a).all(|(c, a)| c <= a),
            "a percentile only lowers"
        );
    }

    #[test]
    fn a_plan_prepared_with_a_shared_cache_is_the_one_prepared_alone() {
        let hall = crate::hall::bundled_sample_for_tests();
        let policy = crate::model::Policy::default();
        let cache = HallCache::new();
        let locked = crate::model::Policy {
            locked_windows: vec!["A01".into()],
            ..policy.clone()
        };
        // The cache first sees another setting, whose curves the second reuses.
        let first = super::super::prepare_with(&hall, &locked, &cache).expect("prepares");
        let cached = super::super::prepare_with(&hall, &policy, &cache).expect("prepares");
        let alone = super::super::prepare(&hall, &policy).expect("prepares");
        assert_eq!(format!("{:?}", cached.input), format!("{:?}", alone.input));
        assert_eq!(cached.notes, alone.notes);
        assert_ne!(
            format!("{:?}", first.input.pools),
            format!("{:?}", alone.input.pools),
            "the locked window is a different model"
        );
    }
}
