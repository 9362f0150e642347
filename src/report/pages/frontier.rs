//! The frontier page: least waiting for every window budget, the trade-off curve.

use super::chart;
use crate::charts;
use crate::error::Result;
use crate::planner::{FrontierPoint, PlanRun};
use crate::report::{Cell, Report, Table};

/// The frontier report and its JSON summary.
pub fn build(best: &PlanRun, points: &[FrontierPoint]) -> Result<(Report, serde_json::Value)> {
    let today = best.plan.windows_before;
    let mut r = Report::new("Windows vs waiting · 窗口数与等候的权衡");
    r.para(format!("Least waiting for every window budget from the smallest feasible hall ({} windows) to today's ({today}). Recommended plan: {} windows (fewest windows that keep every target).", best.plan.windows_after, best.plan.windows_after));
    let mut t = Table::new(
        "frontier",
        "Least total waiting per window budget",
        &[
            "max_windows",
            "windows_used",
            "waiting_person_min_per_day",
            "mean_wait_min",
            "mark",
        ],
    );
    for point in points {
        let (n, used, w, m) = (
            &point.max_windows,
            &point.windows,
            &point.waiting_person_min_per_day,
            &point.mean_wait_min,
        );
        let mark = if *n == today {
            "today's count"
        } else if *n == best.plan.windows_after {
            "recommended"
        } else {
            ""
        };
        t.row(vec![
            Cell::Int(i64::from(*n)),
            Cell::Int(i64::from(*used)),
            Cell::num(*w, 0),
            Cell::opt(*m, 2),
            Cell::text(mark),
        ]);
    }
    r.table(t);
    let labels: Vec<String> = points.iter().map(|p| p.max_windows.to_string()).collect();
    let values: Vec<Option<f64>> = points.iter().map(|p| p.mean_wait_min).collect();
    // Today's arrival-weighted mean wait over the pools that exist today (a pool new in
    // the plan, such as the fallback pool, has no "before" wait and does not count).
    let (num, den) = best
        .plan
        .pools
        .iter()
        .filter_map(|p| {
            let w = p.before_mean_min?;
            Some((p.before_arrivals_per_day * w, p.before_arrivals_per_day))
        })
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let today_mean = (den > 0.0).then(|| num / den);
    r.chart(chart(
        "frontier",
        "Mean wait per window budget",
        charts::lines(
            "窗口数与平均等候 · Mean wait (min) per window budget",
            "mean wait, minutes",
            &labels,
            &[
                ("least waiting plan".into(), values),
                // Today's hall is one point (its windows, its wait), not a level line
                // across budgets it never had.
                (
                    format!("today ({today} windows)"),
                    points
                        .iter()
                        .map(|p| (p.max_windows == today).then_some(today_mean).flatten())
                        .collect(),
                ),
            ],
        ),
    )?);
    let summary = serde_json::json!({
        "recommended_windows": best.plan.windows_after,
        "today_windows": today,
        "points": points.iter().map(|p| serde_json::json!({"max_windows": p.max_windows, "windows": p.windows, "waiting_person_min_per_day": p.waiting_person_min_per_day, "mean_wait_min": p.mean_wait_min})).collect::<Vec<_>>(),
    });
    Ok((r, summary))
}
