//! What a venue shows of itself and answers: its visitors' comments by day
//! with its replies and its public service commitment (its Chief Quality
//! Officer is `app::quality_officers`). The JSON API and the dashboard share these.

use crate::app::paging::{PageSize, Paging};
use crate::domain::ids::{RatingId, VenueId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::venue_profile::{CommitmentText, ProfileError, ReplyText};
use crate::store::ScopeFilter;
use crate::store::dashboard::{self, CommentDay, CommentFilter, Commitment, ReplyOutcome};
use crate::store::venues;

/// A venue's comments: 30 a page, on the JSON route and on the dashboard alike.
const COMMENT_PAGES: PageSize = PageSize::fixed(30);

/// The caller's scope as SQL parameters.
pub async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// A refused field, with a stable slug per kind of mistake.
impl From<ProfileError> for AppError {
    fn from(err: ProfileError) -> Self {
        let slug = match err {
            ProfileError::Empty { .. } => Slug::TextRequired,
            ProfileError::TooLong { .. } => Slug::TextTooLong,
            ProfileError::ControlCharacter { .. } => Slug::ControlCharacter,
            ProfileError::BadDate | ProfileError::FutureDate => Slug::InvalidDate,
            ProfileError::UnknownStatus => Slug::InvalidRegistrationStatus,
        };
        AppError::new(slug, err.to_string())
    }
}

/// Query of `GET /api/v1/venues/{id}/comments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentsQuery {
    /// Page, from 1 (default 1); each holds up to 30 comments.
    pub page: Option<String>,
}

/// Reads a page number of a venue's comments: absent or empty is page 1.
pub fn parse_page(raw: Option<&str>) -> Result<Paging, AppError> {
    Paging::parse(raw, None, COMMENT_PAGES, Slug::InvalidPage)
}

/// The first page of a venue's comments.
pub const FIRST_COMMENTS: Paging = Paging::first(COMMENT_PAGES);

/// The venue's public reply to a comment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyView {
    /// The reply.
    pub body: String,
    /// Local day (Asia/Shanghai) of its last change.
    pub replied_on: NaiveDate,
}

/// One visitor comment: its day, never its time, device or address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentBody {
    /// The rating, to reply to.
    pub rating_id: RatingId,
    /// Overall stars, 1–5.
    pub overall: i16,
    /// Quick tags chosen with the rating.
    pub tags: Vec<String>,
    /// The comment.
    pub comment: String,
    /// The venue's reply, `null` without one.
    pub reply: Option<ReplyView>,
}

/// The comments of one local day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentDayBody {
    /// Local day (Asia/Shanghai).
    pub day: NaiveDate,
    /// Its comments, newest first.
    pub comments: Vec<CommentBody>,
}

impl From<CommentDay> for CommentDayBody {
    fn from(day: CommentDay) -> Self {
        Self {
            day: day.day,
            comments: day
                .comments
                .into_iter()
                .map(|c| CommentBody {
                    rating_id: c.rating_id,
                    overall: c.overall,
                    tags: c.tags,
                    comment: c.text,
                    reply: c.reply.map(|r| ReplyView {
                        body: r.body,
                        replied_on: r.replied_on,
                    }),
                })
                .collect(),
        }
    }
}

/// A page of a venue's comments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentsPage {
    /// Venue id.
    pub venue_id: VenueId,
    /// This page, from 1.
    pub page: i64,
    /// Comments per page.
    pub per_page: i64,
    /// Comments in all (quarantined ratings are not counted).
    pub total: i64,
    /// Pages in all (at least 1).
    pub pages: i64,
    /// This page's comments by local day, newest day first.
    pub days: Vec<CommentDayBody>,
}

/// Loads a page of a venue's comments that pass `filter`; a venue outside
/// `scope` is not found.
pub async fn comments(
    services: &Services,
    venue_id: VenueId,
    scope: &ScopeFilter,
    filter: CommentFilter,
    paging: Paging,
) -> Result<CommentsPage, AppError> {
    venues::in_scope(&services.pool, venue_id, scope)
        .await?
        .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    let total = dashboard::comment_count(&services.pool, venue_id, scope, filter).await?;
    let days = dashboard::comments_by_day(
        &services.pool,
        venue_id,
        scope,
        filter,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(CommentsPage {
        venue_id,
        page: paging.page,
        per_page: paging.per_page,
        total,
        pages: paging.pages(total),
        days: days.into_iter().map(CommentDayBody::from).collect(),
    })
}

/// Body of `POST /api/v1/ratings/{id}/reply`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// The reply, 1–500 characters; shown under the comment on the public venue page.
    pub body: String,
}

/// A stored reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedReplyBody {
    /// The rating answered.
    pub rating_id: RatingId,
    /// Its venue.
    pub venue_id: VenueId,
    /// The reply.
    pub body: String,
    /// Local day of this version.
    pub replied_on: NaiveDate,
    /// Whether it replaced an earlier reply.
    pub replaced: bool,
}

/// Publishes the venue's reply to a comment within the caller's scope (and,
/// given `venue_id`, of that venue): a rating has one public reply, so a
/// second replaces the first and the audit log keeps both. Answers the
/// stored reply and whether it is the first.
pub async fn reply(
    services: &Services,
    caller: &Caller,
    rating_id: RatingId,
    venue_id: Option<VenueId>,
    text: &ReplyText,
) -> Result<(SavedReplyBody, bool), AppError> {
    let scope = scope_of(services, caller).await?;
    let outcome = dashboard::save_reply(
        &services.pool,
        rating_id,
        venue_id,
        text,
        &scope,
        caller.audit(AuditAction::RATING_REPLY),
    )
    .await?;
    let (reply, created) = reply_outcome(outcome)?;
    services.venue_views.forget(&[reply.venue_id]).await;
    let body = SavedReplyBody {
        rating_id: reply.rating_id,
        venue_id: reply.venue_id,
        body: reply.body,
        replied_on: reply.replied_on,
        replaced: !created,
    };
    Ok((body, created))
}

/// The stored reply and whether it is the first, or the error a refusal is.
pub fn reply_outcome(outcome: ReplyOutcome) -> Result<(dashboard::SavedReply, bool), AppError> {
    match outcome {
        ReplyOutcome::Saved { reply, created } => Ok((reply, created)),
        ReplyOutcome::UnknownRating => Err(AppError::not_found(Slug::RatingNotFound)),
        ReplyOutcome::NoComment => Err(AppError::new(
            Slug::NoComment,
            "this rating has no comment to reply to",
        )),
    }
}

/// Body of `PUT /api/v1/venues/{id}/commitment`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentRequest {
    /// The service-quality commitment (服务质量承诺), 1–1000 characters.
    pub text: String,
}

/// A venue's published commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentBody {
    /// Venue id.
    pub venue_id: VenueId,
    /// The commitment.
    pub text: String,
    /// When the venue first published one.
    pub published_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Commitment> for CommitmentBody {
    fn from(c: Commitment) -> Self {
        Self {
            venue_id: c.venue_id,
            text: c.text,
            published_at: c.published_at,
            updated_at: c.updated_at,
        }
    }
}

/// Publishes or replaces a venue's service commitment within the caller's scope.
pub async fn commitment(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    text: &CommitmentText,
) -> Result<CommitmentBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let saved = dashboard::save_commitment(
        &services.pool,
        venue_id,
        text,
        &scope,
        caller.audit(AuditAction::VENUE_COMMITMENT),
    )
    .await?
    .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    services.venue_views.forget(&[venue_id]).await;
    Ok(CommitmentBody::from(saved))
}
