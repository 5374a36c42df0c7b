//! The demo's words: name stems, roads, comments and complaint texts, the tags
//! a visitor of each mood picks, and complaint tracking codes and states.

use rand::RngExt;
use rand::rngs::StdRng;

use crate::domain::rating::Tag;

use super::draw::{one_of, pick};

/// Place-like name stems with a romanized form for the bilingual names.
pub(super) const STEMS: [(&str, &str); 24] = [
    ("天山", "Tianshan"),
    ("胡杨", "Huyang"),
    ("雪莲", "Snow Lotus"),
    ("丝路", "Silk Road"),
    ("梨城", "Licheng"),
    ("长白山", "Changbaishan"),
    ("松花江", "Songhua"),
    ("雾凇", "Rime"),
    ("金沙", "Jinsha"),
    ("绿洲", "Oasis"),
    ("博斯腾", "Bosten"),
    ("天池", "Tianchi"),
    ("鹿鸣", "Luming"),
    ("白桦", "Birch"),
    ("红山", "Hongshan"),
    ("云杉", "Spruce"),
    ("星河", "Xinghe"),
    ("阳光", "Sunshine"),
    ("友谊", "Youyi"),
    ("驼铃", "Camel Bell"),
    ("葡萄沟", "Grape Valley"),
    ("孔雀河", "Peacock River"),
    ("罗布人", "Lop Nur"),
    ("北山", "Beishan"),
];

/// Direction-like variants for public windows named after their place.
pub(super) const VARIANTS: [(&str, &str); 7] = [
    ("", ""),
    ("东", "East"),
    ("西", "West"),
    ("南", "South"),
    ("北", "North"),
    ("城南", "Chengnan"),
    ("新区", "New District"),
];

/// Street names for addresses.
pub(super) const ROADS: [&str; 14] = [
    "人民路",
    "解放路",
    "建设路",
    "团结路",
    "天山路",
    "新华路",
    "胜利路",
    "文化路",
    "幸福路",
    "迎宾大道",
    "滨河路",
    "友好路",
    "长江路",
    "光明街",
];

const POSITIVE_COMMENTS: [&str; 12] = [
    "服务很周到，环境干净。",
    "工作人员热情，有问必答。",
    "讲解员很专业，讲得生动有趣。",
    "价格标示清楚，没有乱收费。",
    "排队很快，秩序井然。",
    "性价比很高，下次还来。",
    "卫生间干净，指示牌清楚。",
    "带老人来的，有无障碍通道，很贴心。",
    "Staff were friendly and helpful.",
    "Clean, well organised and good value.",
    "Great guide, we learned a lot.",
    "Quick check-in, spotless room.",
];
const NEUTRAL_COMMENTS: [&str; 7] = [
    "总体还可以，高峰期人有点多。",
    "排队时间有点长。",
    "停车不太方便。",
    "价格偏高，但服务还行。",
    "指示牌不够清楚，找了半天。",
    "Okay overall, a bit crowded at noon.",
    "Signs could be clearer.",
];
const NEGATIVE_COMMENTS: [&str; 9] = [
    "服务态度差，问路没人理。",
    "卫生状况不好，垃圾没人清理。",
    "等了一个多小时也没人处理。",
    "价格没有明码标价，结账时才知道。",
    "工作人员态度恶劣，不耐烦。",
    "设施老旧，很多地方坏了没人修。",
    "Rude staff and a long wait.",
    "Dirty toilets, nobody cleaning.",
    "Prices were not displayed anywhere.",
];

/// Complaint endings, so descriptions of the same kind still differ.
const COMPLAINT_ENDINGS: [&str; 5] = [
    "请尽快核实处理。",
    "希望有关部门加强监管。",
    "已保留付款凭证和照片。",
    "要求退还多收的费用。",
    "",
];

/// Tags of a pleased visitor, with how often each is picked.
pub(super) const POSITIVE_TAGS: [(Tag, u32); 6] = [
    (Tag::FriendlyStaff, 6),
    (Tag::Clean, 5),
    (Tag::GoodValue, 4),
    (Tag::FastService, 3),
    (Tag::HelpfulGuide, 3),
    (Tag::Accessible, 1),
];
/// Tags of a lukewarm (3★) visitor: mild complaints and faint praise.
pub(super) const MIXED_TAGS: [(Tag, u32); 6] = [
    (Tag::LongWait, 5),
    (Tag::UnclearPrices, 3),
    (Tag::Clean, 2),
    (Tag::FriendlyStaff, 2),
    (Tag::GoodValue, 1),
    (Tag::Dirty, 1),
];
/// Everyday complaints of an unhappy visitor (red flags are chosen apart).
pub(super) const NEGATIVE_TAGS: [(Tag, u32); 4] = [
    (Tag::RudeStaff, 5),
    (Tag::LongWait, 4),
    (Tag::Dirty, 4),
    (Tag::UnclearPrices, 3),
];
/// How many tags a rating carries: 0 to 4.
pub(super) const TAG_COUNTS: [(usize, u32); 5] = [(0, 35), (1, 30), (2, 20), (3, 10), (4, 5)];

/// A comment in the visitor's mood: one or two sentences, a red flag named first.
pub(super) fn comment_text(rng: &mut StdRng, overall: u8, red_flag: Option<Tag>) -> String {
    let pool: &[&str] = match overall {
        4..=5 => &POSITIVE_COMMENTS,
        3 => &NEUTRAL_COMMENTS,
        _ => &NEGATIVE_COMMENTS,
    };
    let first = match red_flag {
        Some(tag) => red_flag_sentence(rng, tag),
        None => *one_of(rng, pool),
    };
    if rng.random_ratio(3, 10) {
        let second = one_of(rng, pool);
        if *second != first {
            // Chinese sentences follow each other without a space.
            let gap = if first.ends_with('。') { "" } else { " " };
            return format!("{first}{gap}{second}");
        }
    }
    first.to_owned()
}

fn red_flag_sentence(rng: &mut StdRng, tag: Tag) -> &'static str {
    let sentences: &[&str] = match tag {
        Tag::ForcedShopping => &[
            "导游带我们进了三家购物店，不买不让走。",
            "行程里一半时间在购物点，导游态度很差。",
            "The guide kept us in jade shops for hours.",
        ],
        Tag::Overcharging => &[
            "结账比菜单价格贵了一倍。",
            "门票外还要收各种杂费，事先没说。",
            "Charged far more than the posted price.",
        ],
        Tag::Misleading => &[
            "宣传的项目实际上没有开放。",
            "照片和实际完全不一样。",
            "The advertised tour was not what we got.",
        ],
        _ => &[
            "栏杆松动，没有任何安全提示。",
            "消防通道被杂物堵住了。",
            "Broken railings and no safety signs.",
        ],
    };
    sentences[rng.random_range(0..sentences.len())]
}

/// A complaint description in a visitor's words (far below the length bound).
pub(super) fn complaint_text(rng: &mut StdRng, red_flag: Option<Tag>) -> String {
    let body: &[&str] = match red_flag {
        Some(Tag::ForcedShopping) => &[
            "跟团游期间导游强制安排进店购物，不消费就不开车，耽误行程两个多小时。",
            "导游以“景区内必须消费”为由要求每人购买玉器，态度恶劣。",
        ],
        Some(Tag::Overcharging) => &[
            "实际收费明显高于公示价格，多收费用不予退还。",
            "结账时加收未告知的服务费，要求出示价目表被拒绝。",
        ],
        Some(Tag::Misleading) => &[
            "宣传中承诺的项目到现场才说取消，不予退款。",
            "广告中的优惠价格到店后不认账。",
        ],
        Some(_) => &[
            "现场存在明显安全隐患，工作人员不予理会。",
            "设施损坏无人维修，孩子差点受伤。",
        ],
        None => &[
            "工作人员服务态度恶劣，投诉无门。",
            "排队两个小时无人疏导，现场秩序混乱。",
        ],
    };
    format!("{}{}", one_of(rng, body), one_of(rng, &COMPLAINT_ENDINGS))
}

/// A tracking code shaped like a live one: the venue, a dash and ten
/// characters without look-alikes (no 0/O, 1/I).
pub(super) fn tracking_code(rng: &mut StdRng, venue_id: i64) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let random: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{venue_id}-{random}")
}

/// Older complaints have mostly been handled; every state of a case
/// appears, and some young cases wait past their due date.
pub(super) fn complaint_status(rng: &mut StdRng, age_days: u32) -> &'static str {
    let weights: &[(&'static str, u32)] = match age_days {
        0..=6 => &[("submitted", 6), ("transferred", 1), ("accepted", 2)],
        7..=30 => &[
            ("submitted", 2),
            ("accepted", 3),
            ("venue_replied", 4),
            ("mediating", 2),
            ("rejected", 1),
            ("resolved", 2),
        ],
        _ => &[
            ("resolved", 12),
            ("closed_unresolved", 4),
            ("rejected", 2),
            ("mediating", 1),
        ],
    };
    pick(rng, weights).unwrap_or("submitted")
}
