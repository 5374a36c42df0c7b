//! qrfeedback: QR-code service-quality ratings for tourism venues.

pub mod app;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod i18n;
pub mod integrity_eval;
pub mod jobs;
pub mod live;
pub mod password_work;
pub mod seed;
pub mod startup;
pub mod store;
pub mod telemetry;
