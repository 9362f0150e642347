//! The before/after page: waits per department and for the hall with bootstrap
//! intervals and a verdict, tickets and windows per day, the plan's prediction against
//! the outcome, and the footfall change.

use super::chart;
use crate::charts;
use crate::compare::{self, Change, Side, Stats};
use crate::error::Result;
use crate::hall::time;
use crate::plan::Plan;
use crate::report::{Cell, Lang, Report, Table};

fn stat_cells(s: &Stats) -> Vec<Cell> {
    vec![
        Cell::num(s.tickets_per_day, 1),
        Cell::Pct(s.no_show_rate),
        Cell::num(s.windows_per_day, 1),
        Cell::opt(s.mean, 2),
        Cell::opt(s.median, 2),
        Cell::opt(s.p90, 2),
        s.share_over_10.map_or(Cell::Empty, Cell::Pct),
        s.share_over_20.map_or(Cell::Empty, Cell::Pct),
    ]
}

fn name(k: &str, lang: Lang) -> String {
    if k.is_empty() {
        lang.mixed("全厅 (whole hall)", "全厅", "whole hall")
    } else {
        k.to_string()
    }
}

/// A verdict in the report's language.
fn verdict(v: compare::Verdict, lang: Lang) -> String {
    use compare::Verdict;
    let zh = match v {
        Verdict::Better => "变好（等候缩短）",
        Verdict::Worse => "变差（等候变长）",
        Verdict::NoDetectableChange => "无可检测的变化",
        Verdict::TooFewTickets => "取号太少，无法判断",
    };
    lang.say(zh, v.words())
}

/// What `compare` shows, beside the two sides: the permutations and their seed.
pub fn build(
    sb: &std::collections::BTreeMap<String, Side>,
    sa: &std::collections::BTreeMap<String, Side>,
    boot: compare::Resampling,
    plan: Option<&Plan>,
    sim: Option<&crate::simulate::SimResult>,
    footfall: Option<&[crate::hall::Footfall]>,
    lang: Lang,
) -> Result<(Report, serde_json::Value, Vec<String>)> {
    let name = |k: &str| name(k, lang);
    let mut keys: Vec<&String> = sb.keys().filter(|k| sa.contains_key(*k)).collect();
    keys.sort_by_key(|k| (k.is_empty(), k.to_string()));
    let only_before: Vec<&String> = sb.keys().filter(|k| !sa.contains_key(*k)).collect();
    let only_after: Vec<&String> = sa.keys().filter(|k| !sb.contains_key(*k)).collect();
    let changes: Vec<(String, Stats, Stats, Change)> = compare::by_department(sb, sa, &keys, boot)?
        .into_iter()
        .map(|(k, b, a, c)| (name(&k), b, a, c))
        .collect();
    let mut r = Report::in_lang(lang, "Before/after waiting times · 精简前后等候对比");
    r.heading(lang.label("Verdict · 结论"));
    // The verdicts: the report's in its language, stdout's (returned) in English.
    let (mut lines, mut shown) = (Vec::new(), Vec::new());
    for (n, b, a, c) in &changes {
        let (mb, ma) = (fmt(b.mean), fmt(a.mean));
        let change = c.mean_change.map_or("–".into(), |v| format!("{v:+.1}"));
        let ci = |zh: bool| {
            c.mean_ci
                .map(|(lo, hi)| match zh {
                    true => format!("（95% 区间 {lo:+.2} 至 {hi:+.2}）"),
                    false => format!(" (95% CI {lo:+.2} to {hi:+.2})"),
                })
                .unwrap_or_default()
        };
        let en = format!(
            "{n}: mean wait {mb} → {ma} min, change {change}{}: {}.",
            ci(false),
            c.verdict.words()
        );
        shown.push(lang.say(
            format!(
                "{n}：平均等候 {mb} → {ma} 分钟，变化 {change}{}：{}。",
                ci(true),
                verdict(c.verdict, lang)
            ),
            en.clone(),
        ));
        lines.push(en);
    }
    r.bullets(shown);
    r.para(lang.say("95% 区间是实测变化，按同样这些天随机分成同样大小的两个时期时变化的摆动幅度加宽：如果什么都没变，一个部门被判为变好或变差的比较最多占 5%。", compare::INTERVAL_MEANING));
    let (n, seed, served, days) = (
        boot.permutations,
        boot.seed,
        compare::MIN_SERVED,
        compare::MIN_DAYS,
    );
    r.para(lang.say(
        format!("方法：按天做学生化置换检验（{n} 次随机分配，种子 {seed}），因为同一天的等候一起涨落；一个部门每一侧至少要有 {days} 天共 {served} 张已服务的取号才给出结论。"),
        format!("How: a studentised permutation test over days ({n} random deals, seed {seed}), because waits of one day move together; a department needs at least {served} served tickets on {days} days on each side for a verdict."),
    ));
    let mut notes = Vec::new();
    let (only_b, only_a) = (
        lang.say("仅之前有", "only before"),
        lang.say("仅之后有", "only after"),
    );
    if !only_before.is_empty() {
        notes.push(format!(
            "{only_b}: {}",
            only_before
                .iter()
                .map(|k| name(k))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !only_after.is_empty() {
        notes.push(format!(
            "{only_a}: {}",
            only_after
                .iter()
                .map(|k| name(k))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    r.bullets(notes);
    let cols = [
        "department",
        "before_tickets_per_day",
        "before_no_show",
        "before_windows_per_day",
        "before_mean",
        "before_median",
        "before_p90",
        "before_over_10",
        "before_over_20",
        "after_tickets_per_day",
        "after_no_show",
        "after_windows_per_day",
        "after_mean",
        "after_median",
        "after_p90",
        "after_over_10",
        "after_over_20",
    ];
    let mut t = Table::new(
        "departments",
        &lang.say(
            "各部门之前与之后（等候以分钟计，仅已服务的取号）",
            "Per department: before and after (waits in minutes, served tickets)",
        ),
        &cols,
    );
    t.xlsx_chart = Some(crate::report::XlsxChart {
        title: lang
            .label("平均等候 精简前后 · Mean wait before/after")
            .into(),
        category: 0,
        values: vec![4, 12],
        axis: lang.say("分钟", "minutes"),
    });
    for (n, b, a, _) in &changes {
        let mut row = vec![Cell::text(n)];
        row.extend(stat_cells(b));
        row.extend(stat_cells(a));
        t.row(row);
    }
    r.heading(lang.label("Departments · 部门"));
    r.table(t);
    let mut t = Table::new(
        "changes",
        &lang.say(
            "等候变化（之后 − 之前）及 95% 置换区间",
            "Change in wait (after − before) with 95% permutation intervals",
        ),
        &[
            "department",
            "mean_change",
            "mean_ci_low",
            "mean_ci_high",
            "p_value",
            "p90_change",
            "p90_ci_low",
            "p90_ci_high",
            "verdict",
        ],
    );
    for (n, _, _, c) in &changes {
        t.row(vec![
            Cell::text(n),
            Cell::opt(c.mean_change, 2),
            Cell::opt(c.mean_ci.map(|x| x.0), 2),
            Cell::opt(c.mean_ci.map(|x| x.1), 2),
            Cell::opt(c.p_value, 3),
            Cell::opt(c.p90_change, 2),
            Cell::opt(c.p90_ci.map(|x| x.0), 2),
            Cell::opt(c.p90_ci.map(|x| x.1), 2),
            Cell::text(verdict(c.verdict, lang)),
        ]);
    }
    r.table(t);
    let cats: Vec<String> = changes.iter().map(|c| c.0.clone()).collect();
    let bm: Vec<f64> = changes
        .iter()
        .map(|c| c.1.mean.unwrap_or(f64::NAN))
        .collect();
    let am: Vec<f64> = changes
        .iter()
        .map(|c| c.2.mean.unwrap_or(f64::NAN))
        .collect();
    let (before, after) = (lang.say("之前", "before"), lang.say("之后", "after"));
    r.chart(chart(
        "waits_before_after",
        &lang.say("之前与之后的平均等候", "Mean wait before and after"),
        charts::grouped_bars(
            lang.label("平均等候 精简前后 · Mean wait before/after"),
            &lang.say("分钟", "minutes"),
            &cats,
            &[(before.clone(), bm, None), (after.clone(), am, None)],
        ),
    )?);
    // The change itself with its interval: a bar left of zero is shorter waits. Drawn
    // around the change, not around the after bar (which showed negative waits).
    let dm: Vec<f64> = changes
        .iter()
        .map(|c| c.3.mean_change.unwrap_or(f64::NAN))
        .collect();
    let ci: Vec<(f64, f64)> = changes
        .iter()
        .map(|c| c.3.mean_ci.unwrap_or((f64::NAN, f64::NAN)))
        .collect();
    r.chart(chart(
        "change_in_mean_wait",
        &lang.say("平均等候变化（之后 − 之前）及其 95% 区间；零左侧为等候缩短", "Change in mean wait (after − before) with its 95% interval; left of zero is shorter waits"),
        charts::grouped_bars(
            lang.label("平均等候变化及95%区间 · Change in mean wait (after − before), 95% interval"),
            &lang.say("分钟（负数 = 等候缩短）", "minutes (negative = shorter waits)"),
            &cats,
            &[(lang.say("变化", "change"), dm, Some(ci))],
        ),
    )?);
    let hall_key = String::new();
    if let (Some(b), Some(a)) = (sb.get(&hall_key), sa.get(&hall_key)) {
        r.chart(chart(
            "wait_distribution",
            &lang.say(
                "之前与之后等候超过 x 分钟的比例",
                "Share of visitors who waited longer than x minutes, before and after",
            ),
            share_waiting_longer(b, a, [before, after], lang),
        )?);
        per_day(&mut r, b, a)?;
    }
    if let Some(p) = plan {
        report_card(&mut r, p, sim, &changes);
    }
    if let Some(f) = footfall {
        footfall_change(&mut r, f, sb, sa);
    }
    let summary = serde_json::json!({
        "departments": changes.iter().map(|(n, b, a, c)| serde_json::json!({"department": n, "before": b, "after": a, "change": c})).collect::<Vec<_>>(),
        "permutations": boot.permutations,
        "seed": boot.seed,
    });
    Ok((r, summary, lines))
}

/// The share of served visitors who waited longer than x minutes, x from 0 to the 99th
/// percentile of both periods: every visitor counts, unlike a histogram whose first bin
/// (most visitors wait under two minutes) flattens the rest.
fn share_waiting_longer(
    b: &Side,
    a: &Side,
    names: [String; 2],
    lang: Lang,
) -> std::result::Result<charts::Rendered, charts::ChartError> {
    let p99 = [b, a]
        .iter()
        .filter_map(|s| crate::stats::quantile(&s.waits, 0.99))
        .fold(1.0f64, f64::max);
    let sides = [b, a];
    super::share_waiting_longer_chart(p99, &names, lang, |k, x| {
        let s = sides[k];
        (!s.waits.is_empty()).then(|| {
            // Waits are sorted: the first index above x.
            let above = s.waits.len() - s.waits.partition_point(|&w| w <= x);
            100.0 * above as f64 / s.waits.len() as f64
        })
    })
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1}"))
}

fn per_day(r: &mut Report, b: &Side, a: &Side) -> Result<()> {
    let lang = r.lang;
    let mut t = Table::new(
        "per_day",
        &lang.say("每日取号与在用窗口", "Tickets and windows in use per day"),
        &["period", "date", "tickets", "windows_in_use", "mean_wait"],
    );
    let mut labels = Vec::new();
    let mut tickets = Vec::new();
    let mut windows = Vec::new();
    // per_day.csv is data only (not shown): its period stays a key.
    for (period, side) in [("before", b), ("after", a)] {
        for (day, d) in &side.days {
            let m = (d.served > 0).then(|| d.sum / d.served as f64);
            t.row(vec![
                Cell::text(period),
                Cell::text(time::format_date(*day)),
                Cell::Int(d.tickets as i64),
                Cell::Int(d.windows.len() as i64),
                Cell::opt(m, 2),
            ]);
            labels.push(time::format_date(*day)[5..].to_string());
            tickets.push(Some(d.tickets as f64));
            windows.push(Some(d.windows.len() as f64 * 10.0));
        }
    }
    r.data_only(t);
    r.chart(chart(
        "per_day",
        &lang.say("每日取号与在用窗口", "Tickets and windows in use per day"),
        charts::lines(
            lang.label("每日取号与在用窗口 · Tickets and windows (×10) per day"),
            &lang.say("每日", "per day"),
            &labels,
            &[
                (lang.say("取号", "tickets"), tickets),
                (lang.say("在用窗口 ×10", "windows in use ×10"), windows),
            ],
        ),
    )?);
    Ok(())
}

fn report_card(
    r: &mut Report,
    p: &Plan,
    sim: Option<&crate::simulate::SimResult>,
    changes: &[(String, Stats, Stats, Change)],
) {
    let lang = r.lang;
    r.heading(lang.label("Predicted vs actual · 模型成绩单"));
    let mut t = Table::new("prediction", &lang.say("方案的预测（公式与仿真）与实际结果（之后的平均等候，分钟）", "The plan's prediction (formula and simulation) against what happened (mean wait after, minutes)"), &["department", "predicted_formula", "predicted_simulation", "actual", "formula_error", "simulation_error", "windows_planned"]);
    for d in &p.departments {
        let actual = changes
            .iter()
            .find(|c| c.0 == d.department)
            .and_then(|c| c.2.mean);
        let s = sim
            .and_then(|s| s.departments.iter().find(|g| g.name == d.department))
            .map(|g| g.mean_wait);
        let err = |x: Option<f64>| match (x, actual) {
            (Some(x), Some(a)) if a > 0.0 => Cell::Pct(x / a - 1.0),
            _ => Cell::Empty,
        };
        t.row(vec![
            Cell::text(&d.department),
            Cell::opt(d.after_mean_min, 2),
            Cell::opt(s, 2),
            Cell::opt(actual, 2),
            err(d.after_mean_min),
            err(s),
            Cell::Int(i64::from(d.windows_after)),
        ]);
    }
    r.table(t);
}

fn footfall_change(
    r: &mut Report,
    f: &[crate::hall::Footfall],
    sb: &std::collections::BTreeMap<String, Side>,
    sa: &std::collections::BTreeMap<String, Side>,
) {
    let span = |s: Option<&Side>| {
        s.and_then(|s| Some((*s.days.keys().next()?, *s.days.keys().next_back()?)))
    };
    let hall = String::new();
    let (Some((b0, b1)), Some((a0, a1))) = (span(sb.get(&hall)), span(sa.get(&hall))) else {
        return;
    };
    let per_day = |a: i64, b: i64| -> Option<f64> {
        let v: Vec<u64> = f
            .iter()
            .filter(|x| (a..=b).contains(&time::day(x.at)))
            .map(|x| x.count)
            .collect();
        let days: std::collections::BTreeSet<i64> = f
            .iter()
            .map(|x| time::day(x.at))
            .filter(|d| (a..=b).contains(d))
            .collect();
        (!days.is_empty()).then(|| v.iter().sum::<u64>() as f64 / days.len() as f64)
    };
    let lang = r.lang;
    r.heading(lang.label("Footfall · 人流量"));
    match (per_day(b0, b1), per_day(a0, a1)) {
        (Some(x), Some(y)) if x > 0.0 => {
            let change = (y / x - 1.0) * 100.0;
            r.para(lang.say(
                format!("每个开放日人流量：之前 {x:.0}，之后 {y:.0}（{change:+.1}%）。"),
                format!("Footfall per open day: {x:.0} before, {y:.0} after ({change:+.1}%)."),
            ))
        }
        _ => r.para(lang.say(
            "人流量文件没有覆盖两个时期。",
            "The footfall file does not cover both periods.",
        )),
    }
}
