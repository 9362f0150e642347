//! Markdown report: tables inline, charts as links to their SVG files.

use super::{Block, Report};

fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn render(r: &Report) -> String {
    let mut out = format!("# {}\n", esc(&r.title));
    for b in &r.blocks {
        out.push('\n');
        match b {
            Block::Heading(h) => out.push_str(&format!("## {}\n", esc(h))),
            Block::Subheading(h) => out.push_str(&format!("### {}\n", esc(h))),
            Block::Paragraph(p) => out.push_str(&format!("{p}\n")),
            Block::Bullets(items) => {
                for i in items {
                    out.push_str(&format!("- {i}\n"));
                }
            }
            Block::Table(i) => {
                let t = &r.tables[*i];
                out.push_str(&format!("**{}** (`{}.csv`)\n\n", esc(&t.title), t.name));
                out.push_str(&format!(
                    "| {} |\n",
                    t.columns
                        .iter()
                        .map(|c| esc(&r.lang.column(c)))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ));
                out.push_str(&format!(
                    "|{}|\n",
                    t.columns
                        .iter()
                        .enumerate()
                        .map(|(k, _)| {
                            if t.rows
                                .first()
                                .and_then(|r| r.get(k))
                                .is_some_and(|c| c.is_numeric())
                            {
                                "---:"
                            } else {
                                "---"
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                ));
                for row in t.shown() {
                    out.push_str(&format!(
                        "| {} |\n",
                        row.iter()
                            .map(|c| esc(&c.render()))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ));
                }
                if t.shown().len() < t.rows.len() {
                    let (shown, all) = (t.shown().len(), t.rows.len());
                    out.push_str(&r.lang.say(
                        format!(
                            "\n（显示 {all} 行中的 {shown} 行；全部见 `{}.csv`）\n",
                            t.name
                        ),
                        format!("\n({shown} of {all} rows shown; all in `{}.csv`)\n", t.name),
                    ));
                }
            }
            Block::Chart(i) => {
                let c = &r.charts[*i];
                out.push_str(&format!("![{}](charts/{}.svg)\n", esc(&c.title), c.name));
            }
        }
    }
    out
}
