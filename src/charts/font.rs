//! Fonts: an embedded CJK font plus a small Latin font for raster output, and
//! a CSS font stack for SVG output.
//!
//! plotters' `ab_glyph` text backend never looks at system fonts and draws a
//! whole string with one font, so:
//!
//! * Droid Sans Fallback (Apache-2.0) provides CJK but has **no** ASCII
//!   letters or digits (only the space), and
//! * a subset of DejaVu Sans (`fonts/DejaVuSans-subset.ttf`: ASCII,
//!   Latin-1, common punctuation and symbols; Bitstream Vera licence with
//!   DejaVu changes in the public domain, see the `.LICENSE` file beside it)
//!   provides Latin.
//!
//! [`runs`] splits text into per-font runs and [`MixedFontBackend`]
//! (in `text.rs`) draws each run with its own font. Both fonts are
//! registered under private family names. Those names also end up in SVG
//! `font-family` attributes, where browsers would not know them, so
//! [`apply_css_font_stack`] rewrites them to fonts viewers actually have.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef};
use plotters::style::{register_font, FontDesc, FontFamily, FontStyle};

use super::ChartError;

/// Private family name of the CJK font; all chart code uses this family.
/// Deliberately unusual so rewriting it in SVG output cannot hit anything
/// else.
pub(crate) const FAMILY: &str = "hallplan-cjk";
/// Private family name of the Latin font, used only for raster runs.
const LATIN_FAMILY: &str = "hallplan-latin";

/// Droid Sans Fallback, embedded so charts render identically on every host.
static CJK_BYTES: &[u8] = include_bytes!("../../assets/fonts/DroidSansFallback.ttf");
/// DejaVu Sans subset for the characters Droid Sans Fallback lacks.
static LATIN_BYTES: &[u8] = include_bytes!("fonts/DejaVuSans-subset.ttf");

/// Latin glyphs are drawn slightly smaller: at the same nominal size DejaVu's
/// em is about 12 % larger than Droid's, which made digits look oversized
/// next to Chinese.
const LATIN_SCALE: f64 = 0.9;

/// CSS font stack used in SVG output: common CJK system fonts first (they
/// all include Latin), then the fonts used for the PNG, then the generic
/// family.
/// The embedded fonts come first: a page or SVG that carries them
/// ([`embedded_font_css`]) looks the same everywhere, as the PNG does, and shows Chinese
/// on a machine without a CJK font (Chromium takes a listed system family it cannot find
/// for one that draws nothing when no font at all is installed, so they cannot come last).
pub(crate) const CSS_FONT_STACK: &str = "'hallplan-embedded-latin', 'hallplan-embedded-cjk', \
'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', \
'WenQuanYi Micro Hei', 'Droid Sans Fallback', 'DejaVu Sans', sans-serif";

/// The embedded CJK font file.
#[cfg(test)]
pub(crate) fn cjk_bytes() -> &'static [u8] {
    CJK_BYTES
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= c.len() {
                out.push(A[(n >> shift & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// CSS `@font-face` rules that embed the fonts as data URIs: the Latin subset whole
/// (25 kB) and the CJK font cut down to the characters of `text` (a report's few hundred
/// characters take tens of kB; the whole font is 3.4 MB). Empty CJK rule when `text` has
/// no character the CJK font maps.
pub fn embedded_font_css(text: &str) -> String {
    let mut css = format!(
        "@font-face{{font-family:'hallplan-embedded-latin';src:url(data:font/ttf;base64,{}) format('truetype')}}",
        base64(LATIN_BYTES)
    );
    if let Some(sub) = super::subset::subset(CJK_BYTES, text) {
        css.push_str(&format!(
            "@font-face{{font-family:'hallplan-embedded-cjk';src:url(data:font/ttf;base64,{}) format('truetype')}}",
            base64(&sub)
        ));
    }
    css
}

/// Marks the style block an SVG carries for viewing on its own; a page that inlines the
/// SVG and embeds the fonts itself drops it ([`strip_svg_fonts`]).
const SVG_FONTS_OPEN: &str = "<defs><style id=\"hallplan-fonts\">";
const SVG_FONTS_CLOSE: &str = "</style></defs>";

/// The SVG with the embedded fonts its text needs, right after the opening tag.
pub(crate) fn embed_svg_fonts(svg: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|i| start + i + 1) else {
        return svg.to_string();
    };
    format!(
        "{}{SVG_FONTS_OPEN}{}{SVG_FONTS_CLOSE}{}",
        &svg[..end],
        embedded_font_css(&svg[end..]),
        &svg[end..]
    )
}

/// The SVG without the fonts [`embed_svg_fonts`] put in.
pub fn strip_svg_fonts(svg: &str) -> std::borrow::Cow<'_, str> {
    match svg.find(SVG_FONTS_OPEN) {
        Some(a) => match svg[a..].find(SVG_FONTS_CLOSE) {
            Some(len) => format!("{}{}", &svg[..a], &svg[a + len + SVG_FONTS_CLOSE.len()..]).into(),
            None => svg.into(),
        },
        None => svg.into(),
    }
}

/// Which embedded font draws a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Latin,
    Cjk,
}

impl Face {
    fn family(self) -> &'static str {
        match self {
            Face::Latin => LATIN_FAMILY,
            Face::Cjk => FAMILY,
        }
    }

    /// Font size at which this face matches the nominal `size`.
    pub(crate) fn scaled(self, size: f64) -> f64 {
        match self {
            Face::Latin => size * LATIN_SCALE,
            Face::Cjk => size,
        }
    }

    /// plotters font for this face at nominal `size`.
    pub(crate) fn font(self, size: f64, style: FontStyle) -> FontDesc<'static> {
        FontDesc::new(FontFamily::Name(self.family()), self.scaled(size), style)
    }
}

/// Registers both embedded fonts exactly once per process.
///
/// The result is cached so that a broken font is reported on every call
/// instead of only the first.
pub(crate) fn ensure_registered() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FAMILY, FontStyle::Normal, CJK_BYTES)
                .map_err(|_| "embedded CJK font could not be parsed".to_string())?;
            register_font(LATIN_FAMILY, FontStyle::Normal, LATIN_BYTES)
                .map_err(|_| "embedded Latin font could not be parsed".to_string())
        })
        .clone()
        .map_err(ChartError::Draw)
}

/// The Latin font, parsed once, to ask which characters it covers.
fn latin_font() -> Option<&'static FontRef<'static>> {
    static LATIN: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    LATIN
        .get_or_init(|| FontRef::try_from_slice(LATIN_BYTES).ok())
        .as_ref()
}

/// Face for one character: Latin where the Latin font has a glyph (it has no
/// CJK), CJK for everything else.
fn face_of(c: char) -> Face {
    match latin_font() {
        Some(f) if f.glyph_id(c).0 != 0 => Face::Latin,
        _ => Face::Cjk,
    }
}

/// Splits `text` into maximal runs drawn with the same face.
pub(crate) fn runs(text: &str) -> Vec<(Face, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<Face> = None;
    for (i, c) in text.char_indices() {
        let face = face_of(c);
        match current {
            Some(f) if f != face => {
                out.push((f, &text[start..i]));
                start = i;
            }
            _ => {}
        }
        current = Some(face);
    }
    if let Some(f) = current {
        out.push((f, &text[start..]));
    }
    out
}

/// Width in pixels of one run, as plotters will lay it out.
pub(crate) fn run_width(face: Face, run: &str, size: f64) -> i32 {
    face.font(size, FontStyle::Normal)
        .box_size(run)
        .map(|(w, _)| w as i32)
        // Only reachable before registration; a rough guess keeps layout going.
        .unwrap_or_else(|_| (run.chars().count() as f64 * size) as i32)
}

/// Size in pixels of mixed-script `text` at nominal `size`: the sum of its
/// runs' widths, and plotters' line height for that size.
pub(crate) fn measure(text: &str, size: f64) -> (u32, u32) {
    let width: i32 = runs(text)
        .iter()
        .map(|(face, run)| run_width(*face, run, size))
        .sum();
    (width.max(0) as u32, (size / 1.24) as u32)
}

/// Replaces the private family name in SVG `font-family` attributes with
/// [`CSS_FONT_STACK`].
///
/// Only the attribute form `font-family="…"` is rewritten. Text content can
/// never contain that sequence because plotters escapes `"` in text.
pub(crate) fn apply_css_font_stack(svg: &str) -> String {
    let from = format!("font-family=\"{FAMILY}\"");
    let to = format!("font-family=\"{CSS_FONT_STACK}\"");
    svg.replace(&from, &to)
}
