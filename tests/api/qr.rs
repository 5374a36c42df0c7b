use crate::common::spawn_app;

fn decode_png(bytes: &[u8]) -> String {
    let image = image::load_from_memory(bytes).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the image");
    let (_, content) = grids[0].decode().expect("decodable QR code");
    content
}

#[tokio::test]
async fn the_png_decodes_to_exactly_the_rating_url() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    for query in ["", "?size=200&margin=2", "?size=1024&margin=8"] {
        let response = app.get(&format!("/api/v1/venues/{id}/qr.png{query}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
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
        .get(&format!("/api/v1/venues/{id}/qr.svg?size=300"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("width=\"300\""));
    assert!(
        svg.matches("h1v1h-1z").count() > 100,
        "dark modules are drawn"
    );
}

#[tokio::test]
async fn etag_gives_304_and_bounds_are_enforced() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let url = format!("{}/api/v1/venues/{id}/qr.png", app.address);
    let first = app.client.get(&url).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(&url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    for query in ["size=10", "size=5000", "margin=17", "size=abc"] {
        let response = app
            .client
            .get(format!("{url}?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    assert_eq!(app.get("/api/v1/venues/999999/qr.svg").await.status(), 404);
}
