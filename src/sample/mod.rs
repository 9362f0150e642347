//! The bundled sample hall (`hallplan sample`): a synthetic but queue-consistent model of
//! the Binjiang (Hangzhou) administrative service centre, which cut its service windows
//! from 93 to 46 in July 2020.
//!
//! Two halls are generated:
//! - `binjiang/`: the hall as it was in June 2020 (93 windows, ~150 matters, 2.5 years of
//!   daily footfall, four weeks of tickets with a little documented dirt);
//! - `binjiang-after/`: four weeks of July 2020 after the cut (46 windows: 7 joint
//!   enterprise set-up windows, the departments that must stay, fallback windows).
//!
//! Waits are not drawn from a distribution: every ticket is queued first-come-first-served
//! at the staffed windows of its queue, so the observed waits are what the simulated hall
//! produced. The department volumes in the catalogue were tuned so that the waits match the
//! article (urban management and agriculture about 5 → 2 minutes, market regulation about
//! 10 → 7 minutes).
//!
//! Everything is deterministic in the seed; each purpose (arrivals of one matter on one day,
//! footfall, dirt) draws from its own ChaCha stream, so changing one part of the catalogue
//! does not shift the random numbers of another.

mod catalogue;
mod days;
mod halls;
mod render;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use days::*;
use halls::*;
use render::*;

/// One generated file: path relative to the output root (e.g. "binjiang/tickets.csv") and its bytes.
pub struct SampleFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The seed of the bundled sample (the year of the case).
pub const DEFAULT_SEED: u64 = 2020;

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

struct Generated {
    matters: Vec<Matter>,
    before_windows: Vec<Window>,
    after_windows: Vec<(Window, Pool)>,
    before: Vec<Ticket>,
    after: Vec<Ticket>,
    footfall: Vec<(NaiveDate, u64)>,
}

fn build(seed: u64) -> Generated {
    let matters = matters();
    let before_windows = windows_before();
    let after_windows = windows_after();
    let before = tickets_before(seed, &matters, &before_windows);
    let after = tickets_after(seed, &matters, &after_windows);
    let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for t in &before {
        *per_day.entry(t.day).or_insert(0) += 1;
    }
    let footfall = footfall(seed, &per_day);
    Generated {
        matters,
        before_windows,
        after_windows,
        before,
        after,
        footfall,
    }
}

/// The June month of the sample hall drawn with `seed` as a ticket log (without the
/// documented dirt), each department's handling times scaled by `scale(department)`:
/// independent months of one unchanged hall, or a month with a known change, for tests
/// of the before/after statistics.
#[cfg(test)]
pub(crate) fn june_tickets(seed: u64, scale: impl Fn(&str) -> f64) -> crate::hall::Tickets {
    use crate::hall::{time, Status, TicketRow, NO_TIME};
    use catalogue::{Sec, DEPTS};
    use chrono::Datelike;
    let matters = matters();
    let windows = windows_before();
    let mut out = crate::hall::Tickets::default();
    for t in tickets_before_scaled(seed, &matters, &windows, scale) {
        let day = time::days_from_civil(i64::from(t.day.year()), t.day.month(), t.day.day());
        let at = |s: Sec| day * time::DAY + s;
        let (called, finished, status) = match t.outcome {
            Outcome::Served {
                called, finished, ..
            } => (at(called), at(finished), Status::Served),
            Outcome::NoShow { called, .. } => (at(called), NO_TIME, Status::NoShow),
            Outcome::Cancelled => (NO_TIME, NO_TIME, Status::Cancelled),
        };
        out.push(TicketRow {
            issued: at(t.issued),
            called,
            finished,
            window: t.window.map(|w| windows[w].id.as_str()),
            department: DEPTS[t.dept].name,
            matter: Some(matters[t.matter].id.as_str()),
            status,
        });
    }
    out
}

/// Deterministic: same seed ⇒ byte-identical files. No I/O.
pub fn generate(seed: u64) -> Vec<SampleFile> {
    let g = build(seed);
    let before_ids: Vec<&str> = g.before_windows.iter().map(|w| w.id.as_str()).collect();
    let after_ids: Vec<&str> = g.after_windows.iter().map(|w| w.0.id.as_str()).collect();
    let file = |path: &str, bytes: Vec<u8>| SampleFile {
        path: path.to_string(),
        bytes,
    };
    let after_rows = g
        .after
        .iter()
        .map(|t| ticket_row(t, &after_ids, &g.matters));
    vec![
        file(
            "binjiang/README.md",
            readme(seed, &g.before, &g.after, g.matters.len()),
        ),
        file(
            "binjiang/windows.csv",
            render_windows(g.before_windows.iter()),
        ),
        file("binjiang/matters.csv", render_matters(&g.matters)),
        file("binjiang/footfall.csv", render_footfall(&g.footfall)),
        file(
            "binjiang/tickets.csv",
            render_tickets_with_dirt(seed, &g.before, &before_ids, &g.matters),
        ),
        file(
            "binjiang-after/windows.csv",
            render_windows(g.after_windows.iter().map(|w| &w.0)),
        ),
        file(
            "binjiang-after/tickets.csv",
            csv_bytes(&TICKET_HEADER, after_rows.collect::<Vec<_>>()),
        ),
    ]
}
