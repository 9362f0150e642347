//! Multi-server FCFS queue with opening hours, overtime and abandonment.
//!
//! The engine replays customers of one pool in arrival order. Because the
//! discipline is first-come-first-served and abandoners never occupy a
//! server, the service start of customer *n* depends only on the server
//! free times left by customers *1..n-1*. This is the Kiefer–Wolfowitz
//! workload recursion (Kiefer & Wolfowitz, 1955, "On the theory of queues
//! with many servers"), extended so that a server may only start a service
//! while it is on duty. No event heap is needed: each customer costs O(c)
//! work for c servers, and the server free times are updated in place.
//!
//! Rules (model.md §7):
//! * server `i` is on duty at time `t` if `i < servers(t)`; a service may
//!   only *start* on a server that is on duty, and a running service is
//!   never interrupted when the count drops;
//! * a customer's *home session* is the first session whose end lies after
//!   the arrival. Customers arriving before opening or between sessions
//!   wait for the next session; the wait counts from the real arrival;
//! * tickets issued before closing are served: after the home session's
//!   end, servers `i < n_last` (the count of the session's last hour) stay
//!   on duty for that customer, in addition to any later session's servers;
//! * a customer with no home session (arrival at or after the last end) is
//!   [`Outcome::Unserved`], as is one that no server can ever start;
//! * a customer whose service would start later than
//!   `arrival + patience` abandons at that moment and uses no server.
//!
//! This file holds the session engine ([`run_pool`], [`PoolQueue`]: a plan's replay and
//! synthetic days, server counts per hour of each session, every session draining its own
//! queue) and the types both engines share; [`rostered`] holds the engine of today's
//! replay, whose servers each keep their own roster read from the log; `tests` holds the
//! session engine's specification.

use std::fmt;

/// Time in seconds on the simulation clock (any origin, e.g. seconds since
/// midnight of the first day).
pub type Seconds = f64;

/// Length of one staffing step: the server count is constant per hour.
const HOUR: Seconds = 3600.0;

/// One opening period of a pool, e.g. 09:00–12:00 on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Opening time.
    pub start: Seconds,
    /// Closing time; may be `f64::INFINITY` for the last session only.
    pub end: Seconds,
    /// Staffed servers in each hour of the session: entry `k` covers
    /// `[start + 3600k, min(start + 3600(k+1), end))`. A finite session
    /// needs exactly `ceil((end - start) / 3600)` entries; in an unbounded
    /// session the last entry holds forever.
    pub servers_per_hour: Vec<u32>,
}

/// Opening hours of one pool: sessions sorted by start, non-overlapping.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    /// The sessions, sorted by `start`.
    pub sessions: Vec<Session>,
}

impl Schedule {
    /// A pool that is always open with a constant number of servers (one
    /// session from 0 to +∞), as in a textbook M/M/c queue.
    pub fn always(servers: u32) -> Self {
        Schedule {
            sessions: vec![Session {
                start: 0.0,
                end: f64::INFINITY,
                servers_per_hour: vec![servers],
            }],
        }
    }

    /// Checks the invariants documented on [`Schedule`] and [`Session`].
    pub fn validate(&self) -> Result<(), EngineError> {
        let mut previous_end = f64::NEG_INFINITY;
        for (index, s) in self.sessions.iter().enumerate() {
            let bad = |reason| EngineError::InvalidSession { index, reason };
            if !s.start.is_finite() || s.end.is_nan() || s.end <= s.start {
                return Err(bad("start must be finite and before end"));
            }
            if s.start < previous_end {
                return Err(bad("sessions must be sorted and must not overlap"));
            }
            if s.servers_per_hour.is_empty() {
                return Err(bad("servers_per_hour is empty"));
            }
            if s.end.is_finite() && s.servers_per_hour.len() != s.hours() {
                return Err(bad("servers_per_hour needs one entry per started hour"));
            }
            previous_end = s.end;
        }
        Ok(())
    }
}

impl Session {
    /// Number of (possibly partial) hours in a finite session.
    fn hours(&self) -> usize {
        // Truncation is intended: the ratio is a small positive count.
        ((self.end - self.start) / HOUR).ceil() as usize
    }

    /// Servers on duty in the last hour: they stay on for overtime.
    fn last_hour_servers(&self) -> u32 {
        self.servers_per_hour.last().copied().unwrap_or(0)
    }
}

/// One customer (ticket) of a pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Customer {
    /// Ticket time.
    pub arrival: Seconds,
    /// Service duration once a server starts.
    pub service: Seconds,
    /// Longest acceptable wait; `f64::INFINITY` means never abandons.
    pub patience: Seconds,
}

/// What happened to one customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    /// Service started `wait` seconds after arrival on server `server`.
    Served {
        /// Time from arrival to service start.
        wait: Seconds,
        /// Index of the server (window) that served the customer.
        server: u32,
    },
    /// Left unserved after waiting `waited` (= patience) seconds.
    Abandoned {
        /// Time from arrival to abandonment.
        waited: Seconds,
    },
    /// Arrived after the last session, or no server could ever start it.
    Unserved,
}

/// Why [`run_pool`] rejected its input.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineError {
    /// Customer `index` arrives before customer `index - 1`.
    UnsortedArrivals {
        /// Position of the first out-of-order customer.
        index: usize,
    },
    /// Customer `index` has a non-finite arrival, a negative or non-finite
    /// service time, or a negative / NaN patience.
    InvalidCustomer {
        /// Position of the offending customer.
        index: usize,
    },
    /// The off-duty periods of server `server` are not sorted, disjoint, non-adjacent
    /// and non-empty.
    InvalidRoster {
        /// Index of the offending server.
        server: usize,
    },
    /// Session `index` breaks a schedule invariant.
    InvalidSession {
        /// Position of the offending session.
        index: usize,
        /// Which invariant is broken.
        reason: &'static str,
    },
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::UnsortedArrivals { index } => {
                write!(f, "customer {index} arrives before the previous one")
            }
            EngineError::InvalidCustomer { index } => write!(
                f,
                "customer {index} has an invalid arrival, service time or patience"
            ),
            EngineError::InvalidRoster { server } => write!(
                f,
                "server {server}: off-duty periods must be sorted, disjoint and non-empty"
            ),
            EngineError::InvalidSession { index, reason } => {
                write!(f, "session {index} is invalid: {reason}")
            }
        }
    }
}

impl std::error::Error for EngineError {}

/// A maximal interval with a constant server count and the same home
/// session. Segments tile the whole time line, (-∞, +∞).
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: Seconds,
    end: Seconds,
    servers: u32,
    /// Home session of customers arriving in this segment, if any.
    home: Option<Home>,
}

/// The part of a home session that matters for overtime.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Home {
    end: Seconds,
    overtime_servers: u32,
}

/// The schedule flattened into segments, built once per [`run_pool`] call
/// so the inner loop only compares against precomputed boundaries.
struct Timeline {
    segments: Vec<Segment>,
    max_servers: usize,
}

impl Timeline {
    fn new(schedule: &Schedule) -> Self {
        let mut t = Timeline {
            segments: Vec::new(),
            max_servers: 0,
        };
        let mut cursor = f64::NEG_INFINITY;
        for s in &schedule.sessions {
            let home = Some(Home {
                end: s.end,
                overtime_servers: s.last_hour_servers(),
            });
            // The gap before opening belongs to this session: its
            // customers wait for the opening and get its overtime.
            t.push(cursor, s.start, 0, home);
            for (k, &n) in s.servers_per_hour.iter().enumerate() {
                let from = s.start + HOUR * k as f64;
                let last = k + 1 == s.servers_per_hour.len();
                let to = if last { s.end } else { s.end.min(from + HOUR) };
                t.push(from, to, n, home);
                t.max_servers = t.max_servers.max(n as usize);
            }
            cursor = s.end;
        }
        t.push(cursor, f64::INFINITY, 0, None);
        t
    }

    /// Appends a segment, merging it into the previous one when nothing
    /// changes: fewer boundaries mean fewer slow-path lookups.
    fn push(&mut self, start: Seconds, end: Seconds, servers: u32, home: Option<Home>) {
        if start >= end {
            return;
        }
        if let Some(prev) = self.segments.last_mut() {
            if prev.servers == servers && prev.home == home && prev.end == start {
                prev.end = end;
                return;
            }
        }
        self.segments.push(Segment {
            start,
            end,
            servers,
            home,
        });
    }

    /// Earliest time `>= t0` at which server `i` is on duty for a customer
    /// with home session `home`, searching from segment `k0` (which holds
    /// the arrival, so `t0` lies in it or later). Returns +∞ when that time
    /// is not strictly before `bound`: such a server cannot beat the best
    /// candidate already found, so the search stops early.
    fn next_on_duty(&self, i: u32, t0: Seconds, k0: usize, home: Home, bound: Seconds) -> Seconds {
        let segs = &self.segments[k0..];
        // The last segment ends at +∞, so the search always stops.
        let first = segs.iter().position(|s| s.end > t0).unwrap_or(segs.len());
        for s in &segs[first..] {
            let start = s.start.max(t0);
            if start >= bound {
                break;
            }
            let on_duty = if s.start >= home.end {
                s.servers.max(home.overtime_servers)
            } else {
                s.servers
            };
            if i < on_duty {
                return start;
            }
        }
        f64::INFINITY
    }
}

/// State of the arrival cursor: the segment holding the current arrival.
#[derive(Clone, Copy)]
struct Cursor {
    index: usize,
    end: Seconds,
    servers: usize,
    home: Option<Home>,
}

impl Cursor {
    fn at(timeline: &Timeline, index: usize) -> Self {
        let s = timeline.segments[index];
        Cursor {
            index,
            end: s.end,
            servers: s.servers as usize,
            home: s.home,
        }
    }

    /// Moves forward to the segment containing `arrival`; arrivals are
    /// sorted, so the cursor only ever advances.
    fn advance(&mut self, timeline: &Timeline, arrival: Seconds) {
        if arrival < self.end {
            return;
        }
        let mut k = self.index;
        while timeline.segments[k].end <= arrival {
            k += 1;
        }
        *self = Cursor::at(timeline, k);
    }
}

/// Replays `customers` (sorted by arrival) through one pool.
///
/// Writes exactly one [`Outcome`] per customer into `out`, which is
/// cleared first and reused so repeated calls do not allocate per call
/// beyond the small schedule tables. On error `out` is left empty.
/// [`PoolQueue`] does the same in pieces (e.g. day by day).
pub fn run_pool(
    customers: &[Customer],
    schedule: &Schedule,
    out: &mut Vec<Outcome>,
) -> Result<(), EngineError> {
    out.clear();
    let mut queue = PoolQueue::new(schedule)?;
    queue.extend(customers, out).inspect_err(|_| out.clear())
}

/// The state of [`run_pool`] between two customers, so that a pool can be replayed in
/// consecutive pieces (day by day) with exactly the outcomes of one call.
pub struct PoolQueue {
    timeline: Timeline,
    /// Servers that have never served are free since the dawn of time.
    free: Vec<Seconds>,
    cursor: Cursor,
    /// Customers seen so far and the last arrival: errors name the customer's position
    /// over all pieces.
    seen: usize,
    previous: Seconds,
}

impl PoolQueue {
    /// An empty pool with this schedule; checks the schedule.
    pub fn new(schedule: &Schedule) -> Result<Self, EngineError> {
        schedule.validate()?;
        let timeline = Timeline::new(schedule);
        Ok(PoolQueue {
            free: vec![f64::NEG_INFINITY; timeline.max_servers],
            cursor: Cursor::at(&timeline, 0),
            timeline,
            seen: 0,
            previous: f64::NEG_INFINITY,
        })
    }

    /// Replays the next `customers` (sorted by arrival, none before the last one
    /// already replayed) and appends one outcome each to `out`. On error, the outcomes
    /// of this piece up to the offending customer stay in `out`.
    pub fn extend(
        &mut self,
        customers: &[Customer],
        out: &mut Vec<Outcome>,
    ) -> Result<(), EngineError> {
        out.reserve(customers.len());
        for c in customers {
            check_customer(c, self.seen, self.previous)?;
            self.seen += 1;
            self.previous = c.arrival;
            self.cursor.advance(&self.timeline, c.arrival);
            out.push(serve(c, &self.cursor, &self.timeline, &mut self.free));
        }
        Ok(())
    }
}

#[inline]
fn check_customer(c: &Customer, index: usize, previous: Seconds) -> Result<(), EngineError> {
    let valid =
        c.arrival.is_finite() && c.service.is_finite() && c.service >= 0.0 && c.patience >= 0.0; // false for NaN
    if !valid {
        return Err(EngineError::InvalidCustomer { index });
    }
    if c.arrival < previous {
        return Err(EngineError::UnsortedArrivals { index });
    }
    Ok(())
}

/// One step of the Kiefer–Wolfowitz recursion: pick the server that can
/// start the customer earliest, then either book it or record abandonment.
#[inline]
fn serve(c: &Customer, cursor: &Cursor, timeline: &Timeline, free: &mut [Seconds]) -> Outcome {
    let Some(home) = cursor.home else {
        return Outcome::Unserved;
    };
    let (start, server) = earliest_start(c.arrival, cursor, home, timeline, free);
    if start - c.arrival > c.patience {
        return Outcome::Abandoned { waited: c.patience };
    }
    if start == f64::INFINITY {
        return Outcome::Unserved;
    }
    free[server] = start + c.service;
    Outcome::Served {
        wait: start - c.arrival,
        // Lossless: server < max_servers, which came from a u32.
        server: server as u32,
    }
}

/// Earliest feasible start over all servers; ties go to the lowest index.
#[inline]
fn earliest_start(
    arrival: Seconds,
    cursor: &Cursor,
    home: Home,
    timeline: &Timeline,
    free: &[Seconds],
) -> (Seconds, usize) {
    // Fast path, without branches: the on-duty server with the earliest
    // max(free, arrival), lowest index on ties. If that start is still inside
    // the arrival's segment it wins: off-duty servers and on-duty ones whose
    // start leaves the segment can only start at or after the segment's end.
    let on_duty = cursor.servers.min(free.len());
    let (mut best, mut best_i) = (f64::INFINITY, 0);
    for (i, &f) in free[..on_duty].iter().enumerate() {
        let s = if f > arrival { f } else { arrival };
        let better = s < best;
        best = if better { s } else { best };
        best_i = if better { i } else { best_i };
    }
    if best < cursor.end {
        return (best, best_i);
    }
    let mut best = f64::INFINITY;
    let mut best_i = 0;
    // Slow path: servers on duty in the arrival's segment can start at
    // max(free, arrival) as long as that is still inside the segment.
    for (i, &f) in free[..on_duty].iter().enumerate() {
        let t0 = f.max(arrival);
        let s = if t0 < cursor.end {
            t0
        } else {
            timeline.next_on_duty(i as u32, t0, cursor.index, home, best)
        };
        if s < best {
            best = s;
            best_i = i;
            if s <= arrival {
                // Nothing starts before the arrival and ties favour
                // lower indices, so this idle server wins outright.
                return (best, best_i);
            }
        }
    }
    // Off-duty servers can only start at or after the segment's end.
    if best >= cursor.end {
        for (i, &f) in free.iter().enumerate().skip(on_duty) {
            let t0 = f.max(arrival);
            let s = timeline.next_on_duty(i as u32, t0, cursor.index, home, best);
            if s < best {
                best = s;
                best_i = i;
            }
        }
    }
    (best, best_i)
}

mod rostered;

pub use rostered::{run_rostered, OffDuty, RosteredQueue};

#[cfg(test)]
mod tests;
