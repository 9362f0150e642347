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
