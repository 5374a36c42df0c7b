//! The venue page, `/v/{id}`: one venue's score, confidence, tier, ranks,
//! dimensions, star histogram, weekly trend and tags, and what the venue
//! itself publishes: its commitment, its registered Chief Quality Officer and
//! its replies to the newest comments (by day, never the time).
//!
//! Past 500 lines only because its rendering tests sit beside the view they pin down.

use crate::domain::credit::Tier;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::AppError;
use crate::app::path_ids::parse_id;
use crate::app::scores::VenueScore;
use crate::app::venue_views;
use crate::config::Imprint;
use crate::domain::rating::Tag;
use crate::domain::scoring::ScoringParams;
use crate::http::AppState;
use crate::http::html::local_time;
use crate::http::pages::public::chart::{trend_description, trend_svg};
use crate::http::pages::public::error_page::{PublicError, error_response, failure};
use crate::http::pages::public::{
    Chrome, NO_VALUE, NavLinks, Reference, TierView, confidence_pct, confidence_short, href, html,
    page_language, rank_text, render_document, score_text, tier_view,
};
use crate::i18n::{Lang, Messages, messages};
use crate::store::dashboard::PublicProfile;
use crate::store::venues::PublicVenue;

/// Characters of comments and replies the page shows at most (the newest
/// comment always shows): with the commitment's bound it keeps the page
/// within its size budget whatever visitors write.
const RECENT_COMMENT_CHARS: usize = 1500;

/// One row of the star histogram, 5★ first.
pub(crate) struct HistogramRow {
    pub(crate) stars: u8,
    pub(crate) sr: String,
    pub(crate) count: i64,
    /// Share of all ratings in whole percent, the bar's width.
    pub(crate) pct: i64,
}

/// One measured week of the trend, for the table under the chart.
struct TrendRow {
    week_start: String,
    ratings: i64,
    score: String,
}

/// The confidence as a figure and as a sentence that explains it.
struct ConfidenceView {
    figure: String,
    sentence: String,
}

struct DimensionRow {
    label: &'static str,
    value: String,
}

struct RankRow {
    region: String,
    rank: String,
}

struct TagCount {
    label: &'static str,
    count: i64,
}

/// The venue's commitment as paragraphs, with when it was published.
struct CommitmentView {
    paragraphs: Vec<String>,
    since: String,
}

/// A comment on the public page: stars, text and the venue's reply.
struct PublicComment {
    stars: String,
    stars_sr: String,
    text: String,
    reply: Option<String>,
}

/// The comments of one day.
struct PublicCommentDay {
    day: String,
    comments: Vec<PublicComment>,
}

#[derive(Template)]
#[template(path = "venue.html")]
struct VenuePageView<'a> {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    name: &'a str,
    meta: String,
    score: Option<String>,
    unpublished: String,
    ratings: String,
    confidence: Option<ConfidenceView>,
    updated: Option<String>,
    tier: Option<TierView>,
    tier_reasons: Vec<&'a str>,
    /// Set by the regulator, with the day the rules apply again.
    tier_override_note: Option<String>,
    rules_version: Option<String>,
    ranks: Vec<RankRow>,
    ranking_href: String,
    ranking_text: String,
    dimensions: Vec<DimensionRow>,
    histogram: Vec<HistogramRow>,
    trend_svg: String,
    trend_rows: Vec<TrendRow>,
    tags: Vec<TagCount>,
    commitment: Option<CommitmentView>,
    officer: Option<String>,
    comment_days: Vec<PublicCommentDay>,
    inspections: Vec<InspectionRow>,
}

/// One published inspection (一公开, regulators' requirements clause 25):
/// its day, checklist and result, never who inspected.
struct InspectionRow {
    day: String,
    checklist: String,
    passed: bool,
    result: &'static str,
}

/// The venue's region and the regions above it, nearest first, without the province.
pub(crate) fn region_line(lang: Lang, reference: &Reference, code: &str) -> String {
    let ancestors = reference.regions.ancestors(code);
    let names: Vec<&str> = ancestors
        .iter()
        .filter(|r| r.parent_code.is_some() || ancestors.len() == 1)
        .map(|r| lang.pick(&r.name_zh, &r.name_en))
        .collect();
    if names.is_empty() {
        code.to_owned()
    } else {
        names.join(" · ")
    }
}

/// The region the venue's ranking link opens: its prefecture, else its province.
fn ranking_region(reference: &Reference, score: &VenueScore, region_code: &str) -> Option<String> {
    if let Some(rank) = &score.rank.prefecture {
        return Some(rank.region_code.to_string());
    }
    let path = reference.regions.path(region_code)?;
    Some(path.prefecture.unwrap_or(path.province))
}

/// The star histogram as rows with bar widths, 5★ first.
pub(crate) fn histogram_rows(m: &Messages, histogram: &[i64; 5]) -> Vec<HistogramRow> {
    let total: i64 = histogram.iter().sum();
    (1u8..=5)
        .rev()
        .map(|stars| {
            let count = histogram[usize::from(stars - 1)];
            HistogramRow {
                stars,
                sr: m.rating.stars_sr.replace("{n}", &stars.to_string()),
                count,
                pct: if total > 0 {
                    (count * 100 + total / 2) / total
                } else {
                    0
                },
            }
        })
        .collect()
}

fn tag_counts(m: &'static Messages, score: &VenueScore) -> Vec<TagCount> {
    let mut tags: Vec<TagCount> = score
        .tags
        .iter()
        .filter(|(_, count)| **count > 0)
        .filter_map(|(key, count)| {
            Some(TagCount {
                label: m.tag_label(Tag::parse(key).ok()?),
                count: *count,
            })
        })
        .collect();
    tags.sort_by_key(|tag| std::cmp::Reverse(tag.count));
    tags
}

/// What the venue publishes, ready for the page.
fn profile_views(
    m: &'static Messages,
    profile: &PublicProfile,
) -> (
    Option<CommitmentView>,
    Option<String>,
    Vec<PublicCommentDay>,
) {
    let texts = &m.dashboard;
    let commitment = profile.commitment.as_ref().map(|c| CommitmentView {
        paragraphs: c
            .text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect(),
        since: texts.public_commitment_since.replace(
            "{date}",
            &crate::domain::day::local_day(c.published_at).to_string(),
        ),
    });
    // Only a confirmed filing is public; the store already filters, this keeps the page honest.
    let officer = profile
        .officer
        .as_ref()
        .filter(|o| o.registered())
        .map(|o| {
            texts
                .public_officer
                .replace("{position}", &o.position)
                .replace("{name}", &o.name)
        });
    let mut comment_days: Vec<PublicCommentDay> = Vec::new();
    let mut chars = 0;
    'days: for day in &profile.recent_comments {
        for c in &day.comments {
            chars +=
                c.text.chars().count() + c.reply.as_ref().map_or(0, |r| r.body.chars().count());
            if chars > RECENT_COMMENT_CHARS && !comment_days.is_empty() {
                break 'days;
            }
            let shown = PublicComment {
                stars: format!("{}★", c.overall),
                stars_sr: m.rating.stars_sr.replace("{n}", &c.overall.to_string()),
                text: c.text.clone(),
                reply: c.reply.as_ref().map(|r| r.body.clone()),
            };
            match comment_days.last_mut() {
                Some(last) if last.day == day.day.to_string() => last.comments.push(shown),
                _ => comment_days.push(PublicCommentDay {
                    day: day.day.to_string(),
                    comments: vec![shown],
                }),
            }
        }
    }
    (commitment, officer, comment_days)
}

/// The public page of one venue, `GET /v/{id}`.
pub fn venue_page(
    lang: Lang,
    venue: &PublicVenue,
    score: &VenueScore,
    params: &ScoringParams,
    reference: &Reference,
    profile: &PublicProfile,
    imprint: &Imprint,
) -> String {
    let m = messages(lang);
    let texts = &m.venue_page;
    let category = reference
        .category_name(lang, &venue.category)
        .unwrap_or(&venue.category);
    let meta = format!(
        "{category} · {}",
        region_line(lang, reference, &venue.region_code)
    );
    // Never a number that is not published, not even a dimension.
    let published = score.published && score.score.is_some();
    let shown = |value: Option<f64>| match value {
        Some(v) if published => score_text(v),
        _ => NO_VALUE.to_owned(),
    };
    let mut ratings = texts
        .ratings
        .replace("{count}", &score.ratings.to_string())
        .replace("{window}", &params.publish_window_days.to_string());
    if score.today > 0 {
        ratings.push_str(" · ");
        ratings.push_str(&texts.today.replace("{count}", &score.today.to_string()));
    }
    let ranks = [&score.rank.prefecture, &score.rank.province]
        .into_iter()
        .flatten()
        .map(|rank| RankRow {
            region: reference
                .region_name(lang, &rank.region_code)
                .unwrap_or(&rank.region_code)
                .to_owned(),
            rank: rank_text(m, rank.rank, rank.of),
        })
        .collect();
    let ranking_code = ranking_region(reference, score, &venue.region_code);
    let ranking_region_name = ranking_code
        .as_deref()
        .and_then(|code| reference.region_name(lang, code))
        .unwrap_or_default();
    let mut ranking_query = vec![("category".to_owned(), venue.category.clone())];
    if let Some(code) = &ranking_code {
        ranking_query.insert(0, ("region".to_owned(), code.clone()));
    }
    let trend_label = &texts.trend_title;
    let trend_desc = trend_description(m, &score.trend);
    let (commitment, officer, comment_days) = profile_views(m, profile);
    render_document(&VenuePageView {
        chrome: Chrome::new(
            lang,
            format!("{} · {}", venue.name, texts.title),
            &format!("/v/{}", venue.id),
            &[],
        )
        .with_imprint(imprint),
        m,
        nav: NavLinks::new(m),
        name: &venue.name,
        meta,
        score: published.then(|| shown(score.score)),
        unpublished: texts
            .unpublished_body
            .replace("{min}", &params.min_ratings_to_publish.to_string())
            .replace("{window}", &params.publish_window_days.to_string())
            .replace("{count}", &score.ratings.to_string()),
        ratings,
        confidence: (score.ratings > 0).then(|| ConfidenceView {
            figure: confidence_short(m, score.confidence),
            sentence: texts
                .confidence_body
                .replace("{pct}", &confidence_pct(score.confidence).to_string()),
        }),
        updated: score
            .computed_at
            .map(|at| texts.updated.replace("{time}", &local_time(at))),
        tier: tier_view(m, score.tier.map(Tier::letter)),
        tier_reasons: score
            .tier_reasons
            .iter()
            .map(|r| lang.pick(&r.zh, &r.en))
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
        ranks,
        ranking_href: href("/rankings", &ranking_query, None),
        ranking_text: texts
            .ranking_link
            .replace("{category}", category)
            .replace("{region}", ranking_region_name),
        dimensions: vec![
            DimensionRow {
                label: &m.rating.environment,
                value: shown(score.dimensions.environment),
            },
            DimensionRow {
                label: &m.rating.skill,
                value: shown(score.dimensions.skill),
            },
            DimensionRow {
                label: &m.rating.attitude,
                value: shown(score.dimensions.attitude),
            },
        ],
        histogram: histogram_rows(m, &score.histogram),
        trend_svg: trend_svg(&score.trend, trend_label, &trend_desc),
        trend_rows: score
            .trend
            .iter()
            .filter(|w| w.ratings > 0)
            .map(|w| TrendRow {
                week_start: w.week_start.to_string(),
                ratings: w.ratings,
                score: w.score.map_or_else(|| NO_VALUE.to_owned(), score_text),
            })
            .collect(),
        tags: tag_counts(m, score),
        commitment,
        officer,
        comment_days,
        inspections: profile
            .inspections
            .iter()
            .map(|i| InspectionRow {
                day: i.inspected_on.to_string(),
                checklist: i
                    .checklist_version
                    .clone()
                    .unwrap_or_else(|| NO_VALUE.to_owned()),
                passed: i.passed,
                result: if i.passed {
                    &texts.inspection_passed
                } else {
                    &texts.inspection_failed
                },
            })
            .collect(),
    })
}

/// `GET /v/{id}`: a venue's public score page.
pub async fn venue(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let Ok(id) = parse_id(&path) else {
        return error_response(&state, lang, PublicError::VenueNotFound);
    };
    let loaded = async {
        let page = venue_views::page(&state, id).await?;
        let score = venue_views::score(&state, id).await?;
        let regions = state.reference.regions().await?;
        let categories = state.reference.categories().await?;
        Ok::<_, AppError>((page, score, regions, categories))
    }
    .await;
    match loaded {
        Ok((page, score, regions, categories)) => {
            let reference = Reference {
                regions: &regions,
                categories: &categories,
            };
            let body = venue_page(
                lang,
                &page.venue,
                &score,
                state.scores.params(),
                &reference,
                &page.profile,
                &state.settings.imprint,
            );
            html(&state, lang, chosen, StatusCode::OK, body)
        }
        Err(err) => failure(&state, lang, err, PublicError::VenueNotFound),
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::ids::{RatingId, VenueId};
    use std::collections::BTreeMap;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::app::scores::{DimensionScores, Ranks, RegionRank, TierReason};
    use crate::http::html::assert_language_switch;
    use crate::http::pages::public::test_support::{
        assert_page_basics, categories, regions, trend,
    };

    fn venue() -> PublicVenue {
        PublicVenue {
            id: VenueId::new(42),
            name: "孔雀河酒店".into(),
            address: None,
            region_code: "652801".into(),
            category: "hotel".into(),
            created_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            closed_at: None,
        }
    }

    fn published_score() -> VenueScore {
        VenueScore {
            venue_id: VenueId::new(42),
            published: true,
            score: Some(71.7),
            confidence: 0.376,
            ratings: 5,
            histogram: [0, 1, 0, 2, 2],
            dimensions: DimensionScores {
                environment: None,
                skill: Some(66.0),
                attitude: Some(78.6),
            },
            tags: BTreeMap::from([("clean".to_owned(), 3), ("long_wait".to_owned(), 1)]),
            today: 5,
            tier: Some(Tier::B),
            tier_reasons: vec![TierReason {
                input: "score".into(),
                en: "score 71.7 < 85".into(),
                zh: "评分 71.7 < 85".into(),
            }],
            tier_source: crate::domain::tier_override::TierSource::Rules,
            computed_tier: None,
            tier_override: None,
            rule_set_version: Some("default-2026.2".into()),
            rank: Ranks {
                prefecture: Some(RegionRank {
                    region_code: "652800".into(),
                    rank: 3,
                    of: 12,
                }),
                province: Some(RegionRank {
                    region_code: "650000".into(),
                    rank: 21,
                    of: 40,
                }),
            },
            trend: trend(),
            priors: serde_json::Value::Null,
            method: "age_weighted_smoothed_mean",
            computed_at: Some(Utc.with_ymd_and_hms(2026, 6, 1, 4, 30, 0).unwrap()),
        }
    }

    fn unpublished_score() -> VenueScore {
        VenueScore {
            published: false,
            score: None,
            ratings: 4,
            histogram: [0, 1, 0, 2, 1],
            // A stray stored dimension must still not be shown while unpublished.
            dimensions: DimensionScores {
                environment: Some(90.0),
                skill: None,
                attitude: None,
            },
            rank: Ranks {
                prefecture: None,
                province: None,
            },
            tier_reasons: vec![TierReason {
                input: "score".into(),
                en: "not enough ratings yet".into(),
                zh: "评分样本不足".into(),
            }],
            ..published_score()
        }
    }

    fn render_venue(lang: Lang, score: &VenueScore) -> String {
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        venue_page(
            lang,
            &venue(),
            score,
            &ScoringParams::default(),
            &reference,
            &PublicProfile::default(),
            &Imprint::default(),
        )
    }

    #[test]
    fn a_published_venue_shows_its_score_tier_ranks_and_chart() {
        let zh = render_venue(Lang::Zh, &published_score());
        let en = render_venue(Lang::En, &published_score());
        for lang in Lang::ALL {
            let html = &render_venue(lang, &published_score());
            assert_page_basics(html, lang);
            assert!(html.contains("<span class=\"big\">71.7</span>"));
            assert!(html.contains("<span class=\"tier tier-B\">B</span>"));
            assert!(html.contains("<svg class=\"trend\""));
            assert!(!html.contains(&messages(lang).public.not_enough));
            assert!(html.contains("href=\"/rankings?region=652800&#38;category=hotel\""));
            assert!(html.contains("href=\"/about/scores\""));
            assert_language_switch(html, lang, |other| format!("/v/42?lang={}", other.tag()));
            // Bars carry their counts as text, not only as length.
            assert!(html.contains("style=\"width:40%\"></span></span><span class=\"n\">2</span>"));
        }
        assert!(zh.contains("孔雀河酒店"));
        assert!(zh.contains("星级饭店 · 库尔勒市 · 巴音郭楞蒙古自治州"));
        assert!(zh.contains("第 3 / 12"));
        assert!(zh.contains("第 21 / 40"));
        assert!(zh.contains("评分 71.7 &#60; 85"));
        assert!(zh.contains("良好"));
        assert!(zh.contains("至少 37% 的游客"));
        assert!(zh.contains("近 365 天共 5 条评价 · 今日 5 条"));
        assert!(
            zh.contains("更新于 2026-06-01 12:30"),
            "shown in Beijing time"
        );
        assert!(en.contains("3rd of 12"));
        assert!(en.contains("21st of 40"));
        assert!(en.contains("score 71.7 &#60; 85"));
        assert!(en.contains("Hotel ranking in Bayingolin"));
        assert!(en.contains("at least 37 % of visitors"));
        assert!(en.contains("Clean <span class=\"n\">3</span>"));
        // Environment has no ratings: a dash, not a number.
        assert!(en.contains("<th scope=\"row\">Environment</th><td class=\"num\">—</td>"));
        assert!(en.contains("<th scope=\"row\">Staff attitude</th><td class=\"num\">78.6</td>"));
    }

    #[test]
    fn an_unpublished_venue_never_shows_a_number() {
        for lang in Lang::ALL {
            let html = render_venue(lang, &unpublished_score());
            assert_page_basics(&html, lang);
            assert!(html.contains(&messages(lang).public.not_enough));
            assert!(!html.contains("class=\"big\""));
            assert!(!html.contains("71.7"));
            assert!(!html.contains("90.0"), "no dimension either");
            assert!(html.contains(&messages(lang).venue_page.rank_none));
            // Still links to the ranking of its prefecture, found from the tree.
            assert!(html.contains("/rankings?region=652800&#38;category=hotel"));
        }
        assert!(render_venue(Lang::Zh, &unpublished_score()).contains("暂无足够评价"));
        assert!(render_venue(Lang::En, &unpublished_score()).contains("Not enough ratings yet"));
        let html = render_venue(Lang::En, &unpublished_score());
        assert!(html.contains("at least 5 ratings in the last 365 days. This venue has 4."));
    }

    #[test]
    fn the_venues_commitment_officer_and_replies_show_by_day() {
        use chrono::NaiveDate;

        use crate::store::dashboard::{
            CommentDay, Commitment, PublishedReply, QualityOfficerRecord, VenueComment,
        };

        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 3, 0, 0).unwrap();
        let mut profile = PublicProfile {
            commitment: Some(Commitment {
                venue_id: VenueId::new(42),
                text: "明码标价\n\n热情服务".into(),
                published_at: at,
                updated_at: at,
            }),
            officer: Some(QualityOfficerRecord {
                venue_id: VenueId::new(42),
                name: "王芳".into(),
                position: "质量总监".into(),
                appointed_on: day,
                training_hours: 12.5,
                registration_status: "registered".into(),
                updated_at: at,
            }),
            recent_comments: vec![CommentDay {
                day,
                comments: vec![VenueComment {
                    rating_id: RatingId::new(1),
                    day,
                    overall: 4,
                    tags: Vec::new(),
                    text: "早餐<很好>".into(),
                    reply: Some(PublishedReply {
                        body: "谢谢您的建议".into(),
                        replied_on: day,
                    }),
                }],
            }],
            inspections: vec![crate::store::inspections::PublishedInspection {
                inspected_on: day,
                checklist_version: Some("2026-12".into()),
                passed: false,
            }],
        };
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        let render = |lang, profile: &PublicProfile| {
            venue_page(
                lang,
                &venue(),
                &published_score(),
                &ScoringParams::default(),
                &reference,
                profile,
                &Imprint::default(),
            )
        };
        let zh = render(Lang::Zh, &profile);
        assert_page_basics(&zh, Lang::Zh);
        assert!(zh.contains("<p>明码标价</p><p>热情服务</p>"));
        assert!(zh.contains("发布于 2026-11-01"));
        assert!(zh.contains("首席质量官：王芳，质量总监"));
        assert!(zh.contains("<h3>2026-11-24</h3>"));
        assert!(zh.contains("早餐&#60;很好&#62;"));
        assert!(zh.contains("场所回复"));
        assert!(zh.contains("谢谢您的建议"));
        let en = render(Lang::En, &profile);
        assert!(en.contains("Reply from the venue"));
        assert!(en.contains("Chief Quality Officer: 王芳, 质量总监"));
        // Long comments: the newest always shows, the rest only within the budget.
        let long = VenueComment {
            text: "长".repeat(500),
            reply: Some(PublishedReply {
                body: "复".repeat(500),
                replied_on: day,
            }),
            ..profile.recent_comments[0].comments[0].clone()
        };
        let mut crowded = profile.clone();
        crowded.recent_comments[0].comments = vec![long; 5];
        let html = render(Lang::Zh, &crowded);
        assert_eq!(html.matches(&"长".repeat(500)).count(), 1);
        assert_page_basics(&html, Lang::Zh);
        // An officer whose filing is not confirmed is not public.
        if let Some(officer) = profile.officer.as_mut() {
            officer.registration_status = "pending".into();
        }
        assert!(!render(Lang::Zh, &profile).contains("王芳"));
    }

    #[test]
    fn venue_text_is_escaped() {
        let mut hostile = venue();
        hostile.name = "<script>alert(1)</script>".into();
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        let html = venue_page(
            Lang::En,
            &hostile,
            &published_score(),
            &ScoringParams::default(),
            &reference,
            &PublicProfile::default(),
            &Imprint::default(),
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("&#60;script&#62;alert(1)"));
    }
}
