//! The planning model (model.md §1–§2): demand per matter and hour, channels, pools, and
//! the evaluation of a configuration with the queueing formulas (§3) and calibration (§6).

pub mod demand;
pub mod evaluate;
#[cfg(test)]
mod general_tests;
pub mod policy;
pub mod slots;
pub mod transient;

pub use demand::{HallModel, Pool, PoolKind};
pub use policy::{Calibration, OnlineRemainder, PercentileTarget, Policy, Slots};

/// Where a matter is served: `channel` in plan.json and matters.csv, spelt as
/// [`Channel::as_str`] (`back-office`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    Counter,
    Joint,
    Online,
    BackOffice,
    /// The comprehensive window (综合窗口, "一窗受理", model.md §2): all of the matter's
    /// in-person demand at the fallback windows, handling × (1 + `general_slowdown`).
    General,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Joint => "joint",
            Channel::Online => "online",
            Channel::BackOffice => "back-office",
            Channel::General => "general",
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
