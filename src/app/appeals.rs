//! Appeals of ratings (申诉复核): a venue's staff appeal a rating they believe
//! malicious, with their evidence; a regulator in scope upholds the appeal
//! (the rating is quarantined, the reason kept in its moderation log and the
//! appeal) or dismisses it. Nothing is deleted either way.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::moderation::{self, parse_reason};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::Role;
use crate::domain::audit::AuditAction;
use crate::domain::ids::{RatingId, VenueId};
use crate::domain::text::strict_text;
use crate::store::ScopeFilter;
use crate::store::appeals::{self, AppealFilter, AppealRecord, Filed};

/// The longest evidence accepted, in characters.
pub const EVIDENCE_MAX_CHARS: usize = 2000;

/// Body of `POST /api/v1/ratings/{id}/appeal`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    /// Why the rating is malicious, with the venue's evidence: 1–2000
    /// characters, no control characters other than newline and tab.
    pub evidence: String,
}

/// Body of `POST /api/v1/appeals/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `upheld` (the rating is quarantined) or `dismissed`.
    pub decision: String,
    /// Why, 1–500 characters; kept with the appeal and, when upheld, in the
    /// rating's moderation log.
    pub reason: String,
}

/// An appeal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealBody {
    /// Appeal id.
    pub id: i64,
    /// The venue appealing.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// The rating appealed against.
    pub rating_id: RatingId,
    /// The rating's local day.
    pub rating_day: NaiveDate,
    /// Its overall stars.
    pub overall: i16,
    /// Its comment, if it has one.
    pub comment: Option<String>,
    /// Whether the rating is quarantined now (as an upheld appeal leaves it).
    pub quarantined: bool,
    /// The venue's evidence.
    pub evidence: String,
    /// `pending`, `upheld` or `dismissed`.
    pub state: String,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was decided so.
    pub decision_reason: Option<String>,
}

impl From<AppealRecord> for AppealBody {
    fn from(a: AppealRecord) -> Self {
        Self {
            id: a.id,
            venue_id: a.venue_id,
            venue_name: a.venue_name,
            rating_id: a.rating_id,
            rating_day: a.rating_day,
            overall: a.overall,
            comment: a.comment,
            quarantined: a.quarantined,
            evidence: a.evidence,
            state: a.state,
            filed_at: a.filed_at,
            decided_at: a.decided_at,
            decision_reason: a.decision_reason,
        }
    }
}

/// Appeals in scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppealList {
    /// Pending first, then the newest (at most 500).
    pub items: Vec<AppealBody>,
}

/// Which appeals a list holds and in what order: the JSON route lists every
/// appeal in scope pending first; the console's queue lists the oldest
/// first; a venue's dashboard lists its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppealQuery<'a> {
    /// `pending`, `upheld` or `dismissed`; anything else is refused.
    pub state: Option<&'a str>,
    /// Only this venue's appeals.
    pub venue_id: Option<VenueId>,
    /// Oldest first, as a work queue is worked.
    pub oldest_first: bool,
}

async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// Files an appeal of a rating of the caller's venue (venue staff only);
/// `of_venue`, when given, is the venue the rating must be of.
pub async fn file(
    services: &Services,
    caller: &Caller,
    (rating_id, of_venue): (RatingId, Option<VenueId>),
    request: &AppealRequest,
) -> Result<AppealBody, AppError> {
    if caller.principal.role != Role::VenueStaff {
        return Err(AppError::forbidden(
            "an appeal is the venue's: regulators quarantine a rating directly",
        ));
    }
    let evidence = strict_text(&request.evidence)
        .map_err(|e| AppError::new(Slug::ControlCharacter, e.to_string()))?;
    if evidence.is_empty() {
        return Err(AppError::new(
            Slug::TextRequired,
            "the evidence is required",
        ));
    }
    if evidence.chars().count() > EVIDENCE_MAX_CHARS {
        return Err(AppError::new(
            Slug::TextTooLong,
            format!("the evidence may hold at most {EVIDENCE_MAX_CHARS} characters"),
        ));
    }
    let scope = scope_of(services, caller).await?;
    let filed = appeals::file(
        &services.pool,
        rating_id,
        of_venue,
        &evidence,
        &scope,
        services.clock.now(),
        caller.audit(AuditAction::RATING_APPEAL),
    )
    .await?;
    let id = match filed {
        Filed::Stored(id) => id,
        Filed::UnknownRating => return Err(AppError::not_found(Slug::RatingNotFound)),
        Filed::AlreadyPending => {
            return Err(AppError::new(
                Slug::AppealPending,
                "an appeal of this rating already waits for a decision",
            ));
        }
    };
    appeals::get(&services.pool, id, &scope)
        .await?
        .map(AppealBody::from)
        .ok_or_else(|| AppError::not_found(Slug::AppealNotFound))
}

/// Appeals in the caller's scope, as `query` picks and orders them.
pub async fn list(
    services: &Services,
    caller: &Caller,
    query: AppealQuery<'_>,
) -> Result<AppealList, AppError> {
    let state = match query.state.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("pending" | "upheld" | "dismissed")) => Some(s),
        Some(_) => {
            return Err(AppError::new(
                Slug::InvalidQuery,
                "state must be pending, upheld or dismissed",
            ));
        }
    };
    let scope = scope_of(services, caller).await?;
    let filter = AppealFilter {
        state,
        venue_id: query.venue_id,
        oldest_first: query.oldest_first,
    };
    let items = appeals::list(&services.pool, &scope, filter)
        .await?
        .into_iter()
        .map(AppealBody::from)
        .collect();
    Ok(AppealList { items })
}

/// Appeals waiting for a decision within `scope`, for the console overview.
pub async fn pending_count(services: &Services, scope: &ScopeFilter) -> Result<i64, AppError> {
    Ok(appeals::pending_count(&services.pool, scope).await?)
}

/// Decides a pending appeal in scope: `upheld` quarantines the rating with
/// the reason (as a regulator's quarantine does), `dismissed` leaves it.
pub async fn decide(
    services: &Services,
    caller: &Caller,
    id: i64,
    request: &DecisionRequest,
) -> Result<AppealBody, AppError> {
    let upheld = match request.decision.trim() {
        "upheld" => true,
        "dismissed" => false,
        _ => {
            return Err(AppError::new(
                Slug::InvalidDecision,
                "decision must be upheld or dismissed",
            ));
        }
    };
    let reason = parse_reason(&request.reason)?;
    let scope = scope_of(services, caller).await?;
    let appeal = appeals::get(&services.pool, id, &scope)
        .await?
        .ok_or_else(|| AppError::not_found(Slug::AppealNotFound))?;
    if appeal.state != "pending" {
        return Err(AppError::new(
            Slug::AppealDecided,
            "the appeal was decided already",
        ));
    }
    if upheld {
        // Quarantined first: a retry after a failure between the two steps
        // finds the rating quarantined already and goes on to the decision.
        match moderation::moderate(services, caller, appeal.rating_id, &reason, true).await {
            Ok(_) => {}
            Err(err) if err.slug == Slug::AlreadyQuarantined => {}
            Err(err) => return Err(err),
        }
    }
    let venue_region =
        crate::app::supervision::venue_in_scope(services, &caller.principal, appeal.venue_id)
            .await?
            .region_code
            .to_string();
    let decided = appeals::decide(
        &services.pool,
        &appeal,
        upheld,
        reason.as_str(),
        services.clock.now(),
        Some(venue_region),
        caller.audit(AuditAction::RATING_APPEAL_DECISION),
    )
    .await?;
    if !decided {
        return Err(AppError::new(
            Slug::AppealDecided,
            "the appeal was decided already",
        ));
    }
    appeals::get(&services.pool, id, &scope)
        .await?
        .map(AppealBody::from)
        .ok_or_else(|| AppError::not_found(Slug::AppealNotFound))
}
