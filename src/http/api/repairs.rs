//! Credit repair (信用修复, regulators' requirements clause 22; the credit
//! commitment of clause 19) over JSON: the venue's staff apply with a
//! `multipart/form-data` post (text fields and evidence files), regulators
//! list and decide applications in scope, evidence files are served to
//! those in scope, and a venue's staff ask to be graded again.
//!
//! The multipart reader here is shared with the dashboard's form.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::app::credit_repairs::{
    self, QUEUE_PAGE, RegradeBody, RepairApplicationBody, RepairApplicationList,
    RepairDecisionRequest,
};
use crate::app::paging::Paging;
use crate::app::path_ids::{parse_evidence_id, parse_id, parse_list_entry_id, parse_repair_id};
use crate::app::{AppError, Caller, Slug};
use crate::domain::credit_repair::{EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, RepairInput};
use crate::domain::quality_officer::parse_hours_text;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::body::JsonBody;

/// The most bytes one text field of the form may hold.
const TEXT_FIELD_MAX_BYTES: usize = 64 * 1024;

/// The most bytes a posted application may hold: every file at its limit,
/// one more file (so "too many" can be told), and the text fields.
pub const FORM_MAX_BYTES: usize = (EVIDENCE_MAX_FILES + 1) * (EVIDENCE_MAX_BYTES + 1) + 1024 * 1024;

/// An application as posted: its text fields and its files.
#[derive(Debug, Default)]
pub struct PostedRepair {
    /// Text fields by name (the last of a repeated name wins).
    pub fields: std::collections::HashMap<String, String>,
    /// Files sent as `evidence`: the client's name and the bytes, kept up
    /// to one byte past the size limit (enough to know it is too large).
    pub files: Vec<(String, Vec<u8>)>,
}

impl PostedRepair {
    /// A text field, empty when not sent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// Whether the commitment box was ticked (`on`, `true`, `yes` or `1`).
    pub fn commitment(&self) -> bool {
        matches!(
            self.field("commitment")
                .trim()
                .to_ascii_lowercase()
                .as_str(),
            "on" | "true" | "yes" | "1"
        )
    }

    /// The fields as the use-case takes them; hours that do not read as a
    /// number are refused there as hours out of range.
    pub fn input(&self) -> RepairInput<'_> {
        RepairInput {
            rectification: self.field("rectification"),
            commitment_given: self.commitment(),
            training_course: self.field("training_course"),
            training_provider: self.field("training_provider"),
            trained_on: self.field("trained_on"),
            training_hours: parse_hours_text(self.field("training_hours")).unwrap_or(f64::NAN),
        }
    }
}

/// Why a posted application could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not `multipart/form-data`.
    NotMultipart,
    /// Over [`FORM_MAX_BYTES`] in all, or a text field over its limit.
    TooLarge,
    /// Cut short or badly encoded.
    Unreadable,
}

/// Reads a `multipart/form-data` application: text fields, and files under
/// the name `evidence` (an empty file input is skipped). Files past one
/// more than the limit are counted but not kept.
pub async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<PostedRepair, ReadError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(ReadError::NotMultipart);
    }
    let mut form = PostedRepair::default();
    let mut total = 0usize;
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| ReadError::Unreadable)?;
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let keep = match &file_name {
            Some(_) => EVIDENCE_MAX_BYTES + 1,
            None => TEXT_FIELD_MAX_BYTES,
        };
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| ReadError::Unreadable)?;
            total += chunk.len();
            if total > FORM_MAX_BYTES {
                return Err(ReadError::TooLarge);
            }
            let room = keep.saturating_sub(data.len());
            data.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match file_name {
            Some(file_name) if file_name.is_empty() && data.is_empty() => {}
            Some(file_name) if name == "evidence" => form.files.push((file_name, data)),
            Some(_) => {}
            None => {
                if data.len() >= TEXT_FIELD_MAX_BYTES {
                    return Err(ReadError::TooLarge);
                }
                form.fields
                    .insert(name, String::from_utf8_lossy(&data).into_owned());
            }
        }
    }
    Ok(form)
}

/// Reads an application posted from a page: `multipart/form-data` as
/// [`read_multipart`], or a plain form without files
/// (`application/x-www-form-urlencoded`, at most the text fields' size).
pub async fn read_form(
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<PostedRepair, ReadError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if multipart {
        return read_multipart(req, payload).await;
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ReadError::Unreadable)?;
        if body.len() + chunk.len() > TEXT_FIELD_MAX_BYTES {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body).unwrap_or_default();
    Ok(PostedRepair {
        fields: pairs.into_iter().collect(),
        files: Vec::new(),
    })
}

/// The fields of the application form, for the API documentation.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Only documents the multipart body; the reader above parses it.
pub struct RepairApplicationForm {
    /// What the venue put right, 1–5000 characters.
    rectification: String,
    /// `true` (or `on`) to give the credit commitment (信用承诺书); refused
    /// where the entry's basis excludes it.
    commitment: Option<String>,
    /// The training's course, 1–200 characters.
    training_course: String,
    /// Who gave it, 1–200 characters.
    training_provider: String,
    /// When, `YYYY-MM-DD`, not in the future.
    trained_on: String,
    /// Class hours, 0.5–100.
    training_hours: String,
    /// Evidence files (repeat the part): PDF, JPEG or PNG by their bytes,
    /// at most 5 MiB each and 5 in all.
    #[schema(value_type = Vec<String>, format = Binary)]
    evidence: Vec<Vec<u8>>,
}

/// Applies for credit repair of a list entry in force (the venue's staff):
/// a `multipart/form-data` post with the rectification, the commitment box,
/// the training record and evidence files. The rule: an entry whose basis
/// allows repair by commitment takes the commitment, evidence files, or
/// both; one whose basis excludes it refuses the commitment and needs at
/// least one file. Nothing is stored unless all of it is accepted. The
/// regulator's decision is due in `REPAIR_DECISION_WORKING_DAYS` working days.
#[utoipa::path(
    post, path = "/api/v1/list-entries/{id}/repair", tag = "credit lists",
    params(("id" = i64, Path, description = "List entry id")),
    request_body(content = RepairApplicationForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = RepairApplicationBody),
        (status = 400, description = "Not multipart/form-data, or an unreadable body"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not the venue's staff"),
        (status = 404, description = "Unknown entry, or not of the caller's venue"),
        (status = 409, description = "The entry is not listed (`/problems/entry-not-listed`) or not in force (`/problems/entry-not-in-force`), or an application on it waits for its decision (`/problems/repair-pending`)"),
        (status = 413, description = "The whole form over its size"),
        (status = 422, description = "An empty, overlong or control-character text (`/problems/text-required`, `/problems/text-too-long`, `/problems/control-character`); a bad training date (`/problems/invalid-date`) or hours (`/problems/invalid-training-hours`); a file that is not a PDF, JPEG or PNG by its bytes (`/problems/invalid-evidence`), over 5 MiB (`/problems/evidence-too-large`), or more than 5 files (`/problems/too-many-evidence-files`); the commitment where the entry excludes it (`/problems/commitment-excluded`); no file where the entry excludes the commitment (`/problems/evidence-required`); neither the commitment nor a file (`/problems/commitment-or-evidence-required`)"),
    ),
    security(("bearer" = []))
)]
pub async fn apply(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let entry_id = parse_list_entry_id(&path)?;
    let mut form = read_multipart(&req, payload).await.map_err(|e| match e {
        ReadError::NotMultipart => {
            ApiError::BadBody("send the application as multipart/form-data".into())
        }
        ReadError::TooLarge => ApiError::BodyTooLarge {
            max_bytes: FORM_MAX_BYTES,
        },
        ReadError::Unreadable => ApiError::BadBody("the multipart body could not be read".into()),
    })?;
    let files = std::mem::take(&mut form.files);
    let stored = credit_repairs::apply(&state, &caller, entry_id, form.input(), files).await?;
    Ok(HttpResponse::Created().json(stored))
}

/// `?state=&page=&per_page=` of the application list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RepairQuery {
    /// `pending`, `approved` or `rejected`; all when left out.
    pub state: Option<String>,
    /// The page, from 1.
    pub page: Option<String>,
    /// Rows a page holds, 1–200 (default 50).
    pub per_page: Option<String>,
}

/// Credit repair applications in the caller's scope (venue staff: their
/// venues'), pending first by decision day, then decided newest first.
#[utoipa::path(
    get, path = "/api/v1/repair-applications", tag = "credit lists",
    params(RepairQuery),
    responses(
        (status = 200, body = RepairApplicationList),
        (status = 401, description = "Missing or wrong token"),
        (status = 422, description = "An unknown state, a bad page or an unknown parameter (`/problems/invalid-query`)"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query: RepairQuery = serde_html_form::from_str(req.query_string())
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let paging = Paging::parse(
        query.page.as_deref(),
        query.per_page.as_deref(),
        QUEUE_PAGE,
        Slug::InvalidQuery,
    )?;
    let list = credit_repairs::list(&state, &caller, query.state.as_deref(), paging).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One credit repair application in the caller's scope, with its evidence list.
#[utoipa::path(
    get, path = "/api/v1/repair-applications/{id}", tag = "credit lists",
    params(("id" = i64, Path, description = "Application id")),
    responses(
        (status = 200, body = RepairApplicationBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown application, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = credit_repairs::get(&state, &caller, parse_repair_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// A regulator's decision on a pending application (admins and regulators
/// in scope), with a reason. An approval ends the list entry on the day of
/// the decision (its original end is kept) and queues the venue's tier
/// refresh in the same transaction.
#[utoipa::path(
    post, path = "/api/v1/repair-applications/{id}/decision", tag = "credit lists",
    params(("id" = i64, Path, description = "Application id")),
    request_body = RepairDecisionRequest,
    responses(
        (status = 200, body = RepairApplicationBody),
        (status = 400, description = "Malformed JSON"),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Venue staff"),
        (status = 404, description = "Unknown application, or outside the caller's scope"),
        (status = 409, description = "Decided already (`/problems/repair-decided`)"),
        (status = 422, description = "`decision` not `approved` or `rejected` (`/problems/invalid-repair-decision`); an empty reason (`/problems/reason-required`), over 1000 characters (`/problems/text-too-long`) or holding a control character (`/problems/control-character`)"),
    ),
    security(("bearer" = []))
)]
pub async fn decision(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    JsonBody(request): JsonBody<RepairDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = credit_repairs::decide(
        &state,
        &caller,
        parse_repair_id(&path)?,
        &request.decision,
        &request.reason,
    )
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// One evidence file as sent, by its checked type (the venue's staff, and
/// admins and regulators over the venue); served as an attachment.
#[utoipa::path(
    get, path = "/api/v1/repair-applications/{id}/evidence/{file_id}", tag = "credit lists",
    params(
        ("id" = i64, Path, description = "Application id"),
        ("file_id" = i64, Path, description = "Evidence file id"),
    ),
    responses(
        (status = 200, description = "The file's bytes, as application/pdf, image/jpeg or image/png"),
        (status = 401, description = "Missing or wrong token"),
        (status = 404, description = "Unknown application or file, or outside the caller's scope"),
    ),
    security(("bearer" = []))
)]
pub async fn evidence(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, file) = path.into_inner();
    let file = credit_repairs::evidence(
        &state,
        &caller,
        parse_repair_id(&id)?,
        parse_evidence_id(&file)?,
    )
    .await?;
    Ok(evidence_response(file))
}

/// An evidence file as served: its checked type, `nosniff`, private, as an
/// attachment under an ASCII-safe name.
pub fn evidence_response(file: crate::store::credit_repairs::EvidenceFile) -> HttpResponse {
    let ascii: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\""),
        ))
        .body(file.bytes)
}

/// Asks for the venue to be graded again (its staff): refused with 409
/// (`/problems/regrade-too-soon`, naming the earliest day) sooner than three
/// calendar months after its last grading (its last tier change or its last
/// such request); accepted, the venue's score refresh is queued and the
/// tier follows within the usual delay.
#[utoipa::path(
    post, path = "/api/v1/venues/{id}/regrade", tag = "credit lists",
    params(("id" = i64, Path, description = "Venue id")),
    responses(
        (status = 202, body = RegradeBody),
        (status = 401, description = "Missing or wrong token"),
        (status = 403, description = "Not the venue's staff"),
        (status = 404, description = "Unknown venue, or not the caller's"),
        (status = 409, description = "Too soon after the last grading (`/problems/regrade-too-soon`)"),
    ),
    security(("bearer" = []))
)]
pub async fn regrade(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = credit_repairs::regrade(&state, &caller, parse_id(&path)?).await?;
    Ok(HttpResponse::Accepted().json(body))
}
