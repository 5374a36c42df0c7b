//! Who is asking: an authenticated principal with the address it called
//! from, and what it may hand on to others.

use crate::domain::ids::VenueId;
use std::collections::HashMap;

use crate::app::{AppError, Services, Slug};
use crate::domain::access::{GrantError, Principal, Role, Scope, may_grant};
use crate::store::audit::{AuditAction, AuditEntry};
use crate::store::tokens;

/// An authenticated caller whose role the route table allows where it called.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who, with role and scope.
    pub principal: Principal,
    /// The client address, for the audit log.
    pub client_ip: Option<String>,
}

impl Caller {
    /// A blank audit entry naming this caller; the store fills in the rest.
    pub fn audit(&self, action: AuditAction) -> AuditEntry {
        AuditEntry {
            actor: self.principal.actor.clone(),
            action,
            client_ip: self.client_ip.clone(),
            ..AuditEntry::default()
        }
    }

    /// Checks that this caller may hand `role` with `scope` on: refused
    /// beyond its own role or scope, invalid for a scope that does not fit
    /// the role. Returns the regions of the requested venues.
    pub async fn check_grant(
        &self,
        services: &Services,
        role: Role,
        scope: &Scope,
    ) -> Result<HashMap<VenueId, String>, AppError> {
        let regions = services.reference.regions().await?;
        let venue_regions = tokens::venue_regions(&services.pool, &scope.venue_ids()).await?;
        may_grant(&self.principal, role, scope, &regions, &venue_regions).map_err(
            |err| match err {
                GrantError::ShapeMismatch(detail) => AppError::new(Slug::InvalidScope, detail),
                other => AppError::forbidden(other.to_string()),
            },
        )?;
        Ok(venue_regions)
    }
}

/// Reads the role and scope asked for in a token or account request:
/// `region_code` for a region scope, `venue_ids` for a venue scope, neither
/// for everything (whether they fit the role is [`Caller::check_grant`]'s).
pub fn requested_grant(
    role: &str,
    region_code: Option<String>,
    venue_ids: Vec<VenueId>,
) -> Result<(Role, Scope), AppError> {
    let parsed = Role::parse(role).ok_or_else(|| {
        AppError::new(
            Slug::InvalidRole,
            format!("role must be one of admin, regulator, venue_staff, not {role:?}"),
        )
    })?;
    let scope = match (region_code, venue_ids.is_empty()) {
        (None, true) => Scope::All,
        (Some(code), true) => Scope::Region(code),
        (None, false) => Scope::Venues(venue_ids.into_iter().collect()),
        (Some(_), false) => {
            return Err(AppError::new(
                Slug::InvalidScope,
                "give region_code or venue_ids, not both",
            ));
        }
    };
    Ok((parsed, scope))
}
