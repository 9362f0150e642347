//! `hallplan plan`: backtest today's hall, solve the MILP, check the plan by simulation,
//! and write the decision tables, plan.json and the report.

use crate::config::{ModelFile, PlanCommandConfig};
use crate::error::{Error, Result};
use crate::ingest::Loaded;
use crate::optimise::staffing::{self, Staffing};
use crate::plan::Plan;
use crate::planner::{self, PlanRun};
use crate::report::{self, pages, Bundle};
use crate::simulate::{trace, SimResult};

pub fn run(c: PlanCommandConfig) -> Result<()> {
    let loaded = c.input.load()?;
    let config = &c.planner;
    let objective = config.objective;
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
    let run = planner::solve(&prep, &loaded.hall, config)?;
    let started = std::time::Instant::now();
    let (run, sims) = replayed(&loaded, &run)?;
    crate::optimise::milp::timing("trace replays of today and the plan", started);
    let staffing = hourly_staffing(&loaded, &run)?;
    // The plan's summary is the result (stdout); the solver's figures are a note.
    for line in &run.plan.summary {
        println!("{line}");
    }
    println!("{}", pages::staffing::saved_line(&staffing, "the plan's"));
    eprintln!(
        "MILP solved by {} in {:.0} ms ({} variables, {} constraints)",
        config.solver.as_str(),
        run.solve_ms,
        run.variables,
        run.constraints
    );
    let started = std::time::Instant::now();
    let mut bundle = files_with(&loaded, &run, sims.as_ref(), &staffing, c.out.lang())?;
    crate::optimise::milp::timing("report, tables and plan.xlsx", started);
    if let Some((rel, text)) = model_in_output {
        eprintln!("the MILP goes to {}", c.out.path().join(&rel).display());
        bundle.add(rel, text.into_bytes());
    }
    let started = std::time::Instant::now();
    super::commit(&c.out, bundle)?;
    crate::optimise::milp::timing("output folder written", started);
    Ok(())
}

/// Every file of a plan's output folder (the report in each format, plan.json,
/// plan.xlsx, the rejected rows): `plan` writes them and `serve` offers them for
/// download, the same bytes for the same run.
pub fn files(loaded: &Loaded, run: &PlanRun) -> Result<Bundle> {
    let (run, sims) = replayed(loaded, run)?;
    let staffing = hourly_staffing(loaded, &run)?;
    files_with(loaded, &run, sims.as_ref(), &staffing, report::Lang::Both)
}

/// Today's and the plan's trace replays (None without tickets), and the plan with the
/// replay's side of each department's target filled in: the plan.json that `plan` writes
/// and `serve` returns.
pub fn replayed(loaded: &Loaded, run: &PlanRun) -> Result<(PlanRun, Option<Replays>)> {
    let seed = run.plan.policy.seed;
    let sims = if loaded.hall.tickets.is_empty() {
        None
    } else {
        Some((
            trace::replay(&loaded.hall, None, seed)?,
            trace::replay(&loaded.hall, Some(&run.plan), seed)?,
        ))
    };
    let mut run = run.clone();
    if let Some((_, after)) = &sims {
        crate::targets::fill_replay(&mut run.plan, after);
    }
    Ok((run, sims))
}

/// Today's replay and the plan's.
pub type Replays = (SimResult, SimResult);

/// The fewest windows to open slot by slot that keep the plan's targets (optimise::staffing).
fn hourly_staffing(loaded: &Loaded, run: &PlanRun) -> Result<Staffing> {
    let started = std::time::Instant::now();
    let staffing = staffing::for_plan(run, &loaded.hall)?;
    crate::optimise::milp::timing("hourly staffing", started);
    Ok(staffing)
}

fn files_with(
    loaded: &Loaded,
    run: &PlanRun,
    sims: Option<&Replays>,
    staffing: &Staffing,
    lang: report::Lang,
) -> Result<Bundle> {
    let (mut rep, mut summary) = pages::plan::build(loaded, run, sims, lang)?;
    rep.append(pages::staffing::section(staffing, "the plan's", lang)?);
    summary["staffing"] = serde_json::json!({
        "window_hours_all_day": staffing.window_hours_all_day(),
        "window_hours_staffed": staffing.window_hours_staffed(),
    });
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("plan.json", plan_json(&run.plan)?.into_bytes());
    bundle.add("plan.xlsx", report::xlsx::render(&rep)?);
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(loaded)?);
    Ok(bundle)
}

/// plan.json: the plan, pretty-printed, with a final newline.
pub fn plan_json(plan: &Plan) -> Result<String> {
    let mut json = serde_json::to_string_pretty(plan).map_err(|e| Error::Render {
        what: "plan.json".into(),
        message: e.to_string(),
    })?;
    json.push('\n');
    Ok(json)
}
