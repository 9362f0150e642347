//! The trace replay of today's hall must give back the waits its tickets show where the
//! hall was first-come-first-served (model.md §6–§7): on the bundled sample, and on a
//! hall built here with its own habits (a late shift, a tea break, lunch at 12:00–13:00,
//! after-call work, no-shows that hold the window, impatient visitors, ties to the lowest
//! window) that the replay code never saw.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use hallplan::hall::{Hall, Status};
use hallplan::ingest::{self, LoadOptions, Needs};
use hallplan::simulate::trace;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn load(dir: &Path) -> Hall {
    let opts = LoadOptions {
        needs: Needs::TRACE,
        ..LoadOptions::default()
    };
    ingest::load(Some(dir), &opts).expect("the hall loads").hall
}

/// Observed mean wait (minutes) of served tickets per department, from the tickets.
fn observed(hall: &Hall) -> BTreeMap<String, f64> {
    let t = &hall.tickets;
    let mut acc: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    for i in 0..t.len() {
        if t.status[i] == Status::Served {
            if let Some(w) = t.wait_min(i) {
                let e = acc
                    .entry(t.departments.name(t.department[i]).to_string())
                    .or_default();
                e.0 += w;
                e.1 += 1;
            }
        }
    }
    acc.into_iter()
        .map(|(d, (s, n))| (d, s / n as f64))
        .collect()
}

/// Relative error of the replay's mean wait per department.
fn replay_errors(hall: &Hall) -> Vec<(String, f64, f64, f64)> {
    let sim = trace::replay(hall, None, 1).expect("replay runs");
    let obs = observed(hall);
    sim.departments
        .iter()
        .filter_map(|d| {
            let o = *obs.get(&d.name)?;
            Some((d.name.clone(), o, d.mean_wait, d.mean_wait / o - 1.0))
        })
        .collect()
}

fn assert_within(errors: &[(String, f64, f64, f64)], tolerance: f64) {
    for (d, o, s, e) in errors {
        println!(
            "{d}: observed {o:.3} min, replay {s:.3} min, error {:+.2} %",
            e * 100.0
        );
    }
    let bad: Vec<_> = errors.iter().filter(|e| e.3.abs() > tolerance).collect();
    assert!(bad.is_empty(), "replay error above {tolerance}: {bad:?}");
}

#[test]
fn replaying_the_bundled_sample_gives_back_its_waits() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/binjiang");
    let hall = load(&dir);
    let errors = replay_errors(&hall);
    assert_eq!(errors.len(), 21, "{errors:?}");
    // Exact but for the sample's deliberately dirty rows (duplicated tickets with a
    // skewed clock): every department within 1 %, most exactly.
    assert_within(&errors, 0.01);
    // The pools of today's hall are its departments here: the same waits per pool, and
    // no pool waits for days (a no-show called last is still called that day).
    let sim = trace::replay(&hall, None, 1).expect("replay runs");
    let obs = observed(&hall);
    for p in &sim.pools {
        assert!(p.max_wait < 120.0, "{}: max wait {}", p.name, p.max_wait);
        // The fallback pool is the department 综合窗口.
        let name = if p.name.contains("fallback") {
            "综合窗口"
        } else {
            &p.name
        };
        let o = obs[name];
        let e = p.mean_wait / o - 1.0;
        assert!(e.abs() <= 0.01, "{}: {o} vs {}", p.name, p.mean_wait);
    }
    let exact = errors.iter().filter(|e| e.3.abs() < 0.001).count();
    assert!(exact >= 15, "only {exact} departments reproduced exactly");
}

// ----------------------------------------------------------------------------------------
// A hall generated here
// ----------------------------------------------------------------------------------------

/// Seconds since midnight.
const fn hm(h: i64, m: i64) -> i64 {
    h * 3600 + m * 60
}

struct Clerk {
    /// Working intervals of the day.
    shifts: Vec<(i64, i64)>,
}

/// Earliest call at or after `t` inside a shift; a clerk at work at closing (17:00) or at
/// lunch (12:00) finishes the tickets of that session in overtime.
fn earliest(c: &Clerk, t: i64, close: i64) -> Option<i64> {
    for &(a, b) in &c.shifts {
        if t < b {
            return Some(t.max(a));
        }
        if b == close {
            return Some(t);
        }
    }
    None
}

struct Row {
    id: String,
    issued: i64,
    called: Option<i64>,
    finished: Option<i64>,
    window: String,
    dept: &'static str,
    status: &'static str,
}

/// One department's FCFS day: arrivals at `rate` per hour (9:00–12:00, 13:00–17:00),
/// gamma-ish handling times, 25 s after-call work, 3 % no-shows holding the window 45 s,
/// 5 % visitors who leave after 2–12 min, calls going to the lowest free window.
fn department_day(
    rng: &mut ChaCha8Rng,
    dept: &'static str,
    prefix: &str,
    clerks: &[Clerk],
    rate: f64,
    mean_s: f64,
    rows: &mut Vec<Row>,
) {
    let mut t = hm(8, 50) as f64;
    let mut arrivals = Vec::new();
    loop {
        t += -(1.0 - rng.random::<f64>()).ln() * 3600.0 / rate;
        if t >= hm(17, 0) as f64 {
            break;
        }
        let s = t as i64;
        if (hm(12, 0)..hm(12, 50)).contains(&s) {
            continue; // the doors are shut over lunch but for the last ten minutes
        }
        arrivals.push(s);
    }
    let mut free: Vec<i64> = vec![0; clerks.len()];
    for (n, &issued) in arrivals.iter().enumerate() {
        let (ready, close) = if issued < hm(12, 0) {
            (issued.max(hm(9, 0)), hm(12, 0))
        } else {
            (issued.max(hm(13, 0)), hm(17, 0))
        };
        let best = clerks
            .iter()
            .enumerate()
            .filter_map(|(w, c)| earliest(c, free[w].max(ready), close).map(|s| (s, w)))
            .min();
        let service = (mean_s * (0.3 + 1.4 * rng.random::<f64>()) + 30.0) as i64;
        let no_show = rng.random_bool(0.03);
        let patience = rng.random_bool(0.05).then(|| rng.random_range(120..720));
        let id = format!("{prefix}{:04}", n + 1);
        let Some((called, w)) = best else { continue };
        let mut row = Row {
            id,
            issued,
            called: None,
            finished: None,
            window: String::new(),
            dept,
            status: "cancelled",
        };
        if patience.is_some_and(|p| called - issued > p) {
            rows.push(row);
            continue;
        }
        row.called = Some(called);
        row.window = format!("{prefix}{:02}", w + 1);
        if no_show {
            row.status = "no_show";
            free[w] = called + 45;
        } else {
            row.status = "served";
            row.finished = Some(called + service);
            free[w] = called + service + 25;
        }
        rows.push(row);
    }
}

fn stamp(day: &str, s: i64) -> String {
    format!("{day} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn generated_hall(dir: &Path) {
    std::fs::create_dir_all(dir).expect("temp dir");
    let full = || Clerk {
        shifts: vec![(hm(9, 0), hm(12, 0)), (hm(13, 0), hm(17, 0))],
    };
    let small = [full(), full(), full()];
    let big = [
        full(),
        full(),
        // A tea break from 15:00 to 15:20.
        Clerk {
            shifts: vec![
                (hm(9, 0), hm(12, 0)),
                (hm(13, 0), hm(15, 0)),
                (hm(15, 20), hm(17, 0)),
            ],
        },
        // Starts late, leaves early.
        Clerk {
            shifts: vec![(hm(10, 30), hm(12, 0)), (hm(13, 0), hm(16, 0))],
        },
        // Mornings only.
        Clerk {
            shifts: vec![(hm(9, 0), hm(12, 0))],
        },
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut rows = Vec::new();
    let days = [
        "2023-03-06",
        "2023-03-07",
        "2023-03-08",
        "2023-03-09",
        "2023-03-10",
    ];
    let mut out = Vec::new();
    for day in days {
        rows.clear();
        department_day(&mut rng, "车管所", "V", &big, 26.0, 600.0, &mut rows);
        department_day(&mut rng, "档案馆", "R", &small, 14.0, 600.0, &mut rows);
        rows.sort_by_key(|r| (r.issued, r.id.clone()));
        for r in &rows {
            out.push(format!(
                "{},{},{},{},{},{},{}",
                r.id,
                stamp(day, r.issued),
                r.called.map(|c| stamp(day, c)).unwrap_or_default(),
                r.finished.map(|c| stamp(day, c)).unwrap_or_default(),
                r.window,
                r.dept,
                r.status
            ));
        }
    }
    let mut f = std::fs::File::create(dir.join("tickets.csv")).expect("tickets.csv");
    writeln!(
        f,
        "ticket_id,issued_at,called_at,finished_at,window_id,department,status"
    )
    .expect("write");
    for l in out {
        writeln!(f, "{l}").expect("write");
    }
    let mut w = std::fs::File::create(dir.join("windows.csv")).expect("windows.csv");
    writeln!(w, "window_id,department").expect("write");
    for k in 1..=5 {
        writeln!(w, "V{k:02},车管所").expect("write");
    }
    for k in 1..=3 {
        writeln!(w, "R{k:02},档案馆").expect("write");
    }
}

#[test]
fn replaying_a_hall_with_its_own_shifts_breaks_and_after_call_work_gives_back_its_waits() {
    let tmp = tempfile::tempdir().expect("temp dir");
    generated_hall(tmp.path());
    let hall = load(tmp.path());
    let errors = replay_errors(&hall);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().all(|e| e.1 > 1.0),
        "the hall must queue: {errors:?}"
    );
    // First-come-first-served with every habit read from the log: exact.
    assert_within(&errors, 0.001);
}

/// Little's law on every pool of today's replay: the time-average number waiting equals
/// the arrival rate times the mean time in queue (abandoners included), over a window
/// that holds every wait.
#[test]
fn littles_law_holds_on_every_pool_of_the_replay() {
    use hallplan::simulate::engine::run_rostered;
    use hallplan::simulate::stats::littles_law;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/binjiang");
    let hall = load(&dir);
    let mut out = Vec::new();
    for p in trace::today_pools(&hall) {
        run_rostered(&p.customers, &p.off, Some(&p.preferred), &mut out).expect("runs");
        let (Some(first), Some(last)) = (p.customers.first(), p.customers.last()) else {
            continue;
        };
        let check = littles_law(&p.customers, &out, first.arrival, last.arrival + 86_400.0);
        let lw = check.arrival_rate * check.mean_time_in_queue;
        assert!(check.arrivals > 0, "{}", p.name);
        assert!(
            (check.queue_length - lw).abs() <= 1e-9 * lw.max(1.0),
            "{}: L = {} vs λW = {lw}",
            p.name,
            check.queue_length
        );
    }
}
