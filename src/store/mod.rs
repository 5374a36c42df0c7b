//! Postgres: one module per aggregate, SQL next to the code that needs it.

pub mod accounts;
pub mod alerts;
pub mod appeals;
pub mod audit;
pub mod bad_ratings;
pub mod batch_totals;
pub mod calendar;
pub mod campaigns;
pub mod cases;
mod codec;
pub mod complaints;
pub mod console;
pub mod credit_repairs;
pub mod dashboard;
pub mod demo;
pub mod distribute;
pub mod inspections;
pub mod integrity;
pub mod list_entries;
pub mod moderation;
pub mod photos;
pub mod quality_officers;
pub mod rankings;
pub mod ratings;
pub mod reads;
pub mod reconcile;
pub mod reference;
pub mod reports;
pub mod score_bases;
pub mod scores;
pub mod second_factor;
pub mod stats;
pub mod tier_overrides;
pub mod tiers;
pub mod tokens;
pub mod venue_admin;
pub mod venues;
pub mod violations;

use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;

use crate::domain::access::Scope;
use crate::domain::region::RegionTree;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// A caller's scope as SQL parameters, applied in each query as
/// `($all OR region_code = ANY($regions) OR venue_id = ANY($venues))`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeFilter {
    /// Everything is visible.
    pub all: bool,
    /// Regions (a whole subtree, listed) whose venues are visible.
    pub region_codes: Vec<String>,
    /// Venues visible by id.
    pub venue_ids: Vec<i64>,
}

impl ScopeFilter {
    /// No restriction.
    pub fn everything() -> Self {
        Self {
            all: true,
            ..Self::default()
        }
    }

    /// The filter of a scope: a region scope lists its whole subtree.
    pub fn of(scope: &Scope, tree: &RegionTree) -> Self {
        match scope {
            Scope::All => Self::everything(),
            Scope::Region(code) => Self {
                region_codes: tree.subtree(code),
                ..Self::default()
            },
            Scope::Venues(ids) => Self {
                venue_ids: ids.iter().map(|id| id.get()).collect(),
                ..Self::default()
            },
        }
    }
}

/// A store failure, classified by what the caller should tell the client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Postgres cannot be reached or is overloaded: answer 503 and keep nothing.
    #[error("the database is unavailable")]
    Unavailable(#[source] sqlx::Error),
    /// Anything else: a bug or a broken invariant.
    #[error("database error")]
    Other(#[source] sqlx::Error),
}

/// Every sqlx error is classified on the way in, so `?` always tells an
/// outage (503) from a bug (500).
impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Other(err)
        }
    }
}

/// Whether an error means "Postgres is not there right now" rather than a bug.
pub fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P0x: shutdown / cannot connect now;
            // 53300: too many connections.
            code.starts_with("08") || code.starts_with("57P") || code == "53300"
        }),
        _ => false,
    }
}

/// The name of the constraint a database error violated, if any, as the
/// schema names it. A Citus coordinator passes on a worker's error without
/// its constraint field, so the name is then read from the message (its
/// last quoted name, in every language the server speaks); and a worker
/// names its shard's copy (`accounts_login_key_102011`), whose shard number
/// is dropped.
pub fn violated_constraint(err: &sqlx::Error) -> Option<&str> {
    let sqlx::Error::Database(db) = err else {
        return None;
    };
    if let Some(name) = db.constraint() {
        return Some(schema_name(name));
    }
    // Unique, foreign key, check and exclusion violations name their constraint.
    let names_one = matches!(
        db.code().as_deref(),
        Some("23505" | "23503" | "23514" | "23P01")
    );
    names_one
        .then(|| last_quoted(db.message()))
        .flatten()
        .map(schema_name)
}

/// The last `"…"` of a message, without the quotes.
fn last_quoted(message: &str) -> Option<&str> {
    let (before, _) = message.rsplit_once('"')?;
    let (_, name) = before.rsplit_once('"')?;
    (!name.is_empty()).then_some(name)
}

/// A constraint's name without the `_<shard id>` a Citus worker appends
/// (shard ids have at least six digits; no constraint of the schema ends in
/// an underscore and digits).
pub fn schema_name(reported: &str) -> &str {
    match reported.rsplit_once('_') {
        Some((name, shard))
            if shard.len() >= 6
                && shard.bytes().all(|b| b.is_ascii_digit())
                && !name.is_empty() =>
        {
            name
        }
        _ => reported,
    }
}

/// Opens a lazily connecting pool that gives up quickly when Postgres is gone.
///
/// The hot statements are prepared once per connection; on plain Postgres
/// each new connection asks for generic plans, which saves re-planning the
/// rating batch (milliseconds) on every execution. A Citus coordinator plans
/// joins and multi-shard statements only with the parameters' values at
/// hand, so there the connection keeps the default.
pub fn connect_pool(
    database_url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(database_url)?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(acquire_timeout)
        .after_connect(|conn, _| {
            Box::pin(async move {
                if !is_distributed(&mut *conn).await? {
                    sqlx::query("SET plan_cache_mode = force_generic_plan")
                        .execute(&mut *conn)
                        .await?;
                }
                Ok(())
            })
        })
        .connect_lazy_with(options))
}

/// Whether the database is a Citus coordinator (the `citus` extension is
/// created in it).
pub async fn is_distributed<'c, E>(conn: E) -> Result<bool, sqlx::Error>
where
    E: sqlx::PgExecutor<'c>,
{
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
        .fetch_one(conn)
        .await
}

/// The migrations built into this binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Whether the database's schema is the one this binary was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    /// Every built-in migration is applied.
    Current,
    /// Some are not: `qrfeedback migrate` has not run since an upgrade.
    Behind,
}

/// Compares the applied migrations with the built-in ones.
pub async fn schema_state(pool: &PgPool) -> Result<SchemaState, StoreError> {
    let expected = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    // A database never migrated has no history table: that is "behind" too.
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .or_else(|err| match &err {
                sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => Ok(None),
                _ => Err(StoreError::from(err)),
            })?;
    Ok(if applied.unwrap_or(0) >= expected {
        SchemaState::Current
    } else {
        SchemaState::Behind
    })
}

/// Applies the embedded migrations, then loads the reference data.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    reference::load(pool).await?;
    inspections::activate_checklist(
        pool,
        &crate::domain::inspection::Checklist::default_checklist()?,
    )
    .await?;
    calendar::load_official(pool).await?;
    ratings::ensure_partitions(pool).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constraint_of_a_message_is_its_last_quoted_name() {
        assert_eq!(
            last_quoted(
                r#"insert or update on table "venues_102008" violates foreign key constraint "venues_region_fkey_102008""#
            ),
            Some("venues_region_fkey_102008")
        );
        assert_eq!(
            last_quoted(r#"duplicate key value violates unique constraint "accounts_login_key""#),
            Some("accounts_login_key")
        );
        assert_eq!(last_quoted("no name here"), None);
        assert_eq!(last_quoted(r#"one " quote"#), None);
        assert_eq!(last_quoted(r#"empty """#), None);
    }

    #[test]
    fn a_shards_number_is_dropped_from_a_constraint_name_and_nothing_else_is() {
        assert_eq!(
            schema_name("accounts_login_key_102011"),
            "accounts_login_key"
        );
        assert_eq!(
            schema_name("venues_category_fkey_1020456"),
            "venues_category_fkey"
        );
        assert_eq!(schema_name("accounts_login_key"), "accounts_login_key");
        assert_eq!(schema_name("ratings_2026_12_pkey"), "ratings_2026_12_pkey");
        assert_eq!(schema_name("part_12345"), "part_12345");
        assert_eq!(schema_name("_102011"), "_102011");
    }

    #[test]
    fn no_constraint_of_the_schema_looks_like_a_shard_copy() {
        for entry in std::fs::read_dir("migrations").unwrap() {
            let path = entry.unwrap().path();
            let sql = std::fs::read_to_string(&path).unwrap();
            let words: Vec<&str> = sql.split_whitespace().collect();
            let named = words
                .windows(2)
                .filter(|pair| pair[0].eq_ignore_ascii_case("CONSTRAINT"))
                .map(|pair| pair[1].trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_'));
            for name in named {
                assert_eq!(schema_name(name), name, "{} names {name}", path.display());
            }
        }
    }
}
