//! A planner's own proposal (issue 14): a hand-made future window inventory, in the format
//! of `windows`, turned into a [`Plan`] so that the machinery that checks a plan — the
//! trace replay of `simulate --plan`, `compare --plan` — checks it too.
//!
//! Where a matter goes under the proposal (input.md, the reform's own rule): to the joint
//! windows of its merge group when the proposal has them (for a department that keeps
//! windows of its own only when the scenario allows joint service); else to its own
//! department's windows; else to the fallback (comprehensive) windows — the `general`
//! channel, handling × (1 + `general_slowdown`), for a department that has windows of its
//! own today; a `specialist` matter cannot go there (an error naming it). Channels are not
//! chosen here: a proposal is an inventory, every matter stays in person.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::hall::{derive, Hall, Window, WindowKind};
use crate::ingest::{catalogue, LoadOptions, Table};
use crate::model::evaluate::{self, eval_pool, Flow, PoolEval};
use crate::model::{Channel, Policy, Slots};
use crate::optimise::Prepared;
use crate::plan::{
    Action, Plan, PlanDepartment, PlanMatter, PlanPool, PlanPoolKind, PlanWindow, StaffPlan,
};
use crate::simulate::{trace, SimResult};

/// The fallback pool's name, as the planner names it.
pub const FALLBACK: &str = "兜底 fallback";

/// The joint pool of a merge group, as the planner names it.
pub fn joint_pool(group: &str) -> String {
    format!("联办 {group}")
}

/// Reads a proposal in the format of `windows` (any encoding, sheet or column map the
/// hall's own files take); a bad value is fatal and names the file, line and column.
pub fn read(path: &Path, opts: &LoadOptions) -> Result<Vec<Window>> {
    let table = Table::open(path, &opts.open)?;
    let (windows, _) = catalogue::read_windows(&table, path, opts)?;
    Ok(windows)
}

/// Where matters and tickets go under an inventory.
struct Inventory<'a> {
    /// Own (department-kind) windows per department.
    own: BTreeMap<&'a str, u32>,
    /// Joint windows per merge group.
    joint: BTreeMap<&'a str, u32>,
    fallback: u32,
}

impl<'a> Inventory<'a> {
    fn of(windows: &'a [Window]) -> Inventory<'a> {
        let mut inv = Inventory {
            own: BTreeMap::new(),
            joint: BTreeMap::new(),
            fallback: 0,
        };
        for w in windows {
            match (w.kind, w.merge_group.as_deref()) {
                (WindowKind::Joint, Some(g)) => *inv.joint.entry(g).or_default() += 1,
                (WindowKind::Fallback, _) => inv.fallback += 1,
                _ => *inv.own.entry(w.department.as_str()).or_default() += 1,
            }
        }
        inv
    }
}

/// The proposal as a plan: its pools with their windows, every catalogue matter's pool,
/// every window of today and of the proposal. Waits are filled in by [`predict`].
/// `file` names the proposal in messages.
pub fn plan_of(hall: &Hall, proposal: &[Window], policy: &Policy, file: &str) -> Result<Plan> {
    let inv = Inventory::of(proposal);
    // Groups already served at joint windows today: their handling times in the log are
    // those of joint windows, so no joint slowdown is added again.
    let joint_today: BTreeSet<&str> = hall
        .windows
        .iter()
        .filter(|w| w.kind == WindowKind::Joint)
        .filter_map(|w| w.merge_group.as_deref())
        .collect();
    // Departments with windows of their own today.
    let today_own: BTreeSet<&str> = hall
        .windows
        .iter()
        .filter(|w| w.kind == WindowKind::Department)
        .map(|w| w.department.as_str())
        .collect();
    let mut pools: Vec<PlanPool> = Vec::new();
    for (d, &n) in &inv.own {
        pools.push(pool(d, PlanPoolKind::Department, n));
    }
    for (g, &n) in &inv.joint {
        pools.push(pool(&joint_pool(g), PlanPoolKind::Joint((*g).into()), n));
    }
    // Always there: the replay sends whatever has no other place to the fallback pool.
    pools.push(pool(FALLBACK, PlanPoolKind::Fallback, inv.fallback));
    let no_place = |department: &str, what: String| {
        Error::BadFile {
        file: file.into(),
        message: format!("{what} of department \"{department}\" has no window in the proposal: no window of its own, no joint window of its merge group, and no fallback window (expected at least one fallback window, or a window of kind department for \"{department}\")"),
    }
    };
    let mut matters = Vec::with_capacity(hall.matters.len());
    for m in &hall.matters {
        let d = m.department.as_str();
        let own = inv.own.get(d).copied().unwrap_or(0);
        let group = m
            .merge_group
            .as_deref()
            .filter(|g| inv.joint.contains_key(g) && (own == 0 || policy.allow_joint));
        let (channel, pool) = match group {
            Some(g) if joint_today.contains(g) => (Channel::Counter, joint_pool(g)),
            Some(g) => (Channel::Joint, joint_pool(g)),
            None if own > 0 => (Channel::Counter, d.to_string()),
            None if m.specialist => {
                return Err(Error::BadFile {
                    file: file.into(),
                    message: format!("matter \"{}\" of department \"{d}\" is marked specialist in the catalogue (it cannot be served at a comprehensive window), but the proposal keeps no window of \"{d}\" nor a joint window of its merge group (expected at least one window of kind department for \"{d}\")", m.id),
                })
            }
            // Served at its own windows today: at a comprehensive window it is the
            // `general` channel, slower by `general_slowdown`. A department already
            // served at the fallback windows today keeps its own handling times.
            None if inv.fallback > 0 && today_own.contains(d) => {
                (Channel::General, FALLBACK.to_string())
            }
            None if inv.fallback > 0 => (Channel::Counter, FALLBACK.to_string()),
            None => return Err(no_place(d, format!("matter \"{}\"", m.id))),
        };
        matters.push(PlanMatter {
            matter_id: m.id.clone(),
            name: m.name.clone(),
            department: m.department.clone(),
            weekly_volume: m.weekly_volume.unwrap_or(0.0),
            channel,
            pool,
        });
    }
    // Tickets of a department without a window and without a catalogue matter go to the
    // fallback windows: there must be some.
    let t = &hall.tickets;
    if inv.fallback == 0 {
        for d in 0..t.departments.len() as u32 {
            let name = t.departments.name(d);
            if !inv.own.contains_key(name) {
                return Err(no_place(name, "the tickets".into()));
            }
        }
    }
    let mut departments: Vec<String> = hall.departments();
    for d in 0..t.departments.len() as u32 {
        let name = t.departments.name(d);
        if !departments.iter().any(|x| x == name) {
            departments.push(name.to_string());
        }
    }
    let before_of = |d: &str| {
        hall.windows
            .iter()
            .filter(|w| w.kind == WindowKind::Department && w.department == d)
            .count() as u32
    };
    let departments = departments
        .iter()
        .map(|d| PlanDepartment {
            department: d.clone(),
            windows_before: before_of(d),
            windows_after: inv.own.get(d.as_str()).copied().unwrap_or(0),
            observed_mean_min: None,
            before_mean_min: None,
            after_mean_min: None,
            target_mean_min: 0.0,
            tickets_per_day_before: 0.0,
            arrivals_per_day_after: 0.0,
        })
        .collect();
    let proposed: BTreeSet<&str> = proposal.iter().map(|w| w.id.as_str()).collect();
    let pool_of = |w: &Window| match (w.kind, w.merge_group.as_deref()) {
        (WindowKind::Joint, Some(g)) => (Action::Joint(g.into()), joint_pool(g)),
        (WindowKind::Fallback, _) => (Action::Fallback, FALLBACK.into()),
        _ => (Action::Keep, w.department.clone()),
    };
    let mut windows: Vec<PlanWindow> = Vec::new();
    for w in &hall.windows {
        if !proposed.contains(w.id.as_str()) {
            windows.push(window(w, Action::Cut, String::new()));
        }
    }
    for w in proposal {
        let (action, pool) = pool_of(w);
        windows.push(window(w, action, pool));
    }
    let staff_today: u32 = hall.windows.iter().map(|w| w.staff).sum();
    let staff_after: u32 = proposal.iter().map(|w| w.staff).sum();
    let hours = derive::opening_hours(t)
        .map(|h| h.hours)
        .unwrap_or_default();
    Ok(Plan {
        format: "hallplan-plan/1".into(),
        policy: policy.clone(),
        objective: "proposal".into(),
        hours,
        open_days_per_week: f64::from(policy.open_days_per_week),
        slots: Slots::Day,
        windows_before: hall.windows.len() as u32,
        windows_after: proposal.len() as u32,
        waiting_person_min_per_day: 0.0,
        pools,
        departments,
        windows,
        matters,
        staff: StaffPlan {
            today: staff_today,
            at_windows: staff_after,
            helpers: 0,
            backoffice: 0,
            released: staff_today.saturating_sub(staff_after),
        },
        summary: vec![format!(
            "proposal {file}: {} → {} windows ({} joint, {} fallback); every matter in person",
            hall.windows.len(),
            proposal.len(),
            inv.joint.values().sum::<u32>(),
            inv.fallback
        )],
        targets: Vec::new(),
    })
}

fn pool(name: &str, kind: PlanPoolKind, windows: u32) -> PlanPool {
    PlanPool {
        name: name.into(),
        kind,
        windows_before: 0,
        windows_after: windows,
        calibration: 1.0,
        target_mean_min: 0.0,
        target_peak_min: 0.0,
        observed_mean_min: None,
        formula_mean_min: None,
        before_mean_min: None,
        before_p90_min: None,
        after_mean_min: None,
        after_p90_min: None,
        after_arrivals_per_day: 0.0,
        after_peak_load: 0.0,
        before_arrivals_per_day: 0.0,
        after_lambda: Vec::new(),
        after_load: Vec::new(),
        after_handle_min: 0.0,
        after_cs2: 1.0,
        target_percentile: None,
        after_share_within: None,
    }
}

fn window(w: &Window, action: Action, pool: String) -> PlanWindow {
    PlanWindow {
        window_id: w.id.clone(),
        department: w.department.clone(),
        staff: w.staff,
        action,
        reason: None,
        pool,
        staff_destination: Default::default(),
    }
}

/// Each pool's arrivals per open hour and handling from the plan's own re-routed tickets
/// (what the synthetic simulation of the plan and the hourly chart read), and the
/// departments' arrivals per day. The waits are the model's ([`model_waits`]).
pub fn ticket_arrivals(hall: &Hall, plan: &mut Plan, seed: u64) -> Result<()> {
    let t = &hall.tickets;
    let days: BTreeSet<i64> = t
        .issued
        .iter()
        .map(|&x| crate::hall::time::day(x))
        .collect();
    let n_days = days.len().max(1) as f64;
    let np = plan.pools.len();
    let mut per_hour = vec![[0.0f64; 24]; np];
    let mut service = vec![(0.0f64, 0.0f64, 0usize); np];
    let mut per_dept: BTreeMap<u32, f64> = BTreeMap::new();
    for (p, i, c) in trace::plan_jobs(hall, plan, seed)? {
        let h = crate::hall::time::hour(c.arrival as i64) as usize;
        per_hour[p][h] += 1.0 / n_days;
        let s = c.service / 60.0;
        let e = &mut service[p];
        e.0 += s;
        e.1 += s * s;
        e.2 += 1;
        *per_dept.entry(t.department[i]).or_default() += 1.0;
    }
    let hours = plan.hours.clone();
    for (p, pool) in plan.pools.iter_mut().enumerate() {
        let (sum, sum2, n) = service[p];
        let mean = if n > 0 { sum / n as f64 } else { 0.0 };
        let cs2 = if n > 1 && mean > 0.0 {
            ((sum2 / n as f64 - mean * mean) / (mean * mean)).max(0.0)
        } else {
            1.0
        };
        pool.after_handle_min = mean;
        pool.after_cs2 = cs2;
        pool.after_lambda = hours.iter().map(|&h| per_hour[p][h as usize]).collect();
        pool.after_arrivals_per_day = per_hour[p].iter().sum();
    }
    for d in plan.departments.iter_mut() {
        if let Some(n) = t
            .departments
            .get(&d.department)
            .and_then(|id| per_dept.get(&id))
        {
            d.arrivals_per_day_after = n / n_days;
        }
    }
    Ok(())
}

/// The planning model's prediction for an inventory (model.md §3b, the evaluator the plan
/// itself is judged by, so that a proposal and a plan of the same inventory agree): the
/// catalogue's matters at the prepared model's demand, each sent where the proposal sends
/// it (its joint pool with the joint slowdown when it moves there, else at its own
/// handling time), every pool's day through the transient session model with its windows
/// all day, calibrated by the pool's factor from today's backtest. With `today` the
/// inventory is today's and the pools take the planner's own backtest of today (the
/// windows the tickets show staffed, day by day), as a plan's `before` does.
///
/// Fills the pools' `after_mean_min`, `after_p90_min`, `after_peak_load`, `calibration`,
/// and the departments' `after_mean_min` (arrival-weighted over the pools their matters
/// go to; None where a department has no catalogue matter, or a pool of its never ends).
pub fn model_waits(hall: &Hall, plan: &mut Plan, prep: &Prepared, today: bool) {
    let model = &prep.model;
    let policy = &plan.policy;
    let pool_index = |name: &str| model.pools.iter().position(|p| p.name == name);
    let mut flows: Vec<Flow> = vec![Flow::for_model(model); model.pools.len()];
    // Per matter of the model: the model pool it goes to.
    let mut goes: Vec<Option<usize>> = vec![None; model.matters.len()];
    for (m, md) in model.matters.iter().enumerate() {
        let id = &hall.matters[md.matter].id;
        let Some(pm) = plan.matters.iter().find(|x| &x.matter_id == id) else {
            continue;
        };
        let Some(p) = pool_index(&pm.pool) else {
            continue;
        };
        let handle = match pm.channel {
            Channel::Joint => md.handle_min * (1.0 + policy.joint_slowdown),
            _ => md.handle_min,
        };
        let factors = evaluate::weekday_factors(model, m);
        for (h, l) in md.lambda.iter().enumerate() {
            flows[p].add_matter(h, *l, handle, md.cs2, factors);
        }
        goes[m] = Some(p);
    }
    let evals: Vec<Option<PoolEval>> = plan
        .pools
        .iter()
        .map(|pool| {
            let p = pool_index(&pool.name)?;
            Some(if today {
                prep.before[p]
            } else {
                eval_pool(&flows[p], pool.windows_after, prep.k[p])
            })
        })
        .collect();
    for (pool, e) in plan.pools.iter_mut().zip(&evals) {
        let Some(e) = e else { continue };
        pool.after_mean_min = e.mean_wait;
        pool.after_p90_min = e.p90_wait;
        pool.after_peak_load = e.peak_load;
        if let Some(p) = pool_index(&pool.name) {
            pool.calibration = prep.k[p];
        }
    }
    let plan_pool = |p: usize| {
        plan.pools
            .iter()
            .position(|x| x.name == model.pools[p].name)
    };
    let mut by_dept: BTreeMap<&str, (f64, f64, bool)> = BTreeMap::new();
    for (m, md) in model.matters.iter().enumerate() {
        let Some(p) = goes[m] else { continue };
        let lambda: f64 = md.lambda.iter().sum();
        let e = &mut by_dept
            .entry(model.departments[md.department].as_str())
            .or_insert((0.0, 0.0, true));
        match plan_pool(p)
            .and_then(|i| evals[i].as_ref())
            .and_then(|x| x.mean_wait)
        {
            Some(w) => e.0 += lambda * w,
            None => e.2 = false,
        }
        e.1 += lambda;
    }
    for d in plan.departments.iter_mut() {
        d.after_mean_min =
            by_dept
                .get(d.department.as_str())
                .and_then(|&(num, lambda, ok)| match (ok, lambda > 0.0) {
                    (true, true) => Some(num / lambda),
                    (true, false) => Some(0.0),
                    (false, _) => None,
                });
    }
}

/// The before figures of the plan's pools and departments from today's replay, where a
/// pool or department of the same name exists today.
pub fn fill_before(plan: &mut Plan, today: &SimResult, days: usize) {
    let find = |gs: &[crate::simulate::GroupResult], name: &str| {
        gs.iter()
            .find(|g| g.name == name && g.served > 0)
            .map(|g| (g.mean_wait, g.p90_wait, g.customers))
    };
    let days = days.max(1) as f64;
    for p in plan.pools.iter_mut() {
        if let Some((m, p90, n)) = find(&today.pools, &p.name) {
            p.before_mean_min = Some(m);
            p.before_p90_min = Some(p90);
            p.before_arrivals_per_day = n as f64 / days;
        }
    }
    for d in plan.departments.iter_mut() {
        if let Some((m, _, n)) = find(&today.departments, &d.department) {
            d.before_mean_min = Some(m);
            d.observed_mean_min = None;
            d.tickets_per_day_before = n as f64 / days;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Calibration;
    use crate::plan::Objective;

    use crate::hall::bundled_sample_for_tests as sample;

    /// Issue 14 item 3: "the planner and the proposal agree". A plan whose matters all stay
    /// at the counter, handed back as a hand-made inventory, is predicted by the proposal's
    /// model column exactly as the plan predicts itself, pool by pool and department by
    /// department.
    #[test]
    fn a_plans_inventory_as_a_proposal_gets_the_plans_own_model_waits() {
        let hall = sample();
        let policy = Policy {
            calibration: Calibration::Ratio,
            allow_online: false,
            allow_joint: false,
            allow_backoffice: false,
            // A comprehensive-window choice is the plan's, not the inventory's: a proposal
            // routes a department that keeps windows only to them.
            allow_general: false,
            ..Policy::default()
        };
        let prep = crate::optimise::prepare(&hall, &policy).expect("prepare");
        let run =
            crate::optimise::solve(&prep, &hall, &policy, Objective::FewestWindows).expect("plan");
        let by_id = |id: &str| {
            hall.windows
                .iter()
                .find(|w| w.id == id)
                .expect("a window of today")
        };
        let windows: Vec<Window> = run
            .plan
            .windows
            .iter()
            .filter_map(|w| {
                let mut out = by_id(&w.window_id).clone();
                match w.action {
                    Action::Cut => return None,
                    Action::Keep => {
                        out.kind = WindowKind::Department;
                        out.department = w.pool.clone();
                    }
                    Action::Fallback => out.kind = WindowKind::Fallback,
                    Action::Joint(_) => panic!("joint service is not allowed here"),
                }
                Some(out)
            })
            .collect();
        assert!(windows.len() < hall.windows.len(), "the plan cuts windows");
        let mut proposal = plan_of(&hall, &windows, &policy, "proposal.csv").expect("routes");
        model_waits(&hall, &mut proposal, &prep, false);
        let mut compared = 0;
        for p in &run.plan.pools {
            let Some(q) = proposal.pools.iter().find(|q| q.name == p.name) else {
                assert_eq!(p.windows_after, 0, "{} has windows in the plan", p.name);
                continue;
            };
            assert_eq!(q.windows_after, p.windows_after, "{}", p.name);
            match (p.after_mean_min, q.after_mean_min) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-9, "{}: plan {a}, proposal {b}", p.name);
                    compared += 1;
                }
                (a, b) => assert!(
                    p.after_arrivals_per_day == 0.0 || a == b,
                    "{}: {a:?} vs {b:?}",
                    p.name
                ),
            }
        }
        assert!(compared >= 10, "{compared} pools compared");
        for d in &run.plan.departments {
            let q = proposal
                .departments
                .iter()
                .find(|q| q.department == d.department)
                .expect("the department");
            if let (Some(a), Some(b)) = (d.after_mean_min, q.after_mean_min) {
                assert!(
                    (a - b).abs() < 1e-9,
                    "{}: plan {a}, proposal {b}",
                    d.department
                );
            }
        }
        // And today's inventory reads the planner's own backtest of today.
        let mut today = plan_of(&hall, &hall.windows, &policy, "today").expect("routes");
        model_waits(&hall, &mut today, &prep, true);
        for p in &run.plan.pools {
            if let Some(q) = today.pools.iter().find(|q| q.name == p.name) {
                assert_eq!(q.after_mean_min, p.before_mean_min, "{}", p.name);
            }
        }
    }
}
