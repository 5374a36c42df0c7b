//! The console's demonstration-unit campaigns (微笑新疆 示范单位推荐;
//! section C of the regulators' requirements), for regulators and admins
//! within their scope:
//!
//! - `/console/campaigns`: the campaigns the caller sees, and for those over
//!   a prefecture the form that creates one from the notice's quota file
//!   (refused settings beside their fields, quota-file faults by row and
//!   column, nothing stored);
//! - `/console/campaigns/{id}`: each region's quota, confirmed count and
//!   list state; for a region the caller is over, the ranked proposals with
//!   their score parts and gates, the excluded venues with why, and the forms
//!   that confirm, add, swap, take off and submit (三: counties recommend);
//!   for the prefecture, the review of each submitted list and the award
//!   (三: the prefecture decides); the forms 附件2–5 as .xlsx.
//!
//! Every form calls the JSON routes' use-cases (`app::campaigns`), which
//! check the caller's scope and write the audit rows.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use futures_util::StreamExt;
use serde::Deserialize;

use super::audit::actor_text;
use super::view::{Names, SelectOption};
use crate::app::audit::{self as audit_log, Download};
use crate::app::campaigns::{
    self, CampaignBody, CreateCampaignRequest, CreateError, Form, NominateRequest, Proposals,
    ReviewRequest, WeightsRequest, refused_field,
};
use crate::app::path_ids::parse_campaign_id;
use crate::app::{AppError, Slug};
use crate::domain::access::Scope;
use crate::domain::campaign::{Exclusion, QuotaFileError};
use crate::domain::campaign_forms::FilledBy;
use crate::domain::ids::VenueId;
use crate::domain::region::RegionLevel;
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::export::file_stem;
use crate::http::html::{Chrome, href, local_time, render_document};
use crate::http::pages::dashboard::refusal_text_of;
use crate::http::pages::notice::Notice;
use crate::i18n::CampaignTexts;

/// The most bytes the create form takes: the quota file and the settings.
const MAX_CREATE_BYTES: usize = 256 * 1024;

/// The four forms of the notice, in order, with their download names.
const FORMS: [&str; 4] = [
    "unit-recommendations.xlsx",
    "ambassador-recommendations.xlsx",
    "unit-summary.xlsx",
    "ambassador-summary.xlsx",
];

/// A campaign's state: awarded, lists closed (past the deadline) or open.
fn campaign_state(t: &CampaignTexts, c: &CampaignBody, today: chrono::NaiveDate) -> String {
    if c.awarded_at.is_some() {
        t.state_awarded.clone()
    } else if today > c.deadline {
        t.state_closed.clone()
    } else {
        t.state_open.clone()
    }
}

/// A failed gate in the page language.
fn gate_text(t: &CampaignTexts, exclusion: &Exclusion) -> String {
    match exclusion {
        Exclusion::Violation { occurred_on, .. } => {
            t.gate_violation.replace("{day}", &occurred_on.to_string())
        }
        Exclusion::UpheldComplaint {
            complaint_id,
            service_on,
        } => t
            .gate_complaint
            .replace("{id}", &complaint_id.to_string())
            .replace("{day}", &service_on.to_string()),
        Exclusion::AwardedBefore { award_year } => {
            t.gate_awarded.replace("{year}", &award_year.to_string())
        }
    }
}

/// The create form as posted (every field as typed).
#[derive(Debug, Default, Clone)]
struct CreateFields {
    csrf_token: Option<String>,
    prefecture_code: String,
    name: String,
    year: String,
    categories: Vec<String>,
    period_start: String,
    period_end: String,
    deadline: String,
    weight_environment: String,
    weight_skill: String,
    weight_attitude: String,
    min_ratings: String,
    excluded_award_years: String,
    quotas: Option<Vec<u8>>,
}

/// One fault of a refused quota file, as the page lists it.
struct QuotaFault {
    row: usize,
    column: String,
    problem: String,
}

/// A quota file's fault in the page language, its values put in.
fn quota_fault_text(t: &CampaignTexts, f: &QuotaFileError) -> String {
    let words = match f.kind.as_str() {
        "unreadable" => &t.quota_fault_unreadable,
        "empty" => &t.quota_fault_empty,
        "missing_columns" => &t.quota_fault_missing_columns,
        "too_many_rows" => &t.quota_fault_too_many_rows,
        "not_a_code" => &t.quota_fault_not_a_code,
        "unknown_region" => &t.quota_fault_unknown_region,
        "outside_prefecture" => &t.quota_fault_outside_prefecture,
        "repeated" => &t.quota_fault_repeated,
        "bad_quota" => &t.quota_fault_bad_quota,
        "note_too_long" => &t.quota_fault_note_too_long,
        "note_control_character" => &t.quota_fault_note_control_character,
        "no_rows" => &t.quota_fault_no_rows,
        _ => return f.message.clone(),
    };
    f.values.iter().fold(words.clone(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

/// What a refused create form shows: a field's error beside it, the file's
/// faults in a table, or a problem above the form.
#[derive(Default)]
struct CreateRefusal {
    fields: CreateFields,
    field_errors: Vec<(String, String)>,
    quota_faults: Vec<QuotaFault>,
    problem: Option<String>,
}

/// One campaign's row on the list.
struct CampaignRow {
    href: String,
    name: String,
    year: i32,
    prefecture: String,
    deadline: String,
    state: String,
}

/// A category checkbox.
struct CategoryBox {
    key: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "console_campaigns.html")]
struct ListView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static CampaignTexts,
    lang_tag: &'static str,
    rows: Vec<CampaignRow>,
    can_create: bool,
    prefectures: Vec<SelectOption>,
    categories: Vec<CategoryBox>,
    fields: CreateFields,
    field_errors: Vec<(String, String)>,
    quota_faults: Vec<QuotaFault>,
    quota_faults_heading: String,
    problem: Option<String>,
}

impl ListView {
    /// The error shown beside `field`, if any.
    fn error_of(&self, field: &str) -> Option<&str> {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, why)| why.as_str())
    }
}

/// The prefectures the caller may create a campaign for: its own (or the
/// one its region lies in, for a county: refused by the use-case), those
/// inside its region, or every one for an admin.
fn prefecture_options(names: &Names, scope: &Scope, chosen: &str) -> Vec<SelectOption> {
    let tree = &names.regions;
    let roots: Vec<String> = match scope {
        Scope::All => tree.provinces().to_vec(),
        Scope::Region(root) => vec![root.to_string()],
        Scope::Venues(_) => Vec::new(),
    };
    roots
        .iter()
        .flat_map(|root| tree.subtree(root))
        .filter(|c| {
            tree.get(c)
                .is_some_and(|r| r.level == RegionLevel::Prefecture)
        })
        .map(|code| SelectOption {
            label: format!("{} ({code})", names.region(&code)),
            selected: code == chosen,
            value: code,
        })
        .collect()
}

async fn list_document(
    signed_in: &SignedIn,
    state: &AppState,
    refusal: CreateRefusal,
) -> Result<String, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.campaigns;
    let list = campaigns::list(state, &signed_in.caller)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let today = state.clock.today();
    let rows = list
        .items
        .iter()
        .map(|c| CampaignRow {
            href: names.href(&format!("/console/campaigns/{}", c.id), &[]),
            name: c.name.clone(),
            year: c.year,
            prefecture: names.region(&c.prefecture_code),
            deadline: c.deadline.to_string(),
            state: campaign_state(t, c, today),
        })
        .collect();
    let scope = &signed_in.caller.principal.scope;
    let mut fields = refusal.fields;
    let prefectures = prefecture_options(&names, scope, &fields.prefecture_code);
    if fields.year.is_empty() {
        fields.year = today.year().to_string();
        fields.weight_environment = "0.3".to_owned();
        fields.weight_skill = "0.3".to_owned();
        fields.weight_attitude = "0.4".to_owned();
        fields.min_ratings = "10".to_owned();
    }
    let categories = names
        .categories()
        .into_iter()
        .map(|(key, label)| CategoryBox {
            checked: fields.categories.contains(&key),
            key,
            label,
        })
        .collect();
    let mut chrome = Chrome::with_switch(signed_in.lang, t.title.clone(), |other| {
        href("/console/campaigns", &[], Some(other))
    });
    chrome.css = crate::http::auth::signed_in::SIGNED_IN_CSS;
    let view = ListView {
        chrome,
        nav: signed_in.nav(),
        t,
        lang_tag: signed_in.lang.tag(),
        rows,
        can_create: !prefectures.is_empty(),
        prefectures,
        categories,
        fields,
        field_errors: refusal.field_errors,
        quota_faults_heading: t
            .quota_errors_heading
            .replace("{count}", &refusal.quota_faults.len().to_string()),
        quota_faults: refusal.quota_faults,
        problem: refusal.problem,
    };
    Ok(render_document(&view))
}

/// `GET /console/campaigns`: the campaigns in the caller's scope and the
/// create form.
pub async fn list(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let body = list_document(&signed_in, &state, CreateRefusal::default()).await?;
    Ok(signed_in.page(body))
}

/// Reads the create form (`multipart/form-data`, the quota file a part of
/// it); a form without this session's token is refused.
async fn read_create_form(
    signed_in: &SignedIn,
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<CreateFields, PageError> {
    let invalid =
        |text: &String| PageError::new(signed_in.lang, PageProblem::Invalid(text.clone()));
    let errors = &signed_in.messages().errors;
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| invalid(&errors.bad_request_body))?;
        if body.len() + chunk.len() > MAX_CREATE_BYTES {
            return Err(invalid(&errors.too_large_body));
        }
        body.extend_from_slice(&chunk);
    }
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let mut fields = CreateFields::default();
    if !multipart {
        // A plain form carries no file; its token is checked all the same.
        signed_in.form::<Vec<(String, String)>>(&body)?;
        return Ok(fields);
    }
    let stream = futures_util::stream::once(async move { Ok(web::Bytes::from(body)) });
    let mut parts = actix_multipart::Multipart::new(req.headers(), stream);
    while let Some(part) = parts.next().await {
        // An unreadable upload reads as a form without a token, which is refused.
        let Ok(mut part) = part else { break };
        let name = part.name().unwrap_or_default().to_owned();
        let mut data = Vec::new();
        while let Some(chunk) = part.next().await {
            let Ok(chunk) = chunk else { break };
            data.extend_from_slice(&chunk);
        }
        if name == "quotas" {
            fields.quotas = Some(data).filter(|d| !d.is_empty());
            continue;
        }
        let text = String::from_utf8_lossy(&data).trim().to_owned();
        match name.as_str() {
            "csrf_token" => fields.csrf_token = Some(text),
            "prefecture_code" => fields.prefecture_code = text,
            "name" => fields.name = text,
            "year" => fields.year = text,
            "categories" => fields.categories.push(text),
            "period_start" => fields.period_start = text,
            "period_end" => fields.period_end = text,
            "deadline" => fields.deadline = text,
            "weight_environment" => fields.weight_environment = text,
            "weight_skill" => fields.weight_skill = text,
            "weight_attitude" => fields.weight_attitude = text,
            "min_ratings" => fields.min_ratings = text,
            "excluded_award_years" => fields.excluded_award_years = text,
            _ => {}
        }
    }
    signed_in.check_form_token(fields.csrf_token.as_deref())?;
    Ok(fields)
}

/// The request a create form makes, or the fields a number or the file
/// cannot be read from, with why.
fn create_request(
    t: &CampaignTexts,
    fields: &CreateFields,
) -> Result<CreateCampaignRequest, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut number = |field: &str, raw: &str| -> f64 {
        raw.parse::<f64>().unwrap_or_else(|_| {
            errors.push((field.to_owned(), t.error_number.clone()));
            f64::NAN
        })
    };
    let weights = WeightsRequest {
        environment: number("weights", &fields.weight_environment),
        skill: number("weights", &fields.weight_skill),
        attitude: number("weights", &fields.weight_attitude),
    };
    let year = fields.year.parse::<i32>().unwrap_or_else(|_| {
        errors.push(("year".to_owned(), t.error_year.clone()));
        0
    });
    let min_ratings = fields.min_ratings.parse::<i64>().unwrap_or_else(|_| {
        errors.push(("min_ratings".to_owned(), t.error_min_ratings.clone()));
        0
    });
    let mut excluded_award_years = Vec::new();
    for raw in fields
        .excluded_award_years
        .split([',', '，', ' '])
        .map(str::trim)
        .filter(|y| !y.is_empty())
    {
        match raw.parse::<i32>() {
            Ok(year) => excluded_award_years.push(year),
            Err(_) => {
                errors.push(("excluded_award_years".to_owned(), t.error_years.clone()));
                break;
            }
        }
    }
    let quotas_csv = match fields.quotas.as_deref().map(std::str::from_utf8) {
        Some(Ok(text)) => text.to_owned(),
        Some(Err(_)) => {
            errors.push(("quotas".to_owned(), t.error_file_encoding.clone()));
            String::new()
        }
        None => {
            errors.push(("quotas".to_owned(), t.error_file_missing.clone()));
            String::new()
        }
    };
    errors.dedup();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CreateCampaignRequest {
        prefecture_code: fields.prefecture_code.clone(),
        name: fields.name.clone(),
        year,
        categories: fields.categories.clone(),
        deadline: fields.deadline.clone(),
        period_start: fields.period_start.clone(),
        period_end: fields.period_end.clone(),
        weights,
        min_ratings,
        excluded_award_years,
        quotas_csv,
    })
}

/// A refused setting in the page language, by the field it is about.
fn setting_error(t: &CampaignTexts, field: &str) -> String {
    match field {
        "name" => t.error_name.clone(),
        "year" => t.error_year.clone(),
        "period" => t.error_period.clone(),
        "weights" => t.error_weights.clone(),
        "min_ratings" => t.error_min_ratings.clone(),
        "categories" => t.error_categories.clone(),
        "excluded_award_years" => t.error_years.clone(),
        "prefecture_code" => t.error_prefecture.clone(),
        _ => t.error_date.clone(),
    }
}

/// `POST /console/campaigns`: creates a campaign from the form and its
/// quota file; back to the campaign with a notice, or the list again with
/// the form as posted and every fault.
pub async fn create(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let fields = read_create_form(&signed_in, &req, payload).await?;
    let m = signed_in.messages();
    let t = &m.campaigns;
    let mut refusal = CreateRefusal::default();
    let status = match create_request(t, &fields) {
        Err(errors) => {
            refusal.field_errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Ok(request) => match campaigns::create(&state, &signed_in.caller, &request).await {
            Ok(body) => {
                return Ok(signed_in.done(
                    &format!("/console/campaigns/{}", body.id),
                    Vec::new(),
                    Notice::CampaignCreated,
                ));
            }
            Err(CreateError::QuotaFile(faults)) => {
                refusal.quota_faults = faults
                    .into_iter()
                    .map(|f| QuotaFault {
                        row: f.row,
                        problem: quota_fault_text(t, &f),
                        column: if f.column.is_empty() {
                            t.column_file.clone()
                        } else {
                            f.column
                        },
                    })
                    .collect();
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(CreateError::App(err)) => {
                let Some(status) = SignedIn::refusal_status(&err) else {
                    return Err(signed_in.fail(err));
                };
                match (err.slug, refused_field(&err)) {
                    (Slug::RegionOutsideScope, _) => refusal
                        .field_errors
                        .push(("prefecture_code".to_owned(), t.error_prefecture.clone())),
                    (Slug::InvalidCampaign, Some(field)) => {
                        let shown = if field == "period_start" || field == "period_end" {
                            field
                        } else if field == "period" {
                            "period_end"
                        } else {
                            field
                        };
                        refusal
                            .field_errors
                            .push((shown.to_owned(), setting_error(t, field)));
                    }
                    _ => refusal.problem = Some(refusal_text_of(m, &err)),
                }
                status
            }
        },
    };
    refusal.fields = CreateFields {
        quotas: None,
        ..fields
    };
    let body = list_document(&signed_in, &state, refusal).await?;
    Ok(signed_in.page_with_status(status, body))
}

/// A region's row in the quota table.
struct QuotaRow {
    code: String,
    name: String,
    quota: i32,
    confirmed: i32,
    state: String,
    state_key: String,
    sent_back: Option<String>,
    href: Option<String>,
    selected: bool,
}

/// A ranked candidate on the page.
struct CandidateRow {
    rank: usize,
    venue_id: VenueId,
    venue_name: String,
    venue_href: String,
    score: String,
    parts: String,
    ratings: i64,
    proposed: bool,
    on_list: bool,
}

/// An unranked but eligible venue.
struct UnrankedRow {
    venue_id: VenueId,
    venue_name: String,
    line: String,
    on_list: bool,
}

/// An excluded venue with its reasons.
struct ExcludedRow {
    venue_id: VenueId,
    venue_name: String,
    reasons: Vec<String>,
}

/// A unit on the region's list.
struct ListedRow {
    venue_id: VenueId,
    venue_name: String,
    kind: String,
    reason: String,
}

/// The selected region's part of the page.
struct RegionPart {
    code: String,
    heading: String,
    intro: String,
    weights: String,
    open: bool,
    locked: String,
    ranked: Vec<CandidateRow>,
    unranked: Vec<UnrankedRow>,
    excluded: Vec<ExcludedRow>,
    listed: Vec<ListedRow>,
    swap_in: Vec<SelectOption>,
    swap_out: Vec<SelectOption>,
}

/// A refused form on the campaign page: which, the field and why.
#[derive(Default)]
struct PageRefusal {
    form: String,
    field: Option<String>,
    why: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "console_campaign.html")]
struct CampaignView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static CampaignTexts,
    lang_tag: &'static str,
    id: i64,
    name: String,
    list_href: String,
    prefecture: String,
    year: i32,
    state: String,
    deadline: String,
    period: String,
    categories: String,
    weights: String,
    quotas: Vec<QuotaRow>,
    region: Option<RegionPart>,
    reviewer: bool,
    awarded: Option<String>,
    all_confirmed: bool,
    forms: Vec<(String, String)>,
    refusal: PageRefusal,
}

impl CampaignView {
    /// The refusal's text when it is about `form` (and `field`, if given).
    fn error_of(&self, form: &str, field: &str) -> Option<&str> {
        let r = &self.refusal;
        (r.form == form && (field.is_empty() || r.field.as_deref() == Some(field)))
            .then_some(r.why.as_str())
    }
}

fn weights_text(t: &CampaignTexts, c: &CampaignBody) -> String {
    let pct = |w: f64| format!("{:.0}%", w * 100.0);
    t.weights_line
        .replace("{environment}", &pct(c.weights.environment))
        .replace("{skill}", &pct(c.weights.skill))
        .replace("{attitude}", &pct(c.weights.attitude))
        .replace("{min}", &c.min_ratings.to_string())
}

fn region_part(
    names: &Names,
    c: &CampaignBody,
    p: &Proposals,
    listed: Vec<ListedRow>,
    today: chrono::NaiveDate,
) -> RegionPart {
    let t = &names.m.campaigns;
    let two = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"));
    let ranked: Vec<CandidateRow> = p
        .ranked
        .iter()
        .map(|r| CandidateRow {
            rank: r.rank,
            venue_id: r.venue_id,
            venue_name: r.venue_name.clone(),
            venue_href: names.venue_href(r.venue_id),
            score: format!("{:.1}", r.score_0_100),
            parts: t
                .parts_line
                .replace("{environment}", &two(r.parts.environment.score_0_100))
                .replace("{skill}", &two(r.parts.skill.score_0_100))
                .replace("{attitude}", &two(r.parts.attitude.score_0_100)),
            ratings: r.ratings,
            proposed: r.within_quota,
            on_list: r.nomination.is_some(),
        })
        .collect();
    let unranked: Vec<UnrankedRow> = p
        .unranked
        .iter()
        .map(|u| UnrankedRow {
            venue_id: u.venue_id,
            venue_name: u.venue_name.clone(),
            line: t
                .unranked_line
                .replace("{ratings}", &u.ratings.to_string())
                .replace("{min}", &p.min_ratings.to_string()),
            on_list: u.nomination.is_some(),
        })
        .collect();
    let option = |id: VenueId, name: &str| SelectOption {
        value: id.to_string(),
        label: format!("{name} ({id})"),
        selected: false,
    };
    let swap_in = ranked
        .iter()
        .filter(|r| !r.on_list)
        .map(|r| option(r.venue_id, &r.venue_name))
        .chain(
            unranked
                .iter()
                .filter(|u| !u.on_list)
                .map(|u| option(u.venue_id, &u.venue_name)),
        )
        .collect();
    // A swap replaces a proposed candidate or one confirmed on the list.
    let mut swap_out: Vec<SelectOption> = listed
        .iter()
        .map(|l| option(l.venue_id, &l.venue_name))
        .collect();
    for r in ranked.iter().filter(|r| r.proposed && !r.on_list) {
        swap_out.push(option(r.venue_id, &r.venue_name));
    }
    let open = c.awarded_at.is_none()
        && today <= c.deadline
        && (p.state == "open" || p.state == "sent_back");
    RegionPart {
        code: p.region_code.clone(),
        heading: t
            .proposals_heading
            .replace("{region}", &names.region(&p.region_code)),
        intro: t.proposals_intro.replace("{quota}", &p.quota.to_string()),
        weights: weights_text(t, c),
        open,
        locked: t.list_locked.replace("{state}", t.list_state(&p.state)),
        ranked,
        unranked,
        excluded: p
            .excluded
            .iter()
            .map(|e| ExcludedRow {
                venue_id: e.venue_id,
                venue_name: e.venue_name.clone(),
                reasons: e
                    .reasons
                    .iter()
                    .map(|r| gate_text(t, &r.exclusion))
                    .collect(),
            })
            .collect(),
        listed,
        swap_in,
        swap_out,
    }
}

/// The region a page shows: asked for with `?region=`, else the caller's
/// own when it has a quota.
fn chosen_region(signed_in: &SignedIn, c: &CampaignBody) -> Option<String> {
    let asked = signed_in.query_value("region").map(str::to_owned);
    let own = match &signed_in.caller.principal.scope {
        Scope::Region(code) => Some(code.to_string()),
        _ => None,
    };
    asked
        .or(own)
        .filter(|code| c.quotas.iter().any(|q| &q.region_code == code))
}

async fn campaign_document(
    signed_in: &SignedIn,
    state: &AppState,
    id: i64,
    region: Option<String>,
    refusal: PageRefusal,
) -> Result<String, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.campaigns;
    let c = campaigns::get(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let today = state.clock.today();
    let scope = &signed_in.caller.principal.scope;
    let path = format!("/console/campaigns/{id}");
    let region = region.filter(|code| c.quotas.iter().any(|q| &q.region_code == code));
    let quotas = c
        .quotas
        .iter()
        .map(|q| QuotaRow {
            code: q.region_code.clone(),
            name: names.region(&q.region_code),
            quota: q.quota,
            confirmed: q.confirmed,
            state: t.list_state(&q.state).to_owned(),
            state_key: q.state.clone(),
            sent_back: q
                .sent_back_reason
                .as_ref()
                .filter(|_| q.state == "sent_back")
                .map(|r| t.sent_back_line.replace("{reason}", r)),
            href: scope
                .covers_region(&names.regions, &q.region_code)
                .then(|| names.href(&path, &[("region".to_owned(), q.region_code.clone())])),
            selected: region.as_deref() == Some(q.region_code.as_str()),
        })
        .collect();
    let part = match &region {
        Some(code) if scope.covers_region(&names.regions, code) => {
            let proposals = campaigns::proposals(state, &signed_in.caller, id, code)
                .await
                .map_err(|e| signed_in.fail(e))?;
            let listed = campaigns::nominations(state, &signed_in.caller, id, false)
                .await
                .map_err(|e| signed_in.fail(e))?
                .items
                .into_iter()
                .filter(|n| &n.region_code == code)
                .map(|n| ListedRow {
                    venue_id: n.venue_id,
                    venue_name: n.venue_name,
                    kind: match n.kind.as_str() {
                        "swap" => t.kind_swap.clone(),
                        "added" => t.kind_added.clone(),
                        _ => t.kind_proposed.clone(),
                    },
                    reason: n.reason.unwrap_or_default(),
                })
                .collect();
            Some(region_part(&names, &c, &proposals, listed, today))
        }
        _ => None,
    };
    let reviewer = signed_in.role() != crate::domain::access::Role::VenueStaff
        && scope.covers_region(&names.regions, &c.prefecture_code);
    let all_confirmed = c.quotas.iter().all(|q| q.state == "confirmed");
    let categories = c
        .categories
        .iter()
        .map(|k| names.category(k))
        .collect::<Vec<_>>()
        .join(", ");
    let awarded = match (c.awarded_at, c.awarded_by.as_deref()) {
        (Some(at), Some(by)) => {
            let people = crate::app::inspections::names(state, &[by], &[])
                .await
                .map_err(|e| signed_in.fail(e))?;
            Some(
                t.awarded_line
                    .replace("{at}", &local_time(at))
                    .replace("{by}", &actor_text(&names.m.audit, &people, by)),
            )
        }
        _ => None,
    };
    let forms = FORMS
        .iter()
        .zip([
            &t.form_unit_recommendations,
            &t.form_ambassador_recommendations,
            &t.form_unit_summary,
            &t.form_ambassador_summary,
        ])
        .map(|(file, label)| {
            (
                names.href(&format!("{path}/forms/{file}"), &[]),
                label.clone(),
            )
        })
        .collect();
    let query: Vec<(String, String)> = region
        .iter()
        .map(|r| ("region".to_owned(), r.clone()))
        .collect();
    let mut chrome = Chrome::with_switch(signed_in.lang, c.name.clone(), |other| {
        href(&path, &query, Some(other))
    });
    chrome.css = crate::http::auth::signed_in::SIGNED_IN_CSS;
    let view = CampaignView {
        chrome,
        nav: signed_in.nav(),
        t,
        lang_tag: signed_in.lang.tag(),
        id,
        list_href: names.href("/console/campaigns", &[]),
        prefecture: names.region(&c.prefecture_code),
        year: c.year,
        state: campaign_state(t, &c, today),
        deadline: c.deadline.to_string(),
        period: t
            .period_line
            .replace("{start}", &c.period_start.to_string())
            .replace("{end}", &c.period_end.to_string()),
        categories,
        weights: weights_text(t, &c),
        name: c.name.clone(),
        quotas,
        region: part,
        reviewer,
        awarded,
        all_confirmed,
        forms,
        refusal,
    };
    Ok(render_document(&view))
}

/// `GET /console/campaigns/{id}?region=`: a campaign's quotas and lists,
/// and a region's proposals and list.
pub async fn campaign(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_campaign_id(&path).map_err(|e| signed_in.fail(e))?;
    let c = campaigns::get(&state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let region = chosen_region(&signed_in, &c);
    let body = campaign_document(&signed_in, &state, id, region, PageRefusal::default()).await?;
    Ok(signed_in.page(body))
}

/// After a change: back to the region with a notice; after a refusal, the
/// page again with why beside the form (or the error page for a failure).
async fn answer(
    signed_in: &SignedIn,
    state: &AppState,
    (id, region): (i64, Option<String>),
    (form, reason): (&str, String),
    result: Result<(), AppError>,
    notice: Notice,
) -> Result<HttpResponse, PageError> {
    let err = match result {
        Ok(()) => {
            let query = region
                .iter()
                .map(|r| ("region".to_owned(), r.clone()))
                .collect();
            return Ok(signed_in.done(&format!("/console/campaigns/{id}"), query, notice));
        }
        Err(err) => err,
    };
    let Some(status) = SignedIn::refusal_status(&err) else {
        return Err(signed_in.fail(err));
    };
    if matches!(err.slug.kind(), crate::app::Kind::NotFound) {
        return Err(signed_in.fail(err));
    }
    let refusal = PageRefusal {
        form: form.to_owned(),
        field: refused_field(&err)
            .or((err.slug == Slug::ReasonRequired).then_some("reason"))
            .map(str::to_owned),
        why: refusal_text_of(signed_in.messages(), &err),
        reason,
    };
    let body = campaign_document(signed_in, state, id, region, refusal).await?;
    Ok(signed_in.page_with_status(status, body))
}

/// A list form's fields.
#[derive(Debug, Default, Deserialize)]
struct ListFields {
    venue_id: Option<String>,
    replaces_venue_id: Option<String>,
    reason: Option<String>,
    decision: Option<String>,
}

fn venue_of(raw: Option<&str>) -> Result<Option<VenueId>, AppError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(raw) => crate::app::path_ids::parse_id(raw).map(Some),
    }
}

/// `POST /console/campaigns/{id}/regions/{region}/nominations`: confirms a
/// proposed candidate, adds an eligible venue, or swaps one in for another
/// with a reason.
pub async fn nominate(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: ListFields = signed_in.form(&body)?;
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id).map_err(|e| signed_in.fail(e))?;
    let swap = fields.replaces_venue_id.is_some();
    let result = async {
        let venue_id = venue_of(fields.venue_id.as_deref())?.ok_or_else(|| {
            AppError::new(Slug::VenueNotEligible, "choose a venue").with("field", "venue_id")
        })?;
        let request = NominateRequest {
            venue_id,
            replaces_venue_id: venue_of(fields.replaces_venue_id.as_deref())?,
            reason: fields.reason.clone(),
            deeds: None,
        };
        campaigns::nominate(&state, &signed_in.caller, id, &region, &request)
            .await
            .map(|_| ())
    }
    .await;
    let form = if swap { "swap" } else { "nominate" };
    let reason = fields.reason.clone().unwrap_or_default();
    let at = (id, Some(region.clone()));
    answer(
        &signed_in,
        &state,
        at,
        (form, reason),
        result,
        Notice::CampaignChanged,
    )
    .await
}

/// `POST /console/campaigns/{id}/regions/{region}/nominations/{venue_id}/remove`:
/// takes a confirmed venue off an open list, with a reason.
pub async fn remove(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: ListFields = signed_in.form(&body)?;
    let (id, region, venue) = path.into_inner();
    let id = parse_campaign_id(&id).map_err(|e| signed_in.fail(e))?;
    let venue_id: VenueId =
        crate::app::path_ids::parse_id(&venue).map_err(|e| signed_in.fail(e))?;
    let reason = fields.reason.unwrap_or_default();
    let result = campaigns::remove(&state, &signed_in.caller, id, &region, venue_id, &reason)
        .await
        .map(|_| ());
    let form = format!("remove-{venue_id}");
    let at = (id, Some(region.clone()));
    answer(
        &signed_in,
        &state,
        at,
        (&form, reason),
        result,
        Notice::CampaignChanged,
    )
    .await
}

/// `POST /console/campaigns/{id}/regions/{region}/submit`: the county
/// submits its list to the prefecture.
pub async fn submit(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: ListFields = signed_in.form(&body)?;
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id).map_err(|e| signed_in.fail(e))?;
    let result = campaigns::submit(&state, &signed_in.caller, id, &region)
        .await
        .map(|_| ());
    let at = (id, Some(region.clone()));
    answer(
        &signed_in,
        &state,
        at,
        ("submit", String::new()),
        result,
        Notice::CampaignChanged,
    )
    .await
}

/// `POST /console/campaigns/{id}/regions/{region}/review`: the prefecture
/// confirms a submitted list or sends it back with a reason.
pub async fn review(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: ListFields = signed_in.form(&body)?;
    let (id, region) = path.into_inner();
    let id = parse_campaign_id(&id).map_err(|e| signed_in.fail(e))?;
    let request = ReviewRequest {
        decision: fields.decision.unwrap_or_default(),
        reason: fields.reason.clone(),
    };
    let result = campaigns::review(&state, &signed_in.caller, id, &region, &request)
        .await
        .map(|_| ());
    let form = format!("review-{region}");
    let reason = fields.reason.unwrap_or_default();
    answer(
        &signed_in,
        &state,
        (id, None),
        (&form, reason),
        result,
        Notice::CampaignChanged,
    )
    .await
}

/// `POST /console/campaigns/{id}/award`: the prefecture's sign-off.
pub async fn award(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: ListFields = signed_in.form(&body)?;
    let id = parse_campaign_id(&path).map_err(|e| signed_in.fail(e))?;
    let result = campaigns::award(&state, &signed_in.caller, id)
        .await
        .map(|_| ());
    answer(
        &signed_in,
        &state,
        (id, None),
        ("award", String::new()),
        result,
        Notice::CampaignAwarded,
    )
    .await
}

/// `GET /console/campaigns/{id}/forms/{form}`: one of the notice's forms
/// (附件2–5) of the lists in the caller's scope, as .xlsx; audited as a
/// download.
pub async fn form(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let (id, name) = path.into_inner();
    let id = parse_campaign_id(&id).map_err(|e| signed_in.fail(e))?;
    let form =
        Form::parse(&name).ok_or_else(|| PageError::new(signed_in.lang, PageProblem::NotFound))?;
    let unit = match &signed_in.caller.principal.scope {
        Scope::Region(code) => {
            let tree = state
                .reference
                .regions()
                .await
                .map_err(|e| signed_in.fail(e))?;
            tree.get(code)
                .map(|r| r.name_zh.clone())
                .unwrap_or_default()
        }
        _ => String::new(),
    };
    let filled_by = FilledBy {
        unit,
        person: signed_in.account.display_name.clone(),
        phone: String::new(),
    };
    let bytes = campaigns::form(&state, &signed_in.caller, id, form, filled_by)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let what = Download {
        table: form.stem(),
        format: "xlsx",
        venue_id: None,
        rows: 0,
        query: req.query_string(),
    };
    audit_log::record_download(&state, &signed_in.caller, &what)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let file = format!("{}-{id}.xlsx", file_stem(form.stem()));
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::campaign::QuotaFault;
    use crate::i18n::{Lang, messages};

    #[test]
    fn every_quota_file_fault_is_told_in_each_language_with_its_values() {
        let faults = [
            QuotaFault::Unreadable("x".into()),
            QuotaFault::Empty,
            QuotaFault::MissingColumns("quota".into()),
            QuotaFault::TooManyRows,
            QuotaFault::NotACode("65x".into()),
            QuotaFault::UnknownRegion("659999".into()),
            QuotaFault::OutsidePrefecture {
                code: "652301".into(),
                prefecture: "652800".into(),
            },
            QuotaFault::Repeated {
                code: "652801".into(),
                first: 3,
            },
            QuotaFault::BadQuota("two".into()),
            QuotaFault::NoteTooLong,
            QuotaFault::NoteControlCharacter,
            QuotaFault::NoRows,
        ];
        for lang in Lang::ALL {
            let t = &messages(lang).campaigns;
            for fault in &faults {
                let error = QuotaFileError::at(2, "region_code", fault);
                let text = quota_fault_text(t, &error);
                assert!(!text.contains('{'), "{lang:?}: {text}");
                for value in error.values.values() {
                    assert!(
                        text.contains(value.as_str()),
                        "{lang:?}: {text} lacks {value}"
                    );
                }
                if lang != Lang::En {
                    assert_ne!(text, error.message, "{lang:?}: {text}");
                }
            }
        }
    }
}
