//! `/api/v1/venues/{id}` (PATCH) and `/api/v1/venues/import`: keeping the
//! venue register, for admins and the regulators over the venues.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::path_ids::parse_id;
use crate::app::venue_admin::{
    self, ImportFormat, ImportReport, MAX_IMPORT_BYTES, VenueDetail, VenuePatch, XLSX_MEDIA_TYPE,
};
use crate::app::{AppError, Caller, Slug};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// Edits a venue: its name, address, region, category and the particulars
/// the prefectures' forms ask for (巴州 2023 附件2: 单位性质, 负责人, 联系电话,
/// 员工人数, 设立时间; and its 统一社会信用代码); `{"closed": true}` closes
/// it, `{"closed": false}` reopens it. Admins anywhere, regulators within
/// their region; every change is audited.
#[utoipa::path(
    patch, path = "/api/v1/venues/{id}", tag = "venues",
    params(("id" = i64, Path, description = "Venue id")),
    request_body = VenuePatch,
    responses(
        (status = 200, description = "The venue as it is now", body = VenueDetail),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff, or a new region outside the caller's scope"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "Invalid field (e.g. `credit-code-checksum`), unknown region or category"),
    ),
    security(("bearer" = []))
)]
pub async fn update(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(patch): JsonBody<VenuePatch>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    let edit = venue_admin::parse_patch(&patch, state.clock.today())?;
    let outcome = venue_admin::edit(&state, &caller, id, &edit).await?;
    if outcome.changed() {
        // This instance stops serving the old card at once; others within
        // the code cache's lifetime.
        state.forget_code(&outcome.after.code).await;
    }
    Ok(HttpResponse::Ok().json(VenueDetail::from(outcome.after)))
}

/// Query of `POST /api/v1/venues/import`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// `true` checks every row and imports nothing; `false` (the default)
    /// imports all rows, or none when any row has a fault.
    pub dry_run: Option<bool>,
}

/// Reads a request body up to `max_bytes` (this route takes files far
/// larger than the JSON limit).
async fn read_body(mut payload: web::Payload, max_bytes: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|err| ApiError::BadBody(err.to_string()))?;
        if body.len() + chunk.len() > max_bytes {
            return Err(ApiError::BodyTooLarge { max_bytes });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Registers venues from a spreadsheet: a `text/csv` (UTF-8) or .xlsx body
/// whose header row names the template's columns (`name, region_code,
/// category, address, unit_type, person_in_charge, phone, staff_count,
/// founded_on, credit_code`; the forms' Chinese words work too). Every row
/// is checked; with any fault nothing is imported and every fault is
/// listed by row and column. Regulators may import only venues in their region.
#[utoipa::path(
    post, path = "/api/v1/venues/import", tag = "venues",
    params(ImportQuery),
    request_body(content = String, description = "CSV (text/csv, UTF-8, header row) or an .xlsx workbook (first sheet), at most 8 MiB and 10,000 rows",
        content_type = "text/csv"),
    responses(
        (status = 200, description = "Every row checked; `imported` is all of them or 0", body = ImportReport),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 413, description = "Body over 8 MiB"),
        (status = 422, description = "Not CSV or .xlsx, unreadable, no header row or no rows, over 10,000 rows"),
    ),
    security(("bearer" = []))
)]
pub async fn import(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = ImportFormat::of_media_type(content_type).ok_or_else(|| {
        AppError::new(
            Slug::UnsupportedImportType,
            format!("send text/csv or {XLSX_MEDIA_TYPE}, not {content_type:?}"),
        )
    })?;
    let body = read_body(payload, MAX_IMPORT_BYTES).await?;
    let table = venue_admin::read_table(&body, format)?;
    let report =
        venue_admin::import_table(&state, &caller, &table, query.dry_run.unwrap_or(false)).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The import template as CSV: the header row alone (with a byte-order
/// mark, so spreadsheet programs read it as UTF-8).
#[utoipa::path(
    get, path = "/api/v1/venues/import/template.csv", tag = "venues",
    responses(
        (status = 200, description = "The header row", content_type = "text/csv"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
    ),
    security(("bearer" = []))
)]
pub async fn template_csv(_caller: Caller) -> Result<HttpResponse, ApiError> {
    template_csv_file()
}

/// The CSV template as a download (the console offers it too).
pub fn template_csv_file() -> Result<HttpResponse, ApiError> {
    let csv = venue_admin::table_to_csv(&[venue_admin::template_header()])?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        "venues-import.csv",
        format!("\u{feff}{csv}").into_bytes(),
    ))
}

/// The import template as an Excel workbook: the header row, its columns
/// formatted as text so codes and phone numbers keep their digits.
#[utoipa::path(
    get, path = "/api/v1/venues/import/template.xlsx", tag = "venues",
    responses(
        (status = 200, description = "A workbook with the header row", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
    ),
    security(("bearer" = []))
)]
pub async fn template_xlsx(_caller: Caller) -> Result<HttpResponse, ApiError> {
    template_xlsx_file()
}

/// The workbook template as a download (the console offers it too).
pub fn template_xlsx_file() -> Result<HttpResponse, ApiError> {
    let body = template_workbook().map_err(|err| {
        tracing::error!(error = %err, "writing the import template failed");
        ApiError::Internal
    })?;
    Ok(attachment(XLSX_MEDIA_TYPE, "venues-import.xlsx", body))
}

/// The template workbook's bytes.
pub fn template_workbook() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("venues")?;
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold().set_num_format("@");
    for (col, name) in venue_admin::template_header().iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| XlsxError::ParameterError("column".into()))?;
        sheet.set_column_format(col, &text)?;
        sheet.set_column_width(col, 18)?;
        sheet.write_string_with_format(0, col, name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

/// A file to save, never cached.
fn attachment(content_type: &str, name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type.to_owned())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}
