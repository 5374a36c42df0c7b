//! Credit repair in the console (信用修复, clause 22 of the prefecture's
//! division of labour; the credit commitment of clause 19): the queue of
//! applications in the caller's scope, pending first by decision day with
//! the overdue ones marked, and a page per application with its entry, the
//! rectification, the commitment, the training record, links to the
//! evidence files and the approve/reject form.
//!
//! The form checks the session's form token and calls the JSON route's
//! use-case (`app::credit_repairs::decide`): an approval ends the entry on
//! the day of the decision and queues the venue's tier refresh in the same
//! transaction as the audit row. A refusal shows the page again (422) with
//! the reason as typed and the message beside it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::credit_repairs::{self as repairs, QUEUE_PAGE, RepairApplicationBody};
use crate::app::paging::Paging;
use crate::app::path_ids::parse_repair_id;
use crate::app::{Kind, Slug};
use crate::domain::credit_repair::{DECISION_REASON_MAX_CHARS, RepairState};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::{Chrome, href, local_time, render_document};
use crate::http::pages::dashboard::list_entries::entry_shown;
use crate::http::pages::dashboard::repairs::{RepairShown, problem_text, repair_shown, state_text};
use crate::http::pages::notice::Notice;
use crate::i18n::{CreditListTexts, CreditRepairTexts};

/// One row of the queue.
struct QueueRow {
    href: String,
    venue: String,
    list: String,
    state_key: &'static str,
    state: String,
    overdue: bool,
    submitted: String,
    due: String,
}

#[derive(Template)]
#[template(path = "console_repairs.html")]
struct QueueView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static CreditRepairTexts,
    rows: Vec<QueueRow>,
    /// The state filter's choices: value, label, chosen.
    states: Vec<(&'static str, String, bool)>,
    total: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

/// `GET /console/repair-applications?state=&page=`: the queue.
pub async fn queue(
    signed_in: SignedIn,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let fail = |e| signed_in.fail(e);
    let chosen = signed_in
        .query_value("state")
        .map(str::to_owned)
        .filter(|s| !s.is_empty());
    let paging = Paging::parse(
        signed_in.query_value("page"),
        None,
        QUEUE_PAGE,
        Slug::InvalidPage,
    )
    .map_err(fail)?;
    let list = repairs::list(&state, &signed_in.caller, chosen.as_deref(), paging)
        .await
        .map_err(fail)?;
    let m = signed_in.messages();
    let t = &m.credit_repair;
    let lang = signed_in.lang;
    let rows = list
        .items
        .iter()
        .map(|a| QueueRow {
            href: href(
                &format!("/console/repair-applications/{}", a.id),
                &[],
                Some(lang),
            ),
            venue: a.venue_name.clone(),
            list: m.credit_lists.list(a.list).to_owned(),
            state_key: a.state.key(),
            state: state_text(t, a.state).to_owned(),
            overdue: a.overdue,
            submitted: local_time(a.submitted_at),
            due: a.decision_due_on.to_string(),
        })
        .collect();
    let page_href = |page: i64| {
        let mut query = vec![("page".to_owned(), page.to_string())];
        if let Some(s) = &chosen {
            query.push(("state".to_owned(), s.clone()));
        }
        href("/console/repair-applications", &query, Some(lang))
    };
    let mut states = vec![("", t.filter_all.clone(), chosen.is_none())];
    states.extend(RepairState::ALL.into_iter().map(|s| {
        (
            s.key(),
            state_text(t, s).to_owned(),
            chosen.as_deref() == Some(s.key()),
        )
    }));
    let view = QueueView {
        chrome: signed_in.chrome(t.queue_heading.clone()),
        nav: signed_in.nav(),
        t,
        rows,
        states,
        total: list.total,
        prev_href: (paging.page > 1).then(|| page_href(paging.page - 1)),
        next_href: (paging.page < paging.pages(list.total)).then(|| page_href(paging.page + 1)),
    };
    Ok(signed_in.page(render_document(&view)))
}

#[derive(Template)]
#[template(path = "console_repair.html")]
struct ApplicationView {
    chrome: Chrome,
    nav: AccountNav,
    t: &'static CreditRepairTexts,
    lt: &'static CreditListTexts,
    title: String,
    venue: String,
    venue_href: String,
    queue_href: String,
    entry: crate::http::pages::dashboard::list_entries::EntryShown,
    ended_early: Option<String>,
    excluded: bool,
    a: RepairShown,
    /// The decision form, while the application is pending.
    action: Option<String>,
    csrf_token: String,
    reason: String,
    reason_error: Option<String>,
    reason_max: usize,
}

/// The application's page, its form holding `reason` and `error`.
async fn application_page(
    signed_in: &SignedIn,
    state: &AppState,
    application: RepairApplicationBody,
    (reason, reason_error): (String, Option<String>),
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let m = signed_in.messages();
    let t = &m.credit_repair;
    let lang = signed_in.lang;
    let entry = crate::app::list_entries::get(state, &signed_in.caller, application.list_entry_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let title = t
        .application_title
        .replace("{id}", &application.id.to_string());
    let view = ApplicationView {
        chrome: signed_in.chrome(title.clone()),
        nav: signed_in.nav(),
        t,
        lt: &m.credit_lists,
        title,
        venue: application.venue_name.clone(),
        venue_href: href(
            &format!("/console/venues/{}", application.venue_id),
            &[],
            Some(lang),
        ),
        queue_href: href("/console/repair-applications", &[], Some(lang)),
        ended_early: application
            .entry_original_ends_on
            .map(|original| t.ended_early.replace("{original}", &original.to_string())),
        entry: entry_shown(&m.credit_lists, &entry, state.clock.today()),
        excluded: application.commitment_excluded,
        action: (application.state == RepairState::Pending).then(|| {
            href(
                &format!("/console/repair-applications/{}/decision", application.id),
                &[],
                Some(lang),
            )
        }),
        a: repair_shown(t, &application),
        csrf_token: signed_in.session.csrf_token.clone(),
        reason,
        reason_error,
        reason_max: DECISION_REASON_MAX_CHARS,
    };
    Ok(signed_in.page_with_status(status, render_document(&view)))
}

/// `GET /console/repair-applications/{id}`: one application in scope.
pub async fn page(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let fail = |e| signed_in.fail(e);
    let id = parse_repair_id(&path).map_err(fail)?;
    let application = repairs::get(&state, &signed_in.caller, id)
        .await
        .map_err(fail)?;
    application_page(
        &signed_in,
        &state,
        application,
        (String::new(), None),
        StatusCode::OK,
    )
    .await
}

/// The decision form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    decision: String,
    reason: String,
}

/// `POST /console/repair-applications/{id}/decision`: approves or rejects.
pub async fn decide(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: DecisionForm = signed_in.form(&body)?;
    let fail = |e| signed_in.fail(e);
    let id = parse_repair_id(&path).map_err(fail)?;
    match repairs::decide(&state, &signed_in.caller, id, &form.decision, &form.reason).await {
        Ok(_) => Ok(signed_in.done(
            &format!("/console/repair-applications/{id}"),
            Vec::new(),
            Notice::RepairDecided,
        )),
        Err(err) if matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict) => {
            let application = repairs::get(&state, &signed_in.caller, id)
                .await
                .map_err(fail)?;
            let text = problem_text(signed_in.messages(), &err);
            application_page(
                &signed_in,
                &state,
                application,
                (form.reason, Some(text)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => Err(signed_in.fail(err)),
    }
}
