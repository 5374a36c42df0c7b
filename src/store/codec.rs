//! How the typed ids and enums travel to and from Postgres: ids as `bigint`
//! (and `bigint[]`), roles and tiers as the text the schema's checks allow,
//! region codes as `char(6)`. A stored value the type does not accept is a
//! decode error, never a panic.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

use crate::domain::access::Role;
use crate::domain::complaint::CaseState;
use crate::domain::credit::Tier;
use crate::domain::ids::{AccountId, RatingId, VenueId};
use crate::domain::venue::RegionCode;

macro_rules! bigint_id {
    ($($name:ident),*) => {$(
        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <i64 as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <i64 as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $name {
            fn array_type_info() -> PgTypeInfo {
                <i64 as PgHasArrayType>::array_type_info()
            }
        }

        impl Encode<'_, Postgres> for $name {
            fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
                <i64 as Encode<Postgres>>::encode_by_ref(&self.get(), buf)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                <i64 as Decode<Postgres>>::decode(value).map(Self::new)
            }
        }
    )*};
}

bigint_id!(VenueId, RatingId, AccountId);

macro_rules! text_value {
    ($name:ident, $parse:expr, $what:literal) => {
        impl Type<Postgres> for $name {
            fn type_info() -> PgTypeInfo {
                <String as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <String as Type<Postgres>>::compatible(ty)
            }
        }

        impl<'r> Decode<'r, Postgres> for $name {
            fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
                let raw = <&str as Decode<Postgres>>::decode(value)?;
                let parse: fn(&str) -> Option<$name> = $parse;
                parse(raw).ok_or_else(|| format!("stored {} {raw:?} is not one", $what).into())
            }
        }
    };
}

text_value!(Role, Role::parse, "role");
text_value!(Tier, Tier::parse, "tier");
text_value!(RegionCode, |raw| RegionCode::parse(raw).ok(), "region code");
text_value!(CaseState, CaseState::parse, "case state");
