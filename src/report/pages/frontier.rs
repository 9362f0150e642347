//! The frontier page: least waiting for every window budget, the trade-off curve.

use super::chart;
use crate::charts;
use crate::error::Result;
use crate::planner::{FrontierPoint, PlanRun};
use crate::report::{Cell, Lang, Report, Table};

/// The frontier report and its JSON summary.
pub fn build(
    best: &PlanRun,
    points: &[FrontierPoint],
    lang: Lang,
) -> Result<(Report, serde_json::Value)> {
    let today = best.plan.windows_before;
    let mut r = Report::in_lang(lang, "Windows vs waiting · 窗口数与等候的权衡");
    let least = best.plan.windows_after;
    r.para(lang.say(
        format!("从可行的最少窗口（{least} 个）到现状（{today} 个），每个窗口预算下的最少等候。推荐方案：{least} 个窗口（达到每个目标的最少窗口）。"),
        format!("Least waiting for every window budget from the smallest feasible hall ({least} windows) to today's ({today}). Recommended plan: {least} windows (fewest windows that keep every target)."),
    ));
    let mut t = Table::new(
        "frontier",
        &lang.say(
            "每个窗口预算下的最少总等候",
            "Least total waiting per window budget",
        ),
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
        let mut mark = if *n == today {
            lang.say("现状窗口数", "today's count")
        } else if *n == best.plan.windows_after {
            lang.say("推荐", "recommended")
        } else {
            String::new()
        };
        if point.staff_short > 0 {
            let short = lang.say(
                format!("人员缺 {} 人", point.staff_short),
                format!("staff short by {}", point.staff_short),
            );
            mark = if mark.is_empty() {
                short
            } else {
                format!("{mark}; {short}")
            };
        }
        t.row(vec![
            Cell::Int(i64::from(*n)),
            Cell::Int(i64::from(*used)),
            Cell::num(*w, 0),
            Cell::opt(*m, 2),
            Cell::text(mark),
        ]);
    }
    r.table(t);
    if let Some(first) = points.iter().find(|p| p.staff_short > 0) {
        let n = first.max_windows;
        r.para(lang.say(
            format!("从 {n} 个窗口起，推荐方案的渠道所需的网办帮办和后台人员超过这些窗口释放的人员（未允许增加人员）：这些预算需要改变渠道或增加人员，表中标明缺少的人数。"),
            format!("From {n} windows on, the helpers and back office that the recommended plan's channels need exceed the staff those windows release (hiring not allowed): those budgets need other channels or hires; the table marks how many people are short."),
        ));
    }
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
        &lang.say("每个窗口预算下的平均等候", "Mean wait per window budget"),
        charts::lines(
            lang.label("窗口数与平均等候 · Mean wait (min) per window budget"),
            &lang.say("平均等候（分钟）", "mean wait, minutes"),
            &labels,
            &[
                (lang.say("等候最少的方案", "least waiting plan"), values),
                // Today's hall is one point (its windows, its wait), not a level line
                // across budgets it never had.
                (
                    lang.say(
                        format!("现状（{today} 个窗口）"),
                        format!("today ({today} windows)"),
                    ),
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
