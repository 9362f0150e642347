//! Planning slots (model.md §1): a day's opening hours cut into sessions and slots.
//!
//! A hall opens with an empty queue at the start of every *session* (a break such as
//! lunch ends one), so the transient evaluator needs to know where sessions begin and
//! end, and a slot shorter than an hour (13:30–14:00) must keep its own length: spreading
//! its arrivals over a whole hour would halve their rate and hide the queue.
//!
//! Slots are the pieces of each session cut at clock hours; a slot keeps the clock hour
//! it lies in (`hour`), which is what reports print and what ticket profiles are counted
//! by.

use std::ops::Range;

use crate::hall::{time, Tickets};

/// Minutes of day, 0..1440.
pub type MinuteOfDay = u32;

/// One planning slot: the part of one session that lies in one clock hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Slot {
    /// Clock hour the slot lies in (0–23).
    pub hour: u32,
    /// First minute of the slot (minute of day).
    pub start: MinuteOfDay,
    /// Length in minutes (1–60).
    pub minutes: u32,
    /// Index of the session the slot belongs to (0 = the first session of the day).
    pub session: usize,
}

impl Slot {
    pub fn end(&self) -> MinuteOfDay {
        self.start + self.minutes
    }
}

/// The slots of an open day, in time order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DayShape {
    pub slots: Vec<Slot>,
}

/// A gap of at least this many closed minutes separates two sessions. Shorter gaps in
/// the inferred hours are noise of a quiet quarter, not a break.
pub const MIN_BREAK_MIN: u32 = 30;

impl DayShape {
    /// From open minute ranges `[a, b)` (any order, may overlap). Ranges closer than
    /// [`MIN_BREAK_MIN`] are one session.
    pub fn from_ranges(ranges: &[(MinuteOfDay, MinuteOfDay)]) -> DayShape {
        let mut r: Vec<(u32, u32)> = ranges
            .iter()
            .map(|&(a, b)| (a.min(1440), b.min(1440)))
            .filter(|(a, b)| a < b)
            .collect();
        r.sort_unstable();
        let mut sessions: Vec<(u32, u32)> = Vec::new();
        for (a, b) in r {
            match sessions.last_mut() {
                Some(last) if a < last.1 + MIN_BREAK_MIN => last.1 = last.1.max(b),
                _ => sessions.push((a, b)),
            }
        }
        let mut slots = Vec::new();
        for (s, &(a, b)) in sessions.iter().enumerate() {
            let mut t = a;
            while t < b {
                let end = ((t / 60 + 1) * 60).min(b);
                slots.push(Slot {
                    hour: t / 60,
                    start: t,
                    minutes: end - t,
                    session: s,
                });
                t = end;
            }
        }
        DayShape { slots }
    }

    /// Whole clock hours (the shape of the old hour-slot model).
    pub fn from_hours(hours: &[u32]) -> DayShape {
        let ranges: Vec<(u32, u32)> = hours.iter().map(|&h| (h * 60, h * 60 + 60)).collect();
        // Adjacent hours form one session; a missing hour is a break.
        let mut r: Vec<(u32, u32)> = Vec::new();
        for (a, b) in ranges {
            match r.last_mut() {
                Some(last) if last.1 == a => last.1 = b,
                _ => r.push((a, b)),
            }
        }
        let mut shape = DayShape { slots: Vec::new() };
        for (s, (a, b)) in r.into_iter().enumerate() {
            let mut t = a;
            while t < b {
                shape.slots.push(Slot {
                    hour: t / 60,
                    start: t,
                    minutes: 60,
                    session: s,
                });
                t += 60;
            }
        }
        shape
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The clock hour of every slot (a 13:30–14:00 slot is hour 13).
    pub fn hours(&self) -> Vec<u32> {
        self.slots.iter().map(|s| s.hour).collect()
    }

    /// Slot lengths in minutes.
    pub fn minutes(&self) -> Vec<f64> {
        self.slots.iter().map(|s| f64::from(s.minutes)).collect()
    }

    /// The slot index ranges of each session, in time order.
    pub fn sessions(&self) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for (i, s) in self.slots.iter().enumerate() {
            match out.last_mut() {
                Some(r) if self.slots[r.start].session == s.session => r.end = i + 1,
                _ => out.push(i..i + 1),
            }
        }
        out
    }

    /// The session open spans `[start, end)` in minutes of day.
    pub fn session_spans(&self) -> Vec<(MinuteOfDay, MinuteOfDay)> {
        self.sessions()
            .into_iter()
            .map(|r| (self.slots[r.start].start, self.slots[r.end - 1].end()))
            .collect()
    }

    /// The slot a minute of day falls in; minutes outside the opening hours fold into
    /// the nearest slot (a ticket issued before the doors open joins the first).
    pub fn slot_of(&self, minute: MinuteOfDay) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mut best = (u32::MAX, 0);
        for (i, s) in self.slots.iter().enumerate() {
            if minute >= s.start && minute < s.end() {
                return Some(i);
            }
            let d = if minute < s.start {
                s.start - minute
            } else {
                minute + 1 - s.end()
            };
            if d < best.0 {
                best = (d, i);
            }
        }
        Some(best.1)
    }

    /// "09:00–12:00, 13:30–17:00".
    pub fn describe(&self) -> String {
        self.session_spans()
            .iter()
            .map(|&(a, b)| format!("{}–{}", hhmm(a), hhmm(b)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn hhmm(m: MinuteOfDay) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Resolution of inferred opening hours.
const QUARTER: u32 = 15;

/// Opening minutes inferred from the tickets at quarter-hour resolution, within the
/// open `hours` already inferred for the hall (the hour rule of `opening_hours`): a
/// quarter of an open hour is open when at least a fifth of the hall's typical quarter
/// volume is issued in it. This finds a 13:30 opening or a 16:30 closing inside an hour
/// the hour rule calls open; a lone quiet quarter between open ones stays open (a quiet
/// spell is not a break). `days` are the open days counted (tickets of other days are
/// ignored).
pub fn infer_ranges(
    t: &Tickets,
    hours: &[u32],
    is_open_day: impl Fn(i64) -> bool,
) -> Vec<(MinuteOfDay, MinuteOfDay)> {
    let mut count = [0u64; 96];
    for &x in &t.issued {
        if !is_open_day(time::day(x)) {
            continue;
        }
        let minute = (x.rem_euclid(time::DAY) / 60) as u32;
        count[(minute / QUARTER) as usize] += 1;
    }
    let in_hours: Vec<usize> = (0..96usize)
        .filter(|q| hours.contains(&((*q as u32 * QUARTER) / 60)))
        .collect();
    if in_hours.is_empty() {
        return Vec::new();
    }
    // The typical quarter: the median of the open hours' busier half.
    let mut v: Vec<u64> = in_hours.iter().map(|&q| count[q]).collect();
    v.sort_unstable();
    let typical = v[(v.len() * 3) / 4];
    let mut open: Vec<bool> = (0..96usize)
        .map(|q| in_hours.contains(&q) && count[q] * 5 >= typical && count[q] > 0)
        .collect();
    // A lone closed quarter between open quarters is noise.
    for q in 1..95 {
        if !open[q] && open[q - 1] && open[q + 1] {
            open[q] = true;
        }
    }
    let mut ranges = Vec::new();
    let mut q = 0;
    while q < 96 {
        if open[q] {
            let start = q;
            while q < 96 && open[q] {
                q += 1;
            }
            ranges.push((start as u32 * QUARTER, q as u32 * QUARTER));
        } else {
            q += 1;
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lunch_break_splits_the_day_into_two_sessions_and_a_half_hour_keeps_its_length() {
        let d = DayShape::from_ranges(&[(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60)]);
        assert_eq!(d.hours(), vec![9, 10, 11, 13, 14, 15, 16]);
        assert_eq!(d.minutes(), vec![60.0, 60.0, 60.0, 30.0, 60.0, 60.0, 60.0]);
        assert_eq!(d.sessions(), vec![0..3, 3..7]);
        assert_eq!(d.describe(), "09:00–12:00, 13:30–17:00");
    }

    #[test]
    fn a_short_gap_is_not_a_break() {
        let d = DayShape::from_ranges(&[(9 * 60, 10 * 60), (10 * 60 + 15, 11 * 60)]);
        assert_eq!(d.sessions().len(), 1);
        assert_eq!(d.describe(), "09:00–11:00");
    }

    #[test]
    fn whole_hours_with_a_missing_hour_make_two_sessions() {
        let d = DayShape::from_hours(&[9, 10, 11, 13, 14]);
        assert_eq!(d.sessions(), vec![0..3, 3..5]);
        assert!(d.slots.iter().all(|s| s.minutes == 60));
    }

    #[test]
    fn minutes_outside_the_hours_fold_into_the_nearest_slot() {
        let d = DayShape::from_ranges(&[(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60)]);
        assert_eq!(d.slot_of(8 * 60 + 50), Some(0));
        assert_eq!(d.slot_of(13 * 60 + 40), Some(3));
        assert_eq!(d.slot_of(12 * 60 + 10), Some(2));
        assert_eq!(d.slot_of(13 * 60 + 20), Some(3));
        assert_eq!(d.slot_of(17 * 60 + 30), Some(6));
    }
}
