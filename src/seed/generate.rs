//! Rating generation: every planned venue's ratings as COPY rows, with the day
//! aggregates tallied from exactly those ratings.
//!
//! Past 500 lines only because its unit tests sit beside the generator they pin down.

use crate::domain::ids::VenueId;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rand::RngExt;
use rand::rngs::StdRng;

use crate::domain::day::local_day;
use crate::domain::rating::{Comment, Complaint, DeviceId, Tag};
use crate::domain::secrets::Secrets;

use super::HISTORY_DAYS;
use super::catalog::red_flag_weights;
use super::copy::{push_copy_bytea, push_copy_text, push_optional_stars};
use super::draw::{pick, stars_around};
use super::plan::{VenuePlan, VenueProfile, local_midnight};
use super::words::{
    MIXED_TAGS, NEGATIVE_TAGS, POSITIVE_TAGS, TAG_COUNTS, comment_text, complaint_status,
    complaint_text, tracking_code,
};

/// The recent window that gets a third of all ratings.
const RECENT_DAYS: u32 = 14;
/// Ratings per COPY round: big enough to amortize a round, small enough that
/// generation of the next round overlaps with Postgres loading this one.
const CHUNK_RATINGS: usize = 50_000;

/// A complaint waiting for its rating's id.
#[derive(Debug, Clone)]
pub(super) struct ComplaintRow {
    pub(super) venue_id: VenueId,
    pub(super) day: NaiveDate,
    pub(super) device_hash: [u8; 16],
    pub(super) tracking_code: String,
    pub(super) description: String,
    pub(super) status: &'static str,
}

/// Row counts of what was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Totals {
    pub(super) ratings: u64,
    pub(super) venue_days: u64,
    pub(super) tag_rows: u64,
}

impl Totals {
    /// Adds another chunk's counts.
    pub(super) fn add(&mut self, other: &Totals) {
        self.ratings += other.ratings;
        self.venue_days += other.venue_days;
        self.tag_rows += other.tag_rows;
    }
}

/// One COPY round: ratings of whole venues and their day aggregates.
#[derive(Debug, Default)]
pub(super) struct Chunk {
    pub(super) ratings_copy: String,
    pub(super) day_stats_copy: String,
    pub(super) day_tags_copy: String,
    pub(super) complaints: Vec<ComplaintRow>,
    pub(super) totals: Totals,
}

/// Count, sum and 1..5 histogram of one star field.
#[derive(Debug, Clone, Copy, Default)]
struct StarTally {
    count: u32,
    sum: u32,
    hist: [u32; 5],
}

impl StarTally {
    fn add(&mut self, stars: u8) {
        self.count += 1;
        self.sum += u32::from(stars);
        self.hist[usize::from(stars.clamp(1, 5) - 1)] += 1;
    }

    fn write(&self, out: &mut String, with_count: bool) {
        let [a, b, c, d, e] = self.hist;
        if with_count {
            let _ = write!(out, "\t{}", self.count);
        }
        let _ = write!(out, "\t{}\t{{{a},{b},{c},{d},{e}}}", self.sum);
    }
}

/// A venue-day's aggregates, tallied as its ratings are generated.
#[derive(Debug, Default)]
struct DayTally {
    ratings: u32,
    overall: StarTally,
    dimensions: [StarTally; 3],
    complaints: u32,
    tags: BTreeMap<Tag, u32>,
}

/// One generated rating.
#[derive(Debug, Clone)]
struct SeedRating {
    seconds_of_day: u32,
    overall: u8,
    dimensions: [Option<u8>; 3],
    tags: Vec<Tag>,
    comment: Option<Comment>,
    complaint: Option<Complaint>,
}

/// Generates the ratings of planned venues, deterministically from its RNG.
pub(super) struct RatingGenerator {
    rng: StdRng,
    secrets: Secrets,
    today: NaiveDate,
    /// Seconds since local midnight now: no rating of today is later.
    now_seconds_of_day: u32,
    /// Demo visitors; several rate more than one venue, none one venue twice a day.
    device_hashes: Vec<Option<[u8; 16]>>,
}

impl RatingGenerator {
    pub(super) fn new(
        rng: StdRng,
        secrets: Secrets,
        now: DateTime<Utc>,
        rating_count: u64,
    ) -> Self {
        let today = local_day(now);
        let now_seconds_of_day =
            (now - local_midnight(today)).num_seconds().clamp(0, 86_399) as u32;
        // About three ratings per visitor, but never fewer visitors than a
        // busy venue-day needs.
        let devices = (rating_count / 3).max(10_000) as usize;
        Self {
            rng,
            secrets,
            today,
            now_seconds_of_day,
            device_hashes: vec![None; devices],
        }
    }

    /// Generates every venue's ratings, handing chunks to `deliver` until it
    /// returns `false` (the receiver gave up).
    pub(super) fn run(
        &mut self,
        venues: &[VenuePlan],
        mut deliver: impl FnMut(Chunk) -> bool,
    ) -> anyhow::Result<()> {
        let mut chunk = Chunk::default();
        for venue in venues {
            self.venue(venue, &mut chunk)?;
            if chunk.totals.ratings as usize >= CHUNK_RATINGS
                && !deliver(std::mem::take(&mut chunk))
            {
                return Ok(());
            }
        }
        if chunk.totals.ratings > 0 {
            deliver(chunk);
        }
        Ok(())
    }

    /// Appends one venue's ratings and day aggregates to `chunk`, oldest day first.
    fn venue(&mut self, venue: &VenuePlan, chunk: &mut Chunk) -> anyhow::Result<()> {
        let profile = &venue.profile;
        if profile.ratings == 0 {
            return Ok(());
        }
        let span_days = profile.open_days.clamp(1, HISTORY_DAYS);
        let mut per_age = vec![0u32; span_days as usize];
        let burst_ratings = if profile.burst_ages.is_empty() {
            0
        } else {
            (f64::from(profile.ratings) * self.rng.random_range(0.15..0.3)) as u32
        };
        for &age in profile
            .burst_ages
            .iter()
            .cycle()
            .take(burst_ratings as usize)
        {
            per_age[age as usize] += 1;
        }
        for _ in burst_ratings..profile.ratings {
            let age = if self.rng.random_ratio(1, 3) {
                self.rng.random_range(0..span_days.min(RECENT_DAYS))
            } else {
                self.seasonal_age(span_days)
            };
            per_age[age as usize] += 1;
        }
        // Today has had only the rating hours since eight so far; the rest
        // of its share goes to yesterday, so today looks like any day's
        // morning (the detectors of bought scores judge it by its hours).
        if span_days > 1 {
            let elapsed =
                f64::from(self.now_seconds_of_day.saturating_sub(8 * 3600)) / f64::from(14 * 3600);
            let kept = (f64::from(per_age[0]) * elapsed.min(1.0)).round() as u32;
            per_age[1] += per_age[0] - kept;
            per_age[0] = kept;
        }
        let red_flags = red_flag_weights(venue.venue.category.as_str());
        let mut tracking_codes = HashSet::new();
        for age in (0..span_days).rev() {
            let n = per_age[age as usize];
            if n == 0 {
                continue;
            }
            let burst = profile.burst_ages.contains(&age);
            // Linear drift: the oldest day sits half a drift below the
            // quality, today half a drift above. Rush days go worse.
            let progress = 1.0 - f64::from(age) / f64::from(HISTORY_DAYS);
            let mut mean = profile.quality_stars + profile.drift_stars * (progress - 0.5);
            if burst {
                mean -= if profile.poor { 0.6 } else { 0.3 };
            }
            let mut ratings: Vec<SeedRating> = (0..n)
                .map(|_| self.rating(profile, mean, burst, &red_flags, age))
                .collect::<anyhow::Result<_>>()?;
            // Ids follow arrival time within the day, as live ratings do.
            ratings.sort_by_key(|r| r.seconds_of_day);
            self.write_day(venue, age, &ratings, &mut tracking_codes, chunk)?;
        }
        Ok(())
    }

    /// A day of the venue's history, weighted by tourist season and weekday.
    fn seasonal_age(&mut self, span_days: u32) -> u32 {
        const MAX_WEIGHT: f64 = 1.6 * 1.3 * 1.8;
        let mut age = 0;
        for _ in 0..20 {
            age = self.rng.random_range(0..span_days);
            let weight = season_weight(self.today - Duration::days(i64::from(age)));
            if self.rng.random::<f64>() * MAX_WEIGHT < weight {
                break;
            }
        }
        age
    }

    /// One rating at a venue on a day `age` days ago.
    fn rating(
        &mut self,
        profile: &VenueProfile,
        mean_stars: f64,
        burst: bool,
        red_flags: &[(Tag, u32); 4],
        age: u32,
    ) -> anyhow::Result<SeedRating> {
        let rng = &mut self.rng;
        // Visitors rate from the morning to the evening; today only until now.
        let latest = if age == 0 {
            self.now_seconds_of_day.min(22 * 3600)
        } else {
            22 * 3600
        };
        let earliest = if latest > 8 * 3600 { 8 * 3600 } else { 0 };
        let seconds_of_day = rng.random_range(earliest..=latest);

        let overall = stars_around(rng, mean_stars, 1.6);
        let dimension = |rng: &mut StdRng, i: usize| {
            stars_around(
                rng,
                f64::from(overall) + profile.dimension_bias_stars[i],
                1.2,
            )
        };
        let form = rng.random::<f64>();
        let dimensions = if form < 0.45 {
            // Most who open the detail section fill all three.
            [0, 1, 2].map(|i| Some(dimension(rng, i)))
        } else if form < 0.55 {
            [0, 1, 2].map(|i| rng.random_bool(0.5).then(|| dimension(rng, i)))
        } else {
            [None; 3]
        };

        let wanted = pick(rng, &TAG_COUNTS).unwrap_or(0);
        let mut tags = Vec::with_capacity(wanted + 1);
        let mut red_flag = None;
        if overall <= 2 {
            let p = match (profile.poor, burst) {
                (true, true) => 0.7,
                (true, false) => 0.35,
                (false, _) => 0.1,
            };
            if rng.random_bool(p) {
                red_flag = pick(rng, red_flags);
                tags.extend(red_flag);
            }
        }
        let pool: &[(Tag, u32)] = match overall {
            4..=5 => &POSITIVE_TAGS,
            3 => &MIXED_TAGS,
            _ => &NEGATIVE_TAGS,
        };
        // A few draws may repeat a tag; that only makes the count smaller.
        for _ in 0..wanted * 2 {
            if tags.len() >= wanted.max(usize::from(red_flag.is_some())) {
                break;
            }
            if let Some(tag) = pick(rng, pool)
                && !tags.contains(&tag)
            {
                tags.push(tag);
            }
        }
        if overall == 4 && rng.random_ratio(1, 15) && !tags.contains(&Tag::LongWait) {
            tags.push(Tag::LongWait);
        }
        tags.sort();

        let comment_chance = match overall {
            1..=2 => 0.22,
            3 => 0.10,
            _ => 0.08,
        };
        let comment = if rng.random_bool(comment_chance) {
            Comment::parse(Some(&comment_text(rng, overall, red_flag)))?
        } else {
            None
        };
        let complaint_chance = match (overall <= 2, red_flag.is_some(), profile.poor) {
            (false, _, _) => 0.0,
            (true, true, true) => 0.06,
            (true, true, false) => 0.03,
            (true, false, true) => 0.02,
            (true, false, false) => 0.005,
        };
        let complaint = if rng.random_bool(complaint_chance) {
            Complaint::parse(Some(&complaint_text(rng, red_flag)), None)?
        } else {
            None
        };
        Ok(SeedRating {
            seconds_of_day,
            overall,
            dimensions,
            tags,
            comment,
            complaint,
        })
    }

    /// The stored hash of demo visitor `index`'s device id.
    fn device_hash(&mut self, index: usize) -> anyhow::Result<[u8; 16]> {
        if let Some(Some(hash)) = self.device_hashes.get(index) {
            return Ok(*hash);
        }
        let device = DeviceId::parse(&format!("demo-visitor-{index:08}"))?;
        let hash = self.secrets.device_hash(&device);
        if let Some(slot) = self.device_hashes.get_mut(index) {
            *slot = Some(hash);
        }
        Ok(hash)
    }

    /// Writes a venue-day's ratings and the aggregates tallied from them.
    fn write_day(
        &mut self,
        venue: &VenuePlan,
        age: u32,
        ratings: &[SeedRating],
        tracking_codes: &mut HashSet<String>,
        chunk: &mut Chunk,
    ) -> anyhow::Result<()> {
        let day = self.today - Duration::days(i64::from(age));
        let day_text = day.format("%Y-%m-%d").to_string();
        let visitors = self.device_hashes.len();
        anyhow::ensure!(
            ratings.len() <= visitors,
            "{} ratings on one venue-day but only {visitors} demo visitors",
            ratings.len()
        );
        let mut used = HashSet::with_capacity(ratings.len());
        let mut tally = DayTally::default();
        for rating in ratings {
            // Probing from a random visitor always ends: fewer ratings than visitors.
            let mut visitor = self.rng.random_range(0..visitors);
            while !used.insert(visitor) {
                visitor = (visitor + 1) % visitors;
            }
            let device_hash = self.device_hash(visitor)?;

            let out = &mut chunk.ratings_copy;
            let s = rating.seconds_of_day;
            let _ = write!(
                out,
                "{}\t{day_text}\t{day_text} {:02}:{:02}:{:02}+08\t",
                venue.id,
                s / 3600,
                s / 60 % 60,
                s % 60
            );
            push_copy_bytea(out, &device_hash);
            let _ = write!(out, "\t{}", rating.overall);
            for stars in rating.dimensions {
                out.push('\t');
                push_optional_stars(out, stars);
            }
            out.push_str("\t{");
            for (i, tag) in rating.tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(tag.key());
            }
            out.push_str("}\t");
            match &rating.comment {
                Some(comment) => push_copy_text(out, comment.as_str()),
                None => out.push_str("\\N"),
            }
            // Two demo visitors share each address prefix.
            out.push('\t');
            let network = format!("demo-network-{}", visitor / 2);
            push_copy_bytea(out, &self.secrets.network_hash(&network));
            out.push('\n');

            tally.ratings += 1;
            tally.overall.add(rating.overall);
            for (dimension, stars) in tally.dimensions.iter_mut().zip(rating.dimensions) {
                if let Some(stars) = stars {
                    dimension.add(stars);
                }
            }
            for &tag in &rating.tags {
                *tally.tags.entry(tag).or_default() += 1;
            }
            if let Some(complaint) = &rating.complaint {
                tally.complaints += 1;
                let tracking_code = loop {
                    let code = tracking_code(&mut self.rng, venue.id);
                    if tracking_codes.insert(code.clone()) {
                        break code;
                    }
                };
                chunk.complaints.push(ComplaintRow {
                    venue_id: venue.id.into(),
                    day,
                    device_hash,
                    tracking_code,
                    description: complaint.text.clone(),
                    status: complaint_status(&mut self.rng, age),
                });
            }
        }

        let out = &mut chunk.day_stats_copy;
        let _ = write!(out, "{}\t{day_text}\t{}", venue.id, tally.ratings);
        tally.overall.write(out, false);
        for dimension in &tally.dimensions {
            dimension.write(out, true);
        }
        let _ = writeln!(out, "\t{}", tally.complaints);
        for (tag, count) in &tally.tags {
            let _ = writeln!(
                chunk.day_tags_copy,
                "{}\t{day_text}\t{}\t{count}",
                venue.id,
                tag.key()
            );
        }
        chunk.totals.ratings += u64::from(tally.ratings);
        chunk.totals.venue_days += 1;
        chunk.totals.tag_rows += tally.tags.len() as u64;
        Ok(())
    }
}

/// Relative number of visitors on a day: summer and the October holiday
/// peak, early spring and November are quiet, weekends busier.
fn season_weight(day: NaiveDate) -> f64 {
    let month = match day.month() {
        7 | 8 => 1.6,
        6 | 9 | 10 => 1.2,
        1 | 2 | 5 => 1.0,
        12 => 0.8,
        4 => 0.7,
        _ => 0.6,
    };
    let weekend = if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        1.3
    } else {
        1.0
    };
    let holiday = if (day.month() == 10 && day.day() <= 7) || (day.month() == 5 && day.day() <= 5) {
        1.8
    } else {
        1.0
    };
    month * weekend * holiday
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::plan::tests::{now, plan};

    fn generate(venues: i64, ratings: u64) -> (Vec<VenuePlan>, Vec<Chunk>) {
        let (plans, rng) = plan(venues, ratings);
        let secrets = Secrets::derive("0123456789abcdef0123456789abcdef");
        let mut chunks = Vec::new();
        RatingGenerator::new(rng, secrets, now(), ratings)
            .run(&plans, |c| {
                chunks.push(c);
                true
            })
            .unwrap();
        (plans, chunks)
    }

    fn int_array(field: &str) -> Vec<i64> {
        field
            .trim_matches(['{', '}'])
            .split(',')
            .map(|x| x.parse().unwrap())
            .collect()
    }

    /// Count, sum and histogram of one star field, recounted from rating rows.
    #[derive(Debug, Default, Clone, Copy, PartialEq)]
    struct Recount {
        count: i64,
        sum: i64,
        hist: [i64; 5],
    }

    impl Recount {
        fn add(&mut self, field: &str) {
            if let Ok(stars) = field.parse::<i64>() {
                self.count += 1;
                self.sum += stars;
                self.hist[stars as usize - 1] += 1;
            }
        }
    }

    /// Parses the generated COPY text back and recounts it independently.
    #[test]
    fn day_aggregates_equal_a_recount_of_the_generated_ratings() {
        let (_, chunks) = generate(60, 3000);
        let mut recount: BTreeMap<(String, String), [Recount; 4]> = BTreeMap::new();
        let mut tag_recount: BTreeMap<(String, String, String), i64> = BTreeMap::new();
        let mut devices = HashSet::new();
        let mut ratings = 0;
        for line in chunks.iter().flat_map(|c| c.ratings_copy.lines()) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 11, "{line}");
            assert!(
                devices.insert((f[0], f[1], f[3])),
                "one per device-day: {line}"
            );
            assert!(
                f[2].starts_with(f[1]),
                "created_at on its local day: {line}"
            );
            ratings += 1;
            let key = (f[0].to_owned(), f[1].to_owned());
            let fields = recount.entry(key.clone()).or_default();
            for (tally, field) in fields.iter_mut().zip(&f[4..8]) {
                tally.add(field);
            }
            let overall: u8 = f[4].parse().unwrap();
            let tags: Vec<Tag> = f[8]
                .trim_matches(['{', '}'])
                .split(',')
                .filter(|t| !t.is_empty())
                .map(|t| Tag::parse(t).unwrap())
                .collect();
            let consistent = match overall {
                4..=5 => tags.iter().all(|t| t.is_positive() || *t == Tag::LongWait),
                3 => tags.iter().all(|t| !t.is_red_flag()),
                _ => tags.iter().all(|t| !t.is_positive()),
            };
            assert!(consistent, "{line}");
            for tag in tags {
                let key = (key.0.clone(), key.1.clone(), tag.key().to_owned());
                *tag_recount.entry(key).or_default() += 1;
            }
            if f[9] != "\\N" {
                assert!(f[9].chars().count() <= 500);
            }
        }
        assert_eq!(ratings, 3000);
        assert_eq!(chunks.iter().map(|c| c.totals.ratings).sum::<u64>(), 3000);

        let mut stats_rows = 0;
        let mut complaints_counted = 0;
        for line in chunks.iter().flat_map(|c| c.day_stats_copy.lines()) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 15, "{line}");
            let [overall, dims @ ..] = recount[&(f[0].to_owned(), f[1].to_owned())];
            assert_eq!(f[2].parse::<i64>().unwrap(), overall.count, "{line}");
            assert_eq!(f[3].parse::<i64>().unwrap(), overall.sum, "{line}");
            assert_eq!(int_array(f[4]), overall.hist, "{line}");
            for (d, dim) in dims.iter().enumerate() {
                assert_eq!(f[5 + d * 3].parse::<i64>().unwrap(), dim.count, "{line}");
                assert_eq!(f[6 + d * 3].parse::<i64>().unwrap(), dim.sum, "{line}");
                assert_eq!(int_array(f[7 + d * 3]), dim.hist, "{line}");
            }
            complaints_counted += f[14].parse::<usize>().unwrap();
            stats_rows += 1;
        }
        assert_eq!(stats_rows, recount.len());

        let tag_rows: BTreeMap<(String, String, String), i64> = chunks
            .iter()
            .flat_map(|c| c.day_tags_copy.lines())
            .map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let key = (f[0].to_owned(), f[1].to_owned(), f[2].to_owned());
                (key, f[3].parse().unwrap())
            })
            .collect();
        assert_eq!(tag_rows, tag_recount);

        let complaints: Vec<&ComplaintRow> = chunks.iter().flat_map(|c| &c.complaints).collect();
        assert_eq!(complaints_counted, complaints.len());
        let codes: HashSet<(VenueId, &str)> = complaints
            .iter()
            .map(|c| (c.venue_id, c.tracking_code.as_str()))
            .collect();
        assert_eq!(codes.len(), complaints.len());
    }

    #[test]
    fn generation_is_deterministic() {
        let text = |chunks: Vec<Chunk>| -> String {
            chunks.iter().map(|c| c.ratings_copy.as_str()).collect()
        };
        assert_eq!(text(generate(30, 1500).1), text(generate(30, 1500).1));
    }
}
