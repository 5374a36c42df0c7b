//! Printable QR posters: one sheet per venue, each its own printed page,
//! with the venue's code drawn inline and the poster's texts in every page
//! language, laid out for A4 or A5. The venue dashboard prints one venue's
//! poster and the console a whole region's, through the same document.

use askama::Template;

use crate::config::Imprint;
use crate::http::html::render_document;
use crate::http::imprint::PosterImprint;
use crate::i18n::{Lang, messages};

/// A sheet the poster is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 148 × 210 mm.
    A5,
}

/// The measures of a poster on its sheet (CSS lengths). Each sheet's
/// content, with a venue name over two lines, fits the page inside the 12 mm
/// print margins, so no sheet runs onto a second page.
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
    /// Reads a paper size (`a4`, `A5`): absent means A4.
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

    /// Its name in an address (`?paper=a5`).
    pub fn key(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::A5 => "a5",
        }
    }

    fn layout(self) -> Layout {
        match self {
            Paper::A4 => Layout {
                paper: "A4",
                sheet_width: "210mm",
                sheet_height: "297mm",
                padding: "14mm",
                gap: "4mm",
                qr_size: "112mm",
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
                gap: "2.5mm",
                qr_size: "68mm",
                heading_size: "1.8rem",
                subheading_size: "1.15rem",
                name_size: "1.25rem",
                code_size: "1.1rem",
                text_size: ".9rem",
            },
        }
    }
}

/// One venue's sheet.
#[derive(Debug, Clone)]
pub struct PosterSheet {
    /// The venue's name.
    pub name: String,
    /// Its code, printed under the QR code.
    pub code: String,
    /// The address the QR code encodes.
    pub rating_url: String,
    /// The QR code as an SVG element, drawn at the sheet's QR size.
    pub qr_svg: String,
}

/// What the screen shows above the sheets, in the viewer's language; the
/// printed pages leave it out.
#[derive(Debug, Clone)]
pub struct PosterChrome {
    /// The document's title.
    pub title: String,
    /// Where the back link leads.
    pub back_href: String,
    /// The back link's text.
    pub back_label: String,
    /// How to print it.
    pub hint: String,
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

#[derive(Template)]
#[template(path = "poster_document.html")]
struct PosterDocumentView {
    title: String,
    lang_tag: &'static str,
    /// The viewer's writing direction, for the on-screen bar above the sheets.
    dir: &'static str,
    back_href: String,
    back_label: String,
    hint: String,
    layout: Layout,
    /// The poster's texts, one entry per language in list order; the first is the headline.
    texts: Vec<PosterTexts>,
    sheets: Vec<PosterSheet>,
    imprint: PosterImprint,
}

/// The printable document of `sheets` on `paper`, its on-screen bar in `lang`.
pub fn poster_document(
    lang: Lang,
    paper: Paper,
    chrome: PosterChrome,
    sheets: Vec<PosterSheet>,
    imprint: &Imprint,
) -> String {
    let PosterChrome {
        title,
        back_href,
        back_label,
        hint,
    } = chrome;
    render_document(&PosterDocumentView {
        title,
        lang_tag: lang.tag(),
        dir: &messages(lang).meta.dir,
        back_href,
        back_label,
        hint,
        layout: paper.layout(),
        texts: Lang::ALL.into_iter().map(PosterTexts::of).collect(),
        sheets,
        imprint: PosterImprint::new(imprint),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::api::qr::render_svg;

    #[test]
    fn paper_sizes_parse() {
        assert_eq!(Paper::parse(None), Some(Paper::A4));
        assert_eq!(Paper::parse(Some("A5")), Some(Paper::A5));
        assert_eq!(Paper::parse(Some(" a4 ")), Some(Paper::A4));
        assert_eq!(Paper::parse(Some("letter")), None);
        assert_eq!(Paper::parse(Some(Paper::A5.key())), Some(Paper::A5));
    }

    fn sheet(name: &str, code: &str) -> PosterSheet {
        let rating_url = format!("https://q.example.org/r/{code}");
        PosterSheet {
            name: name.into(),
            code: code.into(),
            qr_svg: render_svg(&rating_url, 512, 4).unwrap(),
            rating_url,
        }
    }

    #[test]
    fn every_sheet_is_a_page_of_its_own() {
        let chrome = PosterChrome {
            title: "t".into(),
            back_href: "/console/posters".into(),
            back_label: "back".into(),
            hint: "2 posters".into(),
        };
        let html = poster_document(
            Lang::Ug,
            Paper::A4,
            chrome,
            vec![sheet("孔雀河酒店", "abc"), sheet("梨城宾馆", "def")],
            &Imprint::default(),
        );
        assert_eq!(html.matches("<section class=\"sheet\">").count(), 2);
        assert_eq!(html.matches("<svg xmlns=").count(), 2);
        assert!(html.contains("break-after:page") && html.contains("@page{size:A4;"));
        // At least a page high in print, never a fixed height its content could spill from.
        assert!(html.contains(".sheet{margin:0;width:auto;min-height:calc(297mm - 24mm);"));
        assert!(html.contains("</span> abc</p>") && html.contains("</span> def</p>"));
        assert!(html.contains("https://q.example.org/r/def"));
        assert!(html.contains("<div class=\"screen\" lang=\"ug\" dir=\"rtl\">"));
        let first = html.find("孔雀河酒店").unwrap();
        assert!(
            first < html.find("梨城宾馆").unwrap(),
            "sheets keep their order"
        );
    }
}
