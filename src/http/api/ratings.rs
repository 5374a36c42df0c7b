//! `POST /api/v1/ratings`: the JSON entry to the shared write path.

use crate::domain::ids::{RatingId, VenueId};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::app::intake::{Receipt, Submission};
use crate::domain::rating::{DeviceId, RatingError, RatingInput, RawRating};
use crate::error::ApiError;
use crate::http::AppState;
pub use crate::http::client::client_ip;
use crate::store::venues::CodeStatus;

/// Largest accepted JSON body, in bytes.
pub const MAX_JSON_BYTES: usize = 16 * 1024;

/// Parses a JSON body: not JSON at all is 400; JSON of the wrong shape is 422.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        // A shape error can surface before the parser reaches broken syntax
        // further on ("[1,2"): only well-formed JSON is a 422.
        let well_formed = serde_json::from_slice::<serde::de::IgnoredAny>(body);
        match (e.classify(), well_formed) {
            (serde_json::error::Category::Data, Ok(_)) => {
                ApiError::invalid("invalid-body", e.to_string())
            }
            (_, Err(syntax)) => ApiError::MalformedJson(syntax.to_string()),
            _ => ApiError::MalformedJson(e.to_string()),
        }
    })
}

/// Hash of a JSON body with its keys sorted, so the same request written
/// with another key order or spacing counts as the same for idempotency.
fn canonical_hash(body: &[u8]) -> [u8; 32] {
    let canonical = serde_json::from_slice::<serde_json::Value>(body)
        .map(|value| value.to_string())
        .unwrap_or_default();
    Sha256::digest(canonical.as_bytes()).into()
}

/// Optional dimension stars.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionsBody {
    /// Service environment (服务环境), 1–5.
    pub environment: Option<i64>,
    /// Service skill (服务技能), 1–5.
    pub skill: Option<i64>,
    /// Service attitude (服务意识), 1–5.
    pub attitude: Option<i64>,
}

/// A complaint: a description, or an object with a description and a contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ComplaintBody {
    /// Just the description.
    Text(String),
    /// Description and optional contact.
    Detailed {
        /// What went wrong.
        text: String,
        /// Phone or e-mail for the handling regulator (stored encrypted).
        contact: Option<String>,
    },
}

/// Body of `POST /api/v1/ratings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRating {
    /// The venue code from the QR code.
    pub code: String,
    /// A stable id of the rating device, 8–64 of `[A-Za-z0-9_-]`; issued when absent.
    pub device_id: Option<String>,
    /// Overall stars, 1–5.
    pub overall: i64,
    /// Optional dimension stars.
    pub dimensions: Option<DimensionsBody>,
    /// Quick tag keys, e.g. "friendly_staff", "forced_shopping".
    #[serde(default)]
    pub tags: Vec<String>,
    /// Optional comment, at most 500 characters.
    pub comment: Option<String>,
    /// Optional complaint.
    pub complaint: Option<ComplaintBody>,
}

impl CreateRating {
    /// The rating's content, parsed into domain types as the write path takes it.
    pub fn rating_input(&self) -> Result<RatingInput, RatingError> {
        let dims = self.dimensions.as_ref();
        let (complaint, contact) = match &self.complaint {
            None => (None, None),
            Some(ComplaintBody::Text(text)) => (Some(text.as_str()), None),
            Some(ComplaintBody::Detailed { text, contact }) => {
                (Some(text.as_str()), contact.as_deref())
            }
        };
        RatingInput::parse(RawRating {
            overall: Some(self.overall),
            environment: dims.and_then(|d| d.environment),
            skill: dims.and_then(|d| d.skill),
            attitude: dims.and_then(|d| d.attitude),
            tags: &self.tags,
            comment: self.comment.as_deref(),
            complaint,
            contact,
        })
    }
}

/// The answer for a stored rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingAccepted {
    /// Rating id.
    pub id: RatingId,
    /// Venue id.
    pub venue_id: VenueId,
    /// The device id the rating counts under (send it again next time).
    pub device_id: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// The local day (Asia/Shanghai) it counts for.
    pub day: NaiveDate,
    /// Complaint tracking code, present when a complaint was filed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_code: Option<String>,
}

impl From<Receipt> for RatingAccepted {
    fn from(r: Receipt) -> Self {
        Self {
            id: r.rating_id,
            venue_id: r.venue_id,
            device_id: r.device_id,
            created_at: r.created_at,
            day: r.day,
            tracking_code: r.tracking_code,
        }
    }
}

/// Stores a rating.
#[utoipa::path(
    post, path = "/api/v1/ratings", tag = "ratings",
    request_body = CreateRating,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body → the same answer replayed; same key, other body → 422")),
    responses(
        (status = 201, description = "Stored (or replayed)", body = RatingAccepted),
        (status = 400, description = "Malformed JSON"),
        (status = 404, description = "Unknown venue code"),
        (status = 409, description = "This device already rated this venue today; a complaint sent with it is filed all the same and the problem body carries its `tracking_code`"),
        (status = 410, description = "The venue code was replaced, or the venue is closed (`venue-closed`)"),
        (status = 413, description = "Body over 16 KiB (problem+json)"),
        (status = 422, description = "Invalid value, unknown tag, oversized text, text with control characters other than newline and tab, reused Idempotency-Key"),
        (status = 429, description = "Too many ratings from this address"),
        (status = 503, description = "Database unavailable; nothing stored"),
    )
)]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateRating = match parse_json(&body) {
        Ok(parsed) => parsed,
        Err(err) => {
            state.metrics.rating_outcome(err.slug());
            return Err(err);
        }
    };
    let result = accept(&req, &state, &body, request).await;
    if let Err(err) = &result {
        // Intake counts its own outcomes; these failed before reaching it.
        if matches!(
            err,
            ApiError::Invalid { .. }
                | ApiError::NotFound(_)
                | ApiError::CodeReplaced
                | ApiError::App(_)
        ) {
            state.metrics.rating_outcome(err.slug());
        }
    }
    result
}

async fn accept(
    req: &HttpRequest,
    state: &AppState,
    body: &[u8],
    request: CreateRating,
) -> Result<HttpResponse, ApiError> {
    let idempotency_key = idempotency_key(req)?;
    let input = request.rating_input()?;
    let device = match (&request.device_id, &idempotency_key) {
        (Some(raw), _) => DeviceId::parse(raw)?,
        (None, Some(key)) => state.secrets.device_for_idempotency_key(key),
        (None, None) => DeviceId::generate(),
    };
    let venue = match state.resolve_code(&request.code).await? {
        CodeStatus::Active(card) => card,
        CodeStatus::Closed(_) => return Err(venue_closed().into()),
        CodeStatus::Replaced => return Err(ApiError::CodeReplaced),
        CodeStatus::Unknown => return Err(ApiError::NotFound("venue code")),
    };
    let idempotency = idempotency_key.map(|key| (key, canonical_hash(body)));
    let receipt = state
        .intake
        .submit(Submission {
            venue,
            input,
            device,
            form_nonce: None,
            idempotency,
            client_ip: client_ip(req),
        })
        .await?;
    let mut response = HttpResponse::Created();
    if receipt.replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(response.json(RatingAccepted::from(receipt)))
}

/// The refusal of a rating for a closed venue.
fn venue_closed() -> crate::app::AppError {
    crate::app::AppError::new(
        crate::app::Slug::VenueClosed,
        "this venue is closed and takes no ratings",
    )
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "invalid-idempotency-key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(Some(key.to_owned()))
}
