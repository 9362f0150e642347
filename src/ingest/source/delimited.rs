//! Delimited text: decoding (UTF-8, BOM, GB18030), the sniffed delimiter, whole-file
//! and split-in-parts record reading, and errors that name the line.

use std::path::Path;

use super::*;
use crate::error::{Error, Location, Result};

/// A stretch of a CSV body starting at a record boundary (see [`Table::csv_parts`]).
pub struct CsvPart<'a> {
    pub(super) bytes: &'a [u8],
    /// True for the first part, which starts with the header record.
    pub(super) header: bool,
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
    pub(super) text: &'a [u8],
    pub(super) fields: Vec<(usize, usize)>,
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
pub(super) fn find3(text: &[u8], from: usize, delimiter: u8) -> usize {
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

/// Line ends in a span: `\n`, `\r\n` and a lone `\r` (classic Mac) each count once.
pub(super) fn line_ends(span: &[u8], after: Option<u8>) -> u64 {
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

pub(super) fn csv_reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .buffer_capacity(1 << 16)
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text)
}

pub(super) fn csv_error(file: &str, e: &csv::Error) -> Error {
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
pub(super) fn decode(
    file: &str,
    bytes: Vec<u8>,
    forced: Option<Encoding>,
    threads: usize,
) -> Result<(Vec<u8>, usize, String)> {
    if forced != Some(Encoding::Gb18030) {
        if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            if is_utf8(rest, threads) {
                return Ok((bytes, 3, "UTF-8 (BOM)".into()));
            }
            return match std::str::from_utf8(rest) {
                Ok(_) => Ok((bytes, 3, "UTF-8 (BOM)".into())),
                Err(e) => Err(bad_byte(file, rest, e.valid_up_to(), "UTF-8")),
            };
        }
        if is_utf8(&bytes, threads) {
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
pub(super) fn read_file(path: &Path, n: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len() as usize;
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
pub(super) fn is_utf8(bytes: &[u8], n: usize) -> bool {
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

pub(super) fn bad_byte(file: &str, bytes: &[u8], offset: usize, expected: &str) -> Error {
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
pub(super) fn sniff_delimiter(text: &[u8]) -> u8 {
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

/// The first byte of a record. The reader's position (and line) counts the blank lines
/// skipped before a record as part of it; line numbers count newlines up to this byte.
pub(super) fn record_start(text: &[u8], position: Option<&csv::Position>) -> usize {
    let mut b = position.map_or(0, |p| p.byte() as usize).min(text.len());
    while b < text.len() && (text[b] == b'\n' || text[b] == b'\r') {
        b += 1;
    }
    b
}
