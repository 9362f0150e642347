//! `compare` end to end on the bundled before/after sample: the report folder, a verdict
//! per department that follows its interval, the same bytes for the same seed, and the
//! footfall of both periods read once (`--footfall` was declared twice on `compare`).

use std::path::Path;

use crate::util::{path_str, read_csv, run, sample_hall};

fn after_hall() -> &'static Path {
    sample_hall()
        .parent()
        .map(|p| p.join("binjiang-after"))
        .map(|p| &*Box::leak(p.into_boxed_path()))
        .expect("the sample's parent folder")
}

fn compare(out: &Path, extra: &[&str]) -> crate::util::Run {
    let mut args = vec![
        "compare",
        "--before",
        path_str(sample_hall()),
        "--after",
        path_str(after_hall()),
        "--resamples",
        "200",
        "--out",
        path_str(out),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn compare_writes_the_report_and_a_verdict_that_follows_each_interval() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("cmp");
    let r = compare(&out, &[]);
    r.assert_success();
    for f in [
        "report.md",
        "report.html",
        "compare.xlsx",
        "summary.json",
        "changes.csv",
        "departments.csv",
        "rejected_rows.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
    )
    .expect("summary.json is JSON");
    assert_eq!(v["permutations"], 200);
    let departments = v["departments"].as_array().expect("departments");
    assert!(departments.len() > 5, "{v:#}");

    // "better" / "worse" only when the 95 % interval of the change excludes zero.
    let changes = read_csv(&out.join("changes.csv"));
    let col = |name: &str| {
        changes[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {:?}", changes[0]))
    };
    let (lo, hi, verdict) = (col("mean_ci_low"), col("mean_ci_high"), col("verdict"));
    let mut verdicts = 0;
    for row in &changes[1..] {
        let (Ok(l), Ok(h)) = (row[lo].parse::<f64>(), row[hi].parse::<f64>()) else {
            continue;
        };
        verdicts += 1;
        match row[verdict].as_str() {
            v if v.starts_with("better") => assert!(h < 0.0, "{row:?}"),
            v if v.starts_with("worse") => assert!(l > 0.0, "{row:?}"),
            "no detectable change" => assert!(l <= 0.0 && h >= 0.0, "{row:?}"),
            _ => {}
        }
    }
    assert!(verdicts > 0, "no department has an interval: {changes:?}");
}

#[test]
fn compare_is_byte_identical_for_the_same_seed() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    compare(&a, &[]).assert_success();
    compare(&b, &[]).assert_success();
    assert_eq!(crate::util::snapshot(&a), crate::util::snapshot(&b));
}

#[test]
fn compare_reads_the_footfall_of_both_periods_once() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("cmp");
    let footfall = sample_hall().join("footfall.csv");
    let r = compare(&out, &["--footfall", path_str(&footfall)]);
    r.assert_success();
    let report = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(report.to_lowercase().contains("footfall"), "{report}");
}

#[test]
fn a_period_without_tickets_is_unusable_input_naming_the_dates_the_export_covers() {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("cmp");
    let r = run(&[
        "compare",
        "--data",
        path_str(sample_hall()),
        "--before-range",
        "2021-01-01..2021-01-31",
        "--after-range",
        "2020-06-15..2020-06-26",
        "--out",
        path_str(&out),
    ]);
    r.assert_fails(
        2,
        &[
            "before period 2021-01-01..2021-01-31: no tickets",
            "cover 2020-06-01..2020-06-26",
        ],
    );
    assert!(!out.exists());
}
