//! Who may call what: the single table of route × role, the middleware that
//! reads every bearer token once, and the extractor that enforces the table.
//! A caller is anyone (no credentials), the holder of `ADMIN_TOKEN`, or the
//! holder of an API token with a role and a scope, cut to what the token's
//! owning account holds now. The role is checked here against the table; the
//! scope is applied inside each query (`store::ScopeFilter`), so data outside
//! it is never read.

use crate::domain::ids::VenueId;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::http::AppState;
use crate::http::routes::rule;
use std::collections::HashMap;

use crate::app::Caller;
use crate::domain::access::{ApiToken, Principal, Role, Scope, effective_grant, held_grant};
use crate::domain::code::constant_time_eq;
use crate::error::ApiError;
use crate::store::tokens;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials.
    Public,
    /// A bearer token of one of these roles (the admin token counts as admin).
    Roles(&'static [Role]),
}

/// Anyone, without credentials.
pub const ANYONE: Access = Access::Public;
/// Any signed-in role: venue staff, regulators and admins.
pub const SIGNED_IN: Access = Access::Roles(&[Role::Admin, Role::Regulator, Role::VenueStaff]);
/// Regulators and admins.
pub const SUPERVISORS: Access = Access::Roles(&[Role::Admin, Role::Regulator]);
/// Admins alone.
pub const ADMINS: Access = Access::Roles(&[Role::Admin]);
/// A venue's own staff alone (what only the venue may ask for).
pub const VENUE_STAFF: Access = Access::Roles(&[Role::VenueStaff]);

/// Whether the route table lets `role` call the route `req` matched; a
/// route missing from the table refuses every role.
pub fn role_may_call(req: &HttpRequest, role: Role) -> bool {
    let pattern = req.match_pattern().unwrap_or_default();
    match rule(req.method().as_str(), &pattern) {
        Some(Access::Public) => true,
        Some(Access::Roles(roles)) => roles.contains(&role),
        None => false,
    }
}

/// The principal of a request's valid bearer token, put there by
/// [`bearer_gate`] before any handler runs.
#[derive(Debug, Clone)]
struct Authenticated(Principal);

/// Reads the `Authorization` header of every request, on every route: no
/// header, and the request goes on anonymous; a valid bearer token, and it
/// goes on with that token's principal; anything else (a malformed header,
/// another scheme, an unknown, revoked or expired token, or one whose owner
/// may no longer act) is answered 401 here (RFC 6750 `invalid_token`), so
/// no route serves it as anonymous.
pub async fn bearer_gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let presented = req.headers().get(header::AUTHORIZATION).map(|value| {
        value
            .to_str()
            .ok()
            .and_then(bearer_value)
            .map(str::to_owned)
    });
    if let Some(bearer) = presented {
        // The refusal is a response, not an error, so the middleware around
        // this one (security headers, telemetry) sees and dresses it too.
        match principal_of(&req, bearer.as_deref()).await {
            Ok(principal) => {
                req.extensions_mut().insert(Authenticated(principal));
            }
            Err(err) => return Ok(req.error_response(err).map_into_right_body()),
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The principal of a presented bearer value; `None` is a header that is
/// not a usable `Bearer` credential.
async fn principal_of(req: &ServiceRequest, bearer: Option<&str>) -> Result<Principal, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Internal)?;
    authenticate(state, bearer.ok_or(ApiError::InvalidToken)?).await
}

/// The token of a `Bearer` credential (the scheme is case-insensitive).
fn bearer_value(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(caller_of(req))
    }
}

/// The authenticated caller of a request, if the route table lets its role in.
fn caller_of(req: &HttpRequest) -> Result<Caller, ApiError> {
    let principal = req
        .extensions()
        .get::<Authenticated>()
        .map(|a| a.0.clone())
        .ok_or(ApiError::Unauthorized)?;
    if !role_may_call(req, principal.role) {
        return Err(ApiError::Forbidden(format!(
            "the role {} may not call this route",
            principal.role.key()
        )));
    }
    let client_ip = crate::http::client::client_addr(req).map(|ip| ip.to_string());
    Ok(Caller {
        principal,
        client_ip,
    })
}

/// A caller on a public route: anonymous without an `Authorization` header,
/// otherwise authenticated like [`Caller`] (a bad token never gets this far:
/// [`bearer_gate`] answers it 401), so that public data can be cut to a
/// token's scope.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        // A bad token never gets here: `bearer_gate` answered it already.
        let authenticated = req.extensions().get::<Authenticated>().is_some();
        std::future::ready(if authenticated {
            caller_of(req).map(|c| MaybeCaller(Some(c)))
        } else {
            Ok(MaybeCaller(None))
        })
    }
}

/// Turns a bearer value into a principal: the admin token, or a live API
/// token whose secret matches and whose owning account may still act, with
/// its scope cut to what that account holds now. Anything else is 401, with
/// the same answer for an unknown, revoked, expired or wrong token.
async fn authenticate(state: &AppState, bearer: &str) -> Result<Principal, ApiError> {
    if constant_time_eq(
        bearer.as_bytes(),
        state.settings.admin_token.expose().as_bytes(),
    ) {
        return Ok(Principal {
            actor: "admin-token".into(),
            role: Role::Admin,
            scope: Scope::All,
            account_id: None,
        });
    }
    let token = ApiToken::parse(bearer).ok_or(ApiError::InvalidToken)?;
    let record = tokens::find_presented(&state.pool, token.id)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    let live = record.revoked_at.is_none()
        && record.expires_at.is_none_or(|at| at > state.clock.now())
        && record.owner_live;
    if !live || !constant_time_eq(&token.secret_hash(), &record.secret_hash) {
        return Err(ApiError::InvalidToken);
    }
    let held = held_grant(
        record.role,
        record.region_code.as_deref(),
        &record.venue_ids,
    )
    .ok_or(ApiError::Internal)?;
    let (role, scope) = match record.owner_account_id {
        None => held,
        Some(_) => {
            let owner = record
                .owner_role
                .and_then(|role| {
                    held_grant(
                        role,
                        record.owner_region_code.as_deref(),
                        &record.owner_venue_ids,
                    )
                })
                .ok_or(ApiError::Internal)?;
            let tree = state.reference.regions().await?;
            let venue_regions = match (&held.1, &owner.1) {
                (Scope::Venues(ids), Scope::Region(_)) => {
                    let ids: Vec<VenueId> = ids.iter().copied().collect();
                    tokens::venue_regions(&state.pool, &ids).await?
                }
                _ => HashMap::new(),
            };
            effective_grant(
                (held.0, &held.1),
                (owner.0, &owner.1),
                &tree,
                &venue_regions,
            )
            .ok_or(ApiError::InvalidToken)?
        }
    };
    Ok(Principal {
        actor: format!("token:{}", record.id),
        role,
        scope,
        account_id: record.owner_account_id,
    })
}
