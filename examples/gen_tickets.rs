//! Generates a large synthetic hall folder in the input contract (docs/input.md) for the
//! benchmarks: `windows.csv`, `matters.csv`, `footfall.csv` and `tickets.csv`.
//!
//! ```text
//! cargo run --release --example gen_tickets -- --tickets 10000000 --out /tmp/big
//! cargo run --release --example gen_tickets -- --tickets 1000000 --departments 200 \
//!     --windows 1000 --matters 1500 --out /tmp/city
//! ```
//!
//! Flags (defaults in brackets): `--tickets N` [10000000], `--out DIR` [required],
//! `--departments D` [20], `--windows W` [200], `--matters M` [300], `--seed S` [2020],
//! `--load LO:HI` [0.78:0.95] (each department's mean utilisation over the day is drawn
//! from this range), `--force` (replace the files of an existing folder).
//!
//! What it writes: D departments with Chinese names (the bureaus of a city service
//! hall; beyond 24 departments they are repeated per district, 西湖区市场监管局 …), W
//! windows spread over them by a Zipf-like weight, M matters spread the same way, and
//! open weekdays 09:00–17:00 from 2019-01-02 until N tickets are written (the last day is
//! cut at N). Each department is a real FCFS queue over its own windows: Poisson arrivals
//! with a two-peak hourly profile (peak hour 1.3× the day's mean, Mondays 8 % busier) at
//! the `--load` mean utilisation. The default gives realistic queues: the peak hours run
//! above 100 % and mean waits per department are about 2–11 min (p90 up to ~30 min). Such
//! a hall has no steady state at its peaks, so `hallplan plan` finds no feasible plan for
//! it under the default policy; `--load 0.55:0.68` keeps every hour below ~95 % (mean
//! waits under a minute) and gives a plannable hall, as benches/plan_bench.sh uses.
//! Gamma handling times
//! (cs² = 0.5) around the matter's mean, ~3 % no-shows (called, never served),
//! ~1 % cancellations (impatient visitors who left before being called). Tickets issued
//! before 17:00 are served in overtime. Rows of a day are sorted by issue time.
//!
//! Deterministic: the same flags give the same bytes (ChaCha8, one stream).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use hallplan::hall::time;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Gamma};

const BUREAUS: [&str; 24] = [
    "市场监管局",
    "税务局",
    "人社局",
    "医保局",
    "公积金中心",
    "不动产登记中心",
    "公安局出入境",
    "公安局户政",
    "民政局",
    "住建局",
    "商务局",
    "发改局",
    "卫健局",
    "教育局",
    "交通运输局",
    "生态环境局",
    "司法局",
    "城管局",
    "农业农村局",
    "残联",
    "退役军人事务局",
    "自然资源局",
    "文广旅体局",
    "水利局",
];

const DISTRICTS: [&str; 13] = [
    "上城区",
    "拱墅区",
    "西湖区",
    "滨江区",
    "萧山区",
    "余杭区",
    "临平区",
    "钱塘区",
    "富阳区",
    "临安区",
    "桐庐县",
    "淳安县",
    "建德市",
];

const MATTER_VERBS: [&str; 30] = [
    "设立登记",
    "变更登记",
    "注销登记",
    "备案",
    "证明开具",
    "资格认定",
    "许可申请",
    "许可延续",
    "证照补办",
    "年度审验",
    "信息查询",
    "转移登记",
    "抵押登记",
    "待遇申领",
    "参保登记",
    "费用报销",
    "缴存基数调整",
    "提取申请",
    "证件签发",
    "换领",
    "咨询受理",
    "核验",
    "审核确认",
    "补贴申领",
    "证书打印",
    "档案调阅",
    "预审",
    "异议处理",
    "申报",
    "退费",
];

const MERGE_GROUPS: [&str; 4] = ["企业开办", "不动产登记", "社保医保", "证件办理"];

/// Hourly arrival profile for 09..17 (mean 1): a morning and an afternoon peak.
const PROFILE: [f64; 8] = [0.85, 1.3, 1.2, 0.75, 0.8, 1.15, 1.2, 0.75];
const OPEN_S: i64 = 9 * 3600;
const HOURS: usize = 8;
const NO_SHOW_P: f64 = 0.03;
const IMPATIENT_P: f64 = 0.08;
const PATIENCE_MEAN_S: f64 = 900.0;
const SERVICE_CS2: f64 = 0.5;

struct Args {
    tickets: u64,
    out: PathBuf,
    departments: usize,
    windows: usize,
    matters: usize,
    seed: u64,
    load: (f64, f64),
    force: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_tickets --out DIR [--tickets N] [--departments D] [--windows W] [--matters M] [--load LO:HI] [--seed S] [--force]"
    );
    std::process::exit(1)
}

fn parse_args() -> Args {
    let mut a = Args {
        tickets: 10_000_000,
        out: PathBuf::new(),
        departments: 20,
        windows: 200,
        matters: 300,
        seed: 2020,
        load: (0.78, 0.95),
        force: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--force" {
            a.force = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            usage();
        }
        let Some(v) = it.next() else { usage() };
        let num = |v: &str| -> u64 {
            v.replace('_', "").parse().unwrap_or_else(|_| {
                eprintln!("error: {flag} expects a whole number, got {v:?}");
                std::process::exit(1)
            })
        };
        match flag.as_str() {
            "--tickets" => a.tickets = num(&v),
            "--departments" => a.departments = num(&v) as usize,
            "--windows" => a.windows = num(&v) as usize,
            "--matters" => a.matters = num(&v) as usize,
            "--seed" => a.seed = num(&v),
            "--out" => a.out = PathBuf::from(v),
            "--load" => {
                let parts: Vec<f64> = v.split(':').filter_map(|x| x.parse().ok()).collect();
                match parts[..] {
                    [lo, hi] if 0.0 < lo && lo <= hi && hi < 1.0 => a.load = (lo, hi),
                    _ => {
                        eprintln!("error: --load expects LO:HI with 0 < LO ≤ HI < 1, got {v:?}");
                        std::process::exit(1)
                    }
                }
            }
            _ => {
                eprintln!("error: unknown flag {flag}");
                usage()
            }
        }
    }
    if a.out.as_os_str().is_empty() {
        usage();
    }
    if a.departments == 0 || a.windows < a.departments || a.matters < a.departments {
        eprintln!("error: need 1 ≤ departments ≤ windows and departments ≤ matters");
        std::process::exit(1)
    }
    a
}

/// Letters code of department `i`: A..Z, AA..AZ, BA.. (never I or O, which look like digits).
fn code(mut i: usize) -> String {
    const L: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut s = Vec::new();
    loop {
        s.push(L[i % L.len()]);
        i /= L.len();
        if i == 0 {
            break;
        }
        i -= 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// Splits `total` into `weights.len()` integer parts ≥ 1, proportional to the weights.
fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let n = weights.len();
    let sum: f64 = weights.iter().sum();
    let spare = (total - n) as f64;
    let exact: Vec<f64> = weights.iter().map(|w| spare * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| 1 + x.floor() as usize).collect();
    let mut left = total - parts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

struct Dept {
    name: String,
    code: String,
    /// Window indices (global) of this department.
    windows: Vec<usize>,
    /// Matter indices (global).
    matters: Vec<usize>,
    pick: WeightedIndex<f64>,
    /// Arrivals per second in each open hour.
    rate: [f64; HOURS],
}

struct Matter {
    id: String,
    name: String,
    dept: usize,
    handle_min: f64,
    service: Gamma<f64>,
    online: bool,
    backoffice: bool,
    in_person: bool,
    group: Option<String>,
}

/// One ticket of a day before it is written.
#[derive(Clone, Copy)]
struct Row {
    issued: u32,
    called: u32,
    finished: u32,
    dept: u32,
    matter: u32,
    window: u32,
    number: u32,
    /// 0 served, 1 no-show, 2 cancelled.
    status: u8,
}

const NONE: u32 = u32::MAX;

fn push2(buf: &mut Vec<u8>, v: u32) {
    buf.push(b'0' + (v / 10) as u8);
    buf.push(b'0' + (v % 10) as u8);
}

/// `YYYY-MM-DD HH:MM:SS` with the date prefix precomputed.
fn push_stamp(buf: &mut Vec<u8>, date: &[u8], s: u32) {
    buf.extend_from_slice(date);
    buf.push(b' ');
    push2(buf, s / 3600);
    buf.push(b':');
    push2(buf, s / 60 % 60);
    buf.push(b':');
    push2(buf, s % 60);
}

fn create(path: &PathBuf) -> BufWriter<File> {
    let f = File::create(path).unwrap_or_else(|e| {
        eprintln!("error: cannot create {}: {e}", path.display());
        std::process::exit(1)
    });
    BufWriter::with_capacity(1 << 20, f)
}

fn main() -> std::io::Result<()> {
    let args = parse_args();
    let clock = Instant::now();
    if args.out.join("tickets.csv").exists() && !args.force {
        eprintln!(
            "error: {} already holds tickets.csv (use --force to replace)",
            args.out.display()
        );
        std::process::exit(1)
    }
    std::fs::create_dir_all(&args.out)?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);

    // Departments: names, Zipf-like weights in shuffled order.
    let nd = args.departments;
    let names: Vec<String> = (0..nd)
        .map(|i| {
            if nd <= BUREAUS.len() {
                BUREAUS[i].to_string()
            } else {
                let district = DISTRICTS[i / BUREAUS.len() % DISTRICTS.len()];
                let round = i / (BUREAUS.len() * DISTRICTS.len());
                let suffix = if round == 0 {
                    String::new()
                } else {
                    format!("{}分中心", round + 1)
                };
                format!("{district}{}{suffix}", BUREAUS[i % BUREAUS.len()])
            }
        })
        .collect();
    let mut weights: Vec<f64> = (0..nd)
        .map(|i| 1.0 / (1.0 + i as f64 % BUREAUS.len() as f64).powf(0.8))
        .collect();
    for w in weights.iter_mut() {
        *w *= rng.random_range(0.7..1.3);
    }
    let win_counts = apportion(args.windows, &weights);
    let matter_counts = apportion(args.matters, &weights);

    // Matters.
    let mut matters: Vec<Matter> = Vec::with_capacity(args.matters);
    let mut depts: Vec<Dept> = Vec::with_capacity(nd);
    let mut next_window = 0;
    for d in 0..nd {
        let code = code(d);
        let short = BUREAUS[d % BUREAUS.len()];
        let district = if nd > BUREAUS.len() {
            DISTRICTS[d / BUREAUS.len() % DISTRICTS.len()]
        } else {
            ""
        };
        let mut mw = Vec::new();
        let mut ids = Vec::new();
        for k in 0..matter_counts[d] {
            let handle_min: f64 = (rng.random_range(1.2f64..3.3)).exp(); // 3.3 … 27 min
            let group = if rng.random_bool(0.15) {
                Some(format!(
                    "{district}{}",
                    MERGE_GROUPS[d % MERGE_GROUPS.len()]
                ))
            } else {
                None
            };
            let verb = MATTER_VERBS[(k * 7 + d) % MATTER_VERBS.len()];
            let round = k / MATTER_VERBS.len();
            let name = if round == 0 {
                format!("{short}{verb}")
            } else {
                format!("{short}{verb}（{}）", round + 1)
            };
            let in_person = rng.random_bool(0.1);
            ids.push(matters.len());
            mw.push(1.0 / (1.0 + k as f64).powf(0.9));
            matters.push(Matter {
                id: format!("M{code}{:03}", k + 1),
                name,
                dept: d,
                handle_min,
                service: Gamma::new(1.0 / SERVICE_CS2, handle_min * 60.0 * SERVICE_CS2)
                    .expect("positive"),
                online: !in_person && rng.random_bool(0.35),
                backoffice: !in_person && rng.random_bool(0.2),
                in_person,
                group,
            });
        }
        // Mean handling time of the mix gives the arrival rate for the target load.
        let wsum: f64 = mw.iter().sum();
        let mean_s: f64 = ids
            .iter()
            .zip(&mw)
            .map(|(&m, w)| w / wsum * matters[m].handle_min * 60.0)
            .sum();
        let load = rng.random_range(args.load.0..=args.load.1);
        let c = win_counts[d] as f64;
        let mut rate = [0.0; HOURS];
        for (h, r) in rate.iter_mut().enumerate() {
            *r = load * c / mean_s * PROFILE[h];
        }
        depts.push(Dept {
            name: names[d].clone(),
            code,
            windows: (next_window..next_window + win_counts[d]).collect(),
            matters: ids,
            pick: WeightedIndex::new(&mw).expect("positive weights"),
            rate,
        });
        next_window += win_counts[d];
    }
    let window_ids: Vec<String> = depts
        .iter()
        .flat_map(|d| (0..d.windows.len()).map(move |k| format!("{}{:02}", d.code, k + 1)))
        .collect();

    // windows.csv
    let mut w = create(&args.out.join("windows.csv"));
    writeln!(w, "window_id,department,staff,kind,merge_group,locked")?;
    for (di, d) in depts.iter().enumerate() {
        for (k, &wi) in d.windows.iter().enumerate() {
            // The first window of every fifth department is locked (e.g. a VIP counter).
            let locked = k == 0 && di % 5 == 0;
            writeln!(w, "{},{},1,department,,{}", window_ids[wi], d.name, locked)?;
        }
    }
    w.flush()?;

    // tickets.csv, day by day, and the per-matter counts for matters.csv.
    let exp1 = Exp::new(1.0).expect("rate 1");
    let patience = Exp::new(1.0 / PATIENCE_MEAN_S).expect("positive");
    let mut per_matter = vec![0u64; matters.len()];
    let mut tickets = create(&args.out.join("tickets.csv"));
    tickets.write_all(
        b"ticket_id,issued_at,called_at,finished_at,window_id,department,matter_id,status\n",
    )?;
    let mut footfall: Vec<(String, u64)> = Vec::new();
    let mut day = time::days_from_civil(2019, 1, 2);
    let mut written: u64 = 0;
    let mut rows: Vec<Row> = Vec::new();
    let mut free: Vec<u32> = Vec::new();
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 22);
    let mut id = String::new();
    let mut days = 0u64;
    while written < args.tickets {
        let weekday = (day + 3).rem_euclid(7);
        if weekday >= 5 {
            day += 1;
            continue;
        }
        // Mondays busier, Fridays quieter.
        let day_factor = [1.08, 1.0, 1.0, 0.97, 0.95][weekday as usize];
        rows.clear();
        for (di, d) in depts.iter().enumerate() {
            free.clear();
            free.resize(d.windows.len(), OPEN_S as u32);
            let mut number = 0u32;
            let mut rot = 0usize;
            for h in 0..HOURS {
                let rate = d.rate[h] * day_factor;
                let mut t = (OPEN_S + 3600 * h as i64) as f64;
                let end = t + 3600.0;
                loop {
                    t += exp1.sample(&mut rng) / rate;
                    if t >= end {
                        break;
                    }
                    let issued = t as u32;
                    let mi = d.matters[d.pick.sample(&mut rng)];
                    number += 1;
                    // Earliest free window; ties rotate so all windows get used.
                    let c = free.len();
                    let mut best = rot % c;
                    for j in 0..c {
                        let k = (rot + j) % c;
                        if free[k] < free[best] {
                            best = k;
                        }
                    }
                    rot += 1;
                    let start = free[best].max(issued);
                    let mut row = Row {
                        issued,
                        called: NONE,
                        finished: NONE,
                        dept: di as u32,
                        matter: mi as u32,
                        window: NONE,
                        number,
                        status: 0,
                    };
                    if rng.random_bool(IMPATIENT_P)
                        && f64::from(start - issued) > patience.sample(&mut rng)
                    {
                        row.status = 2;
                    } else if rng.random_bool(NO_SHOW_P) {
                        // Called, did not come: the window waits a minute and calls the next.
                        row.status = 1;
                        row.called = start;
                        free[best] = start + 60;
                    } else {
                        let s = matters[mi]
                            .service
                            .sample(&mut rng)
                            .clamp(30.0, 3.0 * 3600.0) as u32;
                        row.called = start;
                        row.finished = start + s;
                        row.window = d.windows[best] as u32;
                        free[best] = start + s;
                    }
                    rows.push(row);
                }
            }
        }
        rows.sort_by_key(|r| (r.issued, r.dept, r.number));
        let take = ((args.tickets - written) as usize).min(rows.len());
        let (y, m, dd) = time::civil_from_days(day);
        let date = format!("{y:04}-{m:02}-{dd:02}");
        let date_b = date.as_bytes();
        for r in &rows[..take] {
            let d = &depts[r.dept as usize];
            let mt = &matters[r.matter as usize];
            per_matter[r.matter as usize] += 1;
            id.clear();
            let _ = write!(id, "{}{:04}", d.code, r.number);
            buf.extend_from_slice(id.as_bytes());
            buf.push(b',');
            push_stamp(&mut buf, date_b, r.issued);
            buf.push(b',');
            if r.called != NONE {
                push_stamp(&mut buf, date_b, r.called);
            }
            buf.push(b',');
            if r.finished != NONE {
                push_stamp(&mut buf, date_b, r.finished);
            }
            buf.push(b',');
            if r.window != NONE {
                buf.extend_from_slice(window_ids[r.window as usize].as_bytes());
            }
            buf.push(b',');
            buf.extend_from_slice(d.name.as_bytes());
            buf.push(b',');
            buf.extend_from_slice(mt.id.as_bytes());
            buf.extend_from_slice(match r.status {
                0 => b",served\n".as_slice(),
                1 => b",no_show\n".as_slice(),
                _ => b",cancelled\n".as_slice(),
            });
            if buf.len() > (1 << 22) - 4096 {
                tickets.write_all(&buf)?;
                buf.clear();
            }
        }
        footfall.push((date, (take as f64 * rng.random_range(1.16..1.28)) as u64));
        written += take as u64;
        days += 1;
        day += 1;
    }
    tickets.write_all(&buf)?;
    tickets.flush()?;

    // matters.csv: weekly volume from the tickets written, mean handling time of the mix.
    let weeks = (days as f64 / 5.0).max(1.0 / 5.0);
    let mut w = create(&args.out.join("matters.csv"));
    writeln!(w, "matter_id,matter_name,department,weekly_volume,avg_handle_min,online_capable,online_share,backoffice_eligible,intake_min,merge_group,in_person_required")?;
    for (i, m) in matters.iter().enumerate() {
        let intake = if m.backoffice {
            format!("{:.1}", (m.handle_min * 0.3).max(2.0))
        } else {
            String::new()
        };
        writeln!(
            w,
            "{},{},{},{:.1},{:.1},{},,{},{},{},{}",
            m.id,
            m.name,
            depts[m.dept].name,
            per_matter[i] as f64 / weeks,
            m.handle_min,
            m.online,
            m.backoffice,
            intake,
            m.group.as_deref().unwrap_or(""),
            m.in_person
        )?;
    }
    w.flush()?;

    let mut w = create(&args.out.join("footfall.csv"));
    writeln!(w, "timestamp,count")?;
    for (d, n) in &footfall {
        writeln!(w, "{d},{n}")?;
    }
    w.flush()?;

    let bytes = std::fs::metadata(args.out.join("tickets.csv"))?.len();
    eprintln!(
        "wrote {} tickets ({:.2} GB) over {} open days, {} departments, {} windows, {} matters to {} in {:.1} s",
        written,
        bytes as f64 / 1e9,
        days,
        nd,
        args.windows,
        args.matters,
        args.out.display(),
        clock.elapsed().as_secs_f64()
    );
    Ok(())
}
