//! Credit lists over JSON: a regulator proposes and decides entries, the
//! venue's staff submit its statement, and anyone reads the public
//! 严重失信主体名单 and quality list (as JSON, or CSV with `?format=csv`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::list_entries::{
    self, DecisionRequest, ListEntryBody, ListEntryList, ListEntryRequest, QualityList,
    SeriousList, StatementRequest,
};
use crate::app::path_ids::{parse_id, parse_list_entry_id};
use crate::app::{AppError, Caller, Slug};
use crate::domain::list_entry::ProposalInput;
use crate::domain::table::{Cell, Table};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;
use crate::http::export::{ExportFormat, export_response};

/// Proposes an entry on a credit list for a venue (admins and regulators,
/// within scope). It stays `pending` until the venue has answered or its
/// statement period (working days) has ended and a regulator decides.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/list-entries", tag = "credit lists",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = ListEntryRequest,
    responses(
        (status = 201, body = ListEntryBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "`list` not `serious` or `watch` (`/problems/unknown-list`); an empty reason (`/problems/reason-required`) or legal basis (`/problems/text-required`); a text too long (`/problems/text-too-long`) or holding a control character (`/problems/control-character`); a day not written YYYY-MM-DD (`/problems/invalid-date`) or a start before today (`/problems/list-starts-in-past`); an end not after the start (`/problems/period-reversed`) or beyond the list's term, three years on the serious list and one on the watch list (`/problems/list-term-too-long`)"),
    ),
    security(("bearer" = []))
)]
pub async fn propose(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<ListEntryRequest>,
) -> Result<HttpResponse, ApiError> {
    let venue_id = parse_id(&path)?;
    let input = ProposalInput {
        list: &request.list,
        reason: &request.reason,
        legal_basis: &request.legal_basis,
        decision_no: request.decision_no.as_deref(),
        starts_on: &request.starts_on,
        ends_on: &request.ends_on,
        commitment_excluded: request.commitment_excluded.unwrap_or(false),
    };
    let stored = list_entries::propose(&state, &caller, venue_id, input).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// A venue's list entries, newest first (within scope; venue staff read
/// their own venue's).
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/list-entries", tag = "credit lists",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 200, body = ListEntryList),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn for_venue(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = list_entries::for_venue(&state, &caller, parse_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One list entry (within scope).
#[utoipa::path(
    get, path = "/api/v1/list-entries/{id}", tag = "credit lists",
    params(("id" = i64, Path, description = "List entry id")),
    responses(
        (status = 200, body = ListEntryBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown entry, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let entry = list_entries::get(&state, &caller, parse_list_entry_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(entry))
}

/// The venue's statement (陈述申辩) on a pending entry, by its staff, until
/// the statement deadline; once only.
#[utoipa::path(
    post, path = "/api/v1/list-entries/{id}/statement", tag = "credit lists",
    params(("id" = i64, Path, description = "List entry id")),
    request_body = StatementRequest,
    responses(
        (status = 201, body = ListEntryBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not the venue's staff"),
        (status = 404, description = "Unknown entry, or not of the caller's venue"),
        (status = 409, description = "Decided already (`/problems/list-entry-decided`), a statement given already (`/problems/statement-given`), or the deadline passed (`/problems/statement-period-over`)"),
        (status = 422, description = "An empty text (`/problems/text-required`), over 5000 characters (`/problems/text-too-long`) or holding a control character (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn statement(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<StatementRequest>,
) -> Result<HttpResponse, ApiError> {
    let entry =
        list_entries::submit_statement(&state, &caller, parse_list_entry_id(&path)?, &request.text)
            .await?;
    Ok(HttpResponse::Created().json(entry))
}

/// A regulator's decision on a pending entry (admins and regulators, within
/// scope), once the venue has answered or its statement period has ended.
#[utoipa::path(
    post, path = "/api/v1/list-entries/{id}/decision", tag = "credit lists",
    params(("id" = i64, Path, description = "List entry id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = ListEntryBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown entry, or outside the caller's scope"),
        (status = 409, description = "Decided already (`/problems/list-entry-decided`), or the venue may still answer (`/problems/statement-period-open`)"),
        (status = 422, description = "`decision` not `listed` or `dropped` (`/problems/invalid-decision`); an empty reason (`/problems/reason-required`), over 1000 characters (`/problems/text-too-long`) or holding a control character (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn decision(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let entry = list_entries::decide(
        &state,
        &caller,
        parse_list_entry_id(&path)?,
        &request.decision,
        &request.reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(entry))
}

/// `?format=` of the public lists.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `json` (the default) or `csv`.
    pub format: Option<String>,
}

/// Whether the public list is asked for as CSV.
fn wants_csv(req: &HttpRequest) -> Result<bool, AppError> {
    let query: ListQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    match query.format.as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(AppError::new(
            Slug::InvalidQuery,
            format!("format must be json or csv, not {other:?}"),
        )),
    }
}

fn csv(table: &Table, stem: &str) -> Result<HttpResponse, ApiError> {
    export_response(table, ExportFormat::Csv, stem, &[]).map_err(|e| {
        tracing::error!(error = %e, "list export failed");
        ApiError::from(AppError::new(Slug::Internal, "the export failed"))
    })
}

fn optional(text: Option<&str>) -> Cell {
    text.map_or(Cell::Empty, Cell::text)
}

/// The public list of seriously untrustworthy entities (严重失信主体名单)
/// in force today, with each decision's day, number and basis.
#[utoipa::path(
    get, path = "/api/v1/lists/serious", tag = "credit lists",
    params(ListQuery),
    responses(
        (status = 200, body = SeriousList, description = "JSON, or CSV (header row of the JSON field names) with `?format=csv`"),
        (status = 422, description = "Another format or query parameter (`/problems/invalid-query`)"),
    )
)]
pub async fn serious(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let as_csv = wants_csv(&req)?;
    let list = list_entries::serious_list(&state).await?;
    if !as_csv {
        return Ok(HttpResponse::Ok().json(list));
    }
    let table = Table {
        title: "serious".into(),
        headers: [
            "entry_id",
            "venue_id",
            "venue_name",
            "region_code",
            "region_name",
            "category",
            "reason",
            "legal_basis",
            "decision_no",
            "decided_on",
            "starts_on",
            "ends_on",
        ]
        .map(String::from)
        .to_vec(),
        rows: list
            .items
            .iter()
            .map(|i| {
                vec![
                    Cell::Integer(i.entry_id),
                    Cell::Integer(i.venue_id.get()),
                    Cell::text(&i.venue_name),
                    Cell::text(&i.region_code),
                    Cell::text(&i.region_name),
                    Cell::text(&i.category),
                    Cell::text(&i.reason),
                    Cell::text(&i.legal_basis),
                    optional(i.decision_no.as_deref()),
                    Cell::Date(i.decided_on),
                    Cell::Date(i.starts_on),
                    Cell::Date(i.ends_on),
                ]
            })
            .collect(),
    };
    csv(&table, &format!("serious-list-{}", list.as_of))
}

/// The public quality list (优质旅游服务商名录; the prefecture's division of
/// labour, clause 7): open venues in tier A, with the day each became so.
#[utoipa::path(
    get, path = "/api/v1/lists/quality", tag = "credit lists",
    params(ListQuery),
    responses(
        (status = 200, body = QualityList, description = "JSON, or CSV (header row of the JSON field names) with `?format=csv`"),
        (status = 422, description = "Another format or query parameter (`/problems/invalid-query`)"),
    )
)]
pub async fn quality(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let as_csv = wants_csv(&req)?;
    let list = list_entries::quality_list(&state).await?;
    if !as_csv {
        return Ok(HttpResponse::Ok().json(list));
    }
    let table = Table {
        title: "quality".into(),
        headers: [
            "venue_id",
            "venue_name",
            "region_code",
            "region_name",
            "category",
            "basis",
            "score",
            "decided_on",
            "rule_set_version",
        ]
        .map(String::from)
        .to_vec(),
        rows: list
            .items
            .iter()
            .map(|i| {
                vec![
                    Cell::Integer(i.venue_id.get()),
                    Cell::text(&i.venue_name),
                    Cell::text(&i.region_code),
                    Cell::text(&i.region_name),
                    Cell::text(&i.category),
                    Cell::text(&i.basis),
                    Cell::decimal(i.score, 1),
                    Cell::Date(i.decided_on),
                    Cell::text(&i.rule_set_version),
                ]
            })
            .collect(),
    };
    csv(&table, &format!("quality-list-{}", list.as_of))
}
