//! Observed waits per department, from the ticket log.

use std::collections::BTreeSet;

use super::{mean, quantile_sorted};
use crate::hall::{time, Minutes, Status, Tickets};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeptWaits {
    pub department: String,
    pub tickets: u64,
    pub days: u64,
    pub tickets_per_day: f64,
    pub served: u64,
    pub mean: Option<Minutes>,
    pub median: Option<Minutes>,
    pub p90: Option<Minutes>,
    pub max: Option<Minutes>,
    pub share_over_10: Option<f64>,
    pub share_over_20: Option<f64>,
    pub no_show_rate: f64,
    pub cancel_rate: f64,
}

/// Waits of one group of tickets (served tickets: the people who were helped).
pub fn summarise(name: &str, t: &Tickets, idx: impl Iterator<Item = usize>) -> DeptWaits {
    let mut waits = Vec::new();
    let (mut n, mut no_show, mut cancelled) = (0u64, 0u64, 0u64);
    let mut days = BTreeSet::new();
    for i in idx {
        n += 1;
        days.insert(time::day(t.issued[i]));
        match t.status[i] {
            Status::Served => {
                if let Some(w) = t.wait_min(i) {
                    waits.push(w);
                }
            }
            Status::NoShow => no_show += 1,
            Status::Cancelled => cancelled += 1,
        }
    }
    waits.sort_by(f64::total_cmp);
    let share = |limit: f64| {
        (!waits.is_empty())
            .then(|| waits.iter().filter(|&&w| w > limit).count() as f64 / waits.len() as f64)
    };
    let nd = days.len().max(1) as u64;
    DeptWaits {
        department: name.to_string(),
        tickets: n,
        days: days.len() as u64,
        tickets_per_day: n as f64 / nd as f64,
        served: waits.len() as u64,
        mean: mean(&waits),
        median: quantile_sorted(&waits, 0.5),
        p90: quantile_sorted(&waits, 0.9),
        max: waits.last().copied(),
        share_over_10: share(10.0),
        share_over_20: share(20.0),
        no_show_rate: if n > 0 {
            no_show as f64 / n as f64
        } else {
            0.0
        },
        cancel_rate: if n > 0 {
            cancelled as f64 / n as f64
        } else {
            0.0
        },
    }
}

/// Per department (sorted by name) and the whole hall last.
pub fn by_department(t: &Tickets) -> (Vec<DeptWaits>, DeptWaits) {
    let nd = t.departments.len();
    let mut idx: Vec<Vec<usize>> = vec![Vec::new(); nd];
    for i in 0..t.len() {
        idx[t.department[i] as usize].push(i);
    }
    let mut out: Vec<DeptWaits> = (0..nd)
        .map(|d| summarise(t.departments.name(d as u32), t, idx[d].iter().copied()))
        .collect();
    out.sort_by(|a, b| a.department.cmp(&b.department));
    let hall = summarise("全厅 (whole hall)", t, 0..t.len());
    (out, hall)
}
