"""Ciw model of one department of a service hall, one session at a time.

This module is the oracle's simulation core.  It is written against Ciw (PyPI, pinned in
requirements.txt) and shares nothing with hallplan's own generators.

Conventions (deliberately unlike hallplan's generators):
- a department is one Ciw node; its windows are Ciw servers numbered 1..n, and the
  lowest-numbered idle window that is on duty serves (Ciw ``server_priority_functions``),
  so the top windows of a department are spare windows that rarely serve;
- every window is ONE server, whatever its head count (``staff``) in windows.csv;
- each window has an on-duty interval per session (shifts: a window may come at 10:00 or
  leave at 16:00); a window off duty never starts a service; a window that goes off duty
  while serving finishes that visitor first (no pre-emption);
- a session starts empty; tickets arrive (time-varying Poisson, Ciw ``PoissonIntervals``)
  only until closing; windows on duty at closing stay until the queue has drained;
- a cancelled ticket is a visitor who leaves at once, unrelated to the queue: a separate
  Ciw customer class whose baulking probability is 1 (Ciw writes a "baulk" record).

Ciw's own shift mechanism (``ciw.Schedule``) replaces every server at each shift change
and lets a busy server finish "off duty" while its replacement already serves, which
would show two overlapping services at one window.  ``WindowNode`` therefore keeps one
persistent server per window and uses the Schedule only as Ciw's clock of shift-change
events; which windows are on duty comes from the roster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ciw
import numpy as np

INF = float("inf")


class RosterSchedule(ciw.Schedule):
    """A ciw.Schedule whose change dates are the roster's boundaries.

    ``roster[k]`` = (on_from, on_to) in minutes from the session start for window k+1;
    on_to = inf means "on duty until the session's queue has drained".
    """

    def __init__(self, roster: list[tuple[float, float]], horizon: float):
        self.roster = [(float(a), float(b)) for a, b in roster]
        marks = sorted(
            {t for a, b in self.roster for t in (a, b) if 0.0 < t < horizon}
        )
        ends = marks + [float(horizon)]
        n = len(self.roster)
        super().__init__(numbers_of_servers=[n] * len(ends), shift_end_dates=ends)


class WindowNode(ciw.Node):
    """A department: persistent servers (windows) with on-duty intervals."""

    def __init__(self, id_, simulation):
        super().__init__(id_, simulation)
        self.roster = self.schedule.roster
        self.c = len(self.roster)
        self.highest_id = self.c
        self.servers = [
            self.simulation.ServerType(self, k + 1, 0.0) for k in range(self.c)
        ]

    def on_duty(self, srv) -> bool:
        a, b = self.roster[srv.id_number - 1]
        return a <= self.now < b

    def find_free_server(self, ind):
        servers = self.servers
        if self.server_priority_function is not None:
            servers = sorted(
                servers, key=lambda s: self.server_priority_function(s, ind)
            )
        for s in servers:
            if not s.busy and self.on_duty(s):
                return s
        return None

    def _start_waiting(self):
        """Start every waiting visitor that an idle on-duty window can take (FCFS)."""
        while True:
            ind = self.choose_next_customer()
            if ind is None:
                return
            srv = self.find_free_server(ind)
            if srv is None:
                return
            self.attach_server(srv, ind)
            ind.service_start_date = self.now
            self.give_individual_a_service_time(ind)
            ind.service_end_date = ind.service_start_date + ind.service_time
            self.number_in_service += 1
            self.reset_class_change(ind)
            srv.next_end_service_date = ind.service_end_date

    def change_shift(self):
        # Advance Ciw's clock of change dates; the servers stay (one per window).
        self.schedule.get_next_shift()
        self.next_shift_change = self.schedule.next_shift_change_date
        self.c = len(self.roster)
        self._start_waiting()

    def begin_service_if_possible_change_shift(self):
        self._start_waiting()

    def begin_service_if_possible_release(self, next_individual, newly_free_server):
        self._start_waiting()


MAX_SERVICE_MIN = 240.0


class Capped(ciw.dists.Distribution):
    """A Ciw distribution resampled until it is at most cap (no 8-hour services)."""

    def __init__(self, dist, cap: float):
        self.dist = dist
        self.cap = cap

    def __repr__(self):
        return f"Capped({self.dist!r}, {self.cap})"

    def sample(self, t=None, ind=None):
        while True:
            x = self.dist.sample(t=t, ind=ind)
            if x <= self.cap:
                return x


def service_dist(mean: float, cv: float, family: str, cap: float | None = MAX_SERVICE_MIN):
    """A Ciw handling-time distribution with this mean (minutes) and cv, capped at cap."""
    d = _service_dist(mean, cv, family)
    return d if cap is None else Capped(d, cap)


def _service_dist(mean: float, cv: float, family: str):
    if family == "gamma":
        shape = 1.0 / (cv * cv)
        return ciw.dists.Gamma(shape=shape, scale=mean / shape)
    if family == "lognormal":
        s2 = math.log(1.0 + cv * cv)
        return ciw.dists.Lognormal(mean=math.log(mean) - s2 / 2.0, sd=math.sqrt(s2))
    if family == "exponential":
        return ciw.dists.Exponential(rate=1.0 / mean)
    raise ValueError(family)


@dataclass
class Matter:
    key: str  # Ciw class name
    mean: float  # minutes
    cv: float
    family: str
    share: float  # share of the department's tickets


@dataclass
class SessionSpec:
    """One department, one session: rates per slot (tickets per minute, all matters)."""

    slot_ends: list[float]  # minutes from session start, strictly increasing; last = closing
    slot_rates: list[float]  # tickets per minute (served + cancelled) in each slot
    cancel_share: float
    roster: list[tuple[float, float]]  # per window (on_from, on_to)


def simulate_session(
    matters: list[Matter], spec: SessionSpec, seed: int, drain_horizon: float = 1440.0,
    cap: float | None = MAX_SERVICE_MIN,
):
    """Run one session of one department in Ciw.

    Returns (served, cancelled): served = list of (arrival, start, end, window, matter_key),
    cancelled = list of (arrival, matter_key); times in minutes from the session start.
    """
    ciw.seed(int(seed))  # seeds Python's random (services, baulks) and ciw.rng (arrivals)
    closing = spec.slot_ends[-1]
    arrivals, services, baulks, classes = {}, {}, {}, []
    for m in matters:
        for kind, frac in (("s", 1.0 - spec.cancel_share), ("c", spec.cancel_share)):
            name = f"{kind}:{m.key}"
            rates = [r * m.share * frac for r in spec.slot_rates]
            if sum(rates) <= 0.0:
                continue
            classes.append(name)
            arrivals[name] = [
                ciw.dists.PoissonIntervals(
                    rates=rates, endpoints=list(spec.slot_ends), max_sample_date=closing
                )
            ]
            services[name] = [service_dist(m.mean, m.cv, m.family, cap)]
            baulks[name] = [None if kind == "s" else (lambda n, **kw: 1.0)]
    if not classes:
        return [], []
    horizon = closing + drain_horizon
    network = ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions=services,
        baulking_functions=baulks,
        number_of_servers=[RosterSchedule(spec.roster, horizon=1e9)],
        server_priority_functions=[lambda srv, ind: srv.id_number],
    )
    sim = ciw.Simulation(network, node_class=WindowNode)
    sim.simulate_until_max_time(horizon)
    served, cancelled = [], []
    for r in sim.get_all_records(only=["service", "baulk"]):
        key = r.customer_class.split(":", 1)[1]
        if r.record_type == "baulk":
            cancelled.append((r.arrival_date, key))
        else:
            served.append(
                (r.arrival_date, r.service_start_date, r.service_end_date, r.server_id, key)
            )
    left = sim.nodes[1].number_of_individuals
    if left:
        raise RuntimeError(f"session did not drain: {left} visitors left at {horizon} min")
    served.sort()
    cancelled.sort()
    return served, cancelled


def erlang_c(c: int, a: float) -> float:
    """Erlang C probability of waiting (stable recursion over Erlang B)."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1.0 - b))


def erlang_c_wq(c: int, lam: float, mean: float) -> float:
    """Mean wait in queue of M/M/c (same time unit as mean)."""
    a = lam * mean
    return erlang_c(c, a) * mean / (c - a)


def seed_for(*parts: int) -> int:
    """A stable 32-bit seed from integers (numpy SeedSequence, no Python hash())."""
    return int(np.random.SeedSequence([int(p) for p in parts]).generate_state(1)[0])
