//! `plan`: the planning inputs, the objective (`--max-windows`), the solver and where to
//! write the MILP for audit.

use std::path::PathBuf;

use super::{planning_inputs, solver, Env, Input};
use crate::cli::PlanArgs;
use crate::error::{Error, Result};
use crate::plan::Objective;
use crate::planner::PlanConfig;
use crate::report::OutputDir;

pub struct PlanCommandConfig {
    pub out: OutputDir,
    pub input: Input,
    /// Policy (scenario, then `--set`s), objective and solver: what the planner reads.
    pub planner: PlanConfig,
    /// Write the MILP in the LP file format here.
    pub write_model: Option<ModelFile>,
}

/// Where `--write-model` goes: inside the output folder it is one more file of the
/// bundle (the folder is replaced as a whole when the run succeeds, so a file written
/// there beforehand would be lost); elsewhere a file of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelFile {
    /// A path relative to the output folder, with `/` separators.
    InOutput(String),
    File(PathBuf),
}

fn model_file(p: &std::path::Path, out: &OutputDir) -> Result<ModelFile> {
    let abs = crate::report::output::absolute(p);
    match abs.strip_prefix(out.path()) {
        Ok(rel) if rel.as_os_str().is_empty() => Err(Error::Config {
            what: "--write-model".into(),
            message: format!(
                "{} is the output folder (expected a file name, e.g. {}/model.lp)",
                p.display(),
                p.display()
            ),
        }),
        Ok(rel) => Ok(ModelFile::InOutput(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        )),
        Err(_) => Ok(ModelFile::File(p.to_path_buf())),
    }
}

impl PlanCommandConfig {
    pub(super) fn new(a: PlanArgs, env: Env) -> Result<PlanCommandConfig> {
        let (out, policy, input) =
            planning_inputs(&a.data, &a.out, a.scenario.as_ref(), &a.set, "plan", env)?;
        let scenario = super::scenario_path(a.scenario.as_ref(), input.data.dir.as_deref());
        let objective = match a.max_windows {
            Some(n) => Objective::LeastWaiting { max_windows: n },
            None => Objective::FewestWindows,
        };
        let write_model = a
            .write_model
            .as_deref()
            .map(|p| model_file(p, &out))
            .transpose()?;
        Ok(PlanCommandConfig {
            out,
            input,
            planner: PlanConfig {
                policy,
                objective,
                solver: solver(a.solver),
                run: env.run_options(),
                scenario,
            },
            write_model,
        })
    }
}
