//! Demonstration-unit campaigns (示范单位推荐, regulators' requirements
//! section C): campaigns and their quotas (reference tables on a cluster),
//! the venues' nominations and awards (venue-side), each change with its
//! audit row in its own transaction.
//!
//! The quota holds under concurrent confirmations: a confirmation first
//! takes the region's quota row lock (an `UPDATE` of that row, which every
//! writer of the region's list makes first), then writes the venue's
//! nomination, then stores the new count, which a `CHECK` bounds by the
//! quota. On Citus the quota row is a reference-table row, locked on every
//! node in the same order, so the same holds there.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::StoreError;
use super::audit::{self, AuditEntry};
use crate::domain::campaign::{Ambassador, NewCampaign, PeriodRatings, Weights};
use crate::domain::ids::VenueId;

/// A campaign as stored.
#[derive(Debug, Clone)]
pub struct CampaignRecord {
    /// Campaign id.
    pub id: i64,
    /// The prefecture it belongs to.
    pub prefecture_code: String,
    /// Its name.
    pub name: String,
    /// Award year.
    pub year: i32,
    /// Category keys.
    pub categories: Vec<String>,
    /// Last day for the counties' lists.
    pub deadline: NaiveDate,
    /// Period start.
    pub period_start: NaiveDate,
    /// Period end.
    pub period_end: NaiveDate,
    /// Weights.
    pub weights: Weights,
    /// Ratings needed to be ranked.
    pub min_ratings: i32,
    /// Excluded award years.
    pub excluded_award_years: Vec<i32>,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who awarded the units, once done.
    pub awarded_by: Option<String>,
    /// When.
    pub awarded_at: Option<DateTime<Utc>>,
}

struct CampaignRow {
    id: i64,
    prefecture_code: String,
    name: String,
    year: i32,
    categories: Vec<String>,
    deadline: NaiveDate,
    period_start: NaiveDate,
    period_end: NaiveDate,
    weight_environment: f64,
    weight_skill: f64,
    weight_attitude: f64,
    min_ratings: i32,
    excluded_award_years: Vec<i32>,
    created_by: String,
    created_at: DateTime<Utc>,
    awarded_by: Option<String>,
    awarded_at: Option<DateTime<Utc>>,
}

impl From<CampaignRow> for CampaignRecord {
    fn from(r: CampaignRow) -> Self {
        Self {
            id: r.id,
            prefecture_code: r.prefecture_code,
            name: r.name,
            year: r.year,
            categories: r.categories,
            deadline: r.deadline,
            period_start: r.period_start,
            period_end: r.period_end,
            weights: Weights {
                environment: r.weight_environment,
                skill: r.weight_skill,
                attitude: r.weight_attitude,
            },
            min_ratings: r.min_ratings,
            excluded_award_years: r.excluded_award_years,
            created_by: r.created_by,
            created_at: r.created_at,
            awarded_by: r.awarded_by,
            awarded_at: r.awarded_at,
        }
    }
}

/// A region's quota and the state of its list.
#[derive(Debug, Clone)]
pub struct QuotaRecord {
    /// Region code.
    pub region_code: String,
    /// Quota.
    pub quota: i32,
    /// The file's note.
    pub note: Option<String>,
    /// Confirmed nominations now.
    pub confirmed: i32,
    /// open, submitted, confirmed or sent_back.
    pub state: String,
    /// Who submitted the list.
    pub submitted_by: Option<String>,
    /// When.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who confirmed or sent it back.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<DateTime<Utc>>,
    /// Why it was sent back.
    pub sent_back_reason: Option<String>,
}

/// Creates a campaign with its quotas and its audit row, in one transaction.
pub async fn create(
    pool: &PgPool,
    new: &NewCampaign,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO campaigns (prefecture_code, name, year, categories, deadline, period_start,
                                  period_end, weight_environment, weight_skill, weight_attitude,
                                  min_ratings, excluded_award_years, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           RETURNING id"#,
        new.prefecture_code,
        new.name,
        new.year,
        &new.categories,
        new.deadline,
        new.period_start,
        new.period_end,
        new.weights.environment,
        new.weights.skill,
        new.weights.attitude,
        new.min_ratings,
        &new.excluded_award_years,
        audit.actor,
        now
    )
    .fetch_one(&mut *tx)
    .await?;
    for row in &new.quotas {
        sqlx::query!(
            r#"INSERT INTO campaign_quotas (campaign_id, region_code, quota, note)
               VALUES ($1, $2, $3, $4)"#,
            id,
            row.region_code,
            row.quota,
            row.note
        )
        .execute(&mut *tx)
        .await?;
    }
    audit.target = format!("campaign:{id}");
    audit.region_code = Some(new.prefecture_code.clone());
    audit.after = Some(serde_json::json!({
        "name": new.name,
        "year": new.year,
        "categories": new.categories,
        "deadline": new.deadline,
        "period_start": new.period_start,
        "period_end": new.period_end,
        "weights": new.weights,
        "min_ratings": new.min_ratings,
        "excluded_award_years": new.excluded_award_years,
        "quotas": new.quotas.iter().map(|q| serde_json::json!({"region_code": q.region_code, "quota": q.quota})).collect::<Vec<_>>(),
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(id)
}

/// One campaign.
pub async fn get(pool: &PgPool, id: i64) -> Result<Option<CampaignRecord>, StoreError> {
    let row = sqlx::query_as!(
        CampaignRow,
        r#"SELECT id, prefecture_code::text AS "prefecture_code!", name, year, categories, deadline,
                  period_start, period_end, weight_environment, weight_skill, weight_attitude,
                  min_ratings, excluded_award_years, created_by, created_at, awarded_by, awarded_at
           FROM campaigns WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(CampaignRecord::from))
}

/// Campaigns of these prefectures (every one with `all`), newest first.
pub async fn list(
    pool: &PgPool,
    all: bool,
    prefecture_codes: &[String],
) -> Result<Vec<CampaignRecord>, StoreError> {
    let rows = sqlx::query_as!(
        CampaignRow,
        r#"SELECT id, prefecture_code::text AS "prefecture_code!", name, year, categories, deadline,
                  period_start, period_end, weight_environment, weight_skill, weight_attitude,
                  min_ratings, excluded_award_years, created_by, created_at, awarded_by, awarded_at
           FROM campaigns WHERE $1 OR prefecture_code = ANY($2)
           ORDER BY year DESC, id DESC LIMIT 1000"#,
        all,
        prefecture_codes as &[String]
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(CampaignRecord::from).collect())
}

/// A campaign's quotas, by region code.
pub async fn quotas(pool: &PgPool, campaign_id: i64) -> Result<Vec<QuotaRecord>, StoreError> {
    sqlx::query_as!(
        QuotaRecord,
        r#"SELECT region_code::text AS "region_code!", quota, note, confirmed, state,
                  submitted_by, submitted_at, reviewed_by, reviewed_at, sent_back_reason
           FROM campaign_quotas WHERE campaign_id = $1 ORDER BY region_code"#,
        campaign_id
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// A venue of a region with its ratings over a period.
#[derive(Debug, Clone)]
pub struct VenuePeriod {
    /// Venue id.
    pub venue_id: VenueId,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// Its ratings in the period.
    pub period: PeriodRatings,
}

/// The open venues of exactly `region_code` in the campaign's categories,
/// with their ratings summed over the period from the day aggregates.
pub async fn period_ratings(
    pool: &PgPool,
    campaign: &CampaignRecord,
    region_code: &str,
) -> Result<Vec<VenuePeriod>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id, v.name, v.category,
                  coalesce(sum(d.ratings_count), 0)::int8 AS "ratings!",
                  coalesce(sum(d.overall_hist[4] + d.overall_hist[5]), 0)::int8 AS "good!",
                  coalesce(sum(d.environment_count), 0)::int8 AS "env_n!",
                  coalesce(sum(d.environment_sum), 0)::int8 AS "env_sum!",
                  coalesce(sum(d.skill_count), 0)::int8 AS "skill_n!",
                  coalesce(sum(d.skill_sum), 0)::int8 AS "skill_sum!",
                  coalesce(sum(d.attitude_count), 0)::int8 AS "att_n!",
                  coalesce(sum(d.attitude_sum), 0)::int8 AS "att_sum!"
           FROM venues v
           LEFT JOIN venue_day_stats d ON d.venue_id = v.id AND d.day BETWEEN $3 AND $4
           WHERE v.region_code = $1 AND v.category = ANY($2) AND v.closed_at IS NULL
           GROUP BY v.id, v.name, v.category
           LIMIT 20000"#,
        region_code,
        &campaign.categories,
        campaign.period_start,
        campaign.period_end
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VenuePeriod {
            venue_id: VenueId::new(r.id),
            name: r.name,
            category: r.category,
            period: PeriodRatings {
                ratings: r.ratings,
                good: r.good,
                environment: (r.env_n, r.env_sum),
                skill: (r.skill_n, r.skill_sum),
                attitude: (r.att_n, r.att_sum),
            },
        })
        .collect())
}

/// What the gates read of some venues over a period.
#[derive(Debug, Clone, Default)]
pub struct GateFacts {
    /// (venue, violation id, day it occurred) in the period.
    pub violations: Vec<(VenueId, i64, NaiveDate)>,
    /// (venue, complaint id, service day) upheld with the venue at fault, service in the period.
    pub upheld_complaints: Vec<(VenueId, i64, NaiveDate)>,
    /// (venue, award year) among the excluded years.
    pub awards: Vec<(VenueId, i32)>,
}

/// The facts the hard gates need of these venues.
pub async fn gate_facts(
    pool: &PgPool,
    venue_ids: &[VenueId],
    (start, end): (NaiveDate, NaiveDate),
    excluded_years: &[i32],
) -> Result<GateFacts, StoreError> {
    let violations = sqlx::query!(
        r#"SELECT venue_id, id, occurred_on FROM violations
           WHERE venue_id = ANY($1) AND occurred_on BETWEEN $2 AND $3
           ORDER BY occurred_on, id"#,
        venue_ids as &[VenueId],
        start,
        end
    )
    .fetch_all(pool)
    .await?;
    let complaints = sqlx::query!(
        r#"SELECT venue_id, id, service_on AS "service_on!" FROM complaints
           WHERE venue_id = ANY($1) AND verified_at IS NOT NULL
             AND service_on BETWEEN $2 AND $3
           ORDER BY service_on, id"#,
        venue_ids as &[VenueId],
        start,
        end
    )
    .fetch_all(pool)
    .await?;
    let awards = sqlx::query!(
        r#"SELECT venue_id, award_year FROM demonstration_awards
           WHERE venue_id = ANY($1) AND award_year = ANY($2)
           ORDER BY award_year"#,
        venue_ids as &[VenueId],
        excluded_years
    )
    .fetch_all(pool)
    .await?;
    Ok(GateFacts {
        violations: violations
            .into_iter()
            .map(|r| (VenueId::new(r.venue_id), r.id, r.occurred_on))
            .collect(),
        upheld_complaints: complaints
            .into_iter()
            .map(|r| (VenueId::new(r.venue_id), r.id, r.service_on))
            .collect(),
        awards: awards
            .into_iter()
            .map(|r| (VenueId::new(r.venue_id), r.award_year))
            .collect(),
    })
}

/// A nomination with what the forms print of its venue.
#[derive(Debug, Clone)]
pub struct NominationRecord {
    /// Venue id.
    pub venue_id: VenueId,
    /// The region whose list it is on.
    pub region_code: String,
    /// confirmed or removed.
    pub state: String,
    /// proposed, swap or added.
    pub kind: String,
    /// The written reason of a swap or an addition.
    pub reason: Option<String>,
    /// The proposed venue a swap replaced.
    pub replaces_venue_id: Option<i64>,
    /// Its rank when confirmed, if it was ranked.
    pub rank: Option<i32>,
    /// Its campaign score when confirmed.
    pub score_0_100: Option<f64>,
    /// Who confirmed it.
    pub confirmed_by: String,
    /// When.
    pub confirmed_at: DateTime<Utc>,
    /// Who removed it.
    pub removed_by: Option<String>,
    /// When.
    pub removed_at: Option<DateTime<Utc>>,
    /// Why.
    pub removed_reason: Option<String>,
    /// 主要事迹.
    pub deeds: Option<String>,
    /// The ambassador's name.
    pub ambassador_name: Option<String>,
    /// 从事岗位.
    pub ambassador_post: Option<String>,
    /// Phone.
    pub ambassador_phone: Option<String>,
    /// Address.
    pub ambassador_address: Option<String>,
    /// 主要事迹.
    pub ambassador_deeds: Option<String>,
    /// The venue's name.
    pub venue_name: String,
    /// 地址.
    pub address: Option<String>,
    /// 单位性质 key.
    pub unit_type: Option<String>,
    /// 负责人.
    pub person_in_charge: Option<String>,
    /// 联系电话.
    pub contact_phone: Option<String>,
    /// 员工人数.
    pub staff_count: Option<i32>,
    /// 设立时间.
    pub founded_on: Option<NaiveDate>,
}

/// A campaign's nominations in these regions (every region with `all`),
/// confirmed ones only unless `with_removed`, by region then confirmation.
pub async fn nominations(
    pool: &PgPool,
    campaign_id: i64,
    all: bool,
    region_codes: &[String],
    with_removed: bool,
) -> Result<Vec<NominationRecord>, StoreError> {
    sqlx::query_as!(
        NominationRecord,
        r#"SELECT n.venue_id AS "venue_id: VenueId", n.region_code::text AS "region_code!", n.state,
                  n.kind, n.reason, n.replaces_venue_id, n.rank, n.score_0_100, n.confirmed_by,
                  n.confirmed_at, n.removed_by, n.removed_at, n.removed_reason, n.deeds,
                  n.ambassador_name, n.ambassador_post, n.ambassador_phone, n.ambassador_address,
                  n.ambassador_deeds, v.name AS venue_name, v.address, v.unit_type,
                  v.person_in_charge, v.contact_phone, v.staff_count, v.founded_on
           FROM campaign_nominations n JOIN venues v ON v.id = n.venue_id
           WHERE n.campaign_id = $1 AND ($2 OR n.region_code = ANY($3))
             AND ($4 OR n.state = 'confirmed')
           ORDER BY n.region_code, n.confirmed_at, n.venue_id
           LIMIT 10000"#,
        campaign_id,
        all,
        region_codes as &[String],
        with_removed
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// One venue's nomination (any state).
pub async fn nomination(
    pool: &PgPool,
    campaign_id: i64,
    venue_id: VenueId,
) -> Result<Option<NominationRecord>, StoreError> {
    sqlx::query_as!(
        NominationRecord,
        r#"SELECT n.venue_id AS "venue_id: VenueId", n.region_code::text AS "region_code!", n.state,
                  n.kind, n.reason, n.replaces_venue_id, n.rank, n.score_0_100, n.confirmed_by,
                  n.confirmed_at, n.removed_by, n.removed_at, n.removed_reason, n.deeds,
                  n.ambassador_name, n.ambassador_post, n.ambassador_phone, n.ambassador_address,
                  n.ambassador_deeds, v.name AS venue_name, v.address, v.unit_type,
                  v.person_in_charge, v.contact_phone, v.staff_count, v.founded_on
           FROM campaign_nominations n JOIN venues v ON v.id = n.venue_id
           WHERE n.venue_id = $1 AND n.campaign_id = $2"#,
        venue_id.get(),
        campaign_id
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// A venue's place on a campaign's list, as its dashboard shows it.
#[derive(Debug, Clone)]
pub struct VenueNominationRecord {
    /// Campaign id.
    pub campaign_id: i64,
    /// The campaign's name.
    pub campaign_name: String,
    /// Its award year.
    pub year: i32,
    /// The last day the county may change its list.
    pub deadline: NaiveDate,
    /// The region whose list the venue is on.
    pub region_code: String,
    /// The list's state: open, submitted, confirmed or sent_back.
    pub list_state: String,
    /// 主要事迹.
    pub deeds: Option<String>,
    /// The ambassador's name.
    pub ambassador_name: Option<String>,
    /// 从事岗位.
    pub ambassador_post: Option<String>,
    /// Phone.
    pub ambassador_phone: Option<String>,
    /// Address.
    pub ambassador_address: Option<String>,
    /// The ambassador's 主要事迹.
    pub ambassador_deeds: Option<String>,
    /// The award day, once awarded.
    pub awarded_on: Option<NaiveDate>,
    /// The first day the status no longer holds (`status_until`).
    pub status_until: Option<NaiveDate>,
}

/// The campaigns whose lists venue `venue_id` is on (confirmed, not taken
/// off), newest first; one venue's rows, so one shard on a cluster.
pub async fn venue_nominations(
    pool: &PgPool,
    venue_id: VenueId,
) -> Result<Vec<VenueNominationRecord>, StoreError> {
    sqlx::query_as!(
        VenueNominationRecord,
        r#"SELECT n.campaign_id, c.name AS campaign_name, c.year, c.deadline,
                  n.region_code::text AS "region_code!", q.state AS list_state, n.deeds,
                  n.ambassador_name, n.ambassador_post, n.ambassador_phone,
                  n.ambassador_address, n.ambassador_deeds,
                  a.awarded_on AS "awarded_on?", a.status_until AS "status_until?"
           FROM campaign_nominations n
           JOIN campaigns c ON c.id = n.campaign_id
           JOIN campaign_quotas q ON q.campaign_id = n.campaign_id AND q.region_code = n.region_code
           LEFT JOIN demonstration_awards a
             ON a.venue_id = n.venue_id AND a.campaign_id = n.campaign_id
           WHERE n.venue_id = $1 AND n.state = 'confirmed'
           ORDER BY c.year DESC, n.campaign_id DESC
           LIMIT 20"#,
        venue_id.get()
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// Why a change to a region's list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListRefusal {
    /// The region has no quota in the campaign.
    NoQuota,
    /// The list is not open for changes (submitted or confirmed).
    NotOpen(String),
    /// The quota is reached.
    QuotaFull(i32),
    /// The venue is confirmed already.
    AlreadyConfirmed,
    /// The venue is not confirmed on this list.
    NotConfirmed,
}

/// A confirmation to write.
#[derive(Debug, Clone)]
pub struct Confirmation {
    /// The venue.
    pub venue_id: VenueId,
    /// proposed, swap or added.
    pub kind: &'static str,
    /// The written reason.
    pub reason: Option<String>,
    /// The confirmed venue a swap takes off the list.
    pub replaces: Option<VenueId>,
    /// Its rank.
    pub rank: Option<i32>,
    /// Its score.
    pub score_0_100: Option<f64>,
    /// 主要事迹.
    pub deeds: Option<String>,
}

/// Takes the region's quota row lock and reads it; `None` without a quota.
async fn lock_quota(
    conn: &mut sqlx::PgConnection,
    campaign_id: i64,
    region_code: &str,
) -> Result<Option<(i32, i32, String)>, StoreError> {
    // An update that changes nothing still locks the row until commit, and
    // works the same on a Citus reference table.
    let row = sqlx::query!(
        r#"UPDATE campaign_quotas SET confirmed = confirmed
           WHERE campaign_id = $1 AND region_code = $2
           RETURNING quota, confirmed, state"#,
        campaign_id,
        region_code
    )
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.quota, r.confirmed, r.state)))
}

async fn store_count(
    conn: &mut sqlx::PgConnection,
    campaign_id: i64,
    region_code: &str,
    confirmed: i32,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE campaign_quotas SET confirmed = $3 WHERE campaign_id = $1 AND region_code = $2",
        campaign_id,
        region_code,
        confirmed
    )
    .execute(conn)
    .await?;
    Ok(())
}

async fn take_off(
    conn: &mut sqlx::PgConnection,
    campaign_id: i64,
    venue_id: VenueId,
    region_code: &str,
    (by, at, reason): (&str, DateTime<Utc>, &str),
) -> Result<bool, StoreError> {
    let done = sqlx::query_scalar!(
        r#"UPDATE campaign_nominations
           SET state = 'removed', removed_by = $4, removed_at = $5, removed_reason = $6
           WHERE venue_id = $1 AND campaign_id = $2 AND region_code = $3 AND state = 'confirmed'
           RETURNING venue_id"#,
        venue_id.get(),
        campaign_id,
        region_code,
        by,
        at,
        reason
    )
    .fetch_optional(conn)
    .await?;
    Ok(done.is_some())
}

/// Confirms a venue on a region's list (a swap also takes the replaced
/// venue off it), under the quota, with its audit row. The caller has
/// checked the venue belongs to the region and passes the gates.
pub async fn confirm(
    pool: &PgPool,
    campaign_id: i64,
    region_code: &str,
    confirmation: &Confirmation,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Result<i32, ListRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some((quota, confirmed, state)) = lock_quota(&mut tx, campaign_id, region_code).await?
    else {
        return Ok(Err(ListRefusal::NoQuota));
    };
    if state != "open" && state != "sent_back" {
        return Ok(Err(ListRefusal::NotOpen(state)));
    }
    let mut count = confirmed;
    if let Some(replaced) = confirmation.replaces {
        let reason = confirmation.reason.as_deref().unwrap_or_default();
        let swapped_out = take_off(
            &mut tx,
            campaign_id,
            replaced,
            region_code,
            (&audit.actor, now, reason),
        )
        .await?;
        // A proposed venue not confirmed yet has nothing to take off.
        if swapped_out {
            count -= 1;
        }
    }
    if count >= quota {
        return Ok(Err(ListRefusal::QuotaFull(quota)));
    }
    let written = sqlx::query_scalar!(
        r#"INSERT INTO campaign_nominations AS n
               (venue_id, campaign_id, region_code, state, kind, reason, replaces_venue_id, rank,
                score_0_100, confirmed_by, confirmed_at, deeds)
           VALUES ($1, $2, $3, 'confirmed', $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (venue_id, campaign_id) DO UPDATE SET
               state = 'confirmed', kind = EXCLUDED.kind, reason = EXCLUDED.reason,
               replaces_venue_id = EXCLUDED.replaces_venue_id, rank = EXCLUDED.rank,
               score_0_100 = EXCLUDED.score_0_100, confirmed_by = EXCLUDED.confirmed_by,
               confirmed_at = EXCLUDED.confirmed_at, removed_by = NULL, removed_at = NULL,
               removed_reason = NULL, deeds = coalesce(EXCLUDED.deeds, n.deeds)
           WHERE n.state = 'removed'
           RETURNING venue_id"#,
        confirmation.venue_id.get(),
        campaign_id,
        region_code,
        confirmation.kind,
        confirmation.reason,
        confirmation.replaces.map(VenueId::get),
        confirmation.rank,
        confirmation.score_0_100,
        audit.actor,
        now,
        confirmation.deeds
    )
    .fetch_optional(&mut *tx)
    .await?;
    if written.is_none() {
        return Ok(Err(ListRefusal::AlreadyConfirmed));
    }
    count += 1;
    store_count(&mut tx, campaign_id, region_code, count).await?;
    audit.target = format!("campaign:{campaign_id}");
    audit.region_code = Some(region_code.to_owned());
    audit.venue_id = Some(confirmation.venue_id);
    audit.after = Some(serde_json::json!({
        "venue_id": confirmation.venue_id,
        "kind": confirmation.kind,
        "reason": confirmation.reason,
        "replaces_venue_id": confirmation.replaces,
        "rank": confirmation.rank,
        "score_0_100": confirmation.score_0_100,
        "confirmed": count,
        "quota": quota,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Ok(count))
}

/// Takes a confirmed venue off a region's open list, with a reason and its audit row.
pub async fn remove(
    pool: &PgPool,
    campaign_id: i64,
    region_code: &str,
    venue_id: VenueId,
    reason: &str,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Result<i32, ListRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some((_, confirmed, state)) = lock_quota(&mut tx, campaign_id, region_code).await? else {
        return Ok(Err(ListRefusal::NoQuota));
    };
    if state != "open" && state != "sent_back" {
        return Ok(Err(ListRefusal::NotOpen(state)));
    }
    if !take_off(
        &mut tx,
        campaign_id,
        venue_id,
        region_code,
        (&audit.actor, now, reason),
    )
    .await?
    {
        return Ok(Err(ListRefusal::NotConfirmed));
    }
    let count = confirmed - 1;
    store_count(&mut tx, campaign_id, region_code, count).await?;
    audit.target = format!("campaign:{campaign_id}");
    audit.region_code = Some(region_code.to_owned());
    audit.venue_id = Some(venue_id);
    audit.after =
        Some(serde_json::json!({"venue_id": venue_id, "reason": reason, "confirmed": count}));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Ok(count))
}

/// Moves a region's list from one of `from` to `to`, with the reviewer's
/// or submitter's name and time, and its audit row. `None` without a quota;
/// `Some(Err(state))` when the list is in another state.
#[allow(clippy::too_many_arguments)] // each is one column of the step
pub async fn step(
    pool: &PgPool,
    campaign_id: i64,
    region_code: &str,
    from: &[&str],
    to: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Option<Result<(), String>>, StoreError> {
    let mut tx = pool.begin().await?;
    let Some((_, confirmed, state)) = lock_quota(&mut tx, campaign_id, region_code).await? else {
        return Ok(None);
    };
    if !from.contains(&state.as_str()) {
        return Ok(Some(Err(state)));
    }
    let submitting = to == "submitted";
    sqlx::query!(
        r#"UPDATE campaign_quotas SET state = $3,
               submitted_by = CASE WHEN $4 THEN $5 ELSE submitted_by END,
               submitted_at = CASE WHEN $4 THEN $6 ELSE submitted_at END,
               reviewed_by = CASE WHEN $4 THEN NULL ELSE $5 END,
               reviewed_at = CASE WHEN $4 THEN NULL ELSE $6 END,
               sent_back_reason = CASE WHEN $4 THEN sent_back_reason ELSE $7 END
           WHERE campaign_id = $1 AND region_code = $2"#,
        campaign_id,
        region_code,
        to,
        submitting,
        audit.actor,
        now,
        reason
    )
    .execute(&mut *tx)
    .await?;
    audit.target = format!("campaign:{campaign_id}");
    audit.region_code = Some(region_code.to_owned());
    audit.before = Some(serde_json::json!({"state": state}));
    audit.after = Some(serde_json::json!({"state": to, "reason": reason, "confirmed": confirmed}));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Some(Ok(())))
}

/// Why an award was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwardRefusal {
    /// Awarded already.
    Awarded,
    /// These regions' lists are not confirmed by the prefecture yet.
    Unconfirmed(Vec<String>),
}

/// Awards every confirmed nomination of a campaign whose every list the
/// prefecture confirmed: award rows, a queued tier refresh per venue, the
/// campaign marked awarded, and the audit row, in one transaction.
pub async fn award(
    pool: &PgPool,
    campaign: &CampaignRecord,
    (awarded_on, status_until): (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Result<Vec<VenueId>, AwardRefusal>, StoreError> {
    let mut tx = pool.begin().await?;
    // On a cluster, the venue-side statements run one shard connection at
    // a time, so the reference-table write below may follow them (plain
    // Postgres keeps the setting as an unused placeholder).
    sqlx::query!("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
        .execute(&mut *tx)
        .await?;
    // Reads first: on a cluster, venue-side reads across nodes come before
    // the reference-table write that closes the campaign.
    let open: Vec<String> = sqlx::query_scalar!(
        r#"SELECT region_code::text AS "region_code!" FROM campaign_quotas
           WHERE campaign_id = $1 AND state <> 'confirmed' ORDER BY region_code"#,
        campaign.id
    )
    .fetch_all(&mut *tx)
    .await?;
    if !open.is_empty() {
        return Ok(Err(AwardRefusal::Unconfirmed(open)));
    }
    let venues: Vec<i64> = sqlx::query_scalar!(
        r#"SELECT venue_id FROM campaign_nominations
           WHERE campaign_id = $1 AND state = 'confirmed' ORDER BY venue_id"#,
        campaign.id
    )
    .fetch_all(&mut *tx)
    .await?;
    for venue_id in &venues {
        sqlx::query!(
            r#"INSERT INTO demonstration_awards (venue_id, campaign_id, award_year, awarded_on,
                                                 status_until, awarded_by, awarded_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (venue_id, campaign_id) DO NOTHING"#,
            venue_id,
            campaign.id,
            campaign.year,
            awarded_on,
            status_until,
            audit.actor,
            now
        )
        .execute(&mut *tx)
        .await?;
        super::scores::queue_refresh(&mut tx, VenueId::new(*venue_id)).await?;
    }
    let closed = sqlx::query_scalar!(
        r#"UPDATE campaigns SET awarded_by = $2, awarded_at = $3
           WHERE id = $1 AND awarded_at IS NULL RETURNING id"#,
        campaign.id,
        audit.actor,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    if closed.is_none() {
        return Ok(Err(AwardRefusal::Awarded));
    }
    audit.target = format!("campaign:{}", campaign.id);
    audit.region_code = Some(campaign.prefecture_code.clone());
    audit.after = Some(serde_json::json!({
        "award_year": campaign.year,
        "venue_ids": venues,
        "status_until": status_until,
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(Ok(venues.into_iter().map(VenueId::new).collect()))
}

/// Sets a confirmed nomination's ambassador, with its audit row; false when
/// the venue has no confirmed nomination in the campaign.
pub async fn set_ambassador(
    pool: &PgPool,
    campaign_id: i64,
    venue_id: VenueId,
    ambassador: &Ambassador,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let region = sqlx::query_scalar!(
        r#"UPDATE campaign_nominations SET ambassador_name = $3, ambassador_post = $4,
               ambassador_phone = $5, ambassador_address = $6, ambassador_deeds = $7,
               ambassador_set_by = $8, ambassador_set_at = $9
           WHERE venue_id = $1 AND campaign_id = $2 AND state = 'confirmed'
           RETURNING region_code::text AS "region_code!""#,
        venue_id.get(),
        campaign_id,
        ambassador.name,
        ambassador.post,
        ambassador.phone,
        ambassador.address,
        ambassador.deeds,
        audit.actor,
        now
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(region) = region else {
        return Ok(false);
    };
    audit.target = format!("campaign:{campaign_id}");
    audit.region_code = Some(region);
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({
        "ambassador": {"name": ambassador.name, "post": ambassador.post},
    }));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets a confirmed nomination's 主要事迹, with its audit row; false when
/// the venue has no confirmed nomination in the campaign.
pub async fn set_deeds(
    pool: &PgPool,
    campaign_id: i64,
    venue_id: VenueId,
    deeds: &str,
    mut audit: AuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let region = sqlx::query_scalar!(
        r#"UPDATE campaign_nominations SET deeds = $3
           WHERE venue_id = $1 AND campaign_id = $2 AND state = 'confirmed'
           RETURNING region_code::text AS "region_code!""#,
        venue_id.get(),
        campaign_id,
        deeds
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(region) = region else {
        return Ok(false);
    };
    audit.target = format!("campaign:{campaign_id}");
    audit.region_code = Some(region);
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({"deeds_chars": deeds.chars().count()}));
    audit::record(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(true)
}

/// A unit whose demonstration status holds on a day, for the quality list.
#[derive(Debug, Clone)]
pub struct AwardedUnit {
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
    /// The day of the award.
    pub awarded_on: NaiveDate,
    /// The campaign's name.
    pub campaign_name: String,
}

/// Open venues whose demonstration status holds on `day`, by region then name.
pub async fn awarded_in_force(
    pool: &PgPool,
    day: NaiveDate,
) -> Result<Vec<AwardedUnit>, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT v.id, v.name, v.region_code::text AS "region_code!", v.category,
                  s.score_0_100 AS "score?", a.awarded_on, c.name AS campaign_name
           FROM demonstration_awards a
           JOIN venues v ON v.id = a.venue_id
           JOIN campaigns c ON c.id = a.campaign_id
           LEFT JOIN venue_scores s ON s.venue_id = a.venue_id
           WHERE a.awarded_on <= $1 AND a.status_until > $1 AND v.closed_at IS NULL
           ORDER BY v.region_code, v.name, v.id
           LIMIT 10000"#,
        day
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AwardedUnit {
            venue_id: VenueId::new(r.id),
            venue_name: r.name,
            region_code: r.region_code,
            category: r.category,
            score: r.score,
            awarded_on: r.awarded_on,
            campaign_name: r.campaign_name,
        })
        .collect())
}
