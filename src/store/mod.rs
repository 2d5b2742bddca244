//! A learner's progress, kept so that no answer is ever lost, on one machine or several.
//!
//! The data directory holds one journal per device, `journal/<device>.log`: every answer that
//! device gave, one RON line each, appended and flushed to disk (`sync_data`) before the next
//! card is shown, and written by no other device, so a sync tool never sees two versions of
//! one file. Progress is the fold of every journal's entries in timestamp order (ties by
//! device, then line: [`merge`]), so any machine holding the same journals computes the same
//! progress.
//!
//! What a device derives for itself lives in `local/<device>/` and can always be rebuilt: the
//! snapshot `progress.ron` ([`snapshot`]), which proves what it covers of each journal, and the
//! pid file of the session holding the lock ([`lock`]). Undo takes back this device's latest
//! entry only ([`undo`]). The device id is kept outside the data directory ([`device`]). An old
//! single-machine directory (`reviews.log`, `progress.ron`) is moved over on the first session
//! ([`migrate`]). The design: docs/multi-device.md.

pub mod aggregate;
mod compiled;
pub mod device;
pub mod fs;
pub mod journal;
pub mod lock;
pub mod merge;
pub mod migrate;
pub mod model;
pub mod snapshot;
mod undo;

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::cache;
use crate::deck::diagnostic::Diagnostic;
use crate::error::{Error, IoContext};
use crate::files;

use crate::files::write_atomically;
pub use aggregate::{Tallies, Tally};
pub use device::DeviceId;
pub use journal::{Wanted, parse_log};
pub use lock::Lock;
pub use model::{
    AnkiCard, AnkiReview, AnkiStage, Answer, Chosen, ItemMap, ItemProgress, LogEntry, ReviewKind,
    StudyDays, apply, review_schedule,
};
pub use undo::Undone;

use aggregate::{DayIndex, index_line};
use compiled::Compiled;
use journal::{Owner, TailError};
use merge::{Key, Keyed};
use model::count_day;
use snapshot::{Coverage, SNAPSHOT_FILE, Snapshot};

/// The folder of journals in the data directory.
pub const JOURNAL_DIR: &str = "journal";
/// The folder of device-local folders in the data directory.
pub const LOCAL_DIR: &str = "local";

/// Journal bytes folded after the snapshot below which [`Store::checkpoint`] leaves the
/// snapshot as it is (unless a quarter of the snapshot is more): 1 MiB.
pub const SNAPSHOT_AFTER_BYTES: u64 = 1024 * 1024;

/// How many of this process's answers are remembered for undo; older ones are undone from the
/// journal (more slowly).
const REMEMBERED_ANSWERS: usize = 64;

/// Something knead did to the data that the learner should hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice(pub String);

/// How the store is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// For study: holds the lock, may repair this device's torn last line, may write.
    Exclusive,
    /// For reports: takes no lock and changes nothing (an unfinished last line is ignored).
    ReadOnly,
}

/// The journal of `device` in the data directory `dir`.
pub fn journal_path(dir: &Path, device: &DeviceId) -> PathBuf {
    dir.join(JOURNAL_DIR).join(format!("{device}.log"))
}

/// The device-local folder of `device` in the data directory `dir`.
pub fn local_dir(dir: &Path, device: &DeviceId) -> PathBuf {
    dir.join(LOCAL_DIR).join(device.as_str())
}

/// Every journal in `dir`, by device ([`merge::journals`]). Until this device's first session of
/// this version moves `reviews.log` into its journal ([`migrate`]), a reader reads that file as
/// this device's journal.
fn journals(
    dir: &Path,
    device: &DeviceId,
    notices: &mut Vec<Notice>,
) -> Result<BTreeMap<DeviceId, PathBuf>, Error> {
    let mut paths = merge::journals(dir, notices)?;
    let legacy = dir.join(migrate::LEGACY_LOG);
    if legacy.is_file() {
        paths.insert(device.clone(), legacy);
    }
    Ok(paths)
}

/// Locks this machine's journal in `dir` for a change that is not a study session (`knead add`),
/// until the lock is dropped; as the lock holder, clears what killed saves left.
pub fn lock(dir: &Path) -> Result<Lock, Error> {
    let device = device::this_device()?;
    let local = local_dir(dir, &device);
    let (lock, _) = Lock::acquire(&journal_path(dir, &device), &local)?;
    fs::remove_temporary_files(dir, &local);
    Ok(lock)
}

/// One device whose journal is in the data directory, for `knead status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceSeen {
    pub id: String,
    /// This machine.
    pub this: bool,
    /// Lines of its journal read (answers, and notes of what deck revisions did).
    pub entries: u64,
    /// When its latest entry was recorded.
    pub latest: Option<Timestamp>,
}

/// An answer recorded by this process, remembered so that undoing it needs no journal scan.
#[derive(Debug)]
struct Recorded {
    /// Byte offset of its line in the journal.
    start: u64,
    key: Key,
    entry: LogEntry,
    /// The item's progress before it.
    before: Option<ItemProgress>,
    /// What was folded of this device's journal before it.
    coverage_before: Coverage,
}

/// The progress of one learner (one data directory), as this device sees it.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    device: DeviceId,
    local: PathBuf,
    items: ItemMap,
    days: StudyDays,
    tallies: Tallies,
    /// Where each study day starts in each journal.
    day_index: BTreeMap<DeviceId, DayIndex>,
    /// What is folded of each device's journal.
    journals: BTreeMap<DeviceId, Coverage>,
    /// Every entry folded sorts at or before it.
    frontier: Option<Key>,
    /// Bytes of each journal the snapshot on disk covers (`None`: there is none).
    snapshot: Option<BTreeMap<DeviceId, u64>>,
    /// The size of the snapshot on disk, in bytes (0: there is none).
    snapshot_size: u64,
    /// The progress was read from every journal from the start, not from the snapshot.
    rebuilt: bool,
    /// The progress in memory is more than the snapshot on disk holds.
    stale: bool,
    /// This device's journal, open for appending once something is recorded.
    journal: Option<File>,
    recent: VecDeque<Recorded>,
    access: Access,
    _lock: Option<Lock>,
}

/// Everything folded from the journals.
struct Folded {
    items: ItemMap,
    days: StudyDays,
    tallies: Tallies,
    day_index: BTreeMap<DeviceId, DayIndex>,
    journals: BTreeMap<DeviceId, Coverage>,
    frontier: Option<Key>,
    /// This device's journal as read: an unfinished last line, a missing newline.
    own_torn: Option<u64>,
    own_unterminated: bool,
}

impl Store {
    /// Opens the progress in `dir` as this machine ([`device::this_device`]), creating the
    /// directory if needed. Returns what was repaired or skipped, for the learner to see.
    pub fn open(dir: &Path, access: Access) -> Result<(Store, Vec<Notice>), Error> {
        Store::open_with(dir, access, &device::this_device()?)
    }

    /// Opens the progress in `dir` as the machine `device`.
    pub fn open_with(
        dir: &Path,
        access: Access,
        device: &DeviceId,
    ) -> Result<(Store, Vec<Notice>), Error> {
        let mut notices = Vec::new();
        let local = local_dir(dir, device);
        let own_path = journal_path(dir, device);
        let lock = match access {
            Access::Exclusive => {
                std::fs::create_dir_all(dir).context("create the data directory", dir)?;
                let (lock, notice) = Lock::acquire(&own_path, &local)?;
                notices.extend(notice);
                migrate::run(dir, device, &own_path, &local, &mut notices)?;
                fs::remove_temporary_files(dir, &local);
                cache::remove_leftovers(&local);
                Some(lock)
            }
            Access::ReadOnly => None,
        };
        let paths = journals(dir, device, &mut notices)?;
        let snapshot = read_snapshot(&local, device, access, &mut notices)?;
        let snapshot_size = match &snapshot {
            Some(_) => std::fs::metadata(local.join(SNAPSHOT_FILE)).map_or(0, |m| m.len()),
            None => 0,
        };
        let snapshot_covers = snapshot.as_ref().map(|s| {
            s.journals
                .iter()
                .filter_map(|(id, c)| Some((DeviceId::parse(id)?, c.bytes)))
                .collect::<BTreeMap<_, _>>()
        });
        let (folded, stale, rebuilt) = match snapshot.map(|s| incremental(&paths, device, s)) {
            Some(Ok(folded)) => {
                let stale = snapshot_covers.as_ref().is_some_and(|covers| {
                    folded
                        .journals
                        .iter()
                        .any(|(id, c)| covers.get(id).copied() != Some(c.bytes))
                });
                (folded, stale, false)
            }
            Some(Err(Rebuild::Mismatch(reason))) => {
                // Rebuilt first: a journal that cannot be read stops knead with the snapshot
                // left where it is.
                let folded = rebuild(&paths, device, None)?;
                set_aside_or_ignore(&local.join(SNAPSHOT_FILE), &reason, access, &mut notices)?;
                (folded, true, true)
            }
            Some(Err(Rebuild::Failed(error))) => return Err(error),
            Some(Err(Rebuild::Needed)) | None => (rebuild(&paths, device, None)?, true, true),
        };
        let mut store = Store {
            dir: dir.to_owned(),
            device: device.clone(),
            local,
            items: folded.items,
            days: folded.days,
            tallies: folded.tallies,
            day_index: folded.day_index,
            journals: folded.journals,
            frontier: folded.frontier,
            snapshot: snapshot_covers,
            snapshot_size,
            rebuilt,
            stale,
            journal: None,
            recent: VecDeque::new(),
            access,
            _lock: lock,
        };
        if access == Access::Exclusive {
            store.repair_own(folded.own_torn, folded.own_unterminated, &mut notices)?;
        }
        Ok((store, notices))
    }

    /// Cuts this device's torn last line (a write cut off by a crash), or adds the newline a
    /// complete last answer lacks.
    fn repair_own(
        &mut self,
        torn: Option<u64>,
        unterminated: bool,
        notices: &mut Vec<Notice>,
    ) -> Result<(), Error> {
        let path = journal_path(&self.dir, &self.device);
        let coverage = self.journals.entry(self.device.clone()).or_default();
        if let Some(torn) = torn {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .context("open", &path)?;
            file.set_len(coverage.bytes)
                .and_then(|()| file.sync_all())
                .context("repair", &path)?;
            notices.push(Notice(format!(
                "{}: line {} was an answer cut off by a crash or power loss ({torn} bytes, not a complete answer); it was removed, every complete answer is kept",
                path.display(),
                coverage.lines + 1
            )));
        }
        if unterminated {
            // The next answer must start a line of its own.
            lock::append_options()
                .open(&path)
                .and_then(|mut file| {
                    file.write_all(b"\n")?;
                    file.sync_data()
                })
                .context("repair", &path)?;
            coverage.bytes += 1;
            notices.push(Notice(format!(
                "{}: line {}, a complete answer, lacked the newline that ends a line (an edit by hand?); the newline was added and the answer kept",
                path.display(),
                coverage.lines
            )));
        }
        Ok(())
    }

    pub fn get(&self, item: &str) -> Option<&ItemProgress> {
        self.items.get(item)
    }

    /// Every item with progress, including items whose cards are no longer in any deck.
    pub fn items(&self) -> &ItemMap {
        &self.items
    }

    /// How many answers (of every kind) each study day has.
    pub fn study_days(&self) -> &StudyDays {
        &self.days
    }

    /// Every item's reviews and cram answers, by the item each answer names.
    pub fn tallies(&self) -> &Tallies {
        &self.tallies
    }

    /// Every entry of study day `from` or later that is folded, in merge order, read from where
    /// that day starts in each journal ([`aggregate::DayIndex`]): a report over the last days
    /// costs those days, not the whole history.
    pub fn entries_since(&self, from: Date) -> Result<Vec<LogEntry>, Error> {
        let mut notices = Vec::new();
        let paths = journals(&self.dir, &self.device, &mut notices)?;
        let mut entries = Vec::new();
        for (id, coverage) in &self.journals {
            let (Some(path), Some(index)) = (paths.get(id), self.day_index.get(id)) else {
                continue;
            };
            let Some((offset, lines)) = aggregate::seek(index, from) else {
                continue;
            };
            let tail = journal::read_tail(path, offset, lines, owner(id, &self.device), |_| true)
                .map_err(|error| changed_while_read(path, error))?;
            let folded = tail
                .entries
                .into_iter()
                .filter(|(line, entry)| *line <= coverage.lines && entry.day >= from);
            entries.extend(keyed(id, folded.collect()));
        }
        merge::sort(&mut entries);
        Ok(merge::distinct(entries))
    }

    /// Folds every entry of study day `from` or later that is folded into an accumulator, as
    /// [`Store::entries_since`] finds them but without holding them when they come from one
    /// journal (one device: the usual case), which is read a line at a time: a report over
    /// weeks of answers then costs one line of memory, not the weeks. That journal's days are
    /// cut in two at the day start nearest the middle of their bytes (the index of days says
    /// where), and the halves are read on two threads, each into its own accumulator (`fork`
    /// of the first), which `merge` joins: parsing is most of a report's time. From several
    /// journals the entries are gathered, to skip the copies of one answer in two journals
    /// ([`merge::distinct`]), and folded on one thread. The order is not promised.
    pub fn fold_entries_since<A: Send>(
        &self,
        from: Date,
        mut first: A,
        fork: impl Fn(&A) -> A,
        add: impl Fn(&mut A, &LogEntry) + Sync,
        merge: impl FnOnce(&mut A, A),
    ) -> Result<A, Error> {
        let mut notices = Vec::new();
        let paths = journals(&self.dir, &self.device, &mut notices)?;
        // Each journal with lines of `from` or later: its path, index of days, coverage, and
        // where those lines start.
        type ToRead<'s> = (&'s PathBuf, &'s DayIndex, &'s Coverage, (u64, u64));
        let to_read: Vec<ToRead> = self
            .journals
            .iter()
            .filter_map(|(id, coverage)| {
                let index = self.day_index.get(id)?;
                let start = aggregate::seek(index, from)?;
                Some((paths.get(id)?, index, coverage, start))
            })
            .collect();
        let (path, index, coverage, start) = match to_read[..] {
            [] => return Ok(first),
            [one] => one,
            _ => {
                for entry in self.entries_since(from)? {
                    add(&mut first, &entry);
                }
                return Ok(first);
            }
        };
        let read = |accumulator: &mut A, (offset, lines): (u64, u64), last_line: u64| {
            journal::for_each_from(path, offset, lines, last_line, |entry| {
                if entry.day >= from {
                    add(accumulator, &entry);
                }
            })
            .map_err(|error| changed_while_read(path, error))
        };
        let middle = start.0 + (coverage.bytes - start.0) / 2;
        let split = index
            .iter()
            .filter(|day| day.offset > start.0 && day.lines < coverage.lines)
            .min_by_key(|day| day.offset.abs_diff(middle));
        let Some(split) = split else {
            read(&mut first, start, coverage.lines)?;
            return Ok(first);
        };
        let mut second = fork(&first);
        let (first_half, second_half) = rayon::join(
            || read(&mut first, start, split.lines),
            || read(&mut second, (split.offset, split.lines), coverage.lines),
        );
        first_half?;
        second_half?;
        merge(&mut first, second);
        Ok(first)
    }

    /// How it was opened: for study (holding the lock) or for a report.
    pub fn access(&self) -> Access {
        self.access
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// This machine's device id.
    pub fn device(&self) -> &DeviceId {
        &self.device
    }

    /// This device's folder in the data directory, for what it derives for itself.
    pub fn local_dir(&self) -> &Path {
        &self.local
    }

    /// This device's journal.
    pub fn journal_path(&self) -> PathBuf {
        journal_path(&self.dir, &self.device)
    }

    /// The devices whose journals were read (this one first, once it has a journal).
    pub fn devices(&self) -> Vec<DeviceSeen> {
        self.journals
            .iter()
            .map(|(id, coverage)| DeviceSeen {
                id: id.as_str().to_owned(),
                this: *id == self.device,
                entries: coverage.lines,
                latest: coverage.latest,
            })
            .collect()
    }

    /// Appends an answer to this device's journal and makes it durable before returning.
    pub fn record(&mut self, entry: &LogEntry) -> Result<(), Error> {
        self.record_all(std::slice::from_ref(entry))
    }

    /// Appends answers to this device's journal in one write and makes them durable before
    /// returning (for importing history; a study session records one answer at a time).
    ///
    /// An entry is stamped no earlier than the latest entry folded so far (of any device): if
    /// this machine's clock is behind, `at` becomes a nanosecond after it. So this device's
    /// entries always sort after everything it has read, and folding them as they come is the
    /// same as merging.
    pub fn record_all(&mut self, entries: &[LogEntry]) -> Result<(), Error> {
        assert_eq!(
            self.access,
            Access::Exclusive,
            "answers are recorded only by a session holding the lock"
        );
        let path = self.journal_path();
        let coverage = self.journals.get(&self.device).cloned().unwrap_or_default();
        let mut text = String::new();
        let mut stamped = Vec::with_capacity(entries.len());
        let mut frontier = self.frontier.clone();
        let mut covered = coverage.clone();
        let mut befores = Vec::with_capacity(entries.len());
        let mut day_starts = Vec::with_capacity(entries.len());
        for entry in entries {
            let mut entry = entry.clone();
            let mut key = Key {
                at: entry.at,
                device: self.device.as_str().to_owned(),
                line: covered.lines + 1,
            };
            if let Some(latest) = &frontier
                && key <= *latest
            {
                entry.at = latest
                    .at
                    .checked_add(SignedDuration::from_nanos(1))
                    .unwrap_or(latest.at);
                key.at = entry.at;
            }
            let line = one_line(&entry);
            day_starts.push((entry.day, covered.bytes, covered.lines));
            befores.push((covered.bytes, covered.clone()));
            covered.bytes += line.len() as u64 + 1;
            covered.lines += 1;
            covered.last_line = Some(snapshot::line_hash(line.as_bytes()));
            covered.latest = covered.latest.max(Some(entry.at));
            text.push_str(&line);
            text.push('\n');
            frontier = Some(key.clone());
            stamped.push((key, entry));
        }
        if self.journal.is_none() {
            let folder = self.dir.join(JOURNAL_DIR);
            let existed = path.exists();
            std::fs::create_dir_all(&folder).context("create", &folder)?;
            let file = lock::append_options()
                .open(&path)
                .context("open the journal", &path)?;
            if !existed {
                crate::files::sync_dir(&folder)?;
            }
            self.journal = Some(file);
        }
        let file = self.journal.as_mut().expect("opened above");
        // One write call keeps a crash from leaving more than one torn line.
        if let Err(error) = file
            .write_all(text.as_bytes())
            .and_then(|()| sync_answers(file))
        {
            // Part of the line may be in the file (a disk that filled up mid-write): cut it
            // off, so that the answers confirmed so far end the journal and nothing is
            // appended to a torn line. Should that fail too, the next start removes it.
            let _ = file.set_len(coverage.bytes);
            self.journal = None;
            return Err(Error::Io {
                action: "save an answer to",
                path,
                source: error,
            });
        }
        self.journals.insert(self.device.clone(), covered);
        self.frontier = frontier;
        self.stale = true;
        let index = self.day_index.entry(self.device.clone()).or_default();
        for (day, offset, lines) in day_starts {
            index_line(index, day, offset, lines);
        }
        let remember_from = entries.len().saturating_sub(REMEMBERED_ANSWERS);
        for (n, ((key, entry), (start, coverage_before))) in
            stamped.into_iter().zip(befores).enumerate()
        {
            let before = (n >= remember_from).then(|| self.items.get(&entry.item).cloned());
            apply(&mut self.items, &entry);
            count_day(&mut self.days, &entry);
            aggregate::count(&mut self.tallies, &entry);
            if let Some(before) = before {
                if self.recent.len() == REMEMBERED_ANSWERS {
                    self.recent.pop_front();
                }
                self.recent.push_back(Recorded {
                    start,
                    key,
                    entry,
                    before,
                    coverage_before,
                });
            }
        }
        Ok(())
    }

    /// Journal bytes folded since the snapshot was written (at least 1 when the progress was
    /// rebuilt, or changed by an undo, since).
    pub fn unsnapshotted_bytes(&self) -> u64 {
        if !self.stale {
            return 0;
        }
        let snapshot = self.snapshot.clone().unwrap_or_default();
        let grown: u64 = self
            .journals
            .iter()
            .map(|(id, c)| {
                c.bytes
                    .saturating_sub(snapshot.get(id).copied().unwrap_or(0))
            })
            .sum();
        grown.max(1)
    }

    /// Rewrites the snapshot if the journal bytes folded since it was written are many
    /// ([`SNAPSHOT_AFTER_BYTES`], or a quarter of the snapshot's own size if that is more);
    /// says whether it did. The end of a session calls this: the usual session, a few hundred
    /// answers, appends a few tens of KB, and rewriting a snapshot of megabytes for them is
    /// most of what ending it would cost. Each start reads the journals after the snapshot
    /// anyway, so leaving them there loses nothing and costs the next start at most that
    /// threshold's worth of reading.
    ///
    /// Why these numbers: a rewrite costs about the snapshot's size, and happens only after a
    /// quarter of that size was appended, so writing snapshots costs at most four bytes per byte
    /// of journal appended: constant per answer, whatever the history (O(1) amortised). Below
    /// 1 MiB (about 6,000 answers) the tail reads in a few milliseconds, so small collections
    /// are not rewritten after every session either.
    pub fn checkpoint(&mut self) -> Result<bool, Error> {
        let threshold = SNAPSHOT_AFTER_BYTES.max(self.snapshot_size / 4);
        let tail = self.unsnapshotted_bytes();
        // No snapshot, one that no longer matched, or entries it cannot simply be extended
        // with (another device's, older than what it folded): the next start would read every
        // journal from the start again, so any tail is worth a snapshot.
        if tail >= threshold || (self.rebuilt && tail > 0) {
            self.write_snapshot()?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Rewrites this device's snapshot to include everything folded so far (atomically: a
    /// crash leaves either the old snapshot or the new one).
    pub fn write_snapshot(&mut self) -> Result<(), Error> {
        assert_eq!(self.access, Access::Exclusive);
        let path = self.local.join(SNAPSHOT_FILE);
        let journals: BTreeMap<String, Coverage> = self
            .journals
            .iter()
            .filter(|(_, c)| c.bytes > 0)
            .map(|(id, c)| (id.as_str().to_owned(), c.clone()))
            .collect();
        let day_index: BTreeMap<String, DayIndex> = self
            .day_index
            .iter()
            .filter(|(id, index)| !index.is_empty() && journals.contains_key(id.as_str()))
            .map(|(id, index)| (id.as_str().to_owned(), index.clone()))
            .collect();
        let text = snapshot::text(
            self.device.as_str(),
            &journals,
            self.frontier.as_ref(),
            &self.items,
            &self.days,
            &self.tallies,
            &day_index,
        );
        write_atomically(&path, text.as_bytes())?;
        self.snapshot_size = text.len() as u64;
        self.rebuilt = false;
        let value = Compiled::new(Snapshot {
            format: snapshot::FORMAT,
            device: self.device.as_str().to_owned(),
            journals,
            frontier: self.frontier.clone(),
            items: &self.items,
            days: &self.days,
            tallies: &self.tallies,
            day_index: &day_index,
        });
        cache::save_snapshot(&self.local, &path, text.as_bytes(), &value);
        self.snapshot = Some(
            self.journals
                .iter()
                .map(|(id, c)| (id.clone(), c.bytes))
                .collect(),
        );
        self.stale = false;
        Ok(())
    }
}

/// Makes the answers just written to `journal` durable (`fdatasync`): the one place this is
/// done, and the seam a test watches to prove it happens before an answer is confirmed.
fn sync_answers(journal: &File) -> std::io::Result<()> {
    journal.sync_data()?;
    #[cfg(test)]
    tests::SYNCED_LENGTHS.with(|lengths| {
        lengths
            .borrow_mut()
            .push(journal.metadata().map_or(0, |m| m.len()))
    });
    Ok(())
}

/// The snapshot in `local`, if there is a sound one for `device`. One that cannot be read or
/// holds an impossible value is set aside by the lock holder (and ignored by a reader), with a
/// note: it is only a summary of the journals, which rebuild it.
fn read_snapshot(
    local: &Path,
    device: &DeviceId,
    access: Access,
    notices: &mut Vec<Notice>,
) -> Result<Option<Snapshot>, Error> {
    let path = local.join(SNAPSHOT_FILE);
    // Read only when its compiled copy cannot prove what the file holds (see [`cache`]).
    enum Unread {
        Absent,
        Failed(Error),
        Unusable(String),
    }
    let read = || {
        match files::read_regular(&path) {
        Ok(bytes) => Ok(bytes),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Err(Unread::Absent)
        }
        Err(Error::NotAFile { kind, .. }) => Err(Unread::Failed(Error::DamagedProgress(
            Diagnostic::error(
                "K101",
                path.display().to_string(),
                format!("the progress snapshot is {kind}, not a file"),
            )
            .with_help(format!(
                "{} only summarises the journals, which hold every answer: move it aside and run knead again to rebuild it; nothing is lost",
                path.display()
            )),
        ))),
        Err(error) => Err(Unread::Failed(error)),
    }
    };
    let writes = match access {
        Access::Exclusive => cache::Writes::Allowed,
        Access::ReadOnly => cache::Writes::Never,
    };
    let parsed = cache::load_snapshot(local, &path, writes, read, |bytes| {
        std::str::from_utf8(bytes)
            .map_err(|_| "it is not UTF-8 text".to_owned())
            .and_then(|text| {
                ron::from_str::<Snapshot>(text).map_err(|e| {
                    format!(
                        "it does not read as a snapshot at line {}, column {}: {}",
                        e.span.start.line, e.span.start.col, e.code
                    )
                })
            })
            .map(Compiled::of)
            .map_err(Unread::Unusable)
    });
    let parsed = match parsed {
        Ok(compiled) => Ok(compiled.into_snapshot()),
        Err(Unread::Absent) => return Ok(None),
        Err(Unread::Failed(error)) => return Err(error),
        Err(Unread::Unusable(reason)) => Err(reason),
    };
    let problem = match &parsed {
        Ok(snapshot) if snapshot.device != device.as_str() => Some(format!(
            "it is the snapshot of device {}, not of this one",
            snapshot.device
        )),
        Ok(snapshot) => snapshot::problem(snapshot, &path),
        Err(reason) => Some(reason.clone()),
    };
    match problem {
        None => Ok(parsed.ok()),
        Some(reason) => {
            set_aside_or_ignore(&path, &reason, access, notices)?;
            Ok(None)
        }
    }
}

/// Says that the snapshot at `path` does not hold (`reason`) and that the progress comes from
/// the journals; the lock holder also sets it aside.
fn set_aside_or_ignore(
    path: &Path,
    reason: &str,
    access: Access,
    notices: &mut Vec<Notice>,
) -> Result<(), Error> {
    match access {
        Access::Exclusive => {
            let aside = fs::set_aside(path)?;
            notices.push(Notice(format!(
                "{} did not match the journals ({reason}). The journals hold every answer, so your progress was rebuilt from them and the old summary set aside as {}; no answer was lost",
                path.display(),
                aside.display(),
            )));
        }
        Access::ReadOnly => notices.push(Notice(format!(
            "{} does not match the journals ({reason}); the progress shown is rebuilt from them, which hold every answer. The next study session sets it aside",
            path.display(),
        ))),
    }
    Ok(())
}

/// The progress from `snapshot` and what the journals hold after it, when that is all that is
/// needed: the snapshot still matches every journal it covers, and every new entry sorts after
/// everything it folded (the usual case: nothing new from another device, or only entries
/// made later). Otherwise says why the journals must be read from the start ([`Rebuild`]): a
/// snapshot that no longer matches (the caller sets it aside, with a note, once the rebuild has
/// read every journal), a journal the snapshot does not know, or entries from another device
/// older than what it folded (both machines studied while apart).
fn incremental(
    paths: &BTreeMap<DeviceId, PathBuf>,
    device: &DeviceId,
    snapshot: Snapshot,
) -> Result<Folded, Rebuild> {
    let mut mismatch = None;
    let mut coverage: BTreeMap<DeviceId, Coverage> = BTreeMap::new();
    for (id, covered) in &snapshot.journals {
        let Some(id) = DeviceId::parse(id) else {
            mismatch = Some(format!("it names a journal `{id}` that cannot exist"));
            break;
        };
        match paths.get(&id) {
            None => mismatch = Some(format!("the journal of {id} is gone")),
            Some(path) => {
                mismatch = journal::covers(
                    path,
                    owner(&id, device),
                    covered.bytes,
                    covered.last_line.as_deref(),
                )
                .map_err(Rebuild::Failed)?
            }
        }
        if mismatch.is_some() {
            break;
        }
        coverage.insert(id, covered.clone());
    }
    let mut tails = Vec::new();
    if mismatch.is_none() {
        for (id, path) in paths {
            let covered = coverage.get(id).cloned().unwrap_or_default();
            let owner = owner(id, device);
            match journal::read_tail(path, covered.bytes, covered.lines, owner, |_| true) {
                Ok(tail) => tails.push((id.clone(), covered, tail)),
                Err(TailError::Mismatch(reason)) => {
                    mismatch = Some(reason);
                    break;
                }
                Err(TailError::Failed(Error::DamagedProgress(_))) if covered.bytes > 0 => {
                    // Counted from the start, the damage has its true line number; if the
                    // whole journal reads, the snapshot's line count was the problem.
                    journal::read_whole(path, owner, |_| true).map_err(Rebuild::Failed)?;
                    mismatch = Some(format!("its line count does not match {}", path.display()));
                    break;
                }
                Err(TailError::Failed(error)) => return Err(Rebuild::Failed(error)),
            }
        }
    }
    if let Some(reason) = mismatch {
        return Err(Rebuild::Mismatch(reason));
    }
    let frontier = snapshot.frontier.clone();
    let mut day_index: BTreeMap<DeviceId, DayIndex> = snapshot
        .day_index
        .into_iter()
        .filter_map(|(id, index)| Some((DeviceId::parse(&id)?, index)))
        .collect();
    let mut entries = Vec::new();
    let mut journals = BTreeMap::new();
    let (mut own_torn, mut own_unterminated) = (None, false);
    for (id, covered, tail) in tails {
        if !tail.entries.is_empty() {
            // A journal the snapshot never saw (a new device), or entries not after what was
            // folded (machines that studied while apart): merge everything from the start.
            if !coverage.contains_key(&id) {
                return Err(Rebuild::Needed);
            }
            let mut floor = frontier.as_ref().map(|f| f.at);
            for (n, (_, entry)) in tail.entries.iter().enumerate() {
                if floor.is_some_and(|at| entry.at < at || (n == 0 && entry.at == at)) {
                    return Err(Rebuild::Needed);
                }
                floor = Some(entry.at);
            }
        }
        if id == *device {
            own_torn = tail.torn;
            own_unterminated = tail.unterminated;
        }
        let grown = Coverage {
            bytes: tail.complete_end,
            lines: tail.lines,
            last_line: tail.last_line.clone().or(covered.last_line),
            latest: covered
                .latest
                .max(tail.entries.iter().map(|(_, e)| e.at).max()),
        };
        let index = day_index.entry(id.clone()).or_default();
        for start in &tail.day_starts {
            index_line(index, start.day, start.offset, start.lines);
        }
        entries.extend(keyed(&id, tail.entries));
        journals.insert(id, grown);
    }
    merge::sort(&mut entries);
    let mut items = snapshot.items;
    let mut days = snapshot.days;
    let mut tallies = snapshot.tallies;
    merge::fold(&entries, &mut items, &mut days, &mut tallies);
    let frontier = entries.last().map(|k| k.key.clone()).max(frontier);
    Ok(Folded {
        items,
        days,
        tallies,
        day_index,
        journals,
        frontier,
        own_torn,
        own_unterminated,
    })
}

/// Why the journals must be read from the start.
enum Rebuild {
    /// The snapshot no longer matches them: it is set aside, with a note.
    Mismatch(String),
    /// Entries it cannot simply be extended with (another device's, older than what it folded;
    /// a new device's journal).
    Needed,
    /// A journal could not be read.
    Failed(Error),
}

fn owner(id: &DeviceId, device: &DeviceId) -> Owner {
    if id == device {
        Owner::ThisDevice
    } else {
        Owner::Other
    }
}

/// A read of an indexed journal that found it no longer as the snapshot describes it (it was
/// opened a moment ago, so it changed while it was read).
fn changed_while_read(path: &Path, error: TailError) -> Error {
    match error {
        TailError::Failed(error) => error,
        TailError::Mismatch(reason) => Error::Io {
            action: "read",
            path: path.to_owned(),
            source: std::io::Error::other(format!(
                "the journal changed while it was read ({reason}); run the command again"
            )),
        },
    }
}

/// A journal's entries with their merge keys.
fn keyed(id: &DeviceId, entries: Vec<(u64, LogEntry)>) -> impl Iterator<Item = Keyed> + '_ {
    entries.into_iter().map(move |(line, entry)| Keyed {
        key: Key {
            at: entry.at,
            device: id.as_str().to_owned(),
            line,
        },
        entry,
    })
}

/// The progress from every journal, read from the start; this device's journal only up to
/// `own_end` when given (an undo about to cut the rest).
fn rebuild(
    paths: &BTreeMap<DeviceId, PathBuf>,
    device: &DeviceId,
    own_end: Option<u64>,
) -> Result<Folded, Error> {
    let mut entries = Vec::new();
    let mut journals = BTreeMap::new();
    let mut day_index = BTreeMap::new();
    let (mut own_torn, mut own_unterminated) = (None, false);
    for (id, path) in paths {
        let owner = owner(id, device);
        let mut tail = journal::read_whole(path, owner, |_| true)?;
        if owner == Owner::ThisDevice {
            own_torn = tail.torn;
            own_unterminated = tail.unterminated;
            if let Some(end) = own_end {
                tail.entries.retain(|(line, _)| *line < end);
                tail.day_starts.retain(|start| start.lines + 1 < end);
            }
        }
        day_index.insert(id.clone(), std::mem::take(&mut tail.day_starts));
        journals.insert(
            id.clone(),
            Coverage {
                bytes: tail.complete_end,
                lines: tail.lines,
                last_line: tail.last_line.clone(),
                latest: tail.entries.iter().map(|(_, e)| e.at).max(),
            },
        );
        entries.extend(keyed(id, tail.entries));
    }
    merge::sort(&mut entries);
    let mut items = ItemMap::default();
    let mut days = StudyDays::new();
    let mut tallies = Tallies::default();
    merge::fold(&entries, &mut items, &mut days, &mut tallies);
    Ok(Folded {
        items,
        days,
        tallies,
        day_index,
        journals,
        frontier: entries.last().map(|k| k.key.clone()),
        own_torn,
        own_unterminated,
    })
}

/// Every answer in `dir`'s journals, in merge order, for reports (an unfinished last line is
/// left out). `device` is this machine, whose complete last answer without a newline counts.
pub fn history(dir: &Path, device: &DeviceId) -> Result<Vec<LogEntry>, Error> {
    history_where(dir, device, |_| true, |_| true)
}

/// The answers in `dir`'s journals for `items` only, in merge order (for a report on a few
/// items: only the lines that name them are parsed, found by a byte search,
/// [`journal::entries_naming`]).
pub fn history_of(
    dir: &Path,
    device: &DeviceId,
    wanted: &journal::Wanted<'_>,
) -> Result<Vec<LogEntry>, Error> {
    let mut notices = Vec::new();
    let mut entries = Vec::new();
    for (id, path) in journals(dir, device, &mut notices)? {
        let found = journal::entries_naming(&path, owner(&id, device), wanted)?;
        // Byte offsets order one journal's entries as their line numbers do.
        entries.extend(keyed(&id, found));
    }
    merge::sort(&mut entries);
    Ok(merge::distinct(entries))
}

/// The progress and the answers of `items` alone, for a report on one card: both from the
/// lines that name them ([`history_of`]), without loading every item's progress. An item's
/// progress is the fold of its own entries ([`apply`] changes only the item an entry names),
/// except for a card that took over another's progress (`Carried`): then the progress comes
/// from the whole store.
pub fn progress_of(
    dir: &Path,
    device: &DeviceId,
    items: &[&str],
) -> Result<(ItemMap, Vec<LogEntry>), Error> {
    let history = history_of(dir, device, &journal::Wanted::Items(items))?;
    let progress = progress_from(dir, device, items, &history)?;
    Ok((progress, history))
}

/// The progress of `items` from `history`, their answers alone ([`progress_of`]).
pub fn progress_from(
    dir: &Path,
    device: &DeviceId,
    items: &[&str],
    history: &[LogEntry],
) -> Result<ItemMap, Error> {
    if history
        .iter()
        .any(|entry| entry.kind == ReviewKind::Carried)
    {
        let (store, _) = Store::open_with(dir, Access::ReadOnly, device)?;
        return Ok(items
            .iter()
            .filter_map(|item| Some(((*item).to_owned(), store.get(item)?.clone())))
            .collect());
    }
    let mut progress = ItemMap::default();
    for entry in history {
        apply(&mut progress, entry);
    }
    Ok(progress)
}

fn history_where(
    dir: &Path,
    device: &DeviceId,
    wanted: impl Fn(&str) -> bool + Copy,
    keep: impl Fn(&LogEntry) -> bool,
) -> Result<Vec<LogEntry>, Error> {
    let mut notices = Vec::new();
    let mut entries = Vec::new();
    for (id, path) in journals(dir, device, &mut notices)? {
        let mut tail = journal::read_whole(&path, owner(&id, device), wanted)?;
        tail.entries.retain(|(_, entry)| keep(entry));
        entries.extend(keyed(&id, tail.entries));
    }
    merge::sort(&mut entries);
    Ok(merge::distinct(entries))
}

/// A value as RON on a single line, spaced for reading: `(grade: 4, due: "2026-11-27")`.
pub(crate) fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new()
        .new_line("")
        .indentor("")
        .compact_structs(true)
        .compact_arrays(true)
        .compact_maps(true);
    ron::ser::to_string_pretty(value, config).expect("progress values always serialise")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::Change;
    use jiff::civil::Date;
    use journal::{LinesBackward, read_written_line};
    use proptest::prelude::*;
    use std::fs;

    fn day(d: &str) -> Date {
        d.parse().unwrap()
    }

    fn entry(item: &str, on: &str, grade: u8, kind: ReviewKind) -> LogEntry {
        LogEntry {
            at: "2026-11-21T10:00:00Z".parse().unwrap(),
            day: day(on),
            item: item.to_owned(),
            kind,
            grade,
            took_ms: 1200,
            repetitions: 1,
            interval_days: 1,
            easiness: 2.5,
            due: day(on).tomorrow().unwrap(),
            rev: 0,
            from: None,
            chose: None,
            first: false,
        }
    }

    /// This device's journal and snapshot, relative to the data directory.
    const LOG: &str = "journal/unit-test.log";
    const SNAPSHOT: &str = "local/unit-test/progress.ron";

    fn history(dir: &Path) -> Result<Vec<LogEntry>, Error> {
        super::history(dir, &device("unit-test"))
    }

    fn history_of(dir: &Path, items: &[&str]) -> Result<Vec<LogEntry>, Error> {
        super::history_of(dir, &device("unit-test"), &journal::Wanted::Items(items))
    }

    fn open(dir: &Path) -> (Store, Vec<Notice>) {
        Store::open(dir, Access::Exclusive).unwrap()
    }

    #[test]
    fn reviews_at_the_easiness_floor_are_counted_until_one_rises_above_it() {
        let mut items = ItemMap::default();
        let at = |easiness, rev| LogEntry {
            easiness,
            rev,
            ..entry("d/a", "2026-11-20", 1, ReviewKind::Review)
        };
        for easiness in [1.5, 1.3, 1.3, 1.3] {
            apply(&mut items, &at(easiness, 0));
        }
        assert_eq!(items["d/a"].floor_reviews, 3);
        apply(&mut items, &entry("d/a", "2026-11-21", 5, ReviewKind::Cram));
        assert_eq!(items["d/a"].floor_reviews, 3, "cramming changes nothing");
        apply(&mut items, &at(1.4, 2));
        assert_eq!(
            (
                items["d/a"].floor_reviews,
                items["d/a"].rev,
                items["d/a"].lapses
            ),
            (0, 2, 5)
        );
    }

    #[test]
    fn log_lines_are_single_readable_lines() {
        let line = one_line(&entry("d/a#1", "2026-11-20", 4, ReviewKind::Review));
        assert_eq!(
            line,
            r#"(at: "2026-11-21T10:00:00Z", day: "2026-11-20", item: "d/a#1", kind: Review, grade: 4, took_ms: 1200, repetitions: 1, interval_days: 1, easiness: 2.5, due: "2026-11-21")"#
        );
    }

    #[test]
    fn answers_survive_reopening_with_and_without_a_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            store
                .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
                .unwrap();
            store.write_snapshot().unwrap();
            store
                .record(&entry("d/b", "2026-11-21", 2, ReviewKind::Review))
                .unwrap();
            store
                .record(&entry("d/b", "2026-11-21", 5, ReviewKind::Drill))
                .unwrap();
        }
        let (store, notices) = open(dir.path());
        assert!(notices.is_empty());
        assert_eq!(store.items().len(), 2);
        let b = store.get("d/b").unwrap();
        assert_eq!(
            (b.reviews, b.lapses),
            (1, 1),
            "a drill does not count as a review"
        );
        assert_eq!(store.get("d/a").unwrap().introduced, day("2026-11-20"));
    }

    #[test]
    fn a_second_exclusive_open_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let (_first, _) = open(dir.path());
        let second = Store::open(dir.path(), Access::Exclusive);
        assert!(matches!(second, Err(Error::Busy { .. })), "{second:?}");
        assert!(Store::open(dir.path(), Access::ReadOnly).is_ok());
    }

    #[test]
    fn a_torn_last_line_is_repaired_only_by_the_lock_holder() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            store
                .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
                .unwrap();
        }
        let log = dir.path().join(LOG);
        let whole = fs::read(&log).unwrap();
        let mut torn = whole.clone();
        torn.extend_from_slice(b"(at: \"2026-11-21T1");
        fs::write(&log, &torn).unwrap();

        let (reader, notices) = Store::open(dir.path(), Access::ReadOnly).unwrap();
        assert!(notices.is_empty());
        assert_eq!(reader.items().len(), 1);
        assert_eq!(fs::read(&log).unwrap(), torn, "a reader changes nothing");
        drop(reader);

        let (mut store, notices) = open(dir.path());
        assert_eq!(notices.len(), 1);
        assert!(notices[0].0.contains("line 2"), "{notices:?}");
        assert_eq!(fs::read(&log).unwrap(), whole);
        store
            .record(&entry("d/b", "2026-11-21", 4, ReviewKind::Review))
            .unwrap();
        drop(store);
        assert_eq!(open(dir.path()).0.items().len(), 2);
    }

    #[test]
    fn damage_in_the_middle_of_the_log_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            for item in ["d/a", "d/b", "d/c"] {
                store
                    .record(&entry(item, "2026-11-20", 4, ReviewKind::Review))
                    .unwrap();
            }
        }
        let log = dir.path().join(LOG);
        let text = fs::read_to_string(&log).unwrap();
        let damaged = text.replacen(
            "(at: \"2026-11-21T10:00:00Z\", day",
            "(at: \"2026-11-21T10:00:00Z\" day",
            2,
        );
        // Only the second occurrence matters; restore the first.
        let damaged = damaged.replacen(
            "(at: \"2026-11-21T10:00:00Z\" day",
            "(at: \"2026-11-21T10:00:00Z\", day",
            1,
        );
        fs::write(&log, &damaged).unwrap();
        let error = Store::open(dir.path(), Access::Exclusive).unwrap_err();
        let Error::DamagedProgress(diagnostic) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(diagnostic.marks[0].line, 2);
        assert!(diagnostic.help.as_ref().unwrap().contains("line 2"));
        assert_eq!(
            fs::read_to_string(&log).unwrap(),
            damaged,
            "never rewritten"
        );
    }

    #[test]
    fn a_damaged_snapshot_is_set_aside_and_rebuilt_from_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            store
                .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
                .unwrap();
            store.write_snapshot().unwrap();
        }
        let snapshot = dir.path().join(SNAPSHOT);
        let text = fs::read_to_string(&snapshot).unwrap();
        let damaged = text.replace("easiness: 2.5", "easiness: two");
        fs::write(&snapshot, &damaged).unwrap();
        let (reader, notices) = Store::open(dir.path(), Access::ReadOnly).unwrap();
        assert_eq!(reader.items().len(), 1);
        assert!(
            notices[0].0.contains("progress.ron does not match"),
            "{notices:?}"
        );
        assert!(notices[0].0.contains("line 10"), "{notices:?}");
        assert_eq!(
            fs::read_to_string(&snapshot).unwrap(),
            damaged,
            "a reader changes nothing"
        );
        drop(reader);
        let (store, notices) = open(dir.path());
        assert_eq!(store.items().len(), 1);
        assert!(notices[0].0.contains("no answer was lost"), "{notices:?}");
        assert_eq!(set_aside_snapshots(dir.path()).len(), 1);
    }

    /// Five answers on d/a..d/e, with a snapshot after the third.
    fn five_with_a_snapshot_after_three(dir: &Path) -> Vec<LogEntry> {
        let entries: Vec<LogEntry> = ["d/a", "d/b", "d/c", "d/d", "d/e"]
            .iter()
            .map(|item| entry(item, "2026-11-20", 4, ReviewKind::Review))
            .collect();
        let (mut store, _) = open(dir);
        store.record_all(&entries[..3]).unwrap();
        store.write_snapshot().unwrap();
        store.record_all(&entries[3..]).unwrap();
        entries
    }

    fn set_aside_snapshots(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir.join("local/unit-test"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("progress.ron.bad-"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_snapshot_the_log_does_not_bear_out_is_set_aside_and_the_log_believed() {
        // Each edit leaves a log whose every line is a valid answer, but which the snapshot
        // no longer describes. The old reader cut lines at the snapshot's offset and called
        // valid answers damaged; now the log decides, and no line is lost.
        type Edit = fn(&str) -> String;
        let edits: [(&str, Edit, usize); 4] = [
            // A hand edit shortens line 1: the offset falls inside line 3 ("delete line 4"
            // advice would have deleted valid answers, one per try).
            (
                "not the end of a line",
                |log| log.replacen("took_ms: 1200", "took_ms: 12", 1),
                5,
            ),
            // Lines lost at the end (a backup restored): shorter than the snapshot says.
            (
                "which has",
                |log| log.lines().take(2).map(|l| format!("{l}\n")).collect(),
                2,
            ),
            ("which has 0", |_| String::new(), 0),
            // An extra answer of the same length merged in at the top: the offset still falls
            // on a line start, but not after the answer the snapshot summarised last.
            (
                "not the one it folded last",
                |log| {
                    format!(
                        "{}\n{log}",
                        log.lines().nth(4).unwrap().replace("d/e", "d/z")
                    )
                },
                6,
            ),
        ];
        for (reason, edit, lines) in edits {
            let dir = tempfile::tempdir().unwrap();
            five_with_a_snapshot_after_three(dir.path());
            let log_path = dir.path().join(LOG);
            let edited = edit(&fs::read_to_string(&log_path).unwrap());
            fs::write(&log_path, &edited).unwrap();
            let expected = fold(&history(dir.path()).unwrap()).0;
            assert_eq!(history(dir.path()).unwrap().len(), lines);

            // A reader believes the log and changes nothing.
            let (reader, notices) = Store::open(dir.path(), Access::ReadOnly).unwrap();
            assert_eq!(reader.items(), &expected, "{reason}");
            assert_eq!(notices.len(), 1, "{notices:?}");
            assert!(notices[0].0.contains(reason), "{notices:?}");
            assert!(dir.path().join(SNAPSHOT).exists());
            drop(reader);

            // The lock holder sets the snapshot aside, says so, and keeps every line.
            let (mut store, notices) = open(dir.path());
            assert_eq!(store.items(), &expected, "{reason}");
            assert_eq!(notices.len(), 1, "{notices:?}");
            let notice = &notices[0].0;
            assert!(notice.contains("progress.ron did not match"), "{notice}");
            assert!(notice.contains("no answer was lost"), "{notice}");
            let aside = set_aside_snapshots(dir.path());
            assert_eq!(aside.len(), 1);
            assert!(notice.contains(&aside[0]), "{notice}");
            assert!(!dir.path().join(SNAPSHOT).exists());
            assert_eq!(
                fs::read_to_string(&log_path).unwrap(),
                edited,
                "log untouched"
            );
            store
                .record(&entry("d/f", "2026-11-21", 4, ReviewKind::Review))
                .unwrap();
            store.write_snapshot().unwrap();
            drop(store);
            let (store, notices) = open(dir.path());
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(store.items().len(), expected.len() + 1);
        }
    }

    #[test]
    fn damage_after_a_snapshot_with_a_wrong_line_count_is_reported_at_its_true_line() {
        let dir = tempfile::tempdir().unwrap();
        five_with_a_snapshot_after_three(dir.path());
        let snapshot = dir.path().join(SNAPSHOT);
        let text = fs::read_to_string(&snapshot).unwrap();
        fs::write(&snapshot, text.replace("log_lines: 3,", "log_lines: 40,")).unwrap();
        let log = dir.path().join(LOG);
        let text = fs::read_to_string(&log).unwrap();
        let damaged = text.replacen("d/d\", kind", "d/d\" kind", 1);
        assert_ne!(damaged, text);
        fs::write(&log, &damaged).unwrap();
        let error = Store::open(dir.path(), Access::Exclusive).unwrap_err();
        let Error::DamagedProgress(diagnostic) = &error else {
            panic!("{error:?}")
        };
        assert_eq!(diagnostic.path, log.display().to_string());
        assert_eq!(diagnostic.marks[0].line, 4);
        assert!(diagnostic.help.as_ref().unwrap().contains("line 4"));
        assert_eq!(fs::read_to_string(&log).unwrap(), damaged);
    }

    #[test]
    fn a_complete_last_answer_without_its_newline_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let entries = five_with_a_snapshot_after_three(dir.path());
        let log = dir.path().join(LOG);
        let text = fs::read_to_string(&log).unwrap();
        let unterminated = text.strip_suffix('\n').unwrap().to_owned();
        fs::write(&log, &unterminated).unwrap();

        let (reader, notices) = Store::open(dir.path(), Access::ReadOnly).unwrap();
        assert!(notices.is_empty());
        assert_eq!(reader.items(), &fold(&entries).0);
        assert_eq!(history(dir.path()).unwrap(), entries);
        assert_eq!(
            fs::read_to_string(&log).unwrap(),
            unterminated,
            "a reader changes nothing"
        );
        drop(reader);

        let (mut store, notices) = open(dir.path());
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0]
                .0
                .contains("line 5, a complete answer, lacked the newline"),
            "{notices:?}"
        );
        assert_eq!(
            fs::read_to_string(&log).unwrap(),
            text,
            "the newline is added"
        );
        assert_eq!(store.items(), &fold(&entries).0);
        let sixth = entry("d/f", "2026-11-21", 4, ReviewKind::Review);
        store.record(&sixth).unwrap();
        drop(store);
        let mut all = entries.clone();
        all.push(sixth);
        assert_eq!(history(dir.path()).unwrap(), all);
    }

    #[test]
    fn a_snapshots_last_answer_without_its_newline_is_kept_and_the_snapshot_too() {
        let dir = tempfile::tempdir().unwrap();
        let entries = five_with_a_snapshot_after_three(dir.path());
        {
            let (mut store, _) = open(dir.path());
            store.write_snapshot().unwrap();
        }
        let log = dir.path().join(LOG);
        let text = fs::read_to_string(&log).unwrap();
        fs::write(&log, text.strip_suffix('\n').unwrap()).unwrap();
        let (reader, notices) = Store::open(dir.path(), Access::ReadOnly).unwrap();
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(reader.items(), &fold(&entries).0);
        drop(reader);
        let (store, notices) = open(dir.path());
        assert_eq!(notices.len(), 1, "only the newline is mended: {notices:?}");
        assert!(
            notices[0]
                .0
                .contains("line 5, a complete answer, lacked the newline")
        );
        assert!(set_aside_snapshots(dir.path()).is_empty());
        assert_eq!(fs::read_to_string(&log).unwrap(), text);
        assert_eq!(store.items(), &fold(&entries).0);
    }

    #[test]
    fn the_line_before_an_offset_is_read_back_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let long = "x".repeat(10_000);
        fs::write(&path, format!("first\n{long}\nlast")).unwrap();
        assert_eq!(journal::line_ending_at(&path, 5).unwrap(), b"first");
        assert_eq!(
            journal::line_ending_at(&path, 6 + 10_000).unwrap(),
            long.as_bytes()
        );
        assert_eq!(
            journal::line_ending_at(&path, 6 + 10_001 + 4).unwrap(),
            b"last"
        );
        assert_eq!(journal::line_ending_at(&path, 0).unwrap(), b"");
    }

    #[test]
    fn zero_bytes_anywhere_in_the_log_are_refused_and_never_cut() {
        let dir = tempfile::tempdir().unwrap();
        five_with_a_snapshot_after_three(dir.path());
        let log = dir.path().join(LOG);
        let text = fs::read_to_string(&log).unwrap();
        let line = text.lines().next().unwrap().len() + 1;
        let mut cases: Vec<(Vec<u8>, u64)> = Vec::new();
        // A power cut that left the end of the file as zeros, after the last newline.
        let mut tail = text.clone().into_bytes();
        tail.extend(std::iter::repeat_n(0u8, 300));
        cases.push((tail, 6));
        // Zeros in place of whole lines, newlines and all.
        let mut middle = text.clone().into_bytes();
        middle[line..3 * line].fill(0);
        cases.push((middle, 2));
        // A log that is nothing but zeros.
        cases.push((vec![0; text.len()], 1));
        // Zeros after the snapshot's offset, with newlines kept.
        let mut late = text.clone().into_bytes();
        let start = 3 * line + 5;
        late[start..start + 10].fill(0);
        cases.push((late, 4));
        for (bytes, line) in cases {
            fs::write(&log, &bytes).unwrap();
            for access in [Access::ReadOnly, Access::Exclusive] {
                let error = Store::open(dir.path(), access).unwrap_err();
                let Error::DamagedProgress(diagnostic) = &error else {
                    panic!("{error:?}")
                };
                assert_eq!(diagnostic.path, log.display().to_string());
                assert!(
                    diagnostic
                        .message
                        .contains(&format!("zero bytes from line {line} on")),
                    "{diagnostic:?}"
                );
                assert!(
                    diagnostic
                        .help
                        .as_ref()
                        .unwrap()
                        .contains("knead will not change the file")
                );
                assert_eq!(fs::read(&log).unwrap(), bytes, "never cut or appended to");
            }
            assert!(set_aside_snapshots(dir.path()).is_empty());
        }
    }

    #[test]
    fn the_lock_holder_removes_temporary_files_left_by_a_killed_save() {
        let dir = tempfile::tempdir().unwrap();
        let left = [
            dir.path().join(".tmpA1b2C3"),
            dir.path().join("decks/.tmpD4e5F6"),
            dir.path().join("local/unit-test/seen/.tmpG7h8I9"),
        ];
        for path in &left {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, vec![b'x'; 4096]).unwrap();
        }
        let keep = dir.path().join("decks/mine.ron");
        fs::write(&keep, "").unwrap();
        drop(Store::open(dir.path(), Access::ReadOnly).unwrap());
        assert!(left.iter().all(|p| p.exists()), "a reader removes nothing");
        drop(open(dir.path()));
        assert!(left.iter().all(|p| !p.exists()));
        assert!(keep.exists());
    }

    #[cfg(unix)]
    #[test]
    fn progress_files_that_are_devices_are_refused_as_damaged_without_reading_them() {
        for name in [SNAPSHOT, LOG] {
            let dir = tempfile::tempdir().unwrap();
            fs::create_dir_all(dir.path().join(name).parent().unwrap()).unwrap();
            std::os::unix::fs::symlink("/dev/zero", dir.path().join(name)).unwrap();
            for access in [Access::ReadOnly, Access::Exclusive] {
                let error = Store::open(dir.path(), access).unwrap_err();
                let Error::DamagedProgress(diagnostic) = &error else {
                    panic!("{error:?}")
                };
                assert!(
                    diagnostic
                        .message
                        .ends_with("is a character device, not a file")
                );
                assert!(diagnostic.path.ends_with(name), "{diagnostic:?}");
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_fails_the_save_and_says_every_confirmed_answer_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = open(dir.path());
        // Every write to /dev/full fails with ENOSPC.
        fs::remove_file(dir.path().join(LOG)).unwrap();
        std::os::unix::fs::symlink("/dev/full", dir.path().join(LOG)).unwrap();
        let error = store
            .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
            .unwrap_err();
        assert!(
            matches!(&error, Error::Io { source, .. } if crate::error::is_disk_full(source)),
            "{error:?}"
        );
        assert!(
            error
                .help()
                .unwrap()
                .contains("Every answer knead confirmed is saved")
        );
        assert!(
            store.items().is_empty(),
            "the answer is not counted as saved"
        );
    }

    fn fold(entries: &[LogEntry]) -> (ItemMap, StudyDays) {
        let mut items = ItemMap::default();
        let mut days = StudyDays::new();
        for entry in entries {
            apply(&mut items, entry);
            count_day(&mut days, entry);
        }
        (items, days)
    }

    #[test]
    fn undo_on_an_empty_log_undoes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = open(dir.path());
        assert_eq!(store.undo_last().unwrap(), None);
        assert_eq!(fs::read(dir.path().join(LOG)).unwrap(), b"");
    }

    #[test]
    fn undo_restores_the_item_and_reports_what_it_took_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = LogEntry {
            easiness: 1.3,
            ..entry("d/a", "2026-11-20", 1, ReviewKind::Review)
        };
        let second = LogEntry {
            easiness: 1.3,
            interval_days: 6,
            ..entry("d/a", "2026-11-21", 2, ReviewKind::Review)
        };
        let cram = entry("d/a", "2026-11-21", 5, ReviewKind::Cram);
        {
            let (mut store, _) = open(dir.path());
            store.record_all(&[first.clone(), second.clone()]).unwrap();
            store.write_snapshot().unwrap();
            store.record(&cram).unwrap();
        }
        let (mut store, _) = open(dir.path());
        let (items, _) = fold(std::slice::from_ref(&first));
        assert_eq!(
            store.undo_last().unwrap(),
            Some(Undone {
                entry: cram,
                restored: Some(store.get("d/a").unwrap().clone())
            }),
            "a cram answer leaves the schedule as it is"
        );
        assert_eq!(
            store.undo_last().unwrap(),
            Some(Undone {
                entry: second,
                restored: Some(items["d/a"].clone())
            })
        );
        let restored = store.get("d/a").unwrap();
        assert_eq!(
            (restored.reviews, restored.lapses, restored.floor_reviews),
            (1, 1, 1)
        );
        assert_eq!(store.study_days().len(), 1);
        assert_eq!(
            store.undo_last().unwrap(),
            Some(Undone {
                entry: first,
                restored: None
            }),
            "the item is new again"
        );
        assert_eq!(store.undo_last().unwrap(), None);
        drop(store);
        let (store, _) = open(dir.path());
        assert!(store.items().is_empty() && store.study_days().is_empty());
        assert_eq!(fs::read(dir.path().join(LOG)).unwrap(), b"");
    }

    #[test]
    fn a_crash_between_the_snapshot_and_the_cut_reads_as_before_the_undo() {
        let dir = tempfile::tempdir().unwrap();
        let entries = [
            entry("d/a", "2026-11-20", 4, ReviewKind::Review),
            entry("d/a", "2026-11-21", 1, ReviewKind::Review),
        ];
        let (mut store, _) = open(dir.path());
        store.record_all(&entries).unwrap();
        store.write_snapshot().unwrap();
        let before_undo = store.items().clone();
        let log = fs::read(dir.path().join(LOG)).unwrap();
        store.undo_last().unwrap().unwrap();
        drop(store);
        // The undo's first step done, its second not: the new snapshot beside the old log.
        fs::write(dir.path().join(LOG), &log).unwrap();
        let (store, notices) = open(dir.path());
        assert!(notices.is_empty());
        assert_eq!(store.items(), &before_undo);
        assert_eq!(store.study_days(), &fold(&entries).1);
    }

    #[test]
    fn a_snapshot_without_day_counts_gets_them_from_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let entries = [
            entry("d/a", "2026-11-20", 4, ReviewKind::Review),
            entry("d/b", "2026-11-21", 4, ReviewKind::Drill),
        ];
        {
            let (mut store, _) = open(dir.path());
            store.record(&entries[0]).unwrap();
            store.write_snapshot().unwrap();
            store.record(&entries[1]).unwrap();
        }
        let snapshot = dir.path().join(SNAPSHOT);
        let text = fs::read_to_string(&snapshot).unwrap();
        let without = text.replace(r#"    days: {"2026-11-20": 1},"#, "");
        assert_ne!(without, text);
        fs::write(&snapshot, without).unwrap();
        let (store, _) = Store::open(dir.path(), Access::ReadOnly).unwrap();
        assert_eq!(store.study_days(), &fold(&entries).1);
    }

    #[test]
    fn undo_replays_the_whole_log_when_the_item_is_more_than_its_own_latest_entries() {
        let dir = tempfile::tempdir().unwrap();
        let answers = [
            entry("d/a", "2026-11-19", 1, ReviewKind::Review),
            entry("d/a", "2026-11-20", 4, ReviewKind::Review),
            entry("d/a", "2026-11-21", 4, ReviewKind::Review),
        ];
        {
            let (mut store, _) = open(dir.path());
            store.record_all(&answers[..2]).unwrap();
            store.write_snapshot().unwrap();
        }
        // A progress that its latest entries do not give (here a snapshot that lost count of
        // one review): the quick rebuild, which would start from the second answer, fails its
        // check, and the whole log decides.
        let snapshot = dir.path().join(SNAPSHOT);
        let text = fs::read_to_string(&snapshot).unwrap();
        fs::write(&snapshot, text.replace("reviews: 2,", "reviews: 1,")).unwrap();
        let (mut store, _) = open(dir.path());
        store.record(&answers[2]).unwrap();
        drop(store);
        let (mut store, _) = open(dir.path());
        let undone = store.undo_last().unwrap().unwrap();
        let expected = fold(&answers[..2]).0;
        assert_eq!(undone.restored.as_ref(), expected.get("d/a"));
        assert_eq!(store.get("d/a").unwrap().introduced, day("2026-11-19"));
    }

    #[test]
    fn lines_are_read_backwards_across_blocks_with_their_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let text = "first line\n\nsecond, longer than a block\nthird\n";
        fs::write(&path, text).unwrap();
        let mut lines = LinesBackward::open(&path, text.len() as u64, 4).unwrap();
        lines.block = 7;
        let mut seen = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            seen.push((
                line.start,
                line.number,
                String::from_utf8(line.bytes).unwrap(),
            ));
        }
        assert_eq!(
            seen,
            [
                (40, 4, "third".to_owned()),
                (12, 3, "second, longer than a block".to_owned()),
                (11, 2, String::new()),
                (0, 1, "first line".to_owned()),
            ]
        );
    }

    /// A few items, each answered several times, with easiness often at the floor, so that
    /// undo meets every counter.
    fn any_answer() -> impl Strategy<Value = LogEntry> {
        (
            prop::sample::select(vec!["d/a", "d/b", "e/c#2"]),
            0i32..5,
            0u8..=5,
            prop::sample::select(vec![
                ReviewKind::Review,
                ReviewKind::Review,
                ReviewKind::Drill,
                ReviewKind::Cram,
            ]),
            prop::sample::select(vec![1.3, 1.3, 1.46, 2.5]),
            0u32..3,
        )
            .prop_map(|(item, offset, grade, kind, easiness, rev)| {
                let on = day("2026-03-01") + jiff::Span::new().days(offset);
                LogEntry {
                    easiness,
                    rev,
                    kind,
                    day: on,
                    ..entry(item, "2026-03-01", grade, kind)
                }
            })
    }

    fn any_entry() -> impl Strategy<Value = LogEntry> {
        (
            "[a-z]{1,3}/[a-z0-9-]{1,8}(#[1-3])?",
            0i32..400,
            0u8..=5,
            any::<bool>(),
            0u32..40,
            0u32..36_500,
            1.3f64..5.0,
            0u64..100_000,
        )
            .prop_map(
                |(item, offset, grade, drill, repetitions, interval_days, easiness, took_ms)| {
                    let on = day("2026-01-01") + jiff::Span::new().days(offset);
                    LogEntry {
                        at: "2026-01-01T08:30:00Z".parse().unwrap(),
                        day: on,
                        item,
                        kind: if drill {
                            ReviewKind::Drill
                        } else {
                            ReviewKind::Review
                        },
                        grade,
                        took_ms,
                        repetitions,
                        interval_days,
                        easiness,
                        due: on + jiff::Span::new().days(i64::from(interval_days)),
                        rev: 0,
                        from: None,
                        chose: None,
                        first: false,
                    }
                },
            )
    }

    #[test]
    fn history_of_some_items_reads_only_their_answers() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            for item in ["d/a", "d/b", "d/a", "d/c#1"] {
                store
                    .record(&entry(item, "2026-11-20", 4, ReviewKind::Review))
                    .unwrap();
            }
        }
        let log = dir.path().join(LOG);
        let mut text = fs::read_to_string(&log).unwrap();
        // A hand-written line in another layout is still read.
        text.push_str("(item: \"d/c#1\", at: \"2026-11-21T10:00:00Z\", day: \"2026-11-21\", kind: Drill, grade: 5, took_ms: 1, repetitions: 1, interval_days: 1, easiness: 2.5, due: \"2026-11-22\")\n");
        fs::write(&log, text).unwrap();
        let items = |wanted: &[&str]| -> Vec<(String, ReviewKind)> {
            history_of(dir.path(), wanted)
                .unwrap()
                .into_iter()
                .map(|e| (e.item, e.kind))
                .collect()
        };
        assert_eq!(items(&["d/a"]).len(), 2);
        assert_eq!(
            items(&["d/c#1", "d/b"]),
            [
                ("d/b".to_owned(), ReviewKind::Review),
                ("d/c#1".to_owned(), ReviewKind::Review),
                ("d/c#1".to_owned(), ReviewKind::Drill)
            ]
        );
        assert_eq!(history(dir.path()).unwrap().len(), 5);
    }

    #[test]
    fn lines_in_another_layout_are_left_to_ron() {
        let line = one_line(&entry("d/a#1", "2026-11-20", 4, ReviewKind::Review));
        assert!(read_written_line(&line).is_some());
        for other in [
            line.replace(", day", ",day"),
            line.replace("(at", "LogEntry(at"),
            line.replace("d/a#1", "d/a\\u{23}1"),
            line.replace(")", ", undone: true)"),
            line.replace("kind: Review", "kind: Later"),
        ] {
            assert_eq!(read_written_line(&other), None, "{other}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// The fast reader gives exactly what ron gives for every line knead writes, and never
        /// accepts a line ron reads differently.
        #[test]
        fn written_lines_read_fast_as_ron_reads_them(
            mut entry in any_entry(),
            rev in prop_oneof![Just(0u32), 1u32..50],
            cram in any::<bool>(),
            cut in 0usize..200,
            chose in prop_oneof![
                Just(None),
                (0u32..12).prop_map(|n| Some(Chosen::Option(n))),
                any::<bool>().prop_map(|b| Some(Chosen::Bool(b))),
                prop::sample::select(crate::deck::Verdict::ALL.to_vec()).prop_map(|v| Some(Chosen::Verdict(v))),
            ],
            first in any::<bool>(),
        ) {
            entry.rev = rev;
            entry.chose = chose;
            entry.first = first;
            if cram {
                entry.kind = ReviewKind::Cram;
            }
            let line = one_line(&entry);
            let by_ron: LogEntry = ron::from_str(&line).unwrap();
            prop_assert_eq!(read_written_line(&line), Some(by_ron));
            let mut damaged = line.clone();
            damaged.remove(cut.min(line.len() - 1));
            if let Some(fast) = read_written_line(&damaged) {
                prop_assert_eq!(Some(fast), ron::from_str::<LogEntry>(&damaged).ok());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever is recorded, and wherever snapshots fall, reopening yields the same progress
        /// as folding the entries in memory.
        #[test]
        fn reopening_reproduces_the_recorded_progress(
            entries in prop::collection::vec(any_entry(), 0..40),
            snapshot_every in 1usize..10,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut expected = ItemMap::default();
            {
                let (mut store, _) = open(dir.path());
                for (n, e) in entries.iter().enumerate() {
                    store.record(e).unwrap();
                    apply(&mut expected, e);
                    if n % snapshot_every == 0 {
                        store.write_snapshot().unwrap();
                    }
                }
                prop_assert_eq!(store.items(), &expected);
            }
            let (store, notices) = open(dir.path());
            prop_assert!(notices.is_empty());
            prop_assert_eq!(store.items(), &expected);
        }

        /// Recording N answers and undoing the last k leaves the log, the items and the day
        /// counts exactly as recording only the first N-k, whether the answers are undone by
        /// the process that recorded them or after reopening, and wherever snapshots fall.
        #[test]
        fn undoing_k_answers_is_recording_only_the_others(
            entries in prop::collection::vec(any_answer(), 1..30),
            undo_fraction in 0.0f64..=1.0,
            reopen_while_recording in 0.0f64..=1.0,
            reopen_while_undoing in 0.0f64..=1.0,
            snapshot_every in 1usize..8,
        ) {
            let n = entries.len();
            let k = ((n as f64) * undo_fraction).round() as usize;
            let recorded_before_reopen = ((n as f64) * reopen_while_recording) as usize;
            let undone_before_reopen = ((k as f64) * reopen_while_undoing) as usize;
            let dir = tempfile::tempdir().unwrap();
            {
                let (mut store, _) = open(dir.path());
                for (i, e) in entries[..recorded_before_reopen].iter().enumerate() {
                    store.record(e).unwrap();
                    if i % snapshot_every == 0 {
                        store.write_snapshot().unwrap();
                    }
                }
            }
            let (mut store, _) = open(dir.path());
            for (i, e) in entries.iter().enumerate().skip(recorded_before_reopen) {
                store.record(e).unwrap();
                if i % snapshot_every == 0 {
                    store.write_snapshot().unwrap();
                }
            }
            let log = fs::read_to_string(dir.path().join(LOG)).unwrap();
            let mut undone = Vec::new();
            for _ in 0..undone_before_reopen {
                undone.push(store.undo_last().unwrap().expect("an answer to undo"));
            }
            drop(store);
            let (mut store, _) = open(dir.path());
            for _ in undone_before_reopen..k {
                undone.push(store.undo_last().unwrap().expect("an answer to undo"));
            }

            let kept = &entries[..n - k];
            let (items, days) = fold(kept);
            prop_assert_eq!(store.items(), &items);
            prop_assert_eq!(store.study_days(), &days);
            for (j, u) in undone.iter().enumerate() {
                let position = n - 1 - j;
                prop_assert_eq!(&u.entry, &entries[position]);
                let (before, _) = fold(&entries[..position]);
                prop_assert_eq!(&u.restored, &before.get(&u.entry.item).cloned());
            }
            if k == n {
                prop_assert_eq!(store.undo_last().unwrap(), None);
            }
            drop(store);

            let expected_log: String = log.lines().take(n - k).map(|l| format!("{l}\n")).collect();
            prop_assert_eq!(fs::read_to_string(dir.path().join(LOG)).unwrap(), expected_log);
            let (store, notices) = open(dir.path());
            prop_assert!(notices.is_empty());
            prop_assert_eq!(store.items(), &items);
            prop_assert_eq!(store.study_days(), &days);
        }
    }

    thread_local! {
        /// The journal's length at each [`sync_answers`] on this thread.
        pub static SYNCED_LENGTHS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    #[test]
    fn an_answer_is_synced_to_disk_before_record_returns_and_nothing_else_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = open(dir.path());
        store
            .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
            .unwrap();
        store.write_snapshot().unwrap();
        let snapshot = fs::read(dir.path().join(SNAPSHOT)).unwrap();
        SYNCED_LENGTHS.with(|lengths| lengths.borrow_mut().clear());
        for (n, item) in ["d/b", "d/c"].into_iter().enumerate() {
            store
                .record(&entry(item, "2026-11-21", 4, ReviewKind::Review))
                .unwrap();
            let length = fs::metadata(dir.path().join(LOG)).unwrap().len();
            // One sync per answer, done by the time `record` returns, of the journal with
            // this answer in it.
            SYNCED_LENGTHS.with(|lengths| assert_eq!(lengths.borrow().len(), n + 1));
            SYNCED_LENGTHS.with(|lengths| assert_eq!(lengths.borrow()[n], length));
        }
        assert_eq!(
            fs::read(dir.path().join(SNAPSHOT)).unwrap(),
            snapshot,
            "an answer writes only its line"
        );
    }

    // ---- Aggregates: tallies and the index of days ------------------------------------------

    /// What a full recompute from every journal gives: the tallies, and the entries of each
    /// day from `first` on.
    fn recomputed(dir: &Path, id: &str) -> (Tallies, Vec<LogEntry>) {
        let all = super::history(dir, &device(id)).unwrap();
        let mut tallies = Tallies::default();
        for entry in &all {
            aggregate::count(&mut tallies, entry);
        }
        (tallies, all)
    }

    fn assert_aggregates_recomputed(store: &Store, dir: &Path, id: &str) {
        let (tallies, all) = recomputed(dir, id);
        assert_eq!(store.tallies(), &tallies);
        for offset in -1..7 {
            let from = day("2026-03-01") + jiff::Span::new().days(offset);
            let expected: Vec<&LogEntry> = all.iter().filter(|e| e.day >= from).collect();
            let since = store.entries_since(from).unwrap();
            assert_eq!(since.iter().collect::<Vec<_>>(), expected, "from {from}");
            // Streamed (one journal, in two halves) or gathered (several), the same answers,
            // each once.
            let mut streamed = store
                .fold_entries_since(
                    from,
                    Vec::new(),
                    |_| Vec::new(),
                    |found: &mut Vec<String>, entry| found.push(format!("{entry:?}")),
                    |first, second| first.extend(second),
                )
                .unwrap();
            let mut expected: Vec<String> = expected.iter().map(|e| format!("{e:?}")).collect();
            streamed.sort();
            expected.sort();
            assert_eq!(streamed, expected, "streamed from {from}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The tallies and the index of days, kept up as answers are recorded and undone,
        /// saved in snapshots, and folded with another device's journal, are what a full
        /// recompute from the journals gives: whether read from the snapshot and the tails or
        /// rebuilt, and whatever the order of the days (a clock set back).
        #[test]
        fn aggregates_are_a_full_recompute_of_the_journals(
            lab_answers in prop::collection::vec(any_answer(), 0..25),
            laptop_answers in prop::collection::vec(any_answer(), 0..25),
            undo in 0usize..5,
            snapshot_every in 1usize..8,
            laptop_first in any::<bool>(),
            snapshot_at_end in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let laptop = tempfile::tempdir().unwrap();
            {
                // The laptop studies in its own directory; its journal arrives by sync.
                let (mut store, _) = open_as(laptop.path(), "laptop", Access::Exclusive);
                store.record_all(&laptop_answers).unwrap();
            }
            if laptop_first {
                copy_journal(laptop.path(), dir.path(), "laptop");
            }
            {
                let (mut store, _) = open_as(dir.path(), "lab-pc", Access::Exclusive);
                for (i, e) in lab_answers.iter().enumerate() {
                    store.record(e).unwrap();
                    if i % snapshot_every == 0 {
                        store.write_snapshot().unwrap();
                    }
                }
                for _ in 0..undo {
                    store.undo_last().unwrap();
                }
                assert_aggregates_recomputed(&store, dir.path(), "lab-pc");
                if snapshot_at_end {
                    store.write_snapshot().unwrap();
                }
            }
            if !laptop_first {
                copy_journal(laptop.path(), dir.path(), "laptop");
            }
            let (store, _) = open_as(dir.path(), "lab-pc", Access::ReadOnly);
            assert_aggregates_recomputed(&store, dir.path(), "lab-pc");
            drop(store);
            let (mut store, _) = open_as(dir.path(), "lab-pc", Access::Exclusive);
            assert_aggregates_recomputed(&store, dir.path(), "lab-pc");
            store.write_snapshot().unwrap();
            drop(store);
            let (store, _) = open_as(dir.path(), "lab-pc", Access::ReadOnly);
            assert_aggregates_recomputed(&store, dir.path(), "lab-pc");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// One card's progress folded from its own lines is its progress in the store, with
        /// another device's answers and a card that took over another's progress.
        #[test]
        fn one_items_progress_from_its_own_lines_is_its_progress_in_the_store(
            lab_answers in prop::collection::vec(any_answer(), 0..20),
            laptop_answers in prop::collection::vec(any_answer(), 0..20),
            carry in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let laptop = tempfile::tempdir().unwrap();
            {
                let (mut store, _) = open_as(laptop.path(), "laptop", Access::Exclusive);
                store.record_all(&laptop_answers).unwrap();
            }
            copy_journal(laptop.path(), dir.path(), "laptop");
            let (mut store, _) = open_as(dir.path(), "lab-pc", Access::Exclusive);
            store.record_all(&lab_answers).unwrap();
            if carry {
                store
                    .record(&LogEntry {
                        kind: ReviewKind::Carried,
                        from: Some("d/a".into()),
                        ..entry("d/z", "2026-03-09", 0, ReviewKind::Carried)
                    })
                    .unwrap();
            }
            for item in ["d/a", "d/b", "e/c#2", "d/z"] {
                let (progress, history) =
                    super::progress_of(dir.path(), &device("lab-pc"), &[item]).unwrap();
                prop_assert_eq!(progress.get(item), store.get(item), "{}", item);
                let all = super::history(dir.path(), &device("lab-pc")).unwrap();
                let expected: Vec<LogEntry> =
                    all.into_iter().filter(|e| e.item == item).collect();
                prop_assert_eq!(history, expected);
            }
        }
    }

    #[test]
    fn the_snapshot_is_rewritten_only_once_the_tail_is_large() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = dir.path().join(SNAPSHOT);
        let identity = |path: &Path| {
            use std::os::unix::fs::MetadataExt;
            let metadata = fs::metadata(path).unwrap();
            (metadata.ino(), metadata.len())
        };
        let (mut store, _) = open(dir.path());
        let answer = |n: usize| entry(&format!("d/card-{n}"), "2026-11-20", 4, ReviewKind::Review);
        store.record(&answer(0)).unwrap();
        assert!(
            store.checkpoint().unwrap(),
            "no snapshot yet: the next start would read everything"
        );
        let first = identity(&snapshot);
        // A session of a few hundred answers: far below the threshold.
        for n in 1..300 {
            store.record(&answer(n)).unwrap();
        }
        assert!(!store.checkpoint().unwrap());
        assert_eq!(identity(&snapshot), first, "the snapshot is left as it is");
        drop(store);
        // The next start folds the tail after the snapshot: nothing is lost.
        let (mut store, notices) = open(dir.path());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(store.items().len(), 300);
        assert_eq!(store.unsnapshotted_bytes() as usize, {
            let log = fs::read_to_string(dir.path().join(LOG)).unwrap();
            log.len() - log.lines().next().unwrap().len() - 1
        });
        // Past 1 MiB of tail the snapshot is rewritten.
        let mut n = 300;
        while store.unsnapshotted_bytes() < SNAPSHOT_AFTER_BYTES {
            let batch: Vec<LogEntry> = (n..n + 500).map(answer).collect();
            store.record_all(&batch).unwrap();
            n += 500;
        }
        assert!(store.checkpoint().unwrap());
        assert_ne!(identity(&snapshot), first);
        assert_eq!(store.unsnapshotted_bytes(), 0);
        drop(store);
        let (store, _) = open(dir.path());
        assert_eq!(store.items().len(), n);
        assert_eq!(store.unsnapshotted_bytes(), 0);
    }

    #[test]
    fn after_a_rebuild_for_another_devices_older_answers_the_snapshot_is_rewritten() {
        let (lab, laptop) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        {
            let (mut store, _) = open_as(laptop.path(), "laptop", Access::Exclusive);
            store
                .record(&at(
                    entry("d/b", "2026-11-20", 4, ReviewKind::Review),
                    "2026-11-20T09:00:00Z",
                ))
                .unwrap();
        }
        {
            let (mut store, _) = open_as(lab.path(), "lab-pc", Access::Exclusive);
            store
                .record(&at(
                    entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                    "2026-11-20T10:00:00Z",
                ))
                .unwrap();
            store.write_snapshot().unwrap();
        }
        copy_journal(laptop.path(), lab.path(), "laptop");
        // The laptop's answer sorts before what the snapshot folded: a rebuild, and the
        // session's end writes a snapshot that covers it, however short its tail.
        let (mut store, _) = open_as(lab.path(), "lab-pc", Access::Exclusive);
        assert!(store.rebuilt);
        assert!(store.checkpoint().unwrap());
        drop(store);
        let (store, _) = open_as(lab.path(), "lab-pc", Access::Exclusive);
        assert!(!store.rebuilt, "the next start reads the snapshot");
        assert_eq!(store.items().len(), 2);
    }

    #[test]
    fn a_snapshot_whose_aggregates_do_not_hold_is_set_aside_and_rebuilt() {
        type Edit = fn(&str) -> String;
        let edits: [(&str, Edit); 3] = [
            // More passed than reviewed.
            ("tally of d/a", |text| {
                text.replacen("(reviews: 2, passed: 2)", "(reviews: 2, passed: 3)", 1)
            }),
            // An index entry past what the snapshot covers.
            ("index of days", |text| {
                text.replacen("\"2026-11-21\", offset: ", "\"2026-11-21\", offset: 9", 1)
            }),
            // An index of a journal it does not cover.
            ("does not cover", |text| {
                text.replacen("day_index: {", "day_index: {\n        \"gone\": [],", 1)
            }),
        ];
        for (reason, edit) in edits {
            let dir = tempfile::tempdir().unwrap();
            let entries = [
                entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                entry("d/a", "2026-11-21", 5, ReviewKind::Review),
                entry("d/b", "2026-11-21", 1, ReviewKind::Review),
            ];
            {
                let (mut store, _) = open(dir.path());
                store.record_all(&entries).unwrap();
                store.write_snapshot().unwrap();
            }
            let snapshot = dir.path().join(SNAPSHOT);
            let text = fs::read_to_string(&snapshot).unwrap();
            let edited = edit(&text);
            assert_ne!(edited, text, "{reason}");
            fs::write(&snapshot, &edited).unwrap();
            let (store, notices) = open(dir.path());
            assert_eq!(notices.len(), 1, "{reason}: {notices:?}");
            assert!(notices[0].0.contains("did not match"), "{notices:?}");
            assert!(notices[0].0.contains(reason), "{notices:?}");
            assert_eq!(set_aside_snapshots(dir.path()).len(), 1);
            let (tallies, all) = recomputed(dir.path(), "unit-test");
            assert_eq!(store.tallies(), &tallies);
            assert_eq!(store.tallies()["d/a"].passed, 2);
            assert_eq!(store.entries_since(day("2026-11-21")).unwrap(), all[1..]);
        }
    }

    // ---- Several devices -------------------------------------------------------------------

    fn device(id: &str) -> DeviceId {
        DeviceId::parse(id).unwrap()
    }

    fn open_as(dir: &Path, id: &str, access: Access) -> (Store, Vec<Notice>) {
        Store::open_with(dir, access, &device(id)).unwrap()
    }

    fn at(entry: LogEntry, time: &str) -> LogEntry {
        LogEntry {
            at: time.parse().unwrap(),
            ..entry
        }
    }

    /// Every journal in `dir` replayed in (at, device, line) order, independently of the store.
    fn replay(dir: &Path) -> (ItemMap, StudyDays) {
        let mut all = Vec::new();
        for entry in fs::read_dir(dir.join(JOURNAL_DIR)).unwrap() {
            let path = entry.unwrap().path();
            let id = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).unwrap();
            let complete = &text[..text.rfind('\n').map_or(0, |n| n + 1)];
            for (n, line) in complete.lines().enumerate() {
                let entry: LogEntry = ron::from_str(line).unwrap();
                all.push((entry.at, id.clone(), n, entry));
            }
        }
        all.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
        fold(&all.into_iter().map(|e| e.3).collect::<Vec<_>>())
    }

    fn copy_journal(from: &Path, to: &Path, id: &str) {
        let name = format!("{id}.log");
        fs::create_dir_all(to.join(JOURNAL_DIR)).unwrap();
        fs::copy(
            from.join(JOURNAL_DIR).join(&name),
            to.join(JOURNAL_DIR).join(&name),
        )
        .unwrap();
    }

    #[test]
    fn entries_from_another_device_merge_by_time_whatever_order_they_arrive_in() {
        let (lab, laptop) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        {
            let (mut store, _) = open_as(lab.path(), "lab-pc", Access::Exclusive);
            store
                .record(&at(
                    entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                    "2026-11-20T09:00:00Z",
                ))
                .unwrap();
            store.write_snapshot().unwrap();
            store
                .record(&at(
                    entry("d/a", "2026-11-20", 1, ReviewKind::Review),
                    "2026-11-20T11:00:00Z",
                ))
                .unwrap();
            store.write_snapshot().unwrap();
        }
        {
            // The laptop answered the same card in between, offline.
            let (mut store, _) = open_as(laptop.path(), "laptop", Access::Exclusive);
            let mut answer = at(
                entry("d/a", "2026-11-20", 5, ReviewKind::Review),
                "2026-11-20T10:00:00Z",
            );
            answer.interval_days = 6;
            store.record(&answer).unwrap();
            store
                .record(&at(
                    entry("d/b", "2026-11-20", 4, ReviewKind::Review),
                    "2026-11-20T10:30:00Z",
                ))
                .unwrap();
            store.write_snapshot().unwrap();
        }
        copy_journal(laptop.path(), lab.path(), "laptop");
        copy_journal(lab.path(), laptop.path(), "lab-pc");
        let expected = replay(lab.path());
        assert_eq!(expected, replay(laptop.path()));
        assert_eq!(expected.0["d/a"].reviews, 3);
        assert_eq!(expected.0["d/a"].lapses, 1);
        for (dir, id) in [(lab.path(), "lab-pc"), (laptop.path(), "laptop")] {
            let (reader, _) = open_as(dir, id, Access::ReadOnly);
            assert_eq!(
                (reader.items(), reader.study_days()),
                (&expected.0, &expected.1),
                "{id}"
            );
            let (store, notices) = open_as(dir, id, Access::Exclusive);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(store.items(), &expected.0, "{id}");
            assert_eq!(
                store
                    .devices()
                    .iter()
                    .map(|d| d.id.as_str())
                    .collect::<Vec<_>>(),
                ["lab-pc", "laptop"]
            );
        }
        // The laptop's snapshot, written after the merge, opens to the same progress.
        {
            let (mut store, _) = open_as(laptop.path(), "laptop", Access::Exclusive);
            store.write_snapshot().unwrap();
        }
        assert_eq!(
            open_as(laptop.path(), "laptop", Access::ReadOnly).0.items(),
            &expected.0
        );
        // Another device's journal is never written: the lab PC's copy is the lab PC's file.
        assert_eq!(
            fs::read(laptop.path().join("journal/lab-pc.log")).unwrap(),
            fs::read(lab.path().join("journal/lab-pc.log")).unwrap()
        );
    }

    #[test]
    fn this_device_never_stamps_an_answer_before_what_it_has_read() {
        let dir = tempfile::tempdir().unwrap();
        {
            // Another device whose clock runs a day ahead.
            let (mut store, _) = open_as(dir.path(), "ahead", Access::Exclusive);
            store
                .record(&at(
                    entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                    "2026-11-21T10:00:00Z",
                ))
                .unwrap();
        }
        let (mut store, _) = open_as(dir.path(), "behind", Access::Exclusive);
        let mine = at(
            entry("d/a", "2026-11-20", 1, ReviewKind::Review),
            "2026-11-20T10:00:00Z",
        );
        store.record(&mine).unwrap();
        let expected = store.items().clone();
        assert_eq!(
            expected["d/a"].lapses, 1,
            "the later answer (this one) sets the schedule"
        );
        drop(store);
        assert_eq!(replay(dir.path()).0, expected);
        let written = fs::read_to_string(dir.path().join("journal/behind.log")).unwrap();
        assert!(
            written.contains("2026-11-21T10:00:00.000000001Z"),
            "{written}"
        );
    }

    #[test]
    fn the_same_answer_in_two_journals_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let answers = [
            entry("d/a", "2026-11-20", 4, ReviewKind::Review),
            entry("d/b", "2026-11-20", 2, ReviewKind::Review),
        ];
        for id in ["lab-pc", "laptop"] {
            let (mut store, _) = open_as(dir.path(), id, Access::Exclusive);
            store.record_all(&answers).unwrap();
        }
        let (store, _) = open_as(dir.path(), "laptop", Access::ReadOnly);
        assert_eq!(store.items(), &fold(&answers).0);
        assert_eq!(store.study_days(), &fold(&answers).1);
        assert_eq!(
            super::history(dir.path(), &device("laptop")).unwrap(),
            answers
        );
    }

    #[test]
    fn a_deck_update_applied_on_two_devices_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = entry("d/a", "2026-11-20", 4, ReviewKind::Review);
        let revised = LogEntry {
            rev: 2,
            due: day("2026-11-22"),
            ..at(
                entry("d/a", "2026-11-22", 0, ReviewKind::Revised(Change::Clarify)),
                "2026-11-22T08:00:00Z",
            )
        };
        let review = LogEntry {
            rev: 2,
            interval_days: 6,
            ..at(
                entry("d/a", "2026-11-22", 5, ReviewKind::Review),
                "2026-11-22T08:01:00Z",
            )
        };
        {
            let (mut store, _) = open_as(dir.path(), "lab-pc", Access::Exclusive);
            store
                .record_all(&[first.clone(), revised.clone(), review.clone()])
                .unwrap();
        }
        {
            // The laptop, not yet synced, applies the same revision later.
            let (store, _) = open_as(dir.path(), "laptop", Access::Exclusive);
            let late = LogEntry {
                at: "2026-11-22T09:00:00Z".parse().unwrap(),
                ..revised.clone()
            };
            fs::write(
                dir.path().join("journal/laptop.log"),
                format!("{}\n", one_line(&late)),
            )
            .unwrap();
            drop(store);
        }
        let (store, _) = open_as(dir.path(), "laptop", Access::ReadOnly);
        assert_eq!(
            store.get("d/a").unwrap().interval_days,
            6,
            "the review after it stands"
        );
    }

    #[test]
    fn an_unfinished_line_in_another_devices_journal_waits_and_is_never_touched() {
        let dir = tempfile::tempdir().unwrap();
        let answers = [
            at(
                entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                "2026-11-20T09:00:00Z",
            ),
            at(
                entry("d/b", "2026-11-20", 4, ReviewKind::Review),
                "2026-11-20T09:01:00Z",
            ),
        ];
        {
            let (mut store, _) = open_as(dir.path(), "laptop", Access::Exclusive);
            store.record_all(&answers).unwrap();
        }
        let laptop = dir.path().join("journal/laptop.log");
        let whole = fs::read(&laptop).unwrap();
        for cut in [whole.len() - 1, whole.len() - 30] {
            fs::write(&laptop, &whole[..cut]).unwrap();
            let (mut store, notices) = open_as(dir.path(), "lab-pc", Access::Exclusive);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(store.items(), &fold(&answers[..1]).0);
            store
                .record(&at(
                    entry("d/c", "2026-11-20", 4, ReviewKind::Review),
                    "2026-11-20T12:00:00Z",
                ))
                .unwrap();
            store.write_snapshot().unwrap();
            drop(store);
            assert_eq!(fs::read(&laptop).unwrap(), &whole[..cut], "never repaired");
            fs::write(&laptop, &whole).unwrap();
            let (store, notices) = open_as(dir.path(), "lab-pc", Access::Exclusive);
            assert!(notices.is_empty(), "{notices:?}");
            assert_eq!(store.items(), &replay(dir.path()).0);
            assert!(store.get("d/b").is_some(), "the rest is picked up");
            drop(store);
            fs::remove_file(dir.path().join("journal/lab-pc.log")).unwrap();
            fs::remove_dir_all(dir.path().join(LOCAL_DIR).join("lab-pc")).unwrap();
        }
    }

    #[test]
    fn a_snapshot_that_no_longer_matches_a_journal_is_set_aside_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open_as(dir.path(), "laptop", Access::Exclusive);
            store
                .record_all(&[
                    at(
                        entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                        "2026-11-20T09:00:00Z",
                    ),
                    at(
                        entry("d/b", "2026-11-20", 4, ReviewKind::Review),
                        "2026-11-20T09:01:00Z",
                    ),
                ])
                .unwrap();
        }
        {
            let (mut store, _) = open_as(dir.path(), "lab-pc", Access::Exclusive);
            store.write_snapshot().unwrap();
        }
        // The laptop undid its last answer and gave another one of the same length: the lab
        // PC's snapshot covers bytes that now hold a different line.
        let laptop = dir.path().join("journal/laptop.log");
        let text = fs::read_to_string(&laptop).unwrap();
        fs::write(&laptop, text.replace("d/b", "d/c")).unwrap();
        let (reader, notices) = open_as(dir.path(), "lab-pc", Access::ReadOnly);
        assert_eq!(reader.items(), &replay(dir.path()).0);
        assert_eq!(notices.len(), 1, "{notices:?}");
        drop(reader);
        let snapshot_path = dir.path().join("local/lab-pc").join(SNAPSHOT_FILE);
        assert!(snapshot_path.exists(), "a reader changes nothing");
        let (store, notices) = open_as(dir.path(), "lab-pc", Access::Exclusive);
        assert_eq!(store.items(), &replay(dir.path()).0);
        assert!(store.get("d/c").is_some() && store.get("d/b").is_none());
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].0.contains("no answer was lost"), "{notices:?}");
        assert!(!snapshot_path.exists());
        let aside: Vec<_> = fs::read_dir(dir.path().join("local/lab-pc"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("progress.ron.bad-"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        assert_eq!(
            fs::read_to_string(&laptop).unwrap(),
            text.replace("d/b", "d/c")
        );
    }

    #[test]
    fn a_conflict_copy_in_the_journal_folder_is_not_read_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open_as(dir.path(), "laptop", Access::Exclusive);
            store
                .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
                .unwrap();
        }
        let journals = dir.path().join(JOURNAL_DIR);
        fs::copy(
            journals.join("laptop.log"),
            journals.join("laptop.sync-conflict-20261121-101010-ABCDEFG.log"),
        )
        .unwrap();
        let (store, notices) = open_as(dir.path(), "laptop", Access::ReadOnly);
        assert_eq!(store.get("d/a").unwrap().reviews, 1);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].0.contains("sync-conflict"), "{notices:?}");
    }

    // ---- The lock ----------------------------------------------------------------------------

    #[cfg(unix)]
    #[test]
    fn replacing_the_lock_file_does_not_let_a_second_session_in() {
        let dir = tempfile::tempdir().unwrap();
        let (_first, _) = open(dir.path());
        let pid_file = dir.path().join("local/unit-test").join(lock::LOCK_FILE);
        assert_eq!(
            fs::read_to_string(&pid_file).unwrap().trim(),
            std::process::id().to_string()
        );
        fs::remove_file(&pid_file).unwrap();
        assert!(matches!(
            Store::open(dir.path(), Access::Exclusive),
            Err(Error::Busy { .. })
        ));
        fs::write(&pid_file, "").unwrap();
        let refused = Store::open(dir.path(), Access::Exclusive);
        assert!(matches!(refused, Err(Error::Busy { .. })), "{refused:?}");
    }

    #[test]
    fn the_refusal_names_the_process_holding_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let (_first, _) = open(dir.path());
        let Err(error) = Store::open(dir.path(), Access::Exclusive) else {
            panic!("a second session got in");
        };
        assert!(
            error
                .to_string()
                .contains(&format!("process {}", std::process::id())),
            "{error}"
        );
    }

    // ---- Values checked on load ----------------------------------------------------------

    fn refused_line(edit: impl Fn(&str) -> String) -> crate::deck::diagnostic::Diagnostic {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            store
                .record_all(&[
                    entry("d/a", "2026-11-20", 4, ReviewKind::Review),
                    entry("d/b", "2026-11-20", 4, ReviewKind::Review),
                ])
                .unwrap();
        }
        let journal = dir.path().join("journal/unit-test.log");
        let text = fs::read_to_string(&journal).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let edited = edit(lines[1]);
        lines[1] = &edited;
        let damaged = lines.join("\n") + "\n";
        fs::write(&journal, &damaged).unwrap();
        let error = Store::open(dir.path(), Access::ReadOnly).unwrap_err();
        assert_eq!(
            fs::read_to_string(&journal).unwrap(),
            damaged,
            "never rewritten"
        );
        let Error::DamagedProgress(diagnostic) = error else {
            panic!("{error:?}")
        };
        assert_eq!(diagnostic.marks[0].line, 2);
        assert!(
            diagnostic.location().contains("unit-test.log:2:"),
            "{}",
            diagnostic.location()
        );
        diagnostic
    }

    #[test]
    fn a_nan_easiness_is_refused_at_its_line() {
        let diagnostic = refused_line(|line| line.replace("easiness: 2.5", "easiness: NaN"));
        assert!(
            diagnostic.message.contains("easiness NaN is not a number"),
            "{}",
            diagnostic.message
        );
        assert!(diagnostic.help.unwrap().contains("1.3"));
        let diagnostic = refused_line(|line| line.replace("easiness: 2.5", "easiness: 0.5"));
        assert!(
            diagnostic.message.contains("below SM-2's floor"),
            "{}",
            diagnostic.message
        );
    }

    #[test]
    fn a_grade_of_255_is_refused_at_its_line() {
        let diagnostic = refused_line(|line| line.replace("grade: 4", "grade: 255"));
        assert!(
            diagnostic.message.contains("grade 255 is not a grade"),
            "{}",
            diagnostic.message
        );
        assert!(diagnostic.help.unwrap().contains("0 (blackout) to 5"));
        assert_eq!(
            &diagnostic.marks[0].line_text[diagnostic.marks[0].span.clone()],
            "255"
        );
    }

    #[test]
    fn an_impossible_date_or_interval_is_refused_at_its_line() {
        let diagnostic =
            refused_line(|line| line.replace("day: \"2026-11-20\"", "day: \"2026-02-30\""));
        assert!(
            diagnostic
                .message
                .contains("day \"2026-02-30\" is not a date"),
            "{}",
            diagnostic.message
        );
        assert!(diagnostic.help.unwrap().contains("YYYY-MM-DD"));
        let diagnostic =
            refused_line(|line| line.replace("interval_days: 1", "interval_days: 99999"));
        assert!(
            diagnostic.message.contains("36500 days"),
            "{}",
            diagnostic.message
        );
    }

    #[test]
    fn a_snapshot_holding_an_impossible_value_is_set_aside_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let entries = [entry("d/a", "2026-11-20", 4, ReviewKind::Review)];
        {
            let (mut store, _) = open(dir.path());
            store.record_all(&entries).unwrap();
            store.write_snapshot().unwrap();
        }
        let snapshot = dir.path().join("local/unit-test").join(SNAPSHOT_FILE);
        let text = fs::read_to_string(&snapshot).unwrap();
        fs::write(&snapshot, text.replace("easiness: 2.5", "easiness: NaN")).unwrap();
        let (store, notices) = open(dir.path());
        assert_eq!(store.items(), &fold(&entries).0);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].0.contains("easiness NaN"), "{notices:?}");
    }

    // ---- Migration ---------------------------------------------------------------------------

    /// A data directory as an older knead left it: `reviews.log` and a format-1 `progress.ron`
    /// covering its first `covered` lines.
    fn legacy(dir: &Path, entries: &[LogEntry], covered: usize) -> String {
        let log: String = entries.iter().map(|e| one_line(e) + "\n").collect();
        fs::write(dir.join(migrate::LEGACY_LOG), &log).unwrap();
        let bytes: usize = entries[..covered]
            .iter()
            .map(|e| one_line(e).len() + 1)
            .sum();
        let (items, days) = fold(&entries[..covered]);
        let mut keys: Vec<&String> = items.keys().collect();
        keys.sort();
        let items: String = keys
            .iter()
            .map(|k| format!("        {}: {},\n", one_line(*k), one_line(&items[*k])))
            .collect();
        fs::write(
            dir.join(migrate::LEGACY_SNAPSHOT),
            format!(
                "(\n    format: 1,\n    log_bytes: {bytes},\n    log_lines: {covered},\n    items: {{\n{items}    }},\n    days: {},\n)\n",
                one_line(&days)
            ),
        )
        .unwrap();
        log
    }

    fn three_answers() -> Vec<LogEntry> {
        vec![
            at(
                entry("d/a", "2026-11-19", 4, ReviewKind::Review),
                "2026-11-19T09:00:00Z",
            ),
            at(
                entry("d/b", "2026-11-20", 2, ReviewKind::Review),
                "2026-11-20T09:00:00Z",
            ),
            at(
                entry("d/a", "2026-11-21", 5, ReviewKind::Drill),
                "2026-11-21T09:00:00Z",
            ),
        ]
    }

    #[test]
    fn reviews_log_and_progress_ron_become_this_devices_journal_and_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let entries = three_answers();
        let log = legacy(dir.path(), &entries, 2);
        let (mut store, notices) = open(dir.path());
        assert!(notices[0].0.contains("moved"), "{notices:?}");
        assert_eq!(
            (store.items(), store.study_days()),
            (&fold(&entries).0, &fold(&entries).1)
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("journal/unit-test.log")).unwrap(),
            log
        );
        assert!(!dir.path().join(migrate::LEGACY_LOG).exists());
        assert!(!dir.path().join(migrate::LEGACY_SNAPSHOT).exists());
        assert!(
            dir.path()
                .join("local/unit-test")
                .join(SNAPSHOT_FILE)
                .exists()
        );
        // Undo reaches answers given before the move.
        assert_eq!(store.undo_last().unwrap().unwrap().entry, entries[2]);
        drop(store);
        let (store, notices) = open(dir.path());
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(store.items(), &fold(&entries[..2]).0);
    }

    #[test]
    fn a_kill_at_any_step_of_the_move_loses_nothing_and_the_next_open_finishes_it() {
        let entries = three_answers();
        let expected = fold(&entries);
        let journal_of = |dir: &Path| dir.join("journal/unit-test.log");
        // Each case is the data directory as a kill at one step leaves it.
        type Kill = fn(&Path, &str);
        let kills: [(&str, Kill); 5] = [
            ("before anything", |_, _| {}),
            ("with the journal created, empty", |dir, _| {
                fs::create_dir_all(dir.join(JOURNAL_DIR)).unwrap();
                fs::write(dir.join("journal/unit-test.log"), "").unwrap();
            }),
            ("in the middle of copying a line", |dir, log| {
                fs::create_dir_all(dir.join(JOURNAL_DIR)).unwrap();
                fs::write(dir.join("journal/unit-test.log"), &log[..log.len() / 2]).unwrap();
            }),
            ("after copying, before removing reviews.log", |dir, log| {
                fs::create_dir_all(dir.join(JOURNAL_DIR)).unwrap();
                fs::write(dir.join("journal/unit-test.log"), log).unwrap();
            }),
            (
                "after the new snapshot, before removing progress.ron",
                |dir, log| {
                    // What a finished move leaves, with the old snapshot put back.
                    let done = tempfile::tempdir().unwrap();
                    fs::write(done.path().join(migrate::LEGACY_LOG), log).unwrap();
                    fs::copy(
                        dir.join(migrate::LEGACY_SNAPSHOT),
                        done.path().join(migrate::LEGACY_SNAPSHOT),
                    )
                    .unwrap();
                    drop(open(done.path()));
                    fs::create_dir_all(dir.join(JOURNAL_DIR)).unwrap();
                    fs::create_dir_all(dir.join("local/unit-test")).unwrap();
                    fs::copy(
                        done.path().join("journal/unit-test.log"),
                        dir.join("journal/unit-test.log"),
                    )
                    .unwrap();
                    fs::copy(
                        done.path().join("local/unit-test").join(SNAPSHOT_FILE),
                        dir.join("local/unit-test").join(SNAPSHOT_FILE),
                    )
                    .unwrap();
                    fs::remove_file(dir.join(migrate::LEGACY_LOG)).unwrap();
                },
            ),
        ];
        for (when, kill) in kills {
            let dir = tempfile::tempdir().unwrap();
            let log = legacy(dir.path(), &entries, 2);
            kill(dir.path(), &log);
            let (store, _) = open(dir.path());
            assert_eq!(
                (store.items(), store.study_days()),
                (&expected.0, &expected.1),
                "{when}"
            );
            drop(store);
            assert_eq!(
                fs::read_to_string(journal_of(dir.path())).unwrap(),
                log,
                "{when}"
            );
            assert!(!dir.path().join(migrate::LEGACY_LOG).exists(), "{when}");
            assert!(
                !dir.path().join(migrate::LEGACY_SNAPSHOT).exists(),
                "{when}"
            );
            let (again, notices) = open(dir.path());
            assert!(notices.is_empty(), "{when}: {notices:?}");
            assert_eq!(again.items(), &expected.0, "{when}");
        }
    }

    #[test]
    fn a_torn_last_line_of_reviews_log_is_left_out_of_the_move() {
        let dir = tempfile::tempdir().unwrap();
        let entries = three_answers();
        let log = legacy(dir.path(), &entries, 3);
        fs::write(
            dir.path().join(migrate::LEGACY_LOG),
            format!("{log}(at: \"2026-11-2"),
        )
        .unwrap();
        let (store, notices) = open(dir.path());
        assert_eq!(store.items(), &fold(&entries).0);
        assert!(
            notices.iter().any(|n| n.0.contains("cut off")),
            "{notices:?}"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("journal/unit-test.log")).unwrap(),
            log
        );
    }
}
