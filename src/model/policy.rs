//! Planning policy: every knob of the model with its documented default. Read from a
//! scenario TOML, overridden by `--set key=value`; the report lists the policy used.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Calibration {
    /// The formula as it is.
    None,
    /// Each pool's formula wait scaled by observed/predicted for today's hall.
    Ratio,
    /// `ratio`, and every plan checked by replaying the hall's tickets through it: a pool
    /// whose replayed mean wait misses its target gets the windows the replay needs
    /// (the MILP re-solved with that pool's capacity cut). Without tickets: `ratio`.
    Simulation,
}

/// Where the visitors who still come in person for an online matter are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnlineRemainder {
    /// At the fallback windows (model.md §2).
    Fallback,
    /// At the joint window of the matter's merge group, where it has one (the Binjiang
    /// practice: enterprise set-up went online and its walk-ins to a joint window);
    /// matters without a group still go to the fallback windows.
    Joint,
}

/// Planning slots (model.md §1): hour-of-day over a typical open day, or over each open
/// weekday (`--slots week`); `auto` takes the week when the log holds at least three days
/// of every open weekday and the week backtests better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Slots {
    #[default]
    Auto,
    Day,
    Week,
}

impl Slots {
    pub fn as_str(self) -> &'static str {
        match self {
            Slots::Auto => "auto",
            Slots::Day => "day",
            Slots::Week => "week",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Relative change in in-person demand (−0.40: footfall falls by 40 %).
    pub demand_change: f64,
    /// Opening hours, e.g. "09:00-12:00, 13:30-17:00"; empty = inferred from tickets.
    pub opening_hours: String,
    /// Open days per week; 0 = inferred from tickets.
    pub open_days_per_week: u32,
    /// Planning slots: `day`, `week` or `auto` (model.md §1).
    pub slots: Slots,
    /// Share of a matter's demand that leaves the hall when it goes online, where the
    /// catalogue gives no `online_share`.
    pub online_adoption: f64,
    /// Where the in-person remainder of an online matter is served: "fallback" or "joint".
    pub online_remainder: OnlineRemainder,
    /// Of the demand that goes online, the share that uses the hall's terminals.
    pub self_service_share: f64,
    /// Extra handling time at a joint window (cross-department work).
    pub joint_slowdown: f64,
    /// Extra handling time of a matter served at a comprehensive (fallback) window by
    /// staff who serve every department's matters (the `general` channel).
    pub general_slowdown: f64,
    /// No pool runs above this utilisation in any hour.
    pub max_utilisation: f64,
    /// A department's mean-wait target is never below this (minutes).
    pub wait_floor_min: f64,
    /// Caps every mean-wait target (minutes); unset = no cap.
    pub max_mean_wait_min: Option<f64>,
    /// Mean-wait targets a planner states per department (minutes), in place of the
    /// default (today's wait raised to the floor); `max_mean_wait_min` still caps them.
    /// Left out of plan.json and the report's policy lines when empty, so plans without
    /// stated targets keep their bytes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub department_mean_wait_min: BTreeMap<String, f64>,
    /// "90 % served within 10 min": every pool must serve this share of its visitors
    /// within this wait (model.md §4, checked by the transient model and the replay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile_target: Option<PercentileTarget>,
    /// Peak-hour target = this × the mean target (or today's worst hour if larger).
    pub peak_factor: f64,
    /// Helpers ≥ this share of the staff released.
    pub helper_share: f64,
    /// One helper serves this many terminal users per hour.
    pub helper_users_per_hour: f64,
    /// Back-office minutes one member of staff gives per week (5 days × 7 h × 60 × 0.8).
    pub backoffice_min_per_staff_week: f64,
    pub allow_growth: bool,
    pub allow_hiring: bool,
    pub allow_online: bool,
    pub allow_joint: bool,
    pub allow_backoffice: bool,
    /// May a matter that is not `specialist` move to the comprehensive windows
    /// (the `general` channel)?
    pub allow_general: bool,
    pub calibration: Calibration,
    /// Calibration ratios are clamped to [1/x, x].
    pub calibration_clamp: f64,
    /// Tangent cuts per (pool, window count) curve in the MILP.
    pub tangent_points: usize,
    /// Windows that are never cut, in addition to the inventory's `locked` column.
    pub locked_windows: Vec<String>,
    /// Seed for the simulation checks.
    pub seed: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            demand_change: 0.0,
            opening_hours: String::new(),
            open_days_per_week: 0,
            slots: Slots::Auto,
            online_adoption: 0.5,
            online_remainder: OnlineRemainder::Fallback,
            self_service_share: 0.3,
            joint_slowdown: 0.10,
            general_slowdown: 0.15,
            max_utilisation: 0.95,
            wait_floor_min: 5.0,
            max_mean_wait_min: None,
            department_mean_wait_min: BTreeMap::new(),
            percentile_target: None,
            peak_factor: 2.0,
            helper_share: 0.6,
            helper_users_per_hour: 12.0,
            backoffice_min_per_staff_week: 5.0 * 7.0 * 60.0 * 0.8,
            allow_growth: false,
            allow_hiring: false,
            allow_online: true,
            allow_joint: true,
            allow_backoffice: true,
            allow_general: true,
            calibration: Calibration::Simulation,
            calibration_clamp: 4.0,
            tangent_points: 4,
            locked_windows: Vec::new(),
            seed: 2020,
        }
    }
}

/// Keys whose default is unset or empty, so that the serialised defaults do not list them.
pub const OPTIONAL_KEYS: [&str; 3] = [
    "max_mean_wait_min",
    "department_mean_wait_min",
    "percentile_target",
];

impl Policy {
    /// A scenario file, validated.
    pub fn from_toml(text: &str, file: &str) -> Result<Policy> {
        // A bad scenario file is bad input (exit 2), like any other input file.
        let p: Policy = toml::from_str(text).map_err(|e| Error::BadFile {
            file: file.to_string(),
            message: format!("{} (see examples/scenario.toml for every key)", e.message()),
        })?;
        p.validate(file).map_err(|e| match e {
            Error::Config { what, message } => Error::BadFile {
                file: what,
                message,
            },
            other => other,
        })?;
        Ok(p)
    }

    /// Applies one `key=value` override, parsed as TOML (strings may be bare).
    pub fn set(&mut self, assignment: &str) -> Result<()> {
        let bad = |m: String| Error::Config {
            what: format!("--set {assignment}"),
            message: m,
        };
        let (key, value) = assignment
            .split_once('=')
            .ok_or_else(|| bad("expected key=value".into()))?;
        let key = key.trim();
        let value = value.trim();
        let mut table = toml::Table::try_from(&*self).map_err(|e| bad(e.to_string()))?;
        if !table.contains_key(key) && !OPTIONAL_KEYS.contains(&key) {
            return Err(bad(format!(
                "unknown key {key:?} (keys: {})",
                table.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
        let parsed: toml::Value = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_string()));
        table.insert(key.to_string(), parsed);
        let p: Policy = table
            .try_into()
            .map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
        p.validate(&format!("--set {assignment}"))?;
        *self = p;
        Ok(())
    }

    pub fn validate(&self, what: &str) -> Result<()> {
        let check = |ok: bool, key: &str, expected: &str| -> Result<()> {
            if ok {
                Ok(())
            } else {
                Err(Error::Config {
                    what: format!("{what}: {key}"),
                    message: format!("expected {expected}"),
                })
            }
        };
        check(
            self.demand_change > -1.0 && self.demand_change.is_finite(),
            "demand_change",
            "a change above −1 (e.g. −0.4)",
        )?;
        check(
            (0.0..=1.0).contains(&self.online_adoption),
            "online_adoption",
            "a share in [0, 1]",
        )?;
        check(
            (0.0..=1.0).contains(&self.self_service_share),
            "self_service_share",
            "a share in [0, 1]",
        )?;
        check(self.joint_slowdown >= 0.0, "joint_slowdown", "≥ 0")?;
        check(
            self.general_slowdown >= 0.0 && self.general_slowdown.is_finite(),
            "general_slowdown",
            "≥ 0 (0.15: 15 % slower at a comprehensive window)",
        )?;
        check(
            self.max_utilisation > 0.0 && self.max_utilisation < 1.0,
            "max_utilisation",
            "a share in (0, 1)",
        )?;
        check(self.wait_floor_min >= 0.0, "wait_floor_min", "minutes ≥ 0")?;
        check(
            self.max_mean_wait_min.is_none_or(|v| v > 0.0),
            "max_mean_wait_min",
            "minutes > 0",
        )?;
        for (d, &t) in &self.department_mean_wait_min {
            check(
                t > 0.0 && t.is_finite(),
                &format!("department_mean_wait_min.{d}"),
                "minutes > 0",
            )?;
        }
        check(self.peak_factor >= 1.0, "peak_factor", "≥ 1")?;
        check(
            (0.0..=1.0).contains(&self.helper_share),
            "helper_share",
            "a share in [0, 1]",
        )?;
        check(
            self.helper_users_per_hour > 0.0,
            "helper_users_per_hour",
            "> 0",
        )?;
        check(
            self.backoffice_min_per_staff_week > 0.0,
            "backoffice_min_per_staff_week",
            "> 0",
        )?;
        check(self.calibration_clamp >= 1.0, "calibration_clamp", "≥ 1")?;
        check(
            (2..=64).contains(&self.tangent_points),
            "tangent_points",
            "2 to 64",
        )?;
        check(
            self.open_days_per_week <= 7,
            "open_days_per_week",
            "0 (inferred) to 7",
        )?;
        if !self.opening_hours.trim().is_empty() {
            parse_hours(&self.opening_hours).map_err(|m| Error::Config {
                what: format!("{what}: opening_hours"),
                message: m,
            })?;
        }
        Ok(())
    }

    /// The policy as `key = value` lines for reports.
    pub fn lines(&self) -> Vec<String> {
        toml::Table::try_from(self)
            .map(|t| t.iter().map(|(k, v)| format!("{k} = {v}")).collect())
            .unwrap_or_default()
    }
}

/// A percentile target: `share` of the visitors served within `within_min` minutes.
/// Written as planners say it, "90 % within 10 min" (in the scenario and in plan.json).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PercentileTarget {
    /// Share of the visitors, in (0, 1).
    pub share: f64,
    /// Minutes.
    pub within_min: f64,
}

impl std::fmt::Display for PercentileTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pct = crate::report::fmt_num(100.0 * self.share, 1);
        let pct = pct.trim_end_matches(".0");
        let min = crate::report::fmt_num(self.within_min, 1);
        write!(f, "{pct} % within {} min", min.trim_end_matches(".0"))
    }
}

impl std::str::FromStr for PercentileTarget {
    type Err = String;
    /// "90 % within 10 min", "90% within 10", "0.9 within 10 minutes".
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || {
            format!("\"{s}\" is not a percentile target (expected e.g. \"90 % within 10 min\": a share of the visitors served within a wait)")
        };
        let lower = s.trim().to_lowercase();
        let (left, right) = lower.split_once("within").ok_or_else(bad)?;
        let left = left.trim().trim_end_matches("served").trim();
        let (number, percent) = match left.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (left, false),
        };
        let v: f64 = number.parse().map_err(|_| bad())?;
        let share = if percent { v / 100.0 } else { v };
        let right = right.trim();
        let right = right
            .strip_suffix("minutes")
            .or_else(|| right.strip_suffix("min"))
            .unwrap_or(right)
            .trim();
        let within_min: f64 = right.parse().map_err(|_| bad())?;
        if !(share > 0.0 && share < 1.0) {
            return Err(format!(
                "\"{s}\": the share served must be between 0 and 100 % (exclusive)"
            ));
        }
        if !(within_min > 0.0 && within_min.is_finite()) {
            return Err(format!("\"{s}\": the wait must be a number of minutes > 0"));
        }
        Ok(PercentileTarget { share, within_min })
    }
}

impl Serialize for PercentileTarget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PercentileTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// "09:00-12:00, 13:30-17:00" → sessions in minutes from midnight.
pub fn parse_hours(s: &str) -> std::result::Result<Vec<(u32, u32)>, String> {
    let mut out = Vec::new();
    for part in s
        .split([',', '，', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = part
            .split_once(['-', '–', '~'])
            .ok_or_else(|| format!("\"{part}\" is not a session (expected HH:MM-HH:MM)"))?;
        let (a, b) = (clock(a.trim())?, clock(b.trim())?);
        if b <= a {
            return Err(format!("session \"{part}\" ends before it starts"));
        }
        out.push((a, b));
    }
    if out.is_empty() {
        return Err("no session given (expected e.g. 09:00-12:00, 13:30-17:00)".into());
    }
    Ok(out)
}

fn clock(s: &str) -> std::result::Result<u32, String> {
    let (h, m) = s.split_once(':').unwrap_or((s, "0"));
    match (h.parse::<u32>(), m.parse::<u32>()) {
        (Ok(h), Ok(m)) if h <= 24 && m < 60 && h * 60 + m <= 1440 => Ok(h * 60 + m),
        _ => Err(format!("\"{s}\" is not a clock time (expected HH:MM)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_scenario_lists_every_default() {
        let text = include_str!("../../examples/scenario.toml");
        let p = Policy::from_toml(text, "examples/scenario.toml").expect("it parses");
        assert_eq!(p, Policy::default());
        for key in toml::Table::try_from(Policy::default())
            .expect("a table")
            .keys()
        {
            assert!(
                text.lines()
                    .any(|l| l.trim_start_matches("# ").starts_with(key.as_str())),
                "examples/scenario.toml documents {key}"
            );
        }
    }

    #[test]
    fn the_binjiang_scenario_parses() {
        let text = include_str!("../../examples/binjiang-2020.toml");
        let p = Policy::from_toml(text, "examples/binjiang-2020.toml").expect("it parses");
        // The sample's tickets are June 2020, after the fall: no demand change on top.
        assert_eq!(p.demand_change, 0.0);
        assert_eq!(p.online_remainder, OnlineRemainder::Joint);
        assert!(p.allow_general && p.allow_backoffice && p.helper_share >= 0.6);
    }

    #[test]
    fn set_overrides_one_key_and_rejects_unknown_ones() {
        let mut p = Policy::default();
        p.set("demand_change=-0.4").expect("sets");
        assert_eq!(p.demand_change, -0.4);
        p.set("calibration=none").expect("bare strings work");
        assert_eq!(p.calibration, Calibration::None);
        p.set("max_mean_wait_min=8").expect("optional key");
        assert_eq!(p.max_mean_wait_min, Some(8.0));
        let e = p.set("demand_chnage=0.1").expect_err("typo");
        assert!(e.to_string().contains("unknown key"), "{e}");
        assert!(p.set("max_utilisation=1.5").is_err());
    }

    #[test]
    fn scenario_files_reject_unknown_keys() {
        assert!(Policy::from_toml("demand_change = -0.2\nwait_floor_min = 4\n", "s.toml").is_ok());
        let e = Policy::from_toml("demand = 1\n", "s.toml").expect_err("unknown");
        assert!(e.to_string().contains("s.toml"), "{e}");
    }

    #[test]
    fn a_percentile_target_reads_as_planners_write_it() {
        let q = |s: &str| s.parse::<PercentileTarget>();
        let ninety = PercentileTarget {
            share: 0.9,
            within_min: 10.0,
        };
        assert_eq!(q("90 % within 10 min"), Ok(ninety));
        assert_eq!(q("90% within 10"), Ok(ninety));
        assert_eq!(q("0.9 within 10 minutes"), Ok(ninety));
        assert_eq!(q("90 % served within 10 min"), Ok(ninety));
        assert_eq!(ninety.to_string(), "90 % within 10 min");
        let odd = PercentileTarget {
            share: 0.825,
            within_min: 7.5,
        };
        assert_eq!(q(&odd.to_string()), Ok(odd), "{odd}");
        for bad in [
            "90 %",
            "within 10",
            "100 % within 10",
            "90 % within 0",
            "ninety within 10",
        ] {
            assert!(q(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stated_targets_parse_from_a_scenario_and_stay_out_of_the_defaults() {
        let text = "percentile_target = \"90 % within 10 min\"\n[department_mean_wait_min]\n\"税务局\" = 6\n\"不动产登记中心\" = 8.5\n";
        let p = Policy::from_toml(text, "s.toml").expect("it parses");
        assert_eq!(p.department_mean_wait_min.get("税务局"), Some(&6.0));
        assert_eq!(p.department_mean_wait_min.get("不动产登记中心"), Some(&8.5));
        assert_eq!(p.percentile_target.map(|q| q.within_min), Some(10.0));
        // Written back the way it was read (plan.json, the report's policy lines).
        assert!(p
            .lines()
            .contains(&"percentile_target = \"90 % within 10 min\"".to_string()));
        let json = serde_json::to_value(&p).expect("json");
        assert_eq!(json["department_mean_wait_min"]["税务局"], 6.0);
        // Unset, they are not written: plans without stated targets keep their bytes.
        let json = serde_json::to_value(Policy::default()).expect("json");
        assert!(json.get("department_mean_wait_min").is_none());
        assert!(json.get("percentile_target").is_none());
        let e = Policy::from_toml("percentile_target = \"most within 10\"\n", "s.toml")
            .expect_err("not a target");
        assert!(
            e.to_string().contains("s.toml")
                && e.to_string().contains("e.g. \"90 % within 10 min\""),
            "{e}"
        );
        let e = Policy::from_toml("department_mean_wait_min = { \"税务局\" = 0 }\n", "s.toml")
            .expect_err("zero minutes");
        assert!(
            e.to_string().contains("department_mean_wait_min.税务局"),
            "{e}"
        );
    }

    #[test]
    fn opening_hours_parse() {
        assert_eq!(
            parse_hours("09:00-12:00, 13:30-17:00"),
            Ok(vec![(540, 720), (810, 1020)])
        );
        assert!(parse_hours("17:00-09:00").is_err());
    }
}
