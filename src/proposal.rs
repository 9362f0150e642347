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
//! chosen here: a proposal is an inventory, every matter stays in person — unless the
//! planner says the inventory comes with the reform's levers ([`Levers::Scenario`],
//! `simulate --with-channels`): then every matter the catalogue and the scenario allow
//! online goes online (its walk-ins, 1 − `online_share`, to the fallback windows, or with
//! `online_remainder = "joint"` to its group's joint windows), every back-office matter
//! leaves only its intake at the fallback windows, and the rest is routed as above. That
//! is the rule the after log of `data/binjiang-after` shows: each matter is served at one
//! kind of window only (no matter at both its department's and a comprehensive window),
//! and the comprehensive windows serve the online walk-ins and intakes of every
//! department, including those that keep windows of their own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::hall::{derive, Hall, Window, WindowKind};
use crate::ingest::{catalogue, LoadOptions, Table};
use crate::model::evaluate::{self, eval_pool, Flow, PoolEval};
use crate::model::{Channel, OnlineRemainder, Policy, Slots};
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

/// Whether a proposal's matters take the scenario's online and back-office channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Levers {
    /// Every matter stays in person: the inventory alone.
    #[default]
    InPerson,
    /// Online and back office where the catalogue and the scenario's `allow_online`,
    /// `allow_backoffice` allow them, as the reform took them (see the module's doc).
    Scenario,
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
pub fn plan_of(
    hall: &Hall,
    proposal: &[Window],
    policy: &Policy,
    file: &str,
    levers: Levers,
) -> Result<Plan> {
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
        pools.push(empty_pool(d, PlanPoolKind::Department, n));
    }
    for (g, &n) in &inv.joint {
        pools.push(empty_pool(
            &joint_pool(g),
            PlanPoolKind::Joint((*g).into()),
            n,
        ));
    }
    // Always there: the replay sends whatever has no other place to the fallback pool.
    pools.push(empty_pool(FALLBACK, PlanPoolKind::Fallback, inv.fallback));
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
        let lever = match levers {
            Levers::InPerson => None,
            Levers::Scenario => lever_of(m, policy, &inv),
        };
        let (channel, pool) = match (lever, group) {
            (Some(taken), _) => taken,
            (None, group) => match group {
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
            },
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
    let counts: Vec<Channel> = matters.iter().map(|m| m.channel).collect();
    let taken = |ch: Channel| counts.iter().filter(|&&c| c == ch).count();
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
            new_windows: 0,
            new_window_staff: 0,
            hired: 0,
        },
        summary: vec![format!(
            "proposal {file}: {} → {} windows ({} joint, {} fallback); {}",
            hall.windows.len(),
            proposal.len(),
            inv.joint.values().sum::<u32>(),
            inv.fallback,
            match levers {
                Levers::InPerson => "every matter in person".to_string(),
                Levers::Scenario => format!(
                    "{} matters online (their walk-ins at the fallback or joint windows), {} to the back office (intake at the fallback windows), the rest in person",
                    taken(Channel::Online),
                    taken(Channel::BackOffice),
                ),
            }
        )],
        targets: Vec::new(),
    })
}

/// The lever a matter takes under [`Levers::Scenario`], with the pool that serves what
/// stays in the hall: online where the catalogue and the scenario allow it (model.md §2),
/// its walk-ins at its group's joint windows (`online_remainder = "joint"`, where the
/// proposal has them) or at the fallback windows; else the back office, its intake at the
/// fallback windows. None — the matter stays in person — where neither is allowed, or
/// where what stays in the hall would find no window of the proposal.
fn lever_of(
    m: &crate::hall::Matter,
    policy: &Policy,
    inv: &Inventory,
) -> Option<(Channel, String)> {
    if m.in_person_required {
        return None;
    }
    if m.online_capable && policy.allow_online {
        let joint = m
            .merge_group
            .as_deref()
            .filter(|g| inv.joint.contains_key(g))
            .filter(|_| policy.online_remainder == OnlineRemainder::Joint);
        match joint {
            Some(g) => return Some((Channel::Online, joint_pool(g))),
            None if inv.fallback > 0 => return Some((Channel::Online, FALLBACK.into())),
            None => {}
        }
    }
    // An intake of zero minutes needs no window: the case is done behind the scenes.
    if m.backoffice_eligible && policy.allow_backoffice && (inv.fallback > 0 || m.intake_min <= 0.0)
    {
        return Some((Channel::BackOffice, FALLBACK.into()));
    }
    None
}

/// A pool of a plan with its windows and nothing predicted yet.
pub(crate) fn empty_pool(name: &str, kind: PlanPoolKind, windows: u32) -> PlanPool {
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
    // Per matter of the model: the model pool it goes to and the share of its arrivals
    // that reach it.
    let mut goes: Vec<Option<(usize, f64)>> = vec![None; model.matters.len()];
    for (m, md) in model.matters.iter().enumerate() {
        let id = &hall.matters[md.matter].id;
        let Some(pm) = plan.matters.iter().find(|x| &x.matter_id == id) else {
            continue;
        };
        let Some(p) = pool_index(&pm.pool) else {
            continue;
        };
        let joint_pool = matches!(model.pools[p].kind, crate::model::PoolKind::Joint(_));
        let Some((share, handle, cs2)) = carried(model, m, pm.channel, joint_pool, policy) else {
            continue;
        };
        let factors = evaluate::weekday_factors(model, m);
        for (h, l) in md.lambda.iter().enumerate() {
            flows[p].add_matter(h, *l * share, handle, cs2, factors);
        }
        goes[m] = Some((p, share));
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
        let Some((p, share)) = goes[m] else { continue };
        let lambda: f64 = md.lambda.iter().sum::<f64>() * share;
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

/// What matter `m` of the model brings to the pool a proposal sends it to under
/// `channel`, as the planner's own flows do (`evaluate::routes`, model.md §2): the share
/// of its arrivals that reach the pool, their handling time and cs². None where nobody
/// comes (everything online, or a back-office matter without intake).
fn carried(
    model: &crate::model::HallModel,
    m: usize,
    channel: Channel,
    joint_pool: bool,
    policy: &Policy,
) -> Option<(f64, f64, f64)> {
    let md = &model.matters[m];
    let joint = 1.0 + policy.joint_slowdown;
    match channel {
        Channel::Counter => Some((1.0, md.handle_min, md.cs2)),
        Channel::Joint => Some((1.0, md.handle_min * joint, md.cs2)),
        Channel::General => Some((1.0, md.handle_min * (1.0 + policy.general_slowdown), md.cs2)),
        Channel::Online => {
            let rest = 1.0 - md.online_share;
            let slowdown = if joint_pool { joint } else { 1.0 };
            (rest > 0.0).then_some((rest, md.handle_min * slowdown, md.cs2))
        }
        // Intake is a short, regular task (as the planner takes it).
        Channel::BackOffice => {
            let intake = model.intake[m];
            (intake > 0.0).then_some((1.0, intake, 0.5))
        }
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
        let mut proposal =
            plan_of(&hall, &windows, &policy, "proposal.csv", Levers::InPerson).expect("routes");
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
        let mut today =
            plan_of(&hall, &hall.windows, &policy, "today", Levers::InPerson).expect("routes");
        model_waits(&hall, &mut today, &prep, true);
        for p in &run.plan.pools {
            if let Some(q) = today.pools.iter().find(|q| q.name == p.name) {
                assert_eq!(q.after_mean_min, p.before_mean_min, "{}", p.name);
            }
        }
    }

    /// `--with-channels`: the rule of the after log of data/binjiang-after. Every matter
    /// the catalogue lets go online goes online, its walk-ins at the fallback windows (or
    /// its group's joint windows with `online_remainder = "joint"`); back-office matters
    /// leave their intake there; the rest keeps the in-person routing. Without fallback
    /// windows a walk-in would have no window, so the matter stays in person.
    #[test]
    fn with_the_levers_online_and_back_office_matters_leave_their_departments_windows() {
        let hall = sample();
        let policy = Policy::default();
        let route = |windows: &[Window], policy: &Policy, levers| {
            let plan = plan_of(&hall, windows, policy, "p.csv", levers).expect("routes");
            plan.matters
                .iter()
                .map(|m| (m.matter_id.clone(), (m.channel, m.pool.clone())))
                .collect::<BTreeMap<_, _>>()
        };
        let in_person = route(&hall.windows, &policy, Levers::InPerson);
        let levers = route(&hall.windows, &policy, Levers::Scenario);
        let (mut online, mut back) = (0, 0);
        for m in &hall.matters {
            let got = &levers[&m.id];
            if m.online_capable && !m.in_person_required {
                assert_eq!(got, &(Channel::Online, FALLBACK.to_string()), "{}", m.id);
                online += 1;
            } else if m.backoffice_eligible && !m.in_person_required {
                assert_eq!(
                    got,
                    &(Channel::BackOffice, FALLBACK.to_string()),
                    "{}",
                    m.id
                );
                back += 1;
            } else {
                assert_eq!(got, &in_person[&m.id], "{}", m.id);
            }
        }
        assert!(
            online >= 20 && back >= 3,
            "{online} online, {back} back office"
        );
        // The scenario forbids online: only the back office is taken.
        let no_online = Policy {
            allow_online: false,
            ..Policy::default()
        };
        let r = route(&hall.windows, &no_online, Levers::Scenario);
        assert!(r.values().all(|(c, _)| *c != Channel::Online));
        // Set-up walk-ins at the joint windows of their group, where the proposal has them.
        let mut with_joint = hall.windows.clone();
        with_joint.push(Window {
            id: "Y01".into(),
            department: "企业开办联合专窗".into(),
            staff: 1,
            kind: WindowKind::Joint,
            merge_group: Some("企业开办".into()),
            locked: false,
        });
        let joint = Policy {
            online_remainder: OnlineRemainder::Joint,
            ..Policy::default()
        };
        let r = route(&with_joint, &joint, Levers::Scenario);
        let setup = hall
            .matters
            .iter()
            .filter(|m| m.merge_group.as_deref() == Some("企业开办") && m.online_capable)
            .map(|m| &r[&m.id])
            .collect::<Vec<_>>();
        assert!(!setup.is_empty());
        for got in setup {
            assert_eq!(got, &(Channel::Online, joint_pool("企业开办")));
        }
        // No fallback window (the comprehensive windows' own matters at two windows of
        // kind department): an online matter's walk-ins would have no window.
        let no_fallback: Vec<Window> = hall
            .windows
            .iter()
            .map(|w| Window {
                kind: match w.kind {
                    WindowKind::Fallback => WindowKind::Department,
                    k => k,
                },
                ..w.clone()
            })
            .collect();
        let a = route(&no_fallback, &policy, Levers::InPerson);
        let b = route(&no_fallback, &policy, Levers::Scenario);
        for m in hall
            .matters
            .iter()
            .filter(|m| m.intake_min > 0.0 || !m.backoffice_eligible)
        {
            assert_eq!(a[&m.id], b[&m.id], "{}", m.id);
        }
    }

    /// The model column with the levers: the departments' own windows carry only what
    /// stays in person, so no department pool waits longer than with every matter in
    /// person, and the fallback pool, which takes the walk-ins and intakes, no shorter.
    #[test]
    fn the_levers_move_load_from_the_departments_windows_to_the_fallback_windows() {
        let hall = sample();
        let policy = Policy::default();
        let prep = crate::optimise::prepare(&hall, &policy).expect("prepare");
        let model = |levers| {
            let mut p = plan_of(&hall, &hall.windows, &policy, "p.csv", levers).expect("routes");
            model_waits(&hall, &mut p, &prep, false);
            p
        };
        let (a, b) = (model(Levers::InPerson), model(Levers::Scenario));
        let mut lighter = 0;
        for (p, q) in a.pools.iter().zip(&b.pools) {
            assert_eq!(p.name, q.name);
            let (Some(x), Some(y)) = (p.after_mean_min, q.after_mean_min) else {
                continue;
            };
            if p.kind == PlanPoolKind::Fallback {
                assert!(y > x, "{}: {x} → {y}", p.name);
            } else {
                assert!(y <= x + 1e-12, "{}: {x} → {y}", p.name);
                lighter += usize::from(y < x);
            }
        }
        assert!(lighter >= 10, "{lighter} department pools lighter");
    }
}
