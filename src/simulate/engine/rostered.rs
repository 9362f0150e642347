//! The rostered engine: today's hall as its ticket log shows it, window by window. Each
//! server has its own off-duty periods (read from the log by the duty rule of
//! `hall::derive::duty`), and there are no sessions: a window on duty after closing is
//! simply on duty, which is how a session's queue drains. Kept apart from the session
//! engine of [`super`] because its state (per-server rosters and events) and its hot loop
//! are different.

use super::{check_customer, Customer, EngineError, Outcome, Seconds};

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
    use super::super::tests::{cust, impatient, random_customers, served, INF};
    use super::*;

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
}
