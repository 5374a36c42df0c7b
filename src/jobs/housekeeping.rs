//! Hourly upkeep: rating partitions for the months ahead, idempotency
//! answers past their day, and the contacts of complaint cases closed longer
//! ago than their region keeps them.

use std::time::Duration;

use std::sync::Arc;

use sqlx::PgPool;

use crate::app::case_rules::CaseRules;
use crate::app::cases::erase_expired_contacts;
use crate::clock::Clock;
use crate::store::ratings;
use crate::store::reference::ReferenceData;

/// How often the upkeep runs.
const EVERY: Duration = Duration::from_secs(3600);
/// How long an `Idempotency-Key` answer is kept.
const IDEMPOTENCY_TTL_HOURS: i32 = 24;

/// Runs forever; failures are logged and retried at the next round.
pub async fn run(pool: PgPool, clock: Clock, rules: CaseRules, reference: Arc<ReferenceData>) {
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
        let erased = match reference.regions().await {
            Ok(tree) => erase_expired_contacts(&pool, &rules, &tree, clock.now()).await,
            Err(err) => Err(err),
        };
        match erased {
            Ok(0) => {}
            Ok(erased) => tracing::info!(erased, "complaint contacts erased after closure"),
            Err(err) => {
                tracing::warn!(error = %err, "could not erase complaint contacts; will retry")
            }
        }
        tokio::time::sleep(EVERY).await;
    }
}
