//! `POST /api/v1/ratings/{id}/quarantine` and `.../release`: take a suspicious
//! rating out of every score, or put it back. Nothing is deleted; each action
//! is logged with who, when and why.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::Caller;
use crate::domain::audit::AuditAction;
use crate::domain::moderation::{ModerationReason, ReasonError};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::ratings::parse_json;
use crate::store::ScopeFilter;
use crate::store::moderation::{self, Moderation};
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
    pub rating_id: i64,
    /// Its venue.
    pub venue_id: i64,
    /// Whether it is now quarantined.
    pub quarantined: bool,
    /// Since when, if quarantined.
    pub quarantined_at: Option<DateTime<Utc>>,
    /// The reason given.
    pub reason: String,
}

/// Quarantines a rating (admin or regulator, within scope): it stops counting in every score.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/quarantine", tag = "ratings",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = ModerationBody),
        (status = 400, description = "Malformed JSON, or a body that cannot be read"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff may not moderate"),
        (status = 404, description = "Unknown rating, or outside the caller's scope"),
        (status = 409, description = "Already quarantined"),
        (status = 422, description = "Missing or overlong reason, or one holding a control character or a direction override (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn quarantine(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    moderate(caller, &state, &path, &body, true).await
}

/// Releases a quarantined rating (admin or regulator, within scope): it counts again.
#[utoipa::path(
    post, path = "/api/v1/ratings/{id}/release", tag = "ratings",
    params(("id" = i64, Path, description = "Rating id")),
    request_body = ModerationRequest,
    responses(
        (status = 200, body = ModerationBody),
        (status = 400, description = "Malformed JSON, or a body that cannot be read"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff may not moderate"),
        (status = 404, description = "Unknown rating, or outside the caller's scope"),
        (status = 409, description = "Not quarantined"),
        (status = 422, description = "Missing or overlong reason, or one holding a control character or a direction override (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn release(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    moderate(caller, &state, &path, &body, false).await
}

async fn moderate(
    caller: Caller,
    state: &AppState,
    path: &str,
    body: &[u8],
    quarantine: bool,
) -> Result<HttpResponse, ApiError> {
    let rating_id = path
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound("rating"))?;
    let request: ModerationRequest = parse_json(body)?;
    let reason = parse_reason(&request.reason)?;
    let done = moderate_rating(state, &caller, rating_id, &reason, quarantine).await?;
    Ok(HttpResponse::Ok().json(done))
}

/// A moderation reason, or the 422 that refuses it.
pub fn parse_reason(raw: &str) -> Result<ModerationReason, ApiError> {
    ModerationReason::parse(raw).map_err(|err| {
        let kind = match err {
            ReasonError::Empty => "reason-required",
            ReasonError::TooLong => "text-too-long",
            ReasonError::ControlCharacter => "control-character",
        };
        ApiError::invalid(kind, err.to_string())
    })
}

/// Quarantines (`quarantine = true`) or releases a rating within the caller's
/// scope, with an audit row in the same transaction, and follows it in
/// today's live counters. Shared by the JSON route and the console's forms.
pub async fn moderate_rating(
    state: &AppState,
    caller: &Caller,
    rating_id: i64,
    reason: &ModerationReason,
    quarantine: bool,
) -> Result<ModerationBody, ApiError> {
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
    let action = if quarantine {
        AuditAction::RATING_QUARANTINE
    } else {
        AuditAction::RATING_RELEASE
    };
    let outcome = moderation::moderate(
        &state.pool,
        rating_id,
        quarantine,
        reason,
        &scope,
        caller.audit(action),
    )
    .await?;
    match outcome {
        Moderation::UnknownRating => Err(ApiError::NotFound("rating")),
        Moderation::AlreadyThere => Err(ApiError::Conflict {
            kind: if quarantine {
                "already-quarantined"
            } else {
                "not-quarantined"
            },
            detail: if quarantine {
                "this rating is already quarantined".into()
            } else {
                "this rating is not quarantined".into()
            },
        }),
        Moderation::Done {
            venue_id,
            day,
            region_code,
            category,
            quarantined_at,
        } => {
            if day == state.clock.today() {
                adjust_live_counters(state, venue_id, &region_code, &category, day, quarantine)
                    .await;
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

/// Today's live counters count ratings that count: follow the aggregate.
/// Best effort; `qrfeedback reconcile` repairs a miss.
async fn adjust_live_counters(
    state: &AppState,
    venue_id: i64,
    region_code: &str,
    category: &str,
    day: chrono::NaiveDate,
    quarantine: bool,
) {
    let delta = if quarantine { -1 } else { 1 };
    let Ok(regions) = state.reference.regions().await else {
        return;
    };
    let counts = DayCounts {
        venues: vec![(venue_id, delta)],
        regions: regions
            .ancestors(region_code)
            .into_iter()
            .map(|r| (r.code.clone(), delta))
            .collect(),
        categories: vec![(category.to_owned(), delta)],
    };
    if state.live.add_counters(day, &counts).await.is_err() {
        tracing::info!(
            venue_id,
            "live counters not adjusted (Redis down); reconcile repairs them"
        );
    }
}
