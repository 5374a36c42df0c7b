//! The one error type of the JSON API, mapped to problem+json in one place.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::app::intake::IntakeError;
use crate::app::{AppError, Kind};
use crate::domain::rating::RatingError;
use crate::domain::venue::VenueError;
use crate::store::StoreError;

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_UNAVAILABLE_SECS: u64 = 5;

/// Everything a JSON route can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON at all.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body could not be read (cut short, badly encoded).
    #[error("the request body could not be read: {0}")]
    BadBody(String),
    /// The body is over the size limit.
    #[error("the request body is larger than {max_bytes} bytes")]
    BodyTooLarge {
        /// The limit.
        max_bytes: usize,
    },
    /// Well-formed but invalid input; `kind` is the stable problem slug.
    #[error("{detail}")]
    Invalid {
        /// Stable slug, the last part of the problem `type`.
        kind: &'static str,
        /// What is wrong, for a person.
        detail: String,
    },
    /// No bearer token where one is required.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// A bearer token that is malformed, unknown, revoked or expired, or
    /// whose owning account may no longer act: refused on every route.
    #[error("the bearer token is malformed, unknown, revoked or expired")]
    InvalidToken,
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Unknown resource.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The address exists but does not take this method.
    #[error("this address does not take the method {method}; see the Allow header")]
    MethodNotAllowed {
        /// The method that was used.
        method: String,
    },
    /// The venue code was replaced by a newer one.
    #[error("this venue code was replaced; scan the venue's current code")]
    CodeReplaced,
    /// The device already rated this venue today; a complaint sent with the
    /// rating was filed all the same.
    #[error("this device already rated this venue today")]
    Duplicate {
        /// Tracking code of the complaint filed with the refused rating.
        tracking_code: Option<String>,
    },
    /// The resource is not in a state that allows the request; `kind` is the slug.
    #[error("{detail}")]
    Conflict {
        /// Stable slug.
        kind: &'static str,
        /// What is wrong, for a person.
        detail: String,
    },
    /// Too many requests.
    #[error("too many ratings from this address for this venue; try again later")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// Postgres is unavailable; nothing was stored.
    #[error("the service is temporarily unavailable; nothing was stored, please retry")]
    Unavailable,
    /// A bug or broken invariant; details are logged, not shown.
    #[error("internal error")]
    Internal,
    /// A use-case's refusal, answered by its slug.
    #[error("{0}")]
    App(AppError),
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    /// A complaint filed with a refused repeat rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking_code: Option<&'a str>,
}

impl ApiError {
    /// The stable problem slug; the `type` is `/problems/{slug}`.
    pub fn slug(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed-json",
            ApiError::BadBody(_) => "unreadable-body",
            ApiError::BodyTooLarge { .. } => "body-too-large",
            ApiError::Invalid { kind, .. } => kind,
            ApiError::Unauthorized | ApiError::InvalidToken => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::CodeReplaced => "code-replaced",
            ApiError::Duplicate { .. } => "duplicate-rating",
            ApiError::Conflict { kind, .. } => kind,
            ApiError::RateLimited { .. } => "rate-limited",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
            ApiError::App(err) => err.slug.problem(),
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "Malformed JSON",
            ApiError::BadBody(_) => "Unreadable body",
            ApiError::BodyTooLarge { .. } => "Body too large",
            ApiError::Invalid { .. } => "Invalid input",
            ApiError::Unauthorized | ApiError::InvalidToken => "Unauthorized",
            ApiError::Forbidden(_) => "Forbidden",
            ApiError::NotFound(_) => "Not found",
            ApiError::MethodNotAllowed { .. } => "Method not allowed",
            ApiError::CodeReplaced => "Code replaced",
            ApiError::Duplicate { .. } => "Already rated today",
            ApiError::Conflict { .. } => "Conflict",
            ApiError::RateLimited { .. } => "Too many requests",
            ApiError::Unavailable => "Service unavailable",
            ApiError::Internal => "Internal error",
            ApiError::App(err) => match err.slug.kind() {
                Kind::Invalid => "Invalid input",
                Kind::NotFound => "Not found",
                Kind::Forbidden => "Forbidden",
                Kind::Conflict => "Conflict",
                Kind::Gone => "Gone",
                Kind::Unavailable => "Service unavailable",
                Kind::Internal => "Internal error",
            },
        }
    }

    /// What went wrong, for a person.
    fn detail(&self) -> String {
        match self {
            ApiError::Duplicate {
                tracking_code: Some(_),
            } => "this device already rated this venue today, so the rating was not counted \
                  again; the complaint was filed: keep its tracking_code"
                .to_owned(),
            other => other.to_string(),
        }
    }

    /// A 422 with a slug and a message.
    pub fn invalid(kind: &'static str, detail: impl Into<String>) -> Self {
        ApiError::Invalid {
            kind,
            detail: detail.into(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::BadBody(_) => StatusCode::BAD_REQUEST,
            ApiError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::CodeReplaced => StatusCode::GONE,
            ApiError::Duplicate { .. } | ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::App(err) => match err.slug.kind() {
                Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                Kind::NotFound => StatusCode::NOT_FOUND,
                Kind::Forbidden => StatusCode::FORBIDDEN,
                Kind::Conflict => StatusCode::CONFLICT,
                Kind::Gone => StatusCode::GONE,
                Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let problem = Problem {
            kind: format!("/problems/{}", self.slug()),
            title: self.title(),
            status: status.as_u16(),
            detail: self.detail(),
            tracking_code: match self {
                ApiError::Duplicate { tracking_code } => tracking_code.as_deref(),
                _ => None,
            },
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        match self {
            ApiError::RateLimited { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            ApiError::Unavailable => {
                response.insert_header((
                    header::RETRY_AFTER,
                    RETRY_AFTER_UNAVAILABLE_SECS.to_string(),
                ));
            }
            ApiError::Unauthorized => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            ApiError::InvalidToken => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#),
                ));
            }
            _ => {}
        }
        response.json(problem)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => ApiError::Unavailable,
            StoreError::Other(err) => {
                tracing::error!(error = %err, "store failure");
                ApiError::Internal
            }
        }
    }
}

/// A use-case's refusal; an outage keeps its `Retry-After`.
impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err.slug.kind() {
            Kind::Unavailable => ApiError::Unavailable,
            Kind::Internal => ApiError::Internal,
            _ => ApiError::App(err),
        }
    }
}

/// A database error met outside the store: classified like the store's own.
impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        StoreError::from(err).into()
    }
}

impl From<RatingError> for ApiError {
    fn from(err: RatingError) -> Self {
        let kind = match &err {
            RatingError::OutOfRange { .. } => "value-out-of-range",
            RatingError::UnknownTag(_) => "unknown-tag",
            RatingError::TooManyTags => "too-many-tags",
            RatingError::TooLong { .. } => "text-too-long",
            RatingError::ControlCharacter { .. } => "control-character",
            RatingError::EmptyComplaint => "empty-complaint",
            RatingError::BadDeviceId => "invalid-device-id",
        };
        ApiError::invalid(kind, err.to_string())
    }
}

impl From<VenueError> for ApiError {
    fn from(err: VenueError) -> Self {
        ApiError::invalid("invalid-venue", err.to_string())
    }
}

impl From<IntakeError> for ApiError {
    fn from(err: IntakeError) -> Self {
        match err {
            IntakeError::Duplicate { tracking_code } => ApiError::Duplicate { tracking_code },
            IntakeError::RateLimited { retry_after_secs } => {
                ApiError::RateLimited { retry_after_secs }
            }
            IntakeError::IdempotencyMismatch => ApiError::invalid(
                "idempotency-key-reused",
                "this Idempotency-Key was already used with a different request body",
            ),
            IntakeError::Refused => ApiError::invalid(
                "unstorable-rating",
                "the rating holds a value that cannot be stored; nothing was stored",
            ),
            IntakeError::Unavailable => ApiError::Unavailable,
            IntakeError::Failed => ApiError::Internal,
        }
    }
}
