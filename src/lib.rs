//! hallplan: plan how a service hall can cut, merge and move its windows without making
//! people wait longer, and prove it with before/after reports.
//!
//! The pipeline is the module tree:
//! [`ingest`] (read a hall's exports, account for every row) → [`hall`] (the hall and the
//! facts its tickets show: opening hours, staffed windows) → [`profile`] (the "smart big
//! screen" view) → [`model`] and [`queueing`] (demand, pools, waiting) → [`optimise`] (the
//! MILP, good_lp behind [`optimise::milp`]) → [`plan`] (the plan, a type of its own) →
//! [`simulate`] (replay tickets through a plan) → [`compare`] (before and after) →
//! [`report`] and [`charts`] (one page per command; Markdown, HTML, CSV, JSON, xlsx,
//! SVG/PNG).
//!
//! [`planner`] sits above optimise and simulate: solve, check by replay, adjust, and the
//! frontier — the library call a command or a server makes. [`cli`] is what the user typed
//! (clap), [`config`] resolves it into validated inputs, and [`commands`] holds one module
//! per subcommand, each glue: load, compute, page, commit. [`units`] and [`stats`] are
//! shared by all.

pub mod charts;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod config;
pub mod error;
pub mod hall;
pub mod ingest;
pub mod model;
pub mod optimise;
pub mod plan;
pub mod planner;
pub mod profile;
pub mod proposal;
pub mod queueing;
pub mod report;
pub mod sample;
pub mod serve;
pub mod simulate;
pub mod stats;
pub mod targets;
pub mod units;

pub use error::{Error, Result};

/// What `main` calls: the configuration stage, then the command.
pub fn run(cli: cli::Cli) -> Result<()> {
    commands::run(config::Config::from_cli(cli)?)
}
