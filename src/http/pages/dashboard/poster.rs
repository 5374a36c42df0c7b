//! `GET /dashboard/venues/{id}/poster?size=a4|a5`: a printable poster in
//! every page language with the venue's QR code drawn inline, so it prints
//! without fetching anything.

use crate::domain::ids::VenueId;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app::path_ids::parse_id;
use crate::config::Imprint;
use crate::http::AppState;
use crate::http::auth::signed_in::{PageError, PageProblem, SignedIn};
use crate::http::html::render_document;
use crate::http::imprint::PosterImprint;
use crate::i18n::{Lang, messages};
use crate::store::venues;

/// A sheet the poster is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 148 × 210 mm.
    A5,
}

/// The measures of a poster on its sheet (CSS lengths).
struct Layout {
    paper: &'static str,
    sheet_width: &'static str,
    sheet_height: &'static str,
    padding: &'static str,
    gap: &'static str,
    qr_size: &'static str,
    heading_size: &'static str,
    subheading_size: &'static str,
    name_size: &'static str,
    code_size: &'static str,
    text_size: &'static str,
}

impl Paper {
    /// Reads `size`: absent means A4.
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim) {
            None | Some("") => Some(Paper::A4),
            Some(s) if s.eq_ignore_ascii_case("a4") => Some(Paper::A4),
            Some(s) if s.eq_ignore_ascii_case("a5") => Some(Paper::A5),
            Some(_) => None,
        }
    }

    /// Its name, as `@page { size }` and people write it.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::A5 => "A5",
        }
    }

    fn layout(self) -> Layout {
        match self {
            Paper::A4 => Layout {
                paper: "A4",
                sheet_width: "210mm",
                sheet_height: "297mm",
                padding: "14mm",
                gap: "5mm",
                qr_size: "120mm",
                heading_size: "2.6rem",
                subheading_size: "1.6rem",
                name_size: "1.7rem",
                code_size: "1.5rem",
                text_size: "1.15rem",
            },
            Paper::A5 => Layout {
                paper: "A5",
                sheet_width: "148mm",
                sheet_height: "210mm",
                padding: "10mm",
                gap: "3mm",
                qr_size: "80mm",
                heading_size: "1.8rem",
                subheading_size: "1.15rem",
                name_size: "1.25rem",
                code_size: "1.1rem",
                text_size: ".9rem",
            },
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard_poster.html")]
struct PosterView {
    title: String,
    lang_tag: &'static str,
    /// The viewer's writing direction, for the on-screen bar above the poster.
    dir: &'static str,
    back_href: String,
    back_label: String,
    hint: String,
    paper: &'static str,
    sheet_width: &'static str,
    sheet_height: &'static str,
    padding: &'static str,
    gap: &'static str,
    qr_size: &'static str,
    heading_size: &'static str,
    subheading_size: &'static str,
    name_size: &'static str,
    code_size: &'static str,
    text_size: &'static str,
    /// The poster's texts, one entry per language in list order; the first is the headline.
    texts: Vec<PosterTexts>,
    name: String,
    code: String,
    rating_url: String,
    qr_svg: String,
    imprint: PosterImprint,
}

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

/// A poster's texts in one language.
struct PosterTexts {
    tag: &'static str,
    dir: &'static str,
    heading: &'static str,
    code_label: &'static str,
    instructions: &'static str,
}

impl PosterTexts {
    fn of(lang: Lang) -> Self {
        let m = messages(lang);
        Self {
            tag: lang.tag(),
            dir: &m.meta.dir,
            heading: &m.dashboard.poster_heading,
            code_label: &m.dashboard.code_label,
            instructions: &m.dashboard.poster_instructions,
        }
    }
}

/// Renders a poster; the QR code is an SVG string from [`render_svg`].
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
    let layout = paper.layout();
    render_document(&PosterView {
        title: format!("{name} · {}", m.dashboard.poster_title),
        lang_tag: lang.tag(),
        dir: &m.meta.dir,
        back_href: format!("/dashboard/venues/{venue_id}?lang={}", lang.tag()),
        back_label: m.dashboard.poster_back.clone(),
        hint: m.dashboard.poster_hint.replace("{size}", paper.name()),
        paper: layout.paper,
        sheet_width: layout.sheet_width,
        sheet_height: layout.sheet_height,
        padding: layout.padding,
        gap: layout.gap,
        qr_size: layout.qr_size,
        heading_size: layout.heading_size,
        subheading_size: layout.subheading_size,
        name_size: layout.name_size,
        code_size: layout.code_size,
        text_size: layout.text_size,
        texts: Lang::ALL.into_iter().map(PosterTexts::of).collect(),
        name: name.to_owned(),
        code: code.to_owned(),
        rating_url: rating_url.to_owned(),
        qr_svg,
        imprint: PosterImprint::new(imprint),
    })
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
    fn paper_sizes_parse() {
        assert_eq!(Paper::parse(None), Some(Paper::A4));
        assert_eq!(Paper::parse(Some("A5")), Some(Paper::A5));
        assert_eq!(Paper::parse(Some("a4")), Some(Paper::A4));
        assert_eq!(Paper::parse(Some("letter")), None);
    }

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
