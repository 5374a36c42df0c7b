//! What the console's pages share: names in the page language, the HTML view
//! of a [`Table`] with its download links, and breadcrumbs.

use crate::domain::ids::VenueId;
use std::sync::Arc;

use crate::domain::access::Scope;
use crate::domain::region::{Region, RegionTree};
use crate::domain::table::{Cell, Table};
use crate::error::ApiError;
use crate::http::AppState;
use crate::http::html::href;
use crate::i18n::{Lang, Messages, messages};
use crate::store::reference::CategoryRow;

/// Region and category names in the page language, and the language itself.
pub(in crate::http::pages::console) struct Names {
    /// The page language.
    pub lang: Lang,
    /// Its messages.
    pub m: &'static Messages,
    /// The region tree.
    pub regions: Arc<RegionTree>,
    categories: Arc<Vec<CategoryRow>>,
}

impl Names {
    /// Loads the reference data for a language.
    pub async fn load(state: &AppState, lang: Lang) -> Result<Self, ApiError> {
        Ok(Self {
            lang,
            m: messages(lang),
            regions: state.reference.regions().await?,
            categories: state.reference.categories().await?,
        })
    }

    fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    /// A region's name; its code if the tree does not know it.
    pub fn region(&self, code: &str) -> String {
        self.regions.get(code).map_or_else(
            || code.to_owned(),
            |r| self.pick(&r.name_zh, &r.name_en).to_owned(),
        )
    }

    /// The row label of the venues registered directly under `region`
    /// ("州直属", "Directly under Bayingolin"): the first level word of the
    /// catalogue its name ends with, else the general form.
    pub fn direct_label(&self, region: &Region) -> String {
        let c = &self.m.console;
        let name = self.pick(&region.name_zh, &region.name_en);
        c.direct_row_levels
            .iter()
            .find(|(suffix, _)| name.ends_with(suffix.as_str()))
            .map_or_else(
                || c.direct_row.replace("{region}", name),
                |(_, label)| label.clone(),
            )
    }

    /// A region's name, or "nationwide" for none.
    pub fn region_or_country(&self, region: Option<&Region>) -> String {
        region.map_or_else(
            || self.m.console.national.clone(),
            |r| self.pick(&r.name_zh, &r.name_en).to_owned(),
        )
    }

    /// A category's name; its key if unknown.
    pub fn category(&self, key: &str) -> String {
        self.categories.iter().find(|c| c.key == key).map_or_else(
            || key.to_owned(),
            |c| self.pick(&c.name_zh, &c.name_en).to_owned(),
        )
    }

    /// Every category as (key, name).
    pub fn categories(&self) -> Vec<(String, String)> {
        self.categories
            .iter()
            .map(|c| (c.key.clone(), self.pick(&c.name_zh, &c.name_en).to_owned()))
            .collect()
    }

    /// Every category as a picker's option, `chosen` selected.
    pub(in crate::http::pages::console) fn category_options(
        &self,
        chosen: Option<&str>,
    ) -> Vec<SelectOption> {
        self.categories()
            .into_iter()
            .map(|(key, label)| SelectOption {
                selected: chosen == Some(key.as_str()),
                value: key,
                label,
            })
            .collect()
    }

    /// "Yes" or "No".
    pub fn yes_no(&self, yes: bool) -> Cell {
        Cell::text(if yes {
            &self.m.console.yes
        } else {
            &self.m.console.no
        })
    }

    /// A console address with its query and the page language.
    pub fn href(&self, path: &str, query: &[(String, String)]) -> String {
        href(path, query, Some(self.lang))
    }

    /// The console rankings of a region (`None`: the country).
    pub fn rankings_href(&self, region: Option<&str>) -> String {
        let query: Vec<(String, String)> = region
            .map(|code| vec![("region".to_owned(), code.to_owned())])
            .unwrap_or_default();
        self.href("/console/rankings", &query)
    }

    /// A venue's console page.
    pub fn venue_href(&self, venue_id: VenueId) -> String {
        self.href(&format!("/console/venues/{venue_id}"), &[])
    }
}

/// A score 0–100 with one decimal, or a dash.
pub(in crate::http::pages::console) fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"))
}

/// A column header.
pub(in crate::http::pages::console) struct HeaderView {
    pub label: String,
    pub numeric: bool,
}

/// One cell on the page: the same text the downloads hold.
pub(in crate::http::pages::console) struct CellView {
    pub text: String,
    pub numeric: bool,
    pub href: Option<String>,
    /// Drawn as a tier badge (the text is still the letter).
    pub tier: bool,
}

/// A quarantine or release form in a ratings row.
pub(in crate::http::pages::console) struct RowAction {
    pub href: String,
    pub label: &'static str,
    pub field_id: String,
    /// Empty: the form asks no reason (a plain button).
    pub reason_label: &'static str,
    pub reason_placeholder: &'static str,
    pub csrf_token: String,
    /// Hidden: the ratings page to come back to.
    pub page: i64,
    /// Instead of its own form, a tick that joins the row to a form
    /// elsewhere on the page (quarantining a selection with one reason).
    pub pick: Option<Pick>,
    /// A choice the form asks before the reason (a decision), if any.
    pub choice: Option<RowChoice>,
    /// The reason as typed, when a refused form comes back.
    pub reason: String,
}

/// A `<select>` in a row's form.
pub(in crate::http::pages::console) struct RowChoice {
    /// The field's name.
    pub name: &'static str,
    /// Its label for screen readers.
    pub label: &'static str,
    /// Its options; one with an empty value asks the person to choose.
    pub options: Vec<SelectOption>,
}

impl RowChoice {
    /// The `decision` select of a decide form: `choose` first (an empty
    /// value), then the decisions by value, the one `chosen` (a refused
    /// form's) selected.
    pub fn decision(
        label: &'static str,
        choose: &str,
        decisions: [(&str, &str); 2],
        chosen: Option<&str>,
    ) -> Self {
        let options = std::iter::once(("", choose))
            .chain(decisions)
            .map(|(value, text)| SelectOption {
                value: value.to_owned(),
                label: text.to_owned(),
                selected: chosen == Some(value),
            })
            .collect();
        Self {
            name: "decision",
            label,
            options,
        }
    }
}

/// A row's tick for a form elsewhere on the page.
pub(in crate::http::pages::console) struct Pick {
    /// The form's id.
    pub form: &'static str,
    /// The field's name and value.
    pub name: &'static str,
    pub value: String,
    /// Its label for screen readers.
    pub label: &'static str,
}

/// An image a row links to and shows small (an inspection's photo).
pub(in crate::http::pages::console) struct GalleryImage {
    /// The image, which the link opens too.
    pub href: String,
    /// Its alternative text.
    pub alt: String,
}

/// One row.
pub(in crate::http::pages::console) struct RowView {
    pub cells: Vec<CellView>,
    pub action: Option<RowAction>,
    pub muted: bool,
    /// Images shown in a page-only column after the cells.
    pub gallery: Vec<GalleryImage>,
}

/// The CSV and Excel links of a table.
pub(in crate::http::pages::console) struct Downloads {
    pub label: &'static str,
    pub csv: String,
    pub xlsx: String,
}

/// A console table on the page, made from the same [`Table`] its downloads write.
pub(in crate::http::pages::console) struct TableView {
    pub id: &'static str,
    pub caption: String,
    pub headers: Vec<HeaderView>,
    pub rows: Vec<RowView>,
    pub empty: &'static str,
    pub downloads: Option<Downloads>,
    pub actions_header: Option<&'static str>,
    /// The header of the page-only column of images, when there is one.
    pub gallery_header: Option<&'static str>,
}

impl TableView {
    /// The view of a table; `empty` is shown when it has no rows.
    pub fn new(id: &'static str, table: &Table, empty: &'static str) -> Self {
        let headers = table
            .headers
            .iter()
            .enumerate()
            .map(|(col, label)| {
                let mut cells = table
                    .rows
                    .iter()
                    .filter_map(|row| row.get(col))
                    .filter(|c| **c != Cell::Empty)
                    .peekable();
                let numeric = cells.peek().is_some() && cells.all(Cell::is_numeric);
                HeaderView {
                    label: label.clone(),
                    numeric,
                }
            })
            .collect();
        let rows = table
            .rows
            .iter()
            .map(|row| RowView {
                cells: row
                    .iter()
                    .map(|cell| CellView {
                        text: cell.display(),
                        numeric: cell.is_numeric(),
                        href: None,
                        tier: false,
                    })
                    .collect(),
                action: None,
                muted: false,
                gallery: Vec::new(),
            })
            .collect();
        Self {
            id,
            caption: table.title.clone(),
            headers,
            rows,
            empty,
            downloads: None,
            actions_header: None,
            gallery_header: None,
        }
    }

    /// Links one column's cells, row by row.
    pub fn link(mut self, column: usize, hrefs: Vec<Option<String>>) -> Self {
        for (row, href) in self.rows.iter_mut().zip(hrefs) {
            if let Some(cell) = row.cells.get_mut(column) {
                cell.href = href;
            }
        }
        self
    }

    /// Draws one column's letters as tier badges.
    pub fn tier_column(mut self, column: usize) -> Self {
        for row in &mut self.rows {
            if let Some(cell) = row.cells.get_mut(column) {
                cell.tier = true;
            }
        }
        self
    }

    /// Greys out some rows (unpublished venues, quarantined ratings).
    pub fn muted(mut self, muted: impl IntoIterator<Item = bool>) -> Self {
        for (row, muted) in self.rows.iter_mut().zip(muted) {
            row.muted = muted;
        }
        self
    }

    /// Adds a form to some rows, under its own header.
    pub fn actions(mut self, header: &'static str, actions: Vec<Option<RowAction>>) -> Self {
        self.actions_header = Some(header);
        for (row, action) in self.rows.iter_mut().zip(actions) {
            row.action = action;
        }
        self
    }

    /// Adds a page-only column of images, row by row, under its own header
    /// (the downloads hold what the table's own columns say of them).
    pub fn gallery(mut self, header: &'static str, images: Vec<Vec<GalleryImage>>) -> Self {
        self.gallery_header = Some(header);
        for (row, images) in self.rows.iter_mut().zip(images) {
            row.gallery = images;
        }
        self
    }

    /// Links the CSV and Excel downloads: `{path}.csv` and `{path}.xlsx`
    /// with the page's filters.
    pub fn downloads(mut self, names: &Names, path: &str, query: &[(String, String)]) -> Self {
        self.downloads = Some(Downloads {
            label: &names.m.console.download,
            csv: names.href(&format!("{path}.csv"), query),
            xlsx: names.href(&format!("{path}.xlsx"), query),
        });
        self
    }
}

/// One `<option>` of a filter.
pub(in crate::http::pages::console) struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Previous and next page links.
pub(in crate::http::pages::console) struct PagerView {
    pub text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl PagerView {
    /// The pager of page `page` of `total` rows, `per_page` a page; `None`
    /// when everything fits on the first page.
    pub fn new(
        m: &Messages,
        page: i64,
        per_page: i64,
        total: i64,
        href: impl Fn(i64) -> String,
    ) -> Option<Self> {
        let per_page = per_page.max(1);
        let pages = ((total + per_page - 1) / per_page).max(1);
        (pages > 1 || page > 1).then(|| PagerView {
            text: m
                .rankings_page
                .page_of
                .replace("{page}", &page.to_string())
                .replace("{pages}", &pages.to_string()),
            prev: (page > 1).then(|| href((page - 1).min(pages))),
            next: (page < pages).then(|| href(page + 1)),
        })
    }
}

/// One step of the breadcrumb trail.
pub(in crate::http::pages::console) struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// The way from the top of the caller's scope down to `region` (`None`: the
/// country), each step linking to `link(code)`.
pub(in crate::http::pages::console) fn crumbs(
    names: &Names,
    scope: &Scope,
    region: Option<&Region>,
    link: impl Fn(Option<&str>) -> String,
) -> Vec<Crumb> {
    let mut out = Vec::new();
    if *scope == Scope::All {
        out.push(Crumb {
            label: names.m.console.national.clone(),
            href: Some(link(None)),
        });
    }
    if let Some(region) = region {
        let mut path: Vec<&Region> = names
            .regions
            .ancestors(&region.code)
            .into_iter()
            .filter(|r| scope.covers_region(&names.regions, &r.code))
            .collect();
        path.reverse();
        for r in path {
            out.push(Crumb {
                label: names.region(&r.code),
                href: Some(link(Some(&r.code))),
            });
        }
    }
    out
}
