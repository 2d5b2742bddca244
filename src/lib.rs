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
pub mod card_info;
pub mod chart;
pub mod checks;
pub mod collection;
pub mod day;
pub mod deck;
pub mod diagnostic;
pub mod error;
pub mod exam;
pub mod files;
pub mod history;
pub mod interchange;
pub mod outline;
pub mod report;
pub mod revision;
pub mod session;
pub mod sm2;
pub mod stats;
pub mod store;
pub mod synth;
pub mod text;
