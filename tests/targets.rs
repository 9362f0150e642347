//! Targets a planner states (issue 14 item 6): per-department mean-wait targets and a
//! percentile target in the scenario tighten the plan, plan.json says what each department
//! was held to and whether the model and the replay meet it, and a scenario naming a
//! department the hall does not have is bad input naming the file, line and column.

use crate::util::{path_str, run, sample_hall, Fixture, Run};

const BAD_INPUT: i32 = 2;

fn plan(f: &Fixture, extra: &[&str]) -> Run {
    let (hall, out) = (f.hall(), f.out());
    let mut args = vec!["plan", "--data", path_str(&hall), "--out", path_str(&out)];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn an_unknown_department_in_a_scenario_names_the_file_line_column_and_closest_name() {
    let f = Fixture::valid();
    let s = f.write_beside(
        "targets.toml",
        "wait_floor_min = 4\n\n[department_mean_wait_min]\n\"市场监管局\" = 6\n  \"税物局\" = 3\n",
    );
    let r = plan(&f, &["--scenario", path_str(&s)]);
    r.assert_fails(
        BAD_INPUT,
        &[
            "targets.toml:5:3:",
            "\"税物局\"",
            "the closest is \"税务局\"",
        ],
    );
    assert!(!f.out().exists());
}

#[test]
fn an_unknown_department_given_by_set_names_the_flag() {
    let f = Fixture::valid();
    let r = plan(&f, &["--set", "department_mean_wait_min=市场监管:6"]);
    r.assert_fails(
        1,
        &[
            "--set department_mean_wait_min",
            "the closest is \"市场监管局\"",
        ],
    );
}

#[test]
fn a_percentile_target_that_is_not_one_is_fatal_and_named() {
    let f = Fixture::valid().with("scenario.toml", "percentile_target = \"90 % in 10 min\"\n");
    let r = plan(&f, &[]);
    r.assert_fails(
        BAD_INPUT,
        &[
            "scenario.toml",
            "\"90 % in 10 min\"",
            "e.g. \"90 % within 10 min\"",
        ],
    );
}

fn plan_json(dir: &std::path::Path, name: &str, extra: &[&str]) -> serde_json::Value {
    let out = dir.join(name);
    let mut args = vec![
        "plan",
        "--data",
        path_str(sample_hall()),
        "--out",
        path_str(&out),
    ];
    args.extend_from_slice(extra);
    run(&args).assert_success();
    serde_json::from_slice(&std::fs::read(out.join("plan.json")).expect("plan.json")).expect("JSON")
}

fn windows_of(plan: &serde_json::Value, pool: &str) -> u64 {
    plan["pools"]
        .as_array()
        .expect("pools")
        .iter()
        .find(|p| p["name"] == pool)
        .and_then(|p| p["windows_after"].as_u64())
        .unwrap_or_else(|| panic!("pool {pool}"))
}

fn target<'a>(plan: &'a serde_json::Value, department: &str) -> &'a serde_json::Value {
    plan["targets"]
        .as_array()
        .expect("plan.json lists the targets")
        .iter()
        .find(|t| t["department"] == department)
        .unwrap_or_else(|| panic!("{department} in targets"))
}

#[test]
fn stated_targets_tighten_the_sample_plan_and_plan_json_says_what_each_department_met() {
    let dir = tempfile::tempdir().expect("temp dir");
    let default = plan_json(dir.path(), "default", &[]);
    // Without stated targets plan.json is as it always was.
    assert!(default.get("targets").is_none());
    assert!(default["pools"][0].get("target_percentile").is_none());
    let default_tax = windows_of(&default, "税务局");

    // A 2-minute mean for 税务局 (the default holds it to 5): more windows for it.
    let stated = plan_json(
        dir.path(),
        "stated",
        &["--set", "department_mean_wait_min=税务局:2"],
    );
    assert!(
        windows_of(&stated, "税务局") > default_tax,
        "税务局: {default_tax} by default, {} with a 2-minute target",
        windows_of(&stated, "税务局")
    );
    let tax = target(&stated, "税务局");
    assert_eq!(tax["source"], "stated");
    assert_eq!(tax["mean_target_min"], 2.0);
    assert_eq!(tax["model_met"], true, "{tax}");
    assert_eq!(tax["replay_met"], true, "{tax}");
    assert!(tax["replay_mean_min"].as_f64().expect("replayed") <= 2.0);
    assert_eq!(target(&stated, "医保局")["source"], "default");

    // 90 % within 10 minutes: more windows, and every department's visitors are served
    // within 10 minutes at least 90 % of the time, by the model and by the replay.
    let pct = plan_json(
        dir.path(),
        "percentile",
        &["--set", "percentile_target=90 % within 10 min"],
    );
    let (a, b) = (
        default["windows_after"].as_u64().expect("n"),
        pct["windows_after"].as_u64().expect("n"),
    );
    assert!(
        b > a,
        "windows: {a} by default, {b} with the percentile target"
    );
    for t in pct["targets"].as_array().expect("targets") {
        assert_eq!(t["percentile"], "90 % within 10 min");
        assert_eq!(t["model_met"], true, "{t}");
        assert_eq!(t["replay_met"], true, "{t}");
        assert!(
            t["replay_share_within"].as_f64().expect("a share") >= 0.9,
            "{t}"
        );
        assert!(
            t["model_share_within"].as_f64().expect("a share") >= 0.9,
            "{t}"
        );
    }
    for p in pct["pools"].as_array().expect("pools") {
        assert_eq!(p["target_percentile"], "90 % within 10 min");
    }
    // The default plan fails that percentile somewhere in the replay: the target is what
    // raised the windows, not noise.
    let default_p90_over_10 = default["pools"]
        .as_array()
        .expect("pools")
        .iter()
        .any(|p| p["after_p90_min"].as_f64().is_some_and(|w| w > 10.0));
    assert!(
        default_p90_over_10,
        "some pool of the default plan has a p90 above 10 minutes"
    );
}
