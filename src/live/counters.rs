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
        let mut commands = Vec::new();
        for (key, value) in self.counter_pairs(day, counts) {
            let mut add = redis::cmd("INCRBY");
            add.arg(&key).arg(value);
            let mut expire = redis::cmd("EXPIRE");
            expire.arg(&key).arg(COUNTER_TTL_SECS);
            commands.extend([add, expire]);
        }
        self.call(|mut conn| async move {
            // Venue, region and category counters lie in different cluster
            // slots, which one pipeline may not span.
            conn.query_each::<redis::Value>(commands).await?;
            Ok(())
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
        let gets = codes
            .iter()
            .map(|code| {
                let mut get = redis::cmd("GET");
                get.arg(self.region_key(code, day));
                get
            })
            .collect();
        // Region keys hash to different cluster slots, which one MGET or
        // pipeline may not span.
        self.call(|mut conn| async move { conn.query_each(gets).await })
            .await
    }

    /// Overwrites a day's counters with counts recomputed from Postgres.
    pub async fn set_counters(&self, day: NaiveDate, counts: &DayCounts) -> Result<(), LiveDown> {
        self.put_counters(self.counter_pairs(day, counts)).await
    }

    /// Sets each key to its value; a key whose value is 0 is removed instead.
    async fn put_counters(&self, pairs: Vec<(String, i64)>) -> Result<(), LiveDown> {
        for chunk in pairs.chunks(500) {
            let commands = chunk
                .iter()
                .map(|(key, value)| {
                    if *value == 0 {
                        let mut del = redis::cmd("DEL");
                        del.arg(key);
                        del
                    } else {
                        let mut set = redis::cmd("SET");
                        set.arg(key).arg(value).arg("EX").arg(COUNTER_TTL_SECS);
                        set
                    }
                })
                .collect();
            self.call(|mut conn| async move {
                conn.query_each::<redis::Value>(commands).await?;
                Ok(())
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
        // to walk inside one deadline. A cluster's primaries each hold
        // their own part of the keyspace, so each is walked in turn.
        let nodes = self
            .call(|mut conn| async move { conn.scan_nodes().await })
            .await?;
        let mut present: Vec<String> = Vec::new();
        for node in nodes {
            let mut cursor: u64 = 0;
            loop {
                let pattern = &pattern;
                let (next, batch) = self
                    .call(|mut conn| async move {
                        conn.scan_step(node, cursor, pattern, SCAN_STEP).await
                    })
                    .await?;
                present.extend(batch);
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        let mut keys: Vec<String> = expected.keys().cloned().collect();
        keys.extend(present.into_iter().filter(|k| !expected.contains_key(k)));
        let mut differences = Vec::new();
        for chunk in keys.chunks(500) {
            let chunk = chunk.to_vec();
            let values: Vec<Option<i64>> = self
                .call(|mut conn| {
                    let chunk = chunk.clone();
                    // On a cluster the client splits an MGET of keys in
                    // several slots and puts the answers back in order.
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
