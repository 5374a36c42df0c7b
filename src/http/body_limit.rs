//! Bodies the framework refuses before a handler runs (over the size limit,
//! cut short, badly encoded), answered in the route's own format:
//! problem+json on the JSON API, the friendly page in the visitor's language
//! on the HTML form routes. The framework's own answer is plain text.

use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpResponse, ResponseError, web};

use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::ratings::MAX_JSON_BYTES;
use crate::http::html::negotiate_language;
use crate::http::pages::visitor::rating;
use crate::http::pages::visitor::view::ErrorPage;

/// The middleware that rewrites the framework's body errors; wrap it inside
/// any middleware that adds headers, so they apply to the rewritten answer.
pub fn body_errors<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new()
        .handler(StatusCode::PAYLOAD_TOO_LARGE, refused_body)
        .handler(StatusCode::BAD_REQUEST, refused_body)
}

/// Whether a path belongs to the JSON API, which answers problem+json.
fn is_json_route(path: &str) -> bool {
    path.starts_with("/api/")
}

fn refused_body<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Handlers' own 400s are already in the route's format; only a body the
    // framework could not read is rewritten.
    let payload_error = res
        .response()
        .error()
        .and_then(|err| err.as_error::<PayloadError>())
        .map(|err| (matches!(err, PayloadError::Overflow), err.to_string()));
    let Some((too_large, reason)) = payload_error else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    let (req, _) = res.into_parts();
    let answer: HttpResponse = if is_json_route(req.path()) {
        let problem = if too_large {
            ApiError::BodyTooLarge {
                max_bytes: MAX_JSON_BYTES,
            }
        } else {
            ApiError::BadBody(reason)
        };
        problem.error_response()
    } else {
        let page = if too_large {
            ErrorPage::TooLarge
        } else {
            ErrorPage::BadRequest
        };
        // The app's settings are always there; a bare test service has none.
        let imprint = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.settings.imprint.clone())
            .unwrap_or_default();
        rating::error(&imprint, negotiate_language(&req, None), page)
    };
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, answer).map_into_right_body(),
    ))
}
