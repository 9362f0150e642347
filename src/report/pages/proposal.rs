//! The proposal's page (`simulate --proposal`): per department and pool, today's hall
//! against the proposed inventory — the mean and p90 wait of the trace replay, and the
//! planning model's mean (the transient session model of §3b, calibrated on today's
//! backtest — the evaluator a plan is judged by, so that a proposal and a plan of the same
//! inventory agree).

use crate::plan::Plan;
use crate::report::{Cell, Report, Table};
use crate::simulate::{GroupResult, SimResult};

const COLS: [&str; 10] = [
    "level",
    "name",
    "windows_before",
    "windows_proposed",
    "mean_before",
    "p90_before",
    "mean_proposed",
    "p90_proposed",
    "model_mean_before",
    "model_mean_proposed",
];

/// Adds the before-vs-proposed section to the simulation's report. `as_is` is today's
/// inventory read by the same rules as the proposal (for the model's before).
pub fn add(
    r: &mut Report,
    file: &str,
    proposal: &Plan,
    as_is: &Plan,
    today: &SimResult,
    after: &SimResult,
) {
    let lang = r.lang;
    r.heading(lang.label("Proposal · 方案评估"));
    r.para(lang.say(format!("{}。把现状的取号记录回放到方案的窗口清单（{file}）：事项去其合并组的联办窗口（方案有的话），否则去本部门窗口，否则去兜底（综合）窗口。等候以分钟计；`model` 是规划模型（§3b 的瞬态分段模型，每段开始时队列为空，用现状回测校准：评判方案的依据），现状一列用取号记录显示在岗的窗口，方案一列窗口全天开放。plan.json 以方案形式保存该提案，供 `compare --plan` 使用。", proposal.summary.join("；")), format!(
        "{}. Today's tickets replayed through the proposed inventory ({file}): a matter goes to the joint windows of its merge group where the proposal has them, else to its department's own windows, else to the fallback (comprehensive) windows. Waits in minutes; `model` is the planning model (the transient session model of §3b, each session opening empty, calibrated on today's backtest: the evaluator a plan is judged by), today's column with the windows the tickets show staffed, the proposal's with its windows open all day. plan.json holds the proposal as a plan, for `compare --plan`.",
        proposal.summary.join("; ")
    )));
    let mut t = Table::new(
        "proposal",
        &lang.say(
            "现状与方案：回放的平均和90分位等候，及模型的平均等候（分钟）",
            "Before vs proposed: replayed mean and p90 wait, and the model's mean (minutes)",
        ),
        &COLS,
    );
    let find = |gs: &[GroupResult], name: &str| -> Option<(f64, f64)> {
        gs.iter()
            .find(|g| g.name == name && g.served > 0)
            .map(|g| (g.mean_wait, g.p90_wait))
    };
    for d in &proposal.departments {
        let (b, a) = (
            find(&today.departments, &d.department),
            find(&after.departments, &d.department),
        );
        if b.is_none() && a.is_none() {
            continue;
        }
        let model_before = as_is
            .departments
            .iter()
            .find(|x| x.department == d.department)
            .and_then(|x| x.after_mean_min);
        t.row(vec![
            Cell::text("department"),
            Cell::text(&d.department),
            Cell::Int(i64::from(d.windows_before)),
            Cell::Int(i64::from(d.windows_after)),
            Cell::opt(b.map(|x| x.0), 2),
            Cell::opt(b.map(|x| x.1), 2),
            Cell::opt(a.map(|x| x.0), 2),
            Cell::opt(a.map(|x| x.1), 2),
            Cell::opt(model_before, 2),
            Cell::opt(d.after_mean_min, 2),
        ]);
    }
    for p in &proposal.pools {
        let before_windows = as_is
            .pools
            .iter()
            .find(|x| x.name == p.name)
            .map_or(0, |x| x.windows_after);
        let model_before = as_is
            .pools
            .iter()
            .find(|x| x.name == p.name)
            .and_then(|x| x.after_mean_min);
        let (b, a) = (find(&today.pools, &p.name), find(&after.pools, &p.name));
        t.row(vec![
            Cell::text("pool"),
            Cell::text(&p.name),
            Cell::Int(i64::from(before_windows)),
            Cell::Int(i64::from(p.windows_after)),
            Cell::opt(b.map(|x| x.0), 2),
            Cell::opt(b.map(|x| x.1), 2),
            Cell::opt(a.map(|x| x.0), 2),
            Cell::opt(a.map(|x| x.1), 2),
            Cell::opt(model_before, 2),
            Cell::opt(p.after_mean_min, 2),
        ]);
    }
    {
        let (b, a) = (&today.hall, &after.hall);
        t.row(vec![
            Cell::text("hall"),
            Cell::text(lang.mixed("全厅 (whole hall)", "全厅", "whole hall")),
            Cell::Int(i64::from(proposal.windows_before)),
            Cell::Int(i64::from(proposal.windows_after)),
            Cell::num(b.mean_wait, 2),
            Cell::num(b.p90_wait, 2),
            Cell::num(a.mean_wait, 2),
            Cell::num(a.p90_wait, 2),
            Cell::opt(as_is.mean_wait_after(), 2),
            Cell::opt(proposal.mean_wait_after(), 2),
        ]);
    }
    r.table(t);
}
