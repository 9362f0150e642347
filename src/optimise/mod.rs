//! The optimisation (MODEL.md §4–§5): build the MILP from the hall model, solve it, and turn
//! pools back into windows, staff and channels. good_lp stays inside [`milp`].

pub mod assign;
pub mod lp_format;
pub mod milp;
pub mod plan;

pub use plan::{
    plan, prepare, solve, solve_checked, Objective, Plan, PlanRun, Prepared, SimCheck, SimNeed,
};
