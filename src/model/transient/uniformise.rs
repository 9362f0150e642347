//! The engine: uniformisation of the birth–death forward equations, slot by slot, in a
//! thread-local workspace (see the parent module for the method and its accuracy).

use std::cell::RefCell;

use super::mixture::{Mixture, Part};

/// A state whose probability falls below this is dropped from the support (at its edges).
/// Each dropped value is below TRIM and a step drops a handful at most, so a day of
/// K ≈ 5000 steps loses ~1e-9 of probability (the 200-hour test, 2·10⁵ steps, ~1e-8).
const TRIM: f64 = 1e-13;
/// Poisson weights below this fraction of the modal weight are dropped (≈ 7.4 σ each side).
const POISSON_CUT: f64 = 1e-12;

/// One slot as the engine sees it (rates per minute).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seg {
    pub(super) minutes: f64,
    pub(super) lambda: f64,
    /// dλ/dL, for the derivative with respect to a load scale.
    pub(super) dlambda: f64,
    pub(super) c: u32,
    /// Window count that serves this slot's arrivals: `c`, or for a slot without windows the
    /// next count that opens (the drain's count when none does).
    pub(super) wait_c: u32,
    /// Minutes without windows after this slot before `wait_c` opens (0 when c > 0).
    pub(super) closed_after: f64,
}

/// A slot's distributions, kept when windows vary: for n = lo + i, `integral[i]` = ∫p_n dt
/// over the slot and `end[i]` = p_n at its end.
#[derive(Debug, Clone, Default)]
pub(super) struct SlotDist {
    pub(super) lo: usize,
    pub(super) integral: Vec<f64>,
    pub(super) end: Vec<f64>,
}

/// Per-slot results of the exponential model (unscaled).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SegOut {
    /// ∫E[(N − c)⁺]dt over the slot.
    pub(super) q_int: f64,
    /// Expected total virtual wait of the slot's arrivals.
    pub(super) wait_sum: f64,
    /// Expected number of the slot's arrivals who wait.
    pub(super) waiters: f64,
    pub(super) d_q_int: f64,
}

#[derive(Debug, Default)]
pub(super) struct Workspace {
    p: Vec<f64>,
    next: Vec<f64>,
    end: Vec<f64>,
    acc: Vec<f64>,
    dp: Vec<f64>,
    dnext: Vec<f64>,
    dend: Vec<f64>,
    dacc: Vec<f64>,
    stay: Vec<f64>,
    down1: Vec<f64>,
    weights: Vec<f64>,
    tails: Vec<f64>,
    pub(super) segs: Vec<Seg>,
    pub(super) outs: Vec<SegOut>,
}

thread_local! {
    pub(super) static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::default());
}

impl Workspace {
    /// Buffers index state n at n + 1 (index 0 stays 0), and steps read one past the top.
    fn ensure(&mut self, top_state: usize, derivative: bool) {
        let need = top_state + 4;
        if self.p.len() < need {
            let len = need.max(2 * self.p.len()).max(64);
            for v in [&mut self.p, &mut self.next, &mut self.end, &mut self.acc] {
                v.resize(len, 0.0);
            }
        }
        if derivative && self.dp.len() < need {
            let len = need.max(2 * self.dp.len()).max(64);
            for v in [
                &mut self.dp,
                &mut self.dnext,
                &mut self.dend,
                &mut self.dacc,
            ] {
                v.resize(len, 0.0);
            }
        }
    }
}

/// Poisson(m) weights on [left, right], normalised, computed outwards from the mode so
/// nothing under- or overflows for any m (Fox–Glynn style); `tails[i]` = P(K > left + i).
pub(super) fn poisson_window(
    m: f64,
    weights: &mut Vec<f64>,
    tails: &mut Vec<f64>,
) -> (usize, usize) {
    weights.clear();
    tails.clear();
    let mode = m.floor() as usize;
    weights.push(1.0);
    let (mut x, mut k) = (1.0, mode);
    while k > 0 {
        let y = x * k as f64 / m;
        if y < POISSON_CUT {
            break;
        }
        weights.push(y);
        x = y;
        k -= 1;
    }
    let left = k;
    weights.reverse();
    let (mut x, mut k) = (1.0, mode);
    loop {
        let y = x * m / (k + 1) as f64;
        if y < POISSON_CUT {
            break;
        }
        weights.push(y);
        x = y;
        k += 1;
    }
    let right = k;
    let sum: f64 = weights.iter().sum();
    for w in weights.iter_mut() {
        *w /= sum;
    }
    tails.resize(weights.len(), 0.0);
    let mut t = 0.0;
    for i in (0..weights.len()).rev() {
        tails[i] = t;
        t += weights[i];
    }
    (left, right)
}

/// Zero `v` on the index range `[from, to)` (no-op when empty).
fn zero(v: &mut [f64], from: usize, to: usize) {
    if from < to {
        v[from..to].fill(0.0);
    }
}

/// Drop edge states below `TRIM` from the support [lo, hi] of `v` (and `dv`).
fn trim<const D: bool>(v: &mut [f64], dv: &mut [f64], lo: &mut usize, hi: &mut usize) {
    while *hi > *lo && v[*hi + 1] < TRIM {
        v[*hi + 1] = 0.0;
        if D {
            dv[*hi + 1] = 0.0;
        }
        *hi -= 1;
    }
    while *lo < *hi && v[*lo + 1] < TRIM {
        v[*lo + 1] = 0.0;
        if D {
            dv[*lo + 1] = 0.0;
        }
        *lo += 1;
    }
}

/// Drop edge states below `TRIM` from `next` on [lo, hi] (and `dnext`). A value r dropped
/// in step k would have entered S with weight tk; `end` (holding p(0)) is debited tk·r so
/// that p(T) = p(0) + S·(P − I) stays the Poisson mixture of the trimmed iterates.
fn trim_step<const D: bool>(ws: &mut Workspace, lo: &mut usize, hi: &mut usize, tk: f64) {
    let Workspace {
        next,
        dnext,
        end,
        dend,
        ..
    } = ws;
    while *hi > *lo && next[*hi + 1] < TRIM {
        end[*hi + 1] -= tk * next[*hi + 1];
        next[*hi + 1] = 0.0;
        if D {
            dend[*hi + 1] -= tk * dnext[*hi + 1];
            dnext[*hi + 1] = 0.0;
        }
        *hi -= 1;
    }
    while *lo < *hi && next[*lo + 1] < TRIM {
        end[*lo + 1] -= tk * next[*lo + 1];
        next[*lo + 1] = 0.0;
        if D {
            dend[*lo + 1] -= tk * dnext[*lo + 1];
            dnext[*lo + 1] = 0.0;
        }
        *lo += 1;
    }
}

/// Run the forward equations over the slots of one session starting empty, filling `outs`.
/// Returns the closing drain (waiting person-minutes after closing, exponential model) and
/// its derivative. With `D` the derivative with respect to the load scale (the `dlambda`
/// of each slot) is propagated alongside (forward sensitivity, exact under uniformisation).
///
/// Per slot with Λ = λ + cμ and P = I + Q/Λ: p_k = p(0)·P^k, S = Σ_k P(Pois(ΛT) > k)·p_k,
/// so ∫p(t)dt over the slot = S/Λ, and p(T) = p(0) + S·(P − I) (summing P(Pois = k)·p_k
/// telescopes to this), which spares a second accumulation over the Poisson window.
pub(super) fn run<const D: bool>(
    ws: &mut Workspace,
    segs: &[Seg],
    mu: f64,
    drain_c: u32,
    outs: &mut [SegOut],
    mut mix: Option<&mut Mixture>,
    mut store: Option<&mut Vec<SlotDist>>,
) -> (f64, f64) {
    ws.ensure(2, D);
    // Support of p, and the stale support of `next` (zero elsewhere).
    let (mut lo, mut hi) = (0usize, 0usize);
    let (mut slo, mut shi) = (1usize, 0usize); // empty
    ws.p[1] = 1.0;
    // Windows on duty in the previous slot of positive length (None before the first).
    let mut prev_c: Option<u32> = None;
    for (h, (seg, out)) in segs.iter().zip(outs.iter_mut()).enumerate() {
        *out = SegOut::default();
        let t = seg.minutes;
        if t <= 0.0 {
            continue;
        }
        if let Some(from) = prev_c.filter(|&from| from > seg.c) {
            // Windows leave: each finishes the visitor it serves (exhaustive), so those
            // visitors leave the chain instead of going back to the queue.
            (lo, hi) = leave::<D>(ws, lo, hi, from, seg.c);
        }
        prev_c = Some(seg.c);
        let c = seg.c as usize;
        let lam = seg.lambda;
        let cmu = c as f64 * mu;
        let big = lam + cmu;
        // The accumulator's support (S on [alo, ahi]).
        let (mut alo, mut ahi) = (lo, hi);
        if big <= 0.0 {
            // Nothing happens: the distribution stands still for t minutes.
            for n in lo..=hi {
                ws.acc[n + 1] = t * ws.p[n + 1];
                if D {
                    ws.dacc[n + 1] = t * ws.dp[n + 1];
                }
            }
        } else {
            let (left, right) = poisson_window(big * t, &mut ws.weights, &mut ws.tails);
            let up = lam / big;
            let kap = seg.dlambda / big;
            ws.stay.clear();
            ws.down1.clear();
            for n in 0..=c {
                let stay = if n >= c {
                    0.0
                } else {
                    1.0 - (lam + n as f64 * mu) / big
                };
                ws.stay.push(stay);
                ws.down1.push(((n + 1).min(c)) as f64 * mu / big);
            }
            let coef = Coef {
                c,
                up,
                dc: cmu / big,
                kap,
            };
            // Keep p(0) in `end` (zero elsewhere) for p(T) = p(0) + S·(P − I).
            ws.end[lo + 1..hi + 2].copy_from_slice(&ws.p[lo + 1..hi + 2]);
            if D {
                ws.dend[lo + 1..hi + 2].copy_from_slice(&ws.dp[lo + 1..hi + 2]);
            }
            let (ilo, ihi) = (lo, hi);
            for k in 0..right {
                let tk = if k < left { 1.0 } else { ws.tails[k - left] };
                // One step next = p·P, fused with S += tk·p.
                let nlo = if c > 0 { lo.saturating_sub(1) } else { lo };
                let nhi = if lam > 0.0 { hi + 1 } else { hi };
                ws.ensure(nhi + 2, D);
                // Clear stale entries of `next` outside the range about to be written.
                zero(&mut ws.next, slo + 1, (nlo + 1).min(shi + 2));
                zero(&mut ws.next, (nhi + 2).max(slo + 1), shi + 2);
                if D {
                    zero(&mut ws.dnext, slo + 1, (nlo + 1).min(shi + 2));
                    zero(&mut ws.dnext, (nhi + 2).max(slo + 1), shi + 2);
                }
                step::<D>(ws, nlo, nhi, &coef, tk);
                alo = alo.min(nlo);
                ahi = ahi.max(nhi);
                let (mut tlo, mut thi) = (nlo, nhi);
                trim_step::<D>(ws, &mut tlo, &mut thi, tk);
                std::mem::swap(&mut ws.p, &mut ws.next);
                if D {
                    std::mem::swap(&mut ws.dp, &mut ws.dnext);
                }
                (slo, shi) = (lo, hi);
                (lo, hi) = (tlo, thi);
            }
            // p(T) = p(0) + S·(P − I), written into `end`, which then becomes p.
            let plo = if c > 0 { alo.saturating_sub(1) } else { alo };
            let phi = if lam > 0.0 { ahi + 1 } else { ahi };
            ws.ensure(phi + 2, D);
            end_step::<D>(ws, plo, phi, &coef);
            zero(&mut ws.p, lo + 1, hi + 2);
            std::mem::swap(&mut ws.p, &mut ws.end);
            if D {
                zero(&mut ws.dp, lo + 1, hi + 2);
                std::mem::swap(&mut ws.dp, &mut ws.dend);
            }
            (lo, hi) = (plo.min(ilo), phi.max(ihi));
            trim::<D>(&mut ws.p, &mut ws.dp, &mut lo, &mut hi);
            let inv = 1.0 / big;
            for a in &mut ws.acc[alo + 1..ahi + 2] {
                *a *= inv;
            }
            if D {
                for a in &mut ws.dacc[alo + 1..ahi + 2] {
                    *a *= inv;
                }
            }
        }
        // The slot's functionals from the integrated distribution I = acc on [alo, ahi].
        slot_functionals::<D>(ws, seg, h, mu, alo, ahi, out, mix.as_deref_mut());
        if let Some(store) = store.as_deref_mut() {
            // On one range covering the integral's and the end's supports.
            let (from, to) = (alo.min(lo), ahi.max(hi));
            ws.ensure(to + 2, D);
            store.push(SlotDist {
                lo: from,
                integral: ws.acc[from + 1..to + 2].to_vec(),
                end: ws.p[from + 1..to + 2].to_vec(),
            });
        }
        zero(&mut ws.acc, alo + 1, ahi + 2);
        if D {
            zero(&mut ws.dacc, alo + 1, ahi + 2);
        }
    }
    // The closing drain: the j-th in queue waits j/(cμ) more, so Q(Q+1)/(2cμ) in all.
    let (mut drain, mut d_drain) = (0.0, 0.0);
    let cd = drain_c as usize;
    for n in lo.max(cd + 1)..=hi {
        let q = (n - cd) as f64;
        let w = q * (q + 1.0) / 2.0;
        drain += w * ws.p[n + 1];
        if D {
            d_drain += w * ws.dp[n + 1];
        }
    }
    if drain_c == 0 {
        if drain > 0.0 {
            drain = f64::INFINITY;
        }
    } else {
        let r = drain_c as f64 * mu;
        drain /= r;
        d_drain /= r;
    }
    // Leave the buffers clean for the next call.
    zero(&mut ws.p, lo + 1, hi + 2);
    zero(&mut ws.next, slo + 1, shi + 2);
    if D {
        zero(&mut ws.dp, lo + 1, hi + 2);
        zero(&mut ws.dnext, slo + 1, shi + 2);
    }
    (drain, d_drain)
}

/// Where a state goes when windows drop from `from` to `to` < `from` at a slot boundary
/// and every leaving window finishes the visitor it serves (a real clerk does; so do the
/// Ciw halls of `validation/`). With n people, the `d = from − to` leaving windows take
/// the idle ones first (a hall sends off a window with nobody at it), so max(n − to, 0)
/// capped at d of them still serve: those visitors never wait again and, with
/// exponential handling, their remaining services do not touch anyone else, so they
/// leave the birth–death chain at once: n ↦ n − clamp(n − to, 0, d). When the queue is
/// not empty (n ≥ from) every window is busy and the rule is exact whichever windows
/// leave; below that it is the idle-first choice (no one waits either way at the drop).
pub(super) fn after_leaving(n: usize, from: u32, to: u32) -> usize {
    let (from, to) = (from as usize, to as usize);
    n - n.saturating_sub(to).min(from.saturating_sub(to))
}

/// Apply [`after_leaving`] to `p` (and `dp`) on the support [lo, hi]; returns the new
/// support. The map is non-decreasing with f(n) ≤ n, so one ascending pass in place is
/// enough: when state n is moved, its target has been processed already.
fn leave<const D: bool>(
    ws: &mut Workspace,
    lo: usize,
    hi: usize,
    from: u32,
    to: u32,
) -> (usize, usize) {
    for n in lo..=hi {
        let m = after_leaving(n, from, to);
        if m != n {
            let v = std::mem::take(&mut ws.p[n + 1]);
            ws.p[m + 1] += v;
            if D {
                let v = std::mem::take(&mut ws.dp[n + 1]);
                ws.dp[m + 1] += v;
            }
        }
    }
    (after_leaving(lo, from, to), after_leaving(hi, from, to))
}

/// Coefficients of one step: windows, up/down probabilities above c, and the derivative's
/// driver dλ/dL/Λ.
struct Coef {
    c: usize,
    up: f64,
    dc: f64,
    kap: f64,
}

/// next[n] = up·p[n−1] + stay[n]·p[n] + down[n+1]·p[n+1] on [nlo, nhi], with acc += tk·p;
/// with D the same for the derivative vectors, whose step is driven by kap·(p[n−1] − p[n]).
#[inline(always)]
fn step<const D: bool>(ws: &mut Workspace, nlo: usize, nhi: usize, k: &Coef, tk: f64) {
    let Workspace {
        p,
        next,
        acc,
        dp,
        dnext,
        dacc,
        stay,
        down1,
        ..
    } = ws;
    let Coef { c, up, dc, kap } = *k;
    // Below and at c: state-dependent coefficients.
    let a_end = nhi.min(c); // inclusive
    if nlo <= a_end {
        let (s, len) = (nlo, a_end + 1 - nlo);
        let out = &mut next[s + 1..s + 1 + len];
        let a = &mut acc[s + 1..s + 1 + len];
        let pm = &p[s..s + len];
        let p0 = &p[s + 1..s + 1 + len];
        let pp = &p[s + 2..s + 2 + len];
        let st = &stay[s..s + len];
        let dn = &down1[s..s + len];
        for i in 0..len {
            let x = p0[i];
            out[i] = up * pm[i] + st[i] * x + dn[i] * pp[i];
            a[i] += tk * x;
        }
        if D {
            let out = &mut dnext[s + 1..s + 1 + len];
            let a = &mut dacc[s + 1..s + 1 + len];
            let qm = &dp[s..s + len];
            let q0 = &dp[s + 1..s + 1 + len];
            let qp = &dp[s + 2..s + 2 + len];
            for i in 0..len {
                let y = q0[i];
                out[i] = up * qm[i] + st[i] * y + dn[i] * qp[i] + kap * (pm[i] - p0[i]);
                a[i] += tk * y;
            }
        }
    }
    // Above c: constant coefficients (the stay probability is 0 there).
    let b_start = nlo.max(c + 1);
    if b_start <= nhi {
        let (s, len) = (b_start, nhi + 1 - b_start);
        let out = &mut next[s + 1..s + 1 + len];
        let a = &mut acc[s + 1..s + 1 + len];
        let pm = &p[s..s + len];
        let p0 = &p[s + 1..s + 1 + len];
        let pp = &p[s + 2..s + 2 + len];
        for i in 0..len {
            out[i] = up * pm[i] + dc * pp[i];
            a[i] += tk * p0[i];
        }
        if D {
            let out = &mut dnext[s + 1..s + 1 + len];
            let a = &mut dacc[s + 1..s + 1 + len];
            let qm = &dp[s..s + len];
            let q0 = &dp[s + 1..s + 1 + len];
            let qp = &dp[s + 2..s + 2 + len];
            for i in 0..len {
                out[i] = up * qm[i] + dc * qp[i] + kap * (pm[i] - p0[i]);
                a[i] += tk * q0[i];
            }
        }
    }
}

/// end += S·(P − I) on [nlo, nhi] (S = acc), and with D, dend += dS·(P − I) + kap·(S[n−1] − S[n]).
fn end_step<const D: bool>(ws: &mut Workspace, nlo: usize, nhi: usize, k: &Coef) {
    let Workspace {
        end,
        acc,
        dend,
        dacc,
        stay,
        down1,
        ..
    } = ws;
    let Coef { c, up, dc, kap } = *k;
    for n in nlo..=nhi {
        let (st, dn) = if n <= c {
            (stay[n], down1[n])
        } else {
            (0.0, dc)
        };
        let (sm, s0, sp) = (acc[n], acc[n + 1], acc[n + 2]);
        end[n + 1] += up * sm + (st - 1.0) * s0 + dn * sp;
        if D {
            let (qm, q0, qp) = (dacc[n], dacc[n + 1], dacc[n + 2]);
            dend[n + 1] += up * qm + (st - 1.0) * q0 + dn * qp + kap * (sm - s0);
        }
    }
}

/// Queue integral, virtual waits and (optionally) the wait mixture of one slot from its
/// integrated distribution `acc` on [alo, ahi].
#[allow(clippy::too_many_arguments)]
fn slot_functionals<const D: bool>(
    ws: &Workspace,
    seg: &Seg,
    slot: usize,
    mu: f64,
    alo: usize,
    ahi: usize,
    out: &mut SegOut,
    mix: Option<&mut Mixture>,
) {
    let c = seg.c as usize;
    let lam = seg.lambda;
    let (mut q, mut dq) = (0.0, 0.0);
    for n in alo.max(c + 1)..=ahi {
        let k = (n - c) as f64;
        q += k * ws.acc[n + 1];
        if D {
            dq += k * ws.dacc[n + 1];
        }
    }
    out.q_int = q;
    out.d_q_int = dq;
    if lam <= 0.0 {
        return;
    }
    if c > 0 {
        // Arrivals finding n ≥ c wait Erlang(n − c + 1, cμ): mean (n − c + 1)/(cμ).
        let busy: f64 = (alo.max(c)..=ahi).map(|n| ws.acc[n + 1]).sum();
        let r = c as f64 * mu;
        out.waiters = lam * busy;
        out.wait_sum = lam * (q + busy) / r;
        if let Some(mix) = mix {
            let first = alo.max(c);
            if first <= ahi {
                let start = mix.weights.len();
                mix.weights
                    .extend(ws.acc[first + 1..ahi + 2].iter().map(|&x| lam * x));
                mix.parts.push(Part {
                    slot,
                    rate: r,
                    shift: 0.0,
                    k0: first + 1 - c,
                    start,
                    len: ahi + 1 - first,
                });
            }
        }
    } else {
        // No window: wait for the rest of the slot and the closed time after it, then
        // (n + 1 − c′)⁺ departures at rate c′μ with the count c′ that opens next.
        let t = seg.minutes;
        out.waiters = lam * t;
        let cw = seg.wait_c as usize;
        if cw == 0 {
            out.wait_sum = f64::INFINITY;
            return;
        }
        let r = cw as f64 * mu;
        let s: f64 = (alo.max(cw - 1)..=ahi)
            .map(|n| (n + 1 - cw) as f64 * ws.acc[n + 1])
            .sum();
        let closed = t * t / 2.0 + t * seg.closed_after;
        out.wait_sum = lam * (s / r + closed);
        if let Some(mix) = mix {
            // k = (n + 1 − c′)⁺: everyone below c′ − 1 only waits for the opening.
            let shift = t / 2.0 + seg.closed_after;
            let start = mix.weights.len();
            let below: f64 = (alo..=ahi.min(cw - 1)).map(|n| lam * ws.acc[n + 1]).sum();
            let first = alo.max(cw);
            let k0 = if below > 0.0 || first > ahi {
                mix.weights.push(below);
                0
            } else {
                first + 1 - cw
            };
            if first <= ahi {
                if k0 == 0 {
                    // Fill k = 1 .. first − cw with nothing (the support starts above c′).
                    mix.weights.extend(std::iter::repeat_n(0.0, first - cw));
                }
                mix.weights
                    .extend(ws.acc[first + 1..ahi + 2].iter().map(|&x| lam * x));
            }
            let len = mix.weights.len() - start;
            mix.parts.push(Part {
                slot,
                rate: r,
                shift,
                k0,
                start,
                len,
            });
        }
    }
}
