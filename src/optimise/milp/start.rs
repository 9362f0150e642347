//! From solver values to a plan and back: decoding choices and window counts, and the
//! start vectors that give branch and bound an incumbent.

use std::collections::HashMap;

use super::build::{Built, Layout, Pick};
use super::cuts::{tangent_bound, CUT_UNIT};
use super::evaluate::{exact_waiting, minimal_staff, LOAD_TOL};
use super::flows::{plan_flows, PlanFlows};
use super::input::{MilpError, MilpInput, MilpSolution};
use super::linear::LinearModel;

pub(super) fn pick_value(pick: Pick, values: &[f64]) -> f64 {
    match pick {
        Pick::Var(var) => values[var],
        Pick::One => 1.0,
    }
}

/// Index of the largest value; the first one wins ties (deterministic).
pub(super) fn argmax(values: impl Iterator<Item = f64>) -> usize {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

pub(super) fn decode_windows(layout: &Layout, values: &[f64]) -> Vec<u32> {
    layout
        .y
        .iter()
        .map(|picks| {
            let best = argmax(picks.iter().map(|&(_, pick)| pick_value(pick, values)));
            picks.get(best).map_or(0, |&(c, _)| c)
        })
        .collect()
}

pub(super) fn decode_choice(layout: &Layout, values: &[f64]) -> Vec<usize> {
    layout
        .x
        .iter()
        .map(|picks| argmax(picks.iter().map(|&pick| pick_value(pick, values))))
        .collect()
}

/// Start vector for the stage-2 model from the stage-1 solution, matched by
/// variable name: stage 2 has the same variables as stage 1 less the window
/// counts its tighter cap prunes, and the stage-1 optimum is feasible for it.
/// A complete start for stage 2: stage 1's choices and sizes, with every load and
/// waiting variable set consistently (a start that breaks rows trips microlp).
pub(super) fn complete_start(
    input: &MilpInput,
    second: &Built,
    first: &Built,
    values: &[f64],
) -> Option<Vec<f64>> {
    let windows = decode_windows(&first.layout, values);
    let choice = decode_choice(&first.layout, values);
    let flows = plan_flows(input, &choice);
    let mut out = transfer_start(&first.model, values, &second.model);
    for cell in second
        .layout
        .cells
        .iter()
        .filter(|cell| windows[cell.pool] == cell.size)
    {
        let load = flows.load[cell.pool][cell.slot];
        *out.get_mut(cell.a)? = load;
        if let Some(t) = cell.t {
            *out.get_mut(t)? = tangent_bound(
                &second.table.cuts[cell.pool][cell.size as usize][cell.slot],
                load,
            ) / CUT_UNIT;
        }
    }
    Some(out)
}

pub(super) fn transfer_start(from: &LinearModel, values: &[f64], to: &LinearModel) -> Vec<f64> {
    let by_name: HashMap<&str, f64> = from
        .vars
        .iter()
        .zip(values)
        .map(|(var, &value)| (var.name.as_str(), value))
        .collect();
    to.vars
        .iter()
        .map(|var| by_name.get(var.name.as_str()).copied().unwrap_or(0.0))
        .collect()
}

pub(super) fn finish(
    input: &MilpInput,
    built: &Built,
    values: &[f64],
) -> Result<MilpSolution, MilpError> {
    if values.len() != built.model.vars.len() {
        return Err(MilpError::Solver(
            "solver returned the wrong number of values".into(),
        ));
    }
    let windows = decode_windows(&built.layout, values);
    let choice = decode_choice(&built.layout, values);
    let flows = plan_flows(input, &choice);
    let (helpers, backoffice_staff) = minimal_staff(input, windows.iter().sum(), &flows);
    // At an optimum every t sits on its tangent envelope, so Σ t equals the
    // envelope evaluated at the decoded plan; evaluating it directly also
    // keeps the figure exact when a time limit stopped the search with some
    // t still above its envelope.
    let model_waiting = (0..input.pools.len())
        .map(|p| built.table.pool_bound(p, windows[p], &flows.load[p]))
        .sum();
    Ok(MilpSolution {
        waiting_person_min_per_day: exact_waiting(input, &windows, &flows),
        windows,
        choice,
        helpers,
        backoffice_staff,
        model_waiting,
        variables: built.model.vars.len(),
        constraints: built.model.rows.len(),
    })
}

/// A start solution for the solver: every matter on today's channel and
/// each pool at its smallest admissible size meeting the peak and mean
/// targets. It gives branch and bound an incumbent from the first node,
/// which matters for microlp on large halls. None when that plan does not
/// exist; the solver also ignores it if it breaks the cap or staffing rows.
pub(super) fn heuristic_start(input: &MilpInput, built: &Built) -> Option<Vec<f64>> {
    let choice = vec![0; input.matters.len()];
    let flows = plan_flows(input, &choice);
    let sizes = (0..input.pools.len())
        .map(|p| smallest_fitting(input, built, &flows, p))
        .collect::<Option<Vec<u32>>>()?;
    start_from(input, built, &choice, &sizes)
}

/// The smallest admissible size of pool `p` that carries its load within its targets.
pub(super) fn smallest_fitting(
    input: &MilpInput,
    built: &Built,
    flows: &PlanFlows,
    p: usize,
) -> Option<u32> {
    smallest_size(input, built, p, &flows.load[p], &flows.arrivals[p])
}

/// The smallest admissible size of pool `p` that carries these loads within its targets.
pub(super) fn smallest_size(
    input: &MilpInput,
    built: &Built,
    p: usize,
    load: &[f64],
    arrivals: &[f64],
) -> Option<u32> {
    built.layout.y[p]
        .iter()
        .map(|&(c, _)| c)
        .find(|&c| fits_at(input, built, p, load, arrivals, c))
}

/// Whether `c` windows carry pool `p`'s loads within its peak and mean targets.
pub(super) fn fits_at(
    input: &MilpInput,
    built: &Built,
    p: usize,
    load: &[f64],
    arrivals: &[f64],
    c: u32,
) -> bool {
    let pool = &input.pools[p];
    let peak_ok = load
        .iter()
        .all(|&l| l <= pool.peak_capacity[c as usize] + LOAD_TOL);
    // The tangent bound only when there is a mean target to hold it to: the local search
    // asks this for every size of every pool a move touches.
    peak_ok
        && (!pool.mean_target_min.is_finite() || {
            let arrivals: f64 = arrivals.iter().sum();
            built.table.pool_bound(p, c, load) <= pool.mean_target_min * arrivals
        })
}

/// A full start vector for `built` from a channel choice and pool sizes.
pub(super) fn start_from(
    input: &MilpInput,
    built: &Built,
    choice: &[usize],
    sizes: &[u32],
) -> Option<Vec<f64>> {
    let layout = &built.layout;
    let flows = plan_flows(input, choice);
    let mut values = vec![0.0; built.model.vars.len()];
    for (p, &size) in sizes.iter().enumerate() {
        let &(_, pick) = layout.y[p].iter().find(|&&(c, _)| c == size)?;
        set_pick(&mut values, pick);
        if let Some(&Some(n)) = layout.n.get(p) {
            values[n] = f64::from(size);
        }
    }
    for (picks, &k) in layout.x.iter().zip(choice) {
        set_pick(&mut values, *picks.get(k)?);
    }
    for cell in layout
        .cells
        .iter()
        .filter(|cell| sizes[cell.pool] == cell.size)
    {
        let load = flows.load[cell.pool][cell.slot];
        values[cell.a] = load;
        if let Some(t) = cell.t {
            values[t] = tangent_bound(
                &built.table.cuts[cell.pool][cell.size as usize][cell.slot],
                load,
            ) / CUT_UNIT;
        }
    }
    let (helpers, backoffice) = minimal_staff(input, sizes.iter().sum(), &flows);
    values[layout.helpers] = f64::from(helpers);
    values[layout.backoffice] = f64::from(backoffice);
    Some(values)
}

pub(super) fn set_pick(values: &mut [f64], pick: Pick) {
    if let Pick::Var(var) = pick {
        values[var] = 1.0;
    }
}

/// Stage 1's first primal heuristic: each matter on the channel the relaxation `relaxed` gives
/// it most of, each pool at its smallest fitting size, then single-matter channel moves
/// while one lowers (windows, total load) — fewer windows first, and at equal windows
/// less load, which is what lets a pool drop a window later. Only plans that meet every
/// row of the model are kept. None when no such plan is found.
pub(super) fn single_moves_search(
    input: &MilpInput,
    built: &Built,
    relaxed: &[f64],
) -> Option<Vec<f64>> {
    const PASSES: usize = 8;
    let layout = &built.layout;
    let eval = |choice: &[usize]| -> Option<(u32, f64, Vec<f64>)> {
        let flows = plan_flows(input, choice);
        let sizes = (0..input.pools.len())
            .map(|p| smallest_fitting(input, built, &flows, p))
            .collect::<Option<Vec<u32>>>()?;
        let values = start_from(input, built, choice, &sizes)?;
        if !built.model.is_feasible(&values, 1e-6) {
            return None;
        }
        let load: f64 = flows.load.iter().flatten().sum();
        Some((sizes.iter().sum(), load, values))
    };
    let mut choice: Vec<usize> = layout
        .x
        .iter()
        .map(|picks| argmax(picks.iter().map(|&pick| pick_value(pick, relaxed))))
        .collect();
    let mut best = eval(&choice).or_else(|| {
        choice = vec![0; input.matters.len()];
        eval(&choice)
    })?;
    for _ in 0..PASSES {
        let mut improved = false;
        for m in 0..choice.len() {
            for k in 0..layout.x[m].len() {
                let was = choice[m];
                if k == was {
                    continue;
                }
                choice[m] = k;
                match eval(&choice) {
                    Some(next) if (next.0, next.1 + 1e-9) < (best.0, best.1) => {
                        best = next;
                        improved = true;
                    }
                    _ => choice[m] = was,
                }
            }
        }
        if !improved {
            break;
        }
    }
    Some(best.2)
}
