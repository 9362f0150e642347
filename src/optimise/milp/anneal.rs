//! Stage 1's third primal heuristic: simulated annealing over the matters' channels.
//!
//! Why another one: the two local searches ([`super::start::single_moves_search`],
//! [`super::fewest_search`]) stop in the first plan no single move improves, and on
//! generated halls with the comprehensive-window channel that plan is 3–10 windows above
//! the optimum (b2 60 for 55, b4 50 for 45, b5 75 for 70). microlp then needs thousands of
//! nodes, or runs out of its budget, while from the optimum it proves in a few hundred.
//! Annealing accepts worse plans with a probability that falls over the run, which is the
//! textbook way out of such local optima (Kirkpatrick, Gelatt & Vecchi 1983).
//!
//! The energy is whole windows, plus the fractional windows of
//! [`super::fewest_search::fractional_windows`] as a guide (a move that relieves a pool
//! without freeing a whole window still counts), plus a penalty on people over the staff
//! limit, so the walk may cross plans that need a helper before the window that pays for
//! it is gone. Only plans that meet every row of the model are kept.
//!
//! Deterministic: a fixed-seed ChaCha8 stream and a fixed number of steps, not a clock.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::build::Built;
use super::fewest_search::Search;
use super::flows::Flow;
use super::input::MilpInput;

/// Steps of one run: about 0.1 s on a 100-matter hall, where a run reaches a plan within
/// 1–2 windows of the optimum (measured on five generated 40–100-window halls).
const STEPS: usize = 200_000;
/// Weight of fractional windows in the energy (whole windows weigh 1): 0.2 and 1.0 both
/// ended 1–3 windows further from the optimum on those halls.
const THETA: f64 = 0.5;
/// Energy of one person over the staff limit (fractional and whole counts both weigh).
const RHO: f64 = 2.0;
/// Temperature at the start and at the end (geometric cooling in between), in windows.
const T_START: f64 = 1.0;
const T_END: f64 = 0.02;

/// The plan annealing reaches from `choice`: its windows and full start vector, when some
/// plan met every row.
pub(super) fn anneal(
    input: &MilpInput,
    built: &Built,
    options: &[Vec<Vec<Flow>>],
    choice: Vec<usize>,
    seed: u64,
) -> Option<(u32, Vec<f64>)> {
    let mut search = Search::new(input, built, options, choice)?;
    let energy = |s: &Search| -> f64 {
        let (whole, frac) = s.over();
        let need: f64 = s.needs.iter().sum();
        f64::from(s.windows()) + THETA * need + RHO * (frac + f64::from(whole))
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let movable: Vec<usize> = (0..options.len())
        .filter(|&m| options[m].len() > 1)
        .collect();
    if movable.is_empty() {
        return None;
    }
    let mut best: Option<(u32, Vec<f64>)> = search.kept.as_ref().map(|(w, v)| (*w, v.to_vec()));
    let mut e = energy(&search);
    let cool = (T_END / T_START).powf(1.0 / STEPS as f64);
    let mut t = T_START;
    for _ in 0..STEPS {
        t *= cool;
        let m = movable[rng.random_range(0..movable.len())];
        let was = search.choice[m];
        let mut k = rng.random_range(0..options[m].len() - 1);
        if k >= was {
            k += 1;
        }
        if !search.set(m, k) {
            search.set(m, was);
            continue;
        }
        let e2 = energy(&search);
        let accept = e2 <= e || rng.random::<f64>() < (-(e2 - e) / t).exp();
        if !accept {
            search.set(m, was);
            continue;
        }
        e = e2;
        let windows = search.windows();
        if best.as_ref().is_none_or(|(b, _)| windows < *b) && search.over().0 == 0 {
            if let Some(values) = search.full_start() {
                best = Some((windows, values));
            }
        }
    }
    best
}
