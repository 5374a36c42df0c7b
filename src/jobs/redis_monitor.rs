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
    // The miss count the counters were last rebuilt at: any call failed or
    // skipped since (even in an outage shorter than one check) may have lost
    // an increment, so the counters need a rebuild.
    let mut rebuilt_at: Option<u64> = None;
    loop {
        let up = live.check().await;
        if up && !was_up {
            tracing::info!("redis is reachable");
        } else if !up && was_up {
            tracing::warn!("redis is unreachable; ratings continue, counters will be rebuilt");
        }
        let misses = live.misses();
        if up && rebuilt_at != Some(misses) && rebuild_today(&live, &pool, clock.today()).await {
            rebuilt_at = Some(misses);
        }
        was_up = up;
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

/// Overwrites the counters of `day` (today) with the counts in Postgres;
/// `true` on success.
///
/// This instance's commits of counted changes wait while it runs (see
/// [`Live::rebuilding`]), so none falls between its read of Postgres and its
/// write to Redis. Another instance's commit can: with several instances the
/// counters may end a few ratings off after an outage, until
/// `qrfeedback reconcile` compares and repairs them.
pub async fn rebuild_today(live: &Live, pool: &PgPool, day: NaiveDate) -> bool {
    let _gate = live.rebuilding().await;
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
