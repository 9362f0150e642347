//! `hallplan profile`: the smart-screen view and more, as a report folder.

use crate::cli::ProfileArgs;
use crate::config;
use crate::error::Result;
use crate::ingest::Needs;
use crate::report::{self, pages};

pub fn run(args: ProfileArgs) -> Result<()> {
    let dir = config::data_dir(&args.data)?;
    let inputs: Vec<std::path::PathBuf> = dir.dir.iter().cloned().collect();
    let out = config::output_dir(&args.out, "profile", &inputs)?;
    let opts = config::load_options(&args.data, Needs::default())?;
    let clock = crate::ingest::Clock::start();
    let loaded = crate::ingest::load(dir.dir.as_deref(), &opts)?;
    clock.lap("load");
    let (rep, summary) = pages::profile::build(&loaded)?;
    clock.lap("profile computed");
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&loaded)?);
    clock.lap("report rendered");
    let done = super::commit(&out, bundle);
    clock.lap("written");
    done
}
