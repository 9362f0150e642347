//! The "smart big screen" view of a hall: what is busy, what is fast, who waits, and how
//! footfall moves. Pure computations over a loaded hall; `commands::profile` turns them into
//! a report.

pub mod footfall;
pub mod load;
pub mod waits;

use std::collections::BTreeMap;

use crate::hall::{Hall, Minutes, Status, NONE};

pub use crate::stats::mean;

/// One matter on the big screen.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MatterLine {
    pub matter_id: String,
    pub name: String,
    pub department: String,
    pub weekly_volume: f64,
    pub catalogue_handle_min: Option<Minutes>,
    pub observed_handle_min: Option<Minutes>,
    pub observed_served: u64,
}

/// Per matter: catalogue figures next to what the tickets show.
pub fn matter_lines(hall: &Hall) -> Vec<MatterLine> {
    let t = &hall.tickets;
    let mut obs: Vec<(f64, u64)> = vec![(0.0, 0); t.matters.len()];
    let mut count: Vec<u64> = vec![0; t.matters.len()];
    for i in 0..t.len() {
        let m = t.matter[i];
        if m == NONE {
            continue;
        }
        if t.status[i] != Status::Cancelled {
            count[m as usize] += 1;
        }
        if let Some(s) = t.service_min(i) {
            obs[m as usize].0 += s;
            obs[m as usize].1 += 1;
        }
    }
    let weeks = crate::hall::derive::weeks_covered(t).max(1.0 / 7.0);
    let mut out: Vec<MatterLine> = hall
        .matters
        .iter()
        .map(|m| {
            let o = t
                .matters
                .get(&m.id)
                .map(|i| obs[i as usize])
                .unwrap_or((0.0, 0));
            MatterLine {
                matter_id: m.id.clone(),
                name: m.name.clone(),
                department: m.department.clone(),
                weekly_volume: m.weekly_volume.unwrap_or(0.0),
                catalogue_handle_min: m.avg_handle_min,
                observed_handle_min: (o.1 > 0).then(|| o.0 / o.1 as f64),
                observed_served: o.1,
            }
        })
        .collect();
    // Matters seen in tickets but missing from the catalogue still count on the screen.
    if hall.matters.is_empty() {
        let mut dept_of: BTreeMap<u32, u32> = BTreeMap::new();
        for i in 0..t.len() {
            if t.matter[i] != NONE {
                dept_of.entry(t.matter[i]).or_insert(t.department[i]);
            }
        }
        for (m, d) in dept_of {
            let o = obs[m as usize];
            out.push(MatterLine {
                matter_id: t.matters.name(m).to_string(),
                name: t.matters.name(m).to_string(),
                department: t.departments.name(d).to_string(),
                weekly_volume: count[m as usize] as f64 / weeks,
                catalogue_handle_min: None,
                observed_handle_min: (o.1 > 0).then(|| o.0 / o.1 as f64),
                observed_served: o.1,
            });
        }
    }
    out
}

/// The ten matters with the largest weekly volume (ties by id).
pub fn top_by_volume(lines: &[MatterLine], n: usize) -> Vec<MatterLine> {
    let mut v = lines.to_vec();
    v.sort_by(|a, b| {
        b.weekly_volume
            .total_cmp(&a.weekly_volume)
            .then_with(|| a.matter_id.cmp(&b.matter_id))
    });
    v.truncate(n);
    v
}

/// The ten matters with the shortest average handling time: observed where the tickets
/// hold at least 20 services of the matter, else the catalogue's figure.
pub fn top_by_speed(lines: &[MatterLine], n: usize) -> Vec<(MatterLine, Minutes)> {
    let mut v: Vec<(MatterLine, Minutes)> = lines
        .iter()
        .filter(|l| l.weekly_volume > 0.0)
        .filter_map(|l| {
            let h = if l.observed_served >= 20 {
                l.observed_handle_min
            } else {
                l.catalogue_handle_min.or(l.observed_handle_min)
            };
            h.map(|h| (l.clone(), h))
        })
        .collect();
    v.sort_by(|a, b| {
        a.1.total_cmp(&b.1)
            .then_with(|| a.0.matter_id.cmp(&b.0.matter_id))
    });
    v.truncate(n);
    v
}
