//! The regulator console, for admins and regulators: a region's overview,
//! rankings that drill down region → child region → venue, a venue's
//! detail with moderation and violations, and the audit log. Every table is a
//! [`crate::domain::table::Table`] built once: the page shows it and its CSV
//! and Excel downloads write it, with the same columns and filters.
//!
//! Pages read through the same loaders as the JSON routes (`api/supervision.rs`,
//! `rankings.rs`, `scores.rs`) and never see beyond the caller's scope: a
//! region outside it is 403, a venue outside it 404.

mod actions;
mod alerts;
mod appeals;
mod audit;
mod calendar;
mod campaigns;
mod cases;
pub mod complaint_entry;
mod draws;
mod home;
mod inspections;
mod integrity;
mod list_entries;
mod posters;
mod quality_officers;
mod rankings;
mod repairs;
mod reports;
mod tables;
mod tier_override;
mod venue;
pub mod venue_admin;
mod view;

use crate::domain::ids::VenueId;
use actix_web::{HttpRequest, HttpResponse, web};

pub use actions::{quarantine, quarantine_selection, record_violation, release};
pub use alerts::{inbox as alerts, read as read_alert};
pub use appeals::{decide as decide_appeal, queue as appeals};
pub use audit::audit;
pub use calendar::{calendar, set_day as set_calendar_day};
pub use campaigns::{
    award as award_campaign, campaign, create as create_campaign, form as campaign_form,
    list as campaigns, nominate as nominate_campaign_unit, remove as remove_campaign_unit,
    review as review_campaign_list, submit as submit_campaign_list,
};
pub use cases::{case_page, queue as complaints, reveal as reveal_contact, step as case_step};
pub use draws::{draw_page, draws as inspection_draws, make_draw};
pub use home::home;
pub use inspections::{
    new_form as new_inspection, photo as inspection_photo, record as record_inspection,
};
pub use integrity::{decide_hold, decide_incident, incident, queue as integrity_queue};
pub use list_entries::{decide as decide_list_entry, propose as propose_list_entry};
pub use posters::{codes_zip as poster_codes, page as posters, print as print_posters};
pub use quality_officers::{
    decide as decide_officer_registration, evaluate as evaluate_officer,
    officer as quality_officer, registration_form as officer_registration_form,
    registry as quality_officers,
};
pub use rankings::rankings;
pub use repairs::{decide as decide_repair, page as repair_page, queue as repairs};
pub use reports::{report_download, reports};
pub use tier_override::{end as end_tier_override, set as set_tier_override};
pub use venue::venue;

use self::view::Names;
use crate::app::audit::{self as audit_log, Download};
use crate::app::path_ids::parse_id;
use crate::domain::access::Scope;
use crate::domain::table::Table;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::export::{ExportFormat, export_response};
use crate::http::html::local_time;

/// Every table a console download can hold, by the key its address and its
/// audit row name it with: `/console/{table}.{format}`, then a venue's
/// (`/console/venues/{id}/{table}.{format}`), then the period report, which
/// has an address of its own (`/console/reports/report.{format}`). Any other
/// name is 404.
pub(in crate::http::pages::console) const EXPORT_TABLES: [&str; 15] = [
    "rankings",
    "regions",
    "lowest",
    "falling",
    "watchlist",
    "audit",
    "ratings",
    "violations",
    "tiers",
    "complaints",
    "inspections",
    "inspection-draws",
    "report",
    "appeals",
    "quality-officers",
];

/// What the audit log calls the poster downloads (`/console/posters/print`
/// and `/console/posters/codes.zip`), which are no console table.
pub(in crate::http::pages::console) const POSTER_DOWNLOADS: &str = "posters";

/// What the audit log calls the prefecture's Chief Quality Officer
/// registration form (`/console/quality-officers/registration-form.xlsx`).
pub(in crate::http::pages::console) const OFFICER_FORM_DOWNLOAD: &str = "quality-officer-form";

/// The most rows a download holds; a ranking of a whole province fits.
pub const EXPORT_MAX_ROWS: i64 = 50_000;

/// A console table as a file whose first line says what it is, whose data
/// it holds (the caller's scope) and as of when, in Beijing time.
async fn download(
    signed_in: &SignedIn,
    state: &AppState,
    names: &Names,
    table: &Table,
    (format, stem): (ExportFormat, &str),
    what: (&str, Option<VenueId>, &HttpRequest),
) -> Result<HttpResponse, PageError> {
    let scope = match &signed_in.caller.principal.scope {
        Scope::All => names.region_or_country(None),
        Scope::Region(code) => format!("{} ({code})", names.region(code)),
        Scope::Venues(ids) => ids
            .iter()
            .map(VenueId::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let caption = names
        .m
        .console
        .export_caption
        .replace("{title}", &table.title)
        .replace("{scope}", &scope)
        .replace("{at}", &local_time(state.clock.now()));
    download_under(signed_in, state, table, &[&caption], (format, stem), what).await
}

/// A console table as a file under the lines of `preamble` (what it is, its
/// scope or region, as of when), audited as a download of `table_key`.
async fn download_under(
    signed_in: &SignedIn,
    state: &AppState,
    table: &Table,
    preamble: &[&str],
    (format, stem): (ExportFormat, &str),
    (table_key, venue_id, req): (&str, Option<VenueId>, &HttpRequest),
) -> Result<HttpResponse, PageError> {
    let response = export_response(table, format, stem, preamble).map_err(|err| {
        tracing::error!(error = %err, "export failed");
        PageError::new(signed_in.lang, PageProblem::Failed)
    })?;
    // Audited before the file leaves: no download the log lacks.
    let what = Download {
        table: table_key,
        format: format.extension(),
        venue_id,
        rows: table.rows.len(),
        query: req.query_string(),
    };
    audit_log::record_download(state, &signed_in.caller, &what)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(response)
}

/// `GET /console/{table}.{format}`: a console table as `csv` or `xlsx` —
/// `rankings` and `regions` (the rankings page's), `lowest`, `falling` and
/// `watchlist` (the overview's), `audit` (the audit log's), `complaints`
/// and `appeals` (the queues'), `inspection-draws` (the latest draws) — with
/// the query of the page it is on.
pub async fn export(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (name, extension) = path.into_inner();
    let not_found = || PageError::new(signed_in.lang, PageProblem::NotFound);
    let format = ExportFormat::parse(&extension).ok_or_else(not_found)?;
    if !EXPORT_TABLES.contains(&name.as_str()) {
        return Err(not_found());
    }
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let (table, stem) = match name.as_str() {
        "rankings" => rankings::rankings_download(&signed_in, &state, &req, &names).await?,
        "regions" => rankings::regions_download(&signed_in, &state, &req, &names).await?,
        "audit" => audit::audit_download(&signed_in, &state, &req, &names).await?,
        "complaints" => cases::cases_download(&signed_in, &state, &req, &names).await?,
        "inspection-draws" => draws::draws_download(&signed_in, &state, &names).await?,
        "appeals" => appeals::appeals_download(&signed_in, &state, &req, &names).await?,
        "quality-officers" => {
            quality_officers::registry_download(&signed_in, &state, &req, &names).await?
        }
        other => home::home_table(&signed_in, &state, &req, &names, other)
            .await?
            .ok_or_else(not_found)?,
    };
    let what = (name.as_str(), None, &req);
    download(&signed_in, &state, &names, &table, (format, &stem), what).await
}

/// `GET /console/venues/{id}/{table}.{format}`: a venue's `ratings`,
/// `violations`, `inspections` or `tiers` (tier history) as `csv` or `xlsx`.
pub async fn venue_export(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (id, name, extension) = path.into_inner();
    let not_found = || PageError::new(signed_in.lang, PageProblem::NotFound);
    let format = ExportFormat::parse(&extension).ok_or_else(not_found)?;
    if !EXPORT_TABLES.contains(&name.as_str()) {
        return Err(not_found());
    }
    let venue_id = parse_id(&id).map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let (table, stem) = venue::venue_table(
        &signed_in,
        &state,
        &names,
        (venue_id, &name),
        req.query_string(),
    )
    .await?
    .ok_or_else(not_found)?;
    let what = (name.as_str(), Some(venue_id), &req);
    download(&signed_in, &state, &names, &table, (format, &stem), what).await
}
