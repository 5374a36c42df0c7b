//! Complaints filed apart from a rating: a visitor who already rated a venue
//! today comes back to complain, and the repeat rating is refused.

use crate::domain::ids::VenueId;
use crate::domain::secrets::SealedContact;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgExecutor, PgPool};

use super::StoreError;
use crate::domain::day::local_day;

/// Where a visitor's new case starts: the region handling it and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOpening {
    /// The venue's region.
    pub region_code: String,
    /// When a regulator must accept, reject or transfer it.
    pub due_at: DateTime<Utc>,
}

/// A complaint to file without a rating, every field already parsed and sealed.
#[derive(Debug, Clone)]
pub struct ComplaintApart {
    /// Venue complained about.
    pub venue_id: VenueId,
    /// Keyed hash of the complaining device.
    pub device_hash: [u8; 16],
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Local day of `created_at`, kept in step with it by [`ComplaintApart::new`].
    day: NaiveDate,
    /// Tracking code to give the complainant if this complaint is new.
    pub tracking_code: String,
    /// What went wrong.
    pub description: String,
    /// Encrypted contact.
    pub contact_sealed: Option<SealedContact>,
    /// The region handling the case (the venue's).
    pub region_code: String,
    /// When a regulator must accept, reject or transfer it.
    pub due_at: DateTime<Utc>,
}

impl ComplaintApart {
    /// A complaint arriving at `created_at`: it counts for that instant's
    /// local day, the day a rating sent at the same instant would count for.
    pub fn new(
        venue_id: VenueId,
        device_hash: [u8; 16],
        created_at: DateTime<Utc>,
        tracking_code: String,
        description: String,
        contact_sealed: Option<SealedContact>,
        opening: CaseOpening,
    ) -> Self {
        Self {
            venue_id,
            device_hash,
            created_at,
            day: local_day(created_at),
            tracking_code,
            description,
            contact_sealed,
            region_code: opening.region_code,
            due_at: opening.due_at,
        }
    }

    /// The local day the complaint counts for.
    pub fn day(&self) -> NaiveDate {
        self.day
    }
}

/// Files a complaint without a rating and returns its tracking code. The same
/// text from the same device at the same venue on the same local day (a
/// resent form, a retried request, or the complaint that came with the day's
/// rating) is not filed again: its existing code is returned. A new complaint
/// is counted in its venue day's `complaints_count` in the same transaction.
pub async fn file_apart(pool: &PgPool, complaint: &ComplaintApart) -> Result<String, StoreError> {
    if let Some(code) = earlier_code(pool, complaint).await? {
        return Ok(code);
    }
    let mut tx = pool.begin().await?;
    // The unique index complaints_apart_once decides between identical
    // requests arriving together: one inserts, the others wait for it to
    // commit and insert nothing.
    let filed = sqlx::query_scalar!(
        r#"INSERT INTO complaints (venue_id, rating_id, day, device_hash, tracking_code,
                                   description, contact_encrypted, contact_key_version,
                                   created_at, region_code, service_on, state_changed_at, due_at)
           VALUES ($1, NULL, $2, $3, $4, $5, $6, $10, $7, $8, $2, $7, $9)
           ON CONFLICT (venue_id, day, device_hash, md5(description))
               WHERE rating_id IS NULL AND duplicate_of IS NULL
               DO NOTHING
           RETURNING tracking_code"#,
        complaint.venue_id.get(),
        complaint.day,
        complaint.device_hash.as_slice(),
        complaint.tracking_code,
        complaint.description,
        complaint
            .contact_sealed
            .as_ref()
            .map(|c| c.bytes.as_slice()),
        complaint.created_at,
        complaint.region_code,
        complaint.due_at,
        complaint
            .contact_sealed
            .as_ref()
            .map_or(0, |c| c.key_version)
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(code) = filed else {
        // The twin that won has committed; this statement's snapshot sees it.
        let code = earlier_code(&mut *tx, complaint).await?;
        return code.ok_or(StoreError::Other(sqlx::Error::RowNotFound));
    };
    count_in_day(
        &mut tx,
        complaint.venue_id,
        complaint.day,
        complaint.created_at,
    )
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// Counts a new complaint filed apart from a rating in its venue day's
/// `complaints_count`, inside the filing's transaction.
pub async fn count_in_day(
    tx: &mut sqlx::PgConnection,
    venue_id: VenueId,
    day: NaiveDate,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // The venue day may have no aggregate yet: the complaint form offered
    // alone in the evening can be sent after local midnight. The time is
    // bound rather than read from now(): DO UPDATE takes only immutable
    // expressions on a distributed table.
    sqlx::query!(
        r#"INSERT INTO venue_day_stats AS s (
               venue_id, day, ratings_count, overall_sum, overall_hist,
               environment_count, environment_sum, environment_hist,
               skill_count, skill_sum, skill_hist,
               attitude_count, attitude_sum, attitude_hist, complaints_count, updated_at)
           VALUES ($1, $2, 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}', 0, 0, '{0,0,0,0,0}',
                   0, 0, '{0,0,0,0,0}', 1, $3)
           ON CONFLICT (venue_id, day) DO UPDATE SET
               complaints_count = s.complaints_count + 1,
               updated_at = greatest(s.updated_at, EXCLUDED.updated_at)"#,
        venue_id.get(),
        day,
        at
    )
    .execute(tx)
    .await?;
    Ok(())
}

/// The code of the first complaint with this text from this device at this
/// venue on this day, filed with the day's rating or apart from it.
async fn earlier_code<'e>(
    executor: impl PgExecutor<'e>,
    complaint: &ComplaintApart,
) -> Result<Option<String>, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT tracking_code FROM complaints
           WHERE venue_id = $1 AND day = $2 AND device_hash = $3 AND description = $4
           ORDER BY created_at, id
           LIMIT 1"#,
        complaint.venue_id.get(),
        complaint.day,
        complaint.device_hash.as_slice(),
        complaint.description
    )
    .fetch_optional(executor)
    .await
    .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn arriving_at(created_at: DateTime<Utc>) -> ComplaintApart {
        ComplaintApart::new(
            VenueId::new(7),
            [1; 16],
            created_at,
            "ABCDEFGHJK".into(),
            "导游强制购物".into(),
            None,
            CaseOpening {
                region_code: "652801".into(),
                due_at: created_at,
            },
        )
    }

    #[test]
    fn a_complaint_counts_for_the_local_day_of_its_arrival() {
        // 23:59:59 and 00:00:00 Asia/Shanghai time fall on one UTC date.
        let before = Utc.with_ymd_and_hms(2026, 12, 5, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 12, 5, 16, 0, 0).unwrap();
        assert_eq!(
            arriving_at(before).day(),
            NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
        );
        assert_eq!(
            arriving_at(after).day(),
            NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
        );
    }
}
