//! Who may see and change what: roles, scopes and the rule for handing a
//! scope on. A regulator's scope is a region and its whole subtree
//! (province ⊃ prefecture ⊃ county); venue staff see only their venues.
//!
//! Past 500 lines only because its tests, one per grant and management rule, sit beside the rules.

use crate::domain::ids::{AccountId, VenueId};
use std::collections::{BTreeSet, HashMap};

use super::region::RegionTree;

/// What a caller is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
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
    Venues(BTreeSet<VenueId>),
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
    /// The account it acts for: the signed-in account, or the owner of the
    /// token; `None` for the bootstrap `ADMIN_TOKEN` and the tokens it made.
    pub account_id: Option<AccountId>,
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
    VenueOutside(VenueId),
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
    pub fn covers_venue(&self, tree: &RegionTree, venue_id: VenueId, venue_region: &str) -> bool {
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
    pub fn venue_ids(&self) -> Vec<VenueId> {
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
    venue_regions: &HashMap<VenueId, String>,
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

/// What a token may do now: its own role and scope cut to what its owning
/// account holds today. `None` when nothing is left: the owner's role is now
/// below the token's, or the two scopes no longer overlap. `venue_regions`
/// holds the region of the token's venues (needed when a venue token's
/// owner is a regulator).
pub fn effective_grant(
    token: (Role, &Scope),
    owner: (Role, &Scope),
    tree: &RegionTree,
    venue_regions: &HashMap<VenueId, String>,
) -> Option<(Role, Scope)> {
    let ((role, scope), (owner_role, owner_scope)) = (token, owner);
    if role > owner_role {
        return None;
    }
    let scope = match (scope, owner_scope) {
        (scope, Scope::All) => scope.clone(),
        (Scope::All, _) => return None,
        (Scope::Region(code), Scope::Region(owner_code)) => {
            if owner_scope.covers_region(tree, code) {
                Scope::Region(code.clone())
            } else if scope.covers_region(tree, owner_code) {
                Scope::Region(owner_code.clone())
            } else {
                return None;
            }
        }
        (Scope::Region(_), Scope::Venues(_)) => return None,
        (Scope::Venues(ids), owner_scope) => {
            let kept: BTreeSet<VenueId> = ids
                .iter()
                .copied()
                .filter(|id| match owner_scope {
                    Scope::Venues(owned) => owned.contains(id),
                    _ => venue_regions
                        .get(id)
                        .is_some_and(|region| owner_scope.covers_venue(tree, *id, region)),
                })
                .collect();
            if kept.is_empty() {
                return None;
            }
            Scope::Venues(kept)
        }
    };
    // A regulator token cut to venues, or the like, cannot happen: the role
    // stays the token's and the scope keeps its shape.
    Some((role, scope))
}

/// Why an account cannot be managed (disabled, re-scoped, reset) by a caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManageError {
    /// The account is the caller's own (or the owner of the caller's token).
    #[error("an account cannot be managed by itself or its own tokens")]
    OwnAccount,
    /// The account's role is above the caller's, or the same without a
    /// strictly narrower region.
    #[error("a {manager} cannot manage a {target} account of this scope")]
    NotBelow {
        /// The caller's role.
        manager: &'static str,
        /// The account's role.
        target: &'static str,
    },
    /// The account's region or venues lie outside the caller's scope.
    #[error("the account lies outside your scope")]
    Outside,
}

/// Checks that `manager` may manage an account (`account_id`, holding
/// `role` with `scope`): never its own account, and only one below it: a
/// lower role inside its scope, or the same role over a strictly narrower
/// region. Admin accounts are managed only by the bootstrap `ADMIN_TOKEN`
/// (and its tokens), which no account owns.
pub fn may_manage(
    manager: &Principal,
    account_id: AccountId,
    role: Role,
    scope: &Scope,
    tree: &RegionTree,
    venue_regions: &HashMap<VenueId, String>,
) -> Result<(), ManageError> {
    if manager.account_id == Some(account_id) {
        return Err(ManageError::OwnAccount);
    }
    let not_below = || ManageError::NotBelow {
        manager: manager.role.key(),
        target: role.key(),
    };
    let below = match (manager.role, role, scope) {
        (Role::Admin, Role::Admin, _) => manager.account_id.is_none(),
        (Role::Regulator, Role::Regulator, Scope::Region(code)) => {
            manager.scope.region_code() != Some(code.as_str())
        }
        (manager_role, role, _) => role < manager_role,
    };
    if !below {
        return Err(not_below());
    }
    match may_grant(manager, role, scope, tree, venue_regions) {
        Ok(()) => Ok(()),
        Err(GrantError::RoleAbove { .. }) => Err(not_below()),
        Err(_) => Err(ManageError::Outside),
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

/// The role and scope of a stored token or account: a regulator's region,
/// venue staff's venues, everything for an admin. `None` for a role the
/// code does not know or a regulator without a region.
pub fn held_grant(
    role: Role,
    region_code: Option<&str>,
    venue_ids: &[VenueId],
) -> Option<(Role, Scope)> {
    let scope = match role {
        Role::Admin => Scope::All,
        Role::Regulator => Scope::Region(region_code?.to_owned()),
        Role::VenueStaff => Scope::Venues(venue_ids.iter().copied().collect()),
    };
    Some((role, scope))
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
            account_id: Some(AccountId::new(100)),
        }
    }

    #[test]
    fn a_regulator_may_hand_on_its_subtree_only() {
        let t = tree();
        let bayingolin = principal(Role::Regulator, Scope::Region("652800".into()));
        let venues: HashMap<VenueId, String> = [
            (VenueId::new(1), "652801".to_owned()),
            (VenueId::new(2), "652301".to_owned()),
        ]
        .into();
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
        assert_eq!(
            ok(
                Role::VenueStaff,
                Scope::Venues([1].map(VenueId::new).into())
            ),
            Ok(())
        );
        assert_eq!(
            ok(
                Role::VenueStaff,
                Scope::Venues([1, 2].map(VenueId::new).into())
            ),
            Err(GrantError::VenueOutside(VenueId::new(2)))
        );
        assert_eq!(
            ok(
                Role::VenueStaff,
                Scope::Venues([9].map(VenueId::new).into())
            ),
            Err(GrantError::VenueOutside(VenueId::new(9))),
            "an unknown venue is outside too"
        );
        assert!(matches!(
            ok(Role::Admin, Scope::All),
            Err(GrantError::RoleAbove { .. })
        ));
        assert!(matches!(
            ok(Role::Regulator, Scope::Venues([1].map(VenueId::new).into())),
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
        let staff = principal(
            Role::VenueStaff,
            Scope::Venues([1, 2].map(VenueId::new).into()),
        );
        let venues: HashMap<VenueId, String> = [
            (VenueId::new(1), "652801".to_owned()),
            (VenueId::new(2), "652801".to_owned()),
            (VenueId::new(3), "652801".to_owned()),
        ]
        .into();
        assert_eq!(
            may_grant(
                &staff,
                Role::VenueStaff,
                &Scope::Venues([2].map(VenueId::new).into()),
                &t,
                &venues
            ),
            Ok(())
        );
        assert_eq!(
            may_grant(
                &staff,
                Role::VenueStaff,
                &Scope::Venues([3].map(VenueId::new).into()),
                &t,
                &venues
            ),
            Err(GrantError::VenueOutside(VenueId::new(3)))
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

    fn principal_of(role: Role, scope: Scope, account_id: Option<AccountId>) -> Principal {
        Principal {
            account_id,
            ..principal(role, scope)
        }
    }

    #[test]
    fn a_tokens_grant_is_cut_to_what_its_owner_holds_now() {
        let t = tree();
        let venues: HashMap<VenueId, String> = [
            (VenueId::new(1), "652801".to_owned()),
            (VenueId::new(2), "652301".to_owned()),
        ]
        .into();
        let region = |code: &str| Scope::Region(code.into());
        let cut = |token: (Role, Scope), owner: (Role, Scope)| {
            effective_grant((token.0, &token.1), (owner.0, &owner.1), &t, &venues)
        };
        use Role::*;
        let cases = [
            // The owner still holds as much: the token keeps its own.
            (
                (Regulator, region("652801")),
                (Regulator, region("652800")),
                Some((Regulator, region("652801"))),
            ),
            // The owner was narrowed: the token is cut to the new region.
            (
                (Regulator, region("652800")),
                (Regulator, region("652801")),
                Some((Regulator, region("652801"))),
            ),
            // Moved elsewhere: nothing is left.
            (
                (Regulator, region("652800")),
                (Regulator, region("652300")),
                None,
            ),
            // Demoted below the token's role.
            (
                (Regulator, region("652800")),
                (VenueStaff, Scope::Venues([1].map(VenueId::new).into())),
                None,
            ),
            ((Admin, Scope::All), (Regulator, region("650000")), None),
            (
                (Admin, Scope::All),
                (Admin, Scope::All),
                Some((Admin, Scope::All)),
            ),
            (
                (Regulator, region("652800")),
                (Admin, Scope::All),
                Some((Regulator, region("652800"))),
            ),
            // Venue tokens keep the venues their owner still covers.
            (
                (VenueStaff, Scope::Venues([1, 2].map(VenueId::new).into())),
                (Regulator, region("652800")),
                Some((VenueStaff, Scope::Venues([1].map(VenueId::new).into()))),
            ),
            (
                (VenueStaff, Scope::Venues([1, 2].map(VenueId::new).into())),
                (VenueStaff, Scope::Venues([2, 3].map(VenueId::new).into())),
                Some((VenueStaff, Scope::Venues([2].map(VenueId::new).into()))),
            ),
            (
                (VenueStaff, Scope::Venues([1].map(VenueId::new).into())),
                (VenueStaff, Scope::Venues([2].map(VenueId::new).into())),
                None,
            ),
        ];
        for (token, owner, expected) in cases {
            assert_eq!(
                cut(token.clone(), owner.clone()),
                expected,
                "{token:?} of {owner:?}"
            );
        }
        // Venue staff's own venues need no regions to be compared.
        assert_eq!(
            effective_grant(
                (VenueStaff, &Scope::Venues([5, 6].map(VenueId::new).into())),
                (VenueStaff, &Scope::Venues([6, 7].map(VenueId::new).into())),
                &t,
                &HashMap::new(),
            ),
            Some((VenueStaff, Scope::Venues([6].map(VenueId::new).into())))
        );
    }

    #[test]
    fn managing_an_account_needs_a_higher_role_or_a_strictly_narrower_region() {
        let t = tree();
        let venues: HashMap<VenueId, String> = [
            (VenueId::new(1), "652801".to_owned()),
            (VenueId::new(2), "652301".to_owned()),
        ]
        .into();
        let region = |code: &str| Scope::Region(code.into());
        let bayingolin = principal_of(Role::Regulator, region("652800"), Some(AccountId::new(1)));
        let admin = principal_of(Role::Admin, Scope::All, Some(AccountId::new(2)));
        let bootstrap = principal_of(Role::Admin, Scope::All, None);
        let staff = principal_of(
            Role::VenueStaff,
            Scope::Venues([1].map(VenueId::new).into()),
            Some(AccountId::new(3)),
        );
        let manage = |who: &Principal, id: i64, role: Role, scope: Scope| {
            may_manage(who, AccountId::new(id), role, &scope, &t, &venues)
        };
        let not_below = |m: &Principal, r: Role| ManageError::NotBelow {
            manager: m.role.key(),
            target: r.key(),
        };
        use Role::*;
        let cases = [
            (&bayingolin, 10, Regulator, region("652801"), Ok(())),
            (
                &bayingolin,
                10,
                Regulator,
                region("652800"),
                Err(not_below(&bayingolin, Regulator)),
            ),
            (
                &bayingolin,
                10,
                Regulator,
                region("650000"),
                Err(ManageError::Outside),
            ),
            (
                &bayingolin,
                10,
                Regulator,
                region("652301"),
                Err(ManageError::Outside),
            ),
            (
                &bayingolin,
                10,
                VenueStaff,
                Scope::Venues([1].map(VenueId::new).into()),
                Ok(()),
            ),
            (
                &bayingolin,
                10,
                VenueStaff,
                Scope::Venues([1, 2].map(VenueId::new).into()),
                Err(ManageError::Outside),
            ),
            (
                &bayingolin,
                10,
                Admin,
                Scope::All,
                Err(not_below(&bayingolin, Admin)),
            ),
            (
                &bayingolin,
                1,
                VenueStaff,
                Scope::Venues([1].map(VenueId::new).into()),
                Err(ManageError::OwnAccount),
            ),
            (&admin, 10, Regulator, region("650000"), Ok(())),
            (&admin, 10, Admin, Scope::All, Err(not_below(&admin, Admin))),
            (&admin, 2, Admin, Scope::All, Err(ManageError::OwnAccount)),
            (&bootstrap, 10, Admin, Scope::All, Ok(())),
            (
                &staff,
                10,
                VenueStaff,
                Scope::Venues([1].map(VenueId::new).into()),
                Err(not_below(&staff, VenueStaff)),
            ),
        ];
        for (who, id, role, scope, expected) in cases {
            assert_eq!(
                manage(who, id, role, scope.clone()),
                expected,
                "{who:?} on {role:?} {scope:?}"
            );
        }
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
        /// Whatever the two regions, a token never sees more than its owner
        /// holds, nor more than it was made for, and keeps the part of its
        /// region that its owner still covers.
        #[test]
        fn a_token_never_outgrows_its_owner(rows in random_tree(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
            let t = RegionTree::new(rows.clone());
            let token = Scope::Region(rows[a.index(rows.len())].code.to_string());
            let owner = Scope::Region(rows[b.index(rows.len())].code.to_string());
            let cut = effective_grant(
                (Role::Regulator, &token),
                (Role::Regulator, &owner),
                &t,
                &HashMap::new(),
            );
            for r in &rows {
                let seen = cut.as_ref().is_some_and(|(_, s)| s.covers_region(&t, &r.code));
                let both = token.covers_region(&t, &r.code) && owner.covers_region(&t, &r.code);
                prop_assert_eq!(seen, both, "{} with {:?} of {:?}", r.code, token, owner);
            }
        }
    }

    proptest! {
        #[test]
        fn a_regulator_sees_exactly_its_subtree(rows in random_tree(), pick in any::<prop::sample::Index>()) {
            let t = RegionTree::new(rows.clone());
            let root = &rows[pick.index(rows.len())].code;
            let scope = Scope::Region(root.to_string());
            // The subtree by walking parents, independently of RegionTree.
            let parent: HashMap<&str, Option<&str>> =
                rows.iter().map(|r| (r.code.as_str(), r.parent_code.as_deref())).collect();
            for r in &rows {
                let mut at = Some(r.code.as_str());
                let mut below_root = false;
                while let Some(code) = at {
                    if *root == *code {
                        below_root = true;
                        break;
                    }
                    at = parent.get(code).copied().flatten();
                }
                prop_assert_eq!(scope.covers_region(&t, &r.code), below_root, "{} under {}", r.code, root);
                prop_assert_eq!(t.subtree(root).contains(&r.code.to_string()), below_root);
                // A venue there is visible exactly when its region is.
                prop_assert_eq!(scope.covers_venue(&t, VenueId::new(1), &r.code), below_root);
            }
            prop_assert!(!scope.covers_region(&t, "999999"), "unknown regions are outside");
        }
    }
}
