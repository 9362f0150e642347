//! A plan evaluated without the solver: the staff it needs, its exact waiting, and
//! every constraint re-checked in words.

use super::cuts::{phi, CutTable};
use super::flows::PlanFlows;
use super::input::{MilpInput, MilpSolution};
use crate::plan::Objective;

/// Slack for comparisons of computed loads against capacities.
pub(super) const LOAD_TOL: f64 = 1e-9;

/// Slack when rounding fractional staff requirements up to whole people.
pub(super) const STAFF_TOL: f64 = 1e-6;

/// Smallest helpers and back-office staff meeting the staffing rows for a
/// plan with `total_windows` windows.
pub(crate) fn minimal_staff(
    input: &MilpInput,
    total_windows: u32,
    flows: &PlanFlows,
) -> (u32, u32) {
    staff_for(
        input,
        total_windows,
        &flows.self_service,
        flows.backoffice_work,
    )
}

pub(super) fn staff_for(
    input: &MilpInput,
    total_windows: u32,
    self_service: &[f64],
    backoffice_work: f64,
) -> (u32, u32) {
    let (helpers, backoffice) = staff_need(input, total_windows, self_service, backoffice_work);
    (whole_people(helpers), whole_people(backoffice))
}

/// Helpers and back-office staff a plan needs before rounding up to whole people.
pub(super) fn staff_need(
    input: &MilpInput,
    total_windows: u32,
    self_service: &[f64],
    backoffice_work: f64,
) -> (f64, f64) {
    let released = released_staff(input, total_windows);
    let peak_users = self_service.iter().copied().fold(0.0, f64::max);
    let helpers = (input.helper_share * released)
        .max(peak_users / input.helper_users_per_hour)
        .max(0.0);
    (
        helpers,
        backoffice_work / input.backoffice_min_per_staff_week,
    )
}

pub(super) fn released_staff(input: &MilpInput, total_windows: u32) -> f64 {
    input.staff_today - input.staff_per_window * f64::from(total_windows)
}

pub(super) fn whole_people(need: f64) -> u32 {
    // Saturating float→int cast is fine: inputs were validated finite.
    (need - STAFF_TOL).ceil().max(0.0) as u32
}

/// Exact waiting person-minutes per day: Σ_p Σ_h φ_{n_p}(load), infinite when
/// a loaded pool is saturated.
pub(crate) fn exact_waiting(input: &MilpInput, windows: &[u32], flows: &PlanFlows) -> f64 {
    let mut total = 0.0;
    for ((pool, &n), loads) in input.pools.iter().zip(windows).zip(&flows.load) {
        for &load in loads {
            if load <= LOAD_TOL {
                continue;
            }
            total += phi(pool, n, load).unwrap_or(f64::INFINITY);
        }
    }
    total
}

/// Window cap on Σ n_p for an objective (None = uncapped).
pub(crate) fn window_cap(input: &MilpInput) -> Option<u32> {
    let growth_cap = (!input.allow_growth).then_some(input.windows_today);
    let objective_cap = match input.objective {
        Objective::FewestWindows => None,
        Objective::LeastWaiting { max_windows } => Some(max_windows),
    };
    match (growth_cap, objective_cap) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(super) fn near_le(value: f64, bound: f64) -> bool {
    value <= bound + 1e-6 * (1.0 + bound.abs())
}

pub(super) fn check_pools(
    input: &MilpInput,
    table: &CutTable,
    sol: &MilpSolution,
    flows: &PlanFlows,
    issues: &mut Vec<String>,
) {
    for (p, pool) in input.pools.iter().enumerate() {
        let n = sol.windows[p];
        if n < pool.min_windows || n > pool.max_windows {
            issues.push(format!(
                "pool {p} has {n} windows, outside {}..={}",
                pool.min_windows, pool.max_windows
            ));
            continue;
        }
        let cap = pool.peak_capacity[n as usize];
        for (h, &load) in flows.load[p].iter().enumerate() {
            if !near_le(load, cap) {
                issues.push(format!(
                    "pool {p} slot {h}: load {load:.4} exceeds A({n}) = {cap:.4}"
                ));
            }
        }
        let waiting = table.pool_bound(p, n, &flows.load[p]);
        let arrivals: f64 = flows.arrivals[p].iter().sum();
        if pool.mean_target_min.is_finite() && !near_le(waiting, pool.mean_target_min * arrivals) {
            issues.push(format!(
                "pool {p}: waiting {waiting:.4} person-min exceeds target {} min × {arrivals:.4} arrivals",
                pool.mean_target_min
            ));
        }
    }
}

pub(super) fn check_window_cap(input: &MilpInput, sol: &MilpSolution, issues: &mut Vec<String>) {
    let total: u32 = sol.windows.iter().sum();
    if let Some(cap) = window_cap(input) {
        if total > cap {
            issues.push(format!("{total} windows exceed the cap of {cap}"));
        }
    }
}

pub(super) fn check_staff(
    input: &MilpInput,
    sol: &MilpSolution,
    flows: &PlanFlows,
    issues: &mut Vec<String>,
) {
    let total: u32 = sol.windows.iter().sum();
    let released = released_staff(input, total);
    let helpers = f64::from(sol.helpers);
    let backoffice = f64::from(sol.backoffice_staff);
    if !near_le(input.helper_share * released, helpers) {
        issues.push(format!(
            "{helpers} helpers are fewer than {} × {released} released staff",
            input.helper_share
        ));
    }
    for (h, users) in flows.self_service.iter().enumerate() {
        if !near_le(users / input.helper_users_per_hour, helpers) {
            issues.push(format!(
                "slot {h}: {users:.2} self-service users need more than {helpers} helpers"
            ));
        }
    }
    if !near_le(
        flows.backoffice_work,
        backoffice * input.backoffice_min_per_staff_week,
    ) {
        issues.push(format!(
            "{backoffice} back-office staff cannot do {:.1} min/week",
            flows.backoffice_work
        ));
    }
    if !input.allow_hiring && !near_le(helpers + backoffice, released - input.staff_reserve) {
        issues.push(format!(
            "{helpers} helpers + {backoffice} back-office staff exceed the {released} staff released"
        ));
    }
}

pub(super) fn check_waiting(
    input: &MilpInput,
    table: &CutTable,
    sol: &MilpSolution,
    flows: &PlanFlows,
    issues: &mut Vec<String>,
) {
    let exact = exact_waiting(input, &sol.windows, flows);
    if !close(exact, sol.waiting_person_min_per_day, 1e-6) {
        issues.push(format!(
            "reported waiting {} differs from the exact {exact}",
            sol.waiting_person_min_per_day
        ));
    }
    let bound: f64 = (0..input.pools.len())
        .map(|p| table.pool_bound(p, sol.windows[p], &flows.load[p]))
        .sum();
    if !close(bound, sol.model_waiting, 1e-5) {
        issues.push(format!(
            "model waiting {} differs from the tangent bound {bound}",
            sol.model_waiting
        ));
    }
}

pub(super) fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * (1.0 + a.abs().max(b.abs()))
}
