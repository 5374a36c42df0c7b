//! The console's review queue of bought scores: the incidents the detectors
//! hold in the caller's region (those still holding ratings first, those
//! holding several before single held ratings), each with its evidence in
//! words, and an incident's page with its ratings. Deciding, a whole
//! incident or one rating, calls the JSON routes' use-case
//! (`app::integrity::decide`): audited, and the scores follow.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::{Names, PagerView, RowAction, RowChoice, SelectOption, TableView};
use crate::app::integrity::{
    self, HoldDecisionRequest, IncidentBody, IncidentDetail, IncidentList, QUEUE_PAGE,
};
use crate::app::paging::Paging;
use crate::app::path_ids::{parse_hold_id, parse_incident_id};
use crate::app::{AppError, Kind, Slug};
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::IntegrityTexts;
use crate::store::integrity::DecisionTarget;

/// The queue's query: `?open=false` for every incident, `?page=`.
#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    open: Option<String>,
    page: Option<String>,
}

/// The signal's name in this language.
pub(super) fn signal_name<'a>(t: &'a IntegrityTexts, key: &'a str) -> &'a str {
    match key {
        "burst" => &t.signal_burst,
        "shift" => &t.signal_shift,
        "fresh_addresses" => &t.signal_fresh_addresses,
        "network" => &t.signal_network,
        "new_networks" => &t.signal_new_networks,
        "rival_bombing" => &t.signal_rival_bombing,
        "device_spread" => &t.signal_device_spread,
        "device_repeat" => &t.signal_device_repeat,
        "near_duplicates" => &t.signal_near_duplicates,
        "quiet_hours" => &t.signal_quiet_hours,
        other => other,
    }
}

fn side_name<'a>(t: &'a IntegrityTexts, side: Option<&str>) -> &'a str {
    match side {
        Some("high") => &t.side_high,
        Some("low") => &t.side_low,
        _ => &t.side_none,
    }
}

/// The evidence in words: the signal's sentence with its numbers.
fn evidence_words(t: &IntegrityTexts, incident: &IncidentBody) -> String {
    let template = match incident.signal.as_str() {
        "burst" => &t.evidence_burst,
        "shift" => &t.evidence_shift,
        "fresh_addresses" => &t.evidence_fresh_addresses,
        "network" => &t.evidence_network,
        "new_networks" => &t.evidence_new_networks,
        "rival_bombing" => &t.evidence_rival_bombing,
        "device_spread" => &t.evidence_device_spread,
        "device_repeat" => &t.evidence_device_repeat,
        "near_duplicates" => &t.evidence_near_duplicates,
        "quiet_hours" => &t.evidence_quiet_hours,
        _ => return incident.evidence.to_string(),
    };
    let mut words = template.replace("{side}", side_name(t, incident.side.as_deref()));
    if let Some(fields) = incident.evidence.as_object() {
        for (key, value) in fields {
            let text = match (key.as_str(), value.as_f64()) {
                ("usual_share", Some(share)) => {
                    words = words.replace("{usual}", &format!("{:.0}%", share * 100.0));
                    continue;
                }
                ("expected", Some(expected)) => format!("{expected:.1}"),
                (_, Some(n)) if n.fract() == 0.0 => format!("{n:.0}"),
                (_, Some(n)) => format!("{n:.2}"),
                _ => continue,
            };
            words = words.replace(&format!("{{{key}}}"), &text);
        }
    }
    words
}

fn state_name<'a>(t: &'a IntegrityTexts, state: &'a str) -> &'a str {
    match state {
        "held" => &t.state_held,
        "released" => &t.state_released,
        "confirmed" => &t.state_confirmed,
        other => other,
    }
}

/// The decision select and reason of a decide form.
fn decide_action(
    signed_in: &SignedIn,
    t: &'static IntegrityTexts,
    href: String,
    field_id: String,
    refused: Option<&Refused<'_>>,
) -> RowAction {
    RowAction {
        href,
        label: &t.decide_submit,
        field_id,
        reason_label: &t.reason_label,
        reason_placeholder: &t.reason_placeholder,
        csrf_token: signed_in.session.csrf_token.clone(),
        page: 1,
        pick: None,
        choice: Some(RowChoice::decision(
            &t.decision_label,
            &t.decision_choose,
            [
                ("release", &t.decision_release),
                ("confirm", &t.decision_confirm),
            ],
            refused.and_then(|r| r.fields.decision.as_deref()),
        )),
        reason: refused
            .and_then(|r| r.fields.reason.clone())
            .unwrap_or_default(),
    }
}

/// A refused decision as it was posted, with why: on the incident
/// (`rating` none) or one of its ratings.
struct Refused<'a> {
    rating: Option<i64>,
    fields: &'a DecisionFields,
    problem: String,
}

fn queue_table(names: &Names, list: &IncidentList) -> Table {
    let t = &names.m.integrity;
    Table {
        title: t.queue_title.clone(),
        headers: vec![
            t.col_incident.clone(),
            t.col_venue.clone(),
            t.col_signal.clone(),
            t.col_side.clone(),
            t.col_evidence.clone(),
            t.col_window.clone(),
            t.col_held.clone(),
            t.col_released.clone(),
            t.col_confirmed.clone(),
            t.col_detected.clone(),
        ],
        rows: list
            .items
            .iter()
            .map(|i| {
                vec![
                    Cell::Integer(i.id),
                    Cell::text(&i.venue_name),
                    Cell::text(signal_name(t, &i.signal)),
                    Cell::text(side_name(t, i.side.as_deref())),
                    Cell::text(evidence_words(t, i)),
                    Cell::text(format!(
                        "{} – {}",
                        local_time(i.window_from),
                        local_time(i.window_to)
                    )),
                    Cell::Integer(i.held),
                    Cell::Integer(i.released),
                    Cell::Integer(i.confirmed),
                    Cell::text(local_time(i.detected_at)),
                ]
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "console_integrity.html")]
struct QueueView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static IntegrityTexts,
    shows: Vec<SelectOption>,
    total: i64,
    incidents: TableView,
    pager: Option<PagerView>,
}

/// `GET /console/integrity?open=&page=`: the incidents in scope.
pub async fn queue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let query: QueueQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let open_only = query.open.as_deref().map(str::trim) != Some("false");
    let paging = Paging::parse(query.page.as_deref(), None, QUEUE_PAGE, Slug::InvalidPage)
        .map_err(|e| signed_in.fail(e))?;
    let list = integrity::queue(&state, &signed_in.caller, open_only, paging)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.integrity;
    let open = if open_only { "true" } else { "false" };
    let links = list
        .items
        .iter()
        .map(|i| Some(names.href(&format!("/console/integrity/{}", i.id), &[])))
        .collect();
    let venue_links = list
        .items
        .iter()
        .map(|i| Some(names.venue_href(i.venue_id.into())))
        .collect();
    let table = TableView::new("incidents", &queue_table(&names, &list), &t.empty)
        .link(0, links)
        .link(1, venue_links)
        .muted(list.items.iter().map(|i| i.held == 0));
    let pager = PagerView::new(names.m, list.page, paging.per_page, list.total, |page| {
        names.href(
            "/console/integrity",
            &[
                ("open".to_owned(), open.to_owned()),
                ("page".to_owned(), page.to_string()),
            ],
        )
    });
    Ok(signed_in.page(render_document(&QueueView {
        chrome: signed_in.chrome(t.queue_title.clone()),
        nav: signed_in.nav(),
        t,
        shows: [("true", &t.open_only), ("false", &t.all_incidents)]
            .into_iter()
            .map(|(value, label)| SelectOption {
                value: value.to_owned(),
                label: label.clone(),
                selected: value == open,
            })
            .collect(),
        total: list.total,
        incidents: table,
        pager,
    })))
}

#[derive(Template)]
#[template(path = "console_incident.html")]
struct IncidentView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static IntegrityTexts,
    problem: Option<String>,
    back: String,
    summary: TableView,
    /// The whole incident's form, while it holds ratings.
    decide_all: Option<RowAction>,
    ratings: TableView,
}

async fn incident_document(
    signed_in: &SignedIn,
    state: &AppState,
    id: i64,
    refused: Option<Refused<'_>>,
) -> Result<String, PageError> {
    let detail: IncidentDetail = integrity::incident(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.integrity;
    let incident = &detail.incident;
    let title = t
        .incident_title
        .replace("{id}", &incident.id.to_string())
        .replace("{signal}", signal_name(t, &incident.signal))
        .replace("{venue}", &incident.venue_name);
    let one = IncidentList {
        items: vec![incident.clone()],
        page: 1,
        total: 1,
    };
    let summary = TableView::new("incident", &queue_table(&names, &one), &t.empty)
        .link(1, vec![Some(names.venue_href(incident.venue_id.into()))]);
    let ratings_table = Table {
        title: t.ratings_heading.clone(),
        headers: vec![
            t.col_rating.clone(),
            t.col_time.clone(),
            t.col_stars.clone(),
            t.col_comment.clone(),
            t.col_signals.clone(),
            t.col_state.clone(),
            t.col_decided.clone(),
            t.col_reason.clone(),
        ],
        rows: detail
            .ratings
            .iter()
            .map(|r| {
                let signals: Vec<&str> = r.signals.iter().map(|s| signal_name(t, s)).collect();
                vec![
                    Cell::Integer(r.rating_id),
                    Cell::text(local_time(r.created_at)),
                    Cell::Integer(i64::from(r.overall)),
                    r.comment.as_deref().map_or(Cell::Empty, Cell::text),
                    Cell::text(signals.join(", ")),
                    Cell::text(state_name(t, &r.state)),
                    r.decided_at
                        .map_or(Cell::Empty, |at| Cell::text(local_time(at))),
                    r.reason.as_deref().map_or(Cell::Empty, Cell::text),
                ]
            })
            .collect(),
    };
    let actions = detail
        .ratings
        .iter()
        .map(|r| {
            (r.state == "held").then(|| {
                let mine = refused.as_ref().filter(|f| f.rating == Some(r.rating_id));
                decide_action(
                    signed_in,
                    t,
                    names.href(
                        &format!("/console/integrity/{id}/ratings/{}/decision", r.rating_id),
                        &[],
                    ),
                    format!("hold-{}", r.rating_id),
                    mine,
                )
            })
        })
        .collect();
    let ratings = TableView::new("held-ratings", &ratings_table, &t.ratings_empty)
        .actions(&t.decide_header, actions)
        .muted(detail.ratings.iter().map(|r| r.state != "held"));
    let decide_all = (incident.held > 0).then(|| {
        let mine = refused.as_ref().filter(|f| f.rating.is_none());
        decide_action(
            signed_in,
            t,
            names.href(&format!("/console/integrity/{id}/decision"), &[]),
            format!("incident-{id}"),
            mine,
        )
    });
    Ok(render_document(&IncidentView {
        chrome: signed_in.chrome(title),
        nav: signed_in.nav(),
        t,
        problem: refused.map(|r| r.problem),
        back: names.href("/console/integrity", &[]),
        summary,
        decide_all,
        ratings,
    }))
}

/// `GET /console/integrity/{id}`: one incident with its ratings.
pub async fn incident(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_incident_id(&path).map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.page(incident_document(&signed_in, &state, id, None).await?))
}

/// The posted decision form.
#[derive(Debug, Default, Deserialize)]
struct DecisionFields {
    decision: Option<String>,
    reason: Option<String>,
}

/// Decides and answers: 303 to the incident with a notice, or the incident
/// again with the form as filled in and why (409 when decided meanwhile,
/// 422 otherwise).
async fn decide_and_answer(
    signed_in: SignedIn,
    state: &AppState,
    id: i64,
    target: DecisionTarget,
    fields: &DecisionFields,
) -> Result<HttpResponse, PageError> {
    let request = HoldDecisionRequest {
        decision: fields.decision.clone().unwrap_or_default(),
        reason: fields.reason.clone().unwrap_or_default(),
    };
    let err: AppError = match integrity::decide(state, &signed_in.caller, target, &request).await {
        Ok(_) => {
            return Ok(signed_in.done(
                &format!("/console/integrity/{id}"),
                Vec::new(),
                Notice::HoldsDecided,
            ));
        }
        Err(err) => err,
    };
    let status = match err.slug.kind() {
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(signed_in.fail(err)),
    };
    let refused = Refused {
        rating: match target {
            DecisionTarget::Rating(rating_id) => Some(rating_id),
            DecisionTarget::Incident(_) => None,
        },
        fields,
        problem: signed_in.messages().problem(&err).to_owned(),
    };
    let body = incident_document(&signed_in, state, id, Some(refused)).await?;
    Ok(signed_in.page_with_status(status, body))
}

/// `POST /console/integrity/{id}/decision`: releases or confirms every
/// rating the incident still holds.
pub async fn decide_incident(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: DecisionFields = signed_in.form(&body)?;
    let id = parse_incident_id(&path).map_err(|e| signed_in.fail(e))?;
    decide_and_answer(signed_in, &state, id, DecisionTarget::Incident(id), &fields).await
}

/// `POST /console/integrity/{id}/ratings/{rating_id}/decision`: releases or
/// confirms one held rating of the incident.
pub async fn decide_hold(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: DecisionFields = signed_in.form(&body)?;
    let (id, rating_id) = path.into_inner();
    let id = parse_incident_id(&id).map_err(|e| signed_in.fail(e))?;
    let rating_id = parse_hold_id(&rating_id).map_err(|e| signed_in.fail(e))?;
    decide_and_answer(
        signed_in,
        &state,
        id,
        DecisionTarget::Rating(rating_id),
        &fields,
    )
    .await
}
