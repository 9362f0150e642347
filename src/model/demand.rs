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
            Channel::Online | Channel::BackOffice => Some(self.fallback_pool),
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
                pools[d].needs_one = true;
            } else {
                if m.online_capable && policy.allow_online {
                    channels.push(Channel::Online);
                }
                if m.backoffice_eligible && policy.allow_backoffice {
                    channels.push(Channel::BackOffice);
                }
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
        let n_departments = departments.len();
        Ok(HallModel {
            hours: shape.hours(),
            shape,
            open_days_per_week: days,
            departments,
            matters,
            pools,
            dept_pool: (0..n_departments).collect(),
            group_pool,
            fallback_pool,
            profile_source,
            group_names,
            intake: hall.matters.iter().map(|m| m.intake_min).collect(),
            online_remainder_joint: policy.online_remainder == super::OnlineRemainder::Joint,
        })
    }
}
