//! The planning MILP of model.md §4: which channel each matter takes, how many
//! windows each pool keeps, and how many helpers and back-office staff the
//! released staff become.
//!
//! Everything queueing-related is precomputed by the caller (capacity tables
//! `A_p(c)`, targets, loads); this module is optimisation over numbers. The only
//! queueing calls are φ_c(a) and its slope, used to place tangent cuts.
//!
//! # Formulation
//! The waiting rate φ_c(a) of a pool is convex in the load `a` for a fixed
//! window count `c`, but `c` is itself a decision. The model therefore
//! disaggregates each pool's load over its window options (`a_{p,c,h}`, non-zero
//! only for the chosen `c`) and under-estimates φ_c by tangents written in
//! *perspective* form, `t ≥ φ'(â)·a + (φ(â) − φ'(â)·â)·y`. With `y` binary this
//! is exactly the tangent for the chosen `c` and `t ≥ 0` for the others; in the
//! LP relaxation it is the convex hull of the on/off convex cost, which is far
//! tighter than big-M linking (Ceria & Soares 1999, "Convex programming for
//! disjunctive convex optimization"; Günlük & Linderoth 2010, "Perspective
//! reformulations of mixed integer nonlinear programs with indicator
//! variables").
//!
//! The model is first written into a small solver-neutral representation
//! ([`LinearModel`]); both [`solve`] (through good_lp) and [`to_lp_format`] are
//! built from it, so the LP file is exactly the model that was solved.
//!
//! # Determinism
//! microlp has no randomness, no threads and (without a time limit) no clock
//! in its decisions, and the model is built in a fixed order, so the same input
//! gives the same solution (checked by a test). On top of that, ties are broken
//! on purpose by a tiny penalty ([`TIE_BREAK`]) on windows and on moving a
//! matter away from its current channel, and helpers / back-office staff are
//! reported at their minimum for the chosen plan.

mod anneal;
mod backend;
mod build;
mod covers;
mod cuts;
mod evaluate;
mod fewest_search;
mod flows;
mod input;
mod linear;
mod local_search;
mod lp_format;
mod rins;
mod stage_one;
mod start;
#[cfg(test)]
mod tests;
mod validate;

use crate::plan::Objective;
use backend::{run_solver, Settings, Solved};
use build::{build, Built, Layout, Stage};
use cuts::CutTable;
use evaluate::{check_pools, check_staff, check_waiting, check_window_cap};
use flows::plan_flows;
pub use input::{
    ChannelOption, MatterSpec, MilpError, MilpInput, MilpSolution, OptionLoad, PoolSpec, Solver,
};
use local_search::{best_sizes, polish, staff_cap};
use stage_one::fewest_below_start;
use start::{complete_start, decode_choice, decode_windows, finish, heuristic_start, start_from};
use validate::{bad, validate};

/// Time given to stage 2 (least waiting among the fewest-window plans). microlp does
/// not close stage 2 on halls of the sample's size in 10 s either (its LP bound is weak:
/// pooling economies make waiting non-convex across window counts, and microlp has no
/// cuts), so a longer wait buys nothing; HiGHS proves it in about half a second.
const STAGE2_SECONDS: f64 = 0.3;

/// Relative MIP gap of the waiting objective. The tangent envelope itself is only
/// accurate to [`CUT_REL_TOL`] (1 %), so proving the last 0.1 % buys nothing but
/// branch-and-bound nodes (most of `plan`'s time on a hall of the sample's size).
const WAITING_GAP: f32 = 1e-3;

/// Solves the plan. `FewestWindows` is lexicographic: first the fewest
/// windows N*, then the least waiting with Σ n_p ≤ N* (two solves, the second
/// warm-started from the first).
pub fn solve(input: &MilpInput) -> Result<MilpSolution, MilpError> {
    solve_timed(input, None).map(|(solution, _)| solution)
}

/// Whether a plan is proven optimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimality {
    /// The fewest windows are proven; the waiting among such plans was not minimised.
    WindowsOnly,
    /// The search finished: no better plan exists (in the model).
    Proven,
    /// The time limit stopped the search: the plan is feasible, maybe not optimal.
    /// `fewest_at_least`: for the fewest windows, the least number any plan of the model
    /// needs (the cover-cut bound), when known.
    TimeLimit { fewest_at_least: Option<u32> },
}

/// [`solve`] with a wall-clock budget (seconds, shared by the two stages of
/// `FewestWindows`). Large halls can take microlp a long time to prove
/// optimality; this returns the best plan found in time. Results that hit the
/// limit depend on machine speed, so they are not reproducible: the report
/// should say so. A run that finishes in time is identical to [`solve`].
pub fn solve_with_time_limit(
    input: &MilpInput,
    seconds: f64,
) -> Result<(MilpSolution, Optimality), MilpError> {
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(bad(format!("time limit {seconds} s must be positive")));
    }
    solve_timed(input, Some(seconds))
}

fn solve_timed(
    input: &MilpInput,
    limit: Option<f64>,
) -> Result<(MilpSolution, Optimality), MilpError> {
    validate(input)?;
    let started = std::time::Instant::now();
    let remaining = || limit.map(|l| (l - started.elapsed().as_secs_f64()).max(0.01));
    let exact = Settings {
        solver: input.solver,
        ..Settings::default()
    };
    // What an unproven answer says about its windows: stage 1's bound, when stage 1 ran.
    let mut stage_one_bound = None;
    let (built, solved, mut proven) = match input.objective {
        Objective::FewestWindows => {
            let (first, solved) = stage_one(input, limit)?;
            let fewest = decode_windows(&first.layout, &solved.values)
                .iter()
                .sum::<u32>();
            let second = build(input, Stage::Waiting { cap: Some(fewest) })?;
            // Stage 1's channels with the least-waiting sizes: a start at least as good as
            // stage 1's own sizes, and what stands if the search cannot improve on it.
            let choice = decode_choice(&first.layout, &solved.values);
            let warm = best_sizes(input, &second, &choice, fewest)
                .and_then(|sizes| start_from(input, &second, &choice, &sizes))
                .or_else(|| complete_start(input, &second, &first, &solved.values));
            let settings = Settings {
                time_limit: Some(remaining().unwrap_or(STAGE2_SECONDS).min(STAGE2_SECONDS)),
                mip_gap: WAITING_GAP,
                ..exact
            };
            // microlp's branch and bound closes stage 2 on small models only; on larger
            // ones the local search gets there faster, and without a clock its result
            // does not depend on the machine's speed.
            if input.solver == Solver::Microlp && second.model.vars.len() > EXACT_STAGE2_VARS {
                if let Some(start) = warm.as_deref() {
                    let sol = finish(input, &second, start)?;
                    let sol = polish(input, &second, sol, fewest)?;
                    return Ok((sol, windows_only(&solved)));
                }
            }
            // Stage 2 only orders plans that already have the fewest windows; when microlp
            // cannot finish it, stage 1's plan stands and the caller says so.
            let stage_two = std::time::Instant::now();
            let last = run_solver(&second.model, warm.as_deref(), settings);
            timing("stage 2 (least waiting): branch and bound", stage_two);
            let last = match last {
                Ok(last) => last,
                Err(_) => {
                    let sol = finish(input, &first, &solved.values)?;
                    let sol = polish(input, &second, sol, fewest)?;
                    return Ok((sol, windows_only(&solved)));
                }
            };
            if solved.proven && !last.proven {
                // The fewest windows are proven; the waiting among them is the best found.
                let sol = finish(input, &second, &last.values)?;
                let sol = polish(input, &second, sol, fewest)?;
                return Ok((sol, Optimality::WindowsOnly));
            }
            let proven = solved.proven;
            stage_one_bound = whole_bound(&solved);
            (second, last, proven)
        }
        Objective::LeastWaiting { max_windows } => {
            let built = build(
                input,
                Stage::Waiting {
                    cap: Some(max_windows),
                },
            )?;
            if input.solver == Solver::Microlp && built.model.vars.len() > EXACT_STAGE2_VARS {
                // As stage 2 of the fewest windows: channels from stage 1, then the local
                // search with up to `max_windows` windows.
                let (first, solved) = stage_one_within(input, max_windows, limit)?;
                let choice = decode_choice(&first.layout, &solved.values);
                let flows = plan_flows(input, &choice);
                let cap = staff_cap(
                    input,
                    max_windows,
                    &flows.self_service,
                    flows.backoffice_work,
                );
                let sizes = best_sizes(input, &built, &choice, cap).ok_or(MilpError::Infeasible)?;
                let values =
                    start_from(input, &built, &choice, &sizes).ok_or(MilpError::Infeasible)?;
                let sol = polish(input, &built, finish(input, &built, &values)?, max_windows)?;
                return Ok((sol, windows_only(&solved)));
            }
            let start = heuristic_start(input, &built);
            let settings = Settings {
                time_limit: remaining(),
                mip_gap: WAITING_GAP,
                ..exact
            };
            let least = std::time::Instant::now();
            let solved = run_solver(&built.model, start.as_deref(), settings);
            timing(
                &format!("least waiting within {max_windows}: branch and bound"),
                least,
            );
            let solved = solved?;
            (built, solved, true)
        }
    };
    proven &= solved.proven;
    let optimality = if proven {
        Optimality::Proven
    } else {
        Optimality::TimeLimit {
            fewest_at_least: stage_one_bound,
        }
    };
    Ok((finish(input, &built, &solved.values)?, optimality))
}

/// What a plan whose waiting was not proven least says about its windows: proven when
/// stage 1 finished, else stopped at the limit with stage 1's bound (before, an unproven
/// stage 1 followed by the local search was reported as proven).
fn windows_only(stage_one: &Solved) -> Optimality {
    if stage_one.proven {
        Optimality::WindowsOnly
    } else {
        Optimality::TimeLimit {
            fewest_at_least: whole_bound(stage_one),
        }
    }
}

/// Stage 1's bound as a window count.
fn whole_bound(stage_one: &Solved) -> Option<u32> {
    // Saturating float→int cast: the bound is a finite window count.
    stage_one.at_least.map(|b| b.max(0.0) as u32)
}

/// Stage 1: the fewest windows, proven with an integral gap, in half the time budget
/// (stage 2 gets whatever is left).
///
/// Solved once per model: the planner asks for it again for every window budget of its
/// descent, with the same input, and `frontier` once more. A solve that does not depend on
/// a clock (proven, or stopped by microlp's node budget) is kept, keyed by the model
/// itself so that another input never hits it, and given back as it was: what solving
/// the same model again deterministically would give.
fn stage_one(input: &MilpInput, limit: Option<f64>) -> Result<(Built, Solved), MilpError> {
    let started = std::time::Instant::now();
    let first = build(input, Stage::Windows)?;
    if let Some(solved) = stage_one_cache::get(&first.model, input.solver) {
        timing(
            "stage 1 (fewest windows, kept from an earlier solve)",
            started,
        );
        return Ok((first, solved));
    }
    let start = heuristic_start(input, &first);
    let gap = integral_gap(&first.layout);
    let mut nodes = None;
    let mut by_clock = true;
    let settings = Settings {
        mip_gap: gap,
        time_limit: limit.map(|l| l / 2.0),
        solver: input.solver,
    };
    let solved = if input.solver == Solver::Microlp {
        match fewest_below_start(input, &first, start.as_deref(), gap) {
            Ok((solved, n)) => {
                nodes = n;
                by_clock = false;
                Ok(solved)
            }
            // A numerical failure of the direct call (microlp's "singular matrix"): the
            // solve through good_lp, with its clock, as before.
            Err(MilpError::Solver(_)) => run_solver(&first.model, start.as_deref(), settings),
            Err(e) => Err(e),
        }
    } else {
        run_solver(&first.model, start.as_deref(), settings)
    };
    let solved = solved.map_err(|e| match e {
        MilpError::Solver(m) => MilpError::Solver(format!("stage 1 (fewest windows): {m}")),
        other => other,
    })?;
    // Kept when it does not depend on a clock: proven, or stopped by the node budget.
    if solved.proven || !by_clock {
        stage_one_cache::put(&first.model, input.solver, &solved);
    }
    timing(
        &format!(
            "stage 1 (fewest windows): {} windows, {} variables, {} rows, {} nodes, {}",
            first.model.objective_at(&solved.values).round(),
            first.model.vars.len(),
            first.model.rows.len(),
            nodes.map_or("?".to_string(), |n| n.to_string()),
            if solved.proven {
                "proven"
            } else {
                "NOT proven"
            }
        ),
        started,
    );
    Ok((first, solved))
}

/// Stage 1 of a least-waiting solve within `max_windows`: the fewest-window model without
/// the budget (the same model as `plan`'s stage 1, so usually already solved). Its plan
/// with N windows is feasible under the budget when N ≤ `max_windows` (and the budget's
/// fewest when proven); a proven N > `max_windows` proves the budget infeasible; an
/// unproven one leaves the budgeted model to be solved.
fn stage_one_within(
    input: &MilpInput,
    max_windows: u32,
    limit: Option<f64>,
) -> Result<(Built, Solved), MilpError> {
    let mut fewest = input.clone();
    fewest.objective = Objective::FewestWindows;
    let (first, solved) = stage_one(&fewest, limit)?;
    let n: u32 = decode_windows(&first.layout, &solved.values).iter().sum();
    if n <= max_windows {
        // Feasible under the budget (and its fewest when proven): its channels seed the
        // least-waiting search as the budgeted model's would.
        return Ok((first, solved));
    }
    if solved.proven {
        return Err(MilpError::Infeasible);
    }
    stage_one(input, limit)
}

/// Proven stage-1 solves, keyed by the model (a handful per process).
mod stage_one_cache {
    use super::backend::Solved;
    use super::input::Solver;
    use super::linear::LinearModel;
    use std::sync::Mutex;

    type Entry = (LinearModel, Solver, Solved);
    static KEPT: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    const KEEP: usize = 4;

    pub(super) fn get(model: &LinearModel, solver: Solver) -> Option<Solved> {
        let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter()
            .find(|(m, s, _)| *s == solver && m == model)
            .map(|(_, _, solved)| solved.clone())
    }

    pub(super) fn put(model: &LinearModel, solver: Solver, solved: &Solved) {
        let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEEP {
            kept.remove(0);
        }
        kept.push((model.clone(), solver, solved.clone()));
    }
}

/// `f(0), …, f(n − 1)` on up to [`threads`] threads, each taking the next index as it
/// finishes the last. Every result depends only on its index, and they are returned in
/// index order, so the answer is the same bytes whatever the threads' timing.
pub(crate) fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads().min(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= n {
                            break mine;
                        }
                        mine.push((i, f(i)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a planning thread panicked"))
            .collect()
    });
    parts.sort_by_key(|&(i, _)| i);
    parts.into_iter().map(|(_, t)| t).collect()
}

/// How the planner runs, from the configuration stage (`HALLPLAN_THREADS`,
/// `HALLPLAN_TIMING`): nothing here changes a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Threads for per-pool work (capacities, cut tables); at most 8.
    pub threads: usize,
    /// Phase timings on stderr (benchmarks).
    pub timing: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            threads: 1,
            timing: false,
        }
    }
}

static RUN: std::sync::RwLock<RunOptions> = std::sync::RwLock::new(RunOptions {
    threads: 1,
    timing: false,
});

/// Sets the run options for what follows in this process (the planner does, once per
/// command, from its configuration).
pub fn set_run_options(options: RunOptions) {
    *RUN.write().unwrap_or_else(|e| e.into_inner()) = options;
}

fn run_options() -> RunOptions {
    *RUN.read().unwrap_or_else(|e| e.into_inner())
}

/// Threads for per-pool work. Results do not depend on it.
pub(crate) fn threads() -> usize {
    run_options().threads.clamp(1, 8)
}

/// A phase's wall time on stderr when timings are asked for (benchmarks only).
pub(crate) fn timing(what: &str, since: std::time::Instant) {
    if run_options().timing {
        eprintln!("[timing] {:8.3} s  {what}", since.elapsed().as_secs_f64());
    }
}

/// Branch-and-bound nodes microlp may spend on stage 1 without a heuristic plan or a
/// root bound (it must find plans itself). A count, not a clock, so that the plan is the
/// same on any machine (as the stage-2 local search's work bound); a solve that reaches it
/// keeps its best plan and is reported as not proven.
const STAGE1_NODES: u64 = 60_000;

/// Nodes for the proof from the heuristics' plan when it is more than one window above
/// the cover-cut bound. Every proof microlp finished from an annealed incumbent on the
/// generated halls and the sample's scenarios had one window left (or none); where the
/// bound was 2–6 windows below (b1, b3, b5), 60 000 nodes (35–52 s) never found a plan
/// with fewer windows than the incumbent, nor would a proof have been possible. So the
/// search here is short: the RINS sub-MIPs have already searched around the incumbent,
/// and the report gives the bound. At three or more windows above the bound there is no
/// search at all: 1 000 nodes took 0.8–1.9 s on b1, b3 and b5 and changed nothing there.
const PROOF_NODES: u64 = 1_000;

/// Nodes for the proof when the plan is one window above the bound: only "no plan has
/// one window fewer" is left, which microlp closes more often (the sample's Binjiang-2020
/// scenario: 5 478 nodes, 4.7 s).
const PROOF_NODES_ONE_WINDOW: u64 = 20_000;

/// A relative MIP gap that still proves optimality for an integer-valued
/// objective (Σ n_p): stopping when (incumbent − bound) ≤ gap·incumbent < 1
/// means no plan with one window fewer exists. microlp does not know the
/// objective is integral, so without this it would keep branching to close
/// a fractional gap that cannot hide a better plan.
fn integral_gap(layout: &Layout) -> f32 {
    let most: u32 = layout
        .y
        .iter()
        .map(|picks| picks.iter().map(|&(c, _)| c).max().unwrap_or(0))
        .sum();
    (0.999 / f64::from(most.max(1))) as f32
}

/// The model in CPLEX LP format. For `FewestWindows` this is the first stage
/// (minimise Σ n_p); the file's header comment states the second stage.
pub fn to_lp_format(input: &MilpInput) -> Result<String, MilpError> {
    validate(input)?;
    let stage = match input.objective {
        Objective::FewestWindows => Stage::Windows,
        Objective::LeastWaiting { max_windows } => Stage::Waiting {
            cap: Some(max_windows),
        },
    };
    let built = build(input, stage)?;
    Ok(lp_format::write_lp(&built.model))
}

/// The fewest helpers and back-office staff a plan needs, and how many people they are
/// short of the staff its cut windows release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffAfter {
    pub helpers: u32,
    pub backoffice: u32,
    /// Whole people beyond the staff released (0 when they fit, or hiring is allowed).
    pub short: u32,
}

impl StaffAfter {
    pub fn fits(&self) -> bool {
        self.short == 0
    }
}

/// [`StaffAfter`] of a plan with `windows` and the channel options `choice`. The
/// exact-mix and replay checks raise pools after the MILP, and the frontier adds windows:
/// each window added keeps staff that the MILP's plan released.
pub fn staff_after(input: &MilpInput, windows: &[u32], choice: &[usize]) -> StaffAfter {
    let total: u32 = windows.iter().sum();
    let flows = plan_flows(input, choice);
    let (helpers, backoffice) = evaluate::minimal_staff(input, total, &flows);
    let need = f64::from(helpers + backoffice);
    let released = evaluate::released_staff(input, total);
    let short = if input.allow_hiring || evaluate::near_le(need, released) {
        0
    } else {
        // Helpers and back office are whole people; the staff released need not be.
        ((need - released - 1e-9).ceil() as u32).max(1)
    };
    StaffAfter {
        helpers,
        backoffice,
        short,
    }
}

/// Exact waiting person-minutes per day of a plan with `windows` and the channel options
/// `choice` (infinite when a loaded pool is saturated): what the MILP reports for its own
/// solution, for a plan the checks changed since.
pub fn waiting_after(input: &MilpInput, windows: &[u32], choice: &[usize]) -> f64 {
    evaluate::exact_waiting(input, windows, &plan_flows(input, choice))
}

/// Re-evaluates every constraint of the model at `sol` without the solver and
/// returns the violations in words (empty when the plan is valid). Also checks
/// that the reported waiting figures match a fresh evaluation.
pub fn check(input: &MilpInput, sol: &MilpSolution) -> Vec<String> {
    let mut issues = Vec::new();
    if let Err(err) = validate(input) {
        return vec![err.to_string()];
    }
    if sol.windows.len() != input.pools.len() || sol.choice.len() != input.matters.len() {
        return vec!["solution has the wrong number of pools or matters".to_string()];
    }
    for (m, (&k, matter)) in sol.choice.iter().zip(&input.matters).enumerate() {
        if k >= matter.options.len() {
            issues.push(format!("matter {m} takes option {k}, which does not exist"));
        }
    }
    if !issues.is_empty() {
        return issues;
    }
    let flows = plan_flows(input, &sol.choice);
    let table = CutTable::new(input);
    check_pools(input, &table, sol, &flows, &mut issues);
    check_window_cap(input, sol, &mut issues);
    check_staff(input, sol, &flows, &mut issues);
    check_waiting(input, &table, sol, &flows, &mut issues);
    issues
}

/// Largest stage-2 model (variables) that microlp's branch and bound is given; larger
/// ones go to the local search.
const EXACT_STAGE2_VARS: usize = 300;
