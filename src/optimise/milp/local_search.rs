//! Stage 2 where the solver cannot prove it: the greedy allocation of windows over
//! pool curves for fixed channels, and the local search over channels built on it.

use super::build::Built;
use super::evaluate::{near_le, released_staff, staff_for};
use super::flows::{plan_flows, PlanFlows};
use super::input::{MilpError, MilpInput, MilpSolution};
use super::start::{finish, smallest_size, start_from};
use smallvec::SmallVec;
use std::borrow::Cow;

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
    let key = polish_cache::key(input, built, &sol, total);
    if let Some(kept) = polish_cache::get(&key) {
        super::timing(
            "stage 2 (least waiting): local search, kept from an earlier solve",
            std::time::Instant::now(),
        );
        return Ok(kept);
    }
    let polished = polish_afresh(input, built, sol, total)?;
    polish_cache::put(key, &polished);
    Ok(polished)
}

/// Local searches already run, by everything they read (a handful per process).
///
/// Why: the fewest-window plan's stage 2 is the least-waiting search within the fewest
/// windows, and when the exact-mix check or the replay raises that plan the planner's
/// descent asks for exactly that budget again (`planner::descend`), as `serve` does for a
/// budget equal to the fewest; the search is a pure function of its inputs, so the same
/// inputs give back the same plan.
mod polish_cache {
    use super::super::build::Built;
    use super::super::input::{MilpInput, MilpSolution};
    use crate::plan::Objective;
    use std::sync::Mutex;

    static KEPT: Mutex<Vec<(String, MilpSolution)>> = Mutex::new(Vec::new());
    const KEEP: usize = 4;

    /// Debug output is every field, exact for f64. The objective is left out: the search
    /// never reads it (its window count is `total`).
    pub(super) fn key(input: &MilpInput, built: &Built, sol: &MilpSolution, total: u32) -> String {
        let input = MilpInput {
            objective: Objective::FewestWindows,
            ..input.clone()
        };
        format!("{input:?}|{built:?}|{sol:?}|{total}")
    }

    pub(super) fn get(key: &str) -> Option<MilpSolution> {
        let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        kept.iter().find(|(k, _)| k == key).map(|(_, s)| s.clone())
    }

    pub(super) fn put(key: String, sol: &MilpSolution) {
        let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        if kept.iter().any(|(k, _)| *k == key) {
            return;
        }
        if kept.len() >= KEEP {
            kept.remove(0);
        }
        kept.push((key, sol.clone()));
    }
}

fn polish_afresh(
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
        let mut found: Option<(f64, Moves)> = None;
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
        // The curves of the pools each single move changes, once per round: a pair's
        // pool that only one of its two moves changes gets the very same loads as under
        // that move alone (the same additions in the same order), so its curve is known —
        // and where it is infeasible, so is the pair (which then adds no work: the same
        // search, without computing it). Only the pools both moves change are computed
        // for the pair (most often the comprehensive pool).
        // Computed in parallel (each depends only on its move), regrouped by matter.
        let flat: Vec<Move> = others
            .iter()
            .flat_map(|moves| moves.iter().map(|(one, _)| *one))
            .collect();
        let mut curves = super::par_map(flat.len(), |i| {
            current.move_curves(input, built, &choice, &[flat[i]])
        })
        .into_iter();
        let singles: Vec<Vec<PoolCurves>> = others
            .iter()
            .map(|moves| curves.by_ref().take(moves.len()).collect())
            .collect();
        let round = Round {
            input,
            built,
            current: &current,
            choice: &choice,
            total,
        };
        let mut block: Vec<Candidate> = Vec::with_capacity(BLOCK);
        'moves: for (a, moves_a) in others.iter().enumerate() {
            for ((one, one_pools), single) in moves_a.iter().zip(&singles[a]) {
                if work > POLISH_WORK {
                    break 'moves;
                }
                let known: Known = single
                    .iter()
                    .filter_map(|(p, c)| c.as_ref().map(|c| (*p, c)))
                    .collect();
                block.push((smallvec::smallvec![*one], known.clone()));
                let pairs = others[a + 1..].iter().zip(&singles[a + 1..]);
                for ((two, two_pools), theirs) in pairs.flat_map(|(m, s)| m.iter().zip(s)) {
                    let alone = |curves: &PoolCurves, other: &[usize]| {
                        curves
                            .iter()
                            .any(|(p, c)| c.is_none() && !other.contains(p))
                    };
                    if alone(single, two_pools) || alone(theirs, one_pools) {
                        continue;
                    }
                    let kept: Known = known
                        .iter()
                        .filter(|(p, _)| !two_pools.contains(p))
                        .copied()
                        .chain(theirs.iter().filter_map(|(p, c)| {
                            c.as_ref()
                                .filter(|_| !one_pools.contains(p))
                                .map(|c| (*p, c))
                        }))
                        .collect();
                    block.push((smallvec::smallvec![*one, *two], kept));
                    if block.len() >= BLOCK {
                        round.evaluate(&mut block, &mut work, &mut found);
                    }
                }
            }
        }
        round.evaluate(&mut block, &mut work, &mut found);
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

/// Candidates evaluated at once (in parallel, [`super::par_map`]): enough to pay for the
/// threads, few enough that the work cap wastes little when it is reached mid-block.
const BLOCK: usize = 4096;

/// A candidate of one round: its moves and the curves of changed pools already known.
type Candidate<'a> = (Moves, Known<'a>);

/// One or two moves, inline.
type Moves = SmallVec<[Move; 2]>;

/// Curves of changed pools already known, inline (a pair changes at most four pools).
type Known<'a> = SmallVec<[(usize, &'a Curve); 4]>;

/// What every candidate of one round is evaluated against.
struct Round<'a> {
    input: &'a MilpInput,
    built: &'a Built,
    current: &'a Current,
    choice: &'a [usize],
    total: u32,
}

impl Round<'_> {
    /// Evaluates a block of candidates in parallel, then takes them in their order
    /// exactly as one at a time would: once the work passes [`POLISH_WORK`] no further
    /// candidate counts, and a candidate is taken only when it beats the best so far by
    /// more than the tolerance (the first of equals wins). Each evaluation depends only on
    /// its candidate and the round, so the plan and the work counted are the same bytes
    /// on any number of threads.
    fn evaluate(
        &self,
        block: &mut Vec<Candidate>,
        work: &mut u64,
        found: &mut Option<(f64, Moves)>,
    ) {
        if block.is_empty() {
            return;
        }
        let results: Vec<(Option<f64>, u64)> = if *work > POLISH_WORK {
            Vec::new()
        } else {
            super::par_map(block.len(), |i| {
                let (moves, known) = &block[i];
                let mut w = 0;
                let r = self.current.try_moves(
                    self.input,
                    self.built,
                    self.choice,
                    moves,
                    self.total,
                    &mut w,
                    known,
                );
                (r, w)
            })
        };
        for ((moves, _), (r, w)) in block.drain(..).zip(results) {
            if *work > POLISH_WORK {
                break;
            }
            *work += w;
            let bar = found.as_ref().map_or(self.current.waiting, |f| f.0);
            if let Some(x) = r {
                if x < bar - 1e-9 * (1.0 + bar.abs()) {
                    *found = Some((x, moves));
                }
            }
        }
        block.clear();
    }
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
        input.allow_hiring
            || near_le(
                f64::from(h + b),
                released_staff(input, u) - input.staff_reserve,
            )
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
    let min = smallest_size(input, built, p, load, arrivals)?;
    Some(curve_from(built, p, min, load, u32::MAX))
}

/// The waiting at `min` and at each admissible size above it, at most `extra` above:
/// a greedy allocation that has `extra` windows left above every pool's smallest size
/// never looks further, so a shorter curve gives it the very same choices.
fn curve_from(built: &Built, p: usize, min: u32, load: &[f64], extra: u32) -> Curve {
    let sizes = &built.layout.y[p];
    let mut waits = vec![built.table.pool_bound(p, min, load)];
    let mut c = min;
    while c - min < extra && sizes.iter().any(|&(s, _)| s == c + 1) {
        c += 1;
        waits.push(built.table.pool_bound(p, c, load));
    }
    Curve { min, waits }
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
        known: &[(usize, &Curve)],
    ) -> Option<f64> {
        let (changed, self_service, backoffice) = self.changed_loads(input, choice, moves);
        // Each changed pool's smallest size first (None: the moves are infeasible, as
        // before, without work); then its curve only as far as the windows left above
        // every pool's smallest size reach (most of a large pool's curve is never looked
        // at when the plan has about as many windows as its pools' smallest sizes).
        let mut mins: SmallVec<[(usize, Result<&Curve, u32>); 4]> = SmallVec::new();
        for (p, load, arrivals) in &changed {
            match known.iter().find(|(q, _)| q == p) {
                Some((_, c)) => mins.push((*p, Ok(*c))),
                None => mins.push((*p, Err(smallest_size(input, built, *p, load, arrivals)?))),
            }
        }
        let min_of = |p: usize| {
            mins.iter()
                .find(|(q, _)| *q == p)
                .map_or(self.curves[p].min, |(_, c)| match c {
                    Ok(c) => c.min,
                    Err(min) => *min,
                })
        };
        let cap = staff_cap(input, total, &self_service, backoffice.max(0.0));
        let smallest: u32 = (0..self.curves.len()).map(min_of).sum();
        let extra = cap.checked_sub(smallest)?;
        let fresh: SmallVec<[(usize, Cow<Curve>); 4]> = mins
            .into_iter()
            .zip(&changed)
            .map(|((p, c), (_, load, _))| {
                let c = match c {
                    Ok(known) => Cow::Borrowed(known),
                    Err(min) => Cow::Owned(curve_from(built, p, min, load, extra)),
                };
                (p, c)
            })
            .collect();
        let refs: SmallVec<[&Curve; 64]> = (0..self.curves.len())
            .map(|p| {
                fresh
                    .iter()
                    .find(|(q, _)| *q == p)
                    .map_or(&self.curves[p], |(_, c)| c.as_ref())
            })
            .collect();
        allocate(&refs, cap, work).map(|(waiting, _)| waiting)
    }

    /// The curve of every pool `moves` change (None where no size fits), in full.
    pub(super) fn move_curves(
        &self,
        input: &MilpInput,
        built: &Built,
        choice: &[usize],
        moves: &[(usize, usize)],
    ) -> PoolCurves {
        let (changed, ..) = self.changed_loads(input, choice, moves);
        changed
            .iter()
            .map(|(p, load, arrivals)| (*p, curve(input, built, *p, load, arrivals)))
            .collect()
    }

    /// The loads and arrivals (clamped at zero) of the pools `moves` change, in the order
    /// the moves first touch them, and the self-service users and back-office work after
    /// them.
    fn changed_loads(
        &self,
        input: &MilpInput,
        choice: &[usize],
        moves: &[(usize, usize)],
    ) -> (Changed, Slots, f64) {
        // Inline vectors: this runs for every candidate of the search (millions on a
        // large hall), and the planner's slots are one collapsed day.
        let mut changed: Changed = SmallVec::new();
        let mut self_service: Slots = self.flows.self_service.iter().copied().collect();
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
                                self.flows.load[p].iter().copied().collect(),
                                self.flows.arrivals[p].iter().copied().collect(),
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
        for (_, load, arrivals) in &mut changed {
            load.iter_mut().for_each(|l| *l = l.max(0.0));
            arrivals.iter_mut().for_each(|a| *a = a.max(0.0));
        }
        (changed, self_service, backoffice)
    }
}

/// Per-slot values, inline.
type Slots = SmallVec<[f64; 2]>;

/// The pools some moves change, with their loads and arrivals per slot.
type Changed = SmallVec<[(usize, Slots, Slots); 4]>;

/// The curves of the pools one move changes (None where no size fits).
type PoolCurves = Vec<(usize, Option<Curve>)>;

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
