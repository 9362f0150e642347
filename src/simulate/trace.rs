//! Trace-driven replay: every accepted ticket keeps its issue time and its own handling
//! time; today's hall uses the staffed windows per hour read from the tickets, a plan uses
//! its window counts in every open hour.

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::engine::{self, Customer, OffDuty, Outcome, Schedule, Session};
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

/// Who is on duty in each pool.
enum Staffing {
    /// A plan: servers of pool p in (day, hour), within the opening sessions.
    Counts(Box<dyn Fn(usize, i64, u32) -> u32>),
    /// Today's hall: per pool, the off-duty periods of each of its windows.
    /// `preferred[ticket]` is the server of its pool that the log shows serving it
    /// (`u32::MAX` for none): ties between windows are decided as the hall decided them.
    Rostered(Vec<Vec<OffDuty>>, Vec<u32>),
}

/// Pools and routing of one configuration.
struct Config {
    names: Vec<String>,
    staffing: Staffing,
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

pub(super) fn schedule(
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

fn service_s(hall: &Hall, i: usize) -> f64 {
    let t = &hall.tickets;
    match (t.called[i], t.finished[i]) {
        (c, f) if c != NO_TIME && f != NO_TIME && f >= c => (f - c) as f64,
        _ => 0.0,
    }
}

/// Mean handling time (seconds) of served tickets per matter, and per department where a
/// matter has none: the handling time given to a cancelled ticket the simulation serves.
fn mean_services(hall: &Hall) -> (Vec<f64>, Vec<f64>) {
    let t = &hall.tickets;
    let mut by_matter = vec![(0.0, 0u32); t.matters.len()];
    let mut by_dept = vec![(0.0, 0u32); t.departments.len()];
    for i in 0..t.len() {
        if t.status[i] == Status::Served {
            let s = service_s(hall, i);
            if t.matter[i] != NONE {
                let e = &mut by_matter[t.matter[i] as usize];
                e.0 += s;
                e.1 += 1;
            }
            let e = &mut by_dept[t.department[i] as usize];
            e.0 += s;
            e.1 += 1;
        }
    }
    let mean = |v: Vec<(f64, u32)>| -> Vec<f64> {
        v.into_iter()
            .map(|(s, n)| if n > 0 { s / f64::from(n) } else { f64::NAN })
            .collect()
    };
    (mean(by_matter), mean(by_dept))
}

/// Handling time of ticket `i` in a replay: its own for a called ticket; for a ticket
/// cancelled before being called (it has none), the mean of its matter (or department),
/// used only if the simulation serves it.
fn own_service(hall: &Hall, i: usize, means: &(Vec<f64>, Vec<f64>)) -> f64 {
    let t = &hall.tickets;
    if t.status[i] != Status::Cancelled || t.called[i] != NO_TIME {
        return service_s(hall, i);
    }
    let m = (t.matter[i] != NONE)
        .then(|| means.0[t.matter[i] as usize])
        .filter(|x| x.is_finite());
    m.or_else(|| Some(means.1[t.department[i] as usize]).filter(|x| x.is_finite()))
        .unwrap_or(0.0)
}

/// Patience (seconds) of every ticket. Tickets that were called waited as long as it took
/// (infinite patience). A ticket cancelled before being called gave up: where the log has
/// its cancel time, its patience is cancel − issue; otherwise it is censored — less than
/// the wait it would have had, which the wait of the next called ticket of its pool on the
/// same day estimates — and we take half of that (the mean of a uniform patience below
/// it); with no such ticket, the typical wait of its pool and hour. A documented choice
/// (MODEL.md §7): in today's hall such visitors still give up, in a faster plan some stay.
fn patiences(hall: &Hall, pool_of: &[usize], npools: usize) -> Vec<f64> {
    let t = &hall.tickets;
    let typical = typical_waits(hall, pool_of, npools);
    let mut order: Vec<usize> = (0..t.len()).collect();
    order.sort_by_key(|&i| (pool_of[i], t.issued[i], i));
    let mut out = vec![f64::INFINITY; t.len()];
    // Walk each pool backwards remembering the wait of the next called ticket.
    let mut next: Option<(usize, i64, f64)> = None; // (pool, day, wait)
    for &i in order.iter().rev() {
        let (p, d) = (pool_of[i], time::day(t.issued[i]));
        if t.called[i] != NO_TIME {
            next = Some((p, d, (t.called[i] - t.issued[i]).max(0) as f64));
            continue;
        }
        if t.status[i] != Status::Cancelled {
            continue;
        }
        out[i] = if t.finished[i] != NO_TIME && t.finished[i] >= t.issued[i] {
            (t.finished[i] - t.issued[i]) as f64
        } else {
            match next {
                Some((np, nd, w)) if np == p && nd == d => 0.5 * w,
                _ => 0.5 * typical[p][time::hour(t.issued[i]) as usize],
            }
        };
    }
    out
}

/// Merges intervals into disjoint, non-adjacent ones in order; empty ones are dropped.
fn merge<T: Copy + PartialOrd>(mut v: Vec<(T, T)>) -> Vec<(T, T)> {
    v.sort_unstable_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
    let mut out: Vec<(T, T)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        if a >= b {
            continue;
        }
        match out.last_mut() {
            Some(last) if a <= last.1 => {
                if b > last.1 {
                    last.1 = b;
                }
            }
            _ => out.push((a, b)),
        }
    }
    out
}

/// `a \ b` for two merged interval lists.
fn subtract(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut k = 0;
    for &(mut x, y) in a {
        while k < b.len() && b[k].1 <= x {
            k += 1;
        }
        let mut j = k;
        while x < y {
            match b.get(j) {
                Some(&(p, q)) if p < y => {
                    if p > x {
                        out.push((x as f64, p as f64));
                    }
                    x = x.max(q);
                    j += 1;
                }
                _ => {
                    out.push((x as f64, y as f64));
                    break;
                }
            }
        }
    }
    out
}

/// Longest pause between two tickets at a window, with people waiting throughout, that
/// counts as after-call work of the first ticket rather than as time off duty.
const AFTER_CALL_MAX_S: i64 = 300;

/// After-call work: a window that finishes a ticket and calls the next one `g` seconds
/// later while people were waiting all along was finishing the first ticket (notes,
/// filing, calling the next number) when `g` is short (≤ [`AFTER_CALL_MAX_S`]): that
/// pause belongs to the ticket, not to the clock, and travels with it when the replay
/// hands the ticket to another window or another time. Longer pauses are breaks, off
/// duty at their clock time. Extends `busy` (sorted here) and records the pause per
/// ticket in `extra`.
fn after_call_work(busy: &mut [(i64, i64, usize)], waiting: &[(i64, i64)], extra: &mut [f64]) {
    busy.sort_unstable();
    // One clerk serves one ticket at a time: where two services overlap at a window (a
    // duplicated row, a re-issued ticket), the window's time is counted once — the later
    // ticket keeps only the part that runs past the earlier one.
    let mut end = i64::MIN;
    for b in busy.iter_mut() {
        if b.0 < end {
            let overlap = b.1.min(end) - b.0;
            extra[b.2] -= overlap as f64;
        }
        end = end.max(b.1);
    }
    for k in 1..busy.len() {
        let (end, next) = (busy[k - 1].1, busy[k].0);
        let g = next - end;
        if g <= 0 || g > AFTER_CALL_MAX_S || time::day(end) != time::day(next) {
            continue;
        }
        // The merged waiting interval holding `end` must reach `next`.
        let j = waiting.partition_point(|w| w.1 <= end);
        if waiting.get(j).is_some_and(|w| w.0 <= end && w.1 >= next) {
            extra[busy[k - 1].2] += g as f64;
            busy[k - 1].1 = next;
        }
    }
}

/// Off-duty periods of one window from its busy intervals and its pool's waiting
/// intervals (merged): outside its working span of each day (first call to last finish)
/// and, within it, whenever it was idle while somebody waited.
fn roster(waiting: &[(i64, i64)], mut busy: Vec<(i64, i64)>) -> OffDuty {
    busy.sort_unstable();
    let mut spans: Vec<(i64, i64)> = Vec::new();
    for &(a, b) in &busy {
        // A no-show is a call of no duration: the window is on duty at its call.
        let b = b.max(a + 1);
        match spans.last_mut() {
            Some(s) if time::day(s.0) == time::day(a) => s.1 = s.1.max(b),
            _ => spans.push((a, b)),
        }
    }
    let busy = merge(busy);
    let mut off: Vec<(f64, f64)> = subtract(waiting, &busy);
    let mut edge = f64::NEG_INFINITY;
    for &(a, b) in &spans {
        off.push((edge, a as f64));
        edge = b as f64;
    }
    off.push((edge, f64::INFINITY));
    merge(off)
}

/// Today's hall, window by window, as its ticket log shows it.
///
/// A ticket's pool is the pool of the window that served it (by the inventory; a window
/// missing from the inventory joins the pool of the department it serves most); tickets
/// without a window (cancelled, some no-shows) go to their department's pool. Each window
/// that called at least one ticket is a server of its pool.
///
/// Staffing is read from the log at the resolution of its time stamps: a window is *off
/// duty* whenever it was idle (not between a call and its finish) while a ticket of its
/// pool was waiting (issued, not yet called). In a first-come-first-served hall an idle
/// window with people waiting is a window nobody sits at — before its shift, on a break,
/// over lunch, after leaving early, or doing after-call work between two tickets — so
/// this captures shifts, breaks, opening and closing times, lunch, wrap-up and the
/// minute a no-show holds the window, without assuming any of them. Outside a window's
/// working span of a day (its first call to its last finish) it is off duty too: a
/// morning-only window idle all afternoon was not there, even when nobody happened to be
/// waiting at the moment a ticket was issued. Inside the span, idle with nobody waiting
/// counts as on duty (whether it was staffed cannot be seen there).
fn today(hall: &Hall) -> Config {
    let t = &hall.tickets;
    let mut names: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut pool_named = |n: String, names: &mut Vec<String>| -> usize {
        *index.entry(n.clone()).or_insert_with(|| {
            names.push(n);
            names.len() - 1
        })
    };
    let inventory: BTreeMap<&str, (usize, String)> = hall
        .windows
        .iter()
        .enumerate()
        .map(|(k, w)| {
            (
                w.id.as_str(),
                (
                    k,
                    match (w.kind, &w.merge_group) {
                        (WindowKind::Joint, Some(g)) => format!("联办 {g}"),
                        (WindowKind::Fallback, _) => "兜底 fallback".to_string(),
                        _ => w.department.clone(),
                    },
                ),
            )
        })
        .collect();
    // The department each window serves most, for windows missing from the inventory.
    let nw = t.windows.len();
    let mut served_by: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); nw];
    for i in 0..t.len() {
        if t.window[i] != NONE {
            *served_by[t.window[i] as usize]
                .entry(t.department[i])
                .or_default() += 1;
        }
    }
    let win_pool: Vec<usize> = (0..nw)
        .map(|w| {
            let name = &t.windows.names()[w];
            let pool = match inventory.get(name.as_str()) {
                Some((_, p)) => p.clone(),
                None => {
                    let d = served_by[w]
                        .iter()
                        .max_by_key(|(d, n)| (**n, std::cmp::Reverse(**d)))
                        .map_or(0, |(d, _)| *d);
                    t.departments.name(d).to_string()
                }
            };
            pool_named(pool, &mut names)
        })
        .collect();
    // Tickets without a window join the pool that serves most of their department.
    let mut dept_pools: BTreeMap<u32, BTreeMap<usize, u64>> = BTreeMap::new();
    for i in 0..t.len() {
        if t.window[i] != NONE {
            *dept_pools
                .entry(t.department[i])
                .or_default()
                .entry(win_pool[t.window[i] as usize])
                .or_default() += 1;
        }
    }
    let mut dept_pool: BTreeMap<u32, usize> = dept_pools
        .into_iter()
        .filter_map(|(d, m)| {
            let best = m
                .into_iter()
                .max_by_key(|&(p, n)| (n, std::cmp::Reverse(p)))?;
            Some((d, best.0))
        })
        .collect();
    let pool_of: Vec<usize> = (0..t.len())
        .map(|i| match t.window[i] {
            w if w != NONE => win_pool[w as usize],
            _ => *dept_pool.entry(t.department[i]).or_insert_with(|| {
                pool_named(t.departments.name(t.department[i]).to_string(), &mut names)
            }),
        })
        .collect();
    let np = names.len();
    // Waiting and busy intervals.
    let mut waiting: Vec<Vec<(i64, i64)>> = vec![Vec::new(); np];
    let mut busy: Vec<Vec<(i64, i64, usize)>> = vec![Vec::new(); nw];
    for i in 0..t.len() {
        if t.called[i] == NO_TIME {
            continue;
        }
        if t.called[i] > t.issued[i] {
            waiting[pool_of[i]].push((t.issued[i], t.called[i]));
        }
        if t.window[i] != NONE {
            let f = if t.finished[i] == NO_TIME {
                t.called[i]
            } else {
                t.finished[i].max(t.called[i])
            };
            busy[t.window[i] as usize].push((t.called[i], f, i));
        }
    }
    let waiting: Vec<Vec<(i64, i64)>> = waiting.into_iter().map(merge).collect();
    // Servers of each pool in inventory order, then by name.
    let mut windows_of: Vec<Vec<u32>> = vec![Vec::new(); np];
    for w in 0..nw {
        if !served_by[w].is_empty() {
            windows_of[win_pool[w]].push(w as u32);
        }
    }
    for ws in &mut windows_of {
        ws.sort_by_key(|&w| {
            let name = &t.windows.names()[w as usize];
            (
                inventory.get(name.as_str()).map_or(usize::MAX, |(k, _)| *k),
                name.clone(),
            )
        });
    }
    let mut after_call = vec![0.0; t.len()];
    let mut server_of = vec![u32::MAX; nw];
    let rosters: Vec<Vec<OffDuty>> = windows_of
        .iter()
        .enumerate()
        .map(|(p, ws)| {
            let mut servers = Vec::with_capacity(ws.len());
            for &w in ws {
                server_of[w as usize] = servers.len() as u32;
                // A window with several clerks (inventory `staff`) is that many servers
                // on the same roster.
                let staff = inventory
                    .get(t.windows.names()[w as usize].as_str())
                    .map_or(1, |(k, _)| hall.windows[*k].staff.max(1));
                let mut b = std::mem::take(&mut busy[w as usize]);
                if staff == 1 {
                    after_call_work(&mut b, &waiting[p], &mut after_call);
                }
                let r = roster(&waiting[p], b.into_iter().map(|(a, f, _)| (a, f)).collect());
                servers.extend(std::iter::repeat_n(r, staff as usize));
            }
            servers
        })
        .collect();
    let pat = patiences(hall, &pool_of, np);
    let means = mean_services(hall);
    let jobs = (0..t.len())
        .map(|i| Job {
            ticket: i,
            pool: pool_of[i],
            arrival: t.issued[i] as f64,
            service: (own_service(hall, i, &means) + after_call[i]).max(0.0),
            patience: pat[i],
        })
        .collect();
    Config {
        names,
        staffing: Staffing::Rostered(
            rosters,
            (0..t.len())
                .map(|i| match t.window[i] {
                    w if w != NONE => server_of[w as usize],
                    _ => u32::MAX,
                })
                .collect(),
        ),
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
    // Each ticket keeps today's handling time with its after-call work, and its patience.
    let base = today(hall).jobs;
    let mut jobs = Vec::with_capacity(t.len());
    let mut left = vec![0usize; names.len()];
    let thin = (-plan.policy.demand_change).clamp(0.0, 1.0);
    for (i, today_job) in base.iter().enumerate() {
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
        let mut service = today_job.service;
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
                    left[pool] += 1;
                    continue;
                }
                // Walk-ins go where the plan sends them: the fallback windows, or the
                // joint window of the matter's group (`online_remainder = "joint"`).
                if plan.pools[pool].kind.starts_with("joint") {
                    service *= 1.0 + plan.policy.joint_slowdown;
                }
                pool
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
        jobs.push(Job {
            ticket: i,
            pool,
            arrival: t.issued[i] as f64,
            service,
            patience: today_job.patience,
        });
    }
    let after: Vec<u32> = plan.pools.iter().map(|p| p.windows_after).collect();
    Ok(Config {
        names,
        // The plan's windows are staffed in every open hour, as the formula assumes.
        staffing: Staffing::Counts(Box::new(move |p, _d, _h| after[p])),
        jobs,
        left_online: left,
    })
}

/// A plan's re-routed tickets as (pool, ticket, customer), each pool's in the order the
/// replay queues them (arrival, then ticket), for replays of one pool at a time.
pub(super) fn plan_jobs(
    hall: &Hall,
    plan: &Plan,
    seed: u64,
) -> Result<Vec<(usize, usize, Customer)>> {
    let mut jobs = planned(hall, plan, seed)?.jobs;
    jobs.sort_by(|a, b| {
        a.pool
            .cmp(&b.pool)
            .then(a.arrival.total_cmp(&b.arrival))
            .then(a.ticket.cmp(&b.ticket))
    });
    Ok(jobs
        .into_iter()
        .map(|j| {
            (
                j.pool,
                j.ticket,
                Customer {
                    arrival: j.arrival,
                    service: j.service,
                    patience: j.patience,
                },
            )
        })
        .collect())
}

/// One pool of today's hall, ready for [`engine::run_rostered`]: its customers sorted
/// by arrival, its windows' off-duty periods, and each customer's window in the log.
pub struct RosteredPool {
    pub name: String,
    pub customers: Vec<Customer>,
    pub off: Vec<OffDuty>,
    pub preferred: Vec<u32>,
}

/// Today's hall as the replay sees it, pool by pool (for benchmarks and inspection).
pub fn today_pools(hall: &Hall) -> Vec<RosteredPool> {
    let cfg = today(hall);
    let Staffing::Rostered(rosters, preferred) = cfg.staffing else {
        return Vec::new();
    };
    let mut per_pool: Vec<Vec<Job>> = vec![Vec::new(); cfg.names.len()];
    for j in &cfg.jobs {
        per_pool[j.pool].push(*j);
    }
    per_pool
        .into_iter()
        .zip(rosters)
        .zip(cfg.names)
        .map(|((mut jobs, off), name)| {
            jobs.sort_by(|a, b| {
                a.arrival
                    .total_cmp(&b.arrival)
                    .then(a.ticket.cmp(&b.ticket))
            });
            RosteredPool {
                name,
                customers: jobs
                    .iter()
                    .map(|j| Customer {
                        arrival: j.arrival,
                        service: j.service,
                        patience: j.patience,
                    })
                    .collect(),
                preferred: jobs.iter().map(|j| preferred[j.ticket]).collect(),
                off,
            }
        })
        .collect()
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
        None => today(hall),
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
        let customers: Vec<Customer> = jobs
            .iter()
            .map(|j| Customer {
                arrival: j.arrival,
                service: j.service,
                patience: j.patience,
            })
            .collect();
        let staffed_s = match &cfg.staffing {
            Staffing::Counts(servers) => {
                let sched = schedule(&days, &hours, |d, h| servers(p, d, h));
                engine::run_pool(&customers, &sched, &mut out)
                    .map_err(|e| Error::Solver(format!("simulation of {}: {e}", cfg.names[p])))?;
                staffed_seconds(&sched)
            }
            Staffing::Rostered(rosters, preferred) => {
                let pref: Vec<u32> = jobs.iter().map(|j| preferred[j.ticket]).collect();
                engine::run_rostered(&customers, &rosters[p], Some(&pref), &mut out)
                    .map_err(|e| Error::Solver(format!("simulation of {}: {e}", cfg.names[p])))?;
                on_duty_seconds(&rosters[p], &days, &hours)
            }
        };
        for (j, o) in jobs.iter().zip(&out) {
            outcome_of[j.ticket] = Some(*o);
        }
        // Waits of the tickets the log shows as no-shows are not waits of visitors.
        let visitors: Vec<bool> = jobs
            .iter()
            .map(|j| t.status[j.ticket] != Status::NoShow)
            .collect();
        let mut g = summarise(
            &cfg.names[p],
            &visitors,
            &out,
            cfg.left_online.get(p).copied().unwrap_or(0),
        );
        g.utilisation = utilisation(&customers, &out, staffed_s);
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

fn summarise(name: &str, visitors: &[bool], out: &[Outcome], left: usize) -> GroupResult {
    let mut waits = Vec::new();
    let (mut ab, mut un) = (0, 0);
    for (o, &visitor) in out.iter().zip(visitors) {
        match o {
            Outcome::Served { wait, .. } if visitor => waits.push(*wait),
            Outcome::Served { .. } => {}
            Outcome::Abandoned { .. } => ab += 1,
            Outcome::Unserved => un += 1,
        }
    }
    group(name, waits, (visitors.len() + left, ab, un, left))
}

/// Busy server time over staffed server time (overtime counts as busy).
fn utilisation(customers: &[Customer], out: &[Outcome], staffed: f64) -> Option<f64> {
    let busy: f64 = customers
        .iter()
        .zip(out)
        .filter(|(_, o)| matches!(o, Outcome::Served { .. }))
        .map(|(c, _)| c.service)
        .sum();
    (staffed > 0.0).then(|| (busy / staffed).min(1.0))
}

/// Staffed server time of a schedule (sessions only).
fn staffed_seconds(sched: &Schedule) -> f64 {
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
