//! What the tickets tell beyond themselves: catalogue defaults, opening hours, staffed
//! windows per hour, and ([`duty`]) which windows were on duty with how many servers —
//! the one rule the replay and the formula share.

pub mod blocks;
pub mod duty;
mod rosters;

pub use duty::{Duty, LogPools};

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::hall::{time, Hall, Status, Tickets, NONE, NO_TIME};

/// Weeks covered by the ticket log (calendar span, at least one day).
pub fn weeks_covered(t: &Tickets) -> f64 {
    let (lo, hi) = t
        .issued
        .iter()
        .fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if lo > hi {
        return 0.0;
    }
    let days = time::day(hi) - time::day(lo) + 1;
    days as f64 / 7.0
}

/// Fills a matter's missing weekly volume and handling time from its tickets.
pub fn fill_matter_defaults(hall: &mut Hall) {
    let t = &hall.tickets;
    if t.is_empty() {
        return;
    }
    let weeks = weeks_covered(t).max(1.0 / 7.0);
    let n = t.matters.len();
    let mut count = vec![0u64; n];
    let mut service = vec![(0.0f64, 0u64); n];
    for i in 0..t.len() {
        let m = t.matter[i];
        if m == NONE || t.status[i] == Status::Cancelled {
            continue;
        }
        count[m as usize] += 1;
        if let Some(s) = t.service_min(i) {
            service[m as usize].0 += s;
            service[m as usize].1 += 1;
        }
    }
    for m in &mut hall.matters {
        let Some(i) = t.matters.get(&m.id) else {
            continue;
        };
        let i = i as usize;
        if m.weekly_volume.is_none() {
            m.weekly_volume = Some(count[i] as f64 / weeks);
            m.derived_from_tickets = true;
        }
        if m.avg_handle_min.is_none() && service[i].1 > 0 {
            m.avg_handle_min = Some(service[i].0 / service[i].1 as f64);
            m.derived_from_tickets = true;
        }
    }
}

/// Opening hours as inferred from the tickets: the weekdays on which tickets are issued on
/// most weeks, and the hours of day in which tickets are issued on most open days.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OpeningHours {
    /// 0 = Monday.
    pub weekdays: Vec<u32>,
    /// Hours of day (0–23) that are open.
    pub hours: Vec<u32>,
    pub open_days: usize,
}

impl OpeningHours {
    /// "Mon–Fri 09–12, 13–17".
    pub fn describe(&self) -> String {
        let days = ranges(&self.weekdays)
            .into_iter()
            .map(|(a, b)| {
                if a == b {
                    time::weekday_name(a).to_string()
                } else {
                    format!("{}–{}", time::weekday_name(a), time::weekday_name(b))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let hours = ranges(&self.hours)
            .into_iter()
            .map(|(a, b)| format!("{a:02}–{:02}", b + 1))
            .collect::<Vec<_>>()
            .join(", ");
        format!("{days} {hours}")
    }
}

fn ranges(v: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &x in v {
        match out.last_mut() {
            Some((_, b)) if *b + 1 == x => *b = x,
            _ => out.push((x, x)),
        }
    }
    out
}

pub fn opening_hours(t: &Tickets) -> Option<OpeningHours> {
    if t.is_empty() {
        return None;
    }
    let (day_hours, day_tickets) = per_day(&t.issued);
    let first = *day_hours.keys().next()?;
    let last = *day_hours.keys().next_back()?;
    // A weekday is open when it has tickets in at least half of the weeks spanned.
    let mut weekdays = Vec::new();
    for w in 0..7u32 {
        let spanned = (first..=last)
            .filter(|d| ((d + 3).rem_euclid(7)) as u32 == w)
            .count();
        let with = day_hours
            .keys()
            .filter(|d| ((*d + 3).rem_euclid(7)) as u32 == w)
            .count();
        if spanned > 0 && with * 2 >= spanned {
            weekdays.push(w);
        }
    }
    // Days with a handful of stray tickets (a Saturday event) do not count as open days.
    let median = {
        let mut v: Vec<u64> = day_tickets.values().copied().collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    let open: Vec<u32> = day_hours
        .iter()
        .filter(|(d, _)| {
            weekdays.contains(&(((**d + 3).rem_euclid(7)) as u32)) && day_tickets[*d] * 10 >= median
        })
        .map(|(_, h)| *h)
        .collect();
    // An hour is open when tickets are issued in it on at least half of the open days and
    // it carries at least 5 % of the busiest hour's tickets: a call centre's few calls after
    // midnight or a queue forming before the doors open do not make an opening hour.
    let mut per_hour = [0u64; 24];
    for &x in &t.issued {
        per_hour[time::hour(x) as usize] += 1;
    }
    let busiest = per_hour.iter().copied().max().unwrap_or(0);
    let hours = (0..24u32)
        .filter(|h| open.iter().filter(|m| *m & (1 << h) != 0).count() * 2 >= open.len().max(1))
        .filter(|&h| per_hour[h as usize] * 20 >= busiest)
        .collect();
    Some(OpeningHours {
        weekdays,
        hours,
        open_days: open.len(),
    })
}

/// Per day with tickets: the hours with tickets (bit mask) and the tickets. Counted in a
/// flat array over the span of days (a BTreeMap per ticket was the slow way).
fn per_day(issued: &[i64]) -> (BTreeMap<i64, u32>, BTreeMap<i64, u64>) {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &x in issued {
        let d = time::day(x);
        lo = lo.min(d);
        hi = hi.max(d);
    }
    let mut day_hours: BTreeMap<i64, u32> = BTreeMap::new();
    let mut day_tickets: BTreeMap<i64, u64> = BTreeMap::new();
    if lo > hi {
        return (day_hours, day_tickets);
    }
    let span = (hi - lo + 1) as u64;
    if span > 1 << 22 {
        for &x in issued {
            *day_hours.entry(time::day(x)).or_default() |= 1 << time::hour(x);
            *day_tickets.entry(time::day(x)).or_default() += 1;
        }
        return (day_hours, day_tickets);
    }
    let mut flat = vec![(0u32, 0u64); span as usize];
    for &x in issued {
        let e = &mut flat[(time::day(x) - lo) as usize];
        e.0 |= 1 << time::hour(x);
        e.1 += 1;
    }
    for (k, (mask, n)) in flat.into_iter().enumerate() {
        if n > 0 {
            day_hours.insert(lo + k as i64, mask);
            day_tickets.insert(lo + k as i64, n);
        }
    }
    (day_hours, day_tickets)
}

/// The days of a set of timestamps as a span `lo..=hi` with a bit per day, for counting
/// distinct days without a tree per ticket. Spans over 2^24 days (only possible with
/// exotic `--columns` formats) fall back to a set.
#[derive(Debug, Clone)]
pub struct DaySet {
    lo: i64,
    bits: Vec<u64>,
    wide: BTreeSet<i64>,
}

/// The first and last day of the tickets' issue times.
pub fn day_span(t: &Tickets) -> Option<(i64, i64)> {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &x in &t.issued {
        let d = time::day(x);
        lo = lo.min(d);
        hi = hi.max(d);
    }
    (lo <= hi).then_some((lo, hi))
}

impl DaySet {
    pub fn new(span: Option<(i64, i64)>) -> DaySet {
        let (lo, words) = match span {
            Some((lo, hi)) if hi - lo < 1 << 24 => (lo, ((hi - lo) as usize >> 6) + 1),
            _ => (0, 0),
        };
        DaySet {
            lo,
            bits: vec![0; words],
            wide: BTreeSet::new(),
        }
    }
    pub fn insert(&mut self, day: i64) {
        let k = day.wrapping_sub(self.lo);
        if k >= 0 && ((k as usize) >> 6) < self.bits.len() {
            self.bits[(k as usize) >> 6] |= 1 << (k & 63);
        } else {
            self.wide.insert(day);
        }
    }
    pub fn len(&self) -> usize {
        self.bits
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum::<usize>()
            + self.wide.len()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The days in increasing order.
    pub fn days(&self) -> Vec<i64> {
        let mut v: Vec<i64> = Vec::with_capacity(self.len());
        for (k, &w) in self.bits.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros() as i64;
                v.push(self.lo + ((k as i64) << 6) + b);
                w &= w - 1;
            }
        }
        v.extend(self.wide.iter().copied());
        v.sort_unstable();
        v
    }
}

/// Windows (ticket-log indices) staffed in each (day, hour), each window once.
pub type Staffed = BTreeMap<(i64, u32), Vec<u32>>;

/// Staffed windows per (day, hour), the old first-call-to-last-call reading kept for the
/// formula's current callers until they switch to [`Duty`]: a window counts as staffed
/// from the hour of its first call to the hour of its last call of a session (gaps over
/// open hours are filled; a closed hour such as lunch is not). It misses idle-but-open
/// windows, spare windows and quiet hours; [`Duty::staffed`] (and
/// [`Duty::windows_by_slot`]) count them by the duty rule.
pub fn staffed_windows(t: &Tickets) -> Staffed {
    let open: u32 =
        opening_hours(t).map_or(u32::MAX, |h| h.hours.iter().fold(0, |m, h| m | (1 << h)));
    // Call hours per (window, day): a flat array over the span of call days when it is
    // small enough, else a map.
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for i in 0..t.len() {
        if t.window[i] != NONE && t.called[i] != NO_TIME {
            let d = time::day(t.called[i]);
            lo = lo.min(d);
            hi = hi.max(d);
        }
    }
    let mut out: Staffed = BTreeMap::new();
    if lo > hi {
        return out;
    }
    let nw = t.windows.len();
    let span = (hi - lo + 1) as u64;
    let mut calls: Vec<(i64, u32, u32)> = Vec::new(); // (day, window, hours)
    if span.saturating_mul(nw as u64) <= 1 << 26 {
        let span = span as usize;
        let mut flat = vec![0u32; span * nw];
        for i in 0..t.len() {
            let (w, c) = (t.window[i], t.called[i]);
            if w == NONE || c == NO_TIME {
                continue;
            }
            flat[(time::day(c) - lo) as usize * nw + w as usize] |= 1 << time::hour(c);
        }
        for (k, &mask) in flat.iter().enumerate() {
            if mask != 0 {
                calls.push((lo + (k / nw) as i64, (k % nw) as u32, mask));
            }
        }
    } else {
        let mut map: HashMap<(u32, i64), u32> = HashMap::new();
        for i in 0..t.len() {
            let (w, c) = (t.window[i], t.called[i]);
            if w == NONE || c == NO_TIME {
                continue;
            }
            *map.entry((w, time::day(c))).or_default() |= 1 << time::hour(c);
        }
        calls = map.into_iter().map(|((w, d), m)| (d, w, m)).collect();
        calls.sort_unstable();
    }
    for (day, w, mask) in calls {
        for h in 0..24u32 {
            if mask & (1 << h) == 0 {
                continue;
            }
            out.entry((day, h)).or_default().push(w);
            // Fill forward to the next call hour when every hour between is open.
            let next = (h + 1..24).find(|k| mask & (1 << k) != 0);
            if let Some(n) = next {
                if (h + 1..n).all(|k| open & (1 << k) != 0) {
                    for k in h + 1..n {
                        out.entry((day, k)).or_default().push(w);
                    }
                }
            }
        }
    }
    out
}

/// Windows on duty per (day, open hour) by the duty rule ([`Duty`], shared with the
/// replay), over the days with tickets: a window counts in an hour when it is on duty for
/// at least half of it — idle-but-open windows, spare windows and quiet hours included.
pub fn staffed_on_duty(hall: &Hall) -> Staffed {
    let t = &hall.tickets;
    let mut days = DaySet::new(day_span(t));
    t.issued.iter().for_each(|&x| days.insert(time::day(x)));
    Duty::read(hall).staffed(&days.days())
}

/// Tickets per (window, department), `[window][department]`, flat.
pub fn window_departments(t: &Tickets) -> Vec<u64> {
    let nd = t.departments.len();
    let mut n = vec![0u64; t.windows.len() * nd];
    for i in 0..t.len() {
        if t.window[i] != NONE {
            n[t.window[i] as usize * nd + t.department[i] as usize] += 1;
        }
    }
    n
}

/// The department a window serves most (ties to the lower index), if it served any.
pub fn main_department(counts: &[u64], nd: usize, w: usize) -> Option<u32> {
    counts[w * nd..(w + 1) * nd]
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .max_by_key(|(d, &n)| (n, u32::MAX - *d as u32))
        .map(|(d, _)| d as u32)
}

/// Distinct days with tickets per department.
pub fn days_per_department(t: &Tickets) -> Vec<usize> {
    let span = day_span(t);
    let mut days: Vec<DaySet> = vec![DaySet::new(span); t.departments.len()];
    for i in 0..t.len() {
        days[t.department[i] as usize].insert(time::day(t.issued[i]));
    }
    days.iter().map(DaySet::len).collect()
}

/// Mean staffed windows per hour of day, per department, over the days each department
/// has tickets: `result[dept][hour]`.
pub fn staffed_by_hour(t: &Tickets, staffed: &Staffed) -> Vec<[f64; 24]> {
    let nd = t.departments.len();
    // The department of a window: the one it serves most.
    let counts = window_departments(t);
    let main: Vec<Option<u32>> = (0..t.windows.len())
        .map(|w| main_department(&counts, nd, w))
        .collect();
    let days = days_per_department(t);
    let mut sum = vec![[0.0f64; 24]; nd];
    for ((_, h), ws) in staffed {
        for &w in ws {
            if let Some(d) = main.get(w as usize).copied().flatten() {
                sum[d as usize][*h as usize] += 1.0;
            }
        }
    }
    for (d, row) in sum.iter_mut().enumerate() {
        let n = days[d].max(1) as f64;
        for v in row.iter_mut() {
            *v /= n;
        }
    }
    sum
}
