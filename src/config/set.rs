//! `--set key=value`: one policy knob from the command line, in the words a planner
//! understands. The value is read by the knob's kind (a number, a whole number, true or
//! false, a comma list of window ids, a word), so that a mistake is named with the form
//! expected instead of a TOML type error, and a mistyped key gets the closest key.

use crate::error::{Error, Result};
use crate::model::policy::Policy;

/// What a knob holds, with its default as an example.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Number(String),
    Whole(String),
    Bool(String),
    List,
    Word(String),
    /// `department_mean_wait_min`: "name:minutes, name:minutes".
    Map,
    /// `percentile_target`: "90 % within 10 min".
    Percentile,
}

/// Every key `--set` accepts, sorted, with its kind. Read from the policy's own defaults
/// so that a new knob is listed without touching this file; `max_mean_wait_min` has no
/// default (unset), so it is missing from the serialised defaults and added here.
fn keys() -> Vec<(String, Kind)> {
    let mut out: Vec<(String, Kind)> = toml::Table::try_from(Policy::default())
        .map(|t| {
            t.into_iter()
                .map(|(k, v)| {
                    let kind = match v {
                        toml::Value::Float(f) => Kind::Number(crate::report::fmt_num(
                            f,
                            if f.fract() == 0.0 { 0 } else { 2 },
                        )),
                        toml::Value::Integer(i) => Kind::Whole(i.to_string()),
                        toml::Value::Boolean(b) => Kind::Bool(b.to_string()),
                        toml::Value::Array(_) => Kind::List,
                        toml::Value::String(s) => Kind::Word(s),
                        other => Kind::Word(other.to_string()),
                    };
                    (k, kind)
                })
                .collect()
        })
        .unwrap_or_default();
    for (key, kind) in [
        ("max_mean_wait_min", Kind::Number("unset".into())),
        ("department_mean_wait_min", Kind::Map),
        ("percentile_target", Kind::Percentile),
    ] {
        if !out.iter().any(|(k, _)| k == key) {
            out.push((key.into(), kind));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Optimal string alignment distance (Levenshtein with adjacent swaps), in characters.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The key closest to a mistyped one, if it is close enough to be what was meant.
fn closest<'a>(key: &str, keys: &'a [(String, Kind)]) -> Option<&'a str> {
    let key = key.to_lowercase().replace('-', "_");
    keys.iter()
        .map(|(k, _)| (distance(&key, k), k.as_str()))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(2))
        .min()
        .map(|(_, k)| k)
}

/// Applies one `--set key=value` to the policy.
pub(super) fn apply(policy: &mut Policy, assignment: &str) -> Result<()> {
    let what = format!("--set {assignment}");
    let bad = |message: String| Error::Config {
        what: what.clone(),
        message,
    };
    let Some((key, value)) = assignment.split_once('=') else {
        return Err(bad(
            "expected key=value, e.g. --set demand_change=-0.4".into()
        ));
    };
    let (key, value) = (key.trim(), value.trim());
    let keys = keys();
    let Some((_, kind)) = keys.iter().find(|(k, _)| k == key) else {
        let list = keys
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let hint = closest(key, &keys)
            .map(|k| format!(" — did you mean {k}?"))
            .unwrap_or_default();
        return Err(bad(format!("unknown key \"{key}\"{hint} (keys: {list})")));
    };
    // The value as a TOML literal the policy reads.
    let literal = match kind {
        Kind::Number(default) => match value.parse::<f64>() {
            Ok(v) if v.is_finite() => format!("{v:?}"),
            _ => {
                // The default as the example, unless it says nothing (0, unset).
                let example = match (key, default.as_str()) {
                    ("demand_change", _) => "-0.4",
                    (_, "unset") => "10",
                    (_, d) => d,
                };
                return Err(bad(format!(
                    "{key} takes a number, e.g. --set {key}={example} (default {default}); \"{value}\" is not a number"
                )));
            }
        },
        Kind::Whole(default) => match value.parse::<u64>() {
            Ok(v) => v.to_string(),
            Err(_) => {
                return Err(bad(format!(
                    "{key} takes a whole number ≥ 0, e.g. --set {key}={default}; \"{value}\" is not one"
                )))
            }
        },
        Kind::Bool(default) => match value.to_lowercase().as_str() {
            "true" | "yes" | "1" => "true".into(),
            "false" | "no" | "0" => "false".into(),
            _ => {
                return Err(bad(format!(
                    "{key} takes true or false (default {default}); \"{value}\" is neither"
                )))
            }
        },
        Kind::List => {
            let inner = value.trim_start_matches('[').trim_end_matches(']');
            let items: Vec<String> = inner
                .split(',')
                .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''))
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()).to_string())
                .collect();
            format!("[{}]", items.join(", "))
        }
        Kind::Word(_) | Kind::Percentile => {
            toml::Value::String(value.trim_matches('"').to_string()).to_string()
        }
        Kind::Map => {
            // "不动产登记中心:8, 税务局:6" (a colon or an equals sign, ASCII or full-width).
            let mut table = toml::Table::new();
            for item in value.split([',', '，']).map(str::trim).filter(|s| !s.is_empty()) {
                let parsed = item
                    .rsplit_once([':', '：', '='])
                    .and_then(|(d, m)| Some((d.trim().trim_matches('"'), m.trim().parse::<f64>().ok()?)));
                match parsed {
                    Some((d, m)) if !d.is_empty() && m.is_finite() => {
                        table.insert(d.to_string(), toml::Value::Float(m));
                    }
                    _ => {
                        return Err(bad(format!(
                            "{key} takes department:minutes pairs, e.g. --set \"{key}=税务局:6, 不动产登记中心:8\"; \"{item}\" is not one"
                        )))
                    }
                }
            }
            toml::Value::Table(table).to_string()
        }
    };
    let normalised = format!("{key}={literal}");
    policy.set(&normalised).map_err(|e| match e {
        Error::Config { what: w, message } => Error::Config {
            what: w.replace(&format!("--set {normalised}"), &what),
            message: match (kind, message.split_once("expected ")) {
                // serde's "unknown variant `x`, expected one of `a`, `b`" in words.
                (Kind::Word(default), Some((_, choices))) => format!(
                    "{key} takes {} (default {default}); \"{value}\" is not one",
                    choices.trim_start_matches("one of ").replace('`', "")
                ),
                _ => message,
            },
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_key_is_listed_with_its_kind() {
        let keys = keys();
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        for k in [
            "demand_change",
            "max_mean_wait_min",
            "locked_windows",
            "calibration",
            "seed",
        ] {
            assert!(names.contains(&k), "{k} missing from {names:?}");
        }
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }

    #[test]
    fn a_typo_finds_its_key_and_nonsense_finds_none() {
        let keys = keys();
        assert_eq!(closest("demand_chnage", &keys), Some("demand_change"));
        assert_eq!(closest("wait_flor_min", &keys), Some("wait_floor_min"));
        assert_eq!(closest("max-utilisation", &keys), Some("max_utilisation"));
        assert_eq!(closest("colour", &keys), None);
    }

    #[test]
    fn comma_lists_numbers_and_booleans_are_read_by_kind() {
        let mut p = Policy::default();
        apply(&mut p, "locked_windows=A01, A02").expect("a list");
        assert_eq!(p.locked_windows, vec!["A01", "A02"]);
        apply(&mut p, "locked_windows=B07").expect("one id");
        assert_eq!(p.locked_windows, vec!["B07"]);
        apply(&mut p, "demand_change=-0.4").expect("a number");
        assert_eq!(p.demand_change, -0.4);
        apply(&mut p, "wait_floor_min=4").expect("a whole number as a number");
        assert_eq!(p.wait_floor_min, 4.0);
        apply(&mut p, "max_mean_wait_min=8").expect("the unset knob");
        assert_eq!(p.max_mean_wait_min, Some(8.0));
        apply(&mut p, "allow_joint=no").expect("a boolean");
        assert!(!p.allow_joint);
        let e = apply(&mut p, "demand_change=abc").expect_err("not a number");
        let text = e.to_string();
        assert!(text.contains("demand_change takes a number"), "{text}");
        apply(
            &mut p,
            "department_mean_wait_min=税务局:6, 不动产登记中心：8",
        )
        .expect("a map");
        assert_eq!(p.department_mean_wait_min.get("税务局"), Some(&6.0));
        assert_eq!(p.department_mean_wait_min.get("不动产登记中心"), Some(&8.0));
        let e = apply(&mut p, "department_mean_wait_min=税务局").expect_err("no minutes");
        assert!(e.to_string().contains("department:minutes"), "{e}");
        apply(&mut p, "percentile_target=80 % within 15 min").expect("a percentile");
        assert_eq!(p.percentile_target.map(|q| q.share), Some(0.8));
        let e = apply(&mut p, "percentile_target=soon").expect_err("not one");
        assert!(e.to_string().contains("90 % within 10 min"), "{e}");
        let e = apply(&mut p, "demand_change=-2").expect_err("out of range");
        assert!(e.to_string().starts_with("--set demand_change=-2"), "{e}");
    }
}
