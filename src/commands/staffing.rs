//! `hallplan staffing`: hourly staffing of today's hall — per pool and slot, the fewest of
//! today's windows to open that keep the pool's targets (optimise::staffing::for_today),
//! as staffing.csv, two charts and a report, with the window-hours saved against today's
//! windows open all day and against the hours the log shows on duty.

use crate::config::StaffingConfig;
use crate::error::Result;
use crate::optimise::staffing;
use crate::planner;
use crate::report::{self, pages, Report};

pub fn run(c: StaffingConfig) -> Result<()> {
    let loaded = c.input.load()?;
    let hall = &loaded.hall;
    let prep = planner::prepare(hall, &c.planner)?;
    let started = std::time::Instant::now();
    let st = staffing::for_today(&prep, hall, &c.planner.policy)?;
    crate::optimise::milp::timing("hourly staffing of today's hall", started);
    let on_duty = staffing::on_duty_hours(hall, &st.slots);
    let saved = pages::staffing::saved_line(&st, "today's");
    let logged = pages::staffing::on_duty_line(&st, on_duty);
    println!("{saved}");
    if let Some(line) = &logged {
        println!("{line}");
    }
    let lang = c.out.lang();
    let mut rep = Report::in_lang(lang, "Hourly staffing of today's hall · 今日分时排班");
    for note in &prep.notes {
        rep.para(note.clone());
    }
    if let Some(line) = logged {
        rep.para(line);
    }
    rep.para(lang.say(
        "这里每个时段最多只开今日的窗口数：staffing.csv 的 windows_plan 是该窗口池今日的窗口数；目标是规划器对今日大厅的默认目标（模型预测的今日等候时间，不低于 wait_floor_min，或已设定的目标），因此今日窗口全天开放必然满足目标。",
        "Here the most a slot may open is today's inventory: windows_plan in staffing.csv is today's window count of the pool, and the targets are the planner's defaults for today's hall (the wait the model predicts today, raised to wait_floor_min, or a stated target), so today's windows open all day keep them by construction.",
    ));
    rep.append(pages::staffing::section(&st, "today's", lang)?);
    let summary = serde_json::json!({
        "command": "staffing",
        "windows_today": hall.windows.len(),
        "staffing": {
            "window_hours_all_day": st.window_hours_all_day(),
            "window_hours_staffed": st.window_hours_staffed(),
            "window_hours_on_duty_in_log": on_duty,
        },
    });
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&loaded)?);
    super::commit(&c.out, bundle)
}
