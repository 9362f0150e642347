//! Slot waits when the window count changes later in the session: the backward sweep of
//! a customer's remaining wait by queue position, and the correction it gives each
//! slot's mean wait (see *Approximations* in the parent module).

use super::mixture::Mixture;
use super::uniformise::{after_leaving, poisson_window, Seg, SegOut, SlotDist};

/// Backward quantities of one slot (positions j = 0..=jmax, 0 = gone).
pub(super) struct Backward {
    /// R at the slot's start.
    pub(super) start: Vec<f64>,
    /// R at the slot's end, before the next slot's window change: the next slot's start,
    /// or, when windows leave there, that vector seen through the leaving (see
    /// `at_leaving`). Empty for a slot of zero length.
    pub(super) end: Vec<f64>,
    /// Φ_i = ∫₀ᵀ (τ/T)^i·e^{Gτ}δ dτ, i = 0, 1, 2, with δ = R_{h+1} − R_c (c > 0 only).
    phi: [Vec<f64>; 3],
}

/// Expected remaining wait R(j) of a customer at queue position j (1 = first in line,
/// positions ≤ c in service) at the start of each slot, and at closing (returned second),
/// with the moments Φ of the correction each slot needs (see `varying_slot_waits`).
///
/// Under FCFS nobody behind a customer affects him: his position only falls, by one at rate μ·min(j − 1, c) (someone ahead finishes),
/// he leaves at rate μ if j ≤ c, and he waits while j > c — a chain with generator G. At
/// closing R(j) = (j − c)⁺/(cμ) (the drain). Where windows leave between slots, the end
/// of the earlier slot sees the next start through `at_leaving` (exhaustive service). Within a slot with c > 0 windows,
/// R(·, t) = R_c + e^{G(t_e − t)}δ, where R_c = (j − c)⁺/(cμ) solves the slot's equation
/// (constant windows forever) and δ = R_{h+1} − R_c carries the later window changes back;
/// e^{Gτ}δ is summed by uniformisation at rate cμ (P'·y is a shift down above c). With no
/// window, R(·, t) = (t_e − t) + R_{h+1}.
pub(super) fn remaining_waits(
    segs: &[Seg],
    mu: f64,
    drain_c: u32,
    jmax: usize,
    weights: &mut Vec<f64>,
    tails: &mut Vec<f64>,
) -> (Vec<Backward>, Vec<f64>) {
    let cd = f64::from(drain_c);
    let closing: Vec<f64> = (0..=jmax)
        .map(|j| (j as f64 - cd).max(0.0) / (cd * mu))
        .collect();
    let mut out: Vec<Backward> = Vec::with_capacity(segs.len());
    let mut next = closing.clone();
    // Windows of the next slot of positive length (the drain's after the last).
    let mut next_c = drain_c;
    let mut y = vec![0.0; jmax + 1];
    for seg in segs.iter().rev() {
        let t = seg.minutes;
        let c = seg.c as usize;
        let empty = || [Vec::new(), Vec::new(), Vec::new()];
        if t > 0.0 {
            if next_c < seg.c {
                next = at_leaving(&next, seg.c, next_c);
            }
            next_c = seg.c;
        }
        let back = if t <= 0.0 {
            Backward {
                start: next.clone(),
                end: Vec::new(),
                phi: empty(),
            }
        } else if c == 0 {
            let start = next
                .iter()
                .enumerate()
                .map(|(j, &x)| if j == 0 { 0.0 } else { t + x })
                .collect();
            Backward {
                start,
                end: next.clone(),
                phi: empty(),
            }
        } else {
            let big = c as f64 * mu;
            let rc = |j: usize| (j as f64 - c as f64).max(0.0) / big;
            // y_k = P'^k δ; R_h = R_c + Σ_k w_k y_k and
            // Φ_i = Σ_k (k+1)…(k+i)·P(Pois > k+i)/(Λ^{i+1}T^i)·y_k.
            for j in 0..=jmax {
                y[j] = if j == 0 { 0.0 } else { next[j] - rc(j) };
            }
            let (left, right) = poisson_window(big * t, weights, tails);
            let tail = |k: usize| {
                if k < left {
                    1.0
                } else if k <= right {
                    tails[k - left]
                } else {
                    0.0
                }
            };
            let mut end = vec![0.0; jmax + 1];
            let mut phi = [
                vec![0.0; jmax + 1],
                vec![0.0; jmax + 1],
                vec![0.0; jmax + 1],
            ];
            let bt = big * t;
            for k in 0..=right {
                let kf = k as f64;
                let wk = if k < left { 0.0 } else { weights[k - left] };
                let a0 = tail(k) / big;
                let a1 = (kf + 1.0) * tail(k + 1) / (big * bt);
                let a2 = (kf + 1.0) * (kf + 2.0) * tail(k + 2) / (big * bt * bt);
                let [f0, f1, f2] = &mut phi;
                if wk > 0.0 {
                    for (e, &v) in end.iter_mut().zip(&y) {
                        *e += wk * v;
                    }
                }
                for (((x0, x1), x2), &v) in
                    f0.iter_mut().zip(f1.iter_mut()).zip(f2.iter_mut()).zip(&y)
                {
                    *x0 += a0 * v;
                    *x1 += a1 * v;
                    *x2 += a2 * v;
                }
                // y ← P'·y: above c a pure shift down (by one position); at or below c the
                // customer stays, moves down, or leaves (y[0] = 0 is "gone").
                if c < jmax {
                    y.copy_within(c..jmax, c + 1);
                }
                for j in (1..=c.min(jmax)).rev() {
                    let jf = j as f64;
                    y[j] = y[j] * (1.0 - jf * mu / big) + (jf - 1.0) * mu / big * y[j - 1];
                }
            }
            let start = (0..=jmax)
                .map(|j| if j == 0 { 0.0 } else { rc(j) + end[j] })
                .collect();
            Backward {
                start,
                end: next.clone(),
                phi,
            }
        };
        next = back.start.clone();
        out.push(back);
    }
    out.reverse();
    (out, closing)
}

/// R(j) just before windows leave, from R(j) just after (`after`): a customer in service
/// (j ≤ `from`) is done waiting, whether his window stays or leaves (it finishes him); one
/// in the queue moves up by the visitors who leave the chain with the leaving windows
/// (see `uniformise::after_leaving`; with j > `from` all `from − to` of them).
fn at_leaving(after: &[f64], from: u32, to: u32) -> Vec<f64> {
    (0..after.len())
        .map(|j| {
            if j <= from as usize {
                0.0
            } else {
                after[after_leaving(j, from, to)]
            }
        })
        .collect()
}

/// Slot waits when the window count varies within the session. An arrival at time t of
/// slot h who finds n people joins at position n + 1 and waits R(n + 1, t) more. With
/// c > 0 windows, R(·, t) = R_c + e^{G(t_e − t)}δ (see `remaining_waits`): the R_c part
/// pairs exactly with ∫p dt. The correction e^{Gτ}δ matters most near the slot's end
/// (it fades as the people ahead are served), so there p(t) is taken quadratic in
/// v = (t_e − t)/T through the exact p(t_e), its exact slope dp/dt = p(t_e)·Q and the exact
/// ∫p dt: p ≈ p_end + g·v + a·v², g = −T·p_end·Q, a = 3·(∫p/T − p_end − g/2), so
/// ∫p·Δ dt = p_end·Φ0 + g·Φ1 + a·Φ2. Exact for constant windows (δ = 0) and for closed
/// slots (R = t_e − t + R_{h+1}). The slot's p90 mixture is stretched in time so its mean
/// matches.
pub(super) fn varying_slot_waits(
    segs: &[Seg],
    mu: f64,
    drain_c: u32,
    dists: &[SlotDist],
    outs: &mut [SegOut],
    mix: &mut Mixture,
) {
    let jmax = dists
        .iter()
        .map(|d| d.lo + d.integral.len() + 1)
        .max()
        .unwrap_or(1);
    let (mut weights, mut tails) = (Vec::new(), Vec::new());
    let (back, _closing) = remaining_waits(segs, mu, drain_c, jmax, &mut weights, &mut tails);
    // Slots without a stored distribution (zero length) are skipped by `run`.
    let mut stored = dists.iter();
    for (h, (seg, out)) in segs.iter().zip(outs.iter_mut()).enumerate() {
        let t = seg.minutes;
        if t <= 0.0 {
            continue;
        }
        let Some(dist) = stored.next() else { break };
        if seg.lambda <= 0.0 {
            continue;
        }
        let next = &back[h].end;
        let c = seg.c as usize;
        let mut sum = 0.0;
        if c == 0 {
            for (i, &whole) in dist.integral.iter().enumerate() {
                sum += whole * next[dist.lo + i + 1];
            }
            sum += t * t / 2.0;
        } else {
            let rc = |j: usize| (j as f64 - c as f64).max(0.0) / (c as f64 * mu);
            let phi = &back[h].phi;
            let death = |n: usize| n.min(c) as f64 * mu;
            let end = |i: usize| dist.end.get(i).copied().unwrap_or(0.0);
            for (i, &whole) in dist.integral.iter().enumerate() {
                let (n, j) = (dist.lo + i, dist.lo + i + 1);
                // p_n near the slot's end, in v = (t_e − t)/T: p_end + g·v + a·v², with
                // g = −T·(p_end·Q)_n and a fixed by ∫p dt.
                let p1 = end(i);
                let below = if i > 0 { end(i - 1) } else { 0.0 };
                let slope =
                    seg.lambda * below - (seg.lambda + death(n)) * p1 + death(n + 1) * end(i + 1);
                let g = -t * slope;
                let a = 3.0 * (whole / t - p1 - g / 2.0);
                sum += whole * rc(j) + p1 * phi[0][j] + g * phi[1][j] + a * phi[2][j];
            }
        }
        // The fit aside, the sum is a mean of non-negative waits.
        let new_sum = seg.lambda * sum.max(0.0);
        let old_sum = out.wait_sum;
        out.wait_sum = new_sum;
        if old_sum > 0.0 && new_sum > 0.0 && old_sum.is_finite() {
            let stretch = new_sum / old_sum;
            for part in mix.parts.iter_mut().filter(|p| p.slot == h) {
                part.rate /= stretch;
                part.shift *= stretch;
            }
        }
    }
}
