//! Model construction: the multiple-choice layout of channels and window counts, the
//! perspective tangent rows, the window cap, the staffing rows and the objective of
//! each stage.

use super::cuts::{Cut, CutTable, CUT_UNIT};
use super::evaluate::{window_cap, LOAD_TOL};
use super::flows::{load_range, option_flows, Flow};
use super::input::{ChannelOption, MilpError, MilpInput, PoolSpec};
use super::linear::{LinearModel, Row, Sense, VarDef, VarKind};

/// Weight of the tie-break terms (per window and per matter moved off option 0)
/// in the waiting objective. Small against any waiting difference that
/// matters (person-minutes per day), so it only decides between plans that
/// are equal for practical purposes.
pub(super) const TIE_BREAK: f64 = 1e-8;

/// Whether stage 1 carries n_p as integer variables of their own. Off: measured with
/// the cover cuts, microlp needed 16 444 nodes on a generated 60-window hall with them
/// and 863 without (38 216 against 1 145 on a 90-window one).
const COUNT_VARS: bool = false;

/// Which objective a build carries.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stage {
    /// Minimise Σ n_p.
    Windows,
    /// Minimise Σ t (+ tie-break) with an extra cap on Σ n_p.
    Waiting { cap: Option<u32> },
}

/// A 0/1 choice that is either a model variable or fixed to 1 (a matter with
/// a single option, a pool with a single admissible window count).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Pick {
    Var(usize),
    One,
}

/// An affine expression under construction.
#[derive(Debug, Clone, Default)]
pub(super) struct Lin {
    pub(super) terms: Vec<(usize, f64)>,
    pub(super) constant: f64,
}

impl Lin {
    pub(super) fn add(&mut self, pick: Pick, coef: f64) {
        if coef == 0.0 {
            return;
        }
        match pick {
            Pick::Var(var) => self.terms.push((var, coef)),
            Pick::One => self.constant += coef,
        }
    }

    pub(super) fn var(&mut self, var: usize, coef: f64) {
        self.add(Pick::Var(var), coef);
    }

    pub(super) fn extend(&mut self, other: &Lin, factor: f64) {
        for &(var, coef) in &other.terms {
            self.var(var, coef * factor);
        }
        self.constant += other.constant * factor;
    }
}

/// Where the decisions live in the model, for decoding a solution.
#[derive(Debug, Clone, Default)]
pub(super) struct Layout {
    /// Per matter, per option.
    pub(super) x: Vec<Vec<Pick>>,
    /// Per pool: admissible (c, pick).
    pub(super) y: Vec<Vec<(u32, Pick)>>,
    /// All waiting variables t.
    pub(super) t: Vec<usize>,
    /// Every disaggregated (pool, size, slot) cell.
    pub(super) cells: Vec<Cell>,
    pub(super) helpers: usize,
    pub(super) backoffice: usize,
    /// Per pool, its window count n_p = Σ_c c·y_{p,c} as an integer variable of its own
    /// (stage 1 only; empty otherwise, or `None` for a pool of one size).
    pub(super) n: Vec<Option<usize>>,
    /// Stage 1's capacity rows, for the cover cuts of [`super::covers`].
    pub(super) knapsacks: Vec<Knapsack>,
}

/// One capacity row of stage 1: L⁰ + Σ l·x ≤ Σ_c A_p(c)·y_{p,c} with exactly one y = 1,
/// every load l ≥ 0 and L⁰ ≥ 0 (the load the slot gets whatever the channels).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Knapsack {
    pub(super) base: f64,
    /// (choice variable x, its load l).
    pub(super) items: Vec<(usize, f64)>,
    /// (size variable y_{p,c}, A_p(c)).
    pub(super) sizes: Vec<(usize, f64)>,
}

/// The variables of one (pool, window count, slot) cell.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cell {
    pub(super) pool: usize,
    pub(super) size: u32,
    pub(super) slot: usize,
    /// Load carried with this window count, a_{p,c,h}.
    pub(super) a: usize,
    /// Waiting above the tangents, t_{p,c,h} (None when the curve is flat).
    pub(super) t: Option<usize>,
}

/// Model under construction.
#[derive(Debug, Default)]
pub(super) struct Builder {
    pub(super) model: LinearModel,
    pub(super) infeasible: bool,
}

impl Builder {
    pub(super) fn var(&mut self, name: String, kind: VarKind, lower: f64, upper: f64) -> usize {
        self.model.vars.push(VarDef {
            name,
            kind,
            lower,
            upper,
        });
        self.model.vars.len() - 1
    }

    /// Adds `lin sense rhs`, moving the constant to the right-hand side and
    /// merging repeated variables. A row left without variables is checked
    /// on the spot instead of being written.
    pub(super) fn row(&mut self, name: String, lin: Lin, sense: Sense, rhs: f64) {
        let rhs = rhs - lin.constant;
        let terms = merge_terms(lin.terms);
        if terms.is_empty() {
            let ok = match sense {
                Sense::Le => 0.0 <= rhs + LOAD_TOL,
                Sense::Ge => 0.0 >= rhs - LOAD_TOL,
                Sense::Eq => rhs.abs() <= LOAD_TOL,
            };
            self.infeasible |= !ok;
            return;
        }
        self.model.rows.push(Row {
            name,
            terms,
            sense,
            rhs,
        });
    }
}

pub(super) fn merge_terms(mut terms: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    terms.sort_by_key(|&(var, _)| var);
    let mut merged: Vec<(usize, f64)> = Vec::with_capacity(terms.len());
    for (var, coef) in terms {
        match merged.last_mut() {
            Some(last) if last.0 == var => last.1 += coef,
            _ => merged.push((var, coef)),
        }
    }
    merged.retain(|&(_, coef)| coef != 0.0);
    merged
}

/// Builds the model for `stage`. Returns `Infeasible` when cheap checks
/// already rule every plan out (e.g. a pool whose unavoidable load exceeds
/// every admissible window count).
pub(super) fn build(input: &MilpInput, stage: Stage) -> Result<Built, MilpError> {
    let flows = option_flows(input);
    let mut cap = window_cap(input);
    if let Stage::Waiting { cap: Some(extra) } = stage {
        cap = Some(cap.map_or(extra, |c| c.min(extra)));
    }
    let (lo, hi) = load_range(input, &flows);
    let mut sizes = admissible_sizes(input, &lo, &hi, cap).ok_or(MilpError::Infeasible)?;
    // Stage 1 only counts windows; without mean targets the waiting rows are dead weight.
    let needs_cuts = !matches!(stage, Stage::Windows)
        || input.pools.iter().any(|p| p.mean_target_min.is_finite());
    if !needs_cuts && fewer_windows_never_hurt_staff(input) {
        drop_unneeded_sizes(input, &hi, &mut sizes);
    }
    let table = if needs_cuts {
        CutTable::for_sizes(input, &hi, Some(&sizes))
    } else {
        CutTable::with_range(&without_cuts(input), &hi)
    };
    let mut b = Builder::default();
    b.model.comments = header_comments(input, stage);
    let mut layout = Layout {
        x: add_choice_vars(&mut b, input),
        ..Layout::default()
    };
    layout.y = add_size_vars(&mut b, input, &sizes);
    if !needs_cuts && COUNT_VARS {
        layout.n = add_count_vars(&mut b, input, &layout);
    }
    let mut knapsacks = Vec::new();
    for p in 0..input.pools.len() {
        let data = PoolData {
            flows: &flows,
            table: &table,
            hi: &hi,
            knapsack: !needs_cuts,
        };
        let cells = add_pool_rows(&mut b, input, data, &layout, p, &mut knapsacks);
        layout.t.extend(cells.iter().filter_map(|cell| cell.t));
        layout.cells.extend(cells);
    }
    layout.knapsacks = knapsacks;
    let windows = windows_expr(&layout);
    if let Some(cap) = cap {
        b.row(
            "window_cap".into(),
            windows.clone(),
            Sense::Le,
            f64::from(cap),
        );
    }
    (layout.helpers, layout.backoffice) = add_staff_rows(&mut b, input, &layout, &windows);
    set_objective(&mut b, &layout, &windows, stage);
    if b.infeasible {
        return Err(MilpError::Infeasible);
    }
    Ok(Built {
        model: b.model,
        layout,
        table,
    })
}

/// Whether a plan with fewer windows always keeps the staff rows a plan with more keeps
/// (for the same channels). Each window fewer releases `staff_per_window` staff and asks
/// at most ⌈helper_share·staff_per_window⌉ more helpers (whole people); so with hiring
/// allowed, or that many helpers fitting into the staff released, it holds for any
/// number of windows fewer (⌈x·d⌉ ≤ d·⌈x⌉). Back-office staff do not depend on windows.
pub(super) fn fewer_windows_never_hurt_staff(input: &MilpInput) -> bool {
    let more_helpers = (input.helper_share.max(0.0) * input.staff_per_window - 1e-9).ceil();
    input.allow_hiring || more_helpers <= input.staff_per_window + 1e-9
}

/// Stage 1 without mean targets (capacity rows only): a size above the smallest that
/// carries the most load the pool can get in every slot is never needed — the smaller
/// one keeps every capacity row, the staff rows (see [`fewer_windows_never_hurt_staff`])
/// and has fewer windows, so no fewest-window plan uses it. Dropping such sizes keeps
/// the optimum and narrows the LP relaxation's chord between a pool's smallest and
/// largest sizes (the pooling economies that make stage 1's bound weak).
pub(super) fn drop_unneeded_sizes(input: &MilpInput, hi: &[Vec<f64>], sizes: &mut [Vec<u32>]) {
    for (p, own) in sizes.iter_mut().enumerate() {
        let pool = &input.pools[p];
        let peak_hi = hi[p].iter().copied().fold(0.0, f64::max);
        if let Some(enough) = own
            .iter()
            .position(|&c| pool.peak_capacity[c as usize] + LOAD_TOL >= peak_hi)
        {
            own.truncate(enough + 1);
        }
    }
}

/// The input with no tangent points: a cut table of empty curves.
pub(super) fn without_cuts(input: &MilpInput) -> MilpInput {
    let mut i = input.clone();
    i.tangent_points = 0;
    i
}

/// A built model with what is needed to seed and decode it.
#[derive(Debug, Clone)]
pub(super) struct Built {
    pub(super) model: LinearModel,
    pub(super) layout: Layout,
    pub(super) table: CutTable,
}

pub(super) fn header_comments(input: &MilpInput, stage: Stage) -> Vec<String> {
    let mut lines = vec![
        // ASCII only (LP readers expect it): "section", not the section sign.
        "hallplan service-window MILP (docs/model.md section 4)".to_string(),
        format!(
            "{} pools, {} matters, {} slots, {} tangent points per curve",
            input.pools.len(),
            input.matters.len(),
            input.slots,
            input.tangent_points
        ),
    ];
    lines.push(match stage {
        Stage::Windows => "stage 1 of 2: minimise total windows; stage 2 adds window_cap <= \
                           optimum and minimises the sum of t_* variables"
            .to_string(),
        Stage::Waiting { .. } => format!(
            "minimise waiting person-minutes (sum of t_*) + {TIE_BREAK:e} tie-break on windows \
             and on matters leaving option 0"
        ),
    });
    lines
}

/// Window counts worth offering each pool: within the pool's bounds, able to
/// carry the load the pool gets whatever the channels (so obviously
/// infeasible sizes never enter the model), and within what the window cap
/// leaves after every other pool's smallest size. A pool that can never get
/// load keeps its smallest size: more windows could not reduce any waiting.
/// Returns None when some pool has no admissible size.
pub(super) fn admissible_sizes(
    input: &MilpInput,
    lo: &[Vec<f64>],
    hi: &[Vec<f64>],
    cap: Option<u32>,
) -> Option<Vec<Vec<u32>>> {
    let mut sizes: Vec<Vec<u32>> = Vec::with_capacity(input.pools.len());
    for (p, pool) in input.pools.iter().enumerate() {
        let peak_lo = lo[p].iter().copied().fold(0.0, f64::max);
        let mut own: Vec<u32> = (pool.min_windows..=pool.max_windows)
            .filter(|&c| pool.peak_capacity[c as usize] + LOAD_TOL >= peak_lo)
            .collect();
        if hi[p].iter().all(|&l| l <= 0.0) {
            own.truncate(1);
        }
        if own.is_empty() {
            return None;
        }
        sizes.push(own);
    }
    if let Some(cap) = cap {
        let smallest: u32 = sizes.iter().map(|s| s[0]).sum();
        if smallest > cap {
            return None;
        }
        for own in &mut sizes {
            let room = cap - (smallest - own[0]);
            own.retain(|&c| c <= room);
        }
    }
    Some(sizes)
}

pub(super) fn add_choice_vars(b: &mut Builder, input: &MilpInput) -> Vec<Vec<Pick>> {
    let mut x = Vec::with_capacity(input.matters.len());
    for (m, matter) in input.matters.iter().enumerate() {
        if matter.options.len() == 1 {
            x.push(vec![Pick::One]);
            continue;
        }
        let tag = name_tag(&matter.name);
        let mut picks = Vec::with_capacity(matter.options.len());
        let mut one = Lin::default();
        for (k, option) in matter.options.iter().enumerate() {
            let label = super::lp_format::sanitise(&option.label, 12);
            let var = b.var(
                format!("x_m{m}{tag}_k{k}_{label}"),
                VarKind::Binary,
                0.0,
                1.0,
            );
            one.var(var, 1.0);
            picks.push(Pick::Var(var));
        }
        b.row(format!("one_channel_m{m}"), one, Sense::Eq, 1.0);
        x.push(picks);
    }
    x
}

pub(super) fn add_size_vars(
    b: &mut Builder,
    input: &MilpInput,
    sizes: &[Vec<u32>],
) -> Vec<Vec<(u32, Pick)>> {
    let mut y = Vec::with_capacity(sizes.len());
    for (p, own) in sizes.iter().enumerate() {
        if own.len() == 1 {
            y.push(vec![(own[0], Pick::One)]);
            continue;
        }
        let tag = name_tag(&input.pools[p].name);
        let mut one = Lin::default();
        let mut picks = Vec::with_capacity(own.len());
        for &c in own {
            let var = b.var(format!("y_p{p}{tag}_c{c}"), VarKind::Binary, 0.0, 1.0);
            one.var(var, 1.0);
            picks.push((c, Pick::Var(var)));
        }
        b.row(format!("one_size_p{p}"), one, Sense::Eq, 1.0);
        y.push(picks);
    }
    y
}

/// Stage 1: n_p = Σ_c c·y_{p,c} as an integer variable of each pool with a choice of
/// sizes, which the objective and the window rows then count. The model is the same;
/// what changes is the branching: the solver can split on "n_p ≤ k or n_p ≥ k + 1" (a
/// whole window more or less in one pool, which moves the bound) where branching on one
/// y_{p,c} only shifts the relaxation to the neighbouring sizes (it barely moves).
pub(super) fn add_count_vars(
    b: &mut Builder,
    input: &MilpInput,
    layout: &Layout,
) -> Vec<Option<usize>> {
    layout
        .y
        .iter()
        .enumerate()
        .map(|(p, picks)| {
            if picks.len() < 2 {
                return None;
            }
            let lo = picks.iter().map(|&(c, _)| c).min().unwrap_or(0);
            let hi = picks.iter().map(|&(c, _)| c).max().unwrap_or(0);
            let tag = name_tag(&input.pools[p].name);
            let n = b.var(
                format!("n_p{p}{tag}"),
                VarKind::Integer,
                f64::from(lo),
                f64::from(hi),
            );
            let mut row = Lin::default();
            row.var(n, 1.0);
            for &(c, pick) in picks {
                row.add(pick, -f64::from(c));
            }
            b.row(format!("count_p{p}"), row, Sense::Eq, 0.0);
            Some(n)
        })
        .collect()
}

/// `_Name` for ASCII names, empty otherwise (the index already identifies it).
pub(super) fn name_tag(name: &str) -> String {
    let clean = super::lp_format::sanitise(name, 16);
    if clean.is_empty() {
        clean
    } else {
        format!("_{clean}")
    }
}

/// Σ_{m,k} x_{m,k}·value(m, k) over the options that send load to pool `p`.
pub(super) fn pool_expr(
    flows: &[Vec<Vec<Flow>>],
    layout: &Layout,
    p: usize,
    value: impl Fn(&Flow) -> f64,
) -> Lin {
    let mut lin = Lin::default();
    for (options, picks) in flows.iter().zip(&layout.x) {
        for (option, &pick) in options.iter().zip(picks) {
            for flow in option.iter().filter(|f| f.pool == p) {
                lin.add(pick, value(flow));
            }
        }
    }
    lin
}

/// What the pool rows are built from.
#[derive(Debug, Clone, Copy)]
pub(super) struct PoolData<'a> {
    pub(super) flows: &'a [Vec<Vec<Flow>>],
    pub(super) table: &'a CutTable,
    /// Largest reachable load per pool and slot.
    pub(super) hi: &'a [Vec<f64>],
    /// No waiting rows are needed: one capacity row per slot replaces the
    /// disaggregated loads (fewer rows, and no degenerate equality rows).
    pub(super) knapsack: bool,
}

/// Disaggregated load, peak and tangent rows of pool `p`, and its mean-wait
/// row. Returns the pool's cells.
pub(super) fn add_pool_rows(
    b: &mut Builder,
    input: &MilpInput,
    data: PoolData<'_>,
    layout: &Layout,
    p: usize,
    knapsacks: &mut Vec<Knapsack>,
) -> Vec<Cell> {
    let PoolData {
        flows,
        table,
        hi,
        knapsack,
    } = data;
    let pool = &input.pools[p];
    if knapsack && !pool.mean_target_min.is_finite() {
        knapsacks.extend(add_capacity_rows(b, flows, layout, pool, p, hi[p].len()));
        return Vec::new();
    }
    let mut cells = Vec::new();
    let mut arrivals = Lin::default();
    for (h, &reachable) in hi[p].iter().enumerate() {
        let load = pool_expr(flows, layout, p, |f| f.load[h]);
        if load.terms.is_empty() && load.constant <= 0.0 {
            continue; // the pool never gets load in this slot
        }
        arrivals.extend(&pool_expr(flows, layout, p, |f| f.arrivals[h]), 1.0);
        let mut split = Lin::default();
        split.extend(&load, -1.0);
        for &(c, pick) in &layout.y[p] {
            let capacity = pool.peak_capacity[c as usize];
            if capacity <= 0.0 {
                continue;
            }
            let a = add_disaggregated_load(b, (p, c, h), pick, capacity, reachable);
            split.var(a, 1.0);
            let cuts = &table.cuts[p][c as usize][h];
            let t = add_tangent_rows(b, (p, c, h), a, pick, cuts);
            cells.push(Cell {
                pool: p,
                size: c,
                slot: h,
                a,
                t,
            });
        }
        b.row(format!("split_p{p}_h{h}"), split, Sense::Eq, 0.0);
    }
    if pool.mean_target_min.is_finite() && cells.iter().any(|cell| cell.t.is_some()) {
        let mut mean = Lin::default();
        cells
            .iter()
            .filter_map(|cell| cell.t)
            .for_each(|t| mean.var(t, 1.0));
        mean.extend(&arrivals, -pool.mean_target_min / CUT_UNIT);
        b.row(format!("mean_target_p{p}"), mean, Sense::Le, 0.0);
    }
    cells
}

/// load_{p,h}(x) ≤ Σ_c A_p(c)·y_{p,c}: the capacity of the chosen size. Returns the rows
/// that are knapsacks over a choice of sizes (for the cover cuts).
pub(super) fn add_capacity_rows(
    b: &mut Builder,
    flows: &[Vec<Vec<Flow>>],
    layout: &Layout,
    pool: &PoolSpec,
    p: usize,
    slots: usize,
) -> Vec<Knapsack> {
    let mut knapsacks = Vec::new();
    for h in 0..slots {
        let mut row = pool_expr(flows, layout, p, |f| f.load[h]);
        if row.terms.is_empty() && row.constant <= 0.0 {
            continue;
        }
        let items = merge_terms(row.terms.clone());
        let sizes: Vec<(usize, f64)> = layout.y[p]
            .iter()
            .filter_map(|&(c, pick)| match pick {
                Pick::Var(y) => Some((y, pool.peak_capacity[c as usize])),
                Pick::One => None,
            })
            .collect();
        if sizes.len() >= 2 && row.constant >= 0.0 && items.iter().all(|&(_, l)| l >= 0.0) {
            knapsacks.push(Knapsack {
                base: row.constant,
                items,
                sizes,
            });
        }
        for &(c, pick) in &layout.y[p] {
            let capacity = pool.peak_capacity[c as usize];
            match pick {
                Pick::Var(y) => row.var(y, -capacity),
                Pick::One => row.constant -= capacity,
            }
        }
        b.row(format!("capacity_p{p}_h{h}"), row, Sense::Le, 0.0);
    }
    knapsacks
}

/// a_{p,c,h} ∈ [0, min(A_p(c), largest reachable load)] and, when the size
/// is a decision, a ≤ that bound·y.
pub(super) fn add_disaggregated_load(
    b: &mut Builder,
    (p, c, h): (usize, u32, usize),
    pick: Pick,
    capacity: f64,
    reachable: f64,
) -> usize {
    let upper = capacity.min(reachable);
    let a = b.var(format!("a_p{p}_c{c}_h{h}"), VarKind::Continuous, 0.0, upper);
    if let Pick::Var(y) = pick {
        let mut peak = Lin::default();
        peak.var(a, 1.0);
        peak.var(y, -upper);
        b.row(format!("peak_p{p}_c{c}_h{h}"), peak, Sense::Le, 0.0);
    }
    a
}

/// t_{p,c,h} ≥ 0 above the perspective tangents
/// t ≥ φ'(â)·a + (φ(â) − φ'(â)·â)·y (Ceria & Soares; Günlük & Linderoth).
pub(super) fn add_tangent_rows(
    b: &mut Builder,
    (p, c, h): (usize, u32, usize),
    a: usize,
    pick: Pick,
    cuts: &[Cut],
) -> Option<usize> {
    if cuts.is_empty() {
        return None;
    }
    let t = b.var(
        format!("t_p{p}_c{c}_h{h}"),
        VarKind::Continuous,
        0.0,
        f64::INFINITY,
    );
    for (i, cut) in cuts.iter().enumerate() {
        let mut row = Lin::default();
        row.var(t, 1.0);
        row.var(a, -cut.slope / CUT_UNIT);
        row.add(pick, -cut.intercept / CUT_UNIT);
        b.row(format!("tangent_p{p}_c{c}_h{h}_{i}"), row, Sense::Ge, 0.0);
    }
    Some(t)
}

/// Σ_p n_p = Σ_p Σ_c c·y_{p,c} (with the count variables where the model has them).
pub(super) fn windows_expr(layout: &Layout) -> Lin {
    let mut lin = Lin::default();
    for (p, picks) in layout.y.iter().enumerate() {
        if let Some(&Some(n)) = layout.n.get(p) {
            lin.var(n, 1.0);
            continue;
        }
        for &(c, pick) in picks {
            lin.add(pick, f64::from(c));
        }
    }
    lin
}

/// Σ_{m,k} x_{m,k}·value(option) over all matters.
pub(super) fn choice_expr(
    input: &MilpInput,
    layout: &Layout,
    value: impl Fn(&ChannelOption) -> f64,
) -> Lin {
    let mut lin = Lin::default();
    for (matter, picks) in input.matters.iter().zip(&layout.x) {
        for (option, &pick) in matter.options.iter().zip(picks) {
            lin.add(pick, value(option));
        }
    }
    lin
}

/// Helpers H and back-office staff B with their rows; returns (H, B).
pub(super) fn add_staff_rows(
    b: &mut Builder,
    input: &MilpInput,
    layout: &Layout,
    windows: &Lin,
) -> (usize, usize) {
    let helpers = b.var("H_helpers".into(), VarKind::Integer, 0.0, f64::INFINITY);
    let backoffice = b.var("B_backoffice".into(), VarKind::Integer, 0.0, f64::INFINITY);
    // released R = staff_today − spw·Σn, so H ≥ share·R reads H + share·spw·Σn ≥ share·staff.
    let mut share = Lin::default();
    share.var(helpers, 1.0);
    share.extend(windows, input.helper_share * input.staff_per_window);
    b.row(
        "helper_share".into(),
        share,
        Sense::Ge,
        input.helper_share * input.staff_today,
    );
    for h in 0..input.slots {
        let users = choice_expr(input, layout, |o| {
            o.self_service_users_per_hour.get(h).copied().unwrap_or(0.0)
        });
        if users.terms.is_empty() && users.constant <= 0.0 {
            continue;
        }
        let mut row = Lin::default();
        row.var(helpers, 1.0);
        row.extend(&users, -1.0 / input.helper_users_per_hour);
        b.row(format!("helper_peak_h{h}"), row, Sense::Ge, 0.0);
    }
    let mut work = Lin::default();
    work.var(backoffice, input.backoffice_min_per_staff_week);
    work.extend(
        &choice_expr(input, layout, |o| o.backoffice_work_min_week),
        -1.0,
    );
    b.row("backoffice_work".into(), work, Sense::Ge, 0.0);
    if !input.allow_hiring {
        let mut released = Lin::default();
        released.var(helpers, 1.0);
        released.var(backoffice, 1.0);
        released.extend(windows, input.staff_per_window);
        b.row(
            "staff_released".into(),
            released,
            Sense::Le,
            input.staff_today - input.staff_reserve,
        );
    }
    (helpers, backoffice)
}

pub(super) fn set_objective(b: &mut Builder, layout: &Layout, windows: &Lin, stage: Stage) {
    let mut objective = Lin::default();
    match stage {
        Stage::Windows => objective.extend(windows, 1.0),
        Stage::Waiting { .. } => {
            layout.t.iter().for_each(|&t| objective.var(t, 1.0));
            objective.extend(windows, TIE_BREAK);
            for picks in &layout.x {
                picks
                    .iter()
                    .skip(1)
                    .for_each(|&x| objective.add(x, TIE_BREAK));
            }
        }
    }
    b.model.objective = merge_terms(objective.terms);
    b.model.objective_constant = objective.constant;
}
