//! The decks a learner studies: bundled with knead, installed into the data directory with
//! `knead add`, or a single file named with `--deck`; and the study items they make.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::{Deserialize, Serialize};

use crate::cache;
use crate::deck::{self, Card, Deck, DeckErrors};
use crate::error::{Error, IoContext};
use crate::store::write_atomically;

static BUNDLED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/decks");

/// The folder inside the data directory that holds installed decks.
pub const INSTALLED_DIR: &str = "decks";
/// The folder inside the data directory for compiled copies of decks and progress.
pub const CACHE_DIR: &str = "cache";

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
    match card {
        Card::Cloze(_) => format!("{deck_id}/{}#{}", card.id(), part + 1),
        _ => format!("{deck_id}/{}", card.id()),
    }
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
    pub fn includes(&self, deck: &Deck, card: &Card) -> bool {
        (self.decks.is_empty() || self.decks.contains(&deck.id))
            && (self.tags.is_empty() || card.common().tags.iter().any(|t| self.tags.contains(t)))
    }

    /// Fails on a deck id or a tag that nothing in `collection` has (a typo would otherwise
    /// select no cards without a word).
    pub fn check(&self, collection: &Collection) -> Result<(), Error> {
        let ids: Vec<&str> = collection
            .decks
            .iter()
            .map(|d| d.deck.id.as_str())
            .collect();
        if let Some(id) = self.decks.iter().find(|id| !ids.contains(&id.as_str())) {
            return Err(Error::UnknownDeck {
                id: id.clone(),
                known: ids.iter().map(|id| id.to_string()).collect(),
            });
        }
        let tags: std::collections::BTreeSet<&str> = collection
            .decks
            .iter()
            .flat_map(|d| &d.deck.cards)
            .flat_map(|card| card.common().tags)
            .map(String::as_str)
            .collect();
        if let Some(tag) = self.tags.iter().find(|t| !tags.contains(t.as_str())) {
            return Err(Error::UnknownTag {
                tag: tag.clone(),
                nearest: deck::nearest(tag, tags.iter().copied()).map(str::to_owned),
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

/// The decks of one study session, and their items in deck order.
#[derive(Clone, Debug)]
pub struct Collection {
    decks: Vec<LoadedDeck>,
    items: Vec<Item>,
}

impl Collection {
    /// Fails if two decks share an id (their progress would mix).
    pub fn new(decks: Vec<LoadedDeck>) -> Result<Collection, Error> {
        let mut seen: HashMap<&str, &Origin> = HashMap::new();
        for loaded in &decks {
            if let Some(first) = seen.insert(&loaded.deck.id, &loaded.origin) {
                return Err(Error::DuplicateDeck {
                    id: loaded.deck.id.clone(),
                    first: first.display(),
                    second: loaded.origin.display(),
                });
            }
        }
        let mut items = Vec::new();
        for (deck_index, loaded) in decks.iter().enumerate() {
            for (card_index, card) in loaded.deck.cards.iter().enumerate() {
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
        Ok(Collection { decks, items })
    }

    /// The bundled decks and those installed in `data_dir`.
    pub fn standard(data_dir: &Path) -> Result<Collection, Error> {
        let mut decks = bundled()?;
        decks.extend(installed(data_dir)?);
        Collection::new(decks)
    }

    pub fn decks(&self) -> &[LoadedDeck] {
        &self.decks
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn card(&self, item: &Item) -> &Card {
        &self.decks[item.deck].deck.cards[item.card]
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
    let mut files: Vec<_> = BUNDLED
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort_by_key(|f| f.path());
    gather(files.into_iter().map(|file| {
        let name = file.path().display().to_string();
        let text = file.contents_utf8().unwrap_or("");
        let deck = deck::parse(text, &format!("decks/{name}")).map_err(Error::Deck)?;
        Ok(LoadedDeck {
            deck,
            origin: Origin::Bundled(name),
        })
    }))
}

/// The decks installed in `data_dir`, in file-name order.
pub fn installed(data_dir: &Path) -> Result<Vec<LoadedDeck>, Error> {
    let dir = data_dir.join(INSTALLED_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
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
    gather(
        paths
            .into_iter()
            .map(|path| load_cached(&path, Origin::Installed(path.clone()), data_dir)),
    )
}

/// One deck file, studied without installing it.
pub fn load_file(path: &Path, data_dir: &Path) -> Result<LoadedDeck, Error> {
    load_cached(path, Origin::File(path.to_owned()), data_dir)
}

/// A deck file, from the compiled cache (see [`crate::cache`]) when the file is unchanged
/// since it last passed every check.
fn load_cached(path: &Path, origin: Origin, data_dir: &Path) -> Result<LoadedDeck, Error> {
    let bytes = fs::read(path).context("read", path)?;
    let cache_path = data_dir
        .join(CACHE_DIR)
        .join(cache::name_for(path, "deck.msgpack"));
    let deck = cache::load(&bytes, &cache_path, || {
        let text = std::str::from_utf8(&bytes).map_err(|e| Error::Io {
            action: "read (it is not UTF-8 text)",
            path: path.to_owned(),
            source: io::Error::new(io::ErrorKind::InvalidData, e),
        })?;
        deck::parse(text, &path.display().to_string()).map_err(Error::Deck)
    })?;
    Ok(LoadedDeck { deck, origin })
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
pub fn install(data_dir: &Path, path: &Path) -> Result<Installed, Error> {
    let text = fs::read_to_string(path).context("read", path)?;
    let deck = deck::parse(&text, &path.display().to_string()).map_err(Error::Deck)?;
    if bundled()?.iter().any(|b| b.deck.id == deck.id) {
        return Err(Error::BundledDeckId { id: deck.id });
    }
    let target = data_dir
        .join(INSTALLED_DIR)
        .join(format!("{}.ron", deck.id));
    let previous = installed(data_dir)?
        .into_iter()
        .find(|d| d.deck.id == deck.id);
    write_atomically(&target, text.as_bytes())?;
    // An installed copy under another file name would now be a duplicate id.
    if let Some(LoadedDeck {
        origin: Origin::Installed(old_path),
        ..
    }) = &previous
        && old_path != &target
    {
        fs::remove_file(old_path).context("remove the older copy", old_path)?;
    }
    Ok(match previous {
        Some(old) => Installed::Updated {
            id: deck.id,
            path: target,
            from_version: old.deck.version,
            to_version: deck.version,
        },
        None => Installed::Added {
            id: deck.id,
            path: target,
        },
    })
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
        let collection = Collection::new(vec![LoadedDeck {
            deck,
            origin: Origin::File("d.ron".into()),
        }])
        .unwrap();
        let keys: Vec<_> = collection.items().iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["d/c#1", "d/c#2", "d/b"]);
    }

    #[test]
    fn a_scope_keeps_the_items_of_its_decks_that_carry_its_tags() {
        let load = |text: &str| LoadedDeck {
            deck: deck::parse(text, "d.ron").unwrap(),
            origin: Origin::File("d.ron".into()),
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

    #[test]
    fn an_edited_deck_is_checked_again_despite_its_cached_copy() {
        let dir = tempfile::tempdir().unwrap();
        let deck_path = dir.path().join("d.ron");
        let good = r#"Deck(id: "d", title: "D", cards: [Basic(id: "b", front: "f", back: "b")])"#;
        fs::write(&deck_path, good).unwrap();
        assert_eq!(load_file(&deck_path, dir.path()).unwrap().deck.title, "D");
        assert_eq!(fs::read_dir(dir.path().join(CACHE_DIR)).unwrap().count(), 1);
        // An edit keeping the length is parsed and checked again.
        fs::write(&deck_path, good.replace("\"b\", front", "\"B\", front")).unwrap();
        let error = load_file(&deck_path, dir.path()).unwrap_err();
        assert!(
            matches!(error, Error::Deck(ref e) if e.diagnostics[0].code == "K010"),
            "{error:?}"
        );
    }
}
