//! The random draw (双随机, regulators' requirements clause 25) in the
//! console: the latest draws of the caller's regions with the form that
//! makes one (how many venues, the region, the inspector pool one name a
//! line), and a draw's page with the venues drawn, their weights and what
//! made them, the seed and the inspectors sent, each linking to the form
//! that records the visit. The same use-cases as `/api/v1/inspection-draws`
//! draw, store and audit.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::inspections::{self, DrawBody, DrawPickBody, DrawRequestBody};
use crate::app::path_ids::parse_draw_id;
use crate::app::{AppError, Slug};
use crate::domain::access::Scope;
use crate::domain::inspection::{
    DEFAULT_INSPECTORS_PER_VISIT, DRAW_MAX_COUNT, DRAW_MAX_INSPECTORS, INSPECTOR_NAME_MAX_CHARS,
};
use crate::domain::table::Table;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::console::audit::actor_text;
use crate::http::pages::console::tables::{Built, draws_table};
use crate::http::pages::console::venue_admin::{Choice, region_choices};
use crate::http::pages::console::view::{Names, TableView};
use crate::http::pages::notice::Notice;
use crate::i18n::InspectionTexts;
use crate::store::audit::AuditNames;

/// The draw form's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct DrawFields {
    count: String,
    region_code: String,
    inspectors: String,
    inspectors_per_visit: String,
    seed: String,
}

/// The messages beside the draw form's fields.
#[derive(Debug, Default)]
struct DrawErrors {
    count: Option<String>,
    region_code: Option<String>,
    inspectors: Option<String>,
    inspectors_per_visit: Option<String>,
    seed: Option<String>,
}

impl DrawErrors {
    fn is_empty(&self) -> bool {
        self.count.is_none()
            && self.region_code.is_none()
            && self.inspectors.is_none()
            && self.inspectors_per_visit.is_none()
            && self.seed.is_none()
    }
}

#[derive(Template)]
#[template(path = "console_draws.html")]
struct DrawsView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static InspectionTexts,
    draws: TableView,
    action: String,
    csrf_token: String,
    regions: Vec<Choice>,
    fields: DrawFields,
    errors: DrawErrors,
    count_max: u32,
}

/// The draws page, its form holding `fields` with `errors` beside them.
async fn draws_page(
    signed_in: &SignedIn,
    state: &AppState,
    fields: DrawFields,
    errors: DrawErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.inspections;
    let draws = draws_built(signed_in, state, &names)
        .await?
        .view("draws", &t.draws_empty)
        .downloads(&names, "/console/inspection-draws", &[]);
    let view = DrawsView {
        chrome: signed_in.chrome(t.draws_title.clone()),
        nav: signed_in.nav(),
        t,
        draws,
        action: names.href("/console/inspection-draws", &[]),
        csrf_token: signed_in.session.csrf_token.clone(),
        regions: region_choices(signed_in, &names, &fields.region_code),
        fields,
        errors,
        count_max: DRAW_MAX_COUNT,
    };
    Ok(signed_in.page_with_status(status, render_document(&view)))
}

/// The latest draws of the caller's regions as a table, each row linking
/// to its draw's page.
async fn draws_built(
    signed_in: &SignedIn,
    state: &AppState,
    names: &Names,
) -> Result<Built, PageError> {
    let draws = inspections::recent_draws(state, &signed_in.caller)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let actors: Vec<&str> = draws.iter().map(|d| d.drawn_by.as_str()).collect();
    let drawers = inspections::names(state, &actors, &[])
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(draws_table(names, &draws, &drawers))
}

/// `/console/inspection-draws.{format}`: the page's table of draws, and
/// the download's file name.
pub(in crate::http::pages::console) async fn draws_download(
    signed_in: &SignedIn,
    state: &AppState,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let built = draws_built(signed_in, state, names).await?;
    Ok((built.table, "inspection-draws".to_owned()))
}

/// `GET /console/inspection-draws`: the latest draws and the form.
pub async fn draws(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let region_code = match &signed_in.caller.principal.scope {
        Scope::Region(code) => code.clone(),
        _ => String::new(),
    };
    let fields = DrawFields {
        count: "10".to_owned(),
        region_code,
        inspectors_per_visit: DEFAULT_INSPECTORS_PER_VISIT.to_string(),
        ..DrawFields::default()
    };
    draws_page(
        &signed_in,
        &state,
        fields,
        DrawErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// A whole number typed in a field; blank is none.
fn whole_number(raw: &str) -> Result<Option<i64>, ()> {
    match raw.trim() {
        "" => Ok(None),
        text => text.parse::<i64>().map(Some).map_err(|_| ()),
    }
}

/// The form as the use-case's request, or the messages of the fields that
/// are no numbers.
fn request_of(t: &InspectionTexts, fields: &DrawFields) -> Result<DrawRequestBody, DrawErrors> {
    let mut errors = DrawErrors::default();
    let count_error = || t.count_error.replace("{max}", &DRAW_MAX_COUNT.to_string());
    let count = match whole_number(&fields.count) {
        Ok(Some(count)) => count,
        _ => {
            errors.count = Some(count_error());
            0
        }
    };
    let inspectors_per_visit = whole_number(&fields.inspectors_per_visit)
        .map_err(|()| errors.inspectors_per_visit = Some(t.per_visit_error.clone()))
        .unwrap_or_default();
    let seed = whole_number(&fields.seed)
        .map_err(|()| errors.seed = Some(t.seed_error.clone()))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(DrawRequestBody {
        region_code: fields.region_code.trim().to_owned(),
        count,
        seed,
        inspectors: fields
            .inspectors
            .lines()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .collect(),
        inspectors_per_visit,
    })
}

/// A use-case's refusal beside the field it is about.
fn errors_of(signed_in: &SignedIn, err: &AppError) -> DrawErrors {
    let m = signed_in.messages();
    let t = &m.inspections;
    let mut errors = DrawErrors::default();
    match (err.slug, err.arg("field")) {
        (Slug::InvalidDraw, Some("count")) => {
            errors.count = Some(t.count_error.replace("{max}", &DRAW_MAX_COUNT.to_string()));
        }
        (Slug::InvalidDraw, Some("inspectors")) => {
            errors.inspectors = Some(
                t.pool_error
                    .replace("{max}", &DRAW_MAX_INSPECTORS.to_string())
                    .replace("{chars}", &INSPECTOR_NAME_MAX_CHARS.to_string()),
            );
        }
        (Slug::InvalidDraw, Some("inspectors_per_visit")) => {
            errors.inspectors_per_visit = Some(t.per_visit_error.clone());
        }
        // The region: unknown, malformed, missing or outside the caller's scope.
        _ => errors.region_code = Some(m.problem(err).to_owned()),
    }
    errors
}

/// `POST /console/inspection-draws`: draws, stores and audits, then 303 to
/// the draw's page; a refused draw shows the form again with what was typed
/// and why (422, or 403 for a region outside the caller's scope).
pub async fn make_draw(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: DrawFields = signed_in.form(&body)?;
    let t = &signed_in.messages().inspections;
    let request = match request_of(t, &fields) {
        Ok(request) => request,
        Err(errors) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return draws_page(&signed_in, &state, fields, errors, status).await;
        }
    };
    match inspections::draw(&state, &signed_in.caller, &request).await {
        Ok(draw) => Ok(signed_in.done(
            &format!("/console/inspection-draws/{}", draw.id),
            Vec::new(),
            Notice::DrawMade,
        )),
        Err(err) => match SignedIn::refusal_status(&err) {
            Some(status) if status != StatusCode::NOT_FOUND => {
                let errors = errors_of(&signed_in, &err);
                draws_page(&signed_in, &state, fields, errors, status).await
            }
            _ => Err(signed_in.fail(err)),
        },
    }
}

/// One fact of a draw: its label and value.
type Fact = (String, String);

/// One visit of a draw as its page lists it.
struct PickRow {
    position: usize,
    venue: String,
    venue_href: String,
    tier: Option<String>,
    weight: u32,
    reasons: String,
    inspectors: String,
    /// The form that records the visit, its inspectors filled in.
    record_href: String,
}

#[derive(Template)]
#[template(path = "console_draw.html")]
struct DrawView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static InspectionTexts,
    title: String,
    all_draws_href: String,
    facts: Vec<Fact>,
    picks: Vec<PickRow>,
}

/// What gave a pick its weight: its tier (or none yet) and its recent complaints.
fn reasons(t: &InspectionTexts, separator: &str, pick: &DrawPickBody) -> String {
    let weight = pick.tier_weight.to_string();
    let mut reasons = vec![match &pick.tier {
        Some(tier) => t
            .reason_tier
            .replace("{weight}", &weight)
            .replace("{tier}", tier),
        None => t.reason_ungraded.replace("{weight}", &weight),
    }];
    if pick.complaint_weight > 0 {
        reasons.push(
            t.reason_complaints
                .replace("{count}", &pick.complaint_weight.to_string()),
        );
    }
    reasons.join(separator)
}

fn pick_rows(names: &Names, draw: &DrawBody, found: &AuditNames) -> Vec<PickRow> {
    let t = &names.m.inspections;
    let separator = &names.m.console.reason_separator;
    draw.picks
        .iter()
        .enumerate()
        .map(|(i, pick)| PickRow {
            position: i + 1,
            venue: found
                .venues
                .get(&pick.venue_id)
                .cloned()
                .unwrap_or_else(|| pick.venue_id.to_string()),
            venue_href: names.venue_href(pick.venue_id),
            tier: pick.tier.clone(),
            weight: pick.weight,
            reasons: reasons(t, separator, pick),
            inspectors: pick.inspectors.join(separator),
            record_href: names.href(
                &format!("/console/venues/{}/inspections/new", pick.venue_id),
                &[("inspected_by".to_owned(), pick.inspectors.join("、"))],
            ),
        })
        .collect()
}

/// `GET /console/inspection-draws/{id}`: a draw of a region in the caller's
/// scope (404 otherwise).
pub async fn draw_page(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_draw_id(&path).map_err(|e| signed_in.fail(e))?;
    let draw = inspections::get_draw(&state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let venue_ids: Vec<_> = draw.picks.iter().map(|p| p.venue_id).collect();
    let found = inspections::names(&state, &[draw.drawn_by.as_str()], &venue_ids)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.inspections;
    let separator = &names.m.console.reason_separator;
    let facts = vec![
        (
            t.drawn_region.clone(),
            format!("{} ({})", names.region(&draw.region_code), draw.region_code),
        ),
        (t.drawn_seed.clone(), draw.seed.to_string()),
        (t.drawn_at.clone(), local_time(draw.drawn_at)),
        (
            t.drawn_by.clone(),
            actor_text(&names.m.audit, &found, &draw.drawn_by),
        ),
        (t.drawn_candidates.clone(), draw.candidates.to_string()),
        (t.drawn_pool.clone(), draw.inspectors.join(separator)),
        (
            t.drawn_per_visit.clone(),
            draw.inspectors_per_visit.to_string(),
        ),
    ];
    let title = t.draw_title.replace("{id}", &draw.id.to_string());
    let view = DrawView {
        chrome: signed_in.chrome(title.clone()),
        nav: signed_in.nav(),
        t,
        title,
        all_draws_href: names.href("/console/inspection-draws", &[]),
        facts,
        picks: pick_rows(&names, &draw, &found),
    };
    Ok(signed_in.page(render_document(&view)))
}
