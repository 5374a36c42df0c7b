//! Pure domain types and rules: no I/O, no async, no SQL.

pub mod access;
pub mod audit;
pub mod client_addr;
pub mod code;
pub mod complaint;
pub mod credit;
pub mod day;
pub mod decline;
pub mod distribution;
pub mod ids;
pub mod moderation;
pub mod names;
pub mod password;
pub mod rating;
pub mod region;
pub mod scoring;
pub mod secrets;
pub mod table;
pub mod text;
pub mod totp;
pub mod venue;
pub mod venue_import;
pub mod venue_particulars;
pub mod venue_profile;
pub mod violation;
pub mod working_days;
