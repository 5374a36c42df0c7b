//! The Chief Quality Officer registry (首席质量官; section B of the
//! regulators' requirements): the one code path of the JSON routes, the
//! venue dashboard's officer page and the console's registry.
//!
//! Venue staff keep their officer's record (conditions 二(二), duties
//! 二(三)) and training records, and file the registration (unregistered or
//! refused → pending). Registration (备案, 三(五)) is a regulator's act: a
//! regulator in scope or an admin registers or refuses a pending filing with
//! a reason, and registering needs `CQO_TRAINING_HOURS` of training on
//! record (三(一)). Regulators record a yearly evaluation of registered officers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::paging::{PageSize, Paging};
use crate::app::venue_profile::scope_of;
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::domain::ids::VenueId;
use crate::domain::quality_officer::{
    AskRefusal, Decision, Evaluation, OfficerDetails, OfficerError, RawOfficer, TrainingRecord,
    parse_reason,
};
use crate::domain::region::{Region, RegionLevel};
use crate::domain::venue::RegionCode;
use crate::domain::venue_profile::ProfileError;
use crate::store::ScopeFilter;
use crate::store::quality_officers::{
    self as store, EvaluationRow, OfficerFile, Outcome, RegistryFilter, RegistryRow,
    RegistryStatus, TrainingRow,
};

/// The registry's pages: 50 rows unless asked, at most 500.
pub const REGISTRY_PAGE: PageSize = PageSize::up_to(50, 500);

impl From<OfficerError> for AppError {
    fn from(err: OfficerError) -> Self {
        let slug = match &err {
            OfficerError::Profile(p) => match p {
                ProfileError::Empty { field } if *field == "reason" || *field == "reasons" => {
                    Slug::ReasonRequired
                }
                ProfileError::Empty { .. } => Slug::TextRequired,
                ProfileError::TooLong { .. } => Slug::TextTooLong,
                ProfileError::ControlCharacter { .. } => Slug::ControlCharacter,
                ProfileError::BadDate | ProfileError::FutureDate => Slug::InvalidDate,
                ProfileError::UnknownStatus => Slug::InvalidRegistrationStatus,
            },
            OfficerError::UnknownEducation => Slug::InvalidEducation,
            OfficerError::BadExperience => Slug::InvalidExperienceYears,
            OfficerError::UnknownDuty => Slug::UnknownDuty,
            OfficerError::BadHours => Slug::InvalidTrainingHours,
            OfficerError::BadTrainingDate => Slug::InvalidDate,
            OfficerError::BadYear => Slug::InvalidEvaluationYear,
            OfficerError::UnknownGrade => Slug::InvalidGrade,
            OfficerError::UnknownDecision => Slug::InvalidCqoDecision,
        };
        AppError::new(slug, err.to_string()).with("field", err.field())
    }
}

/// The field a refusal is about (`AppError::with("field", …)`), if it names one.
pub fn refused_field(err: &AppError) -> Option<&str> {
    err.arg("field")
}

/// A store outcome as the use-case's answer.
fn outcome<T>(done: Outcome<T>, required_hours: f64) -> Result<T, AppError> {
    match done {
        Outcome::Done(value) => Ok(value),
        Outcome::NoVenue => Err(AppError::not_found(Slug::VenueNotFound)),
        Outcome::NoOfficer => Err(AppError::not_found(Slug::CqoNotFound)),
        Outcome::NoTraining => Err(AppError::not_found(Slug::CqoTrainingNotFound)),
        Outcome::WrongStatus(status) => Err(AppError::new(
            Slug::CqoRegistrationConflict,
            format!("the filing is {}, which does not allow this", status.key()),
        )
        .with("status", status.key())),
        Outcome::Asked(AskRefusal::ByRegulator) => Err(AppError::new(
            Slug::CqoRegistrationByRegulator,
            "only a regulator in scope or an admin registers or refuses a filing, through \
             POST /api/v1/venues/{id}/quality-officer/registration; file it as pending",
        )),
        Outcome::Asked(AskRefusal::NotAllowed) => Err(AppError::new(
            Slug::CqoRegistrationConflict,
            "a registered filing is not filed again; withdraw it (unregistered) first",
        )
        .with("status", "registered")),
        Outcome::TrainingShort { hours } => Err(AppError::new(
            Slug::CqoTrainingShort,
            format!(
                "registering needs at least {required_hours} training hours on record; \
                 {hours} are recorded"
            ),
        )
        .with("hours", format!("{hours:.1}"))
        .with("required", format!("{required_hours:.1}"))),
        Outcome::TooManyTrainings => Err(AppError::new(
            Slug::TooManyTrainings,
            format!(
                "an officer keeps at most {} training records",
                store::MAX_TRAININGS
            ),
        )
        .with("max", store::MAX_TRAININGS)),
    }
}

/// Body of `PUT /api/v1/venues/{id}/quality-officer`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualityOfficerRequest {
    /// Name, 1–100 characters.
    pub name: String,
    /// Position in the venue, 1–100 characters.
    pub position: String,
    /// Appointment date, `YYYY-MM-DD`, not in the future.
    #[schema(example = "2026-03-01")]
    pub appointed_on: String,
    /// Highest education (二(二)): `doctorate`, `master`, `bachelor`, `college` or `secondary`.
    #[schema(example = "bachelor")]
    pub education: Option<String>,
    /// Professional qualification, 1–200 characters (e.g. 中级质量工程师).
    pub qualification: Option<String>,
    /// Years of quality management in tourism services, 0–60.
    pub experience_years: Option<i64>,
    /// The duties of 二(三) the officer holds: `strategy`, `system`,
    /// `improvement`, `quality_cost`, `training`, `culture`, `standards`, `compliance`.
    #[serde(default)]
    pub duties: Vec<String>,
    /// `unregistered` (withdraw) or `pending` (file); absent keeps the
    /// current status. `registered` and `refused` are a regulator's decision
    /// (`POST .../quality-officer/registration`) and are refused here unless
    /// they are the current status.
    #[schema(example = "pending")]
    pub registration_status: Option<String>,
}

impl QualityOfficerRequest {
    /// Parses the body; `today` bounds the appointment date.
    pub fn parse(&self, today: NaiveDate) -> Result<OfficerDetails, AppError> {
        OfficerDetails::parse(
            RawOfficer {
                name: &self.name,
                position: &self.position,
                appointed_on: &self.appointed_on,
                education: self.education.as_deref(),
                qualification: self.qualification.as_deref(),
                experience_years: self.experience_years,
                duties: &self.duties,
                registration_status: self.registration_status.as_deref(),
            },
            today,
        )
        .map_err(AppError::from)
    }
}

/// A venue's Chief Quality Officer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityOfficerBody {
    /// Venue id.
    pub venue_id: VenueId,
    /// Name.
    pub name: String,
    /// Position in the venue.
    pub position: String,
    /// Appointment date.
    pub appointed_on: NaiveDate,
    /// Highest education key.
    pub education: Option<String>,
    /// Professional qualification.
    pub qualification: Option<String>,
    /// Years of quality management in tourism services.
    pub experience_years: Option<i16>,
    /// Duty keys, in the order of 二(三).
    pub duties: Vec<String>,
    /// Whether the checkable conditions of 二(二) are met.
    pub conditions_met: bool,
    /// The sum of the training records, in hours.
    pub training_hours: f64,
    /// `unregistered`, `pending`, `registered` or `refused`.
    pub registration_status: String,
    /// Why the regulator registered or refused the filing.
    pub registration_reason: Option<String>,
    /// When the regulator decided.
    pub registration_decided_at: Option<DateTime<Utc>>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<OfficerFile> for QualityOfficerBody {
    fn from(o: OfficerFile) -> Self {
        let conditions_met = crate::domain::quality_officer::conditions_met(
            o.education
                .as_deref()
                .and_then(|e| crate::domain::quality_officer::Education::parse(e).ok()),
            o.qualification.as_deref(),
            o.experience_years.map(i64::from),
        );
        Self {
            venue_id: o.venue_id,
            name: o.name,
            position: o.position,
            appointed_on: o.appointed_on,
            education: o.education,
            qualification: o.qualification,
            experience_years: o.experience_years,
            duties: o.duties,
            conditions_met,
            training_hours: o.training_hours,
            registration_status: o.registration_status,
            registration_reason: o.registration_reason,
            registration_decided_at: o.registration_decided_at,
            updated_at: o.updated_at,
        }
    }
}

/// Saves a venue's officer (any role, within scope): the JSON route and the dashboard's form.
pub async fn save(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    details: &OfficerDetails,
) -> Result<QualityOfficerBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let done = store::save(
        &services.pool,
        venue_id,
        details,
        &scope,
        caller.audit(AuditAction::VENUE_QUALITY_OFFICER),
        services.clock.now(),
    )
    .await?;
    services.venue_views.forget(&[venue_id]).await;
    outcome(done, services.settings.cqo_training_hours).map(QualityOfficerBody::from)
}

/// Files the officer's registration: unregistered or refused → pending.
pub async fn ask_registration(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<QualityOfficerBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let done = store::ask_registration(
        &services.pool,
        venue_id,
        &scope,
        caller.audit(AuditAction::VENUE_CQO_REGISTRATION_REQUEST),
        services.clock.now(),
    )
    .await?;
    services.venue_views.forget(&[venue_id]).await;
    outcome(done, services.settings.cqo_training_hours).map(QualityOfficerBody::from)
}

/// Body of `POST /api/v1/venues/{id}/quality-officer/registration`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    /// `registered` or `refused`.
    #[schema(example = "registered")]
    pub decision: String,
    /// Why, 1–500 characters.
    pub reason: String,
}

/// A regulator in scope (or an admin) registers or refuses a pending
/// filing; registering needs `CQO_TRAINING_HOURS` of training on record.
pub async fn decide(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    request: &RegistrationRequest,
) -> Result<QualityOfficerBody, AppError> {
    let decision = Decision::parse(&request.decision)?;
    let reason = parse_reason(&request.reason, "reason")?;
    let scope = scope_of(services, caller).await?;
    let required = services.settings.cqo_training_hours;
    let done = store::decide(
        &services.pool,
        venue_id,
        (decision, &reason),
        required,
        &scope,
        caller.audit(AuditAction::VENUE_CQO_REGISTRATION),
        services.clock.now(),
    )
    .await?;
    services.venue_views.forget(&[venue_id]).await;
    outcome(done, required).map(QualityOfficerBody::from)
}

/// Body of `POST /api/v1/venues/{id}/quality-officer/trainings`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRequest {
    /// The course, 1–200 characters.
    pub course: String,
    /// Who gave it, 1–200 characters.
    pub provider: String,
    /// When, `YYYY-MM-DD`, not in the future.
    #[schema(example = "2026-05-01")]
    pub trained_on: String,
    /// Class hours (学时), 0.5–100; one decimal is kept.
    pub hours: f64,
}

/// One training record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingBody {
    /// Record id.
    pub id: i64,
    /// The course.
    pub course: String,
    /// Who gave it.
    pub provider: String,
    /// When.
    pub trained_on: NaiveDate,
    /// Class hours.
    pub hours: f64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl From<TrainingRow> for TrainingBody {
    fn from(t: TrainingRow) -> Self {
        Self {
            id: t.id,
            course: t.course,
            provider: t.provider,
            trained_on: t.trained_on,
            hours: t.hours,
            recorded_at: t.recorded_at,
        }
    }
}

/// Adds a training record to the venue's officer (any role, within scope).
pub async fn add_training(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    record: &TrainingRecord,
) -> Result<TrainingBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let done = store::add_training(
        &services.pool,
        venue_id,
        record,
        &scope,
        caller.audit(AuditAction::VENUE_CQO_TRAINING),
        services.clock.now(),
    )
    .await?;
    outcome(done, services.settings.cqo_training_hours).map(TrainingBody::from)
}

/// Removes a training record of the venue's officer; answers the new sum of hours.
pub async fn remove_training(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    training_id: i64,
) -> Result<f64, AppError> {
    let scope = scope_of(services, caller).await?;
    let done = store::remove_training(
        &services.pool,
        venue_id,
        training_id,
        &scope,
        caller.audit(AuditAction::VENUE_CQO_TRAINING_REMOVE),
    )
    .await?;
    outcome(done, services.settings.cqo_training_hours)
}

/// Body of `POST /api/v1/venues/{id}/quality-officer/evaluations`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationRequest {
    /// The year evaluated, 2000 to the current year.
    #[schema(example = 2026)]
    pub year: i64,
    /// `excellent`, `qualified` or `unqualified`.
    #[schema(example = "qualified")]
    pub grade: String,
    /// Why, 1–500 characters.
    pub reasons: String,
}

/// One yearly evaluation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationBody {
    /// The year evaluated.
    pub year: i16,
    /// The officer's name when evaluated.
    pub officer_name: String,
    /// `excellent`, `qualified` or `unqualified`.
    pub grade: String,
    /// Why.
    pub reasons: String,
    /// When it was recorded.
    pub evaluated_at: DateTime<Utc>,
}

impl From<EvaluationRow> for EvaluationBody {
    fn from(e: EvaluationRow) -> Self {
        Self {
            year: e.year,
            officer_name: e.officer_name,
            grade: e.grade,
            reasons: e.reasons,
            evaluated_at: e.evaluated_at,
        }
    }
}

/// Records (or replaces) the year's evaluation of a registered officer (a
/// regulator in scope or an admin).
pub async fn evaluate(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
    evaluation: &Evaluation,
) -> Result<EvaluationBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let done = store::evaluate(
        &services.pool,
        venue_id,
        evaluation,
        &scope,
        caller.audit(AuditAction::VENUE_CQO_EVALUATION),
        services.clock.now(),
    )
    .await?;
    outcome(done, services.settings.cqo_training_hours).map(EvaluationBody::from)
}

/// A venue's officer with its training records and evaluations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficerRecordBody {
    /// Venue id.
    pub venue_id: VenueId,
    /// The officer, or null when the venue has none.
    pub officer: Option<QualityOfficerBody>,
    /// Training records, newest first.
    pub trainings: Vec<TrainingBody>,
    /// Evaluations, latest year first.
    pub evaluations: Vec<EvaluationBody>,
    /// Training hours registration needs (`CQO_TRAINING_HOURS`).
    pub required_hours: f64,
}

/// A venue's officer with its records (any role, within scope).
pub async fn record(
    services: &Services,
    caller: &Caller,
    venue_id: VenueId,
) -> Result<OfficerRecordBody, AppError> {
    let scope = scope_of(services, caller).await?;
    let loaded = store::load(&services.pool, venue_id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    Ok(OfficerRecordBody {
        venue_id,
        officer: loaded.officer.map(QualityOfficerBody::from),
        trainings: loaded
            .trainings
            .into_iter()
            .map(TrainingBody::from)
            .collect(),
        evaluations: loaded
            .evaluations
            .into_iter()
            .map(EvaluationBody::from)
            .collect(),
        required_hours: services.settings.cqo_training_hours,
    })
}

/// Query of `GET /api/v1/quality-officers`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistryQuery {
    /// A region code: its whole subtree (within the caller's scope).
    pub region: Option<String>,
    /// `all` (default), `none` (no officer), `officer` (any officer), `pending`, `registered`,
    /// `training_short` (below the required hours), `unregistered`, `refused`.
    pub status: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
    /// Rows a page, 1–500 (default 50).
    pub per_page: Option<String>,
}

/// One venue in the registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryItem {
    /// Venue id.
    pub venue_id: VenueId,
    /// Venue name.
    pub venue_name: String,
    /// The venue's region code.
    pub region_code: String,
    /// The venue's category key.
    pub category: String,
    /// The officer, null when the venue has none.
    pub officer_name: Option<String>,
    /// The officer's position.
    pub position: Option<String>,
    /// Highest education key.
    pub education: Option<String>,
    /// Professional qualification.
    pub qualification: Option<String>,
    /// Years of experience.
    pub experience_years: Option<i16>,
    /// Whether the checkable conditions of 二(二) are met.
    pub conditions_met: bool,
    /// Training hours recorded.
    pub training_hours: Option<f64>,
    /// Whether the hours reach the required hours.
    pub training_complete: bool,
    /// `unregistered`, `pending`, `registered`, `refused`; null without an officer.
    pub registration_status: Option<String>,
    /// The regulator's reason.
    pub registration_reason: Option<String>,
    /// The latest evaluation's year.
    pub evaluation_year: Option<i16>,
    /// The latest evaluation's grade.
    pub evaluation_grade: Option<String>,
}

impl RegistryItem {
    fn of(row: RegistryRow, required_hours: f64) -> Self {
        let conditions_met = row.officer_name.is_some()
            && crate::domain::quality_officer::conditions_met(
                row.education
                    .as_deref()
                    .and_then(|e| crate::domain::quality_officer::Education::parse(e).ok()),
                row.qualification.as_deref(),
                row.experience_years.map(i64::from),
            );
        Self {
            venue_id: row.venue_id,
            venue_name: row.venue_name,
            region_code: row.region_code,
            category: row.category,
            officer_name: row.officer_name,
            position: row.position,
            education: row.education,
            qualification: row.qualification,
            experience_years: row.experience_years,
            conditions_met,
            training_complete: row.training_hours.is_some_and(|h| h >= required_hours),
            training_hours: row.training_hours,
            registration_status: row.registration_status,
            registration_reason: row.registration_reason,
            evaluation_year: row.evaluation_year,
            evaluation_grade: row.evaluation_grade,
        }
    }
}

/// A page of the registry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryPage {
    /// Venues in scope by region and name.
    pub items: Vec<RegistryItem>,
    /// This page.
    pub page: i64,
    /// Venues matching.
    pub total: i64,
    /// The filter applied.
    pub status: String,
    /// Training hours registration needs.
    pub required_hours: f64,
}

/// The region subtree a `region=` asks for within the caller's scope: a
/// region outside it is refused (403), an unknown one not found.
async fn region_filter(
    services: &Services,
    scope: &ScopeFilter,
    raw: Option<&str>,
) -> Result<Option<(Region, Vec<String>)>, AppError> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let code = RegionCode::parse(raw)
        .map_err(|e| AppError::new(Slug::InvalidRegionCode, e.to_string()))?;
    let tree = services.reference.regions().await?;
    let region = tree
        .get(&code)
        .cloned()
        .ok_or(AppError::not_found(Slug::RegionNotFound))?;
    if !scope.all && !scope.region_codes.iter().any(|c| c == region.code.as_str()) {
        return Err(AppError::new(
            Slug::RegionOutsideScope,
            "the region lies outside your scope",
        ));
    }
    let subtree = tree.subtree(&code);
    Ok(Some((region, subtree)))
}

/// The parsed filter of a registry query.
pub fn registry_status(raw: Option<&str>) -> Result<RegistryStatus, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(RegistryStatus::All),
        Some(key) => RegistryStatus::parse(key).ok_or_else(|| {
            AppError::new(
                Slug::InvalidQuery,
                "status must be one of all, none, officer, pending, registered, training_short, \
                 unregistered, refused",
            )
        }),
    }
}

/// The registry across the venues in the caller's scope (supervisors);
/// `everything` reads up to `max_rows` rows on one page (the downloads).
pub async fn registry(
    services: &Services,
    caller: &Caller,
    query: &RegistryQuery,
    everything: Option<i64>,
) -> Result<RegistryPage, AppError> {
    let status = registry_status(query.status.as_deref())?;
    let paging = match everything {
        Some(rows) => Paging {
            page: 1,
            per_page: rows,
        },
        None => Paging::parse(
            query.page.as_deref(),
            query.per_page.as_deref(),
            REGISTRY_PAGE,
            Slug::InvalidQuery,
        )?,
    };
    let scope = scope_of(services, caller).await?;
    let regions = region_filter(services, &scope, query.region.as_deref()).await?;
    let required = services.settings.cqo_training_hours;
    let filter = RegistryFilter {
        region_codes: regions.map(|(_, codes)| codes),
        status,
        required_hours: required,
        limit: paging.per_page,
        offset: paging.offset(),
    };
    let (rows, total) = store::registry(&services.pool, &scope, &filter).await?;
    Ok(RegistryPage {
        items: rows
            .into_iter()
            .map(|r| RegistryItem::of(r, required))
            .collect(),
        page: paging.page,
        total,
        status: status.key().to_owned(),
        required_hours: required,
    })
}

/// One officer on a prefecture's registration form (拟任首席质量官备案登记表).
#[derive(Debug, Clone)]
pub struct FormEntry {
    /// The registry's row.
    pub item: RegistryItem,
    /// The appointment date.
    pub appointed_on: Option<NaiveDate>,
    /// Duty keys.
    pub duties: Vec<String>,
    /// Training records, oldest first.
    pub trainings: Vec<TrainingBody>,
}

/// The officers of a prefecture (四(三)) within the caller's scope, with
/// their training history, for the registration form. `region` must be a
/// prefecture-level region.
pub async fn registration_form(
    services: &Services,
    caller: &Caller,
    region: Option<&str>,
    max_rows: i64,
) -> Result<(Region, Vec<FormEntry>), AppError> {
    let scope = scope_of(services, caller).await?;
    let (region, subtree) = region_filter(services, &scope, region)
        .await?
        .ok_or_else(|| AppError::new(Slug::InvalidQuery, "region (a prefecture) is required"))?;
    if region.level != RegionLevel::Prefecture {
        return Err(AppError::new(
            Slug::InvalidQuery,
            "region must be a prefecture-level region (地级)",
        ));
    }
    let required = services.settings.cqo_training_hours;
    let filter = RegistryFilter {
        region_codes: Some(subtree),
        status: RegistryStatus::WithOfficer,
        required_hours: required,
        limit: max_rows,
        offset: 0,
    };
    let (rows, _) = store::registry(&services.pool, &scope, &filter).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.venue_id.get()).collect();
    let trainings = store::trainings_of(&services.pool, &ids).await?;
    let entries = rows
        .into_iter()
        .map(|row| {
            let venue_id = row.venue_id;
            let appointed_on = row.appointed_on;
            let duties = row.duties.clone().unwrap_or_default();
            FormEntry {
                item: RegistryItem::of(row, required),
                appointed_on,
                duties,
                trainings: trainings
                    .iter()
                    .filter(|t| t.venue_id == venue_id)
                    .cloned()
                    .map(TrainingBody::from)
                    .collect(),
            }
        })
        .collect();
    Ok((region, entries))
}
