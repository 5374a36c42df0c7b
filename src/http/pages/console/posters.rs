//! Bulk QR posters for a region (division-of-labour clause 12: evaluation
//! QR codes at the main venues): `GET /console/posters` picks a region in
//! the caller's scope, a category and a paper size and says how many open
//! venues that holds; `GET /console/posters/print` is one printable
//! document with a poster per venue and page; `GET /console/posters/codes.zip`
//! holds each venue's code as PNG and SVG with an index. Both downloads are
//! drawn on the blocking pool, capped at [`POSTER_VENUES_MAX`] venues, and
//! audited like every console download.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::Kind;
use crate::app::audit::{self as audit_log, Download};
use crate::app::posters::{self, POSTER_VENUES_MAX, PosterSelection};
use crate::domain::access::Scope;
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::api::qr::render_svg;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::code_archive::{CodeFile, code_archive};
use crate::http::export::file_stem;
use crate::http::html::{Chrome, render_document};
use crate::http::pages::console::POSTER_DOWNLOADS;
use crate::http::pages::console::view::{Names, SelectOption};
use crate::http::pages::people::{RegionOption, region_options};
use crate::http::pages::posters::{Paper, PosterChrome, PosterSheet, poster_document};
use crate::i18n::{Messages, PostersTexts};
use crate::store::venues::CodedVenue;

/// The grain of a poster's inline QR code; the sheet's CSS sets its printed size.
const POSTER_QR_PIXELS: u32 = 512;
/// The quiet zone of a poster's QR code, in modules.
const POSTER_QR_MARGIN: u32 = 4;

/// The query of the poster page and its downloads.
#[derive(Debug, Default, Deserialize)]
struct PosterQuery {
    region: Option<String>,
    category: Option<String>,
    paper: Option<String>,
}

/// A checked query: the selection and the paper.
struct Checked {
    selection: PosterSelection,
    paper: Paper,
}

impl Checked {
    /// The selection as query pairs, for links (no language: [`Names::href`] adds it).
    fn pairs(&self, with_paper: bool) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(region) = &self.selection.region {
            pairs.push(("region".to_owned(), region.code.to_string()));
        }
        if let Some(category) = &self.selection.category {
            pairs.push(("category".to_owned(), category.clone()));
        }
        if with_paper {
            pairs.push(("paper".to_owned(), self.paper.key().to_owned()));
        }
        pairs
    }
}

/// Reads the query: a malformed region, an unknown category or paper size
/// is a bad address (400); a region outside the caller's scope 403, an
/// unknown one 404.
async fn checked_query(
    signed_in: &SignedIn,
    state: &AppState,
    req: &HttpRequest,
) -> Result<Checked, PageError> {
    let query: PosterQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let lang = signed_in.lang;
    let selection = posters::parse_selection(
        state,
        &signed_in.caller.principal,
        query.region.as_deref(),
        query.category.as_deref(),
    )
    .await
    .map_err(|err| match err.slug.kind() {
        Kind::Invalid => PageError::new(
            lang,
            PageProblem::BadQuery(signed_in.messages().problem(&err).to_owned()),
        ),
        _ => signed_in.fail(err),
    })?;
    let paper = Paper::parse(query.paper.as_deref()).ok_or_else(|| {
        PageError::new(
            lang,
            PageProblem::BadQuery(signed_in.messages().dashboard.poster_bad_size.clone()),
        )
    })?;
    Ok(Checked { selection, paper })
}

/// "Bayingolin · Hotels": the selection in the page language.
fn selection_name(names: &Names, selection: &PosterSelection) -> String {
    let category = selection.category.as_deref().map_or_else(
        || names.m.rankings_page.all_categories.clone(),
        |key| names.category(key),
    );
    format!(
        "{} · {category}",
        names.region_or_country(selection.region.as_ref())
    )
}

/// The two downloads of a selection that may be made.
struct DownloadLinks {
    print_href: String,
    print_label: String,
    zip_href: String,
}

#[derive(Template)]
#[template(path = "console_posters.html")]
struct PostersView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    t: &'static PostersTexts,
    /// Whether the whole country may be chosen (admins).
    nationwide: bool,
    regions: Vec<RegionOption>,
    categories: Vec<SelectOption>,
    papers: Vec<SelectOption>,
    heading: String,
    summary: String,
    downloads: Option<DownloadLinks>,
    cap_note: String,
}

/// `GET /console/posters?region=&category=&paper=`.
pub async fn page(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let checked = checked_query(&signed_in, &state, &req).await?;
    let count = posters::count(&state, &signed_in.caller.principal, &checked.selection)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let m = names.m;
    let t = &m.posters;
    let summary = if count == 0 {
        t.empty.clone()
    } else if count > POSTER_VENUES_MAX {
        t.too_many
            .replace("{count}", &count.to_string())
            .replace("{max}", &POSTER_VENUES_MAX.to_string())
    } else {
        t.count.replace("{count}", &count.to_string())
    };
    let downloads = (1..=POSTER_VENUES_MAX)
        .contains(&count)
        .then(|| DownloadLinks {
            print_href: names.href("/console/posters/print", &checked.pairs(true)),
            print_label: t.print_link.replace("{size}", checked.paper.name()),
            zip_href: names.href("/console/posters/codes.zip", &checked.pairs(false)),
        });
    let chosen_region = checked
        .selection
        .region
        .as_ref()
        .map(|r| r.code.to_string())
        .unwrap_or_default();
    let chosen_category = checked.selection.category.as_deref();
    let categories = names.category_options(chosen_category);
    let papers = [(Paper::A4, &t.paper_a4), (Paper::A5, &t.paper_a5)]
        .into_iter()
        .map(|(paper, label)| SelectOption {
            value: paper.key().to_owned(),
            label: label.clone(),
            selected: paper == checked.paper,
        })
        .collect();
    let body = render_document(&PostersView {
        chrome: signed_in.chrome(t.title.clone()),
        nav: signed_in.nav(),
        m,
        t,
        nationwide: signed_in.caller.principal.scope == Scope::All,
        regions: region_options(&signed_in, &names.regions, &chosen_region),
        categories,
        papers,
        heading: selection_name(&names, &checked.selection),
        summary,
        downloads,
        cap_note: t.cap_note.replace("{max}", &POSTER_VENUES_MAX.to_string()),
    });
    Ok(signed_in.page(body))
}

/// The selection's venues with their rating addresses; more than the cap is 422.
async fn selected_venues(
    signed_in: &SignedIn,
    state: &AppState,
    checked: &Checked,
) -> Result<Vec<(CodedVenue, String)>, PageError> {
    let venues = posters::coded_venues(state, &signed_in.caller.principal, &checked.selection)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(venues
        .into_iter()
        .map(|venue| {
            let rating_url = state.rating_url(&venue.code);
            (venue, rating_url)
        })
        .collect())
}

/// Records a poster download in the audit log, before the file leaves.
async fn audit(
    signed_in: &SignedIn,
    state: &AppState,
    format: &str,
    rows: usize,
    req: &HttpRequest,
) -> Result<(), PageError> {
    let what = Download {
        table: POSTER_DOWNLOADS,
        format,
        venue_id: None,
        rows,
        query: req.query_string(),
    };
    audit_log::record_download(state, &signed_in.caller, &what)
        .await
        .map_err(|e| signed_in.fail(e))
}

/// Logs a failure of the blocking pool or of drawing, and answers the error page.
fn drawing_failed(signed_in: &SignedIn, err: impl std::fmt::Display) -> PageError {
    tracing::error!(error = %err, "poster download failed");
    PageError::new(signed_in.lang, PageProblem::Failed)
}

/// `GET /console/posters/print?region=&category=&paper=a4|a5`: one
/// printable document, a poster per open venue and page, by venue id.
pub async fn print(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let checked = checked_query(&signed_in, &state, &req).await?;
    let venues = selected_venues(&signed_in, &state, &checked).await?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.posters;
    let count = venues.len();
    let chrome = PosterChrome {
        title: t
            .print_title
            .replace("{selection}", &selection_name(&names, &checked.selection)),
        back_href: names.href("/console/posters", &checked.pairs(true)),
        back_label: t.print_back.clone(),
        hint: t
            .print_hint
            .replace("{count}", &count.to_string())
            .replace("{size}", checked.paper.name()),
    };
    let (lang, paper) = (signed_in.lang, checked.paper);
    let imprint = state.settings.imprint.clone();
    let document = web::block(move || {
        let sheets = venues
            .into_iter()
            .map(|(venue, rating_url)| {
                let qr_svg = render_svg(&rating_url, POSTER_QR_PIXELS, POSTER_QR_MARGIN)?;
                Ok(PosterSheet {
                    name: venue.name,
                    code: venue.code,
                    rating_url,
                    qr_svg,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok::<_, ApiError>(poster_document(lang, paper, chrome, sheets, &imprint))
    })
    .await
    .map_err(|e| drawing_failed(&signed_in, e))?
    .map_err(|e| drawing_failed(&signed_in, e))?;
    audit(&signed_in, &state, "html", count, &req).await?;
    Ok(signed_in.page(document))
}

/// `GET /console/posters/codes.zip?region=&category=`: every open venue's
/// code as `NNNNN-name.png` and `.svg`, and `venues.csv`.
pub async fn codes_zip(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let checked = checked_query(&signed_in, &state, &req).await?;
    let files: Vec<CodeFile> = selected_venues(&signed_in, &state, &checked)
        .await?
        .into_iter()
        .map(|(venue, rating_url)| CodeFile {
            id: venue.id,
            name: venue.name,
            code: venue.code,
            rating_url,
        })
        .collect();
    let count = files.len();
    let made_at = state.clock.now();
    let archive = web::block(move || code_archive(&files, made_at))
        .await
        .map_err(|e| drawing_failed(&signed_in, e))?
        .map_err(|e| drawing_failed(&signed_in, e))?;
    audit(&signed_in, &state, "zip", count, &req).await?;
    let region = checked
        .selection
        .region
        .as_ref()
        .map_or_else(|| "all".to_owned(), |r| r.code.to_string());
    let category = checked.selection.category.as_deref().unwrap_or("all");
    let file_name = format!(
        "{}.zip",
        file_stem(&format!("qr-codes-{region}-{category}"))
    );
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(archive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Slug;
    use crate::i18n::{Lang, messages};

    #[test]
    fn every_language_names_the_cap_where_it_refuses_a_selection() {
        let cap = POSTER_VENUES_MAX.to_string();
        for lang in Lang::ALL {
            let m = messages(lang);
            let digits: String = m
                .problem_text(Slug::TooManyPosterVenues)
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            assert_eq!(digits, cap, "{lang:?}");
            assert!(m.posters.too_many.contains("{max}"), "{lang:?}");
            assert!(m.posters.cap_note.contains("{max}"), "{lang:?}");
        }
    }
}
