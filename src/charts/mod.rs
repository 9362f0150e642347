//! Report charts rendered to SVG text and PNG bytes.
//!
//! Every chart is drawn twice from the same description: once into an SVG
//! string (for HTML/Markdown reports) and once into an RGB buffer that is
//! encoded as PNG. Chart code never touches the file system; callers write
//! the returned bytes wherever they like.
//!
//! Text is drawn with an embedded CJK font (see [`font`]) so Chinese
//! department and matter names render in PNGs on any host; SVGs name a CSS font
//! stack that ends with the embedded fonts, carried as a subset for the chart's own
//! characters, so they render on a host without a CJK font too. Output is
//! deterministic: the same input yields byte-identical SVG and PNG.

mod axis;
mod bar;
mod font;
mod grouped;
mod heatmap;
mod histogram;
mod line;
mod style;
mod subset;
#[cfg(test)]
mod tests;
mod text;

use std::fmt;
use std::io::Cursor;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use font::{embedded_font_css, strip_svg_fonts};
use text::MixedFontBackend;

/// A rendered chart in both output formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Standalone SVG document (UTF-8), suitable for inlining into HTML.
    pub svg: String,
    /// PNG-encoded RGB image with the same layout as the SVG.
    pub png: Vec<u8>,
}

/// Why a chart could not be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartError {
    /// Drawing failed (font registration, backend error).
    Draw(String),
    /// The raster image could not be encoded as PNG.
    Encode(String),
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartError::Draw(msg) => write!(f, "chart drawing failed: {msg}"),
            ChartError::Encode(msg) => write!(f, "chart PNG encoding failed: {msg}"),
        }
    }
}

impl std::error::Error for ChartError {}

/// Horizontal bar chart.
///
/// Labels run top to bottom in the given order; the label column is sized
/// from the longest label (labels beyond 24 characters end in "…"). Each bar
/// carries its value at the end and the x axis is captioned with `unit`.
/// Items whose value is NaN or infinite are left out; an empty list gives a
/// chart that says "no data".
pub fn bars(title: &str, unit: &str, items: &[(String, f64)]) -> Result<Rendered, ChartError> {
    render(&bar::Bars::new(title, unit, items))
}

/// Line chart over categorical x positions (months such as "2018-01", hours
/// such as "09"), one line per named series, with a legend.
///
/// `None`, NaN and infinite values leave gaps. Values beyond the number of
/// `x_labels` are ignored. `y_label` may be empty for no axis caption. When
/// there are many x positions only every n-th label is printed so they do
/// not overlap.
pub fn lines(
    title: &str,
    y_label: &str,
    x_labels: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> Result<Rendered, ChartError> {
    render(&line::Lines::new(title, y_label, x_labels, series))
}

/// Heatmap with one row per `row_labels` entry (top to bottom) and one column
/// per `col_labels` entry; `values[row][col]`, `None` (or non-finite) cells
/// stay blank.
///
/// A colour scale on the right shows the minimum and maximum with `unit`.
/// Cell values are printed when the cells are large enough to hold them.
pub fn heatmap(
    title: &str,
    row_labels: &[String],
    col_labels: &[String],
    values: &[Vec<Option<f64>>],
    unit: &str,
) -> Result<Rendered, ChartError> {
    render(&heatmap::Heatmap::new(
        title, row_labels, col_labels, values, unit,
    ))
}

/// One series of [`grouped_bars`]: name, one value per category, and
/// optionally one `(lo, hi)` interval per category.
pub type GroupedSeries = (String, Vec<f64>, Option<Vec<(f64, f64)>>);

/// Horizontal grouped bars: for each category (top to bottom) one bar per
/// series, in series order, with a legend.
///
/// Each series is `(name, values, ci)`, where `ci` optionally gives a
/// `(lo, hi)` interval per bar (e.g. a 95 % confidence interval) drawn as a
/// whisker. Missing or non-finite values draw no bar.
pub fn grouped_bars(
    title: &str,
    unit: &str,
    categories: &[String],
    series: &[GroupedSeries],
) -> Result<Rendered, ChartError> {
    render(&grouped::GroupedBars::new(title, unit, categories, series))
}

/// Overlaid histograms of raw samples (e.g. wait minutes before vs after).
///
/// Values are counted in bins of `bin_width` from 0 to `max_x`; values at or
/// above `max_x` are counted in the last bin and negative values in the first
/// (the x caption says so when it happens), non-finite values are dropped.
/// Bars show each sample's share in percent, so samples of different sizes
/// compare fairly; the legend gives each sample size. Invalid `bin_width` or
/// `max_x` fall back to 20 bins over the data range.
pub fn histogram(
    title: &str,
    x_label: &str,
    bin_width: f64,
    max_x: f64,
    series: &[(String, Vec<f64>)],
) -> Result<Rendered, ChartError> {
    render(&histogram::Histogram::from_samples(
        title, x_label, bin_width, max_x, series,
    ))
}

/// Like [`histogram`], with each sample given once with the number of times it
/// occurs: `(value, count)`.
pub fn histogram_counted(
    title: &str,
    x_label: &str,
    bin_width: f64,
    max_x: f64,
    series: &[(String, Vec<(f64, u64)>)],
) -> Result<Rendered, ChartError> {
    render(&histogram::Histogram::from_counted_samples(
        title, x_label, bin_width, max_x, series,
    ))
}

/// Like [`histogram`], but each series is already binned: element `i` is the
/// count in `[i * bin_width, (i + 1) * bin_width)`.
pub fn histogram_binned(
    title: &str,
    x_label: &str,
    bin_width: f64,
    series: &[(String, Vec<f64>)],
) -> Result<Rendered, ChartError> {
    render(&histogram::Histogram::from_counts(
        title, x_label, bin_width, series,
    ))
}

/// A chart description that can draw itself onto any plotters backend.
///
/// Drawing is generic over the backend so the SVG and the PNG come from the
/// very same code and cannot drift apart.
trait Chart {
    /// Canvas size in pixels (width, height).
    fn size(&self) -> (u32, u32);
    /// Draws the whole chart, title included, onto `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

/// Converts any plotters error into [`ChartError::Draw`].
fn draw_err<E: fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn render(chart: &impl Chart) -> Result<Rendered, ChartError> {
    font::ensure_registered()?;
    let (w, h) = chart.size();
    Ok(Rendered {
        svg: render_svg(chart, w, h)?,
        png: render_png(chart, w, h)?,
    })
}

fn render_svg(chart: &impl Chart, w: u32, h: u32) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let backend = SVGBackend::with_string(&mut svg, (w, h));
        let root = MixedFontBackend::vector(backend).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        chart.draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    Ok(font::embed_svg_fonts(&font::apply_css_font_stack(&svg)))
}

fn render_png(chart: &impl Chart, w: u32, h: u32) -> Result<Vec<u8>, ChartError> {
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, (w, h));
        let root = MixedFontBackend::raster(backend).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        chart.draw(&root)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(w, h, rgb)
}

fn encode_png(w: u32, h: u32, rgb: Vec<u8>) -> Result<Vec<u8>, ChartError> {
    let img = image::RgbImage::from_raw(w, h, rgb)
        .ok_or_else(|| ChartError::Encode("buffer size does not match image size".into()))?;
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageOutputFormat::Png)
        .map_err(|e| ChartError::Encode(e.to_string()))?;
    Ok(out.into_inner())
}
