//! Black-box tests through HTTP against real Postgres and Redis.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod accounts;
mod commands;
mod dashboard;
mod health;
mod login;
mod public_pages;
mod qr;
mod rating_page;
mod ratings;
mod resilience;
mod scores;
mod venues;
