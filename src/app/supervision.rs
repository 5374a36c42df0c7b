//! What a supervisor sees of a region and its venues: the overview with its
//! child regions, weakest and fastest-falling venues, the region and venue a
//! supervisor may ask for, and a venue's ratings under review.
//!
//! Past 500 lines: the overview, child regions, falling venues and a venue's ratings under review
//! share the region scoping and the figures they are built from.

use crate::app::paging::{PageSize, Paging};
use crate::domain::credit::Tier;
use crate::domain::ids::{RatingId, VenueId};
use crate::domain::venue::RegionCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::rankings::{ChildRegion, SliceScore, TierCounts, known_region};
use crate::app::{AppError, Services, Slug};
use crate::domain::access::{Principal, Scope};
use crate::domain::decline::{self, DeclineWindows, MIN_RATINGS_PER_WINDOW};
use crate::domain::rating::Tag;
use crate::domain::region::Region;
use crate::domain::scoring::{
    Measures, Prior, PriorSource, WeightedSum, prior_or_fallback, round1, smoothed_0_100,
};
use crate::store::console::RatingFilter;
use crate::store::rankings::{self, RankingFilter, RankingOrder, RankingRow, RankingScope};
use crate::store::venues::{self, Venue};
use crate::store::{ScopeFilter, console, scores};

/// Venues in the overview's "lowest" and "fastest falling" lists.
pub const OVERVIEW_LIST_LEN: usize = 10;
/// Venues in the overview's tier C/D watch list (the count covers all of them).
pub const WATCHLIST_LEN: i64 = 20;
/// Ratings per page unless asked otherwise.
const DEFAULT_PER_PAGE: i64 = 20;
/// The most ratings one page may hold.
const MAX_PER_PAGE: i64 = 100;

/// The tiers a regulator watches: C (watch) and D (untrustworthy).
pub fn watched_tiers() -> Vec<String> {
    vec!["C".to_owned(), "D".to_owned()]
}

/// A region named in an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionRef {
    /// Six-digit code.
    pub region_code: RegionCode,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// province, prefecture or county.
    pub level: String,
}

impl From<&Region> for RegionRef {
    fn from(r: &Region) -> Self {
        Self {
            region_code: r.code.clone(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            level: r.level.key().to_owned(),
        }
    }
}

/// A venue in one of the overview's lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsoleVenue {
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
    /// Counted ratings in the publication window.
    pub ratings: i64,
    /// Wilson lower bound of the 4★+ share.
    pub confidence: f64,
    /// Credit tier.
    pub tier: Option<Tier>,
    /// Whether the score is published.
    pub published: bool,
}

impl From<RankingRow> for ConsoleVenue {
    fn from(row: RankingRow) -> Self {
        Self {
            venue_id: row.venue_id,
            name: row.name,
            region_code: row.region_code,
            category: row.category,
            score: row.score_0_100.map(round1),
            ratings: row.ratings_window,
            confidence: (row.confidence * 1000.0).round() / 1000.0,
            tier: row.tier,
            published: row.published,
        }
    }
}

/// A venue whose ratings fell: the plain mean score of the last four trend
/// weeks (this week and the three before) against the four weeks before them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FallingVenue {
    /// Venue id.
    pub venue_id: VenueId,
    /// Venue name.
    pub name: String,
    /// The venue's region.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// Credit tier.
    pub tier: Option<Tier>,
    /// Plain mean score 0–100 of the previous four weeks.
    pub previous_score: f64,
    /// Plain mean score 0–100 of the last four weeks.
    pub recent_score: f64,
    /// How far it fell, in score points.
    pub drop: f64,
    /// Counted ratings in the previous four weeks.
    pub previous_ratings: i64,
    /// Counted ratings in the last four weeks.
    pub recent_ratings: i64,
}

/// A region at a glance: its figures, its child regions, its weakest and
/// fastest-falling venues, today's ratings and what is unresolved.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    /// The region; `null` for the whole country (an admin's default).
    pub region: Option<RegionRef>,
    /// The region's figures; nationally, sums over the provinces (no
    /// national smoothed score, median or percentile is computed).
    #[serde(flatten)]
    pub figures: SliceScore,
    /// Child regions (the provinces, nationally), by code.
    pub children: Vec<ChildRegion>,
    /// Ratings today (Asia/Shanghai): the day aggregates, or Redis's live counters when ahead.
    pub today: i64,
    /// Complaint cases not yet closed.
    pub unresolved_complaints: i64,
    /// Open complaint cases past their due date.
    pub overdue_complaints: i64,
    /// Open complaint cases due within 48 hours.
    pub due_soon_complaints: i64,
    /// Venues in tier C or D.
    pub watch_venues: i64,
    /// Venues' appeals of ratings (申诉复核) waiting for a decision.
    pub pending_appeals: i64,
    /// The 10 lowest-scoring published venues, lowest first.
    pub lowest: Vec<ConsoleVenue>,
    /// The 10 fastest-falling venues, biggest fall first; see [`FallingVenue`].
    pub falling: Vec<FallingVenue>,
    /// Venues in tier C or D, lowest score first (at most 20; `watch_venues` counts all).
    pub watchlist: Vec<ConsoleVenue>,
    /// First day of the previous four-week window of `falling`.
    pub falling_previous_from: NaiveDate,
    /// First day of the last four-week window of `falling`.
    pub falling_recent_from: NaiveDate,
}

/// Query of `GET /api/v1/overview`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// Six-digit region code; the root of the caller's scope when absent.
    pub region: Option<String>,
}

/// The region a supervisor asks for, checked: absent means the root of its
/// scope (`None`, the whole country, for an admin); malformed 422, unknown
/// 404, outside the caller's scope 403.
pub async fn region_in_scope(
    services: &Services,
    principal: &Principal,
    raw: Option<&str>,
) -> Result<Option<Region>, AppError> {
    let regions = services.reference.regions().await?;
    let requested = raw.map(str::trim).filter(|s| !s.is_empty());
    let code = match (requested, &principal.scope) {
        (Some(code), _) => code.to_owned(),
        (None, Scope::Region(root)) => root.clone(),
        (None, Scope::All) => return Ok(None),
        (None, Scope::Venues(_)) => {
            return Err(AppError::forbidden("venue staff have no region"));
        }
    };
    let region = known_region(&regions, &code)?;
    if !principal.scope.covers_region(&regions, &region.code) {
        return Err(AppError::forbidden(format!(
            "region {} is outside your scope",
            region.code
        )));
    }
    Ok(Some(region.clone()))
}

/// The ranking scope and the SQL scope of a region (`None`: the country).
pub async fn region_scopes<'a>(
    services: &Services,
    region: Option<&'a Region>,
) -> Result<(RankingScope<'a>, ScopeFilter), AppError> {
    Ok(match region {
        None => (RankingScope::National, ScopeFilter::everything()),
        Some(r) => {
            let tree = services.reference.regions().await?;
            (
                RankingScope::Region {
                    level: r.level,
                    code: &r.code,
                },
                ScopeFilter::of(&Scope::Region(r.code.to_string()), &tree),
            )
        }
    })
}

/// A region's figures and its children's; nationally the provinces, and
/// figures summed over them.
pub async fn children(
    services: &Services,
    region: Option<&Region>,
) -> Result<(SliceScore, Vec<ChildRegion>), AppError> {
    if let Some(region) = region {
        let body = crate::app::rankings::region_score(services, &region.code).await?;
        return Ok((body.figures, body.children));
    }
    let tree = services.reference.regions().await?;
    let provinces = tree.provinces().to_vec();
    // No region has the empty code: this reads the provinces' own rows only.
    let rows = rankings::region_breakdown(&services.pool, "", &provinces).await?;
    let children: Vec<ChildRegion> = provinces
        .iter()
        .filter_map(|code| tree.get(code))
        .map(|p| ChildRegion {
            region_code: p.code.clone(),
            name_zh: p.name_zh.clone(),
            name_en: p.name_en.clone(),
            level: p.level.key().to_owned(),
            figures: rows
                .iter()
                .find(|r| r.region_code == p.code && r.category == "*")
                .map_or_else(SliceScore::empty, SliceScore::from_stored),
        })
        .collect();
    let mut sum = SliceScore::empty();
    for child in &children {
        let f = &child.figures;
        sum.ratings += f.ratings;
        sum.venues += f.venues;
        sum.published_venues += f.published_venues;
        for (total, n) in sum.score_distribution.iter_mut().zip(&f.score_distribution) {
            *total += n;
        }
        sum.tier_counts = TierCounts {
            a: sum.tier_counts.a + f.tier_counts.a,
            b: sum.tier_counts.b + f.tier_counts.b,
            c: sum.tier_counts.c + f.tier_counts.c,
            d: sum.tier_counts.d + f.tier_counts.d,
        };
    }
    Ok((sum, children))
}

/// The figures of the venues registered directly under `region` rather than
/// in one of its child regions (州直属, 区直属): the row a list of its children
/// needs to add up to the region. `None` nationally, for a region without
/// child regions, and when it has no such venue. Pages only: the JSON lists
/// keep their shape.
pub async fn direct_venues(
    services: &Services,
    region: Option<&Region>,
) -> Result<Option<SliceScore>, AppError> {
    let Some(region) = region else {
        return Ok(None);
    };
    if services
        .reference
        .regions()
        .await?
        .children(&region.code)
        .is_empty()
    {
        return Ok(None);
    }
    let Some(direct) = scores::direct_aggregate(&services.pool, &region.code).await? else {
        return Ok(None);
    };
    let params = services.scores.params();
    // Smoothed towards the region's own prior, as the region's score is.
    let own = rankings::region_breakdown(&services.pool, &region.code, &[]).await?;
    let prior = own
        .iter()
        .find(|r| r.category == "*")
        .and_then(|r| serde_json::from_value::<Prior>(r.prior.clone()).ok())
        .unwrap_or_else(|| {
            prior_or_fallback(params, &WeightedSum::default(), PriorSource::National)
        });
    let overall = Measures::from(&direct.measures).overall;
    let published = direct.ratings_window >= params.min_ratings_to_publish;
    let [a, b, c, d] = direct.tier_counts;
    Ok(Some(SliceScore {
        score: published.then(|| round1(smoothed_0_100(params, &overall, &prior))),
        published,
        ratings: direct.ratings_window,
        venues: direct.venues,
        published_venues: direct.published_venues,
        median: direct.median_0_100.map(round1),
        p10: direct.p10_0_100.map(round1),
        score_distribution: direct.score_distribution.to_vec(),
        tier_counts: TierCounts { a, b, c, d },
    }))
}

/// Today's ratings in a region (or the country): the day aggregates, or the
/// live counters when they are ahead (they count a rating the moment it is
/// stored; the aggregates are the truth a lost counter falls back to).
async fn ratings_today(
    services: &Services,
    region: Option<&Region>,
    scope: &ScopeFilter,
) -> Result<i64, AppError> {
    let today = services.clock.today();
    let codes = match region {
        Some(r) => vec![r.code.to_string()],
        None => services.reference.regions().await?.provinces().to_vec(),
    };
    let stored = console::ratings_on(&services.pool, scope, today).await?;
    // An absent counter is a region without ratings today; Redis down, none.
    let live: i64 = services
        .live
        .regions_today(&codes, today)
        .await
        .map(|counts| counts.into_iter().flatten().sum())
        .unwrap_or(0);
    Ok(stored.max(live))
}

/// The fastest-falling venues of a region.
pub async fn falling(
    services: &Services,
    scope: &ScopeFilter,
    windows: DeclineWindows,
) -> Result<Vec<FallingVenue>, AppError> {
    let rows =
        console::venue_windows(&services.pool, scope, windows, MIN_RATINGS_PER_WINDOW).await?;
    let falls = decline::fastest_falling(
        rows.iter()
            .enumerate()
            .map(|(i, r)| ((r.venue_id, i), r.previous, r.recent)),
        OVERVIEW_LIST_LEN,
    );
    Ok(falls
        .into_iter()
        .filter_map(|((_, i), d, previous, recent)| {
            let r = rows.get(i)?;
            Some(FallingVenue {
                venue_id: r.venue_id,
                name: r.name.clone(),
                region_code: r.region_code.clone(),
                category: r.category.clone(),
                tier: r.tier,
                previous_score: round1(d.previous_0_100),
                recent_score: round1(d.recent_0_100),
                drop: round1(d.drop_0_100),
                previous_ratings: previous.ratings,
                recent_ratings: recent.ratings,
            })
        })
        .collect())
}

/// Everything the overview shows for a region (`None`: the country).
pub async fn overview(services: &Services, region: Option<&Region>) -> Result<Overview, AppError> {
    let (ranking_scope, scope) = region_scopes(services, region).await?;
    let (figures, children) = children(services, region).await?;
    let lowest_filter = RankingFilter {
        published_only: true,
        order: RankingOrder::WorstFirst,
        ..RankingFilter::default()
    };
    let lowest = rankings::filtered_rankings(
        &services.pool,
        ranking_scope,
        &lowest_filter,
        OVERVIEW_LIST_LEN as i64,
        0,
    )
    .await?;
    let tiers = watched_tiers();
    let watch_filter = RankingFilter {
        tiers: &tiers,
        order: RankingOrder::WorstFirst,
        ..RankingFilter::default()
    };
    let watchlist = rankings::filtered_rankings(
        &services.pool,
        ranking_scope,
        &watch_filter,
        WATCHLIST_LEN,
        0,
    )
    .await?;
    let watch_venues =
        rankings::filtered_total(&services.pool, ranking_scope, &watch_filter).await?;
    let windows = DeclineWindows::as_of(services.clock.today());
    let falling = falling(services, &scope, windows).await?;
    let (overdue_complaints, due_soon_complaints) =
        crate::app::cases::clock_counts(services, &scope).await?;
    Ok(Overview {
        region: region.map(RegionRef::from),
        figures,
        children,
        today: ratings_today(services, region, &scope).await?,
        unresolved_complaints: console::unresolved_complaints(&services.pool, &scope).await?,
        overdue_complaints,
        due_soon_complaints,
        watch_venues,
        pending_appeals: crate::app::appeals::pending_count(services, &scope).await?,
        lowest: lowest.into_iter().map(ConsoleVenue::from).collect(),
        falling,
        watchlist: watchlist.into_iter().map(ConsoleVenue::from).collect(),
        falling_previous_from: windows.previous_from,
        falling_recent_from: windows.recent_from,
    })
}

/// A venue the caller may supervise: unknown and out-of-scope venues alike are 404.
pub async fn venue_in_scope(
    services: &Services,
    principal: &Principal,
    venue_id: VenueId,
) -> Result<Venue, AppError> {
    let scope = ScopeFilter::of(&principal.scope, &*services.reference.regions().await?);
    venues::in_scope(&services.pool, venue_id, &scope)
        .await?
        .ok_or(AppError::not_found(Slug::VenueNotFound))
}

/// A venue's ratings: 20 a page unless asked, at most 100.
const RATING_PAGES: PageSize = PageSize::up_to(DEFAULT_PER_PAGE, MAX_PER_PAGE);

/// Query of `GET /api/v1/venues/{id}/ratings`: `page` and `per_page`, each
/// at most once; any other parameter is refused rather than ignored, so a
/// misspelt one cannot pass for a different page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RatingsQuery {
    /// Page, from 1 (default 1).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100000)]
    pub page: Option<String>,
    /// Ratings per page, 1–100 (default 20).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

impl RatingsQuery {
    /// Reads the JSON route's query string; unknown or repeated parameters are a 422.
    pub fn parse(query: &str) -> Result<Self, AppError> {
        serde_html_form::from_str(query).map_err(|e| {
            AppError::new(
                Slug::InvalidQuery,
                format!("give only page and per_page, each at most once ({e})"),
            )
        })
    }

    /// The page, 1 to 100 000, and the page size, 1 to 100.
    pub fn paging(&self) -> Result<Paging, AppError> {
        Paging::parse(
            self.page.as_deref(),
            self.per_page.as_deref(),
            RATING_PAGES,
            Slug::InvalidQuery,
        )
    }
}

/// Page and page size from a console page's query, whose other parameters
/// (its language, its notice) are the page's own.
pub fn parse_paging(query: &str) -> Result<Paging, AppError> {
    /// The paging parameters among a page's others.
    #[derive(Deserialize)]
    struct PagingOnly {
        page: Option<String>,
        per_page: Option<String>,
    }
    let raw: PagingOnly = serde_html_form::from_str(query)
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    RatingsQuery {
        page: raw.page,
        per_page: raw.per_page,
    }
    .paging()
}

/// The rating filter of a console page's query: `stars` (1–5), `day`
/// (`YYYY-MM-DD`), `tag` (a tag key) and `state` (`quarantined` or
/// `counted`); empty ones filter nothing, anything else is refused.
pub fn parse_rating_filter(query: &str) -> Result<RatingFilter, AppError> {
    /// The filter's parameters among a page's others.
    #[derive(Deserialize)]
    struct FilterOnly {
        stars: Option<String>,
        day: Option<String>,
        tag: Option<String>,
        state: Option<String>,
    }
    let raw: FilterOnly = serde_html_form::from_str(query)
        .map_err(|e| AppError::new(Slug::InvalidQuery, e.to_string()))?;
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let refused = |what: &str| AppError::new(Slug::InvalidQuery, format!("{what} is not valid"));
    let stars = given(&raw.stars)
        .map(|v| {
            v.parse::<i16>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| refused("stars"))
        })
        .transpose()?;
    let day = given(&raw.day)
        .map(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| refused("day")))
        .transpose()?;
    let tag = given(&raw.tag)
        .map(|v| {
            Tag::parse(&v)
                .map(|t| t.key().to_owned())
                .map_err(|_| refused("tag"))
        })
        .transpose()?;
    let quarantined = match given(&raw.state).as_deref() {
        None => None,
        Some("quarantined") => Some(true),
        Some("counted") => Some(false),
        Some(_) => return Err(refused("state")),
    };
    Ok(RatingFilter {
        stars,
        day,
        tag,
        quarantined,
    })
}

/// Dimension stars of a rating.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingDimensions {
    /// Service environment, 1–5.
    pub environment: Option<i16>,
    /// Service skill, 1–5.
    pub skill: Option<i16>,
    /// Service attitude, 1–5.
    pub attitude: Option<i16>,
}

/// A rating as a supervisor reviews it; never a device hash or an address.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingReview {
    /// Rating id (for quarantine and release).
    pub id: RatingId,
    /// When it arrived.
    pub created_at: DateTime<Utc>,
    /// Its local (Asia/Shanghai) day.
    pub day: NaiveDate,
    /// Overall stars, 1–5.
    pub overall: i16,
    /// Dimension stars.
    pub dimensions: RatingDimensions,
    /// Tag keys.
    pub tags: Vec<String>,
    /// The visitor's comment.
    pub comment: Option<String>,
    /// Whether it is quarantined (counts in no score).
    pub quarantined: bool,
    /// Since when.
    pub quarantined_at: Option<DateTime<Utc>>,
    /// Why.
    pub quarantine_reason: Option<String>,
}

/// A page of a venue's ratings.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingReviewPage {
    /// Venue id.
    pub venue_id: VenueId,
    /// Ratings, newest first.
    pub items: Vec<RatingReview>,
    /// This page, from 1.
    pub page: i64,
    /// Ratings per page.
    pub per_page: i64,
    /// The venue's ratings, quarantined ones included.
    pub total: i64,
}

/// A page of a venue's ratings, newest first, read within the caller's
/// scope (a venue outside it has none; callers answer 404 for it first).
pub async fn ratings(
    services: &Services,
    venue_id: VenueId,
    scope: &ScopeFilter,
    filter: &RatingFilter,
    paging: Paging,
) -> Result<RatingReviewPage, AppError> {
    let Paging { page, per_page } = paging;
    let rows = console::venue_ratings(
        &services.pool,
        venue_id,
        scope,
        filter,
        per_page,
        paging.offset(),
    )
    .await?;
    let total = console::venue_rating_total(&services.pool, venue_id, scope, filter).await?;
    Ok(RatingReviewPage {
        venue_id,
        items: rows
            .into_iter()
            .map(|r| RatingReview {
                id: r.id,
                created_at: r.created_at,
                day: r.day,
                overall: r.overall,
                dimensions: RatingDimensions {
                    environment: r.environment,
                    skill: r.skill,
                    attitude: r.attitude,
                },
                tags: r.tags,
                comment: r.comment,
                quarantined: r.quarantined_at.is_some(),
                quarantined_at: r.quarantined_at,
                quarantine_reason: r.quarantine_reason,
            })
            .collect(),
        page,
        per_page,
        total,
    })
}
