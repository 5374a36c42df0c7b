//! Spreading the schema over a Citus cluster (`qrfeedback distribute`).
//!
//! Lookup tables become reference tables (a copy on every node), and every
//! table that belongs to a venue is distributed by its venue and colocated
//! with `venues`, so a venue's ratings, aggregates, scores and cases live on
//! one node and every hot-path statement, which names its venue, goes to that
//! node alone. Two tables keyed by something a request carries before its
//! venue is known (a printed code, an idempotency key) are distributed by
//! that key. The audit log stays on the coordinator: it is append-only
//! (triggers refuse changes, which Citus does not allow on distributed
//! tables), it is written once per change rather than once per rating, and
//! it is read on its own, never joined with venue tables.
//!
//! Every step is skipped when already done, so the command can run again
//! after an upgrade; migrations keep running unchanged, and a table a later
//! migration adds is distributed on the next run.

use sqlx::{PgConnection, PgPool};

use super::StoreError;

/// Tables with a copy on every node, in an order where each one's foreign
/// keys point only at tables earlier in the list.
pub const REFERENCE_TABLES: &[&str] = &[
    "regions",
    "categories",
    "holidays",
    "holiday_notices",
    "region_case_clocks",
    "tier_rule_sets",
    "inspection_checklists",
    "accounts",
    "account_venues",
    "account_totp",
    "account_recovery_codes",
    "account_invitations",
    "api_tokens",
    "region_scores",
    // Demonstration-unit campaigns and their quotas: a few rows per
    // prefecture and year, read beside every venue's nomination and pointed
    // at by the venue-side nominations and awards, which a coordinator-local
    // table could not be; the quota row's lock bounds concurrent
    // confirmations on every node alike.
    "campaigns",
    "campaign_quotas",
];

/// The table every venue-side table is colocated with, and its venue column.
pub const VENUES: (&str, &str) = ("venues", "id");

/// Tables distributed by `venue_id` and colocated with `venues`; a table
/// comes after every table its foreign keys point at.
pub const VENUE_TABLES: &[&str] = &[
    "venue_codes",
    "ratings",
    "venue_day_stats",
    "venue_day_tags",
    "complaints",
    "complaint_events",
    "venue_scores",
    "tier_history",
    "inspections",
    "inspection_items",
    "inspection_photos",
    "violations",
    "list_entries",
    "rating_moderation",
    "score_refresh_queue",
    "venue_commitments",
    "venue_quality_officers",
    "quality_officer_trainings",
    "quality_officer_evaluations",
    "rating_replies",
    "rating_appeals",
    "bad_rating_followups",
    "tier_overrides",
    "repair_applications",
    "repair_evidence",
    "regrade_requests",
    "campaign_nominations",
    "demonstration_awards",
    "integrity_incidents",
    "integrity_holds",
    "alerts",
    "alert_reads",
    "alert_deliveries",
    "venue_score_bases",
];

/// Tables distributed by a key of their own: (table, column).
pub const KEYED_TABLES: &[(&str, &str)] = &[("code_venues", "code"), ("idempotency_keys", "key")];

/// Tables kept on the coordinator alone.
pub const COORDINATOR_TABLES: &[&str] = &[
    "audit_log",
    "inspection_draws",
    "inspection_draw_picks",
    "_sqlx_migrations",
];

/// Functions that statements run on the workers call.
const WORKER_FUNCTIONS: &[&str] = &["hist_add(integer[], integer[])"];

/// What `distribute` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Plain Postgres: the `citus` extension is not created in the database.
    NotDistributed {
        /// Whether the server could create it (`CREATE EXTENSION citus`).
        citus_available: bool,
    },
    /// A Citus coordinator; `changed` lists the tables converted this time
    /// (empty when everything already was).
    Distributed {
        /// Tables converted by this run.
        changed: Vec<String>,
        /// Worker nodes the coordinator knows.
        workers: i64,
    },
}

/// A table of the schema that `distribute` does not place: a new table
/// must be added to one of the lists above before the cluster can hold it.
#[derive(Debug, thiserror::Error)]
pub enum DistributeError {
    /// Tables in the schema that none of the lists name.
    #[error("tables with no place on a cluster: {0:?}")]
    Unplaced(Vec<String>),
    /// The database refused a step.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DistributeError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(err.into())
    }
}

/// Makes lookup tables reference tables and venue-side tables distributed by
/// venue, when the database is a Citus coordinator; says so when it is not.
pub async fn distribute(pool: &PgPool) -> Result<Outcome, DistributeError> {
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    if !super::is_distributed(&mut *conn).await? {
        let citus_available: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'citus')",
        )
        .fetch_one(&mut *conn)
        .await?;
        return Ok(Outcome::NotDistributed { citus_available });
    }
    let unplaced = unplaced_tables(&mut conn).await?;
    if !unplaced.is_empty() {
        return Err(DistributeError::Unplaced(unplaced));
    }
    // Making `regions` a reference table would otherwise turn every local
    // table that points at it into a "Citus local" table, which can then
    // no longer be distributed by venue. Session-wide: the conversions run
    // one by one, each in a transaction of its own.
    sqlx::query("SET citus.enable_local_reference_table_foreign_keys = off")
        .execute(&mut *conn)
        .await?;
    let mut changed = Vec::new();
    for function in WORKER_FUNCTIONS {
        if !is_distributed_function(&mut conn, function).await? {
            sqlx::query("SELECT create_distributed_function($1::regprocedure)")
                .bind(*function)
                .execute(&mut *conn)
                .await?;
        }
    }
    for table in REFERENCE_TABLES {
        if convert(&mut conn, table, "SELECT create_reference_table($1)", None).await? {
            changed.push((*table).to_owned());
        }
    }
    let (venues, venue_column) = VENUES;
    let by_column = "SELECT create_distributed_table($1, $2, colocate_with => $3)";
    if convert(
        &mut conn,
        venues,
        by_column,
        Some((venue_column, "default")),
    )
    .await?
    {
        changed.push(venues.to_owned());
    }
    for table in VENUE_TABLES {
        if convert(&mut conn, table, by_column, Some(("venue_id", venues))).await? {
            changed.push((*table).to_owned());
        }
    }
    for (table, column) in KEYED_TABLES {
        if convert(&mut conn, table, by_column, Some((column, "none"))).await? {
            changed.push((*table).to_owned());
        }
    }
    let workers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_dist_node WHERE groupid <> 0 AND noderole = 'primary'",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Outcome::Distributed { changed, workers })
}

/// Runs `statement` for `table` unless Citus already holds it as wanted
/// (`column_and_colocation` given: distributed, else a reference table);
/// true when it ran. A table held the other way (placed differently by an
/// earlier version) is first brought back to the coordinator.
async fn convert(
    conn: &mut PgConnection,
    table: &str,
    statement: &'static str,
    column_and_colocation: Option<(&str, &str)>,
) -> Result<bool, sqlx::Error> {
    let held: Option<String> = sqlx::query_scalar(
        "SELECT partmethod::text FROM pg_dist_partition WHERE logicalrelid = $1::regclass",
    )
    .bind(table)
    .fetch_optional(&mut *conn)
    .await?;
    let wanted = if column_and_colocation.is_some() {
        "h"
    } else {
        "n"
    };
    match held.as_deref() {
        Some(method) if method == wanted => return Ok(false),
        Some(_) => {
            sqlx::query("SELECT undistribute_table($1)")
                .bind(table)
                .execute(&mut *conn)
                .await?;
        }
        None => {}
    }
    let query = sqlx::query(statement).bind(table);
    let query = match column_and_colocation {
        Some((column, colocate_with)) => query.bind(column).bind(colocate_with),
        None => query,
    };
    query.execute(&mut *conn).await?;
    tracing::info!(table, "distributed");
    Ok(true)
}

async fn is_distributed_function(
    conn: &mut PgConnection,
    function: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_object
                        WHERE classid = 'pg_proc'::regclass AND objid = $1::regprocedure)",
    )
    .bind(function)
    .fetch_one(&mut *conn)
    .await
}

/// Every table the lists above name.
fn placed_tables() -> impl Iterator<Item = &'static str> {
    (REFERENCE_TABLES.iter().chain(VENUE_TABLES))
        .chain(COORDINATOR_TABLES)
        .copied()
        .chain([VENUES.0])
        .chain(KEYED_TABLES.iter().map(|(t, _)| *t))
}

/// Ordinary and partitioned tables of the public schema (partitions aside)
/// that no list places.
async fn unplaced_tables(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    let placed: Vec<String> = placed_tables().map(str::to_owned).collect();
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition AND c.relname <> ALL($1)
         ORDER BY 1",
    )
    .bind(&placed)
    .fetch_all(&mut *conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_table_is_placed_twice() {
        let mut all: Vec<&str> = placed_tables().collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count);
    }
}
