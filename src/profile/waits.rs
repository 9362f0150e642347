//! Observed waits per department, from the ticket log.

use std::collections::BTreeSet;

use crate::hall::derive;
use crate::hall::{time, Minutes, Status, Tickets, NO_TIME};
use crate::stats::{mean, quantile as quantile_sorted};

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
        no_show_rate: rate(no_show, n),
        cancel_rate: rate(cancelled, n),
    }
}

/// Per department (sorted by name) and the whole hall last.
pub fn by_department(t: &Tickets) -> (Vec<DeptWaits>, DeptWaits) {
    if let Some(r) = by_department_counted(t) {
        return r;
    }
    by_department_sorted(t)
}

/// The same figures from waits counted per whole second (waits are whole seconds): one
/// pass over the tickets, no sort. The mean adds the same values in the same (ascending)
/// order as the sorted way, so every figure is identical. `None` when the counts would
/// not fit in a modest table (very long waits, many departments) or a wait is negative.
fn by_department_counted(t: &Tickets) -> Option<(Vec<DeptWaits>, DeptWaits)> {
    let nd = t.departments.len();
    let mut max_wait = 0i64;
    for i in 0..t.len() {
        if t.status[i] == Status::Served && t.called[i] != NO_TIME {
            let w = t.called[i] - t.issued[i];
            if w < 0 {
                return None;
            }
            max_wait = max_wait.max(w);
        }
    }
    let width = usize::try_from(max_wait).ok()? + 1;
    if (nd + 1).checked_mul(width)? > 1 << 24 {
        return None;
    }
    let span = derive::day_span(t);
    let mut hist = vec![0u32; nd * width];
    let mut days = vec![derive::DaySet::new(span); nd];
    let mut all_days = derive::DaySet::new(span);
    let mut n = vec![0u64; nd];
    let mut no_show = vec![0u64; nd];
    let mut cancelled = vec![0u64; nd];
    for i in 0..t.len() {
        let d = t.department[i] as usize;
        n[d] += 1;
        let day = time::day(t.issued[i]);
        days[d].insert(day);
        all_days.insert(day);
        match t.status[i] {
            Status::Served => {
                if t.called[i] != NO_TIME {
                    hist[d * width + (t.called[i] - t.issued[i]) as usize] += 1;
                }
            }
            Status::NoShow => no_show[d] += 1,
            Status::Cancelled => cancelled[d] += 1,
        }
    }
    let mut out: Vec<DeptWaits> = (0..nd)
        .map(|d| {
            let counts: Vec<u64> = hist[d * width..(d + 1) * width]
                .iter()
                .map(|&c| u64::from(c))
                .collect();
            from_counts(
                t.departments.name(d as u32),
                n[d],
                days[d].len(),
                no_show[d],
                cancelled[d],
                &counts,
            )
        })
        .collect();
    out.sort_by(|a, b| a.department.cmp(&b.department));
    let mut all = vec![0u64; width];
    for d in 0..nd {
        for (a, &c) in all.iter_mut().zip(&hist[d * width..(d + 1) * width]) {
            *a += u64::from(c);
        }
    }
    let hall = from_counts(
        "全厅 (whole hall)",
        t.len() as u64,
        all_days.len(),
        no_show.iter().sum(),
        cancelled.iter().sum(),
        &all,
    );
    Some((out, hall))
}

/// [`summarise`]'s figures from served waits counted per second (`counts[s]` waits of `s`
/// seconds).
fn from_counts(
    name: &str,
    n: u64,
    days: usize,
    no_show: u64,
    cancelled: u64,
    counts: &[u64],
) -> DeptWaits {
    let served: u64 = counts.iter().sum();
    let minutes = |s: usize| s as f64 / 60.0;
    let mean = (served > 0).then(|| {
        let mut sum = 0.0;
        for (s, &c) in counts.iter().enumerate() {
            let w = minutes(s);
            for _ in 0..c {
                sum += w;
            }
        }
        sum / served as f64
    });
    // Nearest rank, as `quantile_sorted`.
    let quantile = |q: f64| -> Option<f64> {
        if served == 0 {
            return None;
        }
        let rank = ((q * served as f64).ceil() as u64).clamp(1, served);
        let mut seen = 0;
        for (s, &c) in counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(minutes(s));
            }
        }
        None
    };
    let share = |limit: f64| {
        (served > 0).then(|| {
            let over: u64 = counts
                .iter()
                .enumerate()
                .filter(|(s, _)| minutes(*s) > limit)
                .map(|(_, &c)| c)
                .sum();
            over as f64 / served as f64
        })
    };
    let nd = days.max(1) as u64;
    DeptWaits {
        department: name.to_string(),
        tickets: n,
        days: days as u64,
        tickets_per_day: n as f64 / nd as f64,
        served,
        mean,
        median: quantile(0.5),
        p90: quantile(0.9),
        max: counts.iter().rposition(|&c| c > 0).map(minutes),
        share_over_10: share(10.0),
        share_over_20: share(20.0),
        no_show_rate: rate(no_show, n),
        cancel_rate: rate(cancelled, n),
    }
}

/// The sorted way (any waits).
fn by_department_sorted(t: &Tickets) -> (Vec<DeptWaits>, DeptWaits) {
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

/// `k` of `n` as a share; 0 when there is nothing to count.
fn rate(k: u64, n: u64) -> f64 {
    if n > 0 {
        k as f64 / n as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::TicketRow;

    #[test]
    fn counted_and_sorted_waits_agree() {
        let mut t = Tickets::default();
        let day = 18_000 * 86_400;
        let mut x = 12_345u64;
        for i in 0..5_000i64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let issued = day + (i % 7) * 86_400 + 9 * 3600 + (x >> 40) as i64 % 20_000;
            let wait = (x >> 20) as i64 % 3_000;
            let status = match x % 17 {
                0 => Status::NoShow,
                1 => Status::Cancelled,
                _ => Status::Served,
            };
            let called = if status == Status::Cancelled {
                NO_TIME
            } else {
                issued + wait
            };
            t.push(TicketRow {
                issued,
                called,
                finished: if status == Status::Served {
                    called + 300
                } else {
                    NO_TIME
                },
                window: Some("W1"),
                department: ["税务局", "医保局", "民政局"][(x % 3) as usize],
                matter: None,
                status,
            });
        }
        let counted = by_department_counted(&t).expect("fits");
        assert_eq!(counted, by_department_sorted(&t));
    }
}
