//! Horizontal grouped bars: several series per category, optional interval
//! whiskers (e.g. 95 % confidence intervals).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{category_at, KeyedAxis};
use super::style::{
    clamp_height, draw_legend, draw_no_data, draw_title, finite, fmt_value, label_area_width,
    legend_height, max_text_width, range_with_zero, series_color, text_style, truncate_label,
    LegendEntry, Swatch, AXIS, GRID, LABEL_SIZE, SMALL_SIZE, TEXT, TITLE_HEIGHT, WIDTH,
};
use super::{draw_err, Chart, ChartError, GroupedSeries};

/// Pixels per bar; a category band holds one bar per series plus padding.
const SLOT: u32 = 24;
/// Padding inside each category band, as a fraction of the band.
const BAND_PAD: f64 = 0.1;
/// Height of the x axis area (tick labels plus unit caption).
const X_AXIS_HEIGHT: u32 = 64;

/// One bar: value and optional (lo, hi) interval, both finite.
#[derive(Clone, Copy)]
struct Bar {
    value: f64,
    ci: Option<(f64, f64)>,
}

pub(crate) struct GroupedBars {
    title: String,
    unit: String,
    categories: Vec<String>,
    /// Series names, in legend order.
    names: Vec<String>,
    /// `bars[series][category]`, `None` where nothing can be drawn.
    bars: Vec<Vec<Option<Bar>>>,
}

impl GroupedBars {
    pub(crate) fn new(
        title: &str,
        unit: &str,
        categories: &[String],
        series: &[GroupedSeries],
    ) -> Self {
        let bars = series
            .iter()
            .map(|(_, values, ci)| {
                (0..categories.len())
                    .map(|c| bar_at(values, ci.as_deref(), c))
                    .collect()
            })
            .collect();
        Self {
            title: title.to_string(),
            unit: unit.to_string(),
            categories: categories.iter().map(|c| truncate_label(c)).collect(),
            names: series.iter().map(|s| truncate_label(&s.0)).collect(),
            bars,
        }
    }

    fn legend(&self) -> Vec<LegendEntry> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, name)| LegendEntry {
                label: name.clone(),
                color: series_color(i),
            })
            .collect()
    }

    fn band_height(&self) -> u32 {
        let k = self.names.len().max(1) as u32;
        (k as f64 * SLOT as f64 / (1.0 - 2.0 * BAND_PAD)).round() as u32
    }

    /// Largest x reached by a bar or its whisker, per bar, for value labels.
    fn label_x(bar: &Bar) -> f64 {
        match bar.ci {
            Some((lo, hi)) if bar.value >= 0.0 => bar.value.max(hi).max(lo),
            Some((lo, hi)) => bar.value.min(lo).min(hi),
            None => bar.value,
        }
    }
}

/// The drawable bar of one series at category `c`, if its value is finite.
fn bar_at(values: &[f64], ci: Option<&[(f64, f64)]>, c: usize) -> Option<Bar> {
    let value = values.get(c).copied().and_then(finite)?;
    let ci = ci
        .and_then(|ci| ci.get(c))
        .and_then(|&(lo, hi)| Some((finite(lo)?, finite(hi)?)))
        .map(|(lo, hi)| (lo.min(hi), lo.max(hi)));
    Some(Bar { value, ci })
}

impl Chart for GroupedBars {
    fn size(&self) -> (u32, u32) {
        let n = self.categories.len().max(1) as u32;
        let h = TITLE_HEIGHT
            + legend_height(&self.legend(), WIDTH)
            + 20
            + n * self.band_height()
            + X_AXIS_HEIGHT;
        (WIDTH, clamp_height(h))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let area = draw_title(root, &self.title)?;
        let area = draw_legend(&area, &self.legend(), Swatch::Box)?;
        if self.bars.iter().flatten().all(Option::is_none) {
            return draw_no_data(&area);
        }
        self.draw_plot(&area)
    }
}

impl GroupedBars {
    fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let nc = self.categories.len();
        let all = self.bars.iter().flatten().flatten();
        let extents = all.clone().flat_map(|b| {
            let (lo, hi) = b.ci.unwrap_or((b.value, b.value));
            [b.value, lo, hi]
        });
        let (lo, hi) = range_with_zero(extents);
        let lo = if lo < 0.0 { lo - (hi - lo) * 0.15 } else { lo };
        let texts: Vec<String> = all.map(|b| fmt_value(b.value)).collect();
        let value_w = max_text_width(texts.iter().map(String::as_str), SMALL_SIZE);

        let mut chart = ChartBuilder::on(area)
            .margin_top(10)
            .margin_left(10)
            .margin_right(value_w + 24)
            .x_label_area_size(X_AXIS_HEIGHT - 10)
            .y_label_area_size(label_area_width(self.categories.iter().map(String::as_str)))
            .build_cartesian_2d(lo..hi, KeyedAxis::categories(nc, 1))
            .map_err(draw_err)?;

        let x_fmt = |v: &f64| fmt_value(*v);
        let y_fmt = |y: &f64| {
            category_at(*y, nc)
                .and_then(|from_bottom| self.categories.get(nc - 1 - from_bottom).cloned())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_labels(8)
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .x_desc(self.unit.as_str())
            .label_style(text_style(LABEL_SIZE))
            .axis_desc_style(text_style(LABEL_SIZE))
            .axis_style(AXIS)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(draw_err)?;

        for (s, bars) in self.bars.iter().enumerate() {
            for (c, bar) in bars.iter().enumerate() {
                if let Some(bar) = bar {
                    let (y0, y1) = self.slot(s, nc - 1 - c);
                    draw_bar(&mut chart, bar, y0, y1, series_color(s))?;
                }
            }
        }
        Ok(())
    }

    /// Vertical extent of series `s` within the band whose bottom is at `y`;
    /// the first series sits at the top so bars read in legend order.
    fn slot(&self, s: usize, y: usize) -> (f64, f64) {
        let k = self.names.len().max(1) as f64;
        let w = (1.0 - 2.0 * BAND_PAD) / k;
        let top = y as f64 + 1.0 - BAND_PAD - s as f64 * w;
        // Small inner gap so adjacent bars of one category stay distinct.
        (top - w * 0.92, top)
    }
}

type BarChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, KeyedAxis>>;

/// Draws one bar between `y0` and `y1`, its whisker and its value.
fn draw_bar<DB: DrawingBackend>(
    chart: &mut BarChart<'_, DB>,
    bar: &Bar,
    y0: f64,
    y1: f64,
    color: RGBColor,
) -> Result<(), ChartError> {
    let yc = (y0 + y1) / 2.0;
    let rect = Rectangle::new([(0.0, y0), (bar.value, y1)], color.filled());
    chart.draw_series(std::iter::once(rect)).map_err(draw_err)?;
    if let Some((lo, hi)) = bar.ci {
        let cap = (y1 - y0) * 0.3;
        let style = TEXT.stroke_width(2);
        let lines = [
            vec![(lo, yc), (hi, yc)],
            vec![(lo, yc - cap), (lo, yc + cap)],
            vec![(hi, yc - cap), (hi, yc + cap)],
        ];
        chart
            .draw_series(lines.into_iter().map(|p| PathElement::new(p, style)))
            .map_err(draw_err)?;
    }
    let x = GroupedBars::label_x(bar);
    let (dx, h) = if bar.value < 0.0 {
        (-6, HPos::Right)
    } else {
        (6, HPos::Left)
    };
    let style = text_style(SMALL_SIZE).pos(Pos::new(h, VPos::Center));
    let label = EmptyElement::at((x, yc)) + Text::new(fmt_value(bar.value), (dx, 0), style);
    chart
        .draw_series(std::iter::once(label))
        .map_err(draw_err)?;
    Ok(())
}
