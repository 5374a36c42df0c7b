//! Demonstration-unit campaigns over JSON (微笑新疆 示范单位推荐;
//! regulators' requirements section C): create with the quota file, read,
//! ranked proposals per region, the county's list (confirm, swap, add, take
//! off, submit), the prefecture's review and award, the units' deeds and
//! ambassadors, and the forms 附件2–5 as .xlsx.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::campaigns::{
    self, AmbassadorRequest, AwardBody, CampaignBody, CampaignList, CreateCampaignRequest,
    CreateError, DeedsRequest, Form, NominateRequest, NominationBody, NominationList, Proposals,
    ReasonRequest, ReviewRequest, VenueNominationBody,
};
use crate::app::path_ids::{parse_campaign_id, parse_id};
use crate::app::{AppError, Caller, Slug};
use crate::domain::campaign_forms::FilledBy;
use crate::domain::ids::VenueId;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::http::export::file_stem;

/// Creates a campaign of a prefecture with its quotas (prefecture or
/// province regulators over it, and admins). The quota file is checked row
/// by row: an unknown region, one outside the prefecture, a region given
/// twice or a quota that is not a whole number above zero is reported by
/// row and column in `errors`, and nothing is stored.
#[utoipa::path(
    post, path = "/api/v1/campaigns", tag = "campaigns",
    request_body = CreateCampaignRequest,
    responses(
        (status = 201, body = CampaignBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a county regulator, or a regulator of another prefecture (`/problems/region-outside-scope`)"),
        (status = 422, description = "Bad settings (`/problems/invalid-campaign`); a quota file with errors (`/problems/invalid-quota-file`, with `errors: [{row, column, message}]`)"),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    JsonBody(request): JsonBody<CreateCampaignRequest>,
) -> Result<HttpResponse, ApiError> {
    match campaigns::create(&state, &caller, &request).await {
        Ok(body) => Ok(HttpResponse::Created().json(body)),
        Err(CreateError::App(err)) => Err(err.into()),
        Err(CreateError::QuotaFile(errors)) => {
            let detail = errors
                .iter()
                .map(|e| format!("row {} {}: {}", e.row, e.column, e.message))
                .collect::<Vec<_>>()
                .join("; ");
            Ok(HttpResponse::UnprocessableEntity()
                .content_type("application/problem+json")
                .json(serde_json::json!({
                    "type": format!("/problems/{}", Slug::InvalidQuotaFile.key()),
                    "title": "Invalid input",
                    "status": 422,
                    "detail": format!("the quota file has errors; nothing was stored: {detail}"),
                    "errors": errors,
                })))
        }
    }
}

/// The campaigns the caller sees: of its prefecture, the prefectures inside
/// its region, or every one for an admin.
#[utoipa::path(
    get, path = "/api/v1/campaigns", tag = "campaigns",
    responses(
        (status = 200, body = CampaignList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(campaigns::list(&state, &caller).await?))
}

/// One campaign with its quotas and the state of each region's list.
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, body = CampaignBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown campaign, or another prefecture's"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_campaign_id(&path)?;
    Ok(HttpResponse::Ok().json(campaigns::get(&state, &caller, id).await?))
}

/// A region's proposals: eligible venues ranked by the weighted score with
/// its parts (the first `quota` proposed), eligible venues too little rated
/// to rank, and the venues a gate excludes with why (a violation on a day,
/// an upheld complaint, an award in an excluded year).
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}/regions/{region}/proposals", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("region" = String, Path, description = "Region code with a quota")),
    responses(
        (status = 200, body = Proposals),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a region outside the caller's (`/problems/region-outside-scope`)"),
        (status = 404, description = "Unknown campaign, or a region without a quota"),
    ),
    security(("bearer" = []))
)]
pub async fn proposals(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    Ok(HttpResponse::Ok().json(campaigns::proposals(&state, &caller, id, &region).await?))
}

/// Confirms a venue on a region's list: a proposed candidate; an eligible
/// venue not proposed (added); or, with `replaces_venue_id` and a written
/// `reason`, one swapped in for a proposed or confirmed venue. The quota
/// holds under concurrent confirmations.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/regions/{region}/nominations", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("region" = String, Path, description = "Region code with a quota")),
    request_body = NominateRequest,
    responses(
        (status = 201, body = NominationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a region outside the caller's"),
        (status = 404, description = "Unknown campaign, or a region without a quota"),
        (status = 409, description = "Quota reached (`/problems/quota-reached`); confirmed already; the list submitted or confirmed; past the deadline; awarded"),
        (status = 422, description = "A swap without a reason (`/problems/reason-required`); a venue failing a gate or not of the region (`/problems/venue-not-eligible`); deeds not 300–500 characters (`/problems/invalid-deeds`)"),
    ),
    security(("bearer" = []))
)]
pub async fn nominate(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    JsonBody(request): JsonBody<NominateRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    let stored = campaigns::nominate(&state, &caller, id, &region, &request).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// Takes a confirmed venue off a region's open list, with a reason.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/regions/{region}/nominations/{venue_id}/remove", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("region" = String, Path, description = "Region code"), ("venue_id" = i64, Path, description = "Venue id")),
    request_body = ReasonRequest,
    responses(
        (status = 200, body = NominationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a region outside the caller's"),
        (status = 404, description = "Unknown campaign, or a region without a quota"),
        (status = 409, description = "Not confirmed; the list submitted or confirmed; past the deadline"),
        (status = 422, description = "No reason"),
    ),
    security(("bearer" = []))
)]
pub async fn remove(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    JsonBody(request): JsonBody<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, region, venue) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    let venue_id: VenueId = parse_id(&venue)?;
    let stored = campaigns::remove(&state, &caller, id, &region, venue_id, &request.reason).await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// The county submits its list to the prefecture.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/regions/{region}/submit", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("region" = String, Path, description = "Region code")),
    responses(
        (status = 200, body = CampaignBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a region outside the caller's"),
        (status = 404, description = "Unknown campaign, or a region without a quota"),
        (status = 409, description = "Submitted or confirmed already; past the deadline; awarded"),
    ),
    security(("bearer" = []))
)]
pub async fn submit(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    Ok(HttpResponse::Ok().json(campaigns::submit(&state, &caller, id, &region).await?))
}

/// The prefecture confirms a county's submitted list, or sends it back with
/// a reason (prefecture or province regulators over it, and admins).
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/regions/{region}/review", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("region" = String, Path, description = "Region code")),
    request_body = ReviewRequest,
    responses(
        (status = 200, body = CampaignBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a county regulator"),
        (status = 404, description = "Unknown campaign, or a region without a quota"),
        (status = 409, description = "The county has not submitted the list (`/problems/campaign-list-not-submitted`); awarded"),
        (status = 422, description = "A decision other than confirmed or sent_back; sending back without a reason"),
    ),
    security(("bearer" = []))
)]
pub async fn review(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    JsonBody(request): JsonBody<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    Ok(HttpResponse::Ok().json(campaigns::review(&state, &caller, id, &region, &request).await?))
}

/// The prefecture's sign-off: awards every confirmed unit once every
/// county's list is confirmed, records the award history and makes the
/// units' `demonstration_unit` tier input true through the end of the year
/// after the award year.
#[utoipa::path(
    post, path = "/api/v1/campaigns/{id}/award", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, body = AwardBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff; a county regulator"),
        (status = 404, description = "Unknown campaign, or another prefecture's"),
        (status = 409, description = "A list not confirmed by the prefecture (`/problems/campaign-not-signed-off`); awarded already"),
    ),
    security(("bearer" = []))
)]
pub async fn award(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_campaign_id(&path)?;
    Ok(HttpResponse::Ok().json(campaigns::award(&state, &caller, id).await?))
}

/// `?with_removed=true` on the nominations.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NominationsQuery {
    /// Also list venues taken off or swapped out.
    pub with_removed: Option<bool>,
}

/// The units on the lists of the regions in the caller's scope.
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}/nominations", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), NominationsQuery),
    responses(
        (status = 200, body = NominationList),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown campaign, or another prefecture's"),
        (status = 422, description = "Another query parameter"),
    ),
    security(("bearer" = []))
)]
pub async fn nominations(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = parse_campaign_id(&path)?;
    let query: NominationsQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let list =
        campaigns::nominations(&state, &caller, id, query.with_removed.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The campaigns whose lists a venue is on (confirmed, not taken off),
/// newest first, with its deeds, its ambassador and the award: what its
/// staff write and name for the forms. For anyone whose scope holds the venue.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/nominations", tag = "campaigns",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = [VenueNominationBody]),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or one outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn for_venue(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let venue_id: VenueId = parse_id(&path)?;
    let items = campaigns::for_venue(&state, &caller, venue_id).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// Names a confirmed unit's service ambassador (形象大使): its staff or a
/// regulator over it.
#[utoipa::path(
    put, path = "/api/v1/campaigns/{id}/nominations/{venue_id}/ambassador", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("venue_id" = i64, Path, description = "Venue id")),
    request_body = AmbassadorRequest,
    responses(
        (status = 200, body = NominationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "No confirmed nomination of a venue the caller is over"),
        (status = 409, description = "The campaign is awarded: deeds and ambassadors are final (`/problems/campaign-awarded`)"),
        (status = 422, description = "A name, post, phone or address not valid (`/problems/invalid-ambassador`); deeds not 300–500 characters (`/problems/invalid-deeds`)"),
    ),
    security(("bearer" = []))
)]
pub async fn ambassador(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    JsonBody(request): JsonBody<AmbassadorRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, venue) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    let venue_id: VenueId = parse_id(&venue)?;
    let stored = campaigns::set_ambassador(&state, &caller, id, venue_id, &request).await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// Writes a confirmed unit's 主要事迹 (300–500 characters): its staff or a
/// regulator over it.
#[utoipa::path(
    put, path = "/api/v1/campaigns/{id}/nominations/{venue_id}/deeds", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("venue_id" = i64, Path, description = "Venue id")),
    request_body = DeedsRequest,
    responses(
        (status = 200, body = NominationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "No confirmed nomination of a venue the caller is over"),
        (status = 409, description = "The campaign is awarded: deeds and ambassadors are final (`/problems/campaign-awarded`)"),
        (status = 422, description = "Deeds not 300–500 characters (`/problems/invalid-deeds`)"),
    ),
    security(("bearer" = []))
)]
pub async fn deeds(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    JsonBody(request): JsonBody<DeedsRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, venue) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    let venue_id: VenueId = parse_id(&venue)?;
    let stored = campaigns::set_deeds(&state, &caller, id, venue_id, &request.deeds).await?;
    Ok(HttpResponse::Ok().json(stored))
}

/// The summary tables' header rows, as the caller fills them in.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormQuery {
    /// 填报单位 (default: the caller's region, or the prefecture).
    pub unit: Option<String>,
    /// 填报人.
    pub person: Option<String>,
    /// 联系电话.
    pub phone: Option<String>,
}

fn header_text(raw: Option<String>) -> Result<String, AppError> {
    let text = crate::domain::text::strict_text(raw.as_deref().unwrap_or(""))
        .map_err(|_| AppError::new(Slug::ControlCharacter, "a header holds a control character"))?;
    if text.chars().count() > 100 {
        return Err(AppError::new(
            Slug::TextTooLong,
            "a header is over 100 characters",
        ));
    }
    Ok(text)
}

/// One of the notice's forms as .xlsx, of the regions in the caller's
/// scope: `unit-recommendations.xlsx` (附件2, a sheet per unit),
/// `ambassador-recommendations.xlsx` (附件3, a sheet per ambassador),
/// `unit-summary.xlsx` (附件4) or `ambassador-summary.xlsx` (附件5).
#[utoipa::path(
    get, path = "/api/v1/campaigns/{id}/forms/{form}", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ("form" = String, Path, description = "unit-recommendations.xlsx, ambassador-recommendations.xlsx, unit-summary.xlsx or ambassador-summary.xlsx"), FormQuery),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown campaign or form"),
        (status = 422, description = "A header too long or holding a control character; another query parameter"),
    ),
    security(("bearer" = []))
)]
pub async fn form(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let id = parse_campaign_id(&id)?;
    let form = Form::parse(&name).ok_or(ApiError::NotFound("form"))?;
    let query: FormQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let filled_by = FilledBy {
        unit: header_text(query.unit)?,
        person: header_text(query.person)?,
        phone: header_text(query.phone)?,
    };
    let bytes = campaigns::form(&state, &caller, id, form, filled_by).await?;
    let name = format!("{}-{id}.xlsx", file_stem(form.stem()));
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}
