//! A venue at a glance for the people who answer for it: score, confidence,
//! ranks, tier with reasons, trend, dimensions, tags, today's count, what the
//! venue publishes, and its QR code.
//!
//! [`load_venue_overview`] loads through the same functions as the JSON
//! routes (cut to a scope), [`venue_panels`] formats it for a language, and
//! two includes render it: `dashboard_venue_panels.html` (the measures and
//! the QR code) and `dashboard_venue_profile.html` (commitment and Chief
//! Quality Officer, read-only). Any signed-in page can show them: give its
//! template a `panels: VenuePanels` field (and `chrome`), then include them.

use crate::app::scores::{self, VenueScore};
use crate::domain::credit::Tier;
use crate::domain::day::local_day;
use crate::domain::ids::VenueId;
use crate::domain::rating::Tag;
use crate::domain::scoring::ScoringParams;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::pages::public::{
    NO_VALUE, Reference, confidence_short, rank_text, region_line, score_text, tier_view,
    trend_description, trend_svg,
};
use crate::i18n::{Lang, Messages, messages};
use crate::store::ScopeFilter;
use crate::store::dashboard::{self, Commitment, QualityOfficerRecord};
use crate::store::quality_officers::{self, EvaluationRow};
use crate::store::venues::{self, Venue};

/// Everything the panels show of one venue, as loaded.
#[derive(Debug)]
pub struct VenueOverview {
    /// The venue with its live code.
    pub venue: Venue,
    /// Its score, as `GET /api/v1/venues/{id}/score` answers it.
    pub score: VenueScore,
    /// Its published commitment.
    pub commitment: Option<Commitment>,
    /// Its Chief Quality Officer, in any filing status.
    pub officer: Option<QualityOfficerRecord>,
    /// The officer's yearly evaluations, latest year first.
    pub evaluations: Vec<EvaluationRow>,
}

/// Loads a venue's overview; a venue outside `scope` is not found.
pub async fn load_venue_overview(
    state: &AppState,
    scope: &ScopeFilter,
    venue_id: VenueId,
) -> Result<VenueOverview, ApiError> {
    let venue = venues::in_scope(&state.pool, venue_id, scope)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let score = scores::venue_score(state, venue_id).await?;
    let commitment = dashboard::commitment(&state.pool, venue_id).await?;
    let officer = dashboard::quality_officer(&state.pool, venue_id).await?;
    let evaluations = quality_officers::evaluations(&state.pool, venue_id).await?;
    Ok(VenueOverview {
        venue,
        score,
        commitment,
        officer,
        evaluations,
    })
}

/// A rank within the category in one region.
pub struct RankLine {
    /// The region's name.
    pub region: String,
    /// "第 3 / 12" or "3rd of 12".
    pub rank: String,
}

/// A labelled figure.
pub struct MeasureLine {
    /// What it is.
    pub label: &'static str,
    /// The figure, or a dash.
    pub value: String,
}

/// A quick tag with how often it was chosen.
pub struct TagLine {
    /// Its label.
    pub label: &'static str,
    /// Times chosen in the window.
    pub count: i64,
    /// `positive`, `negative` or `red-flag`, for its look.
    pub class: &'static str,
}

/// A credit tier badge.
pub struct TierBadge {
    /// The letter, A to D.
    pub letter: &'static str,
    /// The tier's name.
    pub name: &'static str,
    /// What a screen reader says for it.
    pub sr: String,
}

/// The published commitment.
pub struct CommitmentPanel {
    /// The text, paragraph by paragraph.
    pub paragraphs: Vec<String>,
    /// When it was published and last changed.
    pub status: String,
}

/// The Chief Quality Officer.
pub struct OfficerPanel {
    /// Name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Appointment date.
    pub appointed_on: String,
    /// Training hours.
    pub training_hours: String,
    /// Filing status, in words.
    pub status: &'static str,
    /// Whether the filing is registered (what the tier rules count).
    pub registered: bool,
    /// The yearly evaluations, latest first: "2026 · Excellent · reasons".
    pub evaluations: Vec<String>,
}

/// A venue's panels, formatted for one language; field names are the includes'.
pub struct VenuePanels {
    /// Venue id.
    pub venue_id: VenueId,
    /// Name.
    pub name: String,
    /// Category and region in words.
    pub meta: String,
    /// The live code.
    pub code: String,
    /// The public venue page.
    pub public_href: String,
    /// The published score; `None` while not published.
    pub score: Option<String>,
    /// Why no score is shown yet.
    pub unpublished: String,
    /// Ratings in the window.
    pub ratings: String,
    /// Ratings today.
    pub today: i64,
    /// The confidence bound, once there are ratings.
    pub confidence: Option<String>,
    /// The tier badge.
    pub tier: Option<TierBadge>,
    /// Why the tier is what it is.
    pub tier_reasons: Vec<String>,
    /// Set by the regulator, with the day the rules apply again.
    pub tier_override_note: Option<String>,
    /// The rule set that graded it.
    pub rules_version: Option<String>,
    /// Ranks in the prefecture and the province.
    pub ranks: Vec<RankLine>,
    /// Environment, skill, attitude.
    pub dimensions: Vec<MeasureLine>,
    /// The 26-week trend as inline SVG.
    pub trend_svg: String,
    /// Tags, most chosen first.
    pub tags: Vec<TagLine>,
    /// The commitment, if published.
    pub commitment: Option<CommitmentPanel>,
    /// The Chief Quality Officer, if any.
    pub officer: Option<OfficerPanel>,
    /// Alternative text of the QR image.
    pub qr_alt: String,
    /// The QR code as SVG (the image on the page).
    pub qr_svg_href: String,
    /// The QR code as a large PNG, to download.
    pub qr_png_href: String,
    /// The printable A4 poster.
    pub poster_a4_href: String,
    /// The printable A5 poster.
    pub poster_a5_href: String,
}

/// The filing status of an officer, in words.
pub fn registration_label(m: &'static Messages, status: &str) -> &'static str {
    let texts = &m.dashboard;
    match status {
        "registered" => &texts.status_registered,
        "pending" => &texts.status_pending,
        "refused" => &m.quality_officers.status_refused,
        _ => &texts.status_unregistered,
    }
}

fn tag_lines(m: &'static Messages, score: &VenueScore) -> Vec<TagLine> {
    let mut tags: Vec<TagLine> = score
        .tags
        .iter()
        .filter(|(_, count)| **count > 0)
        .filter_map(|(key, count)| {
            let tag = Tag::parse(key).ok()?;
            let class = if tag.is_red_flag() {
                "red-flag"
            } else if tag.is_positive() {
                "positive"
            } else {
                "negative"
            };
            Some(TagLine {
                label: m.tag_label(tag),
                count: *count,
                class,
            })
        })
        .collect();
    tags.sort_by_key(|tag| std::cmp::Reverse(tag.count));
    tags
}

/// Formats a venue's overview for `lang`.
pub fn venue_panels(
    lang: Lang,
    overview: &VenueOverview,
    reference: &Reference,
    params: &ScoringParams,
) -> VenuePanels {
    let m = messages(lang);
    let (venue, score) = (&overview.venue, &overview.score);
    let texts = &m.venue_page;
    let category = reference
        .category_name(lang, &venue.category)
        .unwrap_or(&venue.category);
    // Never a number that is not published, not even a dimension.
    let published = score.published && score.score.is_some();
    let shown = |value: Option<f64>| match value {
        Some(v) if published => score_text(v),
        _ => NO_VALUE.to_owned(),
    };
    let trend_desc = trend_description(m, &score.trend);
    let id = venue.id;
    VenuePanels {
        venue_id: id,
        name: venue.name.clone(),
        meta: format!(
            "{category} · {}",
            region_line(lang, reference, &venue.region_code)
        ),
        code: venue.code.clone(),
        public_href: format!("/v/{id}?lang={}", lang.tag()),
        score: published.then(|| shown(score.score)),
        unpublished: texts
            .unpublished_body
            .replace("{min}", &params.min_ratings_to_publish.to_string())
            .replace("{window}", &params.publish_window_days.to_string())
            .replace("{count}", &score.ratings.to_string()),
        ratings: texts
            .ratings
            .replace("{count}", &score.ratings.to_string())
            .replace("{window}", &params.publish_window_days.to_string()),
        today: score.today,
        confidence: (score.ratings > 0).then(|| confidence_short(m, score.confidence)),
        tier: tier_view(m, score.tier.map(Tier::letter)).map(|t| TierBadge {
            letter: t.letter,
            name: t.name,
            sr: t.sr,
        }),
        tier_reasons: score
            .tier_reasons
            .iter()
            .map(|r| lang.pick(&r.zh, &r.en).to_owned())
            .collect(),
        tier_override_note: score.tier_override.as_ref().map(|o| {
            m.tier_override
                .public_note
                .replace("{ends_on}", &o.ends_on.to_string())
        }),
        rules_version: score
            .rule_set_version
            .as_deref()
            .map(|v| texts.tier_rules_version.replace("{version}", v)),
        ranks: [&score.rank.prefecture, &score.rank.province]
            .into_iter()
            .flatten()
            .map(|rank| RankLine {
                region: reference
                    .region_name(lang, &rank.region_code)
                    .unwrap_or(&rank.region_code)
                    .to_owned(),
                rank: rank_text(m, rank.rank, rank.of),
            })
            .collect(),
        dimensions: vec![
            MeasureLine {
                label: &m.rating.environment,
                value: shown(score.dimensions.environment),
            },
            MeasureLine {
                label: &m.rating.skill,
                value: shown(score.dimensions.skill),
            },
            MeasureLine {
                label: &m.rating.attitude,
                value: shown(score.dimensions.attitude),
            },
        ],
        trend_svg: trend_svg(&score.trend, &texts.trend_title, &trend_desc),
        tags: tag_lines(m, score),
        commitment: overview.commitment.as_ref().map(|c| CommitmentPanel {
            paragraphs: c
                .text
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty())
                .map(str::to_owned)
                .collect(),
            status: m
                .dashboard
                .commitment_published
                .replace("{date}", &local_day(c.published_at).to_string())
                .replace("{updated}", &local_day(c.updated_at).to_string()),
        }),
        officer: overview.officer.as_ref().map(|o| OfficerPanel {
            name: o.name.clone(),
            position: o.position.clone(),
            appointed_on: o.appointed_on.to_string(),
            training_hours: format!("{:.1}", o.training_hours),
            status: registration_label(m, &o.registration_status),
            registered: o.registered(),
            evaluations: overview
                .evaluations
                .iter()
                .map(|e| {
                    format!(
                        "{} · {} · {}",
                        e.year,
                        m.quality_officers.grade(&e.grade),
                        e.reasons
                    )
                })
                .collect(),
        }),
        qr_alt: m.dashboard.qr_alt.replace("{name}", &venue.name),
        qr_svg_href: format!("/api/v1/venues/{id}/qr.svg?size=512"),
        qr_png_href: format!("/api/v1/venues/{id}/qr.png?size=1024"),
        poster_a4_href: format!("/dashboard/venues/{id}/poster?size=a4&lang={}", lang.tag()),
        poster_a5_href: format!("/dashboard/venues/{id}/poster?size=a5&lang={}", lang.tag()),
    }
}
