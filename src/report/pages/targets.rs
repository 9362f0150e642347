//! The plan report's targets section (issue 14 item 6): the target each department was
//! held to — stated in the scenario or the default — and whether the plan meets it by the
//! model (§3b, calibrated) and by the trace replay. Only when the scenario states targets,
//! so that plans without them keep their pages byte for byte.

use crate::plan::Plan;
use crate::report::{Cell, Report, Table};

const COLS: [&str; 10] = [
    "department",
    "source",
    "mean_target",
    "percentile_target",
    "model_mean",
    "model_share_within",
    "model_met",
    "replay_mean",
    "replay_share_within",
    "replay_met",
];

fn yes_no(v: bool) -> Cell {
    Cell::text(if v { "yes" } else { "NO" })
}

pub fn add(r: &mut Report, plan: &Plan) {
    if plan.targets.is_empty() {
        return;
    }
    r.heading("Targets · 服务目标");
    let missed: Vec<&str> = plan
        .targets
        .iter()
        .filter(|t| !t.model_met || t.replay_met == Some(false))
        .map(|t| t.department.as_str())
        .collect();
    r.para(format!(
        "Each department's mean-wait target: `stated` where the scenario's department_mean_wait_min names it, else the default (today's predicted wait raised to wait_floor_min, capped by max_mean_wait_min). A joint or fallback pool serving several departments is held to the strictest of their targets. {}The model is the transient session model (§3b) calibrated on today's backtest; the replay plays the log's tickets through the plan. {}",
        plan.targets
            .first()
            .and_then(|t| t.percentile)
            .map(|q| format!("Every pool must also serve {q} (percentile_target), by the model's P(wait > T) and by the replay's share. "))
            .unwrap_or_default(),
        if missed.is_empty() {
            "Every department meets its targets under both.".to_string()
        } else {
            format!("Missed (model or replay): {}.", missed.join(", "))
        }
    ));
    let mut t = Table::new(
        "targets",
        "Targets per department and whether the plan meets them (minutes; shares served within the percentile target's wait)",
        &COLS,
    );
    for c in &plan.targets {
        t.row(vec![
            Cell::text(&c.department),
            Cell::text(&c.source),
            Cell::num(c.mean_target_min, 2),
            c.percentile
                .map_or(Cell::Empty, |q| Cell::text(q.to_string())),
            Cell::opt(c.model_mean_min, 2),
            c.model_share_within.map_or(Cell::Empty, Cell::Pct),
            yes_no(c.model_met),
            Cell::opt(c.replay_mean_min, 2),
            c.replay_share_within.map_or(Cell::Empty, Cell::Pct),
            c.replay_met.map_or(Cell::Empty, yes_no),
        ]);
    }
    r.table(t);
}
