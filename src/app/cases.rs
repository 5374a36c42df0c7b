//! Complaint cases (旅游投诉), shared by the JSON API, the console, the venue
//! dashboard and the visitor's tracking page: the queue, one case with its
//! timeline, the steps of the state machine in `domain::complaint`, the
//! visitor's rating of the handling, and revealing a contact. Cases entered
//! from a telephone or 12345 call are `app::case_entry`'s.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::paging::{PageSize, Paging};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::Role;
use crate::domain::audit::AuditAction;
use crate::domain::complaint::{
    CaseActor, CaseError, CaseState, CaseStep, CaseStepInput, mask_contact,
};
use crate::domain::ids::VenueId;
use crate::domain::region::RegionTree;
use crate::domain::venue::RegionCode;
use crate::store::ScopeFilter;
use crate::store::cases::{self, CaseEvent, CaseFilter, CaseRecord, StepError, StepRecord};

/// How many cases a queue page holds.
pub const QUEUE_PAGE: PageSize = PageSize::up_to(50, 200);

/// A case is "due soon" when its due date falls within this many hours.
pub const DUE_SOON_HOURS: i64 = 48;

/// The queue's query: `?region=&venue_id=&state=&overdue=true&due_soon=true&category=&page=&per_page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases handled in this region's subtree (six digits).
    pub region: Option<String>,
    /// Only cases about this venue.
    pub venue_id: Option<String>,
    /// Only cases in this state.
    pub state: Option<String>,
    /// `true`: only open cases past their due date.
    pub overdue: Option<String>,
    /// `true`: only open cases due within 48 hours.
    pub due_soon: Option<String>,
    /// Only cases about venues of this category.
    pub category: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Cases on a page, 1–200 (50).
    pub per_page: Option<String>,
}

impl CaseQuery {
    /// Reads a query string; an unknown or repeated parameter is refused.
    pub fn parse(query: &str) -> Result<Self, AppError> {
        serde_html_form::from_str(query)
            .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))
    }
}

/// A case in the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseSummary {
    /// Case id.
    pub id: i64,
    /// The visitor's tracking code.
    pub tracking_code: String,
    /// Venue complained about.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its category key.
    pub category: String,
    /// The region handling the case.
    pub region_code: RegionCode,
    /// Where it stands.
    pub state: CaseState,
    /// `visitor`, `phone` or `hotline_12345`.
    pub source: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When its current step is due; null once closed.
    pub due_at: Option<DateTime<Utc>>,
    /// Open and past its due date.
    pub overdue: bool,
}

/// A page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseList {
    /// Cases, by due date.
    pub items: Vec<CaseSummary>,
    /// This page, from 1.
    pub page: i64,
    /// Cases matching, on every page.
    pub total: i64,
}

/// One step of the timeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseEventBody {
    /// When.
    pub at: DateTime<Utc>,
    /// The state entered.
    pub state: CaseState,
    /// The state left; null for the filing.
    pub from_state: Option<CaseState>,
    /// Who: `visitor`, `phone`, `hotline_12345` for the filing, else the account or token.
    pub actor: String,
    /// Reason, the venue's answer, or a note.
    pub note: Option<String>,
    /// The receiving region of a transfer.
    pub region_code: Option<String>,
}

/// One case with its timeline, as a regulator or the venue's staff sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseDetail {
    /// The case, as listed.
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// What the visitor wrote.
    pub description: String,
    /// The local day of the service complained about.
    pub service_on: NaiveDate,
    /// The contact, masked; only for regulators and admins, null for the
    /// venue, after erasure, or when none was given.
    pub contact_masked: Option<String>,
    /// Whether the contact was erased after closure.
    pub contact_erased: bool,
    /// When it was accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The answer the visitor reads.
    pub public_answer: Option<String>,
    /// The verdict: whether the complaint was upheld.
    pub upheld: Option<bool>,
    /// The verdict: whether the venue was at fault (a verified complaint, read by the tier).
    pub venue_at_fault: Option<bool>,
    /// The visitor's stars (1–5) for the handling, once closed.
    pub handling_stars: Option<i16>,
    /// The visitor's words on the handling.
    pub handling_comment: Option<String>,
    /// Every step, the filing first.
    pub events: Vec<CaseEventBody>,
    /// The states this caller may move the case to now.
    pub next_states: Vec<CaseState>,
}

/// Body of `POST /api/v1/complaints/{id}/transitions`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// `accepted`, `rejected`, `transferred`, `venue_replied`, `mediating`, `resolved` or `closed_unresolved`.
    pub to: String,
    /// Why: required to reject or transfer.
    pub reason: Option<String>,
    /// The venue's answer (required for `venue_replied`), or a note for the timeline.
    pub note: Option<String>,
    /// The answer shown to the visitor on the tracking page.
    pub public_answer: Option<String>,
    /// The receiving region of a transfer (six digits).
    pub region_code: Option<String>,
    /// The verdict: the complaint is justified. Give it with `venue_at_fault`.
    pub upheld: Option<bool>,
    /// The verdict: the venue is at fault; a verified complaint counts in its credit tier.
    pub venue_at_fault: Option<bool>,
}

impl From<CaseError> for AppError {
    fn from(err: CaseError) -> Self {
        let slug = match err {
            CaseError::UnknownState => Slug::UnknownCaseState,
            CaseError::NotAllowed => Slug::TransitionNotAllowed,
            CaseError::NotYours => return AppError::forbidden(err.to_string()),
            CaseError::ReasonRequired => Slug::ReasonRequired,
            CaseError::AnswerRequired => Slug::TextRequired,
            CaseError::RegionRequired => Slug::InvalidRegionCode,
            CaseError::TooLong => Slug::TextTooLong,
            CaseError::ControlCharacter => Slug::ControlCharacter,
            CaseError::BadVerdict => Slug::InvalidVerdict,
        };
        AppError::new(slug, err.to_string())
    }
}

fn summary(case: &CaseRecord, now: DateTime<Utc>) -> CaseSummary {
    CaseSummary {
        id: case.id,
        tracking_code: case.tracking_code.clone(),
        venue_id: case.venue_id,
        venue_name: case.venue_name.clone(),
        category: case.category.clone(),
        region_code: case.region_code.clone(),
        state: case.state,
        source: case.source.clone(),
        received_at: case.received_at,
        due_at: case.due_at,
        overdue: is_overdue(case, now),
    }
}

fn is_overdue(case: &CaseRecord, now: DateTime<Utc>) -> bool {
    case.closed_at.is_none() && case.due_at.is_some_and(|due| due < now)
}

/// The queue in the caller's scope, by due date.
pub async fn list(
    services: &Services,
    caller: &Caller,
    query: &CaseQuery,
) -> Result<CaseList, AppError> {
    let tree = services.reference.regions().await?;
    let scope = ScopeFilter::of(&caller.principal.scope, &tree);
    let paging = Paging::parse(
        query.page.as_deref(),
        query.per_page.as_deref(),
        QUEUE_PAGE,
        Slug::InvalidQuery,
    )?;
    let now = services.clock.now();
    let flag = |name: &str, raw: &Option<String>| -> Result<bool, AppError> {
        match raw.as_deref().map(str::trim) {
            None | Some("") | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(AppError::new(
                Slug::InvalidQuery,
                format!("{name} must be true or false, not {other:?}"),
            )),
        }
    };
    let region_codes = match query
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(raw) => {
            let code = RegionCode::parse(raw)
                .map_err(|e| AppError::new(Slug::InvalidRegionCode, e.to_string()))?;
            if tree.get(&code).is_none() {
                return Err(AppError::not_found(Slug::RegionNotFound));
            }
            Some(tree.subtree(&code))
        }
    };
    let venue_id = match query
        .venue_id
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(raw) => Some(VenueId::new(raw.parse::<i64>().map_err(|_| {
            AppError::new(Slug::InvalidQuery, "venue_id must be a whole number")
        })?)),
    };
    let state = match query
        .state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(raw) => Some(CaseState::parse(raw).ok_or_else(|| {
            AppError::new(
                Slug::UnknownCaseState,
                format!("state must be one of {}", state_keys()),
            )
        })?),
    };
    let filter = CaseFilter {
        state,
        overdue: flag("overdue", &query.overdue)?,
        due_before: flag("due_soon", &query.due_soon)?
            .then(|| now + Duration::hours(DUE_SOON_HOURS)),
        region_codes,
        venue_id,
        category: query
            .category
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned),
    };
    let (rows, total) = cases::list(
        &services.pool,
        &scope,
        &filter,
        now,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(CaseList {
        items: rows.iter().map(|c| summary(c, now)).collect(),
        page: paging.page,
        total,
    })
}

fn state_keys() -> String {
    CaseState::ALL.map(CaseState::key).join(", ")
}

/// Overdue and due-soon open cases in the caller's scope, for the console overview.
pub async fn clock_counts(
    services: &Services,
    scope: &ScopeFilter,
) -> Result<(i64, i64), AppError> {
    let now = services.clock.now();
    Ok(cases::overdue_and_due_soon(
        &services.pool,
        scope,
        now,
        now + Duration::hours(DUE_SOON_HOURS),
    )
    .await?)
}

/// Who the caller is for a case's steps.
fn actor_of(caller: &Caller) -> CaseActor {
    match caller.principal.role {
        Role::Admin | Role::Regulator => CaseActor::Supervisor,
        Role::VenueStaff => CaseActor::Venue,
    }
}

/// Whether the caller handles the case: an admin, a regulator whose region
/// holds the handling region, or (for the venue's answer) the venue's staff.
fn handles(caller: &Caller, case: &CaseRecord, tree: &RegionTree) -> bool {
    if caller.principal.role == Role::VenueStaff {
        return true;
    }
    let scope = ScopeFilter::of(&caller.principal.scope, tree);
    scope.all
        || scope
            .region_codes
            .iter()
            .any(|c| c.as_str() == &*case.region_code)
}

async fn case_in_scope(
    services: &Services,
    caller: &Caller,
    id: i64,
) -> Result<CaseRecord, AppError> {
    let tree = services.reference.regions().await?;
    let scope = ScopeFilter::of(&caller.principal.scope, &tree);
    cases::get(&services.pool, id, &scope)
        .await?
        .ok_or_else(|| AppError::not_found(Slug::ComplaintNotFound))
}

fn event_body(e: CaseEvent) -> CaseEventBody {
    CaseEventBody {
        at: e.at,
        state: e.to_state,
        from_state: e.from_state,
        actor: e.actor,
        note: e.note,
        region_code: e.region_code,
    }
}

/// The filing as the first step of the timeline.
fn filing(case: &CaseRecord) -> CaseEventBody {
    CaseEventBody {
        at: case.received_at,
        state: CaseState::Submitted,
        from_state: None,
        actor: case.source.clone(),
        note: None,
        region_code: None,
    }
}

/// One case in scope with its timeline; the contact masked, and only for
/// regulators and admins.
pub async fn detail(services: &Services, caller: &Caller, id: i64) -> Result<CaseDetail, AppError> {
    let case = case_in_scope(services, caller, id).await?;
    render_detail(services, caller, case).await
}

async fn render_detail(
    services: &Services,
    caller: &Caller,
    case: CaseRecord,
) -> Result<CaseDetail, AppError> {
    let tree = services.reference.regions().await?;
    let now = services.clock.now();
    let mut events = vec![filing(&case)];
    events.extend(
        cases::events(&services.pool, case.venue_id, case.id)
            .await?
            .into_iter()
            .map(event_body),
    );
    let actor = actor_of(caller);
    let next_states = if handles(caller, &case, &tree) {
        case.state
            .next()
            .iter()
            .copied()
            .filter(|to| actor.may_move_to(*to))
            .collect()
    } else {
        Vec::new()
    };
    let contact_masked = match actor {
        CaseActor::Venue => None,
        CaseActor::Supervisor => case
            .sealed_contact()
            .and_then(|sealed| services.secrets.open_contact(&sealed))
            .map(|contact| mask_contact(&contact)),
    };
    Ok(CaseDetail {
        summary: summary(&case, now),
        description: case.description,
        service_on: case.service_on,
        contact_masked,
        contact_erased: case.contact_erased_at.is_some(),
        accepted_at: case.accepted_at,
        closed_at: case.closed_at,
        public_answer: case.public_answer,
        upheld: case.upheld,
        venue_at_fault: case.venue_at_fault,
        handling_stars: case.handling_stars,
        handling_comment: case.handling_comment,
        events,
        next_states,
    })
}

/// Moves a case one step: checked against the state machine (409 when it
/// does not allow it, or when another step came first), against who may take
/// it, and, for a transfer, against the region tree. The case's next due date
/// is set from the handling region's clocks.
pub async fn step(
    services: &Services,
    caller: &Caller,
    id: i64,
    request: &TransitionRequest,
) -> Result<CaseDetail, AppError> {
    let case = case_in_scope(services, caller, id).await?;
    let tree = services.reference.regions().await?;
    let actor = actor_of(caller);
    let input = CaseStepInput {
        to: &request.to,
        reason: request.reason.as_deref(),
        note: request.note.as_deref(),
        public_answer: request.public_answer.as_deref(),
        region_code: request.region_code.as_deref(),
        upheld: request.upheld,
        venue_at_fault: request.venue_at_fault,
    };
    let step = CaseStep::parse(&input, case.state, actor)?;
    if !handles(caller, &case, &tree) {
        return Err(AppError::forbidden(
            "the case is handled by a region outside your scope",
        ));
    }
    let mut handling_region = case.region_code.to_string();
    if let Some(code) = &step.region_code {
        let code = RegionCode::parse(code)
            .map_err(|e| AppError::new(Slug::InvalidRegionCode, e.to_string()))?;
        if tree.get(&code).is_none() {
            return Err(AppError::new(
                Slug::UnknownRegion,
                format!("no region {}", &*code),
            ));
        }
        if *code == *case.region_code {
            return Err(AppError::new(
                Slug::SameRegion,
                "a case is transferred to another region than the one handling it",
            ));
        }
        handling_region = code.to_string();
    }
    let now = services.clock.now();
    let lineage = tree.lineage(&handling_region);
    let accepted_at = if step.to == CaseState::Accepted {
        Some(now)
    } else {
        case.accepted_at
    };
    let due_at = services
        .case_rules
        .due_at(&lineage, step.to, now, accepted_at)
        .await?;
    let record = StepRecord {
        step: &step,
        from: case.state,
        at: now,
        due_at,
    };
    match cases::record_step(
        &services.pool,
        &case,
        &record,
        caller.audit(AuditAction::COMPLAINT_STEP),
    )
    .await
    {
        Ok(()) => {}
        Err(StepError::Moved) => {
            return Err(AppError::new(
                Slug::TransitionNotAllowed,
                "the case moved on meanwhile; reload it",
            ));
        }
        Err(StepError::Store(err)) => return Err(err.into()),
    }
    // After a transfer out of the caller's scope the case is no longer
    // theirs to read: answer what was stored, from the case as it was.
    let scope_all = ScopeFilter::everything();
    let moved = cases::get(&services.pool, id, &scope_all)
        .await?
        .ok_or_else(|| AppError::not_found(Slug::ComplaintNotFound))?;
    render_detail(services, caller, moved).await
}

/// Reveals a case's contact to a regulator handling it, with an audit row
/// naming who and when.
pub async fn reveal_contact(
    services: &Services,
    caller: &Caller,
    id: i64,
) -> Result<Option<String>, AppError> {
    let case = case_in_scope(services, caller, id).await?;
    let tree = services.reference.regions().await?;
    if actor_of(caller) != CaseActor::Supervisor || !handles(caller, &case, &tree) {
        return Err(AppError::forbidden(
            "only a regulator handling the case may see its contact",
        ));
    }
    let contact = case
        .sealed_contact()
        .and_then(|sealed| services.secrets.open_contact(&sealed));
    let mut audit = caller.audit(AuditAction::COMPLAINT_CONTACT_REVEAL);
    audit.target = format!("complaint:{}", case.id);
    audit.region_code = Some(case.region_code.to_string());
    audit.venue_id = Some(case.venue_id);
    crate::store::audit::record_alone(&services.pool, &audit).await?;
    Ok(contact)
}

/// What the visitor's tracking page shows: never the contact, never who
/// handled the case.
#[derive(Debug, Clone)]
pub struct PublicCase {
    /// The tracking code.
    pub tracking_code: String,
    /// The venue's id and name.
    pub venue_id: VenueId,
    /// The venue's name.
    pub venue_name: String,
    /// Where it stands.
    pub state: CaseState,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When its current step is due.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The regulator's answer to the visitor.
    pub public_answer: Option<String>,
    /// The states it passed through, with their times.
    pub steps: Vec<(DateTime<Utc>, CaseState)>,
    /// The visitor's stars for the handling, once given.
    pub handling_stars: Option<i16>,
}

impl PublicCase {
    /// Whether the visitor may rate the handling now.
    pub fn may_rate_handling(&self) -> bool {
        self.state.is_closed() && self.handling_stars.is_none()
    }
}

/// The case behind a tracking code, for its visitor.
pub async fn public_case(services: &Services, code: &str) -> Result<PublicCase, AppError> {
    let code = code.trim();
    let plausible = !code.is_empty()
        && code.len() <= 40
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let case = if plausible {
        cases::by_tracking_code(&services.pool, code).await?
    } else {
        None
    };
    let case = case.ok_or_else(|| AppError::not_found(Slug::ComplaintNotFound))?;
    let mut steps = vec![(case.received_at, CaseState::Submitted)];
    steps.extend(
        cases::events(&services.pool, case.venue_id, case.id)
            .await?
            .into_iter()
            .map(|e| (e.at, e.to_state)),
    );
    Ok(PublicCase {
        tracking_code: case.tracking_code,
        venue_id: case.venue_id,
        venue_name: case.venue_name,
        state: case.state,
        received_at: case.received_at,
        due_at: case.due_at,
        closed_at: case.closed_at,
        public_answer: case.public_answer,
        steps,
        handling_stars: case.handling_stars,
    })
}

/// The visitor rates the handling of a closed case, once (追评).
pub async fn rate_handling(
    services: &Services,
    code: &str,
    stars: i16,
    comment: Option<&str>,
) -> Result<(), AppError> {
    let case = cases::by_tracking_code(&services.pool, code.trim())
        .await?
        .ok_or_else(|| AppError::not_found(Slug::ComplaintNotFound))?;
    let comment = crate::domain::complaint::case_text(comment)?;
    if comment.as_deref().is_some_and(|c| c.chars().count() > 500) {
        return Err(AppError::new(Slug::TextTooLong, "at most 500 characters"));
    }
    let rated = cases::rate_handling(
        &services.pool,
        &case,
        stars,
        comment.as_deref(),
        services.clock.now(),
    )
    .await?;
    if rated {
        Ok(())
    } else {
        Err(AppError::new(
            Slug::HandlingNotRateable,
            "the handling can be rated once, after the case is closed",
        ))
    }
}

/// Erases the contacts of cases closed longer ago than their handling
/// region keeps them (`contact_retention_days`, 180 by default), as of
/// `now`; how many were erased.
pub async fn erase_expired_contacts(
    pool: &sqlx::PgPool,
    rules: &crate::app::case_rules::CaseRules,
    tree: &RegionTree,
    now: DateTime<Utc>,
) -> Result<u64, crate::store::StoreError> {
    // No region keeps contacts for less than a day.
    let candidates = cases::closed_with_contact(pool, now - Duration::days(1)).await?;
    let mut due = Vec::new();
    for (venue_id, id, region_code, closed_at) in candidates {
        let lineage = tree.lineage(&region_code);
        let clocks = rules.clocks(&lineage).await?;
        if closed_at + Duration::days(i64::from(clocks.contact_retention_days)) <= now {
            due.push((venue_id, id));
        }
    }
    cases::erase_contacts(pool, &due, now).await
}

/// What [`rotate_contacts`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContactRotation {
    /// The key version contacts are now sealed with.
    pub version: i16,
    /// Contacts re-sealed under it.
    pub resealed: u64,
    /// Contacts whose key version is not configured (or that do not open
    /// with it): left as they are, to be re-sealed once the key is back.
    pub unreadable: u64,
}

/// Re-seals every stored contact under the current contact key, a page at
/// a time, so that older keys can be retired from `CONTACT_KEYS`. A contact
/// erased or re-sealed meanwhile is left alone; running it again is
/// harmless.
pub async fn rotate_contacts(
    pool: &sqlx::PgPool,
    secrets: &crate::domain::secrets::Secrets,
) -> Result<ContactRotation, crate::store::StoreError> {
    const PAGE: i64 = 500;
    let version = secrets.current_contact_key_version();
    let mut report = ContactRotation {
        version,
        ..ContactRotation::default()
    };
    let mut after = (VenueId::new(0), 0);
    loop {
        let page = cases::contacts_not_under(pool, version, after, PAGE).await?;
        let Some((venue_id, id, _)) = page.last() else {
            return Ok(report);
        };
        after = (*venue_id, *id);
        for (venue_id, id, sealed) in page {
            let Some(contact) = secrets.open_contact(&sealed) else {
                report.unreadable += 1;
                continue;
            };
            let resealed = secrets.seal_contact(&contact);
            if cases::reseal_contact(pool, venue_id, id, &sealed, &resealed).await? {
                report.resealed += 1;
            }
        }
    }
}

/// The names of the accounts and tokens that took a case's steps, for pages.
pub async fn actor_names(
    services: &Services,
    case: &CaseDetail,
) -> Result<crate::store::audit::AuditNames, AppError> {
    use crate::domain::audit::Subject;
    let (mut accounts, mut tokens) = (Vec::new(), Vec::new());
    for event in &case.events {
        match Subject::parse(&event.actor) {
            Subject::Account(id) => accounts.push(id),
            Subject::Token(id) => tokens.push(id),
            _ => {}
        }
    }
    Ok(crate::store::audit::names(&services.pool, &accounts, &tokens, &[]).await?)
}
