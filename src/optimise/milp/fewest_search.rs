//! Stage 1's primal heuristic: a plan with as few windows as a local search finds, to
//! hand microlp as its incumbent.
//!
//! Why it matters: with an incumbent of N windows microlp may prune every node whose
//! bound exceeds N − 1 (the objective is whole), so the proof of the fewest windows takes
//! a handful of nodes when the start is already optimal and thousands when it is a few
//! windows off (measured on generated 50–100-window halls with the general channel:
//! from the optimum 0–200 nodes, from a start 5 windows off 8 000–176 000).
//!
//! The search compares plans by (windows, fractional windows): the second term is each
//! pool's load expressed in windows by interpolating its capacity curve A_p(c) between
//! whole sizes. Counting whole windows alone leaves the search blind — moving one matter
//! rarely frees a whole window, so single moves that would lead there are never taken —
//! while fractional windows fall whenever load moves to where a window carries more of
//! it (a large pool's economies of scale), which is the way to fewer whole windows.
//! Two kinds of step: single-matter channel moves, and "drop a window": empty one pool
//! down to its next smaller size by moving the matters whose load is cheapest to place
//! elsewhere, then keep the result if the plan improved. Every kept plan meets every row
//! of the model (checked on the full start vector).

use super::build::Built;
use super::evaluate::{staff_need, whole_people, window_cap, LOAD_TOL};
use super::flows::{option_flows, Flow};
use super::input::MilpInput;
use super::start::{argmax, pick_value, smallest_size, start_from};

/// Passes of single-matter moves per round, and rounds of (moves, drops).
const PASSES: usize = 8;
const ROUNDS: usize = 8;

/// Stage 1's heuristic plan as a full start vector of `built`: the better of the searches
/// from the relaxation's channels (`relaxed`) and from today's channels. None when
/// neither start gives a plan that meets every row.
pub(super) fn fewest_windows_search(
    input: &MilpInput,
    built: &Built,
    relaxed: &[f64],
) -> Option<Vec<f64>> {
    let options = option_flows(input);
    let from_relaxation: Vec<usize> = built
        .layout
        .x
        .iter()
        .map(|picks| argmax(picks.iter().map(|&pick| pick_value(pick, relaxed))))
        .collect();
    let today = vec![0; input.matters.len()];
    let mut best: Option<(u32, std::rc::Rc<Vec<f64>>)> = None;
    for start in [from_relaxation, today] {
        let Some(mut search) = Search::new(input, built, &options, start) else {
            continue;
        };
        search.improve();
        // None: the staff rows were never met.
        if let Some((windows, values)) = search.kept {
            if best.as_ref().is_none_or(|(fewest, _)| windows < *fewest) {
                best = Some((windows, values));
            }
        }
    }
    best.map(|(_, values)| values.to_vec())
}

/// (staff over the limits, windows, fractional windows): lexicographic, with a tolerance
/// on the last.
fn better(a: (u32, u32, f64), b: (u32, u32, f64)) -> bool {
    (a.0, a.1) < (b.0, b.1) || ((a.0, a.1) == (b.0, b.1) && a.2 + 1e-9 < b.2)
}

/// What the search compares plans by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Mode {
    /// Windows, ignoring the staff and window-cap rows: the way through plans that need
    /// helpers or back-office staff before the windows that release them are gone (from
    /// today's hall every first move online or to the back office needs a helper that
    /// only a window fewer pays for).
    Windows,
    /// Back within the staff limits: whole people over, then fractional windows plus
    /// fractional people over (weighted by [`REPAIR_WEIGHT`]), so that a move that takes a
    /// fraction of a helper off counts before the whole person it adds up to.
    Repair,
    /// Within the staff limits, windows first.
    Rows,
}

/// Fractional windows a fractional person over the staff limit weighs in [`Mode::Repair`].
const REPAIR_WEIGHT: f64 = 10.0;

/// Pool `p`'s load in windows: the largest over slots of the size at which A_p carries
/// that slot's load, interpolated linearly between whole sizes (past the largest size,
/// one window per Erlang).
pub(super) fn fractional_windows(input: &MilpInput, p: usize, load: &[f64]) -> f64 {
    let capacity = &input.pools[p].peak_capacity;
    load.iter()
        .map(|&l| {
            if l <= 0.0 {
                return 0.0;
            }
            match capacity.iter().position(|&a| a + LOAD_TOL >= l) {
                Some(0) => 0.0,
                Some(c) => {
                    let (lo, hi) = (capacity[c - 1], capacity[c]);
                    (c - 1) as f64 + ((l - lo) / (hi - lo).max(1e-12)).clamp(0.0, 1.0)
                }
                None => {
                    let last = capacity.len().saturating_sub(1);
                    last as f64 + (l - capacity[last]).max(0.0)
                }
            }
        })
        .fold(0.0, f64::max)
}

/// One plan under search: channels, the loads they put on each pool, each pool's
/// smallest fitting size and fractional windows, and the full start vector (kept only
/// for plans that meet every row).
#[derive(Clone)]
pub(super) struct Search<'a> {
    pub(super) input: &'a MilpInput,
    pub(super) built: &'a Built,
    pub(super) options: &'a [Vec<Vec<Flow>>],
    pub(super) choice: Vec<usize>,
    pub(super) load: Vec<Vec<f64>>,
    pub(super) arrivals: Vec<Vec<f64>>,
    pub(super) sizes: Vec<u32>,
    pub(super) needs: Vec<f64>,
    /// Self-service users per slot and back-office minutes per week of the channels.
    pub(super) self_service: Vec<f64>,
    pub(super) backoffice_work: f64,
    pub(super) mode: Mode,
    /// The fewest-window plan met so far that meets every row: its windows and full start
    /// vector (shared by the clones the search tries).
    pub(super) kept: Option<(u32, std::rc::Rc<Vec<f64>>)>,
}

impl<'a> Search<'a> {
    pub(super) fn new(
        input: &'a MilpInput,
        built: &'a Built,
        options: &'a [Vec<Vec<Flow>>],
        choice: Vec<usize>,
    ) -> Option<Self> {
        let pools = input.pools.len();
        let mut search = Search {
            input,
            built,
            options,
            choice: choice.clone(),
            load: vec![vec![0.0; input.slots]; pools],
            arrivals: vec![vec![0.0; input.slots]; pools],
            sizes: vec![0; pools],
            needs: vec![0.0; pools],
            self_service: vec![0.0; input.slots],
            backoffice_work: 0.0,
            mode: Mode::Windows,
            kept: None,
        };
        for (m, &k) in choice.iter().enumerate() {
            search.shift(m, k, 1.0);
        }
        for p in 0..pools {
            search.sizes[p] = search.smallest(p)?;
            search.needs[p] = fractional_windows(input, p, &search.load[p]);
        }
        if let Some(values) = search.full_start() {
            search.kept = Some((search.windows(), std::rc::Rc::new(values)));
        }
        Some(search)
    }

    pub(super) fn windows(&self) -> u32 {
        self.sizes.iter().sum()
    }

    /// (whole, fractional) people over the staff limit (no hiring) plus windows over the
    /// window cap; the fractional count takes helpers and back-office staff before
    /// rounding up.
    pub(super) fn over(&self) -> (u32, f64) {
        let windows = self.windows();
        let over_cap = window_cap(self.input).map_or(0, |cap| windows.saturating_sub(cap));
        if self.input.allow_hiring {
            return (over_cap, f64::from(over_cap));
        }
        let (helpers, backoffice) = staff_need(
            self.input,
            windows,
            &self.self_service,
            self.backoffice_work,
        );
        let at_windows = self.input.staff_per_window * f64::from(windows);
        let whole = at_windows + f64::from(whole_people(helpers) + whole_people(backoffice));
        let frac = at_windows + helpers + backoffice;
        let limit = self.input.staff_today - self.input.staff_reserve;
        (
            over_cap + whole_people(whole - limit),
            f64::from(over_cap) + (frac - limit).max(0.0),
        )
    }

    fn key(&self) -> (u32, u32, f64) {
        let need: f64 = self.needs.iter().sum();
        match self.mode {
            Mode::Windows => (0, self.windows(), need),
            Mode::Repair => {
                let (whole, frac) = self.over();
                (whole, 0, need + REPAIR_WEIGHT * frac)
            }
            Mode::Rows => (self.over().0, self.windows(), need),
        }
    }

    /// Adds (`sign` 1) or removes (−1) option `k` of matter `m` from the flows.
    fn shift(&mut self, m: usize, k: usize, sign: f64) {
        for flow in &self.options[m][k] {
            for h in 0..self.input.slots {
                self.load[flow.pool][h] += sign * flow.load[h];
                self.arrivals[flow.pool][h] += sign * flow.arrivals[h];
            }
        }
        let option = &self.input.matters[m].options[k];
        for (h, &users) in option.self_service_users_per_hour.iter().enumerate() {
            self.self_service[h] += sign * users;
        }
        self.backoffice_work += sign * option.backoffice_work_min_week;
    }

    fn smallest(&self, p: usize) -> Option<u32> {
        smallest_size(self.input, self.built, p, &self.load[p], &self.arrivals[p])
    }

    /// Moves matter `m` to option `k` and refreshes the pools it touches; false (and the
    /// sizes left stale) when some touched pool fits no size.
    pub(super) fn set(&mut self, m: usize, k: usize) -> bool {
        let was = self.choice[m];
        self.shift(m, was, -1.0);
        self.shift(m, k, 1.0);
        self.choice[m] = k;
        let touched: Vec<usize> = self.options[m][was]
            .iter()
            .chain(&self.options[m][k])
            .map(|f| f.pool)
            .collect();
        for p in touched {
            let Some(size) = self.smallest(p) else {
                return false;
            };
            self.sizes[p] = size;
            self.needs[p] = fractional_windows(self.input, p, &self.load[p]);
        }
        true
    }

    /// The full start vector of the current plan when it meets every row of the model.
    pub(super) fn full_start(&self) -> Option<Vec<f64>> {
        let values = start_from(self.input, self.built, &self.choice, &self.sizes)?;
        self.built
            .model
            .is_feasible(&values, 1e-6)
            .then_some(values)
    }

    /// Keeps `trial` in place of `self` when it is better. A plan within the staff limits
    /// must also meet every row of the model, and becomes the best met when it has fewer
    /// windows than the last one that did.
    fn adopt(&mut self, mut trial: Search<'a>) -> bool {
        if !better(trial.key(), self.key()) {
            return false;
        }
        if trial.over().0 == 0 {
            match trial.full_start() {
                Some(values) => {
                    let windows = trial.windows();
                    if trial.kept.as_ref().is_none_or(|(kept, _)| windows < *kept) {
                        trial.kept = Some((windows, std::rc::Rc::new(values)));
                    }
                }
                None if trial.mode != Mode::Windows => return false,
                None => {}
            }
        }
        *self = trial;
        true
    }

    /// Fewest windows ignoring the staff rows, back within them, then fewest windows
    /// within them.
    fn improve(&mut self) {
        for mode in [Mode::Windows, Mode::Repair, Mode::Rows] {
            self.mode = mode;
            for _ in 0..ROUNDS {
                self.moves();
                if !self.drops() {
                    break;
                }
            }
        }
    }

    /// Single-matter channel moves while one improves the plan.
    fn moves(&mut self) {
        for _ in 0..PASSES {
            let mut improved = false;
            for m in 0..self.choice.len() {
                for k in 0..self.options[m].len() {
                    if k == self.choice[m] {
                        continue;
                    }
                    let mut trial = self.clone();
                    if trial.set(m, k) && self.adopt(trial) {
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// For each pool, one attempt to bring it to its next smaller size; true when some
    /// attempt improved the plan.
    fn drops(&mut self) -> bool {
        let mut improved = false;
        for p in 0..self.input.pools.len() {
            let smaller = self.built.layout.y[p]
                .iter()
                .map(|&(c, _)| c)
                .filter(|&c| c < self.sizes[p])
                .max();
            if let Some(target) = smaller {
                if let Some(trial) = self.drop_to(p, target) {
                    improved |= self.adopt(trial);
                }
            }
        }
        improved
    }

    /// Pool `p` brought to `target` windows: matters leave it, cheapest first (the rise
    /// in the other pools' fractional windows per Erlang taken off `p`), until it fits.
    fn drop_to(&self, p: usize, target: u32) -> Option<Search<'a>> {
        let own = |flows: &[Flow]| -> f64 {
            flows
                .iter()
                .filter(|f| f.pool == p)
                .map(|f| f.load.iter().sum::<f64>())
                .sum()
        };
        let mut moves: Vec<(f64, usize, usize)> = Vec::new();
        for (m, &now) in self.choice.iter().enumerate() {
            let here = own(&self.options[m][now]);
            if here <= 0.0 {
                continue;
            }
            let mut best: Option<(f64, usize)> = None;
            for k in 0..self.options[m].len() {
                let relief = here - own(&self.options[m][k]);
                if k == now || relief <= 0.0 {
                    continue;
                }
                let mut trial = self.clone();
                if !trial.set(m, k) {
                    continue;
                }
                let elsewhere: f64 = (0..self.needs.len())
                    .filter(|&q| q != p)
                    .map(|q| trial.needs[q] - self.needs[q])
                    .sum();
                let cost = elsewhere / relief;
                if best.is_none_or(|(c, _)| cost < c) {
                    best = Some((cost, k));
                }
            }
            if let Some((cost, k)) = best {
                moves.push((cost, m, k));
            }
        }
        moves.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut trial = self.clone();
        for (_, m, k) in moves {
            if !trial.set(m, k) {
                return None;
            }
            if trial.sizes[p] <= target {
                return Some(trial);
            }
        }
        None
    }
}
