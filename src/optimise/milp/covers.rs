//! Cover cuts for stage 1 (fewest windows), added at the root before microlp's search.
//!
//! Stage 1's relaxation lets a pool keep fractions of matters that together need a
//! larger size than the one it pays for, which is where its bound loses windows (on the
//! sample 54.6 against an optimum of 56). For a capacity row L⁰ + Σ l·x ≤ Σ_c A(c)·y_c
//! with exactly one y_c = 1, any set S of choices whose loads need
//! L⁰ + Σ_S l windows' worth of capacity gives
//!
//! Σ_{m∈S} x_m − (|S| − 1) ≤ Σ_{c: A(c) ≥ L⁰ + Σ_S l} y_c
//!
//! (if all of S are taken, the size must carry them; loads are never negative). These
//! are the covers of a knapsack whose capacity is itself chosen (Balas 1975 for fixed
//! capacities); separated greedily from the relaxation's solution for a few rounds.
//! Valid for every integer plan, so the optimum and its proof are unchanged; only the
//! bound rises (on the sample above 55, which proves 56 at the root).

use std::collections::BTreeSet;

use super::backend::Relaxation;
use super::build::Knapsack;
use super::evaluate::LOAD_TOL;
use super::input::MilpError;
use super::linear::{LinearModel, Row, Sense};

/// Separation rounds (each one LP solve).
const ROUNDS: usize = 12;
/// Smallest violation worth a row.
const MIN_VIOLATION: f64 = 1e-4;

/// Adds violated cover cuts to `model` until none is found, `ROUNDS` pass, or the
/// relaxation's bound exceeds `enough`. Returns the last relaxation's values and bound
/// (constant included), or `None` when the relaxation could not be solved (the model is
/// then left as it was given, plus the cuts of the rounds that did solve).
pub(super) fn add_cover_cuts(
    model: &mut LinearModel,
    knapsacks: &[Knapsack],
    enough: f64,
) -> Result<Option<(Vec<f64>, f64)>, MilpError> {
    let mut bound = None;
    // One relaxation for all rounds, each cut added to its last basis (a cold solve per
    // round cost most of this on the sample: 12 solves of ~550 columns).
    let mut lp = match Relaxation::solve(model) {
        Ok(lp) => lp,
        Err(MilpError::Infeasible) => return Err(MilpError::Infeasible),
        Err(_) => return Ok(None),
    };
    for _ in 0..ROUNDS {
        let values = lp.values();
        let objective = model.objective_at(&values);
        if objective > enough || knapsacks.is_empty() {
            return Ok(Some((values, objective)));
        }
        let mut seen = BTreeSet::new();
        let mut rows = Vec::new();
        for k in knapsacks {
            for cut in separate(k, &values) {
                if seen.insert(cut.clone()) {
                    rows.push(cover_row(k, &cut, model.rows.len() + rows.len()));
                }
            }
        }
        bound = Some((values, objective));
        if rows.is_empty() {
            break;
        }
        for row in rows {
            lp = match lp.with_row(&row) {
                Ok(lp) => lp,
                Err(MilpError::Infeasible) => return Err(MilpError::Infeasible),
                // A numerical failure: the cuts so far stand (each is valid), with the
                // bound of the last relaxation solved.
                Err(_) => {
                    model.rows.push(row);
                    return Ok(bound);
                }
            };
            model.rows.push(row);
        }
    }
    Ok(bound)
}

/// The most violated cover of `k` along each of three greedy orders (by x, by x then
/// load, by x·load), as sorted item indices.
fn separate(k: &Knapsack, values: &[f64]) -> Vec<Vec<usize>> {
    let x = |i: usize| values[k.items[i].0];
    let l = |i: usize| k.items[i].1;
    let mut out = Vec::new();
    for order in 0..3 {
        let mut items: Vec<usize> = (0..k.items.len()).filter(|&i| x(i) > 1e-6).collect();
        items.sort_by(|&a, &b| {
            let key = |i: usize| match order {
                0 => (x(i), 0.0),
                1 => (x(i), l(i)),
                _ => (x(i) * l(i), 0.0),
            };
            key(b)
                .partial_cmp(&key(a))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut best: Option<(f64, usize)> = None;
        let (mut sum_x, mut need) = (0.0, k.base);
        for (n, &i) in items.iter().enumerate() {
            sum_x += x(i);
            need += l(i);
            let fit: f64 = k
                .sizes
                .iter()
                .filter(|&&(_, a)| a + LOAD_TOL >= need)
                .map(|&(y, _)| values[y])
                .sum();
            let violation = sum_x - n as f64 - fit;
            if violation > MIN_VIOLATION && best.is_none_or(|(v, _)| violation > v) {
                best = Some((violation, n + 1));
            }
        }
        if let Some((_, len)) = best {
            let mut cover = items[..len].to_vec();
            cover.sort_unstable();
            out.push(cover);
        }
    }
    out
}

/// Σ_S x − Σ_{fitting c} y ≤ |S| − 1.
fn cover_row(k: &Knapsack, cover: &[usize], index: usize) -> Row {
    let need = k.base + cover.iter().map(|&i| k.items[i].1).sum::<f64>();
    let mut terms: Vec<(usize, f64)> = cover.iter().map(|&i| (k.items[i].0, 1.0)).collect();
    terms.extend(
        k.sizes
            .iter()
            .filter(|&&(_, a)| a + LOAD_TOL >= need)
            .map(|&(y, _)| (y, -1.0)),
    );
    Row {
        name: format!("cover_{index}"),
        terms: super::build::merge_terms(terms),
        sense: Sense::Le,
        rhs: cover.len() as f64 - 1.0,
    }
}
