//! The profile page: the smart-screen view of a hall (top-10s, footfall trend, hourly
//! load, utilisation, observed waits).

use super::{chart, files_json};
use crate::charts;
use crate::error::Result;
use crate::hall::derive;
use crate::hall::Hall;
use crate::ingest::Loaded;
use crate::profile::{self, footfall, load, waits};
use crate::report::{Cell, Lang, Report, Table};

/// The whole profile report and its JSON summary. The sections that read every ticket
/// are built on two threads (staffed windows, hourly load and utilisation on one, with the
/// arrivals counted on a third; the rest on the other) and put together in reading order:
/// the same report as built in turn.
pub fn build(loaded: &Loaded, lang: Lang) -> Result<(Report, serde_json::Value)> {
    let hall = &loaded.hall;
    let tickets = !hall.tickets.is_empty();
    let (first, middle) = std::thread::scope(|s| {
        let middle = s.spawn(|| -> Result<Report> {
            let mut r = Report::in_lang(lang, "");
            if tickets {
                // Arrivals on a third thread: the staffed windows are the longer half.
                let arrivals = s.spawn(|| {
                    (
                        load::arrivals_by_dept_hour(&hall.tickets),
                        load::arrivals_by_weekday_hour(&hall.tickets),
                    )
                });
                // On duty by the rule the replay uses (hall::derive::duty).
                let staffed = derive::staffed_on_duty(hall);
                let arrivals = arrivals
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                hourly(&mut r, hall, &staffed, arrivals)?;
                utilisation(&mut r, hall, &staffed)?;
            }
            Ok(r)
        });
        let first = (|| -> Result<_> {
            let mut r = Report::in_lang(lang, "Hall profile · 大厅画像");
            let hours = derive::opening_hours(&hall.tickets);
            accounting(&mut r, loaded, hours.as_ref());
            let lines = profile::matter_lines(hall);
            let mut summary = serde_json::json!({
                "files": files_json(loaded),
                "windows": hall.windows.len(),
                "matters": hall.matters.len(),
                "skipped": loaded.skipped,
            });
            if !lines.is_empty() {
                top_tens(&mut r, &lines)?;
            }
            if tickets {
                let w = dept_waits(&mut r, hall)?;
                summary["waits"] = serde_json::to_value(&w).unwrap_or_default();
                if let Some(h) = &hours {
                    summary["opening_hours"] = serde_json::Value::String(h.describe());
                }
            }
            Ok((r, summary))
        })();
        let middle = middle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, middle)
    });
    let (mut r, mut summary) = first?;
    r.append(middle?);
    if !hall.footfall.is_empty() {
        let y = footfall_trend(&mut r, hall)?;
        summary["footfall_years"] = serde_json::to_value(&y).unwrap_or_default();
    }
    Ok((r, summary))
}

fn accounting(r: &mut Report, loaded: &Loaded, hours: Option<&derive::OpeningHours>) {
    let lang = r.lang;
    r.heading(lang.label("Inputs · 数据"));
    let mut t = Table::new(
        "inputs",
        &lang.say(
            "各文件读取、接受和拒收的行数",
            "Rows read, accepted and rejected per file",
        ),
        &[
            "file", "encoding", "read", "accepted", "rejected", "clamped", "first", "last",
        ],
    );
    for (name, f) in &loaded.files {
        t.row(vec![
            Cell::text(*name),
            Cell::text(&f.encoding),
            Cell::Int(f.read as i64),
            Cell::Int(f.accepted as i64),
            Cell::Int(f.rejected as i64),
            Cell::Int(f.clamped as i64),
            Cell::text(f.first.clone().unwrap_or_default()),
            Cell::text(f.last.clone().unwrap_or_default()),
        ]);
    }
    r.table(t);
    let mut notes: Vec<String> = loaded
        .files
        .iter()
        .flat_map(|(name, f)| {
            f.rejected_by_reason.iter().map(move |(k, n)| {
                lang.say(
                    format!("{name}：拒收 {n} 行（{k}）；见 rejected_rows.csv"),
                    format!("{name}: {n} rows rejected ({k}); see rejected_rows.csv"),
                )
            })
        })
        .collect();
    let skipped = lang.say("跳过", "skipped");
    notes.extend(loaded.skipped.iter().map(|s| format!("{skipped} — {s}")));
    if let Some(h) = hours {
        let (hours, days) = (h.describe(), h.open_days);
        notes.push(lang.say(
            format!("由取号记录推断的开放时间：{hours}（{days} 个开放日）"),
            format!("opening hours inferred from the tickets: {hours} ({days} open days)"),
        ));
    }
    r.bullets(notes);
}

fn top_tens(r: &mut Report, lines: &[profile::MatterLine]) -> Result<()> {
    let lang = r.lang;
    r.heading(lang.label("Top 10 · 十大事项"));
    let top = profile::top_by_volume(lines, 10);
    let mut t = Table::new(
        "top10_volume",
        &lang.mixed(
            "Ten matters with the largest weekly volume (办件量)",
            "周办件量最大的十个事项",
            "Ten matters with the largest weekly volume",
        ),
        &["rank", "matter_id", "matter", "department", "weekly_volume"],
    );
    for (i, l) in top.iter().enumerate() {
        t.row(vec![
            Cell::Int(i as i64 + 1),
            Cell::text(&l.matter_id),
            Cell::text(&l.name),
            Cell::text(&l.department),
            Cell::num(l.weekly_volume, 1),
        ]);
    }
    r.table(t);
    let items: Vec<(String, f64)> = top
        .iter()
        .map(|l| (l.name.clone(), l.weekly_volume))
        .collect();
    r.chart(chart(
        "top10_volume",
        &lang.say("周办件量前十的事项", "Top 10 matters by weekly volume"),
        charts::bars(
            lang.label("周办件量前十 · Top 10 matters by weekly volume"),
            &lang.say("每周办件量", "cases per week"),
            &items,
        ),
    )?);
    let fast = profile::top_by_speed(lines, 10);
    let mut t = Table::new(
        "top10_fastest",
        &lang.mixed(
            "Ten matters with the shortest average handling time (受理时长)",
            "平均受理时长最短的十个事项",
            "Ten matters with the shortest average handling time",
        ),
        &[
            "rank",
            "matter_id",
            "matter",
            "department",
            "handle_min",
            "source",
        ],
    );
    for (i, (l, h)) in fast.iter().enumerate() {
        let source = if l.observed_served >= 20 {
            lang.say("取号记录", "tickets")
        } else {
            lang.say("事项目录", "catalogue")
        };
        t.row(vec![
            Cell::Int(i as i64 + 1),
            Cell::text(&l.matter_id),
            Cell::text(&l.name),
            Cell::text(&l.department),
            Cell::num(*h, 2),
            Cell::text(source),
        ]);
    }
    r.table(t);
    let items: Vec<(String, f64)> = fast.iter().map(|(l, h)| (l.name.clone(), *h)).collect();
    r.chart(chart(
        "top10_fastest",
        &lang.say("受理最快的十个事项", "Top 10 fastest matters"),
        charts::bars(
            lang.label("受理时长最短前十 · Shortest handling time"),
            &lang.say("分钟", "minutes"),
            &items,
        ),
    )?);
    Ok(())
}

fn dept_waits(r: &mut Report, hall: &Hall) -> Result<Vec<waits::DeptWaits>> {
    let (depts, all) = waits::by_department(&hall.tickets);
    let lang = r.lang;
    r.heading(lang.label("Waiting · 等候时长"));
    let mut ranked: Vec<&waits::DeptWaits> = depts.iter().filter(|d| d.mean.is_some()).collect();
    ranked.sort_by(|a, b| {
        a.mean
            .unwrap_or(0.0)
            .total_cmp(&b.mean.unwrap_or(0.0))
            .then_with(|| a.department.cmp(&b.department))
    });
    for (name, title, list) in [
        (
            "top10_shortest_wait",
            lang.say(
                "平均等候最短的十个部门",
                "Ten departments with the shortest mean wait",
            ),
            ranked.iter().take(10).copied().collect::<Vec<_>>(),
        ),
        (
            "top10_longest_wait",
            lang.say(
                "平均等候最长的十个部门",
                "Ten departments with the longest mean wait",
            ),
            ranked.iter().rev().take(10).copied().collect::<Vec<_>>(),
        ),
    ] {
        let mut t = Table::new(
            name,
            &title,
            &["rank", "department", "mean_wait_min", "tickets_per_day"],
        );
        for (i, d) in list.iter().enumerate() {
            t.row(vec![
                Cell::Int(i as i64 + 1),
                Cell::text(&d.department),
                Cell::opt(d.mean, 2),
                Cell::num(d.tickets_per_day, 1),
            ]);
        }
        r.table(t);
    }
    let mut t = Table::new(
        "waits_by_department",
        &lang.say(
            "各部门实测等候（已服务的取号）",
            "Observed waits per department (served tickets)",
        ),
        &[
            "department",
            "tickets",
            "days",
            "tickets_per_day",
            "mean_wait_min",
            "median_wait_min",
            "p90_wait_min",
            "max_wait_min",
            "share_over_10",
            "share_over_20",
            "no_show_rate",
            "cancel_rate",
        ],
    );
    for d in depts.iter().chain(std::iter::once(&all)) {
        t.row(vec![
            Cell::text(&d.department),
            Cell::Int(d.tickets as i64),
            Cell::Int(d.days as i64),
            Cell::num(d.tickets_per_day, 1),
            Cell::opt(d.mean, 2),
            Cell::opt(d.median, 2),
            Cell::opt(d.p90, 2),
            Cell::opt(d.max, 1),
            d.share_over_10.map_or(Cell::Empty, Cell::Pct),
            d.share_over_20.map_or(Cell::Empty, Cell::Pct),
            Cell::Pct(d.no_show_rate),
            Cell::Pct(d.cancel_rate),
        ]);
    }
    r.table(t);
    let items: Vec<(String, f64)> = ranked
        .iter()
        .map(|d| (d.department.clone(), d.mean.unwrap_or(0.0)))
        .collect();
    r.chart(chart(
        "waits_by_department",
        &lang.say("各部门平均等候", "Mean wait per department"),
        charts::bars(
            lang.label("各部门平均等候 · Mean wait per department"),
            &lang.say("分钟", "minutes"),
            &items,
        ),
    )?);
    let mut v = depts.clone();
    v.push(all);
    Ok(v)
}

/// Tickets per day by department and hour (with the days counted) and by weekday and hour.
type Arrivals = ((Vec<[f64; 24]>, usize), [[f64; 24]; 7]);

fn hourly(
    r: &mut Report,
    hall: &Hall,
    staffed: &derive::Staffed,
    ((by_dh, days), wk): Arrivals,
) -> Result<()> {
    let t = &hall.tickets;
    let lang = r.lang;
    r.heading(lang.label("Hourly load · 分时段"));
    let hours: Vec<usize> = (0..24)
        .filter(|&h| by_dh.iter().any(|row| row[h] > 0.0))
        .collect();
    let hour_labels: Vec<String> = hours.iter().map(|h| format!("{h:02}")).collect();
    let mut order: Vec<usize> = (0..t.departments.len()).collect();
    order.sort_by(|a, b| {
        t.departments
            .name(*a as u32)
            .cmp(t.departments.name(*b as u32))
    });
    let mut tab = Table::new(
        "arrivals_by_department_hour",
        &lang.say(
            format!("各部门各时段日均取号（{days} 天）"),
            format!("Tickets issued per day by department and hour of day ({days} days)"),
        ),
        &["department", "hour", "tickets_per_day"],
    );
    let mut matrix = Vec::new();
    for &d in &order {
        for &h in &hours {
            tab.row(vec![
                Cell::text(t.departments.name(d as u32)),
                Cell::Int(h as i64),
                Cell::num(by_dh[d][h], 2),
            ]);
        }
        matrix.push(hours.iter().map(|&h| Some(by_dh[d][h])).collect::<Vec<_>>());
    }
    r.data_only(tab);
    let rows: Vec<String> = order
        .iter()
        .map(|&d| t.departments.name(d as u32).to_string())
        .collect();
    r.chart(chart(
        "arrivals_heatmap",
        &lang.say("各部门各时段的到达", "Arrivals by department and hour"),
        charts::heatmap(
            lang.label("分时段取号 · Tickets per day by department and hour"),
            &rows,
            &hour_labels,
            &matrix,
            &lang.say("取号/天", "tickets/day"),
        ),
    )?);
    let mut tab = Table::new(
        "arrivals_by_weekday_hour",
        &lang.say(
            "星期×时段日均取号",
            "Tickets issued per day by weekday and hour",
        ),
        &["weekday", "hour", "tickets_per_day"],
    );
    let mut wmatrix = Vec::new();
    let mut wrows = Vec::new();
    for (w, row) in wk.iter().enumerate() {
        if row.iter().all(|v| *v == 0.0) {
            continue;
        }
        // The chart's rows in the report's language; the CSV keeps the weekday key.
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        let key = crate::hall::time::weekday_name(w as u32);
        wrows.push(lang.say(ZH.get(w).copied().unwrap_or(key), key));
        for &h in &hours {
            tab.row(vec![
                Cell::text(crate::hall::time::weekday_name(w as u32)),
                Cell::Int(h as i64),
                Cell::num(row[h], 2),
            ]);
        }
        wmatrix.push(hours.iter().map(|&h| Some(row[h])).collect::<Vec<_>>());
    }
    r.data_only(tab);
    r.chart(chart(
        "weekday_heatmap",
        &lang.say("星期×时段的到达", "Arrivals by weekday and hour"),
        charts::heatmap(
            lang.label("星期×时段 · Tickets per day by weekday and hour"),
            &wrows,
            &hour_labels,
            &wmatrix,
            &lang.say("取号/天", "tickets/day"),
        ),
    )?);
    let staffed = derive::staffed_by_hour(t, staffed);
    let mut tab = Table::new(
        "staffed_windows_by_hour",
        &lang.say("各时段在岗窗口（在岗至少半小时的窗口，按天平均）", "Staffed windows per hour of day (windows on duty for at least half the hour, mean over days)"),
        &["department", "hour", "staffed_windows"],
    );
    let mut hall_total = vec![0.0; hours.len()];
    for &d in &order {
        for (k, &h) in hours.iter().enumerate() {
            tab.row(vec![
                Cell::text(t.departments.name(d as u32)),
                Cell::Int(h as i64),
                Cell::num(staffed[d][h], 2),
            ]);
            hall_total[k] += staffed[d][h];
        }
    }
    r.data_only(tab);
    let arrivals_total: Vec<Option<f64>> = hours
        .iter()
        .map(|&h| Some(by_dh.iter().map(|row| row[h]).sum::<f64>()))
        .collect();
    r.chart(chart(
        "staffed_windows",
        &lang.say(
            "各时段在岗窗口与取号",
            "Staffed windows and tickets per hour",
        ),
        charts::lines(
            lang.label("在岗窗口与取号 · Staffed windows and tickets per hour"),
            &lang.say("每小时", "per hour"),
            &hour_labels,
            &[
                (
                    lang.say("在岗窗口", "staffed windows"),
                    hall_total.iter().map(|v| Some(*v)).collect(),
                ),
                (lang.say("取号", "tickets issued"), arrivals_total),
            ],
        ),
    )?);
    r.para(lang.say("各部门分时段的到达和在岗窗口表见 arrivals_by_department_hour.csv、arrivals_by_weekday_hour.csv 和 staffed_windows_by_hour.csv。", "Per-department tables of arrivals and staffed windows by hour are in arrivals_by_department_hour.csv, arrivals_by_weekday_hour.csv and staffed_windows_by_hour.csv."));
    Ok(())
}

fn utilisation(r: &mut Report, hall: &Hall, staffed: &derive::Staffed) -> Result<()> {
    let u = load::window_utilisation(&hall.tickets, &hall.windows, staffed);
    let lang = r.lang;
    r.heading(lang.label("Window utilisation · 窗口利用率"));
    let mut t = Table::new(
        "window_utilisation",
        &lang.say(
            "各窗口利用率：服务时间 ÷ 在岗时间",
            "Utilisation per window: service time over staffed time",
        ),
        &[
            "window_id",
            "department",
            "served",
            "busy_hours",
            "staffed_hours",
            "utilisation",
        ],
    );
    for w in &u {
        t.row(vec![
            Cell::text(&w.window_id),
            Cell::text(&w.department),
            Cell::Int(w.served as i64),
            Cell::num(w.busy_hours, 1),
            Cell::num(w.staffed_hours, 0),
            w.utilisation.map_or(Cell::Empty, Cell::Pct),
        ]);
    }
    t.show = Some(30);
    r.table(t);
    // Per department: mean utilisation of its windows, for the chart.
    let mut per: std::collections::BTreeMap<&str, (f64, f64)> = std::collections::BTreeMap::new();
    for w in &u {
        let e = per.entry(w.department.as_str()).or_default();
        e.0 += w.busy_hours;
        e.1 += w.staffed_hours;
    }
    let items: Vec<(String, f64)> = per
        .iter()
        .filter(|(_, v)| v.1 > 0.0)
        .map(|(d, v)| (d.to_string(), 100.0 * v.0 / v.1))
        .collect();
    r.chart(chart(
        "utilisation",
        &lang.say("各部门利用率", "Utilisation per department"),
        charts::bars(
            lang.label("窗口利用率 · Utilisation of staffed windows"),
            &lang.say("占在岗时间的 %", "% of staffed time"),
            &items,
        ),
    )?);
    Ok(())
}

fn footfall_trend(r: &mut Report, hall: &Hall) -> Result<Vec<footfall::YearLine>> {
    let monthly = footfall::monthly(&hall.footfall);
    let years = footfall::yearly(&monthly);
    let lang = r.lang;
    r.heading(lang.label("Footfall · 人流量"));
    let mut t = Table::new(
        "footfall_yearly",
        &lang.say(
            "年度人流量（与上一年相同月份比较）",
            "Footfall per year (change against the same months of the year before)",
        ),
        &["year", "months", "total", "yoy_change"],
    );
    for y in &years {
        t.row(vec![
            Cell::Int(y.year),
            Cell::Int(i64::from(y.months)),
            Cell::Int(y.total as i64),
            y.yoy_change.map_or(Cell::Empty, Cell::Pct),
        ]);
    }
    r.table(t);
    let mut t = Table::new(
        "footfall_monthly",
        &lang.say("月度人流量", "Footfall per month"),
        &["month", "total"],
    );
    for ((y, m), c) in &monthly {
        t.row(vec![
            Cell::text(format!("{y}-{m:02}")),
            Cell::Int(*c as i64),
        ]);
    }
    r.data_only(t);
    let labels: Vec<String> = monthly.keys().map(|(y, m)| format!("{y}-{m:02}")).collect();
    let values: Vec<Option<f64>> = monthly.values().map(|c| Some(*c as f64)).collect();
    r.chart(chart(
        "footfall_trend",
        &lang.say("月度人流量", "Footfall per month"),
        charts::lines(
            lang.label("月度人流量 · Footfall per month"),
            &lang.say("人次", "visitors"),
            &labels,
            &[(lang.say("人流量", "footfall"), values)],
        ),
    )?);
    let notes = years
        .iter()
        .filter_map(|y| {
            y.yoy_change.map(|c| {
                let (year, change, months, prev) = (y.year, c * 100.0, y.months, y.year - 1);
                lang.say(
                    format!("{year}：与 {prev} 年相同的 {months} 个月相比 {change:+.1}%"),
                    format!("{year}: {change:+.1}% against the same {months} months of {prev}"),
                )
            })
        })
        .collect();
    r.bullets(notes);
    Ok(years)
}
