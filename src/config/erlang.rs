//! `erlang`: the station's figures, checked, and what the windows are chosen for.

use crate::cli::ErlangArgs;
use crate::error::{Error, Result};
use crate::queueing::staffing::{Query, Target};

pub struct ErlangConfig {
    pub query: Query,
    /// `--windows`: evaluate this many (and check them against the targets).
    pub windows: Option<u32>,
    /// `--target-wait-min`, `--service-level`: without `--windows`, the fewest windows
    /// that meet all of them; with it, whether it meets each.
    pub targets: Vec<Target>,
    /// Print JSON.
    pub json: bool,
}

fn check(name: &str, v: f64, ok: bool, expected: &str) -> Result<()> {
    if ok && v.is_finite() {
        Ok(())
    } else {
        Err(Error::Config {
            what: name.into(),
            message: format!("{v} is not valid (expected {expected})"),
        })
    }
}

impl ErlangConfig {
    pub(super) fn new(a: ErlangArgs) -> Result<ErlangConfig> {
        check(
            "--arrivals-per-hour",
            a.arrivals_per_hour,
            a.arrivals_per_hour >= 0.0,
            "arrivals per hour ≥ 0",
        )?;
        check(
            "--handle-min",
            a.handle_min,
            a.handle_min > 0.0,
            "minutes > 0",
        )?;
        check(
            "--cv2",
            a.cv2,
            a.cv2 >= 0.0,
            "a squared coefficient of variation ≥ 0",
        )?;
        check(
            "--max-utilisation",
            a.max_utilisation,
            a.max_utilisation > 0.0 && a.max_utilisation <= 1.0,
            "a share in (0, 1]",
        )?;
        if let Some(t) = a.target_wait_min {
            check("--target-wait-min", t, t > 0.0, "minutes > 0")?;
        }
        if let Some(sl) = a.service_level {
            check(
                "--service-level",
                sl,
                sl > 0.0 && sl < 1.0,
                "a share in (0, 1)",
            )?;
        }
        if a.windows == Some(0) {
            return Err(Error::Config {
                what: "--windows".into(),
                message: "0 windows serve no one (expected 1 or more)".into(),
            });
        }
        let targets: Vec<Target> = a
            .target_wait_min
            .map(Target::MeanWait)
            .into_iter()
            .chain(a.service_level.map(Target::ServiceLevel))
            .collect();
        Ok(ErlangConfig {
            query: Query {
                arrivals_per_hour: a.arrivals_per_hour,
                handle_min: a.handle_min,
                cs2: a.cv2,
                within_min: a.within_min,
                max_utilisation: a.max_utilisation,
            },
            windows: a.windows,
            targets,
            json: a.json,
        })
    }
}
