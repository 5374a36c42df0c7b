//! Complaint cases: the queue, one case with its timeline, the steps that
//! move it, cases a regulator enters from a telephone or 12345 call, and the
//! visitor's rating of the handling. Every read and write is cut to a
//! [`ScopeFilter`] inside its SQL: a case is seen by the region handling it
//! (the venue's until a transfer), by the venue's own region and by the
//! venue's staff.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::complaint::{CaseState, CaseStep};
use crate::domain::ids::VenueId;
use crate::domain::secrets::SealedContact;
use crate::domain::venue::RegionCode;

/// A case as the queue and the case page show it; the contact stays sealed.
#[derive(Debug, Clone)]
pub struct CaseRecord {
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
    /// What the visitor wrote.
    pub description: String,
    /// The sealed contact's bytes, if one was given and not yet erased.
    pub contact_sealed: Option<Vec<u8>>,
    /// The version of the key the contact was sealed with.
    pub contact_key_version: i16,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// The local day of the service complained about.
    pub service_on: NaiveDate,
    /// When it entered its state.
    pub state_changed_at: DateTime<Utc>,
    /// When it was accepted.
    pub accepted_at: Option<DateTime<Utc>>,
    /// When its current step is due; none once closed.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The answer the visitor reads.
    pub public_answer: Option<String>,
    /// The verdict: upheld.
    pub upheld: Option<bool>,
    /// The verdict: the venue at fault.
    pub venue_at_fault: Option<bool>,
    /// The visitor's stars for the handling.
    pub handling_stars: Option<i16>,
    /// The visitor's words on the handling.
    pub handling_comment: Option<String>,
    /// When the contact was erased.
    pub contact_erased_at: Option<DateTime<Utc>>,
}

impl CaseRecord {
    /// The sealed contact, if one was given and not yet erased.
    pub fn sealed_contact(&self) -> Option<SealedContact> {
        self.contact_sealed.as_ref().map(|bytes| SealedContact {
            key_version: self.contact_key_version,
            bytes: bytes.clone(),
        })
    }
}

/// One step of a case's timeline.
#[derive(Debug, Clone)]
pub struct CaseEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// The state it left.
    pub from_state: Option<CaseState>,
    /// The state it entered.
    pub to_state: CaseState,
    /// Who (`account:3`, `token:5`, `admin-token`).
    pub actor: String,
    /// Reason, answer or note.
    pub note: Option<String>,
    /// The receiving region of a transfer.
    pub region_code: Option<String>,
}

/// The queue's filters; all optional.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Only cases in this state.
    pub state: Option<CaseState>,
    /// Only open cases past their due date.
    pub overdue: bool,
    /// Only open cases due before this instant and not yet overdue.
    pub due_before: Option<DateTime<Utc>>,
    /// Only cases handled in these regions (a subtree, listed).
    pub region_codes: Option<Vec<String>>,
    /// Only cases about this venue.
    pub venue_id: Option<VenueId>,
    /// Only cases about venues of this category.
    pub category: Option<String>,
}

/// A `query_as!` for [`CaseRecord`]s: the columns, then the rest of the
/// statement. The scope test every read repeats is `($1 OR c.region_code =
/// ANY($2) OR v.region_code = ANY($2) OR c.venue_id = ANY($3))`: the handling
/// region, the venue's region or the venue itself lies in the caller's scope.
macro_rules! select_cases {
    ($tail:tt, $($arg:expr),* $(,)?) => {
        sqlx::query_as!(
            CaseRecord,
            r#"SELECT c.id, c.tracking_code, c.venue_id AS "venue_id: VenueId", v.name AS venue_name,
                      v.category, c.region_code AS "region_code: RegionCode",
                      c.state AS "state: CaseState", c.source, c.description,
                      c.contact_encrypted AS contact_sealed, c.contact_key_version,
                      c.created_at AS received_at,
                      c.service_on, c.state_changed_at, c.accepted_at, c.due_at, c.closed_at,
                      c.public_answer, c.upheld, c.venue_at_fault, c.handling_stars,
                      c.handling_comment, c.contact_erased_at
               FROM complaints c JOIN venues v ON v.id = c.venue_id "# + $tail,
            $($arg),*
        )
    };
}

/// One page of the queue in scope, by due date (closed cases last, newest
/// first), and the number of cases matching.
pub async fn list(
    pool: &PgPool,
    scope: &ScopeFilter,
    filter: &CaseFilter,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CaseRecord>, i64), StoreError> {
    let state = filter.state.map(CaseState::key);
    let regions = filter.region_codes.as_deref();
    let venue = filter.venue_id.map(VenueId::get);
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!"
           FROM complaints c JOIN venues v ON v.id = c.venue_id
           WHERE ($1 OR c.region_code = ANY($2) OR v.region_code = ANY($2) OR c.venue_id = ANY($3))
             AND ($4::text IS NULL OR c.state = $4)
             AND (NOT $5 OR (c.closed_at IS NULL AND c.due_at < $6))
             AND ($7::timestamptz IS NULL OR (c.closed_at IS NULL AND c.due_at >= $6 AND c.due_at < $7))
             AND ($8::text[] IS NULL OR c.region_code = ANY($8))
             AND ($9::int8 IS NULL OR c.venue_id = $9)
             AND ($10::text IS NULL OR v.category = $10)"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        state,
        filter.overdue,
        now,
        filter.due_before,
        regions as Option<&[String]>,
        venue,
        filter.category
    )
    .fetch_one(pool)
    .await?;
    let rows = select_cases!(
        r#"WHERE ($1 OR c.region_code = ANY($2) OR v.region_code = ANY($2) OR c.venue_id = ANY($3))
             AND ($4::text IS NULL OR c.state = $4)
             AND (NOT $5 OR (c.closed_at IS NULL AND c.due_at < $6))
             AND ($7::timestamptz IS NULL OR (c.closed_at IS NULL AND c.due_at >= $6 AND c.due_at < $7))
             AND ($8::text[] IS NULL OR c.region_code = ANY($8))
             AND ($9::int8 IS NULL OR c.venue_id = $9)
             AND ($10::text IS NULL OR v.category = $10)
           ORDER BY c.closed_at IS NOT NULL, c.due_at ASC NULLS LAST, c.created_at DESC, c.id DESC
           LIMIT $11 OFFSET $12"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        state,
        filter.overdue,
        now,
        filter.due_before,
        regions as Option<&[String]>,
        venue,
        filter.category,
        limit,
        offset
    )
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// Open cases in scope past their due date, and due before `soon` but not yet.
pub async fn overdue_and_due_soon(
    pool: &PgPool,
    scope: &ScopeFilter,
    now: DateTime<Utc>,
    soon: DateTime<Utc>,
) -> Result<(i64, i64), StoreError> {
    let row = sqlx::query!(
        r#"SELECT count(*) FILTER (WHERE c.due_at < $4) AS "overdue!",
                  count(*) FILTER (WHERE c.due_at >= $4 AND c.due_at < $5) AS "due_soon!"
           FROM complaints c JOIN venues v ON v.id = c.venue_id
           WHERE c.closed_at IS NULL
             AND ($1 OR c.region_code = ANY($2) OR v.region_code = ANY($2) OR c.venue_id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        now,
        soon
    )
    .fetch_one(pool)
    .await?;
    Ok((row.overdue, row.due_soon))
}

/// The venue of a case, found by the case id alone (a query over every
/// shard on a cluster; the statements after it name the venue).
async fn venue_of(pool: &PgPool, id: i64) -> Result<Option<i64>, StoreError> {
    sqlx::query_scalar!("SELECT venue_id FROM complaints WHERE id = $1", id)
        .fetch_optional(pool)
        .await
        .map_err(StoreError::from)
}

/// A case in scope; `None` for an unknown case or one outside it.
pub async fn get(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<CaseRecord>, StoreError> {
    let Some(venue_id) = venue_of(pool, id).await? else {
        return Ok(None);
    };
    select_cases!(
        r#"WHERE c.venue_id = $4 AND c.id = $5
             AND ($1 OR c.region_code = ANY($2) OR v.region_code = ANY($2) OR c.venue_id = ANY($3))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        venue_id,
        id
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A case by its tracking code, for the visitor's page: no scope, as the
/// code is the visitor's key. A code names its venue before the dash, so
/// the lookup goes to that venue; codes issued before they carried one are
/// found by the code alone.
pub async fn by_tracking_code(pool: &PgPool, code: &str) -> Result<Option<CaseRecord>, StoreError> {
    let venue = code
        .split_once('-')
        .and_then(|(venue, _)| venue.parse::<i64>().ok());
    select_cases!(
        r#"WHERE c.tracking_code = $1 AND ($2::int8 IS NULL OR c.venue_id = $2)
           LIMIT 1"#,
        code,
        venue
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A case's steps after its filing, in order.
pub async fn events(
    pool: &PgPool,
    venue_id: VenueId,
    id: i64,
) -> Result<Vec<CaseEvent>, StoreError> {
    sqlx::query_as!(
        CaseEvent,
        r#"SELECT at, from_state AS "from_state: CaseState", to_state AS "to_state: CaseState",
                  actor, note, region_code::text AS region_code
           FROM complaint_events
           WHERE venue_id = $1 AND complaint_id = $2
           ORDER BY at, id"#,
        venue_id.get(),
        id
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// A step to store: the parsed step, its time and the case's next due date.
#[derive(Debug, Clone)]
pub struct StepRecord<'a> {
    /// The step.
    pub step: &'a CaseStep,
    /// The state the step was checked against.
    pub from: CaseState,
    /// When.
    pub at: DateTime<Utc>,
    /// When the case is next due (none once closed).
    pub due_at: Option<DateTime<Utc>>,
}

/// Why a step was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    /// The case moved on since it was read: the step is no longer allowed.
    #[error("the case changed state meanwhile")]
    Moved,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for StepError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(err.into())
    }
}

/// Stores a step, its timeline event and its audit row in one transaction,
/// provided the case is still in the state and under the deadline the step
/// was checked against (a concurrent step wins, this one is refused). The
/// event keeps that deadline, so a report can tell a late step afterwards.
/// A verdict that the venue was at fault marks the complaint verified for
/// the credit tier; closing marks it resolved; either queues the venue's
/// tier refresh.
pub async fn record_step(
    pool: &PgPool,
    case: &CaseRecord,
    record: &StepRecord<'_>,
    mut audit: AuditEntry,
) -> Result<(), StepError> {
    let step = record.step;
    let to = step.to;
    let mut tx = pool.begin().await?;
    let verified = step.verdict.map(|v| v.verified());
    let updated = sqlx::query_scalar!(
        r#"UPDATE complaints SET
               state = $3,
               state_changed_at = $5,
               due_at = $6,
               accepted_at = CASE WHEN $3 = 'accepted' THEN $5 ELSE accepted_at END,
               closed_at = CASE WHEN $7 THEN $5 ELSE closed_at END,
               resolved_at = CASE WHEN $7 THEN $5 ELSE resolved_at END,
               region_code = coalesce($8, region_code),
               public_answer = coalesce($9, public_answer),
               upheld = coalesce($10, upheld),
               venue_at_fault = coalesce($11, venue_at_fault),
               verified_at = CASE WHEN $12::bool IS NULL THEN verified_at
                                  WHEN $12 THEN coalesce(verified_at, $5)
                                  ELSE NULL END
           WHERE venue_id = $1 AND id = $2 AND state = $4 AND due_at IS NOT DISTINCT FROM $13
           RETURNING id"#,
        case.venue_id.get(),
        case.id,
        to.key(),
        record.from.key(),
        record.at,
        record.due_at,
        to.is_closed(),
        step.region_code,
        step.public_answer,
        step.verdict.map(|v| v.upheld),
        step.verdict.map(|v| v.venue_at_fault),
        verified,
        case.due_at
    )
    .fetch_optional(&mut *tx)
    .await?;
    if updated.is_none() {
        return Err(StepError::Moved);
    }
    sqlx::query!(
        r#"INSERT INTO complaint_events (venue_id, complaint_id, at, from_state, to_state, actor, note, region_code, due_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"#,
        case.venue_id.get(),
        case.id,
        record.at,
        record.from.key(),
        to.key(),
        audit.actor,
        step.note,
        step.region_code,
        case.due_at
    )
    .execute(&mut *tx)
    .await?;
    if verified.is_some() || to.is_closed() {
        super::scores::queue_refresh(&mut tx, case.venue_id).await?;
    }
    audit.target = format!("complaint:{}", case.id);
    audit.region_code = Some(case.region_code.to_string());
    audit.venue_id = Some(case.venue_id);
    audit.before = Some(serde_json::json!({ "state": record.from.key() }));
    audit.after = Some(serde_json::json!({
        "state": to.key(),
        "note": step.note,
        "public_answer": step.public_answer,
        "region_code": step.region_code,
        "upheld": step.verdict.map(|v| v.upheld),
        "venue_at_fault": step.verdict.map(|v| v.venue_at_fault),
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// A case a regulator enters for a complaint taken by telephone or the
/// 12345 hotline, every field parsed.
#[derive(Debug, Clone)]
pub struct EnteredCase {
    /// Venue complained about.
    pub venue_id: VenueId,
    /// `phone` or `hotline_12345`.
    pub source: &'static str,
    /// What happened.
    pub description: String,
    /// The sealed contact.
    pub contact_sealed: Option<SealedContact>,
    /// The local day of the service.
    pub service_on: NaiveDate,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When a regulator must accept, reject or transfer it.
    pub due_at: DateTime<Utc>,
    /// The tracking code to give the complainant.
    pub tracking_code: String,
}

/// Stores an entered case with its audit row, counted in its venue day's
/// complaints like any complaint; `None` for a venue outside `scope`.
pub async fn enter(
    pool: &PgPool,
    case: &EnteredCase,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Option<i64>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = super::venues::region_in_scope(&mut tx, case.venue_id, scope).await?
    else {
        return Ok(None);
    };
    let day = crate::domain::day::local_day(case.received_at);
    let id = sqlx::query_scalar!(
        r#"INSERT INTO complaints (venue_id, rating_id, day, tracking_code, description,
               contact_encrypted, contact_key_version, created_at, source, region_code,
               service_on, state_changed_at, due_at)
           VALUES ($1, NULL, $2, $3, $4, $5, $11, $6, $7, $8, $9, $6, $10)
           RETURNING id"#,
        case.venue_id.get(),
        day,
        case.tracking_code,
        case.description,
        case.contact_sealed.as_ref().map(|c| c.bytes.as_slice()),
        case.received_at,
        case.source,
        region_code.as_str(),
        case.service_on,
        case.due_at,
        case.contact_sealed.as_ref().map_or(0, |c| c.key_version)
    )
    .fetch_one(&mut *tx)
    .await?;
    super::complaints::count_in_day(&mut tx, case.venue_id, day, case.received_at).await?;
    audit.target = format!("complaint:{id}");
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(case.venue_id);
    audit.after = Some(serde_json::json!({
        "source": case.source,
        "service_on": case.service_on,
        "tracking_code": case.tracking_code,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Records the visitor's rating of a closed case's handling, once: `false`
/// when the case is not closed or was rated already.
pub async fn rate_handling(
    pool: &PgPool,
    case: &CaseRecord,
    stars: i16,
    comment: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let rated = sqlx::query_scalar!(
        r#"UPDATE complaints SET handling_stars = $3, handling_comment = $4, handling_rated_at = $5
           WHERE venue_id = $1 AND id = $2 AND closed_at IS NOT NULL AND handling_stars IS NULL
             AND state IN ('rejected', 'resolved', 'closed_unresolved')
           RETURNING id"#,
        case.venue_id.get(),
        case.id,
        stars,
        comment,
        at
    )
    .fetch_optional(pool)
    .await?;
    Ok(rated.is_some())
}

/// Closed cases that still hold a contact, closed before `closed_before`:
/// (venue, case, handling region, closed at).
pub async fn closed_with_contact(
    pool: &PgPool,
    closed_before: DateTime<Utc>,
) -> Result<Vec<(VenueId, i64, String, DateTime<Utc>)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT venue_id AS "venue_id: VenueId", id, region_code::text AS "region_code!",
                  closed_at AS "closed_at!"
           FROM complaints
           WHERE contact_encrypted IS NOT NULL AND closed_at IS NOT NULL AND closed_at < $1"#,
        closed_before
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.venue_id, r.id, r.region_code, r.closed_at))
        .collect())
}

/// Erases the contacts of these cases, noting when; how many were erased.
pub async fn erase_contacts(
    pool: &PgPool,
    cases: &[(VenueId, i64)],
    at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    if cases.is_empty() {
        return Ok(0);
    }
    let venues: Vec<i64> = cases.iter().map(|(v, _)| v.get()).collect();
    let ids: Vec<i64> = cases.iter().map(|(_, id)| *id).collect();
    let done = sqlx::query!(
        r#"UPDATE complaints c SET contact_encrypted = NULL, contact_erased_at = $3
           FROM UNNEST($1::int8[], $2::int8[]) AS e(venue_id, id)
           WHERE c.venue_id = e.venue_id AND c.id = e.id AND c.contact_encrypted IS NOT NULL"#,
        &venues,
        &ids,
        at
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Up to `limit` sealed contacts under another key version than `version`,
/// after the case `after` in (venue, case) order: what `rotate-contacts`
/// re-seals, a page at a time.
pub async fn contacts_not_under(
    pool: &PgPool,
    version: i16,
    after: (VenueId, i64),
    limit: i64,
) -> Result<Vec<(VenueId, i64, SealedContact)>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT venue_id AS "venue_id: VenueId", id, contact_key_version,
                  contact_encrypted AS "contact!"
           FROM complaints
           WHERE contact_encrypted IS NOT NULL AND contact_key_version <> $1
             AND (venue_id, id) > ($2, $3)
           ORDER BY venue_id, id
           LIMIT $4"#,
        version,
        after.0.get(),
        after.1,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let sealed = SealedContact {
                key_version: r.contact_key_version,
                bytes: r.contact,
            };
            (r.venue_id, r.id, sealed)
        })
        .collect())
}

/// Replaces a case's sealed contact, if it is still `from` (not erased or
/// re-sealed meanwhile); whether it was replaced.
pub async fn reseal_contact(
    pool: &PgPool,
    venue_id: VenueId,
    id: i64,
    from: &SealedContact,
    to: &SealedContact,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        r#"UPDATE complaints SET contact_encrypted = $5, contact_key_version = $6
           WHERE venue_id = $1 AND id = $2 AND contact_key_version = $3
             AND contact_encrypted = $4"#,
        venue_id.get(),
        id,
        from.key_version,
        from.bytes,
        to.bytes,
        to.key_version
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
