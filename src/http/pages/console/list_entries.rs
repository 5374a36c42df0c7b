//! The credit lists on the console's venue page (文化和旅游市场信用管理规定;
//! the prefecture's division of labour, clause 21): the venue's entries on
//! the 严重失信主体名单 and the 重点关注名单 with the venue's statement
//! (陈述申辩) beside each, the form that proposes an entry, and on each
//! pending entry the form that decides it once the venue has answered or
//! its period has ended.
//!
//! Both forms call the JSON routes' use-cases (`app::list_entries`), which
//! check the scope, the order of the steps, and write the audit row in the
//! change's transaction. A refusal shows the venue page again (422) with
//! what was typed and each message beside its field; nothing is stored.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::{Months, NaiveDate};
use serde::Deserialize;

use crate::app::Kind;
use crate::app::list_entries as lists;
use crate::app::path_ids::{parse_id, parse_list_entry_id};
use crate::app::supervision::{parse_paging, venue_in_scope};
use crate::domain::ids::VenueId;
use crate::domain::list_entry::{
    self, BASIS_MAX_CHARS, CreditList, DECISION_NO_MAX_CHARS, Decision, ListEntryError,
    NewListEntry, ProposalInput, REASON_MAX_CHARS,
};
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::html::href;
use crate::http::pages::console::tier_override::TierOverrideDraft;
use crate::http::pages::console::venue::{ViolationDraft, venue_document_with};
use crate::http::pages::dashboard::list_entries::{EntryShown, entry_shown};
use crate::http::pages::notice::Notice;
use crate::i18n::CreditListTexts;
use crate::store::console::RatingFilter;

/// The anchor of the section on the venue page.
const SECTION: &str = "credit-lists-panel";

/// The propose form's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(in crate::http::pages::console) struct ProposalFields {
    /// `serious` or `watch`.
    pub list: String,
    pub reason: String,
    pub legal_basis: String,
    pub decision_no: String,
    pub starts_on: String,
    pub ends_on: String,
    /// The box "the basis excludes repair by commitment": `on` when ticked.
    pub commitment_excluded: String,
}

impl ProposalFields {
    fn input(&self) -> ProposalInput<'_> {
        ProposalInput {
            list: &self.list,
            reason: &self.reason,
            legal_basis: &self.legal_basis,
            decision_no: Some(self.decision_no.as_str()),
            starts_on: &self.starts_on,
            ends_on: &self.ends_on,
            commitment_excluded: !self.commitment_excluded.trim().is_empty(),
        }
    }

    /// The form as first shown: the watch list's longest term from today
    /// is one year, so that is the default term.
    fn first(today: NaiveDate) -> Self {
        Self {
            starts_on: today.to_string(),
            ends_on: today
                .checked_add_months(Months::new(12))
                .unwrap_or(today)
                .to_string(),
            ..Self::default()
        }
    }
}

/// The messages beside the propose form's fields.
#[derive(Debug, Default)]
pub(in crate::http::pages::console) struct ProposalErrors {
    pub list: Option<String>,
    pub reason: Option<String>,
    pub legal_basis: Option<String>,
    pub decision_no: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// A refusal of no one field (the use-case's).
    pub general: Option<String>,
}

impl ProposalErrors {
    /// Each fault beside its field, the first of a field shown there.
    fn of(t: &CreditListTexts, faults: &[ListEntryError]) -> Self {
        let mut errors = Self::default();
        for fault in faults {
            let slot = match fault {
                ListEntryError::UnknownList => &mut errors.list,
                ListEntryError::Required(field)
                | ListEntryError::TooLong(field, _)
                | ListEntryError::ControlCharacter(field)
                | ListEntryError::BadDate(field) => match *field {
                    "reason" => &mut errors.reason,
                    "legal_basis" => &mut errors.legal_basis,
                    "decision_no" => &mut errors.decision_no,
                    "starts_on" => &mut errors.starts_on,
                    "ends_on" => &mut errors.ends_on,
                    _ => &mut errors.general,
                },
                ListEntryError::StartsInPast => &mut errors.starts_on,
                ListEntryError::EndsBeforeStart | ListEntryError::TermTooLong(_) => {
                    &mut errors.ends_on
                }
                ListEntryError::UnknownDecision => &mut errors.general,
            };
            slot.get_or_insert_with(|| t.error(fault));
        }
        errors
    }
}

/// A refused form of the section, shown again as typed.
#[derive(Debug, Default)]
pub(in crate::http::pages::console) enum ListDraft {
    /// Nothing refused.
    #[default]
    None,
    /// The propose form, as typed and with why (boxed: the largest by far).
    Proposal(Box<(ProposalFields, ProposalErrors)>),
    /// The decide form of one entry.
    Decision {
        entry_id: i64,
        decision: String,
        reason: String,
        error: String,
    },
}

/// One of the lists to choose from.
pub(in crate::http::pages::console) struct ListChoice {
    pub key: &'static str,
    pub label: String,
    pub checked: bool,
}

/// The propose form.
pub(in crate::http::pages::console) struct ProposeForm {
    pub action: String,
    pub csrf_token: String,
    pub lists: Vec<ListChoice>,
    pub fields: ProposalFields,
    pub errors: ProposalErrors,
    /// Whether the form was refused (its banner).
    pub refused: bool,
    pub today: String,
    pub reason_max: usize,
    pub basis_max: usize,
    pub decision_no_max: usize,
}

/// The decide form of a pending entry.
pub(in crate::http::pages::console) struct DecideForm {
    pub action: String,
    pub csrf_token: String,
    pub decision: String,
    pub reason: String,
    pub error: Option<String>,
    pub reason_max: usize,
}

/// One entry on the console.
pub(in crate::http::pages::console) struct ConsoleEntry {
    pub entry: EntryShown,
    /// While the venue may still answer: until when, in words.
    pub may_answer: Option<String>,
    /// The decide form, once the entry may be decided.
    pub decide: Option<DecideForm>,
}

/// The section of the console's venue page.
pub(in crate::http::pages::console) struct CreditListSection {
    pub t: &'static CreditListTexts,
    pub entries: Vec<ConsoleEntry>,
    pub propose: ProposeForm,
    /// Why a decision was refused when its entry is no longer pending.
    pub error: Option<String>,
}

/// The section for `venue_id` (in the caller's scope), with a refused form
/// of it (in `draft`) as it was posted.
pub(in crate::http::pages::console) async fn section(
    signed_in: &SignedIn,
    state: &AppState,
    venue_id: VenueId,
    draft: ListDraft,
) -> Result<CreditListSection, PageError> {
    let t = &signed_in.messages().credit_lists;
    let today = state.clock.today();
    let list = lists::for_venue(state, &signed_in.caller, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let csrf_token = signed_in.session.csrf_token.clone();
    let lang = Some(signed_in.lang);
    let mut entries: Vec<ConsoleEntry> = list
        .items
        .iter()
        .map(|body| {
            let entry = entry_shown(t, body, today);
            let pending = entry.state_key == "pending";
            let may_answer = entry
                .open
                .then(|| t.may_answer.replace("{due}", &entry.due));
            let decide = (pending && !entry.open).then(|| DecideForm {
                action: href(
                    &format!(
                        "/console/venues/{venue_id}/list-entries/{}/decision",
                        entry.id
                    ),
                    &[],
                    lang,
                ),
                csrf_token: csrf_token.clone(),
                decision: String::new(),
                reason: String::new(),
                error: None,
                reason_max: REASON_MAX_CHARS,
            });
            ConsoleEntry {
                entry,
                may_answer,
                decide,
            }
        })
        .collect();
    let mut error = None;
    let (fields, errors) = match draft {
        ListDraft::None => (ProposalFields::first(today), ProposalErrors::default()),
        ListDraft::Proposal(proposal) => *proposal,
        ListDraft::Decision {
            entry_id,
            decision,
            reason,
            error: why,
        } => {
            let form = entries
                .iter_mut()
                .find(|e| e.entry.id == entry_id)
                .and_then(|e| e.decide.as_mut());
            match form {
                Some(form) => {
                    form.decision = decision;
                    form.reason = reason;
                    form.error = Some(why);
                }
                None => error = Some(why),
            }
            (ProposalFields::first(today), ProposalErrors::default())
        }
    };
    let refused = errors.list.is_some()
        || errors.reason.is_some()
        || errors.legal_basis.is_some()
        || errors.decision_no.is_some()
        || errors.starts_on.is_some()
        || errors.ends_on.is_some()
        || errors.general.is_some();
    Ok(CreditListSection {
        t,
        entries,
        propose: ProposeForm {
            action: href(
                &format!("/console/venues/{venue_id}/list-entries"),
                &[],
                lang,
            ),
            csrf_token,
            lists: CreditList::ALL
                .into_iter()
                .map(|list| ListChoice {
                    key: list.key(),
                    label: t.list(list).to_owned(),
                    checked: fields.list.trim() == list.key(),
                })
                .collect(),
            fields,
            errors,
            refused,
            today: today.to_string(),
            reason_max: REASON_MAX_CHARS,
            basis_max: BASIS_MAX_CHARS,
            decision_no_max: DECISION_NO_MAX_CHARS,
        },
        error,
    })
}

/// The venue page again after a refused form of the section (422).
async fn refused_page(
    signed_in: &SignedIn,
    state: &AppState,
    venue_id: VenueId,
    draft: ListDraft,
) -> Result<HttpResponse, PageError> {
    let paging = parse_paging("").map_err(|e| signed_in.fail(e))?;
    let body = venue_document_with(
        signed_in,
        state,
        venue_id,
        (&RatingFilter::default(), paging),
        (
            ViolationDraft::default(),
            TierOverrideDraft::default(),
            draft,
        ),
    )
    .await?;
    Ok(signed_in.page_with_status(StatusCode::UNPROCESSABLE_ENTITY, body))
}

/// 303 to the venue page with a notice, at an anchor.
fn back(signed_in: &SignedIn, venue_id: VenueId, notice: Notice, anchor: &str) -> HttpResponse {
    let location = format!(
        "{}#{anchor}",
        href(
            &format!("/console/venues/{venue_id}"),
            &[notice.pair()],
            Some(signed_in.lang)
        )
    );
    signed_in.see_other(&location)
}

/// `POST /console/venues/{id}/list-entries`: proposes an entry for a venue
/// in the caller's scope; a refused one shows the page again as filled in.
pub async fn propose(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let fields: ProposalFields = signed_in.form(&body)?;
    let venue_id: VenueId = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    venue_in_scope(&state, &signed_in.caller.principal, venue_id)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = signed_in.messages();
    let errors = match NewListEntry::parse(fields.input(), state.clock.today()) {
        Err(faults) => ProposalErrors::of(&m.credit_lists, &faults),
        Ok(_) => match lists::propose(&state, &signed_in.caller, venue_id, fields.input()).await {
            Ok(_) => {
                return Ok(back(
                    &signed_in,
                    venue_id,
                    Notice::ListEntryProposed,
                    SECTION,
                ));
            }
            Err(err) if matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict) => {
                ProposalErrors {
                    general: Some(m.problem(&err).to_owned()),
                    ..ProposalErrors::default()
                }
            }
            Err(err) => return Err(signed_in.fail(err)),
        },
    };
    let draft = ListDraft::Proposal(Box::new((fields, errors)));
    refused_page(&signed_in, &state, venue_id, draft).await
}

/// The fields of the decide form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionFields {
    /// `listed` or `dropped`.
    decision: String,
    reason: String,
}

/// `POST /console/venues/{id}/list-entries/{entry_id}/decision`: decides a
/// pending entry of a venue in the caller's scope, once the venue has
/// answered or its period has ended; a refused decision shows the page
/// again with the form as filled in.
pub async fn decide(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let form: DecisionFields = signed_in.form(&body)?;
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
    let m = signed_in.messages();
    let t = &m.credit_lists;
    let refusal = if Decision::parse(&form.decision).is_none() {
        Some(t.error_choose_decision.clone())
    } else if let Err(fault) = list_entry::required_text(&form.reason, "reason", REASON_MAX_CHARS) {
        Some(t.error(&fault))
    } else {
        match lists::decide(
            &state,
            &signed_in.caller,
            entry_id,
            &form.decision,
            &form.reason,
        )
        .await
        {
            Ok(_) => None,
            Err(err) if matches!(err.slug.kind(), Kind::Invalid | Kind::Conflict) => {
                Some(m.problem(&err).to_owned())
            }
            Err(err) => return Err(signed_in.fail(err)),
        }
    };
    match refusal {
        None => Ok(back(
            &signed_in,
            venue_id,
            Notice::ListEntryDecided,
            &format!("list-entry-{entry_id}"),
        )),
        Some(error) => {
            let draft = ListDraft::Decision {
                entry_id,
                decision: form.decision,
                reason: form.reason,
                error,
            };
            refused_page(&signed_in, &state, venue_id, draft).await
        }
    }
}
