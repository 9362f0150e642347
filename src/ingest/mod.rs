//! Reading a hall's exports without losing a row (the input contract, input.md).
//!
//! `load` finds the files of a hall directory, opens each as a [`source::Table`], maps its
//! headers to the contract ([`columns`]), parses values ([`values`]) and builds the
//! [`Hall`]. Catalogue problems (windows, matters) are fatal; row-level problems in tickets
//! and footfall set the row aside as [`Rejected`], so that `read = accepted + rejected`.

pub mod blocks;
pub mod catalogue;
pub mod columns;
pub mod footfall;
mod ledger;
mod options;
pub mod source;
pub mod tickets;
pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::hall::Timestamp;
pub use columns::ColumnMap;
use columns::Source;
pub(crate) use ledger::Ledger;
pub use ledger::{FileReport, Loaded, Rejected};
pub use options::{default_threads, find_file, Clock, FileKind, LoadOptions, Needs};
pub use source::{Encoding, OpenOptions, Row, RowAt, Table};

/// The text of a contract column in a row; several source columns are joined by a space.
pub(crate) fn cell<'r>(row: &'r Row<'_>, src: Option<&Source>, scratch: &'r mut String) -> &'r str {
    match src {
        None => "",
        Some(s) if s.columns.len() == 1 => row.get(s.columns[0]).trim(),
        Some(s) => {
            // A split date-time with an empty time part (a no-show's call time next to
            // its date) is an empty value, not a malformed one.
            if s.columns
                .iter()
                .skip(1)
                .all(|&i| row.get(i).trim().is_empty())
            {
                return "";
            }
            scratch.clear();
            for (k, &i) in s.columns.iter().enumerate() {
                if k > 0 {
                    scratch.push(' ');
                }
                scratch.push_str(row.get(i).trim());
            }
            scratch.as_str()
        }
    }
}

/// Parses a date-time cell: a `--columns` format, the contract shapes, or (spreadsheets
/// only) an Excel serial number. `Ok(None)` for an empty cell.
pub(crate) fn parse_time(
    text: &str,
    src: Option<&Source>,
    from_sheet: bool,
) -> std::result::Result<Option<(Timestamp, bool)>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(fmt) = src.and_then(|s| s.format.as_deref()) {
        return values::parse_with_format(text, fmt)
            .map(|t| Some((t, true)))
            .ok_or_else(|| format!("\"{text}\" does not match the format \"{fmt}\" of --columns"));
    }
    if let Some(v) = values::parse_datetime(text) {
        return Ok(Some(v));
    }
    if from_sheet {
        if let Some(t) = values::parse_number(text).and_then(values::from_excel_serial) {
            return Ok(Some((t, text.contains('.'))));
        }
    }
    Err(format!(
        "\"{text}\" is not a date-time ({})",
        values::DATETIME_EXPECTED
    ))
}

/// Loads a hall directory (or single files) according to `opts`.
pub fn load(dir: Option<&Path>, opts: &LoadOptions) -> Result<Loaded> {
    let mut out = Loaded::default();
    let path_of = |kind: FileKind| -> Option<PathBuf> {
        opts.files
            .get(&kind)
            .cloned()
            .or_else(|| dir.and_then(|d| find_file(d, kind)))
    };
    if let Some(d) = dir {
        if !d.is_dir() {
            return Err(Error::MissingFile {
                file: d.display().to_string(),
                what: "the hall directory".into(),
                looked: "a directory".into(),
            });
        }
    }
    let required = |kind: FileKind, needed: bool, what: &str| -> Result<Option<PathBuf>> {
        match path_of(kind) {
            Some(p) => Ok(Some(p)),
            None if needed => Err(Error::MissingFile {
                file: format!("{}.csv", kind.name()),
                what: what.to_string(),
                looked: match dir {
                    Some(d) => format!("{}/{}.{{csv,tsv,xlsx,parquet}}", d.display(), kind.name()),
                    None => format!("--{} FILE", kind.name()),
                },
            }),
            None => Ok(None),
        }
    };
    let windows_path = required(
        FileKind::Windows,
        opts.needs.windows,
        "the window inventory",
    )?;
    let matters_path = required(
        FileKind::Matters,
        opts.needs.matters,
        "the matter catalogue",
    )?;
    let tickets_path = required(FileKind::Tickets, opts.needs.tickets, "the ticket log")?;
    let footfall_path = path_of(FileKind::Footfall);

    if let Some(p) = &windows_path {
        let t = Table::open(p, &opts.open)?;
        let (windows, report) = catalogue::read_windows(&t, p, opts)?;
        out.hall.windows = windows;
        out.files.insert("windows", report);
        out.inputs.push(p.clone());
    } else {
        out.skipped.push(
            "windows: no window inventory, so no utilisation against the inventory and no plan"
                .into(),
        );
    }
    if let Some(p) = &matters_path {
        let t = Table::open(p, &opts.open)?;
        let (matters, report) = catalogue::read_matters(&t, p, opts, &out.hall.windows)?;
        out.hall.matters = matters;
        out.files.insert("matters", report);
        out.inputs.push(p.clone());
    } else {
        out.skipped
            .push("matters: no matter catalogue, so no top-10 matters from the catalogue".into());
    }
    if let Some(p) = &footfall_path {
        let t = Table::open(p, &opts.open)?;
        let (rows, report) = footfall::read(&t, p, opts, &mut out.rejected)?;
        out.hall.footfall = rows;
        out.files.insert("footfall", report);
        out.inputs.push(p.clone());
    } else {
        out.skipped
            .push("footfall: no footfall file, so no footfall trend".into());
    }
    if let Some(p) = &tickets_path {
        let (tickets, report) = tickets::read_file(p, opts, &out.hall, &mut out.rejected)?;
        out.hall.tickets = tickets;
        out.files.insert("tickets", report);
        out.inputs.push(p.clone());
    } else {
        out.skipped.push(
            "tickets: no ticket log, so no observed waits, hourly load or utilisation".into(),
        );
    }
    crate::hall::derive::fill_matter_defaults(&mut out.hall);
    Ok(out)
}
