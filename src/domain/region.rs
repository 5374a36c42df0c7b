//! The region tree (GB/T 2260): provinces ⊃ prefectures ⊃ counties.

use std::collections::HashMap;

use super::venue::RegionCode;

/// Level of a region in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省级.
    Province,
    /// 地级.
    Prefecture,
    /// 县级.
    County,
}

impl RegionLevel {
    /// Parses the stored level name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(Self::Province),
            "prefecture" => Some(Self::Prefecture),
            "county" => Some(Self::County),
            _ => None,
        }
    }

    /// The stored level name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Prefecture => "prefecture",
            Self::County => "county",
        }
    }
}

/// One region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Six-digit code.
    pub code: RegionCode,
    /// Parent code; `None` for a province.
    pub parent_code: Option<String>,
    /// Level.
    pub level: RegionLevel,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// A region's ancestors at each level, itself included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionPath {
    /// The province.
    pub province: String,
    /// The prefecture, if the region is one or lies in one (some counties
    /// report directly to their province).
    pub prefecture: Option<String>,
    /// The county, if the region is one.
    pub county: Option<String>,
}

/// The whole tree, indexed for lookups both ways.
#[derive(Debug, Clone, Default)]
pub struct RegionTree {
    regions: HashMap<String, Region>,
    children: HashMap<String, Vec<String>>,
    provinces: Vec<String>,
}

impl RegionTree {
    /// Builds the tree; regions whose parent is missing are kept as roots
    /// only if they are provinces, others are dropped (a broken reference row
    /// must not attach venues to the wrong place).
    pub fn new(rows: Vec<Region>) -> Self {
        let mut regions: HashMap<String, Region> =
            rows.into_iter().map(|r| (r.code.to_string(), r)).collect();
        let orphans: Vec<String> = regions
            .values()
            .filter(|r| match &r.parent_code {
                None => r.level != RegionLevel::Province,
                Some(parent) => !regions.contains_key(parent),
            })
            .map(|r| r.code.to_string())
            .collect();
        for code in orphans {
            regions.remove(&code);
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        let mut provinces = Vec::new();
        for r in regions.values() {
            match &r.parent_code {
                Some(parent) => children
                    .entry(parent.clone())
                    .or_default()
                    .push(r.code.to_string()),
                None => provinces.push(r.code.to_string()),
            }
        }
        for list in children.values_mut() {
            list.sort();
        }
        provinces.sort();
        Self {
            regions,
            children,
            provinces,
        }
    }

    /// A region by code.
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// Province codes, ascending.
    pub fn provinces(&self) -> &[String] {
        &self.provinces
    }

    /// Direct children of a region, ascending by code.
    pub fn children(&self, code: &str) -> &[String] {
        self.children.get(code).map_or(&[], Vec::as_slice)
    }

    /// The region and everything below it, ascending by code.
    pub fn subtree(&self, code: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.regions.contains_key(code) {
            return out;
        }
        let mut stack = vec![code.to_owned()];
        while let Some(next) = stack.pop() {
            stack.extend(self.children(&next).iter().cloned());
            out.push(next);
        }
        out.sort();
        out
    }

    /// The region's province, prefecture and county.
    pub fn path(&self, code: &str) -> Option<RegionPath> {
        let mut path = RegionPath::default();
        let mut current = self.regions.get(code)?;
        // The tree has three levels; the bound guards against a cycle in bad data.
        for _ in 0..4 {
            match current.level {
                RegionLevel::County => path.county = Some(current.code.to_string()),
                RegionLevel::Prefecture => path.prefecture = Some(current.code.to_string()),
                RegionLevel::Province => {
                    path.province = current.code.to_string();
                    return Some(path);
                }
            }
            current = self.regions.get(current.parent_code.as_deref()?)?;
        }
        None
    }

    /// The codes of the region and its ancestors, nearest first: the
    /// lineage a region's own settings are looked up along.
    pub fn lineage(&self, code: &str) -> Vec<String> {
        self.ancestors(code)
            .iter()
            .map(|r| r.code.to_string())
            .collect()
    }

    /// The region followed by its ancestors up to the province.
    pub fn ancestors(&self, code: &str) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut next = self.regions.get(code);
        while let Some(region) = next {
            if out.len() > 3 {
                break;
            }
            out.push(region);
            next = region
                .parent_code
                .as_deref()
                .and_then(|p| self.regions.get(p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, parent: Option<&str>, level: RegionLevel) -> Region {
        Region {
            code: code.into(),
            parent_code: parent.map(Into::into),
            level,
            name_zh: code.into(),
            name_en: code.into(),
        }
    }

    fn tree() -> RegionTree {
        use RegionLevel::*;
        RegionTree::new(vec![
            region("650000", None, Province),
            region("652800", Some("650000"), Prefecture),
            region("652801", Some("652800"), County),
            region("652822", Some("652800"), County),
            region("659001", Some("650000"), County),
            region("220000", None, Province),
            region("999999", Some("000000"), County),
        ])
    }

    #[test]
    fn paths_name_every_level() {
        let t = tree();
        assert_eq!(
            t.path("652801"),
            Some(RegionPath {
                province: "650000".into(),
                prefecture: Some("652800".into()),
                county: Some("652801".into()),
            })
        );
        // A county directly under its province has no prefecture.
        assert_eq!(t.path("659001").unwrap().prefecture, None);
        assert_eq!(t.path("652800").unwrap().county, None);
        assert_eq!(t.path("999999"), None, "orphans are dropped");
    }

    #[test]
    fn subtrees_and_children() {
        let t = tree();
        assert_eq!(t.subtree("652800"), vec!["652800", "652801", "652822"]);
        assert_eq!(t.subtree("650000").len(), 5);
        assert!(t.subtree("123456").is_empty());
        assert_eq!(t.children("650000"), ["652800", "659001"]);
        assert_eq!(t.provinces(), ["220000", "650000"]);
        let up: Vec<&str> = t
            .ancestors("652801")
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(up, ["652801", "652800", "650000"]);
    }
}
