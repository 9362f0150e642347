//! Demand (model.md §1) and pools (§2): who arrives in which planning hour, and which pool
//! of windows each channel sends them to.

use std::collections::BTreeMap;

use super::slots::{self, DayShape};
use super::{Channel, Policy};
use crate::error::{Error, Result};
use crate::hall::derive;
use crate::hall::{time, Hall, Status, WindowKind, NONE};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PoolKind {
    Department(String),
    Joint(String),
    Fallback,
}

#[derive(Debug, Clone)]
pub struct Pool {
    pub kind: PoolKind,
    pub name: String,
    /// Inventory windows of this pool today (indices into `hall.windows`).
    pub windows_today: Vec<usize>,
    /// Windows that may not be cut (locked), which the pool keeps.
    pub locked: u32,
    /// A department with an in-person-only matter keeps at least one window.
    pub needs_one: bool,
}

/// One matter's demand in the planning slots.
#[derive(Debug, Clone)]
pub struct MatterDemand {
    /// Index into `hall.matters`.
    pub matter: usize,
    pub department: usize,
    pub weekly_volume: f64,
    pub handle_min: f64,
    pub cs2: f64,
    /// Arrivals per hour in each slot (with `demand_change` applied).
    pub lambda: Vec<f64>,
    pub channels: Vec<Channel>,
    pub today: Channel,
    pub online_share: f64,
}

#[derive(Debug, Clone)]
pub struct HallModel {
    /// The clock hour of each planning slot (a 13:30–14:00 slot is hour 13).
    pub hours: Vec<u32>,
    /// The planning slots: their lengths and the sessions they form (model.md §1).
    pub shape: DayShape,
    pub open_days_per_week: f64,
    pub departments: Vec<String>,
    pub matters: Vec<MatterDemand>,
    pub pools: Vec<Pool>,
    pub dept_pool: Vec<usize>,
    pub group_pool: BTreeMap<String, usize>,
    pub fallback_pool: usize,
    /// Where the hourly profile of a department came from ("tickets", "footfall", "flat").
    pub profile_source: Vec<&'static str>,
    /// Merge group of a matter (by index into `hall.matters`).
    pub group_names: BTreeMap<usize, String>,
    /// Intake minutes per matter (back-office channel), by model matter index.
    pub intake: Vec<f64>,
    /// The in-person remainder of an online matter with a merge group goes to the group's
    /// joint pool (policy `online_remainder = "joint"`), not to the fallback pool.
    pub online_remainder_joint: bool,
    /// With `--slots week`: the open weekdays as day types (model.md §1); `None` plans
    /// over the typical open day.
    pub week: Option<Week>,
}

/// The open weekdays of the log as day types (`--slots week`, model.md §1): a Monday
/// busier than a Friday is planned as a Monday, not as an average day — waits are convex
/// in the load, so the average day understates the week's waits.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    /// The open weekdays (0 = Monday … 6 = Sunday), in order.
    pub weekdays: Vec<u32>,
    /// Each weekday's share of the open days of the log (they sum to 1).
    pub weights: Vec<f64>,
    /// Per department, per weekday: its tickets on an open day of that weekday over its
    /// tickets on an average open day (Σ weight × factor = 1). Departments with fewer than
    /// 50 tickets take the whole hall's factors.
    pub factor: Vec<Vec<f64>>,
}

/// Fewest days of every open weekday in the log before the week can be planned weekday by
/// weekday (about four weeks, a holiday allowed).
pub const WEEK_MIN_DAYS: usize = 3;

impl Week {
    /// The week of the hall's log, or `None` when the log holds fewer than
    /// [`WEEK_MIN_DAYS`] days of some open weekday, or only one open weekday.
    pub fn read(hall: &Hall, departments: &[String]) -> Option<Week> {
        let t = &hall.tickets;
        let weekdays = derive::opening_hours(t)?.weekdays;
        let weekday = |d: i64| ((d + 3).rem_euclid(7)) as u32;
        let index: BTreeMap<&str, usize> = departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_str(), i))
            .collect();
        // Tickets per (department, open day).
        let mut per_day: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
        for i in 0..t.len() {
            let d = time::day(t.issued[i]);
            if !weekdays.contains(&weekday(d)) {
                continue;
            }
            let v = per_day
                .entry(d)
                .or_insert_with(|| vec![0.0; departments.len()]);
            if let Some(&k) = index.get(t.departments.name(t.department[i])) {
                v[k] += 1.0;
            }
        }
        let days: Vec<usize> = weekdays
            .iter()
            .map(|&w| per_day.keys().filter(|&&d| weekday(d) == w).count())
            .collect();
        if weekdays.len() < 2 || days.iter().any(|&n| n < WEEK_MIN_DAYS) {
            return None;
        }
        let n_days = per_day.len() as f64;
        let weights: Vec<f64> = days.iter().map(|&n| n as f64 / n_days).collect();
        // Per department and weekday: tickets per day of that weekday; and the hall's.
        let nd = departments.len();
        let mut sums = vec![vec![0.0; weekdays.len()]; nd + 1];
        for (&d, v) in &per_day {
            let k = weekdays.iter().position(|&w| w == weekday(d)).unwrap_or(0);
            for (dept, x) in v.iter().enumerate() {
                sums[dept][k] += x;
                sums[nd][k] += x;
            }
        }
        let factors = |s: &[f64]| -> Option<Vec<f64>> {
            let total: f64 = s.iter().sum();
            (total > 0.0).then(|| {
                let per_day = total / n_days;
                s.iter()
                    .zip(&days)
                    .map(|(x, &n)| x / n as f64 / per_day)
                    .collect()
            })
        };
        let hall_factor = factors(&sums[nd]).unwrap_or_else(|| vec![1.0; weekdays.len()]);
        let factor = (0..nd)
            .map(|d| {
                if sums[d].iter().sum::<f64>() >= 50.0 {
                    factors(&sums[d]).unwrap_or_else(|| hall_factor.clone())
                } else {
                    hall_factor.clone()
                }
            })
            .collect();
        Some(Week {
            weekdays,
            weights,
            factor,
        })
    }

    /// The weekday type of `day` (days since 1970-01-01), if it is an open weekday.
    pub fn type_of(&self, day: i64) -> Option<usize> {
        let w = ((day + 3).rem_euclid(7)) as u32;
        self.weekdays.iter().position(|&x| x == w)
    }

    /// "Mon, Tue, …" for the report.
    pub fn describe(&self) -> String {
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        self.weekdays
            .iter()
            .map(|&w| NAMES[w as usize % 7])
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl HallModel {
    pub fn slots(&self) -> usize {
        self.hours.len()
    }

    /// The pool a matter's channel sends its in-person demand to (None: nobody comes).
    pub fn pool_of(&self, m: &MatterDemand, ch: Channel) -> Option<usize> {
        match ch {
            Channel::Counter => Some(self.dept_pool[m.department]),
            Channel::Joint => self.group_pool.get(self.group(m)?).copied(),
            Channel::Online if self.online_remainder_joint => Some(
                self.group(m)
                    .and_then(|g| self.group_pool.get(g).copied())
                    .unwrap_or(self.fallback_pool),
            ),
            Channel::Online | Channel::BackOffice | Channel::General => Some(self.fallback_pool),
        }
    }

    fn group<'a>(&'a self, m: &MatterDemand) -> Option<&'a String> {
        self.group_names.get(&m.matter)
    }

    pub fn windows_today(&self) -> u32 {
        self.pools
            .iter()
            .map(|p| p.windows_today.len() as u32)
            .sum()
    }
}

/// The planning day (model.md §1): the policy's opening hours, else those inferred from
/// the tickets (the hour rule of `opening_hours`, refined to quarter hours so that a
/// 13:30 opening makes a 30-minute slot and a lunch break ends a session).
fn planning_day(hall: &Hall, policy: &Policy) -> Result<(DayShape, f64)> {
    let inferred = derive::opening_hours(&hall.tickets);
    let shape = if policy.opening_hours.trim().is_empty() {
        match &inferred {
            Some(h) => {
                let open: std::collections::BTreeSet<u32> = h.weekdays.iter().copied().collect();
                let ranges = slots::infer_ranges(&hall.tickets, &h.hours, |d| {
                    open.contains(&(((d + 3).rem_euclid(7)) as u32))
                });
                if ranges.is_empty() {
                    DayShape::from_hours(&h.hours)
                } else {
                    DayShape::from_ranges(&ranges)
                }
            }
            None => DayShape { slots: Vec::new() },
        }
    } else {
        let sessions =
            super::policy::parse_hours(&policy.opening_hours).map_err(|m| Error::Config {
                what: "opening_hours".into(),
                message: m,
            })?;
        DayShape::from_ranges(&sessions)
    };
    if shape.is_empty() {
        return Err(Error::Config {
            what: "opening hours".into(),
            message: "none could be inferred (no tickets); set opening_hours in the scenario, e.g. \"09:00-12:00, 13:30-17:00\"".into(),
        });
    }
    let days = if policy.open_days_per_week > 0 {
        f64::from(policy.open_days_per_week)
    } else {
        inferred.map_or(5.0, |h| h.weekdays.len().max(1) as f64)
    };
    Ok((shape, days))
}

/// Share of each department's tickets per slot; tickets issued outside the slots fold
/// into the nearest slot. Departments with fewer than 50 tickets use the hall footfall's
/// hourly profile (an hour's count spread over its slots by their minutes), else the
/// whole hall's ticket profile, else a profile flat in time.
fn profiles(hall: &Hall, depts: &[String], shape: &DayShape) -> (Vec<Vec<f64>>, Vec<&'static str>) {
    let t = &hall.tickets;
    let n = shape.len();
    let minute = |x: i64| (x.rem_euclid(time::DAY) / 60) as u32;
    let nearest = |x: i64| -> usize { shape.slot_of(minute(x)).unwrap_or(0) };
    let mut counts = vec![vec![0.0; n]; depts.len()];
    let mut all = vec![0.0; n];
    let index: BTreeMap<&str, usize> = depts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    for i in 0..t.len() {
        let k = nearest(t.issued[i]);
        all[k] += 1.0;
        if let Some(&d) = index.get(t.departments.name(t.department[i])) {
            counts[d][k] += 1.0;
        }
    }
    let mut foot = vec![0.0; n];
    for f in hall.footfall.iter().filter(|f| !f.daily) {
        let hour = time::hour(f.at);
        let in_hour: Vec<usize> = (0..n).filter(|&k| shape.slots[k].hour == hour).collect();
        let minutes: f64 = in_hour
            .iter()
            .map(|&k| f64::from(shape.slots[k].minutes))
            .sum();
        if in_hour.is_empty() {
            foot[nearest(f.at)] += f.count as f64;
        }
        for &k in &in_hour {
            foot[k] += f.count as f64 * f64::from(shape.slots[k].minutes) / minutes;
        }
    }
    let norm = |v: &[f64]| -> Option<Vec<f64>> {
        let s: f64 = v.iter().sum();
        (s > 0.0).then(|| v.iter().map(|x| x / s).collect())
    };
    let day_minutes: f64 = shape.minutes().iter().sum();
    let flat: Vec<f64> = shape.minutes().iter().map(|m| m / day_minutes).collect();
    let mut sources = Vec::new();
    let out = counts
        .iter()
        .map(|c| {
            if c.iter().sum::<f64>() >= 50.0 {
                sources.push("tickets");
                norm(c).unwrap_or_else(|| flat.clone())
            } else if let Some(p) = norm(&foot) {
                sources.push("footfall");
                p
            } else if let Some(p) = norm(&all) {
                sources.push("hall tickets");
                p
            } else {
                sources.push("flat");
                flat.clone()
            }
        })
        .collect();
    (out, sources)
}

/// cs² of handling time per matter from the tickets (≥ 20 services), else 1.
fn handling_cs2(hall: &Hall) -> BTreeMap<String, f64> {
    let t = &hall.tickets;
    let mut acc: BTreeMap<u32, (f64, f64, f64)> = BTreeMap::new();
    for i in 0..t.len() {
        if t.matter[i] == NONE || t.status[i] != Status::Served {
            continue;
        }
        if let Some(s) = t.service_min(i) {
            let e = acc.entry(t.matter[i]).or_default();
            e.0 += 1.0;
            e.1 += s;
            e.2 += s * s;
        }
    }
    acc.into_iter()
        .filter(|(_, (n, _, _))| *n >= 20.0)
        .filter_map(|(m, (n, s, s2))| {
            let mean = s / n;
            let var = (s2 / n - mean * mean).max(0.0);
            (mean > 0.0).then(|| {
                (
                    t.matters.name(m).to_string(),
                    (var / (mean * mean)).clamp(0.05, 10.0),
                )
            })
        })
        .collect()
}

impl HallModel {
    pub fn build(hall: &Hall, policy: &Policy) -> Result<HallModel> {
        if hall.windows.is_empty() {
            return Err(Error::MissingFile {
                file: "windows.csv".into(),
                what: "the window inventory (plan needs it)".into(),
                looked: "--data DIR/windows.*".into(),
            });
        }
        if hall.matters.is_empty() {
            return Err(Error::MissingFile {
                file: "matters.csv".into(),
                what: "the matter catalogue (plan needs it)".into(),
                looked: "--data DIR/matters.*".into(),
            });
        }
        let (shape, days) = planning_day(hall, policy)?;
        let departments = hall.departments();
        let dept_index: BTreeMap<&str, usize> = departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_str(), i))
            .collect();
        let (profile, profile_source) = profiles(hall, &departments, &shape);
        let locked: std::collections::BTreeSet<&str> =
            policy.locked_windows.iter().map(String::as_str).collect();
        for id in &locked {
            if !hall.windows.iter().any(|w| w.id == *id) {
                return Err(Error::Config {
                    what: "locked_windows".into(),
                    message: format!("window \"{id}\" is not in the window inventory"),
                });
            }
        }

        let mut pools: Vec<Pool> = departments
            .iter()
            .map(|d| Pool {
                kind: PoolKind::Department(d.clone()),
                name: d.clone(),
                windows_today: Vec::new(),
                locked: 0,
                needs_one: false,
            })
            .collect();
        let mut group_pool = BTreeMap::new();
        let mut groups: Vec<String> = hall
            .matters
            .iter()
            .filter_map(|m| m.merge_group.clone())
            .collect();
        groups.extend(
            hall.windows
                .iter()
                .filter(|w| w.kind == WindowKind::Joint)
                .filter_map(|w| w.merge_group.clone()),
        );
        groups.sort();
        groups.dedup();
        for g in &groups {
            group_pool.insert(g.clone(), pools.len());
            pools.push(Pool {
                kind: PoolKind::Joint(g.clone()),
                name: format!("联办 {g}"),
                windows_today: Vec::new(),
                locked: 0,
                needs_one: false,
            });
        }
        let fallback_pool = pools.len();
        pools.push(Pool {
            kind: PoolKind::Fallback,
            name: "兜底 fallback".into(),
            windows_today: Vec::new(),
            locked: 0,
            needs_one: false,
        });
        for (i, w) in hall.windows.iter().enumerate() {
            let p = match (w.kind, &w.merge_group) {
                (WindowKind::Joint, Some(g)) => group_pool[g],
                (WindowKind::Fallback, _) => fallback_pool,
                _ => dept_index[w.department.as_str()],
            };
            pools[p].windows_today.push(i);
            if w.locked || locked.contains(w.id.as_str()) {
                pools[p].locked += 1;
            }
        }

        // A department without windows of its own today is served at the fallback windows
        // (input.md: departments without windows, after a reform): its counter demand
        // goes there, today and in the plan, rather than to an empty pool of its own.
        let dept_pool: Vec<usize> = (0..departments.len())
            .map(|d| {
                if pools[d].windows_today.is_empty()
                    && !pools[fallback_pool].windows_today.is_empty()
                {
                    fallback_pool
                } else {
                    d
                }
            })
            .collect();
        let cs2 = handling_cs2(hall);
        let scale = 1.0 + policy.demand_change;
        let mut matters = Vec::new();
        let mut group_names = BTreeMap::new();
        for (mi, m) in hall.matters.iter().enumerate() {
            let d = dept_index[m.department.as_str()];
            let weekly = m.weekly_volume.unwrap_or(0.0);
            let Some(handle) = m.avg_handle_min else {
                return Err(Error::BadFile {
                    file: "matters".into(),
                    message: format!("matter \"{}\" has no avg_handle_min and no served tickets to derive it from", m.id),
                });
            };
            let mut channels = vec![Channel::Counter];
            let joint_today = m
                .merge_group
                .as_ref()
                .is_some_and(|g| !pools[group_pool[g]].windows_today.is_empty());
            if let Some(g) = &m.merge_group {
                group_names.insert(mi, g.clone());
                if policy.allow_joint || joint_today {
                    channels.push(Channel::Joint);
                }
            }
            if m.in_person_required {
                pools[dept_pool[d]].needs_one = true;
            } else {
                if m.online_capable && policy.allow_online {
                    channels.push(Channel::Online);
                }
                if m.backoffice_eligible && policy.allow_backoffice {
                    channels.push(Channel::BackOffice);
                }
            }
            // The comprehensive windows take any matter that needs no specialist window
            // (model.md §2); a department already served there has nothing to move.
            if policy.allow_general && !m.specialist && dept_pool[d] != fallback_pool {
                channels.push(Channel::General);
            }
            let today = if joint_today {
                Channel::Joint
            } else {
                Channel::Counter
            };
            let lambda = profile[d]
                .iter()
                .map(|p| weekly / days * p * scale)
                .collect();
            matters.push(MatterDemand {
                matter: mi,
                department: d,
                weekly_volume: weekly * scale,
                handle_min: handle,
                cs2: cs2.get(&m.id).copied().unwrap_or(1.0),
                lambda,
                channels,
                today,
                online_share: m.online_share.unwrap_or(policy.online_adoption),
            });
        }
        drop(dept_index);
        let week = match policy.slots {
            super::Slots::Week => Some(Week::read(hall, &departments).ok_or_else(|| Error::Config {
                what: "slots = week".into(),
                message: format!("planning each open weekday needs at least {WEEK_MIN_DAYS} days of every open weekday in the tickets (about four weeks); use slots = day"),
            })?),
            _ => None,
        };
        Ok(HallModel {
            hours: shape.hours(),
            shape,
            open_days_per_week: days,
            departments,
            matters,
            pools,
            dept_pool,
            group_pool,
            fallback_pool,
            profile_source,
            group_names,
            intake: hall.matters.iter().map(|m| m.intake_min).collect(),
            online_remainder_joint: policy.online_remainder == super::OnlineRemainder::Joint,
            week,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::{TicketRow, Tickets};

    /// Four weeks, Monday to Friday: department A has 12 tickets on a Monday and 6 on other
    /// days; B (too few tickets for factors of its own) has 1 a day.
    fn four_weeks() -> Hall {
        let monday = time::days_from_civil(2024, 6, 3);
        let mut tickets = Tickets::default();
        for week in 0..4 {
            for wd in 0..5 {
                let day = (monday + 7 * week + wd) * time::DAY;
                let n = if wd == 0 { 12 } else { 6 };
                for k in 0..n {
                    let at = day + 9 * 3600 + k * 600;
                    tickets.push(TicketRow {
                        issued: at,
                        called: at,
                        finished: at + 300,
                        window: Some("A1"),
                        department: "A",
                        matter: None,
                        status: Status::Served,
                    });
                }
                let at = day + 10 * 3600;
                tickets.push(TicketRow {
                    issued: at,
                    called: at,
                    finished: at + 300,
                    window: Some("B1"),
                    department: "B",
                    matter: None,
                    status: Status::Served,
                });
            }
        }
        Hall {
            tickets,
            ..Hall::default()
        }
    }

    #[test]
    fn each_open_weekday_is_a_day_type_whose_factors_average_to_the_typical_day() {
        let week = Week::read(&four_weeks(), &["A".into(), "B".into()]).expect("four weeks");
        assert_eq!(week.weekdays, [0, 1, 2, 3, 4]);
        assert_eq!(week.describe(), "Mon, Tue, Wed, Thu, Fri");
        assert!(week.weights.iter().all(|&w| (w - 0.2).abs() < 1e-12));
        // A: 12 on Mondays against 7.2 on an average day.
        assert!(
            (week.factor[0][0] - 12.0 / 7.2).abs() < 1e-12,
            "{:?}",
            week.factor[0]
        );
        assert!((week.factor[0][1] - 6.0 / 7.2).abs() < 1e-12);
        // B has 20 tickets: the hall's factors (13 on Mondays against 8.2).
        assert!(
            (week.factor[1][0] - 13.0 / 8.2).abs() < 1e-12,
            "{:?}",
            week.factor[1]
        );
        for f in &week.factor {
            let avg: f64 = f.iter().zip(&week.weights).map(|(f, w)| f * w).sum();
            assert!((avg - 1.0).abs() < 1e-12);
        }
        assert_eq!(week.type_of(time::days_from_civil(2024, 6, 7)), Some(4));
        assert_eq!(week.type_of(time::days_from_civil(2024, 6, 8)), None);
    }

    #[test]
    fn two_weeks_are_too_few_to_plan_each_weekday() {
        let mut h = four_weeks();
        let cut = (time::days_from_civil(2024, 6, 17)) * time::DAY;
        let keep: Vec<usize> = (0..h.tickets.len())
            .filter(|&i| h.tickets.issued[i] < cut)
            .collect();
        let mut t = Tickets::default();
        for i in keep {
            t.push(TicketRow {
                issued: h.tickets.issued[i],
                called: h.tickets.called[i],
                finished: h.tickets.finished[i],
                window: Some(h.tickets.windows.names()[h.tickets.window[i] as usize].as_str()),
                department: h.tickets.departments.name(h.tickets.department[i]),
                matter: None,
                status: Status::Served,
            });
        }
        h.tickets = t;
        assert!(Week::read(&h, &["A".into(), "B".into()]).is_none());
    }
}
