//! Taking a suspicious rating out of every score, or putting it back.
//! Nothing is deleted; each action is logged with who, when and why.

use crate::domain::ids::{RatingId, VenueId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::moderation::{ModerationReason, ReasonError};
use crate::live::Live;
use crate::store::ScopeFilter;
use crate::store::moderation::{self, Moderation};
use crate::store::reference::ReferenceData;
use crate::store::stats::DayCounts;

/// Body of a quarantine or release.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    /// Why, 1–500 characters, kept in the moderation log; no control
    /// characters other than newline and tab, and no direction overrides.
    pub reason: String,
}

/// The rating's state after the action.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModerationBody {
    /// Rating id.
    pub rating_id: RatingId,
    /// Its venue.
    pub venue_id: VenueId,
    /// Whether it is now quarantined.
    pub quarantined: bool,
    /// Since when, if quarantined.
    pub quarantined_at: Option<DateTime<Utc>>,
    /// The reason given.
    pub reason: String,
}

/// A moderation reason, or the 422 that refuses it.
pub fn parse_reason(raw: &str) -> Result<ModerationReason, AppError> {
    ModerationReason::parse(raw).map_err(|err| {
        let slug = match err {
            ReasonError::Empty => Slug::ReasonRequired,
            ReasonError::TooLong => Slug::TextTooLong,
            ReasonError::ControlCharacter => Slug::ControlCharacter,
        };
        AppError::new(slug, err.to_string())
    })
}

/// Quarantines (`quarantine = true`) or releases a rating within the caller's
/// scope, with an audit row in the same transaction, and follows it in
/// today's live counters. Shared by the JSON route and the console's forms.
pub async fn moderate(
    services: &Services,
    caller: &Caller,
    rating_id: RatingId,
    reason: &ModerationReason,
    quarantine: bool,
) -> Result<ModerationBody, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let action = if quarantine {
        AuditAction::RATING_QUARANTINE
    } else {
        AuditAction::RATING_RELEASE
    };
    // Held from the commit until the counters follow it; see `Live::counting`.
    let _counting = services.live.counting().await;
    let outcome = moderation::moderate(
        &services.pool,
        rating_id,
        quarantine,
        reason,
        &scope,
        caller.audit(action),
    )
    .await?;
    match outcome {
        Moderation::UnknownRating => Err(AppError::not_found(Slug::RatingNotFound)),
        Moderation::AlreadyThere => Err(if quarantine {
            AppError::new(
                Slug::AlreadyQuarantined,
                "this rating is already quarantined",
            )
        } else {
            AppError::new(Slug::NotQuarantined, "this rating is not quarantined")
        }),
        Moderation::Done {
            venue_id,
            day,
            region_code,
            category,
            quarantined_at,
        } => {
            if day == services.clock.today() {
                let delta = if quarantine { -1 } else { 1 };
                let at = CounterPlace {
                    venue_id,
                    region_code: &region_code,
                    category: &category,
                };
                follow_in_live_counters(&services.live, &services.reference, at, day, delta).await;
            }
            Ok(ModerationBody {
                rating_id,
                venue_id,
                quarantined: quarantined_at.is_some(),
                quarantined_at,
                reason: reason.as_str().to_owned(),
            })
        }
    }
}

/// Where a rating is counted live: its venue, region and category.
#[derive(Debug, Clone, Copy)]
pub struct CounterPlace<'a> {
    /// The venue.
    pub venue_id: VenueId,
    /// Its region (every ancestor is counted too).
    pub region_code: &'a str,
    /// Its category.
    pub category: &'a str,
}

/// Today's live counters count ratings that count: follow the aggregate
/// when ratings are taken out (`delta` < 0) or put back. Best effort;
/// `qrfeedback reconcile` repairs a miss. The caller holds
/// [`Live::counting`] from before its commit.
pub async fn follow_in_live_counters(
    live: &Live,
    reference: &ReferenceData,
    at: CounterPlace<'_>,
    day: chrono::NaiveDate,
    delta: i64,
) {
    let Ok(regions) = reference.regions().await else {
        return;
    };
    let counts = DayCounts {
        venues: vec![(at.venue_id.get(), delta)],
        regions: regions
            .ancestors(at.region_code)
            .into_iter()
            .map(|r| (r.code.to_string(), delta))
            .collect(),
        categories: vec![(at.category.to_owned(), delta)],
    };
    if live.add_counters(day, &counts).await.is_err() {
        tracing::info!(
            venue_id = %at.venue_id,
            "live counters not adjusted (Redis down); reconcile repairs them"
        );
    }
}
