//! `/r/{code}`: the mobile rating page and its plain HTML form post.
//!
//! Past 500 lines: the rating page's GET and its two POSTs (rating, complaint) share the venue
//! card, the device cookie and the outcome pages; the views are in view.rs.

use std::sync::{Arc, LazyLock};

use crate::config::Imprint;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::app::intake::{IntakeError, Submission};
use crate::domain::rating::{Complaint, DeviceId, RatingError, RatingInput, RawRating};
use crate::domain::secrets::FormTokenError;
use crate::http::AppState;
use crate::http::PageShell;
use crate::http::api::ratings::client_ip;
use crate::http::html;
use crate::http::html::retry_after;
use crate::http::pages::visitor::view::{
    self, ErrorPage, FormNotice, FormValues, RepeatVisit, VenueHeader,
};
use crate::i18n::Lang;
use crate::store::venues::{CodeStatus, VenueCard};

/// The device cookie set by the rating page.
pub const DEVICE_COOKIE: &str = "qrf_device";
/// The language cookie set by the language switch.
pub const LANG_COOKIE: &str = "qrf_lang";

/// Pages carry a per-view token and inline style only, nothing external; the
/// one inline script runs by its hash, computed once, so no other script can.
static CSP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src {}; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        html::inline_script_source(view::COMMENT_COUNTER_JS)
    )
});

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// The posted rating form; every field arrives as text and is parsed here.
#[derive(Debug, Default, Deserialize)]
pub struct RatingForm {
    overall: Option<String>,
    environment: Option<String>,
    skill: Option<String>,
    attitude: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    comment: Option<String>,
    complaint: Option<String>,
    contact: Option<String>,
    form_token: Option<String>,
    lang: Option<String>,
    /// Set by the complaint form offered alone to a device that rated today.
    complaint_only: Option<String>,
}

fn language(req: &HttpRequest, explicit: Option<&str>) -> Lang {
    html::negotiate_language(req, explicit)
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    html::page_response(status, &CSP, body)
}

/// A friendly error page in the visitor pages' look, with its status.
pub(crate) fn error(imprint: &Imprint, lang: Lang, which: ErrorPage) -> HttpResponse {
    let status = match which {
        ErrorPage::NotFound => StatusCode::NOT_FOUND,
        ErrorPage::CodeReplaced => StatusCode::GONE,
        ErrorPage::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorPage::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorPage::BadRequest => StatusCode::BAD_REQUEST,
        ErrorPage::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
    };
    html(status, view::error_page(lang, which, imprint))
}

fn header_of(card: &VenueCard, lang: Lang) -> VenueHeader<'_> {
    VenueHeader {
        name: &card.name,
        category: lang.pick(&card.category_name_zh, &card.category_name_en),
        region: lang.pick(&card.region_name_zh, &card.region_name_en),
    }
}

/// Resolves the code into a venue card, or the error page to show.
async fn venue_for(
    state: &AppState,
    code: &str,
    lang: Lang,
) -> Result<Arc<VenueCard>, HttpResponse> {
    match state.resolve_code(code).await {
        Ok(CodeStatus::Active(card)) => Ok(card),
        Ok(CodeStatus::Closed(card)) => Err(html(
            StatusCode::GONE,
            view::venue_closed_page(lang, &card.name, &state.settings.imprint),
        )),
        Ok(CodeStatus::Replaced) => Err(error(
            &state.settings.imprint,
            lang,
            ErrorPage::CodeReplaced,
        )),
        Ok(CodeStatus::Unknown) => Err(error(&state.settings.imprint, lang, ErrorPage::NotFound)),
        Err(err) => {
            tracing::warn!(error = %err, "code lookup failed");
            Err(error(&state.settings.imprint, lang, ErrorPage::Unavailable))
        }
    }
}

fn secure_cookies(state: &AppState) -> bool {
    state.settings.public_base_url.starts_with("https://")
}

fn device_cookie(state: &AppState, device: &DeviceId) -> Cookie<'static> {
    Cookie::build(DEVICE_COOKIE, device.as_str().to_owned())
        .path("/r")
        .http_only(true)
        .secure(secure_cookies(state))
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(400))
        .finish()
}

fn lang_cookie(state: &AppState, lang: Lang) -> Cookie<'static> {
    Cookie::build(LANG_COOKIE, lang.tag())
        .path("/")
        .secure(secure_cookies(state))
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::days(400))
        .finish()
}

/// The visitor's device: the cookie if it holds a valid id, else a new one.
fn device_of(req: &HttpRequest) -> (DeviceId, bool) {
    match req
        .cookie(DEVICE_COOKIE)
        .and_then(|c| DeviceId::parse(c.value()).ok())
    {
        Some(device) => (device, false),
        None => (DeviceId::generate(), true),
    }
}

fn form_page(
    state: &AppState,
    lang: Lang,
    card: &VenueCard,
    code: &str,
    values: &FormValues,
    notice: &FormNotice,
    status: StatusCode,
) -> HttpResponse {
    let token = form_token(state, card);
    let body = view::rating_page(
        lang,
        &header_of(card, lang),
        code,
        &token,
        values,
        notice,
        &state.settings.imprint,
    );
    html(status, body)
}

/// A fresh token for one view of a venue's form, stamped with the clock's now.
fn form_token(state: &AppState, card: &VenueCard) -> String {
    state
        .secrets
        .issue_form_token(card.id.get(), state.clock.now().timestamp())
}

/// The complaint form alone, for a device that rated the venue today.
fn complaint_form_page(
    state: &AppState,
    lang: Lang,
    card: &VenueCard,
    code: &str,
    values: &FormValues,
    notice: &FormNotice,
    status: StatusCode,
) -> HttpResponse {
    let token = form_token(state, card);
    let visit = RepeatVisit::ComplaintForm {
        form_token: &token,
        values,
        notice,
    };
    let body = view::already_rated_page(
        lang,
        &header_of(card, lang),
        code,
        &visit,
        &state.settings.imprint,
    );
    html(status, body)
}

/// The page after a complaint was filed apart from a (refused or earlier) rating.
fn complaint_filed_page(
    state: &AppState,
    lang: Lang,
    card: &VenueCard,
    code: &str,
    tracking_code: &str,
    status: StatusCode,
) -> HttpResponse {
    let visit = RepeatVisit::ComplaintFiled(tracking_code);
    html(
        status,
        view::already_rated_page(
            lang,
            &header_of(card, lang),
            code,
            &visit,
            &state.settings.imprint,
        ),
    )
}

/// Stands in for the form token while a first-view page is rendered once per
/// venue and language; each view then only splices in its own token.
const TOKEN_SLOT: &str = "qrfFormTokenSlot";

/// The first view of the form: rendered once, then copied with a fresh token.
async fn first_view(state: &AppState, lang: Lang, card: &VenueCard, code: &str) -> HttpResponse {
    let key = (code.to_owned(), lang.tag());
    let shell = match state.page_shells.get(&key).await {
        Some(shell) => shell,
        None => {
            let page = view::rating_page(
                lang,
                &header_of(card, lang),
                code,
                TOKEN_SLOT,
                &FormValues::default(),
                &FormNotice::None,
                &state.settings.imprint,
            );
            let Some((before, after)) = page.split_once(TOKEN_SLOT) else {
                return form_page(
                    state,
                    lang,
                    card,
                    code,
                    &FormValues::default(),
                    &FormNotice::None,
                    StatusCode::OK,
                );
            };
            let shell = Arc::new(PageShell {
                before_token: before.to_owned(),
                after_token: after.to_owned(),
            });
            state.page_shells.insert(key, shell.clone()).await;
            shell
        }
    };
    let token = form_token(state, card);
    let mut body =
        String::with_capacity(shell.before_token.len() + token.len() + shell.after_token.len());
    body.push_str(&shell.before_token);
    body.push_str(&token);
    body.push_str(&shell.after_token);
    html(StatusCode::OK, body)
}

/// `GET /r/{code}`: the rating form.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> HttpResponse {
    // A garbled query string just means no explicit language.
    let chosen = web::Query::<LangQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.into_inner().lang);
    let lang = language(&req, chosen.as_deref());
    let card = match venue_for(&state, &path, lang).await {
        Ok(card) => card,
        Err(page) => return page,
    };
    let (device, is_new) = device_of(&req);
    // Only a returning device costs a lookup; the first view stays a cached copy.
    let mut response = if !is_new && state.intake.rated_today(card.id, &device).await {
        complaint_form_page(
            &state,
            lang,
            &card,
            &path,
            &FormValues::default(),
            &FormNotice::None,
            StatusCode::OK,
        )
    } else {
        first_view(&state, lang, &card, &path).await
    };
    if is_new {
        let _ = response.add_cookie(&device_cookie(&state, &device));
    }
    if chosen.as_deref().and_then(Lang::from_tag).is_some() {
        let _ = response.add_cookie(&lang_cookie(&state, lang));
    }
    response
}

fn stars_field(raw: &Option<String>, field: &'static str) -> Result<Option<i64>, RatingError> {
    match raw.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| RatingError::OutOfRange { field }),
    }
}

fn keep_stars(raw: &Option<String>) -> Option<u8> {
    raw.as_deref()
        .and_then(|v| v.trim().parse::<u8>().ok())
        .filter(|v| (1..=5).contains(v))
}

fn values_of(form: &RatingForm) -> FormValues {
    FormValues {
        overall: keep_stars(&form.overall),
        environment: keep_stars(&form.environment),
        skill: keep_stars(&form.skill),
        attitude: keep_stars(&form.attitude),
        tags: form.tags.clone(),
        comment: form.comment.clone().unwrap_or_default(),
        complaint: form.complaint.clone().unwrap_or_default(),
        contact: form.contact.clone().unwrap_or_default(),
    }
}

impl RatingForm {
    /// Reads an `application/x-www-form-urlencoded` body; `None` is a 400 page.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        serde_html_form::from_bytes(body).ok()
    }

    /// The rating's content, parsed into domain types; an error is a 422 page.
    pub fn rating_input(&self) -> Result<RatingInput, RatingError> {
        RatingInput::parse(RawRating {
            overall: stars_field(&self.overall, "overall")?,
            environment: stars_field(&self.environment, "environment")?,
            skill: stars_field(&self.skill, "skill")?,
            attitude: stars_field(&self.attitude, "attitude")?,
            tags: &self.tags,
            comment: self.comment.as_deref(),
            complaint: self.complaint.as_deref(),
            contact: self.contact.as_deref(),
        })
    }
}

/// The complaint form posted alone, by a device that rated the venue today.
async fn submit_complaint(
    req: &HttpRequest,
    state: &AppState,
    lang: Lang,
    card: &VenueCard,
    code: &str,
    form: &RatingForm,
    values: &FormValues,
) -> HttpResponse {
    let refused = |notice: FormNotice, status| {
        complaint_form_page(state, lang, card, code, values, &notice, status)
    };
    let complaint = match Complaint::parse(form.complaint.as_deref(), form.contact.as_deref()) {
        Ok(Some(complaint)) => complaint,
        Ok(None) => {
            let notice = FormNotice::Invalid(RatingError::EmptyComplaint);
            return refused(notice, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(err) => return refused(FormNotice::Invalid(err), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let (device, _) = device_of(req);
    match state
        .intake
        .complain(card, &device, &complaint, &client_ip(req))
        .await
    {
        Ok(tracking_code) => {
            complaint_filed_page(state, lang, card, code, &tracking_code, StatusCode::OK)
        }
        Err(IntakeError::RateLimited { retry_after_secs }) => retry_after(
            error(&state.settings.imprint, lang, ErrorPage::TooManyRequests),
            retry_after_secs,
        ),
        Err(_) => refused(FormNotice::Unavailable, StatusCode::SERVICE_UNAVAILABLE),
    }
}

/// `POST /r/{code}`: the plain form post, no JavaScript needed.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let form = RatingForm::from_body(&body);
    let lang = language(&req, form.as_ref().and_then(|f| f.lang.as_deref()));
    let Some(form) = form else {
        return error(&state.settings.imprint, lang, ErrorPage::BadRequest);
    };
    let code = path.into_inner();
    let card = match venue_for(&state, &code, lang).await {
        Ok(card) => card,
        Err(page) => return page,
    };
    let values = values_of(&form);
    let now = state.clock.now().timestamp();
    let nonce = match state.secrets.verify_form_token(
        form.form_token.as_deref().unwrap_or_default(),
        card.id.get(),
        now,
    ) {
        Ok(nonce) => nonce,
        Err(FormTokenError::Expired) => {
            return form_page(
                &state,
                lang,
                &card,
                &code,
                &values,
                &FormNotice::FormExpired,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(FormTokenError::Forged) => {
            return error(&state.settings.imprint, lang, ErrorPage::BadRequest);
        }
    };
    if form.complaint_only.is_some() {
        return submit_complaint(&req, &state, lang, &card, &code, &form, &values).await;
    }
    let input = match form.rating_input() {
        Ok(input) => input,
        Err(err) => {
            state
                .metrics
                .rating_outcome(crate::error::ApiError::from(err.clone()).slug());
            return form_page(
                &state,
                lang,
                &card,
                &code,
                &values,
                &FormNotice::Invalid(err),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let (device, new_device) = device_of(&req);
    let submission = Submission {
        venue: card.clone(),
        input,
        device: device.clone(),
        form_nonce: Some(nonce),
        idempotency: None,
        client_ip: client_ip(&req),
    };
    let mut response = match state.intake.submit(submission).await {
        Ok(receipt) => html(
            StatusCode::OK,
            view::thanks_page(
                lang,
                &header_of(&card, lang),
                &code,
                receipt.tracking_code.as_deref(),
                &state.settings.imprint,
            ),
        ),
        Err(IntakeError::Duplicate {
            tracking_code: Some(tracking_code),
        }) => complaint_filed_page(
            &state,
            lang,
            &card,
            &code,
            &tracking_code,
            StatusCode::CONFLICT,
        ),
        Err(IntakeError::Duplicate {
            tracking_code: None,
        }) => complaint_form_page(
            &state,
            lang,
            &card,
            &code,
            &FormValues::default(),
            &FormNotice::None,
            StatusCode::CONFLICT,
        ),
        Err(IntakeError::Refused) => form_page(
            &state,
            lang,
            &card,
            &code,
            &values,
            &FormNotice::Unstorable,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(IntakeError::RateLimited { retry_after_secs }) => retry_after(
            error(&state.settings.imprint, lang, ErrorPage::TooManyRequests),
            retry_after_secs,
        ),
        Err(IntakeError::Unavailable | IntakeError::Failed | IntakeError::IdempotencyMismatch) => {
            // Keep every answer on the page so one tap sends it again.
            form_page(
                &state,
                lang,
                &card,
                &code,
                &values,
                &FormNotice::Unavailable,
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    };
    if new_device {
        let _ = response.add_cookie(&device_cookie(&state, &device));
    }
    response
}
