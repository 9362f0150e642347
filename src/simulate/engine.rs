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
//! Rules (MODEL.md §7):
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

/// Off-duty periods of one server (window): half-open intervals `[from, to)`, sorted,
/// disjoint and non-adjacent. Outside them the server is on duty.
pub type OffDuty = Vec<(Seconds, Seconds)>;

/// Why [`run_rostered`] rejected a roster.
fn check_roster(off: &[OffDuty]) -> Result<(), EngineError> {
    for (server, r) in off.iter().enumerate() {
        let mut previous: Option<Seconds> = None;
        for &(a, b) in r {
            // Also false for NaN.
            let ordered = a < b && previous.is_none_or(|p| p < a);
            if !ordered {
                return Err(EngineError::InvalidRoster { server });
            }
            previous = Some(b);
        }
    }
    Ok(())
}

/// Replays `customers` (sorted by arrival) through one pool whose servers each have
/// their own roster: server `i` is on duty except in `off[i]`. This is today's hall as
/// its ticket log shows it, window by window (see `trace`); there are no sessions: a
/// window on duty after closing is simply on duty.
///
/// A customer takes the server that can start it first. Ties go to its `preferred`
/// server when it is among them (in today's replay: the window the log shows serving
/// it, so ties are decided as the hall decided them), else to the server idle longest
/// (earliest free time), then the lowest index — the way a calling system hands the next
/// ticket to the window that has waited longest. `preferred[i]` is an index or
/// `u32::MAX` for none. A service that has started runs to its end even into an
/// off-duty period. Abandonment as in [`run_pool`]. `out` is cleared first; on error it
/// is left empty. [`RosteredQueue`] does the same in pieces (e.g. day by day).
pub fn run_rostered(
    customers: &[Customer],
    off: &[OffDuty],
    preferred: Option<&[u32]>,
    out: &mut Vec<Outcome>,
) -> Result<(), EngineError> {
    out.clear();
    let mut queue = RosteredQueue::new(off)?;
    queue
        .extend(customers, preferred, out)
        .inspect_err(|_| out.clear())
}

/// The least of `v` (+∞ for none; no NaN expected), with four independent running
/// minima so the comparisons overlap instead of waiting on each other.
#[inline]
fn least(v: &[Seconds]) -> Seconds {
    let mut m = [f64::INFINITY; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            m[k] = if c[k] < m[k] { c[k] } else { m[k] };
        }
    }
    for (k, &x) in rest.iter().enumerate() {
        m[k] = if x < m[k] { x } else { m[k] };
    }
    let (a, b) = (m[0].min(m[1]), m[2].min(m[3]));
    a.min(b)
}

/// The state of [`run_rostered`] between two customers, so that a pool can be replayed
/// in consecutive pieces (day by day) with exactly the outcomes of one call.
///
/// Each server keeps `ready`, the earliest time it could start a service: its free time,
/// moved to the end of the off-duty period holding it. A customer arriving at `a` can
/// start on server `i` at `max(ready[i], a)` as long as no off-duty period of `i` begins
/// in `(ready[i], a]`; such a period is an *event*: when arrivals pass its start, an idle
/// server goes off duty and its `ready` moves to the period's end. Events are rare (about
/// two per off-duty period), so a customer costs one branch-free pass over the servers
/// with two loads each, instead of re-reading every roster.
#[derive(Debug, Clone)]
pub struct RosteredQueue<'a> {
    off: &'a [OffDuty],
    /// When each server finished its last service (ties go to the one idle longest).
    free: Vec<Seconds>,
    /// Earliest start of each server, for arrivals before its next event.
    ready: Vec<Seconds>,
    /// Per server: index of its first off-duty period that starts after `ready`, and
    /// that period's bounds (+∞ past the last).
    cursor: Vec<usize>,
    from: Vec<Seconds>,
    to: Vec<Seconds>,
    /// No server's next off-duty period starts before this (a lower bound of `from`).
    next_event: Seconds,
    /// Customers seen so far and the last arrival: errors name the customer's position
    /// over all pieces.
    seen: usize,
    previous: Seconds,
}

impl<'a> RosteredQueue<'a> {
    /// A pool whose servers have not served yet; checks the rosters.
    pub fn new(off: &'a [OffDuty]) -> Result<Self, EngineError> {
        check_roster(off)?;
        let c = off.len();
        let mut q = RosteredQueue {
            off,
            free: vec![f64::NEG_INFINITY; c],
            ready: vec![f64::NEG_INFINITY; c],
            cursor: vec![0; c],
            from: vec![f64::INFINITY; c],
            to: vec![f64::INFINITY; c],
            next_event: f64::INFINITY,
            seen: 0,
            previous: f64::NEG_INFINITY,
        };
        for i in 0..c {
            q.settle(i, f64::NEG_INFINITY);
        }
        q.next_event = q.from.iter().copied().fold(f64::INFINITY, f64::min);
        Ok(q)
    }

    /// Server `i` can start no earlier than `t` (its free time): moves past the off-duty
    /// periods over by then, and to the end of the one holding `t`.
    #[inline]
    fn settle(&mut self, i: usize, t: Seconds) {
        let off = self.off;
        let r = &off[i];
        let mut k = self.cursor[i];
        while k < r.len() && r[k].1 <= t {
            k += 1;
        }
        let mut t = t;
        if k < r.len() && r[k].0 <= t {
            // Periods are non-adjacent: the next one starts after this end.
            t = r[k].1;
            k += 1;
        }
        self.ready[i] = t;
        self.cursor[i] = k;
        (self.from[i], self.to[i]) = r.get(k).copied().unwrap_or((f64::INFINITY, f64::INFINITY));
    }

    /// Arrivals have reached `a`: servers whose next off-duty period has begun by then
    /// (they were idle when it began) are off until its end, or back on duty if it is
    /// over.
    #[cold]
    fn pass_events(&mut self, a: Seconds) {
        for i in 0..self.off.len() {
            while self.from[i] <= a {
                if a < self.to[i] {
                    self.ready[i] = self.to[i];
                }
                let k = self.cursor[i] + 1;
                self.cursor[i] = k;
                (self.from[i], self.to[i]) = self.off[i]
                    .get(k)
                    .copied()
                    .unwrap_or((f64::INFINITY, f64::INFINITY));
            }
        }
        self.next_event = self.from.iter().copied().fold(f64::INFINITY, f64::min);
    }

    /// Replays the next `customers` (sorted by arrival, none before the last one
    /// already replayed) and appends one outcome each to `out`. `preferred` as in
    /// [`run_rostered`], one entry per customer of this piece. On error, the outcomes
    /// of this piece up to the offending customer stay in `out`.
    pub fn extend(
        &mut self,
        customers: &[Customer],
        preferred: Option<&[u32]>,
        out: &mut Vec<Outcome>,
    ) -> Result<(), EngineError> {
        out.reserve(customers.len());
        for (k, cu) in customers.iter().enumerate() {
            check_customer(cu, self.seen, self.previous)?;
            self.seen += 1;
            self.previous = cu.arrival;
            let want = preferred
                .and_then(|p| p.get(k))
                .map_or(usize::MAX, |&w| w as usize);
            out.push(self.serve(cu, want));
        }
        Ok(())
    }

    /// The earliest start and its server: among the servers that can start then, the
    /// preferred one, else the one idle longest, else the lowest index. Branch-free
    /// passes: a minimum, then (unless the preferred server ties) a conditional-move
    /// arg-minimum.
    #[inline]
    fn earliest(&self, a: Seconds, want: usize) -> (Seconds, usize) {
        let best = least(&self.ready).max(a);
        if self.ready.get(want).is_some_and(|&r| r <= best) {
            return (best, want);
        }
        let (mut best_free, mut best_i) = (f64::INFINITY, usize::MAX);
        for (i, (&r, &f)) in self.ready.iter().zip(&self.free).enumerate() {
            let better = (r <= best) & (f < best_free);
            best_free = if better { f } else { best_free };
            best_i = if better { i } else { best_i };
        }
        (best, best_i)
    }

    #[inline]
    fn serve(&mut self, cu: &Customer, want: usize) -> Outcome {
        let a = cu.arrival;
        if a >= self.next_event {
            self.pass_events(a);
        }
        // Server i can start at max(ready[i], a), so the earliest start is
        // best = max(min ready, a), and the servers that can start then are those with
        // ready <= best.
        let (best, best_i) = match self.ready.get(want) {
            // The preferred server can start at once: nobody starts earlier, and it
            // wins the tie. In today's replay this is the common case.
            Some(&r) if r <= a => (a, want),
            _ => self.earliest(a, want),
        };
        if best_i == usize::MAX || best == f64::INFINITY {
            Outcome::Unserved
        } else if best - a > cu.patience {
            Outcome::Abandoned {
                waited: cu.patience,
            }
        } else {
            let f = best + cu.service;
            self.free[best_i] = f;
            // Its next off-duty period may move later; `next_event` stays a lower bound.
            self.settle(best_i, f);
            Outcome::Served {
                wait: best - a,
                // Lossless: best_i < off.len(), a server count.
                server: best_i as u32,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn cust(arrival: f64, service: f64) -> Customer {
        Customer {
            arrival,
            service,
            patience: INF,
        }
    }

    fn impatient(arrival: f64, service: f64, patience: f64) -> Customer {
        Customer {
            arrival,
            service,
            patience,
        }
    }

    fn served(wait: f64, server: u32) -> Outcome {
        Outcome::Served { wait, server }
    }

    fn run(customers: &[Customer], schedule: &Schedule) -> Vec<Outcome> {
        let mut out = Vec::new();
        run_pool(customers, schedule, &mut out).expect("valid input");
        out
    }

    fn session(start: f64, end: f64, servers: &[u32]) -> Session {
        Session {
            start,
            end,
            servers_per_hour: servers.to_vec(),
        }
    }

    #[test]
    fn single_server_queues_in_arrival_order() {
        // Arrivals 0, 1, 2 each needing 10 s: waits 0, 9, 18.
        let cs = [
            cust(0.0, 10.0),
            cust(1.0, 10.0),
            cust(2.0, 10.0),
            cust(40.0, 5.0),
        ];
        let out = run(&cs, &Schedule::always(1));
        assert_eq!(
            out,
            vec![
                served(0.0, 0),
                served(9.0, 0),
                served(18.0, 0),
                served(0.0, 0)
            ]
        );
    }

    #[test]
    fn two_servers_take_the_earliest_free_window_lowest_index_on_ties() {
        let cs = [
            cust(0.0, 10.0), // server 0 until 10
            cust(0.0, 4.0),  // server 1 until 4
            cust(1.0, 1.0),  // waits for server 1 at 4
            cust(2.0, 1.0),  // server 1 free at 5, before server 0
            cust(20.0, 1.0), // both idle: lowest index
        ];
        let out = run(&cs, &Schedule::always(2));
        assert_eq!(
            out,
            vec![
                served(0.0, 0),
                served(0.0, 1),
                served(3.0, 1),
                served(3.0, 1),
                served(0.0, 0)
            ]
        );
    }

    #[test]
    fn dropping_the_server_count_is_non_preemptive() {
        // Two servers in hour 0, one in hour 1.
        let sched = Schedule {
            sessions: vec![session(0.0, 7200.0, &[2, 1])],
        };
        let cs = [
            cust(3000.0, 1000.0), // server 0 until 4000
            cust(3500.0, 1000.0), // server 1 until 4500: runs past 3600
            cust(3700.0, 100.0),  // server 1 is off duty: waits for 0 at 4000
            cust(3800.0, 100.0),  // server 0 again at 4100
        ];
        let out = run(&cs, &sched);
        assert_eq!(
            out,
            vec![
                served(0.0, 0),
                served(0.0, 1),
                served(300.0, 0),
                served(300.0, 0)
            ]
        );
    }

    #[test]
    fn an_extra_server_coming_on_duty_starts_at_the_hour() {
        let sched = Schedule {
            sessions: vec![session(0.0, 7200.0, &[1, 2])],
        };
        let cs = [cust(0.0, 5000.0), cust(3000.0, 10.0)];
        let out = run(&cs, &sched);
        assert_eq!(out, vec![served(0.0, 0), served(600.0, 1)]);
    }

    #[test]
    fn tickets_issued_before_closing_are_served_in_overtime() {
        // Last hour has one server; it keeps serving after 3600.
        let sched = Schedule {
            sessions: vec![session(0.0, 3600.0, &[1])],
        };
        let cs = [cust(3000.0, 1000.0), cust(3500.0, 100.0), cust(3600.0, 1.0)];
        let out = run(&cs, &sched);
        assert_eq!(
            out,
            vec![served(0.0, 0), served(500.0, 0), Outcome::Unserved]
        );
    }

    #[test]
    fn overtime_uses_only_the_last_hours_servers() {
        // Two servers in hour 0, one in hour 1: overtime has one server.
        let sched = Schedule {
            sessions: vec![session(0.0, 7200.0, &[2, 1])],
        };
        let cs = [cust(7000.0, 1000.0), cust(7100.0, 50.0), cust(7150.0, 50.0)];
        let out = run(&cs, &sched);
        // Server 1 is off duty all hour 1 and in overtime.
        assert_eq!(
            out,
            vec![served(0.0, 0), served(900.0, 0), served(900.0, 0)]
        );
    }

    #[test]
    fn arrival_before_opening_waits_from_its_real_arrival() {
        let sched = Schedule {
            sessions: vec![session(1000.0, 4600.0, &[1])],
        };
        let cs = [cust(400.0, 60.0), cust(500.0, 60.0)];
        let out = run(&cs, &sched);
        assert_eq!(out, vec![served(600.0, 0), served(560.0, 0)]);
    }

    #[test]
    fn arrival_between_sessions_waits_for_the_afternoon() {
        let sched = Schedule {
            sessions: vec![session(0.0, 3600.0, &[1]), session(5000.0, 8600.0, &[3])],
        };
        let cs = [cust(4000.0, 10.0)];
        assert_eq!(run(&cs, &sched), vec![served(1000.0, 0)]);
    }

    #[test]
    fn morning_overtime_and_afternoon_servers_both_count() {
        // Morning overtime keeps server 0 busy; the afternoon opens
        // servers 0 and 1, so the morning leftover can use server 1.
        let sched = Schedule {
            sessions: vec![session(0.0, 3600.0, &[1]), session(4000.0, 7600.0, &[2])],
        };
        let cs = [cust(3500.0, 1000.0), cust(3550.0, 10.0)];
        assert_eq!(run(&cs, &sched), vec![served(0.0, 0), served(450.0, 1)]);
    }

    #[test]
    fn an_impatient_customer_abandons_and_leaves_no_trace() {
        let cs = [
            cust(0.0, 100.0),
            impatient(10.0, 100.0, 30.0), // would wait 90 s: leaves at 40
            cust(20.0, 10.0),             // takes the server at 100 as if alone
            impatient(30.0, 5.0, 80.0),   // must wait exactly 80: stays
        ];
        let out = run(&cs, &Schedule::always(1));
        assert_eq!(
            out,
            vec![
                served(0.0, 0),
                Outcome::Abandoned { waited: 30.0 },
                served(80.0, 0),
                served(80.0, 0)
            ]
        );
    }

    #[test]
    fn arrivals_after_the_last_session_are_unserved() {
        let sched = Schedule {
            sessions: vec![session(0.0, 3600.0, &[2])],
        };
        let cs = [cust(100.0, 10.0), cust(3600.0, 10.0), cust(9000.0, 10.0)];
        let out = run(&cs, &sched);
        assert_eq!(
            out,
            vec![served(0.0, 0), Outcome::Unserved, Outcome::Unserved]
        );
    }

    #[test]
    fn no_staff_in_the_last_hour_leaves_overtime_customers_unserved() {
        let sched = Schedule {
            sessions: vec![session(0.0, 7200.0, &[1, 0])],
        };
        let cs = [cust(4000.0, 10.0), impatient(4000.0, 10.0, 60.0)];
        let out = run(&cs, &sched);
        assert_eq!(
            out,
            vec![Outcome::Unserved, Outcome::Abandoned { waited: 60.0 }]
        );
    }

    #[test]
    fn unsorted_input_is_an_error_not_a_panic() {
        let cs = [cust(10.0, 1.0), cust(5.0, 1.0)];
        let mut out = vec![Outcome::Unserved];
        let err = run_pool(&cs, &Schedule::always(1), &mut out);
        assert_eq!(err, Err(EngineError::UnsortedArrivals { index: 1 }));
        assert!(out.is_empty());
    }

    #[test]
    fn invalid_customers_and_sessions_are_rejected() {
        let mut out = Vec::new();
        let nan = [cust(f64::NAN, 1.0)];
        assert_eq!(
            run_pool(&nan, &Schedule::always(1), &mut out),
            Err(EngineError::InvalidCustomer { index: 0 })
        );
        let short = Schedule {
            sessions: vec![session(0.0, 5400.0, &[1])], // 1.5 h needs 2 entries
        };
        assert!(matches!(
            run_pool(&[], &short, &mut out),
            Err(EngineError::InvalidSession { index: 0, .. })
        ));
        let overlap = Schedule {
            sessions: vec![session(0.0, 3600.0, &[1]), session(3000.0, 6600.0, &[1])],
        };
        assert!(matches!(
            run_pool(&[], &overlap, &mut out),
            Err(EngineError::InvalidSession { index: 1, .. })
        ));
    }

    #[test]
    fn partial_last_hour_counts_as_an_hour() {
        // 09:00-12:30 style: 3.5 h, four entries, last covers 30 min.
        let sched = Schedule {
            sessions: vec![session(0.0, 12_600.0, &[1, 1, 1, 2])],
        };
        let cs = [cust(10_900.0, 500.0), cust(10_950.0, 10.0)];
        assert_eq!(run(&cs, &sched), vec![served(0.0, 0), served(0.0, 1)]);
    }

    /// Straight-from-the-definition reference: on-duty status is read off
    /// the sessions at every candidate time, with no segments, cursor or
    /// pruning. Slow, but independent of the optimised code paths.
    fn reference(customers: &[Customer], schedule: &Schedule) -> Vec<Outcome> {
        let sessions = &schedule.sessions;
        let c_max = sessions
            .iter()
            .flat_map(|s| s.servers_per_hour.iter())
            .max()
            .map_or(0, |&n| n as usize);
        let mut bounds: Vec<f64> = sessions
            .iter()
            .flat_map(|s| {
                let hours = (0..s.servers_per_hour.len()).map(|k| s.start + HOUR * k as f64);
                hours.chain([s.end])
            })
            .collect();
        bounds.sort_by(f64::total_cmp);
        let mut free = vec![f64::NEG_INFINITY; c_max];
        let mut out = Vec::new();
        for c in customers {
            let Some(home) = sessions.iter().find(|s| s.end > c.arrival) else {
                out.push(Outcome::Unserved);
                continue;
            };
            let overtime = *home.servers_per_hour.last().expect("validated");
            let on_duty = |i: usize, t: f64| {
                let regular = sessions.iter().any(|s| {
                    let k = ((t - s.start) / HOUR).floor() as usize;
                    s.start <= t && t < s.end && i < s.servers_per_hour[k] as usize
                });
                regular || (t >= home.end && i < overtime as usize)
            };
            let (mut best, mut best_i) = (f64::INFINITY, 0);
            for (i, &f) in free.iter().enumerate() {
                let t0 = f.max(c.arrival);
                let later = bounds.iter().copied().filter(|&b| b > t0);
                let start = [t0].into_iter().chain(later).find(|&t| on_duty(i, t));
                if let Some(start) = start.filter(|&s| s < best) {
                    (best, best_i) = (start, i);
                }
            }
            out.push(if best - c.arrival > c.patience {
                Outcome::Abandoned { waited: c.patience }
            } else if best == f64::INFINITY {
                Outcome::Unserved
            } else {
                free[best_i] = best + c.service;
                served(best - c.arrival, best_i as u32)
            });
        }
        out
    }

    fn random_schedule(rng: &mut impl rand::Rng) -> Schedule {
        let mut t = 900.0 * rng.random_range(0..8) as f64;
        let sessions = (0..rng.random_range(1..4))
            .map(|_| {
                let start = t;
                let end = start + 300.0 * rng.random_range(3..50) as f64;
                t = end + 300.0 * rng.random_range(0..10) as f64;
                let hours = ((end - start) / HOUR).ceil() as usize;
                let servers_per_hour = (0..hours).map(|_| rng.random_range(0..4)).collect();
                Session {
                    start,
                    end,
                    servers_per_hour,
                }
            })
            .collect();
        Schedule { sessions }
    }

    fn random_customers(rng: &mut impl rand::Rng, horizon: f64) -> Vec<Customer> {
        // Whole minutes, so arrivals tie and hit hour and session edges.
        let minute = |x: f64| (x / 60.0).round() * 60.0;
        let mut cs: Vec<Customer> = (0..rng.random_range(0..80))
            .map(|_| Customer {
                arrival: minute(rng.random_range(-3600.0..horizon)),
                service: minute(rng.random_range(0.0..1500.0)),
                patience: if rng.random_bool(0.5) {
                    INF
                } else {
                    minute(rng.random_range(0.0..3000.0))
                },
            })
            .collect();
        cs.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
        cs
    }

    #[test]
    fn matches_a_brute_force_reference_on_random_schedules() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
        for trial in 0..3000 {
            let sched = random_schedule(&mut rng);
            let horizon = sched.sessions.last().map_or(0.0, |s| s.end) + 1800.0;
            let cs = random_customers(&mut rng, horizon);
            assert_eq!(
                run(&cs, &sched),
                reference(&cs, &sched),
                "trial {trial}: {sched:?} {cs:?}"
            );
        }
    }

    fn rostered(customers: &[Customer], off: &[OffDuty]) -> Vec<Outcome> {
        let mut out = Vec::new();
        run_rostered(customers, off, None, &mut out).expect("valid input");
        out
    }

    #[test]
    fn rostered_servers_wait_out_their_off_duty_periods() {
        // Server 0 off 0..100, server 1 off 50..300 (a break while serving is not
        // interrupted: it starts its break late).
        let off = vec![vec![(0.0, 100.0)], vec![(50.0, 300.0)]];
        let cs = [
            cust(0.0, 80.0),  // server 1 is on: 0..80, runs into its break
            cust(10.0, 10.0), // server 0 on at 100, server 1 at 300: server 0
            cust(20.0, 10.0), // server 0 again at 110
        ];
        assert_eq!(
            rostered(&cs, &off),
            vec![served(0.0, 1), served(90.0, 0), served(90.0, 0)]
        );
    }

    #[test]
    fn rostered_ties_go_to_the_server_idle_longest() {
        let off = vec![Vec::new(), Vec::new()];
        let cs = [
            cust(0.0, 10.0), // both idle since ever: server 0
            cust(1.0, 5.0),  // server 1
            cust(20.0, 1.0), // both idle: server 1 (free since 6) beats 0 (since 10)
            cust(30.0, 1.0), // server 0 (free since 10) beats 1 (since 21)
        ];
        assert_eq!(
            rostered(&cs, &off),
            vec![
                served(0.0, 0),
                served(0.0, 1),
                served(0.0, 1),
                served(0.0, 0)
            ]
        );
    }

    #[test]
    fn rostered_ties_go_to_the_preferred_server_first() {
        let off = vec![Vec::new(), Vec::new(), vec![(0.0, 50.0)]];
        let cs = [cust(0.0, 10.0), cust(1.0, 5.0), cust(100.0, 1.0)];
        let pref = [1, 2, 2]; // server 2 is off at 1: no tie, server 0 takes it
        let mut out = Vec::new();
        run_rostered(&cs, &off, Some(&pref), &mut out).expect("valid input");
        assert_eq!(out, vec![served(0.0, 1), served(0.0, 0), served(0.0, 2)]);
    }

    #[test]
    fn rostered_matches_a_brute_force_reference() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for trial in 0..2000 {
            let c = rng.random_range(0..4);
            let off: Vec<OffDuty> = (0..c)
                .map(|_| {
                    let mut t = -3600.0 + 300.0 * rng.random_range(0..4) as f64;
                    (0..rng.random_range(0..5))
                        .map(|_| {
                            let a = t + 300.0 * rng.random_range(1..6) as f64;
                            let b = a + 300.0 * rng.random_range(1..6) as f64;
                            t = b;
                            (a, b)
                        })
                        .collect()
                })
                .collect();
            let cs = random_customers(&mut rng, 12_000.0);
            // Reference: every server's start by scanning its whole roster.
            let mut free = vec![f64::NEG_INFINITY; c];
            let mut want = Vec::new();
            for cu in &cs {
                let mut best: Option<(f64, f64, usize)> = None;
                for i in 0..c {
                    let mut t = free[i].max(cu.arrival);
                    for &(a, b) in &off[i] {
                        if a <= t && t < b {
                            t = b;
                        }
                    }
                    let key = (t, free[i], i);
                    if best.is_none_or(|b| key.partial_cmp(&b) == Some(std::cmp::Ordering::Less)) {
                        best = Some(key);
                    }
                }
                want.push(match best {
                    None => Outcome::Unserved,
                    Some((t, _, _)) if t - cu.arrival > cu.patience => Outcome::Abandoned {
                        waited: cu.patience,
                    },
                    Some((t, _, i)) => {
                        free[i] = t + cu.service;
                        served(t - cu.arrival, i as u32)
                    }
                });
            }
            assert_eq!(rostered(&cs, &off), want, "trial {trial}: {off:?} {cs:?}");
            // The same customers in pieces (as the trace replay feeds them, day by day).
            let cut = rng.random_range(0..=cs.len());
            let mid = rng.random_range(0..=cut);
            let mut q = RosteredQueue::new(&off).expect("valid roster");
            let mut pieces = Vec::new();
            for r in [0..mid, mid..cut, cut..cs.len()] {
                q.extend(&cs[r], None, &mut pieces).expect("valid input");
            }
            assert_eq!(pieces, want, "trial {trial} in pieces {mid}/{cut}");
        }
    }

    #[test]
    fn rostered_boundaries_of_an_off_duty_period() {
        // One server, off [100, 200) and [300, 400); periods are half-open.
        let off = vec![vec![(100.0, 200.0), (300.0, 400.0)]];
        let cases = [
            // Arriving as the break starts: waits for its end.
            (vec![cust(100.0, 10.0)], vec![served(100.0, 0)]),
            // Arriving as the break ends: served at once.
            (vec![cust(200.0, 10.0)], vec![served(0.0, 0)]),
            // A service ending exactly as the break starts: the next waits it out.
            (
                vec![cust(90.0, 10.0), cust(95.0, 5.0)],
                vec![served(0.0, 0), served(105.0, 0)],
            ),
            // A service running into the break is not interrupted; the next customer
            // waits for the break's end, not the service's.
            (
                vec![cust(90.0, 50.0), cust(95.0, 5.0)],
                vec![served(0.0, 0), served(105.0, 0)],
            ),
            // A service running past the whole break: the next starts when it ends.
            (
                vec![cust(90.0, 150.0), cust(95.0, 5.0)],
                vec![served(0.0, 0), served(145.0, 0)],
            ),
            // Idle through a whole break (arrivals jump past it) and into the next.
            (
                vec![cust(50.0, 1.0), cust(250.0, 1.0), cust(350.0, 1.0)],
                vec![served(0.0, 0), served(0.0, 0), served(50.0, 0)],
            ),
            // After the last period the server stays on duty.
            (vec![cust(1e6, 1.0)], vec![served(0.0, 0)]),
        ];
        for (cs, want) in cases {
            assert_eq!(rostered(&cs, &off), want, "{cs:?}");
        }
        // Off from the dawn of time to 50, and from 500 for ever.
        let bounded = vec![vec![(f64::NEG_INFINITY, 50.0), (500.0, INF)]];
        let cs = [
            cust(0.0, 1.0),
            cust(499.0, 10.0),
            impatient(500.0, 1.0, 1e9),
        ];
        assert_eq!(
            rostered(&cs, &bounded),
            vec![served(50.0, 0), served(0.0, 0), Outcome::Unserved]
        );
    }

    #[test]
    fn a_pool_replayed_in_pieces_matches_one_run() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for trial in 0..500 {
            let sched = random_schedule(&mut rng);
            let horizon = sched.sessions.last().map_or(0.0, |s| s.end) + 1800.0;
            let cs = random_customers(&mut rng, horizon);
            let cut = rng.random_range(0..=cs.len());
            let mut q = PoolQueue::new(&sched).expect("valid schedule");
            let mut out = Vec::new();
            q.extend(&cs[..cut], &mut out).expect("valid input");
            q.extend(&cs[cut..], &mut out).expect("valid input");
            assert_eq!(out, run(&cs, &sched), "trial {trial}");
        }
        // Errors name the customer's position over all pieces.
        let mut q = PoolQueue::new(&Schedule::always(1)).expect("valid schedule");
        let mut out = Vec::new();
        q.extend(&[cust(10.0, 1.0)], &mut out).expect("valid input");
        assert_eq!(
            q.extend(&[cust(11.0, 1.0), cust(5.0, 1.0)], &mut out),
            Err(EngineError::UnsortedArrivals { index: 2 })
        );
    }

    /// Times 10 million customers through 10 rostered servers, each off 10 % of
    /// the time. Run with `cargo test --release -- --ignored --nocapture throughput`.
    #[test]
    #[ignore]
    fn throughput_rostered_ten_million_customers() {
        use rand::{Rng, SeedableRng};
        let n = 10_000_000;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut t = 0.0;
        let cs: Vec<Customer> = (0..n)
            .map(|_| {
                t += -(1.0 - rng.random::<f64>()).ln() * 7.5 * 0.9;
                let service = -(1.0 - rng.random::<f64>()).ln() * 60.0;
                impatient(t, service, 600.0)
            })
            .collect();
        let off: Vec<OffDuty> = (0..10)
            .map(|i| {
                (0..(t / 3600.0) as usize)
                    .map(|h| {
                        let a = h as f64 * 3600.0 + 300.0 * i as f64;
                        (a, a + 360.0)
                    })
                    .collect()
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for _ in 0..3 {
            let clock = std::time::Instant::now();
            run_rostered(&cs, &off, None, &mut out).expect("valid input");
            let secs = clock.elapsed().as_secs_f64();
            println!("rostered: {:.1} million customers/s", n as f64 / secs / 1e6);
        }
        assert_eq!(out.len(), n);
    }

    /// Times 10 million customers through 10 servers.
    /// Run with `cargo test --release -- --ignored --nocapture throughput`.
    #[test]
    #[ignore]
    fn throughput_ten_million_customers() {
        use rand::{Rng, SeedableRng};
        let n = 10_000_000;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut t = 0.0;
        // Load 8 on 10 servers, mean service 60 s, exponential-ish draws.
        let cs: Vec<Customer> = (0..n)
            .map(|_| {
                t += -(1.0 - rng.random::<f64>()).ln() * 7.5;
                let service = -(1.0 - rng.random::<f64>()).ln() * 60.0;
                impatient(t, service, 600.0)
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        let sched = Schedule::always(10);
        for _ in 0..3 {
            let clock = std::time::Instant::now();
            run_pool(&cs, &sched, &mut out).expect("valid input");
            let secs = clock.elapsed().as_secs_f64();
            println!("{:.1} million customers/s", n as f64 / secs / 1e6);
        }
        assert_eq!(out.len(), n);
    }
}
