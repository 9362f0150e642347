//! `--lang zh|en`: the hand-outs in the reader's language. The plan report's first
//! section (what to do, department by department) is pinned by one insta snapshot per
//! language; the rest states what must hold whatever the wording: data names are never
//! translated, the English report carries no Chinese but the data's, the workbook's
//! sheets and headers are words in the chosen language while the CSV headers stay the
//! snake_case keys.

use std::path::Path;

use calamine::{Data, Reader, Xlsx};

use crate::util::{path_str, read_csv, redact, run, sample_hall};

/// `plan` on the sample in a language; the output folder lives as long as the guard.
fn plan(lang: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let out = tmp.path().join("plan");
    run(&[
        "plan",
        "--data",
        path_str(sample_hall()),
        "--out",
        path_str(&out),
        "--lang",
        lang,
    ])
    .assert_success();
    (tmp, out)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// report.md from its start to the heading that ends the first section.
fn first_section(md: &str, next: &str) -> String {
    let end = md
        .find(next)
        .unwrap_or_else(|| panic!("no heading {next:?} in the report"));
    redact(&md[..end])
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303f | 0x3400..=0x9fff | 0xff00..=0xffef)
}

/// The runs of Chinese characters in a text.
fn cjk_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            cur.push(c);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// Every department, matter and pool name of the plan: the data, never translated.
fn data_names(out: &Path) -> Vec<String> {
    let plan: serde_json::Value =
        serde_json::from_str(&read(&out.join("plan.json"))).expect("plan.json");
    let mut names = Vec::new();
    for (list, key) in [
        ("departments", "department"),
        ("matters", "name"),
        ("pools", "name"),
    ] {
        for x in plan[list].as_array().expect(list) {
            names.push(x[key].as_str().expect(key).to_string());
        }
    }
    names
}

fn workbook(p: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    calamine::open_workbook(p).expect("an xlsx calamine reads")
}

fn header(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str) -> Vec<String> {
    let range = wb.worksheet_range(sheet).expect(sheet);
    (0..range.width())
        .map(|c| match range.get_value((0, c as u32)) {
            Some(Data::String(s)) => s.clone(),
            other => panic!("{sheet}: header cell {c} is {other:?}"),
        })
        .collect()
}

#[test]
fn the_chinese_plan_report_says_what_to_do_in_chinese_and_keeps_the_data() {
    let (_tmp, out) = plan("zh");
    let md = read(&out.join("report.md"));
    let first = first_section(&md, "\n## 方案说明");
    insta::assert_snapshot!("sample_plan_report_first_section_zh", first);
    assert!(
        md.starts_with("# 窗口精简方案\n\n## 结论\n"),
        "{}",
        &md[..80]
    );
    // No English sentence is left in the first section: every run of ASCII letters
    // there is a window id (A01), a figure's unit-free label (p90) or data.
    let names = data_names(&out);
    for word in first
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1)
    {
        assert!(
            names.iter().any(|n| n.contains(word)),
            "an English word in the Chinese first section: {word:?}"
        );
    }
    // Every department of the plan is named, as the data spells it.
    let plan: serde_json::Value =
        serde_json::from_str(&read(&out.join("plan.json"))).expect("plan.json");
    for d in plan["departments"].as_array().expect("departments") {
        let name = d["department"].as_str().expect("a name");
        assert!(first.contains(&format!("### {name}：")), "{name} missing");
    }
    // The HTML page says it is Chinese; the CSV headers stay the machine keys.
    let html = read(&out.join("report.html"));
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<th>部门</th><th>之前窗口数</th>"));
    let csv = read_csv(&out.join("departments.csv"));
    assert_eq!(
        csv[0][..3],
        ["department", "windows_before", "windows_after"]
    );
    // The workbook: Chinese sheet names and header words.
    let mut wb = workbook(&out.join("plan.xlsx"));
    let sheets = wb.sheet_names();
    assert_eq!(sheets[0], "摘要");
    assert!(sheets.iter().any(|s| s == "部门"), "{sheets:?}");
    assert_eq!(
        header(&mut wb, "部门")[..3],
        ["部门", "之前窗口数", "之后窗口数"]
    );
}

#[test]
fn the_english_plan_report_carries_no_chinese_but_the_datas() {
    let (_tmp, out) = plan("en");
    let md = read(&out.join("report.md"));
    let first = first_section(&md, "\n## How the plan was found");
    insta::assert_snapshot!("sample_plan_report_first_section_en", first);
    assert!(
        md.starts_with("# Window plan\n\n## Summary\n"),
        "{}",
        &md[..80]
    );
    // Chinese in the English first section is data (a department or matter name) or
    // the plan's own summary's 综合窗口, the hall's word for its comprehensive windows.
    let mut names = data_names(&out);
    names.push("综合窗口".into());
    for run in cjk_runs(&first) {
        assert!(
            names.iter().any(|n| n.contains(&run)),
            "Chinese that is not data in the English report: {run:?}"
        );
    }
    // Headings of the later sections too: none keeps its Chinese half.
    for line in md.lines().filter(|l| l.starts_with("## ")) {
        assert!(cjk_runs(line).is_empty(), "{line}");
    }
    let html = read(&out.join("report.html"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<th>department</th><th>windows before</th>"));
    let mut wb = workbook(&out.join("plan.xlsx"));
    assert_eq!(wb.sheet_names()[0], "summary");
    assert_eq!(
        header(&mut wb, "departments")[..3],
        ["department", "windows before", "windows after"]
    );
    // The charts' SVG titles are English only.
    let svg = read(&out.join("charts/windows_by_department.svg"));
    assert!(svg.contains("Windows per department") && !svg.contains("各部门窗口数"));
}

#[test]
fn the_default_workbook_headers_are_words_in_both_languages() {
    // The default (bilingual) report keeps its snake_case table heads and sheet names,
    // byte for byte; only the workbook's header cells turn into words.
    let (_tmp, out) = plan("both");
    let mut wb = workbook(&out.join("plan.xlsx"));
    assert_eq!(wb.sheet_names()[0], "summary 摘要");
    assert_eq!(
        header(&mut wb, "departments")[..2],
        ["部门\ndepartment", "之前窗口数\nwindows before"]
    );
    let md = read(&out.join("report.md"));
    assert!(md.contains("| department | windows_before | windows_after |"));
}

#[test]
fn an_unknown_language_is_a_usage_error_naming_the_choices() {
    let r = run(&["profile", "--data", path_str(sample_hall()), "--lang", "fr"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("--lang") && r.stderr.contains("zh"),
        "{}",
        r.stderr
    );
}
