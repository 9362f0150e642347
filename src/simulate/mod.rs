//! Simulation (MODEL.md §7): replay a hall's own tickets through today's windows or a
//! plan's, or run synthetic Poisson days, and summarise waits per pool and department.
//!
//! [`engine`] is the multi-server FCFS queue; [`synthetic`] draws arrivals and handling
//! times; [`stats`] summarises. This module maps tickets to pools and schedules.

pub mod check;
pub mod engine;
pub mod poisson;
pub mod stats;
pub mod synthetic;
pub mod trace;

use serde::Serialize;

/// Waits of one group (pool, department or the hall), in minutes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    pub name: String,
    pub customers: usize,
    pub served: usize,
    pub abandoned: usize,
    pub unserved: usize,
    pub left_online: usize,
    pub mean_wait: f64,
    pub p50_wait: f64,
    pub p90_wait: f64,
    pub max_wait: f64,
    /// 95 % confidence half-width of the mean over replications (synthetic mode).
    pub mean_ci_half_width: Option<f64>,
    pub utilisation: Option<f64>,
    /// Mean waiting customers per hour of day (index = hour).
    pub queue_by_hour: Vec<f64>,
    /// Mean wait of served customers by hour of day of arrival (NaN where none).
    pub wait_by_hour: Vec<f64>,
    #[serde(skip)]
    pub waits: Vec<f64>,
}

/// The result of one simulation run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimResult {
    pub mode: String,
    pub configuration: String,
    pub seed: u64,
    pub replications: usize,
    pub pools: Vec<GroupResult>,
    pub departments: Vec<GroupResult>,
    pub hall: GroupResult,
}

/// Summaries of waits given in seconds.
pub(crate) fn group(
    name: &str,
    mut waits_s: Vec<f64>,
    counts: (usize, usize, usize, usize),
) -> GroupResult {
    waits_s.sort_by(f64::total_cmp);
    let waits: Vec<f64> = waits_s.iter().map(|w| w / 60.0).collect();
    let q = |p: f64| {
        if waits.is_empty() {
            0.0
        } else {
            stats::quantile_nearest_rank(&waits, p)
        }
    };
    GroupResult {
        name: name.to_string(),
        customers: counts.0,
        served: waits.len(),
        abandoned: counts.1,
        unserved: counts.2,
        left_online: counts.3,
        mean_wait: if waits.is_empty() {
            0.0
        } else {
            waits.iter().sum::<f64>() / waits.len() as f64
        },
        p50_wait: q(0.5),
        p90_wait: q(0.9),
        max_wait: waits.last().copied().unwrap_or(0.0),
        mean_ci_half_width: None,
        utilisation: None,
        queue_by_hour: vec![0.0; 24],
        wait_by_hour: vec![f64::NAN; 24],
        waits,
    }
}
