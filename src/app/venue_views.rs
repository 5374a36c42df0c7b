//! What anyone may see of a venue — its score as the JSON API gives it and
//! the rest of its public page — kept for a few seconds
//! (`VENUE_VIEW_SECONDS`) in a cache of each instance, so a venue many
//! people look at costs one read per few seconds, not one per visitor.
//!
//! The score refresher forgets a venue as soon as it has rewritten its
//! score (see `jobs::scores::run_refresher`), so a new rating shows within a
//! refresh interval plus the refresh itself; the venue's own reply,
//! commitment, officer, inspection or edit forget it on the instance that
//! made them. The time to live bounds the rest (such changes made on
//! another instance). Errors are never kept, and visitors who miss the same
//! venue at once share one read.

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::app::scores::{self, VenueScore};
use crate::app::{AppError, Services, Slug};
use crate::domain::ids::VenueId;
use crate::jobs::scores::Refreshed;
use crate::store::dashboard::{self, PublicProfile};
use crate::store::venues::{self, PublicVenue};

/// Venues kept at most, per kind of view.
const VIEW_CAPACITY: u64 = 50_000;

/// Newest comments the public page shows; the page must stay small on a phone.
pub const RECENT_COMMENTS: i64 = 5;

/// The page's part besides the score: the venue and what it publishes.
#[derive(Debug, Clone)]
pub struct PublicPage {
    /// The venue.
    pub venue: PublicVenue,
    /// Its commitment, officer, newest comments and inspections.
    pub profile: PublicProfile,
}

/// The cache of venue views; without a time to live, every view is read afresh.
#[derive(Clone)]
pub struct VenueViews {
    caches: Option<Caches>,
}

#[derive(Clone)]
struct Caches {
    scores: Cache<VenueId, Arc<VenueScore>>,
    pages: Cache<VenueId, Arc<PublicPage>>,
}

impl VenueViews {
    /// Empty caches whose entries live at most `ttl`; `None` keeps nothing.
    pub fn new(ttl: Option<Duration>) -> Self {
        Self {
            caches: ttl.map(|ttl| Caches {
                scores: Cache::builder()
                    .max_capacity(VIEW_CAPACITY)
                    .time_to_live(ttl)
                    .build(),
                pages: Cache::builder()
                    .max_capacity(VIEW_CAPACITY)
                    .time_to_live(ttl)
                    .build(),
            }),
        }
    }

    /// Forgets these venues' views (their scores were just rewritten).
    pub async fn forget(&self, venue_ids: &[VenueId]) {
        let Some(caches) = &self.caches else { return };
        for id in venue_ids {
            caches.scores.invalidate(id).await;
            caches.pages.invalidate(id).await;
        }
    }

    /// Forgets every view (every score was just rewritten).
    pub fn forget_all(&self) {
        let Some(caches) = &self.caches else { return };
        caches.scores.invalidate_all();
        caches.pages.invalidate_all();
    }

    /// Forgets what the score refresher reports rewritten, until it stops.
    pub async fn follow(self, mut refreshed: UnboundedReceiver<Refreshed>) {
        while let Some(what) = refreshed.recv().await {
            match what {
                Refreshed::Venues(ids) => self.forget(&ids).await,
                Refreshed::All => self.forget_all(),
            }
        }
    }
}

/// `read` through `cache` when there is one: kept on success, shared by
/// the callers missing the same venue at once.
async fn through<V: Send + Sync + 'static>(
    cache: Option<&Cache<VenueId, Arc<V>>>,
    id: VenueId,
    read: impl Future<Output = Result<Arc<V>, AppError>>,
) -> Result<Arc<V>, AppError> {
    match cache {
        Some(cache) => cache
            .try_get_with(id, read)
            .await
            .map_err(|err| (*err).clone()),
        None => read.await,
    }
}

/// A venue's score as `GET /api/v1/venues/{id}/score` gives it, from the cache.
pub async fn score(services: &Services, id: VenueId) -> Result<Arc<VenueScore>, AppError> {
    let cache = services.venue_views.caches.as_ref().map(|c| &c.scores);
    through(cache, id, async {
        scores::venue_score(services, id).await.map(Arc::new)
    })
    .await
}

/// The venue and what it publishes, for its public page, from the cache.
pub async fn page(services: &Services, id: VenueId) -> Result<Arc<PublicPage>, AppError> {
    let cache = services.venue_views.caches.as_ref().map(|c| &c.pages);
    through(cache, id, async {
        let venue = venues::public(&services.pool, id)
            .await?
            .ok_or(AppError::not_found(Slug::VenueNotFound))?;
        let profile = dashboard::public_profile(&services.pool, id, RECENT_COMMENTS).await?;
        Ok(Arc::new(PublicPage { venue, profile }))
    })
    .await
}
