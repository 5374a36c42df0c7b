//! `qrfeedback seed-demo`: a realistic demo data set, loaded in bulk.
//!
//! Venues cover every region below province level and every category. Ratings
//! span the last [`HISTORY_DAYS`] days: a third in the last two weeks, a few
//! one-day bursts, counts per venue skewed from a handful to thousands, stars
//! around each venue's quality (one venue in nine is poor), tags that agree
//! with the stars, some comments and a few complaints. Everything goes in with
//! `COPY` inside one transaction, and the day aggregates are tallied from
//! exactly the generated ratings, so they equal a recount of the raw rows.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::time::Instant;

use anyhow::Context as _;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sqlx::{PgConnection, PgPool};
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::domain::code::{CURRENT_KEY_VERSION, VenueCode};
use crate::domain::day::{china_offset, local_day};
use crate::domain::rating::{Comment, Complaint, DeviceId, Tag};
use crate::domain::secrets::Secrets;
use crate::domain::venue::NewVenue;

/// Days of rating history, ending today.
pub const HISTORY_DAYS: u32 = 400;
/// The recent window that gets a third of all ratings.
const RECENT_DAYS: u32 = 14;
/// The same seed gives the same venues and ratings (for the same day and key).
const RNG_SEED: u64 = 2026;
/// Serializes concurrent seeders, so two demo starts cannot both seed.
const SEED_LOCK_KEY: i64 = 0x0071_7266_6465_6d6f; // "qrfdemo"
/// Ratings per COPY round: big enough to amortize a round, small enough that
/// generation of the next round overlaps with Postgres loading this one.
const CHUNK_RATINGS: usize = 50_000;
/// Every 23rd venue is new: opened in the last weeks, 0–4 ratings, unpublished.
const NEW_VENUE_EVERY: usize = 23;
/// Every 9th venue is poor: stars around 2.
const POOR_VENUE_EVERY: usize = 9;

const COPY_VENUES: &str =
    "COPY venues (id, region_code, category, name, address, created_at) FROM STDIN";
const COPY_VENUE_CODES: &str =
    "COPY venue_codes (venue_id, code, key_version, code_seq, issued_at) FROM STDIN";
const COPY_RATINGS: &str = "COPY ratings (venue_id, day, created_at, device_hash, overall, \
     environment, skill, attitude, tags, comment) FROM STDIN";
const COPY_DAY_STATS: &str = "COPY venue_day_stats (venue_id, day, ratings_count, overall_sum, \
     overall_hist, environment_count, environment_sum, environment_hist, skill_count, skill_sum, \
     skill_hist, attitude_count, attitude_sum, attitude_hist, complaints_count) FROM STDIN";
const COPY_DAY_TAGS: &str = "COPY venue_day_tags (venue_id, day, tag, count) FROM STDIN";

/// Place-like name stems with a romanized form for the bilingual names.
const STEMS: [(&str, &str); 24] = [
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
const VARIANTS: [(&str, &str); 7] = [
    ("", ""),
    ("东", "East"),
    ("西", "West"),
    ("南", "South"),
    ("北", "North"),
    ("城南", "Chengnan"),
    ("新区", "New District"),
];

const ROADS: [&str; 14] = [
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

/// Region name endings dropped for the short form used in venue names.
const REGION_SUFFIXES: [&str; 14] = [
    "维吾尔自治区",
    "朝鲜族自治州",
    "回族自治州",
    "蒙古自治州",
    "哈萨克自治县",
    "回族自治县",
    "自治州",
    "自治县",
    "自治区",
    "地区",
    "省",
    "市",
    "县",
    "区",
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
const POSITIVE_TAGS: [(Tag, u32); 6] = [
    (Tag::FriendlyStaff, 6),
    (Tag::Clean, 5),
    (Tag::GoodValue, 4),
    (Tag::FastService, 3),
    (Tag::HelpfulGuide, 3),
    (Tag::Accessible, 1),
];
/// Tags of a lukewarm (3★) visitor: mild complaints and faint praise.
const MIXED_TAGS: [(Tag, u32); 6] = [
    (Tag::LongWait, 5),
    (Tag::UnclearPrices, 3),
    (Tag::Clean, 2),
    (Tag::FriendlyStaff, 2),
    (Tag::GoodValue, 1),
    (Tag::Dirty, 1),
];
/// Everyday complaints of an unhappy visitor (red flags are chosen apart).
const NEGATIVE_TAGS: [(Tag, u32); 4] = [
    (Tag::RudeStaff, 5),
    (Tag::LongWait, 4),
    (Tag::Dirty, 4),
    (Tag::UnclearPrices, 3),
];
/// How many tags a rating carries: 0 to 4.
const TAG_COUNTS: [(usize, u32); 5] = [(0, 35), (1, 30), (2, 20), (3, 10), (4, 5)];

/// Creates demo venues (unless that many exist) and ratings; returns a summary line.
pub async fn seed_demo(
    pool: &PgPool,
    settings: &Settings,
    venue_count: u32,
    rating_count: u32,
) -> anyhow::Result<String> {
    let started = Instant::now();
    let existing = count_venues(pool).await?;
    if existing >= i64::from(venue_count) {
        return Ok(format!("{existing} venues already present; nothing seeded"));
    }
    let catalog = Catalog::load(pool).await?;
    let now = Utc::now();
    let today = local_day(now);
    let first_day = today - Duration::days(i64::from(HISTORY_DAYS) - 1);
    // Partition DDL locks `ratings` exclusively until commit; committed on its
    // own it keeps live rating writes flowing during the long load, and empty
    // partitions are no half-written data if the seed then fails.
    let months = (today.year() - first_day.year()) * 12 + today.month0() as i32
        - first_day.month0() as i32
        + 2;
    sqlx::query("SELECT ensure_rating_partitions($1, $2)")
        .bind(first_day)
        .bind(months)
        .execute(pool)
        .await
        .context("creating rating partitions")?;

    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SEED_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    let existing = count_venues(&mut *tx).await?;
    if existing >= i64::from(venue_count) {
        return Ok(format!("{existing} venues already present; nothing seeded"));
    }
    // venues.id is GENERATED ALWAYS. Drawing the ids from the column's own
    // sequence first lets codes and ratings be built in memory before anything
    // is written, and ordinary inserts later can never collide with them; COPY
    // writes given identity values the way OVERRIDING SYSTEM VALUE does.
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('venues', 'id')) FROM generate_series(1, $1)",
    )
    .bind(i64::from(venue_count))
    .fetch_all(&mut *tx)
    .await?;
    ids.sort_unstable();

    let secrets = Secrets::derive(&settings.secret_key);
    let mut rng = StdRng::seed_from_u64(RNG_SEED);
    let venues = plan_venues(
        &mut rng,
        &catalog,
        &ids,
        u64::from(rating_count),
        now,
        secrets.code_key(),
    )?;
    copy_in(&mut tx, COPY_VENUES, &venues_copy(&venues)).await?;
    copy_in(&mut tx, COPY_VENUE_CODES, &venue_codes_copy(&venues)).await?;
    tracing::info!(
        venues = venues.len(),
        elapsed_s = started.elapsed().as_secs(),
        "seed: venues written"
    );
    let first_url = venues
        .first()
        .map(|v| format!("; try {}/r/{}", settings.public_base_url, v.code.as_str()))
        .unwrap_or_default();
    let venues_seeded = venues.len();
    let regions_used: HashSet<&str> = venues
        .iter()
        .map(|v| v.venue.region_code.as_str())
        .collect();
    let regions_used = regions_used.len();
    let categories_used: HashSet<&str> = venues.iter().map(|v| v.venue.category.as_str()).collect();
    let categories_used = categories_used.len();

    // Generation runs on a blocking thread while this task feeds Postgres, so
    // the two cores work at once; the bounded channel keeps memory flat.
    let (chunk_tx, mut chunk_rx) = mpsc::channel::<Chunk>(2);
    let generator = tokio::task::spawn_blocking(move || {
        let mut generator = RatingGenerator::new(rng, secrets, now, u64::from(rating_count));
        generator.run(&venues, |chunk| chunk_tx.blocking_send(chunk).is_ok())
    });
    let mut totals = Totals::default();
    let mut complaints = Vec::new();
    while let Some(chunk) = chunk_rx.recv().await {
        copy_in(&mut tx, COPY_RATINGS, &chunk.ratings_copy).await?;
        copy_in(&mut tx, COPY_DAY_STATS, &chunk.day_stats_copy).await?;
        copy_in(&mut tx, COPY_DAY_TAGS, &chunk.day_tags_copy).await?;
        totals.add(&chunk.totals);
        complaints.extend(chunk.complaints);
    }
    generator.await.context("rating generator")??;
    tracing::info!(
        ratings = totals.ratings,
        elapsed_s = started.elapsed().as_secs(),
        "seed: ratings written"
    );
    let filed = insert_complaints(&mut tx, &complaints).await?;
    anyhow::ensure!(
        filed == complaints.len() as u64,
        "{filed} of {} complaints found their rating",
        complaints.len()
    );
    tx.commit().await?;
    tracing::info!(
        complaints = filed,
        elapsed_s = started.elapsed().as_secs(),
        "seed: committed"
    );
    // No ANALYZE here: autovacuum analyzes the loaded tables within a minute
    // (inserts count towards it), and doing it inline would add seconds.

    Ok(format!(
        "seeded {venues_seeded} venues in {regions_used} of {} regions and \
         {categories_used} of {} categories, {} ratings ({} venue-days, {} day tag counts, \
         {filed} complaints) in {:.1} s{first_url}",
        catalog.regions.len(),
        catalog.categories.len(),
        totals.ratings,
        totals.venue_days,
        totals.tag_rows,
        started.elapsed().as_secs_f64(),
    ))
}

async fn count_venues<'c, E>(executor: E) -> anyhow::Result<i64>
where
    E: sqlx::PgExecutor<'c>,
{
    Ok(sqlx::query_scalar("SELECT count(*) FROM venues")
        .fetch_one(executor)
        .await?)
}

/// Streams one COPY text-format payload; returns the rows Postgres took.
async fn copy_in(conn: &mut PgConnection, statement: &str, data: &str) -> anyhow::Result<u64> {
    if data.is_empty() {
        return Ok(0);
    }
    let target = statement.split(" (").next().unwrap_or(statement);
    let mut copy = conn
        .copy_in_raw(statement)
        .await
        .context(target.to_owned())?;
    copy.send(data.as_bytes())
        .await
        .context(target.to_owned())?;
    copy.finish().await.context(target.to_owned())
}

/// Attaches complaints to their ratings, found again by the one-per-device-day key.
async fn insert_complaints(
    conn: &mut PgConnection,
    complaints: &[ComplaintRow],
) -> anyhow::Result<u64> {
    if complaints.is_empty() {
        return Ok(0);
    }
    let venue_ids: Vec<i64> = complaints.iter().map(|c| c.venue_id).collect();
    let days: Vec<NaiveDate> = complaints.iter().map(|c| c.day).collect();
    let hashes: Vec<Vec<u8>> = complaints.iter().map(|c| c.device_hash.to_vec()).collect();
    let codes: Vec<&str> = complaints
        .iter()
        .map(|c| c.tracking_code.as_str())
        .collect();
    let texts: Vec<&str> = complaints.iter().map(|c| c.description.as_str()).collect();
    let statuses: Vec<&str> = complaints.iter().map(|c| c.status).collect();
    let done = sqlx::query(
        r#"INSERT INTO complaints (venue_id, rating_id, tracking_code, description, status,
                                   created_at)
           SELECT r.venue_id, r.id, c.tracking_code, c.description, c.status, r.created_at
           FROM UNNEST($1::int8[], $2::date[], $3::bytea[], $4::text[], $5::text[], $6::text[])
                AS c(venue_id, day, device_hash, tracking_code, description, status)
           JOIN ratings r
             ON r.venue_id = c.venue_id AND r.day = c.day AND r.device_hash = c.device_hash"#,
    )
    .bind(&venue_ids)
    .bind(&days)
    .bind(&hashes)
    .bind(&codes)
    .bind(&texts)
    .bind(&statuses)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// A region venues can be placed in, with the name parts the seeder needs.
#[derive(Debug, Clone)]
struct Region {
    code: String,
    prefecture_level: bool,
    /// "库尔勒" for 库尔勒市: the form used inside venue names.
    short_zh: String,
    /// "Korla" for Korla City.
    short_en: String,
    /// Province, prefecture and county names: the start of an address.
    address_prefix: String,
}

/// A category with the name endings its venues get.
#[derive(Debug, Clone)]
struct Category {
    key: String,
    public_window: bool,
    /// (Chinese, English) endings such as ("大酒店", "Hotel").
    suffixes: Vec<(String, String)>,
}

/// The reference data venues are spread over.
#[derive(Debug, Clone)]
struct Catalog {
    regions: Vec<Region>,
    categories: Vec<Category>,
}

impl Catalog {
    async fn load(pool: &PgPool) -> anyhow::Result<Self> {
        let rows: Vec<(String, Option<String>, String, String, String)> = sqlx::query_as(
            "SELECT code::text, parent_code::text, level, name_zh, name_en FROM regions ORDER BY code",
        )
        .fetch_all(pool)
        .await?;
        let categories: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT key, group_key, name_zh, name_en FROM categories ORDER BY key")
                .fetch_all(pool)
                .await?;
        let catalog = Self::from_rows(&rows, &categories);
        anyhow::ensure!(
            !catalog.regions.is_empty() && !catalog.categories.is_empty(),
            "run `qrfeedback migrate` first"
        );
        Ok(catalog)
    }

    /// Builds the catalog from `regions` (code, parent, level, zh, en) and
    /// `categories` (key, group, zh, en) rows.
    fn from_rows(
        regions: &[(String, Option<String>, String, String, String)],
        categories: &[(String, String, String, String)],
    ) -> Self {
        let by_code: HashMap<&str, &(String, Option<String>, String, String, String)> =
            regions.iter().map(|r| (r.0.as_str(), r)).collect();
        let regions = regions
            .iter()
            .filter(|(_, _, level, _, _)| level != "province")
            .map(|(code, parent, level, name_zh, name_en)| {
                // Walk up to the province; the tree is a few levels deep, the
                // bound only guards against a cycle in bad reference data.
                let mut path = vec![name_zh.as_str()];
                let mut up = parent.as_deref();
                while let Some(row) = up.and_then(|p| by_code.get(p)) {
                    if path.len() > 8 {
                        break;
                    }
                    path.push(row.3.as_str());
                    up = row.1.as_deref();
                }
                path.reverse();
                Region {
                    code: code.clone(),
                    prefecture_level: level == "prefecture",
                    short_zh: short_region_zh(name_zh),
                    short_en: name_en
                        .split_whitespace()
                        .next()
                        .unwrap_or(name_en)
                        .to_owned(),
                    address_prefix: path.concat(),
                }
            })
            .collect();
        let categories = categories
            .iter()
            .map(|(key, group, name_zh, name_en)| {
                let known = category_suffixes(key);
                let suffixes = if known.is_empty() {
                    vec![(name_zh.clone(), name_en.clone())]
                } else {
                    known
                        .iter()
                        .map(|(zh, en)| ((*zh).to_owned(), (*en).to_owned()))
                        .collect()
                };
                Category {
                    key: key.clone(),
                    public_window: group == "public_window",
                    suffixes,
                }
            })
            .collect();
        Self {
            regions,
            categories,
        }
    }
}

/// "木垒" for 木垒哈萨克自治县: drops the administrative ending.
fn short_region_zh(name_zh: &str) -> String {
    REGION_SUFFIXES
        .iter()
        .find_map(|suffix| {
            name_zh
                .strip_suffix(suffix)
                .filter(|rest| rest.chars().count() >= 2)
        })
        .unwrap_or(name_zh)
        .to_owned()
}

/// Name endings per category; empty for a category added to the reference
/// data later (its own name is used then).
fn category_suffixes(key: &str) -> &'static [(&'static str, &'static str)] {
    match key {
        "scenic_area" => &[
            ("景区", "Scenic Area"),
            ("国家森林公园", "National Forest Park"),
            ("民俗村", "Folk Village"),
            ("博物馆", "Museum"),
            ("湿地公园", "Wetland Park"),
        ],
        "hotel" => &[
            ("大酒店", "Hotel"),
            ("宾馆", "Guest Hotel"),
            ("国际饭店", "International Hotel"),
            ("商务酒店", "Business Hotel"),
        ],
        "homestay" => &[
            ("民宿", "Guesthouse"),
            ("客栈", "Inn"),
            ("农家乐", "Farm Stay"),
            ("小院", "Courtyard Stay"),
        ],
        "travel_agency" => &[
            ("国际旅行社", "International Travel Service"),
            ("旅行社", "Travel Agency"),
            ("旅游服务有限公司", "Tourism Services"),
        ],
        "restaurant" => &[
            ("大盘鸡", "Dapanji"),
            ("烧烤城", "BBQ"),
            ("饭庄", "Restaurant"),
            ("拉面馆", "Noodle House"),
            ("冷面馆", "Cold Noodles"),
            ("火锅", "Hotpot"),
        ],
        "shop" => &[
            ("特产店", "Local Specialties"),
            ("玉器行", "Jade Gallery"),
            ("旅游商品城", "Souvenir Market"),
            ("干果店", "Dried Fruit Shop"),
        ],
        "campsite" => &[("房车营地", "RV Camp"), ("自驾车营地", "Self-drive Camp")],
        "station" => &[("汽车客运站", "Bus Station"), ("火车站", "Railway Station")],
        "airport" => &[("机场", "Airport")],
        "mall" => &[
            ("购物中心", "Shopping Center"),
            ("百货大楼", "Department Store"),
            ("商厦", "Plaza"),
        ],
        "service_hall" => &[
            ("政务服务大厅", "Government Service Hall"),
            ("游客服务中心", "Visitor Center"),
        ],
        "police_window" => &[
            ("出入境服务窗口", "Exit-Entry Service Window"),
            ("派出所户籍窗口", "Police Station Window"),
        ],
        "checkpoint" => &[
            ("公路检查站", "Highway Checkpoint"),
            ("交通检查站", "Traffic Checkpoint"),
        ],
        _ => &[],
    }
}

/// How much a category draws ratings compared with an average one.
fn category_popularity(key: &str) -> f64 {
    match key {
        "scenic_area" | "airport" => 2.0,
        "station" => 1.5,
        "restaurant" => 1.3,
        "hotel" | "mall" => 1.2,
        "shop" | "travel_agency" => 0.8,
        "service_hall" => 0.7,
        "homestay" => 0.6,
        "campsite" | "checkpoint" => 0.5,
        "police_window" => 0.4,
        _ => 1.0,
    }
}

/// How often each venue category sees each red flag when one is reported.
fn red_flag_weights(category: &str) -> [(Tag, u32); 4] {
    let (forced, over, misleading, unsafe_) = match category {
        "travel_agency" => (8, 3, 4, 1),
        "shop" => (4, 6, 2, 0),
        "scenic_area" => (2, 3, 2, 3),
        "restaurant" => (0, 6, 1, 1),
        "hotel" | "homestay" => (0, 4, 3, 1),
        "campsite" => (0, 2, 2, 5),
        "station" | "airport" | "mall" => (0, 3, 1, 2),
        _ => (0, 1, 2, 1),
    };
    [
        (Tag::ForcedShopping, forced),
        (Tag::Overcharging, over),
        (Tag::Misleading, misleading),
        (Tag::Unsafe, unsafe_),
    ]
}

/// How a venue rates over time.
#[derive(Debug, Clone)]
struct VenueProfile {
    /// One venue in nine: stars around 2, red flags and complaints more often.
    poor: bool,
    /// Mean overall stars around the middle of the history.
    quality_stars: f64,
    /// Change of the mean across the whole history (positive: improving).
    drift_stars: f64,
    /// Environment, skill and attitude relative to the overall stars.
    dimension_bias_stars: [f64; 3],
    /// Days since the venue opened; no rating is older.
    open_days: u32,
    /// Ratings the venue gets in total.
    ratings: u32,
    /// Ages (days before today) of days with a tour-group or holiday rush.
    burst_ages: Vec<u32>,
}

/// A venue ready to be written, with how its ratings should look.
#[derive(Debug, Clone)]
struct VenuePlan {
    id: i64,
    venue: NewVenue,
    created_at: DateTime<Utc>,
    code: VenueCode,
    profile: VenueProfile,
}

/// The UTC instant a local (Asia/Shanghai) day starts.
fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let offset = Duration::seconds(i64::from(china_offset().local_minus_utc()));
    DateTime::from_naive_utc_and_offset(day.and_time(NaiveTime::MIN) - offset, Utc)
}

/// Picks an item by weight; `None` when every weight is zero.
fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut x = rng.random_range(0..total);
    for &(item, weight) in items {
        if x < weight {
            return Some(item);
        }
        x -= weight;
    }
    None
}

/// One of a non-empty list, uniformly.
fn one_of<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A standard normal sample (Box–Muller), for log-normal popularity.
fn standard_normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln stays finite
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Whole stars around `mean`, with triangular noise of ±`spread`.
fn stars_around(rng: &mut StdRng, mean: f64, spread: f64) -> u8 {
    let noise = (rng.random::<f64>() + rng.random::<f64>() - 1.0) * spread;
    (mean + noise).round().clamp(1.0, 5.0) as u8
}

/// Splits `total` in proportion to `weights` (largest remainder), exactly.
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut shares: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let given: u64 = shares.iter().sum();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in by_remainder
        .iter()
        .cycle()
        .take(total.saturating_sub(given) as usize)
    {
        shares[i] += 1;
    }
    shares
}

/// Decides every venue: place, category, name, address, code and profile.
fn plan_venues(
    rng: &mut StdRng,
    catalog: &Catalog,
    ids: &[i64],
    rating_count: u64,
    now: DateTime<Utc>,
    code_key: &[u8],
) -> anyhow::Result<Vec<VenuePlan>> {
    let today = local_day(now);
    let regions = &catalog.regions;
    let categories = &catalog.categories;
    // Cities at prefecture level draw more venues than counties.
    let region_weights: Vec<(usize, u32)> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let size = if r.prefecture_level { 2 } else { 1 };
            (i, size * rng.random_range(10..40))
        })
        .collect();
    let category_weights: Vec<(usize, u32)> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (i, (category_popularity(&c.key) * 10.0) as u32 + 5))
        .collect();
    let cover = regions.len().max(categories.len());

    let mut plans = Vec::with_capacity(ids.len());
    let mut popularity = Vec::with_capacity(ids.len());
    let mut new_venue_budget = rating_count;
    for (i, &id) in ids.iter().enumerate() {
        // The first venues walk every region and every category once, so all
        // of them are used whenever there are enough venues; the rest follow
        // weights.
        let (region, category) = if i < cover {
            (
                &regions[i % regions.len()],
                &categories[i % categories.len()],
            )
        } else {
            let r = pick(rng, &region_weights).unwrap_or(0);
            let c = pick(rng, &category_weights).unwrap_or(0);
            (&regions[r], &categories[c])
        };
        let venue = venue_identity(rng, region, category)?;

        let is_new = i % NEW_VENUE_EVERY == NEW_VENUE_EVERY / 2;
        let poor = i % POOR_VENUE_EVERY == POOR_VENUE_EVERY / 2;
        let open_days = if is_new {
            rng.random_range(1..=40)
        } else if rng.random_ratio(12, 100) {
            rng.random_range(30..HISTORY_DAYS)
        } else {
            rng.random_range(HISTORY_DAYS..HISTORY_DAYS * 3)
        };
        let created_at = local_midnight(today - Duration::days(i64::from(open_days)))
            + Duration::seconds(rng.random_range(9 * 3600..18 * 3600));
        let quality_stars = if poor {
            rng.random_range(1.6..2.4)
        } else {
            rng.random_range(3.4..4.8)
        };
        let drift_stars = if rng.random_ratio(1, 4) {
            rng.random_range(-0.6..0.6)
        } else {
            0.0
        };
        let dimension_bias_stars = [
            rng.random_range(-0.4..0.4),
            rng.random_range(-0.4..0.4),
            rng.random_range(-0.4..0.4),
        ];
        let ratings = if is_new {
            let n = rng.random_range(0..=4u64).min(new_venue_budget);
            new_venue_budget -= n;
            n as u32
        } else {
            0
        };
        // Log-normal popularity: a long tail of quiet venues and a few busy
        // ones with thousands of ratings; newer venues had less time.
        let span_days = open_days.min(HISTORY_DAYS);
        let weight = if is_new {
            0.0
        } else {
            (1.1 * standard_normal(rng)).exp()
                * category_popularity(&category.key)
                * (0.35 + 0.65 * f64::from(span_days) / f64::from(HISTORY_DAYS))
        };
        popularity.push(weight);
        plans.push(VenuePlan {
            id,
            code: VenueCode::mint(code_key, CURRENT_KEY_VERSION, id, 0),
            venue,
            created_at,
            profile: VenueProfile {
                poor,
                quality_stars,
                drift_stars,
                dimension_bias_stars,
                open_days,
                ratings,
                burst_ages: Vec::new(),
            },
        });
    }
    // Whatever the new venues did not take is shared by popularity; venue 0
    // is never new, so some venue always has a weight.
    let shares = apportion(new_venue_budget, &popularity);
    for (plan, share) in plans.iter_mut().zip(shares) {
        let profile = &mut plan.profile;
        profile.ratings += u32::try_from(share).context("too many ratings for one venue")?;
        // One venue in six with enough ratings has one to three rush days.
        if profile.ratings >= 40 && rng.random_ratio(1, 6) {
            let span_days = profile.open_days.min(HISTORY_DAYS);
            let days = rng.random_range(1..=3);
            profile.burst_ages = (0..days).map(|_| rng.random_range(0..span_days)).collect();
        }
    }
    Ok(plans)
}

/// A plausible name and address for a venue of this category in this region.
fn venue_identity(
    rng: &mut StdRng,
    region: &Region,
    category: &Category,
) -> anyhow::Result<NewVenue> {
    let (suffix_zh, suffix_en) = one_of(rng, &category.suffixes);
    let (name_zh, name_en) = if category.public_window {
        // Stations, halls and windows are named after their place.
        let (variant_zh, variant_en) = one_of(rng, &VARIANTS);
        (
            format!("{}{variant_zh}{suffix_zh}", region.short_zh),
            format!("{} {variant_en} {suffix_en}", region.short_en),
        )
    } else {
        let (stem_zh, stem_en) = one_of(rng, &STEMS);
        if rng.random_bool(0.5) {
            (
                format!("{}{stem_zh}{suffix_zh}", region.short_zh),
                format!("{} {stem_en} {suffix_en}", region.short_en),
            )
        } else {
            (
                format!("{stem_zh}{suffix_zh}"),
                format!("{stem_en} {suffix_en}"),
            )
        }
    };
    // About a third show an English name too, as signs in tourist areas do.
    let name = if rng.random_ratio(1, 3) {
        let name_en = name_en.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{name_zh} {name_en}")
    } else {
        name_zh
    };
    let address = (!rng.random_ratio(1, 12)).then(|| {
        format!(
            "{}{}{}号",
            region.address_prefix,
            one_of(rng, &ROADS),
            rng.random_range(1..400)
        )
    });
    Ok(NewVenue::parse(
        &name,
        &region.code,
        &category.key,
        address.as_deref(),
    )?)
}

/// Writes `s` as a COPY text-format field: backslash, tab and line breaks escaped.
fn push_copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A bytea as a COPY text-format field (`\x` hex with the backslash escaped).
fn push_copy_bytea(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\\\x");
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

fn push_optional_stars(out: &mut String, stars: Option<u8>) {
    match stars {
        Some(s) => {
            let _ = write!(out, "{s}");
        }
        None => out.push_str("\\N"),
    }
}

fn venues_copy(venues: &[VenuePlan]) -> String {
    let mut out = String::with_capacity(venues.len() * 160);
    for v in venues {
        let _ = write!(
            out,
            "{}\t{}\t{}\t",
            v.id,
            v.venue.region_code.as_str(),
            v.venue.category.as_str()
        );
        push_copy_text(&mut out, v.venue.name.as_str());
        out.push('\t');
        match &v.venue.address {
            Some(address) => push_copy_text(&mut out, address),
            None => out.push_str("\\N"),
        }
        let _ = writeln!(out, "\t{}", v.created_at.format("%Y-%m-%d %H:%M:%S+00"));
    }
    out
}

/// The venue's first code, exactly as `store::venues::create` issues it.
fn venue_codes_copy(venues: &[VenuePlan]) -> String {
    let mut out = String::with_capacity(venues.len() * 64);
    for v in venues {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t0\t{}",
            v.id,
            v.code.as_str(),
            CURRENT_KEY_VERSION,
            v.created_at.format("%Y-%m-%d %H:%M:%S+00")
        );
    }
    out
}

/// A complaint waiting for its rating's id.
#[derive(Debug, Clone)]
struct ComplaintRow {
    venue_id: i64,
    day: NaiveDate,
    device_hash: [u8; 16],
    tracking_code: String,
    description: String,
    status: &'static str,
}

/// Row counts of what was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    ratings: u64,
    venue_days: u64,
    tag_rows: u64,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.ratings += other.ratings;
        self.venue_days += other.venue_days;
        self.tag_rows += other.tag_rows;
    }
}

/// One COPY round: ratings of whole venues and their day aggregates.
#[derive(Debug, Default)]
struct Chunk {
    ratings_copy: String,
    day_stats_copy: String,
    day_tags_copy: String,
    complaints: Vec<ComplaintRow>,
    totals: Totals,
}

/// Count, sum and 1..5 histogram of one star field.
#[derive(Debug, Clone, Copy, Default)]
struct StarTally {
    count: u32,
    sum: u32,
    hist: [u32; 5],
}

impl StarTally {
    fn add(&mut self, stars: u8) {
        self.count += 1;
        self.sum += u32::from(stars);
        self.hist[usize::from(stars.clamp(1, 5) - 1)] += 1;
    }

    fn write(&self, out: &mut String, with_count: bool) {
        let [a, b, c, d, e] = self.hist;
        if with_count {
            let _ = write!(out, "\t{}", self.count);
        }
        let _ = write!(out, "\t{}\t{{{a},{b},{c},{d},{e}}}", self.sum);
    }
}

/// A venue-day's aggregates, tallied as its ratings are generated.
#[derive(Debug, Default)]
struct DayTally {
    ratings: u32,
    overall: StarTally,
    dimensions: [StarTally; 3],
    complaints: u32,
    tags: BTreeMap<Tag, u32>,
}

/// One generated rating.
#[derive(Debug, Clone)]
struct SeedRating {
    seconds_of_day: u32,
    overall: u8,
    dimensions: [Option<u8>; 3],
    tags: Vec<Tag>,
    comment: Option<Comment>,
    complaint: Option<Complaint>,
}

/// Generates the ratings of planned venues, deterministically from its RNG.
struct RatingGenerator {
    rng: StdRng,
    secrets: Secrets,
    today: NaiveDate,
    /// Seconds since local midnight now: no rating of today is later.
    now_seconds_of_day: u32,
    /// Demo visitors; several rate more than one venue, none one venue twice a day.
    device_hashes: Vec<Option<[u8; 16]>>,
}

impl RatingGenerator {
    fn new(rng: StdRng, secrets: Secrets, now: DateTime<Utc>, rating_count: u64) -> Self {
        let today = local_day(now);
        let now_seconds_of_day =
            (now - local_midnight(today)).num_seconds().clamp(0, 86_399) as u32;
        // About three ratings per visitor, but never fewer visitors than a
        // busy venue-day needs.
        let devices = (rating_count / 3).max(10_000) as usize;
        Self {
            rng,
            secrets,
            today,
            now_seconds_of_day,
            device_hashes: vec![None; devices],
        }
    }

    /// Generates every venue's ratings, handing chunks to `deliver` until it
    /// returns `false` (the receiver gave up).
    fn run(
        &mut self,
        venues: &[VenuePlan],
        mut deliver: impl FnMut(Chunk) -> bool,
    ) -> anyhow::Result<()> {
        let mut chunk = Chunk::default();
        for venue in venues {
            self.venue(venue, &mut chunk)?;
            if chunk.totals.ratings as usize >= CHUNK_RATINGS
                && !deliver(std::mem::take(&mut chunk))
            {
                return Ok(());
            }
        }
        if chunk.totals.ratings > 0 {
            deliver(chunk);
        }
        Ok(())
    }

    /// Appends one venue's ratings and day aggregates to `chunk`, oldest day first.
    fn venue(&mut self, venue: &VenuePlan, chunk: &mut Chunk) -> anyhow::Result<()> {
        let profile = &venue.profile;
        if profile.ratings == 0 {
            return Ok(());
        }
        let span_days = profile.open_days.clamp(1, HISTORY_DAYS);
        let mut per_age = vec![0u32; span_days as usize];
        let burst_ratings = if profile.burst_ages.is_empty() {
            0
        } else {
            (f64::from(profile.ratings) * self.rng.random_range(0.15..0.3)) as u32
        };
        for &age in profile
            .burst_ages
            .iter()
            .cycle()
            .take(burst_ratings as usize)
        {
            per_age[age as usize] += 1;
        }
        for _ in burst_ratings..profile.ratings {
            let age = if self.rng.random_ratio(1, 3) {
                self.rng.random_range(0..span_days.min(RECENT_DAYS))
            } else {
                self.seasonal_age(span_days)
            };
            per_age[age as usize] += 1;
        }
        let red_flags = red_flag_weights(venue.venue.category.as_str());
        let mut tracking_codes = HashSet::new();
        for age in (0..span_days).rev() {
            let n = per_age[age as usize];
            if n == 0 {
                continue;
            }
            let burst = profile.burst_ages.contains(&age);
            // Linear drift: the oldest day sits half a drift below the
            // quality, today half a drift above. Rush days go worse.
            let progress = 1.0 - f64::from(age) / f64::from(HISTORY_DAYS);
            let mut mean = profile.quality_stars + profile.drift_stars * (progress - 0.5);
            if burst {
                mean -= if profile.poor { 0.6 } else { 0.3 };
            }
            let mut ratings: Vec<SeedRating> = (0..n)
                .map(|_| self.rating(profile, mean, burst, &red_flags, age))
                .collect::<anyhow::Result<_>>()?;
            // Ids follow arrival time within the day, as live ratings do.
            ratings.sort_by_key(|r| r.seconds_of_day);
            self.write_day(venue, age, &ratings, &mut tracking_codes, chunk)?;
        }
        Ok(())
    }

    /// A day of the venue's history, weighted by tourist season and weekday.
    fn seasonal_age(&mut self, span_days: u32) -> u32 {
        const MAX_WEIGHT: f64 = 1.6 * 1.3 * 1.8;
        let mut age = 0;
        for _ in 0..20 {
            age = self.rng.random_range(0..span_days);
            let weight = season_weight(self.today - Duration::days(i64::from(age)));
            if self.rng.random::<f64>() * MAX_WEIGHT < weight {
                break;
            }
        }
        age
    }

    /// One rating at a venue on a day `age` days ago.
    fn rating(
        &mut self,
        profile: &VenueProfile,
        mean_stars: f64,
        burst: bool,
        red_flags: &[(Tag, u32); 4],
        age: u32,
    ) -> anyhow::Result<SeedRating> {
        let rng = &mut self.rng;
        // Visitors rate from the morning to the evening; today only until now.
        let latest = if age == 0 {
            self.now_seconds_of_day.min(22 * 3600)
        } else {
            22 * 3600
        };
        let earliest = if latest > 8 * 3600 { 8 * 3600 } else { 0 };
        let seconds_of_day = rng.random_range(earliest..=latest);

        let overall = stars_around(rng, mean_stars, 1.6);
        let dimension = |rng: &mut StdRng, i: usize| {
            stars_around(
                rng,
                f64::from(overall) + profile.dimension_bias_stars[i],
                1.2,
            )
        };
        let form = rng.random::<f64>();
        let dimensions = if form < 0.45 {
            // Most who open the detail section fill all three.
            [0, 1, 2].map(|i| Some(dimension(rng, i)))
        } else if form < 0.55 {
            [0, 1, 2].map(|i| rng.random_bool(0.5).then(|| dimension(rng, i)))
        } else {
            [None; 3]
        };

        let wanted = pick(rng, &TAG_COUNTS).unwrap_or(0);
        let mut tags = Vec::with_capacity(wanted + 1);
        let mut red_flag = None;
        if overall <= 2 {
            let p = match (profile.poor, burst) {
                (true, true) => 0.7,
                (true, false) => 0.35,
                (false, _) => 0.1,
            };
            if rng.random_bool(p) {
                red_flag = pick(rng, red_flags);
                tags.extend(red_flag);
            }
        }
        let pool: &[(Tag, u32)] = match overall {
            4..=5 => &POSITIVE_TAGS,
            3 => &MIXED_TAGS,
            _ => &NEGATIVE_TAGS,
        };
        // A few draws may repeat a tag; that only makes the count smaller.
        for _ in 0..wanted * 2 {
            if tags.len() >= wanted.max(usize::from(red_flag.is_some())) {
                break;
            }
            if let Some(tag) = pick(rng, pool)
                && !tags.contains(&tag)
            {
                tags.push(tag);
            }
        }
        if overall == 4 && rng.random_ratio(1, 15) && !tags.contains(&Tag::LongWait) {
            tags.push(Tag::LongWait);
        }
        tags.sort();

        let comment_chance = match overall {
            1..=2 => 0.22,
            3 => 0.10,
            _ => 0.08,
        };
        let comment = if rng.random_bool(comment_chance) {
            Comment::parse(Some(&comment_text(rng, overall, red_flag)))?
        } else {
            None
        };
        let complaint_chance = match (overall <= 2, red_flag.is_some(), profile.poor) {
            (false, _, _) => 0.0,
            (true, true, true) => 0.06,
            (true, true, false) => 0.03,
            (true, false, true) => 0.02,
            (true, false, false) => 0.005,
        };
        let complaint = if rng.random_bool(complaint_chance) {
            Complaint::parse(Some(&complaint_text(rng, red_flag)), None)?
        } else {
            None
        };
        Ok(SeedRating {
            seconds_of_day,
            overall,
            dimensions,
            tags,
            comment,
            complaint,
        })
    }

    /// The stored hash of demo visitor `index`'s device id.
    fn device_hash(&mut self, index: usize) -> anyhow::Result<[u8; 16]> {
        if let Some(Some(hash)) = self.device_hashes.get(index) {
            return Ok(*hash);
        }
        let device = DeviceId::parse(&format!("demo-visitor-{index:08}"))?;
        let hash = self.secrets.device_hash(&device);
        if let Some(slot) = self.device_hashes.get_mut(index) {
            *slot = Some(hash);
        }
        Ok(hash)
    }

    /// Writes a venue-day's ratings and the aggregates tallied from them.
    fn write_day(
        &mut self,
        venue: &VenuePlan,
        age: u32,
        ratings: &[SeedRating],
        tracking_codes: &mut HashSet<String>,
        chunk: &mut Chunk,
    ) -> anyhow::Result<()> {
        let day = self.today - Duration::days(i64::from(age));
        let day_text = day.format("%Y-%m-%d").to_string();
        let visitors = self.device_hashes.len();
        anyhow::ensure!(
            ratings.len() <= visitors,
            "{} ratings on one venue-day but only {visitors} demo visitors",
            ratings.len()
        );
        let mut used = HashSet::with_capacity(ratings.len());
        let mut tally = DayTally::default();
        for rating in ratings {
            // Probing from a random visitor always ends: fewer ratings than visitors.
            let mut visitor = self.rng.random_range(0..visitors);
            while !used.insert(visitor) {
                visitor = (visitor + 1) % visitors;
            }
            let device_hash = self.device_hash(visitor)?;

            let out = &mut chunk.ratings_copy;
            let s = rating.seconds_of_day;
            let _ = write!(
                out,
                "{}\t{day_text}\t{day_text} {:02}:{:02}:{:02}+08\t",
                venue.id,
                s / 3600,
                s / 60 % 60,
                s % 60
            );
            push_copy_bytea(out, &device_hash);
            let _ = write!(out, "\t{}", rating.overall);
            for stars in rating.dimensions {
                out.push('\t');
                push_optional_stars(out, stars);
            }
            out.push_str("\t{");
            for (i, tag) in rating.tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(tag.key());
            }
            out.push_str("}\t");
            match &rating.comment {
                Some(comment) => push_copy_text(out, comment.as_str()),
                None => out.push_str("\\N"),
            }
            out.push('\n');

            tally.ratings += 1;
            tally.overall.add(rating.overall);
            for (dimension, stars) in tally.dimensions.iter_mut().zip(rating.dimensions) {
                if let Some(stars) = stars {
                    dimension.add(stars);
                }
            }
            for &tag in &rating.tags {
                *tally.tags.entry(tag).or_default() += 1;
            }
            if let Some(complaint) = &rating.complaint {
                tally.complaints += 1;
                let tracking_code = loop {
                    let code = tracking_code(&mut self.rng);
                    if tracking_codes.insert(code.clone()) {
                        break code;
                    }
                };
                chunk.complaints.push(ComplaintRow {
                    venue_id: venue.id,
                    day,
                    device_hash,
                    tracking_code,
                    description: complaint.text.clone(),
                    status: complaint_status(&mut self.rng, age),
                });
            }
        }

        let out = &mut chunk.day_stats_copy;
        let _ = write!(out, "{}\t{day_text}\t{}", venue.id, tally.ratings);
        tally.overall.write(out, false);
        for dimension in &tally.dimensions {
            dimension.write(out, true);
        }
        let _ = writeln!(out, "\t{}", tally.complaints);
        for (tag, count) in &tally.tags {
            let _ = writeln!(
                chunk.day_tags_copy,
                "{}\t{day_text}\t{}\t{count}",
                venue.id,
                tag.key()
            );
        }
        chunk.totals.ratings += u64::from(tally.ratings);
        chunk.totals.venue_days += 1;
        chunk.totals.tag_rows += tally.tags.len() as u64;
        Ok(())
    }
}

/// Relative number of visitors on a day: summer and the October holiday
/// peak, early spring and November are quiet, weekends busier.
fn season_weight(day: NaiveDate) -> f64 {
    let month = match day.month() {
        7 | 8 => 1.6,
        6 | 9 | 10 => 1.2,
        1 | 2 | 5 => 1.0,
        12 => 0.8,
        4 => 0.7,
        _ => 0.6,
    };
    let weekend = if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        1.3
    } else {
        1.0
    };
    let holiday = if (day.month() == 10 && day.day() <= 7) || (day.month() == 5 && day.day() <= 5) {
        1.8
    } else {
        1.0
    };
    month * weekend * holiday
}

/// A comment in the visitor's mood: one or two sentences, a red flag named first.
fn comment_text(rng: &mut StdRng, overall: u8, red_flag: Option<Tag>) -> String {
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
fn complaint_text(rng: &mut StdRng, red_flag: Option<Tag>) -> String {
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

/// Ten characters from the alphabet live tracking codes use (no 0/O, 1/I).
fn tracking_code(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Older complaints have mostly been handled.
fn complaint_status(rng: &mut StdRng, age_days: u32) -> &'static str {
    let weights: &[(&'static str, u32)] = match age_days {
        0..=6 => &[("new", 1)],
        7..=30 => &[("new", 3), ("venue_replied", 5), ("resolved", 2)],
        _ => &[
            ("resolved", 12),
            ("closed", 5),
            ("venue_replied", 2),
            ("escalated", 1),
        ],
    };
    pick(rng, weights).unwrap_or("new")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn catalog() -> Catalog {
        let region = |code: &str, parent: Option<&str>, level: &str, zh: &str, en: &str| {
            (
                code.to_owned(),
                parent.map(str::to_owned),
                level.to_owned(),
                zh.to_owned(),
                en.to_owned(),
            )
        };
        let regions = vec![
            region("650000", None, "province", "新疆维吾尔自治区", "Xinjiang"),
            region(
                "652800",
                Some("650000"),
                "prefecture",
                "巴音郭楞蒙古自治州",
                "Bayingolin Mongol Autonomous Prefecture",
            ),
            region("652801", Some("652800"), "county", "库尔勒市", "Korla City"),
            region(
                "652826",
                Some("652800"),
                "county",
                "焉耆回族自治县",
                "Yanqi Hui Autonomous County",
            ),
        ];
        let category = |key: &str, group: &str| {
            (
                key.to_owned(),
                group.to_owned(),
                format!("{key}-zh"),
                format!("{key}-en"),
            )
        };
        let categories = vec![
            category("brand_new", "enterprise"),
            category("hotel", "enterprise"),
            category("station", "public_window"),
            category("travel_agency", "enterprise"),
        ];
        Catalog::from_rows(&regions, &categories)
    }

    /// A fixed instant (10:00 local), so two runs generate the same times.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap()
    }

    fn plan(venues: i64, ratings: u64) -> (Vec<VenuePlan>, StdRng) {
        let mut rng = StdRng::seed_from_u64(7);
        let ids: Vec<i64> = (1..=venues).collect();
        let plans = plan_venues(&mut rng, &catalog(), &ids, ratings, now(), b"code-key").unwrap();
        (plans, rng)
    }

    fn generate(venues: i64, ratings: u64) -> (Vec<VenuePlan>, Vec<Chunk>) {
        let (plans, rng) = plan(venues, ratings);
        let secrets = Secrets::derive("0123456789abcdef0123456789abcdef");
        let mut chunks = Vec::new();
        RatingGenerator::new(rng, secrets, now(), ratings)
            .run(&plans, |c| {
                chunks.push(c);
                true
            })
            .unwrap();
        (plans, chunks)
    }

    fn int_array(field: &str) -> Vec<i64> {
        field
            .trim_matches(['{', '}'])
            .split(',')
            .map(|x| x.parse().unwrap())
            .collect()
    }

    /// Count, sum and histogram of one star field, recounted from rating rows.
    #[derive(Debug, Default, Clone, Copy, PartialEq)]
    struct Recount {
        count: i64,
        sum: i64,
        hist: [i64; 5],
    }

    impl Recount {
        fn add(&mut self, field: &str) {
            if let Ok(stars) = field.parse::<i64>() {
                self.count += 1;
                self.sum += stars;
                self.hist[stars as usize - 1] += 1;
            }
        }
    }

    #[test]
    fn regions_get_short_names_and_full_address_prefixes() {
        let catalog = catalog();
        let names: Vec<(&str, &str, &str)> = catalog
            .regions
            .iter()
            .map(|r| {
                (
                    r.short_zh.as_str(),
                    r.short_en.as_str(),
                    r.address_prefix.as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "巴音郭楞",
                    "Bayingolin",
                    "新疆维吾尔自治区巴音郭楞蒙古自治州"
                ),
                (
                    "库尔勒",
                    "Korla",
                    "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市"
                ),
                (
                    "焉耆",
                    "Yanqi",
                    "新疆维吾尔自治区巴音郭楞蒙古自治州焉耆回族自治县"
                ),
            ]
        );
        let unknown = &catalog.categories[0];
        assert_eq!(unknown.key, "brand_new");
        assert_eq!(
            unknown.suffixes,
            [("brand_new-zh".to_owned(), "brand_new-en".to_owned())]
        );
    }

    #[test]
    fn plan_uses_every_region_and_category_and_splits_ratings_exactly() {
        let (plans, _) = plan(60, 3000);
        let regions: HashSet<&str> = plans.iter().map(|p| p.venue.region_code.as_str()).collect();
        let categories: HashSet<&str> = plans.iter().map(|p| p.venue.category.as_str()).collect();
        assert_eq!(regions.len(), 3);
        assert_eq!(categories.len(), 4);
        let total: u64 = plans.iter().map(|p| u64::from(p.profile.ratings)).sum();
        assert_eq!(total, 3000);
        assert!(
            plans.iter().any(|p| p.profile.ratings < 5),
            "some stay unpublished"
        );
        assert!(plans.iter().any(|p| p.profile.poor));
        for p in &plans {
            assert!(p.code.verify(b"code-key", p.id, 0));
            assert_eq!(p.code.key_version(), CURRENT_KEY_VERSION);
            assert!(p.profile.open_days >= 1);
        }
    }

    #[test]
    fn apportion_is_exact_and_proportional() {
        assert_eq!(apportion(10, &[1.0, 1.0, 2.0]), [3, 2, 5]);
        assert_eq!(apportion(7, &[0.0, 0.0]), [0, 0]);
        assert_eq!(apportion(5, &[]), Vec::<u64>::new());
        assert_eq!(apportion(1000, &[0.3, 0.3, 0.4]).iter().sum::<u64>(), 1000);
    }

    #[test]
    fn copy_text_escapes_what_copy_would_misread() {
        let mut out = String::new();
        push_copy_text(&mut out, "a\\b\tc\nd\re好");
        assert_eq!(out, "a\\\\b\\tc\\nd\\re好");
        let mut out = String::new();
        push_copy_bytea(&mut out, &[0x00, 0xab, 0x7f]);
        assert_eq!(out, "\\\\x00ab7f");
    }

    /// Parses the generated COPY text back and recounts it independently.
    #[test]
    fn day_aggregates_equal_a_recount_of_the_generated_ratings() {
        let (_, chunks) = generate(60, 3000);
        let mut recount: BTreeMap<(String, String), [Recount; 4]> = BTreeMap::new();
        let mut tag_recount: BTreeMap<(String, String, String), i64> = BTreeMap::new();
        let mut devices = HashSet::new();
        let mut ratings = 0;
        for line in chunks.iter().flat_map(|c| c.ratings_copy.lines()) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 10, "{line}");
            assert!(
                devices.insert((f[0], f[1], f[3])),
                "one per device-day: {line}"
            );
            assert!(
                f[2].starts_with(f[1]),
                "created_at on its local day: {line}"
            );
            ratings += 1;
            let key = (f[0].to_owned(), f[1].to_owned());
            let fields = recount.entry(key.clone()).or_default();
            for (tally, field) in fields.iter_mut().zip(&f[4..8]) {
                tally.add(field);
            }
            let overall: u8 = f[4].parse().unwrap();
            let tags: Vec<Tag> = f[8]
                .trim_matches(['{', '}'])
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| Tag::parse(t).unwrap())
                .collect();
            let consistent = match overall {
                4..=5 => tags.iter().all(|t| t.is_positive() || *t == Tag::LongWait),
                3 => tags.iter().all(|t| !t.is_red_flag()),
                _ => tags.iter().all(|t| !t.is_positive()),
            };
            assert!(consistent, "{line}");
            for tag in tags {
                let key = (key.0.clone(), key.1.clone(), tag.key().to_owned());
                *tag_recount.entry(key).or_default() += 1;
            }
            if f[9] != "\\N" {
                assert!(f[9].chars().count() <= 500);
            }
        }
        assert_eq!(ratings, 3000);
        assert_eq!(chunks.iter().map(|c| c.totals.ratings).sum::<u64>(), 3000);

        let mut stats_rows = 0;
        let mut complaints_counted = 0;
        for line in chunks.iter().flat_map(|c| c.day_stats_copy.lines()) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 15, "{line}");
            let [overall, dims @ ..] = recount[&(f[0].to_owned(), f[1].to_owned())];
            assert_eq!(f[2].parse::<i64>().unwrap(), overall.count, "{line}");
            assert_eq!(f[3].parse::<i64>().unwrap(), overall.sum, "{line}");
            assert_eq!(int_array(f[4]), overall.hist, "{line}");
            for (d, dim) in dims.iter().enumerate() {
                assert_eq!(f[5 + d * 3].parse::<i64>().unwrap(), dim.count, "{line}");
                assert_eq!(f[6 + d * 3].parse::<i64>().unwrap(), dim.sum, "{line}");
                assert_eq!(int_array(f[7 + d * 3]), dim.hist, "{line}");
            }
            complaints_counted += f[14].parse::<usize>().unwrap();
            stats_rows += 1;
        }
        assert_eq!(stats_rows, recount.len());

        let tag_rows: BTreeMap<(String, String, String), i64> = chunks
            .iter()
            .flat_map(|c| c.day_tags_copy.lines())
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let key = (f[0].to_owned(), f[1].to_owned(), f[2].to_owned());
                (key, f[3].parse().unwrap())
            })
            .collect();
        assert_eq!(tag_rows, tag_recount);

        let complaints: Vec<&ComplaintRow> = chunks.iter().flat_map(|c| &c.complaints).collect();
        assert_eq!(complaints_counted, complaints.len());
        let codes: HashSet<(i64, &str)> = complaints
            .iter()
            .map(|c| (c.venue_id, c.tracking_code.as_str()))
            .collect();
        assert_eq!(codes.len(), complaints.len());
    }

    #[test]
    fn generation_is_deterministic() {
        let text = |chunks: Vec<Chunk>| -> String {
            chunks.iter().map(|c| c.ratings_copy.as_str()).collect()
        };
        assert_eq!(text(generate(30, 1500).1), text(generate(30, 1500).1));
    }
}
