//! Violations a regulator records against a venue: a serious one puts the
//! venue in tier C for 12 months.

use crate::domain::ids::VenueId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::supervision::venue_in_scope;
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::violation::{NewViolation, ViolationError};
use crate::store::{ScopeFilter, violations};

/// Body of `POST /api/v1/venues/{id}/violations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolationRequest {
    /// The local day it occurred, `YYYY-MM-DD`, not after today.
    pub occurred_on: String,
    /// Whether it is serious: a serious violation in 12 months puts the venue in tier C.
    pub serious: bool,
    /// What happened, 1–1000 characters; no control characters other than
    /// newline and tab, and no direction overrides.
    pub description: String,
}

/// A recorded violation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViolationBody {
    /// Violation id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
    /// The local day it occurred.
    pub occurred_on: NaiveDate,
    /// Whether it is serious.
    pub serious: bool,
    /// What happened.
    pub description: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl From<violations::ViolationRecord> for ViolationBody {
    fn from(v: violations::ViolationRecord) -> Self {
        Self {
            id: v.id,
            venue_id: v.venue_id,
            occurred_on: v.occurred_on,
            serious: v.serious,
            description: v.description,
            recorded_at: v.recorded_at,
        }
    }
}

/// A venue's violations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationList {
    /// Venue id.
    pub venue_id: VenueId,
    /// Violations, latest occurrence first.
    pub items: Vec<ViolationBody>,
}

impl From<ViolationError> for AppError {
    fn from(err: ViolationError) -> Self {
        let slug = match err {
            ViolationError::BadDate => Slug::InvalidDate,
            ViolationError::FutureDate => Slug::DateInFuture,
            ViolationError::TooOld => Slug::DateTooOld,
            ViolationError::EmptyDescription => Slug::DescriptionRequired,
            ViolationError::DescriptionTooLong => Slug::TextTooLong,
            ViolationError::ControlCharacter => Slug::ControlCharacter,
        };
        AppError::new(slug, err.to_string())
    }
}

/// Records a violation against a venue in the caller's scope, with its
/// audit row; the venue's tier follows on its next refresh (seconds).
/// Shared by the JSON route and the console's form.
pub async fn record(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    violation: &NewViolation,
) -> Result<ViolationBody, AppError> {
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    violations::record(
        &services.pool,
        venue_id,
        violation,
        &scope,
        caller.audit(AuditAction::VIOLATION_RECORD),
    )
    .await?
    .map(ViolationBody::from)
    .ok_or(AppError::not_found(Slug::VenueNotFound))
}

/// A venue's violations in the caller's scope, latest occurrence first;
/// unknown and out-of-scope venues alike are not found.
pub async fn list(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<ViolationList, AppError> {
    let venue = venue_in_scope(services, &caller.principal, venue_id).await?;
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let items = violations::list(&services.pool, venue.id, &scope)
        .await?
        .into_iter()
        .map(ViolationBody::from)
        .collect();
    Ok(ViolationList {
        venue_id: venue.id,
        items,
    })
}
