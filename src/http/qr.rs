//! The venue's QR code as PNG or SVG; it encodes exactly the rating URL.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use image::{GrayImage, ImageFormat, Luma};
use qrcode::{Color, EcLevel, QrCode};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::AppState;
use super::venues::parse_id;
use crate::error::ApiError;
use crate::store::venues;

/// Size and margin of the rendered code.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QrParams {
    /// Target width in pixels (PNG) or viewBox units (SVG), 64–2048; default 512.
    pub size: Option<u32>,
    /// Quiet zone in modules, 0–16; default 4 (what scanners expect).
    pub margin: Option<u32>,
}

struct Layout {
    size: u32,
    margin: u32,
}

impl QrParams {
    fn layout(&self) -> Result<Layout, ApiError> {
        let size = self.size.unwrap_or(512);
        let margin = self.margin.unwrap_or(4);
        if !(64..=2048).contains(&size) {
            return Err(ApiError::invalid(
                "invalid-qr-parameters",
                "size must be from 64 to 2048",
            ));
        }
        if margin > 16 {
            return Err(ApiError::invalid(
                "invalid-qr-parameters",
                "margin must be from 0 to 16",
            ));
        }
        Ok(Layout { size, margin })
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

async fn respond(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: &str,
    params: &QrParams,
    format: &'static str,
) -> Result<HttpResponse, ApiError> {
    let layout = params.layout()?;
    let id = parse_id(id)?;
    let venue = venues::get(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("venue"))?;
    let url = state.rating_url(&venue.code);
    let etag = {
        let digest =
            Sha256::digest(format!("{format}|{url}|{}|{}", layout.size, layout.margin).as_bytes());
        format!("\"{}\"", data_encoding::HEXLOWER.encode(&digest[..12]))
    };
    let cache_control = (header::CACHE_CONTROL, "public, max-age=300");
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
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag))
        .insert_header(cache_control);
    Ok(match format {
        "png" => {
            response
                .content_type("image/png")
                .body(render_png(&url, layout.size, layout.margin)?)
        }
        _ => response.content_type("image/svg+xml").body(render_svg(
            &url,
            layout.size,
            layout.margin,
        )?),
    })
}

/// The venue's QR code as PNG.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/qr.png", tag = "venues",
    params(("id" = i64, Path, description = "Venue id"), QrParams),
    responses(
        (status = 200, description = "PNG encoding rating_url", content_type = "image/png"),
        (status = 304, description = "Not modified (ETag)"),
        (status = 404, description = "Unknown venue"),
        (status = 422, description = "size or margin out of bounds"),
    )
)]
pub async fn png(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    params: web::Query<QrParams>,
) -> Result<HttpResponse, ApiError> {
    respond(req, state, &path, &params, "png").await
}

/// The venue's QR code as SVG.
#[utoipa::path(
    get, path = "/api/v1/venues/{id}/qr.svg", tag = "venues",
    params(("id" = i64, Path, description = "Venue id"), QrParams),
    responses(
        (status = 200, description = "SVG encoding rating_url", content_type = "image/svg+xml"),
        (status = 304, description = "Not modified (ETag)"),
        (status = 404, description = "Unknown venue"),
        (status = 422, description = "size or margin out of bounds"),
    )
)]
pub async fn svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    params: web::Query<QrParams>,
) -> Result<HttpResponse, ApiError> {
    respond(req, state, &path, &params, "svg").await
}
