//! Regions (GB/T 2260 tree) and categories: small lookup tables loaded from
//! the CSV files shipped in `data/`, idempotently.

use crate::domain::venue::RegionCode;
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::OnceCell;

use super::StoreError;
use crate::domain::region::{Region, RegionLevel, RegionTree};

const REGIONS_CSV: &str = include_str!("../../data/regions.csv");
const CATEGORIES_CSV: &str = include_str!("../../data/categories.csv");

/// A reference file line that does not have the expected shape.
#[derive(Debug, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct ReferenceDataError {
    file: &'static str,
    line: usize,
    reason: String,
}

/// One row of `regions.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionRow {
    /// Six-digit code.
    pub code: String,
    /// Parent code; `None` for a province.
    pub parent_code: Option<String>,
    /// province, prefecture or county.
    pub level: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// One row of `categories.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRow {
    /// Stable key, e.g. `hotel`.
    pub key: String,
    /// `enterprise` or `public_window`.
    pub group_key: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

fn rows(
    file: &'static str,
    text: &str,
    columns: usize,
) -> Result<Vec<Vec<String>>, ReferenceDataError> {
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            // The shipped files are plain: no quoting, no commas inside fields.
            if line.contains('"') {
                return Err(ReferenceDataError {
                    file,
                    line: i + 1,
                    reason: "quoted fields are not supported".into(),
                });
            }
            let fields: Vec<String> = line.split(',').map(|f| f.trim().to_owned()).collect();
            if fields.len() != columns {
                return Err(ReferenceDataError {
                    file,
                    line: i + 1,
                    reason: format!("expected {columns} fields, found {}", fields.len()),
                });
            }
            Ok(fields)
        })
        .collect()
}

/// Parses the shipped regions file.
pub fn regions() -> Result<Vec<RegionRow>, ReferenceDataError> {
    Ok(rows("regions.csv", REGIONS_CSV, 5)?
        .into_iter()
        .map(|mut f| RegionRow {
            name_en: f.pop().unwrap_or_default(),
            name_zh: f.pop().unwrap_or_default(),
            level: f.pop().unwrap_or_default(),
            parent_code: f.pop().filter(|p| !p.is_empty()),
            code: f.pop().unwrap_or_default(),
        })
        .collect())
}

/// Parses the shipped categories file.
pub fn categories() -> Result<Vec<CategoryRow>, ReferenceDataError> {
    Ok(rows("categories.csv", CATEGORIES_CSV, 4)?
        .into_iter()
        .map(|mut f| CategoryRow {
            name_en: f.pop().unwrap_or_default(),
            name_zh: f.pop().unwrap_or_default(),
            group_key: f.pop().unwrap_or_default(),
            key: f.pop().unwrap_or_default(),
        })
        .collect())
}

/// Upserts the shipped regions and categories; running it twice changes nothing.
pub async fn load(pool: &PgPool) -> anyhow::Result<()> {
    let regions = regions()?;
    let categories = categories()?;
    let mut tx = pool.begin().await?;
    // Parents before children: the file lists provinces before their members,
    // but sort by level to not depend on that.
    let mut regions = regions;
    regions.sort_by_key(|r| match r.level.as_str() {
        "province" => 0,
        "prefecture" => 1,
        _ => 2,
    });
    for r in &regions {
        sqlx::query!(
            r#"INSERT INTO regions (code, parent_code, level, name_zh, name_en)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (code) DO UPDATE
               SET parent_code = EXCLUDED.parent_code, level = EXCLUDED.level,
                   name_zh = EXCLUDED.name_zh, name_en = EXCLUDED.name_en"#,
            r.code,
            r.parent_code,
            r.level,
            r.name_zh,
            r.name_en
        )
        .execute(&mut *tx)
        .await?;
    }
    for c in &categories {
        sqlx::query!(
            r#"INSERT INTO categories (key, group_key, name_zh, name_en)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (key) DO UPDATE
               SET group_key = EXCLUDED.group_key, name_zh = EXCLUDED.name_zh,
                   name_en = EXCLUDED.name_en"#,
            c.key,
            c.group_key,
            c.name_zh,
            c.name_en
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The region tree as stored.
pub async fn region_tree(pool: &PgPool) -> Result<RegionTree, StoreError> {
    let rows = sqlx::query!(
        r#"SELECT code AS "code!: String", parent_code AS "parent_code: String", level, name_zh, name_en
           FROM regions"#
    )
    .fetch_all(pool)
    .await?;
    Ok(RegionTree::new(
        rows.into_iter()
            .filter_map(|r| {
                Some(Region {
                    level: RegionLevel::parse(&r.level)?,
                    code: RegionCode::parse(&r.code).ok()?,
                    parent_code: r.parent_code,
                    name_zh: r.name_zh,
                    name_en: r.name_en,
                })
            })
            .collect(),
    ))
}

/// The categories as stored.
pub async fn stored_categories(pool: &PgPool) -> Result<Vec<CategoryRow>, StoreError> {
    sqlx::query_as!(
        CategoryRow,
        "SELECT key, group_key, name_zh, name_en FROM categories ORDER BY key"
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_parse_and_form_a_tree() {
        let regions = regions().unwrap();
        assert!(regions.len() >= 30);
        let korla = regions.iter().find(|r| r.code == "652801").unwrap();
        assert_eq!(korla.parent_code.as_deref(), Some("652800"));
        assert_eq!(korla.level, "county");
        for r in &regions {
            if let Some(parent) = &r.parent_code {
                assert!(
                    regions.iter().any(|p| &p.code == parent),
                    "{} has no parent",
                    r.code
                );
            } else {
                assert_eq!(r.level, "province");
            }
        }
        let categories = categories().unwrap();
        assert_eq!(categories.len(), 13);
        assert!(
            categories
                .iter()
                .any(|c| c.key == "hotel" && c.name_zh == "星级饭店")
        );
    }
}

/// The region tree and the categories, read from Postgres once per process
/// and shared by the handlers and the score jobs. They change only with a
/// migration, which restarts the service.
#[derive(Debug)]
pub struct ReferenceData {
    pool: PgPool,
    regions: OnceCell<Arc<RegionTree>>,
    categories: OnceCell<Arc<Vec<CategoryRow>>>,
}

impl ReferenceData {
    /// An empty cache over `pool`; nothing is read until asked for.
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            regions: OnceCell::new(),
            categories: OnceCell::new(),
        }
    }

    /// The region tree.
    pub async fn regions(&self) -> Result<Arc<RegionTree>, StoreError> {
        self.regions
            .get_or_try_init(|| async { region_tree(&self.pool).await.map(Arc::new) })
            .await
            .cloned()
    }

    /// The categories.
    pub async fn categories(&self) -> Result<Arc<Vec<CategoryRow>>, StoreError> {
        self.categories
            .get_or_try_init(|| async { stored_categories(&self.pool).await.map(Arc::new) })
            .await
            .cloned()
    }
}
