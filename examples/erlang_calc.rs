//! The staffing calculator as a library call: how many windows does a pool need?
//!
//! cargo run --release --example erlang_calc

use hallplan::queueing::{min_servers_for_mean_wait, offered_load, Station};

fn main() {
    // 120 people an hour, 6 minutes each, exponential-ish handling times.
    let (arrivals, handle, cs2) = (120.0, 6.0, 1.0);
    let load = offered_load(arrivals, handle);
    let c = min_servers_for_mean_wait(load, handle, cs2, 5.0, 0.95);
    let st = Station {
        servers: c,
        arrivals_per_hour: arrivals,
        handle_min: handle,
        cs2,
    };
    println!("load {load:.1} Erlangs → {c} windows for a mean wait ≤ 5 min");
    println!(
        "mean wait {:.2} min, p90 {:.2} min, utilisation {:.0}%",
        st.mean_wait().unwrap_or(f64::NAN),
        st.wait_quantile(0.9).unwrap_or(f64::NAN),
        st.utilisation() * 100.0
    );
}
