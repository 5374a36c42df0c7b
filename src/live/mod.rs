//! Redis: dedupe, rate limits and live counters. Always optional: every call
//! fails fast with [`LiveDown`] while Redis is unreachable, and callers fall
//! back to Postgres (which holds every rating) or skip the extra.

pub mod counters;
pub mod guard;
pub mod sessions;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

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
    client: redis::Client,
    prefix: String,
    manager: RwLock<Option<ConnectionManager>>,
    up: AtomicBool,
}

impl Live {
    /// A handle for `redis_url` whose keys all start with `prefix`; connects
    /// in the background via [`Live::check`].
    pub fn new(redis_url: Option<&str>, prefix: &str) -> Result<Self, redis::RedisError> {
        let Some(url) = redis_url else {
            return Ok(Self::default());
        };
        Ok(Self {
            inner: Some(Arc::new(Inner {
                client: redis::Client::open(url)?,
                prefix: prefix.to_owned(),
                manager: RwLock::new(None),
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
    pub async fn check(&self) -> bool {
        let Some(inner) = &self.inner else {
            return false;
        };
        let existing = inner.manager.read().ok().and_then(|m| m.clone());
        let ok = match existing {
            Some(mut conn) => {
                let ping = redis::cmd("PING");
                let answer = ping.query_async::<String>(&mut conn);
                let ok = matches!(tokio::time::timeout(CALL_TIMEOUT, answer).await, Ok(Ok(_)));
                if !ok {
                    // Start over with a fresh connection rather than wait for
                    // the old one's reconnect back-off after Redis returns.
                    if let Ok(mut slot) = inner.manager.write() {
                        *slot = None;
                    }
                }
                ok
            }
            None => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_millis(500)))
                    .set_response_timeout(Some(CALL_TIMEOUT))
                    .set_number_of_retries(1);
                let connect = inner.client.get_connection_manager_with_config(config);
                match tokio::time::timeout(Duration::from_secs(1), connect).await {
                    Ok(Ok(conn)) => {
                        if let Ok(mut slot) = inner.manager.write() {
                            *slot = Some(conn);
                        }
                        true
                    }
                    _ => false,
                }
            }
        };
        inner.up.store(ok, Ordering::Relaxed);
        ok
    }

    /// Runs one Redis call with a deadline; any failure marks Redis down.
    async fn call<T, F, Fut>(&self, f: F) -> Result<T, LiveDown>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let inner = self.inner.as_ref().ok_or(LiveDown)?;
        if !inner.up.load(Ordering::Relaxed) {
            return Err(LiveDown);
        }
        let conn = inner
            .manager
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
