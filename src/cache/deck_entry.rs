//! A deck's entry: the deck with its cards' text left out, then each card whole, so that a
//! study session decodes at its start only what places and schedules the cards, and decodes a
//! card's text when it shows that card.
//!
//! Why: at 100,000 cards the text (fronts, backs, options, `why`, sources) is half a million
//! strings, 29 MB. Decoding them was two fifths of the processor time to the first card, and
//! the pages they were built in (which the kernel must zero) most of the rest, for a session
//! that shows a few hundred cards. Reports (`knead stats`) never decode them at all, and
//! `knead card` decodes one card's.
//!
//! The cards stay in the entry, which is mapped ([`super::read_entry`]) and kept mapped while
//! the session runs ([`CardTexts`]); they were proved with the rest of the entry by its
//! checksum when it was opened.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{SourceFile, Writes, decode, dir, id_key, path_key, read_entry};
use crate::deck::{Card, Deck};

/// What a deck's entry holds.
#[derive(Serialize, Deserialize)]
struct CompiledDeck<'a> {
    /// The deck, each card without its text ([`Deck::without_text`]).
    deck: Deck,
    /// Each card whole (with its text), in MessagePack, one after another: borrowed from the
    /// mapped entry when decoded, never copied.
    #[serde(borrow)]
    cards: &'a serde_bytes::Bytes,
    /// Where each card ends in `cards`.
    ends: Vec<u32>,
}

/// `deck`'s cards encoded one after another, and where each ends: `None` for a deck too large
/// to number in 32 bits (none can be: see [`crate::limits::MAX_DECK_BYTES`]).
fn encode_cards(deck: &Deck) -> Option<(Vec<u8>, Vec<u32>)> {
    let mut cards = Vec::new();
    let mut ends = Vec::with_capacity(deck.cards.len());
    for card in &deck.cards {
        rmp_serde::encode::write_named(&mut cards, card).ok()?;
        ends.push(u32::try_from(cards.len()).ok()?);
    }
    Some((cards, ends))
}

/// The byte ranges of `ends.len()` cards laid one after another, if `ends` describes exactly
/// `len` bytes.
fn card_ranges(ends: &[u32], len: usize) -> Option<Vec<std::ops::Range<usize>>> {
    let mut ranges = Vec::with_capacity(ends.len());
    let mut start = 0;
    for &end in ends {
        let end = end as usize;
        if end < start {
            return None;
        }
        ranges.push(start..end);
        start = end;
    }
    (start == len).then_some(ranges)
}

impl CompiledDeck<'_> {
    /// The deck with every card's text.
    fn with_text(self) -> Option<Deck> {
        let ranges = card_ranges(&self.ends, self.cards.len())?;
        if ranges.len() != self.deck.cards.len() {
            return None;
        }
        let cards = ranges
            .into_iter()
            .map(|range| rmp_serde::from_slice(&self.cards[range]).ok())
            .collect::<Option<Vec<Card>>>()?;
        Some(Deck { cards, ..self.deck })
    }
}

/// The text of a deck's cards, left in the deck's mapped entry until a card is shown.
#[derive(Clone)]
pub struct CardTexts {
    entry: Arc<memmap2::Mmap>,
    /// Where each card is in `entry`.
    ranges: Arc<[std::ops::Range<usize>]>,
}

impl std::fmt::Debug for CardTexts {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "CardTexts({} cards)", self.ranges.len())
    }
}

impl CardTexts {
    /// The texts of the cards that begin at `start` in `entry`, laid out as `ends` says, for
    /// a deck of `count` cards.
    fn new(entry: memmap2::Mmap, start: usize, ends: &[u32], count: usize) -> Option<CardTexts> {
        let len = *ends.last().unwrap_or(&0) as usize;
        if start.checked_add(len)? > entry.len() || ends.len() != count {
            return None;
        }
        let ranges = card_ranges(ends, len)?
            .into_iter()
            .map(|range| start + range.start..start + range.end)
            .collect();
        Some(CardTexts {
            entry: Arc::new(entry),
            ranges,
        })
    }

    /// The card at `index` in its deck, with its text.
    ///
    /// Panics if the entry does not hold it: the entry was written by this build, passed its
    /// checksum when it was opened, and is never written in place (an entry is replaced by a
    /// rename, which leaves these bytes as they were).
    pub fn card(&self, index: usize) -> Card {
        rmp_serde::from_slice(&self.entry[self.ranges[index].clone()])
            .expect("a compiled deck that passed its checksum holds each of its cards")
    }
}

/// Where a loaded deck's cards' text is.
#[derive(Clone, Debug)]
pub enum Texts {
    /// In the cards themselves.
    InCards,
    /// In the deck's compiled copy, decoded card by card ([`CardTexts::card`]).
    Compiled(CardTexts),
    /// Nowhere: left out of a deck parsed for a report that shows no card.
    LeftOut,
}

/// How much of a deck's text a command needs at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeckText {
    /// Every card's text (checks, exports).
    Kept,
    /// Only the cards it shows (a study session): the text stays in the compiled copy; a
    /// deck parsed from its file has it already and keeps it.
    WhenShown,
    /// One card's (`knead card`): the text stays in the compiled copy; a deck parsed from its
    /// file leaves it out.
    OnDemand,
    /// None (reports that show no card): a deck parsed from its file leaves it out, and the
    /// compiled copy is not kept (mapped, its pages would count in the report's memory).
    LeftOut,
}

/// The deck compiled from the deck file at `path` (whose bytes `read` returns), with as much
/// of its text as `text` asks for: from its entry when that is sound and was compiled from
/// this file as it is, otherwise from `parse`, whose deck then (when allowed) becomes the one
/// entry for its id.
pub fn load_deck<E>(
    data_dir: &Path,
    path: &Path,
    writes: Writes,
    text: DeckText,
    read: impl FnOnce() -> Result<Vec<u8>, E>,
    parse: impl FnOnce(&[u8]) -> Result<Deck, E>,
) -> Result<(Deck, Texts), E> {
    load_deck_at(data_dir, path, writes, text, SystemTime::now(), read, parse)
}

pub(super) fn load_deck_at<E>(
    data_dir: &Path,
    path: &Path,
    writes: Writes,
    text: DeckText,
    now: SystemTime,
    read: impl FnOnce() -> Result<Vec<u8>, E>,
    parse: impl FnOnce(&[u8]) -> Result<Deck, E>,
) -> Result<(Deck, Texts), E> {
    let dir = dir(data_dir);
    let prefix = format!("deck-{}-", path_key(path));
    let entries = deck_entries(&dir);
    let mut source = SourceFile::new(path, now, read);
    for name in entries.iter().filter(|name| name.starts_with(&prefix)) {
        let entry = dir.join(name);
        if let Some(loaded) = from_entry(&entry, &mut source, writes, text)? {
            return Ok(loaded);
        }
    }
    let deck = parse(source.bytes()?)?;
    if writes == Writes::Allowed
        && let Some((cards, ends)) = encode_cards(&deck)
    {
        let name = format!("{prefix}{}.cache", id_key(&deck.id));
        let suffix = format!("-{}.cache", id_key(&deck.id));
        let compiled = CompiledDeck {
            deck: deck.clone().without_text(),
            cards: serde_bytes::Bytes::new(&cards),
            ends,
        };
        source.write(&dir.join(&name), &compiled)?;
        // One entry per deck id, and one per file: the rest are stale.
        for other in entries {
            if other != name && (other.starts_with(&prefix) || other.ends_with(&suffix)) {
                let _ = std::fs::remove_file(dir.join(other));
            }
        }
    }
    Ok(match text {
        DeckText::Kept | DeckText::WhenShown => (deck, Texts::InCards),
        DeckText::OnDemand | DeckText::LeftOut => (deck.without_text(), Texts::LeftOut),
    })
}

/// The deck in the entry at `path`, if the entry is sound and was compiled from `source` as
/// it is (stamping it again when [`SourceFile::value_of`] says so and `writes` allows).
fn from_entry<E>(
    path: &Path,
    source: &mut SourceFile<'_, E>,
    writes: Writes,
    text: DeckText,
) -> Result<Option<(Deck, Texts)>, E> {
    let Some(map) = read_entry(path) else {
        return Ok(None);
    };
    let Some(payload) = decode::<CompiledDeck<'_>>(&map) else {
        return Ok(None);
    };
    let Some((compiled, restamp)) = source.value_of(payload)? else {
        return Ok(None);
    };
    if restamp && writes == Writes::Allowed {
        source.write(path, &compiled)?;
    }
    match text {
        DeckText::Kept => return Ok(compiled.with_text().map(|deck| (deck, Texts::InCards))),
        DeckText::LeftOut => return Ok(Some((compiled.deck, Texts::LeftOut))),
        DeckText::WhenShown | DeckText::OnDemand => {}
    }
    // Where the cards begin in the entry: they were borrowed from it, not copied.
    let Some(start) = (compiled.cards.as_ptr() as usize).checked_sub(map.as_ptr() as usize) else {
        return Ok(None);
    };
    let CompiledDeck { deck, ends, .. } = compiled;
    Ok(CardTexts::new(map, start, &ends, deck.cards.len())
        .map(|texts| (deck, Texts::Compiled(texts))))
}

/// The names of the deck entries in `dir`.
fn deck_entries(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.starts_with("deck-") && name.ends_with(".cache"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::Duration;

    use super::*;
    use crate::deck::without_text::every_field;

    /// Long after every file these tests write: their stamps have settled.
    fn later() -> SystemTime {
        SystemTime::now() + Duration::from_secs(3600)
    }

    fn deck_file(path: &Path, id: &str) {
        fs::write(
            path,
            format!(
                r#"Deck(id: "{id}", title: "T", cards: [Basic(id: "b", front: "f", back: "b")])"#
            ),
        )
        .unwrap();
    }

    fn load(
        data: &Path,
        path: &Path,
        writes: Writes,
        text: DeckText,
    ) -> Result<(Deck, Texts), String> {
        let read = || fs::read(path).map_err(|e| e.to_string());
        load_deck_at(data, path, writes, text, later(), read, |bytes| {
            crate::deck::parse(std::str::from_utf8(bytes).unwrap(), "d.ron")
                .map_err(|e| format!("{e:?}"))
        })
    }

    /// Loads `deck`, written to a file, as a study session would (writing its entry), then
    /// returns what each kind of load gets from that entry.
    fn from_its_entry(deck: &Deck, text: DeckText) -> (Deck, Texts) {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().join("d.ron");
        fs::write(&path, "the file").unwrap();
        let read = || fs::read(&path).map_err(|e| e.to_string());
        let parsed = load_deck_at(
            data.path(),
            &path,
            Writes::Allowed,
            DeckText::WhenShown,
            later(),
            read,
            |_| Ok::<_, String>(deck.clone()),
        )
        .unwrap();
        assert!(matches!(parsed.1, Texts::InCards), "parsed: {:?}", parsed.1);
        load_deck_at(
            data.path(),
            &path,
            Writes::Never,
            text,
            later(),
            || Err("the source was read".to_owned()),
            |_| Err("parsed".to_owned()),
        )
        .unwrap()
    }

    #[test]
    fn an_entry_gives_back_every_card_whole_or_each_card_when_it_is_shown() {
        let deck = every_field();
        let (whole, texts) = from_its_entry(&deck, DeckText::Kept);
        assert!(matches!(texts, Texts::InCards));
        assert_eq!(whole, deck);
        let (bare, texts) = from_its_entry(&deck, DeckText::LeftOut);
        assert_eq!(bare, deck.clone().without_text());
        assert!(matches!(texts, Texts::LeftOut));
        for text in [DeckText::WhenShown, DeckText::OnDemand] {
            let (bare, texts) = from_its_entry(&deck, text);
            assert_eq!(bare, deck.clone().without_text());
            let Texts::Compiled(texts) = texts else {
                panic!("{text:?}: the text is left in the entry");
            };
            for (index, card) in deck.cards.iter().enumerate() {
                assert_eq!(&texts.card(index), card);
            }
        }
    }

    #[test]
    fn a_deck_parsed_for_a_report_leaves_its_text_out() {
        let data = tempfile::tempdir().unwrap();
        let path = data.path().join("d.ron");
        deck_file(&path, "x");
        let (full, _) = load(data.path(), &path, Writes::Never, DeckText::Kept).unwrap();
        for text in [DeckText::OnDemand, DeckText::LeftOut] {
            let (deck, texts) = load(data.path(), &path, Writes::Never, text).unwrap();
            assert!(matches!(texts, Texts::LeftOut));
            assert_eq!(deck, full.clone().without_text());
        }
        let (deck, texts) = load(data.path(), &path, Writes::Never, DeckText::WhenShown).unwrap();
        assert!(matches!(texts, Texts::InCards));
        assert_eq!(deck, full);
    }

    #[test]
    fn card_ranges_must_cover_the_cards_exactly_in_order() {
        assert_eq!(card_ranges(&[3, 3, 7], 7), Some(vec![0..3, 3..3, 3..7]));
        assert_eq!(card_ranges(&[], 0), Some(vec![]));
        assert_eq!(card_ranges(&[3, 7], 8), None, "a byte left over");
        assert_eq!(card_ranges(&[3, 7], 6), None, "past the end");
        assert_eq!(card_ranges(&[5, 3, 7], 7), None, "out of order");
    }

    #[test]
    fn read_only_loads_never_write_and_decks_keep_one_entry_per_id() {
        let data = tempfile::tempdir().unwrap();
        let cache = dir(data.path());
        let a = data.path().join("a.ron");
        let b = data.path().join("b.ron");
        let load = |path: &Path, writes: Writes| {
            load(data.path(), path, writes, DeckText::Kept).map(|(deck, _)| deck)
        };
        deck_file(&a, "x");
        let progress = data.path().join("progress.ron");
        fs::write(&progress, "p").unwrap();
        load(&a, Writes::Never).unwrap();
        let read = || fs::read(&progress).map_err(|e| e.to_string());
        super::super::load_snapshot_at(
            data.path(),
            &progress,
            Writes::Never,
            later(),
            read,
            |bytes| Ok::<_, String>(bytes.len()),
        )
        .unwrap();
        assert!(!cache.exists(), "read-only loads write nothing");
        load(&a, Writes::Allowed).unwrap();
        assert_eq!(deck_entries(&cache).len(), 1);
        // The same id from another file replaces the entry; so does the same file's next id.
        deck_file(&b, "x");
        load(&b, Writes::Allowed).unwrap();
        assert_eq!(deck_entries(&cache).len(), 1);
        deck_file(&b, "y");
        assert_eq!(load(&b, Writes::Allowed).unwrap().id, "y");
        load(&a, Writes::Allowed).unwrap();
        let mut names = deck_entries(&cache);
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().any(|n| n.ends_with("-x.cache")));
        assert!(names.iter().any(|n| n.ends_with("-y.cache")));
    }
}
