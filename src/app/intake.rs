//! The one write path for ratings, shared by the JSON API and the HTML form:
//! idempotency → rate limit → batch (daily dedupe in Redis, durable commit)
//! → answer → live counters.

use crate::domain::ids::{RatingId, VenueId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::app::case_rules::CaseRules;
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::client_addr::{limit_key_of, network_prefix};
use crate::domain::day::local_day;
use crate::domain::rating::{Complaint, DeviceId, RatingInput};
use crate::domain::secrets::{FormNonce, Secrets};
use crate::jobs::batcher::{Batcher, WriteFailure, WriteOutcome};
use crate::live::Live;
use crate::store::StoreError;
use crate::store::complaints::{self, CaseOpening, ComplaintApart};
use crate::store::ratings::{self, RatingRow};
use crate::store::venues::VenueCard;
use crate::telemetry::Metrics;

/// A rating on its way in, after parsing.
#[derive(Debug)]
pub struct Submission {
    /// The venue behind the scanned code.
    pub venue: Arc<VenueCard>,
    /// What the visitor said.
    pub input: RatingInput,
    /// Who said it (hashed before storage).
    pub device: DeviceId,
    /// The single-use nonce of the form, for form posts.
    pub form_nonce: Option<FormNonce>,
    /// `Idempotency-Key` and the hash of the request body.
    pub idempotency: Option<(String, [u8; 32])>,
    /// Client address, only for the rate limit (never stored or logged); an
    /// IPv6 address counts by its /64.
    pub client_ip: String,
}

/// The answer for an accepted rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// Rating id.
    pub rating_id: RatingId,
    /// Venue id.
    pub venue_id: VenueId,
    /// The device id the rating was counted under.
    pub device_id: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
    /// Local day it counts for.
    pub day: NaiveDate,
    /// Complaint tracking code, when a complaint was filed.
    pub tracking_code: Option<String>,
    /// Whether this is a replay of an earlier answer (same Idempotency-Key).
    pub replayed: bool,
}

/// Why a rating was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// The device already rated this venue today, or the form was already
    /// used. A complaint that came with it was filed all the same.
    #[error("already rated today")]
    Duplicate {
        /// Tracking code of the complaint filed with the refused rating.
        tracking_code: Option<String>,
    },
    /// Too many ratings from this address for this venue this minute.
    #[error("too many ratings")]
    RateLimited {
        /// Seconds until the window resets.
        retry_after_secs: u64,
    },
    /// The Idempotency-Key was used with a different request body.
    #[error("idempotency key reused with another request")]
    IdempotencyMismatch,
    /// Postgres refused the rating's data although it passed validation;
    /// nothing of it was stored.
    #[error("rating cannot be stored")]
    Refused,
    /// Postgres is unavailable; nothing was stored.
    #[error("database unavailable")]
    Unavailable,
    /// An unexpected failure; nothing was acknowledged.
    #[error("internal error")]
    Failed,
}

impl IntakeError {
    /// The metric label for a rejection.
    pub fn reason(&self) -> &'static str {
        match self {
            IntakeError::Duplicate { .. } => "duplicate",
            IntakeError::RateLimited { .. } => "rate_limited",
            IntakeError::IdempotencyMismatch => "idempotency_mismatch",
            IntakeError::Refused => "refused",
            IntakeError::Unavailable => "unavailable",
            IntakeError::Failed => "failed",
        }
    }
}

/// The write path and what it needs.
#[derive(Clone)]
pub struct Intake {
    pool: PgPool,
    batcher: Batcher,
    live: Live,
    secrets: Arc<Secrets>,
    rate_limit_per_minute: u32,
    db_timeout: Duration,
    local_limits: Arc<Mutex<LocalLimits>>,
    metrics: Metrics,
    clock: Clock,
    case_rules: CaseRules,
}

/// Rate-limit windows kept in process while Redis is down.
#[derive(Default)]
struct LocalLimits {
    minute: i64,
    hits: HashMap<(i64, String), u64>,
}

impl Intake {
    /// Wires the write path.
    pub fn new(
        pool: PgPool,
        batcher: Batcher,
        live: Live,
        secrets: Arc<Secrets>,
        settings: &Settings,
        metrics: Metrics,
        clock: Clock,
    ) -> Self {
        Self {
            clock,
            case_rules: CaseRules::new(pool.clone()),
            pool,
            batcher,
            live,
            secrets,
            rate_limit_per_minute: settings.rate_limit_per_minute,
            db_timeout: settings.db_timeout,
            local_limits: Arc::default(),
            metrics,
        }
    }

    /// Takes one rating; answers only after it is durable in Postgres.
    pub async fn submit(&self, submission: Submission) -> Result<Receipt, IntakeError> {
        let result = self.submit_inner(submission).await;
        match &result {
            Ok(receipt) if receipt.replayed => self.metrics.rating_outcome("replayed"),
            Ok(_) => self.metrics.rating_outcome("accepted"),
            Err(err) => self.metrics.rating_outcome(err.reason()),
        }
        result
    }

    async fn submit_inner(&self, s: Submission) -> Result<Receipt, IntakeError> {
        let now = self.clock.now();
        let day = local_day(now);
        let venue_id = s.venue.id;

        if let Some(receipt) = self.recorded_answer(&s).await? {
            return Ok(receipt);
        }
        // IPv6 clients are counted per /64: rotating inside it buys nothing.
        self.check_rate(venue_id, &limit_key_of(&s.client_ip), now)
            .await?;

        let device_hash = self.secrets.device_hash(&s.device);
        let network_hash = self.secrets.network_hash(&network_prefix(&s.client_ip));
        let tracking_code = (s.input.complaint.as_ref()).map(|_| new_tracking_code(venue_id));
        let case_opening = match &s.input.complaint {
            Some(_) => Some(self.case_opening(&s.venue, now).await?),
            None => None,
        };
        let row = RatingRow {
            venue_id,
            day,
            created_at: now,
            device_hash,
            network_hash,
            overall: i16::from(s.input.overall.get()),
            environment: s.input.dimensions.environment.map(|v| i16::from(v.get())),
            skill: s.input.dimensions.skill.map(|v| i16::from(v.get())),
            attitude: s.input.dimensions.attitude.map(|v| i16::from(v.get())),
            tags: s.input.tags.iter().map(|t| t.key()).collect(),
            comment: s.input.comment.as_ref().map(|c| c.as_str().to_owned()),
            form_nonce: s.form_nonce.map(|n| n.0),
            complaint: s.input.complaint.as_ref().map(|c| c.text.clone()),
            contact_sealed: s
                .input
                .complaint
                .as_ref()
                .and_then(|c| c.contact.as_deref())
                .map(|contact| self.secrets.seal_contact(contact)),
            tracking_code: tracking_code.clone(),
            case_opening: case_opening.clone(),
            idempotency: s.idempotency.clone(),
        };
        // Filed on its own if the rating turns out to be a repeat.
        let apart = (s.input.complaint.as_ref())
            .zip(case_opening)
            .map(|(complaint, opening)| {
                ComplaintApart::new(
                    venue_id,
                    device_hash,
                    now,
                    tracking_code.clone().unwrap_or_default(),
                    complaint.text.clone(),
                    row.contact_sealed.clone(),
                    opening,
                )
            });

        let written =
            tokio::time::timeout(self.db_timeout, self.batcher.submit(row, s.venue.clone())).await;
        let outcome = match written {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(failure)) => {
                return Err(match failure {
                    WriteFailure::Unavailable => IntakeError::Unavailable,
                    WriteFailure::Refused => IntakeError::Refused,
                    WriteFailure::Failed => IntakeError::Failed,
                });
            }
            Err(_elapsed) => {
                // The commit may still land; if it does, a retry gets 409 from
                // the daily claim or the Postgres constraint.
                return Err(IntakeError::Unavailable);
            }
        };
        match outcome {
            WriteOutcome::Stored(stored) => Ok(Receipt {
                rating_id: stored.id,
                venue_id,
                device_id: s.device.as_str().to_owned(),
                created_at: stored.created_at,
                day,
                tracking_code,
                replayed: false,
            }),
            WriteOutcome::Duplicate => match self.recorded_answer(&s).await? {
                // A concurrent twin of the request that stored it.
                Some(receipt) => Ok(receipt),
                None => Err(IntakeError::Duplicate {
                    tracking_code: self.file_apart(apart).await?,
                }),
            },
            WriteOutcome::IdempotencyKeyTaken => {
                self.recorded_answer(&s).await?.ok_or(IntakeError::Failed)
            }
        }
    }

    /// The recorded answer for an idempotency key, if any.
    async fn replay(
        &self,
        key: &str,
        hash: &[u8; 32],
        device: &DeviceId,
    ) -> Result<Option<Receipt>, IntakeError> {
        let answer =
            tokio::time::timeout(self.db_timeout, ratings::idempotent_answer(&self.pool, key))
                .await
                .map_err(|_| IntakeError::Unavailable)?
                .map_err(store_failure)?;
        let Some(answer) = answer else {
            return Ok(None);
        };
        if answer.request_hash.as_slice() != hash.as_slice() {
            return Err(IntakeError::IdempotencyMismatch);
        }
        Ok(Some(Receipt {
            rating_id: answer.rating_id,
            venue_id: answer.venue_id,
            device_id: device.as_str().to_owned(),
            created_at: answer.created_at,
            day: local_day(answer.created_at),
            tracking_code: answer.tracking_code,
            replayed: true,
        }))
    }

    /// The answer recorded for the submission's idempotency key, if any.
    async fn recorded_answer(&self, s: &Submission) -> Result<Option<Receipt>, IntakeError> {
        match &s.idempotency {
            Some((key, hash)) => self.replay(key, hash, &s.device).await,
            None => Ok(None),
        }
    }

    /// Files the complaint of a refused repeat, durably, before the visitor
    /// is told about it; its tracking code.
    async fn file_apart(
        &self,
        complaint: Option<ComplaintApart>,
    ) -> Result<Option<String>, IntakeError> {
        let Some(complaint) = complaint else {
            return Ok(None);
        };
        let code = tokio::time::timeout(
            self.db_timeout,
            complaints::file_apart(&self.pool, &complaint),
        )
        .await
        .map_err(|_| IntakeError::Unavailable)?
        .map_err(store_failure)?;
        Ok(Some(code))
    }

    /// Files a complaint without a rating, from a device that rated the venue
    /// today already; answers its tracking code once it is stored.
    pub async fn complain(
        &self,
        venue: &VenueCard,
        device: &DeviceId,
        complaint: &Complaint,
        client_ip: &str,
    ) -> Result<String, IntakeError> {
        let now = self.clock.now();
        self.check_rate(venue.id, client_ip, now).await?;
        let apart = ComplaintApart::new(
            venue.id,
            self.secrets.device_hash(device),
            now,
            new_tracking_code(venue.id),
            complaint.text.clone(),
            (complaint.contact.as_deref()).map(|contact| self.secrets.seal_contact(contact)),
            self.case_opening(venue, now).await?,
        );
        let code = self.file_apart(Some(apart)).await?;
        code.ok_or(IntakeError::Failed)
    }

    /// The case deadlines the write path opens complaints with, to be shared
    /// with the rest of the service (so an edit of the calendar reaches both).
    pub fn case_rules(&self) -> &CaseRules {
        &self.case_rules
    }

    /// Where the case of a complaint about `venue` filed at `at` starts.
    async fn case_opening(
        &self,
        venue: &VenueCard,
        at: DateTime<Utc>,
    ) -> Result<CaseOpening, IntakeError> {
        tokio::time::timeout(
            self.db_timeout,
            self.case_rules.opening(&venue.region_path, at),
        )
        .await
        .map_err(|_| IntakeError::Unavailable)?
        .map_err(store_failure)
    }

    /// Whether `device` has a rating of `venue` stored for today: the daily
    /// claim in Redis says so, and Postgres answers when Redis cannot.
    pub async fn rated_today(&self, venue_id: VenueId, device: &DeviceId) -> bool {
        let day = self.clock.today();
        let hash = self.secrets.device_hash(device);
        match self.live.daily_claimed(venue_id, day, &hash).await {
            Ok(claimed) => claimed,
            Err(_) => {
                let stored = tokio::time::timeout(
                    self.db_timeout,
                    ratings::rated_on(&self.pool, venue_id, day, &hash),
                )
                .await;
                matches!(stored, Ok(Ok(true)))
            }
        }
    }

    async fn check_rate(
        &self,
        venue_id: VenueId,
        client_ip: &str,
        now: DateTime<Utc>,
    ) -> Result<(), IntakeError> {
        let limit = u64::from(self.rate_limit_per_minute);
        if limit == 0 {
            return Ok(());
        }
        let minute = now.timestamp().div_euclid(60);
        let count = match self.live.rate_hit(venue_id, client_ip, minute).await {
            Ok(count) => count,
            Err(_) => self.local_hit(venue_id, client_ip, minute),
        };
        if count > limit {
            let retry_after_secs = (60 - now.timestamp().rem_euclid(60)) as u64;
            return Err(IntakeError::RateLimited {
                retry_after_secs: retry_after_secs.max(1),
            });
        }
        Ok(())
    }

    fn local_hit(&self, venue_id: VenueId, client_ip: &str, minute: i64) -> u64 {
        let Ok(mut limits) = self.local_limits.lock() else {
            return 0;
        };
        if limits.minute != minute {
            limits.minute = minute;
            limits.hits.clear();
        }
        let hits = limits
            .hits
            .entry((venue_id.get(), client_ip.to_owned()))
            .or_insert(0);
        *hits += 1;
        *hits
    }
}

fn store_failure(err: StoreError) -> IntakeError {
    match err {
        StoreError::Unavailable(_) => IntakeError::Unavailable,
        StoreError::Other(err) => {
            tracing::error!(error = %err, "rating store failed");
            IntakeError::Failed
        }
    }
}

/// A complaint tracking code: the venue's id, a dash and ten random
/// characters without look-alikes (0/O, 1/I). The venue makes the code
/// unique across the whole system (each venue's codes are unique by a
/// constraint) and lets `/c/{code}` go straight to the venue's cases.
pub fn new_tracking_code(venue_id: VenueId) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes: [u8; 10] = rand::random();
    let random: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("{}-{random}", venue_id.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_ten_unambiguous_characters() {
        let code = new_tracking_code(VenueId::new(4071));
        let (venue, random) = code.split_once('-').unwrap();
        assert_eq!(venue, "4071");
        assert_eq!(random.len(), 10);
        assert!(
            random
                .chars()
                .all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c))
        );
        assert!(!random.contains(['O', 'I', '0', '1']));
        assert_ne!(code, new_tracking_code(VenueId::new(4071)));
    }
}
