//! The window inventory and the matter catalogue. They are small and every plan stands on
//! them, so any bad value here is fatal, naming file, line and column.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::columns::{self, Resolved};
use super::values::{parse_bool, parse_number, BOOL_EXPECTED};
use super::{cell, FileReport, LoadOptions, Row, RowAt, Table};
use crate::error::{Error, Result};
use crate::hall::{Matter, Window, WindowKind};

struct Ctx<'a> {
    table: &'a Table,
    cols: &'a Resolved,
}

impl Ctx<'_> {
    fn text(&self, row: &Row<'_>, name: &str) -> String {
        let mut scratch = String::new();
        cell(row, self.cols.get(name), &mut scratch).to_string()
    }
    fn fail(&self, at: RowAt<'_>, name: &str, message: String) -> Error {
        let col = self.cols.get(name).and_then(|s| s.columns.first().copied());
        Error::BadValue {
            file: self.table.file.clone(),
            at: at.at(col),
            column: name.to_string(),
            message,
        }
    }
    fn bool(&self, at: RowAt<'_>, row: &Row<'_>, name: &str, default: bool) -> Result<bool> {
        let t = self.text(row, name);
        if t.is_empty() {
            return Ok(default);
        }
        parse_bool(&t).ok_or_else(|| {
            self.fail(
                at,
                name,
                format!("\"{t}\" is not a boolean ({BOOL_EXPECTED})"),
            )
        })
    }
    fn number(
        &self,
        at: RowAt<'_>,
        row: &Row<'_>,
        name: &str,
        ok: fn(f64) -> bool,
        expected: &str,
    ) -> Result<Option<f64>> {
        let t = self.text(row, name);
        if t.is_empty() {
            return Ok(None);
        }
        match parse_number(&t) {
            Some(v) if ok(v) => Ok(Some(v)),
            _ => Err(self.fail(
                at,
                name,
                format!("\"{t}\" is not valid (expected {expected})"),
            )),
        }
    }
    fn opt(&self, row: &Row<'_>, name: &str) -> Option<String> {
        Some(self.text(row, name)).filter(|s| !s.is_empty())
    }
}

fn report(table: &Table, path: &Path, cols: &Resolved, n: u64) -> FileReport {
    FileReport {
        path: path.display().to_string(),
        encoding: table.encoding.clone(),
        read: n,
        accepted: n,
        ignored_columns: cols.ignored.clone(),
        ..FileReport::default()
    }
}

pub fn read_windows(
    table: &Table,
    path: &Path,
    opts: &LoadOptions,
) -> Result<(Vec<Window>, FileReport)> {
    let cols = columns::resolve(
        &table.file,
        "windows",
        &table.headers,
        columns::WINDOWS,
        opts.columns.as_ref(),
    )?;
    let ctx = Ctx { table, cols: &cols };
    let mut windows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    table.for_each_row(|at, row| {
        if row.is_blank() {
            return Ok(());
        }
        let id = ctx.text(&row, "window_id");
        if id.is_empty() {
            return Err(ctx.fail(
                at,
                "window_id",
                "is empty (expected a unique window id)".into(),
            ));
        }
        if let Some(first) = seen.insert(id.clone(), at.number()) {
            return Err(ctx.fail(
                at,
                "window_id",
                format!("\"{id}\" is a duplicate (first on line {first}; expected unique ids)"),
            ));
        }
        let department = ctx.text(&row, "department");
        if department.is_empty() {
            return Err(ctx.fail(
                at,
                "department",
                "is empty (expected the department the window serves)".into(),
            ));
        }
        let staff = ctx
            .number(
                at,
                &row,
                "staff",
                |v| v >= 0.0 && v.fract() == 0.0,
                "an integer ≥ 0",
            )?
            .map_or(1, |v| v as u32);
        let kind = match ctx.text(&row, "kind").to_lowercase().as_str() {
            "" | "department" | "部门" | "部门窗口" => WindowKind::Department,
            "joint" | "联办" | "联合" | "联合专窗" | "联办窗口" => WindowKind::Joint,
            "fallback" | "兜底" | "综合" | "兜底窗口" | "综合窗口" => {
                WindowKind::Fallback
            }
            other => {
                return Err(ctx.fail(
                    at,
                    "kind",
                    format!(
                        "\"{other}\" is not a window kind (expected department, joint or fallback)"
                    ),
                ))
            }
        };
        let merge_group = ctx.opt(&row, "merge_group");
        if kind == WindowKind::Joint && merge_group.is_none() {
            return Err(ctx.fail(
                at,
                "merge_group",
                "is empty for a joint window (expected the merge group it serves)".into(),
            ));
        }
        let locked = ctx.bool(at, &row, "locked", false)?;
        windows.push(Window {
            id,
            department,
            staff,
            kind,
            merge_group,
            locked,
        });
        Ok(())
    })?;
    if windows.is_empty() {
        return Err(Error::EmptyFile {
            file: table.file.clone(),
        });
    }
    let r = report(table, path, &cols, windows.len() as u64);
    Ok((windows, r))
}

pub fn read_matters(
    table: &Table,
    path: &Path,
    opts: &LoadOptions,
    windows: &[Window],
) -> Result<(Vec<Matter>, FileReport)> {
    let cols = columns::resolve(
        &table.file,
        "matters",
        &table.headers,
        columns::MATTERS,
        opts.columns.as_ref(),
    )?;
    let ctx = Ctx { table, cols: &cols };
    let departments: BTreeSet<&str> = windows.iter().map(|w| w.department.as_str()).collect();
    // After a reform a department may keep no window of its own: its matters are served
    // at a fallback (comprehensive) window, or at the joint window of their merge group.
    let has_fallback = windows.iter().any(|w| w.kind == WindowKind::Fallback);
    let joint_groups: BTreeSet<&str> = windows
        .iter()
        .filter(|w| w.kind == WindowKind::Joint)
        .filter_map(|w| w.merge_group.as_deref())
        .collect();
    let mut matters = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    table.for_each_row(|at, row| {
        if row.is_blank() {
            return Ok(());
        }
        let id = ctx.text(&row, "matter_id");
        if id.is_empty() {
            return Err(ctx.fail(at, "matter_id", "is empty (expected a unique matter id)".into()));
        }
        if let Some(first) = seen.insert(id.clone(), at.number()) {
            return Err(ctx.fail(at, "matter_id", format!("\"{id}\" is a duplicate (first on line {first}; expected unique ids)")));
        }
        let department = ctx.text(&row, "department");
        if department.is_empty() {
            return Err(ctx.fail(at, "department", "is empty (expected the department that handles the matter)".into()));
        }
        let merge_group = ctx.opt(&row, "merge_group");
        let served_elsewhere = has_fallback
            || merge_group
                .as_deref()
                .is_some_and(|g| joint_groups.contains(g));
        if !windows.is_empty() && !departments.contains(department.as_str()) && !served_elsewhere {
            return Err(ctx.fail(
                at,
                "department",
                format!("\"{department}\" of matter \"{id}\" has no window in the window inventory, and no fallback window nor a joint window of its merge group can serve it (expected one of: {}, or a fallback window)", departments.iter().copied().collect::<Vec<_>>().join(", ")),
            ));
        }
        let in_person_required = ctx.bool(at, &row, "in_person_required", false)?;
        let m = Matter {
            name: ctx.opt(&row, "matter_name").unwrap_or_else(|| id.clone()),
            id,
            department,
            weekly_volume: ctx.number(at, &row, "weekly_volume", |v| v >= 0.0, "a number ≥ 0")?,
            avg_handle_min: ctx.number(at, &row, "avg_handle_min", |v| v > 0.0, "a number > 0")?,
            online_capable: ctx.bool(at, &row, "online_capable", false)?,
            online_share: ctx.number(at, &row, "online_share", |v| (0.0..=1.0).contains(&v), "a share between 0 and 1")?,
            backoffice_eligible: ctx.bool(at, &row, "backoffice_eligible", false)?,
            intake_min: ctx.number(at, &row, "intake_min", |v| v >= 0.0, "a number ≥ 0")?.unwrap_or(0.0),
            merge_group,
            in_person_required,
            specialist: ctx.bool(at, &row, "specialist", false)?,
            derived_from_tickets: false,
        };
        matters.push(m);
        Ok(())
    })?;
    if matters.is_empty() {
        return Err(Error::EmptyFile {
            file: table.file.clone(),
        });
    }
    let r = report(table, path, &cols, matters.len() as u64);
    Ok((matters, r))
}
