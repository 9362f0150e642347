//! How a plan re-routes today's tickets (model.md §7, trace mode): each matter down its
//! channel — online leaves with probability α, back office leaves or leaves an intake at
//! the fallback windows, joint and general pools slow handling down — and a demand fall
//! thins tickets at random; and the plan's schedule, its window counts in every open hour
//! of every session.

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::hall::derive::duty::{sessions_of, BlockLog, Blocks};
use crate::hall::{time, Hall, Matter, Status, Tickets, NONE};
use crate::model::Channel;
use crate::plan::{Plan, PlanPoolKind};
use crate::simulate::engine::{Customer, Schedule, Session};

use super::demand::Growth;
use super::today::{patiences, today_jobs, Today};
use super::{sort_jobs, Job};

/// Where a plan sends today's tickets.
pub(super) struct Routing<'a> {
    pub plan: &'a Plan,
    pub names: Vec<String>,
    fallback: usize,
    /// Per matter of the log: its channel and pool in the plan, if the plan lists it.
    matter_plan: Vec<Option<(Channel, usize)>>,
    /// Per matter of the log: its catalogue entry.
    catalogue: Vec<Option<&'a Matter>>,
    /// Per department of the log: the plan's pool of that name.
    dept_pool: Vec<Option<usize>>,
    /// Share of tickets dropped for a demand decrease.
    thin: f64,
}

impl<'a> Routing<'a> {
    /// `demand_change`: the demand replayed (a fall thins tickets here; a growth has
    /// added its tickets before routing).
    pub fn new(hall: &'a Hall, plan: &'a Plan, demand_change: f64) -> Result<Routing<'a>> {
        let t = &hall.tickets;
        let names: Vec<String> = plan.pools.iter().map(|p| p.name.clone()).collect();
        let pool_index: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let fallback = plan
            .pools
            .iter()
            .position(|p| p.kind == PlanPoolKind::Fallback)
            .ok_or_else(|| Error::BadFile {
                file: "plan.json".into(),
                message: "the plan has no fallback pool".into(),
            })?;
        let by_id: BTreeMap<&str, (Channel, usize)> = plan
            .matters
            .iter()
            .filter_map(|m| {
                let pool = if m.pool.is_empty() {
                    Some(fallback)
                } else {
                    pool_index.get(m.pool.as_str()).copied()
                };
                pool.map(|p| (m.matter_id.as_str(), (m.channel, p)))
            })
            .collect();
        let catalogue: BTreeMap<&str, &Matter> =
            hall.matters.iter().map(|m| (m.id.as_str(), m)).collect();
        let matters = 0..t.matters.len() as u32;
        Ok(Routing {
            plan,
            matter_plan: matters
                .clone()
                .map(|m| by_id.get(t.matters.name(m)).copied())
                .collect(),
            catalogue: matters
                .map(|m| catalogue.get(t.matters.name(m)).copied())
                .collect(),
            dept_pool: (0..t.departments.len() as u32)
                .map(|d| pool_index.get(t.departments.name(d)).copied())
                .collect(),
            names,
            fallback,
            thin: (-demand_change).clamp(0.0, 1.0),
        })
    }

    /// Re-routes a block's jobs of today (in log order) by the plan: each ticket draws
    /// two random numbers whatever happens to it, the `i`-th ticket of the log the
    /// `i`-th pair of the seeded stream. With `seek`, the job at position `pos` takes
    /// the pair at `seek[pos]` (jobs not in the log's order, or tickets added by a demand
    /// growth); without it the pairs are drawn in turn. Tickets that leave (online, back
    /// office without intake) are counted in `left`; thinned ones vanish (marked in
    /// `thinned`, by position).
    // The block's tables and the two tallies it fills, each its own slice: a struct for
    // them would only be built and taken apart again at the two call sites.
    #[allow(clippy::too_many_arguments)]
    pub fn route(
        &self,
        t: &Tickets,
        tickets: &[usize],
        jobs: &mut Vec<Job>,
        rng: &mut ChaCha8Rng,
        seek: Option<&[usize]>,
        left: &mut [usize],
        thinned: &mut [bool],
    ) {
        let policy = &self.plan.policy;
        jobs.retain_mut(|job| {
            let i = tickets[job.pos];
            if let Some(draws) = seek {
                // Two f64 draws are four 32-bit words.
                rng.set_word_pos(4 * draws[job.pos] as u128);
            }
            let (u_thin, u_online) = (rng.random::<f64>(), rng.random::<f64>());
            if u_thin < self.thin {
                // Never came: no customer, not even one who left.
                thinned[job.pos] = true;
                return false;
            }
            let m = t.matter[i];
            let matter = (m != NONE).then_some(m as usize);
            let (channel, pool) = match matter.and_then(|m| self.matter_plan[m]) {
                Some((ch, p)) => (ch, p),
                None => (
                    Channel::Counter,
                    self.dept_pool[t.department[i] as usize].unwrap_or(self.fallback),
                ),
            };
            let catalogue = matter.and_then(|m| self.catalogue[m]);
            job.pool = match channel {
                Channel::Joint => {
                    job.service *= 1.0 + policy.joint_slowdown;
                    pool
                }
                Channel::Online => {
                    let share = catalogue
                        .and_then(|m| m.online_share)
                        .unwrap_or(policy.online_adoption);
                    if u_online < share {
                        left[pool] += 1;
                        return false;
                    }
                    // Walk-ins go where the plan sends them: the fallback windows, or the
                    // joint window of the matter's group (`online_remainder = "joint"`).
                    if matches!(self.plan.pools[pool].kind, PlanPoolKind::Joint(_)) {
                        job.service *= 1.0 + policy.joint_slowdown;
                    }
                    pool
                }
                Channel::BackOffice => {
                    let intake = catalogue.map_or(0.0, |m| m.intake_min);
                    if intake <= 0.0 {
                        left[self.fallback] += 1;
                        return false;
                    }
                    if t.status[i] == Status::Served {
                        job.service = intake * 60.0;
                    }
                    self.fallback
                }
                // The comprehensive windows: every ticket of the matter, served more
                // slowly by staff who handle every department's matters.
                Channel::General => {
                    job.service *= 1.0 + policy.general_slowdown;
                    pool
                }
                Channel::Counter => pool,
            };
            true
        });
    }
}

/// A plan's re-routed tickets as (pool, ticket, customer), each pool's in the order the
/// replay queues them, for replays of one pool at a time (the planner's check). The
/// whole log is one block here: the same routing and draws as [`super::replay`]. Tickets
/// cancelled before being called are left out: they never take a window.
pub(crate) fn plan_jobs(
    hall: &Hall,
    plan: &Plan,
    seed: u64,
) -> Result<Vec<(usize, usize, Customer)>> {
    let t = &hall.tickets;
    let demand_change = plan.policy.demand_change;
    let routing = Routing::new(hall, plan, demand_change)?;
    let blocks = Blocks::cut(t, true);
    let today = Today::read(hall, &blocks);
    let in_log_order = blocks.order.is_none();
    // The same added tickets as the replay's (drawn from the seed alone).
    let growth =
        (demand_change > 0.0).then(|| Growth::new(t, &blocks, &today, demand_change, seed));
    let (mut draws, mut thinned) = (Vec::new(), Vec::new());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut log = BlockLog::new(&today.pools, t.windows.len());
    let (mut tickets, mut patience, mut jobs, mut order) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut left = vec![0usize; routing.names.len()];
    let mut out = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, &today.pools, &today.servers, &tickets);
        patiences(t, &today, &tickets, &mut order, &mut patience);
        today_jobs(t, &tickets, &order, &log, &patience, &mut jobs);
        draws.clear();
        draws.extend_from_slice(&tickets);
        if let Some(g) = &growth {
            g.extend(t, &today, &mut tickets, &mut jobs, &mut draws);
        }
        jobs.sort_by_key(|j| j.pos);
        let seek = (growth.is_some() || !in_log_order).then_some(draws.as_slice());
        thinned.clear();
        thinned.resize(tickets.len(), false);
        routing.route(
            t,
            &tickets,
            &mut jobs,
            &mut rng,
            seek,
            &mut left,
            &mut thinned,
        );
        sort_jobs(&mut jobs);
        // A cancelled ticket never takes a window: it is no customer of the check.
        out.extend(
            jobs.iter()
                .filter(|j| !j.cancelled)
                .map(|j| (j.pool, tickets[j.pos], j.customer())),
        );
    }
    Ok(out)
}

/// The plan's schedule: `servers(day, hour)` windows in every open hour of every
/// session of `days`; each session drains its own queue (see [`crate::simulate::engine`]).
pub(crate) fn schedule(
    days: &BTreeSet<i64>,
    hours: &[u32],
    servers: impl Fn(i64, u32) -> u32,
) -> Schedule {
    let mut s = Vec::new();
    for &d in days {
        for (a, b) in sessions_of(hours) {
            let start = (d * time::DAY + i64::from(a) * 3600) as f64;
            s.push(Session {
                start,
                end: start + f64::from(b - a) * 3600.0,
                servers_per_hour: (a..b).map(|h| servers(d, h)).collect(),
            });
        }
    }
    Schedule { sessions: s }
}

/// Staffed server time of a schedule (sessions only).
pub(super) fn staffed_seconds(sched: &Schedule) -> f64 {
    sched
        .sessions
        .iter()
        .map(|s| {
            s.servers_per_hour
                .iter()
                .enumerate()
                .map(|(k, &n)| f64::from(n) * (s.end - (s.start + 3600.0 * k as f64)).min(3600.0))
                .sum::<f64>()
        })
        .sum()
}
