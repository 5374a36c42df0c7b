//! Alerts for regulators: their kinds, the rules that raise the ones read
//! from the aggregates, and how the webhook signs and retries them.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// The detectors of bought scores held a campaign at the venue.
    CampaignDetected,
    /// The venue's average stars of the last week fell below its average
    /// of the four weeks before by more than the threshold.
    ScoreDrop,
    /// Red-flag tags (overcharging, forced shopping …) piled up at the venue
    /// within a week.
    RedFlagCluster,
    /// A complaint case about the venue passed its due time.
    OverdueCase,
}

impl AlertKind {
    /// Every kind.
    pub const ALL: [AlertKind; 4] = [
        AlertKind::CampaignDetected,
        AlertKind::ScoreDrop,
        AlertKind::RedFlagCluster,
        AlertKind::OverdueCase,
    ];

    /// As stored and sent.
    pub fn key(self) -> &'static str {
        match self {
            AlertKind::CampaignDetected => "campaign_detected",
            AlertKind::ScoreDrop => "score_drop",
            AlertKind::RedFlagCluster => "red_flag_cluster",
            AlertKind::OverdueCase => "overdue_case",
        }
    }
}

/// When the aggregate rules raise an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRules {
    /// Stars the last week's average must fall below the four weeks before
    /// (`ALERT_SCORE_DROP_STARS`).
    pub score_drop_stars: f64,
    /// Ratings each of the two periods needs before a drop is judged.
    pub score_drop_min_ratings: i64,
    /// Red-flag tags within a week that raise an alert (`ALERT_RED_FLAGS`).
    pub red_flags: i64,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            score_drop_stars: 0.8,
            score_drop_min_ratings: 10,
            red_flags: 3,
        }
    }
}

impl AlertRules {
    /// The drop in average stars from `before` (sum, count) to `recent`,
    /// when both have enough ratings and it passes the threshold.
    pub fn score_drop(&self, recent: (i64, i64), before: (i64, i64)) -> Option<f64> {
        let average = |(sum, count): (i64, i64)| sum as f64 / count as f64;
        if recent.1 < self.score_drop_min_ratings || before.1 < self.score_drop_min_ratings {
            return None;
        }
        let drop = average(before) - average(recent);
        (drop > self.score_drop_stars).then_some(drop)
    }
}

/// The webhook's signature of a delivery: HMAC-SHA256 of
/// `"{timestamp}.{body}"` under the shared secret, in hex. A receiver
/// recomputes it from the `X-Qrfeedback-Timestamp` header and the raw body,
/// compares, and refuses old timestamps.
pub fn webhook_signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes())
}

/// Attempts before a delivery is given up.
pub const WEBHOOK_MAX_ATTEMPTS: i32 = 8;

/// How long to wait after the `attempts`-th failed attempt: `base`,
/// doubling each time, at most an hour. `None` once the attempts ran out.
pub fn webhook_backoff(attempts: i32, base: Duration) -> Option<Duration> {
    if attempts >= WEBHOOK_MAX_ATTEMPTS {
        return None;
    }
    let doublings = u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(16);
    Some(
        base.saturating_mul(2u32.saturating_pow(doublings))
            .min(Duration::from_secs(3600)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_drop_needs_enough_ratings_on_both_sides_and_more_than_the_threshold() {
        let rules = AlertRules::default();
        // 4.5 before, 3.5 now: a drop of 1.0.
        let drop = rules.score_drop((35, 10), (450, 100)).unwrap();
        assert!((drop - 1.0).abs() < 1e-9);
        // 4.5 before, 3.8 now: within the threshold.
        assert_eq!(rules.score_drop((38, 10), (450, 100)), None);
        // Too few ratings this week, or before.
        assert_eq!(rules.score_drop((10, 9), (450, 100)), None);
        assert_eq!(rules.score_drop((10, 10), (45, 9)), None);
        // A rise is no drop.
        assert_eq!(rules.score_drop((50, 10), (300, 100)), None);
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_and_body() {
        let a = webhook_signature(b"secret", 1_700_000_000, b"{\"id\":1}");
        assert_eq!(a.len(), 64);
        assert_eq!(
            a,
            webhook_signature(b"secret", 1_700_000_000, b"{\"id\":1}")
        );
        assert_ne!(
            a,
            webhook_signature(b"secret", 1_700_000_001, b"{\"id\":1}")
        );
        assert_ne!(a, webhook_signature(b"other", 1_700_000_000, b"{\"id\":1}"));
        assert_ne!(
            a,
            webhook_signature(b"secret", 1_700_000_000, b"{\"id\":2}")
        );
    }

    #[test]
    fn back_off_doubles_from_the_base_and_gives_up() {
        let base = Duration::from_secs(30);
        assert_eq!(webhook_backoff(1, base), Some(Duration::from_secs(30)));
        assert_eq!(webhook_backoff(2, base), Some(Duration::from_secs(60)));
        assert_eq!(webhook_backoff(3, base), Some(Duration::from_secs(120)));
        assert_eq!(webhook_backoff(WEBHOOK_MAX_ATTEMPTS, base), None);
    }

    proptest! {
        #[test]
        fn back_off_never_shrinks_and_stays_within_an_hour(attempts in 1i32..WEBHOOK_MAX_ATTEMPTS, base in 1u64..600) {
            let base = Duration::from_secs(base);
            let now = webhook_backoff(attempts, base).unwrap();
            prop_assert!(now <= Duration::from_secs(3600));
            if let Some(next) = webhook_backoff(attempts + 1, base) {
                prop_assert!(next >= now);
            }
        }
    }
}
