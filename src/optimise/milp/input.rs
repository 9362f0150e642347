//! What the MILP is given and what it returns: pools, matters and their channel
//! options, the solver choice, the solution and the reasons none came out.

use std::fmt;

use crate::plan::Objective;

/// A pool of interchangeable windows (department, joint or fallback pool).
#[derive(Debug, Clone)]
pub struct PoolSpec {
    /// Display name (free text; sanitised for the LP file).
    pub name: String,
    /// Mean handling time s̄_p (minutes) used in the wait function.
    pub handle_min: f64,
    /// Squared coefficient of variation of handling time.
    pub cs2: f64,
    /// Lower bound on windows (locks, in-person-required departments).
    pub min_windows: u32,
    /// Upper bound on windows C_p.
    pub max_windows: u32,
    /// A_p(c) for c = 0..=max_windows: the largest load (Erlangs) any slot may
    /// carry with c windows; A_p(0) = 0 and A_p(c) < c.
    pub peak_capacity: Vec<f64>,
    /// T^mean_p (minutes): bound on the arrival-weighted mean wait.
    /// `f64::INFINITY` means no mean target.
    pub mean_target_min: f64,
    /// Empty: every slot is its own queue. Otherwise the pool is collapsed to one
    /// slot carrying the day's total load L, spread over the hours in these shares
    /// (summing to 1): φ(L) = Σ_h φ_c(π_h·L) is the day's waiting (SIPP), still
    /// convex in L, so the perspective cuts stay valid with 1/8 of the rows.
    pub profile: Vec<f64>,
    /// The collapsed pool's day for the transient session model (model.md §3): φ(L)
    /// is its day waiting at load L. `None`: φ is the steady-state SIPP sum over
    /// `profile` (the tests' small instances).
    pub day: Option<crate::model::transient::PoolDay>,
}

/// Arrivals a channel option sends to one pool.
#[derive(Debug, Clone)]
pub struct OptionLoad {
    /// Index into [`MilpInput::pools`].
    pub pool: usize,
    /// Arrivals per hour, one value per slot.
    pub arrivals_per_hour: Vec<f64>,
    /// Handling time (minutes) of these arrivals at that pool.
    pub handle_min: f64,
}

/// One way of serving a matter.
#[derive(Debug, Clone)]
pub struct ChannelOption {
    /// "counter" | "joint" | "online" | "backoffice" (free text for reporting).
    pub label: String,
    /// Where this choice sends the matter's arrivals (may be empty).
    pub loads: Vec<OptionLoad>,
    /// Back-office work (minutes per week) this choice creates.
    pub backoffice_work_min_week: f64,
    /// Hall terminal users per hour needing helpers, one value per slot
    /// (an empty vector means none).
    pub self_service_users_per_hour: Vec<f64>,
}

/// A matter and its allowed channels; option 0 is today's channel ("counter").
#[derive(Debug, Clone)]
pub struct MatterSpec {
    /// Display name (free text; sanitised for the LP file).
    pub name: String,
    /// At least one option.
    pub options: Vec<ChannelOption>,
}

/// The MILP solver. microlp (pure Rust) is always built; HiGHS only with the
/// `highs` cargo feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Solver {
    #[default]
    Microlp,
    Highs,
}

impl Solver {
    pub fn as_str(self) -> &'static str {
        match self {
            Solver::Microlp => "microlp",
            Solver::Highs => "highs",
        }
    }
}

/// Everything the MILP needs, precomputed by the caller.
#[derive(Debug, Clone)]
pub struct MilpInput {
    /// Number of planning slots (hours).
    pub slots: usize,
    /// Window pools.
    pub pools: Vec<PoolSpec>,
    /// Matters and their channel options.
    pub matters: Vec<MatterSpec>,
    /// Windows open today (cap on Σ n_p unless `allow_growth`).
    pub windows_today: u32,
    /// Allow more windows than today.
    pub allow_growth: bool,
    /// Staff today.
    pub staff_today: f64,
    /// Staff kept per kept window.
    pub staff_per_window: f64,
    /// Allow helpers + back office to exceed the staff released.
    pub allow_hiring: bool,
    /// Staff kept back from helpers and back office (without hiring): H + B ≤ released −
    /// this. The planner sets it when its checks add windows after the MILP (each keeps
    /// staff the MILP's plan released), so that the plan solved again leaves them room.
    pub staff_reserve: f64,
    /// Whether stage 1 searches (branch and bound) for a proof that its fewest windows are
    /// the fewest. The planner's re-solves with feedback (floors that are its checks'
    /// verdicts, not the model's) take the heuristics' plan: only the first solve's count
    /// is reported as proven or not.
    pub prove_fewest: bool,
    /// H ≥ helper_share · released.
    pub helper_share: f64,
    /// H ≥ peak self-service users per hour / this.
    pub helper_users_per_hour: f64,
    /// B · this ≥ back-office work (minutes per week).
    pub backoffice_min_per_staff_week: f64,
    /// Tangent points per (pool, c) curve.
    pub tangent_points: usize,
    /// What to optimise.
    pub objective: Objective,
    /// Which solver runs it.
    pub solver: Solver,
}

/// An optimal plan.
#[derive(Debug, Clone, PartialEq)]
pub struct MilpSolution {
    /// n_p per pool.
    pub windows: Vec<u32>,
    /// Option index per matter.
    pub choice: Vec<usize>,
    /// Helpers H (the minimum the plan needs).
    pub helpers: u32,
    /// Back-office staff B (the minimum the plan needs).
    pub backoffice_staff: u32,
    /// Σ_p Σ_h φ_{n_p}(load_{p,h}) with the exact formula at the solution.
    pub waiting_person_min_per_day: f64,
    /// Σ t: the MILP's tangent-cut (lower-bound) value of the same quantity,
    /// evaluated at the plan (equal to the solver's Σ t at an optimum).
    pub model_waiting: f64,
    /// Variables of the (last) model solved.
    pub variables: usize,
    /// Constraints of the (last) model solved.
    pub constraints: usize,
}

/// Why no plan came out.
#[derive(Debug, Clone, PartialEq)]
pub enum MilpError {
    /// No plan meets every constraint.
    Infeasible,
    /// The objective is unbounded (should not happen with valid input).
    Unbounded,
    /// The solver failed.
    Solver(String),
    /// The input is inconsistent.
    BadInput(String),
}

impl fmt::Display for MilpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Infeasible => write!(
                f,
                "no plan meets every waiting target, window cap and staffing constraint"
            ),
            Self::Unbounded => write!(f, "the optimisation model is unbounded"),
            Self::Solver(msg) => write!(f, "the MILP solver failed: {msg}"),
            Self::BadInput(msg) => write!(f, "invalid optimisation input: {msg}"),
        }
    }
}

impl std::error::Error for MilpError {}
