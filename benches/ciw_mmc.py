#!/usr/bin/env python3
"""M/M/c in Ciw, the same experiment as examples/mmc.rs (benches/simulate_vs_ciw.sh).

--customers is the total over all replications; each replication simulates
customers/replications arrivals (rate lambda per minute, exponential service at rate mu
per minute per server, c servers, FCFS, empty at time 0), drops the first `warmup` share
of customers (by arrival order) and keeps the mean wait of the rest. Prints one JSON
object: mean over replications, Student-t 95 % half-width, exact Erlang C mean wait,
elapsed wall time (simulation and record extraction only, not the import).
"""
import argparse
import json
import math
import statistics
import time

import ciw

T975 = [12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
        2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
        2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
        2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272]


def t975(df):
    return T975[df - 1] if df <= 30 else 1.959964 + 2.4 / df  # close enough beyond 30


def erlang_c(c, a):
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


def one_replication(n, c, lam, mu, warmup, seed):
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=mu)],
        number_of_servers=[c],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    # Stop once n customers have finished service (Ciw's "Finish" method); their records
    # hold the waits. Sorted by arrival, the first `warmup` are dropped.
    sim.simulate_until_max_customers(n, method="Finish")
    recs = sorted(sim.get_all_records(), key=lambda r: r.arrival_date)
    waits = [r.waiting_time for r in recs[warmup:n]]
    return statistics.fmean(waits), len(recs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--replications", type=int, default=10)
    p.add_argument("--servers", type=int, default=3)
    p.add_argument("--lambda", dest="lam", type=float, default=2.4)
    p.add_argument("--mu", type=float, default=1.0)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=2020)
    a = p.parse_args()
    per_rep = a.customers // a.replications
    warmup = int(per_rep * a.warmup)
    start = time.perf_counter()
    means = []
    for r in range(a.replications):
        m, _ = one_replication(per_rep, a.servers, a.lam, a.mu, warmup, a.seed + r)
        means.append(m)
    elapsed = time.perf_counter() - start
    mean = statistics.fmean(means)
    half = t975(len(means) - 1) * statistics.stdev(means) / math.sqrt(len(means))
    exact = erlang_c(a.servers, a.lam / a.mu) / (a.servers * a.mu - a.lam)
    print(json.dumps({
        "tool": "ciw", "ciw_version": ciw.__version__,
        "customers": per_rep * a.replications, "replications": a.replications,
        "warmup_per_replication": warmup, "servers": a.servers,
        "lambda_per_min": a.lam, "mu_per_min": a.mu,
        "mean_wait_min": mean, "ci95_half_width_min": half,
        "erlang_c_mean_wait_min": exact, "elapsed_s": elapsed,
        "customers_per_s": per_rep * a.replications / elapsed,
    }))


if __name__ == "__main__":
    main()
