//! Opening an input file as a table: CSV (UTF-8, UTF-8 with BOM or GB18030, sniffed
//! delimiter), xlsx (calamine) or Parquet (polars-parquet). Every row keeps its location so
//! that errors can name the line, or the sheet and cell.

mod delimited;
mod parquet;
mod parquet_text;
mod sheet;
#[cfg(test)]
mod tests;

use std::path::Path;

use crate::error::{Error, Location, Result};

use delimited::*;
pub use delimited::{records, split_records, CsvPart, SplitRecord};
use parquet::open_parquet;
use sheet::open_sheet;

/// A forced encoding (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" => Ok(Encoding::Gb18030),
            other => Err(format!(
                "unknown encoding {other:?} (expected utf-8 or gbk)"
            )),
        }
    }
}

/// How to open files.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub encoding: Option<Encoding>,
    pub sheet: Option<String>,
    /// Threads for reading a large file (`HALLPLAN_THREADS`); results do not depend on it.
    pub threads: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            encoding: None,
            sheet: None,
            threads: crate::ingest::default_threads(),
        }
    }
}

enum Body {
    Csv {
        /// The decoded file; the CSV starts at `start` (past a BOM).
        text: Vec<u8>,
        start: usize,
        delimiter: u8,
    },
    Cells {
        sheet: Option<String>,
        first_row: u32,
        first_col: u32,
        rows: Vec<Vec<String>>,
    },
}

/// One opened input file.
pub struct Table {
    /// The file name as shown in messages.
    pub file: String,
    /// What was read: "UTF-8", "UTF-8 (BOM)", "GB18030", "xlsx", "parquet".
    pub encoding: String,
    pub headers: Vec<String>,
    /// True where cell values are spreadsheet values (Excel serial dates allowed).
    pub from_sheet: bool,
    body: Body,
}

/// A row handed to a reader: its fields and its location.
pub enum Row<'a> {
    Csv(&'a csv::StringRecord),
    Cells(&'a [String]),
}

impl Row<'_> {
    pub fn get(&self, i: usize) -> &str {
        match self {
            Row::Csv(r) => r.get(i).unwrap_or(""),
            Row::Cells(c) => c.get(i).map(String::as_str).unwrap_or(""),
        }
    }
    pub fn len(&self) -> usize {
        match self {
            Row::Csv(r) => r.len(),
            Row::Cells(c) => c.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn is_blank(&self) -> bool {
        (0..self.len()).all(|i| self.get(i).trim().is_empty())
    }
}

/// Where a row is, able to name one of its cells.
#[derive(Debug, Clone, Copy)]
pub struct RowAt<'a> {
    number: u64,
    sheet: Option<&'a str>,
    first_col: u32,
    parquet: bool,
}

impl RowAt<'_> {
    pub fn at(&self, col: Option<usize>) -> Location {
        match self.sheet {
            Some(sheet) => Location::Cell {
                sheet: sheet.to_string(),
                row: self.number as u32,
                col: self.first_col + col.map_or(0, |c| c as u32) + 1,
            },
            None if self.parquet => Location::Row(self.number),
            None => Location::Line(self.number),
        }
    }
    pub fn number(&self) -> u64 {
        self.number
    }
    /// A line of a CSV file.
    pub fn line(number: u64) -> RowAt<'static> {
        RowAt {
            number,
            sheet: None,
            first_col: 0,
            parquet: false,
        }
    }
}

impl Table {
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Table> {
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" | "xls" => open_sheet(path, file, opts),
            "parquet" => open_parquet(path, file),
            _ => {
                let bytes = read_file(path, opts.threads).map_err(|source| Error::Io {
                    file: file.clone(),
                    source,
                })?;
                Table::from_csv_bytes_with(file, bytes, opts.encoding, ext == "tsv", opts.threads)
            }
        }
    }

    /// A CSV held in memory (also used by tests and the fuzz target).
    pub fn from_csv_bytes(
        file: String,
        bytes: Vec<u8>,
        forced: Option<Encoding>,
        tab: bool,
    ) -> Result<Table> {
        Table::from_csv_bytes_with(file, bytes, forced, tab, crate::ingest::default_threads())
    }

    /// [`Table::from_csv_bytes`] with the threads that check a large file's encoding.
    pub fn from_csv_bytes_with(
        file: String,
        bytes: Vec<u8>,
        forced: Option<Encoding>,
        tab: bool,
        threads: usize,
    ) -> Result<Table> {
        let (text, start, encoding) = decode(&file, bytes, forced, threads)?;
        let body = &text[start..];
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::EmptyFile { file });
        }
        let delimiter = if tab { b'\t' } else { sniff_delimiter(body) };
        let mut reader = csv_reader(body, delimiter);
        let mut header = csv::StringRecord::new();
        let ok = reader
            .read_record(&mut header)
            .map_err(|e| csv_error(&file, &e))?;
        if !ok {
            return Err(Error::EmptyFile { file });
        }
        let headers = header.iter().map(str::to_string).collect();
        Ok(Table {
            file,
            encoding,
            headers,
            from_sheet: false,
            body: Body::Csv {
                text,
                start,
                delimiter,
            },
        })
    }

    /// Calls `f` for every data row (after the header), in file order; blank lines are
    /// skipped by the CSV reader, blank spreadsheet rows are passed as blank rows.
    pub fn for_each_row(&self, mut f: impl FnMut(RowAt<'_>, Row<'_>) -> Result<()>) -> Result<()> {
        match &self.body {
            Body::Csv {
                text,
                start,
                delimiter,
            } => {
                let text = &text[*start..];
                let mut reader = csv_reader(text, *delimiter);
                let mut rec = csv::StringRecord::new();
                let mut first = true;
                let (mut line_no, mut counted) = (1u64, 0usize);
                loop {
                    match reader.read_record(&mut rec) {
                        Ok(false) => return Ok(()),
                        Ok(true) => {}
                        Err(e) => return Err(csv_error(&self.file, &e)),
                    }
                    if std::mem::take(&mut first) {
                        continue;
                    }
                    let b = record_start(text, rec.position());
                    line_no += line_ends(&text[counted..b.min(text.len())], text.get(b).copied());
                    counted = b;
                    let number = line_no;
                    let at = RowAt {
                        number,
                        sheet: None,
                        first_col: 0,
                        parquet: false,
                    };
                    f(at, Row::Csv(&rec))?;
                }
            }
            Body::Cells {
                sheet,
                first_row,
                first_col,
                rows,
            } => {
                for (i, row) in rows.iter().enumerate() {
                    let at = RowAt {
                        number: u64::from(*first_row) + i as u64,
                        sheet: sheet.as_deref(),
                        first_col: *first_col,
                        parquet: sheet.is_none(),
                    };
                    f(at, Row::Cells(row))?;
                }
                Ok(())
            }
        }
    }

    /// Bytes of the CSV body (0 for spreadsheets and Parquet).
    pub fn csv_len(&self) -> usize {
        match &self.body {
            Body::Csv { text, start, .. } => text.len() - start,
            Body::Cells { .. } => 0,
        }
    }

    /// The CSV body cut into up to `n` parts at line boundaries, for parallel reading with
    /// [`Table::for_each_record`]; `None` for spreadsheets and Parquet. A body holding a
    /// quote character is never cut (a quoted field may span lines): one part.
    pub fn csv_parts(&self, n: usize) -> Option<Vec<CsvPart<'_>>> {
        let Body::Csv { text, start, .. } = &self.body else {
            return None;
        };
        let text = &text[*start..];
        let mut parts = Vec::new();
        let mut from = 0;
        if n > 1 && memchr::memchr(b'"', text).is_none() {
            for k in 1..n {
                let target = (text.len() / n * k).max(from);
                let Some(nl) = memchr::memchr(b'\n', &text[target..]) else {
                    break;
                };
                let cut = target + nl + 1;
                if cut >= text.len() {
                    break;
                }
                parts.push(CsvPart {
                    bytes: &text[from..cut],
                    header: from == 0,
                });
                from = cut;
            }
        }
        parts.push(CsvPart {
            bytes: &text[from..],
            header: from == 0,
        });
        Some(parts)
    }

    /// Calls `f` for every data record of one part, in order, with the number of line
    /// ends in the part before the record's first byte (blank lines and a lone CR count);
    /// returns the line ends of the whole part. The header record of the first part is
    /// skipped. Line numbers in the file: line ends of the earlier parts + this + 1.
    pub fn for_each_record(
        &self,
        part: &CsvPart<'_>,
        f: impl FnMut(u64, &csv::ByteRecord) -> Result<()>,
    ) -> Result<u64> {
        match self.delimiter() {
            Some(delimiter) => records(&self.file, delimiter, part, f),
            None => Ok(0),
        }
    }

    /// The delimiter of a CSV (`None` for spreadsheets and Parquet).
    pub fn delimiter(&self) -> Option<u8> {
        match &self.body {
            Body::Csv { delimiter, .. } => Some(*delimiter),
            Body::Cells { .. } => None,
        }
    }

    /// The location of the header row, for header errors.
    pub fn header_at(&self) -> String {
        match &self.body {
            Body::Cells {
                sheet: Some(s),
                first_row,
                ..
            } => format!("{s}!row {}", first_row - 1),
            _ => "1".to_string(),
        }
    }
}
