//! The console's complaint cases (clause 29 of the prefecture's division of
//! labour: complaint mediation): the queue by due date with its filters and
//! downloads, one case with its timeline, and the forms for each step and for
//! revealing the contact. Every action calls the same use-case as the JSON
//! route (`app::cases`), which checks the state machine, the caller's part
//! and scope, and writes the audit row.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::audit::actor_text;
use super::view::{Names, SelectOption, TableView};
use crate::app::cases::{self, CaseDetail, CaseList, CaseQuery, TransitionRequest};
use crate::app::path_ids::parse_case_id;
use crate::app::{AppError, Kind};
use crate::domain::complaint::CaseState;
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::notice::Notice;
use crate::i18n::CaseTexts;
use crate::store::audit::AuditNames;

/// The queue's filters as the page reads them: the JSON route's query.
fn queue_query(req: &HttpRequest) -> Vec<(String, String)> {
    let raw: Vec<(String, String)> =
        serde_html_form::from_str(req.query_string()).unwrap_or_default();
    raw.into_iter()
        .filter(|(k, v)| {
            !v.trim().is_empty()
                && [
                    "state", "overdue", "due_soon", "region", "venue_id", "category", "page",
                ]
                .contains(&k.as_str())
        })
        .collect()
}

fn parse_queue(signed_in: &SignedIn, pairs: &[(String, String)]) -> Result<CaseQuery, PageError> {
    let query = serde_html_form::to_string(pairs).unwrap_or_default();
    CaseQuery::parse(&query).map_err(|e| signed_in.fail(e))
}

/// The queue as a table: the page's and its downloads'.
fn queue_table(names: &Names, list: &CaseList) -> Table {
    let c = &names.m.cases;
    Table {
        title: c.queue_title.clone(),
        headers: vec![
            c.col_code.clone(),
            c.col_venue.clone(),
            c.state_label.clone(),
            c.col_source.clone(),
            c.col_region.clone(),
            c.received.clone(),
            c.due.clone(),
            c.overdue_badge.clone(),
        ],
        rows: list
            .items
            .iter()
            .map(|case| {
                vec![
                    Cell::text(case.tracking_code.clone()),
                    Cell::text(case.venue_name.clone()),
                    Cell::text(c.state(case.state)),
                    Cell::text(c.source(&case.source)),
                    Cell::text(names.region(&case.region_code)),
                    Cell::text(local_time(case.received_at)),
                    case.due_at
                        .map_or(Cell::Empty, |d| Cell::text(local_time(d))),
                    if case.overdue {
                        Cell::text(c.overdue_badge.clone())
                    } else {
                        Cell::Empty
                    },
                ]
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "console_cases.html")]
struct QueueView {
    chrome: Chrome,
    nav: AccountNav,
    c: &'static CaseTexts,
    states: Vec<SelectOption>,
    overdue: bool,
    due_soon: bool,
    total: i64,
    cases: TableView,
    /// The form for a telephone or 12345 complaint, for supervisors.
    entry: Option<(String, &'static str)>,
}

/// `GET /console/complaints?state=&overdue=true&due_soon=true&region=&venue_id=&category=&page=`.
pub async fn queue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let pairs = queue_query(&req);
    let query = parse_queue(&signed_in, &pairs)?;
    let list = cases::list(&state, &signed_in.caller, &query)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let c = &m.cases;
    let links = list
        .items
        .iter()
        .map(|case| Some(names.href(&format!("/console/complaints/{}", case.id), &[])))
        .collect();
    let download_query: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "page").cloned().collect();
    let table = TableView::new("complaints", &queue_table(&names, &list), &c.empty)
        .link(0, links)
        .downloads(&names, "/console/complaints", &download_query);
    let chosen = query.state.as_deref().map(str::trim);
    let body = render_document(&QueueView {
        chrome: signed_in.chrome(c.queue_title.clone()),
        nav: signed_in.nav(),
        c,
        states: CaseState::ALL
            .into_iter()
            .map(|s| SelectOption {
                value: s.key().to_owned(),
                label: c.state(s).to_owned(),
                selected: chosen == Some(s.key()),
            })
            .collect(),
        overdue: query.overdue.as_deref() == Some("true"),
        due_soon: query.due_soon.as_deref() == Some("true"),
        total: list.total,
        cases: table,
        entry: (signed_in.role() != crate::domain::access::Role::VenueStaff).then(|| {
            (
                names.href("/console/complaints/new", &[]),
                m.complaint_entry.link.as_str(),
            )
        }),
    });
    Ok(signed_in.page(body))
}

/// The queue as a download (`/console/complaints.csv`, `.xlsx`), with the
/// page's filters, up to the largest page.
pub(super) async fn cases_download(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let mut pairs = queue_query(req);
    pairs.retain(|(k, _)| k != "page");
    pairs.push(("per_page".to_owned(), cases::QUEUE_PAGE.max.to_string()));
    let query = parse_queue(signed_in, &pairs)?;
    let list = cases::list(state, &signed_in.caller, &query)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok((queue_table(names, &list), "complaints".to_owned()))
}

/// One timeline line.
struct EventView {
    at: String,
    state: String,
    actor: String,
    note: Option<String>,
}

/// The step form.
struct StepForm {
    action: String,
    token: String,
    supervisor: bool,
    states: Vec<SelectOption>,
    verdicts: Vec<SelectOption>,
    reason: String,
    note: String,
    public_answer: String,
    region_code: String,
}

#[derive(Template)]
#[template(path = "console_case.html")]
struct CaseView {
    chrome: Chrome,
    nav: AccountNav,
    c: &'static CaseTexts,
    problem: Option<String>,
    code: String,
    state: String,
    overdue: bool,
    venue_name: String,
    venue_href: String,
    region: String,
    source: String,
    received: String,
    service_on: String,
    due: Option<String>,
    closed: Option<String>,
    contact: String,
    reveal_token: Option<String>,
    reveal_href: String,
    description: String,
    public_answer: Option<String>,
    verdict: Option<String>,
    handling: Option<String>,
    events: Vec<EventView>,
    form: Option<StepForm>,
}

/// The posted step form.
#[derive(Debug, Default, Clone, Deserialize)]
struct StepFields {
    to: Option<String>,
    reason: Option<String>,
    note: Option<String>,
    public_answer: Option<String>,
    region_code: Option<String>,
    /// `none`, `fault` (upheld, the venue at fault), `upheld` (upheld, not
    /// at fault) or `not_upheld`.
    verdict: Option<String>,
}

impl StepFields {
    fn request(&self) -> TransitionRequest {
        let (upheld, venue_at_fault) = match self.verdict.as_deref() {
            Some("fault") => (Some(true), Some(true)),
            Some("upheld") => (Some(true), Some(false)),
            Some("not_upheld") => (Some(false), Some(false)),
            _ => (None, None),
        };
        TransitionRequest {
            to: self.to.clone().unwrap_or_default(),
            reason: self.reason.clone(),
            note: self.note.clone(),
            public_answer: self.public_answer.clone(),
            region_code: self.region_code.clone(),
            upheld,
            venue_at_fault,
        }
    }
}

/// A verdict in words.
fn verdict_text(c: &CaseTexts, case: &CaseDetail) -> Option<String> {
    let upheld = case.upheld?;
    Some(match (upheld, case.venue_at_fault.unwrap_or(false)) {
        (true, true) => format!("{} · {}", c.upheld, c.venue_at_fault),
        (true, false) => format!("{} · {}", c.upheld, c.venue_not_at_fault),
        (false, _) => c.not_upheld.clone(),
    })
}

fn render_case(
    signed_in: &SignedIn,
    (names, actors): (&Names, &AuditNames),
    case: &CaseDetail,
    contact: Option<String>,
    draft: Option<(&StepFields, String)>,
) -> String {
    let c = &names.m.cases;
    let s = &case.summary;
    let contact = contact
        .or_else(|| case.contact_masked.clone())
        .unwrap_or_else(|| {
            if case.contact_erased {
                c.contact_erased.clone()
            } else {
                c.contact_none.clone()
            }
        });
    let fields = draft
        .as_ref()
        .map(|(f, _)| (*f).clone())
        .unwrap_or_default();
    let supervisor = signed_in.role() != crate::domain::access::Role::VenueStaff;
    let form = (!case.next_states.is_empty()).then(|| StepForm {
        action: format!(
            "/console/complaints/{}/transitions?lang={}",
            s.id,
            signed_in.lang.tag()
        ),
        token: signed_in.session.csrf_token.clone(),
        supervisor,
        states: case
            .next_states
            .iter()
            .map(|st| SelectOption {
                value: st.key().to_owned(),
                label: c.state(*st).to_owned(),
                selected: fields.to.as_deref() == Some(st.key()),
            })
            .collect(),
        verdicts: [
            ("none", &c.verdict_none),
            ("fault", &c.venue_at_fault),
            ("upheld", &c.venue_not_at_fault),
            ("not_upheld", &c.not_upheld),
        ]
        .into_iter()
        .map(|(value, label)| SelectOption {
            value: value.to_owned(),
            label: match value {
                "fault" | "upheld" => format!("{} · {label}", c.upheld),
                _ => label.clone(),
            },
            selected: fields.verdict.as_deref().unwrap_or("none") == value,
        })
        .collect(),
        reason: fields.reason.clone().unwrap_or_default(),
        note: fields.note.clone().unwrap_or_default(),
        public_answer: fields.public_answer.clone().unwrap_or_default(),
        region_code: fields.region_code.clone().unwrap_or_default(),
    });
    let events = case
        .events
        .iter()
        .map(|e| EventView {
            at: local_time(e.at),
            state: c.state(e.state).to_owned(),
            actor: match e.from_state {
                None => c.source(&e.actor).to_owned(),
                Some(_) => actor_text(&names.m.audit, actors, &e.actor),
            },
            note: match (&e.note, &e.region_code) {
                (Some(note), Some(region)) => Some(format!("{note} → {}", names.region(region))),
                (Some(note), None) => Some(note.clone()),
                (None, Some(region)) => Some(names.region(region)),
                (None, None) => None,
            },
        })
        .collect();
    render_document(&CaseView {
        chrome: signed_in.chrome(format!("{} · {}", c.queue_title, s.tracking_code)),
        nav: signed_in.nav(),
        c,
        problem: draft.map(|(_, problem)| problem),
        code: s.tracking_code.clone(),
        state: c.state(s.state).to_owned(),
        overdue: s.overdue,
        venue_name: s.venue_name.clone(),
        venue_href: names.venue_href(s.venue_id),
        region: names.region(&s.region_code),
        source: c.source(&s.source).to_owned(),
        received: local_time(s.received_at),
        service_on: case.service_on.format("%Y-%m-%d").to_string(),
        due: s.due_at.map(local_time),
        closed: case.closed_at.map(local_time),
        reveal_token: (supervisor && case.contact_masked.is_some())
            .then(|| signed_in.session.csrf_token.clone()),
        reveal_href: format!(
            "/console/complaints/{}/contact?lang={}",
            s.id,
            signed_in.lang.tag()
        ),
        contact,
        description: case.description.clone(),
        public_answer: case.public_answer.clone(),
        verdict: verdict_text(c, case),
        handling: case.handling_stars.map(|stars| {
            let text = c.your_rating.replace("{stars}", &stars.to_string());
            match &case.handling_comment {
                Some(comment) => format!("{text} {comment}"),
                None => text,
            }
        }),
        events,
        form,
    })
}

/// The case page of `id` as the caller sees it: with the contact in full
/// after a reveal, or with a refused step's form as filled in and why.
async fn case_document(
    signed_in: &SignedIn,
    state: &AppState,
    id: i64,
    contact: Option<String>,
    refused: Option<(&StepFields, &AppError)>,
) -> Result<String, PageError> {
    let case = cases::detail(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let actors = cases::actor_names(state, &case)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let draft = refused.map(|(fields, err)| (fields, names.m.problem(err).to_owned()));
    Ok(render_case(
        signed_in,
        (&names, &actors),
        &case,
        contact,
        draft,
    ))
}

/// `GET /console/complaints/{id}`.
pub async fn case_page(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let id = parse_case_id(&path).map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.page(case_document(&signed_in, &state, id, None, None).await?))
}

/// `POST /console/complaints/{id}/transitions`: one step; 303 back to the
/// case with a notice, or the case again with the form as filled in and
/// what was wrong (409 for a step the case no longer allows, 422 otherwise).
pub async fn step(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: StepFields = signed_in.form(&body)?;
    let id = parse_case_id(&path).map_err(|e| signed_in.fail(e))?;
    let err = match cases::step(&state, &signed_in.caller, id, &fields.request()).await {
        Ok(_) => {
            let target = format!("/console/complaints/{id}");
            return Ok(signed_in.done(&target, Vec::new(), Notice::CaseStepped));
        }
        Err(err) => err,
    };
    let status = match err.slug.kind() {
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        _ => return Err(signed_in.fail(err)),
    };
    let body = case_document(&signed_in, &state, id, None, Some((&fields, &err))).await?;
    Ok(signed_in.page_with_status(status, body))
}

/// `POST /console/complaints/{id}/contact`: the case page with the contact
/// shown in full, for a regulator handling it; the reveal is audited.
pub async fn reveal(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let _: StepFields = signed_in.form(&body)?;
    let id = parse_case_id(&path).map_err(|e| signed_in.fail(e))?;
    let contact = cases::reveal_contact(&state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.page(case_document(&signed_in, &state, id, contact, None).await?))
}
