//! `profile`: the hall to read and the output folder.

use super::{data_dir, load_options, output_dir, Env, Input};
use crate::cli::ProfileArgs;
use crate::error::Result;
use crate::ingest::Needs;
use crate::report::OutputDir;

pub struct ProfileConfig {
    pub out: OutputDir,
    pub input: Input,
    pub timing: bool,
}

impl ProfileConfig {
    pub(super) fn new(a: ProfileArgs, env: Env) -> Result<ProfileConfig> {
        let data = data_dir(&a.data)?;
        let inputs: Vec<std::path::PathBuf> = data.dir.iter().cloned().collect();
        let out = output_dir(&a.out, "profile", &inputs)?;
        let options = load_options(&a.data, Needs::default(), env)?;
        Ok(ProfileConfig {
            out,
            input: Input { data, options },
            timing: env.timing,
        })
    }
}
