//! A phone-sized headless Chromium rates a venue through the real `/r/{code}`
//! page: it sees the form, taps the stars, a tag and the comment box like a
//! person would, sends it, and on a second visit the same day is offered
//! the complaint form alone.

use std::time::Instant;

use fantoccini::{Client, Locator};

use crate::common::{TestApp, spawn_app};
use crate::driver::*;

/// A stored rating as the test reads it: overall, environment, tags, comment.
type StoredRating = (i16, Option<i16>, Vec<String>, Option<String>);

/// Taps the visible label of an input, then checks the input took it.
async fn tap_label(browser: &Client, input_id: &str) {
    css(browser, &format!("label[for='{input_id}']"))
        .await
        .click()
        .await
        .unwrap_or_else(|err| panic!("tapping the label of #{input_id}: {err}"));
    let selected = css(browser, &format!("#{input_id}"))
        .await
        .is_selected()
        .await
        .expect("is_selected");
    assert!(
        selected,
        "tapping the label of #{input_id} did not select it"
    );
}

/// Opens the rating page and waits until the form is there; returns the page language.
async fn open_rating_page(browser: &Client, app: &TestApp, code: &str) -> String {
    browser
        .goto(&format!("{}/r/{code}", app.address))
        .await
        .expect("open the rating page");
    wait_for(browser, "form.rate button[type=submit]").await;
    let lang = browser
        .execute("return document.documentElement.lang", vec![])
        .await
        .expect("js");
    lang.as_str().expect("html lang").to_owned()
}

/// Taps the send button and waits for the result page; returns its heading.
async fn send(browser: &Client) -> String {
    css(browser, "form.rate .send button[type=submit]")
        .await
        .click()
        .await
        .expect("tap send");
    wait_for(browser, "section.result h1")
        .await
        .text()
        .await
        .expect("heading text")
}

/// Whether the page is wider than the phone (a horizontal scrollbar).
async fn overflows_horizontally(browser: &Client) -> bool {
    let width = browser
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .expect("js");
    width.as_u64().expect("scrollWidth") > u64::from(WIDTH)
}

/// The public score pages on the phone: a venue with a published score, and
/// the ranking reached through the plain GET form.
async fn public_pages(browser: &Client, app: &TestApp, lang: &str, unrated_name: &str) {
    let best = app.create_venue("天鹅湖宾馆", "652801", "hotel").await;
    let other = app.create_venue("梨城酒店", "652822", "hotel").await;
    for (i, stars) in [5, 5, 4, 5, 4, 3, 5].into_iter().enumerate() {
        app.rate(&best, &format!("best-{i}"), stars).await;
    }
    for (i, stars) in [4, 3, 4, 2, 5].into_iter().enumerate() {
        app.rate(&other, &format!("other-{i}"), stars).await;
    }
    let best_id = best["id"].as_i64().expect("id");
    let score = app
        .score_when(best_id, |s| {
            s["ratings"] == 7 && s["published"] == true && !s["rank"]["prefecture"].is_null()
        })
        .await;
    let other_score = app
        .score_when(other["id"].as_i64().expect("id"), |s| {
            s["ratings"] == 5 && s["published"] == true
        })
        .await;
    assert_eq!(score["published"], true, "{score}");
    assert_eq!(other_score["published"], true, "{other_score}");

    browser
        .goto(&format!("{}/v/{best_id}", app.address))
        .await
        .expect("open the venue page");
    let shown = wait_for(browser, ".score .big")
        .await
        .text()
        .await
        .expect("score text");
    let expected = format!("{:.1}", score["score"].as_f64().expect("score"));
    assert_eq!(shown, expected, "the big number is the published score");
    assert_eq!(
        css(browser, "h1.venue-name")
            .await
            .text()
            .await
            .expect("name"),
        "天鹅湖宾馆"
    );
    let tier = css(browser, ".tier-line .tier").await;
    assert_eq!(
        tier.text().await.expect("tier").as_str(),
        score["tier"].as_str().expect("tier letter")
    );
    assert!(
        css(browser, "svg.trend")
            .await
            .is_displayed()
            .await
            .expect("displayed"),
        "the trend chart is drawn"
    );
    assert!(
        !overflows_horizontally(browser).await,
        "the venue page fits the phone"
    );
    screenshot(browser, "venue-page.png").await;

    // The ranking, chosen with the form's pickers and its submit button.
    browser
        .goto(&format!("{}/rankings", app.address))
        .await
        .expect("open the rankings page");
    wait_for(browser, "form.filter select#region")
        .await
        .select_by_value("652800")
        .await
        .expect("pick the prefecture");
    css(browser, "form.filter select#category")
        .await
        .select_by_value("hotel")
        .await
        .expect("pick hotels");
    css(browser, "form.filter button[type=submit]")
        .await
        .click()
        .await
        .expect("send the form");
    // The unfiltered ranking also has a table: wait for the new address first.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let url = browser.current_url().await.expect("url");
        if url.as_str().contains("region=652800") && url.as_str().contains("category=hotel") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the form did not lead to the chosen ranking: {url}"
        );
        tokio::time::sleep(POLL).await;
    }
    let first = wait_for(browser, "table.ranking tbody tr:first-child th a")
        .await
        .text()
        .await
        .expect("first venue");
    assert_eq!(first, "天鹅湖宾馆", "the best venue ranks first");
    let last = css(browser, "table.ranking tbody tr:last-child th")
        .await
        .text()
        .await
        .expect("last row");
    assert!(
        last.contains(unrated_name) && last.contains(&catalogue_text(lang, "public.not_enough")),
        "the venue with one rating comes last, flagged: {last:?}"
    );
    assert!(
        !overflows_horizontally(browser).await,
        "the ranking scrolls inside its box, not the page"
    );
    screenshot(browser, "rankings-page.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_rates_a_venue_once_a_day_through_the_page() {
    let started = Instant::now();
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().expect("code").to_owned();
    let venue_id = venue["id"].as_i64().expect("id");
    let venue_name = venue["name"].as_str().expect("name").to_owned();

    let driver = Driver::start().await;
    let browser = driver.phone_browser().await;

    // First view, with the browser's own Accept-Language.
    let lang = open_rating_page(&browser, &app, &code).await;
    // Chromium sends its own Accept-Language (from its locale), which decides this.
    let accepted = browser
        .execute("return navigator.languages", vec![])
        .await
        .expect("js");
    println!("page language: {lang} (browser accepts {accepted})");
    assert_eq!(
        css(&browser, "h1.venue-name")
            .await
            .text()
            .await
            .expect("text"),
        venue_name
    );
    let overall = browser
        .find_all(Locator::Css(
            "fieldset.overall input[type=radio][name=overall]",
        ))
        .await
        .expect("overall radios");
    assert_eq!(overall.len(), 5, "five overall choices");
    for (value, radio) in (1..=5).zip(&overall) {
        assert_eq!(
            radio.attr("value").await.expect("value"),
            Some(value.to_string())
        );
        let label = css(
            &browser,
            &format!("fieldset.overall label[for='overall-{value}']"),
        )
        .await;
        assert!(
            label.is_displayed().await.expect("displayed"),
            "the {value}-star label is visible"
        );
    }
    let view = browser
        .execute(
            "const send = document.querySelector('form.rate button[type=submit]').getBoundingClientRect();
             return { width: window.innerWidth, height: window.innerHeight, scrollY: window.scrollY,
                      top: send.top, bottom: send.bottom,
                      pageWidth: document.documentElement.scrollWidth };",
            vec![],
        )
        .await
        .expect("js");
    println!("first view: {view}");
    assert_eq!(view["width"], WIDTH, "phone viewport width");
    assert_eq!(view["height"], HEIGHT, "phone viewport height");
    assert_eq!(view["scrollY"], 0, "first view is unscrolled");
    let (top, bottom) = (
        view["top"].as_f64().expect("top"),
        view["bottom"].as_f64().expect("bottom"),
    );
    assert!(
        top >= 0.0 && bottom <= f64::from(HEIGHT),
        "the send button must be on the first screen without scrolling: {view}"
    );
    screenshot(&browser, "rating-page-360x740.png").await;
    browser
        .get_named_cookie("qrf_device")
        .await
        .expect("the page gave the browser a qrf_device cookie");

    // Rate like a person: tap the labels, type a comment, send.
    tap_label(&browser, "overall-5").await;
    tap_label(&browser, "environment-4").await;
    let tag = css(&browser, "label[for='tag-friendly_staff']").await;
    assert_eq!(
        tag.attr("class").await.expect("class").as_deref(),
        Some("chip positive")
    );
    tap_label(&browser, "tag-friendly_staff").await;
    let comment = "早餐很好，前台很热情！";
    css(&browser, "#comment")
        .await
        .send_keys(comment)
        .await
        .expect("type the comment");
    let counter = css(&browser, "#comment-count").await;
    let template = counter
        .attr("data-counter")
        .await
        .expect("attr")
        .expect("data-counter");
    let expected = template.replace("{count}", &comment.encode_utf16().count().to_string());
    let deadline = Instant::now() + PATIENCE;
    loop {
        let shown = counter.text().await.expect("counter text");
        if shown == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "comment counter shows {shown:?}, expected {expected:?}"
        );
        tokio::time::sleep(POLL).await;
    }
    let heading = send(&browser).await;
    assert_eq!(
        heading,
        catalogue_text(&lang, "thanks.title"),
        "the thank-you page"
    );
    assert_eq!(
        css(&browser, ".venue .venue-name")
            .await
            .text()
            .await
            .expect("text"),
        venue_name
    );
    screenshot(&browser, "thanks-360x740.png").await;

    // It counted, and what was tapped is what was stored.
    // Stored scores catch up within seconds (the contract allows 10).
    let score = app.score_when(venue_id, |s| s["ratings"] == 1).await;
    assert_eq!(score["ratings"], 1, "score: {score}");
    assert_eq!(score["histogram"][4], 1, "score: {score}");
    let rows: Vec<StoredRating> = sqlx::query_as(
        "SELECT overall, environment, tags, comment FROM ratings WHERE venue_id = $1",
    )
    .bind(venue_id)
    .fetch_all(&app.pool)
    .await
    .expect("read ratings");
    assert_eq!(
        rows,
        vec![(
            5,
            Some(4),
            vec!["friendly_staff".to_owned()],
            Some(comment.to_owned())
        )],
        "the stored rating"
    );

    // Same phone, same day: the page says today's rating is in and offers
    // the complaint form alone (the forced shopping came after the rating);
    // the complaint is filed with its tracking code, no second rating is.
    open_rating_page(&browser, &app, &code).await;
    let heading = css(&browser, "section.result h1")
        .await
        .text()
        .await
        .expect("heading text");
    assert_eq!(
        heading,
        catalogue_text(&lang, "already_rated.title"),
        "the already-rated page"
    );
    assert!(
        browser.find(Locator::Css("#overall-4")).await.is_err(),
        "no stars to give a second time"
    );
    css(&browser, "form.complaint-only #complaint")
        .await
        .send_keys("离店后导游带我们去指定商店强制购物。")
        .await
        .expect("type the complaint");
    css(&browser, "form.complaint-only .send button[type=submit]")
        .await
        .click()
        .await
        .expect("send the complaint");
    let tracking_code = wait_for(&browser, "div.tracking p.code")
        .await
        .text()
        .await
        .expect("tracking code");
    let (filed,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM complaints WHERE venue_id = $1 AND tracking_code = $2",
    )
    .bind(venue_id)
    .bind(tracking_code.trim())
    .fetch_one(&app.pool)
    .await
    .expect("count complaints");
    assert_eq!(filed, 1, "the complaint is stored under the code shown");
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM ratings WHERE venue_id = $1")
        .bind(venue_id)
        .fetch_one(&app.pool)
        .await
        .expect("count ratings");
    assert_eq!(count, 1, "the second visit stored no rating");

    public_pages(&browser, &app, &lang, &venue_name).await;

    browser.close().await.expect("close the browser session");
    drop(driver);
    println!("browser test took {:?}", started.elapsed());
}

/// The rating page in Uyghur on the phone: `lang="ug" dir="rtl"`, the text
/// set from the right edge, the star row still counting 1 to 5 from left to
/// right, the switch offering the other two languages, and nothing wider
/// than the screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rating_page_in_uyghur_is_mirrored_right_to_left() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let code = venue["code"].as_str().expect("code").to_owned();
    let driver = Driver::start().await;
    let browser = driver.phone_browser().await;
    // The Chinese page first, for the README's screenshots side by side.
    browser
        .goto(&format!("{}/r/{code}?lang=zh-CN", app.address))
        .await
        .expect("open the rating page in Chinese");
    wait_for(&browser, "form.rate button[type=submit]").await;
    screenshot(&browser, "rating-page-zh-360x740.png").await;
    browser
        .goto(&format!("{}/r/{code}?lang=ug", app.address))
        .await
        .expect("open the rating page in Uyghur");
    let submit = wait_for(&browser, "form.rate button[type=submit]").await;
    assert_eq!(
        submit.text().await.expect("button text"),
        catalogue_text("ug", "rating.submit")
    );
    let layout = browser
        .execute(
            "const html = document.documentElement;
             const box = (el) => el.getBoundingClientRect();
             const text = (el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect(); };
             const form = box(document.querySelector('form.rate'));
             const legend = text(document.querySelector('fieldset.overall legend'));
             const star = (n) => box(document.querySelector(`label[for='overall-${n}']`));
             return {
               lang: html.lang, dir: html.dir,
               direction: getComputedStyle(document.querySelector('form.rate')).direction,
               starsDirection: getComputedStyle(document.querySelector('.stars')).direction,
               formLeft: form.left, formRight: form.right,
               legendLeft: legend.left, legendRight: legend.right,
               star1: star(1).left, star5: star(5).left,
               switchLinks: [...document.querySelectorAll('a.lang')].map(a => [a.hreflang, a.lang, a.textContent]),
               pageWidth: html.scrollWidth,
             };",
            vec![],
        )
        .await
        .expect("js");
    println!("Uyghur layout: {layout}");
    assert_eq!(layout["lang"], "ug");
    assert_eq!(layout["dir"], "rtl");
    assert_eq!(layout["direction"], "rtl", "the form flows right to left");
    assert_eq!(layout["starsDirection"], "ltr", "stars count left to right");
    let number = |key: &str| layout[key].as_f64().unwrap_or_else(|| panic!("{key}"));
    assert!(
        (number("legendRight") - number("formRight")).abs() < 2.0
            && number("legendLeft") > number("formLeft") + 20.0,
        "the question starts at the right edge: {layout}"
    );
    assert!(
        number("star1") < number("star5"),
        "one star is on the left, five on the right: {layout}"
    );
    assert_eq!(
        layout["switchLinks"],
        serde_json::json!([["zh-CN", "zh-CN", "中文"], ["en", "en", "English"]]),
        "the switch offers the other languages by their own names"
    );
    assert!(
        !overflows_horizontally(&browser).await,
        "nothing is wider than the phone: {layout}"
    );
    screenshot(&browser, "rating-page-ug-360x740.png").await;
    browser.close().await.expect("close the browser");
}
