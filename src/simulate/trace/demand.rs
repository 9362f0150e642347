//! A demand change in the trace replay (model.md §7): one knob, one meaning. A fall thins
//! the log's tickets at random; a growth adds tickets drawn from the same weekday and hour
//! of the log's other open days, each keeping its own handling time, patience, matter and
//! department, issued at a time drawn within that hour on the day it is added to.
//!
//! Every draw comes from the seed and from nothing else — not from how the log is cut
//! into blocks — so a replay block by block and one of the whole log agree, and the same
//! seed gives the same added tickets in `simulate`, in the planner's check and in
//! `frontier`.

use std::collections::BTreeMap;
use std::ops::Range;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::hall::derive::duty::{BlockLog, Blocks};
use crate::hall::{time, Tickets};

use super::today::{never_served, patiences, today_jobs, Today};
use super::Job;

/// Salt of the growth stream, so that it is not the routing's stream of the same seed.
const GROWTH_SALT: u64 = 0x6772_6f77_7468_2121;
/// Salt of the stream that thins today's tickets (a plan's routing thins with its own).
const THIN_SALT: u64 = 0x7468_696e_2121_2121;

/// One added ticket: a copy of `donor` issued at `issued`.
#[derive(Debug, Clone, Copy)]
struct Added {
    donor: u32,
    issued: i64,
}

/// The tickets a demand growth adds to the log.
pub(super) struct Growth {
    /// Added tickets, by day ascending, then hour, then draw.
    added: Vec<Added>,
    /// Each day's range of `added`.
    by_day: BTreeMap<i64, Range<usize>>,
    /// Per ticket of the log: its handling time with after-call work and its patience
    /// (seconds), as today's replay gives them.
    service: Vec<f64>,
    patience: Vec<f64>,
}

impl Growth {
    /// The tickets that `growth` (> 0, e.g. 0.2 for +20 %) adds: in each (day, hour) of
    /// the log with `c` tickets, `c × growth` of them (the fraction rounded up with that
    /// probability), each a copy of a ticket drawn uniformly from the same weekday and
    /// hour of the log's other days. A weekday and hour the log shows on one day only
    /// draws from that day itself (there is nothing else to draw from).
    pub fn new(t: &Tickets, blocks: &Blocks, today: &Today, growth: f64, seed: u64) -> Growth {
        debug_assert!(growth > 0.0);
        // Donors by (weekday, hour): (day, ticket), ascending.
        let mut donors: BTreeMap<(u32, u32), Vec<(i64, u32)>> = BTreeMap::new();
        let mut counts: BTreeMap<(i64, u32), usize> = BTreeMap::new();
        for i in 0..t.len() {
            let x = t.issued[i];
            donors
                .entry((time::weekday(x), time::hour(x)))
                .or_default()
                .push((time::day(x), i as u32));
            *counts.entry((time::day(x), time::hour(x))).or_default() += 1;
        }
        for v in donors.values_mut() {
            v.sort_unstable();
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ GROWTH_SALT);
        let mut added = Vec::new();
        let mut by_day: BTreeMap<i64, Range<usize>> = BTreeMap::new();
        for (&(day, hour), &c) in &counts {
            let want = c as f64 * growth;
            let mut n = want.floor() as usize;
            if rng.random::<f64>() < want - want.floor() {
                n += 1;
            }
            let all = &donors[&(time::weekday(day * time::DAY), hour)];
            // Tickets of this weekday and hour on the other days: a contiguous run of
            // `all` is this day's own (sorted by day).
            let own_lo = all.partition_point(|&(d, _)| d < day);
            let own_hi = all.partition_point(|&(d, _)| d <= day);
            let others = all.len() - (own_hi - own_lo);
            let start = added.len();
            for _ in 0..n {
                let donor = if others > 0 {
                    let k = rng.random_range(0..others);
                    all[if k < own_lo { k } else { k + (own_hi - own_lo) }].1
                } else {
                    all[rng.random_range(0..all.len())].1
                };
                let second = rng.random_range(0..3600);
                added.push(Added {
                    donor,
                    issued: day * time::DAY + i64::from(hour) * 3600 + second,
                });
            }
            let e = by_day.entry(day).or_insert(start..start);
            e.end = added.len();
        }
        // Each ticket's handling time and patience, as today's replay reads them block
        // by block (after-call work and patience depend on the ticket's own block).
        let mut service = vec![0.0; t.len()];
        let mut patience = vec![f64::INFINITY; t.len()];
        let mut log = BlockLog::new(&today.pools, t.windows.len());
        let (mut tickets, mut pat, mut jobs, mut order) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for b in 0..blocks.ranges.len() {
            blocks.tickets(b, &mut tickets);
            log.read(t, &today.pools, &today.servers, &tickets);
            patiences(t, today, &tickets, &mut order, &mut pat);
            today_jobs(t, &tickets, &order, &log, &pat, &mut jobs);
            for j in &jobs {
                service[tickets[j.pos]] = j.service;
                patience[tickets[j.pos]] = j.patience;
            }
        }
        Growth {
            added,
            by_day,
            service,
            patience,
        }
    }

    /// Tickets added in all.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.added.len()
    }

    /// Adds the tickets of the block's days: each added ticket's donor is appended to
    /// `tickets` (so that its status, matter and department are the donor's), its job to
    /// `jobs` in today's pool of the donor, and its place in the random streams to
    /// `draws` (after the log's own tickets: `t.len()` + its index among the added).
    pub fn extend(
        &self,
        t: &Tickets,
        today: &Today,
        tickets: &mut Vec<usize>,
        jobs: &mut Vec<Job>,
        draws: &mut Vec<usize>,
    ) {
        let mut days: Vec<i64> = tickets.iter().map(|&i| time::day(t.issued[i])).collect();
        days.sort_unstable();
        days.dedup();
        for d in days {
            let Some(r) = self.by_day.get(&d) else {
                continue;
            };
            for k in r.clone() {
                let a = self.added[k];
                let i = a.donor as usize;
                jobs.push(Job {
                    pos: tickets.len(),
                    pool: today.pool_of(t, i),
                    arrival: a.issued as f64,
                    // An added ticket has no call of its own: last among its second's.
                    tie: i64::MAX,
                    service: self.service[i],
                    patience: self.patience[i],
                    cancelled: never_served(t, i),
                });
                tickets.push(i);
                draws.push(t.len() + k);
            }
        }
    }
}

/// Thins today's jobs for a demand fall: each ticket is dropped with probability `thin`,
/// by a draw at its own place in a seeded stream (block-independent); dropped positions
/// are marked in `thinned`.
pub(super) fn thin_today(
    jobs: &mut Vec<Job>,
    draws: &[usize],
    thin: f64,
    seed: u64,
    thinned: &mut [bool],
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ THIN_SALT);
    jobs.retain(|j| {
        // One f64 draw is two 32-bit words.
        rng.set_word_pos(2 * draws[j.pos] as u128);
        let keep = rng.random::<f64>() >= thin;
        thinned[j.pos] = !keep;
        keep
    });
}
