//! Credit repair (信用修复; regulators' requirements clause 22, with the
//! credit commitment of clause 19): a venue's staff apply to repair a list
//! entry in force with their rectification, evidence files, a training
//! record and, where the entry allows it, the credit commitment; a
//! regulator over the venue approves or rejects within
//! `REPAIR_DECISION_WORKING_DAYS` working days; an approval ends the entry
//! early and the tier follows on the venue's next refresh. A venue may also
//! ask to be graded again, three calendar months after its last grading.
//! The JSON routes, the dashboard and the console share these.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::paging::{PageSize, Paging};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::access::Role;
use crate::domain::audit::AuditAction;
use crate::domain::credit_repair::{
    self, EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, EvidenceError, NewRepairApplication,
    RepairDecision, RepairError, RepairInput, RepairState,
};
use crate::domain::day::local_day;
use crate::domain::ids::VenueId;
use crate::domain::list_entry::CreditList;
use crate::store::ScopeFilter;
use crate::store::credit_repairs::{
    self, ApplicationRecord, ApplyOutcome, DecideOutcome, EvidenceFile, RegradeOutcome,
};

/// How the queue is paged.
pub const QUEUE_PAGE: PageSize = PageSize::up_to(50, 200);

/// Body of `POST /api/v1/repair-applications/{id}/decision`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepairDecisionRequest {
    /// `approved` or `rejected`.
    pub decision: String,
    /// Why, 1–1000 characters.
    pub reason: String,
}

/// An evidence file as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceBody {
    /// File id.
    pub id: i64,
    /// The name it is shown under.
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, by its bytes.
    pub content_type: String,
    /// Its size in bytes.
    pub byte_size: i32,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Where the JSON API serves it.
    pub href: String,
}

/// The training record of an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingBody {
    /// The course.
    pub course: String,
    /// Who gave it.
    pub provider: String,
    /// When.
    pub trained_on: NaiveDate,
    /// Class hours.
    pub hours: f64,
}

/// A credit repair application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepairApplicationBody {
    /// Application id.
    pub id: i64,
    /// The venue.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its region.
    pub region_code: String,
    /// The list entry it asks to repair.
    pub list_entry_id: i64,
    /// The entry's list.
    pub list: CreditList,
    /// Why the venue was listed.
    pub entry_reason: String,
    /// The entry's first day.
    pub entry_starts_on: NaiveDate,
    /// The entry's end as it stands: the approval's day once repaired.
    pub entry_ends_on: NaiveDate,
    /// The end the listing decision gave, once a repair ended it early.
    pub entry_original_ends_on: Option<NaiveDate>,
    /// Whether the entry's basis excludes repair by commitment.
    pub commitment_excluded: bool,
    /// `pending`, `approved` or `rejected`.
    pub state: RepairState,
    /// Pending past its decision day.
    pub overdue: bool,
    /// What the venue put right.
    pub rectification: String,
    /// Whether the venue gave the credit commitment (信用承诺书).
    pub commitment_given: bool,
    /// The training attended.
    pub training: TrainingBody,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// The last day for the decision.
    pub decision_due_on: NaiveDate,
    /// When it was decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's reason.
    pub decision_reason: Option<String>,
    /// Its evidence files (empty in lists).
    pub evidence: Vec<EvidenceBody>,
}

impl RepairApplicationBody {
    /// The body of a stored application as of `today`.
    pub fn of(r: ApplicationRecord, today: NaiveDate) -> Self {
        let evidence = r
            .evidence
            .iter()
            .map(|e| EvidenceBody {
                id: e.id,
                file_name: e.file_name.clone(),
                content_type: e.content_type.clone(),
                byte_size: e.byte_size,
                sha256: data_encoding::HEXLOWER.encode(&e.sha256),
                href: format!("/api/v1/repair-applications/{}/evidence/{}", r.id, e.id),
            })
            .collect();
        Self {
            overdue: credit_repair::overdue(r.state, r.decision_due_on, today),
            id: r.id,
            venue_id: r.venue_id,
            venue_name: r.venue_name,
            region_code: r.region_code,
            list_entry_id: r.list_entry_id,
            list: r.list,
            entry_reason: r.entry_reason,
            entry_starts_on: r.entry_starts_on,
            entry_ends_on: r.entry_ends_on,
            entry_original_ends_on: r.entry_original_ends_on,
            commitment_excluded: r.commitment_excluded,
            state: r.state,
            rectification: r.rectification,
            commitment_given: r.commitment_given,
            training: TrainingBody {
                course: r.training_course,
                provider: r.training_provider,
                trained_on: r.trained_on,
                hours: r.training_hours,
            },
            submitted_at: r.submitted_at,
            decision_due_on: r.decision_due_on,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            evidence,
        }
    }
}

/// A page of applications.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepairApplicationList {
    /// The page, from 1.
    pub page: i64,
    /// Rows a page holds.
    pub per_page: i64,
    /// Applications in all (with the filter).
    pub total: i64,
    /// Pending first by decision day, then decided newest first.
    pub items: Vec<RepairApplicationBody>,
}

/// What a request to be graded again came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegradeBody {
    /// The venue.
    pub venue_id: VenueId,
    /// Request id.
    pub request_id: i64,
    /// The local day the venue was last graded before this request, if ever.
    pub last_graded_on: Option<NaiveDate>,
    /// The first day the venue may ask again.
    pub next_allowed_on: NaiveDate,
}

impl From<EvidenceError> for Slug {
    fn from(err: EvidenceError) -> Self {
        match err {
            EvidenceError::Empty | EvidenceError::NotAccepted => Slug::InvalidEvidence,
            EvidenceError::TooLarge { .. } => Slug::EvidenceTooLarge,
            EvidenceError::TooMany { .. } => Slug::TooManyEvidenceFiles,
        }
    }
}

impl From<RepairError> for AppError {
    fn from(err: RepairError) -> Self {
        match err {
            RepairError::Text(text) => {
                let field = match &text {
                    crate::domain::list_entry::ListEntryError::Required(f)
                    | crate::domain::list_entry::ListEntryError::TooLong(f, _)
                    | crate::domain::list_entry::ListEntryError::ControlCharacter(f)
                    | crate::domain::list_entry::ListEntryError::BadDate(f) => *f,
                    _ => "rectification",
                };
                AppError::from(text).with("field", field)
            }
            RepairError::Training(officer) => {
                let field = match officer.field() {
                    "course" => "training_course",
                    "provider" => "training_provider",
                    "hours" => "training_hours",
                    "trained_on" => "trained_on",
                    other => other,
                };
                let mut err = AppError::from(officer);
                err.args.retain(|(n, _)| *n != "field");
                err.with("field", field)
            }
            RepairError::Evidence { file, error } => {
                let slug = Slug::from(error.clone());
                AppError::new(slug, format!("{file}: {error}"))
                    .with("field", "evidence")
                    .with("file", file)
                    .with("max", EVIDENCE_MAX_FILES)
                    .with("megabytes", EVIDENCE_MAX_BYTES / (1024 * 1024))
            }
            RepairError::CommitmentExcluded => {
                AppError::new(Slug::CommitmentExcluded, err.to_string()).with("field", "commitment")
            }
            RepairError::EvidenceRequired => {
                AppError::new(Slug::EvidenceRequired, err.to_string()).with("field", "evidence")
            }
            RepairError::CommitmentOrEvidenceRequired => {
                AppError::new(Slug::CommitmentOrEvidenceRequired, err.to_string())
                    .with("field", "evidence")
            }
            RepairError::UnknownDecision => {
                AppError::new(Slug::InvalidRepairDecision, err.to_string())
                    .with("field", "decision")
            }
        }
    }
}

async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// Checks an application's fields and files before anything is stored:
/// the fields first (every fault, in the form's order), then the files.
pub fn check(
    input: RepairInput<'_>,
    files: Vec<(String, Vec<u8>)>,
    today: NaiveDate,
) -> Result<(NewRepairApplication, Vec<credit_repair::CheckedEvidence>), Vec<AppError>> {
    let mut faults: Vec<AppError> = Vec::new();
    let application = NewRepairApplication::parse(input, today)
        .map_err(|errs| faults.extend(errs.into_iter().map(AppError::from)))
        .ok();
    let files = credit_repair::check_files(files)
        .map_err(|(file, error)| faults.push(RepairError::Evidence { file, error }.into()))
        .ok();
    match (application, files) {
        (Some(a), Some(f)) if faults.is_empty() => Ok((a, f)),
        _ => Err(faults),
    }
}

/// A venue's application for credit repair of a list entry in force (its
/// staff only): checked whole before anything is written, then stored with
/// its files and audit row in one transaction.
pub async fn apply(
    services: &Services,
    caller: &Caller,
    entry_id: i64,
    input: RepairInput<'_>,
    files: Vec<(String, Vec<u8>)>,
) -> Result<RepairApplicationBody, AppError> {
    if caller.principal.role != Role::VenueStaff {
        return Err(AppError::forbidden(
            "credit repair is the venue's to ask: its staff apply",
        ));
    }
    let today = services.clock.today();
    let (application, files) = check(input, files, today)
        .map_err(|faults| faults.into_iter().next().unwrap_or_else(AppError::internal))?;
    let calendar = services.case_rules.calendar().await?;
    let due = calendar.add_working_days(today, services.settings.repair_decision_working_days);
    let scope = scope_of(services, caller).await?;
    let outcome = credit_repairs::apply(
        &services.pool,
        entry_id,
        (&application, &files),
        (today, services.clock.now(), due),
        &scope,
        caller.audit(AuditAction::REPAIR_APPLY),
    )
    .await?;
    match outcome {
        ApplyOutcome::Done(record) => Ok(RepairApplicationBody::of(*record, today)),
        ApplyOutcome::NotFound => Err(AppError::not_found(Slug::ListEntryNotFound)),
        ApplyOutcome::NotListed => Err(AppError::new(
            Slug::EntryNotListed,
            "only a listed entry can be repaired: this one is pending or dropped",
        )),
        ApplyOutcome::NotInForce => Err(AppError::new(
            Slug::EntryNotInForce,
            "only an entry in force can be repaired: this one has not begun or has ended",
        )),
        ApplyOutcome::Pending(id) => Err(AppError::new(
            Slug::RepairPending,
            format!("application {id} on this entry waits for its decision"),
        )
        .with("id", id)),
        ApplyOutcome::Refused(refusal) => Err(refusal.into()),
    }
}

/// A page of applications in the caller's scope (venue staff: their
/// venues'), filtered by state.
pub async fn list(
    services: &Services,
    caller: &Caller,
    state: Option<&str>,
    paging: Paging,
) -> Result<RepairApplicationList, AppError> {
    let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(RepairState::parse(raw).ok_or_else(|| {
            AppError::new(
                Slug::InvalidQuery,
                format!("state must be pending, approved or rejected, not {raw:?}"),
            )
        })?),
    };
    let scope = scope_of(services, caller).await?;
    let (items, total) = credit_repairs::list(
        &services.pool,
        &scope,
        state,
        (paging.per_page, paging.offset()),
    )
    .await?;
    let today = services.clock.today();
    Ok(RepairApplicationList {
        page: paging.page,
        per_page: paging.per_page,
        total,
        items: items
            .into_iter()
            .map(|r| RepairApplicationBody::of(r, today))
            .collect(),
    })
}

/// One application in the caller's scope, with its evidence list.
pub async fn get(
    services: &Services,
    caller: &Caller,
    id: i64,
) -> Result<RepairApplicationBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let record = credit_repairs::get(&services.pool, id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::RepairNotFound))?;
    Ok(RepairApplicationBody::of(record, services.clock.today()))
}

/// A venue's applications in the caller's scope, newest first.
pub async fn for_venue(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<Vec<RepairApplicationBody>, AppError> {
    let scope = scope_of(services, caller).await?;
    let today = services.clock.today();
    Ok(credit_repairs::for_venue(&services.pool, venue_id, &scope)
        .await?
        .into_iter()
        .map(|r| RepairApplicationBody::of(r, today))
        .collect())
}

/// A regulator's decision on a pending application (admins and regulators
/// in scope): a reason is required; deciding twice is a conflict.
pub async fn decide(
    services: &Services,
    caller: &Caller,
    id: i64,
    decision: &str,
    reason: &str,
) -> Result<RepairApplicationBody, AppError> {
    let decision = RepairDecision::parse(decision).ok_or(RepairError::UnknownDecision)?;
    let reason = credit_repair::decision_reason(reason)?;
    let scope = scope_of(services, caller).await?;
    let today = services.clock.today();
    let outcome = credit_repairs::decide(
        &services.pool,
        id,
        (decision, &reason),
        (today, services.clock.now()),
        &scope,
        caller.audit(AuditAction::REPAIR_DECIDE),
    )
    .await?;
    match outcome {
        DecideOutcome::Done(record) => Ok(RepairApplicationBody::of(*record, today)),
        DecideOutcome::NotFound => Err(AppError::not_found(Slug::RepairNotFound)),
        DecideOutcome::Decided => Err(AppError::new(
            Slug::RepairDecided,
            "this application is decided already",
        )),
    }
}

/// One evidence file of an application in the caller's scope (the venue's
/// staff, and admins and regulators over the venue).
pub async fn evidence(
    services: &Services,
    caller: &Caller,
    application_id: i64,
    file_id: i64,
) -> Result<EvidenceFile, AppError> {
    let scope = scope_of(services, caller).await?;
    credit_repairs::evidence_file(&services.pool, application_id, file_id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::EvidenceNotFound))
}

/// Where a venue stands for re-grading: its last grading and the first
/// day it may ask again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegradeStatus {
    /// The local day of its last grading (tier change or re-grade request).
    pub last_graded_on: Option<NaiveDate>,
    /// The first day it may ask; `None` when it has never been graded.
    pub earliest: Option<NaiveDate>,
    /// Whether it may ask today.
    pub may_ask: bool,
}

/// Where a venue in the caller's scope stands for re-grading (404 outside it).
pub async fn regrade_status(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<RegradeStatus, AppError> {
    crate::app::supervision::venue_in_scope(services, &caller.principal, venue_id).await?;
    let last = credit_repairs::last_graded_at(&services.pool, venue_id)
        .await?
        .map(local_day);
    let earliest = last.map(credit_repair::earliest_regrade);
    Ok(RegradeStatus {
        last_graded_on: last,
        earliest,
        may_ask: earliest.is_none_or(|day| services.clock.today() >= day),
    })
}

/// A venue's request to be graded again (its staff only): refused before
/// three calendar months have passed since its last grading; otherwise
/// recorded, audited and the venue's score refresh queued.
pub async fn regrade(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<RegradeBody, AppError> {
    if caller.principal.role != Role::VenueStaff {
        return Err(AppError::forbidden(
            "re-grading is the venue's to ask: its staff ask for it",
        ));
    }
    let scope = scope_of(services, caller).await?;
    let today = services.clock.today();
    let outcome = credit_repairs::regrade(
        &services.pool,
        venue_id,
        (today, services.clock.now()),
        local_day,
        &scope,
        caller.audit(AuditAction::VENUE_REGRADE),
    )
    .await?;
    match outcome {
        RegradeOutcome::NotFound => Err(AppError::not_found(Slug::VenueNotFound)),
        RegradeOutcome::TooSoon {
            last_graded_at,
            earliest,
        } => Err(AppError::new(
            Slug::RegradeTooSoon,
            format!(
                "the venue was last graded on {}: it may ask to be graded again from {earliest}",
                local_day(last_graded_at)
            ),
        )
        .with("earliest", earliest)
        .with("last", local_day(last_graded_at))),
        RegradeOutcome::Queued { id, last_graded_at } => Ok(RegradeBody {
            venue_id,
            request_id: id,
            last_graded_on: last_graded_at.map(local_day),
            next_allowed_on: credit_repair::earliest_regrade(today),
        }),
    }
}
