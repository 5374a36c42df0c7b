//! Writing ratings: many concurrent ratings go to Postgres in one statement
//! that inserts the raw rows and upserts the day aggregates, so each commit
//! carries a whole batch and the aggregates can never disagree with the rows.

use crate::domain::ids::{RatingId, VenueId};
use crate::domain::secrets::SealedContact;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use super::StoreError;
use super::batch_totals::day_totals;

/// One rating ready for storage: every field already parsed and hashed.
#[derive(Debug, Clone)]
pub struct RatingRow {
    /// Venue id.
    pub venue_id: VenueId,
    /// Local (Asia/Shanghai) day of `created_at`.
    pub day: NaiveDate,
    /// When the rating arrived.
    pub created_at: DateTime<Utc>,
    /// Keyed hash of the device id.
    pub device_hash: [u8; 16],
    /// Keyed hash of the address prefix it came from.
    pub network_hash: [u8; 8],
    /// 1..=5.
    pub overall: i16,
    /// 1..=5 or none.
    pub environment: Option<i16>,
    /// 1..=5 or none.
    pub skill: Option<i16>,
    /// 1..=5 or none.
    pub attitude: Option<i16>,
    /// Tag keys.
    pub tags: Vec<&'static str>,
    /// Comment text.
    pub comment: Option<String>,
    /// Single-use nonce of the HTML form the rating came from.
    pub form_nonce: Option<[u8; 12]>,
    /// Complaint description.
    pub complaint: Option<String>,
    /// Encrypted complaint contact.
    pub contact_sealed: Option<SealedContact>,
    /// Tracking code given to the complainant.
    pub tracking_code: Option<String>,
    /// Where the complaint's case starts.
    pub case_opening: Option<super::complaints::CaseOpening>,
    /// Idempotency key and the hash of the request it came with.
    pub idempotency: Option<(String, [u8; 32])>,
}

impl RatingRow {
    /// The (venue, day, device) slot this row takes: one rating per device
    /// per venue per local day.
    pub fn daily_slot(&self) -> (i64, NaiveDate, [u8; 16]) {
        (self.venue_id.get(), self.day, self.device_hash)
    }
}

/// A stored rating's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredRating {
    /// Rating id.
    pub id: RatingId,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// Why a batch write failed as a whole; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Some idempotency keys of the batch were taken by a concurrent request.
    #[error("idempotency key already used")]
    IdempotencyKeyTaken,
    /// A row is already stored: the same device rated the venue that day, or
    /// its form was used (see [`already_stored`]).
    #[error("rating already stored")]
    AlreadyStored,
    /// Two batches locked the same rows in opposite order; retry.
    #[error("deadlock")]
    Retry,
    /// Postgres refused a value of some row (SQLSTATE class 22 data exception,
    /// or class 23 other than the uniques above): the row cannot be stored as
    /// it is, and the rest of the batch may well be fine.
    #[error("a row holds data Postgres refuses: {0}")]
    Data(sqlx::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores a batch in one statement (one commit): the raw rows, their
/// complaints and idempotency answers, and what they add to the day
/// aggregates, summed beforehand by [`day_totals`]. All or nothing: if any
/// row is already stored the statement fails as a whole with
/// [`BatchError::AlreadyStored`], and if Postgres refuses any row's data
/// with [`BatchError::Data`], so the sums always match the rows.
/// Returns each row's stored identity, in input order. No two rows may share
/// a [`RatingRow::daily_slot`] or a form nonce.
pub async fn insert_batch(
    pool: &PgPool,
    rows: &[RatingRow],
) -> Result<Vec<StoredRating>, BatchError> {
    let n = rows.len();
    let mut ord = Vec::with_capacity(n);
    let mut venue_id = Vec::with_capacity(n);
    let mut day = Vec::with_capacity(n);
    let mut created_at = Vec::with_capacity(n);
    let mut device_hash = Vec::with_capacity(n);
    let mut network_hash = Vec::with_capacity(n);
    let mut overall = Vec::with_capacity(n);
    let mut environment = Vec::with_capacity(n);
    let mut skill = Vec::with_capacity(n);
    let mut attitude = Vec::with_capacity(n);
    let mut tags = Vec::with_capacity(n);
    let mut comment = Vec::with_capacity(n);
    let mut form_nonce = Vec::with_capacity(n);
    let mut complaint = Vec::with_capacity(n);
    let mut contact = Vec::with_capacity(n);
    let mut contact_version = Vec::with_capacity(n);
    let mut tracking_code = Vec::with_capacity(n);
    let mut idem_key = Vec::with_capacity(n);
    let mut idem_hash = Vec::with_capacity(n);
    let mut case_region = Vec::with_capacity(n);
    let mut case_due = Vec::with_capacity(n);
    for (i, r) in rows.iter().enumerate() {
        ord.push(i as i32);
        venue_id.push(r.venue_id.get());
        day.push(r.day);
        created_at.push(r.created_at);
        device_hash.push(r.device_hash.to_vec());
        network_hash.push(r.network_hash.to_vec());
        overall.push(r.overall);
        environment.push(r.environment);
        skill.push(r.skill);
        attitude.push(r.attitude);
        // Tag keys are fixed identifiers without commas.
        tags.push(r.tags.join(","));
        comment.push(r.comment.clone());
        form_nonce.push(r.form_nonce.map(|n| n.to_vec()));
        complaint.push(r.complaint.clone());
        contact.push(r.contact_sealed.as_ref().map(|c| c.bytes.clone()));
        contact_version.push(r.contact_sealed.as_ref().map_or(0, |c| c.key_version));
        tracking_code.push(r.tracking_code.clone());
        idem_key.push(r.idempotency.as_ref().map(|(k, _)| k.clone()));
        idem_hash.push(r.idempotency.as_ref().map(|(_, h)| h.to_vec()));
        case_region.push(r.case_opening.as_ref().map(|o| o.region_code.clone()));
        case_due.push(r.case_opening.as_ref().map(|o| o.due_at));
    }
    let (stats, day_tags) = day_totals(rows);
    let result = sqlx::query!(
        r#"WITH input AS (
               SELECT * FROM UNNEST($1::int4[], $2::int8[], $3::date[], $4::timestamptz[],
                                    $5::bytea[], $6::int2[], $7::int2[], $8::int2[], $9::int2[],
                                    $10::text[], $11::text[], $12::bytea[], $13::text[],
                                    $14::bytea[], $15::text[], $16::text[], $17::bytea[],
                                    $37::text[], $38::timestamptz[], $39::int2[],
                                    $40::bytea[])
                   AS t(ord, venue_id, day, created_at, device_hash, overall, environment,
                        skill, attitude, tags_csv, comment, form_nonce, complaint, contact,
                        tracking_code, idem_key, idem_hash, case_region, case_due,
                        contact_version, network_hash)
           ),
           ins AS (
               INSERT INTO ratings (venue_id, day, created_at, device_hash, overall,
                                    environment, skill, attitude, tags, comment, form_nonce,
                                    network_hash)
               SELECT venue_id, day, created_at, device_hash, overall, environment, skill,
                      attitude,
                      CASE WHEN tags_csv = '' THEN '{}'::text[] ELSE string_to_array(tags_csv, ',') END,
                      comment, form_nonce, network_hash
               FROM input
               RETURNING venue_id, id, day, device_hash, created_at
           ),
           matched AS (
               SELECT ins.*, input.ord, input.complaint, input.contact, input.contact_version,
                      input.tracking_code,
                      input.idem_key, input.idem_hash, input.case_region, input.case_due
               FROM ins JOIN input USING (venue_id, day, device_hash)
           ),
           complaint_rows AS (
               INSERT INTO complaints (venue_id, rating_id, day, device_hash, tracking_code,
                                       description, contact_encrypted, contact_key_version,
                                       created_at, region_code, service_on, state_changed_at,
                                       due_at)
               SELECT venue_id, id, day, device_hash, tracking_code, complaint, contact,
                      contact_version, created_at, case_region, day, created_at, case_due
               FROM matched WHERE complaint IS NOT NULL
           ),
           day_stats AS (
               INSERT INTO venue_day_stats AS s (
                   venue_id, day, ratings_count, overall_sum, overall_hist,
                   environment_count, environment_sum, environment_hist,
                   skill_count, skill_sum, skill_hist,
                   attitude_count, attitude_sum, attitude_hist, complaints_count)
               SELECT a.venue_id, a.day, a.ratings_count, a.overall_sum,
                      ($22::int4[])[a.i * 5 - 4 : a.i * 5],
                      a.environment_count, a.environment_sum,
                      ($25::int4[])[a.i * 5 - 4 : a.i * 5],
                      a.skill_count, a.skill_sum,
                      ($28::int4[])[a.i * 5 - 4 : a.i * 5],
                      a.attitude_count, a.attitude_sum,
                      ($31::int4[])[a.i * 5 - 4 : a.i * 5],
                      a.complaints_count
               FROM UNNEST($18::int8[], $19::date[], $20::int4[], $21::int4[],
                           $23::int4[], $24::int4[], $26::int4[], $27::int4[],
                           $29::int4[], $30::int4[], $32::int4[])
                        WITH ORDINALITY
                    AS a(venue_id, day, ratings_count, overall_sum,
                         environment_count, environment_sum, skill_count, skill_sum,
                         attitude_count, attitude_sum, complaints_count, i)
               ORDER BY a.venue_id, a.day
               ON CONFLICT (venue_id, day) DO UPDATE SET
                   ratings_count = s.ratings_count + EXCLUDED.ratings_count,
                   overall_sum = s.overall_sum + EXCLUDED.overall_sum,
                   overall_hist = hist_add(s.overall_hist, EXCLUDED.overall_hist),
                   environment_count = s.environment_count + EXCLUDED.environment_count,
                   environment_sum = s.environment_sum + EXCLUDED.environment_sum,
                   environment_hist = hist_add(s.environment_hist, EXCLUDED.environment_hist),
                   skill_count = s.skill_count + EXCLUDED.skill_count,
                   skill_sum = s.skill_sum + EXCLUDED.skill_sum,
                   skill_hist = hist_add(s.skill_hist, EXCLUDED.skill_hist),
                   attitude_count = s.attitude_count + EXCLUDED.attitude_count,
                   attitude_sum = s.attitude_sum + EXCLUDED.attitude_sum,
                   attitude_hist = hist_add(s.attitude_hist, EXCLUDED.attitude_hist),
                   complaints_count = s.complaints_count + EXCLUDED.complaints_count,
                   updated_at = EXCLUDED.updated_at
           ),
           tag_stats AS (
               INSERT INTO venue_day_tags AS t (venue_id, day, tag, count)
               SELECT * FROM UNNEST($33::int8[], $34::date[], $35::text[], $36::int4[])
                   AS g(venue_id, day, tag, count)
               ORDER BY venue_id, day, tag
               ON CONFLICT (venue_id, day, tag) DO UPDATE SET count = t.count + EXCLUDED.count
           ),
           idempotency_rows AS (
               INSERT INTO idempotency_keys (key, request_hash, venue_id, rating_id, tracking_code)
               SELECT idem_key, idem_hash, venue_id, id, tracking_code
               FROM matched WHERE idem_key IS NOT NULL
           )
           SELECT ord AS "ord!", id AS "id!", created_at AS "created_at!" FROM matched"#,
        &ord,
        &venue_id,
        &day,
        &created_at,
        &device_hash,
        &overall,
        &environment as &[Option<i16>],
        &skill as &[Option<i16>],
        &attitude as &[Option<i16>],
        &tags,
        &comment as &[Option<String>],
        &form_nonce as &[Option<Vec<u8>>],
        &complaint as &[Option<String>],
        &contact as &[Option<Vec<u8>>],
        &tracking_code as &[Option<String>],
        &idem_key as &[Option<String>],
        &idem_hash as &[Option<Vec<u8>>],
        &stats.venue_id,
        &stats.day,
        &stats.ratings_count,
        &stats.overall_sum,
        &stats.overall_hist,
        &stats.environment_count,
        &stats.environment_sum,
        &stats.environment_hist,
        &stats.skill_count,
        &stats.skill_sum,
        &stats.skill_hist,
        &stats.attitude_count,
        &stats.attitude_sum,
        &stats.attitude_hist,
        &stats.complaints_count,
        &day_tags.venue_id,
        &day_tags.day,
        &day_tags.tag,
        &day_tags.count,
        &case_region as &[Option<String>],
        &case_due as &[Option<DateTime<Utc>>],
        &contact_version,
        &network_hash
    )
    .fetch_all(pool)
    .await;
    let stored = result.map_err(|err| {
        // 23505 on ratings (its partitions name their own indexes): a device
        // that rated today already, or a used form.
        if let sqlx::Error::Database(db) = &err {
            match (db.code().as_deref(), super::violated_constraint(&err)) {
                (_, Some("idempotency_keys_pkey")) => return BatchError::IdempotencyKeyTaken,
                (Some("23505"), Some(name)) if name.starts_with("ratings") => {
                    return BatchError::AlreadyStored;
                }
                // 40P01 deadlock, 40001 serialization failure: safe to retry.
                (Some("40P01" | "40001"), _) => return BatchError::Retry,
                (Some(code), _) if code.starts_with("22") || code.starts_with("23") => {
                    return BatchError::Data(err);
                }
                _ => {}
            }
        }
        BatchError::Store(StoreError::from(err))
    })?;
    let mut out: Vec<Option<StoredRating>> = vec![None; n];
    for row in stored {
        if let Some(slot) = usize::try_from(row.ord).ok().and_then(|i| out.get_mut(i)) {
            *slot = Some(StoredRating {
                id: row.id.into(),
                created_at: row.created_at,
            });
        }
    }
    out.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| {
        BatchError::Store(StoreError::Other(sqlx::Error::Protocol(
            "a stored rating was not returned".into(),
        )))
    })
}

/// Which of `rows` (indexes, ascending) are already stored: the same device
/// rated the same venue that day, or the same form was used.
pub async fn already_stored(pool: &PgPool, rows: &[RatingRow]) -> Result<Vec<usize>, StoreError> {
    let ord: Vec<i32> = (0..rows.len()).map(|i| i as i32).collect();
    let venue_id: Vec<i64> = rows.iter().map(|r| r.venue_id.get()).collect();
    let day: Vec<NaiveDate> = rows.iter().map(|r| r.day).collect();
    let device_hash: Vec<Vec<u8>> = rows.iter().map(|r| r.device_hash.to_vec()).collect();
    let form_nonce: Vec<Option<Vec<u8>>> = rows
        .iter()
        .map(|r| r.form_nonce.map(|n| n.to_vec()))
        .collect();
    let found = sqlx::query_scalar!(
        r#"SELECT DISTINCT c.ord AS "ord!"
           FROM UNNEST($1::int4[], $2::int8[], $3::date[], $4::bytea[], $5::bytea[])
                AS c(ord, venue_id, day, device_hash, form_nonce)
           -- A join on the venue rather than a correlated EXISTS: a cluster
           -- sends the rows to each venue's node and runs it there.
           JOIN ratings r ON r.venue_id = c.venue_id AND r.day = c.day
           WHERE r.device_hash = c.device_hash
              OR (c.form_nonce IS NOT NULL AND r.form_nonce = c.form_nonce)
           ORDER BY c.ord"#,
        &ord,
        &venue_id,
        &day,
        &device_hash,
        &form_nonce as &[Option<Vec<u8>>]
    )
    .fetch_all(pool)
    .await?;
    Ok(found
        .into_iter()
        .filter_map(|i| usize::try_from(i).ok())
        .collect())
}

/// Whether the device (by its keyed hash) has a rating of the venue stored for `day`.
pub async fn rated_on(
    pool: &PgPool,
    venue_id: VenueId,
    day: NaiveDate,
    device_hash: &[u8; 16],
) -> Result<bool, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM ratings
                          WHERE venue_id = $1 AND day = $2 AND device_hash = $3) AS "rated!""#,
        venue_id.get(),
        day,
        device_hash.as_slice()
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}

/// Which of `rows` (indexes, ascending) carry an idempotency key that is
/// already recorded.
pub async fn idempotency_key_taken(
    pool: &PgPool,
    rows: &[RatingRow],
) -> Result<Vec<usize>, StoreError> {
    let keys: Vec<String> = rows
        .iter()
        .filter_map(|r| r.idempotency.as_ref().map(|(k, _)| k.clone()))
        .collect();
    let taken = sqlx::query_scalar!(
        "SELECT key FROM idempotency_keys WHERE key = ANY($1)",
        &keys
    )
    .fetch_all(pool)
    .await?;
    Ok((rows.iter().enumerate())
        .filter(|(_, r)| (r.idempotency.as_ref()).is_some_and(|(k, _)| taken.contains(k)))
        .map(|(i, _)| i)
        .collect())
}

/// The venue a rating belongs to, if the rating exists. A statement that
/// locks a rating names its venue from this: a cluster locks rows only in a
/// statement that goes to one venue's node.
pub async fn venue_of(
    conn: &mut sqlx::PgConnection,
    rating_id: RatingId,
) -> Result<Option<VenueId>, StoreError> {
    let venue_id = sqlx::query_scalar!(
        "SELECT venue_id FROM ratings WHERE id = $1",
        rating_id.get()
    )
    .fetch_optional(conn)
    .await?;
    Ok(venue_id.map(VenueId::from))
}

/// A recorded idempotent answer.
#[derive(Debug, Clone)]
pub struct IdempotentAnswer {
    /// Hash of the request that first used the key.
    pub request_hash: Vec<u8>,
    /// Venue rated.
    pub venue_id: VenueId,
    /// Rating stored.
    pub rating_id: RatingId,
    /// Complaint tracking code, if one was filed.
    pub tracking_code: Option<String>,
    /// When the rating was stored.
    pub created_at: DateTime<Utc>,
}

/// Looks up the answer recorded for an idempotency key.
pub async fn idempotent_answer(
    pool: &PgPool,
    key: &str,
) -> Result<Option<IdempotentAnswer>, StoreError> {
    // Two lookups, not a join: a cluster keeps the key by itself and the
    // rating with its venue.
    let Some(recorded) = sqlx::query!(
        "SELECT request_hash, venue_id, rating_id, tracking_code FROM idempotency_keys
         WHERE key = $1",
        key
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let created_at = sqlx::query_scalar!(
        "SELECT created_at FROM ratings WHERE venue_id = $1 AND id = $2",
        recorded.venue_id,
        recorded.rating_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(created_at.map(|created_at| IdempotentAnswer {
        request_hash: recorded.request_hash,
        venue_id: recorded.venue_id.into(),
        rating_id: recorded.rating_id.into(),
        tracking_code: recorded.tracking_code,
        created_at,
    }))
}

/// Deletes idempotency answers older than `hours`; returns how many.
pub async fn purge_idempotency_keys(pool: &PgPool, hours: i32) -> Result<u64, StoreError> {
    sqlx::query!(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
        hours
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected())
    .map_err(StoreError::from)
}

/// Creates monthly rating partitions from last month to a year ahead.
pub async fn ensure_partitions(pool: &PgPool) -> Result<i32, StoreError> {
    sqlx::query_scalar!(
        r#"SELECT ensure_rating_partitions(((now() AT TIME ZONE 'Asia/Shanghai')::date - 31), 14) AS "created!""#
    )
    .fetch_one(pool)
    .await
    .map_err(StoreError::from)
}
