//! Numbers about a learner's progress, for `knead status` (text and `--json`).

use jiff::civil::Date;
use serde::Serialize;

use crate::store::{DeviceSeen, Store};
use crate::study::collection::Collection;

/// One deck's counts. Counts are of study items: a Cloze card with two deletions counts twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeckStatus {
    pub id: String,
    pub title: String,
    /// `bundled`, `installed` or `file`.
    pub origin: &'static str,
    pub cards: usize,
    /// Never studied.
    pub new: usize,
    /// Studied before and due today or overdue.
    pub due: usize,
    /// Studied at least once.
    pub learned: usize,
}

/// The whole of `knead status --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    pub today: Date,
    pub decks: Vec<DeckStatus>,
    /// Every scheduling review ever recorded (cards since removed from their deck included).
    pub reviews_total: u64,
    /// Scheduling reviews recorded today.
    pub reviews_today: u64,
    /// This machine's device id.
    pub device: String,
    /// Every device whose journal is in the data directory (this one included once it has
    /// one), by id.
    pub devices: Vec<DeviceSeen>,
}

pub fn status(collection: &Collection, store: &Store, today: Date) -> Status {
    let mut decks: Vec<DeckStatus> = collection
        .decks()
        .iter()
        .map(|loaded| DeckStatus {
            id: loaded.deck.id.clone(),
            title: loaded.deck.title.clone(),
            origin: loaded.origin.kind(),
            cards: 0,
            new: 0,
            due: 0,
            learned: 0,
        })
        .collect();
    for item in collection.items() {
        let counts = &mut decks[item.deck];
        counts.cards += 1;
        match store.get(&item.key) {
            None => counts.new += 1,
            Some(progress) => {
                counts.learned += 1;
                counts.due += usize::from(progress.due <= today);
            }
        }
    }
    let progress = store.items().values();
    Status {
        today,
        decks,
        reviews_total: progress.clone().map(|p| u64::from(p.reviews)).sum(),
        reviews_today: progress.filter(|p| p.last_reviewed == today).count() as u64,
        device: store.device().as_str().to_owned(),
        devices: store.devices(),
    }
}
