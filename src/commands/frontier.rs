//! `hallplan frontier`: least waiting for every window budget, the trade-off curve.

use super::profile::chart;
use crate::charts;
use crate::cli::FrontierArgs;
use crate::error::{Error, Result};
use crate::optimise::{self, Objective};

use crate::report::{self, Cell, Report, Table};

pub fn run(args: FrontierArgs) -> Result<()> {
    let (out, policy, loaded) = super::planning_inputs(
        &args.data,
        &args.out,
        args.scenario.as_ref(),
        &args.set,
        "frontier",
    )?;
    let mut prep = optimise::prepare(&loaded.hall, &policy)?;
    prep.input.solver = args.solver;
    let best = super::solve_checked(&prep, &loaded.hall, &policy, Objective::FewestWindows)?;
    let today = best.plan.windows_before;
    // The curve keeps the recommended plan's channels and spends each extra window where
    // it cuts the most waiting (optimal for those channels: waiting is convex in windows).
    let channels: Vec<crate::model::Channel> = best
        .plan
        .matters
        .iter()
        .zip(&prep.model.matters)
        .map(|(m, md)| {
            md.channels
                .iter()
                .copied()
                .find(|c| c.as_str() == m.channel)
                .unwrap_or(md.today)
        })
        .collect();
    let flows = crate::model::evaluate::flows(&prep.model, &channels, &policy);
    let mut windows: Vec<u32> = best.plan.pools.iter().map(|p| p.windows_after).collect();
    let mut points = Vec::new();
    for n in best.plan.windows_after..=today.max(best.plan.windows_after) {
        let used: u32 = windows.iter().sum();
        if n > used {
            optimise::plan::spend_windows(&prep, &flows, &mut windows, n - used);
        }
        let (waiting, mean) = optimise::plan::waiting_of(&prep, &flows, &windows);
        points.push((n, windows.iter().sum::<u32>(), waiting, mean));
    }
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
    for (n, used, w, m) in &points {
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
    let labels: Vec<String> = points.iter().map(|p| p.0.to_string()).collect();
    let values: Vec<Option<f64>> = points.iter().map(|p| p.3).collect();
    let today_mean = mean_today(&best.plan);
    r.chart(chart(
        "frontier",
        "Mean wait per window budget",
        charts::lines(
            "窗口数与平均等候 · Mean wait (min) per window budget",
            "mean wait, minutes",
            &labels,
            &[
                ("least waiting plan".into(), values),
                (
                    "today's hall (93 windows as they are)".replace("93", &today.to_string()),
                    vec![today_mean; labels.len()],
                ),
            ],
        ),
    )?);
    let summary = serde_json::json!({
        "recommended_windows": best.plan.windows_after,
        "today_windows": today,
        "points": points.iter().map(|p| serde_json::json!({"max_windows": p.0, "windows": p.1, "waiting_person_min_per_day": p.2, "mean_wait_min": p.3})).collect::<Vec<_>>(),
    });
    let bundle = report::render(&r, &summary).map_err(|e| Error::Solver(e.to_string()))?;
    super::commit(&out, bundle)
}

/// Arrival-weighted mean wait over the pools of a plan.
pub fn mean_wait(plan: &optimise::Plan) -> Option<f64> {
    let mut num = 0.0;
    let mut den = 0.0;
    for p in &plan.pools {
        num += p.after_arrivals_per_day * p.after_mean_min?;
        den += p.after_arrivals_per_day;
    }
    (den > 0.0).then(|| num / den)
}

fn mean_today(plan: &optimise::Plan) -> Option<f64> {
    let mut num = 0.0;
    let mut den = 0.0;
    for p in &plan.pools {
        num += p.before_arrivals_per_day * p.before_mean_min?;
        den += p.before_arrivals_per_day;
    }
    (den > 0.0).then(|| num / den)
}
