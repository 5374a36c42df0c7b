//! Group commits for ratings, in two stages. Concurrent requests hand their
//! rows to the claim stage, which takes everything waiting and claims the
//! daily slots of the whole group in Redis with one round trip (a repeat is
//! answered there). Claimed groups go to a pool of writer tasks sharing one
//! queue; whichever writer is free takes every group waiting and stores it in
//! one statement, while the claim stage already claims the next group.
//! Batches that touch the same day aggregate lock its row in one order
//! (venue, day), so they wait for each other rather than deadlock, and a
//! deadlock that does happen is retried. A batch is stored whole or not at
//! all: when a row turns out to be stored already (a repeat that Redis did
//! not catch) or its idempotency key taken, the writer looks up which rows
//! those are, answers them, and writes the rest again. When Postgres refuses
//! a row's data (a value validation let through), the batch is split in
//! halves and each written on its own, down to the single row at fault,
//! which alone is refused; no other rating pays for it. Every request still
//! waits for its own commit before it answers, so nothing is acknowledged
//! that is not durable. After a commit the batch is added to the live
//! counters with one Redis round trip, off the writer's path.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::domain::ids::VenueId;
use crate::live::Live;
use crate::store::ratings::{self, BatchError, RatingRow, StoredRating};
use crate::store::stats::DayCounts;
use crate::store::venues::VenueCard;
use crate::telemetry::Metrics;

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
    /// Postgres refused this rating's data; it alone was left out.
    #[error("the rating holds data that cannot be stored")]
    Refused,
    /// Any other database failure.
    #[error("database error")]
    Failed,
}

struct Pending {
    row: RatingRow,
    venue: Arc<VenueCard>,
    /// Whether this rating holds its daily claim in Redis.
    claimed: bool,
    reply: oneshot::Sender<Result<WriteOutcome, WriteFailure>>,
}

impl Pending {
    fn answer(self, outcome: WriteOutcome) {
        let _ = self.reply.send(Ok(outcome));
    }
}

/// Where the batcher tells which venues' ratings it has just committed (the
/// score refresher of this instance); nowhere by default.
#[derive(Clone, Default)]
pub struct StoredVenues(Option<mpsc::UnboundedSender<Vec<VenueId>>>);

impl StoredVenues {
    /// Tells `to` about every committed batch.
    pub fn to(sender: mpsc::UnboundedSender<Vec<VenueId>>) -> Self {
        Self(Some(sender))
    }

    fn tell(&self, venues: Vec<VenueId>) {
        if let Some(sender) = &self.0 {
            // A refresher that stopped listening misses nothing durable: it
            // finds changed aggregates in Postgres too.
            let _ = sender.send(venues);
        }
    }
}

/// The front of the batcher; cheap to clone.
#[derive(Clone)]
pub struct Batcher {
    queue: mpsc::Sender<Pending>,
}

impl Batcher {
    /// Starts the claim stage and `writers` writer tasks committing at most
    /// `batch_max` ratings at a time, counting what they store in `live` and
    /// telling `stored` whose ratings they stored.
    pub fn start(
        pool: PgPool,
        live: Live,
        metrics: Metrics,
        (writers, batch_max): (usize, usize),
        stored: StoredVenues,
    ) -> Self {
        let writers = writers.max(1);
        let batch_max = batch_max.max(1);
        let (queue, incoming) = mpsc::channel::<Pending>(batch_max * writers * 4);
        let (claimed, ready) = mpsc::channel::<Vec<Pending>>(writers * 2);
        tokio::spawn(claimer(live.clone(), incoming, claimed, batch_max));
        let ready = Arc::new(Mutex::new(ready));
        for _ in 0..writers {
            tokio::spawn(writer(
                pool.clone(),
                live.clone(),
                metrics.clone(),
                ready.clone(),
                batch_max,
                stored.clone(),
            ));
        }
        Self { queue }
    }

    /// Stores one rating for `venue` and waits for its commit.
    pub async fn submit(
        &self,
        row: RatingRow,
        venue: Arc<VenueCard>,
    ) -> Result<WriteOutcome, WriteFailure> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            row,
            venue,
            claimed: false,
            reply,
        };
        self.queue
            .send(pending)
            .await
            .map_err(|_| WriteFailure::Failed)?;
        answer.await.map_err(|_| WriteFailure::Failed)?
    }
}

/// The claim stage: takes every rating waiting, answers repeats inside the
/// group, and claims the daily slots of the rest in one Redis round trip (a
/// slot already taken is a repeat). It then hands the group to the writers
/// and claims the next one while they write, so Redis is off their path.
/// Without Redis the group goes on unclaimed and the Postgres constraint decides.
async fn claimer(
    live: Live,
    mut incoming: mpsc::Receiver<Pending>,
    ready: mpsc::Sender<Vec<Pending>>,
    batch_max: usize,
) {
    let mut group = Vec::with_capacity(batch_max);
    while incoming.recv_many(&mut group, batch_max).await > 0 {
        let mut pending = without_collisions(std::mem::take(&mut group));
        let slots: Vec<_> = pending.iter().map(|p| p.row.daily_slot()).collect();
        if let Ok(fresh) = live.claim_daily(&slots).await {
            let mut kept = Vec::with_capacity(pending.len());
            for (mut item, fresh) in pending.into_iter().zip(fresh) {
                if fresh {
                    item.claimed = true;
                    kept.push(item);
                } else {
                    item.answer(WriteOutcome::Duplicate);
                }
            }
            pending = kept;
        }
        if !pending.is_empty() && ready.send(pending).await.is_err() {
            break;
        }
    }
}

/// Answers the ratings that collide with an earlier one of `items` as
/// repeats, exactly as if they had come one after another, and returns the rest.
fn without_collisions(items: Vec<Pending>) -> Vec<Pending> {
    let mut devices = HashSet::with_capacity(items.len());
    let mut forms = HashSet::new();
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        let row = &item.row;
        let device_seen = !devices.insert(row.daily_slot());
        let form_seen = row
            .form_nonce
            .is_some_and(|nonce| !forms.insert((row.venue_id, row.day, nonce)));
        if device_seen || form_seen {
            item.answer(WriteOutcome::Duplicate);
        } else {
            kept.push(item);
        }
    }
    kept
}

async fn writer(
    pool: PgPool,
    live: Live,
    metrics: Metrics,
    ready: Arc<Mutex<mpsc::Receiver<Vec<Pending>>>>,
    batch_max: usize,
    stored: StoredVenues,
) {
    let mut groups = Vec::new();
    loop {
        // The free writer holding the lock waits for one claimed group and
        // takes whatever else is already waiting; the lock is released before
        // the write, so the next free writer takes what arrives meanwhile.
        let taken = ready.lock().await.recv_many(&mut groups, usize::MAX).await;
        if taken == 0 {
            break;
        }
        // Groups claimed apart only collide when Redis was down for one of them.
        let mut batch = without_collisions(groups.drain(..).flatten().collect());
        while !batch.is_empty() {
            let rest = batch.split_off(batch.len().min(batch_max));
            metrics.batch_rows.observe(batch.len() as f64);
            write_batch(&pool, &live, batch, &stored).await;
            batch = rest;
        }
    }
}

/// Writes a batch; a part that Postgres refuses for its data is split in
/// halves written one after the other, until the rows at fault stand alone.
async fn write_batch(pool: &PgPool, live: &Live, batch: Vec<Pending>, stored: &StoredVenues) {
    let mut parts = vec![batch];
    while let Some(part) = parts.pop() {
        if let Some(refused) = write_part(pool, live, part, stored).await {
            if refused.len() == 1 {
                fail_all(live, refused, WriteFailure::Refused).await;
            } else {
                let mut first = refused;
                let second = first.split_off(first.len() / 2);
                parts.push(second);
                parts.push(first);
            }
        }
    }
}

/// Writes one part, answering every row it settles; gives back the rows
/// still unanswered when Postgres refused the data of one of them.
async fn write_part(
    pool: &PgPool,
    live: &Live,
    mut pending: Vec<Pending>,
    stored_venues: &StoredVenues,
) -> Option<Vec<Pending>> {
    let mut attempts = 0;
    while !pending.is_empty() {
        attempts += 1;
        let rows: Vec<RatingRow> = pending.iter().map(|p| p.row.clone()).collect();
        let gate = live.counting().await;
        match ratings::insert_batch(pool, &rows).await {
            Ok(stored) => {
                let mut counted = LiveIncrements::default();
                let mut venues: Vec<VenueId> = pending.iter().map(|p| p.row.venue_id).collect();
                venues.sort_unstable();
                venues.dedup();
                stored_venues.tell(venues);
                for (item, stored) in pending.drain(..).zip(stored) {
                    counted.add(&item.row, &item.venue);
                    item.answer(WriteOutcome::Stored(stored));
                }
                // Counters are a live view; Postgres stays the truth, and the
                // Redis monitor rebuilds them if this is lost. Sent aside, so
                // the writer is free for the next batch without waiting on Redis.
                let live = live.clone();
                tokio::spawn(async move {
                    counted.send(&live).await;
                    drop(gate);
                });
            }
            // Some rows cannot go in; answer them and write the rest again.
            Err(BatchError::AlreadyStored) if attempts < MAX_ATTEMPTS => {
                let stored = ratings::already_stored(pool, &rows).await;
                pending = settle(live, pending, stored, WriteOutcome::Duplicate).await;
            }
            Err(BatchError::IdempotencyKeyTaken) if attempts < MAX_ATTEMPTS => {
                let taken = ratings::idempotency_key_taken(pool, &rows).await;
                let outcome = WriteOutcome::IdempotencyKeyTaken;
                pending = settle(live, pending, taken, outcome).await;
            }
            Err(BatchError::Retry) if attempts < MAX_ATTEMPTS => {
                tracing::debug!(attempts, "rating batch deadlocked; retrying");
            }
            Err(BatchError::Data(err)) => {
                tracing::warn!(error = %err, batch = pending.len(), "rating batch refused for its data; isolating the row at fault");
                return Some(pending);
            }
            Err(err) => {
                let failure = match &err {
                    BatchError::Store(crate::store::StoreError::Unavailable(_)) => {
                        WriteFailure::Unavailable
                    }
                    _ => WriteFailure::Failed,
                };
                tracing::error!(error = %err, batch = pending.len(), "rating batch failed; nothing acknowledged");
                fail_all(live, std::mem::take(&mut pending), failure).await;
            }
        }
    }
    None
}

/// Answers the items at `clashing` (ascending indexes into `pending`) with
/// `outcome` and returns the others, to be written again. If the lookup that
/// found them failed, every item fails and nothing is left.
async fn settle(
    live: &Live,
    pending: Vec<Pending>,
    clashing: Result<Vec<usize>, crate::store::StoreError>,
    outcome: WriteOutcome,
) -> Vec<Pending> {
    let clashing = match clashing {
        Ok(clashing) => clashing,
        Err(err) => {
            tracing::error!(error = %err, "lookup after a refused rating batch failed");
            fail_all(live, pending, WriteFailure::Unavailable).await;
            return Vec::new();
        }
    };
    let mut rest = Vec::with_capacity(pending.len());
    for (i, item) in pending.into_iter().enumerate() {
        if clashing.binary_search(&i).is_ok() {
            item.answer(outcome);
        } else {
            rest.push(item);
        }
    }
    rest
}

/// Answers every item with the failure, giving back their daily claims so a
/// retry is not refused as a duplicate.
async fn fail_all(live: &Live, items: Vec<Pending>, failure: WriteFailure) {
    let claimed: Vec<_> = items
        .iter()
        .filter(|p| p.claimed)
        .map(|p| p.row.daily_slot())
        .collect();
    let _ = live.release_daily(&claimed).await;
    for item in items {
        let _ = item.reply.send(Err(failure));
    }
}

/// One day's counter increments.
#[derive(Default)]
struct DayIncrements {
    venues: HashMap<i64, i64>,
    regions: HashMap<String, i64>,
    categories: HashMap<String, i64>,
}

/// Increments of the live counters from one committed batch.
#[derive(Default)]
struct LiveIncrements {
    by_day: HashMap<chrono::NaiveDate, DayIncrements>,
}

impl LiveIncrements {
    fn add(&mut self, row: &RatingRow, venue: &VenueCard) {
        let day = self.by_day.entry(row.day).or_default();
        *day.venues.entry(row.venue_id.get()).or_default() += 1;
        for code in &venue.region_path {
            *day.regions.entry(code.clone()).or_default() += 1;
        }
        *day.categories.entry(venue.category.clone()).or_default() += 1;
    }

    async fn send(self, live: &Live) {
        for (day, increments) in self.by_day {
            let counts = DayCounts {
                venues: increments.venues.into_iter().collect(),
                regions: increments.regions.into_iter().collect(),
                categories: increments.categories.into_iter().collect(),
            };
            let _ = live.add_counters(day, &counts).await;
        }
    }
}
