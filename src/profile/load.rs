//! Hourly load: arrivals by department and hour, by weekday and hour, staffed windows per
//! hour, and utilisation per window.

use crate::hall::derive;
use crate::hall::{time, Status, Tickets, NONE, NO_TIME};

/// Mean tickets issued per open day, `[department][hour]`, and the open days counted.
pub fn arrivals_by_dept_hour(t: &Tickets) -> (Vec<[f64; 24]>, usize) {
    let mut days = derive::DaySet::new(derive::day_span(t));
    // Counted as integers, then converted: the same sums as adding 1.0 per ticket.
    let mut counts = vec![[0u64; 24]; t.departments.len()];
    for i in 0..t.len() {
        let x = t.issued[i];
        days.insert(time::day(x));
        counts[t.department[i] as usize][time::hour(x) as usize] += 1;
    }
    let mut m: Vec<[f64; 24]> = counts.iter().map(|row| row.map(|c| c as f64)).collect();
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
    let mut all = derive::DaySet::new(derive::day_span(t));
    let mut counts = [[0u64; 24]; 7];
    for &x in &t.issued {
        all.insert(time::day(x));
        counts[time::weekday(x) as usize][time::hour(x) as usize] += 1;
    }
    let mut days = [0usize; 7];
    for d in all.days() {
        days[time::weekday(d * time::DAY) as usize] += 1;
    }
    let mut m = counts.map(|row| row.map(|c| c as f64));
    for w in 0..7 {
        let n = days[w].max(1) as f64;
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
    let nd = t.departments.len();
    let dept = derive::window_departments(t);
    for i in 0..t.len() {
        let w = t.window[i];
        if w == NONE {
            continue;
        }
        if t.status[i] == Status::Served && t.called[i] != NO_TIME {
            served[w as usize] += 1;
            busy[w as usize] += (t.finished[i] - t.called[i]) as f64 / 3600.0;
        }
    }
    let mut out: Vec<WindowUse> = (0..nw)
        .map(|w| {
            let inv = inventory.iter().find(|x| x.id == t.windows.name(w as u32));
            let department = inv.map(|x| x.department.clone()).unwrap_or_else(|| {
                derive::main_department(&dept, nd, w)
                    .map(|d| t.departments.name(d).to_string())
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
