//! Heatmap of a row × column grid with a colour scale legend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{category_at, label_step, KeyedAxis};
use super::style::{
    clamp_height, draw_no_data, draw_title, finite, fmt_value, font, label_area_width,
    max_text_width, text_style, truncate_label, AXIS, LABEL_SIZE, SMALL_SIZE, TEXT, TITLE_HEIGHT,
    WIDTH,
};
use super::{draw_err, Chart, ChartError};

/// Width reserved on the right for the colour scale.
const SCALE_WIDTH: u32 = 120;
/// Bottom label area: column labels.
const X_AXIS_HEIGHT: u32 = 40;
/// Space between plot and canvas edges.
const MARGIN: u32 = 10;
/// Cells need at least this height for a printed value to be readable.
const MIN_TEXT_CELL_HEIGHT: u32 = 24;

/// Sequential colour ramp (ColorBrewer YlGnBu): light means low, dark means
/// high, and it stays readable in greyscale print.
const RAMP: [(u8, u8, u8); 5] = [
    (0xFF, 0xFF, 0xCC),
    (0xA1, 0xDA, 0xB4),
    (0x41, 0xB6, 0xC4),
    (0x2C, 0x7F, 0xB8),
    (0x25, 0x34, 0x94),
];

fn row_height(rows: usize) -> u32 {
    if rows > 40 {
        22
    } else {
        30
    }
}

pub(crate) struct Heatmap {
    title: String,
    unit: String,
    rows: Vec<String>,
    cols: Vec<String>,
    /// `cells[row][col]`, exactly rows × cols, non-finite values removed.
    cells: Vec<Vec<Option<f64>>>,
}

impl Heatmap {
    pub(crate) fn new(
        title: &str,
        row_labels: &[String],
        col_labels: &[String],
        values: &[Vec<Option<f64>>],
        unit: &str,
    ) -> Self {
        // Normalise to a full grid so drawing never indexes out of bounds.
        let cells = (0..row_labels.len())
            .map(|r| {
                (0..col_labels.len())
                    .map(|c| {
                        values
                            .get(r)
                            .and_then(|row| row.get(c))
                            .copied()
                            .flatten()
                            .and_then(finite)
                    })
                    .collect()
            })
            .collect();
        Self {
            title: title.to_string(),
            unit: unit.to_string(),
            rows: row_labels.iter().map(|l| truncate_label(l)).collect(),
            cols: col_labels.iter().map(|l| truncate_label(l)).collect(),
            cells,
        }
    }

    fn value_range(&self) -> Option<(f64, f64)> {
        let mut it = self.cells.iter().flatten().flatten().copied();
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    fn plot_height(&self) -> u32 {
        self.rows.len().max(1) as u32 * row_height(self.rows.len()) + X_AXIS_HEIGHT + 2 * MARGIN
    }
}

impl Chart for Heatmap {
    fn size(&self) -> (u32, u32) {
        (WIDTH, clamp_height(TITLE_HEIGHT + self.plot_height()))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let area = draw_title(root, &self.title)?;
        let Some(range) = self.value_range() else {
            return draw_no_data(&area);
        };
        let (w, _) = area.dim_in_pixel();
        let (plot, scale) = area.split_horizontally(w.saturating_sub(SCALE_WIDTH));
        self.draw_grid(&plot, range)?;
        self.draw_scale(&scale, range)
    }
}

impl Heatmap {
    fn draw_grid<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        range: (f64, f64),
    ) -> Result<(), ChartError> {
        let (nr, nc) = (self.rows.len(), self.cols.len());
        let y_area = label_area_width(self.rows.iter().map(String::as_str));
        let plot_w = area.dim_in_pixel().0.saturating_sub(y_area + 2 * MARGIN);
        let col_label_w = max_text_width(self.cols.iter().map(String::as_str), LABEL_SIZE);

        let mut chart = ChartBuilder::on(area)
            .margin(MARGIN)
            .x_label_area_size(X_AXIS_HEIGHT)
            .y_label_area_size(y_area)
            .build_cartesian_2d(
                KeyedAxis::categories(nc, label_step(nc, col_label_w, plot_w)),
                KeyedAxis::categories(nr, 1),
            )
            .map_err(draw_err)?;

        let x_fmt = |x: &f64| {
            category_at(*x, nc)
                .and_then(|c| self.cols.get(c).cloned())
                .unwrap_or_default()
        };
        // Row 0 is drawn at the top, i.e. at the highest y.
        let y_fmt = |y: &f64| {
            category_at(*y, nr)
                .and_then(|from_bottom| self.rows.get(nr - 1 - from_bottom).cloned())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .label_style(text_style(LABEL_SIZE))
            .axis_style(AXIS)
            .draw()
            .map_err(draw_err)?;

        let print_values = self.values_fit(plot_w / nc.max(1) as u32);
        for (r, row) in self.cells.iter().enumerate() {
            let y = (nr - 1 - r) as f64;
            for (c, v) in row.iter().enumerate() {
                let Some(v) = v else { continue };
                let color = ramp_color(normalise(*v, range));
                let mut cell =
                    Rectangle::new([(c as f64, y), (c as f64 + 1.0, y + 1.0)], color.filled());
                // A one-pixel gap keeps neighbouring cells of similar colour apart.
                cell.set_margin(1, 0, 0, 1);
                chart.draw_series(std::iter::once(cell)).map_err(draw_err)?;
                if print_values {
                    let style = font(SMALL_SIZE)
                        .color(&text_on(color))
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    let text = Text::new(fmt_value(*v), (c as f64 + 0.5, y + 0.5), style);
                    chart.draw_series(std::iter::once(text)).map_err(draw_err)?;
                }
            }
        }
        Ok(())
    }

    /// Whether every value's text fits into a cell of `cell_w` pixels.
    fn values_fit(&self, cell_w: u32) -> bool {
        if row_height(self.rows.len()) < MIN_TEXT_CELL_HEIGHT {
            return false;
        }
        let texts: Vec<String> = self
            .cells
            .iter()
            .flatten()
            .flatten()
            .map(|v| fmt_value(*v))
            .collect();
        max_text_width(texts.iter().map(String::as_str), SMALL_SIZE) + 6 <= cell_w
    }

    /// Vertical colour bar with the maximum at the top, the minimum at the
    /// bottom and the unit above it.
    fn draw_scale<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (lo, hi): (f64, f64),
    ) -> Result<(), ChartError> {
        let (_, h) = area.dim_in_pixel();
        let (x0, x1) = (16, 36);
        let top = MARGIN as i32 + 34;
        let bottom = (h as i32 - (X_AXIS_HEIGHT + MARGIN) as i32).max(top + 40);
        let steps = (bottom - top).max(1);
        for i in 0..steps {
            // Top pixel shows the maximum.
            let t = 1.0 - i as f64 / (steps - 1).max(1) as f64;
            let color = ramp_color(t);
            area.draw(&Rectangle::new(
                [(x0, top + i), (x1, top + i + 1)],
                color.filled(),
            ))
            .map_err(draw_err)?;
        }
        area.draw(&Rectangle::new([(x0, top), (x1, bottom)], AXIS))
            .map_err(draw_err)?;
        let left = |v: VPos| text_style(SMALL_SIZE).pos(Pos::new(HPos::Left, v));
        area.draw_text(&fmt_value(hi), &left(VPos::Center), (x1 + 6, top))
            .map_err(draw_err)?;
        area.draw_text(&fmt_value(lo), &left(VPos::Center), (x1 + 6, bottom))
            .map_err(draw_err)?;
        if !self.unit.is_empty() {
            let unit = truncate_label(&self.unit);
            area.draw_text(&unit, &left(VPos::Bottom), (x0, top - 10))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Position of `v` within `[lo, hi]` as 0..=1; a flat grid sits mid-ramp.
fn normalise(v: f64, (lo, hi): (f64, f64)) -> f64 {
    if hi - lo <= f64::EPSILON {
        0.5
    } else {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    }
}

/// Colour for `t` in 0..=1, linearly interpolated along [`RAMP`].
fn ramp_color(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (RAMP.len() - 1) as f64;
    let i = (t.floor() as usize).min(RAMP.len() - 2);
    let f = t - i as f64;
    let (a, b) = (RAMP[i], RAMP[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Dark text on light cells, white text on dark ones.
fn text_on(bg: RGBColor) -> RGBColor {
    let luminance = 0.299 * bg.0 as f64 + 0.587 * bg.1 as f64 + 0.114 * bg.2 as f64;
    if luminance > 140.0 {
        TEXT
    } else {
        WHITE
    }
}
