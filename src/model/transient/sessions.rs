//! Sessions and days: a session opens empty and drains after closing; a day is its
//! sessions side by side.

use super::backward::varying_slot_waits;
use super::mixture::{mixture_quantile, tail_at, Mixture};
use super::uniformise::{run, Seg, SegOut, WORKSPACE};
use super::{DayWait, Minutes, Service, SessionWait, Slot, SlotWait};

/// The drain's window count: the last slot's, or the last positive count before it (windows
/// stay on duty while tickets issued before closing wait); 0 when the session has none.
fn drain_windows(segs: &[Seg]) -> u32 {
    segs.iter().rev().map(|s| s.c).find(|&c| c > 0).unwrap_or(0)
}

/// Fill `wait_c` and `closed_after` of every slot, given the drain's count.
fn link_closed_slots(segs: &mut [Seg], drain_c: u32) {
    let mut next_c = drain_c;
    let mut gap = 0.0;
    for seg in segs.iter_mut().rev() {
        if seg.c > 0 {
            seg.wait_c = seg.c;
            seg.closed_after = 0.0;
            next_c = seg.c;
            gap = 0.0;
        } else {
            seg.wait_c = next_c;
            seg.closed_after = gap;
            gap += seg.minutes;
        }
    }
}

/// `x` if positive and finite-or-infinite, else 0 (NaN and negatives read as nothing).
pub(super) fn non_negative(x: f64) -> f64 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

/// Evaluate one session into a `SessionWait` (without the p90) and its wait mixture.
pub(super) fn session_parts(slots: &[Slot], service: Service, mix: &mut Mixture) -> SessionWait {
    let f = service.allen_cunneen();
    // Diffusion scaling (module docs, *Non-exponential handling*): the exponential queue
    // on a session whose clock runs f times faster, its waits stretched by f.
    let ts = service.time_scale();
    let mut segs: Vec<Seg> = slots
        .iter()
        .map(|s| Seg {
            minutes: non_negative(s.minutes) / ts,
            lambda: non_negative(s.arrivals_per_hour) / 60.0,
            dlambda: 0.0,
            c: s.windows,
            wait_c: s.windows,
            closed_after: 0.0,
        })
        .collect();
    // Arrivals of the compressed session; the real session has ts times as many.
    let arrivals_of = |s: &Seg| s.lambda * s.minutes;
    let arrivals: f64 = segs.iter().map(arrivals_of).sum();
    mix.arrivals = arrivals;
    let mut outs = vec![SegOut::default(); segs.len()];
    let drain = match service.rate() {
        Some(mu) if arrivals > 0.0 => {
            let drain_c = drain_windows(&segs);
            link_closed_slots(&mut segs, drain_c);
            if drain_c > 0 && segs.iter().any(|s| s.c != drain_c && s.minutes > 0.0) {
                // Windows vary: slot waits from the remaining-wait vectors (see below).
                let mut dists = Vec::with_capacity(segs.len());
                let drain = WORKSPACE.with(|ws| {
                    let mut ws = ws.borrow_mut();
                    run::<false>(
                        &mut ws,
                        &segs,
                        mu,
                        drain_c,
                        &mut outs,
                        Some(mix),
                        Some(&mut dists),
                    )
                    .0
                });
                varying_slot_waits(&segs, mu, drain_c, &dists, &mut outs, mix);
                drain
            } else {
                WORKSPACE.with(|ws| {
                    run::<false>(
                        &mut ws.borrow_mut(),
                        &segs,
                        mu,
                        drain_c,
                        &mut outs,
                        Some(mix),
                        None,
                    )
                    .0
                })
            }
        }
        // No arrivals, or instantaneous service: nobody waits.
        _ => 0.0,
    };
    let slot_waits: Vec<SlotWait> = segs
        .iter()
        .zip(&outs)
        .map(|(s, o)| {
            let a = arrivals_of(s);
            SlotWait {
                arrivals: ts * a,
                person_min: f * ts * o.q_int,
                mean_wait_min: if a > 0.0 { f * o.wait_sum / a } else { 0.0 },
                p_wait: if a > 0.0 {
                    (o.waiters / a).min(1.0)
                } else {
                    0.0
                },
            }
        })
        .collect();
    let person_min = f * ts * (outs.iter().map(|o| o.q_int).sum::<f64>() + drain);
    let waiters: f64 = outs.iter().map(|o| o.waiters).sum();
    SessionWait {
        slots: slot_waits,
        drain_person_min: f * ts * drain,
        person_min,
        arrivals: ts * arrivals,
        mean_wait_min: if arrivals > 0.0 {
            person_min / (ts * arrivals)
        } else {
            0.0
        },
        p_wait: if arrivals > 0.0 {
            (waiters / arrivals).min(1.0)
        } else {
            0.0
        },
        p90_min: 0.0,
    }
}

/// The q-quantile of the wait over the mixtures, Allen–Cunneen scaled like
/// `queueing::Station::wait_quantile` (the exponential model's time axis stretched by f).
fn scaled_quantile(mixes: &[&Mixture], q: f64, f: f64, person_min: f64) -> f64 {
    if !person_min.is_finite() {
        return f64::INFINITY;
    }
    f * mixture_quantile(mixes, q)
}

/// Waiting over one session that opens empty, with Poisson arrivals at each slot's rate,
/// the slot's windows on duty, and after the last slot the queue drained by the last
/// windows on duty (see the module documentation for the model and its approximations).
///
/// With arrivals but no window in the whole session every waiting figure is infinite.
pub fn session(slots: &[Slot], service: Service) -> SessionWait {
    let mut mix = Mixture::default();
    let mut out = session_parts(slots, service, &mut mix);
    out.p90_min = scaled_quantile(&[&mix], 0.9, service.allen_cunneen(), out.person_min);
    out
}

/// The q-quantile (0 ≤ q < 1) of the wait over a session's arrivals; `session` reports
/// q = 0.9. `None` for q outside [0, 1).
pub fn session_wait_quantile(slots: &[Slot], service: Service, q: f64) -> Option<Minutes> {
    if !(0.0..1.0).contains(&q) {
        return None;
    }
    let mut mix = Mixture::default();
    let out = session_parts(slots, service, &mut mix);
    Some(scaled_quantile(
        &[&mix],
        q,
        service.allen_cunneen(),
        out.person_min,
    ))
}

/// P(wait > `t`) over the arrivals of weighted sessions (each opens empty; a weekday's
/// sessions weigh its share of the open days): the share of visitors who wait longer than
/// t minutes, for a percentile target ("90 % within 10 min" holds when this is ≤ 0.1).
/// The same Erlang mixtures as the p90, so the two agree: the share over the day's p90 is
/// 0.1. Allen–Cunneen scaled like every wait: P(f·W > t) = P(W > t/f). 1 when some session
/// has arrivals and no window (they are never served).
pub fn share_over(sessions: &[(f64, &[Slot])], service: Service, t: Minutes) -> f64 {
    let f = service.allen_cunneen();
    let mut cdf = Vec::new();
    let (mut over, mut arrivals) = (0.0, 0.0);
    for &(weight, slots) in sessions {
        if weight <= 0.0 {
            continue;
        }
        let mut mix = Mixture::default();
        let out = session_parts(slots, service, &mut mix);
        if mix.arrivals <= 0.0 {
            continue;
        }
        if !out.person_min.is_finite() {
            return 1.0;
        }
        over += weight * mix.arrivals * tail_at(&[&mix], t.max(0.0) / f, &mut cdf);
        arrivals += weight * mix.arrivals;
    }
    if arrivals > 0.0 {
        (over / arrivals).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Waiting over a day of sessions (each opens empty, e.g. morning and afternoon), with the
/// day's arrival-weighted mean, p(wait), p90 and worst slot.
pub fn day(sessions: &[&[Slot]], service: Service) -> DayWait {
    let mut mixes: Vec<Mixture> = Vec::with_capacity(sessions.len());
    let mut out: Vec<SessionWait> = Vec::with_capacity(sessions.len());
    for slots in sessions {
        let mut mix = Mixture::default();
        let mut s = session_parts(slots, service, &mut mix);
        s.p90_min = scaled_quantile(&[&mix], 0.9, service.allen_cunneen(), s.person_min);
        out.push(s);
        mixes.push(mix);
    }
    let person_min: f64 = out.iter().map(|s| s.person_min).sum();
    let arrivals: f64 = out.iter().map(|s| s.arrivals).sum();
    let waiters: f64 = out.iter().map(|s| s.p_wait * s.arrivals).sum();
    let refs: Vec<&Mixture> = mixes.iter().collect();
    let worst = out
        .iter()
        .flat_map(|s| s.slots.iter())
        .filter(|w| w.arrivals > 0.0)
        .map(|w| w.mean_wait_min)
        .fold(0.0, f64::max);
    DayWait {
        p90_min: scaled_quantile(&refs, 0.9, service.allen_cunneen(), person_min),
        sessions: out,
        person_min,
        arrivals,
        mean_wait_min: if arrivals > 0.0 {
            person_min / arrivals
        } else {
            0.0
        },
        p_wait: if arrivals > 0.0 {
            (waiters / arrivals).min(1.0)
        } else {
            0.0
        },
        worst_slot_wait_min: worst,
    }
}
