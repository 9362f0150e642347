//! The sample's reports, pinned by insta snapshots (`tests/snapshots/`): any change to
//! what a reader of `report.md` sees shows up as a reviewed diff.

use crate::util::{path_str, redact, run, sample_hall};

fn report(command: &str) -> String {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join(command);
    run(&[
        command,
        "--data",
        path_str(sample_hall()),
        "--out",
        path_str(&out),
    ])
    .assert_success();
    redact(&std::fs::read_to_string(out.join("report.md")).expect("report.md"))
}

#[test]
fn the_sample_profile_report() {
    insta::assert_snapshot!("sample_profile_report", report("profile"));
}

#[test]
fn the_sample_plan_report() {
    insta::assert_snapshot!("sample_plan_report", report("plan"));
}
