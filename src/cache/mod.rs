//! Compiled copies of human-readable files, so start-up does not re-parse RON that has not
//! changed. ron parses at roughly 50-100 MB/s: a 10,000-card deck (5 MB) or the progress
//! snapshot of 10,000 items (2 MB) would each cost tens of milliseconds on every start.
//!
//! The RON file stays the truth, and a cache entry can never lie about it. An entry is
//! MessagePack (self-describing, so optional fields survive) framed as
//! `MAGIC | payload | blake3(MAGIC | payload)`; the payload holds the build stamp (knead's
//! version, this format and a hash of the source knead was built from, see `build.rs`), the
//! length and blake3 hash of the source bytes it was compiled from, what the file system said
//! about the source file then ([`Stamp`]), and the value. It is used only if every part
//! checks out; a missing, stale, foreign or damaged entry (one flipped byte anywhere) is
//! ignored, the source is parsed again, and a writer replaces the entry. Failing to write an
//! entry is never an error.
//!
//! Which source an entry was compiled from is proved in one of two ways:
//! - **By its stamp**, without reading the source: the file's length, modification and
//!   change times (to the nanosecond), inode and device are what they were when it was read,
//!   and it had not changed for [`SETTLED`] before that read. Any later write to the file
//!   sets its change time to the time of that write (which no program can set back), so an
//!   equal stamp means equal bytes. The settling rule is git's answer to "racy" index
//!   entries: a write in the same clock tick as the read could otherwise leave the stamp
//!   unchanged. At 100,000 cards this skips reading and hashing 78 MB of RON at every start.
//! - **By its bytes** otherwise (a file too fresh to trust its stamp, a file system without
//!   change times): the source is read and its blake3 hash compared. A study session that
//!   proves an entry this way and finds the file settled stamps the entry again, so the next
//!   start need not read it.
//!
//! Where: [`set_dir`] (the binary: `KNEAD_CACHE_DIR`, else the platform cache directory when
//! the data directory is the default one), otherwise `cache/` in the data directory, so
//! `--data-dir` users and tests stay in their own folder. Bounded: one entry per data
//! directory's snapshot, and one per deck id (a deck studied from another file replaces the
//! entry of the same id; a bundled deck, which has no file, is proved by its bytes). Only
//! study sessions write entries: reports, `show`, `check` and `export` read them but never
//! write. A deck's entry holds its cards' text apart, decoded only for the cards shown
//! ([`CardTexts`]).

use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::deck;
use crate::files::write_atomically;

mod deck_entry;

pub use deck_entry::{CardTexts, DeckText, Texts, load_deck};

/// The folder inside the data directory used when no other cache directory is set.
pub const DATA_DIR_CACHE: &str = "cache";

/// Opens every entry; the last byte says the framing's version.
const MAGIC: &[u8; 8] = b"kneadc\x00\x02";
const HASH_LEN: usize = 32;
/// Raised when the payload's layout changes.
const FORMAT: u32 = 4;

/// How long a source file must have been left alone before it was read for its stamp to
/// prove its bytes: far more than any file system's clock tick (2 s on FAT).
pub const SETTLED: Duration = Duration::from_secs(3);

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

/// Nanoseconds since 1970 (before it: negative), as the file system and the clock give them.
fn nanos(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

/// What the file system says about a source file, and when it said it. Unix only: elsewhere
/// there is no change time that programs cannot set, and every entry is proved by its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    length: u64,
    modified: i64,
    changed: i64,
    inode: u64,
    device: u64,
    /// When the file system was asked (before the source was read).
    taken: i64,
}

impl Stamp {
    /// The stamp of the file at `path` as of `now`, if it is a regular file on a system that
    /// has one.
    #[cfg(unix)]
    fn taken_at(path: &Path, now: SystemTime) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let metadata = fs::metadata(path).ok().filter(|m| m.is_file())?;
        let time = |seconds: i64, nanoseconds: i64| {
            seconds.checked_mul(1_000_000_000)?.checked_add(nanoseconds)
        };
        Some(Stamp {
            length: metadata.len(),
            modified: time(metadata.mtime(), metadata.mtime_nsec())?,
            changed: time(metadata.ctime(), metadata.ctime_nsec())?,
            inode: metadata.ino(),
            device: metadata.dev(),
            taken: nanos(now),
        })
    }

    #[cfg(not(unix))]
    fn taken_at(_: &Path, _: SystemTime) -> Option<Stamp> {
        None
    }

    /// Whether the file had been left alone for [`SETTLED`] when this stamp was taken.
    fn settled(&self) -> bool {
        let settled = i64::try_from(SETTLED.as_nanos()).unwrap_or(i64::MAX);
        let before = self.taken.saturating_sub(settled);
        self.changed < before && self.modified < before
    }

    /// Whether `now` (a stamp of the same file) proves that its bytes are those read when
    /// `self` was taken.
    fn proves(&self, now: &Stamp) -> bool {
        self.settled()
            && (
                self.length,
                self.modified,
                self.changed,
                self.inode,
                self.device,
            ) == (now.length, now.modified, now.changed, now.inode, now.device)
    }
}

#[derive(Serialize, Deserialize)]
struct Payload<T> {
    build: String,
    source: Source,
    stamp: Option<Stamp>,
    value: T,
}

/// An entry's bytes: magic, payload, checksum of both.
fn encode<T: Serialize>(source: &[u8], stamp: Option<Stamp>, value: &T) -> Option<Vec<u8>> {
    let payload = Payload {
        build: build_stamp(),
        source: Source::of(source),
        stamp,
        value,
    };
    let mut bytes = MAGIC.to_vec();
    rmp_serde::encode::write_named(&mut bytes, &payload).ok()?;
    let checksum = blake3::hash(&bytes);
    bytes.extend_from_slice(checksum.as_bytes());
    Some(bytes)
}

/// The payload in an entry's bytes, if they are whole and from this build (whatever source
/// they were compiled from: see [`SourceFile::value_of`]).
fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Option<Payload<T>> {
    let body_len = bytes.len().checked_sub(HASH_LEN)?;
    let (body, checksum) = bytes.split_at(body_len);
    if !body.starts_with(MAGIC) || blake3::hash(body).as_bytes() != checksum {
        return None;
    }
    let payload: Payload<T> = rmp_serde::from_slice(&body[MAGIC.len()..]).ok()?;
    (payload.build == build_stamp()).then_some(payload)
}

/// Reads a source file's bytes, once, and only if its stamp does not prove the copy.
type ReadSource<'a, E> = Box<dyn FnOnce() -> Result<Vec<u8>, E> + 'a>;

/// A source file whose compiled copy is looked up: its stamp, taken before anything is read,
/// and its bytes once they have been read.
struct SourceFile<'a, E> {
    stamp: Option<Stamp>,
    read: Option<ReadSource<'a, E>>,
    bytes: Option<Vec<u8>>,
}

impl<'a, E> SourceFile<'a, E> {
    fn new(
        path: &'a Path,
        now: SystemTime,
        read: impl FnOnce() -> Result<Vec<u8>, E> + 'a,
    ) -> Self {
        SourceFile {
            stamp: Stamp::taken_at(path, now),
            read: Some(Box::new(read)),
            bytes: None,
        }
    }

    fn bytes(&mut self) -> Result<&[u8], E> {
        if let Some(read) = self.read.take() {
            self.bytes = Some(read()?);
        }
        Ok(self.bytes.as_deref().unwrap_or_default())
    }

    /// The value of `payload` if it was compiled from this source, and whether its entry
    /// should be stamped again (proved by the bytes of a file that has now settled).
    fn value_of<T>(&mut self, payload: Payload<T>) -> Result<Option<(T, bool)>, E> {
        if let (Some(then), Some(now)) = (&payload.stamp, &self.stamp)
            && then.proves(now)
        {
            return Ok(Some((payload.value, false)));
        }
        let same = Source::of(self.bytes()?) == payload.source;
        let restamp = self.stamp.is_some_and(|now| now.settled()) && payload.stamp != self.stamp;
        Ok(same.then_some((payload.value, restamp)))
    }

    /// Writes `value`, compiled from this source, to the entry at `entry`.
    fn write<T: Serialize>(&mut self, entry: &Path, value: &T) -> Result<(), E> {
        let stamp = self.stamp;
        let source = self.bytes()?;
        if let Some(bytes) = encode(source, stamp, value) {
            let _ = write_atomically(entry, &bytes);
        }
        Ok(())
    }
}

/// The bytes of the entry at `path`, if it is a regular file: mapped, not read.
///
/// Reading copied every entry into fresh heap pages, which the kernel had to zero first: at
/// 100,000 cards, 38 MB at every start and a tenth of the time to the first card. A map
/// shares the page cache's pages instead. It is sound because knead never changes an entry
/// in place: entries are written whole to a temporary file and renamed over the old one
/// (`write_atomically`), and removed by unlinking, both of which leave a mapped file's bytes
/// as they were. Only another program truncating an entry while it is mapped could fault. A
/// deck's entry stays mapped while a session shows its cards ([`CardTexts`]); every other
/// map is dropped once its entry is decoded.
fn read_entry(path: &Path) -> Option<memmap2::Mmap> {
    let file = crate::files::open_regular(path).ok()?;
    // SAFETY: see above.
    unsafe { memmap2::Mmap::map(&file) }.ok()
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

/// The progress snapshot compiled from the file `source` (`data_dir`'s `progress.ron`, whose
/// bytes `read` returns): from its entry when that is sound and was compiled from this file
/// as it is, otherwise from `parse` (and then, when allowed, cached).
pub fn load_snapshot<T, E>(
    data_dir: &Path,
    source: &Path,
    writes: Writes,
    read: impl FnOnce() -> Result<Vec<u8>, E>,
    parse: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, E>
where
    T: Serialize + for<'a> Deserialize<'a>,
{
    load_snapshot_at(data_dir, source, writes, SystemTime::now(), read, parse)
}

fn load_snapshot_at<T, E>(
    data_dir: &Path,
    source: &Path,
    writes: Writes,
    now: SystemTime,
    read: impl FnOnce() -> Result<Vec<u8>, E>,
    parse: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, E>
where
    T: Serialize + for<'a> Deserialize<'a>,
{
    let entry = snapshot_entry(data_dir);
    let mut source = SourceFile::new(source, now, read);
    if let Some(payload) = read_entry(&entry).and_then(|bytes| decode(&bytes))
        && let Some((value, restamp)) = source.value_of(payload)?
    {
        if restamp && writes == Writes::Allowed {
            source.write(&entry, &value)?;
        }
        return Ok(value);
    }
    let value = parse(source.bytes()?)?;
    if writes == Writes::Allowed {
        source.write(&entry, &value)?;
    }
    Ok(value)
}

/// Caches `value` as compiled from `bytes`, just written to the file `source` (the writer of
/// `progress.ron` holds the value, so the next reader need not parse).
pub fn save_snapshot<T: Serialize>(data_dir: &Path, source: &Path, bytes: &[u8], value: &T) {
    let mut source = SourceFile::new(source, SystemTime::now(), || {
        Ok::<_, std::convert::Infallible>(bytes.to_vec())
    });
    let _ = source.write(&snapshot_entry(data_dir), value);
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

    /// Long after every file these tests write: their stamps have settled.
    fn later() -> SystemTime {
        SystemTime::now() + Duration::from_secs(3600)
    }

    fn upper(bytes: &[u8]) -> Result<String, String> {
        Ok(String::from_utf8_lossy(bytes).to_uppercase())
    }

    /// Replaces the file at `path` by a new one (a new inode: its stamp surely differs, so a
    /// test that fakes the clock cannot meet the race the settling time guards against).
    fn replace(path: &Path, contents: &str) {
        let new = path.with_extension("new");
        fs::write(&new, contents).unwrap();
        fs::rename(&new, path).unwrap();
    }

    fn unread() -> Result<Vec<u8>, String> {
        Err("the source was read".to_owned())
    }

    /// Loads the snapshot compiled from the file `source` as of `now`, reading it from disk.
    fn load(
        data: &Path,
        source: &Path,
        now: SystemTime,
        parse: impl FnOnce(&[u8]) -> Result<String, String>,
    ) -> Result<String, String> {
        let read = || fs::read(source).map_err(|e| e.to_string());
        load_snapshot_at(data, source, Writes::Allowed, now, read, parse)
    }

    #[test]
    fn the_cache_serves_unchanged_sources_and_is_rebuilt_for_changed_or_damaged_ones() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("progress.ron");
        fs::write(&source, "abc").unwrap();
        assert_eq!(load(dir.path(), &source, later(), upper), Ok("ABC".into()));
        // Served from the cache: neither parsed nor (the stamp proves it) read.
        let served: Result<String, String> =
            load_snapshot_at(dir.path(), &source, Writes::Never, later(), unread, |_| {
                Err("parsed".into())
            });
        assert_eq!(served, Ok("ABC".into()));
        // Same length, other bytes: parsed again.
        replace(&source, "abd");
        assert_eq!(load(dir.path(), &source, later(), upper), Ok("ABD".into()));
        // A parse error is returned and nothing stale is served afterwards.
        replace(&source, "xyz");
        let failed = load(dir.path(), &source, later(), |_| Err("bad".into()));
        assert_eq!(failed, Err("bad".into()));
        // A damaged entry is ignored and replaced.
        replace(&source, "abd");
        fs::write(snapshot_entry(dir.path()), b"damaged").unwrap();
        assert_eq!(load(dir.path(), &source, later(), upper), Ok("ABD".into()));
        let rebuilt = load(dir.path(), &source, later(), |_| Err("parsed".into()));
        assert_eq!(rebuilt, Ok("ABD".into()));
    }

    #[test]
    fn a_writer_caches_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("progress.ron");
        fs::write(&source, "pre").unwrap();
        save_snapshot(dir.path(), &source, b"pre", &"PRE".to_owned());
        let served = load(dir.path(), &source, later(), |_| Err("parsed".into()));
        assert_eq!(served, Ok("PRE".into()));
    }

    /// The guarantee of the stamp: a file changed within the settling time of its read, to
    /// other bytes of the same length and (on a coarse clock) the same times, is read again.
    #[test]
    fn a_fresh_file_is_proved_by_its_bytes_and_stamped_once_it_has_settled() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("progress.ron");
        fs::write(&source, "abc").unwrap();
        let now = SystemTime::now();
        assert_eq!(load(dir.path(), &source, now, upper), Ok("ABC".into()));
        // Not settled when read: the stamp proves nothing, so the source must be read.
        let unproved: Result<String, String> =
            load_snapshot_at(dir.path(), &source, Writes::Never, now, unread, |_| {
                Err("parsed".into())
            });
        assert_eq!(unproved, Err("the source was read".into()));
        // Proved by its bytes, then (settled now) stamped again by a session...
        let read_again = load(dir.path(), &source, later(), |_| Err("parsed".into()));
        assert_eq!(read_again, Ok("ABC".into()));
        // ...so the next start need not read it.
        let served: Result<String, String> =
            load_snapshot_at(dir.path(), &source, Writes::Never, later(), unread, |_| {
                Err("parsed".into())
            });
        assert_eq!(served, Ok("ABC".into()));
    }

    #[test]
    fn a_stamp_proves_only_a_settled_file_with_every_part_equal() {
        let settled = Stamp {
            length: 3,
            modified: 1_000_000_000,
            changed: 1_000_000_000,
            inode: 7,
            device: 1,
            taken: 10_000_000_000,
        };
        assert!(settled.settled() && settled.proves(&settled));
        let changed = [
            Stamp {
                length: 4,
                ..settled
            },
            Stamp {
                modified: 1_000_000_001,
                ..settled
            },
            Stamp {
                changed: 1_000_000_001,
                ..settled
            },
            Stamp {
                inode: 8,
                ..settled
            },
            Stamp {
                device: 2,
                ..settled
            },
        ];
        for now in changed {
            assert!(!settled.proves(&now), "{now:?}");
        }
        let fresh = Stamp {
            changed: settled.taken - 1_000_000_000,
            ..settled
        };
        assert!(!fresh.settled() && !fresh.proves(&fresh));
    }

    #[test]
    fn every_flipped_byte_of_an_entry_is_caught() {
        let source = b"the deck's own bytes";
        let value = ("Stop and refer".to_owned(), 3u32, vec![true, false]);
        let bytes = encode(source, None, &value).unwrap();
        let decoded = |bytes: &[u8]| decode::<(String, u32, Vec<bool>)>(bytes);
        let payload = decoded(&bytes).unwrap();
        assert_eq!(payload.value, value);
        assert_eq!(payload.source, Source::of(source));
        assert_ne!(payload.source, Source::of(b"another source"));
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                assert!(decoded(&damaged).is_none(), "byte {at} ^ {flip:#x}");
            }
        }
        for cut in 0..bytes.len() {
            assert!(decoded(&bytes[..cut]).is_none());
        }
    }

    #[test]
    fn an_entry_from_another_build_is_not_used() {
        let source = b"s";
        let mut bytes = MAGIC.to_vec();
        let payload = Payload {
            build: "knead 0.0.1 cache 2 source 0".to_owned(),
            source: Source::of(source),
            stamp: None,
            value: 7u32,
        };
        rmp_serde::encode::write_named(&mut bytes, &payload).unwrap();
        let checksum = blake3::hash(&bytes);
        bytes.extend_from_slice(checksum.as_bytes());
        assert!(decode::<u32>(&bytes).is_none());
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
