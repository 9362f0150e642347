//! Specification tests for the chart module.

use super::style::{fmt_value, truncate_label, WIDTH};
use super::*;

fn s(x: &str) -> String {
    x.to_string()
}

fn decode(png: &[u8]) -> image::RgbImage {
    match image::load_from_memory(png) {
        Ok(img) => img.to_rgb8(),
        Err(e) => panic!("PNG does not decode: {e}"),
    }
}

/// Height declared in the SVG root element.
fn svg_height(svg: &str) -> u32 {
    let rest = svg
        .split_once("height=\"")
        .map(|(_, r)| r)
        .unwrap_or_default();
    rest.split('"')
        .next()
        .unwrap_or_default()
        .parse()
        .unwrap_or(0)
}

/// Minimal XML well-formedness check: balanced tags, quoted attributes,
/// every `&` starts a known entity, no stray `<` or `>` in text.
fn assert_well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "stray '>' in text: {text:?}");
        assert_entities(text);
        let close = rest[open..].find('>').map(|i| open + i);
        let Some(close) = close else {
            panic!("unterminated tag")
        };
        let tag = &rest[open + 1..close];
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        assert!(!tag.contains('<'), "'<' inside tag: {tag}");
        assert_entities(tag);
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        if tag.starts_with('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.as_str()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') && !tag.starts_with('?') {
            stack.push(name);
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
}

fn assert_entities(text: &str) {
    for (i, _) in text.match_indices('&') {
        let tail = &text[i..];
        let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
            .iter()
            .any(|e| tail.starts_with(e));
        assert!(ok, "bare '&' in {text:?}");
    }
}

/// Checks what every chart must satisfy and returns the decoded PNG.
fn assert_valid(r: &Rendered) -> image::RgbImage {
    assert!(
        r.svg.starts_with("<svg"),
        "SVG must start with the root element"
    );
    assert!(r.svg.trim_end().ends_with("</svg>"));
    assert_well_formed(&r.svg);
    let img = decode(&r.png);
    assert_eq!(img.width(), WIDTH);
    assert_eq!(img.height(), svg_height(&r.svg), "PNG and SVG sizes differ");
    assert!(img.height() >= 240);
    img
}

fn assert_contains(svg: &str, needles: &[&str]) {
    for n in needles {
        assert!(svg.contains(n), "SVG lacks {n:?}");
    }
}

fn ok(r: Result<Rendered, ChartError>) -> Rendered {
    match r {
        Ok(r) => r,
        Err(e) => panic!("chart failed: {e}"),
    }
}

fn depts() -> Vec<(String, f64)> {
    vec![
        (s("市场监管局"), 120.0),
        (s("城管局"), 45.5),
        (s("人社局"), 0.0),
    ]
}

fn sample_bars() -> Rendered {
    ok(bars("各部门办件量", "件", &depts()))
}

fn sample_lines() -> Rendered {
    let months: Vec<String> = (1..=6).map(|m| format!("2019-{m:02}")).collect();
    let a = vec![
        Some(10.0),
        Some(12.0),
        None,
        Some(9.0),
        Some(11.0),
        Some(13.0),
    ];
    let b = vec![Some(5.0); 6];
    ok(lines(
        "月度等待",
        "分钟",
        &months,
        &[(s("市场监管局"), a), (s("城管局"), b)],
    ))
}

fn sample_heatmap() -> Rendered {
    let rows = vec![s("市场监管局"), s("城管局")];
    let cols: Vec<String> = (8..=11).map(|h| format!("{h:02}")).collect();
    let values = vec![
        vec![Some(1.0), Some(2.0), None, Some(23.5)],
        vec![Some(0.0), Some(7.0), Some(3.0), Some(4.0)],
    ];
    ok(heatmap("分时段排队", &rows, &cols, &values, "人"))
}

fn sample_grouped() -> Rendered {
    let cats = vec![s("市场监管局"), s("城管局")];
    ok(grouped_bars(
        "调整前后",
        "分钟",
        &cats,
        &[
            (
                s("调整前"),
                vec![12.0, 20.0],
                Some(vec![(10.0, 14.0), (18.0, 23.0)]),
            ),
            (s("调整后"), vec![9.0, 15.0], None),
        ],
    ))
}

fn sample_histogram() -> Rendered {
    let before: Vec<f64> = (0..200).map(|i| (i % 50) as f64).collect();
    let after: Vec<f64> = (0..150).map(|i| (i % 30) as f64).collect();
    ok(histogram(
        "等待时间分布",
        "等待（分钟）",
        5.0,
        60.0,
        &[(s("调整前"), before), (s("调整后"), after)],
    ))
}

#[test]
fn bars_show_chinese_labels_and_unit() {
    let r = sample_bars();
    assert_valid(&r);
    assert_contains(
        &r.svg,
        &[
            "各部门办件量",
            "市场监管局",
            "城管局",
            "人社局",
            "件",
            "45.5",
        ],
    );
}

#[test]
fn bars_keep_the_given_order_top_to_bottom() {
    let r = sample_bars();
    let pos = |label: &str| r.svg.find(label).unwrap_or(usize::MAX);
    let y_of = |label: &str| -> i32 {
        let head = &r.svg[..pos(label)];
        let tag = head.rsplit("<text").next().unwrap_or_default();
        let y = tag.split("y=\"").nth(1).unwrap_or_default();
        y.split('"')
            .next()
            .unwrap_or_default()
            .parse()
            .unwrap_or(-1)
    };
    assert!(y_of("市场监管局") < y_of("城管局"));
    assert!(y_of("城管局") < y_of("人社局"));
}

#[test]
fn lines_show_chinese_series_and_x_labels() {
    let r = sample_lines();
    assert_valid(&r);
    assert_contains(
        &r.svg,
        &["月度等待", "市场监管局", "城管局", "2019-01", "分钟"],
    );
}

#[test]
fn lines_thin_out_crowded_x_labels() {
    let months: Vec<String> = (0..120)
        .map(|i| format!("{}-{:02}", 2010 + i / 12, i % 12 + 1))
        .collect();
    let v: Vec<Option<f64>> = (0..120).map(|i| Some(i as f64)).collect();
    let r = ok(lines("十年", "", &months, &[(s("城管局"), v)]));
    assert_valid(&r);
    let shown = months.iter().filter(|m| r.svg.contains(m.as_str())).count();
    assert!((3..40).contains(&shown), "{shown} of 120 labels shown");
}

#[test]
fn heatmap_shows_labels_scale_and_small_grid_values() {
    let r = sample_heatmap();
    assert_valid(&r);
    assert_contains(
        &r.svg,
        &["分时段排队", "市场监管局", "城管局", "08", "11", "人"],
    );
    // Small grid: cell values are printed (23.5 is also the scale maximum,
    // 7 appears only as a cell value).
    assert_contains(&r.svg, &["23.5", ">\n7\n<"]);
}

#[test]
fn heatmap_omits_cell_values_when_cells_are_narrow() {
    let rows = vec![s("市场监管局")];
    let cols: Vec<String> = (0..77).map(|i| format!("{i}")).collect();
    let values = vec![(0..77).map(|i| Some(1000.0 + i as f64)).collect()];
    let r = ok(heatmap("宽表", &rows, &cols, &values, "人"));
    assert_valid(&r);
    assert!(
        !r.svg.contains("1,040"),
        "values should not be printed in tiny cells"
    );
    assert_contains(&r.svg, &["1,000", "1,076"]); // scale min and max
}

#[test]
fn grouped_bars_show_categories_legend_and_whiskers() {
    let r = sample_grouped();
    assert_valid(&r);
    assert_contains(
        &r.svg,
        &["市场监管局", "城管局", "调整前", "调整后", "分钟"],
    );
    // Whiskers are three paths per interval (line and two caps).
    let plain = ok(grouped_bars(
        "调整前后",
        "分钟",
        &[s("市场监管局"), s("城管局")],
        &[
            (s("调整前"), vec![12.0, 20.0], None),
            (s("调整后"), vec![9.0, 15.0], None),
        ],
    ));
    let paths = |svg: &str| svg.matches("<polyline").count();
    assert_eq!(paths(&r.svg), paths(&plain.svg) + 6);
}

#[test]
fn histogram_shows_samples_with_sizes() {
    let r = sample_histogram();
    assert_valid(&r);
    assert_contains(
        &r.svg,
        &["等待时间分布", "调整前（n=200）", "调整后（n=150）", "占比"],
    );
    assert!(!r.svg.contains("计入末组"), "nothing was folded");
}

#[test]
fn histogram_discloses_values_folded_into_the_last_bin() {
    let r = ok(histogram(
        "分布",
        "分钟",
        10.0,
        30.0,
        &[(s("城管局"), vec![5.0, 95.0])],
    ));
    assert_valid(&r);
    assert_contains(&r.svg, &["≥30 计入末组"]);
}

#[test]
fn a_counted_histogram_is_the_histogram_of_the_samples_written_out() {
    let samples = [(0.5, 3u64), (2.0, 1), (7.25, 4), (95.0, 2), (-1.0, 1)];
    let written: Vec<f64> = samples
        .iter()
        .flat_map(|&(v, n)| std::iter::repeat_n(v, n as usize))
        .collect();
    let counted = ok(histogram_counted(
        "分布",
        "分钟",
        2.0,
        60.0,
        &[(s("今天"), samples.to_vec())],
    ));
    let raw = ok(histogram(
        "分布",
        "分钟",
        2.0,
        60.0,
        &[(s("今天"), written)],
    ));
    assert_eq!(counted.svg, raw.svg);
    assert_eq!(counted.png, raw.png);
}

#[test]
fn histogram_binned_uses_counts_as_given() {
    let r = ok(histogram_binned(
        "分布",
        "分钟",
        5.0,
        &[(s("城管局"), vec![1.0, 3.0, 0.0])],
    ));
    assert_valid(&r);
    assert_contains(&r.svg, &["城管局（n=4）"]);
}

#[test]
fn every_chart_is_deterministic() {
    let makers: [fn() -> Rendered; 5] = [
        sample_bars,
        sample_lines,
        sample_heatmap,
        sample_grouped,
        sample_histogram,
    ];
    for make in makers {
        let (a, b) = (make(), make());
        assert_eq!(a.svg, b.svg);
        assert!(a.png == b.png, "PNG bytes differ between runs");
    }
}

#[test]
fn svg_names_a_cjk_font_stack_not_the_private_family_and_carries_its_fonts() {
    for r in [sample_bars(), sample_lines(), sample_heatmap()] {
        assert_contains(
            &r.svg,
            &[
                "font-family=\"'hallplan-embedded-latin', 'hallplan-embedded-cjk', 'Noto Sans CJK SC'",
                "Microsoft YaHei",
                // Issue 13: Chinese must render where no CJK font is installed.
                "@font-face{font-family:'hallplan-embedded-cjk';src:url(data:font/ttf;base64,",
            ],
        );
        assert!(
            !r.svg.contains("font-family=\"hallplan-cjk\""),
            "private font name leaked"
        );
        let inline = crate::charts::strip_svg_fonts(&r.svg);
        assert!(
            !inline.contains("@font-face"),
            "a page inlines the chart without its fonts"
        );
    }
}

const NASTY: &str = "R&D <b>\"局\"";
const NASTY_ESCAPED: &str = "R&amp;D &lt;b&gt;&quot;局&quot;";

#[test]
fn labels_are_escaped_in_svg() {
    let charts = [
        ok(bars(NASTY, NASTY, &[(s(NASTY), 1.0)])),
        ok(lines(
            "t",
            NASTY,
            &[s(NASTY)],
            &[(s(NASTY), vec![Some(1.0)])],
        )),
        ok(heatmap(
            "t",
            &[s(NASTY)],
            &[s("a")],
            &[vec![Some(1.0)]],
            NASTY,
        )),
        ok(grouped_bars(
            "t",
            "u",
            &[s(NASTY)],
            &[(s(NASTY), vec![1.0], None)],
        )),
        ok(histogram("t", NASTY, 1.0, 5.0, &[(s(NASTY), vec![1.0])])),
    ];
    for r in &charts {
        assert_valid(r);
        assert!(r.svg.contains(NASTY_ESCAPED), "escaped label missing");
        assert!(!r.svg.contains("<b>"), "raw markup leaked into SVG");
    }
}

/// Pixels of the label column (left of the plot) of a one-bar chart.
fn label_region(label: &str) -> Vec<u8> {
    let img = decode(&ok(bars("标题", "件", &[(s(label), 5.0)])).png);
    let mut out = Vec::new();
    for y in 60..120 {
        for x in 0..100 {
            out.extend_from_slice(&img.get_pixel(x, y).0);
        }
    }
    out
}

fn dark_pixels(region: &[u8]) -> usize {
    region
        .chunks(3)
        .filter(|p| p.iter().all(|c| *c < 160))
        .count()
}

#[test]
fn png_draws_real_cjk_glyphs_not_boxes() {
    let a = label_region("市场监管局");
    let b = label_region("城市管理局");
    // U+E000.. are private-use code points no font covers: they render as
    // the font's "missing glyph", which is what tofu would look like.
    let tofu = label_region("\u{E000}\u{E001}\u{E002}\u{E003}\u{E004}");
    assert!(dark_pixels(&a) > 100, "label area is blank");
    assert_ne!(a, b, "different CJK labels must render differently");
    assert_ne!(a, tofu, "CJK label renders like missing glyphs");
    assert_ne!(b, tofu, "CJK label renders like missing glyphs");
}

#[test]
fn png_draws_real_latin_glyphs() {
    // The CJK font has no Latin letters or digits; a missing fallback would
    // draw both labels as identical boxes.
    let a = label_region("ABC12");
    let b = label_region("XYZ89");
    assert!(dark_pixels(&a) > 50, "label area is blank");
    assert_ne!(a, b);
}

#[test]
fn edge_cases_do_not_panic() {
    let long = "住房公积金管理中心".repeat(5);
    let many: Vec<(String, f64)> = (0..45).map(|i| (format!("事项{i}"), i as f64)).collect();
    let cases: Vec<Result<Rendered, ChartError>> = vec![
        bars("空", "件", &[]),
        bars("零", "件", &[(s("城管局"), 0.0), (s("人社局"), 0.0)]),
        bars(
            "坏值",
            "件",
            &[
                (s("a"), f64::NAN),
                (s("b"), f64::INFINITY),
                (s("城管局"), 3.0),
            ],
        ),
        bars("全坏", "", &[(s("a"), f64::NAN)]),
        bars("负值", "件", &[(s("城管局"), -5.0), (s("人社局"), 3.0)]),
        bars("单个", "件", &[(s("城管局"), 1.0)]),
        bars("多行", "件", &many),
        bars("长", "件", &[(long.clone(), 1e12)]),
        lines("空", "", &[], &[]),
        lines("无序列", "", &[s("09")], &[]),
        lines(
            "全空",
            "",
            &[s("09"), s("10")],
            &[(s("城管局"), vec![None, None])],
        ),
        lines(
            "单点",
            "",
            &[s("09")],
            &[(s("城管局"), vec![Some(1.0), Some(2.0)])],
        ),
        lines(
            "坏值",
            "",
            &[s("09"), s("10")],
            &[(s("城管局"), vec![Some(f64::NAN), Some(f64::NEG_INFINITY)])],
        ),
        lines(
            "短",
            "",
            &[s("09"), s("10"), s("11")],
            &[(s("城管局"), vec![Some(1.0)])],
        ),
        heatmap("空", &[], &[], &[], ""),
        heatmap("无列", &[s("城管局")], &[], &[vec![]], "人"),
        heatmap("全空", &[s("城管局")], &[s("08")], &[vec![None]], "人"),
        heatmap(
            "参差",
            &[s("城管局"), s("人社局")],
            &[s("08"), s("09")],
            &[vec![Some(1.0)]],
            "人",
        ),
        heatmap(
            "常数",
            &[s("城管局")],
            &[s("08"), s("09")],
            &[vec![Some(2.0), Some(2.0)]],
            "人",
        ),
        heatmap(
            "坏值",
            &[s("城管局")],
            &[s("08")],
            &[vec![Some(f64::NAN)]],
            "人",
        ),
        heatmap(
            "多行",
            &many.iter().map(|m| m.0.clone()).collect::<Vec<_>>(),
            &[s("08")],
            &[],
            "人",
        ),
        grouped_bars("空", "分钟", &[], &[]),
        grouped_bars("无序列", "分钟", &[s("城管局")], &[]),
        grouped_bars(
            "短",
            "分钟",
            &[s("城管局"), s("人社局")],
            &[(s("前"), vec![1.0], Some(vec![]))],
        ),
        grouped_bars(
            "坏区间",
            "分钟",
            &[s("城管局")],
            &[(s("前"), vec![1.0], Some(vec![(f64::NAN, 2.0)]))],
        ),
        grouped_bars(
            "反区间",
            "分钟",
            &[s("城管局")],
            &[(s("前"), vec![1.0], Some(vec![(3.0, 0.5)]))],
        ),
        grouped_bars(
            "负",
            "分钟",
            &[s("城管局")],
            &[(s("前"), vec![-1.0], None), (s("后"), vec![f64::NAN], None)],
        ),
        histogram("空", "分钟", 5.0, 60.0, &[]),
        histogram("空样本", "分钟", 5.0, 60.0, &[(s("前"), vec![])]),
        histogram("零宽", "分钟", 0.0, 60.0, &[(s("前"), vec![1.0, 2.0])]),
        histogram(
            "坏参数",
            "分钟",
            f64::NAN,
            f64::INFINITY,
            &[(s("前"), vec![1.0, f64::NAN])],
        ),
        histogram("细", "分钟", 1e-9, 1e9, &[(s("前"), vec![-3.0, 1e12])]),
        histogram_binned("空", "分钟", 5.0, &[]),
        histogram_binned("坏", "分钟", -1.0, &[(s("前"), vec![f64::NAN, -2.0, 3.0])]),
    ];
    for r in cases {
        assert_valid(&ok(r));
    }
}

#[test]
fn empty_input_says_no_data() {
    let r = ok(bars("空", "件", &[]));
    assert_contains(&r.svg, &["无数据"]);
}

#[test]
fn many_rows_grow_the_canvas() {
    let few: Vec<(String, f64)> = (0..5).map(|i| (format!("事项{i}"), 1.0)).collect();
    let many: Vec<(String, f64)> = (0..45).map(|i| (format!("事项{i}"), 1.0)).collect();
    let h_few = decode(&ok(bars("少", "件", &few)).png).height();
    let r = ok(bars("多", "件", &many));
    let h_many = decode(&r.png).height();
    assert!(h_many >= h_few + 40 * 20, "{h_few} -> {h_many}");
    // Every row keeps its label.
    assert!(r.svg.contains("事项0") && r.svg.contains("事项44"));
}

#[test]
fn long_labels_are_truncated_with_ellipsis() {
    let long = "住房公积金管理中心".repeat(4); // 36 characters
    let r = ok(bars("长", "件", &[(long.clone(), 1.0)]));
    assert!(!r.svg.contains(&long));
    let cut = truncate_label(&long);
    assert_eq!(cut.chars().count(), 24);
    assert!(cut.ends_with('…'));
    assert!(r.svg.contains(&cut));
}

#[test]
fn numbers_are_formatted_for_people() {
    assert_eq!(fmt_value(1_234_567.0), "1,234,567");
    assert_eq!(fmt_value(2.5), "2.5");
    assert_eq!(fmt_value(12.34), "12.3");
    assert_eq!(fmt_value(0.126), "0.13");
    assert_eq!(fmt_value(-1500.0), "-1,500");
    assert_eq!(fmt_value(-0.001), "0");
    assert_eq!(fmt_value(f64::NAN), "");
}

#[test]
fn text_is_split_into_latin_and_cjk_runs() {
    use super::font::{runs, Face};
    assert_eq!(
        runs("R&D 市场2019年"),
        vec![
            (Face::Latin, "R&D "),
            (Face::Cjk, "市场"),
            (Face::Latin, "2019"),
            (Face::Cjk, "年"),
        ]
    );
    assert!(runs("").is_empty());
}
