//! The ticket log read block by block: blocks of whole issue days that no ticket
//! straddles, and what each block says beyond its tickets — its pools' waiting
//! intervals, its windows' busy intervals, each ticket's after-call work. The duty rule
//! ([`super::duty`]) and the replay read the log through these, so that the memory beyond
//! the hall grows with one block's tickets, not with the log.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::duty::LogPools;
use crate::hall::{time, Tickets, NONE, NO_TIME};

/// The log cut into blocks of whole issue days that no ticket straddles (issue, call and
/// finish of every ticket of a block lie between the block's first and last midnight).
pub struct Blocks {
    /// Issue days of the log, ascending.
    pub days: Vec<i64>,
    /// Each block's tickets: a range of ticket indices when the log is in day order,
    /// else a range of `order`.
    pub ranges: Vec<Range<usize>>,
    /// The tickets by issue day, in log order within a day, for a log not in day order.
    pub order: Option<Vec<u32>>,
}

impl Blocks {
    /// `whole`: one block for the whole log (for tests: it must give the same results).
    pub fn cut(t: &Tickets, whole: bool) -> Blocks {
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

    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Ticket indices of block `b`, in log order.
    pub fn tickets(&self, b: usize, out: &mut Vec<usize>) {
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
pub struct BlockLog {
    /// Merged waiting intervals per pool.
    pub waiting: Vec<Vec<(i64, i64)>>,
    /// Busy intervals per window: (call, finish, position in the block), sorted by call.
    pub busy: Vec<Vec<(i64, i64, usize)>>,
    /// After-call seconds per position in the block.
    pub after_call: Vec<f64>,
}

impl BlockLog {
    pub fn new(pools: &LogPools, windows: usize) -> BlockLog {
        BlockLog {
            waiting: vec![Vec::new(); pools.names.len()],
            busy: vec![Vec::new(); windows],
            after_call: Vec::new(),
        }
    }

    /// Reads the block's intervals; with `servers` (per window), also the after-call work
    /// of one-server windows, whose busy intervals are then extended by it.
    pub fn read(&mut self, t: &Tickets, pools: &LogPools, servers: &[u32], tickets: &[usize]) {
        self.waiting.iter_mut().for_each(Vec::clear);
        self.busy.iter_mut().for_each(Vec::clear);
        self.after_call.clear();
        self.after_call.resize(tickets.len(), 0.0);
        for (pos, &i) in tickets.iter().enumerate() {
            if t.called[i] == NO_TIME {
                continue;
            }
            if t.called[i] > t.issued[i] {
                self.waiting[pools.of_ticket(t, i)].push((t.issued[i], t.called[i]));
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
        // Distinct keys; calls come mostly in order, which a stable sort exploits.
        self.busy.iter_mut().for_each(|b| b.sort());
        for (p, ws) in pools.windows.iter().enumerate() {
            for &w in ws {
                let b = &mut self.busy[w as usize];
                if servers.get(w as usize) == Some(&1) && !b.is_empty() {
                    after_call_work(b, &self.waiting[p], &mut self.after_call);
                }
            }
        }
    }
}

/// Longest pause between two tickets at a window, with people waiting throughout, that
/// counts as after-call work of the first ticket rather than as time off duty.
pub const AFTER_CALL_MAX_S: i64 = 300;

/// After-call work of a one-server window: a window that finishes a ticket and calls the
/// next one `g` seconds later while people were waiting all along was finishing the first
/// ticket (notes, filing, calling the next number) when `g` is short (≤
/// [`AFTER_CALL_MAX_S`]): that pause belongs to the ticket, not to the clock, and travels
/// with it when the replay hands the ticket to another window or another time. Longer
/// pauses are breaks, off duty at their clock time. Extends `busy` (sorted by call) and
/// records the pause per ticket in `extra`.
pub fn after_call_work(busy: &mut [(i64, i64, usize)], waiting: &[(i64, i64)], extra: &mut [f64]) {
    // One clerk serves one ticket at a time: where two services overlap at a one-server
    // window (a duplicated row, a re-issued ticket), the window's time is counted once —
    // the later ticket keeps only the part that runs past the earlier one.
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

/// Merges intervals into disjoint, non-adjacent ones in order; empty ones are dropped.
pub fn merge<T: Copy + PartialOrd>(mut v: Vec<(T, T)>) -> Vec<(T, T)> {
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
pub fn subtract(a: &[(i64, i64)], b: &[(i64, i64)]) -> Vec<(i64, i64)> {
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
                        out.push((x, p));
                    }
                    x = x.max(q);
                    j += 1;
                }
                _ => {
                    out.push((x, y));
                    break;
                }
            }
        }
    }
    out
}
