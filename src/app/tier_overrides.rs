//! Setting a venue's credit tier by hand (regulators' requirements clause
//! A.20) and ending it early: shared by the JSON routes and the console's
//! forms. The tier follows on the venue's next score refresh (seconds), and
//! the refresher ends an override by itself on its end date.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use crate::domain::tier_override::{NewTierOverride, TierOverrideError};
use crate::store::tier_overrides::{self, EndOutcome, OverrideRecord, SetOutcome};
use crate::store::{ScopeFilter, StoreError};

/// Body of `POST /api/v1/venues/{id}/tier-override`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierOverrideRequest {
    /// The tier to put the venue in: "A", "B", "C" or "D".
    pub tier: String,
    /// Why, 1–500 characters; no control characters other than newline and
    /// tab, and no direction overrides. Shown to regulators, not the public.
    pub reason: String,
    /// The first day the rules grade the venue again, `YYYY-MM-DD`: after
    /// today and at most 24 months ahead.
    pub ends_on: String,
}

/// Body of `DELETE /api/v1/venues/{id}/tier-override`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndTierOverrideRequest {
    /// Why it ends early, 1–500 characters.
    pub reason: String,
}

/// A tier override, as regulators see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierOverrideBody {
    /// Override id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
    /// The tier it sets.
    pub tier: Tier,
    /// Why it was set.
    pub reason: String,
    /// The first day the rules apply again.
    pub ends_on: NaiveDate,
    /// Who set it (`account:3`, `token:7`, `admin-token`).
    pub set_by: String,
    /// When it was set.
    pub set_at: DateTime<Utc>,
    /// Whether it is in force today.
    pub in_force: bool,
    /// When it ended, once closed.
    pub ended_at: Option<DateTime<Utc>>,
    /// `early` (ended by a regulator) or `expired` (its end date came).
    pub end_kind: Option<String>,
    /// Who ended it early.
    pub ended_by: Option<String>,
    /// Why it was ended early.
    pub end_reason: Option<String>,
}

impl TierOverrideBody {
    /// The body of a stored override, as of `today`.
    pub fn of(record: OverrideRecord, today: NaiveDate) -> Self {
        Self {
            in_force: record.in_force(today),
            id: record.id,
            venue_id: record.venue_id,
            tier: record.tier,
            reason: record.reason,
            ends_on: record.ends_on,
            set_by: record.set_by,
            set_at: record.set_at,
            ended_at: record.ended_at,
            end_kind: record.end_kind,
            ended_by: record.ended_by,
            end_reason: record.end_reason,
        }
    }
}

impl From<TierOverrideError> for AppError {
    fn from(err: TierOverrideError) -> Self {
        let slug = match err {
            TierOverrideError::BadTier => Slug::InvalidTier,
            TierOverrideError::ReasonRequired => Slug::ReasonRequired,
            TierOverrideError::ReasonTooLong => Slug::TextTooLong,
            TierOverrideError::ControlCharacter => Slug::ControlCharacter,
            TierOverrideError::BadDate => Slug::InvalidDate,
            TierOverrideError::EndsOnNotAfterToday => Slug::EndsOnNotAfterToday,
            TierOverrideError::EndsOnTooFar => Slug::EndsOnTooFar,
        };
        AppError::new(slug, err.to_string())
    }
}

async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// Sets an override of a venue in the caller's scope (unknown and
/// out-of-scope venues alike are not found); refused with 409 while another
/// is in force.
pub async fn set(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    new: &NewTierOverride,
) -> Result<TierOverrideBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let today = services.clock.today();
    let outcome = tier_overrides::set(
        &services.pool,
        venue_id,
        new,
        (today, services.clock.now()),
        &scope,
        caller.audit(AuditAction::TIER_OVERRIDE_SET),
    )
    .await?;
    match outcome {
        SetOutcome::Set(record) => Ok(TierOverrideBody::of(record, today)),
        SetOutcome::NotFound => Err(AppError::not_found(Slug::VenueNotFound)),
        SetOutcome::AlreadyActive(active) => Err(AppError::new(
            Slug::TierOverrideActive,
            format!(
                "the venue's tier is already set to {} until {}; end that override first",
                active.tier.letter(),
                active.ends_on
            ),
        )),
    }
}

/// Ends the override in force of a venue in the caller's scope; 409 when
/// there is none.
pub async fn end(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    reason: &str,
) -> Result<TierOverrideBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let today = services.clock.today();
    let outcome = tier_overrides::end(
        &services.pool,
        venue_id,
        reason,
        (today, services.clock.now()),
        &scope,
        caller.audit(AuditAction::TIER_OVERRIDE_END),
    )
    .await?;
    match outcome {
        EndOutcome::Ended(record) => Ok(TierOverrideBody::of(record, today)),
        EndOutcome::NotFound => Err(AppError::not_found(Slug::VenueNotFound)),
        EndOutcome::NoneActive => Err(AppError::new(
            Slug::NoTierOverride,
            "the venue's tier is not set by an override now",
        )),
    }
}

/// A venue's overrides in `scope`, newest first.
pub async fn list(
    services: &Services,
    scope: &ScopeFilter,
    venue_id: VenueId,
) -> Result<Vec<TierOverrideBody>, StoreError> {
    let today = services.clock.today();
    Ok(tier_overrides::list(&services.pool, venue_id, scope)
        .await?
        .into_iter()
        .map(|r| TierOverrideBody::of(r, today))
        .collect())
}
