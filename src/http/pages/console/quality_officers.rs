//! The console's Chief Quality Officer registry (首席质量官; section B of the
//! regulators' requirements), for regulators and admins within their scope:
//!
//! - `/console/quality-officers`: every open venue with its officer, the
//!   conditions of 二(二), training hours against `CQO_TRAINING_HOURS`
//!   (三(一)), filing status and latest evaluation, filtered by region and
//!   by no officer / pending / registered / training short, with its CSV and
//!   Excel downloads and a registration decision on each pending row (三(五));
//! - `/console/quality-officers/{id}`: one venue's officer with its training
//!   history, the registration decision and the yearly evaluation;
//! - `/console/quality-officers/registration-form.xlsx?region=`: the
//!   prefecture's 拟任首席质量官备案登记表 (四(三)), one row per officer.
//!
//! Every form calls the JSON routes' use-cases (`app::quality_officers`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::view::{Names, RowAction, RowChoice, SelectOption, TableView};
use crate::app::path_ids::parse_id;
use crate::app::quality_officers::{
    self, FormEntry, OfficerRecordBody, RegistrationRequest, RegistryPage, RegistryQuery,
    refused_field,
};
use crate::app::{AppError, Kind};
use crate::domain::ids::VenueId;
use crate::domain::quality_officer::{Evaluation, Grade, parse_year_text};
use crate::domain::region::RegionLevel;
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::export::{ExportFormat, export_response};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::dashboard::registration_label;
use crate::http::pages::notice::Notice;
use crate::http::pages::people::{RegionOption, region_options};
use crate::i18n::QualityOfficerTexts;
use crate::store::quality_officers::RegistryStatus;

use super::EXPORT_MAX_ROWS;

/// The registry's query as the page reads it.
fn registry_query(req: &HttpRequest) -> RegistryQuery {
    serde_html_form::from_str(req.query_string()).unwrap_or_default()
}

/// The query pairs that keep the page's filter.
fn filter_pairs(query: &RegistryQuery) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (key, value) in [("region", &query.region), ("status", &query.status)] {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            pairs.push((key.to_owned(), value.to_owned()));
        }
    }
    pairs
}

/// A duty list in the page language.
fn duties_text(t: &QualityOfficerTexts, keys: &[String]) -> String {
    keys.iter()
        .map(|k| t.duty_key(k))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The registry as a table: the page's and its downloads'.
fn registry_table(names: &Names, page: &RegistryPage) -> Table {
    let m = names.m;
    let t = &m.quality_officers;
    Table {
        title: t.registry_title.clone(),
        headers: vec![
            t.col_venue_id.clone(),
            t.col_venue.clone(),
            t.col_region.clone(),
            t.col_category.clone(),
            t.col_officer.clone(),
            t.col_position.clone(),
            t.education_label.clone(),
            t.qualification_label.clone(),
            t.experience_label.clone(),
            t.col_conditions.clone(),
            t.col_hours.clone(),
            t.col_status.clone(),
            t.col_reason.clone(),
            t.col_evaluation.clone(),
        ],
        rows: page
            .items
            .iter()
            .map(|item| {
                vec![
                    Cell::Integer(item.venue_id.get()),
                    Cell::text(&item.venue_name),
                    Cell::text(names.region(&item.region_code)),
                    Cell::text(names.category(&item.category)),
                    item.officer_name
                        .as_deref()
                        .map_or_else(|| Cell::text(&t.no_officer), Cell::text),
                    item.position.as_deref().map_or(Cell::Empty, Cell::text),
                    item.education
                        .as_deref()
                        .map_or(Cell::Empty, |e| Cell::text(t.education_key(e))),
                    item.qualification
                        .as_deref()
                        .map_or(Cell::Empty, Cell::text),
                    Cell::integer(item.experience_years.map(i64::from)),
                    if item.officer_name.is_some() {
                        names.yes_no(item.conditions_met)
                    } else {
                        Cell::Empty
                    },
                    Cell::decimal(item.training_hours, 1),
                    item.registration_status
                        .as_deref()
                        .map_or(Cell::Empty, |s| Cell::text(registration_label(m, s))),
                    item.registration_reason
                        .as_deref()
                        .map_or(Cell::Empty, Cell::text),
                    match (item.evaluation_year, item.evaluation_grade.as_deref()) {
                        (Some(year), Some(grade)) => {
                            Cell::text(format!("{year} {}", t.grade(grade)))
                        }
                        _ => Cell::Empty,
                    },
                ]
            })
            .collect(),
    }
}

/// A status filter's option.
fn status_label(
    t: &'static QualityOfficerTexts,
    m: &'static crate::i18n::Messages,
    status: RegistryStatus,
) -> String {
    match status {
        RegistryStatus::All => t.filter_all.clone(),
        RegistryStatus::NoOfficer => t.filter_none.clone(),
        RegistryStatus::WithOfficer => t.filter_officer.clone(),
        RegistryStatus::TrainingShort => t.filter_training_short.clone(),
        RegistryStatus::Status(s) => registration_label(m, s.key()).to_owned(),
    }
}

#[derive(Template)]
#[template(path = "console_quality_officers.html")]
struct RegistryView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static QualityOfficerTexts,
    nationwide: bool,
    regions: Vec<RegionOption>,
    statuses: Vec<SelectOption>,
    problem: Option<String>,
    total: String,
    required: String,
    table: TableView,
    prev_href: Option<String>,
    next_href: Option<String>,
    prefectures: Vec<RegionOption>,
}

/// A refused decision from a registry row, as posted, with why.
struct RefusedRow<'a> {
    venue_id: VenueId,
    fields: &'a DecisionFields,
    problem: String,
}

async fn registry_document(
    signed_in: &SignedIn,
    state: &AppState,
    query: &RegistryQuery,
    refused: Option<RefusedRow<'_>>,
) -> Result<String, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let t = &m.quality_officers;
    let page = quality_officers::registry(state, &signed_in.caller, query, None)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let pairs = filter_pairs(query);
    let links = page
        .items
        .iter()
        .map(|item| Some(names.href(&format!("/console/quality-officers/{}", item.venue_id), &[])))
        .collect();
    let mut back = pairs.clone();
    back.push(("back".to_owned(), "registry".to_owned()));
    let actions = page
        .items
        .iter()
        .map(|item| {
            let draft = refused.as_ref().filter(|r| r.venue_id == item.venue_id);
            let decision = draft.and_then(|r| r.fields.decision.as_deref());
            (item.registration_status.as_deref() == Some("pending")).then(|| RowAction {
                href: names.href(
                    &format!("/console/quality-officers/{}/registration", item.venue_id),
                    &back,
                ),
                label: &t.decide_submit,
                field_id: format!("officer-{}", item.venue_id),
                reason_label: &t.reason_label,
                reason_placeholder: &t.reason_placeholder,
                csrf_token: signed_in.session.csrf_token.clone(),
                page: page.page,
                pick: None,
                choice: Some(RowChoice::decision(
                    &t.decision_label,
                    &t.decision_choose,
                    [
                        ("registered", &t.decision_register),
                        ("refused", &t.decision_refuse),
                    ],
                    decision,
                )),
                reason: draft
                    .and_then(|r| r.fields.reason.clone())
                    .unwrap_or_default(),
            })
        })
        .collect();
    let table = TableView::new("officers", &registry_table(&names, &page), &t.empty)
        .link(1, links)
        .actions(&t.decide_header, actions)
        .downloads(&names, "/console/quality-officers", &pairs);
    let per_page = quality_officers::REGISTRY_PAGE.default;
    let pages = ((page.total + per_page - 1) / per_page).max(1);
    let page_link = |p: i64| {
        let mut pairs = pairs.clone();
        pairs.push(("page".to_owned(), p.to_string()));
        names.href("/console/quality-officers", &pairs)
    };
    let chosen_region = query.region.clone().unwrap_or_default();
    let regions = region_options(signed_in, &names.regions, chosen_region.trim());
    let prefectures = regions
        .iter()
        .filter(|r| {
            names
                .regions
                .get(&r.code)
                .is_some_and(|region| region.level == RegionLevel::Prefecture)
        })
        .map(|r| RegionOption {
            code: r.code.clone(),
            label: r.label.trim_start_matches('\u{a0}').to_owned(),
            selected: r.selected,
        })
        .collect();
    Ok(render_document(&RegistryView {
        chrome: signed_in.chrome(t.registry_title.clone()),
        nav: signed_in.nav(),
        t,
        nationwide: matches!(
            signed_in.caller.principal.scope,
            crate::domain::access::Scope::All
        ),
        regions,
        statuses: RegistryStatus::ALL
            .into_iter()
            .map(|s| SelectOption {
                value: s.key().to_owned(),
                label: status_label(t, m, s),
                selected: s.key() == page.status,
            })
            .collect(),
        problem: refused.map(|r| r.problem),
        total: t
            .registry_total
            .replace("{total}", &page.total.to_string())
            .replace("{page}", &page.page.to_string())
            .replace("{pages}", &pages.to_string()),
        required: t
            .required_line
            .replace("{required}", &format!("{:.1}", page.required_hours)),
        table,
        prev_href: (page.page > 1).then(|| page_link(page.page - 1)),
        next_href: (page.page < pages).then(|| page_link(page.page + 1)),
        prefectures,
    }))
}

/// `GET /console/quality-officers?region=&status=&page=`: the registry.
pub async fn registry(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let query = registry_query(&req);
    Ok(signed_in.page(registry_document(&signed_in, &state, &query, None).await?))
}

/// The registry as a download (`/console/quality-officers.csv`, `.xlsx`),
/// with the page's filter and every matching row.
pub(super) async fn registry_download(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let query = registry_query(req);
    let page = quality_officers::registry(state, &signed_in.caller, &query, Some(EXPORT_MAX_ROWS))
        .await
        .map_err(|e| signed_in.fail(e))?;
    let region = query.region.as_deref().map(str::trim).unwrap_or_default();
    let stem = format!("quality-officers-{}-{region}", page.status);
    Ok((
        registry_table(names, &page),
        stem.trim_end_matches('-').to_owned(),
    ))
}

/// The prefecture's registration form (拟任首席质量官备案登记表, 四(三)):
/// one row per officer with the fields of 三(五): personal information,
/// conditions (二(二)), training history and duties (二(三)).
fn registration_form_table(names: &Names, entries: &[FormEntry]) -> Table {
    let m = names.m;
    let t = &m.quality_officers;
    Table {
        title: t.form_sheet.clone(),
        headers: vec![
            t.col_number.clone(),
            t.col_venue.clone(),
            t.col_region.clone(),
            t.col_category.clone(),
            t.col_officer.clone(),
            t.col_position.clone(),
            t.col_appointed.clone(),
            t.education_label.clone(),
            t.qualification_label.clone(),
            t.experience_label.clone(),
            t.col_conditions.clone(),
            t.col_hours.clone(),
            t.col_training_history.clone(),
            t.duties_legend.clone(),
            t.col_status.clone(),
        ],
        rows: entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let item = &e.item;
                let history = e
                    .trainings
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} ({}, {:.1} h)",
                            r.trained_on, r.course, r.provider, r.hours
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                vec![
                    Cell::Integer(i as i64 + 1),
                    Cell::text(&item.venue_name),
                    Cell::text(names.region(&item.region_code)),
                    Cell::text(names.category(&item.category)),
                    item.officer_name.as_deref().map_or(Cell::Empty, Cell::text),
                    item.position.as_deref().map_or(Cell::Empty, Cell::text),
                    e.appointed_on.map_or(Cell::Empty, Cell::Date),
                    item.education
                        .as_deref()
                        .map_or(Cell::Empty, |k| Cell::text(t.education_key(k))),
                    item.qualification
                        .as_deref()
                        .map_or(Cell::Empty, Cell::text),
                    Cell::integer(item.experience_years.map(i64::from)),
                    names.yes_no(item.conditions_met),
                    Cell::decimal(item.training_hours, 1),
                    Cell::text(history),
                    Cell::text(duties_text(t, &e.duties)),
                    item.registration_status
                        .as_deref()
                        .map_or(Cell::Empty, |s| Cell::text(registration_label(m, s))),
                ]
            })
            .collect(),
    }
}

/// `GET /console/quality-officers/registration-form.xlsx?region=`: the
/// prefecture's registration form as an Excel workbook (audited as a download).
pub async fn registration_form(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let query = registry_query(&req);
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let (region, entries) = quality_officers::registration_form(
        &state,
        &signed_in.caller,
        query.region.as_deref(),
        EXPORT_MAX_ROWS,
    )
    .await
    .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.quality_officers;
    let table = registration_form_table(&names, &entries);
    let title = t
        .form_title
        .replace("{region}", &names.region(&region.code));
    let generated = t
        .form_generated
        .replace("{at}", &local_time(state.clock.now()))
        .replace(
            "{required}",
            &format!("{:.1}", state.settings.cqo_training_hours),
        );
    let stem = format!("cqo-registration-form-{}", region.code);
    let response = export_response(&table, ExportFormat::Xlsx, &stem, &[&title, &generated])
        .map_err(|err| {
            tracing::error!(error = %err, "registration form failed");
            PageError::new(signed_in.lang, PageProblem::Failed)
        })?;
    let what = crate::app::audit::Download {
        table: super::OFFICER_FORM_DOWNLOAD,
        format: "xlsx",
        venue_id: None,
        rows: table.rows.len(),
        query: req.query_string(),
    };
    crate::app::audit::record_download(&state, &signed_in.caller, &what)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(response)
}

/// The posted decision form.
#[derive(Debug, Default, Deserialize)]
struct DecisionFields {
    decision: Option<String>,
    reason: Option<String>,
}

/// The posted evaluation form.
#[derive(Debug, Default, Deserialize)]
struct EvaluationFields {
    year: Option<String>,
    grade: Option<String>,
    reasons: Option<String>,
}

/// A refused form on the officer page, as posted, with the field and why.
enum RefusedForm {
    None,
    Decision(DecisionFields, Option<String>, String),
    Evaluation(EvaluationFields, Option<String>, String),
}

struct LabelledValue {
    label: String,
    value: String,
}

struct TrainingLine {
    course: String,
    provider: String,
    trained_on: String,
    hours: String,
}

struct EvaluationLine {
    year: i16,
    grade: String,
    reasons: String,
    recorded: String,
}

#[derive(Template)]
#[template(path = "console_quality_officer.html")]
struct OfficerView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static QualityOfficerTexts,
    venue_id: VenueId,
    venue_name: String,
    venue_href: String,
    registry_href: String,
    lang_tag: &'static str,
    facts: Vec<LabelledValue>,
    trainings: Vec<TrainingLine>,
    evaluations: Vec<EvaluationLine>,
    pending: bool,
    registered: bool,
    decision: Vec<SelectOption>,
    decision_reason: String,
    decision_error: Option<(String, String)>,
    grades: Vec<SelectOption>,
    year: String,
    reasons: String,
    evaluation_error: Option<(String, String)>,
    problem: Option<String>,
    has_officer: bool,
}

async fn officer_document(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    refused: RefusedForm,
) -> Result<String, PageError> {
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let t = &m.quality_officers;
    let venue = crate::app::supervision::venue_in_scope(state, &signed_in.caller.principal, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let record: OfficerRecordBody = quality_officers::record(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let officer = record.officer.as_ref();
    let status = officer.map_or("", |o| o.registration_status.as_str());
    let d = &m.dashboard;
    let facts = officer
        .map(|o| {
            let pair = |label: &String, value: String| LabelledValue {
                label: label.clone(),
                value,
            };
            vec![
                pair(&d.officer_name, o.name.clone()),
                pair(&d.officer_position, o.position.clone()),
                pair(&d.officer_appointed, o.appointed_on.to_string()),
                pair(
                    &t.education_label,
                    o.education
                        .as_deref()
                        .map(|e| t.education_key(e).to_owned())
                        .unwrap_or_default(),
                ),
                pair(
                    &t.qualification_label,
                    o.qualification.clone().unwrap_or_default(),
                ),
                pair(
                    &t.experience_label,
                    o.experience_years
                        .map(|y| y.to_string())
                        .unwrap_or_default(),
                ),
                pair(
                    &t.col_conditions,
                    if o.conditions_met {
                        m.console.yes.clone()
                    } else {
                        m.console.no.clone()
                    },
                ),
                pair(&t.duties_legend, duties_text(t, &o.duties)),
                pair(
                    &t.col_hours,
                    t.hours_line
                        .replace("{hours}", &format!("{:.1}", o.training_hours))
                        .replace("{required}", &format!("{:.1}", record.required_hours)),
                ),
                pair(
                    &t.col_status,
                    registration_label(m, &o.registration_status).to_owned(),
                ),
                pair(
                    &t.col_reason,
                    o.registration_reason.clone().unwrap_or_default(),
                ),
            ]
        })
        .unwrap_or_default();
    let (mut decision_fields, mut evaluation_fields) =
        (DecisionFields::default(), EvaluationFields::default());
    let (mut decision_error, mut evaluation_error, mut problem) = (None, None, None);
    // A refusal about a field is shown beside it, any other above the page.
    match refused {
        RefusedForm::None => {}
        RefusedForm::Decision(fields, field, why) => {
            decision_fields = fields;
            match field {
                Some(field) => decision_error = Some((field, why)),
                None => problem = Some(why),
            }
        }
        RefusedForm::Evaluation(fields, field, why) => {
            evaluation_fields = fields;
            match field {
                Some(field) => evaluation_error = Some((field, why)),
                None => problem = Some(why),
            }
        }
    }
    let chosen_decision = decision_fields.decision.clone().unwrap_or_default();
    let chosen_grade = evaluation_fields.grade.clone().unwrap_or_default();
    let mut chrome = Chrome::with_switch(
        signed_in.lang,
        format!("{} · {}", venue.name, t.title),
        |other| {
            crate::http::html::href(&format!("/console/quality-officers/{id}"), &[], Some(other))
        },
    );
    chrome.css = crate::http::auth::signed_in::SIGNED_IN_CSS;
    let view = OfficerView {
        chrome,
        nav: signed_in.nav(),
        t,
        venue_id: id,
        venue_name: venue.name.clone(),
        venue_href: names.venue_href(id),
        registry_href: names.href("/console/quality-officers", &[]),
        lang_tag: signed_in.lang.tag(),
        facts,
        trainings: record
            .trainings
            .iter()
            .map(|r| TrainingLine {
                course: r.course.clone(),
                provider: r.provider.clone(),
                trained_on: r.trained_on.to_string(),
                hours: format!("{:.1}", r.hours),
            })
            .collect(),
        evaluations: record
            .evaluations
            .iter()
            .map(|e| EvaluationLine {
                year: e.year,
                grade: t.grade(&e.grade).to_owned(),
                reasons: e.reasons.clone(),
                recorded: local_time(e.evaluated_at),
            })
            .collect(),
        pending: status == "pending",
        registered: status == "registered",
        decision: [
            ("", &t.decision_choose),
            ("registered", &t.decision_register),
            ("refused", &t.decision_refuse),
        ]
        .into_iter()
        .map(|(value, label)| SelectOption {
            value: value.to_owned(),
            label: label.clone(),
            selected: chosen_decision == value,
        })
        .collect(),
        decision_reason: decision_fields.reason.unwrap_or_default(),
        decision_error,
        grades: Grade::ALL
            .into_iter()
            .map(|g| SelectOption {
                value: g.key().to_owned(),
                label: t.grade(g.key()).to_owned(),
                selected: chosen_grade == g.key(),
            })
            .collect(),
        year: evaluation_fields
            .year
            .unwrap_or_else(|| state.clock.today().year().to_string()),
        reasons: evaluation_fields.reasons.unwrap_or_default(),
        evaluation_error,
        problem,
        has_officer: officer.is_some(),
    };
    Ok(render_document(&view))
}

/// `GET /console/quality-officers/{id}`: one venue's officer.
pub async fn officer(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let body = officer_document(&signed_in, &state, id, RefusedForm::None).await?;
    Ok(signed_in.page(body))
}

/// The status a refused form answers; `None` for what is no refusal.
fn refusal_status(err: &AppError) -> Option<StatusCode> {
    match err.slug.kind() {
        Kind::Invalid => Some(StatusCode::UNPROCESSABLE_ENTITY),
        Kind::Conflict => Some(StatusCode::CONFLICT),
        _ => None,
    }
}

/// The query of a decision posted from a registry row: where to go back to.
#[derive(Debug, Default, Deserialize)]
struct BackQuery {
    back: Option<String>,
    region: Option<String>,
    status: Option<String>,
}

/// `POST /console/quality-officers/{id}/registration`: registers or refuses
/// a pending filing with a reason (三(五)); registering needs the training
/// hours (三(一)). Back to the registry or the officer page with a notice,
/// or the page again with the form as posted and why.
pub async fn decide(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: DecisionFields = signed_in.form(&body)?;
    let id: VenueId = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let back: BackQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let from_registry = back.back.as_deref() == Some("registry");
    let request = RegistrationRequest {
        decision: fields.decision.clone().unwrap_or_default(),
        reason: fields.reason.clone().unwrap_or_default(),
    };
    let err = match quality_officers::decide(&state, &signed_in.caller, id, &request).await {
        Ok(_) if from_registry => {
            let query = RegistryQuery {
                region: back.region,
                status: back.status,
                ..Default::default()
            };
            return Ok(signed_in.done(
                "/console/quality-officers",
                filter_pairs(&query),
                Notice::OfficerDecided,
            ));
        }
        Ok(_) => {
            return Ok(signed_in.done(
                &format!("/console/quality-officers/{id}"),
                Vec::new(),
                Notice::OfficerDecided,
            ));
        }
        Err(err) => err,
    };
    let Some(status) = refusal_status(&err) else {
        return Err(signed_in.fail(err));
    };
    let why = super::super::dashboard::refusal_text_of(signed_in.messages(), &err);
    if from_registry {
        let query = RegistryQuery {
            region: back.region,
            status: back.status,
            ..Default::default()
        };
        let refused = RefusedRow {
            venue_id: id,
            fields: &fields,
            problem: why,
        };
        let body = registry_document(&signed_in, &state, &query, Some(refused)).await?;
        return Ok(signed_in.page_with_status(status, body));
    }
    let field = refused_field(&err).map(str::to_owned);
    let body = officer_document(
        &signed_in,
        &state,
        id,
        RefusedForm::Decision(fields, field, why),
    )
    .await?;
    Ok(signed_in.page_with_status(status, body))
}

/// `POST /console/quality-officers/{id}/evaluations`: records the year's
/// evaluation of a registered officer.
pub async fn evaluate(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: EvaluationFields = signed_in.form(&body)?;
    let id: VenueId = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let parsed = parse_year_text(fields.year.as_deref().unwrap_or_default()).and_then(|year| {
        Evaluation::parse(
            year,
            fields.grade.as_deref().unwrap_or_default(),
            fields.reasons.as_deref().unwrap_or_default(),
            state.clock.today(),
        )
    });
    let result = match parsed {
        Ok(evaluation) => quality_officers::evaluate(&state, &signed_in.caller, id, &evaluation)
            .await
            .map(|_| ()),
        Err(err) => Err(AppError::from(err)),
    };
    let err = match result {
        Ok(()) => {
            return Ok(signed_in.done(
                &format!("/console/quality-officers/{id}"),
                Vec::new(),
                Notice::OfficerEvaluated,
            ));
        }
        Err(err) => err,
    };
    let Some(status) = refusal_status(&err) else {
        return Err(signed_in.fail(err));
    };
    let why = super::super::dashboard::refusal_text_of(signed_in.messages(), &err);
    let field = refused_field(&err).map(str::to_owned);
    let body = officer_document(
        &signed_in,
        &state,
        id,
        RefusedForm::Evaluation(fields, field, why),
    )
    .await?;
    Ok(signed_in.page_with_status(status, body))
}
