//! Random streams (one per purpose) and the two halls: windows before and after the
//! cut, with their shifts, and the matters with their channels.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};

use super::catalogue::*;

// ---------------------------------------------------------------------------------------
// Random streams
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(super) enum Purpose {
    ArrivalsBefore = 1,
    ArrivalsAfter = 2,
    Footfall = 3,
    Dirt = 4,
}

/// An independent stream per purpose and (matter, day) so that one part of the catalogue
/// can change without shifting the random numbers of another.
pub(super) fn stream(seed: u64, purpose: Purpose, a: u64, b: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((purpose as u64) << 48) | ((a & 0xff_ffff) << 24) | (b & 0xff_ffff));
    rng
}

pub(super) fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    match Poisson::new(mean) {
        Ok(p) => p.sample(rng) as u64,
        Err(_) => 0, // mean 0 (a matter with no in-person demand)
    }
}

/// Gamma handling time with the given mean and squared coefficient of variation.
pub(super) fn gamma(rng: &mut ChaCha8Rng, mean: f64, cs2: f64) -> f64 {
    match Gamma::new(1.0 / cs2, mean * cs2) {
        Ok(g) => g.sample(rng),
        Err(_) => mean,
    }
}

// ---------------------------------------------------------------------------------------
// The halls
// ---------------------------------------------------------------------------------------

pub(super) struct Window {
    pub(super) id: String,
    pub(super) dept: String,
    pub(super) kind: &'static str,
    pub(super) group: &'static str,
    pub(super) locked: bool,
    /// Staffed intervals of a day, sorted.
    pub(super) shifts: Vec<(Sec, Sec)>,
}

/// A few windows per department work shifts, so staffed windows per hour vary: the last
/// window of a department of 4+ is a morning-only part-time window, the one before it (6+)
/// opens only in the afternoon, in departments of 8+ one window starts late and leaves
/// early, and departments of 10+ have a second morning-only window. The first window of every queue is always full-time, so every ticket is served.
pub(super) fn shifts(k: usize, n: usize) -> Vec<(Sec, Sec)> {
    if n >= 4 && k == n - 1 {
        vec![(OPEN_AM, CLOSE_AM)]
    } else if n >= 6 && k == n - 2 {
        vec![(OPEN_PM, CLOSE_PM)]
    } else if n >= 8 && k == n - 3 {
        vec![(hm(10, 0), CLOSE_AM), (OPEN_PM, hm(16, 0))]
    } else if n >= 10 && k == n - 4 {
        vec![(OPEN_AM, CLOSE_AM)]
    } else {
        vec![(OPEN_AM, CLOSE_AM), (OPEN_PM, CLOSE_PM)]
    }
}

pub(super) fn windows_before() -> Vec<Window> {
    let mut out = Vec::new();
    for dept in &DEPTS {
        let fallback = dept.name == FALLBACK_DEPT;
        for k in 0..dept.windows {
            out.push(Window {
                id: format!("{}{:02}", dept.letter, k + 1),
                dept: dept.name.to_string(),
                kind: if fallback { "fallback" } else { "department" },
                group: if k < dept.setup_windows {
                    SETUP_GROUP
                } else {
                    ""
                },
                locked: k < dept.locked,
                shifts: shifts(k, dept.windows),
            });
        }
    }
    out
}

/// The queues after the cut.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Pool {
    Dept(usize),
    Joint,
    Fallback,
}

/// The 46 windows after the cut, each with the pool it serves.
pub(super) fn windows_after() -> Vec<(Window, Pool)> {
    let mut out = Vec::new();
    for k in 0..JOINT_WINDOWS_AFTER {
        let w = Window {
            id: format!("Y{:02}", k + 1),
            dept: JOINT_DEPT.to_string(),
            kind: "joint",
            group: SETUP_GROUP,
            locked: false,
            shifts: shifts(k, JOINT_WINDOWS_AFTER),
        };
        out.push((w, Pool::Joint));
    }
    for (di, dept) in DEPTS.iter().enumerate() {
        // Kept windows: the department's own (non-set-up) windows first.
        let first = dept.setup_windows.min(dept.windows - dept.after);
        for k in 0..dept.after {
            let w = Window {
                id: format!("{}{:02}", dept.letter, first + k + 1),
                dept: dept.name.to_string(),
                kind: "department",
                group: "",
                locked: first + k < dept.locked,
                shifts: shifts(k, dept.after),
            };
            out.push((w, Pool::Dept(di)));
        }
    }
    for k in 0..FALLBACK_WINDOWS_AFTER {
        let w = Window {
            id: format!("Z{:02}", k + 1),
            dept: FALLBACK_DEPT.to_string(),
            kind: "fallback",
            group: "",
            locked: false,
            // Fallback windows work full days.
            shifts: shifts(0, 1),
        };
        out.push((w, Pool::Fallback));
    }
    out
}

pub(super) struct Matter {
    pub(super) id: String,
    pub(super) dept: usize,
    pub(super) def: &'static MatterDef,
    pub(super) weekly: u32,
    pub(super) cs2: f64,
}

pub(super) fn dept_index(letter: char) -> usize {
    DEPTS.iter().position(|d| d.letter == letter).unwrap_or(0)
}

pub(super) fn matters() -> Vec<Matter> {
    let mut seq: BTreeMap<char, usize> = BTreeMap::new();
    MATTERS
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let di = dept_index(def.dept);
            let total: f64 = MATTERS
                .iter()
                .filter(|o| o.dept == def.dept)
                .map(|o| o.weight)
                .sum();
            let n = seq.entry(def.dept).or_insert(0);
            *n += 1;
            Matter {
                id: format!("M{}{:02}", def.dept, n),
                dept: di,
                def,
                weekly: ((DEPTS[di].weekly * def.weight / total).round() as u32).max(1),
                // Handling-time variability between 0.5 and 1.0 (squared CV).
                cs2: 0.5 + 0.05 * (i % 11) as f64,
            }
        })
        .collect()
}

impl Matter {
    pub(super) fn online(&self) -> bool {
        self.def.flags & ON != 0 && self.def.flags & IP == 0
    }
    pub(super) fn backoffice(&self) -> bool {
        self.def.flags & BO != 0 && self.def.flags & IP == 0
    }
    pub(super) fn group(&self) -> &'static str {
        if self.def.flags & GS != 0 {
            SETUP_GROUP
        } else if self.def.flags & GR != 0 {
            REALTY_GROUP
        } else {
            ""
        }
    }
    pub(super) fn online_share(&self) -> f64 {
        if self.def.online_share >= 0.0 {
            self.def.online_share
        } else {
            DEFAULT_ONLINE_SHARE
        }
    }
    /// After the cut: the queue, the in-person volume factor and the handling time.
    pub(super) fn route_after(&self) -> (Pool, f64, f64) {
        let s = self.def.handle_min;
        if self.group() == SETUP_GROUP {
            let stay = if self.online() {
                1.0 - self.online_share()
            } else {
                1.0
            };
            (Pool::Joint, stay, s * (1.0 + JOINT_SLOWDOWN))
        } else if self.online() {
            (Pool::Fallback, 1.0 - self.online_share(), s)
        } else if self.backoffice() {
            (Pool::Fallback, 1.0, self.def.intake_min)
        } else if DEPTS[self.dept].after > 0 {
            (Pool::Dept(self.dept), 1.0, s)
        } else {
            (Pool::Fallback, 1.0, s)
        }
    }
}
