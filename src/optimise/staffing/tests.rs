//! Hourly staffing as a specification: never more windows in a slot than the plan, a slot
//! nobody comes to opens none, the targets hold under the model and the replay, the same
//! inputs give the same rosters — on a hand-made pool and on the bundled sample's plan.

use super::*;
use crate::model::slots::DayShape;
use crate::plan::{CutReason, Objective, StaffDestination};

/// 09:00–12:00 and 13:00–17:00 with a morning peak, a quiet 11:00 and an empty 13:00.
fn peaked_pool() -> Flow {
    let shape = DayShape::from_ranges(&[(540, 720), (780, 1020)]);
    let mut flow = Flow::new(&shape);
    // Arrivals per hour, 10-minute handling: the 10:00 peak offers 4 Erlangs.
    for (h, l) in [18.0, 24.0, 4.0, 0.0, 10.0, 12.0, 6.0]
        .into_iter()
        .enumerate()
    {
        if l > 0.0 {
            flow.add_matter(h, l, 10.0, 1.0, None);
        }
    }
    flow
}

fn targets(windows: u32) -> PoolTargets {
    PoolTargets {
        windows,
        k: 1.0,
        mean: 5.0,
        peak: 10.0,
        max_utilisation: 0.95,
    }
}

#[test]
fn a_pool_opens_no_more_than_its_windows_and_keeps_its_targets_slot_by_slot() {
    let flow = peaked_pool();
    let st = staff_pool(&flow, targets(6), 0, "p".into(), Vec::new());
    let day = &st.days[0];
    assert!(day.windows.iter().all(|&c| c <= 6), "{:?}", day.windows);
    // The peak needs more windows than the quiet hours: the roster follows the load.
    assert!(day.windows[1] > day.windows[2], "{:?}", day.windows);
    // Under the model: the day's mean within the mean target, every slot within the peak.
    let e = eval_day(&flow, 0, &day.windows, 1.0).expect("the queue empties");
    assert!(e.mean <= 5.0 + 1e-6, "mean {}", e.mean);
    assert!(e.worst <= 10.0 + 1e-6, "worst slot {}", e.worst);
    // And it saves window-hours against six windows all day.
    let slots: Vec<(u32, u32)> = vec![
        (540, 600),
        (600, 660),
        (660, 720),
        (780, 840),
        (840, 900),
        (900, 960),
        (960, 1020),
    ];
    assert!(st.window_hours(&slots) < 6.0 * 7.0, "{:?}", day.windows);
}

#[test]
fn a_slot_nobody_comes_to_opens_no_window_unless_it_ends_a_session() {
    let flow = peaked_pool();
    let st = staff_pool(&flow, targets(6), 0, "p".into(), Vec::new());
    // 13:00 has no arrivals and opens the afternoon with an empty queue.
    assert_eq!(st.days[0].windows[3], 0, "{:?}", st.days[0].windows);
    // A session whose last hour nobody comes to still keeps a window to drain its queue.
    let shape = DayShape::from_ranges(&[(540, 720)]);
    let mut flow = Flow::new(&shape);
    flow.add_matter(0, 12.0, 10.0, 1.0, None);
    flow.add_matter(1, 12.0, 10.0, 1.0, None);
    let st = staff_pool(&flow, targets(4), 0, "p".into(), Vec::new());
    assert!(st.days[0].windows[2] >= 1, "{:?}", st.days[0].windows);
}

#[test]
fn one_window_all_day_cannot_be_staffed_lower_where_people_come() {
    let flow = peaked_pool();
    // One window cannot keep a 5-minute mean at a 4-Erlang peak: the plan's own figures
    // become the targets, and staffing keeps its one window wherever anyone comes.
    let st = staff_pool(&flow, targets(1), 0, "p".into(), Vec::new());
    assert_eq!(st.days[0].windows, vec![1, 1, 1, 0, 1, 1, 1]);
}

use crate::hall::bundled_sample_for_tests as sample;

#[test]
fn the_samples_plan_is_staffed_within_its_windows_and_its_targets_hold_under_the_replay() {
    let hall = sample();
    let policy = Policy::default();
    let run =
        crate::optimise::formula_plan(&hall, &policy, Objective::FewestWindows).expect("plan");
    let st = for_plan(&run, &hall).expect("staffing");
    assert_eq!(st.day_types.len(), 5, "the sample plans each weekday");
    let hours: f64 = st.slots.iter().map(|(a, b)| f64::from(b - a) / 60.0).sum();
    let mut saved = 0.0;
    for p in &st.pools {
        let plan_pool = &run.plan.pools[p.pool];
        assert_eq!(p.windows, plan_pool.windows_after, "{}", p.name);
        for d in &p.days {
            assert!(
                d.windows.iter().all(|&c| c <= p.windows),
                "{}: {:?}",
                p.name,
                d.windows
            );
        }
        // The model: no worse than the target, or than the plan's own figure.
        if let (Some(m), Some(flat)) = (p.model_mean_min, p.model_mean_all_day_min) {
            assert!(
                m <= p.target_mean_min.max(flat) + 1e-6,
                "{}: model {m}",
                p.name
            );
        }
        // The replay: the same, and it ran for every pool with visitors.
        if let (Some(r), Some(flat)) = (p.replay_mean_min, p.replay_mean_all_day_min) {
            assert!(
                r <= p.target_mean_min.max(flat) + 1e-9,
                "{}: replay {r}",
                p.name
            );
        } else {
            assert!(
                p.days.iter().all(|d| d.arrivals.iter().all(|&a| a == 0.0)),
                "{}",
                p.name
            );
        }
        saved += f64::from(p.windows) * hours - p.window_hours(&st.slots);
    }
    assert!(saved > 0.0);
    assert!(st.window_hours_staffed() < st.window_hours_all_day());
    // Same inputs, same rosters.
    assert_eq!(for_plan(&run, &hall).expect("staffing"), st);
}

/// model.md §5: the staff of a window cut for the back office go to the back office first,
/// those of a window cut because its matters went online become helpers first.
#[test]
fn the_staff_of_cut_windows_follow_their_work() {
    let hall = sample();
    let run = crate::optimise::formula_plan(&hall, &Policy::default(), Objective::FewestWindows)
        .expect("plan");
    let plan = &run.plan;
    let staff_cut_for = |r: CutReason| -> u32 {
        plan.windows
            .iter()
            .filter(|w| w.reason == Some(r))
            .map(|w| w.staff)
            .sum()
    };
    let placed = |r: CutReason, d: StaffDestination| -> usize {
        plan.windows
            .iter()
            .filter(|w| w.reason == Some(r) && w.staff_destination.0.first() == Some(&d))
            .count()
    };
    let windows_cut_for =
        |r: CutReason| plan.windows.iter().filter(|w| w.reason == Some(r)).count();
    let bo = staff_cut_for(CutReason::BackOffice);
    let online = staff_cut_for(CutReason::Online);
    assert!(
        bo > 0 && online > 0,
        "the sample cuts windows for both reasons"
    );
    // Enough places: every such window sends its staff to its own work first.
    if plan.staff.backoffice >= bo {
        assert_eq!(
            placed(CutReason::BackOffice, StaffDestination::BackOffice),
            windows_cut_for(CutReason::BackOffice)
        );
    }
    if plan.staff.helpers >= online {
        assert_eq!(
            placed(CutReason::Online, StaffDestination::Helper),
            windows_cut_for(CutReason::Online)
        );
    }
    // Never more staff placed than the plan's helpers and back-office places.
    let count = |d: StaffDestination| -> usize {
        plan.windows
            .iter()
            .filter(|w| w.staff_destination.0.contains(&d))
            .count()
    };
    assert!(count(StaffDestination::BackOffice) as u32 <= plan.staff.backoffice);
    assert!(count(StaffDestination::Helper) as u32 <= plan.staff.helpers);
}

#[test]
fn weekdays_share_the_mean_target_so_the_week_keeps_it() {
    // Monday runs above the 5-minute target with the plan's windows, the others below.
    let days = [(100.0, 6.0), (80.0, 3.0), (80.0, 2.0)];
    let caps = mean_caps(&days, 5.0);
    assert!(
        (caps[0] - 6.0).abs() < 1e-9,
        "no worse than the plan on Monday"
    );
    let week = days.iter().zip(&caps).map(|(d, c)| d.0 * c).sum::<f64>() / 260.0;
    assert!((week - 5.0).abs() < 1e-9, "the week at its target: {week}");
    assert!(
        caps[1] < 5.0 && (caps[1] - caps[2]).abs() < 1e-9,
        "{caps:?}"
    );
    // A typical day: the target itself.
    assert_eq!(mean_caps(&[(10.0, 1.0)], 5.0), vec![5.0]);
}
