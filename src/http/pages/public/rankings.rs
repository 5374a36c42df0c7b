//! The rankings page, `/rankings`: the region and category pickers and the
//! ranked venues, page by page.

use crate::domain::credit::Tier;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::app::rankings::{RankingItem, RankingPage, RankingQuery, last_page};
use crate::app::{AppError, Kind, Slug};
use crate::config::Imprint;
use crate::domain::region::RegionTree;
use crate::http::AppState;
use crate::http::pages::public::error_page::{PublicError, failure};
use crate::http::pages::public::{
    Chrome, NO_VALUE, NavLinks, Reference, TierView, confidence_short, href, html, page_language,
    render_document, score_text, tier_view,
};
use crate::i18n::{Lang, Messages, messages};
use crate::store::reference::CategoryRow;

/// Up to this many regions the picker lists the whole tree; beyond it, only
/// the provinces and the chosen province's subtree, so the page stays small.
const REGION_OPTIONS_FULL_TREE_MAX: usize = 400;
/// Indentation of one level in the region picker (no-break spaces survive in `<option>`).
const REGION_INDENT: &str = "\u{a0}\u{a0}\u{a0}";

/// One `<option>` of a picker.
struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

/// One ranked venue row.
pub(in crate::http::pages::public) struct RankedRow {
    pub(in crate::http::pages::public) rank: String,
    pub(in crate::http::pages::public) href: String,
    pub(in crate::http::pages::public) name: String,
    pub(in crate::http::pages::public) place: String,
    pub(in crate::http::pages::public) score: Option<String>,
    pub(in crate::http::pages::public) ratings: i64,
    pub(in crate::http::pages::public) confidence: String,
    pub(in crate::http::pages::public) tier: Option<TierView>,
}

/// Prev/next links.
struct Pager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Template)]
#[template(path = "rankings.html")]
struct RankingsPageView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    scope: String,
    notice: Option<String>,
    regions: Vec<SelectOption>,
    categories: Vec<SelectOption>,
    ranked: Option<Vec<RankedRow>>,
    pager: Option<Pager>,
}

/// Why a ranking query was refused; the page shows the form with a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankingRefusal {
    /// The region is not a six-digit code.
    BadRegion,
    /// The category key is unknown.
    BadCategory,
    /// Anything else: a bad page number, a garbled query.
    BadQuery,
}

impl RankingRefusal {
    /// Reads the refusal out of `parse_ranking_query`'s error slug.
    fn from_slug(slug: Slug) -> Self {
        match slug {
            Slug::InvalidRegionCode => Self::BadRegion,
            Slug::UnknownCategory => Self::BadCategory,
            _ => Self::BadQuery,
        }
    }
}

/// Every region as an option: each province, then its prefectures and their
/// counties, indented by level.
fn region_options(lang: Lang, regions: &RegionTree, selected: Option<&str>) -> Vec<SelectOption> {
    let option = |code: &str, depth: usize| {
        regions.get(code).map(|r| SelectOption {
            value: r.code.to_string(),
            label: format!(
                "{}{}",
                REGION_INDENT.repeat(depth),
                lang.pick(&r.name_zh, &r.name_en)
            ),
            selected: selected == Some(r.code.as_str()),
        })
    };
    let subtree = |province: &str, out: &mut Vec<SelectOption>| {
        for prefecture in regions.children(province) {
            out.extend(option(prefecture, 1));
            for county in regions.children(prefecture) {
                out.extend(option(county, 2));
            }
        }
    };
    let mut all = Vec::new();
    for province in regions.provinces() {
        all.extend(option(province, 0));
        subtree(province, &mut all);
    }
    if all.len() <= REGION_OPTIONS_FULL_TREE_MAX {
        return all;
    }
    let chosen_province = selected
        .and_then(|code| regions.path(code))
        .map(|path| path.province);
    let mut some = Vec::new();
    for province in regions.provinces() {
        some.extend(option(province, 0));
        if chosen_province.as_deref() == Some(province.as_str()) {
            subtree(province, &mut some);
        }
    }
    some
}

fn category_options(
    lang: Lang,
    categories: &[CategoryRow],
    selected: Option<&str>,
) -> Vec<SelectOption> {
    categories
        .iter()
        .map(|c| SelectOption {
            value: c.key.clone(),
            label: lang.pick(&c.name_zh, &c.name_en).to_owned(),
            selected: selected == Some(c.key.as_str()),
        })
        .collect()
}

/// The table rows of ranked venues; a score shows only where it is published and ranked.
pub(in crate::http::pages::public) fn ranked_rows(
    lang: Lang,
    items: &[RankingItem],
    reference: &Reference,
) -> Vec<RankedRow> {
    let m = messages(lang);
    items
        .iter()
        .map(|item| RankedRow {
            rank: item
                .rank
                .map_or_else(|| NO_VALUE.to_owned(), |r| r.to_string()),
            href: format!("/v/{}", item.venue_id),
            name: item.name.clone(),
            place: reference
                .region_name(lang, &item.region_code)
                .unwrap_or(&item.region_code)
                .to_owned(),
            score: item
                .score
                .filter(|_| item.published && item.rank.is_some())
                .map(score_text),
            ratings: item.ratings,
            confidence: confidence_short(m, item.confidence),
            tier: tier_view(m, item.tier.map(Tier::letter)),
        })
        .collect()
}

/// The trimmed, non-empty value of an optional query field.
fn field(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The rankings page, `GET /rankings`: the pickers, and either the ranked
/// table of `outcome` or the notice why the query was refused.
pub fn rankings_page(
    lang: Lang,
    query: &RankingQuery,
    outcome: Result<&RankingPage, RankingRefusal>,
    reference: &Reference,
    imprint: &Imprint,
) -> String {
    let m = messages(lang);
    let texts = &m.rankings_page;
    let region = field(&query.region);
    let category = field(&query.category);
    let region_name = region
        .and_then(|code| reference.region_name(lang, code))
        .unwrap_or(&texts.all_regions);
    let category_name = category
        .and_then(|key| reference.category_name(lang, key))
        .unwrap_or(&texts.all_categories);
    let mut current: Vec<(String, String)> = Vec::new();
    for (key, value) in [
        ("region", region),
        ("category", category),
        ("per_page", field(&query.per_page)),
    ] {
        if let Some(value) = value {
            current.push((key.to_owned(), value.to_owned()));
        }
    }
    let page_href = |page: i64| {
        let mut pairs = current.clone();
        if page > 1 {
            pairs.push(("page".to_owned(), page.to_string()));
        }
        href("/rankings", &pairs, Some(lang))
    };
    let (notice, ranked, pager) = match outcome {
        Err(refusal) => {
            let text = match refusal {
                RankingRefusal::BadRegion => &texts.bad_region,
                RankingRefusal::BadCategory => &texts.bad_category,
                RankingRefusal::BadQuery => &texts.bad_query,
            };
            (Some(text.clone()), None, None)
        }
        Ok(page) => {
            let rows = ranked_rows(lang, &page.items, reference);
            let per_page = page.per_page.max(1);
            // Pages past the ranking's depth are refused: no link leads there.
            let pages = ((page.total + per_page - 1) / per_page).clamp(1, last_page(per_page));
            let pager = (pages > 1 || page.page > 1).then(|| Pager {
                text: texts
                    .page_of
                    .replace("{page}", &page.page.to_string())
                    .replace("{pages}", &pages.to_string()),
                prev: (page.page > 1).then(|| page_href((page.page - 1).min(pages))),
                next: (page.page < pages).then(|| page_href(page.page + 1)),
            });
            (None, Some(rows), pager)
        }
    };
    let mut switch_query = current.clone();
    if let Some(page) = field(&query.page) {
        switch_query.push(("page".to_owned(), page.to_owned()));
    }
    render_document(&RankingsPageView {
        chrome: Chrome::new(lang, texts.title.clone(), "/rankings", &switch_query)
            .with_imprint(imprint),
        m,
        nav: NavLinks::new(m),
        scope: format!("{category_name} · {region_name}"),
        notice,
        regions: region_options(lang, reference.regions, region),
        categories: category_options(lang, reference.categories, category),
        ranked,
        pager,
    })
}

/// `GET /rankings?region=&category=&page=`: the ranking pickers and table.
pub async fn rankings(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    // The pickers show what was asked for even when the query is refused.
    let raw: RankingQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let reference_data = async {
        Ok::<_, AppError>((
            state.reference.regions().await?,
            state.reference.categories().await?,
        ))
    }
    .await;
    let (regions, categories) = match reference_data {
        Ok(data) => data,
        Err(err) => return failure(&state, lang, err, PublicError::RegionNotFound),
    };
    let reference = Reference {
        regions: &regions,
        categories: &categories,
    };
    let (status, outcome) = match app::rankings::parse_query(&state, req.query_string()).await {
        Ok(request) => match app::rankings::ranking(&state, &request).await {
            Ok(page) => (StatusCode::OK, Ok(page)),
            Err(err) => return failure(&state, lang, err, PublicError::RegionNotFound),
        },
        Err(err) if err.slug.kind() == Kind::Invalid => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Err(RankingRefusal::from_slug(err.slug)),
        ),
        Err(err) => return failure(&state, lang, err, PublicError::RegionNotFound),
    };
    let body = rankings_page(
        lang,
        &raw,
        outcome.as_ref().map_err(|r| *r),
        &reference,
        &state.settings.imprint,
    );
    html(&state, lang, chosen, status, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::VenueId;
    use crate::http::html::assert_language_switch;
    use crate::http::pages::public::test_support::{assert_page_basics, categories, regions};

    fn ranking_page() -> RankingPage {
        let item =
            |rank: Option<i64>, id: i64, name: &str, score: Option<f64>, tier: &str| RankingItem {
                rank,
                venue_id: VenueId::new(id),
                name: name.into(),
                region_code: "652801".into(),
                category: "hotel".into(),
                score,
                ratings: if score.is_some() { 8 } else { 2 },
                confidence: 0.5,
                tier: Tier::parse(tier),
                published: score.is_some(),
            };
        RankingPage {
            items: vec![
                item(Some(21), 7, "高分酒店", Some(88.2), "A"),
                item(Some(22), 8, "低分酒店", Some(55.0), "C"),
                item(None, 9, "新酒店", None, "B"),
            ],
            page: 2,
            per_page: 20,
            total: 43,
            region: Some("652800".into()),
            category: Some("hotel".into()),
        }
    }

    fn query(region: &str, category: &str, page: &str) -> RankingQuery {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        RankingQuery {
            region: some(region),
            category: some(category),
            page: some(page),
            per_page: None,
        }
    }

    fn render_rankings(
        lang: Lang,
        query: &RankingQuery,
        outcome: Result<&RankingPage, RankingRefusal>,
    ) -> String {
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        rankings_page(lang, query, outcome, &reference, &Imprint::default())
    }

    #[test]
    fn the_pager_stops_at_the_deepest_page_a_ranking_is_listed_to() {
        let page = RankingPage {
            page: 50,
            total: 5000,
            ..ranking_page()
        };
        let html = render_rankings(Lang::En, &query("652800", "hotel", "50"), Ok(&page));
        assert!(!html.contains("rel=\"next\""), "page 51 would be refused");
        assert!(html.contains("rel=\"prev\""));
        let zh = render_rankings(Lang::Zh, &query("652800", "hotel", "50"), Ok(&page));
        assert!(zh.contains("第 50 / 50 页"));
    }

    #[test]
    fn the_ranking_lists_venues_in_order_with_the_unpublished_last() {
        let page = ranking_page();
        for lang in Lang::ALL {
            let html = render_rankings(lang, &query("652800", "hotel", "2"), Ok(&page));
            assert_page_basics(&html, lang);
            let positions: Vec<usize> = ["/v/7\"", "/v/8\"", "/v/9\""]
                .iter()
                .map(|link| html.find(link).unwrap_or_else(|| panic!("{link}")))
                .collect();
            assert!(positions.windows(2).all(|w| w[0] < w[1]), "rank order");
            let flag = html
                .find(&messages(lang).public.not_enough)
                .expect("flagged");
            assert!(
                flag > positions[2],
                "the flag belongs to the unpublished venue"
            );
            assert!(html.contains("<strong>88.2</strong>"));
            assert!(html.contains("<td class=\"num\">21</td>"));
            assert!(html.contains("<form method=\"get\" action=\"/rankings\""));
            assert!(html.contains("<option value=\"652800\" selected>"));
            assert!(html.contains("<option value=\"hotel\" selected>"));
            // Page 2 of 3, both ways.
            let lang_tag = lang.tag();
            assert!(html.contains(&format!(
                "href=\"/rankings?region=652800&#38;category=hotel&#38;lang={lang_tag}\" rel=\"prev\""
            )));
            assert!(html.contains(&format!(
                "href=\"/rankings?region=652800&#38;category=hotel&#38;page=3&#38;lang={lang_tag}\" rel=\"next\""
            )));
            assert_language_switch(&html, lang, |other| {
                format!(
                    "/rankings?region=652800&#38;category=hotel&#38;page=2&#38;lang={}",
                    other.tag()
                )
            });
        }
        let zh = render_rankings(Lang::Zh, &query("652800", "hotel", "2"), Ok(&page));
        assert!(zh.contains("第 2 / 3 页"));
        assert!(zh.contains("星级饭店 · 巴音郭楞蒙古自治州"));
        assert!(zh.contains("信用等级 A：优秀"));
        let en = render_rankings(Lang::En, &query("", "", ""), Ok(&page));
        assert!(en.contains("All categories · All regions"));
        assert!(en.contains("≥ 50 %"));
    }

    #[test]
    fn the_region_picker_lists_the_tree_indented() {
        let tree = regions();
        let options = region_options(Lang::En, &tree, Some("652801"));
        let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "Xinjiang",
                "\u{a0}\u{a0}\u{a0}Bayingolin",
                "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}Korla City",
                "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}Luntai County",
            ]
        );
        let selected: Vec<&str> = options
            .iter()
            .filter(|o| o.selected)
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(selected, vec!["652801"]);
    }

    #[test]
    fn a_refused_query_shows_the_form_and_a_notice() {
        for (refusal, expected) in [
            (RankingRefusal::BadRegion, "region code is not valid"),
            (RankingRefusal::BadCategory, "category is not known"),
            (RankingRefusal::BadQuery, "could not be read"),
        ] {
            let html = render_rankings(Lang::En, &query("12x", "<b>", "0"), Err(refusal));
            assert_page_basics(&html, Lang::En);
            assert!(html.contains(expected));
            assert!(html.contains("role=\"alert\""));
            assert!(html.contains("<select id=\"region\" name=\"region\">"));
            assert!(!html.contains("<table"));
            assert!(!html.contains("<b>"));
            assert!(!html.contains(" selected>"), "nothing unknown is selected");
        }
        assert_eq!(
            RankingRefusal::from_slug(Slug::InvalidRegionCode),
            RankingRefusal::BadRegion
        );
        assert_eq!(
            RankingRefusal::from_slug(Slug::UnknownCategory),
            RankingRefusal::BadCategory
        );
        assert_eq!(
            RankingRefusal::from_slug(Slug::InvalidQuery),
            RankingRefusal::BadQuery
        );
    }

    #[test]
    fn an_empty_ranking_says_so() {
        let page = RankingPage {
            items: Vec::new(),
            page: 1,
            per_page: 20,
            total: 0,
            region: None,
            category: None,
        };
        let html = render_rankings(Lang::Zh, &query("", "", ""), Ok(&page));
        assert!(html.contains("这里还没有场所。"));
        assert!(!html.contains("class=\"pager\""));
    }
}
