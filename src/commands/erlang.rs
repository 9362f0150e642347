//! `hallplan erlang`: the staffing calculator, forwards (what does c windows give?) and in
//! reverse (how many windows for a target?).

use crate::config::ErlangConfig;
use crate::error::{Error, Result};
use crate::queueing::staffing::{self, Target};

pub fn run(c: ErlangConfig) -> Result<()> {
    let q = &c.query;
    let windows = staffing::windows_for(q, c.target)
        .ok_or_else(|| Error::Infeasible("no number of windows meets that target".into()))?;
    let e = staffing::evaluate(q, windows);
    if c.json {
        println!("{}", serde_json::to_string_pretty(&e).unwrap_or_default());
        return Ok(());
    }
    let how = match c.target {
        Target::Windows(_) => "as given".to_string(),
        Target::MeanWait(t) => format!("fewest windows for a mean wait ≤ {t} min"),
        Target::ServiceLevel(sl) => format!(
            "fewest windows for {:.0}% served within {} min",
            sl * 100.0,
            q.within_min
        ),
        Target::Utilisation => format!(
            "fewest windows that keep utilisation ≤ {:.0}%",
            q.max_utilisation * 100.0
        ),
    };
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
        q.within_min
    );
    Ok(())
}
