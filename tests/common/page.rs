//! An HTML answer read through a parser, so a test asserts an element and its
//! text rather than a fragment of markup somewhere in the body.

use scraper::{ElementRef, Html, Selector};

/// A fetched page: status, headers, body, and the parsed document.
pub struct Page {
    /// The HTTP status.
    pub status: u16,
    /// The `Location` header, empty when there is none.
    pub location: String,
    /// All headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as text.
    pub body: String,
    document: Html,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}\n{}", self.status, self.location, self.body)
    }
}

/// The selector of a CSS string a test wrote; a typo panics with the string.
fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|err| panic!("CSS selector {css:?}: {err}"))
}

/// An element's text with runs of white space made one space, trimmed.
pub fn text_of(element: ElementRef<'_>) -> String {
    collapse(&element.text().collect::<String>())
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Page {
    /// Reads a whole response.
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Self::new(status, location, headers, body)
    }

    /// A page from its parts.
    pub fn new(
        status: u16,
        location: String,
        headers: reqwest::header::HeaderMap,
        body: String,
    ) -> Self {
        let document = Html::parse_document(&body);
        Self {
            status,
            location,
            headers,
            body,
            document,
        }
    }

    /// A page of markup alone, for HTML a test already holds as text.
    pub fn parse(body: &str) -> Self {
        Self::new(
            200,
            String::new(),
            reqwest::header::HeaderMap::new(),
            body.to_owned(),
        )
    }

    /// The elements matching `css`.
    pub fn select<'a>(&'a self, css: &str) -> Vec<ElementRef<'a>> {
        self.document.select(&selector(css)).collect()
    }

    /// Whether any element matches `css`.
    pub fn exists(&self, css: &str) -> bool {
        self.document.select(&selector(css)).next().is_some()
    }

    /// How many elements match `css`.
    pub fn count(&self, css: &str) -> usize {
        self.document.select(&selector(css)).count()
    }

    /// The text of the first element matching `css`; panics when none does.
    pub fn select_text(&self, css: &str) -> String {
        let element = self
            .document
            .select(&selector(css))
            .next()
            .unwrap_or_else(|| panic!("no {css} in the page:\n{}", self.body));
        text_of(element)
    }

    /// The texts of every element matching `css`, in document order.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.document.select(&selector(css)).map(text_of).collect()
    }

    /// An attribute of the first element matching `css`, if both are there.
    pub fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.document
            .select(&selector(css))
            .next()
            .and_then(|e| e.attr(name))
            .map(str::to_owned)
    }

    /// An attribute of every element matching `css` that has it.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        self.document
            .select(&selector(css))
            .filter_map(|e| e.attr(name))
            .map(str::to_owned)
            .collect()
    }

    /// The value of the first form field matching `css` (a `<textarea>`'s
    /// text as it stands, any other element's `value`); panics when none does.
    pub fn form_value(&self, css: &str) -> String {
        let element = self.document.select(&selector(css)).next();
        if let Some(textarea) = element.filter(|e| e.value().name() == "textarea") {
            return textarea.text().collect();
        }
        element
            .and_then(|e| e.attr("value"))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no {css} with a value in the page:\n{}", self.body))
    }

    /// The page's language, from `<html lang>`.
    pub fn lang(&self) -> String {
        self.attr("html", "lang").unwrap_or_default()
    }

    /// The form token of the page's first form.
    pub fn csrf(&self) -> String {
        self.form_value("input[name=csrf_token]")
    }

    /// The text a reader sees (of `<body>`), white space collapsed: for checks
    /// that are about wording anywhere on the page rather than an element.
    pub fn text(&self) -> String {
        self.document
            .select(&selector("body"))
            .next()
            .map(text_of)
            .unwrap_or_else(|| collapse(&self.document.root_element().text().collect::<String>()))
    }

    /// Whether the visible text contains `wording`.
    pub fn says(&self, wording: &str) -> bool {
        self.text().contains(wording)
    }

    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}
