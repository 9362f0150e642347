//! The plan: what `hallplan plan` decides and `plan.json` holds — every pool before and
//! after, every window's action, every matter's channel, where the staff go — and what a
//! plan is asked to meet. The optimiser builds it, the simulation replays it, the reports
//! render it; none of them owns it.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{Channel, PercentileTarget, Policy, Slots};

fn typical_day() -> Slots {
    Slots::Day
}

/// What a plan optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    /// Fewest windows, then least waiting among plans with that many windows.
    FewestWindows,
    /// Least waiting with at most `max_windows` windows in total.
    LeastWaiting {
        /// Cap on Σ_p n_p.
        max_windows: u32,
    },
}

/// One pool before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPool {
    pub name: String,
    pub kind: PlanPoolKind,
    pub windows_before: u32,
    pub windows_after: u32,
    pub calibration: f64,
    pub target_mean_min: f64,
    pub target_peak_min: f64,
    pub observed_mean_min: Option<f64>,
    /// Today's mean wait by the formula alone (no calibration): the backtest.
    pub formula_mean_min: Option<f64>,
    pub before_mean_min: Option<f64>,
    pub before_p90_min: Option<f64>,
    pub after_mean_min: Option<f64>,
    pub after_p90_min: Option<f64>,
    pub after_arrivals_per_day: f64,
    pub after_peak_load: f64,
    pub before_arrivals_per_day: f64,
    /// Arrivals and load per slot after the plan, for the hourly chart and the simulation.
    pub after_lambda: Vec<f64>,
    pub after_load: Vec<f64>,
    pub after_handle_min: f64,
    pub after_cs2: f64,
    /// The percentile target the pool is held to (`percentile_target`); absent when the
    /// scenario states none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_percentile: Option<PercentileTarget>,
    /// The model's (§3b, calibrated) share of the pool's visitors served within that
    /// target's wait after the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_share_within: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanWindow {
    pub window_id: String,
    pub department: String,
    pub staff: u32,
    pub action: Action,
    /// Why a cut window goes; `None` (an empty string in plan.json) for the others.
    #[serde(with = "reason_text")]
    pub reason: Option<CutReason>,
    /// The pool the window serves after the plan (empty when cut).
    pub pool: String,
    pub staff_destination: StaffDestinations,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanMatter {
    pub matter_id: String,
    pub name: String,
    pub department: String,
    pub weekly_volume: f64,
    pub channel: Channel,
    pub pool: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDepartment {
    pub department: String,
    pub windows_before: u32,
    pub windows_after: u32,
    pub observed_mean_min: Option<f64>,
    pub before_mean_min: Option<f64>,
    pub after_mean_min: Option<f64>,
    pub target_mean_min: f64,
    pub tickets_per_day_before: f64,
    pub arrivals_per_day_after: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffPlan {
    pub today: u32,
    /// Staff of today's windows that the plan keeps (at their window or another pool's).
    pub at_windows: u32,
    pub helpers: u32,
    pub backoffice: u32,
    pub released: u32,
    /// Windows the plan opens beyond today's inventory (a what-if of growth: a budget or
    /// `allow_growth` above today's windows), and the staff they need at today's staff
    /// per window, rounded up. Absent from plan.json when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub new_windows: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub new_window_staff: u32,
    /// People to hire (`allow_hiring`): the new windows' staff, helpers and back office
    /// beyond the staff today's cut windows release. today + hired = at_windows +
    /// new_window_staff + helpers + backoffice + released.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hired: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A complete, re-loadable plan (`plan.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format: String,
    pub policy: Policy,
    pub objective: String,
    pub hours: Vec<u32>,
    pub open_days_per_week: f64,
    /// The planning slots used (model.md §1): `day` (the typical open day) or `week` (each
    /// open weekday) — what `slots = auto` resolved to. Plans written before it read `day`.
    #[serde(default = "typical_day")]
    pub slots: Slots,
    pub windows_before: u32,
    pub windows_after: u32,
    pub waiting_person_min_per_day: f64,
    pub pools: Vec<PlanPool>,
    pub departments: Vec<PlanDepartment>,
    pub windows: Vec<PlanWindow>,
    pub matters: Vec<PlanMatter>,
    pub staff: StaffPlan,
    pub summary: Vec<String>,
    /// Each department's targets and whether the plan meets them (model and replay);
    /// written when the scenario states targets (`department_mean_wait_min`,
    /// `percentile_target`), absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetCheck>,
}

/// One department's targets and the plan's standing against them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetCheck {
    pub department: String,
    /// `stated` (the scenario's `department_mean_wait_min`) or `default` (today's
    /// predicted wait raised to `wait_floor_min`, capped by `max_mean_wait_min`).
    pub source: String,
    /// The mean wait the department is held to (minutes).
    pub mean_target_min: f64,
    pub percentile: Option<PercentileTarget>,
    /// The model's (§3b, calibrated) mean wait and share served within the percentile
    /// target's wait, over the pools its visitors go to.
    pub model_mean_min: Option<f64>,
    pub model_share_within: Option<f64>,
    pub model_met: bool,
    /// The same from the trace replay of the plan (absent without tickets).
    pub replay_mean_min: Option<f64>,
    pub replay_share_within: Option<f64>,
    pub replay_met: Option<bool>,
}

/// Serde through the type's text (`Display` / `FromStr`): plan.json keeps the strings it
/// has always had (`"joint:<group>"`, `"helper+back office"`), which serde's derive cannot
/// spell for variants that carry data, while the code matches on variants.
macro_rules! serde_as_text {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(de::Error::custom)
            }
        }
    };
}

/// What kind of pool: `kind` in plan.json and the report's pool table (the model's
/// `model::PoolKind` without the department, which the pool's name gives).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlanPoolKind {
    /// A department's own windows: `department`.
    Department,
    /// The joint windows of a merge group: `joint:<group>`.
    Joint(String),
    /// The general windows: `fallback`.
    Fallback,
}

impl fmt::Display for PlanPoolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanPoolKind::Department => f.write_str("department"),
            PlanPoolKind::Joint(group) => write!(f, "joint:{group}"),
            PlanPoolKind::Fallback => f.write_str("fallback"),
        }
    }
}

impl FromStr for PlanPoolKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match (s, s.strip_prefix("joint:")) {
            ("department", _) => Ok(PlanPoolKind::Department),
            ("fallback", _) => Ok(PlanPoolKind::Fallback),
            (_, Some(group)) => Ok(PlanPoolKind::Joint(group.to_string())),
            _ => Err(format!(
                "unknown pool kind {s:?} (expected department, joint:<group> or fallback)"
            )),
        }
    }
}

serde_as_text!(PlanPoolKind);

/// What happens to a window: `action` in plan.json and windows.csv.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Stays at its department's pool: `keep`.
    Keep,
    /// Serves the joint pool of a merge group: `joint:<group>`.
    Joint(String),
    /// Serves the fallback pool: `fallback`.
    Fallback,
    /// Closes: `cut`.
    Cut,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Keep => f.write_str("keep"),
            Action::Joint(group) => write!(f, "joint:{group}"),
            Action::Fallback => f.write_str("fallback"),
            Action::Cut => f.write_str("cut"),
        }
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match (s, s.strip_prefix("joint:")) {
            ("keep", _) => Ok(Action::Keep),
            ("fallback", _) => Ok(Action::Fallback),
            ("cut", _) => Ok(Action::Cut),
            (_, Some(group)) => Ok(Action::Joint(group.to_string())),
            _ => Err(format!(
                "unknown window action {s:?} (expected keep, joint:<group>, fallback or cut)"
            )),
        }
    }
}

serde_as_text!(Action);

/// Why a window is cut: `reason` in plan.json and windows.csv.
// Declared in the order of their names: the planner breaks ties between reasons in that
// order (it did so when the reasons were strings), so the plans stay the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CutReason {
    /// Its matters' approval work moves to the back office.
    BackOffice,
    /// Its matters move to the comprehensive (fallback) windows (channel `general`).
    General,
    /// Its matters move to joint windows.
    Merged,
    /// Its matters go online.
    Online,
    /// Capacity the hall does not need.
    Surplus,
}

impl CutReason {
    pub const ALL: [CutReason; 5] = [
        CutReason::BackOffice,
        CutReason::General,
        CutReason::Merged,
        CutReason::Online,
        CutReason::Surplus,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CutReason::BackOffice => "back-office",
            CutReason::General => "general",
            CutReason::Merged => "merged",
            CutReason::Online => "online",
            CutReason::Surplus => "surplus",
        }
    }
}

impl fmt::Display for CutReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CutReason {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        CutReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown cut reason {s:?} (expected merged, online, back-office, general or surplus)"
                )
            })
    }
}

/// `reason` in plan.json: the cut reason's text, or an empty string for a window that stays.
mod reason_text {
    use super::*;

    pub fn serialize<S: Serializer>(reason: &Option<CutReason>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(reason.map_or("", CutReason::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CutReason>, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(de::Error::custom)
    }
}

/// Where a window's staff go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StaffDestination {
    /// They stay at a window: `window`.
    Window,
    /// They become online-service helpers: `helper`.
    Helper,
    /// They move to the back office: `back office`.
    BackOffice,
    /// They are released: `released`.
    Released,
}

impl StaffDestination {
    pub const ALL: [StaffDestination; 4] = [
        StaffDestination::Window,
        StaffDestination::Helper,
        StaffDestination::BackOffice,
        StaffDestination::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffDestination::Window => "window",
            StaffDestination::Helper => "helper",
            StaffDestination::BackOffice => "back office",
            StaffDestination::Released => "released",
        }
    }
}

impl fmt::Display for StaffDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a window's staff go, one destination per group of them in the order they are
/// placed (helpers, back office, released): `staff_destination` in plan.json and
/// windows.csv, joined by `+` (`helper+back office`; empty for a window without staff).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StaffDestinations(pub Vec<StaffDestination>);

impl fmt::Display for StaffDestinations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            f.write_str(d.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for StaffDestinations {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Ok(StaffDestinations::default());
        }
        s.split('+')
            .map(|part| {
                StaffDestination::ALL
                    .into_iter()
                    .find(|d| d.as_str() == part)
                    .ok_or_else(|| {
                        format!(
                            "unknown staff destination {part:?} in {s:?} (expected window, \
                             helper, back office or released, joined by +)"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(StaffDestinations)
    }
}

serde_as_text!(StaffDestinations);

/// A pool whose trace replay misses its target (the simulation check, model.md §6).
#[derive(Debug, Clone, PartialEq)]
pub struct SimNeed {
    /// Index into the plan's pools.
    pub pool: usize,
    /// The plan's windows and the replayed mean wait with them (minutes).
    pub windows: u32,
    pub simulated_min: f64,
    pub target_min: f64,
    /// The fewest windows whose replay meets the target (None: none within the search).
    pub needed: Option<u32>,
    /// With a percentile target: the replayed share served within its wait with the
    /// plan's windows, and the target.
    pub share_within: Option<(f64, PercentileTarget)>,
}

impl Plan {
    /// Arrival-weighted mean wait over the pools after the plan.
    pub fn mean_wait_after(&self) -> Option<f64> {
        let mut num = 0.0;
        let mut den = 0.0;
        for p in &self.pools {
            num += p.after_arrivals_per_day * p.after_mean_min?;
            den += p.after_arrivals_per_day;
        }
        (den > 0.0).then(|| num / den)
    }

    /// Arrival-weighted mean wait over the pools today (the calibrated formula).
    pub fn mean_wait_before(&self) -> Option<f64> {
        let mut num = 0.0;
        let mut den = 0.0;
        for p in &self.pools {
            num += p.before_arrivals_per_day * p.before_mean_min?;
            den += p.before_arrivals_per_day;
        }
        (den > 0.0).then(|| num / den)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(value: &T) -> String {
        serde_json::to_string(value).expect("serialise")
    }

    /// plan.json spells every variant as it did when these fields were strings.
    #[test]
    fn the_enums_keep_the_strings_of_plan_json() {
        assert_eq!(json(&PlanPoolKind::Department), r#""department""#);
        assert_eq!(json(&PlanPoolKind::Joint("证照".into())), r#""joint:证照""#);
        assert_eq!(json(&PlanPoolKind::Fallback), r#""fallback""#);
        assert_eq!(json(&Action::Keep), r#""keep""#);
        assert_eq!(json(&Action::Joint("g1".into())), r#""joint:g1""#);
        assert_eq!(json(&Action::Fallback), r#""fallback""#);
        assert_eq!(json(&Action::Cut), r#""cut""#);
        assert_eq!(json(&Channel::Counter), r#""counter""#);
        assert_eq!(json(&Channel::Joint), r#""joint""#);
        assert_eq!(json(&Channel::Online), r#""online""#);
        assert_eq!(json(&Channel::BackOffice), r#""back-office""#);
        let staff = StaffDestinations(vec![
            StaffDestination::Helper,
            StaffDestination::BackOffice,
            StaffDestination::Released,
        ]);
        assert_eq!(json(&staff), r#""helper+back office+released""#);
        assert_eq!(json(&StaffDestinations::default()), r#""""#);
        for r in CutReason::ALL {
            assert_eq!(r.as_str().parse::<CutReason>(), Ok(r));
        }
    }

    /// A window read back from plan.json is the window written.
    #[test]
    fn windows_round_trip_through_plan_json() {
        for (action, reason, staff) in [
            (Action::Keep, None, vec![StaffDestination::Window]),
            (
                Action::Joint("a:b".into()),
                None,
                vec![StaffDestination::Window],
            ),
            (
                Action::Cut,
                Some(CutReason::BackOffice),
                vec![StaffDestination::Helper, StaffDestination::BackOffice],
            ),
            (Action::Cut, Some(CutReason::Surplus), Vec::new()),
        ] {
            let w = PlanWindow {
                window_id: "A01".into(),
                department: "d".into(),
                staff: 2,
                action,
                reason,
                pool: String::new(),
                staff_destination: StaffDestinations(staff),
            };
            let text = serde_json::to_string(&w).expect("serialise");
            let back: PlanWindow = serde_json::from_str(&text).expect("parse");
            assert_eq!(back, w, "{text}");
        }
        let bad = r#"{"window_id":"A","department":"d","staff":1,"action":"close","reason":"","pool":"","staff_destination":""}"#;
        let err = serde_json::from_str::<PlanWindow>(bad).expect_err("unknown action");
        assert!(
            err.to_string().contains("unknown window action \"close\""),
            "{err}"
        );
    }
}
