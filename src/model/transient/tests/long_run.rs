//! Long-run limit: a long session at constant rates is the stationary M/M/c queue.

use super::*;
use crate::queueing::{erlang_c, Station};

/// 200 hours at constant λ with c windows: the opening transient and the closing drain
/// are a vanishing share of the waiting, so the session's mean wait, P(wait) and p90
/// approach Erlang C (model.md §3, reference values, s̄ = 1, cs² = 1).
#[test]
fn a_long_session_converges_to_erlang_c() {
    for (c, a, p_wait) in [(1u32, 0.5, 0.5), (2, 1.0, 1.0 / 3.0), (10, 8.0, 0.40918)] {
        let lambda = a * 60.0; // s̄ = 1 minute
        let s = session(&[slot(200.0 * 60.0, lambda, c)], exponential(1.0));
        let wq = p_wait / (f64::from(c) - a);
        assert_rel(erlang_c(c, a), p_wait, 1e-5, "reference Erlang C");
        assert_rel(
            s.mean_wait_min,
            wq,
            0.01,
            &format!("mean wait, c={c} a={a}"),
        );
        assert_rel(s.p_wait, p_wait, 0.01, &format!("P(wait), c={c} a={a}"));
        let station = Station {
            servers: c,
            arrivals_per_hour: lambda,
            handle_min: 1.0,
            cs2: 1.0,
        };
        let p90 = station.wait_quantile(0.9).expect("stable");
        assert_rel(s.p90_min, p90, 0.01, &format!("p90, c={c} a={a}"));
        // The transient from empty only ever waits less than steady state here.
        assert!(s.mean_wait_min < wq);
    }
}

/// Non-exponential handling, diffusion scaling (module docs): the session with cs² is
/// the exponential model on the same slots with a clock f = (1 + cs²)/2 times faster —
/// every slot f times shorter at the same rates and windows — its waits (means, slot
/// waits, drain per person, p90) stretched by f, its person-minutes by f², its arrivals
/// by f, and P(wait) unchanged. cs² = 1 is the exponential model itself.
#[test]
fn non_exponential_handling_is_the_exponential_session_on_a_faster_clock() {
    let slots = [
        slot(60.0, 40.0, 3),
        slot(30.0, 70.0, 3),
        slot(60.0, 20.0, 2),
    ];
    let exp = session(&slots, exponential(4.0));
    let one = session(
        &slots,
        Service {
            handle_min: 4.0,
            cs2: 1.0,
        },
    );
    assert_eq!(one, exp, "cs² = 1 is the exponential model");
    for cs2 in [0.0, 0.5, 2.5] {
        let s = session(
            &slots,
            Service {
                handle_min: 4.0,
                cs2,
            },
        );
        let f = (1.0 + cs2) / 2.0;
        let fast: Vec<Slot> = slots
            .iter()
            .map(|x| Slot {
                minutes: x.minutes / f,
                ..*x
            })
            .collect();
        let base = session(&fast, exponential(4.0));
        assert_rel(s.arrivals, f * base.arrivals, 1e-12, "arrivals");
        assert_rel(
            s.person_min,
            f * f * base.person_min,
            1e-12,
            "person-minutes",
        );
        assert_rel(
            s.drain_person_min,
            f * f * base.drain_person_min,
            1e-12,
            "drain",
        );
        assert_rel(s.mean_wait_min, f * base.mean_wait_min, 1e-12, "mean wait");
        assert_rel(s.p90_min, f * base.p90_min, 1e-12, "p90");
        assert_eq!(s.p_wait, base.p_wait);
        for (a, b) in s.slots.iter().zip(&base.slots) {
            assert_rel(a.mean_wait_min, f * b.mean_wait_min, 1e-12, "slot wait");
        }
        // A session that opens empty has not felt the variability for long: the waits
        // lie between the exponential model's and plain Allen–Cunneen scaling of it.
        let (lo, hi) = if f < 1.0 {
            (f * exp.mean_wait_min, exp.mean_wait_min)
        } else {
            (exp.mean_wait_min, f * exp.mean_wait_min)
        };
        assert!(
            lo < s.mean_wait_min && s.mean_wait_min < hi,
            "cs² {cs2}: {} not in ({lo}, {hi})",
            s.mean_wait_min
        );
    }
    // Long run with cs² = 0.5: mean and p90 approach the Allen–Cunneen station's.
    let st = Station {
        servers: 4,
        arrivals_per_hour: 180.0,
        handle_min: 1.0,
        cs2: 0.5,
    };
    let s = session(
        &[slot(200.0 * 60.0, 180.0, 4)],
        Service {
            handle_min: 1.0,
            cs2: 0.5,
        },
    );
    assert_rel(
        s.mean_wait_min,
        st.mean_wait().expect("stable"),
        0.01,
        "AC mean",
    );
    assert_rel(
        s.p90_min,
        st.wait_quantile(0.9).expect("stable"),
        0.01,
        "AC p90",
    );
}
