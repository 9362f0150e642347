//! Who was on duty, and how many servers a window has: one rule, read from the ticket
//! log, shared by the trace replay (its rosters, model.md §7) and the queueing formula
//! (whole windows per pool, day and slot; input.md "Staffed windows per hour").
//!
//! **The rule.** The day is cut into *sessions* by the opening hours (a break such as lunch
//! ends a session). A window is on duty over its *working span* — every session, from the
//! session's opening to the next session's opening, of every day on which its pool served
//! anyone, so that every window of a session stays on duty after closing while its queue
//! drains — except where the log shows it away:
//! - **idle while a ticket of its pool was waiting** (issued, not yet called). In a
//!   first-come-first-served hall an idle window with people waiting is a window nobody
//!   sat at: a shift not started yet, a break, gone home;
//! - **whole spells** ([`away_spells`]): a clerk comes once and leaves once, so an idle
//!   stretch of the window that holds a wait of at least [`ABSENT_WAIT_S`] (somebody of
//!   its pool waiting that long without a break while it sat idle) is away — before its
//!   first call of a session from the session's start to the last such wait, after its
//!   last call (or in a session without a call) from the first such wait to the session's
//!   end, between two calls from the first such wait to the last — not only the minutes
//!   in which somebody happened to be waiting. A window that serves nobody in a session in
//!   which nobody waited that long is a spare the queue never reached: on duty (a spare
//!   that serves only when every other window is busy is on duty all day);
//! - **rosters** ([`rosters`]): a shift repeats from day to day, so a half hour of the day
//!   in which a window was shown away on at least [`ROSTER_MIN_DAYS`] days, and on more
//!   days than it called anyone, is away on the days whose log is silent about it too.
//!
//! Where nobody waited, an idle window cannot be told from an absent one; it counts as on
//! duty, which is what the waits the log shows are consistent with. Days on which the
//! pool served nobody are off duty.
//!
//! A session's time line: the first session of a day starts at midnight and each session
//! runs to the opening of the next one (the last to midnight), so a call before opening
//! or in a queue's drain after closing belongs to the session it is nearest after. Where
//! the log shows the windows idle around those edges while people waited (a ticket taken
//! in the lunch break that waits for the afternoon), the idle-while-waiting rule puts
//! them off duty; where nobody waited, it does not matter.
//!
//! **Servers.** `staff` (人员数) is head count, not parallel servers: a window has as many
//! servers as the services the log shows overlapping at it, normally one
//! ([`window_servers`]). A pause of at most [`AFTER_CALL_MAX_S`] between two services of
//! a one-server window, with people waiting throughout, is after-call work of the first
//! service and counts as busy (see [`after_call_work`]).
//!
//! The log is read in [`Blocks`] of whole issue days that no ticket straddles, so the
//! memory beyond the hall grows with one block's tickets, not with the log.

use std::collections::BTreeMap;

pub use super::blocks::{after_call_work, merge, subtract, BlockLog, Blocks, AFTER_CALL_MAX_S};
pub use super::rosters::ROSTER_MIN_DAYS;
use super::rosters::{rosters, HALF_HOUR_S};
use crate::hall::{time, Hall, Tickets, WindowKind, NONE, NO_TIME};

/// Who waits with whom: the pools of today's hall as its ticket log shows them.
///
/// A window's pool is its inventory pool (its department, its joint group, or the
/// fallback windows); a window missing from the inventory joins the department it serves
/// most. Tickets without a window (cancelled, some no-shows) join the pool that serves
/// most of their department's tickets, or a pool of their own.
#[derive(Debug, Clone)]
pub struct LogPools {
    pub names: Vec<String>,
    /// Pool of each window of the log (by its index in `Tickets::windows`).
    pub of_window: Vec<usize>,
    /// Pool of a department's tickets without a window (`usize::MAX`: it has none).
    pub of_department: Vec<usize>,
    /// Windows of each pool that called at least one ticket, in inventory order, then by
    /// name.
    pub windows: Vec<Vec<u32>>,
}

impl LogPools {
    pub fn read(hall: &Hall) -> LogPools {
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
                let pool = match (w.kind, &w.merge_group) {
                    (WindowKind::Joint, Some(g)) => format!("联办 {g}"),
                    (WindowKind::Fallback, _) => "兜底 fallback".to_string(),
                    _ => w.department.clone(),
                };
                (w.id.as_str(), (k, pool))
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
        let of_window: Vec<usize> = (0..nw)
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
        let nd = t.departments.len();
        let mut dept_pools: Vec<Vec<(usize, u64)>> = vec![Vec::new(); nd];
        for (w, by) in served_by.iter().enumerate() {
            for &(d, n) in by {
                let v = &mut dept_pools[d as usize];
                match v.iter_mut().find(|e| e.0 == of_window[w]) {
                    Some(e) => e.1 += n,
                    None => v.push((of_window[w], n)),
                }
            }
        }
        let mut of_department: Vec<usize> = dept_pools
            .iter()
            .map(|m| {
                m.iter()
                    .max_by_key(|&&(p, n)| (n, std::cmp::Reverse(p)))
                    .map_or(usize::MAX, |e| e.0)
            })
            .collect();
        // Other departments get a pool of their own, named in order of their first ticket.
        for (&w, &d) in t.window.iter().zip(&t.department) {
            if w == NONE && of_department[d as usize] == usize::MAX {
                of_department[d as usize] =
                    pool_named(t.departments.name(d).to_string(), &mut names);
            }
        }
        let mut windows: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
        for w in 0..nw {
            if !served_by[w].is_empty() {
                windows[of_window[w]].push(w as u32);
            }
        }
        for ws in &mut windows {
            ws.sort_by_key(|&w| {
                let name = &t.windows.names()[w as usize];
                (
                    inventory.get(name.as_str()).map_or(usize::MAX, |(k, _)| *k),
                    name.clone(),
                )
            });
        }
        LogPools {
            names,
            of_window,
            of_department,
            windows,
        }
    }

    /// The pool of ticket `i`.
    #[inline]
    pub fn of_ticket(&self, t: &Tickets, i: usize) -> usize {
        match t.window[i] {
            w if w != NONE => self.of_window[w as usize],
            _ => self.of_department[t.department[i] as usize],
        }
    }
}

/// Sessions of a day as hours of day `[from, to)`: runs of consecutive open hours (a gap
/// in the hours, such as lunch, ends a session). No open hours: one session, all day.
pub fn sessions_of(hours: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &h in hours {
        match out.last_mut() {
            Some((_, b)) if *b == h => *b = h + 1,
            _ => out.push((h, h + 1)),
        }
    }
    if out.is_empty() {
        out.push((0, 24));
    }
    out
}

/// Services that must show `k` at once at a window before it counts as `k` servers: at
/// least this many times …
pub const OVERLAP_MIN_COUNT: u64 = 5;
/// … and at least this share of the window's services. A duplicated row, a re-issued
/// ticket or a transferred call shows two services at once now and then (1–3 % of an
/// agent's calls in the bank log); a second clerk shows it most of the day.
pub const OVERLAP_MIN_SHARE: f64 = 0.05;
/// A service overlaps the next one only when it runs on more than this many seconds
/// after the next one starts (the default clock-skew allowance): two clocks a few
/// seconds apart do not make a second clerk.
pub const OVERLAP_MIN_S: i64 = 60;

/// Servers of each window of the log: the most services the log shows running at once at
/// it (normally one; `staff` is head count, not servers). `k` services at once count
/// when at least [`OVERLAP_MIN_COUNT`] and [`OVERLAP_MIN_SHARE`] of the window's
/// services started while `k − 1` others ran on there for more than [`OVERLAP_MIN_S`].
pub fn window_servers(t: &Tickets, blocks: &Blocks) -> Vec<u32> {
    let nw = t.windows.len();
    // starts[w][k]: services of window w that started while k others ran.
    let mut starts: Vec<Vec<u64>> = vec![vec![0]; nw];
    let mut busy: Vec<Vec<(i64, i64)>> = vec![Vec::new(); nw];
    let mut touched: Vec<u32> = Vec::new();
    let mut tickets = Vec::new();
    let mut running: Vec<i64> = Vec::new();
    for b in 0..blocks.len() {
        blocks.tickets(b, &mut tickets);
        for &i in &tickets {
            let (w, c) = (t.window[i], t.called[i]);
            if w == NONE || c == NO_TIME {
                continue;
            }
            let f = if t.finished[i] == NO_TIME {
                c
            } else {
                t.finished[i].max(c)
            };
            if busy[w as usize].is_empty() {
                touched.push(w);
            }
            busy[w as usize].push((c, f));
        }
        for &w in &touched {
            let v = &mut busy[w as usize];
            v.sort_unstable();
            running.clear();
            for &(c, f) in v.iter() {
                running.retain(|&e| e > c + OVERLAP_MIN_S);
                let k = running.len();
                let s = &mut starts[w as usize];
                if s.len() <= k {
                    s.resize(k + 1, 0);
                }
                s[k] += 1;
                running.push(f);
            }
            v.clear();
        }
        touched.clear();
    }
    starts
        .iter()
        .map(|s| {
            let total: u64 = s.iter().sum();
            let need = OVERLAP_MIN_COUNT.max((OVERLAP_MIN_SHARE * total as f64).ceil() as u64);
            // Services that started with at least k others running.
            let mut at_least = 0;
            let mut servers = 1;
            for k in (1..s.len()).rev() {
                at_least += s[k];
                if at_least >= need {
                    servers = k as u32 + 1;
                    break;
                }
            }
            servers
        })
        .collect()
}

/// On-duty periods of every window of the log, and its servers (see the module docs for
/// the rule). Times are seconds on the tickets' clock; intervals are half-open.
#[derive(Debug, Clone)]
pub struct Duty {
    /// Sessions of a day as hours `[from, to)`, from the opening hours.
    pub sessions: Vec<(u32, u32)>,
    /// Servers of each window of the log (by its index in `Tickets::windows`).
    pub servers: Vec<u32>,
    /// On-duty periods of each window of the log, `[from, to)`, sorted, disjoint and
    /// non-adjacent. Empty for a window that never called a ticket.
    pub on: Vec<Vec<(i64, i64)>>,
}

impl Duty {
    /// Reads the duty of today's windows from the hall's log, with the opening hours the
    /// log shows (`opening_hours`).
    pub fn read(hall: &Hall) -> Duty {
        let t = &hall.tickets;
        let pools = LogPools::read(hall);
        let blocks = Blocks::cut(t, false);
        let hours = super::opening_hours(t).map(|h| h.hours).unwrap_or_default();
        let servers = window_servers(t, &blocks);
        Duty::read_with(t, &pools, &blocks, &hours, servers)
    }

    /// [`Duty::read`] with the pools, blocks, open hours and servers given.
    pub fn read_with(
        t: &Tickets,
        pools: &LogPools,
        blocks: &Blocks,
        hours: &[u32],
        servers: Vec<u32>,
    ) -> Duty {
        let sessions = sessions_of(hours);
        let mut on: Vec<Vec<(i64, i64)>> = vec![Vec::new(); t.windows.len()];
        let mut log = BlockLog::new(pools, t.windows.len());
        let mut tickets = Vec::new();
        let mut busy: Vec<(i64, i64)> = Vec::new();
        let mut span: Vec<(i64, i64)> = Vec::new();
        let mut extents: Vec<(i64, i64)> = Vec::new();
        // Per window: the days of its working span, and per day the half hours in which
        // it called anyone (bit k: minutes 30k..30k+30 of the day), for the roster pass.
        let mut called: Vec<BTreeMap<i64, u64>> = vec![BTreeMap::new(); t.windows.len()];
        for b in 0..blocks.len() {
            blocks.tickets(b, &mut tickets);
            log.read(t, pools, &servers, &tickets);
            for (p, ws) in pools.windows.iter().enumerate() {
                // The sessions of the days on which the pool served anyone. A quiet pool
                // serves nobody in some sessions of its open days; its windows were there
                // all the same, unless the log shows them away.
                let mut days: Vec<i64> = ws
                    .iter()
                    .flat_map(|&w| log.busy[w as usize].iter())
                    .map(|&(c, _, _)| time::day(c))
                    .collect();
                days.sort_unstable();
                days.dedup();
                let open: Vec<(i64, i64)> = days
                    .iter()
                    .flat_map(|&d| {
                        let sessions = &sessions;
                        sessions.iter().map(move |&(a, _)| {
                            extent(sessions, d * time::DAY + i64::from(a) * 3600)
                        })
                    })
                    .collect();
                for &w in ws {
                    let calls = &log.busy[w as usize];
                    let by_day = &mut called[w as usize];
                    for &d in &days {
                        by_day.entry(d).or_insert(0);
                    }
                    for &(c, _, _) in calls {
                        let bit = (c - time::day(c) * time::DAY) / HALF_HOUR_S;
                        *by_day.entry(time::day(c)).or_insert(0) |= 1u64 << bit;
                    }
                    // The working span: every session of the pool's open days.
                    span.clear();
                    extents.clear();
                    for &e in &open {
                        extents.push(e);
                        match span.last_mut() {
                            Some(s) if s.1 >= e.0 => s.1 = s.1.max(e.1),
                            _ => span.push(e),
                        }
                    }
                    // Off where it was idle while its pool waited.
                    busy.clear();
                    busy.extend(calls.iter().map(|&(a, f, _)| (a, f)));
                    let busy = merge(std::mem::take(&mut busy));
                    let idle_waiting = subtract(&log.waiting[p], &busy);
                    let away = merge(away_spells(&extents, &busy, &idle_waiting));
                    let v = &mut on[w as usize];
                    for piece in subtract(&subtract(&span, &idle_waiting), &away) {
                        match v.last_mut() {
                            Some(last) if last.1 >= piece.0 => last.1 = last.1.max(piece.1),
                            _ => v.push(piece),
                        }
                    }
                }
            }
        }
        for (w, by_day) in called.iter().enumerate() {
            rosters(&mut on[w], by_day);
        }
        Duty {
            sessions,
            servers,
            on,
        }
    }

    /// Off-duty periods of window `w` over the whole time line (the complement of its
    /// on-duty periods), as the replay's engine reads them; ±∞ at the ends.
    pub fn off_duty(&self, w: u32) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut from = f64::NEG_INFINITY;
        for &(a, b) in &self.on[w as usize] {
            out.push((from, a as f64));
            from = b as f64;
        }
        out.push((from, f64::INFINITY));
        out
    }

    /// Seconds window `w` is on duty within `[from, to)`.
    pub fn seconds_on(&self, w: u32, from: i64, to: i64) -> i64 {
        let v = &self.on[w as usize];
        let k = v.partition_point(|x| x.1 <= from);
        v[k..]
            .iter()
            .take_while(|x| x.0 < to)
            .map(|x| x.1.min(to) - x.0.max(from))
            .sum()
    }

    /// Whole windows among `windows` (indices of the log) on duty in `[from, to)`: a
    /// window counts when it is on duty for at least half of it. The count of windows,
    /// not of servers (see [`Duty::servers`] for a window with two clerks serving at once).
    pub fn whole_windows(&self, windows: &[u32], from: i64, to: i64) -> u32 {
        let half = to - from;
        windows
            .iter()
            .filter(|&&w| 2 * self.seconds_on(w, from, to) >= half)
            .count() as u32
    }

    /// Whole windows among `windows` on duty on `day` (days since 1970-01-01) in each of
    /// `slots`, given as minutes of the day `[from, to)` — a short slot such as
    /// 13:30–14:00 is a slot of its own length. This is what the formula evaluates a
    /// day's sessions with: a pool's windows, slot by slot, in whole numbers.
    pub fn windows_by_slot(&self, windows: &[u32], day: i64, slots: &[(u32, u32)]) -> Vec<u32> {
        slots
            .iter()
            .map(|&(a, b)| {
                let at = |m: u32| day * time::DAY + i64::from(m) * 60;
                self.whole_windows(windows, at(a), at(b))
            })
            .collect()
    }

    /// Windows on duty per (day, open hour) as [`super::Staffed`]: a window counts in an
    /// hour of `days` when it is on duty for at least half of it.
    pub fn staffed(&self, days: &[i64]) -> super::Staffed {
        let mut out = super::Staffed::new();
        let hours: Vec<u32> = self.sessions.iter().flat_map(|&(a, b)| a..b).collect();
        for &d in days {
            for &h in &hours {
                let from = d * time::DAY + i64::from(h) * 3600;
                let ws: Vec<u32> = (0..self.on.len() as u32)
                    .filter(|&w| 2 * self.seconds_on(w, from, from + 3600) >= 3600)
                    .collect();
                if !ws.is_empty() {
                    out.insert((d, h), ws);
                }
            }
        }
        out
    }
}

/// Spells away from the window beyond the moments it was seen idle while people waited:
/// a clerk comes once and leaves once (a late start, an early end, a break), so where an
/// idle stretch of the window holds a wait of at least [`ABSENT_WAIT_S`] while it sat
/// idle, the window was away from the session's start to the last such wait (before its
/// first call), from the first such wait to the session's end (after its last, or in a
/// session without a call: it left, or never came), or from the first to the last
/// (between calls). Only
/// whole spells keep a window that comes an hour late from counting as on duty in the
/// minutes of that hour in which nobody happened to wait. `extents` are the window's
/// session extents, `busy` its merged busy intervals, `idle_waiting` its pool's waiting
/// while it was idle (sorted, disjoint).
fn away_spells(
    extents: &[(i64, i64)],
    busy: &[(i64, i64)],
    idle_waiting: &[(i64, i64)],
) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for &(e0, e1) in extents {
        let k = busy.partition_point(|b| b.1 <= e0);
        let inside: Vec<(i64, i64)> = busy[k..]
            .iter()
            .take_while(|b| b.0 < e1)
            .map(|&(a, b)| (a.max(e0), b.min(e1)))
            .collect();
        // The idle stretches: (from, to, touches the start, touches the end). A session
        // without a call is one stretch: away from its first long wait to the session's
        // end — the clerk left, or never came (a clerk who came after the waits and
        // served nobody is indistinguishable from a spare, and counts as one). Measured
        // on the Ciw halls and the sample, this beats both "away all session" and "away
        // between the first and the last wait" (docs/VALIDATION.md).
        if inside.is_empty() {
            push_away(&mut out, idle_waiting, (e0, e1, false, true));
            continue;
        }
        let mut gaps: Vec<(i64, i64, bool, bool)> = Vec::with_capacity(inside.len() + 1);
        let mut from = e0;
        for &(a, b) in &inside {
            if a > from {
                gaps.push((from, a, from == e0, false));
            }
            from = from.max(b);
        }
        if from < e1 {
            gaps.push((from, e1, from == e0, true));
        }
        for gap in gaps {
            push_away(&mut out, idle_waiting, gap);
        }
    }
    out
}

/// The spell away in one idle stretch `(from, to, head, tail)` of a window, if it holds a
/// wait of at least [`ABSENT_WAIT_S`] (see [`away_spells`]).
fn push_away(out: &mut Vec<(i64, i64)>, idle_waiting: &[(i64, i64)], gap: (i64, i64, bool, bool)) {
    let (g0, g1, head, tail) = gap;
    let j = idle_waiting.partition_point(|w| w.1 <= g0);
    let mut long = idle_waiting[j..]
        .iter()
        .take_while(|w| w.0 < g1)
        .map(|&(a, b)| (a.max(g0), b.min(g1)))
        .filter(|&(a, b)| b - a >= ABSENT_WAIT_S);
    if let Some(first) = long.next() {
        let last = long.last().unwrap_or(first);
        let a = if head { g0 } else { first.0 };
        let b = if tail { g1 } else { last.1 };
        out.push((a, b));
    }
}

/// The session extent holding time `c`: the first session of the day from midnight, each
/// session to the next one's opening, the last to midnight.
fn extent(sessions: &[(u32, u32)], c: i64) -> (i64, i64) {
    let day = time::day(c) * time::DAY;
    let s = c - day;
    let k = sessions
        .iter()
        .rposition(|&(a, _)| i64::from(a) * 3600 <= s)
        .unwrap_or(0);
    let from = if k == 0 {
        0
    } else {
        i64::from(sessions[k].0) * 3600
    };
    let to = sessions
        .get(k + 1)
        .map_or(time::DAY, |n| i64::from(n.0) * 3600);
    (day + from, day + to)
}

/// A wait of at least this long without a break, while a window sat idle, is evidence
/// that it was away; shorter ones are the seconds a clerk takes to call the next number.
pub const ABSENT_WAIT_S: i64 = 120;

#[cfg(test)]
mod tests;
