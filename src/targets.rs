//! Targets a planner states (issue 14 item 6, model.md §4): per-department mean-wait
//! targets (`department_mean_wait_min`) and a percentile target (`percentile_target`,
//! "90 % within 10 min") in the scenario, beside the defaults.
//!
//! Where they act: the MILP's per-pool targets and capacities
//! ([`crate::optimise::prepare`]: a joint or fallback pool takes the strictest target of
//! the departments that may feed it; the percentile target lowers every capacity A_p(c) to
//! the load at which the transient model still serves the share within the wait), the
//! exact-mix repair, and the planner's replay check ([`crate::simulate::check`]: a pool
//! whose replay serves less than the share within the wait gets more windows). This
//! module checks the scenario's department names against the hall and reports, per
//! department, the targets it was held to and whether the plan meets them by the model
//! and by the replay (plan.json `targets`, the plan report's targets table).

use std::path::Path;

use crate::error::{Error, Result};
use crate::hall::Hall;
use crate::model::evaluate::{self, Flows};
use crate::model::{Channel, HallModel, PercentileTarget, Policy};
use crate::plan::{Plan, TargetCheck};
use crate::simulate::{GroupResult, SimResult};

/// The scenario key of the per-department targets.
const KEY: &str = "department_mean_wait_min";

/// Whether the policy states any target of its own.
pub fn stated(policy: &Policy) -> bool {
    !policy.department_mean_wait_min.is_empty() || policy.percentile_target.is_some()
}

/// Every department named in `department_mean_wait_min` must be one of the hall's (its
/// windows, catalogue and tickets). An unknown name is bad input naming the scenario file,
/// the line and column where the name stands, and the closest department (or the `--set`
/// that named it when the scenario does not).
pub fn check_departments(policy: &Policy, hall: &Hall, scenario: Option<&Path>) -> Result<()> {
    let mut known = hall.departments();
    let t = &hall.tickets;
    for d in 0..t.departments.len() as u32 {
        let name = t.departments.name(d);
        if !known.iter().any(|k| k == name) {
            known.push(name.to_string());
        }
    }
    for name in policy.department_mean_wait_min.keys() {
        if known.iter().any(|k| k == name) {
            continue;
        }
        let closest = known
            .iter()
            .min_by_key(|k| (crate::config::distance(name, k), k.as_str()))
            .map(|k| format!(" — the closest is \"{k}\""))
            .unwrap_or_default();
        let message = format!(
            "no department \"{name}\" in the hall{closest} (departments: {})",
            known.join(", ")
        );
        let text = scenario.and_then(|p| std::fs::read_to_string(p).ok());
        let at = text.as_deref().and_then(|text| locate(text, name));
        return Err(match (scenario, at) {
            (Some(path), Some((line, col))) => Error::BadFile {
                file: format!("{}:{line}:{col}", path.display()),
                message: format!("{KEY}: {message}"),
            },
            _ => Error::Config {
                what: format!("--set {KEY}"),
                message,
            },
        });
    }
    Ok(())
}

/// Line and column (1-based, in characters) where `name` stands as a key in a scenario
/// file: `"name" = 8`, `'name' = 8` or `name = 8`, on its own line under
/// `[department_mean_wait_min]` or inside an inline table.
fn locate(text: &str, name: &str) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("");
        for quoted in [format!("\"{name}\""), format!("'{name}'"), name.to_string()] {
            let mut from = 0;
            while let Some(at) = code[from..].find(&quoted).map(|a| a + from) {
                let before = code[..at].trim_end();
                let after = code[at + quoted.len()..].trim_start();
                let starts_key =
                    before.is_empty() || before.ends_with('{') || before.ends_with(',');
                if starts_key && after.starts_with('=') {
                    let col = code[..at].chars().count() + 1;
                    return Some((i + 1, col));
                }
                from = at + quoted.len();
            }
        }
    }
    None
}

/// Fills the model's side of the targets after a solve: each pool's percentile target
/// and its model share within the wait, and — when the scenario states targets — one
/// [`TargetCheck`] per department (replay figures are added by [`fill_replay`]).
pub(crate) fn model_checks(
    plan: &mut Plan,
    model: &HallModel,
    policy: &Policy,
    channels: &[Channel],
    flows: &Flows,
    windows: &[u32],
    k: &[f64],
) {
    let q = policy.percentile_target;
    // Calibrated waits are k × the model's, so P(k·W > T) = P(W > T/k).
    let over: Vec<Option<f64>> = (0..model.pools.len())
        .map(|p| {
            let q = q?;
            flows.pools[p].share_over(q.within_min / k[p], |_| windows[p])
        })
        .collect();
    for (p, pool) in plan.pools.iter_mut().enumerate() {
        pool.target_percentile = q;
        pool.after_share_within = over.get(p).copied().flatten().map(|o| 1.0 - o);
    }
    if !stated(policy) {
        return;
    }
    plan.targets = plan
        .departments
        .iter()
        .enumerate()
        .map(|(d, dept)| {
            // The department's visitors over the pools they go to, by arrivals.
            let (mut within, mut arrivals) = (0.0, 0.0);
            for (m, md) in model.matters.iter().enumerate() {
                if md.department != d {
                    continue;
                }
                for (pool, lambda, _, _) in evaluate::routes(model, m, channels[m], policy) {
                    let l: f64 = lambda.iter().sum();
                    arrivals += l;
                    within += l * over[pool].map_or(1.0, |o| 1.0 - o);
                }
            }
            let share = q.map(|_| {
                if arrivals > 0.0 {
                    within / arrivals
                } else {
                    1.0
                }
            });
            let mean_target = dept.target_mean_min;
            TargetCheck {
                department: dept.department.clone(),
                source: if policy
                    .department_mean_wait_min
                    .contains_key(&dept.department)
                {
                    "stated".into()
                } else {
                    "default".into()
                },
                mean_target_min: mean_target,
                percentile: q,
                model_mean_min: dept.after_mean_min,
                model_share_within: share,
                model_met: met(dept.after_mean_min, mean_target, share, q),
                replay_mean_min: None,
                replay_share_within: None,
                replay_met: None,
            }
        })
        .collect();
}

/// Whether a mean wait and a share served within the percentile wait meet the targets
/// (a tolerance of 1e-6 min and 1e-9 of share for rounding in the searches).
fn met(mean: Option<f64>, target: f64, share: Option<f64>, q: Option<PercentileTarget>) -> bool {
    let mean_ok = mean.is_some_and(|m| m <= target + 1e-6);
    let share_ok = match (q, share) {
        (None, _) => true,
        (Some(q), Some(s)) => s >= q.share - 1e-9,
        (Some(_), None) => false,
    };
    mean_ok && share_ok
}

/// Share of a replayed group's served visitors who waited at most `t` minutes.
pub fn replay_share_within(g: &GroupResult, t: f64) -> Option<f64> {
    let total: u64 = g.waits.iter().map(|(_, n)| n).sum();
    (total > 0).then(|| {
        let within: u64 = g
            .waits
            .iter()
            .filter(|(w, _)| *w <= t + 1e-9)
            .map(|(_, n)| n)
            .sum();
        within as f64 / total as f64
    })
}

/// Adds the trace replay's figures to the plan's target checks (`after`: the replay of
/// the plan).
pub fn fill_replay(plan: &mut Plan, after: &SimResult) {
    for c in plan.targets.iter_mut() {
        let Some(g) = after
            .departments
            .iter()
            .find(|g| g.name == c.department && g.served > 0)
        else {
            continue;
        };
        let share = c
            .percentile
            .and_then(|q| replay_share_within(g, q.within_min));
        c.replay_mean_min = Some(g.mean_wait);
        c.replay_share_within = share;
        c.replay_met = Some(met(
            Some(g.mean_wait),
            c.mean_target_min,
            share,
            c.percentile,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_key_is_located_by_line_and_column() {
        let text =
            "demand_change = 0\n[department_mean_wait_min]\n\"税务局\" = 6\n  不动产 = 8 # note\n";
        assert_eq!(locate(text, "税务局"), Some((3, 1)));
        assert_eq!(locate(text, "不动产"), Some((4, 3)));
        let inline = "department_mean_wait_min = { \"a\" = 1, 'b' = 2 }\n";
        assert_eq!(locate(inline, "b"), Some((1, 39)));
        // A name inside a value or a comment is not a key.
        assert_eq!(
            locate("opening_hours = \"税务局\"\n# 税务局 = 1\n", "税务局"),
            None
        );
    }

    #[test]
    fn targets_are_met_only_when_both_hold() {
        let q = Some(PercentileTarget {
            share: 0.9,
            within_min: 10.0,
        });
        assert!(met(Some(4.0), 5.0, None, None));
        assert!(!met(Some(5.1), 5.0, None, None));
        assert!(!met(None, 5.0, None, None));
        assert!(met(Some(4.0), 5.0, Some(0.95), q));
        assert!(!met(Some(4.0), 5.0, Some(0.85), q));
        assert!(!met(Some(4.0), 5.0, None, q));
    }
}
