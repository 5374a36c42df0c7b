//! Bulk QR posters for a region: the printable document holds one poster
//! per open venue of the selection within the caller's scope; the archive
//! names each venue's PNG and SVG as promised and every PNG scans back to
//! the venue's rating address; strangers, venue staff and regulators of
//! other regions are refused; a bad address is a friendly 400 page and a
//! selection over the cap is refused before anything is drawn.

use std::io::{Cursor, Read};

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    ACCOUNT_PASSWORD, ADMIN_TOKEN, Download, Page, Person, TestApp, call, spawn_app,
};

/// Venues in Korla (652801) and Luntai (652822), both in Bayingolin
/// (652800), and one in Changji (652301), another prefecture; made in this
/// order, so their ids are too.
struct Venues {
    korla_hotel: Value,
    korla_inn: Value,
    korla_restaurant: Value,
    korla_closed: Value,
    luntai_hotel: Value,
    changji_hotel: Value,
}

async fn venues(app: &TestApp) -> Venues {
    let korla_hotel = app.create_venue("孔雀河酒店", "652801", "hotel").await;
    let korla_inn = app
        .create_venue("梨城/宾馆 \"东门\"", "652801", "hotel")
        .await;
    let korla_restaurant = app.create_venue("孔雀河餐厅", "652801", "restaurant").await;
    let korla_closed = app.create_venue("已关闭的酒店", "652801", "hotel").await;
    let (status, closed) = call(
        app,
        Method::PATCH,
        &format!("/api/v1/venues/{}", korla_closed["id"]),
        ADMIN_TOKEN,
        Some(json!({ "closed": true })),
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    Venues {
        korla_hotel,
        korla_inn,
        korla_restaurant,
        korla_closed,
        luntai_hotel: app.create_venue("轮台宾馆", "652822", "hotel").await,
        changji_hotel: app.create_venue("昌吉酒店", "652301", "hotel").await,
    }
}

/// A regulator of `region`, signed in.
async fn regulator(app: &TestApp, login: &str, region: &str) -> Person {
    app.create_person(login, "regulator", Some(region), &[])
        .await;
    app.sign_in(login).await
}

fn id_of(venue: &Value) -> i64 {
    venue["id"].as_i64().expect("venue id")
}

fn code_of(venue: &Value) -> String {
    venue["code"].as_str().expect("venue code").to_owned()
}

/// The codes the document's posters print, in order.
fn printed_codes(page: &Page) -> Vec<String> {
    page.texts("section.sheet p.code")
        .iter()
        .map(|line| line.rsplit(' ').next().unwrap_or_default().to_owned())
        .collect()
}

/// Poster downloads in the audit log, as `export:posters.html` or `.zip`.
async fn audited(app: &TestApp, target: &str) -> Vec<Value> {
    sqlx::query_scalar::<_, Value>(
        "SELECT after FROM audit_log WHERE action = 'export.download' AND target = $1 ORDER BY id",
    )
    .bind(target)
    .fetch_all(&app.pool)
    .await
    .expect("audit rows")
}

fn decode_png(bytes: &[u8]) -> String {
    let image = image::load_from_memory(bytes).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the image");
    grids[0].decode().expect("decodable QR code").1
}

/// Every file of a zip archive, in archive order.
fn unzip(download: &Download) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(download.bytes.clone())).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("an entry");
            let name = file.name().expect("a UTF-8 name").into_owned();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("entry bytes");
            (name, bytes)
        })
        .collect()
}

#[tokio::test]
async fn the_document_holds_one_poster_per_open_venue_of_the_selection() {
    let app = spawn_app().await;
    let v = venues(&app).await;
    let bayingolin = regulator(&app, "bayingolin", "652800").await;

    // Korla's hotels on A5: the two open ones, by id; neither the closed
    // hotel, the restaurant nor another county's hotel.
    let page = bayingolin
        .get_page("/console/posters/print?region=652801&category=hotel&paper=a5&lang=en")
        .await;
    assert_eq!(page.status, 200, "{page:?}");
    assert_eq!(
        printed_codes(&page),
        [code_of(&v.korla_hotel), code_of(&v.korla_inn)]
    );
    assert_eq!(
        page.texts("section.sheet p.name"),
        ["孔雀河酒店", "梨城/宾馆 \"东门\""]
    );
    assert_eq!(page.count("section.sheet .qr svg"), 2);
    assert_eq!(
        page.texts("section.sheet p.url"),
        [
            v.korla_hotel["rating_url"].as_str().unwrap(),
            v.korla_inn["rating_url"].as_str().unwrap()
        ]
    );
    assert!(page.body.contains("@page{size:A5;") && page.body.contains("break-after:page"));
    assert!(!page.body.contains(&code_of(&v.korla_closed)));
    assert!(!page.body.contains("<script") && !page.body.contains("<img"));
    let screen = page.select_text("div.screen");
    assert!(
        screen.contains("2 in all") && screen.contains("A5"),
        "{screen}"
    );
    assert_eq!(page.attr("div.screen", "lang").as_deref(), Some("en"));
    assert_eq!(
        page.attr("div.screen a", "href").as_deref(),
        Some("/console/posters?region=652801&category=hotel&paper=a5&lang=en")
    );
    // The poster's own texts stay in every language, as on a venue's poster.
    assert!(page.body.contains("请为我们的服务评分") && page.body.contains("Rate our service"));

    // The whole prefecture, every category, on A4 unless asked.
    let page = bayingolin
        .get_page("/console/posters/print?region=652800")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("@page{size:A4;"));
    let prefecture = [
        &v.korla_hotel,
        &v.korla_inn,
        &v.korla_restaurant,
        &v.luntai_hotel,
    ]
    .map(code_of);
    assert_eq!(printed_codes(&page), prefecture);

    // Without a region, a regulator's own; an admin's is the whole country.
    let page = bayingolin.get_page("/console/posters/print").await;
    assert_eq!(printed_codes(&page), prefecture);
    let luntai = regulator(&app, "luntai", "652822").await;
    let page = luntai.get_page("/console/posters/print").await;
    assert_eq!(printed_codes(&page), [code_of(&v.luntai_hotel)]);
    app.create_person("chief", "admin", None, &[]).await;
    let admin = app.sign_in("chief").await;
    let page = admin
        .get_page("/console/posters/print?category=hotel")
        .await;
    let hotels = [
        &v.korla_hotel,
        &v.korla_inn,
        &v.luntai_hotel,
        &v.changji_hotel,
    ]
    .map(code_of);
    assert_eq!(printed_codes(&page), hotels);

    // Every document left is in the audit log, with its size and query.
    let rows = audited(&app, "export:posters.html").await;
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(rows[0]["rows"], 2);
    assert_eq!(
        rows[0]["query"],
        "region=652801&category=hotel&paper=a5&lang=en"
    );
    assert_eq!(rows[4]["rows"], 4);
}

#[tokio::test]
async fn the_archive_names_every_code_file_and_each_png_scans_back_to_its_venue() {
    let app = spawn_app().await;
    let v = venues(&app).await;
    let bayingolin = regulator(&app, "bayingolin", "652800").await;

    let download = bayingolin
        .download("/console/posters/codes.zip?region=652801&lang=en")
        .await;
    assert_eq!(download.status, 200);
    assert_eq!(download.content_type, "application/zip");
    assert_eq!(
        download.disposition,
        "attachment; filename=\"qr-codes-652801-all.zip\""
    );
    let files = unzip(&download);
    let open = [
        (&v.korla_hotel, "孔雀河酒店"),
        (&v.korla_inn, "梨城-宾馆-东门"),
        (&v.korla_restaurant, "孔雀河餐厅"),
    ];
    let mut expected: Vec<String> = open
        .iter()
        .flat_map(|(venue, name)| {
            let stem = format!("{:05}-{name}", id_of(venue));
            [format!("{stem}.png"), format!("{stem}.svg")]
        })
        .collect();
    expected.push("venues.csv".to_owned());
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, expected);

    for (venue, _) in open {
        let url = venue["rating_url"].as_str().unwrap();
        let stem = format!("{:05}-", id_of(venue));
        let png = files
            .iter()
            .find(|(name, _)| name.starts_with(&stem) && name.ends_with(".png"))
            .unwrap();
        assert_eq!(decode_png(&png.1), url, "{}", png.0);
        let svg = files
            .iter()
            .find(|(name, _)| name.starts_with(&stem) && name.ends_with(".svg"))
            .unwrap();
        let svg = String::from_utf8(svg.1.clone()).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            svg.matches("h1v1h-1z").count() > 100,
            "dark modules are drawn"
        );
    }

    let index = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
    let lines: Vec<&str> = index.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "id,name,code,rating_url,png,svg");
    assert_eq!(lines.len(), 4, "{index}");
    let inn = id_of(&v.korla_inn);
    assert_eq!(
        lines[2],
        format!(
            "{inn},\"梨城/宾馆 \"\"东门\"\"\",{},{},{inn:05}-梨城-宾馆-东门.png,{inn:05}-梨城-宾馆-东门.svg",
            code_of(&v.korla_inn),
            v.korla_inn["rating_url"].as_str().unwrap()
        )
    );
    assert!(!index.contains(&code_of(&v.korla_closed)));

    // A category narrows it; the file name says which.
    let download = bayingolin
        .download("/console/posters/codes.zip?region=652801&category=restaurant")
        .await;
    assert_eq!(
        download.disposition,
        "attachment; filename=\"qr-codes-652801-restaurant.zip\""
    );
    let names: Vec<String> = unzip(&download).into_iter().map(|(name, _)| name).collect();
    let stem = format!("{:05}-孔雀河餐厅", id_of(&v.korla_restaurant));
    assert_eq!(
        names,
        [
            format!("{stem}.png"),
            format!("{stem}.svg"),
            "venues.csv".to_owned()
        ]
    );

    let rows = audited(&app, "export:posters.zip").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0]["rows"].clone(), rows[1]["rows"].clone()),
        (json!(3), json!(1))
    );
}

#[tokio::test]
async fn strangers_venue_staff_and_other_regions_are_refused() {
    let app = spawn_app().await;
    let v = venues(&app).await;
    app.venue_staff("desk", &[&v.luntai_hotel]).await;
    let staff = app.session_for("desk", ACCOUNT_PASSWORD).await;
    let luntai = regulator(&app, "luntai", "652822").await;

    for route in [
        "/console/posters",
        "/console/posters/print",
        "/console/posters/codes.zip",
    ] {
        let korla = format!("{route}?region=652801");
        // Without a session, the sign-in page.
        let response = app
            .client
            .get(format!("{}{korla}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{route}");
        assert_eq!(response.headers()["location"], "/login", "{route}");
        // Venue staff: not their page at all, whatever the region.
        assert_eq!(staff.get_page(&korla).await.status, 403, "{route}");
        assert_eq!(staff.get_page(route).await.status, 403, "{route}");
        // Another county, or the prefecture above one's own: 403.
        for region in ["652801", "652800", "650000"] {
            let page = luntai
                .get_page(&format!("{route}?region={region}&lang=en"))
                .await;
            assert_eq!(page.status, 403, "{route} {region}");
            assert!(!page.body.contains(&code_of(&v.korla_hotel)));
        }
        // A region the tree does not know: 404.
        let page = luntai.get_page(&format!("{route}?region=659999")).await;
        assert_eq!(page.status, 404, "{route}");
    }
    // Its own county is there, and nothing beyond it.
    let page = luntai.get_page("/console/posters?lang=en").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.select_text("#selection-count"),
        "Open venues in this selection: 1. Closed venues get no poster."
    );
    assert_eq!(page.attrs("#region option", "value"), ["652822"]);
    assert!(audited(&app, "export:posters.html").await.is_empty());
    assert!(audited(&app, "export:posters.zip").await.is_empty());
}

#[tokio::test]
async fn a_bad_address_is_a_friendly_400_page() {
    let app = spawn_app().await;
    venues(&app).await;
    let korla = regulator(&app, "korla", "652801").await;
    for route in [
        "/console/posters",
        "/console/posters/print",
        "/console/posters/codes.zip",
    ] {
        for (query, said) in [
            ("category=spa", "There is no such category."),
            ("paper=letter", "Posters come in A4 or A5."),
            ("region=65280", "A region code is six digits."),
        ] {
            let page = korla.get_page(&format!("{route}?{query}&lang=en")).await;
            assert_eq!(page.status, 400, "{route}?{query}");
            assert!(
                page.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html"),
                "{route}?{query}"
            );
            assert_eq!(page.lang(), "en");
            assert_eq!(page.select_text("p.mark + h1 + p"), said, "{route}?{query}");
        }
    }
    assert!(audited(&app, "export:posters.zip").await.is_empty());
}

#[tokio::test]
async fn the_page_counts_the_selection_and_links_its_downloads() {
    let app = spawn_app().await;
    let v = venues(&app).await;
    let bayingolin = regulator(&app, "bayingolin", "652800").await;

    let page = bayingolin.get_page("/console?lang=en").await;
    assert!(page.exists("header nav.account-nav a[href=\"/console/posters\"]"));

    // By default the regulator's own region, every category, A4.
    let page = bayingolin.get_page("/console/posters?lang=en").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.select_text("main p.muted").contains("clause 12"));
    assert_eq!(
        page.attr("#region option[selected]", "value").as_deref(),
        Some("652800")
    );
    assert_eq!(
        page.count("#region option"),
        10,
        "the prefecture and its 9 counties"
    );
    assert_eq!(
        page.select_text("#selection-count"),
        "Open venues in this selection: 4. Closed venues get no poster."
    );
    assert_eq!(
        page.attr("#zip-link", "href").as_deref(),
        Some("/console/posters/codes.zip?region=652800&lang=en")
    );
    assert!(page.select_text("#cap-note").contains("5000"));

    let page = bayingolin
        .get_page("/console/posters?region=652801&category=hotel&paper=a5&lang=en")
        .await;
    assert_eq!(page.select_text("#selection-h"), "Korla City · Hotel");
    assert_eq!(
        page.select_text("#selection-count"),
        "Open venues in this selection: 2. Closed venues get no poster."
    );
    assert_eq!(
        page.select_text("#print-link"),
        "Printable posters (A5, one per page)"
    );
    let print = page.attr("#print-link", "href").unwrap();
    assert_eq!(
        print,
        "/console/posters/print?region=652801&category=hotel&paper=a5&lang=en"
    );
    assert_eq!(
        page.attr("#zip-link", "href").as_deref(),
        Some("/console/posters/codes.zip?region=652801&category=hotel&lang=en")
    );
    assert_eq!(
        page.attr("#paper option[selected]", "value").as_deref(),
        Some("a5")
    );
    // The link leads to the document it promises.
    let document = bayingolin.get_page(&print).await;
    assert_eq!(
        printed_codes(&document),
        [code_of(&v.korla_hotel), code_of(&v.korla_inn)]
    );

    // Nothing to print: said, and no links.
    let page = bayingolin
        .get_page("/console/posters?region=652801&category=campsite&lang=en")
        .await;
    assert_eq!(
        page.select_text("#selection-count"),
        "No open venue matches this selection."
    );
    assert!(!page.exists("#print-link") && !page.exists("#zip-link"));
}

#[tokio::test]
async fn a_selection_over_the_cap_is_refused_before_anything_is_drawn() {
    let app = spawn_app().await;
    let restaurant = app.create_venue("孔雀河餐厅", "652801", "restaurant").await;
    // 5,001 hotels straight into the tables: their codes are never drawn.
    sqlx::query(
        "WITH made AS (
             INSERT INTO venues (region_code, category, name)
             SELECT '652801', 'hotel', '酒店 ' || n FROM generate_series(1, 5001) n
             RETURNING id)
         INSERT INTO venue_codes (venue_id, code, key_version, code_seq)
         SELECT id, 'cap' || id, 1, 0 FROM made",
    )
    .execute(&app.pool)
    .await
    .expect("many venues");
    let korla = regulator(&app, "korla", "652801").await;

    let page = korla.get_page("/console/posters?lang=en").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.select_text("#selection-count"),
        "This selection holds 5002 venues, more than the 5000 one download may hold. \
         Please narrow it by category or choose a smaller region."
    );
    assert!(!page.exists("#print-link") && !page.exists("#zip-link"));

    for route in ["/console/posters/print", "/console/posters/codes.zip"] {
        let page = korla.get_page(&format!("{route}?lang=en")).await;
        assert_eq!(page.status, 422, "{route}");
        assert!(page.body.contains("more than 5,000 venues"), "{route}");
    }
    assert!(audited(&app, "export:posters.html").await.is_empty());
    assert!(audited(&app, "export:posters.zip").await.is_empty());

    // Narrowed by category, it is one venue again.
    let download = korla
        .download("/console/posters/codes.zip?category=restaurant")
        .await;
    assert_eq!(download.status, 200);
    let names: Vec<String> = unzip(&download).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names.len(), 3);
    assert!(names[0].starts_with(&format!("{:05}-", id_of(&restaurant))));
}
