//! Anki packages (`.apkg`, `.colpkg`): knead decks out to Anki, Anki collections in.
//!
//! An import reads the legacy collection (`collection.anki2`, `collection.anki21`) or the
//! current zstd-compressed one (`collection.anki21b`), turns each note into knead cards
//! (see `convert` for what each note type becomes) and reports every loss with the note it
//! came from. With progress (`knead import --progress`), each Anki card's schedule and review
//! log go along to the study items it became (see `progress`).
//!
//! | code | severity | what |
//! |---|---|---|
//! | K225 | error | not an Anki package knead can read (not a zip, no collection, not SQLite) |
//! | K226 | error | a package past the limits: too many files, or a collection that unpacks too large |
//! | K227 | warning | a note skipped for its note type: Image Occlusion, or a note type the package lacks |
//! | K228 | warning | text in fields knead has no place for (a custom note type's other fields) |
//! | K229 | error | a Cloze note knead cannot hold: no deletion, braces of its own, more than 50 deletions |
//! | K230 | warning | sound references and images removed |
//! | K231 | warning | Cloze hints, deletions sharing a number, or nested deletions, which knead does not have |
//! | K232 | warning | formatting (bold, colour, lists...) kept as plain text, once per file |
//! | K233 | warning | a note knead exported, edited in Anki: built from its shown fields |
//! | K234 | error | several Anki decks, with neither `--id` (one deck) nor an output folder |
//!
//! Rows a text import would reject are rejected here with the same codes (K204 empty front,
//! K205 empty back, K213 critical without a source, K218 text a terminal would obey, K222 a
//! card too large, K224 too many tags), located by note.

pub(crate) mod convert;
mod export;
pub mod progress;
mod read;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;

pub use export::{CLOZE_NOTE_TYPE, CRITICAL_TAG, Exported, KNEAD_FIELD, NOTE_TYPE, to_apkg};

use crate::deck::diagnostic::{self, Capped, Diagnostic, Severity};
use crate::deck::{self, Card, Deck, DeckErrors, cloze_deletions};
use crate::error::Error;
use crate::limits::{
    MAX_CARD_BYTES, MAX_CARDS, MAX_CLOZE_DELETIONS, MAX_FIELD_BYTES, MAX_TAGS, size_text,
};
use crate::study::collection::item_key;
use crate::text;

use super::{UniqueIds, id_from_front, normalise_tag};
use convert::{Converted, Finding};

/// How a package becomes decks.
#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    /// One deck with this id for every note; without it, one deck per Anki deck, its id
    /// slugged from the Anki deck's name.
    pub deck_id: Option<String>,
    /// The title of the one deck (with `deck_id`); by default the Anki deck's name.
    pub title: Option<String>,
    /// Import the notes that are fine and report the others as warnings, instead of refusing.
    pub skip_invalid: bool,
    /// Also read the cards' Anki schedule and review log (`--progress`), with the time the
    /// import runs.
    pub progress: Option<progress::ImportClock>,
}

/// One deck made from a package.
#[derive(Clone, Debug)]
pub struct PackageDeck {
    pub deck: Deck,
    pub ron: String,
    /// The Anki deck it came from (several with `--id`).
    pub anki_decks: Vec<String>,
}

/// A successful package import.
#[derive(Clone, Debug)]
pub struct ImportedPackage {
    pub decks: Vec<PackageDeck>,
    pub warnings: Vec<Diagnostic>,
    /// Notes left out: rejected under `skip_invalid`, or skipped for their note type.
    pub skipped: usize,
    pub notes: usize,
    /// The Anki schedule and history of the imported cards (with `PackageOptions::progress`).
    pub progress: Option<progress::AnkiProgress>,
}

/// Whether bytes are a zip file (an Anki package), whatever the file is called.
pub fn is_package(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads the Anki package in `file` (`path`: how it is named in messages) as knead decks.
pub fn import_package(
    file: File,
    path: &str,
    options: &PackageOptions,
) -> Result<ImportedPackage, Error> {
    let fail = |diagnostics: Vec<Diagnostic>| Error::Deck(DeckErrors { diagnostics });
    let collection =
        read::read_package(file, path, options.progress.is_some()).map_err(|d| fail(vec![d]))?;
    // Which knead items each Anki card (note, template ordinal) becomes.
    let mut places: HashMap<(i64, u32), Vec<String>> = HashMap::new();
    let mut diagnostics = Capped::new();
    let reject = |d: Diagnostic| Diagnostic {
        severity: if options.skip_invalid {
            Severity::Warning
        } else {
            d.severity
        },
        ..d
    };
    let mut skipped = 0;
    let mut formatted_notes = 0;
    let mut tags_reported = HashSet::new();
    // Cards by the Anki deck they go to (or one group with --id), in note order.
    let mut groups: BTreeMap<String, Vec<(Converted, String)>> = BTreeMap::new();
    for note in &collection.notes {
        let deck_name = collection
            .decks
            .get(&note.deck)
            .cloned()
            .unwrap_or_else(|| "Default".to_owned());
        let about = note_label(note);
        let Some(note_type) = collection.note_types.get(&note.note_type) else {
            skipped += 1;
            diagnostics.push(
                Diagnostic::warning(
                    "K227",
                    path,
                    format!("{about} is skipped: its note type is not in the package"),
                )
                .with_help("export the package again from Anki"),
            );
            continue;
        };
        if let Some(long) = note.fields.iter().find(|f| f.len() > MAX_FIELD_BYTES) {
            skipped += 1;
            diagnostics.push(reject(
                Diagnostic::error(
                    "K221",
                    path,
                    format!(
                        "{about} has a field of {} bytes, more than the {} a field may hold",
                        diagnostic::thousands(long.len()),
                        size_text(MAX_FIELD_BYTES)
                    ),
                )
                .with_help("one fact per card: split the note in Anki"),
            ));
            continue;
        }
        let (cards, findings) = convert::convert(note, note_type);
        let mut rejected = false;
        for finding in findings {
            match finding {
                Finding::Formatting => formatted_notes += 1,
                Finding::BadCloze => rejected = true,
                _ => {}
            }
            if let Some(d) = finding_diagnostic(path, &about, &note_type.name, &finding) {
                diagnostics.push(if d.severity == Severity::Error {
                    reject(d)
                } else {
                    d
                });
            }
        }
        if matches!(cards.as_slice(), []) {
            skipped += 1;
            continue;
        }
        if rejected {
            skipped += 1;
            continue;
        }
        let mut prepared = Vec::new();
        for mut converted in cards {
            let problems = prepare(&mut converted.card, path, &about, &mut tags_reported);
            let (errors, warnings): (Vec<_>, Vec<_>) = problems
                .into_iter()
                .partition(|d| d.severity == Severity::Error);
            diagnostics.extend(warnings);
            if !errors.is_empty() {
                diagnostics.extend(errors.into_iter().map(reject));
                rejected = true;
            }
            prepared.push((converted, deck_name.clone()));
        }
        if rejected {
            skipped += 1;
            continue;
        }
        let key = match &options.deck_id {
            Some(_) => String::new(),
            None => deck_name,
        };
        groups.entry(key).or_default().extend(prepared);
    }
    if formatted_notes > 0 {
        diagnostics.push(
            Diagnostic::warning(
                "K232",
                path,
                format!(
                    "{} had formatting (bold, italics, colour, lists) that knead keeps as plain text",
                    text::count(formatted_notes, "note")
                ),
            )
            .with_help("knead cards are plain text; check the imported cards where emphasis carried meaning"),
        );
    }

    let mut decks = Vec::new();
    let mut deck_ids = HashSet::new();
    for (anki_deck, cards) in groups {
        let id = match &options.deck_id {
            Some(id) => id.clone(),
            None => {
                // Decks knead exported keep their id (every note's GUID names it).
                let from_guids = cards
                    .first()
                    .and_then(|(c, _)| c.given_deck.clone())
                    .filter(|deck| {
                        cards
                            .iter()
                            .all(|(c, _)| c.given_deck.as_ref() == Some(deck))
                    });
                let base = from_guids
                    .or_else(|| normalise_tag(&anki_deck))
                    .unwrap_or_else(|| "anki".to_owned());
                let mut id = base.clone();
                let mut n = 2;
                while !deck_ids.insert(id.clone()) {
                    id = format!("{base}-{n}");
                    n += 1;
                }
                id
            }
        };
        let deck_id = id.clone();
        let mut anki_decks: Vec<String> = cards.iter().map(|(_, d)| d.clone()).collect();
        anki_decks.sort();
        anki_decks.dedup();
        let title = options
            .title
            .clone()
            .unwrap_or_else(|| match anki_decks.as_slice() {
                [one] => one.rsplit("::").next().unwrap_or(one).to_owned(),
                _ => id.clone(),
            });
        let given: HashSet<String> = cards
            .iter()
            .filter_map(|(c, _)| c.given_id.clone())
            .collect();
        let mut ids = UniqueIds::new(HashSet::new());
        let mut deck_cards = Vec::new();
        for (converted, _) in cards {
            let base = match (&converted.given_id, &converted.card) {
                (Some(id), _) => id.clone(),
                // A reverse card is named after its note's front, which is its back.
                (None, Card::Basic(b)) if converted.reverse => id_from_front(&b.back),
                (None, Card::Basic(b)) => id_from_front(&b.front),
                (None, Card::Cloze(c)) => id_from_front(&c.text.replace(['{', '}'], "")),
                (None, card) => card.id().to_owned(),
            };
            let base = if converted.reverse {
                format!("{base}-reverse")
            } else {
                base
            };
            // A made-up id steers clear of the ids knead notes give.
            let id = if converted.given_id.is_none() && given.contains(&base) {
                ids.unique(format!("{base}-2"))
            } else {
                ids.unique(base)
            };
            let mut card = converted.card;
            set_id(&mut card, id);
            for (ord, part) in converted.anki_parts {
                places
                    .entry((converted.note, ord))
                    .or_default()
                    .push(item_key(&deck_id, &card, part));
            }
            deck_cards.push(card);
        }
        if deck_cards.len() > MAX_CARDS {
            diagnostics.push(
                Diagnostic::error(
                    "K223",
                    path,
                    format!(
                        "deck `{id}` would hold {} cards, more than the {} a deck may hold",
                        diagnostic::thousands(deck_cards.len()),
                        diagnostic::thousands(MAX_CARDS)
                    ),
                )
                .with_help(
                    "import the Anki decks one by one (without --id), or export fewer from Anki",
                ),
            );
        }
        drop_dangling_references(&mut deck_cards, &id);
        let deck = Deck {
            id: id.clone(),
            title,
            version: 1,
            cards: deck_cards,
            ..Default::default()
        };
        if let Some(found) = text::hostile_chars(&deck.title).next() {
            diagnostics.push(
                Diagnostic::error(
                    "K218",
                    path,
                    format!(
                        "the name of Anki deck `{}` holds {}",
                        text::terminal_safe(&anki_decks.join(", ")),
                        text::describe(found.ch)
                    ),
                )
                .with_help("rename the deck in Anki, or give the deck a title with --title"),
            );
        }
        decks.push(PackageDeck {
            ron: deck::to_ron(&deck),
            deck,
            anki_decks,
        });
    }

    let mut diagnostics = diagnostics.finish();
    if decks.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                "K216",
                path,
                "there are no notes knead can import in this package",
            )
            .with_help(
                "fix the notes listed above in Anki and export again, or use --skip-invalid",
            ),
        );
    }
    if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Err(fail(diagnostic::cap(diagnostics)));
    }
    for deck in &decks {
        // Each card was checked above; this guards the promise that `knead check` accepts
        // what an import writes, whatever rules the deck format gains.
        deck::parse(
            &deck.ron,
            &format!("{}.ron (imported from {path})", deck.deck.id),
        )
        .map_err(Error::Deck)?;
    }
    let progress = collection
        .progress
        .as_ref()
        .zip(options.progress.as_ref())
        .map(|(anki, clock)| progress::convert(anki, &places, clock));
    Ok(ImportedPackage {
        decks,
        warnings: diagnostics,
        skipped,
        notes: collection.notes.len(),
        progress,
    })
}

/// K234: a package of several Anki decks, to be written as one file without `--id`.
pub fn several_decks(path: &str, decks: &[PackageDeck]) -> Error {
    let names: Vec<String> = decks
        .iter()
        .flat_map(|d| d.anki_decks.iter())
        .map(|name| format!("`{name}`"))
        .collect();
    Error::Deck(DeckErrors {
        diagnostics: vec![
            Diagnostic::error(
                "K234",
                path,
                format!(
                    "the package holds {} Anki decks ({}): one deck file cannot hold them",
                    decks.len(),
                    names.join(", ")
                ),
            )
            .with_help("write one knead deck per Anki deck with `-o FOLDER` (an existing folder, or a path ending in `/`), or merge them into one with `--id ID -o ID.ron`"),
        ],
    })
}

/// How a note is named in messages: its id and the start of its first field.
fn note_label(note: &read::Note) -> String {
    let first = super::html::to_text(note.fields.first().map_or("", String::as_str)).text;
    let first = first.split_whitespace().collect::<Vec<_>>().join(" ");
    let snippet: String = first.chars().take(40).collect();
    let more = if first.chars().count() > 40 {
        "…"
    } else {
        ""
    };
    format!("note {} (\"{snippet}{more}\")", note.id)
}

fn finding_diagnostic(
    path: &str,
    about: &str,
    note_type: &str,
    finding: &Finding,
) -> Option<Diagnostic> {
    let note_type = text::terminal_safe(note_type);
    Some(match finding {
        Finding::ImageOcclusion => Diagnostic::warning(
            "K227",
            path,
            format!("{about} is skipped: an Image Occlusion note (`{note_type}`) asks about a picture"),
        )
        .with_help("knead cards are text: write the structures it asks about as Basic or Cloze cards"),
        Finding::UnusedFields(fields) => Diagnostic::warning(
            "K228",
            path,
            format!(
                "{about}: the text of field{} {} (note type `{note_type}`) is left out",
                text::plural_s(fields.len()),
                fields
                    .iter()
                    .map(|f| format!("`{}`", text::terminal_safe(f)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .with_help("knead cards have a front, a back, a why and a source; name a field Why, Explanation, Source or Reference in Anki to keep it"),
        Finding::Media { sounds, images } => Diagnostic::warning(
            "K230",
            path,
            format!(
                "{about}: {} removed",
                [(*sounds, "sound"), (*images, "image")]
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, noun)| text::count(*n, noun))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .with_help("knead cards are text: describe what the picture or recording showed if the card needs it"),
        Finding::Hints(n) => Diagnostic::warning(
            "K231",
            path,
            format!("{about}: {} left out", text::count(*n, "Cloze hint")),
        )
        .with_help("knead shows a deletion as [...] without a hint; put the hint in the text if it matters"),
        Finding::SharedNumbers(numbers) => Diagnostic::warning(
            "K231",
            path,
            format!(
                "{about}: deletions sharing a number ({}) are asked one at a time in knead, not together",
                numbers.iter().map(|n| format!("c{n}")).collect::<Vec<_>>().join(", ")
            ),
        )
        .with_help("if they only make sense together, make them one deletion"),
        Finding::Nested => Diagnostic::warning(
            "K231",
            path,
            format!("{about}: a deletion inside another is kept as part of the outer one"),
        ),
        Finding::BadCloze => Diagnostic::error(
            "K229",
            path,
            format!("{about}: a Cloze note knead cannot hold (no {{{{c1::...}}}} deletion, or braces of its own)"),
        )
        .with_help("give the note at least one deletion in Anki, and write no other `{{` or `}}` in it"),
        Finding::EditedInAnki => Diagnostic::warning(
            "K233",
            path,
            format!("{about} was exported by knead and edited in Anki: it is read from its shown fields, as a Basic or Cloze card"),
        )
        .with_help("a Choice, TrueFalse or Scenario card edited in Anki comes back as Basic; edit it in its deck file instead"),
        Finding::Formatting => return None,
    })
}

/// Checks a converted card and finishes it: tags as slugs (`knead::critical` makes it
/// critical), the rules a text import applies. Returns what is wrong with it.
fn prepare(
    card: &mut Card,
    path: &str,
    about: &str,
    tags_reported: &mut HashSet<String>,
) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let (tags, critical) = match card {
        Card::Basic(c) => (&mut c.tags, &mut c.critical),
        Card::Cloze(c) => (&mut c.tags, &mut c.critical),
        Card::Choice(c) => (&mut c.tags, &mut c.critical),
        Card::TrueFalse(c) => (&mut c.tags, &mut c.critical),
        Card::Scenario(c) => (&mut c.tags, &mut c.critical),
    };
    let mut slugs = Vec::new();
    for raw in tags.iter() {
        if raw.eq_ignore_ascii_case(CRITICAL_TAG) {
            *critical = true;
            continue;
        }
        match normalise_tag(raw) {
            Some(tag) => {
                if tag != *raw && tags_reported.insert(raw.clone()) {
                    problems.push(
                        Diagnostic::warning(
                            "K210",
                            path,
                            format!("tag `{}` becomes `{tag}`", text::terminal_safe(raw)),
                        )
                        .with_help("knead tags are slugs: lowercase letters, digits and '-' (Anki's `::` levels become '-')"),
                    );
                }
                if !slugs.contains(&tag) {
                    slugs.push(tag);
                }
            }
            None if tags_reported.insert(raw.clone()) => problems.push(Diagnostic::warning(
                "K211",
                path,
                format!(
                    "tag `{}` has no letter or digit and is left out",
                    text::terminal_safe(raw)
                ),
            )),
            None => {}
        }
    }
    *tags = slugs;
    let common = card.common();
    if common.tags.len() > MAX_TAGS {
        problems.push(Diagnostic::error(
            "K224",
            path,
            format!(
                "{about} has {} tags, more than the {MAX_TAGS} a card may have",
                common.tags.len()
            ),
        ));
        return problems;
    }
    if card.text_bytes() > MAX_CARD_BYTES {
        problems.push(
            Diagnostic::error(
                "K222",
                path,
                format!(
                    "{about} holds more than the {} of text a card may hold",
                    size_text(MAX_CARD_BYTES)
                ),
            )
            .with_help("one fact per card: split the note in Anki"),
        );
        return problems;
    }
    let (front, back) = match &*card {
        Card::Basic(b) => (b.front.as_str(), Some(b.back.as_str())),
        Card::Cloze(c) => (c.text.as_str(), None),
        _ => ("question", Some("answer")),
    };
    if front.is_empty() {
        problems.push(
            Diagnostic::error("K204", path, format!("{about} has an empty front"))
                .with_help("write the question in Anki, or leave the note out with --skip-invalid"),
        );
    }
    if back == Some("") {
        problems.push(
            Diagnostic::error("K205", path, format!("{about} has an empty back"))
                .with_help("write the answer in Anki, or leave the note out with --skip-invalid"),
        );
    }
    if let Card::Cloze(cloze) = &*card
        && cloze_deletions(&cloze.text).map_or(0, |d| d.len()) > MAX_CLOZE_DELETIONS
    {
        problems.push(Diagnostic::error(
            "K229",
            path,
            format!(
                "{about} has more than the {MAX_CLOZE_DELETIONS} deletions a Cloze card may have"
            ),
        ));
    }
    if common.critical && common.source.is_none() {
        problems.push(
            Diagnostic::error(
                "K213",
                path,
                format!("{about} is tagged `{CRITICAL_TAG}` but has no source"),
            )
            .with_help(
                "cite where the red flag or contraindication is documented in a Source field",
            ),
        );
    }
    if let Some(found) = card_strings(card)
        .iter()
        .find_map(|s| text::hostile_chars(s).next())
    {
        problems.push(
            Diagnostic::error(
                "K218",
                path,
                format!("{about} holds {}", text::describe(found.ch)),
            )
            .with_help("terminals obey control characters, and bidi and zero-width characters change or hide what is shown: delete it in Anki"),
        );
    }
    problems
}

/// Every string a card holds.
fn card_strings(card: &Card) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(
        &serde_json::to_value(card).expect("a card always serialises"),
        &mut out,
    );
    out
}

/// Removes `replaces` and `contrast` references to cards of this deck that the package does
/// not hold: a package holds no retired cards, so the history they name is not there.
fn drop_dangling_references(cards: &mut [Card], deck_id: &str) {
    let ids: HashSet<String> = cards.iter().map(|c| c.id().to_owned()).collect();
    for card in cards {
        let (replaces, contrast) = match card {
            Card::Basic(c) => (&mut c.replaces, &mut c.contrast),
            Card::Cloze(c) => (&mut c.replaces, &mut c.contrast),
            Card::Choice(c) => (&mut c.replaces, &mut c.contrast),
            Card::TrueFalse(c) => (&mut c.replaces, &mut c.contrast),
            Card::Scenario(c) => (&mut c.replaces, &mut c.contrast),
        };
        for list in [replaces, contrast] {
            list.retain(|reference| {
                let (deck, card) = deck::card_ref(reference, deck_id);
                deck != deck_id || ids.contains(card)
            });
        }
    }
}

fn set_id(card: &mut Card, id: String) {
    match card {
        Card::Basic(c) => c.id = id,
        Card::Cloze(c) => c.id = id,
        Card::Choice(c) => c.id = id,
        Card::TrueFalse(c) => c.id = id,
        Card::Scenario(c) => c.id = id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::{Basic, Cloze};
    use crate::interchange::clean;
    use proptest::collection::vec;
    use proptest::option;
    use proptest::prelude::*;

    /// Card text as an instructor might write it: markup-looking text, entities, colons
    /// (Anki's hint separator), line breaks, non-ASCII; trimmed as an import leaves it.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z0-9 ]{1,6}",
            Just("<b>".to_owned()),
            Just("&amp;".to_owned()),
            Just("&nbsp;".to_owned()),
            Just("::".to_owned()),
            Just(":".to_owned()),
            Just("\n".to_owned()),
            Just("\"quoted\"".to_owned()),
            Just("é漢😀\u{a0}".to_owned()),
            Just("c1".to_owned()),
        ];
        vec(piece, 1..6)
            .prop_map(|pieces| clean(&pieces.concat()))
            .prop_filter("text", |t| !t.is_empty())
    }

    fn cloze_text() -> impl Strategy<Value = String> {
        (text(), vec((text(), text()), 1..4)).prop_map(|(start, parts)| {
            let mut out = start;
            for (hidden, shown) in parts {
                out.push_str(&format!(" {{{{{hidden}}}}} {shown}"));
            }
            out
        })
    }

    fn fields_of(card: &Card) -> Vec<String> {
        let mut fields = export::shown_fields(card).to_vec();
        // The Knead field emptied: the card must come back from what Anki shows.
        fields.push(String::new());
        fields
    }

    fn back_from_shown_fields(card: &Card, cloze: bool) -> Card {
        let names = if cloze {
            vec!["Text", "Back Extra", "Why", "Source", KNEAD_FIELD]
        } else {
            vec!["Front", "Back", "Why", "Source", KNEAD_FIELD]
        };
        let note_type = read::NoteType {
            name: "t".into(),
            cloze,
            fields: names.into_iter().map(str::to_owned).collect(),
            questions: vec![if cloze { "{{cloze:Text}}" } else { "{{Front}}" }.into()],
        };
        let note = read::Note {
            guid: format!("knead:d/{}", card.id()),
            fields: fields_of(card),
            card_ords: vec![0],
            ..Default::default()
        };
        let (mut cards, findings) = convert::convert(&note, &note_type);
        assert_eq!(cards.len(), 1, "{findings:?}");
        let mut found = cards.remove(0);
        set_id(&mut found.card, found.given_id.unwrap());
        found.card
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn basic_and_cloze_cards_come_back_from_their_shown_fields_alone(
            front in text(),
            back in text(),
            why in option::of(text()),
            source in option::of(text()),
            cloze in cloze_text(),
        ) {
            let basic = Card::Basic(Basic {
                id: "b".into(), front, back, why: why.clone(), source: source.clone(),
                ..Default::default()
            });
            prop_assert_eq!(back_from_shown_fields(&basic, false), basic);
            prop_assert!(cloze_deletions(&cloze).is_ok());
            let cloze = Card::Cloze(Cloze {
                id: "c".into(), text: cloze, why, source, ..Default::default()
            });
            prop_assert_eq!(back_from_shown_fields(&cloze, true), cloze);
        }
    }
}
