//! The domain model: a hall's windows, matters, footfall and tickets, as read and checked
//! by `ingest`.

pub mod derive;

use std::collections::HashMap;

pub use crate::units::Minutes;
/// Seconds since 1970-01-01 00:00 in local hall time (no time zones in the contract).
pub type Timestamp = i64;

/// Marks an absent timestamp in the columnar ticket table.
pub const NO_TIME: Timestamp = i64::MIN;
/// Marks an absent index (window, matter) in the columnar ticket table.
pub const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowKind {
    Department,
    Joint,
    Fallback,
}

impl WindowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::Department => "department",
            WindowKind::Joint => "joint",
            WindowKind::Fallback => "fallback",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Window {
    pub id: String,
    pub department: String,
    pub staff: u32,
    pub kind: WindowKind,
    pub merge_group: Option<String>,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Matter {
    pub id: String,
    pub name: String,
    pub department: String,
    /// In-person cases per week: from the catalogue, else derived from tickets.
    pub weekly_volume: Option<f64>,
    pub avg_handle_min: Option<Minutes>,
    pub online_capable: bool,
    pub online_share: Option<f64>,
    pub backoffice_eligible: bool,
    pub intake_min: Minutes,
    pub merge_group: Option<String>,
    pub in_person_required: bool,
    /// Served only at its own department's (or its joint) windows, never at a
    /// comprehensive (fallback) window: the `general` channel is closed to it.
    pub specialist: bool,
    /// True where volume or handling time was filled in from the tickets.
    pub derived_from_tickets: bool,
}

/// One footfall reading (a bucket of an hour or a day).
#[derive(Debug, Clone, PartialEq)]
pub struct Footfall {
    pub at: Timestamp,
    /// True when the bucket is a whole day (no time of day given).
    pub daily: bool,
    pub count: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Served,
    NoShow,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Served => "served",
            Status::NoShow => "no_show",
            Status::Cancelled => "cancelled",
        }
    }
}

/// Strings stored once, referred to by index: ten million tickets name a few hundred
/// departments, windows and matters.
#[derive(Debug, Clone, Default)]
pub struct Interner {
    names: Vec<String>,
    index: HashMap<String, u32, rustc_hash::FxBuildHasher>,
}

impl Interner {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }
    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map(String::as_str).unwrap_or("")
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// The ticket log, column by column. Times are seconds; absent values are `NO_TIME` /
/// `NONE`. A clamped ticket (clock skew) has `called == issued`.
#[derive(Debug, Clone, Default)]
pub struct Tickets {
    pub issued: Vec<Timestamp>,
    pub called: Vec<Timestamp>,
    pub finished: Vec<Timestamp>,
    pub window: Vec<u32>,
    pub department: Vec<u32>,
    pub matter: Vec<u32>,
    pub status: Vec<Status>,
    pub departments: Interner,
    pub windows: Interner,
    pub matters: Interner,
}

impl Tickets {
    pub fn len(&self) -> usize {
        self.issued.len()
    }
    pub fn is_empty(&self) -> bool {
        self.issued.is_empty()
    }
    /// Wait in minutes for a ticket that was called.
    pub fn wait_min(&self, i: usize) -> Option<Minutes> {
        let c = self.called[i];
        (c != NO_TIME).then(|| (c - self.issued[i]) as f64 / 60.0)
    }
    /// Service time in minutes for a served ticket.
    pub fn service_min(&self, i: usize) -> Option<Minutes> {
        let (c, f) = (self.called[i], self.finished[i]);
        (c != NO_TIME && f != NO_TIME && self.status[i] == Status::Served)
            .then(|| (f - c) as f64 / 60.0)
    }
    pub fn push(&mut self, t: TicketRow<'_>) {
        self.issued.push(t.issued);
        self.called.push(t.called);
        self.finished.push(t.finished);
        self.window.push(match t.window {
            Some(w) if !w.is_empty() => self.windows.intern(w),
            _ => NONE,
        });
        self.department.push(self.departments.intern(t.department));
        self.matter.push(match t.matter {
            Some(m) if !m.is_empty() => self.matters.intern(m),
            _ => NONE,
        });
        self.status.push(t.status);
    }
}

/// One ticket on its way into the table.
#[derive(Debug, Clone, Copy)]
pub struct TicketRow<'a> {
    pub issued: Timestamp,
    pub called: Timestamp,
    pub finished: Timestamp,
    pub window: Option<&'a str>,
    pub department: &'a str,
    pub matter: Option<&'a str>,
    pub status: Status,
}

/// Everything hallplan knows about one hall.
#[derive(Debug, Clone, Default)]
pub struct Hall {
    pub windows: Vec<Window>,
    pub matters: Vec<Matter>,
    pub footfall: Vec<Footfall>,
    pub tickets: Tickets,
}

impl Hall {
    /// Departments: those that have a window, in first-seen order of the inventory, then
    /// those of the catalogue without one (after a reform their matters are served at
    /// fallback or joint windows; input.md), in first-seen order of the catalogue.
    pub fn departments(&self) -> Vec<String> {
        let mut seen = Vec::<String>::new();
        let catalogue = self.matters.iter().map(|m| &m.department);
        for d in self.windows.iter().map(|w| &w.department).chain(catalogue) {
            if !seen.contains(d) {
                seen.push(d.clone());
            }
        }
        seen
    }
}

/// Calendar helpers on `Timestamp`, kept here because every stage needs them.
pub mod time {
    use super::Timestamp;

    pub const DAY: i64 = 86_400;

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// (year, month, day) of a day number.
    pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
        let z = z + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    pub fn day(t: Timestamp) -> i64 {
        t.div_euclid(DAY)
    }
    pub fn hour(t: Timestamp) -> u32 {
        (t.rem_euclid(DAY) / 3600) as u32
    }
    /// 0 = Monday … 6 = Sunday.
    pub fn weekday(t: Timestamp) -> u32 {
        // 1970-01-01 was a Thursday.
        ((day(t) + 3).rem_euclid(7)) as u32
    }
    pub fn weekday_name(w: u32) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][(w % 7) as usize]
    }
    pub fn format_date(day_number: i64) -> String {
        let (y, m, d) = civil_from_days(day_number);
        format!("{y:04}-{m:02}-{d:02}")
    }
    pub fn format(t: Timestamp) -> String {
        let s = t.rem_euclid(DAY);
        format!(
            "{} {:02}:{:02}:{:02}",
            format_date(day(t)),
            s / 3600,
            s % 3600 / 60,
            s % 60
        )
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn civil_days_round_trip_and_known_weekdays() {
            for z in [-1000, 0, 18_414, 20_000, 60_000] {
                let (y, m, d) = civil_from_days(z);
                assert_eq!(days_from_civil(y, m, d), z);
            }
            // 2020-06-01 was a Monday.
            let t = days_from_civil(2020, 6, 1) * DAY + 9 * 3600;
            assert_eq!(weekday(t), 0);
            assert_eq!(format(t), "2020-06-01 09:00:00");
        }
    }
}

/// The bundled sample hall (`data/binjiang`), loaded as `hallplan` loads it: the one
/// loader the unit tests share.
#[cfg(test)]
pub(crate) fn bundled_sample_for_tests() -> Hall {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/binjiang");
    crate::ingest::load(Some(&dir), &crate::ingest::LoadOptions::default())
        .expect("the bundled sample loads")
        .hall
}
