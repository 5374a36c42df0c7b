//! JSON for inspections (体检式暗访, regulators' requirements clause 25):
//! recording and listing a venue's inspections, adding photos to them, and
//! the random draw of venues and inspectors (双随机). The console's form
//! calls the same `app::inspections` functions.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use crate::app::inspections::{
    self, DrawBody, DrawRequestBody, InspectionBody, InspectionList, InspectionRequest, PhotoBody,
    PhotoUpload,
};
use crate::app::path_ids::{parse_draw_id, parse_id, parse_inspection_id};
use crate::app::{AppError, Caller, Slug};
use crate::domain::photo::PhotoType;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// Records an inspection (admins and regulators, within scope): with items
/// the result is the checklist's pass mark against their total, without
/// them `passed` is required. A failed one puts the venue in tier C for 12
/// months, within seconds.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/inspections", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = InspectionRequest,
    responses(
        (status = 201, body = InspectionBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "Bad date (not YYYY-MM-DD, in the future, before 2000); an unknown checklist version (`/problems/unknown-checklist`), an unknown or repeated item key (`/problems/unknown-checklist-item`), points outside an item's range (`/problems/points-out-of-range`); no items and no `passed` (`/problems/passed-required`), or a `passed` the items contradict; overlong findings or findings with a control character"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<InspectionRequest>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    let stored = inspections::record(&state, &caller, venue_id, &request).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A venue's inspections with their items, latest visit first (admins and
/// regulators, within scope).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/inspections", tag = "console",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = InspectionList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = inspections::list(&state, &caller, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// Adds a photo to a recorded inspection (admins and regulators, within
/// scope): the body is the photo itself, sent as `image/jpeg` or
/// `image/png`. It is checked by its bytes (a JPEG's or PNG's first bytes
/// and a header that decodes, matching the type sent), stored under a
/// random name and audited. At most `PHOTO_MAX_BYTES` (default 5 MiB) and
/// `PHOTOS_PER_INSPECTION` (default 10) photos per inspection.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/inspections/{inspection_id}/photos", tag = "console",
    params(
        ("id" = i64, Path, description = "Venue id"),
        ("inspection_id" = i64, Path, description = "Inspection id"),
    ),
    request_body(content = Vec<u8>, description = "The photo's bytes", content_type = "image/jpeg"),
    responses(
        (status = 201, body = PhotoBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue or inspection, or outside the caller's scope"),
        (status = 413, description = "A photo over the size limit"),
        (status = 422, description = "Not sent as image/jpeg or image/png (`/problems/unsupported-photo-type`); bytes that are not a readable JPEG or PNG, or not of the type sent (`/problems/invalid-photo`); an inspection that already holds the most photos (`/problems/too-many-photos`)"),
    ),
    security(("bearer" = []))
)]
pub async fn add_photo(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (venue, inspection) = path.into_inner();
    let venue_id = parse_id(&venue)?;
    let inspection_id = parse_inspection_id(&inspection)?;
    let sent_as = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let declared = PhotoType::of_media_type(sent_as).ok_or_else(|| {
        AppError::new(
            Slug::UnsupportedPhotoType,
            format!("send the photo as image/jpeg or image/png, not {sent_as:?}"),
        )
    })?;
    let max_bytes = state.settings.photo_limits.max_bytes;
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| ApiError::BadBody(err.to_string()))?;
        if bytes.len() + chunk.len() > max_bytes {
            return Err(ApiError::BodyTooLarge { max_bytes });
        }
        bytes.extend_from_slice(&chunk);
    }
    let upload = PhotoUpload {
        file_name: String::new(),
        declared: Some(declared),
        bytes,
    };
    let stored = inspections::add_photo(&state, &caller, (venue_id, inspection_id), upload).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// Draws venues of a region and inspectors for each visit (双随机; admins,
/// and regulators within their region): open venues, weighted towards lower
/// tiers and recent complaints, reproducible from the stored seed.
#[utoipa::path(
    post, path = "/api/v1/inspection-draws", tag = "console",
    request_body = DrawRequestBody,
    responses(
        (status = 201, body = DrawBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a region outside the caller's scope"),
        (status = 404, description = "Unknown region"),
        (status = 422, description = "A count outside 1–500, an empty, repeated or overlong inspector name, or more inspectors per visit than the pool holds (`/problems/invalid-draw`); not a six-digit region code"),
    ),
    security(("bearer" = []))
)]
pub async fn draw(
    caller: Caller,
    state: web::Data<AppState>,
    JsonBody(request): JsonBody<DrawRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let stored = inspections::draw(&state, &caller, &request).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A stored draw with its picks (admins, and regulators for draws of their region).
#[utoipa::path(
    get, path = "/api/v1/inspection-draws/{id}", tag = "console",
    params(("id" = i64, Path, description = "Draw id")),
    responses(
        (status = 200, body = DrawBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown draw, or of a region outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn get_draw(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_draw_id(&path)?;
    Ok(HttpResponse::Ok().json(inspections::get_draw(&state, &caller, id).await?))
}
