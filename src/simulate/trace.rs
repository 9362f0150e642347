//! Trace-driven replay: every accepted ticket keeps its issue time and its own handling
//! time; today's hall uses the staffed windows per hour read from the tickets, a plan uses
//! its window counts in every open hour.

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::engine::{self, Customer, Outcome, Schedule, Session};
use super::{group, stats, GroupResult, SimResult};
use crate::error::{Error, Result};
use crate::hall::{time, Hall, Status, WindowKind, NONE, NO_TIME};
use crate::ingest::derive;
use crate::optimise::Plan;

/// A ticket on its way into the queue.
#[derive(Debug, Clone, Copy)]
struct Job {
    ticket: usize,
    pool: usize,
    arrival: f64,
    service: f64,
    patience: f64,
}

/// Pools and routing of one configuration.
struct Config {
    names: Vec<String>,
    /// Servers of pool p in (day, hour).
    servers: Box<dyn Fn(usize, i64, u32) -> u32>,
    jobs: Vec<Job>,
    left_online: Vec<usize>,
}

/// Open hours as sessions: runs of consecutive hours.
fn sessions_of(hours: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &h in hours {
        match out.last_mut() {
            Some((_, b)) if *b == h => *b = h + 1,
            _ => out.push((h, h + 1)),
        }
    }
    out
}

fn schedule(days: &BTreeSet<i64>, hours: &[u32], servers: impl Fn(i64, u32) -> u32) -> Schedule {
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

/// Patience of a ticket cancelled before being called, when the log has no cancel time:
/// the mean wait of served tickets of the same pool and hour (they gave up around the
/// typical wait). Tickets that stayed are given infinite patience. A documented choice.
fn typical_waits(hall: &Hall, pool_of: &[usize], npools: usize) -> Vec<[f64; 24]> {
    let t = &hall.tickets;
    let mut acc = vec![[(0.0, 0u32); 24]; npools];
    for i in 0..t.len() {
        if let (Status::Served, Some(w)) = (t.status[i], t.wait_min(i)) {
            let e = &mut acc[pool_of[i]][time::hour(t.issued[i]) as usize];
            e.0 += w * 60.0;
            e.1 += 1;
        }
    }
    acc.iter()
        .map(|row| {
            let mut out = [0.0; 24];
            for h in 0..24 {
                out[h] = if row[h].1 > 0 {
                    row[h].0 / f64::from(row[h].1)
                } else {
                    300.0
                };
            }
            out
        })
        .collect()
}

fn patience(hall: &Hall, i: usize, typical: &[[f64; 24]], pool: usize) -> f64 {
    let t = &hall.tickets;
    match t.status[i] {
        Status::Cancelled if t.finished[i] != NO_TIME && t.finished[i] >= t.issued[i] => {
            (t.finished[i] - t.issued[i]) as f64
        }
        Status::Cancelled => typical[pool][time::hour(t.issued[i]) as usize],
        _ => f64::INFINITY,
    }
}

/// After-call work per window (seconds): the median pause between finishing one ticket and
/// calling the next when that next ticket was already waiting. Queue logs record the
/// service but not the wrap-up (notes, filing, a break), yet the window is not free to
/// call; without it a replay makes windows look more available than they were.
fn wrap_up_by_window(hall: &Hall) -> Vec<f64> {
    let t = &hall.tickets;
    let mut by_window: Vec<Vec<usize>> = vec![Vec::new(); t.windows.len()];
    for i in 0..t.len() {
        if t.window[i] != NONE && t.called[i] != NO_TIME && t.status[i] == Status::Served {
            by_window[t.window[i] as usize].push(i);
        }
    }
    by_window
        .into_iter()
        .map(|mut v| {
            v.sort_by_key(|&i| (t.called[i], i));
            let mut gaps: Vec<i64> = v
                .windows(2)
                .filter(|w| time::day(t.called[w[0]]) == time::day(t.called[w[1]]))
                .filter(|w| {
                    t.issued[w[1]] <= t.finished[w[0]] && t.called[w[1]] >= t.finished[w[0]]
                })
                .map(|w| t.called[w[1]] - t.finished[w[0]])
                .filter(|&g| g < 1800)
                .collect();
            if gaps.len() < 20 {
                return 0.0;
            }
            gaps.sort_unstable();
            gaps[gaps.len() / 2] as f64
        })
        .collect()
}

fn wrap_of(wrap: &[f64], w: u32) -> f64 {
    if w == NONE {
        0.0
    } else {
        wrap.get(w as usize).copied().unwrap_or(0.0)
    }
}

fn service_s(hall: &Hall, i: usize) -> f64 {
    let t = &hall.tickets;
    match (t.called[i], t.finished[i]) {
        (c, f) if c != NO_TIME && f != NO_TIME && f >= c => (f - c) as f64,
        _ => 0.0,
    }
}

/// Today's hall: a ticket's pool is the pool of the window that served it; tickets
/// without a window go to their department's pool (or its joint pool where one exists).
fn today(hall: &Hall, hours: &[u32]) -> Config {
    let t = &hall.tickets;
    let mut names: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut pool_named = |n: String, names: &mut Vec<String>| -> usize {
        *index.entry(n.clone()).or_insert_with(|| {
            names.push(n);
            names.len() - 1
        })
    };
    let window_pool: BTreeMap<&str, String> = hall
        .windows
        .iter()
        .map(|w| {
            (
                w.id.as_str(),
                match (w.kind, &w.merge_group) {
                    (WindowKind::Joint, Some(g)) => format!("联办 {g}"),
                    (WindowKind::Fallback, _) => "兜底 fallback".to_string(),
                    _ => w.department.clone(),
                },
            )
        })
        .collect();
    let win_pool_idx: Vec<Option<usize>> = t
        .windows
        .names()
        .iter()
        .map(|w| {
            window_pool
                .get(w.as_str())
                .cloned()
                .map(|n| pool_named(n, &mut names))
        })
        .collect();
    // Department of each window (the one it serves most) when there is no inventory.
    let mut pool_of = vec![0usize; t.len()];
    let mut dept_pool: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, slot) in pool_of.iter_mut().enumerate() {
        let w = t.window[i];
        *slot = match (w != NONE).then(|| win_pool_idx[w as usize]).flatten() {
            Some(p) => p,
            None => {
                let d = t.department[i];
                match dept_pool.get(&d) {
                    Some(&p) => p,
                    None => {
                        let p = pool_named(t.departments.name(d).to_string(), &mut names);
                        dept_pool.insert(d, p);
                        p
                    }
                }
            }
        };
    }
    let staffed = derive::staffed_windows(t);
    let mut counts: BTreeMap<(usize, i64, u32), u32> = BTreeMap::new();
    for ((day, hour), ws) in &staffed {
        for &w in ws {
            if let Some(p) = win_pool_idx[w as usize] {
                *counts.entry((p, *day, *hour)).or_default() += 1;
            }
        }
    }
    let typical = typical_waits(hall, &pool_of, names.len());
    let wrap = wrap_up_by_window(hall);
    let jobs = (0..t.len())
        .map(|i| Job {
            ticket: i,
            pool: pool_of[i],
            arrival: t.issued[i] as f64,
            service: service_s(hall, i) + wrap_of(&wrap, t.window[i]),
            patience: patience(hall, i, &typical, pool_of[i]),
        })
        .collect();
    let _ = hours;
    Config {
        names,
        servers: Box::new(move |p, d, h| counts.get(&(p, d, h)).copied().unwrap_or(0)),
        jobs,
        left_online: Vec::new(),
    }
}

/// A plan: tickets re-routed by their matter's channel; pools staffed with the plan's
/// windows in every open hour.
fn planned(hall: &Hall, plan: &Plan, seed: u64) -> Result<Config> {
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
        .position(|p| p.kind == "fallback")
        .ok_or_else(|| Error::BadFile {
            file: "plan.json".into(),
            message: "the plan has no fallback pool".into(),
        })?;
    let matter_plan: BTreeMap<&str, (&str, usize)> = plan
        .matters
        .iter()
        .filter_map(|m| {
            let pool = if m.pool.is_empty() {
                Some(fallback)
            } else {
                pool_index.get(m.pool.as_str()).copied()
            };
            pool.map(|p| (m.matter_id.as_str(), (m.channel.as_str(), p)))
        })
        .collect();
    let catalogue: BTreeMap<&str, &crate::hall::Matter> =
        hall.matters.iter().map(|m| (m.id.as_str(), m)).collect();
    let dept_pool = |d: &str| pool_index.get(d).copied();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let wrap = wrap_up_by_window(hall);
    let mut jobs = Vec::with_capacity(t.len());
    let mut left = vec![0usize; names.len()];
    let thin = (-plan.policy.demand_change).clamp(0.0, 1.0);
    for i in 0..t.len() {
        // Each ticket draws the same random numbers whatever happens to it.
        let (u_thin, u_online) = (rng.random::<f64>(), rng.random::<f64>());
        if u_thin < thin {
            continue;
        }
        let matter = (t.matter[i] != NONE).then(|| t.matters.name(t.matter[i]));
        let dept = t.departments.name(t.department[i]);
        let (channel, pool) = match matter.and_then(|m| matter_plan.get(m)) {
            Some(&(ch, p)) => (ch, p),
            None => ("counter", dept_pool(dept).unwrap_or(fallback)),
        };
        let mut service = service_s(hall, i) + wrap_of(&wrap, t.window[i]);
        let pool = match channel {
            "joint" => {
                service *= 1.0 + plan.policy.joint_slowdown;
                pool
            }
            "online" => {
                let share = matter
                    .and_then(|m| catalogue.get(m))
                    .and_then(|m| m.online_share)
                    .unwrap_or(plan.policy.online_adoption);
                if u_online < share {
                    left[fallback] += 1;
                    continue;
                }
                fallback
            }
            "back-office" => {
                let intake = matter
                    .and_then(|m| catalogue.get(m))
                    .map_or(0.0, |m| m.intake_min);
                if intake <= 0.0 {
                    left[fallback] += 1;
                    continue;
                }
                if t.status[i] == Status::Served {
                    service = intake * 60.0;
                }
                fallback
            }
            _ => pool,
        };
        let p = if t.status[i] == Status::Cancelled {
            600.0
        } else {
            f64::INFINITY
        };
        jobs.push(Job {
            ticket: i,
            pool,
            arrival: t.issued[i] as f64,
            service,
            patience: p,
        });
    }
    let after: Vec<u32> = plan.pools.iter().map(|p| p.windows_after).collect();
    Ok(Config {
        names,
        // The plan's windows are staffed in every open hour, as the formula assumes.
        servers: Box::new(move |p, _d, _h| after[p]),
        jobs,
        left_online: left,
    })
}

/// Per department: served waits, counts (customers, abandoned, unserved, left), and
/// (hour of arrival, wait) pairs.
type DeptAcc = (Vec<f64>, [usize; 4], Vec<(u32, f64)>);

/// Replays the tickets through today's windows (`plan = None`) or a plan.
pub fn replay(hall: &Hall, plan: Option<&Plan>, seed: u64) -> Result<SimResult> {
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
    let cfg = match plan {
        Some(p) => planned(hall, p, seed)?,
        None => today(hall, &hours),
    };
    let days: BTreeSet<i64> = t.issued.iter().map(|&x| time::day(x)).collect();
    let mut per_pool: Vec<Vec<Job>> = vec![Vec::new(); cfg.names.len()];
    for j in &cfg.jobs {
        per_pool[j.pool].push(*j);
    }
    let mut outcome_of: Vec<Option<Outcome>> = vec![None; t.len()];
    let mut pools = Vec::new();
    let mut out = Vec::new();
    for (p, jobs) in per_pool.iter_mut().enumerate() {
        jobs.sort_by(|a, b| {
            a.arrival
                .total_cmp(&b.arrival)
                .then(a.ticket.cmp(&b.ticket))
        });
        let sched = schedule(&days, &hours, |d, h| (cfg.servers)(p, d, h));
        let customers: Vec<Customer> = jobs
            .iter()
            .map(|j| Customer {
                arrival: j.arrival,
                service: j.service,
                patience: j.patience,
            })
            .collect();
        engine::run_pool(&customers, &sched, &mut out)
            .map_err(|e| Error::Solver(format!("simulation of {}: {e}", cfg.names[p])))?;
        for (j, o) in jobs.iter().zip(&out) {
            outcome_of[j.ticket] = Some(*o);
        }
        let mut g = summarise(
            &cfg.names[p],
            &customers,
            &out,
            cfg.left_online.get(p).copied().unwrap_or(0),
        );
        g.utilisation = utilisation(&customers, &out, &sched);
        g.queue_by_hour = queue_by_hour(&customers, &out, &days);
        pools.push(g);
    }
    // Departments and the hall, from the tickets' outcomes.
    let nd = t.departments.len();
    let mut dw: Vec<DeptAcc> = vec![(Vec::new(), [0; 4], Vec::new()); nd + 1];
    for (i, outcome) in outcome_of.iter().enumerate() {
        let d = t.department[i] as usize;
        for k in [d, nd] {
            let e = &mut dw[k];
            e.1[0] += 1;
            match *outcome {
                Some(Outcome::Served { wait, .. }) if t.status[i] != Status::NoShow => {
                    e.0.push(wait);
                    e.2.push((time::hour(t.issued[i]), wait));
                }
                Some(Outcome::Served { .. }) => {}
                Some(Outcome::Abandoned { .. }) => e.1[1] += 1,
                Some(Outcome::Unserved) => e.1[2] += 1,
                None => e.1[3] += 1,
            }
        }
    }
    let mut departments: Vec<GroupResult> = (0..=nd)
        .map(|d| {
            let name = if d == nd {
                "全厅 (whole hall)"
            } else {
                t.departments.name(d as u32)
            };
            let (w, c, by_hour) = &dw[d];
            let mut g = group(name, w.clone(), (c[0], c[1], c[2], c[3]));
            g.wait_by_hour = hourly_means(by_hour);
            g
        })
        .collect();
    let hall_row = departments
        .pop()
        .unwrap_or_else(|| group("hall", Vec::new(), (0, 0, 0, 0)));
    departments.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SimResult {
        mode: "trace".into(),
        configuration: if plan.is_some() {
            "plan".into()
        } else {
            "today".into()
        },
        seed,
        replications: 1,
        pools,
        departments,
        hall: hall_row,
    })
}

fn hourly_means(v: &[(u32, f64)]) -> Vec<f64> {
    let mut acc = [(0.0, 0u32); 24];
    for &(h, w) in v {
        acc[h as usize].0 += w / 60.0;
        acc[h as usize].1 += 1;
    }
    acc.iter()
        .map(|(s, n)| if *n > 0 { s / f64::from(*n) } else { f64::NAN })
        .collect()
}

fn summarise(name: &str, customers: &[Customer], out: &[Outcome], left: usize) -> GroupResult {
    let mut waits = Vec::new();
    let (mut ab, mut un) = (0, 0);
    for o in out {
        match o {
            Outcome::Served { wait, .. } => waits.push(*wait),
            Outcome::Abandoned { .. } => ab += 1,
            Outcome::Unserved => un += 1,
        }
    }
    group(name, waits, (customers.len() + left, ab, un, left))
}

/// Busy server time over staffed server time (sessions only; overtime counts as busy).
fn utilisation(customers: &[Customer], out: &[Outcome], sched: &Schedule) -> Option<f64> {
    let busy: f64 = customers
        .iter()
        .zip(out)
        .filter(|(_, o)| matches!(o, Outcome::Served { .. }))
        .map(|(c, _)| c.service)
        .sum();
    let staffed: f64 = sched
        .sessions
        .iter()
        .map(|s| {
            s.servers_per_hour
                .iter()
                .enumerate()
                .map(|(k, &n)| f64::from(n) * (s.end - (s.start + 3600.0 * k as f64)).min(3600.0))
                .sum::<f64>()
        })
        .sum();
    (staffed > 0.0).then(|| (busy / staffed).min(1.0))
}

/// Mean number waiting per hour of day, over the days of the log.
fn queue_by_hour(customers: &[Customer], out: &[Outcome], days: &BTreeSet<i64>) -> Vec<f64> {
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return vec![0.0; 24];
    };
    let n = ((last - first + 1) * 24) as usize;
    let prof = stats::queue_profile(customers, out, (first * time::DAY) as f64, 3600.0, n);
    let mut acc = [0.0; 24];
    for (k, v) in prof.iter().enumerate() {
        acc[k % 24] += v;
    }
    acc.iter().map(|v| v / days.len().max(1) as f64).collect()
}
