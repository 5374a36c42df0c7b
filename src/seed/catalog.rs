//! The reference catalog venues are spread over: regions and categories from
//! the database, with the name endings, popularity and red flags of each.

use std::collections::HashMap;

use sqlx::PgPool;

use crate::domain::rating::Tag;

/// Region name endings dropped for the short form used in venue names.
const REGION_SUFFIXES: [&str; 14] = [
    "维吾尔自治区",
    "朝鲜族自治州",
    "回族自治州",
    "蒙古自治州",
    "哈萨克自治县",
    "回族自治县",
    "自治州",
    "自治县",
    "自治区",
    "地区",
    "省",
    "市",
    "县",
    "区",
];

/// A region venues can be placed in, with the name parts the seeder needs.
#[derive(Debug, Clone)]
pub(super) struct Region {
    pub(super) code: String,
    pub(super) prefecture_level: bool,
    /// "库尔勒" for 库尔勒市: the form used inside venue names.
    pub(super) short_zh: String,
    /// "Korla" for Korla City.
    pub(super) short_en: String,
    /// Province, prefecture and county names: the start of an address.
    pub(super) address_prefix: String,
}

/// A category with the name endings its venues get.
#[derive(Debug, Clone)]
pub(super) struct Category {
    pub(super) key: String,
    pub(super) public_window: bool,
    /// (Chinese, English) endings such as ("大酒店", "Hotel").
    pub(super) suffixes: Vec<(String, String)>,
}

/// The reference data venues are spread over.
#[derive(Debug, Clone)]
pub(super) struct Catalog {
    pub(super) regions: Vec<Region>,
    pub(super) categories: Vec<Category>,
}

impl Catalog {
    /// Reads regions and categories; fails when the reference data is not migrated yet.
    pub(super) async fn load(pool: &PgPool) -> anyhow::Result<Self> {
        let rows: Vec<(String, Option<String>, String, String, String)> = sqlx::query_as(
            "SELECT code::text, parent_code::text, level, name_zh, name_en FROM regions ORDER BY code",
        )
        .fetch_all(pool)
        .await?;
        let categories: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT key, group_key, name_zh, name_en FROM categories ORDER BY key")
                .fetch_all(pool)
                .await?;
        let catalog = Self::from_rows(&rows, &categories);
        anyhow::ensure!(
            !catalog.regions.is_empty() && !catalog.categories.is_empty(),
            "run `qrfeedback migrate` first"
        );
        Ok(catalog)
    }

    /// Builds the catalog from `regions` (code, parent, level, zh, en) and
    /// `categories` (key, group, zh, en) rows.
    fn from_rows(
        regions: &[(String, Option<String>, String, String, String)],
        categories: &[(String, String, String, String)],
    ) -> Self {
        let by_code: HashMap<&str, &(String, Option<String>, String, String, String)> =
            regions.iter().map(|r| (r.0.as_str(), r)).collect();
        let regions = regions
            .iter()
            .filter(|(_, _, level, _, _)| level != "province")
            .map(|(code, parent, level, name_zh, name_en)| {
                // Walk up to the province; the tree is a few levels deep, the
                // bound only guards against a cycle in bad reference data.
                let mut path = vec![name_zh.as_str()];
                let mut up = parent.as_deref();
                while let Some(row) = up.and_then(|p| by_code.get(p)) {
                    if path.len() > 8 {
                        break;
                    }
                    path.push(row.3.as_str());
                    up = row.1.as_deref();
                }
                path.reverse();
                Region {
                    code: code.clone(),
                    prefecture_level: level == "prefecture",
                    short_zh: short_region_zh(name_zh),
                    short_en: name_en
                        .split_whitespace()
                        .next()
                        .unwrap_or(name_en)
                        .to_owned(),
                    address_prefix: path.concat(),
                }
            })
            .collect();
        let categories = categories
            .iter()
            .map(|(key, group, name_zh, name_en)| {
                let known = category_suffixes(key);
                let suffixes = if known.is_empty() {
                    vec![(name_zh.clone(), name_en.clone())]
                } else {
                    known
                        .iter()
                        .map(|(zh, en)| ((*zh).to_owned(), (*en).to_owned()))
                        .collect()
                };
                Category {
                    key: key.clone(),
                    public_window: group == "public_window",
                    suffixes,
                }
            })
            .collect();
        Self {
            regions,
            categories,
        }
    }
}

/// "木垒" for 木垒哈萨克自治县: drops the administrative ending.
fn short_region_zh(name_zh: &str) -> String {
    REGION_SUFFIXES
        .iter()
        .find_map(|suffix| {
            name_zh
                .strip_suffix(suffix)
                .filter(|rest| rest.chars().count() >= 2)
        })
        .unwrap_or(name_zh)
        .to_owned()
}

/// Name endings per category; empty for a category added to the reference
/// data later (its own name is used then).
fn category_suffixes(key: &str) -> &'static [(&'static str, &'static str)] {
    match key {
        "scenic_area" => &[
            ("景区", "Scenic Area"),
            ("国家森林公园", "National Forest Park"),
            ("民俗村", "Folk Village"),
            ("博物馆", "Museum"),
            ("湿地公园", "Wetland Park"),
        ],
        "hotel" => &[
            ("大酒店", "Hotel"),
            ("宾馆", "Guest Hotel"),
            ("国际饭店", "International Hotel"),
            ("商务酒店", "Business Hotel"),
        ],
        "homestay" => &[
            ("民宿", "Guesthouse"),
            ("客栈", "Inn"),
            ("农家乐", "Farm Stay"),
            ("小院", "Courtyard Stay"),
        ],
        "travel_agency" => &[
            ("国际旅行社", "International Travel Service"),
            ("旅行社", "Travel Agency"),
            ("旅游服务有限公司", "Tourism Services"),
        ],
        "restaurant" => &[
            ("大盘鸡", "Dapanji"),
            ("烧烤城", "BBQ"),
            ("饭庄", "Restaurant"),
            ("拉面馆", "Noodle House"),
            ("冷面馆", "Cold Noodles"),
            ("火锅", "Hotpot"),
        ],
        "shop" => &[
            ("特产店", "Local Specialties"),
            ("玉器行", "Jade Gallery"),
            ("旅游商品城", "Souvenir Market"),
            ("干果店", "Dried Fruit Shop"),
        ],
        "campsite" => &[("房车营地", "RV Camp"), ("自驾车营地", "Self-drive Camp")],
        "station" => &[("汽车客运站", "Bus Station"), ("火车站", "Railway Station")],
        "airport" => &[("机场", "Airport")],
        "mall" => &[
            ("购物中心", "Shopping Center"),
            ("百货大楼", "Department Store"),
            ("商厦", "Plaza"),
        ],
        "service_hall" => &[
            ("政务服务大厅", "Government Service Hall"),
            ("游客服务中心", "Visitor Center"),
        ],
        "police_window" => &[
            ("出入境服务窗口", "Exit-Entry Service Window"),
            ("派出所户籍窗口", "Police Station Window"),
        ],
        "checkpoint" => &[
            ("公路检查站", "Highway Checkpoint"),
            ("交通检查站", "Traffic Checkpoint"),
        ],
        _ => &[],
    }
}

/// How much a category draws ratings compared with an average one.
pub(super) fn category_popularity(key: &str) -> f64 {
    match key {
        "scenic_area" | "airport" => 2.0,
        "station" => 1.5,
        "restaurant" => 1.3,
        "hotel" | "mall" => 1.2,
        "shop" | "travel_agency" => 0.8,
        "service_hall" => 0.7,
        "homestay" => 0.6,
        "campsite" | "checkpoint" => 0.5,
        "police_window" => 0.4,
        _ => 1.0,
    }
}

/// How often each venue category sees each red flag when one is reported.
pub(super) fn red_flag_weights(category: &str) -> [(Tag, u32); 4] {
    let (forced, over, misleading, unsafe_) = match category {
        "travel_agency" => (8, 3, 4, 1),
        "shop" => (4, 6, 2, 0),
        "scenic_area" => (2, 3, 2, 3),
        "restaurant" => (0, 6, 1, 1),
        "hotel" | "homestay" => (0, 4, 3, 1),
        "campsite" => (0, 2, 2, 5),
        "station" | "airport" | "mall" => (0, 3, 1, 2),
        _ => (0, 1, 2, 1),
    };
    [
        (Tag::ForcedShopping, forced),
        (Tag::Overcharging, over),
        (Tag::Misleading, misleading),
        (Tag::Unsafe, unsafe_),
    ]
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::seed) fn catalog() -> Catalog {
        let region = |code: &str, parent: Option<&str>, level: &str, zh: &str, en: &str| {
            (
                code.to_owned(),
                parent.map(str::to_owned),
                level.to_owned(),
                zh.to_owned(),
                en.to_owned(),
            )
        };
        let regions = vec![
            region("650000", None, "province", "新疆维吾尔自治区", "Xinjiang"),
            region(
                "652800",
                Some("650000"),
                "prefecture",
                "巴音郭楞蒙古自治州",
                "Bayingolin Mongol Autonomous Prefecture",
            ),
            region("652801", Some("652800"), "county", "库尔勒市", "Korla City"),
            region(
                "652826",
                Some("652800"),
                "county",
                "焉耆回族自治县",
                "Yanqi Hui Autonomous County",
            ),
        ];
        let category = |key: &str, group: &str| {
            (
                key.to_owned(),
                group.to_owned(),
                format!("{key}-zh"),
                format!("{key}-en"),
            )
        };
        let categories = vec![
            category("brand_new", "enterprise"),
            category("hotel", "enterprise"),
            category("station", "public_window"),
            category("travel_agency", "enterprise"),
        ];
        Catalog::from_rows(&regions, &categories)
    }

    #[test]
    fn regions_get_short_names_and_full_address_prefixes() {
        let catalog = catalog();
        let names: Vec<(&str, &str, &str)> = catalog
            .regions
            .iter()
            .map(|r| {
                (
                    r.short_zh.as_str(),
                    r.short_en.as_str(),
                    r.address_prefix.as_str(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "巴音郭楞",
                    "Bayingolin",
                    "新疆维吾尔自治区巴音郭楞蒙古自治州"
                ),
                (
                    "库尔勒",
                    "Korla",
                    "新疆维吾尔自治区巴音郭楞蒙古自治州库尔勒市"
                ),
                (
                    "焉耆",
                    "Yanqi",
                    "新疆维吾尔自治区巴音郭楞蒙古自治州焉耆回族自治县"
                ),
            ]
        );
        let unknown = &catalog.categories[0];
        assert_eq!(unknown.key, "brand_new");
        assert_eq!(
            unknown.suffixes,
            [("brand_new-zh".to_owned(), "brand_new-en".to_owned())]
        );
    }
}
