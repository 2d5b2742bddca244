//! Compiled copies of human-readable files, so start-up does not re-parse RON that has not
//! changed. ron parses at roughly 50-100 MB/s: a 10,000-card deck (5 MB) or the progress
//! snapshot of 10,000 items (2 MB) would each cost tens of milliseconds on every start. The
//! copy is MessagePack (self-describing, so optional fields survive), stored under
//! `cache/` in the data directory and used only while the source file's bytes are unchanged
//! (same length and hash, same knead version). The RON file stays the truth: a missing,
//! stale or damaged cache is simply rebuilt, and failing to write one is not an error.

use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::store::write_atomically;

/// What a cached value was compiled from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    knead: String,
    length: u64,
    hash: u64,
}

impl Fingerprint {
    fn of(source: &[u8]) -> Fingerprint {
        // SipHash with fixed keys: stable for a given toolchain; a toolchain change only costs
        // one re-parse.
        let mut hasher = DefaultHasher::new();
        hasher.write(source);
        Fingerprint {
            // Plus the deck rules' revision: a deck cached before a rule that refuses it
            // existed (K040, control characters) is checked again, even by a build of the
            // same version.
            knead: concat!(env!("CARGO_PKG_VERSION"), "+rules.2").to_owned(),
            length: source.len() as u64,
            hash: hasher.finish(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cached<T> {
    fingerprint: Fingerprint,
    value: T,
}

/// The value compiled from `source`: from `cache` when it was compiled from these exact bytes,
/// otherwise from `parse` (whose successful result is then cached).
pub fn load<T, E>(source: &[u8], cache: &Path, parse: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
{
    let fingerprint = Fingerprint::of(source);
    if let Some(value) = read(cache, &fingerprint) {
        return Ok(value);
    }
    let value = parse()?;
    save(source, cache, &value);
    Ok(value)
}

/// Caches `value` as compiled from `source` (used when the writer of `source` already holds the
/// value, so the next reader need not parse).
pub fn save<T: Serialize>(source: &[u8], cache: &Path, value: &T) {
    let cached = Cached {
        fingerprint: Fingerprint::of(source),
        value,
    };
    if let Ok(encoded) = rmp_serde::to_vec_named(&cached) {
        let _ = write_atomically(cache, &encoded);
    }
}

fn read<T: DeserializeOwned>(cache: &Path, fingerprint: &Fingerprint) -> Option<T> {
    let bytes = fs::read(cache).ok()?;
    let cached: Cached<T> = rmp_serde::from_slice(&bytes).ok()?;
    (cached.fingerprint == *fingerprint).then_some(cached.value)
}

/// A cache file name for a source path: one per path, so an edited file replaces its entry.
pub fn name_for(path: &Path, extension: &str) -> String {
    let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mut hasher = DefaultHasher::new();
    hasher.write(absolute.as_os_str().as_encoded_bytes());
    format!("{:016x}.{extension}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_serves_unchanged_sources_and_is_rebuilt_for_changed_or_damaged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("c.msgpack");
        let parsed = |text: &str| -> Result<String, ()> { Ok(text.to_uppercase()) };
        assert_eq!(load(b"abc", &cache, || parsed("abc")), Ok("ABC".to_owned()));
        // Served from the cache: the parser is not called.
        assert_eq!(
            load(b"abc", &cache, || Err::<String, ()>(())),
            Ok("ABC".to_owned())
        );
        // A writer that holds the value caches it directly.
        save(b"pre", &cache, &"PRE".to_owned());
        assert_eq!(
            load(b"pre", &cache, || Err::<String, ()>(())),
            Ok("PRE".to_owned())
        );
        // Same length, other bytes: parsed again.
        assert_eq!(load(b"abd", &cache, || parsed("abd")), Ok("ABD".to_owned()));
        // A parse error is returned and nothing stale is served afterwards.
        assert_eq!(load(b"xyz", &cache, || Err::<String, ()>(())), Err(()));
        fs::write(&cache, b"damaged").unwrap();
        assert_eq!(load(b"abd", &cache, || parsed("abd")), Ok("ABD".to_owned()));
    }
}
