//! What `plan` promises, `simulate` shows: with the default `simulation` calibration every
//! pool of a plan keeps its mean-wait target when the hall's own tickets are replayed
//! through the plan's windows (model.md §6). The formula alone, even calibrated to
//! today's hall, is optimistic for the pools a plan shrinks.

use std::path::Path;

use crate::util::{path_str, read_csv, run};

fn column(table: &[Vec<String>], name: &str) -> usize {
    table[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} in {:?}", table[0]))
}

fn plan(dir: &Path, sets: &[&str]) {
    let mut args = vec!["plan", "--out", path_str(dir)];
    for s in sets {
        args.extend(["--set", s]);
    }
    run(&args).assert_success();
}

/// (pool, windows after, target, replayed mean wait) for every pool the plan staffs.
fn replayed(plan_dir: &Path, sim_dir: &Path) -> Vec<(String, u32, f64, f64)> {
    let plan_json = plan_dir.join("plan.json");
    run(&[
        "simulate",
        "--plan",
        path_str(&plan_json),
        "--out",
        path_str(sim_dir),
    ])
    .assert_success();
    let pools = read_csv(&plan_dir.join("pools.csv"));
    let sim = read_csv(&sim_dir.join("pools.csv"));
    let (name, after, target, checked) = (
        column(&pools, "pool"),
        column(&pools, "windows_after"),
        column(&pools, "target"),
        column(&pools, "simulated_after"),
    );
    let (config, group, mean) = (
        column(&sim, "configuration"),
        column(&sim, "group"),
        column(&sim, "mean_wait"),
    );
    let mut out = Vec::new();
    for row in &pools[1..] {
        let n: u32 = row[after].parse().expect("a window count");
        let Some(s) = sim[1..]
            .iter()
            .find(|r| r[config] == "plan" && r[group] == row[name])
        else {
            continue;
        };
        if n == 0 || row[checked].is_empty() {
            continue;
        }
        // The plan's own check and `simulate --plan` are the same replay.
        assert_eq!(row[checked], s[mean], "{}", row[name]);
        out.push((
            row[name].clone(),
            n,
            row[target].parse().expect("minutes"),
            s[mean].parse().expect("minutes"),
        ));
    }
    assert!(!out.is_empty(), "the plan staffs some pools");
    out
}

#[test]
fn every_pool_of_the_sample_plan_keeps_its_target_when_the_tickets_are_replayed() {
    for sets in [&[][..], &["demand_change=-0.4"][..]] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (p, s) = (dir.path().join("plan"), dir.path().join("sim"));
        plan(&p, sets);
        for (pool, n, target, wait) in replayed(&p, &s) {
            // Both are printed with two decimals.
            assert!(
                wait <= target + 0.005,
                "{sets:?} {pool}: {wait} min with {n} windows, target {target}"
            );
        }
    }
}

#[test]
fn a_plan_for_more_demand_is_checked_against_the_grown_replay() {
    // Issue 14: `demand_change = 0.2` sized the MILP for 20 % more visitors, but the
    // replay that checked it replayed today's tickets. Now it replays the grown log.
    let dir = tempfile::tempdir().expect("temp dir");
    let (p, s) = (dir.path().join("plan"), dir.path().join("sim"));
    plan(&p, &["demand_change=0.2"]);
    for (pool, n, target, wait) in replayed(&p, &s) {
        assert!(
            wait <= target + 0.005,
            "{pool}: {wait} min with {n} windows, target {target}"
        );
    }
    let sim = read_csv(&s.join("pools.csv"));
    let (config, group, customers) = (
        column(&sim, "configuration"),
        column(&sim, "group"),
        column(&sim, "customers"),
    );
    let hall = |c: &str| -> f64 {
        sim[1..]
            .iter()
            .find(|r| r[config] == c && r[group].contains("whole hall"))
            .map(|r| r[customers].parse().expect("a count"))
            .unwrap_or_else(|| panic!("the hall's {c} row"))
    };
    let ratio = hall("plan") / hall("today");
    assert!(
        (ratio - 1.2).abs() < 0.01,
        "the plan replays {ratio} × today's tickets"
    );
}

#[test]
fn the_replay_check_keeps_every_target_the_ratio_plan_misses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (p, s) = (dir.path().join("plan"), dir.path().join("sim"));
    plan(&p, &["demand_change=-0.4", "calibration=ratio"]);
    let missed: Vec<String> = replayed(&p, &s)
        .into_iter()
        .filter(|(_, _, target, wait)| *wait > target + 0.005)
        .map(|(pool, ..)| pool)
        .collect();
    // The ratio plan alone is not checked by the replay: with SIPP 6 pools missed, with
    // the transient model at least one did; since leaving windows finish their visitors
    // and rosters hold on silent days (branch accuracy4) none does on the sample. Nothing
    // guarantees that, so only the checked plan is asserted on.
    // The default plan is checked by the replay (raised pools, then the descent over
    // budgets): every pool the ratio plan missed keeps its target there.
    let (q, t) = (dir.path().join("checked"), dir.path().join("checked-sim"));
    plan(&q, &["demand_change=-0.4"]);
    for (pool, n, target, wait) in replayed(&q, &t) {
        if missed.contains(&pool) {
            assert!(
                wait <= target + 0.005,
                "{pool}: {wait} min with {n} windows, target {target}"
            );
        }
    }
}

#[test]
fn the_binjiang_2020_scenario_lands_near_the_real_centre_and_keeps_every_target() {
    // The real centre went from 93 to 46 windows, enterprise set-up from 17 windows over
    // three departments to 7 (DIGEST.md), with the article's levers and at the demand
    // the sample's June tickets show (issue 14: 46 ± 5 and 7 ± 2). The sample is shaped
    // like the centre, not fitted to it: the plan gives 50 and 8 (README).
    let dir = tempfile::tempdir().expect("temp dir");
    let (p, s) = (dir.path().join("plan"), dir.path().join("sim"));
    run(&[
        "plan",
        "--scenario",
        "examples/binjiang-2020.toml",
        "--out",
        path_str(&p),
    ])
    .assert_success();
    let pools = read_csv(&p.join("pools.csv"));
    let (name, after) = (column(&pools, "pool"), column(&pools, "windows_after"));
    let windows = |pred: &dyn Fn(&str) -> bool| -> u32 {
        pools[1..]
            .iter()
            .filter(|r| pred(&r[name]))
            .map(|r| r[after].parse::<u32>().expect("a count"))
            .sum()
    };
    let total = windows(&|_| true);
    assert!((41..=51).contains(&total), "93 → {total}");
    let joint = windows(&|n| n.contains("企业开办"));
    assert!(
        (5..=9).contains(&joint),
        "enterprise set-up joint windows: {joint}"
    );
    // No demand change: the sample's tickets are already after the fall.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join("plan.json")).expect("plan.json"))
            .expect("json");
    assert_eq!(json["policy"]["demand_change"], 0.0);
    assert!(json["matters"]
        .as_array()
        .expect("matters")
        .iter()
        .any(|m| m["channel"] == "general"));
    for (pool, n, target, wait) in replayed(&p, &s) {
        assert!(
            wait <= target + 0.005,
            "{pool}: {wait} min with {n}, target {target}"
        );
    }
}

/// model.md §1: with four weeks of tickets, `slots = auto` plans each open weekday when
/// the weekdays backtest better than the typical day (they do on the sample: Mondays are
/// about 20 % busier than Fridays), and says so; `slots = day` forces the typical day.
#[test]
fn the_sample_is_planned_weekday_by_weekday_because_that_backtests_better() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (auto, day) = (dir.path().join("auto"), dir.path().join("day"));
    plan(&auto, &[]);
    plan(&day, &["slots=day"]);
    let report = std::fs::read_to_string(auto.join("report.md")).expect("report");
    assert!(
        report.contains("hours 09, 10, 11, 13, 14, 15, 16 of each open weekday")
            || report.contains("of each open weekday"),
        "{report}"
    );
    assert!(
        report.contains(
            "planning slots: each open weekday (Mon, Tue, Wed, Thu, Fri), chosen by the backtest"
        ),
        "{report}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(auto.join("plan.json")).expect("plan.json"))
            .expect("json");
    assert_eq!(json["slots"], "week");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(day.join("plan.json")).expect("plan.json"))
            .expect("json");
    assert_eq!(json["slots"], "day");
    // The backtest's median model error is lower weekday by weekday: read both off the note.
    let note = report
        .lines()
        .find(|l| l.contains("chosen by the backtest"))
        .expect("note");
    let numbers: Vec<f64> = note
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|x| x.parse().ok())
        .collect();
    let (week, typical) = (numbers[numbers.len() - 2], numbers[numbers.len() - 1]);
    assert!(week < typical, "{note}");
}

/// A log shorter than three weeks of every weekday cannot be planned weekday by weekday.
#[test]
fn planning_each_weekday_needs_three_days_of_every_weekday() {
    let f = crate::util::Fixture::valid();
    let out = f.out();
    run(&[
        "plan",
        "--data",
        path_str(&f.hall()),
        "--out",
        path_str(&out),
        "--set",
        "slots=week",
    ])
    .assert_fails(
        1,
        &["slots = week", "at least 3 days of every open weekday"],
    );
}
