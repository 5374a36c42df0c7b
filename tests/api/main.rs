//! Black-box tests through HTTP against real Postgres and Redis.

#[path = "../common/mod.rs"]
mod common;
#[path = "../fuzz_inputs/mod.rs"]
mod fuzz_inputs;

mod access;
mod accounts;
mod audit_page;
mod commands;
mod console;
mod dashboard;
mod db_role;
mod fuzz;
mod health;
mod login;
mod people;
mod public_pages;
mod qr;
mod rating_page;
mod ratings;
mod resilience;
mod scores;
mod totp;
mod totp_reset;
mod venues;
