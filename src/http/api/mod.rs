//! The JSON API, one file per resource; every answer that is not a success
//! is problem+json.

pub mod accounts;
pub mod appeals;
pub mod audit;
pub mod body;
pub mod campaigns;
pub mod complaints;
pub mod docs;
pub mod health;
pub mod holidays;
pub mod inspections;
pub mod lists;
pub mod moderation;
pub mod qr;
pub mod quality_officers;
pub mod rankings;
pub mod ratings;
pub mod repairs;
pub mod reports;
pub mod scores;
pub mod supervision;
pub mod tier_overrides;
pub mod tokens;
pub mod venue_admin;
pub mod venue_staff;
pub mod venues;
