//! The solver-neutral model: variables, rows and objective. Both the good_lp backend
//! and the LP-file writer are built from it, so the LP file is exactly the model that
//! was solved.

/// Kind of a model variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarKind {
    Continuous,
    Integer,
    Binary,
}

/// A model variable with its bounds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VarDef {
    pub name: String,
    pub kind: VarKind,
    pub lower: f64,
    pub upper: f64,
}

/// Row sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sense {
    Le,
    Ge,
    Eq,
}

/// A sparse constraint row `Σ coef·var  sense  rhs`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub name: String,
    pub terms: Vec<(usize, f64)>,
    pub sense: Sense,
    pub rhs: f64,
}

/// A minimisation MILP in solver-neutral form.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LinearModel {
    pub comments: Vec<String>,
    pub vars: Vec<VarDef>,
    pub rows: Vec<Row>,
    pub objective: Vec<(usize, f64)>,
    pub objective_constant: f64,
}

impl LinearModel {
    /// The objective at `values` (constant included).
    pub(crate) fn objective_at(&self, values: &[f64]) -> f64 {
        self.objective_constant
            + self
                .objective
                .iter()
                .map(|&(var, coef)| coef * values[var])
                .sum::<f64>()
    }

    /// Whether `values` meets every bound, integrality and row within `tol`.
    pub(crate) fn is_feasible(&self, values: &[f64], tol: f64) -> bool {
        values.len() == self.vars.len()
            && self.vars.iter().zip(values).all(|(var, &x)| {
                x >= var.lower - tol
                    && x <= var.upper + tol
                    && (var.kind == VarKind::Continuous || (x - x.round()).abs() <= tol)
            })
            && self.rows.iter().all(|row| {
                let lhs: f64 = row
                    .terms
                    .iter()
                    .map(|&(var, coef)| coef * values[var])
                    .sum();
                match row.sense {
                    Sense::Le => lhs <= row.rhs + tol,
                    Sense::Ge => lhs >= row.rhs - tol,
                    Sense::Eq => (lhs - row.rhs).abs() <= tol,
                }
            })
    }
}
