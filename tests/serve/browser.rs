//! The page in headless Chromium over WebDriver: move the demand slider, lock a window,
//! set a budget; the tables must show what the API answers for the page's own request,
//! and Chinese must be drawn by the page's embedded font (this machine has no CJK font,
//! so a missing glyph would be a box). Screenshots go to target/serve-screenshots/.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::http::{sample, Server};
use super::webdriver::{chromedriver, Browser};
use crate::util;

fn shots() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/serve-screenshots");
    std::fs::create_dir_all(&d).expect("creates the screenshot folder");
    d
}

/// Until the page has answered the scenario it sent last.
const SETTLED: &str =
    "window.hallplan.ready && document.querySelector('#status').textContent.includes('answered')";

#[test]
fn the_page_re_plans_as_the_planner_moves_the_knobs_and_shows_the_api_s_numbers() {
    let Some(driver) = chromedriver() else {
        if std::env::var("HALLPLAN_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty()) {
            panic!("HALLPLAN_REQUIRE_BROWSER is set but chromedriver is not installed (apt-get install chromium chromium-driver)");
        }
        eprintln!("SKIPPED the browser test: no chromedriver (apt-get install chromium chromium-driver; CI sets HALLPLAN_REQUIRE_BROWSER so it never skips)");
        return;
    };
    let server = Server::start(&["--data", util::path_str(&sample())]);
    let b = Browser::start(&driver);
    b.goto(&server.url());
    b.wait_for(SETTLED, "the first plan");
    b.wait_for("window.hallplan.frontier", "the frontier");
    b.screenshot(&shots().join("1-start.png"));

    // The demand slider, moved with the keyboard as a user would: 4 steps of 5 % down.
    b.keys("#knob-demand_change", &"\u{E012}".repeat(4));
    b.wait_for(
        &format!("{SETTLED} && window.hallplan.result.A.plan && window.hallplan.result.A.plan.policy.demand_change === -0.2"),
        "the plan at −20 % demand",
    );
    assert_eq!(
        b.js(
            "return document.querySelector('#out-demand_change').textContent",
            json!([])
        ),
        "-20 %"
    );

    // Lock a window the plan cuts: it must stay.
    let id = b.js(
        "return document.querySelector('#grid .win.cut:not(.fixed)').dataset.window",
        json!([]),
    );
    let id = id.as_str().expect("a cut window").to_string();
    b.click(&format!("#grid .win[data-window='{id}']"));
    b.wait_for(
        &format!("{SETTLED} && window.hallplan.result.A.plan && window.hallplan.result.A.plan.policy.locked_windows.includes('{id}')"),
        "the plan with the window locked",
    );
    let action = b.js(
        "return window.hallplan.result.A.plan.windows.find(w => w.window_id === arguments[0]).action",
        json!([id]),
    );
    assert_ne!(action, "cut", "{id} was locked but cut");
    b.screenshot(&shots().join("2-demand-and-lock.png"));

    // A budget: three windows above the fewest.
    let fewest = b.js(
        "return window.hallplan.result.A.plan.windows_after",
        json!([]),
    );
    let fewest = fewest.as_u64().expect("a count");
    b.click("#budget-on");
    b.keys("#budget", &"\u{E014}".repeat(3));
    b.wait_for(
        &format!("{SETTLED} && window.hallplan.result.A.plan && window.hallplan.scen.A.budget === {} && window.hallplan.result.A.plan.objective.startsWith('least waiting with at most')", fewest + 3),
        "the plan within the budget",
    );
    b.wait_for(
        "window.hallplan.frontier && window.hallplan.frontier.data",
        "the frontier",
    );
    b.screenshot(&shots().join("3-budget.png"));

    // The page's request, asked of the API directly: the tables show its numbers.
    let body = b.js("return body('A')", json!([]));
    let body = body.as_str().expect("the request body").to_string();
    let sent: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(sent["set"]["demand_change"], json!(-0.2));
    assert_eq!(sent["locked"], json!([id]));
    assert_eq!(sent["max_windows"], json!(fewest + 3));
    let api = server.post("/api/plan", &body);
    assert_eq!(api.status, 200, "{}", api.text());
    let plan = api.json();
    // (JavaScript numbers lose the integer/float distinction, so compare field by field.)
    let page_plan = b.js("return window.hallplan.result.A.plan", json!([]));
    assert_eq!(page_plan["windows_after"], plan["windows_after"]);
    assert_eq!(
        page_plan["waiting_person_min_per_day"].as_f64(),
        plan["waiting_person_min_per_day"].as_f64()
    );
    let actions = |p: &Value| -> Vec<(Value, Value)> {
        p["windows"]
            .as_array()
            .expect("windows")
            .iter()
            .map(|w| (w["window_id"].clone(), w["action"].clone()))
            .collect()
    };
    assert_eq!(
        actions(&page_plan),
        actions(&plan),
        "the page holds another plan than the API's"
    );
    let headline = b.js(
        "return document.querySelector('#windows-after').textContent",
        json!([]),
    );
    assert_eq!(
        headline,
        json!(format!(
            "{} → {}",
            plan["windows_before"], plan["windows_after"]
        ))
    );
    let rows = b.js(
        "return [...document.querySelectorAll('#departments tr[data-department]')].map(r => [...r.cells].map(c => c.textContent))",
        json!([]),
    );
    let rows = rows.as_array().expect("rows");
    let departments = plan["departments"].as_array().expect("departments");
    assert_eq!(rows.len(), departments.len());
    let replay = server.post("/api/replay", &body).json();
    for (row, d) in rows.iter().zip(departments) {
        let name = d["department"].as_str().expect("a name");
        assert_eq!(row[0], json!(name));
        assert_eq!(
            row[1],
            json!(format!("{} → {}", d["windows_before"], d["windows_after"])),
            "{name}"
        );
        let one = |v: &Value| v.as_f64().map_or("–".to_string(), |x| format!("{x:.1}"));
        assert_eq!(row[4], json!(one(&d["target_mean_min"])), "{name} target");
        assert_eq!(
            row[5],
            json!(one(&d["after_mean_min"])),
            "{name} model after"
        );
        assert_eq!(row[6], json!(one(&replay[name])), "{name} replay after");
    }

    // Chinese is drawn by the embedded font: the face loaded, and DevTools says every
    // glyph of a department's name came from it, none from a system fallback.
    b.wait_for(
        "[...document.fonts].some(f => f.family.includes('hallplan-embedded-cjk') && f.status === 'loaded')",
        "the embedded CJK font",
    );
    let root = b.cdp("DOM.getDocument", json!({"depth": 0}));
    let node = b.cdp(
        "DOM.querySelector",
        json!({"nodeId": root["root"]["nodeId"], "selector": "#departments tr[data-department] td"}),
    );
    b.cdp("CSS.enable", json!({}));
    let fonts = b.cdp(
        "CSS.getPlatformFontsForNode",
        json!({"nodeId": node["nodeId"]}),
    );
    let fonts = fonts["fonts"].as_array().expect("fonts").clone();
    let name = departments[0]["department"].as_str().expect("a name");
    let glyphs: u64 = fonts.iter().filter_map(|f| f["glyphCount"].as_u64()).sum();
    assert_eq!(glyphs, name.chars().count() as u64, "{fonts:?}");
    assert!(
        fonts.iter().all(|f| f["isCustomFont"] == json!(true)),
        "{name} drawn (partly) by a system font: {fonts:?}"
    );

    // Scenario B beside A.
    b.click("#copy-ab");
    b.wait_for(
        &format!("{SETTLED} && window.hallplan.result.B && window.hallplan.result.B.plan"),
        "scenario B",
    );
    b.keys("#knob-demand_change", &"\u{E012}".repeat(4));
    b.wait_for(
        &format!("{SETTLED} && window.hallplan.result.B.plan && window.hallplan.result.B.plan.policy.demand_change === -0.4"),
        "scenario B at −40 %",
    );
    let compare = b.js(
        "return document.querySelector('#compare').textContent",
        json!([]),
    );
    assert!(
        compare
            .as_str()
            .is_some_and(|t| t.contains("demand_change=-0.4") && t.contains("demand_change=-0.2")),
        "{compare}"
    );
    b.js(
        "document.querySelector('#compare').scrollIntoView()",
        json!([]),
    );
    b.screenshot(&shots().join("4-a-b.png"));

    // An impossible budget is explained in words.
    b.js("const i = document.querySelector('#budget'); i.value = 5; i.dispatchEvent(new Event('input'));", json!([]));
    b.wait_for(
        "!document.querySelector('#message').hidden",
        "the infeasible message",
    );
    let msg = b.js(
        "return document.querySelector('#message').textContent",
        json!([]),
    );
    assert!(
        msg.as_str()
            .is_some_and(|t| t.contains("No plan meets every target")),
        "{msg}"
    );
    b.js("window.scrollTo(0, 0)", json!([]));
    b.screenshot(&shots().join("5-infeasible.png"));
}
