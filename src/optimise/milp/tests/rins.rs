//! Stage 1's annealed incumbent: every plan it returns meets every row, it never has
//! fewer windows than the brute-force optimum (which would mean a broken row), it
//! usually has as few, and the same input gives the same plan.

use super::super::covers::add_cover_cuts;
use super::super::rins::annealed_incumbent;
use super::brute_force::{brute_force, fewest_window_instances, random_instance_with_general};
use super::fewest_search::online_needs_two_moves;
use super::*;
use crate::plan::Objective;

/// The annealed incumbent's windows and values, from the model strengthened by its cover
/// cuts as stage 1 does (no early stop: `least` 0).
fn annealed(inst: &MilpInput) -> Option<(u32, Vec<f64>)> {
    let built = build(inst, Stage::Windows).ok()?;
    let mut strong = built.model.clone();
    let (relaxed, _) = add_cover_cuts(&mut strong, &built.layout.knapsacks, f64::INFINITY)
        .ok()
        .flatten()?;
    // The incumbent stage 1 hands over: the single-move search's plan.
    let incumbent = single_moves_search(inst, &built, &relaxed)?;
    let (n, values) = annealed_incumbent(inst, &built, &strong, &relaxed, Some(&incumbent), 0.0)?;
    assert!(
        built.model.is_feasible(&values, 1e-6),
        "the annealed plan breaks a row of the model"
    );
    let windows: u32 = decode_windows(&built.layout, &values).iter().sum();
    assert_eq!(f64::from(windows), n, "the reported windows are the plan's");
    Some((windows, values))
}

#[test]
fn annealing_crosses_the_staff_limits_that_stop_single_moves() {
    // Every single move from today's channels breaks the staff rows; the optimum (all
    // three matters online, no window) is two moves away.
    let inst = online_needs_two_moves();
    assert_eq!(brute_force(&inst).map(|(w, _)| w), Some(0));
    assert_eq!(annealed(&inst).map(|(w, _)| w), Some(0));
}

#[test]
fn the_annealed_plan_keeps_every_row_never_beats_brute_force_and_mostly_matches_it() {
    let (mut tried, mut at_optimum) = (0, 0);
    for (seed, inst) in fewest_window_instances(0..40) {
        let Some((optimum, _)) = brute_force(&inst) else {
            continue;
        };
        if let Some((found, _)) = annealed(&inst) {
            assert!(
                found >= optimum,
                "seed {seed}: {found} < brute force {optimum}"
            );
            tried += 1;
            at_optimum += usize::from(found == optimum);
        }
    }
    // Instances where single moves find no plan (the incumbent annealing also starts
    // from) are skipped.
    assert!(tried >= 40, "only {tried} instances were annealed");
    assert!(
        at_optimum * 100 >= tried * 95,
        "annealing reached the optimum in only {at_optimum} of {tried}"
    );
}

#[test]
fn the_same_input_anneals_to_the_same_plan() {
    let mut inst = random_instance_with_general(1);
    inst.objective = Objective::FewestWindows;
    let first = annealed(&inst).expect("a plan");
    for _ in 0..2 {
        assert_eq!(annealed(&inst).expect("a plan"), first);
    }
}

/// Without a feasible start (today's hall cannot carry the demand, a what-if of growth),
/// stage 1 still strengthens the model and runs its heuristics from the relaxation: on
/// the random instances it returns a plan that meets every row, never fewer windows than
/// brute force, and says "proven" only where it has brute force's count.
#[test]
fn stage_one_without_a_start_runs_the_heuristics_and_proves_only_the_optimum() {
    let (mut tried, mut proven_fewest) = (0, 0);
    for (seed, inst) in fewest_window_instances(0..30) {
        let Some((optimum, _)) = brute_force(&inst) else {
            continue;
        };
        let built = build(&inst, Stage::Windows).expect("builds");
        let gap = super::super::integral_gap(&built.layout);
        let (solved, _) = super::super::fewest_below_start(&inst, &built, None, gap)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        assert!(
            built.model.is_feasible(&solved.values, 1e-6),
            "seed {seed}: the plan breaks a row"
        );
        let windows: u32 = decode_windows(&built.layout, &solved.values).iter().sum();
        assert!(
            windows >= optimum,
            "seed {seed}: {windows} < brute force {optimum}"
        );
        if solved.proven {
            assert_eq!(windows, optimum, "seed {seed}: proven but not the fewest");
        }
        assert!(
            solved.at_least.is_some_and(|b| b <= f64::from(optimum)),
            "seed {seed}: bound {:?} above brute force {optimum}",
            solved.at_least
        );
        tried += 1;
        proven_fewest += usize::from(solved.proven);
    }
    assert!(tried >= 40, "only {tried} instances");
    assert!(
        proven_fewest * 10 >= tried * 9,
        "proven on only {proven_fewest} of {tried}"
    );
}

/// The planner's re-solves ask for no proof (`prove_fewest = false`): stage 1 then stops
/// at the heuristics' plan — a feasible plan, never below brute force — and calls it
/// proven only where it meets the cover-cut bound (the optimum); with a proof asked it is
/// never worse. Branch and bound runs only where no heuristic found a plan at all.
#[test]
fn stage_one_without_a_proof_asked_stops_at_the_heuristics_plan() {
    let (mut tried, mut worse, mut searched_anyway) = (0, 0, 0);
    for (seed, mut inst) in fewest_window_instances(0..30) {
        let Some((optimum, _)) = brute_force(&inst) else {
            continue;
        };
        let built = build(&inst, Stage::Windows).expect("builds");
        let gap = super::super::integral_gap(&built.layout);
        let fewest = |inst: &MilpInput| {
            let (solved, nodes) = super::super::fewest_below_start(inst, &built, None, gap)
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let windows: u32 = decode_windows(&built.layout, &solved.values).iter().sum();
            (solved, nodes, windows)
        };
        let (_, _, searched) = fewest(&inst);
        inst.prove_fewest = false;
        let (solved, nodes, windows) = fewest(&inst);
        assert!(built.model.is_feasible(&solved.values, 1e-6), "seed {seed}");
        assert!(windows >= optimum && windows >= searched, "seed {seed}");
        if solved.proven {
            assert_eq!(windows, optimum, "seed {seed}: proven but not the fewest");
        }
        searched_anyway += usize::from(nodes.is_some_and(|n| n > 0));
        tried += 1;
        worse += usize::from(windows > searched);
    }
    assert!(tried >= 40, "only {tried} instances");
    assert!(
        searched_anyway * 4 < tried,
        "{searched_anyway} of {tried} searched"
    );
    println!("{worse} of {tried} instances above the searched plan, {searched_anyway} searched");
}

/// The cover cuts' relaxation, kept solved while rows are added to its last basis, ends
/// where a cold solve of the strengthened model does: the same optimal objective (the
/// values may be another optimal vertex), on the random instances.
#[test]
fn rows_added_to_a_solved_relaxation_give_the_cold_solve_s_optimum() {
    let mut compared = 0;
    for (seed, inst) in fewest_window_instances(0..400) {
        // Some instances have no plan at all (the builder proves it).
        let Ok(built) = build(&inst, Stage::Windows) else {
            continue;
        };
        let mut strong = built.model.clone();
        let Ok(Some(_)) = add_cover_cuts(&mut strong, &built.layout.knapsacks, f64::INFINITY)
        else {
            continue;
        };
        let added = &strong.rows[built.model.rows.len()..];
        if added.is_empty() {
            continue;
        }
        let mut warm = super::super::backend::Relaxation::solve(&built.model).expect("LP");
        for row in added {
            warm = warm.with_row(row).expect("stays feasible");
        }
        let cold = super::super::backend::Relaxation::solve(&strong).expect("LP");
        let (w, c) = (
            strong.objective_at(&warm.values()),
            strong.objective_at(&cold.values()),
        );
        assert!(
            (w - c).abs() <= 1e-7 * (1.0 + c.abs()),
            "seed {seed}: warm {w} vs cold {c}"
        );
        // The relaxation's point: every bound and row, integrality aside.
        let mut relaxed = strong.clone();
        for v in &mut relaxed.vars {
            v.kind = super::super::linear::VarKind::Continuous;
        }
        assert!(
            relaxed.is_feasible(&warm.values(), 1e-6),
            "seed {seed}: warm breaks a row"
        );
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} instances had cover cuts");
}
