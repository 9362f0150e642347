//! The plan page: the decision tables of a plan (departments, pools, windows, matters,
//! staff), the backtest of today's hall, the hourly view and the policy.

use super::{chart, files_json};
use crate::charts;
use crate::error::Result;
use crate::ingest::Loaded;
use crate::model::{Calibration, Channel};
use crate::plan::{Action, CutReason, Plan};
use crate::planner::PlanRun;
use crate::report::{Cell, Report, Table};
use crate::simulate::SimResult;

fn opt(v: Option<f64>) -> Cell {
    Cell::opt(v, 2)
}

/// Relative error of a prediction against an observation.
fn rel(pred: Option<f64>, obs: Option<f64>) -> Option<f64> {
    match (pred, obs) {
        (Some(p), Some(o)) if o > 0.0 => Some(p / o - 1.0),
        _ => None,
    }
}

pub fn build(
    loaded: &Loaded,
    run: &PlanRun,
    sims: Option<&(SimResult, SimResult)>,
) -> Result<(Report, serde_json::Value)> {
    let plan = &run.plan;
    let mut r = Report::new("Window plan · 窗口精简方案");
    r.heading("Summary · 结论");
    r.bullets(plan.summary.clone());
    what_to_do(&mut r, plan, sims);
    r.heading("How the plan was found · 方案说明");
    let days = match plan.slots {
        crate::model::Slots::Week => "of each open weekday",
        _ => "of a typical day",
    };
    r.para(format!("Objective: {}. Planning slots: hours {} {days}, {} open days a week. MILP: {} variables, {} constraints (solve time is printed on stderr so that outputs stay byte-identical).", plan.objective, hours_text(&plan.hours), plan.open_days_per_week, run.variables, run.constraints));
    r.bullets(run.notes.clone());
    backtest(&mut r, plan, sims.map(|s| &s.0));
    departments(&mut r, plan)?;
    super::targets::add(&mut r, plan);
    pools(&mut r, plan, sims.map(|s| &s.1))?;
    windows(&mut r, plan);
    matters(&mut r, plan);
    staff(&mut r, plan)?;
    hourly(&mut r, plan)?;
    r.heading("Policy · 参数");
    r.bullets(plan.policy.lines());
    let summary = serde_json::json!({
        "windows_before": plan.windows_before,
        "windows_after": plan.windows_after,
        "milp_windows": run.milp_windows,
        "objective": plan.objective,
        "waiting_person_min_per_day": plan.waiting_person_min_per_day,
        "staff": plan.staff,
        "departments": plan.departments,
        "files": files_json(loaded),
        "summary": plan.summary,
    });
    Ok((r, summary))
}

/// What a planner does with each department, first in the report: the windows today →
/// after, which window ids are kept, made joint, made fallback or cut and why, where the
/// staff go, and the waits before → after against the target. One "after" figure per
/// department, the replay's (the tickets of the log played through the plan's windows),
/// with the model's beside it where the two differ; then everything that gets worse.
fn what_to_do(r: &mut Report, plan: &Plan, sims: Option<&(SimResult, SimResult)>) {
    fn group<'a>(
        sim: Option<&'a SimResult>,
        name: &str,
    ) -> Option<&'a crate::simulate::GroupResult> {
        sim.and_then(|s| s.departments.iter().find(|g| g.name == name))
            .filter(|g| g.served > 0)
    }
    r.heading("What to do, department by department · 各部门怎么做");
    let comprehensive = plan.matters.iter().any(|m| m.channel == Channel::General);
    let mut worse = Vec::new();
    for d in &plan.departments {
        let windows: Vec<&crate::plan::PlanWindow> = plan
            .windows
            .iter()
            .filter(|w| w.department == d.department)
            .collect();
        r.subheading(format!(
            "{}: {} → {} windows",
            d.department, d.windows_before, d.windows_after
        ));
        let mut lines = Vec::new();
        // Window ids by what happens to them, in the inventory's order.
        let mut by_action: Vec<(String, Vec<&str>)> = Vec::new();
        for w in &windows {
            use crate::plan::{Action, CutReason};
            let what = match (&w.action, w.reason) {
                (Action::Keep, _) if !w.pool.is_empty() && w.pool != d.department => {
                    format!("kept, now serving {}", w.pool)
                }
                (Action::Keep, _) => {
                    "kept at the department (its matters stay at its own counter)".to_string()
                }
                (Action::Fallback, _) if comprehensive => "made fallback (a comprehensive window, 综合窗口: serves the matters of every department sent there, walk-ins of online matters and back-office intake)".to_string(),
                (Action::Fallback, _) => {
                    "made fallback (serves walk-ins of online matters and back-office intake)"
                        .to_string()
                }
                (Action::Cut, Some(CutReason::Online)) => {
                    "cut (their matters go online)".to_string()
                }
                (Action::Cut, Some(CutReason::BackOffice)) => {
                    "cut (their approval work moves to the back office)".to_string()
                }
                (Action::Cut, Some(CutReason::General)) => {
                    "cut (their matters move to the comprehensive windows)".to_string()
                }
                (Action::Cut, Some(CutReason::Merged)) => {
                    "cut (merged into a joint window)".to_string()
                }
                (Action::Cut, Some(CutReason::Surplus)) => {
                    "cut (surplus capacity: the rest keep the target)".to_string()
                }
                (Action::Cut, None) => "cut".to_string(),
                (Action::Joint(group), _) => {
                    format!("made joint ({group}: one counter for the group's matters)")
                }
            };
            match by_action.iter_mut().find(|(k, _)| *k == what) {
                Some((_, ids)) => ids.push(&w.window_id),
                None => by_action.push((what, vec![&w.window_id])),
            }
        }
        for (what, ids) in &by_action {
            lines.push(format!("{}: {}", ids.join(", "), what));
        }
        // Which of its matters now go to the comprehensive windows (channel general).
        let general: Vec<&str> = plan
            .matters
            .iter()
            .filter(|m| m.department == d.department && m.channel == Channel::General)
            .map(|m| m.name.as_str())
            .collect();
        if !general.is_empty() {
            lines.push(format!(
                "now shares the comprehensive windows (综合窗口): {} of its matters {} there ({})",
                general.len(),
                if general.len() == 1 { "goes" } else { "go" },
                general.join(", ")
            ));
        }
        // Where the staff of these windows go.
        let mut staff: Vec<(String, u32)> = Vec::new();
        for w in &windows {
            let to = w.staff_destination.to_string();
            match staff.iter_mut().find(|(k, _)| *k == to) {
                Some((_, n)) => *n += w.staff,
                None => staff.push((to, w.staff)),
            }
        }
        if !staff.is_empty() {
            lines.push(format!(
                "staff: {}",
                staff
                    .iter()
                    .map(|(k, n)| {
                        let one = *n == 1;
                        let to = match (k.as_str(), one) {
                            ("window", false) => "stay at windows",
                            ("window", true) => "stays at a window",
                            ("helper", false) => "become online-service helpers",
                            ("helper", true) => "becomes an online-service helper",
                            ("back office", false) => "move to the back office",
                            ("back office", true) => "moves to the back office",
                            ("released", _) => "released",
                            ("", _) => "unassigned",
                            (other, _) => other,
                        };
                        format!("{n} {to}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let (before, after) = (
            group(sims.map(|s| &s.0), &d.department),
            group(sims.map(|s| &s.1), &d.department),
        );
        let f = |v: f64| format!("{v:.1}");
        match (before, after) {
            (Some(b), Some(a)) => {
                let model = d
                    .after_mean_min
                    .filter(|m| (m - a.mean_wait).abs() >= 0.5)
                    .map(|m| format!(" (the model says {m:.1})"))
                    .unwrap_or_default();
                let verdict = if a.mean_wait <= d.target_mean_min + 1e-9 {
                    "meets"
                } else {
                    "MISSES"
                };
                lines.push(format!(
                    "wait (replay of the tickets): mean {} → {} min{model}, p90 {} → {} min; {verdict} the target of {} min",
                    f(b.mean_wait),
                    f(a.mean_wait),
                    f(b.p90_wait),
                    f(a.p90_wait),
                    f(d.target_mean_min)
                ));
                let mut got = Vec::new();
                if a.mean_wait > b.mean_wait + 0.05 {
                    got.push(format!(
                        "mean wait {} → {} min",
                        f(b.mean_wait),
                        f(a.mean_wait)
                    ));
                }
                if a.p90_wait > b.p90_wait + 0.5 {
                    got.push(format!(
                        "p90 wait {} → {} min",
                        f(b.p90_wait),
                        f(a.p90_wait)
                    ));
                }
                if !got.is_empty() {
                    worse.push(format!("{}: {}", d.department, got.join(", ")));
                }
            }
            _ => lines.push(format!(
                "wait (model): mean {} → {} min; target {} min",
                d.before_mean_min.map_or("–".into(), f),
                d.after_mean_min.map_or("–".into(), f),
                f(d.target_mean_min)
            )),
        }
        r.bullets(lines);
    }
    // Pools that exist on both sides (e.g. the comprehensive windows that become the
    // fallback pool) are departments of the log too; the plan-only pools are listed.
    if let Some((today, after)) = sims {
        for p in &after.pools {
            if plan.departments.iter().any(|d| d.department == p.name) {
                continue;
            }
            if let Some(b) = today.pools.iter().find(|b| b.name == p.name) {
                if p.p90_wait > b.p90_wait + 0.5 || p.mean_wait > b.mean_wait + 0.05 {
                    worse.push(format!(
                        "{} (pool): mean {:.1} → {:.1} min, p90 {:.1} → {:.1} min",
                        p.name, b.mean_wait, p.mean_wait, b.p90_wait, p.p90_wait
                    ));
                }
            }
        }
    }
    r.subheading("What gets worse · 变差的");
    if worse.is_empty() {
        r.para("No department waits longer in the replay of the tickets through the plan.");
    } else {
        r.para("Waits that rise in the replay of the tickets through the plan (still within their targets unless said above):");
        r.bullets(worse);
    }
}

fn hours_text(h: &[u32]) -> String {
    h.iter()
        .map(|h| format!("{h:02}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn backtest(r: &mut Report, plan: &Plan, today_sim: Option<&SimResult>) {
    r.heading("Backtest of today's hall · 现状回测");
    let how = match plan.policy.calibration {
        Calibration::None => "The plan uses the formula as it is (calibration \"none\").",
        Calibration::Ratio => "The plan uses the calibrated formula (observed ÷ formula per pool, clamped; calibration \"ratio\").",
        Calibration::Simulation => "The plan uses the calibrated formula (observed ÷ formula per pool, clamped), and every pool of the plan is then replayed with these tickets: a pool whose replayed mean wait misses its target gets the windows the replay needs (calibration \"simulation\", the default: the replay reproduces today's waits, the formula does not).",
    };
    let slots = match plan.slots {
        crate::model::Slots::Week => "each open weekday at its own arrivals",
        _ => "each open day at the typical day's arrivals",
    };
    r.para(format!("Today's windows evaluated by the queueing formula — the transient session model (docs/model.md §3: every session opens empty, whole windows per slot, Allen–Cunneen for the handling times; {slots}, with the windows the tickets show on duty that day) — and by replaying the tickets through the staffed windows, against the waits the tickets show. {how}"));
    let mut t = Table::new(
        "backtest",
        "Backtest per pool: observed vs formula vs trace simulation (mean wait, minutes)",
        &[
            "pool",
            "windows",
            "observed",
            "formula",
            "formula_error",
            "calibration",
            "simulated",
            "simulation_error",
        ],
    );
    for p in plan.pools.iter().filter(|p| p.windows_before > 0) {
        let sim = today_sim
            .and_then(|s| s.pools.iter().find(|g| g.name == p.name))
            .map(|g| g.mean_wait);
        t.row(vec![
            Cell::text(&p.name),
            Cell::Int(i64::from(p.windows_before)),
            opt(p.observed_mean_min),
            opt(p.formula_mean_min),
            rel(p.formula_mean_min, p.observed_mean_min).map_or(Cell::Empty, Cell::Pct),
            Cell::num(p.calibration, 2),
            opt(sim),
            rel(sim, p.observed_mean_min).map_or(Cell::Empty, Cell::Pct),
        ]);
    }
    r.table(t);
}

fn departments(r: &mut Report, plan: &Plan) -> Result<()> {
    r.heading("Departments before → after · 部门");
    let mut t = Table::new(
        "departments",
        "Windows and predicted mean wait per department (calibrated formula)",
        &[
            "department",
            "windows_before",
            "windows_after",
            "observed_wait",
            "predicted_before",
            "predicted_after",
            "target",
            "tickets_per_day",
            "arrivals_per_day_after",
        ],
    );
    t.xlsx_chart = Some(crate::report::XlsxChart {
        title: "窗口 精简前后 · Windows before/after".into(),
        category: 0,
        values: vec![1, 2],
        axis: "windows".into(),
    });
    for d in &plan.departments {
        t.row(vec![
            Cell::text(&d.department),
            Cell::Int(i64::from(d.windows_before)),
            Cell::Int(i64::from(d.windows_after)),
            opt(d.observed_mean_min),
            opt(d.before_mean_min),
            opt(d.after_mean_min),
            Cell::num(d.target_mean_min, 2),
            Cell::num(d.tickets_per_day_before, 1),
            Cell::num(d.arrivals_per_day_after, 1),
        ]);
    }
    r.table(t);
    let cats: Vec<String> = plan
        .departments
        .iter()
        .map(|d| d.department.clone())
        .collect();
    let before: Vec<f64> = plan
        .departments
        .iter()
        .map(|d| f64::from(d.windows_before))
        .collect();
    let after: Vec<f64> = plan
        .departments
        .iter()
        .map(|d| f64::from(d.windows_after))
        .collect();
    r.chart(chart(
        "windows_by_department",
        "Windows per department before and after",
        charts::grouped_bars(
            "各部门窗口数 · Windows per department",
            "windows",
            &cats,
            &[
                ("before".into(), before, None),
                ("after".into(), after, None),
            ],
        ),
    )?);
    let wb: Vec<f64> = plan
        .departments
        .iter()
        .map(|d| d.before_mean_min.unwrap_or(0.0))
        .collect();
    let wa: Vec<f64> = plan
        .departments
        .iter()
        .map(|d| d.after_mean_min.unwrap_or(0.0))
        .collect();
    r.chart(chart(
        "waits_before_after",
        "Predicted mean wait before and after",
        charts::grouped_bars(
            "预测平均等候 · Predicted mean wait",
            "minutes",
            &cats,
            &[("before".into(), wb, None), ("after".into(), wa, None)],
        ),
    )?);
    Ok(())
}

fn pools(r: &mut Report, plan: &Plan, plan_sim: Option<&SimResult>) -> Result<()> {
    r.heading("Pools · 窗口池");
    let mut t = Table::new(
        "pools",
        "Pools before → after: load, predicted waits (formula) and the simulation check",
        &[
            "pool",
            "kind",
            "windows_before",
            "windows_after",
            "arrivals_per_day",
            "peak_load",
            "mean_before",
            "mean_after",
            "p90_after",
            "target",
            "simulated_after",
            "formula_vs_sim",
            "flag",
        ],
    );
    let mut flags = Vec::new();
    for p in &plan.pools {
        let sim = plan_sim
            .and_then(|s| s.pools.iter().find(|g| g.name == p.name))
            .filter(|g| g.served > 0)
            .map(|g| g.mean_wait);
        let diff = rel(p.after_mean_min, sim);
        let flag = diff.is_some_and(|d| d.abs() > 0.2)
            && p.after_mean_min.unwrap_or(0.0).max(sim.unwrap_or(0.0)) > 1.0;
        if flag {
            flags.push(format!(
                "{}: formula {:.1} min vs simulation {:.1} min",
                p.name,
                p.after_mean_min.unwrap_or(0.0),
                sim.unwrap_or(0.0)
            ));
        }
        t.row(vec![
            Cell::text(&p.name),
            Cell::text(p.kind.to_string()),
            Cell::Int(i64::from(p.windows_before)),
            Cell::Int(i64::from(p.windows_after)),
            Cell::num(p.after_arrivals_per_day, 1),
            Cell::num(p.after_peak_load, 2),
            opt(p.before_mean_min),
            opt(p.after_mean_min),
            opt(p.after_p90_min),
            Cell::num(p.target_mean_min, 2),
            opt(sim),
            diff.map_or(Cell::Empty, Cell::Pct),
            Cell::text(if flag { "differ > 20%" } else { "" }),
        ]);
    }
    r.table(t);
    if !flags.is_empty() {
        r.para("Pools where the formula and the trace simulation of the plan disagree by more than 20 %:");
        r.bullets(flags);
    }
    Ok(())
}

fn windows(r: &mut Report, plan: &Plan) {
    r.heading("Windows · 窗口");
    let mut t = Table::new(
        "windows",
        "Every window: action, reason and where its staff go",
        &[
            "window_id",
            "department",
            "action",
            "reason",
            "pool",
            "staff",
            "staff_destination",
        ],
    );
    for w in &plan.windows {
        t.row(vec![
            Cell::text(&w.window_id),
            Cell::text(&w.department),
            Cell::text(w.action.to_string()),
            Cell::text(w.reason.map_or("", CutReason::as_str)),
            Cell::text(&w.pool),
            Cell::Int(i64::from(w.staff)),
            Cell::text(w.staff_destination.to_string()),
        ]);
    }
    t.show = Some(120);
    r.table(t);
}

fn matters(r: &mut Report, plan: &Plan) {
    let mut t = Table::new(
        "matters",
        "Channel per matter",
        &[
            "matter_id",
            "matter",
            "department",
            "weekly_volume",
            "channel",
            "pool",
        ],
    );
    for m in &plan.matters {
        t.row(vec![
            Cell::text(&m.matter_id),
            Cell::text(&m.name),
            Cell::text(&m.department),
            Cell::num(m.weekly_volume, 1),
            Cell::text(m.channel.as_str()),
            Cell::text(&m.pool),
        ]);
    }
    let moved = plan
        .matters
        .iter()
        .filter(|m| m.channel != Channel::Counter)
        .count();
    r.heading("Matters · 事项");
    r.para(format!(
        "{moved} of {} matters change channel; the full list is in matters.csv.",
        plan.matters.len()
    ));
    t.show = Some(40);
    r.table(t);
}

fn staff(r: &mut Report, plan: &Plan) -> Result<()> {
    r.heading("Staff · 人员去向");
    let s = &plan.staff;
    let mut t = Table::new("staff", "Where the staff go", &["destination", "staff"]);
    for (k, v) in [
        ("at windows", s.at_windows),
        ("online-service helpers (网办D小二)", s.helpers),
        ("back office (后台)", s.backoffice),
        ("released", s.released),
    ] {
        t.row(vec![Cell::text(k), Cell::Int(i64::from(v))]);
    }
    r.table(t);
    // The staff follow their work (model.md §5): why each window was cut and where its
    // staff go.
    let mut by_reason: std::collections::BTreeMap<(String, String), u32> = Default::default();
    for w in plan.windows.iter().filter(|w| w.action == Action::Cut) {
        let reason = w.reason.map_or(String::new(), |x| x.to_string());
        *by_reason
            .entry((reason, w.staff_destination.to_string()))
            .or_default() += w.staff;
    }
    r.para("The staff follow their work: a window cut because its approval work moves to the back office sends its staff to the back office first, one cut because its matters go online sends them to be online-service helpers first; the other staff fill the remaining helper and back-office places, and the rest are released.");
    let mut t = Table::new(
        "staff_by_reason",
        "Staff of cut windows by why the window was cut",
        &["reason", "staff_destination", "staff"],
    );
    for ((reason, dest), n) in by_reason {
        t.row(vec![
            Cell::text(reason),
            Cell::text(dest),
            Cell::Int(i64::from(n)),
        ]);
    }
    r.table(t);
    let items = vec![
        ("窗口 at windows".to_string(), f64::from(s.at_windows)),
        ("网办D小二 helpers".to_string(), f64::from(s.helpers)),
        ("后台 back office".to_string(), f64::from(s.backoffice)),
        ("released".to_string(), f64::from(s.released)),
    ];
    r.chart(chart(
        "staff_flows",
        "Where the staff go",
        charts::bars(
            &format!("人员去向 · Staff of {} windows", plan.windows_before),
            "staff",
            &items,
        ),
    )?);
    Ok(())
}

fn hourly(r: &mut Report, plan: &Plan) -> Result<()> {
    r.heading("Hourly load vs capacity · 分时负荷");
    let labels: Vec<String> = plan.hours.iter().map(|h| format!("{h:02}")).collect();
    let load: Vec<Option<f64>> = (0..plan.hours.len())
        .map(|h| {
            Some(
                plan.pools
                    .iter()
                    .map(|p| p.after_load.get(h).copied().unwrap_or(0.0))
                    .sum(),
            )
        })
        .collect();
    let cap = f64::from(plan.windows_after);
    let mut t = Table::new(
        "hourly_load",
        "Offered load (Erlangs) per hour after the plan, and windows",
        &["hour", "load_erlangs", "windows"],
    );
    for (k, h) in plan.hours.iter().enumerate() {
        t.row(vec![
            Cell::Int(i64::from(*h)),
            Cell::opt(load[k], 2),
            Cell::Int(i64::from(plan.windows_after)),
        ]);
    }
    r.data_only(t);
    r.chart(chart(
        "hourly_load",
        "Hourly load vs capacity",
        charts::lines(
            "分时负荷与窗口 · Load vs windows after the plan",
            "Erlangs / windows",
            &labels,
            &[
                ("offered load".into(), load),
                ("windows".into(), vec![Some(cap); labels.len()]),
            ],
        ),
    )?);
    Ok(())
}
