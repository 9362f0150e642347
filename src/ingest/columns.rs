//! Contract columns, their English and Chinese header aliases, and `--columns` maps.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// One column of the input contract.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        required,
    }
}

pub const WINDOWS: &[ColumnSpec] = &[
    col("window_id", &["窗口编号", "窗口号", "window"], true),
    col("department", &["部门", "单位", "部门名称", "dept"], true),
    col("staff", &["人员数", "人数"], false),
    col("kind", &["窗口类型", "type"], false),
    col("merge_group", &["联办组", "合并组"], false),
    col("locked", &["保留", "锁定"], false),
];

pub const MATTERS: &[ColumnSpec] = &[
    col("matter_id", &["事项编码", "事项编号"], true),
    col("matter_name", &["事项名称", "name"], false),
    col("department", &["部门", "单位", "部门名称", "dept"], true),
    col(
        "weekly_volume",
        &["周办件量", "办件量(周)", "办件量（周）", "volume"],
        false,
    ),
    col(
        "avg_handle_min",
        &[
            "平均受理时长",
            "平均办理时长(分钟)",
            "平均办理时长（分钟）",
            "handle_min",
        ],
        false,
    ),
    col("online_capable", &["可网办", "是否可网办"], false),
    col("online_share", &["网办比例"], false),
    col("backoffice_eligible", &["可后台办理", "需审批"], false),
    col("intake_min", &["收件时长"], false),
    col("merge_group", &["联办组", "合并组"], false),
    col("in_person_required", &["必须到场"], false),
    col("specialist", &["专窗办理", "需专窗"], false),
];

pub const FOOTFALL: &[ColumnSpec] = &[
    col("timestamp", &["时间", "日期", "时段", "time", "date"], true),
    col("count", &["人流量", "客流量", "人数", "visitors"], true),
    col("gate", &["入口"], false),
];

pub const TICKETS: &[ColumnSpec] = &[
    col("ticket_id", &["票号", "排队号", "流水号"], true),
    col("issued_at", &["取号时间"], true),
    col("called_at", &["叫号时间"], false),
    col("finished_at", &["办结时间", "结束时间"], false),
    col("window_id", &["窗口编号", "窗口号"], false),
    col("department", &["部门", "单位"], false),
    col("matter_id", &["事项编码"], false),
    col("status", &["状态"], false),
];

/// Header text as matched: trimmed, lower-cased, BOM removed.
pub fn normalise(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_lowercase()
}

/// Where a contract column comes from in one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    /// Source column indices; several are joined with a space (split date and time).
    pub columns: Vec<usize>,
    /// A chrono format for date-times, from a column map.
    pub format: Option<String>,
}

/// The resolved header of one file.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub columns: BTreeMap<&'static str, Source>,
    /// Headers that matched nothing: listed once in the log.
    pub ignored: Vec<String>,
}

impl Resolved {
    pub fn get(&self, name: &str) -> Option<&Source> {
        self.columns.get(name)
    }
}

/// A `--columns map.toml`: per contract column, the source header(s) and a format.
/// Top-level keys apply to every file; `[tickets]`-style tables to one file.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    global: BTreeMap<String, MapEntry>,
    per_file: BTreeMap<String, BTreeMap<String, MapEntry>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub from: Vec<String>,
    pub format: Option<String>,
}

const FILES: [&str; 4] = ["windows", "matters", "footfall", "tickets"];

impl ColumnMap {
    pub fn load(path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            file: file.clone(),
            source,
        })?;
        Self::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<Self> {
        let value: toml::Table = text.parse().map_err(|e: toml::de::Error| Error::BadFile {
            file: file.to_string(),
            message: format!("not valid TOML: {}", e.message()),
        })?;
        let mut map = ColumnMap::default();
        for (key, v) in &value {
            if FILES.contains(&key.as_str()) {
                let table = v
                    .as_table()
                    .ok_or_else(|| bad(file, key, "expected a table"))?;
                let mut entries = BTreeMap::new();
                for (k, e) in table {
                    entries.insert(k.clone(), entry(file, k, e)?);
                }
                map.per_file.insert(key.clone(), entries);
            } else {
                map.global.insert(key.clone(), entry(file, key, v)?);
            }
        }
        Ok(map)
    }

    fn lookup(&self, file_kind: &str, column: &str) -> Option<&MapEntry> {
        self.per_file
            .get(file_kind)
            .and_then(|m| m.get(column))
            .or_else(|| self.global.get(column))
    }
}

fn bad(file: &str, key: &str, message: &str) -> Error {
    Error::Config {
        what: format!("{file}: key {key}"),
        message: message.to_string(),
    }
}

fn entry(file: &str, key: &str, v: &toml::Value) -> Result<MapEntry> {
    match v {
        toml::Value::String(s) => Ok(MapEntry {
            from: vec![s.clone()],
            format: None,
        }),
        toml::Value::Table(t) => {
            let from = match t.get("from") {
                Some(toml::Value::String(s)) => vec![s.clone()],
                Some(toml::Value::Array(a)) => a
                    .iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| bad(file, key, "`from` must list header names"))?,
                _ => {
                    return Err(bad(
                        file,
                        key,
                        "expected `from = \"header\"` or `from = [\"date\", \"time\"]`",
                    ))
                }
            };
            let format = match t.get("format") {
                None => None,
                Some(toml::Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    return Err(bad(
                        file,
                        key,
                        "`format` must be a string such as \"%Y-%m-%d %H:%M:%S\"",
                    ))
                }
            };
            Ok(MapEntry { from, format })
        }
        _ => Err(bad(
            file,
            key,
            "expected a header name or a table { from = …, format = … }",
        )),
    }
}

/// Matches a file's headers against the contract (and the column map).
pub fn resolve(
    file: &str,
    file_kind: &str,
    headers: &[String],
    specs: &[ColumnSpec],
    map: Option<&ColumnMap>,
) -> Result<Resolved> {
    let norm: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let mut out = Resolved::default();
    let mut used = vec![false; headers.len()];
    for spec in specs {
        let source = match map.and_then(|m| m.lookup(file_kind, spec.name)) {
            Some(e) => Some(mapped(file, spec, e, &norm)?),
            None => by_alias(spec, &norm).map(|i| Source {
                columns: vec![i],
                format: None,
            }),
        };
        match source {
            Some(s) => {
                for &i in &s.columns {
                    used[i] = true;
                }
                out.columns.insert(spec.name, s);
            }
            None if spec.required => {
                return Err(Error::MissingColumn {
                    file: file.to_string(),
                    column: spec.name.to_string(),
                    aliases: std::iter::once(spec.name)
                        .chain(spec.aliases.iter().copied())
                        .collect::<Vec<_>>()
                        .join(", "),
                    found: headers.join(", "),
                })
            }
            None => {}
        }
    }
    out.ignored = headers
        .iter()
        .zip(&used)
        .filter(|(h, u)| !**u && !h.trim().is_empty())
        .map(|(h, _)| h.clone())
        .collect();
    Ok(out)
}

fn by_alias(spec: &ColumnSpec, norm: &[String]) -> Option<usize> {
    let wanted = std::iter::once(spec.name).chain(spec.aliases.iter().copied());
    for alias in wanted {
        let a = normalise(alias);
        if let Some(i) = norm.iter().position(|h| *h == a) {
            return Some(i);
        }
    }
    None
}

fn mapped(file: &str, spec: &ColumnSpec, e: &MapEntry, norm: &[String]) -> Result<Source> {
    let mut columns = Vec::new();
    for from in &e.from {
        let i = norm
            .iter()
            .position(|h| *h == normalise(from))
            .ok_or_else(|| Error::MissingColumn {
                file: file.to_string(),
                column: format!("{} (mapped from \"{from}\" by --columns)", spec.name),
                aliases: from.clone(),
                found: norm.join(", "),
            })?;
        columns.push(i);
    }
    Ok(Source {
        columns,
        format: e.format.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_headers_resolve_to_the_same_columns() {
        let r = resolve(
            "t.csv",
            "tickets",
            &h(&["票号", " 取号时间 ", "叫号时间", "部门", "备注"]),
            TICKETS,
            None,
        )
        .expect("resolves");
        assert_eq!(r.get("issued_at").map(|s| s.columns.clone()), Some(vec![1]));
        assert_eq!(r.ignored, vec!["备注".to_string()]);
        let r = resolve(
            "t.csv",
            "tickets",
            &h(&["\u{feff}Ticket_ID", "ISSUED_AT"]),
            TICKETS,
            None,
        )
        .expect("resolves");
        assert_eq!(r.get("ticket_id").map(|s| s.columns.clone()), Some(vec![0]));
    }

    #[test]
    fn a_missing_required_column_is_named_with_its_aliases() {
        let e = resolve("tickets.csv", "tickets", &h(&["票号"]), TICKETS, None).expect_err("fails");
        let msg = e.to_string();
        assert!(msg.contains("tickets.csv:1"), "{msg}");
        assert!(
            msg.contains("issued_at") && msg.contains("取号时间"),
            "{msg}"
        );
    }

    #[test]
    fn a_column_map_joins_split_date_and_time() {
        let map = ColumnMap::parse(
            "[tickets]\nissued_at = { from = [\"date\", \"q_start\"], format = \"%y%m%d %H:%M:%S\" }\nticket_id = \"call_id\"\n",
            "map.toml",
        )
        .expect("parses");
        let r = resolve(
            "t.csv",
            "tickets",
            &h(&["call_id", "date", "q_start"]),
            TICKETS,
            Some(&map),
        )
        .expect("resolves");
        let s = r.get("issued_at").expect("mapped");
        assert_eq!(s.columns, vec![1, 2]);
        assert_eq!(s.format.as_deref(), Some("%y%m%d %H:%M:%S"));
    }
}
