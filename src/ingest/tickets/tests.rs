//! The ticket reader: rows accepted or set aside rule by rule, and the same result for
//! any number of parts.

use super::*;
use crate::hall::{Matter, Window, WindowKind};

/// A dirty ticket log: duplicates (also far apart, across any cut), bad dates, blank
/// lines, CRLF and lone CR line ends, unknown windows, bad statuses, Unicode spaces,
/// departments from the matter catalogue, clock skew, rows too short.
fn dirty_csv(rows: usize) -> Vec<u8> {
    let mut x = 99u64;
    let mut rnd = move |n: u64| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) % n
    };
    let depts = ["税务局", "医保局", "市场监管局"];
    let mut out = String::from(
        "ticket_id,issued_at,called_at,finished_at,window_id,department,matter_id,status\n",
    );
    let mut earlier: Vec<String> = Vec::new();
    for i in 0..rows {
        let day = 1 + (i * 28 / rows);
        let (h, m) = (9 + (i % 8), i % 60);
        let issued = format!("2020-06-{day:02} {h:02}:{m:02}:07");
        let called = format!("2020-06-{day:02} {h:02}:{m:02}:37");
        let finished = format!("2020-06-{day:02} {:02}:{m:02}:59", h + 1);
        let d = rnd(3) as usize;
        let mut f = [
            format!("{}{:04}", ["A", "B", "C"][d], i % 500),
            issued,
            called,
            finished,
            format!("W{}", 1 + rnd(6)),
            depts[d].to_string(),
            format!("M{}", 1 + rnd(4)),
            "served".to_string(),
        ];
        match rnd(40) {
            0 => f[1] = "2020-13-01 09:00:00".into(),
            1 => f[4] = "ZZ9".into(),
            2 => f[7] = "weird".into(),
            3 => f[0] = String::new(),
            4 => f[5] = format!("\u{3000}{} ", f[5]),
            5 => f[2] = "2020-05-01 00:00:00".into(),
            6 => {
                f[2] = f[1].replace(":07", ":50");
                f[1] = f[1].replace(":07", ":59");
            }
            7 => f[1] = f[1].replace('-', "/"),
            8 => f[5] = String::new(),
            9 => {
                f[5] = String::new();
                f[6] = "NOPE".into();
            }
            10 => f[7] = " No_Show ".into(),
            11 => {
                f[3] = String::new();
                f[7] = String::new();
            }
            12 => {
                f[3] = f[3]
                    .replace(":59", ":00")
                    .replace(&format!("{:02}:", h + 1), "23:")
            }
            _ => {}
        }
        let line = if rnd(25) == 0 && !earlier.is_empty() {
            earlier[rnd(earlier.len() as u64) as usize].clone()
        } else if rnd(60) == 0 {
            f[..4].join(",")
        } else {
            f.join(",")
        };
        if rnd(10) == 0 {
            earlier.push(line.clone());
        }
        out.push_str(&line);
        out.push_str(match rnd(50) {
            0 => "\r\n",
            1 => "\r",
            2 => "\n\n",
            3 => "\n \n",
            _ => "\n",
        });
    }
    out.into_bytes()
}

fn hall() -> Hall {
    let window = |i: u32| Window {
        id: format!("W{i}"),
        department: "税务局".into(),
        staff: 1,
        kind: WindowKind::Department,
        merge_group: None,
        locked: false,
    };
    let matter = |i: u32| Matter {
        id: format!("M{i}"),
        name: format!("matter {i}"),
        department: "民政局".into(),
        weekly_volume: None,
        avg_handle_min: None,
        online_capable: false,
        online_share: None,
        backoffice_eligible: false,
        intake_min: 0.0,
        merge_group: None,
        in_person_required: false,
        specialist: false,
        derived_from_tickets: false,
    };
    Hall {
        windows: (1..=6).map(window).collect(),
        matters: (1..=4).map(matter).collect(),
        ..Hall::default()
    }
}

type Outcome = (Vec<String>, serde_json::Value, Vec<Rejected>);

/// Every ticket, name table, ledger and rejected row of a read, for comparing reads.
fn outcome(
    t: &Tickets,
    report: &FileReport,
    rejected: Vec<Rejected>,
) -> std::result::Result<Outcome, String> {
    let cols = (0..t.len())
        .map(|i| {
            format!(
                "{} {} {} {} {} {} {:?}",
                t.issued[i],
                t.called[i],
                t.finished[i],
                t.windows.name(t.window[i]),
                t.departments.name(t.department[i]),
                t.matters.name(t.matter[i]),
                t.status[i]
            )
        })
        .chain([
            t.windows.names().join("|"),
            t.departments.names().join("|"),
            t.matters.names().join("|"),
            format!("{:?} {:?} {:?}", t.window, t.department, t.matter),
        ])
        .collect();
    Ok((
        cols,
        serde_json::to_value(report).map_err(|e| e.to_string())?,
        rejected,
    ))
}

fn read_with(
    bytes: &[u8],
    parts: usize,
    opts: &LoadOptions,
) -> std::result::Result<Outcome, String> {
    let table = Table::from_csv_bytes("tickets.csv".into(), bytes.to_vec(), None, false)
        .map_err(|e| e.to_string())?;
    let mut rejected = Vec::new();
    let (t, report) = read_in_parts(
        &table,
        Path::new("tickets.csv"),
        opts,
        &hall(),
        &mut rejected,
        parts,
    )
    .map_err(|e| e.to_string())?;
    outcome(&t, &report, rejected)
}

#[test]
fn parallel_parts_give_the_sequential_result() {
    let bytes = dirty_csv(6_000);
    let opts = LoadOptions::default();
    let one = read_with(&bytes, 1, &opts).expect("reads");
    assert!(one.2.len() > 300, "dirty enough: {} rejected", one.2.len());
    assert!(one.2.iter().any(|r| r.reason == "duplicate_ticket"));
    assert!(one.1["clamped"].as_u64().unwrap_or(0) > 0);
    for parts in [2, 3, 4, 7, 64] {
        assert_eq!(
            read_with(&bytes, parts, &opts).expect("reads"),
            one,
            "{parts} parts"
        );
    }
    // Strict mode: the same first rejected row becomes the error.
    let strict = LoadOptions {
        strict: true,
        ..LoadOptions::default()
    };
    let e1 = read_with(&bytes, 1, &strict).expect_err("strict fails");
    for parts in [2, 5] {
        assert_eq!(
            read_with(&bytes, parts, &strict).expect_err("strict fails"),
            e1
        );
    }
}

/// The ticket file read by `read_file_with`: streamed in blocks of `block` bytes on
/// `threads` threads, or whole (`block == 0`).
fn read_path(
    path: &Path,
    block: usize,
    threads: usize,
    opts: &LoadOptions,
) -> std::result::Result<Outcome, String> {
    let mut rejected = Vec::new();
    let min = if block == 0 { u64::MAX } else { 0 };
    let (t, report) = read_file_with(
        path,
        opts,
        &hall(),
        &mut rejected,
        min,
        block.max(1),
        threads,
    )
    .map_err(|e| e.to_string())?;
    outcome(&t, &report, rejected)
}

#[test]
fn streamed_blocks_give_the_whole_file_result() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dirty = dirty_csv(1_500);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&dirty);
    let mut no_final_newline = dirty.clone();
    while no_final_newline
        .last()
        .is_some_and(|c| *c == b'\n' || *c == b'\r')
    {
        no_final_newline.pop();
    }
    // A quoted field spanning lines far from the start: read whole after all.
    let mut quoted = dirty.clone();
    quoted.extend_from_slice(
        "Q1,2020-06-28 09:00:00,2020-06-28 09:01:00,2020-06-28 09:05:00,W1,\"税务\n局\",M1,served\n"
            .as_bytes(),
    );
    // GBK bytes far from the start: the whole file is GB18030, read whole.
    let mut gbk = dirty.clone();
    let (dept, _, _) = encoding_rs::GBK.encode("医保局");
    gbk.extend_from_slice(b"G1,2020-06-28 09:00:00,2020-06-28 09:01:00,2020-06-28 09:05:00,W1,");
    gbk.extend_from_slice(&dept);
    gbk.extend_from_slice(b",M1,served\n");
    let strict = LoadOptions {
        strict: true,
        ..LoadOptions::default()
    };
    for (name, bytes) in [
        ("dirty", &dirty),
        ("bom", &bom),
        ("no_final_newline", &no_final_newline),
        ("quoted", &quoted),
        ("gbk", &gbk),
    ] {
        let path = dir.path().join(format!("{name}.csv"));
        std::fs::write(&path, bytes).expect("writes");
        for opts in [&LoadOptions::default(), &strict] {
            let whole = read_path(&path, 0, 1, opts);
            if !opts.strict {
                assert!(whole.as_ref().is_ok_and(|w| w.2.len() > 50), "{name}");
                let streamed = stream(&path, opts, &hall(), 0, 100, 2)
                    .expect("reads")
                    .is_some();
                assert_eq!(streamed, !matches!(name, "quoted" | "gbk"), "{name}");
            }
            // Blocks cut inside lines, multi-byte characters and CRLF pairs; a block
            // smaller than a line; one block for the whole file.
            for block in [13, 100, 1_000, 1 << 20] {
                for threads in [1, 2, 3] {
                    assert_eq!(
                        read_path(&path, block, threads, opts),
                        whole,
                        "{name}, block {block}, {threads} threads, strict {}",
                        opts.strict
                    );
                }
            }
        }
    }
}

#[test]
fn line_numbers_count_blank_lines_and_lone_cr_in_every_part() {
    let csv = "ticket_id,issued_at,called_at,finished_at,window_id,department\n\
               A1,2020-06-01 09:00:00,2020-06-01 09:01:00,2020-06-01 09:05:00,W1,税务局\r\
               A2,bad,,,W1,税务局\n\n\
               A1,2020-06-01 09:00:00,2020-06-01 09:01:00,2020-06-01 09:05:00,W1,税务局\r\n\
               A3,2020-06-01 09:00:00,2020-06-01 09:01:00,2020-06-01 09:05:00,ZZ,税务局\n";
    for parts in [1, 2, 3, 5] {
        let (_, _, rejected) =
            read_with(csv.as_bytes(), parts, &LoadOptions::default()).expect("reads");
        let lines: Vec<String> = rejected
            .iter()
            .map(|r| format!("{} {} {}", r.at, r.reason, r.message))
            .collect();
        assert_eq!(
            lines,
            vec![
                "3 bad_datetime issued_at \"bad\" is not a date-time (expected YYYY-MM-DD HH:MM[:SS], YYYY/M/D H:MM[:SS] or ISO 8601 with T)".to_string(),
                "5 duplicate_ticket ticket_id \"A1\" appears twice on 2020-06-01 (first on line 2)".to_string(),
                "6 unknown_window window_id \"ZZ\" is not in the window inventory".to_string(),
            ],
            "{parts} parts"
        );
    }
}
