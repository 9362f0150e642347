//! The configuration stage resolves each value once, in the order the commands have
//! always checked them.

use clap::Parser;

use super::*;
use crate::compare::Periods;
use crate::plan::Objective;
use crate::queueing::staffing::Target;

/// Resolves a command line; `--data` and `--out` name folders that need not exist (the
/// stage checks paths, it reads nothing but scenario and plan files).
fn config(args: &[&str]) -> Result<Config> {
    let mut v = vec!["hallplan"];
    v.extend_from_slice(args);
    Config::from_cli(Cli::try_parse_from(v).expect("the command line parses"))
}

fn config_error(args: &[&str]) -> String {
    match config(args) {
        Err(Error::Config { what, .. }) => what,
        Err(e) => panic!("expected a config error, got {e}"),
        Ok(_) => panic!("expected a config error"),
    }
}

const HALL: &str = "/nonexistent/hallplan-config-test/hall";
const OUT: &str = "/nonexistent/hallplan-config-test/out";

#[test]
fn simulate_resolves_one_demand_change_and_scales_the_plan_from_it() {
    let Ok(Config::Simulate(c)) = config(&[
        "simulate",
        "--data",
        HALL,
        "--out",
        OUT,
        "--mode",
        "synthetic",
        "--demand-change",
        "-0.4",
    ]) else {
        panic!("a simulate config");
    };
    assert_eq!(c.policy.demand_change, -0.4);
    // No plan: planned for the default (no change), simulated at −40 %.
    assert!((c.plan_demand_factor - 0.6).abs() < 1e-15);
    assert_eq!(
        c.mode,
        SimMode::Synthetic {
            replications: 20,
            days: 20
        }
    );
}

#[test]
fn a_demand_change_for_a_trace_replay_is_the_same_knob_as_for_synthetic_days() {
    // Issue 14: it was refused; now a trace grows or thins the log to it.
    let Ok(Config::Simulate(c)) = config(&[
        "simulate",
        "--data",
        HALL,
        "--out",
        OUT,
        "--demand-change",
        "0.2",
    ]) else {
        panic!("a simulate config");
    };
    assert_eq!(c.mode, SimMode::Trace);
    assert_eq!(c.policy.demand_change, 0.2);
    assert_eq!(c.today_demand_change, 0.2);
    assert!((c.plan_demand_factor - 1.2).abs() < 1e-15);
}

#[test]
fn a_demand_change_of_minus_one_or_less_is_refused() {
    assert_eq!(
        config_error(&[
            "simulate",
            "--data",
            HALL,
            "--out",
            OUT,
            "--demand-change",
            "-1"
        ]),
        "--demand-change"
    );
}

#[test]
fn plan_reads_demand_change_from_set_and_the_budget_from_max_windows() {
    let Ok(Config::Plan(c)) = config(&[
        "plan",
        "--data",
        HALL,
        "--out",
        OUT,
        "--set",
        "demand_change=-0.4",
        "--max-windows",
        "60",
    ]) else {
        panic!("a plan config");
    };
    assert_eq!(c.planner.policy.demand_change, -0.4);
    assert_eq!(
        c.planner.objective,
        Objective::LeastWaiting { max_windows: 60 }
    );
}

#[test]
fn erlang_keeps_every_target_beside_the_windows_and_checks_each() {
    // Issue 13: --windows used to win and the target was ignored unchecked; now the
    // windows are checked against every target given, so each must be valid.
    let Ok(Config::Erlang(c)) = config(&[
        "erlang",
        "--arrivals-per-hour",
        "20",
        "--handle-min",
        "10",
        "--windows",
        "5",
        "--target-wait-min",
        "2",
    ]) else {
        panic!("an erlang config");
    };
    assert_eq!(c.windows, Some(5));
    assert_eq!(c.targets, vec![Target::MeanWait(2.0)]);
    for bad in [
        &["--windows", "5", "--target-wait-min=-1"][..],
        &["--target-wait-min", "0"][..],
    ] {
        let mut args = vec!["erlang", "--arrivals-per-hour", "20", "--handle-min", "10"];
        args.extend_from_slice(bad);
        assert_eq!(config_error(&args), "--target-wait-min");
    }
}

#[test]
fn compare_cuts_one_export_by_dates_and_wants_both_ranges() {
    let Ok(Config::Compare(c)) = config(&[
        "compare",
        "--data",
        HALL,
        "--out",
        OUT,
        "--before-range",
        "2020-01-01..2020-01-31",
        "--after-range",
        "2020-02-01..2020-02-29",
    ]) else {
        panic!("a compare config");
    };
    match c.periods {
        Periods::One { export, ranges } => {
            assert_eq!(export, PathBuf::from(HALL));
            assert!(ranges.0 .1 < ranges.1 .0);
        }
        Periods::Two { .. } => panic!("one export expected"),
    }
    assert_eq!(
        config_error(&[
            "compare",
            "--data",
            HALL,
            "--out",
            OUT,
            "--before-range",
            "2020-01-01..2020-01-31"
        ]),
        "--before-range/--after-range"
    );
}
