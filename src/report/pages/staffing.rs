//! The hourly staffing section (issue 14, item 5): how many windows each pool opens in each
//! slot, the waits the model and the replay give with them, and the window-hours per day
//! saved against keeping every window open all day. `staffing.csv` is its slot table.

use super::chart;
use crate::charts;
use crate::error::Result;
use crate::optimise::staffing::Staffing;
use crate::report::{Cell, Lang, Report, Table};

fn clock(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// "09:00–10:00" for each slot.
fn slot_labels(st: &Staffing) -> Vec<String> {
    st.slots
        .iter()
        .map(|&(a, b)| format!("{}–{}", clock(a), clock(b)))
        .collect()
}

/// The window-hours sentence: `of` names the configuration staffed ("the plan's").
pub fn saved_line(st: &Staffing, of: &str) -> String {
    let all_day = st.window_hours_all_day();
    let staffed = st.window_hours_staffed();
    let saved = all_day - staffed;
    let share = if all_day > 0.0 { saved / all_day } else { 0.0 };
    format!(
        "Hourly staffing: {staffed:.1} window-hours per open day instead of {all_day:.1} with {of} windows open all day — {saved:.1} window-hours ({:.1} %) saved, every pool's targets kept under the model and the trace replay (staffing.csv).",
        share * 100.0
    )
}

/// The section: heading, the saving, a pool table, the slot table (`staffing.csv`) and two
/// charts. `of` names the configuration staffed ("the plan's", "today's").
pub fn section(st: &Staffing, of: &str, lang: Lang) -> Result<Report> {
    let mut r = Report::in_lang(lang, "");
    r.heading(lang.label("Hourly staffing · 分时排班"));
    let (all_day, staffed) = (st.window_hours_all_day(), st.window_hours_staffed());
    let saved = all_day - staffed;
    let share = if all_day > 0.0 {
        saved / all_day * 100.0
    } else {
        0.0
    };
    let whose = match of {
        "the plan's" => "方案",
        "today's" => "现状",
        other => other,
    };
    r.para(lang.say(
        format!("分时排班：每个开放日 {staffed:.1} 窗口小时，而{whose}窗口全天开放需 {all_day:.1} 窗口小时——节省 {saved:.1} 窗口小时（{share:.1} %），按模型和取号记录回放，每个窗口池都达到目标（staffing.csv）。"),
        saved_line(st, of),
    ));
    r.para(lang.say("每个窗口池每个时段，开放能达到目标的最少窗口：先用瞬态分段模型（每段开始时队列为空，所以一个时段的窗口数决定后面时段承接的队列；全天平均在平均目标内，每个时段在高峰目标内，没有时段超过 max_utilisation），再把大厅的取号记录按排班逐时回放，回放未达平均目标的时段增开窗口。一个时段开放的窗口不超过方案的窗口数；预计无人到达的时段不开窗口，除非它结束一个有人到达的时段。slots = week 时每个开放工作日单独排班。", "Per pool and slot, the fewest windows to open that keep the pool's targets: the transient session model (every session opens empty, so a slot's windows shape the queue later slots inherit; the day's mean within the mean target, every slot within the peak target, no slot above max_utilisation), then the hall's tickets replayed hour by hour through the rosters, a slot raised where the replay misses the mean target. A slot never opens more windows than the plan has; a slot nobody is expected to come to opens none unless it ends a session people came to. With slots = week each open weekday is staffed on its own."));
    let mut pools = Table::new(
        "staffing_pools",
        &lang.say("每个开放日的窗口小时与平均等候：全天开窗与分时排班", "Window-hours per open day and mean waits: every window open all day vs staffed by slot"),
        &[
            "pool",
            "departments",
            "windows",
            "window_hours_all_day",
            "window_hours_staffed",
            "model_mean_all_day",
            "model_mean_staffed",
            "replay_mean_all_day",
            "replay_mean_staffed",
            "target",
            "raised_by_replay",
        ],
    );
    let hours: f64 = st.slots.iter().map(|(a, b)| f64::from(b - a) / 60.0).sum();
    for p in &st.pools {
        pools.row(vec![
            Cell::text(&p.name),
            Cell::text(p.departments.join("; ")),
            Cell::Int(i64::from(p.windows)),
            Cell::num(f64::from(p.windows) * hours, 1),
            Cell::num(p.window_hours(&st.slots), 1),
            Cell::opt(p.model_mean_all_day_min, 2),
            Cell::opt(p.model_mean_min, 2),
            Cell::opt(p.replay_mean_all_day_min, 2),
            Cell::opt(p.replay_mean_min, 2),
            Cell::num(p.target_mean_min, 2),
            Cell::Int(i64::from(p.replay_raised)),
        ]);
    }
    r.table(pools);
    let labels = slot_labels(st);
    let mut t = Table::new(
        "staffing",
        &lang.say("各窗口池各时段应开窗口数，及该时段到达者的预测平均等候", "Windows to open per pool and slot, with the predicted mean wait of the slot's arrivals"),
        &[
            "pool",
            "departments",
            "weekday",
            "slot",
            "windows_plan",
            "windows_open",
            "arrivals",
            "mean_wait_model",
            "mean_wait_replay",
            "target_mean",
            "target_peak",
        ],
    );
    for p in &st.pools {
        for (k, day) in p.days.iter().enumerate() {
            for (h, label) in labels.iter().enumerate() {
                t.row(vec![
                    Cell::text(&p.name),
                    Cell::text(p.departments.join("; ")),
                    Cell::text(st.day_types.get(k).cloned().unwrap_or_default()),
                    Cell::text(label),
                    Cell::Int(i64::from(p.windows)),
                    Cell::Int(i64::from(day.windows.get(h).copied().unwrap_or(0))),
                    Cell::num(day.arrivals.get(h).copied().unwrap_or(0.0), 1),
                    Cell::opt(day.model_wait_min.get(h).copied().flatten(), 2),
                    Cell::opt(day.replay_wait_min.get(h).copied().flatten(), 2),
                    Cell::num(p.target_mean_min, 2),
                    Cell::num(p.target_peak_min, 2),
                ]);
            }
        }
    }
    t.show = Some(40);
    r.table(t);
    // Windows open per pool and slot, averaged over the open weekdays (weights), beside
    // the plan's count in the row label.
    let rows: Vec<String> = st
        .pools
        .iter()
        .map(|p| format!("{} ({})", p.name, p.windows))
        .collect();
    let values: Vec<Vec<Option<f64>>> = st
        .pools
        .iter()
        .map(|p| {
            (0..labels.len())
                .map(|h| {
                    Some(
                        p.days
                            .iter()
                            .map(|d| d.weight * f64::from(d.windows.get(h).copied().unwrap_or(0)))
                            .sum(),
                    )
                })
                .collect()
        })
        .collect();
    r.chart(chart(
        "staffing_slots",
        &lang.say("各窗口池各时段开放的窗口", "Windows open per pool and slot"),
        charts::heatmap(
            lang.label("分时排班 · Windows open per slot (plan's windows in brackets)"),
            &rows,
            &labels,
            &values,
            &lang.say("窗口数", "windows"),
        ),
    )?);
    let names: Vec<String> = st.pools.iter().map(|p| p.name.clone()).collect();
    r.chart(chart(
        "staffing_hours",
        &lang.say(
            "每日窗口小时：全天开窗与分时排班",
            "Window-hours per day: all day vs staffed",
        ),
        charts::grouped_bars(
            lang.label("窗口工时 · Window-hours per open day"),
            &lang.say("窗口小时", "window-hours"),
            &names,
            &[
                (
                    lang.say("全天开窗", "all day"),
                    st.pools
                        .iter()
                        .map(|p| f64::from(p.windows) * hours)
                        .collect(),
                    None,
                ),
                (
                    lang.say("分时排班", "staffed by slot"),
                    st.pools.iter().map(|p| p.window_hours(&st.slots)).collect(),
                    None,
                ),
            ],
        ),
    )?);
    Ok(r)
}

/// Today's roster against the window-hours the log shows on duty (`staffing` of today's
/// hall); None without a log.
pub fn on_duty_line(st: &Staffing, on_duty: Option<f64>) -> Option<String> {
    let logged = on_duty?;
    let staffed = st.window_hours_staffed();
    let change = staffed - logged;
    let share = if logged > 0.0 { change / logged } else { 0.0 };
    Some(format!(
        "The log shows {logged:.1} window-hours on duty per open day (windows at work, by the replay's duty rule): the roster's {staffed:.1} is {:.1} window-hours ({:.1} %) {} than the hall works today.",
        change.abs(),
        share.abs() * 100.0,
        if change <= 0.0 { "fewer" } else { "more" }
    ))
}
