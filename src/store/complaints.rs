//! Complaints filed apart from a rating: a visitor who already rated a venue
//! today comes back to complain, and the repeat rating is refused.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::StoreError;

/// A complaint to file without a rating, every field already parsed and sealed.
#[derive(Debug, Clone)]
pub struct ComplaintApart {
    /// Venue complained about.
    pub venue_id: i64,
    /// Keyed hash of the complaining device.
    pub device_hash: [u8; 16],
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Tracking code to give the complainant if this complaint is new.
    pub tracking_code: String,
    /// What went wrong.
    pub description: String,
    /// Encrypted contact.
    pub contact_sealed: Option<Vec<u8>>,
}

/// Files a complaint without a rating and returns its tracking code. The same
/// text from the same device at the same venue within a day (a resent form, a
/// retried request, or the complaint that came with the day's rating) is not
/// filed twice: its existing code is returned.
pub async fn file_apart(pool: &PgPool, complaint: &ComplaintApart) -> Result<String, StoreError> {
    sqlx::query_scalar!(
        r#"WITH earlier AS (
               SELECT tracking_code FROM complaints
               WHERE venue_id = $1 AND device_hash = $2 AND description = $5
                 AND created_at > $3::timestamptz - interval '1 day'
               ORDER BY created_at
               LIMIT 1
           ),
           filed AS (
               INSERT INTO complaints (venue_id, rating_id, device_hash, tracking_code,
                                       description, contact_encrypted, created_at)
               SELECT $1, NULL, $2, $4, $5, $6, $3
               WHERE NOT EXISTS (SELECT 1 FROM earlier)
               RETURNING tracking_code
           )
           SELECT tracking_code AS "tracking_code!" FROM filed
           UNION ALL
           SELECT tracking_code FROM earlier"#,
        complaint.venue_id,
        complaint.device_hash.as_slice(),
        complaint.created_at,
        complaint.tracking_code,
        complaint.description,
        complaint.contact_sealed.as_deref()
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::classify)
}
