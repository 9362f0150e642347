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

fn yes_no(lang: crate::report::Lang, v: bool) -> Cell {
    Cell::text(if v {
        lang.say("是", "yes")
    } else {
        lang.say("否", "NO")
    })
}

pub fn add(r: &mut Report, plan: &Plan) {
    if plan.targets.is_empty() {
        return;
    }
    let lang = r.lang;
    r.heading(lang.label("Targets · 服务目标"));
    let missed: Vec<&str> = plan
        .targets
        .iter()
        .filter(|t| !t.model_met || t.replay_met == Some(false))
        .map(|t| t.department.as_str())
        .collect();
    let percentile = plan.targets.first().and_then(|t| t.percentile);
    r.para(lang.say(format!("各部门的平均等候目标：情景的 department_mean_wait_min 写明的为 `stated`，否则为默认（现状预测等候，不低于 wait_floor_min，不高于 max_mean_wait_min）。服务多个部门的联办或兜底窗口池按其中最严的目标。{}模型是用现状回测校准的瞬态分段模型（§3b）；回放是把记录中的取号按方案重放。{}",
        percentile.map(|q| format!("每个窗口池还须服务 {q}（percentile_target），按模型的 P(等候 > T) 和回放的比例。")).unwrap_or_default(),
        if missed.is_empty() { "两种评估下每个部门都达到目标。".to_string() } else { format!("未达标（模型或回放）：{}。", missed.join("、")) }),
        format!(
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
    )));
    let mut t = Table::new(
        "targets",
        &lang.say("各部门目标及方案是否达到（分钟；在分位数目标等候内被服务的比例）", "Targets per department and whether the plan meets them (minutes; shares served within the percentile target's wait)"),
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
            yes_no(lang, c.model_met),
            Cell::opt(c.replay_mean_min, 2),
            c.replay_share_within.map_or(Cell::Empty, Cell::Pct),
            c.replay_met.map_or(Cell::Empty, |v| yes_no(lang, v)),
        ]);
    }
    r.table(t);
}
