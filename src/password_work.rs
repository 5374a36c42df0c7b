//! argon2id work (checking and setting passwords, checking recovery codes)
//! runs on the blocking pool, at most one job per core at a time. A flood of
//! sign-ins then waits a little or is told to come back (503 with
//! `Retry-After`) instead of queueing CPU work without bound; each job is
//! counted in `/metrics` by kind.

use std::sync::Arc;
use std::time::Duration;

use prometheus::IntCounterVec;
use tokio::sync::Semaphore;

/// How long a request waits for a free core before it is told to come back.
const PERMIT_WAIT: Duration = Duration::from_secs(2);
/// What a refused request is told to wait, in seconds.
pub const SATURATED_RETRY_AFTER_SECS: u64 = 2;

/// What one argon2id job does, the label of its counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordJob {
    /// Checks a candidate password against a stored hash.
    Verify,
    /// Hashes a new password.
    Hash,
    /// Checks a recovery code against the stored ones.
    RecoveryCode,
}

impl PasswordJob {
    fn label(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Hash => "hash",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

/// Every core is busy with argon2id and stayed busy for the whole wait.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("password checks are saturated")]
pub struct Saturated;

/// The bounded argon2id pool; cheap to clone.
#[derive(Clone)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
    runs: IntCounterVec,
}

impl PasswordWork {
    /// A pool with one permit per core, counting its jobs in `runs`
    /// (labelled by kind).
    pub fn new(runs: IntCounterVec) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Self {
            permits: Arc::new(Semaphore::new(cores)),
            runs,
        }
    }

    /// Runs one argon2id job once a core is free; [`Saturated`] when none
    /// frees up within a short wait.
    pub async fn run<T, F>(&self, job: PasswordJob, work: F) -> Result<T, Saturated>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(PERMIT_WAIT, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Saturated)?
            .map_err(|_| Saturated)?;
        self.runs.with_label_values(&[job.label()]).inc();
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        // Only a panic in the job ends here; treat it as no answer.
        .map_err(|_| Saturated)
    }
}
