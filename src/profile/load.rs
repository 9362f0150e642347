//! Hourly load: arrivals by department and hour, by weekday and hour, staffed windows per
//! hour, and utilisation per window.

use std::collections::{BTreeMap, BTreeSet};

use crate::hall::{time, Status, Tickets, NONE, NO_TIME};
use crate::ingest::derive;

/// Mean tickets issued per open day, `[department][hour]`, and the open days counted.
pub fn arrivals_by_dept_hour(t: &Tickets) -> (Vec<[f64; 24]>, usize) {
    let days: BTreeSet<i64> = t.issued.iter().map(|&x| time::day(x)).collect();
    let mut m = vec![[0.0; 24]; t.departments.len()];
    for i in 0..t.len() {
        m[t.department[i] as usize][time::hour(t.issued[i]) as usize] += 1.0;
    }
    let n = days.len().max(1) as f64;
    for row in &mut m {
        for v in row.iter_mut() {
            *v /= n;
        }
    }
    (m, days.len())
}

/// Mean tickets issued per day of that weekday, `[weekday][hour]` (0 = Monday).
pub fn arrivals_by_weekday_hour(t: &Tickets) -> [[f64; 24]; 7] {
    let mut days: [BTreeSet<i64>; 7] = Default::default();
    let mut m = [[0.0; 24]; 7];
    for &x in &t.issued {
        let w = time::weekday(x) as usize;
        days[w].insert(time::day(x));
        m[w][time::hour(x) as usize] += 1.0;
    }
    for w in 0..7 {
        let n = days[w].len().max(1) as f64;
        for v in m[w].iter_mut() {
            *v /= n;
        }
    }
    m
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WindowUse {
    pub window_id: String,
    pub department: String,
    pub served: u64,
    pub busy_hours: f64,
    pub staffed_hours: f64,
    pub utilisation: Option<f64>,
}

/// Utilisation per window: busy time (services) over staffed time (hours in which the window
/// served anyone). Windows of the inventory that never served appear with zero.
pub fn window_utilisation(
    t: &Tickets,
    inventory: &[crate::hall::Window],
    staffed: &derive::Staffed,
) -> Vec<WindowUse> {
    let nw = t.windows.len();
    let mut staffed_hours = vec![0.0f64; nw];
    for ws in staffed.values() {
        for &w in ws {
            staffed_hours[w as usize] += 1.0;
        }
    }
    let mut busy = vec![0.0f64; nw];
    let mut served = vec![0u64; nw];
    let mut dept: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); nw];
    for i in 0..t.len() {
        let w = t.window[i];
        if w == NONE {
            continue;
        }
        *dept[w as usize].entry(t.department[i]).or_default() += 1;
        if t.status[i] == Status::Served && t.called[i] != NO_TIME {
            served[w as usize] += 1;
            busy[w as usize] += (t.finished[i] - t.called[i]) as f64 / 3600.0;
        }
    }
    let mut out: Vec<WindowUse> = (0..nw)
        .map(|w| {
            let inv = inventory.iter().find(|x| x.id == t.windows.name(w as u32));
            let department = inv.map(|x| x.department.clone()).unwrap_or_else(|| {
                dept[w]
                    .iter()
                    .max_by_key(|(d, n)| (**n, u32::MAX - **d))
                    .map(|(d, _)| t.departments.name(*d).to_string())
                    .unwrap_or_default()
            });
            WindowUse {
                window_id: t.windows.name(w as u32).to_string(),
                department,
                served: served[w],
                busy_hours: busy[w],
                staffed_hours: staffed_hours[w],
                utilisation: (staffed_hours[w] > 0.0)
                    .then(|| (busy[w] / staffed_hours[w]).min(1.0)),
            }
        })
        .collect();
    for w in inventory {
        if t.windows.get(&w.id).is_none() {
            out.push(WindowUse {
                window_id: w.id.clone(),
                department: w.department.clone(),
                served: 0,
                busy_hours: 0.0,
                staffed_hours: 0.0,
                utilisation: None,
            });
        }
    }
    out.sort_by(|a, b| {
        a.department
            .cmp(&b.department)
            .then_with(|| a.window_id.cmp(&b.window_id))
    });
    out
}
