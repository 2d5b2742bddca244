//! knead: a spaced-repetition trainer for massage therapists.
//!
//! The library holds everything that is not terminal interaction: the deck format and its
//! checks, the SM-2 scheduler, the progress store, and the study session's logic. The `knead`
//! binary is a thin layer of commands and prompts on top.
//!
//! The library never prints: text from decks and imports reaches the terminal only through the
//! binary's output, which makes it terminal-safe ([`text`]).
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cache;
pub mod day;
pub mod deck;
pub mod error;
pub mod files;
pub mod insight;
pub mod interchange;
pub mod limits;
pub mod sm2;
pub mod store;
pub mod study;
pub mod text;
