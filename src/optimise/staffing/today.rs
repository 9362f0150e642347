//! Hourly staffing of today's hall (issue 14, item 5: "for the plan (and today's hall)"):
//! the same search as a plan's ([`super::staff`]), with today's inventory as the most a
//! slot may open, today's channels, the targets and calibration the planner derives from
//! today's backtest, and the replay of the hall's own tickets through today's pools.
//!
//! Today's targets are the planner's defaults (model.md §4: the wait the model predicts
//! today, raised to `wait_floor_min`, or a stated target), so today's windows open all day
//! always keep them: the roster can only save window-hours, never ask for more windows
//! than the hall has. What it is compared with: today's windows open all day (the
//! inventory), and the window-hours the log shows on duty ([`on_duty_hours`]).

use std::collections::BTreeSet;

use super::{staff, Staffing, StaffingInput};
use crate::error::Result;
use crate::hall::derive::{self, Duty};
use crate::hall::{time, Hall, Status};
use crate::model::{Channel, Policy};
use crate::optimise::Prepared;
use crate::plan::{Plan, PlanPoolKind};
use crate::simulate::check::PlanReplay;

/// The fewest windows to open per pool and slot that keep today's targets, under the
/// model and (with tickets) the replay of today's tickets through today's pools.
/// `prep` is the planner's preparation of the hall under `policy` (its demand change
/// applies: a roster for next month's demand).
pub fn for_today(prep: &Prepared, hall: &Hall, policy: &Policy) -> Result<Staffing> {
    let model = &prep.model;
    // Today's channels, as the backtest and the calibration read them.
    let channels: Vec<Channel> = model.matters.iter().map(|m| m.today).collect();
    let windows: Vec<u32> = model
        .pools
        .iter()
        .map(|p| p.windows_today.len() as u32)
        .collect();
    let input = StaffingInput {
        model,
        policy,
        channels: &channels,
        windows: &windows,
        calibration: &prep.k,
        target_mean: &prep.targets.mean,
        target_peak: &prep.targets.peak,
    };
    let replay = if hall.tickets.is_empty() {
        None
    } else {
        let plan = today_plan(hall, prep, policy)?;
        Some(PlanReplay::new(hall, &plan, policy.seed)?)
    };
    staff(&input, replay.as_ref())
}

/// Today's inventory as a plan whose pools are the model's, in the model's order (the
/// replay check finds a pool by its index in the model): every matter where today's
/// hall serves it, at its own handling time in the log (a group served at joint windows
/// today has joint handling times already, so no joint slowdown is added).
fn today_plan(hall: &Hall, prep: &Prepared, policy: &Policy) -> Result<Plan> {
    let model = &prep.model;
    let mut plan = crate::proposal::plan_of(
        hall,
        &hall.windows,
        policy,
        "windows",
        crate::proposal::Levers::InPerson,
    )?;
    plan.pools = model
        .pools
        .iter()
        .map(|p| {
            let kind = match &p.kind {
                crate::model::PoolKind::Department(_) => PlanPoolKind::Department,
                crate::model::PoolKind::Joint(g) => PlanPoolKind::Joint(g.clone()),
                crate::model::PoolKind::Fallback => PlanPoolKind::Fallback,
            };
            crate::proposal::empty_pool(&p.name, kind, p.windows_today.len() as u32)
        })
        .collect();
    Ok(plan)
}

/// Window-hours per open day the log shows on duty (the duty rule of the replay,
/// `hall::derive::duty`) within the planning slots, over the days with served tickets on
/// open weekdays; None without tickets.
pub fn on_duty_hours(hall: &Hall, slots: &[(u32, u32)]) -> Option<f64> {
    let t = &hall.tickets;
    if t.is_empty() {
        return None;
    }
    let weekdays: BTreeSet<u32> = derive::opening_hours(t)
        .map(|h| h.weekdays.into_iter().collect())
        .unwrap_or_default();
    let days: BTreeSet<i64> = (0..t.len())
        .filter(|&i| t.status[i] == Status::Served)
        .map(|i| time::day(t.issued[i]))
        .filter(|&d| weekdays.contains(&(((d + 3).rem_euclid(7)) as u32)))
        .collect();
    if days.is_empty() {
        return None;
    }
    let duty = Duty::read(hall);
    // Windows of today's inventory that the log knows.
    let windows: Vec<u32> = hall
        .windows
        .iter()
        .filter_map(|w| t.windows.get(&w.id))
        .collect();
    let mut seconds = 0i64;
    for &d in &days {
        for &(a, b) in slots {
            let at = |m: u32| d * time::DAY + i64::from(m) * 60;
            for &w in &windows {
                seconds += duty.seconds_on(w, at(a), at(b));
            }
        }
    }
    Some(seconds as f64 / 3600.0 / days.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::bundled_sample_for_tests as sample;

    /// The replay check finds a pool by its index in the model, so today's plan must list
    /// the model's pools in the model's order, with today's windows, and route every
    /// catalogue matter to one of them.
    #[test]
    fn todays_plan_lists_the_models_pools_in_order_with_todays_windows() {
        let hall = sample();
        let policy = Policy::default();
        let prep = crate::optimise::prepare(&hall, &policy).expect("prepare");
        let plan = today_plan(&hall, &prep, &policy).expect("today's plan");
        assert_eq!(plan.pools.len(), prep.model.pools.len());
        for (p, q) in plan.pools.iter().zip(&prep.model.pools) {
            assert_eq!(p.name, q.name);
            assert_eq!(
                p.windows_after as usize,
                q.windows_today.len(),
                "{}",
                p.name
            );
        }
        let total: u32 = plan.pools.iter().map(|p| p.windows_after).sum();
        assert_eq!(total as usize, hall.windows.len());
        for m in &plan.matters {
            assert!(
                plan.pools.iter().any(|p| p.name == m.pool),
                "{}",
                m.matter_id
            );
            assert_eq!(m.channel, Channel::Counter, "{}: today's hall", m.matter_id);
        }
    }

    /// Today's roster never opens more windows in a slot than the pool has today, saves
    /// window-hours on the sample (whose pools run well below their targets outside the
    /// peaks), and keeps every pool's mean target under the replay — or today's own
    /// figure with every window open all day where that misses it.
    #[test]
    fn todays_roster_stays_within_todays_windows_and_keeps_the_targets() {
        let hall = sample();
        let policy = Policy::default();
        let prep = crate::optimise::prepare(&hall, &policy).expect("prepare");
        let st = for_today(&prep, &hall, &policy).expect("staffing");
        assert!(st.window_hours_staffed() < 0.9 * st.window_hours_all_day());
        for p in &st.pools {
            let today = prep.model.pools[p.pool].windows_today.len() as u32;
            assert_eq!(p.windows, today, "{}", p.name);
            for d in &p.days {
                assert!(d.windows.iter().all(|&c| c <= today), "{}", p.name);
            }
            if let (Some(s), Some(flat)) = (p.replay_mean_min, p.replay_mean_all_day_min) {
                assert!(s <= p.target_mean_min.max(flat) + 1e-9, "{}: {s}", p.name);
            }
        }
        let on_duty = on_duty_hours(&hall, &st.slots).expect("a log");
        // The sample's windows are on duty most of the day, some on shifts.
        assert!(on_duty < st.window_hours_all_day() && on_duty > 0.8 * st.window_hours_all_day());
    }
}
