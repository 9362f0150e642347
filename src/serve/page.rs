//! The page (plain HTML, CSS and JavaScript inside the binary: no build step, no CDN)
//! and the hall's summary it starts from.

use serde_json::{json, Value};

use super::api::Planned;
use crate::error::{Error, Result};
use crate::ingest::Loaded;
use crate::model::Policy;
use crate::simulate::SimResult;

pub const INDEX: &str = include_str!("assets/index.html");
pub const APP_JS: &str = include_str!("assets/app.js");
pub const STYLE_CSS: &str = include_str!("assets/style.css");

/// The embedded fonts for the page, the CJK one cut to the characters the hall's names
/// and the page's own text use, so Chinese renders on a machine without a CJK font.
pub fn font_css(loaded: &Loaded) -> String {
    let h = &loaded.hall;
    let mut text = String::new();
    for w in &h.windows {
        text.push_str(&w.id);
        text.push_str(&w.department);
        text.push_str(w.merge_group.as_deref().unwrap_or(""));
    }
    for m in &h.matters {
        text.push_str(&m.name);
        text.push_str(&m.department);
    }
    text.push_str(INDEX);
    text.push_str(APP_JS);
    crate::charts::embedded_font_css(&text)
}

/// Mean wait per department (minutes) of a replay, for the page.
pub fn replay_json(sim: &SimResult) -> Value {
    Value::Object(
        sim.departments
            .iter()
            .filter(|g| g.served > 0)
            .map(|g| (g.name.clone(), json!(g.mean_wait)))
            .collect(),
    )
}

/// `GET /api/hall`: the windows, the departments with today's waits (observed, the
/// model's backtest and the replay), the starting policy and today's plan's headline.
pub fn hall_json(
    loaded: &Loaded,
    name: &str,
    base: &Policy,
    today: Option<&Planned>,
) -> Result<String> {
    let h = &loaded.hall;
    let replay_today = if h.tickets.is_empty() {
        Value::Null
    } else {
        replay_json(&crate::simulate::trace::replay(h, None, base.seed)?)
    };
    let windows: Vec<Value> = h
        .windows
        .iter()
        .map(|w| {
            json!({
                "id": w.id,
                "department": w.department,
                "staff": w.staff,
                "kind": w.kind.as_str(),
                "merge_group": w.merge_group,
                "locked": w.locked,
            })
        })
        .collect();
    let departments: Vec<Value> = h
        .departments()
        .into_iter()
        .map(|d| {
            let planned =
                today.and_then(|t| t.run.plan.departments.iter().find(|p| p.department == d));
            json!({
                "department": d,
                "windows": h.windows.iter().filter(|w| w.department == d).count(),
                "observed_mean_min": planned.and_then(|p| p.observed_mean_min),
                "model_mean_min": planned.and_then(|p| p.before_mean_min),
                "replay_mean_min": replay_today.get(&d),
                "target_mean_min": planned.map(|p| p.target_mean_min),
                "tickets_per_day": planned.map(|p| p.tickets_per_day_before),
            })
        })
        .collect();
    let v = json!({
        "hall": name,
        "windows": windows,
        "departments": departments,
        "matters": h.matters.len(),
        "tickets": h.tickets.len(),
        "policy": base,
        "fewest_windows": today.map(|t| t.run.plan.windows_after),
    });
    serde_json::to_string(&v).map_err(|e| Error::Render {
        what: "the hall summary".into(),
        message: e.to_string(),
    })
}
