//! Bought scores: the review queue of what the detectors hold. Regulators
//! see the incidents of their region, incidents holding several ratings
//! first, with the evidence, and release or confirm a whole incident or one
//! rating with a reason; every decision is audited and the scores follow
//! within seconds (the score refresher picks the venue up). A venue's staff
//! learn only how many of its ratings are under review, never which.

pub mod scan;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::moderation::{CounterPlace, follow_in_live_counters, parse_reason};
use super::paging::{PageSize, Paging};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::ids::VenueId;
use crate::store::ScopeFilter;
use crate::store::integrity::{
    self, Decided, DecisionTarget, HeldRatingRow, HoldDecision, IncidentRow,
};

/// Incidents on a page of the queue.
pub const QUEUE_PAGE: PageSize = PageSize::up_to(20, 100);

/// An incident: ratings one signal fired on together at one venue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentBody {
    /// Incident id.
    pub id: i64,
    /// The venue.
    pub venue_id: i64,
    /// Its name.
    pub venue_name: String,
    /// Its region.
    pub region_code: String,
    /// The local day the detectors judged.
    pub detected_on: NaiveDate,
    /// The signal: `burst`, `shift`, `fresh_addresses`, `network`, `new_networks`,
    /// `rival_bombing`, `device_spread`, `device_repeat`,
    /// `near_duplicates` or `quiet_hours`.
    pub signal: String,
    /// `high` (stuffing), `low` (bombing), or none.
    pub side: Option<String>,
    /// The first rating it holds.
    pub window_from: DateTime<Utc>,
    /// The last rating it holds.
    pub window_to: DateTime<Utc>,
    /// The signal's numbers (`signal` and, by signal, `count`, `expected`,
    /// `on_side`, `usual_share`, `ratings`, `venues` …).
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    /// When it was first detected.
    pub detected_at: DateTime<Utc>,
    /// Ratings still held.
    pub held: i64,
    /// Ratings released.
    pub released: i64,
    /// Ratings confirmed as bought.
    pub confirmed: i64,
}

impl From<IncidentRow> for IncidentBody {
    fn from(r: IncidentRow) -> Self {
        Self {
            id: r.id,
            venue_id: r.venue_id,
            venue_name: r.venue_name,
            region_code: r.region_code,
            detected_on: r.detected_on,
            signal: r.signal,
            side: Some(r.side).filter(|s| !s.is_empty()),
            window_from: r.window_from,
            window_to: r.window_to,
            evidence: r.evidence,
            detected_at: r.detected_at,
            held: r.held,
            released: r.released,
            confirmed: r.confirmed,
        }
    }
}

/// One page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentList {
    /// Incidents still holding ratings first, those holding several before
    /// single held ratings, then newest first.
    pub items: Vec<IncidentBody>,
    /// The page, from 1.
    pub page: i64,
    /// Incidents in scope (with `open=true`, still holding ratings).
    pub total: i64,
}

/// A rating an incident holds or held.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HeldRatingBody {
    /// Rating id.
    pub rating_id: i64,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Stars.
    pub overall: i16,
    /// Tag keys.
    pub tags: Vec<String>,
    /// The comment.
    pub comment: Option<String>,
    /// Every signal that fired on it.
    pub signals: Vec<String>,
    /// `held`, `released` or `confirmed`.
    pub state: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why.
    pub reason: Option<String>,
}

impl From<HeldRatingRow> for HeldRatingBody {
    fn from(r: HeldRatingRow) -> Self {
        Self {
            rating_id: r.rating_id,
            created_at: r.created_at,
            overall: r.overall,
            tags: r.tags,
            comment: r.comment,
            signals: r.signals,
            state: r.state,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            reason: r.reason,
        }
    }
}

/// An incident with its ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentDetail {
    /// The incident.
    #[serde(flatten)]
    pub incident: IncidentBody,
    /// Its ratings, oldest first.
    pub ratings: Vec<HeldRatingBody>,
}

/// A reviewer's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldDecisionRequest {
    /// `release` (back into every count) or `confirm` (bought: stays out).
    pub decision: String,
    /// Why, 1–500 characters; kept with each rating and in the audit log.
    pub reason: String,
}

/// What a decision did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldDecisionBody {
    /// The venue.
    pub venue_id: VenueId,
    /// `released` or `confirmed`.
    pub decision: String,
    /// Ratings decided.
    pub decided: u32,
}

async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// One page of the incidents in the caller's scope; `open_only` keeps those
/// still holding ratings.
pub async fn queue(
    services: &Services,
    caller: &Caller,
    open_only: bool,
    paging: Paging,
) -> Result<IncidentList, AppError> {
    let scope = scope_of(services, caller).await?;
    let (rows, total) = integrity::incidents(
        &services.pool,
        &scope,
        open_only,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(IncidentList {
        items: rows.into_iter().map(IncidentBody::from).collect(),
        page: paging.page,
        total,
    })
}

/// One incident in the caller's scope, with its ratings.
pub async fn incident(
    services: &Services,
    caller: &Caller,
    id: i64,
) -> Result<IncidentDetail, AppError> {
    let scope = scope_of(services, caller).await?;
    let (incident, ratings) = integrity::incident(&services.pool, id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::IncidentNotFound))?;
    Ok(IncidentDetail {
        incident: incident.into(),
        ratings: ratings.into_iter().map(HeldRatingBody::from).collect(),
    })
}

/// Releases or confirms every rating an incident still holds
/// (`DecisionTarget::Incident`), or one held rating, within the caller's
/// scope. Released ratings of today return to the live counters.
pub async fn decide(
    services: &Services,
    caller: &Caller,
    target: DecisionTarget,
    request: &HoldDecisionRequest,
) -> Result<HoldDecisionBody, AppError> {
    let decision = match request.decision.trim() {
        "release" => HoldDecision::Release,
        "confirm" => HoldDecision::Confirm,
        _ => {
            return Err(AppError::new(
                Slug::InvalidDecision,
                "decision must be release or confirm",
            ));
        }
    };
    let reason = parse_reason(&request.reason)?;
    let scope = scope_of(services, caller).await?;
    let action = match decision {
        HoldDecision::Release => AuditAction::INTEGRITY_RELEASE,
        HoldDecision::Confirm => AuditAction::INTEGRITY_CONFIRM,
    };
    // Held from the commit until the counters follow it.
    let _counting = services.live.counting().await;
    let outcome = integrity::decide(
        &services.pool,
        target,
        decision,
        reason.as_str(),
        &scope,
        caller.audit(action),
    )
    .await?;
    let missing = match target {
        DecisionTarget::Incident(_) => Slug::IncidentNotFound,
        DecisionTarget::Rating(_) => Slug::HoldNotFound,
    };
    match outcome {
        Decided::Unknown => Err(AppError::not_found(missing)),
        Decided::NothingHeld => Err(AppError::new(
            Slug::NothingHeld,
            "nothing of it is held any more: it was decided already",
        )),
        Decided::Done {
            venue_id,
            region_code,
            category,
            decided,
            released_days,
        } => {
            let today = services.clock.today();
            let back_today = released_days.iter().filter(|d| **d == today).count() as i64;
            if back_today > 0 {
                let at = CounterPlace {
                    venue_id,
                    region_code: &region_code,
                    category: &category,
                };
                follow_in_live_counters(&services.live, &services.reference, at, today, back_today)
                    .await;
            }
            Ok(HoldDecisionBody {
                venue_id,
                decision: match decision {
                    HoldDecision::Release => "released",
                    HoldDecision::Confirm => "confirmed",
                }
                .to_owned(),
                decided,
            })
        }
    }
}

/// How many of a venue's ratings are under review: what its staff see.
pub async fn under_review(services: &Services, venue_id: VenueId) -> Result<i64, AppError> {
    Ok(integrity::under_review(&services.pool, venue_id).await?)
}
