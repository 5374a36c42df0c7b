//! Live counters of today's ratings per venue, per region (every level) and
//! per category. Postgres holds the truth; these are rebuilt from it.

use crate::domain::ids::VenueId;
use chrono::NaiveDate;

use super::{Live, LiveDown};
use crate::store::stats::DayCounts;

/// Counter keys live a little over two days.
const COUNTER_TTL_SECS: i64 = 2 * 24 * 3600 + 3600;
/// Keys a SCAN step looks at; small enough that a step answers well within
/// the call deadline.
const SCAN_STEP: usize = 5_000;

impl Live {
    fn venue_key(&self, venue_id: VenueId, day: NaiveDate) -> String {
        self.key(format_args!(
            "{{v:{venue_id}}}:today:{}",
            day.format("%Y%m%d")
        ))
    }

    fn region_key(&self, code: &str, day: NaiveDate) -> String {
        self.key(format_args!("{{r:{code}}}:today:{}", day.format("%Y%m%d")))
    }

    fn category_key(&self, category: &str, day: NaiveDate) -> String {
        self.key(format_args!(
            "{{c:{category}}}:today:{}",
            day.format("%Y%m%d")
        ))
    }

    /// Adds the counts of newly stored ratings to a day's counters.
    pub async fn add_counters(&self, day: NaiveDate, counts: &DayCounts) -> Result<(), LiveDown> {
        let pairs = self.counter_pairs(day, counts);
        self.call(|mut conn| async move {
            let mut pipe = redis::pipe();
            for (key, value) in &pairs {
                pipe.cmd("INCRBY").arg(key).arg(value).ignore();
                pipe.cmd("EXPIRE").arg(key).arg(COUNTER_TTL_SECS).ignore();
            }
            pipe.query_async::<()>(&mut conn).await
        })
        .await
    }

    fn counter_pairs(&self, day: NaiveDate, counts: &DayCounts) -> Vec<(String, i64)> {
        let venues = counts
            .venues
            .iter()
            .map(|(id, n)| (self.venue_key(VenueId::new(*id), day), *n));
        let regions = counts
            .regions
            .iter()
            .map(|(code, n)| (self.region_key(code, day), *n));
        let categories = counts
            .categories
            .iter()
            .map(|(cat, n)| (self.category_key(cat, day), *n));
        venues.chain(regions).chain(categories).collect()
    }

    /// Today's live count for a venue (`None` when the counter is absent).
    pub async fn venue_today(
        &self,
        venue_id: VenueId,
        day: NaiveDate,
    ) -> Result<Option<i64>, LiveDown> {
        let key = self.venue_key(venue_id, day);
        self.call(
            |mut conn| async move { redis::cmd("GET").arg(&key).query_async(&mut conn).await },
        )
        .await
    }

    /// Today's live counts of some regions, in order (`None` where a counter is absent).
    pub async fn regions_today(
        &self,
        codes: &[String],
        day: NaiveDate,
    ) -> Result<Vec<Option<i64>>, LiveDown> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = codes.iter().map(|c| self.region_key(c, day)).collect();
        // Region keys hash to different cluster slots, which one MGET may not
        // span; a pipeline of GETs may.
        self.call(|mut conn| async move {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("GET").arg(key);
            }
            pipe.query_async(&mut conn).await
        })
        .await
    }

    /// Overwrites a day's counters with counts recomputed from Postgres.
    pub async fn set_counters(&self, day: NaiveDate, counts: &DayCounts) -> Result<(), LiveDown> {
        self.put_counters(self.counter_pairs(day, counts)).await
    }

    /// Sets each key to its value; a key whose value is 0 is removed instead.
    async fn put_counters(&self, pairs: Vec<(String, i64)>) -> Result<(), LiveDown> {
        for chunk in pairs.chunks(500) {
            let chunk = chunk.to_vec();
            self.call(|mut conn| async move {
                let mut pipe = redis::pipe();
                for (key, value) in &chunk {
                    if *value == 0 {
                        pipe.cmd("DEL").arg(key).ignore();
                    } else {
                        pipe.cmd("SET")
                            .arg(key)
                            .arg(value)
                            .arg("EX")
                            .arg(COUNTER_TTL_SECS)
                            .ignore();
                    }
                }
                pipe.query_async::<()>(&mut conn).await
            })
            .await?;
        }
        Ok(())
    }
}

/// A live counter that disagrees with the day's aggregates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterDifference {
    /// The Redis key.
    pub key: String,
    /// What Redis holds (`None`: missing).
    pub live: Option<i64>,
    /// What Postgres says (0 for a key Postgres knows nothing of).
    pub expected: i64,
}

impl Live {
    /// Compares a day's counters with counts recomputed from Postgres,
    /// including counters Redis holds that Postgres has no count for.
    pub async fn counter_differences(
        &self,
        day: NaiveDate,
        counts: &DayCounts,
    ) -> Result<Vec<CounterDifference>, LiveDown> {
        let expected: std::collections::BTreeMap<String, i64> =
            self.counter_pairs(day, counts).into_iter().collect();
        let pattern = self.key(format_args!("*:today:{}", day.format("%Y%m%d")));
        // One call per SCAN step, each within the call deadline: the
        // keyspace also holds every daily dedupe claim, far too many keys
        // to walk inside one deadline.
        let mut present: Vec<String> = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let pattern = &pattern;
            let (next, batch): (u64, Vec<String>) = self
                .call(|mut conn| async move {
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(SCAN_STEP)
                        .query_async(&mut conn)
                        .await
                })
                .await?;
            present.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        let mut keys: Vec<String> = expected.keys().cloned().collect();
        keys.extend(present.into_iter().filter(|k| !expected.contains_key(k)));
        let mut differences = Vec::new();
        for chunk in keys.chunks(500) {
            let chunk = chunk.to_vec();
            let values: Vec<Option<i64>> = self
                .call(|mut conn| {
                    let chunk = chunk.clone();
                    async move { redis::cmd("MGET").arg(&chunk).query_async(&mut conn).await }
                })
                .await?;
            for (key, live) in chunk.into_iter().zip(values) {
                let want = expected.get(&key).copied().unwrap_or(0);
                if live.unwrap_or(0) != want {
                    differences.push(CounterDifference {
                        key,
                        live,
                        expected: want,
                    });
                }
            }
        }
        Ok(differences)
    }

    /// Sets the given counters to their expected values (removing those that should be 0).
    pub async fn repair_counters(&self, differences: &[CounterDifference]) -> Result<(), LiveDown> {
        self.put_counters(
            differences
                .iter()
                .map(|d| (d.key.clone(), d.expected))
                .collect(),
        )
        .await
    }
}
