//! The optimisation (model.md §4–§5): prepare the MILP from the hall model, solve it, and
//! turn pools back into windows, staff and channels. good_lp stays inside
//! [`milp`]'s backend; the plan it produces is [`crate::plan::Plan`].

pub mod assign;
pub mod cache;
pub mod milp;
pub mod prepare;
pub mod solve;
pub mod staffing;

pub use cache::HallCache;
pub use prepare::{prepare, prepare_with, Prepared};
pub use solve::{
    attempt, attempt_with, checked, formula_plan, solve, spend_windows, waiting_of, Attempt,
    Feedback, PlanRun,
};
