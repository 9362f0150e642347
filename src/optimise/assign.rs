//! From pools back to windows, staff and matters (model.md §5), and the plain-language
//! summary. Deterministic: busiest windows first, ties by window id.

use std::collections::BTreeMap;

use crate::hall::{Hall, Status, NONE};
use crate::model::evaluate::{Flows, PoolEval};
use crate::model::{Channel, HallModel, Policy, PoolKind};
use crate::plan::{
    Action, CutReason, Objective, Plan, PlanDepartment, PlanMatter, PlanPool, PlanPoolKind,
    PlanWindow, StaffDestination, StaffDestinations, StaffPlan,
};

pub struct Parts<'a> {
    pub hall: &'a Hall,
    pub model: &'a HallModel,
    pub policy: &'a Policy,
    pub objective: Objective,
    pub channels: &'a [Channel],
    pub windows: &'a [u32],
    pub helpers: u32,
    pub backoffice: u32,
    pub before: &'a [PoolEval],
    pub before_raw: &'a [PoolEval],
    pub after: &'a [PoolEval],
    pub after_flows: &'a Flows,
    pub before_flows: &'a Flows,
    pub observed: &'a [Option<f64>],
    pub k: &'a [f64],
    pub targets: (&'a [f64], &'a [f64]),
    pub waiting: f64,
}

fn served_per_window(hall: &Hall) -> BTreeMap<&str, u64> {
    let t = &hall.tickets;
    let mut n = vec![0u64; t.windows.len()];
    for i in 0..t.len() {
        if t.window[i] != NONE && t.status[i] == Status::Served {
            n[t.window[i] as usize] += 1;
        }
    }
    hall.windows
        .iter()
        .map(|w| {
            (
                w.id.as_str(),
                t.windows.get(&w.id).map_or(0, |i| n[i as usize]),
            )
        })
        .collect()
}

/// Why a department's windows went: the channel that moved most of its load away, in
/// proportion (merged, online, back office), the rest surplus.
fn cut_reasons(p: &Parts<'_>, dept: usize, cut: usize) -> Vec<CutReason> {
    let mut moved: BTreeMap<CutReason, f64> = BTreeMap::new();
    let mut total = 0.0;
    for (m, md) in p.model.matters.iter().enumerate() {
        if md.department != dept {
            continue;
        }
        let load: f64 = md.lambda.iter().sum::<f64>() * md.handle_min;
        total += load;
        let reason = match p.channels[m] {
            Channel::Joint if md.today != Channel::Joint => CutReason::Merged,
            Channel::Online => CutReason::Online,
            Channel::BackOffice => CutReason::BackOffice,
            Channel::General => CutReason::General,
            _ => continue,
        };
        *moved.entry(reason).or_default() += load;
    }
    let before = p.model.pools[p.model.dept_pool[dept]].windows_today.len() as f64;
    let mut out = Vec::new();
    for reason in [
        CutReason::Merged,
        CutReason::Online,
        CutReason::BackOffice,
        CutReason::General,
    ] {
        let share = moved.get(&reason).copied().unwrap_or(0.0) / total.max(1e-9);
        let n = (share * before).round() as usize;
        for _ in 0..n {
            if out.len() < cut {
                out.push(reason);
            }
        }
    }
    // Leftover cuts go to the largest moved channel, else surplus (between equal loads the
    // last in `CutReason`'s order, which is that of the strings the reasons once were).
    let main = moved
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(r, _)| *r);
    while out.len() < cut {
        out.push(if out.is_empty() {
            main.unwrap_or(CutReason::Surplus)
        } else {
            CutReason::Surplus
        });
    }
    out
}

pub fn build_plan(p: Parts<'_>) -> Plan {
    let hall = p.hall;
    let model = p.model;
    let served = served_per_window(hall);
    let mut windows: Vec<PlanWindow> = hall
        .windows
        .iter()
        .map(|w| PlanWindow {
            window_id: w.id.clone(),
            department: w.department.clone(),
            staff: w.staff,
            action: Action::Cut,
            reason: None,
            pool: String::new(),
            staff_destination: StaffDestinations::default(),
        })
        .collect();
    let locked =
        |i: usize| hall.windows[i].locked || p.policy.locked_windows.contains(&hall.windows[i].id);
    // 1. Each pool keeps its own busiest windows (locked first).
    let mut released: Vec<usize> = Vec::new();
    let mut missing: Vec<(usize, u32)> = Vec::new();
    for (pi, pool) in model.pools.iter().enumerate() {
        let mut own = pool.windows_today.clone();
        own.sort_by(|&a, &b| {
            locked(b)
                .cmp(&locked(a))
                .then(served[hall.windows[b].id.as_str()].cmp(&served[hall.windows[a].id.as_str()]))
                .then(hall.windows[a].id.cmp(&hall.windows[b].id))
        });
        let keep = (p.windows[pi] as usize).min(own.len());
        for &w in &own[..keep] {
            windows[w].action = action_of(&pool.kind);
            windows[w].pool = pool.name.clone();
            windows[w].staff_destination = StaffDestinations(vec![StaffDestination::Window]);
        }
        released.extend_from_slice(&own[keep..]);
        if (p.windows[pi] as usize) > keep {
            missing.push((pi, p.windows[pi] - keep as u32));
        }
    }
    // 2. Joint and fallback pools take released windows: member departments' first.
    released.sort_by(|&a, &b| hall.windows[a].id.cmp(&hall.windows[b].id));
    for (pi, n) in missing {
        let pool = &model.pools[pi];
        let members: Vec<&str> = model
            .matters
            .iter()
            .enumerate()
            .filter(|(m, _)| model.pool_of(&model.matters[*m], p.channels[*m]) == Some(pi))
            .map(|(_, md)| model.departments[md.department].as_str())
            .collect();
        for _ in 0..n {
            let pick = released
                .iter()
                .position(|&w| {
                    members.contains(&hall.windows[w].department.as_str())
                        && match &pool.kind {
                            PoolKind::Joint(g) => hall.windows[w].merge_group.as_ref() == Some(g),
                            _ => true,
                        }
                })
                .or_else(|| {
                    released
                        .iter()
                        .position(|&w| members.contains(&hall.windows[w].department.as_str()))
                })
                .or(if released.is_empty() { None } else { Some(0) });
            let Some(k) = pick else { break };
            let w = released.remove(k);
            windows[w].action = action_of(&pool.kind);
            windows[w].pool = pool.name.clone();
            windows[w].staff_destination = StaffDestinations(vec![StaffDestination::Window]);
        }
    }
    // 3. Reasons for the rest, per department.
    for (d, _) in model.departments.iter().enumerate() {
        let cut_here: Vec<usize> = released
            .iter()
            .copied()
            .filter(|&w| hall.windows[w].department == model.departments[d])
            .collect();
        let reasons = cut_reasons(&p, d, cut_here.len());
        for (w, r) in cut_here.iter().zip(reasons) {
            windows[*w].reason = Some(r);
        }
    }
    for w in &released {
        if windows[*w].reason.is_none() {
            windows[*w].reason = Some(CutReason::Surplus);
        }
    }
    // 4. Staff of cut windows (model.md §5): the staff follow their work first — a window
    // cut because its approval work moves to the back office sends its staff to the back
    // office, one cut because its matters go online sends them to be online-service
    // helpers — then everyone left goes to helpers up to H, the back office up to B, and
    // the rest are released. Counts per window, listed in the order helper, back office,
    // released.
    let (mut h, mut b) = (p.helpers, p.backoffice);
    let mut placed: Vec<[u32; 3]> = vec![[0; 3]; windows.len()];
    for &w in &released {
        let staff = windows[w].staff;
        let (slot, pool) = match windows[w].reason {
            Some(CutReason::BackOffice) => (1, &mut b),
            Some(CutReason::Online) => (0, &mut h),
            _ => continue,
        };
        let n = staff.min(*pool);
        *pool -= n;
        placed[w][slot] += n;
    }
    let mut released_staff = 0;
    for &w in &released {
        let left = windows[w].staff - placed[w].iter().sum::<u32>();
        let to_helpers = left.min(h);
        h -= to_helpers;
        let to_backoffice = (left - to_helpers).min(b);
        b -= to_backoffice;
        let rest = left - to_helpers - to_backoffice;
        placed[w][0] += to_helpers;
        placed[w][1] += to_backoffice;
        placed[w][2] += rest;
        released_staff += rest;
    }
    for &w in &released {
        let dest = [
            StaffDestination::Helper,
            StaffDestination::BackOffice,
            StaffDestination::Released,
        ]
        .into_iter()
        .zip(placed[w])
        .filter(|&(_, n)| n > 0)
        .map(|(d, _)| d)
        .collect();
        windows[w].staff_destination = StaffDestinations(dest);
    }
    let staff_today: u32 = hall.windows.iter().map(|w| w.staff).sum();
    let at_windows: u32 = windows
        .iter()
        .filter(|w| w.action != Action::Cut)
        .map(|w| w.staff)
        .sum();
    // Windows beyond today's inventory (a pool with more windows than it could be given):
    // each needs staff at today's staff per window.
    let kept = windows.iter().filter(|w| w.action != Action::Cut).count() as u32;
    let new_windows = p.windows.iter().sum::<u32>().saturating_sub(kept);
    let per_window = f64::from(staff_today) / (hall.windows.len().max(1) as f64);
    let new_window_staff = (f64::from(new_windows) * per_window - 1e-9).ceil().max(0.0) as u32;
    let hired = (at_windows + new_window_staff + p.helpers + p.backoffice + released_staff)
        .saturating_sub(staff_today);
    let staff = StaffPlan {
        today: staff_today,
        at_windows,
        helpers: p.helpers,
        backoffice: p.backoffice,
        released: released_staff,
        new_windows,
        new_window_staff,
        hired,
    };

    let pools: Vec<PlanPool> = model
        .pools
        .iter()
        .enumerate()
        .map(|(pi, pool)| {
            let f = &p.after_flows.pools[pi];
            let (s, cs2) = f.day_mix();
            PlanPool {
                name: pool.name.clone(),
                kind: match &pool.kind {
                    PoolKind::Department(_) => PlanPoolKind::Department,
                    PoolKind::Joint(g) => PlanPoolKind::Joint(g.clone()),
                    PoolKind::Fallback => PlanPoolKind::Fallback,
                },
                windows_before: pool.windows_today.len() as u32,
                windows_after: p.windows[pi],
                calibration: p.k[pi],
                target_mean_min: p.targets.0[pi],
                target_peak_min: p.targets.1[pi],
                observed_mean_min: p.observed[pi],
                formula_mean_min: p.before_raw[pi].mean_wait,
                before_mean_min: p.before[pi].mean_wait,
                before_p90_min: p.before[pi].p90_wait,
                after_mean_min: p.after[pi].mean_wait,
                after_p90_min: p.after[pi].p90_wait,
                after_arrivals_per_day: f.arrivals_per_day(),
                after_peak_load: f.peak_load(),
                before_arrivals_per_day: p.before_flows.pools[pi].arrivals_per_day(),
                after_lambda: f.lambda.clone(),
                after_load: f.load.clone(),
                after_handle_min: s,
                after_cs2: cs2,
                target_percentile: None,
                after_share_within: None,
            }
        })
        .collect();
    let matters: Vec<PlanMatter> = model
        .matters
        .iter()
        .enumerate()
        .map(|(m, md)| {
            let hm = &hall.matters[md.matter];
            PlanMatter {
                matter_id: hm.id.clone(),
                name: hm.name.clone(),
                department: hm.department.clone(),
                weekly_volume: md.weekly_volume,
                channel: p.channels[m],
                pool: model
                    .pool_of(md, p.channels[m])
                    .map(|x| model.pools[x].name.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let departments = departments(&p);
    let windows_after: u32 = p.windows.iter().sum();
    let windows_before = model.windows_today();
    let mut plan = Plan {
        format: "hallplan-plan-1".into(),
        policy: p.policy.clone(),
        objective: match p.objective {
            Objective::FewestWindows => "fewest windows, then least waiting".into(),
            Objective::LeastWaiting { max_windows } => {
                format!("least waiting with at most {max_windows} windows")
            }
        },
        hours: model.hours.clone(),
        open_days_per_week: model.open_days_per_week,
        slots: if model.week.is_some() {
            crate::model::Slots::Week
        } else {
            crate::model::Slots::Day
        },
        windows_before,
        windows_after,
        waiting_person_min_per_day: p.waiting,
        pools,
        departments,
        windows,
        matters,
        staff,
        summary: Vec::new(),
        targets: Vec::new(),
    };
    plan.summary = summary(&plan);
    plan
}

fn action_of(kind: &PoolKind) -> Action {
    match kind {
        PoolKind::Department(_) => Action::Keep,
        PoolKind::Joint(g) => Action::Joint(g.clone()),
        PoolKind::Fallback => Action::Fallback,
    }
}

/// Department view: its matters' arrivals and the λ-weighted wait of the pools serving them.
fn departments(p: &Parts<'_>) -> Vec<PlanDepartment> {
    let model = p.model;
    let t = &p.hall.tickets;
    let waits = crate::profile::waits::by_department(t).0;
    model
        .departments
        .iter()
        .enumerate()
        .map(|(d, name)| {
            let mut num_b = 0.0;
            let mut num_a = 0.0;
            let mut lam_b = 0.0;
            let mut lam_a = 0.0;
            let mut ok_b = true;
            let mut ok_a = true;
            for (m, md) in model
                .matters
                .iter()
                .enumerate()
                .filter(|(_, md)| md.department == d)
            {
                let lb: f64 = md.lambda.iter().sum();
                if let Some(pool) = model.pool_of(md, md.today) {
                    match p.before[pool].mean_wait {
                        Some(w) => num_b += lb * w,
                        None => ok_b = false,
                    }
                    lam_b += lb;
                }
                for (pool, lambda, _, _) in
                    crate::model::evaluate::routes(model, m, p.channels[m], p.policy)
                {
                    let la: f64 = lambda.iter().sum();
                    match p.after[pool].mean_wait {
                        Some(w) => num_a += la * w,
                        None => ok_a = false,
                    }
                    lam_a += la;
                }
            }
            let pool = model.dept_pool[d];
            let obs = waits.iter().find(|w| &w.department == name);
            PlanDepartment {
                department: name.clone(),
                windows_before: model.pools[pool].windows_today.len() as u32,
                // Its own pool; windows lent to joint or fallback pools count there.
                windows_after: p.windows[pool],
                observed_mean_min: obs.and_then(|o| o.mean),
                before_mean_min: (ok_b && lam_b > 0.0).then(|| num_b / lam_b),
                after_mean_min: if lam_a > 0.0 {
                    ok_a.then(|| num_a / lam_a)
                } else {
                    Some(0.0)
                },
                target_mean_min: p.targets.0[pool],
                tickets_per_day_before: obs.map_or(0.0, |o| o.tickets_per_day),
                arrivals_per_day_after: lam_a,
            }
        })
        .collect()
}

/// The departments whose matters the plan sends to the comprehensive windows (channel
/// `general`): (department, such matters, the department's matters), in the plan's
/// department order.
pub(crate) fn general_departments(plan: &Plan) -> Vec<(String, usize, usize)> {
    plan.departments
        .iter()
        .filter_map(|d| {
            let mine = plan.matters.iter().filter(|m| m.department == d.department);
            let total = mine.clone().count();
            let general = mine.filter(|m| m.channel == Channel::General).count();
            (general > 0).then(|| (d.department.clone(), general, total))
        })
        .collect()
}

/// The plan's windows by what happens to them: cuts by reason, joint windows per merge
/// group, and the count of fallback windows (the summaries in every language count so).
#[allow(clippy::type_complexity)]
pub(crate) fn window_actions(
    plan: &Plan,
) -> (
    BTreeMap<Option<CutReason>, usize>,
    BTreeMap<&str, usize>,
    usize,
) {
    let mut reasons: BTreeMap<Option<CutReason>, usize> = BTreeMap::new();
    let mut joint: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fallback = 0;
    for w in &plan.windows {
        match &w.action {
            Action::Cut => *reasons.entry(w.reason).or_default() += 1,
            Action::Fallback => fallback += 1,
            Action::Joint(g) => *joint.entry(g.as_str()).or_default() += 1,
            Action::Keep => {}
        }
    }
    (reasons, joint, fallback)
}

/// A merge group's joint windows today (its pools' windows before) and the windows the
/// plan assigns to it.
pub(crate) fn joint_group_windows(plan: &Plan, group: &str) -> (u32, usize) {
    let before = plan
        .pools
        .iter()
        .filter(|p| matches!(&p.kind, PlanPoolKind::Joint(x) if x == group))
        .map(|p| p.windows_before)
        .sum();
    let members = plan
        .windows
        .iter()
        .filter(|w| matches!(&w.action, Action::Joint(x) if x == group))
        .count();
    (before, members)
}

/// "93 → 47 windows: 21 cut because their matters go online, …".
fn summary(plan: &Plan) -> Vec<String> {
    let (reasons, joint, fallback) = window_actions(plan);
    let mut parts = Vec::new();
    for (r, words) in [
        (CutReason::Online, "because their matters go online"),
        (CutReason::Merged, "merged into joint windows"),
        (
            CutReason::BackOffice,
            "because their approval work moves to the back office",
        ),
        (
            CutReason::General,
            "because their matters move to the comprehensive windows",
        ),
        (CutReason::Surplus, "as surplus capacity"),
    ] {
        if let Some(n) = reasons.get(&Some(r)) {
            parts.push(format!("{n} cut {words}"));
        }
    }
    if plan.staff.new_windows > 0 {
        parts.push(format!("{} new windows opened", plan.staff.new_windows));
    }
    let mut out = vec![format!(
        "{} → {} windows: {}.",
        plan.windows_before,
        plan.windows_after,
        if parts.is_empty() {
            "no window cut".to_string()
        } else {
            parts.join(", ")
        }
    )];
    for (g, n) in &joint {
        let (before, members) = joint_group_windows(plan, g);
        let count = |n: u32, what: &str| match n {
            1 => format!("1 {what}"),
            n => format!("{n} {what}s"),
        };
        out.push(format!(
            "Joint windows for {g}: {n} (was {}; {} assigned).",
            count(before, "joint window"),
            count(members as u32, "window")
        ));
    }
    let shared = general_departments(plan);
    if fallback > 0 && shared.is_empty() {
        out.push(format!("{fallback} fallback windows serve the in-person remainder of online matters and back-office intake."));
    } else if fallback > 0 {
        out.push(format!(
            "{fallback} comprehensive windows (综合窗口, fallback) are now shared by {} departments whose matters go there whole: {}; they also serve the in-person remainder of online matters and back-office intake.",
            shared.len(),
            shared
                .iter()
                .map(|(d, n, total)| format!("{d} ({n} of {total} matters)"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let s = &plan.staff;
    out.push(if s.new_windows == 0 && s.hired == 0 {
        format!(
            "Staff: {} today; {} stay at windows, {} become online-service helpers, {} move to the back office, {} released.",
            s.today, s.at_windows, s.helpers, s.backoffice, s.released
        )
    } else {
        let new = if s.new_windows == 0 {
            String::new()
        } else {
            format!(
                "{} staff the {} new windows, ",
                s.new_window_staff, s.new_windows
            )
        };
        format!(
            "Staff: {} today; {} stay at windows, {new}{} become online-service helpers, {} move to the back office, {} released; {} to be hired.",
            s.today, s.at_windows, s.helpers, s.backoffice, s.released, s.hired
        )
    });
    let worse: Vec<String> = plan
        .departments
        .iter()
        .filter_map(|d| match (d.before_mean_min, d.after_mean_min) {
            (Some(b), Some(a)) if a > d.target_mean_min + 1e-6 && a > b => {
                Some(format!("{} ({:.1} → {:.1} min)", d.department, b, a))
            }
            _ => None,
        })
        .collect();
    if worse.is_empty() {
        out.push("No department's predicted mean wait exceeds its target.".into());
    } else {
        out.push(format!(
            "Predicted waits above target: {}.",
            worse.join(", ")
        ));
    }
    out
}
