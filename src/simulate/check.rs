//! The planner's simulation check (model.md §6, `calibration = "simulation"`): a plan's
//! pools replayed with the hall's own tickets, one pool at a time and with any number of
//! windows, to find the fewest windows whose replayed mean wait meets the pool's target.
//!
//! The replay is the same as `hallplan simulate --plan` (trace mode): the same routing,
//! the same seed, the same staffing (the plan's windows in every open hour), the same
//! rules (model.md §7: a ticket cancelled before being called never takes a window; each
//! session drains its own queue, so no wait crosses a break or a night), so what the
//! planner promises is what `simulate` then shows.

use std::collections::BTreeSet;

use super::engine::{self, Customer, Outcome};
use super::trace;
use crate::error::{Error, Result};
use crate::hall::{time, Hall, Status};
use crate::plan::{Plan, SimNeed};

/// One pool's re-routed tickets, ready to replay with any number of windows.
struct PoolTrace {
    customers: Vec<Customer>,
    /// Tickets the log shows as no-shows occupy the queue but their waits are not waits
    /// of visitors (as in `simulate`).
    visitor: Vec<bool>,
}

/// A plan's pools as the trace replay sees them.
pub struct PlanReplay {
    pools: Vec<PoolTrace>,
    days: BTreeSet<i64>,
    hours: Vec<u32>,
}

impl PlanReplay {
    pub fn new(hall: &Hall, plan: &Plan, seed: u64) -> Result<Self> {
        let t = &hall.tickets;
        let routed = trace::plan_jobs(hall, plan, seed)?;
        let mut pools: Vec<PoolTrace> = (0..plan.pools.len())
            .map(|_| PoolTrace {
                customers: Vec::new(),
                visitor: Vec::new(),
            })
            .collect();
        for (pool, ticket, customer) in routed {
            let p = &mut pools[pool];
            p.customers.push(customer);
            p.visitor.push(t.status[ticket] != Status::NoShow);
        }
        Ok(PlanReplay {
            pools,
            days: t.issued.iter().map(|&x| time::day(x)).collect(),
            hours: plan.hours.clone(),
        })
    }

    /// Mean wait (minutes) of the pool's served visitors with `windows` windows in every
    /// open hour; None when nobody is served.
    pub fn mean_wait(&self, pool: usize, windows: u32) -> Result<Option<f64>> {
        let p = &self.pools[pool];
        if p.customers.is_empty() {
            return Ok(None);
        }
        let sched = trace::schedule(&self.days, &self.hours, |_, _| windows);
        let mut out = Vec::with_capacity(p.customers.len());
        engine::run_pool(&p.customers, &sched, &mut out)
            .map_err(|e| Error::Solver(format!("simulation check: {e}")))?;
        let (mut sum, mut n) = (0.0, 0usize);
        for (o, &visitor) in out.iter().zip(&p.visitor) {
            if let (Outcome::Served { wait, .. }, true) = (o, visitor) {
                sum += wait / 60.0;
                n += 1;
            }
        }
        Ok((n > 0).then(|| sum / n as f64))
    }
}

/// The served visitors of one pool's replay: (issue day, clock hour, wait in minutes) in
/// the order of the pool's tickets, and the visitors never served.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolWaits {
    pub waits: Vec<(i64, u32, f64)>,
    pub unserved: usize,
}

impl PoolWaits {
    /// Mean wait of the served visitors (summed in ticket order, as [`PlanReplay::mean_wait`]).
    pub fn mean(&self) -> Option<f64> {
        let sum: f64 = self.waits.iter().map(|w| w.2).sum();
        (!self.waits.is_empty()).then(|| sum / self.waits.len() as f64)
    }
}

impl PlanReplay {
    /// The pool replayed with `servers(day, hour)` windows in each open hour of each day
    /// (hourly staffing); None when the pool has no tickets.
    pub fn waits_with(
        &self,
        pool: usize,
        servers: impl Fn(i64, u32) -> u32,
    ) -> Result<Option<PoolWaits>> {
        let p = &self.pools[pool];
        if p.customers.is_empty() {
            return Ok(None);
        }
        let sched = trace::schedule(&self.days, &self.hours, servers);
        let mut out = Vec::with_capacity(p.customers.len());
        engine::run_pool(&p.customers, &sched, &mut out)
            .map_err(|e| Error::Solver(format!("simulation check: {e}")))?;
        let mut waits = Vec::new();
        let mut unserved = 0;
        for ((o, &visitor), c) in out.iter().zip(&p.visitor).zip(&p.customers) {
            if !visitor {
                continue;
            }
            match o {
                Outcome::Served { wait, .. } => {
                    let day = (c.arrival / time::DAY as f64).floor();
                    let hour = ((c.arrival - day * time::DAY as f64) / 3600.0).floor();
                    waits.push((day as i64, hour as u32, wait / 60.0));
                }
                Outcome::Unserved => unserved += 1,
                Outcome::Abandoned { .. } => {}
            }
        }
        Ok(Some(PoolWaits { waits, unserved }))
    }
}

/// Pools of the plan whose replayed mean wait misses their target, with the fewest
/// windows that meet it (searched up to `extra` windows above the plan's).
pub fn shortfalls(hall: &Hall, plan: &Plan, seed: u64, extra: u32) -> Result<Vec<SimNeed>> {
    let replay = PlanReplay::new(hall, plan, seed)?;
    let mut needs = Vec::new();
    for (p, pool) in plan.pools.iter().enumerate() {
        let n = pool.windows_after;
        let target = pool.target_mean_min;
        let Some(simulated) = replay.mean_wait(p, n)? else {
            continue;
        };
        if n > 0 && simulated <= target {
            continue;
        }
        let mut needed = None;
        for c in n + 1..=n + extra {
            if replay.mean_wait(p, c)?.is_none_or(|w| w <= target) {
                needed = Some(c);
                break;
            }
        }
        needs.push(SimNeed {
            pool: p,
            windows: n,
            simulated_min: simulated,
            target_min: target,
            needed,
        });
    }
    Ok(needs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Policy;
    use crate::optimise::formula_plan as plan;
    use crate::plan::Objective;

    fn sample() -> Hall {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/binjiang");
        crate::ingest::load(Some(&dir), &crate::ingest::LoadOptions::default())
            .expect("the bundled sample loads")
            .hall
    }

    /// The sample's plan on the calibrated formula alone (no replay check).
    fn ratio_plan() -> (Hall, Policy, crate::optimise::PlanRun) {
        let hall = sample();
        let policy = Policy {
            calibration: crate::model::Calibration::Ratio,
            ..Policy::default()
        };
        let run = plan(&hall, &policy, Objective::FewestWindows).expect("plan");
        (hall, policy, run)
    }

    #[test]
    fn replay_of_one_pool_matches_the_full_trace_replay() {
        let (hall, policy, run) = ratio_plan();
        let full = trace::replay(&hall, Some(&run.plan), policy.seed).expect("replay");
        let replay = PlanReplay::new(&hall, &run.plan, policy.seed).expect("replay");
        for (p, pool) in run.plan.pools.iter().enumerate() {
            let one = replay.mean_wait(p, pool.windows_after).expect("run");
            let g = &full.pools[p];
            match one {
                Some(w) => assert!((w - g.mean_wait).abs() < 1e-9, "{}", pool.name),
                None => assert_eq!(g.served, 0, "{}", pool.name),
            }
        }
    }

    #[test]
    fn more_windows_never_wait_longer_and_shortfalls_name_enough_windows() {
        let (hall, policy, run) = ratio_plan();
        let replay = PlanReplay::new(&hall, &run.plan, policy.seed).expect("replay");
        for (p, pool) in run.plan.pools.iter().enumerate() {
            let n = pool.windows_after.max(1);
            let (a, b) = (replay.mean_wait(p, n), replay.mean_wait(p, n + 1));
            if let (Ok(Some(a)), Ok(Some(b))) = (a, b) {
                assert!(b <= a + 1e-9, "{}: {a} → {b}", pool.name);
            }
        }
        for need in shortfalls(&hall, &run.plan, policy.seed, 30).expect("check") {
            assert!(need.simulated_min > need.target_min || need.windows == 0);
            let c = need
                .needed
                .expect("30 more windows are enough on the sample");
            assert!(c > need.windows);
            let w = replay.mean_wait(need.pool, c).expect("run");
            assert!(w.is_none_or(|w| w <= need.target_min));
            let w = replay.mean_wait(need.pool, c - 1).expect("run");
            assert!(c - 1 == need.windows || w.is_some_and(|w| w > need.target_min));
        }
    }
}
