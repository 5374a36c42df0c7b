//! What a batch of ratings adds to the day aggregates, summed here before the
//! batch goes to Postgres: the statement then upserts one finished row per
//! venue and day (and per tag) instead of grouping and counting every rating
//! itself, which was most of its cost.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::ratings::RatingRow;

/// One venue-day's additions: count, sums and five-count histograms.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct DayAdd {
    ratings: i32,
    overall_sum: i32,
    overall_hist: [i32; 5],
    environment: Dimension,
    skill: Dimension,
    attitude: Dimension,
    complaints: i32,
}

/// Count, sum and histogram of one optional dimension.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Dimension {
    count: i32,
    sum: i32,
    hist: [i32; 5],
}

impl Dimension {
    fn add(&mut self, value: Option<i16>) {
        if let Some(stars) = value {
            self.count += 1;
            self.sum += i32::from(stars);
            add_star(&mut self.hist, stars);
        }
    }
}

/// Adds one to the histogram slot of `stars` (1..=5; anything else is
/// refused by the table's range checks before it could count).
fn add_star(hist: &mut [i32; 5], stars: i16) {
    if let Some(slot) = usize::try_from(stars - 1)
        .ok()
        .and_then(|i| hist.get_mut(i))
    {
        *slot += 1;
    }
}

/// Column arrays for the `venue_day_stats` upsert, one entry per venue and
/// day, in (venue, day) order so concurrent batches lock rows in one order.
/// Histograms are flattened: entry `i` owns elements `5i..5i+5`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayStatsColumns {
    /// Venue ids.
    pub venue_id: Vec<i64>,
    /// Local days.
    pub day: Vec<NaiveDate>,
    /// Ratings added.
    pub ratings_count: Vec<i32>,
    /// Sum of the overall stars added.
    pub overall_sum: Vec<i32>,
    /// Overall histograms, five counts each.
    pub overall_hist: Vec<i32>,
    /// Environment ratings added.
    pub environment_count: Vec<i32>,
    /// Sum of their stars.
    pub environment_sum: Vec<i32>,
    /// Their histograms.
    pub environment_hist: Vec<i32>,
    /// Skill ratings added.
    pub skill_count: Vec<i32>,
    /// Sum of their stars.
    pub skill_sum: Vec<i32>,
    /// Their histograms.
    pub skill_hist: Vec<i32>,
    /// Attitude ratings added.
    pub attitude_count: Vec<i32>,
    /// Sum of their stars.
    pub attitude_sum: Vec<i32>,
    /// Their histograms.
    pub attitude_hist: Vec<i32>,
    /// Complaints added.
    pub complaints_count: Vec<i32>,
}

/// Column arrays for the `venue_day_tags` upsert, in (venue, day, tag) order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayTagColumns {
    /// Venue ids.
    pub venue_id: Vec<i64>,
    /// Local days.
    pub day: Vec<NaiveDate>,
    /// Tag keys.
    pub tag: Vec<String>,
    /// How many ratings of the batch carry the tag.
    pub count: Vec<i32>,
}

/// Sums `rows` into the day aggregates they add, assuming every row is stored.
pub fn day_totals(rows: &[RatingRow]) -> (DayStatsColumns, DayTagColumns) {
    let mut days: BTreeMap<(i64, NaiveDate), DayAdd> = BTreeMap::new();
    let mut tags: BTreeMap<(i64, NaiveDate, &'static str), i32> = BTreeMap::new();
    for row in rows {
        let add = days.entry((row.venue_id.get(), row.day)).or_default();
        add.ratings += 1;
        add.overall_sum += i32::from(row.overall);
        add_star(&mut add.overall_hist, row.overall);
        add.environment.add(row.environment);
        add.skill.add(row.skill);
        add.attitude.add(row.attitude);
        add.complaints += i32::from(row.complaint.is_some());
        for tag in &row.tags {
            *tags.entry((row.venue_id.get(), row.day, *tag)).or_default() += 1;
        }
    }

    let mut stats = DayStatsColumns::default();
    for ((venue_id, day), add) in days {
        stats.venue_id.push(venue_id);
        stats.day.push(day);
        stats.ratings_count.push(add.ratings);
        stats.overall_sum.push(add.overall_sum);
        stats.overall_hist.extend(add.overall_hist);
        stats.environment_count.push(add.environment.count);
        stats.environment_sum.push(add.environment.sum);
        stats.environment_hist.extend(add.environment.hist);
        stats.skill_count.push(add.skill.count);
        stats.skill_sum.push(add.skill.sum);
        stats.skill_hist.extend(add.skill.hist);
        stats.attitude_count.push(add.attitude.count);
        stats.attitude_sum.push(add.attitude.sum);
        stats.attitude_hist.extend(add.attitude.hist);
        stats.complaints_count.push(add.complaints);
    }
    let mut tag_columns = DayTagColumns::default();
    for ((venue_id, day, tag), count) in tags {
        tag_columns.venue_id.push(venue_id);
        tag_columns.day.push(day);
        tag_columns.tag.push(tag.to_owned());
        tag_columns.count.push(count);
    }
    (stats, tag_columns)
}

#[cfg(test)]
mod tests {
    use crate::domain::ids::VenueId;
    use chrono::Utc;

    use super::*;

    fn row(venue_id: VenueId, day: u32, overall: i16, skill: Option<i16>) -> RatingRow {
        RatingRow {
            venue_id,
            day: NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            created_at: Utc::now(),
            device_hash: [0; 16],
            network_hash: [0; 8],
            overall,
            environment: None,
            skill,
            attitude: Some(overall),
            tags: vec![],
            comment: None,
            form_nonce: None,
            complaint: None,
            contact_sealed: None,
            tracking_code: None,
            case_opening: None,
            idempotency: None,
        }
    }

    #[test]
    fn sums_each_venue_day_once_in_key_order() {
        let mut complained = row(VenueId::new(7), 4, 1, None);
        complained.complaint = Some("overcharged".into());
        complained.tags = vec!["overcharging", "clean"];
        let mut tagged = row(VenueId::new(3), 4, 5, Some(4));
        tagged.tags = vec!["clean"];
        let rows = [
            row(VenueId::new(7), 4, 4, Some(2)),
            tagged,
            complained,
            row(VenueId::new(7), 3, 2, None),
        ];

        let (stats, tags) = day_totals(&rows);

        let d = |n| NaiveDate::from_ymd_opt(2026, 12, n).unwrap();
        assert_eq!(stats.venue_id, [3, 7, 7]);
        assert_eq!(stats.day, [d(4), d(3), d(4)]);
        assert_eq!(stats.ratings_count, [1, 1, 2]);
        assert_eq!(stats.overall_sum, [5, 2, 5]);
        assert_eq!(
            stats.overall_hist,
            [0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0]
        );
        assert_eq!(stats.environment_count, [0, 0, 0]);
        assert_eq!(stats.environment_hist, [0; 15]);
        assert_eq!(stats.skill_count, [1, 0, 1]);
        assert_eq!(stats.skill_sum, [4, 0, 2]);
        assert_eq!(
            stats.skill_hist,
            [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
        );
        assert_eq!(stats.attitude_count, [1, 1, 2]);
        assert_eq!(stats.attitude_sum, [5, 2, 5]);
        assert_eq!(stats.complaints_count, [0, 0, 1]);

        assert_eq!(tags.venue_id, [3, 7, 7]);
        assert_eq!(tags.day, [d(4), d(4), d(4)]);
        assert_eq!(tags.tag, ["clean", "clean", "overcharging"]);
        assert_eq!(tags.count, [1, 1, 1]);
    }

    #[test]
    fn an_empty_batch_adds_nothing() {
        let (stats, tags) = day_totals(&[]);
        assert_eq!(stats, DayStatsColumns::default());
        assert_eq!(tags, DayTagColumns::default());
    }
}
