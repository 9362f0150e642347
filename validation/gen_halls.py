#!/usr/bin/env python3
"""Generate service halls with Ciw, in hallplan's input contract, plus their truth.

    python3 validation/gen_halls.py --set ci   --out /tmp/halls-ci
    python3 validation/gen_halls.py --set full --out /tmp/halls-full
    python3 validation/gen_halls.py --shape mixed --seed 7 --out /tmp/one

Each hall is a folder with windows.csv, matters.csv, tickets.csv (some halls .tsv, GBK,
Chinese headers, footfall.csv) and truth.json (not read by hallplan).  Same seed =>
byte-identical files.  See validation/README.md for the conventions.

This generator is the validation oracle: it must not import, copy or imitate hallplan's
own generators (src/sample.rs, examples/gen_tickets.rs).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import os
import sys
import time
from dataclasses import dataclass

import ciw
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ciwhall import INF, Matter, SessionSpec, seed_for, simulate_session  # noqa: E402

GENERATOR_VERSION = "1"
WAIT_FLOOR_NOTE = "waits in minutes from issued_at to called_at of served tickets, times truncated to the second as written"

# --------------------------------------------------------------------------- catalogues

DEPARTMENTS = {
    "市场监管局": ["企业设立登记", "企业变更登记", "企业注销登记", "食品经营许可", "个体工商户登记"],
    "税务局": ["发票领用", "税务登记", "个税汇算咨询", "契税申报", "社保费缴纳"],
    "人社局": ["社保卡办理", "失业登记", "退休审批", "职业资格证书", "劳动合同备案"],
    "公安出入境": ["普通护照申请", "港澳通行证", "台湾通行证", "签注办理", "外国人居留许可"],
    "医保局": ["医保参保登记", "异地就医备案", "医疗费用报销", "医保关系转移", "门诊慢特病认定"],
    "公积金中心": ["公积金提取", "公积金贷款", "缴存登记", "账户转移", "贷款结清"],
    "不动产登记中心": ["不动产首次登记", "转移登记", "抵押登记", "查封登记查询", "更正登记"],
    "民政局": ["婚姻登记", "社会组织登记", "低保申请", "殡葬服务", "养老服务补贴"],
    "卫健委": ["出生医学证明", "医师执业注册", "护士执业注册", "母婴保健许可", "计生证明"],
    "交通运输局": ["道路运输证", "从业资格证", "出租车营运证", "网约车许可", "货运车辆年审"],
    "住建局": ["施工许可", "商品房预售许可", "房屋租赁备案", "资质证书", "竣工验收备案"],
    "自然资源局": ["建设用地规划许可", "土地出让", "测绘成果", "林木采伐许可", "规划核实"],
    "司法局": ["公证办理", "法律援助", "律师执业", "人民调解", "司法鉴定"],
    "退役军人事务局": ["优待证办理", "抚恤补助", "安置登记", "档案接收", "光荣牌申领"],
    "城管局": ["户外广告许可", "占道审批", "渣土运输许可", "绿化迁移", "门头招牌"],
    "残联": ["残疾人证办理", "康复补贴", "就业登记", "辅具申领", "生活补贴"],
}
DEPT_ORDER = list(DEPARTMENTS)
DEPT_CODES = ["SJ", "SW", "RS", "CR", "YB", "GJ", "BD", "MZ", "WJ", "JT", "ZJ", "ZR", "SF", "TY", "CG", "CL"]
TICKET_LETTERS = "ABCDEFGHJKLMNPRS"  # no Q, X, Y, Z: those start the dirt rows' ids

HEADERS = {
    "windows": {
        "en": ["window_id", "department", "staff", "kind", "locked"],
        "zh": ["窗口编号", "部门", "人员数", "窗口类型", "锁定"],
        "alias": ["window", "dept", "人数", "type", "保留"],
    },
    "matters": {
        "en": ["matter_id", "matter_name", "department", "weekly_volume", "avg_handle_min"],
        "zh": ["事项编码", "事项名称", "部门", "周办件量", "平均办理时长(分钟)"],
        "alias": ["事项编号", "name", "单位", "volume", "handle_min"],
    },
    "tickets": {
        "en": ["ticket_id", "issued_at", "called_at", "finished_at", "window_id", "department", "matter_id", "status"],
        "zh": ["排队号", "取号时间", "叫号时间", "办结时间", "窗口号", "部门", "事项编码", "状态"],
        "alias": ["流水号", "取号时间", "叫号时间", "结束时间", "窗口编号", "单位", "事项编码", "状态"],
    },
    "footfall": {"en": ["timestamp", "count"], "zh": ["日期", "客流量"], "alias": ["date", "visitors"]},
}
STATUS = {"en": ("served", "cancelled"), "zh": ("办结", "取消"), "blank": ("", "cancelled")}
BOOL = {"en": ("true", "false"), "zh": ("是", "否"), "alias": ("Y", "N")}

# --------------------------------------------------------------------------- shapes

# ranges: departments, windows per department, utilisation in the busiest slot, matters,
# peakiness of the hourly and weekday profile (1 = BASE_PROFILE, 0 = flat: every slot as busy
# as the busiest, so a flatter profile loads the whole day near the peak utilisation)
SHAPES = {
    "large": dict(depts=(4, 5), windows=(6, 12), util=(0.55, 0.9), matters=(2, 5), peaky=(0.6, 1.0)),
    "small": dict(depts=(10, 12), windows=(1, 3), util=(0.3, 0.9), matters=(1, 3), peaky=(0.6, 1.0)),
    "overloaded": dict(depts=(5, 7), windows=(1, 8), util=(0.9, 0.95), matters=(1, 5), peaky=(0.3, 0.6)),
    "light": dict(depts=(5, 8), windows=(1, 6), util=(0.3, 0.5), matters=(1, 5), peaky=(0.6, 1.0)),
    "mixed": dict(depts=(4, 12), windows=(1, 12), util=(0.3, 0.95), matters=(1, 5), peaky=(0.3, 1.0)),
    # small variants for CI (4-5 departments, few windows, quick to generate and plan)
    "ci-mixed": dict(depts=(4, 5), windows=(1, 5), util=(0.3, 0.95), matters=(1, 4), peaky=(0.3, 1.0)),
    "ci-overloaded": dict(depts=(4, 4), windows=(1, 4), util=(0.9, 0.95), matters=(1, 3), peaky=(0.3, 0.6)),
    "ci-light": dict(depts=(4, 5), windows=(1, 4), util=(0.3, 0.5), matters=(1, 3), peaky=(0.6, 1.0)),
}

DEFAULT_STYLE = dict(
    encoding="utf-8",  # utf-8 | utf-8-sig | gbk
    headers="en",  # en | zh | alias
    datefmt="iso",  # iso | slash | T
    window_ids="prefix",  # prefix (W01) | numeric (1..) | zh (3号窗口)
    ticket_ids="dept",  # dept (A001 per department) | hall (0001 hall-wide)
    status="en",  # en | zh | blank (served rows leave status empty)
    tickets_ext="csv",  # csv | tsv
    sort="time",  # time | dept (rows grouped by department, then ticket id)
    footfall=False,
    extra_column=False,  # an unknown column (备注) hallplan must ignore
    ticket_department=True,  # False: tickets carry matter_id only
    sessions=((540, 720), (810, 1020)),  # 09:00-12:00, 13:30-17:00 (minutes after midnight)
    start=(2023, 3, 6),  # a Monday
    dirt=dict(bad_date=2, duplicate_id=2, unknown_window=2, finished_before_called=2),
    replications=50,
)

SETS = {
    "ci": [
        dict(name="ci1-mixed-gbk", shape="ci-mixed", seed=113,
             style=dict(encoding="gbk", headers="zh", status="zh", window_ids="zh", replications=30)),
        dict(name="ci2-overloaded", shape="ci-overloaded", seed=102,
             style=dict(datefmt="slash", ticket_ids="hall", sessions=((510, 720), (840, 1050)), replications=30)),
        dict(name="ci3-light-alias", shape="ci-light", seed=116,
             style=dict(headers="alias", tickets_ext="tsv", status="blank", footfall=True, replications=30)),
    ],
    "full": [
        dict(name="h01-large", shape="large", seed=201, style=dict()),
        dict(name="h02-large-gbk", shape="large", seed=202,
             style=dict(encoding="gbk", headers="zh", status="zh", window_ids="numeric", footfall=True)),
        dict(name="h03-small", shape="small", seed=203, style=dict(ticket_ids="hall", datefmt="T")),
        dict(name="h04-small-zh", shape="small", seed=204,
             style=dict(headers="zh", encoding="utf-8-sig", window_ids="zh", sort="dept")),
        dict(name="h05-overloaded", shape="overloaded", seed=205,
             style=dict(datefmt="slash", sessions=((510, 720), (840, 1050)))),
        dict(name="h06-overloaded-tsv", shape="overloaded", seed=206,
             style=dict(tickets_ext="tsv", headers="alias", status="blank", extra_column=True)),
        dict(name="h07-light", shape="light", seed=207, style=dict(footfall=True)),
        dict(name="h08-light-nodept", shape="light", seed=208,
             style=dict(ticket_department=False, window_ids="numeric")),
        dict(name="h09-mixed", shape="mixed", seed=209, style=dict()),
        dict(name="h10-mixed-gbk", shape="mixed", seed=210,
             style=dict(encoding="gbk", headers="zh", status="zh", sessions=((540, 720), (840, 1035)))),
        dict(name="h11-mixed", shape="mixed", seed=211,
             style=dict(ticket_ids="hall", datefmt="T", sort="dept", footfall=True)),
    ],
}

MAX_REDRAWS = 50
BASE_PROFILE = {8: 0.7, 9: 0.85, 10: 1.0, 11: 0.7, 12: 0.5, 13: 0.6, 14: 0.95, 15: 1.0, 16: 0.7, 17: 0.55}
WEEKDAY_FACTOR = [1.15, 1.0, 0.95, 1.0, 0.9]

# --------------------------------------------------------------------------- model of a hall


@dataclass
class MatterSpec:
    matter_id: str
    name: str
    mean: float
    cv: float
    family: str
    share: float


@dataclass
class DeptSpec:
    name: str
    code: str
    letter: str
    window_ids: list[str]
    staff: list[int]
    matters: list[MatterSpec]
    util_peak: float
    cancel_share: float
    profile: dict[int, float]  # clock hour -> multiplier
    weekday: list[float]  # Monday..Friday multipliers
    rosters: list[list[tuple[float, float]]]  # per session: per window (from, to), minutes from session start
    scale: float = 0.0  # tickets per minute before profile and weekday factors

    @property
    def mean_handle(self) -> float:
        return sum(m.share * m.mean for m in self.matters)


def session_slots(start: int, end: int) -> list[tuple[int, int]]:
    """Clock-hour slots of a session in minutes after midnight (a part hour is its own slot)."""
    cuts = [start] + [h * 60 for h in range(start // 60 + 1, (end - 1) // 60 + 1)] + [end]
    return list(zip(cuts[:-1], cuts[1:]))


def on_duty_in(roster, a: float, b: float) -> float:
    """Average number of windows on duty over [a, b) (minutes from session start)."""
    tot = 0.0
    for f, t in roster:
        lo, hi = max(a, f), min(b, t)
        tot += max(0.0, hi - lo)
    return tot / (b - a)


def build_hall(shape: str, seed: int, style: dict) -> tuple[list[DeptSpec], dict]:
    rng = np.random.default_rng(seed_for(seed, 1))
    sh = SHAPES[shape]
    nd = int(rng.integers(sh["depts"][0], sh["depts"][1] + 1))
    names = [DEPT_ORDER[i] for i in sorted(rng.choice(len(DEPT_ORDER), size=nd, replace=False))]
    sessions = style["sessions"]
    depts: list[DeptSpec] = []
    wno = 0
    for di, name in enumerate(names):
        code = DEPT_CODES[DEPT_ORDER.index(name)]
        n = int(rng.integers(sh["windows"][0], sh["windows"][1] + 1))
        wids = []
        for _ in range(n):
            wno += 1
            wids.append(
                {"prefix": f"W{wno:02d}", "numeric": str(100 + wno), "zh": f"{wno}号窗口"}[style["window_ids"]]
            )
        staff = [2 if rng.random() < 0.3 else 1 for _ in range(n)]
        k = int(rng.integers(sh["matters"][0], sh["matters"][1] + 1))
        mnames = list(DEPARTMENTS[name])
        picks = sorted(rng.choice(len(mnames), size=k, replace=False))
        shares = rng.dirichlet([2.0] * k)
        matters = []
        for j, pi in enumerate(picks):
            mean = float(np.exp(rng.uniform(math.log(2.0), math.log(30.0))))
            cv = float(rng.uniform(0.5, 1.2))
            family = "gamma" if cv <= 0.8 else "lognormal"
            matters.append(
                MatterSpec(
                    matter_id=f"3301{seed % 100:02d}-{code}-{pi + 1:03d}",
                    name=mnames[pi],
                    mean=round(mean, 1),
                    cv=round(cv, 2),
                    family=family,
                    share=float(shares[j]),
                )
            )
        util = float(rng.uniform(*sh["util"]))
        cancel = float(rng.uniform(0.02, 0.05))
        peaky = float(rng.uniform(*sh["peaky"]))
        profile = {h: (1 - peaky * (1 - v)) * float(rng.uniform(0.8, 1.2)) for h, v in BASE_PROFILE.items()}
        weekday = [(1 + peaky * (v - 1)) * float(rng.uniform(0.95, 1.05)) for v in WEEKDAY_FACTOR]
        rosters = []
        for si, (s0, s1) in enumerate(sessions):
            ros = [(0.0, INF) for _ in range(n)]
            if n >= 2:
                # shifts: one window comes an hour late in the morning, one leaves an hour
                # early in the afternoon (never window 1: someone is always there)
                if si == 0 and rng.random() < 0.6:
                    w = int(rng.integers(1, n))
                    ros[w] = (60.0, INF)
                if si == len(sessions) - 1 and rng.random() < 0.6:
                    w = int(rng.integers(1, n))
                    ros[w] = (ros[w][0], float(s1 - s0 - 60))
                if n >= 6 and rng.random() < 0.5:
                    w = int(rng.integers(1, n))
                    ros[w] = (ros[w][0], min(ros[w][1], float(s1 - s0 - 90)))
            rosters.append(ros)
        d = DeptSpec(
            name=name,
            code=code,
            letter=TICKET_LETTERS[di],
            window_ids=wids,
            staff=staff,
            matters=matters,
            util_peak=util,
            cancel_share=cancel,
            profile=profile,
            weekday=weekday,
            rosters=rosters,
        )
        # scale so that the busiest slot of the busiest weekday has utilisation util:
        # served rate * mean handling / windows on duty in that slot
        worst = 0.0
        for si, (s0, s1) in enumerate(sessions):
            for a, b in session_slots(s0, s1):
                c = on_duty_in(d.rosters[si], a - s0, b - s0)
                load = d.profile[a // 60] * max(d.weekday) * (1 - cancel) * d.mean_handle / c
                worst = max(worst, load)
        d.scale = util / worst
        depts.append(d)
    return depts, {"names": names}


def session_spec(d: DeptSpec, si: int, weekday: int, s0: int, s1: int, roster) -> SessionSpec:
    slots = session_slots(s0, s1)
    return SessionSpec(
        slot_ends=[float(b - s0) for _, b in slots],
        slot_rates=[d.scale * d.profile[a // 60] * d.weekday[weekday] for a, _ in slots],
        cancel_share=d.cancel_share,
        roster=roster,
    )


def open_days(style) -> list[dt.date]:
    d0 = dt.date(*style["start"])
    days = []
    d = d0
    while len(days) < 20:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def simulate_hall(depts: list[DeptSpec], style: dict, seed: int, rep: int):
    """All days and sessions of every department for replication rep (0 = the written log).

    Returns per department a list of served (day, si, issued_s, called_s, finished_s, window, matter)
    and cancelled (day, si, issued_s, matter), times in whole seconds after midnight (floored, so a ticket issued before closing
    never reads as issued at closing), plus the
    count of windows that came back late from lunch because the morning queue was still draining
    and the count of sessions drawn again because their queue would have waited across lunch.
    """
    sessions = style["sessions"]
    days = open_days(style)
    out = []
    for di, d in enumerate(depts):
        ciw_matters = [Matter(m.matter_id, m.mean, m.cv, m.family, m.share) for m in d.matters]
        served, cancelled, late, redrawn = [], [], 0, 0
        for dayi, day in enumerate(days):
            free_at = [0.0] * len(d.window_ids)  # clock minute each window is free
            for si, (s0, s1) in enumerate(sessions):
                roster = []
                for k, (f, t) in enumerate(d.rosters[si]):
                    if free_at[k] > s0 + f:  # still serving the previous session's queue
                        late += 1
                        f = free_at[k] - s0
                    roster.append((f, t))
                spec = session_spec(d, si, day.weekday(), s0, s1, roster)
                # no wait crosses lunch: a morning whose queue is still waiting when the
                # afternoon opens is drawn again (next attempt's seed); see README
                nxt = sessions[si + 1][0] - s0 if si + 1 < len(sessions) else INF
                for attempt in range(MAX_REDRAWS + 1):
                    parts = (seed, rep, di, dayi, si) + ((attempt,) if attempt else ())
                    sv, cx = simulate_session(ciw_matters, spec, seed_for(*parts))
                    if all(start < nxt for _, start, _, _, _ in sv):
                        break
                else:
                    raise RuntimeError(f"{d.name}: morning queue crosses lunch in {MAX_REDRAWS} draws")
                redrawn += attempt
                for arr, start, end, w, key in sv:
                    i, c, f_ = (math.floor((s0 + x) * 60) for x in (arr, start, end))
                    served.append((dayi, si, i, c, f_, w, key))
                    free_at[w - 1] = max(free_at[w - 1], s0 + end)
                for arr, key in cx:
                    cancelled.append((dayi, si, math.floor((s0 + arr) * 60), key))
        out.append((served, cancelled, late, redrawn))
    return out


def dept_waits(served) -> np.ndarray:
    return np.array([(c - i) / 60.0 for (_, _, i, c, _, _, _) in served], dtype=float)


# --------------------------------------------------------------------------- writing


def fmt_time(day: dt.date, sec: int, datefmt: str) -> str:
    h, rem = divmod(int(sec), 3600)
    m, s = divmod(rem, 60)
    if datefmt == "iso":
        return f"{day:%Y-%m-%d} {h:02d}:{m:02d}:{s:02d}"
    if datefmt == "T":
        return f"{day:%Y-%m-%d}T{h:02d}:{m:02d}:{s:02d}"
    if datefmt == "slash":
        return f"{day.year}/{day.month}/{day.day} {h}:{m:02d}:{s:02d}"
    raise ValueError(datefmt)


def write_table(path: str, header: list[str], rows: list[list], encoding: str, delimiter: str = ","):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    with open(path, "wb") as f:
        f.write(buf.getvalue().encode(encoding))


def ticket_rows(depts, sim, style, days):
    """Clean ticket rows (list of dicts with contract keys) in the hall's row order."""
    rows = []
    for di, (d, (served, cancelled, _, _)) in enumerate(zip(depts, sim)):
        for dayi, si, i, c, f, w, key in served:
            rows.append(dict(day=dayi, issued=i, called=c, finished=f, window=d.window_ids[w - 1],
                             dept=di, matter=key, status="served"))
        for dayi, si, i, key in cancelled:
            rows.append(dict(day=dayi, issued=i, called=None, finished=None, window="",
                             dept=di, matter=key, status="cancelled"))
    # ticket ids restart every morning: per department letter + sequence, or hall-wide sequence
    rows.sort(key=lambda r: (r["day"], r["issued"], r["dept"], r["matter"], r["status"]))
    seq = {}
    for r in rows:
        if style["ticket_ids"] == "dept":
            k = (r["day"], r["dept"])
            seq[k] = seq.get(k, 0) + 1
            r["id"] = f"{depts[r['dept']].letter}{seq[k]:03d}"
        else:
            seq[r["day"]] = seq.get(r["day"], 0) + 1
            r["id"] = f"{seq[r['day']]:04d}"
    if style["sort"] == "dept":
        rows.sort(key=lambda r: (r["day"], r["dept"], r["issued"], r["id"]))
    return rows


def render_ticket(r, depts, style, days):
    day = days[r["day"]]
    served_s, cancel_s = STATUS[style["status"]]
    status = served_s if r["status"] == "served" else cancel_s
    row = [
        r["id"],
        fmt_time(day, r["issued"], style["datefmt"]) if isinstance(r["issued"], int) else r["issued"],
        "" if r["called"] is None else fmt_time(day, r["called"], style["datefmt"]),
        "" if r["finished"] is None else fmt_time(day, r["finished"], style["datefmt"]),
        r["window"],
        depts[r["dept"]].name,
        r["matter"],
        status,
    ]
    return row


def add_dirt(rows, style, rng, days):
    """Broken rows hallplan must reject; returns (rows with dirt, counts per kind)."""
    served = [i for i, r in enumerate(rows) if r["status"] == "served"]
    counts = dict(style["dirt"])
    inserts = []  # (after index, row)
    n = 0
    for kind in ("bad_date", "duplicate_id", "unknown_window", "finished_before_called"):
        for _ in range(counts.get(kind, 0)):
            n += 1
            at = int(served[int(rng.integers(len(served)))])
            base = dict(rows[at])
            if kind == "bad_date":
                base["id"] = f"X{900 + n}"
                base["issued"] = f"{days[base['day']].year}-02-30 10:{10 + n:02d}:00"
            elif kind == "duplicate_id":
                pass  # the same ticket exported twice
            elif kind == "unknown_window":
                base["id"] = f"Y{900 + n}"
                base["window"] = "Z99"
            elif kind == "finished_before_called":
                base["id"] = f"Q{900 + n}"
                base["finished"] = base["called"] - 300
            inserts.append((at, kind, base))
    out = list(rows)
    for at, kind, base in sorted(inserts, key=lambda x: -x[0]):
        out.insert(at + 1, base)
    return out, counts


def write_hall(out_dir: str, name: str, shape: str, seed: int, style_over: dict, log=print):
    style = dict(DEFAULT_STYLE)
    style.update(style_over)
    t0 = time.time()
    depts, _ = build_hall(shape, seed, style)
    days = open_days(style)
    hall_dir = os.path.join(out_dir, name)
    os.makedirs(hall_dir, exist_ok=True)
    for f in os.listdir(hall_dir):
        os.remove(os.path.join(hall_dir, f))
    sim = simulate_hall(depts, style, seed, rep=0)
    enc = style["encoding"]
    hs = style["headers"]
    bools = BOOL.get(hs, BOOL["en"])

    # windows
    wrows = []
    for d in depts:
        for wid, st in zip(d.window_ids, d.staff):
            wrows.append([wid, d.name, st, "department", bools[1]])
    write_table(os.path.join(hall_dir, "windows.csv"), HEADERS["windows"][hs], wrows, enc)

    # matters: catalogue mean handling, weekly in-person (served) volume of this log
    mrows = []
    for d, (served, _, _, _) in zip(depts, sim):
        for m in d.matters:
            vol = sum(1 for s in served if s[6] == m.matter_id) / 4.0
            mrows.append([m.matter_id, m.name, d.name, f"{vol:g}", f"{m.mean:g}"])
    write_table(os.path.join(hall_dir, "matters.csv"), HEADERS["matters"][hs], mrows, enc)

    # tickets
    rows = ticket_rows(depts, sim, style, days)
    clean = len(rows)
    rng = np.random.default_rng(seed_for(seed, 2))
    rows, dirt = add_dirt(rows, style, rng, days)
    header = list(HEADERS["tickets"][hs])
    rendered = [render_ticket(r, depts, style, days) for r in rows]
    if not style["ticket_department"]:
        header.pop(5)
        rendered = [r[:5] + r[6:] for r in rendered]
    if style["extra_column"]:
        header.append("备注")
        rendered = [r + [""] for r in rendered]
    ext = style["tickets_ext"]
    write_table(os.path.join(hall_dir, f"tickets.{ext}"), header, rendered, enc, "\t" if ext == "tsv" else ",")

    # footfall: daily entrance counts (tickets issued x a companion factor)
    if style["footfall"]:
        frows = []
        for dayi, day in enumerate(days):
            n = sum(1 for r in rows if r["day"] == dayi)
            frows.append([f"{day:%Y-%m-%d}", int(round(n * float(rng.uniform(1.3, 1.6))))])
        write_table(os.path.join(hall_dir, "footfall.csv"), HEADERS["footfall"][hs], frows, enc)
    t_log = time.time() - t0

    # the long-run expected wait: independent replications of the same four weeks
    reps = style["replications"]
    per_rep = [[] for _ in depts]
    redraws = [0 for _ in depts]
    for rep in range(1, reps + 1):
        for di, (served, _, _, rd) in enumerate(simulate_hall(depts, style, seed, rep)):
            w = dept_waits(served)
            per_rep[di].append(float(w.mean()) if len(w) else float("nan"))
            redraws[di] += rd

    truth_depts = {}
    for di, (d, (served, cancelled, late, redrawn)) in enumerate(zip(depts, sim)):
        w = dept_waits(served)
        r = np.array(per_rep[di])
        sess = style["sessions"]
        c_on = [[round(on_duty_in(d.rosters[si], a - s0, b - s0), 3) for a, b in session_slots(s0, s1)]
                for si, (s0, s1) in enumerate(sess)]
        truth_depts[d.name] = dict(
            observed=dict(
                mean_wait_min=round(float(w.mean()), 4) if len(w) else None,
                p90_wait_min=round(float(np.percentile(w, 90)), 4) if len(w) else None,
                served=int(len(w)),
                cancelled=int(len(cancelled)),
                mean_handle_min=round(float(np.mean([(s[4] - s[3]) / 60 for s in served])), 4) if served else None,
            ),
            expected=dict(
                mean_wait_min=round(float(r.mean()), 4),
                se_min=round(float(r.std(ddof=1) / math.sqrt(len(r))), 4) if len(r) > 1 else None,
                replications=int(len(r)),
                mornings_redrawn_share=round(redraws[di] / (reps * len(days) * (len(sess) - 1)), 5),
            ),
            windows=d.window_ids,
            staff=d.staff,
            utilisation_busiest_slot=round(d.util_peak, 4),
            cancel_share=round(d.cancel_share, 4),
            mean_handle_min=round(d.mean_handle, 3),
            matters=[dict(matter_id=m.matter_id, name=m.name, mean_min=m.mean, cv=m.cv,
                          family=m.family, share=round(m.share, 4)) for m in d.matters],
            hourly_profile={f"{h:02d}": round(v, 4) for h, v in d.profile.items()},
            weekday_factor=[round(v, 4) for v in d.weekday],
            tickets_per_minute_scale=round(d.scale, 6),
            rosters=[[[f, None if math.isinf(t) else t] for f, t in ros] for ros in d.rosters],
            windows_on_duty_per_slot=c_on,
            late_returns_from_lunch=late,
            sessions_redrawn=redrawn,
            served_by_window=[sum(1 for x in served if x[5] == k + 1) for k in range(len(d.window_ids))],
        )
    truth = dict(
        hall=name,
        shape=shape,
        seed=seed,
        generator=dict(script="validation/gen_halls.py", version=GENERATOR_VERSION, ciw=ciw.__version__,
                       numpy=np.__version__),
        note="Not read by hallplan. " + WAIT_FLOOR_NOTE
        + "; expected = mean over independent replications of the same four weeks (other seeds) "
        "of each replication's mean wait, se = its standard error; p90 = numpy linear percentile.",
        days=[f"{d:%Y-%m-%d}" for d in days],
        sessions=[[f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"] for a, b in style["sessions"]],
        style={k: (list(v) if isinstance(v, tuple) else v) for k, v in style.items() if k not in ("dirt",)},
        files=sorted(f for f in os.listdir(hall_dir)),
        tickets=dict(rows_written=len(rows), clean_rows=clean,
                     served=sum(len(s[0]) for s in sim), cancelled=sum(len(s[1]) for s in sim)),
        dirt=dict(dirt, total=sum(dirt.values())),
        departments=truth_depts,
    )
    with open(os.path.join(hall_dir, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")
    log(f"{name}: {len(depts)} departments, {sum(len(d.window_ids) for d in depts)} windows, "
        f"{clean} tickets (+{sum(dirt.values())} dirt), log {t_log:.1f} s, "
        f"{reps} replications {time.time() - t0 - t_log:.1f} s")
    return truth


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", choices=sorted(SETS), help="a named set of halls")
    ap.add_argument("--shape", choices=sorted(SHAPES), help="one hall of this shape")
    ap.add_argument("--seed", type=int, default=1, help="seed of the --shape hall")
    ap.add_argument("--name", help="folder name of the --shape hall")
    ap.add_argument("--replications", type=int, help="override replications for the expected wait")
    ap.add_argument("--only", help="comma-separated hall names of the set to generate")
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    if not a.set and not a.shape:
        ap.error("give --set or --shape")
    halls = SETS[a.set] if a.set else [dict(name=a.name or f"{a.shape}-{a.seed}", shape=a.shape, seed=a.seed, style={})]
    if a.only:
        keep = set(a.only.split(","))
        halls = [h for h in halls if h["name"] in keep]
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    for h in halls:
        style = dict(h["style"])
        if a.replications:
            style["replications"] = a.replications
        write_hall(a.out, h["name"], h["shape"], h["seed"], style)
    print(f"{len(halls)} halls in {a.out} ({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
