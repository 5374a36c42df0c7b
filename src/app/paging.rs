//! Paging, read the same way wherever a list is paged: `page` counts from 1,
//! `per_page` stays within the list's bounds, an absent or empty parameter is
//! its default, and anything else is refused with the problem the list names.

use super::error::{AppError, Slug};

/// The deepest page any list may be asked for.
pub const MAX_PAGE: i64 = 100_000;

/// How many rows a list shows on a page, and how deep it may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    /// Rows on a page when the caller does not say.
    pub default: i64,
    /// The most rows a caller may ask for on a page.
    pub max: i64,
    /// The rows a list is listed to at most (a ranking stops at a depth);
    /// `None` leaves only [`MAX_PAGE`].
    pub depth: Option<i64>,
}

impl PageSize {
    /// A list whose pages always hold `rows` rows.
    pub const fn fixed(rows: i64) -> Self {
        Self {
            default: rows,
            max: rows,
            depth: None,
        }
    }

    /// A list whose callers choose up to `max` rows a page, `default` when they do not.
    pub const fn up_to(default: i64, max: i64) -> Self {
        Self {
            default,
            max,
            depth: None,
        }
    }

    /// The same list, listed to `rows` rows at most.
    pub const fn to_depth(self, rows: i64) -> Self {
        Self {
            depth: Some(rows),
            ..self
        }
    }

    /// The deepest page of `per_page` rows a caller may ask for.
    pub fn last_page(self, per_page: i64) -> i64 {
        self.depth.map_or(MAX_PAGE, |depth| {
            (depth / per_page.max(1)).clamp(1, MAX_PAGE)
        })
    }
}

/// One page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// The page, from 1.
    pub page: i64,
    /// Rows on it.
    pub per_page: i64,
}

impl Paging {
    /// The first page.
    pub const fn first(size: PageSize) -> Self {
        Self {
            page: 1,
            per_page: size.default,
        }
    }

    /// Reads `page` and `per_page` as a request gave them; `slug` names the
    /// problem a bad value is (the JSON routes and the pages differ).
    pub fn parse(
        page: Option<&str>,
        per_page: Option<&str>,
        size: PageSize,
        slug: Slug,
    ) -> Result<Self, AppError> {
        let per_page = number(slug, "per_page", per_page, size.default, size.max)?;
        let page = number(slug, "page", page, 1, size.last_page(per_page))?;
        Ok(Self { page, per_page })
    }

    /// Rows before this page.
    pub fn offset(self) -> i64 {
        (self.page - 1) * self.per_page
    }

    /// Pages a list of `total` rows fills, at least one.
    pub fn pages(self, total: i64) -> i64 {
        ((total + self.per_page - 1) / self.per_page).max(1)
    }
}

fn number(
    slug: Slug,
    name: &str,
    raw: Option<&str>,
    default: i64,
    max: i64,
) -> Result<i64, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                AppError::new(
                    slug,
                    format!("{name} must be a whole number from 1 to {max}"),
                )
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: PageSize = PageSize::up_to(20, 100);

    #[test]
    fn absent_or_empty_parameters_are_the_first_page_of_the_default_size() {
        let first = Paging::first(SIZE);
        assert_eq!(
            Paging::parse(None, None, SIZE, Slug::InvalidQuery).unwrap(),
            first
        );
        assert_eq!(
            Paging::parse(Some(" "), Some(""), SIZE, Slug::InvalidQuery).unwrap(),
            first
        );
        assert_eq!(first.offset(), 0);
    }

    #[test]
    fn pages_and_sizes_outside_the_bounds_are_refused_with_the_named_problem() {
        for (page, per_page) in [
            ("0", "20"),
            ("-1", "20"),
            ("1", "101"),
            ("1", "0"),
            ("x", "5"),
            ("100001", "5"),
        ] {
            let err =
                Paging::parse(Some(page), Some(per_page), SIZE, Slug::InvalidPage).unwrap_err();
            assert_eq!(err.slug, Slug::InvalidPage, "{page} {per_page}");
        }
        let ok = Paging::parse(Some("3"), Some("50"), SIZE, Slug::InvalidQuery).unwrap();
        assert_eq!((ok.page, ok.per_page, ok.offset()), (3, 50, 100));
    }

    #[test]
    fn a_list_with_a_depth_stops_at_its_deepest_page() {
        let ranking = SIZE.to_depth(1000);
        assert!(Paging::parse(Some("50"), None, ranking, Slug::InvalidQuery).is_ok());
        assert!(Paging::parse(Some("51"), None, ranking, Slug::InvalidQuery).is_err());
        assert!(Paging::parse(Some("10"), Some("100"), ranking, Slug::InvalidQuery).is_ok());
        assert!(Paging::parse(Some("11"), Some("100"), ranking, Slug::InvalidQuery).is_err());
    }

    #[test]
    fn a_fixed_size_counts_its_pages() {
        let comments = Paging::first(PageSize::fixed(30));
        assert_eq!(comments.pages(0), 1);
        assert_eq!(comments.pages(30), 1);
        assert_eq!(comments.pages(31), 2);
    }
}
