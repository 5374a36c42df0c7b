//! Credit tiers: the stored rule sets, the compliance records the rules read,
//! and the history of tier changes.

use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use super::StoreError;
use crate::domain::credit::RuleSet;
use crate::domain::day::day_start;

/// Stores a rule set (if this version is new) and makes it the active one.
/// A version already stored with other rules is refused: versions are immutable.
pub async fn activate_rule_set(pool: &PgPool, rules: &RuleSet) -> anyhow::Result<()> {
    let json = rules.to_json();
    let mut tx = pool.begin().await?;
    // One activation at a time, so "exactly one active" holds between statements.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('tier_rule_sets')::int8)")
        .execute(&mut *tx)
        .await?;
    let stored = sqlx::query_scalar!(
        "SELECT rules FROM tier_rule_sets WHERE version = $1",
        rules.version()
    )
    .fetch_optional(&mut *tx)
    .await?;
    match stored {
        Some(existing) if existing != json => anyhow::bail!(
            "tier rule set version {:?} is already stored with different rules; give the changed rules a new version",
            rules.version()
        ),
        Some(_) => {}
        None => {
            sqlx::query!(
                "INSERT INTO tier_rule_sets (version, rules) VALUES ($1, $2)",
                rules.version(),
                json
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query!(
        "UPDATE tier_rule_sets SET active = false WHERE active AND version <> $1",
        rules.version()
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE tier_rule_sets SET active = true WHERE version = $1",
        rules.version()
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The compliance counts of one venue that the tier rules read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComplianceCounts {
    /// Complaints verified in the last 12 months.
    pub verified_complaints_12m: i64,
    /// Verified complaints not yet resolved.
    pub unresolved_verified_complaints: i64,
    /// Violations in the last 12 months.
    pub violations_12m: i64,
    /// Serious violations in the last 12 months.
    pub serious_violations_12m: i64,
    /// Failed inspections in the last 12 months.
    pub failed_inspections_12m: i64,
    /// Listed that day on the 严重失信主体名单.
    pub serious_list: bool,
    /// Listed that day on the 重点关注名单.
    pub watch_list: bool,
    /// A service-quality commitment is published.
    pub commitment_published: bool,
    /// The Chief Quality Officer's filing is confirmed (registered).
    pub cqo_registered: bool,
    /// An award (示范单位) holds that day.
    pub demonstration_unit: bool,
}

/// Compliance counts of the given venues as of `today`, with whether each
/// published a commitment and registered its Chief Quality Officer; venues
/// without any record are left out (all zero, nothing published).
pub async fn compliance_counts(
    pool: &PgPool,
    venue_ids: &[VenueId],
    today: NaiveDate,
) -> Result<HashMap<VenueId, ComplianceCounts>, StoreError> {
    let since_day = today - Duration::days(365);
    let since: DateTime<Utc> = day_start(since_day);
    let rows = sqlx::query!(
        r#"WITH ids AS (SELECT unnest($1::int8[]) AS venue_id),
           complaint AS (
               SELECT c.venue_id,
                      count(*) FILTER (WHERE c.verified_at >= $3) AS verified,
                      count(*) FILTER (WHERE c.resolved_at IS NULL) AS unresolved
               FROM complaints c JOIN ids USING (venue_id)
               WHERE c.verified_at IS NOT NULL
               GROUP BY c.venue_id
           ),
           violation AS (
               SELECT v.venue_id, count(*) AS total, count(*) FILTER (WHERE v.serious) AS serious
               FROM violations v JOIN ids USING (venue_id)
               WHERE v.occurred_on > $2
               GROUP BY v.venue_id
           ),
           inspection AS (
               SELECT i.venue_id, count(*) AS failed
               FROM inspections i JOIN ids USING (venue_id)
               WHERE NOT i.passed AND i.inspected_on > $2
               GROUP BY i.venue_id
           ),
           listed AS (
               SELECT l.venue_id, bool_or(l.list = 'serious') AS serious,
                      bool_or(l.list = 'watch') AS watch
               FROM list_entries l JOIN ids USING (venue_id)
               WHERE l.state = 'listed' AND l.starts_on <= $4 AND l.ends_on > $4
               GROUP BY l.venue_id
           ),
           commitment AS (
               SELECT c.venue_id FROM venue_commitments c JOIN ids USING (venue_id)
           ),
           officer AS (
               SELECT o.venue_id FROM venue_quality_officers o JOIN ids USING (venue_id)
               WHERE o.registration_status = 'registered'
           ),
           demo AS (
               SELECT DISTINCT a.venue_id FROM demonstration_awards a JOIN ids USING (venue_id)
               WHERE a.awarded_on <= $4 AND a.status_until > $4
           )
           SELECT ids.venue_id AS "venue_id!",
                  coalesce(complaint.verified, 0) AS "verified!",
                  coalesce(complaint.unresolved, 0) AS "unresolved!",
                  coalesce(violation.total, 0) AS "violations!",
                  coalesce(violation.serious, 0) AS "serious!",
                  coalesce(inspection.failed, 0) AS "failed!",
                  coalesce(listed.serious, false) AS "serious_list!",
                  coalesce(listed.watch, false) AS "watch_list!",
                  commitment.venue_id IS NOT NULL AS "commitment_published!",
                  officer.venue_id IS NOT NULL AS "cqo_registered!",
                  demo.venue_id IS NOT NULL AS "demonstration_unit!"
           FROM ids
           LEFT JOIN complaint USING (venue_id)
           LEFT JOIN violation USING (venue_id)
           LEFT JOIN inspection USING (venue_id)
           LEFT JOIN listed USING (venue_id)
           LEFT JOIN commitment USING (venue_id)
           LEFT JOIN officer USING (venue_id)
           LEFT JOIN demo USING (venue_id)
           WHERE complaint.venue_id IS NOT NULL OR violation.venue_id IS NOT NULL
              OR inspection.venue_id IS NOT NULL OR listed.venue_id IS NOT NULL
              OR commitment.venue_id IS NOT NULL OR officer.venue_id IS NOT NULL
              OR demo.venue_id IS NOT NULL"#,
        venue_ids as &[VenueId],
        since_day,
        since,
        today
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                VenueId::new(r.venue_id),
                ComplianceCounts {
                    verified_complaints_12m: r.verified,
                    unresolved_verified_complaints: r.unresolved,
                    violations_12m: r.violations,
                    serious_violations_12m: r.serious,
                    failed_inspections_12m: r.failed,
                    serious_list: r.serious_list,
                    watch_list: r.watch_list,
                    commitment_published: r.commitment_published,
                    cqo_registered: r.cqo_registered,
                    demonstration_unit: r.demonstration_unit,
                },
            )
        })
        .collect())
}

/// One recorded tier change.
#[derive(Debug, Clone)]
pub struct TierChange {
    /// The new tier.
    pub tier: Tier,
    /// The tier before, `None` at the first grading.
    pub previous_tier: Option<Tier>,
    /// Reasons, as stored.
    pub reasons: serde_json::Value,
    /// Inputs, as stored.
    pub inputs: serde_json::Value,
    /// Rule set version.
    pub rule_set_version: String,
    /// Where the tier came from: `rules`, or `override`.
    pub source: String,
    /// The override that set it, when it came from one.
    pub override_id: Option<i64>,
    /// When it changed.
    pub changed_at: DateTime<Utc>,
}

/// A venue's tier changes, newest first.
pub async fn history(pool: &PgPool, venue_id: VenueId) -> Result<Vec<TierChange>, StoreError> {
    sqlx::query_as!(
        TierChange,
        r#"SELECT tier AS "tier!: Tier", previous_tier AS "previous_tier: Tier", reasons,
                  inputs, rule_set_version, source, override_id, changed_at
           FROM tier_history WHERE venue_id = $1 ORDER BY changed_at DESC, id DESC LIMIT 500"#,
        venue_id.get()
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}
