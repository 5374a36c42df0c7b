use crate::common::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn a_score_is_published_from_the_fifth_rating_on() {
    let app = spawn_app().await;
    let venue = app.hotel().await;
    let venue_id = venue["id"].as_i64().unwrap();
    let empty = app.score(venue_id).await;
    assert_eq!(empty["published"], false);
    assert_eq!(empty["score"], Value::Null);
    assert_eq!(empty["histogram"], json!([0, 0, 0, 0, 0]));
    assert_eq!(empty["tier"], Value::Null);

    let stars = [5, 4, 4, 2];
    for (i, overall) in stars.iter().enumerate() {
        let body = json!({ "code": venue["code"], "device_id": format!("score-dev-{i:03}"), "overall": overall, "dimensions": { "attitude": 5 } });
        assert_eq!(app.post_rating(&body).await.status(), 201);
    }
    let four = app.score(venue_id).await;
    assert_eq!(four["ratings"], 4);
    assert_eq!(four["published"], false, "not enough ratings yet");
    assert_eq!(four["score"], Value::Null);

    let fifth = json!({ "code": venue["code"], "device_id": "score-dev-999", "overall": 5, "tags": ["clean"] });
    assert_eq!(app.post_rating(&fifth).await.status(), 201);
    let score = app.score(venue_id).await;
    assert_eq!(score["venue_id"], venue_id);
    assert_eq!(score["published"], true);
    assert_eq!(score["ratings"], 5);
    assert_eq!(score["today"], 5);
    assert_eq!(score["histogram"], json!([0, 1, 0, 2, 2]));
    // Mean stars (5+4+4+2+5)/5 = 4.0 → (4 − 1) / 4 × 100 = 75.
    assert_eq!(score["score"], 75.0);
    // Four attitude ratings of 5 → 100; no environment ratings → null.
    assert_eq!(score["dimensions"]["attitude"], 100.0);
    assert_eq!(score["dimensions"]["environment"], Value::Null);
    assert_eq!(score["tags"]["clean"], 1);
    // Wilson lower bound of 4/5 at 95 %: ≈ 0.376.
    let confidence = score["confidence"].as_f64().unwrap();
    assert!((confidence - 0.376).abs() < 0.002, "{confidence}");
}
