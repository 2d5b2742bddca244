//! One file per command, as cargo lays out its own: each holds the command's arguments (when it
//! has any of its own) and a `run` that loads what it needs, asks the library, and prints.
//! `main.rs` only parses and dispatches.

pub mod add;
pub mod card;
pub mod check;
pub mod class;
pub mod completions;
pub mod decks;
pub mod export;
pub mod import;
pub mod new;
pub mod remove;
pub mod report;
pub mod show;
pub mod stats;
pub mod status;
pub mod study;
pub mod undo;

use std::path::PathBuf;

use knead::store::{Access, Store};

use jiff::civil::Date;

/// What every command may need from the global options: where the data lives and what day
/// it is.
pub struct Context {
    pub data_dir: PathBuf,
    pub plain: bool,
    pub today_override: Option<Date>,
}

impl Context {
    /// Today's study day (`--today`/`KNEAD_TODAY`, else the clock). Only the commands that need
    /// the date call this, so `knead check` never reads the clock.
    pub fn today(&self) -> Date {
        let today = self.today_override.unwrap_or_else(knead::day::today);
        crate::print_clock_notes();
        today
    }
}

/// Lets what a report loaded (every card, every item's progress) go without freeing it, just
/// before the process ends: at 100,000 cards, freeing them a string at a time was a tenth of
/// `knead stats`, and the system takes the memory back at exit at once. Only a read-only
/// store may be left: a study session's store holds the lock, whose drop clears the pid file.
pub fn leave_for_exit<T>(loaded: T, store: Option<Store>) {
    if let Some(store) = store {
        assert_eq!(
            store.access(),
            Access::ReadOnly,
            "a store that holds the lock is dropped"
        );
        std::mem::forget(store);
    }
    std::mem::forget(loaded);
}
