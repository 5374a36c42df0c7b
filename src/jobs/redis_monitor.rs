//! Watches Redis and, whenever it comes back, rebuilds today's live counters
//! from Postgres so no rating taken while it was away is missing from them.

use std::time::Duration;

use sqlx::PgPool;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::live::Live;
use crate::store::stats;

/// How often Redis is checked.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Runs forever: checks Redis every second and rebuilds counters after an outage.
pub async fn run(live: Live, pool: PgPool, clock: Clock) {
    if !live.is_configured() {
        return;
    }
    let mut was_up = false;
    let mut counters_valid = false;
    loop {
        // A failed call marks Redis down between two checks; an outage that
        // short still lost counter increments, so it needs a rebuild too.
        if !live.is_up() {
            counters_valid = false;
        }
        let up = live.check().await;
        if up && !was_up {
            tracing::info!("redis is reachable");
        } else if !up && was_up {
            tracing::warn!("redis is unreachable; ratings continue, counters will be rebuilt");
        }
        if !up {
            counters_valid = false;
        } else if !counters_valid {
            counters_valid = rebuild_today(&live, &pool, clock.today()).await;
        }
        was_up = up;
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

/// Overwrites the counters of `day` (today) with the counts in Postgres;
/// `true` on success.
pub async fn rebuild_today(live: &Live, pool: &PgPool, day: NaiveDate) -> bool {
    match stats::day_counts(pool, day).await {
        Ok(counts) => match live.set_counters(day, &counts).await {
            Ok(()) => {
                tracing::info!(
                    venues = counts.venues.len(),
                    "live counters rebuilt from postgres"
                );
                true
            }
            Err(_) => false,
        },
        Err(err) => {
            tracing::warn!(error = %err, "could not read counts to rebuild live counters");
            false
        }
    }
}
