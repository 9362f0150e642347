//! Comprehensive windows (综合窗口, channel `general`, model.md §2): the plan sends a
//! matter's whole in-person demand to the fallback windows where that saves windows,
//! never a matter the catalogue marks `specialist`, and a scenario can forbid it.

use std::collections::BTreeSet;
use std::path::Path;

use crate::util::{path_str, read_csv, run};

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// Ids of the catalogue's matters marked `specialist`.
fn specialist(matters_csv: &str) -> BTreeSet<String> {
    let rows = read_csv(Path::new(matters_csv));
    let col = rows[0]
        .iter()
        .position(|h| h == "specialist")
        .expect("a specialist column");
    rows[1..]
        .iter()
        .filter(|r| r[col] == "true")
        .map(|r| r[0].clone())
        .collect()
}

fn plan_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).expect("plan.json"))
        .expect("json")
}

/// (matter id, department) of the plan's matters on the `general` channel.
fn general(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan["matters"]
        .as_array()
        .expect("matters")
        .iter()
        .filter(|m| m["channel"] == "general")
        .map(|m| {
            assert_eq!(m["pool"], "兜底 fallback", "{m}");
            (
                m["matter_id"].as_str().expect("id").to_string(),
                m["department"].as_str().expect("department").to_string(),
            )
        })
        .collect()
}

fn plan(args: &[&str], out: &Path) -> serde_json::Value {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    all.extend(["--out", path_str(out)]);
    run(&all).assert_success();
    plan_json(out)
}

#[test]
fn the_sample_plan_shares_comprehensive_windows_but_keeps_specialist_matters_at_their_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = repo("data/binjiang");
    let p = plan(&["--data", &data], &dir.path().join("plan"));
    let moved = general(&p);
    let specialist = specialist(&repo("data/binjiang/matters.csv"));
    assert!(specialist.len() >= 20, "{specialist:?}");
    assert!(moved.len() >= 5, "{moved:?}");
    for (id, _) in &moved {
        assert!(
            !specialist.contains(id),
            "specialist {id} at a comprehensive window"
        );
    }
    // The report says which departments now share the comprehensive windows.
    let report = std::fs::read_to_string(dir.path().join("plan/report.md")).expect("report");
    let departments: BTreeSet<&str> = moved.iter().map(|(_, d)| d.as_str()).collect();
    for d in &departments {
        assert!(
            report.contains(&format!("{d} (")),
            "{d} named in the summary"
        );
    }
    assert!(report.contains("now shares the comprehensive windows (综合窗口)"));
    // Windows cut for it say so.
    let windows = read_csv(&dir.path().join("plan/windows.csv"));
    let reason = windows[0]
        .iter()
        .position(|h| h == "reason")
        .expect("reason");
    assert!(windows[1..].iter().any(|r| r[reason] == "general"));
}

#[test]
fn a_scenario_without_the_general_channel_sends_no_matter_to_the_comprehensive_windows() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = repo("data/binjiang");
    let scenario = dir.path().join("no-general.toml");
    std::fs::write(&scenario, "allow_general = false\n").expect("writes");
    let p = plan(
        &["--data", &data, "--scenario", path_str(&scenario)],
        &dir.path().join("plan"),
    );
    assert_eq!(general(&p), Vec::new());
    assert_eq!(p["policy"]["allow_general"], false);
    let report = std::fs::read_to_string(dir.path().join("plan/report.md")).expect("report");
    assert!(
        !report.contains("comprehensive windows (综合窗口)"),
        "{report}"
    );
}

#[test]
fn a_reformed_hall_the_tests_never_planned_uses_them_and_its_fewest_is_the_fewest_found() {
    // data/binjiang-after: 17 fallback windows already, 8 departments with windows of
    // their own, the June catalogue.
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, matters) = (
        repo("data/binjiang-after"),
        repo("data/binjiang/matters.csv"),
    );
    let args = ["--data", data.as_str(), "--matters", matters.as_str()];
    let p = plan(&args, &dir.path().join("plan"));
    let specialist = specialist(&matters);
    for (id, _) in general(&p) {
        assert!(!specialist.contains(&id), "specialist {id}");
    }
    // Every matter of a department that keeps no window there was at the fallback
    // windows today: its channel stays the counter (nothing to move).
    let kept: BTreeSet<String> = read_csv(Path::new(&format!("{data}/windows.csv")))[1..]
        .iter()
        .filter(|r| r[3] == "department")
        .map(|r| r[1].clone())
        .collect();
    for (id, d) in general(&p) {
        assert!(kept.contains(&d), "{id} of {d}, which has no window today");
    }
    // The replay raises pools of the model's plan here; the windows it adds keep staff the
    // model had released, and without hiring the plan's staff must still add up: no one
    // to be hired, everyone today at a window, a helper, the back office or released.
    let staff = &p["staff"];
    let field = |k: &str| staff[k].as_u64().unwrap_or(0);
    assert_eq!(field("hired"), 0, "{staff}");
    assert_eq!(
        field("at_windows") + field("helpers") + field("backoffice") + field("released"),
        field("today"),
        "{staff}"
    );
    // One window fewer than the plan's count is infeasible under the same check (exit 3).
    let n = p["windows_after"].as_u64().expect("a count");
    let fewer = (n - 1).to_string();
    let mut all = vec!["plan"];
    all.extend_from_slice(&args);
    let out = dir.path().join("fewer");
    all.extend(["--max-windows", &fewer, "--out", path_str(&out)]);
    let r = run(&all);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
}

#[test]
fn the_specialist_column_reads_its_chinese_headers_and_names_a_bad_value() {
    use crate::util::{Fixture, WINDOWS};
    for header in ["专窗办理", "需专窗", "specialist"] {
        let matters = format!(
            "事项编码,事项名称,部门,周办件量,平均受理时长,{header}\n\
             M1,营业执照,市场监管局,100,10,是\n\
             M2,发票领用,税务局,50,5,否\n"
        );
        let f = Fixture::valid()
            .with("windows.csv", WINDOWS)
            .with("matters.csv", &matters);
        let v = f.validate_json(&[]);
        assert_eq!(crate::util::count(&v, "matters", "accepted"), 2, "{header}");
    }
    let f = Fixture::valid().with(
        "matters.csv",
        "matter_id,matter_name,department,weekly_volume,avg_handle_min,专窗办理\n\
         M1,营业执照,市场监管局,100,10,也许\n\
         M2,发票领用,税务局,50,5,否\n",
    );
    f.profile_fails(&[])
        .assert_fails(2, &["matters.csv:2:", "specialist", "\"也许\""]);
}

#[test]
fn a_proposal_that_leaves_a_specialist_matter_without_its_own_window_is_refused() {
    // The sample without the marriage registry's windows (民政局): its two specialist
    // matters (结婚登记, 离婚登记) cannot go to the two fallback windows.
    let dir = tempfile::tempdir().expect("temp dir");
    let data = repo("data/binjiang");
    let today = read_csv(Path::new(&format!("{data}/windows.csv")));
    let mut text = today[0].join(",") + "\n";
    for row in &today[1..] {
        if row[1] != "民政局" {
            text += &(row.join(",") + "\n");
        }
    }
    let p = dir.path().join("proposal.csv");
    std::fs::write(&p, text).expect("writes");
    run(&[
        "simulate",
        "--data",
        &data,
        "--proposal",
        path_str(&p),
        "--out",
        path_str(&dir.path().join("sim")),
    ])
    .assert_fails(2, &["proposal.csv", "specialist", "民政局", "ML01"]);
}
