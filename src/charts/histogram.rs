//! Overlaid histograms of several samples, shown as percentage shares.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    draw_legend, draw_no_data, draw_title, finite, fmt_value, legend_height, series_color,
    text_style, truncate_label, LegendEntry, Swatch, AXIS, GRID, LABEL_SIZE, TITLE_HEIGHT, WIDTH,
};
use super::{draw_err, Chart, ChartError};

/// Height of the plot itself (axes included), independent of the legend.
const PLOT_HEIGHT: u32 = 440;
/// More bins than this would be thinner than a pixel or two.
const MAX_BINS: usize = 300;
/// Bin count used when the caller's bin width or maximum is unusable.
const FALLBACK_BINS: f64 = 20.0;
/// Y axis caption: bars show each sample's share, not raw counts.
pub(crate) const SHARE_CAPTION: &str = "占比 (%)";
/// Opacity of the bar fill, low enough for overlapping samples to show.
const FILL_ALPHA: f64 = 0.28;

pub(crate) struct Histogram {
    title: String,
    x_label: String,
    bin_width: f64,
    bins: usize,
    /// Legend label (name and sample size) and share in percent per bin.
    series: Vec<(String, Vec<f64>)>,
}

impl Histogram {
    /// Bins raw samples; see [`super::histogram`] for the rules.
    pub(crate) fn from_samples(
        title: &str,
        x_label: &str,
        bin_width: f64,
        max_x: f64,
        series: &[(String, Vec<f64>)],
    ) -> Self {
        let data_max = series
            .iter()
            .flat_map(|(_, v)| v.iter().copied().filter(|v| v.is_finite()))
            .fold(0.0f64, f64::max);
        Self::binned(
            title,
            x_label,
            bin_width,
            max_x,
            data_max,
            series,
            |v, w, n, f| bin_values(v.iter().map(|&v| (v, 1)), w, n, f),
        )
    }

    /// Like [`Histogram::from_samples`], each sample given once with the number of times
    /// it occurs; the same chart as over the samples written out.
    pub(crate) fn from_counted_samples(
        title: &str,
        x_label: &str,
        bin_width: f64,
        max_x: f64,
        series: &[(String, Vec<(f64, u64)>)],
    ) -> Self {
        let data_max = series
            .iter()
            .flat_map(|(_, v)| v.iter().map(|s| s.0).filter(|v| v.is_finite()))
            .fold(0.0f64, f64::max);
        Self::binned(
            title,
            x_label,
            bin_width,
            max_x,
            data_max,
            series,
            |v, w, n, f| bin_values(v.iter().copied(), w, n, f),
        )
    }

    /// The rules shared by both: `bin` counts one series into bins of a width.
    fn binned<T>(
        title: &str,
        x_label: &str,
        bin_width: f64,
        max_x: f64,
        data_max: f64,
        series: &[(String, T)],
        bin: impl Fn(&T, f64, usize, &mut Folded) -> Vec<f64>,
    ) -> Self {
        let max_x = finite(max_x)
            .filter(|m| *m > 0.0)
            .unwrap_or(data_max.max(1.0));
        let bin_width = finite(bin_width)
            .filter(|w| *w > 0.0)
            .unwrap_or(max_x / FALLBACK_BINS)
            .max(max_x / MAX_BINS as f64);
        let bins = ((max_x / bin_width).ceil() as usize).clamp(1, MAX_BINS);

        let mut folded = Folded::default();
        let counted: Vec<(String, Vec<f64>)> = series
            .iter()
            .map(|(name, values)| (name.clone(), bin(values, bin_width, bins, &mut folded)))
            .collect();
        let x_label = format!("{x_label}{}", folded.note(max_x));
        Self::new(title, &x_label, bin_width, bins, &counted)
    }

    /// Uses pre-binned counts as given.
    pub(crate) fn from_counts(
        title: &str,
        x_label: &str,
        bin_width: f64,
        series: &[(String, Vec<f64>)],
    ) -> Self {
        let bins = series
            .iter()
            .map(|s| s.1.len())
            .max()
            .unwrap_or(0)
            .clamp(1, MAX_BINS);
        let bin_width = finite(bin_width).filter(|w| *w > 0.0).unwrap_or(1.0);
        Self::new(title, x_label, bin_width, bins, series)
    }

    fn new(
        title: &str,
        x_label: &str,
        bin_width: f64,
        bins: usize,
        counts: &[(String, Vec<f64>)],
    ) -> Self {
        let series = counts
            .iter()
            .map(|(name, counts)| {
                let clean: Vec<f64> = (0..bins)
                    .map(|i| {
                        counts
                            .get(i)
                            .copied()
                            .and_then(finite)
                            .unwrap_or(0.0)
                            .max(0.0)
                    })
                    .collect();
                let total: f64 = clean.iter().sum();
                let shares = clean
                    .iter()
                    .map(|c| if total > 0.0 { c / total * 100.0 } else { 0.0 })
                    .collect();
                let label = format!("{}（n={}）", truncate_label(name), fmt_value(total));
                (label, shares)
            })
            .collect();
        Self {
            title: title.to_string(),
            x_label: x_label.to_string(),
            bin_width,
            bins,
            series,
        }
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.series
            .iter()
            .enumerate()
            .map(|(i, (label, _))| LegendEntry {
                label: label.clone(),
                color: series_color(i),
            })
            .collect()
    }
}

/// Which values fell outside `[0, max_x)` and were folded into an edge bin.
#[derive(Default)]
struct Folded {
    below: bool,
    above: bool,
}

impl Folded {
    /// Caption suffix that discloses folding, so outliers never vanish
    /// silently (empty when nothing was folded).
    fn note(&self, max_x: f64) -> String {
        let max = fmt_value(max_x);
        match (self.below, self.above) {
            (true, true) => format!("（<0 计入首组，≥{max} 计入末组）"),
            (true, false) => "（<0 计入首组）".to_string(),
            (false, true) => format!("（≥{max} 计入末组）"),
            (false, false) => String::new(),
        }
    }
}

/// Counts finite samples, given as (value, occurrences), into `bins` bins of `width`
/// starting at 0, folding values outside the range into the edge bins and recording
/// that.
fn bin_values(
    values: impl Iterator<Item = (f64, u64)>,
    width: f64,
    bins: usize,
    folded: &mut Folded,
) -> Vec<f64> {
    let mut counts = vec![0.0; bins];
    for (v, n) in values.filter(|v| v.0.is_finite()) {
        let raw = (v / width).floor();
        folded.below |= raw < 0.0;
        folded.above |= raw >= bins as f64;
        let idx = raw.clamp(0.0, (bins - 1) as f64) as usize;
        // Exact: counts stay integers far below 2^53.
        counts[idx] += n as f64;
    }
    counts
}

impl Chart for Histogram {
    fn size(&self) -> (u32, u32) {
        let h = TITLE_HEIGHT + legend_height(&self.legend(), WIDTH) + PLOT_HEIGHT;
        (WIDTH, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let area = draw_title(root, &self.title)?;
        let area = draw_legend(&area, &self.legend(), Swatch::Box)?;
        if self.series.iter().all(|(_, s)| s.iter().all(|v| *v == 0.0)) {
            return draw_no_data(&area);
        }
        self.draw_plot(&area)
    }
}

impl Histogram {
    fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let max_share = self
            .series
            .iter()
            .flat_map(|(_, s)| s.iter().copied())
            .fold(0.0f64, f64::max);
        let x_max = self.bins as f64 * self.bin_width;

        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(64)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x_max, 0.0..max_share * 1.1)
            .map_err(draw_err)?;

        let fmt = |v: &f64| fmt_value(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .x_desc(self.x_label.as_str())
            .y_desc(SHARE_CAPTION)
            .label_style(text_style(LABEL_SIZE))
            .axis_desc_style(text_style(LABEL_SIZE))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_err)?;

        // All fills first, then all outlines: an outline drawn under another
        // sample's fill would change colour and no longer match the legend.
        for (i, (_, shares)) in self.series.iter().enumerate() {
            let fill = series_color(i).mix(FILL_ALPHA).filled();
            let bars = shares
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0)
                .map(|(b, s)| {
                    let x0 = b as f64 * self.bin_width;
                    Rectangle::new([(x0, 0.0), (x0 + self.bin_width, *s)], fill)
                });
            chart.draw_series(bars).map_err(draw_err)?;
        }
        for (i, (_, shares)) in self.series.iter().enumerate() {
            let line = series_color(i).stroke_width(2);
            let outline = PathElement::new(self.step_outline(shares), line);
            chart
                .draw_series(std::iter::once(outline))
                .map_err(draw_err)?;
        }
        Ok(())
    }

    /// Outline of a histogram as one stepped path from the x axis and back,
    /// so overlapping samples stay distinguishable where fills mix.
    fn step_outline(&self, shares: &[f64]) -> Vec<(f64, f64)> {
        let mut points = vec![(0.0, 0.0)];
        for (b, s) in shares.iter().enumerate() {
            let x0 = b as f64 * self.bin_width;
            points.push((x0, *s));
            points.push((x0 + self.bin_width, *s));
        }
        points.push((shares.len() as f64 * self.bin_width, 0.0));
        points
    }
}
