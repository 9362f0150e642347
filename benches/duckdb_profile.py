#!/usr/bin/env python3
"""The DuckDB baseline of benches/profile_vs_duckdb.sh: the aggregation `hallplan profile`
does on the ticket log, as one SQL query over the same tickets.csv.

Per row: wait = called_at - issued_at in minutes. Per department and hour of day of
issue, and per department over all hours: tickets, served, mean / median / p90 wait of
served tickets (nearest-rank quantiles, as hallplan), no-shows and cancellations.
Writes the result as CSV and prints one JSON line with the row counts and timings.

usage: duckdb_profile.py TICKETS.csv OUT.csv [--threads N]
"""
import argparse
import json
import time

import duckdb

QUERY = """
COPY (
  WITH t AS (
    SELECT department,
           hour(issued_at) AS hour,
           status,
           date_diff('second', issued_at, called_at) / 60.0 AS wait
    FROM read_csv(?, header = true, delim = ',', quote = '"',
                  timestampformat = '%Y-%m-%d %H:%M:%S',
                  columns = {
                    'ticket_id': 'VARCHAR', 'issued_at': 'TIMESTAMP',
                    'called_at': 'TIMESTAMP', 'finished_at': 'TIMESTAMP',
                    'window_id': 'VARCHAR', 'department': 'VARCHAR',
                    'matter_id': 'VARCHAR', 'status': 'VARCHAR'})
  )
  SELECT department,
         hour,
         count(*) AS tickets,
         count(*) FILTER (WHERE status = 'served') AS served,
         avg(greatest(wait, 0)) FILTER (WHERE status = 'served') AS mean_wait_min,
         quantile_disc(greatest(wait, 0), 0.5) FILTER (WHERE status = 'served') AS median_wait_min,
         quantile_disc(greatest(wait, 0), 0.9) FILTER (WHERE status = 'served') AS p90_wait_min,
         count(*) FILTER (WHERE status = 'no_show') AS no_shows,
         count(*) FILTER (WHERE status = 'cancelled') AS cancelled
  FROM t
  GROUP BY GROUPING SETS ((department, hour), (department))
  ORDER BY department, hour NULLS FIRST
) TO '{out}' (HEADER, DELIMITER ',')
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tickets")
    p.add_argument("out")
    p.add_argument("--threads", type=int, default=0, help="0 = DuckDB's default (all cores)")
    a = p.parse_args()
    start = time.perf_counter()
    con = duckdb.connect()
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute(QUERY.replace("{out}", a.out.replace("'", "''")), [a.tickets])
    elapsed = time.perf_counter() - start
    rows = con.execute("SELECT count(*), sum(tickets) FILTER (WHERE hour IS NULL) FROM read_csv(?)", [a.out]).fetchone()
    print(json.dumps({"tool": "duckdb", "version": duckdb.__version__, "threads": threads,
                      "result_rows": rows[0], "tickets": rows[1], "elapsed_s": elapsed}))


if __name__ == "__main__":
    main()
