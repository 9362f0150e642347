//! Line chart over categorical x positions with one or more named series.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{category_at, label_step, KeyedAxis};
use super::style::{
    draw_legend, draw_no_data, draw_title, finite, fmt_value, legend_height, max_text_width,
    range_with_zero, series_color, text_style, truncate_label, LegendEntry, Swatch, AXIS, GRID,
    LABEL_SIZE, TITLE_HEIGHT, WIDTH,
};
use super::{draw_err, Chart, ChartError};

/// Height of the plot itself (axes included), independent of the legend.
const PLOT_HEIGHT: u32 = 440;
/// Left label area: y tick values plus the rotated y caption.
const Y_AXIS_WIDTH: u32 = 90;
/// Bottom label area: x tick labels.
const X_AXIS_HEIGHT: u32 = 40;
/// Above this many x positions markers would merge into a blur, so only
/// isolated points (which have no line) get one.
const MAX_MARKED_POINTS: usize = 40;

pub(crate) struct Lines {
    title: String,
    y_label: String,
    x_labels: Vec<String>,
    /// Series name and one finite-or-missing value per x position.
    series: Vec<(String, Vec<Option<f64>>)>,
}

impl Lines {
    pub(crate) fn new(
        title: &str,
        y_label: &str,
        x_labels: &[String],
        series: &[(String, Vec<Option<f64>>)],
    ) -> Self {
        let n = x_labels.len();
        let series = series
            .iter()
            .map(|(name, values)| {
                let cleaned = (0..n)
                    .map(|i| values.get(i).copied().flatten().and_then(finite))
                    .collect();
                (truncate_label(name), cleaned)
            })
            .collect();
        Self {
            title: title.to_string(),
            y_label: y_label.to_string(),
            x_labels: x_labels.iter().map(|l| truncate_label(l)).collect(),
            series,
        }
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.series
            .iter()
            .enumerate()
            .map(|(i, (name, _))| LegendEntry {
                label: name.clone(),
                color: series_color(i),
            })
            .collect()
    }

    fn has_data(&self) -> bool {
        self.series
            .iter()
            .any(|(_, v)| v.iter().any(Option::is_some))
    }
}

impl Chart for Lines {
    fn size(&self) -> (u32, u32) {
        let h = TITLE_HEIGHT + legend_height(&self.legend(), WIDTH) + PLOT_HEIGHT;
        (WIDTH, h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let area = draw_title(root, &self.title)?;
        let area = draw_legend(&area, &self.legend(), Swatch::Line)?;
        if !self.has_data() {
            return draw_no_data(&area);
        }
        self.draw_plot(&area)
    }
}

impl Lines {
    fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let n = self.x_labels.len();
        let all = self
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().flatten().copied());
        let (lo, hi) = range_with_zero(all);
        // Head room so the highest point does not touch the frame.
        let hi = hi + (hi - lo) * 0.08;
        let label_w = max_text_width(self.x_labels.iter().map(String::as_str), LABEL_SIZE);
        let plot_w = WIDTH.saturating_sub(Y_AXIS_WIDTH + 40);
        let step = label_step(n, label_w, plot_w);

        let mut chart = ChartBuilder::on(area)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(X_AXIS_HEIGHT)
            .y_label_area_size(Y_AXIS_WIDTH)
            .build_cartesian_2d(KeyedAxis::categories(n, step), lo..hi)
            .map_err(draw_err)?;

        let x_fmt = |x: &f64| {
            category_at(*x, n)
                .and_then(|i| self.x_labels.get(i).cloned())
                .unwrap_or_default()
        };
        let y_fmt = |v: &f64| fmt_value(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .y_desc(self.y_label.as_str())
            .label_style(text_style(LABEL_SIZE))
            .axis_desc_style(text_style(LABEL_SIZE))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_err)?;

        for (i, (_, values)) in self.series.iter().enumerate() {
            draw_series_line(&mut chart, values, series_color(i))?;
        }
        Ok(())
    }
}

type LineChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<KeyedAxis, plotters::coord::types::RangedCoordf64>>;

/// Draws one series: a line per run of consecutive values (missing values
/// leave gaps) and markers where they help.
fn draw_series_line<DB: DrawingBackend>(
    chart: &mut LineChart<'_, DB>,
    values: &[Option<f64>],
    color: RGBColor,
) -> Result<(), ChartError> {
    let mark_all = values.len() <= MAX_MARKED_POINTS;
    for run in runs(values) {
        let points: Vec<(f64, f64)> = run.iter().map(|&(i, v)| (i as f64 + 0.5, v)).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
            .map_err(draw_err)?;
        // A run of one has no line at all, so it always needs a marker.
        if mark_all || points.len() == 1 {
            let dots = points
                .into_iter()
                .map(|p| Circle::new(p, 4, color.filled()));
            chart.draw_series(dots).map_err(draw_err)?;
        }
    }
    Ok(())
}

/// Splits a series into runs of consecutive present values, each value paired
/// with its x index.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
