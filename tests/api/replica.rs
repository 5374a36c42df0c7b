//! Reads from a streaming replica (`DATABASE_REPLICA_URL`). A venue's public
//! score and the rankings read from the replica while it keeps up; when its
//! replay falls further behind than `REPLICA_MAX_LAG_SECONDS`, or it does not
//! answer, they read from the primary, and `/readyz` says which. The replica
//! is the one deploy/services.sh keeps beside the test server.

use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{Connection, PgConnection};

use crate::common::{
    Options, TestApp, database_url_for, free_port, on_cluster, on_replica, spawn_app_with,
};

/// What `/readyz` says of the replica.
async fn replica_state(app: &TestApp) -> String {
    let readiness: Value = app.get("/readyz").await.json().await.unwrap();
    readiness["replica"].as_str().unwrap_or_default().to_owned()
}

/// Waits (up to 20 s) until `/readyz` reports the replica as `want`.
async fn replica_becomes(app: &TestApp, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let state = replica_state(app).await;
        if state == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the replica stayed {state}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A superuser's connection to the replica, to pause and resume its replay.
async fn replica_admin() -> PgConnection {
    PgConnection::connect(&on_replica(&database_url_for("postgres")))
        .await
        .expect("the replica answers (deploy/services.sh start)")
}

/// Waits until the replica has replayed everything the primary had written
/// when this was called.
async fn caught_up(app: &TestApp, replica: &mut PgConnection) {
    let written: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let replayed: bool =
            sqlx::query_scalar("SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn")
                .bind(&written)
                .fetch_one(&mut *replica)
                .await
                .unwrap();
        if replayed {
            return;
        }
        assert!(Instant::now() < deadline, "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn score_status(app: &TestApp, venue_id: i64) -> u16 {
    app.get(&format!("/api/v1/venues/{venue_id}/score"))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn scores_read_from_the_replica_while_it_keeps_up_and_from_the_primary_when_it_lags() {
    if on_cluster() {
        // The loopback cluster has no streaming replica of its coordinator;
        // the plain Postgres run of the suite covers the replica.
        eprintln!("skipped on the cluster: no streaming replica there");
        return;
    }
    let mut replica = replica_admin().await;
    // A run that stopped half-way may have left replay paused.
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut replica)
        .await
        .unwrap();
    let app = spawn_app_with(Options {
        use_replica: true,
        env: vec![("REPLICA_MAX_LAG_SECONDS", "3")],
        ..Options::default()
    })
    .await;
    replica_becomes(&app, "in_use").await;
    let first = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let first_id = first["id"].as_i64().unwrap();
    caught_up(&app, &mut replica).await;
    assert_eq!(score_status(&app, first_id).await, 200);

    // Replay stops just after a fresh transaction, so the replica is not yet
    // behind: a venue made now is on the primary only, and the public score
    // (read from the replica) does not know it.
    sqlx::query("UPDATE venues SET name = name WHERE id = $1")
        .bind(first_id)
        .execute(&app.pool)
        .await
        .unwrap();
    caught_up(&app, &mut replica).await;
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&mut replica)
        .await
        .unwrap();
    let second = app.create_venue("铁门关酒店", "652801", "hotel").await;
    let second_id = second["id"].as_i64().unwrap();
    assert_eq!(
        score_status(&app, second_id).await,
        404,
        "read from the replica, which has not replayed the new venue"
    );

    // Once the replay is more than three seconds behind, reads go to the primary.
    replica_becomes(&app, "lagging").await;
    assert_eq!(score_status(&app, second_id).await, 200);

    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut replica)
        .await
        .unwrap();
    replica_becomes(&app, "in_use").await;
    assert_eq!(
        score_status(&app, second_id).await,
        200,
        "the replica caught up"
    );
}

#[tokio::test]
async fn a_replica_that_does_not_answer_leaves_every_read_on_the_primary() {
    let app = spawn_app_with(Options {
        database_replica_url: Some(format!(
            "postgres://nobody:nothing@127.0.0.1:{}/none",
            free_port()
        )),
        ..Options::default()
    })
    .await;
    let readiness = app.get("/readyz").await;
    assert_eq!(
        readiness.status(),
        200,
        "the replica never makes the service unready"
    );
    assert_eq!(replica_state(&app).await, "down");
    let venue = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    assert_eq!(score_status(&app, venue["id"].as_i64().unwrap()).await, 200);
    let rankings = app.get("/api/v1/rankings?region=652801").await;
    assert_eq!(rankings.status(), 200);
}
