//! The bundled sample hall (`hallplan sample`): a synthetic but queue-consistent model of
//! the Binjiang (Hangzhou) administrative service centre, which cut its service windows
//! from 93 to 46 in July 2020.
//!
//! Two halls are generated:
//! - `binjiang/`: the hall as it was in June 2020 (93 windows, ~150 matters, 2.5 years of
//!   daily footfall, four weeks of tickets with a little documented dirt);
//! - `binjiang-after/`: four weeks of July 2020 after the cut (46 windows: 7 joint
//!   enterprise set-up windows, the departments that must stay, fallback windows).
//!
//! Waits are not drawn from a distribution: every ticket is queued first-come-first-served
//! at the staffed windows of its queue, so the observed waits are what the simulated hall
//! produced. The department volumes in the catalogue were tuned so that the waits match the
//! article (urban management and agriculture about 5 → 2 minutes, market regulation about
//! 10 → 7 minutes).
//!
//! Everything is deterministic in the seed; each purpose (arrivals of one matter on one day,
//! footfall, dirt) draws from its own ChaCha stream, so changing one part of the catalogue
//! does not shift the random numbers of another.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};

/// One generated file: path relative to the output root (e.g. "binjiang/tickets.csv") and its bytes.
pub struct SampleFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The seed of the bundled sample (the year of the case).
pub const DEFAULT_SEED: u64 = 2020;

/// Seconds since local midnight.
type Sec = i64;

const fn hm(h: i64, m: i64) -> Sec {
    h * 3600 + m * 60
}
const OPEN_AM: Sec = hm(9, 0);
const CLOSE_AM: Sec = hm(12, 0);
const OPEN_PM: Sec = hm(13, 30);
const CLOSE_PM: Sec = hm(17, 0);

const FALLBACK_DEPT: &str = "综合窗口";
/// After the cut the 7 enterprise set-up windows belong to no single department.
const JOINT_DEPT: &str = "企业开办联合专窗";
const SETUP_GROUP: &str = "企业开办";
const REALTY_GROUP: &str = "不动产登记";
/// Windows after the cut serving the 企业开办 group.
const JOINT_WINDOWS_AFTER: usize = 7;
/// Windows after the cut (the article's figure).
const WINDOWS_AFTER: usize = 46;
/// Fallback (兜底) windows after the cut: whatever the joint and department windows leave.
const FALLBACK_WINDOWS_AFTER: usize = WINDOWS_AFTER - JOINT_WINDOWS_AFTER - dept_windows_after();

const fn dept_windows_after() -> usize {
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
const DEFAULT_ONLINE_SHARE: f64 = 0.5;
/// Joint windows handle a matter a little slower than the specialised department window.
const JOINT_SLOWDOWN: f64 = 0.10;
/// July demand relative to June, before the online and back-office re-routing.
const JULY_DEMAND: f64 = 0.95;
/// Footfall counts everybody entering the hall; not everybody takes a ticket.
const FOOTFALL_PER_TICKET: (f64, f64) = (1.16, 1.28);
const NO_SHOW_P: f64 = 0.03;
/// Share of visitors with a finite patience; of those only the ones whose wait exceeds
/// their patience cancel, about 1 % of all tickets.
const IMPATIENT_P: f64 = 0.06;

// ---------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------

struct Dept {
    name: &'static str,
    /// Window-id and ticket-id prefix.
    letter: char,
    windows: usize,
    /// The first `setup_windows` windows carry merge_group 企业开办.
    setup_windows: usize,
    /// The first `locked` windows are locked.
    locked: usize,
    /// In-person tickets per week in June 2020 (tuned, see the module docs).
    weekly: f64,
    /// Own department windows after the cut (0: its counter matters go to fallback windows).
    after: usize,
}

const fn d(name: &'static str, letter: char, windows: usize, weekly: f64, after: usize) -> Dept {
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

const DEPTS: [Dept; 21] = [
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

const ON: u8 = 1; // online_capable
const BO: u8 = 2; // backoffice_eligible
const IP: u8 = 4; // in_person_required
const GS: u8 = 8; // merge_group 企业开办
const GR: u8 = 16; // merge_group 不动产登记

struct MatterDef {
    dept: char,
    name: &'static str,
    /// Share of the department's weekly volume (relative weight).
    weight: f64,
    handle_min: f64,
    flags: u8,
    /// Negative: blank in matters.csv (the scenario default applies).
    online_share: f64,
    /// Zero: blank in matters.csv.
    intake_min: f64,
}

const fn m(dept: char, name: &'static str, weight: f64, handle_min: f64, flags: u8) -> MatterDef {
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
const fn mo(
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
const fn mb(
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
const MATTERS: &[MatterDef] = &[
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
    mo('C', "发票代开", 15.0, 6.0, 0, 0.60),
    mo('C', "增值税申报", 10.0, 10.0, 0, 0.90),
    mo('C', "个人所得税汇算清缴", 8.0, 12.0, 0, 0.85),
    m('C', "税控设备发行", 6.0, 8.0, GS),
    m('C', "契税缴纳", 10.0, 12.0, GR | ON),
    m('C', "存量房交易税费申报", 8.0, 15.0, GR),
    m('C', "完税证明开具", 6.0, 5.0, ON),
    m('C', "清税证明", 4.0, 10.0, GS | ON),
    m('C', "车辆购置税申报", 4.0, 8.0, ON),
    m('C', "社保费缴纳", 5.0, 6.0, ON),
    mo('D', "社保卡补办", 25.0, 4.0, 0, 0.70),
    mo('D', "社保卡申领", 15.0, 4.0, 0, 0.70),
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
    m('E', "医疗费用零星报销", 15.0, 10.0, 0),
    m('E', "特殊病种门诊登记", 6.0, 10.0, 0),
    m('E', "生育保险待遇申领", 6.0, 8.0, ON),
    m('E', "医保个人账户查询打印", 5.0, 3.0, ON),
    mo('F', "公积金提取(购房)", 20.0, 7.0, 0, 0.80),
    mo('F', "公积金提取(租房)", 12.0, 6.0, 0, 0.80),
    m('F', "公积金提取(离职)", 8.0, 8.0, ON),
    m('F', "公积金贷款申请", 10.0, 20.0, 0),
    m('F', "公积金缴存登记", 6.0, 6.0, ON),
    m('F', "公积金缴存基数调整", 4.0, 5.0, ON),
    mo('F', "公积金贷款提前还款", 6.0, 10.0, 0, 0.70),
    m('F', "公积金缴存证明打印", 5.0, 3.0, ON),
    m('G', "不动产转移登记", 25.0, 18.0, GR),
    mo('G', "不动产抵押登记", 15.0, 15.0, 0, 0.80),
    m('G', "不动产首次登记", 5.0, 20.0, ON),
    m('G', "不动产变更登记", 6.0, 12.0, ON),
    m('G', "不动产注销抵押登记", 8.0, 8.0, ON),
    m('G', "不动产权证补换证", 4.0, 10.0, 0),
    mo('G', "不动产登记资料查询", 12.0, 4.0, 0, 0.80),
    m('G', "预告登记", 6.0, 12.0, ON),
    m('G', "继承转移登记", 3.0, 30.0, IP),
    m('G', "更正登记", 2.0, 15.0, 0),
    m('G', "查封登记", 1.0, 10.0, 0),
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
    m('K', "普通护照签发", 30.0, 8.0, IP),
    m('K', "往来港澳通行证签发", 25.0, 7.0, IP),
    m('K', "往来台湾通行证签发", 8.0, 7.0, IP),
    mo('K', "港澳再次签注", 15.0, 3.0, 0, 0.80),
    m('K', "外国人居留许可", 4.0, 15.0, IP),
    m('K', "出入境证件补领", 3.0, 10.0, IP),
    m('L', "结婚登记", 15.0, 15.0, IP),
    m('L', "离婚登记", 5.0, 20.0, IP),
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
const PROFILE: [(Sec, f64); 27] = [
    (hm(9, 0), 0.70), (hm(9, 15), 0.90), (hm(9, 30), 1.10), (hm(9, 45), 1.30),
    (hm(10, 0), 1.40), (hm(10, 15), 1.40), (hm(10, 30), 1.30), (hm(10, 45), 1.20),
    (hm(11, 0), 1.00), (hm(11, 15), 0.80), (hm(11, 30), 0.60), (hm(11, 45), 0.40),
    (hm(13, 15), 0.30),
    (hm(13, 30), 0.80), (hm(13, 45), 1.00), (hm(14, 0), 1.15), (hm(14, 15), 1.25),
    (hm(14, 30), 1.30), (hm(14, 45), 1.25), (hm(15, 0), 1.15), (hm(15, 15), 1.05),
    (hm(15, 30), 0.95), (hm(15, 45), 0.85), (hm(16, 0), 0.75), (hm(16, 15), 0.60),
    (hm(16, 30), 0.45), (hm(16, 45), 0.30),
];
const SLOT: Sec = 15 * 60;

/// Monday is the busiest day; the factors average to 1.
fn weekday_factor(day: NaiveDate) -> f64 {
    match day.weekday() {
        Weekday::Mon => 1.15,
        Weekday::Tue => 1.05,
        Weekday::Wed => 1.0,
        Weekday::Thu => 0.95,
        _ => 0.85,
    }
}

// ---------------------------------------------------------------------------------------
// Random streams
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Purpose {
    ArrivalsBefore = 1,
    ArrivalsAfter = 2,
    Footfall = 3,
    Dirt = 4,
}

/// An independent stream per purpose and (matter, day) so that one part of the catalogue
/// can change without shifting the random numbers of another.
fn stream(seed: u64, purpose: Purpose, a: u64, b: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((purpose as u64) << 48) | ((a & 0xff_ffff) << 24) | (b & 0xff_ffff));
    rng
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u64 {
    match Poisson::new(mean) {
        Ok(p) => p.sample(rng) as u64,
        Err(_) => 0, // mean 0 (a matter with no in-person demand)
    }
}

/// Gamma handling time with the given mean and squared coefficient of variation.
fn gamma(rng: &mut ChaCha8Rng, mean: f64, cs2: f64) -> f64 {
    match Gamma::new(1.0 / cs2, mean * cs2) {
        Ok(g) => g.sample(rng),
        Err(_) => mean,
    }
}

// ---------------------------------------------------------------------------------------
// The halls
// ---------------------------------------------------------------------------------------

struct Window {
    id: String,
    dept: String,
    kind: &'static str,
    group: &'static str,
    locked: bool,
    /// Staffed intervals of a day, sorted.
    shifts: Vec<(Sec, Sec)>,
}

/// A few windows per department work shifts, so staffed windows per hour vary: the last
/// window of a department of 4+ is a morning-only part-time window, the one before it (6+)
/// opens only in the afternoon, in departments of 8+ one window starts late and leaves
/// early, and departments of 10+ have a second morning-only window. The first window of every queue is always full-time, so every ticket is served.
fn shifts(k: usize, n: usize) -> Vec<(Sec, Sec)> {
    if n >= 4 && k == n - 1 {
        vec![(OPEN_AM, CLOSE_AM)]
    } else if n >= 6 && k == n - 2 {
        vec![(OPEN_PM, CLOSE_PM)]
    } else if n >= 8 && k == n - 3 {
        vec![(hm(10, 0), CLOSE_AM), (OPEN_PM, hm(16, 0))]
    } else if n >= 10 && k == n - 4 {
        vec![(OPEN_AM, CLOSE_AM)]
    } else {
        vec![(OPEN_AM, CLOSE_AM), (OPEN_PM, CLOSE_PM)]
    }
}

fn windows_before() -> Vec<Window> {
    let mut out = Vec::new();
    for dept in &DEPTS {
        let fallback = dept.name == FALLBACK_DEPT;
        for k in 0..dept.windows {
            out.push(Window {
                id: format!("{}{:02}", dept.letter, k + 1),
                dept: dept.name.to_string(),
                kind: if fallback { "fallback" } else { "department" },
                group: if k < dept.setup_windows {
                    SETUP_GROUP
                } else {
                    ""
                },
                locked: k < dept.locked,
                shifts: shifts(k, dept.windows),
            });
        }
    }
    out
}

/// The queues after the cut.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Pool {
    Dept(usize),
    Joint,
    Fallback,
}

/// The 46 windows after the cut, each with the pool it serves.
fn windows_after() -> Vec<(Window, Pool)> {
    let mut out = Vec::new();
    for k in 0..JOINT_WINDOWS_AFTER {
        let w = Window {
            id: format!("Y{:02}", k + 1),
            dept: JOINT_DEPT.to_string(),
            kind: "joint",
            group: SETUP_GROUP,
            locked: false,
            shifts: shifts(k, JOINT_WINDOWS_AFTER),
        };
        out.push((w, Pool::Joint));
    }
    for (di, dept) in DEPTS.iter().enumerate() {
        // Kept windows: the department's own (non-set-up) windows first.
        let first = dept.setup_windows.min(dept.windows - dept.after);
        for k in 0..dept.after {
            let w = Window {
                id: format!("{}{:02}", dept.letter, first + k + 1),
                dept: dept.name.to_string(),
                kind: "department",
                group: "",
                locked: first + k < dept.locked,
                shifts: shifts(k, dept.after),
            };
            out.push((w, Pool::Dept(di)));
        }
    }
    for k in 0..FALLBACK_WINDOWS_AFTER {
        let w = Window {
            id: format!("Z{:02}", k + 1),
            dept: FALLBACK_DEPT.to_string(),
            kind: "fallback",
            group: "",
            locked: false,
            // Fallback windows work full days.
            shifts: shifts(0, 1),
        };
        out.push((w, Pool::Fallback));
    }
    out
}

struct Matter {
    id: String,
    dept: usize,
    def: &'static MatterDef,
    weekly: u32,
    cs2: f64,
}

fn dept_index(letter: char) -> usize {
    DEPTS.iter().position(|d| d.letter == letter).unwrap_or(0)
}

fn matters() -> Vec<Matter> {
    let mut seq: BTreeMap<char, usize> = BTreeMap::new();
    MATTERS
        .iter()
        .enumerate()
        .map(|(i, def)| {
            let di = dept_index(def.dept);
            let total: f64 = MATTERS
                .iter()
                .filter(|o| o.dept == def.dept)
                .map(|o| o.weight)
                .sum();
            let n = seq.entry(def.dept).or_insert(0);
            *n += 1;
            Matter {
                id: format!("M{}{:02}", def.dept, n),
                dept: di,
                def,
                weekly: ((DEPTS[di].weekly * def.weight / total).round() as u32).max(1),
                // Handling-time variability between 0.5 and 1.0 (squared CV).
                cs2: 0.5 + 0.05 * (i % 11) as f64,
            }
        })
        .collect()
}

impl Matter {
    fn online(&self) -> bool {
        self.def.flags & ON != 0 && self.def.flags & IP == 0
    }
    fn backoffice(&self) -> bool {
        self.def.flags & BO != 0 && self.def.flags & IP == 0
    }
    fn group(&self) -> &'static str {
        if self.def.flags & GS != 0 {
            SETUP_GROUP
        } else if self.def.flags & GR != 0 {
            REALTY_GROUP
        } else {
            ""
        }
    }
    fn online_share(&self) -> f64 {
        if self.def.online_share >= 0.0 {
            self.def.online_share
        } else {
            DEFAULT_ONLINE_SHARE
        }
    }
    /// After the cut: the queue, the in-person volume factor and the handling time.
    fn route_after(&self) -> (Pool, f64, f64) {
        let s = self.def.handle_min;
        if self.group() == SETUP_GROUP {
            let stay = if self.online() {
                1.0 - self.online_share()
            } else {
                1.0
            };
            (Pool::Joint, stay, s * (1.0 + JOINT_SLOWDOWN))
        } else if self.online() {
            (Pool::Fallback, 1.0 - self.online_share(), s)
        } else if self.backoffice() {
            (Pool::Fallback, 1.0, self.def.intake_min)
        } else if DEPTS[self.dept].after > 0 {
            (Pool::Dept(self.dept), 1.0, s)
        } else {
            (Pool::Fallback, 1.0, s)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Arrivals and the FCFS queue
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
struct Arrival {
    issued: Sec,
    matter: usize,
    service: Sec,
    no_show: bool,
    /// `None`: waits as long as it takes.
    patience: Option<Sec>,
}

fn slot_start(rng: &mut ChaCha8Rng, total: f64) -> Sec {
    let mut x = rng.random::<f64>() * total;
    for &(start, w) in &PROFILE {
        if x < w {
            return start;
        }
        x -= w;
    }
    PROFILE[PROFILE.len() - 1].0
}

/// One matter's tickets on one day: Poisson count, times from the intraday profile.
fn arrivals(rng: &mut ChaCha8Rng, mi: usize, mean: f64, handle_min: f64, cs2: f64) -> Vec<Arrival> {
    let total: f64 = PROFILE.iter().map(|p| p.1).sum();
    let n = poisson(rng, mean);
    (0..n)
        .map(|_| {
            let issued = slot_start(rng, total) + rng.random_range(0..SLOT);
            let service = (gamma(rng, handle_min, cs2) * 60.0).round().max(30.0) as Sec;
            let no_show = rng.random_bool(NO_SHOW_P);
            let patience = rng
                .random_bool(IMPATIENT_P)
                .then(|| rng.random_range(60..15 * 60));
            Arrival {
                issued,
                matter: mi,
                service,
                no_show,
                patience,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Served {
        window: usize,
        called: Sec,
        finished: Sec,
    },
    NoShow {
        window: usize,
        called: Sec,
    },
    Cancelled,
}

/// Earliest time at which a window can call a ticket that is ready at `ready` and belongs to
/// the session closing at `close`: within a staffed interval, or after closing if the window
/// was staffed at closing time (tickets issued before closing are still served).
fn earliest_call(shifts: &[(Sec, Sec)], free: Sec, ready: Sec, close: Sec) -> Option<Sec> {
    let t = free.max(ready);
    for &(from, to) in shifts {
        if t < to {
            return Some(t.max(from));
        }
        if to == close {
            return Some(t);
        }
    }
    None
}

/// Multi-server first-come-first-served queue of one day: arrivals in issue order, each
/// ticket is called at the window that can call it first; sessions start empty. A ticket
/// issued during the lunch break waits for 13:30. A visitor whose wait would exceed their
/// patience leaves before being called.
fn fcfs(windows: &[&[(Sec, Sec)]], arrivals: &[Arrival]) -> Vec<Outcome> {
    let mut free: Vec<Sec> = vec![0; windows.len()];
    arrivals
        .iter()
        .map(|a| {
            let (ready, close) = if a.issued < CLOSE_AM {
                (a.issued.max(OPEN_AM), CLOSE_AM)
            } else {
                (a.issued.max(OPEN_PM), CLOSE_PM)
            };
            // Ties go to the window idle longest, then the lowest window.
            let best = windows
                .iter()
                .enumerate()
                .filter_map(|(w, s)| {
                    earliest_call(s, free[w], ready, close).map(|t| (t, free[w], w))
                })
                .min();
            let Some((called, _, w)) = best else {
                return Outcome::Cancelled;
            };
            if a.patience.is_some_and(|p| called - a.issued > p) {
                return Outcome::Cancelled;
            }
            if a.no_show {
                free[w] = called;
                Outcome::NoShow { window: w, called }
            } else {
                free[w] = called + a.service;
                Outcome::Served {
                    window: w,
                    called,
                    finished: called + a.service,
                }
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
struct Ticket {
    day: NaiveDate,
    id: String,
    dept: usize,
    matter: usize,
    issued: Sec,
    outcome: Outcome,
    /// Index into the hall's window list.
    window: Option<usize>,
}

impl Ticket {
    fn called(&self) -> Option<Sec> {
        match self.outcome {
            Outcome::Served { called, .. } | Outcome::NoShow { called, .. } => Some(called),
            Outcome::Cancelled => None,
        }
    }
}

/// Mon–Fri from `first` for four weeks.
fn open_days(first: NaiveDate) -> Vec<NaiveDate> {
    (0..28)
        .map(|i| first + Duration::days(i))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

/// Queues every pool on every day and numbers the tickets per department and day.
/// `route` gives, for a matter, its pool, volume factor and handling time (minutes);
/// `pools` maps each pool to the indices of its windows.
fn simulate<P: Ord + Copy>(
    seed: u64,
    purpose: Purpose,
    days: &[NaiveDate],
    matters: &[Matter],
    route: impl Fn(&Matter) -> (P, f64, f64),
    pools: &BTreeMap<P, Vec<usize>>,
    shifts_of: impl Fn(usize) -> Vec<(Sec, Sec)>,
) -> Vec<Ticket> {
    let mut tickets = Vec::new();
    for (di, &day) in days.iter().enumerate() {
        let mut by_pool: BTreeMap<P, Vec<Arrival>> = BTreeMap::new();
        for (mi, matter) in matters.iter().enumerate() {
            let (pool, factor, handle) = route(matter);
            let mean = f64::from(matter.weekly) / 5.0 * weekday_factor(day) * factor;
            let mut rng = stream(seed, purpose, mi as u64, di as u64);
            by_pool
                .entry(pool)
                .or_default()
                .extend(arrivals(&mut rng, mi, mean, handle, matter.cs2));
        }
        let mut day_tickets = Vec::new();
        for (pool, mut arr) in by_pool {
            arr.sort_by_key(|a| (a.issued, a.matter));
            let wins = pools.get(&pool).map(Vec::as_slice).unwrap_or(&[]);
            let shift_list: Vec<Vec<(Sec, Sec)>> = wins.iter().map(|&w| shifts_of(w)).collect();
            let refs: Vec<&[(Sec, Sec)]> = shift_list.iter().map(Vec::as_slice).collect();
            for (a, outcome) in arr.iter().zip(fcfs(&refs, &arr)) {
                let window = match outcome {
                    Outcome::Served { window, .. } | Outcome::NoShow { window, .. } => {
                        Some(wins[window])
                    }
                    Outcome::Cancelled => None,
                };
                day_tickets.push(Ticket {
                    day,
                    id: String::new(),
                    dept: matters[a.matter].dept,
                    matter: a.matter,
                    issued: a.issued,
                    outcome,
                    window,
                });
            }
        }
        number_tickets(&mut day_tickets);
        tickets.extend(day_tickets);
    }
    tickets
}

/// Ticket ids: the department letter and a per-day number in issue order (A0001, …).
fn number_tickets(day: &mut [Ticket]) {
    day.sort_by_key(|t| (t.dept, t.issued, t.matter, t.called()));
    let mut next: BTreeMap<usize, u32> = BTreeMap::new();
    for t in day.iter_mut() {
        let n = next.entry(t.dept).or_insert(0);
        *n += 1;
        t.id = format!("{}{:04}", DEPTS[t.dept].letter, n);
    }
    day.sort_by(|a, b| (a.issued, &a.id).cmp(&(b.issued, &b.id)));
}

fn june_days() -> Vec<NaiveDate> {
    open_days(NaiveDate::from_ymd_opt(2020, 6, 1).unwrap_or_default())
}

fn july_days() -> Vec<NaiveDate> {
    open_days(NaiveDate::from_ymd_opt(2020, 7, 6).unwrap_or_default())
}

fn tickets_before(seed: u64, matters: &[Matter], windows: &[Window]) -> Vec<Ticket> {
    let mut pools: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (wi, w) in windows.iter().enumerate() {
        let di = DEPTS.iter().position(|d| d.name == w.dept).unwrap_or(0);
        pools.entry(di).or_default().push(wi);
    }
    let route = |m: &Matter| (m.dept, 1.0, m.def.handle_min);
    let shifts_of = |w: usize| windows[w].shifts.clone();
    simulate(
        seed,
        Purpose::ArrivalsBefore,
        &june_days(),
        matters,
        route,
        &pools,
        shifts_of,
    )
}

fn tickets_after(seed: u64, matters: &[Matter], windows: &[(Window, Pool)]) -> Vec<Ticket> {
    let mut pools: BTreeMap<Pool, Vec<usize>> = BTreeMap::new();
    for (wi, (_, pool)) in windows.iter().enumerate() {
        pools.entry(*pool).or_default().push(wi);
    }
    let route = |m: &Matter| {
        let (pool, factor, handle) = m.route_after();
        (pool, factor * JULY_DEMAND, handle)
    };
    let shifts_of = |w: usize| windows[w].0.shifts.clone();
    simulate(
        seed,
        Purpose::ArrivalsAfter,
        &july_days(),
        matters,
        route,
        &pools,
        shifts_of,
    )
}

// ---------------------------------------------------------------------------------------
// Footfall
// ---------------------------------------------------------------------------------------

/// Days the hall is closed: the Spring Festival and National Day holiday weeks (in 2020
/// the Spring Festival closure lasted until 2 February because of the epidemic).
fn closed(day: NaiveDate) -> bool {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let ranges = [
        (ymd(2018, 2, 15), ymd(2018, 2, 21)),
        (ymd(2018, 10, 1), ymd(2018, 10, 7)),
        (ymd(2019, 2, 4), ymd(2019, 2, 10)),
        (ymd(2019, 10, 1), ymd(2019, 10, 7)),
        (ymd(2020, 1, 24), ymd(2020, 2, 2)),
    ];
    ranges.iter().any(|&(a, b)| day >= a && day <= b)
}

/// Shape of the daily footfall before the year levels are fitted: a yearly decline, a Spring Festival dip
/// in the weeks around the holiday, a mild seasonal wave, the weekday pattern, and in 2020
/// the epidemic (February almost empty, recovering by June).
fn footfall_shape(day: NaiveDate) -> f64 {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let festival = match day.year() {
        2018 => ymd(2018, 2, 15),
        2019 => ymd(2019, 2, 4),
        _ => ymd(2020, 1, 24),
    };
    let from_festival = (day - festival).num_days();
    let dip = match from_festival {
        -7..=-1 => 0.65,
        -14..=-8 => 0.85,
        0..=14 => 0.55,
        15..=21 => 0.8,
        _ => 1.0,
    };
    // A steady decline of about 20 % a year (online services), fitted exactly per year below.
    let mid_2018 = ymd(2018, 7, 1);
    let trend = 0.8_f64.powf((day - mid_2018).num_days() as f64 / 365.25);
    let doy = f64::from(day.ordinal());
    let season = 1.0 + 0.06 * (2.0 * std::f64::consts::PI * (doy - 100.0) / 365.0).cos();
    let epidemic = if day.year() == 2020 {
        match day.month() {
            1 => 1.0,
            2 => 0.08,
            3 => 0.5,
            4 => 0.8,
            5 => 0.95,
            _ => 1.0,
        }
    } else {
        1.0
    };
    trend * dip * season * epidemic * weekday_factor(day)
}

/// Daily entrance counts, 2018-01-01 … 2020-06-30, open days only. June 2020 is tied to the
/// tickets (about 1.2 visitors per ticket); the year levels are then fitted so that 2019 is
/// 20 % below 2018 and the first half of 2020 40 % below the first half of 2019.
fn footfall(seed: u64, tickets_per_day: &BTreeMap<NaiveDate, usize>) -> Vec<(NaiveDate, u64)> {
    let mut rng = stream(seed, Purpose::Footfall, 0, 0);
    let start = NaiveDate::from_ymd_opt(2018, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(2020, 6, 30).unwrap_or_default();
    let mut raw: Vec<(NaiveDate, f64, Option<f64>)> = Vec::new();
    let mut day = start;
    while day <= end {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if !weekend && !closed(day) {
            let noise = rng.random_range(0.93..1.07);
            let ratio = rng.random_range(FOOTFALL_PER_TICKET.0..FOOTFALL_PER_TICKET.1);
            let fixed = tickets_per_day.get(&day).map(|&n| n as f64 * ratio);
            raw.push((day, footfall_shape(day) * noise, fixed));
        }
        day += Duration::days(1);
    }
    // 2020 level from the ticket days.
    let (fix_sum, raw_sum) = raw
        .iter()
        .filter_map(|(_, r, f)| f.map(|f| (f, *r)))
        .fold((0.0, 0.0), |acc, (f, r)| (acc.0 + f, acc.1 + r));
    let a20 = if raw_sum > 0.0 {
        fix_sum / raw_sum
    } else {
        1.0
    };
    // Fitted on unrounded values: the shape is of order 1, so rounding first would be noise.
    let value = |&(_, r, f): &(NaiveDate, f64, Option<f64>), a: f64| f.unwrap_or(r * a);
    let sum = |pred: &dyn Fn(NaiveDate) -> bool, a: f64| -> f64 {
        raw.iter().filter(|x| pred(x.0)).map(|x| value(x, a)).sum()
    };
    let h1_2020 = sum(&|d| d.year() == 2020, a20);
    let a19 = h1_2020 / 0.6 / sum(&|d| d.year() == 2019 && d.month() <= 6, 1.0);
    let y2019 = sum(&|d| d.year() == 2019, a19);
    let a18 = y2019 / 0.8 / sum(&|d| d.year() == 2018, 1.0);
    raw.iter()
        .map(|x| {
            let a = match x.0.year() {
                2018 => a18,
                2019 => a19,
                _ => a20,
            };
            (x.0, value(x, a).round() as u64)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------

fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing CSV records into a Vec<u8> cannot fail: the only error source is the
    // underlying writer, and Vec's `Write` impl never returns an error.
    w.write_record(header)
        .expect("writing CSV to a Vec cannot fail");
    for row in rows {
        w.write_record(&row)
            .expect("writing CSV to a Vec cannot fail");
    }
    w.into_inner().expect("flushing CSV into a Vec cannot fail")
}

fn render_windows<'a>(windows: impl Iterator<Item = &'a Window>) -> Vec<u8> {
    let header = [
        "window_id",
        "department",
        "staff",
        "kind",
        "merge_group",
        "locked",
    ];
    let rows = windows.map(|w| {
        vec![
            w.id.clone(),
            w.dept.clone(),
            "1".to_string(),
            w.kind.to_string(),
            w.group.to_string(),
            w.locked.to_string(),
        ]
    });
    csv_bytes(&header, rows.collect::<Vec<_>>())
}

fn render_matters(matters: &[Matter]) -> Vec<u8> {
    let header = [
        "matter_id",
        "matter_name",
        "department",
        "weekly_volume",
        "avg_handle_min",
        "online_capable",
        "online_share",
        "backoffice_eligible",
        "intake_min",
        "merge_group",
        "in_person_required",
    ];
    let rows = matters.iter().map(|m| {
        let f = m.def.flags;
        vec![
            m.id.clone(),
            m.def.name.to_string(),
            DEPTS[m.dept].name.to_string(),
            m.weekly.to_string(),
            format!("{:.1}", m.def.handle_min),
            (f & ON != 0).to_string(),
            if m.def.online_share >= 0.0 {
                format!("{:.2}", m.def.online_share)
            } else {
                String::new()
            },
            (f & BO != 0).to_string(),
            if m.def.intake_min > 0.0 {
                format!("{:.1}", m.def.intake_min)
            } else {
                String::new()
            },
            m.group().to_string(),
            (f & IP != 0).to_string(),
        ]
    });
    csv_bytes(&header, rows.collect::<Vec<_>>())
}

fn render_footfall(rows: &[(NaiveDate, u64)]) -> Vec<u8> {
    let rows = rows
        .iter()
        .map(|(d, n)| vec![d.format("%Y-%m-%d").to_string(), n.to_string()]);
    csv_bytes(&["timestamp", "count"], rows.collect::<Vec<_>>())
}

const TICKET_HEADER: [&str; 8] = [
    "ticket_id",
    "issued_at",
    "called_at",
    "finished_at",
    "window_id",
    "department",
    "matter_id",
    "status",
];

fn stamp(day: NaiveDate, t: Sec) -> String {
    format!(
        "{} {:02}:{:02}:{:02}",
        day.format("%Y-%m-%d"),
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

fn ticket_row(t: &Ticket, window_ids: &[&str], matters: &[Matter]) -> Vec<String> {
    let (called, finished, status) = match t.outcome {
        Outcome::Served {
            called, finished, ..
        } => (stamp(t.day, called), stamp(t.day, finished), "served"),
        Outcome::NoShow { called, .. } => (stamp(t.day, called), String::new(), "no_show"),
        Outcome::Cancelled => (String::new(), String::new(), "cancelled"),
    };
    vec![
        t.id.clone(),
        stamp(t.day, t.issued),
        called,
        finished,
        t.window
            .map(|w| window_ids[w].to_string())
            .unwrap_or_default(),
        DEPTS[t.dept].name.to_string(),
        matters[t.matter].id.clone(),
        status.to_string(),
    ]
}

// ---------------------------------------------------------------------------------------
// Dirt
// ---------------------------------------------------------------------------------------

/// Extra rows added to the June tickets, as documented in the README.
const DIRT_SKEW: usize = 20;
const DIRT_CALLED_HOURS_EARLY: usize = 3;
const DIRT_BAD_DATE: usize = 2;
const DIRT_UNKNOWN_WINDOW: usize = 1;
const DIRT_DUPLICATE: usize = 1;
/// A plausible id that is not in windows.csv (market regulation has A01–A09).
const UNKNOWN_WINDOW: &str = "A10";

/// Dirty rows, each placed right after the good row it was made from. Returns
/// (index of the good row it follows, row).
fn dirt(seed: u64, good: &[Ticket], rows: &[Vec<String>]) -> Vec<(usize, Vec<String>)> {
    let mut rng = stream(seed, Purpose::Dirt, 0, 0);
    let served: Vec<usize> = (0..good.len())
        .filter(|&i| matches!(good[i].outcome, Outcome::Served { .. }))
        .collect();
    // Next free ticket number per (day, department), so new rows keep ids unique per day.
    let mut next: BTreeMap<(NaiveDate, usize), u32> = BTreeMap::new();
    for t in good {
        let n: u32 = t.id[1..].parse().unwrap_or(0);
        let e = next.entry((t.day, t.dept)).or_insert(0);
        *e = (*e).max(n);
    }
    let mut fresh_id = |t: &Ticket| {
        let e = next.entry((t.day, t.dept)).or_insert(0);
        *e += 1;
        format!("{}{:04}", DEPTS[t.dept].letter, *e)
    };
    let mut used = BTreeSet::new();
    let mut pick = |rng: &mut ChaCha8Rng| loop {
        let i = served[rng.random_range(0..served.len())];
        if used.insert(i) {
            return i;
        }
    };
    let mut out = Vec::new();
    for _ in 0..DIRT_SKEW {
        // The ticket printer's clock runs a little fast: called 1–30 s "before" issue.
        let i = pick(&mut rng);
        let t = &good[i];
        let called = t.called().unwrap_or(t.issued);
        let mut row = rows[i].clone();
        row[0] = fresh_id(t);
        row[1] = stamp(t.day, called + rng.random_range(1..=30));
        out.push((i, row));
    }
    for _ in 0..DIRT_CALLED_HOURS_EARLY {
        // A terminal whose clock was not set after a power cut: called hours before issue.
        let i = pick(&mut rng);
        let t = &good[i];
        let mut row = rows[i].clone();
        row[0] = fresh_id(t);
        let early = rng.random_range(2 * 3600..4 * 3600);
        if let Outcome::Served {
            called, finished, ..
        } = t.outcome
        {
            row[2] = stamp(t.day, called - early);
            row[3] = stamp(t.day, finished - early);
        }
        out.push((i, row));
    }
    for _ in 0..DIRT_BAD_DATE {
        // A hand-corrected row with an impossible date.
        let i = pick(&mut rng);
        let t = &good[i];
        let mut row = rows[i].clone();
        row[0] = fresh_id(t);
        let date = t.day.format("%Y-%m-%d").to_string();
        for cell in &mut row[1..=3] {
            *cell = cell.replacen(&date, "2020-06-31", 1);
        }
        out.push((i, row));
    }
    for _ in 0..DIRT_UNKNOWN_WINDOW {
        // A temporary window that never made it into the inventory.
        let i = pick(&mut rng);
        let mut row = rows[i].clone();
        row[0] = fresh_id(&good[i]);
        row[4] = UNKNOWN_WINDOW.to_string();
        out.push((i, row));
    }
    for _ in 0..DIRT_DUPLICATE {
        // The export overlapped: one row twice.
        let i = pick(&mut rng);
        out.push((i, rows[i].clone()));
    }
    out
}

fn render_tickets_with_dirt(
    seed: u64,
    good: &[Ticket],
    window_ids: &[&str],
    matters: &[Matter],
) -> Vec<u8> {
    let rows: Vec<Vec<String>> = good
        .iter()
        .map(|t| ticket_row(t, window_ids, matters))
        .collect();
    let mut extra: BTreeMap<usize, Vec<Vec<String>>> = BTreeMap::new();
    for (i, row) in dirt(seed, good, &rows) {
        extra.entry(i).or_default().push(row);
    }
    let mut all = Vec::with_capacity(rows.len() + 32);
    for (i, row) in rows.into_iter().enumerate() {
        all.push(row);
        all.extend(extra.remove(&i).unwrap_or_default());
    }
    csv_bytes(&TICKET_HEADER, all)
}

fn readme(seed: u64, before: &[Ticket], after: &[Ticket], n_matters: usize) -> Vec<u8> {
    let per_day = |t: &[Ticket], days: usize| t.len() as f64 / days as f64;
    format!(
        "# Sample hall: Binjiang, Hangzhou, 2020\n\
\n\
A synthetic model of the Binjiang district administrative service centre, which cut its\n\
service windows from 93 to 46 in July 2020 (Zhejiang Online, 28 July 2020). The numbers are\n\
made up; the shape of the hall and the figures of the article are not.\n\
\n\
Generated with `hallplan sample --out data --seed {seed}` (same seed, same bytes).\n\
\n\
## `binjiang/`: June 2020, before the cut\n\
- `windows.csv`: 93 windows of 21 departments (incl. 2 fallback windows, 综合窗口). The\n\
\x20 17 windows of 市场监管局, 商务局 and 税务局 marked `merge_group` 企业开办 are the enterprise\n\
\x20 set-up windows; the two first 公安局出入境 windows are locked. A few windows work shifts\n\
\x20 (morning only, afternoon only, 10:00–16:00), so staffed windows per hour vary.\n\
- `matters.csv`: {n_matters} matters with weekly in-person volume, handling time and the\n\
\x20 planning flags (online, back office, merge group, in person). `online_share` is blank\n\
\x20 where the scenario default should apply.\n\
- `footfall.csv`: daily entrance counts, 2018-01-01 to 2020-06-30, open days only: 2019 is\n\
\x20 20 % below 2018, the first half of 2020 40 % below the first half of 2019 (Spring\n\
\x20 Festival closures and dips, the epidemic in February 2020); June 2020 is about 1.2\n\
\x20 visitors per ticket.\n\
- `tickets.csv`: Mon 2020-06-01 to Fri 2020-06-26, 09:00–12:00 and 13:30–17:00, about\n\
\x20 {june:.0} tickets a day. Arrivals are Poisson with a morning peak around 10:00 and an\n\
\x20 afternoon peak around 14:30; handling times are gamma distributed; every ticket is queued\n\
\x20 first-come-first-served at its department's staffed windows, so the waits are real queue\n\
\x20 outcomes (tickets issued before closing are served after it; a ticket taken in the lunch\n\
\x20 break waits for 13:30). About 3 % are `no_show`, about 1 % `cancelled`.\n\
\n\
### Deliberate dirt in `binjiang/tickets.csv` (extra rows, next to the row they copy)\n\
- {DIRT_SKEW} rows with clock skew: `called_at` 1–30 s before `issued_at` (within the 60 s\n\
\x20 allowance: clamped to a zero wait);\n\
- {DIRT_CALLED_HOURS_EARLY} rows with `called_at` hours before `issued_at` (rejected);\n\
- {DIRT_BAD_DATE} rows with an impossible date, `2020-06-31` (rejected);\n\
- {DIRT_UNKNOWN_WINDOW} row with window `{UNKNOWN_WINDOW}`, which is not in `windows.csv` (rejected);\n\
- {DIRT_DUPLICATE} duplicate row (same `ticket_id` on the same day; rejected).\n\
\n\
## `binjiang-after/`: July 2020, after the cut\n\
- `windows.csv`: 46 windows: 7 joint windows (department {JOINT_DEPT}, kind `joint`,\n\
\x20 merge group 企业开办) serve the enterprise set-up matters of the three departments;\n\
\x20 税务局, 人社局, 医保局, 公积金中心, 不动产登记中心, 公安局出入境, 民政局 and\n\
\x20 市场监管局 keep some windows; {FALLBACK_WINDOWS_AFTER} fallback windows (综合窗口) serve everything else.\n\
- `tickets.csv`: Mon 2020-07-06 to Fri 2020-07-31, about {july:.0} tickets a day. Demand is\n\
\x20 {drop:.0} % below June; of online-capable matters only 1 − `online_share` (default {share:.1}) still\n\
\x20 comes in person, to a fallback window (set-up matters: to the joint windows, {slow:.0} % slower);\n\
\x20 back-office matters only do their intake at a fallback window. Tickets keep their\n\
\x20 department and matter; window ids are those of the new inventory. No dirt. There is\n\
\x20 no `matters.csv`: the catalogue is the June one (`binjiang/matters.csv`).\n",
        june = per_day(before, 20),
        july = per_day(after, 20),
        drop = (1.0 - JULY_DEMAND) * 100.0,
        share = DEFAULT_ONLINE_SHARE,
        slow = JOINT_SLOWDOWN * 100.0,
    )
    .into_bytes()
}

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

struct Generated {
    matters: Vec<Matter>,
    before_windows: Vec<Window>,
    after_windows: Vec<(Window, Pool)>,
    before: Vec<Ticket>,
    after: Vec<Ticket>,
    footfall: Vec<(NaiveDate, u64)>,
}

fn build(seed: u64) -> Generated {
    let matters = matters();
    let before_windows = windows_before();
    let after_windows = windows_after();
    let before = tickets_before(seed, &matters, &before_windows);
    let after = tickets_after(seed, &matters, &after_windows);
    let mut per_day: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for t in &before {
        *per_day.entry(t.day).or_insert(0) += 1;
    }
    let footfall = footfall(seed, &per_day);
    Generated {
        matters,
        before_windows,
        after_windows,
        before,
        after,
        footfall,
    }
}

/// Deterministic: same seed ⇒ byte-identical files. No I/O.
pub fn generate(seed: u64) -> Vec<SampleFile> {
    let g = build(seed);
    let before_ids: Vec<&str> = g.before_windows.iter().map(|w| w.id.as_str()).collect();
    let after_ids: Vec<&str> = g.after_windows.iter().map(|w| w.0.id.as_str()).collect();
    let file = |path: &str, bytes: Vec<u8>| SampleFile {
        path: path.to_string(),
        bytes,
    };
    let after_rows = g
        .after
        .iter()
        .map(|t| ticket_row(t, &after_ids, &g.matters));
    vec![
        file(
            "binjiang/README.md",
            readme(seed, &g.before, &g.after, g.matters.len()),
        ),
        file(
            "binjiang/windows.csv",
            render_windows(g.before_windows.iter()),
        ),
        file("binjiang/matters.csv", render_matters(&g.matters)),
        file("binjiang/footfall.csv", render_footfall(&g.footfall)),
        file(
            "binjiang/tickets.csv",
            render_tickets_with_dirt(seed, &g.before, &before_ids, &g.matters),
        ),
        file(
            "binjiang-after/windows.csv",
            render_windows(g.after_windows.iter().map(|w| &w.0)),
        ),
        file(
            "binjiang-after/tickets.csv",
            csv_bytes(&TICKET_HEADER, after_rows.collect::<Vec<_>>()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn files() -> &'static [SampleFile] {
        static FILES: OnceLock<Vec<SampleFile>> = OnceLock::new();
        FILES.get_or_init(|| generate(DEFAULT_SEED))
    }

    fn built() -> &'static Generated {
        static BUILT: OnceLock<Generated> = OnceLock::new();
        BUILT.get_or_init(|| build(DEFAULT_SEED))
    }

    fn file(path: &str) -> &'static [u8] {
        files()
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.bytes.as_slice())
            .unwrap_or_else(|| panic!("{path} not generated"))
    }

    fn records(path: &str) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(file(path))
            .records()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn dept_of(name: &str) -> usize {
        DEPTS
            .iter()
            .position(|d| d.name == name)
            .unwrap_or_else(|| panic!("no department {name}"))
    }

    /// Mean wait (minutes) over called tickets, per department index.
    fn mean_waits(tickets: &[Ticket]) -> BTreeMap<usize, f64> {
        let mut acc: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
        for t in tickets {
            if let Some(c) = t.called() {
                let e = acc.entry(t.dept).or_insert((0.0, 0));
                e.0 += (c - t.issued) as f64 / 60.0;
                e.1 += 1;
            }
        }
        acc.into_iter()
            .map(|(k, (s, n))| (k, s / n as f64))
            .collect()
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_tickets() {
        let again = generate(DEFAULT_SEED);
        assert_eq!(again.len(), files().len());
        for (a, b) in again.iter().zip(files()) {
            assert_eq!(a.path, b.path);
            assert!(a.bytes == b.bytes, "{} differs between two runs", a.path);
        }
        let other = generate(DEFAULT_SEED + 1);
        let tickets = |fs: &[SampleFile]| {
            fs.iter()
                .find(|f| f.path == "binjiang/tickets.csv")
                .map(|f| f.bytes.clone())
        };
        assert_ne!(tickets(&other), tickets(files()));
    }

    #[test]
    fn files_are_utf8_without_bom_with_lf_line_ends() {
        assert_eq!(files().len(), 7);
        for f in files() {
            let text = std::str::from_utf8(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            assert!(!text.starts_with('\u{feff}'), "{} has a BOM", f.path);
            assert!(!text.contains('\r'), "{} has CR line ends", f.path);
            assert!(text.ends_with('\n'), "{} lacks a final newline", f.path);
        }
        let header = |p: &str| {
            file(p)
                .split(|&b| b == b'\n')
                .next()
                .map(|h| String::from_utf8_lossy(h).into_owned())
        };
        assert_eq!(
            header("binjiang/windows.csv").as_deref(),
            Some("window_id,department,staff,kind,merge_group,locked")
        );
        assert_eq!(
            header("binjiang/tickets.csv").as_deref(),
            Some("ticket_id,issued_at,called_at,finished_at,window_id,department,matter_id,status")
        );
        assert_eq!(
            header("binjiang/footfall.csv").as_deref(),
            Some("timestamp,count")
        );
    }

    #[test]
    fn ninety_three_windows_before_and_forty_six_after() {
        let before = records("binjiang/windows.csv");
        let after = records("binjiang-after/windows.csv");
        assert_eq!(before.len(), 93);
        assert_eq!(after.len(), 46);
        for rows in [&before, &after] {
            let ids: BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
            assert_eq!(ids.len(), rows.len(), "window ids are unique");
        }
        let group = |rows: &[csv::StringRecord], kind: &str| {
            rows.iter()
                .filter(|r| &r[4] == SETUP_GROUP && (kind.is_empty() || &r[3] == kind))
                .count()
        };
        assert_eq!(group(&before, ""), 17);
        assert_eq!(group(&after, "joint"), 7);
        assert_eq!(group(&after, ""), 7);
        let set_up_depts: BTreeSet<&str> = before
            .iter()
            .filter(|r| &r[4] == SETUP_GROUP)
            .map(|r| &r[1])
            .collect();
        assert_eq!(
            set_up_depts,
            BTreeSet::from(["市场监管局", "商务局", "税务局"])
        );
        assert_eq!(before.iter().filter(|r| &r[5] == "true").count(), 2);
        assert!(before.iter().filter(|r| &r[3] == "fallback").count() >= 1);
        assert!(after.iter().filter(|r| &r[3] == "fallback").count() >= 5);
    }

    #[test]
    fn about_150_matters_each_with_a_window() {
        for def in MATTERS {
            assert!(
                DEPTS.iter().any(|d| d.letter == def.dept),
                "{}: no department {}",
                def.name,
                def.dept
            );
        }
        let matters = records("binjiang/matters.csv");
        assert!(
            (140..=160).contains(&matters.len()),
            "{} matters",
            matters.len()
        );
        let depts: BTreeSet<String> = records("binjiang/windows.csv")
            .iter()
            .map(|r| r[1].to_string())
            .collect();
        let ids: BTreeSet<&str> = matters.iter().map(|r| &r[0]).collect();
        assert_eq!(ids.len(), matters.len(), "matter ids are unique");
        for r in &matters {
            assert!(
                depts.contains(&r[2]),
                "matter {} of {} has no window",
                &r[0],
                &r[2]
            );
            let handle: f64 = r[4].parse().unwrap_or(0.0);
            assert!((3.0..=30.0).contains(&handle), "{}: handle {handle}", &r[0]);
        }
        let blank_share = matters.iter().filter(|r| r[6].is_empty()).count();
        assert!(
            blank_share * 2 > matters.len(),
            "online_share is blank for most matters"
        );
        let backoffice_with_intake = matters
            .iter()
            .filter(|r| &r[7] == "true" && !r[8].is_empty())
            .count();
        assert!(backoffice_with_intake >= 15);
        assert!(matters
            .iter()
            .any(|r| &r[10] == "true" && &r[2] == "公安局出入境"));
    }

    #[test]
    fn footfall_falls_20_then_40_percent() {
        let rows = records("binjiang/footfall.csv");
        let mut sum: BTreeMap<&str, f64> = BTreeMap::new();
        for r in &rows {
            let n: f64 = r[1].parse().unwrap_or(f64::NAN);
            let (year, month) = (&r[0][..4], &r[0][5..7]);
            *sum.entry(year).or_default() += n;
            if year == "2019" && month <= "06" {
                *sum.entry("2019H1").or_default() += n;
            }
            let day = NaiveDate::parse_from_str(&r[0], "%Y-%m-%d").unwrap_or_default();
            assert!(
                !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
                "{} is a weekend",
                &r[0]
            );
        }
        let yoy19 = sum["2019"] / sum["2018"] - 1.0;
        let yoy20 = sum["2020"] / sum["2019H1"] - 1.0;
        assert!((yoy19 + 0.20).abs() <= 0.03, "2019 vs 2018: {yoy19:.3}");
        assert!(
            (yoy20 + 0.40).abs() <= 0.03,
            "2020 H1 vs 2019 H1: {yoy20:.3}"
        );
        assert_eq!(
            rows.first().map(|r| r[0].to_string()).as_deref(),
            Some("2018-01-01")
        );
        assert_eq!(
            rows.last().map(|r| r[0].to_string()).as_deref(),
            Some("2020-06-30")
        );
        // Footfall covers the ticket takers on every June day.
        let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        for t in &built().before {
            *per_day.entry(t.day).or_default() += 1;
        }
        for (day, n) in &built().footfall {
            if let Some(&tickets) = per_day.get(day) {
                assert!(*n >= tickets, "{day}: footfall {n} < tickets {tickets}");
            }
        }
        let feb: f64 = rows
            .iter()
            .filter(|r| r[0].starts_with("2020-02"))
            .map(|r| r[1].parse().unwrap_or(0.0))
            .sum();
        let jun: f64 = rows
            .iter()
            .filter(|r| r[0].starts_with("2020-06"))
            .map(|r| r[1].parse().unwrap_or(0.0))
            .sum();
        assert!(feb < 0.2 * jun, "February 2020 is almost empty");
    }

    #[test]
    fn waits_match_the_article() {
        let before = mean_waits(&built().before);
        let after = mean_waits(&built().after);
        for name in ["城管局", "农业农村局"] {
            let (b, a) = (before[&dept_of(name)], after[&dept_of(name)]);
            assert!((3.5..=6.5).contains(&b), "{name} before {b:.1}");
            assert!((1.0..=3.0).contains(&a) && a < b, "{name} after {a:.1}");
        }
        let (b, a) = (
            before[&dept_of("市场监管局")],
            after[&dept_of("市场监管局")],
        );
        assert!((8.0..=12.0).contains(&b), "市场监管局 before {b:.1}");
        assert!((5.5..=8.5).contains(&a) && a < b, "市场监管局 after {a:.1}");
        for (d, w) in &before {
            assert!((0.5..=15.0).contains(w), "{} before {w:.1}", DEPTS[*d].name);
        }
    }

    #[test]
    fn ticket_volume_and_statuses() {
        let g = built();
        let per_day = g.before.len() as f64 / 20.0;
        assert!(
            (2000.0..=3000.0).contains(&per_day),
            "{per_day} tickets a day"
        );
        assert!(g.after.len() < g.before.len());
        let share = |s: fn(&Outcome) -> bool| {
            g.before.iter().filter(|t| s(&t.outcome)).count() as f64 / g.before.len() as f64
        };
        let no_show = share(|o| matches!(o, Outcome::NoShow { .. }));
        let cancelled = share(|o| matches!(o, Outcome::Cancelled));
        assert!(
            (0.02..=0.04).contains(&no_show),
            "no-show share {no_show:.3}"
        );
        assert!(
            (0.004..=0.02).contains(&cancelled),
            "cancelled share {cancelled:.3}"
        );
        for t in g.before.iter().chain(&g.after) {
            assert!((OPEN_AM..CLOSE_PM).contains(&t.issued));
            assert!(
                !(CLOSE_AM..hm(13, 0)).contains(&t.issued),
                "no tickets in the first lunch hour"
            );
            if let Some(c) = t.called() {
                assert!(c >= t.issued && c >= OPEN_AM);
                assert!(
                    !(CLOSE_AM..OPEN_PM).contains(&c) || t.issued < CLOSE_AM,
                    "lunch tickets wait for 13:30"
                );
            }
        }
    }

    /// Served and no-show tickets of one queue on one day are called in issue order.
    fn assert_fcfs<K: Ord + std::fmt::Debug>(tickets: &[Ticket], key: impl Fn(&Ticket) -> K) {
        let mut queues: BTreeMap<(NaiveDate, K), Vec<(Sec, Sec)>> = BTreeMap::new();
        for t in tickets {
            if let Some(c) = t.called() {
                queues
                    .entry((t.day, key(t)))
                    .or_default()
                    .push((t.issued, c));
            }
        }
        assert!(queues.len() > 100);
        for (q, mut v) in queues {
            v.sort();
            for pair in v.windows(2) {
                assert!(
                    pair[0].1 <= pair[1].1,
                    "{q:?}: issued {:?} called after {:?}",
                    pair[0],
                    pair[1]
                );
            }
        }
    }

    #[test]
    fn queues_are_first_come_first_served() {
        let g = built();
        assert_fcfs(&g.before, |t| t.dept);
        let pool = |t: &Ticket| t.window.map(|w| g.after_windows[w].1);
        assert_fcfs(&g.after, pool);
    }

    #[test]
    fn no_window_serves_two_tickets_at_once() {
        let g = built();
        let mut busy: BTreeMap<(NaiveDate, usize), Vec<(Sec, Sec)>> = BTreeMap::new();
        for t in &g.before {
            if let (
                Outcome::Served {
                    called, finished, ..
                },
                Some(w),
            ) = (t.outcome, t.window)
            {
                busy.entry((t.day, w)).or_default().push((called, finished));
            }
        }
        for (k, mut v) in busy {
            v.sort();
            assert!(v.windows(2).all(|p| p[0].1 <= p[1].0), "{k:?} overlaps");
        }
    }

    #[test]
    fn fcfs_serves_the_lunch_ticket_at_half_past_one_and_finishes_the_morning() {
        let full: &[(Sec, Sec)] = &[(OPEN_AM, CLOSE_AM), (OPEN_PM, CLOSE_PM)];
        let a = |issued, service| Arrival {
            issued,
            matter: 0,
            service,
            no_show: false,
            patience: None,
        };
        let out = fcfs(
            &[full],
            &[a(hm(11, 50), 1200), a(hm(11, 55), 600), a(hm(13, 20), 60)],
        );
        assert_eq!(
            out[0],
            Outcome::Served {
                window: 0,
                called: hm(11, 50),
                finished: hm(12, 10)
            }
        );
        assert_eq!(
            out[1],
            Outcome::Served {
                window: 0,
                called: hm(12, 10),
                finished: hm(12, 20)
            }
        );
        assert_eq!(
            out[2],
            Outcome::Served {
                window: 0,
                called: OPEN_PM,
                finished: OPEN_PM + 60
            }
        );
        // A morning-only window takes no afternoon ticket.
        let am: &[(Sec, Sec)] = &[(OPEN_AM, CLOSE_AM)];
        assert_eq!(fcfs(&[am], &[a(hm(14, 0), 60)]), vec![Outcome::Cancelled]);
    }

    #[test]
    fn dirt_is_exactly_as_documented() {
        let windows: BTreeSet<String> = records("binjiang/windows.csv")
            .iter()
            .map(|r| r[0].to_string())
            .collect();
        let parse = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok();
        let rows = records("binjiang/tickets.csv");
        let (mut skew, mut early, mut bad_date, mut unknown) = (0, 0, 0, 0);
        let mut seen = BTreeSet::new();
        let mut duplicates = 0;
        for r in &rows {
            let Some(issued) = parse(&r[1]) else {
                bad_date += 1;
                continue;
            };
            if !seen.insert((issued.date(), r[0].to_string())) {
                duplicates += 1;
            }
            if let Some(called) = parse(&r[2]) {
                let ahead = (issued - called).num_seconds();
                if (1..=60).contains(&ahead) {
                    skew += 1;
                } else if ahead > 60 {
                    early += 1;
                }
            }
            if !r[4].is_empty() && !windows.contains(&r[4]) {
                unknown += 1;
            }
        }
        assert_eq!(skew, DIRT_SKEW);
        assert_eq!(early, DIRT_CALLED_HOURS_EARLY);
        assert_eq!(bad_date, DIRT_BAD_DATE);
        assert_eq!(unknown, DIRT_UNKNOWN_WINDOW);
        assert_eq!(duplicates, DIRT_DUPLICATE);
        let extra = DIRT_SKEW
            + DIRT_CALLED_HOURS_EARLY
            + DIRT_BAD_DATE
            + DIRT_UNKNOWN_WINDOW
            + DIRT_DUPLICATE;
        assert_eq!(rows.len(), built().before.len() + extra);
        // The after export is clean.
        let after_windows: BTreeSet<String> = records("binjiang-after/windows.csv")
            .iter()
            .map(|r| r[0].to_string())
            .collect();
        for r in records("binjiang-after/tickets.csv") {
            assert!(parse(&r[1]).is_some());
            assert!(r[4].is_empty() || after_windows.contains(&r[4]));
        }
    }

    #[test]
    fn summary() {
        let g = built();
        let (before, after) = (mean_waits(&g.before), mean_waits(&g.after));
        let count = |t: &[Ticket], d: usize| t.iter().filter(|t| t.dept == d).count() as f64 / 20.0;
        println!(
            "{:<16} {:>8} {:>8} {:>9} {:>8}",
            "department", "wait bef", "per day", "wait aft", "per day"
        );
        for (di, d) in DEPTS.iter().enumerate() {
            println!(
                "{:<16} {:>8.1} {:>8.1} {:>9.1} {:>8.1}",
                d.name,
                before.get(&di).copied().unwrap_or(f64::NAN),
                count(&g.before, di),
                after.get(&di).copied().unwrap_or(f64::NAN),
                count(&g.after, di)
            );
        }
        println!(
            "tickets/day: before {:.0}, after {:.0}",
            g.before.len() as f64 / 20.0,
            g.after.len() as f64 / 20.0
        );
        let staffed = |s: &[(Sec, Sec)]| s.iter().map(|(a, b)| b - a).sum::<Sec>() as f64 * 20.0;
        let busy = |t: &[Ticket]| {
            t.iter()
                .map(|t| match t.outcome {
                    Outcome::Served {
                        called, finished, ..
                    } => (finished - called) as f64,
                    _ => 0.0,
                })
                .sum::<f64>()
        };
        let cap_b: f64 = g.before_windows.iter().map(|w| staffed(&w.shifts)).sum();
        let cap_a: f64 = g.after_windows.iter().map(|w| staffed(&w.0.shifts)).sum();
        println!(
            "utilisation: before {:.2}, after {:.2}",
            busy(&g.before) / cap_b,
            busy(&g.after) / cap_a
        );
        for f in files() {
            println!("{:<28} {:>9} bytes", f.path, f.bytes.len());
        }
        assert!(file("binjiang/tickets.csv").len() < 8_000_000);
    }
}
