//! `hallplan erlang`: the staffing calculator, forwards (what does c windows give, and do
//! they meet a target?) and in reverse (how many windows for a target?). The figures go
//! to stdout; an unstable station is refused (exit 2), not printed as "unstable".

use serde::Serialize;

use crate::config::ErlangConfig;
use crate::error::{Error, Result};
use crate::queueing::staffing::{self, Evaluation, Query, Target};

/// One target checked against the windows evaluated.
#[derive(Debug, Serialize)]
struct Check {
    target: String,
    met: bool,
    /// The fewest windows that meet it (none when no number does).
    fewest_windows: Option<u32>,
}

#[derive(Debug, Serialize)]
struct Answer {
    #[serde(flatten)]
    evaluation: Evaluation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<Check>,
}

fn target_words(t: Target, q: &Query) -> String {
    match t {
        Target::Windows(c) => format!("{c} windows"),
        Target::MeanWait(w) => format!("mean wait ≤ {w} min"),
        Target::ServiceLevel(sl) => {
            format!("{:.0}% served within {} min", sl * 100.0, q.within_min)
        }
        Target::Utilisation => format!("utilisation ≤ {:.0}%", q.max_utilisation * 100.0),
    }
}

fn meets(e: &Evaluation, t: Target, q: &Query) -> bool {
    match t {
        Target::Windows(c) => e.windows >= c,
        Target::MeanWait(w) => e.mean_wait_min.is_some_and(|m| m <= w),
        Target::ServiceLevel(sl) => e.service_level.is_some_and(|s| s >= sl),
        Target::Utilisation => e.utilisation <= q.max_utilisation,
    }
}

pub fn run(c: ErlangConfig) -> Result<()> {
    let q = &c.query;
    let fewest = |t: Target| staffing::windows_for(q, t);
    let windows = match c.windows {
        Some(w) => w,
        None if c.targets.is_empty() => fewest(Target::Utilisation).ok_or_else(|| {
            Error::Infeasible("no number of windows keeps the utilisation in bounds".into())
        })?,
        None => {
            let mut most = 0;
            for &t in &c.targets {
                most = most.max(fewest(t).ok_or_else(|| {
                    Error::Infeasible(format!("no number of windows meets {}", target_words(t, q)))
                })?);
            }
            most
        }
    };
    let e = staffing::evaluate(q, windows);
    if e.mean_wait_min.is_none() {
        let stable = (e.load_erlangs.floor() as u32).saturating_add(1);
        return Err(Error::Unusable {
            what: format!("--windows {windows}"),
            message: format!(
                "unstable: {} arrivals an hour × {} min is an offered load of {:.2} Erlangs, so {windows} windows would be busy {:.0}% of the time and the queue would grow without bound; {stable} windows is the least that settles{}",
                q.arrivals_per_hour,
                q.handle_min,
                e.load_erlangs,
                e.utilisation.min(9.99) * 100.0,
                fewest(Target::Utilisation)
                    .filter(|&u| u != stable)
                    .map(|u| format!(", {u} keep utilisation ≤ {:.0}%", q.max_utilisation * 100.0))
                    .unwrap_or_default()
            ),
        });
    }
    let checks: Vec<Check> = if c.windows.is_some() {
        c.targets
            .iter()
            .map(|&t| Check {
                target: target_words(t, q),
                met: meets(&e, t, q),
                fewest_windows: fewest(t),
            })
            .collect()
    } else {
        Vec::new()
    };
    if c.json {
        let answer = Answer {
            evaluation: e,
            targets: checks,
        };
        let json = serde_json::to_string_pretty(&answer).map_err(|e| Error::Render {
            what: "erlang --json".into(),
            message: e.to_string(),
        })?;
        println!("{json}");
        return Ok(());
    }
    let how = match (c.windows, c.targets.as_slice()) {
        (Some(_), _) => "as given".to_string(),
        (None, []) => format!(
            "fewest windows for {}",
            target_words(Target::Utilisation, q)
        ),
        (None, ts) => format!(
            "fewest windows for {}",
            ts.iter()
                .map(|&t| target_words(t, q))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    };
    let f = |v: Option<f64>, d: usize| v.map_or("–".to_string(), |v| format!("{v:.d$}"));
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
        q.within_min
    );
    for ch in &checks {
        println!(
            "target             {}: {} with {windows} windows (fewest that meet it: {})",
            ch.target,
            if ch.met { "met" } else { "NOT met" },
            ch.fewest_windows
                .map_or("none".to_string(), |w| w.to_string())
        );
    }
    Ok(())
}
