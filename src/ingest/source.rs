//! Opening an input file as a table: CSV (UTF-8, UTF-8 with BOM or GB18030, sniffed
//! delimiter), xlsx (calamine) or Parquet (polars). Every row keeps its location so that
//! errors can name the line, or the sheet and cell.

use std::path::Path;

use crate::error::{Error, Location, Result};

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
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    pub encoding: Option<Encoding>,
    pub sheet: Option<String>,
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

/// A stretch of a CSV body starting at a record boundary (see [`Table::csv_parts`]).
pub struct CsvPart<'a> {
    bytes: &'a [u8],
    /// True for the first part, which starts with the header record.
    header: bool,
}

impl<'a> CsvPart<'a> {
    /// A stretch of a CSV without quote characters, cut after a line end (or at the end of
    /// the file); `header` for the one that starts the file.
    pub fn new(bytes: &'a [u8], header: bool) -> Self {
        CsvPart { bytes, header }
    }
}

impl CsvPart<'_> {
    /// Whether the part holds a quote character (else [`split_records`] reads it).
    pub fn has_quote(&self) -> bool {
        memchr::memchr(b'"', self.bytes).is_some()
    }
}

/// One record of a CSV part without quote characters: its fields as ranges of the part.
pub struct SplitRecord<'a> {
    text: &'a [u8],
    fields: Vec<(usize, usize)>,
}

impl SplitRecord<'_> {
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.fields.get(i).map(|&(a, b)| &self.text[a..b])
    }
    pub fn len(&self) -> usize {
        self.fields.len()
    }
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
}

/// [`records`] for a part without a quote character, where CSV is plain splitting: a record
/// is a run of bytes without `\r` or `\n` (CR, LF and CRLF end lines, blank lines are
/// skipped, as csv-core does), its fields are split at the delimiter. Found with one
/// vectorised scan for the three bytes, without the csv reader's copy into its buffer or
/// its byte-at-a-time state machine; the same records and line counts as [`records`]
/// (tested on random quote-free text).
pub fn split_records(
    part: &CsvPart<'_>,
    delimiter: u8,
    mut f: impl FnMut(u64, &SplitRecord<'_>) -> Result<()>,
) -> Result<u64> {
    let text = part.bytes;
    let mut rec = SplitRecord {
        text,
        fields: Vec::with_capacity(16),
    };
    let mut skip = part.header;
    // Line ends before `pos`: `\n`, `\r\n` and a lone `\r` each count once.
    let (mut ends, mut pos) = (0u64, 0usize);
    while pos < text.len() {
        match text[pos] {
            b'\n' => ends += 1,
            b'\r' if text.get(pos + 1) != Some(&b'\n') => ends += 1,
            b'\r' => {}
            _ => {
                rec.fields.clear();
                let mut start = pos;
                let end = loop {
                    let i = find3(text, start, delimiter);
                    if i == text.len() || text[i] != delimiter {
                        break i;
                    }
                    rec.fields.push((start, i));
                    start = i + 1;
                };
                rec.fields.push((start, end));
                if !std::mem::take(&mut skip) {
                    f(ends, &rec)?;
                }
                pos = end;
                continue;
            }
        }
        pos += 1;
    }
    Ok(ends)
}

/// The first delimiter, `\n` or `\r` at or after `from` (or the end). Fields are short, so
/// eight bytes are tested at a time in a word (a library search's set-up per field costs
/// more than the search).
fn find3(text: &[u8], from: usize, delimiter: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let (d, n, r) = (
        ONES * u64::from(delimiter),
        ONES * u64::from(b'\n'),
        ONES * u64::from(b'\r'),
    );
    // High bit set in the bytes of `x` that are zero; wrong only above a zero byte, so
    // the lowest set bit is exact.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut i = from;
    while let Some(chunk) = text.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hit = zero(w ^ d) | zero(w ^ n) | zero(w ^ r);
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    text[i.min(text.len())..]
        .iter()
        .position(|&c| c == delimiter || c == b'\n' || c == b'\r')
        .map_or(text.len(), |k| i + k)
}

/// [`Table::for_each_record`] on a part of a CSV with this delimiter.
pub fn records(
    file: &str,
    delimiter: u8,
    part: &CsvPart<'_>,
    mut f: impl FnMut(u64, &csv::ByteRecord) -> Result<()>,
) -> Result<u64> {
    let text = part.bytes;
    let mut reader = csv_reader(text, delimiter);
    let mut rec = csv::ByteRecord::new();
    let mut first = part.header;
    let (mut ends, mut counted) = (0u64, 0usize);
    loop {
        match reader.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, &e)),
        }
        if std::mem::take(&mut first) {
            continue;
        }
        let b = record_start(text, rec.position());
        ends += line_ends(&text[counted..b], text.get(b).copied());
        counted = b;
        f(ends, &rec)?;
    }
    Ok(ends + line_ends(&text[counted..], None))
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
                let bytes = read_file(path).map_err(|source| Error::Io {
                    file: file.clone(),
                    source,
                })?;
                Table::from_csv_bytes(file, bytes, opts.encoding, ext == "tsv")
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
        let (text, start, encoding) = decode(&file, bytes, forced)?;
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

/// Line ends in a span: `\n`, `\r\n` and a lone `\r` (classic Mac) each count once.
fn line_ends(span: &[u8], after: Option<u8>) -> u64 {
    // Usually one line end in a record's span: found with memchr, exact loop on a CR.
    let mut lf = 0u64;
    let mut cr = false;
    for i in memchr::memchr2_iter(b'\n', b'\r', span) {
        if span[i] == b'\r' {
            cr = true;
            break;
        }
        lf += 1;
    }
    if !cr {
        return lf;
    }
    let mut n = 0;
    for (i, &c) in span.iter().enumerate() {
        let next = span.get(i + 1).copied().or(after);
        if c == b'\n' || (c == b'\r' && next != Some(b'\n')) {
            n += 1;
        }
    }
    n
}

fn csv_reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

fn csv_error(file: &str, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::Encoding {
        file: file.to_string(),
        at: Location::Line(line),
        message: format!("unreadable CSV: {e}"),
    }
}

/// Picks the encoding: a BOM means UTF-8; valid UTF-8 is UTF-8; otherwise GB18030 (the
/// default of Excel on Chinese Windows) if it decodes without a single error. Never a
/// silent guess: anything else is fatal and names the line of the first bad byte.
fn decode(
    file: &str,
    bytes: Vec<u8>,
    forced: Option<Encoding>,
) -> Result<(Vec<u8>, usize, String)> {
    if forced != Some(Encoding::Gb18030) {
        if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            if is_utf8(rest) {
                return Ok((bytes, 3, "UTF-8 (BOM)".into()));
            }
            return match std::str::from_utf8(rest) {
                Ok(_) => Ok((bytes, 3, "UTF-8 (BOM)".into())),
                Err(e) => Err(bad_byte(file, rest, e.valid_up_to(), "UTF-8")),
            };
        }
        if is_utf8(&bytes) {
            return Ok((bytes, 0, "UTF-8".into()));
        }
        match std::str::from_utf8(&bytes) {
            Ok(_) => return Ok((bytes, 0, "UTF-8".into())),
            Err(e) if forced == Some(Encoding::Utf8) => {
                return Err(bad_byte(file, &bytes, e.valid_up_to(), "UTF-8"))
            }
            Err(_) => {}
        }
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes) {
        Some(text) => Ok((text.into_owned().into_bytes(), 0, "GB18030".into())),
        None => {
            let valid = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
            Err(bad_byte(file, &bytes, valid, "UTF-8 or GB18030/GBK"))
        }
    }
}

/// Reads a whole file; a large one in pieces on several threads (positioned reads into
/// one buffer), so that copying it from the page cache is not left to one core.
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len() as usize;
    let n = super::threads();
    if n < 2 || len < 1 << 24 {
        return std::fs::read(path);
    }
    let mut buf = vec![0u8; len];
    let piece = len.div_ceil(n);
    let done: std::io::Result<()> = std::thread::scope(|s| {
        let handles: Vec<_> = buf
            .chunks_mut(piece)
            .enumerate()
            .map(|(k, chunk)| {
                let file = &file;
                s.spawn(move || file.read_exact_at(chunk, (k * piece) as u64))
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(std::io::Error::other("reading thread failed")))
        })
    });
    if done.is_err() {
        // Changed while being read (shorter now): the plain way.
        return std::fs::read(path);
    }
    // The file may have grown since its length was taken: read the rest as well.
    let mut file = file;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(len as u64))?;
    std::io::Read::read_to_end(&mut file, &mut buf)?;
    Ok(buf)
}

/// Whether the bytes are UTF-8, checked in pieces on several threads for a large file
/// (pieces cut where a character starts).
fn is_utf8(bytes: &[u8]) -> bool {
    let n = super::threads();
    if n < 2 || bytes.len() < 1 << 22 {
        return std::str::from_utf8(bytes).is_ok();
    }
    let mut pieces = Vec::with_capacity(n);
    let mut from = 0;
    for k in 1..n {
        let mut cut = (bytes.len() / n * k).max(from);
        while cut < bytes.len() && bytes[cut] & 0xC0 == 0x80 {
            cut += 1;
        }
        pieces.push(&bytes[from..cut]);
        from = cut;
    }
    pieces.push(&bytes[from..]);
    std::thread::scope(|s| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|p| s.spawn(move || std::str::from_utf8(p).is_ok()))
            .collect();
        handles.into_iter().all(|h| h.join().unwrap_or(false))
    })
}

fn bad_byte(file: &str, bytes: &[u8], offset: usize, expected: &str) -> Error {
    let line = bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    Error::Encoding {
        file: file.to_string(),
        at: Location::Line(line as u64),
        message: format!(
            "byte 0x{:02X} at offset {offset} is not valid text (expected {expected}; use --encoding to force one)",
            bytes.get(offset).copied().unwrap_or(0)
        ),
    }
}

/// The delimiter that splits the header line most often, outside quotes.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let line = &text[..end];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    candidates[best]
}

fn open_sheet(path: &Path, file: String, opts: &OpenOptions) -> Result<Table> {
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
fn cell_text(c: &calamine::Data) -> String {
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

fn open_parquet(path: &Path, file: String) -> Result<Table> {
    use polars::prelude::*;
    let bad = |e: PolarsError| Error::BadFile {
        file: file.clone(),
        message: format!("not a readable Parquet file: {e}"),
    };
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        file: file.clone(),
        source,
    })?;
    let df = ParquetReader::new(f).finish().map_err(bad)?;
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut columns = Vec::with_capacity(headers.len());
    for c in df.columns() {
        let s = c.cast(&DataType::String).map_err(bad)?;
        let ca = s.str().map_err(bad)?;
        columns.push(
            ca.iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect::<Vec<_>>(),
        );
    }
    let rows = (0..df.height())
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    Ok(Table {
        file,
        encoding: "parquet".into(),
        headers,
        from_sheet: false,
        body: Body::Cells {
            sheet: None,
            first_row: 1,
            first_col: 0,
            rows,
        },
    })
}

/// The first byte of a record. The reader's position (and line) counts the blank lines
/// skipped before a record as part of it; line numbers count newlines up to this byte.
fn record_start(text: &[u8], position: Option<&csv::Position>) -> usize {
    let mut b = position.map_or(0, |p| p.byte() as usize).min(text.len());
    while b < text.len() && (text[b] == b'\n' || text[b] == b'\r') {
        b += 1;
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Table) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        t.for_each_row(|at, r| {
            out.push((
                at.number(),
                (0..r.len()).map(|i| r.get(i).to_string()).collect(),
            ));
            Ok(())
        })
        .expect("reads");
        out
    }

    #[test]
    fn gbk_bytes_are_detected_and_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("部门,窗口编号\n市场监管局,A01\n");
        let t =
            Table::from_csv_bytes("w.csv".into(), gbk.into_owned(), None, false).expect("opens");
        assert_eq!(t.encoding, "GB18030");
        assert_eq!(t.headers, vec!["部门", "窗口编号"]);
        assert_eq!(
            rows(&t),
            vec![(2, vec!["市场监管局".to_string(), "A01".to_string()])]
        );
    }

    #[test]
    fn bom_and_semicolons_and_line_numbers() {
        let t = Table::from_csv_bytes(
            "w.csv".into(),
            b"\xEF\xBB\xBFa;b\n1;2\n\n\"x\ny\";3\n4;5\n".to_vec(),
            None,
            false,
        )
        .expect("opens");
        assert_eq!(t.encoding, "UTF-8 (BOM)");
        let r = rows(&t);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].0, 2);
        // A quoted field spanning two lines: the next record starts on line 6.
        assert_eq!(r[1].0, 4);
        assert_eq!(r[2].0, 6);
    }

    #[test]
    fn undecodable_bytes_are_fatal_and_name_the_line() {
        let e = Table::from_csv_bytes(
            "t.csv".into(),
            b"a,b\n1,2\n\xFF\xFF\xFF,3\n".to_vec(),
            None,
            false,
        )
        .err()
        .expect("fails");
        let m = e.to_string();
        assert!(m.starts_with("t.csv:3:"), "{m}");
    }

    /// The records and line counts of a part, read by `split_records` (`true`) or the csv
    /// reader.
    /// Records with the line ends before each, and the part's line ends.
    type Records = (Vec<(u64, Vec<Vec<u8>>)>, u64);

    fn both(text: &[u8], delimiter: u8, header: bool) -> [Records; 2] {
        let part = CsvPart::new(text, header);
        let mut split = Vec::new();
        let n1 = split_records(&part, delimiter, |e, r| {
            split.push((
                e,
                (0..r.len())
                    .filter_map(|i| r.get(i))
                    .map(<[u8]>::to_vec)
                    .collect(),
            ));
            Ok(())
        })
        .expect("splits");
        let mut csv = Vec::new();
        let n2 = records("t.csv", delimiter, &part, |e, r| {
            csv.push((e, r.iter().map(<[u8]>::to_vec).collect()));
            Ok(())
        })
        .expect("reads");
        [(split, n1), (csv, n2)]
    }

    #[test]
    fn find3_finds_the_first_of_the_three_bytes() {
        let mut text = "税务局abcdefgh,ijklmnop\r\nq;r".as_bytes().to_vec();
        text.extend_from_slice(b"\x80\x81\x0B\x0C\x2B\x2D\x8D\x0D\x8A\x0A,\t");
        let text = &text[..];
        for delimiter in [b',', b';', b'\t'] {
            for from in 0..=text.len() {
                let want = text[from..]
                    .iter()
                    .position(|&c| c == delimiter || c == b'\n' || c == b'\r')
                    .map_or(text.len(), |k| from + k);
                assert_eq!(find3(text, from, delimiter), want, "from {from}");
            }
        }
    }

    #[test]
    fn split_records_read_what_the_csv_reader_reads() {
        for text in [
            &b"a,b\r\n1,2\r\n\r\n3,\r4,5\n\n \n,,\n\xE7\xA8\x8E,x"[..],
            b"",
            b"\n\r\n\r",
            b"h\n1;2;3\n",
            b"only",
            b"a\tb\r",
        ] {
            for delimiter in [b',', b';', b'\t'] {
                for header in [true, false] {
                    let [a, b] = both(text, delimiter, header);
                    assert_eq!(a, b, "{:?}", String::from_utf8_lossy(text));
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn split_records_agree_with_csv_on_any_quote_free_text(
            picks in proptest::collection::vec(0usize..9, 0..200),
            header: bool,
        ) {
            let alphabet: [&[u8]; 9] =
                [b"a", b"17", "税".as_bytes(), b",", b";", b" ", b"\r", b"\n", b"\r\n"];
            let text: Vec<u8> = picks.iter().flat_map(|&i| alphabet[i].iter().copied()).collect();
            for delimiter in [b',', b';'] {
                let [a, b] = both(&text, delimiter, header);
                proptest::prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn empty_files_are_fatal() {
        let e = Table::from_csv_bytes("t.csv".into(), b"\n \n".to_vec(), None, false)
            .err()
            .expect("fails");
        assert!(e.to_string().contains("empty"));
    }
}
