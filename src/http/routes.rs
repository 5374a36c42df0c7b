//! The one route table: every route's method, path, handler and who may
//! call it. [`routes`] registers them with actix, one resource per path;
//! [`ROUTES`] lists them for the access check and for the tests that walk
//! every route with every role.

use actix_web::{HttpRequest, Route, guard, web};

use crate::http::AppState;
use crate::http::api::accounts;
use crate::http::api::alerts;
use crate::http::api::appeals;
use crate::http::api::audit;
use crate::http::api::campaigns;
use crate::http::api::complaints;
use crate::http::api::docs;
use crate::http::api::health;
use crate::http::api::holidays;
use crate::http::api::inspections;
use crate::http::api::integrity;
use crate::http::api::lists;
use crate::http::api::moderation;
use crate::http::api::qr;
use crate::http::api::quality_officers;
use crate::http::api::rankings;
use crate::http::api::ratings;
use crate::http::api::repairs;
use crate::http::api::reports;
use crate::http::api::scores;
use crate::http::api::supervision;
use crate::http::api::tier_overrides;
use crate::http::api::tokens;
use crate::http::api::venue_admin;
use crate::http::api::venue_staff;
use crate::http::api::venues;
use crate::http::auth::access::{ADMINS, ANYONE, Access, SIGNED_IN, SUPERVISORS, VENUE_STAFF};
use crate::http::auth::{login, second_factor, sign_out};
use crate::http::pages::account::invitation;
use crate::http::pages::account::password;
use crate::http::pages::account::security;
use crate::http::pages::console;
use crate::http::pages::dashboard;
use crate::http::pages::people;
use crate::http::pages::public;
use crate::http::pages::visitor::rating;
use crate::http::pages::visitor::tracking;

/// One row of the route table, without its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRule {
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The actix path pattern.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// Declares the route table once: [`ROUTES`] holds each row's rule and
/// [`routes`] registers each row's handler.
macro_rules! route_table {
    ($($method:ident $path:literal => $handler:path, $access:expr;)*) => {
        /// Every route of the service and who may call it.
        pub const ROUTES: &[RouteRule] = &[$(RouteRule {
            method: upper(stringify!($method)),
            path: $path,
            access: $access,
        }),*];

        /// Registers every route of the service.
        pub fn routes(cfg: &mut web::ServiceConfig) {
            register(cfg, vec![$(($path, route_for(stringify!($method)).to($handler))),*]);
        }
    };
}

route_table! {
    get "/healthz" => health::healthz, ANYONE;
    get "/readyz" => health::readyz, ANYONE;
    get "/metrics" => health::metrics, ANYONE;
    get "/openapi.json" => docs::openapi_json, ANYONE;
    get "/docs" => docs::docs_page, ANYONE;
    get "/r/{code}" => rating::show, ANYONE;
    post "/r/{code}" => rating::submit, ANYONE;
    get "/c/{tracking_code}" => tracking::show, ANYONE;
    post "/c/{tracking_code}" => tracking::rate, ANYONE;
    get "/" => public::home, ANYONE;
    get "/v/{id}" => public::venue, ANYONE;
    get "/rankings" => public::rankings, ANYONE;
    get "/about/scores" => public::about_scores, ANYONE;
    get "/login" => login::show, ANYONE;
    post "/login" => login::submit, ANYONE;
    post "/logout" => sign_out::logout, ANYONE;
    post "/logout-everywhere" => sign_out::logout_everywhere, ANYONE;
    get "/login/second-factor" => second_factor::show, ANYONE;
    post "/login/second-factor" => second_factor::submit, ANYONE;
    get "/account/security" => security::show, ANYONE;
    post "/account/security" => security::enrol, ANYONE;
    post "/account/security/recovery-codes" => security::regenerate_recovery_codes, ANYONE;
    get "/account/password" => password::show, SIGNED_IN;
    post "/account/password" => password::submit, SIGNED_IN;
    get "/console/accounts" => people::accounts::list, SUPERVISORS;
    post "/console/accounts" => people::accounts::create, SUPERVISORS;
    post "/console/accounts/{id}/disable" => people::accounts::disable, SUPERVISORS;
    post "/console/accounts/{id}/enable" => people::accounts::enable, SUPERVISORS;
    post "/console/accounts/{id}/second-factor/reset" => people::accounts::reset_second_factor, SUPERVISORS;
    post "/console/accounts/{id}/password-link" => people::accounts::password_link, SUPERVISORS;
    get "/dashboard" => dashboard::index, SIGNED_IN;
    get "/dashboard/venues/{id}" => dashboard::venue, SIGNED_IN;
    get "/dashboard/venues/{id}/poster" => dashboard::poster, SIGNED_IN;
    post "/dashboard/venues/{id}/replies/{rating_id}" => dashboard::submit_reply, SIGNED_IN;
    post "/dashboard/venues/{id}/commitment" => dashboard::submit_commitment, SIGNED_IN;
    post "/dashboard/venues/{id}/quality-officer" => dashboard::submit_quality_officer, SIGNED_IN;
    // The Chief Quality Officer's own page (首席质量官): record, training, filing.
    get "/dashboard/venues/{id}/quality-officer" => dashboard::quality_officer_page, SIGNED_IN;
    post "/dashboard/venues/{id}/quality-officer/trainings" => dashboard::add_officer_training, SIGNED_IN;
    post "/dashboard/venues/{id}/quality-officer/trainings/{training_id}/remove" => dashboard::remove_officer_training, SIGNED_IN;
    post "/dashboard/venues/{id}/quality-officer/registration" => dashboard::ask_officer_registration, SIGNED_IN;
    post "/dashboard/venues/{id}/code" => dashboard::submit_reissue, SIGNED_IN;
    post "/dashboard/venues/{id}/bad-ratings/{rating_id}" => dashboard::submit_bad_rating_step, SIGNED_IN;
    post "/dashboard/venues/{id}/appeals/{rating_id}" => dashboard::submit_appeal, SIGNED_IN;
    post "/dashboard/venues/{id}/list-entries/{entry_id}/statement" => dashboard::submit_list_statement, SIGNED_IN;
    post "/dashboard/venues/{id}/regrade" => dashboard::ask_regrade, VENUE_STAFF;
    // A demonstration unit's deeds and service ambassador (附件2, 附件3).
    post "/dashboard/venues/{id}/campaigns/{campaign_id}/deeds" => dashboard::submit_nomination_deeds, SIGNED_IN;
    post "/dashboard/venues/{id}/campaigns/{campaign_id}/ambassador" => dashboard::submit_nomination_ambassador, SIGNED_IN;
    get "/console" => console::home, SUPERVISORS;
    get "/console/rankings" => console::rankings, SUPERVISORS;
    get "/console/audit" => console::audit, SUPERVISORS;
    get "/console/reports" => console::reports, SUPERVISORS;
    get "/console/reports/report.{format}" => console::report_download, SUPERVISORS;
    get "/console/calendar" => console::calendar, SUPERVISORS;
    post "/console/calendar" => console::set_calendar_day, ADMINS;
    get "/console/complaints" => console::complaints, SIGNED_IN;
    // Entering a telephone or 12345 complaint: before the `{id}` routes,
    // whose pattern would otherwise take "new" for an id.
    get "/console/complaints/new" => console::complaint_entry::new_form, SUPERVISORS;
    post "/console/complaints/new" => console::complaint_entry::create, SUPERVISORS;
    get "/console/complaints/{id}" => console::case_page, SIGNED_IN;
    post "/console/complaints/{id}/transitions" => console::case_step, SIGNED_IN;
    post "/console/complaints/{id}/contact" => console::reveal_contact, SUPERVISORS;
    // Bulk posters. `{table}` below matches one path segment, so it cannot
    // take `posters/codes.zip`; these come first all the same, so that no
    // widening of that pattern ever reads the archive as a table.
    get "/console/posters" => console::posters, SUPERVISORS;
    get "/console/posters/print" => console::print_posters, SUPERVISORS;
    get "/console/posters/codes.zip" => console::poster_codes, SUPERVISORS;
    get "/console/appeals" => console::appeals, SUPERVISORS;
    post "/console/appeals/{id}/decision" => console::decide_appeal, SUPERVISORS;
    get "/console/alerts" => console::alerts, SUPERVISORS;
    post "/console/alerts/{id}/read" => console::read_alert, SUPERVISORS;
    get "/console/integrity" => console::integrity_queue, SUPERVISORS;
    get "/console/integrity/{id}" => console::incident, SUPERVISORS;
    post "/console/integrity/{id}/decision" => console::decide_incident, SUPERVISORS;
    post "/console/integrity/{id}/ratings/{rating_id}/decision" => console::decide_hold, SUPERVISORS;
    // Demonstration-unit campaigns (示范单位推荐, requirements section C).
    get "/console/campaigns" => console::campaigns, SUPERVISORS;
    post "/console/campaigns" => console::create_campaign, SUPERVISORS;
    get "/console/campaigns/{id}" => console::campaign, SUPERVISORS;
    post "/console/campaigns/{id}/regions/{region}/nominations" => console::nominate_campaign_unit, SUPERVISORS;
    post "/console/campaigns/{id}/regions/{region}/nominations/{venue_id}/remove" => console::remove_campaign_unit, SUPERVISORS;
    post "/console/campaigns/{id}/regions/{region}/submit" => console::submit_campaign_list, SUPERVISORS;
    post "/console/campaigns/{id}/regions/{region}/review" => console::review_campaign_list, SUPERVISORS;
    post "/console/campaigns/{id}/award" => console::award_campaign, SUPERVISORS;
    get "/console/campaigns/{id}/forms/{form}" => console::campaign_form, SUPERVISORS;
    // The Chief Quality Officer registry: the prefecture's registration form
    // is listed before the `{id}` routes, which would take its name for an id.
    get "/console/quality-officers" => console::quality_officers, SUPERVISORS;
    get "/console/quality-officers/registration-form.xlsx" => console::officer_registration_form, SUPERVISORS;
    get "/console/quality-officers/{id}" => console::quality_officer, SUPERVISORS;
    post "/console/quality-officers/{id}/registration" => console::decide_officer_registration, SUPERVISORS;
    post "/console/quality-officers/{id}/evaluations" => console::evaluate_officer, SUPERVISORS;
    get "/console/{table}.{format}" => console::export, SUPERVISORS;
    // Keeping the venue register: listed before the `{id}` routes, whose
    // patterns would otherwise take "import" and "new" for an id.
    get "/console/venues/new" => console::venue_admin::new_form, SUPERVISORS;
    post "/console/venues/new" => console::venue_admin::create, SUPERVISORS;
    get "/console/venues/import" => console::venue_admin::import_form, SUPERVISORS;
    post "/console/venues/import" => console::venue_admin::import, SUPERVISORS;
    get "/console/venues/import/template.csv" => console::venue_admin::template_csv, SUPERVISORS;
    get "/console/venues/import/template.xlsx" => console::venue_admin::template_xlsx, SUPERVISORS;
    get "/console/venues/{id}/edit" => console::venue_admin::edit_form, SUPERVISORS;
    post "/console/venues/{id}/edit" => console::venue_admin::save, SUPERVISORS;
    post "/console/venues/{id}/close" => console::venue_admin::close, SUPERVISORS;
    post "/console/venues/{id}/reopen" => console::venue_admin::reopen, SUPERVISORS;
    post "/api/v1/venues/import" => venue_admin::import, SUPERVISORS;
    get "/api/v1/venues/import/template.csv" => venue_admin::template_csv, SUPERVISORS;
    get "/api/v1/venues/import/template.xlsx" => venue_admin::template_xlsx, SUPERVISORS;
    patch "/api/v1/venues/{id}" => venue_admin::update, SUPERVISORS;
    get "/console/venues/{id}" => console::venue, SUPERVISORS;
    // Inspections (clause 25): listed before the venue's downloads, so no
    // address of theirs is ever taken for a `{table}.{format}`.
    get "/console/venues/{id}/inspections/new" => console::new_inspection, SUPERVISORS;
    post "/console/venues/{id}/inspections" => console::record_inspection, SUPERVISORS;
    get "/console/venues/{id}/inspections/{inspection_id}/photos/{photo_id}" => console::inspection_photo, SUPERVISORS;
    get "/console/inspection-draws" => console::inspection_draws, SUPERVISORS;
    post "/console/inspection-draws" => console::make_draw, SUPERVISORS;
    get "/console/inspection-draws/{id}" => console::draw_page, SUPERVISORS;
    // Credit lists (文化和旅游市场信用管理规定; division of labour clause 21).
    post "/console/venues/{id}/list-entries" => console::propose_list_entry, SUPERVISORS;
    post "/console/venues/{id}/list-entries/{entry_id}/decision" => console::decide_list_entry, SUPERVISORS;
    get "/console/venues/{id}/{table}.{format}" => console::venue_export, SUPERVISORS;
    post "/console/venues/{id}/violations" => console::record_violation, SUPERVISORS;
    // Tier overrides (clause A.20).
    post "/console/venues/{id}/tier-override" => console::set_tier_override, SUPERVISORS;
    post "/console/venues/{id}/tier-override/end" => console::end_tier_override, SUPERVISORS;
    post "/console/venues/{id}/ratings/quarantine" => console::quarantine_selection, SUPERVISORS;
    post "/console/ratings/{id}/quarantine" => console::quarantine, SUPERVISORS;
    post "/console/ratings/{id}/release" => console::release, SUPERVISORS;
    get "/account/tokens" => people::tokens::list, SIGNED_IN;
    post "/account/tokens" => people::tokens::create, SIGNED_IN;
    post "/account/tokens/{id}/revoke" => people::tokens::revoke, SIGNED_IN;
    get "/invite/{token}" => invitation::show, ANYONE;
    post "/invite/{token}" => invitation::submit, ANYONE;
    post "/api/v1/venues" => venues::create, SUPERVISORS;
    get "/api/v1/venues/{id}" => venues::get, ANYONE;
    post "/api/v1/venues/{id}/code" => venues::reissue_code, SIGNED_IN;
    get "/api/v1/venues/{id}/qr.png" => qr::png, SIGNED_IN;
    get "/api/v1/venues/{id}/qr.svg" => qr::svg, SIGNED_IN;
    get "/api/v1/venues/{id}/score" => scores::venue_score, ANYONE;
    get "/api/v1/venues/{id}/tier/history" => scores::tier_history, ANYONE;
    post "/api/v1/ratings" => ratings::create, ANYONE;
    post "/api/v1/ratings/{id}/quarantine" => moderation::quarantine, SUPERVISORS;
    post "/api/v1/ratings/{id}/release" => moderation::release, SUPERVISORS;
    post "/api/v1/tokens" => tokens::create, SIGNED_IN;
    delete "/api/v1/tokens/{id}" => tokens::revoke, SIGNED_IN;
    post "/api/v1/accounts" => accounts::create, SUPERVISORS;
    get "/api/v1/accounts" => accounts::list, SUPERVISORS;
    patch "/api/v1/accounts/{id}" => accounts::update, SUPERVISORS;
    delete "/api/v1/accounts/{id}/second-factor" => accounts::reset_second_factor, SUPERVISORS;
    post "/api/v1/accounts/{id}/password-link" => accounts::password_link, SUPERVISORS;
    post "/api/v1/invitations/{token}" => accounts::accept_invitation, ANYONE;
    get "/api/v1/audit" => audit::list, SUPERVISORS;
    get "/api/v1/rankings" => rankings::ranking, ANYONE;
    get "/api/v1/regions/{code}/score" => rankings::region_score, ANYONE;
    get "/api/v1/regions/{code}/report" => reports::region_report, SUPERVISORS;
    get "/api/v1/venues/{id}/comments" => venue_staff::comments, SIGNED_IN;
    post "/api/v1/ratings/{id}/reply" => venue_staff::reply, SIGNED_IN;
    put "/api/v1/venues/{id}/commitment" => venue_staff::put_commitment, SIGNED_IN;
    put "/api/v1/venues/{id}/quality-officer" => venue_staff::put_quality_officer, SIGNED_IN;
    get "/api/v1/venues/{id}/quality-officer" => quality_officers::record, SIGNED_IN;
    post "/api/v1/venues/{id}/quality-officer/trainings" => quality_officers::add_training, SIGNED_IN;
    delete "/api/v1/venues/{id}/quality-officer/trainings/{training_id}" => quality_officers::remove_training, SIGNED_IN;
    post "/api/v1/venues/{id}/quality-officer/registration" => quality_officers::decide, SUPERVISORS;
    post "/api/v1/venues/{id}/quality-officer/evaluations" => quality_officers::evaluate, SUPERVISORS;
    get "/api/v1/quality-officers" => quality_officers::registry, SUPERVISORS;
    get "/api/v1/overview" => supervision::overview, SUPERVISORS;
    get "/api/v1/venues/{id}/ratings" => supervision::venue_ratings, SUPERVISORS;
    get "/api/v1/venues/{id}/violations" => supervision::list_violations, SUPERVISORS;
    post "/api/v1/venues/{id}/violations" => supervision::create_violation, SUPERVISORS;
    get "/api/v1/venues/{id}/inspections" => inspections::list, SUPERVISORS;
    post "/api/v1/venues/{id}/inspections" => inspections::create, SUPERVISORS;
    get "/api/v1/venues/{id}/list-entries" => lists::for_venue, SIGNED_IN;
    post "/api/v1/venues/{id}/list-entries" => lists::propose, SUPERVISORS;
    get "/api/v1/list-entries/{id}" => lists::get, SIGNED_IN;
    post "/api/v1/list-entries/{id}/statement" => lists::statement, SIGNED_IN;
    post "/api/v1/list-entries/{id}/decision" => lists::decision, SUPERVISORS;
    // Credit repair (信用修复, clause 22; the commitment of clause 19).
    post "/api/v1/list-entries/{id}/repair" => repairs::apply, VENUE_STAFF;
    get "/api/v1/repair-applications" => repairs::list, SIGNED_IN;
    get "/api/v1/repair-applications/{id}" => repairs::get, SIGNED_IN;
    post "/api/v1/repair-applications/{id}/decision" => repairs::decision, SUPERVISORS;
    get "/api/v1/repair-applications/{id}/evidence/{file_id}" => repairs::evidence, SIGNED_IN;
    post "/api/v1/venues/{id}/regrade" => repairs::regrade, VENUE_STAFF;
    post "/dashboard/venues/{id}/list-entries/{entry_id}/repair" => dashboard::apply_for_repair, VENUE_STAFF;
    get "/dashboard/repair-applications/{id}/evidence/{file_id}" => dashboard::repair_evidence, SIGNED_IN;
    get "/console/repair-applications" => console::repairs, SUPERVISORS;
    get "/console/repair-applications/{id}" => console::repair_page, SUPERVISORS;
    post "/console/repair-applications/{id}/decision" => console::decide_repair, SUPERVISORS;
    get "/lists/serious" => public::serious, ANYONE;
    get "/lists/quality" => public::quality, ANYONE;
    get "/api/v1/lists/serious" => lists::serious, ANYONE;
    get "/api/v1/lists/quality" => lists::quality, ANYONE;
    post "/api/v1/venues/{id}/tier-override" => tier_overrides::set, SUPERVISORS;
    delete "/api/v1/venues/{id}/tier-override" => tier_overrides::end, SUPERVISORS;
    post "/api/v1/venues/{id}/inspections/{inspection_id}/photos" => inspections::add_photo, SUPERVISORS;
    post "/api/v1/inspection-draws" => inspections::draw, SUPERVISORS;
    get "/api/v1/inspection-draws/{id}" => inspections::get_draw, SUPERVISORS;
    get "/api/v1/complaints" => complaints::list, SIGNED_IN;
    post "/api/v1/complaints" => complaints::enter, SUPERVISORS;
    get "/api/v1/complaints/{id}" => complaints::get, SIGNED_IN;
    post "/api/v1/complaints/{id}/transitions" => complaints::transition, SIGNED_IN;
    post "/api/v1/complaints/{id}/contact" => complaints::reveal_contact, SUPERVISORS;
    get "/api/v1/holidays" => holidays::list, SIGNED_IN;
    put "/api/v1/holidays/{date}" => holidays::put, ADMINS;
    delete "/api/v1/holidays/{date}" => holidays::delete, ADMINS;
    get "/api/v1/regions/{code}/case-clocks" => holidays::get_clocks, SIGNED_IN;
    post "/api/v1/ratings/{id}/appeal" => appeals::file, SIGNED_IN;
    get "/api/v1/appeals" => appeals::list, SIGNED_IN;
    post "/api/v1/appeals/{id}/decision" => appeals::decide, SUPERVISORS;
    // Alerts for regulators, and bought scores: the incidents the detectors hold.
    get "/api/v1/alerts" => alerts::inbox, SUPERVISORS;
    post "/api/v1/alerts/{id}/read" => alerts::read, SUPERVISORS;
    get "/api/v1/integrity/incidents" => integrity::queue, SUPERVISORS;
    get "/api/v1/integrity/incidents/{id}" => integrity::incident, SUPERVISORS;
    post "/api/v1/integrity/incidents/{id}/decision" => integrity::decide_incident, SUPERVISORS;
    post "/api/v1/integrity/holds/{rating_id}/decision" => integrity::decide_hold, SUPERVISORS;
    get "/api/v1/venues/{id}/bad-ratings" => appeals::bad_ratings, SIGNED_IN;
    post "/api/v1/ratings/{id}/bad-rating-case" => appeals::bad_rating_step, SIGNED_IN;
    put "/api/v1/regions/{code}/case-clocks" => holidays::put_clocks, ADMINS;
    // Demonstration-unit campaigns (示范单位推荐, requirements section C).
    post "/api/v1/campaigns" => campaigns::create, SUPERVISORS;
    get "/api/v1/campaigns" => campaigns::list, SUPERVISORS;
    get "/api/v1/campaigns/{id}" => campaigns::get, SUPERVISORS;
    get "/api/v1/campaigns/{id}/regions/{region}/proposals" => campaigns::proposals, SUPERVISORS;
    post "/api/v1/campaigns/{id}/regions/{region}/nominations" => campaigns::nominate, SUPERVISORS;
    post "/api/v1/campaigns/{id}/regions/{region}/nominations/{venue_id}/remove" => campaigns::remove, SUPERVISORS;
    post "/api/v1/campaigns/{id}/regions/{region}/submit" => campaigns::submit, SUPERVISORS;
    post "/api/v1/campaigns/{id}/regions/{region}/review" => campaigns::review, SUPERVISORS;
    post "/api/v1/campaigns/{id}/award" => campaigns::award, SUPERVISORS;
    get "/api/v1/campaigns/{id}/nominations" => campaigns::nominations, SUPERVISORS;
    put "/api/v1/campaigns/{id}/nominations/{venue_id}/ambassador" => campaigns::ambassador, SIGNED_IN;
    put "/api/v1/campaigns/{id}/nominations/{venue_id}/deeds" => campaigns::deeds, SIGNED_IN;
    get "/api/v1/venues/{id}/nominations" => campaigns::for_venue, SIGNED_IN;
    get "/api/v1/campaigns/{id}/forms/{form}" => campaigns::form, SUPERVISORS;
}

/// The upper-case name of a method written in lower case in the table.
const fn upper(method: &'static str) -> &'static str {
    match method.as_bytes() {
        b"get" => "GET",
        b"post" => "POST",
        b"put" => "PUT",
        b"patch" => "PATCH",
        b"delete" => "DELETE",
        _ => panic!("a route table method is one of get, post, put, patch, delete"),
    }
}

/// The rule for a method and route pattern, if the table has one; HEAD
/// follows the GET rule, since it is the same handler without the body.
pub fn rule(method: &str, pattern: &str) -> Option<Access> {
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    ROUTES
        .iter()
        .find(|r| r.method.eq_ignore_ascii_case(method) && r.path == pattern)
        .map(|r| r.access)
}

/// A route answering `method`; a GET route answers HEAD as well (the server
/// sends the headers without the body).
fn route_for(method: &str) -> Route {
    match method {
        "get" => web::route().guard(guard::Any(guard::Get()).or(guard::Head())),
        "post" => web::post(),
        "put" => web::put(),
        "patch" => web::patch(),
        "delete" => web::delete(),
        other => unreachable!("no route is declared with the method {other}"),
    }
}

/// The methods a path takes, for the `Allow` header of a 405.
fn allowed_methods(path: &str) -> String {
    let mut methods: Vec<&str> = ROUTES
        .iter()
        .filter(|r| r.path == path)
        .flat_map(|r| match r.method {
            "GET" => vec!["GET", "HEAD"],
            other => vec![other],
        })
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods.join(", ")
}

/// One resource per path, holding every method's route, so a known address
/// called with a method it does not take is answered 405 with `Allow`
/// instead of falling through to "no such page".
fn register(cfg: &mut web::ServiceConfig, mut pending: Vec<(&'static str, Route)>) {
    while let Some(&(path, _)) = pending.first() {
        let (same, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(p, _)| *p == path);
        let allow = allowed_methods(path);
        let mut resource = web::resource(path).default_service(web::to(
            move |req: HttpRequest, state: web::Data<AppState>| {
                let allow = allow.clone();
                async move { public::method_not_allowed(req, state, allow) }
            },
        ));
        for (_, route) in same {
            resource = resource.route(route);
        }
        cfg.service(resource);
        pending = rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_declared_once() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} {} is declared twice",
                    a.method,
                    a.path
                );
            }
        }
    }

    #[test]
    fn head_follows_get_and_unknown_routes_have_no_rule() {
        assert_eq!(rule("HEAD", "/healthz"), Some(Access::Public));
        assert_eq!(rule("get", "/api/v1/overview"), Some(SUPERVISORS));
        assert_eq!(rule("POST", "/healthz"), None);
        assert_eq!(allowed_methods("/login"), "GET, HEAD, POST");
    }
}
