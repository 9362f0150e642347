//! `hallplan erlang`: the staffing calculator, forwards (what does c windows give?) and in
//! reverse (how many windows for a target?).

use crate::cli::ErlangArgs;
use crate::error::{Error, Result};
use crate::queueing::{self, Station};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub windows: u32,
    pub load_erlangs: f64,
    pub utilisation: f64,
    pub p_wait: Option<f64>,
    pub mean_wait_min: Option<f64>,
    pub p90_wait_min: Option<f64>,
    pub service_level: Option<f64>,
    pub within_min: f64,
}

pub fn evaluate(st: Station, within_min: f64) -> Evaluation {
    let stable = st.is_stable();
    Evaluation {
        windows: st.servers,
        load_erlangs: st.load(),
        utilisation: st.utilisation(),
        p_wait: stable.then(|| st.p_wait()),
        mean_wait_min: st.mean_wait(),
        p90_wait_min: st.wait_quantile(0.9),
        service_level: st.service_level(within_min),
        within_min,
    }
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

pub fn run(a: ErlangArgs) -> Result<()> {
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
    let load = queueing::offered_load(a.arrivals_per_hour, a.handle_min);
    let (windows, how) = if let Some(c) = a.windows {
        (c, "as given".to_string())
    } else if let Some(t) = a.target_wait_min {
        check("--target-wait-min", t, t > 0.0, "minutes > 0")?;
        let c =
            queueing::min_servers_for_mean_wait(load, a.handle_min, a.cv2, t, a.max_utilisation);
        (c, format!("fewest windows for a mean wait ≤ {t} min"))
    } else if let Some(sl) = a.service_level {
        check(
            "--service-level",
            sl,
            sl > 0.0 && sl < 1.0,
            "a share in (0, 1)",
        )?;
        let c = queueing::min_servers_for_service_level(
            load,
            a.handle_min,
            a.cv2,
            sl,
            a.within_min,
            a.max_utilisation,
        );
        (
            c,
            format!(
                "fewest windows for {:.0}% served within {} min",
                sl * 100.0,
                a.within_min
            ),
        )
    } else {
        let c = queueing::min_servers_for_mean_wait(
            load,
            a.handle_min,
            a.cv2,
            f64::INFINITY,
            a.max_utilisation,
        );
        (
            c,
            format!(
                "fewest windows that keep utilisation ≤ {:.0}%",
                a.max_utilisation * 100.0
            ),
        )
    };
    if windows == u32::MAX {
        return Err(Error::Infeasible(
            "no number of windows meets that target".into(),
        ));
    }
    let st = Station {
        servers: windows,
        arrivals_per_hour: a.arrivals_per_hour,
        handle_min: a.handle_min,
        cs2: a.cv2,
    };
    let e = evaluate(st, a.within_min);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e).unwrap_or_default());
        return Ok(());
    }
    let f = |v: Option<f64>, d: usize| v.map_or("unstable".to_string(), |v| format!("{v:.d$}"));
    println!("windows            {windows} ({how})");
    println!("offered load       {:.4} Erlangs", e.load_erlangs);
    println!("utilisation        {:.4}", e.utilisation);
    println!("P(wait)            {}", f(e.p_wait, 6));
    println!(
        "mean wait          {} min ({} s)",
        f(e.mean_wait_min, 4),
        f(e.mean_wait_min.map(|m| m * 60.0), 2)
    );
    println!("p90 wait           {} min", f(e.p90_wait_min, 4));
    println!(
        "service level      {} within {} min",
        f(e.service_level, 5),
        a.within_min
    );
    Ok(())
}
