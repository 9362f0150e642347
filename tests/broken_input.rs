//! Bad input, rule by rule (input.md, "Bad input: what happens").
//!
//! Fatal problems: exit code 2, a message that names the file, the line (or sheet and cell)
//! and the column and says what was expected, no panic, and no output folder.
//! Row-level problems in tickets and footfall: the run succeeds, the row is set aside with
//! its line and reason in rejected_rows.csv, and read = accepted + rejected.

use crate::util::{
    assert_accounted, count, path_str, rejected_for, run, tickets_with, write_xlsx, Fixture, Run,
    FIRST_EXTRA_LINE, TICKETS_ROW_COUNT,
};

const BAD_INPUT: i32 = 2;
const USAGE: i32 = 1;

/// `profile` on the fixture fails with exit code 2, naming everything in `needles`, and
/// writes nothing.
fn assert_fatal(f: &Fixture, extra: &[&str], needles: &[&str]) -> Run {
    let r = f.profile_fails(extra);
    r.assert_fails(BAD_INPUT, needles);
    assert!(
        !f.out().exists(),
        "a failed run must not leave an output folder"
    );
    r
}

fn windows_with(rows: &str) -> String {
    format!("window_id,department,staff,kind,merge_group,locked\n{rows}")
}

fn matters_with(rows: &str) -> String {
    format!("{}{rows}", crate::util::MATTERS)
}

// ---------------------------------------------------------------------------------------
// Fatal: files
// ---------------------------------------------------------------------------------------

#[test]
fn a_missing_required_file_is_fatal_and_named() {
    // `plan` needs the window inventory.
    let f = Fixture::valid().without("windows.csv");
    let r = run(&[
        "plan",
        "--data",
        path_str(&f.hall()),
        "--out",
        path_str(&f.out()),
    ]);
    r.assert_fails(BAD_INPUT, &["windows.csv", "missing", "window inventory"]);
    assert!(!f.out().exists());
}

#[test]
fn a_file_given_by_flag_that_does_not_exist_is_fatal_and_named() {
    let f = Fixture::valid();
    let nope = f.root().join("nope.csv");
    assert_fatal(&f, &["--tickets", path_str(&nope)], &["nope.csv"]);
}

#[test]
fn undecodable_bytes_with_utf8_forced_are_fatal_and_name_the_line() {
    let mut bytes = crate::util::TICKETS_HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(
        b"1,2020-06-01 09:00:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,x,M1,served\n",
    );
    bytes.extend_from_slice(b"2,2020-06-01 09:10:00,,,,\xFF\xFF,M1,cancelled\n");
    let f = Fixture::valid().with("tickets.csv", bytes);
    assert_fatal(
        &f,
        &["--encoding", "utf-8"],
        &["tickets.csv:3:", "0xFF", "expected UTF-8"],
    );
}

#[test]
fn gbk_text_read_with_utf8_forced_is_fatal_not_garbled() {
    let text = crate::util::tickets();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let f = Fixture::valid().with("tickets.csv", gbk);
    // The first non-ASCII character (a department name) is on line 2.
    assert_fatal(
        &f,
        &["--encoding", "utf-8"],
        &["tickets.csv:2:", "expected UTF-8"],
    );
}

#[test]
fn bytes_that_are_neither_utf8_nor_gb18030_are_fatal_and_name_the_line() {
    let mut bytes = crate::util::tickets().into_bytes();
    // 0xFF is never a lead byte in GB18030, and never valid in UTF-8.
    bytes.extend_from_slice(b"9,2020-06-01 09:10:00,,,,\xFF\xFF,M1,cancelled\n");
    let f = Fixture::valid().with("tickets.csv", bytes);
    let line = format!("tickets.csv:{FIRST_EXTRA_LINE}:");
    assert_fatal(&f, &[], &[&line, "0xFF", "UTF-8 or GB18030"]);
}

#[test]
fn an_unknown_forced_encoding_is_a_usage_error() {
    let f = Fixture::valid();
    let r = f.profile_fails(&["--encoding", "latin1"]);
    r.assert_fails(USAGE, &["--encoding", "utf-8 or gbk"]);
    assert!(!f.out().exists());
}

#[test]
fn an_empty_ticket_file_is_fatal() {
    let f = Fixture::valid().with("tickets.csv", "");
    assert_fatal(&f, &[], &["tickets.csv", "empty", "expected a header line"]);
}

#[test]
fn a_window_inventory_with_only_a_header_is_fatal() {
    let f = Fixture::valid().with("windows.csv", windows_with(""));
    assert_fatal(&f, &[], &["windows.csv", "empty"]);
}

// ---------------------------------------------------------------------------------------
// Fatal: required columns
// ---------------------------------------------------------------------------------------

#[test]
fn windows_without_a_department_column_are_fatal() {
    let f = Fixture::valid().with("windows.csv", "window_id,staff\nA01,1\n");
    assert_fatal(
        &f,
        &[],
        &[
            "windows.csv:1:",
            "required column department",
            "部门",
            "found: window_id, staff",
        ],
    );
}

#[test]
fn matters_without_a_matter_id_column_are_fatal() {
    let f = Fixture::valid().with(
        "matters.csv",
        "matter_name,department\n营业执照,市场监管局\n",
    );
    assert_fatal(
        &f,
        &[],
        &["matters.csv:1:", "required column matter_id", "事项编码"],
    );
}

#[test]
fn tickets_without_an_issued_at_column_are_fatal() {
    let f = Fixture::valid().with(
        "tickets.csv",
        "ticket_id,called_at,department\n1,2020-06-01 09:05:00,市场监管局\n",
    );
    assert_fatal(
        &f,
        &[],
        &["tickets.csv:1:", "required column issued_at", "取号时间"],
    );
}

#[test]
fn footfall_without_a_count_column_is_fatal() {
    let f = Fixture::valid().with("footfall.csv", "timestamp,gate\n2020-06-01,north\n");
    assert_fatal(
        &f,
        &[],
        &["footfall.csv:1:", "required column count", "人流量"],
    );
}

// ---------------------------------------------------------------------------------------
// Fatal: the window inventory
// ---------------------------------------------------------------------------------------

#[test]
fn a_duplicate_window_id_is_fatal() {
    let f = Fixture::valid().with(
        "windows.csv",
        windows_with("A01,市场监管局,1,,,\nB01,税务局,1,,,\nA01,市场监管局,1,,,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &[
            "windows.csv:4:",
            "window_id",
            "\"A01\"",
            "duplicate",
            "line 2",
        ],
    );
}

#[test]
fn an_empty_window_id_is_fatal() {
    let f = Fixture::valid().with(
        "windows.csv",
        windows_with("A01,市场监管局,1,,,\n,税务局,1,,,\n"),
    );
    assert_fatal(&f, &[], &["windows.csv:3:", "window_id", "empty"]);
}

#[test]
fn a_bad_locked_boolean_is_fatal() {
    let f = Fixture::valid().with(
        "windows.csv",
        windows_with("A01,市场监管局,1,,,false\nB01,税务局,1,,,maybe\n"),
    );
    assert_fatal(
        &f,
        &[],
        &[
            "windows.csv:3:",
            "locked",
            "\"maybe\"",
            "expected true/false",
            "是/否",
        ],
    );
}

#[test]
fn a_negative_staff_number_is_fatal() {
    let f = Fixture::valid().with("windows.csv", windows_with("A01,市场监管局,-1,,,\n"));
    assert_fatal(
        &f,
        &[],
        &["windows.csv:2:", "staff", "\"-1\"", "integer ≥ 0"],
    );
}

#[test]
fn a_fractional_staff_number_is_fatal() {
    let f = Fixture::valid().with(
        "windows.csv",
        windows_with("A01,市场监管局,1,,,\nB01,税务局,1.5,,,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &["windows.csv:3:", "staff", "\"1.5\"", "integer ≥ 0"],
    );
}

#[test]
fn an_unknown_window_kind_is_fatal() {
    let f = Fixture::valid().with(
        "windows.csv",
        windows_with("A01,市场监管局,1,vip,,\nB01,税务局,1,,,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &[
            "windows.csv:2:",
            "kind",
            "\"vip\"",
            "expected department, joint or fallback",
        ],
    );
}

#[test]
fn a_joint_window_without_a_merge_group_is_fatal() {
    let f = Fixture::valid().with(
        "windows.csv",
        windows_with("A01,市场监管局,1,,,\nB01,税务局,1,,,\nJ01,市场监管局,1,joint,,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &["windows.csv:4:", "merge_group", "joint", "expected"],
    );
}

// ---------------------------------------------------------------------------------------
// Fatal: the matter catalogue
// ---------------------------------------------------------------------------------------

#[test]
fn a_duplicate_matter_id_is_fatal() {
    let f = Fixture::valid().with(
        "matters.csv",
        matters_with("M1,营业执照变更,市场监管局,10,5,否,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &[
            "matters.csv:4:",
            "matter_id",
            "\"M1\"",
            "duplicate",
            "line 2",
        ],
    );
}

#[test]
fn a_matter_whose_department_has_no_window_is_fatal_and_names_both() {
    let f = Fixture::valid().with("matters.csv", matters_with("M3,户籍迁移,公安局,10,5,否,\n"));
    assert_fatal(
        &f,
        &[],
        &[
            "matters.csv:4:",
            "department",
            "\"公安局\"",
            "\"M3\"",
            "no window",
            "市场监管局",
        ],
    );
}

#[test]
fn an_online_share_above_one_is_fatal() {
    let f = Fixture::valid().with(
        "matters.csv",
        matters_with("M3,个体户登记,市场监管局,10,5,是,1.5\n"),
    );
    assert_fatal(
        &f,
        &[],
        &[
            "matters.csv:4:",
            "online_share",
            "\"1.5\"",
            "between 0 and 1",
        ],
    );
}

#[test]
fn a_negative_weekly_volume_is_fatal() {
    let f = Fixture::valid().with(
        "matters.csv",
        matters_with("M3,个体户登记,市场监管局,-3,5,否,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &["matters.csv:4:", "weekly_volume", "\"-3\"", "≥ 0"],
    );
}

#[test]
fn a_zero_handling_time_is_fatal() {
    let f = Fixture::valid().with(
        "matters.csv",
        matters_with("M3,个体户登记,市场监管局,3,0,否,\n"),
    );
    assert_fatal(
        &f,
        &[],
        &["matters.csv:4:", "avg_handle_min", "\"0\"", "> 0"],
    );
}

#[test]
fn a_bad_cell_in_an_xlsx_catalogue_is_named_by_sheet_and_cell() {
    let f = Fixture::valid().without("matters.csv");
    write_xlsx(
        &f.hall().join("matters.xlsx"),
        &[
            &["matter_id", "department", "weekly_volume", "avg_handle_min"],
            &["M1", "市场监管局", "100", "10"],
            &["M2", "税务局", "lots", "5"],
        ],
    );
    assert_fatal(
        &f,
        &[],
        &[
            "matters.xlsx",
            "Sheet1!C3",
            "weekly_volume",
            "\"lots\"",
            "≥ 0",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Fatal: --strict, scenarios, flags and column maps
// ---------------------------------------------------------------------------------------

#[test]
fn strict_turns_the_first_rejected_ticket_into_a_fatal_error_in_the_documented_shape() {
    let f = Fixture::valid().with(
        "tickets.csv",
        tickets_with(
            "9,2020-07-32 09:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n\
             10,2020-06-01 09:00:00,2020-06-01 07:00:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n",
        ),
    );
    // input.md: `error: tickets.csv:1043: called_at "2020-07-32 09:00" is not a date-time
    // (expected YYYY-MM-DD HH:MM[:SS])` — file, line, column once, value, expectation.
    let documented = format!(
        "error: tickets.csv:{FIRST_EXTRA_LINE}: issued_at \"2020-07-32 09:00\" is not a date-time (expected YYYY-MM-DD HH:MM[:SS]"
    );
    let r = assert_fatal(&f, &["--strict"], &[&documented]);
    // Only the first bad row is reported.
    let next = format!("tickets.csv:{}:", FIRST_EXTRA_LINE + 1);
    assert!(!r.stderr.contains(&next), "{}", r.stderr);
}

#[test]
fn strict_also_applies_to_footfall_rows() {
    let f = Fixture::valid().with(
        "footfall.csv",
        "timestamp,count\n2020-06-01,500\n2020-06-02,-5\n",
    );
    assert_fatal(
        &f,
        &["--strict"],
        &["footfall.csv:3:", "count", "\"-5\"", "integer ≥ 0"],
    );
}

#[test]
fn strict_accepts_a_clean_hall() {
    let f = Fixture::valid();
    let v = f.validate_json(&["--strict"]);
    assert_eq!(count(&v, "tickets", "rejected"), 0);
}

fn plan(f: &Fixture, extra: &[&str]) -> Run {
    let (hall, out) = (f.hall(), f.out());
    let mut args = vec!["plan", "--data", path_str(&hall), "--out", path_str(&out)];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn an_unknown_key_in_the_hall_scenario_file_is_fatal_and_named() {
    // scenario.toml is one of the hall folder's inputs (input.md): a typo in it makes the
    // input unusable, exit code 2.
    let f = Fixture::valid().with("scenario.toml", "demand_change = -0.2\ndemand_chnage = 1\n");
    let r = plan(&f, &[]);
    r.assert_fails(BAD_INPUT, &["scenario.toml", "demand_chnage"]);
    assert!(!f.out().exists());
}

#[test]
fn an_out_of_range_value_in_a_scenario_file_is_fatal_and_named() {
    let f = Fixture::valid();
    let s = f.write_beside("what-if.toml", "max_utilisation = 1.5\n");
    let r = plan(&f, &["--scenario", path_str(&s)]);
    r.assert_fails(BAD_INPUT, &["what-if.toml", "max_utilisation", "expected"]);
    assert!(!f.out().exists());
}

#[test]
fn an_unknown_set_key_is_a_usage_error_that_lists_the_keys() {
    let f = Fixture::valid();
    let r = plan(&f, &["--set", "demand_chnage=-0.4"]);
    r.assert_fails(
        USAGE,
        &[
            "--set demand_chnage=-0.4",
            "unknown key",
            "did you mean demand_change?",
            "max_mean_wait_min",
        ],
    );
    assert!(!f.out().exists());
}

/// Issue 13: "expected f64" named neither the key nor the form.
#[test]
fn a_set_value_of_the_wrong_kind_names_the_key_and_the_form() {
    let f = Fixture::valid();
    let r = plan(&f, &["--set", "demand_change=abc"]);
    r.assert_fails(
        USAGE,
        &[
            "--set demand_change=abc",
            "demand_change takes a number",
            "-0.4",
        ],
    );
    let r = plan(&f, &["--set", "allow_joint=maybe"]);
    r.assert_fails(USAGE, &["allow_joint takes true or false"]);
    let r = plan(&f, &["--set", "calibration=fast"]);
    r.assert_fails(
        USAGE,
        &["calibration takes", "simulation", "\"fast\" is not one"],
    );
    assert!(!f.out().exists());
}

/// Issue 13: `--set locked_windows=A01` said "expected a sequence"; a comma list is the
/// form a planner types.
#[test]
fn locked_windows_take_a_comma_list_and_an_unknown_id_is_named() {
    let f = Fixture::valid();
    let r = plan(&f, &["--set", "locked_windows=A01,A02"]);
    r.assert_success();
    let windows = f.output_csv("windows.csv");
    let col = |name: &str| windows[0].iter().position(|h| h == name).expect("column");
    let (id, action) = (col("window_id"), col("action"));
    for row in &windows[1..] {
        if row[id] == "A01" || row[id] == "A02" {
            assert_ne!(row[action], "cut", "{row:?}");
        }
    }
    let f = Fixture::valid();
    let r = plan(&f, &["--set", "locked_windows=Z99"]);
    r.assert_fails(USAGE, &["Z99"]);
}

#[test]
fn a_set_without_a_value_is_a_usage_error() {
    let f = Fixture::valid();
    let r = plan(&f, &["--set", "demand_change"]);
    r.assert_fails(USAGE, &["--set demand_change", "expected key=value"]);
    assert!(!f.out().exists());
}

#[test]
fn a_column_map_naming_a_header_the_file_lacks_is_fatal() {
    let f = Fixture::valid();
    let map = f.write_beside(
        "map.toml",
        "[tickets]\nissued_at = { from = [\"日期\", \"取号\"], format = \"%Y%m%d %H:%M:%S\" }\n",
    );
    assert_fatal(
        &f,
        &["--columns", path_str(&map)],
        &["tickets.csv:1:", "issued_at", "\"日期\"", "--columns"],
    );
}

#[test]
fn a_column_map_that_is_not_toml_is_fatal() {
    let f = Fixture::valid();
    let map = f.write_beside("map.toml", "[tickets\nissued_at = \n");
    assert_fatal(&f, &["--columns", path_str(&map)], &["map.toml", "TOML"]);
}

// ---------------------------------------------------------------------------------------
// Row-level: set aside, accounted for, written to rejected_rows.csv
// ---------------------------------------------------------------------------------------

/// Appends `row` to the clean tickets (it lands on line 10) and checks that it is the one
/// rejected row, for `reason`, in the accounting and in rejected_rows.csv.
fn assert_rejected_ticket(row: &str, column: &str, reason: &str) {
    let f = Fixture::valid().with("tickets.csv", tickets_with(row));
    let v = f.validate_json(&[]);
    assert_accounted(&v, "tickets");
    assert_eq!(count(&v, "tickets", "read"), TICKETS_ROW_COUNT + 1, "{v:#}");
    assert_eq!(count(&v, "tickets", "accepted"), TICKETS_ROW_COUNT, "{v:#}");
    assert_eq!(count(&v, "tickets", "rejected"), 1, "{v:#}");
    assert_eq!(rejected_for(&v, "tickets", reason), 1, "{v:#}");

    f.profile(&[]);
    let rows = f.output_csv("rejected_rows.csv");
    assert_eq!(
        rows.first().map(|h| h.join(",")),
        Some("file,line,column,reason,message,value".to_string())
    );
    assert_eq!(rows.len(), 2, "one rejected row: {rows:?}");
    let r = &rows[1];
    assert_eq!(r[0], "tickets.csv");
    assert_eq!(r[1], FIRST_EXTRA_LINE.to_string());
    assert_eq!(r[2], column);
    assert_eq!(r[3], reason);
    assert!(!r[4].is_empty(), "a rejected row says why: {r:?}");
}

#[test]
fn an_unparseable_issued_at_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-07-32 09:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n",
        "issued_at",
        "bad_datetime",
    );
}

#[test]
fn an_unparseable_called_at_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 09:00:00,9:05,2020-06-01 09:15:00,A01,市场监管局,M1,served\n",
        "called_at",
        "bad_datetime",
    );
}

#[test]
fn a_call_more_than_60_s_before_the_ticket_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 15:00:00,2020-06-01 14:58:59,2020-06-01 15:10:00,A01,市场监管局,M1,served\n",
        "called_at",
        "called_before_issued",
    );
}

#[test]
fn a_call_up_to_60_s_before_the_ticket_is_clamped_and_accepted() {
    let f = Fixture::valid().with(
        "tickets.csv",
        tickets_with(
            "9,2020-06-01 15:00:00,2020-06-01 14:59:00,2020-06-01 15:10:00,A01,市场监管局,M1,served\n\
             10,2020-06-01 15:00:00,2020-06-01 14:59:59,2020-06-01 15:10:00,A02,市场监管局,M1,served\n",
        ),
    );
    let v = f.validate_json(&[]);
    assert_accounted(&v, "tickets");
    assert_eq!(count(&v, "tickets", "read"), TICKETS_ROW_COUNT + 2);
    assert_eq!(count(&v, "tickets", "accepted"), TICKETS_ROW_COUNT + 2);
    assert_eq!(count(&v, "tickets", "clamped"), 2, "{v:#}");
    // The allowance is a flag.
    let v = f.validate_json(&["--clock-skew-s", "30"]);
    assert_eq!(count(&v, "tickets", "clamped"), 1, "{v:#}");
    assert_eq!(rejected_for(&v, "tickets", "called_before_issued"), 1);
}

#[test]
fn a_service_longer_than_8_h_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 09:00:00,2020-06-01 09:00:00,2020-06-01 17:00:01,A01,市场监管局,M1,served\n",
        "finished_at",
        "service_too_long",
    );
}

#[test]
fn a_service_of_exactly_8_h_is_accepted() {
    let f = Fixture::valid().with(
        "tickets.csv",
        tickets_with(
            "9,2020-06-01 09:00:00,2020-06-01 09:00:00,2020-06-01 17:00:00,A01,市场监管局,M1,served\n",
        ),
    );
    let v = f.validate_json(&[]);
    assert_eq!(
        count(&v, "tickets", "accepted"),
        TICKETS_ROW_COUNT + 1,
        "{v:#}"
    );
}

#[test]
fn a_finish_before_the_call_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 09:00:00,2020-06-01 09:30:00,2020-06-01 09:10:00,A01,市场监管局,M1,served\n",
        "finished_at",
        "finished_before_called",
    );
}

#[test]
fn a_served_ticket_without_a_call_time_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 09:00:00,,2020-06-01 09:10:00,A01,市场监管局,M1,served\n",
        "called_at",
        "missing_value",
    );
}

#[test]
fn a_duplicate_ticket_on_the_same_day_is_a_rejected_row() {
    // Ticket 1 of 2020-06-01 is on line 2; ticket 1 of 2020-06-02 (line 7) is not a duplicate.
    assert_rejected_ticket(
        "1,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,A01,市场监管局,M1,served\n",
        "ticket_id",
        "duplicate_ticket",
    );
}

#[test]
fn a_window_not_in_the_inventory_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,Z99,市场监管局,M1,served\n",
        "window_id",
        "unknown_window",
    );
}

#[test]
fn an_unknown_window_is_accepted_when_there_is_no_inventory() {
    let f = Fixture::valid()
        .without("windows.csv")
        .with(
            "tickets.csv",
            tickets_with(
                "9,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,Z99,市场监管局,M1,served\n",
            ),
        );
    let v = f.validate_json(&[]);
    assert_eq!(count(&v, "tickets", "rejected"), 0, "{v:#}");
    assert_eq!(count(&v, "tickets", "accepted"), TICKETS_ROW_COUNT + 1);
}

#[test]
fn an_unknown_status_is_a_rejected_row() {
    assert_rejected_ticket(
        "9,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,A01,市场监管局,M1,lost\n",
        "status",
        "bad_status",
    );
}

#[test]
fn a_negative_footfall_count_is_a_rejected_row() {
    let f = Fixture::valid().with(
        "footfall.csv",
        "timestamp,count\n2020-06-01,500\n2020-06-02,-5\n2020-06-03,abc\n2020-06-04,400\n",
    );
    let v = f.validate_json(&[]);
    assert_accounted(&v, "footfall");
    assert_eq!(count(&v, "footfall", "read"), 4);
    assert_eq!(count(&v, "footfall", "accepted"), 2);
    assert_eq!(rejected_for(&v, "footfall", "bad_number"), 2, "{v:#}");

    f.profile(&[]);
    let rows = f.output_csv("rejected_rows.csv");
    let lines: Vec<(&str, &str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("footfall.csv", "3", "bad_number"),
            ("footfall.csv", "4", "bad_number")
        ]
    );
}

#[test]
fn every_dirty_row_at_once_is_accounted_for_line_by_line() {
    let dirty = "\
9,2020-07-32 09:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n\
10,2020-06-01 15:00:00,2020-06-01 13:00:00,2020-06-01 15:10:00,A01,市场监管局,M1,served\n\
11,2020-06-01 15:00:00,2020-06-01 14:59:30,2020-06-01 15:10:00,A01,市场监管局,M1,served\n\
12,2020-06-01 09:00:00,2020-06-01 09:00:00,2020-06-01 18:00:00,A01,市场监管局,M1,served\n\
1,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,A01,市场监管局,M1,served\n\
13,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,Z99,市场监管局,M1,served\n\
14,2020-06-01 15:00:00,2020-06-01 15:01:00,2020-06-01 15:10:00,A01,市场监管局,M1,lost\n";
    let f = Fixture::valid().with("tickets.csv", tickets_with(dirty));
    let v = f.validate_json(&[]);
    assert_accounted(&v, "tickets");
    assert_eq!(count(&v, "tickets", "read"), TICKETS_ROW_COUNT + 7);
    assert_eq!(count(&v, "tickets", "accepted"), TICKETS_ROW_COUNT + 1);
    assert_eq!(count(&v, "tickets", "rejected"), 6);
    assert_eq!(count(&v, "tickets", "clamped"), 1);

    f.profile(&[]);
    let rows = f.output_csv("rejected_rows.csv");
    let got: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[1].clone(), r[3].clone()))
        .collect();
    let l = |k: u64| (FIRST_EXTRA_LINE + k).to_string();
    assert_eq!(
        got,
        vec![
            (l(0), "bad_datetime".to_string()),
            (l(1), "called_before_issued".to_string()),
            (l(3), "service_too_long".to_string()),
            (l(4), "duplicate_ticket".to_string()),
            (l(5), "unknown_window".to_string()),
            (l(6), "bad_status".to_string()),
        ]
    );
}

#[test]
fn rejected_rows_of_a_file_with_classic_mac_line_ends_name_their_own_line() {
    // Excel's "CSV (Macintosh)" ends lines with CR alone; the row on line 3 is line 3.
    let tickets = tickets_with(
        "9,2020-07-32 09:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n",
    )
    .replace('\n', "\r");
    let f = Fixture::valid().with("tickets.csv", tickets);
    let v = f.validate_json(&[]);
    assert_eq!(count(&v, "tickets", "read"), TICKETS_ROW_COUNT + 1, "{v:#}");
    f.profile(&[]);
    let rows = f.output_csv("rejected_rows.csv");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][1], FIRST_EXTRA_LINE.to_string(), "{rows:?}");
}

#[test]
fn a_no_show_finished_a_century_after_its_call_is_set_aside() {
    // "Service longer than max_service_min" is a rejected row whatever the status: a finish
    // time a century away is not data, and left in, it makes `profile` count staffed
    // windows hour by hour across the century (seconds of work and gigabytes for 1900–2999).
    let f = Fixture::valid().with(
        "tickets.csv",
        tickets_with(
            "9,2020-06-01 09:00:00,2020-06-01 09:05:00,2120-06-01 09:10:00,A01,市场监管局,M1,no_show\n",
        ),
    );
    let v = f.validate_json(&[]);
    assert_accounted(&v, "tickets");
    assert_eq!(count(&v, "tickets", "rejected"), 1, "{v:#}");
    assert_eq!(count(&v, "tickets", "accepted"), TICKETS_ROW_COUNT);
}

#[test]
fn a_rejected_row_after_blank_lines_names_its_own_line() {
    // Blank lines are skipped, not rows, but they still count as lines: the bad row
    // below is on line 12 of the file.
    let f = Fixture::valid().with(
        "tickets.csv",
        tickets_with(
            "\n\n9,2020-07-32 09:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n",
        ),
    );
    let v = f.validate_json(&[]);
    assert_eq!(count(&v, "tickets", "read"), TICKETS_ROW_COUNT + 1, "{v:#}");
    f.profile(&[]);
    let rows = f.output_csv("rejected_rows.csv");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][1], (FIRST_EXTRA_LINE + 2).to_string(), "{rows:?}");
}

/// `--demand-change` is one knob in every mode (a trace grows or thins the log to it), so
/// the configuration stage checks it once: −1 or less leaves no demand at all.
#[test]
fn a_demand_change_of_minus_one_is_a_usage_error() {
    let f = Fixture::valid();
    let (hall, out) = (f.hall(), f.out());
    let r = run(&[
        "simulate",
        "--data",
        path_str(&hall),
        "--out",
        path_str(&out),
        "--demand-change",
        "-1",
    ]);
    r.assert_fails(USAGE, &["--demand-change", "above -1"]);
    assert!(!f.out().exists());
}
