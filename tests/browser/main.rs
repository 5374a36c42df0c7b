//! Browser tests: a real headless Chromium drives the real pages.

mod campaigns;
#[path = "../common/mod.rs"]
mod common;
mod complaints;
mod console;
mod credit_repair;
mod dashboard;
mod driver;
mod integrity;
mod rankings;
mod rating_page;
mod sign_in;
