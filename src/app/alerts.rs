//! Alerts for regulators: the inbox of their region's alerts, newest first,
//! with read and unread per reader (an account or an API token).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::paging::{PageSize, Paging};
use crate::app::{AppError, Caller, Services, Slug};
use crate::domain::audit::AuditAction;
use crate::store::ScopeFilter;
use crate::store::alerts::{self, AlertRow};

/// Alerts on a page of the inbox.
pub const INBOX_PAGE: PageSize = PageSize::up_to(30, 100);

/// An alert.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertBody {
    /// Alert id.
    pub id: i64,
    /// `campaign_detected`, `score_drop`, `red_flag_cluster` or `overdue_case`.
    pub kind: String,
    /// The venue it is about.
    pub venue_id: i64,
    /// Its name.
    pub venue_name: String,
    /// Its region.
    pub region_code: String,
    /// When it was raised.
    pub raised_at: DateTime<Utc>,
    /// Its numbers: by kind, `incident_id`, `signal`, `held`;
    /// `drop_stars`, `recent_average`, `before_average`; `red_flags`,
    /// `by_tag`; `case_id`, `tracking_code`, `due_at`.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Whether the caller has read it.
    pub read: bool,
    /// The webhook's delivery: `pending`, `delivered`, `failed` or `none`.
    pub delivery: String,
}

impl From<AlertRow> for AlertBody {
    fn from(r: AlertRow) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            venue_id: r.venue_id,
            venue_name: r.venue_name,
            region_code: r.region_code,
            raised_at: r.raised_at,
            details: r.details,
            read: r.read,
            delivery: r.delivery,
        }
    }
}

/// One page of the inbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertList {
    /// Newest first.
    pub items: Vec<AlertBody>,
    /// The page, from 1.
    pub page: i64,
    /// Alerts listed (with `unread=true`, the unread ones).
    pub total: i64,
    /// Alerts in scope the caller has not read.
    pub unread: i64,
}

async fn scope_of(services: &Services, caller: &Caller) -> Result<ScopeFilter, AppError> {
    Ok(ScopeFilter::of(
        &caller.principal.scope,
        &*services.reference.regions().await?,
    ))
}

/// One page of the alerts in the caller's scope.
pub async fn inbox(
    services: &Services,
    caller: &Caller,
    unread_only: bool,
    paging: Paging,
) -> Result<AlertList, AppError> {
    let scope = scope_of(services, caller).await?;
    let (rows, total, unread) = alerts::list(
        &services.pool,
        &scope,
        &caller.principal.actor,
        unread_only,
        paging.per_page,
        paging.offset(),
    )
    .await?;
    Ok(AlertList {
        items: rows.into_iter().map(AlertBody::from).collect(),
        page: paging.page,
        total,
        unread,
    })
}

/// Marks an alert in the caller's scope read by the caller (audited the
/// first time).
pub async fn mark_read(services: &Services, caller: &Caller, id: i64) -> Result<(), AppError> {
    let scope = scope_of(services, caller).await?;
    let audit = caller.audit(AuditAction::ALERT_READ);
    if alerts::mark_read(&services.pool, id, &scope, services.clock.now(), audit).await? {
        Ok(())
    } else {
        Err(AppError::not_found(Slug::AlertNotFound))
    }
}
