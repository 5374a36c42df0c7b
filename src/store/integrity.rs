//! Held ratings and their incidents: what the detectors of bought ratings
//! read, what they hold, and the reviewers' decisions on it.
//!
//! A held rating is quarantined like one a supervisor takes out by hand (so
//! it counts nowhere) and has a row in `integrity_holds` naming its incident
//! and the signals that fired on it. Releasing puts it back into every
//! aggregate; confirming keeps it out. A decided rating is never held again.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::moderation::{lock_ratings, place_in_scope, set_quarantine};
use super::{ScopeFilter, StoreError};
use crate::domain::ids::VenueId;

/// Who holds ratings, in the moderation log.
pub const DETECTOR_ACTOR: &str = "integrity-detector";

/// One stored rating as the detectors read it.
#[derive(Debug, Clone)]
pub struct StoredObservation {
    /// Venue.
    pub venue_id: i64,
    /// Rating id.
    pub id: i64,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Stars.
    pub overall: i16,
    /// Keyed device hash.
    pub device_hash: Vec<u8>,
    /// Keyed address-prefix hash; none on ratings stored before it was kept.
    pub network_hash: Option<Vec<u8>>,
    /// The comment, if any.
    pub comment: Option<String>,
    /// Quarantined (held, or taken out by hand).
    pub quarantined: bool,
    /// The venue's region.
    pub region_code: String,
    /// The venue's category.
    pub category: String,
}

/// Every rating of the days `from..=to` at venues whose region code starts
/// with `province` (two digits), oldest first. A background read: it is
/// not filtered by venue, and scans the month partitions of those days.
pub async fn observations(
    pool: &PgPool,
    province: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StoredObservation>, StoreError> {
    let mut rows: Vec<StoredObservation> = sqlx::query_as!(
        StoredObservation,
        r#"SELECT r.venue_id, r.id, r.created_at, r.overall, r.device_hash, r.network_hash,
                  r.comment, (r.quarantined_at IS NOT NULL) AS "quarantined!",
                  v.region_code AS "region_code!", v.category
           FROM ratings r JOIN venues v ON v.id = r.venue_id
           WHERE r.day BETWEEN $1 AND $2 AND left(v.region_code, 2) = $3"#,
        from,
        to,
        province
    )
    .fetch(pool)
    .try_collect()
    .await?;
    rows.sort_by_key(|r| (r.created_at, r.id));
    Ok(rows)
}

/// An incident found at one venue.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// The venue.
    pub venue_id: i64,
    /// The local day the detectors judged.
    pub detected_on: NaiveDate,
    /// The signal's key.
    pub signal: &'static str,
    /// `high`, `low` or empty.
    pub side: &'static str,
    /// First and last rating held.
    pub window_from: DateTime<Utc>,
    /// Last rating held.
    pub window_to: DateTime<Utc>,
    /// The signal's numbers.
    pub evidence: serde_json::Value,
    /// The ratings, each with every signal that fired on it.
    pub ratings: Vec<(i64, Vec<String>)>,
}

/// What one [`hold`] did.
#[derive(Debug, Clone, Default)]
pub struct HoldOutcome {
    /// The incident's id.
    pub incident_id: i64,
    /// Whether the incident is new.
    pub created: bool,
    /// The day of each rating newly held.
    pub held: Vec<NaiveDate>,
}

/// Records an incident (or adds to the one of its venue, day, signal and
/// side) and holds its ratings that are neither quarantined nor decided
/// already, in one transaction. A rating held before gains the new signals.
pub async fn hold(
    pool: &PgPool,
    incident: &NewIncident,
    now: DateTime<Utc>,
) -> Result<HoldOutcome, StoreError> {
    let mut tx = pool.begin().await?;
    let known = sqlx::query_scalar!(
        r#"SELECT id FROM integrity_incidents
           WHERE venue_id = $1 AND detected_on = $2 AND signal = $3 AND side = $4"#,
        incident.venue_id,
        incident.detected_on,
        incident.signal,
        incident.side
    )
    .fetch_optional(&mut *tx)
    .await?;
    let ids: Vec<i64> = incident.ratings.iter().map(|(id, _)| *id).collect();
    let locked = lock_ratings(&mut tx, incident.venue_id, &ids).await?;
    let decided: Vec<(i64, String)> = sqlx::query!(
        r#"SELECT rating_id, state FROM integrity_holds WHERE venue_id = $1 AND rating_id = ANY($2)"#,
        incident.venue_id,
        &ids
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.rating_id, r.state))
    .collect();
    let state_of = |id: i64| {
        decided
            .iter()
            .find(|(r, _)| *r == id)
            .map(|(_, s)| s.as_str())
    };
    let holds_new = locked
        .iter()
        .any(|(r, quarantined)| !quarantined && state_of(r.id).is_none());
    // What another incident holds already is its: no incident of nothing.
    if known.is_none() && !holds_new {
        add_signals(&mut tx, incident, &decided).await?;
        tx.commit().await?;
        return Ok(HoldOutcome::default());
    }
    let incident_id = sqlx::query_scalar!(
        r#"INSERT INTO integrity_incidents AS i
               (venue_id, detected_on, signal, side, window_from, window_to, evidence, detected_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (venue_id, detected_on, signal, side) DO UPDATE SET
               window_from = least(i.window_from, EXCLUDED.window_from),
               window_to = greatest(i.window_to, EXCLUDED.window_to),
               evidence = EXCLUDED.evidence
           RETURNING id"#,
        incident.venue_id,
        incident.detected_on,
        incident.signal,
        incident.side,
        incident.window_from,
        incident.window_to,
        incident.evidence,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    // Held already: it gains what fired now. Decided by a person: it stays
    // as decided. Quarantined by hand: out of the counts already.
    add_signals(&mut tx, incident, &decided).await?;
    let mut held = Vec::new();
    for (rating, quarantined) in locked {
        if quarantined || state_of(rating.id).is_some() {
            continue;
        }
        let signals = incident
            .ratings
            .iter()
            .find(|(id, _)| *id == rating.id)
            .map(|(_, s)| s.clone())
            .unwrap_or_default();
        let reason = format!("held: {}", signals.join(", "));
        set_quarantine(&mut tx, &rating, true, &reason, DETECTOR_ACTOR).await?;
        sqlx::query!(
            r#"INSERT INTO integrity_holds
                   (venue_id, rating_id, day, incident_id, signals, held_at)
               VALUES ($1, $2, $3, $4, $5, $6)"#,
            rating.venue_id,
            rating.id,
            rating.day,
            incident_id,
            &signals,
            now
        )
        .execute(&mut *tx)
        .await?;
        held.push(rating.day);
    }
    tx.commit().await?;
    Ok(HoldOutcome {
        incident_id,
        created: known.is_none(),
        held,
    })
}

/// Adds an incident's signals to the ratings of it that are still held.
async fn add_signals(
    tx: &mut sqlx::PgConnection,
    incident: &NewIncident,
    holds: &[(i64, String)],
) -> Result<(), StoreError> {
    for (id, signals) in &incident.ratings {
        if holds.iter().any(|(r, state)| r == id && state == "held") {
            sqlx::query!(
                r#"UPDATE integrity_holds
                   SET signals = ARRAY(SELECT DISTINCT s FROM unnest(signals || $3::text[]) AS s
                                       ORDER BY s)
                   WHERE venue_id = $1 AND rating_id = $2"#,
                incident.venue_id,
                id,
                signals
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

/// What a reviewer decides on held ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldDecision {
    /// Back into every count.
    Release,
    /// Bought: stays out.
    Confirm,
}

impl HoldDecision {
    fn state(self) -> &'static str {
        match self {
            HoldDecision::Release => "released",
            HoldDecision::Confirm => "confirmed",
        }
    }
}

/// Marks a rating's hold decided, if it is held; the rating's quarantine is
/// the caller's. Returns whether a hold was decided.
pub(super) async fn decide_hold_in(
    tx: &mut sqlx::PgConnection,
    venue_id: i64,
    rating_id: i64,
    decision: HoldDecision,
    reason: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let done = sqlx::query!(
        r#"UPDATE integrity_holds
           SET state = $3, decided_at = $6, decided_by = $5, reason = $4
           WHERE venue_id = $1 AND rating_id = $2 AND state = 'held'"#,
        venue_id,
        rating_id,
        decision.state(),
        reason,
        actor,
        Utc::now()
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// What deciding held ratings did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Decided; the venue's region and category (for the live counters) and
    /// the ratings released, by day.
    Done {
        /// The venue.
        venue_id: VenueId,
        /// Its region.
        region_code: String,
        /// Its category.
        category: String,
        /// Ratings decided.
        decided: u32,
        /// Days of the ratings released, one per rating.
        released_days: Vec<NaiveDate>,
    },
    /// No incident or held rating with this id in the caller's scope.
    Unknown,
    /// Nothing of it is still held.
    NothingHeld,
}

/// Which held ratings a decision is on.
#[derive(Debug, Clone, Copy)]
pub enum DecisionTarget {
    /// Every rating the incident still holds.
    Incident(i64),
    /// One rating.
    Rating(i64),
}

/// Releases or confirms the ratings still held of an incident, or one held
/// rating, within `scope`; one audit row for the whole decision.
pub async fn decide(
    pool: &PgPool,
    target: DecisionTarget,
    decision: HoldDecision,
    reason: &str,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Decided, StoreError> {
    let mut tx = pool.begin().await?;
    let venue_id = match target {
        DecisionTarget::Incident(id) => {
            sqlx::query_scalar!("SELECT venue_id FROM integrity_incidents WHERE id = $1", id)
                .fetch_optional(&mut *tx)
                .await?
        }
        DecisionTarget::Rating(id) => {
            sqlx::query_scalar!(
                "SELECT venue_id FROM integrity_holds WHERE rating_id = $1",
                id
            )
            .fetch_optional(&mut *tx)
            .await?
        }
    };
    let Some(venue_id) = venue_id else {
        return Ok(Decided::Unknown);
    };
    let Some((region_code, category)) = place_in_scope(&mut tx, venue_id, scope).await? else {
        return Ok(Decided::Unknown);
    };
    let (incident_id, rating_id) = match target {
        DecisionTarget::Incident(id) => (Some(id), None),
        DecisionTarget::Rating(id) => (None, Some(id)),
    };
    let held: Vec<i64> = sqlx::query_scalar!(
        r#"SELECT rating_id FROM integrity_holds
           WHERE venue_id = $1 AND state = 'held'
             AND ($2::int8 IS NULL OR incident_id = $2)
             AND ($3::int8 IS NULL OR rating_id = $3)
           ORDER BY rating_id"#,
        venue_id,
        incident_id,
        rating_id
    )
    .fetch_all(&mut *tx)
    .await?;
    if held.is_empty() {
        return Ok(Decided::NothingHeld);
    }
    let locked = lock_ratings(&mut tx, venue_id, &held).await?;
    let mut released_days = Vec::new();
    for (rating, quarantined) in &locked {
        decide_hold_in(&mut tx, venue_id, rating.id, decision, reason, &audit.actor).await?;
        if decision == HoldDecision::Release && *quarantined {
            set_quarantine(&mut tx, rating, false, reason, &audit.actor).await?;
            released_days.push(rating.day);
        }
    }
    audit.target = match target {
        DecisionTarget::Incident(id) => format!("incident:{id}"),
        DecisionTarget::Rating(id) => format!("rating:{id}"),
    };
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id.into());
    audit.before = Some(serde_json::json!({ "held": held.len() }));
    audit.after = Some(serde_json::json!({
        "decision": decision.state(),
        "ratings": held,
        "reason": reason,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Decided::Done {
        venue_id: venue_id.into(),
        region_code: region_code.to_string(),
        category,
        decided: locked.len() as u32,
        released_days,
    })
}

/// An incident as the review queue lists it.
#[derive(Debug, Clone)]
pub struct IncidentRow {
    /// Incident id.
    pub id: i64,
    /// Venue.
    pub venue_id: i64,
    /// Venue name.
    pub venue_name: String,
    /// Venue region.
    pub region_code: String,
    /// The day judged.
    pub detected_on: NaiveDate,
    /// Signal key.
    pub signal: String,
    /// `high`, `low` or empty.
    pub side: String,
    /// First rating held.
    pub window_from: DateTime<Utc>,
    /// Last rating held.
    pub window_to: DateTime<Utc>,
    /// The signal's numbers.
    pub evidence: serde_json::Value,
    /// When it was first detected.
    pub detected_at: DateTime<Utc>,
    /// Ratings still held.
    pub held: i64,
    /// Ratings released.
    pub released: i64,
    /// Ratings confirmed.
    pub confirmed: i64,
}

/// One page of incidents in scope: those still holding ratings first (the
/// ones holding several before single held ratings), newest first; with
/// `open_only` only those. Also the total.
pub async fn incidents(
    pool: &PgPool,
    scope: &ScopeFilter,
    open_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<IncidentRow>, i64), StoreError> {
    let rows = sqlx::query_as!(
        IncidentRow,
        r#"SELECT i.id, i.venue_id, v.name AS venue_name, v.region_code AS "region_code!",
                  i.detected_on, i.signal, i.side, i.window_from, i.window_to, i.evidence,
                  i.detected_at,
                  coalesce(h.held, 0) AS "held!", coalesce(h.released, 0) AS "released!",
                  coalesce(h.confirmed, 0) AS "confirmed!"
           FROM integrity_incidents i
           JOIN venues v ON v.id = i.venue_id
           LEFT JOIN (SELECT venue_id, incident_id,
                             count(*) FILTER (WHERE state = 'held') AS held,
                             count(*) FILTER (WHERE state = 'released') AS released,
                             count(*) FILTER (WHERE state = 'confirmed') AS confirmed
                      FROM integrity_holds GROUP BY venue_id, incident_id) h
                  ON h.venue_id = i.venue_id AND h.incident_id = i.id
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND (NOT $4 OR coalesce(h.held, 0) > 0)
           ORDER BY coalesce(h.held, 0) > 0 DESC, coalesce(h.held, 0) > 1 DESC,
                    i.detected_at DESC, i.id DESC
           LIMIT $5 OFFSET $6"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        open_only,
        limit,
        offset
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!"
           FROM integrity_incidents i
           JOIN venues v ON v.id = i.venue_id
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND (NOT $4 OR EXISTS (SELECT 1 FROM integrity_holds h
                                    WHERE h.venue_id = i.venue_id AND h.incident_id = i.id
                                      AND h.state = 'held'))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        open_only
    )
    .fetch_one(pool)
    .await?;
    Ok((rows, total))
}

/// A rating an incident holds or held, for the reviewer.
#[derive(Debug, Clone)]
pub struct HeldRatingRow {
    /// Rating id.
    pub rating_id: i64,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Stars.
    pub overall: i16,
    /// Tags.
    pub tags: Vec<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Every signal that fired on it.
    pub signals: Vec<String>,
    /// `held`, `released` or `confirmed`.
    pub state: String,
    /// Who decided, when, why.
    pub decided_by: Option<String>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Why.
    pub reason: Option<String>,
}

/// One incident in scope with its ratings, oldest first.
pub async fn incident(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<(IncidentRow, Vec<HeldRatingRow>)>, StoreError> {
    let Some(venue_id) =
        sqlx::query_scalar!("SELECT venue_id FROM integrity_incidents WHERE id = $1", id)
            .fetch_optional(pool)
            .await?
    else {
        return Ok(None);
    };
    let Some(incident) = sqlx::query_as!(
        IncidentRow,
        r#"SELECT i.id, i.venue_id, v.name AS venue_name, v.region_code AS "region_code!",
                  i.detected_on, i.signal, i.side, i.window_from, i.window_to, i.evidence,
                  i.detected_at,
                  (SELECT count(*) FROM integrity_holds h WHERE h.venue_id = $2
                      AND h.incident_id = $1 AND h.state = 'held') AS "held!",
                  (SELECT count(*) FROM integrity_holds h WHERE h.venue_id = $2
                      AND h.incident_id = $1 AND h.state = 'released') AS "released!",
                  (SELECT count(*) FROM integrity_holds h WHERE h.venue_id = $2
                      AND h.incident_id = $1 AND h.state = 'confirmed') AS "confirmed!"
           FROM integrity_incidents i JOIN venues v ON v.id = i.venue_id
           WHERE i.id = $1 AND i.venue_id = $2 AND v.id = $2
             AND ($3 OR v.region_code = ANY($4) OR v.id = ANY($5))"#,
        id,
        venue_id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let ratings = sqlx::query_as!(
        HeldRatingRow,
        r#"SELECT h.rating_id, r.created_at, r.overall, r.tags, r.comment, h.signals, h.state,
                  h.decided_by, h.decided_at, h.reason
           FROM integrity_holds h
           JOIN ratings r ON r.venue_id = h.venue_id AND r.id = h.rating_id AND r.day = h.day
           WHERE h.venue_id = $1 AND h.incident_id = $2
           ORDER BY r.created_at, h.rating_id"#,
        venue_id,
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(Some((incident, ratings)))
}

/// How many of a venue's ratings are held for review: all its staff see.
pub async fn under_review(pool: &PgPool, venue_id: VenueId) -> Result<i64, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM integrity_holds WHERE venue_id = $1 AND state = 'held'"#,
        venue_id.get()
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}
