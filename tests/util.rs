//! The harness shared by the integration tests: a hall folder in a temporary directory
//! written from strings, the `hallplan` binary run on it, and its outputs read back.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use assert_cmd::Command;

/// A small, valid hall: three windows of two departments, two matters.
pub const WINDOWS: &str = "window_id,department,staff,kind,merge_group,locked\n\
A01,市场监管局,1,department,,false\n\
A02,市场监管局,1,department,,false\n\
B01,税务局,1,department,,true\n";

pub const MATTERS: &str =
    "matter_id,matter_name,department,weekly_volume,avg_handle_min,online_capable,online_share\n\
M1,营业执照,市场监管局,100,10,是,0.5\n\
M2,发票领用,税务局,50,5,否,\n";

pub const TICKETS_HEADER: &str =
    "ticket_id,issued_at,called_at,finished_at,window_id,department,matter_id,status\n";

/// Eight clean tickets over two days: lines 2 to 9 of tickets.csv.
pub const TICKETS_ROWS: &str = "\
1,2020-06-01 09:00:00,2020-06-01 09:05:00,2020-06-01 09:15:00,A01,市场监管局,M1,served\n\
2,2020-06-01 09:10:00,2020-06-01 09:12:00,2020-06-01 09:20:00,A02,市场监管局,M1,served\n\
3,2020-06-01 10:00:00,2020-06-01 10:01:00,2020-06-01 10:06:00,B01,税务局,M2,served\n\
4,2020-06-01 10:30:00,2020-06-01 10:40:00,,,税务局,M2,no_show\n\
5,2020-06-01 11:00:00,,,,市场监管局,M1,cancelled\n\
1,2020-06-02 09:00:00,2020-06-02 09:03:00,2020-06-02 09:13:00,A01,市场监管局,M1,served\n\
2,2020-06-02 09:30:00,2020-06-02 09:30:30,2020-06-02 09:36:00,B01,税务局,M2,served\n\
3,2020-06-02 14:00:00,2020-06-02 14:02:00,2020-06-02 14:12:00,A02,市场监管局,M1,served\n";

/// Number of data rows in [`TICKETS_ROWS`].
pub const TICKETS_ROW_COUNT: u64 = 8;

pub const FOOTFALL: &str = "timestamp,count\n2020-06-01,500\n2020-06-02,450\n";

/// The clean ticket log.
pub fn tickets() -> String {
    format!("{TICKETS_HEADER}{TICKETS_ROWS}")
}

/// The clean ticket log with `extra` appended (its first row is line 10).
pub fn tickets_with(extra: &str) -> String {
    format!("{TICKETS_HEADER}{TICKETS_ROWS}{extra}")
}

/// The line number the first row of `tickets_with(extra)`'s `extra` lands on.
pub const FIRST_EXTRA_LINE: u64 = TICKETS_ROW_COUNT + 2;

/// A temporary folder holding a hall folder (`hall/`) and room for outputs.
pub struct Fixture {
    root: tempfile::TempDir,
}

impl Fixture {
    /// An empty hall folder.
    pub fn empty() -> Fixture {
        let root = tempfile::tempdir().expect("a temporary folder for the fixture");
        std::fs::create_dir(root.path().join("hall")).expect("create the hall folder");
        Fixture { root }
    }

    /// The small valid hall: windows, matters, tickets and footfall.
    pub fn valid() -> Fixture {
        Fixture::empty()
            .with("windows.csv", WINDOWS)
            .with("matters.csv", MATTERS)
            .with("tickets.csv", tickets())
            .with("footfall.csv", FOOTFALL)
    }

    /// Writes (or replaces) a file of the hall folder.
    pub fn with(self, name: &str, contents: impl AsRef<[u8]>) -> Fixture {
        self.write(name, contents);
        self
    }

    /// Removes a file of the hall folder.
    pub fn without(self, name: &str) -> Fixture {
        std::fs::remove_file(self.hall().join(name)).expect("remove a fixture file");
        self
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.hall().join(name), contents).expect("write a fixture file");
    }

    /// Writes a file next to the hall folder (a column map, a scenario).
    pub fn write_beside(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.root.path().join(name);
        std::fs::write(&p, contents).expect("write a file beside the hall");
        p
    }

    pub fn hall(&self) -> PathBuf {
        self.root.path().join("hall")
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// An output folder that does not exist yet.
    pub fn out(&self) -> PathBuf {
        self.root.path().join("out")
    }

    /// `hallplan validate --data HALL --json`, which must succeed; the parsed JSON.
    pub fn validate_json(&self, extra: &[&str]) -> serde_json::Value {
        let hall = self.hall();
        let mut args = vec!["validate", "--data", path_str(&hall), "--json"];
        args.extend_from_slice(extra);
        let r = run(&args);
        r.assert_success();
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("validate --json printed no JSON ({e}):\n{}", r.stdout))
    }

    /// `hallplan profile --data HALL --out OUT`, which must succeed.
    pub fn profile(&self, extra: &[&str]) -> Run {
        let (hall, out) = (self.hall(), self.out());
        let mut args = vec![
            "profile",
            "--data",
            path_str(&hall),
            "--out",
            path_str(&out),
        ];
        args.extend_from_slice(extra);
        let r = run(&args);
        r.assert_success();
        r
    }

    /// `hallplan profile`, expected to fail on bad input.
    pub fn profile_fails(&self, extra: &[&str]) -> Run {
        let (hall, out) = (self.hall(), self.out());
        let mut args = vec![
            "profile",
            "--data",
            path_str(&hall),
            "--out",
            path_str(&out),
        ];
        args.extend_from_slice(extra);
        run(&args)
    }

    /// Parses a CSV of the output folder.
    pub fn output_csv(&self, name: &str) -> Vec<Vec<String>> {
        read_csv(&self.out().join(name))
    }
}

/// A path as a `&str` argument (temporary paths are UTF-8 on every test machine).
pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("temporary paths are valid UTF-8")
}

/// What a run of the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_success(&self) {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self.assert_no_panic();
    }

    pub fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked"),
            "hallplan panicked:\n{}",
            self.stderr
        );
    }

    /// Exit code `code`, no panic, and every needle in stderr.
    pub fn assert_fails(&self, code: i32, needles: &[&str]) {
        self.assert_no_panic();
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr does not contain {n:?}:\n{}",
                self.stderr
            );
        }
        snapshot_error(code, &self.stderr);
    }
}

thread_local! {
    /// Error snapshots taken so far by the running test (each test runs on its thread).
    static ERRORS_SNAPPED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Every error message a user can see is pinned by an insta snapshot named after the test
/// (`tests/snapshots/`), with temporary folders and the source tree written as `[tmp]` and
/// `[repo]` so that the text does not depend on where the test ran.
fn snapshot_error(code: i32, stderr: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .replace("::", "__");
    let n = ERRORS_SNAPPED.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let name = if n == 1 { test } else { format!("{test}-{n}") };
    let text = format!("exit code {code}\n{}", redact(stderr));
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The text with the source tree and temporary folders replaced by placeholders.
pub fn redact(text: &str) -> String {
    let text = text.replace(env!("CARGO_MANIFEST_DIR"), "[repo]");
    let tmp = std::env::temp_dir();
    let tmp = tmp
        .to_str()
        .unwrap_or("/tmp")
        .trim_end_matches('/')
        .to_string();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    // tempfile names its folders `.tmpXXXXXX` under the temporary folder.
    let marker = format!("{tmp}/.tmp");
    while let Some(i) = rest.find(&marker) {
        out.push_str(&rest[..i]);
        out.push_str("[tmp]");
        let after = &rest[i + marker.len()..];
        let end = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The `hallplan` binary built by cargo for this test run.
pub fn hallplan() -> Command {
    let mut c = Command::cargo_bin("hallplan").expect("cargo builds the hallplan binary");
    // A hung run fails the test instead of the whole suite.
    c.timeout(Duration::from_secs(120));
    c
}

/// Runs `hallplan ARGS` and collects its output.
pub fn run(args: &[&str]) -> Run {
    run_cmd(hallplan().args(args))
}

pub fn run_cmd(c: &mut Command) -> Run {
    let out = c.output().expect("hallplan runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Reads a CSV written by hallplan (UTF-8, comma-separated, with a header).
pub fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{} is not a readable CSV: {e}", path.display()));
    r.records()
        .map(|rec| {
            rec.unwrap_or_else(|e| panic!("{}: bad record: {e}", path.display()))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

/// `files.<name>.<field>` of a `validate --json` document, as an integer.
pub fn count(v: &serde_json::Value, file: &str, field: &str) -> u64 {
    v["files"][file][field]
        .as_u64()
        .unwrap_or_else(|| panic!("files.{file}.{field} is not a number in {v:#}"))
}

/// `files.<name>.rejected_by_reason.<reason>`, 0 when absent.
pub fn rejected_for(v: &serde_json::Value, file: &str, reason: &str) -> u64 {
    v["files"][file]["rejected_by_reason"][reason]
        .as_u64()
        .unwrap_or(0)
}

/// Every row is accounted for: read = accepted + rejected.
pub fn assert_accounted(v: &serde_json::Value, file: &str) {
    let (read, accepted, rejected) = (
        count(v, file, "read"),
        count(v, file, "accepted"),
        count(v, file, "rejected"),
    );
    assert_eq!(
        read,
        accepted + rejected,
        "{file}: read {read} ≠ accepted {accepted} + rejected {rejected}"
    );
    let by_reason: u64 = v["files"][file]["rejected_by_reason"]
        .as_object()
        .map(|m| m.values().filter_map(serde_json::Value::as_u64).sum())
        .unwrap_or(0);
    assert_eq!(
        by_reason, rejected,
        "{file}: rejected_by_reason does not add up to rejected"
    );
}

/// The bundled sample hall, generated once per test binary with `hallplan sample` into
/// cargo's scratch folder for integration tests.
pub fn sample_hall() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hallplan-sample");
        let hall = root.join("binjiang");
        if !hall.join("tickets.csv").exists() {
            run(&["sample", "--out", path_str(&root), "--force"]).assert_success();
        }
        hall
    })
}

/// Every file below `dir`, as (relative path, bytes), sorted.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("list an output folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .expect("inside the folder")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).expect("read an output file")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes a one-sheet workbook ("Sheet1"): cells that parse as numbers are written as
/// numbers, everything else as text, as a spreadsheet user would have typed them.
pub fn write_xlsx(path: &Path, rows: &[&[&str]]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (
                u32::try_from(r).expect("few rows"),
                u16::try_from(c).expect("few columns"),
            );
            match cell.parse::<f64>() {
                Ok(v) => sheet.write_number(r, c, v).map(|_| ()),
                Err(_) if cell.is_empty() => Ok(()),
                Err(_) => sheet.write_string(r, c, *cell).map(|_| ()),
            }
            .expect("write a cell");
        }
    }
    book.save(path).expect("save the workbook");
}
