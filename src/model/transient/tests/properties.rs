//! Properties over random days (the MILP's tangent cuts rely on them).

use super::*;
use proptest::prelude::*;

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
