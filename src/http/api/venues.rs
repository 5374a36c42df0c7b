//! `/api/v1/venues`: create a venue, read it, reissue its code.

use crate::domain::ids::VenueId;
use crate::domain::venue::RegionCode;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::Caller;
use crate::app::path_ids::parse_id;
use crate::domain::audit::AuditAction;
use crate::domain::venue::NewVenue;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::http::auth::access::MaybeCaller;
use crate::store::ScopeFilter;
use crate::store::venues::{self, PublicVenue, Venue};

/// Body of `POST /api/v1/venues`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVenue {
    /// Display name, 1–200 characters on one line; control characters are
    /// refused, direction overrides dropped.
    pub name: String,
    /// Six-digit region code, e.g. "652801".
    #[schema(example = "652801")]
    pub region_code: String,
    /// Category key, e.g. "hotel".
    #[schema(example = "hotel")]
    pub category: String,
    /// Optional address, up to 500 characters; control characters other
    /// than newline and tab are refused, direction overrides dropped.
    pub address: Option<String>,
}

/// A venue as the API shows it: the code, its rating URL and the QR links
/// only to the venue's staff and the regulators and admins over it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueBody {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Region code.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// Address, if any.
    pub address: Option<String>,
    /// The venue's public page.
    pub page_url: String,
    /// The venue's score.
    pub score_url: String,
    /// The live venue code (staff of the venue, regulators and admins in scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The URL in the QR code: `PUBLIC_BASE_URL/r/{code}` (as `code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_url: Option<String>,
    /// PNG of the QR code (as `code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_png_url: Option<String>,
    /// SVG of the QR code (as `code`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr_svg_url: Option<String>,
    /// When the venue was created.
    pub created_at: DateTime<Utc>,
    /// When the venue closed, if it has: its code page then takes no
    /// ratings; its scores and public page stay.
    pub closed_at: Option<DateTime<Utc>>,
}

impl VenueBody {
    /// The shape anyone may see.
    fn public(state: &AppState, venue: PublicVenue) -> Self {
        let base = &state.settings.public_base_url;
        Self {
            page_url: format!("{base}/v/{}", venue.id),
            score_url: format!("{base}/api/v1/venues/{}/score", venue.id),
            id: venue.id,
            name: venue.name,
            region_code: venue.region_code,
            category: venue.category,
            address: venue.address,
            code: None,
            rating_url: None,
            qr_png_url: None,
            qr_svg_url: None,
            created_at: venue.created_at,
            closed_at: venue.closed_at,
        }
    }

    /// The shape for a caller the venue lies in the scope of.
    fn with_code(state: &AppState, venue: Venue) -> Self {
        let base = &state.settings.public_base_url;
        let id = venue.id;
        let rating_url = state.rating_url(&venue.code);
        Self {
            code: Some(venue.code),
            rating_url: Some(rating_url),
            qr_png_url: Some(format!("{base}/api/v1/venues/{id}/qr.png")),
            qr_svg_url: Some(format!("{base}/api/v1/venues/{id}/qr.svg")),
            ..Self::public(
                state,
                PublicVenue {
                    id,
                    name: venue.name,
                    address: venue.address,
                    region_code: venue.region_code,
                    category: venue.category,
                    created_at: venue.created_at,
                    closed_at: venue.closed_at,
                },
            )
        }
    }
}

/// Creates a venue (admin, or a regulator within its region).
#[utoipa::path(
    post, path = "/api/v1/venues", tag = "venues",
    request_body = CreateVenue,
    responses(
        (status = 201, description = "Created", body = VenueBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a region outside the caller's scope"),
        (status = 422, description = "Invalid field, unknown region or category"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    JsonBody(request): JsonBody<CreateVenue>,
) -> Result<HttpResponse, ApiError> {
    let new = NewVenue::parse(
        &request.name,
        &request.region_code,
        &request.category,
        request.address.as_deref(),
    )?;
    let venue = crate::app::venue_admin::create(&state, &caller, &new).await?;
    let location = format!("/api/v1/venues/{}", venue.id);
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(VenueBody::with_code(&state, venue)))
}

/// Reads a venue: anyone gets its public shape; its staff and the
/// regulators and admins over it also get its code, rating URL and QR links.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}", tag = "venues",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = VenueBody),
        (status = 401, description = "A bearer token was sent and is not valid"),
        (status = 404, description = "Unknown venue"),
    )
)]
pub async fn get(
    caller: MaybeCaller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    if let Some(caller) = &caller.0 {
        let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
        if let Some(venue) = venues::in_scope(&state.pool, id, &scope).await? {
            return Ok(HttpResponse::Ok().json(VenueBody::with_code(&state, venue)));
        }
    }
    let venue = venues::public(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    Ok(HttpResponse::Ok().json(VenueBody::public(&state, venue)))
}

/// Replaces a venue's code (any role, within scope): the old code then answers "replaced".
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/code", tag = "venues",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, description = "The venue with its new code", body = VenueBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn reissue_code(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let venue = reissue(&state, &caller, id).await?;
    Ok(HttpResponse::Ok().json(VenueBody::with_code(&state, venue)))
}

/// Replaces a venue's code within the caller's scope and forgets the old one
/// in this instance's cache; the venue with its new code.
pub async fn reissue(state: &AppState, caller: &Caller, id: VenueId) -> Result<Venue, ApiError> {
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
    let old = venues::in_scope(&state.pool, id, &scope)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let code = venues::reissue_code(
        &state.pool,
        state.secrets.code_key(),
        id,
        &scope,
        caller.audit(AuditAction::VENUE_REISSUE_CODE),
    )
    .await?
    .ok_or(ApiError::NotFound("venue"))?;
    state.forget_code(&old.code).await;
    Ok(Venue { code, ..old })
}
