//! An xlsx workbook with one sheet per table, for analysts who live in Excel.

use super::{Cell, Report};

pub fn render(r: &Report) -> crate::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| crate::Error::Render {
        what: "xlsx".into(),
        message: e.to_string(),
    };
    let mut wb = Workbook::new();
    // A fixed creation date: the workbook is byte-identical for the same inputs.
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 1, 1).map_err(err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let mut used = std::collections::BTreeSet::new();
    for t in &r.tables {
        let ws = wb.add_worksheet();
        // Sheet names: at most 31 characters, unique.
        let mut name: String = t.name.chars().take(28).collect();
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("{}_{k}", t.name.chars().take(26).collect::<String>());
            k += 1;
        }
        ws.set_name(&name).map_err(err)?;
        for (c, h) in t.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(err)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Int(v) => {
                        ws.write_number(r, c, *v as f64).map_err(err)?;
                    }
                    Cell::Num(v, _) | Cell::Pct(v) if v.is_finite() => {
                        ws.write_number(r, c, *v).map_err(err)?;
                    }
                    // Strings are written as text cells: a spreadsheet never runs them.
                    Cell::Text(s) => {
                        ws.write_string(r, c, s).map_err(err)?;
                    }
                    _ => {}
                }
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}
