//! The plan: what `hallplan plan` decides and `plan.json` holds — every pool before and
//! after, every window's action, every matter's channel, where the staff go — and what a
//! plan is asked to meet. The optimiser builds it, the simulation replays it, the reports
//! render it; none of them owns it.

use serde::{Deserialize, Serialize};

use crate::model::{Policy, Slots};

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
    pub kind: String,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanWindow {
    pub window_id: String,
    pub department: String,
    pub staff: u32,
    /// keep, joint:<group>, fallback, cut
    pub action: String,
    /// online, merged, back-office, surplus (for cut windows); empty otherwise.
    pub reason: String,
    /// The pool the window serves after the plan (empty when cut).
    pub pool: String,
    /// window, helper, back office, released
    pub staff_destination: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanMatter {
    pub matter_id: String,
    pub name: String,
    pub department: String,
    pub weekly_volume: f64,
    pub channel: String,
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
    pub at_windows: u32,
    pub helpers: u32,
    pub backoffice: u32,
    pub released: u32,
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
}

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
