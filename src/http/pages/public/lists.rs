//! The public credit lists: `/lists/serious`, the list of seriously
//! untrustworthy entities (严重失信主体名单, 文化和旅游市场信用管理规定;
//! clause 21 of the prefecture's division of labour), and `/lists/quality`,
//! the quality list (优质旅游服务商名录, clause 7). Each row gives the
//! decision's day and basis; each page links its JSON and CSV.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::app::AppError;
use crate::app::list_entries::{QualityList, SeriousList, quality_list, serious_list};
use crate::http::AppState;
use crate::http::pages::public::error_page::{PublicError, failure};
use crate::http::pages::public::{
    Chrome, NO_VALUE, NavLinks, Reference, html, page_language, region_line, render_document,
    score_text,
};
use crate::i18n::{Lang, Messages, messages};

/// One row of the serious list as shown.
struct SeriousRow {
    venue_id: i64,
    name: String,
    region: String,
    category: String,
    reason: String,
    basis: String,
    decision_no: String,
    decided_on: String,
    period: String,
}

/// One row of the quality list as shown.
struct QualityRow {
    venue_id: i64,
    name: String,
    region: String,
    category: String,
    score: String,
    decided_on: String,
}

#[derive(Template)]
#[template(path = "public_lists.html")]
struct ListsView {
    chrome: Chrome,
    m: &'static Messages,
    nav: NavLinks,
    serious: bool,
    title: String,
    intro: String,
    as_of: String,
    json_href: &'static str,
    csv_href: &'static str,
    serious_rows: Vec<SeriousRow>,
    quality_rows: Vec<QualityRow>,
}

/// The serious list page in `lang`.
pub fn serious_list_page(lang: Lang, list: &SeriousList, reference: &Reference) -> String {
    let m = messages(lang);
    let t = &m.lists;
    let rows = list
        .items
        .iter()
        .map(|i| SeriousRow {
            venue_id: i.venue_id.get(),
            name: i.venue_name.clone(),
            region: region_line(lang, reference, &i.region_code),
            category: reference
                .category_name(lang, &i.category)
                .unwrap_or(&i.category)
                .to_owned(),
            reason: i.reason.clone(),
            basis: i.legal_basis.clone(),
            decision_no: i.decision_no.clone().unwrap_or_else(|| NO_VALUE.into()),
            decided_on: i.decided_on.to_string(),
            period: t
                .period
                .replace("{from}", &i.starts_on.to_string())
                .replace("{to}", &i.ends_on.to_string()),
        })
        .collect();
    render_document(&ListsView {
        chrome: Chrome::new(lang, t.serious_title.clone(), "/lists/serious", &[]),
        m,
        nav: NavLinks::new(m),
        serious: true,
        title: t.serious_title.clone(),
        intro: t.serious_intro.clone(),
        as_of: t.as_of.replace("{day}", &list.as_of.to_string()),
        json_href: "/api/v1/lists/serious",
        csv_href: "/api/v1/lists/serious?format=csv",
        serious_rows: rows,
        quality_rows: Vec::new(),
    })
}

/// The quality list page in `lang`.
pub fn quality_list_page(lang: Lang, list: &QualityList, reference: &Reference) -> String {
    let m = messages(lang);
    let t = &m.lists;
    let rows = list
        .items
        .iter()
        .map(|i| QualityRow {
            venue_id: i.venue_id.get(),
            name: i.venue_name.clone(),
            region: region_line(lang, reference, &i.region_code),
            category: reference
                .category_name(lang, &i.category)
                .unwrap_or(&i.category)
                .to_owned(),
            score: i.score.map_or_else(|| NO_VALUE.into(), score_text),
            decided_on: i.decided_on.to_string(),
        })
        .collect();
    render_document(&ListsView {
        chrome: Chrome::new(lang, t.quality_title.clone(), "/lists/quality", &[]),
        m,
        nav: NavLinks::new(m),
        serious: false,
        title: t.quality_title.clone(),
        intro: t.quality_intro.clone(),
        as_of: t.as_of.replace("{day}", &list.as_of.to_string()),
        json_href: "/api/v1/lists/quality",
        csv_href: "/api/v1/lists/quality?format=csv",
        serious_rows: Vec::new(),
        quality_rows: rows,
    })
}

/// `GET /lists/serious`.
pub async fn serious(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let loaded = async {
        Ok::<_, AppError>((
            serious_list(&state).await?,
            state.reference.regions().await?,
            state.reference.categories().await?,
        ))
    }
    .await;
    match loaded {
        Ok((list, regions, categories)) => {
            let reference = Reference {
                regions: &regions,
                categories: &categories,
            };
            let body = serious_list_page(lang, &list, &reference);
            html(&state, lang, chosen, StatusCode::OK, body)
        }
        Err(err) => failure(&state, lang, err, PublicError::PageNotFound),
    }
}

/// `GET /lists/quality`.
pub async fn quality(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (lang, chosen) = page_language(&req);
    let loaded = async {
        Ok::<_, AppError>((
            quality_list(&state).await?,
            state.reference.regions().await?,
            state.reference.categories().await?,
        ))
    }
    .await;
    match loaded {
        Ok((list, regions, categories)) => {
            let reference = Reference {
                regions: &regions,
                categories: &categories,
            };
            let body = quality_list_page(lang, &list, &reference);
            html(&state, lang, chosen, StatusCode::OK, body)
        }
        Err(err) => failure(&state, lang, err, PublicError::PageNotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::list_entries::{QualityListItem, SeriousListItem};
    use crate::domain::ids::VenueId;
    use crate::http::pages::public::test_support::{assert_page_basics, categories, regions};
    use chrono::NaiveDate;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_serious_list_names_each_venue_with_its_decision() {
        let list = SeriousList {
            as_of: day("2026-12-06"),
            items: vec![SeriousListItem {
                entry_id: 4,
                venue_id: VenueId::new(7),
                venue_name: "孔雀河酒店".into(),
                region_code: "652801".into(),
                region_name: String::new(),
                category: "hotel".into(),
                reason: "诱骗游客购物".into(),
                legal_basis: "《文化和旅游市场信用管理规定》".into(),
                decision_no: Some("巴文旅信〔2026〕3号".into()),
                decided_on: day("2026-12-01"),
                starts_on: day("2026-12-02"),
                ends_on: day("2029-12-02"),
            }],
        };
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        for lang in Lang::ALL {
            let html = serious_list_page(lang, &list, &reference);
            assert_page_basics(&html, lang);
            for text in [
                "href=\"/v/7\"",
                "孔雀河酒店",
                "巴文旅信〔2026〕3号",
                "2026-12-01",
                "2029-12-02",
            ] {
                assert!(html.contains(text), "{lang:?}: {text}");
            }
            assert!(html.contains("href=\"/api/v1/lists/serious?format=csv\""));
            assert!(html.contains(&messages(lang).lists.serious_title));
        }
        assert!(serious_list_page(Lang::Zh, &list, &reference).contains("严重失信主体名单"));
    }

    #[test]
    fn an_empty_quality_list_says_so() {
        let list = QualityList {
            as_of: day("2026-12-06"),
            items: Vec::new(),
        };
        let (regions, categories) = (regions(), categories());
        let reference = Reference {
            regions: &regions,
            categories: &categories,
        };
        let html = quality_list_page(Lang::En, &list, &reference);
        assert!(html.contains(&messages(Lang::En).lists.empty));
        assert!(!html.contains("<table"));
        let full = QualityList {
            as_of: day("2026-12-06"),
            items: vec![QualityListItem {
                venue_id: VenueId::new(3),
                venue_name: "天鹅湖宾馆".into(),
                region_code: "652801".into(),
                region_name: String::new(),
                category: "hotel".into(),
                basis: "tier_a".into(),
                score: Some(91.44),
                decided_on: day("2026-11-30"),
                rule_set_version: "default-2026.2".into(),
            }],
        };
        let html = quality_list_page(Lang::Ug, &full, &reference);
        assert_page_basics(&html, Lang::Ug);
        assert!(html.contains("91.4") && html.contains("href=\"/v/3\""));
    }
}
