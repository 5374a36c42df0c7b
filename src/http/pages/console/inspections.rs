//! Recording an inspection (体检式暗访, regulators' requirements clause 25)
//! from the console, and serving its photos.
//!
//! The form has the visit's day, who inspected (the signed-in person's name
//! unless changed), the active checklist's items grouped by dimension with
//! their most points, the findings and the photos (several files, one
//! `multipart/form-data` post). It calls the same use-case as the JSON
//! route (`app::inspections`), which decides pass or fail by the
//! checklist's pass mark and checks each photo by its bytes; a refusal
//! shows the form again with what was typed and a message beside each
//! field at fault (422), and nothing is stored, neither rows nor files.
//!
//! Photos are served only to admins and the regulators over the venue, as
//! stored (`Content-Type` of their bytes, `nosniff`, `private`), and never
//! on a public page.

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::app::inspections::{
    self, InspectionFault, InspectionField, InspectionRequest, ItemPointsBody, PhotoUpload,
    RecordError,
};
use crate::app::path_ids::{parse_id, parse_inspection_id, parse_photo_id};
use crate::app::supervision::venue_in_scope;
use crate::app::{AppError, Slug};
use crate::domain::ids::VenueId;
use crate::domain::inspection::{Checklist, Dimension, FINDINGS_MAX_CHARS, INSPECTED_BY_MAX_CHARS};
use crate::domain::photo::PhotoLimits;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::html::{Chrome, href, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::{InspectionTexts, Messages};
use crate::store::venues::Venue;

/// The name prefix of an item's points field: `points.<item key>`.
const POINTS_PREFIX: &str = "points.";

/// The longest text field the form takes, in bytes: findings of 2000
/// characters fit many times over.
const TEXT_FIELD_MAX_BYTES: usize = 64 * 1024;

/// The form's fields as typed (or as first shown).
#[derive(Debug, Clone, Default)]
struct InspectionFields {
    inspected_on: String,
    inspected_by: String,
    checklist_version: String,
    findings: String,
    /// Each item's points as typed, by key.
    points: HashMap<String, String>,
}

/// A posted form: its text fields and its photos.
#[derive(Debug, Default)]
struct PostedForm {
    csrf_token: Option<String>,
    fields: InspectionFields,
    photos: Vec<PhotoUpload>,
}

impl PostedForm {
    /// Takes one text field.
    fn take(&mut self, name: &str, value: String) {
        let fields = &mut self.fields;
        match name {
            "csrf_token" => self.csrf_token = Some(value),
            "inspected_on" => fields.inspected_on = value,
            "inspected_by" => fields.inspected_by = value,
            "checklist_version" => fields.checklist_version = value,
            "findings" => fields.findings = value,
            other => {
                if let Some(key) = other.strip_prefix(POINTS_PREFIX) {
                    fields.points.insert(key.to_owned(), value);
                }
            }
        }
    }
}

/// One checklist item on the form.
struct ItemView {
    id: String,
    name: String,
    label: String,
    max: u32,
    max_text: String,
    value: String,
    error: Option<String>,
}

/// A dimension's items, under its legend.
struct GroupView {
    legend: String,
    items: Vec<ItemView>,
}

/// The messages beside the fields at fault.
#[derive(Debug, Default)]
struct FieldErrors {
    inspected_on: Option<String>,
    inspected_by: Option<String>,
    findings: Option<String>,
    photos: Vec<String>,
    /// Faults of no one field: the checklist itself, the result.
    general: Vec<String>,
    items: HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "console_inspection_form.html")]
struct FormView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static InspectionTexts,
    title: String,
    action: String,
    cancel_href: String,
    csrf_token: String,
    today: String,
    earliest: String,
    checklist_version: String,
    checklist_note: String,
    groups: Vec<GroupView>,
    fields: InspectionFields,
    errors: FieldErrors,
    /// Whether the form was refused (its banner).
    refused: bool,
    /// Whether photos were sent with a refused form: they must be chosen again.
    photos_again: bool,
    photos_hint: String,
    findings_max: usize,
    inspected_by_max: usize,
}

fn dimension_legend(t: &InspectionTexts, dimension: Dimension) -> &str {
    match dimension {
        Dimension::Environment => &t.dimension_environment,
        Dimension::Skill => &t.dimension_skill,
        Dimension::Attitude => &t.dimension_attitude,
    }
}

/// The checklist's items grouped by dimension, in the checklist's order.
fn groups(
    signed_in: &SignedIn,
    checklist: &Checklist,
    fields: &InspectionFields,
    errors: &FieldErrors,
) -> Vec<GroupView> {
    let t = &signed_in.messages().inspections;
    let mut groups: Vec<(Dimension, GroupView)> = Vec::new();
    for item in &checklist.items {
        let view = ItemView {
            id: format!("item-{}", item.key.replace('.', "-")),
            name: format!("{POINTS_PREFIX}{}", item.key),
            label: signed_in
                .lang
                .pick(&item.label_zh, &item.label_en)
                .to_owned(),
            max: item.max_points,
            max_text: t.item_max.replace("{max}", &item.max_points.to_string()),
            value: fields.points.get(&item.key).cloned().unwrap_or_default(),
            error: errors.items.get(&item.key).cloned(),
        };
        match groups.iter_mut().find(|(d, _)| *d == item.dimension) {
            Some((_, group)) => group.items.push(view),
            None => groups.push((
                item.dimension,
                GroupView {
                    legend: dimension_legend(t, item.dimension).to_owned(),
                    items: vec![view],
                },
            )),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

/// The form for `venue`, holding `fields`, with `errors` beside the fields.
fn form_page(
    signed_in: &SignedIn,
    state: &AppState,
    (venue, checklist): (&Venue, &Checklist),
    fields: InspectionFields,
    errors: FieldErrors,
    photos_sent: bool,
) -> HttpResponse {
    let m = signed_in.messages();
    let t = &m.inspections;
    let limits = state.settings.photo_limits;
    let title = t.form_title.replace("{venue}", &venue.name);
    let refused = !errors.is_empty();
    let view = FormView {
        chrome: signed_in.chrome(title.clone()),
        nav: signed_in.nav(),
        t,
        title,
        action: href(
            &format!("/console/venues/{}/inspections", venue.id),
            &[],
            Some(signed_in.lang),
        ),
        cancel_href: href(
            &format!("/console/venues/{}", venue.id),
            &[],
            Some(signed_in.lang),
        ),
        csrf_token: signed_in.session.csrf_token.clone(),
        today: state.clock.today().to_string(),
        earliest: crate::domain::violation::earliest_day().to_string(),
        checklist_version: checklist.version.clone(),
        checklist_note: t
            .checklist_note
            .replace("{version}", &checklist.version)
            .replace("{pass_mark}", &checklist.pass_mark.to_string())
            .replace("{max_total}", &checklist.max_total().to_string()),
        groups: groups(signed_in, checklist, &fields, &errors),
        fields,
        errors,
        refused,
        photos_again: refused && photos_sent,
        photos_hint: photos_hint(t, limits),
        findings_max: FINDINGS_MAX_CHARS,
        inspected_by_max: INSPECTED_BY_MAX_CHARS,
    };
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    signed_in.page_with_status(status, render_document(&view))
}

fn photos_hint(t: &InspectionTexts, limits: PhotoLimits) -> String {
    t.photos_hint
        .replace("{count}", &limits.per_inspection.to_string())
        .replace("{size}", &limits.max_megabytes().to_string())
}

impl FieldErrors {
    fn is_empty(&self) -> bool {
        self.inspected_on.is_none()
            && self.inspected_by.is_none()
            && self.findings.is_none()
            && self.photos.is_empty()
            && self.general.is_empty()
            && self.items.is_empty()
    }

    /// Puts each fault beside its field, told in the page language; the
    /// first fault of a field is the one shown there.
    fn of(
        m: &Messages,
        checklist: &Checklist,
        limits: PhotoLimits,
        faults: &[InspectionFault],
    ) -> Self {
        let t = &m.inspections;
        let mut errors = Self::default();
        for fault in faults {
            let text = m.problem(&fault.error).to_owned();
            match &fault.field {
                InspectionField::InspectedOn => {
                    errors.inspected_on.get_or_insert(text);
                }
                InspectionField::InspectedBy => {
                    errors.inspected_by.get_or_insert(text);
                }
                InspectionField::Findings => {
                    errors.findings.get_or_insert(text);
                }
                InspectionField::Checklist | InspectionField::Passed => {
                    errors.general.push(text);
                }
                InspectionField::Item(key) => {
                    let text = match checklist.items.iter().find(|i| &i.key == key) {
                        Some(item) if fault.error.slug == Slug::PointsOutOfRange => t
                            .points_error
                            .replace("{max}", &item.max_points.to_string()),
                        Some(_) => text,
                        // A key the form never offered: said once for the form.
                        None => {
                            errors.general.push(text);
                            continue;
                        }
                    };
                    errors.items.entry(key.clone()).or_insert(text);
                }
                InspectionField::Photos => errors.photos.push(
                    t.too_many_photos
                        .replace("{count}", &limits.per_inspection.to_string()),
                ),
                InspectionField::Photo { file_name, .. } => {
                    let template = if fault.error.slug == Slug::PhotoTooLarge {
                        &t.photo_too_large
                    } else {
                        &t.photo_invalid
                    };
                    errors.photos.push(
                        template
                            .replace("{size}", &limits.max_megabytes().to_string())
                            .replace("{file}", file_name),
                    );
                }
            }
        }
        errors
    }
}

/// The venue of a console address, in the caller's scope (404 otherwise).
async fn venue_of(signed_in: &SignedIn, state: &AppState, raw: &str) -> Result<Venue, PageError> {
    let venue_id: VenueId = parse_id(raw).map_err(|e| signed_in.fail(e))?;
    venue_in_scope(state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))
}

/// `GET /console/venues/{id}/inspections/new?inspected_by=`: the form for
/// a venue in the caller's scope, against the active checklist; who
/// inspected is the signed-in person unless the address names others (a
/// draw's page does).
pub async fn new_form(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let venue = venue_of(&signed_in, &state, &path).await?;
    let checklist = inspections::checklist(&state, None)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let inspected_by = signed_in
        .query_value("inspected_by")
        .map(str::trim)
        .filter(|names| !names.is_empty())
        .unwrap_or(&signed_in.account.display_name)
        .to_owned();
    let fields = InspectionFields {
        inspected_on: state.clock.today().to_string(),
        inspected_by,
        checklist_version: checklist.version.clone(),
        ..InspectionFields::default()
    };
    Ok(form_page(
        &signed_in,
        &state,
        (&venue, &checklist),
        fields,
        FieldErrors::default(),
        false,
    ))
}

/// The most bytes a posted form may hold: every photo at its limit, one
/// more photo (so "too many" can be told), and the text fields.
fn form_max_bytes(limits: PhotoLimits) -> usize {
    (limits.per_inspection + 1)
        .saturating_mul(limits.max_bytes + 1)
        .saturating_add(1024 * 1024)
}

/// Reads the posted form (`multipart/form-data`, or a plain form without
/// photos), refusing one without this session's token (403) or over the
/// size a form may have (422). A photo's bytes are kept up to one byte past
/// the size limit: enough to know it is too large.
async fn read_form(
    signed_in: &SignedIn,
    req: &HttpRequest,
    mut payload: web::Payload,
    limits: PhotoLimits,
) -> Result<PostedForm, PageError> {
    let m = signed_in.messages();
    let refused =
        |text: &String| PageError::new(signed_in.lang, PageProblem::Invalid(text.clone()));
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let mut form = PostedForm::default();
    if !multipart {
        let mut body = Vec::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| refused(&m.errors.bad_request_body))?;
            if body.len() + chunk.len() > TEXT_FIELD_MAX_BYTES {
                return Err(refused(&m.errors.too_large_body));
            }
            body.extend_from_slice(&chunk);
        }
        let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&body).unwrap_or_default();
        for (name, value) in pairs {
            form.take(&name, value);
        }
        signed_in.check_form_token(form.csrf_token.as_deref())?;
        return Ok(form);
    }
    let total_max = form_max_bytes(limits);
    let mut total = 0usize;
    let mut parts = actix_multipart::Multipart::new(req.headers(), payload);
    while let Some(part) = parts.next().await {
        // An unreadable upload reads as a form without a token, which is refused.
        let Ok(mut part) = part else { break };
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let keep = match &file_name {
            Some(_) => limits.max_bytes + 1,
            None => TEXT_FIELD_MAX_BYTES,
        };
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|_| refused(&m.errors.bad_request_body))?;
            total += chunk.len();
            if total > total_max {
                return Err(refused(&m.errors.too_large_body));
            }
            let room = keep.saturating_sub(data.len());
            data.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        match file_name {
            // A file input left empty still sends a part, without a name or bytes.
            Some(file_name) if file_name.is_empty() && data.is_empty() => {}
            Some(file_name) if name == "photos" => form.photos.push(PhotoUpload {
                file_name,
                declared: None,
                bytes: data,
            }),
            Some(_) => {}
            None => {
                if data.len() >= TEXT_FIELD_MAX_BYTES {
                    return Err(refused(&m.errors.too_large_body));
                }
                form.take(&name, String::from_utf8_lossy(&data).into_owned());
            }
        }
    }
    signed_in.check_form_token(form.csrf_token.as_deref())?;
    Ok(form)
}

/// The form's fields as the use-case's request; an item whose points are
/// not a whole number is a fault of its own, kept out of the request.
fn request_of(
    signed_in: &SignedIn,
    fields: &InspectionFields,
) -> (InspectionRequest, Vec<InspectionFault>) {
    let mut faults = Vec::new();
    let mut items = Vec::new();
    let mut keys: Vec<&String> = fields.points.keys().collect();
    keys.sort();
    for key in keys {
        match fields.points[key].trim().parse::<i64>() {
            Ok(points) => items.push(ItemPointsBody {
                key: key.clone(),
                points,
            }),
            Err(_) => faults.push(InspectionFault {
                field: InspectionField::Item(key.clone()),
                error: AppError::new(Slug::PointsOutOfRange, "points are not a whole number"),
            }),
        }
    }
    let inspected_by = match fields.inspected_by.trim() {
        "" => signed_in.account.display_name.clone(),
        _ => fields.inspected_by.clone(),
    };
    let request = InspectionRequest {
        inspected_on: fields.inspected_on.clone(),
        checklist_version: Some(fields.checklist_version.clone()),
        items: Some(items),
        passed: None,
        findings: Some(fields.findings.clone()),
        inspected_by: Some(inspected_by),
    };
    (request, faults)
}

/// `POST /console/venues/{id}/inspections`: records the inspection with its
/// photos and answers 303 to the venue's page; a refused one shows the form
/// again with what was typed and why (422), having stored nothing.
pub async fn record(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let limits = state.settings.photo_limits;
    let form = read_form(&signed_in, &req, payload, limits).await?;
    let venue = venue_of(&signed_in, &state, &path).await?;
    let (request, mut faults) = request_of(&signed_in, &form.fields);
    let photos_sent = !form.photos.is_empty();
    let outcome = if faults.is_empty() {
        inspections::record_with_photos(&state, &signed_in.caller, venue.id, &request, form.photos)
            .await
            .map(Some)
    } else {
        // Points that are no number refuse the form; the rest is still
        // checked, so every field at fault is marked at once.
        inspections::check(&state, &request, form.photos)
            .await
            .map(|_| None)
    };
    match outcome {
        Ok(Some(_)) => {
            let location = format!(
                "{}#inspections-panel",
                href(
                    &format!("/console/venues/{}", venue.id),
                    &[Notice::InspectionRecorded.pair()],
                    Some(signed_in.lang)
                )
            );
            return Ok(signed_in.see_other(&location));
        }
        Ok(None) => {}
        Err(RecordError::Refused(more)) => faults.extend(more),
        Err(RecordError::Failed(err)) => return Err(signed_in.fail(err)),
    }
    // Shown again against the checklist it was filled in for, if it is still stored.
    let posted = Some(form.fields.checklist_version.trim()).filter(|v| !v.is_empty());
    let checklist = match inspections::checklist(&state, posted).await {
        Ok(checklist) => checklist,
        Err(err) if err.slug == Slug::UnknownChecklist => inspections::checklist(&state, None)
            .await
            .map_err(|e| signed_in.fail(e))?,
        Err(err) => return Err(signed_in.fail(err)),
    };
    let errors = FieldErrors::of(signed_in.messages(), &checklist, limits, &faults);
    Ok(form_page(
        &signed_in,
        &state,
        (&venue, &checklist),
        form.fields,
        errors,
        photos_sent,
    ))
}

/// `GET /console/venues/{id}/inspections/{inspection_id}/photos/{photo_id}`:
/// a photo of an inspection of a venue in the caller's scope (404 outside
/// it), as stored: its type, `nosniff`, cached privately, shown inline.
pub async fn photo(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, PageError> {
    let (venue, inspection, photo) = path.into_inner();
    let fail = |e| signed_in.fail(e);
    let venue_id: VenueId = parse_id(&venue).map_err(fail)?;
    let inspection_id = parse_inspection_id(&inspection).map_err(fail)?;
    let photo_id = parse_photo_id(&photo).map_err(fail)?;
    let file = inspections::photo(
        &state,
        &signed_in.caller,
        (venue_id, inspection_id, photo_id),
    )
    .await
    .map_err(fail)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private"))
        .insert_header((header::CONTENT_DISPOSITION, "inline"))
        .body(file.bytes))
}
