//! The console's queue of rating appeals (申诉复核): venues' appeals of
//! ratings they believe malicious, oldest first, filtered by state, with
//! its CSV and Excel downloads and a decision form on each pending one.
//! Deciding calls the JSON route's use-case (`app::appeals::decide`): an
//! upheld appeal quarantines the rating with the reason (it leaves the
//! score, and is kept), a dismissed one leaves it; either is audited and
//! the venue sees the reason on its dashboard.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::view::{Names, RowAction, RowChoice, SelectOption, TableView};
use crate::app::appeals::{self, AppealList, AppealQuery, DecisionRequest};
use crate::app::path_ids::parse_appeal_id;
use crate::app::{AppError, Kind};
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::AppealTexts;

/// The states the queue's filter offers; `all` lists every state.
const STATES: [&str; 4] = ["pending", "upheld", "dismissed", "all"];

/// The queue's query: `?state=`; waiting appeals when absent.
#[derive(Debug, Default, Deserialize)]
struct QueueQuery {
    state: Option<String>,
}

/// The state the queue shows: as asked (`all` for every state), waiting
/// appeals when not asked. An unknown state is the use-case's to refuse.
fn chosen_state(req: &HttpRequest) -> String {
    let query: QueueQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    query
        .state
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pending".to_owned())
}

/// The appeals in the caller's scope in `state`, oldest first.
async fn load(
    signed_in: &SignedIn,
    state: &AppState,
    chosen: &str,
) -> Result<AppealList, PageError> {
    let query = AppealQuery {
        state: Some(chosen).filter(|s| *s != "all"),
        venue_id: None,
        oldest_first: true,
    };
    appeals::list(state, &signed_in.caller, query)
        .await
        .map_err(|e| signed_in.fail(e))
}

/// The queue as a table: the page's and its downloads'.
fn queue_table(names: &Names, list: &AppealList) -> Table {
    let t = &names.m.appeals;
    let c = &names.m.console;
    Table {
        title: t.queue_title.clone(),
        headers: vec![
            t.col_appeal.clone(),
            t.col_venue.clone(),
            t.col_rating_day.clone(),
            t.col_stars.clone(),
            t.col_comment.clone(),
            t.col_evidence.clone(),
            t.col_filed.clone(),
            t.col_state.clone(),
            t.col_decided.clone(),
            t.col_reason.clone(),
            t.col_rating_now.clone(),
        ],
        rows: list
            .items
            .iter()
            .map(|appeal| {
                vec![
                    Cell::Integer(appeal.id),
                    Cell::text(&appeal.venue_name),
                    Cell::Date(appeal.rating_day),
                    Cell::Integer(i64::from(appeal.overall)),
                    appeal.comment.as_deref().map_or(Cell::Empty, Cell::text),
                    Cell::text(&appeal.evidence),
                    Cell::text(local_time(appeal.filed_at)),
                    Cell::text(t.state(&appeal.state)),
                    appeal
                        .decided_at
                        .map_or(Cell::Empty, |at| Cell::text(local_time(at))),
                    appeal
                        .decision_reason
                        .as_deref()
                        .map_or(Cell::Empty, Cell::text),
                    Cell::text(if appeal.quarantined {
                        &c.state_quarantined
                    } else {
                        &c.state_counted
                    }),
                ]
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "console_appeals.html")]
struct QueueView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static AppealTexts,
    states: Vec<SelectOption>,
    problem: Option<String>,
    total: usize,
    appeals: TableView,
}

/// A refused decision as it was posted, with why.
struct RefusedDecision<'a> {
    id: i64,
    fields: &'a DecisionFields,
    problem: String,
}

/// The queue page, with a refused decision's form as filled in.
async fn queue_document(
    signed_in: &SignedIn,
    state: &AppState,
    chosen: &str,
    refused: Option<RefusedDecision<'_>>,
) -> Result<String, PageError> {
    let list = load(signed_in, state, chosen).await?;
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.appeals;
    let query = vec![("state".to_owned(), chosen.to_owned())];
    let links = list
        .items
        .iter()
        .map(|appeal| Some(names.venue_href(appeal.venue_id)))
        .collect();
    let actions = list
        .items
        .iter()
        .map(|appeal| {
            let draft = refused.as_ref().filter(|r| r.id == appeal.id);
            let decision = draft.and_then(|r| r.fields.decision.as_deref());
            (appeal.state == "pending").then(|| RowAction {
                href: names.href(&format!("/console/appeals/{}/decision", appeal.id), &query),
                label: &t.decide_submit,
                field_id: format!("appeal-{}", appeal.id),
                reason_label: &t.reason_label,
                reason_placeholder: &t.reason_placeholder,
                csrf_token: signed_in.session.csrf_token.clone(),
                page: 1,
                pick: None,
                choice: Some(RowChoice::decision(
                    &t.decision_label,
                    &t.decision_choose,
                    [
                        ("upheld", &t.decision_uphold),
                        ("dismissed", &t.decision_dismiss),
                    ],
                    decision,
                )),
                reason: draft
                    .and_then(|r| r.fields.reason.clone())
                    .unwrap_or_default(),
            })
        })
        .collect();
    let table = TableView::new("appeals", &queue_table(&names, &list), &t.empty)
        .link(1, links)
        .actions(&t.decide_header, actions)
        .downloads(&names, "/console/appeals", &query);
    Ok(render_document(&QueueView {
        chrome: signed_in.chrome(t.queue_title.clone()),
        nav: signed_in.nav(),
        t,
        states: STATES
            .into_iter()
            .map(|value| SelectOption {
                value: value.to_owned(),
                label: match value {
                    "all" => t.state_all.clone(),
                    other => t.state(other).to_owned(),
                },
                selected: value == chosen,
            })
            .collect(),
        problem: refused.map(|r| r.problem),
        total: list.items.len(),
        appeals: table,
    }))
}

/// `GET /console/appeals?state=`: the appeals in scope, oldest first.
pub async fn queue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let chosen = chosen_state(&req);
    Ok(signed_in.page(queue_document(&signed_in, &state, &chosen, None).await?))
}

/// The queue as a download (`/console/appeals.csv`, `.xlsx`), with the
/// page's filter.
pub(super) async fn appeals_download(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let chosen = chosen_state(req);
    let list = load(signed_in, state, &chosen).await?;
    Ok((queue_table(names, &list), format!("appeals-{chosen}")))
}

/// The posted decision form.
#[derive(Debug, Default, Deserialize)]
struct DecisionFields {
    decision: Option<String>,
    reason: Option<String>,
}

/// `POST /console/appeals/{id}/decision`: upholds or dismisses a pending
/// appeal in scope; 303 back to the queue with a notice, or the queue again
/// with the form as filled in and why (409 when decided meanwhile, 422 otherwise).
pub async fn decide(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: DecisionFields = signed_in.form(&body)?;
    let id = parse_appeal_id(&path).map_err(|e| signed_in.fail(e))?;
    let chosen = chosen_state(&req);
    let request = DecisionRequest {
        decision: fields.decision.clone().unwrap_or_default(),
        reason: fields.reason.clone().unwrap_or_default(),
    };
    let err: AppError = match appeals::decide(&state, &signed_in.caller, id, &request).await {
        Ok(_) => {
            let query = vec![("state".to_owned(), chosen)];
            return Ok(signed_in.done("/console/appeals", query, Notice::AppealDecided));
        }
        Err(err) => err,
    };
    let status = match err.slug.kind() {
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(signed_in.fail(err)),
    };
    let refused = RefusedDecision {
        id,
        fields: &fields,
        problem: signed_in.messages().problem(&err).to_owned(),
    };
    let body = queue_document(&signed_in, &state, &chosen, Some(refused)).await?;
    Ok(signed_in.page_with_status(status, body))
}
