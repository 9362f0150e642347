//! The comprehensive window (channel `general`, model.md §2) in the model: which matters
//! may take it, where it sends them and how much slower they are served there.

use super::evaluate::routes;
use super::{Channel, HallModel, Policy, Slots};
use crate::hall::Hall;

use crate::hall::bundled_sample_for_tests as sample;

fn model(hall: &Hall, policy: &Policy) -> HallModel {
    let policy = Policy {
        slots: Slots::Day,
        ..policy.clone()
    };
    HallModel::build(hall, &policy).expect("the model builds")
}

#[test]
fn every_matter_not_marked_specialist_may_take_the_comprehensive_window_and_no_other() {
    let hall = sample();
    let m = model(&hall, &Policy::default());
    let specialist = hall.matters.iter().filter(|x| x.specialist).count();
    // The sample marks exit-entry, real-estate registration, marriage registration and a
    // few card, device and loan matters (src/sample/catalogue.rs).
    assert_eq!(specialist, 24);
    for md in &m.matters {
        let matter = &hall.matters[md.matter];
        let at_fallback_today = m.dept_pool[md.department] == m.fallback_pool;
        assert_eq!(
            md.channels.contains(&Channel::General),
            !matter.specialist && !at_fallback_today,
            "{} ({}): {:?}",
            matter.id,
            matter.department,
            md.channels
        );
        assert_ne!(md.today, Channel::General, "nobody is there today");
    }
}

#[test]
fn a_scenario_that_forbids_the_comprehensive_window_offers_it_to_no_matter() {
    let hall = sample();
    let policy = Policy {
        allow_general: false,
        ..Policy::default()
    };
    let m = model(&hall, &policy);
    assert!(m
        .matters
        .iter()
        .all(|md| !md.channels.contains(&Channel::General)));
    // Everything else is offered as before.
    let with = model(&hall, &Policy::default());
    for (a, b) in m.matters.iter().zip(&with.matters) {
        let others: Vec<Channel> = b
            .channels
            .iter()
            .copied()
            .filter(|&c| c != Channel::General)
            .collect();
        assert_eq!(a.channels, others);
    }
}

#[test]
fn the_comprehensive_window_takes_all_of_a_matters_demand_more_slowly_at_the_fallback_pool() {
    let hall = sample();
    for slowdown in [0.0, 0.15, 0.4] {
        let policy = Policy {
            general_slowdown: slowdown,
            ..Policy::default()
        };
        let m = model(&hall, &policy);
        let (i, md) = m
            .matters
            .iter()
            .enumerate()
            .find(|(_, md)| md.channels.contains(&Channel::General))
            .expect("a matter may take the comprehensive window");
        let r = routes(&m, i, Channel::General, &policy);
        assert_eq!(r.len(), 1);
        let (pool, lambda, handle, cs2) = &r[0];
        assert_eq!(*pool, m.fallback_pool);
        assert_eq!(lambda, &md.lambda, "all of its in-person demand");
        assert!((handle - md.handle_min * (1.0 + slowdown)).abs() < 1e-12);
        assert_eq!(*cs2, md.cs2);
    }
}
