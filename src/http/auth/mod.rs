//! Who is calling: bearer tokens and the access rules, sign-in and
//! sessions, and the signed-in page frame.

pub mod access;
pub mod login;
pub mod second_factor;
pub mod session;
pub mod sign_out;
pub mod signed_in;
