//! Scores carried forward from each venue's stored sums equal the scores of
//! reading every venue's whole history.

use std::sync::Arc;

use chrono::Duration;
use rand::{RngExt, SeedableRng};
use sqlx::PgPool;

use crate::common::{ADMIN_TOKEN, SECRET_KEY, database_url_for, fresh_database};
use qrfeedback::clock::Clock;
use qrfeedback::config::Settings;
use qrfeedback::domain::audit::AuditAction;
use qrfeedback::domain::ids::RatingId;
use qrfeedback::domain::moderation::ModerationReason;
use qrfeedback::jobs::scores::ScoreEngine;
use qrfeedback::store::ScopeFilter;
use qrfeedback::store::audit::AuditEntry;
use qrfeedback::store::moderation::{Moderation, moderate};
use qrfeedback::store::reference::ReferenceData;

/// One venue's stored score, every number a refresh writes.
#[derive(Debug, sqlx::FromRow)]
struct Stored {
    venue_id: i64,
    published: bool,
    score_0_100: Option<f64>,
    confidence: f64,
    ratings_window: i32,
    histogram: Vec<i32>,
    environment_0_100: Option<f64>,
    skill_0_100: Option<f64>,
    attitude_0_100: Option<f64>,
    overall_weight: f64,
    overall_weighted: f64,
    overall_count: i64,
    environment_weight: f64,
    skill_weighted: f64,
    attitude_count: i64,
    rank_province: Option<i32>,
    tier: Option<String>,
    ratings_12m: Option<i64>,
}

async fn stored(pool: &PgPool) -> Vec<Stored> {
    sqlx::query_as(
        "SELECT venue_id, published, score_0_100, confidence, ratings_window, histogram,
                environment_0_100, skill_0_100, attitude_0_100, overall_weight, overall_weighted,
                overall_count, environment_weight, skill_weighted, attitude_count, rank_province,
                tier::text AS tier, (tier_inputs->>'ratings_12m')::int8 AS ratings_12m
         FROM venue_scores ORDER BY venue_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b),
        (a, b) => a == b,
    }
}

fn assert_same(carried: &[Stored], full: &[Stored]) {
    assert_eq!(carried.len(), full.len());
    for (c, f) in carried.iter().zip(full) {
        let same = c.venue_id == f.venue_id
            && c.published == f.published
            && close_opt(c.score_0_100, f.score_0_100)
            && close(c.confidence, f.confidence)
            && c.ratings_window == f.ratings_window
            && c.histogram == f.histogram
            && close_opt(c.environment_0_100, f.environment_0_100)
            && close_opt(c.skill_0_100, f.skill_0_100)
            && close_opt(c.attitude_0_100, f.attitude_0_100)
            && close(c.overall_weight, f.overall_weight)
            && close(c.overall_weighted, f.overall_weighted)
            && c.overall_count == f.overall_count
            && close(c.environment_weight, f.environment_weight)
            && close(c.skill_weighted, f.skill_weighted)
            && c.attitude_count == f.attitude_count
            && c.rank_province == f.rank_province
            && c.tier == f.tier
            && c.ratings_12m == f.ratings_12m;
        assert!(same, "carried {c:?}\nfull    {f:?}");
    }
}

/// Random ratings of one day for some venues, added to its aggregates.
async fn rate_day(pool: &PgPool, rng: &mut impl RngExt, day: chrono::NaiveDate) {
    let venue_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM venues ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    for venue_id in &venue_ids {
        if !rng.random_bool(0.4) {
            continue;
        }
        let mut hist = [0i32; 5];
        for _ in 0..rng.random_range(1..8) {
            hist[rng.random_range(0..5)] += 1;
        }
        let n: i32 = hist.iter().sum();
        let sum: i32 = hist.iter().zip(1..=5).map(|(c, s)| c * s).sum();
        let with_dimensions = rng.random_range(0..=n);
        sqlx::query(
            "INSERT INTO venue_day_stats AS s (venue_id, day, ratings_count, overall_sum, overall_hist,
                 environment_count, environment_sum, environment_hist, skill_count, skill_sum,
                 skill_hist, attitude_count, attitude_sum, attitude_hist, complaints_count)
             VALUES ($1, $2, $3, $4, $5, $6, $6 * 4, '{0,0,0,0,0}', $6, $6 * 3, '{0,0,0,0,0}',
                     $3, $4, $5, 0)
             ON CONFLICT (venue_id, day) DO UPDATE SET
                 ratings_count = s.ratings_count + EXCLUDED.ratings_count,
                 overall_sum = s.overall_sum + EXCLUDED.overall_sum,
                 overall_hist = hist_add(s.overall_hist, EXCLUDED.overall_hist),
                 environment_count = s.environment_count + EXCLUDED.environment_count,
                 environment_sum = s.environment_sum + EXCLUDED.environment_sum,
                 skill_count = s.skill_count + EXCLUDED.skill_count,
                 skill_sum = s.skill_sum + EXCLUDED.skill_sum,
                 attitude_count = s.attitude_count + EXCLUDED.attitude_count,
                 attitude_sum = s.attitude_sum + EXCLUDED.attitude_sum,
                 attitude_hist = hist_add(s.attitude_hist, EXCLUDED.attitude_hist),
                 updated_at = $7",
        )
        .bind(venue_id)
        .bind(day)
        .bind(n)
        .bind(sum)
        .bind(hist.to_vec())
        .bind(with_dimensions)
        // Bound, not now(): a cluster takes no volatile function in DO UPDATE.
        .bind(chrono::Utc::now())
        .execute(pool)
        .await
        .unwrap();
    }
}

/// Takes a rating of months ago out of the scores, as a supervisor does.
async fn quarantine_an_old_rating(pool: &PgPool, today: chrono::NaiveDate) {
    let rating_id: i64 = sqlx::query_scalar(
        "SELECT id FROM ratings WHERE quarantined_at IS NULL AND day < $1 ORDER BY id LIMIT 1",
    )
    .bind(today - Duration::days(100))
    .fetch_one(pool)
    .await
    .unwrap();
    let audit = AuditEntry {
        actor: "admin-token".into(),
        action: AuditAction::RATING_QUARANTINE,
        target: format!("rating:{rating_id}"),
        region_code: None,
        venue_id: None,
        client_ip: None,
        before: None,
        after: None,
    };
    let scope = ScopeFilter {
        all: true,
        region_codes: Vec::new(),
        venue_ids: Vec::new(),
    };
    let outcome = moderate(
        pool,
        RatingId::new(rating_id),
        true,
        &ModerationReason::parse("duplicate submissions").unwrap(),
        &scope,
        audit,
    )
    .await
    .unwrap();
    assert!(matches!(outcome, Moderation::Done { .. }), "{outcome:?}");
}

#[tokio::test]
async fn scores_carried_from_stored_sums_equal_reading_every_day_again() {
    let (db_name, pool) = fresh_database().await;
    let url = database_url_for(&db_name);
    let settings = Settings::load(None, |name| match name {
        "DATABASE_URL" => Some(url.clone()),
        "ADMIN_TOKEN" => Some(ADMIN_TOKEN.into()),
        "SECRET_KEY" => Some(SECRET_KEY.into()),
        _ => None,
    })
    .unwrap();
    qrfeedback::seed::seed_demo(&pool, &settings, 150, 15_000)
        .await
        .unwrap();
    let clock = Clock::system();
    let engine = ScoreEngine::new(
        pool.clone(),
        &settings,
        clock.clone(),
        Arc::new(ReferenceData::new(pool.clone())),
    )
    .unwrap();
    let nothing = |_: usize, _: usize| {};
    let first = engine.recompute_all(&nothing, true).await.unwrap();
    assert_eq!(first.venues, 150);
    let bases: i64 =
        sqlx::query_scalar("SELECT count(*) FROM venue_score_bases WHERE cutoff IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(bases, 150, "every venue keeps its sums");

    // Days go by with new ratings: within a day, a day on, two days on (a
    // missed midnight), and after a supervisor takes out a rating of months
    // ago, which the stored sums cannot know without reading it again.
    let mut rng = rand::rngs::StdRng::seed_from_u64(18);
    for (advance, quarantine) in [(0, false), (1, false), (2, false), (1, true)] {
        clock.advance(Duration::days(advance));
        let today = clock.today();
        rate_day(&pool, &mut rng, today - Duration::days(1)).await;
        rate_day(&pool, &mut rng, today).await;
        if quarantine {
            quarantine_an_old_rating(&pool, today).await;
        }
        engine.recompute_all(&nothing, false).await.unwrap();
        let carried = stored(&pool).await;
        assert!(carried.iter().any(|s| s.published));
        engine.recompute_all(&nothing, true).await.unwrap();
        assert_same(&carried, &stored(&pool).await);
    }
}
