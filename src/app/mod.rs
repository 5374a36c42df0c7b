//! The use-cases the JSON API and the pages share: each takes the shared
//! [`Services`], the [`Caller`] where it matters and plain values, and
//! answers plain structs or an [`AppError`] with a stable slug. Nothing here
//! knows about HTTP: the API maps an error's slug to problem+json, the pages
//! to a message in the page's language.

pub mod accounts;
pub mod alerts;
pub mod appeals;
pub mod audit;
pub mod bad_ratings;
pub mod caller;
pub mod campaigns;
pub mod case_entry;
pub mod case_rules;
pub mod cases;
pub mod credit_repairs;
pub mod error;
pub mod inspections;
pub mod intake;
pub mod integrity;
pub mod list_entries;
pub mod moderation;
pub mod paging;
pub mod path_ids;
pub mod posters;
pub mod quality_officers;
pub mod rankings;
pub mod reports;
pub mod scores;
pub mod supervision;
pub mod tier_overrides;
pub mod tokens;
pub mod venue_admin;
pub mod venue_profile;
pub mod venue_views;
pub mod violations;
pub mod working_days;

use std::sync::Arc;

use sqlx::PgPool;

pub use caller::Caller;
pub use error::{AppError, Kind, Slug};

use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::secrets::Secrets;
use crate::jobs::scores::ScoreEngine;
use crate::live::Live;
use crate::password_work::PasswordWork;
use crate::store::reads::ReadPools;
use crate::store::reference::ReferenceData;
use crate::telemetry::Metrics;
use intake::Intake;

/// The long-lived parts every use-case may need, built once at start.
#[derive(Clone)]
pub struct Services {
    /// Postgres pool.
    pub pool: PgPool,
    /// Where reads that may be a moment behind go: the replica while it keeps up.
    pub reads: ReadPools,
    /// The one source of "now".
    pub clock: Clock,
    /// Redis, possibly down.
    pub live: Live,
    /// The rating write path.
    pub intake: Intake,
    /// Case deadlines: the working-day calendar and the regions' clocks.
    pub case_rules: case_rules::CaseRules,
    /// Scores: constants and tier rules.
    pub scores: Arc<ScoreEngine>,
    /// Venues' public views, kept a few seconds.
    pub venue_views: venue_views::VenueViews,
    /// The region tree and the categories.
    pub reference: Arc<ReferenceData>,
    /// Derived keys.
    pub secrets: Arc<Secrets>,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Metrics registry.
    pub metrics: Metrics,
    /// argon2id work, at most one job per core.
    pub password_work: PasswordWork,
}
