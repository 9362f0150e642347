//! The routes: the page and its assets, `GET /api/hall`, `POST /api/plan`,
//! `POST /api/replay`, `GET /api/frontier?key=value…`, `POST /api/files/NAME`.
//! Errors are JSON `{"error": "…", "field": "…"}` with 400 (bad input), 404, 405, 413
//! (body too large), 422 (no plan meets the targets: the message says why), 503 (busy)
//! or 504 (past the time limit).

use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::cache::{Cache, Lookup};
use super::{page, Permits};
use crate::config::{apply_set, ServeConfig};
use crate::error::Error;
use crate::ingest::Loaded;
use crate::model::Policy;
use crate::optimise::milp::{RunOptions, Solver};
use crate::plan::Objective;
use crate::planner::{self, PlanConfig, PlanRun};

/// The largest request body read (a request names a few knobs and window ids).
pub const MAX_BODY: usize = 64 * 1024;
/// Answers kept per kind (a plan of the sample holds a few hundred kB).
const CACHED: usize = 64;
/// Answers being computed at once, running or waiting for a CPU; beyond it, 503.
const IN_FLIGHT: usize = 8;

/// An answer that is not a 200.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub field: Option<String>,
    pub message: String,
}

impl ApiError {
    fn bad(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    fn status(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            field: None,
            message: message.into(),
        }
    }

    /// A planner error: no plan meets the targets (422, in the planner's words), or a
    /// failure (500).
    fn planning(e: Error) -> Self {
        match e {
            Error::Infeasible(m) => ApiError::status(422, m),
            Error::Config { what, message } => ApiError::bad("set", format!("{what}: {message}")),
            other => ApiError::status(500, other.to_string()),
        }
    }

    fn body(&self) -> Vec<u8> {
        let mut v = json!({ "error": self.message });
        if let Some(f) = &self.field {
            v["field"] = json!(f);
        }
        v.to_string().into_bytes()
    }
}

type Answer<T> = std::result::Result<T, ApiError>;

/// A plan with the figures the page shows beside it.
pub struct Planned {
    pub run: PlanRun,
    /// plan.json, byte for byte as `plan` writes it.
    pub json: String,
    /// Mean wait per department when the hall's tickets are replayed through the plan.
    pub replay: Value,
}

/// The loaded hall and everything that does not change with a request.
pub struct State {
    pub loaded: Loaded,
    base: Policy,
    scenario: Option<std::path::PathBuf>,
    solver: Solver,
    run: RunOptions,
    time_limit: Duration,
    window_ids: Vec<String>,
    hall_json: String,
    font_css: String,
    plans: Cache<Answer<Arc<Planned>>>,
    frontiers: Cache<Answer<Arc<String>>>,
    permits: Permits,
    /// What planning this hall again reuses: preparations by policy (another budget),
    /// capacity curves by pool profile and targets (another locked window).
    cache: crate::optimise::HallCache,
}

/// An example body for the messages.
const EXAMPLE: &str = r#"{"set": {"demand_change": -0.2}, "max_windows": 60, "locked": ["A01"]}"#;

/// `POST /api/plan`'s body: `set` (knobs, as `--set key=value`), `max_windows` (least
/// waiting within that many windows; absent or null: the fewest windows) and `locked`
/// (windows never cut, added to `locked_windows`). Read field by field so that every
/// mistake names its field.
#[derive(Debug, Default, PartialEq)]
pub struct PlanRequest {
    pub set: Vec<(String, String)>,
    pub max_windows: Option<u32>,
    pub locked: Vec<String>,
}

impl PlanRequest {
    pub fn parse(body: &[u8]) -> Answer<PlanRequest> {
        let mut req = PlanRequest::default();
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(req);
        }
        let v: Value = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad(
                "body",
                format!("the body is not JSON: {e} (expected e.g. {EXAMPLE})"),
            )
        })?;
        let Value::Object(fields) = v else {
            return Err(ApiError::bad(
                "body",
                format!("the body is not a JSON object (expected e.g. {EXAMPLE})"),
            ));
        };
        for (k, v) in fields {
            match k.as_str() {
                "set" => {
                    let Value::Object(knobs) = v else {
                        return Err(ApiError::bad("set", "set: expected an object of knobs, e.g. {\"demand_change\": -0.2}"));
                    };
                    for (key, value) in &knobs {
                        req.set.push((key.clone(), knob_text(key, value)?));
                    }
                }
                "max_windows" => {
                    req.max_windows = match &v {
                        Value::Null => None,
                        n => Some(n.as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                            ApiError::bad("max_windows", format!("max_windows: expected a whole number of windows, e.g. 60, not {n}"))
                        })?),
                    }
                }
                "locked" => {
                    let ids = v.as_array().and_then(|a| {
                        a.iter().map(|x| x.as_str().map(str::to_string)).collect::<Option<Vec<_>>>()
                    });
                    req.locked = ids.ok_or_else(|| {
                        ApiError::bad("locked", format!("locked: expected a list of window ids, e.g. [\"A01\"], not {v}"))
                    })?;
                }
                other => {
                    return Err(ApiError::bad(
                        other,
                        format!("unknown field \"{other}\" (the fields are set, max_windows, locked; e.g. {EXAMPLE})"),
                    ))
                }
            }
        }
        Ok(req)
    }
}

impl State {
    pub fn new(loaded: Loaded, c: &ServeConfig) -> crate::error::Result<State> {
        let window_ids = loaded.hall.windows.iter().map(|w| w.id.clone()).collect();
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut state = State {
            loaded,
            base: c.policy.clone(),
            scenario: c.scenario.clone(),
            solver: c.solver,
            run: c.run,
            time_limit: c.time_limit,
            window_ids,
            hall_json: String::new(),
            font_css: String::new(),
            plans: Cache::new(CACHED, IN_FLIGHT),
            frontiers: Cache::new(CACHED, IN_FLIGHT),
            permits: Permits::new(cores.min(4)),
            cache: crate::optimise::HallCache::new(),
        };
        let today = state.compute_plan(state.base.clone(), Objective::FewestWindows);
        let name = c
            .input
            .data
            .dir
            .as_ref()
            .and_then(|d| d.file_name())
            .map_or_else(|| "hall".to_string(), |n| n.to_string_lossy().into_owned());
        state.hall_json = page::hall_json(&state.loaded, &name, &state.base, today.as_ref().ok())?;
        state.font_css = page::font_css(&state.loaded);
        // The default plan answers the page's first request at once.
        if let Lookup::Start(slot) = state.plans.get(&plan_key(&state.base, None)) {
            slot.fill(today.map(Arc::new));
            state.plans.done();
        }
        Ok(state)
    }

    /// The policy of a request: the scenario, then each knob as `--set key=value`.
    fn policy(
        &self,
        sets: impl IntoIterator<Item = (String, String)>,
        locked: &[String],
        field: &str,
    ) -> Answer<Policy> {
        let mut p = self.base.clone();
        for (k, v) in sets {
            apply_set(&mut p, &format!("{k}={v}")).map_err(|e| {
                let message = match e {
                    Error::Config { message, .. } => message,
                    other => other.to_string(),
                };
                ApiError::bad(
                    format!("{field}{k}"),
                    format!("{field}{k} = {v}: {message}"),
                )
            })?;
        }
        if let Some(id) = p
            .locked_windows
            .iter()
            .chain(locked)
            .find(|id| !self.window_ids.contains(id))
        {
            {
                return Err(ApiError::bad(
                    "locked",
                    format!("locked: this hall has no window \"{id}\""),
                ));
            }
        }
        Ok(p)
    }

    fn plan_request(&self, body: &[u8]) -> Answer<(Policy, Option<u32>)> {
        let req = PlanRequest::parse(body)?;
        let mut p = self.policy(req.set, &req.locked, "set.")?;
        for id in req.locked {
            if !p.locked_windows.contains(&id) {
                p.locked_windows.push(id);
            }
        }
        Ok((p, req.max_windows))
    }

    fn config(&self, policy: Policy, objective: Objective) -> PlanConfig {
        PlanConfig {
            policy,
            objective,
            solver: self.solver,
            run: self.run,
            scenario: self.scenario.clone(),
        }
    }

    fn compute_plan(&self, policy: Policy, objective: Objective) -> Answer<Planned> {
        let seed = policy.seed;
        let run = planner::plan_with(
            &self.loaded.hall,
            &self.config(policy, objective),
            &self.cache,
        )
        .map_err(ApiError::planning)?;
        // Stated targets carry the replay's figures in plan.json, as `plan` writes them.
        let run = if run.plan.targets.is_empty() {
            run
        } else {
            crate::commands::plan::replayed(&self.loaded, &run)
                .map_err(|e| ApiError::status(500, e.to_string()))?
                .0
        };
        let json = crate::commands::plan::plan_json(&run.plan)
            .map_err(|e| ApiError::status(500, e.to_string()))?;
        let replay = if self.loaded.hall.tickets.is_empty() {
            Value::Null
        } else {
            let sim = crate::simulate::trace::replay(&self.loaded.hall, Some(&run.plan), seed)
                .map_err(|e| ApiError::status(500, e.to_string()))?;
            page::replay_json(&sim)
        };
        Ok(Planned { run, json, replay })
    }

    fn compute_frontier(&self, policy: Policy) -> Answer<String> {
        let f = planner::frontier(
            &self.loaded.hall,
            &self.config(policy, Objective::FewestWindows),
        )
        .map_err(ApiError::planning)?;
        let points: Vec<Value> = f
            .points
            .iter()
            .map(|p| {
                json!({
                    "max_windows": p.max_windows,
                    "windows": p.windows,
                    "waiting_person_min_per_day": p.waiting_person_min_per_day,
                    "mean_wait_min": p.mean_wait_min,
                    "staff_short": p.staff_short,
                })
            })
            .collect();
        Ok(json!({
            "windows_today": f.best.plan.windows_before,
            "fewest_windows": f.best.plan.windows_after,
            "points": points,
        })
        .to_string())
    }
}

/// A knob's JSON value as the text `--set` reads.
fn knob_text(key: &str, v: &Value) -> Answer<String> {
    let item = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(ApiError::bad(
            format!("set.{key}"),
            format!(
                "set.{key}: expected a number, true/false, a string or a list of strings, not {v}"
            ),
        )),
    };
    match v {
        Value::Array(items) => Ok(items
            .iter()
            .map(item)
            .collect::<Answer<Vec<_>>>()?
            .join(",")),
        Value::Null => Err(ApiError::bad(
            format!("set.{key}"),
            format!("set.{key}: null is not a value (leave the key out to keep the scenario's)"),
        )),
        other => item(other),
    }
}

/// What makes two requests the same question: the resolved policy and the objective.
fn plan_key(p: &Policy, max_windows: Option<u32>) -> String {
    format!(
        "{}|{max_windows:?}",
        serde_json::to_string(p).unwrap_or_default()
    )
}

/// The answer for `key`: cached, being computed by another request, or computed now on
/// a worker thread; waited for until the state's time limit.
fn answer<V: Clone + Send + 'static>(
    state: &Arc<State>,
    cache: fn(&State) -> &Cache<Answer<V>>,
    key: &str,
    work: impl FnOnce(&State) -> Answer<V> + Send + 'static,
) -> Answer<V> {
    let deadline = Instant::now() + state.time_limit;
    let slot = match cache(state).get(key) {
        Lookup::Existing(slot) => slot,
        Lookup::Busy => {
            return Err(ApiError::status(
                503,
                format!(
                    "busy: {IN_FLIGHT} other scenarios are being planned; try again in a moment"
                ),
            ))
        }
        Lookup::Start(slot) => {
            let (st, filled) = (Arc::clone(state), Arc::clone(&slot));
            std::thread::spawn(move || {
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    st.permits.with(|| work(&st))
                }))
                .unwrap_or_else(|_| {
                    Err(ApiError::status(
                        500,
                        "the planner failed on this scenario (a bug: the server's log has the details)",
                    ))
                });
                filled.fill(out);
                cache(&st).done();
            });
            slot
        }
    };
    slot.wait(deadline).unwrap_or_else(|| {
        Err(ApiError::status(
            504,
            format!("this scenario took longer than the time limit ({:.0} s); it goes on planning in the background, so asking again shortly may answer at once", state.time_limit.as_secs_f64()),
        ))
    })
}

fn planned(state: &Arc<State>, body: &[u8]) -> Answer<Arc<Planned>> {
    let (policy, max_windows) = state.plan_request(body)?;
    let objective = match max_windows {
        Some(n) => Objective::LeastWaiting { max_windows: n },
        None => Objective::FewestWindows,
    };
    let key = plan_key(&policy, max_windows);
    answer(
        state,
        |s| &s.plans,
        &key,
        move |s| s.compute_plan(policy, objective).map(Arc::new),
    )
}

fn frontier(state: &Arc<State>, query: &str) -> Answer<Arc<String>> {
    let pairs =
        form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()));
    let policy = state.policy(pairs, &[], "")?;
    let key = plan_key(&policy, None);
    answer(
        state,
        |s| &s.frontiers,
        &key,
        move |s| s.compute_frontier(policy).map(Arc::new),
    )
}

/// The files `plan` writes that the page offers for download.
const FILES: [(&str, &str); 3] = [
    ("plan.json", "application/json"),
    (
        "plan.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("report.html", "text/html; charset=utf-8"),
];

fn file(state: &Arc<State>, name: &str, body: &[u8]) -> Answer<Vec<u8>> {
    let p = planned(state, body)?;
    if name == "plan.json" {
        return Ok(p.json.clone().into_bytes());
    }
    let bundle = state
        .permits
        .with(|| crate::commands::plan::files(&state.loaded, &p.run))
        .map_err(|e| ApiError::status(500, e.to_string()))?;
    bundle
        .files
        .get(name)
        .cloned()
        .ok_or_else(|| ApiError::status(500, format!("{name} missing from the plan's files")))
}

/// A response: status, content type, body, extra headers.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    download: Option<String>,
}

impl Reply {
    fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: 200,
            content_type,
            body: body.into(),
            download: None,
        }
    }

    fn json(a: Answer<Vec<u8>>) -> Self {
        match a {
            Ok(b) => Reply::ok("application/json", b),
            Err(e) => Reply::error(&e),
        }
    }

    fn error(e: &ApiError) -> Self {
        Reply {
            status: e.status,
            content_type: "application/json",
            body: e.body(),
            download: None,
        }
    }
}

/// Reads at most `MAX_BODY` bytes; more is a 413.
fn read_body(request: &mut tiny_http::Request) -> Answer<Vec<u8>> {
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(ApiError::status(
            413,
            format!("the body is larger than {} kB", MAX_BODY / 1024),
        ));
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| ApiError::status(400, format!("cannot read the body: {e}")))?;
    if body.len() > MAX_BODY {
        return Err(ApiError::status(
            413,
            format!("the body is larger than {} kB", MAX_BODY / 1024),
        ));
    }
    Ok(body)
}

/// Answers one request.
pub fn handle(state: &Arc<State>, mut request: tiny_http::Request) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let post = *request.method() == tiny_http::Method::Post;
    let get = matches!(
        request.method(),
        tiny_http::Method::Get | tiny_http::Method::Head
    );
    let reply = match (path, get, post) {
        ("/", true, _) | ("/index.html", true, _) => {
            Reply::ok("text/html; charset=utf-8", page::INDEX)
        }
        ("/app.js", true, _) => Reply::ok("text/javascript; charset=utf-8", page::APP_JS),
        ("/style.css", true, _) => Reply::ok("text/css; charset=utf-8", page::STYLE_CSS),
        ("/fonts.css", true, _) => Reply::ok("text/css; charset=utf-8", state.font_css.clone()),
        ("/api/hall", true, _) => Reply::ok("application/json", state.hall_json.clone()),
        ("/api/frontier", true, _) => {
            Reply::json(frontier(state, query).map(|s| s.as_bytes().to_vec()))
        }
        ("/api/plan", _, true) => Reply::json(
            read_body(&mut request)
                .and_then(|b| planned(state, &b))
                .map(|p| p.json.clone().into_bytes()),
        ),
        ("/api/replay", _, true) => Reply::json(
            read_body(&mut request)
                .and_then(|b| planned(state, &b))
                .map(|p| p.replay.to_string().into_bytes()),
        ),
        (p, _, true) if p.starts_with("/api/files/") => {
            let name = &p["/api/files/".len()..];
            match FILES.iter().find(|(n, _)| *n == name) {
                Some(&(n, ty)) => match read_body(&mut request).and_then(|b| file(state, n, &b)) {
                    Ok(bytes) => Reply {
                        download: Some(n.to_string()),
                        ..Reply::ok(ty, bytes)
                    },
                    Err(e) => Reply::error(&e),
                },
                None => Reply::error(&ApiError::status(
                    404,
                    format!(
                        "no such file; the files are {}",
                        FILES.map(|f| f.0).join(", ")
                    ),
                )),
            }
        }
        (
            "/" | "/index.html" | "/app.js" | "/style.css" | "/fonts.css" | "/api/hall"
            | "/api/frontier",
            false,
            _,
        )
        | ("/api/plan" | "/api/replay", _, false) => Reply::error(&ApiError::status(
            405,
            format!("{} does not take {}", path, request.method()),
        )),
        _ => Reply::error(&ApiError::status(404, format!("no route {path}"))),
    };
    respond(request, reply);
}

fn respond(request: tiny_http::Request, r: Reply) {
    let mut headers = vec![
        ("Content-Type", r.content_type.to_string()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Cache-Control", "no-store".into()),
        // Only our own script and style; the fonts are data: URIs.
        (
            "Content-Security-Policy",
            "default-src 'self'; font-src 'self' data:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'".into(),
        ),
    ];
    if let Some(name) = r.download {
        headers.push((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ));
    }
    // Always a Content-Length, never chunked: simple clients (and curl -o) get the bytes
    // as they are.
    let mut response = tiny_http::Response::from_data(r.body)
        .with_status_code(r.status)
        .with_chunked_threshold(usize::MAX);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            response.add_header(h);
        }
    }
    // A client that went away is not the server's error.
    let _ = request.respond(response);
}
