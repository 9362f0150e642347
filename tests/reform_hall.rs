//! A hall after a reform (issue 14, input.md): departments that keep no window of their
//! own, whose matters fallback (comprehensive) or joint windows serve, load, validate and
//! profile. A matter that no window at all can serve stays fatal
//! (`broken_input::a_matter_whose_department_has_no_window_is_fatal_and_names_both`).

use std::path::Path;

use crate::util::{count, Fixture, MATTERS, WINDOWS};

#[test]
fn a_department_without_windows_loads_when_a_fallback_window_serves_it() {
    let f = Fixture::valid()
        .with(
            "windows.csv",
            format!("{WINDOWS}F01,综合窗口,1,fallback,,false\n"),
        )
        .with(
            "matters.csv",
            format!("{MATTERS}M3,户籍迁移,公安局,10,5,否,\n"),
        );
    let v = f.validate_json(&[]);
    assert_eq!(count(&v, "matters", "accepted"), 3);
    f.profile(&[]).assert_success();
}

#[test]
fn a_department_without_windows_loads_when_the_joint_window_of_its_group_serves_it() {
    let f = Fixture::valid()
        .with(
            "windows.csv",
            format!("{WINDOWS}J01,企业开办专窗,1,joint,企业开办,false\n"),
        )
        .with(
            "matters.csv",
            "matter_id,matter_name,department,weekly_volume,avg_handle_min,merge_group\n\
             M1,营业执照,市场监管局,100,10,企业开办\n\
             M2,发票领用,税务局,50,5,\n\
             M3,印章刻制,公安局,10,5,企业开办\n",
        );
    let v = f.validate_json(&[]);
    assert_eq!(count(&v, "matters", "accepted"), 3);
}

#[test]
fn the_binjiang_hall_after_its_reform_validates_and_profiles_with_the_full_catalogue() {
    // data/binjiang-after keeps windows for 9 of the catalogue's 21 departments: the rest
    // are served at its 17 fallback windows and 7 joint enterprise set-up windows.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let f = Fixture::empty()
        .with(
            "windows.csv",
            std::fs::read(repo.join("binjiang-after/windows.csv")).expect("reads"),
        )
        .with(
            "tickets.csv",
            std::fs::read(repo.join("binjiang-after/tickets.csv")).expect("reads"),
        )
        .with(
            "matters.csv",
            std::fs::read(repo.join("binjiang/matters.csv")).expect("reads"),
        );
    let v = f.validate_json(&[]);
    assert_eq!(count(&v, "matters", "rejected"), 0);
    assert_eq!(count(&v, "windows", "accepted"), 46);
    let r = f.profile(&[]);
    r.assert_success();
    let waits = f.output_csv("waits_by_department.csv");
    assert!(
        waits.iter().any(|row| row.iter().any(|c| c == "司法局")),
        "a department without windows has its waits profiled: {waits:?}"
    );
}
