//! One row of the ticket log checked: its cells read without allocating, its times
//! parsed, its names interned per part, and the row accepted into a part or set aside
//! with a reason.

use std::borrow::Cow;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::error::Location;
use crate::hall::{time, Hall, Status, Timestamp, NONE, NO_TIME};
use crate::ingest::columns::{self, Source};
use crate::ingest::source::SplitRecord;
use crate::ingest::values::{self, trim_bytes};
use crate::ingest::{parse_time, LoadOptions, Row, RowAt};

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
pub(super) fn status_of(b: &[u8]) -> Option<Status> {
    match b {
        b"served" => Some(Status::Served),
        b"no_show" => Some(Status::NoShow),
        b"cancelled" => Some(Status::Cancelled),
        _ => parse_status(&text(b)),
    }
}

pub(super) fn text(b: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(b)
}

pub(super) struct Cols<'a> {
    pub(super) id: Option<&'a Source>,
    pub(super) issued: Option<&'a Source>,
    pub(super) called: Option<&'a Source>,
    pub(super) finished: Option<&'a Source>,
    pub(super) window: Option<&'a Source>,
    pub(super) department: Option<&'a Source>,
    pub(super) matter: Option<&'a Source>,
    pub(super) status: Option<&'a Source>,
}

pub(super) fn first(s: Option<&Source>) -> Option<usize> {
    s.and_then(|s| s.columns.first().copied())
}

/// The fields of a row as bytes.
pub(super) trait Fields {
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
pub(super) fn cell<'r>(
    row: &'r impl Fields,
    src: Option<&Source>,
    scratch: &'r mut Vec<u8>,
) -> &'r [u8] {
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
pub(super) fn time_of(
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
pub(super) struct Names {
    pub(super) names: Vec<Box<[u8]>>,
    pub(super) index: FxHashMap<Box<[u8]>, u32>,
}

impl Names {
    pub(super) fn get(&self, b: &[u8]) -> Option<u32> {
        self.index.get(b).copied()
    }
    pub(super) fn id(&mut self, b: &[u8]) -> u32 {
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
pub(super) struct Pending {
    pub(super) before: usize,
    pub(super) at: Location,
    pub(super) column: &'static str,
    pub(super) reason: &'static str,
    pub(super) message: String,
    pub(super) value: String,
}

/// What one part of the file gave: rows that passed every check but the duplicate check
/// (candidates, column by column), and rejected rows.
#[derive(Default)]
pub(super) struct Part {
    pub(super) read: u64,
    pub(super) issued: Vec<Timestamp>,
    pub(super) called: Vec<Timestamp>,
    pub(super) finished: Vec<Timestamp>,
    pub(super) window: Vec<u32>,
    pub(super) department: Vec<u32>,
    pub(super) matter: Vec<u32>,
    pub(super) status: Vec<Status>,
    pub(super) clamped: Vec<bool>,
    /// Line (or row) numbers, relative to the part for CSV parts.
    pub(super) number: Vec<u64>,
    /// The ticket ids one after another.
    pub(super) ids: Vec<u8>,
    pub(super) id_end: Vec<usize>,
    /// [`key_hash`] of each candidate's (day, id), for the merge's duplicate check.
    pub(super) hash: Vec<u64>,
    pub(super) windows: Names,
    pub(super) departments: Names,
    pub(super) matters: Names,
    pub(super) rejected: Vec<Pending>,
    /// Line ends in a CSV part.
    pub(super) line_ends: u64,
    /// Spreadsheets and Parquet: where each candidate's ticket id is.
    pub(super) id_at: Vec<Location>,
    pub(super) dates: values::DateCache,
}

impl Part {
    pub(super) fn len(&self) -> usize {
        self.issued.len()
    }
    /// Empty again, keeping the allocations (a streamed file's parts are reused).
    pub(super) fn clear(&mut self) {
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
    pub(super) fn id(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.id_end[i - 1] };
        &self.ids[start..self.id_end[i]]
    }
}

pub(super) fn key_hash(day: i64, id: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write_i64(day);
    h.write(id);
    h.finish()
}

/// The checks of one row, shared by every part.
pub(super) struct Checker<'a> {
    pub(super) c: Cols<'a>,
    pub(super) opts: &'a LoadOptions,
    pub(super) from_sheet: bool,
    /// Rows are CSV lines (else spreadsheet or Parquet rows).
    pub(super) csv: bool,
    pub(super) known_windows: FxHashSet<&'a [u8]>,
    pub(super) matter_dept: FxHashMap<&'a [u8], &'a str>,
    pub(super) max_service_s: i64,
}

impl<'a> Checker<'a> {
    pub(super) fn new(
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
    pub(super) fn row(
        &self,
        part: &mut Part,
        at: RowAt<'_>,
        row: &impl Fields,
        s: &mut [Vec<u8>; 4],
    ) {
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

/// The status a row without one implies (input.md: served when finished_at is set).
pub(super) fn implied_status(called: Timestamp, finished: Timestamp) -> Status {
    match (called != NO_TIME, finished != NO_TIME) {
        (_, true) => Status::Served,
        (true, false) => Status::NoShow,
        (false, false) => Status::Cancelled,
    }
}
