//! One module per subcommand, each glue only: it takes its config (resolved by
//! [`crate::config`]; no clap type reaches here), loads, calls the library's computation,
//! builds the report page and commits.

pub mod compare;
pub mod erlang;
pub mod frontier;
pub mod plan;
pub mod profile;
pub mod sample;
pub mod simulate;
pub mod staffing;
pub mod validate;

use crate::config::Config;
use crate::error::Result;
use crate::report::output::MARKER;
use crate::report::{Bundle, OutputDir};

pub fn run(config: Config) -> Result<()> {
    match config {
        Config::Validate(c) => validate::run(c),
        Config::Profile(c) => profile::run(c),
        Config::Sample(c) => sample::run(c),
        Config::Erlang(c) => erlang::run(c),
        Config::Plan(c) => plan::run(c),
        Config::Frontier(c) => frontier::run(c),
        Config::Staffing(c) => staffing::run(c),
        Config::Simulate(c) => simulate::run(c),
        Config::Compare(c) => compare::run(c),
        Config::Serve(c) => crate::serve::run(c),
    }
}

/// Writes the bundle (with the marker) and says where.
pub fn commit(out: &OutputDir, mut bundle: Bundle) -> Result<()> {
    bundle.add(MARKER, b"written by hallplan\n".to_vec());
    out.commit(&bundle)?;
    eprintln!(
        "wrote {} files to {}",
        bundle.files.len() - 1,
        out.path().display()
    );
    Ok(())
}
