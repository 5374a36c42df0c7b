//! Fast-path guards in Redis: one rating per device per venue per day (the
//! Postgres constraint is the backstop) and the per-IP rate limit.

use crate::domain::ids::VenueId;
use chrono::NaiveDate;
use data_encoding::HEXLOWER;

use super::{Live, LiveDown};

/// Seconds a daily claim lives: the day plus a margin for clock skew.
const CLAIM_TTL_SECS: u64 = 2 * 24 * 3600;

impl Live {
    fn claim_key(&self, venue_id: VenueId, day: NaiveDate, device_hash: &[u8]) -> String {
        // Hash-tagged by venue so a cluster keeps a venue's keys on one shard.
        self.key(format_args!(
            "{{v:{venue_id}}}:claim:{}:{}",
            day.format("%Y%m%d"),
            HEXLOWER.encode(device_hash)
        ))
    }

    /// Claims today's rating slot for each (venue, day, device hash) in one
    /// round trip (one per hash slot on a cluster); `false` where the slot
    /// was already taken.
    pub async fn claim_daily(
        &self,
        slots: &[(i64, NaiveDate, [u8; 16])],
    ) -> Result<Vec<bool>, LiveDown> {
        let keys: Vec<String> = slots
            .iter()
            .map(|(venue_id, day, hash)| self.claim_key(VenueId::new(*venue_id), *day, hash))
            .collect();
        let claims = keys
            .iter()
            .map(|key| {
                let mut set = redis::cmd("SET");
                set.arg(key).arg(1).arg("NX").arg("EX").arg(CLAIM_TTL_SECS);
                set
            })
            .collect();
        self.call(|mut conn| async move {
            let answers: Vec<Option<String>> = conn.query_each(claims).await?;
            Ok(answers.into_iter().map(|a| a.is_some()).collect())
        })
        .await
    }

    /// Whether the device's rating slot at the venue that day is claimed.
    pub async fn daily_claimed(
        &self,
        venue_id: VenueId,
        day: NaiveDate,
        device_hash: &[u8; 16],
    ) -> Result<bool, LiveDown> {
        let key = self.claim_key(venue_id, day, device_hash);
        self.call(|mut conn| async move {
            let exists: bool = redis::cmd("EXISTS")
                .arg(&key)
                .query_async(&mut conn)
                .await?;
            Ok(exists)
        })
        .await
    }

    /// Gives claims back when their ratings could not be stored, so a retry is allowed.
    pub async fn release_daily(
        &self,
        slots: &[(i64, NaiveDate, [u8; 16])],
    ) -> Result<(), LiveDown> {
        if slots.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = slots
            .iter()
            .map(|(venue_id, day, hash)| self.claim_key(VenueId::new(*venue_id), *day, hash))
            .collect();
        // On a cluster the client splits a DEL of keys in several slots.
        self.call(|mut conn| async move {
            redis::cmd("DEL")
                .arg(&keys)
                .query_async::<i64>(&mut conn)
                .await?;
            Ok(())
        })
        .await
    }

    /// Counts one rating attempt from `client_ip` at a venue in the current
    /// minute and returns the count so far (fixed one-minute windows).
    pub async fn rate_hit(
        &self,
        venue_id: VenueId,
        client_ip: &str,
        minute: i64,
    ) -> Result<u64, LiveDown> {
        let key = self.key(format_args!("{{v:{venue_id}}}:rate:{client_ip}:{minute}"));
        self.call(|mut conn| async move {
            let (count,): (u64,) = redis::pipe()
                .atomic()
                .cmd("INCR")
                .arg(&key)
                .cmd("EXPIRE")
                .arg(&key)
                .arg(120)
                .ignore()
                .query_async(&mut conn)
                .await?;
            Ok(count)
        })
        .await
    }
}
