//! `sample`: where to write the bundled sample hall, and its seed.

use std::path::PathBuf;

use crate::cli::SampleArgs;

pub struct SampleConfig {
    /// The folder that receives `binjiang/` and `binjiang-after/`.
    pub out: PathBuf,
    pub seed: u64,
    /// Replace existing sample folders.
    pub force: bool,
}

impl SampleConfig {
    pub(super) fn new(a: SampleArgs) -> SampleConfig {
        SampleConfig {
            out: a.out,
            seed: a.seed,
            force: a.force,
        }
    }
}
