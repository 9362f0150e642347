//! `hallplan plan`: backtest today's hall, solve the MILP, check the plan by simulation,
//! and write the decision tables, plan.json and the report.

use crate::config::PlanCommandConfig;
use crate::error::{Error, Result};
use crate::planner;
use crate::report::{self, pages};
use crate::simulate::trace;

pub fn run(c: PlanCommandConfig) -> Result<()> {
    let loaded = c.input.load()?;
    let config = &c.planner;
    let objective = config.objective;
    let policy = &config.policy;
    let prep = planner::prepare(&loaded.hall, config)?;
    if let Some(lp) = &c.write_model {
        let text = planner::lp_model(&prep, objective).map_err(|e| Error::WriteModel {
            path: lp.clone(),
            message: e.to_string(),
        })?;
        std::fs::write(lp, text).map_err(|source| Error::Write {
            path: lp.clone(),
            source,
        })?;
        eprintln!("wrote the MILP to {}", lp.display());
    }
    let run = planner::solve(&prep, &loaded.hall, config)?;
    let sims = if loaded.hall.tickets.is_empty() {
        None
    } else {
        Some((
            trace::replay(&loaded.hall, None, policy.seed)?,
            trace::replay(&loaded.hall, Some(&run.plan), policy.seed)?,
        ))
    };
    for line in &run.plan.summary {
        eprintln!("{line}");
    }
    eprintln!(
        "MILP solved by {} in {:.0} ms ({} variables, {} constraints)",
        config.solver.as_str(),
        run.solve_ms,
        run.variables,
        run.constraints
    );
    let (rep, summary) = pages::plan::build(&loaded, &run, sims.as_ref())?;
    let mut bundle = report::render(&rep, &summary)?;
    let mut json = serde_json::to_string_pretty(&run.plan).map_err(|e| Error::Render {
        what: "plan.json".into(),
        message: e.to_string(),
    })?;
    json.push('\n');
    bundle.add("plan.json", json.into_bytes());
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&loaded)?);
    super::commit(&c.out, bundle)
}
