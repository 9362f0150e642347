//! The roster pass of the duty rule (`super::duty`): a clerk's shift repeats from day to
//! day, so where one day's log is silent about a window the other days decide. Kept apart
//! from `duty.rs` (which reads the log into on-duty spans) because it works on the spans
//! alone, window by window.

use std::collections::BTreeMap;

use super::blocks::{merge, subtract};
use crate::hall::time;

/// Half hours, the grain of the roster pass ([`rosters`]).
pub(super) const HALF_HOUR_S: i64 = 1800;

/// A clerk's roster repeats from day to day (a shift that starts at 10:00, leaves at
/// 16:00), but on a quiet day the log cannot show it: a window away while nobody needed
/// it looks like a spare on duty. So where a day is silent about a window in a half hour
/// of the day (on duty by the rules above, no call), the other days decide: when at least
/// [`ROSTER_MIN_DAYS`] days show it away in that half hour (off duty for at least half of
/// it) and they outnumber the days on which it called anyone then, it is away on the
/// silent days too. A call always proves presence; a spare that serves only now and then
/// is never shown away (nobody waits while it idles), so it stays on duty. `by_day`: the
/// window's working days, each with its half hours with a call.
pub(super) fn rosters(on: &mut Vec<(i64, i64)>, by_day: &BTreeMap<i64, u64>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_proves_presence_and_two_days_away_make_a_roster() {
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
}
