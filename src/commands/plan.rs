//! `hallplan plan`: backtest today's hall, solve the MILP, check the plan by simulation,
//! and write the decision tables, plan.json and the report.

use crate::config::{ModelFile, PlanCommandConfig};
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
    // The model is written before the slow solve, so a bad path fails at once; inside
    // the output folder it waits for the bundle.
    let mut model_in_output = None;
    if let Some(m) = &c.write_model {
        let text = planner::lp_model(&prep, objective).map_err(|e| Error::WriteModel {
            path: match m {
                ModelFile::File(p) => p.clone(),
                ModelFile::InOutput(rel) => std::path::PathBuf::from(rel),
            },
            message: e.to_string(),
        })?;
        match m {
            ModelFile::File(lp) => {
                report::output::write_file(lp, text.as_bytes())?;
                eprintln!("wrote the MILP to {}", lp.display());
            }
            ModelFile::InOutput(rel) => model_in_output = Some((rel.clone(), text)),
        }
    }
    let mut run = planner::solve(&prep, &loaded.hall, config)?;
    let sims = if loaded.hall.tickets.is_empty() {
        None
    } else {
        Some((
            trace::replay(&loaded.hall, None, policy.seed)?,
            trace::replay(&loaded.hall, Some(&run.plan), policy.seed)?,
        ))
    };
    if let Some((_, after)) = &sims {
        crate::targets::fill_replay(&mut run.plan, after);
    }
    // The plan's summary is the result (stdout); the solver's figures are a note.
    for line in &run.plan.summary {
        println!("{line}");
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
    bundle.add("plan.xlsx", report::xlsx::render(&rep)?);
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&loaded)?);
    if let Some((rel, text)) = model_in_output {
        eprintln!("the MILP goes to {}", c.out.path().join(&rel).display());
        bundle.add(rel, text.into_bytes());
    }
    super::commit(&c.out, bundle)
}
