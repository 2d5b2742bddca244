//! The decks a learner studies: bundled with knead, installed into the data directory with
//! `knead add`, or a single file named with `--deck`; and the study items they make.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::cache::{self, DeckText, Texts};
use crate::deck::{self, Card, Deck, DeckErrors};
use crate::error::{Error, IoContext};
use crate::files;
use crate::files::write_atomically;

static BUNDLED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/decks");

/// The folder inside the data directory that holds installed decks.
pub const INSTALLED_DIR: &str = "decks";

/// Where a deck came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Compiled into knead; the file name within `decks/`.
    Bundled(String),
    /// Installed with `knead add`.
    Installed(PathBuf),
    /// Studied straight from a file (`--deck PATH`).
    File(PathBuf),
}

impl Origin {
    /// How the deck's file is named in messages.
    pub fn display(&self) -> String {
        match self {
            Origin::Bundled(name) => format!("decks/{name} (bundled)"),
            Origin::Installed(path) | Origin::File(path) => path.display().to_string(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Bundled(_) => "bundled",
            Origin::Installed(_) => "installed",
            Origin::File(_) => "file",
        }
    }
}

#[derive(Clone, Debug)]
pub struct LoadedDeck {
    pub deck: Deck,
    pub origin: Origin,
    /// Where its cards' text is: a session loads it from the compiled copy when it shows the
    /// card ([`Collection::card_with_text`]).
    pub texts: Texts,
}

impl LoadedDeck {
    /// A deck whose cards carry their text.
    pub fn new(deck: Deck, origin: Origin) -> LoadedDeck {
        LoadedDeck {
            deck,
            origin,
            texts: Texts::InCards,
        }
    }
}

/// One schedulable unit: a card, or one deletion of a Cloze card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub deck: usize,
    pub card: usize,
    /// 0-based deletion index for Cloze cards; 0 otherwise.
    pub part: usize,
    /// The progress key: `deck/card`, or `deck/card#n` for a Cloze's n-th deletion.
    pub key: String,
}

/// The progress key of a card (or Cloze deletion) in a deck.
pub fn item_key(deck_id: &str, card: &Card, part: usize) -> String {
    // Built by hand, not with `format!`: a session builds one for every card (100,000 in a
    // large collection) before the first card, and the formatting machinery was most of
    // `Collection::new`.
    let id = card.id();
    let mut key = String::with_capacity(deck_id.len() + 1 + id.len() + 4);
    key.push_str(deck_id);
    key.push('/');
    key.push_str(id);
    if let Card::Cloze(_) = card {
        key.push('#');
        key.push_str(&(part + 1).to_string());
    }
    key
}

/// Which cards a command works on: every card, or only those in the named decks and carrying
/// one of the named tags.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decks: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Scope {
    /// Tags match whatever their case (`--tag LUPUS` is `lupus`: tags are lowercase slugs).
    pub fn includes(&self, deck: &Deck, card: &Card) -> bool {
        self.includes_deck(deck)
            && (self.tags.is_empty() || card.common().tags.iter().any(|t| self.has_tag(t)))
    }

    fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }

    fn includes_deck(&self, deck: &Deck) -> bool {
        self.decks.is_empty() || self.decks.contains(&deck.id)
    }

    /// Fails on a deck id that no deck in `collection` has, or a tag no card of the decks in
    /// scope carries (a typo would otherwise select no cards without a word).
    pub fn check(&self, collection: &Collection) -> Result<(), Error> {
        let ids: Vec<&String> = collection.decks.iter().map(|d| &d.deck.id).collect();
        if let Some(id) = self.decks.iter().find(|id| !ids.contains(id)) {
            return Err(Error::UnknownDeck {
                name: id.clone(),
                known: ids.into_iter().cloned().collect(),
            });
        }
        if self.tags.is_empty() {
            return Ok(());
        }
        // Usually every tag is carried by one of the first cards: stop there rather than list
        // the tags of 100,000 cards, which only the error needs.
        let mut unseen: Vec<&String> = self.tags.iter().collect();
        let cards = collection
            .decks
            .iter()
            .filter(|d| self.includes_deck(&d.deck))
            .flat_map(|d| &d.deck.cards);
        for card in cards {
            let carried = card.common().tags;
            unseen.retain(|tag| !carried.iter().any(|known| known.eq_ignore_ascii_case(tag)));
            if unseen.is_empty() {
                return Ok(());
            }
        }
        let tags: std::collections::BTreeSet<&String> = collection
            .decks
            .iter()
            .filter(|d| self.includes_deck(&d.deck))
            .flat_map(|d| &d.deck.cards)
            .flat_map(|card| card.common().tags)
            .collect();
        if let Some(tag) = self
            .tags
            .iter()
            .find(|t| !tags.iter().any(|known| known.eq_ignore_ascii_case(t)))
        {
            return Err(Error::UnknownTag {
                tag: tag.to_lowercase(),
                known: tags.into_iter().cloned().collect(),
            });
        }
        Ok(())
    }

    /// Serialises both lists even when empty (for JSON reports, whose layout does not change
    /// with the values): `#[serde(serialize_with = "Scope::serialize_in_full")]`.
    pub fn serialize_in_full<S: serde::Serializer>(
        scope: &Scope,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut fields = serializer.serialize_struct("Scope", 2)?;
        fields.serialize_field("decks", &scope.decks)?;
        fields.serialize_field("tags", &scope.tags)?;
        fields.end()
    }

    /// How the scope reads in a report: "all decks", or the decks and tags it names.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.decks.is_empty() {
            parts.push(format!("decks {}", self.decks.join(", ")));
        }
        if !self.tags.is_empty() {
            parts.push(format!("tags {}", self.tags.join(", ")));
        }
        if parts.is_empty() {
            "all decks".into()
        } else {
            parts.join("; ")
        }
    }
}

/// How a command-line `--deck VALUE` names a deck.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeckRef {
    /// A deck file, studied without installing it.
    File(PathBuf),
    /// The id of a bundled or installed deck.
    Id(String),
}

impl DeckRef {
    /// A value naming something that exists, or ending in `.ron`, is a file; anything else is
    /// an id (so a missing `my-deck.ron` is reported as a missing file, not as an unknown id).
    /// A folder, a FIFO or a device counts as a file, to be refused as one when read.
    pub fn parse(value: &str) -> DeckRef {
        let path = Path::new(value);
        let names_a_file = fs::metadata(path).is_ok();
        if names_a_file || path.extension().is_some_and(|e| e == "ron") {
            DeckRef::File(path.to_owned())
        } else {
            DeckRef::Id(value.to_owned())
        }
    }
}

/// The cards a command works on: the named decks (all decks when none is named) and, with
/// tags, only their cards carrying one of them. Deck files are loaded alone when no id is
/// named; with ids, beside the bundled and installed decks (a file replacing the deck of the
/// same id). Returns the decks loaded (every item: an exam plan counts beyond this session's
/// scope) and the scope; `collection.scoped(&scope)` has this session's items.
pub fn select(
    data_dir: &Path,
    decks: &[DeckRef],
    tags: &[String],
) -> Result<(Collection, Scope), Error> {
    // A study session is the one command that writes compiled copies of decks.
    let writes = cache::Writes::Allowed;
    let files = gather(decks.iter().filter_map(|d| match d {
        DeckRef::File(path) => Some(load_cached(
            path,
            Origin::File(path.to_owned()),
            data_dir,
            writes,
            DeckText::WhenShown,
        )),
        DeckRef::Id(_) => None,
    }))?;
    let ids: Vec<&String> = decks
        .iter()
        .filter_map(|d| match d {
            DeckRef::Id(id) => Some(id),
            DeckRef::File(_) => None,
        })
        .collect();
    let (loaded, skipped) = if ids.is_empty() && !files.is_empty() {
        (files, Vec::new())
    } else {
        // The bundled decks load beside the installed ones, not before them.
        let (standard, installed) = rayon::join(
            || bundled_with(data_dir, writes, DeckText::WhenShown),
            || installed_with(data_dir, writes, DeckText::WhenShown),
        );
        let (mut standard, (installed, skipped)) = (standard?, installed?);
        standard.extend(installed);
        standard.retain(|d| !files.iter().any(|f| f.deck.id == d.deck.id));
        standard.extend(files);
        (standard, skipped)
    };
    let mut collection = Collection::new(loaded)?;
    collection.skipped = skipped;
    let scope = Scope {
        decks: if decks.is_empty() {
            Vec::new()
        } else {
            let mut named: Vec<String> = ids.into_iter().cloned().collect();
            for loaded in &collection.decks {
                if matches!(loaded.origin, Origin::File(_)) && !named.contains(&loaded.deck.id) {
                    named.push(loaded.deck.id.clone());
                }
            }
            named
        },
        tags: tags.to_vec(),
    };
    scope.check(&collection)?;
    Ok((collection, scope))
}

/// The decks of one study session, and their items in deck order.
#[derive(Clone, Debug)]
pub struct Collection {
    decks: Vec<LoadedDeck>,
    items: Vec<Item>,
    /// Installed decks left out because they do not load.
    skipped: Vec<Skipped>,
}

/// An installed deck left out because it does not load (a hand edit with a typo, say): one
/// broken file must not stop the other decks, bundled ones included, from being studied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    /// What is wrong, in one line (`knead check PATH` shows every problem, located).
    pub problem: String,
}

impl Skipped {
    fn new(path: PathBuf, error: &Error) -> Skipped {
        let problem = match error {
            Error::Deck(errors) => {
                let count: usize = errors.diagnostics.iter().map(|d| d.count()).sum();
                let first = errors
                    .diagnostics
                    .first()
                    .map_or_else(String::new, |d| format!(": {}", d.message));
                format!("{}{first}", crate::text::count(count, "problem"))
            }
            other => other.to_string(),
        };
        Skipped { path, problem }
    }

    /// The name `knead remove` takes for it: the file's name without `.ron` (`knead add`
    /// names an installed deck after its id).
    pub fn id(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    }
}

impl Collection {
    /// Fails if two decks share an id (their progress would mix).
    pub fn new(decks: Vec<LoadedDeck>) -> Result<Collection, Error> {
        let mut seen: HashMap<&str, &LoadedDeck> = HashMap::new();
        for loaded in &decks {
            if let Some(first) = seen.insert(&loaded.deck.id, loaded) {
                return Err(Error::DuplicateDeck {
                    id: loaded.deck.id.clone(),
                    first: first.origin.display(),
                    second: loaded.origin.display(),
                    help: duplicate_help(first, loaded),
                });
            }
        }
        let cards = decks.iter().map(|d| d.deck.cards.len()).sum();
        let mut items = Vec::with_capacity(cards);
        for (deck_index, loaded) in decks.iter().enumerate() {
            for (card_index, card) in loaded.deck.cards.iter().enumerate() {
                // A retired card is withdrawn from study; its history stays in the log.
                if card.common().retired.is_some() {
                    continue;
                }
                for part in 0..card.item_count() {
                    items.push(Item {
                        deck: deck_index,
                        card: card_index,
                        part,
                        key: item_key(&loaded.deck.id, card, part),
                    });
                }
            }
        }
        Ok(Collection {
            decks,
            items,
            skipped: Vec::new(),
        })
    }

    /// The bundled decks and those installed in `data_dir` (leaving out, in
    /// [`Collection::skipped`], installed decks that do not load).
    pub fn standard(data_dir: &Path) -> Result<Collection, Error> {
        Collection::standard_with(data_dir, DeckText::Kept)
    }

    /// [`Collection::standard`] with every card's text left out ([`Deck::without_text`]), for
    /// a report that counts and places cards but never shows one: at 100,000 cards it is a
    /// third less memory. Its cards have the same ids, tags, flags and items.
    pub fn standard_without_text(data_dir: &Path) -> Result<Collection, Error> {
        Collection::standard_with(data_dir, DeckText::LeftOut)
    }

    /// [`Collection::standard_without_text`] for a report on one card: a deck loaded from its
    /// compiled copy keeps that copy, from which [`Collection::with_text_of`] takes the text.
    pub fn standard_text_on_demand(data_dir: &Path) -> Result<Collection, Error> {
        Collection::standard_with(data_dir, DeckText::OnDemand)
    }

    /// The card `card_id` of the deck `deck_id` with its text, in a collection loaded without
    /// it ([`Collection::standard_text_on_demand`]): a report on one card shows that card and
    /// needs no other's text. The text comes from the deck's compiled copy when it was loaded
    /// from one (that card alone is decoded); otherwise the deck is loaded again with every
    /// card's text, and a deck file that changed in between (its cards no longer the same) is
    /// an error: the command is run again.
    pub fn with_text_of(
        mut self,
        deck_id: &str,
        card_id: &str,
        data_dir: &Path,
    ) -> Result<Collection, Error> {
        let Some(loaded) = self.decks.iter_mut().find(|d| d.deck.id == deck_id) else {
            return Ok(self);
        };
        if let Texts::Compiled(texts) = &loaded.texts {
            let cards = &mut loaded.deck.cards;
            if let Some(index) = cards.iter().position(|card| card.id() == card_id) {
                cards[index] = texts.card(index);
            }
            return Ok(self);
        }
        let deck = match &loaded.origin {
            Origin::Bundled(_) => bundled()?
                .into_iter()
                .find(|bundled| bundled.origin == loaded.origin)
                .map(|bundled| bundled.deck),
            Origin::Installed(path) | Origin::File(path) => {
                let (writes, text) = (cache::Writes::Never, DeckText::Kept);
                Some(load_cached(path, loaded.origin.clone(), data_dir, writes, text)?.deck)
            }
        };
        let Some(deck) = deck.filter(|deck| deck.clone().without_text() == loaded.deck) else {
            return Err(Error::Io {
                action: "read",
                path: PathBuf::from(loaded.origin.display()),
                source: io::Error::other(
                    "the deck changed while it was read; run the command again",
                ),
            });
        };
        loaded.deck = deck;
        loaded.texts = Texts::InCards;
        Ok(self)
    }

    fn standard_with(data_dir: &Path, text: DeckText) -> Result<Collection, Error> {
        let mut decks = bundled_with(data_dir, cache::Writes::Never, text)?;
        let (installed, skipped) = installed_with(data_dir, cache::Writes::Never, text)?;
        decks.extend(installed);
        let mut collection = Collection::new(decks)?;
        collection.skipped = skipped;
        Ok(collection)
    }

    /// Installed decks left out because they do not load.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    pub fn decks(&self) -> &[LoadedDeck] {
        &self.decks
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The item's card, which may lack its text: a session's decks keep it in their compiled
    /// copies until a card is shown ([`Collection::card_with_text`]), and a report's leave it
    /// out ([`Collection::standard_without_text`]).
    pub fn card(&self, item: &Item) -> &Card {
        &self.decks[item.deck].deck.cards[item.card]
    }

    /// The item's card with its text, to be shown: decoded from its deck's compiled copy when
    /// the deck was loaded from one (microseconds), otherwise the card as loaded. A report's
    /// deck whose text was left out has none: see [`Collection::with_text_of`].
    pub fn card_with_text(&self, item: &Item) -> std::borrow::Cow<'_, Card> {
        let loaded = &self.decks[item.deck];
        match &loaded.texts {
            Texts::Compiled(texts) => std::borrow::Cow::Owned(texts.card(item.card)),
            Texts::InCards | Texts::LeftOut => {
                std::borrow::Cow::Borrowed(&loaded.deck.cards[item.card])
            }
        }
    }

    pub fn deck_of(&self, item: &Item) -> &Deck {
        &self.decks[item.deck].deck
    }

    /// The same decks with only the items in `scope`.
    pub fn scoped(mut self, scope: &Scope) -> Collection {
        let decks = &self.decks;
        self.items.retain(|item| {
            let deck = &decks[item.deck].deck;
            scope.includes(deck, &deck.cards[item.card])
        });
        self
    }
}

/// What to do about two decks with one id, so that the progress kept under that id stays
/// with the deck: never "change an id", which would leave the progress behind.
fn duplicate_help(first: &LoadedDeck, second: &LoadedDeck) -> String {
    let id = &first.deck.id;
    let keep_progress = format!(
        "progress is kept per deck id, so it stays with `{id}` whichever copy remains (do not change an `id:`: the deck would lose its progress)"
    );
    match (&first.origin, &second.origin) {
        (Origin::Installed(a), Origin::Installed(b)) => {
            // `knead add` names an installed deck after its id; otherwise keep the newer one.
            let canonical = format!("{id}.ron");
            let named = |path: &Path| path.file_name().is_some_and(|n| n == canonical.as_str());
            let (keep, remove) = if named(b) && !named(a) {
                (b, a)
            } else if named(a) && !named(b) {
                (a, b)
            } else if second.deck.version > first.deck.version {
                (b, a)
            } else {
                (a, b)
            };
            format!(
                "remove {} and keep {}; {keep_progress}",
                remove.display(),
                keep.display()
            )
        }
        (Origin::Bundled(_), Origin::Installed(copy))
        | (Origin::Installed(copy), Origin::Bundled(_)) => format!(
            "remove the installed copy {}: the bundled deck `{id}` updates with knead itself; {keep_progress}",
            copy.display()
        ),
        _ => format!(
            "name only one of them: both are the deck `{id}`, and a deck file given with --deck stands in for the installed deck of its id; {keep_progress}"
        ),
    }
}

/// Collects loaded decks, reporting the problems of all of them together (an instructor fixes
/// every file in one pass rather than one error per run).
fn gather(
    results: impl Iterator<Item = Result<LoadedDeck, Error>>,
) -> Result<Vec<LoadedDeck>, Error> {
    let mut decks = Vec::new();
    let mut diagnostics = Vec::new();
    for result in results {
        match result {
            Ok(deck) => decks.push(deck),
            Err(Error::Deck(errors)) => diagnostics.extend(errors.diagnostics),
            Err(other) => return Err(other),
        }
    }
    if diagnostics.is_empty() {
        Ok(decks)
    } else {
        Err(Error::Deck(DeckErrors { diagnostics }))
    }
}

/// The decks compiled into knead, in file-name order.
pub fn bundled() -> Result<Vec<LoadedDeck>, Error> {
    gather(bundled_files().map(|(name, text)| {
        let deck = deck::parse(text, &format!("decks/{name}")).map_err(Error::Deck)?;
        Ok(LoadedDeck::new(deck, Origin::Bundled(name)))
    }))
}

/// The bundled deck files: each one's name within `decks/` and its text, in name order.
fn bundled_files() -> impl Iterator<Item = (String, &'static str)> {
    let mut files: Vec<_> = BUNDLED
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort_by_key(|f| f.path());
    files.into_iter().map(|file| {
        let name = file.path().display().to_string();
        (name, file.contents_utf8().unwrap_or(""))
    })
}

/// [`bundled`], from the decks' compiled copies in `data_dir`'s cache when they were made
/// from these bytes (a study session writes them), with as much text as `text` asks for.
///
/// Parsing and checking the bundled decks' 450 KB of RON at each start was a fifth of the
/// processor time of a session at 10,000 cards, and most of the start of a student who
/// studies only the bundled decks. A bundled deck has no file, so its entry is proved by its
/// bytes (a hash of about 100 KB); it is named by a path no file can have (it holds a NUL),
/// so no file's stamp is ever taken for it.
fn bundled_with(
    data_dir: &Path,
    writes: cache::Writes,
    text: DeckText,
) -> Result<Vec<LoadedDeck>, Error> {
    gather(bundled_files().map(|(name, source)| {
        let shown = format!("decks/{name}");
        let path = PathBuf::from(format!("\0bundled/{name}"));
        let read = || Ok(source.as_bytes().to_vec());
        let parse = |_: &[u8]| deck::parse(source, &shown).map_err(Error::Deck);
        let (deck, texts) = cache::load_deck(data_dir, &path, writes, text, read, parse)?;
        Ok(LoadedDeck {
            deck,
            origin: Origin::Bundled(name),
            texts,
        })
    }))
}

/// The decks installed in `data_dir` that load, in file-name order.
pub fn installed(data_dir: &Path) -> Result<Vec<LoadedDeck>, Error> {
    Ok(installed_with(data_dir, cache::Writes::Never, DeckText::Kept)?.0)
}

/// The installed decks that load, and those that do not; only failing to list the folder
/// fails.
fn installed_with(
    data_dir: &Path,
    writes: cache::Writes,
    text: DeckText,
) -> Result<(Vec<LoadedDeck>, Vec<Skipped>), Error> {
    let dir = data_dir.join(INSTALLED_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => {
            return Err(Error::Io {
                action: "list",
                path: dir,
                source: e,
            });
        }
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.context("list", &dir)?.path();
        if path.extension().is_some_and(|e| e == "ron") {
            paths.push(path);
        }
    }
    paths.sort();
    let loaded = in_parallel(&paths, |path| {
        load_cached(
            path,
            Origin::Installed(path.clone()),
            data_dir,
            writes,
            text,
        )
    });
    let mut decks = Vec::new();
    let mut skipped = Vec::new();
    for (path, result) in paths.into_iter().zip(loaded) {
        match result {
            Ok(deck) => decks.push(deck),
            Err(error) => skipped.push(Skipped::new(path, &error)),
        }
    }
    Ok((decks, skipped))
}

/// `load` of every path, in order, on rayon's threads (one per core). Reading a deck's
/// compiled copy back is most of the time to the first card in a large collection, and one
/// deck does not depend on another: ten 10,000-card decks take half the time on two cores.
/// rayon's work stealing keeps a large deck from holding up the small ones behind it.
fn in_parallel<T: Send>(paths: &[PathBuf], load: impl Fn(&PathBuf) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    paths.par_iter().map(load).collect()
}

/// One deck file, as it is (read-only commands: the compiled cache is read, never written).
pub fn load_file(path: &Path, data_dir: &Path) -> Result<LoadedDeck, Error> {
    load_cached(
        path,
        Origin::File(path.to_owned()),
        data_dir,
        cache::Writes::Never,
        DeckText::Kept,
    )
}

/// A deck file, from the compiled cache (see [`crate::cache`]) when the file is unchanged
/// since it last passed every check.
fn load_cached(
    path: &Path,
    origin: Origin,
    data_dir: &Path,
    writes: cache::Writes,
    text: DeckText,
) -> Result<LoadedDeck, Error> {
    let read = || files::read_regular(path);
    let (deck, texts) = cache::load_deck(data_dir, path, writes, text, read, |bytes| {
        parse(path, bytes)
    })?;
    Ok(LoadedDeck {
        deck,
        origin,
        texts,
    })
}

/// The deck in the bytes of the deck file at `path`, every rule checked.
fn parse(path: &Path, bytes: &[u8]) -> Result<Deck, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Io {
        action: "read (it is not UTF-8 text)",
        path: path.to_owned(),
        source: io::Error::new(io::ErrorKind::InvalidData, e),
    })?;
    deck::parse(text, &path.display().to_string()).map_err(Error::Deck)
}

/// The deck a command names: a deck file (a path that exists, or any name ending in `.ron`),
/// otherwise the id of a bundled or installed deck.
pub fn find_deck(name: &str, data_dir: &Path) -> Result<LoadedDeck, Error> {
    let id = match DeckRef::parse(name) {
        DeckRef::File(path) => return load_file(&path, data_dir),
        DeckRef::Id(id) => id,
    };
    let collection = Collection::standard(data_dir)?;
    if let Some(broken) = collection.skipped.iter().find(|s| s.id() == id)
        && !collection.decks.iter().any(|d| d.deck.id == id)
    {
        // Its own problems, located, rather than "no deck by that name".
        return load_file(&broken.path, data_dir);
    }
    let known = collection.decks.iter().map(|d| d.deck.id.clone()).collect();
    collection
        .decks
        .into_iter()
        .find(|d| d.deck.id == id)
        .ok_or(Error::UnknownDeck { name: id, known })
}

/// What `knead add` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Installed {
    Added {
        id: String,
        path: PathBuf,
    },
    Updated {
        id: String,
        path: PathBuf,
        from_version: u32,
        to_version: u32,
    },
}

/// Checks the deck at `path` and installs it into `data_dir` (replacing an installed deck
/// with the same id; progress is kept, being keyed by deck and card ids).
///
/// Holds the data directory's lock (every writer there does, so the lock holder may remove
/// the temporary files of killed saves), and replaces a deck by renames only, so a kill at
/// any moment leaves exactly one installed file with the deck's id.
pub fn install(data_dir: &Path, path: &Path) -> Result<Installed, Error> {
    install_with(data_dir, path, &mut |_| {})
}

/// [`install`], calling `step` after each change to the data directory (each a point where a
/// kill could land).
fn install_with(
    data_dir: &Path,
    path: &Path,
    step: &mut dyn FnMut(&str),
) -> Result<Installed, Error> {
    let text = String::from_utf8(files::read_regular(path)?).map_err(|e| Error::Io {
        action: "read (it is not UTF-8 text)",
        path: path.to_owned(),
        source: io::Error::new(io::ErrorKind::InvalidData, e),
    })?;
    let deck = deck::parse(&text, &path.display().to_string()).map_err(Error::Deck)?;
    if bundled()?.iter().any(|b| b.deck.id == deck.id) {
        return Err(Error::BundledDeckId { id: deck.id });
    }
    fs::create_dir_all(data_dir).context("create the data directory", data_dir)?;
    // As holder of the lock, `lock` also clears what killed saves (an earlier `add`, say) left.
    let _lock = crate::store::lock(data_dir)?;
    let dir = data_dir.join(INSTALLED_DIR);
    let target = dir.join(format!("{}.ron", deck.id));
    let (installed_decks, broken) = installed_with(data_dir, cache::Writes::Never, DeckText::Kept)?;
    let previous: Vec<LoadedDeck> = installed_decks
        .into_iter()
        .filter(|d| d.deck.id == deck.id)
        .collect();
    let previous_paths: Vec<&PathBuf> = previous
        .iter()
        .filter_map(|d| match &d.origin {
            Origin::Installed(path) => Some(path),
            _ => None,
        })
        .collect();
    // The file named after the id, unless another deck (hand-renamed) has that name; a file
    // of that name that does not load is this deck, broken, and is replaced.
    let target_free = !target.exists()
        || previous_paths.contains(&&target)
        || broken.iter().any(|b| b.path == target);
    let first = previous_paths
        .iter()
        .find(|p| ***p == target)
        .or(previous_paths.first())
        .map(|p| (*p).clone());
    // 1. The new text replaces an installed copy in one rename (or is added as a new file).
    let written = match &first {
        Some(old) => old.clone(),
        None if target_free => target.clone(),
        None => free_name(&dir, &deck.id),
    };
    write_atomically(&written, text.as_bytes())?;
    step("written");
    // 2. Under another name, it moves to the id's name in one more rename.
    let moved = written != target && target_free;
    let installed_path = if moved {
        fs::rename(&written, &target).context("rename", &written)?;
        crate::files::sync_dir(&dir)?;
        step("renamed");
        target
    } else {
        written.clone()
    };
    // 3. Copies left by an older knead under other names now duplicate the id.
    for extra in previous_paths
        .iter()
        .filter(|p| ***p != installed_path && !(moved && ***p == written))
    {
        fs::remove_file(extra).context("remove the older copy", extra)?;
        step("removed");
    }
    Ok(match previous.into_iter().next() {
        Some(old) => Installed::Updated {
            id: deck.id,
            path: installed_path,
            from_version: old.deck.version,
            to_version: deck.version,
        },
        None => Installed::Added {
            id: deck.id,
            path: installed_path,
        },
    })
}

/// What `knead remove` did: the files removed, and the deck's version when it loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removed {
    pub id: String,
    pub paths: Vec<PathBuf>,
    /// `None` when the deck did not load (it was removed as broken).
    pub version: Option<u32>,
}

/// Uninstalls the deck `id` from `data_dir`: every installed file holding it, and a file named
/// after it that does not load. Progress is never touched: it is kept per deck and card id, so
/// the cards' history returns if the deck is added again. Bundled decks cannot be removed.
pub fn uninstall(data_dir: &Path, id: &str) -> Result<Removed, Error> {
    let bundled = bundled()?;
    if bundled.iter().any(|b| b.deck.id == id) {
        return Err(Error::BundledDeckRemoval { id: id.to_owned() });
    }
    let (decks, broken) = installed_with(data_dir, cache::Writes::Never, DeckText::Kept)?;
    let mut paths = Vec::new();
    let mut version = None;
    for loaded in &decks {
        if let (true, Origin::Installed(path)) = (loaded.deck.id == id, &loaded.origin) {
            paths.push(path.clone());
            version = version.max(Some(loaded.deck.version));
        }
    }
    paths.extend(
        broken
            .iter()
            .filter(|b| b.id() == id)
            .map(|b| b.path.clone()),
    );
    if paths.is_empty() {
        let mut known: Vec<String> = decks.into_iter().map(|d| d.deck.id).collect();
        known.extend(broken.iter().map(Skipped::id));
        return Err(Error::UnknownDeck {
            name: id.to_owned(),
            known,
        });
    }
    // Every writer in the data directory holds its lock.
    let _lock = crate::store::lock(data_dir)?;
    for path in &paths {
        fs::remove_file(path).context("remove", path)?;
    }
    crate::files::sync_dir(&data_dir.join(INSTALLED_DIR))?;
    Ok(Removed {
        id: id.to_owned(),
        paths,
        version,
    })
}

/// `<id>-2.ron`, `<id>-3.ron`, ...: the first name in `dir` not taken.
fn free_name(dir: &Path, id: &str) -> PathBuf {
    (2..)
        .map(|n| dir.join(format!("{id}-{n}.ron")))
        .find(|path| !path.exists())
        .expect("some name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloze_deletions_become_separate_items() {
        let deck = deck::parse(
            r#"Deck(id: "d", title: "D", cards: [
                Cloze(id: "c", text: "{{a}} and {{b}}"),
                Basic(id: "b", front: "f", back: "b"),
            ])"#,
            "d.ron",
        )
        .unwrap();
        let collection =
            Collection::new(vec![LoadedDeck::new(deck, Origin::File("d.ron".into()))]).unwrap();
        let keys: Vec<_> = collection.items().iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["d/c#1", "d/c#2", "d/b"]);
    }

    #[test]
    fn a_scope_keeps_the_items_of_its_decks_that_carry_its_tags() {
        let load = |text: &str| {
            LoadedDeck::new(
                deck::parse(text, "d.ron").unwrap(),
                Origin::File("d.ron".into()),
            )
        };
        let collection = Collection::new(vec![
            load(
                r#"Deck(id: "a", title: "A", cards: [
                    Basic(id: "lupus", front: "f", back: "b", tags: ["lupus"]),
                    Cloze(id: "ra", text: "{{x}} {{y}}", tags: ["ra", "joints"]),
                ])"#,
            ),
            load(r#"Deck(id: "b", title: "B", cards: [Basic(id: "lupus", front: "f", back: "b", tags: ["lupus"])])"#),
        ])
        .unwrap();
        let keys = |scope: Scope| {
            let scoped = collection.clone().scoped(&scope);
            scoped
                .items()
                .iter()
                .map(|i| i.key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(Scope::default()).len(), 4);
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            keys(Scope {
                decks: vec![],
                tags: tags(&["lupus"])
            }),
            ["a/lupus", "b/lupus"]
        );
        assert_eq!(
            keys(Scope {
                decks: tags(&["a"]),
                tags: tags(&["joints", "lupus"])
            }),
            ["a/lupus", "a/ra#1", "a/ra#2"]
        );
    }

    /// The card `id` of the last deck (the installed one in these tests).
    fn card_of<'c>(collection: &'c Collection, id: &str) -> &'c Card {
        let deck = &collection.decks().last().unwrap().deck;
        deck.cards.iter().find(|card| card.id() == id).unwrap()
    }

    #[test]
    fn a_collection_without_text_has_the_same_items_and_gets_one_card_s_text_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.ron");
        let text = r#"Deck(id: "d", title: "D", cards: [
                Basic(id: "a", front: "f", back: "b", why: "w", source: "s", tags: ["lupus"], critical: true),
                Cloze(id: "c", text: "{{x}} and {{y}}", source: "s"),
            ])"#;
        fs::write(&file, text).unwrap();
        install(dir.path(), &file).unwrap();
        for _ in 0..2 {
            // Parsed from the file, then (once a session compiled it) from the cache.
            let full = Collection::standard(dir.path()).unwrap();
            for bare in [
                Collection::standard_without_text(dir.path()).unwrap(),
                Collection::standard_text_on_demand(dir.path()).unwrap(),
            ] {
                assert_eq!(bare.items(), full.items());
                for (bare, full) in bare.decks().iter().zip(full.decks()) {
                    assert_eq!(bare.deck, full.deck.clone().without_text());
                }
            }
            for card in ["a", "c"] {
                let bare = Collection::standard_text_on_demand(dir.path()).unwrap();
                let bare = bare.with_text_of("d", card, dir.path()).unwrap();
                assert_eq!(card_of(&bare, card), card_of(&full, card));
            }
            let bare = Collection::standard_text_on_demand(dir.path()).unwrap();
            let bare = bare.with_text_of("d", "a", dir.path()).unwrap();
            assert_ne!(
                bare.decks()[0].deck,
                full.decks()[0].deck,
                "other decks keep no text"
            );
            installed_with(dir.path(), cache::Writes::Allowed, DeckText::WhenShown).unwrap();
        }
        // A deck file edited between the two loads is not mixed with what was loaded before:
        // the text comes from the compiled copy the deck was loaded from...
        let full = Collection::standard(dir.path()).unwrap();
        let bare = Collection::standard_text_on_demand(dir.path()).unwrap();
        let installed = dir.path().join(INSTALLED_DIR).join("d.ron");
        let edited = text.replace("id: \"a\"", "id: \"a2\"");
        fs::write(&installed, &edited).unwrap();
        let bare = bare.with_text_of("d", "a", dir.path()).unwrap();
        assert_eq!(card_of(&bare, "a"), card_of(&full, "a"));
        // ...and without one, the deck is read again and the change is an error.
        fs::write(&installed, text).unwrap();
        fs::remove_dir_all(cache::dir(dir.path())).unwrap();
        let bare = Collection::standard_text_on_demand(dir.path()).unwrap();
        fs::write(&installed, &edited).unwrap();
        let error = bare.with_text_of("d", "a", dir.path()).unwrap_err();
        assert!(
            error.to_string().contains("changed while it was read"),
            "{error}"
        );
    }

    #[test]
    fn a_session_s_decks_keep_their_text_in_the_compiled_copy_until_a_card_is_shown() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.ron");
        fs::write(
            &file,
            r#"Deck(id: "d", title: "D", cards: [
                Basic(id: "a", front: "front a", back: "back a", why: "why a", source: "s"),
                Choice(id: "c", prompt: "p", options: ["x", "y"], answer: 1),
                Cloze(id: "z", text: "{{x}} and {{y}}"),
            ])"#,
        )
        .unwrap();
        let refs = [DeckRef::File(file)];
        // Parsed from the file (the session compiles it), then from the compiled copy.
        let (parsed, _) = select(dir.path(), &refs, &[]).unwrap();
        assert!(matches!(parsed.decks()[0].texts, Texts::InCards));
        let (compiled, _) = select(dir.path(), &refs, &[]).unwrap();
        assert!(matches!(compiled.decks()[0].texts, Texts::Compiled(_)));
        assert_eq!(compiled.items(), parsed.items());
        assert_eq!(compiled.items().len(), 4);
        for item in compiled.items() {
            let card = parsed.card(item);
            assert_eq!(compiled.card(item), &card.clone().without_text());
            assert_eq!(&*compiled.card_with_text(item), card);
            assert_eq!(&*parsed.card_with_text(item), card);
        }
    }

    #[test]
    fn bundled_decks_come_from_their_compiled_copies_once_a_session_made_them() {
        let dir = tempfile::tempdir().unwrap();
        let parsed = bundled().unwrap();
        // The first session parses them and writes their copies; the next reads the copies.
        let (first, _) = select(dir.path(), &[], &[]).unwrap();
        assert!(
            first
                .decks()
                .iter()
                .all(|d| matches!(d.texts, Texts::InCards))
        );
        let (compiled, _) = select(dir.path(), &[], &[]).unwrap();
        assert_eq!(compiled.decks().len(), parsed.len());
        assert_eq!(compiled.items(), first.items());
        for (loaded, parsed) in compiled.decks().iter().zip(&parsed) {
            assert!(
                matches!(loaded.texts, Texts::Compiled(_)),
                "{:?}",
                loaded.origin
            );
            assert_eq!(loaded.origin, parsed.origin);
            assert_eq!(loaded.deck, parsed.deck.clone().without_text());
        }
        for item in compiled.items() {
            assert_eq!(&*compiled.card_with_text(item), first.card(item));
        }
        // A damaged copy is not used: the deck is parsed again, and the copy made anew.
        let cache = cache::dir(dir.path());
        for entry in fs::read_dir(&cache).unwrap() {
            let path = entry.unwrap().path();
            let mut bytes = fs::read(&path).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x20;
            fs::write(&path, bytes).unwrap();
        }
        let (again, _) = select(dir.path(), &[], &[]).unwrap();
        assert!(
            again
                .decks()
                .iter()
                .all(|d| matches!(d.texts, Texts::InCards))
        );
        assert_eq!(again.items(), first.items());
        let (remade, _) = select(dir.path(), &[], &[]).unwrap();
        assert!(
            remade
                .decks()
                .iter()
                .all(|d| matches!(d.texts, Texts::Compiled(_)))
        );
    }

    #[test]
    fn deck_values_naming_files_or_ending_in_ron_are_files() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("lupus");
        fs::write(&existing, "").unwrap();
        let value = existing.display().to_string();
        assert_eq!(DeckRef::parse(&value), DeckRef::File(existing));
        assert_eq!(
            DeckRef::parse("missing.ron"),
            DeckRef::File("missing.ron".into())
        );
        assert_eq!(DeckRef::parse("lupus"), DeckRef::Id("lupus".into()));
    }

    #[test]
    fn selecting_by_id_and_file_scopes_to_those_decks_and_checks_names() {
        let dir = tempfile::tempdir().unwrap();
        let bundled = bundled().unwrap();
        let first = bundled[0].deck.id.clone();
        let file = dir.path().join("d.ron");
        fs::write(
            &file,
            r#"Deck(id: "d", title: "D", cards: [
                Basic(id: "a", front: "f", back: "b", tags: ["lupus"]),
                Basic(id: "b", front: "f", back: "b", tags: ["joints"]),
            ])"#,
        )
        .unwrap();
        let refs = [DeckRef::Id(first.clone()), DeckRef::File(file.clone())];
        let (collection, scope) = select(dir.path(), &refs, &[]).unwrap();
        assert_eq!(scope.decks, [first.clone(), "d".to_owned()]);
        let collection = collection.scoped(&scope);
        let expected = bundled[0]
            .deck
            .cards
            .iter()
            .filter(|card| card.common().retired.is_none())
            .map(Card::item_count)
            .sum::<usize>()
            + 2;
        assert_eq!(collection.items().len(), expected);

        let (alone, scope) = select(
            dir.path(),
            &[DeckRef::File(file.clone())],
            &["joints".into()],
        )
        .unwrap();
        assert_eq!(alone.decks().len(), 1, "a file alone is loaded alone");
        assert_eq!(scope.tags, ["joints"]);
        let alone = alone.scoped(&scope);
        let keys: Vec<_> = alone.items().iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["d/b"]);

        let misspelt = format!("{}x", &first[..first.len() - 1]);
        let error = select(dir.path(), &[DeckRef::Id(misspelt)], &[]).unwrap_err();
        assert!(matches!(error, Error::UnknownDeck { .. }), "{error:?}");
        assert!(
            error
                .help()
                .unwrap()
                .starts_with(&format!("did you mean `{first}`?")),
            "{:?}",
            error.help()
        );
        let error = select(dir.path(), &[DeckRef::File(file)], &["lupsu".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no card in the chosen decks has the tag `lupsu`"
        );
        assert_eq!(
            error.help().unwrap(),
            "did you mean `lupus`? (`knead show DECK` shows each card's tags)"
        );
    }

    #[test]
    fn an_edited_deck_is_checked_again_despite_its_cached_copy() {
        let dir = tempfile::tempdir().unwrap();
        let deck_path = dir.path().join("d.ron");
        let good = r#"Deck(id: "d", title: "D", cards: [Basic(id: "b", front: "f", back: "b")])"#;
        fs::write(&deck_path, good).unwrap();
        let load = |writes| {
            load_cached(
                &deck_path,
                Origin::File(deck_path.clone()),
                dir.path(),
                writes,
                DeckText::Kept,
            )
        };
        assert_eq!(load(cache::Writes::Allowed).unwrap().deck.title, "D");
        assert_eq!(fs::read_dir(cache::dir(dir.path())).unwrap().count(), 1);
        // An edit keeping the length is parsed and checked again.
        fs::write(&deck_path, good.replace("\"b\", front", "\"B\", front")).unwrap();
        let error = load(cache::Writes::Allowed).unwrap_err();
        assert!(
            matches!(error, Error::Deck(ref e) if e.diagnostics[0].code == "K010"),
            "{error:?}"
        );
    }

    fn deck_text(id: &str, version: u32) -> String {
        format!(
            r#"Deck(id: "{id}", title: "T", version: {version}, cards: [Basic(id: "b", front: "f", back: "b")])"#
        )
    }

    /// The installed files holding deck `id`, and their versions.
    fn copies(data: &Path, id: &str) -> Vec<(String, u32)> {
        installed(data)
            .unwrap()
            .into_iter()
            .filter(|d| d.deck.id == id)
            .map(|d| match d.origin {
                Origin::Installed(path) => (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    d.deck.version,
                ),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_kill_at_any_step_of_add_leaves_one_installed_deck_per_id() {
        // (files installed before, as name and deck id)
        let starts: [&[(&str, &str)]; 4] = [
            &[],
            &[("d.ron", "d")],
            &[("old-name.ron", "d")],
            // Left by a kill in an older knead, or copied by hand: two files, one id.
            &[("d.ron", "d"), ("old-name.ron", "d")],
        ];
        for start in starts {
            let dir = tempfile::tempdir().unwrap();
            let data = dir.path().join("data");
            fs::create_dir_all(data.join(INSTALLED_DIR)).unwrap();
            for (name, id) in start {
                fs::write(data.join(INSTALLED_DIR).join(name), deck_text(id, 1)).unwrap();
            }
            let new = dir.path().join("new.ron");
            fs::write(&new, deck_text("d", 2)).unwrap();
            let killed_save = data.join(INSTALLED_DIR).join(".tmpK1LLED");
            fs::write(&killed_save, deck_text("d", 9)).unwrap();
            let mut steps = Vec::new();
            let before = copies(&data, "d").len();
            install_with(&data, &new, &mut |step| {
                // Were knead killed here, the next command would find this.
                let found = copies(&data, "d");
                assert!(
                    found.len() <= before.max(1) && !found.is_empty(),
                    "{start:?} after {step}: {found:?}"
                );
                if before <= 1 {
                    assert_eq!(found.len(), 1, "{start:?} after {step}: {found:?}");
                }
                steps.push(step.to_owned());
            })
            .unwrap();
            assert_eq!(copies(&data, "d"), [("d.ron".to_owned(), 2)], "{start:?}");
            assert!(Collection::standard(&data).is_ok());
            let leftovers: Vec<_> = fs::read_dir(data.join(INSTALLED_DIR))
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        }
    }

    #[test]
    fn add_never_replaces_another_deck_that_has_the_ids_file_name() {
        let dir = tempfile::tempdir().unwrap();
        let installed_dir = dir.path().join(INSTALLED_DIR);
        fs::create_dir_all(&installed_dir).unwrap();
        fs::write(installed_dir.join("d.ron"), deck_text("other", 1)).unwrap();
        let new = dir.path().join("new.ron");
        fs::write(&new, deck_text("d", 1)).unwrap();
        install(dir.path(), &new).unwrap();
        assert_eq!(copies(dir.path(), "other"), [("d.ron".to_owned(), 1)]);
        assert_eq!(copies(dir.path(), "d"), [("d-2.ron".to_owned(), 1)]);
    }

    #[test]
    fn two_installed_files_with_one_id_are_told_apart_by_which_to_remove() {
        let dir = tempfile::tempdir().unwrap();
        let installed_dir = dir.path().join(INSTALLED_DIR);
        fs::create_dir_all(&installed_dir).unwrap();
        fs::write(installed_dir.join("d.ron"), deck_text("d", 1)).unwrap();
        fs::write(installed_dir.join("copy.ron"), deck_text("d", 3)).unwrap();
        let error = Collection::standard(dir.path()).unwrap_err();
        let help = error.help().unwrap();
        let copy = installed_dir.join("copy.ron").display().to_string();
        let kept = installed_dir.join("d.ron").display().to_string();
        assert!(
            help.starts_with(&format!(
                "remove {copy} and keep {kept}; progress is kept per deck id"
            )),
            "{help}"
        );
        assert!(help.contains("do not change an `id:`"), "{help}");
        // Neither named after the id: the newer version is kept.
        fs::rename(installed_dir.join("d.ron"), installed_dir.join("older.ron")).unwrap();
        let help = Collection::standard(dir.path())
            .unwrap_err()
            .help()
            .unwrap();
        assert!(
            help.starts_with(&format!(
                "remove {} and keep {copy}",
                installed_dir.join("older.ron").display()
            )),
            "{help}"
        );
    }
}
