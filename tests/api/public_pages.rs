//! The public score pages through HTTP: `/v/{id}`, `/rankings`, `/about/scores`.

use crate::common::{Options, Page, TestApp, spawn_app, spawn_app_with};
use serde_json::Value;

/// The most a public page may weigh.
const PAGE_BUDGET_BYTES: usize = 30 * 1024;

/// GETs `path` as a fresh browser (no cookies) that asks for `lang` with `?lang=`,
/// or sends no language preference at all with `None`.
async fn page(app: &TestApp, path: &str, lang: Option<&str>) -> Page {
    let url = match lang {
        Some(lang) if path.contains('?') => format!("{}{path}&lang={lang}", app.address),
        Some(lang) => format!("{}{path}?lang={lang}", app.address),
        None => format!("{}{path}", app.address),
    };
    let response = reqwest::Client::new()
        .get(url)
        .send()
        .await
        .expect("request");
    Page::read(response).await
}

fn assert_html_page(page: &Page, lang: &str, what: &str) {
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert_eq!(page.lang(), lang, "{what}");
    assert!(
        page.body.len() < PAGE_BUDGET_BYTES,
        "{what} is {} bytes",
        page.body.len()
    );
    println!("{what}: {} bytes", page.body.len());
}

async fn rate_many(app: &TestApp, venue: &Value, prefix: &str, stars: &[u8]) {
    for (i, overall) in stars.iter().enumerate() {
        app.rate(venue, &format!("{prefix}-{i:03}"), *overall).await;
    }
}

fn id_of(venue: &Value) -> i64 {
    venue["id"].as_i64().expect("venue id")
}

#[tokio::test]
async fn a_venue_page_shows_the_score_tier_ranks_and_trend_in_both_languages() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    rate_many(&app, &venue, "page", &[5, 4, 4, 2, 5]).await;
    let score = app
        .score_when(venue_id, |s| s["published"] == true && !s["tier"].is_null())
        .await;
    assert_eq!(score["score"], 71.7, "{score}");

    let zh = page(&app, &format!("/v/{venue_id}"), None).await;
    assert_eq!(zh.status, 200);
    assert_html_page(&zh, "zh-CN", "venue page (zh-CN)");
    assert_eq!(zh.headers["cache-control"], "no-store");
    assert_eq!(zh.select_text("h1.venue-name"), "孔雀河酒店");
    assert!(
        zh.select_text(".venue-meta")
            .starts_with("星级饭店 · 库尔勒市")
    );
    assert_eq!(zh.select_text(".score .big"), "71.7");
    assert_eq!(zh.select_text(".tier-line .tier.tier-B"), "B");
    assert_eq!(zh.select_text(".tier-line"), "B 良好");
    assert!(
        zh.texts("#rank-h ~ table td")
            .iter()
            .all(|rank| rank.contains("第 1 / 1")),
        "rank in prefecture and province"
    );
    assert_eq!(zh.count("#rank-h ~ table tr"), 2);
    assert!(zh.says("近 365 天共 5 条评价"));
    assert!(!zh.exists(".na.big-na"));
    assert!(!zh.says("暂无足够评价"));
    assert_eq!(zh.select_text("svg.trend > title"), "每周平均得分");
    assert!(zh.exists("svg.trend desc#trend-desc"));
    assert_eq!(zh.attr("svg.trend", "aria-label").unwrap(), "每周平均得分");
    assert!(zh.exists("svg.trend circle"), "this week has a point");
    assert_eq!(
        zh.attr("#rank-h ~ .more-link a", "href").unwrap(),
        "/rankings?region=652800&category=hotel"
    );
    assert!(zh.exists("nav.pages a[href='/about/scores']"));
    assert!(zh.exists(&format!(
        "nav.langs a[hreflang=en][href='/v/{venue_id}?lang=en']"
    )));

    let en = page(&app, &format!("/v/{venue_id}"), Some("en")).await;
    assert_eq!(en.status, 200);
    assert_html_page(&en, "en", "venue page (en)");
    assert!(
        en.headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("qrf_lang=en")),
        "an explicit choice is remembered"
    );
    assert_eq!(en.select_text(".score .big"), "71.7");
    assert!(
        en.select_text(".venue-meta")
            .starts_with("Hotel · Korla City")
    );
    assert!(
        en.texts("#rank-h ~ table td")
            .iter()
            .all(|rank| rank.contains("1st of 1"))
    );
    assert_eq!(en.select_text(".tier-line"), "B Good");
    assert!(
        en.texts("ul.reasons li")
            .iter()
            .any(|reason| reason.contains("score 71.7 < 85")),
        "tier reason in English"
    );
    assert_eq!(en.select_text("svg.trend > title"), "Weekly average score");
    // Wilson lower bound of 4 of 5 is 0.376: "at least 37 %".
    assert!(en.says("at least 37 % of visitors"));

    // Accept-Language decides when nothing was chosen.
    let response = reqwest::Client::new()
        .get(format!("{}/v/{venue_id}", app.address))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(Page::read(response).await.lang(), "en");
}

#[tokio::test]
async fn an_unpublished_venue_says_not_enough_ratings_yet_without_a_number() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    rate_many(&app, &venue, "few", &[5, 5]).await;
    let score = app
        .score_when(venue_id, |s| {
            s["ratings"] == 2 && !s["computed_at"].is_null()
        })
        .await;
    assert_eq!(score["published"], false, "{score}");

    let zh = page(&app, &format!("/v/{venue_id}"), None).await;
    assert_eq!(zh.status, 200);
    assert_html_page(&zh, "zh-CN", "unpublished venue page (zh-CN)");
    assert_eq!(zh.select_text("p.na.big-na"), "暂无足够评价");
    assert!(
        zh.select_text("p.na.big-na + p.hint")
            .contains("至少有 5 条评价后才公布得分，本场所目前有 2 条")
    );
    assert!(!zh.exists(".big"), "no score number");
    assert_eq!(zh.select_text("#rank-h + p"), "得分公布后参与排名。");

    let en = page(&app, &format!("/v/{venue_id}"), Some("en")).await;
    assert_html_page(&en, "en", "unpublished venue page (en)");
    assert_eq!(en.select_text("p.na.big-na"), "Not enough ratings yet");
    assert!(!en.exists(".big"));
    // The histogram still shows what was counted.
    assert!(en.texts("table.hist .n").contains(&"2".to_owned()));
}

#[tokio::test]
async fn rankings_list_venues_in_rank_order_with_the_unpublished_last() {
    let app = spawn_app().await;
    let middle = app.create_venue("中庸宾馆", "652801", "hotel").await;
    let best = app.create_venue("孔雀河酒店", "652822", "hotel").await;
    let new = app.create_venue("新开酒店", "652801", "hotel").await;
    let restaurant = app.create_venue("库尔勒餐厅", "652801", "restaurant").await;
    rate_many(&app, &middle, "mid", &[4, 4, 4, 4, 4]).await;
    rate_many(&app, &best, "best", &[5, 5, 5, 5, 5]).await;
    rate_many(&app, &new, "new", &[5]).await;
    rate_many(&app, &restaurant, "food", &[5, 5, 5, 5, 5]).await;
    for venue in [&middle, &best, &restaurant] {
        let score = app
            .score_when(id_of(venue), |s| {
                s["published"] == true && !s["rank"]["prefecture"].is_null()
            })
            .await;
        assert_eq!(score["published"], true, "{score}");
    }
    app.score_when(id_of(&new), |s| !s["computed_at"].is_null())
        .await;

    for lang in ["zh-CN", "en"] {
        let ranking = page(&app, "/rankings?region=652800&category=hotel", Some(lang)).await;
        assert_eq!(ranking.status, 200, "{ranking:?}");
        assert_html_page(&ranking, lang, &format!("rankings ({lang})"));
        let links: Vec<String> = [&best, &middle, &new]
            .iter()
            .map(|venue| format!("/v/{}", id_of(venue)))
            .collect();
        assert_eq!(
            ranking.attrs("table.ranking tbody th a", "href"),
            links,
            "best first, the unpublished after the ranked ones, no restaurant"
        );
        let flag = if lang == "en" {
            "Not enough ratings yet"
        } else {
            "暂无足够评价"
        };
        assert_eq!(
            ranking.texts("table.ranking tbody th .na"),
            [flag],
            "only the unpublished one is flagged"
        );
        assert_eq!(
            ranking.attr("table.ranking tr.unpublished th a", "href"),
            Some(links[2].clone())
        );
        // (500 + 10 × 70) / 15 = 80.0 and (375 + 700) / 15 = 71.7.
        assert_eq!(
            ranking.texts("table.ranking tbody td.num strong"),
            ["80.0", "71.7"]
        );
        assert_eq!(
            ranking.attr("form.filter", "method").as_deref(),
            Some("get")
        );
        assert_eq!(
            ranking.attr("form.filter", "action").as_deref(),
            Some("/rankings")
        );
        assert_eq!(
            ranking.form_value("select#region option[selected]"),
            "652800"
        );
        assert_eq!(
            ranking.form_value("select#category option[selected]"),
            "hotel"
        );
        assert!(
            ranking.exists("select#region option[value='652801']:not([selected])"),
            "counties listed"
        );
    }

    // The whole country, every category, and the pages of one venue.
    let all = page(&app, "/rankings", None).await;
    assert_eq!(all.status, 200);
    assert!(
        all.attrs("table.ranking tbody th a", "href")
            .contains(&format!("/v/{}", id_of(&restaurant)))
    );
    let second = page(&app, &format!("/v/{}", id_of(&middle)), Some("en")).await;
    assert!(
        second
            .texts("#rank-h ~ table td")
            .iter()
            .any(|rank| rank == "2nd of 2"),
        "{second:?}"
    );

    // Paging: one venue per page.
    let paged = page(
        &app,
        "/rankings?region=652800&category=hotel&per_page=1&page=2",
        Some("en"),
    )
    .await;
    assert_eq!(paged.status, 200);
    assert_eq!(
        paged.attrs("table.ranking tbody th a", "href"),
        [format!("/v/{}", id_of(&middle))]
    );
    assert_eq!(paged.select_text("nav.pager > span"), "Page 2 of 3");
    assert!(paged.exists("nav.pager a[rel=prev]"));
    assert!(paged.exists("nav.pager a[rel=next]"));
}

#[tokio::test]
async fn a_bad_ranking_query_shows_the_form_with_a_friendly_message() {
    let app = spawn_app().await;
    for (query, expected) in [
        ("region=12x", "region code is not valid"),
        ("category=spaceport", "category is not known"),
        ("page=0", "could not be read"),
        ("page=abc", "could not be read"),
    ] {
        let refused = page(&app, &format!("/rankings?{query}"), Some("en")).await;
        assert_eq!(refused.status, 422, "{query}");
        assert_html_page(&refused, "en", &format!("refused ranking query {query}"));
        assert!(
            refused
                .select_text(".notice[role=alert]")
                .contains(expected),
            "{query}"
        );
        assert_eq!(
            refused.attr("form.filter select#region", "name").as_deref(),
            Some("region")
        );
    }
    let unknown = page(&app, "/rankings?region=999999", None).await;
    assert_eq!(unknown.status, 404);
    assert_html_page(&unknown, "zh-CN", "unknown region");
    assert!(unknown.says("未找到该地区"));
}

#[tokio::test]
async fn the_method_page_shows_the_configured_constants_in_both_languages() {
    let app = spawn_app().await;
    let zh = page(&app, "/about/scores", None).await;
    assert_eq!(zh.status, 200);
    assert_html_page(&zh, "zh-CN", "method page (zh-CN)");
    for expected in [
        "每 180 天减半",
        "m = 10",
        "至少有 50 条评价",
        "否则取 70 分",
        "近 365 天内至少有 5 条评价",
        "Wilson",
        "default-2026.2",
    ] {
        assert!(zh.says(expected), "zh: {expected}");
    }
    let en = page(&app, "/about/scores", Some("en")).await;
    assert_html_page(&en, "en", "method page (en)");
    for expected in [
        "halves every 180 days",
        "m = 10",
        "at least 50 of them",
        "otherwise 70.",
        "at least 5 ratings in the last 365 days",
        "Wilson lower bound (95 %)",
        "default-2026.2",
        "quarantined",
    ] {
        assert!(en.says(expected), "en: {expected}");
    }
}

/// GETs `path` as a fresh browser whose only language is Uyghur.
async fn uyghur_page(app: &TestApp, path: &str) -> Page {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.address))
        .header("accept-language", "ug-CN,ug;q=0.9")
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("request");
    Page::read(response).await
}

#[tokio::test]
async fn accept_language_ug_selects_uyghur_right_to_left_on_the_visitor_pages() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    let code = venue["code"].as_str().expect("code");
    rate_many(&app, &venue, "ug", &[5, 4, 4, 2, 5]).await;
    app.score_when(venue_id, |s| s["published"] == true && !s["tier"].is_null())
        .await;

    for (path, status, text) in [
        (format!("/r/{code}"), 200, "باھانى يوللاش"),
        (format!("/v/{venue_id}"), 200, "مۇلازىمەت نومۇرى"),
        (
            "/rankings?region=652800&category=hotel".to_owned(),
            200,
            "مۇلازىمەت رەت تەرتىپى",
        ),
        ("/about/scores".to_owned(), 200, "نومۇر قانداق ھېسابلىنىدۇ"),
        ("/r/AAAAAAAAAA".to_owned(), 404, "نامەلۇم QR كود"),
        ("/v/999999".to_owned(), 404, "ئورۇن تېپىلمىدى"),
        ("/no-such-page".to_owned(), 404, "بەت تېپىلمىدى"),
    ] {
        let page = uyghur_page(&app, &path).await;
        assert_eq!(page.status, status, "{path}");
        assert_eq!(
            (page.lang().as_str(), page.attr("html", "dir").as_deref()),
            ("ug", Some("rtl")),
            "{path} is Uyghur, right to left"
        );
        assert!(page.says(text), "{path}: {text}");
        // The switch offers the other two languages, each in its own script and direction.
        assert_eq!(
            page.texts("nav.langs a.lang"),
            ["中文", "English"],
            "{path}"
        );
        assert_eq!(page.attrs("nav.langs a.lang", "hreflang"), ["zh-CN", "en"]);
        assert_eq!(page.attrs("nav.langs a.lang", "lang"), ["zh-CN", "en"]);
        assert_eq!(page.attrs("nav.langs a.lang", "dir"), ["ltr", "ltr"]);
    }

    let venue_page = uyghur_page(&app, &format!("/v/{venue_id}")).await;
    assert_eq!(venue_page.select_text(".score .big"), "71.7");
    assert!(
        venue_page
            .texts("#rank-h ~ table td")
            .iter()
            .all(|rank| rank.contains("1 ئىچىدە 1-ئورۇن")),
        "rank"
    );
    assert!(venue_page.says("يېقىنقى 365 كۈندە 5 باھا"));
    // Names from the reference data, kept in Chinese and English, come in Chinese.
    assert!(
        venue_page
            .select_text(".venue-meta")
            .starts_with("星级饭店 · 库尔勒市")
    );
    // From a Uyghur page, the switch keeps the address and changes the language.
    assert_eq!(
        venue_page.attr("nav.langs a[hreflang=zh-CN]", "href"),
        Some(format!("/v/{venue_id}?lang=zh-CN"))
    );
    let chosen = page(&app, &format!("/v/{venue_id}"), Some("ug")).await;
    assert_html_page(&chosen, "ug", "venue page (?lang=ug)");
    assert!(
        chosen
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap().starts_with("qrf_lang=ug")),
        "an explicit choice of Uyghur is remembered"
    );
}

#[tokio::test]
async fn unknown_venues_get_the_friendly_404_page() {
    let app = spawn_app().await;
    for path in [
        "/v/999999",
        "/v/abc",
        "/v/-1",
        "/v/0",
        "/v/99999999999999999999",
    ] {
        let missing = page(&app, path, None).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_html_page(&missing, "zh-CN", &format!("404 {path}"));
        assert!(missing.says("未找到该场所"), "{path}");
    }
    let en = page(&app, "/v/999999", Some("en")).await;
    assert!(en.says("Venue not found"));
}

#[tokio::test]
async fn with_postgres_down_the_pages_answer_503_quickly() {
    let app = spawn_app_with(Options {
        unreachable_postgres: true,
        ..Options::default()
    })
    .await;
    for path in ["/v/1", "/rankings?region=652800"] {
        let started = std::time::Instant::now();
        let down = page(&app, path, Some("en")).await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{path} answered within 10 s"
        );
        assert_eq!(down.status, 503, "{path}");
        assert!(down.headers.contains_key("retry-after"), "{path}");
        assert_html_page(&down, "en", &format!("503 {path}"));
        assert!(down.says("Briefly unavailable"));
    }
    // The method needs no database.
    assert_eq!(page(&app, "/about/scores", None).await.status, 200);
}

#[tokio::test]
async fn a_cached_venue_page_shows_a_new_rating_once_the_refresher_rewrites_its_score() {
    // A minute to live: anything newer than that on the page came from the
    // refresher forgetting the venue, not from the entry running out.
    let app = spawn_app_with(Options {
        env: vec![("VENUE_VIEW_SECONDS", "60")],
        ..Options::default()
    })
    .await;
    let venue = app.hotel().await;
    let venue_id = id_of(&venue);
    for i in 0..5 {
        app.rate(&venue, &format!("cached-{i}"), 4).await;
    }
    app.score_when(venue_id, |s| s["ratings"] == 5).await;
    let path = format!("/v/{venue_id}?lang=en");
    assert!(
        page(&app, &path, None)
            .await
            .body
            .contains("5 ratings in the last")
    );

    // Served from the cache: a change behind the service's back does not show…
    sqlx::query("UPDATE venues SET name = 'Renamed behind its back' WHERE id = $1")
        .bind(venue_id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(
        !page(&app, &path, None)
            .await
            .body
            .contains("Renamed behind its back")
    );

    // …but a rating does, within the refresh and well inside the minute.
    app.rate(&venue, "cached-5", 5).await;
    let shown = crate::common::eventually(std::time::Duration::from_secs(10), || async {
        page(&app, &path, None)
            .await
            .body
            .contains("6 ratings in the last")
            && app.score(venue_id).await["ratings"] == 6
    })
    .await;
    assert!(shown, "the sixth rating never reached the cached page");
}
