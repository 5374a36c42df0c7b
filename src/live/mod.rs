//! Redis: dedupe, rate limits and live counters. Always optional: every call
//! fails fast with [`LiveDown`] while Redis is unreachable, and callers fall
//! back to Postgres (which holds every rating) or skip the extra.
//!
//! Redis is one server or a Redis Cluster; see [`Live::new`] for how
//! `REDIS_URL` names a cluster. Every use works the same on both.

mod connection;
pub mod counters;
pub mod guard;
pub mod sessions;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use connection::{Connection, Target};

/// How long one Redis call may take before Redis counts as down.
const CALL_TIMEOUT: Duration = Duration::from_millis(300);

/// Redis is not configured or not reachable right now.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("redis is unavailable")]
pub struct LiveDown;

/// A handle to Redis that may be down; cheap to clone.
#[derive(Clone, Default)]
pub struct Live {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    target: Target,
    prefix: String,
    connection: RwLock<Option<Connection>>,
    up: AtomicBool,
}

impl Live {
    /// A handle for `redis_url` whose keys all start with `prefix`; connects
    /// in the background via [`Live::check`].
    ///
    /// `redis://host:port/` (or `unix://`) names one server.
    /// `redis+cluster://host1:port1,host2:port2,…` names a Redis Cluster by
    /// one or more of its nodes, comma-separated; the client finds the
    /// others itself. Credentials, when given, come once before the nodes
    /// and apply to every node:
    /// `redis+cluster://:password@10.0.0.1:7000,10.0.0.2:7000`.
    pub fn new(redis_url: Option<&str>, prefix: &str) -> Result<Self, redis::RedisError> {
        let Some(url) = redis_url else {
            return Ok(Self::default());
        };
        Ok(Self {
            inner: Some(Arc::new(Inner {
                target: Target::parse(url)?,
                prefix: prefix.to_owned(),
                connection: RwLock::new(None),
                up: AtomicBool::new(false),
            })),
        })
    }

    /// A key in this deployment's namespace.
    fn key(&self, rest: std::fmt::Arguments<'_>) -> String {
        let prefix = self.inner.as_ref().map_or("", |i| i.prefix.as_str());
        format!("{prefix}:{rest}")
    }

    /// Whether Redis is configured at all.
    pub fn is_configured(&self) -> bool {
        self.inner.is_some()
    }

    /// Whether the last contact with Redis succeeded.
    pub fn is_up(&self) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|i| i.up.load(Ordering::Relaxed))
    }

    /// Connects or pings; returns whether Redis is up now. Called by the monitor job.
    ///
    /// On a cluster the PING goes to every primary, so a cluster with a
    /// primary down counts as down (a third of its keys would fail) until a
    /// replica takes over the primary's slots.
    pub async fn check(&self) -> bool {
        let Some(inner) = &self.inner else {
            return false;
        };
        let existing = inner.connection.read().ok().and_then(|m| m.clone());
        let conn = match existing {
            Some(conn) => Some(conn),
            None => tokio::time::timeout(Duration::from_secs(1), inner.target.connect())
                .await
                .ok()
                .and_then(Result::ok),
        };
        let ok = match conn {
            Some(mut conn) => {
                let ping = redis::cmd("PING");
                let answer = ping.query_async::<String>(&mut conn);
                let ok = matches!(tokio::time::timeout(CALL_TIMEOUT, answer).await, Ok(Ok(_)));
                // On failure, start over with a fresh connection rather than
                // wait for the old one's reconnect back-off after Redis
                // returns (or, on a cluster, for it to learn of a failover).
                if let Ok(mut slot) = inner.connection.write() {
                    *slot = ok.then_some(conn);
                }
                ok
            }
            None => false,
        };
        inner.up.store(ok, Ordering::Relaxed);
        ok
    }

    /// Runs one Redis call with a deadline; any failure marks Redis down.
    async fn call<T, F, Fut>(&self, f: F) -> Result<T, LiveDown>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let inner = self.inner.as_ref().ok_or(LiveDown)?;
        if !inner.up.load(Ordering::Relaxed) {
            return Err(LiveDown);
        }
        let conn = inner
            .connection
            .read()
            .ok()
            .and_then(|m| m.clone())
            .ok_or(LiveDown)?;
        match tokio::time::timeout(CALL_TIMEOUT, f(conn)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "redis call failed; continuing without redis");
                inner.up.store(false, Ordering::Relaxed);
                Err(LiveDown)
            }
            Err(_) => {
                tracing::warn!("redis call timed out; continuing without redis");
                inner.up.store(false, Ordering::Relaxed);
                Err(LiveDown)
            }
        }
    }
}
