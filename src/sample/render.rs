//! The sample's files: CSV rendering, the documented dirt in the ticket log, and the
//! README that describes both halls.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::catalogue::*;
use super::days::*;
use super::halls::*;

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

pub(super) fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing CSV records into a Vec<u8> cannot fail: the only error source is the
    // underlying writer, and Vec's `Write` impl never returns an error.
    w.write_record(header)
        .expect("writing CSV to a Vec cannot fail");
    for row in rows {
        w.write_record(&row)
            .expect("writing CSV to a Vec cannot fail");
    }
    w.into_inner().expect("flushing CSV into a Vec cannot fail")
}

pub(super) fn render_windows<'a>(windows: impl Iterator<Item = &'a Window>) -> Vec<u8> {
    let header = [
        "window_id",
        "department",
        "staff",
        "kind",
        "merge_group",
        "locked",
    ];
    let rows = windows.map(|w| {
        vec![
            w.id.clone(),
            w.dept.clone(),
            "1".to_string(),
            w.kind.to_string(),
            w.group.to_string(),
            w.locked.to_string(),
        ]
    });
    csv_bytes(&header, rows.collect::<Vec<_>>())
}

pub(super) fn render_matters(matters: &[Matter]) -> Vec<u8> {
    let header = [
        "matter_id",
        "matter_name",
        "department",
        "weekly_volume",
        "avg_handle_min",
        "online_capable",
        "online_share",
        "backoffice_eligible",
        "intake_min",
        "merge_group",
        "in_person_required",
        "specialist",
    ];
    let rows = matters.iter().map(|m| {
        let f = m.def.flags;
        vec![
            m.id.clone(),
            m.def.name.to_string(),
            DEPTS[m.dept].name.to_string(),
            m.weekly.to_string(),
            format!("{:.1}", m.def.handle_min),
            (f & ON != 0).to_string(),
            if m.def.online_share >= 0.0 {
                format!("{:.2}", m.def.online_share)
            } else {
                String::new()
            },
            (f & BO != 0).to_string(),
            if m.def.intake_min > 0.0 {
                format!("{:.1}", m.def.intake_min)
            } else {
                String::new()
            },
            m.group().to_string(),
            (f & IP != 0).to_string(),
            (f & SP != 0).to_string(),
        ]
    });
    csv_bytes(&header, rows.collect::<Vec<_>>())
}

pub(super) fn render_footfall(rows: &[(NaiveDate, u64)]) -> Vec<u8> {
    let rows = rows
        .iter()
        .map(|(d, n)| vec![d.format("%Y-%m-%d").to_string(), n.to_string()]);
    csv_bytes(&["timestamp", "count"], rows.collect::<Vec<_>>())
}

pub(super) const TICKET_HEADER: [&str; 8] = [
    "ticket_id",
    "issued_at",
    "called_at",
    "finished_at",
    "window_id",
    "department",
    "matter_id",
    "status",
];

pub(super) fn stamp(day: NaiveDate, t: Sec) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        day.format("%Y-%m-%d"),
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

pub(super) fn ticket_row(t: &Ticket, window_ids: &[&str], matters: &[Matter]) -> Vec<String> {
    let (called, finished, status) = match t.outcome {
        Outcome::Served {
            called, finished, ..
        } => (stamp(t.day, called), stamp(t.day, finished), "served"),
        Outcome::NoShow { called, .. } => (stamp(t.day, called), String::new(), "no_show"),
        Outcome::Cancelled => (String::new(), String::new(), "cancelled"),
    };
    vec![
        t.id.clone(),
        stamp(t.day, t.issued),
        called,
        finished,
        t.window
            .map(|w| window_ids[w].to_string())
            .unwrap_or_default(),
        DEPTS[t.dept].name.to_string(),
        matters[t.matter].id.clone(),
        status.to_string(),
    ]
}

// ---------------------------------------------------------------------------------------
// Dirt
// ---------------------------------------------------------------------------------------

/// Extra rows added to the June tickets, as documented in the README.
pub(super) const DIRT_SKEW: usize = 20;
pub(super) const DIRT_CALLED_HOURS_EARLY: usize = 3;
pub(super) const DIRT_BAD_DATE: usize = 2;
pub(super) const DIRT_UNKNOWN_WINDOW: usize = 1;
pub(super) const DIRT_DUPLICATE: usize = 1;
/// A plausible id that is not in windows.csv (market regulation has A01–A09).
pub(super) const UNKNOWN_WINDOW: &str = "A10";

/// Dirty rows, each placed right after the good row it was made from. Returns
/// (index of the good row it follows, row).
pub(super) fn dirt(seed: u64, good: &[Ticket], rows: &[Vec<String>]) -> Vec<(usize, Vec<String>)> {
    let mut rng = stream(seed, Purpose::Dirt, 0, 0);
    let served: Vec<usize> = (0..good.len())
        .filter(|&i| matches!(good[i].outcome, Outcome::Served { .. }))
        .collect();
    // Next free ticket number per (day, department), so new rows keep ids unique per day.
    let mut next: BTreeMap<(NaiveDate, usize), u32> = BTreeMap::new();
    for t in good {
        let n: u32 = t.id[1..].parse().unwrap_or(0);
        let e = next.entry((t.day, t.dept)).or_insert(0);
        *e = (*e).max(n);
    }
    let mut fresh_id = |t: &Ticket| {
        let e = next.entry((t.day, t.dept)).or_insert(0);
        *e += 1;
        format!("{}{:04}", DEPTS[t.dept].letter, *e)
    };
    let mut used = BTreeSet::new();
    let mut pick = |rng: &mut ChaCha8Rng| loop {
        let i = served[rng.random_range(0..served.len())];
        if used.insert(i) {
            return i;
        }
    };
    let mut out = Vec::new();
    for _ in 0..DIRT_SKEW {
        // The ticket printer's clock runs a little fast: called 1–30 s "before" issue.
        let i = pick(&mut rng);
        let t = &good[i];
        let called = t.called().unwrap_or(t.issued);
        let mut row = rows[i].clone();
        row[0] = fresh_id(t);
        row[1] = stamp(t.day, called + rng.random_range(1..=30));
        out.push((i, row));
    }
    for _ in 0..DIRT_CALLED_HOURS_EARLY {
        // A terminal whose clock was not set after a power cut: called hours before issue.
        let i = pick(&mut rng);
        let t = &good[i];
        let mut row = rows[i].clone();
        row[0] = fresh_id(t);
        let early = rng.random_range(2 * 3600..4 * 3600);
        if let Outcome::Served {
            called, finished, ..
        } = t.outcome
        {
            row[2] = stamp(t.day, called - early);
            row[3] = stamp(t.day, finished - early);
        }
        out.push((i, row));
    }
    for _ in 0..DIRT_BAD_DATE {
        // A hand-corrected row with an impossible date.
        let i = pick(&mut rng);
        let t = &good[i];
        let mut row = rows[i].clone();
        row[0] = fresh_id(t);
        let date = t.day.format("%Y-%m-%d").to_string();
        for cell in &mut row[1..=3] {
            *cell = cell.replacen(&date, "2020-06-31", 1);
        }
        out.push((i, row));
    }
    for _ in 0..DIRT_UNKNOWN_WINDOW {
        // A temporary window that never made it into the inventory.
        let i = pick(&mut rng);
        let mut row = rows[i].clone();
        row[0] = fresh_id(&good[i]);
        row[4] = UNKNOWN_WINDOW.to_string();
        out.push((i, row));
    }
    for _ in 0..DIRT_DUPLICATE {
        // The export overlapped: one row twice.
        let i = pick(&mut rng);
        out.push((i, rows[i].clone()));
    }
    out
}

pub(super) fn render_tickets_with_dirt(
    seed: u64,
    good: &[Ticket],
    window_ids: &[&str],
    matters: &[Matter],
) -> Vec<u8> {
    let rows: Vec<Vec<String>> = good
        .iter()
        .map(|t| ticket_row(t, window_ids, matters))
        .collect();
    let mut extra: BTreeMap<usize, Vec<Vec<String>>> = BTreeMap::new();
    for (i, row) in dirt(seed, good, &rows) {
        extra.entry(i).or_default().push(row);
    }
    let mut all = Vec::with_capacity(rows.len() + 32);
    for (i, row) in rows.into_iter().enumerate() {
        all.push(row);
        all.extend(extra.remove(&i).unwrap_or_default());
    }
    csv_bytes(&TICKET_HEADER, all)
}

pub(super) fn readme(seed: u64, before: &[Ticket], after: &[Ticket], n_matters: usize) -> Vec<u8> {
    let per_day = |t: &[Ticket], days: usize| t.len() as f64 / days as f64;
    format!(
        "# Sample hall: Binjiang, Hangzhou, 2020\n\
\n\
A synthetic model of the Binjiang district administrative service centre, which cut its\n\
service windows from 93 to 46 in July 2020 (Zhejiang Online, 28 July 2020). The numbers are\n\
made up; the shape of the hall and the figures of the article are not.\n\
\n\
Generated with `hallplan sample --out data --seed {seed}` (same seed, same bytes).\n\
\n\
## `binjiang/`: June 2020, before the cut\n\
- `windows.csv`: 93 windows of 21 departments (incl. 2 fallback windows, 综合窗口). The\n\
\x20 17 windows of 市场监管局, 商务局 and 税务局 marked `merge_group` 企业开办 are the enterprise\n\
\x20 set-up windows; the two first 公安局出入境 windows are locked. A few windows work shifts\n\
\x20 (morning only, afternoon only, 10:00–16:00), so staffed windows per hour vary.\n\
- `matters.csv`: {n_matters} matters with weekly in-person volume, handling time and the\n\
\x20 planning flags (online, back office, merge group, in person, specialist). `online_share`\n\
\x20 is blank where the scenario default should apply. `specialist` marks the 24 matters\n\
\x20 that need a window of their own (exit-entry, real-estate registration, marriage\n\
\x20 registration, card printing, tax devices and invoices, housing-fund loans, medical\n\
\x20 reimbursement): they never go to a comprehensive (fallback) window.\n\
- `footfall.csv`: daily entrance counts, 2018-01-01 to 2020-06-30, open days only: 2019 is\n\
\x20 20 % below 2018, the first half of 2020 40 % below the first half of 2019 (Spring\n\
\x20 Festival closures and dips, the epidemic in February 2020); June 2020 is about 1.2\n\
\x20 visitors per ticket.\n\
- `tickets.csv`: Mon 2020-06-01 to Fri 2020-06-26, 09:00–12:00 and 13:30–17:00, about\n\
\x20 {june:.0} tickets a day. Arrivals are Poisson with a morning peak around 10:00 and an\n\
\x20 afternoon peak around 14:30; handling times are gamma distributed; every ticket is queued\n\
\x20 first-come-first-served at its department's staffed windows, so the waits are real queue\n\
\x20 outcomes (tickets issued before closing are served after it; a ticket taken in the lunch\n\
\x20 break waits for 13:30). About 3 % are `no_show`, about 1 % `cancelled`.\n\
\n\
### Deliberate dirt in `binjiang/tickets.csv` (extra rows, next to the row they copy)\n\
- {DIRT_SKEW} rows with clock skew: `called_at` 1–30 s before `issued_at` (within the 60 s\n\
\x20 allowance: clamped to a zero wait);\n\
- {DIRT_CALLED_HOURS_EARLY} rows with `called_at` hours before `issued_at` (rejected);\n\
- {DIRT_BAD_DATE} rows with an impossible date, `2020-06-31` (rejected);\n\
- {DIRT_UNKNOWN_WINDOW} row with window `{UNKNOWN_WINDOW}`, which is not in `windows.csv` (rejected);\n\
- {DIRT_DUPLICATE} duplicate row (same `ticket_id` on the same day; rejected).\n\
\n\
## `binjiang-after/`: July 2020, after the cut\n\
- `windows.csv`: 46 windows: 7 joint windows (department {JOINT_DEPT}, kind `joint`,\n\
\x20 merge group 企业开办) serve the enterprise set-up matters of the three departments;\n\
\x20 税务局, 人社局, 医保局, 公积金中心, 不动产登记中心, 公安局出入境, 民政局 and\n\
\x20 市场监管局 keep some windows; {FALLBACK_WINDOWS_AFTER} fallback windows (综合窗口) serve everything else.\n\
- `tickets.csv`: Mon 2020-07-06 to Fri 2020-07-31, about {july:.0} tickets a day. Demand is\n\
\x20 {drop:.0} % below June; of online-capable matters only 1 − `online_share` (default {share:.1}) still\n\
\x20 comes in person, to a fallback window (set-up matters: to the joint windows, {slow:.0} % slower);\n\
\x20 back-office matters only do their intake at a fallback window. Tickets keep their\n\
\x20 department and matter; window ids are those of the new inventory. No dirt. There is\n\
\x20 no `matters.csv`: the catalogue is the June one (`binjiang/matters.csv`).\n",
        june = per_day(before, 20),
        july = per_day(after, 20),
        drop = (1.0 - JULY_DEMAND) * 100.0,
        share = DEFAULT_ONLINE_SHARE,
        slow = JOINT_SLOWDOWN * 100.0,
    )
    .into_bytes()
}
