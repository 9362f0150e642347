//! microlp's stage 1 (fewest windows) below a start: the cover cuts, the primal
//! heuristics (single moves, the search through the staff limits, annealing with RINS) and
//! the short proof, with or without a feasible start.

use super::backend::{self, Solved};
use super::build::Built;
use super::input::{MilpError, MilpInput};
use super::{
    covers, fewest_search, linear, rins, start, timing, PROOF_NODES, PROOF_NODES_ONE_WINDOW,
    STAGE1_NODES,
};

/// microlp's stage 1. The model is first strengthened by cover cuts ([`covers`]); their
/// root bound rounded up, K, is a proven least number of windows (Σ n_p is whole). A
/// heuristic plan ([`fewest_search::fewest_windows_search`], from the relaxation's channels)
/// with K windows is then the fewest at once. Otherwise microlp searches the
/// strengthened model from the best start with the gap 0.999/N (N the start's windows:
/// a gap under one window, which proves for a whole-number objective). A node budget
/// that runs out leaves the best plan, not proven.
///
/// Without a feasible start (today's hall cannot carry the demand: a what-if of growth)
/// the same heuristics run from the relaxation and from today's channels; only when none
/// of them finds a plan does microlp search alone, on the strengthened model, with the
/// gap `gap`. (Before, a hall without a start went straight to that search: 12 558 nodes,
/// 2.5 s, for the sample at +10 % demand, and 60 000 nodes without a proof at +15 %.)
pub(super) fn fewest_below_start(
    input: &MilpInput,
    first: &Built,
    start: Option<&[f64]>,
    gap: f32,
) -> Result<(Solved, Option<u64>), MilpError> {
    let model = &first.model;
    let plain =
        |searched: &linear::LinearModel, start: Option<&[f64]>| match backend::run_microlp_nodes(
            searched,
            start,
            gap,
            STAGE1_NODES,
            true,
        )? {
            (Some(solved), nodes) => Ok((solved, Some(nodes))),
            (None, _) => Err(MilpError::Solver(format!(
                "no plan found within {STAGE1_NODES} branch-and-bound nodes"
            ))),
        };
    let windows = |values: &[f64]| model.objective_at(values).round();
    // A heuristic's plan, kept only when it meets every row.
    let feasible = |found: Vec<f64>| model.is_feasible(&found, 1e-6).then_some(found);
    let start = start.filter(|s| model.is_feasible(s, 1e-6));
    let mut strong = model.clone();
    let cuts_started = std::time::Instant::now();
    let enough = start.map_or(f64::INFINITY, |s| windows(s) - 1.0 + 1e-6);
    let bound = covers::add_cover_cuts(&mut strong, &first.layout.knapsacks, enough)?;
    timing(
        &format!(
            "cover cuts for stage 1: {}, root bound {}, heuristic start {}",
            strong.rows.len() - model.rows.len(),
            bound
                .as_ref()
                .map_or("?".into(), |(_, b)| format!("{b:.3}")),
            start.map_or("none (today's hall cannot carry the demand)".into(), |s| {
                windows(s).to_string()
            })
        ),
        cuts_started,
    );
    let Some((relaxed, bound)) = bound else {
        return plain(model, start);
    };
    // The fewer-window of two plans (the first on a tie).
    let fewer = |a: Option<(f64, Vec<f64>)>, b: Option<(f64, Vec<f64>)>| match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    let with_windows = |v: Vec<f64>| (windows(&v), v);
    // A better start when one is found: the relaxation's channels, improved by single
    // moves.
    let least = (bound - 1e-6).ceil();
    let incumbent = fewer(
        start.map(|s| with_windows(s.to_vec())),
        start::single_moves_search(input, first, &relaxed)
            .and_then(feasible)
            .map(with_windows),
    );
    let proven = |values: Vec<f64>, proven: bool| Solved {
        values,
        proven,
        at_least: Some(least),
    };
    // No plan has fewer windows than the bound, rounded up (Σ n_p is whole).
    if let Some((n, best)) = &incumbent {
        if least >= *n {
            timing(
                &format!("stage 1 heuristic plan: {n} windows"),
                cuts_started,
            );
            return Ok((proven(best.clone(), true), Some(0)));
        }
    }
    // The search through plans over the staff limits: a proof at once if it reaches the
    // bound.
    let searched = fewest_search::fewest_windows_search(input, first, &relaxed)
        .and_then(feasible)
        .map(with_windows)
        .filter(|(m, _)| incumbent.as_ref().is_none_or(|(n, _)| m < n));
    timing(
        &format!(
            "stage 1 heuristic plans: {} by single moves, {} through the staff limits",
            incumbent
                .as_ref()
                .map_or("none".to_string(), |(n, _)| format!("{n} windows")),
            searched
                .as_ref()
                .map_or("none fewer".to_string(), |(m, _)| m.to_string())
        ),
        cuts_started,
    );
    if let Some((m, found)) = &searched {
        if least >= *m {
            return Ok((proven(found.clone(), true), Some(0)));
        }
    }
    // Annealing from today's channels and from the single moves' plan, each run's plan
    // improved by a sub-MIP around the relaxation: on generated halls the optimum, from
    // which microlp's proof is short.
    let annealing = std::time::Instant::now();
    let annealed = rins::annealed_incumbent(
        input,
        first,
        &strong,
        &relaxed,
        incumbent.as_ref().map(|(_, v)| v.as_slice()),
        least,
    );
    let incumbent = fewer(incumbent, searched);
    let annealed = annealed.filter(|(m, _)| incumbent.as_ref().is_none_or(|(n, _)| m < n));
    timing(
        &format!(
            "stage 1 annealing and RINS: {}",
            annealed
                .as_ref()
                .map_or("none fewer".to_string(), |(m, _)| format!("{m} windows"))
        ),
        annealing,
    );
    // The fewest-window plan of the heuristics: a proof at once at the bound, otherwise
    // microlp's start.
    let Some((n, best)) = fewer(incumbent, annealed) else {
        // No heuristic found a plan: microlp alone, on the strengthened model.
        return plain(&strong, None).map(|(solved, nodes)| {
            (
                Solved {
                    at_least: Some(least),
                    ..solved
                },
                nodes,
            )
        });
    };
    if least >= n {
        return Ok((proven(best, true), Some(0)));
    }
    // Otherwise microlp's search on the strengthened model from that start. Its gap
    // 0.999/N proves while the incumbent has at most N windows, which it has from the
    // start on (checked below: a start microlp refused would leave a larger one).
    let budget = if !input.prove_fewest {
        timing(
            &format!(
                "stage 1: {n} windows, {} above the bound, no proof asked",
                n - least
            ),
            cuts_started,
        );
        return Ok((proven(best, false), Some(0)));
    } else if n - least <= 1.0 {
        PROOF_NODES_ONE_WINDOW
    } else if n - least <= 2.0 {
        PROOF_NODES
    } else {
        // Three or more windows above the bound: no search of this size closes that, and
        // the RINS sub-MIPs have searched around the plan already. The report gives the
        // bound ("between K and N").
        timing(
            &format!(
                "stage 1: {n} windows, {} above the bound, not searched further",
                n - least
            ),
            cuts_started,
        );
        return Ok((proven(best, false), Some(0)));
    };
    let (solved, nodes) = match backend::run_microlp_nodes(
        &strong,
        Some(&best),
        (0.999 / n.max(1.0)) as f32,
        budget,
        true,
    )? {
        (Some(found), nodes) if model.objective_at(&found.values) <= n + 1e-6 => (
            Solved {
                at_least: Some(least),
                ..found
            },
            nodes,
        ),
        (_, nodes) => (proven(best, false), nodes),
    };
    Ok((solved, Some(nodes)))
}
