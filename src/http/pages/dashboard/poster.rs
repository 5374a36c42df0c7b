//! `GET /dashboard/venues/{id}/poster?size=a4|a5`: a printable poster in
//! every page language with the venue's QR code drawn inline, so it prints
//! without fetching anything.

use crate::domain::ids::VenueId;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::app::path_ids::parse_id;
use crate::config::Imprint;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::pages::posters::{Paper, PosterChrome, PosterSheet, poster_document};
use crate::i18n::{Lang, messages};
use crate::store::venues;

/// The venue a poster is for.
pub struct PosterVenue<'a> {
    /// Its id, for the link back to its dashboard.
    pub id: VenueId,
    /// Its name.
    pub name: &'a str,
    /// Its code, printed under the QR code.
    pub code: &'a str,
    /// The address the QR code encodes.
    pub rating_url: &'a str,
}

/// Renders a venue's poster; the QR code is an SVG string from
/// [`crate::http::api::qr::render_svg`].
pub fn poster_page(
    lang: Lang,
    paper: Paper,
    venue: &PosterVenue,
    qr_svg: String,
    imprint: &Imprint,
) -> String {
    let PosterVenue {
        id: venue_id,
        name,
        code,
        rating_url,
    } = *venue;
    let m = messages(lang);
    let chrome = PosterChrome {
        title: format!("{name} · {}", m.dashboard.poster_title),
        back_href: format!("/dashboard/venues/{venue_id}?lang={}", lang.tag()),
        back_label: m.dashboard.poster_back.clone(),
        hint: m.dashboard.poster_hint.replace("{size}", paper.name()),
    };
    let sheet = PosterSheet {
        name: name.to_owned(),
        code: code.to_owned(),
        rating_url: rating_url.to_owned(),
        qr_svg,
    };
    poster_document(lang, paper, chrome, vec![sheet], imprint)
}

#[derive(Debug, Default, Deserialize)]
struct PosterQuery {
    size: Option<String>,
}

/// `GET /dashboard/venues/{id}/poster?size=a4|a5`.
pub async fn poster(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let lang = signed_in.lang;
    let m = signed_in.messages();
    let id = parse_id(&path).map_err(|e| signed_in.fail(e))?;
    let query: PosterQuery = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let paper = Paper::parse(query.size.as_deref()).ok_or_else(|| {
        PageError::new(
            lang,
            PageProblem::Invalid(m.dashboard.poster_bad_size.clone()),
        )
    })?;
    let scope = signed_in.scope_filter(&state).await?;
    let venue = venues::in_scope(&state.pool, id, &scope)
        .await
        .map_err(|e| signed_in.fail(e))?
        .ok_or_else(|| PageError::new(lang, PageProblem::NotFound))?;
    let rating_url = state.rating_url(&venue.code);
    // The size attribute is overridden by the page's CSS; it only sets the drawing's grain.
    let qr_svg = state
        .qr_images
        .svg(&rating_url, 512, 4)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.page(poster_page(
        lang,
        paper,
        &PosterVenue {
            id: venue.id,
            name: &venue.name,
            code: &venue.code,
            rating_url: &rating_url,
        },
        qr_svg,
        &state.settings.imprint,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poster_speaks_every_language_with_the_code_inline() {
        use crate::http::api::qr::render_svg;
        let svg = render_svg("https://q.example.org/r/abc", 512, 4).unwrap();
        let html = poster_page(
            Lang::En,
            Paper::A5,
            &PosterVenue {
                id: VenueId::new(7),
                name: "孔雀河<酒店>",
                code: "abc",
                rating_url: "https://q.example.org/r/abc",
            },
            svg.clone(),
            &Imprint::default(),
        );
        assert!(html.contains("@page{size:A5;"));
        assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(html.contains("请为我们的服务评分"));
        assert!(html.contains("Rate our service"));
        assert!(html.contains("10 秒") && html.contains("10 seconds"));
        assert!(html.contains(
            "<p class=\"subheading\" lang=\"ug\" dir=\"rtl\">مۇلازىمىتىمىزگە باھا بېرىڭ</p>"
        ));
        assert!(html.contains("<p class=\"how\" lang=\"ug\" dir=\"rtl\">"));
        assert!(html.contains("孔雀河&#60;酒店&#62;"));
        assert!(html.contains("</span> abc</p>"));
        assert!(html.contains("href=\"/dashboard/venues/7?lang=en\""));
        assert!(!html.contains("监制单位"), "no issuer configured, no label");

        let imprint = Imprint {
            complaint_hotline: Some("12345".into()),
            poster_issuer: Some("巴音郭楞州文化和旅游局".into()),
            ..Imprint::default()
        };
        let html = poster_page(
            Lang::Zh,
            Paper::A4,
            &PosterVenue {
                id: VenueId::new(7),
                name: "孔雀河酒店",
                code: "abc",
                rating_url: "https://q.example.org/r/abc",
            },
            svg,
            &imprint,
        );
        assert!(html.contains("Issued by: 巴音郭楞州文化和旅游局"));
        assert!(html.contains("监制单位 / "));
        assert!(html.contains("Complaint hotline: 12345"));
    }
}
