//! The API: the same bytes as `plan`, 400s naming the field, bounded bodies, the time
//! limit, concurrency and Ctrl-C.

use std::sync::Arc;

use super::http::{sample, Server};
use crate::util;

/// `plan --set … --max-windows … --out DIR` on `data`, and the bytes of `file`.
fn plan_file(data: &std::path::Path, args: &[&str], file: &str) -> Vec<u8> {
    let out = tempfile::tempdir().expect("a temporary folder");
    let dir = out.path().join("plan");
    let mut full = vec![
        "plan",
        "--data",
        util::path_str(data),
        "--out",
        util::path_str(&dir),
    ];
    full.extend_from_slice(args);
    util::run(&full).assert_success();
    std::fs::read(dir.join(file)).expect("plan wrote the file")
}

#[test]
fn a_request_s_plan_json_xlsx_and_report_are_the_bytes_plan_writes() {
    let hall = sample();
    let server = Server::start(&["--data", util::path_str(&hall)]);
    let body = r#"{"set": {"demand_change": -0.2}, "max_windows": 60, "locked": ["A01"]}"#;
    let args = [
        "--set",
        "demand_change=-0.2",
        "--set",
        "locked_windows=A01",
        "--max-windows",
        "60",
    ];
    let reply = server.post("/api/plan", body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply.headers.contains("application/json"),
        "{}",
        reply.headers
    );
    assert_eq!(
        reply.text(),
        String::from_utf8(plan_file(&hall, &args, "plan.json")).expect("UTF-8"),
        "POST /api/plan differs from plan's plan.json"
    );
    for file in ["plan.xlsx", "report.html"] {
        let dl = server.post(&format!("/api/files/{file}"), body);
        assert_eq!(dl.status, 200, "{file}: {}", dl.text());
        assert!(
            dl.headers.contains(&format!("filename=\"{file}\"")),
            "{}",
            dl.headers
        );
        assert!(
            dl.body == plan_file(&hall, &args, file),
            "{file} from the page differs from plan's"
        );
    }
    // The default request is `plan` with no flags (the fewest windows).
    let default = server.post("/api/plan", "{}");
    assert_eq!(default.body, plan_file(&hall, &[], "plan.json"));
    // The hall at a glance keeps its Chinese names.
    let h = server.get("/api/hall").json();
    assert_eq!(h["windows"].as_array().map(Vec::len), Some(93));
    assert_eq!(h["departments"][0]["department"], "市场监管局");
    assert!(h["departments"][0]["replay_mean_min"].as_f64().is_some());
}

#[test]
fn answers_built_on_an_earlier_request_s_work_are_the_bytes_plan_writes() {
    // The server keeps each setting's preparation (another budget reuses it whole), each
    // pool's capacity curve (another locked window or demand level reuses them), today's
    // slots and backtest (another demand level reuses them), stage 1, the tangent curves
    // and the local search: what it answers from them must still be `plan`'s bytes.
    let hall = sample();
    let server = Server::start(&["--data", util::path_str(&hall)]);
    let cases: [(&str, &[&str]); 6] = [
        (r#"{"max_windows": 58}"#, &["--max-windows", "58"]),
        (r#"{"max_windows": 53}"#, &["--max-windows", "53"]),
        (r#"{"locked": ["A01"]}"#, &["--set", "locked_windows=A01"]),
        (
            r#"{"locked": ["A01"], "max_windows": 60}"#,
            &["--set", "locked_windows=A01", "--max-windows", "60"],
        ),
        (
            r#"{"set": {"demand_change": -0.25}}"#,
            &["--set", "demand_change=-0.25"],
        ),
        (
            r#"{"set": {"demand_change": -0.35}}"#,
            &["--set", "demand_change=-0.35"],
        ),
    ];
    for (body, args) in cases {
        let reply = server.post("/api/plan", body);
        assert_eq!(reply.status, 200, "{body}: {}", reply.text());
        assert_eq!(
            reply.text(),
            String::from_utf8(plan_file(&hall, args, "plan.json")).expect("UTF-8"),
            "POST /api/plan {body} differs from plan's plan.json"
        );
    }
}

#[test]
fn a_reformed_hall_that_hallplan_did_not_make_plans_the_same_through_the_page() {
    // data/binjiang-after: the real centre's layout after its reform (9 departments with
    // windows out of 21), not made by hallplan's generator.
    // Its catalogue is the sample's (as in tests/reform_hall.rs).
    let hall = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/binjiang-after");
    let matters = sample().join("matters.csv");
    let server = Server::start(&[
        "--data",
        util::path_str(&hall),
        "--matters",
        util::path_str(&matters),
        "--time-limit-s",
        "900",
    ]);
    let body = r#"{"set": {"demand_change": 0.1, "allow_joint": false}}"#;
    let reply = server.post("/api/plan", body);
    let args = [
        "--matters",
        util::path_str(&matters),
        "--set",
        "demand_change=0.1",
        "--set",
        "allow_joint=false",
    ];
    let expected = plan_file(&hall, &args, "plan.json");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.body == expected, "differs from plan's plan.json");
}

#[test]
fn bad_requests_are_400s_that_name_the_field_and_the_hall_is_unchanged() {
    let server = Server::start(&["--data", util::path_str(&sample())]);
    let hall_before = server.get("/api/hall").body;
    let cases: [(&str, u16, &str, &str); 9] = [
        ("{not json", 400, "body", "not JSON"),
        (r#"{"sett": {}}"#, 400, "sett", "unknown field \"sett\""),
        (
            r#"{"set": {"demand_chnage": -0.2}}"#,
            400,
            "set.demand_chnage",
            "did you mean demand_change",
        ),
        (
            r#"{"set": {"demand_change": -1.5}}"#,
            400,
            "set.demand_change",
            "above −1",
        ),
        (
            r#"{"set": {"online_adoption": "lots"}}"#,
            400,
            "set.online_adoption",
            "takes a number",
        ),
        (
            r#"{"set": {"wait_floor_min": null}}"#,
            400,
            "set.wait_floor_min",
            "null is not a value",
        ),
        (
            r#"{"set": {"tangent_points": 100000}}"#,
            400,
            "set.tangent_points",
            "2 to 64",
        ),
        (r#"{"locked": ["Z99"]}"#, 400, "locked", "no window \"Z99\""),
        (r#"{"max_windows": -3}"#, 400, "max_windows", "whole number"),
    ];
    for (body, status, field, needle) in cases {
        let r = server.post("/api/plan", body);
        assert_eq!(r.status, status, "{body}: {}", r.text());
        let v = r.json();
        assert_eq!(v["field"], field, "{body}: {v}");
        let msg = v["error"].as_str().unwrap_or_default();
        assert!(msg.contains(needle), "{body}: {msg}");
    }
    // A budget no plan can meet: 422, explained in words.
    let r = server.post("/api/plan", r#"{"max_windows": 10}"#);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.json()["error"]
        .as_str()
        .unwrap_or_default()
        .contains("raise --max-windows"));
    // Bodies are bounded, routes fixed, methods checked.
    let big = format!(r#"{{"locked": ["{}"]}}"#, "A".repeat(70 * 1024));
    assert_eq!(server.post("/api/plan", &big).status, 413);
    assert_eq!(server.get("/api/plan").status, 405);
    assert_eq!(server.get("/../../etc/passwd").status, 404);
    assert_eq!(server.get("/api/files/plan.json").status, 404);
    assert_eq!(server.post("/api/files/..%2Fsecret", "{}").status, 404);
    let r = server.get("/api/frontier?demand_change=abc");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["field"], "demand_change");
    assert_eq!(server.get("/api/hall").body, hall_before);
}

#[test]
fn a_hundred_concurrent_requests_neither_crash_nor_corrupt_the_cached_hall() {
    let server = Arc::new(Server::start(&["--data", util::path_str(&sample())]));
    let hall_before = server.get("/api/hall").body;
    let bodies = [
        r#"{}"#,
        r#"{"set": {"demand_change": -0.3}}"#,
        r#"{"set": {"demand_change": -0.3}, "max_windows": 70}"#,
        r#"{"locked": ["A03", "B01"]}"#,
    ];
    let threads: Vec<_> = (0..100)
        .map(|i| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                if i % 10 == 9 {
                    (usize::MAX, server.get("/api/hall"))
                } else {
                    (i % 4, server.post("/api/plan", bodies[i % 4]))
                }
            })
        })
        .collect();
    let mut answers: Vec<Option<Vec<u8>>> = vec![None; bodies.len()];
    for t in threads {
        let (which, r) = t.join().expect("a client thread");
        if which == usize::MAX {
            assert_eq!(r.status, 200);
            assert_eq!(r.body, hall_before, "the hall changed under load");
            continue;
        }
        assert!(
            r.status == 200 || r.status == 503,
            "{}: {} {}",
            bodies[which],
            r.status,
            r.text()
        );
        if r.status == 200 {
            match &answers[which] {
                Some(a) => assert!(*a == r.body, "two answers to {}", bodies[which]),
                None => answers[which] = Some(r.body),
            }
        }
    }
    // Afterwards every request answers, with what the burst answered.
    for (i, b) in bodies.iter().enumerate() {
        let r = server.post("/api/plan", b);
        assert_eq!(r.status, 200, "{b}: {}", r.text());
        if let Some(a) = &answers[i] {
            assert!(*a == r.body, "{b} answered differently after the burst");
        }
    }
    assert_eq!(server.get("/api/hall").body, hall_before);
}

#[test]
fn a_request_past_the_time_limit_gets_a_504_and_ctrl_c_stops_the_server() {
    let server = Server::start(&[
        "--data",
        util::path_str(&sample()),
        "--time-limit-s",
        "0.001",
        "--bind",
        "0.0.0.0",
    ]);
    // Today's scenario is planned at start-up and answers at once; a new one cannot
    // be planned in a millisecond.
    assert_eq!(server.post("/api/plan", "{}").status, 200);
    let r = server.post("/api/plan", r#"{"set": {"demand_change": -0.15}}"#);
    assert_eq!(r.status, 504, "{}", r.text());
    assert!(r.json()["error"]
        .as_str()
        .unwrap_or_default()
        .contains("time limit"));
    let (status, stderr) = server.interrupt();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("not a loopback address"), "{stderr}");
    assert!(stderr.trim_end().ends_with("stopped"), "{stderr}");
}
