//! Before/after comparison (model.md §8): per department and for the hall, the change in
//! waits with 95 % intervals from a permutation test over days, and a verdict that keeps
//! its promise with 10–20 days per side (see [`change`]).
//!
//! Waits of one day are correlated (a bad morning delays everyone), so the days, not the
//! tickets, are the units that are dealt: a ticket-level interval would be far too narrow.
//! Each day is kept as a count, a sum and a histogram of waits (0.25-minute bins), so a
//! deal costs O(days × log bins), whatever the number of tickets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::hall::{time, Status, Tickets, NONE, NO_TIME};
use crate::ingest::{FileKind, LoadOptions, Needs};
use crate::stats::{mean, quantile as quantile_sorted};

const BIN: f64 = 0.25;
const BINS: usize = 4 * 240;

/// One side (before or after) of one department, day by day.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub days: BTreeMap<i64, Day>,
    pub waits: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct Day {
    pub tickets: u64,
    pub no_show: u64,
    pub served: u64,
    pub sum: f64,
    pub windows: BTreeSet<u32>,
    pub hist: Vec<u32>,
}

impl Default for Day {
    fn default() -> Self {
        Day {
            tickets: 0,
            no_show: 0,
            served: 0,
            sum: 0.0,
            windows: BTreeSet::new(),
            hist: vec![0; BINS + 1],
        }
    }
}

/// Sides per department name (and "" for the whole hall) of the days in `range` (first
/// and last day, both included; all days for None).
pub fn sides(t: &Tickets, range: Option<(i64, i64)>) -> BTreeMap<String, Side> {
    sides_of_days(t, |day| range.is_none_or(|(a, b)| (a..=b).contains(&day)))
}

/// Sides per department name (and "" for the whole hall) of the days `keep` accepts.
pub fn sides_of_days(t: &Tickets, keep: impl Fn(i64) -> bool) -> BTreeMap<String, Side> {
    // Per key (department index, the hall last) and day: the day's figures, kept in a
    // map from day to slot; windows as a bit set while counting. Waits are collected in
    // whole seconds and sorted as integers (the same order as the minutes).
    let nd = t.departments.len();
    let nw = t.windows.len();
    let words = nw.div_ceil(64);
    struct Acc {
        day_slot: BTreeMap<i64, usize>,
        days: Vec<(Day, Vec<u64>)>,
        waits: Vec<i64>,
        last: Option<(i64, usize)>,
    }
    let mut acc: Vec<Option<Acc>> = (0..=nd).map(|_| None).collect();
    for i in 0..t.len() {
        let day = time::day(t.issued[i]);
        if !keep(day) {
            continue;
        }
        let wait = match t.status[i] {
            Status::Served if t.called[i] != NO_TIME => Some(t.called[i] - t.issued[i]),
            _ => None,
        };
        for key in [t.department[i] as usize, nd] {
            let side = acc[key].get_or_insert_with(|| Acc {
                day_slot: BTreeMap::new(),
                days: Vec::new(),
                waits: Vec::new(),
                last: None,
            });
            let slot = match side.last {
                Some((d, slot)) if d == day => slot,
                _ => {
                    let n = side.days.len();
                    let slot = *side.day_slot.entry(day).or_insert(n);
                    if slot == n {
                        side.days.push((Day::default(), vec![0; words]));
                    }
                    side.last = Some((day, slot));
                    slot
                }
            };
            let (d, wins) = &mut side.days[slot];
            d.tickets += 1;
            if t.window[i] != NONE {
                let w = t.window[i] as usize;
                wins[w / 64] |= 1 << (w % 64);
            }
            match t.status[i] {
                Status::NoShow => d.no_show += 1,
                Status::Served => {
                    if let Some(s) = wait {
                        let w = s as f64 / 60.0;
                        d.served += 1;
                        d.sum += w;
                        d.hist[((w / BIN) as usize).min(BINS)] += 1;
                        side.waits.push(s);
                    }
                }
                Status::Cancelled => {}
            }
        }
    }
    let mut out: BTreeMap<String, Side> = BTreeMap::new();
    for (key, a) in acc.into_iter().enumerate() {
        let Some(mut a) = a else { continue };
        sort_seconds(&mut a.waits);
        let mut days: Vec<Option<(Day, Vec<u64>)>> = a.days.into_iter().map(Some).collect();
        let side = Side {
            days: a
                .day_slot
                .iter()
                .filter_map(|(&day, &slot)| {
                    let (mut d, wins) = days[slot].take()?;
                    for (k, &word) in wins.iter().enumerate() {
                        let mut word = word;
                        while word != 0 {
                            d.windows.insert((k * 64) as u32 + word.trailing_zeros());
                            word &= word - 1;
                        }
                    }
                    Some((day, d))
                })
                .collect(),
            waits: a.waits.iter().map(|&s| s as f64 / 60.0).collect(),
        };
        let name = if key == nd {
            String::new()
        } else {
            t.departments.name(key as u32).to_string()
        };
        out.insert(name, side);
    }
    out
}

/// Sorts waits in whole seconds: counted per second when the longest wait is under a few
/// weeks (one pass, no comparisons), else a comparison sort. Same order either way.
fn sort_seconds(v: &mut [i64]) {
    let (lo, hi) = v
        .iter()
        .fold((i64::MAX, i64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    if lo > hi || hi - lo >= 1 << 21 {
        v.sort_unstable();
        return;
    }
    let mut counts = vec![0u32; (hi - lo + 1) as usize];
    for &x in v.iter() {
        counts[(x - lo) as usize] += 1;
    }
    let mut k = 0;
    for (s, &c) in counts.iter().enumerate() {
        for slot in &mut v[k..k + c as usize] {
            *slot = lo + s as i64;
        }
        k += c as usize;
    }
}

/// Descriptive figures of one side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    pub days: usize,
    pub tickets: u64,
    pub tickets_per_day: f64,
    pub no_show_rate: f64,
    pub windows_per_day: f64,
    pub served: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub share_over_10: Option<f64>,
    pub share_over_20: Option<f64>,
}

pub fn stats(s: &Side) -> Stats {
    let days = s.days.len();
    let tickets: u64 = s.days.values().map(|d| d.tickets).sum();
    let no_show: u64 = s.days.values().map(|d| d.no_show).sum();
    let share = |x: f64| {
        (!s.waits.is_empty())
            .then(|| s.waits.iter().filter(|&&w| w > x).count() as f64 / s.waits.len() as f64)
    };
    Stats {
        days,
        tickets,
        tickets_per_day: tickets as f64 / days.max(1) as f64,
        no_show_rate: if tickets > 0 {
            no_show as f64 / tickets as f64
        } else {
            0.0
        },
        windows_per_day: s.days.values().map(|d| d.windows.len() as f64).sum::<f64>()
            / days.max(1) as f64,
        served: s.waits.len(),
        mean: mean(&s.waits),
        median: quantile_sorted(&s.waits, 0.5),
        p90: quantile_sorted(&s.waits, 0.9),
        share_over_10: share(10.0),
        share_over_20: share(20.0),
    }
}

/// The days of both sides pooled for a permutation test: per day its served tickets, the
/// sum of their waits, and cumulative wait histograms bin-major (`cum[b * days + k]`:
/// served waits of day `k` in bins `0..=b`). Days without a served ticket carry no wait
/// and are left out.
struct Pool {
    served: Vec<f64>,
    sum: Vec<f64>,
    cum: Vec<u32>,
}

/// One group's figures under one deal of the days: mean wait, the cluster-robust variance
/// of that mean, and p90 (bin centre).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Group {
    mean: f64,
    var: f64,
    p90: f64,
}

impl Pool {
    fn new(days: &[&Day]) -> Pool {
        let days: Vec<&&Day> = days.iter().filter(|d| d.served > 0).collect();
        let n = days.len();
        let mut cum = vec![0u32; (BINS + 1) * n];
        for (k, d) in days.iter().enumerate() {
            let mut acc = 0u32;
            for (b, &h) in d.hist.iter().enumerate() {
                acc += h;
                cum[b * n + k] = acc;
            }
        }
        Pool {
            served: days.iter().map(|d| d.served as f64).collect(),
            sum: days.iter().map(|d| d.sum).collect(),
            cum,
        }
    }

    fn days(&self) -> usize {
        self.served.len()
    }

    /// Served waits in bins `0..=b` of the days in `group`.
    fn below(&self, b: usize, group: &[usize]) -> u64 {
        let n = self.days();
        let row = &self.cum[b * n..(b + 1) * n];
        group.iter().map(|&k| u64::from(row[k])).sum()
    }

    /// The figures of the days in `group` (at least two days with served tickets).
    ///
    /// The mean is the ticket-weighted mean Σ sums / Σ served. Its variance treats days
    /// as the independent units (waits of one day move together): the ratio estimator's
    /// linearised variance D/(D−1) · Σ (sum_d − mean·served_d)² / (Σ served)². The p90 is
    /// the nearest rank of the group's summed histogram, found by bisection on the
    /// cumulative counts (the same bin a scan of the summed histogram finds).
    fn group(&self, group: &[usize]) -> Group {
        let (mut n, mut s) = (0.0, 0.0);
        for &k in group {
            n += self.served[k];
            s += self.sum[k];
        }
        let mean = s / n;
        let d = group.len() as f64;
        let ss: f64 = group
            .iter()
            .map(|&k| (self.sum[k] - mean * self.served[k]).powi(2))
            .sum();
        let var = d / (d - 1.0).max(1.0) * ss / (n * n);
        let rank = (0.9 * n).ceil() as u64;
        let p90 = if self.below(BINS, group) < rank {
            BINS as f64 * BIN
        } else {
            let (mut lo, mut hi) = (0usize, BINS);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if self.below(mid, group) >= rank {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            (lo as f64 + 0.5) * BIN
        };
        Group { mean, var, p90 }
    }
}

/// The statistics of one deal: the studentised change in mean (Welch's form, so that a
/// period with more variable days does not pass for a change) and the change in p90.
fn deal(pool: &Pool, before: &[usize], after: &[usize]) -> (f64, f64, f64) {
    let (b, a) = (pool.group(before), pool.group(after));
    let se = (b.var + a.var).sqrt().max(SE_FLOOR);
    ((a.mean - b.mean) / se, se, a.p90 - b.p90)
}

/// A floor for the standard error (minutes): a department whose waits are all zero on
/// both sides has no spread to divide by.
const SE_FLOOR: f64 = 1e-9;

/// The change after − before with 95 % studentised permutation intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub mean_change: Option<f64>,
    pub mean_ci: Option<(f64, f64)>,
    pub p90_change: Option<f64>,
    pub p90_ci: Option<(f64, f64)>,
    /// Two-sided permutation p-value of the change in mean.
    pub p_value: Option<f64>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    NoDetectableChange,
    TooFewTickets,
}

impl Verdict {
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Better => "better (shorter waits)",
            Verdict::Worse => "worse (longer waits)",
            Verdict::NoDetectableChange => "no detectable change",
            Verdict::TooFewTickets => "too few tickets to tell",
        }
    }
}

/// Fewest served tickets and days on each side for a verdict.
pub const MIN_SERVED: usize = 30;
pub const MIN_DAYS: usize = 3;

/// What the interval means, in one sentence for the reports.
pub const INTERVAL_MEANING: &str = "The 95 % interval is the measured change widened by how far the change swings when the same days are dealt at random into two periods of the same sizes: if nothing had changed, a department would be called better or worse in at most 5 % of comparisons.";

/// The change after − before of one department.
///
/// Days are the units: waits of one day move together, and 10–20 days per side are too
/// few clusters for a percentile bootstrap to keep its 95 % (on the sample it called 11 %
/// of unchanged departments better or worse). So the interval comes from a permutation
/// test over days: the days of both periods are pooled and dealt at random into two
/// groups of the periods' sizes `permutations` times. For the mean, the statistic is
/// studentised (the change over its day-level standard error); its permutation
/// quantiles t₀.₀₂₅, t₀.₉₇₅ give the interval [Δ − t₀.₉₇₅·se, Δ − t₀.₀₂₅·se]. The interval
/// excludes 0 exactly when the test rejects "no change" at 5 % two-sided, so the verdict
/// follows the interval; if the two periods' days are alike (exchangeable), a verdict is
/// wrong at most 5 % of the time by construction, with no large-sample approximation.
/// The studentised form keeps it about right when the periods differ in spread too. For
/// p90 the interval is the measured change minus the permutation quantiles of the p90
/// change.
pub fn change(before: &Side, after: &Side, permutations: usize, seed: u64) -> Change {
    let (b, a) = (stats(before), stats(after));
    let mean_change = a.mean.zip(b.mean).map(|(x, y)| x - y);
    let p90_change = a.p90.zip(b.p90).map(|(x, y)| x - y);
    let none = |verdict| Change {
        mean_change,
        mean_ci: None,
        p90_change,
        p90_ci: None,
        p_value: None,
        verdict,
    };
    let bd: Vec<&Day> = before.days.values().filter(|d| d.served > 0).collect();
    let ad: Vec<&Day> = after.days.values().filter(|d| d.served > 0).collect();
    let enough = b.served >= MIN_SERVED
        && a.served >= MIN_SERVED
        && bd.len() >= MIN_DAYS
        && ad.len() >= MIN_DAYS;
    let (Some(dm), Some(dp)) = (mean_change, p90_change) else {
        return none(Verdict::TooFewTickets);
    };
    if !enough {
        return none(Verdict::TooFewTickets);
    }
    // Ranks of the 2.5 % and 97.5 % permutation quantiles among `permutations` draws such
    // that the observed statistic (exchangeable with the draws under no change) falls
    // strictly outside with probability at most 2.5 % on each side.
    let lo_rank = (0.025 * (permutations + 1) as f64).floor() as usize;
    let hi_rank = ((0.975 * (permutations + 1) as f64).ceil() as usize).min(permutations);
    if lo_rank == 0 {
        return none(Verdict::NoDetectableChange);
    }
    let all: Vec<&Day> = bd.iter().chain(&ad).copied().collect();
    let pool = Pool::new(&all);
    let nb = bd.len();
    let observed: Vec<usize> = (0..pool.days()).collect();
    let (t_obs, se_obs, _) = deal(&pool, &observed[..nb], &observed[nb..]);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order = observed.clone();
    let mut ts = Vec::with_capacity(permutations);
    let mut ps = Vec::with_capacity(permutations);
    let mut extreme = 0usize;
    for _ in 0..permutations {
        // A uniform deal: the first `nb` of a Fisher–Yates shuffle are "before".
        for i in 0..nb {
            let j = rng.random_range(i..order.len());
            order.swap(i, j);
        }
        let (t, _, p) = deal(&pool, &order[..nb], &order[nb..]);
        if t.abs() >= t_obs.abs() {
            extreme += 1;
        }
        ts.push(t);
        ps.push(p);
    }
    ts.sort_by(f64::total_cmp);
    ps.sort_by(f64::total_cmp);
    let (t_lo, t_hi) = (ts[lo_rank - 1], ts[hi_rank - 1]);
    let mean_ci = (dm - t_hi * se_obs, dm - t_lo * se_obs);
    let p90_ci = (dp - ps[hi_rank - 1], dp - ps[lo_rank - 1]);
    let verdict = if t_obs > t_hi {
        Verdict::Worse
    } else if t_obs < t_lo {
        Verdict::Better
    } else {
        Verdict::NoDetectableChange
    };
    Change {
        mean_change,
        mean_ci: Some(mean_ci),
        p90_change,
        p90_ci: Some(p90_ci),
        p_value: Some((extreme + 1) as f64 / (permutations + 1) as f64),
        verdict,
    }
}

/// How the intervals are drawn: permutations, the seed, and the threads the departments
/// are shared out over (the numbers do not depend on the threads).
#[derive(Debug, Clone, Copy)]
pub struct Resampling {
    pub permutations: usize,
    pub seed: u64,
    pub threads: usize,
}

/// The statistics and the change of every department in `keys` (the hall is the key ""),
/// in that order. Each department's permutations have their own seed (`seed` + its position), so
/// the departments are shared out over the cores and put back in order: the same numbers
/// as one after another.
pub fn by_department(
    sb: &BTreeMap<String, Side>,
    sa: &BTreeMap<String, Side>,
    keys: &[&String],
    boot: Resampling,
) -> crate::Result<Vec<(String, Stats, Stats, Change)>> {
    let Resampling {
        permutations,
        seed,
        threads,
    } = boot;
    let one = |i: usize, k: &String| {
        (
            (*k).clone(),
            stats(&sb[k]),
            stats(&sa[k]),
            change(&sb[k], &sa[k], permutations, seed.wrapping_add(i as u64)),
        )
    };
    let threads = threads.min(keys.len()).max(1);
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
        return Err(crate::Error::Thread("a permutation thread failed".into()));
    }
    Ok(changes)
}

/// A period of one export by its dates, `YYYY-MM-DD..YYYY-MM-DD`: first and last day,
/// both included. The error says what was expected.
pub fn parse_range(s: &str) -> std::result::Result<(i64, i64), String> {
    let bad = || format!("\"{s}\" is not a date range (expected YYYY-MM-DD..YYYY-MM-DD)");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let day = |x: &str| {
        crate::ingest::values::parse_datetime(x)
            .map(|(t, _)| time::day(t))
            .ok_or_else(bad)
    };
    let (a, b) = (day(a)?, day(b)?);
    if b < a {
        return Err(bad());
    }
    Ok((a, b))
}

/// Where the two periods come from: two exports (hall folders or ticket files), or one
/// export cut by dates.
#[derive(Debug, Clone)]
pub enum Periods {
    Two {
        before: PathBuf,
        after: PathBuf,
        ranges: Option<((i64, i64), (i64, i64))>,
    },
    One {
        export: PathBuf,
        ranges: ((i64, i64), (i64, i64)),
    },
}

/// Both periods loaded, with each side's figures per department.
pub struct Loaded {
    pub before: crate::ingest::Loaded,
    pub after: crate::ingest::Loaded,
    pub sides_before: BTreeMap<String, Side>,
    pub sides_after: BTreeMap<String, Side>,
}

/// Loads one export for a comparison: a hall folder or a ticket file; only the tickets
/// are required.
pub fn load_export(path: &Path, base: &LoadOptions) -> crate::Result<crate::ingest::Loaded> {
    let mut opts = base.clone();
    opts.needs = Needs {
        windows: false,
        matters: false,
        tickets: true,
    };
    if path.is_dir() {
        crate::ingest::load(Some(path), &opts)
    } else {
        opts.files.insert(FileKind::Tickets, path.to_path_buf());
        crate::ingest::load(None, &opts)
    }
}

/// An error unless the period's tickets hold at least one day.
fn non_empty(
    period: &str,
    sides: &BTreeMap<String, Side>,
    export: &Path,
    tickets: &Tickets,
    range: Option<(i64, i64)>,
) -> crate::Result<()> {
    if sides.get("").is_some_and(|s| !s.days.is_empty()) {
        return Ok(());
    }
    let days = tickets.issued.iter().map(|&t| time::day(t));
    let covers = match (days.clone().min(), days.max()) {
        (Some(a), Some(b)) => format!("{}..{}", time::format_date(a), time::format_date(b)),
        _ => "no dates: the export has no tickets".into(),
    };
    Err(crate::Error::EmptyPeriod {
        period: period.into(),
        range: range.map_or(String::new(), |(a, b)| {
            format!(" {}..{}", time::format_date(a), time::format_date(b))
        }),
        export: export.display().to_string(),
        covers,
    })
}

/// Loads the periods and computes their sides. Two exports are loaded at once: one's
/// single-threaded stretches overlap the other's, and each side's figures are computed
/// where it was loaded.
pub fn load(periods: &Periods, base: &LoadOptions) -> crate::Result<Loaded> {
    match periods {
        Periods::Two {
            before,
            after,
            ranges,
        } => {
            let (before_path, after_path) = (before, after);
            let (rb, ra) = match ranges {
                Some((b, a)) => (Some(*b), Some(*a)),
                None => (None, None),
            };
            let side = |p: &Path, range| {
                load_export(p, base).map(|l| {
                    let s = sides(&l.hall.tickets, range);
                    (l, s)
                })
            };
            let (lb, la) = std::thread::scope(|s| {
                let lb = s.spawn(|| side(before, rb));
                let la = side(after, ra);
                (lb.join(), la)
            });
            let (before, sides_before) =
                lb.map_err(|_| crate::Error::Thread("loading the before export failed".into()))??;
            let (after, sides_after) = la?;
            non_empty(
                "before",
                &sides_before,
                before_path,
                &before.hall.tickets,
                rb,
            )?;
            non_empty("after", &sides_after, after_path, &after.hall.tickets, ra)?;
            Ok(Loaded {
                before,
                after,
                sides_before,
                sides_after,
            })
        }
        Periods::One {
            export,
            ranges: (rb, ra),
        } => {
            let l = load_export(export, base)?;
            let sides_before = sides(&l.hall.tickets, Some(*rb));
            let sides_after = sides(&l.hall.tickets, Some(*ra));
            non_empty("before", &sides_before, export, &l.hall.tickets, Some(*rb))?;
            non_empty("after", &sides_after, export, &l.hall.tickets, Some(*ra))?;
            Ok(Loaded {
                before: l.clone(),
                after: l,
                sides_before,
                sides_after,
            })
        }
    }
}

/// The footfall counts of a file given on its own (`--footfall` covers both periods).
pub fn load_footfall(path: &Path, base: &LoadOptions) -> crate::Result<Vec<crate::hall::Footfall>> {
    let mut o = base.clone();
    o.files.insert(FileKind::Footfall, path.to_path_buf());
    Ok(crate::ingest::load(None, &o)?.hall.footfall)
}

#[cfg(test)]
mod aa;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::{TicketRow, Tickets};

    #[test]
    fn a_date_range_is_two_days_in_order_both_included() {
        let (a, b) = parse_range("2020-01-01..2020-01-31").expect("a range");
        assert_eq!(b - a, 30);
        assert_eq!(
            parse_range("2020-01-05..2020-01-05").map(|(a, b)| b - a),
            Ok(0)
        );
        let message = parse_range("2020-02-01..2020-01-01").expect_err("reversed");
        assert!(
            message.contains("expected YYYY-MM-DD..YYYY-MM-DD"),
            "{message}"
        );
        assert!(parse_range("2020-01-01").is_err());
        assert!(parse_range("2020-01-01..soon").is_err());
    }

    /// Tickets with per-day random effects: each day's mean wait is the true mean plus a
    /// day effect, so tickets within a day are correlated.
    fn synthetic(
        rng: &mut ChaCha8Rng,
        true_mean: f64,
        days: i64,
        per_day: usize,
        day0: i64,
    ) -> Tickets {
        let mut t = Tickets::default();
        for d in 0..days {
            let effect = (rng.random::<f64>() - 0.5) * true_mean;
            for k in 0..per_day {
                let w = -((1.0 - rng.random::<f64>()).ln()) * (true_mean + effect).max(0.1);
                let issued = (day0 + d) * time::DAY + 9 * 3600 + k as i64 * 30;
                let called = issued + (w * 60.0) as i64;
                t.push(TicketRow {
                    issued,
                    called,
                    finished: called + 300,
                    window: Some("W1"),
                    department: "税务局",
                    matter: None,
                    status: Status::Served,
                });
            }
        }
        t
    }

    #[test]
    fn mean_change_is_exact_and_ci_covers_the_truth_at_about_95_percent() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let reps = 120;
        let mut covered = 0;
        for r in 0..reps {
            let before = synthetic(&mut rng, 10.0, 20, 40, 18_000);
            let after = synthetic(&mut rng, 7.0, 20, 40, 18_100);
            let sb = sides(&before, None);
            let sa = sides(&after, None);
            let c = change(&sb["税务局"], &sa["税务局"], 400, r);
            // The point estimate is the exact difference of the sample means.
            let exact =
                stats(&sa["税务局"]).mean.expect("mean") - stats(&sb["税务局"]).mean.expect("mean");
            assert!((c.mean_change.expect("change") - exact).abs() < 1e-9);
            let (lo, hi) = c.mean_ci.expect("ci");
            // The true change of the data-generating process: the day effect has mean zero
            // but the max(0.1) clamp never binds here, so the truth is −3 minutes.
            if lo <= -3.0 && -3.0 <= hi {
                covered += 1;
            }
        }
        let rate = covered as f64 / reps as f64;
        assert!((0.87..=0.995).contains(&rate), "coverage {rate}");
    }

    #[test]
    fn a_group_of_days_has_the_mean_and_the_p90_of_its_summed_histogram() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let t = synthetic(&mut rng, 12.0, 30, 50, 18_000);
        let side = &sides(&t, None)[""];
        let days: Vec<&Day> = side.days.values().collect();
        let pool = Pool::new(&days);
        for _ in 0..50 {
            let group: Vec<usize> = (0..days.len()).filter(|_| rng.random_bool(0.5)).collect();
            if group.len() < 2 {
                continue;
            }
            let g = pool.group(&group);
            let mut hist = vec![0u64; BINS + 1];
            let (mut n, mut sum) = (0u64, 0.0);
            for &k in &group {
                n += days[k].served;
                sum += days[k].sum;
                for (h, &x) in hist.iter_mut().zip(&days[k].hist) {
                    *h += u64::from(x);
                }
            }
            assert!((g.mean - sum / n as f64).abs() < 1e-9);
            let rank = (0.9 * n as f64).ceil() as u64;
            let mut acc = 0;
            let bin = hist
                .iter()
                .position(|&h| {
                    acc += h;
                    acc >= rank
                })
                .expect("a bin");
            assert_eq!(g.p90, (bin as f64 + 0.5) * BIN);
            assert!(g.var > 0.0);
        }
    }

    #[test]
    fn small_samples_get_no_verdict() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let before = synthetic(&mut rng, 10.0, 2, 5, 18_000);
        let after = synthetic(&mut rng, 1.0, 2, 5, 18_100);
        let c = change(&sides(&before, None)[""], &sides(&after, None)[""], 200, 1);
        assert_eq!(c.verdict, Verdict::TooFewTickets);
    }

    #[test]
    fn a_clear_fall_is_better_and_no_change_is_not_claimed() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let b = synthetic(&mut rng, 10.0, 20, 60, 18_000);
        let a = synthetic(&mut rng, 5.0, 20, 60, 18_100);
        assert_eq!(
            change(&sides(&b, None)[""], &sides(&a, None)[""], 400, 2).verdict,
            Verdict::Better
        );
        let a2 = synthetic(&mut rng, 10.0, 20, 60, 18_100);
        let v = change(&sides(&b, None)[""], &sides(&a2, None)[""], 400, 2).verdict;
        assert_ne!(v, Verdict::Better);
    }
}
