//! Trace-driven replay: every accepted ticket keeps its issue time and its own handling
//! time; today's hall uses each window's roster read from the log, a plan uses its
//! window counts in every open hour.
//!
//! The replay goes block by block — whole issue days that no ticket's times straddle
//! (issue, call and finish of every ticket of a block lie between the block's first and
//! last midnight) — streaming each block's outcomes into the statistics. Everything the
//! log says beyond one block (pools, servers, rosters, typical waits and handling times)
//! is a table per window, pool, matter or day, so memory beyond the hall itself grows with
//! one block's tickets, not with the log. The engines carry their state from one block to
//! the next, and every sum is taken in the order a replay of the whole log at once would
//! take it, so the results are the same to the last bit.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;

use super::engine::{Customer, OffDuty, Outcome, PoolQueue, RosteredQueue, Schedule, Session};
use super::stats::QueueArea;
use super::{group_of, GroupResult, SimResult, WaitTally};
use crate::error::{Error, Result};
use crate::hall::derive;
use crate::hall::{time, Hall, Matter, Status, Tickets, WindowKind, NONE, NO_TIME};
use crate::plan::Plan;

/// A ticket on its way into the queue.
#[derive(Debug, Clone, Copy)]
struct Job {
    /// Position of the ticket in its block.
    pos: usize,
    pool: usize,
    arrival: f64,
    service: f64,
    patience: f64,
}

/// Today's hall as its ticket log shows it, without any table per ticket.
///
/// A ticket's pool is the pool of the window that served it (by the inventory; a window
/// missing from the inventory joins the pool of the department it serves most); tickets
/// without a window (cancelled, some no-shows) go to the pool that serves most of their
/// department's tickets, or a pool of their own. Each window that called at least one
/// ticket is a server of its pool (`staff` servers for a window with several clerks).
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
struct Today {
    names: Vec<String>,
    /// Pool of each window of the log (by its index).
    win_pool: Vec<usize>,
    /// Pool of a department's tickets without a window (`usize::MAX`: it has none).
    dept_pool: Vec<usize>,
    /// Server windows of each pool, in inventory order, then by name.
    windows_of: Vec<Vec<u32>>,
    /// Index of each window's first server in its pool (`u32::MAX`: not a server).
    server_of: Vec<u32>,
    /// Clerks of each window (servers on the same roster).
    staff: Vec<u32>,
    /// Mean wait (seconds) of served tickets per pool and hour of issue.
    typical: Vec<[f64; 24]>,
    /// Mean handling time per matter and per department.
    means: (Vec<f64>, Vec<f64>),
}

impl Today {
    fn read(hall: &Hall) -> Today {
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
        // Tickets per (window, department); a window serves one department or a few.
        let nw = t.windows.len();
        let mut served_by: Vec<Vec<(u32, u64)>> = vec![Vec::new(); nw];
        for (&w, &d) in t.window.iter().zip(&t.department) {
            if w != NONE {
                let v = &mut served_by[w as usize];
                match v.iter_mut().find(|e| e.0 == d) {
                    Some(e) => e.1 += 1,
                    None => v.push((d, 1)),
                }
            }
        }
        let win_pool: Vec<usize> = (0..nw)
            .map(|w| {
                let name = &t.windows.names()[w];
                let pool = match inventory.get(name.as_str()) {
                    Some((_, p)) => p.clone(),
                    None => {
                        // The department it serves most (the lowest index on ties).
                        let d = served_by[w]
                            .iter()
                            .max_by_key(|(d, n)| (*n, std::cmp::Reverse(*d)))
                            .map_or(0, |(d, _)| *d);
                        t.departments.name(d).to_string()
                    }
                };
                pool_named(pool, &mut names)
            })
            .collect();
        // Tickets without a window join the pool that serves most of their department.
        let nd = t.departments.len();
        let mut dept_pools: Vec<Vec<(usize, u64)>> = vec![Vec::new(); nd];
        for (w, by) in served_by.iter().enumerate() {
            for &(d, n) in by {
                let v = &mut dept_pools[d as usize];
                match v.iter_mut().find(|e| e.0 == win_pool[w]) {
                    Some(e) => e.1 += n,
                    None => v.push((win_pool[w], n)),
                }
            }
        }
        let mut dept_pool: Vec<usize> = dept_pools
            .iter()
            .map(|m| {
                m.iter()
                    .max_by_key(|&&(p, n)| (n, std::cmp::Reverse(p)))
                    .map_or(usize::MAX, |e| e.0)
            })
            .collect();
        // Other departments get a pool of their own, named in order of their first ticket.
        for (&w, &d) in t.window.iter().zip(&t.department) {
            if w == NONE && dept_pool[d as usize] == usize::MAX {
                dept_pool[d as usize] = pool_named(t.departments.name(d).to_string(), &mut names);
            }
        }
        let np = names.len();
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
        let staff: Vec<u32> = (0..nw)
            .map(|w| {
                inventory
                    .get(t.windows.names()[w].as_str())
                    .map_or(1, |(k, _)| hall.windows[*k].staff.max(1))
            })
            .collect();
        let mut server_of = vec![u32::MAX; nw];
        for ws in &windows_of {
            let mut servers = 0;
            for &w in ws {
                server_of[w as usize] = servers;
                servers += staff[w as usize];
            }
        }
        let mut today = Today {
            names,
            win_pool,
            dept_pool,
            windows_of,
            server_of,
            staff,
            typical: Vec::new(),
            means: mean_services(hall),
        };
        today.typical = today.typical_waits(t);
        today
    }

    fn pool_of(&self, t: &Tickets, i: usize) -> usize {
        match t.window[i] {
            w if w != NONE => self.win_pool[w as usize],
            _ => self.dept_pool[t.department[i] as usize],
        }
    }

    /// Patience of a ticket cancelled before being called, when the log has no cancel
    /// time and no later ticket of its pool that day was called: the mean wait of served
    /// tickets of the same pool and hour (they gave up around the typical wait). A
    /// documented choice.
    fn typical_waits(&self, t: &Tickets) -> Vec<[f64; 24]> {
        let mut acc = vec![[(0.0, 0u32); 24]; self.names.len()];
        for i in 0..t.len() {
            if let (Status::Served, Some(w)) = (t.status[i], t.wait_min(i)) {
                let e = &mut acc[self.pool_of(t, i)][time::hour(t.issued[i]) as usize];
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

    /// Servers of each pool.
    fn servers(&self, p: usize) -> usize {
        self.windows_of[p]
            .iter()
            .map(|&w| self.staff[w as usize] as usize)
            .sum()
    }
}

/// The log cut into blocks of whole issue days that no ticket straddles.
struct Blocks {
    /// Issue days of the log, ascending.
    days: Vec<i64>,
    /// Each block's tickets: a range of ticket indices when the log is in day order,
    /// else a range of `order`.
    ranges: Vec<Range<usize>>,
    /// The tickets by issue day, in log order within a day, for a log not in day order.
    order: Option<Vec<u32>>,
}

impl Blocks {
    /// `whole`: one block for the whole log (for tests: it must give the same results).
    fn cut(t: &Tickets, whole: bool) -> Blocks {
        // Per issue day: tickets, and the earliest and latest time any of them shows.
        let mut slot_of: FxHashMap<i64, usize> = FxHashMap::default();
        let mut per_day: Vec<(i64, usize, i64, i64)> = Vec::new(); // (day, n, lo, hi)
        let mut in_order = true;
        let mut last: Option<(i64, usize)> = None;
        for i in 0..t.len() {
            let d = time::day(t.issued[i]);
            let s = match last {
                Some((ld, s)) if ld == d => s,
                _ => {
                    in_order &= last.is_none_or(|(ld, _)| ld < d);
                    let s = *slot_of.entry(d).or_insert_with(|| {
                        per_day.push((d, 0, i64::MAX, i64::MIN));
                        per_day.len() - 1
                    });
                    last = Some((d, s));
                    s
                }
            };
            let (c, f) = (t.called[i], t.finished[i]);
            let mut lo = t.issued[i];
            let mut hi = lo;
            for x in [c, f] {
                if x != NO_TIME {
                    lo = lo.min(x);
                    hi = hi.max(x);
                }
            }
            let e = &mut per_day[s];
            e.1 += 1;
            e.2 = e.2.min(lo);
            e.3 = e.3.max(hi);
        }
        let mut by_day: Vec<usize> = (0..per_day.len()).collect();
        by_day.sort_unstable_by_key(|&s| per_day[s].0);
        // A block ends before day k when everything earlier ends before its midnight
        // and nothing from day k on starts before it.
        let n = by_day.len();
        let mut later_lo = vec![i64::MAX; n + 1];
        for k in (0..n).rev() {
            later_lo[k] = later_lo[k + 1].min(per_day[by_day[k]].2);
        }
        let mut ranges = Vec::new();
        let (mut start, mut first) = (0usize, 0usize);
        let mut earlier_hi = i64::MIN;
        for k in 0..n {
            let midnight = per_day[by_day[k]].0 * time::DAY;
            if k > 0 && !whole && earlier_hi < midnight && later_lo[k] >= midnight {
                let end = start
                    + by_day[first..k]
                        .iter()
                        .map(|&s| per_day[s].1)
                        .sum::<usize>();
                ranges.push(start..end);
                (start, first) = (end, k);
            }
            earlier_hi = earlier_hi.max(per_day[by_day[k]].3);
        }
        if n > 0 {
            ranges.push(start..t.len());
        }
        let order = (!in_order).then(|| {
            // Counting sort by issue day, stable: log order within a day.
            let mut rank = vec![0usize; per_day.len()];
            let mut at = 0;
            for &s in &by_day {
                rank[s] = at;
                at += per_day[s].1;
            }
            let mut order = vec![0u32; t.len()];
            for i in 0..t.len() {
                let s = slot_of[&time::day(t.issued[i])];
                order[rank[s]] = i as u32;
                rank[s] += 1;
            }
            order
        });
        Blocks {
            days: by_day.iter().map(|&s| per_day[s].0).collect(),
            ranges,
            order,
        }
    }

    /// Ticket indices of block `b`, in log order.
    fn tickets(&self, b: usize, out: &mut Vec<usize>) {
        out.clear();
        let r = self.ranges[b].clone();
        match &self.order {
            None => out.extend(r),
            Some(o) => out.extend(o[r].iter().map(|&i| i as usize)),
        }
    }
}

/// What one block of the log says beyond each ticket: its pools' waiting intervals, its
/// windows' busy intervals and each ticket's after-call work. Buffers are reused from
/// block to block.
struct BlockLog {
    /// Merged waiting intervals per pool.
    waiting: Vec<Vec<(i64, i64)>>,
    /// Busy intervals per window: (call, finish, position in the block).
    busy: Vec<Vec<(i64, i64, usize)>>,
    /// After-call seconds per position in the block.
    after_call: Vec<f64>,
}

impl BlockLog {
    fn new(today: &Today, windows: usize) -> BlockLog {
        BlockLog {
            waiting: vec![Vec::new(); today.names.len()],
            busy: vec![Vec::new(); windows],
            after_call: Vec::new(),
        }
    }

    /// Reads the block's intervals and after-call work; the busy intervals of each
    /// window are left sorted, extended by after-call work, for [`Rosters::add`].
    fn read(&mut self, t: &Tickets, today: &Today, tickets: &[usize]) {
        self.waiting.iter_mut().for_each(Vec::clear);
        self.busy.iter_mut().for_each(Vec::clear);
        self.after_call.clear();
        self.after_call.resize(tickets.len(), 0.0);
        for (pos, &i) in tickets.iter().enumerate() {
            if t.called[i] == NO_TIME {
                continue;
            }
            if t.called[i] > t.issued[i] {
                self.waiting[today.pool_of(t, i)].push((t.issued[i], t.called[i]));
            }
            if t.window[i] != NONE {
                let f = if t.finished[i] == NO_TIME {
                    t.called[i]
                } else {
                    t.finished[i].max(t.called[i])
                };
                self.busy[t.window[i] as usize].push((t.called[i], f, pos));
            }
        }
        for w in self.waiting.iter_mut() {
            if !w.is_empty() {
                *w = merge(std::mem::take(w));
            }
        }
        for (p, ws) in today.windows_of.iter().enumerate() {
            for &w in ws {
                let b = &mut self.busy[w as usize];
                if today.staff[w as usize] == 1 && !b.is_empty() {
                    after_call_work(b, &self.waiting[p], &mut self.after_call);
                }
            }
        }
    }
}

/// Off-duty periods of every server window, built block by block: outside its working
/// span of each day (first call to last finish) and, within it, whenever it was idle
/// while somebody of its pool waited.
struct Rosters {
    /// Per window: off-duty pieces so far, and the end of its last working span.
    pieces: Vec<Vec<(f64, f64)>>,
    edge: Vec<f64>,
}

impl Rosters {
    fn new(windows: usize) -> Rosters {
        Rosters {
            pieces: vec![Vec::new(); windows],
            edge: vec![f64::NEG_INFINITY; windows],
        }
    }

    fn add(&mut self, today: &Today, log: &BlockLog) {
        for (p, ws) in today.windows_of.iter().enumerate() {
            for &w in ws {
                let w = w as usize;
                let b = &log.busy[w];
                if b.is_empty() {
                    // Idle all block: inside the off-duty period between two spans.
                    continue;
                }
                let mut busy: Vec<(i64, i64)> = b.iter().map(|&(a, f, _)| (a, f)).collect();
                // Already in order but where after-call work moved a finish.
                busy.sort();
                let mut spans: Vec<(i64, i64)> = Vec::new();
                for &(a, f) in &busy {
                    // A no-show is a call of no duration: the window is on duty at its call.
                    let f = f.max(a + 1);
                    match spans.last_mut() {
                        Some(s) if time::day(s.0) == time::day(a) => s.1 = s.1.max(f),
                        _ => spans.push((a, f)),
                    }
                }
                let busy = merge(busy);
                self.pieces[w].extend(subtract(&log.waiting[p], &busy));
                for &(a, f) in &spans {
                    self.pieces[w].push((self.edge[w], a as f64));
                    self.edge[w] = f as f64;
                }
            }
        }
    }

    /// Each pool's servers' rosters (a window with `staff` clerks is that many servers).
    fn finish(mut self, today: &Today) -> Vec<Vec<OffDuty>> {
        today
            .windows_of
            .iter()
            .map(|ws| {
                let mut servers = Vec::new();
                for &w in ws {
                    let w = w as usize;
                    let mut off = std::mem::take(&mut self.pieces[w]);
                    off.push((self.edge[w], f64::INFINITY));
                    let r = merge(off);
                    servers.extend(std::iter::repeat_n(r, today.staff[w] as usize));
                }
                servers
            })
            .collect()
    }
}

/// Patience (seconds) of each ticket of a block. Tickets that were called waited as long
/// as it took (infinite patience). A ticket cancelled before being called gave up: where
/// the log has its cancel time, its patience is cancel − issue; otherwise it is censored
/// — less than the wait it would have had, which the wait of the next called ticket of
/// its pool on the same day estimates — and we take half of that (the mean of a uniform
/// patience below it); with no such ticket, the typical wait of its pool and hour. A
/// documented choice (MODEL.md §7): in today's hall such visitors still give up, in a
/// faster plan some stay.
///
/// `order` is left holding the block's tickets as (pool, issue time, position), sorted:
/// pool by pool, each in order of arrival, then of the log — the order of the replay.
fn patiences(
    t: &Tickets,
    today: &Today,
    tickets: &[usize],
    order: &mut Vec<(usize, i64, usize)>,
    out: &mut Vec<f64>,
) {
    order.clear();
    order.extend(
        tickets
            .iter()
            .enumerate()
            .map(|(pos, &i)| (today.pool_of(t, i), t.issued[i], pos)),
    );
    // Positions follow the log's order, so this is the order by (pool, issue, ticket).
    // Keys are distinct: a stable sort gives the same order, and it is fast on a log
    // that is mostly in order of issue.
    order.sort();
    out.clear();
    out.resize(tickets.len(), f64::INFINITY);
    // Walk each pool backwards remembering the wait of the next called ticket.
    let mut next: Option<(usize, i64, f64)> = None; // (pool, day, wait)
    for &(p, issued, pos) in order.iter().rev() {
        let i = tickets[pos];
        let d = time::day(issued);
        if t.called[i] != NO_TIME {
            next = Some((p, d, (t.called[i] - issued).max(0) as f64));
            continue;
        }
        if t.status[i] != Status::Cancelled {
            continue;
        }
        out[pos] = if t.finished[i] != NO_TIME && t.finished[i] >= issued {
            (t.finished[i] - issued) as f64
        } else {
            match next {
                Some((np, nd, w)) if np == p && nd == d => 0.5 * w,
                _ => 0.5 * today.typical[p][time::hour(issued) as usize],
            }
        };
    }
}

/// Today's jobs of one block in the replay's `order` (see [`patiences`]): each ticket
/// with its own handling time and after-call work, its patience, in its pool of today.
fn today_jobs(
    hall: &Hall,
    today: &Today,
    tickets: &[usize],
    order: &[(usize, i64, usize)],
    log: &BlockLog,
    patience: &[f64],
    jobs: &mut Vec<Job>,
) {
    jobs.clear();
    jobs.extend(order.iter().map(|&(pool, issued, pos)| Job {
        pos,
        pool,
        arrival: issued as f64,
        service: (own_service(hall, tickets[pos], &today.means) + log.after_call[pos]).max(0.0),
        patience: patience[pos],
    }));
}

/// Where a plan sends today's tickets.
struct Routing<'a> {
    plan: &'a Plan,
    names: Vec<String>,
    fallback: usize,
    /// Per matter of the log: its channel and pool in the plan, if the plan lists it.
    matter_plan: Vec<Option<(&'a str, usize)>>,
    /// Per matter of the log: its catalogue entry.
    catalogue: Vec<Option<&'a Matter>>,
    /// Per department of the log: the plan's pool of that name.
    dept_pool: Vec<Option<usize>>,
    /// Share of tickets dropped for a demand decrease.
    thin: f64,
}

impl<'a> Routing<'a> {
    fn new(hall: &'a Hall, plan: &'a Plan) -> Result<Routing<'a>> {
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
        let by_id: BTreeMap<&str, (&str, usize)> = plan
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
            thin: (-plan.policy.demand_change).clamp(0.0, 1.0),
        })
    }

    /// Re-routes a block's jobs of today (in log order) by the plan: each ticket draws
    /// two random numbers whatever happens to it, the `i`-th ticket of the log the
    /// `i`-th pair of the seeded stream. Tickets that leave (online, back office
    /// without intake) are counted in `left`; thinned ones vanish.
    fn route(
        &self,
        t: &Tickets,
        tickets: &[usize],
        jobs: &mut Vec<Job>,
        rng: &mut ChaCha8Rng,
        in_log_order: bool,
        left: &mut [usize],
    ) {
        let policy = &self.plan.policy;
        jobs.retain_mut(|job| {
            let i = tickets[job.pos];
            if !in_log_order {
                // Two f64 draws are four 32-bit words.
                rng.set_word_pos(4 * i as u128);
            }
            let (u_thin, u_online) = (rng.random::<f64>(), rng.random::<f64>());
            if u_thin < self.thin {
                return false;
            }
            let m = t.matter[i];
            let matter = (m != NONE).then_some(m as usize);
            let (channel, pool) = match matter.and_then(|m| self.matter_plan[m]) {
                Some((ch, p)) => (ch, p),
                None => (
                    "counter",
                    self.dept_pool[t.department[i] as usize].unwrap_or(self.fallback),
                ),
            };
            let catalogue = matter.and_then(|m| self.catalogue[m]);
            job.pool = match channel {
                "joint" => {
                    job.service *= 1.0 + policy.joint_slowdown;
                    pool
                }
                "online" => {
                    let share = catalogue
                        .and_then(|m| m.online_share)
                        .unwrap_or(policy.online_adoption);
                    if u_online < share {
                        left[pool] += 1;
                        return false;
                    }
                    // Walk-ins go where the plan sends them: the fallback windows, or the
                    // joint window of the matter's group (`online_remainder = "joint"`).
                    if self.plan.pools[pool].kind.starts_with("joint") {
                        job.service *= 1.0 + policy.joint_slowdown;
                    }
                    pool
                }
                "back-office" => {
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
                _ => pool,
            };
            true
        });
    }
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

/// Replays the tickets through today's windows (`plan = None`) or a plan.
pub fn replay(hall: &Hall, plan: Option<&Plan>, seed: u64) -> Result<SimResult> {
    replay_in_blocks(hall, plan, seed, false)
}

/// [`replay`], block by block or (`whole`) the whole log as one block.
fn replay_in_blocks(hall: &Hall, plan: Option<&Plan>, seed: u64, whole: bool) -> Result<SimResult> {
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
    let routing = plan.map(|p| Routing::new(hall, p)).transpose()?;
    let today = Today::read(hall);
    let blocks = Blocks::cut(t, whole);
    let in_log_order = blocks.order.is_none();
    let days: BTreeSet<i64> = blocks.days.iter().copied().collect();
    let names = routing.as_ref().map_or(&today.names, |r| &r.names);
    let np = names.len();
    let sim_err = |p: usize| {
        let name = names[p].clone();
        move |e: super::engine::EngineError| Error::Solver(format!("simulation of {name}: {e}"))
    };
    let rosters = match routing {
        None => today_rosters(t, &today, &blocks),
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
    let mut log = BlockLog::new(&today, t.windows.len());
    let (mut tickets, mut patience, mut jobs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut customers, mut preferred, mut out) = (Vec::new(), Vec::new(), Vec::new());
    let mut order = Vec::new();
    let mut outcome_of: Vec<Option<Outcome>> = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, &today, &tickets);
        patiences(t, &today, &tickets, &mut order, &mut patience);
        today_jobs(hall, &today, &tickets, &order, &log, &patience, &mut jobs);
        if let Some(r) = &routing {
            // The plan's routing draws its random numbers in the log's order.
            jobs.sort_by_key(|j| j.pos);
            r.route(t, &tickets, &mut jobs, &mut rng, in_log_order, &mut left);
            sort_jobs(&mut jobs);
        }
        outcome_of.clear();
        outcome_of.resize(tickets.len(), None);
        for pool_jobs in jobs.chunk_by(|a, b| a.pool == b.pool) {
            let p = pool_jobs[0].pool;
            customers.clear();
            customers.extend(pool_jobs.iter().map(Job::customer));
            out.clear();
            match &mut engines {
                Engines::Today(q) => {
                    preferred.clear();
                    preferred.extend(pool_jobs.iter().map(|j| match t.window[tickets[j.pos]] {
                        w if w != NONE => today.server_of[w as usize],
                        _ => u32::MAX,
                    }));
                    q[p].extend(&customers, Some(&preferred), &mut out)
                }
                Engines::Plan(q) => q[p].extend(&customers, &mut out),
            }
            .map_err(sim_err(p))?;
            let s = &mut pools[p];
            for ((j, c), o) in pool_jobs.iter().zip(&customers).zip(&out) {
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
        // Departments and the hall, from the tickets' outcomes in log order.
        for (pos, &i) in tickets.iter().enumerate() {
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
                late_waits[i] = wait;
            }
        }
    }
    for (i, &wait) in late_waits.iter().enumerate() {
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

impl Job {
    fn customer(&self) -> Customer {
        Customer {
            arrival: self.arrival,
            service: self.service,
            patience: self.patience,
        }
    }
}

/// A plan's re-routed tickets as (pool, ticket, customer), each pool's in the order the
/// replay queues them, for replays of one pool at a time (the planner's check). The
/// whole log is one block here: the same routing and draws as [`replay`].
pub(super) fn plan_jobs(
    hall: &Hall,
    plan: &Plan,
    seed: u64,
) -> Result<Vec<(usize, usize, Customer)>> {
    let t = &hall.tickets;
    let routing = Routing::new(hall, plan)?;
    let today = Today::read(hall);
    let blocks = Blocks::cut(t, true);
    let in_log_order = blocks.order.is_none();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut log = BlockLog::new(&today, t.windows.len());
    let (mut tickets, mut patience, mut jobs, mut order) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut left = vec![0usize; routing.names.len()];
    let mut out = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, &today, &tickets);
        patiences(t, &today, &tickets, &mut order, &mut patience);
        today_jobs(hall, &today, &tickets, &order, &log, &patience, &mut jobs);
        jobs.sort_by_key(|j| j.pos);
        routing.route(t, &tickets, &mut jobs, &mut rng, in_log_order, &mut left);
        sort_jobs(&mut jobs);
        out.extend(jobs.iter().map(|j| (j.pool, tickets[j.pos], j.customer())));
    }
    Ok(out)
}

/// Pool by pool, each in order of arrival, then of the log.
fn sort_jobs(jobs: &mut [Job]) {
    jobs.sort_by(|a, b| {
        a.pool
            .cmp(&b.pool)
            .then(a.arrival.total_cmp(&b.arrival))
            .then(a.pos.cmp(&b.pos))
    });
}

/// Every pool's servers' rosters, read from the log block by block.
fn today_rosters(t: &Tickets, today: &Today, blocks: &Blocks) -> Vec<Vec<OffDuty>> {
    let mut rosters = Rosters::new(t.windows.len());
    let mut log = BlockLog::new(today, t.windows.len());
    let mut tickets = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, today, &tickets);
        rosters.add(today, &log);
    }
    rosters.finish(today)
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
    let today = Today::read(hall);
    let blocks = Blocks::cut(t, false);
    let rosters = today_rosters(t, &today, &blocks);
    let mut pools: Vec<RosteredPool> = today
        .names
        .iter()
        .zip(rosters)
        .map(|(name, off)| RosteredPool {
            name: name.clone(),
            customers: Vec::new(),
            off,
            preferred: Vec::new(),
        })
        .collect();
    let mut log = BlockLog::new(&today, t.windows.len());
    let (mut tickets, mut patience, mut jobs) = (Vec::new(), Vec::new(), Vec::new());
    let mut order = Vec::new();
    for b in 0..blocks.ranges.len() {
        blocks.tickets(b, &mut tickets);
        log.read(t, &today, &tickets);
        patiences(t, &today, &tickets, &mut order, &mut patience);
        today_jobs(hall, &today, &tickets, &order, &log, &patience, &mut jobs);
        for j in &jobs {
            let p = &mut pools[j.pool];
            p.customers.push(j.customer());
            p.preferred.push(match t.window[tickets[j.pos]] {
                w if w != NONE => today.server_of[w as usize],
                _ => u32::MAX,
            });
        }
    }
    debug_assert!(pools
        .iter()
        .enumerate()
        .all(|(p, r)| r.off.len() == today.servers(p)));
    pools
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

/// Merges intervals into disjoint, non-adjacent ones in order; empty ones are dropped.
fn merge<T: Copy + PartialOrd>(mut v: Vec<(T, T)>) -> Vec<(T, T)> {
    // The union does not depend on the order of equal starts; waiting intervals come
    // in order of issue, so a stable (run-adaptive) sort is nearly free.
    v.sort_by(|x, y| x.0.partial_cmp(&y.0).unwrap_or(std::cmp::Ordering::Equal));
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
    // Distinct keys; calls come mostly in order, which a stable sort exploits.
    busy.sort();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Hall {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/binjiang");
        let opts = crate::ingest::LoadOptions {
            needs: crate::ingest::Needs::TRACE,
            ..crate::ingest::LoadOptions::default()
        };
        crate::ingest::load(Some(&dir), &opts)
            .expect("the sample loads")
            .hall
    }

    /// Bit for bit, NaNs included.
    fn json(r: &SimResult) -> String {
        serde_json::to_string(r).expect("serialises")
    }

    #[test]
    fn replaying_day_by_day_equals_replaying_the_whole_log_at_once() {
        let hall = sample();
        let blocks = Blocks::cut(&hall.tickets, false);
        assert!(blocks.order.is_none(), "the sample is in day order");
        assert!(blocks.ranges.len() > 10, "{} blocks", blocks.ranges.len());
        let by_day = replay_in_blocks(&hall, None, 1, false).expect("replays");
        let whole = replay_in_blocks(&hall, None, 1, true).expect("replays");
        assert_eq!(json(&by_day), json(&whole));
        assert_eq!(by_day.hall.waits, whole.hall.waits);
    }

    #[test]
    fn blocks_never_split_a_ticket_that_runs_past_midnight() {
        let mut hall = sample();
        let t = &mut hall.tickets;
        let days: Vec<i64> = Blocks::cut(t, false).days;
        // A ticket of the second day finished after midnight: the second and third days
        // become one block, the others stay apart.
        let i = (0..t.len())
            .find(|&i| time::day(t.issued[i]) == days[1] && t.finished[i] != NO_TIME)
            .expect("a finished ticket on day 2");
        t.finished[i] = days[2] * time::DAY + 60;
        let blocks = Blocks::cut(t, false);
        assert_eq!(blocks.ranges.len(), days.len() - 1);
        let merged = &blocks.ranges[1];
        assert!(merged.clone().all(|k| {
            let d = time::day(t.issued[k]);
            d == days[1] || d == days[2]
        }));
        assert_eq!(
            json(&replay_in_blocks(&hall, None, 1, false).expect("replays")),
            json(&replay_in_blocks(&hall, None, 1, true).expect("replays"))
        );
    }

    #[test]
    fn a_log_out_of_day_order_is_replayed_day_by_day_in_log_order() {
        let hall = sample();
        let mut shuffled = hall.clone();
        // Reverse the log: every day's tickets stay together, days in reverse order.
        let t = &mut shuffled.tickets;
        let n = t.len();
        let perm: Vec<usize> = (0..n).rev().collect();
        fn permute<T: Copy>(v: &mut Vec<T>, perm: &[usize]) {
            *v = perm.iter().map(|&i| v[i]).collect();
        }
        permute(&mut t.issued, &perm);
        permute(&mut t.called, &perm);
        permute(&mut t.finished, &perm);
        permute(&mut t.window, &perm);
        permute(&mut t.department, &perm);
        permute(&mut t.matter, &perm);
        permute(&mut t.status, &perm);
        let blocks = Blocks::cut(t, false);
        assert!(blocks.order.is_some());
        let mut seen = vec![false; n];
        let mut tickets = Vec::new();
        let mut last_day = i64::MIN;
        for b in 0..blocks.ranges.len() {
            blocks.tickets(b, &mut tickets);
            assert!(
                tickets.windows(2).all(|w| w[0] < w[1]),
                "log order in a block"
            );
            let first = time::day(t.issued[tickets[0]]);
            assert!(first > last_day, "blocks in day order");
            last_day = tickets
                .iter()
                .map(|&i| time::day(t.issued[i]))
                .max()
                .unwrap_or(first);
            tickets.iter().for_each(|&i| seen[i] = true);
        }
        assert!(seen.iter().all(|&s| s), "every ticket in one block");
        assert_eq!(
            json(&replay_in_blocks(&shuffled, None, 1, false).expect("replays")),
            json(&replay_in_blocks(&shuffled, None, 1, true).expect("replays"))
        );
    }

    #[test]
    fn seeking_the_stream_gives_each_ticket_its_own_pair_of_draws() {
        let mut seq = ChaCha8Rng::seed_from_u64(2020);
        let pairs: Vec<(f64, f64)> = (0..1000).map(|_| (seq.random(), seq.random())).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(2020);
        for i in [999usize, 0, 17, 16, 15, 500, 1, 998] {
            rng.set_word_pos(4 * i as u128);
            assert_eq!(
                (rng.random::<f64>(), rng.random::<f64>()),
                pairs[i],
                "ticket {i}"
            );
        }
    }
}
