//! Trace-driven replay (model.md §7): every accepted ticket keeps its issue time and its
//! own handling time; today's hall uses each window's servers and roster read from the
//! log ([`today`], by the duty rule of [`crate::hall::derive::duty`]), a plan re-routes
//! the tickets ([`routing`]) through its window counts in every open hour.
//!
//! Rules that hold on any first-come-first-served log: a window has as many servers as
//! the services the log shows overlapping at it (`staff` is head count); a ticket
//! cancelled before being called never takes a window; a window is off duty only where
//! the log shows it idle while its pool waited, or outside its working span (the
//! sessions in which it serves); every session drains its own queue, so no wait crosses
//! a break, a night or a weekend.
//!
//! The replay goes block by block — whole issue days that no ticket's times straddle —
//! streaming each block's outcomes into the statistics. Everything the log says beyond
//! one block (pools, servers, rosters, typical waits) is a table per window, pool or
//! day, so memory beyond the hall itself grows with one block's tickets, not with the
//! log. The engines carry their state from one block to the next, and every sum is taken
//! in the order a replay of the whole log at once would take it, so the results are the
//! same to the last bit.

mod demand;
mod routing;
#[cfg(test)]
mod tests;
mod today;

use std::collections::BTreeSet;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::engine::{Customer, OffDuty, Outcome, PoolQueue, RosteredQueue};
use super::stats::QueueArea;
use super::{group_of, GroupResult, SimResult, WaitTally};
use crate::error::{Error, Result};
use crate::hall::derive::{self, duty::sessions_of, duty::BlockLog, duty::Blocks};
use crate::hall::{time, Hall, Status};
use crate::plan::Plan;

use demand::{thin_today, Growth};
pub(crate) use routing::{plan_jobs, schedule};
use routing::{staffed_seconds, Routing};
use today::{patiences, preferred, today_jobs, Today};

/// A ticket on its way into the queue.
#[derive(Debug, Clone, Copy)]
struct Job {
    /// Position of the ticket in its block.
    pos: usize,
    pool: usize,
    arrival: f64,
    /// Order among jobs of the same pool and arrival second: the log's call time
    /// (`today::queue_tie`; a truncated clock leaves the call order as the queue order).
    tie: i64,
    service: f64,
    patience: f64,
    /// Cancelled before being called: never takes a window (it leaves after `patience`).
    cancelled: bool,
}

/// The engines of a replay, one per pool, carried from block to block.
enum Engines<'r> {
    /// Today: each window a server with its own roster; a customer's preferred server
    /// is the window the log shows serving it.
    Today(Vec<RosteredQueue<'r>>),
    /// A plan: its window counts in every open hour.
    Plan(Vec<PoolQueue>),
}

/// Waits and counts of one pool.
struct PoolStats {
    waits: WaitTally,
    customers: usize,
    abandoned: usize,
    unserved: usize,
    /// Handling time of served customers (overtime counts as busy).
    busy: f64,
    queue: QueueArea,
}

/// Waits and counts of one department (or the hall): counts are customers, abandoned,
/// unserved, left; `by_hour` sums waits (minutes) by hour of issue.
#[derive(Clone)]
struct DeptStats {
    waits: WaitTally,
    counts: [usize; 4],
    by_hour: [(f64, u32); 24],
}

/// Replays the tickets through today's windows (`plan = None`, at the log's own demand)
/// or a plan (at the plan's own `demand_change`).
pub fn replay(hall: &Hall, plan: Option<&Plan>, seed: u64) -> Result<SimResult> {
    let demand_change = plan.map_or(0.0, |p| p.policy.demand_change);
    replay_in_blocks(hall, plan, seed, demand_change, false)
}

/// [`replay`] at a demand change given here (a fall thins the tickets, a growth adds
/// tickets from the same weekday and hour of other days; see [`demand`]).
pub fn replay_at(
    hall: &Hall,
    plan: Option<&Plan>,
    seed: u64,
    demand_change: f64,
) -> Result<SimResult> {
    replay_in_blocks(hall, plan, seed, demand_change, false)
}

/// [`replay_at`], block by block or (`whole`) the whole log as one block.
fn replay_in_blocks(
    hall: &Hall,
    plan: Option<&Plan>,
    seed: u64,
    demand_change: f64,
    whole: bool,
) -> Result<SimResult> {
    let t = &hall.tickets;
    if t.is_empty() {
        return Err(Error::MissingFile {
            file: "tickets.csv".into(),
            what: "the ticket log (simulate needs it)".into(),
            looked: "--data DIR/tickets.*".into(),
        });
    }
    let hours = match plan {
        Some(p) => p.hours.clone(),
        None => derive::opening_hours(t)
            .map(|h| h.hours)
            .unwrap_or_default(),
    };
    let routing = plan
        .map(|p| Routing::new(hall, p, demand_change))
        .transpose()?;
    let blocks = Blocks::cut(t, whole);
    let today = Today::read(hall, &blocks);
    let in_log_order = blocks.order.is_none();
    let growth =
        (demand_change > 0.0).then(|| Growth::new(t, &blocks, &today, demand_change, seed));
    let thin = (-demand_change).clamp(0.0, 1.0);
    let days: BTreeSet<i64> = blocks.days.iter().copied().collect();
    let names = routing
        .as_ref()
        .map_or(today.names(), |r| r.names.as_slice());
    let np = names.len();
    let sim_err = |p: usize| {
        let name = names[p].clone();
        move |e: super::engine::EngineError| Error::Solver(format!("simulation of {name}: {e}"))
    };
    let rosters = match routing {
        None => today.rosters(t, &blocks, &hours),
        Some(_) => Vec::new(),
    };
    let (mut engines, staffed) = match &routing {
        None => {
            let mut queues = Vec::with_capacity(np);
            for (p, r) in rosters.iter().enumerate() {
                queues.push(RosteredQueue::new(r).map_err(sim_err(p))?);
            }
            let staffed: Vec<f64> = rosters
                .iter()
                .map(|r| on_duty_seconds(r, &days, &hours))
                .collect();
            (Engines::Today(queues), staffed)
        }
        Some(r) => {
            let mut queues = Vec::with_capacity(np);
            let mut staffed = Vec::with_capacity(np);
            for (p, pool) in r.plan.pools.iter().enumerate() {
                // The plan's windows are staffed in every open hour, as the formula assumes.
                let sched = schedule(&days, &hours, |_, _| pool.windows_after);
                queues.push(PoolQueue::new(&sched).map_err(sim_err(p))?);
                staffed.push(staffed_seconds(&sched));
            }
            (Engines::Plan(queues), staffed)
        }
    };
    let (first, last) = (blocks.days[0], blocks.days[blocks.days.len() - 1]);
    let n_hours = ((last - first + 1) * 24) as usize;
    let mut pools: Vec<PoolStats> = (0..np)
        .map(|_| PoolStats {
            waits: WaitTally::default(),
            customers: 0,
            abandoned: 0,
            unserved: 0,
            busy: -0.0,
            queue: QueueArea::new((first * time::DAY) as f64, 3600.0, n_hours),
        })
        .collect();
    let nd = t.departments.len();
    let mut depts = vec![
        DeptStats {
            waits: WaitTally::default(),
            counts: [0; 4],
            by_hour: [(0.0, 0); 24],
        };
        nd + 1
    ];
    // A log not in day order: the waits by hour are summed in log order at the end.
    let mut late_waits: Vec<f64> = if in_log_order {
        Vec::new()
    } else {
        vec![f64::NAN; t.len()]
    };
    let mut left = vec![0usize; np];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut log = BlockLog::new(&today.pools, t.windows.len());
    let (mut tickets, mut patience, mut jobs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut customers, mut prefer, mut out) = (Vec::new(), Vec::new(), Vec::new());
    let mut order = Vec::new();
    let mut outcome_of: Vec<Option<Outcome>> = Vec::new();
    // Each position's place in the random streams; added tickets come after the log's.
    let mut draws: Vec<usize> = Vec::new();
    // Tickets a demand fall took away: they never came, so they count nowhere.
    let mut thinned: Vec<bool> = Vec::new();
    // Positions in the order their outcomes are summed.
    let mut visit: Vec<usize> = Vec::new();
    // Waits of added tickets of a log not in day order, summed at the end (as the log's).
    let mut late_added: Vec<(usize, f64)> = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, &today.pools, &today.servers, &tickets);
        patiences(t, &today, &tickets, &mut order, &mut patience);
        today_jobs(t, &tickets, &order, &log, &patience, &mut jobs);
        let n_log = tickets.len();
        draws.clear();
        draws.extend_from_slice(&tickets);
        visit.clear();
        visit.extend(0..n_log);
        if let Some(g) = &growth {
            let first = jobs.len();
            g.extend(t, &today, &mut tickets, &mut jobs, &mut draws);
            // Departments' sums go day by day, each day's own tickets before its added
            // ones, whether the block holds one day or the whole log: the same sums.
            let mut keyed: Vec<(i64, bool, usize)> = (0..n_log)
                .map(|pos| (time::day(t.issued[tickets[pos]]), false, pos))
                .collect();
            keyed.extend(
                jobs[first..]
                    .iter()
                    .map(|j| (time::day(j.arrival as i64), true, j.pos)),
            );
            keyed.sort_unstable();
            visit.clear();
            visit.extend(keyed.iter().map(|k| k.2));
            sort_jobs(&mut jobs);
        }
        thinned.clear();
        thinned.resize(tickets.len(), false);
        match &routing {
            Some(r) => {
                // The plan's routing draws its random numbers in the log's order (the
                // added tickets after the log's); with added tickets, or a log not in
                // day order, each ticket at its own place in the stream.
                jobs.sort_by_key(|j| j.pos);
                let seek = (growth.is_some() || !in_log_order).then_some(draws.as_slice());
                r.route(
                    t,
                    &tickets,
                    &mut jobs,
                    &mut rng,
                    seek,
                    &mut left,
                    &mut thinned,
                );
                sort_jobs(&mut jobs);
            }
            None if thin > 0.0 => thin_today(&mut jobs, &draws, thin, seed, &mut thinned),
            None => {}
        }
        outcome_of.clear();
        outcome_of.resize(tickets.len(), None);
        for pool_jobs in jobs.chunk_by(|a, b| a.pool == b.pool) {
            let p = pool_jobs[0].pool;
            // A ticket cancelled before being called never takes a window: it is no
            // customer of the engine, and leaves after its patience.
            let queued = || pool_jobs.iter().filter(|j| !j.cancelled);
            customers.clear();
            customers.extend(queued().map(Job::customer));
            out.clear();
            match &mut engines {
                Engines::Today(q) => {
                    prefer.clear();
                    prefer.extend(queued().map(|j| preferred(t, &today, tickets[j.pos])));
                    q[p].extend(&customers, Some(&prefer), &mut out)
                }
                Engines::Plan(q) => q[p].extend(&customers, &mut out),
            }
            .map_err(sim_err(p))?;
            let s = &mut pools[p];
            let mut engine_out = out.iter();
            for j in pool_jobs {
                let c = j.customer();
                let o = if j.cancelled {
                    Outcome::Abandoned { waited: j.patience }
                } else {
                    *engine_out.next().expect("one outcome per queued customer")
                };
                let (c, o) = (&c, &o);
                outcome_of[j.pos] = Some(*o);
                s.customers += 1;
                match *o {
                    Outcome::Served { wait, .. } => {
                        // Waits of the tickets the log shows as no-shows are not waits
                        // of visitors.
                        if t.status[tickets[j.pos]] != Status::NoShow {
                            s.waits.add(wait);
                        }
                        s.busy += c.service;
                    }
                    Outcome::Abandoned { .. } => s.abandoned += 1,
                    Outcome::Unserved => s.unserved += 1,
                }
                s.queue.add(c, o);
            }
        }
        // Departments and the hall, from the tickets' outcomes in log order (added
        // tickets count for their donor's department, in the same hour of issue).
        for &pos in &visit {
            let i = tickets[pos];
            if thinned[pos] {
                continue;
            }
            let d = t.department[i] as usize;
            let visitor = t.status[i] != Status::NoShow;
            for k in [d, nd] {
                let e = &mut depts[k];
                e.counts[0] += 1;
                match outcome_of[pos] {
                    Some(Outcome::Served { wait, .. }) if visitor => {
                        e.waits.add(wait);
                        if in_log_order {
                            let h = &mut e.by_hour[time::hour(t.issued[i]) as usize];
                            h.0 += wait / 60.0;
                            h.1 += 1;
                        }
                    }
                    Some(Outcome::Served { .. }) => {}
                    Some(Outcome::Abandoned { .. }) => e.counts[1] += 1,
                    Some(Outcome::Unserved) => e.counts[2] += 1,
                    None => e.counts[3] += 1,
                }
            }
            if let (false, Some(Outcome::Served { wait, .. }), true) =
                (in_log_order, outcome_of[pos], visitor)
            {
                if pos < n_log {
                    late_waits[i] = wait;
                } else {
                    late_added.push((i, wait));
                }
            }
        }
    }
    let late = late_waits.iter().copied().enumerate();
    for (i, wait) in late.chain(late_added) {
        if !wait.is_nan() {
            let d = t.department[i] as usize;
            for k in [d, nd] {
                let h = &mut depts[k].by_hour[time::hour(t.issued[i]) as usize];
                h.0 += wait / 60.0;
                h.1 += 1;
            }
        }
    }
    let pools: Vec<GroupResult> = pools
        .into_iter()
        .enumerate()
        .map(|(p, s)| {
            let l = left[p];
            let mut g = group_of(
                &names[p],
                &s.waits,
                (s.customers + l, s.abandoned, s.unserved, l),
            );
            g.utilisation = (staffed[p] > 0.0).then(|| (s.busy / staffed[p]).min(1.0));
            let mut acc = [0.0; 24];
            for (k, v) in s.queue.finish().iter().enumerate() {
                acc[k % 24] += v;
            }
            g.queue_by_hour = acc.iter().map(|v| v / days.len().max(1) as f64).collect();
            g
        })
        .collect();
    let mut departments: Vec<GroupResult> = depts
        .iter()
        .enumerate()
        .map(|(d, e)| {
            let name = if d == nd {
                "全厅 (whole hall)"
            } else {
                t.departments.name(d as u32)
            };
            let c = e.counts;
            let mut g = group_of(name, &e.waits, (c[0], c[1], c[2], c[3]));
            g.wait_by_hour = e
                .by_hour
                .iter()
                .map(|(s, n)| if *n > 0 { s / f64::from(*n) } else { f64::NAN })
                .collect();
            g
        })
        .collect();
    let hall_row = departments
        .pop()
        .unwrap_or_else(|| super::group("hall", Vec::new(), (0, 0, 0, 0)));
    departments.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SimResult {
        mode: "trace".into(),
        configuration: configuration(plan.is_some(), demand_change),
        seed,
        replications: 1,
        pools,
        departments,
        hall: hall_row,
    })
}

/// "today" or "plan", with the demand change when there is one (a replay of today's
/// hall at another demand is no backtest against the observed waits).
fn configuration(plan: bool, demand_change: f64) -> String {
    let name = if plan { "plan" } else { "today" };
    if demand_change == 0.0 {
        name.into()
    } else {
        format!("{name} at {:+.0} % demand", demand_change * 100.0)
    }
}

impl Job {
    fn customer(&self) -> Customer {
        Customer {
            arrival: self.arrival,
            service: self.service,
            patience: self.patience,
        }
    }
}

/// Pool by pool, each in order of arrival, then of the log's calls (see [`Job::tie`]),
/// then of the log.
fn sort_jobs(jobs: &mut [Job]) {
    jobs.sort_by(|a, b| {
        a.pool
            .cmp(&b.pool)
            .then(a.arrival.total_cmp(&b.arrival))
            .then(a.tie.cmp(&b.tie))
            .then(a.pos.cmp(&b.pos))
    });
}

/// One pool of today's hall, ready for [`super::engine::run_rostered`]: its customers
/// sorted by arrival, its windows' off-duty periods, and each customer's window in the
/// log.
pub struct RosteredPool {
    pub name: String,
    pub customers: Vec<Customer>,
    pub off: Vec<OffDuty>,
    pub preferred: Vec<u32>,
}

/// Today's hall as the replay sees it, pool by pool, all customers at once (for
/// benchmarks and inspection; the replay itself goes block by block).
pub fn today_pools(hall: &Hall) -> Vec<RosteredPool> {
    let t = &hall.tickets;
    let blocks = Blocks::cut(t, false);
    let today = Today::read(hall, &blocks);
    let hours = derive::opening_hours(t)
        .map(|h| h.hours)
        .unwrap_or_default();
    let rosters = today.rosters(t, &blocks, &hours);
    let mut pools: Vec<RosteredPool> = today
        .names()
        .iter()
        .zip(rosters)
        .map(|(name, off)| RosteredPool {
            name: name.clone(),
            customers: Vec::new(),
            off,
            preferred: Vec::new(),
        })
        .collect();
    let mut log = BlockLog::new(&today.pools, t.windows.len());
    let (mut tickets, mut patience, mut jobs) = (Vec::new(), Vec::new(), Vec::new());
    let mut order = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, &today.pools, &today.servers, &tickets);
        patiences(t, &today, &tickets, &mut order, &mut patience);
        today_jobs(t, &tickets, &order, &log, &patience, &mut jobs);
        // Tickets cancelled before being called never take a window.
        for j in jobs.iter().filter(|j| !j.cancelled) {
            let p = &mut pools[j.pool];
            p.customers.push(j.customer());
            p.preferred.push(preferred(t, &today, tickets[j.pos]));
        }
    }
    debug_assert!(pools
        .iter()
        .enumerate()
        .all(|(p, r)| r.off.len() == today.n_servers(p)));
    pools
}

/// On-duty time of rostered windows within the opening hours of the log's days.
fn on_duty_seconds(rosters: &[OffDuty], days: &BTreeSet<i64>, hours: &[u32]) -> f64 {
    let mut open: Vec<(f64, f64)> = Vec::new();
    for &d in days {
        for (a, b) in sessions_of(hours) {
            let start = (d * time::DAY + i64::from(a) * 3600) as f64;
            open.push((start, start + f64::from(b - a) * 3600.0));
        }
    }
    let total: f64 = open.iter().map(|(a, b)| b - a).sum();
    rosters
        .iter()
        .map(|off| {
            let mut k = 0;
            let mut lost = 0.0;
            for &(a, b) in &open {
                while k < off.len() && off[k].1 <= a {
                    k += 1;
                }
                let mut j = k;
                while j < off.len() && off[j].0 < b {
                    lost += off[j].1.min(b) - off[j].0.max(a);
                    j += 1;
                }
            }
            total - lost
        })
        .sum()
}
