//! One module per subcommand, each glue only: its flags resolved by [`crate::config`],
//! the hall loaded, the library's computation, the report page, the commit.

pub mod compare;
pub mod erlang;
pub mod frontier;
pub mod plan;
pub mod profile;
pub mod sample;
pub mod simulate;
pub mod validate;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::report::output::MARKER;
use crate::report::{Bundle, OutputDir};

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Erlang(a) => erlang::run(a),
        Command::Plan(a) => plan::run(a),
        Command::Frontier(a) => frontier::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Compare(a) => compare::run(a),
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
