//! Bookkeeping and edge cases.

use super::*;
use crate::model::transient::mixture::{tail_at, Mixture};
use crate::model::transient::sessions::session_parts;

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
    assert!(s.person_min.is_infinite() && s.mean_wait_min.is_infinite() && s.p90_min.is_infinite());
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
    let there = std::thread::scope(|s| s.spawn(|| pool.waiting(3, 10.0)).join().expect("thread"));
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

/// `--slots week`: a week of weekday days with weights is the weighted sum of those days —
/// waiting and arrivals add with the weights, so a Monday 20 % busier and a Friday 20 %
/// quieter wait more in total than two average days (waits are convex in the load); the
/// slot target is read per slot position as the weighted average over the days.
#[test]
fn a_weighted_week_is_the_weighted_sum_of_its_days() {
    let sv = Service {
        handle_min: 8.0,
        cs2: 0.8,
    };
    let morning = [
        ShapeSlot {
            minutes: 60.0,
            share: 0.3,
        },
        ShapeSlot {
            minutes: 60.0,
            share: 0.4,
        },
    ];
    let afternoon = [ShapeSlot {
        minutes: 90.0,
        share: 0.3,
    }];
    let day: [&[ShapeSlot]; 2] = [&morning, &afternoon];
    let plain = PoolDay::new(&day, sv);
    let scaled = |f: f64| -> Vec<Vec<ShapeSlot>> {
        day.iter()
            .map(|s| {
                s.iter()
                    .map(|x| ShapeSlot {
                        minutes: x.minutes,
                        share: x.share * f,
                    })
                    .collect()
            })
            .collect()
    };
    let (mon, fri) = (scaled(1.2), scaled(0.8));
    let mon_refs: Vec<&[ShapeSlot]> = mon.iter().map(Vec::as_slice).collect();
    let fri_refs: Vec<&[ShapeSlot]> = fri.iter().map(Vec::as_slice).collect();
    let week = PoolDay::weighted(&[(0.5, &mon_refs), (0.5, &fri_refs)], sv);
    for (c, load) in [(2u32, 1.0), (3, 2.2), (4, 3.1)] {
        let want = 0.5 * plain.waiting(c, 1.2 * load) + 0.5 * plain.waiting(c, 0.8 * load);
        assert_rel(week.waiting(c, load), want, 1e-12, "week waiting");
        assert!(
            week.waiting(c, load) > plain.waiting(c, load),
            "convex: the week waits more"
        );
        assert_rel(
            week.arrivals(load),
            plain.arrivals(load),
            1e-12,
            "the average day's arrivals",
        );
        let (m, f) = (plain.evaluate(c, 1.2 * load), plain.evaluate(c, 0.8 * load));
        let e = week.evaluate(c, load);
        assert_rel(
            e.peak_utilisation,
            plain.peak_utilisation(c, load),
            1e-12,
            "utilisation at the average",
        );
        assert!(
            e.worst_slot_wait_min
                <= 0.5 * m.worst_slot_wait_min + 0.5 * f.worst_slot_wait_min + 1e-12
        );
        assert!(e.worst_slot_wait_min > plain.evaluate(c, load).worst_slot_wait_min);
    }
    // The slope is the weighted sum of the days' slopes too (tangent cuts stay exact).
    let (_, d_week) = week.waiting_with_slope(3, 2.0);
    let d_want = 0.5 * 1.2 * plain.waiting_with_slope(3, 2.4).1
        + 0.5 * 0.8 * plain.waiting_with_slope(3, 1.6).1;
    assert_rel(d_week, d_want, 1e-9, "week slope");
}

/// The same day shape built from loads at another demand level is the same pool day, bit
/// for bit: the planner keeps curves by the pool's day (`optimise::cache`), and a day whose
/// shares differ only in their last bits must not be a new key. Loads are summed per
/// matter after the demand scale, as the hall model does.
#[test]
fn a_day_shape_at_another_demand_level_is_the_same_pool_day() {
    let matters = [[3.1, 7.7, 0.9], [12.3, 4.4, 8.05], [0.37, 2.9, 6.6]];
    let day_at = |scale: f64| {
        let loads: Vec<f64> = (0..3)
            .map(|h| matters.iter().map(|m| m[h] * scale).sum())
            .collect();
        let total: f64 = loads.iter().sum();
        let second: f64 = matters.iter().map(|m| m[0] * scale * 2.3).sum::<f64>() / total;
        let shape: Vec<ShapeSlot> = loads
            .iter()
            .map(|l| ShapeSlot {
                minutes: 60.0,
                share: l / total,
            })
            .collect();
        PoolDay::new(
            &[&shape],
            Service {
                handle_min: second,
                cs2: 0.4,
            },
        )
    };
    let base = day_at(1.0);
    let mut differed_unsnapped = 0;
    for scale in [0.45, 0.6, 0.7, 0.8, 0.9, 1.05, 1.1, 1.3] {
        assert_eq!(day_at(scale), base, "demand × {scale}");
        let raw = matters.iter().map(|m| m[0] * scale).sum::<f64>() * 2.3
            / matters
                .iter()
                .map(|m| m.iter().sum::<f64>() * scale)
                .sum::<f64>();
        let exact = matters.iter().map(|m| m[0]).sum::<f64>() * 2.3
            / matters.iter().map(|m| m.iter().sum::<f64>()).sum::<f64>();
        differed_unsnapped += usize::from(raw != exact);
    }
    // The premise: without the rounding some of these scales give other bits.
    assert!(differed_unsnapped > 0);
    // The rounding is to ~12 significant digits, and of the magnitude only.
    use crate::model::transient::snap;
    let x = 0.1 + 0.2;
    assert_ne!(x, 0.3);
    assert_eq!(snap(x), snap(0.3));
    assert!((snap(x) - x).abs() <= x * 2f64.powi(-40));
    assert_eq!(snap(snap(x)), snap(x));
    assert_eq!(snap(-x), -snap(x));
    assert_eq!(snap(0.0), 0.0);
    assert_eq!(snap(f64::INFINITY), f64::INFINITY);
}
