//! Stage 2 where the solver cannot prove it: the greedy allocation of windows over
//! pool curves for fixed channels, and the local search over channels built on it.

use super::build::Built;
use super::evaluate::{near_le, released_staff, staff_for};
use super::flows::{plan_flows, PlanFlows};
use super::input::{MilpError, MilpInput, MilpSolution};
use super::start::{finish, fits_at, start_from};
use std::rc::Rc;

/// For fixed channels, the least-waiting sizes with `total` windows: each pool's smallest
/// fitting size, then one window at a time where the (tangent-model) waiting falls most.
/// Waiting is convex and decreasing in a pool's windows, so this greedy allocation is
/// optimal for those channels; it seeds stage 2.
pub(super) fn best_sizes(
    input: &MilpInput,
    built: &Built,
    choice: &[usize],
    total: u32,
) -> Option<Vec<u32>> {
    let flows = plan_flows(input, choice);
    let curves = (0..input.pools.len())
        .map(|p| curve(input, built, p, &flows.load[p], &flows.arrivals[p]))
        .collect::<Option<Vec<Curve>>>()?;
    let refs: Vec<&Curve> = curves.iter().collect();
    let (steps, ..) = greedy(&refs, total, &mut 0);
    Some(
        curves
            .iter()
            .zip(steps)
            .map(|(c, k)| c.min + k as u32)
            .collect(),
    )
}

/// Improving moves [`polish`] takes at most, and the work it may do (pools visited by
/// its allocations): bounds that keep it fast on city-sized halls and, unlike a clock,
/// give the same plan on any machine.
pub(super) const POLISH_MOVES: usize = 200;

pub(super) const POLISH_WORK: u64 = 40_000_000;

/// Stage 2 where the solver could not prove it (microlp): a local search over channels
/// from its best plan. A move changes the channel of one matter or of two (one goes
/// online while another comes back: with the window count fixed, single moves rarely
/// keep the pools' loads within their windows, pairs do). Every candidate gets the
/// least-waiting sizes for its channels (the greedy of [`best_sizes`], optimal for fixed
/// channels) and must keep the window cap and every staff row; the best improving move
/// is taken until none improves. The objective is the MILP's own (tangent-model
/// waiting), so a plan HiGHS proves optimal is a fixed point of the search. A move
/// changes at most four pools, so only their curves are recomputed.
pub(super) fn polish(
    input: &MilpInput,
    built: &Built,
    sol: MilpSolution,
    total: u32,
) -> Result<MilpSolution, MilpError> {
    let started = std::time::Instant::now();
    let mut choice = sol.choice.clone();
    let Some(mut current) = Current::new(input, built, &choice, total) else {
        return Ok(sol);
    };
    let n = input.matters.len();
    let mut work = 0u64;
    for _ in 0..POLISH_MOVES {
        let mut found: Option<(f64, Vec<(usize, usize)>)> = None;
        let mut consider = |work: &mut u64,
                            moves: &[(usize, usize)],
                            known: &[(usize, Rc<Curve>)]| {
            if *work > POLISH_WORK {
                return;
            }
            let bar = found.as_ref().map_or(current.waiting, |f| f.0);
            if let Some(w) = current.try_moves(input, built, &choice, moves, total, work, known) {
                if w < bar - 1e-9 * (1.0 + bar.abs()) {
                    found = Some((w, moves.to_vec()));
                }
            }
        };
        // (matter, option) for every option a matter does not take now, with the pools
        // that move changes.
        let others: Vec<Vec<(Move, Vec<usize>)>> = (0..n)
            .map(|m| {
                (0..input.matters[m].options.len())
                    .filter(|&k| k != choice[m])
                    .map(|k| ((m, k), touched(input, &choice, (m, k))))
                    .collect()
            })
            .collect();
        for (a, moves_a) in others.iter().enumerate() {
            for (one, _) in moves_a {
                // The curves of the pools `one` changes: a pair whose second move leaves
                // such a pool alone gives it the very same loads (the first move is applied
                // first), so its curve is known — and where it is infeasible, so is the
                // pair (which then adds no work: the same search, without computing it).
                let single = if work > POLISH_WORK {
                    Vec::new()
                } else {
                    current.move_curves(input, built, &choice, &[*one], &[], false)
                };
                let known: Vec<(usize, Rc<Curve>)> = single
                    .iter()
                    .filter_map(|(p, c)| c.clone().map(|c| (*p, c)))
                    .collect();
                consider(&mut work, &[*one], &known);
                for (two, two_pools) in others[a + 1..].iter().flatten() {
                    if single
                        .iter()
                        .any(|(p, c)| c.is_none() && !two_pools.contains(p))
                    {
                        continue;
                    }
                    let kept: Vec<(usize, Rc<Curve>)> = known
                        .iter()
                        .filter(|(p, _)| !two_pools.contains(p))
                        .cloned()
                        .collect();
                    consider(&mut work, &[*one, *two], &kept);
                }
            }
        }
        let Some((_, moves)) = found else { break };
        for (m, k) in moves {
            choice[m] = k;
        }
        match Current::new(input, built, &choice, total) {
            Some(c) => current = c,
            None => return Ok(sol),
        }
        if work > POLISH_WORK {
            break;
        }
    }
    super::timing(
        &format!("stage 2 (least waiting): local search, {work} units of work"),
        started,
    );
    // Rebuilt even without an improving move: the start's channels with the least-waiting
    // sizes the staff rows allow (a start may have more windows than they allow).
    let flows = plan_flows(input, &choice);
    let cap = staff_cap(input, total, &flows.self_service, flows.backoffice_work);
    let sizes = best_sizes(input, built, &choice, cap)
        .ok_or_else(|| MilpError::Solver("local search left the admissible sizes".into()))?;
    let values = start_from(input, built, &choice, &sizes)
        .ok_or_else(|| MilpError::Solver("local search left the admissible sizes".into()))?;
    finish(input, built, &values)
}

/// The most windows (≤ `total`) a plan with these self-service users and back-office
/// work may keep: each window kept is staff not released, and helpers + back office must
/// come from the staff released (unless hiring is allowed).
pub(super) fn staff_cap(
    input: &MilpInput,
    total: u32,
    self_service: &[f64],
    backoffice_work: f64,
) -> u32 {
    let ok = |u: u32| {
        let (h, b) = staff_for(input, u, self_service, backoffice_work);
        input.allow_hiring || near_le(f64::from(h + b), released_staff(input, u))
    };
    let mut u = total;
    while u > 0 && !ok(u) {
        u -= 1;
    }
    u
}

/// One pool's least waiting for fixed loads: its smallest fitting size and the waiting
/// at each admissible size from there.
#[derive(Clone)]
pub(super) struct Curve {
    pub(super) min: u32,
    pub(super) waits: Vec<f64>,
}

pub(super) fn curve(
    input: &MilpInput,
    built: &Built,
    p: usize,
    load: &[f64],
    arrivals: &[f64],
) -> Option<Curve> {
    let sizes = &built.layout.y[p];
    let min = sizes
        .iter()
        .map(|&(c, _)| c)
        .find(|&c| fits_at(input, built, p, load, arrivals, c))?;
    let mut waits = vec![built.table.pool_bound(p, min, load)];
    let mut c = min;
    while sizes.iter().any(|&(s, _)| s == c + 1) {
        c += 1;
        waits.push(built.table.pool_bound(p, c, load));
    }
    Some(Curve { min, waits })
}

/// Least total waiting and windows used with at most `total` windows (the greedy of
/// [`best_sizes`]: each pool's smallest fitting size, then one window at a time where
/// the waiting falls most).
pub(super) fn allocate(curves: &[&Curve], total: u32, work: &mut u64) -> Option<(f64, u32)> {
    if curves.iter().map(|c| c.min).sum::<u32>() > total {
        return None;
    }
    let (_, waiting, used) = greedy(curves, total, work);
    Some((waiting, used))
}

/// The greedy allocation itself: windows above each pool's smallest size, the waiting
/// and the windows used (which exceed `total` when the smallest sizes already do).
pub(super) fn greedy(curves: &[&Curve], total: u32, work: &mut u64) -> (Vec<usize>, f64, u32) {
    *work += curves.len() as u64;
    let mut used: u32 = curves.iter().map(|c| c.min).sum();
    let mut at = vec![0usize; curves.len()];
    let mut waiting: f64 = curves.iter().map(|c| c.waits[0]).sum();
    // Each step takes the pool whose next window cuts the most waiting (ties: the lowest
    // pool), among those with a positive gain. A pool's gain changes only when it takes a
    // window, so a heap of every pool's next gain makes the very same choices as scanning
    // all pools at each step, in O(log P) instead of O(P) — the local search runs this
    // for every candidate move, with up to tens of windows above the smallest sizes. The
    // work counted is still that of the scan (`POLISH_WORK` bounds the search by it).
    let next = |p: usize, at: usize| -> Option<Gain> {
        let waits = &curves[p].waits;
        (at + 1 < waits.len())
            .then(|| waits[at] - waits[at + 1])
            .filter(|&gain| gain > 0.0)
            .map(|gain| Gain { gain, pool: p })
    };
    let mut heap: std::collections::BinaryHeap<Gain> =
        (0..curves.len()).filter_map(|p| next(p, 0)).collect();
    while used < total {
        *work += curves.len() as u64;
        let Some(Gain { gain, pool: p }) = heap.pop() else {
            break;
        };
        at[p] += 1;
        waiting -= gain;
        used += 1;
        if let Some(g) = next(p, at[p]) {
            heap.push(g);
        }
    }
    (at, waiting, used)
}

/// A pool's next gain, ordered as the greedy picks: the larger gain (`total_cmp`), then
/// the lower pool.
#[derive(Debug, Clone, Copy)]
struct Gain {
    gain: f64,
    pool: usize,
}

impl PartialEq for Gain {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Gain {}

impl PartialOrd for Gain {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Gain {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.gain
            .total_cmp(&other.gain)
            .then(other.pool.cmp(&self.pool))
    }
}

/// The local search's current plan: its flows, each pool's curve and its waiting.
pub(super) struct Current {
    pub(super) flows: PlanFlows,
    pub(super) curves: Vec<Curve>,
    pub(super) waiting: f64,
}

impl Current {
    pub(super) fn new(
        input: &MilpInput,
        built: &Built,
        choice: &[usize],
        total: u32,
    ) -> Option<Current> {
        let flows = plan_flows(input, choice);
        let curves = (0..input.pools.len())
            .map(|p| curve(input, built, p, &flows.load[p], &flows.arrivals[p]))
            .collect::<Option<Vec<Curve>>>()?;
        let refs: Vec<&Curve> = curves.iter().collect();
        let cap = staff_cap(input, total, &flows.self_service, flows.backoffice_work);
        let (waiting, _) = allocate(&refs, cap, &mut 0)?;
        Some(Current {
            flows,
            curves,
            waiting,
        })
    }

    /// The waiting after moving matters to other options (None: infeasible). `known`:
    /// curves of changed pools the caller already has for exactly these loads.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn try_moves(
        &self,
        input: &MilpInput,
        built: &Built,
        choice: &[usize],
        moves: &[(usize, usize)],
        total: u32,
        work: &mut u64,
        known: &[(usize, Rc<Curve>)],
    ) -> Option<f64> {
        let (fresh, self_service, backoffice) =
            self.changed_curves(input, built, choice, moves, known, true);
        let fresh: Vec<(usize, Rc<Curve>)> = fresh
            .into_iter()
            .map(|(p, c)| c.map(|c| (p, c)))
            .collect::<Option<_>>()?;
        let refs: Vec<&Curve> = (0..self.curves.len())
            .map(|p| {
                fresh
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map_or(&self.curves[p], |(_, c)| c.as_ref())
            })
            .collect();
        let cap = staff_cap(input, total, &self_service, backoffice.max(0.0));
        allocate(&refs, cap, work).map(|(waiting, _)| waiting)
    }

    /// The curve of every pool `moves` change (None where no size fits).
    pub(super) fn move_curves(
        &self,
        input: &MilpInput,
        built: &Built,
        choice: &[usize],
        moves: &[(usize, usize)],
        known: &[(usize, Rc<Curve>)],
        stop_at_none: bool,
    ) -> Vec<(usize, Option<Rc<Curve>>)> {
        self.changed_curves(input, built, choice, moves, known, stop_at_none)
            .0
    }

    /// The curves of the pools `moves` change (up to the first infeasible one when
    /// `stop_at_none`), and the self-service users and back-office work after them.
    #[allow(clippy::type_complexity)]
    fn changed_curves(
        &self,
        input: &MilpInput,
        built: &Built,
        choice: &[usize],
        moves: &[(usize, usize)],
        known: &[(usize, Rc<Curve>)],
        stop_at_none: bool,
    ) -> (Vec<(usize, Option<Rc<Curve>>)>, Vec<f64>, f64) {
        let mut changed: Vec<(usize, Vec<f64>, Vec<f64>)> = Vec::new();
        let mut self_service = self.flows.self_service.clone();
        let mut backoffice = self.flows.backoffice_work;
        for &(m, k) in moves {
            let options = &input.matters[m].options;
            for (option, sign) in [(&options[choice[m]], -1.0), (&options[k], 1.0)] {
                for l in &option.loads {
                    let at = match changed.iter().position(|c| c.0 == l.pool) {
                        Some(i) => i,
                        None => {
                            let p = l.pool;
                            changed.push((
                                p,
                                self.flows.load[p].clone(),
                                self.flows.arrivals[p].clone(),
                            ));
                            changed.len() - 1
                        }
                    };
                    for (h, &lambda) in l.arrivals_per_hour.iter().enumerate() {
                        changed[at].1[h] += sign * lambda * l.handle_min / 60.0;
                        changed[at].2[h] += sign * lambda;
                    }
                }
                for (h, &u) in option.self_service_users_per_hour.iter().enumerate() {
                    self_service[h] += sign * u;
                }
                backoffice += sign * option.backoffice_work_min_week;
            }
        }
        let mut curves = Vec::with_capacity(changed.len());
        for (p, load, arrivals) in &changed {
            let c = match known.iter().find(|(q, _)| q == p) {
                Some((_, c)) => Some(Rc::clone(c)),
                None => {
                    let load: Vec<f64> = load.iter().map(|l| l.max(0.0)).collect();
                    let arrivals: Vec<f64> = arrivals.iter().map(|a| a.max(0.0)).collect();
                    curve(input, built, *p, &load, &arrivals).map(Rc::new)
                }
            };
            let none = c.is_none();
            curves.push((*p, c));
            if none && stop_at_none {
                break;
            }
        }
        (curves, self_service, backoffice)
    }
}

/// A move: (matter, the option it takes).
type Move = (usize, usize);

/// The pools a move changes: those of the option it leaves and of the one it takes.
fn touched(input: &MilpInput, choice: &[usize], (m, k): (usize, usize)) -> Vec<usize> {
    let options = &input.matters[m].options;
    let mut pools: Vec<usize> = options[choice[m]]
        .loads
        .iter()
        .chain(&options[k].loads)
        .map(|l| l.pool)
        .collect();
    pools.sort_unstable();
    pools.dedup();
    pools
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The greedy as it was written before the heap: scan every pool at every step.
    fn scan(curves: &[&Curve], total: u32, work: &mut u64) -> (Vec<usize>, f64, u32) {
        *work += curves.len() as u64;
        let mut used: u32 = curves.iter().map(|c| c.min).sum();
        let mut at = vec![0usize; curves.len()];
        let mut waiting: f64 = curves.iter().map(|c| c.waits[0]).sum();
        while used < total {
            *work += curves.len() as u64;
            let best = (0..curves.len())
                .filter(|&p| at[p] + 1 < curves[p].waits.len())
                .map(|p| (p, curves[p].waits[at[p]] - curves[p].waits[at[p] + 1]))
                .filter(|&(_, gain)| gain > 0.0)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            let Some((p, gain)) = best else { break };
            at[p] += 1;
            waiting -= gain;
            used += 1;
        }
        (at, waiting, used)
    }

    proptest! {
        /// Same windows, same waiting bits, same work as the scan — on curves that need
        /// not be convex, with equal gains between pools (ties), flat stretches and
        /// rising waits (no gain).
        #[test]
        fn the_heap_greedy_makes_the_scan_s_choices(
            raw in prop::collection::vec((0u32..3, prop::collection::vec(0u8..6, 1..8)), 1..9),
            extra in 0u32..30,
        ) {
            let curves: Vec<Curve> = raw
                .iter()
                .map(|(min, steps)| {
                    // Waits from small whole steps: many exact ties across pools.
                    let mut w = 40.0;
                    let waits = steps
                        .iter()
                        .map(|&s| {
                            w -= f64::from(s) - 1.0;
                            w
                        })
                        .collect();
                    Curve { min: *min, waits }
                })
                .collect();
            let refs: Vec<&Curve> = curves.iter().collect();
            let total = refs.iter().map(|c| c.min).sum::<u32>() + extra;
            let (mut w1, mut w2) = (0, 0);
            let heap = greedy(&refs, total, &mut w1);
            let scanned = scan(&refs, total, &mut w2);
            prop_assert_eq!(&heap.0, &scanned.0);
            prop_assert_eq!(heap.1.to_bits(), scanned.1.to_bits());
            prop_assert_eq!(heap.2, scanned.2);
            prop_assert_eq!(w1, w2);
        }
    }
}
