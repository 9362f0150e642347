//! A hall the bundled sample never shows: other departments, a GBK ticket export with
//! Chinese headers, semicolons and `YYYY/M/D H:MM:SS` dates, an xlsx catalogue, a window
//! inventory with a BOM, a tab-separated footfall file and a few dirty rows.
//! And an export with its own headers and split date and time, read through `--columns`.

use crate::util::{assert_accounted, count, path_str, rejected_for, write_xlsx, Fixture};
use chrono::Datelike;

const DEPARTMENTS: [&str; 3] = ["出入境管理局", "车管所", "公积金中心"];
/// Windows per department, in the order of `DEPARTMENTS`.
const WINDOWS_OF: [&[&str]; 3] = [&["C01", "C02"], &["D01", "D02"], &["G01", "J01"]];
const MATTERS_OF: [&[&str]; 3] = [&["CR01", "CR02"], &["VE01", "VE02"], &["HF01"]];

const DAYS: u32 = 3;
const PER_DAY: u32 = 24;
const CLEAN_ROWS: u64 = (DAYS * PER_DAY) as u64;

fn windows_csv() -> Vec<u8> {
    let mut s = String::from("\u{feff}窗口编号,部门,人员数,窗口类型,联办组,保留\n");
    s.push_str("C01,出入境管理局,1,部门,,否\n");
    s.push_str("C02,出入境管理局,1,部门,,否\n");
    s.push_str("D01,车管所,2,部门,,是\n");
    s.push_str("D02,车管所,1,部门,,否\n");
    s.push_str("G01,公积金中心,1,部门,,否\n");
    s.push_str("J01,公积金中心,1,联办,住房,否\n");
    s.into_bytes()
}

fn write_matters_xlsx(f: &Fixture) {
    write_xlsx(
        &f.hall().join("matters.xlsx"),
        &[
            &[
                "事项编码",
                "事项名称",
                "部门",
                "周办件量",
                "平均受理时长",
                "可网办",
            ],
            &["CR01", "护照申领", "出入境管理局", "120", "8", "否"],
            &["CR02", "港澳通行证续签", "出入境管理局", "80", "5", "是"],
            &["VE01", "驾驶证换领", "车管所", "200", "6", "是"],
            &["VE02", "机动车登记", "车管所", "60", "15", "否"],
            &["HF01", "公积金提取", "公积金中心", "150", "7.5", "是"],
        ],
    );
}

/// `YYYY/M/D H:MM:SS` for 2021-03-(day) at `secs` after midnight.
fn slash_time(day: u32, secs: u32) -> String {
    format!(
        "2021/3/{day} {}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The clean rows: 24 tickets a day on 1–3 March 2021, every tenth a no-show (过号) and
/// every tenth a cancellation (取消); ticket numbers restart every day.
fn clean_ticket_rows() -> Vec<String> {
    let mut rows = Vec::new();
    for day in 1..=DAYS {
        for k in 0..PER_DAY {
            let d = (k % 3) as usize;
            let window = WINDOWS_OF[d][(k as usize / 3) % 2];
            let matter = MATTERS_OF[d][(k as usize / 3) % MATTERS_OF[d].len()];
            let issued = 9 * 3600 + k * 17 * 60 + day * 60 + 7;
            let called = issued + (k % 7) * 60 + 5;
            let finished = called + (3 + k % 5) * 60;
            let (c, f, status) = match k % 10 {
                4 => (slash_time(day, called), String::new(), "过号"),
                9 => (String::new(), String::new(), "取消"),
                _ => (slash_time(day, called), slash_time(day, finished), "办结"),
            };
            rows.push(format!(
                "A{k:03};{};{c};{f};{window};{};{matter};{status}",
                slash_time(day, issued),
                DEPARTMENTS[d]
            ));
        }
    }
    rows
}

/// The dirty rows, each with the reason it must be rejected (None: accepted, clamped).
const DIRTY: [(&str, Option<&str>); 6] = [
    (
        "B001;2021/2/30 9:00:00;2021/3/1 9:05:00;2021/3/1 9:10:00;C01;出入境管理局;CR01;办结",
        Some("bad_datetime"),
    ),
    (
        "B002;2021/3/1 10:00:00;2021/3/1 10:05:00;2021/3/1 10:10:00;X99;出入境管理局;CR01;办结",
        Some("unknown_window"),
    ),
    (
        "B003;2021/3/1 11:00:00;2021/3/1 9:00:00;2021/3/1 11:10:00;D01;车管所;VE01;办结",
        Some("called_before_issued"),
    ),
    (
        "B004;2021/3/1 11:30:00;2021/3/1 11:29:40;2021/3/1 11:40:00;D02;车管所;VE01;办结",
        None,
    ),
    (
        "A000;2021/3/1 15:00:00;2021/3/1 15:01:00;2021/3/1 15:10:00;C01;出入境管理局;CR01;办结",
        Some("duplicate_ticket"),
    ),
    (
        "B005;2021/3/1 15:30:00;2021/3/1 15:31:00;2021/3/1 15:40:00;G01;公积金中心;HF01;挂起",
        Some("bad_status"),
    ),
];

/// tickets.csv in GBK: header on line 1, the clean rows, one blank line (skipped, but
/// counted as a line), the dirty rows.
/// Returns the bytes and the line of the first dirty row.
fn tickets_gbk() -> (Vec<u8>, u64) {
    let mut text = String::from("票号;取号时间;叫号时间;办结时间;窗口编号;部门;事项编码;状态\n");
    for r in clean_ticket_rows() {
        text.push_str(&r);
        text.push('\n');
    }
    text.push('\n');
    let first_dirty = CLEAN_ROWS + 3;
    for (r, _) in DIRTY {
        text.push_str(r);
        text.push('\n');
    }
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "every character of the fixture exists in GBK");
    (bytes.into_owned(), first_dirty)
}

/// footfall.tsv: daily counts at two gates from January 2020 to March 2021, and one row
/// with a negative count. Returns the text, the rows and the line of the bad row.
fn footfall_tsv() -> (String, u64, u64) {
    let mut s = String::from("日期\t入口\t人流量\n");
    let mut rows = 0u64;
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date");
    let end = chrono::NaiveDate::from_ymd_opt(2021, 3, 3).expect("a date");
    let mut d = start;
    while d <= end {
        for (g, gate) in ["东门", "西门"].iter().enumerate() {
            let n = 300 + (d.ordinal() * 7 + g as u32 * 13) % 200;
            s.push_str(&format!("{}\t{gate}\t{n}\n", d.format("%Y/%-m/%-d")));
            rows += 1;
        }
        d = d.succ_opt().expect("next day");
    }
    s.push_str("2021/3/3\t北门\t-3\n");
    rows += 1;
    (s, rows, rows + 1)
}

fn unseen_hall() -> (Fixture, u64, u64, u64) {
    let (tickets, first_dirty) = tickets_gbk();
    let (footfall, footfall_rows, bad_footfall_line) = footfall_tsv();
    let f = Fixture::empty()
        .with("windows.csv", windows_csv())
        .with("tickets.csv", tickets)
        .with("footfall.tsv", footfall);
    write_matters_xlsx(&f);
    (f, first_dirty, footfall_rows, bad_footfall_line)
}

#[test]
fn an_unseen_hall_is_read_with_exact_row_accounting_and_reported_encodings() {
    let (f, _, footfall_rows, _) = unseen_hall();
    let v = f.validate_json(&[]);

    assert_eq!(v["files"]["windows"]["encoding"], "UTF-8 (BOM)", "{v:#}");
    assert_eq!(v["files"]["matters"]["encoding"], "xlsx");
    assert_eq!(v["files"]["tickets"]["encoding"], "GB18030");
    assert_eq!(count(&v, "windows", "read"), 6);
    assert_eq!(count(&v, "matters", "read"), 5);
    assert_eq!(v["windows"], 6);
    assert_eq!(v["matters"], 5);
    assert_eq!(v["departments"], 3, "{v:#}");

    assert_accounted(&v, "tickets");
    let dirty = DIRTY.len() as u64;
    let rejected = DIRTY.iter().filter(|(_, r)| r.is_some()).count() as u64;
    assert_eq!(count(&v, "tickets", "read"), CLEAN_ROWS + dirty);
    assert_eq!(count(&v, "tickets", "rejected"), rejected);
    assert_eq!(
        count(&v, "tickets", "accepted"),
        CLEAN_ROWS + dirty - rejected
    );
    assert_eq!(count(&v, "tickets", "clamped"), 1);
    for (_, reason) in DIRTY {
        if let Some(reason) = reason {
            assert_eq!(rejected_for(&v, "tickets", reason), 1, "{reason}: {v:#}");
        }
    }
    assert_eq!(v["files"]["tickets"]["first"], "2021-03-01 09:01:07");

    assert_accounted(&v, "footfall");
    assert_eq!(count(&v, "footfall", "read"), footfall_rows);
    assert_eq!(rejected_for(&v, "footfall", "bad_number"), 1);
}

#[test]
fn an_unseen_hall_is_profiled_with_its_chinese_department_names_everywhere() {
    let (f, first_dirty, _, bad_footfall_line) = unseen_hall();
    f.profile(&[]);
    let out = f.out();
    for name in [
        "report.html",
        "report.md",
        "summary.json",
        "rejected_rows.csv",
    ] {
        assert!(out.join(name).is_file(), "{name} is missing");
    }
    let charts: Vec<String> = std::fs::read_dir(out.join("charts"))
        .expect("a charts folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let svgs: Vec<&String> = charts.iter().filter(|c| c.ends_with(".svg")).collect();
    assert!(!svgs.is_empty(), "no SVG charts: {charts:?}");
    for svg in &svgs {
        let png = svg.replace(".svg", ".png");
        assert!(charts.contains(&png), "{svg} has no PNG twin");
        let bytes = std::fs::read(out.join("charts").join(&png)).expect("read a PNG");
        assert!(bytes.starts_with(b"\x89PNG"), "{png} is not a PNG");
    }

    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html is UTF-8");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md is UTF-8");
    let waits = std::fs::read_to_string(out.join("waits_by_department.csv"))
        .expect("waits_by_department.csv");
    let svg = std::fs::read_to_string(out.join("charts/waits_by_department.svg"))
        .expect("charts/waits_by_department.svg");
    for dept in DEPARTMENTS {
        assert!(html.contains(dept), "report.html lacks {dept}");
        assert!(md.contains(dept), "report.md lacks {dept}");
        assert!(waits.contains(dept), "waits_by_department.csv lacks {dept}");
        assert!(svg.contains(dept), "waits_by_department.svg lacks {dept}");
    }
    assert!(
        html.contains("GB18030"),
        "the report states the encoding read"
    );

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary.json"))
            .expect("summary.json is JSON");
    assert_eq!(summary["files"]["tickets"]["encoding"], "GB18030");

    let rows = f.output_csv("rejected_rows.csv");
    let mut expected: Vec<(String, String, String)> = DIRTY
        .iter()
        .enumerate()
        .filter_map(|(k, (_, reason))| {
            reason.map(|r| {
                (
                    "tickets.csv".to_string(),
                    (first_dirty + k as u64).to_string(),
                    r.to_string(),
                )
            })
        })
        .collect();
    expected.insert(
        0,
        (
            "footfall.tsv".to_string(),
            bad_footfall_line.to_string(),
            "bad_number".to_string(),
        ),
    );
    let got: Vec<(String, String, String)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[3].clone()))
        .collect();
    assert_eq!(got, expected);
}

/// An export with its own headers: ticket number 流水号, a date column and three time
/// columns, 科室 for the department.
fn split_export(rows: &[&str]) -> String {
    let mut s = String::from("流水号,日期,取号,叫号,办结,窗口,科室,事项,状态\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

const MAP: &str = r#"
[tickets]
issued_at = { from = ["日期", "取号"], format = "%Y%m%d %H:%M:%S" }
called_at = { from = ["日期", "叫号"], format = "%Y%m%d %H:%M:%S" }
finished_at = { from = ["日期", "办结"], format = "%Y%m%d %H:%M:%S" }
window_id = "窗口"
department = "科室"
matter_id = "事项"
"#;

fn mapped_hall(rows: &[&str]) -> (Fixture, std::path::PathBuf) {
    let f = Fixture::empty()
        .with("windows.csv", windows_csv())
        .with("tickets.csv", split_export(rows));
    write_matters_xlsx(&f);
    let map = f.write_beside("map.toml", MAP);
    (f, map)
}

#[test]
fn a_column_map_joins_split_date_and_time_columns() {
    let (f, map) = mapped_hall(&[
        "1,20210301,09:05:07,09:12:00,09:20:30,C01,出入境管理局,CR01,办结",
        "2,20210301,09:06:00,09:06:30,09:10:00,D01,车管所,VE01,办结",
        "1,20210302,14:00:00,14:20:00,14:25:00,G01,公积金中心,HF01,办结",
        "2,20210302,14:10:00,14:09:30,14:25:00,D02,车管所,VE02,办结",
        "3,20210302,99:00:00,14:10:00,14:25:00,D02,车管所,VE02,办结",
    ]);
    let v = f.validate_json(&["--columns", path_str(&map)]);
    assert_accounted(&v, "tickets");
    assert_eq!(count(&v, "tickets", "read"), 5);
    assert_eq!(count(&v, "tickets", "accepted"), 4, "{v:#}");
    assert_eq!(count(&v, "tickets", "clamped"), 1, "{v:#}");
    assert_eq!(rejected_for(&v, "tickets", "bad_datetime"), 1, "{v:#}");
    assert_eq!(v["files"]["tickets"]["first"], "2021-03-01 09:05:07");
    assert_eq!(v["files"]["tickets"]["last"], "2021-03-02 14:10:00");

    // The mapped times give the waits: 出入境管理局 waited 6 min 53 s on its one ticket.
    f.profile(&["--columns", path_str(&map)]);
    let waits = f.output_csv("waits_by_department.csv");
    let header = &waits[0];
    let col = header
        .iter()
        .position(|h| h == "mean_wait_min")
        .expect("a mean_wait_min column");
    let row = waits
        .iter()
        .find(|r| r[0] == "出入境管理局")
        .expect("a row for 出入境管理局");
    let mean: f64 = row[col].parse().expect("a number");
    assert!((mean - 413.0 / 60.0).abs() < 0.01, "mean wait {mean}");
}

#[test]
fn a_no_show_with_empty_time_columns_in_a_split_export_is_accepted() {
    // A no-show has no call or finish time; its date column is still filled in. Joining
    // "20210301" with an empty time must read as "no time", not as a bad date-time.
    let (f, map) = mapped_hall(&[
        "1,20210301,09:05:07,09:12:00,09:20:30,C01,出入境管理局,CR01,办结",
        "2,20210301,09:06:00,09:10:00,,C02,出入境管理局,CR01,过号",
        "3,20210301,09:07:00,,,,车管所,VE01,取消",
    ]);
    let v = f.validate_json(&["--columns", path_str(&map)]);
    assert_accounted(&v, "tickets");
    assert_eq!(count(&v, "tickets", "read"), 3);
    assert_eq!(count(&v, "tickets", "rejected"), 0, "{v:#}");
}
