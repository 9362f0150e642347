//! Synthetic customers: Poisson arrivals, gamma or empirical service
//! times, exponential patience, and reproducible replications.
//!
//! All randomness comes from [`ChaCha8Rng`], whose output is fixed across
//! platforms and versions, so a seed reproduces the same customers
//! everywhere.

use std::fmt;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Gamma};

use super::engine::{Customer, Schedule, Seconds};

const HOUR: Seconds = 3600.0;

/// How service durations are drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum ServiceTime {
    /// Resample uniformly, with replacement, from observed durations.
    Empirical(Vec<Seconds>),
    /// Gamma with the given mean and squared coefficient of variation
    /// `cs2` (variance / mean²): `cs2 = 1` is exponential, `cs2 = 0` is
    /// deterministic.
    Gamma {
        /// Mean service time.
        mean: Seconds,
        /// Squared coefficient of variation.
        cs2: f64,
    },
}

/// How long customers are willing to wait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Patience {
    /// Nobody abandons.
    Infinite,
    /// Exponential patience with the given mean (the M/M/c+M model).
    Exponential {
        /// Mean patience.
        mean: Seconds,
    },
}

/// Demand of one pool over a schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Arrivals per hour: `hourly_rates[s][k]` is the rate in hour `k` of
    /// session `s`; same shape as the schedule's `servers_per_hour`.
    pub hourly_rates: Vec<Vec<f64>>,
    /// Service time distribution.
    pub service: ServiceTime,
    /// Patience distribution.
    pub patience: Patience,
}

/// Why synthetic generation rejected its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum SyntheticError {
    /// The rates do not have one entry per session hour.
    RatesShape,
    /// A rate is negative or not finite.
    InvalidRate,
    /// A session never closes, so its arrivals never end.
    UnboundedSession,
    /// Service parameters are unusable (empty list, negative values, ...).
    InvalidService,
    /// Patience mean is not positive.
    InvalidPatience,
}

impl fmt::Display for SyntheticError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            SyntheticError::RatesShape => "arrival rates need one entry per session hour",
            SyntheticError::InvalidRate => "arrival rates must be finite and non-negative",
            SyntheticError::UnboundedSession => "cannot generate arrivals for an endless session",
            SyntheticError::InvalidService => {
                "service times must be finite, non-negative, and given"
            }
            SyntheticError::InvalidPatience => "mean patience must be positive",
        };
        f.write_str(text)
    }
}

impl std::error::Error for SyntheticError {}

/// Ready-to-draw service distribution (parameters checked once).
enum ServiceSampler<'a> {
    Fixed(Seconds),
    Exponential(Exp<f64>),
    Gamma(Gamma<f64>),
    Empirical(&'a [Seconds]),
}

impl<'a> ServiceSampler<'a> {
    fn new(spec: &'a ServiceTime) -> Result<Self, SyntheticError> {
        match *spec {
            ServiceTime::Empirical(ref xs) => {
                let ok = !xs.is_empty() && xs.iter().all(|x| x.is_finite() && *x >= 0.0);
                ok.then_some(ServiceSampler::Empirical(xs))
                    .ok_or(SyntheticError::InvalidService)
            }
            ServiceTime::Gamma { mean, cs2 } => {
                let bad = || SyntheticError::InvalidService;
                if !(mean.is_finite() && mean > 0.0 && cs2.is_finite() && cs2 >= 0.0) {
                    Err(bad())
                } else if cs2 == 0.0 {
                    Ok(ServiceSampler::Fixed(mean))
                } else if cs2 == 1.0 {
                    Exp::new(1.0 / mean)
                        .map(ServiceSampler::Exponential)
                        .map_err(|_| bad())
                } else {
                    // Shape 1/cs2 and scale mean·cs2 give that mean and cs2.
                    Gamma::new(1.0 / cs2, mean * cs2)
                        .map(ServiceSampler::Gamma)
                        .map_err(|_| bad())
                }
            }
        }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> Seconds {
        match self {
            ServiceSampler::Fixed(x) => *x,
            ServiceSampler::Exponential(d) => d.sample(rng),
            ServiceSampler::Gamma(d) => d.sample(rng),
            ServiceSampler::Empirical(xs) => xs[rng.random_range(0..xs.len())],
        }
    }
}

/// Draws service time and patience for one arrival.
struct CustomerSampler<'a> {
    service: ServiceSampler<'a>,
    patience: Option<Exp<f64>>,
}

impl<'a> CustomerSampler<'a> {
    fn new(service: &'a ServiceTime, patience: Patience) -> Result<Self, SyntheticError> {
        let patience = match patience {
            Patience::Infinite => None,
            Patience::Exponential { mean } if mean > 0.0 && mean.is_finite() => {
                Some(Exp::new(1.0 / mean).map_err(|_| SyntheticError::InvalidPatience)?)
            }
            Patience::Exponential { .. } => return Err(SyntheticError::InvalidPatience),
        };
        Ok(CustomerSampler {
            service: ServiceSampler::new(service)?,
            patience,
        })
    }

    fn draw(&self, arrival: Seconds, rng: &mut ChaCha8Rng) -> Customer {
        let service = self.service.sample(rng);
        let patience = self.patience.map_or(f64::INFINITY, |d| d.sample(rng));
        Customer {
            arrival,
            service,
            patience,
        }
    }
}

/// Appends Poisson arrivals with constant `rate` (per second) on
/// `[from, to)`. Exponential gaps are exact for a homogeneous process, and
/// by memorylessness restarting at `from` keeps a piecewise-constant rate
/// exact too.
fn poisson_interval(
    rate: f64,
    from: Seconds,
    to: Seconds,
    rng: &mut ChaCha8Rng,
    mut emit: impl FnMut(Seconds, &mut ChaCha8Rng),
) {
    // A zero rate means no arrivals (Exp would only draw +∞ gaps).
    if rate <= 0.0 {
        return;
    }
    let Ok(gap) = Exp::new(rate) else { return };
    let mut t = from;
    loop {
        t += gap.sample(rng);
        if t >= to {
            return;
        }
        emit(t, rng);
    }
}

/// Checks that `rates` has the schedule's shape and usable values.
fn check_rates(schedule: &Schedule, rates: &[Vec<f64>]) -> Result<(), SyntheticError> {
    if rates.len() != schedule.sessions.len() {
        return Err(SyntheticError::RatesShape);
    }
    for (s, r) in schedule.sessions.iter().zip(rates) {
        if !s.end.is_finite() {
            return Err(SyntheticError::UnboundedSession);
        }
        if r.len() != s.servers_per_hour.len() {
            return Err(SyntheticError::RatesShape);
        }
        if !r.iter().all(|x| x.is_finite() && *x >= 0.0) {
            return Err(SyntheticError::InvalidRate);
        }
    }
    Ok(())
}

/// Generates a non-homogeneous Poisson day (or days) of customers over the
/// schedule's sessions, sorted by arrival, into `out` (cleared first).
///
/// The rate is piecewise constant per session hour; no arrivals occur
/// outside sessions. Hour `k` of a session covers the same interval as its
/// `servers_per_hour[k]`.
pub fn generate_customers(
    schedule: &Schedule,
    workload: &Workload,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<Customer>,
) -> Result<(), SyntheticError> {
    out.clear();
    check_rates(schedule, &workload.hourly_rates)?;
    let sampler = CustomerSampler::new(&workload.service, workload.patience)?;
    for (s, rates) in schedule.sessions.iter().zip(&workload.hourly_rates) {
        for (k, &per_hour) in rates.iter().enumerate() {
            let from = s.start + HOUR * k as f64;
            let to = s.end.min(from + HOUR);
            poisson_interval(per_hour / HOUR, from, to, rng, |t, rng| {
                out.push(sampler.draw(t, rng));
            });
        }
    }
    Ok(())
}

/// Generates exactly `n` customers of a stationary Poisson process with
/// `rate_per_hour`, starting at time 0, into `out` (cleared first). Meant
/// for [`Schedule::always`] pools and textbook checks.
pub fn generate_stationary(
    rate_per_hour: f64,
    n: usize,
    service: &ServiceTime,
    patience: Patience,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<Customer>,
) -> Result<(), SyntheticError> {
    out.clear();
    if !(rate_per_hour.is_finite() && rate_per_hour > 0.0) {
        return Err(SyntheticError::InvalidRate);
    }
    let sampler = CustomerSampler::new(service, patience)?;
    let gap = Exp::new(rate_per_hour / HOUR).map_err(|_| SyntheticError::InvalidRate)?;
    out.reserve(n);
    let mut t = 0.0;
    for _ in 0..n {
        t += gap.sample(rng);
        out.push(sampler.draw(t, rng));
    }
    Ok(())
}

/// Generator for replication `r` of a study seeded with `seed`.
///
/// The ChaCha key comes from `seed` and the replication picks ChaCha
/// stream `r`, so replications are independent streams of one key and a
/// replication is reproducible on its own, regardless of run order.
pub fn replication_rng(seed: u64, r: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(r);
    rng
}

/// Runs `f(r, rng)` for replications `r = 0..n`, each with
/// [`replication_rng`]`(seed, r)`, and collects the results in order.
/// `f` is `FnMut` so callers can reuse buffers across replications.
pub fn replicate<T, F>(n: usize, seed: u64, mut f: F) -> Vec<T>
where
    F: FnMut(usize, &mut ChaCha8Rng) -> T,
{
    (0..n)
        .map(|r| f(r, &mut replication_rng(seed, r as u64)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::engine::{run_pool, Outcome, Session};
    use super::super::stats::{littles_law, mean_ci, summarize};
    use super::*;

    /// Erlang C probability of waiting for `c` servers and offered load
    /// `a` (< c), via the numerically stable Erlang B recursion
    /// B_k = a·B_{k−1} / (k + a·B_{k−1}), then C = c·B / (c − a(1 − B)).
    fn erlang_c(c: u32, a: f64) -> f64 {
        let b = (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b));
        let c = c as f64;
        c * b / (c - a * (1.0 - b))
    }

    fn exp_service(mean: f64) -> ServiceTime {
        ServiceTime::Gamma { mean, cs2: 1.0 }
    }

    #[test]
    fn erlang_c_matches_known_values() {
        // M/M/1: C = ρ. M/M/2 with a = 1: C = 1/3.
        assert!((erlang_c(1, 0.5) - 0.5).abs() < 1e-12);
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    }

    /// Mean wait of customers after the warm-up, one M/M/c replication.
    fn mmc_mean_wait(c: u32, a: f64, s: f64, n: usize, warmup: usize, rng: &mut ChaCha8Rng) -> f64 {
        let mut cs = Vec::new();
        let mut out = Vec::new();
        generate_stationary(
            a / s * HOUR,
            n,
            &exp_service(s),
            Patience::Infinite,
            rng,
            &mut cs,
        )
        .expect("valid parameters");
        run_pool(&cs, &Schedule::always(c), &mut out).expect("valid input");
        // Little's law on the post-warm-up window of every replication.
        let (from, to) = (cs[warmup].arrival, cs[n - 1].arrival);
        let check = littles_law(&cs, &out, from, to);
        let lambda_w = check.arrival_rate * check.mean_time_in_queue;
        assert!(
            (check.queue_length - lambda_w).abs() < 0.01 * lambda_w,
            "Little's law"
        );
        summarize(&out[warmup..], &[]).mean_wait
    }

    #[test]
    fn mmc_mean_wait_matches_erlang_c() {
        let s = 60.0;
        for (case, &(c, a)) in [(1, 0.5), (2, 1.5), (5, 4.0), (10, 8.0)].iter().enumerate() {
            let exact = erlang_c(c, a) * s / (c as f64 - a);
            let means = replicate(20, 1000 + case as u64, |_, rng| {
                mmc_mean_wait(c, a, s, 100_000, 10_000, rng)
            });
            let ci = mean_ci(&means).expect("20 samples");
            println!(
                "c={c} a={a}: exact {exact:.3}, sim {:.3} ± {:.3}",
                ci.mean, ci.half_width
            );
            assert!(
                (ci.mean - exact).abs() <= ci.half_width,
                "c={c} a={a}: exact {exact} outside {} ± {}",
                ci.mean,
                ci.half_width
            );
            assert!(ci.half_width < 0.05 * ci.mean, "CI too wide to have power");
        }
    }

    #[test]
    fn littles_law_holds_with_abandonment() {
        let mut rng = replication_rng(7, 0);
        let mut cs = Vec::new();
        let patience = Patience::Exponential { mean: 120.0 };
        // Overloaded M/M/5+M: a = 5.5, so abandonment matters.
        generate_stationary(
            5.5 * 60.0,
            400_000,
            &exp_service(60.0),
            patience,
            &mut rng,
            &mut cs,
        )
        .expect("valid parameters");
        let mut out = Vec::new();
        run_pool(&cs, &Schedule::always(5), &mut out).expect("valid input");
        let end = cs.last().map_or(0.0, |c| c.arrival);
        let check = littles_law(&cs, &out, 0.0, end);
        let summary = summarize(&out, &[]);
        assert!(summary.abandoned > 1000, "abandonment must be exercised");
        let rel = (check.queue_length - check.arrival_rate * check.mean_time_in_queue).abs()
            / check.queue_length;
        assert!(
            rel < 0.01,
            "L = {} vs λW: rel. error {rel}",
            check.queue_length
        );
    }

    fn day_schedule() -> Schedule {
        // 09:00–12:00 and 13:30–17:00 on one day, varying staffing.
        Schedule {
            sessions: vec![
                Session {
                    start: 9.0 * HOUR,
                    end: 12.0 * HOUR,
                    servers_per_hour: vec![3, 5, 4],
                },
                Session {
                    start: 13.5 * HOUR,
                    end: 17.0 * HOUR,
                    servers_per_hour: vec![4, 4, 3, 2],
                },
            ],
        }
    }

    fn day_workload() -> Workload {
        Workload {
            hourly_rates: vec![vec![30.0, 60.0, 45.0], vec![50.0, 40.0, 35.0, 20.0]],
            service: ServiceTime::Gamma {
                mean: 240.0,
                cs2: 0.6,
            },
            patience: Patience::Exponential { mean: 1800.0 },
        }
    }

    #[test]
    fn littles_law_holds_on_synthetic_days() {
        // Each day's window holds every wait (overtime included), so the
        // sample-path Little's law must hold to rounding: this ties the
        // integrated queue length to the engine's waits day by day.
        let (mut cs, mut out, mut busy_days) = (Vec::new(), Vec::new(), 0);
        for r in 0..200 {
            let mut rng = replication_rng(11, r);
            generate_customers(&day_schedule(), &day_workload(), &mut rng, &mut cs)
                .expect("valid workload");
            run_pool(&cs, &day_schedule(), &mut out).expect("valid input");
            let check = littles_law(&cs, &out, 0.0, 24.0 * HOUR);
            let lambda_w = check.arrival_rate * check.mean_time_in_queue;
            assert!(
                (check.queue_length - lambda_w).abs() <= 1e-9 * lambda_w,
                "day {r}"
            );
            busy_days += usize::from(check.mean_time_in_queue > 60.0);
        }
        assert!(busy_days > 50, "the test needs real queues: {busy_days}");
    }

    #[test]
    fn arrivals_follow_the_hourly_rates() {
        let (mut cs, mut counts) = (Vec::new(), [0usize; 7]);
        let sched = day_schedule();
        let hour_starts = [9.0, 10.0, 11.0, 13.5, 14.5, 15.5, 16.5].map(|h| h * HOUR);
        for r in 0..400 {
            generate_customers(&sched, &day_workload(), &mut replication_rng(3, r), &mut cs)
                .expect("valid workload");
            assert!(cs.windows(2).all(|w| w[0].arrival <= w[1].arrival));
            for c in &cs {
                let k = hour_starts
                    .iter()
                    .rposition(|&h| c.arrival >= h)
                    .expect("in session");
                counts[k] += 1;
            }
        }
        let rates = [30.0, 60.0, 45.0, 50.0, 40.0, 35.0, 20.0];
        // The afternoon's last hour is only 16:30–17:00.
        let hours = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5];
        for ((count, rate), h) in counts.iter().zip(rates).zip(hours) {
            let expected = rate * h * 400.0;
            // Poisson: 4 standard deviations.
            assert!(
                (*count as f64 - expected).abs() < 4.0 * expected.sqrt(),
                "{count} vs {expected}"
            );
        }
    }

    #[test]
    fn service_distributions_have_the_requested_mean_and_cs2() {
        let mut rng = replication_rng(5, 0);
        for cs2 in [0.0, 0.5, 1.0, 2.0] {
            let spec = ServiceTime::Gamma { mean: 100.0, cs2 };
            let sampler = ServiceSampler::new(&spec).expect("valid");
            let xs: Vec<f64> = (0..200_000).map(|_| sampler.sample(&mut rng)).collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64;
            assert!((mean - 100.0).abs() < 1.0, "cs2 {cs2}: mean {mean}");
            assert!(
                (var / mean / mean - cs2).abs() < 0.05,
                "cs2 {cs2}: {}",
                var / mean / mean
            );
        }
        let spec = ServiceTime::Empirical(vec![10.0, 20.0, 60.0]);
        let sampler = ServiceSampler::new(&spec).expect("valid");
        let xs: Vec<f64> = (0..30_000).map(|_| sampler.sample(&mut rng)).collect();
        assert!(xs.iter().all(|x| [10.0, 20.0, 60.0].contains(x)));
        assert!((xs.iter().sum::<f64>() / 30_000.0 - 30.0).abs() < 0.5);
        assert!(ServiceSampler::new(&ServiceTime::Empirical(vec![])).is_err());
    }

    #[test]
    fn same_seed_same_outcomes_different_seed_different() {
        let day = |seed| -> Vec<Outcome> {
            let (mut cs, mut out) = (Vec::new(), Vec::new());
            generate_customers(
                &day_schedule(),
                &day_workload(),
                &mut replication_rng(seed, 2),
                &mut cs,
            )
            .expect("valid workload");
            run_pool(&cs, &day_schedule(), &mut out).expect("valid input");
            out
        };
        assert_eq!(day(42), day(42));
        assert_ne!(day(42), day(43));
        let a = replicate(3, 9, |_, rng| rng.random::<u64>());
        assert_eq!(a, replicate(3, 9, |_, rng| rng.random::<u64>()));
        assert_ne!(a[0], a[1], "replications must use different streams");
    }

    #[test]
    fn bad_parameters_are_errors() {
        let mut rng = replication_rng(1, 0);
        let mut out = Vec::new();
        let mut w = day_workload();
        w.hourly_rates[1].pop();
        assert_eq!(
            generate_customers(&day_schedule(), &w, &mut rng, &mut out),
            Err(SyntheticError::RatesShape)
        );
        let endless = Workload {
            hourly_rates: vec![vec![1.0]],
            ..day_workload()
        };
        assert_eq!(
            generate_customers(&Schedule::always(1), &endless, &mut rng, &mut out),
            Err(SyntheticError::UnboundedSession)
        );
        let bad_patience = Patience::Exponential { mean: 0.0 };
        assert_eq!(
            generate_stationary(1.0, 1, &exp_service(1.0), bad_patience, &mut rng, &mut out),
            Err(SyntheticError::InvalidPatience)
        );
    }
}
