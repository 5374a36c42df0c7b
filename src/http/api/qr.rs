//! The venue's QR code as PNG or SVG; it encodes exactly the rating URL.
//! Only the venue's staff and the regulators and admins over it may fetch
//! it (with a bearer token or a signed-in session), in a few sizes and
//! margins; each image is rendered once off the async workers and kept.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use image::{GrayImage, ImageFormat, Luma};
use moka::future::Cache;
use qrcode::{Color, EcLevel, QrCode};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::app::Caller;
use crate::app::path_ids::parse_id;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageProblem, SignedIn};
use crate::store::ScopeFilter;
use crate::store::venues;
use crate::telemetry::Metrics;

/// The widths (pixels for PNG, `width`/`height` for SVG) a code is served in.
pub const QR_SIZES: [u32; 5] = [128, 256, 512, 1024, 2048];
/// The quiet zones (in modules) a code is served with.
pub const QR_MARGINS: [u32; 6] = [0, 1, 2, 4, 8, 16];
/// How many bytes of rendered images are kept.
const QR_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// Size and margin of the rendered code.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QrParams {
    /// Width in pixels (PNG) or `width`/`height` (SVG): 128, 256, 512, 1024
    /// or 2048; default 512. Anything else is 422.
    pub size: Option<u32>,
    /// Quiet zone in modules: 0, 1, 2, 4, 8 or 16; default 4 (what scanners
    /// expect). Anything else is 422.
    pub margin: Option<u32>,
}

/// One image of one code: what a rendered image is kept under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    format: QrFormat,
    size: u32,
    margin: u32,
}

/// The image formats a code is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QrFormat {
    /// A PNG of whole-pixel modules.
    Png,
    /// An SVG of unit squares.
    Svg,
}

impl QrFormat {
    fn key(self) -> &'static str {
        match self {
            QrFormat::Png => "png",
            QrFormat::Svg => "svg",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            QrFormat::Png => "image/png",
            QrFormat::Svg => "image/svg+xml",
        }
    }
}

impl QrParams {
    fn layout(&self, format: QrFormat) -> Result<Layout, ApiError> {
        let size = self.size.unwrap_or(512);
        let margin = self.margin.unwrap_or(4);
        if !QR_SIZES.contains(&size) {
            return Err(ApiError::invalid(
                "invalid-qr-parameters",
                "size must be one of 128, 256, 512, 1024, 2048",
            ));
        }
        if !QR_MARGINS.contains(&margin) {
            return Err(ApiError::invalid(
                "invalid-qr-parameters",
                "margin must be one of 0, 1, 2, 4, 8, 16",
            ));
        }
        Ok(Layout {
            format,
            size,
            margin,
        })
    }
}

/// Rendered venue codes by rating URL and layout, bounded by bytes; a flood
/// of requests for one image renders it once.
#[derive(Clone)]
pub struct QrImages {
    images: Cache<(String, Layout), web::Bytes>,
    metrics: Metrics,
}

impl QrImages {
    /// An empty cache counting its renders in `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        let images = Cache::builder()
            .max_capacity(QR_CACHE_BYTES)
            .weigher(|_, image: &web::Bytes| u32::try_from(image.len()).unwrap_or(u32::MAX))
            .time_to_idle(std::time::Duration::from_secs(3600))
            .build();
        Self { images, metrics }
    }

    /// The image of `url` in `layout`, rendered on the blocking pool the
    /// first time it is asked for.
    async fn image(&self, url: &str, layout: Layout) -> Result<web::Bytes, ApiError> {
        let key = (url.to_owned(), layout);
        self.images
            .try_get_with(key, async {
                let url = url.to_owned();
                let rendered = web::block(move || match layout.format {
                    QrFormat::Png => render_png(&url, layout.size, layout.margin),
                    QrFormat::Svg => {
                        render_svg(&url, layout.size, layout.margin).map(String::into_bytes)
                    }
                })
                .await
                .map_err(|_| ApiError::Internal)??;
                self.metrics.qr_rendered(layout.format.key());
                Ok::<_, ApiError>(web::Bytes::from(rendered))
            })
            .await
            .map_err(|err: Arc<ApiError>| {
                tracing::error!(error = %err, "QR rendering failed");
                ApiError::Internal
            })
    }

    /// The SVG of `url`, `size` wide with a quiet zone of `margin`, from the cache.
    pub async fn svg(&self, url: &str, size: u32, margin: u32) -> Result<String, ApiError> {
        let layout = Layout {
            format: QrFormat::Svg,
            size,
            margin,
        };
        let image = self.image(url, layout).await?;
        String::from_utf8(image.to_vec()).map_err(|_| ApiError::Internal)
    }
}

struct Modules {
    width: u32,
    dark: Vec<bool>,
}

fn modules(url: &str) -> Result<Modules, ApiError> {
    // Level M survives a scuffed poster and keeps the code small.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|_| ApiError::Internal)?;
    let width = code.width() as u32;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok(Modules { width, dark })
}

/// Renders a PNG whose modules are whole pixels, as close to `size` as fits.
pub fn render_png(url: &str, size: u32, margin: u32) -> Result<Vec<u8>, ApiError> {
    let m = modules(url)?;
    let total = m.width + 2 * margin;
    let scale = (size / total).max(1);
    let side = total * scale;
    let mut img = GrayImage::from_pixel(side, side, Luma([255u8]));
    for y in 0..m.width {
        for x in 0..m.width {
            if m.dark[(y * m.width + x) as usize] {
                for dy in 0..scale {
                    for dx in 0..scale {
                        img.put_pixel(
                            (x + margin) * scale + dx,
                            (y + margin) * scale + dy,
                            Luma([0u8]),
                        );
                    }
                }
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|_| ApiError::Internal)?;
    Ok(out.into_inner())
}

/// Renders an SVG with one path of unit squares, scaled to `size`.
pub fn render_svg(url: &str, size: u32, margin: u32) -> Result<String, ApiError> {
    let m = modules(url)?;
    let total = m.width + 2 * margin;
    let mut path = String::new();
    for y in 0..m.width {
        for x in 0..m.width {
            if m.dark[(y * m.width + x) as usize] {
                path.push_str(&format!("M{} {}h1v1h-1z", x + margin, y + margin));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {total} {total}\" shape-rendering=\"crispEdges\"><rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>"
    ))
}

/// The caller behind a bearer token or, without one, a signed-in session
/// (the dashboard and console pages show the code as an image).
async fn viewer(req: &HttpRequest) -> Result<Caller, ApiError> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        return Caller::extract(req).await;
    }
    match SignedIn::extract(req).await {
        Ok(signed_in) => Ok(signed_in.caller),
        Err(err) => Err(match err.problem {
            PageProblem::SignInFirst | PageProblem::EnrolFirst => ApiError::Unauthorized,
            PageProblem::Forbidden => {
                ApiError::Forbidden("your role may not fetch QR codes".into())
            }
            PageProblem::Unavailable => ApiError::Unavailable,
            _ => ApiError::Internal,
        }),
    }
}

async fn respond(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: &str,
    params: &QrParams,
    format: QrFormat,
) -> Result<HttpResponse, ApiError> {
    let caller = viewer(&req).await?;
    let layout = params.layout(format)?;
    let id = parse_id(id)?;
    let scope = ScopeFilter::of(&caller.principal.scope, &*state.reference.regions().await?);
    let venue = venues::in_scope(&state.pool, id, &scope)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let url = state.rating_url(&venue.code);
    let etag = {
        let digest = Sha256::digest(
            format!("{}|{url}|{}|{}", format.key(), layout.size, layout.margin).as_bytes(),
        );
        format!("\"{}\"", data_encoding::HEXLOWER.encode(&digest[..12]))
    };
    // Only for whoever may see the code: never kept by a shared cache.
    let cache_control = (header::CACHE_CONTROL, "private, max-age=300");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header(cache_control)
            .finish());
    }
    let image = state.qr_images.image(&url, layout).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header(cache_control)
        .insert_header((header::VARY, "Authorization, Cookie"))
        .content_type(format.content_type())
        .body(image))
}

/// The venue's QR code as PNG, for its staff and the regulators and admins over it.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/qr.png", tag = "venues",
    params(("id" = i64, Path, description = "Venue id"), QrParams),
    responses(
        (status = 200, description = "PNG encoding rating_url", content_type = "image/png"),
        (status = 304, description = "Not modified (ETag)"),
        (status = 401, description = "No valid bearer token or session"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "size or margin not one of the served values"),
    ),
    security(("bearer" = []))
)]
pub async fn png(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    params: web::Query<QrParams>,
) -> Result<HttpResponse, ApiError> {
    respond(req, state, &path, &params, QrFormat::Png).await
}

/// The venue's QR code as SVG, for its staff and the regulators and admins over it.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/qr.svg", tag = "venues",
    params(("id" = i64, Path, description = "Venue id"), QrParams),
    responses(
        (status = 200, description = "SVG encoding rating_url", content_type = "image/svg+xml"),
        (status = 304, description = "Not modified (ETag)"),
        (status = 401, description = "No valid bearer token or session"),
        (status = 404, description = "Unknown venue, or outside the caller's scope"),
        (status = 422, description = "size or margin not one of the served values"),
    ),
    security(("bearer" = []))
)]
pub async fn svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    params: web::Query<QrParams>,
) -> Result<HttpResponse, ApiError> {
    respond(req, state, &path, &params, QrFormat::Svg).await
}
