//! Footfall per year and month, with the year-on-year change on comparable months (a half
//! year is compared with the same half of the year before).

use std::collections::BTreeMap;

use crate::hall::{time, Footfall};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct YearLine {
    pub year: i64,
    pub months: u32,
    pub total: u64,
    /// Change against the same months of the previous year.
    pub yoy_change: Option<f64>,
}

/// Totals per (year, month).
pub fn monthly(rows: &[Footfall]) -> BTreeMap<(i64, u32), u64> {
    let mut m = BTreeMap::new();
    for r in rows {
        let (y, mo, _) = time::civil_from_days(time::day(r.at));
        *m.entry((y, mo)).or_default() += r.count;
    }
    m
}

pub fn yearly(monthly: &BTreeMap<(i64, u32), u64>) -> Vec<YearLine> {
    let mut years: BTreeMap<i64, BTreeMap<u32, u64>> = BTreeMap::new();
    for (&(y, m), &c) in monthly {
        years.entry(y).or_default().insert(m, c);
    }
    years
        .iter()
        .map(|(&y, months)| {
            let yoy = years.get(&(y - 1)).and_then(|prev| {
                let common: Vec<u32> = months
                    .keys()
                    .filter(|m| prev.contains_key(m))
                    .copied()
                    .collect();
                let now: u64 = common.iter().map(|m| months[m]).sum();
                let before: u64 = common.iter().map(|m| prev[m]).sum();
                (before > 0 && !common.is_empty()).then(|| now as f64 / before as f64 - 1.0)
            });
            YearLine {
                year: y,
                months: months.len() as u32,
                total: months.values().sum(),
                yoy_change: yoy,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hall::time::{days_from_civil, DAY};

    #[test]
    fn half_years_compare_with_the_same_half() {
        let mut rows = Vec::new();
        for m in 1..=12 {
            rows.push(Footfall {
                at: days_from_civil(2019, m, 1) * DAY,
                daily: true,
                count: 100,
            });
        }
        for m in 1..=6 {
            rows.push(Footfall {
                at: days_from_civil(2020, m, 1) * DAY,
                daily: true,
                count: 60,
            });
        }
        let y = yearly(&monthly(&rows));
        assert_eq!(y[1].year, 2020);
        assert!((y[1].yoy_change.expect("has a change") + 0.4).abs() < 1e-12);
        assert_eq!(y[0].yoy_change, None);
    }
}
