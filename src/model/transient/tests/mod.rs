//! Tests of the transient model: the long-run limit, exact small cases against an
//! independent integration, a Monte Carlo of the same sessions, bookkeeping and edge
//! cases, and the properties the MILP's tangent cuts rely on.

use super::*;

mod bookkeeping;
mod exact;
mod long_run;
mod monte_carlo;
mod percentile;
mod properties;

fn slot(minutes: f64, arrivals_per_hour: f64, windows: u32) -> Slot {
    Slot {
        minutes,
        arrivals_per_hour,
        windows,
    }
}

fn exponential(handle_min: f64) -> Service {
    Service {
        handle_min,
        cs2: 1.0,
    }
}

fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= rel * expected.abs(),
        "{what}: expected {expected}, got {actual} (relative tolerance {rel})"
    );
}
