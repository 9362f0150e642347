//! The wait distribution of a set of slots (a mixture of Erlang waits per slot) and its
//! quantiles.

use std::cell::RefCell;

use super::brent::brent_largest_feasible;

/// One slot's share of a wait distribution: `weights[start + i]` expected arrivals wait
/// `shift + Erlang(k0 + i, rate)` minutes (Erlang(0, ·) = 0) in the exponential model.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part {
    pub(super) slot: usize,
    pub(super) rate: f64,
    pub(super) shift: f64,
    pub(super) k0: usize,
    pub(super) start: usize,
    pub(super) len: usize,
}

/// Arrival-weighted wait distribution of a set of slots: per slot an Erlang mixture.
/// Arrivals who do not wait are not stored: they are `arrivals` minus the weights.
#[derive(Debug, Default)]
pub(super) struct Mixture {
    pub(super) parts: Vec<Part>,
    pub(super) weights: Vec<f64>,
    pub(super) arrivals: f64,
}

/// ln(n!), exact summation below 32, Stirling's series (error < 1e-15) above.
pub(super) fn ln_factorial(n: usize) -> f64 {
    if n < 32 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    let x2 = x * x;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
}

/// cdf[j] = P(Poisson(z) ≤ j) for j = 0..=jmax, from the pmf at min(⌊z⌋, jmax) outwards, so
/// nothing overflows and only negligible terms underflow.
pub(super) fn poisson_cdf(z: f64, jmax: usize, cdf: &mut Vec<f64>) {
    cdf.clear();
    cdf.resize(jmax + 1, 0.0);
    if z <= 0.0 {
        cdf.fill(1.0);
        return;
    }
    let js = (z.floor() as usize).min(jmax);
    cdf[js] = (-z + js as f64 * z.ln() - ln_factorial(js)).exp();
    for j in (0..js).rev() {
        cdf[j] = cdf[j + 1] * (j + 1) as f64 / z;
    }
    for j in js + 1..=jmax {
        cdf[j] = cdf[j - 1] * z / j as f64;
    }
    let mut s = 0.0;
    for v in cdf.iter_mut() {
        s += *v;
        *v = s.min(1.0);
    }
}

/// P(W > x) over the arrivals of the mixtures (exponential model, minutes).
pub(super) fn tail_at(mixes: &[&Mixture], x: f64, cdf: &mut Vec<f64>) -> f64 {
    let mut arrivals = 0.0;
    let mut over = 0.0;
    for mix in mixes {
        arrivals += mix.arrivals;
        for part in &mix.parts {
            let w = &mix.weights[part.start..part.start + part.len];
            let y = x - part.shift;
            if y < 0.0 {
                over += w.iter().sum::<f64>();
                continue;
            }
            // P(shift + Erlang(k, r) > x) = P(Poisson(r·y) ≤ k − 1); k = 0 never exceeds.
            let kmax = part.k0 + part.len - 1;
            if kmax == 0 {
                continue;
            }
            poisson_cdf(part.rate * y, kmax - 1, cdf);
            for (i, &wi) in w.iter().enumerate() {
                let k = part.k0 + i;
                if k > 0 {
                    over += wi * cdf[k - 1];
                }
            }
        }
    }
    if arrivals > 0.0 {
        (over / arrivals).min(1.0)
    } else {
        0.0
    }
}

/// Smallest x with P(W > x) ≤ 1 − q over the mixtures (exponential model), by Brent's
/// method to 1e-9 relative (the returned x may be that much below the quantile).
pub(super) fn mixture_quantile(mixes: &[&Mixture], q: f64) -> f64 {
    let arrivals: f64 = mixes.iter().map(|m| m.arrivals).sum();
    if arrivals <= 0.0 {
        return 0.0;
    }
    let allowed = 1.0 - q;
    let mut cdf = Vec::new();
    if tail_at(mixes, 0.0, &mut cdf) <= allowed {
        return 0.0;
    }
    // Markov: P(W > x) ≤ E[W]/x, so the quantile is at most E[W]/(1 − q).
    let mut mean = 0.0;
    for mix in mixes {
        for part in &mix.parts {
            for (i, &wi) in mix.weights[part.start..part.start + part.len]
                .iter()
                .enumerate()
            {
                mean += wi * (part.shift + (part.k0 + i) as f64 / part.rate);
            }
        }
    }
    let hi = mean / arrivals / allowed * (1.0 + 1e-9) + 1e-12;
    if !hi.is_finite() {
        return f64::INFINITY;
    }
    // P(W > x) falls with x: the quantile is where allowed − P(W > x) turns positive.
    let cdf = RefCell::new(cdf);
    let g = |x: f64| allowed - tail_at(mixes, x, &mut cdf.borrow_mut());
    let (g0, ghi) = (g(0.0), g(hi));
    if ghi <= 0.0 {
        return hi;
    }
    brent_largest_feasible(&g, 0.0, g0, hi, ghi)
}
