//! Inspections (体检式暗访, regulators' requirements clause 25): stored
//! checklists, recorded visits with their items, what the venue's page
//! publishes of them (一公开), and the random draws (双随机). A new
//! inspection queues the venue's score refresh, so a failed one reaches the
//! tier within seconds.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::audit::{self, AuditEntry};
use super::photos::{self, PhotoRecord, PhotoStoreError, StagedPhotos};
use super::{ScopeFilter, StoreError};
use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use crate::domain::inspection::{
    Checklist, DrawCandidate, DrawPick, DrawRequest, InspectionOutcome, InspectionVisit,
};
use crate::domain::venue::RegionCode;

/// Stores a checklist (if this version is new) and makes it the active one.
/// A version already stored with other contents is refused: versions are
/// immutable, as recorded inspections name them.
pub async fn activate_checklist(pool: &PgPool, checklist: &Checklist) -> anyhow::Result<()> {
    let json = checklist.to_json();
    let mut tx = pool.begin().await?;
    // One activation at a time, so "exactly one active" holds between statements.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('inspection_checklists')::int8)")
        .execute(&mut *tx)
        .await?;
    let stored = sqlx::query_scalar!(
        "SELECT checklist FROM inspection_checklists WHERE version = $1",
        checklist.version
    )
    .fetch_optional(&mut *tx)
    .await?;
    match stored {
        Some(existing) if existing != json => anyhow::bail!(
            "inspection checklist version {:?} is already stored with different items; give the changed checklist a new version",
            checklist.version
        ),
        Some(_) => {}
        None => {
            sqlx::query!(
                "INSERT INTO inspection_checklists (version, checklist) VALUES ($1, $2)",
                checklist.version,
                json
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query!(
        "UPDATE inspection_checklists SET active = false WHERE active AND version <> $1",
        checklist.version
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE inspection_checklists SET active = true WHERE version = $1 AND NOT active",
        checklist.version
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A stored checklist: the named version, or the active one. `None` when
/// there is no such version (or a stored one no longer reads).
pub async fn checklist(
    pool: &PgPool,
    version: Option<&str>,
) -> Result<Option<Checklist>, StoreError> {
    let stored = sqlx::query_scalar!(
        r#"SELECT checklist FROM inspection_checklists
           WHERE ($1::text IS NULL AND active) OR version = $1"#,
        version
    )
    .fetch_optional(pool)
    .await?;
    Ok(stored.and_then(|json| Checklist::from_json(json).ok()))
}

/// One item's points of a recorded inspection.
#[derive(Debug, Clone)]
pub struct ItemRecord {
    /// The checklist item's key.
    pub key: String,
    /// Its points.
    pub points: i32,
}

/// A recorded inspection.
#[derive(Debug, Clone)]
pub struct InspectionRecord {
    /// Inspection id.
    pub id: i64,
    /// Venue id.
    pub venue_id: VenueId,
    /// The local day of the visit.
    pub inspected_on: NaiveDate,
    /// Whether it passed.
    pub passed: bool,
    /// The checklist version it was held against, if any.
    pub checklist_version: Option<String>,
    /// The items' total, when scored item by item.
    pub total_points: Option<i32>,
    /// The pass mark, when scored item by item.
    pub pass_mark: Option<i32>,
    /// What the inspector found.
    pub findings: Option<String>,
    /// Who recorded it (`account:3`, `token:7`).
    pub inspector: Option<String>,
    /// Who inspected, as named on the record.
    pub inspected_by: Option<String>,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Its items' points, when scored item by item.
    pub items: Vec<ItemRecord>,
    /// Its photos, oldest first.
    pub photos: Vec<PhotoRecord>,
}

/// Records an inspection with its items, its photos and its audit row, in
/// one transaction; the photos' files are put in place just before it
/// commits (see [`photos`]). `None` for a venue that does not exist or lies
/// outside `scope`, and then nothing is kept, files included.
pub async fn record(
    pool: &PgPool,
    venue_id: VenueId,
    (visit, outcome): (&InspectionVisit, &InspectionOutcome),
    scope: &ScopeFilter,
    staged: &mut StagedPhotos,
    mut audit: AuditEntry,
) -> Result<Option<InspectionRecord>, PhotoStoreError> {
    let mut tx = pool.begin().await?;
    let Some(region_code) = super::venues::region_in_scope(&mut tx, venue_id, scope).await? else {
        return Ok(None);
    };
    let (version, total_points, pass_mark, items) = match outcome {
        InspectionOutcome::Scored(result) => (
            Some(result.version.clone()),
            Some(points_i32(result.total_points)),
            Some(points_i32(result.pass_mark)),
            result
                .items
                .iter()
                .map(|i| ItemRecord {
                    key: i.key.clone(),
                    points: points_i32(i.points),
                })
                .collect(),
        ),
        InspectionOutcome::Declared {
            checklist_version, ..
        } => (checklist_version.clone(), None, None, Vec::new()),
    };
    let stored = sqlx::query!(
        r#"INSERT INTO inspections
               (venue_id, inspected_on, passed, notes, checklist_version, inspector,
                total_points, pass_mark, inspected_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id, recorded_at"#,
        venue_id.get(),
        visit.inspected_on,
        outcome.passed(),
        visit.findings,
        version,
        audit.actor,
        total_points,
        pass_mark,
        visit.inspected_by
    )
    .fetch_one(&mut *tx)
    .await?;
    for item in &items {
        sqlx::query!(
            "INSERT INTO inspection_items (venue_id, inspection_id, key, points) VALUES ($1, $2, $3, $4)",
            venue_id.get(),
            stored.id,
            item.key,
            item.points
        )
        .execute(&mut *tx)
        .await?;
    }
    let photos = photos::insert(&mut tx, venue_id, stored.id, staged).await?;
    super::scores::queue_refresh(&mut tx, venue_id).await?;
    audit.target = format!("inspection:{}", stored.id);
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({
        "inspected_on": visit.inspected_on,
        "passed": outcome.passed(),
        "checklist_version": version,
        "total_points": total_points,
        "pass_mark": pass_mark,
        "findings": visit.findings,
        "inspected_by": visit.inspected_by,
        "photos": photos::audit_json(&photos),
    }));
    audit::record(&mut tx, &audit).await?;
    staged.place().await.map_err(PhotoStoreError::Files)?;
    tx.commit().await?;
    staged.keep();
    Ok(Some(InspectionRecord {
        id: stored.id,
        venue_id,
        inspected_on: visit.inspected_on,
        passed: outcome.passed(),
        checklist_version: version,
        total_points,
        pass_mark,
        findings: visit.findings.clone(),
        inspector: Some(audit.actor),
        inspected_by: visit.inspected_by.clone(),
        recorded_at: stored.recorded_at,
        items,
        photos,
    }))
}

/// Points as stored; a checklist's points are far below `i32::MAX`.
fn points_i32(points: u32) -> i32 {
    i32::try_from(points).unwrap_or(i32::MAX)
}

/// A venue's inspections with their items and photos, latest visit first;
/// none when the venue lies outside `scope`.
pub async fn list(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Vec<InspectionRecord>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT i.id, i.inspected_on, i.passed, i.checklist_version, i.total_points,
                  i.pass_mark, i.notes, i.inspector, i.inspected_by, i.recorded_at
           FROM inspections i JOIN venues v ON v.id = i.venue_id
           WHERE i.venue_id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
           ORDER BY i.inspected_on DESC, i.id DESC LIMIT 1000"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let items = sqlx::query!(
        r#"SELECT inspection_id, key, points FROM inspection_items
           WHERE venue_id = $1 AND inspection_id = ANY($2)
           ORDER BY inspection_id, key"#,
        venue_id.get(),
        &ids
    )
    .fetch_all(pool)
    .await?;
    let mut photos = photos::of_inspections(pool, venue_id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| InspectionRecord {
            id: r.id,
            venue_id,
            inspected_on: r.inspected_on,
            passed: r.passed,
            checklist_version: r.checklist_version,
            total_points: r.total_points,
            pass_mark: r.pass_mark,
            findings: r.notes,
            inspector: r.inspector,
            inspected_by: r.inspected_by,
            recorded_at: r.recorded_at,
            items: items
                .iter()
                .filter(|i| i.inspection_id == r.id)
                .map(|i| ItemRecord {
                    key: i.key.clone(),
                    points: i.points,
                })
                .collect(),
            photos: photos.extract_if(.., |p| p.inspection_id == r.id).collect(),
        })
        .collect())
}

/// An inspection as the venue's public page shows it (一公开): no
/// inspector, no findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedInspection {
    /// The local day of the visit.
    pub inspected_on: NaiveDate,
    /// The checklist version, if any.
    pub checklist_version: Option<String>,
    /// Whether it passed.
    pub passed: bool,
}

/// A venue's latest inspections for its public page, latest first.
pub async fn published(
    pool: &PgPool,
    venue_id: VenueId,
    limit: i64,
) -> Result<Vec<PublishedInspection>, StoreError> {
    sqlx::query_as!(
        PublishedInspection,
        r#"SELECT inspected_on, checklist_version, passed FROM inspections
           WHERE venue_id = $1 ORDER BY inspected_on DESC, id DESC LIMIT $2"#,
        venue_id.get(),
        limit
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// The open venues of `region_codes` with their tier and their complaints
/// since `complaints_since`, in venue-id order.
pub async fn draw_candidates(
    pool: &PgPool,
    region_codes: &[String],
    complaints_since: DateTime<Utc>,
) -> Result<Vec<DrawCandidate>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id, s.tier, coalesce(c.n, 0) AS "recent_complaints!"
           FROM venues v
           LEFT JOIN venue_scores s ON s.venue_id = v.id
           LEFT JOIN (SELECT venue_id, count(*) AS n FROM complaints
                      WHERE created_at >= $2 GROUP BY venue_id) c ON c.venue_id = v.id
           WHERE v.region_code = ANY($1) AND v.closed_at IS NULL
           ORDER BY v.id"#,
        region_codes,
        complaints_since
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DrawCandidate {
            venue_id: VenueId::from(r.id),
            tier: r.tier.as_deref().and_then(Tier::parse),
            recent_complaints: r.recent_complaints,
        })
        .collect())
}

/// A stored draw and its picks.
#[derive(Debug, Clone)]
pub struct DrawRecord {
    /// Draw id.
    pub id: i64,
    /// The region drawn from (its whole subtree).
    pub region_code: String,
    /// The seed the draw replays from.
    pub seed: i64,
    /// Visits asked for.
    pub requested_count: i32,
    /// The inspector pool.
    pub inspectors: Vec<String>,
    /// Inspectors per visit.
    pub inspectors_per_visit: i32,
    /// How many open venues it drew from.
    pub candidates: i32,
    /// Who drew it.
    pub drawn_by: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
    /// The visits picked, in draw order.
    pub picks: Vec<DrawPick>,
}

/// Stores a draw, its picks and its audit row, in one transaction.
#[allow(clippy::too_many_arguments)] // each is one column of the draw; a struct would only rename them
pub async fn store_draw(
    pool: &PgPool,
    region_code: &RegionCode,
    seed: i64,
    request: &DrawRequest,
    candidates: usize,
    picks: &[DrawPick],
    drawn_at: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<DrawRecord, StoreError> {
    let mut tx = pool.begin().await?;
    let inspectors = serde_json::json!(request.inspectors);
    let candidates = i32::try_from(candidates).unwrap_or(i32::MAX);
    let id = sqlx::query_scalar!(
        r#"INSERT INTO inspection_draws
               (region_code, seed, requested_count, inspectors, inspectors_per_visit,
                candidates, drawn_by, drawn_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"#,
        region_code.as_str(),
        seed,
        i32::try_from(request.count).unwrap_or(i32::MAX),
        inspectors,
        i32::try_from(request.inspectors_per_visit).unwrap_or(i32::MAX),
        candidates,
        audit.actor,
        drawn_at
    )
    .fetch_one(&mut *tx)
    .await?;
    for (position, pick) in picks.iter().enumerate() {
        sqlx::query!(
            r#"INSERT INTO inspection_draw_picks (draw_id, position, venue_id, tier, weight, inspectors)
               VALUES ($1, $2, $3, $4, $5, $6)"#,
            id,
            i32::try_from(position).unwrap_or(i32::MAX),
            pick.venue_id.get(),
            pick.tier.map(Tier::letter),
            i32::try_from(pick.weight).unwrap_or(i32::MAX),
            serde_json::json!(pick.inspectors)
        )
        .execute(&mut *tx)
        .await?;
    }
    audit.target = format!("inspection_draw:{id}");
    audit.region_code = Some(region_code.to_string());
    audit.after = Some(serde_json::json!({
        "region_code": region_code.as_str(),
        "seed": seed,
        "count": request.count,
        "venue_ids": picks.iter().map(|p| p.venue_id.get()).collect::<Vec<_>>(),
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(DrawRecord {
        id,
        region_code: region_code.to_string(),
        seed,
        requested_count: i32::try_from(request.count).unwrap_or(i32::MAX),
        inspectors: request.inspectors.clone(),
        inspectors_per_visit: i32::try_from(request.inspectors_per_visit).unwrap_or(i32::MAX),
        candidates,
        drawn_by: audit.actor,
        drawn_at,
        picks: picks.to_vec(),
    })
}

/// A stored draw as the console lists it.
#[derive(Debug, Clone)]
pub struct DrawSummary {
    /// Draw id.
    pub id: i64,
    /// The region drawn from (its whole subtree).
    pub region_code: String,
    /// The seed the draw replays from.
    pub seed: i64,
    /// Visits asked for.
    pub requested_count: i32,
    /// How many open venues it drew from.
    pub candidates: i32,
    /// Visits it picked.
    pub picked: i64,
    /// Who drew it.
    pub drawn_by: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
}

/// The latest `limit` draws of regions in `scope`, latest first.
pub async fn recent_draws(
    pool: &PgPool,
    scope: &ScopeFilter,
    limit: i64,
) -> Result<Vec<DrawSummary>, StoreError> {
    sqlx::query_as!(
        DrawSummary,
        r#"SELECT d.id, d.region_code AS "region_code!", d.seed, d.requested_count, d.candidates,
                  (SELECT count(*) FROM inspection_draw_picks p WHERE p.draw_id = d.id)
                      AS "picked!",
                  d.drawn_by, d.drawn_at
           FROM inspection_draws d
           WHERE $1 OR d.region_code = ANY($2)
           ORDER BY d.drawn_at DESC, d.id DESC
           LIMIT $3"#,
        scope.all,
        &scope.region_codes as &[String],
        limit
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// A stored draw, if it exists and its region is one of `scope`'s.
pub async fn draw(
    pool: &PgPool,
    id: i64,
    scope: &ScopeFilter,
) -> Result<Option<DrawRecord>, StoreError> {
    let Some(row) = sqlx::query!(
        r#"SELECT id, region_code AS "region_code!", seed, requested_count, inspectors,
                  inspectors_per_visit, candidates, drawn_by, drawn_at
           FROM inspection_draws
           WHERE id = $1 AND ($2 OR region_code = ANY($3))"#,
        id,
        scope.all,
        &scope.region_codes as &[String]
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let picks = sqlx::query!(
        r#"SELECT venue_id, tier, weight, inspectors FROM inspection_draw_picks
           WHERE draw_id = $1 ORDER BY position"#,
        id
    )
    .fetch_all(pool)
    .await?;
    let names = |json: serde_json::Value| -> Vec<String> {
        serde_json::from_value(json).unwrap_or_default()
    };
    Ok(Some(DrawRecord {
        id: row.id,
        region_code: row.region_code,
        seed: row.seed,
        requested_count: row.requested_count,
        inspectors: names(row.inspectors),
        inspectors_per_visit: row.inspectors_per_visit,
        candidates: row.candidates,
        drawn_by: row.drawn_by,
        drawn_at: row.drawn_at,
        picks: picks
            .into_iter()
            .map(|p| DrawPick {
                venue_id: VenueId::from(p.venue_id),
                tier: p.tier.as_deref().and_then(Tier::parse),
                weight: u32::try_from(p.weight).unwrap_or(0),
                inspectors: names(p.inspectors),
            })
            .collect(),
    }))
}
