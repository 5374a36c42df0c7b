//! `/api/v1/venues`: create a venue, read it, reissue its code.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::access::Caller;
use super::ratings::parse_json;
use crate::domain::venue::NewVenue;
use crate::error::ApiError;
use crate::store::ScopeFilter;
use crate::store::venues::{self, CreateVenueError, Venue};

/// Body of `POST /api/v1/venues`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVenue {
    /// Display name, 1–200 characters.
    pub name: String,
    /// Six-digit region code, e.g. "652801".
    #[schema(example = "652801")]
    pub region_code: String,
    /// Category key, e.g. "hotel".
    #[schema(example = "hotel")]
    pub category: String,
    /// Optional address, up to 500 characters.
    pub address: Option<String>,
}

/// A venue as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueBody {
    /// Venue id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Category key.
    pub category: String,
    /// Address, if any.
    pub address: Option<String>,
    /// The live venue code.
    pub code: String,
    /// The URL in the QR code: `PUBLIC_BASE_URL/r/{code}`.
    pub rating_url: String,
    /// PNG of the QR code.
    pub qr_png_url: String,
    /// SVG of the QR code.
    pub qr_svg_url: String,
    /// When the venue was created.
    pub created_at: DateTime<Utc>,
}

impl VenueBody {
    fn new(state: &AppState, venue: Venue) -> Self {
        let base = &state.settings.public_base_url;
        Self {
            rating_url: state.rating_url(&venue.code),
            qr_png_url: format!("{base}/api/v1/venues/{}/qr.png", venue.id),
            qr_svg_url: format!("{base}/api/v1/venues/{}/qr.svg", venue.id),
            id: venue.id,
            name: venue.name,
            region_code: venue.region_code,
            category: venue.category,
            address: venue.address,
            code: venue.code,
            created_at: venue.created_at,
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
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: CreateVenue = parse_json(&body)?;
    let new = NewVenue::parse(
        &request.name,
        &request.region_code,
        &request.category,
        request.address.as_deref(),
    )?;
    let regions = state.scores.regions().await?;
    // An unknown region is left to the database (422); a known one must lie in scope.
    if regions.get(new.region_code.as_str()).is_some()
        && !caller
            .principal
            .scope
            .covers_region(&regions, new.region_code.as_str())
    {
        return Err(ApiError::Forbidden(format!(
            "region {} is outside your scope",
            new.region_code.as_str()
        )));
    }
    let audit = caller.audit("venue.create");
    let venue = venues::create(&state.pool, state.secrets.code_key(), &new, audit)
        .await
        .map_err(|err| match err {
            CreateVenueError::UnknownRegion => ApiError::invalid(
                "unknown-region",
                format!(
                    "region_code {} is not a known region",
                    new.region_code.as_str()
                ),
            ),
            CreateVenueError::UnknownCategory => ApiError::invalid(
                "unknown-category",
                format!("category {} is not a known category", new.category.as_str()),
            ),
            CreateVenueError::Store(err) => err.into(),
        })?;
    let location = format!("/api/v1/venues/{}", venue.id);
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(VenueBody::new(&state, venue)))
}

/// Reads a venue.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}", tag = "venues",
    params(("id" = i64, Path, description = "Venue id")),
    responses((status = 200, body = VenueBody), (status = 404, description = "Unknown venue"))
)]
pub async fn get(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let venue = venues::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    Ok(HttpResponse::Ok().json(VenueBody::new(&state, venue)))
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
    Ok(HttpResponse::Ok().json(VenueBody::new(&state, venue)))
}

/// Replaces a venue's code within the caller's scope and forgets the old one
/// in this instance's cache; the venue with its new code.
pub async fn reissue(state: &AppState, caller: &Caller, id: i64) -> Result<Venue, ApiError> {
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.scores.regions().await?);
    let old = venues::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let code = venues::reissue_code(
        &state.pool,
        state.secrets.code_key(),
        id,
        &scope,
        caller.audit("venue.reissue_code"),
    )
    .await?
    .ok_or(ApiError::NotFound("venue"))?;
    state.forget_code(&old.code).await;
    Ok(Venue { code, ..old })
}

/// Parses a path id; anything that is not a positive integer is simply not found.
pub fn parse_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(ApiError::NotFound("venue"))
}
