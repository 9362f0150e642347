//! hallplan's integration tests: one binary (ripgrep's layout), one module per subject,
//! sharing the harness in `util` (a hall folder in a temporary directory, the `hallplan`
//! binary run on it, its outputs read back).

mod util;

mod broken_input;
mod busy_hall;
mod cli;
mod compare;
mod demand_change;
mod frontier;
mod fuzz_readers;
mod general;
mod lang;
mod parquet;
mod plan_replay;
mod proposal;
mod realdata;
mod reform_hall;
mod replay_backtest;
mod reports;
mod sample_data;
mod serve;
mod staffing_today;
mod targets;
mod unseen_hall;
