//! Stage 1's incumbent from annealing and a sub-MIP around it (RINS: "relaxation induced
//! neighbourhood search", Danna, Rothberg & Le Pape 2005, "Exploring relaxation induced
//! neighborhoods to improve MIP solutions").
//!
//! Annealing ([`super::anneal`]) ends 1–2 windows above the optimum on generated halls
//! with the comprehensive-window channel; the plans it misses differ from its own in a
//! handful of matters spread over several departments (b4: 46 for 45 — three departments'
//! sizes and four matters' channels), beyond any single or paired move. RINS fixes every
//! matter whose channel the incumbent and the root relaxation agree on, and lets microlp
//! search the rest (20–35 of 100–140 matters there) from the incumbent, with a node
//! budget. On those halls it reached the optimum, from which microlp's proof of the
//! whole model takes 0–200 nodes instead of 8 000–16 000 from the local searches' plans.

use super::anneal::anneal;
use super::backend::run_microlp_nodes;
use super::build::{Built, Pick};
use super::flows::option_flows;
use super::input::MilpInput;
use super::linear::LinearModel;
use super::start::decode_choice;

/// Annealing runs, each followed by its sub-MIP: from today's channels (seed 0), then from
/// the incumbent's (seed 1). The second run found the optimum where the first did not on
/// one of five halls, and it still runs where today's channels overload a pool (the walk
/// needs a plan whose pools all have a size to start from).
/// Branch-and-bound nodes of one sub-MIP (about 0.25 s on a 100-matter hall).
const SUB_NODES: u64 = 1_000;

/// The fewest-window plan found by annealing from today's channels and from those of
/// `incumbent` (a plan that meets every row, when there is one), each run's plan
/// improved by RINS in `strong` (the model with its cover cuts) around the relaxation's
/// values `relaxed`: a full start vector that meets every row of `built`'s model, with its
/// windows. Stops early at `least` (a proven bound). None when no run met every row.
pub(super) fn annealed_incumbent(
    input: &MilpInput,
    built: &Built,
    strong: &LinearModel,
    relaxed: &[f64],
    incumbent: Option<&[f64]>,
    least: f64,
) -> Option<(f64, Vec<f64>)> {
    let options = option_flows(input);
    let model = &built.model;
    let starts: Vec<Vec<usize>> = std::iter::once(vec![0; input.matters.len()])
        .chain(incumbent.map(|v| decode_choice(&built.layout, v)))
        .collect();
    // The runs are independent (each its own seed): they run in parallel, and their plans
    // are taken in order as one after the other would be — the first to reach `least`
    // ends it — so the plan is the same on any number of threads.
    let runs = super::par_map(starts.len(), |i| {
        let (_, found) = anneal(input, built, &options, starts[i].clone(), i as u64)?;
        let found = rins(strong, built, &found, relaxed).unwrap_or(found);
        Some((model.objective_at(&found).round(), found))
    });
    let mut best: Option<(f64, Vec<f64>)> = None;
    for (n, found) in runs.into_iter().flatten() {
        if best.as_ref().is_none_or(|(fewest, _)| n < *fewest) {
            best = Some((n, found));
        }
        if best.as_ref().is_some_and(|(fewest, _)| *fewest <= least) {
            break;
        }
    }
    best
}

/// A plan with fewer windows than `incumbent` in its relaxation-induced neighbourhood, if
/// microlp finds one within [`SUB_NODES`] nodes and it meets every row of `built`'s model.
fn rins(
    strong: &LinearModel,
    built: &Built,
    incumbent: &[f64],
    relaxed: &[f64],
) -> Option<Vec<f64>> {
    let n = strong.objective_at(incumbent).round();
    let mut sub = strong.clone();
    for picks in &built.layout.x {
        let vars = picks.iter().filter_map(|&pick| match pick {
            Pick::Var(v) => Some(v),
            Pick::One => None,
        });
        let agree = vars
            .clone()
            .all(|v| (incumbent[v] - relaxed[v]).abs() <= 0.1);
        if agree {
            for v in vars {
                let value = incumbent[v].round();
                sub.vars[v].lower = value;
                sub.vars[v].upper = value;
            }
        }
    }
    // A gap under one window (the objective is whole); a budget that runs out keeps the
    // best plan found. A heuristic: a numerical failure of microlp only means no better
    // plan from here.
    let Ok((found, _)) =
        run_microlp_nodes(&sub, Some(incumbent), (0.999 / n) as f32, SUB_NODES, true)
    else {
        return None;
    };
    found.map(|f| f.values).filter(|values| {
        built.model.objective_at(values).round() < n && built.model.is_feasible(values, 1e-6)
    })
}
