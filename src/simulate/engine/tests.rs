//! The session engine's specification: hand-worked cases, then a brute-force reference
//! on random schedules, then (ignored) throughput timings.

use super::*;

pub(super) const INF: f64 = f64::INFINITY;

pub(super) fn cust(arrival: f64, service: f64) -> Customer {
    Customer {
        arrival,
        service,
        patience: INF,
    }
}

pub(super) fn impatient(arrival: f64, service: f64, patience: f64) -> Customer {
    Customer {
        arrival,
        service,
        patience,
    }
}

pub(super) fn served(wait: f64, server: u32) -> Outcome {
    Outcome::Served { wait, server }
}

fn run(customers: &[Customer], schedule: &Schedule) -> Vec<Outcome> {
    let mut out = Vec::new();
    run_pool(customers, schedule, &mut out).expect("valid input");
    out
}

fn session(start: f64, end: f64, servers: &[u32]) -> Session {
    Session {
        start,
        end,
        servers_per_hour: servers.to_vec(),
    }
}

#[test]
fn single_server_queues_in_arrival_order() {
    // Arrivals 0, 1, 2 each needing 10 s: waits 0, 9, 18.
    let cs = [
        cust(0.0, 10.0),
        cust(1.0, 10.0),
        cust(2.0, 10.0),
        cust(40.0, 5.0),
    ];
    let out = run(&cs, &Schedule::always(1));
    assert_eq!(
        out,
        vec![
            served(0.0, 0),
            served(9.0, 0),
            served(18.0, 0),
            served(0.0, 0)
        ]
    );
}

#[test]
fn two_servers_take_the_earliest_free_window_lowest_index_on_ties() {
    let cs = [
        cust(0.0, 10.0), // server 0 until 10
        cust(0.0, 4.0),  // server 1 until 4
        cust(1.0, 1.0),  // waits for server 1 at 4
        cust(2.0, 1.0),  // server 1 free at 5, before server 0
        cust(20.0, 1.0), // both idle: lowest index
    ];
    let out = run(&cs, &Schedule::always(2));
    assert_eq!(
        out,
        vec![
            served(0.0, 0),
            served(0.0, 1),
            served(3.0, 1),
            served(3.0, 1),
            served(0.0, 0)
        ]
    );
}

#[test]
fn dropping_the_server_count_is_non_preemptive() {
    // Two servers in hour 0, one in hour 1.
    let sched = Schedule {
        sessions: vec![session(0.0, 7200.0, &[2, 1])],
    };
    let cs = [
        cust(3000.0, 1000.0), // server 0 until 4000
        cust(3500.0, 1000.0), // server 1 until 4500: runs past 3600
        cust(3700.0, 100.0),  // server 1 is off duty: waits for 0 at 4000
        cust(3800.0, 100.0),  // server 0 again at 4100
    ];
    let out = run(&cs, &sched);
    assert_eq!(
        out,
        vec![
            served(0.0, 0),
            served(0.0, 1),
            served(300.0, 0),
            served(300.0, 0)
        ]
    );
}

#[test]
fn an_extra_server_coming_on_duty_starts_at_the_hour() {
    let sched = Schedule {
        sessions: vec![session(0.0, 7200.0, &[1, 2])],
    };
    let cs = [cust(0.0, 5000.0), cust(3000.0, 10.0)];
    let out = run(&cs, &sched);
    assert_eq!(out, vec![served(0.0, 0), served(600.0, 1)]);
}

#[test]
fn tickets_issued_before_closing_are_served_in_overtime() {
    // Last hour has one server; it keeps serving after 3600.
    let sched = Schedule {
        sessions: vec![session(0.0, 3600.0, &[1])],
    };
    let cs = [cust(3000.0, 1000.0), cust(3500.0, 100.0), cust(3600.0, 1.0)];
    let out = run(&cs, &sched);
    assert_eq!(
        out,
        vec![served(0.0, 0), served(500.0, 0), Outcome::Unserved]
    );
}

#[test]
fn overtime_uses_only_the_last_hours_servers() {
    // Two servers in hour 0, one in hour 1: overtime has one server.
    let sched = Schedule {
        sessions: vec![session(0.0, 7200.0, &[2, 1])],
    };
    let cs = [cust(7000.0, 1000.0), cust(7100.0, 50.0), cust(7150.0, 50.0)];
    let out = run(&cs, &sched);
    // Server 1 is off duty all hour 1 and in overtime.
    assert_eq!(
        out,
        vec![served(0.0, 0), served(900.0, 0), served(900.0, 0)]
    );
}

#[test]
fn arrival_before_opening_waits_from_its_real_arrival() {
    let sched = Schedule {
        sessions: vec![session(1000.0, 4600.0, &[1])],
    };
    let cs = [cust(400.0, 60.0), cust(500.0, 60.0)];
    let out = run(&cs, &sched);
    assert_eq!(out, vec![served(600.0, 0), served(560.0, 0)]);
}

#[test]
fn arrival_between_sessions_waits_for_the_afternoon() {
    let sched = Schedule {
        sessions: vec![session(0.0, 3600.0, &[1]), session(5000.0, 8600.0, &[3])],
    };
    let cs = [cust(4000.0, 10.0)];
    assert_eq!(run(&cs, &sched), vec![served(1000.0, 0)]);
}

#[test]
fn morning_overtime_and_afternoon_servers_both_count() {
    // Morning overtime keeps server 0 busy; the afternoon opens
    // servers 0 and 1, so the morning leftover can use server 1.
    let sched = Schedule {
        sessions: vec![session(0.0, 3600.0, &[1]), session(4000.0, 7600.0, &[2])],
    };
    let cs = [cust(3500.0, 1000.0), cust(3550.0, 10.0)];
    assert_eq!(run(&cs, &sched), vec![served(0.0, 0), served(450.0, 1)]);
}

#[test]
fn an_impatient_customer_abandons_and_leaves_no_trace() {
    let cs = [
        cust(0.0, 100.0),
        impatient(10.0, 100.0, 30.0), // would wait 90 s: leaves at 40
        cust(20.0, 10.0),             // takes the server at 100 as if alone
        impatient(30.0, 5.0, 80.0),   // must wait exactly 80: stays
    ];
    let out = run(&cs, &Schedule::always(1));
    assert_eq!(
        out,
        vec![
            served(0.0, 0),
            Outcome::Abandoned { waited: 30.0 },
            served(80.0, 0),
            served(80.0, 0)
        ]
    );
}

#[test]
fn arrivals_after_the_last_session_are_unserved() {
    let sched = Schedule {
        sessions: vec![session(0.0, 3600.0, &[2])],
    };
    let cs = [cust(100.0, 10.0), cust(3600.0, 10.0), cust(9000.0, 10.0)];
    let out = run(&cs, &sched);
    assert_eq!(
        out,
        vec![served(0.0, 0), Outcome::Unserved, Outcome::Unserved]
    );
}

#[test]
fn no_staff_in_the_last_hour_leaves_overtime_customers_unserved() {
    let sched = Schedule {
        sessions: vec![session(0.0, 7200.0, &[1, 0])],
    };
    let cs = [cust(4000.0, 10.0), impatient(4000.0, 10.0, 60.0)];
    let out = run(&cs, &sched);
    assert_eq!(
        out,
        vec![Outcome::Unserved, Outcome::Abandoned { waited: 60.0 }]
    );
}

#[test]
fn unsorted_input_is_an_error_not_a_panic() {
    let cs = [cust(10.0, 1.0), cust(5.0, 1.0)];
    let mut out = vec![Outcome::Unserved];
    let err = run_pool(&cs, &Schedule::always(1), &mut out);
    assert_eq!(err, Err(EngineError::UnsortedArrivals { index: 1 }));
    assert!(out.is_empty());
}

#[test]
fn invalid_customers_and_sessions_are_rejected() {
    let mut out = Vec::new();
    let nan = [cust(f64::NAN, 1.0)];
    assert_eq!(
        run_pool(&nan, &Schedule::always(1), &mut out),
        Err(EngineError::InvalidCustomer { index: 0 })
    );
    let short = Schedule {
        sessions: vec![session(0.0, 5400.0, &[1])], // 1.5 h needs 2 entries
    };
    assert!(matches!(
        run_pool(&[], &short, &mut out),
        Err(EngineError::InvalidSession { index: 0, .. })
    ));
    let overlap = Schedule {
        sessions: vec![session(0.0, 3600.0, &[1]), session(3000.0, 6600.0, &[1])],
    };
    assert!(matches!(
        run_pool(&[], &overlap, &mut out),
        Err(EngineError::InvalidSession { index: 1, .. })
    ));
}

#[test]
fn partial_last_hour_counts_as_an_hour() {
    // 09:00-12:30 style: 3.5 h, four entries, last covers 30 min.
    let sched = Schedule {
        sessions: vec![session(0.0, 12_600.0, &[1, 1, 1, 2])],
    };
    let cs = [cust(10_900.0, 500.0), cust(10_950.0, 10.0)];
    assert_eq!(run(&cs, &sched), vec![served(0.0, 0), served(0.0, 1)]);
}

/// Straight-from-the-definition reference: on-duty status is read off
/// the sessions at every candidate time, with no segments, cursor or
/// pruning. Slow, but independent of the optimised code paths.
fn reference(customers: &[Customer], schedule: &Schedule) -> Vec<Outcome> {
    let sessions = &schedule.sessions;
    let c_max = sessions
        .iter()
        .flat_map(|s| s.servers_per_hour.iter())
        .max()
        .map_or(0, |&n| n as usize);
    let mut bounds: Vec<f64> = sessions
        .iter()
        .flat_map(|s| {
            let hours = (0..s.servers_per_hour.len()).map(|k| s.start + HOUR * k as f64);
            hours.chain([s.end])
        })
        .collect();
    bounds.sort_by(f64::total_cmp);
    let mut free = vec![f64::NEG_INFINITY; c_max];
    let mut out = Vec::new();
    for c in customers {
        let Some(home) = sessions.iter().find(|s| s.end > c.arrival) else {
            out.push(Outcome::Unserved);
            continue;
        };
        let overtime = *home.servers_per_hour.last().expect("validated");
        let on_duty = |i: usize, t: f64| {
            let regular = sessions.iter().any(|s| {
                let k = ((t - s.start) / HOUR).floor() as usize;
                s.start <= t && t < s.end && i < s.servers_per_hour[k] as usize
            });
            regular || (t >= home.end && i < overtime as usize)
        };
        let (mut best, mut best_i) = (f64::INFINITY, 0);
        for (i, &f) in free.iter().enumerate() {
            let t0 = f.max(c.arrival);
            let later = bounds.iter().copied().filter(|&b| b > t0);
            let start = [t0].into_iter().chain(later).find(|&t| on_duty(i, t));
            if let Some(start) = start.filter(|&s| s < best) {
                (best, best_i) = (start, i);
            }
        }
        out.push(if best - c.arrival > c.patience {
            Outcome::Abandoned { waited: c.patience }
        } else if best == f64::INFINITY {
            Outcome::Unserved
        } else {
            free[best_i] = best + c.service;
            served(best - c.arrival, best_i as u32)
        });
    }
    out
}

fn random_schedule(rng: &mut impl rand::Rng) -> Schedule {
    let mut t = 900.0 * rng.random_range(0..8) as f64;
    let sessions = (0..rng.random_range(1..4))
        .map(|_| {
            let start = t;
            let end = start + 300.0 * rng.random_range(3..50) as f64;
            t = end + 300.0 * rng.random_range(0..10) as f64;
            let hours = ((end - start) / HOUR).ceil() as usize;
            let servers_per_hour = (0..hours).map(|_| rng.random_range(0..4)).collect();
            Session {
                start,
                end,
                servers_per_hour,
            }
        })
        .collect();
    Schedule { sessions }
}

pub(super) fn random_customers(rng: &mut impl rand::Rng, horizon: f64) -> Vec<Customer> {
    // Whole minutes, so arrivals tie and hit hour and session edges.
    let minute = |x: f64| (x / 60.0).round() * 60.0;
    let mut cs: Vec<Customer> = (0..rng.random_range(0..80))
        .map(|_| Customer {
            arrival: minute(rng.random_range(-3600.0..horizon)),
            service: minute(rng.random_range(0.0..1500.0)),
            patience: if rng.random_bool(0.5) {
                INF
            } else {
                minute(rng.random_range(0.0..3000.0))
            },
        })
        .collect();
    cs.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    cs
}

#[test]
fn matches_a_brute_force_reference_on_random_schedules() {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    for trial in 0..3000 {
        let sched = random_schedule(&mut rng);
        let horizon = sched.sessions.last().map_or(0.0, |s| s.end) + 1800.0;
        let cs = random_customers(&mut rng, horizon);
        assert_eq!(
            run(&cs, &sched),
            reference(&cs, &sched),
            "trial {trial}: {sched:?} {cs:?}"
        );
    }
}

#[test]
fn a_pool_replayed_in_pieces_matches_one_run() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for trial in 0..500 {
        let sched = random_schedule(&mut rng);
        let horizon = sched.sessions.last().map_or(0.0, |s| s.end) + 1800.0;
        let cs = random_customers(&mut rng, horizon);
        let cut = rng.random_range(0..=cs.len());
        let mut q = PoolQueue::new(&sched).expect("valid schedule");
        let mut out = Vec::new();
        q.extend(&cs[..cut], &mut out).expect("valid input");
        q.extend(&cs[cut..], &mut out).expect("valid input");
        assert_eq!(out, run(&cs, &sched), "trial {trial}");
    }
    // Errors name the customer's position over all pieces.
    let mut q = PoolQueue::new(&Schedule::always(1)).expect("valid schedule");
    let mut out = Vec::new();
    q.extend(&[cust(10.0, 1.0)], &mut out).expect("valid input");
    assert_eq!(
        q.extend(&[cust(11.0, 1.0), cust(5.0, 1.0)], &mut out),
        Err(EngineError::UnsortedArrivals { index: 2 })
    );
}

/// Times 10 million customers through 10 servers.
/// Run with `cargo test --release -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput_ten_million_customers() {
    use rand::{Rng, SeedableRng};
    let n = 10_000_000;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut t = 0.0;
    // Load 8 on 10 servers, mean service 60 s, exponential-ish draws.
    let cs: Vec<Customer> = (0..n)
        .map(|_| {
            t += -(1.0 - rng.random::<f64>()).ln() * 7.5;
            let service = -(1.0 - rng.random::<f64>()).ln() * 60.0;
            impatient(t, service, 600.0)
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    let sched = Schedule::always(10);
    for _ in 0..3 {
        let clock = std::time::Instant::now();
        run_pool(&cs, &sched, &mut out).expect("valid input");
        let secs = clock.elapsed().as_secs_f64();
        println!("{:.1} million customers/s", n as f64 / secs / 1e6);
    }
    assert_eq!(out.len(), n);
}
