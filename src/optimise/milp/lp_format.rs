//! Writer for the CPLEX LP file format.
//!
//! The model is written from the same intermediate representation
//! ([`LinearModel`]) that [`super::solve`] hands to the solver, so the
//! file is exactly the model that was solved and can be fed to any external
//! solver (HiGHS, CBC, CPLEX, Gurobi, SCIP) to cross-check a plan.
//!
//! Format notes (why the writer looks the way it does):
//! - Lines are kept well under the 255-character limit some readers impose, so
//!   long rows are wrapped onto continuation lines (allowed anywhere between terms).
//! - Constants never appear on the left-hand side: the model builder already
//!   moves them to the right-hand side. An objective constant, which not every
//!   reader accepts, becomes the coefficient of a variable fixed at 1, so that a
//!   solver's objective is the model's (stage 1: the window count, including the
//!   windows of pools with a single admissible size) — written as a comment it was
//!   easy to miss, and HiGHS's optimum then looked 4–5 windows below hallplan's.
//! - Binary variables only appear in `Binary` (which implies bounds 0..1);
//!   every continuous and general-integer variable gets an explicit line in
//!   `Bounds`, so a reader never has to rely on the default bounds.

use std::fmt::Write as _;

use super::linear::{LinearModel, Sense, VarDef, VarKind};

/// The variable fixed at 1 that carries the objective constant.
const CONSTANT_VAR: &str = "objective_constant";

/// Longest line the writer produces before wrapping (readers accept 255).
const MAX_LINE: usize = 200;

/// Writes `model` in CPLEX LP format.
pub(crate) fn write_lp(model: &LinearModel) -> String {
    if model.objective_constant != 0.0 {
        let mut fixed = model.clone();
        fixed.vars.push(VarDef {
            name: CONSTANT_VAR.to_string(),
            kind: VarKind::Continuous,
            lower: 1.0,
            upper: 1.0,
        });
        fixed
            .objective
            .push((fixed.vars.len() - 1, model.objective_constant));
        fixed.objective_constant = 0.0;
        fixed.comments.push(format!(
            "objective constant {} written as its coefficient on {CONSTANT_VAR} = 1",
            number(model.objective_constant)
        ));
        return write_lp(&fixed);
    }
    let mut out = String::new();
    for line in &model.comments {
        push_line(&mut out, &format!("\\ {line}"));
    }
    push_line(&mut out, "Minimize");
    write_expression(&mut out, model, " obj:", &model.objective, None);
    push_line(&mut out, "Subject To");
    for row in &model.rows {
        let tail = format!("{} {}", sense_token(row.sense), number(row.rhs));
        write_expression(
            &mut out,
            model,
            &format!(" {}:", row.name),
            &row.terms,
            Some(&tail),
        );
    }
    write_bounds(&mut out, model);
    write_kind_section(&mut out, model, "General", VarKind::Integer);
    write_kind_section(&mut out, model, "Binary", VarKind::Binary);
    push_line(&mut out, "End");
    out
}

/// Turns free text into an LP-safe identifier fragment: ASCII letters, digits
/// and single underscores only. Anything else (Chinese names, spaces,
/// punctuation) collapses to `_`; the result may be empty, in which case the
/// caller's index prefix alone identifies the object.
pub(crate) fn sanitise(text: &str, max_len: usize) -> String {
    let mut out = String::new();
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= max_len {
            break;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

fn sense_token(sense: Sense) -> &'static str {
    match sense {
        Sense::Le => "<=",
        Sense::Ge => ">=",
        Sense::Eq => "=",
    }
}

/// Formats a coefficient so that every LP reader parses it back exactly:
/// plain decimals for ordinary magnitudes, scientific notation otherwise
/// (Rust's `Display` would print 1e-12 as a long run of zeros).
fn number(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || (1e-4..1e12).contains(&magnitude) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

/// Writes `head term term … tail`, wrapping before `MAX_LINE`.
fn write_expression(
    out: &mut String,
    model: &LinearModel,
    head: &str,
    terms: &[(usize, f64)],
    tail: Option<&str>,
) {
    let mut line = head.to_string();
    let mut tokens: Vec<String> = terms
        .iter()
        .filter(|(_, coef)| *coef != 0.0)
        .map(|&(var, coef)| {
            let sign = if coef < 0.0 { '-' } else { '+' };
            format!("{sign} {} {}", number(coef.abs()), model.vars[var].name)
        })
        .collect();
    if tokens.is_empty() {
        // An empty objective or row still needs a term to be well formed.
        tokens.push(match model.vars.first() {
            Some(var) => format!("0 {}", var.name),
            None => "0 dummy".to_string(),
        });
    }
    if let Some(tail) = tail {
        tokens.push(tail.to_string());
    }
    for token in tokens {
        if line.len() + 1 + token.len() > MAX_LINE {
            push_line(out, &line);
            line = "   ".to_string();
        }
        line.push(' ');
        line.push_str(&token);
    }
    push_line(out, &line);
}

fn write_bounds(out: &mut String, model: &LinearModel) {
    push_line(out, "Bounds");
    for var in model.vars.iter().filter(|v| v.kind != VarKind::Binary) {
        let line = match (var.lower.is_finite(), var.upper.is_finite()) {
            (true, true) if var.lower == var.upper => {
                format!(" {} = {}", var.name, number(var.lower))
            }
            (true, true) => format!(
                " {} <= {} <= {}",
                number(var.lower),
                var.name,
                number(var.upper)
            ),
            (true, false) => format!(" {} >= {}", var.name, number(var.lower)),
            (false, true) => format!(" -inf <= {} <= {}", var.name, number(var.upper)),
            (false, false) => format!(" {} free", var.name),
        };
        push_line(out, &line);
    }
}

fn write_kind_section(out: &mut String, model: &LinearModel, title: &str, kind: VarKind) {
    let names: Vec<&str> = model
        .vars
        .iter()
        .filter(|v| v.kind == kind)
        .map(|v| v.name.as_str())
        .collect();
    if names.is_empty() {
        return;
    }
    push_line(out, title);
    let mut line = String::new();
    for name in names {
        if line.len() + 1 + name.len() > MAX_LINE {
            push_line(out, &line);
            line.clear();
        }
        line.push(' ');
        line.push_str(name);
    }
    push_line(out, &line);
}

fn push_line(out: &mut String, line: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise_keeps_ascii_and_drops_the_rest() {
        assert_eq!(sanitise("Tax office", 24), "Tax_office");
        assert_eq!(sanitise("税务", 24), "");
        assert_eq!(sanitise("社保 Social-Security!", 24), "Social_Security");
        assert_eq!(sanitise("abcdefghij", 4), "abcd");
    }

    #[test]
    fn an_objective_constant_is_a_variable_fixed_at_one() {
        let model = LinearModel {
            vars: vec![VarDef {
                name: "y_p0_c1".into(),
                kind: VarKind::Binary,
                lower: 0.0,
                upper: 1.0,
            }],
            objective: vec![(0, 1.0)],
            objective_constant: 4.0,
            ..LinearModel::default()
        };
        let text = write_lp(&model);
        assert!(
            text.contains(" obj: + 1 y_p0_c1 + 4 objective_constant"),
            "{text}"
        );
        assert!(text.contains("\n objective_constant = 1\n"), "{text}");
        // Without a constant the file has no such variable.
        let plain = write_lp(&LinearModel {
            objective_constant: 0.0,
            ..model
        });
        assert!(!plain.contains("objective_constant"), "{plain}");
    }

    #[test]
    fn numbers_round_trip() {
        for value in [0.0, 1.0, -2.5, 1e-12, 3.25e15, 0.1, 123456.789] {
            let text = number(value);
            assert_eq!(text.parse::<f64>().ok(), Some(value), "{text}");
        }
        assert_eq!(number(1e-12), "1e-12");
    }
}
