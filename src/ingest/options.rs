//! What to read and how: the four files, which are required, the reading flags and where
//! a file is found in a hall folder. The environment knobs (`HALLPLAN_THREADS`,
//! `HALLPLAN_TIMING`) are read by the configuration stage and arrive here as plain
//! values: [`OpenOptions::threads`] and [`LoadOptions::timing`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ColumnMap, OpenOptions};

/// The four files of a hall directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Windows,
    Matters,
    Footfall,
    Tickets,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [
        FileKind::Windows,
        FileKind::Matters,
        FileKind::Footfall,
        FileKind::Tickets,
    ];
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Windows => "windows",
            FileKind::Matters => "matters",
            FileKind::Footfall => "footfall",
            FileKind::Tickets => "tickets",
        }
    }
}

/// What a command needs; a missing required file is fatal, a missing optional one is
/// reported as a skipped section.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub windows: bool,
    pub matters: bool,
    pub tickets: bool,
}

impl Needs {
    /// The window inventory and the ticket log: what a replay of today's hall reads.
    pub const TRACE: Needs = Needs {
        windows: true,
        matters: false,
        tickets: true,
    };
}

/// How to load a hall.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub open: OpenOptions,
    pub columns: Option<ColumnMap>,
    /// The first rejected row becomes a fatal error.
    pub strict: bool,
    /// A `called_at` up to this many seconds before `issued_at` counts as a zero wait.
    pub clock_skew_s: i64,
    /// Longer services are rejected rows.
    pub max_service_min: f64,
    /// Files given one by one (`--tickets FILE` …), overriding the directory's.
    pub files: BTreeMap<FileKind, PathBuf>,
    pub needs: Needs,
    /// Phase timings on stderr (for benchmarks).
    pub timing: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            open: OpenOptions::default(),
            columns: None,
            strict: false,
            clock_skew_s: 60,
            max_service_min: 480.0,
            files: BTreeMap::new(),
            needs: Needs::default(),
            timing: false,
        }
    }
}

/// Phase timings on stderr when `on` (`HALLPLAN_TIMING`, for benchmarks).
pub struct Clock {
    t0: Option<std::time::Instant>,
}

impl Clock {
    pub fn start(on: bool) -> Clock {
        Clock {
            t0: on.then(std::time::Instant::now),
        }
    }
    pub fn lap(&self, what: &str) {
        if let Some(t0) = self.t0 {
            eprintln!("[timing] {:8.3} s  {what}", t0.elapsed().as_secs_f64());
        }
    }
}

/// Threads for reading a large file when none are asked for: the machine's cores (at
/// most 8). Results do not depend on it.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Finds the file of `kind` in `dir`: name matched without case, any of the extensions.
pub fn find_file(dir: &Path, kind: FileKind) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().to_lowercase());
            let ext = p.extension().map(|s| s.to_string_lossy().to_lowercase());
            stem.as_deref() == Some(kind.name())
                && matches!(
                    ext.as_deref(),
                    Some("csv" | "tsv" | "txt" | "xlsx" | "xlsm" | "parquet")
                )
        })
        .collect();
    // Deterministic choice when several formats are present: csv before tsv before xlsx…
    found.sort();
    found.into_iter().next()
}
