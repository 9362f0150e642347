//! Trace-driven engine throughput (benches/trace_throughput.sh).
//!
//! ```text
//! cargo run --release --example trace_throughput -- /tmp/big [repeats]
//! ```
//!
//! Loads a hall folder with the library's ingest, turns every accepted ticket into an
//! engine customer of its department's pool (its own issue time; served tickets keep
//! their own handling time, no-shows hold the window for 60 s, cancelled tickets leave
//! after 10 min if not called), builds one schedule per department over the open days and
//! hours inferred from the tickets with the department's inventory windows on duty, and
//! then times `engine::run_pool` over all pools, `repeats` times (default 5) on one
//! thread — the engine of a plan's replay and of synthetic days. It also times
//! `engine::run_rostered` over the pools of today's hall as `simulate::trace` reads them
//! from the log (each window with its own off-duty periods, each ticket with its own
//! handling and after-call time) — the engine of today's replay. Customer construction,
//! roster inference and sorting are outside the timed regions; a separate figure times
//! `simulate::trace::replay` (today's hall) end to end, which adds pool mapping, the
//! rosters and the summaries, and the memory the replay adds to the loaded hall (its peak
//! RSS above the RSS before it). Every timed region is reported as wall time and as the
//! thread's CPU time (on a shared machine the latter is the steadier measure). Prints one
//! JSON object.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use hallplan::hall::derive;
use hallplan::hall::{time, Status, NO_TIME};
use hallplan::ingest::{self, LoadOptions, Needs};
use hallplan::simulate::engine::{run_pool, run_rostered, Customer, Outcome, Schedule, Session};
use hallplan::simulate::trace;

/// CPU time of this thread (seconds), from the scheduler's own count: less at the mercy
/// of other processes on a shared machine than the wall clock. None where unavailable.
fn thread_cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Runs `f` and returns its wall and CPU time.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (c, cpu) = (Instant::now(), thread_cpu_s());
    f();
    let wall = c.elapsed().as_secs_f64();
    let cpu = cpu.zip(thread_cpu_s()).map_or(f64::NAN, |(a, b)| b - a);
    (wall, cpu)
}

/// A field of /proc/self/status in MiB (VmRSS, VmHWM), if readable.
fn status_mib(field: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak resident set size (VmHWM) to the current one (Linux ≥ 4.0).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn median_of(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| {
        eprintln!("usage: trace_throughput HALL_DIR [repeats]");
        std::process::exit(1)
    });
    let repeats: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let clock = Instant::now();
    let opts = LoadOptions {
        needs: Needs::TRACE,
        ..LoadOptions::default()
    };
    let loaded = ingest::load(Some(std::path::Path::new(&dir)), &opts).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    let load_s = clock.elapsed().as_secs_f64();
    let hall = &loaded.hall;
    let t = &hall.tickets;
    let hours = derive::opening_hours(t)
        .map(|h| h.hours)
        .unwrap_or_else(|| (9..17).collect());
    let days: BTreeSet<i64> = t.issued.iter().map(|&x| time::day(x)).collect();
    let origin = days.first().copied().unwrap_or(0) * time::DAY;

    // Windows per department from the inventory (at least one).
    let mut dept_windows: BTreeMap<&str, u32> = BTreeMap::new();
    for w in &hall.windows {
        *dept_windows.entry(w.department.as_str()).or_default() += w.staff.max(1);
    }
    let nd = t.departments.len();
    let mut pools: Vec<Vec<Customer>> = vec![Vec::new(); nd];
    for i in 0..t.len() {
        let arrival = (t.issued[i] - origin) as f64;
        let (service, patience) = match t.status[i] {
            Status::Served if t.called[i] != NO_TIME && t.finished[i] != NO_TIME => {
                ((t.finished[i] - t.called[i]).max(0) as f64, f64::INFINITY)
            }
            Status::Served => (0.0, f64::INFINITY),
            Status::NoShow => (60.0, f64::INFINITY),
            Status::Cancelled => (0.0, 600.0),
        };
        pools[t.department[i] as usize].push(Customer {
            arrival,
            service,
            patience,
        });
    }
    for p in pools.iter_mut() {
        p.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    }
    // Runs of consecutive open hours are sessions.
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &h in &hours {
        match runs.last_mut() {
            Some((_, b)) if *b == h => *b = h + 1,
            _ => runs.push((h, h + 1)),
        }
    }
    let schedules: Vec<Schedule> = (0..nd)
        .map(|d| {
            let servers = dept_windows
                .get(t.departments.name(d as u32))
                .copied()
                .unwrap_or(1);
            let mut sessions = Vec::new();
            for &day in &days {
                for &(a, b) in &runs {
                    let start = ((day * time::DAY - origin) + i64::from(a) * 3600) as f64;
                    sessions.push(Session {
                        start,
                        end: start + f64::from(b - a) * 3600.0,
                        servers_per_hour: vec![servers; (b - a) as usize],
                    });
                }
            }
            Schedule { sessions }
        })
        .collect();
    let customers: usize = pools.iter().map(Vec::len).sum();

    // One outcome buffer per pool, reused across repeats: the timed region is run_pool only.
    let mut outs: Vec<Vec<Outcome>> = pools.iter().map(|p| Vec::with_capacity(p.len())).collect();
    let (mut runs_s, mut cpu_s) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let (wall, cpu) = timed(|| {
            for ((p, s), out) in pools.iter().zip(&schedules).zip(outs.iter_mut()) {
                run_pool(p, s, out).unwrap_or_else(|e| {
                    eprintln!("error: engine: {e}");
                    std::process::exit(1)
                });
            }
        });
        runs_s.push(wall);
        cpu_s.push(cpu);
    }
    let cpu_median = median_of(cpu_s.clone());
    let (mut served, mut wait_sum) = (0usize, 0.0);
    for o in outs.iter().flatten() {
        if let Outcome::Served { wait, .. } = o {
            served += 1;
            wait_sum += wait;
        }
    }
    runs_s.sort_by(f64::total_cmp);
    let median = runs_s[runs_s.len() / 2];

    // Today's hall as the replay reads it from the log.
    let mut today = Vec::new();
    let (rosters_s, rosters_cpu_s) = timed(|| today = trace::today_pools(hall));
    let rostered_customers: usize = today.iter().map(|p| p.customers.len()).sum();
    let off_periods: usize = today.iter().flat_map(|p| &p.off).map(Vec::len).sum();
    let mut outs: Vec<Vec<Outcome>> = today
        .iter()
        .map(|p| Vec::with_capacity(p.customers.len()))
        .collect();
    let (mut rostered_s, mut rostered_cpu_s) = (Vec::new(), Vec::new());
    for _ in 0..repeats {
        let (wall, cpu) = timed(|| {
            for (p, out) in today.iter().zip(outs.iter_mut()) {
                run_rostered(&p.customers, &p.off, Some(&p.preferred), out).unwrap_or_else(|e| {
                    eprintln!("error: rostered engine: {e}");
                    std::process::exit(1)
                });
            }
        });
        rostered_s.push(wall);
        rostered_cpu_s.push(cpu);
    }
    let rostered_cpu_median = median_of(rostered_cpu_s.clone());

    rostered_s.sort_by(f64::total_cmp);
    let rostered_median = rostered_s[rostered_s.len() / 2];
    drop(outs);
    drop(today);

    // Memory the replay adds to the loaded hall: its peak RSS above the RSS before it.
    let rss_before = status_mib("VmRSS:");
    let reset = reset_peak_rss();
    let mut replay = None;
    let (replay_s, replay_cpu_s) = timed(|| replay = Some(trace::replay(hall, None, 2020)));
    let replay = replay.expect("ran");
    let replay_extra_mib = match (reset, rss_before, status_mib("VmHWM:")) {
        (true, Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let replay_note = match &replay {
        Ok(r) => format!(
            "\"ok\",\"replay_hall_mean_wait_min\":{:.3}",
            r.hall.mean_wait
        ),
        Err(e) => format!("{:?}", format!("error: {e}")),
    };
    println!(
        "{{\"rostered_cpu_s\":{rostered_cpu_s:?},\"rostered_cpu_median_s\":{rostered_cpu_median:.4},\"rostered_customers_per_cpu_s\":{:.0},\"engine_cpu_s\":{cpu_s:?},\"engine_cpu_median_s\":{cpu_median:.4},\"engine_customers_per_cpu_s\":{:.0},\"rosters_cpu_s\":{rosters_cpu_s:.3},\"replay_cpu_s\":{replay_cpu_s:.3},\"replay_extra_mib\":{replay_extra_mib:.1},\"hall_rss_mib\":{:.1},\"rostered_customers\":{rostered_customers},\"rostered_off_periods\":{off_periods},\"rosters_s\":{rosters_s:.3},\"rostered_runs_s\":{rostered_s:?},\"rostered_median_s\":{rostered_median:.4},\"rostered_customers_per_s\":{:.0},\"customers\":{customers},\"pools\":{nd},\"sessions_per_pool\":{},\"load_s\":{load_s:.3},\"engine_runs_s\":{runs_s:?},\"engine_median_s\":{median:.4},\"engine_customers_per_s\":{:.0},\"served\":{served},\"mean_wait_min\":{:.3},\"replay_s\":{replay_s:.3},\"replay_customers_per_s\":{:.0},\"replay\":{replay_note}}}",
        rostered_customers as f64 / rostered_cpu_median,
        customers as f64 / cpu_median,
        rss_before.unwrap_or(f64::NAN),
        rostered_customers as f64 / rostered_median,
        schedules.first().map_or(0, |s| s.sessions.len()),
        customers as f64 / median,
        wait_sum / served.max(1) as f64 / 60.0,
        t.len() as f64 / replay_s,
    );
}
