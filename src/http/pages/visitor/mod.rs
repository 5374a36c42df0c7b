//! The rating page a visitor reaches by scanning a venue's code, and the
//! page that follows a complaint by its tracking code.

pub mod rating;
pub mod tracking;
pub mod view;
