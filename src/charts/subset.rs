//! A TrueType subset of the embedded CJK font holding only the characters a page uses,
//! so that an HTML report shows its Chinese on a machine without a CJK font for a few
//! tens of kilobytes instead of the font's 3.4 MB.
//!
//! The subset keeps the glyphs of the characters asked for (and the components of
//! composite glyphs), numbered afresh from 0 (`.notdef`), and the tables a browser's
//! font sanitiser needs: `head`, `hhea`, `maxp`, `OS/2`, `name`, `post`, `cmap` (rebuilt:
//! a format 4 and a format 12 subtable), `hmtx`, `loca`, `glyf`, and the hinting tables.
//! Tables that refer to glyph numbers and are not needed to draw text (`GSUB`, `GPOS`,
//! `GDEF`, vertical metrics) are dropped.

use std::collections::{BTreeMap, BTreeSet};

fn u16_at(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// The tables of a font by tag.
fn tables(font: &[u8]) -> Option<BTreeMap<[u8; 4], &[u8]>> {
    let n = usize::from(u16_at(font, 4)?);
    let mut out = BTreeMap::new();
    for i in 0..n {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let off = u32_at(font, rec + 8)? as usize;
        let len = u32_at(font, rec + 12)? as usize;
        out.insert(tag, font.get(off..off + len)?);
    }
    Some(out)
}

fn checksum(d: &[u8]) -> u32 {
    d.chunks(4).fold(0u32, |acc, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(w))
    })
}

/// The glyph numbers a composite glyph is made of (empty for a simple glyph).
fn components(glyph: &[u8]) -> Vec<(usize, u16)> {
    // numberOfContours < 0: composite. Each component: flags, glyphIndex, arguments
    // (two words or two bytes) and an optional scale or matrix.
    let mut out = Vec::new();
    if glyph.len() < 10 || i16::from_be_bytes([glyph[0], glyph[1]]) >= 0 {
        return out;
    }
    let mut at = 10;
    while let (Some(flags), Some(gid)) = (u16_at(glyph, at), u16_at(glyph, at + 2)) {
        out.push((at + 2, gid));
        at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
        at += if flags & 0x0008 != 0 {
            2
        } else if flags & 0x0040 != 0 {
            4
        } else if flags & 0x0080 != 0 {
            8
        } else {
            0
        };
        if flags & 0x0020 == 0 {
            break;
        }
    }
    out
}

/// The subset of TrueType `font` for the characters of `text` that it maps, or None when
/// the font cannot be read or maps none of them.
pub fn subset(font: &[u8], text: &str) -> Option<Vec<u8>> {
    let t = tables(font)?;
    let head = *t.get(b"head")?;
    let hhea = *t.get(b"hhea")?;
    let maxp = *t.get(b"maxp")?;
    let hmtx = *t.get(b"hmtx")?;
    let loca = *t.get(b"loca")?;
    let glyf = *t.get(b"glyf")?;
    let long_loca = u16_at(head, 50)? == 1;
    let num_glyphs = usize::from(u16_at(maxp, 4)?);
    let num_metrics = usize::from(u16_at(hhea, 34)?).clamp(1, num_glyphs.max(1));
    let glyph = |gid: usize| -> Option<&[u8]> {
        let (a, b) = if long_loca {
            (
                u32_at(loca, 4 * gid)? as usize,
                u32_at(loca, 4 * gid + 4)? as usize,
            )
        } else {
            (
                2 * usize::from(u16_at(loca, 2 * gid)?),
                2 * usize::from(u16_at(loca, 2 * gid + 2)?),
            )
        };
        glyf.get(a..b.max(a))
    };
    let face = ab_glyph::FontRef::try_from_slice(font).ok()?;
    let mut chars: BTreeMap<u32, u16> = BTreeMap::new();
    for c in text.chars().collect::<BTreeSet<char>>() {
        let g = ab_glyph::Font::glyph_id(&face, c).0;
        if g != 0 {
            chars.insert(c as u32, g);
        }
    }
    if chars.is_empty() {
        return None;
    }
    // Old glyph numbers kept, in order; composites pull in their components.
    let mut keep: BTreeSet<u16> = BTreeSet::from([0]);
    let mut todo: Vec<u16> = chars.values().copied().collect();
    while let Some(g) = todo.pop() {
        if usize::from(g) >= num_glyphs || !keep.insert(g) {
            continue;
        }
        for (_, c) in components(glyph(usize::from(g))?) {
            if !keep.contains(&c) {
                todo.push(c);
            }
        }
    }
    let new_id: BTreeMap<u16, u16> = keep
        .iter()
        .enumerate()
        .map(|(i, &g)| (g, i as u16))
        .collect();
    let n = keep.len();

    // glyf and loca (long offsets), hmtx with one full metric per glyph.
    let (mut new_glyf, mut new_loca, mut new_hmtx) = (Vec::new(), Vec::new(), Vec::new());
    let last_adv = u16_at(hmtx, 4 * (num_metrics - 1))?;
    for &g in &keep {
        let g = usize::from(g);
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        let mut data = glyph(g)?.to_vec();
        for (at, c) in components(&data.clone()) {
            let c = new_id.get(&c).copied().unwrap_or(0);
            data[at..at + 2].copy_from_slice(&c.to_be_bytes());
        }
        new_glyf.extend_from_slice(&data);
        while new_glyf.len() % 4 != 0 {
            new_glyf.push(0);
        }
        let (adv, lsb) = if g < num_metrics {
            (u16_at(hmtx, 4 * g)?, u16_at(hmtx, 4 * g + 2)?)
        } else {
            (
                last_adv,
                u16_at(hmtx, 4 * num_metrics + 2 * (g - num_metrics)).unwrap_or(0),
            )
        };
        new_hmtx.extend_from_slice(&adv.to_be_bytes());
        new_hmtx.extend_from_slice(&lsb.to_be_bytes());
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());

    // cmap: (3,1) format 4 for the BMP, (3,10) format 12 for everything.
    let map: Vec<(u32, u16)> = chars
        .iter()
        .map(|(&c, g)| (c, new_id.get(g).copied().unwrap_or(0)))
        .collect();
    let bmp: Vec<(u16, u16)> = map
        .iter()
        .filter(|(c, _)| *c < 0xFFFF)
        .map(|&(c, g)| (c as u16, g))
        .collect();
    let segs = bmp.len() + 1;
    let mut f4 = Vec::new();
    let pow = (segs as f64).log2().floor() as u32;
    let search = 2 * (1u16 << pow);
    for v in [
        4u16,
        (16 + 8 * segs) as u16,
        0,
        (2 * segs) as u16,
        search,
        pow as u16,
        (2 * segs) as u16 - search,
    ] {
        f4.extend_from_slice(&v.to_be_bytes());
    }
    let ends: Vec<u16> = bmp.iter().map(|p| p.0).chain([0xFFFF]).collect();
    let deltas: Vec<u16> = bmp
        .iter()
        .map(|&(c, g)| g.wrapping_sub(c))
        .chain([1])
        .collect();
    for e in &ends {
        f4.extend_from_slice(&e.to_be_bytes());
    }
    f4.extend_from_slice(&[0, 0]);
    for e in &ends {
        f4.extend_from_slice(&e.to_be_bytes());
    }
    for d in &deltas {
        f4.extend_from_slice(&d.to_be_bytes());
    }
    for _ in 0..segs {
        f4.extend_from_slice(&[0, 0]);
    }
    let mut f12 = Vec::new();
    f12.extend_from_slice(&12u16.to_be_bytes());
    f12.extend_from_slice(&0u16.to_be_bytes());
    f12.extend_from_slice(&((16 + 12 * map.len()) as u32).to_be_bytes());
    f12.extend_from_slice(&0u32.to_be_bytes());
    f12.extend_from_slice(&(map.len() as u32).to_be_bytes());
    for &(c, g) in &map {
        f12.extend_from_slice(&c.to_be_bytes());
        f12.extend_from_slice(&c.to_be_bytes());
        f12.extend_from_slice(&u32::from(g).to_be_bytes());
    }
    let mut cmap = Vec::new();
    for v in [0u16, 2, 3, 1] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    cmap.extend_from_slice(&20u32.to_be_bytes());
    for v in [3u16, 10] {
        cmap.extend_from_slice(&v.to_be_bytes());
    }
    cmap.extend_from_slice(&(20 + f4.len() as u32).to_be_bytes());
    cmap.extend_from_slice(&f4);
    cmap.extend_from_slice(&f12);

    let mut new_head = head.to_vec();
    new_head[8..12].copy_from_slice(&[0; 4]);
    new_head[50..52].copy_from_slice(&1u16.to_be_bytes());
    let mut new_hhea = hhea.to_vec();
    new_hhea[34..36].copy_from_slice(&(n as u16).to_be_bytes());
    let mut new_maxp = maxp.to_vec();
    new_maxp[4..6].copy_from_slice(&(n as u16).to_be_bytes());

    let mut out_tables: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
    out_tables.insert(*b"head", new_head);
    out_tables.insert(*b"hhea", new_hhea);
    out_tables.insert(*b"maxp", new_maxp);
    out_tables.insert(*b"hmtx", new_hmtx);
    out_tables.insert(*b"loca", new_loca);
    out_tables.insert(*b"glyf", new_glyf);
    out_tables.insert(*b"cmap", cmap);
    for tag in [
        b"OS/2", b"name", b"post", b"cvt ", b"fpgm", b"prep", b"gasp",
    ] {
        if let Some(d) = t.get(tag) {
            let mut d = d.to_vec();
            if tag == b"post" && d.len() >= 32 {
                // Format 3: no glyph names (they would be numbered the old way).
                d.truncate(32);
                d[0..4].copy_from_slice(&0x0003_0000u32.to_be_bytes());
            }
            out_tables.insert(*tag, d);
        }
    }
    Some(assemble(&out_tables))
}

/// An sfnt file from its tables, with the directory, padding and checksums.
fn assemble(tables: &BTreeMap<[u8; 4], Vec<u8>>) -> Vec<u8> {
    let n = tables.len();
    let pow = (n as f64).log2().floor() as u32;
    let search = 16 * (1u16 << pow);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [n as u16, search, pow as u16, (16 * n) as u16 - search] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * n;
    let mut body = Vec::new();
    let mut head_at = None;
    for (tag, d) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(d).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(d.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        body.extend_from_slice(d);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * n + body.len();
    }
    out.extend_from_slice(&body);
    if let Some(h) = head_at {
        let adj = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[h + 8..h + 12].copy_from_slice(&adj.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subset_maps_its_characters_and_nothing_else_and_is_small() {
        let font = super::super::font::cjk_bytes();
        let text = "不动产登记中心 税务局 · 平均等候";
        let sub = subset(font, text).expect("a subset");
        assert!(sub.len() < 40_000, "{} bytes", sub.len());
        use ab_glyph::{Font, FontRef};
        let face = FontRef::try_from_slice(&sub).expect("the subset parses");
        let full = FontRef::try_from_slice(font).expect("the font parses");
        for c in text.chars().filter(|c| !c.is_ascii() && *c != '·') {
            let (g, f) = (face.glyph_id(c), full.glyph_id(c));
            assert_ne!(g.0, 0, "{c} mapped");
            assert_eq!(
                face.h_advance_unscaled(g),
                full.h_advance_unscaled(f),
                "{c}"
            );
            // The same outline: the same bounding box.
            let bounds = |font: &FontRef, id| font.outline(id).map(|o| o.bounds);
            assert_eq!(bounds(&face, g), bounds(&full, f), "{c}");
        }
        assert_eq!(face.glyph_id('龍').0, 0);
        assert_eq!(checksum(&sub), 0xB1B0_AFBA, "the head checksum adjustment");
        assert!(subset(font, "abc").is_none(), "the CJK font has no Latin");
    }
}
