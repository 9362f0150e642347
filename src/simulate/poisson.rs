//! Synthetic days (model.md §7): Poisson arrivals at each pool's hourly rates, gamma
//! handling times with the pool's mean and cs², replications with 95 % confidence
//! intervals. Today's hall comes from the planning model; a plan from plan.json.

use super::engine::{self, Customer, Schedule, Session};
use super::synthetic::{generate_customers, replicate, Patience, ServiceTime, Workload};
use super::{group, stats, GroupResult, SimResult};
use crate::error::{Error, Result};
use crate::hall::Hall;
use crate::model::evaluate;
use crate::model::{HallModel, Policy};
use crate::plan::Plan;

/// One pool to simulate: hourly rates per slot hour, windows, handling time.
#[derive(Debug, Clone)]
pub struct PoolSpec {
    pub name: String,
    pub hours: Vec<u32>,
    pub rates: Vec<f64>,
    pub servers: u32,
    pub handle_min: f64,
    pub cs2: f64,
}

pub fn pools_today(hall: &Hall, policy: &Policy) -> Result<Vec<PoolSpec>> {
    let model = HallModel::build(hall, policy)?;
    let ch: Vec<_> = model.matters.iter().map(|m| m.today).collect();
    let flows = evaluate::flows(&model, &ch, policy);
    Ok(model
        .pools
        .iter()
        .enumerate()
        .filter(|(p, pool)| {
            !pool.windows_today.is_empty() || flows.pools[*p].arrivals_per_day() > 0.0
        })
        .map(|(p, pool)| {
            let (s, cs2) = flows.pools[p].day_mix();
            PoolSpec {
                name: pool.name.clone(),
                hours: model.hours.clone(),
                rates: flows.pools[p].lambda.clone(),
                servers: pool.windows_today.len() as u32,
                handle_min: s,
                cs2,
            }
        })
        .collect())
}

pub fn pools_of_plan(plan: &Plan, demand_factor: f64) -> Vec<PoolSpec> {
    plan.pools
        .iter()
        .filter(|p| p.windows_after > 0 || p.after_arrivals_per_day > 0.0)
        .map(|p| PoolSpec {
            name: p.name.clone(),
            hours: plan.hours.clone(),
            rates: p.after_lambda.iter().map(|l| l * demand_factor).collect(),
            servers: p.windows_after,
            handle_min: p.after_handle_min,
            cs2: p.after_cs2,
        })
        .collect()
}

fn schedule(spec: &PoolSpec, days: usize) -> Schedule {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &h in &spec.hours {
        match runs.last_mut() {
            Some((_, b)) if *b == h => *b = h + 1,
            _ => runs.push((h, h + 1)),
        }
    }
    let mut sessions = Vec::new();
    for d in 0..days {
        for &(a, b) in &runs {
            let start = d as f64 * 86_400.0 + f64::from(a) * 3600.0;
            sessions.push(Session {
                start,
                end: start + f64::from(b - a) * 3600.0,
                servers_per_hour: vec![spec.servers; (b - a) as usize],
            });
        }
    }
    Schedule { sessions }
}

fn rates_by_session(spec: &PoolSpec, sched: &Schedule) -> Vec<Vec<f64>> {
    sched
        .sessions
        .iter()
        .map(|s| {
            let h0 = ((s.start % 86_400.0) / 3600.0).round() as u32;
            (0..s.servers_per_hour.len() as u32)
                .map(|k| {
                    spec.hours
                        .iter()
                        .position(|&h| h == h0 + k)
                        .map_or(0.0, |i| spec.rates[i])
                })
                .collect()
        })
        .collect()
}

/// Replications of `days` open days each; every pool in every replication has its own
/// random stream, derived from the seed.
pub fn run(
    pools: &[PoolSpec],
    days: usize,
    replications: usize,
    seed: u64,
    configuration: &str,
) -> Result<SimResult> {
    let replications = replications.max(1);
    let mut groups = Vec::new();
    let mut hall_waits = Vec::new();
    let mut hall_counts = (0, 0, 0);
    let mut hall_rep_means = vec![(0.0, 0usize); replications];
    for (pi, spec) in pools.iter().enumerate() {
        let sched = schedule(spec, days);
        let workload = Workload {
            hourly_rates: rates_by_session(spec, &sched),
            service: ServiceTime::Gamma {
                mean: spec.handle_min * 60.0,
                cs2: spec.cs2,
            },
            patience: Patience::Infinite,
        };
        let per_rep = replicate(
            replications,
            seed.wrapping_add(pi as u64 * 7919),
            |_, rng| -> Result<(Vec<f64>, usize, f64)> {
                let mut customers: Vec<Customer> = Vec::new();
                generate_customers(&sched, &workload, rng, &mut customers)
                    .map_err(|e| Error::Solver(format!("{}: {e}", spec.name)))?;
                let mut out = Vec::new();
                engine::run_pool(&customers, &sched, &mut out)
                    .map_err(|e| Error::Solver(format!("{}: {e}", spec.name)))?;
                let s = stats::summarize(&out, &[]);
                let waits: Vec<f64> = out
                    .iter()
                    .filter_map(|o| match o {
                        engine::Outcome::Served { wait, .. } => Some(*wait),
                        _ => None,
                    })
                    .collect();
                Ok((waits, s.unserved, s.mean_wait / 60.0))
            },
        );
        let mut waits = Vec::new();
        let mut means = Vec::new();
        let mut unserved = 0;
        for (r, rep) in per_rep.into_iter().enumerate() {
            let (w, u, m) = rep?;
            hall_rep_means[r].0 += w.iter().sum::<f64>() / 60.0;
            hall_rep_means[r].1 += w.len();
            unserved += u;
            means.push(m);
            waits.extend(w);
        }
        let n = waits.len() + unserved;
        hall_waits.extend_from_slice(&waits);
        hall_counts.0 += n;
        hall_counts.2 += unserved;
        let mut g: GroupResult = group(&spec.name, waits, (n, 0, unserved, 0));
        g.mean_ci_half_width = stats::mean_ci(&means)
            .map(|c| c.half_width)
            .filter(|h| h.is_finite());
        g.utilisation = (spec.servers > 0)
            .then(|| {
                spec.rates
                    .iter()
                    .map(|l| l * spec.handle_min / 60.0)
                    .sum::<f64>()
                    / (f64::from(spec.servers) * spec.rates.len() as f64)
            })
            .map(|u| u.min(1.0));
        groups.push(g);
    }
    let mut hall = group(
        "全厅 (whole hall)",
        hall_waits,
        (hall_counts.0, 0, hall_counts.2, 0),
    );
    let means: Vec<f64> = hall_rep_means
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| s / *n as f64)
        .collect();
    hall.mean_ci_half_width = stats::mean_ci(&means)
        .map(|c| c.half_width)
        .filter(|h| h.is_finite());
    Ok(SimResult {
        mode: "synthetic".into(),
        configuration: configuration.into(),
        seed,
        replications,
        pools: groups,
        departments: Vec::new(),
        hall,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Objective;

    use crate::hall::bundled_sample_for_tests as sample;

    /// Issue 14: the synthetic simulation of a plan showed the fallback pool's customers as
    /// arrived but never served. Every pool people come to must serve them, today and in
    /// the plan (customers never give up here, so served = customers).
    #[test]
    fn every_pool_with_arrivals_serves_its_customers_today_and_in_the_plan() {
        let hall = sample();
        let policy = Policy::default();
        let run =
            crate::optimise::formula_plan(&hall, &policy, Objective::FewestWindows).expect("plan");
        for (pools, what) in [
            (pools_today(&hall, &policy).expect("today"), "today"),
            (pools_of_plan(&run.plan, 1.0), "plan"),
        ] {
            let sim = super::run(&pools, 3, 2, 7, what).expect("simulate");
            assert_eq!(sim.pools.len(), pools.len());
            for (g, spec) in sim.pools.iter().zip(&pools) {
                let arrivals: f64 = spec.rates.iter().sum();
                if arrivals > 0.0 {
                    assert!(g.customers > 0, "{what} {}: no customers", g.name);
                    assert_eq!(g.served, g.customers, "{what} {}", g.name);
                }
            }
            let fallback = sim
                .pools
                .iter()
                .find(|g| g.name == crate::proposal::FALLBACK)
                .expect("the fallback pool is simulated");
            assert!(fallback.served > 0, "{what}: the fallback pool serves");
        }
    }

    /// A stationary pool (open round the clock, constant rate) waits what Erlang C says:
    /// λ = 48/h, 10-minute exponential handling, 10 windows: a = 8, C(10, 8) = 0.40918,
    /// Wq = C·s̄/(c − a) = 2.046 min.
    #[test]
    fn a_stationary_pool_waits_the_exact_mmc_mean() {
        let spec = PoolSpec {
            name: "m/m/10".into(),
            hours: (0..24).collect(),
            rates: vec![48.0; 24],
            servers: 10,
            handle_min: 10.0,
            cs2: 1.0,
        };
        let sim = super::run(std::slice::from_ref(&spec), 30, 4, 2020, "stationary").expect("run");
        let exact = crate::queueing::erlang_c(10, 8.0) * 10.0 / 2.0;
        assert!((exact - 2.046).abs() < 1e-3, "{exact}");
        let got = sim.pools[0].mean_wait;
        assert!(
            (got - exact).abs() / exact < 0.08,
            "simulated {got:.3} min against exact {exact:.3} min"
        );
        assert_eq!(sim.pools[0].served, sim.pools[0].customers);
    }
}
