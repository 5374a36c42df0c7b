use crate::common::{ADMIN_TOKEN, spawn_app};
use serde_json::{Value, json};

#[tokio::test]
async fn admin_creates_a_venue_and_reads_it_with_its_code() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let code = venue["code"].as_str().unwrap();
    assert!(code.len() <= 12 && code.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(
        venue["rating_url"],
        format!("https://q.example.org/r/{code}")
    );
    assert_eq!(venue["region_code"], "652801");
    assert_eq!(venue["category"], "hotel");

    let read: Value = app
        .get_as(ADMIN_TOKEN, &format!("/api/v1/venues/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["code"], code);
    assert_eq!(read["rating_url"], venue["rating_url"]);
    assert_eq!(read["name"], "孔雀河酒店");
}

#[tokio::test]
async fn an_anonymous_reader_gets_no_venue_code() {
    let app = spawn_app().await;
    let first = app.hotel().await;
    let second = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    // Ids are sequential: walking them must not collect codes.
    for venue in [&first, &second] {
        let id = venue["id"].as_i64().unwrap();
        let response = app.get(&format!("/api/v1/venues/{id}")).await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        let code = venue["code"].as_str().unwrap();
        assert!(!text.contains(code), "the code leaked: {text}");
        let read: Value = serde_json::from_str(&text).unwrap();
        for hidden in ["code", "rating_url", "qr_png_url", "qr_svg_url"] {
            assert!(read.get(hidden).is_none(), "{hidden} in {read}");
        }
        assert_eq!(read["id"], id);
        assert_eq!(read["name"], venue["name"]);
        assert_eq!(read["region_code"], venue["region_code"]);
        assert_eq!(read["category"], "hotel");
        assert!(read.get("address").is_some());
        assert_eq!(read["page_url"], format!("https://q.example.org/v/{id}"));
        assert_eq!(
            read["score_url"],
            format!("https://q.example.org/api/v1/venues/{id}/score")
        );
    }
    // Nor does the venue's public page show it.
    let id = first["id"].as_i64().unwrap();
    let page = app.get(&format!("/v/{id}")).await.text().await.unwrap();
    assert!(page.contains("孔雀河酒店"));
    assert!(!page.contains(first["code"].as_str().unwrap()));
    assert_eq!(app.get("/api/v1/venues/999999").await.status(), 404);
}

#[tokio::test]
async fn staff_and_regulators_in_scope_read_the_code_and_others_the_public_shape() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let path = format!("/api/v1/venues/{id}");
    let staff = app
        .api_token(json!({ "name": "desk", "role": "venue_staff", "venue_ids": [id] }))
        .await;
    let bayingolin = app
        .api_token(json!({ "name": "巴州", "role": "regulator", "region_code": "652800" }))
        .await;
    let other = app.create_venue("昌吉宾馆", "652301", "hotel").await;
    let other_staff = app
        .api_token(json!({ "name": "昌吉前台", "role": "venue_staff", "venue_ids": [other["id"]] }))
        .await;
    let changji = app
        .api_token(json!({ "name": "昌吉", "role": "regulator", "region_code": "652300" }))
        .await;
    for token in [&staff, &bayingolin] {
        let read: Value = app.get_as(token, &path).await.json().await.unwrap();
        assert_eq!(read["code"], venue["code"]);
        assert_eq!(read["rating_url"], venue["rating_url"]);
    }
    for token in [&other_staff, &changji] {
        let response = app.get_as(token, &path).await;
        assert_eq!(response.status(), 200);
        let read: Value = response.json().await.unwrap();
        assert_eq!(read["name"], "孔雀河酒店");
        assert!(read.get("code").is_none() && read.get("rating_url").is_none());
    }
    assert_eq!(app.get_as("qrf_not-a-token", &path).await.status(), 401);
}

#[tokio::test]
async fn creating_a_venue_needs_the_admin_token() {
    let app = spawn_app().await;
    let body = json!({ "name": "x", "region_code": "652801", "category": "hotel" });
    let url = format!("{}/api/v1/venues", app.address);
    let none = app.client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    let wrong = app
        .client
        .post(&url)
        .bearer_auth("not-the-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let problem: Value = wrong.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/unauthorized");
    let count: i64 = app.count("venues").await;
    assert_eq!(count, 0);
}

#[tokio::test]
async fn invalid_venues_are_refused_with_problems_and_nothing_is_written() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/venues", app.address);
    let cases = [
        (
            json!({ "name": "x", "region_code": "999999", "category": "hotel" }),
            422,
            "/problems/unknown-region",
        ),
        (
            json!({ "name": "x", "region_code": "652801", "category": "spaceport" }),
            422,
            "/problems/unknown-category",
        ),
        (
            json!({ "name": "x", "region_code": "6528", "category": "hotel" }),
            422,
            "/problems/invalid-venue",
        ),
        (
            json!({ "name": "", "region_code": "652801", "category": "hotel" }),
            422,
            "/problems/invalid-venue",
        ),
        (
            json!({ "name": "x", "region_code": 652801, "category": "hotel" }),
            422,
            "/problems/invalid-body",
        ),
        (
            json!({ "region_code": "652801", "category": "hotel" }),
            422,
            "/problems/invalid-body",
        ),
    ];
    for (body, status, kind) in cases {
        let response = app
            .client
            .post(&url)
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["type"], kind, "{body}");
        assert!(!problem["detail"].as_str().unwrap().is_empty());
    }
    let malformed = app
        .client
        .post(&url)
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let problem: Value = malformed.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/malformed-json");
    let count: i64 = app.count("venues").await;
    assert_eq!(count, 0);
}

#[tokio::test]
async fn unknown_venues_are_404() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/venues/12345",
        "/api/v1/venues/abc",
        "/api/v1/venues/-1",
        "/api/v1/venues/1/score",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
}

#[tokio::test]
async fn a_reissued_code_answers_replaced_and_cannot_be_rated() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let id = venue["id"].as_i64().unwrap();
    let old = venue["code"].as_str().unwrap().to_owned();
    // Warm the code cache, as a real scan would.
    assert_eq!(app.get(&format!("/r/{old}")).await.status(), 200);

    let url = format!("{}/api/v1/venues/{id}/code", app.address);
    assert_eq!(app.client.post(&url).send().await.unwrap().status(), 401);
    let reissued: Value = app
        .client
        .post(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new = reissued["code"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(
        reissued["rating_url"],
        format!("https://q.example.org/r/{new}")
    );

    let page = app.get(&format!("/r/{old}")).await;
    assert_eq!(page.status(), 410);
    let html = page.text().await.unwrap();
    assert!(html.contains("<html"), "a friendly page, not a bare error");
    assert_eq!(app.get(&format!("/r/{new}")).await.status(), 200);

    let refused = app.post_rating(&json!({ "code": old, "overall": 5 })).await;
    assert_eq!(refused.status(), 410);
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/code-replaced");
    assert_eq!(
        app.post_rating(&json!({ "code": new, "overall": 5 }))
            .await
            .status(),
        201
    );
}

/// A venue's address is parsed like its name: a NUL (which Postgres refuses)
/// is a 422 problem and stores nothing; a direction override is dropped, as
/// from the name, so the stored address reads as it is shown.
#[tokio::test]
async fn an_address_with_a_nul_is_refused_and_a_direction_override_dropped() {
    let app = spawn_app().await;
    let url = format!("{}/api/v1/venues", app.address);
    let post = |address: &str| {
        app.client
            .post(&url)
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({
                "name": "孔雀河酒店", "region_code": "652801", "category": "hotel", "address": address,
            }))
            .send()
    };
    let response = post("人民东路\u{0}1号").await.unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "/problems/invalid-venue");
    assert_eq!(app.count("venues").await, 0);

    let response = post("人民东路\u{202E}1号").await.unwrap();
    assert_eq!(response.status(), 201);
    let venue: Value = response.json().await.unwrap();
    assert_eq!(venue["address"], "人民东路1号");
    let stored: String = sqlx::query_scalar("SELECT address FROM venues")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, "人民东路1号");
}
