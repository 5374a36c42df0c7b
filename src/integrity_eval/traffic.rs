//! The traffic `integrity-eval` judges, replayable from a seed: honest
//! visitors over eight weeks at a few hundred venues, with what honest
//! traffic really holds (busy and quiet venues, weekends, tour groups
//! arriving together on one carrier address, hotel guests on the hotel's
//! Wi-Fi, a carrier's NAT shared by a whole region, regulars back every
//! week on one phone, the same short phrases in many comments), and
//! labelled campaigns in the last four weeks.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::domain::integrity::comments::mix64;
use crate::domain::integrity::{CommentPrint, Observation};

/// Weeks of traffic; the first half is history only.
pub const WEEKS: i64 = 8;
/// The first day ratings are judged (and campaigns run).
pub const JUDGED_FROM_DAY: i64 = 28;
const DAY_MINUTES: i64 = 24 * 60;
const REGIONS: u64 = 6;
const CATEGORIES: u64 = 5;
/// Category 0 is hotels: their guests rate on the hotel's Wi-Fi.
const HOTELS: u64 = 0;
const CARRIERS_PER_REGION: u64 = 25;

/// What made a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A visitor.
    Honest,
    /// A campaign of this kind.
    Campaign(CampaignKind),
}

/// The campaigns the evaluation plants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CampaignKind {
    /// Dozens of 5★ within an hour or two from a click farm's few addresses.
    BulkStuffing,
    /// A few 5★ a day for weeks from a couple of addresses.
    DripStuffing,
    /// Dozens of 5★ within hours, each from another address.
    DistributedStuffing,
    /// One address rating a venue's rivals 1★.
    RivalBombing,
    /// A bot spreading 5★ over two days from many addresses, each with a
    /// comment varied from a template.
    VariedBot,
}

impl CampaignKind {
    /// Every kind, in the report's order.
    pub const ALL: [CampaignKind; 5] = [
        CampaignKind::BulkStuffing,
        CampaignKind::DripStuffing,
        CampaignKind::DistributedStuffing,
        CampaignKind::RivalBombing,
        CampaignKind::VariedBot,
    ];

    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            CampaignKind::BulkStuffing => "bulk stuffing",
            CampaignKind::DripStuffing => "slow drip stuffing",
            CampaignKind::DistributedStuffing => "distributed stuffing",
            CampaignKind::RivalBombing => "rival bombing",
            CampaignKind::VariedBot => "bot varying its comments",
        }
    }
}

/// The size of a run.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Venues.
    pub venues: u64,
    /// Campaigns of each kind.
    pub campaigns_per_kind: u32,
}

/// A generated rating with what made it.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub observation: Observation,
    pub origin: Origin,
}

struct Venue {
    id: u64,
    region: u64,
    category: u64,
    per_day: f64,
    /// Mean stars of its visitors.
    quality: f64,
}

impl Venue {
    fn peer_group(&self) -> u64 {
        self.region * CATEGORIES + self.category
    }

    fn wifi(&self) -> u64 {
        mix64(0x717F1 ^ self.id)
    }
}

const GOOD_PHRASES: [&str; 24] = [
    "服务热情",
    "环境干净",
    "性价比高",
    "工作人员很耐心",
    "排队不久",
    "讲解很专业",
    "房间整洁",
    "早餐丰富",
    "位置方便",
    "景色很美",
    "值得一去",
    "下次还来",
    "卫生间干净",
    "停车方便",
    "孩子很喜欢",
    "导游很负责",
    "价格公道",
    "菜品新鲜",
    "前台办理很快",
    "设施齐全",
    "指示牌清楚",
    "安静舒适",
    "推荐给朋友",
    "体验很好",
];
const BAD_PHRASES: [&str; 16] = [
    "排队太久",
    "态度冷淡",
    "卫生一般",
    "价格偏贵",
    "设施陈旧",
    "讲解敷衍",
    "停车难",
    "房间有异味",
    "菜量太少",
    "指示不清",
    "厕所脏",
    "服务慢",
    "与宣传不符",
    "人太多",
    "空调不好",
    "噪音大",
];
const SHORT: [&str; 6] = ["很好", "不错", "满意", "一般", "还行", "很棒"];

/// Stars of a visitor at a venue of `quality`.
fn honest_stars(rng: &mut StdRng, quality: f64) -> u8 {
    let noise = (rng.random::<f64>() + rng.random::<f64>() + rng.random::<f64>() - 1.5) * 2.2;
    (quality + noise).round().clamp(1.0, 5.0) as u8
}

/// A visitor's comment, for about a third of them.
fn honest_comment(rng: &mut StdRng, stars: u8) -> Option<String> {
    if rng.random::<f64>() > 0.35 {
        return None;
    }
    if rng.random::<f64>() < 0.3 {
        return Some(SHORT[rng.random_range(0..SHORT.len())].to_owned());
    }
    let pool: &[&str] = if stars >= 3 {
        &GOOD_PHRASES
    } else {
        &BAD_PHRASES
    };
    let phrases = rng.random_range(1..=3);
    let text: Vec<&str> = (0..phrases)
        .map(|_| pool[rng.random_range(0..pool.len())])
        .collect();
    Some(text.join("，"))
}

/// A minute of the day visitors rate at: mostly 9–21 h, a few at night.
fn honest_minute(rng: &mut StdRng) -> i64 {
    let hour = if rng.random::<f64>() < 0.02 {
        rng.random_range(0..24)
    } else {
        let peak = if rng.random::<bool>() { 12.0 } else { 18.5 };
        let h = peak + (rng.random::<f64>() + rng.random::<f64>() - 1.0) * 5.0;
        h.clamp(7.0, 23.0) as i64
    };
    hour * 60 + rng.random_range(0..60)
}

/// A carrier address of `region`, the busy ones used far more.
fn carrier(rng: &mut StdRng, region: u64) -> u64 {
    let rank = (rng.random::<f64>().powi(2) * CARRIERS_PER_REGION as f64) as u64;
    mix64(0xCA221E2 ^ (region << 16) ^ rank)
}

struct Builder {
    rng: StdRng,
    next_id: u64,
    out: Vec<Labelled>,
    comment_min_chars: usize,
}

impl Builder {
    #[allow(clippy::too_many_arguments)] // one rating's every field, named at each call
    fn push(
        &mut self,
        venue: &Venue,
        minute: i64,
        stars: u8,
        device: u64,
        network: u64,
        comment: Option<String>,
        origin: Origin,
    ) {
        self.next_id += 1;
        let comment = comment.and_then(|c| CommentPrint::of(&c, self.comment_min_chars));
        self.out.push(Labelled {
            observation: Observation {
                id: self.next_id,
                venue: venue.id,
                peer_group: venue.peer_group(),
                minute,
                overall: stars,
                device,
                network,
                comment,
            },
            origin,
        });
    }

    fn device(&mut self) -> u64 {
        self.rng.random()
    }
}

/// Generates the whole run: honest traffic, then the campaigns.
pub fn generate(seed: u64, scale: Scale, comment_min_chars: usize) -> Vec<Labelled> {
    let mut b = Builder {
        rng: StdRng::seed_from_u64(seed),
        next_id: 0,
        out: Vec::new(),
        comment_min_chars,
    };
    let venues: Vec<Venue> = (0..scale.venues)
        .map(|id| {
            let normal: f64 = (0..6).map(|_| b.rng.random::<f64>()).sum::<f64>() - 3.0;
            Venue {
                id: id + 1,
                region: id % REGIONS,
                category: (id / REGIONS) % CATEGORIES,
                per_day: (6.0 * (0.9 * normal).exp()).clamp(0.5, 90.0),
                quality: b.rng.random_range(2.8..4.7),
            }
        })
        .collect();
    for day in 0..WEEKS * 7 {
        let weekend = if day % 7 >= 5 { 1.4 } else { 1.0 };
        for v in &venues {
            let mean = v.per_day * weekend * b.rng.random_range(0.7..1.3);
            let n = (mean + (b.rng.random::<f64>() - 0.5) * mean.sqrt() * 2.0)
                .round()
                .max(0.0) as u32;
            for _ in 0..n {
                honest_rating(&mut b, v, day, None);
            }
            // A tour group now and then: one bus, one carrier address, together.
            if b.rng.random::<f64>() < 0.02 {
                let hour = b.rng.random_range(9..18);
                let network = carrier(&mut b.rng, v.region);
                for _ in 0..b.rng.random_range(15..40) {
                    honest_rating(&mut b, v, day, Some((hour, network)));
                }
            }
        }
    }
    for kind in CampaignKind::ALL {
        for _ in 0..scale.campaigns_per_kind {
            let target = b.rng.random_range(0..venues.len());
            plant(&mut b, kind, &venues, target);
        }
    }
    b.out
        .sort_by_key(|l| (l.observation.minute, l.observation.id));
    b.out
}

fn honest_rating(b: &mut Builder, v: &Venue, day: i64, group: Option<(i64, u64)>) {
    let (minute, network) = match group {
        Some((hour, network)) => (hour * 60 + b.rng.random_range(0..60), network),
        None => {
            let minute = honest_minute(&mut b.rng);
            let network = if v.category == HOTELS && b.rng.random::<f64>() < 0.4 {
                v.wifi()
            } else if b.rng.random::<f64>() < 0.8 {
                carrier(&mut b.rng, v.region)
            } else {
                // A visitor from elsewhere, on their home carrier.
                let home = b.rng.random_range(0..REGIONS);
                carrier(&mut b.rng, home)
            };
            (minute, network)
        }
    };
    // A few are the venue's regulars, back week after week on one phone,
    // a little fonder of the place than the rest.
    let regular = group.is_none() && b.rng.random::<f64>() < 0.05;
    let (stars, device) = if regular {
        let which = b.rng.random_range(0..4u64);
        (
            honest_stars(&mut b.rng, v.quality + 0.3),
            mix64((v.id << 8) | which),
        )
    } else {
        (honest_stars(&mut b.rng, v.quality), b.device())
    };
    let comment = honest_comment(&mut b.rng, stars);
    b.push(
        v,
        day * DAY_MINUTES + minute,
        stars,
        device,
        network,
        comment,
        Origin::Honest,
    );
}

const STUFFING_TEMPLATES: [&str; 4] = [
    "服务一流，环境优美，强烈推荐大家来体验！",
    "非常满意的一次体验，工作人员热情周到！",
    "五星好评，性价比超高，下次还会再来！",
    "全市最好的一家，服务好环境好，必须推荐！",
];
const BOMBING_TEMPLATES: [&str; 3] = [
    "态度极差，乱收费，千万别来，大家避雷！",
    "骗人的地方，强制消费，服务恶劣，差评！",
    "卫生脏乱差，服务员爱理不理，坚决不来第二次",
];

/// A comment varied from a template slot by slot, as a bot writes them.
fn varied_comment(rng: &mut StdRng) -> String {
    let slots: [&[&str]; 6] = [
        &["这家店", "这个地方", "这家", "本店"],
        &["服务", "接待", "服务态度"],
        &["非常", "特别", "十分", "超级"],
        &["周到细致", "热情周到", "贴心周到"],
        &["环境干净整洁", "环境整洁干净", "卫生干净整洁"],
        &[
            "下次一定再来",
            "一定还会再来",
            "强烈推荐给大家",
            "推荐大家来打卡",
        ],
    ];
    let words: Vec<&str> = slots
        .iter()
        .map(|options| options[rng.random_range(0..options.len())])
        .collect();
    format!(
        "{}{}{}{}，{}，{}！",
        words[0], words[1], words[2], words[3], words[4], words[5]
    )
}

/// Plants one campaign of `kind` at venue `target`, within the judged weeks.
fn plant(b: &mut Builder, kind: CampaignKind, venues: &[Venue], target: usize) {
    let origin = Origin::Campaign(kind);
    let v = &venues[target];
    let start_day = b.rng.random_range(JUDGED_FROM_DAY..WEEKS * 7 - 3);
    match kind {
        CampaignKind::BulkStuffing => {
            let networks: Vec<u64> = (0..b.rng.random_range(1..=3))
                .map(|_| b.rng.random())
                .collect();
            let start = start_day * DAY_MINUTES + b.rng.random_range(0..22) * 60;
            for _ in 0..b.rng.random_range(40..80) {
                let minute = start + b.rng.random_range(0..120);
                let stars = if b.rng.random::<f64>() < 0.95 { 5 } else { 4 };
                let network = networks[b.rng.random_range(0..networks.len())];
                let comment = (b.rng.random::<f64>() < 0.5).then(|| {
                    STUFFING_TEMPLATES[b.rng.random_range(0..STUFFING_TEMPLATES.len())].to_owned()
                });
                let device = b.device();
                b.push(v, minute, stars, device, network, comment, origin);
            }
        }
        CampaignKind::DripStuffing => {
            let networks: Vec<u64> = (0..b.rng.random_range(2..=3))
                .map(|_| b.rng.random())
                .collect();
            let first = b.rng.random_range(JUDGED_FROM_DAY..WEEKS * 7 - 14);
            for day in first..first + b.rng.random_range(12..=14) {
                for _ in 0..b.rng.random_range(3..=6) {
                    let minute = day * DAY_MINUTES + honest_minute(&mut b.rng);
                    let network = networks[b.rng.random_range(0..networks.len())];
                    let device = b.device();
                    b.push(v, minute, 5, device, network, None, origin);
                }
            }
        }
        CampaignKind::DistributedStuffing => {
            let start = start_day * DAY_MINUTES + b.rng.random_range(8..18) * 60;
            for _ in 0..b.rng.random_range(40..70) {
                let minute = start + b.rng.random_range(0..180);
                let stars = if b.rng.random::<f64>() < 0.9 { 5 } else { 4 };
                let network = b.rng.random();
                let comment = (b.rng.random::<f64>() < 0.3).then(|| {
                    STUFFING_TEMPLATES[b.rng.random_range(0..STUFFING_TEMPLATES.len())].to_owned()
                });
                let device = b.device();
                b.push(v, minute, stars, device, network, comment, origin);
            }
        }
        CampaignKind::RivalBombing => {
            let network: u64 = b.rng.random();
            let rivals: Vec<&Venue> = venues
                .iter()
                .filter(|r| r.peer_group() == v.peer_group() && r.id != v.id)
                .collect();
            for rival in rivals.iter().take(6) {
                for _ in 0..b.rng.random_range(4..=8) {
                    let day = start_day + b.rng.random_range(0..3);
                    let minute = day * DAY_MINUTES + honest_minute(&mut b.rng);
                    let stars = if b.rng.random::<f64>() < 0.85 { 1 } else { 2 };
                    let comment = (b.rng.random::<f64>() < 0.6).then(|| {
                        BOMBING_TEMPLATES[b.rng.random_range(0..BOMBING_TEMPLATES.len())].to_owned()
                    });
                    let device = b.device();
                    b.push(rival, minute, stars, device, network, comment, origin);
                }
            }
        }
        CampaignKind::VariedBot => {
            for _ in 0..b.rng.random_range(25..40) {
                let day = start_day + b.rng.random_range(0..2);
                let minute = day * DAY_MINUTES + honest_minute(&mut b.rng);
                let network = b.rng.random();
                let comment = varied_comment(&mut b.rng);
                let device = b.device();
                b.push(v, minute, 5, device, network, Some(comment), origin);
            }
        }
    }
}
