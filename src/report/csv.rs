//! CSV tables. Text cells a spreadsheet would run as a formula are neutralised.

use super::{Cell, Table};

/// Prefixes a quote to text that starts like a formula (`=`, `+`, `-`, `@`, tab, CR), the
/// OWASP advice against CSV injection. Numbers are left alone.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

pub fn render(t: &Table) -> crate::Result<Vec<u8>> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let err = |e: ::csv::Error| crate::Error::Render {
        what: format!("CSV {}", t.name),
        message: e.to_string(),
    };
    w.write_record(t.columns.iter().map(|c| neutralise(c).into_owned()))
        .map_err(err)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => neutralise(s).into_owned(),
            other => other.render(),
        }))
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| crate::Error::Render {
        what: format!("CSV {}", t.name),
        message: e.to_string(),
    })
}

/// Rows given as plain strings (rejected rows), neutralised the same way.
pub fn render_rows(columns: &[&str], rows: &[Vec<String>]) -> crate::Result<Vec<u8>> {
    let mut t = Table::new("rows", "", columns);
    t.rows = rows
        .iter()
        .map(|r| r.iter().map(|s| Cell::Text(s.clone())).collect())
        .collect();
    render(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_neutralised_but_numbers_are_not() {
        let mut t = Table::new("t", "t", &["name", "change"]);
        t.row(vec![Cell::text("=HYPERLINK(\"x\")"), Cell::num(-0.5, 1)]);
        t.row(vec![Cell::text("@SUM(A1)"), Cell::text("市场监管局")]);
        let out = String::from_utf8(render(&t).expect("renders")).expect("utf8");
        assert!(out.contains("'=HYPERLINK"), "{out}");
        assert!(out.contains("'@SUM"), "{out}");
        assert!(out.contains(",-0.5\n"), "{out}");
        assert!(out.contains("市场监管局"));
    }
}
