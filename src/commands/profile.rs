//! `hallplan profile`: the smart-screen view and more, as a report folder.

use crate::config::ProfileConfig;
use crate::error::Result;
use crate::report::{self, pages};

pub fn run(c: ProfileConfig) -> Result<()> {
    let clock = crate::ingest::Clock::start(c.timing);
    let loaded = c.input.load()?;
    clock.lap("load");
    let (rep, summary) = pages::profile::build(&loaded, c.out.lang())?;
    clock.lap("profile computed");
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&loaded)?);
    clock.lap("report rendered");
    let done = super::commit(&c.out, bundle);
    clock.lap("written");
    done
}
