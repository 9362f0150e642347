//! The sample is what its README says: both halls, their sizes, the waits of the
//! article, determinism in the seed.

use super::catalogue::*;
use super::days::*;
use super::render::*;
use super::*;
use chrono::{Datelike, Weekday};
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn files() -> &'static [SampleFile] {
    static FILES: OnceLock<Vec<SampleFile>> = OnceLock::new();
    FILES.get_or_init(|| generate(DEFAULT_SEED))
}

fn built() -> &'static Generated {
    static BUILT: OnceLock<Generated> = OnceLock::new();
    BUILT.get_or_init(|| build(DEFAULT_SEED))
}

fn file(path: &str) -> &'static [u8] {
    files()
        .iter()
        .find(|f| f.path == path)
        .map(|f| f.bytes.as_slice())
        .unwrap_or_else(|| panic!("{path} not generated"))
}

fn records(path: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(file(path))
        .records()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn dept_of(name: &str) -> usize {
    DEPTS
        .iter()
        .position(|d| d.name == name)
        .unwrap_or_else(|| panic!("no department {name}"))
}

/// Mean wait (minutes) over called tickets, per department index.
fn mean_waits(tickets: &[Ticket]) -> BTreeMap<usize, f64> {
    let mut acc: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
    for t in tickets {
        if let Some(c) = t.called() {
            let e = acc.entry(t.dept).or_insert((0.0, 0));
            e.0 += (c - t.issued) as f64 / 60.0;
            e.1 += 1;
        }
    }
    acc.into_iter()
        .map(|(k, (s, n))| (k, s / n as f64))
        .collect()
}

#[test]
fn same_seed_same_bytes_other_seed_other_tickets() {
    let again = generate(DEFAULT_SEED);
    assert_eq!(again.len(), files().len());
    for (a, b) in again.iter().zip(files()) {
        assert_eq!(a.path, b.path);
        assert!(a.bytes == b.bytes, "{} differs between two runs", a.path);
    }
    let other = generate(DEFAULT_SEED + 1);
    let tickets = |fs: &[SampleFile]| {
        fs.iter()
            .find(|f| f.path == "binjiang/tickets.csv")
            .map(|f| f.bytes.clone())
    };
    assert_ne!(tickets(&other), tickets(files()));
}

#[test]
fn files_are_utf8_without_bom_with_lf_line_ends() {
    assert_eq!(files().len(), 7);
    for f in files() {
        let text = std::str::from_utf8(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.path));
        assert!(!text.starts_with('\u{feff}'), "{} has a BOM", f.path);
        assert!(!text.contains('\r'), "{} has CR line ends", f.path);
        assert!(text.ends_with('\n'), "{} lacks a final newline", f.path);
    }
    let header = |p: &str| {
        file(p)
            .split(|&b| b == b'\n')
            .next()
            .map(|h| String::from_utf8_lossy(h).into_owned())
    };
    assert_eq!(
        header("binjiang/windows.csv").as_deref(),
        Some("window_id,department,staff,kind,merge_group,locked")
    );
    assert_eq!(
        header("binjiang/tickets.csv").as_deref(),
        Some("ticket_id,issued_at,called_at,finished_at,window_id,department,matter_id,status")
    );
    assert_eq!(
        header("binjiang/footfall.csv").as_deref(),
        Some("timestamp,count")
    );
}

#[test]
fn ninety_three_windows_before_and_forty_six_after() {
    let before = records("binjiang/windows.csv");
    let after = records("binjiang-after/windows.csv");
    assert_eq!(before.len(), 93);
    assert_eq!(after.len(), 46);
    for rows in [&before, &after] {
        let ids: BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(ids.len(), rows.len(), "window ids are unique");
    }
    let group = |rows: &[csv::StringRecord], kind: &str| {
        rows.iter()
            .filter(|r| &r[4] == SETUP_GROUP && (kind.is_empty() || &r[3] == kind))
            .count()
    };
    assert_eq!(group(&before, ""), 17);
    assert_eq!(group(&after, "joint"), 7);
    assert_eq!(group(&after, ""), 7);
    let set_up_depts: BTreeSet<&str> = before
        .iter()
        .filter(|r| &r[4] == SETUP_GROUP)
        .map(|r| &r[1])
        .collect();
    assert_eq!(
        set_up_depts,
        BTreeSet::from(["市场监管局", "商务局", "税务局"])
    );
    assert_eq!(before.iter().filter(|r| &r[5] == "true").count(), 2);
    assert!(before.iter().filter(|r| &r[3] == "fallback").count() >= 1);
    assert!(after.iter().filter(|r| &r[3] == "fallback").count() >= 5);
}

#[test]
fn about_150_matters_each_with_a_window() {
    for def in MATTERS {
        assert!(
            DEPTS.iter().any(|d| d.letter == def.dept),
            "{}: no department {}",
            def.name,
            def.dept
        );
    }
    let matters = records("binjiang/matters.csv");
    assert!(
        (140..=160).contains(&matters.len()),
        "{} matters",
        matters.len()
    );
    let depts: BTreeSet<String> = records("binjiang/windows.csv")
        .iter()
        .map(|r| r[1].to_string())
        .collect();
    let ids: BTreeSet<&str> = matters.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), matters.len(), "matter ids are unique");
    for r in &matters {
        assert!(
            depts.contains(&r[2]),
            "matter {} of {} has no window",
            &r[0],
            &r[2]
        );
        let handle: f64 = r[4].parse().unwrap_or(0.0);
        assert!((3.0..=30.0).contains(&handle), "{}: handle {handle}", &r[0]);
    }
    let blank_share = matters.iter().filter(|r| r[6].is_empty()).count();
    assert!(
        blank_share * 2 > matters.len(),
        "online_share is blank for most matters"
    );
    let backoffice_with_intake = matters
        .iter()
        .filter(|r| &r[7] == "true" && !r[8].is_empty())
        .count();
    assert!(backoffice_with_intake >= 15);
    assert!(matters
        .iter()
        .any(|r| &r[10] == "true" && &r[2] == "公安局出入境"));
}

#[test]
fn footfall_falls_20_then_40_percent() {
    let rows = records("binjiang/footfall.csv");
    let mut sum: BTreeMap<&str, f64> = BTreeMap::new();
    for r in &rows {
        let n: f64 = r[1].parse().unwrap_or(f64::NAN);
        let (year, month) = (&r[0][..4], &r[0][5..7]);
        *sum.entry(year).or_default() += n;
        if year == "2019" && month <= "06" {
            *sum.entry("2019H1").or_default() += n;
        }
        let day = NaiveDate::parse_from_str(&r[0], "%Y-%m-%d").unwrap_or_default();
        assert!(
            !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
            "{} is a weekend",
            &r[0]
        );
    }
    let yoy19 = sum["2019"] / sum["2018"] - 1.0;
    let yoy20 = sum["2020"] / sum["2019H1"] - 1.0;
    assert!((yoy19 + 0.20).abs() <= 0.03, "2019 vs 2018: {yoy19:.3}");
    assert!(
        (yoy20 + 0.40).abs() <= 0.03,
        "2020 H1 vs 2019 H1: {yoy20:.3}"
    );
    assert_eq!(
        rows.first().map(|r| r[0].to_string()).as_deref(),
        Some("2018-01-01")
    );
    assert_eq!(
        rows.last().map(|r| r[0].to_string()).as_deref(),
        Some("2020-06-30")
    );
    // Footfall covers the ticket takers on every June day.
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for t in &built().before {
        *per_day.entry(t.day).or_default() += 1;
    }
    for (day, n) in &built().footfall {
        if let Some(&tickets) = per_day.get(day) {
            assert!(*n >= tickets, "{day}: footfall {n} < tickets {tickets}");
        }
    }
    let feb: f64 = rows
        .iter()
        .filter(|r| r[0].starts_with("2020-02"))
        .map(|r| r[1].parse().unwrap_or(0.0))
        .sum();
    let jun: f64 = rows
        .iter()
        .filter(|r| r[0].starts_with("2020-06"))
        .map(|r| r[1].parse().unwrap_or(0.0))
        .sum();
    assert!(feb < 0.2 * jun, "February 2020 is almost empty");
}

#[test]
fn waits_match_the_article() {
    let before = mean_waits(&built().before);
    let after = mean_waits(&built().after);
    for name in ["城管局", "农业农村局"] {
        let (b, a) = (before[&dept_of(name)], after[&dept_of(name)]);
        assert!((3.5..=6.5).contains(&b), "{name} before {b:.1}");
        assert!((1.0..=3.0).contains(&a) && a < b, "{name} after {a:.1}");
    }
    let (b, a) = (
        before[&dept_of("市场监管局")],
        after[&dept_of("市场监管局")],
    );
    assert!((8.0..=12.0).contains(&b), "市场监管局 before {b:.1}");
    assert!((5.5..=8.5).contains(&a) && a < b, "市场监管局 after {a:.1}");
    for (d, w) in &before {
        assert!((0.5..=15.0).contains(w), "{} before {w:.1}", DEPTS[*d].name);
    }
}

#[test]
fn ticket_volume_and_statuses() {
    let g = built();
    let per_day = g.before.len() as f64 / 20.0;
    assert!(
        (2000.0..=3000.0).contains(&per_day),
        "{per_day} tickets a day"
    );
    assert!(g.after.len() < g.before.len());
    let share = |s: fn(&Outcome) -> bool| {
        g.before.iter().filter(|t| s(&t.outcome)).count() as f64 / g.before.len() as f64
    };
    let no_show = share(|o| matches!(o, Outcome::NoShow { .. }));
    let cancelled = share(|o| matches!(o, Outcome::Cancelled));
    assert!(
        (0.02..=0.04).contains(&no_show),
        "no-show share {no_show:.3}"
    );
    assert!(
        (0.004..=0.02).contains(&cancelled),
        "cancelled share {cancelled:.3}"
    );
    for t in g.before.iter().chain(&g.after) {
        assert!((OPEN_AM..CLOSE_PM).contains(&t.issued));
        assert!(
            !(CLOSE_AM..hm(13, 0)).contains(&t.issued),
            "no tickets in the first lunch hour"
        );
        if let Some(c) = t.called() {
            assert!(c >= t.issued && c >= OPEN_AM);
            assert!(
                !(CLOSE_AM..OPEN_PM).contains(&c) || t.issued < CLOSE_AM,
                "lunch tickets wait for 13:30"
            );
        }
    }
}

/// Served and no-show tickets of one queue on one day are called in issue order.
fn assert_fcfs<K: Ord + std::fmt::Debug>(tickets: &[Ticket], key: impl Fn(&Ticket) -> K) {
    let mut queues: BTreeMap<(NaiveDate, K), Vec<(Sec, Sec)>> = BTreeMap::new();
    for t in tickets {
        if let Some(c) = t.called() {
            queues
                .entry((t.day, key(t)))
                .or_default()
                .push((t.issued, c));
        }
    }
    assert!(queues.len() > 100);
    for (q, mut v) in queues {
        v.sort();
        for pair in v.windows(2) {
            assert!(
                pair[0].1 <= pair[1].1,
                "{q:?}: issued {:?} called after {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}

#[test]
fn queues_are_first_come_first_served() {
    let g = built();
    assert_fcfs(&g.before, |t| t.dept);
    let pool = |t: &Ticket| t.window.map(|w| g.after_windows[w].1);
    assert_fcfs(&g.after, pool);
}

#[test]
fn no_window_serves_two_tickets_at_once() {
    let g = built();
    let mut busy: BTreeMap<(NaiveDate, usize), Vec<(Sec, Sec)>> = BTreeMap::new();
    for t in &g.before {
        if let (
            Outcome::Served {
                called, finished, ..
            },
            Some(w),
        ) = (t.outcome, t.window)
        {
            busy.entry((t.day, w)).or_default().push((called, finished));
        }
    }
    for (k, mut v) in busy {
        v.sort();
        assert!(v.windows(2).all(|p| p[0].1 <= p[1].0), "{k:?} overlaps");
    }
}

#[test]
fn fcfs_serves_the_lunch_ticket_at_half_past_one_and_finishes_the_morning() {
    let full: &[(Sec, Sec)] = &[(OPEN_AM, CLOSE_AM), (OPEN_PM, CLOSE_PM)];
    let a = |issued, service| Arrival {
        issued,
        matter: 0,
        service,
        no_show: false,
        patience: None,
    };
    let out = fcfs(
        &[full],
        &[a(hm(11, 50), 1200), a(hm(11, 55), 600), a(hm(13, 20), 60)],
    );
    assert_eq!(
        out[0],
        Outcome::Served {
            window: 0,
            called: hm(11, 50),
            finished: hm(12, 10)
        }
    );
    assert_eq!(
        out[1],
        Outcome::Served {
            window: 0,
            called: hm(12, 10),
            finished: hm(12, 20)
        }
    );
    assert_eq!(
        out[2],
        Outcome::Served {
            window: 0,
            called: OPEN_PM,
            finished: OPEN_PM + 60
        }
    );
    // A morning-only window takes no afternoon ticket.
    let am: &[(Sec, Sec)] = &[(OPEN_AM, CLOSE_AM)];
    assert_eq!(fcfs(&[am], &[a(hm(14, 0), 60)]), vec![Outcome::Cancelled]);
}

#[test]
fn dirt_is_exactly_as_documented() {
    let windows: BTreeSet<String> = records("binjiang/windows.csv")
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    let parse = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok();
    let rows = records("binjiang/tickets.csv");
    let (mut skew, mut early, mut bad_date, mut unknown) = (0, 0, 0, 0);
    let mut seen = BTreeSet::new();
    let mut duplicates = 0;
    for r in &rows {
        let Some(issued) = parse(&r[1]) else {
            bad_date += 1;
            continue;
        };
        if !seen.insert((issued.date(), r[0].to_string())) {
            duplicates += 1;
        }
        if let Some(called) = parse(&r[2]) {
            let ahead = (issued - called).num_seconds();
            if (1..=60).contains(&ahead) {
                skew += 1;
            } else if ahead > 60 {
                early += 1;
            }
        }
        if !r[4].is_empty() && !windows.contains(&r[4]) {
            unknown += 1;
        }
    }
    assert_eq!(skew, DIRT_SKEW);
    assert_eq!(early, DIRT_CALLED_HOURS_EARLY);
    assert_eq!(bad_date, DIRT_BAD_DATE);
    assert_eq!(unknown, DIRT_UNKNOWN_WINDOW);
    assert_eq!(duplicates, DIRT_DUPLICATE);
    let extra =
        DIRT_SKEW + DIRT_CALLED_HOURS_EARLY + DIRT_BAD_DATE + DIRT_UNKNOWN_WINDOW + DIRT_DUPLICATE;
    assert_eq!(rows.len(), built().before.len() + extra);
    // The after export is clean.
    let after_windows: BTreeSet<String> = records("binjiang-after/windows.csv")
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    for r in records("binjiang-after/tickets.csv") {
        assert!(parse(&r[1]).is_some());
        assert!(r[4].is_empty() || after_windows.contains(&r[4]));
    }
}

#[test]
fn summary() {
    let g = built();
    let (before, after) = (mean_waits(&g.before), mean_waits(&g.after));
    let count = |t: &[Ticket], d: usize| t.iter().filter(|t| t.dept == d).count() as f64 / 20.0;
    println!(
        "{:<16} {:>8} {:>8} {:>9} {:>8}",
        "department", "wait bef", "per day", "wait aft", "per day"
    );
    for (di, d) in DEPTS.iter().enumerate() {
        println!(
            "{:<16} {:>8.1} {:>8.1} {:>9.1} {:>8.1}",
            d.name,
            before.get(&di).copied().unwrap_or(f64::NAN),
            count(&g.before, di),
            after.get(&di).copied().unwrap_or(f64::NAN),
            count(&g.after, di)
        );
    }
    println!(
        "tickets/day: before {:.0}, after {:.0}",
        g.before.len() as f64 / 20.0,
        g.after.len() as f64 / 20.0
    );
    let staffed = |s: &[(Sec, Sec)]| s.iter().map(|(a, b)| b - a).sum::<Sec>() as f64 * 20.0;
    let busy = |t: &[Ticket]| {
        t.iter()
            .map(|t| match t.outcome {
                Outcome::Served {
                    called, finished, ..
                } => (finished - called) as f64,
                _ => 0.0,
            })
            .sum::<f64>()
    };
    let cap_b: f64 = g.before_windows.iter().map(|w| staffed(&w.shifts)).sum();
    let cap_a: f64 = g.after_windows.iter().map(|w| staffed(&w.0.shifts)).sum();
    println!(
        "utilisation: before {:.2}, after {:.2}",
        busy(&g.before) / cap_b,
        busy(&g.after) / cap_a
    );
    for f in files() {
        println!("{:<28} {:>9} bytes", f.path, f.bytes.len());
    }
    assert!(file("binjiang/tickets.csv").len() < 8_000_000);
}
