//! Test databases on a Citus cluster as well as on plain Postgres.
//!
//! When `QRF_CITUS_WORKERS` names the workers of the cluster whose
//! coordinator is `DATABASE_URL` (owner URLs, comma-separated; deploy/test.sh
//! sets both), every test database exists on each node under the same name:
//! the template is made a Citus database on every node, migrated and
//! distributed, and each test's copy is taken of the template on every node,
//! so the coordinator's metadata and the workers' shards stay a matching set.
//! Without the variable each function touches the one server only.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgConnection};

use super::with_database;

/// The workers' owner URLs, empty on plain Postgres.
fn workers() -> Vec<String> {
    std::env::var("QRF_CITUS_WORKERS")
        .map(|list| {
            list.split(',')
                .filter(|url| !url.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the tests run on a cluster.
pub fn on_cluster() -> bool {
    !workers().is_empty()
}

async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url)
        .await
        .expect("connect to a node of the test cluster")
}

async fn run(conn: &mut PgConnection, sql: String) -> Result<(), sqlx::Error> {
    conn.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)))
        .await
        .map(|_| ())
}

/// Ends every other session on `db` (on a Citus node, its maintenance
/// daemon), which would stop the database from being copied or renamed.
async fn end_sessions(conn: &mut PgConnection, db: &str) {
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(db)
    .execute(&mut *conn)
    .await
    .expect("end the sessions on a database");
}

/// Creates `name` on one server, copying `template` if given. On a cluster
/// a copy first ends the template's Citus maintenance daemon and tries
/// again while some session still holds the template.
pub async fn create(conn: &mut PgConnection, name: &str, template: Option<&str>) {
    let from = template
        .map(|t| format!(r#" TEMPLATE "{t}""#))
        .unwrap_or_default();
    let sql = format!(r#"CREATE DATABASE "{name}"{from}"#);
    let (Some(template), true) = (template, on_cluster()) else {
        run(conn, sql).await.expect("create test database");
        return;
    };
    for attempt in 1.. {
        end_sessions(conn, template).await;
        match run(conn, sql.clone()).await {
            Ok(()) => return,
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("55006") => {
                assert!(attempt < 20, "the template stays in use: {db}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(err) => panic!("create test database: {err}"),
        }
    }
}

/// Creates `name` as a copy of `template` on every node, the nodes at once:
/// each copy is mostly the node's own disk work.
pub async fn create_everywhere(coordinator: &mut PgConnection, name: &str, template: &str) {
    let workers = workers();
    let on_workers = futures_util::future::join_all(workers.iter().map(|worker| async move {
        create(&mut connect(worker).await, name, Some(template)).await;
    }));
    tokio::join!(on_workers, create(coordinator, name, Some(template)));
}

/// Creates `name` empty on every node; on a cluster, with Citus created in
/// it everywhere and the coordinator told of itself and its workers.
pub async fn create_citus(coordinator: &mut PgConnection, name: &str) {
    create(coordinator, name, None).await;
    let workers = workers();
    if workers.is_empty() {
        return;
    }
    for worker in &workers {
        create(&mut connect(worker).await, name, None).await;
        let mut db = connect(&with_database(worker, name)).await;
        run(&mut db, "CREATE EXTENSION citus".into())
            .await
            .expect("create citus on a worker");
    }
    let coordinator_url = with_database(&super::base_database_url(), name);
    let mut db = connect(&coordinator_url).await;
    run(&mut db, "CREATE EXTENSION citus".into())
        .await
        .expect("create citus on the coordinator");
    let (host, port) = host_and_port(&coordinator_url);
    sqlx::query("SELECT citus_set_coordinator_host($1, $2)")
        .bind(&host)
        .bind(port)
        .execute(&mut db)
        .await
        .expect("tell the coordinator of itself");
    for worker in &workers {
        let (host, port) = host_and_port(worker);
        sqlx::query("SELECT citus_add_node($1, $2)")
            .bind(&host)
            .bind(port)
            .execute(&mut db)
            .await
            .expect("add a worker");
    }
    // Fewer shards than a deployment's 32: each test makes a database of
    // its own, and every shard is a table on disk. Two or more shards on
    // each worker still make every multi-shard path run.
    run(
        &mut db,
        format!(r#"ALTER DATABASE "{name}" SET citus.shard_count = 4"#),
    )
    .await
    .expect("set the test shard count");
}

/// Renames `from` to `to` on every node, the coordinator last (a template
/// counts as made once the coordinator has it).
pub async fn rename_everywhere(
    coordinator: &mut PgConnection,
    from: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    let sql = format!(r#"ALTER DATABASE "{from}" RENAME TO "{to}""#);
    for worker in workers() {
        let mut conn = connect(&worker).await;
        end_sessions(&mut conn, from).await;
        run(&mut conn, sql.clone()).await?;
    }
    if on_cluster() {
        end_sessions(coordinator, from).await;
    }
    run(coordinator, sql).await
}

/// Drops `name` wherever it exists.
pub async fn drop_everywhere(coordinator: &mut PgConnection, name: &str) {
    let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
    let workers = workers();
    let on_workers = futures_util::future::join_all(workers.iter().map(|worker| {
        let sql = sql.clone();
        async move {
            let _ = run(&mut connect(worker).await, sql).await;
        }
    }));
    let _ = tokio::join!(on_workers, run(coordinator, sql.clone()));
}

fn host_and_port(url: &str) -> (String, i32) {
    let options = PgConnectOptions::from_str(url).expect("a node URL");
    (options.get_host().to_owned(), i32::from(options.get_port()))
}
