//! Bad-rating cases (差评): a rating of one or two stars with a comment is a
//! light case for its venue. The venue verifies it within one working day
//! and fixes what it found within fifteen days; its public reply is shown
//! beside the comment on the venue's page. Due dates count in the
//! working-day calendar.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::supervision::venue_in_scope;
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::Role;
use crate::domain::audit::AuditAction;
use crate::domain::complaint::case_text;
use crate::domain::day::day_end;
use crate::domain::ids::{RatingId, VenueId};
use crate::store::ScopeFilter;
use crate::store::bad_ratings::{self, Stepped};

/// Working days the venue has to verify a bad rating.
pub const VERIFY_WORKING_DAYS: u32 = 1;
/// Days the venue has to fix what a bad rating found.
pub const FIX_DAYS: i64 = 15;
/// How far back the list reaches.
const LIST_DAYS: i64 = 365;

/// A bad-rating case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadRatingCase {
    /// The rating.
    pub rating_id: RatingId,
    /// Its local day.
    pub day: NaiveDate,
    /// 1 or 2 stars.
    pub overall: i16,
    /// The visitor's comment.
    pub comment: String,
    /// The venue's public reply, shown beside the comment.
    pub reply: Option<String>,
    /// `open`, `verified` or `fixed`.
    pub state: &'static str,
    /// Verify by then.
    pub verify_due_at: DateTime<Utc>,
    /// Fix by then.
    pub fix_due_at: DateTime<Utc>,
    /// Past the due date of the step it waits for.
    pub overdue: bool,
    /// When it was verified.
    pub verified_at: Option<DateTime<Utc>>,
    /// When it was fixed.
    pub fixed_at: Option<DateTime<Utc>>,
    /// What was fixed.
    pub fix_note: Option<String>,
}

/// A venue's bad-rating cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BadRatingList {
    /// The venue.
    pub venue_id: VenueId,
    /// Its low ratings with a comment in the last year, newest first.
    pub items: Vec<BadRatingCase>,
}

/// Body of `POST /api/v1/ratings/{id}/bad-rating-case`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BadRatingStep {
    /// `verified`, then `fixed`.
    pub step: String,
    /// What was fixed (required for `fixed`), up to 1000 characters.
    pub note: Option<String>,
}

/// A venue's bad-rating cases, with due dates from the calendar.
pub async fn list(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<BadRatingList, AppError> {
    let venue = venue_in_scope(services, &caller.principal, venue_id).await?;
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    let today = services.clock.today();
    let now = services.clock.now();
    let calendar = services.case_rules.calendar().await?;
    let rows = bad_ratings::list(
        &services.pool,
        venue.id,
        &scope,
        today - Duration::days(LIST_DAYS),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let verify_due_at = day_end(calendar.add_working_days(r.day, VERIFY_WORKING_DAYS));
            let fix_due_at = day_end(r.day + Duration::days(FIX_DAYS));
            let (state, due) = match (r.verified_at, r.fixed_at) {
                (_, Some(_)) => ("fixed", None),
                (Some(_), None) => ("verified", Some(fix_due_at)),
                (None, None) => ("open", Some(verify_due_at)),
            };
            BadRatingCase {
                rating_id: r.rating_id,
                day: r.day,
                overall: r.overall,
                comment: r.comment,
                reply: r.reply,
                state,
                verify_due_at,
                fix_due_at,
                overdue: due.is_some_and(|due| due < now),
                verified_at: r.verified_at,
                fixed_at: r.fixed_at,
                fix_note: r.fix_note,
            }
        })
        .collect();
    Ok(BadRatingList {
        venue_id: venue.id,
        items,
    })
}

/// The venue's step on a bad rating: `verified`, then `fixed` with a note;
/// `of_venue`, when given, is the venue the rating must be of.
pub async fn step(
    services: &Services,
    caller: &Caller,
    (rating_id, of_venue): (RatingId, Option<VenueId>),
    request: &BadRatingStep,
) -> Result<(), AppError> {
    if caller.principal.role != Role::VenueStaff {
        return Err(AppError::forbidden(
            "a bad-rating case is the venue's to work",
        ));
    }
    let fixed = match request.step.trim() {
        "verified" => false,
        "fixed" => true,
        _ => {
            return Err(AppError::new(
                Slug::InvalidQuery,
                "step must be verified or fixed",
            ));
        }
    };
    let note = case_text(request.note.as_deref())?;
    if fixed && note.is_none() {
        return Err(AppError::new(Slug::TextRequired, "say what was fixed"));
    }
    let scope = ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    );
    match bad_ratings::step(
        &services.pool,
        (rating_id, of_venue),
        fixed,
        note.as_deref(),
        &scope,
        services.clock.now(),
        caller.audit(AuditAction::RATING_BAD_RATING_STEP),
    )
    .await?
    {
        Stepped::Done => Ok(()),
        Stepped::NotACase => Err(AppError::not_found(Slug::RatingNotFound)),
        Stepped::OutOfOrder => Err(AppError::new(
            Slug::TransitionNotAllowed,
            "verify a bad rating once, then mark it fixed once",
        )),
    }
}
