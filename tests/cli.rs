//! The README's main commands on the bundled sample, determinism, the output-folder
//! rules, and outputs that are safe to open (escaped HTML, neutralised CSV).

use crate::util::{
    assert_accounted, count, hallplan, path_str, read_csv, run, run_cmd, sample_hall, snapshot,
    Fixture,
};

/// clap checks its own definitions only in debug builds, and the tests build in release:
/// this runs those checks (it caught `--footfall` declared twice on `compare`).
#[test]
fn the_command_line_definition_passes_clap_debug_assertions() {
    use clap::CommandFactory;
    hallplan::cli::Cli::command().debug_assert();
}

#[test]
fn help_documents_the_exit_codes() {
    let r = run(&["--help"]);
    r.assert_success();
    for needle in [
        "0 success",
        "1 usage",
        "2 unusable input",
        "3 plan infeasible",
    ] {
        assert!(r.stdout.contains(needle), "--help lacks {needle:?}");
    }
}

#[test]
fn validate_reads_the_bundled_sample_and_accounts_for_every_row() {
    let hall = sample_hall();
    let r = run(&["validate", "--data", path_str(hall)]);
    r.assert_success();
    assert!(r.stdout.contains("tickets"), "{}", r.stdout);
    assert!(r.stdout.contains("opening hours"), "{}", r.stdout);

    let r = run(&["validate", "--data", path_str(hall), "--json"]);
    r.assert_success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("validate --json is JSON");
    for file in ["windows", "matters", "footfall", "tickets"] {
        assert_accounted(&v, file);
        assert_eq!(v["files"][file]["encoding"], "UTF-8", "{file}");
    }
    // The sample's 93 windows of June 2020, and its documented dirt.
    assert_eq!(v["windows"], 93);
    assert!(count(&v, "tickets", "rejected") > 0, "{v:#}");
    assert!(count(&v, "tickets", "clamped") > 0, "{v:#}");
    assert_eq!(v["opening_hours"], "Mon–Fri 09–12, 13–17");
}

#[test]
fn validate_without_data_uses_the_bundled_sample_and_says_so() {
    let cwd = tempfile::tempdir().expect("an empty working folder");
    let r = run_cmd(
        crate::util::hallplan()
            .current_dir(cwd.path())
            .args(["validate", "--json"]),
    );
    r.assert_success();
    assert!(r.stderr.contains("bundled sample"), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("validate --json is JSON");
    assert_eq!(v["sample"], true);
    assert_eq!(v["windows"], 93);
}

#[test]
fn profile_writes_the_report_folder_for_the_bundled_sample() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("profile");
    let r = run(&[
        "profile",
        "--data",
        path_str(sample_hall()),
        "--out",
        path_str(&out),
    ]);
    r.assert_success();
    for name in [
        "report.html",
        "report.md",
        "summary.json",
        "rejected_rows.csv",
        "inputs.csv",
        "top10_volume.csv",
        "top10_fastest.csv",
        "waits_by_department.csv",
        "footfall_yearly.csv",
        "charts/waits_by_department.svg",
        "charts/waits_by_department.png",
    ] {
        assert!(out.join(name).is_file(), "{name} missing");
    }
    // The rejected rows of the run summary are the rows of rejected_rows.csv.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary.json"))
            .expect("summary.json is JSON");
    let rejected: u64 = ["tickets", "footfall"]
        .iter()
        .map(|f| count(&summary, f, "rejected"))
        .sum();
    let rows = read_csv(&out.join("rejected_rows.csv"));
    assert_eq!(rows.len() as u64 - 1, rejected);
    // No temporary folder is left beside the output.
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "profile")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}

/// Erlang C, computed here independently: P(wait) for `c` servers and `a` Erlangs.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..c {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    // term = a^c / c!
    let top = term * f64::from(c) / (f64::from(c) - a);
    top / (sum + top)
}

#[test]
fn erlang_evaluates_14_windows_for_200_arrivals_an_hour_of_3_minutes() {
    let args = [
        "erlang",
        "--arrivals-per-hour",
        "200",
        "--handle-min",
        "3",
        "--windows",
        "14",
    ];
    let r = run(&args);
    r.assert_success();
    assert!(r.stdout.contains("windows            14"), "{}", r.stdout);
    assert!(r.stdout.contains("10.0000 Erlangs"), "{}", r.stdout);

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let r = run(&json_args);
    r.assert_success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("erlang --json is JSON");
    let get = |k: &str| {
        v[k].as_f64()
            .unwrap_or_else(|| panic!("{k} missing in {v:#}"))
    };
    let p = erlang_c(14, 10.0);
    assert!((get("load_erlangs") - 10.0).abs() < 1e-12);
    assert!((get("utilisation") - 10.0 / 14.0).abs() < 1e-12);
    assert!((get("p_wait") - p).abs() < 1e-9, "P(wait) {p}");
    // M/M/c: Wq = C · h / (c − a) minutes; P(W > t) = C · exp(−(c − a) t / h).
    assert!((get("mean_wait_min") - p * 3.0 / 4.0).abs() < 1e-9);
    assert!((get("p90_wait_min") - 0.75 * (p / 0.1).ln()).abs() < 1e-6);
    assert!((get("service_level") - (1.0 - p * (-4.0 * 0.33 / 3.0f64).exp())).abs() < 1e-6);
}

#[test]
fn erlang_without_windows_finds_the_fewest_for_a_target_wait() {
    let r = run(&[
        "erlang",
        "--arrivals-per-hour",
        "200",
        "--handle-min",
        "3",
        "--target-wait-min",
        "0.5",
        "--json",
    ]);
    r.assert_success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let c = v["windows"].as_u64().expect("windows") as u32;
    let wait = |c: u32| erlang_c(c, 10.0) * 3.0 / (f64::from(c) - 10.0);
    assert!(wait(c) <= 0.5, "{c} windows wait {}", wait(c));
    assert!(wait(c - 1) > 0.5, "{} windows would do", c - 1);
}

#[test]
fn profile_output_is_byte_identical_across_runs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for out in [&a, &b] {
        run(&[
            "profile",
            "--data",
            path_str(sample_hall()),
            "--out",
            path_str(out),
        ])
        .assert_success();
    }
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&sa), names(&sb));
    for ((name, x), (_, y)) in sa.iter().zip(&sb) {
        assert!(x == y, "{name} differs between two runs");
    }
}

/// The planner's parallel parts (capacities, tangent curves, the stage-2 local search's
/// blocks of candidates) give the same bytes on one thread as on four: every result is
/// taken in its order, whatever the threads' timing. The sample at a 55-window budget
/// runs the local search over several blocks.
#[test]
fn plan_output_does_not_depend_on_the_number_of_threads() {
    let tmp = tempfile::tempdir().expect("tmp");
    let outs: Vec<_> = ["1", "4"]
        .iter()
        .map(|threads| {
            let out = tmp.path().join(format!("threads-{threads}"));
            run_cmd(hallplan().env("HALLPLAN_THREADS", threads).args([
                "plan",
                "--data",
                path_str(sample_hall()),
                "--max-windows",
                "55",
                "--out",
                path_str(&out),
            ]))
            .assert_success();
            snapshot(&out)
        })
        .collect();
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&outs[0]), names(&outs[1]));
    for ((name, x), (_, y)) in outs[0].iter().zip(&outs[1]) {
        assert!(x == y, "{name} differs between 1 and 4 threads");
    }
}

#[test]
fn an_existing_output_folder_is_refused_without_force() {
    let f = Fixture::valid();
    std::fs::create_dir(f.out()).expect("mkdir out");
    std::fs::write(f.out().join("keep.txt"), "mine").expect("write");
    let r = f.profile_fails(&[]);
    r.assert_fails(1, &["already exists", "--force"]);
    assert_eq!(
        std::fs::read_to_string(f.out().join("keep.txt")).expect("kept"),
        "mine"
    );
    assert!(!f.out().join("report.html").exists());
}

#[test]
fn an_existing_output_folder_is_replaced_with_force() {
    let f = Fixture::valid();
    std::fs::create_dir(f.out()).expect("mkdir out");
    std::fs::write(f.out().join("stale.txt"), "old").expect("write");
    f.profile(&["--force"]);
    assert!(f.out().join("report.html").is_file());
    assert!(
        !f.out().join("stale.txt").exists(),
        "the old folder is replaced, not merged"
    );
}

#[test]
fn an_output_folder_that_is_the_input_folder_is_refused_even_with_force() {
    let f = Fixture::valid();
    let before = snapshot(&f.hall());
    let r = run(&[
        "profile",
        "--data",
        path_str(&f.hall()),
        "--out",
        path_str(&f.hall()),
        "--force",
    ]);
    r.assert_fails(1, &["would overwrite the input"]);
    assert_eq!(snapshot(&f.hall()), before, "the input folder is untouched");
}

#[test]
fn an_output_folder_that_holds_the_input_folder_is_refused() {
    let f = Fixture::valid();
    let before = snapshot(f.root());
    let r = run(&[
        "profile",
        "--data",
        path_str(&f.hall()),
        "--out",
        path_str(f.root()),
        "--force",
    ]);
    r.assert_fails(1, &["would overwrite the input"]);
    assert_eq!(snapshot(f.root()), before, "nothing is touched");
}

const SCRIPT: &str = "<script>alert(1)</script>";

#[test]
fn html_escapes_a_department_named_like_a_script() {
    let f = Fixture::valid()
        .with(
            "windows.csv",
            format!("{}X01,\"{SCRIPT}\",1,,,\n", crate::util::WINDOWS),
        )
        .with(
            "matters.csv",
            format!("{}M9,脚本,\"{SCRIPT}\",30,4,否,\n", crate::util::MATTERS),
        )
        .with(
            "tickets.csv",
            crate::util::tickets_with(&format!(
                "9,2020-06-01 10:00:00,2020-06-01 10:02:00,2020-06-01 10:06:00,X01,{SCRIPT},M9,served\n"
            )),
        );
    f.profile(&[]);
    let html = std::fs::read_to_string(f.out().join("report.html")).expect("report.html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the name is shown, escaped"
    );
    assert!(
        !html.contains("<script"),
        "report.html carries a script tag"
    );
    for (name, bytes) in snapshot(&f.out().join("charts")) {
        if name.ends_with(".svg") {
            let svg = String::from_utf8(bytes).expect("SVG is UTF-8");
            assert!(
                !svg.contains("<script"),
                "charts/{name} carries a script tag"
            );
        }
    }
    // The CSVs keep the name as data.
    let waits = std::fs::read_to_string(f.out().join("waits_by_department.csv")).expect("csv");
    assert!(waits.contains(SCRIPT));
}

#[test]
fn csv_neutralises_a_formula_like_matter_name() {
    let f = Fixture::valid().with(
        "matters.csv",
        format!(
            "{}M9,\"=HYPERLINK(\"\"x\"\")\",市场监管局,500,4,否,\n",
            crate::util::MATTERS
        ),
    );
    f.profile(&[]);
    let top = f.output_csv("top10_volume.csv");
    assert!(
        top.iter().flatten().any(|c| c == "'=HYPERLINK(\"x\")"),
        "the name is kept, with a leading quote: {top:?}"
    );
    for (name, _) in snapshot(&f.out()) {
        if !name.ends_with(".csv") {
            continue;
        }
        for row in f.output_csv(&name) {
            for cell in row {
                let formula = cell.starts_with(['=', '+', '@'])
                    || (cell.starts_with('-') && cell.parse::<f64>().is_err());
                assert!(!formula, "{name}: {cell:?} would run as a formula");
            }
        }
    }
}

/// Issue 13: `erlang --windows 3` at a load of 3 printed "unstable min" and exited 0.
#[test]
fn erlang_refuses_an_unstable_number_of_windows_and_says_how_many_settle() {
    let r = run(&[
        "erlang",
        "--arrivals-per-hour",
        "30",
        "--handle-min",
        "6",
        "--windows",
        "3",
    ]);
    r.assert_fails(2, &["--windows 3: unstable", "3.00 Erlangs", "4 windows"]);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

/// Issue 13: `erlang --windows 5 --target-wait-min 2` ignored the target silently.
#[test]
fn erlang_checks_given_windows_against_a_target_on_stdout() {
    let args = |target: &'static str| {
        [
            "erlang",
            "--arrivals-per-hour",
            "30",
            "--handle-min",
            "6",
            "--windows",
            "5",
            "--target-wait-min",
            target,
        ]
    };
    let r = run(&args("2"));
    r.assert_success();
    insta::assert_snapshot!("erlang_windows_against_a_target", r.stdout);
    let mut json = args("0.1").to_vec();
    json.push("--json");
    let r = run(&json);
    r.assert_success();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["windows"], 5);
    assert_eq!(v["targets"][0]["met"], false, "{v:#}");
    assert_eq!(v["targets"][0]["fewest_windows"], 7, "{v:#}");
}

/// Issue 13: `plan --write-model out/plan/model.lp` left no file: the output folder is
/// swapped in whole after the model was written into it.
#[test]
fn the_model_file_survives_inside_the_output_folder_and_gets_its_folders_outside() {
    let f = crate::util::Fixture::valid();
    let out = f.out();
    let inside = out.join("audit/model.lp");
    let outside = f.root().join("a/b/model.lp");
    for lp in [&inside, &outside] {
        let r = run(&[
            "plan",
            "--data",
            path_str(&f.hall()),
            "--out",
            path_str(&out),
            "--force",
            "--write-model",
            path_str(lp),
        ]);
        r.assert_success();
        let text = std::fs::read_to_string(lp).expect("the model file");
        assert!(text.to_lowercase().contains("subject to"), "{text}");
        // The plan's summary is the result, on stdout.
        assert!(!r.stdout.is_empty(), "nothing on stdout:\n{}", r.stderr);
    }
}

/// An infeasible window budget is explained by the cap that binds and what lifts it:
/// `--max-windows` here (today's 93 windows do not bind a budget of 20), never
/// `allow_growth`, which would not help.
#[test]
fn an_infeasible_budget_names_its_cap_and_the_remedy_that_lifts_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("o");
    let r = run(&["plan", "--max-windows", "20", "--out", path_str(&out)]);
    assert_eq!(r.code, Some(3), "{}", r.stderr);
    assert!(
        r.stderr.contains("with the window cap of 20"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("raise --max-windows"), "{}", r.stderr);
    assert!(!r.stderr.contains("allow_growth"), "{}", r.stderr);
}
