//! `GET /api/v1/venues/{id}/score`: what the venue's ratings add up to.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::venues::parse_id;
use crate::domain::day::local_day;
use crate::domain::scoring::{Histogram, MIN_RATINGS_TO_PUBLISH, mean_from_sum_0_100, round1};
use crate::error::ApiError;
use crate::store::{stats, venues};

/// Ratings older than this many days do not count.
const WINDOW_DAYS: i64 = 365;

/// Dimension scores, 0–100, `null` without ratings for that dimension.
#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionScores {
    /// Service environment.
    pub environment: Option<f64>,
    /// Service skill.
    pub skill: Option<f64>,
    /// Service attitude.
    pub attitude: Option<f64>,
}

/// A venue's score.
#[derive(Debug, Serialize, ToSchema)]
pub struct VenueScore {
    /// Venue id.
    pub venue_id: i64,
    /// Whether the score is published (at least 5 ratings in 365 days).
    pub published: bool,
    /// 0–100, or `null` while not published ("not enough ratings yet").
    pub score: Option<f64>,
    /// Wilson lower bound (95 %) of the share of 4★ and 5★ ratings, 0–1.
    pub confidence: f64,
    /// Counted ratings in the last 365 days.
    pub ratings: i64,
    /// Counts of 1★..5★.
    pub histogram: [i64; 5],
    /// Dimension scores.
    pub dimensions: DimensionScores,
    /// Tag counts.
    pub tags: BTreeMap<String, i64>,
    /// Ratings today (Asia/Shanghai), from the live counters when Redis is up.
    pub today: i64,
    /// Credit tier "A".."D", `null` before the first grading.
    pub tier: Option<String>,
    /// Why the tier is what it is.
    pub tier_reasons: Vec<String>,
    /// How `score` was computed: currently the plain mean of the star values.
    pub method: &'static str,
}

/// A venue's current score.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/score", tag = "scores",
    params(("id" = i64, Path, description = "Venue id")),
    responses((status = 200, body = VenueScore), (status = 404, description = "Unknown venue"), (status = 503, description = "Database unavailable"))
)]
pub async fn venue_score(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&path)?;
    venues::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let today = local_day(Utc::now());
    let since = today - Duration::days(WINDOW_DAYS - 1);
    let totals = stats::venue_totals(&state.pool, id, since, today).await?;
    let histogram = Histogram(totals.overall_hist);
    let ratings = histogram.total();
    let published = ratings >= MIN_RATINGS_TO_PUBLISH;
    let live_today = state.live.venue_today(id, today).await.ok().flatten();
    let dim = |(count, sum): (i64, i64)| mean_from_sum_0_100(count, sum).map(round1);
    Ok(HttpResponse::Ok().json(VenueScore {
        venue_id: id,
        published,
        score: if published {
            histogram.mean_score_0_100().map(round1)
        } else {
            None
        },
        confidence: (histogram.confidence() * 1000.0).round() / 1000.0,
        ratings,
        histogram: histogram.0,
        dimensions: DimensionScores {
            environment: dim(totals.environment),
            skill: dim(totals.skill),
            attitude: dim(totals.attitude),
        },
        tags: totals.tags.into_iter().collect(),
        // Postgres is the truth; a live counter lower than it was reset or lost.
        today: live_today.map_or(totals.today, |live| live.max(totals.today)),
        tier: None,
        tier_reasons: Vec::new(),
        method: "plain_mean",
    }))
}
