//! `validate`: the hall to read and how to print the accounting.

use super::{data_dir, load_options, Env, Input};
use crate::cli::ValidateArgs;
use crate::error::Result;
use crate::ingest::Needs;

pub struct ValidateConfig {
    pub input: Input,
    /// Print the accounting as JSON.
    pub json: bool,
    pub timing: bool,
}

impl ValidateConfig {
    pub(super) fn new(a: ValidateArgs, env: Env) -> Result<ValidateConfig> {
        let data = data_dir(&a.data)?;
        let options = load_options(&a.data, Needs::default(), env)?;
        Ok(ValidateConfig {
            input: Input { data, options },
            json: a.json,
            timing: env.timing,
        })
    }
}
