//! The simulation page: today's hall and the plan side by side, per pool and department,
//! the backtest against the observed waits, and the hourly charts.

use super::chart;
use crate::charts;
use crate::error::Result;
use crate::report::{Cell, Lang, Report, Table};
use crate::simulate::{GroupResult, SimResult};

fn group_rows(t: &mut Table, label: &str, groups: &[GroupResult]) {
    for g in groups {
        t.row(vec![
            Cell::text(label),
            Cell::text(&g.name),
            Cell::Int(g.customers as i64),
            Cell::Int(g.served as i64),
            Cell::Int(g.abandoned as i64),
            Cell::Int(g.left_online as i64),
            Cell::num(g.mean_wait, 2),
            Cell::opt(g.mean_ci_half_width, 2),
            Cell::num(g.p50_wait, 2),
            Cell::num(g.p90_wait, 2),
            Cell::num(g.max_wait, 1),
            g.utilisation.map_or(Cell::Empty, Cell::Pct),
        ]);
    }
}

const COLS: [&str; 12] = [
    "configuration",
    "group",
    "customers",
    "served",
    "abandoned",
    "left_online",
    "mean_wait",
    "mean_ci95",
    "p50_wait",
    "p90_wait",
    "max_wait",
    "utilisation",
];

pub fn build(
    hall: &crate::hall::Hall,
    today: &SimResult,
    after: Option<&SimResult>,
    lang: Lang,
) -> Result<(Report, serde_json::Value)> {
    let mut r = Report::in_lang(lang, "Simulation · 仿真");
    let trace = today.mode == "trace";
    let (mode, seed, n) = (&today.mode, today.seed, today.replications);
    r.para(lang.say(
        format!("模式：{mode}（{}），种子 {seed}，{n} 次重复。等候以分钟计；仅计已服务的办事人（不含过号）。", if trace { "每张取号保留自己的取号时间和受理时长" } else { "按分时到达率的泊松到达，伽马分布的受理时长" }),
        format!("Mode: {mode} ({}), seed {seed}, {n} replication(s). Waits in minutes; served customers only (no-shows excluded).", if trace { "each ticket keeps its own issue and handling time" } else { "Poisson arrivals at the hourly rates, gamma handling times" }),
    ));
    if today.mode == "trace" && today.configuration != "today" {
        // The observed waits are at the log's own demand: no backtest at another.
        let c = &today.configuration;
        r.para(lang.say(
            format!("按不同于记录的需求回放（{c}；model.md §7：需求下降时抽稀取号，增长时补入其他日期同星期同时段的取号）：不与实测等候回测。"),
            format!("Replayed at another demand than the log's ({c}; model.md §7: a fall thins the tickets, a growth adds tickets of the same weekday and hour of other days): no backtest against the observed waits."),
        ));
    } else if today.mode == "trace" && !today.departments.is_empty() {
        backtest(&mut r, hall, today);
    }
    r.heading(lang.label("Pools · 窗口池"));
    let mut t = Table::new(
        "pools",
        &lang.say(
            "各窗口池：现状与（--plan 时）方案",
            "Per pool: today and (with --plan) the plan",
        ),
        &COLS,
    );
    group_rows(&mut t, "today", &today.pools);
    if let Some(a) = after {
        group_rows(&mut t, "plan", &a.pools);
    }
    group_rows(&mut t, "today", std::slice::from_ref(&today.hall));
    if let Some(a) = after {
        group_rows(&mut t, "plan", std::slice::from_ref(&a.hall));
    }
    r.table(t);
    if !today.departments.is_empty() {
        r.heading(lang.label("Departments · 部门"));
        let mut t = Table::new(
            "departments",
            &lang.say("各部门：现状与方案", "Per department: today and the plan"),
            &COLS,
        );
        group_rows(&mut t, "today", &today.departments);
        if let Some(a) = after {
            group_rows(&mut t, "plan", &a.departments);
        }
        r.table(t);
        let cats: Vec<String> = today.departments.iter().map(|d| d.name.clone()).collect();
        let mut series = vec![(
            lang.say("现状", "today"),
            today
                .departments
                .iter()
                .map(|d| d.mean_wait)
                .collect::<Vec<_>>(),
            None,
        )];
        if let Some(a) = after {
            series.push((
                lang.say("方案", "plan"),
                cats.iter()
                    .map(|c| {
                        a.departments
                            .iter()
                            .find(|d| &d.name == c)
                            .map_or(0.0, |d| d.mean_wait)
                    })
                    .collect(),
                None,
            ));
        }
        r.chart(chart(
            "waits_by_department",
            &lang.say("各部门仿真平均等候", "Simulated mean wait per department"),
            charts::grouped_bars(
                lang.label("仿真平均等候 · Simulated mean wait"),
                &lang.say("分钟", "minutes"),
                &cats,
                &series,
            ),
        )?);
    }
    hourly_charts(&mut r, hall, today, after)?;
    let summary = serde_json::json!({ "today": today, "plan": after });
    Ok((r, summary))
}

fn backtest(r: &mut Report, hall: &crate::hall::Hall, today: &SimResult) {
    let lang = r.lang;
    r.heading(lang.label("Backtest: simulated vs observed · 回测"));
    let (observed, _) = crate::profile::waits::by_department(&hall.tickets);
    let mut t = Table::new(
        "backtest",
        &lang.say(
            "现状窗口的取号回放与取号记录中的等候（平均，分钟）",
            "Trace replay of today's windows vs the waits in the tickets (mean, minutes)",
        ),
        &[
            "department",
            "observed_mean",
            "simulated_mean",
            "error",
            "observed_p90",
            "simulated_p90",
        ],
    );
    for d in &today.departments {
        let o = observed.iter().find(|o| o.department == d.name);
        let om = o.and_then(|o| o.mean);
        t.row(vec![
            Cell::text(&d.name),
            Cell::opt(om, 2),
            Cell::num(d.mean_wait, 2),
            om.filter(|m| *m > 0.0)
                .map_or(Cell::Empty, |m| Cell::Pct(d.mean_wait / m - 1.0)),
            Cell::opt(o.and_then(|o| o.p90), 2),
            Cell::num(d.p90_wait, 2),
        ]);
    }
    r.table(t);
}

/// Arrivals (tickets issued) per hour of the day over the whole log.
fn tickets_by_hour(hall: &crate::hall::Hall) -> [u64; 24] {
    let mut n = [0u64; 24];
    for &t in &hall.tickets.issued {
        n[crate::hall::time::hour(t) as usize % 24] += 1;
    }
    n
}

/// Hours with fewer tickets than this share of the busiest hour's are left out of the
/// wait-by-hour chart: a handful of tickets drawn before a break waited through it, and
/// their mean would dwarf every staffed hour.
const THIN_HOUR: f64 = 0.05;

fn hourly_charts(
    r: &mut Report,
    hall: &crate::hall::Hall,
    today: &SimResult,
    after: Option<&SimResult>,
) -> Result<()> {
    let hours: Vec<usize> = (0..24)
        .filter(|&h| {
            today.pools.iter().any(|p| p.queue_by_hour[h] > 0.0)
                || today.hall.wait_by_hour[h].is_finite()
        })
        .collect();
    if hours.is_empty() {
        return Ok(());
    }
    let lang = r.lang;
    let (today_name, plan_name) = (lang.say("现状", "today"), lang.say("方案", "plan"));
    let labels: Vec<String> = hours.iter().map(|h| format!("{h:02}")).collect();
    let f = |v: &[f64]| {
        hours
            .iter()
            .map(|&h| v.get(h).copied().filter(|x| x.is_finite()))
            .collect::<Vec<_>>()
    };
    let counts = tickets_by_hour(hall);
    let busiest = counts.iter().copied().max().unwrap_or(0) as f64;
    let thin = |h: usize| (counts[h] as f64) < THIN_HOUR * busiest;
    let mut t = Table::new(
        "wait_by_hour",
        &lang.say(
            "按到达时段的平均等候（分钟）及该时段的取号数",
            "Mean wait by hour of arrival (minutes) and the tickets drawn in that hour",
        ),
        &[
            "hour",
            "tickets",
            "today_mean_wait",
            "plan_mean_wait",
            "in_chart",
        ],
    );
    for &h in &hours {
        let v = |s: &SimResult| {
            Cell::opt(
                s.hall
                    .wait_by_hour
                    .get(h)
                    .copied()
                    .filter(|x| x.is_finite()),
                2,
            )
        };
        t.row(vec![
            Cell::text(format!("{h:02}")),
            Cell::Int(counts[h] as i64),
            v(today),
            after.map_or(Cell::Empty, v),
            Cell::text(match thin(h) {
                true => lang.say("否（取号太少）", "no (few tickets)"),
                false => lang.say("是", "yes"),
            }),
        ]);
    }
    let clip = |v: &[f64]| {
        let mut out = f(v);
        for (slot, &h) in out.iter_mut().zip(&hours) {
            if thin(h) {
                *slot = None;
            }
        }
        out
    };
    let mut series = vec![(today_name.clone(), clip(&today.hall.wait_by_hour))];
    if let Some(a) = after {
        series.push((plan_name.clone(), clip(&a.hall.wait_by_hour)));
    }
    let left_out: Vec<String> = hours
        .iter()
        .filter(|&&h| thin(h))
        .map(|h| format!("{h:02}"))
        .collect();
    r.chart(chart(
        "wait_by_hour",
        &if left_out.is_empty() {
            lang.say("按到达时段的平均等候", "Mean wait by hour of arrival")
        } else {
            let (hours, share) = (left_out.join(", "), THIN_HOUR * 100.0);
            lang.say(
                format!("按到达时段的平均等候；未画 {hours} 时：取号少于最忙时段的 {share:.0}%（见 wait_by_hour.csv）"),
                format!("Mean wait by hour of arrival; hours {hours} left out: fewer than {share:.0}% of the busiest hour's tickets (see wait_by_hour.csv)"),
            )
        },
        charts::lines(
            lang.label("分时段平均等候 · Mean wait by hour of arrival"),
            &lang.say("分钟", "minutes"),
            &labels,
            &series,
        ),
    )?);
    r.table(t);
    let q = |s: &SimResult| -> Vec<f64> {
        (0..24)
            .map(|h| s.pools.iter().map(|p| p.queue_by_hour[h]).sum())
            .collect()
    };
    let mut series = vec![(today_name.clone(), f(&q(today)))];
    if let Some(a) = after {
        series.push((plan_name.clone(), f(&q(a))));
    }
    r.chart(chart(
        "queue_length",
        &lang.say("各时段排队人数", "People waiting by hour"),
        charts::lines(
            lang.label("排队人数 · Mean people waiting by hour"),
            &lang.say("人数", "people"),
            &labels,
            &series,
        ),
    )?);
    let mut waits = vec![(today_name, &today.hall.waits)];
    if let Some(a) = after {
        waits.push((plan_name, &a.hall.waits));
    }
    r.chart(chart(
        "wait_distribution",
        &lang.say("等候超过 x 分钟的已服务办事人比例", "Share of served visitors who waited longer than x minutes (a histogram's first bin held most of them)"),
        share_waiting_longer(&waits, lang),
    )?);
    Ok(())
}

/// The share of served visitors who waited longer than x minutes, x from 0 to the 99th
/// percentile of all the samples; each sample is `(wait, how many)`.
fn share_waiting_longer(
    samples: &[(String, &Vec<(f64, u64)>)],
    lang: Lang,
) -> std::result::Result<charts::Rendered, charts::ChartError> {
    let p99 = samples
        .iter()
        .filter_map(|(_, w)| {
            let mut w: Vec<(f64, u64)> = w.iter().copied().filter(|x| x.0.is_finite()).collect();
            w.sort_by(|a, b| a.0.total_cmp(&b.0));
            let total: u64 = w.iter().map(|x| x.1).sum();
            let rank = (0.99 * total as f64).ceil() as u64;
            let mut acc = 0;
            w.iter()
                .find(|x| {
                    acc += x.1;
                    acc >= rank
                })
                .map(|x| x.0)
        })
        .fold(1.0f64, f64::max);
    let names: Vec<String> = samples.iter().map(|(n, _)| n.clone()).collect();
    super::share_waiting_longer_chart(p99, &names, lang, |k, x| {
        let w = samples[k].1;
        let total: u64 = w.iter().map(|v| v.1).sum();
        (total > 0).then(|| {
            let above: u64 = w.iter().filter(|v| v.0 > x).map(|v| v.1).sum();
            100.0 * above as f64 / total as f64
        })
    })
}
