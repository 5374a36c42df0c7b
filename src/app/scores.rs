//! A venue's score as published, and how its credit tier came to be.

use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use crate::domain::venue::RegionCode;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::{AppError, Services, Slug};
use crate::domain::credit::Reason;
use crate::domain::scoring::{Histogram, mean_from_sum_0_100, round1};
use crate::domain::tier_override::TierSource;
use crate::store::{scores, stats, tier_overrides, tiers, venues};

/// Weeks in the trend.
pub const TREND_WEEKS: i64 = 26;

/// Dimension scores, 0–100, `null` while unpublished or without ratings for that dimension.
#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionScores {
    /// Service environment.
    pub environment: Option<f64>,
    /// Service skill.
    pub skill: Option<f64>,
    /// Service attitude.
    pub attitude: Option<f64>,
}

/// One reason for a tier, in both languages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TierReason {
    /// The rule input the reason is about, e.g. `score`.
    pub input: String,
    /// English, e.g. "score 58.2 < 60".
    pub en: String,
    /// Chinese, e.g. "评分 58.2 < 60".
    pub zh: String,
}

impl From<Reason> for TierReason {
    fn from(r: Reason) -> Self {
        Self {
            input: r.input,
            en: r.en,
            zh: r.zh,
        }
    }
}

/// A venue's place among the published venues of its category in a region.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionRank {
    /// Region code (prefecture or province).
    pub region_code: RegionCode,
    /// 1 = best.
    pub rank: i64,
    /// Published venues of the category in the region.
    pub of: i64,
}

/// Ranks in the prefecture and the province, `null` while unpublished.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ranks {
    /// Within the category in the prefecture.
    pub prefecture: Option<RegionRank>,
    /// Within the category in the province.
    pub province: Option<RegionRank>,
}

/// One week of the trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendWeek {
    /// Monday of the week (local day).
    pub week_start: NaiveDate,
    /// Ratings counted that week.
    pub ratings: i64,
    /// Plain mean of that week's ratings, 0–100; `null` without ratings.
    pub score: Option<f64>,
}

/// A venue's score.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueScore {
    /// Venue id.
    pub venue_id: VenueId,
    /// Whether the score is published (enough ratings in the window).
    pub published: bool,
    /// Smoothed score 0–100, or `null` while not published ("not enough ratings yet").
    pub score: Option<f64>,
    /// Wilson lower bound (95 %) of the share of 4★ and 5★ ratings, 0–1.
    pub confidence: f64,
    /// Counted ratings in the publication window (365 days by default).
    pub ratings: i64,
    /// Counts of 1★..5★ in the window.
    pub histogram: [i64; 5],
    /// Dimension scores.
    pub dimensions: DimensionScores,
    /// Tag counts in the window.
    pub tags: BTreeMap<String, i64>,
    /// Ratings today (Asia/Shanghai), from the live counters when Redis is up.
    pub today: i64,
    /// Credit tier "A".."D", `null` before the first grading.
    pub tier: Option<Tier>,
    /// Why the tier is what it is.
    pub tier_reasons: Vec<TierReason>,
    /// Where the tier came from: `rules`, or `override` (set by a regulator).
    pub tier_source: TierSource,
    /// The tier the rules gave, while an override sets another one.
    pub computed_tier: Option<Tier>,
    /// The override in force, while the tier comes from one.
    pub tier_override: Option<PublicTierOverride>,
    /// The tier rule set version that graded it.
    pub rule_set_version: Option<String>,
    /// Ranks within the category.
    pub rank: Ranks,
    /// The last 26 weeks, oldest first.
    pub trend: Vec<TrendWeek>,
    /// The prior the score was pulled towards, with where it came from.
    #[schema(value_type = Object)]
    pub priors: serde_json::Value,
    /// The method: see `/about/scores`.
    pub method: &'static str,
    /// When the stored score was computed; `null` before the first computation.
    pub computed_at: Option<DateTime<Utc>>,
}

/// An override of the tier, as the public sees it: the tier, since when and
/// the first day the rules apply again; the reason stays with regulators.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTierOverride {
    /// The tier it sets.
    pub tier: Tier,
    /// When it was set.
    pub set_at: DateTime<Utc>,
    /// The first day the rules apply again.
    pub ends_on: NaiveDate,
}

/// Assembles a venue's score from the stored score, today's aggregates and the live counter.
pub async fn venue_score(services: &Services, id: VenueId) -> Result<VenueScore, AppError> {
    let pool = services.reads.pool();
    let params = services.scores.params();
    let today = services.clock.today();
    let since = today - Duration::days(params.publish_window_days - 1);
    // Every venue has a stored score from its first refresh on; only a
    // venue without one is looked up, to tell a new venue from none.
    let stored = scores::venue_score(pool, id).await?;
    if stored.is_none() {
        venues::public(pool, id)
            .await?
            .ok_or(AppError::not_found(Slug::VenueNotFound))?;
    }
    let tags: BTreeMap<String, i64> = stats::tags_since(pool, id, since)
        .await?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    let stored_today = stats::day_count(pool, id, today).await?;
    let trend = trend(services, id, today).await?;
    let live_today = services.live.venue_today(id, today).await.ok().flatten();
    // Postgres is the truth; a live counter lower than it was reset or lost.
    let today_count = live_today.map_or(stored_today, |live| live.max(stored_today));
    let Some(s) = stored else {
        // Not computed yet (a brand-new venue): nothing is published.
        let histogram = Histogram(stats::histogram_since(pool, id, since).await?);
        return Ok(VenueScore {
            venue_id: id,
            published: false,
            score: None,
            confidence: round3(histogram.confidence()),
            ratings: histogram.total(),
            histogram: histogram.0,
            dimensions: DimensionScores {
                environment: None,
                skill: None,
                attitude: None,
            },
            tags,
            today: today_count,
            tier: None,
            tier_reasons: Vec::new(),
            tier_source: TierSource::Rules,
            computed_tier: None,
            tier_override: None,
            rule_set_version: None,
            rank: Ranks {
                prefecture: None,
                province: None,
            },
            trend,
            priors: serde_json::Value::Null,
            method: METHOD,
            computed_at: None,
        });
    };
    let mut histogram = [0i64; 5];
    for (slot, n) in histogram.iter_mut().zip(&s.histogram) {
        *slot = i64::from(*n);
    }
    let reasons: Vec<Reason> = serde_json::from_value(s.tier_reasons).unwrap_or_default();
    let rank = |region: Option<String>, rank: Option<i32>, of: Option<i32>| {
        Some(RegionRank {
            region_code: RegionCode::parse(&region?).ok()?,
            rank: i64::from(rank?),
            of: i64::from(of?),
        })
    };
    Ok(VenueScore {
        venue_id: id,
        published: s.published,
        score: s.score_0_100.map(round1),
        confidence: round3(s.confidence),
        ratings: s.ratings_window,
        histogram,
        dimensions: DimensionScores {
            environment: s.environment_0_100.map(round1),
            skill: s.skill_0_100.map(round1),
            attitude: s.attitude_0_100.map(round1),
        },
        tags,
        today: today_count,
        tier_source: TierSource::parse(&s.tier_source),
        computed_tier: s.computed_tier.as_deref().and_then(Tier::parse),
        tier_override: match (s.tier, s.override_set_at, s.override_ends_on) {
            (Some(tier), Some(set_at), Some(ends_on)) => Some(PublicTierOverride {
                tier,
                set_at,
                ends_on,
            }),
            _ => None,
        },
        tier: s.tier,
        tier_reasons: reasons.into_iter().map(TierReason::from).collect(),
        rule_set_version: s.rule_set_version,
        rank: Ranks {
            prefecture: rank(s.prefecture_code, s.rank_prefecture, s.ranked_in_prefecture),
            province: rank(Some(s.province_code), s.rank_province, s.ranked_in_province),
        },
        trend,
        priors: s.priors,
        method: METHOD,
        computed_at: Some(s.computed_at),
    })
}

/// The name of the published method.
const METHOD: &str = "age_weighted_smoothed_mean";

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

async fn trend(
    services: &Services,
    id: VenueId,
    today: NaiveDate,
) -> Result<Vec<TrendWeek>, AppError> {
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first_monday = this_monday - Duration::weeks(TREND_WEEKS - 1);
    let weeks = scores::weekly_totals(services.reads.pool(), id, first_monday).await?;
    Ok((0..TREND_WEEKS)
        .map(|i| {
            let week_start = first_monday + Duration::weeks(i);
            let found = weeks.iter().find(|w| w.week_start == week_start);
            let (ratings, sum) = found.map_or((0, 0), |w| (w.ratings, w.overall_sum));
            TrendWeek {
                week_start,
                ratings,
                score: mean_from_sum_0_100(ratings, sum).map(round1),
            }
        })
        .collect())
}

/// One change of a venue's tier.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierChangeBody {
    /// The new tier.
    pub tier: Tier,
    /// The tier before; `null` at the first grading.
    pub previous_tier: Option<Tier>,
    /// Why, in both languages.
    pub reasons: Vec<TierReason>,
    /// What the rules saw.
    #[schema(value_type = Object)]
    pub inputs: serde_json::Value,
    /// Rule set version.
    pub rule_set_version: String,
    /// Where the tier came from: `rules`, or `override` (set by a regulator).
    pub source: TierSource,
    /// The override that set it, when it came from one; who set it and why
    /// are on the console.
    pub override_id: Option<i64>,
    /// The override's end date (the first day the rules apply again).
    pub override_ends_on: Option<NaiveDate>,
    /// When it changed.
    pub changed_at: DateTime<Utc>,
}

/// A venue's tier history.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierHistory {
    /// Venue id.
    pub venue_id: VenueId,
    /// Changes, newest first.
    pub items: Vec<TierChangeBody>,
}

/// A venue's tier changes, newest first, with their reasons in both languages.
pub async fn tier_history(
    services: &Services,
    id: VenueId,
) -> Result<Vec<TierChangeBody>, AppError> {
    let changes = tiers::history(services.reads.pool(), id).await?;
    let ids: Vec<i64> = changes.iter().filter_map(|c| c.override_id).collect();
    let overrides = tier_overrides::by_ids(services.reads.pool(), id, &ids).await?;
    Ok(changes
        .into_iter()
        .map(|c| TierChangeBody {
            source: TierSource::parse(&c.source),
            override_ends_on: c
                .override_id
                .and_then(|o| overrides.get(&o))
                .map(|o| o.ends_on),
            override_id: c.override_id,
            tier: c.tier,
            previous_tier: c.previous_tier,
            reasons: serde_json::from_value::<Vec<Reason>>(c.reasons)
                .unwrap_or_default()
                .into_iter()
                .map(TierReason::from)
                .collect(),
            inputs: c.inputs,
            rule_set_version: c.rule_set_version,
            changed_at: c.changed_at,
        })
        .collect())
}
