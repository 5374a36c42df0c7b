//! `qrfeedback seed-demo`: a realistic demo data set, loaded in bulk.
//!
//! Venues cover every region below province level and every category. Ratings
//! span the last [`HISTORY_DAYS`] days: a third in the last two weeks, a few
//! one-day bursts, counts per venue skewed from a handful to thousands, stars
//! around each venue's quality (one venue in nine is poor), tags that agree
//! with the stars, some comments and a few complaints. Everything goes in with
//! `COPY` inside one transaction, and the day aggregates are tallied from
//! exactly the generated ratings, so they equal a recount of the raw rows.

pub mod accounts;
mod catalog;
mod copy;
mod draw;
mod generate;
mod plan;
mod words;

use crate::domain::ids::VenueId;
use std::collections::HashSet;
use std::time::Instant;

use anyhow::Context as _;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sqlx::{PgConnection, PgPool};
use tokio::sync::mpsc;

use crate::config::Settings;
use crate::domain::day::local_day;
use crate::domain::secrets::Secrets;

use catalog::Catalog;
use copy::{
    COPY_CODE_VENUES, COPY_DAY_STATS, COPY_DAY_TAGS, COPY_RATINGS, COPY_VENUE_CODES, COPY_VENUES,
    code_venues_copy, venue_codes_copy, venues_copy,
};
use generate::{Chunk, ComplaintRow, RatingGenerator, Totals};
use plan::plan_venues;

/// Days of rating history, ending today.
pub const HISTORY_DAYS: u32 = 400;
/// The same seed gives the same venues and ratings (for the same day and key).
const RNG_SEED: u64 = 2026;
/// Serializes concurrent seeders, so two demo starts cannot both seed.
const SEED_LOCK_KEY: i64 = 0x0071_7266_6465_6d6f; // "qrfdemo"

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

    let secrets = Secrets::derive(settings.secret_key.expose());
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
    copy_in(&mut tx, COPY_CODE_VENUES, &code_venues_copy(&venues)).await?;
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

/// Venues present, seeded or not.
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
    let venue_ids: Vec<VenueId> = complaints.iter().map(|c| c.venue_id).collect();
    let days: Vec<NaiveDate> = complaints.iter().map(|c| c.day).collect();
    let hashes: Vec<Vec<u8>> = complaints.iter().map(|c| c.device_hash.to_vec()).collect();
    let codes: Vec<&str> = complaints
        .iter()
        .map(|c| c.tracking_code.as_str())
        .collect();
    let texts: Vec<&str> = complaints.iter().map(|c| c.description.as_str()).collect();
    let statuses: Vec<&str> = complaints.iter().map(|c| c.status).collect();
    let done = sqlx::query(
        r#"INSERT INTO complaints (venue_id, rating_id, day, tracking_code, description,
                                   status, created_at)
           SELECT r.venue_id, r.id, r.day, c.tracking_code, c.description, c.status, r.created_at
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
