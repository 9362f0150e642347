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
pub mod source;
pub mod tickets;
pub mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result};
use crate::hall::{Hall, Timestamp};
pub use columns::ColumnMap;
use columns::Source;
pub use source::{Encoding, OpenOptions, Row, RowAt, Table};

/// The four files of a hall directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Windows,
    Matters,
    Footfall,
    Tickets,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [
        FileKind::Windows,
        FileKind::Matters,
        FileKind::Footfall,
        FileKind::Tickets,
    ];
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Windows => "windows",
            FileKind::Matters => "matters",
            FileKind::Footfall => "footfall",
            FileKind::Tickets => "tickets",
        }
    }
}

/// What a command needs; a missing required file is fatal, a missing optional one is
/// reported as a skipped section.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub windows: bool,
    pub matters: bool,
    pub tickets: bool,
}

impl Needs {
    /// The window inventory and the ticket log: what a replay of today's hall reads.
    pub const TRACE: Needs = Needs {
        windows: true,
        matters: false,
        tickets: true,
    };
}

/// How to load a hall.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub open: OpenOptions,
    pub columns: Option<ColumnMap>,
    /// The first rejected row becomes a fatal error.
    pub strict: bool,
    /// A `called_at` up to this many seconds before `issued_at` counts as a zero wait.
    pub clock_skew_s: i64,
    /// Longer services are rejected rows.
    pub max_service_min: f64,
    /// Files given one by one (`--tickets FILE` …), overriding the directory's.
    pub files: BTreeMap<FileKind, PathBuf>,
    pub needs: Needs,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            open: OpenOptions::default(),
            columns: None,
            strict: false,
            clock_skew_s: 60,
            max_service_min: 480.0,
            files: BTreeMap::new(),
            needs: Needs::default(),
        }
    }
}

/// A row set aside, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub file: String,
    pub at: Location,
    pub column: String,
    pub reason: &'static str,
    pub message: String,
    pub value: String,
}

/// What was read from one file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileReport {
    pub path: String,
    pub encoding: String,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub clamped: u64,
    pub ignored_columns: Vec<String>,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// A loaded hall with its accounting.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub hall: Hall,
    pub files: BTreeMap<&'static str, FileReport>,
    pub rejected: Vec<Rejected>,
    /// Sections skipped for a missing optional file, in words.
    pub skipped: Vec<String>,
    pub inputs: Vec<PathBuf>,
}

/// Collects rejected rows for one file and keeps the count straight.
pub(crate) struct Ledger<'a> {
    pub report: FileReport,
    pub rejected: &'a mut Vec<Rejected>,
    file: String,
    strict: bool,
    first_t: Timestamp,
    last_t: Timestamp,
}

impl<'a> Ledger<'a> {
    pub fn new(table: &Table, path: &Path, rejected: &'a mut Vec<Rejected>, strict: bool) -> Self {
        Ledger {
            report: FileReport {
                path: path.display().to_string(),
                encoding: table.encoding.clone(),
                ..FileReport::default()
            },
            rejected,
            file: table.file.clone(),
            strict,
            first_t: Timestamp::MAX,
            last_t: Timestamp::MIN,
        }
    }

    pub fn reject(
        &mut self,
        at: Location,
        column: &str,
        reason: &'static str,
        message: String,
        value: &str,
    ) -> Result<()> {
        if self.strict {
            // Row messages start with the column name; the fatal error names it once.
            let message = message
                .strip_prefix(column)
                .map_or(message.as_str(), str::trim_start);
            return Err(Error::BadValue {
                file: self.file.clone(),
                at,
                column: column.to_string(),
                message: format!("{message} (--strict)"),
            });
        }
        self.report.rejected += 1;
        *self
            .report
            .rejected_by_reason
            .entry(reason.to_string())
            .or_default() += 1;
        self.rejected.push(Rejected {
            file: self.file.clone(),
            at,
            column: column.to_string(),
            reason,
            message,
            value: value.to_string(),
        });
        Ok(())
    }

    /// Widens the file's date range; formatted once, when the file is done.
    pub fn span(&mut self, t: Timestamp) {
        self.first_t = self.first_t.min(t);
        self.last_t = self.last_t.max(t);
    }

    /// The report with the date range filled in.
    pub fn finish(mut self) -> FileReport {
        if self.first_t <= self.last_t {
            self.report.first = Some(crate::hall::time::format(self.first_t));
            self.report.last = Some(crate::hall::time::format(self.last_t));
        }
        self.report
    }
}

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

/// Phase timings on stderr when `HALLPLAN_TIMING` is set (for benchmarks).
pub struct Clock {
    t0: Option<std::time::Instant>,
}

impl Clock {
    pub fn start() -> Clock {
        Clock {
            t0: std::env::var_os("HALLPLAN_TIMING").map(|_| std::time::Instant::now()),
        }
    }
    pub fn lap(&self, what: &str) {
        if let Some(t0) = self.t0 {
            eprintln!("[timing] {:8.3} s  {what}", t0.elapsed().as_secs_f64());
        }
    }
}

/// Threads for reading a large file: `HALLPLAN_THREADS` if set, else the machine's cores
/// (at most 8). Results do not depend on it.
pub fn threads() -> usize {
    std::env::var("HALLPLAN_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
}

/// Finds the file of `kind` in `dir`: name matched without case, any of the extensions.
pub fn find_file(dir: &Path, kind: FileKind) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().to_lowercase());
            let ext = p.extension().map(|s| s.to_string_lossy().to_lowercase());
            stem.as_deref() == Some(kind.name())
                && matches!(
                    ext.as_deref(),
                    Some("csv" | "tsv" | "txt" | "xlsx" | "xlsm" | "parquet")
                )
        })
        .collect();
    // Deterministic choice when several formats are present: csv before tsv before xlsx…
    found.sort();
    found.into_iter().next()
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
