//! What an instructor's edits to a deck mean for a student who already studies it.
//!
//! A card's `rev` and `change` describe its latest published edit. At the student's next study
//! session each edit takes effect once, recorded in the review log like an answer (so it
//! survives crashes, replays exactly and shows in the card's history):
//! - `Typo`: progress is kept as it is;
//! - `Clarify`: progress is kept, and the card comes back within a day;
//! - `Substantive`: progress starts again (the old answers stay in the log).
//!
//! A card with `replaces: ["old"]` takes over the progress of `old` (a retired card of the
//! same deck, or `"other-deck/old"` of another: a duplicate merged into the copy that stays)
//! if it has none of its own. A deck whose `version` went up is announced once:
//! "Autoimmune conditions v3: 4 cards corrected, 1 withdrawn (reason), 6 added".

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::deck::DUPLICATE_PREFIX;
use crate::deck::{Card, Change, Deck, card_ref};
use crate::error::{Error, IoContext};
use crate::sm2;
use crate::store::{LogEntry, ReviewKind, Store};
use crate::study::collection::{Collection, item_key};

/// The log entries that bring a learner's progress up to date with the decks' current cards:
/// pure, so it can be tested and previewed; `bring_up_to_date` records them.
pub fn pending(
    collection: &Collection,
    store: &Store,
    today: Date,
    at: Timestamp,
) -> Vec<LogEntry> {
    let mut entries = Vec::new();
    // Each deck's cards by id, built the first time a replaced card of that deck is looked
    // up: a search of the deck for each would cost cards squared, and indexing every deck
    // would cost every session a pass over the whole collection (100,000 cards) for the few
    // bundled cards that replace others.
    let mut cards_by_deck: HashMap<&str, HashMap<&str, &Card>> = HashMap::new();
    for item in collection.items() {
        let deck = collection.deck_of(item);
        let card = collection.card(item);
        let common = card.common();
        // Most cards were never revised and replace nothing: skip them without a lookup.
        if common.rev == 0 && common.replaces.is_empty() {
            continue;
        }
        match store.get(&item.key) {
            Some(progress) if common.rev > progress.rev => {
                let change = common.change.unwrap_or(Change::Substantive);
                let mut state = progress.sm2_state();
                let due = match change {
                    Change::Typo => progress.due,
                    Change::Clarify => progress.due.min(today.tomorrow().unwrap_or(today)),
                    Change::Substantive => {
                        state = sm2::State::default();
                        today
                    }
                };
                entries.push(entry(
                    at,
                    today,
                    &item.key,
                    ReviewKind::Revised(change),
                    state,
                    due,
                    common.rev,
                    None,
                ));
            }
            Some(_) => {}
            None => {
                // Of the replaced cards the learner studied, the one answered most recently
                // carries on: when duplicates in several decks are merged into one card, the
                // copy studied last is the learner's current knowledge of the fact.
                let carried = common
                    .replaces
                    .iter()
                    .filter_map(|old| {
                        let (old_deck, old_id) = card_ref(old, &deck.id);
                        let old_card = *cards_by_deck
                            .entry(old_deck)
                            .or_insert_with(|| index_cards(collection, old_deck))
                            .get(old_id)?;
                        let old_key = replaced_key(old_deck, old_card, item.part)?;
                        store.get(&old_key).map(|progress| (old_key, progress))
                    })
                    .reduce(|best, next| {
                        if next.1.last_reviewed > best.1.last_reviewed {
                            next
                        } else {
                            best
                        }
                    });
                if let Some((old_key, progress)) = carried {
                    entries.push(entry(
                        at,
                        today,
                        &item.key,
                        ReviewKind::Carried,
                        progress.sm2_state(),
                        progress.due,
                        common.rev,
                        Some(old_key),
                    ));
                }
            }
        }
    }
    entries
}

/// Every card of the deck `deck_id` in `collection` by card id (the first, if an id repeats).
fn index_cards<'a>(collection: &'a Collection, deck_id: &str) -> HashMap<&'a str, &'a Card> {
    let mut index = HashMap::new();
    for loaded in collection.decks().iter().filter(|d| d.deck.id == deck_id) {
        for card in &loaded.deck.cards {
            index.entry(card.id()).or_insert(card);
        }
    }
    index
}

/// The old card's item that a new card's deletion `part` carries on: the same deletion of an
/// old Cloze, or the old card itself when it is studied as one item.
fn replaced_key(deck_id: &str, old: &Card, part: usize) -> Option<String> {
    match old.item_count() {
        1 => Some(item_key(deck_id, old, 0)),
        count if part < count => Some(item_key(deck_id, old, part)),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn entry(
    at: Timestamp,
    day: Date,
    item: &str,
    kind: ReviewKind,
    state: sm2::State,
    due: Date,
    rev: u32,
    from: Option<String>,
) -> LogEntry {
    LogEntry {
        at,
        day,
        item: item.to_owned(),
        kind,
        grade: 0,
        took_ms: 0,
        repetitions: state.repetitions,
        interval_days: state.interval_days,
        easiness: state.easiness,
        due,
        rev,
        from,
        chose: None,
        first: false,
    }
}

/// Records the pending revision effects (one durable write) and returns how many there were.
pub fn bring_up_to_date(
    collection: &Collection,
    store: &mut Store,
    today: Date,
    at: Timestamp,
) -> Result<usize, Error> {
    let entries = pending(collection, store, today, at);
    if !entries.is_empty() {
        store.record_all(&entries)?;
    }
    Ok(entries.len())
}

/// One deck that changed since the learner last studied it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeckUpdate {
    pub title: String,
    pub from_version: u32,
    pub to_version: u32,
    /// Cards whose revision went up.
    pub corrected: usize,
    /// Cards retired since, with the reasons given.
    pub withdrawn: Vec<(String, String)>,
    /// Cards no longer in the deck at all.
    pub removed: usize,
    pub added: usize,
    /// The changelog entries of the versions in between.
    pub changelog: Vec<(u32, String)>,
}

impl fmt::Display for DeckUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut parts = Vec::new();
        if self.corrected > 0 {
            parts.push(format!(
                "{} card{} corrected",
                self.corrected,
                plural(self.corrected)
            ));
        }
        // Merged duplicates are counted, not listed: a curriculum clean-up can merge dozens,
        // and the learner needs to know their progress moved, not every card's new home.
        let (merged, withdrawn): (Vec<&str>, Vec<&str>) = self
            .withdrawn
            .iter()
            .map(|(_, reason)| reason.as_str())
            .partition(|reason| reason.starts_with(DUPLICATE_PREFIX));
        if !merged.is_empty() {
            parts.push(format!(
                "{} merged into the copy that stays (progress carried over)",
                merged.len()
            ));
        }
        if !withdrawn.is_empty() {
            const LISTED: usize = 3;
            let mut reasons = withdrawn[..withdrawn.len().min(LISTED)].join("; ");
            if withdrawn.len() > LISTED {
                reasons.push_str(&format!("; and {} more", withdrawn.len() - LISTED));
            }
            parts.push(format!("{} withdrawn ({reasons})", withdrawn.len()));
        }
        if self.removed > 0 {
            parts.push(format!("{} removed", self.removed));
        }
        if self.added > 0 {
            parts.push(format!("{} added", self.added));
        }
        if parts.is_empty() {
            parts.push("updated".into());
        }
        write!(
            f,
            "{} v{}: {}",
            self.title,
            self.to_version,
            parts.join(", ")
        )?;
        for (version, note) in &self.changelog {
            write!(f, "\n  v{version}: {note}")?;
        }
        Ok(())
    }
}

/// The version of each deck the learner last studied on this device (`decks-seen.ron`), and
/// for each deck its cards at that version (`seen/<deck>.ron`, read only when the deck's
/// version went up, so a session start reads a few bytes however large the decks are). Both
/// are kept in the device-local folder: each device announces an update once, and two devices
/// never rewrite one file. Records an older knead kept in the data directory itself are read
/// when the device has none yet, and never written.
const SEEN_FILE: &str = "decks-seen.ron";
const SEEN_DIR: &str = "seen";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct SeenCards {
    /// Card id -> revision, for the cards being studied.
    cards: BTreeMap<String, u32>,
    retired: BTreeSet<String>,
}

impl SeenCards {
    fn of(deck: &Deck) -> SeenCards {
        let mut seen = SeenCards::default();
        for card in &deck.cards {
            let common = card.common();
            if common.retired.is_some() {
                seen.retired.insert(common.id.to_owned());
            } else {
                seen.cards.insert(common.id.to_owned(), common.rev);
            }
        }
        seen
    }
}

/// The decks whose version went up since the learner's last session on this device, each
/// announced once: the record of what was seen, in `local_dir` (this device's folder), is
/// updated before returning. A deck met for the first time is recorded without an announcement
/// (everything in it is new anyway).
pub fn deck_updates(
    collection: &Collection,
    data_dir: &Path,
    local_dir: &Path,
) -> Result<Vec<DeckUpdate>, Error> {
    let path = local_dir.join(SEEN_FILE);
    let mut versions: BTreeMap<String, u32> = match read_record(&path, SEEN_FILE_PURPOSE)? {
        Some(versions) => versions,
        None => read_record(&data_dir.join(SEEN_FILE), SEEN_FILE_PURPOSE)?.unwrap_or_default(),
    };
    let mut updates = Vec::new();
    let mut changed = false;
    for loaded in collection.decks() {
        let deck = &loaded.deck;
        let file = format!("{}.ron", deck.id);
        let cards_path = local_dir.join(SEEN_DIR).join(&file);
        match versions.get(&deck.id) {
            Some(&version) if version >= deck.version => continue,
            Some(&version) => {
                let before = match read_record(&cards_path, SEEN_CARDS_PURPOSE)? {
                    Some(before) => Some(before),
                    None => read_record(&data_dir.join(SEEN_DIR).join(&file), SEEN_CARDS_PURPOSE)?,
                };
                updates.push(compare(version, before.as_ref(), deck));
            }
            None => {}
        }
        let seen_dir = local_dir.join(SEEN_DIR);
        fs::create_dir_all(&seen_dir).context("create", &seen_dir)?;
        write_record(&cards_path, &SeenCards::of(deck))?;
        versions.insert(deck.id.clone(), deck.version);
        changed = true;
    }
    if changed {
        write_record(&path, &versions)?;
    }
    Ok(updates)
}

/// A record knead keeps for convenience; one that cannot be read is treated as absent (the
/// worst outcome is an announcement missed or repeated, never lost progress).
/// A record that cannot be read at all (a folder, a pipe, no permission) is reported with what
/// it is for and what removing it loses.
fn read_record<T: serde::de::DeserializeOwned>(
    path: &Path,
    (purpose, lost): (&'static str, &'static str),
) -> Result<Option<T>, Error> {
    let bytes = crate::files::read_record(path, purpose, lost)?;
    Ok(bytes.and_then(|bytes| ron::from_str(std::str::from_utf8(&bytes).ok()?).ok()))
}

const SEEN_FILE_PURPOSE: (&str, &str) = (
    "remembers which version of each deck you last studied, to tell you what changed in a new one",
    "one announcement of what changed in updated decks",
);
const SEEN_CARDS_PURPOSE: (&str, &str) = (
    "remembers a deck's cards at the version you last studied, to count what changed",
    "the counts in the next announcement of that deck's changes",
);

fn write_record<T: Serialize>(path: &Path, record: &T) -> Result<(), Error> {
    let text = ron::ser::to_string_pretty(record, ron::ser::PrettyConfig::default())
        .expect("records serialise");
    crate::files::write_atomically(path, text.as_bytes())
}

/// What changed between the cards seen at `version` (when known) and the deck now.
fn compare(version: u32, before: Option<&SeenCards>, deck: &Deck) -> DeckUpdate {
    let changelog = deck
        .changelog
        .range(version + 1..=deck.version)
        .map(|(version, note)| (*version, note.clone()))
        .collect();
    let mut update = DeckUpdate {
        title: deck.title.clone(),
        from_version: version,
        to_version: deck.version,
        corrected: 0,
        withdrawn: Vec::new(),
        removed: 0,
        added: 0,
        changelog,
    };
    let Some(before) = before else {
        return update;
    };
    let now = SeenCards::of(deck);
    update.withdrawn = deck
        .cards
        .iter()
        .filter_map(|card| {
            let common = card.common();
            let reason = common.retired?;
            (!before.retired.contains(common.id)).then(|| (common.id.to_owned(), reason.to_owned()))
        })
        .collect();
    update.corrected = now
        .cards
        .iter()
        .filter(|(id, rev)| before.cards.get(*id).is_some_and(|old| *rev > old))
        .count();
    update.removed = before
        .cards
        .keys()
        .chain(&before.retired)
        .filter(|id| !now.cards.contains_key(*id) && !now.retired.contains(*id))
        .count();
    update.added = now
        .cards
        .keys()
        .filter(|id| !before.cards.contains_key(*id) && !before.retired.contains(*id))
        .count();
    update
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Access;
    use crate::study::collection::{LoadedDeck, Origin};

    fn collection(text: &str) -> Collection {
        Collection::new(vec![LoadedDeck::new(
            crate::deck::parse(text, "d.ron").unwrap(),
            Origin::File("d.ron".into()),
        )])
        .unwrap()
    }

    fn answer(store: &mut Store, item: &str, day: &str) {
        let day: Date = day.parse().unwrap();
        let state = sm2::review(sm2::State::default(), sm2::Grade::try_from(5).unwrap());
        store
            .record(&entry(
                "2026-11-01T10:00:00Z".parse().unwrap(),
                day,
                item,
                ReviewKind::Review,
                state,
                day.tomorrow().unwrap(),
                0,
                None,
            ))
            .unwrap();
    }

    #[test]
    fn a_new_cloze_carries_on_each_deletion_of_the_cloze_it_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        answer(&mut store, "d/old#2", "2026-11-01");
        let today: Date = "2026-11-03".parse().unwrap();
        let decks = collection(
            r#"Deck(id: "d", title: "D", cards: [
                Cloze(id: "old", text: "{{a}} {{b}}", retired: "reworded"),
                Cloze(id: "new", text: "{{a}} {{b}} {{c}}", replaces: ["old"]),
            ])"#,
        );
        let entries = pending(
            &decks,
            &store,
            today,
            "2026-11-03T10:00:00Z".parse().unwrap(),
        );
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(
            (entries[0].item.as_str(), entries[0].from.as_deref()),
            ("d/new#2", Some("d/old#2"))
        );
        assert_eq!(
            bring_up_to_date(&decks, &mut store, today, Timestamp::UNIX_EPOCH).unwrap(),
            1
        );
        assert_eq!(store.get("d/new#2"), store.get("d/old#2"));
        assert!(
            pending(&decks, &store, today, Timestamp::UNIX_EPOCH).is_empty(),
            "applies once"
        );
        drop(store);
        let (reopened, _) = Store::open(dir.path(), Access::ReadOnly).unwrap();
        assert!(
            reopened.get("d/new#2").is_some(),
            "the carry-over replays from the log"
        );
    }

    #[test]
    fn an_update_is_announced_once_and_counts_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let v1 = collection(
            r#"Deck(id: "d", title: "D", version: 1, cards: [
                Basic(id: "a", front: "f", back: "b"), Basic(id: "b", front: "f", back: "b"),
                Basic(id: "c", front: "f", back: "b"),
            ])"#,
        );
        let local = dir.path().join("local/laptop");
        assert!(
            deck_updates(&v1, dir.path(), &local).unwrap().is_empty(),
            "first meeting: nothing to announce"
        );
        let v2 = collection(
            r#"Deck(id: "d", title: "D", version: 2, changelog: {2: "Fixed a."}, cards: [
                Basic(id: "a", front: "f", back: "b2", rev: 1, change: Typo),
                Basic(id: "b", front: "f", back: "b", retired: "out of date"),
                Basic(id: "e", front: "f", back: "b"),
            ])"#,
        );
        let updates = deck_updates(&v2, dir.path(), &local).unwrap();
        assert_eq!(
            updates.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "D v2: 1 card corrected, 1 withdrawn (out of date), 1 removed, 1 added\n  v2: Fixed a."
            ]
        );
        assert!(
            deck_updates(&v2, dir.path(), &local).unwrap().is_empty(),
            "announced once"
        );
        assert!(!dir.path().join(SEEN_FILE).exists(), "kept on this device");
    }

    #[test]
    fn what_an_older_knead_saw_is_read_until_this_device_has_its_own_record() {
        let dir = tempfile::tempdir().unwrap();
        let deck = |version, back| {
            collection(&format!(
                r#"Deck(id: "d", title: "D", version: {version}, cards: [
                    Basic(id: "a", front: "f", back: "{back}", rev: {version}, change: Typo),
                ])"#
            ))
        };
        // An older knead kept the record in the data directory itself.
        deck_updates(&deck(1, "b1"), dir.path(), dir.path()).unwrap();
        let legacy = fs::read(dir.path().join(SEEN_FILE)).unwrap();
        let local = dir.path().join("local/lab-pc");
        let updates = deck_updates(&deck(2, "b2"), dir.path(), &local).unwrap();
        assert_eq!(updates.len(), 1, "v1 -> v2 is announced on this device too");
        assert_eq!(updates[0].corrected, 1);
        assert_eq!(fs::read(dir.path().join(SEEN_FILE)).unwrap(), legacy);
        assert!(
            deck_updates(&deck(2, "b2"), dir.path(), &local)
                .unwrap()
                .is_empty()
        );
    }
}
