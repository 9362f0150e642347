//! The language of the hand-outs (`--lang zh|en`, default both): one place that says
//! how a report's words read in each language, so that the pages never branch on it.
//!
//! Three kinds of words:
//! - labels written bilingually today ("Summary · 结论", "各部门窗口数 · Windows per
//!   department"): [`Lang::label`] keeps the side in the chosen language, the whole label
//!   in the default, so the default reports stay byte-identical;
//! - prose given in both languages: [`Lang::say`] (the default keeps today's English);
//! - table columns: the CSV header is a snake_case key (an API, never translated); the
//!   reports and the workbooks show the words of [`COLUMNS`] ([`Lang::column`],
//!   [`Lang::header`]).
//!
//! Data (department, matter, pool and window names) is never translated.

use std::borrow::Cow;

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Today's reports: bilingual headings and chart titles, English prose.
    #[default]
    Both,
    Zh,
    En,
}

/// A CJK ideograph or full-width punctuation: the mark of the Chinese side of a label.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303f | 0x3400..=0x9fff | 0xff00..=0xffef)
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "cn" | "zh-cn" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "english" => Some(Lang::En),
            "both" | "bilingual" => Some(Lang::Both),
            _ => None,
        }
    }

    /// A label written "A · B" with one side Chinese: that side, the other, or (default)
    /// the whole label. A label without such a pair is data or a number: as it is.
    pub fn label(self, bilingual: &str) -> &str {
        if self == Lang::Both {
            return bilingual;
        }
        let Some((a, b)) = bilingual.split_once(" · ") else {
            return bilingual;
        };
        let (a_zh, b_zh) = (a.chars().any(is_cjk), b.chars().any(is_cjk));
        match (self, a_zh, b_zh) {
            (Lang::Zh, true, false) | (Lang::En, false, true) => a,
            (Lang::Zh, false, true) | (Lang::En, true, false) => b,
            _ => bilingual,
        }
    }

    /// Prose given in both languages: the default reports keep their English.
    pub fn say<S: Into<String>>(self, zh: S, en: S) -> String {
        match self {
            Lang::Zh => zh.into(),
            Lang::Both | Lang::En => en.into(),
        }
    }

    /// Words whose default form is a mix rather than one side (e.g. "窗口 at windows").
    pub fn mixed<S: Into<String>>(self, both: S, zh: S, en: S) -> String {
        match self {
            Lang::Both => both.into(),
            Lang::Zh => zh.into(),
            Lang::En => en.into(),
        }
    }

    /// A table's column as the Markdown and HTML reports show it: the snake_case key in
    /// the default reports (as always), the words in a chosen language.
    pub fn column(self, key: &str) -> Cow<'_, str> {
        match (self, words(key)) {
            (Lang::Zh, Some((zh, _))) => Cow::Borrowed(zh),
            (Lang::En, Some((_, en))) => Cow::Borrowed(en),
            (Lang::En | Lang::Zh, None) => Cow::Owned(key.replace('_', " ")),
            (Lang::Both, _) => Cow::Borrowed(key),
        }
    }

    /// A workbook's column header: words (Chinese over English in the default).
    pub fn header(self, key: &str) -> String {
        match (self, words(key)) {
            (Lang::Zh, Some((zh, _))) => zh.to_string(),
            (Lang::En, Some((_, en))) => en.to_string(),
            (Lang::Both, Some((zh, en))) => format!("{zh}\n{en}"),
            (_, None) => key.replace('_', " "),
        }
    }

    /// The `lang` attribute of the HTML page.
    pub fn html(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Both | Lang::Zh => "zh-CN",
        }
    }
}

/// Words of a column key, (Chinese, English).
pub fn words(key: &str) -> Option<(&'static str, &'static str)> {
    COLUMNS
        .binary_search_by(|(k, _, _)| k.cmp(&key))
        .ok()
        .map(|i| (COLUMNS[i].1, COLUMNS[i].2))
}

/// The name of a table's sheet in a workbook: the CSV's stem in the default (as always),
/// words in a chosen language.
pub fn sheet(lang: Lang, table: &str) -> Cow<'_, str> {
    let found = TABLES
        .binary_search_by(|(k, _, _)| k.cmp(&table))
        .ok()
        .map(|i| TABLES[i]);
    match (lang, found) {
        (Lang::Zh, Some((_, zh, _))) => Cow::Borrowed(zh),
        (Lang::En, Some((_, _, en))) => Cow::Borrowed(en),
        _ => Cow::Borrowed(table),
    }
}

/// Every table of every report, sorted: (CSV stem, Chinese, English).
pub const TABLES: &[(&str, &str, &str)] = &[
    (
        "arrivals_by_department_hour",
        "各部门分时取号",
        "arrivals by department",
    ),
    (
        "arrivals_by_weekday_hour",
        "分星期分时取号",
        "arrivals by weekday",
    ),
    ("backtest", "现状回测", "backtest"),
    ("changes", "等候变化", "changes"),
    ("departments", "部门", "departments"),
    ("footfall_monthly", "月度人流", "footfall by month"),
    ("footfall_yearly", "年度人流", "footfall by year"),
    ("frontier", "窗口与等候权衡", "frontier"),
    ("hourly_load", "分时负荷", "hourly load"),
    ("inputs", "输入文件", "inputs"),
    ("matters", "事项", "matters"),
    ("per_day", "每日", "per day"),
    ("pools", "窗口池", "pools"),
    ("prediction", "预测与实际", "prediction"),
    ("proposal", "方案评估", "proposal"),
    ("staff", "人员去向", "staff"),
    ("staff_by_reason", "按原因的人员去向", "staff by reason"),
    (
        "staffed_windows_by_hour",
        "分时在岗窗口",
        "staffed windows by hour",
    ),
    ("staffing", "分时排班", "staffing"),
    ("staffing_pools", "各池分时排班", "staffing by pool"),
    ("targets", "目标", "targets"),
    ("top10_fastest", "受理最快前十", "ten fastest"),
    ("top10_longest_wait", "等候最长前十", "ten longest waits"),
    ("top10_shortest_wait", "等候最短前十", "ten shortest waits"),
    ("top10_volume", "办件量前十", "ten largest"),
    ("wait_by_hour", "分时等候", "wait by hour"),
    ("waits_by_department", "各部门等候", "waits by department"),
    ("window_utilisation", "窗口利用率", "window utilisation"),
    ("windows", "窗口", "windows"),
];

/// Every column key of every report, sorted: (key, Chinese, English).
pub const COLUMNS: &[(&str, &str, &str)] = &[
    ("abandoned", "放弃", "abandoned"),
    ("accepted", "接受行", "accepted"),
    ("action", "处理", "action"),
    ("actual", "实际", "actual"),
    ("after_mean", "之后平均等候", "mean after"),
    ("after_median", "之后等候中位数", "median after"),
    ("after_no_show", "之后过号率", "no-shows after"),
    ("after_over_10", "之后超10分钟", "over 10 min after"),
    ("after_over_20", "之后超20分钟", "over 20 min after"),
    ("after_p90", "之后90分位等候", "p90 after"),
    (
        "after_tickets_per_day",
        "之后日均取号",
        "tickets a day after",
    ),
    (
        "after_windows_per_day",
        "之后日均窗口",
        "windows a day after",
    ),
    ("arrivals", "到达数", "arrivals"),
    ("arrivals_per_day", "日均到达", "arrivals a day"),
    (
        "arrivals_per_day_after",
        "之后日均到达",
        "arrivals a day after",
    ),
    ("before_mean", "之前平均等候", "mean before"),
    ("before_median", "之前等候中位数", "median before"),
    ("before_no_show", "之前过号率", "no-shows before"),
    ("before_over_10", "之前超10分钟", "over 10 min before"),
    ("before_over_20", "之前超20分钟", "over 20 min before"),
    ("before_p90", "之前90分位等候", "p90 before"),
    (
        "before_tickets_per_day",
        "之前日均取号",
        "tickets a day before",
    ),
    (
        "before_windows_per_day",
        "之前日均窗口",
        "windows a day before",
    ),
    ("busy_hours", "服务小时", "busy hours"),
    ("calibration", "校准系数", "calibration"),
    ("cancel_rate", "取消率", "cancel rate"),
    ("channel", "渠道", "channel"),
    ("clamped", "截断", "clamped"),
    ("configuration", "配置", "configuration"),
    ("customers", "办事人数", "customers"),
    ("date", "日期", "date"),
    ("days", "天数", "days"),
    ("department", "部门", "department"),
    ("departments", "部门", "departments"),
    ("destination", "去向", "destination"),
    ("encoding", "编码", "encoding"),
    ("error", "误差", "error"),
    ("file", "文件", "file"),
    ("first", "最早", "first"),
    ("flag", "提示", "flag"),
    ("formula", "公式", "formula"),
    ("formula_error", "公式误差", "formula error"),
    ("formula_vs_sim", "公式与仿真之差", "formula vs simulation"),
    ("group", "分组", "group"),
    ("handle_min", "平均受理时长(分钟)", "handling (min)"),
    ("hour", "时段", "hour"),
    ("in_chart", "图中", "in chart"),
    ("kind", "类型", "kind"),
    ("last", "最晚", "last"),
    ("left_online", "转网办", "left online"),
    ("level", "层级", "level"),
    ("load_erlangs", "负荷(爱尔兰)", "load (Erlangs)"),
    ("mark", "标记", "mark"),
    ("matter", "事项", "matter"),
    ("matter_id", "事项编号", "matter id"),
    ("max_wait", "最长等候", "max wait"),
    ("max_wait_min", "最长等候(分钟)", "max wait (min)"),
    ("max_windows", "窗口上限", "window budget"),
    ("mean_after", "之后平均等候", "mean after"),
    ("mean_before", "之前平均等候", "mean before"),
    ("mean_change", "平均等候变化", "change in mean"),
    ("mean_ci95", "平均等候95%区间", "mean 95% interval"),
    ("mean_ci_high", "平均变化区间上限", "mean interval high"),
    ("mean_ci_low", "平均变化区间下限", "mean interval low"),
    ("mean_proposed", "方案平均等候", "mean proposed"),
    ("mean_target", "平均等候目标", "mean target"),
    ("mean_wait", "平均等候", "mean wait"),
    ("mean_wait_min", "平均等候(分钟)", "mean wait (min)"),
    ("mean_wait_model", "模型平均等候", "mean wait (model)"),
    ("mean_wait_replay", "回放平均等候", "mean wait (replay)"),
    ("median_wait_min", "等候中位数(分钟)", "median wait (min)"),
    ("model_mean", "模型平均等候", "model mean"),
    (
        "model_mean_all_day",
        "全天开窗模型平均等候",
        "model mean, all day",
    ),
    ("model_mean_before", "之前模型平均等候", "model mean before"),
    (
        "model_mean_proposed",
        "方案模型平均等候",
        "model mean proposed",
    ),
    (
        "model_mean_staffed",
        "分时排班模型平均等候",
        "model mean, staffed by slot",
    ),
    ("model_met", "模型达标", "model meets"),
    ("model_share_within", "模型达标比例", "model share within"),
    ("month", "月份", "month"),
    ("months", "月数", "months"),
    ("name", "名称", "name"),
    ("no_show_rate", "过号率", "no-show rate"),
    ("observed", "实测", "observed"),
    ("observed_mean", "实测平均等候", "observed mean"),
    ("observed_p90", "实测90分位等候", "observed p90"),
    ("observed_wait", "实测平均等候", "observed wait"),
    ("p50_wait", "等候中位数", "median wait"),
    ("p90_after", "之后90分位等候", "p90 after"),
    ("p90_before", "之前90分位等候", "p90 before"),
    ("p90_change", "90分位等候变化", "change in p90"),
    ("p90_ci_high", "90分位变化区间上限", "p90 interval high"),
    ("p90_ci_low", "90分位变化区间下限", "p90 interval low"),
    ("p90_proposed", "方案90分位等候", "p90 proposed"),
    ("p90_wait", "90分位等候", "p90 wait"),
    ("p90_wait_min", "90分位等候(分钟)", "p90 wait (min)"),
    ("p_value", "p值", "p-value"),
    ("peak_load", "高峰负荷", "peak load"),
    ("percentile_target", "分位数目标", "percentile target"),
    ("period", "时期", "period"),
    ("plan_mean_wait", "方案平均等候", "plan mean wait"),
    ("pool", "窗口池", "pool"),
    ("predicted_after", "预测之后等候", "predicted after"),
    ("predicted_before", "预测之前等候", "predicted before"),
    ("predicted_formula", "公式预测", "predicted (formula)"),
    ("predicted_simulation", "仿真预测", "predicted (simulation)"),
    ("raised_by_replay", "回放增开", "raised by replay"),
    ("rank", "名次", "rank"),
    ("read", "读取行", "read"),
    ("reason", "原因", "reason"),
    ("rejected", "拒收行", "rejected"),
    ("replay_mean", "回放平均等候", "replay mean"),
    (
        "replay_mean_all_day",
        "全天开窗回放平均等候",
        "replay mean, all day",
    ),
    (
        "replay_mean_staffed",
        "分时排班回放平均等候",
        "replay mean, staffed by slot",
    ),
    ("replay_met", "回放达标", "replay meets"),
    ("replay_share_within", "回放达标比例", "replay share within"),
    ("served", "已服务", "served"),
    ("share_over_10", "超10分钟比例", "share over 10 min"),
    ("share_over_20", "超20分钟比例", "share over 20 min"),
    ("simulated", "仿真", "simulated"),
    ("simulated_after", "仿真之后等候", "simulated after"),
    ("simulated_mean", "仿真平均等候", "simulated mean"),
    ("simulated_p90", "仿真90分位等候", "simulated p90"),
    ("simulation_error", "仿真误差", "simulation error"),
    ("slot", "时段", "slot"),
    ("source", "来源", "source"),
    ("staff", "人数", "staff"),
    ("staff_destination", "人员去向", "staff go to"),
    ("staffed_hours", "在岗小时", "staffed hours"),
    ("staffed_windows", "在岗窗口", "staffed windows"),
    ("target", "目标", "target"),
    ("target_mean", "平均等候目标", "mean target"),
    ("target_peak", "高峰目标", "peak target"),
    ("tickets", "取号数", "tickets"),
    ("tickets_per_day", "日均取号", "tickets a day"),
    ("today_mean_wait", "现状平均等候", "mean wait today"),
    ("total", "合计", "total"),
    ("utilisation", "利用率", "utilisation"),
    ("verdict", "结论", "verdict"),
    (
        "waiting_person_min_per_day",
        "日均等候人分钟",
        "person-minutes waited a day",
    ),
    ("weekday", "星期", "weekday"),
    ("weekly_volume", "周办件量", "weekly volume"),
    (
        "window_hours_all_day",
        "全天开窗窗口小时",
        "window-hours, all day",
    ),
    (
        "window_hours_staffed",
        "分时排班窗口小时",
        "window-hours, staffed by slot",
    ),
    ("window_id", "窗口编号", "window id"),
    ("windows", "窗口数", "windows"),
    ("windows_after", "之后窗口数", "windows after"),
    ("windows_before", "之前窗口数", "windows before"),
    ("windows_in_use", "在用窗口", "windows in use"),
    ("windows_open", "开放窗口", "windows open"),
    ("windows_plan", "方案窗口数", "windows (plan)"),
    ("windows_planned", "方案窗口数", "windows planned"),
    ("windows_proposed", "方案窗口数", "windows proposed"),
    ("windows_used", "使用窗口", "windows used"),
    ("year", "年份", "year"),
    ("yoy_change", "同比变化", "change on a year before"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bilingual_label_keeps_the_chosen_side_and_the_default_keeps_it_whole() {
        for l in ["Summary · 结论", "各部门窗口数 · Windows per department"] {
            assert_eq!(Lang::Both.label(l), l);
        }
        assert_eq!(Lang::Zh.label("Summary · 结论"), "结论");
        assert_eq!(Lang::En.label("Summary · 结论"), "Summary");
        assert_eq!(
            Lang::Zh.label("各部门窗口数 · Windows per department"),
            "各部门窗口数"
        );
        assert_eq!(
            Lang::En.label("各部门窗口数 · Windows per department"),
            "Windows per department"
        );
        // Data and labels without a pair stay as they are.
        assert_eq!(Lang::En.label("不动产登记中心"), "不动产登记中心");
        assert_eq!(Lang::Zh.label("a · b"), "a · b");
    }

    #[test]
    fn columns_are_words_in_a_chosen_language_and_keys_by_default() {
        assert!(
            COLUMNS.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, unique"
        );
        assert!(TABLES.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique");
        assert_eq!(sheet(Lang::Zh, "pools"), "窗口池");
        assert_eq!(sheet(Lang::Both, "pools"), "pools");
        assert!(COLUMNS
            .iter()
            .all(|(_, zh, en)| zh.chars().any(is_cjk) && !en.contains('_')));
        assert_eq!(Lang::Both.column("mean_wait"), "mean_wait");
        assert_eq!(Lang::Zh.column("mean_wait"), "平均等候");
        assert_eq!(Lang::En.column("window_id"), "window id");
        assert_eq!(Lang::Both.header("department"), "部门\ndepartment");
        assert_eq!(Lang::En.column("no_such_key"), "no such key");
        assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }
}
