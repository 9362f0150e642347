//! An xlsx workbook for analysts who live in Excel and leaders who print it: a summary
//! sheet first (the report's title, headings, findings and a list of the sheets), then
//! one sheet per table with a bold frozen header row, number formats (minutes to their
//! decimals, percentages, thousands), column widths that fit Chinese names, and a bar
//! chart where the table asks for one. Strings are written as text cells, which a
//! spreadsheet never runs as formulas.

use rust_xlsxwriter::{Chart, Color, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::{Block, Cell, Lang, Report, Table};

fn err(e: XlsxError) -> crate::Error {
    crate::Error::Render {
        what: "xlsx".into(),
        message: e.to_string(),
    }
}

/// Display width in Excel's units: a CJK (full-width) character takes two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// The number format of a cell.
fn num_format(c: &Cell) -> Option<&'static str> {
    match c {
        Cell::Int(_) => Some("#,##0"),
        Cell::Num(_, 0) => Some("#,##0"),
        Cell::Num(_, 1) => Some("#,##0.0"),
        Cell::Num(_, 2) => Some("#,##0.00"),
        Cell::Num(..) => Some("#,##0.000"),
        Cell::Pct(_) => Some("0.0%"),
        _ => None,
    }
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(base: &str, used: &mut std::collections::BTreeSet<String>) -> String {
    let clean: String = base
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let mut name = clean.clone();
    let mut k = 2;
    while !used.insert(name.clone()) {
        name = format!("{}_{k}", clean.chars().take(26).collect::<String>());
        k += 1;
    }
    name
}

fn summary_sheet(ws: &mut Worksheet, r: &Report, sheets: &[(String, &Table)]) -> crate::Result<()> {
    let title = Format::new().set_bold().set_font_size(14);
    let heading = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0x2f6fb0));
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.set_name(summary_name(r.lang)).map_err(err)?;
    ws.set_column_width(0, 110).map_err(err)?;
    ws.write_string_with_format(0, 0, &r.title, &title)
        .map_err(err)?;
    // The findings (the report's blocks up to its first table or chart), then the sheets.
    let mut lines: Vec<(String, &Format)> = Vec::new();
    for b in &r.blocks {
        match b {
            Block::Heading(h) | Block::Subheading(h) => lines.push((h.clone(), &heading)),
            Block::Paragraph(p) => lines.push((p.clone(), &text)),
            Block::Bullets(items) => {
                lines.extend(items.iter().map(|i| (format!("• {i}"), &text)));
            }
            Block::Table(_) | Block::Chart(_) => break,
        }
    }
    lines.push((String::new(), &text));
    lines.push((r.lang.label("Sheets · 工作表").into(), &heading));
    for (name, t) in sheets {
        lines.push((format!("{name}: {}", t.title), &text));
    }
    for (i, (s, f)) in lines.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_string_with_format(row, 0, s, f).map_err(err)?;
        // Wrapped text: about 110 characters (55 Chinese) a line.
        let n = (width(s) / 110 + 1).min(12) as f64;
        if n > 1.0 {
            ws.set_row_height(row, 15.0 * n).map_err(err)?;
        }
    }
    Ok(())
}

/// The summary sheet's name.
fn summary_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Both => "summary 摘要",
        Lang::Zh => "摘要",
        Lang::En => "summary",
    }
}

fn table_sheet(ws: &mut Worksheet, name: &str, t: &Table, lang: Lang) -> crate::Result<()> {
    ws.set_name(name).map_err(err)?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xeef3f8));
    // Headers in words (the CSV keeps the snake_case keys); a wrapped header is as wide
    // as its widest line.
    let headers: Vec<String> = t.columns.iter().map(|c| lang.header(c)).collect();
    let mut widths: Vec<usize> = headers
        .iter()
        .map(|h| h.lines().map(width).max().unwrap_or(0).min(24))
        .collect();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &header)
            .map_err(err)?;
    }
    if headers.iter().any(|h| h.contains('\n')) {
        ws.set_row_height(0, 30.0).map_err(err)?;
    }
    let formats: std::collections::BTreeMap<&str, Format> =
        ["#,##0", "#,##0.0", "#,##0.00", "#,##0.000", "0.0%"]
            .into_iter()
            .map(|f| (f, Format::new().set_num_format(f)))
            .collect();
    for (i, row) in t.rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width(&cell.render()));
            }
            let f = num_format(cell).and_then(|f| formats.get(f));
            match (cell, f) {
                (Cell::Int(v), Some(f)) => {
                    ws.write_number_with_format(r, col, *v as f64, f)
                        .map_err(err)?;
                }
                (Cell::Num(v, _) | Cell::Pct(v), Some(f)) if v.is_finite() => {
                    ws.write_number_with_format(r, col, *v, f).map_err(err)?;
                }
                (Cell::Text(s), _) => {
                    ws.write_string(r, col, s).map_err(err)?;
                }
                _ => {}
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).clamp(8.0, 60.0))
            .map_err(err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    if let Some(spec) = &t.xlsx_chart {
        if !t.rows.is_empty() {
            let last = t.rows.len() as u32;
            let mut chart = Chart::new_bar();
            chart.title().set_name(&spec.title);
            chart.x_axis().set_name(&spec.axis);
            for &v in &spec.values {
                chart
                    .add_series()
                    .set_name((name, 0, v as u16))
                    .set_categories((name, 1, spec.category as u16, last, spec.category as u16))
                    .set_values((name, 1, v as u16, last, v as u16));
            }
            chart.set_width(720).set_height(120 + 24 * last);
            ws.insert_chart(last + 3, 0, &chart).map_err(err)?;
        }
    }
    Ok(())
}

pub fn render(r: &Report) -> crate::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    // A fixed creation date: the workbook is byte-identical for the same inputs.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 1, 1).map_err(err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let mut used = std::collections::BTreeSet::from([summary_name(r.lang).to_string()]);
    let sheets: Vec<(String, &Table)> = r
        .tables
        .iter()
        .map(|t| {
            let name = super::lang::sheet(r.lang, &t.name);
            (sheet_name(&name, &mut used), t)
        })
        .collect();
    summary_sheet(wb.add_worksheet(), r, &sheets)?;
    for (name, t) in &sheets {
        table_sheet(wb.add_worksheet(), name, t, r.lang)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Cell, Report, Table};

    #[test]
    fn the_summary_comes_first_and_every_table_has_its_sheet() {
        let mut r = Report::new("精简前后 · before/after");
        r.para("=HYPERLINK(\"http://x\") is text here");
        let mut t = Table::new("changes", "Change", &["department", "mean", "share"]);
        t.row(vec![
            Cell::text("不动产登记中心"),
            Cell::num(1.2345, 2),
            Cell::Pct(0.123),
        ]);
        r.table(t);
        let bytes = render(&r).expect("renders");
        use calamine::{Data, Reader, Xlsx};
        let mut wb: Xlsx<_> =
            Xlsx::new(std::io::Cursor::new(bytes)).expect("an xlsx calamine reads");
        assert_eq!(wb.sheet_names(), vec!["summary 摘要", "changes"]);
        let summary = wb.worksheet_range("summary 摘要").expect("summary");
        assert_eq!(
            summary.get_value((0, 0)),
            Some(&Data::String("精简前后 · before/after".into()))
        );
        // A formula-like paragraph stays text.
        assert!(
            matches!(summary.get_value((2, 0)), Some(Data::String(s)) if s.starts_with("=HYPERLINK"))
        );
        let sheet = wb.worksheet_range("changes").expect("changes");
        assert_eq!(
            sheet.get_value((1, 0)),
            Some(&Data::String("不动产登记中心".into()))
        );
        assert_eq!(sheet.get_value((1, 1)), Some(&Data::Float(1.2345)));
        assert_eq!(sheet.get_value((1, 2)), Some(&Data::Float(0.123)));
        let mut used = std::collections::BTreeSet::new();
        assert_eq!(sheet_name("a/b", &mut used), "a_b");
        assert_eq!(sheet_name("a/b", &mut used), "a_b_2");
        assert_eq!(width("税务局 A"), 8);
        assert_eq!(num_format(&Cell::Pct(0.1)), Some("0.0%"));
        assert_eq!(num_format(&Cell::num(1.0, 1)), Some("#,##0.0"));
    }
}
