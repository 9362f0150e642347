//! The ticket log: every row either becomes a ticket or a rejected row with a reason.
//!
//! This is the hot path for large exports (ten million rows). A CSV is read as bytes
//! (`csv::ByteRecord`, one reused record), in parts on several threads when it holds no
//! quote character; each part checks its rows on its own (dates parsed by hand, names
//! interned by their bytes, nothing allocated per row) and the parts are then merged in
//! file order, where duplicates are found (first occurrence wins) and names get their final
//! indices. The result is the same for any number of parts: same tickets in the same
//! order, same names in first-seen order, same rejected rows in file order.

use std::borrow::Cow;
use std::hash::Hasher;
use std::path::Path;

use hashbrown::HashTable;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::columns::{self, Source};
use super::source::{self as source, CsvPart, SplitRecord};
use super::values::{self, trim_bytes};
use super::{parse_time, FileReport, Ledger, LoadOptions, Rejected, Row, RowAt, Table};
use crate::error::{Error, Location, Result};
use crate::hall::{time, Hall, Status, Tickets, Timestamp, NONE, NO_TIME};

/// The contract's statuses and the Chinese words of queue systems.
pub fn parse_status(s: &str) -> Option<Status> {
    match s.trim().to_lowercase().as_str() {
        "served" | "done" | "finished" | "办结" | "已办结" | "完成" | "已完成" => {
            Some(Status::Served)
        }
        "no_show" | "no-show" | "noshow" | "missed" | "过号" | "未到" => Some(Status::NoShow),
        "cancelled" | "canceled" | "abandoned" | "取消" | "已取消" | "放弃" => {
            Some(Status::Cancelled)
        }
        _ => None,
    }
}

/// [`parse_status`] on a trimmed cell, the contract's own words matched without a copy.
fn status_of(b: &[u8]) -> Option<Status> {
    match b {
        b"served" => Some(Status::Served),
        b"no_show" => Some(Status::NoShow),
        b"cancelled" => Some(Status::Cancelled),
        _ => parse_status(&text(b)),
    }
}

fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

struct Cols<'a> {
    id: Option<&'a Source>,
    issued: Option<&'a Source>,
    called: Option<&'a Source>,
    finished: Option<&'a Source>,
    window: Option<&'a Source>,
    department: Option<&'a Source>,
    matter: Option<&'a Source>,
    status: Option<&'a Source>,
}

fn first(s: Option<&Source>) -> Option<usize> {
    s.and_then(|s| s.columns.first().copied())
}

/// The fields of a row as bytes.
trait Fields {
    fn field(&self, i: usize) -> &[u8];
}

impl Fields for csv::ByteRecord {
    fn field(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or(b"")
    }
}

impl Fields for SplitRecord<'_> {
    fn field(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or(b"")
    }
}

impl Fields for Row<'_> {
    fn field(&self, i: usize) -> &[u8] {
        self.get(i).as_bytes()
    }
}

/// The bytes of a contract column in a row, trimmed; several source columns are joined by
/// a space (as [`super::cell`] does for text).
fn cell<'r>(row: &'r impl Fields, src: Option<&Source>, scratch: &'r mut Vec<u8>) -> &'r [u8] {
    match src {
        None => b"",
        Some(s) if s.columns.len() == 1 => trim_bytes(row.field(s.columns[0])),
        Some(s) => {
            if s.columns
                .iter()
                .skip(1)
                .all(|&i| trim_bytes(row.field(i)).is_empty())
            {
                return b"";
            }
            scratch.clear();
            for (k, &i) in s.columns.iter().enumerate() {
                if k > 0 {
                    scratch.push(b' ');
                }
                scratch.extend_from_slice(trim_bytes(row.field(i)));
            }
            scratch.as_slice()
        }
    }
}

/// [`parse_time`] on bytes; the contract's shapes are parsed without a copy.
fn time_of(
    b: &[u8],
    src: Option<&Source>,
    from_sheet: bool,
    cache: &mut values::DateCache,
) -> std::result::Result<Option<Timestamp>, String> {
    if b.is_empty() {
        return Ok(None);
    }
    if src.and_then(|s| s.format.as_deref()).is_none() && !from_sheet {
        return match values::parse_datetime_cached(b, cache) {
            Some((t, _)) => Ok(Some(t)),
            None => Err(format!(
                "\"{}\" is not a date-time ({})",
                text(b),
                values::DATETIME_EXPECTED
            )),
        };
    }
    parse_time(&text(b), src, from_sheet).map(|v| v.map(|v| v.0))
}

/// Names seen in one part, interned by their bytes.
#[derive(Default)]
struct Names {
    names: Vec<Box<[u8]>>,
    index: FxHashMap<Box<[u8]>, u32>,
}

impl Names {
    fn get(&self, b: &[u8]) -> Option<u32> {
        self.index.get(b).copied()
    }
    fn id(&mut self, b: &[u8]) -> u32 {
        if let Some(&i) = self.index.get(b) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(b.into());
        self.index.insert(b.into(), i);
        i
    }
}

/// A rejected row waiting for the merge: its place among the part's accepted candidates
/// keeps the file order.
struct Pending {
    before: usize,
    at: Location,
    column: &'static str,
    reason: &'static str,
    message: String,
    value: String,
}

/// What one part of the file gave: rows that passed every check but the duplicate check
/// (candidates, column by column), and rejected rows.
#[derive(Default)]
struct Part {
    read: u64,
    issued: Vec<Timestamp>,
    called: Vec<Timestamp>,
    finished: Vec<Timestamp>,
    window: Vec<u32>,
    department: Vec<u32>,
    matter: Vec<u32>,
    status: Vec<Status>,
    clamped: Vec<bool>,
    /// Line (or row) numbers, relative to the part for CSV parts.
    number: Vec<u64>,
    /// The ticket ids one after another.
    ids: Vec<u8>,
    id_end: Vec<usize>,
    /// [`key_hash`] of each candidate's (day, id), for the merge's duplicate check.
    hash: Vec<u64>,
    windows: Names,
    departments: Names,
    matters: Names,
    rejected: Vec<Pending>,
    /// Line ends in a CSV part.
    line_ends: u64,
    /// Spreadsheets and Parquet: where each candidate's ticket id is.
    id_at: Vec<Location>,
    dates: values::DateCache,
}

impl Part {
    fn len(&self) -> usize {
        self.issued.len()
    }
    /// Empty again, keeping the allocations (a streamed file's parts are reused).
    fn clear(&mut self) {
        let Part {
            read,
            issued,
            called,
            finished,
            window,
            department,
            matter,
            status,
            clamped,
            number,
            ids,
            id_end,
            hash,
            windows,
            departments,
            matters,
            rejected,
            line_ends,
            id_at,
            dates,
        } = self;
        *read = 0;
        *line_ends = 0;
        *dates = values::DateCache::default();
        issued.clear();
        called.clear();
        finished.clear();
        window.clear();
        department.clear();
        matter.clear();
        status.clear();
        clamped.clear();
        number.clear();
        ids.clear();
        id_end.clear();
        hash.clear();
        rejected.clear();
        id_at.clear();
        for names in [windows, departments, matters] {
            names.names.clear();
            names.index.clear();
        }
    }
    fn id(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.id_end[i - 1] };
        &self.ids[start..self.id_end[i]]
    }
}

fn key_hash(day: i64, id: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write_i64(day);
    h.write(id);
    h.finish()
}

/// The checks of one row, shared by every part.
struct Checker<'a> {
    c: Cols<'a>,
    opts: &'a LoadOptions,
    from_sheet: bool,
    /// Rows are CSV lines (else spreadsheet or Parquet rows).
    csv: bool,
    known_windows: FxHashSet<&'a [u8]>,
    matter_dept: FxHashMap<&'a [u8], &'a str>,
    max_service_s: i64,
}

impl<'a> Checker<'a> {
    fn new(
        resolved: &'a columns::Resolved,
        opts: &'a LoadOptions,
        hall: &'a Hall,
        from_sheet: bool,
        csv: bool,
    ) -> Checker<'a> {
        Checker {
            c: Cols {
                id: resolved.get("ticket_id"),
                issued: resolved.get("issued_at"),
                called: resolved.get("called_at"),
                finished: resolved.get("finished_at"),
                window: resolved.get("window_id"),
                department: resolved.get("department"),
                matter: resolved.get("matter_id"),
                status: resolved.get("status"),
            },
            opts,
            from_sheet,
            csv,
            known_windows: hall.windows.iter().map(|w| w.id.as_bytes()).collect(),
            matter_dept: hall
                .matters
                .iter()
                .map(|m| (m.id.as_bytes(), m.department.as_str()))
                .collect(),
            max_service_s: (opts.max_service_min * 60.0) as i64,
        }
    }

    /// Checks one row: a candidate ticket, or a rejected row. In strict mode a part stops
    /// looking at rows after its first rejected row (the merge turns that into the error).
    fn row(&self, part: &mut Part, at: RowAt<'_>, row: &impl Fields, s: &mut [Vec<u8>; 4]) {
        part.read += 1;
        if self.opts.strict && !part.rejected.is_empty() {
            return;
        }
        let c = &self.c;
        let opts = self.opts;
        let [s0, s1, s2, s3] = s;
        let id = cell(row, c.id, s0);
        let issued_text = cell(row, c.issued, s1);
        let called_text = cell(row, c.called, s2);
        let finished_text = cell(row, c.finished, s3);
        macro_rules! reject {
            ($col:expr, $src:expr, $reason:expr, $value:expr, $($msg:tt)*) => {{
                part.rejected.push(Pending {
                    before: part.issued.len(),
                    at: at.at(first($src)),
                    column: $col,
                    reason: $reason,
                    message: format!($($msg)*),
                    value: text($value).into_owned(),
                });
                return;
            }};
        }
        if id.is_empty() {
            reject!(
                "ticket_id",
                c.id,
                "missing_value",
                b"",
                "ticket_id is empty (expected the queue number)"
            );
        }
        let issued = match time_of(issued_text, c.issued, self.from_sheet, &mut part.dates) {
            Ok(Some(t)) => t,
            Ok(None) => reject!(
                "issued_at",
                c.issued,
                "missing_value",
                b"",
                "issued_at is empty (expected the time the ticket was taken)"
            ),
            Err(m) => reject!(
                "issued_at",
                c.issued,
                "bad_datetime",
                issued_text,
                "issued_at {m}"
            ),
        };
        let mut called = match time_of(called_text, c.called, self.from_sheet, &mut part.dates) {
            Ok(v) => v.unwrap_or(NO_TIME),
            Err(m) => reject!(
                "called_at",
                c.called,
                "bad_datetime",
                called_text,
                "called_at {m}"
            ),
        };
        let finished = match time_of(finished_text, c.finished, self.from_sheet, &mut part.dates) {
            Ok(v) => v.unwrap_or(NO_TIME),
            Err(m) => reject!(
                "finished_at",
                c.finished,
                "bad_datetime",
                finished_text,
                "finished_at {m}"
            ),
        };
        let status_text = cell(row, c.status, s1);
        let status = if status_text.is_empty() {
            implied_status(called, finished)
        } else {
            match status_of(status_text) {
                Some(st) => st,
                None => reject!("status", c.status, "bad_status", status_text, "status \"{}\" is not a status (expected served, no_show or cancelled / 办结, 过号, 取消)", text(status_text)),
            }
        };
        if status == Status::Served && (called == NO_TIME || finished == NO_TIME) {
            let (col, src) = if called == NO_TIME {
                ("called_at", c.called)
            } else {
                ("finished_at", c.finished)
            };
            reject!(
                col,
                src,
                "missing_value",
                b"",
                "{col} is empty for a served ticket (expected a date-time)"
            );
        }
        let mut clamped = false;
        if called != NO_TIME && called < issued {
            let early = issued - called;
            if early > opts.clock_skew_s {
                reject!(
                    "called_at",
                    c.called,
                    "called_before_issued",
                    called_text,
                    "called_at is {early} s before issued_at (clock-skew allowance {} s)",
                    opts.clock_skew_s
                );
            }
            clamped = true;
            called = issued;
        }
        if finished != NO_TIME && called != NO_TIME && finished < called {
            // Skew on the finishing clock too: a finish a few seconds before the (clamped) call.
            if called - finished > opts.clock_skew_s {
                reject!(
                    "finished_at",
                    c.finished,
                    "finished_before_called",
                    finished_text,
                    "finished_at is {} s before called_at",
                    called - finished
                );
            }
        }
        if finished != NO_TIME && called != NO_TIME && finished - called > self.max_service_s {
            reject!(
                "finished_at",
                c.finished,
                "service_too_long",
                finished_text,
                "service of {:.0} min is longer than max_service_min {:.0}",
                (finished - called) as f64 / 60.0,
                opts.max_service_min
            );
        }
        let window = cell(row, c.window, s2);
        // A window already named in this part has passed the inventory check.
        let window_id = if window.is_empty() {
            Some(NONE)
        } else {
            part.windows.get(window)
        };
        if window_id.is_none()
            && !self.known_windows.is_empty()
            && !self.known_windows.contains(window)
        {
            reject!(
                "window_id",
                c.window,
                "unknown_window",
                window,
                "window_id \"{}\" is not in the window inventory",
                text(window)
            );
        }
        let matter = cell(row, c.matter, s3);
        let dept_text = cell(row, c.department, s0);
        let department = if !dept_text.is_empty() {
            part.departments.id(dept_text)
        } else {
            match self.matter_dept.get(matter) {
                Some(d) => part.departments.id(d.as_bytes()),
                None => reject!(
                    "department",
                    c.department,
                    "missing_value",
                    b"",
                    "department is empty and matter_id \"{}\" is not in the matter catalogue",
                    text(matter)
                ),
            }
        };
        let window = match window_id {
            Some(w) => w,
            None => part.windows.id(window),
        };
        let matter = if matter.is_empty() {
            NONE
        } else {
            part.matters.id(matter)
        };
        // The id is re-read: its scratch buffer was reused for the department.
        let id = cell(row, c.id, s1);
        part.hash.push(key_hash(time::day(issued), id));
        part.ids.extend_from_slice(id);
        part.id_end.push(part.ids.len());
        part.number.push(at.number());
        if !self.csv {
            part.id_at.push(at.at(first(c.id)));
        }
        part.clamped.push(clamped);
        let finished = if finished != NO_TIME && finished < called {
            called
        } else {
            finished
        };
        part.issued.push(issued);
        part.called.push(called);
        part.finished.push(finished);
        part.window.push(window);
        part.department.push(department);
        part.matter.push(matter);
        part.status.push(status);
    }
}

/// Ticket files smaller than this are read whole.
const STREAM_MIN: u64 = 1 << 26;
/// Bytes per block of a streamed ticket file.
const BLOCK: usize = 1 << 21;
/// The start of a streamed file read first, for its header and encoding.
const HEAD: usize = 1 << 20;

/// Reads the ticket log at `path`. A large UTF-8 CSV without a quote character is read in
/// blocks, parsed on all cores and merged as the blocks come ([`stream`]); anything else is
/// opened whole ([`Table::open`], [`read`]). Same result either way.
pub fn read_file(
    path: &Path,
    opts: &LoadOptions,
    hall: &Hall,
    rejected: &mut Vec<Rejected>,
) -> Result<(Tickets, FileReport)> {
    read_file_with(
        path,
        opts,
        hall,
        rejected,
        STREAM_MIN,
        BLOCK,
        super::threads(),
    )
}

/// [`read_file`] with the size from which a file is streamed, the block size and the
/// threads given (tests).
pub fn read_file_with(
    path: &Path,
    opts: &LoadOptions,
    hall: &Hall,
    rejected: &mut Vec<Rejected>,
    stream_min: u64,
    block: usize,
    threads: usize,
) -> Result<(Tickets, FileReport)> {
    let clock = super::Clock::start();
    if let Some((tickets, report, rows)) = stream(path, opts, hall, stream_min, block, threads)? {
        rejected.extend(rows);
        clock.lap("tickets: streamed");
        return Ok((tickets, report));
    }
    let t = Table::open(path, &opts.open)?;
    clock.lap("tickets: open and decode");
    let out = read(&t, path, opts, hall, rejected)?;
    clock.lap("tickets: read");
    // Freeing a gigabyte takes a while: left to a thread (or to the exit).
    std::thread::spawn(move || drop(t));
    Ok(out)
}

fn lock(m: &std::sync::Mutex<Vec<Part>>) -> std::sync::MutexGuard<'_, Vec<Part>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a block of a streamed file gave: a part, or `None` when the file must be read
/// whole after all (a quote character, which may start a field spanning lines, or bytes
/// that are not UTF-8, which decide the encoding of the whole file).
type BlockResult = Option<Result<Part>>;

/// A streamed ticket file: its tickets, its report and its rejected rows.
type Streamed = (Tickets, FileReport, Vec<Rejected>);

/// Reads a large CSV in blocks ([`super::blocks`]); `Ok(None)` when the file is not one
/// (small, a spreadsheet, forced GB18030, a head that is not plain UTF-8 CSV, a header
/// the columns do not resolve in) or turns out not to be one (a quote or a non-UTF-8 byte
/// in a later block): the whole-file reader then decides, errors included.
fn stream(
    path: &Path,
    opts: &LoadOptions,
    hall: &Hall,
    stream_min: u64,
    block: usize,
    threads: usize,
) -> Result<Option<Streamed>> {
    use std::os::unix::fs::FileExt;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "parquet")
        || opts.open.encoding == Some(super::Encoding::Gb18030)
    {
        return Ok(None);
    }
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let io = |source| Error::Io {
        file: name.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len < stream_min.max(1) {
        return Ok(None);
    }
    let mut head = vec![0u8; HEAD.min(len as usize)];
    file.read_exact_at(&mut head, 0).map_err(io)?;
    let Some(nl) = memchr::memrchr(b'\n', &head) else {
        return Ok(None);
    };
    head.truncate(nl + 1);
    let head_lines = memchr::memchr_iter(b'\n', &head).count();
    if memchr::memchr(b'"', &head).is_some() {
        return Ok(None);
    }
    let table = match Table::from_csv_bytes(name.clone(), head, opts.open.encoding, ext == "tsv") {
        Ok(t) if t.encoding.starts_with("UTF-8") => t,
        _ => return Ok(None),
    };
    let from = if table.encoding == "UTF-8 (BOM)" {
        3
    } else {
        0
    };
    let Some(delimiter) = table.delimiter() else {
        return Ok(None);
    };
    let Ok(resolved) = columns::resolve(
        &table.file,
        "tickets",
        &table.headers,
        columns::TICKETS,
        opts.columns.as_ref(),
    ) else {
        return Ok(None);
    };
    let checker = Checker::new(&resolved, opts, hall, false, true);
    let spare: std::sync::Mutex<Vec<Part>> = std::sync::Mutex::default();
    let work = |k: usize, bytes: &[u8]| -> BlockResult {
        if memchr::memchr(b'"', bytes).is_some() || std::str::from_utf8(bytes).is_err() {
            return None;
        }
        // A part the merge is done with, its vectors already grown to a block's rows.
        let mut part = lock(&spare).pop().unwrap_or_default();
        part.clear();
        let mut s = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        let ends = source::split_records(&CsvPart::new(bytes, k == 0), delimiter, |ends, rec| {
            checker.row(&mut part, RowAt::line(ends + 1), rec, &mut s);
            Ok(())
        });
        Some(ends.map(|ends| {
            part.line_ends = ends;
            part
        }))
    };
    // Rows from the head's lines per byte, with a little to spare.
    let rows = (len as f64 * head_lines as f64 / nl.max(1) as f64 * 1.05) as usize;
    let mut merger = Merger::new(true, rows);
    let mut rows_rejected = Vec::new();
    let mut ledger = Ledger::new(&table, path, &mut rows_rejected, opts.strict);
    ledger.report.ignored_columns = resolved.ignored.clone();
    let (mut whole, mut read_error, mut merge_error) = (false, None, None);
    super::blocks::for_each_block(
        &file,
        from,
        block,
        threads,
        work,
        |_, result| match result {
            None => {
                whole = true;
                std::ops::ControlFlow::Break(())
            }
            Some(Err(e)) => {
                read_error.get_or_insert(e);
                std::ops::ControlFlow::Continue(())
            }
            Some(Ok(mut part)) => {
                // After an error the rest is only checked for a reason to read the file whole,
                // which would decide first (as decoding does before any row is read).
                if read_error.is_none() && merge_error.is_none() {
                    if let Err(e) = merger.push(&mut part, &mut ledger) {
                        merge_error = Some(e);
                    }
                }
                lock(&spare).push(part);
                std::ops::ControlFlow::Continue(())
            }
        },
    )
    .map_err(io)?;
    if whole {
        return Ok(None);
    }
    // A part that could not be read decides before the merge's errors, as when read whole.
    if let Some(e) = read_error.or(merge_error) {
        return Err(e);
    }
    let tickets = merger.finish(&mut ledger);
    let report = ledger.finish();
    Ok(Some((tickets, report, rows_rejected)))
}

pub fn read(
    table: &Table,
    path: &Path,
    opts: &LoadOptions,
    hall: &Hall,
    rejected: &mut Vec<Rejected>,
) -> Result<(Tickets, FileReport)> {
    let parts = if table.csv_len() >= 1 << 20 {
        super::threads()
    } else {
        1
    };
    read_in_parts(table, path, opts, hall, rejected, parts)
}

/// [`read`] with the CSV body cut into up to `parts` parts, each read on its own thread.
/// The result does not depend on `parts` (tested); `read` picks it.
pub fn read_in_parts(
    table: &Table,
    path: &Path,
    opts: &LoadOptions,
    hall: &Hall,
    rejected: &mut Vec<Rejected>,
    parts: usize,
) -> Result<(Tickets, FileReport)> {
    let resolved = columns::resolve(
        &table.file,
        "tickets",
        &table.headers,
        columns::TICKETS,
        opts.columns.as_ref(),
    )?;
    let checker = Checker::new(&resolved, opts, hall, table.from_sheet, table.csv_len() > 0);
    let scratch = || [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    // Parts of a CSV are numbered by line within the part; `csv` says so for the merge.
    let (done, csv): (Vec<Part>, bool) = match table.csv_parts(parts.max(1)) {
        Some(pieces) => {
            let read_part = |piece: &CsvPart<'_>| -> Result<Part> {
                let mut part = Part::default();
                let mut s = scratch();
                part.line_ends = match table.delimiter() {
                    Some(d) if !piece.has_quote() => {
                        source::split_records(piece, d, |ends, rec| {
                            checker.row(&mut part, RowAt::line(ends + 1), rec, &mut s);
                            Ok(())
                        })?
                    }
                    _ => table.for_each_record(piece, |ends, rec| {
                        checker.row(&mut part, RowAt::line(ends + 1), rec, &mut s);
                        Ok(())
                    })?,
                };
                Ok(part)
            };
            let done = if pieces.len() == 1 {
                vec![read_part(&pieces[0])?]
            } else {
                std::thread::scope(|sc| {
                    let handles: Vec<_> =
                        pieces.iter().map(|p| sc.spawn(|| read_part(p))).collect();
                    handles
                        .into_iter()
                        .map(|h| {
                            h.join().unwrap_or_else(|_| {
                                Err(Error::BadFile {
                                    file: table.file.clone(),
                                    message: "a reading thread failed".into(),
                                })
                            })
                        })
                        .collect::<Result<Vec<Part>>>()
                })?
            };
            (done, true)
        }
        None => {
            let mut part = Part::default();
            let mut s = scratch();
            table.for_each_row(|at, row| {
                checker.row(&mut part, at, &row, &mut s);
                Ok(())
            })?;
            (vec![part], false)
        }
    };
    let mut ledger = Ledger::new(table, path, rejected, opts.strict);
    ledger.report.ignored_columns = resolved.ignored.clone();
    let clock = super::Clock::start();
    let mut merger = Merger::new(csv, done.iter().map(Part::len).sum());
    for mut part in done {
        merger.push(&mut part, &mut ledger)?;
    }
    let tickets = merger.finish(&mut ledger);
    clock.lap("tickets: merge");
    Ok((tickets, ledger.finish()))
}

/// Joins the parts in file order, one part at a time as they come: the duplicate check
/// (first occurrence wins), final name indices in first-seen order, and the ledger's rows
/// in file order. Only accepted tickets can be first occurrences, so the duplicate check
/// keeps their ids and line numbers, in one small hash table per day (an export in time
/// order keeps the current day's table in cache).
struct Merger {
    t: Tickets,
    /// Parts are CSV parts numbered by line within the part.
    csv: bool,
    /// Line ends of the parts merged so far.
    base: u64,
    /// Accepted tickets' ids one after another, and their line (or row) numbers.
    ids: Vec<u8>,
    id_end: Vec<usize>,
    number: Vec<u64>,
    day_slot: FxHashMap<i64, usize>,
    tables: Vec<HashTable<u32>>,
    last: Option<(i64, usize)>,
}

impl Merger {
    fn new(csv: bool, rows: usize) -> Merger {
        let mut t = Tickets::default();
        t.issued.reserve(rows);
        t.called.reserve(rows);
        t.finished.reserve(rows);
        t.window.reserve(rows);
        t.department.reserve(rows);
        t.matter.reserve(rows);
        t.status.reserve(rows);
        Merger {
            t,
            csv,
            base: 0,
            ids: Vec::with_capacity(rows * 8),
            id_end: Vec::with_capacity(rows),
            number: Vec::with_capacity(rows),
            day_slot: FxHashMap::default(),
            tables: Vec::new(),
            last: None,
        }
    }

    /// The next part in file order.
    fn push(&mut self, part: &mut Part, ledger: &mut Ledger<'_>) -> Result<()> {
        if u32::try_from(self.t.len() + part.len()).is_err() {
            return Err(Error::BadFile {
                file: "tickets".into(),
                message: "more than 4 294 967 295 ticket rows".into(),
            });
        }
        ledger.report.read += part.read;
        let base = if self.csv { self.base } else { 0 };
        self.base += part.line_ends;
        let shift = |at: Location| match at {
            Location::Line(n) if self.csv => Location::Line(n + base),
            other => other,
        };
        let pending = std::mem::take(&mut part.rejected);
        let mut pending = pending.into_iter().peekable();
        // The part's name indices to the merged interners', assigned in first-seen order.
        let remap = |names: &Names| vec![NONE; names.names.len()];
        let mut maps = [
            remap(&part.windows),
            remap(&part.departments),
            remap(&part.matters),
        ];
        let mut clamped = 0u64;
        for i in 0..=part.len() {
            // Rejected rows before this candidate go first.
            while let Some(p) = pending.next_if(|p| p.before <= i) {
                ledger.reject(shift(p.at), p.column, p.reason, p.message, &p.value)?;
            }
            if i == part.len() {
                break;
            }
            let day = time::day(part.issued[i]);
            let id = part.id(i);
            let h = part.hash[i];
            let slot = match self.last {
                Some((d, slot)) if d == day => slot,
                _ => {
                    // Sized like the day before: few tables grow while filling.
                    let hint = self.last.map_or(0, |(_, s)| self.tables[s].len());
                    let tables = &mut self.tables;
                    let slot = *self.day_slot.entry(day).or_insert_with(|| {
                        tables.push(HashTable::with_capacity(hint + hint / 4));
                        tables.len() - 1
                    });
                    self.last = Some((day, slot));
                    slot
                }
            };
            let (ids, id_end, issued) = (&self.ids, &self.id_end, &self.t.issued);
            let id_of = |g: u32| {
                let g = g as usize;
                let start = if g == 0 { 0 } else { id_end[g - 1] };
                &ids[start..id_end[g]]
            };
            // Within a day's table every ticket has that day: the ids decide.
            if let Some(&g) = self.tables[slot].find(h, |&g| id_of(g) == id) {
                let at = if self.csv {
                    Location::Line(part.number[i] + base)
                } else {
                    part.id_at[i].clone()
                };
                let first = self.number[g as usize];
                ledger.reject(
                    at,
                    "ticket_id",
                    "duplicate_ticket",
                    format!(
                        "ticket_id \"{}\" appears twice on {} (first on line {})",
                        text(id),
                        time::format_date(day),
                        first
                    ),
                    &text(id),
                )?;
                continue;
            }
            let g = self.t.len() as u32;
            self.tables[slot]
                .insert_unique(h, g, |&g| key_hash(time::day(issued[g as usize]), id_of(g)));
            self.ids.extend_from_slice(id);
            self.id_end.push(self.ids.len());
            self.number.push(if self.csv {
                part.number[i] + base
            } else {
                part.number[i]
            });
            clamped += u64::from(part.clamped[i]);
            let t = &mut self.t;
            t.issued.push(part.issued[i]);
            t.called.push(part.called[i]);
            t.finished.push(part.finished[i]);
            t.status.push(part.status[i]);
            let [mw, md, mm] = &mut maps;
            t.window
                .push(global(mw, &part.windows, &mut t.windows, part.window[i]));
            t.department.push(global(
                md,
                &part.departments,
                &mut t.departments,
                part.department[i],
            ));
            t.matter
                .push(global(mm, &part.matters, &mut t.matters, part.matter[i]));
            ledger.report.accepted += 1;
        }
        ledger.report.clamped += clamped;
        Ok(())
    }

    fn finish(self, ledger: &mut Ledger<'_>) -> Tickets {
        let t = self.t;
        if let (Some(&lo), Some(&hi)) = (t.issued.iter().min(), t.issued.iter().max()) {
            ledger.span(lo);
            ledger.span(hi);
        }
        t
    }
}

/// A part's name index to the merged interner's (assigned on first sight).
fn global(map: &mut [u32], names: &Names, interner: &mut crate::hall::Interner, l: u32) -> u32 {
    if l == NONE {
        return NONE;
    }
    let g = &mut map[l as usize];
    if *g == NONE {
        *g = interner.intern(&text(&names.names[l as usize]));
    }
    *g
}

/// The status a row without one implies (DATA.md: served when finished_at is set).
fn implied_status(called: Timestamp, finished: Timestamp) -> Status {
    match (called != NO_TIME, finished != NO_TIME) {
        (_, true) => Status::Served,
        (true, false) => Status::NoShow,
        (false, false) => Status::Cancelled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::{Matter, Window, WindowKind};

    /// A dirty ticket log: duplicates (also far apart, across any cut), bad dates, blank
    /// lines, CRLF and lone CR line ends, unknown windows, bad statuses, Unicode spaces,
    /// departments from the matter catalogue, clock skew, rows too short.
    fn dirty_csv(rows: usize) -> Vec<u8> {
        let mut x = 99u64;
        let mut rnd = move |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let depts = ["税务局", "医保局", "市场监管局"];
        let mut out = String::from(
            "ticket_id,issued_at,called_at,finished_at,window_id,department,matter_id,status\n",
        );
        let mut earlier: Vec<String> = Vec::new();
        for i in 0..rows {
            let day = 1 + (i * 28 / rows);
            let (h, m) = (9 + (i % 8), i % 60);
            let issued = format!("2020-06-{day:02} {h:02}:{m:02}:07");
            let called = format!("2020-06-{day:02} {h:02}:{m:02}:37");
            let finished = format!("2020-06-{day:02} {:02}:{m:02}:59", h + 1);
            let d = rnd(3) as usize;
            let mut f = [
                format!("{}{:04}", ["A", "B", "C"][d], i % 500),
                issued,
                called,
                finished,
                format!("W{}", 1 + rnd(6)),
                depts[d].to_string(),
                format!("M{}", 1 + rnd(4)),
                "served".to_string(),
            ];
            match rnd(40) {
                0 => f[1] = "2020-13-01 09:00:00".into(),
                1 => f[4] = "ZZ9".into(),
                2 => f[7] = "weird".into(),
                3 => f[0] = String::new(),
                4 => f[5] = format!("\u{3000}{} ", f[5]),
                5 => f[2] = "2020-05-01 00:00:00".into(),
                6 => {
                    f[2] = f[1].replace(":07", ":50");
                    f[1] = f[1].replace(":07", ":59");
                }
                7 => f[1] = f[1].replace('-', "/"),
                8 => f[5] = String::new(),
                9 => {
                    f[5] = String::new();
                    f[6] = "NOPE".into();
                }
                10 => f[7] = " No_Show ".into(),
                11 => {
                    f[3] = String::new();
                    f[7] = String::new();
                }
                12 => {
                    f[3] = f[3]
                        .replace(":59", ":00")
                        .replace(&format!("{:02}:", h + 1), "23:")
                }
                _ => {}
            }
            let line = if rnd(25) == 0 && !earlier.is_empty() {
                earlier[rnd(earlier.len() as u64) as usize].clone()
            } else if rnd(60) == 0 {
                f[..4].join(",")
            } else {
                f.join(",")
            };
            if rnd(10) == 0 {
                earlier.push(line.clone());
            }
            out.push_str(&line);
            out.push_str(match rnd(50) {
                0 => "\r\n",
                1 => "\r",
                2 => "\n\n",
                3 => "\n \n",
                _ => "\n",
            });
        }
        out.into_bytes()
    }

    fn hall() -> Hall {
        let window = |i: u32| Window {
            id: format!("W{i}"),
            department: "税务局".into(),
            staff: 1,
            kind: WindowKind::Department,
            merge_group: None,
            locked: false,
        };
        let matter = |i: u32| Matter {
            id: format!("M{i}"),
            name: format!("matter {i}"),
            department: "民政局".into(),
            weekly_volume: None,
            avg_handle_min: None,
            online_capable: false,
            online_share: None,
            backoffice_eligible: false,
            intake_min: 0.0,
            merge_group: None,
            in_person_required: false,
            derived_from_tickets: false,
        };
        Hall {
            windows: (1..=6).map(window).collect(),
            matters: (1..=4).map(matter).collect(),
            ..Hall::default()
        }
    }

    type Outcome = (Vec<String>, serde_json::Value, Vec<Rejected>);

    /// Every ticket, name table, ledger and rejected row of a read, for comparing reads.
    fn outcome(
        t: &Tickets,
        report: &FileReport,
        rejected: Vec<Rejected>,
    ) -> std::result::Result<Outcome, String> {
        let cols = (0..t.len())
            .map(|i| {
                format!(
                    "{} {} {} {} {} {} {:?}",
                    t.issued[i],
                    t.called[i],
                    t.finished[i],
                    t.windows.name(t.window[i]),
                    t.departments.name(t.department[i]),
                    t.matters.name(t.matter[i]),
                    t.status[i]
                )
            })
            .chain([
                t.windows.names().join("|"),
                t.departments.names().join("|"),
                t.matters.names().join("|"),
                format!("{:?} {:?} {:?}", t.window, t.department, t.matter),
            ])
            .collect();
        Ok((
            cols,
            serde_json::to_value(report).map_err(|e| e.to_string())?,
            rejected,
        ))
    }

    fn read_with(
        bytes: &[u8],
        parts: usize,
        opts: &LoadOptions,
    ) -> std::result::Result<Outcome, String> {
        let table = Table::from_csv_bytes("tickets.csv".into(), bytes.to_vec(), None, false)
            .map_err(|e| e.to_string())?;
        let mut rejected = Vec::new();
        let (t, report) = read_in_parts(
            &table,
            Path::new("tickets.csv"),
            opts,
            &hall(),
            &mut rejected,
            parts,
        )
        .map_err(|e| e.to_string())?;
        outcome(&t, &report, rejected)
    }

    #[test]
    fn parallel_parts_give_the_sequential_result() {
        let bytes = dirty_csv(6_000);
        let opts = LoadOptions::default();
        let one = read_with(&bytes, 1, &opts).expect("reads");
        assert!(one.2.len() > 300, "dirty enough: {} rejected", one.2.len());
        assert!(one.2.iter().any(|r| r.reason == "duplicate_ticket"));
        assert!(one.1["clamped"].as_u64().unwrap_or(0) > 0);
        for parts in [2, 3, 4, 7, 64] {
            assert_eq!(
                read_with(&bytes, parts, &opts).expect("reads"),
                one,
                "{parts} parts"
            );
        }
        // Strict mode: the same first rejected row becomes the error.
        let strict = LoadOptions {
            strict: true,
            ..LoadOptions::default()
        };
        let e1 = read_with(&bytes, 1, &strict).expect_err("strict fails");
        for parts in [2, 5] {
            assert_eq!(
                read_with(&bytes, parts, &strict).expect_err("strict fails"),
                e1
            );
        }
    }

    /// The ticket file read by `read_file_with`: streamed in blocks of `block` bytes on
    /// `threads` threads, or whole (`block == 0`).
    fn read_path(
        path: &Path,
        block: usize,
        threads: usize,
        opts: &LoadOptions,
    ) -> std::result::Result<Outcome, String> {
        let mut rejected = Vec::new();
        let min = if block == 0 { u64::MAX } else { 0 };
        let (t, report) = read_file_with(
            path,
            opts,
            &hall(),
            &mut rejected,
            min,
            block.max(1),
            threads,
        )
        .map_err(|e| e.to_string())?;
        outcome(&t, &report, rejected)
    }

    #[test]
    fn streamed_blocks_give_the_whole_file_result() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dirty = dirty_csv(1_500);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(&dirty);
        let mut no_final_newline = dirty.clone();
        while no_final_newline
            .last()
            .is_some_and(|c| *c == b'\n' || *c == b'\r')
        {
            no_final_newline.pop();
        }
        // A quoted field spanning lines far from the start: read whole after all.
        let mut quoted = dirty.clone();
        quoted.extend_from_slice(
            "Q1,2020-06-28 09:00:00,2020-06-28 09:01:00,2020-06-28 09:05:00,W1,\"税务\n局\",M1,served\n"
                .as_bytes(),
        );
        // GBK bytes far from the start: the whole file is GB18030, read whole.
        let mut gbk = dirty.clone();
        let (dept, _, _) = encoding_rs::GBK.encode("医保局");
        gbk.extend_from_slice(
            b"G1,2020-06-28 09:00:00,2020-06-28 09:01:00,2020-06-28 09:05:00,W1,",
        );
        gbk.extend_from_slice(&dept);
        gbk.extend_from_slice(b",M1,served\n");
        let strict = LoadOptions {
            strict: true,
            ..LoadOptions::default()
        };
        for (name, bytes) in [
            ("dirty", &dirty),
            ("bom", &bom),
            ("no_final_newline", &no_final_newline),
            ("quoted", &quoted),
            ("gbk", &gbk),
        ] {
            let path = dir.path().join(format!("{name}.csv"));
            std::fs::write(&path, bytes).expect("writes");
            for opts in [&LoadOptions::default(), &strict] {
                let whole = read_path(&path, 0, 1, opts);
                if !opts.strict {
                    assert!(whole.as_ref().is_ok_and(|w| w.2.len() > 50), "{name}");
                    let streamed = stream(&path, opts, &hall(), 0, 100, 2)
                        .expect("reads")
                        .is_some();
                    assert_eq!(streamed, !matches!(name, "quoted" | "gbk"), "{name}");
                }
                // Blocks cut inside lines, multi-byte characters and CRLF pairs; a block
                // smaller than a line; one block for the whole file.
                for block in [13, 100, 1_000, 1 << 20] {
                    for threads in [1, 2, 3] {
                        assert_eq!(
                            read_path(&path, block, threads, opts),
                            whole,
                            "{name}, block {block}, {threads} threads, strict {}",
                            opts.strict
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn line_numbers_count_blank_lines_and_lone_cr_in_every_part() {
        let csv = "ticket_id,issued_at,called_at,finished_at,window_id,department\n\
                   A1,2020-06-01 09:00:00,2020-06-01 09:01:00,2020-06-01 09:05:00,W1,税务局\r\
                   A2,bad,,,W1,税务局\n\n\
                   A1,2020-06-01 09:00:00,2020-06-01 09:01:00,2020-06-01 09:05:00,W1,税务局\r\n\
                   A3,2020-06-01 09:00:00,2020-06-01 09:01:00,2020-06-01 09:05:00,ZZ,税务局\n";
        for parts in [1, 2, 3, 5] {
            let (_, _, rejected) =
                read_with(csv.as_bytes(), parts, &LoadOptions::default()).expect("reads");
            let lines: Vec<String> = rejected
                .iter()
                .map(|r| format!("{} {} {}", r.at, r.reason, r.message))
                .collect();
            assert_eq!(
                lines,
                vec![
                    "3 bad_datetime issued_at \"bad\" is not a date-time (expected YYYY-MM-DD HH:MM[:SS], YYYY/M/D H:MM[:SS] or ISO 8601 with T)".to_string(),
                    "5 duplicate_ticket ticket_id \"A1\" appears twice on 2020-06-01 (first on line 2)".to_string(),
                    "6 unknown_window window_id \"ZZ\" is not in the window inventory".to_string(),
                ],
                "{parts} parts"
            );
        }
    }
}
