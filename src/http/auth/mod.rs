//! Who is calling: bearer tokens and the access rules, sign-in and
//! sessions, and the signed-in page frame.

pub mod access;
pub mod login;
pub mod signed_in;
