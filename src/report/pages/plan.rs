//! The plan page: the decision tables of a plan (departments, pools, windows, matters,
//! staff), the backtest of today's hall, the hourly view and the policy.

use super::{chart, files_json};
use crate::charts;
use crate::error::Result;
use crate::ingest::Loaded;
use crate::model::{Calibration, Channel};
use crate::plan::{Action, CutReason, Plan};
use crate::planner::PlanRun;
use crate::report::{Cell, Lang, Report, Table};
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
    lang: Lang,
) -> Result<(Report, serde_json::Value)> {
    let plan = &run.plan;
    let mut r = Report::in_lang(lang, "Window plan · 窗口精简方案");
    r.heading(lang.label("Summary · 结论"));
    // The plan's summary is English (it is also the stdout of `plan`); Chinese is built
    // from the same figures.
    r.bullets(match lang {
        Lang::Zh => super::plan_summary::zh(plan),
        Lang::Both | Lang::En => plan.summary.clone(),
    });
    what_to_do(&mut r, plan, sims);
    r.heading(lang.label("How the plan was found · 方案说明"));
    let week = plan.slots == crate::model::Slots::Week;
    let (hours, days, vars, cons) = (
        hours_text(&plan.hours),
        plan.open_days_per_week,
        run.variables,
        run.constraints,
    );
    r.para(lang.say(
        format!("目标：{}。规划时段：{}的 {hours} 时，每周开放 {days} 天。混合整数规划：{vars} 个变量，{cons} 个约束（求解用时打印在标准错误上，以便输出逐字节可重复）。", plan.objective, if week { "每个开放工作日" } else { "典型日" }),
        format!("Objective: {}. Planning slots: hours {hours} {}, {days} open days a week. MILP: {vars} variables, {cons} constraints (solve time is printed on stderr so that outputs stay byte-identical).", plan.objective, if week { "of each open weekday" } else { "of a typical day" }),
    ));
    r.bullets(run.notes.clone());
    backtest(&mut r, plan, sims.map(|s| &s.0));
    departments(&mut r, plan)?;
    super::targets::add(&mut r, plan);
    pools(&mut r, plan, sims.map(|s| &s.1))?;
    windows(&mut r, plan);
    matters(&mut r, plan);
    staff(&mut r, plan)?;
    hourly(&mut r, plan)?;
    r.heading(lang.label("Policy · 参数"));
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
    let lang = r.lang;
    r.heading(lang.label("What to do, department by department · 各部门怎么做"));
    let comprehensive = plan.matters.iter().any(|m| m.channel == Channel::General);
    let mut worse = Vec::new();
    for d in &plan.departments {
        let windows: Vec<&crate::plan::PlanWindow> = plan
            .windows
            .iter()
            .filter(|w| w.department == d.department)
            .collect();
        let (name, before, after) = (&d.department, d.windows_before, d.windows_after);
        r.subheading(lang.say(
            format!("{name}：{before} → {after} 个窗口"),
            format!("{name}: {before} → {after} windows"),
        ));
        let mut lines = Vec::new();
        // Window ids by what happens to them, in the inventory's order.
        let mut by_action: Vec<(String, Vec<&str>)> = Vec::new();
        for w in &windows {
            use crate::plan::{Action, CutReason};
            let what = match (&w.action, w.reason) {
                (Action::Keep, _) if !w.pool.is_empty() && w.pool != d.department => lang.say(
                    format!("保留，改为服务{}", w.pool),
                    format!("kept, now serving {}", w.pool),
                ),
                (Action::Keep, _) => lang.say(
                    "保留在本部门（其事项仍在本部门窗口办理）",
                    "kept at the department (its matters stay at its own counter)",
                ),
                (Action::Fallback, _) if comprehensive => lang.mixed("made fallback (a comprehensive window, 综合窗口: serves the matters of every department sent there, walk-ins of online matters and back-office intake)", "改为兜底窗口（综合窗口：办理分派到此的各部门事项、网办事项的现场办理和后台收件）", "made fallback (a comprehensive window: serves the matters of every department sent there, walk-ins of online matters and back-office intake)"),
                (Action::Fallback, _) => lang.say(
                    "改为兜底窗口（办理网办事项的现场办理和后台收件）",
                    "made fallback (serves walk-ins of online matters and back-office intake)",
                ),
                (Action::Cut, Some(CutReason::Online)) => {
                    lang.say("撤销（其事项改为网上办理）", "cut (their matters go online)")
                }
                (Action::Cut, Some(CutReason::BackOffice)) => lang.say(
                    "撤销（其审批工作移至后台）",
                    "cut (their approval work moves to the back office)",
                ),
                (Action::Cut, Some(CutReason::General)) => lang.say(
                    "撤销（其事项移至综合窗口）",
                    "cut (their matters move to the comprehensive windows)",
                ),
                (Action::Cut, Some(CutReason::Merged)) => {
                    lang.say("撤销（并入联办窗口）", "cut (merged into a joint window)")
                }
                (Action::Cut, Some(CutReason::Surplus)) => lang.say(
                    "撤销（富余能力：其余窗口即可达到目标）",
                    "cut (surplus capacity: the rest keep the target)",
                ),
                (Action::Cut, None) => lang.say("撤销", "cut"),
                (Action::Joint(group), _) => lang.say(
                    format!("改为联办窗口（{group}：一个窗口办理该组的事项）"),
                    format!("made joint ({group}: one counter for the group's matters)"),
                ),
            };
            match by_action.iter_mut().find(|(k, _)| *k == what) {
                Some((_, ids)) => ids.push(&w.window_id),
                None => by_action.push((what, vec![&w.window_id])),
            }
        }
        for (what, ids) in &by_action {
            lines.push(lang.say(
                format!("{}：{what}", ids.join("、")),
                format!("{}: {what}", ids.join(", ")),
            ));
        }
        // Windows beyond today's inventory (a what-if of growth): the department's pool's
        // count after, less today's windows that now serve that pool. Its pool is the one
        // named after it, or (the fallback department, whose own pool is the fallback
        // pool) the pool its own windows went to — either with the department's count.
        let own_pool = plan
            .pools
            .iter()
            .filter(|p| p.windows_after == after)
            .find(|p| p.name == d.department)
            .or_else(|| {
                plan.pools
                    .iter()
                    .find(|p| p.windows_after == after && windows.iter().any(|w| w.pool == p.name))
            });
        let serving = own_pool.map_or(after, |pool| {
            plan.windows
                .iter()
                .filter(|w| w.action != crate::plan::Action::Cut && w.pool == pool.name)
                .count() as u32
        });
        if after > serving {
            let n = after - serving;
            lines.push(lang.say(
                format!("新开 {n} 个窗口（超出现有窗口，需配备人员）"),
                format!(
                    "{n} new window{} opened (beyond today's inventory; staff to be found)",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        // Which of its matters now go to the comprehensive windows (channel general).
        let general: Vec<&str> = plan
            .matters
            .iter()
            .filter(|m| m.department == d.department && m.channel == Channel::General)
            .map(|m| m.name.as_str())
            .collect();
        if !general.is_empty() {
            let n = general.len();
            let go = if n == 1 { "goes" } else { "go" };
            lines.push(lang.mixed(
                format!("now shares the comprehensive windows (综合窗口): {n} of its matters {go} there ({})", general.join(", ")),
                format!("与其他部门共用综合窗口：其 {n} 项事项移至综合窗口（{}）", general.join("、")),
                format!("now shares the comprehensive windows: {n} of its matters {go} there ({})", general.join(", ")),
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
            let each: Vec<String> = staff
                .iter()
                .map(|(k, n)| {
                    let one = *n == 1;
                    let to = match (k.as_str(), one) {
                        ("window", false) => lang.say("人留在窗口", "stay at windows"),
                        ("window", true) => lang.say("人留在窗口", "stays at a window"),
                        ("helper", false) => lang.say(
                            "人转为网办帮办（网办D小二）",
                            "become online-service helpers",
                        ),
                        ("helper", true) => lang.say(
                            "人转为网办帮办（网办D小二）",
                            "becomes an online-service helper",
                        ),
                        ("back office", false) => lang.say("人转到后台", "move to the back office"),
                        ("back office", true) => lang.say("人转到后台", "moves to the back office"),
                        ("released", _) => lang.say("人释放", "released"),
                        ("", _) => lang.say("人未分配", "unassigned"),
                        (other, _) => other.to_string(),
                    };
                    lang.say(format!("{n}{to}"), format!("{n} {to}"))
                })
                .collect();
            lines.push(lang.say(
                format!("人员：{}", each.join("，")),
                format!("staff: {}", each.join(", ")),
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
                    .map(|m| {
                        lang.say(
                            format!("（模型为 {m:.1}）"),
                            format!(" (the model says {m:.1})"),
                        )
                    })
                    .unwrap_or_default();
                let meets = a.mean_wait <= d.target_mean_min + 1e-9;
                let (mb, ma, pb, pa, target) = (
                    f(b.mean_wait),
                    f(a.mean_wait),
                    f(b.p90_wait),
                    f(a.p90_wait),
                    f(d.target_mean_min),
                );
                lines.push(lang.say(
                    format!("等候（按取号记录回放）：平均 {mb} → {ma} 分钟{model}，90分位 {pb} → {pa} 分钟；{}目标 {target} 分钟", if meets { "达到" } else { "未达到" }),
                    format!("wait (replay of the tickets): mean {mb} → {ma} min{model}, p90 {pb} → {pa} min; {} the target of {target} min", if meets { "meets" } else { "MISSES" }),
                ));
                let mut got = Vec::new();
                if a.mean_wait > b.mean_wait + 0.05 {
                    got.push(lang.say(
                        format!("平均等候 {mb} → {ma} 分钟"),
                        format!("mean wait {mb} → {ma} min"),
                    ));
                }
                if a.p90_wait > b.p90_wait + 0.5 {
                    got.push(lang.say(
                        format!("90分位等候 {pb} → {pa} 分钟"),
                        format!("p90 wait {pb} → {pa} min"),
                    ));
                }
                if !got.is_empty() {
                    worse.push(lang.say(
                        format!("{}：{}", d.department, got.join("，")),
                        format!("{}: {}", d.department, got.join(", ")),
                    ));
                }
            }
            _ => {
                let (mb, ma, target) = (
                    d.before_mean_min.map_or("–".into(), f),
                    d.after_mean_min.map_or("–".into(), f),
                    f(d.target_mean_min),
                );
                lines.push(lang.say(
                    format!("等候（模型）：平均 {mb} → {ma} 分钟；目标 {target} 分钟"),
                    format!("wait (model): mean {mb} → {ma} min; target {target} min"),
                ))
            }
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
                    let (n, mb, ma, pb, pa) =
                        (&p.name, b.mean_wait, p.mean_wait, b.p90_wait, p.p90_wait);
                    worse.push(lang.say(
                        format!("{n}（窗口池）：平均 {mb:.1} → {ma:.1} 分钟，90分位 {pb:.1} → {pa:.1} 分钟"),
                        format!("{n} (pool): mean {mb:.1} → {ma:.1} min, p90 {pb:.1} → {pa:.1} min"),
                    ));
                }
            }
        }
    }
    r.subheading(lang.label("What gets worse · 变差的"));
    if worse.is_empty() {
        r.para(lang.say(
            "按方案回放取号记录，没有部门的等候变长。",
            "No department waits longer in the replay of the tickets through the plan.",
        ));
    } else {
        r.para(lang.say("按方案回放取号记录，以下等候会变长（除上文注明外仍在目标之内）：", "Waits that rise in the replay of the tickets through the plan (still within their targets unless said above):"));
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
    let lang = r.lang;
    r.heading(lang.label("Backtest of today's hall · 现状回测"));
    let how = match plan.policy.calibration {
        Calibration::None => lang.say("方案直接使用排队公式（校准 \"none\"）。", "The plan uses the formula as it is (calibration \"none\")."),
        Calibration::Ratio => lang.say("方案使用校准后的公式（每个窗口池 实测 ÷ 公式，设上下限；校准 \"ratio\"）。", "The plan uses the calibrated formula (observed ÷ formula per pool, clamped; calibration \"ratio\")."),
        Calibration::Simulation => lang.say("方案使用校准后的公式（每个窗口池 实测 ÷ 公式，设上下限），再用这些取号记录回放方案的每个窗口池：回放平均等候未达目标的窗口池增开回放所需的窗口（校准 \"simulation\"，默认：回放能重现现状等候，公式不能）。", "The plan uses the calibrated formula (observed ÷ formula per pool, clamped), and every pool of the plan is then replayed with these tickets: a pool whose replayed mean wait misses its target gets the windows the replay needs (calibration \"simulation\", the default: the replay reproduces today's waits, the formula does not)."),
    };
    let week = plan.slots == crate::model::Slots::Week;
    r.para(lang.say(
        format!("用排队公式——瞬态分段模型（docs/model.md §3：每段开始时队列为空，每时段整数个窗口，受理时长用 Allen–Cunneen 近似；{}，窗口数取取号记录显示当天在岗的窗口）——以及把取号记录回放到在岗窗口，评估现状窗口，并与取号记录中的实际等候对比。{how}", if week { "每个开放工作日按其自身到达" } else { "每个开放日按典型日的到达" }),
        format!("Today's windows evaluated by the queueing formula — the transient session model (docs/model.md §3: every session opens empty, whole windows per slot, Allen–Cunneen for the handling times; {}, with the windows the tickets show on duty that day) — and by replaying the tickets through the staffed windows, against the waits the tickets show. {how}", if week { "each open weekday at its own arrivals" } else { "each open day at the typical day's arrivals" }),
    ));
    let mut t = Table::new(
        "backtest",
        &lang.say(
            "各窗口池回测：实测、公式与回放仿真（平均等候，分钟）",
            "Backtest per pool: observed vs formula vs trace simulation (mean wait, minutes)",
        ),
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
    let lang = r.lang;
    r.heading(lang.label("Departments before → after · 部门"));
    let mut t = Table::new(
        "departments",
        &lang.say(
            "各部门窗口数与预测平均等候（校准公式）",
            "Windows and predicted mean wait per department (calibrated formula)",
        ),
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
        title: lang.label("窗口 精简前后 · Windows before/after").into(),
        category: 0,
        values: vec![1, 2],
        axis: lang.say("窗口数", "windows"),
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
    let (b, a) = (lang.say("精简前", "before"), lang.say("精简后", "after"));
    r.chart(chart(
        "windows_by_department",
        &lang.say(
            "各部门精简前后的窗口数",
            "Windows per department before and after",
        ),
        charts::grouped_bars(
            lang.label("各部门窗口数 · Windows per department"),
            &lang.say("窗口数", "windows"),
            &cats,
            &[(b.clone(), before, None), (a.clone(), after, None)],
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
        &lang.say(
            "精简前后的预测平均等候",
            "Predicted mean wait before and after",
        ),
        charts::grouped_bars(
            lang.label("预测平均等候 · Predicted mean wait"),
            &lang.say("分钟", "minutes"),
            &cats,
            &[(b, wb, None), (a, wa, None)],
        ),
    )?);
    Ok(())
}

fn pools(r: &mut Report, plan: &Plan, plan_sim: Option<&SimResult>) -> Result<()> {
    let lang = r.lang;
    r.heading(lang.label("Pools · 窗口池"));
    let mut t = Table::new(
        "pools",
        &lang.say(
            "各窗口池精简前后：负荷、预测等候（公式）与仿真核对",
            "Pools before → after: load, predicted waits (formula) and the simulation check",
        ),
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
            let (n, f, s) = (&p.name, p.after_mean_min.unwrap_or(0.0), sim.unwrap_or(0.0));
            flags.push(lang.say(
                format!("{n}：公式 {f:.1} 分钟，仿真 {s:.1} 分钟"),
                format!("{n}: formula {f:.1} min vs simulation {s:.1} min"),
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
            Cell::text(if flag {
                lang.say("相差 > 20%", "differ > 20%")
            } else {
                String::new()
            }),
        ]);
    }
    r.table(t);
    if !flags.is_empty() {
        r.para(lang.say("公式与方案回放仿真相差超过 20% 的窗口池：", "Pools where the formula and the trace simulation of the plan disagree by more than 20 %:"));
        r.bullets(flags);
    }
    Ok(())
}

fn windows(r: &mut Report, plan: &Plan) {
    r.heading(r.lang.label("Windows · 窗口"));
    let mut t = Table::new(
        "windows",
        &r.lang.say(
            "每个窗口：处理、原因与人员去向",
            "Every window: action, reason and where its staff go",
        ),
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
    let lang = r.lang;
    let mut t = Table::new(
        "matters",
        &lang.say("各事项的办理渠道", "Channel per matter"),
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
    r.heading(lang.label("Matters · 事项"));
    let all = plan.matters.len();
    r.para(lang.say(
        format!("{all} 项事项中有 {moved} 项改变办理渠道；完整清单见 matters.csv。"),
        format!("{moved} of {all} matters change channel; the full list is in matters.csv."),
    ));
    t.show = Some(40);
    r.table(t);
}

fn staff(r: &mut Report, plan: &Plan) -> Result<()> {
    let lang = r.lang;
    r.heading(lang.label("Staff · 人员去向"));
    let s = &plan.staff;
    let mut t = Table::new(
        "staff",
        &lang.say("人员去向", "Where the staff go"),
        &["destination", "staff"],
    );
    for (k, v) in [
        (lang.say("留在窗口", "at windows"), s.at_windows),
        (
            lang.mixed(
                "online-service helpers (网办D小二)",
                "网办帮办（网办D小二）",
                "online-service helpers",
            ),
            s.helpers,
        ),
        (
            lang.mixed("back office (后台)", "后台", "back office"),
            s.backoffice,
        ),
        (lang.say("释放", "released"), s.released),
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
    r.para(lang.say("人随事走：因审批工作移至后台而撤销的窗口，其人员优先转到后台；因事项改为网办而撤销的窗口，其人员优先转为网办帮办；其余人员补足剩下的帮办和后台岗位，再余下的释放。", "The staff follow their work: a window cut because its approval work moves to the back office sends its staff to the back office first, one cut because its matters go online sends them to be online-service helpers first; the other staff fill the remaining helper and back-office places, and the rest are released."));
    let mut t = Table::new(
        "staff_by_reason",
        &lang.say(
            "撤销窗口的人员，按撤销原因",
            "Staff of cut windows by why the window was cut",
        ),
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
        (
            lang.mixed("窗口 at windows", "窗口", "at windows"),
            f64::from(s.at_windows),
        ),
        (
            lang.mixed("网办D小二 helpers", "网办D小二", "helpers"),
            f64::from(s.helpers),
        ),
        (
            lang.mixed("后台 back office", "后台", "back office"),
            f64::from(s.backoffice),
        ),
        (lang.say("释放", "released"), f64::from(s.released)),
    ];
    let n = plan.windows_before;
    r.chart(chart(
        "staff_flows",
        &lang.say("人员去向", "Where the staff go"),
        charts::bars(
            lang.label(&format!("人员去向 · Staff of {n} windows")),
            &lang.say("人数", "staff"),
            &items,
        ),
    )?);
    Ok(())
}

fn hourly(r: &mut Report, plan: &Plan) -> Result<()> {
    let lang = r.lang;
    r.heading(lang.label("Hourly load vs capacity · 分时负荷"));
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
        &lang.say(
            "方案实施后各时段的负荷（爱尔兰）与窗口数",
            "Offered load (Erlangs) per hour after the plan, and windows",
        ),
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
        &lang.say("分时负荷与窗口能力", "Hourly load vs capacity"),
        charts::lines(
            lang.label("分时负荷与窗口 · Load vs windows after the plan"),
            &lang.say("爱尔兰 / 窗口数", "Erlangs / windows"),
            &labels,
            &[
                (lang.say("负荷", "offered load"), load),
                (lang.say("窗口数", "windows"), vec![Some(cap); labels.len()]),
            ],
        ),
    )?);
    Ok(())
}
