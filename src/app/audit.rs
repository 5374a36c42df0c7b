//! The audit log, newest first, cut to the caller's scope: the JSON route
//! and the console's audit page read it through [`parse_query`] and [`page`].

use crate::domain::ids::{AccountId, VenueId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::caller::Caller;
use crate::app::{AppError, Services, Slug};
use crate::domain::access::{Principal, Scope};
use crate::domain::audit::{AuditAction, Subject};
use crate::store::audit::{self, AuditEntry, AuditNames, AuditRecord};
use crate::store::{ScopeFilter, tokens};

/// The most entries one page holds.
pub const AUDIT_PAGE_MAX: i64 = 200;
/// Entries per page unless the query says otherwise.
pub const AUDIT_PAGE_DEFAULT: i64 = 50;
/// Longest action (or action family) a filter may name.
const ACTION_MAX_CHARS: usize = 64;

/// Query of `GET /api/v1/audit`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries older than this id (the `next_before` of the previous page).
    pub before: Option<String>,
    /// Entries per page, 1–200 (default 50).
    pub limit: Option<String>,
    /// Only this action (`account.update`) or family of actions (`account`).
    pub action: Option<String>,
}

/// A checked audit-log query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRequest {
    /// Only entries older than this id.
    pub before: Option<i64>,
    /// Entries per page.
    pub limit: i64,
    /// Only this action or family of actions.
    pub action: Option<String>,
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries, newest first.
    pub items: Vec<AuditRecord>,
    /// Pass as `before` for the next page; `null` at the end.
    pub next_before: Option<i64>,
}

fn field(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn number(raw: &Option<String>, max: i64) -> Result<Option<i64>, AppError> {
    match field(raw) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .map(Some)
            .ok_or_else(|| {
                AppError::new(
                    Slug::InvalidQuery,
                    format!("expected a number from 1 to {max}"),
                )
            }),
    }
}

/// Checks an action filter: the shape of the keys the log is written with.
fn action(raw: &Option<String>) -> Result<Option<String>, AppError> {
    let Some(action) = field(raw) else {
        return Ok(None);
    };
    let shaped = action.chars().count() <= ACTION_MAX_CHARS
        && action
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_');
    if shaped {
        Ok(Some(action.to_owned()))
    } else {
        Err(AppError::new(
            Slug::InvalidQuery,
            "action is an action key such as account.update, or its family such as account",
        ))
    }
}

/// Reads `before`, `limit` and `action`; anything malformed is 422.
pub fn parse_query(query: &AuditQuery) -> Result<AuditRequest, AppError> {
    Ok(AuditRequest {
        before: number(&query.before, i64::MAX)?,
        limit: number(&query.limit, AUDIT_PAGE_MAX)?.unwrap_or(AUDIT_PAGE_DEFAULT),
        action: action(&query.action)?,
    })
}

/// A page of the log within the principal's scope, which the query applies.
pub async fn page(
    services: &Services,
    principal: &Principal,
    request: &AuditRequest,
) -> Result<AuditPage, AppError> {
    let scope = ScopeFilter::of(&principal.scope, &*services.reference.regions().await?);
    let items = audit::list(
        &services.pool,
        scope.all,
        &scope.region_codes,
        &scope.venue_ids,
        request.action.as_deref(),
        request.before,
        request.limit,
    )
    .await?;
    let next_before = (items.len() as i64 == request.limit)
        .then(|| items.last().map(|e| e.id))
        .flatten();
    Ok(AuditPage { items, next_before })
}

/// The names a page of entries shows for its actors and targets (people,
/// API tokens, venues), in one lookup for the whole page.
pub async fn names(services: &Services, items: &[AuditRecord]) -> Result<AuditNames, AppError> {
    let (mut accounts, mut tokens, mut venues): (Vec<AccountId>, Vec<i64>, Vec<VenueId>) =
        (Vec::new(), Vec::new(), Vec::new());
    for entry in items {
        for subject in [Subject::parse(&entry.actor), Subject::parse(&entry.target)] {
            match subject {
                Subject::Account(id) => accounts.push(id),
                Subject::Token(id) => tokens.push(id),
                Subject::Venue(id) => venues.push(id),
                _ => {}
            }
        }
        venues.extend(entry.venue_id);
    }
    accounts.sort_unstable();
    accounts.dedup();
    tokens.sort_unstable();
    tokens.dedup();
    venues.sort_unstable();
    venues.dedup();
    Ok(audit::names(&services.pool, &accounts, &tokens, &venues).await?)
}

/// Records an entry that is part of no other change (a sign-in, a
/// download); `action` is the one it records.
pub async fn record(
    services: &Services,
    action: AuditAction,
    entry: AuditEntry,
) -> Result<(), AppError> {
    let entry = AuditEntry { action, ..entry };
    Ok(audit::record_alone(&services.pool, &entry).await?)
}

/// A console table downloaded as a file, for the audit log.
#[derive(Debug, Clone)]
pub struct Download<'a> {
    /// The table's key (`rankings`, `audit`, a venue's `ratings` …).
    pub table: &'a str,
    /// `csv` or `xlsx`.
    pub format: &'a str,
    /// The venue whose table it is, if it is a venue's.
    pub venue_id: Option<VenueId>,
    /// Rows the file holds.
    pub rows: usize,
    /// The page's query (filters) the file was made with.
    pub query: &'a str,
}

/// Longest query a download's audit row keeps.
const DOWNLOAD_QUERY_MAX_CHARS: usize = 200;

/// Records a download (`export.download`): a venue's table belongs to that
/// venue and its region; any other table to the caller's own region (none
/// for an admin, whose downloads only admins read).
pub async fn record_download(
    services: &Services,
    caller: &Caller,
    download: &Download<'_>,
) -> Result<(), AppError> {
    let mut entry = caller.audit(AuditAction::EXPORT_DOWNLOAD);
    entry.target = format!("export:{}.{}", download.table, download.format);
    if let Scope::Region(code) = &caller.principal.scope {
        entry.region_code = Some(code.clone());
    }
    if let Some(venue_id) = download.venue_id {
        entry.target = format!("venue:{venue_id}");
        entry.venue_id = Some(venue_id);
        let regions = tokens::venue_regions(&services.pool, &[venue_id]).await?;
        entry.region_code = regions.get(&venue_id).cloned().or(entry.region_code);
    }
    let query: String = download
        .query
        .chars()
        .take(DOWNLOAD_QUERY_MAX_CHARS)
        .collect();
    entry.after = Some(serde_json::json!({
        "table": download.table,
        "format": download.format,
        "rows": download.rows,
        "query": query,
    }));
    Ok(audit::record_alone(&services.pool, &entry).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(before: &str, limit: &str, action: &str) -> AuditQuery {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        AuditQuery {
            before: some(before),
            limit: some(limit),
            action: some(action),
        }
    }

    #[test]
    fn queries_parse_with_defaults_and_bounds() {
        assert_eq!(
            parse_query(&query("", "", "")).unwrap(),
            AuditRequest {
                before: None,
                limit: AUDIT_PAGE_DEFAULT,
                action: None
            }
        );
        let full = parse_query(&query("41", "200", " account ")).unwrap();
        assert_eq!(
            (full.before, full.limit, full.action.as_deref()),
            (Some(41), 200, Some("account"))
        );
        for (before, limit, action) in [
            ("0", "", ""),
            ("x", "", ""),
            ("", "201", ""),
            ("", "0", ""),
            ("", "", "Account"),
            ("", "", "a%"),
            ("", "", &"a".repeat(65)),
        ] {
            assert!(
                parse_query(&query(before, limit, action)).is_err(),
                "{before:?} {limit:?} {action:?}"
            );
        }
    }
}
