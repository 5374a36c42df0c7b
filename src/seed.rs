//! `qrfeedback seed-demo`: demo venues across the reference regions and
//! categories, with ratings spread over the last months.

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sqlx::PgPool;

use crate::config::Settings;
use crate::domain::day::local_day;
use crate::domain::rating::{DeviceId, Tag};
use crate::domain::secrets::Secrets;
use crate::domain::venue::NewVenue;
use crate::store::ratings::{RatingRow, insert_batch};
use crate::store::venues;

const NAME_STEMS: [&str; 10] = [
    "天山",
    "孔雀河",
    "博斯腾湖",
    "罗布人",
    "梨城",
    "丝路",
    "胡杨",
    "雪莲",
    "长白山",
    "松花江",
];
const COMMENTS: [&str; 6] = [
    "服务很周到，环境干净。",
    "排队时间有点长。",
    "Staff were friendly and helpful.",
    "价格标示清楚，推荐。",
    "Clean rooms, good value.",
    "讲解员很专业。",
];

/// Creates demo venues (unless that many exist) and ratings; returns a summary line.
pub async fn seed_demo(
    pool: &PgPool,
    settings: &Settings,
    venue_count: u32,
    rating_count: u32,
) -> anyhow::Result<String> {
    let secrets = Secrets::derive(&settings.secret_key);
    let existing: i64 = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM venues"#)
        .fetch_one(pool)
        .await?;
    if existing >= i64::from(venue_count) {
        return Ok(format!("{existing} venues already present; nothing seeded"));
    }
    let counties: Vec<(String, String)> = sqlx::query!(
        r#"SELECT code AS "code: String", name_zh FROM regions WHERE level <> 'province' ORDER BY code"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.code, r.name_zh))
    .collect();
    let categories: Vec<(String, String)> =
        sqlx::query!("SELECT key, name_zh FROM categories ORDER BY key")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| (r.key, r.name_zh))
            .collect();
    anyhow::ensure!(
        !counties.is_empty() && !categories.is_empty(),
        "run `qrfeedback migrate` first"
    );

    let mut rng = StdRng::seed_from_u64(2026);
    let mut created = Vec::new();
    for i in 0..venue_count {
        let (region_code, region_name) = &counties[i as usize % counties.len()];
        let (category, category_name) = &categories[(i as usize * 7) % categories.len()];
        let stem = NAME_STEMS[i as usize % NAME_STEMS.len()];
        let name = format!("{region_name}{stem}{category_name}");
        let new = NewVenue::parse(
            &name,
            region_code,
            category,
            Some(&format!("{region_name}示范路{}号", i + 1)),
        )?;
        let venue = venues::create(pool, secrets.code_key(), &new).await?;
        // Most venues are good, a few are poor: the mean star value per venue.
        let quality: f64 = if i % 9 == 4 {
            2.0
        } else {
            rng.random_range(3.4..4.8)
        };
        created.push((venue, quality));
    }

    let now = Utc::now();
    let mut rows = Vec::with_capacity(500);
    let mut stored = 0usize;
    for n in 0..rating_count {
        let (venue, quality) = &created[rng.random_range(0..created.len())];
        // Bursts: a third of ratings land in the last two weeks.
        let age_days = if n % 3 == 0 {
            rng.random_range(0..14)
        } else {
            rng.random_range(0..200)
        };
        let created_at =
            now - Duration::days(age_days) - Duration::minutes(rng.random_range(0..600));
        let stars = |rng: &mut StdRng| {
            (quality + rng.random_range(-1.5..1.5))
                .round()
                .clamp(1.0, 5.0) as i16
        };
        let overall = stars(&mut rng);
        let tags: Vec<&'static str> = Tag::ALL
            .into_iter()
            .filter(|t| {
                if overall >= 4 {
                    t.is_positive()
                } else {
                    !t.is_positive()
                }
            })
            .filter(|_| rng.random_range(0..6) == 0)
            .map(Tag::key)
            .collect();
        let device = DeviceId::parse(&format!("demo-device-{n:08}"))?;
        rows.push(RatingRow {
            venue_id: venue.id,
            day: local_day(created_at),
            created_at,
            device_hash: secrets.device_hash(&device),
            overall,
            environment: (n % 2 == 0).then(|| stars(&mut rng)),
            skill: (n % 3 == 0).then(|| stars(&mut rng)),
            attitude: (n % 2 == 0).then(|| stars(&mut rng)),
            tags,
            comment: (n % 10 == 0).then(|| COMMENTS[n as usize % COMMENTS.len()].to_owned()),
            form_nonce: None,
            complaint: None,
            contact_sealed: None,
            tracking_code: None,
            idempotency: None,
        });
        if rows.len() == 500 {
            stored += insert_batch(pool, &rows).await?.iter().flatten().count();
            rows.clear();
        }
    }
    if !rows.is_empty() {
        stored += insert_batch(pool, &rows).await?.iter().flatten().count();
    }
    let first = created
        .first()
        .map(|(v, _)| format!("; try {}/r/{}", settings.public_base_url, v.code))
        .unwrap_or_default();
    Ok(format!(
        "seeded {} venues and {stored} ratings{first}",
        created.len()
    ))
}
