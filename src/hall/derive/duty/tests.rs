//! Tests of the duty rule: who is on duty when, read from the log.

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
