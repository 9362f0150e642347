//! A planner's own proposal (issue 14): `simulate --proposal windows.csv` replays today's
//! tickets through a hand-made inventory — departments without windows of their own
//! served at fallback windows — reports before vs proposed per department and pool, and
//! writes the proposal as a plan.json that `compare --plan` takes.

use std::path::{Path, PathBuf};

use crate::util::{path_str, read_csv, run, sample_hall};

/// Departments the proposal takes every own window from.
const CUT: [&str; 3] = ["残联", "退役军人事务局", "司法局"];

/// Today's sample inventory without the windows of `CUT`, plus two fallback windows.
fn proposal(dir: &Path) -> PathBuf {
    let today = read_csv(&sample_hall().join("windows.csv"));
    let dept = today[0]
        .iter()
        .position(|h| h == "department")
        .expect("column");
    let mut text = today[0].join(",") + "\n";
    for row in &today[1..] {
        if !CUT.contains(&row[dept].as_str()) {
            text += &(row.join(",") + "\n");
        }
    }
    text += "F91,综合窗口,1,fallback,,false\nF92,综合窗口,1,fallback,,false\n";
    let path = dir.join("proposal.csv");
    std::fs::write(&path, text).expect("writes");
    path
}

fn col(t: &[Vec<String>], name: &str) -> usize {
    t[0].iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} in {:?}", t[0]))
}

#[test]
fn a_proposal_is_replayed_before_vs_proposed_and_compare_takes_its_plan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = proposal(dir.path());
    let out = dir.path().join("sim");
    let hall = sample_hall();
    run(&[
        "simulate",
        "--data",
        path_str(hall),
        "--proposal",
        path_str(&p),
        "--out",
        path_str(&out),
    ])
    .assert_success();
    let t = read_csv(&out.join("proposal.csv"));
    let (level, name, before, after) = (
        col(&t, "level"),
        col(&t, "name"),
        col(&t, "windows_before"),
        col(&t, "windows_proposed"),
    );
    let (mean_b, mean_a, p90_a) = (
        col(&t, "mean_before"),
        col(&t, "mean_proposed"),
        col(&t, "p90_proposed"),
    );
    let row = |lv: &str, n: &str| {
        t[1..]
            .iter()
            .find(|r| r[level] == lv && r[name] == n)
            .unwrap_or_else(|| panic!("{lv} {n} in proposal.csv"))
    };
    for d in CUT {
        // Its tickets are now served at the fallback windows: waits, but no window.
        let r = row("department", d);
        assert_eq!(r[after], "0", "{d}");
        assert_ne!(r[before], "0", "{d}");
        let m: f64 = r[mean_a].parse().expect("a replayed mean wait");
        let p90: f64 = r[p90_a].parse().expect("a replayed p90");
        assert!(m.is_finite() && p90 >= 0.0, "{d}: {m}");
        assert!(!r[mean_b].is_empty());
    }
    // Two fallback windows today, two more proposed.
    assert_eq!(row("pool", "兜底 fallback")[after], "4");
    assert_eq!(row("hall", "全厅 (whole hall)")[after], "91");
    // The proposal as a plan, for `compare --plan`: predicted vs actual for hand-made
    // changes (here the same log on both sides, only to see it taken).
    let plan = out.join("plan.json");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&plan).expect("plan.json")).expect("JSON");
    assert_eq!(json["objective"], "proposal");
    assert_eq!(json["windows_after"], 91);
    let cmp = dir.path().join("cmp");
    run(&[
        "compare",
        "--before",
        path_str(hall),
        "--after",
        path_str(hall),
        "--plan",
        path_str(&plan),
        "--out",
        path_str(&cmp),
    ])
    .assert_success();
    let pred = read_csv(&cmp.join("prediction.csv"));
    let (d, sim) = (col(&pred, "department"), col(&pred, "predicted_simulation"));
    let r = pred[1..]
        .iter()
        .find(|r| r[d] == "司法局")
        .expect("司法局 predicted");
    // compare replays the plan with the plan's seed: the proposal's own figure.
    assert_eq!(r[sim], row("department", "司法局")[mean_a]);
    // And its formula column is the proposal's model column (§3b), as plan.json holds it.
    let formula = col(&pred, "predicted_formula");
    let model = col(&t, "model_mean_proposed");
    for d in CUT {
        let r = pred[1..].iter().find(|r| r[0] == d).expect("predicted");
        assert_eq!(r[formula], row("department", d)[model], "{d}");
        assert!(!r[formula].is_empty(), "{d}");
    }
}

#[test]
fn a_bad_proposal_names_its_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("proposal.csv");
    std::fs::write(
        &p,
        "window_id,department,staff,kind,merge_group,locked\nA01,市场监管局,1,department,,false\nJ01,企业开办联合专窗,1,joint,,false\n",
    )
    .expect("writes");
    let out = dir.path().join("sim");
    run(&[
        "simulate",
        "--data",
        path_str(sample_hall()),
        "--proposal",
        path_str(&p),
        "--out",
        path_str(&out),
    ])
    .assert_fails(2, &["proposal.csv:3", "merge_group", "joint window"]);
    assert!(!out.exists());
}

#[test]
fn a_proposal_that_leaves_a_department_nowhere_to_go_is_refused() {
    // No fallback window, and 司法局 without its own: its matters have no window.
    let dir = tempfile::tempdir().expect("temp dir");
    let today = read_csv(&sample_hall().join("windows.csv"));
    let (dept, kind) = (col(&today, "department"), col(&today, "kind"));
    let mut text = today[0].join(",") + "\n";
    for row in &today[1..] {
        if row[dept] != "司法局" && row[kind] != "fallback" {
            text += &(row.join(",") + "\n");
        }
    }
    let p = dir.path().join("proposal.csv");
    std::fs::write(&p, text).expect("writes");
    run(&[
        "simulate",
        "--data",
        path_str(sample_hall()),
        "--proposal",
        path_str(&p),
        "--out",
        path_str(&dir.path().join("sim")),
    ])
    .assert_fails(2, &["proposal.csv", "司法局", "fallback window"]);
}

/// The after log of `data/binjiang-after` serves each matter at one kind of window: the
/// enterprise set-up matters at the joint windows, the walk-ins of online matters and
/// the intakes of back-office matters at the comprehensive windows — of every
/// department, also those that keep windows of their own — and the rest at its
/// department's windows. `--with-channels` replays the June tickets by that rule, at the
/// after log's own demand (5 % below June): the proposal's tickets per day and its
/// departments' waits come out near what happened. Without it every matter stays in
/// person, and the departments that keep two windows take all of their June demand.
#[test]
fn with_the_reforms_levers_a_proposal_predicts_the_after_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let after = sample_hall()
        .parent()
        .expect("the sample's parent folder")
        .join("binjiang-after");
    let proposal = after.join("windows.csv");
    let predict = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "simulate",
            "--data",
            path_str(sample_hall()),
            "--proposal",
            path_str(&proposal),
            "--set",
            "demand_change=-0.05",
            "--set",
            "online_remainder=joint",
            "--out",
            path_str(&out),
        ];
        args.extend_from_slice(extra);
        run(&args).assert_success();
        let cmp = dir.path().join(format!("{name}-cmp"));
        run(&[
            "compare",
            "--before",
            path_str(sample_hall()),
            "--after",
            path_str(&after),
            "--plan",
            path_str(&out.join("plan.json")),
            "--resamples",
            "200",
            "--out",
            path_str(&cmp),
        ])
        .assert_success();
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("plan.json")).expect("plan.json"))
                .expect("JSON");
        let per_day: f64 = json["departments"]
            .as_array()
            .expect("departments")
            .iter()
            .map(|d| d["arrivals_per_day_after"].as_f64().expect("a number"))
            .sum();
        let pred = read_csv(&cmp.join("prediction.csv"));
        let (d, sim, actual) = (
            col(&pred, "department"),
            col(&pred, "predicted_simulation"),
            col(&pred, "actual"),
        );
        let ratios: std::collections::BTreeMap<String, f64> = pred[1..]
            .iter()
            .map(|r| {
                let (p, a): (f64, f64) = (
                    r[sim].parse().expect("predicted"),
                    r[actual].parse().expect("actual"),
                );
                (r[d].clone(), p / a)
            })
            .collect();
        (per_day, ratios)
    };
    // The after log: 22 448 tickets over 20 open days.
    let tickets = read_csv(&after.join("tickets.csv")).len() - 1;
    let actual_per_day = tickets as f64 / 20.0;
    let (per_day, ratio) = predict("levers", &["--with-channels"]);
    assert!(
        (per_day / actual_per_day - 1.0).abs() < 0.05,
        "{per_day:.0} tickets a day predicted, {actual_per_day:.0} in the after log"
    );
    assert_eq!(ratio.len(), 21, "{ratio:?}");
    for (d, r) in &ratio {
        // Within a factor of three either way (measured: 0.40 to 1.90, median |error|
        // 50 %): the proposal staffs every window all day, while the after log's windows
        // keep shifts (公安局出入境's fifth window works mornings only: 1.2 min predicted,
        // 3.0 in the log).
        assert!(
            (1.0 / 3.0..3.0).contains(r),
            "{d}: predicted / actual {r:.2}"
        );
    }
    let (_, in_person) = predict("in-person", &[]);
    for d in ["人社局", "公积金中心", "税务局"] {
        assert!(in_person[d] > 5.0, "{d}: {:.2} in person", in_person[d]);
    }
}
