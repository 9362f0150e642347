//! Parsing of cell values: date-times, booleans, numbers.
//!
//! Date-times are parsed by hand for the contract's fixed shapes because the ticket log can
//! hold ten million of them; anything else goes through a `--columns` format (chrono).

use crate::hall::time::{days_from_civil, DAY};
use crate::hall::Timestamp;

/// The accepted shapes, for error messages.
pub const DATETIME_EXPECTED: &str =
    "expected YYYY-MM-DD HH:MM[:SS], YYYY/M/D H:MM[:SS] or ISO 8601 with T";

/// Parses `YYYY-MM-DD[ HH:MM[:SS[.fff]]]`, `YYYY/M/D H:MM[:SS]` and ISO 8601 with `T`.
/// Returns the timestamp and whether a time of day was present.
pub fn parse_datetime(s: &str) -> Option<(Timestamp, bool)> {
    parse_datetime_bytes(s.as_bytes())
}

/// [`parse_datetime`] on the bytes of a cell (trimmed like `str::trim`).
pub fn parse_datetime_bytes(b: &[u8]) -> Option<(Timestamp, bool)> {
    let b = trim_bytes(b);
    if let Some(t) = fixed_datetime(b) {
        return Some((t, true));
    }
    general(&mut Cursor { b, i: 0 })
}

/// The cursor-driven parser of every accepted shape.
fn general(p: &mut Cursor<'_>) -> Option<(Timestamp, bool)> {
    let year = p.number(4, 4)?;
    let sep = p.byte()?;
    if sep != b'-' && sep != b'/' && sep != b'.' {
        return None;
    }
    let month = p.number(1, 2)?;
    if p.byte()? != sep {
        return None;
    }
    let day = p.number(1, 2)?;
    if !valid_date(year, month, day) {
        return None;
    }
    let date = days_from_civil(year as i64, month, day) * DAY;
    if p.done() {
        return Some((date, false));
    }
    let t = p.byte()?;
    if t != b' ' && t != b'T' {
        return None;
    }
    while p.peek() == Some(b' ') {
        p.i += 1;
    }
    let hour = p.number(1, 2)?;
    if p.byte()? != b':' {
        return None;
    }
    let minute = p.number(2, 2)?;
    let mut second = 0;
    if p.peek() == Some(b':') {
        p.i += 1;
        second = p.number(2, 2)?;
        if p.peek() == Some(b'.') {
            p.i += 1;
            // Fractions of a second are truncated: waits are reported in minutes.
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.i += 1;
            }
        }
    }
    if !p.done() || hour > 24 || minute > 59 || second > 60 || (hour == 24 && minute + second > 0) {
        return None;
    }
    Some((
        date + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second),
        true,
    ))
}

/// An Excel serial date (days since 1899-12-30, fraction = time of day), as stored in
/// `.xlsx` cells that carry no date format.
pub fn from_excel_serial(serial: f64) -> Option<Timestamp> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = days_from_civil(1899, 12, 30) * DAY;
    Some(base + (serial * DAY as f64).round() as i64)
}

/// Parses with a chrono format (from a `--columns` map); date-only formats give midnight.
pub fn parse_with_format(s: &str, format: &str) -> Option<Timestamp> {
    use chrono::{NaiveDate, NaiveDateTime};
    let s = s.trim();
    let dt = NaiveDateTime::parse_from_str(s, format).ok().or_else(|| {
        NaiveDate::parse_from_str(s, format)
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    Some(dt.and_utc().timestamp())
}

/// The common shape `YYYY-MM-DD HH:MM:SS` (or with `T`), parsed without a cursor; `None`
/// for anything else, which the general parser then decides on (same result).
fn fixed_datetime(b: &[u8]) -> Option<Timestamp> {
    if b.len() != 19 {
        return None;
    }
    Some(fixed_date(&b[..10])? * DAY + fixed_time(&b[10..])?)
}

fn digit(c: u8) -> Option<u32> {
    let c = c.wrapping_sub(b'0');
    (c < 10).then_some(u32::from(c))
}

/// `YYYY-MM-DD` of a valid date: the day number.
fn fixed_date(b: &[u8]) -> Option<i64> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digit(b[0])? * 1000 + digit(b[1])? * 100 + digit(b[2])? * 10 + digit(b[3])?;
    let month = digit(b[5])? * 10 + digit(b[6])?;
    let day = digit(b[8])? * 10 + digit(b[9])?;
    valid_date(year, month, day).then(|| days_from_civil(i64::from(year), month, day))
}

/// ` HH:MM:SS` (or `THH:MM:SS`) of a valid time: seconds into the day.
fn fixed_time(b: &[u8]) -> Option<i64> {
    if b.len() != 9 || (b[0] != b' ' && b[0] != b'T') || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let hour = digit(b[1])? * 10 + digit(b[2])?;
    let minute = digit(b[4])? * 10 + digit(b[5])?;
    let second = digit(b[7])? * 10 + digit(b[8])?;
    if hour > 24 || minute > 59 || second > 60 || (hour == 24 && minute + second > 0) {
        return None;
    }
    Some(i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

/// The last date seen in the fixed shape and its day number: the three times of a ticket
/// and the tickets of a day share it.
#[derive(Debug, Clone, Default)]
pub struct DateCache {
    date: [u8; 10],
    day: i64,
}

/// [`parse_datetime_bytes`] with a [`DateCache`] (same results).
pub fn parse_datetime_cached(b: &[u8], cache: &mut DateCache) -> Option<(Timestamp, bool)> {
    let b = trim_bytes(b);
    if b.len() == 19 {
        if b[..10] == cache.date {
            if let Some(s) = fixed_time(&b[10..]) {
                return Some((cache.day * DAY + s, true));
            }
        } else if let (Some(d), Some(s)) = (fixed_date(&b[..10]), fixed_time(&b[10..])) {
            cache.date.copy_from_slice(&b[..10]);
            cache.day = d;
            return Some((d * DAY + s, true));
        }
    }
    parse_datetime_bytes(b)
}

/// `str::trim` on bytes: ASCII whitespace is stripped here, and where a non-ASCII byte is
/// left at either end the text is trimmed as a `str` (Unicode spaces such as U+3000).
pub fn trim_bytes(b: &[u8]) -> &[u8] {
    // Most cells start and end with a printable ASCII byte: nothing to trim.
    let plain = |c: u8| c > b' ' && c < 0x80;
    match (b.first(), b.last()) {
        (None, _) => return b,
        (Some(&f), Some(&l)) if plain(f) && plain(l) => return b,
        _ => {}
    }
    let ws = |c: &u8| matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let start = b.iter().position(|c| !ws(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !ws(c)).map_or(start, |i| i + 1);
    let t = &b[start..end];
    // Every non-ASCII Unicode space starts with one of these bytes in UTF-8 (U+0085,
    // U+00A0, U+1680, U+2000–U+205F, U+3000); Chinese text starts with others.
    let space_lead = |c: u8| matches!(c, 0xC2 | 0xE1 | 0xE2 | 0xE3);
    let last_lead = t
        .iter()
        .rev()
        .take(4)
        .find(|&&c| c & 0xC0 != 0x80)
        .copied()
        .unwrap_or(0);
    match t.first() {
        Some(&f) if space_lead(f) || space_lead(last_lead) => match std::str::from_utf8(t) {
            Ok(s) => s.trim().as_bytes(),
            Err(_) => t,
        },
        _ => t,
    }
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && (1900..=2999).contains(&y)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn byte(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    /// Between `min` and `max` decimal digits.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v = 0u32;
        while self.i - start < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + u32::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }
}

/// The contract's booleans: true/false, yes/no, y/n, 1/0, 是/否 (any case).
pub fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "是" | "t" => Some(true),
        "false" | "no" | "n" | "0" | "否" | "f" => Some(false),
        _ => None,
    }
}

pub const BOOL_EXPECTED: &str = "expected true/false, yes/no, y/n, 1/0 or 是/否";

/// A number; accepts a decimal comma when it is the only separator ("2,5").
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let v = t
        .parse::<f64>()
        .ok()
        .or_else(|| t.replace(',', ".").parse::<f64>().ok())?;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::time::format;

    fn dt(s: &str) -> String {
        format(parse_datetime(s).expect("parses").0)
    }

    #[test]
    fn accepts_the_contract_date_time_shapes() {
        assert_eq!(dt("2020-06-01 09:05:07"), "2020-06-01 09:05:07");
        assert_eq!(dt("2020-06-01 09:05"), "2020-06-01 09:05:00");
        assert_eq!(dt("2020/6/1 9:05:07"), "2020-06-01 09:05:07");
        assert_eq!(dt("2020-06-01T09:05:07"), "2020-06-01 09:05:07");
        assert_eq!(dt("2020-06-01T09:05:07.250"), "2020-06-01 09:05:07");
        assert_eq!(dt(" 2020-06-01 "), "2020-06-01 00:00:00");
        assert_eq!(
            parse_datetime("2020-06-01"),
            Some((days_from_civil(2020, 6, 1) * DAY, false))
        );
    }

    #[test]
    fn rejects_impossible_dates_and_garbage() {
        for bad in [
            "2020-07-32 09:00",
            "2019-02-29 09:00",
            "2020-13-01",
            "2020-06-01 25:00",
            "2020-06-01 09:61",
            "01/06/2020 09:00",
            "",
            "abc",
            "2020-06-01 09:00 extra",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert!(parse_datetime("2020-02-29 09:00").is_some());
    }

    #[test]
    fn byte_trim_matches_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{3000}市场\u{3000}",
            "\t x\u{a0}",
            "\u{85}y\x0b",
            "\x1c z",
            "中",
            " 中 ",
            "\u{2028}",
            "市场\u{205f}",
            "\u{1680}局",
            "局\u{a0}",
            "é\u{202f}é",
        ] {
            assert_eq!(trim_bytes(s.as_bytes()), s.trim().as_bytes(), "{s:?}");
        }
    }

    #[test]
    fn fixed_shape_agrees_with_the_general_parser() {
        for s in [
            "2020-06-01 09:05:07",
            "2020-06-01T23:59:60",
            "2020-02-29 24:00:00",
            "2019-02-29 09:00:00",
            "2020-06-01 24:00:01",
            "2020-06-01 09:60:00",
            "1899-12-31 09:00:00",
            "2020-13-01 09:00:00",
            "2020-00-10 09:00:00",
            "2020-06-00 09:00:00",
            "2020-06-01 9:05:07 ",
            "2020/06/01 09:05:07",
            "2020-06-01 09:05:0x",
        ] {
            let b = trim_bytes(s.as_bytes());
            let fast = fixed_datetime(b).map(|t| (t, true));
            let general = {
                // The general parser alone (the fixed shape skipped).
                let mut p = Cursor { b, i: 0 };
                general_for_test(&mut p)
            };
            if fast.is_some() {
                assert_eq!(fast, general, "{s}");
            }
            let mut cache = DateCache::default();
            assert_eq!(
                parse_datetime_cached(s.as_bytes(), &mut cache),
                general,
                "{s}"
            );
            assert_eq!(
                parse_datetime_cached(s.as_bytes(), &mut cache),
                general,
                "{s}"
            );
            let mut warm = DateCache::default();
            parse_datetime_cached(b"2020-06-01 08:00:00", &mut warm);
            assert_eq!(
                parse_datetime_cached(s.as_bytes(), &mut warm),
                general,
                "{s}"
            );
            assert_eq!(parse_datetime(s), general, "{s}");
        }
    }

    fn general_for_test(p: &mut Cursor<'_>) -> Option<(Timestamp, bool)> {
        general(p)
    }

    #[test]
    fn excel_serials_map_to_dates() {
        // 43983 is 2020-06-01 in Excel's 1900 date system; .5 is noon.
        assert_eq!(
            format(from_excel_serial(43983.5).expect("serial")),
            "2020-06-01 12:00:00"
        );
        assert_eq!(from_excel_serial(-3.0), None);
    }

    #[test]
    fn formats_from_a_column_map() {
        let t = parse_with_format("990201 7:02:56", "%y%m%d %H:%M:%S").expect("parses");
        assert_eq!(format(t), "1999-02-01 07:02:56");
    }

    #[test]
    fn booleans_in_english_and_chinese() {
        for (s, v) in [
            ("是", true),
            ("否", false),
            ("Y", true),
            ("no", false),
            ("1", true),
            ("FALSE", false),
        ] {
            assert_eq!(parse_bool(s), Some(v), "{s}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn numbers_with_decimal_commas() {
        assert_eq!(parse_number("2,5"), Some(2.5));
        assert_eq!(parse_number(" 12 "), Some(12.0));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("x"), None);
    }
}
