//! Typed identifiers: a venue's id cannot be passed where a rating's is
//! wanted. Each is the database's `bigint` key, printed and serialised as the
//! bare number, so JSON and URLs read exactly as before.

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a stored key.
            pub const fn new(raw: i64) -> Self {
                Self(raw)
            }

            /// The stored key, for binding into SQL.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    };
}

id_type!(
    /// A venue (`venues.id`).
    VenueId
);
id_type!(
    /// A rating (`ratings.id`); always read together with its venue.
    RatingId
);
id_type!(
    /// A signed-in person's account (`accounts.id`).
    AccountId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_and_prints_as_the_bare_number() {
        let id: VenueId = "42".parse().unwrap();
        assert_eq!(id.get(), 42);
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(
            serde_json::from_str::<VenueId>("7").unwrap(),
            VenueId::new(7)
        );
        assert!("4x".parse::<RatingId>().is_err());
        assert!(serde_json::from_str::<AccountId>("\"7\"").is_err());
    }
}
