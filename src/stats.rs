//! Descriptive statistics shared by the profile, the before/after comparison and the
//! simulation: one mean and one quantile, so that every median and p90 hallplan prints
//! is computed the same way.

/// Nearest-rank quantile of ascending `sorted` data: the smallest value with at least a
/// fraction `q` of the data at or below it, `sorted[ceil(q·n) − 1]` (the first element for
/// `q = 0`). Always an observed value: deterministic, no interpolation. None for no data.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // ceil(q·n) is in 0..=n for q in [0, 1]; the cast saturates otherwise.
    let rank = (q.clamp(0.0, 1.0) * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// Arithmetic mean; None for no data.
pub fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(&v, 0.5), Some(5.0));
        assert_eq!(quantile(&v, 0.9), Some(9.0));
        assert_eq!(quantile(&v, 1.0), Some(10.0));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&[], 0.5), None);
        let xs = [1.0, 2.0, 3.0];
        assert_eq!(quantile(&xs, 0.34), Some(2.0));
    }

    #[test]
    fn mean_of_nothing_is_none() {
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 2.0]), Some(1.5));
    }
}
