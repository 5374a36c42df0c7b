//! Checks the read replica every second and moves the reads that may be a
//! moment behind to it, or back to the primary, as it keeps up or falls away.

use std::time::Duration;

use crate::store::reads::{ReadPools, ReplicaState};

/// How often the replica is checked.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// How long a check may take before the replica counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs forever when a replica is configured: checks it every second.
pub async fn run(reads: ReadPools, max_lag: Duration) {
    if reads.state() == ReplicaState::NotConfigured {
        return;
    }
    let mut was = reads.state();
    loop {
        let now = reads.check(max_lag, CHECK_TIMEOUT).await;
        if now != was {
            match now {
                ReplicaState::InUse => tracing::info!("reads go to the replica"),
                other => tracing::warn!(
                    replica = other.key(),
                    "reads go to the primary while the replica is {}",
                    other.key()
                ),
            }
            was = now;
        }
        tokio::time::sleep(CHECK_EVERY).await;
    }
}
