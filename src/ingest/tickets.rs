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
use super::source::CsvPart;
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
) -> std::result::Result<Option<Timestamp>, String> {
    if b.is_empty() {
        return Ok(None);
    }
    if src.and_then(|s| s.format.as_deref()).is_none() && !from_sheet {
        return match values::parse_datetime_bytes(b) {
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
    /// Hash of (day, ticket id), and the ids one after another.
    key_hash: Vec<u64>,
    ids: Vec<u8>,
    id_end: Vec<usize>,
    windows: Names,
    departments: Names,
    matters: Names,
    rejected: Vec<Pending>,
    /// Line ends in a CSV part.
    line_ends: u64,
    /// Spreadsheets and Parquet: where each candidate's ticket id is.
    id_at: Vec<Location>,
}

impl Part {
    fn len(&self) -> usize {
        self.issued.len()
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

impl Checker<'_> {
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
            reject!("ticket_id", c.id, "missing_value", b"", "ticket_id is empty (expected the queue number)");
        }
        let issued = match time_of(issued_text, c.issued, self.from_sheet) {
            Ok(Some(t)) => t,
            Ok(None) => reject!("issued_at", c.issued, "missing_value", b"", "issued_at is empty (expected the time the ticket was taken)"),
            Err(m) => reject!("issued_at", c.issued, "bad_datetime", issued_text, "issued_at {m}"),
        };
        let mut called = match time_of(called_text, c.called, self.from_sheet) {
            Ok(v) => v.unwrap_or(NO_TIME),
            Err(m) => reject!("called_at", c.called, "bad_datetime", called_text, "called_at {m}"),
        };
        let finished = match time_of(finished_text, c.finished, self.from_sheet) {
            Ok(v) => v.unwrap_or(NO_TIME),
            Err(m) => reject!("finished_at", c.finished, "bad_datetime", finished_text, "finished_at {m}"),
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
            let (col, src) = if called == NO_TIME { ("called_at", c.called) } else { ("finished_at", c.finished) };
            reject!(col, src, "missing_value", b"", "{col} is empty for a served ticket (expected a date-time)");
        }
        let mut clamped = false;
        if called != NO_TIME && called < issued {
            let early = issued - called;
            if early > opts.clock_skew_s {
                reject!("called_at", c.called, "called_before_issued", called_text, "called_at is {early} s before issued_at (clock-skew allowance {} s)", opts.clock_skew_s);
            }
            clamped = true;
            called = issued;
        }
        if finished != NO_TIME && called != NO_TIME && finished < called {
            // Skew on the finishing clock too: a finish a few seconds before the (clamped) call.
            if called - finished > opts.clock_skew_s {
                reject!("finished_at", c.finished, "finished_before_called", finished_text, "finished_at is {} s before called_at", called - finished);
            }
        }
        if finished != NO_TIME && called != NO_TIME && finished - called > self.max_service_s {
            reject!("finished_at", c.finished, "service_too_long", finished_text, "service of {:.0} min is longer than max_service_min {:.0}", (finished - called) as f64 / 60.0, opts.max_service_min);
        }
        let window = cell(row, c.window, s2);
        // A window already named in this part has passed the inventory check.
        let window_id = if window.is_empty() { Some(NONE) } else { part.windows.get(window) };
        if window_id.is_none() && !self.known_windows.is_empty() && !self.known_windows.contains(window) {
            reject!("window_id", c.window, "unknown_window", window, "window_id \"{}\" is not in the window inventory", text(window));
        }
        let matter = cell(row, c.matter, s3);
        let dept_text = cell(row, c.department, s0);
        let department = if !dept_text.is_empty() {
            part.departments.id(dept_text)
        } else {
            match self.matter_dept.get(matter) {
                Some(d) => part.departments.id(d.as_bytes()),
                None => reject!("department", c.department, "missing_value", b"", "department is empty and matter_id \"{}\" is not in the matter catalogue", text(matter)),
            }
        };
        let window = match window_id {
            Some(w) => w,
            None => part.windows.id(window),
        };
        let matter = if matter.is_empty() { NONE } else { part.matters.id(matter) };
        // The id is re-read: its scratch buffer was reused for the department.
        let id = cell(row, c.id, s1);
        part.key_hash.push(key_hash(time::day(issued), id));
        part.ids.extend_from_slice(id);
        part.id_end.push(part.ids.len());
        part.number.push(at.number());
        if !self.csv {
            part.id_at.push(at.at(first(c.id)));
        }
        part.clamped.push(clamped);
        let finished = if finished != NO_TIME && finished < called { called } else { finished };
        part.issued.push(issued);
        part.called.push(called);
        part.finished.push(finished);
        part.window.push(window);
        part.department.push(department);
        part.matter.push(matter);
        part.status.push(status);
    }
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
    let checker = Checker {
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
        from_sheet: table.from_sheet,
        csv: table.csv_len() > 0,
        known_windows: hall.windows.iter().map(|w| w.id.as_bytes()).collect(),
        matter_dept: hall
            .matters
            .iter()
            .map(|m| (m.id.as_bytes(), m.department.as_str()))
            .collect(),
        max_service_s: (opts.max_service_min * 60.0) as i64,
    };
    let scratch = || [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
    // Parts of a CSV are numbered by line within the part; `csv` says so for the merge.
    let (done, csv): (Vec<Part>, bool) = match table.csv_parts(parts.max(1)) {
        Some(pieces) => {
            let read_part = |piece: &CsvPart<'_>| -> Result<Part> {
                let mut part = Part::default();
                let mut s = scratch();
                part.line_ends = table.for_each_record(piece, |ends, rec| {
                    checker.row(&mut part, RowAt::line(ends + 1), rec, &mut s);
                    Ok(())
                })?;
                Ok(part)
            };
            let done = if pieces.len() == 1 {
                vec![read_part(&pieces[0])?]
            } else {
                std::thread::scope(|sc| {
                    let handles: Vec<_> = pieces
                        .iter()
                        .map(|p| sc.spawn(|| read_part(p)))
                        .collect();
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
    let tickets = merge(done, csv, &mut ledger)?;
    clock.lap("tickets: merge");
    Ok((tickets, ledger.finish()))
}

/// Joins the parts in file order: the duplicate check (first occurrence wins), final name
/// indices in first-seen order, and the ledger's rows in file order.
fn merge(parts: Vec<Part>, csv: bool, ledger: &mut Ledger<'_>) -> Result<Tickets> {
    let total: usize = parts.iter().map(Part::len).sum();
    let mut t = Tickets::default();
    t.issued.reserve(total);
    t.called.reserve(total);
    t.finished.reserve(total);
    t.window.reserve(total);
    t.department.reserve(total);
    t.matter.reserve(total);
    t.status.reserve(total);
    // Accepted tickets by (day, id): one small table per day (an export in time order
    // keeps the current day's table in cache), holding indices of accepted tickets.
    let mut day_slot: FxHashMap<i64, usize> = FxHashMap::default();
    let mut tables: Vec<HashTable<u32>> = Vec::new();
    let mut last: Option<(i64, usize)> = None;
    let mut hashes: Vec<u64> = Vec::with_capacity(total);
    let mut numbers: Vec<u64> = Vec::with_capacity(total);
    let mut ids: Vec<u8> = Vec::new();
    let mut id_end: Vec<usize> = Vec::with_capacity(total);
    let id_of = |id_end: &[usize], a: usize| -> std::ops::Range<usize> {
        (if a == 0 { 0 } else { id_end[a - 1] })..id_end[a]
    };
    let mut base = 0u64;
    for mut part in parts {
        ledger.report.read += part.read;
        let shift = |at: Location| match at {
            Location::Line(n) if csv => Location::Line(n + base),
            other => other,
        };
        let remap = |names: &Names| vec![NONE; names.names.len()];
        let (mut rw, mut rd, mut rm) = (
            remap(&part.windows),
            remap(&part.departments),
            remap(&part.matters),
        );
        let mut pending = std::mem::take(&mut part.rejected).into_iter().peekable();
        for i in 0..part.len() {
            while let Some(p) = pending.next_if(|p| p.before <= i) {
                ledger.reject(shift(p.at), p.column, p.reason, p.message, &p.value)?;
            }
            let id = part.id(i);
            let issued = part.issued[i];
            let day = time::day(issued);
            let h = part.key_hash[i];
            let number = part.number[i] + if csv { base } else { 0 };
            let slot = match last {
                Some((d, slot)) if d == day => slot,
                _ => {
                    let slot = *day_slot.entry(day).or_insert_with(|| {
                        tables.push(HashTable::new());
                        tables.len() - 1
                    });
                    last = Some((day, slot));
                    slot
                }
            };
            let seen = &mut tables[slot];
            let found = seen.find(h, |&a| {
                let a = a as usize;
                time::day(t.issued[a]) == day && &ids[id_of(&id_end, a)] == id
            });
            if let Some(&a) = found {
                let at = if csv {
                    Location::Line(number)
                } else {
                    part.id_at[i].clone()
                };
                ledger.reject(
                    at,
                    "ticket_id",
                    "duplicate_ticket",
                    format!(
                        "ticket_id \"{}\" appears twice on {} (first on line {})",
                        text(id),
                        time::format_date(day),
                        numbers[a as usize]
                    ),
                    &text(id),
                )?;
                continue;
            }
            let a = u32::try_from(t.issued.len()).map_err(|_| Error::BadFile {
                file: ledger.report.path.clone(),
                message: "more than 4 294 967 294 tickets".into(),
            })?;
            seen.insert_unique(h, a, |&x| hashes[x as usize]);
            hashes.push(h);
            numbers.push(number);
            ids.extend_from_slice(id);
            id_end.push(ids.len());
            if part.clamped[i] {
                ledger.report.clamped += 1;
            }
            ledger.report.accepted += 1;
            ledger.span(issued);
            let global = |map: &mut Vec<u32>, names: &Names, interner: &mut crate::hall::Interner, l: u32| {
                if l == NONE {
                    return NONE;
                }
                let g = &mut map[l as usize];
                if *g == NONE {
                    *g = interner.intern(&text(&names.names[l as usize]));
                }
                *g
            };
            let w = global(&mut rw, &part.windows, &mut t.windows, part.window[i]);
            let d = global(&mut rd, &part.departments, &mut t.departments, part.department[i]);
            let m = global(&mut rm, &part.matters, &mut t.matters, part.matter[i]);
            t.issued.push(issued);
            t.called.push(part.called[i]);
            t.finished.push(part.finished[i]);
            t.window.push(w);
            t.department.push(d);
            t.matter.push(m);
            t.status.push(part.status[i]);
        }
        for p in pending {
            ledger.reject(shift(p.at), p.column, p.reason, p.message, &p.value)?;
        }
        base += part.line_ends;
    }
    Ok(t)
}

/// The status a row without one implies (DATA.md: served when finished_at is set).
fn implied_status(called: Timestamp, finished: Timestamp) -> Status {
    match (called != NO_TIME, finished != NO_TIME) {
        (_, true) => Status::Served,
        (true, false) => Status::NoShow,
        (false, false) => Status::Cancelled,
    }
}
