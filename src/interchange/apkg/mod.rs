//! Anki packages (`.apkg`, `.colpkg`): knead decks out to Anki, Anki collections in.

mod export;

pub use export::{CLOZE_NOTE_TYPE, CRITICAL_TAG, Exported, KNEAD_FIELD, NOTE_TYPE, to_apkg};
