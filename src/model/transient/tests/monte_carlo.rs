//! Monte Carlo: an event simulation of the same session.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Per-replication results of the simulation.
struct Replication {
    /// ∫Q dt within each slot.
    slot_q: Vec<f64>,
    /// Σ waits of the arrivals of each slot, and their number.
    cohort_wait: Vec<f64>,
    cohort_n: Vec<f64>,
    /// ∫Q dt after closing.
    drain_q: f64,
}

/// First-come-first-served with exponential handling, `windows` servers per slot, Poisson
/// arrivals, the queue drained after closing by `drain_c` windows. When windows close,
/// each leaving window finishes the customer it serves (exhaustive, the model's rule)
/// and takes nobody after him; idle windows are the ones that leave first.
fn simulate(slots: &[Slot], handle: f64, drain_c: u32, rng: &mut ChaCha8Rng) -> Replication {
    struct Customer {
        cohort: usize,
        waited: f64,
        queued_since: Option<f64>,
    }
    let mu = 1.0 / handle;
    let mut rep = Replication {
        slot_q: vec![0.0; slots.len()],
        cohort_wait: vec![0.0; slots.len()],
        cohort_n: vec![0.0; slots.len()],
        drain_q: 0.0,
    };
    let mut line: VecDeque<Customer> = VecDeque::new();
    let mut t = 0.0;
    let mut c = 0usize;
    // Customers still served by windows that have left.
    let mut leaving = 0usize;
    // Phases: the slots, then the drain (no arrivals, no end).
    for phase in 0..=slots.len() {
        let (lam, new_c, end) = match slots.get(phase) {
            Some(s) => (
                s.arrivals_per_hour / 60.0,
                s.windows as usize,
                t + s.minutes,
            ),
            None => (0.0, drain_c as usize, f64::INFINITY),
        };
        // Windows leave: the customers in service beyond the new count stay at their
        // windows to the end (their waits are over) and leave the line.
        let served = line.len().min(c);
        if new_c < served {
            let gone: Vec<Customer> = line.drain(new_c..served).collect();
            leaving += gone.len();
            for cust in gone {
                rep.cohort_wait[cust.cohort] += cust.waited;
            }
        }
        // Windows open: the first in the queue take them.
        for (i, cust) in line.iter_mut().enumerate() {
            if i >= c && i < new_c {
                if let Some(since) = cust.queued_since.take() {
                    cust.waited += t - since;
                }
            }
        }
        c = new_c;
        loop {
            let in_service = line.len().min(c);
            let rate = lam + (in_service + leaving) as f64 * mu;
            if rate == 0.0 && end.is_infinite() {
                break; // drained
            }
            let dt = if rate > 0.0 {
                -(1.0 - rng.random::<f64>()).ln() / rate
            } else {
                f64::INFINITY
            };
            let q = line.len().saturating_sub(c) as f64;
            if t + dt >= end {
                rep.slot_q[phase] += q * (end - t);
                t = end;
                break;
            }
            match slots.get(phase) {
                Some(_) => rep.slot_q[phase] += q * dt,
                None => rep.drain_q += q * dt,
            }
            t += dt;
            if rng.random::<f64>() * rate < lam {
                let queued = line.len() >= c;
                line.push_back(Customer {
                    cohort: phase,
                    waited: 0.0,
                    queued_since: queued.then_some(t),
                });
                rep.cohort_n[phase] += 1.0;
            } else {
                let i = rng.random_range(0..in_service + leaving);
                if i >= in_service {
                    leaving -= 1; // a leaving window finishes: nobody else moves
                    continue;
                }
                let done = line.remove(i).expect("in service");
                rep.cohort_wait[done.cohort] += done.waited;
                // The first in queue takes the freed window.
                if let Some(next) = line.get_mut(c - 1) {
                    if let Some(since) = next.queued_since.take() {
                        next.waited += t - since;
                    }
                }
            }
        }
    }
    rep
}

/// Mean and standard error of the mean.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// z of a two-sided 99 % confidence interval.
const Z99: f64 = 2.576;

fn within(model: f64, sample: &[f64], z: f64, what: &str) {
    let (mean, se) = mean_se(sample);
    assert!(
        (model - mean).abs() <= z * se,
        "{what}: model {model}, simulation {mean} ± {} (z = {z})",
        z * se
    );
}

/// The simulator's own bookkeeping: the waits of all customers add up to ∫Q dt.
#[test]
fn the_simulator_conserves_waiting() {
    let slots = [
        slot(45.0, 50.0, 2),
        slot(30.0, 20.0, 1),
        slot(45.0, 70.0, 3),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..200 {
        let r = simulate(&slots, 3.0, 3, &mut rng);
        let by_queue: f64 = r.slot_q.iter().sum::<f64>() + r.drain_q;
        let by_people: f64 = r.cohort_wait.iter().sum();
        assert!((by_queue - by_people).abs() < 1e-9 * by_queue.max(1.0));
    }
}

/// Sessions the model must reproduce: morning with a peak, a lunch-like short slot, an
/// overloaded hour (ρ > 1) and window counts that rise and fall between slots.
fn mc_sessions() -> Vec<(&'static str, Vec<Slot>, f64)> {
    vec![
        (
            "morning, constant windows",
            vec![
                slot(60.0, 24.0, 3),
                slot(60.0, 40.0, 3),
                slot(60.0, 30.0, 3),
            ],
            6.0,
        ),
        (
            "overloaded peak, lunch slot, windows change",
            vec![
                slot(60.0, 20.0, 2),
                slot(60.0, 45.0, 3), // ρ = 1.25
                slot(30.0, 10.0, 1), // 12:00–12:30, one window left
                slot(60.0, 30.0, 3),
                slot(30.0, 8.0, 2),
            ],
            5.0,
        ),
        (
            "single window, short handling, closed stretch",
            vec![
                slot(30.0, 40.0, 1),
                slot(15.0, 30.0, 0),
                slot(45.0, 30.0, 1),
            ],
            1.2,
        ),
    ]
}

/// The session's total waiting (hence its mean wait, Little) lies in the simulation's
/// 99 % confidence interval; each slot's queue integral and the drain lie within four
/// standard errors (15 comparisons: 99 % each would fail somewhere one run in ten).
#[test]
fn the_model_matches_a_monte_carlo_simulation_of_the_same_session() {
    const REPS: usize = 4000;
    for (name, slots, handle) in mc_sessions() {
        let model = session(&slots, exponential(handle));
        let drain_c = slots.last().map_or(0, |s| s.windows).max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(20_240_601);
        let reps: Vec<Replication> = (0..REPS)
            .map(|_| simulate(&slots, handle, drain_c, &mut rng))
            .collect();
        let total: Vec<f64> = reps
            .iter()
            .map(|r| r.slot_q.iter().sum::<f64>() + r.drain_q)
            .collect();
        within(
            model.person_min,
            &total,
            Z99,
            &format!("{name}: session waiting"),
        );
        let arrivals: Vec<f64> = reps.iter().map(|r| r.cohort_n.iter().sum()).collect();
        within(model.arrivals, &arrivals, Z99, &format!("{name}: arrivals"));
        // The mean wait is waiting over expected arrivals, so it is in the CI scaled.
        let (mean, se) = mean_se(&total);
        let w = model.mean_wait_min;
        assert!(
            (w - mean / model.arrivals).abs() <= Z99 * se / model.arrivals,
            "{name}: mean wait"
        );
        for (h, s) in model.slots.iter().enumerate() {
            let q: Vec<f64> = reps.iter().map(|r| r.slot_q[h]).collect();
            within(
                s.person_min,
                &q,
                4.0,
                &format!("{name}: slot {h} person-minutes"),
            );
        }
        let drain: Vec<f64> = reps.iter().map(|r| r.drain_q).collect();
        within(
            model.drain_person_min,
            &drain,
            4.0,
            &format!("{name}: drain"),
        );
    }
}

/// With a constant window count the virtual wait is exact: each slot's mean wait is the
/// mean wait of the people who arrived in it (ratio of means; 4 standard errors by the
/// delta method). With changing windows it is an approximation; the test bounds it.
#[test]
fn slot_waits_are_the_waits_of_the_slots_arrivals() {
    const REPS: usize = 4000;
    for (name, slots, handle) in mc_sessions() {
        let model = session(&slots, exponential(handle));
        let constant = slots.windows(2).all(|w| w[0].windows == w[1].windows);
        let drain_c = slots.last().map_or(0, |s| s.windows).max(1);
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let reps: Vec<Replication> = (0..REPS)
            .map(|_| simulate(&slots, handle, drain_c, &mut rng))
            .collect();
        for (h, s) in model.slots.iter().enumerate() {
            let waits: Vec<f64> = reps.iter().map(|r| r.cohort_wait[h]).collect();
            let (w_mean, w_se) = mean_se(&waits);
            // E[Σ waits of the cohort] = expected arrivals × mean wait.
            let expected = s.mean_wait_min * s.arrivals;
            if constant {
                assert!(
                    (expected - w_mean).abs() <= 4.0 * w_se,
                    "{name}: slot {h}: model {expected}, simulation {w_mean} ± {}",
                    4.0 * w_se
                );
            } else {
                // Varying windows: the correction term's quadratic-in-time p.
                assert!(
                    (expected - w_mean).abs() <= 0.05 * w_mean + 4.0 * w_se,
                    "{name}: slot {h}: model {expected}, simulation {w_mean} ± {}",
                    4.0 * w_se
                );
            }
        }
    }
}

/// The closing drain is exact for exponential handling: the j-th in queue waits j/(cμ)
/// more, so E[Q(Q + 1)]/(2cμ) over the closing distribution, Q = (N − c)⁺. An
/// overloaded hour leaves a long queue (≈ 9 people at two windows).
#[test]
fn the_closing_drain_matches_a_monte_carlo_of_an_overloaded_session() {
    let slots = [slot(60.0, 30.0, 2)]; // ρ = 1.25 at s̄ = 5
    let model = session(&slots, exponential(5.0));
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let drain: Vec<f64> = (0..20_000)
        .map(|_| simulate(&slots, 5.0, 2, &mut rng).drain_q)
        .collect();
    within(model.drain_person_min, &drain, Z99, "drain person-minutes");
    assert!(model.drain_person_min > 0.3 * model.person_min);
    // And with a different drain count (the last slot's windows): one window.
    let slots = [slot(60.0, 30.0, 2), slot(20.0, 0.0, 1)];
    let model = session(&slots, exponential(5.0));
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let drain: Vec<f64> = (0..20_000)
        .map(|_| simulate(&slots, 5.0, 1, &mut rng).drain_q)
        .collect();
    within(
        model.drain_person_min,
        &drain,
        Z99,
        "drain person-minutes, one window",
    );
}
