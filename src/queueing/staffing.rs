//! The staffing calculator behind `hallplan erlang`: a station's figures for a number of
//! windows (forwards), and the fewest windows that meet a target (in reverse).

use serde::Serialize;

use super::{
    min_servers_for_mean_wait, min_servers_for_service_level, offered_load, Minutes, PerHour,
    Station,
};

/// The demand on one station and the limits of a sizing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Query {
    pub arrivals_per_hour: PerHour,
    pub handle_min: Minutes,
    /// Squared coefficient of variation of handling time (1 = exponential).
    pub cs2: f64,
    /// The service level's time limit.
    pub within_min: Minutes,
    /// Highest utilisation allowed when sizing.
    pub max_utilisation: f64,
}

/// What the windows are chosen for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// This many windows, as given.
    Windows(u32),
    /// The fewest windows for a mean wait at most this.
    MeanWait(Minutes),
    /// The fewest windows that serve this share within [`Query::within_min`].
    ServiceLevel(f64),
    /// The fewest windows that keep utilisation within [`Query::max_utilisation`].
    Utilisation,
}

/// The windows for `target`, or `None` when no number of windows meets it.
pub fn windows_for(q: &Query, target: Target) -> Option<u32> {
    let load = offered_load(q.arrivals_per_hour, q.handle_min);
    let c = match target {
        Target::Windows(c) => c,
        Target::MeanWait(t) => {
            min_servers_for_mean_wait(load, q.handle_min, q.cs2, t, q.max_utilisation)
        }
        Target::ServiceLevel(sl) => min_servers_for_service_level(
            load,
            q.handle_min,
            q.cs2,
            sl,
            q.within_min,
            q.max_utilisation,
        ),
        Target::Utilisation => {
            min_servers_for_mean_wait(load, q.handle_min, q.cs2, f64::INFINITY, q.max_utilisation)
        }
    };
    (c != u32::MAX).then_some(c)
}

/// A station's figures (`None` where the queue does not settle).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub windows: u32,
    pub load_erlangs: f64,
    pub utilisation: f64,
    pub p_wait: Option<f64>,
    pub mean_wait_min: Option<f64>,
    pub p90_wait_min: Option<f64>,
    pub service_level: Option<f64>,
    pub within_min: f64,
}

/// The figures of `windows` windows under the query's demand.
pub fn evaluate(q: &Query, windows: u32) -> Evaluation {
    let st = Station {
        servers: windows,
        arrivals_per_hour: q.arrivals_per_hour,
        handle_min: q.handle_min,
        cs2: q.cs2,
    };
    let stable = st.is_stable();
    Evaluation {
        windows: st.servers,
        load_erlangs: st.load(),
        utilisation: st.utilisation(),
        p_wait: stable.then(|| st.p_wait()),
        mean_wait_min: st.mean_wait(),
        p90_wait_min: st.wait_quantile(0.9),
        service_level: st.service_level(q.within_min),
        within_min: q.within_min,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> Query {
        Query {
            arrivals_per_hour: 20.0,
            handle_min: 10.0,
            cs2: 1.0,
            within_min: 0.33,
            max_utilisation: 0.95,
        }
    }

    #[test]
    fn the_reverse_sizing_is_the_fewest_windows_that_meet_the_target() {
        let q = query();
        let c = windows_for(&q, Target::MeanWait(2.0)).expect("feasible");
        let wait = |c| evaluate(&q, c).mean_wait_min.unwrap_or(f64::INFINITY);
        assert!(wait(c) <= 2.0);
        assert!(wait(c - 1) > 2.0);
        // 20/h of 10 min is 3.33 Erlangs: utilisation ≤ 95 % needs 4 windows.
        assert_eq!(windows_for(&q, Target::Utilisation), Some(4));
        assert_eq!(windows_for(&q, Target::Windows(u32::MAX)), None);
    }

    #[test]
    fn the_evaluation_is_the_stations_figures() {
        let e = evaluate(&query(), 5);
        assert_eq!(e.windows, 5);
        assert!((e.load_erlangs - 20.0 * 10.0 / 60.0).abs() < 1e-12);
        assert!((e.utilisation - e.load_erlangs / 5.0).abs() < 1e-12);
        assert!(e.p_wait.is_some_and(|p| p > 0.0 && p < 1.0));
        // Three windows cannot carry 3.33 Erlangs: no settled figures.
        let e = evaluate(&query(), 3);
        assert_eq!((e.p_wait, e.mean_wait_min), (None, None));
    }
}
