use std::collections::BTreeMap;

use super::*;
use crate::hall::{Tickets, NO_TIME};
use rand::Rng;

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
    let by_day = replay_in_blocks(&hall, None, 1, 0.0, false).expect("replays");
    let whole = replay_in_blocks(&hall, None, 1, 0.0, true).expect("replays");
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
        json(&replay_in_blocks(&hall, None, 1, 0.0, false).expect("replays")),
        json(&replay_in_blocks(&hall, None, 1, 0.0, true).expect("replays"))
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
        json(&replay_in_blocks(&shuffled, None, 1, 0.0, false).expect("replays")),
        json(&replay_in_blocks(&shuffled, None, 1, 0.0, true).expect("replays"))
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

// ---------------------------------------------------------------------------------------
// The replay rules of model.md §7, on small logs written here.

use crate::hall::{TicketRow, Window, WindowKind};

const MIN: i64 = 60;
const HOUR: i64 = 3600;

/// Monday 2024-06-03, 00:00, plus `d` days.
fn midnight(d: i64) -> i64 {
    (time::days_from_civil(2024, 6, 3) + d) * time::DAY
}

fn window(id: &str, department: &str, staff: u32) -> Window {
    Window {
        id: id.into(),
        department: department.into(),
        staff,
        kind: WindowKind::Department,
        merge_group: None,
        locked: false,
    }
}

/// One row of a log: issued, called, finished (`NO_TIME` where absent), window.
struct Row<'a> {
    issued: i64,
    called: i64,
    finished: i64,
    window: Option<&'a str>,
    department: &'a str,
    status: Status,
}

fn served<'a>(department: &'a str, w: &'a str, issued: i64, called: i64, finished: i64) -> Row<'a> {
    Row {
        issued,
        called,
        finished,
        window: Some(w),
        department,
        status: Status::Served,
    }
}

fn cancelled(department: &str, issued: i64) -> Row<'_> {
    Row {
        issued,
        called: NO_TIME,
        finished: NO_TIME,
        window: None,
        department,
        status: Status::Cancelled,
    }
}

fn hall_of(windows: Vec<Window>, mut rows: Vec<Row<'_>>) -> Hall {
    rows.sort_by_key(|r| r.issued);
    let mut tickets = Tickets::default();
    for r in &rows {
        tickets.push(TicketRow {
            issued: r.issued,
            called: r.called,
            finished: r.finished,
            window: r.window,
            department: r.department,
            matter: None,
            status: r.status,
        });
    }
    Hall {
        windows,
        tickets,
        ..Hall::default()
    }
}

/// Mean observed wait (minutes) per department of served tickets, by name.
fn observed(hall: &Hall) -> BTreeMap<String, f64> {
    let t = &hall.tickets;
    let mut acc: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for i in 0..t.len() {
        if t.status[i] == Status::Served {
            let e = acc
                .entry(t.departments.name(t.department[i]).to_string())
                .or_default();
            e.0 += t.wait_min(i).expect("served tickets were called");
            e.1 += 1;
        }
    }
    acc.into_iter()
        .map(|(d, (s, n))| (d, s / n as f64))
        .collect()
}

fn replayed(hall: &Hall) -> BTreeMap<String, f64> {
    let r = replay(hall, None, 1).expect("replays");
    r.departments
        .iter()
        .map(|g| (g.name.clone(), g.mean_wait))
        .collect()
}

/// A full day of background tickets so that the opening hours read from the log are
/// 09–12 and 13–17 on every day of `days` (one quick ticket at :05 of each open hour at
/// window `w` of department `d`).
fn background<'a>(d: &'a str, w: &'a str, days: &[i64]) -> Vec<Row<'a>> {
    let mut rows = Vec::new();
    for &day in days {
        for h in [9, 10, 11, 13, 14, 15, 16] {
            let at = midnight(day) + h * HOUR + 5 * MIN;
            rows.push(served(d, w, at, at, at + MIN));
        }
    }
    rows
}

#[test]
fn a_window_with_two_staff_and_back_to_back_services_is_one_server() {
    // Window A has two clerks on the inventory, but the log never shows two services at
    // once there: one server. The second visitor waited 9 minutes for the first to finish,
    // and so she does in the replay (two servers would have served her at once).
    let t0 = midnight(0) + 10 * HOUR + 10 * MIN;
    let mut rows = background("D", "A", &[0]);
    rows.push(served("D", "A", t0, t0, t0 + 10 * MIN));
    rows.push(served("D", "A", t0 + MIN, t0 + 10 * MIN, t0 + 20 * MIN));
    let hall = hall_of(vec![window("A", "D", 2)], rows);
    let r = replay(&hall, None, 1).expect("replays");
    assert!(
        (r.hall.max_wait - 9.0).abs() < 1e-9,
        "max {} min",
        r.hall.max_wait
    );
    let want = observed(&hall);
    assert!(
        (r.departments[0].mean_wait - want["D"]).abs() < 1e-9,
        "{want:?}"
    );
}

#[test]
fn a_window_the_log_shows_serving_two_at_once_has_two_servers() {
    // Window A serves two visitors at once all morning (two clerks, one desk number):
    // two servers; a one-server replay would make the second of each pair wait.
    let mut rows = background("D", "B", &[0]);
    for k in 0..12 {
        let at = midnight(0) + 9 * HOUR + 20 * MIN + k * 12 * MIN;
        rows.push(served("D", "A", at, at, at + 10 * MIN));
        rows.push(served("D", "A", at + 30, at + 30, at + 10 * MIN));
    }
    let hall = hall_of(vec![window("A", "D", 2), window("B", "D", 1)], rows);
    let blocks = Blocks::cut(&hall.tickets, false);
    let today = Today::read(&hall, &blocks);
    let a = hall.tickets.windows.get("A").expect("A served");
    assert_eq!(today.servers[a as usize], 2);
    assert!((replayed(&hall)["D"] - observed(&hall)["D"]).abs() < 1e-9);
}

#[test]
fn tickets_issued_in_the_same_second_queue_in_the_order_the_log_called_them() {
    // A clock in whole seconds: X and Y are issued at the same second while window A is
    // busy, X listed first. The log called Y first (she was first in the queue, by a
    // fraction of a second). Replaying in list order would serve X's 10 minutes first and
    // make Y wait 15 minutes instead of 5; the call order is the queue order.
    let t0 = midnight(0) + 10 * HOUR + 10 * MIN;
    let mut rows = background("D", "A", &[0]);
    rows.push(served("D", "A", t0 - MIN, t0 - MIN, t0 + 5 * MIN));
    rows.push(served("D", "A", t0, t0 + 7 * MIN, t0 + 17 * MIN)); // X
    rows.push(served("D", "A", t0, t0 + 5 * MIN, t0 + 7 * MIN)); // Y
    let hall = hall_of(vec![window("A", "D", 1)], rows);
    let x = (0..hall.tickets.len())
        .find(|&i| hall.tickets.issued[i] == t0)
        .expect("X in the log");
    assert_eq!(hall.tickets.called[x], t0 + 7 * MIN, "X is listed first");
    let r = replay(&hall, None, 1).expect("replays");
    assert!((r.departments[0].mean_wait - observed(&hall)["D"]).abs() < 1e-9);
    assert!(
        (r.hall.max_wait - 7.0).abs() < 1e-9,
        "max {}",
        r.hall.max_wait
    );
}

#[test]
fn a_cancelled_ticket_never_delays_anyone() {
    // One window. A visitor takes a ticket at 10:10 and leaves at once (no cancel time);
    // the next visitor, ten seconds later, is called at once. The cancelled ticket must not
    // be served as phantom load ahead of her: her wait stays zero, and the cancelled
    // ticket is counted as abandoned, never served.
    let t0 = midnight(0) + 10 * HOUR + 10 * MIN;
    let mut rows = background("D", "A", &[0]);
    rows.push(cancelled("D", t0));
    rows.push(served("D", "A", t0 + 10, t0 + 10, t0 + 15 * MIN));
    rows.push(cancelled("D", t0 + 5 * MIN));
    rows.push(served("D", "A", t0 + 6 * MIN, t0 + 15 * MIN, t0 + 25 * MIN));
    let hall = hall_of(vec![window("A", "D", 1)], rows);
    let r = replay(&hall, None, 1).expect("replays");
    let d = &r.departments[0];
    assert_eq!(d.abandoned, 2, "both cancelled tickets leave");
    assert_eq!(d.served, hall.tickets.len() - 2);
    assert!((d.mean_wait - observed(&hall)["D"]).abs() < 1e-9);
    assert!(d.max_wait <= 9.0 + 1e-9, "max wait {} min", d.max_wait);
}

#[test]
fn a_late_ticket_issued_before_closing_waits_minutes_not_a_weekend() {
    // Friday: window A's last logged service ends at 16:50. A ticket issued at 16:58 was
    // called at once, but the log lost the window that called it. Window A is on duty
    // until its session has drained (it was never idle while anyone waited), so the
    // replay serves the late ticket at once — not on Monday morning, 64 hours later.
    let friday = 4;
    let mut rows = background("D", "A", &[friday, friday + 3]);
    let late = midnight(friday) + 16 * HOUR + 58 * MIN;
    rows.push(served(
        "D",
        "A",
        late - 10 * MIN,
        late - 10 * MIN,
        late - 8 * MIN,
    ));
    rows.push(Row {
        window: None,
        ..served("D", "A", late, late, late + 6 * MIN)
    });
    let hall = hall_of(vec![window("A", "D", 1)], rows);
    let r = replay(&hall, None, 1).expect("replays");
    assert!(r.hall.max_wait < 10.0, "max wait {} min", r.hall.max_wait);
    assert!((r.departments[0].mean_wait - observed(&hall)["D"]).abs() < 1e-9);
}

/// issued, called, finished, window, department, status.
type OwnedRow<'a> = (i64, i64, i64, Option<String>, &'a str, Status);

/// An independent first-come-first-served hall, simulated here: per department, windows
/// numbered from 1 with one server each whatever their `staff`; the lowest-numbered idle
/// window on duty serves; each window has an on-duty interval per session (shifts: in at
/// 10:00, gone at 16:00); sessions 09:00–12:00 and 13:30–17:00 start empty, tickets are
/// issued only until closing, and windows on duty at closing stay until the queue has
/// drained; a cancelled ticket is a visitor who leaves at once. Whole seconds.
fn fcfs_hall(seed: u64) -> Hall {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // (department, windows, staff of each, arrivals per hour, mean handling min)
    let departments: [(&str, usize, u32, f64, f64); 3] = [
        ("人社局", 4, 2, 20.0, 9.0),
        ("税务局", 3, 1, 14.0, 10.0),
        ("民政局", 1, 2, 4.0, 12.0),
    ];
    let sessions = [(9 * HOUR, 12 * HOUR), (13 * HOUR + 30 * MIN, 17 * HOUR)];
    let mut windows = Vec::new();
    let mut rows: Vec<OwnedRow<'_>> = Vec::new();
    for &(dept, n, staff, rate, handle) in &departments {
        let ids: Vec<String> = (1..=n).map(|k| format!("{dept}{k:02}")).collect();
        for id in &ids {
            windows.push(window(id, dept, staff));
        }
        // Six weekdays: Monday to Friday and the next Monday (a weekend between).
        for day in [0, 1, 2, 3, 4, 7] {
            for (s, &(open, close)) in sessions.iter().enumerate() {
                let base = midnight(day);
                // Per window: on duty [from, to); to = ∞ stays until the queue drains.
                let roster: Vec<(i64, i64)> = (0..n)
                    .map(|k| match (k, s) {
                        // The second window comes at 10:00 on mornings.
                        (1, 0) => (base + 10 * HOUR, i64::MAX),
                        // The third leaves at 16:00 on afternoons.
                        (2, 1) => (base + open, base + 16 * HOUR),
                        _ => (base + open, i64::MAX),
                    })
                    .collect();
                let mut free = vec![i64::MIN; n];
                let mut at = (base + open) as f64;
                loop {
                    at += -(1.0 - rng.random::<f64>()).ln() * 3600.0 / rate;
                    let issued = at.round() as i64;
                    if issued >= base + close {
                        break;
                    }
                    if rng.random_bool(0.08) {
                        rows.push((issued, NO_TIME, NO_TIME, None, dept, Status::Cancelled));
                        continue;
                    }
                    // Gamma-ish handling: the sum of two exponentials.
                    let u1: f64 = rng.random();
                    let u2: f64 = rng.random();
                    let service = (0.5 * handle * 60.0 * (-(1.0 - u1).ln() - (1.0 - u2).ln()))
                        .round()
                        .max(30.0) as i64;
                    // The earliest start over windows on duty; ties to the lowest number.
                    let mut best: Option<(i64, usize)> = None;
                    for k in 0..n {
                        let start = free[k].max(issued).max(roster[k].0);
                        if start >= roster[k].1 {
                            continue;
                        }
                        if best.is_none_or(|(b, _)| start < b) {
                            best = Some((start, k));
                        }
                    }
                    let (start, k) = best.expect("some window drains the queue");
                    free[k] = start + service;
                    let no_show = rng.random_bool(0.03);
                    rows.push((
                        issued,
                        start,
                        if no_show { start } else { start + service },
                        Some(ids[k].clone()),
                        dept,
                        if no_show {
                            Status::NoShow
                        } else {
                            Status::Served
                        },
                    ));
                    if no_show {
                        free[k] = start;
                    }
                }
            }
        }
    }
    rows.sort_by_key(|r| r.0);
    let rows: Vec<Row<'_>> = rows
        .iter()
        .map(|r| Row {
            issued: r.0,
            called: r.1,
            finished: r.2,
            window: r.3.as_deref(),
            department: r.4,
            status: r.5,
        })
        .collect();
    hall_of(windows, rows)
}

#[test]
fn todays_replay_of_a_fcfs_log_reproduces_its_observed_waits_exactly() {
    // Two-staff windows with one server, cancellations that leave at once, a spare
    // window (the fourth of 人社局) that serves only when the three below it are busy, a
    // window that starts at 10:00 and one that leaves at 16:00, lunch, a weekend, queues
    // drained after closing: every rule of model.md §7 at work.
    for seed in [1, 2, 3] {
        let hall = fcfs_hall(seed);
        let want = observed(&hall);
        let r = replay(&hall, None, 1).expect("replays");
        for g in &r.departments {
            let w = want[&g.name];
            assert!(
                (g.mean_wait - w).abs() < 1e-9,
                "seed {seed}, {}: replay {} vs observed {w}",
                g.name,
                g.mean_wait
            );
        }
        let t = &hall.tickets;
        let cancelled = t.status.iter().filter(|s| **s == Status::Cancelled).count();
        assert_eq!(r.hall.abandoned, cancelled, "seed {seed}");
        assert_eq!(r.hall.unserved, 0, "seed {seed}");
        let max_observed = (0..t.len())
            .filter(|&i| t.status[i] == Status::Served)
            .filter_map(|i| t.wait_min(i))
            .fold(0.0, f64::max);
        assert!((r.hall.max_wait - max_observed).abs() < 1e-9, "seed {seed}");
    }
}

#[test]
fn a_demand_change_replays_the_same_day_by_day_as_the_whole_log_at_once() {
    // The added tickets and the thinning draw from the seed alone, not from the blocks.
    let hall = sample();
    for dc in [0.2, -0.4] {
        let by_day = replay_in_blocks(&hall, None, 7, dc, false).expect("replays");
        let whole = replay_in_blocks(&hall, None, 7, dc, true).expect("replays");
        assert_eq!(json(&by_day), json(&whole), "demand change {dc}");
    }
}

#[test]
fn a_growth_adds_copies_of_tickets_of_the_same_weekday_and_hour_of_other_days() {
    let hall = sample();
    let t = &hall.tickets;
    let blocks = Blocks::cut(t, true);
    let today = Today::read(&hall, &blocks);
    let g = Growth::new(t, &blocks, &today, 0.2, 3);
    let ratio = g.len() as f64 / t.len() as f64;
    // Stochastic rounding per (day, hour): the sum is within a few tickets of 20 %.
    assert!((ratio - 0.2).abs() < 0.005, "added {ratio}");
    let (mut tickets, mut jobs, mut draws) = (Vec::new(), Vec::new(), Vec::new());
    blocks.tickets(0, &mut tickets);
    let n = tickets.len();
    draws.extend_from_slice(&tickets);
    g.extend(t, &today, &mut tickets, &mut jobs, &mut draws);
    assert_eq!(tickets.len() - n, g.len());
    for j in &jobs {
        let donor = tickets[j.pos];
        let at = j.arrival as i64;
        assert_eq!(time::weekday(at), time::weekday(t.issued[donor]));
        assert_eq!(time::hour(at), time::hour(t.issued[donor]));
        assert_ne!(
            time::day(at),
            time::day(t.issued[donor]),
            "another day's ticket"
        );
        assert_eq!(j.pool, today.pool_of(t, donor));
    }
}

#[test]
fn the_tickets_of_a_general_matter_are_served_at_the_fallback_windows_more_slowly() {
    use crate::model::{Calibration, Channel, Policy};
    use crate::plan::{Objective, PlanPoolKind};
    let hall = sample();
    let policy = Policy {
        calibration: Calibration::Ratio,
        ..Policy::default()
    };
    let run = crate::optimise::formula_plan(&hall, &policy, Objective::FewestWindows)
        .expect("the sample plans");
    let mut plan = run.plan;
    let general: std::collections::BTreeSet<String> = plan
        .matters
        .iter()
        .filter(|m| m.channel == Channel::General)
        .map(|m| m.matter_id.clone())
        .collect();
    assert!(
        !general.is_empty(),
        "the sample's plan uses comprehensive windows"
    );
    for m in &hall.matters {
        assert!(
            !(m.specialist && general.contains(&m.id)),
            "specialist matter {} at a comprehensive window",
            m.id
        );
    }
    let fallback = plan
        .pools
        .iter()
        .position(|p| p.kind == PlanPoolKind::Fallback)
        .expect("a fallback pool");
    let slow = super::routing::plan_jobs(&hall, &plan, 5).expect("routes");
    plan.policy.general_slowdown = 0.0;
    let plain = super::routing::plan_jobs(&hall, &plan, 5).expect("routes");
    assert_eq!(slow.len(), plain.len(), "the same tickets, the same draws");
    let t = &hall.tickets;
    let mut seen = 0;
    for ((p, i, c), (q, j, d)) in slow.iter().zip(&plain) {
        assert_eq!((p, i), (q, j));
        let matter = t.matter[*i];
        let is_general = matter != crate::hall::NONE && general.contains(t.matters.name(matter));
        if is_general {
            seen += 1;
            assert_eq!(*p, fallback, "ticket {i} of a general matter");
            assert!((c.service - 1.15 * d.service).abs() < 1e-6, "ticket {i}");
        } else {
            assert_eq!(c.service, d.service, "ticket {i}");
        }
    }
    assert!(seen > 100, "{seen} tickets of general matters");
}
