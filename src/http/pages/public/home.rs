//! The home page, `/`: what the service is, the highest-scoring venues in
//! the country, and the ways on to the rankings, the method and sign-in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app;
use crate::app::AppError;
use crate::app::rankings::{RankingItem, RankingRequest};
use crate::config::Imprint;
use crate::http::AppState;
use crate::http::pages::public::error_page::{PublicError, failure};
use crate::http::pages::public::rankings::{RankedRow, ranked_rows};
use crate::http::pages::public::{
    Chrome, NavLinks, Reference, html, page_language, render_document,
};
use crate::i18n::{Lang, Messages, messages};

/// Venues the home page lists: the top of the national ranking, one page read.
pub const HOME_TOP_VENUES: i64 = 10;

#[derive(Template)]
#[template(path = "home.html")]
struct HomeView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    scope: String,
    rows: Vec<RankedRow>,
}

/// The home page in `lang`, listing `top` (the best published venues, in rank order).
pub fn home_page(
    lang: Lang,
    top: &[RankingItem],
    reference: &Reference,
    imprint: &Imprint,
) -> String {
    let m = messages(lang);
    render_document(&HomeView {
        chrome: Chrome::new(lang, m.home.title.clone(), "/", &[]).with_imprint(imprint),
        m,
        nav: NavLinks::new(m),
        scope: format!(
            "{} · {}",
            m.rankings_page.all_categories, m.rankings_page.all_regions
        ),
        rows: ranked_rows(lang, top, reference),
    })
}

/// `GET /`: the home page, with the national ranking's top venues.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let loaded = async {
        let request = RankingRequest {
            region: None,
            category: None,
            tiers: Vec::new(),
            published_only: true,
            page: 1,
            per_page: HOME_TOP_VENUES,
        };
        Ok::<_, AppError>((
            app::rankings::ranking(&state, &request).await?,
            state.reference.regions().await?,
            state.reference.categories().await?,
        ))
    }
    .await;
    let (top, regions, categories) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return failure(&state, lang, err, PublicError::PageNotFound),
    };
    let reference = Reference {
        regions: &regions,
        categories: &categories,
    };
    let body = home_page(lang, &top.items, &reference, &state.settings.imprint);
    html(&state, lang, chosen, StatusCode::OK, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credit::Tier;
    use crate::domain::ids::VenueId;
    use crate::http::html::assert_language_switch;
    use crate::http::pages::public::test_support::{assert_page_basics, categories, regions};

    fn item(rank: i64, id: i64, name: &str, score: f64) -> RankingItem {
        RankingItem {
            rank: Some(rank),
            venue_id: VenueId::new(id),
            name: name.into(),
            region_code: "652801".into(),
            category: "hotel".into(),
            score: Some(score),
            ratings: 12,
            confidence: 0.6,
            tier: Some(Tier::A),
            published: true,
        }
    }

    fn render(lang: Lang, top: &[RankingItem]) -> String {
        let (regions, categories) = (regions(), categories());
        home_page(
            lang,
            top,
            &Reference {
                regions: &regions,
                categories: &categories,
            },
            &Imprint::default(),
        )
    }

    #[test]
    fn the_home_page_says_what_the_service_is_and_lists_the_top_venues() {
        let top = [
            item(1, 3, "天鹅湖宾馆", 91.4),
            item(2, 5, "孔雀河酒店", 80.0),
        ];
        for lang in Lang::ALL {
            let html = render(lang, &top);
            assert_page_basics(&html, lang);
            let first = html.find("href=\"/v/3\"").expect("first venue");
            let second = html.find("href=\"/v/5\"").expect("second venue");
            assert!(first < second);
            assert!(html.contains("<strong>91.4</strong>"));
            for link in ["/rankings", "/about/scores", "/login"] {
                assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
            }
            assert_language_switch(&html, lang, |other| format!("/?lang={}", other.tag()));
        }
        assert!(render(Lang::Zh, &top).contains("扫码"));
        assert!(render(Lang::En, &top).contains("scan"));
    }

    #[test]
    fn with_no_published_score_the_home_page_says_so() {
        let html = render(Lang::En, &[]);
        assert!(html.contains(&messages(Lang::En).home.top_empty));
        assert!(!html.contains("<table"));
    }
}
