//! Property tests over the readers: arbitrary bytes and mutated valid exports never make
//! hallplan panic, every failure is an input error (exit code 2), and whenever a hall
//! loads, every ticket and footfall row is accounted for: read = accepted + rejected.
//!
//! 256 cases per property by default (under a second); `PROPTEST_CASES` sets more. On two
//! busy cores a run costs about 2.2 ms per unit of `PROPTEST_CASES`, so ten minutes is
//! `PROPTEST_CASES=300000 cargo test --release --test integration fuzz_readers`.

use hallplan::ingest::{self, Encoding, LoadOptions, Loaded, Table};
use proptest::prelude::*;

/// The case count: `PROPTEST_CASES` or 256, divided for the slower properties.
fn config(divisor: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases: (cases / divisor).max(1),
        ..ProptestConfig::default()
    }
}

/// Byte fragments that matter to the readers: separators, quotes, line ends, BOMs,
/// invalid and multi-byte sequences, date pieces, statuses, window ids.
const FRAGMENTS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"",
    b"-",
    b":",
    b"/",
    b"T",
    b".",
    b"0",
    b"9",
    b"24",
    b"60",
    b"99",
    b"2020-02-29",
    b"2019-02-29",
    b"1899-12-30",
    b"2999-12-31 23:59:60",
    b"9999-99-99",
    b"2020-06-01 24:00",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"\x81",
    b"\x81\x30",
    b"\xE5\xB8",
    "是".as_bytes(),
    "办结".as_bytes(),
    "过号".as_bytes(),
    "取消".as_bytes(),
    b"served",
    b"no_show",
    b"cancelled",
    b"A01",
    b"Z99",
    b"M1",
    b"NaN",
    b"1e308",
    b"-0",
];

fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::sample::select(FRAGMENTS).prop_map(<[u8]>::to_vec),
        1 => proptest::collection::vec(any::<u8>(), 1..4),
    ]
}

/// One edit of a valid file.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the bytes at a position with a fragment.
    Replace(usize, Vec<u8>),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    /// Copy a line to the end of the file (duplicates).
    RepeatLine(usize),
    /// Cut the file short.
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<usize>(), fragment()).prop_map(|(i, f)| Edit::Replace(i, f)),
        4 => (any::<usize>(), fragment()).prop_map(|(i, f)| Edit::Insert(i, f)),
        2 => (any::<usize>(), 1..20usize).prop_map(|(i, n)| Edit::Delete(i, n)),
        1 => any::<usize>().prop_map(Edit::RepeatLine),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match e {
            Edit::Replace(i, f) => {
                let i = at(*i);
                let end = (i + f.len()).min(len);
                bytes.splice(i..end, f.iter().copied());
            }
            Edit::Insert(i, f) => {
                let i = at(*i);
                bytes.splice(i..i, f.iter().copied());
            }
            Edit::Delete(i, n) => {
                let i = at(*i);
                let end = (i + n).min(len);
                bytes.drain(i..end);
            }
            Edit::RepeatLine(i) => {
                let lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
                let line = lines[i % lines.len()].to_vec();
                bytes.push(b'\n');
                bytes.extend_from_slice(&line);
            }
            Edit::Truncate(i) => bytes.truncate(at(*i)),
        }
    }
    bytes
}

/// A valid ticket log with a little of every kind of dirt.
fn dirty_tickets() -> Vec<u8> {
    crate::util::tickets_with(
        "9,2020-07-32 09:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n\
         10,2020-06-01 15:00:00,2020-06-01 14:59:30,2020-06-01 15:10:00,A01,市场监管局,M1,served\n\
         11,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,Z99,市场监管局,M1,办结\n\
         12,2020/6/1 16:00,2020-06-01T16:01:00,,,,M2,过号\n",
    )
    .into_bytes()
}

thread_local! {
    /// One hall folder per test thread, rewritten for every case (a fresh temporary
    /// folder per case would double the time per case).
    static HALL: tempfile::TempDir = tempfile::tempdir().expect("a temporary hall folder");
}

const HALL_FILES: [&str; 4] = ["windows.csv", "matters.csv", "footfall.csv", "tickets.csv"];

/// Loads a hall folder holding exactly `files`; panics propagate, errors are returned.
fn load_hall(files: &[(&str, &[u8])]) -> hallplan::Result<Loaded> {
    HALL.with(|dir| {
        for name in HALL_FILES {
            let p = dir.path().join(name);
            if p.exists() {
                std::fs::remove_file(p).expect("clear the hall folder");
            }
        }
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).expect("write a hall file");
        }
        ingest::load(Some(dir.path()), &LoadOptions::default())
    })
}

/// The invariants of a loaded hall, or of a failed load.
fn check(result: &hallplan::Result<Loaded>) -> Result<(), TestCaseError> {
    match result {
        Err(e) => {
            prop_assert_eq!(e.exit_code(), 2, "not an input error: {}", e);
            prop_assert!(!e.to_string().is_empty());
        }
        Ok(loaded) => {
            for (name, file) in [("tickets", "tickets.csv"), ("footfall", "footfall.csv")] {
                let Some(rep) = loaded.files.get(name) else {
                    continue;
                };
                prop_assert_eq!(rep.read, rep.accepted + rep.rejected, "{}: {:?}", name, rep);
                prop_assert_eq!(rep.rejected_by_reason.values().sum::<u64>(), rep.rejected);
                let listed = loaded.rejected.iter().filter(|r| r.file == file).count();
                prop_assert_eq!(listed as u64, rep.rejected, "{} rejected rows listed", name);
                prop_assert!(rep.clamped <= rep.accepted);
            }
            if let Some(rep) = loaded.files.get("tickets") {
                prop_assert_eq!(loaded.hall.tickets.len() as u64, rep.accepted);
            }
        }
    }
    Ok(())
}

fn forced() -> impl Strategy<Value = Option<Encoding>> {
    prop_oneof![
        Just(None),
        Just(Some(Encoding::Utf8)),
        Just(Some(Encoding::Gb18030))
    ]
}

/// Opens bytes as a CSV table and walks every row.
fn walk(bytes: Vec<u8>, enc: Option<Encoding>, tab: bool) -> Result<(), TestCaseError> {
    match Table::from_csv_bytes("t.csv".into(), bytes, enc, tab) {
        Err(e) => {
            prop_assert_eq!(e.exit_code(), 2);
            prop_assert!(e.to_string().starts_with("t.csv"), "{}", e);
        }
        Ok(t) => {
            let mut lines = Vec::new();
            let walked = t.for_each_row(|at, row| {
                lines.push(at.number());
                for i in 0..row.len() {
                    let _ = row.get(i);
                }
                let _ = row.get(row.len() + 3);
                Ok(())
            });
            if let Err(e) = walked {
                prop_assert_eq!(e.exit_code(), 2);
            }
            // Line numbers never go back.
            prop_assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{:?}", lines);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(1))]

    #[test]
    fn arbitrary_bytes_open_as_a_table_or_fail_as_bad_input(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        enc in forced(),
        tab in any::<bool>(),
    ) {
        walk(bytes, enc, tab)?;
    }

    #[test]
    fn fragment_soup_opens_as_a_table_or_fails_as_bad_input(
        parts in proptest::collection::vec(fragment(), 0..80),
        enc in forced(),
    ) {
        walk(parts.concat(), enc, false)?;
    }

    #[test]
    fn arbitrary_ticket_rows_under_a_valid_header_are_all_accounted_for(
        parts in proptest::collection::vec(fragment(), 0..120),
    ) {
        let mut tickets = crate::util::TICKETS_HEADER.as_bytes().to_vec();
        tickets.extend(parts.concat());
        let loaded = load_hall(&[
            ("windows.csv", crate::util::WINDOWS.as_bytes()),
            ("matters.csv", crate::util::MATTERS.as_bytes()),
            ("tickets.csv", &tickets),
        ]);
        check(&loaded)?;
    }

    #[test]
    fn mutated_ticket_logs_are_all_accounted_for(
        edits in proptest::collection::vec(edit(), 1..8),
    ) {
        let tickets = apply(dirty_tickets(), &edits);
        let loaded = load_hall(&[
            ("windows.csv", crate::util::WINDOWS.as_bytes()),
            ("matters.csv", crate::util::MATTERS.as_bytes()),
            ("footfall.csv", crate::util::FOOTFALL.as_bytes()),
            ("tickets.csv", &tickets),
        ]);
        check(&loaded)?;
        // Only the tickets were touched: a failure must name them.
        if let Err(e) = &loaded {
            prop_assert!(e.to_string().contains("tickets.csv"), "{}", e);
        }
    }

    #[test]
    fn mutated_catalogues_and_footfall_load_or_fail_as_bad_input(
        w in proptest::collection::vec(edit(), 0..4),
        m in proptest::collection::vec(edit(), 0..4),
        f in proptest::collection::vec(edit(), 0..4),
    ) {
        let windows = apply(crate::util::WINDOWS.as_bytes().to_vec(), &w);
        let matters = apply(crate::util::MATTERS.as_bytes().to_vec(), &m);
        let footfall = apply(crate::util::FOOTFALL.as_bytes().to_vec(), &f);
        let tickets = dirty_tickets();
        let loaded = load_hall(&[
            ("windows.csv", &windows),
            ("matters.csv", &matters),
            ("footfall.csv", &footfall),
            ("tickets.csv", &tickets),
        ]);
        check(&loaded)?;
    }

    #[test]
    fn date_times_parse_or_not_without_panicking(s in "\\PC{0,30}") {
        if let Some((t, _)) = ingest::values::parse_datetime(&s) {
            // Whatever parses is printable and parses back to itself.
            let printed = hallplan::hall::time::format(t);
            prop_assert_eq!(ingest::values::parse_datetime(&printed).map(|v| v.0), Some(t));
        }
        let _ = ingest::values::parse_number(&s);
        let _ = ingest::values::parse_bool(&s);
        let _ = ingest::values::parse_with_format(&s, "%Y%m%d %H:%M:%S");
    }

    #[test]
    fn column_maps_parse_or_fail_without_panicking(s in "[\\[\\]a-z_=\"{}, \\n%:YmdHMS日期]{0,80}") {
        let _ = ingest::ColumnMap::parse(&s, "map.toml");
    }
}

#[test]
fn a_hall_that_loads_can_be_profiled() {
    // Rendering charts costs ten times a load: a sixteenth of the cases. A runner of our
    // own, because the `proptest!` macro lets PROPTEST_CASES override the divided count.
    let mut runner = proptest::test_runner::TestRunner::new(config(16));
    let result = runner.run(&proptest::collection::vec(edit(), 1..8), |edits| {
        let tickets = apply(dirty_tickets(), &edits);
        let loaded = load_hall(&[
            ("windows.csv", crate::util::WINDOWS.as_bytes()),
            ("matters.csv", crate::util::MATTERS.as_bytes()),
            ("footfall.csv", crate::util::FOOTFALL.as_bytes()),
            ("tickets.csv", &tickets),
        ]);
        if let Ok(loaded) = loaded {
            let built =
                hallplan::report::pages::profile::build(&loaded, hallplan::report::Lang::Both);
            prop_assert!(built.is_ok(), "profile failed: {:?}", built.err());
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn the_unmutated_fixtures_load_cleanly() {
    // The properties above start from these; they must be a working hall.
    let loaded = load_hall(&[
        ("windows.csv", crate::util::WINDOWS.as_bytes()),
        ("matters.csv", crate::util::MATTERS.as_bytes()),
        ("footfall.csv", crate::util::FOOTFALL.as_bytes()),
        ("tickets.csv", &dirty_tickets()),
    ]);
    let loaded = loaded.expect("the fixture hall loads");
    let t = &loaded.files["tickets"];
    assert_eq!(t.read, crate::util::TICKETS_ROW_COUNT + 4);
    assert_eq!(t.rejected, 2);
    assert_eq!(t.clamped, 1);
}
