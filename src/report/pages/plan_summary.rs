//! The plan's summary in Chinese, for `--lang zh`. The plan carries its summary in
//! English (`plan.summary`, written where the plan is made and printed on stdout); this is
//! the same content, figure for figure, in the reader's language, built from the plan so
//! that no sentence is translated by lookup.

use crate::optimise::assign::{general_departments, joint_group_windows, window_actions};
use crate::plan::{CutReason, Plan};

/// The summary lines in Chinese, in the order of the English ones.
pub fn zh(plan: &Plan) -> Vec<String> {
    let (reasons, joint, fallback) = window_actions(plan);
    let parts: Vec<String> = [
        (CutReason::Online, "因事项改为网上办理撤销"),
        (CutReason::Merged, "并入联办窗口"),
        (CutReason::BackOffice, "因审批工作移至后台撤销"),
        (CutReason::General, "因事项移至综合窗口撤销"),
        (CutReason::Surplus, "作为富余能力撤销"),
    ]
    .iter()
    .filter_map(|(r, words)| reasons.get(&Some(*r)).map(|n| format!("{n} 个{words}")))
    .chain((plan.staff.new_windows > 0).then(|| format!("新开 {} 个窗口", plan.staff.new_windows)))
    .collect();
    let mut out = vec![format!(
        "{} → {} 个窗口：{}。",
        plan.windows_before,
        plan.windows_after,
        if parts.is_empty() {
            "不撤销窗口".to_string()
        } else {
            parts.join("，")
        }
    )];
    for (g, n) in &joint {
        let (before, members) = joint_group_windows(plan, g);
        out.push(format!(
            "{g} 联办窗口：{n} 个（原有 {before} 个联办窗口；分配了 {members} 个窗口）。"
        ));
    }
    // Departments whose matters go to the comprehensive windows: (name, moved, all).
    let shared = general_departments(plan);
    if fallback > 0 && shared.is_empty() {
        out.push(format!(
            "{fallback} 个兜底窗口办理网办事项的现场办理和后台收件。"
        ));
    } else if fallback > 0 {
        let list: Vec<String> = shared
            .iter()
            .map(|(d, n, total)| format!("{d}（{total} 项中的 {n} 项）"))
            .collect();
        out.push(format!(
            "{fallback} 个综合窗口（兜底）现由 {} 个部门共用，其事项整体移至综合窗口：{}；综合窗口也办理网办事项的现场办理和后台收件。",
            shared.len(),
            list.join("、")
        ));
    }
    let s = &plan.staff;
    out.push(if s.new_windows == 0 && s.hired == 0 {
        format!(
            "人员：现有 {} 人；{} 人留在窗口，{} 人转为网办帮办，{} 人转到后台，{} 人释放。",
            s.today, s.at_windows, s.helpers, s.backoffice, s.released
        )
    } else {
        let new = if s.new_windows == 0 {
            String::new()
        } else {
            format!("{} 人在新开的 {} 个窗口，", s.new_window_staff, s.new_windows)
        };
        format!(
            "人员：现有 {} 人；{} 人留在窗口，{new}{} 人转为网办帮办，{} 人转到后台，{} 人释放；需新招 {} 人。",
            s.today, s.at_windows, s.helpers, s.backoffice, s.released, s.hired
        )
    });
    let worse: Vec<String> = plan
        .departments
        .iter()
        .filter_map(|d| match (d.before_mean_min, d.after_mean_min) {
            (Some(b), Some(a)) if a > d.target_mean_min + 1e-6 && a > b => {
                Some(format!("{}（{b:.1} → {a:.1} 分钟）", d.department))
            }
            _ => None,
        })
        .collect();
    out.push(if worse.is_empty() {
        "没有部门的预测平均等候超过其目标。".to_string()
    } else {
        format!("预测等候超过目标：{}。", worse.join("、"))
    });
    out
}
