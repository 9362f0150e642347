//! Open days of the sample: arrivals, the first-come-first-served queue at the staffed
//! windows, the tickets it produces, and the footfall around them.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::catalogue::*;
use super::halls::*;

// ---------------------------------------------------------------------------------------
// Arrivals and the FCFS queue
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
pub(super) struct Arrival {
    pub(super) issued: Sec,
    pub(super) matter: usize,
    pub(super) service: Sec,
    pub(super) no_show: bool,
    /// `None`: waits as long as it takes.
    pub(super) patience: Option<Sec>,
}

pub(super) fn slot_start(rng: &mut ChaCha8Rng, total: f64) -> Sec {
    let mut x = rng.random::<f64>() * total;
    for &(start, w) in &PROFILE {
        if x < w {
            return start;
        }
        x -= w;
    }
    PROFILE[PROFILE.len() - 1].0
}

/// One matter's tickets on one day: Poisson count, times from the intraday profile.
pub(super) fn arrivals(
    rng: &mut ChaCha8Rng,
    mi: usize,
    mean: f64,
    handle_min: f64,
    cs2: f64,
) -> Vec<Arrival> {
    let total: f64 = PROFILE.iter().map(|p| p.1).sum();
    let n = poisson(rng, mean);
    (0..n)
        .map(|_| {
            let issued = slot_start(rng, total) + rng.random_range(0..SLOT);
            let service = (gamma(rng, handle_min, cs2) * 60.0).round().max(30.0) as Sec;
            let no_show = rng.random_bool(NO_SHOW_P);
            let patience = rng
                .random_bool(IMPATIENT_P)
                .then(|| rng.random_range(60..15 * 60));
            Arrival {
                issued,
                matter: mi,
                service,
                no_show,
                patience,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Outcome {
    Served {
        window: usize,
        called: Sec,
        finished: Sec,
    },
    NoShow {
        window: usize,
        called: Sec,
    },
    Cancelled,
}

/// Earliest time at which a window can call a ticket that is ready at `ready` and belongs to
/// the session closing at `close`: within a staffed interval, or after closing if the window
/// was staffed at closing time (tickets issued before closing are still served).
pub(super) fn earliest_call(
    shifts: &[(Sec, Sec)],
    free: Sec,
    ready: Sec,
    close: Sec,
) -> Option<Sec> {
    let t = free.max(ready);
    for &(from, to) in shifts {
        if t < to {
            return Some(t.max(from));
        }
        if to == close {
            return Some(t);
        }
    }
    None
}

/// Multi-server first-come-first-served queue of one day: arrivals in issue order, each
/// ticket is called at the window that can call it first; sessions start empty. A ticket
/// issued during the lunch break waits for 13:30. A visitor whose wait would exceed their
/// patience leaves before being called.
pub(super) fn fcfs(windows: &[&[(Sec, Sec)]], arrivals: &[Arrival]) -> Vec<Outcome> {
    let mut free: Vec<Sec> = vec![0; windows.len()];
    arrivals
        .iter()
        .map(|a| {
            let (ready, close) = if a.issued < CLOSE_AM {
                (a.issued.max(OPEN_AM), CLOSE_AM)
            } else {
                (a.issued.max(OPEN_PM), CLOSE_PM)
            };
            // Ties go to the window idle longest, then the lowest window.
            let best = windows
                .iter()
                .enumerate()
                .filter_map(|(w, s)| {
                    earliest_call(s, free[w], ready, close).map(|t| (t, free[w], w))
                })
                .min();
            let Some((called, _, w)) = best else {
                return Outcome::Cancelled;
            };
            if a.patience.is_some_and(|p| called - a.issued > p) {
                return Outcome::Cancelled;
            }
            if a.no_show {
                free[w] = called;
                Outcome::NoShow { window: w, called }
            } else {
                free[w] = called + a.service;
                Outcome::Served {
                    window: w,
                    called,
                    finished: called + a.service,
                }
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
pub(super) struct Ticket {
    pub(super) day: NaiveDate,
    pub(super) id: String,
    pub(super) dept: usize,
    pub(super) matter: usize,
    pub(super) issued: Sec,
    pub(super) outcome: Outcome,
    /// Index into the hall's window list.
    pub(super) window: Option<usize>,
}

impl Ticket {
    pub(super) fn called(&self) -> Option<Sec> {
        match self.outcome {
            Outcome::Served { called, .. } | Outcome::NoShow { called, .. } => Some(called),
            Outcome::Cancelled => None,
        }
    }
}

/// Mon–Fri from `first` for four weeks.
pub(super) fn open_days(first: NaiveDate) -> Vec<NaiveDate> {
    (0..28)
        .map(|i| first + Duration::days(i))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

/// Queues every pool on every day and numbers the tickets per department and day.
/// `route` gives, for a matter, its pool, volume factor and handling time (minutes);
/// `pools` maps each pool to the indices of its windows.
pub(super) fn simulate<P: Ord + Copy>(
    seed: u64,
    purpose: Purpose,
    days: &[NaiveDate],
    matters: &[Matter],
    route: impl Fn(&Matter) -> (P, f64, f64),
    pools: &BTreeMap<P, Vec<usize>>,
    shifts_of: impl Fn(usize) -> Vec<(Sec, Sec)>,
) -> Vec<Ticket> {
    let mut tickets = Vec::new();
    for (di, &day) in days.iter().enumerate() {
        let mut by_pool: BTreeMap<P, Vec<Arrival>> = BTreeMap::new();
        for (mi, matter) in matters.iter().enumerate() {
            let (pool, factor, handle) = route(matter);
            let mean = f64::from(matter.weekly) / 5.0 * weekday_factor(day) * factor;
            let mut rng = stream(seed, purpose, mi as u64, di as u64);
            by_pool
                .entry(pool)
                .or_default()
                .extend(arrivals(&mut rng, mi, mean, handle, matter.cs2));
        }
        let mut day_tickets = Vec::new();
        for (pool, mut arr) in by_pool {
            arr.sort_by_key(|a| (a.issued, a.matter));
            let wins = pools.get(&pool).map(Vec::as_slice).unwrap_or(&[]);
            let shift_list: Vec<Vec<(Sec, Sec)>> = wins.iter().map(|&w| shifts_of(w)).collect();
            let refs: Vec<&[(Sec, Sec)]> = shift_list.iter().map(Vec::as_slice).collect();
            for (a, outcome) in arr.iter().zip(fcfs(&refs, &arr)) {
                let window = match outcome {
                    Outcome::Served { window, .. } | Outcome::NoShow { window, .. } => {
                        Some(wins[window])
                    }
                    Outcome::Cancelled => None,
                };
                day_tickets.push(Ticket {
                    day,
                    id: String::new(),
                    dept: matters[a.matter].dept,
                    matter: a.matter,
                    issued: a.issued,
                    outcome,
                    window,
                });
            }
        }
        number_tickets(&mut day_tickets);
        tickets.extend(day_tickets);
    }
    tickets
}

/// Ticket ids: the department letter and a per-day number in issue order (A0001, …).
pub(super) fn number_tickets(day: &mut [Ticket]) {
    day.sort_by_key(|t| (t.dept, t.issued, t.matter, t.called()));
    let mut next: BTreeMap<usize, u32> = BTreeMap::new();
    for t in day.iter_mut() {
        let n = next.entry(t.dept).or_insert(0);
        *n += 1;
        t.id = format!("{}{:04}", DEPTS[t.dept].letter, n);
    }
    day.sort_by(|a, b| (a.issued, &a.id).cmp(&(b.issued, &b.id)));
}

pub(super) fn june_days() -> Vec<NaiveDate> {
    open_days(NaiveDate::from_ymd_opt(2020, 6, 1).unwrap_or_default())
}

pub(super) fn july_days() -> Vec<NaiveDate> {
    open_days(NaiveDate::from_ymd_opt(2020, 7, 6).unwrap_or_default())
}

pub(super) fn tickets_before(seed: u64, matters: &[Matter], windows: &[Window]) -> Vec<Ticket> {
    tickets_before_scaled(seed, matters, windows, |_| 1.0)
}

/// The June tickets with each department's handling times scaled by `scale(department)`.
pub(super) fn tickets_before_scaled(
    seed: u64,
    matters: &[Matter],
    windows: &[Window],
    scale: impl Fn(&str) -> f64,
) -> Vec<Ticket> {
    let mut pools: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (wi, w) in windows.iter().enumerate() {
        let di = DEPTS.iter().position(|d| d.name == w.dept).unwrap_or(0);
        pools.entry(di).or_default().push(wi);
    }
    let route = |m: &Matter| (m.dept, 1.0, m.def.handle_min * scale(DEPTS[m.dept].name));
    let shifts_of = |w: usize| windows[w].shifts.clone();
    simulate(
        seed,
        Purpose::ArrivalsBefore,
        &june_days(),
        matters,
        route,
        &pools,
        shifts_of,
    )
}

pub(super) fn tickets_after(
    seed: u64,
    matters: &[Matter],
    windows: &[(Window, Pool)],
) -> Vec<Ticket> {
    let mut pools: BTreeMap<Pool, Vec<usize>> = BTreeMap::new();
    for (wi, (_, pool)) in windows.iter().enumerate() {
        pools.entry(*pool).or_default().push(wi);
    }
    let route = |m: &Matter| {
        let (pool, factor, handle) = m.route_after();
        (pool, factor * JULY_DEMAND, handle)
    };
    let shifts_of = |w: usize| windows[w].0.shifts.clone();
    simulate(
        seed,
        Purpose::ArrivalsAfter,
        &july_days(),
        matters,
        route,
        &pools,
        shifts_of,
    )
}

// ---------------------------------------------------------------------------------------
// Footfall
// ---------------------------------------------------------------------------------------

/// Days the hall is closed: the Spring Festival and National Day holiday weeks (in 2020
/// the Spring Festival closure lasted until 2 February because of the epidemic).
pub(super) fn closed(day: NaiveDate) -> bool {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let ranges = [
        (ymd(2018, 2, 15), ymd(2018, 2, 21)),
        (ymd(2018, 10, 1), ymd(2018, 10, 7)),
        (ymd(2019, 2, 4), ymd(2019, 2, 10)),
        (ymd(2019, 10, 1), ymd(2019, 10, 7)),
        (ymd(2020, 1, 24), ymd(2020, 2, 2)),
    ];
    ranges.iter().any(|&(a, b)| day >= a && day <= b)
}

/// Shape of the daily footfall before the year levels are fitted: a yearly decline, a Spring Festival dip
/// in the weeks around the holiday, a mild seasonal wave, the weekday pattern, and in 2020
/// the epidemic (February almost empty, recovering by June).
pub(super) fn footfall_shape(day: NaiveDate) -> f64 {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let festival = match day.year() {
        2018 => ymd(2018, 2, 15),
        2019 => ymd(2019, 2, 4),
        _ => ymd(2020, 1, 24),
    };
    let from_festival = (day - festival).num_days();
    let dip = match from_festival {
        -7..=-1 => 0.65,
        -14..=-8 => 0.85,
        0..=14 => 0.55,
        15..=21 => 0.8,
        _ => 1.0,
    };
    // A steady decline of about 20 % a year (online services), fitted exactly per year below.
    let mid_2018 = ymd(2018, 7, 1);
    let trend = 0.8_f64.powf((day - mid_2018).num_days() as f64 / 365.25);
    let doy = f64::from(day.ordinal());
    let season = 1.0 + 0.06 * (2.0 * std::f64::consts::PI * (doy - 100.0) / 365.0).cos();
    let epidemic = if day.year() == 2020 {
        match day.month() {
            1 => 1.0,
            2 => 0.08,
            3 => 0.5,
            4 => 0.8,
            5 => 0.95,
            _ => 1.0,
        }
    } else {
        1.0
    };
    trend * dip * season * epidemic * weekday_factor(day)
}

/// Daily entrance counts, 2018-01-01 … 2020-06-30, open days only. June 2020 is tied to the
/// tickets (about 1.2 visitors per ticket); the year levels are then fitted so that 2019 is
/// 20 % below 2018 and the first half of 2020 40 % below the first half of 2019.
pub(super) fn footfall(
    seed: u64,
    tickets_per_day: &BTreeMap<NaiveDate, usize>,
) -> Vec<(NaiveDate, u64)> {
    let mut rng = stream(seed, Purpose::Footfall, 0, 0);
    let start = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(2020, 6, 30).unwrap_or_default();
    let mut raw: Vec<(NaiveDate, f64, Option<f64>)> = Vec::new();
    let mut day = start;
    while day <= end {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && !closed(day) {
            let noise = rng.random_range(0.93..1.07);
            let ratio = rng.random_range(FOOTFALL_PER_TICKET.0..FOOTFALL_PER_TICKET.1);
            let fixed = tickets_per_day.get(&day).map(|&n| n as f64 * ratio);
            raw.push((day, footfall_shape(day) * noise, fixed));
        }
        day += Duration::days(1);
    }
    // 2020 level from the ticket days.
    let (fix_sum, raw_sum) = raw
        .iter()
        .filter_map(|(_, r, f)| f.map(|f| (f, *r)))
        .fold((0.0, 0.0), |acc, (f, r)| (acc.0 + f, acc.1 + r));
    let a20 = if raw_sum > 0.0 {
        fix_sum / raw_sum
    } else {
        1.0
    };
    // Fitted on unrounded values: the shape is of order 1, so rounding first would be noise.
    let value = |&(_, r, f): &(NaiveDate, f64, Option<f64>), a: f64| f.unwrap_or(r * a);
    let sum = |pred: &dyn Fn(NaiveDate) -> bool, a: f64| -> f64 {
        raw.iter().filter(|x| pred(x.0)).map(|x| value(x, a)).sum()
    };
    let h1_2020 = sum(&|d| d.year() == 2020, a20);
    let a19 = h1_2020 / 0.6 / sum(&|d| d.year() == 2019 && d.month() <= 6, 1.0);
    let y2019 = sum(&|d| d.year() == 2019, a19);
    let a18 = y2019 / 0.8 / sum(&|d| d.year() == 2018, 1.0);
    raw.iter()
        .map(|x| {
            let a = match x.0.year() {
                2018 => a18,
                2019 => a19,
                _ => a20,
            };
            (x.0, value(x, a).round() as u64)
        })
        .collect()
}
