//! Where reads that may be a moment behind go: rankings, public scores and
//! region breakdowns read from a streaming replica (`DATABASE_REPLICA_URL`)
//! while it answers and keeps up, and from the primary otherwise. Writes, and
//! every read a person expects to see their own change in, stay on the
//! primary.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use sqlx::PgPool;

/// How the replica is doing, as last checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// No replica is configured.
    NotConfigured,
    /// It answers and its replay is within the allowed lag: reads go to it.
    InUse,
    /// It answers but replays too far behind: reads go to the primary.
    Lagging,
    /// It does not answer (or has not been checked yet): reads go to the primary.
    Down,
}

impl ReplicaState {
    /// The word `/readyz` reports.
    pub fn key(self) -> &'static str {
        match self {
            ReplicaState::NotConfigured => "not_configured",
            ReplicaState::InUse => "in_use",
            ReplicaState::Lagging => "lagging",
            ReplicaState::Down => "down",
        }
    }

    fn code(self) -> u8 {
        match self {
            ReplicaState::NotConfigured => 0,
            ReplicaState::InUse => 1,
            ReplicaState::Lagging => 2,
            ReplicaState::Down => 3,
        }
    }

    fn from_code(code: u8) -> Self {
        match code {
            0 => ReplicaState::NotConfigured,
            1 => ReplicaState::InUse,
            2 => ReplicaState::Lagging,
            _ => ReplicaState::Down,
        }
    }
}

/// The primary, and the replica with its last known state.
#[derive(Debug, Clone)]
pub struct ReadPools {
    primary: PgPool,
    replica: Option<Replica>,
}

#[derive(Debug, Clone)]
struct Replica {
    pool: PgPool,
    state: Arc<AtomicU8>,
}

impl ReadPools {
    /// Every read on the primary.
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            primary,
            replica: None,
        }
    }

    /// Reads on `replica` once a check finds it keeping up.
    pub fn with_replica(primary: PgPool, replica: PgPool) -> Self {
        Self {
            primary,
            replica: Some(Replica {
                pool: replica,
                state: Arc::new(AtomicU8::new(ReplicaState::Down.code())),
            }),
        }
    }

    /// The pool a read that may be a moment behind should use now.
    pub fn pool(&self) -> &PgPool {
        match &self.replica {
            Some(replica) if self.state() == ReplicaState::InUse => &replica.pool,
            _ => &self.primary,
        }
    }

    /// The replica's state as last checked.
    pub fn state(&self) -> ReplicaState {
        self.replica
            .as_ref()
            .map_or(ReplicaState::NotConfigured, |replica| {
                ReplicaState::from_code(replica.state.load(Ordering::Relaxed))
            })
    }

    /// Asks the replica how far behind it is and records whether reads may
    /// go to it: at most `max_lag` behind, answering within `timeout`.
    pub async fn check(&self, max_lag: Duration, timeout: Duration) -> ReplicaState {
        let Some(replica) = &self.replica else {
            return ReplicaState::NotConfigured;
        };
        let state = match tokio::time::timeout(timeout, replay_lag(&replica.pool)).await {
            Ok(Ok(lag)) if lag <= max_lag => ReplicaState::InUse,
            Ok(Ok(_)) => ReplicaState::Lagging,
            Ok(Err(_)) | Err(_) => ReplicaState::Down,
        };
        replica.state.store(state.code(), Ordering::Relaxed);
        state
    }
}

/// How far the replica's replay is behind what it has received: nothing
/// when it has replayed all of it (an idle primary sends nothing new), else
/// the age of the last transaction it replayed.
async fn replay_lag(pool: &PgPool) -> Result<Duration, sqlx::Error> {
    let seconds: f64 = sqlx::query_scalar(
        "SELECT CASE
                    WHEN NOT pg_is_in_recovery() THEN 0
                    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)
                END::float8",
    )
    .fetch_one(pool)
    .await?;
    Ok(Duration::from_secs_f64(seconds.max(0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_as_itself() {
        for state in [
            ReplicaState::NotConfigured,
            ReplicaState::InUse,
            ReplicaState::Lagging,
            ReplicaState::Down,
        ] {
            assert_eq!(ReplicaState::from_code(state.code()), state);
        }
    }
}
