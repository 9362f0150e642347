//! `hallplan compare`: the before/after wait-time report analysts hand to leadership.

use std::path::{Path, PathBuf};

use super::profile::chart;
use crate::charts;
use crate::cli::CompareArgs;
use crate::compare::{self, Change, Side, Stats};
use crate::error::{Error, Result};
use crate::hall::{time, Hall};
use crate::ingest::{self, FileKind, LoadOptions, Needs};
use crate::optimise::Plan;
use crate::report::{self, Cell, Report, Table};

/// Loads one export: a hall folder or a ticket file.
fn load_side(path: &Path, base: &LoadOptions) -> Result<ingest::Loaded> {
    let mut opts = base.clone();
    opts.needs = Needs {
        windows: false,
        matters: false,
        tickets: true,
    };
    if path.is_dir() {
        ingest::load(Some(path), &opts)
    } else {
        opts.files.insert(FileKind::Tickets, path.to_path_buf());
        ingest::load(None, &opts)
    }
}

fn parse_range(s: &str, flag: &str) -> Result<(i64, i64)> {
    let bad = || Error::Config {
        what: flag.into(),
        message: format!("\"{s}\" is not a date range (expected YYYY-MM-DD..YYYY-MM-DD)"),
    };
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let day = |x: &str| {
        ingest::values::parse_datetime(x)
            .map(|(t, _)| time::day(t))
            .ok_or_else(bad)
    };
    let (a, b) = (day(a)?, day(b)?);
    if b < a {
        return Err(bad());
    }
    Ok((a, b))
}

pub fn run(args: CompareArgs) -> Result<()> {
    let mut inputs: Vec<PathBuf> = args
        .before
        .iter()
        .chain(args.after.iter())
        .chain(args.plan.iter())
        .chain(args.footfall.iter())
        .cloned()
        .collect();
    inputs.extend(args.data.data.iter().cloned());
    let out = super::output_dir(&args.out, "compare", &inputs)?;
    let base = super::load_options(&args.data, Needs::default())?;
    let ranges = match (&args.before_range, &args.after_range) {
        (Some(b), Some(a)) => Some((
            parse_range(b, "--before-range")?,
            parse_range(a, "--after-range")?,
        )),
        (None, None) => None,
        _ => {
            return Err(Error::Config {
                what: "--before-range/--after-range".into(),
                message: "give both ranges, or neither".into(),
            })
        }
    };
    let (rb, ra) = match ranges {
        Some((b, a)) => (Some(b), Some(a)),
        None => (None, None),
    };
    // Each side's figures, computed where the side was loaded when the two exports are
    // loaded at once.
    let mut early = None;
    let (before, after) = match (&args.before, &args.after, ranges) {
        (Some(b), Some(a), _) => {
            // Both exports at once: one's single-threaded stretches overlap the other's.
            let side = |p: &Path, range| {
                load_side(p, &base).map(|l| {
                    let s = compare::sides(&l.hall.tickets, range);
                    (l, s)
                })
            };
            let (lb, la) = std::thread::scope(|s| {
                let lb = s.spawn(|| side(b, rb));
                let la = side(a, ra);
                (lb.join(), la)
            });
            let (lb, sb) =
                lb.map_err(|_| Error::Solver("loading the before export failed".into()))??;
            let (la, sa) = la?;
            early = Some((sb, sa));
            (lb, la)
        }
        (b, None, Some(_)) => {
            let one = match (b, &args.data.data) {
                (Some(p), _) | (None, Some(p)) => p.clone(),
                (None, None) => super::sample_dir("binjiang")?,
            };
            let l = load_side(&one, &base)?;
            (l.clone(), l)
        }
        (None, None, None) => {
            let b = super::sample_dir("binjiang")?;
            let a = super::sample_dir("binjiang-after")?;
            eprintln!("note: no --before/--after given; comparing the bundled sample {} with {}", b.display(), a.display());
            (load_side(&b, &base)?, load_side(&a, &base)?)
        }
        _ => return Err(Error::Config { what: "--before/--after".into(), message: "give --before and --after (a hall folder or a ticket file each), or one export with --before-range and --after-range".into() }),
    };
    let plan: Option<Plan> = args.plan.as_deref().map(super::read_plan).transpose()?;
    let footfall = match &args.footfall {
        Some(p) => {
            let mut o = base.clone();
            o.files.insert(FileKind::Footfall, p.clone());
            Some(ingest::load(None, &o)?.hall.footfall)
        }
        None => None,
    };
    let clock = ingest::Clock::start();
    let (sb, sa) = match early {
        Some(s) => s,
        None => (
            compare::sides(&before.hall.tickets, rb),
            compare::sides(&after.hall.tickets, ra),
        ),
    };
    clock.lap("loaded, sides");
    let sim = match &plan {
        Some(p) if !before.hall.windows.is_empty() && !before.hall.matters.is_empty() => Some(
            crate::simulate::trace::replay(&before.hall, Some(p), p.policy.seed)?,
        ),
        _ => None,
    };
    let (rep, summary) = build(
        &sb,
        &sa,
        &args,
        plan.as_ref(),
        sim.as_ref(),
        footfall.as_deref(),
        &before.hall,
        &after.hall,
    )?;
    clock.lap("figures and bootstrap");
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("compare.xlsx", report::xlsx::render(&rep)?);
    clock.lap("report rendered");
    let mut rejected = before.rejected.clone();
    rejected.extend(after.rejected.iter().cloned());
    let l = ingest::Loaded {
        rejected,
        ..Default::default()
    };
    bundle.add("rejected_rows.csv", super::rejected_rows_csv(&l)?);
    super::commit(&out, bundle)
}

fn stat_cells(s: &Stats) -> Vec<Cell> {
    vec![
        Cell::num(s.tickets_per_day, 1),
        Cell::Pct(s.no_show_rate),
        Cell::num(s.windows_per_day, 1),
        Cell::opt(s.mean, 2),
        Cell::opt(s.median, 2),
        Cell::opt(s.p90, 2),
        s.share_over_10.map_or(Cell::Empty, Cell::Pct),
        s.share_over_20.map_or(Cell::Empty, Cell::Pct),
    ]
}

fn name(k: &str) -> &str {
    if k.is_empty() {
        "全厅 (whole hall)"
    } else {
        k
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    sb: &std::collections::BTreeMap<String, Side>,
    sa: &std::collections::BTreeMap<String, Side>,
    args: &CompareArgs,
    plan: Option<&Plan>,
    sim: Option<&crate::simulate::SimResult>,
    footfall: Option<&[crate::hall::Footfall]>,
    hb: &Hall,
    ha: &Hall,
) -> Result<(Report, serde_json::Value)> {
    let mut keys: Vec<&String> = sb.keys().filter(|k| sa.contains_key(*k)).collect();
    keys.sort_by_key(|k| (k.is_empty(), k.to_string()));
    let only_before: Vec<&String> = sb.keys().filter(|k| !sa.contains_key(*k)).collect();
    let only_after: Vec<&String> = sa.keys().filter(|k| !sb.contains_key(*k)).collect();
    // Each department's bootstrap has its own seed: the departments are shared out over
    // the cores and put back in order (same numbers as one after another).
    let one = |i: usize, k: &String| {
        (
            name(k).to_string(),
            compare::stats(&sb[k]),
            compare::stats(&sa[k]),
            compare::change(
                &sb[k],
                &sa[k],
                args.resamples,
                args.seed.wrapping_add(i as u64),
            ),
        )
    };
    let threads = ingest::threads().min(keys.len()).max(1);
    let changes: Vec<(String, Stats, Stats, Change)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let keys = &keys;
                s.spawn(move || {
                    (w..keys.len())
                        .step_by(threads)
                        .map(|i| (i, one(i, keys[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<(usize, (String, Stats, Stats, Change))> = Vec::new();
        for h in handles {
            all.extend(h.join().unwrap_or_default());
        }
        all.sort_by_key(|(i, _)| *i);
        all.into_iter().map(|(_, c)| c).collect()
    });
    if changes.len() != keys.len() {
        return Err(Error::Solver("a bootstrap thread failed".into()));
    }
    let mut r = Report::new("Before/after waiting times · 精简前后等候对比");
    r.heading("Verdict · 结论");
    let mut lines = Vec::new();
    for (n, b, a, c) in &changes {
        let ci = c
            .mean_ci
            .map(|(lo, hi)| format!(" (95% CI {lo:+.1} to {hi:+.1})"))
            .unwrap_or_default();
        lines.push(format!(
            "{n}: mean wait {} → {} min, change {}{ci}: {}.",
            fmt(b.mean),
            fmt(a.mean),
            c.mean_change.map_or("–".into(), |v| format!("{v:+.1}")),
            c.verdict.words()
        ));
    }
    r.bullets(lines);
    r.para(format!("Confidence intervals: percentile bootstrap over days ({} resamples, seed {}), because waits of one day move together; a department needs at least {} served tickets on {} days on each side for a verdict.", args.resamples, args.seed, compare::MIN_SERVED, compare::MIN_DAYS));
    let mut notes = Vec::new();
    if !only_before.is_empty() {
        notes.push(format!(
            "only before: {}",
            only_before
                .iter()
                .map(|k| name(k).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !only_after.is_empty() {
        notes.push(format!(
            "only after: {}",
            only_after
                .iter()
                .map(|k| name(k).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    r.bullets(notes);
    let cols = [
        "department",
        "before_tickets_per_day",
        "before_no_show",
        "before_windows_per_day",
        "before_mean",
        "before_median",
        "before_p90",
        "before_over_10",
        "before_over_20",
        "after_tickets_per_day",
        "after_no_show",
        "after_windows_per_day",
        "after_mean",
        "after_median",
        "after_p90",
        "after_over_10",
        "after_over_20",
    ];
    let mut t = Table::new(
        "departments",
        "Per department: before and after (waits in minutes, served tickets)",
        &cols,
    );
    for (n, b, a, _) in &changes {
        let mut row = vec![Cell::text(n)];
        row.extend(stat_cells(b));
        row.extend(stat_cells(a));
        t.row(row);
    }
    r.heading("Departments · 部门");
    r.table(t);
    let mut t = Table::new(
        "changes",
        "Change in wait (after − before) with 95% bootstrap CIs",
        &[
            "department",
            "mean_change",
            "mean_ci_low",
            "mean_ci_high",
            "p90_change",
            "p90_ci_low",
            "p90_ci_high",
            "verdict",
        ],
    );
    for (n, _, _, c) in &changes {
        t.row(vec![
            Cell::text(n),
            Cell::opt(c.mean_change, 2),
            Cell::opt(c.mean_ci.map(|x| x.0), 2),
            Cell::opt(c.mean_ci.map(|x| x.1), 2),
            Cell::opt(c.p90_change, 2),
            Cell::opt(c.p90_ci.map(|x| x.0), 2),
            Cell::opt(c.p90_ci.map(|x| x.1), 2),
            Cell::text(c.verdict.words()),
        ]);
    }
    r.table(t);
    let cats: Vec<String> = changes.iter().map(|c| c.0.clone()).collect();
    let bm: Vec<f64> = changes.iter().map(|c| c.1.mean.unwrap_or(0.0)).collect();
    let am: Vec<f64> = changes.iter().map(|c| c.2.mean.unwrap_or(0.0)).collect();
    // Whiskers on the after bar: the before mean plus the CI of the change.
    let whiskers: Vec<(f64, f64)> = changes
        .iter()
        .map(|c| {
            c.3.mean_ci.map_or(
                (c.2.mean.unwrap_or(0.0), c.2.mean.unwrap_or(0.0)),
                |(lo, hi)| (c.1.mean.unwrap_or(0.0) + lo, c.1.mean.unwrap_or(0.0) + hi),
            )
        })
        .collect();
    r.chart(chart(
        "waits_before_after",
        "Mean wait before and after, with the 95% CI of the change",
        charts::grouped_bars(
            "平均等候 精简前后 · Mean wait before/after (95% CI)",
            "minutes",
            &cats,
            &[
                ("before".into(), bm, None),
                ("after".into(), am, Some(whiskers)),
            ],
        ),
    )?);
    let hall_key = String::new();
    if let (Some(b), Some(a)) = (sb.get(&hall_key), sa.get(&hall_key)) {
        r.chart(chart(
            "wait_distribution",
            "Distribution of waits before and after",
            charts::histogram(
                "等候时长分布 · Waits before/after",
                "minutes",
                2.0,
                60.0,
                &[
                    ("before".into(), b.waits.clone()),
                    ("after".into(), a.waits.clone()),
                ],
            ),
        )?);
        per_day(&mut r, b, a)?;
    }
    if let Some(p) = plan {
        report_card(&mut r, p, sim, &changes);
    }
    if let Some(f) = footfall {
        footfall_change(&mut r, f, sb, sa);
    }
    let _ = (hb, ha);
    let summary = serde_json::json!({
        "departments": changes.iter().map(|(n, b, a, c)| serde_json::json!({"department": n, "before": b, "after": a, "change": c})).collect::<Vec<_>>(),
        "resamples": args.resamples,
        "seed": args.seed,
    });
    Ok((r, summary))
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1}"))
}

fn per_day(r: &mut Report, b: &Side, a: &Side) -> Result<()> {
    let mut t = Table::new(
        "per_day",
        "Tickets and windows in use per day",
        &["period", "date", "tickets", "windows_in_use", "mean_wait"],
    );
    let mut labels = Vec::new();
    let mut tickets = Vec::new();
    let mut windows = Vec::new();
    for (period, side) in [("before", b), ("after", a)] {
        for (day, d) in &side.days {
            let m = (d.served > 0).then(|| d.sum / d.served as f64);
            t.row(vec![
                Cell::text(period),
                Cell::text(time::format_date(*day)),
                Cell::Int(d.tickets as i64),
                Cell::Int(d.windows.len() as i64),
                Cell::opt(m, 2),
            ]);
            labels.push(time::format_date(*day)[5..].to_string());
            tickets.push(Some(d.tickets as f64));
            windows.push(Some(d.windows.len() as f64 * 10.0));
        }
    }
    r.data_only(t);
    r.chart(chart(
        "per_day",
        "Tickets and windows in use per day",
        charts::lines(
            "每日取号与在用窗口 · Tickets and windows (×10) per day",
            "per day",
            &labels,
            &[
                ("tickets".into(), tickets),
                ("windows in use ×10".into(), windows),
            ],
        ),
    )?);
    Ok(())
}

fn report_card(
    r: &mut Report,
    p: &Plan,
    sim: Option<&crate::simulate::SimResult>,
    changes: &[(String, Stats, Stats, Change)],
) {
    r.heading("Predicted vs actual · 模型成绩单");
    let mut t = Table::new("prediction", "The plan's prediction (formula and simulation) against what happened (mean wait after, minutes)", &["department", "predicted_formula", "predicted_simulation", "actual", "formula_error", "simulation_error", "windows_planned"]);
    for d in &p.departments {
        let actual = changes
            .iter()
            .find(|c| c.0 == d.department)
            .and_then(|c| c.2.mean);
        let s = sim
            .and_then(|s| s.departments.iter().find(|g| g.name == d.department))
            .map(|g| g.mean_wait);
        let err = |x: Option<f64>| match (x, actual) {
            (Some(x), Some(a)) if a > 0.0 => Cell::Pct(x / a - 1.0),
            _ => Cell::Empty,
        };
        t.row(vec![
            Cell::text(&d.department),
            Cell::opt(d.after_mean_min, 2),
            Cell::opt(s, 2),
            Cell::opt(actual, 2),
            err(d.after_mean_min),
            err(s),
            Cell::Int(i64::from(d.windows_after)),
        ]);
    }
    r.table(t);
}

fn footfall_change(
    r: &mut Report,
    f: &[crate::hall::Footfall],
    sb: &std::collections::BTreeMap<String, Side>,
    sa: &std::collections::BTreeMap<String, Side>,
) {
    let span = |s: Option<&Side>| {
        s.and_then(|s| Some((*s.days.keys().next()?, *s.days.keys().next_back()?)))
    };
    let hall = String::new();
    let (Some((b0, b1)), Some((a0, a1))) = (span(sb.get(&hall)), span(sa.get(&hall))) else {
        return;
    };
    let per_day = |a: i64, b: i64| -> Option<f64> {
        let v: Vec<u64> = f
            .iter()
            .filter(|x| (a..=b).contains(&time::day(x.at)))
            .map(|x| x.count)
            .collect();
        let days: std::collections::BTreeSet<i64> = f
            .iter()
            .map(|x| time::day(x.at))
            .filter(|d| (a..=b).contains(d))
            .collect();
        (!days.is_empty()).then(|| v.iter().sum::<u64>() as f64 / days.len() as f64)
    };
    r.heading("Footfall · 人流量");
    match (per_day(b0, b1), per_day(a0, a1)) {
        (Some(x), Some(y)) if x > 0.0 => r.para(format!(
            "Footfall per open day: {x:.0} before, {y:.0} after ({:+.1}%).",
            (y / x - 1.0) * 100.0
        )),
        _ => r.para("The footfall file does not cover both periods."),
    }
}
