//! The rating page a visitor reaches by scanning a venue's code.

pub mod rating;
pub mod view;
