//! A numeric axis whose tick positions are chosen by the chart, not by
//! plotters.
//!
//! Categorical axes (department rows, months, hours) are drawn on a plain
//! `f64` scale where category `i` occupies `[i, i + 1)`. Ticks must sit at the
//! category centres and, when labels would collide, only on every n-th
//! category. plotters' own `WithKeyPoints` cannot be combined with label
//! formatters in 0.3.7, hence this small replacement.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;

/// Linear `f64` axis with an explicit list of tick positions.
pub(crate) struct KeyedAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl KeyedAxis {
    /// Axis over `range` with ticks exactly at `ticks`.
    pub(crate) fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Self {
            inner: range.into(),
            ticks,
        }
    }

    /// Axis over `n` categories with a tick at the centre of every `step`-th
    /// category (starting with the first).
    pub(crate) fn categories(n: usize, step: usize) -> Self {
        let step = step.max(1);
        let ticks = (0..n).step_by(step).map(|i| i as f64 + 0.5).collect();
        Self::new(0.0..n.max(1) as f64, ticks)
    }
}

impl Ranged for KeyedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Light (minor) grid lines would fall between categories and mean
        // nothing, so only the chosen ticks are ever returned.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Index of the category whose centre is at axis position `pos`, if any.
pub(crate) fn category_at(pos: f64, n: usize) -> Option<usize> {
    let idx = (pos - 0.5).round();
    (idx >= 0.0 && idx < n as f64).then_some(idx as usize)
}

/// Smallest step so that labels of width `label_px` (plus a gap) placed on
/// every step-th of `n` categories fit into `axis_px` pixels.
pub(crate) fn label_step(n: usize, label_px: u32, axis_px: u32) -> usize {
    if n == 0 || axis_px == 0 {
        return 1;
    }
    let slot = axis_px as f64 / n as f64;
    let needed = label_px as f64 + 12.0;
    (needed / slot).ceil().max(1.0) as usize
}
