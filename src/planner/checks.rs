//! The plan's checks after the MILP: the trace replay raises the pools it finds short,
//! and the staff must still add up — each window the checks add keeps a person the MILP's
//! plan released to be a helper or back office (docs/model.md §4).

use super::CHECK_SEARCH;
use crate::error::{Error, Result};
use crate::hall::Hall;
use crate::model::{Calibration, Policy};
use crate::optimise::milp;
use crate::optimise::PlanRun;
use crate::optimise::{self, Feedback, Prepared};
use crate::plan::Objective;

/// The plan with every pool the trace replay finds short raised to the windows it needs
/// (none without the replay: calibration other than "simulation", or no tickets), and
/// with staff that add up.
///
/// Windows the checks add keep staff that the MILP's plan released to be helpers or back
/// office. When too few are left (and hiring is not allowed), the MILP solves again told
/// what the checks found ([`Feedback`]): the raised pools' windows as floors, and the
/// people the plan was short kept back from helpers and back office for windows the
/// checks may add elsewhere. Where floors and reserve together leave the model no plan,
/// each is tried alone (floors accumulate over channel choices that differ, so together
/// they can over-ask). A plan whose staff still do not add up after
/// [`FEEDBACK_ROUNDS`] and a last solve at today's windows is refused (exit 3) — never
/// reported with hires it may not make. A budget's plan (`--max-windows`, the descent)
/// gets no rounds: it is refused at once.
pub(super) fn replay_checked(
    prep: &Prepared,
    hall: &Hall,
    policy: &Policy,
    objective: Objective,
    attempt: optimise::Attempt,
) -> Result<PlanRun> {
    let replays = policy.calibration == Calibration::Simulation && !hall.tickets.is_empty();
    let replay = |plan: &crate::plan::Plan| -> Result<Vec<crate::plan::SimNeed>> {
        if !replays {
            return Ok(Vec::new());
        }
        let started = std::time::Instant::now();
        let needs = crate::simulate::check::shortfalls(hall, plan, policy.seed, CHECK_SEARCH)?;
        milp::timing(
            &format!("replay check ({} pools short)", needs.len()),
            started,
        );
        Ok(needs)
    };
    let mut run = optimise::checked(prep, hall, policy, objective, attempt, &replay)?;
    let mut feedback = Feedback::default();
    let mut rounds = 0;
    // Only the fewest-window plan gets feedback rounds. A budget's plan whose staff do not
    // add up is refused like one the checks raised above the budget: the descent stops
    // there, and `--max-windows K` falls back to the fewest-window plan when that fits K.
    // (Rounds for budgets never changed a plan on the benchmark halls — 18 settings,
    // identical plans — and cost the city hall 11 s of its 34.)
    let rounds_allowed = matches!(objective, Objective::FewestWindows);
    while rounds_allowed && !run.staff_fits && rounds < FEEDBACK_ROUNDS {
        rounds += 1;
        let mut floors = feedback.floors.clone();
        floors.resize(run.plan.pools.len(), 0);
        for ((floor, pool), &milp) in floors
            .iter_mut()
            .zip(&run.plan.pools)
            .zip(&run.milp_pool_windows)
        {
            if pool.windows_after > milp {
                *floor = (*floor).max(pool.windows_after);
            }
        }
        let reserve = feedback.reserve + staff_short(&run).max(1);
        let tries = [
            Feedback {
                floors: floors.clone(),
                reserve,
            },
            Feedback {
                floors: floors.clone(),
                reserve: feedback.reserve,
            },
            Feedback {
                floors: feedback.floors.clone(),
                reserve,
            },
        ];
        let mut next = None;
        for t in tries {
            match optimise::attempt_with(prep, hall, policy, objective, &t) {
                Ok(a) => {
                    next = Some((t, a));
                    break;
                }
                Err(Error::Infeasible(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        let Some((t, attempt)) = next else { break };
        feedback = t;
        run = optimise::checked(prep, hall, policy, objective, attempt, &replay)?;
    }
    if rounds_allowed && !run.staff_fits {
        // Last resort: every pool keeps at least today's windows. Nothing is released,
        // so no move that needs helpers or back-office staff can be made; the plan is
        // today's hall with only the moves that need no one, which the checks rarely
        // raise (its pools carry at most today's load).
        let today = Feedback {
            floors: prep
                .model
                .pools
                .iter()
                .zip(feedback.floors.iter().chain(std::iter::repeat(&0)))
                .map(|(p, &f)| (p.windows_today.len() as u32).max(f))
                .collect(),
            reserve: 0,
        };
        if today != feedback {
            match optimise::attempt_with(prep, hall, policy, objective, &today) {
                Ok(attempt) => {
                    let tried = optimise::checked(prep, hall, policy, objective, attempt, &replay)?;
                    if tried.staff_fits {
                        run = tried;
                        feedback = today;
                    }
                }
                Err(Error::Infeasible(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    if !run.staff_fits {
        let s = &run.plan.staff;
        let (after, before) = (run.plan.windows_after, run.plan.windows_before);
        if after > before && !policy.allow_growth {
            return Err(Error::Infeasible(format!(
                "no plan found under the plan's checks: the exact-mix and replay checks raise the pools to {after} windows, more than today's {before}, and the staff today cannot man them (set allow_growth = true and allow_hiring = true, or set max_mean_wait_min higher)"
            )));
        }
        return Err(Error::Infeasible(format!(
            "no plan found whose staff add up under the plan's checks: the exact-mix and replay checks raise the pools to {} windows, which keep {} staff at windows, and the {} helpers and {} back-office staff the plan needs exceed the {} staff left{} (set allow_hiring = true, lower helper_share, or set max_mean_wait_min higher)",
            run.plan.windows_after,
            s.at_windows,
            s.helpers,
            s.backoffice,
            s.today.saturating_sub(s.at_windows),
            if rounds_allowed {
                format!("; solving again with the raised pools' windows as floors and staff kept back for them ({rounds} rounds), and with every pool at today's windows, found none that adds up")
            } else {
                String::new()
            }
        )));
    }
    if !feedback.is_empty() {
        run.staff_feedback = true;
        let floors: Vec<String> = run
            .plan
            .pools
            .iter()
            .zip(&feedback.floors)
            .filter(|(_, &f)| f > 0)
            .map(|(p, f)| format!("{} ≥ {f}", p.name))
            .collect();
        run.notes.push(format!(
            "the windows the checks added left too few staff released for the helpers and back office (allow_hiring = false), so the MILP solved again with the raised pools' windows as floors ({}) and {} staff kept back for windows the checks add",
            if floors.is_empty() { "none".to_string() } else { floors.join(", ") },
            feedback.reserve
        ));
    }
    Ok(run)
}

/// Rounds of feedback before a plan whose staff do not add up is refused.
const FEEDBACK_ROUNDS: usize = 8;

/// People the plan's helpers and back office need beyond the staff it releases.
fn staff_short(run: &PlanRun) -> u32 {
    let s = &run.plan.staff;
    (s.at_windows + s.helpers + s.backoffice).saturating_sub(s.today)
}
