//! The MILP alone on synthetic halls (no queueing model, no replay): how long stage 1
//! (fewest windows) and the least-waiting solve take as the hall grows, and whether
//! each answer is proven (no bench script invokes it yet); a plain run:
//!
//! ```sh
//! cargo run --release --example milp_timing -- 6x20 10x40 20x80 40x150
//! ```
//!
//! Each argument is `POOLSxMATTERS`; `LIMIT` (seconds, default 60) bounds each solve.
//! Every plan is checked against the model's rows (`milp::check`) before it is timed.

use hallplan::optimise::milp::{
    check, solve_with_time_limit, ChannelOption, MatterSpec, MilpInput, OptionLoad, PoolSpec,
    Solver,
};
use hallplan::plan::Objective;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

fn load(pool: usize, arrivals: &[f64], handle: f64) -> OptionLoad {
    OptionLoad {
        pool,
        arrivals_per_hour: arrivals.to_vec(),
        handle_min: handle,
    }
}

fn option(label: &str, loads: Vec<OptionLoad>) -> ChannelOption {
    ChannelOption {
        label: label.into(),
        loads,
        backoffice_work_min_week: 0.0,
        self_service_users_per_hour: Vec::new(),
    }
}

fn input(pools: Vec<PoolSpec>, matters: Vec<MatterSpec>, slots: usize) -> MilpInput {
    MilpInput {
        slots,
        pools,
        matters,
        windows_today: 10,
        allow_growth: false,
        staff_today: 10.0,
        staff_per_window: 1.0,
        allow_hiring: false,
        staff_reserve: 0.0,
        prove_fewest: true,
        helper_share: 0.6,
        helper_users_per_hour: 12.0,
        backoffice_min_per_staff_week: 2000.0,
        tangent_points: 8,
        objective: Objective::FewestWindows,
        solver: Solver::Microlp,
    }
}

/// Mean wait (minutes) at load `a` with `c` windows.
fn mean_wait(c: u32, a: f64, s: f64, cs2: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    hallplan::queueing::waiting_rate_at_load(c, a, s, cs2)
        .map_or(f64::INFINITY, |phi| phi * s / (60.0 * a))
}

/// Largest load whose wait stays within `target` and below 95 % use.
fn capacity(c: u32, s: f64, cs2: f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 0.95 * f64::from(c));
    if mean_wait(c, hi, s, cs2) <= target {
        return hi;
    }
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if mean_wait(c, mid, s, cs2) <= target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A hall like model.md describes: departments with a morning and an
/// afternoon peak, joint pools for merge groups, one fallback pool; today
/// each department runs one window more than its peak needs at 85 %.
fn realistic_instance(pools: usize, matters: usize, max_windows: u32, seed: u64) -> MilpInput {
    let mut rng = Rng(seed);
    let slots = 8;
    let profile = [0.10, 0.17, 0.16, 0.10, 0.08, 0.14, 0.15, 0.10];
    let departments = (pools * 3 / 4).max(1);
    let groups = pools.saturating_sub(departments + 1).max(1);
    let fallback = departments + groups;
    let mut dept_load = vec![vec![0.0; slots]; departments];
    // Each department has its own hourly profile around the hall's.
    let profiles: Vec<Vec<f64>> = (0..departments)
        .map(|_| {
            let raw: Vec<f64> = profile.iter().map(|w| w * rng.range(0.6, 1.4)).collect();
            let total: f64 = raw.iter().sum();
            raw.iter().map(|w| w / total).collect()
        })
        .collect();
    let mut specs = Vec::new();
    for m in 0..matters {
        let d = m % departments;
        let s = rng.range(5.0, 20.0);
        let hourly: f64 = rng.range(1.0, 4.0) * 5.0 / (matters as f64 / departments as f64);
        let arrivals: Vec<f64> = profiles[d].iter().map(|w| hourly * w * 8.0).collect();
        for (h, l) in arrivals.iter().enumerate() {
            dept_load[d][h] += l * s / 60.0;
        }
        let mut options = vec![option("counter", vec![load(d, &arrivals, s)])];
        if rng.unit() < 0.5 {
            let g = departments + (d % groups);
            options.push(option("joint", vec![load(g, &arrivals, s * 1.1)]));
        }
        if rng.unit() < 0.4 {
            let share = rng.range(0.3, 0.8);
            let rest: Vec<f64> = arrivals.iter().map(|l| l * (1.0 - share)).collect();
            let mut online = option("online", vec![load(fallback, &rest, s)]);
            online.self_service_users_per_hour = arrivals.iter().map(|l| l * share * 0.3).collect();
            options.push(online);
        } else if rng.unit() < 0.3 {
            let intake: Vec<f64> = arrivals.clone();
            let mut back = option("backoffice", vec![load(fallback, &intake, 2.0)]);
            back.backoffice_work_min_week = arrivals.iter().sum::<f64>() * 5.0 * s;
            options.push(back);
        }
        options.truncate(3);
        specs.push(MatterSpec {
            name: format!("matter {m}"),
            options,
        });
    }
    let mut today = 0;
    let mut pool_specs = Vec::new();
    let mut group_target = vec![f64::INFINITY; groups];
    for (d, loads) in dept_load.iter().enumerate() {
        let peak = loads.iter().copied().fold(0.0, f64::max);
        let n = ((peak / 0.85).ceil() as u32 + 1).min(max_windows);
        today += n;
        let s = 12.0;
        let arrivals: f64 = loads.iter().sum::<f64>() * 60.0 / s;
        let waiting: f64 = loads
            .iter()
            .map(|&l| mean_wait(n, l, s, 1.0) * l * 60.0 / s)
            .sum();
        let target = (waiting / arrivals.max(1e-9)).max(5.0);
        let worst = loads
            .iter()
            .map(|&l| mean_wait(n, l, s, 1.0))
            .fold(0.0, f64::max);
        let peak_target = (2.0 * target).max(worst * 1.001);
        group_target[d % groups] = group_target[d % groups].min(target);
        pool_specs.push((
            format!("dept {d}"),
            target,
            peak_target,
            u32::from(d % 5 == 0),
        ));
    }
    for (g, target) in group_target.iter().enumerate() {
        pool_specs.push((format!("joint {g}"), *target, 2.0 * target, 0));
    }
    pool_specs.push(("fallback".to_string(), 5.0, 10.0, 0));
    let pools = pool_specs
        .into_iter()
        .map(|(name, target, peak_target, min)| PoolSpec {
            name,
            handle_min: 12.0,
            cs2: 1.0,
            min_windows: min,
            max_windows,
            peak_capacity: (0..=max_windows)
                .map(|c| capacity(c, 12.0, 1.0, peak_target))
                .collect(),
            mean_target_min: target,
            profile: Vec::new(),
            day: None,
        })
        .collect();
    let mut inst = input(pools, specs, slots);
    inst.windows_today = today;
    inst.staff_today = f64::from(today);
    inst.backoffice_min_per_staff_week = 5.0 * 7.0 * 60.0 * 0.8;
    inst
}

fn time_solve(label: &str, inst: &MilpInput, limit: f64) {
    let started = std::time::Instant::now();
    let outcome = solve_with_time_limit(inst, limit);
    let elapsed = started.elapsed();
    match outcome {
        Ok((sol, optimality)) => {
            println!(
                "{label}: {elapsed:.2?} {optimality:?}, {} vars, {} rows, windows {} -> {}, \
                 H {}, B {}, waiting {:.1} (model {:.1}), moved {}",
                sol.variables,
                sol.constraints,
                inst.windows_today,
                sol.windows.iter().sum::<u32>(),
                sol.helpers,
                sol.backoffice_staff,
                sol.waiting_person_min_per_day,
                sol.model_waiting,
                sol.choice.iter().filter(|&&k| k > 0).count()
            );
            let issues = check(inst, &sol);
            if !issues.is_empty() {
                eprintln!("{label}: the plan breaks the model: {issues:?}");
                std::process::exit(2);
            }
        }
        Err(err) => println!("{label}: {elapsed:.2?}, {err}"),
    }
}

fn time_both(pools: usize, matters: usize, limit: f64) {
    let mut inst = realistic_instance(pools, matters, 8, 1);
    let label = format!("{pools} pools x 8, {matters} matters");
    time_solve(&format!("{label}, fewest windows"), &inst, limit);
    inst.objective = Objective::LeastWaiting {
        max_windows: inst.windows_today,
    };
    time_solve(&format!("{label}, least waiting"), &inst, limit);
}

fn main() {
    let limit: f64 = std::env::var("LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0);
    let sizes: Vec<String> = std::env::args().skip(1).collect();
    let sizes = if sizes.is_empty() {
        vec![
            "6x20".to_string(),
            "10x40".into(),
            "20x80".into(),
            "40x150".into(),
        ]
    } else {
        sizes
    };
    for size in sizes {
        let Some((pools, matters)) = size
            .split_once('x')
            .and_then(|(p, m)| Some((p.parse().ok()?, m.parse().ok()?)))
        else {
            eprintln!("expected POOLSxMATTERS, got {size}");
            std::process::exit(1);
        };
        time_both(pools, matters, limit);
    }
}
