//! Who may see and change what: roles, scopes and the rule for handing a
//! scope on. A regulator's scope is a region and its whole subtree
//! (province ⊃ prefecture ⊃ county); venue staff see only their venues.

use std::collections::{BTreeSet, HashMap};

use super::region::RegionTree;

/// What a caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Staff of one or more venues.
    VenueStaff,
    /// A regulator of one region and everything below it.
    Regulator,
    /// The whole system.
    Admin,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 3] = [Role::VenueStaff, Role::Regulator, Role::Admin];

    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Regulator => "regulator",
            Role::VenueStaff => "venue_staff",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == s)
    }
}

/// What a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything.
    All,
    /// A region (any level) and its subtree.
    Region(String),
    /// These venues.
    Venues(BTreeSet<i64>),
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Who, for the audit log: `admin-token`, `token:12`, `account:3`.
    pub actor: String,
    /// The role.
    pub role: Role,
    /// The scope.
    pub scope: Scope,
}

/// Why a scope cannot be handed on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// The role asked for is above the granter's.
    #[error("a {granter} cannot grant the role {requested}")]
    RoleAbove {
        /// The granter's role.
        granter: &'static str,
        /// The role asked for.
        requested: &'static str,
    },
    /// The scope does not fit the role (a regulator needs a region, venue staff venues).
    #[error("{0}")]
    ShapeMismatch(&'static str),
    /// A region outside the granter's scope.
    #[error("region {0} is outside your scope")]
    RegionOutside(String),
    /// A venue outside the granter's scope (or unknown).
    #[error("venue {0} is outside your scope")]
    VenueOutside(i64),
}

impl Scope {
    /// Whether a region lies in this scope.
    pub fn covers_region(&self, tree: &RegionTree, code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(root) => tree.ancestors(code).iter().any(|r| &r.code == root),
            Scope::Venues(_) => false,
        }
    }

    /// Whether a venue (with its region) lies in this scope.
    pub fn covers_venue(&self, tree: &RegionTree, venue_id: i64, venue_region: &str) -> bool {
        match self {
            Scope::Venues(ids) => ids.contains(&venue_id),
            _ => self.covers_region(tree, venue_region),
        }
    }

    /// The region code of a region scope.
    pub fn region_code(&self) -> Option<&str> {
        match self {
            Scope::Region(code) => Some(code),
            _ => None,
        }
    }

    /// The venues of a venue scope (empty otherwise).
    pub fn venue_ids(&self) -> Vec<i64> {
        match self {
            Scope::Venues(ids) => ids.iter().copied().collect(),
            _ => Vec::new(),
        }
    }
}

/// Checks that `granter` may hand `role` with `scope` to someone else:
/// never a role above its own, never beyond its own scope. `venue_regions`
/// holds the region of every requested venue that exists.
pub fn may_grant(
    granter: &Principal,
    role: Role,
    scope: &Scope,
    tree: &RegionTree,
    venue_regions: &HashMap<i64, String>,
) -> Result<(), GrantError> {
    if role > granter.role {
        return Err(GrantError::RoleAbove {
            granter: granter.role.key(),
            requested: role.key(),
        });
    }
    match (role, scope) {
        (Role::Admin, Scope::All) => Ok(()),
        (Role::Admin, _) => Err(GrantError::ShapeMismatch(
            "an admin has no region_code or venue_ids",
        )),
        (Role::Regulator, Scope::Region(code)) => {
            if tree.get(code).is_some() && granter.scope.covers_region(tree, code) {
                Ok(())
            } else {
                Err(GrantError::RegionOutside(code.clone()))
            }
        }
        (Role::Regulator, _) => Err(GrantError::ShapeMismatch(
            "a regulator needs a region_code and no venue_ids",
        )),
        (Role::VenueStaff, Scope::Venues(ids)) if !ids.is_empty() => {
            for id in ids {
                let inside = venue_regions
                    .get(id)
                    .is_some_and(|region| granter.scope.covers_venue(tree, *id, region));
                if !inside {
                    return Err(GrantError::VenueOutside(*id));
                }
            }
            Ok(())
        }
        (Role::VenueStaff, _) => Err(GrantError::ShapeMismatch(
            "venue_staff needs venue_ids and no region_code",
        )),
    }
}

/// An API token as presented: `qrf_<id>_<secret>`. Only a hash of the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// The stored token's id.
    pub id: i64,
    /// The secret part.
    pub secret: String,
}

/// Token prefix, so a leaked token is recognisable (e.g. by secret scanners).
const TOKEN_PREFIX: &str = "qrf_";

impl ApiToken {
    /// A fresh token for a stored id: 256 random bits.
    pub fn generate(id: i64) -> Self {
        let bytes: [u8; 32] = rand::random();
        Self {
            id,
            secret: data_encoding::BASE32_NOPAD
                .encode(&bytes)
                .to_ascii_lowercase(),
        }
    }

    /// Reads a presented bearer value; `None` if it is not shaped like a token.
    pub fn parse(raw: &str) -> Option<Self> {
        let (id, secret) = raw.strip_prefix(TOKEN_PREFIX)?.split_once('_')?;
        let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
        let shaped = (40..=64).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        shaped.then(|| Self {
            id,
            secret: secret.to_owned(),
        })
    }

    /// The text handed to its holder, once.
    pub fn reveal(&self) -> String {
        format!("{TOKEN_PREFIX}{}_{}", self.id, self.secret)
    }

    /// What is stored: SHA-256 of the secret (the secret is random, so no
    /// slow hash is needed to resist guessing).
    pub fn secret_hash(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(self.secret.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::region::{Region, RegionLevel};
    use proptest::prelude::*;

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
            region("652300", Some("650000"), Prefecture),
            region("652301", Some("652300"), County),
            region("220000", None, Province),
        ])
    }

    fn principal(role: Role, scope: Scope) -> Principal {
        Principal {
            actor: "test".into(),
            role,
            scope,
        }
    }

    #[test]
    fn a_regulator_may_hand_on_its_subtree_only() {
        let t = tree();
        let bayingolin = principal(Role::Regulator, Scope::Region("652800".into()));
        let venues: HashMap<i64, String> =
            [(1, "652801".to_owned()), (2, "652301".to_owned())].into();
        let ok = |role, scope: Scope| may_grant(&bayingolin, role, &scope, &t, &venues);
        assert_eq!(ok(Role::Regulator, Scope::Region("652822".into())), Ok(()));
        assert_eq!(ok(Role::Regulator, Scope::Region("652800".into())), Ok(()));
        assert_eq!(
            ok(Role::Regulator, Scope::Region("650000".into())),
            Err(GrantError::RegionOutside("650000".into())),
            "not its parent"
        );
        assert_eq!(
            ok(Role::Regulator, Scope::Region("652301".into())),
            Err(GrantError::RegionOutside("652301".into())),
            "not a sibling's county"
        );
        assert_eq!(ok(Role::VenueStaff, Scope::Venues([1].into())), Ok(()));
        assert_eq!(
            ok(Role::VenueStaff, Scope::Venues([1, 2].into())),
            Err(GrantError::VenueOutside(2))
        );
        assert_eq!(
            ok(Role::VenueStaff, Scope::Venues([9].into())),
            Err(GrantError::VenueOutside(9)),
            "an unknown venue is outside too"
        );
        assert!(matches!(
            ok(Role::Admin, Scope::All),
            Err(GrantError::RoleAbove { .. })
        ));
        assert!(matches!(
            ok(Role::Regulator, Scope::Venues([1].into())),
            Err(GrantError::ShapeMismatch(_))
        ));
    }

    #[test]
    fn tokens_round_trip_and_refuse_other_shapes() {
        let token = ApiToken::generate(42);
        let shown = token.reveal();
        assert!(shown.starts_with("qrf_42_"));
        assert_eq!(ApiToken::parse(&shown), Some(token.clone()));
        assert_ne!(ApiToken::generate(42), token, "random secrets");
        for bad in [
            "",
            "qrf_",
            "qrf_42",
            "qrf_x_abc",
            "qrf_0_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abc_42_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "qrf_42_short",
        ] {
            assert_eq!(ApiToken::parse(bad), None, "{bad}");
        }
        assert_eq!(token.secret_hash().len(), 32);
    }

    #[test]
    fn venue_staff_hand_on_a_subset_of_their_venues() {
        let t = tree();
        let staff = principal(Role::VenueStaff, Scope::Venues([1, 2].into()));
        let venues: HashMap<i64, String> = [
            (1, "652801".to_owned()),
            (2, "652801".to_owned()),
            (3, "652801".to_owned()),
        ]
        .into();
        assert_eq!(
            may_grant(
                &staff,
                Role::VenueStaff,
                &Scope::Venues([2].into()),
                &t,
                &venues
            ),
            Ok(())
        );
        assert_eq!(
            may_grant(
                &staff,
                Role::VenueStaff,
                &Scope::Venues([3].into()),
                &t,
                &venues
            ),
            Err(GrantError::VenueOutside(3))
        );
        assert!(
            may_grant(
                &staff,
                Role::Regulator,
                &Scope::Region("652801".into()),
                &t,
                &venues
            )
            .is_err()
        );
        let admin = principal(Role::Admin, Scope::All);
        assert_eq!(
            may_grant(&admin, Role::Admin, &Scope::All, &t, &venues),
            Ok(())
        );
    }

    /// A random three-level tree: provinces with prefectures with counties,
    /// and some counties directly under their province.
    fn random_tree() -> impl Strategy<Value = Vec<Region>> {
        prop::collection::vec((prop::collection::vec(0usize..4, 0..4), 0usize..3), 1..4).prop_map(
            |provinces| {
                let mut rows = Vec::new();
                for (p, (prefectures, direct_counties)) in provinces.iter().enumerate() {
                    let province = format!("{:02}0000", 11 + p);
                    rows.push(region(&province, None, RegionLevel::Province));
                    for (f, counties) in prefectures.iter().enumerate() {
                        let prefecture = format!("{:02}{:02}00", 11 + p, f + 1);
                        rows.push(region(
                            &prefecture,
                            Some(&province),
                            RegionLevel::Prefecture,
                        ));
                        for c in 0..*counties {
                            let county = format!("{:02}{:02}{:02}", 11 + p, f + 1, c + 1);
                            rows.push(region(&county, Some(&prefecture), RegionLevel::County));
                        }
                    }
                    for c in 0..*direct_counties {
                        let county = format!("{:02}90{:02}", 11 + p, c + 1);
                        rows.push(region(&county, Some(&province), RegionLevel::County));
                    }
                }
                rows
            },
        )
    }

    proptest! {
        #[test]
        fn a_regulator_sees_exactly_its_subtree(rows in random_tree(), pick in any::<prop::sample::Index>()) {
            let t = RegionTree::new(rows.clone());
            let root = &rows[pick.index(rows.len())].code;
            let scope = Scope::Region(root.clone());
            // The subtree by walking parents, independently of RegionTree.
            let parent: HashMap<&str, Option<&str>> =
                rows.iter().map(|r| (r.code.as_str(), r.parent_code.as_deref())).collect();
            for r in &rows {
                let mut at = Some(r.code.as_str());
                let mut below_root = false;
                while let Some(code) = at {
                    if code == root {
                        below_root = true;
                        break;
                    }
                    at = parent.get(code).copied().flatten();
                }
                prop_assert_eq!(scope.covers_region(&t, &r.code), below_root, "{} under {}", r.code, root);
                prop_assert_eq!(t.subtree(root).contains(&r.code), below_root);
                // A venue there is visible exactly when its region is.
                prop_assert_eq!(scope.covers_venue(&t, 1, &r.code), below_root);
            }
            prop_assert!(!scope.covers_region(&t, "999999"), "unknown regions are outside");
        }
    }
}
