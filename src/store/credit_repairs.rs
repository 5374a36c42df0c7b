//! Credit repair (信用修复): applications on list entries with their
//! evidence files, the regulator's decision, and a venue's requests to be
//! graded again. Every change writes its audit row in its transaction; an
//! approval ends the entry early and queues the venue's score refresh in
//! the same transaction, so the tier follows on the next refresh.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::credit_repair::{
    self, CheckedEvidence, NewRepairApplication, RepairDecision, RepairError, RepairState,
};
use crate::domain::ids::VenueId;
use crate::domain::list_entry::{self, CreditList, EntryState};

/// An evidence file as listed (without its bytes).
#[derive(Debug, Clone)]
pub struct EvidenceMeta {
    /// File id.
    pub id: i64,
    /// The name it is shown under.
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Its size.
    pub byte_size: i32,
    /// SHA-256 of its bytes.
    pub sha256: Vec<u8>,
}

/// An evidence file with its bytes, to be served.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    /// The name it is shown under.
    pub file_name: String,
    /// Its media type, as checked by its bytes.
    pub content_type: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A stored application with its entry's particulars.
#[derive(Debug, Clone)]
pub struct ApplicationRecord {
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
    /// The entry's end as it stands (the approval's day once repaired).
    pub entry_ends_on: NaiveDate,
    /// The end the listing decision gave, when a repair ended it early.
    pub entry_original_ends_on: Option<NaiveDate>,
    /// Whether the entry's basis excludes repair by commitment.
    pub commitment_excluded: bool,
    /// Where the application stands.
    pub state: RepairState,
    /// What the venue put right.
    pub rectification: String,
    /// Whether it gave the credit commitment.
    pub commitment_given: bool,
    /// The training's course.
    pub training_course: String,
    /// Who gave it.
    pub training_provider: String,
    /// When.
    pub trained_on: NaiveDate,
    /// Class hours.
    pub training_hours: f64,
    /// Who applied.
    pub submitted_by: String,
    /// When.
    pub submitted_at: DateTime<Utc>,
    /// The last day for the decision.
    pub decision_due_on: NaiveDate,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why.
    pub decision_reason: Option<String>,
    /// Its evidence files, oldest first (empty in lists).
    pub evidence: Vec<EvidenceMeta>,
}

struct Row {
    id: i64,
    venue_id: i64,
    venue_name: String,
    region_code: String,
    list_entry_id: i64,
    list: String,
    entry_reason: String,
    entry_starts_on: NaiveDate,
    entry_ends_on: NaiveDate,
    entry_original_ends_on: Option<NaiveDate>,
    commitment_excluded: bool,
    state: String,
    rectification: String,
    commitment_given: bool,
    training_course: String,
    training_provider: String,
    trained_on: NaiveDate,
    training_hours: f64,
    submitted_by: String,
    submitted_at: DateTime<Utc>,
    decision_due_on: NaiveDate,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    decision_reason: Option<String>,
}

impl TryFrom<Row> for ApplicationRecord {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let list = CreditList::parse(&r.list)
            .ok_or_else(|| corrupt(format!("repair {}: list {}", r.id, r.list)))?;
        let state = RepairState::parse(&r.state)
            .ok_or_else(|| corrupt(format!("repair {}: state {}", r.id, r.state)))?;
        Ok(Self {
            id: r.id,
            venue_id: VenueId::new(r.venue_id),
            venue_name: r.venue_name,
            region_code: r.region_code,
            list_entry_id: r.list_entry_id,
            list,
            entry_reason: r.entry_reason,
            entry_starts_on: r.entry_starts_on,
            entry_ends_on: r.entry_ends_on,
            entry_original_ends_on: r.entry_original_ends_on,
            commitment_excluded: r.commitment_excluded,
            state,
            rectification: r.rectification,
            commitment_given: r.commitment_given,
            training_course: r.training_course,
            training_provider: r.training_provider,
            trained_on: r.trained_on,
            training_hours: r.training_hours,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            decision_due_on: r.decision_due_on,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            evidence: Vec::new(),
        })
    }
}

fn corrupt(what: String) -> StoreError {
    StoreError::Other(sqlx::Error::Protocol(what))
}

/// Reads one application with its evidence list.
async fn read(
    conn: &mut sqlx::PgConnection,
    venue_id: i64,
    id: i64,
) -> Result<Option<ApplicationRecord>, StoreError> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT a.id, a.venue_id, v.name AS venue_name, v.region_code::text AS "region_code!",
                  a.list_entry_id, l.list, l.reason AS entry_reason, l.starts_on AS entry_starts_on,
                  l.ends_on AS entry_ends_on, l.original_ends_on AS entry_original_ends_on,
                  l.commitment_excluded, a.state, a.rectification, a.commitment_given,
                  a.training_course, a.training_provider, a.trained_on,
                  a.training_hours::float8 AS "training_hours!", a.submitted_by, a.submitted_at,
                  a.decision_due_on, a.decided_by, a.decided_at, a.decision_reason
           FROM repair_applications a
           JOIN list_entries l ON l.venue_id = a.venue_id AND l.id = a.list_entry_id
           JOIN venues v ON v.id = a.venue_id
           WHERE a.venue_id = $1 AND a.id = $2"#,
        venue_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut record = ApplicationRecord::try_from(row)?;
    record.evidence = sqlx::query_as!(
        EvidenceMeta,
        r#"SELECT id, file_name, content_type, byte_size, sha256 FROM repair_evidence
           WHERE venue_id = $1 AND application_id = $2 ORDER BY id"#,
        venue_id,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(record))
}

/// The venue of an application in `scope`, if any.
async fn venue_of(
    conn: &mut sqlx::PgConnection,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<i64>, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT a.venue_id FROM repair_applications a JOIN venues v ON v.id = a.venue_id
           WHERE a.id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
        id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::from)
}

/// What came of an application.
#[derive(Debug)]
pub enum ApplyOutcome {
    /// No such entry in scope.
    NotFound,
    /// The entry is not listed (pending or dropped).
    NotListed,
    /// The entry is listed but not in force today (not begun, or ended).
    NotInForce,
    /// An application on the entry waits for its decision.
    Pending(i64),
    /// The route the application takes is not open to this entry.
    Refused(RepairError),
    /// Stored.
    Done(Box<ApplicationRecord>),
}

/// Stores an application on a listed entry in force, with its files and its
/// audit row, unless one on the entry is pending. `due` is the last day for
/// the decision.
pub async fn apply(
    pool: &PgPool,
    entry_id: i64,
    (application, files): (&NewRepairApplication, &[CheckedEvidence]),
    (today, now, due): (NaiveDate, DateTime<Utc>, NaiveDate),
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<ApplyOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = sqlx::query_scalar!(
        r#"SELECT l.venue_id FROM list_entries l JOIN venues v ON v.id = l.venue_id
           WHERE l.id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
        entry_id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(ApplyOutcome::NotFound);
    };
    // Locks the entry: two applications, or an application and a decision,
    // arriving together are taken one after the other.
    let Some(entry) = sqlx::query!(
        r#"SELECT l.state, l.starts_on, l.ends_on, l.commitment_excluded, l.list,
                  v.region_code::text AS "region_code!"
           FROM list_entries l JOIN venues v ON v.id = l.venue_id
           WHERE l.venue_id = $1 AND l.id = $2
           FOR UPDATE OF l"#,
        venue_id,
        entry_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(ApplyOutcome::NotFound);
    };
    if EntryState::parse(&entry.state) != Some(EntryState::Listed) {
        return Ok(ApplyOutcome::NotListed);
    }
    if !list_entry::in_force(entry.starts_on, entry.ends_on, today) {
        return Ok(ApplyOutcome::NotInForce);
    }
    if let Err(refusal) = credit_repair::check_route(
        entry.commitment_excluded,
        application.commitment_given,
        files.len(),
    ) {
        return Ok(ApplyOutcome::Refused(refusal));
    }
    if let Some(pending) = sqlx::query_scalar!(
        r#"SELECT id FROM repair_applications
           WHERE venue_id = $1 AND list_entry_id = $2 AND state = 'pending'"#,
        venue_id,
        entry_id
    )
    .fetch_optional(&mut *tx)
    .await?
    {
        return Ok(ApplyOutcome::Pending(pending));
    }
    let training = &application.training;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO repair_applications
               (venue_id, list_entry_id, rectification, commitment_given, training_course,
                training_provider, trained_on, training_hours, submitted_by, submitted_at,
                decision_due_on)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::float8, $9, $10, $11)
           RETURNING id"#,
        venue_id,
        entry_id,
        application.rectification,
        application.commitment_given,
        training.course,
        training.provider,
        training.trained_on,
        training.hours,
        audit.actor,
        now,
        due
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut files_json = Vec::with_capacity(files.len());
    for file in files {
        let byte_size = i32::try_from(file.bytes.len())
            .map_err(|_| corrupt("an evidence file over 2 GiB".into()))?;
        let file_id = sqlx::query_scalar!(
            r#"INSERT INTO repair_evidence
                   (venue_id, application_id, file_name, content_type, byte_size, sha256, bytes,
                    created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               RETURNING id"#,
            venue_id,
            id,
            file.file_name,
            file.evidence_type.media_type(),
            byte_size,
            &file.sha256[..],
            &file.bytes,
            now
        )
        .fetch_one(&mut *tx)
        .await?;
        files_json.push(serde_json::json!({
            "id": file_id,
            "file_name": file.file_name,
            "content_type": file.evidence_type.media_type(),
            "bytes": byte_size,
            "sha256": data_encoding::HEXLOWER.encode(&file.sha256),
        }));
    }
    audit.target = format!("repair-application:{id}");
    audit.region_code = Some(entry.region_code);
    audit.venue_id = Some(VenueId::new(venue_id));
    audit.after = Some(serde_json::json!({
        "list_entry_id": entry_id,
        "list": entry.list,
        "rectification": application.rectification,
        "commitment_given": application.commitment_given,
        "training": {
            "course": training.course,
            "provider": training.provider,
            "trained_on": training.trained_on,
            "hours": training.hours,
        },
        "decision_due_on": due,
        "evidence": files_json,
    }));
    audit::record(&mut tx, &audit).await?;
    let stored = read(&mut tx, venue_id, id)
        .await?
        .ok_or_else(|| corrupt(format!("repair application {id} vanished")))?;
    tx.commit().await?;
    Ok(ApplyOutcome::Done(Box::new(stored)))
}

/// One application in `scope`, with its evidence list.
pub async fn get(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<ApplicationRecord>, StoreError> {
    let mut conn = pool.acquire().await?;
    let Some(venue_id) = venue_of(&mut conn, id, scope).await? else {
        return Ok(None);
    };
    read(&mut conn, venue_id, id).await
}

/// One page of applications in `scope`, pending first by decision day,
/// then the decided ones newest first; and how many there are in all.
pub async fn list(
    pool: &PgPool,
    scope: &ScopeFilter,
    state: Option<RepairState>,
    (limit, offset): (i64, i64),
) -> Result<(Vec<ApplicationRecord>, i64), StoreError> {
    let state = state.map(RepairState::key);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT a.id, a.venue_id, v.name AS venue_name, v.region_code::text AS "region_code!",
                  a.list_entry_id, l.list, l.reason AS entry_reason, l.starts_on AS entry_starts_on,
                  l.ends_on AS entry_ends_on, l.original_ends_on AS entry_original_ends_on,
                  l.commitment_excluded, a.state, a.rectification, a.commitment_given,
                  a.training_course, a.training_provider, a.trained_on,
                  a.training_hours::float8 AS "training_hours!", a.submitted_by, a.submitted_at,
                  a.decision_due_on, a.decided_by, a.decided_at, a.decision_reason
           FROM repair_applications a
           JOIN list_entries l ON l.venue_id = a.venue_id AND l.id = a.list_entry_id
           JOIN venues v ON v.id = a.venue_id
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND ($4::text IS NULL OR a.state = $4)
           ORDER BY (a.state <> 'pending'),
                    CASE WHEN a.state = 'pending' THEN a.decision_due_on END,
                    a.decided_at DESC, a.id DESC
           LIMIT $5 OFFSET $6"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        state,
        limit,
        offset
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!"
           FROM repair_applications a JOIN venues v ON v.id = a.venue_id
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND ($4::text IS NULL OR a.state = $4)"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        state
    )
    .fetch_one(pool)
    .await?;
    let items = rows
        .into_iter()
        .map(ApplicationRecord::try_from)
        .collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// A venue's applications in `scope`, newest first, with their evidence
/// lists (for its dashboard).
pub async fn for_venue(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Vec<ApplicationRecord>, StoreError> {
    let records = sqlx::query_as!(
        Row,
        r#"SELECT a.id, a.venue_id, v.name AS venue_name, v.region_code::text AS "region_code!",
                  a.list_entry_id, l.list, l.reason AS entry_reason, l.starts_on AS entry_starts_on,
                  l.ends_on AS entry_ends_on, l.original_ends_on AS entry_original_ends_on,
                  l.commitment_excluded, a.state, a.rectification, a.commitment_given,
                  a.training_course, a.training_provider, a.trained_on,
                  a.training_hours::float8 AS "training_hours!", a.submitted_by, a.submitted_at,
                  a.decision_due_on, a.decided_by, a.decided_at, a.decision_reason
           FROM repair_applications a
           JOIN list_entries l ON l.venue_id = a.venue_id AND l.id = a.list_entry_id
           JOIN venues v ON v.id = a.venue_id
           WHERE a.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
           ORDER BY a.submitted_at DESC, a.id DESC LIMIT 200"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(ApplicationRecord::try_from)
    .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let files = sqlx::query!(
        r#"SELECT application_id, id, file_name, content_type, byte_size, sha256
           FROM repair_evidence WHERE venue_id = $1 AND application_id = ANY($2) ORDER BY id"#,
        venue_id.get(),
        &ids
    )
    .fetch_all(pool)
    .await?;
    let mut records = records;
    for file in files {
        if let Some(record) = records.iter_mut().find(|r| r.id == file.application_id) {
            record.evidence.push(EvidenceMeta {
                id: file.id,
                file_name: file.file_name,
                content_type: file.content_type,
                byte_size: file.byte_size,
                sha256: file.sha256,
            });
        }
    }
    Ok(records)
}

/// What came of a decision.
#[derive(Debug)]
pub enum DecideOutcome {
    /// No such application in scope.
    NotFound,
    /// Decided already.
    Decided,
    /// Done; the application as it now stands.
    Done(Box<ApplicationRecord>),
}

/// Decides a pending application. An approval ends its entry on `today`
/// (keeping the original end) and queues the venue's score refresh, in the
/// same transaction as the audit row.
pub async fn decide(
    pool: &PgPool,
    id: i64,
    (decision, reason): (RepairDecision, &str),
    (today, now): (NaiveDate, DateTime<Utc>),
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<DecideOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = venue_of(&mut tx, id, scope).await? else {
        return Ok(DecideOutcome::NotFound);
    };
    let Some(entry_id) = sqlx::query_scalar!(
        "SELECT list_entry_id FROM repair_applications WHERE venue_id = $1 AND id = $2",
        venue_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(DecideOutcome::NotFound);
    };
    // The entry first, then the application: the order `apply` takes them in.
    sqlx::query!(
        "SELECT id FROM list_entries WHERE venue_id = $1 AND id = $2 FOR UPDATE",
        venue_id,
        entry_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query!(
        "SELECT id FROM repair_applications WHERE venue_id = $1 AND id = $2 FOR UPDATE",
        venue_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(before) = read(&mut tx, venue_id, id).await? else {
        return Ok(DecideOutcome::NotFound);
    };
    if before.state != RepairState::Pending {
        return Ok(DecideOutcome::Decided);
    }
    sqlx::query!(
        r#"UPDATE repair_applications
           SET state = $3, decided_by = $4, decided_at = $5, decision_reason = $6
           WHERE venue_id = $1 AND id = $2"#,
        venue_id,
        id,
        decision.state().key(),
        audit.actor,
        now,
        reason
    )
    .execute(&mut *tx)
    .await?;
    let mut entry_change = serde_json::Value::Null;
    if decision == RepairDecision::Approved && before.entry_ends_on > today {
        sqlx::query!(
            r#"UPDATE list_entries
               SET original_ends_on = coalesce(original_ends_on, ends_on), ends_on = $3
               WHERE venue_id = $1 AND id = $2"#,
            venue_id,
            entry_id,
            today.max(before.entry_starts_on)
        )
        .execute(&mut *tx)
        .await?;
        super::scores::queue_refresh(&mut tx, before.venue_id).await?;
        entry_change = serde_json::json!({
            "list_entry_id": entry_id,
            "ends_on_before": before.entry_ends_on,
            "ends_on": today.max(before.entry_starts_on),
        });
    }
    audit.target = format!("repair-application:{id}");
    audit.region_code = Some(before.region_code.clone());
    audit.venue_id = Some(before.venue_id);
    audit.before = Some(serde_json::json!({ "state": before.state.key() }));
    audit.after = Some(serde_json::json!({
        "state": decision.state().key(),
        "reason": reason,
        "entry": entry_change,
    }));
    audit::record(&mut tx, &audit).await?;
    let stored = read(&mut tx, venue_id, id)
        .await?
        .ok_or_else(|| corrupt(format!("repair application {id} vanished")))?;
    tx.commit().await?;
    Ok(DecideOutcome::Done(Box::new(stored)))
}

/// One evidence file of an application in `scope`; `None` for a file,
/// application or venue that does not exist or lies outside it.
pub async fn evidence_file(
    pool: &PgPool,
    application_id: i64,
    file_id: i64,
    scope: &ScopeFilter,
) -> Result<Option<EvidenceFile>, StoreError> {
    let mut conn = pool.acquire().await?;
    let Some(venue_id) = venue_of(&mut conn, application_id, scope).await? else {
        return Ok(None);
    };
    sqlx::query_as!(
        EvidenceFile,
        r#"SELECT file_name, content_type, bytes FROM repair_evidence
           WHERE venue_id = $1 AND application_id = $2 AND id = $3"#,
        venue_id,
        application_id,
        file_id
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::from)
}

/// What came of a request to be graded again.
#[derive(Debug)]
pub enum RegradeOutcome {
    /// No such venue in scope.
    NotFound,
    /// Too soon: the venue may ask from `earliest`.
    TooSoon {
        /// When the venue was last graded.
        last_graded_at: DateTime<Utc>,
        /// The first day it may ask.
        earliest: NaiveDate,
    },
    /// Recorded and the refresh queued.
    Queued {
        /// Request id.
        id: i64,
        /// When the venue was last graded, if ever.
        last_graded_at: Option<DateTime<Utc>>,
    },
}

/// When a venue was last graded: the later of its last tier change (the
/// last row of its tier history) and its last request to be graded again.
pub async fn last_graded(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let changed = sqlx::query_scalar!(
        "SELECT max(changed_at) FROM tier_history WHERE venue_id = $1",
        venue_id.get()
    )
    .fetch_one(&mut *conn)
    .await?;
    let requested = sqlx::query_scalar!(
        "SELECT max(requested_at) FROM regrade_requests WHERE venue_id = $1",
        venue_id.get()
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(changed.max(requested))
}

/// When venue `venue_id` was last graded, as [`last_graded`] reads it.
pub async fn last_graded_at(
    pool: &PgPool,
    venue_id: VenueId,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut conn = pool.acquire().await?;
    last_graded(&mut conn, venue_id).await
}

/// Records a venue's request to be graded again and queues its refresh,
/// with an audit row, unless it comes before three calendar months have
/// passed since its last grading (`local_day` turns a time into a day).
pub async fn regrade(
    pool: &PgPool,
    venue_id: VenueId,
    (today, now): (NaiveDate, DateTime<Utc>),
    local_day: fn(DateTime<Utc>) -> NaiveDate,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<RegradeOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    // Locks the venue's row: two requests at once are taken one after the other.
    let Some(region_code) = sqlx::query_scalar!(
        r#"SELECT region_code::text AS "region_code!" FROM venues
           WHERE id = $1 AND ($2 OR region_code = ANY($3) OR id = ANY($4))
           FOR UPDATE"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(RegradeOutcome::NotFound);
    };
    let last = last_graded(&mut tx, venue_id).await?;
    if let Some(last_graded_at) = last {
        let earliest = credit_repair::earliest_regrade(local_day(last_graded_at));
        if today < earliest {
            return Ok(RegradeOutcome::TooSoon {
                last_graded_at,
                earliest,
            });
        }
    }
    let id = sqlx::query_scalar!(
        r#"INSERT INTO regrade_requests (venue_id, requested_by, requested_at)
           VALUES ($1, $2, $3) RETURNING id"#,
        venue_id.get(),
        audit.actor,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    audit.target = format!("venue:{}", venue_id.get());
    audit.region_code = Some(region_code);
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({
        "regrade_request": id,
        "last_graded_at": last,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(RegradeOutcome::Queued {
        id,
        last_graded_at: last,
    })
}
