//! Venues and their QR codes.

use crate::domain::ids::VenueId;
use crate::domain::venue::RegionCode;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::code::{CURRENT_KEY_VERSION, VenueCode};
use crate::domain::venue::NewVenue;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError, violated_constraint};

/// A venue as the JSON API shows it.
#[derive(Debug, Clone)]
pub struct Venue {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Postal address, if given.
    pub address: Option<String>,
    /// Six-digit region code.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// The live code printed in the QR code.
    pub code: String,
    /// When the venue was created.
    pub created_at: DateTime<Utc>,
    /// When it closed, if it has.
    pub closed_at: Option<DateTime<Utc>>,
}

/// What the rating page needs to know about the venue behind a code.
#[derive(Debug, Clone)]
pub struct VenueCard {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Region code of the venue itself.
    pub region_code: RegionCode,
    /// The venue's region and its ancestors, nearest first.
    pub region_path: Vec<String>,
    /// Region name in Chinese.
    pub region_name_zh: String,
    /// Region name in English.
    pub region_name_en: String,
    /// Category key.
    pub category: String,
    /// Category name in Chinese.
    pub category_name_zh: String,
    /// Category name in English.
    pub category_name_en: String,
}

/// What a scanned code turned out to be.
#[derive(Debug, Clone)]
pub enum CodeStatus {
    /// The venue's live code.
    Active(std::sync::Arc<VenueCard>),
    /// The live code of a venue that has closed: it takes no ratings.
    Closed(std::sync::Arc<VenueCard>),
    /// A code the venue has since replaced.
    Replaced,
    /// Not a code this service issued.
    Unknown,
}

/// Why creating a venue failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateVenueError {
    /// The region code is not in the reference tree.
    #[error("unknown region")]
    UnknownRegion,
    /// The category key is not in the reference list.
    #[error("unknown category")]
    UnknownCategory,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a venue and mints its first code, in one transaction.
pub async fn create(
    pool: &PgPool,
    code_key: &[u8],
    new: &NewVenue,
    mut audit: AuditEntry,
) -> Result<Venue, CreateVenueError> {
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let inserted = sqlx::query!(
        r#"INSERT INTO venues (region_code, category, name, address)
           VALUES ($1, $2, $3, $4)
           RETURNING id, created_at"#,
        new.region_code.as_str(),
        new.category.as_str(),
        new.name.as_str(),
        new.address.as_deref()
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match violated_constraint(&e) {
        Some("venues_region_fkey") => CreateVenueError::UnknownRegion,
        Some("venues_category_fkey") => CreateVenueError::UnknownCategory,
        _ => StoreError::from(e).into(),
    })?;
    let code = VenueCode::mint(code_key, CURRENT_KEY_VERSION, inserted.id.into(), 0);
    issue_code(&mut tx, inserted.id.into(), &code, 0).await?;
    // Scored (unpublished) and tiered on the next refresh, so it is listed at once.
    super::scores::queue_refresh(&mut tx, inserted.id.into()).await?;
    let venue = Venue {
        id: inserted.id.into(),
        name: new.name.as_str().to_owned(),
        address: new.address.clone(),
        region_code: new.region_code.clone(),
        category: new.category.as_str().to_owned(),
        code: code.as_str().to_owned(),
        created_at: inserted.created_at,
        closed_at: None,
    };
    audit.target = format!("venue:{}", venue.id);
    audit.region_code = Some(venue.region_code.to_string());
    audit.venue_id = Some(venue.id);
    audit.after = Some(serde_json::json!({
        "name": venue.name, "region_code": venue.region_code, "category": venue.category,
        "address": venue.address, "code": venue.code,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(venue)
}

/// A venue as anyone may see it: everything but its code.
#[derive(Debug, Clone)]
pub struct PublicVenue {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Postal address, if given.
    pub address: Option<String>,
    /// Six-digit region code.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// When the venue was created.
    pub created_at: DateTime<Utc>,
    /// When it closed, if it has.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Loads a venue without its code, for anyone.
pub async fn public(pool: &PgPool, venue_id: VenueId) -> Result<Option<PublicVenue>, StoreError> {
    sqlx::query_as!(
        PublicVenue,
        r#"SELECT id, name, address, region_code AS "region_code: RegionCode", category, created_at,
                  closed_at
           FROM venues WHERE id = $1"#,
        venue_id.get()
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A venue with its live code, if it exists and lies within `scope`: the
/// code is for the venue's staff and the regulators and admins over it.
pub async fn in_scope(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Option<Venue>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT v.id, v.name, v.address, v.region_code AS "region_code: RegionCode", v.category,
                  v.created_at, v.closed_at, c.code
           FROM venues v
           JOIN venue_codes c ON c.venue_id = v.id AND c.replaced_at IS NULL
           WHERE v.id = $1 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Venue {
        id: r.id.into(),
        name: r.name,
        address: r.address,
        region_code: r.region_code,
        category: r.category,
        code: r.code,
        created_at: r.created_at,
        closed_at: r.closed_at,
    }))
}

/// The region of a venue within `scope`, read inside the caller's
/// transaction before it writes something about the venue; `None` for a
/// venue that does not exist or lies outside `scope`. One statement for
/// every write that must first find the venue in the caller's reach.
pub async fn region_in_scope(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Option<RegionCode>, StoreError> {
    let region = sqlx::query_scalar!(
        r#"SELECT region_code AS "region_code!: RegionCode" FROM venues
           WHERE id = $1 AND ($2 OR region_code = ANY($3) OR id = ANY($4))"#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(conn)
    .await?;
    Ok(region)
}

/// A venue with its live code, as a poster or a code file prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedVenue {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// The live code printed in the QR code.
    pub code: String,
}

/// Up to `limit` open venues (closed ones print no poster) with their live
/// codes, by id: those of the region `within` lists (its subtree, or every
/// region) that also lie within the caller's `scope`, of one category when
/// `category` names it.
pub async fn open_with_codes(
    pool: &PgPool,
    within: &ScopeFilter,
    scope: &ScopeFilter,
    category: Option<&str>,
    limit: i64,
) -> Result<Vec<CodedVenue>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id, v.name, c.code
           FROM venues v
           JOIN venue_codes c ON c.venue_id = v.id AND c.replaced_at IS NULL
           WHERE v.closed_at IS NULL
             AND ($1 OR v.region_code = ANY($2))
             AND ($3 OR v.region_code = ANY($4) OR v.id = ANY($5))
             AND ($6::text IS NULL OR v.category = $6)
           ORDER BY v.id
           LIMIT $7"#,
        within.all,
        &within.region_codes as &[String],
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        category,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CodedVenue {
            id: r.id.into(),
            name: r.name,
            code: r.code,
        })
        .collect())
}

/// How many venues [`open_with_codes`] would list without a limit.
pub async fn count_open(
    pool: &PgPool,
    within: &ScopeFilter,
    scope: &ScopeFilter,
    category: Option<&str>,
) -> Result<i64, StoreError> {
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!" FROM venues v
           WHERE v.closed_at IS NULL
             AND ($1 OR v.region_code = ANY($2))
             AND ($3 OR v.region_code = ANY($4) OR v.id = ANY($5))
             AND ($6::text IS NULL OR v.category = $6)"#,
        within.all,
        &within.region_codes as &[String],
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        category
    )
    .fetch_one(pool)
    .await?;
    Ok(total)
}

/// Replaces a venue's live code with a new one; the old one answers
/// "replaced". `None` for a venue that does not exist or lies outside `scope`.
pub async fn reissue_code(
    pool: &PgPool,
    code_key: &[u8],
    venue_id: VenueId,
    scope: &ScopeFilter,
    mut audit: AuditEntry,
) -> Result<Option<String>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some(venue) = sqlx::query!(
        r#"UPDATE venues SET code_seq = code_seq + 1
           WHERE id = $1 AND ($2 OR region_code = ANY($3) OR id = ANY($4))
           RETURNING code_seq, region_code AS "region_code: RegionCode""#,
        venue_id.get(),
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let old: Option<String> = sqlx::query_scalar!(
        "UPDATE venue_codes SET replaced_at = now() WHERE venue_id = $1 AND replaced_at IS NULL
         RETURNING code",
        venue_id.get()
    )
    .fetch_optional(&mut *tx)
    .await?;
    let code = VenueCode::mint(code_key, CURRENT_KEY_VERSION, venue_id, venue.code_seq);
    issue_code(&mut tx, venue_id, &code, venue.code_seq).await?;
    audit.target = format!("venue:{venue_id}");
    audit.region_code = Some(venue.region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.before = Some(serde_json::json!({ "code": old }));
    audit.after = Some(serde_json::json!({ "code": code.as_str() }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(code.as_str().to_owned()))
}

/// Records a newly minted code: with its venue, and in the code → venue
/// index a scan starts from.
async fn issue_code(
    tx: &mut sqlx::PgConnection,
    venue_id: VenueId,
    code: &VenueCode,
    code_seq: i32,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO venue_codes (venue_id, code, key_version, code_seq) VALUES ($1, $2, $3, $4)",
        venue_id.get(),
        code.as_str(),
        i16::from(CURRENT_KEY_VERSION),
        code_seq
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO code_venues (code, venue_id) VALUES ($1, $2)",
        code.as_str(),
        venue_id.get()
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Resolves a scanned code, checking its MAC so a row planted in the table is
/// not enough. Two lookups, each answered by one node of a cluster: the code
/// names its venue, then the venue's own rows give the card.
pub async fn lookup_code(
    pool: &PgPool,
    code_key: &[u8],
    code: &VenueCode,
) -> Result<CodeStatus, StoreError> {
    let venue_id = sqlx::query_scalar!(
        "SELECT venue_id FROM code_venues WHERE code = $1",
        code.as_str()
    )
    .fetch_optional(pool)
    .await?;
    let Some(venue_id) = venue_id else {
        return Ok(CodeStatus::Unknown);
    };
    let row = sqlx::query!(
        r#"WITH RECURSIVE path(code, parent_code, depth) AS (
               SELECT r.code, r.parent_code, 0 FROM regions r
               JOIN venues v ON v.region_code = r.code
               WHERE v.id = $2
             UNION ALL
               SELECT r.code, r.parent_code, path.depth + 1 FROM regions r
               JOIN path ON r.code = path.parent_code
           )
           SELECT vc.venue_id, vc.code_seq, vc.replaced_at IS NOT NULL AS "replaced!",
                  v.closed_at IS NOT NULL AS "closed!",
                  v.name, v.region_code AS "region_code: RegionCode", v.category,
                  r.name_zh AS region_name_zh, r.name_en AS region_name_en,
                  c.name_zh AS category_name_zh, c.name_en AS category_name_en,
                  ARRAY(SELECT path.code::text FROM path ORDER BY path.depth) AS "region_path!: Vec<String>"
           FROM venue_codes vc
           JOIN venues v ON v.id = vc.venue_id
           JOIN regions r ON r.code = v.region_code
           JOIN categories c ON c.key = v.category
           WHERE vc.venue_id = $2 AND v.id = $2 AND vc.code = $1"#,
        code.as_str(),
        venue_id
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(CodeStatus::Unknown);
    };
    if !code.verify(code_key, row.venue_id.into(), row.code_seq) {
        return Ok(CodeStatus::Unknown);
    }
    if row.replaced {
        return Ok(CodeStatus::Replaced);
    }
    let card = std::sync::Arc::new(VenueCard {
        id: row.venue_id.into(),
        name: row.name,
        region_code: row.region_code,
        region_path: row.region_path,
        region_name_zh: row.region_name_zh,
        region_name_en: row.region_name_en,
        category: row.category,
        category_name_zh: row.category_name_zh,
        category_name_en: row.category_name_en,
    });
    Ok(if row.closed {
        CodeStatus::Closed(card)
    } else {
        CodeStatus::Active(card)
    })
}

/// A venue as a picker offers it.
#[derive(Debug, Clone)]
pub struct VenueChoice {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Six-digit region code.
    pub region_code: RegionCode,
}

/// Up to `limit` venues within `scope` whose name holds `name_part` (every
/// venue when it is empty), the venues `keep` first (those already chosen,
/// whatever their name), then by name; and how many match in all.
pub async fn choices_in_scope(
    pool: &PgPool,
    scope: &ScopeFilter,
    name_part: &str,
    keep: &[VenueId],
    limit: i64,
) -> Result<(Vec<VenueChoice>, i64), StoreError> {
    let items = sqlx::query_as!(
        VenueChoice,
        r#"SELECT v.id, v.name, v.region_code AS "region_code!: RegionCode"
           FROM venues v
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND (strpos(lower(v.name), lower($4)) > 0 OR v.id = ANY($5))
           ORDER BY (v.id = ANY($5)) DESC, v.name, v.id
           LIMIT $6"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        name_part,
        keep as &[VenueId],
        limit
    )
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "total!" FROM venues v
           WHERE ($1 OR v.region_code = ANY($2) OR v.id = ANY($3))
             AND (strpos(lower(v.name), lower($4)) > 0 OR v.id = ANY($5))"#,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids,
        name_part,
        keep as &[VenueId]
    )
    .fetch_one(pool)
    .await?;
    Ok((items, total))
}
