//! A backend wrapper that makes mixed Chinese/Latin text work.
//!
//! plotters draws a string with a single font, but our CJK font has no
//! Latin glyphs (see `font.rs`). [`MixedFontBackend`] wraps any backend and
//!
//! * measures text as the sum of its per-font runs, for SVG and PNG alike,
//!   so both get the same layout;
//! * for raster output, draws each run with its own font, one after the
//!   other along the text direction (rotation included);
//! * for SVG output, passes text through unchanged: the browser does font
//!   fallback itself from the CSS font stack.
//!
//! Everything else is delegated untouched.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use super::font::{measure, run_width, runs};

/// Wraps `inner`; `split_runs` selects raster behaviour (draw per font run).
pub(crate) struct MixedFontBackend<B> {
    inner: B,
    split_runs: bool,
}

impl<B: DrawingBackend> MixedFontBackend<B> {
    /// Wrapper for a raster backend: text is drawn run by run.
    pub(crate) fn raster(inner: B) -> Self {
        Self {
            inner,
            split_runs: true,
        }
    }

    /// Wrapper for a vector backend: text is measured run by run but emitted
    /// whole.
    pub(crate) fn vector(inner: B) -> Self {
        Self {
            inner,
            split_runs: false,
        }
    }

    fn draw_runs<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let size = style.size();
        let anchor = style.anchor();
        let trans = style.transform();
        let parts = runs(text);
        let widths: Vec<i32> = parts.iter().map(|(f, r)| run_width(*f, r, size)).collect();
        let total: i32 = widths.iter().sum();
        let mut advance = match anchor.h_pos {
            HPos::Left => 0,
            HPos::Center => -total / 2,
            HPos::Right => -total,
        };
        for ((face, run), width) in parts.iter().zip(widths) {
            // Runs at a different size must share the nominal baseline.
            let shift = baseline(anchor.v_pos, size) - baseline(anchor.v_pos, face.scaled(size));
            let (dx, dy) = trans.transform(advance, shift.round() as i32);
            // FontTransform is not Copy, so the style hands out a fresh one.
            let run_style = TextStyle {
                font: face.font(size, style.style()).transform(style.transform()),
                color: style.color(),
                pos: Pos::new(HPos::Left, anchor.v_pos),
            };
            self.inner
                .draw_text(run, &run_style, (pos.0 + dx, pos.1 + dy))?;
            advance += width;
        }
        Ok(())
    }
}

/// Distance from the anchor point to the baseline for text of `size`,
/// mirroring plotters' `ab_glyph` placement: the text box is `size / 1.24`
/// high and glyphs sit on a baseline `size / 2` below the box top.
fn baseline(v: VPos, size: f64) -> f64 {
    let height = (size / 1.24).trunc();
    let top = match v {
        VPos::Top => 0.0,
        VPos::Center => -(height / 2.0).trunc(),
        VPos::Bottom => -height,
    };
    top + size / 2.0
}

impl<B: DrawingBackend> DrawingBackend for MixedFontBackend<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if self.split_runs {
            self.draw_runs(text, style, pos)
        } else {
            self.inner.draw_text(text, style, pos)
        }
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        Ok(measure(text, style.size()))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }
}
