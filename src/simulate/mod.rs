//! Simulation (model.md §7): replay a hall's own tickets through today's windows or a
//! plan's, or run synthetic Poisson days, and summarise waits per pool and department.
//!
//! [`engine`] is the multi-server FCFS queue; [`synthetic`] draws arrivals and handling
//! times; [`stats`] summarises. This module maps tickets to pools and schedules.

pub mod check;
pub mod engine;
pub mod poisson;
pub mod stats;
pub mod synthetic;
pub mod trace;

use serde::Serialize;

/// Waits of one group (pool, department or the hall), in minutes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub name: String,
    pub customers: usize,
    pub served: usize,
    pub abandoned: usize,
    pub unserved: usize,
    pub left_online: usize,
    pub mean_wait: f64,
    pub p50_wait: f64,
    pub p90_wait: f64,
    pub max_wait: f64,
    /// 95 % confidence half-width of the mean over replications (synthetic mode).
    pub mean_ci_half_width: Option<f64>,
    pub utilisation: Option<f64>,
    /// Mean waiting customers per hour of day (index = hour).
    pub queue_by_hour: Vec<f64>,
    /// Mean wait of served customers by hour of day of arrival (NaN where none).
    pub wait_by_hour: Vec<f64>,
    /// Waits of served customers in minutes: distinct values, ascending, each with its
    /// count (for histograms; as long as the distinct waits, not the customers).
    #[serde(skip)]
    pub waits: Vec<(f64, u64)>,
}

/// The result of one simulation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimResult {
    pub mode: String,
    pub configuration: String,
    pub seed: u64,
    pub replications: usize,
    pub pools: Vec<GroupResult>,
    pub departments: Vec<GroupResult>,
    pub hall: GroupResult,
}

/// Summaries of waits given in seconds.
pub(crate) fn group(
    name: &str,
    waits_s: Vec<f64>,
    counts: (usize, usize, usize, usize),
) -> GroupResult {
    let mut tally = WaitTally::default();
    waits_s.iter().for_each(|&w| tally.add(w));
    group_of(name, &tally, counts)
}

/// Summaries of a tally of waits in seconds. The mean adds the waits in minutes in
/// ascending order, as a sum over the sorted waits would.
pub(crate) fn group_of(
    name: &str,
    tally: &WaitTally,
    counts: (usize, usize, usize, usize),
) -> GroupResult {
    let waits: Vec<(f64, u64)> = tally
        .ascending()
        .into_iter()
        .map(|(w, n)| (w / 60.0, n))
        .collect();
    let served = tally.len();
    // -0.0, as `Iterator::sum` starts from.
    let mut sum = -0.0;
    for &(w, n) in &waits {
        for _ in 0..n {
            sum += w;
        }
    }
    // Nearest rank (stats::quantile_nearest_rank) over the counts.
    let q = |p: f64| {
        if served == 0 {
            return 0.0;
        }
        let rank = ((p.clamp(0.0, 1.0) * served as f64).ceil() as usize).clamp(1, served) as u64;
        let mut seen = 0;
        for &(w, n) in &waits {
            seen += n;
            if seen >= rank {
                return w;
            }
        }
        0.0
    };
    GroupResult {
        name: name.to_string(),
        customers: counts.0,
        served,
        abandoned: counts.1,
        unserved: counts.2,
        left_online: counts.3,
        mean_wait: if served == 0 {
            0.0
        } else {
            sum / served as f64
        },
        p50_wait: q(0.5),
        p90_wait: q(0.9),
        max_wait: waits.last().map_or(0.0, |w| w.0),
        mean_ci_half_width: None,
        utilisation: None,
        queue_by_hour: vec![0.0; 24],
        wait_by_hour: vec![f64::NAN; 24],
        waits,
    }
}

/// Whole-second waits below this are counted in a table indexed by the second.
const DENSE_WAITS_S: usize = 1 << 17;

/// The waits (seconds) of one group as a multiset, filled one wait at a time: memory
/// grows with the distinct waits, not with the customers. Replayed tickets keep whole
/// seconds, so almost every wait lands in the table; any other value is kept by its
/// bits, so nothing is rounded.
#[derive(Debug, Clone, Default)]
pub(crate) struct WaitTally {
    dense: Vec<u64>,
    other: rustc_hash::FxHashMap<u64, u64>,
    len: usize,
}

impl WaitTally {
    #[inline]
    pub(crate) fn add(&mut self, w: f64) {
        self.len += 1;
        // Saturating cast; the bit comparison keeps -0.0 and fractions out of the table.
        let k = w as u32 as usize;
        if k < DENSE_WAITS_S && (k as f64).to_bits() == w.to_bits() {
            if k >= self.dense.len() {
                self.dense.resize(k + 1, 0);
            }
            self.dense[k] += 1;
        } else {
            *self.other.entry(w.to_bits()).or_default() += 1;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Distinct waits in `f64::total_cmp` order (a sort's order) with their counts.
    pub(crate) fn ascending(&self) -> Vec<(f64, u64)> {
        let mut v: Vec<(f64, u64)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(k, &n)| (k as f64, n))
            .chain(self.other.iter().map(|(&b, &n)| (f64::from_bits(b), n)))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The old summary: sort the waits, convert to minutes, add in order.
    fn by_sorting(mut waits_s: Vec<f64>) -> (f64, f64, f64, f64) {
        waits_s.sort_by(f64::total_cmp);
        let w: Vec<f64> = waits_s.iter().map(|w| w / 60.0).collect();
        let q = |p| stats::quantile_nearest_rank(&w, p);
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        (mean, q(0.5), q(0.9), *w.last().expect("non-empty"))
    }

    #[test]
    fn a_tally_summarises_exactly_as_sorting_all_waits_would() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for trial in 0..200 {
            let n = rng.random_range(1..400);
            let waits: Vec<f64> = (0..n)
                .map(|_| match rng.random_range(0..5) {
                    0 => rng.random_range(0.0..900.0),
                    1 => 0.5 * rng.random_range(0..600) as f64,
                    2 => (DENSE_WAITS_S + rng.random_range(0..3)) as f64,
                    3 => -0.0,
                    _ => rng.random_range(0..1200) as f64,
                })
                .collect();
            let g = group("g", waits.clone(), (n, 0, 0, 0));
            let (mean, p50, p90, max) = by_sorting(waits);
            let got = (g.mean_wait, g.p50_wait, g.p90_wait, g.max_wait);
            // Bit for bit, not within a tolerance.
            assert_eq!(
                [got.0, got.1, got.2, got.3].map(f64::to_bits),
                [mean, p50, p90, max].map(f64::to_bits),
                "trial {trial}"
            );
            assert_eq!(g.served, n);
            assert_eq!(g.waits.iter().map(|w| w.1).sum::<u64>(), n as u64);
        }
        let empty = group("e", Vec::new(), (0, 0, 0, 0));
        assert_eq!(
            (empty.mean_wait, empty.p90_wait, empty.max_wait),
            (0.0, 0.0, 0.0)
        );
    }
}
