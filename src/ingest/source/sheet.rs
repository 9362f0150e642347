//! xlsx workbooks (calamine): the named or first sheet, the header in the first
//! non-empty row, cells located by sheet and cell.

use std::path::Path;

use super::*;
use crate::error::{Error, Result};

pub(super) fn open_sheet(path: &Path, file: String, opts: &OpenOptions) -> Result<Table> {
    use calamine::{open_workbook_auto, Reader};
    let mut book = open_workbook_auto(path).map_err(|e| Error::BadFile {
        file: file.clone(),
        message: format!("not a readable spreadsheet: {e}"),
    })?;
    let names = book.sheet_names().to_vec();
    let sheet = match &opts.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(Error::BadFile {
                file,
                message: format!("no sheet named {s:?} (sheets: {})", names.join(", ")),
            })
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::EmptyFile { file: file.clone() })?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| Error::BadFile {
        file: file.clone(),
        message: format!("sheet {sheet:?} unreadable: {e}"),
    })?;
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut rows = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect::<Vec<_>>());
    let mut header_row = row0;
    let headers = loop {
        match rows.next() {
            Some(r) if r.iter().all(|c| c.trim().is_empty()) => header_row += 1,
            Some(r) => break r,
            None => return Err(Error::EmptyFile { file }),
        }
    };
    Ok(Table {
        file,
        encoding: "xlsx".into(),
        headers,
        from_sheet: true,
        body: Body::Cells {
            sheet: Some(sheet),
            // 1-based spreadsheet row of the first data row.
            first_row: header_row + 2,
            first_col: col0,
            rows: rows.collect(),
        },
    })
}

/// A spreadsheet cell as text; dates become Excel serials, which the value parser
/// accepts for spreadsheet sources.
pub(super) fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
    }
}
