//! The JSON body of a request as an extractor: read under the one size
//! limit (`PayloadConfig`), then parsed as the handler's request type. Not
//! JSON at all is a 400 problem, JSON of the wrong shape a 422 one.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::http::api::ratings::parse_json;

/// A request body parsed as `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The body's own errors (too large, cut short) are answered as before.
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = bytes.await?;
            Ok(JsonBody(parse_json(&body)?))
        })
    }
}
