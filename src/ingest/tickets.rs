//! The ticket log: every row either becomes a ticket or a rejected row with a reason.
//!
//! This is the hot path for large exports (ten million rows): no allocation per row
//! except for the duplicate check, dates parsed by hand, strings interned.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::columns::{self, Source};
use super::{cell, parse_time, FileReport, Ledger, LoadOptions, Rejected, Table};
use crate::error::Result;
use crate::hall::{time, Hall, Status, TicketRow, Tickets, Timestamp, NO_TIME};

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

pub fn read(
    table: &Table,
    path: &Path,
    opts: &LoadOptions,
    hall: &Hall,
    rejected: &mut Vec<Rejected>,
) -> Result<(Tickets, FileReport)> {
    let resolved = columns::resolve(
        &table.file,
        "tickets",
        &table.headers,
        columns::TICKETS,
        opts.columns.as_ref(),
    )?;
    let c = Cols {
        id: resolved.get("ticket_id"),
        issued: resolved.get("issued_at"),
        called: resolved.get("called_at"),
        finished: resolved.get("finished_at"),
        window: resolved.get("window_id"),
        department: resolved.get("department"),
        matter: resolved.get("matter_id"),
        status: resolved.get("status"),
    };
    let mut ledger = Ledger::new(table, path, rejected, opts.strict);
    ledger.report.ignored_columns = resolved.ignored.clone();
    let known_windows: HashSet<&str> = hall.windows.iter().map(|w| w.id.as_str()).collect();
    let matter_dept: HashMap<&str, &str> = hall
        .matters
        .iter()
        .map(|m| (m.id.as_str(), m.department.as_str()))
        .collect();
    let mut seen: HashMap<(i64, Box<str>), u64> = HashMap::new();
    let mut tickets = Tickets::default();
    let mut s = [String::new(), String::new(), String::new(), String::new()];
    let max_service_s = (opts.max_service_min * 60.0) as i64;

    table.for_each_row(|at, row| {
        ledger.report.read += 1;
        let [s0, s1, s2, s3] = &mut s;
        let id = cell(&row, c.id, s0);
        let issued_text = cell(&row, c.issued, s1);
        let called_text = cell(&row, c.called, s2);
        let finished_text = cell(&row, c.finished, s3);
        macro_rules! reject {
            ($col:expr, $src:expr, $reason:expr, $value:expr, $($msg:tt)*) => {
                return ledger.reject(at.at(first($src)), $col, $reason, format!($($msg)*), $value)
            };
        }
        if id.is_empty() {
            reject!("ticket_id", c.id, "missing_value", "", "ticket_id is empty (expected the queue number)");
        }
        let issued = match parse_time(issued_text, c.issued, table.from_sheet) {
            Ok(Some((t, _))) => t,
            Ok(None) => reject!("issued_at", c.issued, "missing_value", "", "issued_at is empty (expected the time the ticket was taken)"),
            Err(m) => reject!("issued_at", c.issued, "bad_datetime", issued_text, "issued_at {m}"),
        };
        let mut called = match parse_time(called_text, c.called, table.from_sheet) {
            Ok(v) => v.map_or(NO_TIME, |v| v.0),
            Err(m) => reject!("called_at", c.called, "bad_datetime", called_text, "called_at {m}"),
        };
        let finished = match parse_time(finished_text, c.finished, table.from_sheet) {
            Ok(v) => v.map_or(NO_TIME, |v| v.0),
            Err(m) => reject!("finished_at", c.finished, "bad_datetime", finished_text, "finished_at {m}"),
        };
        let status_text = cell(&row, c.status, s1);
        let status = if status_text.is_empty() {
            implied_status(called, finished)
        } else {
            match parse_status(status_text) {
                Some(st) => st,
                None => reject!("status", c.status, "bad_status", status_text, "status \"{status_text}\" is not a status (expected served, no_show or cancelled / 办结, 过号, 取消)"),
            }
        };
        if status == Status::Served && (called == NO_TIME || finished == NO_TIME) {
            let (col, src) = if called == NO_TIME { ("called_at", c.called) } else { ("finished_at", c.finished) };
            reject!(col, src, "missing_value", "", "{col} is empty for a served ticket (expected a date-time)");
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
        if finished != NO_TIME && called != NO_TIME && finished - called > max_service_s {
            reject!("finished_at", c.finished, "service_too_long", finished_text, "service of {:.0} min is longer than max_service_min {:.0}", (finished - called) as f64 / 60.0, opts.max_service_min);
        }
        let window = cell(&row, c.window, s2);
        if !window.is_empty() && !known_windows.is_empty() && !known_windows.contains(window) {
            reject!("window_id", c.window, "unknown_window", window, "window_id \"{window}\" is not in the window inventory");
        }
        let matter = cell(&row, c.matter, s3);
        let dept_text = cell(&row, c.department, s0);
        let department = if !dept_text.is_empty() {
            dept_text
        } else {
            match matter_dept.get(matter) {
                Some(d) => d,
                None => reject!("department", c.department, "missing_value", "", "department is empty and matter_id \"{matter}\" is not in the matter catalogue"),
            }
        };
        // The id is re-read: its scratch buffer was reused for the department.
        let id = cell(&row, c.id, s1);
        let key = (time::day(issued), Box::<str>::from(id));
        if let Some(&line) = seen.get(&key) {
            reject!("ticket_id", c.id, "duplicate_ticket", id, "ticket_id \"{id}\" appears twice on {} (first on line {line})", time::format_date(key.0));
        }
        seen.insert(key, at.number());
        if clamped {
            ledger.report.clamped += 1;
        }
        ledger.report.accepted += 1;
        ledger.span(issued);
        let finished = if finished != NO_TIME && finished < called { called } else { finished };
        tickets.push(TicketRow {
            issued,
            called,
            finished,
            window: Some(window),
            department,
            matter: Some(matter),
            status,
        });
        Ok(())
    })?;
    Ok((tickets, ledger.finish()))
}

/// The status a row without one implies (DATA.md: served when finished_at is set).
fn implied_status(called: Timestamp, finished: Timestamp) -> Status {
    match (called != NO_TIME, finished != NO_TIME) {
        (_, true) => Status::Served,
        (true, false) => Status::NoShow,
        (false, false) => Status::Cancelled,
    }
}
