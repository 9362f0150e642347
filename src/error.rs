//! Errors a user sees, and the exit codes they map to.
//!
//! Every message names the file, line (or sheet and cell) and column, or the flag or
//! department at fault, and says what was expected.

use std::path::PathBuf;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// The command did what was asked.
    pub const OK: i32 = 0;
    /// A usage error or an internal failure (bad flag, unwritable output, solver failure).
    pub const FAILURE: i32 = 1;
    /// The input is unusable (missing file, bad header, bad catalogue value, strict mode).
    pub const BAD_INPUT: i32 = 2;
    /// The plan is infeasible under the requested policy.
    pub const INFEASIBLE: i32 = 3;
}

/// Where in an input something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A line of a text file (1-based, the header is line 1).
    Line(u64),
    /// A cell of a spreadsheet (1-based row and column).
    Cell { sheet: String, row: u32, col: u32 },
    /// A row of a Parquet file (1-based, no header line).
    Row(u64),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Line(n) => write!(f, "{n}"),
            Location::Cell { sheet, row, col } => {
                write!(f, "{sheet}!{}{row}", column_letters(*col))
            }
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

impl Location {
    /// The line or row number, for tables of rejected rows.
    pub fn number(&self) -> u64 {
        match self {
            Location::Line(n) | Location::Row(n) => *n,
            Location::Cell { row, .. } => u64::from(*row),
        }
    }
}

/// Spreadsheet column letters: 1 → A, 27 → AA.
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = ((col - 1) % 26) as u8;
        out.push(b'A' + rem);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Errors of the hallplan library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file} is missing: {what} (looked for {looked})")]
    MissingFile {
        file: String,
        what: String,
        looked: String,
    },
    #[error("{file}: the file is empty (expected a header line and at least one row)")]
    EmptyFile { file: String },
    #[error("{file}:{at}: {message}")]
    Encoding {
        file: String,
        at: Location,
        message: String,
    },
    #[error("{file}:1: required column {column} is absent (accepted headers: {aliases}; found: {found})")]
    MissingColumn {
        file: String,
        column: String,
        aliases: String,
        found: String,
    },
    #[error("{file}:{at}: {column} {message}")]
    BadValue {
        file: String,
        at: Location,
        column: String,
        message: String,
    },
    #[error("{file}: {message}")]
    BadFile { file: String, message: String },
    #[error("{what}: {message}")]
    Config { what: String, message: String },
    #[error("output folder {path} already exists (use --force to replace it)")]
    OutputExists { path: PathBuf },
    #[error("output folder {path} would overwrite the input {input}")]
    OutputIsInput { path: PathBuf, input: PathBuf },
    #[error("{path}: cannot write output: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A comparison period without a single ticket: a date range outside the export, or
    /// an empty export.
    #[error("{period} period{range}: no tickets in {export} (its tickets cover {covers})")]
    EmptyPeriod {
        period: String,
        /// " 2021-01-01..2021-01-31" for a range given by flag, "" for the whole export.
        range: String,
        export: String,
        covers: String,
    },
    /// Figures a command cannot work with, though each flag is well formed (e.g. an
    /// unstable queue): unusable input, not a usage error.
    #[error("{what}: {message}")]
    Unusable { what: String, message: String },
    #[error("{0}")]
    Infeasible(String),
    #[error("{0}")]
    Solver(String),
    /// `--write-model`: the MILP could not be built to be written (the solve itself would
    /// fail the same way, so nothing is solved).
    #[error("--write-model {path}: cannot build the MILP to write: {message}")]
    WriteModel { path: PathBuf, message: String },
    /// An output that could not be rendered to bytes (CSV, xlsx, JSON).
    #[error("{what}: {message}")]
    Render { what: String, message: String },
    /// A worker thread that failed (its panic is reported where it happened).
    #[error("{0}")]
    Thread(String),
    #[error("chart {name}: {message}")]
    Chart { name: String, message: String },
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. }
            | Error::MissingFile { .. }
            | Error::EmptyFile { .. }
            | Error::Encoding { .. }
            | Error::MissingColumn { .. }
            | Error::BadValue { .. }
            | Error::BadFile { .. }
            | Error::EmptyPeriod { .. }
            | Error::Unusable { .. } => exit::BAD_INPUT,
            Error::Infeasible(_) => exit::INFEASIBLE,
            _ => exit::FAILURE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheet_convention() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
    }
}
