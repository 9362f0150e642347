//! Footfall counts: hourly or daily buckets, summed over gates. Bad rows are set aside.

use std::collections::BTreeMap;
use std::path::Path;

use super::columns;
use super::values::parse_number;
use super::{cell, parse_time, FileReport, Ledger, LoadOptions, Rejected, Table};
use crate::error::Result;
use crate::hall::{Footfall, Timestamp};

pub fn read(
    table: &Table,
    path: &Path,
    opts: &LoadOptions,
    rejected: &mut Vec<Rejected>,
) -> Result<(Vec<Footfall>, FileReport)> {
    let cols = columns::resolve(
        &table.file,
        "footfall",
        &table.headers,
        columns::FOOTFALL,
        opts.columns.as_ref(),
    )?;
    let mut ledger = Ledger::new(table, path, rejected, opts.strict);
    ledger.report.ignored_columns = cols.ignored.clone();
    let ts_src = cols.get("timestamp");
    let count_src = cols.get("count");
    let col_of = |s: Option<&columns::Source>| s.and_then(|s| s.columns.first().copied());
    let mut sums: BTreeMap<(Timestamp, bool), u64> = BTreeMap::new();
    let mut scratch = String::new();
    table.for_each_row(|at, row| {
        ledger.report.read += 1;
        let ts_text = cell(&row, ts_src, &mut scratch).to_string();
        let ts = match parse_time(&ts_text, ts_src, table.from_sheet) {
            Ok(Some(v)) => v,
            Ok(None) => {
                return ledger.reject(
                    at.at(col_of(ts_src)),
                    "timestamp",
                    "missing_value",
                    "timestamp is empty (expected a date or date-time)".into(),
                    "",
                )
            }
            Err(m) => {
                return ledger.reject(
                    at.at(col_of(ts_src)),
                    "timestamp",
                    "bad_datetime",
                    format!("timestamp {m}"),
                    &ts_text,
                )
            }
        };
        let count_text = cell(&row, count_src, &mut scratch).to_string();
        let count = match parse_number(&count_text) {
            Some(v) if v >= 0.0 && v.fract() == 0.0 => v as u64,
            _ => {
                return ledger.reject(
                    at.at(col_of(count_src)),
                    "count",
                    "bad_number",
                    format!("count \"{count_text}\" is not an integer ≥ 0"),
                    &count_text,
                )
            }
        };
        ledger.report.accepted += 1;
        ledger.span(ts.0);
        *sums.entry((ts.0, !ts.1)).or_default() += count;
        Ok(())
    })?;
    let rows = sums
        .into_iter()
        .map(|((at, daily), count)| Footfall { at, daily, count })
        .collect();
    Ok((rows, ledger.finish()))
}
