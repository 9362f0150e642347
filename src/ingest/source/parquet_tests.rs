//! The text of every DuckDB-written type fixture (tests/fixtures/parquet-types, made by
//! its make.py, not by hallplan). The expected strings of the types the `polars` crate
//! could read were recorded from hallplan on `polars` (main 54d6f09) before the reader
//! moved to polars-parquet: they must not change, odd ones included (a whole-second
//! TIMESTAMP reads "….000000", a TIME drops its fraction, a HUGEINT — which DuckDB
//! writes as DOUBLE — reads "1.7014118346046923e+38").

use std::path::{Path, PathBuf};

use super::super::Body;
use super::open_parquet;
use crate::error::Error;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Headers and rows of a fixture file.
fn read(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let table = open_parquet(&fixture(name), name.into())
        .unwrap_or_else(|e| panic!("{name} should read: {e}"));
    assert_eq!(table.encoding, "parquet");
    let Body::Cells {
        rows, first_row, ..
    } = table.body
    else {
        panic!("a Parquet table holds cells")
    };
    assert_eq!(first_row, 1);
    (table.headers, rows)
}

/// The one column of a type fixture, row by row.
fn column(name: &str) -> Vec<String> {
    let (headers, rows) = read(&format!("parquet-types/{name}.parquet"));
    assert_eq!(headers, [name.trim_start_matches("arrow_")]);
    rows.into_iter()
        .map(|r| {
            assert_eq!(r.len(), 1);
            r.into_iter().next().unwrap_or_default()
        })
        .collect()
}

fn refusal(name: &str) -> String {
    let file = format!("parquet-types/{name}.parquet");
    match open_parquet(&fixture(&file), file.clone()) {
        Err(Error::BadFile { file: f, message }) => {
            assert_eq!(f, file);
            message
        }
        Err(other) => panic!("{file}: expected a BadFile error, got {other}"),
        Ok(_) => panic!("{file} should be refused"),
    }
}

#[test]
fn every_type_the_polars_crate_read_renders_byte_for_byte_as_it_did() {
    let recorded: &[(&str, &[&str])] = &[
        ("integer", &["42", "-2147483648", ""]),
        ("bigint", &["9007199254740993", "-1", ""]),
        ("uinteger", &["7", "4294967295", ""]),
        ("ubigint", &["18446744073709551615", "3", ""]),
        ("hugeint", &["1.7014118346046923e+38", "-5.0", ""]),
        ("double", &["1.0", "0.1", ""]),
        ("double_big", &["1e+20", "1e-7", "123456789.125"]),
        ("double_odd", &["NaN", "-inf", "0.0"]),
        ("double_more", &["1e+16", "1000000000000000.0", "0.000025"]),
        ("real", &["0.1", "1.5", ""]),
        ("boolean", &["true", "false", ""]),
        ("varchar", &["不动产登记", "=1+2", ""]),
        ("varchar_empty", &["", " a b ", ""]),
        ("blob", &["abc", "中", ""]),
        ("enum", &["甲", "乙", ""]),
        ("all_null", &["", "", ""]),
        ("date", &["2020-07-06", "1969-12-31", ""]),
        ("time", &["08:30:00", "17:05:09", ""]),
        (
            "timestamp",
            &[
                "2020-07-06 08:30:00.000000",
                "2020-07-06 08:30:00.123456",
                "",
            ],
        ),
        (
            "timestamp_ms",
            &["2020-07-06 08:30:00.000", "2020-07-06 08:30:00.120", ""],
        ),
        (
            "timestamp_s",
            &[
                "2020-07-06 08:30:00.000000",
                "1960-01-01 00:00:01.000000",
                "",
            ],
        ),
        (
            "timestamp_ns",
            &[
                "2020-07-06 08:30:00.000000000",
                "2020-07-06 08:30:00.000000001",
                "",
            ],
        ),
        // Written by pyarrow with an ARROW:schema (make_arrow.py), as pandas exports are.
        ("arrow_ts_s", &["2020-07-06 08:30:01.000", ""]),
        ("arrow_ts_ms", &["2020-07-06 08:30:00.123", ""]),
        ("arrow_ts_us", &["2020-07-06 08:30:00.123456", ""]),
        ("arrow_ts_ns", &["2020-07-06 08:30:00.123456000", ""]),
        ("arrow_date32", &["2020-07-06", ""]),
        ("arrow_date64", &["2020-07-06 00:00:00.000", ""]),
        ("arrow_time32_ms", &["08:30:01", ""]),
        // Milliseconds labelled seconds, beyond one day: blank in the polars build too.
        ("arrow_time32_s", &["", ""]),
        ("arrow_time64_us", &["17:05:09", ""]),
        ("arrow_time64_ns", &["17:05:09", ""]),
        ("arrow_dict", &["窗口", ""]),
        ("arrow_large_string", &["受理", ""]),
        ("arrow_string", &["受理", ""]),
        ("arrow_large_binary", &["办结", ""]),
        ("arrow_float32", &["0.1", ""]),
        ("arrow_null", &["", ""]),
    ];
    for (name, expected) in recorded {
        assert_eq!(column(name), *expected, "{name}");
    }
}

#[test]
fn types_the_polars_crate_refused_or_crashed_on_now_read_as_plain_numbers() {
    // The old build: "cannot create series from Int8" (and Int16, UInt8, UInt16), and a
    // panic ("activate 'dtype-decimal' feature") on DECIMAL.
    assert_eq!(column("tinyint"), ["-7", "127", ""]);
    assert_eq!(column("smallint"), ["-300", "32767", ""]);
    assert_eq!(column("utinyint"), ["0", "255", ""]);
    assert_eq!(column("usmallint"), ["1", "65535", ""]);
    assert_eq!(column("decimal"), ["12.30", "-0.05", ""]);
    assert_eq!(column("arrow_int8"), ["-8", ""]);
    assert_eq!(column("arrow_uint16"), ["65535", ""]);
    assert_eq!(column("arrow_decimal128"), ["-1.50", ""]);
}

#[test]
fn columns_without_one_text_per_cell_are_refused_with_the_column_named() {
    let shanghai = refusal("arrow_ts_tz");
    assert!(shanghai.contains("(Asia/Shanghai)"), "{shanghai}");
    // polars: "casting from Duration('ms') to String not supported".
    let duration = refusal("arrow_duration");
    assert!(
        duration.contains("column \"duration\" has the type Duration"),
        "{duration}"
    );
    let tz = refusal("timestamptz");
    assert!(
        tz.starts_with("not a readable Parquet file: column \"timestamptz\" holds timestamps with a time zone (")
            && tz.ends_with("export them as TIMESTAMP without a time zone"),
        "{tz}"
    );
    for nested in ["list", "struct"] {
        let m = refusal(nested);
        assert!(
            m.contains(&format!("column \"{nested}\" is a nested column")),
            "{m}"
        );
    }
    // DuckDB writes UUIDs as 16 raw bytes: not text (the old build: "invalid utf8").
    let uuid = refusal("uuid");
    assert!(
        uuid.contains("column \"uuid\"") && uuid.contains("not UTF-8"),
        "{uuid}"
    );
    // An INTERVAL is 12 raw bytes DuckDB marks as an interval (old: "Arrow Field dtype
    // does not match the ArrayRef dtypes").
    let interval = refusal("interval");
    assert!(interval.contains("column \"interval\""), "{interval}");
}

#[test]
fn row_groups_follow_each_other_and_dictionary_pages_decode() {
    // 5000 rows in row groups of 2048, zstd, a dictionary-encoded column; recorded from
    // the polars build at the row-group edges.
    let (headers, rows) = read("parquet-types/row_groups.parquet");
    assert_eq!(headers, ["序号", "部门", "取号时间"]);
    assert_eq!(rows.len(), 5000);
    for (i, row) in [
        (0, ["0", "x0", "2020-07-06 08:00:00.000000"]),
        (2047, ["2047", "x1", "2020-07-06 08:34:07.000000"]),
        (2048, ["2048", "x2", "2020-07-06 08:34:08.000000"]),
        (4096, ["4096", "x1", "2020-07-06 09:08:16.000000"]),
        (4999, ["4999", "x1", "2020-07-06 09:23:19.000000"]),
    ] {
        assert_eq!(rows[i], row, "row {i}");
    }
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], i.to_string());
    }
}

#[test]
fn an_empty_file_has_its_headers_and_no_rows() {
    let (headers, rows) = read("parquet-types/empty.parquet");
    assert_eq!(headers, ["a", "b"]);
    assert!(rows.is_empty());
}

#[test]
fn the_parquet_hall_fixture_reads_as_the_polars_build_read_it() {
    // tests/fixtures/parquet-hall/tickets.parquet (zstd, TIMESTAMP µs, Chinese headers):
    // rows recorded from the polars build, plus a hash of every cell.
    let (headers, rows) = read("parquet-hall/tickets.parquet");
    assert_eq!(
        headers,
        [
            "票号",
            "取号时间",
            "叫号时间",
            "办结时间",
            "窗口编号",
            "部门",
            "事项编码",
            "状态"
        ]
    );
    assert_eq!(rows.len(), 5571);
    assert_eq!(
        rows[5570],
        [
            "Z0046",
            "2020-07-06 16:50:06.000000",
            "2020-07-06 16:50:06.000000",
            "2020-07-06 16:54:56.000000",
            "Z09",
            "综合窗口",
            "MZ03",
            "served"
        ]
    );
    // FNV-style hash over every cell, each ended by 0xff, as the recording computed it.
    let mut h = 0u64;
    for cell in rows.iter().flatten() {
        for b in cell.bytes().chain([0xff]) {
            h = h.wrapping_mul(1_099_511_628_211) ^ u64::from(b);
        }
    }
    assert_eq!(h, 8_351_010_068_758_725_176);
}

#[test]
fn damaged_files_are_bad_files_naming_the_file_never_a_panic() {
    let good = std::fs::read(fixture("parquet-hall/tickets.parquet")).expect("reads fixture");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        (
            "text",
            b"ticket_id,issued_at\nA1,2020-07-06 08:00\n".to_vec(),
        ),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("no footer", good[..good.len() - 8].to_vec()),
    ];
    // Data pages overwritten but the footer intact: the decoder meets garbage.
    let mut scrambled = good.clone();
    for (i, b) in scrambled
        .iter_mut()
        .enumerate()
        .skip(4)
        .take(good.len() / 2)
    {
        *b = (i * 7 % 251) as u8;
    }
    cases.push(("scrambled pages", scrambled));
    for (what, bytes) in cases {
        let path = dir.path().join(format!("{what}.parquet"));
        std::fs::write(&path, bytes).expect("writes a damaged file");
        match open_parquet(&path, format!("{what}.parquet")) {
            Err(Error::BadFile { file, message }) => {
                assert_eq!(file, format!("{what}.parquet"));
                assert!(
                    message.starts_with("not a readable Parquet file: "),
                    "{what}: {message}"
                );
            }
            Err(other) => panic!("{what}: expected a BadFile error, got {other}"),
            Ok(_) => panic!("{what}: a damaged file should not read"),
        }
    }
}
