//! Who is on the other end: the client's address (through `TRUSTED_PROXIES`
//! only) and the key the rate limits count it under.

use std::net::IpAddr;

use actix_web::http::header::HeaderName;
use actix_web::{HttpRequest, web};

use crate::domain::client_addr::{TrustedProxies, limit_key};
use crate::http::AppState;

const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The client's address: the peer's, or from `X-Forwarded-For` when the
/// peer is a trusted proxy.
pub fn client_addr(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    let Some(trusted) = req
        .app_data::<web::Data<AppState>>()
        .map(|state| &state.settings.trusted_proxies)
        .filter(|trusted| !trusted.is_empty())
    else {
        return Some(peer.to_canonical());
    };
    Some(forwarded_client(trusted, peer, req))
}

fn forwarded_client(trusted: &TrustedProxies, peer: IpAddr, req: &HttpRequest) -> IpAddr {
    let values: Vec<&str> = req
        .headers()
        .get_all(X_FORWARDED_FOR)
        .filter_map(|v| v.to_str().ok())
        .collect();
    trusted.client_addr(peer, &values)
}

/// The client's address as text (empty when unknown), for audit rows and
/// the rate limits (never stored with a rating).
pub fn client_ip(req: &HttpRequest) -> String {
    client_addr(req)
        .map(|ip| ip.to_string())
        .unwrap_or_default()
}

/// The key the per-address limits count this client under: its IPv4
/// address, or its IPv6 /64.
pub fn client_limit_key(req: &HttpRequest) -> String {
    client_addr(req).map(limit_key).unwrap_or_default()
}
