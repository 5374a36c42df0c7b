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

    let secrets = settings.secrets();
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
    let mut statuses: Vec<&str> = complaints.iter().map(|c| c.status).collect();
    // The demo shows every state of a case: the oldest complaints (whose
    // whole history lies in the past) take one state each, so a submitted
    // one among them is long overdue.
    let mut oldest: Vec<usize> = (0..complaints.len()).collect();
    oldest.sort_by_key(|&i| complaints[i].day);
    for (&i, state) in oldest.iter().zip(crate::domain::complaint::CaseState::ALL) {
        statuses[i] = state.key();
    }
    // Each case is given the history its state implies: accepted two days
    // after filing, the venue's answer three days later, mediation from the
    // sixth day, closure on the twentieth; due dates as the default clocks
    // set them (five working days read as a week), so young cases that wait
    // too long show as overdue.
    let done = sqlx::query(
        r#"INSERT INTO complaints (venue_id, rating_id, day, tracking_code, description,
                                   state, created_at, region_code, service_on, state_changed_at,
                                   accepted_at, due_at, closed_at, resolved_at, public_answer,
                                   upheld, venue_at_fault, verified_at)
           SELECT r.venue_id, r.id, r.day, c.tracking_code, c.description, c.state, r.created_at,
                  CASE WHEN c.state = 'transferred' THEN coalesce(g.parent_code, v.region_code)
                       ELSE v.region_code END,
                  r.day,
                  r.created_at + CASE c.state WHEN 'submitted' THEN interval '0'
                      WHEN 'transferred' THEN interval '1 day' WHEN 'accepted' THEN interval '2 days'
                      WHEN 'rejected' THEN interval '2 days' WHEN 'venue_replied' THEN interval '5 days'
                      WHEN 'mediating' THEN interval '6 days' ELSE interval '20 days' END,
                  CASE WHEN c.state NOT IN ('submitted', 'transferred', 'rejected')
                       THEN r.created_at + interval '2 days' END,
                  CASE c.state WHEN 'submitted' THEN r.created_at + interval '7 days'
                      WHEN 'transferred' THEN r.created_at + interval '8 days'
                      WHEN 'accepted' THEN r.created_at + interval '12 days'
                      WHEN 'venue_replied' THEN r.created_at + interval '62 days'
                      WHEN 'mediating' THEN r.created_at + interval '62 days' END,
                  CASE WHEN c.state IN ('rejected', 'resolved', 'closed_unresolved')
                       THEN r.created_at + CASE c.state WHEN 'rejected' THEN interval '2 days'
                                                        ELSE interval '20 days' END END,
                  CASE WHEN c.state IN ('rejected', 'resolved', 'closed_unresolved')
                       THEN r.created_at + CASE c.state WHEN 'rejected' THEN interval '2 days'
                                                        ELSE interval '20 days' END END,
                  CASE c.state WHEN 'resolved' THEN '经调解，商家已向游客道歉并退还差价。'
                      WHEN 'closed_unresolved' THEN '双方未达成一致，已告知游客可依法申请仲裁或起诉。'
                      WHEN 'rejected' THEN '投诉事项不属于旅游投诉受理范围。' END,
                  CASE WHEN c.state IN ('resolved', 'closed_unresolved') THEN c.state = 'resolved' END,
                  CASE WHEN c.state IN ('resolved', 'closed_unresolved')
                       THEN c.state = 'resolved' AND r.id % 3 = 0 END,
                  CASE WHEN c.state = 'resolved' AND r.id % 3 = 0
                       THEN r.created_at + interval '20 days' END
           FROM UNNEST($1::int8[], $2::date[], $3::bytea[], $4::text[], $5::text[], $6::text[])
                AS c(venue_id, day, device_hash, tracking_code, description, state)
           JOIN ratings r
             ON r.venue_id = c.venue_id AND r.day = c.day AND r.device_hash = c.device_hash
           JOIN venues v ON v.id = r.venue_id
           JOIN regions g ON g.code = v.region_code"#,
    )
    .bind(&venue_ids)
    .bind(&days)
    .bind(&hashes)
    .bind(&codes)
    .bind(&texts)
    .bind(&statuses)
    .execute(&mut *conn)
    .await?;
    // The timeline: each state the case passed through after filing.
    sqlx::query(
        r#"INSERT INTO complaint_events (venue_id, complaint_id, at, from_state, to_state, actor, note)
           SELECT c.venue_id, c.id, c.created_at + step.after, step.from_state,
                  coalesce(step.to_state, c.state), 'demo', step.note
           FROM complaints c
           JOIN (VALUES
               (1, interval '2 days', 'submitted', 'accepted', NULL::text),
               (2, interval '5 days', 'accepted', 'venue_replied', '已核实情况，向游客致歉并愿意退还差价。'),
               (3, interval '6 days', 'venue_replied', 'mediating', NULL),
               (4, interval '20 days', 'mediating', NULL, NULL),
               (5, interval '2 days', 'submitted', 'rejected', '投诉事项不属于旅游投诉受理范围。'),
               (6, interval '1 day', 'submitted', 'transferred', '属地管辖')
           ) AS step(n, after, from_state, to_state, note)
             ON CASE c.state
               WHEN 'accepted' THEN step.n = 1
               WHEN 'venue_replied' THEN step.n <= 2
               WHEN 'mediating' THEN step.n <= 3
               WHEN 'resolved' THEN step.n <= 4
               WHEN 'closed_unresolved' THEN step.n <= 4
               WHEN 'rejected' THEN step.n = 5
               WHEN 'transferred' THEN step.n = 6
               ELSE false END
           WHERE c.venue_id = ANY($1) AND c.rating_id IS NOT NULL"#,
    )
    .bind(&venue_ids)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
