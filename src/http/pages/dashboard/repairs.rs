//! Credit repair on the venue dashboard (信用修复, clause 22 of the
//! prefecture's division of labour; the credit commitment of clause 19):
//! under a list entry in force, the venue's applications with their state,
//! and for its staff the form that applies (rectification, evidence files,
//! the commitment box with the commitment's words, the training record)
//! while no application on the entry waits for its decision.
//!
//! The form posts `multipart/form-data` to the JSON route's use-case
//! (`app::credit_repairs`), which checks the whole application before
//! anything is written. A refusal shows the dashboard again (422) with what
//! was typed and each message beside its field; the files must be chosen
//! again. Evidence files are served to the venue's staff and the
//! regulators over the venue, and to no one else.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{Draft, refused_page, see_other, venue_href};
use crate::app::credit_repairs::{self as repairs, RepairApplicationBody};
use crate::app::list_entries as lists;
use crate::app::path_ids::{parse_evidence_id, parse_id, parse_list_entry_id, parse_repair_id};
use crate::app::supervision::venue_in_scope;
use crate::app::venue_profile::FIRST_COMMENTS;
use crate::app::{AppError, Kind};
use crate::domain::access::Role;
use crate::domain::credit_repair::{
    EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, RECTIFICATION_MAX_CHARS, RepairState,
};
use crate::domain::ids::VenueId;
use crate::domain::list_entry::EntryState;
use crate::http::AppState;
use crate::http::api::repairs::{PostedRepair, ReadError, evidence_response, read_form};
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::html::{href, local_time};
use crate::http::pages::notice::Notice;
use crate::i18n::{CreditRepairTexts, Messages};
use crate::store::dashboard::CommentFilter;

/// A problem's message with the refusal's values put in (`{max}`, `{earliest}` …).
pub(crate) fn problem_text(m: &Messages, err: &AppError) -> String {
    err.args
        .iter()
        .fold(m.problem(err).to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// One application as the dashboard and the console show it.
pub(crate) struct RepairShown {
    /// Application id.
    pub id: i64,
    /// `pending`, `approved` or `rejected`.
    pub state_key: &'static str,
    /// Its state in words.
    pub state: String,
    /// Pending past its decision day.
    pub overdue: bool,
    /// When it was submitted.
    pub submitted: String,
    /// The last day for the decision.
    pub due: String,
    /// What the venue put right.
    pub rectification: String,
    /// Whether the commitment was given, in words.
    pub commitment: String,
    /// Whether the commitment was given.
    pub commitment_given: bool,
    /// The training record in a line.
    pub training: String,
    /// When and how it was decided.
    pub decided: Option<String>,
    /// The decision's reason.
    pub reason: Option<String>,
    /// Evidence: where each file is served, and its name.
    pub evidence: Vec<(String, String)>,
}

/// An application's state in words.
pub(crate) fn state_text(t: &CreditRepairTexts, state: RepairState) -> &str {
    match state {
        RepairState::Pending => &t.state_pending,
        RepairState::Approved => &t.state_approved,
        RepairState::Rejected => &t.state_rejected,
    }
}

/// An application in words.
pub(crate) fn repair_shown(t: &CreditRepairTexts, a: &RepairApplicationBody) -> RepairShown {
    let state = state_text(t, a.state).to_owned();
    RepairShown {
        id: a.id,
        state_key: a.state.key(),
        overdue: a.overdue,
        submitted: local_time(a.submitted_at),
        due: a.decision_due_on.to_string(),
        rectification: a.rectification.clone(),
        commitment: if a.commitment_given {
            t.commitment_given.clone()
        } else {
            t.commitment_not_given.clone()
        },
        commitment_given: a.commitment_given,
        training: t
            .training_line
            .replace("{course}", &a.training.course)
            .replace("{provider}", &a.training.provider)
            .replace("{date}", &a.training.trained_on.to_string())
            .replace("{hours}", &a.training.hours.to_string()),
        decided: a.decided_at.map(|at| {
            t.decided_line
                .replace("{state}", &state)
                .replace("{at}", &local_time(at))
        }),
        reason: a.decision_reason.clone(),
        evidence: a
            .evidence
            .iter()
            .map(|e| {
                (
                    format!("/dashboard/repair-applications/{}/evidence/{}", a.id, e.id),
                    e.file_name.clone(),
                )
            })
            .collect(),
        state,
    }
}

/// What the form holds: the fields as typed and the messages beside them.
#[derive(Debug, Clone, Default)]
pub(super) struct RepairDraft {
    pub rectification: String,
    pub commitment: bool,
    pub training_course: String,
    pub training_provider: String,
    pub trained_on: String,
    pub training_hours: String,
    /// Messages by field (`rectification`, `evidence`, `commitment`,
    /// `training_course`, `training_provider`, `trained_on`, `training_hours`).
    pub errors: Vec<(String, String)>,
    /// A message of no one field.
    pub general: Option<String>,
}

impl RepairDraft {
    /// The message beside `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, e)| e.as_str())
    }
}

/// The repair part under one listed entry.
pub(super) struct EntryRepair {
    pub entry_id: i64,
    /// Where the form posts.
    pub action: String,
    /// Whether the venue's staff may apply now (in force, none pending).
    pub can_apply: bool,
    /// Whether the entry's basis excludes repair by commitment.
    pub excluded: bool,
    /// The entry's applications, newest first.
    pub applications: Vec<RepairShown>,
    /// What the form holds.
    pub draft: RepairDraft,
}

/// Credit repair under the dashboard's listed entries.
pub(super) struct RepairPanel {
    pub t: &'static CreditRepairTexts,
    pub entries: Vec<EntryRepair>,
    pub csrf_token: String,
    pub intro: String,
    pub rectification_max: usize,
    pub rectification_hint: String,
    pub evidence_hint: String,
}

impl RepairPanel {
    /// The repair part of entry `id`, if it has one.
    pub fn of(&self, id: &i64) -> Option<&EntryRepair> {
        self.entries.iter().find(|e| e.entry_id == *id)
    }
}

/// The panel of venue `id`, with a refused application (in `draft`) as typed.
pub(super) async fn panel(
    signed_in: &SignedIn,
    state: &AppState,
    id: VenueId,
    draft: &Draft,
) -> Result<RepairPanel, PageError> {
    let m = signed_in.messages();
    let t = &m.credit_repair;
    let fail = |e| signed_in.fail(e);
    let entries = lists::for_venue(state, &signed_in.caller, id)
        .await
        .map_err(fail)?;
    let applications = repairs::for_venue(state, &signed_in.caller, id)
        .await
        .map_err(fail)?;
    let staff = signed_in.role() == Role::VenueStaff;
    let mut shown = Vec::new();
    for entry in &entries.items {
        let mine: Vec<&RepairApplicationBody> = applications
            .iter()
            .filter(|a| a.list_entry_id == entry.id)
            .collect();
        let listed = entry.state == EntryState::Listed;
        if !listed || (!entry.in_force && mine.is_empty()) {
            continue;
        }
        let pending = mine.iter().any(|a| a.state == RepairState::Pending);
        let draft = match draft {
            Draft::Repair { entry_id, draft } if *entry_id == entry.id => draft.clone(),
            _ => RepairDraft::default(),
        };
        shown.push(EntryRepair {
            entry_id: entry.id,
            action: href(
                &format!("/dashboard/venues/{id}/list-entries/{}/repair", entry.id),
                &[],
                Some(signed_in.lang),
            ),
            can_apply: staff && entry.in_force && !pending,
            excluded: entry.commitment_excluded,
            applications: mine.into_iter().map(|a| repair_shown(t, a)).collect(),
            draft,
        });
    }
    Ok(RepairPanel {
        t,
        entries: shown,
        csrf_token: signed_in.session.csrf_token.clone(),
        intro: t.dashboard_intro.replace(
            "{days}",
            &state.settings.repair_decision_working_days.to_string(),
        ),
        rectification_max: RECTIFICATION_MAX_CHARS,
        rectification_hint: t
            .rectification_hint
            .replace("{max}", &RECTIFICATION_MAX_CHARS.to_string()),
        evidence_hint: t
            .evidence_hint
            .replace("{max}", &EVIDENCE_MAX_FILES.to_string())
            .replace(
                "{megabytes}",
                &(EVIDENCE_MAX_BYTES / (1024 * 1024)).to_string(),
            ),
    })
}

/// The form as typed, for showing it again.
fn draft_of(form: &PostedRepair) -> RepairDraft {
    RepairDraft {
        rectification: form.field("rectification").to_owned(),
        commitment: form.commitment(),
        training_course: form.field("training_course").to_owned(),
        training_provider: form.field("training_provider").to_owned(),
        trained_on: form.field("trained_on").to_owned(),
        training_hours: form.field("training_hours").to_owned(),
        ..RepairDraft::default()
    }
}

/// Puts a refusal beside its field, or above the form.
fn place(draft: &mut RepairDraft, m: &Messages, err: &AppError) {
    let text = problem_text(m, err);
    match err.arg("field") {
        Some(field) if draft.error(field).is_none() => draft.errors.push((field.to_owned(), text)),
        Some(_) => {}
        None => draft.general = Some(text),
    }
}

/// `POST /dashboard/venues/{id}/list-entries/{entry_id}/repair`: the
/// venue's application for credit repair of an entry in force
/// (`multipart/form-data`, the session's form token among its fields).
pub async fn apply(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let m = signed_in.messages();
    let form = match read_form(&req, payload).await {
        Ok(form) => form,
        Err(ReadError::TooLarge) => {
            return Err(PageError::new(
                signed_in.lang,
                PageProblem::Invalid(m.errors.too_large_body.clone()),
            ));
        }
        // Unreadable: a form without its token.
        Err(_) => PostedRepair::default(),
    };
    signed_in.check_form_token(form.fields.get("csrf_token").map(String::as_str))?;
    let (venue_raw, entry_raw) = path.into_inner();
    let fail = |e| signed_in.fail(e);
    let venue_id: VenueId = parse_id(&venue_raw).map_err(fail)?;
    let entry_id = parse_list_entry_id(&entry_raw).map_err(fail)?;
    venue_in_scope(&state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(fail)?;
    let entry = lists::get(&state, &signed_in.caller, entry_id)
        .await
        .map_err(fail)?;
    // An entry of another venue is not this address's.
    if entry.venue_id != venue_id {
        return Err(PageError::new(signed_in.lang, PageProblem::NotFound));
    }
    let mut draft = draft_of(&form);
    // Every fault of the fields and files at once, each beside its field.
    if let Err(faults) = repairs::check(form.input(), form.files.clone(), state.clock.today()) {
        for err in &faults {
            place(&mut draft, m, err);
        }
        let filter = (CommentFilter::default(), FIRST_COMMENTS);
        return refused_page(
            &signed_in,
            &state,
            venue_id,
            filter,
            Draft::Repair { entry_id, draft },
        )
        .await;
    }
    let files = form.files.clone();
    match repairs::apply(&state, &signed_in.caller, entry_id, form.input(), files).await {
        Ok(_) => {
            let pairs = [("notice", Notice::RepairApplied.key().to_owned())];
            Ok(see_other(&venue_href(
                venue_id,
                signed_in.lang,
                &pairs,
                &format!("repair-{entry_id}"),
            )))
        }
        Err(err) if matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict) => {
            place(&mut draft, m, &err);
            let filter = (CommentFilter::default(), FIRST_COMMENTS);
            refused_page(
                &signed_in,
                &state,
                venue_id,
                filter,
                Draft::Repair { entry_id, draft },
            )
            .await
        }
        Err(err) => Err(signed_in.fail(err)),
    }
}

/// `GET /dashboard/repair-applications/{id}/evidence/{file_id}`: one
/// evidence file, to the venue's staff and the regulators over the venue
/// (404 to anyone else), as an attachment of its checked type.
pub async fn evidence(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, file) = path.into_inner();
    let fail = |e| signed_in.fail(e);
    let id = parse_repair_id(&id).map_err(fail)?;
    let file_id = parse_evidence_id(&file).map_err(fail)?;
    let file = repairs::evidence(&state, &signed_in.caller, id, file_id)
        .await
        .map_err(fail)?;
    Ok(evidence_response(file))
}
