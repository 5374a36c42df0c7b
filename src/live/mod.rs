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

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    /// Calls that failed or were skipped since start; a counter rebuild is
    /// valid only while this has not moved.
    misses: AtomicU64,
    /// Held shared from a rating commit until its counter increments are
    /// sent, and exclusively by a counter rebuild: no commit falls between
    /// the rebuild's read of Postgres and its write to Redis.
    gate: Arc<tokio::sync::RwLock<()>>,
}

/// Held while a change that counters must follow is committed and counted;
/// see [`Live::counting`].
pub struct CountingGuard {
    _held: Option<tokio::sync::OwnedRwLockReadGuard<()>>,
}

/// Held while counters are rebuilt; see [`Live::rebuilding`].
pub struct RebuildGuard {
    _held: Option<tokio::sync::OwnedRwLockWriteGuard<()>>,
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
                misses: AtomicU64::new(0),
                gate: Arc::default(),
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

    /// How many calls have failed, or been skipped while Redis was down,
    /// since start. Counters rebuilt when this read `n` are still whole while
    /// it reads `n`: no increment since has been lost.
    pub fn misses(&self) -> u64 {
        self.inner
            .as_ref()
            .map_or(0, |i| i.misses.load(Ordering::SeqCst))
    }

    /// Taken before committing a change the live counters follow (a rating
    /// batch, a quarantine) and held until its increments are sent, so a
    /// rebuild never reads Postgres before the commit and writes Redis after
    /// the increment. Many are held at once; only a rebuild waits for them.
    pub async fn counting(&self) -> CountingGuard {
        match &self.inner {
            Some(inner) => CountingGuard {
                _held: Some(inner.gate.clone().read_owned().await),
            },
            None => CountingGuard { _held: None },
        }
    }

    /// Taken by a counter rebuild around its read of Postgres and write of
    /// Redis: waits for every [`Live::counting`] guard held, and commits that
    /// would be counted wait for it.
    pub async fn rebuilding(&self) -> RebuildGuard {
        match &self.inner {
            Some(inner) => RebuildGuard {
                _held: Some(inner.gate.clone().write_owned().await),
            },
            None => RebuildGuard { _held: None },
        }
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
        if !ok {
            inner.misses.fetch_add(1, Ordering::SeqCst);
        }
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
            inner.misses.fetch_add(1, Ordering::SeqCst);
            return Err(LiveDown);
        }
        let conn = inner
            .connection
            .read()
            .ok()
            .and_then(|m| m.clone())
            .ok_or(LiveDown)
            .inspect_err(|_| {
                inner.misses.fetch_add(1, Ordering::SeqCst);
            })?;
        match tokio::time::timeout(CALL_TIMEOUT, f(conn)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "redis call failed; continuing without redis");
                inner.misses.fetch_add(1, Ordering::SeqCst);
                inner.up.store(false, Ordering::Relaxed);
                Err(LiveDown)
            }
            Err(_) => {
                tracing::warn!("redis call timed out; continuing without redis");
                inner.misses.fetch_add(1, Ordering::SeqCst);
                inner.up.store(false, Ordering::Relaxed);
                Err(LiveDown)
            }
        }
    }
}
