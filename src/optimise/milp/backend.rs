//! The only place that names good_lp: the linear model handed to microlp or (with the
//! `highs` feature) HiGHS, and the solver's answer read back.

use good_lp::{ProblemVariables, Solution, SolverModel, Variable};

use super::input::{MilpError, Solver};
use super::linear::{LinearModel, Row, Sense, VarDef, VarKind};

/// Solver knobs (internal: the public API always proves optimality).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Settings {
    /// Relative MIP gap at which the search may stop.
    pub(super) mip_gap: f32,
    /// Wall-clock limit (seconds); only for profiling, it breaks determinism.
    pub(super) time_limit: Option<f64>,
    pub(super) solver: Solver,
}

/// Solves `model` and returns the value of every variable. good_lp stays
/// inside this function; `warm` is a full start vector (microlp only).
pub(super) fn run_solver(
    model: &LinearModel,
    warm: Option<&[f64]>,
    settings: Settings,
) -> Result<Solved, MilpError> {
    let mut problem_vars = ProblemVariables::new();
    let vars: Vec<Variable> = model
        .vars
        .iter()
        .map(|v| problem_vars.add(variable_definition(v)))
        .collect();
    let objective = expression(&model.objective, &vars);
    let unsolved = problem_vars.minimise(objective);
    match settings.solver {
        Solver::Microlp => {
            use good_lp::{WithInitialSolution, WithMipGap, WithTimeLimit};
            let mut solver = unsolved.using(good_lp::microlp);
            if settings.mip_gap > 0.0 {
                solver = solver
                    .with_mip_gap(settings.mip_gap)
                    .map_err(|e| MilpError::Solver(e.to_string()))?;
            }
            if let Some(seconds) = settings.time_limit {
                solver = solver.with_time_limit(seconds);
            }
            let solver = match warm {
                Some(start) => {
                    solver.with_initial_solution(vars.iter().copied().zip(start.iter().copied()))
                }
                None => solver,
            };
            solve_rows(solver, model, &vars)
        }
        #[cfg(feature = "highs")]
        Solver::Highs => {
            // good_lp's HiGHS model takes no start solution; one thread keeps runs
            // reproducible.
            // HiGHS's default gaps (1e-4 relative, 1e-6 absolute) would stop before the
            // 1e-8 tie-breaks decide: set both to what microlp is given.
            let mut solver = unsolved
                .using(good_lp::highs)
                .set_threads(1)
                .set_mip_rel_gap(settings.mip_gap)
                .and_then(|s| s.set_mip_abs_gap(0.0))
                .map_err(|e| MilpError::Solver(e.to_string()))?;
            if let Some(seconds) = settings.time_limit {
                solver = solver.set_time_limit(seconds);
            }
            solve_rows(solver, model, &vars)
        }
        #[cfg(not(feature = "highs"))]
        Solver::Highs => Err(MilpError::Solver(
            "this hallplan was built without HiGHS: build it with `cargo build --release --features highs`, or use --solver microlp".into(),
        )),
    }
}

/// Variable values and whether the search finished (a MIP-gap stop counts:
/// the only gap used is [`super::integral_gap`], which is a proof).
#[derive(Debug, Clone)]
pub(super) struct Solved {
    pub(super) values: Vec<f64>,
    pub(super) proven: bool,
    /// A proven lower bound on the objective (stage 1: the cover-cut relaxation's bound
    /// rounded up), when one is known: what an unproven plan can still say.
    pub(super) at_least: Option<f64>,
}

pub(super) fn solve_rows<M: SolverModel>(
    mut solver: M,
    model: &LinearModel,
    vars: &[Variable],
) -> Result<Solved, MilpError>
where
    M::Error: Into<good_lp::ResolutionError>,
{
    for row in &model.rows {
        let lhs = expression(&row.terms, vars);
        let constraint = match row.sense {
            Sense::Le => good_lp::constraint::leq(lhs, row.rhs),
            Sense::Ge => good_lp::constraint::geq(lhs, row.rhs),
            Sense::Eq => good_lp::constraint::eq(lhs, row.rhs),
        };
        solver.add_constraint(constraint);
    }
    let solution = solver.solve().map_err(|e| map_error(e.into()))?;
    Ok(Solved {
        values: vars.iter().map(|&v| solution.value(v)).collect(),
        proven: !matches!(solution.status(), good_lp::SolutionStatus::TimeLimit),
        at_least: None,
    })
}

pub(super) fn variable_definition(var: &VarDef) -> good_lp::VariableDefinition {
    let def = good_lp::variable().min(var.lower).max(var.upper);
    match var.kind {
        VarKind::Continuous => def,
        VarKind::Integer => def.integer(),
        VarKind::Binary => def.binary(),
    }
}

pub(super) fn expression(terms: &[(usize, f64)], vars: &[Variable]) -> good_lp::Expression {
    let mut expr = good_lp::Expression::with_capacity(terms.len());
    for &(var, coef) in terms {
        expr.add_mul(coef, vars[var]);
    }
    expr
}

pub(super) fn map_error(error: good_lp::ResolutionError) -> MilpError {
    match error {
        good_lp::ResolutionError::Infeasible => MilpError::Infeasible,
        good_lp::ResolutionError::Unbounded => MilpError::Unbounded,
        other => MilpError::Solver(other.to_string()),
    }
}

/// microlp called directly, with a node budget instead of a clock: the same model gives
/// the same answer on any machine (a budget that runs out makes the answer unproven, and
/// the caller says so). Returns the values and whether the search finished (or stopped
/// at `mip_gap`, which callers only set to a gap that proves) — `None` when the budget
/// ran out before any plan was found — and the nodes solved.
///
/// `whole`: the objective is a whole number at every integer point (stage 1's window
/// count), so a node is pruned unless its bound beats the incumbent by nearly one
/// (0.999·incumbent/N, N the start's objective: under one while the incumbent has at most
/// N). Valid, and it cut the nodes of a proof from an optimal start by half or more
/// (16 053 → 5 478 on the sample's Binjiang-2020 scenario, 205 → 94 on a generated hall).
pub(super) fn run_microlp_nodes(
    model: &LinearModel,
    warm: Option<&[f64]>,
    mip_gap: f32,
    node_limit: u64,
    whole: bool,
) -> Result<(Option<Solved>, u64), MilpError> {
    let (problem, vars) = microlp_problem(model, false);
    let mut options = microlp::SolveOptions::default();
    options.mip_gap = f64::from(mip_gap);
    options.node_limit = Some(node_limit);
    if let (true, Some(start)) = (whole, warm) {
        let n = model.objective_at(start).round().max(1.0);
        options.tolerances.prune_epsilon = 0.999 / n;
    }
    options.warm_start = warm.map(|w| vars.iter().copied().zip(w.iter().copied()).collect());
    let outcome = problem.solve_with(options).map_err(|e| match e {
        microlp::Error::Infeasible => MilpError::Infeasible,
        microlp::Error::Unbounded => MilpError::Unbounded,
        other => MilpError::Solver(other.to_string()),
    })?;
    let solution = match outcome.into_solution() {
        Ok(solution) => solution,
        // The node budget ran out before any plan was found.
        Err(interrupted) => return Ok((None, interrupted.stats().nodes_solved)),
    };
    let nodes = solution.stats().nodes_solved;
    let proven = !matches!(
        solution.termination_reason(),
        microlp::TerminationReason::NodeLimit | microlp::TerminationReason::TimeLimit
    );
    Ok((
        Some(Solved {
            values: vars.iter().map(|&v| solution.var_value(v)).collect(),
            proven,
            at_least: None,
        }),
        nodes,
    ))
}

/// An LP relaxation kept solved, to which rows are added one at a time: each addition is
/// a few dual simplex pivots from the last basis, not a solve from scratch (the cover
/// cuts of stage 1 add tens of rows over up to 12 rounds).
pub(super) struct Relaxation {
    solution: microlp::Solution,
    vars: Vec<microlp::Variable>,
}

fn relaxation_error(e: microlp::Error) -> MilpError {
    match e {
        microlp::Error::Infeasible => MilpError::Infeasible,
        microlp::Error::Unbounded => MilpError::Unbounded,
        other => MilpError::Solver(other.to_string()),
    }
}

impl Relaxation {
    pub(super) fn solve(model: &LinearModel) -> Result<Self, MilpError> {
        let (problem, vars) = microlp_problem(model, true);
        let solution = problem
            .solve()
            .map_err(relaxation_error)?
            .into_solution()
            .map_err(|_| MilpError::Solver("the LP relaxation was interrupted".into()))?;
        Ok(Self { solution, vars })
    }

    /// The relaxation's values, in the model's variable order.
    pub(super) fn values(&self) -> Vec<f64> {
        self.vars
            .iter()
            .map(|&v| self.solution.var_value_raw(v))
            .collect()
    }

    /// The relaxation with `row` added, re-solved from the current basis.
    pub(super) fn with_row(self, row: &Row) -> Result<Self, MilpError> {
        let (sign, op) = row_sense(row.sense);
        let mut expr = microlp::LinearExpr::empty();
        for &(var, coef) in &row.terms {
            expr.add(self.vars[var], sign * coef);
        }
        let solution = self
            .solution
            .add_constraint(expr, op, sign * row.rhs)
            .map_err(relaxation_error)?
            .into_solution()
            .map_err(|_| MilpError::Solver("the LP relaxation was interrupted".into()))?;
        Ok(Self {
            solution,
            vars: self.vars,
        })
    }
}

/// As good_lp hands rows to microlp: ≥ rows negated into ≤ rows.
fn row_sense(sense: Sense) -> (f64, microlp::ComparisonOp) {
    match sense {
        Sense::Le => (1.0, microlp::ComparisonOp::Le),
        Sense::Ge => (-1.0, microlp::ComparisonOp::Le),
        Sense::Eq => (1.0, microlp::ComparisonOp::Eq),
    }
}

/// `model` as a microlp problem (`relaxed`: every variable continuous).
fn microlp_problem(
    model: &LinearModel,
    relaxed: bool,
) -> (microlp::Problem, Vec<microlp::Variable>) {
    let mut objective = vec![0.0; model.vars.len()];
    for &(var, coef) in &model.objective {
        objective[var] += coef;
    }
    let mut problem = microlp::Problem::new(microlp::OptimizationDirection::Minimize);
    let whole = |x: f64, up: bool| -> i32 {
        if x.is_infinite() {
            if x > 0.0 {
                i32::MAX
            } else {
                i32::MIN
            }
        } else if up {
            x.ceil().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
        } else {
            x.floor().clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
        }
    };
    let vars: Vec<microlp::Variable> = model
        .vars
        .iter()
        .zip(&objective)
        .map(|(v, &coef)| match v.kind {
            VarKind::Integer | VarKind::Binary if !relaxed => {
                problem.add_integer_var(coef, (whole(v.lower, true), whole(v.upper, false)))
            }
            _ => problem.add_var(coef, (v.lower, v.upper)),
        })
        .collect();
    for row in &model.rows {
        let (sign, op) = row_sense(row.sense);
        let mut expr = microlp::LinearExpr::empty();
        for &(var, coef) in &row.terms {
            expr.add(vars[var], sign * coef);
        }
        problem.add_constraint(expr, op, sign * row.rhs);
    }
    (problem, vars)
}
