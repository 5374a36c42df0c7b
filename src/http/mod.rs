//! The HTTP side: the JSON API ([`api`]), who is calling ([`auth`]), the
//! HTML pages by audience ([`pages`]), and the one route table
//! ([`routes`](mod@routes)) that gives every route its handler and who may
//! call it. [`AppState`] is what every handler shares.

pub mod api;
pub mod auth;
pub mod body_limit;
pub mod client;
pub mod code_archive;
pub mod export;
pub mod html;
pub mod imprint;
pub mod pages;
pub mod routes;
pub mod security_headers;

use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use crate::app::Services;
use crate::domain::code::VenueCode;
use crate::error::ApiError;
use crate::store::StoreError;
use crate::store::venues::{CodeStatus, lookup_code};

/// How long a resolved code is cached in process. A reissue clears the local
/// entry at once; other instances see it within this time.
const CODE_CACHE_TTL: Duration = Duration::from_secs(10);

/// Why a scanned code could not be looked up; the cause is logged where it
/// happened, once for all the requests that waited on that lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeLookupError {
    /// Postgres is unreachable or timed out.
    #[error("the database is unavailable")]
    Unavailable,
    /// Any other failure.
    #[error("code lookup failed")]
    Failed,
}

impl From<CodeLookupError> for ApiError {
    fn from(err: CodeLookupError) -> Self {
        match err {
            CodeLookupError::Unavailable => ApiError::Unavailable,
            CodeLookupError::Failed => ApiError::Internal,
        }
    }
}

/// A lookup that leaves nothing to cache.
enum CodeMiss {
    Unknown,
    Failed(CodeLookupError),
}

/// Shared state of every handler: the services the use-cases share, and
/// the HTTP side's own caches.
#[derive(Clone)]
pub struct AppState {
    /// What the use-cases work with; reached through `Deref` as well.
    pub services: Services,
    codes: Cache<String, CodeStatus>,
    /// First-view rating pages by (code, language), split around the form token.
    pub page_shells: Cache<(String, &'static str), Arc<PageShell>>,
    /// Rendered venue QR codes.
    pub qr_images: api::qr::QrImages,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

/// A rendered first-view rating page with a hole where the per-view form token goes.
#[derive(Debug)]
pub struct PageShell {
    /// Everything before the token.
    pub before_token: String,
    /// Everything after the token.
    pub after_token: String,
}

impl AppState {
    /// Builds the state around the shared services, with empty caches.
    pub fn new(services: Services) -> Self {
        let codes = Cache::builder()
            .max_capacity(200_000)
            .time_to_live(CODE_CACHE_TTL)
            .build();
        // Pages change with the venue's name and code: same lifetime as codes.
        let page_shells = Cache::builder()
            .max_capacity(20_000)
            .time_to_live(CODE_CACHE_TTL)
            .build();
        let qr_images = api::qr::QrImages::new(services.metrics.clone());
        Self {
            services,
            codes,
            page_shells,
            qr_images,
        }
    }

    /// Resolves a scanned code through the in-process cache. When a popular
    /// code's entry expires, the requests that miss it at once share one
    /// lookup instead of each taking a database connection.
    pub async fn resolve_code(&self, raw: &str) -> Result<CodeStatus, CodeLookupError> {
        let Some(code) = VenueCode::parse(raw) else {
            return Ok(CodeStatus::Unknown);
        };
        let loaded = self
            .codes
            .try_get_with_by_ref(code.as_str(), async {
                match lookup_code(&self.pool, self.secrets.code_key(), &code).await {
                    // Unknown codes are not cached: anyone can make up endless ones.
                    Ok(CodeStatus::Unknown) => Err(CodeMiss::Unknown),
                    Ok(status) => Ok(status),
                    Err(StoreError::Unavailable(_)) => {
                        Err(CodeMiss::Failed(CodeLookupError::Unavailable))
                    }
                    Err(StoreError::Other(err)) => {
                        tracing::error!(error = %err, "code lookup failed");
                        Err(CodeMiss::Failed(CodeLookupError::Failed))
                    }
                }
            })
            .await;
        match loaded {
            Ok(status) => Ok(status),
            Err(miss) => match *miss {
                CodeMiss::Unknown => Ok(CodeStatus::Unknown),
                CodeMiss::Failed(err) => Err(err),
            },
        }
    }

    /// Forgets a cached code (after a reissue).
    pub async fn forget_code(&self, code: &str) {
        self.codes.invalidate(code).await;
    }

    /// The public rating URL for a code.
    pub fn rating_url(&self, code: &str) -> String {
        format!("{}/r/{}", self.settings.public_base_url, code)
    }
}

pub use routes::routes;
