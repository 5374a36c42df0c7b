//! Who may call what: the single table of route × role, and the extractor
//! that enforces it. A caller is anyone (no credentials), the holder of
//! `ADMIN_TOKEN`, or the holder of an API token with a role and a scope. The
//! role is checked here against the table; the scope is applied inside each
//! query (`store::ScopeFilter`), so data outside it is never read.

use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::AppState;
use std::collections::HashMap;

use crate::domain::access::{ApiToken, GrantError, Principal, Role, Scope, may_grant};
use crate::domain::code::constant_time_eq;
use crate::error::ApiError;
use crate::store::audit::AuditEntry;
use crate::store::tokens;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without credentials.
    Public,
    /// A bearer token of one of these roles (the admin token counts as admin).
    Roles(&'static [Role]),
}

const ANY_ROLE: &[Role] = &[Role::Admin, Role::Regulator, Role::VenueStaff];
const SUPERVISORS: &[Role] = &[Role::Admin, Role::Regulator];

/// Every route (method, pattern) and who may call it. A test checks that every
/// documented operation is listed here and that each rule holds over HTTP; a
/// route missing from the table refuses every token.
pub const ROUTE_ACCESS: &[(&str, &str, Access)] = &[
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    ("GET", "/metrics", Access::Public),
    ("GET", "/openapi.json", Access::Public),
    ("GET", "/docs", Access::Public),
    ("GET", "/r/{code}", Access::Public),
    ("POST", "/r/{code}", Access::Public),
    ("GET", "/v/{id}", Access::Public),
    ("GET", "/rankings", Access::Public),
    ("GET", "/about/scores", Access::Public),
    ("GET", "/login", Access::Public),
    ("POST", "/login", Access::Public),
    ("POST", "/logout", Access::Public),
    ("GET", "/console/accounts", Access::Roles(SUPERVISORS)),
    ("POST", "/console/accounts", Access::Roles(SUPERVISORS)),
    (
        "POST",
        "/console/accounts/{id}/disable",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/console/accounts/{id}/enable",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/console/accounts/{id}/second-factor/reset",
        Access::Roles(SUPERVISORS),
    ),
    ("GET", "/account/password", Access::Roles(ANY_ROLE)),
    ("POST", "/account/password", Access::Roles(ANY_ROLE)),
    ("GET", "/account/tokens", Access::Roles(ANY_ROLE)),
    ("POST", "/account/tokens", Access::Roles(ANY_ROLE)),
    (
        "POST",
        "/account/tokens/{id}/revoke",
        Access::Roles(ANY_ROLE),
    ),
    ("GET", "/invite/{token}", Access::Public),
    ("POST", "/invite/{token}", Access::Public),
    ("POST", "/logout-everywhere", Access::Public),
    ("POST", "/api/v1/venues", Access::Roles(SUPERVISORS)),
    ("GET", "/api/v1/venues/{id}", Access::Public),
    ("POST", "/api/v1/venues/{id}/code", Access::Roles(ANY_ROLE)),
    ("GET", "/api/v1/venues/{id}/qr.png", Access::Public),
    ("GET", "/api/v1/venues/{id}/qr.svg", Access::Public),
    ("GET", "/api/v1/venues/{id}/score", Access::Public),
    ("GET", "/api/v1/venues/{id}/tier/history", Access::Public),
    ("POST", "/api/v1/ratings", Access::Public),
    (
        "POST",
        "/api/v1/ratings/{id}/quarantine",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/api/v1/ratings/{id}/release",
        Access::Roles(SUPERVISORS),
    ),
    ("GET", "/api/v1/rankings", Access::Public),
    ("GET", "/api/v1/regions/{code}/score", Access::Public),
    ("POST", "/api/v1/tokens", Access::Roles(ANY_ROLE)),
    ("DELETE", "/api/v1/tokens/{id}", Access::Roles(ANY_ROLE)),
    ("GET", "/api/v1/audit", Access::Roles(SUPERVISORS)),
    ("POST", "/api/v1/accounts", Access::Roles(SUPERVISORS)),
    ("GET", "/api/v1/accounts", Access::Roles(SUPERVISORS)),
    ("PATCH", "/api/v1/accounts/{id}", Access::Roles(SUPERVISORS)),
    (
        "DELETE",
        "/api/v1/accounts/{id}/second-factor",
        Access::Roles(SUPERVISORS),
    ),
    ("POST", "/api/v1/invitations/{token}", Access::Public),
    ("GET", "/login/second-factor", Access::Public),
    ("POST", "/login/second-factor", Access::Public),
    ("GET", "/account/security", Access::Public),
    ("POST", "/account/security", Access::Public),
    ("POST", "/account/security/recovery-codes", Access::Public),
    ("GET", "/console", Access::Roles(SUPERVISORS)),
    ("GET", "/console/rankings", Access::Roles(SUPERVISORS)),
    ("GET", "/console/audit", Access::Roles(SUPERVISORS)),
    (
        "GET",
        "/console/{table}.{format}",
        Access::Roles(SUPERVISORS),
    ),
    ("GET", "/console/venues/{id}", Access::Roles(SUPERVISORS)),
    (
        "GET",
        "/console/venues/{id}/{table}.{format}",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/console/venues/{id}/violations",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/console/ratings/{id}/quarantine",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/console/ratings/{id}/release",
        Access::Roles(SUPERVISORS),
    ),
    ("GET", "/api/v1/overview", Access::Roles(SUPERVISORS)),
    (
        "GET",
        "/api/v1/venues/{id}/ratings",
        Access::Roles(SUPERVISORS),
    ),
    (
        "GET",
        "/api/v1/venues/{id}/violations",
        Access::Roles(SUPERVISORS),
    ),
    (
        "POST",
        "/api/v1/venues/{id}/violations",
        Access::Roles(SUPERVISORS),
    ),
    (
        "GET",
        "/api/v1/venues/{id}/comments",
        Access::Roles(ANY_ROLE),
    ),
    (
        "POST",
        "/api/v1/ratings/{id}/reply",
        Access::Roles(ANY_ROLE),
    ),
    (
        "PUT",
        "/api/v1/venues/{id}/commitment",
        Access::Roles(ANY_ROLE),
    ),
    (
        "PUT",
        "/api/v1/venues/{id}/quality-officer",
        Access::Roles(ANY_ROLE),
    ),
    ("GET", "/dashboard", Access::Roles(ANY_ROLE)),
    ("GET", "/dashboard/venues/{id}", Access::Roles(ANY_ROLE)),
    (
        "GET",
        "/dashboard/venues/{id}/poster",
        Access::Roles(ANY_ROLE),
    ),
    (
        "POST",
        "/dashboard/venues/{id}/replies/{rating_id}",
        Access::Roles(ANY_ROLE),
    ),
    (
        "POST",
        "/dashboard/venues/{id}/commitment",
        Access::Roles(ANY_ROLE),
    ),
    (
        "POST",
        "/dashboard/venues/{id}/quality-officer",
        Access::Roles(ANY_ROLE),
    ),
    (
        "POST",
        "/dashboard/venues/{id}/code",
        Access::Roles(ANY_ROLE),
    ),
];

/// The rule for a method and route pattern, if the table has one.
pub fn rule(method: &str, pattern: &str) -> Option<Access> {
    ROUTE_ACCESS
        .iter()
        .find(|(m, p, _)| m.eq_ignore_ascii_case(method) && *p == pattern)
        .map(|(_, _, access)| *access)
}

/// An authenticated caller whose role the table allows on this route.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who, with role and scope.
    pub principal: Principal,
    /// The client address, for the audit log.
    pub client_ip: Option<String>,
}

impl Caller {
    /// A blank audit entry naming this caller; the store fills in the rest.
    pub fn audit(&self, action: &'static str) -> AuditEntry {
        AuditEntry {
            actor: self.principal.actor.clone(),
            action,
            client_ip: self.client_ip.clone(),
            ..AuditEntry::default()
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or(ApiError::Internal)?;
            let bearer = req
                .headers()
                .get(actix_web::http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or(ApiError::Unauthorized)?;
            let principal = authenticate(state, bearer).await?;
            let pattern = req.match_pattern().unwrap_or_default();
            let allowed = match rule(req.method().as_str(), &pattern) {
                Some(Access::Public) => true,
                Some(Access::Roles(roles)) => roles.contains(&principal.role),
                None => false,
            };
            if !allowed {
                return Err(ApiError::Forbidden(format!(
                    "the role {} may not call this route",
                    principal.role.key()
                )));
            }
            let client_ip = req.peer_addr().map(|a| a.ip().to_string());
            Ok(Caller {
                principal,
                client_ip,
            })
        })
    }
}

/// Reads the role and scope asked for in a token or account request:
/// `region_code` for a region scope, `venue_ids` for a venue scope, neither
/// for everything (whether they fit the role is [`Caller::check_grant`]'s).
pub fn requested_grant(
    role: &str,
    region_code: Option<String>,
    venue_ids: Vec<i64>,
) -> Result<(Role, Scope), ApiError> {
    let parsed = Role::parse(role).ok_or_else(|| {
        ApiError::invalid(
            "invalid-role",
            format!("role must be one of admin, regulator, venue_staff, not {role:?}"),
        )
    })?;
    let scope = match (region_code, venue_ids.is_empty()) {
        (None, true) => Scope::All,
        (Some(code), true) => Scope::Region(code),
        (None, false) => Scope::Venues(venue_ids.into_iter().collect()),
        (Some(_), false) => {
            return Err(ApiError::invalid(
                "invalid-scope",
                "give region_code or venue_ids, not both",
            ));
        }
    };
    Ok((parsed, scope))
}

impl Caller {
    /// Checks that this caller may hand `role` with `scope` on: 403 beyond
    /// its own role or scope, 422 for a scope that does not fit the role.
    /// Returns the regions of the requested venues.
    pub async fn check_grant(
        &self,
        state: &AppState,
        role: Role,
        scope: &Scope,
    ) -> Result<HashMap<i64, String>, ApiError> {
        let regions = state.scores.regions().await?;
        let venue_regions = tokens::venue_regions(&state.pool, &scope.venue_ids()).await?;
        may_grant(&self.principal, role, scope, &regions, &venue_regions).map_err(
            |err| match err {
                GrantError::ShapeMismatch(detail) => ApiError::invalid("invalid-scope", detail),
                other => ApiError::Forbidden(other.to_string()),
            },
        )?;
        Ok(venue_regions)
    }
}

/// A caller on a public route: anonymous without an `Authorization` header,
/// otherwise authenticated like [`Caller`] (a bad token is still 401), so
/// that public data can be cut to a token's scope.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        if req
            .headers()
            .contains_key(actix_web::http::header::AUTHORIZATION)
        {
            let caller = Caller::from_request(req, payload);
            Box::pin(async move { caller.await.map(|c| MaybeCaller(Some(c))) })
        } else {
            Box::pin(async { Ok(MaybeCaller(None)) })
        }
    }
}

/// Turns a bearer value into a principal: the admin token, or a live API
/// token whose secret matches. Anything else is 401, with the same answer
/// for an unknown, revoked, expired or wrong token.
async fn authenticate(state: &AppState, bearer: &str) -> Result<Principal, ApiError> {
    if constant_time_eq(bearer.as_bytes(), state.settings.admin_token.as_bytes()) {
        return Ok(Principal {
            actor: "admin-token".into(),
            role: Role::Admin,
            scope: Scope::All,
        });
    }
    let token = ApiToken::parse(bearer).ok_or(ApiError::Unauthorized)?;
    let record = tokens::find(&state.pool, token.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let live =
        record.revoked_at.is_none() && record.expires_at.is_none_or(|at| at > chrono::Utc::now());
    if !live || !constant_time_eq(&token.secret_hash(), &record.secret_hash) {
        return Err(ApiError::Unauthorized);
    }
    let role = Role::parse(&record.role).ok_or(ApiError::Internal)?;
    let scope = match role {
        Role::Admin => Scope::All,
        Role::Regulator => Scope::Region(record.region_code.ok_or(ApiError::Internal)?),
        Role::VenueStaff => Scope::Venues(record.venue_ids.into_iter().collect()),
    };
    Ok(Principal {
        actor: format!("token:{}", record.id),
        role,
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::REGISTERED_ROUTES;

    #[test]
    fn every_registered_route_is_in_the_table_and_every_rule_is_registered() {
        for (method, pattern) in REGISTERED_ROUTES {
            assert!(
                rule(method, pattern).is_some(),
                "{method} {pattern} is registered but missing from ROUTE_ACCESS"
            );
        }
        for (method, pattern, _) in ROUTE_ACCESS {
            assert!(
                REGISTERED_ROUTES
                    .iter()
                    .any(|(m, p)| m.eq_ignore_ascii_case(method) && p == pattern),
                "{method} {pattern} is in ROUTE_ACCESS but not registered"
            );
        }
    }
}
