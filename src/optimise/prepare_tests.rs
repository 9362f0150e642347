//! Targets of the pools that serve departments without windows of their own.

use super::*;
use crate::hall::bundled_sample_for_tests as sample;

/// model.md §4: a fallback pool takes the smallest target of the departments whose
/// matters it serves — also of the department served there today (the sample's 综合窗口,
/// with no window of its own). With `wait_floor_min = 0` ("no department waits longer
/// than today") its target is therefore at most today's wait at the fallback windows; a
/// target stated for that department is taken as stated.
#[test]
fn the_fallback_pools_target_keeps_todays_wait_of_its_own_visitors() {
    let hall = sample();
    let policy = Policy {
        wait_floor_min: 0.0,
        ..Policy::default()
    };
    let prep = prepare(&hall, &policy).expect("prepare");
    let f = prep.model.fallback_pool;
    let today = prep.before[f]
        .mean_wait
        .expect("today's wait at the fallback windows");
    assert!(today > 0.0);
    assert!(
        prep.targets.mean[f] <= today + 1e-12,
        "target {} above today's {today}",
        prep.targets.mean[f]
    );
    let stated = Policy {
        department_mean_wait_min: [("综合窗口".to_string(), 0.5)].into_iter().collect(),
        ..Policy::default()
    };
    let prep = prepare(&hall, &stated).expect("prepare");
    assert_eq!(prep.targets.mean[f], 0.5);
    assert!(prep.targets.stated[f]);
    // With the default floor the target is unchanged by today's short wait there.
    let prep = prepare(&hall, &Policy::default()).expect("prepare");
    assert_eq!(prep.targets.mean[f], 5.0);
}
