//! Venue planning: where each venue is, what it is called, its code, and how
//! its ratings will look over time.

use anyhow::Context as _;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::RngExt;
use rand::rngs::StdRng;

use crate::domain::code::{CURRENT_KEY_VERSION, VenueCode};
use crate::domain::day::{china_offset, local_day};
use crate::domain::venue::NewVenue;

use super::HISTORY_DAYS;
use super::catalog::{Catalog, Category, Region, category_popularity};
use super::draw::{one_of, pick, standard_normal};
use super::words::{ROADS, STEMS, VARIANTS};

/// Every 23rd venue is new: opened in the last weeks, 0–4 ratings, unpublished.
const NEW_VENUE_EVERY: usize = 23;
/// Every 9th venue is poor: stars around 2.
const POOR_VENUE_EVERY: usize = 9;

/// How a venue rates over time.
#[derive(Debug, Clone)]
pub(super) struct VenueProfile {
    /// One venue in nine: stars around 2, red flags and complaints more often.
    pub(super) poor: bool,
    /// Mean overall stars around the middle of the history.
    pub(super) quality_stars: f64,
    /// Change of the mean across the whole history (positive: improving).
    pub(super) drift_stars: f64,
    /// Environment, skill and attitude relative to the overall stars.
    pub(super) dimension_bias_stars: [f64; 3],
    /// Days since the venue opened; no rating is older.
    pub(super) open_days: u32,
    /// Ratings the venue gets in total.
    pub(super) ratings: u32,
    /// Ages (days before today) of days with a tour-group or holiday rush.
    pub(super) burst_ages: Vec<u32>,
}

/// A venue ready to be written, with how its ratings should look.
#[derive(Debug, Clone)]
pub(super) struct VenuePlan {
    pub(super) id: i64,
    pub(super) venue: NewVenue,
    pub(super) created_at: DateTime<Utc>,
    pub(super) code: VenueCode,
    pub(super) profile: VenueProfile,
}

/// The UTC instant a local (Asia/Shanghai) day starts.
pub(super) fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let offset = Duration::seconds(i64::from(china_offset().local_minus_utc()));
    DateTime::from_naive_utc_and_offset(day.and_time(NaiveTime::MIN) - offset, Utc)
}

/// Splits `total` in proportion to `weights` (largest remainder), exactly.
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut shares: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let given: u64 = shares.iter().sum();
    let mut by_remainder: Vec<usize> = (0..weights.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in by_remainder
        .iter()
        .cycle()
        .take(total.saturating_sub(given) as usize)
    {
        shares[i] += 1;
    }
    shares
}

/// Decides every venue: place, category, name, address, code and profile.
pub(super) fn plan_venues(
    rng: &mut StdRng,
    catalog: &Catalog,
    ids: &[i64],
    rating_count: u64,
    now: DateTime<Utc>,
    code_key: &[u8],
) -> anyhow::Result<Vec<VenuePlan>> {
    let today = local_day(now);
    let regions = &catalog.regions;
    let categories = &catalog.categories;
    // Cities at prefecture level draw more venues than counties.
    let region_weights: Vec<(usize, u32)> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let size = if r.prefecture_level { 2 } else { 1 };
            (i, size * rng.random_range(10..40))
        })
        .collect();
    let category_weights: Vec<(usize, u32)> = categories
        .iter()
        .enumerate()
        .map(|(i, c)| (i, (category_popularity(&c.key) * 10.0) as u32 + 5))
        .collect();
    let cover = regions.len().max(categories.len());

    let mut plans = Vec::with_capacity(ids.len());
    let mut popularity = Vec::with_capacity(ids.len());
    let mut new_venue_budget = rating_count;
    for (i, &id) in ids.iter().enumerate() {
        // The first venues walk every region and every category once, so all
        // of them are used whenever there are enough venues; the rest follow
        // weights.
        let (region, category) = if i < cover {
            (
                &regions[i % regions.len()],
                &categories[i % categories.len()],
            )
        } else {
            let r = pick(rng, &region_weights).unwrap_or(0);
            let c = pick(rng, &category_weights).unwrap_or(0);
            (&regions[r], &categories[c])
        };
        let venue = venue_identity(rng, region, category)?;

        let is_new = i % NEW_VENUE_EVERY == NEW_VENUE_EVERY / 2;
        let poor = i % POOR_VENUE_EVERY == POOR_VENUE_EVERY / 2;
        let open_days = if is_new {
            rng.random_range(1..=40)
        } else if rng.random_ratio(12, 100) {
            rng.random_range(30..HISTORY_DAYS)
        } else {
            rng.random_range(HISTORY_DAYS..HISTORY_DAYS * 3)
        };
        let created_at = local_midnight(today - Duration::days(i64::from(open_days)))
            + Duration::seconds(rng.random_range(9 * 3600..18 * 3600));
        let quality_stars = if poor {
            rng.random_range(1.6..2.4)
        } else {
            rng.random_range(3.4..4.8)
        };
        let drift_stars = if rng.random_ratio(1, 4) {
            rng.random_range(-0.6..0.6)
        } else {
            0.0
        };
        let dimension_bias_stars = [
            rng.random_range(-0.4..0.4),
            rng.random_range(-0.4..0.4),
            rng.random_range(-0.4..0.4),
        ];
        let ratings = if is_new {
            let n = rng.random_range(0..=4u64).min(new_venue_budget);
            new_venue_budget -= n;
            n as u32
        } else {
            0
        };
        // Log-normal popularity: a long tail of quiet venues and a few busy
        // ones with thousands of ratings; newer venues had less time.
        let span_days = open_days.min(HISTORY_DAYS);
        let weight = if is_new {
            0.0
        } else {
            (1.1 * standard_normal(rng)).exp()
                * category_popularity(&category.key)
                * (0.35 + 0.65 * f64::from(span_days) / f64::from(HISTORY_DAYS))
        };
        popularity.push(weight);
        plans.push(VenuePlan {
            id,
            code: VenueCode::mint(code_key, CURRENT_KEY_VERSION, id.into(), 0),
            venue,
            created_at,
            profile: VenueProfile {
                poor,
                quality_stars,
                drift_stars,
                dimension_bias_stars,
                open_days,
                ratings,
                burst_ages: Vec::new(),
            },
        });
    }
    // Whatever the new venues did not take is shared by popularity; venue 0
    // is never new, so some venue always has a weight.
    let shares = apportion(new_venue_budget, &popularity);
    for (plan, share) in plans.iter_mut().zip(shares) {
        let profile = &mut plan.profile;
        profile.ratings += u32::try_from(share).context("too many ratings for one venue")?;
        // One venue in six with enough ratings has one to three rush days.
        if profile.ratings >= 40 && rng.random_ratio(1, 6) {
            let span_days = profile.open_days.min(HISTORY_DAYS);
            let days = rng.random_range(1..=3);
            profile.burst_ages = (0..days).map(|_| rng.random_range(0..span_days)).collect();
        }
    }
    Ok(plans)
}

/// A plausible name and address for a venue of this category in this region.
fn venue_identity(
    rng: &mut StdRng,
    region: &Region,
    category: &Category,
) -> anyhow::Result<NewVenue> {
    let (suffix_zh, suffix_en) = one_of(rng, &category.suffixes);
    let (name_zh, name_en) = if category.public_window {
        // Stations, halls and windows are named after their place.
        let (variant_zh, variant_en) = one_of(rng, &VARIANTS);
        (
            format!("{}{variant_zh}{suffix_zh}", region.short_zh),
            format!("{} {variant_en} {suffix_en}", region.short_en),
        )
    } else {
        let (stem_zh, stem_en) = one_of(rng, &STEMS);
        if rng.random_bool(0.5) {
            (
                format!("{}{stem_zh}{suffix_zh}", region.short_zh),
                format!("{} {stem_en} {suffix_en}", region.short_en),
            )
        } else {
            (
                format!("{stem_zh}{suffix_zh}"),
                format!("{stem_en} {suffix_en}"),
            )
        }
    };
    // About a third show an English name too, as signs in tourist areas do.
    let name = if rng.random_ratio(1, 3) {
        let name_en = name_en.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{name_zh} {name_en}")
    } else {
        name_zh
    };
    let address = (!rng.random_ratio(1, 12)).then(|| {
        format!(
            "{}{}{}号",
            region.address_prefix,
            one_of(rng, &ROADS),
            rng.random_range(1..400)
        )
    });
    Ok(NewVenue::parse(
        &name,
        &region.code,
        &category.key,
        address.as_deref(),
    )?)
}

#[cfg(test)]
pub(super) mod tests {
    use crate::domain::ids::VenueId;
    use std::collections::HashSet;

    use chrono::TimeZone;
    use rand::SeedableRng;

    use super::*;
    use crate::seed::catalog::tests::catalog;

    /// A fixed instant (10:00 local), so two runs generate the same times.
    pub(in crate::seed) fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap()
    }

    pub(in crate::seed) fn plan(venues: i64, ratings: u64) -> (Vec<VenuePlan>, StdRng) {
        let mut rng = StdRng::seed_from_u64(7);
        let ids: Vec<i64> = (1..=venues).collect();
        let plans = plan_venues(&mut rng, &catalog(), &ids, ratings, now(), b"code-key").unwrap();
        (plans, rng)
    }

    #[test]
    fn plan_uses_every_region_and_category_and_splits_ratings_exactly() {
        let (plans, _) = plan(60, 3000);
        let regions: HashSet<&str> = plans.iter().map(|p| p.venue.region_code.as_str()).collect();
        let categories: HashSet<&str> = plans.iter().map(|p| p.venue.category.as_str()).collect();
        assert_eq!(regions.len(), 3);
        assert_eq!(categories.len(), 4);
        let total: u64 = plans.iter().map(|p| u64::from(p.profile.ratings)).sum();
        assert_eq!(total, 3000);
        assert!(
            plans.iter().any(|p| p.profile.ratings < 5),
            "some stay unpublished"
        );
        assert!(plans.iter().any(|p| p.profile.poor));
        for p in &plans {
            assert!(p.code.verify(b"code-key", VenueId::new(p.id), 0));
            assert_eq!(p.code.key_version(), CURRENT_KEY_VERSION);
            assert!(p.profile.open_days >= 1);
        }
    }

    #[test]
    fn apportion_is_exact_and_proportional() {
        assert_eq!(apportion(10, &[1.0, 1.0, 2.0]), [3, 2, 5]);
        assert_eq!(apportion(7, &[0.0, 0.0]), [0, 0]);
        assert_eq!(apportion(5, &[]), Vec::<u64>::new());
        assert_eq!(apportion(1000, &[0.3, 0.3, 0.4]).iter().sum::<u64>(), 1000);
    }
}
