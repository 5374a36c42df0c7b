//! Venues ranked within a region subtree, and a region's score with its
//! breakdown by child region and category, for drilling down province → venue.

use crate::app::paging::{PageSize, Paging};
use crate::domain::credit::Tier;
use crate::domain::ids::VenueId;
use crate::domain::venue::RegionCode;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::{AppError, Services, Slug};
use crate::domain::distribution::SCORE_BANDS;
use crate::domain::region::{Region, RegionTree};
use crate::domain::scoring::round1;
use crate::store::rankings::{self, RankingFilter, RankingOrder, RankingScope, RegionScore};

/// Rows per page unless asked otherwise.
const DEFAULT_PER_PAGE: i64 = 20;
/// The most rows one page may hold.
const MAX_PER_PAGE: i64 = 100;
/// How deep a ranking may be paged: the last row of a page must be within
/// the first this many. Deeper pages are 422; the console's downloads give
/// regulators every row.
pub const MAX_RANKING_DEPTH: i64 = 1000;

/// Query of `GET /api/v1/rankings`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// Six-digit region code of any level; the whole country when absent.
    pub region: Option<String>,
    /// Category key; every category when absent.
    pub category: Option<String>,
    /// Page, from 1; a ranking is listed to its first 1,000 venues, so
    /// `page × per_page` may be at most 1000 (deeper is 422).
    pub page: Option<String>,
    /// Rows per page, 1–100 (default 20).
    pub per_page: Option<String>,
}

/// A ranking query after checking.
#[derive(Debug, Clone)]
pub struct RankingRequest {
    /// The region, if one was asked for.
    pub region: Option<Region>,
    /// The category key, if one was asked for.
    pub category: Option<String>,
    /// Only venues of these tiers (letters); every tier when empty.
    pub tiers: Vec<String>,
    /// Only venues with a published score.
    pub published_only: bool,
    /// Page from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
}

/// One ranked venue.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingItem {
    /// Place in the whole ranking of the region and category, whatever other
    /// filter chose the venue; `null` for unpublished venues (listed after all ranked ones).
    pub rank: Option<i64>,
    /// Venue id.
    pub venue_id: VenueId,
    /// Venue name.
    pub name: String,
    /// The venue's region.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// Smoothed score 0–100, `null` while unpublished.
    pub score: Option<f64>,
    /// Counted ratings in the window.
    pub ratings: i64,
    /// Wilson lower bound of the 4★+ share; breaks ties.
    pub confidence: f64,
    /// Credit tier.
    pub tier: Option<Tier>,
    /// Whether the score is published.
    pub published: bool,
}

/// A page of a ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankingPage {
    /// Venues in rank order.
    pub items: Vec<RankingItem>,
    /// This page, from 1.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// Venues in the whole ranking, as the score refresher last counted them.
    pub total: i64,
    /// The region ranked, `null` for the whole country.
    pub region: Option<RegionCode>,
    /// The category ranked, `null` for every category.
    pub category: Option<String>,
}

/// Checks a ranking query against the region tree and the categories.
pub async fn parse_query(services: &Services, query: &str) -> Result<RankingRequest, AppError> {
    let raw: RankingQuery = serde_html_form::from_str(query)
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let regions = services.reference.regions().await?;
    let region = match raw
        .region
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(code) => Some(known_region(&regions, code)?.clone()),
    };
    let category = match raw
        .category
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(key) => Some(known_category(services, key).await?),
    };
    let Paging { page, per_page } = Paging::parse(
        raw.page.as_deref(),
        raw.per_page.as_deref(),
        RANKING_PAGES,
        Slug::InvalidQuery,
    )?;
    Ok(RankingRequest {
        region,
        category,
        tiers: Vec::new(),
        published_only: false,
        page,
        per_page,
    })
}

/// A ranking's pages: 20 rows unless asked, at most 100, listed to
/// [`MAX_RANKING_DEPTH`] rows.
const RANKING_PAGES: PageSize =
    PageSize::up_to(DEFAULT_PER_PAGE, MAX_PER_PAGE).to_depth(MAX_RANKING_DEPTH);

/// The deepest page of `per_page` rows a ranking is listed to.
pub fn last_page(per_page: i64) -> i64 {
    RANKING_PAGES.last_page(per_page)
}

/// A six-digit region code looked up in the tree: 422 when malformed, 404 when unknown.
pub fn known_region<'a>(regions: &'a RegionTree, code: &str) -> Result<&'a Region, AppError> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::new(
            Slug::InvalidRegionCode,
            format!("region {code:?} is not a six-digit region code"),
        ));
    }
    regions
        .get(code)
        .ok_or(AppError::not_found(Slug::RegionNotFound))
}

/// A category key checked against the categories: 422 when unknown.
pub async fn known_category(services: &Services, key: &str) -> Result<String, AppError> {
    if services
        .reference
        .categories()
        .await?
        .iter()
        .any(|c| c.key == key)
    {
        Ok(key.to_owned())
    } else {
        Err(AppError::new(
            Slug::UnknownCategory,
            format!("category {key} is not a known category"),
        ))
    }
}

/// Runs a checked ranking query.
pub async fn ranking(
    services: &Services,
    request: &RankingRequest,
) -> Result<RankingPage, AppError> {
    let offset = (request.page - 1) * request.per_page;
    let scope = match &request.region {
        None => RankingScope::National,
        Some(region) => RankingScope::Region {
            level: region.level,
            code: &region.code,
        },
    };
    let filter = RankingFilter {
        category: request.category.as_deref(),
        tiers: &request.tiers,
        published_only: request.published_only,
        order: RankingOrder::BestFirst,
    };
    let rows = rankings::filtered_rankings(
        services.reads.pool(),
        scope,
        &filter,
        request.per_page,
        offset,
    )
    .await?;
    // The refresher keeps the count of every region × category, so only a
    // cut by tier (the console's) is counted here.
    let total = if filter.tiers.is_empty() {
        rankings::stored_total(
            services.reads.pool(),
            scope,
            filter.category,
            filter.published_only,
        )
        .await?
    } else {
        rankings::filtered_total(services.reads.pool(), scope, &filter).await?
    };
    // Leaving out unpublished venues moves no one's place; leaving out tiers
    // does, so then each venue's place in the whole ranking is looked up.
    let places = if request.tiers.is_empty() {
        None
    } else {
        let ids: Vec<VenueId> = rows.iter().map(|r| r.venue_id).collect();
        let places =
            rankings::places_in_ranking(services.reads.pool(), scope, filter.category, &ids)
                .await?;
        Some(places.into_iter().collect::<HashMap<i64, i64>>())
    };
    let items = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| RankingItem {
            rank: match &places {
                None => row.published.then_some(offset + i as i64 + 1),
                Some(places) => places.get(&row.venue_id.get()).copied(),
            },
            venue_id: row.venue_id,
            name: row.name,
            region_code: row.region_code,
            category: row.category,
            score: row.score_0_100.map(round1),
            ratings: row.ratings_window,
            confidence: (row.confidence * 1000.0).round() / 1000.0,
            tier: row.tier,
            published: row.published,
        })
        .collect();
    Ok(RankingPage {
        items,
        page: request.page,
        per_page: request.per_page,
        total,
        region: request.region.as_ref().map(|r| r.code.clone()),
        category: request.category.clone(),
    })
}

/// Tier counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierCounts {
    /// Tier A.
    #[serde(rename = "A")]
    pub a: i64,
    /// Tier B.
    #[serde(rename = "B")]
    pub b: i64,
    /// Tier C.
    #[serde(rename = "C")]
    pub c: i64,
    /// Tier D.
    #[serde(rename = "D")]
    pub d: i64,
}

/// A slice's figures: a region, a region's category, or a child region.
#[derive(Debug, Serialize, ToSchema)]
pub struct SliceScore {
    /// Smoothed score over every rating in the slice, `null` with too few ratings.
    pub score: Option<f64>,
    /// Whether the score is published.
    pub published: bool,
    /// Counted ratings in the window.
    pub ratings: i64,
    /// Venues.
    pub venues: i64,
    /// Venues with a published score.
    pub published_venues: i64,
    /// Median of the published venue scores.
    pub median: Option<f64>,
    /// 10th percentile of the published venue scores.
    pub p10: Option<f64>,
    /// Published venues per ten-point score band, lowest first: 0–10, 10–20,
    /// …, 90–100 (each band holds its lower bound; the last also holds 100).
    pub score_distribution: Vec<i64>,
    /// Venues per tier.
    pub tier_counts: TierCounts,
}

impl SliceScore {
    /// The figures of a stored region score row.
    pub fn from_stored(s: &RegionScore) -> Self {
        let tier = |i: usize| s.tier_counts.get(i).copied().map_or(0, i64::from);
        Self {
            score: s.score_0_100.map(round1),
            published: s.published,
            ratings: s.ratings_window,
            venues: i64::from(s.venues),
            published_venues: i64::from(s.published_venues),
            median: s.median_0_100.map(round1),
            p10: s.p10_0_100.map(round1),
            score_distribution: (0..SCORE_BANDS)
                .map(|band| s.score_distribution.get(band).copied().map_or(0, i64::from))
                .collect(),
            tier_counts: TierCounts {
                a: tier(0),
                b: tier(1),
                c: tier(2),
                d: tier(3),
            },
        }
    }

    /// The figures of a slice nothing was computed for yet.
    pub fn empty() -> Self {
        Self {
            score: None,
            published: false,
            ratings: 0,
            venues: 0,
            published_venues: 0,
            median: None,
            p10: None,
            score_distribution: vec![0; SCORE_BANDS],
            tier_counts: TierCounts {
                a: 0,
                b: 0,
                c: 0,
                d: 0,
            },
        }
    }
}

/// A category within the region.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategorySlice {
    /// Category key.
    pub category: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: SliceScore,
}

/// A child region.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildRegion {
    /// Region code.
    pub region_code: RegionCode,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Level.
    pub level: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: SliceScore,
}

/// A region's score and breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionScoreBody {
    /// Region code.
    pub region_code: RegionCode,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// province, prefecture or county.
    pub level: String,
    /// Parent region, `null` for a province.
    pub parent_code: Option<String>,
    /// The region's own figures.
    #[serde(flatten)]
    pub figures: SliceScore,
    /// Per category, best score first.
    pub categories: Vec<CategorySlice>,
    /// Per child region, by code.
    pub children: Vec<ChildRegion>,
    /// The prior the region score was pulled towards.
    #[schema(value_type = Object)]
    pub prior: serde_json::Value,
    /// When computed; `null` before the first computation.
    pub computed_at: Option<DateTime<Utc>>,
}

/// Loads a region's score and breakdown.
pub async fn region_score(services: &Services, code: &str) -> Result<RegionScoreBody, AppError> {
    let regions = services.reference.regions().await?;
    let region = known_region(&regions, code)?.clone();
    let children: Vec<String> = regions.children(&region.code).to_vec();
    let rows = rankings::region_breakdown(services.reads.pool(), &region.code, &children).await?;
    let own = rows
        .iter()
        .find(|r| r.region_code == region.code && r.category == "*");
    let mut categories: Vec<CategorySlice> = rows
        .iter()
        .filter(|r| r.region_code == region.code && r.category != "*")
        .map(|r| CategorySlice {
            category: r.category.clone(),
            figures: SliceScore::from_stored(r),
        })
        .collect();
    categories.sort_by(|a, b| {
        b.figures
            .score
            .partial_cmp(&a.figures.score)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.category.cmp(&b.category))
    });
    let children = children
        .iter()
        .filter_map(|code| regions.get(code))
        .map(|child| ChildRegion {
            region_code: child.code.clone(),
            name_zh: child.name_zh.clone(),
            name_en: child.name_en.clone(),
            level: child.level.key().to_owned(),
            figures: rows
                .iter()
                .find(|r| r.region_code == child.code && r.category == "*")
                .map_or_else(SliceScore::empty, SliceScore::from_stored),
        })
        .collect();
    Ok(RegionScoreBody {
        region_code: region.code.clone(),
        name_zh: region.name_zh.clone(),
        name_en: region.name_en.clone(),
        level: region.level.key().to_owned(),
        parent_code: region.parent_code.clone(),
        figures: own.map_or_else(SliceScore::empty, SliceScore::from_stored),
        categories,
        children,
        prior: own.map_or(serde_json::Value::Null, |r| r.prior.clone()),
        computed_at: own.map(|r| r.computed_at),
    })
}
