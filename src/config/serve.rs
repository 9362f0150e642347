//! `serve`: the hall to load once, the starting policy, where to listen and how long a
//! request may take. Every knob a request changes goes through [`super::apply_set`].

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::{data_dir, load_options, policy, solver, Env, Input};
use crate::cli::ServeArgs;
use crate::error::{Error, Result};
use crate::ingest::Needs;
use crate::model::Policy;
use crate::optimise::milp::{RunOptions, Solver};

pub struct ServeConfig {
    pub input: Input,
    /// The scenario (or the hall's scenario.toml, or the defaults): what `plan` would use
    /// before its `--set`s, so a request's plan equals `plan --set …`'s.
    pub policy: Policy,
    /// The scenario file the policy was read from, to name it in errors.
    pub scenario: Option<std::path::PathBuf>,
    pub solver: Solver,
    pub run: RunOptions,
    pub addr: SocketAddr,
    pub time_limit: Duration,
}

impl ServeConfig {
    pub(super) fn new(a: ServeArgs, env: Env) -> Result<ServeConfig> {
        let ip: IpAddr = a.bind.trim().parse().map_err(|_| Error::Config {
            what: "--bind".into(),
            message: format!(
                "\"{}\" is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)",
                a.bind
            ),
        })?;
        if !(a.time_limit_s.is_finite() && a.time_limit_s > 0.0 && a.time_limit_s <= 3600.0) {
            return Err(Error::Config {
                what: "--time-limit-s".into(),
                message: "must be > 0 and at most 3600 seconds".into(),
            });
        }
        let dir = data_dir(&a.data)?;
        let policy = policy(a.scenario.as_ref(), &[], dir.dir.as_deref())?;
        let scenario = super::scenario_path(a.scenario.as_ref(), dir.dir.as_deref());
        let options = load_options(
            &a.data,
            Needs {
                windows: true,
                matters: true,
                tickets: false,
            },
            env,
        )?;
        Ok(ServeConfig {
            input: Input { data: dir, options },
            policy,
            scenario,
            solver: solver(a.solver),
            run: env.run_options(),
            addr: SocketAddr::new(ip, a.port),
            time_limit: Duration::from_secs_f64(a.time_limit_s),
        })
    }
}
