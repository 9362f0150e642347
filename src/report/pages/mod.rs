//! One page per command: each turns what a command computed into a [`Report`] and its
//! JSON summary. Pages render nothing and write nothing; `report::render` makes the
//! files and the command commits them.

pub mod compare;
pub mod frontier;
pub mod plan;
pub mod profile;
pub mod proposal;
pub mod simulate;

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
