//! Every row accounted for: the rejected rows with file, line, column and reason, the
//! per-file counts (`read = accepted + rejected`), and the loaded hall.

use super::*;
use crate::error::{Error, Location, Result};
use crate::hall::{Hall, Timestamp};

/// A row set aside, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub file: String,
    pub at: Location,
    pub column: String,
    pub reason: &'static str,
    pub message: String,
    pub value: String,
}

/// What was read from one file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileReport {
    pub path: String,
    pub encoding: String,
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejected_by_reason: BTreeMap<String, u64>,
    pub clamped: u64,
    pub ignored_columns: Vec<String>,
    pub first: Option<String>,
    pub last: Option<String>,
}

/// A loaded hall with its accounting.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub hall: Hall,
    pub files: BTreeMap<&'static str, FileReport>,
    pub rejected: Vec<Rejected>,
    /// Sections skipped for a missing optional file, in words.
    pub skipped: Vec<String>,
    pub inputs: Vec<PathBuf>,
}

/// Collects rejected rows for one file and keeps the count straight.
pub(crate) struct Ledger<'a> {
    pub report: FileReport,
    pub rejected: &'a mut Vec<Rejected>,
    file: String,
    strict: bool,
    first_t: Timestamp,
    last_t: Timestamp,
}

impl<'a> Ledger<'a> {
    pub fn new(table: &Table, path: &Path, rejected: &'a mut Vec<Rejected>, strict: bool) -> Self {
        Ledger {
            report: FileReport {
                path: path.display().to_string(),
                encoding: table.encoding.clone(),
                ..FileReport::default()
            },
            rejected,
            file: table.file.clone(),
            strict,
            first_t: Timestamp::MAX,
            last_t: Timestamp::MIN,
        }
    }

    pub fn reject(
        &mut self,
        at: Location,
        column: &str,
        reason: &'static str,
        message: String,
        value: &str,
    ) -> Result<()> {
        if self.strict {
            // Row messages start with the column name; the fatal error names it once.
            let message = message
                .strip_prefix(column)
                .map_or(message.as_str(), str::trim_start);
            return Err(Error::BadValue {
                file: self.file.clone(),
                at,
                column: column.to_string(),
                message: format!("{message} (--strict)"),
            });
        }
        self.report.rejected += 1;
        *self
            .report
            .rejected_by_reason
            .entry(reason.to_string())
            .or_default() += 1;
        self.rejected.push(Rejected {
            file: self.file.clone(),
            at,
            column: column.to_string(),
            reason,
            message,
            value: value.to_string(),
        });
        Ok(())
    }

    /// Widens the file's date range; formatted once, when the file is done.
    pub fn span(&mut self, t: Timestamp) {
        self.first_t = self.first_t.min(t);
        self.last_t = self.last_t.max(t);
    }

    /// The report with the date range filled in.
    pub fn finish(mut self) -> FileReport {
        if self.first_t <= self.last_t {
            self.report.first = Some(crate::hall::time::format(self.first_t));
            self.report.last = Some(crate::hall::time::format(self.last_t));
        }
        self.report
    }
}
