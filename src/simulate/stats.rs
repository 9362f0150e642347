//! Summaries of simulated waits: counts, mean and quantiles, service
//! levels, confidence intervals over replications, and the time-average
//! queue length (so Little's law L = λ·W can be checked).

use super::engine::{Customer, Outcome, Seconds};

/// Share of served customers whose wait exceeded a threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdShare {
    /// The threshold, in seconds.
    pub threshold: Seconds,
    /// Fraction (0–1) of served customers with `wait > threshold`.
    pub share: f64,
}

/// Summary of one simulation run.
///
/// Wait statistics (`mean_wait`, quantiles, `max`, shares) are over served
/// customers only and are 0 when nobody was served.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitSummary {
    /// Customers whose service started.
    pub served: usize,
    /// Customers who left before service.
    pub abandoned: usize,
    /// Customers turned away (after the last session, or no server).
    pub unserved: usize,
    /// Mean wait of served customers.
    pub mean_wait: Seconds,
    /// Mean time in queue of served and abandoned customers (abandoners
    /// count their waited time): the `W` of Little's law.
    pub mean_time_in_queue: Seconds,
    /// Median wait (nearest rank, see [`quantile_nearest_rank`]).
    pub p50: Seconds,
    /// 90th percentile wait (nearest rank).
    pub p90: Seconds,
    /// Longest wait.
    pub max: Seconds,
    /// One entry per requested threshold, in the order given.
    pub over: Vec<ThresholdShare>,
}

/// Time a customer spent waiting in the hall, or `None` if turned away.
fn queue_time(o: &Outcome) -> Option<Seconds> {
    match *o {
        Outcome::Served { wait, .. } => Some(wait),
        Outcome::Abandoned { waited } => Some(waited),
        Outcome::Unserved => None,
    }
}

/// Summarises outcomes; `thresholds` are service-level limits in seconds.
pub fn summarize(outcomes: &[Outcome], thresholds: &[Seconds]) -> WaitSummary {
    let mut waits: Vec<Seconds> = Vec::with_capacity(outcomes.len());
    let (mut abandoned, mut queue_total) = (0usize, 0.0);
    for o in outcomes {
        match *o {
            Outcome::Served { wait, .. } => waits.push(wait),
            Outcome::Abandoned { waited } => {
                abandoned += 1;
                queue_total += waited;
            }
            Outcome::Unserved => {}
        }
    }
    let served = waits.len();
    let served_total: f64 = waits.iter().sum();
    let over = thresholds
        .iter()
        .map(|&threshold| ThresholdShare {
            threshold,
            share: ratio(
                waits.iter().filter(|&&w| w > threshold).count() as f64,
                served,
            ),
        })
        .collect();
    // Quantiles by selection, not a full sort: O(n) per quantile. total_cmp gives
    // a deterministic order even for odd inputs; each selection is the value a sort
    // would put at that rank.
    let mut rank = |p: f64| -> f64 {
        if waits.is_empty() {
            return 0.0;
        }
        let r = (p.clamp(0.0, 1.0) * served as f64).ceil() as usize;
        *waits
            .select_nth_unstable_by(r.clamp(1, served) - 1, f64::total_cmp)
            .1
    };
    let (p50, p90) = (rank(0.5), rank(0.9));
    WaitSummary {
        served,
        abandoned,
        unserved: outcomes.len() - served - abandoned,
        mean_wait: ratio(served_total, served),
        mean_time_in_queue: ratio(served_total + queue_total, served + abandoned),
        p50,
        p90,
        max: waits.iter().copied().fold(0.0, f64::max),
        over,
    }
}

/// `total / count`, or 0 for an empty set.
fn ratio(total: f64, count: usize) -> f64 {
    if count == 0 {
        0.0
    } else {
        total / count as f64
    }
}

/// Nearest-rank quantile (`crate::stats::quantile`), 0 for no data.
pub fn quantile_nearest_rank(sorted: &[f64], p: f64) -> f64 {
    crate::stats::quantile(sorted, p).unwrap_or(0.0)
}

/// Mean of replications with a 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanCi {
    /// Sample mean.
    pub mean: f64,
    /// Half-width: the interval is `mean ± half_width` (+∞ for one sample).
    pub half_width: f64,
    /// Number of replications.
    pub n: usize,
}

/// Student-t 95 % confidence interval for the mean of independent
/// replications. `None` for no samples.
pub fn mean_ci(samples: &[f64]) -> Option<MeanCi> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let mean = samples.iter().sum::<f64>() / n as f64;
    let half_width = if n < 2 {
        f64::INFINITY
    } else {
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        t_quantile_975(n - 1) * (var / n as f64).sqrt()
    };
    Some(MeanCi {
        mean,
        half_width,
        n,
    })
}

/// Two-sided 95 % Student-t critical values t(0.975, df) for df = 1..=30.
const T975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
];

/// Upper 97.5 % point of Student's t with `df` degrees of freedom.
///
/// Exact table for df ≤ 30; beyond, the Cornish–Fisher expansion of t
/// around the normal quantile (Abramowitz & Stegun 26.7.5), accurate to
/// about 1e-6 there and tending to the normal 1.959964. `df = 0` is +∞.
pub fn t_quantile_975(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T975[df - 1],
        _ => cornish_fisher_t(1.959_963_984_540_054, df as f64),
    }
}

fn cornish_fisher_t(z: f64, df: f64) -> f64 {
    let (z2, z3) = (z * z, z * z * z);
    let (z5, z7, z9) = (z3 * z2, z3 * z2 * z2, z3 * z3 * z3);
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df.powi(2))
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * df.powi(4))
}

/// Waiting intervals `[arrival, arrival + queue time)` of customers who
/// joined the queue. Pairs customers with outcomes positionally; extra
/// elements of the longer slice are ignored.
fn waiting_intervals<'a>(
    customers: &'a [Customer],
    outcomes: &'a [Outcome],
) -> impl Iterator<Item = (Seconds, Seconds)> + 'a {
    customers
        .iter()
        .zip(outcomes)
        .filter_map(|(c, o)| queue_time(o).map(|w| (c.arrival, c.arrival + w)))
}

/// Time-average number of customers waiting (not in service) over
/// `[from, to)`. The queue length is a step function (+1 at an arrival,
/// −1 at service start or abandonment), so its integral is exactly the
/// sum of the waiting intervals' overlaps with the window — no sorting or
/// sampling grid needed. Unserved customers are turned away and never
/// wait. Returns 0 for an empty window.
pub fn time_average_queue(
    customers: &[Customer],
    outcomes: &[Outcome],
    from: Seconds,
    to: Seconds,
) -> f64 {
    if to <= from {
        return 0.0;
    }
    let area: f64 = waiting_intervals(customers, outcomes)
        .map(|(a, b)| (b.min(to) - a.max(from)).max(0.0))
        .sum();
    area / (to - from)
}

/// Time-average queue length in each of `n_buckets` consecutive buckets of
/// width `bucket` starting at `from` (e.g. `3600.0` for an hourly
/// profile), integrated exactly like [`time_average_queue`].
pub fn queue_profile(
    customers: &[Customer],
    outcomes: &[Outcome],
    from: Seconds,
    bucket: Seconds,
    n_buckets: usize,
) -> Vec<f64> {
    let mut area = QueueArea::new(from, bucket, n_buckets);
    for (c, o) in customers.iter().zip(outcomes) {
        area.add(c, o);
    }
    area.finish()
}

/// [`queue_profile`] filled one customer at a time, for a replay that goes day by day:
/// adding the same customers in the same order gives the same profile, bit for bit.
#[derive(Debug, Clone)]
pub struct QueueArea {
    from: Seconds,
    bucket: Seconds,
    /// False for an unusable grid: the profile is then all zeros.
    usable: bool,
    /// Waiting time (seconds) per bucket.
    area: Vec<f64>,
}

impl QueueArea {
    /// `n_buckets` buckets of `bucket` seconds from `from`.
    pub fn new(from: Seconds, bucket: Seconds, n_buckets: usize) -> Self {
        QueueArea {
            from,
            bucket,
            usable: bucket.is_finite() && bucket > 0.0 && n_buckets > 0,
            area: vec![0.0; n_buckets],
        }
    }

    /// Adds one customer's wait (if it waited) to the buckets it overlaps.
    #[inline]
    pub fn add(&mut self, c: &Customer, o: &Outcome) {
        let n_buckets = self.area.len();
        let Some(w) = queue_time(o) else { return };
        if !self.usable {
            return;
        }
        let (from, bucket) = (self.from, self.bucket);
        let to = from + bucket * n_buckets as f64;
        let (a, b) = (c.arrival, c.arrival + w);
        let (a, b) = (a.max(from), b.min(to));
        if a >= b {
            return;
        }
        // Bucket indices are in range because from <= a < b <= to.
        let first = (((a - from) / bucket) as usize).min(n_buckets - 1);
        for (k, slot) in self.area.iter_mut().enumerate().skip(first) {
            let lo = from + bucket * k as f64;
            if lo >= b {
                break;
            }
            *slot += b.min(lo + bucket) - a.max(lo);
        }
    }

    /// Mean number waiting per bucket.
    pub fn finish(mut self) -> Vec<f64> {
        if self.usable {
            let bucket = self.bucket;
            self.area.iter_mut().for_each(|x| *x /= bucket);
        }
        self.area
    }
}

/// The three sides of Little's law L = λ·W measured on one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LittleCheck {
    /// Time-average number waiting over the window (L).
    pub queue_length: f64,
    /// Queue joiners (served or abandoned) arriving in the window, per
    /// second (λ).
    pub arrival_rate: f64,
    /// Mean time in queue of those joiners, abandoners included (W).
    pub mean_time_in_queue: Seconds,
    /// Number of joiners arriving in the window.
    pub arrivals: usize,
}

/// Measures L, λ and W over `[from, to)`. For a long window in a stable
/// system L ≈ λ·W; the difference comes only from waits that straddle the
/// window's edges.
pub fn littles_law(
    customers: &[Customer],
    outcomes: &[Outcome],
    from: Seconds,
    to: Seconds,
) -> LittleCheck {
    let (mut arrivals, mut total) = (0usize, 0.0);
    for (a, b) in waiting_intervals(customers, outcomes) {
        if a >= from && a < to {
            arrivals += 1;
            total += b - a;
        }
    }
    let span = to - from;
    LittleCheck {
        queue_length: time_average_queue(customers, outcomes, from, to),
        arrival_rate: if span > 0.0 {
            arrivals as f64 / span
        } else {
            0.0
        },
        mean_time_in_queue: ratio(total, arrivals),
        arrivals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(wait: f64) -> Outcome {
        Outcome::Served { wait, server: 0 }
    }

    fn at(arrival: f64) -> Customer {
        Customer {
            arrival,
            service: 1.0,
            patience: f64::INFINITY,
        }
    }

    #[test]
    fn summary_counts_and_nearest_rank_quantiles() {
        let mut outcomes: Vec<Outcome> = (1..=10).rev().map(|w| served(w as f64 * 60.0)).collect();
        outcomes.push(Outcome::Abandoned { waited: 300.0 });
        outcomes.push(Outcome::Unserved);
        let s = summarize(&outcomes, &[300.0, 600.0]);
        assert_eq!((s.served, s.abandoned, s.unserved), (10, 1, 1));
        assert_eq!(s.mean_wait, 330.0);
        assert_eq!(s.mean_time_in_queue, (3300.0 + 300.0) / 11.0);
        // Nearest rank: p50 = 5th of 10, p90 = 9th of 10.
        assert_eq!((s.p50, s.p90, s.max), (300.0, 540.0, 600.0));
        // Strictly above: 6..10 minutes over 5 min, none over 10 min.
        assert_eq!(
            s.over[0],
            ThresholdShare {
                threshold: 300.0,
                share: 0.5
            }
        );
        assert_eq!(s.over[1].share, 0.0);
    }

    #[test]
    fn nearest_rank_edges() {
        let xs = [1.0, 2.0, 3.0];
        assert_eq!(quantile_nearest_rank(&xs, 0.0), 1.0);
        assert_eq!(quantile_nearest_rank(&xs, 0.34), 2.0);
        assert_eq!(quantile_nearest_rank(&xs, 1.0), 3.0);
        assert_eq!(quantile_nearest_rank(&[], 0.5), 0.0);
        assert_eq!(summarize(&[], &[60.0]).over[0].share, 0.0);
    }

    #[test]
    fn t_quantiles_match_published_values() {
        for (df, t) in [
            (1, 12.706205),
            (10, 2.228139),
            (30, 2.042272),
            (31, 2.039513),
        ] {
            assert!((t_quantile_975(df) - t).abs() < 1e-5, "df {df}");
        }
        for (df, t) in [
            (40, 2.021075),
            (60, 2.000298),
            (100, 1.983972),
            (1000, 1.962339),
        ] {
            assert!((t_quantile_975(df) - t).abs() < 1e-5, "df {df}");
        }
    }

    #[test]
    fn confidence_interval_of_known_samples() {
        // Mean 3, sample sd sqrt(2.5), n = 5: half-width t4·sd/√5.
        let ci = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0]).expect("samples");
        assert_eq!(ci.mean, 3.0);
        assert!((ci.half_width - 2.776445 * (2.5f64 / 5.0).sqrt()).abs() < 1e-9);
        assert_eq!(mean_ci(&[]), None);
        assert_eq!(mean_ci(&[7.0]).map(|c| c.half_width), Some(f64::INFINITY));
    }

    #[test]
    fn queue_length_integrates_the_step_function_exactly() {
        // Waits [0, 100) and [50, 250); abandoner [60, 90); unserved none.
        let cs = [at(0.0), at(50.0), at(60.0), at(70.0)];
        let os = [
            served(100.0),
            served(200.0),
            Outcome::Abandoned { waited: 30.0 },
            Outcome::Unserved,
        ];
        // Area 100 + 200 + 30 = 330 over [0, 300).
        assert!((time_average_queue(&cs, &os, 0.0, 300.0) - 1.1).abs() < 1e-12);
        // [100, 200): only the second customer waits.
        assert!((time_average_queue(&cs, &os, 100.0, 200.0) - 1.0).abs() < 1e-12);
        // Buckets of 100 s: areas 100 + 50 + 30 = 180, 100, 50.
        let profile = queue_profile(&cs, &os, 0.0, 100.0, 3);
        let expected = [1.8, 1.0, 0.5];
        assert!(
            profile
                .iter()
                .zip(expected)
                .all(|(p, e)| (p - e).abs() < 1e-12),
            "{profile:?}"
        );
        let check = littles_law(&cs, &os, 0.0, 300.0);
        assert_eq!(check.arrivals, 3);
        assert!((check.queue_length - check.arrival_rate * check.mean_time_in_queue).abs() < 1e-12);
    }
}
