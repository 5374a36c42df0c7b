//! The OpenAPI document, generated from the handlers, and a small offline page
//! that lists it for people.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use utoipa::openapi::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::api::accounts;
use crate::http::api::alerts;
use crate::http::api::appeals;
use crate::http::api::audit;
use crate::http::api::campaigns;
use crate::http::api::complaints;
use crate::http::api::health;
use crate::http::api::holidays;
use crate::http::api::inspections;
use crate::http::api::integrity;
use crate::http::api::lists;
use crate::http::api::moderation;
use crate::http::api::qr;
use crate::http::api::quality_officers;
use crate::http::api::rankings;
use crate::http::api::ratings;
use crate::http::api::ratings::MAX_JSON_BYTES;
use crate::http::api::repairs;
use crate::http::api::reports;
use crate::http::api::scores;
use crate::http::api::supervision;
use crate::http::api::tier_overrides;
use crate::http::api::tokens;
use crate::http::api::venue_admin;
use crate::http::api::venue_staff;
use crate::http::api::venues;
use crate::http::html::{NO_SCRIPT_CSP, page_response};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Every route, public ones too, refuses a bad bearer token before
        // its handler runs (`access::bearer_gate`): say so on each.
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                operation
                    .responses
                    .responses
                    .entry("401".to_owned())
                    .or_insert_with(|| {
                        Response::new(
                            "A malformed Authorization header, or an unknown, revoked or expired \
                             bearer token (`WWW-Authenticate: Bearer error=\"invalid_token\"`)",
                        )
                        .into()
                    });
            }
        }
    }
}

struct BodyLimit;

impl Modify for BodyLimit {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // Every body is read under the one size limit (`PayloadConfig` in
        // `startup.rs`) and an oversized one answered by `body_limit`: say so
        // on each operation that takes a body.
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.request_body.is_none() {
                    continue;
                }
                operation
                    .responses
                    .responses
                    .entry("413".to_owned())
                    .or_insert_with(|| {
                        Response::new(format!(
                            "A body over {MAX_JSON_BYTES} bytes (`/problems/body-too-large`)"
                        ))
                        .into()
                    });
            }
        }
    }
}

/// The service's OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(title = "qrfeedback", description = "Service-quality ratings for tourism venues: venues, QR codes, ratings and scores. Errors are application/problem+json with a stable `type`."),
    paths(
        health::healthz, health::readyz,
        venues::create, venues::get, venues::reissue_code,
        qr::png, qr::svg,
        ratings::create, moderation::quarantine, moderation::release,
        scores::venue_score, scores::tier_history,
        rankings::ranking, rankings::region_score, reports::region_report,
        tokens::create, tokens::revoke, audit::list,
        accounts::create, accounts::list, accounts::update, accounts::reset_second_factor,
        accounts::password_link, accounts::accept_invitation,
        supervision::overview, supervision::venue_ratings,
        supervision::create_violation, supervision::list_violations,
        inspections::create, inspections::list, inspections::add_photo,
        inspections::draw, inspections::get_draw,
        tier_overrides::set, tier_overrides::end,
        venue_staff::comments, venue_staff::reply,
        venue_staff::put_commitment, venue_staff::put_quality_officer,
        complaints::list, complaints::get, complaints::transition, complaints::reveal_contact,
        complaints::enter,
        appeals::file, appeals::list, appeals::decide, appeals::bad_ratings,
        appeals::bad_rating_step,
        alerts::inbox, alerts::read,
        integrity::queue, integrity::incident, integrity::decide_incident, integrity::decide_hold,
        holidays::list, holidays::put, holidays::delete, holidays::get_clocks, holidays::put_clocks,
        venue_admin::update, venue_admin::import,
        venue_admin::template_csv, venue_admin::template_xlsx,
        lists::propose, lists::for_venue, lists::get, lists::statement, lists::decision,
        lists::serious, lists::quality,
        quality_officers::registry, quality_officers::record, quality_officers::decide,
        quality_officers::add_training, quality_officers::remove_training,
        quality_officers::evaluate,
        repairs::apply, repairs::list, repairs::get, repairs::decision, repairs::evidence,
        repairs::regrade,
        campaigns::create, campaigns::list, campaigns::get, campaigns::proposals,
        campaigns::nominate, campaigns::remove, campaigns::submit, campaigns::review,
        campaigns::award, campaigns::nominations, campaigns::ambassador, campaigns::deeds,
        campaigns::form, campaigns::for_venue,
    ),
    modifiers(&BearerAuth, &BodyLimit)
)]
pub struct ApiDoc;

/// `GET /openapi.json`.
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /docs`: every operation with its parameters and answers, from the same document.
pub async fn docs_page() -> HttpResponse {
    let doc = ApiDoc::openapi();
    let mut body = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>qrfeedback API</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#1a1a1a}code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:4px}section{border-top:1px solid #ccc;padding:.5rem 0}.m{font-weight:700;text-transform:uppercase;margin-right:.5rem}</style></head><body><h1>qrfeedback API</h1><p>The machine-readable document is at <a href=\"/openapi.json\">/openapi.json</a>. Errors are <code>application/problem+json</code>.</p>",
    );
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("delete", &item.delete),
            ("patch", &item.patch),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            body.push_str(&format!(
                "<section><h2><span class=\"m\">{method}</span><code>{}</code></h2>",
                escape(path)
            ));
            if let Some(summary) = &op.summary {
                body.push_str(&format!("<p>{}</p>", escape(summary)));
            }
            if let Some(description) = &op.description {
                body.push_str(&format!("<p>{}</p>", escape(description)));
            }
            body.push_str("<ul>");
            for (status, response) in &op.responses.responses {
                let text = match response {
                    utoipa::openapi::RefOr::T(r) => r.description.clone(),
                    utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                };
                body.push_str(&format!(
                    "<li><code>{}</code> {}</li>",
                    escape(status),
                    escape(&text)
                ));
            }
            body.push_str("</ul></section>");
        }
    }
    body.push_str("</body></html>");
    // Inline style only, no script: the same policy as the score pages.
    page_response(StatusCode::OK, NO_SCRIPT_CSP, body)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    #[test]
    fn an_audit_entry_may_have_no_before_or_after() {
        let doc = document();
        let record = &doc["components"]["schemas"]["AuditRecord"];
        for field in ["before", "after"] {
            let types = &record["properties"][field]["type"];
            assert_eq!(types, &serde_json::json!(["object", "null"]), "{field}");
            assert!(
                !record["required"]
                    .as_array()
                    .unwrap()
                    .contains(&Value::from(field)),
                "{field}"
            );
        }
    }

    #[test]
    fn quarantine_and_release_document_a_malformed_body() {
        let doc = document();
        for action in ["quarantine", "release"] {
            let responses =
                &doc["paths"][format!("/api/v1/ratings/{{id}}/{action}")]["post"]["responses"];
            for status in ["400", "413", "422"] {
                assert!(responses[status].is_object(), "{action} {status}");
            }
        }
    }

    #[test]
    fn venue_ratings_paging_is_documented_as_bounded_whole_numbers() {
        let doc = document();
        let parameters = doc["paths"]["/api/v1/venues/{id}/ratings"]["get"]["parameters"]
            .as_array()
            .unwrap();
        for (name, max) in [("page", 100_000), ("per_page", 100)] {
            let parameter = parameters
                .iter()
                .find(|p| p["name"] == name)
                .unwrap_or_else(|| panic!("{name} is documented"));
            let schema = &parameter["schema"];
            assert_eq!(schema["type"], "integer", "{name}");
            assert_eq!(schema["minimum"], 1, "{name}");
            assert_eq!(schema["maximum"], max, "{name}");
        }
    }

    #[test]
    fn every_operation_with_a_body_documents_the_size_limit() {
        let doc = document();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if operation.get("requestBody").is_some() {
                    assert!(operation["responses"]["413"].is_object(), "{method} {path}");
                }
            }
        }
    }

    #[test]
    fn typed_ids_are_documented_as_the_integers_they_are() {
        let doc = document();
        for name in ["VenueId", "RatingId", "AccountId"] {
            let schema = &doc["components"]["schemas"][name];
            assert_eq!(schema["type"], "integer", "{name}: {schema}");
            assert_eq!(schema["format"], "int64", "{name}: {schema}");
        }
        let venue = &doc["components"]["schemas"]["VenueBody"]["properties"]["id"];
        assert_eq!(venue["$ref"], "#/components/schemas/VenueId", "{venue}");
    }
}
