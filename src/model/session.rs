//! One opening day of a pool, hour by hour, when some hours are overloaded.
//!
//! SIPP (each hour a stationary queue) has no answer for an hour whose load reaches
//! its windows, yet real halls have such peaks: the queue builds up in the peak and
//! drains after it, and tickets issued before closing are still served. Hours below
//! [`SATURATION`] are stationary exactly as in SIPP. Above it an hour serves at the
//! saturation rate and carries the rest over to the next hour as extra arrivals (the
//! stationary backlog-carryover idea of Stolletz, "Approximation of the non-stationary
//! M(t)/M(t)/c(t)-queue using stationary queueing models", *EJOR* 190, 2008); the
//! carried people wait the fluid backlog, ∫Q dt with Q linear within the hour. A
//! backlog left at closing drains at full speed. So every configuration with windows
//! has a finite wait, and a hall that copes with its peaks today is not declared
//! impossible by a steady-state formula.

use crate::queueing::Station;

/// Above this utilisation an hour is saturated: it serves at this rate and carries the
/// rest over. Below it the stationary formulas hold and nothing is carried.
pub const SATURATION: f64 = 0.95;

/// One hour of a session: arrivals, their handling-time mix and the windows open
/// (fractional when staffed windows are averaged over days).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hour {
    pub arrivals_per_hour: f64,
    pub handle_min: f64,
    pub cs2: f64,
    pub servers: f64,
}

/// Waiting in one hour: person-minutes of waiting (including people carried in from
/// earlier hours, and the closing drain for the last hour) and the probability that an
/// arrival of the hour waits at all.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HourWait {
    pub person_min: f64,
    pub p_wait: f64,
}

/// One hour with a whole number of windows: (person-minutes, P(wait), people carried
/// over), given the arrivals of the hour and the backlog carried into it.
fn hour_with(
    servers: u32,
    arrivals: f64,
    backlog: f64,
    handle_min: f64,
    cs2: f64,
) -> (f64, f64, f64) {
    let rate = arrivals + backlog;
    let saturated_rate = SATURATION * f64::from(servers) * 60.0 / handle_min;
    let station = |rate: f64| Station {
        servers,
        arrivals_per_hour: rate,
        handle_min,
        cs2,
    };
    if rate <= saturated_rate {
        let st = station(rate);
        // Stable: the load is at most SATURATION · servers.
        let w = st.mean_wait().unwrap_or(0.0);
        (rate * w, st.p_wait(), 0.0)
    } else {
        let w = if servers > 0 {
            station(saturated_rate).mean_wait().unwrap_or(0.0)
        } else {
            0.0
        };
        let carried = rate - saturated_rate;
        (
            saturated_rate * w + 30.0 * (backlog + carried),
            1.0,
            carried,
        )
    }
}

/// Waiting per hour of a session (see the module documentation). Fractional windows
/// mix the hour's outcome with the neighbouring whole numbers, so waiting falls
/// continuously as windows are added.
pub fn waits(hours: &[Hour]) -> Vec<HourWait> {
    let mut out = Vec::with_capacity(hours.len());
    let mut backlog = 0.0;
    for hour in hours {
        let arrivals = hour.arrivals_per_hour.max(0.0);
        if arrivals + backlog <= 0.0 {
            out.push(HourWait::default());
            backlog = 0.0;
            continue;
        }
        let s = hour.handle_min.max(1e-9);
        let servers = hour.servers.max(0.0);
        let lo = servers.floor();
        let frac = servers - lo;
        let mut result = hour_with(lo as u32, arrivals, backlog, s, hour.cs2);
        if frac > 1e-9 {
            let up = hour_with(lo as u32 + 1, arrivals, backlog, s, hour.cs2);
            result = (
                result.0 + (up.0 - result.0) * frac,
                result.1 + (up.1 - result.1) * frac,
                result.2 + (up.2 - result.2) * frac,
            );
        }
        out.push(HourWait {
            person_min: result.0,
            p_wait: result.1,
        });
        backlog = result.2;
    }
    if backlog > 0.0 {
        // Tickets issued before closing are served: the backlog drains at full speed.
        let last = hours.last().expect("a backlog needs an hour");
        let drain_rate = last.servers.max(1.0) * 60.0 / last.handle_min.max(1e-9);
        if let Some(w) = out.last_mut() {
            w.person_min += 30.0 * backlog * backlog / drain_rate;
        }
    }
    out
}

/// A day of `servers` windows whose load of `day_load` Erlang-hours is spread over the
/// hours by `profile` (shares summing to 1), at one handling-time mix.
pub fn profile_day(
    profile: &[f64],
    day_load: f64,
    handle_min: f64,
    cs2: f64,
    servers: f64,
) -> Vec<Hour> {
    profile
        .iter()
        .map(|&share| Hour {
            arrivals_per_hour: share * day_load * 60.0 / handle_min,
            handle_min,
            cs2,
            servers,
        })
        .collect()
}

/// Person-minutes of waiting over the whole session.
pub fn total_person_min(hours: &[Hour]) -> f64 {
    waits(hours).iter().map(|w| w.person_min).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(arrivals: f64, servers: f64) -> Hour {
        Hour {
            arrivals_per_hour: arrivals,
            handle_min: 10.0,
            cs2: 1.0,
            servers,
        }
    }

    #[test]
    fn below_saturation_is_plain_sipp() {
        // 5 windows, 10-minute service, 24/h: a = 4, M/M/5 Wq = C(5,4)·10/1.
        let w = waits(&[hour(24.0, 5.0), hour(12.0, 5.0)]);
        let c = crate::queueing::erlang_c(5, 4.0);
        assert!((w[0].person_min - 24.0 * c * 10.0).abs() < 1e-9);
        assert!((w[0].p_wait - c).abs() < 1e-12);
        let c2 = crate::queueing::erlang_c(5, 2.0);
        assert!((w[1].person_min - 12.0 * c2 * 10.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn an_overloaded_hour_carries_its_excess_to_the_next() {
        // 2 windows, 10 minutes: saturated at 0.95·12 = 11.4 per hour. 15 arrive, so
        // 3.6 people are carried into an hour with 3 arrivals (6.6 in all: stationary).
        let w = waits(&[hour(15.0, 2.0), hour(3.0, 2.0)]);
        let ws = mm2(11.4);
        assert!((w[0].person_min - (11.4 * ws + 30.0 * 3.6)).abs() < 1e-9);
        assert_eq!(w[0].p_wait, 1.0);
        assert!((w[1].person_min - 6.6 * mm2(6.6)).abs() < 1e-9);
    }

    #[test]
    fn a_backlog_at_closing_drains_at_full_speed() {
        // 1 window, 10 minutes: 5.7 served, 4.3 left at closing, drained at 6 per hour.
        let w = waits(&[hour(10.0, 1.0)]);
        // M/M/1: Wq = ρ·s/(1 − ρ) at ρ = 0.95.
        let ws = 0.95 * 10.0 / 0.05;
        let expected = 5.7 * ws + 30.0 * 4.3 + 30.0 * 4.3 * 4.3 / 6.0;
        assert!((w[0].person_min - expected).abs() < 1e-9);
    }

    #[test]
    fn waiting_grows_with_load_through_saturation() {
        let mut last = 0.0;
        for i in 1..400 {
            let l = f64::from(i) * 0.1;
            let t = total_person_min(&[hour(l, 3.0), hour(l * 0.5, 3.0)]);
            assert!(t >= last - 1e-9, "load {l}: {t} < {last}");
            last = t;
        }
    }

    #[test]
    fn hours_without_windows_wait_for_the_next_open_hour() {
        let w = waits(&[hour(6.0, 0.0), hour(0.0, 2.0)]);
        assert!((w[0].person_min - 30.0 * 6.0).abs() < 1e-9);
        assert!(w[1].person_min > 0.0);
    }

    #[test]
    fn fractional_servers_lie_between_their_neighbours() {
        let at = |n: f64| total_person_min(&[hour(16.0, n), hour(4.0, n)]);
        let (two, three, between) = (at(2.0), at(3.0), at(2.5));
        assert!(
            three < between && between < two,
            "{three} < {between} < {two}"
        );
    }

    /// M/M/2 mean wait with 10-minute service at `rate` per hour.
    fn mm2(rate: f64) -> f64 {
        let a = rate * 10.0 / 60.0;
        crate::queueing::erlang_c(2, a) * 10.0 / (2.0 - a)
    }

    #[test]
    fn fewer_windows_never_wait_less() {
        for i in 1..60 {
            let servers = f64::from(i) * 0.1;
            let more = servers + 0.1;
            let hours = |n: f64| [hour(20.0, n), hour(30.0, n), hour(10.0, n)];
            assert!(total_person_min(&hours(servers)) >= total_person_min(&hours(more)) - 1e-9);
        }
    }
}
