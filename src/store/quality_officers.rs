//! The Chief Quality Officer registry (首席质量官): a venue's officer with
//! the appointment conditions and duties, its training records (whose sum is
//! kept in `venue_quality_officers.training_hours`), a regulator's
//! registration decision, the yearly evaluations, and the registry across
//! venues. Every statement is cut to the caller's scope in SQL and names its
//! venue; every change locks the venue, writes its audit row and queues the
//! venue's tier refresh in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::audit::{self, AuditEntry};
use super::dashboard::lock_scoped_venue;
use super::{ScopeFilter, StoreError};
use crate::domain::ids::VenueId;
use crate::domain::quality_officer::{
    AskRefusal, Decision, Evaluation, OfficerDetails, TrainingRecord, asked_registration,
};
use crate::domain::venue_profile::Registration;

/// The most training records one officer keeps: at 100 hours each, the
/// 10,000 hours the stored sum allows.
pub const MAX_TRAININGS: i64 = 100;

/// A venue's Chief Quality Officer with everything the registry shows.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficerFile {
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
    /// The sum of the training records, in hours.
    pub training_hours: f64,
    /// `unregistered`, `pending`, `registered` or `refused`.
    pub registration_status: String,
    /// Why the regulator registered or refused it.
    pub registration_reason: Option<String>,
    /// When the regulator decided.
    pub registration_decided_at: Option<DateTime<Utc>>,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

impl OfficerFile {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "name": self.name, "position": self.position,
            "appointed_on": self.appointed_on, "education": self.education,
            "qualification": self.qualification, "experience_years": self.experience_years,
            "duties": self.duties, "training_hours": self.training_hours,
            "registration_status": self.registration_status,
            "registration_reason": self.registration_reason,
        })
    }
}

/// One training record.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRow {
    /// Record id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
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

/// One yearly evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRow {
    /// Venue id.
    pub venue_id: VenueId,
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

/// What a change came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// Done and committed.
    Done(T),
    /// The venue does not exist or lies outside the scope.
    NoVenue,
    /// The venue has no officer on record.
    NoOfficer,
    /// The filing is not in a state that allows it; nothing was written.
    WrongStatus(Registration),
    /// The officer's record asked a status change it may not ask.
    Asked(AskRefusal),
    /// Registering needs more training hours than are recorded.
    TrainingShort {
        /// Hours recorded.
        hours: f64,
    },
    /// The training record does not exist for this venue.
    NoTraining,
    /// The officer holds the most training records there may be.
    TooManyTrainings,
}

/// The officer of a venue (no scope check: call it after one, or inside a
/// change's transaction).
pub async fn file(
    conn: &mut PgConnection,
    venue_id: VenueId,
) -> Result<Option<OfficerFile>, StoreError> {
    sqlx::query_as!(
        OfficerFile,
        r#"SELECT venue_id, name, position, appointed_on, education, qualification,
                  experience_years, duties, training_hours::float8 AS "training_hours!",
                  registration_status, registration_reason, registration_decided_at, updated_at
           FROM venue_quality_officers WHERE venue_id = $1"#,
        venue_id.get()
    )
    .fetch_optional(conn)
    .await
    .map_err(StoreError::from)
}

/// The officer of a venue in `scope` with its training records (newest
/// first) and evaluations (latest year first); `None` outside the scope, an
/// empty officer when the venue has none.
pub async fn load(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Option<OfficerLoaded>, StoreError> {
    let mut conn = pool.acquire().await?;
    if super::venues::region_in_scope(&mut conn, venue_id, scope)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let officer = file(&mut conn, venue_id).await?;
    let trainings = sqlx::query_as!(
        TrainingRow,
        r#"SELECT id, venue_id, course, provider, trained_on, hours::float8 AS "hours!", recorded_at
           FROM quality_officer_trainings WHERE venue_id = $1
           ORDER BY trained_on DESC, id DESC"#,
        venue_id.get()
    )
    .fetch_all(&mut *conn)
    .await?;
    drop(conn);
    let evaluations = evaluations(pool, venue_id).await?;
    Ok(Some(OfficerLoaded {
        officer,
        trainings,
        evaluations,
    }))
}

/// A venue's yearly evaluations, latest year first (no scope check: call
/// it after one).
pub async fn evaluations(
    pool: &PgPool,
    venue_id: VenueId,
) -> Result<Vec<EvaluationRow>, StoreError> {
    sqlx::query_as!(
        EvaluationRow,
        r#"SELECT venue_id, year, officer_name, grade, reasons, evaluated_at
           FROM quality_officer_evaluations WHERE venue_id = $1 ORDER BY year DESC"#,
        venue_id.get()
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// A venue's officer with its records.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficerLoaded {
    /// The officer, if the venue has one.
    pub officer: Option<OfficerFile>,
    /// Training records, newest first.
    pub trainings: Vec<TrainingRow>,
    /// Evaluations, latest year first.
    pub evaluations: Vec<EvaluationRow>,
}

/// Locks the venue (in scope) and its officer's row; the venue's region, or `None`.
async fn lock(
    conn: &mut PgConnection,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Option<(String, Option<OfficerFile>)>, StoreError> {
    let Some(region) = lock_scoped_venue(conn, venue_id, scope).await? else {
        return Ok(None);
    };
    sqlx::query!(
        "SELECT venue_id FROM venue_quality_officers WHERE venue_id = $1 FOR UPDATE",
        venue_id.get()
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Some((region, file(conn, venue_id).await?)))
}

/// Why [`lock_officer`] found nothing to change.
enum Unfit {
    NoVenue,
    NoOfficer,
    WrongStatus(Registration),
}

impl Unfit {
    fn outcome<T>(self) -> Outcome<T> {
        match self {
            Unfit::NoVenue => Outcome::NoVenue,
            Unfit::NoOfficer => Outcome::NoOfficer,
            Unfit::WrongStatus(status) => Outcome::WrongStatus(status),
        }
    }
}

/// Locks the venue (in scope) and its officer, who must be on record and,
/// when `allowed` names statuses, in one of them: the venue's region and
/// the officer, or why not.
async fn lock_officer(
    conn: &mut PgConnection,
    venue_id: VenueId,
    scope: &ScopeFilter,
    allowed: &[Registration],
) -> Result<Result<(String, OfficerFile), Unfit>, StoreError> {
    Ok(match lock(conn, venue_id, scope).await? {
        None => Err(Unfit::NoVenue),
        Some((_, None)) => Err(Unfit::NoOfficer),
        Some((_, Some(officer)))
            if !allowed.is_empty() && !allowed.contains(&status_of(&officer)) =>
        {
            Err(Unfit::WrongStatus(status_of(&officer)))
        }
        Some((region, Some(officer))) => Ok((region, officer)),
    })
}

fn status_of(officer: &OfficerFile) -> Registration {
    Registration::parse(&officer.registration_status).unwrap_or(Registration::Unregistered)
}

/// Fills the audit entry's venue fields and writes it.
async fn audited(
    conn: &mut PgConnection,
    mut entry: AuditEntry,
    venue_id: VenueId,
    region_code: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    entry.target = format!("venue:{venue_id}");
    entry.region_code = Some(region_code);
    entry.venue_id = Some(venue_id);
    entry.before = before;
    entry.after = after;
    audit::record(conn, &entry).await
}

/// Saves (or replaces) a venue's officer with its conditions and duties;
/// the filing status follows [`asked_registration`]. The training hours are
/// the records' sum and are not written here.
pub async fn save(
    pool: &PgPool,
    venue_id: VenueId,
    details: &OfficerDetails,
    scope: &ScopeFilter,
    audit: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Outcome<OfficerFile>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some((region, before)) = lock(&mut tx, venue_id, scope).await? else {
        return Ok(Outcome::NoVenue);
    };
    let status = match asked_registration(before.as_ref().map(status_of), details.registration) {
        Ok(status) => status,
        Err(refusal) => return Ok(Outcome::Asked(refusal)),
    };
    let duties: Vec<String> = details.duties.iter().map(|d| d.key().to_owned()).collect();
    sqlx::query!(
        r#"INSERT INTO venue_quality_officers AS o
               (venue_id, name, position, appointed_on, training_hours, registration_status,
                education, qualification, experience_years, duties, updated_by, updated_at)
           VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (venue_id) DO UPDATE
               SET name = EXCLUDED.name, position = EXCLUDED.position,
                   appointed_on = EXCLUDED.appointed_on,
                   registration_status = EXCLUDED.registration_status,
                   education = EXCLUDED.education, qualification = EXCLUDED.qualification,
                   experience_years = EXCLUDED.experience_years, duties = EXCLUDED.duties,
                   updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at"#,
        venue_id.get(),
        details.name,
        details.position,
        details.appointed_on,
        status.key(),
        details.education.map(|e| e.key()),
        details.qualification,
        details.experience_years,
        &duties,
        audit.actor,
        now
    )
    .execute(&mut *tx)
    .await?;
    let saved = file(&mut tx, venue_id)
        .await?
        .ok_or(StoreError::Other(sqlx::Error::RowNotFound))?;
    // A registered Chief Quality Officer is a tier input.
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    let before = before.map(|b| json!({ "quality_officer": b.audit_json() }));
    let after = Some(json!({ "quality_officer": saved.audit_json() }));
    audited(&mut tx, audit, venue_id, region, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done(saved))
}

/// Files the officer's registration (unregistered or refused → pending).
pub async fn ask_registration(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    audit: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Outcome<OfficerFile>, StoreError> {
    let mut tx = pool.begin().await?;
    let filing = [Registration::Unregistered, Registration::Refused];
    let (region, before) = match lock_officer(&mut tx, venue_id, scope, &filing).await? {
        Ok(found) => found,
        Err(unfit) => return Ok(unfit.outcome()),
    };
    sqlx::query!(
        "UPDATE venue_quality_officers SET registration_status = 'pending',
                updated_by = $2, updated_at = $3
         WHERE venue_id = $1",
        venue_id.get(),
        audit.actor,
        now
    )
    .execute(&mut *tx)
    .await?;
    let saved = file(&mut tx, venue_id)
        .await?
        .ok_or(StoreError::Other(sqlx::Error::RowNotFound))?;
    let after = Some(json!({ "registration_status": saved.registration_status }));
    let before = Some(json!({ "registration_status": before.registration_status }));
    audited(&mut tx, audit, venue_id, region, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done(saved))
}

/// A regulator's decision on a pending filing; registering needs at least
/// `required_hours` of training on record (三(一)). Queues the tier refresh.
pub async fn decide(
    pool: &PgPool,
    venue_id: VenueId,
    (decision, reason): (Decision, &str),
    required_hours: f64,
    scope: &ScopeFilter,
    audit: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Outcome<OfficerFile>, StoreError> {
    let mut tx = pool.begin().await?;
    let pending = [Registration::Pending];
    let (region, before) = match lock_officer(&mut tx, venue_id, scope, &pending).await? {
        Ok(found) => found,
        Err(unfit) => return Ok(unfit.outcome()),
    };
    if decision == Decision::Registered && before.training_hours < required_hours {
        return Ok(Outcome::TrainingShort {
            hours: before.training_hours,
        });
    }
    sqlx::query!(
        "UPDATE venue_quality_officers
            SET registration_status = $2, registration_reason = $3,
                registration_decided_by = $4, registration_decided_at = $5
          WHERE venue_id = $1",
        venue_id.get(),
        decision.status().key(),
        reason,
        audit.actor,
        now
    )
    .execute(&mut *tx)
    .await?;
    let saved = file(&mut tx, venue_id)
        .await?
        .ok_or(StoreError::Other(sqlx::Error::RowNotFound))?;
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    let before = Some(json!({ "registration_status": before.registration_status }));
    let after = Some(json!({
        "registration_status": saved.registration_status,
        "reason": reason,
        "training_hours": saved.training_hours,
        "required_hours": required_hours,
    }));
    audited(&mut tx, audit, venue_id, region, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done(saved))
}

/// Sets the officer's stored hours to the sum of its records.
async fn resum(conn: &mut PgConnection, venue_id: VenueId) -> Result<f64, StoreError> {
    let total: f64 = sqlx::query_scalar!(
        r#"SELECT coalesce(sum(hours), 0)::float8 AS "total!"
           FROM quality_officer_trainings WHERE venue_id = $1"#,
        venue_id.get()
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE venue_quality_officers SET training_hours = $2::float8 WHERE venue_id = $1",
        venue_id.get(),
        total
    )
    .execute(&mut *conn)
    .await?;
    Ok(total)
}

/// Adds a training record to the venue's officer; answers the new record.
pub async fn add_training(
    pool: &PgPool,
    venue_id: VenueId,
    record: &TrainingRecord,
    scope: &ScopeFilter,
    audit: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Outcome<TrainingRow>, StoreError> {
    let mut tx = pool.begin().await?;
    let (region, officer) = match lock_officer(&mut tx, venue_id, scope, &[]).await? {
        Ok(found) => found,
        Err(unfit) => return Ok(unfit.outcome()),
    };
    let held: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "held!" FROM quality_officer_trainings WHERE venue_id = $1"#,
        venue_id.get()
    )
    .fetch_one(&mut *tx)
    .await?;
    if held >= MAX_TRAININGS {
        return Ok(Outcome::TooManyTrainings);
    }
    let row = sqlx::query_as!(
        TrainingRow,
        r#"INSERT INTO quality_officer_trainings
               (venue_id, course, provider, trained_on, hours, recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5::float8, $6, $7)
           RETURNING id, venue_id, course, provider, trained_on, hours::float8 AS "hours!",
                     recorded_at"#,
        venue_id.get(),
        record.course,
        record.provider,
        record.trained_on,
        record.hours,
        audit.actor,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let total = resum(&mut tx, venue_id).await?;
    let before = Some(json!({ "training_hours": officer.training_hours }));
    let after = Some(json!({
        "training": {
            "id": row.id, "course": row.course, "provider": row.provider,
            "trained_on": row.trained_on, "hours": row.hours,
        },
        "training_hours": total,
    }));
    audited(&mut tx, audit, venue_id, region, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done(row))
}

/// Removes a training record of the venue's officer; answers the new sum.
pub async fn remove_training(
    pool: &PgPool,
    venue_id: VenueId,
    training_id: i64,
    scope: &ScopeFilter,
    audit: AuditEntry,
) -> Result<Outcome<f64>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some((region, _)) = lock(&mut tx, venue_id, scope).await? else {
        return Ok(Outcome::NoVenue);
    };
    let removed = sqlx::query_as!(
        TrainingRow,
        r#"DELETE FROM quality_officer_trainings WHERE venue_id = $1 AND id = $2
           RETURNING id, venue_id, course, provider, trained_on, hours::float8 AS "hours!",
                     recorded_at"#,
        venue_id.get(),
        training_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = removed else {
        return Ok(Outcome::NoTraining);
    };
    let total = resum(&mut tx, venue_id).await?;
    let before = Some(json!({
        "training": {
            "id": row.id, "course": row.course, "provider": row.provider,
            "trained_on": row.trained_on, "hours": row.hours,
        },
    }));
    let after = Some(json!({ "training_hours": total }));
    audited(&mut tx, audit, venue_id, region, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done(total))
}

/// Records (or replaces) the year's evaluation of the venue's registered officer.
pub async fn evaluate(
    pool: &PgPool,
    venue_id: VenueId,
    evaluation: &Evaluation,
    scope: &ScopeFilter,
    audit: AuditEntry,
    now: DateTime<Utc>,
) -> Result<Outcome<EvaluationRow>, StoreError> {
    let mut tx = pool.begin().await?;
    let registered = [Registration::Registered];
    let (region, officer) = match lock_officer(&mut tx, venue_id, scope, &registered).await? {
        Ok(found) => found,
        Err(unfit) => return Ok(unfit.outcome()),
    };
    let before = sqlx::query_as!(
        EvaluationRow,
        r#"SELECT venue_id, year, officer_name, grade, reasons, evaluated_at
           FROM quality_officer_evaluations WHERE venue_id = $1 AND year = $2"#,
        venue_id.get(),
        evaluation.year
    )
    .fetch_optional(&mut *tx)
    .await?;
    let row = sqlx::query_as!(
        EvaluationRow,
        r#"INSERT INTO quality_officer_evaluations
               (venue_id, year, officer_name, grade, reasons, evaluated_by, evaluated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (venue_id, year) DO UPDATE
               SET officer_name = EXCLUDED.officer_name, grade = EXCLUDED.grade,
                   reasons = EXCLUDED.reasons, evaluated_by = EXCLUDED.evaluated_by,
                   evaluated_at = EXCLUDED.evaluated_at
           RETURNING venue_id, year, officer_name, grade, reasons, evaluated_at"#,
        venue_id.get(),
        evaluation.year,
        officer.name,
        evaluation.grade.key(),
        evaluation.reasons,
        audit.actor,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    let shape = |e: &EvaluationRow| {
        json!({ "evaluation": {
            "year": e.year, "officer_name": e.officer_name, "grade": e.grade, "reasons": e.reasons,
        }})
    };
    let before = before.as_ref().map(shape);
    let after = Some(shape(&row));
    audited(&mut tx, audit, venue_id, region, before, after).await?;
    tx.commit().await?;
    Ok(Outcome::Done(row))
}

/// Which venues the registry lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistryStatus {
    /// Every open venue, with or without an officer.
    All,
    /// Open venues without an officer.
    NoOfficer,
    /// Open venues with an officer, in any filing status.
    WithOfficer,
    /// Officers in one filing status.
    Status(Registration),
    /// Officers with fewer training hours than required.
    TrainingShort,
}

impl RegistryStatus {
    /// The query key.
    pub fn key(self) -> &'static str {
        match self {
            RegistryStatus::All => "all",
            RegistryStatus::NoOfficer => "none",
            RegistryStatus::WithOfficer => "officer",
            RegistryStatus::Status(status) => status.key(),
            RegistryStatus::TrainingShort => "training_short",
        }
    }

    /// Every filter, in the order the page offers them.
    pub const ALL: [RegistryStatus; 8] = [
        RegistryStatus::All,
        RegistryStatus::NoOfficer,
        RegistryStatus::WithOfficer,
        RegistryStatus::Status(Registration::Pending),
        RegistryStatus::Status(Registration::Registered),
        RegistryStatus::TrainingShort,
        RegistryStatus::Status(Registration::Unregistered),
        RegistryStatus::Status(Registration::Refused),
    ];

    /// Parses a query key.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == raw.trim())
    }
}

/// The registry's filter.
#[derive(Debug, Clone)]
pub struct RegistryFilter {
    /// A region subtree, or every region in scope.
    pub region_codes: Option<Vec<String>>,
    /// Which venues.
    pub status: RegistryStatus,
    /// The hours registration asks for (for the training-short filter).
    pub required_hours: f64,
    /// The most rows, and how many to skip.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// One venue in the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow {
    /// Venue id.
    pub venue_id: VenueId,
    /// Venue name.
    pub venue_name: String,
    /// Venue region.
    pub region_code: String,
    /// Venue category key.
    pub category: String,
    /// The officer's name, if the venue has one.
    pub officer_name: Option<String>,
    /// The officer's position.
    pub position: Option<String>,
    /// Appointment date.
    pub appointed_on: Option<NaiveDate>,
    /// Highest education key.
    pub education: Option<String>,
    /// Professional qualification.
    pub qualification: Option<String>,
    /// Years of experience.
    pub experience_years: Option<i16>,
    /// Duty keys.
    pub duties: Option<Vec<String>>,
    /// Training hours recorded.
    pub training_hours: Option<f64>,
    /// Filing status.
    pub registration_status: Option<String>,
    /// The regulator's reason.
    pub registration_reason: Option<String>,
    /// When the regulator decided.
    pub registration_decided_at: Option<DateTime<Utc>>,
    /// The latest evaluation's year.
    pub evaluation_year: Option<i16>,
    /// The latest evaluation's grade.
    pub evaluation_grade: Option<String>,
}

/// The registry: open venues in `scope` by region and name, as `filter` cuts
/// them, with the total before the limit.
pub async fn registry(
    pool: &PgPool,
    scope: &ScopeFilter,
    filter: &RegistryFilter,
) -> Result<(Vec<RegistryRow>, i64), StoreError> {
    let regions: Option<&[String]> = filter.region_codes.as_deref();
    let total: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!"
           FROM venues v LEFT JOIN venue_quality_officers o ON o.venue_id = v.id
           WHERE v.closed_at IS NULL
             AND ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND ($4::text[] IS NULL OR v.region_code = ANY($4))
             AND CASE $5::text
                   WHEN 'all' THEN true
                   WHEN 'none' THEN o.venue_id IS NULL
                   WHEN 'officer' THEN o.venue_id IS NOT NULL
                   WHEN 'training_short' THEN o.training_hours < $6::float8
                   ELSE o.registration_status = $5
                 END"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        regions as Option<&[String]>,
        filter.status.key(),
        filter.required_hours
    )
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query_as!(
        RegistryRow,
        r#"SELECT v.id AS venue_id, v.name AS venue_name,
                  v.region_code AS "region_code!: String", v.category,
                  o.name AS "officer_name?", o.position AS "position?",
                  o.appointed_on AS "appointed_on?", o.education, o.qualification,
                  o.experience_years, o.duties AS "duties?",
                  o.training_hours::float8 AS "training_hours?",
                  o.registration_status AS "registration_status?", o.registration_reason,
                  o.registration_decided_at,
                  e.year AS "evaluation_year?", e.grade AS "evaluation_grade?"
           FROM venues v
           LEFT JOIN venue_quality_officers o ON o.venue_id = v.id
           LEFT JOIN (SELECT DISTINCT ON (venue_id) venue_id, year, grade
                      FROM quality_officer_evaluations ORDER BY venue_id, year DESC) e
                  ON e.venue_id = v.id
           WHERE v.closed_at IS NULL
             AND ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND ($4::text[] IS NULL OR v.region_code = ANY($4))
             AND CASE $5::text
                   WHEN 'all' THEN true
                   WHEN 'none' THEN o.venue_id IS NULL
                   WHEN 'officer' THEN o.venue_id IS NOT NULL
                   WHEN 'training_short' THEN o.training_hours < $6::float8
                   ELSE o.registration_status = $5
                 END
           ORDER BY v.region_code, v.name, v.id
           LIMIT $7 OFFSET $8"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        regions as Option<&[String]>,
        filter.status.key(),
        filter.required_hours,
        filter.limit,
        filter.offset
    )
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// The training records of the given venues' officers, by venue then date.
pub async fn trainings_of(
    pool: &PgPool,
    venue_ids: &[i64],
) -> Result<Vec<TrainingRow>, StoreError> {
    sqlx::query_as!(
        TrainingRow,
        r#"SELECT id, venue_id, course, provider, trained_on, hours::float8 AS "hours!", recorded_at
           FROM quality_officer_trainings WHERE venue_id = ANY($1)
           ORDER BY venue_id, trained_on, id"#,
        venue_ids
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
