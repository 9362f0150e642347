//! Brute force over small random instances, the local search against it, the two
//! solvers side by side.

use super::*;
#[cfg(feature = "highs")]
use crate::queueing::waiting_rate_at_load;

// ----- brute force --------------------------------------------------

/// Best (total windows, tangent waiting) by enumerating every choice and
/// every window vector, evaluated with the same tangent lower bound and
/// minimal H, B. None = infeasible.
pub(super) fn brute_force(input: &MilpInput) -> Option<(u32, f64)> {
    let mut best: Option<(u32, f64)> = None;
    let mut choice = vec![0usize; input.matters.len()];
    let table = CutTable::new(input);
    loop {
        let flows = plan_flows(input, &choice);
        let waits = pool_waits(input, &table, &flows);
        let mut windows: Vec<u32> = input.pools.iter().map(|p| p.min_windows).collect();
        loop {
            if let Some(candidate) = evaluate(input, &flows, &waits, &windows) {
                best = Some(match best {
                    Some(current) if !better(input, candidate, current) => current,
                    _ => candidate,
                });
            }
            if !next_windows(input, &mut windows) {
                break;
            }
        }
        if !next_choice(input, &mut choice) {
            return best;
        }
    }
}

/// Per pool, per c: Some(Σ_h tangent waiting) if every slot fits A(c) and
/// the mean target holds, else None.
fn pool_waits(input: &MilpInput, table: &CutTable, flows: &PlanFlows) -> Vec<Vec<Option<f64>>> {
    input
        .pools
        .iter()
        .enumerate()
        .map(|(p, pool)| {
            (0..=pool.max_windows)
                .map(|c| {
                    let cap = pool.peak_capacity[c as usize];
                    if flows.load[p].iter().any(|&l| l > cap + 1e-9) {
                        return None;
                    }
                    let wait = table.pool_bound(p, c, &flows.load[p]);
                    let arrivals: f64 = flows.arrivals[p].iter().sum();
                    let no_target = pool.mean_target_min.is_infinite();
                    (no_target || wait <= pool.mean_target_min * arrivals + 1e-9).then_some(wait)
                })
                .collect()
        })
        .collect()
}

fn evaluate(
    input: &MilpInput,
    flows: &PlanFlows,
    waits: &[Vec<Option<f64>>],
    windows: &[u32],
) -> Option<(u32, f64)> {
    let total: u32 = windows.iter().sum();
    if window_cap(input).is_some_and(|cap| total > cap) {
        return None;
    }
    let mut wait = 0.0;
    for (p, &n) in windows.iter().enumerate() {
        wait += waits[p][n as usize]?;
    }
    let (h, b) = minimal_staff(input, total, flows);
    let released = input.staff_today - input.staff_per_window * f64::from(total);
    if !input.allow_hiring && f64::from(h + b) > released - input.staff_reserve + 1e-9 {
        return None;
    }
    Some((total, wait))
}

fn better(input: &MilpInput, a: (u32, f64), b: (u32, f64)) -> bool {
    match input.objective {
        Objective::FewestWindows => a.0 < b.0 || (a.0 == b.0 && a.1 < b.1),
        Objective::LeastWaiting { .. } => a.1 < b.1,
    }
}

fn next_windows(input: &MilpInput, windows: &mut [u32]) -> bool {
    for (n, pool) in windows.iter_mut().zip(&input.pools) {
        if *n < pool.max_windows {
            *n += 1;
            return true;
        }
        *n = pool.min_windows;
    }
    false
}

fn next_choice(input: &MilpInput, choice: &mut [usize]) -> bool {
    for (k, matter) in choice.iter_mut().zip(&input.matters) {
        if *k + 1 < matter.options.len() {
            *k += 1;
            return true;
        }
        *k = 0;
    }
    false
}

// ----- random instances --------------------------------------------

/// SplitMix64: a tiny deterministic generator so a proptest seed fully
/// describes an instance.
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
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }
}

fn random_pool(rng: &mut Rng, p: usize) -> PoolSpec {
    let max = rng.int(1, 4);
    let util = rng.range(0.55, 0.92);
    let target = if rng.unit() < 0.2 {
        f64::INFINITY
    } else {
        rng.range(0.3, 8.0)
    };
    PoolSpec {
        name: format!("pool{p}"),
        handle_min: rng.range(4.0, 15.0),
        cs2: rng.range(0.5, 1.5),
        min_windows: rng.int(0, 1).min(max),
        max_windows: max,
        peak_capacity: (0..=max)
            .map(|c| util * f64::from(c) * rng.range(0.97, 1.0))
            .collect(),
        mean_target_min: target,
        profile: Vec::new(),
        day: None,
    }
}

fn random_option(rng: &mut Rng, pools: usize, slots: usize, k: usize) -> ChannelOption {
    let handle = rng.range(3.0, 15.0);
    let arrivals: Vec<f64> = (0..slots).map(|_| rng.range(0.0, 80.0 / handle)).collect();
    let fallback = pools - 1;
    let kind = if k == 0 { 0 } else { rng.int(1, 3) };
    let pool = rng.int(0, pools as u32 - 1) as usize;
    let mut opt = option("counter", vec![load(pool, &arrivals, handle)]);
    match kind {
        1 => opt = option("joint", vec![load(pool, &arrivals, handle * 1.1)]),
        2 => {
            let share = rng.range(0.3, 1.0);
            let rest: Vec<f64> = arrivals.iter().map(|l| l * (1.0 - share)).collect();
            opt = option("online", vec![load(fallback, &rest, handle)]);
            opt.self_service_users_per_hour = arrivals.iter().map(|l| l * share * 0.3).collect();
        }
        3 => {
            opt = option("backoffice", vec![load(fallback, &arrivals, 1.0)]);
            opt.backoffice_work_min_week = rng.range(200.0, 3000.0);
        }
        _ => {}
    }
    opt
}

pub(super) fn random_instance(seed: u64) -> MilpInput {
    let mut rng = Rng(seed);
    let slots = rng.int(2, 3) as usize;
    let pools: Vec<PoolSpec> = (0..rng.int(2, 3) as usize)
        .map(|p| random_pool(&mut rng, p))
        .collect();
    let matters = (0..rng.int(2, 4))
        .map(|m| MatterSpec {
            name: format!("m{m}"),
            options: (0..rng.int(1, 3) as usize)
                .map(|k| random_option(&mut rng, pools.len(), slots, k))
                .collect(),
        })
        .collect();
    let windows_today = rng.int(2, 10);
    let staff_per_window = if rng.unit() < 0.5 { 1.0 } else { 1.5 };
    let mut inst = input(pools, matters, slots);
    inst.windows_today = windows_today;
    inst.allow_growth = rng.unit() < 0.25;
    inst.staff_per_window = staff_per_window;
    inst.staff_today = f64::from(windows_today) * staff_per_window + f64::from(rng.int(0, 2));
    inst.allow_hiring = rng.unit() < 0.3;
    inst.tangent_points = rng.int(2, 6) as usize;
    if rng.unit() < 0.5 {
        inst.objective = Objective::LeastWaiting {
            max_windows: rng.int(2, 10),
        };
    }
    inst
}

/// Both random instances of each seed (without and with the comprehensive window), as
/// fewest-window problems: what stage 1's heuristics are checked on.
pub(super) fn fewest_window_instances(
    seeds: std::ops::Range<u64>,
) -> impl Iterator<Item = (u64, MilpInput)> {
    seeds.flat_map(|seed| {
        [random_instance(seed), random_instance_with_general(seed)]
            .into_iter()
            .map(move |mut inst| {
                inst.objective = Objective::FewestWindows;
                (seed, inst)
            })
    })
}

/// `random_instance(seed)` with the comprehensive window (model.md §2, channel `general`)
/// as the planner builds it: a matter whose counter option serves it outside the
/// fallback pool (the last) may also send that whole demand to the fallback pool,
/// handling × 1.15. About a third of the matters are specialist and get no such option.
pub(super) fn random_instance_with_general(seed: u64) -> MilpInput {
    let mut inst = random_instance(seed);
    let fallback = inst.pools.len() - 1;
    let mut rng = Rng(seed ^ 0x5eed_6e4e_7a11);
    for matter in &mut inst.matters {
        let counter = &matter.options[0];
        if rng.unit() < 1.0 / 3.0 || counter.loads.iter().any(|l| l.pool == fallback) {
            continue;
        }
        let loads = counter
            .loads
            .iter()
            .map(|l| load(fallback, &l.arrivals_per_hour, l.handle_min * 1.15))
            .collect();
        matter.options.push(option("general", loads));
    }
    inst
}

fn close_enough(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn compare_with_brute_force(seed: u64) -> Result<(), String> {
    compare_instance_with_brute_force(&random_instance(seed))
}

fn compare_instance_with_brute_force(inst: &MilpInput) -> Result<(), String> {
    let inst = inst.clone();
    let expected = brute_force(&inst);
    match (solve(&inst), expected) {
        (Err(MilpError::Infeasible), None) => Ok(()),
        (Ok(sol), Some((total, wait))) => {
            let issues = check(&inst, &sol);
            if !issues.is_empty() {
                return Err(format!("checker: {issues:?}"));
            }
            let got_total: u32 = sol.windows.iter().sum();
            let totals_agree = inst.objective != Objective::FewestWindows || got_total == total;
            // The waiting is proven optimal to within WAITING_GAP.
            let gap = f64::from(WAITING_GAP) * 1.01 * wait.abs().max(sol.model_waiting.abs());
            let waits_agree = close_enough(sol.model_waiting, wait)
                || (sol.model_waiting >= wait - 1e-6 && sol.model_waiting <= wait + gap);
            if totals_agree && waits_agree {
                Ok(())
            } else {
                Err(format!(
                    "MILP ({got_total}, {}) vs brute force ({total}, {wait}): {sol:?}",
                    sol.model_waiting
                ))
            }
        }
        (got, want) => Err(format!("MILP {got:?} vs brute force {want:?}")),
    }
}

/// Stage 2's local search (microlp, when its branch and bound cannot finish) starts
/// here from today's channels, the plan farthest from the optimum the instance has.
#[test]
fn stage_two_local_search_keeps_every_row_and_never_waits_longer() {
    let (mut tried, mut improved, mut optimal) = (0, 0, 0);
    for seed in 0..3000 {
        let inst = random_instance(seed);
        if inst.objective != Objective::FewestWindows {
            continue;
        }
        let Some((total, least)) = brute_force(&inst) else {
            continue;
        };
        let second = build(&inst, Stage::Waiting { cap: Some(total) }).expect("builds");
        let choice = vec![0; inst.matters.len()];
        let Some(sizes) = best_sizes(&inst, &second, &choice, total) else {
            continue;
        };
        let Some(values) = start_from(&inst, &second, &choice, &sizes) else {
            continue;
        };
        let start = finish(&inst, &second, &values).expect("decodes");
        if sizes.iter().sum::<u32>() > total || !check(&inst, &start).is_empty() {
            continue;
        }
        tried += 1;
        let polished = polish(&inst, &second, start.clone(), total).expect("polishes");
        assert!(
            check(&inst, &polished).is_empty(),
            "seed {seed}: {:?}",
            check(&inst, &polished)
        );
        assert!(polished.windows.iter().sum::<u32>() <= total, "seed {seed}");
        assert!(
            polished.model_waiting <= start.model_waiting + 1e-9,
            "seed {seed}: {} → {}",
            start.model_waiting,
            polished.model_waiting
        );
        assert!(polished.model_waiting >= least - 1e-6, "seed {seed}");
        improved += usize::from(polished.model_waiting < start.model_waiting - 1e-9);
        optimal += usize::from(close_enough(polished.model_waiting, least));
    }
    assert!(tried >= 20, "{tried} instances");
    assert!(
        improved >= 1,
        "the search improves some start ({tried} tried)"
    );
    // Not a proof, but on these small instances it ends at the optimum (120 of 120
    // when written).
    assert!(optimal * 10 >= tried * 9, "{optimal} of {tried} optimal");
}

/// The planner's staff reserve (people kept back from helpers and back office for the
/// windows its checks add) is a row like any other: with it, the MILP's fewest windows
/// and least waiting are brute force's, its plans keep the reserve, and the checker
/// flags a plan that does not.
#[test]
fn a_staff_reserve_is_kept_and_the_optimum_is_brute_force_s() {
    let (mut compared, mut changed) = (0, 0);
    for seed in 0..400u64 {
        let mut inst = random_instance(seed);
        if inst.allow_hiring {
            continue;
        }
        let without = brute_force(&inst);
        inst.staff_reserve = f64::from(1 + (seed % 2) as u32);
        let with = brute_force(&inst);
        changed += usize::from(with.map(|w| w.0) != without.map(|w| w.0));
        compare_instance_with_brute_force(&inst).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        compared += 1;
        if let Ok(sol) = solve(&inst) {
            let total: u32 = sol.windows.iter().sum();
            let released = inst.staff_today - inst.staff_per_window * f64::from(total);
            let room =
                released - inst.staff_reserve - f64::from(sol.helpers + sol.backoffice_staff);
            assert!(room >= -1e-9, "seed {seed}: {sol:?}");
            // The same plan with a reserve one person beyond its room is flagged.
            let mut tight = inst.clone();
            tight.staff_reserve += room + 1.0;
            assert!(!check(&tight, &sol).is_empty(), "seed {seed}");
        }
    }
    assert!(compared > 200, "{compared} instances compared");
    assert!(
        changed > 20,
        "the reserve changed the optimum of only {changed} instances"
    );
}

/// Longer sweep than the proptest (run with --ignored in release).
#[test]
#[ignore]
fn many_seeds_match_brute_force() {
    let (mut feasible, mut failures) = (0, Vec::new());
    for seed in 0..3000u64 {
        feasible += usize::from(brute_force(&random_instance(seed)).is_some());
        if let Err(err) = compare_with_brute_force(seed) {
            failures.push(format!("seed {seed}: {err}"));
        }
    }
    println!(
        "3000 instances, {feasible} feasible, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

// ----- realistic instances (both solvers; timings: examples/milp_timing.rs) -----

#[cfg(feature = "highs")]
/// Mean wait (minutes) at load `a` with `c` windows.
fn mean_wait(c: u32, a: f64, s: f64, cs2: f64) -> f64 {
    if a <= 0.0 {
        return 0.0;
    }
    waiting_rate_at_load(c, a, s, cs2).map_or(f64::INFINITY, |phi| phi * s / (60.0 * a))
}

#[cfg(feature = "highs")]
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

#[cfg(feature = "highs")]
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

/// Both solvers on the same realistic instances: the same fewest windows, and the
/// same least waiting up to the waiting gap.
#[cfg(feature = "highs")]
#[test]
fn microlp_and_highs_find_the_same_optimum() {
    for seed in 1..=3 {
        for objective in [
            Objective::FewestWindows,
            Objective::LeastWaiting { max_windows: 0 },
        ] {
            let mut inst = realistic_instance(6, 20, 8, seed);
            if let Objective::LeastWaiting { .. } = objective {
                inst.objective = Objective::LeastWaiting {
                    max_windows: inst.windows_today,
                };
            }
            let run = |solver: Solver| {
                let mut inst = inst.clone();
                inst.solver = solver;
                let sol = solve(&inst).unwrap_or_else(|e| panic!("{solver:?}: {e}"));
                assert!(
                    check(&inst, &sol).is_empty(),
                    "{solver:?}: {:?}",
                    check(&inst, &sol)
                );
                sol
            };
            let (a, b) = (run(Solver::Microlp), run(Solver::Highs));
            let windows = |s: &MilpSolution| s.windows.iter().sum::<u32>();
            if inst.objective == Objective::FewestWindows {
                // Stage 2 (least waiting among them) is time-limited for microlp.
                assert_eq!(windows(&a), windows(&b), "seed {seed}");
                continue;
            }
            let tol = 2.0 * f64::from(WAITING_GAP) * a.model_waiting.max(b.model_waiting) + 1e-6;
            assert!(
                (a.model_waiting - b.model_waiting).abs() <= tol,
                "seed {seed} {:?}: microlp {} vs highs {}",
                inst.objective,
                a.model_waiting,
                b.model_waiting
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn milp_matches_brute_force(seed in any::<u64>()) {
        let outcome = compare_with_brute_force(seed);
        prop_assert!(outcome.is_ok(), "seed {}: {:?}", seed, outcome);
    }

    #[test]
    fn milp_with_comprehensive_windows_matches_brute_force(seed in any::<u64>()) {
        let outcome = compare_instance_with_brute_force(&random_instance_with_general(seed));
        prop_assert!(outcome.is_ok(), "seed {}: {:?}", seed, outcome);
    }
}

/// The general option is really on offer in the sweep above, and the optimum takes it
/// in some instances and leaves it in others (a sweep in which it is never chosen, or
/// always, would not test the choice).
#[test]
fn the_general_option_is_sometimes_chosen_and_sometimes_not() {
    let (mut offered, mut taken, mut left) = (0, 0, 0);
    for seed in 0..400 {
        let inst = random_instance_with_general(seed);
        let Ok(sol) = solve(&inst) else { continue };
        assert!(check(&inst, &sol).is_empty(), "seed {seed}");
        for (matter, &k) in inst.matters.iter().zip(&sol.choice) {
            if matter.options.iter().any(|o| o.label == "general") {
                offered += 1;
                if matter.options[k].label == "general" {
                    taken += 1;
                } else {
                    left += 1;
                }
            }
        }
        if let Err(e) = compare_instance_with_brute_force(&inst) {
            panic!("seed {seed}: {e}");
        }
    }
    assert!(offered >= 100, "{offered} general options offered");
    assert!(taken >= 10 && left >= 10, "taken {taken}, left {left}");
}
