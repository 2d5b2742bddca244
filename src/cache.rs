//! Compiled copies of human-readable files, so start-up does not re-parse RON that has not
//! changed. ron parses at roughly 50-100 MB/s: a 10,000-card deck (5 MB) or the progress
//! snapshot of 10,000 items (2 MB) would each cost tens of milliseconds on every start.
//!
//! The RON file stays the truth, and a cache entry can never lie about it. An entry is
//! MessagePack (self-describing, so optional fields survive) framed as
//! `MAGIC | payload | blake3(MAGIC | payload)`; the payload holds the build stamp (knead's
//! version, this format and a hash of the source knead was built from, see `build.rs`), the
//! length and blake3 hash of the source bytes it was compiled from, and the value. It is used
//! only if every part checks out; a missing, stale, foreign or damaged entry (one flipped
//! byte anywhere) is ignored, the source is parsed again, and a writer replaces the entry.
//! Failing to write an entry is never an error.
//!
//! Where: [`set_dir`] (the binary: `KNEAD_CACHE_DIR`, else the platform cache directory when
//! the data directory is the default one), otherwise `cache/` in the data directory, so
//! `--data-dir` users and tests stay in their own folder. Bounded: one entry per data
//! directory's snapshot, and one per deck id (a deck studied from another file replaces the
//! entry of the same id). Only study sessions write entries: reports, `show`, `check` and
//! `export` read them but never write.

use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::deck::{self, Deck};
use crate::files::write_atomically;

/// The folder inside the data directory used when no other cache directory is set.
pub const DATA_DIR_CACHE: &str = "cache";

/// Opens every entry; the last byte says the framing's version.
const MAGIC: &[u8; 8] = b"kneadc\x00\x02";
const HASH_LEN: usize = 32;
/// Raised when the payload's layout changes.
const FORMAT: u32 = 2;

/// A temporary file older than this in the cache directory is left from a killed write (an
/// entry is written in milliseconds), and is removed.
const STALE_TEMPORARY: Duration = Duration::from_secs(60 * 60);

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Keeps caches in `dir` for the rest of the process, whatever the data directory (set once,
/// by the binary, before anything is loaded; later calls are ignored).
pub fn set_dir(dir: PathBuf) {
    let _ = DIR.set(dir);
}

/// The cache directory for the data directory `data_dir`.
pub fn dir(data_dir: &Path) -> PathBuf {
    DIR.get()
        .cloned()
        .unwrap_or_else(|| data_dir.join(DATA_DIR_CACHE))
}

/// What this build writes into each entry and accepts back.
fn build_stamp() -> String {
    format!(
        "knead {} cache {FORMAT} source {}",
        env!("CARGO_PKG_VERSION"),
        env!("KNEAD_SOURCE_STAMP")
    )
}

/// What an entry was compiled from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Source {
    length: u64,
    hash: [u8; HASH_LEN],
}

impl Source {
    fn of(bytes: &[u8]) -> Source {
        Source {
            length: bytes.len() as u64,
            hash: *blake3::hash(bytes).as_bytes(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Payload<T> {
    build: String,
    source: Source,
    value: T,
}

/// An entry's bytes: magic, payload, checksum of both.
fn encode<T: Serialize>(source: &[u8], value: &T) -> Option<Vec<u8>> {
    let payload = Payload {
        build: build_stamp(),
        source: Source::of(source),
        value,
    };
    let mut bytes = MAGIC.to_vec();
    rmp_serde::encode::write_named(&mut bytes, &payload).ok()?;
    let checksum = blake3::hash(&bytes);
    bytes.extend_from_slice(checksum.as_bytes());
    Some(bytes)
}

/// The value in an entry's bytes, if they are whole, from this build, and compiled from
/// exactly `source`.
fn decode<T: DeserializeOwned>(bytes: &[u8], source: &[u8]) -> Option<T> {
    let body_len = bytes.len().checked_sub(HASH_LEN)?;
    let (body, checksum) = bytes.split_at(body_len);
    if !body.starts_with(MAGIC) || blake3::hash(body).as_bytes() != checksum {
        return None;
    }
    let payload: Payload<T> = rmp_serde::from_slice(&body[MAGIC.len()..]).ok()?;
    (payload.build == build_stamp() && payload.source == Source::of(source))
        .then_some(payload.value)
}

/// The bytes of the entry at `path`, if it is a regular file.
fn read_entry(path: &Path) -> Option<Vec<u8>> {
    crate::files::read_regular(path).ok()
}

fn write_entry<T: Serialize>(path: &Path, source: &[u8], value: &T) {
    if let Some(bytes) = encode(source, value) {
        let _ = write_atomically(path, &bytes);
    }
}

/// A short, stable name for a path (the data directory, a deck file).
fn path_key(path: &Path) -> String {
    let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    format!(
        "{:016x}",
        blake3::hash(absolute.as_os_str().as_encoded_bytes())
            .as_bytes()
            .iter()
            .take(8)
            .fold(0u64, |n, b| n << 8 | u64::from(*b))
    )
}

/// How a deck id appears in an entry's name.
fn id_key(id: &str) -> String {
    if deck::is_slug(id) && id.len() <= 80 {
        id.to_owned()
    } else {
        let mut hasher = DefaultHasher::new();
        hasher.write(id.as_bytes());
        format!("id{:016x}", hasher.finish())
    }
}

/// Whether a command may write cache entries: only study sessions do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writes {
    Allowed,
    Never,
}

/// The snapshot's entry for `data_dir`.
fn snapshot_entry(data_dir: &Path) -> PathBuf {
    dir(data_dir).join(format!("progress-{}.cache", path_key(data_dir)))
}

/// The progress snapshot compiled from `source` (the bytes of `data_dir`'s `progress.ron`):
/// from its entry when that is sound and was compiled from these bytes, otherwise from
/// `parse` (and then, when allowed, cached).
pub fn load_snapshot<T, E>(
    data_dir: &Path,
    source: &[u8],
    writes: Writes,
    parse: impl FnOnce() -> Result<T, E>,
) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
{
    let entry = snapshot_entry(data_dir);
    if let Some(value) = read_entry(&entry).and_then(|bytes| decode(&bytes, source)) {
        return Ok(value);
    }
    let value = parse()?;
    if writes == Writes::Allowed {
        write_entry(&entry, source, &value);
    }
    Ok(value)
}

/// Caches `value` as compiled from `source` (the writer of `progress.ron` holds the value,
/// so the next reader need not parse).
pub fn save_snapshot<T: Serialize>(data_dir: &Path, source: &[u8], value: &T) {
    write_entry(&snapshot_entry(data_dir), source, value);
}

/// The deck compiled from `source` (the bytes of the deck file at `path`): from its entry
/// when that is sound and was compiled from these bytes, otherwise from `parse`, whose deck
/// then (when allowed) becomes the one entry for its id.
pub fn load_deck<E>(
    data_dir: &Path,
    path: &Path,
    source: &[u8],
    writes: Writes,
    parse: impl FnOnce() -> Result<Deck, E>,
) -> Result<Deck, E> {
    let dir = dir(data_dir);
    let prefix = format!("deck-{}-", path_key(path));
    let entries = deck_entries(&dir);
    for name in entries.iter().filter(|name| name.starts_with(&prefix)) {
        if let Some(deck) = read_entry(&dir.join(name)).and_then(|bytes| decode(&bytes, source)) {
            return Ok(deck);
        }
    }
    let deck = parse()?;
    if writes == Writes::Allowed {
        let name = format!("{prefix}{}.cache", id_key(&deck.id));
        let suffix = format!("-{}.cache", id_key(&deck.id));
        write_entry(&dir.join(&name), source, &deck);
        // One entry per deck id, and one per file: the rest are stale.
        for other in entries {
            if other != name && (other.starts_with(&prefix) || other.ends_with(&suffix)) {
                let _ = fs::remove_file(dir.join(other));
            }
        }
    }
    Ok(deck)
}

/// The names of the deck entries in `dir`.
fn deck_entries(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.starts_with("deck-") && name.ends_with(".cache"))
        .collect()
}

/// Removes what killed writes and older knead versions left in `data_dir`'s cache
/// directory: temporary files no writer has touched for an hour, and entries in the old
/// unchecked format (`*.msgpack`). For the lock holder of `data_dir`.
pub fn remove_leftovers(data_dir: &Path) {
    let dir = dir(data_dir);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if !metadata.is_file() {
            continue;
        }
        let stale_temporary = name.starts_with(".tmp")
            && metadata
                .modified()
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age >= STALE_TEMPORARY);
        if stale_temporary || name.ends_with(".msgpack") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<String, ()> {
        Ok(text.to_uppercase())
    }

    #[test]
    fn the_cache_serves_unchanged_sources_and_is_rebuilt_for_changed_or_damaged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let load = |source: &[u8], parse: &dyn Fn() -> Result<String, ()>| {
            load_snapshot(dir.path(), source, Writes::Allowed, parse)
        };
        assert_eq!(load(b"abc", &|| parsed("abc")), Ok("ABC".to_owned()));
        // Served from the cache: the parser is not called.
        assert_eq!(load(b"abc", &|| Err(())), Ok("ABC".to_owned()));
        // A writer that holds the value caches it directly.
        save_snapshot(dir.path(), b"pre", &"PRE".to_owned());
        assert_eq!(load(b"pre", &|| Err(())), Ok("PRE".to_owned()));
        // Same length, other bytes: parsed again.
        assert_eq!(load(b"abd", &|| parsed("abd")), Ok("ABD".to_owned()));
        // A parse error is returned and nothing stale is served afterwards.
        assert_eq!(load(b"xyz", &|| Err(())), Err(()));
        let entry = snapshot_entry(dir.path());
        fs::write(&entry, b"damaged").unwrap();
        assert_eq!(load(b"abd", &|| parsed("abd")), Ok("ABD".to_owned()));
        assert_eq!(load(b"abd", &|| Err(())), Ok("ABD".to_owned()), "rebuilt");
    }

    #[test]
    fn every_flipped_byte_of_an_entry_is_caught() {
        let source = b"the deck's own bytes";
        let value = ("Stop and refer".to_owned(), 3u32, vec![true, false]);
        let bytes = encode(source, &value).unwrap();
        assert_eq!(
            decode::<(String, u32, Vec<bool>)>(&bytes, source),
            Some(value)
        );
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                assert_eq!(
                    decode::<(String, u32, Vec<bool>)>(&damaged, source),
                    None,
                    "byte {at} ^ {flip:#x}"
                );
            }
        }
        for cut in 0..bytes.len() {
            assert_eq!(
                decode::<(String, u32, Vec<bool>)>(&bytes[..cut], source),
                None
            );
        }
        assert_eq!(
            decode::<(String, u32, Vec<bool>)>(&bytes, b"another source"),
            None
        );
    }

    #[test]
    fn an_entry_from_another_build_is_not_used() {
        let source = b"s";
        let mut bytes = MAGIC.to_vec();
        let payload = Payload {
            build: "knead 0.0.1 cache 2 source 0".to_owned(),
            source: Source::of(source),
            value: 7u32,
        };
        rmp_serde::encode::write_named(&mut bytes, &payload).unwrap();
        let checksum = blake3::hash(&bytes);
        bytes.extend_from_slice(checksum.as_bytes());
        assert_eq!(decode::<u32>(&bytes, source), None);
    }

    #[test]
    fn read_only_loads_never_write_and_decks_keep_one_entry_per_id() {
        let data = tempfile::tempdir().unwrap();
        let deck = |id: &str| -> Result<Deck, ()> {
            Ok(deck::parse(
                &format!(r#"Deck(id: "{id}", title: "T", cards: [Basic(id: "b", front: "f", back: "b")])"#),
                "d.ron",
            )
            .unwrap())
        };
        let cache = dir(data.path());
        let a = data.path().join("a.ron");
        let b = data.path().join("b.ron");
        load_deck(data.path(), &a, b"a1", Writes::Never, || deck("x")).unwrap();
        load_snapshot(data.path(), b"p", Writes::Never, || parsed("p")).unwrap();
        assert!(!cache.exists(), "read-only loads write nothing");
        load_deck(data.path(), &a, b"a1", Writes::Allowed, || deck("x")).unwrap();
        load_deck(data.path(), &a, b"a1", Writes::Never, || Err(())).unwrap();
        // The same id from another file replaces the entry; so does the same file's next id.
        load_deck(data.path(), &b, b"b1", Writes::Allowed, || deck("x")).unwrap();
        assert_eq!(deck_entries(&cache).len(), 1);
        load_deck(data.path(), &b, b"b2", Writes::Allowed, || deck("y")).unwrap();
        load_deck(data.path(), &a, b"a1", Writes::Allowed, || deck("x")).unwrap();
        let mut names = deck_entries(&cache);
        names.sort();
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().any(|n| n.ends_with("-x.cache")));
        assert!(names.iter().any(|n| n.ends_with("-y.cache")));
    }

    #[test]
    fn leftovers_are_removed_but_a_temporary_file_being_written_is_not() {
        let data = tempfile::tempdir().unwrap();
        let cache = dir(data.path());
        fs::create_dir_all(&cache).unwrap();
        let old = cache.join(".tmpOLD123");
        let fresh = cache.join(".tmpNEW456");
        let legacy = cache.join("0123456789abcdef.deck.msgpack");
        for path in [&old, &fresh, &legacy] {
            fs::write(path, b"x").unwrap();
        }
        let long_ago = SystemTime::now() - 2 * STALE_TEMPORARY;
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        remove_leftovers(data.path());
        assert!(!old.exists() && !legacy.exists());
        assert!(fresh.exists());
    }
}
