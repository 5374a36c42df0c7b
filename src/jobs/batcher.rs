//! Group commits for ratings: concurrent requests hand their rows to a few
//! writer tasks, each of which drains what is waiting and stores it in one
//! statement. Every request still waits for its own commit before it answers,
//! so nothing is acknowledged that is not durable.

use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::store::ratings::{self, BatchError, RatingRow, StoredRating};

/// How many times a batch is retried after a deadlock.
const MAX_ATTEMPTS: usize = 4;

/// What happened to one submitted rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// Committed.
    Stored(StoredRating),
    /// A uniqueness rule kept it out: same device today, or a reused form.
    Duplicate,
    /// Its idempotency key was recorded by a concurrent request meanwhile.
    IdempotencyKeyTaken,
}

/// Why a rating could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WriteFailure {
    /// Postgres is unreachable or timed out; nothing was acknowledged.
    #[error("database unavailable")]
    Unavailable,
    /// Any other database failure.
    #[error("database error")]
    Failed,
}

struct Pending {
    row: RatingRow,
    reply: oneshot::Sender<Result<WriteOutcome, WriteFailure>>,
}

/// The front of the batcher; cheap to clone.
#[derive(Clone)]
pub struct Batcher {
    queue: mpsc::Sender<Pending>,
}

impl Batcher {
    /// Starts `writers` writer tasks committing at most `batch_max` ratings at a time.
    pub fn start(pool: PgPool, writers: usize, batch_max: usize) -> Self {
        let (queue, receiver) = mpsc::channel::<Pending>(batch_max * writers * 4);
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..writers {
            tokio::spawn(writer(pool.clone(), receiver.clone(), batch_max));
        }
        Self { queue }
    }

    /// Stores one rating and waits for its commit.
    pub async fn submit(&self, row: RatingRow) -> Result<WriteOutcome, WriteFailure> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { row, reply })
            .await
            .map_err(|_| WriteFailure::Failed)?;
        answer.await.map_err(|_| WriteFailure::Failed)?
    }
}

async fn writer(pool: PgPool, receiver: Arc<Mutex<mpsc::Receiver<Pending>>>, batch_max: usize) {
    loop {
        let mut batch = Vec::with_capacity(batch_max);
        {
            let mut rx = receiver.lock().await;
            match rx.recv().await {
                Some(first) => batch.push(first),
                None => return,
            }
            while batch.len() < batch_max {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
        }
        write_batch(&pool, batch).await;
    }
}

async fn write_batch(pool: &PgPool, batch: Vec<Pending>) {
    // Rows that collide inside the batch cannot both go in; the later one is a
    // duplicate of the earlier, exactly as if they had come one after another.
    let mut pending: Vec<Pending> = Vec::with_capacity(batch.len());
    for item in batch {
        if pending.iter().any(|p| p.row.collides_with(&item.row)) {
            let _ = item.reply.send(Ok(WriteOutcome::Duplicate));
        } else {
            pending.push(item);
        }
    }
    let mut attempts = 0;
    while !pending.is_empty() {
        attempts += 1;
        let rows: Vec<RatingRow> = pending.iter().map(|p| p.row.clone()).collect();
        match ratings::insert_batch(pool, &rows).await {
            Ok(results) => {
                for (item, stored) in pending.drain(..).zip(results) {
                    let outcome = stored.map_or(WriteOutcome::Duplicate, WriteOutcome::Stored);
                    let _ = item.reply.send(Ok(outcome));
                }
            }
            Err(BatchError::IdempotencyKeyTaken) if attempts < MAX_ATTEMPTS => {
                let keys: Vec<String> = pending
                    .iter()
                    .filter_map(|p| p.row.idempotency.as_ref().map(|(k, _)| k.clone()))
                    .collect();
                match ratings::taken_idempotency_keys(pool, &keys).await {
                    Ok(taken) => {
                        let (clash, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|p| {
                            p.row
                                .idempotency
                                .as_ref()
                                .is_some_and(|(k, _)| taken.contains(k))
                        });
                        for item in clash {
                            let _ = item.reply.send(Ok(WriteOutcome::IdempotencyKeyTaken));
                        }
                        pending = rest;
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "idempotency lookup failed");
                        fail_all(pending.drain(..), WriteFailure::Unavailable);
                    }
                }
            }
            Err(BatchError::Retry) if attempts < MAX_ATTEMPTS => {
                tracing::debug!(attempts, "rating batch deadlocked; retrying");
            }
            Err(err) => {
                let failure = match &err {
                    BatchError::Store(crate::store::StoreError::Unavailable(_)) => {
                        WriteFailure::Unavailable
                    }
                    _ => WriteFailure::Failed,
                };
                tracing::error!(error = %err, batch = pending.len(), "rating batch failed; nothing acknowledged");
                fail_all(pending.drain(..), failure);
            }
        }
    }
}

fn fail_all(items: impl Iterator<Item = Pending>, failure: WriteFailure) {
    for item in items {
        let _ = item.reply.send(Err(failure));
    }
}
