//! The parts of a ticket log joined in file order: duplicates found (first occurrence
//! wins), names given their final indices, rejected rows kept in file order.

use hashbrown::HashTable;
use rustc_hash::FxHashMap;

use super::rows::*;
use crate::error::{Error, Location, Result};
use crate::hall::{time, Tickets, NONE};
use crate::ingest::Ledger;

/// Joins the parts in file order, one part at a time as they come: the duplicate check
/// (first occurrence wins), final name indices in first-seen order, and the ledger's rows
/// in file order. Only accepted tickets can be first occurrences, so the duplicate check
/// keeps their ids and line numbers, in one small hash table per day (an export in time
/// order keeps the current day's table in cache).
pub(super) struct Merger {
    pub(super) t: Tickets,
    /// Parts are CSV parts numbered by line within the part.
    pub(super) csv: bool,
    /// Line ends of the parts merged so far.
    pub(super) base: u64,
    /// Accepted tickets' ids one after another, and their line (or row) numbers.
    pub(super) ids: Vec<u8>,
    pub(super) id_end: Vec<usize>,
    pub(super) number: Vec<u64>,
    pub(super) day_slot: FxHashMap<i64, usize>,
    pub(super) tables: Vec<HashTable<u32>>,
    pub(super) last: Option<(i64, usize)>,
}

impl Merger {
    pub(super) fn new(csv: bool, rows: usize) -> Merger {
        let mut t = Tickets::default();
        t.issued.reserve(rows);
        t.called.reserve(rows);
        t.finished.reserve(rows);
        t.window.reserve(rows);
        t.department.reserve(rows);
        t.matter.reserve(rows);
        t.status.reserve(rows);
        Merger {
            t,
            csv,
            base: 0,
            ids: Vec::with_capacity(rows * 8),
            id_end: Vec::with_capacity(rows),
            number: Vec::with_capacity(rows),
            day_slot: FxHashMap::default(),
            tables: Vec::new(),
            last: None,
        }
    }

    /// The next part in file order.
    pub(super) fn push(&mut self, part: &mut Part, ledger: &mut Ledger<'_>) -> Result<()> {
        if u32::try_from(self.t.len() + part.len()).is_err() {
            return Err(Error::BadFile {
                file: "tickets".into(),
                message: "more than 4 294 967 295 ticket rows".into(),
            });
        }
        ledger.report.read += part.read;
        let base = if self.csv { self.base } else { 0 };
        self.base += part.line_ends;
        let shift = |at: Location| match at {
            Location::Line(n) if self.csv => Location::Line(n + base),
            other => other,
        };
        let pending = std::mem::take(&mut part.rejected);
        let mut pending = pending.into_iter().peekable();
        // The part's name indices to the merged interners', assigned in first-seen order.
        let remap = |names: &Names| vec![NONE; names.names.len()];
        let mut maps = [
            remap(&part.windows),
            remap(&part.departments),
            remap(&part.matters),
        ];
        let mut clamped = 0u64;
        for i in 0..=part.len() {
            // Rejected rows before this candidate go first.
            while let Some(p) = pending.next_if(|p| p.before <= i) {
                ledger.reject(shift(p.at), p.column, p.reason, p.message, &p.value)?;
            }
            if i == part.len() {
                break;
            }
            let day = time::day(part.issued[i]);
            let id = part.id(i);
            let h = part.hash[i];
            let slot = match self.last {
                Some((d, slot)) if d == day => slot,
                _ => {
                    // Sized like the day before: few tables grow while filling.
                    let hint = self.last.map_or(0, |(_, s)| self.tables[s].len());
                    let tables = &mut self.tables;
                    let slot = *self.day_slot.entry(day).or_insert_with(|| {
                        tables.push(HashTable::with_capacity(hint + hint / 4));
                        tables.len() - 1
                    });
                    self.last = Some((day, slot));
                    slot
                }
            };
            let (ids, id_end, issued) = (&self.ids, &self.id_end, &self.t.issued);
            let id_of = |g: u32| {
                let g = g as usize;
                let start = if g == 0 { 0 } else { id_end[g - 1] };
                &ids[start..id_end[g]]
            };
            // Within a day's table every ticket has that day: the ids decide.
            if let Some(&g) = self.tables[slot].find(h, |&g| id_of(g) == id) {
                let at = if self.csv {
                    Location::Line(part.number[i] + base)
                } else {
                    part.id_at[i].clone()
                };
                let first = self.number[g as usize];
                ledger.reject(
                    at,
                    "ticket_id",
                    "duplicate_ticket",
                    format!(
                        "ticket_id \"{}\" appears twice on {} (first on line {})",
                        text(id),
                        time::format_date(day),
                        first
                    ),
                    &text(id),
                )?;
                continue;
            }
            let g = self.t.len() as u32;
            self.tables[slot]
                .insert_unique(h, g, |&g| key_hash(time::day(issued[g as usize]), id_of(g)));
            self.ids.extend_from_slice(id);
            self.id_end.push(self.ids.len());
            self.number.push(if self.csv {
                part.number[i] + base
            } else {
                part.number[i]
            });
            clamped += u64::from(part.clamped[i]);
            let t = &mut self.t;
            t.issued.push(part.issued[i]);
            t.called.push(part.called[i]);
            t.finished.push(part.finished[i]);
            t.status.push(part.status[i]);
            let [mw, md, mm] = &mut maps;
            t.window
                .push(global(mw, &part.windows, &mut t.windows, part.window[i]));
            t.department.push(global(
                md,
                &part.departments,
                &mut t.departments,
                part.department[i],
            ));
            t.matter
                .push(global(mm, &part.matters, &mut t.matters, part.matter[i]));
            ledger.report.accepted += 1;
        }
        ledger.report.clamped += clamped;
        Ok(())
    }

    pub(super) fn finish(self, ledger: &mut Ledger<'_>) -> Tickets {
        let t = self.t;
        if let (Some(&lo), Some(&hi)) = (t.issued.iter().min(), t.issued.iter().max()) {
            ledger.span(lo);
            ledger.span(hi);
        }
        t
    }
}

/// A part's name index to the merged interner's (assigned on first sight).
pub(super) fn global(
    map: &mut [u32],
    names: &Names,
    interner: &mut crate::hall::Interner,
    l: u32,
) -> u32 {
    if l == NONE {
        return NONE;
    }
    let g = &mut map[l as usize];
    if *g == NONE {
        *g = interner.intern(&text(&names.names[l as usize]));
    }
    *g
}
