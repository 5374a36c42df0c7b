//! The application's database role: rows yes, schema no, and the append-only
//! records only ever grow, refused by privileges before any trigger runs.

use chrono::{Months, Utc};
use qrfeedback::domain::day::local_day;
use qrfeedback::domain::moderation::ModerationReason;
use qrfeedback::store::{ScopeFilter, audit, moderation, ratings};
use sqlx::{Connection, PgConnection, PgPool};

use crate::common::{APP_ROLE, app_database_url_for, fresh_database, on_cluster, spawn_app};

/// Insufficient privilege, the SQLSTATE of a refused grant.
const PERMISSION_DENIED: &str = "42501";

/// A fresh migrated database, with a pool on it as the owner and a connection
/// as the application role.
async fn owner_and_app() -> (PgPool, PgConnection) {
    let (db_name, owner) = fresh_database().await;
    let app = PgConnection::connect(&app_database_url_for(&db_name))
        .await
        .unwrap_or_else(|err| {
            panic!("connect as {APP_ROLE} ({err}); deploy/services.sh start lets it log in")
        });
    (owner, app)
}

/// Runs `sql` as the connection's role and checks Postgres refused it for lack
/// of a privilege, not because a trigger objected (the audit log's triggers
/// raise the same SQLSTATE, with another message).
async fn assert_refused(conn: &mut PgConnection, sql: &'static str, because: &str) {
    let err = sqlx::raw_sql(sql).execute(&mut *conn).await.expect_err(sql);
    let db = err
        .as_database_error()
        .unwrap_or_else(|| panic!("{sql}: not a database error: {err}"));
    assert_eq!(db.code().as_deref(), Some(PERMISSION_DENIED), "{sql}: {db}");
    assert!(db.message().contains(because), "{sql}: {}", db.message());
}

#[tokio::test]
async fn the_app_role_appends_to_the_audit_log_but_cannot_change_it() {
    let (_owner, mut app) = owner_and_app().await;
    let (role, superuser): (String, bool) = sqlx::query_as(
        "SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(&mut app)
    .await
    .unwrap();
    assert_eq!(role, APP_ROLE);
    assert!(!superuser);

    audit::record(
        &mut app,
        &audit::AuditEntry {
            actor: "admin-token".into(),
            action: audit::AuditAction::VENUE_CREATE,
            target: "venue:1".into(),
            ..audit::AuditEntry::default()
        },
    )
    .await
    .expect("the app role may append to the audit log");
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log")
        .fetch_all(&mut app)
        .await
        .unwrap();
    assert_eq!(actions, ["venue.create"]);

    let denied = "permission denied for table audit_log";
    assert_refused(
        &mut app,
        "UPDATE audit_log SET actor = 'someone else'",
        denied,
    )
    .await;
    assert_refused(&mut app, "DELETE FROM audit_log", denied).await;
    assert_refused(&mut app, "TRUNCATE audit_log", denied).await;
    // Nor can it lift the triggers that refuse the same to the owner.
    assert_refused(
        &mut app,
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_or_delete",
        "must be owner of table audit_log",
    )
    .await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&mut app)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn moderation_log_tier_history_and_ratings_are_never_rewritten_by_the_app() {
    let (_owner, mut app) = owner_and_app().await;
    for (sql, table) in [
        (
            "UPDATE rating_moderation SET reason = 'changed'",
            "rating_moderation",
        ),
        ("DELETE FROM rating_moderation", "rating_moderation"),
        ("TRUNCATE rating_moderation", "rating_moderation"),
        ("UPDATE tier_history SET tier = 'A'", "tier_history"),
        ("DELETE FROM tier_history", "tier_history"),
        ("TRUNCATE tier_history", "tier_history"),
    ] {
        assert_refused(
            &mut app,
            sql,
            &format!("permission denied for table {table}"),
        )
        .await;
    }
    // Ratings are quarantined, never deleted: not through the partitioned
    // table, and not by naming a partition either.
    let ratings_denied = "permission denied for table ratings";
    assert_refused(&mut app, "DELETE FROM ratings", ratings_denied).await;
    assert_refused(&mut app, "TRUNCATE ratings", ratings_denied).await;
    assert_refused(
        &mut app,
        "DELETE FROM ratings_default",
        "permission denied for table ratings_default",
    )
    .await;
    // The schema is the owner's.
    assert_refused(
        &mut app,
        "CREATE TABLE scratch (x integer)",
        "permission denied for schema public",
    )
    .await;
    assert_refused(
        &mut app,
        "DELETE FROM _sqlx_migrations",
        "permission denied for table _sqlx_migrations",
    )
    .await;
}

#[tokio::test]
async fn the_app_role_stores_ratings_and_creates_next_months_partitions() {
    let (owner, _) = owner_and_app().await;
    let db_name: String = sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&owner)
        .await
        .unwrap();
    let app = PgPool::connect(&app_database_url_for(&db_name))
        .await
        .unwrap();

    // The housekeeping round of `serve`.
    ratings::ensure_partitions(&app)
        .await
        .expect("the app role runs the housekeeping's partition upkeep");
    // A month that upkeep has not reached yet, so a partition is really made.
    let far_month = Utc::now()
        .date_naive()
        .checked_add_months(Months::new(30))
        .unwrap();
    let created: i32 = sqlx::query_scalar("SELECT ensure_rating_partitions($1, 1)")
        .bind(far_month)
        .fetch_one(&app)
        .await
        .unwrap();
    assert_eq!(created, 1);
    let partition = format!("ratings_{}", far_month.format("%Y%m"));
    let (owner_role, app_may_delete): (String, bool) = sqlx::query_as(
        "SELECT pg_get_userbyid(relowner)::text, has_table_privilege($2, oid, 'DELETE')
           FROM pg_class WHERE relname = $1",
    )
    .bind(&partition)
    .bind(APP_ROLE)
    .fetch_one(&owner)
    .await
    .unwrap();
    assert_ne!(owner_role, APP_ROLE, "the partition belongs to the owner");
    assert!(!app_may_delete, "{partition} lets the app delete ratings");
    // Its arguments are bounded: no partitions decades away.
    let far_away = sqlx::query("SELECT ensure_rating_partitions(current_date + 10000, 1)")
        .execute(&app)
        .await
        .expect_err("a month 27 years ahead");
    assert_eq!(
        far_away
            .as_database_error()
            .and_then(|db| db.code())
            .as_deref(),
        Some("22023")
    );

    // A rating through the batch statement the intake uses.
    let venue_id: i64 = sqlx::query_scalar(
        "INSERT INTO venues (region_code, category, name) VALUES ('652801', 'hotel', '孔雀河酒店') RETURNING id",
    )
    .fetch_one(&app)
    .await
    .expect("the app role creates venues");
    let now = Utc::now();
    let row = ratings::RatingRow {
        venue_id: venue_id.into(),
        day: local_day(now),
        created_at: now,
        device_hash: [7; 16],
        network_hash: [0; 8],
        overall: 5,
        environment: Some(4),
        skill: None,
        attitude: None,
        tags: vec![],
        comment: Some("干净".into()),
        form_nonce: None,
        complaint: None,
        contact_sealed: None,
        tracking_code: None,
        case_opening: None,
        idempotency: None,
    };
    let stored = ratings::insert_batch(&app, &[row])
        .await
        .expect("the app role stores ratings");
    let rating_id = stored[0].id;
    let counted: i32 =
        sqlx::query_scalar("SELECT ratings_count FROM venue_day_stats WHERE venue_id = $1")
            .bind(venue_id)
            .fetch_one(&owner)
            .await
            .unwrap();
    assert_eq!(counted, 1);
    // Quarantine updates the rating and appends to the moderation log.
    let done = moderation::moderate(
        &app,
        rating_id,
        true,
        &ModerationReason::parse("spam").unwrap(),
        &ScopeFilter::everything(),
        audit::AuditEntry {
            actor: "admin-token".into(),
            action: audit::AuditAction::RATING_QUARANTINE,
            ..audit::AuditEntry::default()
        },
    )
    .await
    .expect("the app role quarantines ratings");
    assert!(
        matches!(done, moderation::Moderation::Done { .. }),
        "{done:?}"
    );
}

#[tokio::test]
async fn the_test_server_connects_as_the_app_role() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    app.rate(&venue, "role", 4).await;
    let roles: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT usename::text FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND usename <> current_user",
    )
    .bind(&app.db_name)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(roles, [APP_ROLE]);
}

#[tokio::test]
async fn the_app_role_cannot_update_a_ratings_other_columns() {
    let (owner, mut app) = owner_and_app().await;
    // What a visitor sent stays as sent, through the table or a partition.
    for (sql, table) in [
        ("UPDATE ratings SET overall = 1", "ratings"),
        ("UPDATE ratings SET comment = 'rewritten'", "ratings"),
        ("UPDATE ratings_default SET overall = 1", "ratings_default"),
    ] {
        assert_refused(
            &mut app,
            sql,
            &format!("permission denied for table {table}"),
        )
        .await;
    }
    // The venue is also what a cluster spreads ratings by: there Citus
    // refuses to move a row before the privilege is looked at.
    let move_rating = "UPDATE ratings SET venue_id = 1";
    if on_cluster() {
        let err = sqlx::raw_sql(move_rating)
            .execute(&mut app)
            .await
            .unwrap_err();
        let db = err.as_database_error().expect("a database error");
        assert_eq!(db.code().as_deref(), Some("0A000"), "{db}");
        assert!(db.message().contains("partition value"), "{db}");
    } else {
        assert_refused(&mut app, move_rating, "permission denied for table ratings").await;
    }
    // Quarantine and release change exactly these two.
    for sql in [
        "UPDATE ratings SET quarantined_at = now(), quarantine_reason = 'x' WHERE false",
        "UPDATE ratings_default SET quarantined_at = NULL, quarantine_reason = NULL WHERE false",
    ] {
        sqlx::raw_sql(sql).execute(&mut app).await.expect(sql);
    }
    // A partition made later by the housekeeping gets the same columns only.
    let far_month = Utc::now()
        .date_naive()
        .checked_add_months(Months::new(31))
        .unwrap();
    let created: i32 = sqlx::query_scalar("SELECT ensure_rating_partitions($1, 1)")
        .bind(far_month)
        .fetch_one(&mut app)
        .await
        .unwrap();
    assert_eq!(created, 1);
    let partition = format!("ratings_{}", far_month.format("%Y%m"));
    for (column, allowed) in [
        ("quarantined_at", true),
        ("quarantine_reason", true),
        ("overall", false),
        ("comment", false),
        ("tags", false),
    ] {
        let may: bool = sqlx::query_scalar("SELECT has_column_privilege($1, $2, $3, 'UPDATE')")
            .bind(APP_ROLE)
            .bind(&partition)
            .bind(column)
            .fetch_one(&owner)
            .await
            .unwrap();
        assert_eq!(may, allowed, "{partition}.{column}");
    }
}
