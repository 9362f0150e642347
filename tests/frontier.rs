//! The frontier keeps the recommended plan's channels and adds windows. Each window kept is
//! a person fewer for those channels' helpers and back office, so from some budget on the
//! staff no longer add up without hiring; the curve says so, point by point.

use crate::util::{path_str, read_csv, run};

#[test]
fn frontier_points_whose_staff_do_not_add_up_are_marked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (plan, frontier) = (dir.path().join("plan"), dir.path().join("frontier"));
    run(&["plan", "--out", path_str(&plan)]).assert_success();
    run(&["frontier", "--out", path_str(&frontier)]).assert_success();
    let p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(plan.join("plan.json")).expect("plan.json"))
            .expect("json");
    let backoffice = p["staff"]["backoffice"].as_u64().expect("back office");
    let table = read_csv(&frontier.join("frontier.csv"));
    let col = |name: &str| table[0].iter().position(|h| h == name).expect(name);
    let (budget, mark) = (col("max_windows"), col("mark"));
    let short = |row: &[String]| -> u64 {
        row[mark]
            .split("staff short by ")
            .nth(1)
            .map_or(0, |n| n.trim().parse().expect("a count"))
    };
    let rows = &table[1..];
    // The recommended plan's own staff add up.
    assert_eq!(short(&rows[0]), 0, "{:?}", rows[0]);
    // Each window more releases one person fewer and asks at most helper_share of one
    // fewer helper: the shortfall never falls as the budget grows.
    for pair in rows.windows(2) {
        assert!(short(&pair[1]) >= short(&pair[0]), "{pair:?}");
    }
    // With today's windows nobody is released, yet the back office the channels need is
    // still there: at least that many people are short.
    let last = rows.last().expect("rows");
    assert_eq!(last[budget], p["windows_before"].to_string());
    assert!(
        short(last) >= backoffice,
        "{last:?}: back office {backoffice}"
    );
    assert!(
        backoffice > 0,
        "the sample's plan moves approval work to the back office"
    );
}
