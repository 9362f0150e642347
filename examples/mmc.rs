//! A textbook M/M/c queue through hallplan's simulation engine, for the Ciw comparison
//! (benches/simulate_vs_ciw.sh).
//!
//! ```text
//! cargo run --release --example mmc -- --customers 1000000 --replications 10 \
//!     --servers 3 --lambda 2.4 --mu 1.0 --warmup 0.1 --seed 2020
//! ```
//!
//! `--customers` is the total over all replications; each replication draws
//! `customers / replications` Poisson arrivals (rate `lambda` per minute) with exponential
//! handling times (rate `mu` per minute per server), runs them through
//! `engine::run_pool` on `Schedule::always(servers)`, drops the first `warmup` share of
//! customers and keeps the mean wait of the rest. The mean over replications and its
//! Student-t 95 % half-width come from `stats::mean_ci`. The exact Erlang C mean wait is
//! printed next to it. Output is one JSON object on stdout; `elapsed_s` covers drawing,
//! simulating and summarising (not process start-up).

use std::time::Instant;

use hallplan::simulate::engine::{run_pool, Outcome, Schedule};
use hallplan::simulate::stats::{mean_ci, summarize};
use hallplan::simulate::synthetic::{generate_stationary, replicate, Patience, ServiceTime};

struct Args {
    customers: usize,
    replications: usize,
    servers: u32,
    lambda: f64,
    mu: f64,
    warmup: f64,
    seed: u64,
}

fn value<T: std::str::FromStr>(flag: &str, v: &str) -> T {
    v.parse().unwrap_or_else(|_| {
        eprintln!("error: bad value {v:?} for {flag}");
        std::process::exit(1)
    })
}

fn parse() -> Args {
    let mut a = Args {
        customers: 1_000_000,
        replications: 10,
        servers: 3,
        lambda: 2.4,
        mu: 1.0,
        warmup: 0.1,
        seed: 2020,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| {
            eprintln!("error: {flag} needs a value");
            std::process::exit(1)
        });
        match flag.as_str() {
            "--customers" => a.customers = value(&flag, &v.replace('_', "")),
            "--replications" => a.replications = value(&flag, &v),
            "--servers" => a.servers = value(&flag, &v),
            "--lambda" => a.lambda = value(&flag, &v),
            "--mu" => a.mu = value(&flag, &v),
            "--warmup" => a.warmup = value(&flag, &v),
            "--seed" => a.seed = value(&flag, &v),
            _ => {
                eprintln!("error: unknown flag {flag}");
                std::process::exit(1)
            }
        }
    }
    if a.replications < 2
        || a.customers < 10 * a.replications
        || a.servers == 0
        || a.lambda >= a.mu * f64::from(a.servers)
    {
        eprintln!("error: need ≥ 2 replications, ≥ 10 customers each, and a stable queue (lambda < servers·mu)");
        std::process::exit(1)
    }
    a
}

/// Erlang C probability of waiting (c servers, offered load a < c), via the Erlang B
/// recursion.
fn erlang_c(c: u32, a: f64) -> f64 {
    let b = (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b));
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

fn main() {
    let a = parse();
    let per_rep = a.customers / a.replications;
    let warmup = (per_rep as f64 * a.warmup) as usize;
    let service = ServiceTime::Gamma {
        mean: 60.0 / a.mu,
        cs2: 1.0,
    };
    let schedule = Schedule::always(a.servers);
    let clock = Instant::now();
    let mut customers = Vec::with_capacity(per_rep);
    let mut out: Vec<Outcome> = Vec::with_capacity(per_rep);
    let means: Vec<f64> = replicate(a.replications, a.seed, |_, rng| {
        generate_stationary(
            a.lambda * 60.0,
            per_rep,
            &service,
            Patience::Infinite,
            rng,
            &mut customers,
        )
        .expect("valid parameters");
        run_pool(&customers, &schedule, &mut out).expect("sorted, valid customers");
        summarize(&out[warmup..], &[]).mean_wait / 60.0
    });
    let elapsed = clock.elapsed().as_secs_f64();
    let ci = mean_ci(&means).expect("≥ 2 replications");
    let load = a.lambda / a.mu;
    let exact = erlang_c(a.servers, load) / (f64::from(a.servers) * a.mu - a.lambda);
    let simulated = per_rep * a.replications;
    println!(
        "{{\"tool\":\"hallplan\",\"customers\":{simulated},\"replications\":{},\"warmup_per_replication\":{warmup},\"servers\":{},\"lambda_per_min\":{},\"mu_per_min\":{},\"mean_wait_min\":{:.6},\"ci95_half_width_min\":{:.6},\"erlang_c_mean_wait_min\":{:.6},\"elapsed_s\":{:.6},\"customers_per_s\":{:.1}}}",
        a.replications,
        a.servers,
        a.lambda,
        a.mu,
        ci.mean,
        ci.half_width,
        exact,
        elapsed,
        simulated as f64 / elapsed
    );
}
