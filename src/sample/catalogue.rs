//! The sample hall's catalogue: opening hours, departments, matters, hourly profile
//! and the figures of the article the sample is tuned to.

use chrono::{Datelike, NaiveDate, Weekday};

/// Seconds since local midnight.
pub(super) type Sec = i64;

pub(super) const fn hm(h: i64, m: i64) -> Sec {
    h * 3600 + m * 60
}
pub(super) const OPEN_AM: Sec = hm(9, 0);
pub(super) const CLOSE_AM: Sec = hm(12, 0);
pub(super) const OPEN_PM: Sec = hm(13, 30);
pub(super) const CLOSE_PM: Sec = hm(17, 0);

pub(super) const FALLBACK_DEPT: &str = "综合窗口";
/// After the cut the 7 enterprise set-up windows belong to no single department.
pub(super) const JOINT_DEPT: &str = "企业开办联合专窗";
pub(super) const SETUP_GROUP: &str = "企业开办";
pub(super) const REALTY_GROUP: &str = "不动产登记";
/// Windows after the cut serving the 企业开办 group.
pub(super) const JOINT_WINDOWS_AFTER: usize = 7;
/// Windows after the cut (the article's figure).
pub(super) const WINDOWS_AFTER: usize = 46;
/// Fallback (兜底) windows after the cut: whatever the joint and department windows leave.
pub(super) const FALLBACK_WINDOWS_AFTER: usize =
    WINDOWS_AFTER - JOINT_WINDOWS_AFTER - dept_windows_after();

pub(super) const fn dept_windows_after() -> usize {
    let mut sum = 0;
    let mut i = 0;
    while i < DEPTS.len() {
        sum += DEPTS[i].after;
        i += 1;
    }
    sum
}
/// Share of in-person demand that moved online where `online_share` is blank in matters.csv
/// (the generator's stand-in for the scenario's `online_adoption`).
pub(super) const DEFAULT_ONLINE_SHARE: f64 = 0.5;
/// Joint windows handle a matter a little slower than the specialised department window.
pub(super) const JOINT_SLOWDOWN: f64 = 0.10;
/// July demand relative to June, before the online and back-office re-routing.
pub(super) const JULY_DEMAND: f64 = 0.95;
/// Footfall counts everybody entering the hall; not everybody takes a ticket.
pub(super) const FOOTFALL_PER_TICKET: (f64, f64) = (1.16, 1.28);
pub(super) const NO_SHOW_P: f64 = 0.03;
/// Share of visitors with a finite patience; of those only the ones whose wait exceeds
/// their patience cancel, about 1 % of all tickets.
pub(super) const IMPATIENT_P: f64 = 0.06;

// ---------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------

pub(super) struct Dept {
    pub(super) name: &'static str,
    /// Window-id and ticket-id prefix.
    pub(super) letter: char,
    pub(super) windows: usize,
    /// The first `setup_windows` windows carry merge_group 企业开办.
    pub(super) setup_windows: usize,
    /// The first `locked` windows are locked.
    pub(super) locked: usize,
    /// In-person tickets per week in June 2020 (tuned, see the module docs).
    pub(super) weekly: f64,
    /// Own department windows after the cut (0: its counter matters go to fallback windows).
    pub(super) after: usize,
}

pub(super) const fn d(
    name: &'static str,
    letter: char,
    windows: usize,
    weekly: f64,
    after: usize,
) -> Dept {
    Dept {
        name,
        letter,
        windows,
        setup_windows: 0,
        locked: 0,
        weekly,
        after,
    }
}

pub(super) const DEPTS: [Dept; 21] = [
    Dept {
        setup_windows: 9,
        ..d("市场监管局", 'A', 9, 790.0, 1)
    },
    Dept {
        setup_windows: 3,
        ..d("商务局", 'B', 3, 200.0, 0)
    },
    Dept {
        setup_windows: 5,
        ..d("税务局", 'C', 10, 1300.0, 2)
    },
    d("人社局", 'D', 9, 1380.0, 2),
    d("医保局", 'E', 6, 980.0, 2),
    d("公积金中心", 'F', 7, 880.0, 2),
    d("不动产登记中心", 'G', 11, 850.0, 5),
    d("住建局", 'H', 5, 450.0, 0),
    d("发改局", 'J', 3, 160.0, 0),
    Dept {
        locked: 2,
        ..d("公安局出入境", 'K', 5, 900.0, 5)
    },
    d("民政局", 'L', 4, 300.0, 3),
    d("卫健局", 'M', 3, 330.0, 0),
    d("教育局", 'N', 2, 160.0, 0),
    d("交通运输局", 'P', 3, 320.0, 0),
    d("生态环境局", 'Q', 2, 110.0, 0),
    d("司法局", 'R', 2, 130.0, 0),
    d("城管局", 'S', 3, 410.0, 0),
    d("农业农村局", 'T', 2, 175.0, 0),
    d("残联", 'U', 1, 80.0, 0),
    d("退役军人事务局", 'V', 1, 65.0, 0),
    d(FALLBACK_DEPT, 'Z', 2, 330.0, 0),
];

pub(super) const ON: u8 = 1; // online_capable
pub(super) const BO: u8 = 2; // backoffice_eligible
pub(super) const IP: u8 = 4; // in_person_required
pub(super) const GS: u8 = 8; // merge_group 企业开办
pub(super) const GR: u8 = 16; // merge_group 不动产登记
/// specialist: served only at the department's own (or its joint) windows, never at a
/// comprehensive window — equipment or a system of its own (photos and fingerprints of
/// exit-entry, the real-estate register, card printers, tax-control devices), or a
/// ceremony (marriage registration).
pub(super) const SP: u8 = 32;

pub(super) struct MatterDef {
    pub(super) dept: char,
    pub(super) name: &'static str,
    /// Share of the department's weekly volume (relative weight).
    pub(super) weight: f64,
    pub(super) handle_min: f64,
    pub(super) flags: u8,
    /// Negative: blank in matters.csv (the scenario default applies).
    pub(super) online_share: f64,
    /// Zero: blank in matters.csv.
    pub(super) intake_min: f64,
}

pub(super) const fn m(
    dept: char,
    name: &'static str,
    weight: f64,
    handle_min: f64,
    flags: u8,
) -> MatterDef {
    MatterDef {
        dept,
        name,
        weight,
        handle_min,
        flags,
        online_share: -1.0,
        intake_min: 0.0,
    }
}
/// An online-capable matter with a known online share.
pub(super) const fn mo(
    dept: char,
    name: &'static str,
    weight: f64,
    handle_min: f64,
    flags: u8,
    share: f64,
) -> MatterDef {
    MatterDef {
        online_share: share,
        ..m(dept, name, weight, handle_min, flags | ON)
    }
}
/// A back-office eligible approval with its in-person intake time.
pub(super) const fn mb(
    dept: char,
    name: &'static str,
    weight: f64,
    handle_min: f64,
    intake: f64,
) -> MatterDef {
    MatterDef {
        intake_min: intake,
        ..m(dept, name, weight, handle_min, BO)
    }
}

#[rustfmt::skip]
pub(super) const MATTERS: &[MatterDef] = &[
    mo('A', "企业设立登记", 30.0, 22.0, GS, 0.40),
    mo('A', "个体工商户注册", 20.0, 15.0, GS, 0.35),
    mo('A', "企业变更登记", 18.0, 18.0, GS, 0.40),
    m('A', "企业注销登记", 8.0, 20.0, GS | ON),
    m('A', "企业名称自主申报", 4.0, 8.0, GS | ON),
    m('A', "营业执照补领", 6.0, 10.0, ON),
    mo('A', "食品经营许可", 8.0, 20.0, 0, 0.60),
    m('A', "食品经营许可变更", 4.0, 15.0, ON),
    m('A', "药品零售许可", 2.0, 25.0, 0),
    m('A', "医疗器械经营备案", 2.0, 15.0, ON),
    m('A', "特种设备使用登记", 3.0, 12.0, 0),
    m('A', "股权出质登记", 2.0, 15.0, ON),
    m('B', "对外贸易经营者备案", 10.0, 12.0, GS | ON),
    m('B', "外商投资企业设立信息报告", 6.0, 18.0, GS | ON),
    m('B', "酒类商品零售许可", 5.0, 15.0, ON),
    m('B', "单用途预付卡备案", 3.0, 10.0, ON),
    m('B', "再生资源回收经营者备案", 2.0, 12.0, 0),
    m('B', "拍卖企业设立审批", 1.0, 25.0, 0),
    mo('C', "税务登记", 15.0, 15.0, GS, 0.40),
    mo('C', "发票申领", 25.0, 4.0, 0, 0.75),
    mo('C', "发票代开", 15.0, 6.0, SP, 0.60),
    mo('C', "增值税申报", 10.0, 10.0, 0, 0.90),
    mo('C', "个人所得税汇算清缴", 8.0, 12.0, 0, 0.85),
    m('C', "税控设备发行", 6.0, 8.0, GS | SP),
    m('C', "契税缴纳", 10.0, 12.0, GR | ON),
    m('C', "存量房交易税费申报", 8.0, 15.0, GR),
    m('C', "完税证明开具", 6.0, 5.0, ON),
    m('C', "清税证明", 4.0, 10.0, GS | ON),
    m('C', "车辆购置税申报", 4.0, 8.0, ON),
    m('C', "社保费缴纳", 5.0, 6.0, ON),
    mo('D', "社保卡补办", 25.0, 4.0, SP, 0.70),
    mo('D', "社保卡申领", 15.0, 4.0, SP, 0.70),
    mo('D', "养老保险关系转移", 8.0, 12.0, 0, 0.70),
    mo('D', "失业保险金申领", 10.0, 10.0, 0, 0.75),
    m('D', "就业失业登记", 8.0, 6.0, ON),
    mo('D', "灵活就业人员参保登记", 8.0, 8.0, 0, 0.70),
    m('D', "退休审批", 6.0, 15.0, 0),
    m('D', "职工参保登记", 6.0, 8.0, ON),
    m('D', "技能人才补贴申领", 4.0, 8.0, ON),
    m('D', "劳动用工备案", 3.0, 6.0, ON),
    mb('D', "人力资源服务许可", 1.0, 20.0, 5.0),
    mb('D', "劳务派遣经营许可", 1.0, 20.0, 5.0),
    m('D', "工伤认定申请", 3.0, 18.0, 0),
    m('D', "养老金领取资格认证", 6.0, 5.0, ON),
    mo('E', "医保参保登记", 15.0, 5.0, 0, 0.70),
    mo('E', "医保关系转移接续", 10.0, 8.0, 0, 0.70),
    mo('E', "异地就医备案", 15.0, 4.0, 0, 0.80),
    m('E', "医疗费用零星报销", 15.0, 10.0, SP),
    m('E', "特殊病种门诊登记", 6.0, 10.0, 0),
    m('E', "生育保险待遇申领", 6.0, 8.0, ON),
    m('E', "医保个人账户查询打印", 5.0, 3.0, ON),
    mo('F', "公积金提取(购房)", 20.0, 7.0, 0, 0.80),
    mo('F', "公积金提取(租房)", 12.0, 6.0, 0, 0.80),
    m('F', "公积金提取(离职)", 8.0, 8.0, ON),
    m('F', "公积金贷款申请", 10.0, 20.0, SP),
    m('F', "公积金缴存登记", 6.0, 6.0, ON),
    m('F', "公积金缴存基数调整", 4.0, 5.0, ON),
    mo('F', "公积金贷款提前还款", 6.0, 10.0, 0, 0.70),
    m('F', "公积金缴存证明打印", 5.0, 3.0, ON),
    m('G', "不动产转移登记", 25.0, 18.0, GR | SP),
    mo('G', "不动产抵押登记", 15.0, 15.0, SP, 0.80),
    m('G', "不动产首次登记", 5.0, 20.0, ON | SP),
    m('G', "不动产变更登记", 6.0, 12.0, ON | SP),
    m('G', "不动产注销抵押登记", 8.0, 8.0, ON | SP),
    m('G', "不动产权证补换证", 4.0, 10.0, SP),
    mo('G', "不动产登记资料查询", 12.0, 4.0, 0, 0.80),
    m('G', "预告登记", 6.0, 12.0, ON | SP),
    m('G', "继承转移登记", 3.0, 30.0, IP | SP),
    m('G', "更正登记", 2.0, 15.0, SP),
    m('G', "查封登记", 1.0, 10.0, SP),
    mb('H', "建设工程规划许可", 4.0, 15.0, 6.0),
    mb('H', "建筑工程施工许可", 6.0, 15.0, 6.0),
    mb('H', "商品房预售许可", 2.0, 20.0, 8.0),
    mb('H', "建设工程竣工验收备案", 5.0, 12.0, 5.0),
    mo('H', "商品房买卖合同备案", 15.0, 10.0, 0, 0.70),
    m('H', "二手房交易资金监管", 6.0, 12.0, ON),
    m('H', "房屋租赁登记备案", 8.0, 8.0, ON),
    m('H', "物业服务企业备案", 2.0, 8.0, ON),
    mb('H', "建筑业企业资质核准", 3.0, 15.0, 5.0),
    mb('H', "燃气经营许可", 1.0, 18.0, 5.0),
    mb('J', "企业投资项目备案", 10.0, 12.0, 4.0),
    mb('J', "企业投资项目核准", 3.0, 20.0, 6.0),
    mb('J', "固定资产投资项目节能审查", 3.0, 15.0, 5.0),
    mb('J', "政府投资项目建议书审批", 2.0, 20.0, 6.0),
    mb('J', "政府投资项目可行性研究报告审批", 2.0, 25.0, 8.0),
    mb('J', "外商投资项目备案", 2.0, 15.0, 4.0),
    m('J', "价格认定", 2.0, 10.0, 0),
    m('K', "普通护照签发", 30.0, 8.0, IP | SP),
    m('K', "往来港澳通行证签发", 25.0, 7.0, IP | SP),
    m('K', "往来台湾通行证签发", 8.0, 7.0, IP | SP),
    mo('K', "港澳再次签注", 15.0, 3.0, SP, 0.80),
    m('K', "外国人居留许可", 4.0, 15.0, IP | SP),
    m('K', "出入境证件补领", 3.0, 10.0, IP | SP),
    m('L', "结婚登记", 15.0, 15.0, IP | SP),
    m('L', "离婚登记", 5.0, 20.0, IP | SP),
    m('L', "婚姻登记记录证明", 4.0, 8.0, 0),
    m('L', "社会团体登记", 2.0, 15.0, ON),
    m('L', "民办非企业单位登记", 2.0, 15.0, ON),
    m('L', "最低生活保障申请", 4.0, 15.0, 0),
    m('L', "高龄津贴申领", 5.0, 8.0, ON),
    m('L', "殡葬补助申领", 2.0, 10.0, 0),
    m('M', "出生医学证明补发", 6.0, 8.0, 0),
    mb('M', "医疗机构执业登记", 3.0, 20.0, 5.0),
    m('M', "医师执业注册", 6.0, 10.0, ON),
    m('M', "护士执业注册", 8.0, 8.0, ON),
    m('M', "公共场所卫生许可", 8.0, 12.0, ON),
    m('M', "生育登记服务", 10.0, 5.0, ON),
    m('M', "计划生育家庭特别扶助申请", 3.0, 10.0, 0),
    mb('N', "民办学校办学许可", 2.0, 20.0, 5.0),
    m('N', "教师资格认定", 10.0, 10.0, ON),
    m('N', "义务教育入学登记", 12.0, 8.0, ON),
    mb('N', "校外培训机构审批", 3.0, 15.0, 5.0),
    m('N', "学籍证明开具", 4.0, 6.0, ON),
    m('P', "道路运输经营许可", 5.0, 15.0, ON),
    m('P', "道路运输从业资格证换证", 10.0, 8.0, ON),
    m('P', "网约车驾驶员证申领", 12.0, 8.0, ON),
    m('P', "出租汽车驾驶员从业资格注册", 6.0, 8.0, ON),
    m('P', "道路货物运输车辆年审", 8.0, 10.0, ON),
    mb('P', "公路超限运输许可", 2.0, 12.0, 4.0),
    mb('Q', "建设项目环境影响评价审批", 6.0, 15.0, 6.0),
    mb('Q', "排污许可证申领", 5.0, 15.0, 5.0),
    m('Q', "建设项目环评登记表备案", 6.0, 8.0, ON),
    mb('Q', "危险废物转移审批", 2.0, 12.0, 4.0),
    mb('Q', "辐射安全许可", 1.0, 20.0, 5.0),
    m('R', "法律援助申请", 10.0, 12.0, ON),
    m('R', "人民调解申请", 4.0, 20.0, 0),
    mo('R', "公证事项咨询", 6.0, 10.0, 0, 0.60),
    m('R', "基层法律服务工作者执业核准", 1.0, 15.0, ON),
    mb('R', "律师事务所设立审批", 1.0, 20.0, 5.0),
    m('S', "城市道路占用许可", 12.0, 10.0, ON),
    m('S', "户外广告设置许可", 8.0, 12.0, ON),
    m('S', "城市建筑垃圾处置核准", 6.0, 10.0, ON),
    mb('S', "临时占用城市绿地许可", 3.0, 10.0, 4.0),
    m('S', "砍伐城市树木许可", 3.0, 8.0, 0),
    m('S', "城市道路挖掘许可", 5.0, 12.0, ON),
    m('S', "店招店牌设置备案", 8.0, 6.0, ON),
    mb('S', "燃气设施改动审批", 1.0, 15.0, 5.0),
    m('T', "农业机械登记", 8.0, 10.0, ON),
    m('T', "农药经营许可", 4.0, 15.0, ON),
    m('T', "农作物种子生产经营许可", 3.0, 15.0, ON),
    mb('T', "动物防疫条件合格证核发", 3.0, 12.0, 4.0),
    m('T', "渔业船舶登记", 2.0, 15.0, 0),
    m('T', "兽药经营许可", 2.0, 15.0, ON),
    mb('T', "农村宅基地审批", 5.0, 12.0, 5.0),
    m('T', "拖拉机驾驶证申领", 3.0, 10.0, 0),
    m('U', "残疾人证办理", 8.0, 10.0, 0),
    m('U', "残疾人证换领", 5.0, 6.0, ON),
    m('U', "残疾人就业保障金减免", 3.0, 8.0, ON),
    m('U', "困难残疾人生活补贴申请", 4.0, 10.0, 0),
    m('V', "退役士兵安置", 3.0, 20.0, 0),
    m('V', "优待证申领", 8.0, 6.0, ON),
    m('V', "伤残抚恤关系转移", 2.0, 15.0, 0),
    m('V', "退役军人信息采集", 6.0, 8.0, 0),
    mo('Z', "政务服务咨询", 15.0, 4.0, 0, 0.60),
    m('Z', "证明材料打印", 8.0, 3.0, ON),
    m('Z', "一件事联办受理", 5.0, 8.0, 0),
];

/// Arrival weights per 15-minute slot (start time, weight): a morning peak around 10:00 and
/// an afternoon peak around 14:30. The 13:15 slot is people who take a ticket before the
/// hall reopens: they wait for 13:30.
#[rustfmt::skip]
pub(super) const PROFILE: [(Sec, f64); 27] = [
    (hm(9, 0), 0.70), (hm(9, 15), 0.90), (hm(9, 30), 1.10), (hm(9, 45), 1.30),
    (hm(10, 0), 1.40), (hm(10, 15), 1.40), (hm(10, 30), 1.30), (hm(10, 45), 1.20),
    (hm(11, 0), 1.00), (hm(11, 15), 0.80), (hm(11, 30), 0.60), (hm(11, 45), 0.40),
    (hm(13, 15), 0.30),
    (hm(13, 30), 0.80), (hm(13, 45), 1.00), (hm(14, 0), 1.15), (hm(14, 15), 1.25),
    (hm(14, 30), 1.30), (hm(14, 45), 1.25), (hm(15, 0), 1.15), (hm(15, 15), 1.05),
    (hm(15, 30), 0.95), (hm(15, 45), 0.85), (hm(16, 0), 0.75), (hm(16, 15), 0.60),
    (hm(16, 30), 0.45), (hm(16, 45), 0.30),
];
pub(super) const SLOT: Sec = 15 * 60;

/// Monday is the busiest day; the factors average to 1.
pub(super) fn weekday_factor(day: NaiveDate) -> f64 {
    match day.weekday() {
        Weekday::Mon => 1.15,
        Weekday::Tue => 1.05,
        Weekday::Wed => 1.0,
        Weekday::Thu => 0.95,
        _ => 0.85,
    }
}
