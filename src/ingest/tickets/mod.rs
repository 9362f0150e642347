//! The ticket log: every row either becomes a ticket or a rejected row with a reason.
//!
//! This is the hot path for large exports (ten million rows). A CSV is read as bytes
//! (`csv::ByteRecord`, one reused record), in parts on several threads when it holds no
//! quote character; each part checks its rows on its own (dates parsed by hand, names
//! interned by their bytes, nothing allocated per row) and the parts are then merged in
//! file order, where duplicates are found (first occurrence wins) and names get their final
//! indices. The result is the same for any number of parts: same tickets in the same
//! order, same names in first-seen order, same rejected rows in file order.

mod merge;
mod rows;
#[cfg(test)]
mod tests;

use std::path::Path;

use crate::error::{Error, Result};
use crate::hall::{Hall, Tickets};
use crate::ingest::columns::{self};
use crate::ingest::source::{self as source, CsvPart};
use crate::ingest::{FileReport, Ledger, LoadOptions, Rejected, RowAt, Table};

use merge::*;
pub use rows::parse_status;
use rows::*;

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
        opts.open.threads,
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
    let clock = super::Clock::start(opts.timing);
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
        opts.open.threads
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
    let clock = super::Clock::start(opts.timing);
    let mut merger = Merger::new(csv, done.iter().map(Part::len).sum());
    for mut part in done {
        merger.push(&mut part, &mut ledger)?;
    }
    let tickets = merger.finish(&mut ledger);
    clock.lap("tickets: merge");
    Ok((tickets, ledger.finish()))
}
