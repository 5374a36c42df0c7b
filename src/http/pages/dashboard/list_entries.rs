//! The dashboard's credit lists (文化和旅游市场信用管理规定; the
//! prefecture's division of labour, clause 21): an entry a regulator
//! proposes for the venue (严重失信主体名单 or 重点关注名单) shows as a notice
//! at the top of the venue's dashboard, with the form for its statement
//! (陈述申辩) while the period runs; decided and past entries are listed
//! with the decision, its reason and the venue's statement.
//!
//! The form calls the JSON route's use-case (`app::list_entries`), which
//! lets only the venue's staff answer, once, within the period, and writes
//! the audit row. Regulators and admins in scope see the same read-only.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Draft, refused_page, see_other, venue_href};
use crate::app::Kind;
use crate::app::list_entries::{self as lists, ListEntryBody};
use crate::app::path_ids::{parse_id, parse_list_entry_id};
use crate::app::supervision::venue_in_scope;
use crate::app::venue_profile::FIRST_COMMENTS;
use crate::domain::access::Role;
use crate::domain::ids::VenueId;
use crate::domain::list_entry::{self, EntryState, STATEMENT_MAX_CHARS};
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::html::local_time;
use crate::http::pages::notice::Notice;
use crate::i18n::CreditListTexts;
use crate::store::dashboard::CommentFilter;

/// One entry as the dashboard and the console show it.
pub(crate) struct EntryShown {
    /// The entry's id.
    pub id: i64,
    /// The list's name.
    pub list: String,
    /// `pending`, `listed` or `dropped`.
    pub state_key: &'static str,
    /// Where it stands, in words.
    pub state: String,
    /// For a listed entry: in force today or not, in words.
    pub in_force: Option<String>,
    /// Why it was proposed.
    pub reason: String,
    /// The provision it rests on.
    pub legal_basis: String,
    /// The decision's number, if issued.
    pub decision_no: Option<String>,
    /// Its term, in words.
    pub period: String,
    /// When it was proposed, in words.
    pub proposed: String,
    /// The last day of the statement period.
    pub due: String,
    /// The venue's statement.
    pub statement: Option<String>,
    /// When the statement was submitted, in words.
    pub statement_at: Option<String>,
    /// When and how it was decided, in words.
    pub decided: Option<String>,
    /// The decision's reason.
    pub decision_reason: Option<String>,
    /// Pending, without a statement, and the period still runs.
    pub open: bool,
    /// Pending and no longer open: waiting for the decision, in words.
    pub waiting: Option<String>,
}

/// An entry in words, as of `today`.
pub(crate) fn entry_shown(
    t: &CreditListTexts,
    entry: &ListEntryBody,
    today: NaiveDate,
) -> EntryShown {
    let due = entry.statement_due_on.to_string();
    let pending = entry.state == EntryState::Pending;
    let open = pending && entry.statement.is_none() && today <= entry.statement_due_on;
    let waiting = (pending && !open).then(|| {
        if entry.statement.is_some() {
            t.waiting_decision.clone()
        } else {
            t.period_over.replace("{due}", &due)
        }
    });
    let state = t.state(entry.state).to_owned();
    EntryShown {
        id: entry.id,
        list: t.list(entry.list).to_owned(),
        state_key: entry.state.key(),
        in_force: (entry.state == EntryState::Listed).then(|| {
            if entry.in_force {
                t.in_force.clone()
            } else {
                t.not_in_force.clone()
            }
        }),
        reason: entry.reason.clone(),
        legal_basis: entry.legal_basis.clone(),
        decision_no: entry.decision_no.clone(),
        period: t
            .period
            .replace("{start}", &entry.starts_on.to_string())
            .replace("{end}", &entry.ends_on.to_string()),
        proposed: t.proposed_on.replace(
            "{date}",
            &crate::domain::day::local_day(entry.proposed_at).to_string(),
        ),
        due,
        statement: entry.statement.clone(),
        statement_at: entry
            .statement_at
            .map(|at| t.statement_at.replace("{at}", &local_time(at))),
        decided: entry.decided_at.map(|at| {
            t.decided_at
                .replace("{state}", &state)
                .replace("{at}", &local_time(at))
        }),
        decision_reason: entry.decision_reason.clone(),
        state,
        open,
        waiting,
    }
}

/// A pending entry the venue may still answer: the notice and its form.
pub(super) struct OpenEntry {
    pub entry: EntryShown,
    /// What is proposed and until when the venue may answer.
    pub body: String,
    /// What the statement box holds: empty, or a refused draft.
    pub draft: String,
    /// Why the statement typed here was refused.
    pub error: Option<String>,
}

/// The credit lists of the venue dashboard: the notices at the top, the
/// entries further down.
pub(super) struct CreditListPanel {
    pub t: &'static CreditListTexts,
    /// Whether the statement forms are shown (the venue's staff).
    pub staff: bool,
    /// Entries the venue may still answer, each a notice.
    pub open: Vec<OpenEntry>,
    /// Every other entry, newest first.
    pub entries: Vec<EntryShown>,
    /// Why a statement was refused when its entry is no longer open.
    pub error: Option<String>,
    pub statement_max: usize,
    pub statement_hint: String,
}

/// The panel for venue `id`, with a refused statement (in `draft`) as typed.
pub(super) async fn panel(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    draft: &Draft,
) -> Result<CreditListPanel, PageError> {
    let t = &signed_in.messages().credit_lists;
    let today = state.clock.today();
    let list = lists::for_venue(state, &signed_in.caller, id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let (mut open, mut entries) = (Vec::new(), Vec::new());
    for entry in &list.items {
        let shown = entry_shown(t, entry, today);
        if shown.open {
            open.push(OpenEntry {
                body: t
                    .notice_body
                    .replace("{list}", &shown.list)
                    .replace("{due}", &shown.due),
                entry: shown,
                draft: String::new(),
                error: None,
            });
        } else {
            entries.push(shown);
        }
    }
    let mut unplaced = None;
    if let Draft::Statement {
        entry_id,
        text,
        error,
    } = draft
    {
        match open.iter_mut().find(|o| o.entry.id == *entry_id) {
            Some(item) => {
                item.draft = text.clone();
                item.error = Some(error.clone());
            }
            None => unplaced = Some(error.clone()),
        }
    }
    Ok(CreditListPanel {
        t,
        staff: signed_in.role() == Role::VenueStaff,
        open,
        entries,
        error: unplaced,
        statement_max: STATEMENT_MAX_CHARS,
        statement_hint: t
            .statement_hint
            .replace("{max}", &STATEMENT_MAX_CHARS.to_string()),
    })
}

/// The fields of the statement form.
#[derive(Debug, Default, Deserialize)]
struct StatementForm {
    text: Option<String>,
}

/// `POST /dashboard/venues/{id}/list-entries/{entry_id}/statement`: the
/// venue's statement (陈述申辩) on an entry proposed for it; a refused one
/// shows the page again with the text as typed and why beside it.
pub async fn submit_statement(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: StatementForm = signed_in.form(&body)?;
    let (venue_raw, entry_raw) = path.into_inner();
    let venue_id: VenueId = parse_id(&venue_raw).map_err(|e| signed_in.fail(e))?;
    let entry_id = parse_list_entry_id(&entry_raw).map_err(|e| signed_in.fail(e))?;
    venue_in_scope(&state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let entry = lists::get(&state, &signed_in.caller, entry_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    // An entry of another venue is not this address's.
    if entry.venue_id != venue_id {
        return Err(PageError::new(signed_in.lang, PageProblem::NotFound));
    }
    let text = form.text.unwrap_or_default();
    let m = signed_in.messages();
    match lists::submit_statement(&state, &signed_in.caller, entry_id, &text).await {
        Ok(_) => {
            let pairs = [("notice", Notice::ListStatementSubmitted.key().to_owned())];
            Ok(see_other(&venue_href(
                venue_id,
                signed_in.lang,
                &pairs,
                "credit-lists",
            )))
        }
        Err(err) if matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict) => {
            // The text's own fault is told as the form words it.
            let error = match list_entry::required_text(&text, "text", STATEMENT_MAX_CHARS) {
                Err(fault) if err.slug.kind() == Kind::Invalid => m.credit_lists.error(&fault),
                _ => m.problem(&err).to_owned(),
            };
            let draft = Draft::Statement {
                entry_id,
                text,
                error,
            };
            let filter = (CommentFilter::default(), FIRST_COMMENTS);
            refused_page(&signed_in, &state, venue_id, filter, draft).await
        }
        Err(err) => Err(signed_in.fail(err)),
    }
}
