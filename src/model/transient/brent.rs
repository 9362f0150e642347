//! Brent's method for the feasible end of a bracket (capacities and wait quantiles).

/// The largest x in [lo, hi] with g(x) ≤ 0, for g increasing with g(lo) ≤ 0 < g(hi):
/// Brent's method (inverse quadratic / secant steps safeguarded by bisection) until the
/// bracket is within 1e-9 of hi; returns the feasible end.
pub(super) fn brent_largest_feasible(
    g: &impl Fn(f64) -> f64,
    lo: f64,
    glo: f64,
    hi: f64,
    ghi: f64,
) -> f64 {
    let tol = 1e-9 * hi;
    // Values are clamped so an infinite violation still orders the secant steps.
    let clamp = |v: f64| v.min(1e6);
    let (mut a, mut fa) = (lo, clamp(glo));
    let (mut b, mut fb) = (hi, clamp(ghi));
    let (mut feas, mut infeas) = (lo, hi);
    if fa.abs() < fb.abs() {
        std::mem::swap(&mut a, &mut b);
        std::mem::swap(&mut fa, &mut fb);
    }
    let (mut cpt, mut fc) = (a, fa);
    let mut d = 0.0;
    let mut bisected = true;
    for _ in 0..200 {
        if infeas - feas <= tol {
            break;
        }
        let mut s = if fa != fc && fb != fc {
            a * fb * fc / ((fa - fb) * (fa - fc))
                + b * fa * fc / ((fb - fa) * (fb - fc))
                + cpt * fa * fb / ((fc - fa) * (fc - fb))
        } else {
            b - fb * (b - a) / (fb - fa)
        };
        let q = (3.0 * a + b) / 4.0;
        let outside = !((s > q.min(b)) && (s < q.max(b)));
        if outside
            || (bisected && (s - b).abs() >= (b - cpt).abs() / 2.0)
            || (!bisected && (s - b).abs() >= (cpt - d).abs() / 2.0)
            || (bisected && (b - cpt).abs() < tol)
            || (!bisected && (cpt - d).abs() < tol)
            || !s.is_finite()
        {
            s = 0.5 * (a + b);
            bisected = true;
        } else {
            bisected = false;
        }
        // Keep s strictly inside the known bracket.
        if !(s > feas && s < infeas) {
            s = 0.5 * (feas + infeas);
        }
        let fs_raw = g(s);
        if fs_raw <= 0.0 {
            feas = s;
        } else {
            infeas = s;
        }
        let fs = clamp(fs_raw);
        d = cpt;
        cpt = b;
        fc = fb;
        if (fa <= 0.0) != (fs <= 0.0) {
            b = s;
            fb = fs;
        } else {
            a = s;
            fa = fs;
        }
        if fa.abs() < fb.abs() {
            std::mem::swap(&mut a, &mut b);
            std::mem::swap(&mut fa, &mut fb);
        }
    }
    feas
}
