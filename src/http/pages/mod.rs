//! HTML pages by audience: the visitor's rating page, the public score
//! pages, a person's own account, the venue dashboard and the console, and
//! the printable QR posters the dashboard and the console share.

pub mod account;
pub mod confirm;
pub mod console;
pub mod dashboard;
pub mod notice;
pub mod people;
pub mod posters;
pub mod public;
pub mod visitor;
