//! One page per command: each turns what a command computed into a [`Report`] and its
//! JSON summary. Pages render nothing and write nothing; `report::render` makes the
//! files and the command commits them.

pub mod compare;
pub mod frontier;
pub mod plan;
mod plan_summary;
pub mod profile;
pub mod proposal;
pub mod simulate;
pub mod staffing;
pub mod targets;

use crate::charts;
use crate::error::{Error, Result};
use crate::ingest::Loaded;
use crate::report::Chart;

/// Wraps a chart result with its file name.
pub fn chart(
    name: &str,
    title: &str,
    r: std::result::Result<charts::Rendered, charts::ChartError>,
) -> Result<Chart> {
    let r = r.map_err(|e| Error::Chart {
        name: name.into(),
        message: e.to_string(),
    })?;
    Ok(Chart {
        name: name.into(),
        title: title.into(),
        svg: r.svg,
        png: r.png,
    })
}

/// rejected_rows.csv: every row set aside, with file, line and reason.
pub fn rejected_rows_csv(loaded: &Loaded) -> Result<Vec<u8>> {
    let rows: Vec<Vec<String>> = loaded
        .rejected
        .iter()
        .map(|r| {
            vec![
                r.file.clone(),
                r.at.to_string(),
                r.column.clone(),
                r.reason.to_string(),
                r.message.clone(),
                r.value.clone(),
            ]
        })
        .collect();
    crate::report::csv::render_rows(
        &["file", "line", "column", "reason", "message", "value"],
        &rows,
    )
}

/// The per-file accounting as JSON (`files.<name>.{read,accepted,…}`).
pub fn files_json(loaded: &Loaded) -> serde_json::Value {
    serde_json::to_value(&loaded.files).unwrap_or(serde_json::Value::Null)
}

/// The "share waiting longer than x minutes" chart, shared by `compare` and `simulate`:
/// x from 0 to `p99` (the 99th percentile of every series) in a step that keeps it to
/// about 30 points; `share(k, x)` is the % of series k's visitors who waited longer than x.
pub(super) fn share_waiting_longer_chart(
    p99: f64,
    names: &[String],
    lang: crate::report::Lang,
    share: impl Fn(usize, f64) -> Option<f64>,
) -> std::result::Result<charts::Rendered, charts::ChartError> {
    let step = [0.5, 1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|&st| p99 / st <= 30.0)
        .unwrap_or(20.0);
    let xs: Vec<f64> = (0..=(p99 / step).ceil() as usize)
        .map(|k| k as f64 * step)
        .collect();
    let series: Vec<(String, Vec<Option<f64>>)> = names
        .iter()
        .enumerate()
        .map(|(k, name)| (name.clone(), xs.iter().map(|&x| share(k, x)).collect()))
        .collect();
    let labels: Vec<String> = xs
        .iter()
        .map(|x| crate::report::fmt_num(*x, if step < 1.0 { 1 } else { 0 }))
        .collect();
    charts::lines(
        lang.label("等候超过x分钟的比例 · Share waiting longer than x minutes"),
        &lang.say("占已服务办事人的 %", "% of served visitors"),
        &labels,
        &series,
    )
}
