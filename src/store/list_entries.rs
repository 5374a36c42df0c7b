//! Credit list entries: proposal, the venue's statement, the decision, and
//! the public lists. Every change writes its audit row in its transaction;
//! a decision queues the venue's score refresh so its tier follows.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::ids::VenueId;
use crate::domain::list_entry::{CreditList, Decision, EntryState, NewListEntry};

/// A stored entry.
#[derive(Debug, Clone)]
pub struct ListEntryRecord {
    /// Entry id.
    pub id: i64,
    /// The venue.
    pub venue_id: VenueId,
    /// The venue's name.
    pub venue_name: String,
    /// The venue's region.
    pub region_code: String,
    /// The list.
    pub list: CreditList,
    /// Why.
    pub reason: String,
    /// The provision it rests on.
    pub legal_basis: String,
    /// The decision's number.
    pub decision_no: Option<String>,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// The day it ends.
    pub ends_on: NaiveDate,
    /// Where it stands.
    pub state: EntryState,
    /// Who proposed it.
    pub proposed_by: String,
    /// When.
    pub proposed_at: DateTime<Utc>,
    /// The last day the venue may submit its statement.
    pub statement_due_on: NaiveDate,
    /// The venue's statement (陈述申辩), if given.
    pub statement: Option<String>,
    /// When it was given.
    pub statement_at: Option<DateTime<Utc>>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's reason.
    pub decision_reason: Option<String>,
    /// Whether its basis excludes credit repair by commitment.
    pub commitment_excluded: bool,
    /// The end the decision gave, once a credit repair ended it early.
    pub original_ends_on: Option<NaiveDate>,
}

struct Row {
    id: i64,
    venue_id: i64,
    venue_name: String,
    region_code: String,
    list: String,
    reason: String,
    legal_basis: String,
    decision_no: Option<String>,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    state: String,
    proposed_by: String,
    proposed_at: DateTime<Utc>,
    statement_due_on: NaiveDate,
    statement: Option<String>,
    statement_at: Option<DateTime<Utc>>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    decision_reason: Option<String>,
    commitment_excluded: bool,
    original_ends_on: Option<NaiveDate>,
}

impl TryFrom<Row> for ListEntryRecord {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let list = CreditList::parse(&r.list)
            .ok_or_else(|| corrupt(format!("list entry {}: list {}", r.id, r.list)))?;
        let state = EntryState::parse(&r.state)
            .ok_or_else(|| corrupt(format!("list entry {}: state {}", r.id, r.state)))?;
        Ok(Self {
            id: r.id,
            venue_id: VenueId::new(r.venue_id),
            venue_name: r.venue_name,
            region_code: r.region_code,
            list,
            reason: r.reason,
            legal_basis: r.legal_basis,
            decision_no: r.decision_no,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            state,
            proposed_by: r.proposed_by,
            proposed_at: r.proposed_at,
            statement_due_on: r.statement_due_on,
            statement: r.statement,
            statement_at: r.statement_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_reason: r.decision_reason,
            commitment_excluded: r.commitment_excluded,
            original_ends_on: r.original_ends_on,
        })
    }
}

/// A stored value no code writes.
fn corrupt(what: String) -> StoreError {
    StoreError::Other(sqlx::Error::Protocol(what))
}

/// Reads one entry by venue and id.
async fn read(
    conn: &mut sqlx::PgConnection,
    venue_id: i64,
    id: i64,
) -> Result<Option<ListEntryRecord>, StoreError> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT l.id, l.venue_id, v.name AS venue_name, v.region_code::text AS "region_code!",
                  l.list, l.reason, l.legal_basis, l.decision_no, l.starts_on, l.ends_on, l.state,
                  l.proposed_by, l.proposed_at, l.statement_due_on, l.statement, l.statement_at,
                  l.decided_by, l.decided_at, l.decision_reason, l.commitment_excluded, l.original_ends_on
           FROM list_entries l JOIN venues v ON v.id = l.venue_id
           WHERE l.venue_id = $1 AND l.id = $2"#,
        venue_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    row.map(ListEntryRecord::try_from).transpose()
}

/// The venue of an entry in `scope`, if any.
async fn venue_of(
    conn: &mut sqlx::PgConnection,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<i64>, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT l.venue_id FROM list_entries l JOIN venues v ON v.id = l.venue_id
           WHERE l.id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
        id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *conn)
    .await
    .map_err(StoreError::from)
}

/// Records a proposal with its audit row. `None` for a venue that does not
/// exist or lies outside `scope`.
pub async fn propose(
    pool: &PgPool,
    venue_id: VenueId,
    entry: &NewListEntry,
    statement_due_on: NaiveDate,
    now: DateTime<Utc>,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Option<ListEntryRecord>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = super::venues::region_in_scope(&mut tx, venue_id, scope).await? else {
        return Ok(None);
    };
    let id = sqlx::query_scalar!(
        r#"INSERT INTO list_entries (venue_id, list, reason, legal_basis, decision_no, starts_on,
                                     ends_on, proposed_by, proposed_at, statement_due_on,
                                     commitment_excluded)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           RETURNING id"#,
        venue_id.get(),
        entry.list.key(),
        entry.reason,
        entry.legal_basis,
        entry.decision_no,
        entry.starts_on,
        entry.ends_on,
        audit.actor,
        now,
        statement_due_on,
        entry.commitment_excluded
    )
    .fetch_one(&mut *tx)
    .await?;
    let stored = read(&mut tx, venue_id.get(), id)
        .await?
        .ok_or_else(|| corrupt(format!("list entry {id} vanished")))?;
    audit.target = format!("list-entry:{id}");
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({
        "list": entry.list.key(),
        "reason": entry.reason,
        "legal_basis": entry.legal_basis,
        "decision_no": entry.decision_no,
        "starts_on": entry.starts_on,
        "ends_on": entry.ends_on,
        "statement_due_on": statement_due_on,
        "commitment_excluded": entry.commitment_excluded,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(stored))
}

/// One entry in `scope`.
pub async fn get(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<ListEntryRecord>, StoreError> {
    let mut conn = pool.acquire().await?;
    let Some(venue_id) = venue_of(&mut conn, id, scope).await? else {
        return Ok(None);
    };
    read(&mut conn, venue_id, id).await
}

/// A venue's entries in `scope`, newest first.
pub async fn for_venue(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Vec<ListEntryRecord>, StoreError> {
    sqlx::query_as!(
        Row,
        r#"SELECT l.id, l.venue_id, v.name AS venue_name, v.region_code::text AS "region_code!",
                  l.list, l.reason, l.legal_basis, l.decision_no, l.starts_on, l.ends_on, l.state,
                  l.proposed_by, l.proposed_at, l.statement_due_on, l.statement, l.statement_at,
                  l.decided_by, l.decided_at, l.decision_reason, l.commitment_excluded, l.original_ends_on
           FROM list_entries l JOIN venues v ON v.id = l.venue_id
           WHERE l.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
           ORDER BY l.proposed_at DESC, l.id DESC LIMIT 200"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(ListEntryRecord::try_from)
    .collect()
}

/// What came of a statement or a decision.
#[derive(Debug)]
pub enum Outcome {
    /// No such entry in scope.
    NotFound,
    /// The entry is decided already.
    Decided,
    /// The venue answered already (statements only).
    StatementGiven,
    /// The statement deadline has passed (statements only).
    StatementPeriodOver,
    /// The venue has not answered and its deadline has not passed
    /// (decisions only).
    StatementPeriodOpen,
    /// Done; the entry as it now stands.
    Done(Box<ListEntryRecord>),
}

/// Stores the venue's statement on a pending entry, before its deadline.
pub async fn submit_statement(
    pool: &PgPool,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Outcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = venue_of(&mut tx, id, scope).await? else {
        return Ok(Outcome::NotFound);
    };
    lock(&mut tx, venue_id, id).await?;
    let Some(entry) = read(&mut tx, venue_id, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if entry.state != EntryState::Pending {
        return Ok(Outcome::Decided);
    }
    if entry.statement.is_some() {
        return Ok(Outcome::StatementGiven);
    }
    if today > entry.statement_due_on {
        return Ok(Outcome::StatementPeriodOver);
    }
    sqlx::query!(
        r#"UPDATE list_entries SET statement = $3, statement_by = $4, statement_at = $5
           WHERE venue_id = $1 AND id = $2"#,
        venue_id,
        id,
        text,
        audit.actor,
        now
    )
    .execute(&mut *tx)
    .await?;
    audit.target = format!("list-entry:{id}");
    audit.region_code = Some(entry.region_code.clone());
    audit.venue_id = Some(entry.venue_id);
    audit.after = Some(serde_json::json!({ "statement": text }));
    audit::record(&mut tx, &audit).await?;
    let stored = read(&mut tx, venue_id, id)
        .await?
        .ok_or_else(|| corrupt(format!("list entry {id} vanished")))?;
    tx.commit().await?;
    Ok(Outcome::Done(Box::new(stored)))
}

/// Decides a pending entry once the venue has answered or its deadline has
/// passed, and queues the venue's score refresh.
pub async fn decide(
    pool: &PgPool,
    id: i64,
    (decision, reason): (Decision, &str),
    now: DateTime<Utc>,
    today: NaiveDate,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Outcome, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue_id) = venue_of(&mut tx, id, scope).await? else {
        return Ok(Outcome::NotFound);
    };
    lock(&mut tx, venue_id, id).await?;
    let Some(entry) = read(&mut tx, venue_id, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if entry.state != EntryState::Pending {
        return Ok(Outcome::Decided);
    }
    if entry.statement.is_none() && today <= entry.statement_due_on {
        return Ok(Outcome::StatementPeriodOpen);
    }
    sqlx::query!(
        r#"UPDATE list_entries SET state = $3, decided_by = $4, decided_at = $5, decision_reason = $6
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
    super::scores::queue_refresh(&mut tx, entry.venue_id).await?;
    audit.target = format!("list-entry:{id}");
    audit.region_code = Some(entry.region_code.clone());
    audit.venue_id = Some(entry.venue_id);
    audit.before = Some(serde_json::json!({ "state": entry.state.key() }));
    audit.after = Some(serde_json::json!({
        "state": decision.state().key(),
        "reason": reason,
        "list": entry.list.key(),
        "starts_on": entry.starts_on,
        "ends_on": entry.ends_on,
    }));
    audit::record(&mut tx, &audit).await?;
    let stored = read(&mut tx, venue_id, id)
        .await?
        .ok_or_else(|| corrupt(format!("list entry {id} vanished")))?;
    tx.commit().await?;
    Ok(Outcome::Done(Box::new(stored)))
}

/// Locks one entry's row for the rest of the transaction: a statement and a
/// decision arriving together are taken one after the other.
async fn lock(conn: &mut sqlx::PgConnection, venue_id: i64, id: i64) -> Result<(), StoreError> {
    sqlx::query!(
        "SELECT id FROM list_entries WHERE venue_id = $1 AND id = $2 FOR UPDATE",
        venue_id,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(())
}

/// One venue on a public list.
#[derive(Debug, Clone)]
pub struct PublicListed {
    /// Entry id.
    pub entry_id: i64,
    /// The venue.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its region.
    pub region_code: String,
    /// Its category.
    pub category: String,
    /// Why it is listed.
    pub reason: String,
    /// The provision the decision rests on.
    pub legal_basis: String,
    /// The decision's number.
    pub decision_no: Option<String>,
    /// The decision's time.
    pub decided_at: DateTime<Utc>,
    /// First day in force.
    pub starts_on: NaiveDate,
    /// The day it ends.
    pub ends_on: NaiveDate,
}

/// The entries of `list` in force on `day`, by region then venue.
pub async fn in_force(
    pool: &PgPool,
    list: CreditList,
    day: NaiveDate,
) -> Result<Vec<PublicListed>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT l.id, l.venue_id, v.name, v.region_code::text AS "region_code!", v.category,
                  l.reason, l.legal_basis, l.decision_no, l.decided_at AS "decided_at!",
                  l.starts_on, l.ends_on
           FROM list_entries l JOIN venues v ON v.id = l.venue_id
           WHERE l.list = $1 AND l.state = 'listed' AND l.starts_on <= $2 AND l.ends_on > $2
           ORDER BY v.region_code, v.name, l.id
           LIMIT 10000"#,
        list.key(),
        day
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PublicListed {
            entry_id: r.id,
            venue_id: VenueId::new(r.venue_id),
            venue_name: r.name,
            region_code: r.region_code,
            category: r.category,
            reason: r.reason,
            legal_basis: r.legal_basis,
            decision_no: r.decision_no,
            decided_at: r.decided_at,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
        })
        .collect())
}

/// A venue on the quality list (优质旅游服务商名录).
#[derive(Debug, Clone)]
pub struct QualityListed {
    /// The venue.
    pub venue_id: VenueId,
    /// Its name.
    pub venue_name: String,
    /// Its region.
    pub region_code: String,
    /// Its category.
    pub category: String,
    /// Its published score.
    pub score: Option<f64>,
    /// When it last became tier A.
    pub since: DateTime<Utc>,
    /// The rule set the tier was decided with.
    pub rule_set_version: String,
}

/// Open venues in tier A, by region then name.
pub async fn tier_a(pool: &PgPool) -> Result<Vec<QualityListed>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id, v.name, v.region_code::text AS "region_code!", v.category,
                  s.score_0_100, h.since AS "since!", coalesce(s.rule_set_version, '') AS "version!"
           FROM venue_scores s
           JOIN venues v ON v.id = s.venue_id
           JOIN (SELECT venue_id, max(changed_at) AS since FROM tier_history
                 WHERE tier = 'A' GROUP BY venue_id) h ON h.venue_id = s.venue_id
           WHERE s.tier = 'A' AND v.closed_at IS NULL
           ORDER BY v.region_code, v.name, v.id
           LIMIT 10000"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| QualityListed {
            venue_id: VenueId::new(r.id),
            venue_name: r.name,
            region_code: r.region_code,
            category: r.category,
            score: r.score_0_100,
            since: r.since,
            rule_set_version: r.version,
        })
        .collect())
}
