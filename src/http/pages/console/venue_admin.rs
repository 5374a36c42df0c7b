//! Keeping the venue register from the console: register a venue, edit its
//! details and the particulars the prefecture's recommendation form asks
//! (巴州 2023, 附件2: 单位性质, 负责人, 联系电话, 员工人数, 设立时间; and its
//! 统一社会信用代码), close and reopen it, and import venues from a
//! spreadsheet — first checked, every fault shown by row and column in the
//! page's language, then imported on confirmation, all or none.
//!
//! Every form carries the session's token and calls the same use-case as
//! its JSON route (`app::venue_admin`), which writes the audit rows; a
//! refusal shows the form again with what was typed (422).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::app::path_ids::parse_id;
use crate::app::venue_admin::{
    self, ImportFormat, ImportReport, MAX_IMPORT_BYTES, VenueDetail, VenuePatch,
};
use crate::app::{AppError, Kind, Slug};
use crate::domain::access::Scope;
use crate::domain::ids::VenueId;
use crate::domain::venue::NewVenue;
use crate::domain::venue_particulars::UnitType;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::confirm::{Confirmation, confirmation_page, is_confirmed};
use crate::http::pages::console::view::Names;
use crate::http::pages::notice::Notice;
use crate::i18n::{Messages, VenueAdminTexts};
use crate::store::venues::Venue;

/// What the console's venue page shows for keeping the venue: a link to
/// its edit form, whether it is closed, and the close or reopen button.
#[derive(Debug, Clone)]
pub(in crate::http::pages::console) struct VenueAdminBar {
    /// The edit form, when not on it already.
    pub edit_href: Option<String>,
    /// "Closed since …", when it is closed.
    pub closed_note: Option<String>,
    /// Where the button posts: close or reopen.
    pub action: String,
    /// The button's label.
    pub button: String,
    /// The session's form token.
    pub csrf_token: String,
}

/// The bar for a venue (`closed_at` its closing time, if closed).
pub(in crate::http::pages::console) fn admin_bar(
    signed_in: &SignedIn,
    names: &Names,
    venue_id: VenueId,
    closed_at: Option<chrono::DateTime<chrono::Utc>>,
    on_edit_form: bool,
) -> VenueAdminBar {
    let t = &names.m.venue_admin;
    let path = format!("/console/venues/{venue_id}");
    let (verb, button) = if closed_at.is_some() {
        ("reopen", &t.reopen_button)
    } else {
        ("close", &t.close_button)
    };
    VenueAdminBar {
        edit_href: (!on_edit_form).then(|| names.href(&format!("{path}/edit"), &[])),
        closed_note: closed_at.map(|at| t.closed_badge.replace("{at}", &local_time(at))),
        action: names.href(&format!("{path}/{verb}"), &[]),
        button: button.clone(),
        csrf_token: signed_in.session.csrf_token.clone(),
    }
}

/// The bar for the console's venue page.
pub(in crate::http::pages::console) fn bar_for(
    signed_in: &SignedIn,
    names: &Names,
    venue: &Venue,
) -> VenueAdminBar {
    admin_bar(signed_in, names, venue.id, venue.closed_at, false)
}

/// A form's fields as typed (or as stored, on a first view).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct VenueFields {
    name: String,
    region_code: String,
    category: String,
    address: String,
    unit_type: String,
    person_in_charge: String,
    phone: String,
    staff_count: String,
    founded_on: String,
    credit_code: String,
}

impl From<&VenueDetail> for VenueFields {
    fn from(v: &VenueDetail) -> Self {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        Self {
            name: v.name.clone(),
            region_code: v.region_code.to_string(),
            category: v.category.clone(),
            address: text(&v.address),
            unit_type: text(&v.unit_type),
            person_in_charge: text(&v.person_in_charge),
            phone: text(&v.phone),
            staff_count: v.staff_count.map(|n| n.to_string()).unwrap_or_default(),
            founded_on: v.founded_on.map(|d| d.to_string()).unwrap_or_default(),
            credit_code: text(&v.credit_code),
        }
    }
}

/// A choice of a select: value, label, whether chosen.
pub(in crate::http::pages::console) type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "console_venue_form.html")]
struct VenueFormView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    t: &'static VenueAdminTexts,
    title: String,
    action: String,
    csrf_token: String,
    error: Option<String>,
    fields: VenueFields,
    regions: Vec<Choice>,
    categories: Vec<Choice>,
    unit_types: Vec<Choice>,
    /// Whether the form has the particulars (the edit form).
    particulars: bool,
    submit: String,
    cancel_href: String,
    /// Closing and reopening, on the edit form.
    admin: Option<VenueAdminBar>,
}

/// The regions the caller may place venues in (or draw venues of), by name.
pub(in crate::http::pages::console) fn region_choices(
    signed_in: &SignedIn,
    names: &Names,
    chosen: &str,
) -> Vec<Choice> {
    let tree = &names.regions;
    let codes: Vec<String> = match &signed_in.caller.principal.scope {
        Scope::All => tree
            .provinces()
            .iter()
            .flat_map(|p| tree.subtree(p))
            .collect(),
        Scope::Region(root) => tree.subtree(root),
        Scope::Venues(_) => Vec::new(),
    };
    let mut choices: Vec<Choice> = codes
        .into_iter()
        .map(|code| {
            let label = format!("{} ({code})", names.region(&code));
            let on = code == chosen;
            (code, label, on)
        })
        .collect();
    // A venue already placed outside the list keeps its region shown.
    if !chosen.is_empty() && !choices.iter().any(|(code, _, _)| code == chosen) {
        choices.insert(
            0,
            (
                chosen.to_owned(),
                format!("{} ({chosen})", names.region(chosen)),
                true,
            ),
        );
    }
    choices
}

fn category_choices(names: &Names, chosen: &str) -> Vec<Choice> {
    names
        .categories()
        .into_iter()
        .map(|(key, label)| {
            let on = key == chosen;
            (key, label, on)
        })
        .collect()
}

fn unit_type_choices(t: &VenueAdminTexts, chosen: &str) -> Vec<Choice> {
    let mut choices = vec![(String::new(), t.unit_type_none.clone(), chosen.is_empty())];
    choices.extend(UnitType::ALL.into_iter().map(|unit| {
        let label = match unit {
            UnitType::Government => &t.unit_government,
            UnitType::StateOwned => &t.unit_state_owned,
            UnitType::Private => &t.unit_private,
            UnitType::Individual => &t.unit_individual,
        };
        (
            unit.key().to_owned(),
            label.clone(),
            unit.key() == chosen || unit.label_zh() == chosen,
        )
    }));
    choices
}

/// The create (`venue_id` none) or edit form.
async fn form_page(
    signed_in: &SignedIn,
    state: &AppState,
    venue: Option<(&VenueDetail, VenueAdminBar)>,
    fields: VenueFields,
    error: Option<String>,
) -> Result<HttpResponse, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let t = &m.venue_admin;
    let (title, action, submit, cancel_href, admin) = match venue {
        Some((venue, bar)) => (
            t.edit_title.replace("{venue}", &venue.name),
            names.href(&format!("/console/venues/{}/edit", venue.id), &[]),
            t.save_submit.clone(),
            names.venue_href(venue.id),
            Some(bar),
        ),
        None => (
            t.new_title.clone(),
            names.href("/console/venues/new", &[]),
            t.create_submit.clone(),
            names.href("/console", &[]),
            None,
        ),
    };
    let view = VenueFormView {
        chrome: signed_in.chrome(title.clone()),
        nav: signed_in.nav(),
        m,
        t,
        title,
        action,
        csrf_token: signed_in.session.csrf_token.clone(),
        regions: region_choices(signed_in, &names, &fields.region_code),
        categories: category_choices(&names, &fields.category),
        unit_types: unit_type_choices(t, &fields.unit_type),
        particulars: admin.is_some(),
        submit,
        cancel_href,
        admin,
        error,
        fields,
    };
    let status = if view.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(signed_in.page_with_status(status, render_document(&view)))
}

/// The refusal of a use-case as the form shows it; `None` for a failure
/// that is no refusal of the input (its own error page).
fn refusal(signed_in: &SignedIn, err: &AppError) -> Option<String> {
    (matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict)
        || err.slug == Slug::RegionOutsideScope)
        .then(|| signed_in.messages().problem(err).to_owned())
}

/// `GET /console/venues/new`: the form to register a venue.
pub async fn new_form(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    form_page(&signed_in, &state, None, VenueFields::default(), None).await
}

/// `POST /console/venues/new`: registers the venue with its first code,
/// then shows its console page.
pub async fn create(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: VenueFields = signed_in.form(&body)?;
    let created = match NewVenue::parse(
        &fields.name,
        &fields.region_code,
        &fields.category,
        Some(&fields.address),
    ) {
        Ok(new) => venue_admin::create(&state, &signed_in.caller, &new).await,
        Err(err) => Err(venue_admin::venue_field_error(err)),
    };
    match created {
        Ok(venue) => Ok(signed_in.done(
            &format!("/console/venues/{}", venue.id),
            Vec::new(),
            Notice::VenueCreated,
        )),
        Err(err) => match refusal(&signed_in, &err) {
            Some(text) => form_page(&signed_in, &state, None, fields, Some(text)).await,
            None => Err(signed_in.fail(err)),
        },
    }
}

/// The venue of a console address, in the caller's scope.
async fn venue_of(
    signed_in: &SignedIn,
    state: &AppState,
    path: &str,
) -> Result<VenueDetail, PageError> {
    let id = parse_id(path).map_err(|e| signed_in.fail(e))?;
    venue_admin::detail(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))
}

/// The bar of the edit form.
async fn edit_bar(
    signed_in: &SignedIn,
    state: &AppState,
    venue: &VenueDetail,
) -> Result<VenueAdminBar, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(admin_bar(
        signed_in,
        &names,
        venue.id,
        venue.closed_at,
        true,
    ))
}

/// `GET /console/venues/{id}/edit`: the venue's details and particulars,
/// with the button that closes or reopens it.
pub async fn edit_form(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let venue = venue_of(&signed_in, &state, &path).await?;
    let bar = edit_bar(&signed_in, &state, &venue).await?;
    let fields = VenueFields::from(&venue);
    form_page(&signed_in, &state, Some((&venue, bar)), fields, None).await
}

/// The edit form's fields as a patch: every field is set (blank clears).
fn patch_of(fields: &VenueFields) -> Result<VenuePatch, AppError> {
    let text = |value: &str| Some(Some(value.to_owned()));
    let staff_count = match fields.staff_count.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            AppError::new(Slug::InvalidStaffCount, "staff_count is not a whole number")
        })?),
    };
    Ok(VenuePatch {
        name: Some(fields.name.clone()),
        address: text(&fields.address),
        region_code: Some(fields.region_code.clone()),
        category: Some(fields.category.clone()),
        unit_type: text(&fields.unit_type),
        person_in_charge: text(&fields.person_in_charge),
        phone: text(&fields.phone),
        staff_count: Some(staff_count),
        founded_on: text(&fields.founded_on),
        credit_code: text(&fields.credit_code),
        closed: None,
    })
}

/// `POST /console/venues/{id}/edit`: saves the details, with an audit row
/// of what changed.
pub async fn save(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: VenueFields = signed_in.form(&body)?;
    let venue = venue_of(&signed_in, &state, &path).await?;
    let outcome = match patch_of(&fields)
        .and_then(|patch| venue_admin::parse_patch(&patch, state.clock.today()))
    {
        Ok(edit) => venue_admin::edit(&state, &signed_in.caller, venue.id, &edit).await,
        Err(err) => Err(err),
    };
    match outcome {
        Ok(outcome) => {
            if outcome.changed() {
                state.forget_code(&outcome.after.code).await;
            }
            Ok(signed_in.done(
                &format!("/console/venues/{}", venue.id),
                Vec::new(),
                Notice::VenueSaved,
            ))
        }
        Err(err) => match refusal(&signed_in, &err) {
            Some(text) => {
                let bar = edit_bar(&signed_in, &state, &venue).await?;
                form_page(&signed_in, &state, Some((&venue, bar)), fields, Some(text)).await
            }
            None => Err(signed_in.fail(err)),
        },
    }
}

/// Fields of the close form.
#[derive(Debug, Default, Deserialize)]
struct CloseForm {
    /// `yes` once the person confirmed.
    confirmed: Option<String>,
}

/// Closes (`closed`) or reopens a venue, then shows its console page.
async fn set_closed(
    signed_in: &SignedIn,
    state: &AppState,
    venue: &VenueDetail,
    closed: bool,
) -> Result<HttpResponse, PageError> {
    let edit = crate::domain::venue::VenueEdit {
        closed: Some(closed),
        ..Default::default()
    };
    let outcome = venue_admin::edit(state, &signed_in.caller, venue.id, &edit)
        .await
        .map_err(|e| signed_in.fail(e))?;
    state.forget_code(&outcome.after.code).await;
    let notice = if closed {
        Notice::VenueClosed
    } else {
        Notice::VenueReopened
    };
    Ok(signed_in.done(&format!("/console/venues/{}", venue.id), Vec::new(), notice))
}

/// `POST /console/venues/{id}/close`: asks to confirm, then closes the
/// venue: its code page says so and takes no ratings; its history stays.
pub async fn close(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: CloseForm = signed_in.form(&body)?;
    let venue = venue_of(&signed_in, &state, &path).await?;
    if !is_confirmed(form.confirmed.as_deref()) {
        let names = Names::load(&state, signed_in.lang)
            .await
            .map_err(|e| signed_in.fail(e))?;
        let t = &names.m.venue_admin;
        let confirmation = Confirmation::new(
            t.close_title.clone(),
            t.close_body.replace("{venue}", &venue.name),
            names.href(&format!("/console/venues/{}/close", venue.id), &[]),
            t.close_submit.clone(),
            names.venue_href(venue.id),
        );
        return Ok(confirmation_page(&signed_in, confirmation));
    }
    set_closed(&signed_in, &state, &venue, true).await
}

/// `POST /console/venues/{id}/reopen`: the venue takes ratings again.
pub async fn reopen(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: CloseForm = signed_in.form(&body)?;
    let venue = venue_of(&signed_in, &state, &path).await?;
    set_closed(&signed_in, &state, &venue, false).await
}

/// One fault of a checked file as the page lists it.
struct FaultRow {
    row: usize,
    column: String,
    problem: String,
}

/// What a check of a file found.
struct ImportResultView {
    /// "All N rows are correct", or how many faults in how many rows.
    summary: String,
    faults: Vec<FaultRow>,
    /// The checked table as CSV, posted back to import it, when it has no fault.
    confirm: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "console_venue_import.html")]
struct ImportView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static VenueAdminTexts,
    action: String,
    csrf_token: String,
    template_csv_href: String,
    template_xlsx_href: String,
    error: Option<String>,
    result: Option<ImportResultView>,
}

/// How the page names a column: its label and the template's key.
fn column_label(t: &VenueAdminTexts, column: &str) -> String {
    let label = match column {
        "name" => &t.name_label,
        "region_code" => &t.region_label,
        "category" => &t.category_label,
        "address" => &t.address_label,
        "unit_type" => &t.unit_type_label,
        "person_in_charge" => &t.person_label,
        "phone" => &t.phone_label,
        "staff_count" => &t.staff_label,
        "founded_on" => &t.founded_label,
        "credit_code" => &t.credit_code_label,
        other => return other.to_owned(),
    };
    format!("{label} ({column})")
}

/// The import page, with a check's result or a refusal of the file.
fn import_page(
    signed_in: &SignedIn,
    error: Option<String>,
    result: Option<ImportResultView>,
    status: StatusCode,
) -> HttpResponse {
    let m = signed_in.messages();
    let t = &m.venue_admin;
    let lang = signed_in.lang.tag();
    let view = ImportView {
        chrome: signed_in.chrome(t.import_title.clone()),
        nav: signed_in.nav(),
        t,
        action: format!("/console/venues/import?lang={lang}"),
        csrf_token: signed_in.session.csrf_token.clone(),
        template_csv_href: "/console/venues/import/template.csv".to_owned(),
        template_xlsx_href: "/console/venues/import/template.xlsx".to_owned(),
        error,
        result,
    };
    signed_in.page_with_status(status, render_document(&view))
}

/// `GET /console/venues/import`: the upload form and the templates.
pub async fn import_form(signed_in: SignedIn) -> HttpResponse {
    import_page(&signed_in, None, None, StatusCode::OK)
}

/// `GET /console/venues/import/template.csv`.
pub async fn template_csv(_signed_in: SignedIn) -> Result<HttpResponse, crate::error::ApiError> {
    crate::http::api::venue_admin::template_csv_file()
}

/// `GET /console/venues/import/template.xlsx`.
pub async fn template_xlsx(_signed_in: SignedIn) -> Result<HttpResponse, crate::error::ApiError> {
    crate::http::api::venue_admin::template_xlsx_file()
}

/// A posted import form: the session's token and either a file to check
/// or the checked table to import.
#[derive(Debug, Default, Deserialize)]
struct ImportFields {
    csrf_token: Option<String>,
    /// The checked table, as CSV (the confirm step).
    table: Option<String>,
    #[serde(skip)]
    file: Option<(String, Option<String>, Vec<u8>)>,
}

/// The most bytes the import page takes: a file, or a checked table
/// posted back (URL-encoding makes it up to three times as long).
const MAX_PAGE_IMPORT_BYTES: usize = 3 * MAX_IMPORT_BYTES;

/// Reads an upload (`multipart/form-data`) or a plain form.
async fn read_import_form(
    signed_in: &SignedIn,
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<ImportFields, PageError> {
    let too_large = || {
        PageError::new(
            signed_in.lang,
            PageProblem::Invalid(signed_in.messages().errors.too_large_body.clone()),
        )
    };
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            PageError::new(
                signed_in.lang,
                PageProblem::Invalid(signed_in.messages().errors.bad_request_body.clone()),
            )
        })?;
        if body.len() + chunk.len() > MAX_PAGE_IMPORT_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let fields: ImportFields = signed_in.form(&body)?;
        return Ok(fields);
    }
    let mut fields = ImportFields::default();
    let stream = futures_util::stream::once(async move { Ok(web::Bytes::from(body)) });
    let mut parts = actix_multipart::Multipart::new(req.headers(), stream);
    while let Some(part) = parts.next().await {
        // An unreadable upload reads as a form without a token, which is refused.
        let Ok(mut part) = part else { break };
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        let media_type = part.content_type().map(|m| m.essence_str().to_owned());
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            let Ok(chunk) = chunk else { break };
            data.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => fields.csrf_token = String::from_utf8(data).ok(),
            "file" if !data.is_empty() => {
                fields.file = Some((file_name.unwrap_or_default(), media_type, data));
            }
            _ => {}
        }
    }
    signed_in.check_form_token(fields.csrf_token.as_deref())?;
    Ok(fields)
}

/// The result view of a checked (or refused) import.
fn result_view(
    t: &VenueAdminTexts,
    signed_in: &SignedIn,
    report: &ImportReport,
    table: Option<String>,
) -> ImportResultView {
    let m = signed_in.messages();
    let faults: Vec<FaultRow> = report
        .errors
        .iter()
        .map(|e| FaultRow {
            row: e.row,
            column: column_label(t, e.column),
            problem: m.problem_text(e.slug).to_owned(),
        })
        .collect();
    let rows = report.rows.to_string();
    let summary = if faults.is_empty() {
        t.rows_ok.replace("{rows}", &rows)
    } else {
        t.errors_heading
            .replace("{count}", &faults.len().to_string())
            .replace("{rows}", &rows)
    };
    let confirm = table
        .filter(|_| faults.is_empty())
        .map(|csv| (csv, t.import_submit.replace("{rows}", &rows)));
    ImportResultView {
        summary,
        faults,
        confirm,
    }
}

/// `POST /console/venues/import`: with a file, checks every row and shows
/// every fault (nothing is imported); with the checked table posted back
/// from that page, imports it, all or none.
pub async fn import(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let fields = read_import_form(&signed_in, &req, payload).await?;
    let t = &signed_in.messages().venue_admin;
    let refused = |err: AppError| -> Result<HttpResponse, PageError> {
        match refusal(&signed_in, &err) {
            Some(text) => Ok(import_page(
                &signed_in,
                Some(text),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            None => Err(signed_in.fail(err)),
        }
    };
    if let Some((file_name, media_type, data)) = fields.file {
        let format = ImportFormat::of_file_name(&file_name)
            .or_else(|| media_type.as_deref().and_then(ImportFormat::of_media_type));
        let Some(format) = format else {
            return refused(AppError::new(
                Slug::UnsupportedImportType,
                "not csv or xlsx",
            ));
        };
        let table = match venue_admin::read_table(&data, format) {
            Ok(table) => table,
            Err(err) => return refused(err),
        };
        let report = match venue_admin::import_table(&state, &signed_in.caller, &table, true).await
        {
            Ok(report) => report,
            Err(err) => return refused(err),
        };
        let csv = venue_admin::table_to_csv(&table).map_err(|e| signed_in.fail(e))?;
        let status = if report.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let view = result_view(t, &signed_in, &report, Some(csv));
        return Ok(import_page(&signed_in, None, Some(view), status));
    }
    let Some(table) = fields.table.filter(|t| !t.trim().is_empty()) else {
        return Ok(import_page(
            &signed_in,
            Some(t.file_required.clone()),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let table = match venue_admin::read_table(table.as_bytes(), ImportFormat::Csv) {
        Ok(table) => table,
        Err(err) => return refused(err),
    };
    let report = match venue_admin::import_table(&state, &signed_in.caller, &table, false).await {
        Ok(report) => report,
        Err(err) => return refused(err),
    };
    if !report.errors.is_empty() {
        // Something changed since the check (a region, the person's scope).
        let view = result_view(t, &signed_in, &report, None);
        return Ok(import_page(
            &signed_in,
            None,
            Some(view),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    Ok(signed_in.done("/console/venues/import", Vec::new(), Notice::VenuesImported))
}
