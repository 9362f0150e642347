//! The report model every command fills, and one writer per output format.
//!
//! A command builds a [`Report`] (headings, paragraphs, tables, charts) and a JSON summary;
//! [`render`] turns them into the files of an output folder ([`Bundle`]); [`output`]
//! writes the bundle atomically. Writers render to bytes and never touch the disk.

pub mod csv;
pub mod html;
pub mod lang;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod xlsx;

use std::collections::BTreeMap;

pub use lang::Lang;
pub use output::OutputDir;

/// A cell of a table; numbers keep their precision so every format prints them alike.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A number printed with this many decimals.
    Num(f64, u8),
    /// A share printed as a percentage with one decimal.
    Pct(f64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn num(v: f64, decimals: u8) -> Cell {
        if v.is_finite() {
            Cell::Num(v, decimals)
        } else {
            Cell::Empty
        }
    }
    pub fn opt(v: Option<f64>, decimals: u8) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::num(v, decimals))
    }
    /// The cell as plain text (CSV, Markdown, HTML all print this).
    pub fn render(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Num(v, d) => fmt_num(*v, *d),
            Cell::Pct(v) if v.is_finite() => format!("{}%", fmt_num(v * 100.0, 1)),
            Cell::Pct(_) | Cell::Empty => String::new(),
        }
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Num(..) | Cell::Pct(_))
    }
}

/// Stable number formatting: fixed decimals, no "-0.0".
pub fn fmt_num(v: f64, decimals: u8) -> String {
    let s = format!("{:.*}", decimals as usize, v);
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A table: written as `<name>.csv` and shown in the reports.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// File stem of the CSV (ASCII).
    pub name: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows shown in Markdown/HTML (the CSV always has all); None = all.
    pub show: Option<usize>,
    /// A bar chart of some columns beside the table in the xlsx workbook.
    pub xlsx_chart: Option<XlsxChart>,
}

/// A clustered bar chart in a workbook sheet: one bar per row and value column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct XlsxChart {
    pub title: String,
    /// The column whose cells name the bars.
    pub category: usize,
    /// The columns drawn, each a series named by its header.
    pub values: Vec<usize>,
    /// The value axis, e.g. "minutes".
    pub axis: String,
}

impl Table {
    pub fn new(name: &str, title: &str, columns: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            title: title.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            show: None,
            xlsx_chart: None,
        }
    }
    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }
    pub fn shown(&self) -> &[Vec<Cell>] {
        &self.rows[..self.show.unwrap_or(self.rows.len()).min(self.rows.len())]
    }
}

/// A rendered chart: `charts/<name>.svg` and `.png`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub name: String,
    pub title: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// One block of a report, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Bullets(Vec<String>),
    /// Index into `Report::tables`.
    Table(usize),
    /// Index into `Report::charts`.
    Chart(usize),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub title: String,
    pub blocks: Vec<Block>,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
    /// The language the renderers write their own words in (column headers, notes).
    pub lang: Lang,
}

impl Report {
    pub fn new(title: &str) -> Report {
        Report {
            title: title.to_string(),
            ..Report::default()
        }
    }
    /// A report in a language: the title is picked from its bilingual form.
    pub fn in_lang(lang: Lang, title: &str) -> Report {
        Report {
            title: lang.label(title).to_string(),
            lang,
            ..Report::default()
        }
    }
    pub fn heading(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Heading(s.into()));
    }
    pub fn subheading(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Subheading(s.into()));
    }
    pub fn para(&mut self, s: impl Into<String>) {
        self.blocks.push(Block::Paragraph(s.into()));
    }
    pub fn bullets(&mut self, items: Vec<String>) {
        if !items.is_empty() {
            self.blocks.push(Block::Bullets(items));
        }
    }
    pub fn table(&mut self, t: Table) {
        self.tables.push(t);
        self.blocks.push(Block::Table(self.tables.len() - 1));
    }
    /// A table written as CSV but not shown in the reports.
    pub fn data_only(&mut self, t: Table) {
        self.tables.push(t);
    }
    pub fn chart(&mut self, c: Chart) {
        self.charts.push(c);
        self.blocks.push(Block::Chart(self.charts.len() - 1));
    }
    /// Appends the blocks, tables and charts of a report built apart (its title is
    /// dropped), as if they had been added to this one.
    pub fn append(&mut self, other: Report) {
        let (tables, charts) = (self.tables.len(), self.charts.len());
        self.blocks
            .extend(other.blocks.into_iter().map(|b| match b {
                Block::Table(i) => Block::Table(i + tables),
                Block::Chart(i) => Block::Chart(i + charts),
                b => b,
            }));
        self.tables.extend(other.tables);
        self.charts.extend(other.charts);
    }
}

/// The files of an output folder, by relative path, in a deterministic order.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Bundle {
    pub fn add(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(path.into(), bytes);
    }
}

/// Renders a report and its summary into every format.
pub fn render(report: &Report, summary: &serde_json::Value) -> crate::Result<Bundle> {
    let mut b = Bundle::default();
    b.add("report.md", markdown::render(report).into_bytes());
    b.add("report.html", html::render(report).into_bytes());
    for t in &report.tables {
        b.add(format!("{}.csv", t.name), csv::render(t)?);
    }
    for c in &report.charts {
        b.add(format!("charts/{}.svg", c.name), c.svg.clone().into_bytes());
        b.add(format!("charts/{}.png", c.name), c.png.clone());
    }
    let mut json = serde_json::to_string_pretty(summary).map_err(|e| crate::Error::Render {
        what: "summary.json".into(),
        message: e.to_string(),
    })?;
    json.push('\n');
    b.add("summary.json", json.into_bytes());
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_stably() {
        assert_eq!(fmt_num(-0.0001, 2), "0.00");
        assert_eq!(fmt_num(2.345, 1), "2.3");
        assert_eq!(Cell::Pct(0.1234).render(), "12.3%");
        assert_eq!(Cell::num(f64::NAN, 2), Cell::Empty);
    }
}
