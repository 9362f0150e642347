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

/// Half hours, the grain of the roster pass ([`rosters`]).
const HALF_HOUR_S: i64 = 1800;

/// A clerk's roster repeats from day to day (a shift that starts at 10:00, leaves at
/// 16:00), but on a quiet day the log cannot show it: a window away while nobody needed
/// it looks like a spare on duty. So where a day is silent about a window in a half hour
/// of the day (on duty by the rules above, no call), the other days decide: when at least
/// [`ROSTER_MIN_DAYS`] days show it away in that half hour (off duty for at least half of
/// it) and they outnumber the days on which it called anyone then, it is away on the
/// silent days too. A call always proves presence; a spare that serves only now and then
/// is never shown away (nobody waits while it idles), so it stays on duty. `by_day`: the
/// window's working days, each with its half hours with a call.
fn rosters(on: &mut Vec<(i64, i64)>, by_day: &BTreeMap<i64, u64>) {
    if on.is_empty() || by_day.len() < 2 {
        return;
    }
    let on_half = |v: &[(i64, i64)], from: i64| -> bool {
        let to = from + HALF_HOUR_S;
        let k = v.partition_point(|x| x.1 <= from);
        let secs: i64 = v[k..]
            .iter()
            .take_while(|x| x.0 < to)
            .map(|x| x.1.min(to) - x.0.max(from))
            .sum();
        2 * secs >= HALF_HOUR_S
    };
    let mut remove: Vec<(i64, i64)> = Vec::new();
    for bit in 0..(time::DAY / HALF_HOUR_S) {
        let (mut away, mut calls) = (0usize, 0usize);
        for (&d, &mask) in by_day {
            if mask & (1u64 << bit) != 0 {
                calls += 1;
            } else if !on_half(on, d * time::DAY + bit * HALF_HOUR_S) {
                away += 1;
            }
        }
        if away >= ROSTER_MIN_DAYS && away > calls {
            for (&d, &mask) in by_day {
                if mask & (1u64 << bit) == 0 {
                    let from = d * time::DAY + bit * HALF_HOUR_S;
                    remove.push((from, from + HALF_HOUR_S));
                }
            }
        }
    }
    if !remove.is_empty() {
        *on = subtract(on, &merge(remove));
    }
}

/// Days that must show a window away in a half hour before the silent days follow them
/// ([`rosters`]): one day's break is not a roster.
pub const ROSTER_MIN_DAYS: usize = 2;

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
mod tests {
    use super::*;
    use crate::hall::{Status, TicketRow, Window};

    const MIN: i64 = 60;
    const HOUR: i64 = 3600;

    /// Monday 2024-06-03, 00:00.
    fn monday() -> i64 {
        time::days_from_civil(2024, 6, 3) * time::DAY
    }

    /// A one-department hall from (issued, called, finished, window) rows, served.
    fn hall(windows: &[&str], rows: &[(i64, i64, i64, &str)]) -> Hall {
        let mut rows = rows.to_vec();
        rows.sort_by_key(|r| r.0);
        let mut tickets = Tickets::default();
        for &(issued, called, finished, w) in &rows {
            tickets.push(TicketRow {
                issued,
                called,
                finished,
                window: Some(w),
                department: "D",
                matter: None,
                status: Status::Served,
            });
        }
        Hall {
            windows: windows
                .iter()
                .map(|id| Window {
                    id: id.to_string(),
                    department: "D".into(),
                    staff: 2,
                    kind: WindowKind::Department,
                    merge_group: None,
                    locked: false,
                })
                .collect(),
            tickets,
            ..Hall::default()
        }
    }

    /// Quick tickets at window `w`, one at :05 of every hour 09–11 and 13–16 (so that the
    /// opening hours are read as 09–12, 13–17).
    fn hours_of(w: &'static str) -> Vec<(i64, i64, i64, &'static str)> {
        [9, 10, 11, 13, 14, 15, 16]
            .iter()
            .map(|h| {
                let at = monday() + h * HOUR + 5 * MIN;
                (at, at, at + MIN, w)
            })
            .collect()
    }

    fn duty_of(h: &Hall) -> (Duty, impl Fn(&str) -> u32 + '_) {
        let idx = |w: &str| h.tickets.windows.get(w).expect("in the log");
        (Duty::read(h), idx)
    }

    #[test]
    fn sessions_are_runs_of_open_hours_and_a_break_ends_one() {
        assert_eq!(
            sessions_of(&[9, 10, 11, 13, 14, 15, 16]),
            [(9, 12), (13, 17)]
        );
        assert_eq!(sessions_of(&[]), [(0, 24)]);
    }

    #[test]
    fn a_spare_window_that_serves_only_when_all_others_are_busy_is_on_duty_all_day() {
        // A serves all day; spare window S serves twice in the afternoon, at 14:30 and
        // 15:10, while A was busy. Nobody waited while S was idle, so S is on duty from
        // the afternoon's opening (and through its drain), not only around its calls; in
        // the morning it served nobody, but nobody waited either: a spare the queue never
        // reached is on duty too (input.md, "Staffed windows per hour").
        let mut rows = hours_of("A");
        let t = monday() + 14 * HOUR + 30 * MIN;
        rows.push((t - MIN, t - MIN, t + 20 * MIN, "A"));
        rows.push((t, t, t + 5 * MIN, "S"));
        rows.push((t + 40 * MIN - MIN, t + 40 * MIN - MIN, t + 60 * MIN, "A"));
        rows.push((t + 40 * MIN, t + 40 * MIN, t + 45 * MIN, "S"));
        let h = hall(&["A", "S"], &rows);
        let (duty, w) = duty_of(&h);
        let day = time::day(monday());
        let afternoon: Vec<(u32, u32)> = (13..17).map(|h| (h * 60, h * 60 + 60)).collect();
        assert_eq!(
            duty.windows_by_slot(&[w("S")], day, &afternoon),
            [1, 1, 1, 1]
        );
        let morning: Vec<(u32, u32)> = (9..12).map(|h| (h * 60, h * 60 + 60)).collect();
        assert_eq!(duty.windows_by_slot(&[w("S")], day, &morning), [1, 1, 1]);
        assert_eq!(
            duty.windows_by_slot(&[w("A"), w("S")], day, &afternoon),
            [2; 4]
        );
        // The whole day: the first session's extent starts at midnight.
        assert_eq!(
            duty.seconds_on(w("S"), monday(), monday() + 24 * HOUR),
            24 * HOUR
        );
        assert_eq!(duty.servers[w("S") as usize], 1, "staff 2, one server");
    }

    #[test]
    fn a_window_that_served_nobody_in_a_session_where_people_waited_was_away_from_the_first_wait() {
        // S serves in the afternoon only; in the morning tickets waited 15 minutes at 09:10
        // and at 11:30 while S sat idle (A busy): S was away from the first of those waits
        // on (it left, or never came), not a spare on duty.
        let mut rows = hours_of("A");
        let at = |h: i64, m: i64| monday() + h * HOUR + m * MIN;
        rows.push((at(9, 5), at(9, 5), at(9, 25), "A"));
        rows.push((at(9, 10), at(9, 25), at(9, 35), "A"));
        rows.push((at(11, 20), at(11, 20), at(11, 45), "A"));
        rows.push((at(11, 30), at(11, 45), at(11, 50), "A"));
        let t = at(14, 30);
        rows.push((t, t, t + 5 * MIN, "S"));
        let h = hall(&["A", "S"], &rows);
        let (duty, w) = duty_of(&h);
        let day = time::day(monday());
        let morning: Vec<(u32, u32)> = (9..12).map(|h| (h * 60, h * 60 + 60)).collect();
        assert_eq!(duty.windows_by_slot(&[w("S")], day, &morning), [0, 0, 0]);
        assert_eq!(duty.seconds_on(w("S"), at(9, 10), at(11, 45)), 0);
        let afternoon: Vec<(u32, u32)> = (13..17).map(|h| (h * 60, h * 60 + 60)).collect();
        assert_eq!(duty.windows_by_slot(&[w("S")], day, &afternoon), [1; 4]);
    }

    #[test]
    fn a_clerk_who_comes_late_is_away_from_the_opening_not_only_while_people_waited() {
        // B's first call is at 10:40. Between 09:00 and 10:40 people waited twice while B
        // sat idle (09:10–09:20 and 10:20–10:40), with quiet minutes in between: B came
        // once, after 10:40's wait began, so B is away from the opening to 10:40 — the
        // quiet minutes of 09:20–10:20 do not make B a window on duty in the 10 o'clock
        // hour.
        let mut rows = hours_of("C");
        let nine = monday() + 9 * HOUR;
        rows.push((nine + 5 * MIN, nine + 5 * MIN, nine + 20 * MIN, "A"));
        rows.push((nine + 10 * MIN, nine + 20 * MIN, nine + 30 * MIN, "A"));
        rows.push((nine + 75 * MIN, nine + 75 * MIN, nine + 110 * MIN, "A"));
        rows.push((nine + 80 * MIN, nine + 100 * MIN, nine + 115 * MIN, "B"));
        rows.push((nine + 81 * MIN, nine + 110 * MIN, nine + 120 * MIN, "A"));
        let h = hall(&["A", "B", "C"], &rows);
        let (duty, w) = duty_of(&h);
        let day = time::day(monday());
        assert_eq!(
            duty.windows_by_slot(&[w("B")], day, &[(540, 600), (600, 660), (660, 720)]),
            [0, 0, 1]
        );
        assert_eq!(duty.seconds_on(w("B"), nine, nine + 100 * MIN), 0);
        // A short wait (a clerk taking a minute to call) is not a spell away.
        assert!(away_spells(&[(0, 1000)], &[(500, 600)], &[(100, 160)]).is_empty());
        assert_eq!(
            away_spells(&[(0, 1000)], &[(500, 600)], &[(100, 160), (300, 450)]),
            [(0, 450)]
        );
        assert_eq!(
            away_spells(
                &[(0, 1000)],
                &[(100, 200), (800, 900)],
                &[(300, 450), (600, 750)]
            ),
            [(300, 750)]
        );
        assert_eq!(
            away_spells(&[(0, 1000)], &[(100, 200)], &[(300, 450)]),
            [(300, 1000)]
        );
    }

    #[test]
    fn a_window_that_starts_at_ten_while_people_waited_from_nine_is_off_duty_before_ten() {
        // A serves from 09:00; B's first call is at 10:00, of a ticket issued at 09:00
        // that waited (A busy) — B was idle while people waited, so B was not there yet.
        // (C's quick tickets only set the opening hours.)
        let mut rows = hours_of("C");
        let nine = monday() + 9 * HOUR;
        rows.push((nine, nine, nine + 62 * MIN, "A"));
        rows.push((nine, nine + HOUR, nine + HOUR + 10 * MIN, "B"));
        let h = hall(&["A", "B", "C"], &rows);
        let (duty, w) = duty_of(&h);
        assert_eq!(duty.seconds_on(w("B"), nine, nine + HOUR), 0);
        assert_eq!(duty.seconds_on(w("B"), nine + HOUR, nine + 2 * HOUR), HOUR);
        let day = time::day(monday());
        assert_eq!(
            duty.windows_by_slot(&[w("A"), w("B")], day, &[(540, 600), (600, 660)]),
            [1, 2]
        );
        // A short slot is its own length; a window on duty for half of it counts.
        assert_eq!(duty.windows_by_slot(&[w("B")], day, &[(570, 630)]), [1]);
        assert_eq!(duty.windows_by_slot(&[w("B")], day, &[(560, 630)]), [0]);
    }

    #[test]
    fn windows_stay_on_duty_after_closing_until_the_next_session_opens() {
        // A's last call of the morning is at 11:50 and it finishes at 12:20 (the queue
        // drained after closing); nobody waited while it was idle afterwards. It is on
        // duty through the morning's drain to the afternoon's opening, and the idle hour
        // counts as on duty in the legacy-shaped table too.
        let mut rows = hours_of("A");
        let t = monday() + 11 * HOUR + 50 * MIN;
        rows.push((t, t, t + 30 * MIN, "A"));
        let h = hall(&["A"], &rows);
        let (duty, w) = duty_of(&h);
        let noon = monday() + 12 * HOUR;
        assert_eq!(duty.seconds_on(w("A"), noon, noon + HOUR), HOUR);
        let staffed = duty.staffed(&[time::day(monday())]);
        assert_eq!(staffed.len(), 7, "every open hour, not lunch: {staffed:?}");
    }

    /// Five days; A serves quick tickets every open hour and B once at 14:30. On the days
    /// in `shown`, a ticket issued at 16:20 waits 25 minutes at A while B sits idle: B had
    /// left. On the other days nobody needs B after 16:00, so the log of that day alone
    /// cannot tell.
    fn leaves_at_four(shown: &[i64]) -> Hall {
        let mut rows = Vec::new();
        for d in 0..5 {
            let at = |h: i64, m: i64| monday() + d * time::DAY + h * HOUR + m * MIN;
            for h in [9, 10, 11, 13, 14, 15, 16] {
                rows.push((at(h, 5), at(h, 5), at(h, 6), "A"));
            }
            rows.push((at(14, 30), at(14, 30), at(14, 40), "B"));
            if shown.contains(&d) {
                rows.push((at(16, 15), at(16, 15), at(16, 45), "A"));
                rows.push((at(16, 20), at(16, 45), at(16, 50), "A"));
            }
        }
        hall(&["A", "B"], &rows)
    }

    #[test]
    fn a_roster_the_log_shows_on_some_days_holds_on_the_silent_days_too() {
        // B is shown away from 16:20 on days 0 and 1: two days away in 16:30–17:00, no
        // day with a call then, so B is away then on the silent days 2–4 as well. In
        // 16:00–16:30 it was away for only 10 minutes on those days: on duty.
        let h = leaves_at_four(&[0, 1]);
        let (duty, w) = duty_of(&h);
        for d in 2..5 {
            let at = |hh: i64, m: i64| monday() + d * time::DAY + hh * HOUR + m * MIN;
            assert_eq!(duty.seconds_on(w("B"), at(16, 30), at(17, 0)), 0, "day {d}");
            assert_eq!(duty.seconds_on(w("B"), at(16, 0), at(16, 30)), 30 * MIN);
            assert_eq!(duty.seconds_on(w("B"), at(9, 0), at(16, 0)), 7 * HOUR);
            // A called in every hour: never away.
            assert_eq!(duty.seconds_on(w("A"), at(9, 0), at(17, 0)), 8 * HOUR);
        }
        // One day's absence is not a roster: the silent days keep B on duty.
        let h = leaves_at_four(&[0]);
        let (duty, w) = duty_of(&h);
        let day2 = monday() + 2 * time::DAY;
        assert_eq!(
            duty.seconds_on(w("B"), day2 + 16 * HOUR + 30 * MIN, day2 + 17 * HOUR),
            30 * MIN
        );
        // A call proves presence: a half hour in which the window called on more days
        // than it was shown away stays on duty on the silent days.
        let hh = HALF_HOUR_S;
        let day = time::DAY;
        // Away in half hour 20 on days 0 and 1, on duty everywhere else on days 0–5.
        let on = vec![
            (0, 20 * hh),
            (21 * hh, day + 20 * hh),
            (day + 21 * hh, 6 * day),
        ];
        let calls_on = |days: &[i64]| -> BTreeMap<i64, u64> {
            (0..6)
                .map(|d| (d, if days.contains(&d) { 1 << 20 } else { 0 }))
                .collect()
        };
        let mut kept = on.clone();
        rosters(&mut kept, &calls_on(&[3, 4, 5]));
        assert_eq!(kept, on, "three days with a call outweigh two away");
        let mut cut = on.clone();
        rosters(&mut cut, &calls_on(&[3]));
        let silent = |d: i64| (d * day + 20 * hh, d * day + 21 * hh);
        for d in [2, 4, 5] {
            let (a, b) = silent(d);
            assert_eq!(seconds(&cut, a, b), 0, "day {d}");
        }
        let (a, b) = silent(3);
        assert_eq!(seconds(&cut, a, b), hh, "the day with a call keeps it");
    }

    fn seconds(v: &[(i64, i64)], from: i64, to: i64) -> i64 {
        v.iter().map(|x| (x.1.min(to) - x.0.max(from)).max(0)).sum()
    }

    #[test]
    fn servers_are_the_services_the_log_shows_at_once_not_the_head_count() {
        let t = monday() + 9 * HOUR;
        // Back to back at a window with two clerks: one server.
        let one: Vec<_> = (0..20)
            .map(|k| {
                (
                    t + k * 10 * MIN,
                    t + k * 10 * MIN,
                    t + (k + 1) * 10 * MIN,
                    "A",
                )
            })
            .collect();
        // The same with one duplicated row (dirt): still one server.
        let mut dup = one.clone();
        dup.push((t + 30, t + 30, t + 9 * MIN, "A"));
        // Two at once all morning: two servers.
        let mut two = one.clone();
        two.extend((0..20).map(|k| {
            (
                t + k * 10 * MIN,
                t + k * 10 * MIN + 5,
                t + (k + 1) * 10 * MIN,
                "A",
            )
        }));
        for (rows, want) in [(one, 1), (dup, 1), (two, 2)] {
            let h = hall(&["A"], &rows);
            let blocks = Blocks::cut(&h.tickets, false);
            assert_eq!(window_servers(&h.tickets, &blocks), [want]);
        }
    }
}
