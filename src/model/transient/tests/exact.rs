//! Exact small cases.

use super::*;
use crate::model::transient::backward::remaining_waits;
use crate::model::transient::mixture::{ln_factorial, poisson_cdf};
use crate::model::transient::uniformise::{poisson_window, Seg};

/// Windows drop from `from` to `to` between slots and the leaving ones finish their
/// visitors, written out independently of the engine's `after_leaving`: with n people,
/// min(n, from) are served; the first `to` of them stay in the chain, the others (at most
/// from − to) leave it with their windows.
fn leave_forward(p: &mut [f64], from: usize, to: usize) {
    let old = p.to_vec();
    p.fill(0.0);
    for (n, &x) in old.iter().enumerate() {
        let served = n.min(from);
        let leaving = served.saturating_sub(to);
        p[n - leaving] += x;
    }
}

/// The same drop for the tagged customer's remaining wait: in service (j ≤ from) he is
/// done; in the queue he is moved up by the from − to visitors who leave.
fn leave_backward(r: &mut [f64], from: usize, to: usize) {
    let after = r.to_vec();
    for (j, x) in r.iter_mut().enumerate() {
        *x = if j <= from {
            0.0
        } else {
            after[j - (from - to)]
        };
    }
}

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
    let mut prev_c: Option<usize> = None;
    slots
        .iter()
        .map(|s| {
            let (lam, c) = (s.arrivals_per_hour / 60.0, s.windows as usize);
            if let Some(from) = prev_c.filter(|&from| from > c) {
                leave_forward(&mut p, from, c);
            }
            prev_c = Some(c);
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
    let mut next_c = drain_c as usize;
    let mut out: Vec<Vec<Vec<f64>>> = slots
        .iter()
        .rev()
        .map(|s| {
            let c = s.windows as usize;
            if next_c < c {
                leave_backward(&mut r, c, next_c);
            }
            next_c = c;
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
/// boundaries to 1e-8; and each slot's mean wait against the exact FCFS
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

/// When windows change between slots, a slot's mean wait is close to the exact FCFS wait
/// (leaving windows finish their visitors) ∫λ·Σ_n p_n(t)·R(n + 1, t) dt (RK4 on a
/// 0.01-min grid): within 1 % (0.72 % at worst here) for windows opening and closing, lunch dips, overloaded
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

/// A window that goes off duty finishes the visitor it serves. Eighty windows serve a busy
/// half hour (about 31 people at the windows, nobody queues: P(N > 80) < 1e-12), then one
/// window stays and nobody new arrives: the 79 leaving windows finish their visitors, so
/// nobody ever queues. The pre-emptive rule (the visitors at leaving windows back to the queue)
/// gave the second slot about 30 people queued behind one 20-minute window.
#[test]
fn a_leaving_window_finishes_its_visitor() {
    let slots = [slot(30.0, 120.0, 80), slot(30.0, 0.0, 1)];
    let s = session(&slots, exponential(20.0));
    assert!(s.arrivals > 59.0);
    assert!(s.slots[1].person_min < 1e-6, "{:?}", s.slots[1]);
    assert!(s.drain_person_min < 1e-6 && s.mean_wait_min < 1e-6, "{s:?}");
    // With a queue at the drop every window is busy: exactly the queue stays. Two
    // windows, a heavy hour (ρ = 2.5), then one window: each queued visitor moves up by
    // one, so the hour after waits less than if the second window's visitor came back.
    let heavy = [slot(60.0, 15.0, 2), slot(60.0, 0.0, 1)];
    let s = session(&heavy, exponential(20.0));
    let fwd = rk4_forward(&heavy, 20.0);
    let q: Vec<f64> = fwd[1]
        .iter()
        .map(|p| {
            p.iter()
                .enumerate()
                .map(|(n, x)| n.saturating_sub(1) as f64 * x)
                .sum()
        })
        .collect();
    assert_rel(
        s.slots[1].person_min,
        simpson(&q, RK4_STEP * RK4_KEEP as f64),
        1e-7,
        "queue after the drop",
    );
    // The visitor at the leaving window is not in that queue: at the start of the second
    // slot E[(N − 1)⁺] is E[(N₀ − 2)⁺] of the first slot's end.
    let end = fwd[0].last().expect("grid");
    let queued_before: f64 = end
        .iter()
        .enumerate()
        .map(|(n, x)| n.saturating_sub(2) as f64 * x)
        .sum();
    let queued_after: f64 = fwd[1][0]
        .iter()
        .enumerate()
        .map(|(n, x)| n.saturating_sub(1) as f64 * x)
        .sum();
    assert_rel(queued_after, queued_before, 1e-12, "the queue at the drop");
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
    assert!((ln_factorial(40) - (1..=40).map(|i| f64::from(i).ln()).sum::<f64>()).abs() < 1e-12);
}
