//! `erlang`: the station's figures, checked, and what the windows are chosen for.

use crate::cli::ErlangArgs;
use crate::error::{Error, Result};
use crate::queueing::staffing::{Query, Target};

pub struct ErlangConfig {
    pub query: Query,
    pub target: Target,
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
        // The first of --windows, --target-wait-min, --service-level wins; only the one
        // used is checked.
        let target = if let Some(c) = a.windows {
            Target::Windows(c)
        } else if let Some(t) = a.target_wait_min {
            check("--target-wait-min", t, t > 0.0, "minutes > 0")?;
            Target::MeanWait(t)
        } else if let Some(sl) = a.service_level {
            check(
                "--service-level",
                sl,
                sl > 0.0 && sl < 1.0,
                "a share in (0, 1)",
            )?;
            Target::ServiceLevel(sl)
        } else {
            Target::Utilisation
        };
        Ok(ErlangConfig {
            query: Query {
                arrivals_per_hour: a.arrivals_per_hour,
                handle_min: a.handle_min,
                cs2: a.cv2,
                within_min: a.within_min,
                max_utilisation: a.max_utilisation,
            },
            target,
            json: a.json,
        })
    }
}
