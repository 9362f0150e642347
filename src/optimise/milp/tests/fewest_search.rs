//! Stage 1's primal heuristics: the search through plans over the staff limits finds
//! what single moves cannot, and every plan it returns meets every row.

use super::super::fewest_search::{fewest_windows_search, fractional_windows};
use super::brute_force::{brute_force, fewest_window_instances};
use super::*;

/// The windows of the plan `search` finds from the relaxation's channels, or from today's
/// when `from_today`.
fn heuristic_windows(
    inst: &MilpInput,
    search: fn(&MilpInput, &Built, &[f64]) -> Option<Vec<f64>>,
    from_today: bool,
) -> Option<u32> {
    let built = build(inst, Stage::Windows).expect("the model builds");
    let relaxed = if from_today {
        // Every value 0: each matter's first option (today's) wins the tie.
        vec![0.0; built.model.vars.len()]
    } else {
        super::super::backend::Relaxation::solve(&built.model)
            .expect("LP solves")
            .values()
    };
    let values = search(inst, &built, &relaxed)?;
    assert!(
        built.model.is_feasible(&values, 1e-6),
        "the heuristic returned a plan that breaks a row of the model"
    );
    Some(decode_windows(&built.layout, &values).iter().sum())
}

#[test]
fn fractional_windows_interpolate_the_capacity_curve_and_take_the_busiest_slot() {
    // A(c) = 0.85·c, c = 0..=4.
    let inst = input(vec![pool("P", 10.0, 4, 0, 0.85, 60.0)], Vec::new(), 2);
    let at = |load: &[f64]| fractional_windows(&inst, 0, load);
    assert_eq!(at(&[0.0, 0.0]), 0.0);
    assert!((at(&[0.425, 0.0]) - 0.5).abs() < 1e-12);
    assert!((at(&[1.275, 0.2]) - 1.5).abs() < 1e-12);
    assert!((at(&[0.2, 1.7]) - 2.0).abs() < 1e-12);
    // Past the largest size: one window per Erlang beyond A(4) = 3.4.
    assert!((at(&[4.0, 0.0]) - 4.6).abs() < 1e-12);
}

/// Three matters of 0.5 Erlangs at one department (1.5 Erlangs: two windows at 0.85 per
/// window), each of which may go online with 6 self-service users an hour (a helper per
/// 12). Staff today = windows today = 2, no hiring. One matter online keeps two windows
/// and needs a helper nobody is free to be, so every single move breaks the staff rows;
/// two online need one window and one helper; all three none and two helpers.
pub(super) fn online_needs_two_moves() -> MilpInput {
    let matters = (0..3)
        .map(|m| {
            let mut online = option("online", Vec::new());
            online.self_service_users_per_hour = vec![6.0];
            MatterSpec {
                name: format!("m{m}"),
                options: vec![option("counter", vec![load(0, &[3.0], 10.0)]), online],
            }
        })
        .collect();
    let mut inst = input(vec![pool("Dept", 10.0, 4, 0, 0.85, 60.0)], matters, 1);
    inst.windows_today = 2;
    inst.staff_today = 2.0;
    inst
}

#[test]
fn a_plan_reached_only_through_the_staff_limits_is_found() {
    let inst = online_needs_two_moves();
    assert_eq!(brute_force(&inst).map(|(w, _)| w), Some(0));
    // From today's channels single moves stay with two windows; the search through the
    // limits does not.
    assert_eq!(heuristic_windows(&inst, single_moves_search, true), Some(2));
    assert_eq!(
        heuristic_windows(&inst, fewest_windows_search, true),
        Some(0)
    );
}

/// The plan is one of stage 1's model, so it can never have fewer windows than the
/// model's proven fewest (which would also mean the proof was wrong), and on these small
/// instances it mostly has as few.
#[test]
fn the_search_keeps_every_row_and_never_beats_the_proven_fewest() {
    let (mut tried, mut at_optimum) = (0, 0);
    for (seed, inst) in fewest_window_instances(0..80) {
        let Ok((built, solved)) = stage_one(&inst, None) else {
            continue;
        };
        if !solved.proven {
            continue;
        }
        let fewest: u32 = decode_windows(&built.layout, &solved.values).iter().sum();
        for from_today in [false, true] {
            if let Some(found) = heuristic_windows(&inst, fewest_windows_search, from_today) {
                assert!(found >= fewest, "seed {seed}: {found} < proven {fewest}");
                tried += 1;
                at_optimum += usize::from(found == fewest);
            }
        }
    }
    assert!(tried >= 100, "only {tried} searches ran");
    assert!(
        at_optimum * 10 >= tried * 8,
        "the search reached the fewest windows in only {at_optimum} of {tried}"
    );
}
