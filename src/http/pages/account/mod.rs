//! A signed-in person's own account: second factor, password, and the
//! invitation or set-password link that opens it.

pub mod invitation;
pub mod password;
pub mod security;
