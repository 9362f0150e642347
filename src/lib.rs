//! hallplan: plan how a service hall can cut, merge and move its windows without making
//! people wait longer, and prove it with before/after reports.
//!
//! The pipeline is the module tree:
//! [`ingest`] (read a hall's exports, account for every row) →
//! [`profile`] (the "smart big screen" view) →
//! [`queueing`] and [`optimise`] (Erlang C inside a MILP) →
//! [`simulate`] (replay tickets through a plan) →
//! [`report`] and [`charts`] (Markdown, HTML, CSV, JSON, SVG/PNG).
//! [`commands`] holds one module per subcommand; [`cli`] is the thin argument layer.

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
pub mod queueing;
pub mod report;
pub mod sample;
pub mod simulate;

pub use error::{Error, Result};
