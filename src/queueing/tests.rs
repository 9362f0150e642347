//! Erlang B/C against published values, Allen–Cunneen, tails and the capacity inversions.

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
