//! Today's hall as its ticket log shows it: who waits with whom, each window's servers
//! and roster, each ticket's handling time, after-call work and patience — the inputs of
//! the replay, read once per log without any table per ticket beyond one block.
//!
//! Pools, servers and rosters come from [`crate::hall::derive::duty`], the rule the
//! queueing formula reads its staffed windows from too (model.md §7, input.md).

use crate::hall::derive::duty::{window_servers, BlockLog, Blocks, Duty, LogPools};
use crate::hall::{time, Hall, Status, Tickets, NONE, NO_TIME};
use crate::simulate::engine::OffDuty;

use super::Job;

/// Today's hall as the replay reads it.
pub(super) struct Today {
    pub pools: LogPools,
    /// Servers of each window of the log: the most services it shows at once.
    pub servers: Vec<u32>,
    /// Index of each window's first server in its pool (`u32::MAX`: not a server).
    pub server_of: Vec<u32>,
    /// Mean wait (seconds) of served tickets per pool and hour of issue.
    pub typical: Vec<[f64; 24]>,
}

impl Today {
    pub fn read(hall: &Hall, blocks: &Blocks) -> Today {
        let t = &hall.tickets;
        let pools = LogPools::read(hall);
        let servers = window_servers(t, blocks);
        let mut server_of = vec![u32::MAX; t.windows.len()];
        for ws in &pools.windows {
            let mut next = 0;
            for &w in ws {
                server_of[w as usize] = next;
                next += servers[w as usize];
            }
        }
        let mut today = Today {
            pools,
            servers,
            server_of,
            typical: Vec::new(),
        };
        today.typical = today.typical_waits(t);
        today
    }

    pub fn names(&self) -> &[String] {
        &self.pools.names
    }

    #[inline]
    pub fn pool_of(&self, t: &Tickets, i: usize) -> usize {
        self.pools.of_ticket(t, i)
    }

    /// Patience of a ticket cancelled before being called, when the log has no cancel
    /// time and no later ticket of its pool that day was called: the mean wait of served
    /// tickets of the same pool and hour (they gave up around the typical wait). A
    /// documented choice; it only shapes the queue-length statistics, since a cancelled
    /// ticket never takes a window.
    fn typical_waits(&self, t: &Tickets) -> Vec<[f64; 24]> {
        let mut acc = vec![[(0.0, 0u32); 24]; self.pools.names.len()];
        for i in 0..t.len() {
            if let (Status::Served, Some(w)) = (t.status[i], t.wait_min(i)) {
                let e = &mut acc[self.pool_of(t, i)][time::hour(t.issued[i]) as usize];
                e.0 += w * 60.0;
                e.1 += 1;
            }
        }
        acc.iter()
            .map(|row| {
                let mut out = [0.0; 24];
                for h in 0..24 {
                    out[h] = if row[h].1 > 0 {
                        row[h].0 / f64::from(row[h].1)
                    } else {
                        300.0
                    };
                }
                out
            })
            .collect()
    }

    /// Servers of pool `p`.
    pub fn n_servers(&self, p: usize) -> usize {
        self.pools.windows[p]
            .iter()
            .map(|&w| self.servers[w as usize] as usize)
            .sum()
    }

    /// Each pool's servers' rosters (off-duty periods), read from the log by the duty
    /// rule; a window with `k` servers gives `k` servers on its roster.
    pub fn rosters(&self, t: &Tickets, blocks: &Blocks, hours: &[u32]) -> Vec<Vec<OffDuty>> {
        let duty = Duty::read_with(t, &self.pools, blocks, hours, self.servers.clone());
        self.pools
            .windows
            .iter()
            .map(|ws| {
                let mut servers = Vec::new();
                for &w in ws {
                    let r = duty.off_duty(w);
                    servers.extend(std::iter::repeat_n(r, self.servers[w as usize] as usize));
                }
                servers
            })
            .collect()
    }
}

/// Patience (seconds) of each ticket of a block. Tickets that were called waited as long
/// as it took (infinite patience). A ticket cancelled before being called never takes a
/// window (model.md §7: a cancellation may be unrelated to the queue, a zero patience
/// leaves at once); its patience — how long it stood in the queue, for the queue-length
/// statistics — is cancel − issue where the log has its cancel time; otherwise it is
/// censored — less than the wait it would have had, which the wait of the next called
/// ticket of its pool on the same day estimates — and we take half of that (the mean of
/// a uniform patience below it); with no such ticket, half the typical wait of its pool
/// and hour.
///
/// `order` is left holding the block's tickets as (pool, issue time, position), sorted:
/// pool by pool, each in order of arrival, then of the log — the order of the replay.
pub(super) fn patiences(
    t: &Tickets,
    today: &Today,
    tickets: &[usize],
    order: &mut Vec<(usize, i64, usize)>,
    out: &mut Vec<f64>,
) {
    order.clear();
    order.extend(
        tickets
            .iter()
            .enumerate()
            .map(|(pos, &i)| (today.pool_of(t, i), t.issued[i], pos)),
    );
    // Positions follow the log's order. Issue times are whole seconds: among tickets of
    // a pool issued in the same second, the one the log called first was first in the
    // first-come-first-served queue (a truncated clock cannot tell, the call order can),
    // so ties go by call time (never called last), then by the log. Keys are distinct: a
    // stable sort gives the same order, and it is fast on a log mostly in order of issue.
    order.sort_by_key(|&(p, issued, pos)| (p, issued, queue_tie(t, tickets[pos]), pos));
    out.clear();
    out.resize(tickets.len(), f64::INFINITY);
    // Walk each pool backwards remembering the wait of the next called ticket.
    let mut next: Option<(usize, i64, f64)> = None; // (pool, day, wait)
    for &(p, issued, pos) in order.iter().rev() {
        let i = tickets[pos];
        let d = time::day(issued);
        if t.called[i] != NO_TIME {
            next = Some((p, d, (t.called[i] - issued).max(0) as f64));
            continue;
        }
        if t.status[i] != Status::Cancelled {
            continue;
        }
        out[pos] = if t.finished[i] != NO_TIME && t.finished[i] >= issued {
            (t.finished[i] - issued) as f64
        } else {
            match next {
                Some((np, nd, w)) if np == p && nd == d => 0.5 * w,
                _ => 0.5 * today.typical[p][time::hour(issued) as usize],
            }
        };
    }
}

/// Place of ticket `i` among the tickets of its pool issued in the same second: its call
/// time (`i64::MAX` when never called), see [`patiences`].
#[inline]
pub(super) fn queue_tie(t: &Tickets, i: usize) -> i64 {
    match t.called[i] {
        NO_TIME => i64::MAX,
        c => c,
    }
}

/// A ticket that never takes a window: cancelled before being called.
#[inline]
pub(super) fn never_served(t: &Tickets, i: usize) -> bool {
    t.status[i] == Status::Cancelled && t.called[i] == NO_TIME
}

/// Today's jobs of one block in the replay's `order` (see [`patiences`]): each ticket
/// with its own handling time and after-call work, its patience, in its pool of today.
pub(super) fn today_jobs(
    t: &Tickets,
    tickets: &[usize],
    order: &[(usize, i64, usize)],
    log: &BlockLog,
    patience: &[f64],
    jobs: &mut Vec<Job>,
) {
    jobs.clear();
    jobs.extend(order.iter().map(|&(pool, issued, pos)| {
        let i = tickets[pos];
        Job {
            pos,
            pool,
            arrival: issued as f64,
            tie: queue_tie(t, i),
            service: (service_s(t, i) + log.after_call[pos]).max(0.0),
            patience: patience[pos],
            cancelled: never_served(t, i),
        }
    }));
}

/// Handling time (seconds) of ticket `i` as the log shows it (zero for a ticket never
/// called or never finished).
fn service_s(t: &Tickets, i: usize) -> f64 {
    match (t.called[i], t.finished[i]) {
        (c, f) if c != NO_TIME && f != NO_TIME && f >= c => (f - c) as f64,
        _ => 0.0,
    }
}

/// The log's window of ticket `i` as a server index of its pool (`u32::MAX`: none).
#[inline]
pub(super) fn preferred(t: &Tickets, today: &Today, i: usize) -> u32 {
    match t.window[i] {
        w if w != NONE => today.server_of[w as usize],
        _ => u32::MAX,
    }
}
