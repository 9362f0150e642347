//! Shared look and layout helpers: palette, font sizes, number formatting,
//! label truncation, titles and legends.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::font::{measure, FAMILY};
use super::{draw_err, ChartError};

/// Canvas width shared by all charts, so reports line up.
pub(crate) const WIDTH: u32 = 900;
/// Hard cap on canvas height, so absurd inputs cannot allocate gigabytes.
pub(crate) const MAX_HEIGHT: u32 = 12_000;

/// Font sizes in plotters units. The SVG backend writes `size / 1.24` as the
/// CSS pixel size, so 18 gives about 14.5 px, the smallest we allow.
pub(crate) const TITLE_SIZE: f64 = 26.0;
pub(crate) const LABEL_SIZE: f64 = 19.0;
pub(crate) const SMALL_SIZE: f64 = 18.0;

/// Height of the strip holding the chart title.
pub(crate) const TITLE_HEIGHT: u32 = 48;
/// Row height of a legend line.
const LEGEND_ROW: u32 = 28;

/// Labels longer than this many characters are cut and end in "…".
pub(crate) const MAX_LABEL_CHARS: usize = 24;

/// Shown instead of a plot when there is nothing to draw.
pub(crate) const NO_DATA: &str = "无数据（no data）";

/// Text colour for titles, labels and values.
pub(crate) const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);
/// Axis line colour.
pub(crate) const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Grid line colour, kept light so data dominates. Minor grid lines are
/// drawn transparent: at report sizes they only added noise.
pub(crate) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// Series colours (Tableau 10 order): distinct, print-friendly, and the same
/// series index always gets the same colour in every chart.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0xBA, 0xB0, 0xAC),
];

/// Colour of the `i`-th series; wraps around after ten series.
pub(crate) fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Font of the given size in the embedded family.
pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FAMILY), size, FontStyle::Normal)
}

/// Text style in the default text colour.
pub(crate) fn text_style(size: f64) -> TextStyle<'static> {
    font(size).color(&TEXT)
}

/// Width in pixels of `text` at `size`, measured exactly as the backend will
/// lay it out (mixed Chinese/Latin runs included).
pub(crate) fn text_width(text: &str, size: f64) -> u32 {
    measure(text, size).0
}

/// Widest of several texts, in pixels.
pub(crate) fn max_text_width<'a>(texts: impl IntoIterator<Item = &'a str>, size: f64) -> u32 {
    texts
        .into_iter()
        .map(|t| text_width(t, size))
        .max()
        .unwrap_or(0)
}

/// Cuts `label` to [`MAX_LABEL_CHARS`] characters, marking the cut with "…".
pub(crate) fn truncate_label(label: &str) -> String {
    truncate_chars(label, MAX_LABEL_CHARS)
}

fn truncate_chars(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// Shortens `text` until it fits into `max_px` at `size` (used for titles,
/// whose limit is the canvas width rather than a character count).
pub(crate) fn fit_width(text: &str, size: f64, max_px: u32) -> String {
    let mut chars = text.chars().count();
    let mut out = text.to_string();
    while chars > 1 && text_width(&out, size) > max_px {
        chars -= 1;
        out = truncate_chars(text, chars);
    }
    out
}

/// Human-friendly number: integers without decimals, otherwise up to two
/// significant decimals, thousands separated by commas.
pub(crate) fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    let decimals = if a >= 100.0 || a.fract() == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    };
    let raw = format!("{:.*}", decimals, a);
    // Trailing zeros after the point carry no information ("2.50" -> "2.5").
    let raw = if raw.contains('.') {
        raw.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        raw
    };
    let (int_part, frac_part) = raw.split_once('.').unwrap_or((raw.as_str(), ""));
    let mut out = String::new();
    // "-0" would look like a bug, so only non-zero results get a sign.
    if v < 0.0 && raw.chars().any(|c| ('1'..='9').contains(&c)) {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part));
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(frac_part);
    }
    out
}

fn group_thousands(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Keeps finite values only: NaN and ±inf cannot be placed on an axis.
pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Value range that always contains zero and is never empty, so bars grow
/// from a visible baseline and axes can be built even for all-zero data.
pub(crate) fn range_with_zero(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi - lo <= f64::EPSILON {
        hi = lo + 1.0;
    }
    (lo, hi)
}

/// Clamps a computed canvas height to something sane.
pub(crate) fn clamp_height(h: u32) -> u32 {
    h.clamp(240, MAX_HEIGHT)
}

/// Draws `title` centred in a strip at the top and returns the area below.
pub(crate) fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let (w, _) = root.dim_in_pixel();
    let (top, rest) = root.split_vertically(TITLE_HEIGHT);
    let text = fit_width(title, TITLE_SIZE, w.saturating_sub(40));
    let style = text_style(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
    top.draw_text(&text, &style, ((w / 2) as i32, (TITLE_HEIGHT / 2) as i32))
        .map_err(draw_err)?;
    Ok(rest)
}

/// Writes the "no data" notice in the middle of `area`.
pub(crate) fn draw_no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    let style = font(LABEL_SIZE)
        .color(&AXIS)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(NO_DATA, &style, ((w / 2) as i32, (h / 2) as i32))
        .map_err(draw_err)
}

/// How a legend entry marks its series.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Swatch {
    /// Filled square, for bars and histograms.
    Box,
    /// Short thick line with a dot, for line charts.
    Line,
}

/// One legend entry: label and series colour.
pub(crate) struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
}

const SWATCH: i32 = 16;
const SWATCH_GAP: i32 = 6;
const ENTRY_GAP: i32 = 24;

fn entry_width(e: &LegendEntry) -> i32 {
    SWATCH + SWATCH_GAP + text_width(&e.label, SMALL_SIZE) as i32
}

/// Splits legend entries into centred rows that fit into `width`.
fn legend_rows(entries: &[LegendEntry], width: u32) -> Vec<Vec<&LegendEntry>> {
    let max = width as i32 - 40;
    let mut rows: Vec<Vec<&LegendEntry>> = Vec::new();
    let mut used = 0;
    for e in entries {
        let w = entry_width(e);
        match rows.last_mut() {
            Some(row) if used + ENTRY_GAP + w <= max => {
                row.push(e);
                used += ENTRY_GAP + w;
            }
            _ => {
                rows.push(vec![e]);
                used = w;
            }
        }
    }
    rows
}

/// Height the legend needs at the given canvas width (0 without entries).
pub(crate) fn legend_height(entries: &[LegendEntry], width: u32) -> u32 {
    let rows = legend_rows(entries, width).len() as u32;
    if rows == 0 {
        0
    } else {
        rows * LEGEND_ROW + 8
    }
}

/// Draws the legend into the top of `area` and returns the area below it.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    swatch: Swatch,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let (w, _) = area.dim_in_pixel();
    let height = legend_height(entries, w);
    if height == 0 {
        return Ok(area.clone());
    }
    let (strip, rest) = area.split_vertically(height);
    for (r, row) in legend_rows(entries, w).iter().enumerate() {
        let row_w: i32 =
            row.iter().map(|e| entry_width(e)).sum::<i32>() + ENTRY_GAP * (row.len() as i32 - 1);
        let mut x = (w as i32 - row_w) / 2;
        let cy = r as i32 * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        for e in row {
            draw_swatch(&strip, swatch, e.color, x, cy)?;
            let style = text_style(SMALL_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
            strip
                .draw_text(&e.label, &style, (x + SWATCH + SWATCH_GAP, cy))
                .map_err(draw_err)?;
            x += entry_width(e) + ENTRY_GAP;
        }
    }
    Ok(rest)
}

fn draw_swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    color: RGBColor,
    x: i32,
    cy: i32,
) -> Result<(), ChartError> {
    let half = SWATCH / 2;
    match swatch {
        Swatch::Box => area
            .draw(&Rectangle::new(
                [(x, cy - half), (x + SWATCH, cy + half)],
                color.filled(),
            ))
            .map_err(draw_err),
        Swatch::Line => {
            area.draw(&PathElement::new(
                vec![(x, cy), (x + SWATCH, cy)],
                color.stroke_width(3),
            ))
            .map_err(draw_err)?;
            area.draw(&Circle::new((x + half, cy), 4, color.filled()))
                .map_err(draw_err)
        }
    }
}

/// Pixel width of a y-axis label area holding `labels`, capped so the plot
/// keeps at least half the canvas.
///
/// The 10 % slack is for SVG viewers: their CJK fonts run a little wider
/// than the embedded one the layout is measured with.
pub(crate) fn label_area_width<'a>(labels: impl IntoIterator<Item = &'a str>) -> u32 {
    let widest = max_text_width(labels, LABEL_SIZE);
    (widest + widest / 10 + 24).clamp(40, WIDTH * 45 / 100)
}
