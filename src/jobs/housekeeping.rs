//! Hourly upkeep: rating partitions for the months ahead, and idempotency
//! answers past their day.

use std::time::Duration;

use sqlx::PgPool;

use crate::store::ratings;

/// How often the upkeep runs.
const EVERY: Duration = Duration::from_secs(3600);
/// How long an `Idempotency-Key` answer is kept.
const IDEMPOTENCY_TTL_HOURS: i32 = 24;

/// Runs forever; failures are logged and retried at the next round.
pub async fn run(pool: PgPool) {
    loop {
        if let Err(err) = ratings::ensure_partitions(&pool).await {
            tracing::warn!(error = %err, "could not create rating partitions; will retry");
        }
        match ratings::purge_idempotency_keys(&pool, IDEMPOTENCY_TTL_HOURS).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired idempotency keys removed"),
            Err(err) => {
                tracing::warn!(error = %err, "could not purge idempotency keys; will retry")
            }
        }
        tokio::time::sleep(EVERY).await;
    }
}
