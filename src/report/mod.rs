//! Reports: each format only reads the runner's results.

mod human;

pub use human::{Summary, human};
