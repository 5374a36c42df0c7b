//! The venue's QR code: only for its staff and the regulators and admins
//! over it, in a few sizes and margins, each image rendered once.

use serde_json::{Value, json};

use crate::common::{ACCOUNT_PASSWORD, ADMIN_TOKEN, TestApp, spawn_app};

fn decode_png(bytes: &[u8]) -> String {
    let image = image::load_from_memory(bytes).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the image");
    let (_, content) = grids[0].decode().expect("decodable QR code");
    content
}

/// How many venue QR images the app has rendered in `format`, from `/metrics`.
async fn renders(app: &TestApp, format: &str) -> u64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    let prefix = format!("qrf_qr_renders_total{{format=\"{format}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map_or(0, |n| n.trim().parse().unwrap())
}

#[tokio::test]
async fn the_png_decodes_to_exactly_the_rating_url() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    for query in ["", "?size=256&margin=2", "?size=1024&margin=8"] {
        let response = app
            .get_as(ADMIN_TOKEN, &format!("/api/v1/venues/{id}/qr.png{query}"))
            .await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        let cache_control = response.headers()["cache-control"].to_str().unwrap();
        assert!(cache_control.contains("max-age") && cache_control.contains("private"));
        let bytes = response.bytes().await.unwrap();
        assert_eq!(
            decode_png(&bytes),
            venue["rating_url"].as_str().unwrap(),
            "query {query}"
        );
    }
}

#[tokio::test]
async fn the_svg_is_a_qr_code_of_the_requested_size() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let response = app
        .get_as(ADMIN_TOKEN, &format!("/api/v1/venues/{id}/qr.svg?size=256"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("width=\"256\""));
    assert!(
        svg.matches("h1v1h-1z").count() > 100,
        "dark modules are drawn"
    );
}

#[tokio::test]
async fn etag_gives_304_and_sizes_outside_the_served_set_are_refused() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let url = format!("{}/api/v1/venues/{id}/qr.png", app.address);
    let first = app
        .client
        .get(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(&url)
        .bearer_auth(ADMIN_TOKEN)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // Each of these was a fresh render before: any width from 64 to 2048.
    for query in [
        "size=10",
        "size=5000",
        "size=300",
        "size=2047",
        "size=64",
        "margin=17",
        "margin=3",
        "size=abc",
    ] {
        let response = app
            .client
            .get(format!("{url}?{query}"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    for size in [128, 256, 512, 1024, 2048] {
        let response = app
            .client
            .get(format!("{url}?size={size}&margin=0"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "size {size}");
    }
    assert_eq!(
        app.get_as(ADMIN_TOKEN, "/api/v1/venues/999999/qr.svg")
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn an_anonymous_caller_gets_no_qr_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    for format in ["png", "svg"] {
        let response = app.get(&format!("/api/v1/venues/{id}/qr.{format}")).await;
        assert_eq!(response.status(), 401, "{format}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    // Sequential ids do not lead to anyone's code either.
    assert_eq!(app.get("/api/v1/venues/999999/qr.png").await.status(), 401);
    assert_eq!(renders(&app, "png").await, 0);
}

#[tokio::test]
async fn qr_codes_go_to_the_venues_staff_and_supervisors_in_scope_only() {
    let app = spawn_app().await;
    let ours = app.hotel().await;
    let theirs = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let (ours_id, theirs_id) = (ours["id"].as_i64().unwrap(), theirs["id"].as_i64().unwrap());

    // A staff member signed in to the dashboard: the page's image loads.
    app.venue_staff("korla-desk", &[&ours]).await;
    let session = app.session_for("korla-desk", ACCOUNT_PASSWORD).await;
    let own = session
        .fetch(&format!("/api/v1/venues/{ours_id}/qr.svg?size=512"))
        .await;
    assert_eq!(own.status(), 200);
    let other = session
        .fetch(&format!("/api/v1/venues/{theirs_id}/qr.svg"))
        .await;
    assert_eq!(other.status(), 404);

    // Tokens: staff of the venue and a regulator over it may; one elsewhere may not.
    let staff = app
        .api_token(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [ours_id] }))
        .await;
    let bayingolin = app
        .api_token(json!({ "name": "巴州", "role": "regulator", "region_code": "652800" }))
        .await;
    let changji = app
        .api_token(json!({ "name": "昌吉", "role": "regulator", "region_code": "652300" }))
        .await;
    let png = format!("/api/v1/venues/{ours_id}/qr.png");
    for (token, status) in [(&staff, 200), (&bayingolin, 200), (&changji, 404)] {
        assert_eq!(app.get_as(token, &png).await.status(), status);
    }
    assert_eq!(
        app.get_as(&changji, &format!("/api/v1/venues/{theirs_id}/qr.png"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_flood_of_qr_requests_renders_each_image_once() {
    let app = spawn_app().await;
    let venue: Value = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let path = format!("/api/v1/venues/{id}/qr.png?size=2048&margin=16");
    let requests = (0..40).map(|_| app.get_as(ADMIN_TOKEN, &path));
    let responses = futures_util::future::join_all(requests).await;
    let mut bodies = Vec::new();
    for response in responses {
        assert_eq!(response.status(), 200);
        bodies.push(response.bytes().await.unwrap());
    }
    assert!(bodies.windows(2).all(|pair| pair[0] == pair[1]));
    assert_eq!(renders(&app, "png").await, 1, "one render for 40 requests");

    // Another layout is another image; a new code is another image too.
    assert_eq!(
        app.get_as(ADMIN_TOKEN, &format!("/api/v1/venues/{id}/qr.png?size=128"))
            .await
            .status(),
        200
    );
    assert_eq!(renders(&app, "png").await, 2);
    let reissued = app
        .client
        .post(format!("{}/api/v1/venues/{id}/code", app.address))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(reissued.status(), 200);
    let reissued: Value = reissued.json().await.unwrap();
    let fresh = app.get_as(ADMIN_TOKEN, &path).await.bytes().await.unwrap();
    assert_eq!(renders(&app, "png").await, 3);
    assert_eq!(decode_png(&fresh), reissued["rating_url"].as_str().unwrap());
}
