//! Horizontal bar chart (one bar per labelled item).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{category_at, KeyedAxis};
use super::style::{
    clamp_height, draw_no_data, draw_title, finite, fmt_value, label_area_width, max_text_width,
    range_with_zero, series_color, text_style, truncate_label, AXIS, GRID, LABEL_SIZE, SMALL_SIZE,
    TITLE_HEIGHT, WIDTH,
};
use super::{draw_err, Chart, ChartError};

/// Pixels per bar row; smaller for very long lists so they stay scrollable.
fn row_height(rows: usize) -> u32 {
    if rows > 60 {
        24
    } else {
        30
    }
}

/// Height of the x axis area (tick labels plus unit caption).
const X_AXIS_HEIGHT: u32 = 64;

pub(crate) struct Bars {
    title: String,
    unit: String,
    /// Display label (already truncated) and finite value, top to bottom.
    rows: Vec<(String, f64)>,
}

impl Bars {
    pub(crate) fn new(title: &str, unit: &str, items: &[(String, f64)]) -> Self {
        let rows = items
            .iter()
            .filter_map(|(label, v)| finite(*v).map(|v| (truncate_label(label), v)))
            .collect();
        Self {
            title: title.to_string(),
            unit: unit.to_string(),
            rows,
        }
    }

    /// Label of the row whose centre sits at axis position `y` (row 0 is at
    /// the top, i.e. the largest y).
    fn label_at(&self, y: f64) -> String {
        let n = self.rows.len();
        category_at(y, n)
            .and_then(|from_bottom| self.rows.get(n - 1 - from_bottom))
            .map(|r| r.0.clone())
            .unwrap_or_default()
    }
}

impl Chart for Bars {
    fn size(&self) -> (u32, u32) {
        let n = self.rows.len().max(1) as u32;
        let h = TITLE_HEIGHT + 20 + n * row_height(self.rows.len()) + X_AXIS_HEIGHT;
        (WIDTH, clamp_height(h))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let area = draw_title(root, &self.title)?;
        if self.rows.is_empty() {
            return draw_no_data(&area);
        }
        self.draw_plot(&area)
    }
}

impl Bars {
    fn draw_plot<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let n = self.rows.len();
        let (lo, hi) = range_with_zero(self.rows.iter().map(|r| r.1));
        let value_texts: Vec<String> = self.rows.iter().map(|r| fmt_value(r.1)).collect();
        // Room for the value printed after the longest bar.
        let value_w = max_text_width(value_texts.iter().map(String::as_str), SMALL_SIZE);
        // Negative bars print their value to the left, so leave room there too.
        let lo = if lo < 0.0 { lo - (hi - lo) * 0.15 } else { lo };

        let mut chart = ChartBuilder::on(area)
            .margin_top(10)
            .margin_left(10)
            .margin_right(value_w + 24)
            .x_label_area_size(X_AXIS_HEIGHT - 10)
            .y_label_area_size(label_area_width(self.rows.iter().map(|r| r.0.as_str())))
            .build_cartesian_2d(lo..hi, KeyedAxis::categories(n, 1))
            .map_err(draw_err)?;

        let x_fmt = |v: &f64| fmt_value(*v);
        let y_fmt = |y: &f64| self.label_at(*y);
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

        let color = series_color(0);
        for (i, ((_, v), text)) in self.rows.iter().zip(&value_texts).enumerate() {
            let y = (n - 1 - i) as f64;
            let bar = Rectangle::new([(0.0, y + 0.18), (*v, y + 0.82)], color.filled());
            chart.draw_series(std::iter::once(bar)).map_err(draw_err)?;
            let (dx, pos) = value_anchor(*v);
            let label = EmptyElement::at((*v, y + 0.5))
                + Text::new(text.clone(), (dx, 0), text_style(SMALL_SIZE).pos(pos));
            chart
                .draw_series(std::iter::once(label))
                .map_err(draw_err)?;
        }
        Ok(())
    }
}

/// Where the value text of a bar goes: right of positive bars, left of
/// negative ones, a few pixels away from the bar end.
fn value_anchor(v: f64) -> (i32, Pos) {
    if v < 0.0 {
        (-6, Pos::new(HPos::Right, VPos::Center))
    } else {
        (6, Pos::new(HPos::Left, VPos::Center))
    }
}
