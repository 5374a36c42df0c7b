//! `GET /console/audit`: the audit log of the caller's scope, newest first,
//! page by page along the same `before` cursor as `GET /api/v1/audit` and
//! read through the same loader, so the scope is applied in the query.

use crate::domain::ids::{AccountId, VenueId};
use std::collections::BTreeSet;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::Value;

use crate::app::audit::{self as audit_log, AuditPage, AuditQuery, AuditRequest};
use crate::domain::audit::{AuditAction, Subject};
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, SignedIn};
use crate::http::html::local_time;
use crate::http::html::{Chrome, render_document};
use crate::http::pages::console::EXPORT_MAX_ROWS;
use crate::http::pages::console::view::{Names, SelectOption, TableView};
use crate::i18n::{AuditTexts, Messages};
use crate::store::audit::{AuditNames, AuditRecord};

/// Longest value the change column shows before cutting it short; the JSON
/// route has the whole entry.
const CHANGE_VALUE_MAX_CHARS: usize = 80;

/// A family's name in the page language.
fn family_label<'a>(t: &'a AuditTexts, family: &'a str) -> &'a str {
    match family {
        "venue" => &t.family_venue,
        "rating" => &t.family_rating,
        "violation" => &t.family_violation,
        "account" => &t.family_account,
        "totp" => &t.family_totp,
        "token" => &t.family_token,
        "auth" => &t.family_auth,
        "export" => &t.family_export,
        "complaint" => &t.family_complaint,
        "calendar" => &t.family_calendar,
        "inspection" => &t.family_inspection,
        "list_entry" => &t.family_list_entry,
        "repair" => &t.family_repair,
        "campaign" => &t.family_campaign,
        "integrity" => &t.family_integrity,
        "alert" => &t.family_alert,
        other => other,
    }
}

/// One group of the action filter: a whole family, then its actions.
struct ActionGroup {
    label: String,
    options: Vec<SelectOption>,
}

/// The action filter's choices, every action by its name in the page
/// language, grouped by family; `chosen` is selected.
fn action_groups(m: &Messages, chosen: Option<&str>) -> Vec<ActionGroup> {
    let t = &m.audit;
    AuditAction::families()
        .into_iter()
        .map(|family| {
            let label = family_label(t, family).to_owned();
            let whole = SelectOption {
                value: family.to_owned(),
                label: t.family_all.replace("{family}", &label),
                selected: chosen == Some(family),
            };
            let actions = AuditAction::ALL
                .iter()
                .filter(|a| a.family() == family)
                .map(|a| SelectOption {
                    value: a.key().to_owned(),
                    label: m.audit_action(a.key()).to_owned(),
                    selected: chosen == Some(a.key()),
                });
            ActionGroup {
                label,
                options: std::iter::once(whole).chain(actions).collect(),
            }
        })
        .collect()
}

/// Whether the filter offers this action or family.
fn offered(action: &str) -> bool {
    AuditAction::parse(action).is_some() || AuditAction::families().contains(&action)
}

/// An account as people know it: name and login.
fn account_text(t: &AuditTexts, names: &AuditNames, id: AccountId) -> Option<String> {
    names.accounts.get(&id).map(|(login, name)| {
        t.actor_account
            .replace("{name}", name)
            .replace("{login}", login)
    })
}

/// An API token as people know it: by its name.
fn token_text(t: &AuditTexts, names: &AuditNames, id: i64) -> Option<String> {
    names
        .tokens
        .get(&id)
        .map(|name| t.actor_token.replace("{name}", name))
}

/// Who did it, in words; the stored text when it names nobody known.
pub(in crate::http::pages::console) fn actor_text(
    t: &AuditTexts,
    names: &AuditNames,
    actor: &str,
) -> String {
    match Subject::parse(actor) {
        Subject::Account(id) => account_text(t, names, id),
        Subject::Token(id) => token_text(t, names, id),
        Subject::AdminToken => Some(t.actor_admin_token.clone()),
        Subject::Cli => Some(t.actor_cli.clone()),
        Subject::Anonymous => Some(t.actor_anonymous.clone()),
        _ => None,
    }
    .unwrap_or_else(|| actor.to_owned())
}

/// On what, in words: a venue by name, an account by name and login, a
/// rating or violation by number (with its venue), a download by table.
fn target_text(t: &AuditTexts, found: &AuditNames, entry: &AuditRecord) -> String {
    let with_venue = |text: String| match entry.venue_id.and_then(|id| found.venues.get(&id)) {
        Some(venue) => format!("{text} · {venue}"),
        None => text,
    };
    match Subject::parse(&entry.target) {
        Subject::Venue(id) => found.venues.get(&id).cloned(),
        Subject::Account(id) => account_text(t, found, id),
        Subject::Token(id) => token_text(t, found, id),
        Subject::Rating(id) => Some(with_venue(t.target_rating.replace("{id}", &id.to_string()))),
        Subject::Violation(id) => Some(with_venue(
            t.target_violation.replace("{id}", &id.to_string()),
        )),
        Subject::Login(login) => Some(t.target_login.replace("{login}", &login)),
        Subject::Export { table, format } => Some(
            t.target_export
                .replace(
                    "{table}",
                    t.tables.get(&table).map_or(table.as_str(), String::as_str),
                )
                .replace("{format}", &format.to_uppercase()),
        ),
        _ => None,
    }
    .unwrap_or_else(|| entry.target.clone())
}

/// One value of a before/after state, as people read it.
fn value_text(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > CHANGE_VALUE_MAX_CHARS {
        let cut: String = text.chars().take(CHANGE_VALUE_MAX_CHARS).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// A compact account of an entry's before and after: for objects, each
/// field that differs as `field: before → after` (only `field: after` when
/// there was no before), in field order; otherwise the two values.
pub(in crate::http::pages::console) fn change_summary(
    before: Option<&Value>,
    after: Option<&Value>,
) -> String {
    fn fields(v: Option<&Value>) -> Option<&serde_json::Map<String, Value>> {
        v.and_then(Value::as_object)
    }
    fn field<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a Value> {
        fields(v).and_then(|map| map.get(key))
    }
    if fields(before).is_none() && fields(after).is_none() {
        return match (before, after) {
            (None, None) => String::new(),
            _ => format!("{} → {}", value_text(before), value_text(after)),
        };
    }
    let keys: BTreeSet<&String> = fields(before)
        .into_iter()
        .chain(fields(after))
        .flat_map(|map| map.keys())
        .collect();
    keys.into_iter()
        .filter(|key| before.is_none() || field(before, key) != field(after, key))
        .map(|key| match before {
            None => format!("{key}: {}", value_text(field(after, key))),
            Some(_) => format!(
                "{key}: {} → {}",
                value_text(field(before, key)),
                value_text(field(after, key))
            ),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The log's entries as a table in words: the page's and its downloads'.
fn audit_table(names: &Names, found: &AuditNames, items: &[AuditRecord]) -> Table {
    let t = &names.m.audit;
    Table {
        title: t.title.clone(),
        headers: vec![
            t.col_id.clone(),
            t.col_time.clone(),
            t.col_actor.clone(),
            t.col_action.clone(),
            t.col_target.clone(),
            t.col_region.clone(),
            t.col_client_ip.clone(),
            t.col_change.clone(),
        ],
        rows: items
            .iter()
            .map(|entry| {
                vec![
                    Cell::Integer(entry.id),
                    Cell::text(local_time(entry.at)),
                    Cell::text(actor_text(t, found, &entry.actor)),
                    Cell::text(names.m.audit_action(&entry.action)),
                    Cell::text(target_text(t, found, entry)),
                    entry
                        .region_code
                        .as_deref()
                        .map_or(Cell::Empty, |code| Cell::text(names.region(code))),
                    entry.client_ip.as_deref().map_or(Cell::Empty, Cell::text),
                    Cell::text(change_summary(entry.before.as_ref(), entry.after.as_ref())),
                ]
            })
            .collect(),
    }
}

/// The target column's links: a venue's console page.
fn target_links(names: &Names, items: &[AuditRecord]) -> Vec<Option<String>> {
    items
        .iter()
        .map(|entry| {
            entry
                .target
                .strip_prefix("venue:")
                .and_then(|id| id.parse::<VenueId>().ok())
                .map(|id| names.venue_href(id))
        })
        .collect()
}

/// A checked page address: the request and the filters its links keep.
struct AuditAddress {
    request: AuditRequest,
    /// `action` and `per_page`, for links and downloads (no cursor).
    filters: Vec<(String, String)>,
}

/// Reads `action`, `per_page` and `before`; anything malformed is 422.
fn parse_address(signed_in: &SignedIn, req: &HttpRequest) -> Result<AuditAddress, PageError> {
    let raw: Vec<(String, String)> =
        serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let get = |name: &str| raw.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let query = AuditQuery {
        before: get("before"),
        limit: get("per_page"),
        action: get("action"),
    };
    let request = audit_log::parse_query(&query).map_err(|e| signed_in.fail(e))?;
    let mut filters = Vec::new();
    if let Some(action) = &request.action {
        filters.push(("action".to_owned(), action.clone()));
    }
    if query.limit.as_deref().is_some_and(|l| !l.trim().is_empty()) {
        filters.push(("per_page".to_owned(), request.limit.to_string()));
    }
    Ok(AuditAddress { request, filters })
}

#[derive(Template)]
#[template(path = "console_audit.html")]
struct AuditView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    actions: Vec<ActionGroup>,
    /// A chosen action that is not one of the offered ones (from a link).
    other_action: Option<String>,
    per_page: Option<String>,
    entries: TableView,
    newest_href: Option<String>,
    older_href: Option<String>,
}

/// `GET /console/audit?action=&per_page=&before=`.
pub async fn audit(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let address = parse_address(&signed_in, &req)?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let AuditPage { items, next_before } =
        audit_log::page(&state, &signed_in.caller.principal, &address.request)
            .await
            .map_err(|e| signed_in.fail(e))?;
    let found = audit_log::names(&state, &items)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let t = &m.audit;
    let chosen = address.request.action.as_deref();
    let actions = action_groups(m, chosen);
    let href_before = |before: Option<i64>| {
        let mut pairs = address.filters.clone();
        if let Some(id) = before {
            pairs.push(("before".to_owned(), id.to_string()));
        }
        names.href("/console/audit", &pairs)
    };
    let entries = TableView::new("audit", &audit_table(&names, &found, &items), &t.empty)
        .link(4, target_links(&names, &items))
        .downloads(&names, "/console/audit", &address.filters);
    let body = render_document(&AuditView {
        chrome: signed_in.chrome(t.title.clone()),
        nav: signed_in.nav(),
        m,
        actions,
        other_action: chosen.filter(|a| !offered(a)).map(str::to_owned),
        per_page: address
            .filters
            .iter()
            .find(|(k, _)| k == "per_page")
            .map(|(_, v)| v.clone()),
        entries,
        newest_href: address.request.before.map(|_| href_before(None)),
        older_href: next_before.map(|id| href_before(Some(id))),
    });
    Ok(signed_in.page(body))
}

/// The log with the page's action filter, every entry up to the export
/// limit (from `before` on, if the address has one), for a download.
pub(in crate::http::pages::console) async fn audit_download(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
    names: &Names,
) -> Result<(Table, String), PageError> {
    let mut request = parse_address(signed_in, req)?.request;
    request.limit = EXPORT_MAX_ROWS;
    let page = audit_log::page(state, &signed_in.caller.principal, &request)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let found = audit_log::names(state, &page.items)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let stem = match &request.action {
        Some(action) => format!("audit-{action}"),
        None => "audit".to_owned(),
    };
    Ok((audit_table(names, &found, &page.items), stem))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::i18n::{Lang, messages};

    #[test]
    fn changes_list_only_the_fields_that_differ() {
        let before = json!({ "display_name": "甲", "disabled": false, "role": "regulator" });
        let after = json!({ "display_name": "甲", "disabled": true, "role": "regulator" });
        assert_eq!(
            change_summary(Some(&before), Some(&after)),
            "disabled: false → true"
        );
        let before = json!({ "quarantined": false });
        let after = json!({ "quarantined": true, "reason": "刷分" });
        assert_eq!(
            change_summary(Some(&before), Some(&after)),
            "quarantined: false → true; reason: — → 刷分"
        );
    }

    #[test]
    fn a_new_state_lists_its_fields_and_plain_values_show_both_sides() {
        let after = json!({ "role": "venue_staff", "venue_ids": [3, 4], "region_code": null });
        assert_eq!(
            change_summary(None, Some(&after)),
            "region_code: —; role: venue_staff; venue_ids: [3,4]"
        );
        assert_eq!(change_summary(None, None), "");
        assert_eq!(
            change_summary(Some(&json!("A")), Some(&json!("B"))),
            "A → B"
        );
        assert_eq!(
            change_summary(Some(&json!({ "totp": "enrolled" })), None),
            "totp: enrolled → —"
        );
    }

    fn record(actor: &str, target: &str, venue_id: Option<VenueId>) -> AuditRecord {
        AuditRecord {
            id: 1,
            at: chrono::Utc::now(),
            actor: actor.to_owned(),
            action: "violation.record".to_owned(),
            target: target.to_owned(),
            region_code: None,
            venue_id,
            client_ip: None,
            before: None,
            after: None,
        }
    }

    #[test]
    fn every_family_and_download_has_words_in_every_language() {
        for lang in Lang::ALL {
            let t = &messages(lang).audit;
            for family in AuditAction::families() {
                assert_ne!(family_label(t, family), family, "{lang:?}");
            }
            let downloads = crate::http::pages::console::EXPORT_TABLES
                .into_iter()
                .chain([
                    crate::http::pages::console::POSTER_DOWNLOADS,
                    crate::http::pages::console::OFFICER_FORM_DOWNLOAD,
                ]);
            for table in downloads {
                assert!(t.tables.contains_key(table), "{lang:?}: {table}");
            }
            assert_eq!(
                t.tables.len(),
                crate::http::pages::console::EXPORT_TABLES.len() + 2
            );
            let groups = action_groups(messages(lang), Some("auth.sign_in"));
            let options: Vec<&SelectOption> = groups.iter().flat_map(|g| &g.options).collect();
            assert_eq!(
                options.len(),
                AuditAction::ALL.len() + AuditAction::families().len()
            );
            assert_eq!(options.iter().filter(|o| o.selected).count(), 1);
            assert!(options.iter().all(|o| !o.label.contains('.')), "{lang:?}");
        }
    }

    #[test]
    fn actors_and_targets_are_told_in_words() {
        let m = messages(Lang::Zh);
        let t = &m.audit;
        let mut found = AuditNames::default();
        found.accounts.insert(
            AccountId::new(2),
            ("korla-reg".to_owned(), "库尔勒监管员".to_owned()),
        );
        found.tokens.insert(3, "省平台".to_owned());
        found
            .venues
            .insert(VenueId::new(7), "孔雀河酒店".to_owned());
        assert_eq!(
            actor_text(t, &found, "account:2"),
            "库尔勒监管员（korla-reg）"
        );
        assert_eq!(actor_text(t, &found, "token:3"), "API 令牌「省平台」");
        assert_eq!(actor_text(t, &found, "admin-token"), t.actor_admin_token);
        assert_eq!(actor_text(t, &found, "anonymous"), t.actor_anonymous);
        // Someone the lookup did not find keeps the stored text.
        assert_eq!(actor_text(t, &found, "account:9"), "account:9");
        let target = |target: &str, venue| target_text(t, &found, &record("cli", target, venue));
        assert_eq!(target("venue:7", Some(VenueId::new(7))), "孔雀河酒店");
        assert_eq!(
            target("violation:4", Some(VenueId::new(7))),
            "违规记录 #4 · 孔雀河酒店"
        );
        assert_eq!(target("rating:5", None), "评价 #5");
        assert_eq!(target("account:2", None), "库尔勒监管员（korla-reg）");
        assert_eq!(target("export:rankings.csv", None), "排名（CSV）");
        assert_eq!(target("login:nobody", None), "登录名「nobody」（无此账号）");
    }

    #[test]
    fn long_values_are_cut_short() {
        let after = json!({ "text": "长".repeat(200) });
        let summary = change_summary(None, Some(&after));
        assert_eq!(
            summary.chars().count(),
            "text: ".len() + CHANGE_VALUE_MAX_CHARS + 1
        );
        assert!(summary.ends_with('…'));
    }
}
