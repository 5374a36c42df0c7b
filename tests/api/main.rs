//! Black-box tests through HTTP against real Postgres and Redis.

#[path = "../common/mod.rs"]
mod common;
#[path = "../fuzz_inputs/mod.rs"]
mod fuzz_inputs;

mod access;
mod accounts;
mod appeals;
mod audit_page;
mod bad_input;
mod balancer;
mod campaign_pages;
mod campaigns;
mod case_pages;
mod client_addr;
mod commands;
mod complaint_cases;
mod complaint_entry_pages;
mod console;
mod credit_repair;
mod credit_repair_pages;
mod dashboard;
mod db_role;
mod db_tls;
mod fuzz;
mod headers;
mod health;
mod home;
mod imprint;
mod inspections;
mod inspections_console;
mod integrity;
mod list_entries;
mod list_pages;
mod login;
mod low_rating_pages;
mod password_link;
mod people;
mod posters;
mod public_pages;
mod qr;
mod quality_officers;
mod rating_page;
mod ratings;
mod redis_cluster;
mod repeat_complaints;
mod replica;
mod reports;
mod resilience;
mod scores;
mod tier_overrides;
mod token_owners;
mod totp;
mod totp_reset;
mod venue_admin;
mod venues;
