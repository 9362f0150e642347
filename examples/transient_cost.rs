//! Cost of the transient session model (`model::transient`).
//!
//! cargo run --release --example transient_cost
//!
//! A day of two sessions, 09:00–12:00 and 13:30–17:00, in seven slots (the 13:30 slot is
//! 30 minutes). Times are the best of several repetitions, single-threaded.
use hallplan::model::transient::*;
use std::time::Instant;

fn shape() -> (Vec<ShapeSlot>, Vec<ShapeSlot>) {
    let sl = |v: &[(f64, f64)]| {
        v.iter()
            .map(|&(minutes, share)| ShapeSlot { minutes, share })
            .collect()
    };
    (
        sl(&[(60.0, 0.14), (60.0, 0.20), (60.0, 0.16)]),
        sl(&[(30.0, 0.05), (60.0, 0.17), (60.0, 0.18), (60.0, 0.10)]),
    )
}

/// Best wall time of `f` over `reps` runs, in µs.
fn best_us(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let (m, a) = shape();
    let day = [m.as_slice(), a.as_slice()];
    println!("One day (2 sessions, 7 slots) at peak utilisation 0.95, c windows all day:");
    println!(
        "  s̄ min | c=1 µs | c=5 µs | c=10 µs | c=20 µs | mean c=1..20 µs | with slope, mean µs"
    );
    for handle in [2.0, 5.0, 10.0, 20.0] {
        let pool = PoolDay::new(
            &day,
            Service {
                handle_min: handle,
                cs2: 1.0,
            },
        );
        let load = |c: u32| 0.95 * f64::from(c) / pool.peak_utilisation(1, 1.0);
        let per_c: Vec<f64> = (1..=20u32)
            .map(|c| {
                best_us(5, || {
                    std::hint::black_box(pool.waiting(c, load(c)));
                })
            })
            .collect();
        let slope: f64 = (1..=20u32)
            .map(|c| {
                best_us(5, || {
                    std::hint::black_box(pool.waiting_with_slope(c, load(c)));
                })
            })
            .sum::<f64>()
            / 20.0;
        println!(
            "  {handle:>5} | {:>6.1} | {:>6.1} | {:>7.1} | {:>7.1} | {:>15.1} | {:>8.1}",
            per_c[0],
            per_c[4],
            per_c[9],
            per_c[19],
            per_c.iter().sum::<f64>() / 20.0,
            slope
        );
    }

    println!("\nsession() with p90, one 3.5-hour afternoon (4 slots):");
    for handle in [5.0, 10.0] {
        let sv = Service {
            handle_min: handle,
            cs2: 1.0,
        };
        for (what, windows) in [
            ("constant 10 windows", [10u32, 10, 10, 10]),
            ("10, 10, 6, 10 windows", [10, 10, 6, 10]),
        ] {
            let rate =
                |share: f64, minutes: f64| share * 0.95 * 10.0 / 0.18 * 3600.0 / (handle * minutes);
            let slots: Vec<Slot> = a
                .iter()
                .zip(windows)
                .map(|(s, w)| Slot {
                    minutes: s.minutes,
                    arrivals_per_hour: rate(s.share, s.minutes),
                    windows: w,
                })
                .collect();
            let t = best_us(5, || {
                std::hint::black_box(session(&slots, sv));
            });
            println!("  s̄ = {handle:>4}, {what:<22}: {t:>7.1} µs");
        }
    }

    println!(
        "\nCapacities A(c), c = 0..=20, of one pool (targets: mean 0.2·s̄, peak 0.5·s̄, ρ ≤ 0.95):"
    );
    for handle in [2.0, 5.0, 10.0, 20.0] {
        let pool = PoolDay::new(
            &day,
            Service {
                handle_min: handle,
                cs2: 1.0,
            },
        );
        let targets = Targets {
            mean_wait_min: 0.2 * handle,
            peak_wait_min: 0.5 * handle,
            max_utilisation: 0.95,
        };
        let mut caps = Vec::new();
        let t = best_us(3, || caps = pool.capacities(20, &targets));
        let binding = caps
            .iter()
            .enumerate()
            .skip(1)
            .filter(|&(c, &x)| x < 0.95 * c as f64 / pool.peak_utilisation(1, 1.0) * (1.0 - 1e-9))
            .count();
        println!("  s̄ = {handle:>4}: {:>7.2} ms ({binding} of 20 window counts below the utilisation cap)", t / 1e3);
    }

    // A hall: 30 pools, 1–20 windows today, handling 4–25 min. Per pool: A(c) for
    // c = 0..=today + 2, and tangent cuts (waiting and slope) at 4 loads per c.
    println!("\nA hall of 30 pools (1–20 windows, s̄ 4–25 min): capacities for c ≤ today + 2 and 4 tangent cuts per c:");
    let mut seed: u64 = 12345;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let pools: Vec<(u32, f64)> = (0..30)
        .map(|i| {
            // A few big pools, most small.
            let windows = if i < 4 {
                12 + (next() * 9.0) as u32
            } else {
                1 + (next() * 6.0) as u32
            };
            (windows, 4.0 + 21.0 * next())
        })
        .collect();
    // Per pool, the best of 3 runs (the machine is shared): their sum is the hall.
    let mut evals = 0usize;
    let mut total_us = 0.0;
    let mut caps_us = 0.0;
    for &(today, handle) in &pools {
        let pool = PoolDay::new(
            &day,
            Service {
                handle_min: handle,
                cs2: 1.0,
            },
        );
        let targets = Targets {
            mean_wait_min: 0.3 * handle,
            peak_wait_min: 0.6 * handle,
            max_utilisation: 0.95,
        };
        let mut caps = Vec::new();
        caps_us += best_us(3, || caps = pool.capacities(today + 2, &targets));
        total_us += best_us(3, || {
            for (c, &cap) in caps.iter().enumerate().skip(1) {
                for i in 1..=4 {
                    std::hint::black_box(
                        pool.waiting_with_slope(c as u32, cap * f64::from(i) / 4.0),
                    );
                }
            }
        });
        evals += 4 * (caps.len() - 1);
    }
    total_us += caps_us;
    let windows: u32 = pools.iter().map(|p| p.0).sum();
    println!(
        "  {windows} windows today in all: capacities {:.0} ms, {evals} tangent evaluations {:.0} ms; total {:.0} ms single-threaded",
        caps_us / 1e3,
        (total_us - caps_us) / 1e3,
        total_us / 1e3
    );
}
