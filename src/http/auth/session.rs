//! Sessions: the cookies that carry them (`__Host-` prefixed over https),
//! the account behind a live session, and where a signed-in person lands.

use crate::domain::ids::AccountId;
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};

use crate::domain::access::Role;
use crate::domain::code::constant_time_eq;
use crate::http::AppState;
use crate::live::LiveDown;
use crate::live::sessions::{PENDING_SIGNIN_SECS, SessionId};

/// A cookie's name over plain http and over https. Over https every cookie
/// the service sets is `__Host-` prefixed: browsers keep such a cookie only
/// if it is `Secure`, for `Path=/` and without a `Domain`, so a sibling host
/// cannot plant or overwrite it.
#[derive(Debug, Clone, Copy)]
pub struct CookieName {
    /// The name over plain http.
    pub plain: &'static str,
    /// The name over https.
    pub host: &'static str,
}

impl CookieName {
    /// The name this deployment uses.
    pub fn for_state(self, state: &AppState) -> &'static str {
        if secure_cookies(state) {
            self.host
        } else {
            self.plain
        }
    }
}

/// The session cookie.
pub const SESSION_COOKIE: CookieName = CookieName {
    plain: "qrf_session",
    host: "__Host-qrf_session",
};
/// The cookie the sign-in form's token is bound to.
pub const PRE_SESSION_COOKIE: CookieName = CookieName {
    plain: "qrf_presession",
    host: "__Host-qrf_presession",
};
/// The cookie that ties the second sign-in step to the browser that passed the first.
pub const PENDING_SIGNIN_COOKIE: CookieName = CookieName {
    plain: "qrf_signin",
    host: "__Host-qrf_signin",
};
/// The second sign-in step: the one-time code.
pub const SECOND_FACTOR_PATH: &str = "/login/second-factor";
/// Where venue staff land after signing in.
pub const VENUE_STAFF_HOME: &str = "/dashboard";
/// Where admins and regulators land after signing in.
pub const SUPERVISOR_HOME: &str = "/console";
/// Where an account that must enrol a second factor is sent instead.
pub const ENROL_TOTP_PATH: &str = "/account/security";

/// Where a complete sign-in of this role leads.
pub fn home_path(role: Role) -> &'static str {
    match role {
        Role::VenueStaff => VENUE_STAFF_HOME,
        Role::Admin | Role::Regulator => SUPERVISOR_HOME,
    }
}

/// The "venue" the sign-in form's token is bound to: no venue has id 0, so a
/// rating form's token is never accepted here nor the other way round.
pub(in crate::http) const LOGIN_FORM_SCOPE: i64 = 0;
/// The account behind a live session, for pages that need a signed-in person.
#[derive(Debug, Clone)]
pub struct SessionAccount {
    /// The account.
    pub account_id: AccountId,
    /// Its role at sign-in.
    pub role: Role,
    /// When the session began, Unix milliseconds.
    pub signed_in_ms: i64,
    /// The token every state-changing form of this session must carry as `csrf_token`.
    pub csrf_token: String,
    /// The account has yet to enrol the second factor its role requires:
    /// pages other than enrolment and sign-out must refuse this session.
    pub must_enrol_totp: bool,
}

impl SessionAccount {
    /// Whether a posted form token is this session's.
    pub fn csrf_matches(&self, posted: &str) -> bool {
        constant_time_eq(posted.as_bytes(), self.csrf_token.as_bytes())
    }
}

/// The signed-in account of this request, its idle time restarted; `None`
/// without a live session or while Redis is down.
pub async fn current_account(state: &AppState, req: &HttpRequest) -> Option<SessionAccount> {
    session_of(state, req)
        .await
        .ok()
        .flatten()
        .map(|(_, account)| account)
}

/// The session cookie's id and its account, its idle time restarted; `Err`
/// while Redis is down.
pub async fn session_of(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<(SessionId, SessionAccount)>, LiveDown> {
    let Some(id) = req
        .cookie(session_cookie_name(state))
        .and_then(|c| SessionId::parse(c.value()))
    else {
        return Ok(None);
    };
    let now = state.clock.now().timestamp();
    let Some(data) = state.live.touch_session(&id, now).await? else {
        return Ok(None);
    };
    // A role key this build does not know cannot be trusted with anything.
    let Some(role) = Role::parse(&data.role) else {
        return Ok(None);
    };
    Ok(Some((
        id,
        SessionAccount {
            account_id: data.account_id,
            role,
            signed_in_ms: data.created_ms,
            csrf_token: data.csrf_token,
            must_enrol_totp: data.must_enrol_totp,
        },
    )))
}

pub(in crate::http) fn secure_cookies(state: &AppState) -> bool {
    state.settings.public_base_url.starts_with("https://")
}

/// The session cookie's name: `__Host-` prefixed when served over https.
pub fn session_cookie_name(state: &AppState) -> &'static str {
    SESSION_COOKIE.for_state(state)
}

/// The cookie that hands a browser its session (or, with an empty value,
/// removes it).
pub fn session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    // No max-age: the cookie ends with the browser, the session in Redis
    // ends on its own schedule, whichever comes first. Path=/ and no
    // Domain, as the `__Host-` prefix demands.
    Cookie::build(session_cookie_name(state), value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Lax)
        .finish()
}

pub(in crate::http) fn pre_session_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(PRE_SESSION_COOKIE.for_state(state), value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Strict)
        .finish()
}

/// The browser's pre-session secret, to which the sign-in form's token is bound.
pub(in crate::http) fn pre_session_of(state: &AppState, req: &HttpRequest) -> Option<SessionId> {
    req.cookie(PRE_SESSION_COOKIE.for_state(state))
        .and_then(|c| SessionId::parse(c.value()))
}

pub(in crate::http) fn pending_cookie(state: &AppState, value: String) -> Cookie<'static> {
    // Strict: the second step is only ever reached from our own first step.
    // Path=/ as the `__Host-` prefix demands; it is sent to no other site.
    Cookie::build(PENDING_SIGNIN_COOKIE.for_state(state), value)
        .path("/")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(PENDING_SIGNIN_SECS))
        .finish()
}

/// A fresh token for a session's or a pending sign-in's forms.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    data_encoding::HEXLOWER.encode(&bytes)
}
