//! A learner's progress, kept so that no answer is ever lost.
//!
//! Two human-readable RON files in the data directory:
//!
//! - `reviews.log`: every answer ever given, one RON value per line, appended and flushed to
//!   disk (`sync_data`) before the next card is shown. Saving an answer costs one short append
//!   whatever the size of the collection or its history. A crash can at worst leave a torn last
//!   line, which the next study session removes (and says so). Only a last line that does not
//!   parse and has no newline after it counts as torn: a complete answer without its newline
//!   is kept (the newline added), and zero bytes or a damaged line anywhere else refuse the
//!   log, which is then neither cut nor appended to.
//! - `progress.ron`: a snapshot of every item's SM-2 state, folded from the log up to a byte
//!   offset it records. It only makes start-up fast: it is rewritten atomically (temporary file,
//!   fsync, rename, directory fsync) at the end of a session, and could always be rebuilt from
//!   the log. When the two disagree the log is believed: the lock holder renames the snapshot
//!   to `progress.ron.bad-<time>` and rebuilds it (see `read_snapshot_and_tail`).
//!
//! A sidecar `knead.lock` (never the data files, which renames replace) keeps two study sessions
//! from writing at once.
//!
//! Undo ([`Store::undo_last`]) is the one change that is not an append: it cuts the last line
//! off the log, after first rewriting the snapshot if it already included that line, so the
//! snapshot never summarises more of the log than the log holds. Progress is keyed by item key, so an item whose card left its deck
//! keeps its progress and gets it back when the card returns.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::cache;
use crate::deck::Change;
use crate::diagnostic::{Diagnostic, Mark};
use crate::error::{Error, IoContext};
use crate::files;
use crate::sm2;

pub const SNAPSHOT_FILE: &str = "progress.ron";
pub const LOG_FILE: &str = "reviews.log";
pub const LOCK_FILE: &str = "knead.lock";
const SNAPSHOT_FORMAT: u32 = 1;

/// One item's scheduling state and counters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemProgress {
    pub repetitions: u32,
    pub interval_days: u32,
    pub easiness: f64,
    pub due: Date,
    /// The day the item was first answered.
    pub introduced: Date,
    pub last_reviewed: Date,
    /// Scheduling reviews so far (same-session re-drills not included).
    pub reviews: u32,
    /// Reviews graded below 3.
    pub lapses: u32,
    /// The card revision (`rev`) the latest review answered.
    #[serde(default)]
    pub rev: u32,
    /// Consecutive reviews, up to the latest, that left the easiness at the SM-2 floor.
    #[serde(default)]
    pub floor_reviews: u32,
}

impl ItemProgress {
    pub fn sm2_state(&self) -> sm2::State {
        sm2::State {
            repetitions: self.repetitions,
            interval_days: self.interval_days,
            easiness: self.easiness,
        }
    }
}

/// What an answer was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewKind {
    /// A scheduled review (or a new item's first answer): moves the item's schedule.
    Review,
    /// SM-2 step 7: an item graded below 4 asked again in the same session. Logged for the
    /// learner's history; the schedule does not change.
    Drill,
    /// Reviewed on request regardless of the schedule (`study --cram`); the schedule does not
    /// change.
    Cram,
    /// Not an answer: the card's author published revision `rev`, and this is what it did to
    /// the schedule (kept, brought forward, or started again).
    Revised(Change),
    /// Not an answer: the card took over the progress of the card it replaces (`from`).
    Carried,
}

impl ReviewKind {
    /// Something the learner answered, rather than a note of what a deck revision did.
    pub fn is_answer(self) -> bool {
        matches!(
            self,
            ReviewKind::Review | ReviewKind::Drill | ReviewKind::Cram
        )
    }
}

/// One line of `reviews.log`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: Timestamp,
    /// The study day the answer counts for (days roll over at 04:00).
    pub day: Date,
    pub item: String,
    pub kind: ReviewKind,
    pub grade: u8,
    /// Time from showing the card to the answer.
    pub took_ms: u64,
    /// The SM-2 state after this answer.
    pub repetitions: u32,
    pub interval_days: u32,
    pub easiness: f64,
    pub due: Date,
    /// The card revision answered (absent for cards never revised).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rev: u32,
    /// For `Carried`: the item whose progress was carried over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl LogEntry {
    pub fn sm2_state(&self) -> sm2::State {
        sm2::State {
            repetitions: self.repetitions,
            interval_days: self.interval_days,
            easiness: self.easiness,
        }
    }
}

/// Whether an entry can change its item's progress: every kind but the two that are logged
/// only for the learner's history.
fn moves_schedule(entry: &LogEntry) -> bool {
    !matches!(entry.kind, ReviewKind::Drill | ReviewKind::Cram)
}

/// Folds one log entry into the progress map: the only place the log's meaning is defined,
/// used when answering, when replaying the log, when rebuilding an item for undo, and when
/// projecting an exam plan ahead.
pub fn apply(progress: &mut HashMap<String, ItemProgress>, entry: &LogEntry) {
    match entry.kind {
        ReviewKind::Review => {}
        ReviewKind::Drill | ReviewKind::Cram => return,
        ReviewKind::Revised(change) => {
            if let Some(item) = progress.get_mut(&entry.item) {
                item.repetitions = entry.repetitions;
                item.interval_days = entry.interval_days;
                item.easiness = entry.easiness;
                item.due = entry.due;
                item.rev = entry.rev;
                if change == Change::Substantive {
                    // A different fact: how the old one went says nothing about this one.
                    item.lapses = 0;
                    item.floor_reviews = 0;
                }
            }
            return;
        }
        ReviewKind::Carried => {
            let carried = entry
                .from
                .as_ref()
                .and_then(|from| progress.get(from))
                .cloned();
            if let Some(mut carried) = carried {
                carried.rev = entry.rev;
                progress.insert(entry.item.clone(), carried);
            }
            return;
        }
    }
    let lapse = u32::from(entry.grade < 3);
    let at_floor = u32::from(entry.easiness <= sm2::MIN_EASINESS);
    match progress.get_mut(&entry.item) {
        Some(item) => {
            item.repetitions = entry.repetitions;
            item.interval_days = entry.interval_days;
            item.easiness = entry.easiness;
            item.due = entry.due;
            item.last_reviewed = entry.day;
            item.reviews += 1;
            item.lapses += lapse;
            item.rev = entry.rev;
            item.floor_reviews = (item.floor_reviews + 1) * at_floor;
        }
        None => {
            progress.insert(
                entry.item.clone(),
                ItemProgress {
                    repetitions: entry.repetitions,
                    interval_days: entry.interval_days,
                    easiness: entry.easiness,
                    due: entry.due,
                    introduced: entry.day,
                    last_reviewed: entry.day,
                    reviews: 1,
                    lapses: lapse,
                    rev: entry.rev,
                    floor_reviews: at_floor,
                },
            );
        }
    }
}

/// Answers per study day (reviews, drills and cram answers): the days a learner studied (for streaks and
/// calendars) without reading the whole log.
pub type StudyDays = BTreeMap<Date, u32>;

fn count_day(days: &mut StudyDays, entry: &LogEntry) {
    if entry.kind.is_answer() {
        *days.entry(entry.day).or_default() += 1;
    }
}

fn uncount_day(days: &mut StudyDays, entry: &LogEntry) {
    if !entry.kind.is_answer() {
        return;
    }
    if let Some(count) = days.get_mut(&entry.day) {
        *count -= 1;
        if *count == 0 {
            days.remove(&entry.day);
        }
    }
}

/// Every answer in `dir`'s review log, oldest first, for reports (an unfinished last line,
/// which the next study session repairs, is left out).
pub fn history(dir: &Path) -> Result<Vec<LogEntry>, Error> {
    Ok(read_whole_log(&dir.join(LOG_FILE), |_| true)?.entries)
}

/// The answers in `dir`'s review log for `items` only, oldest first (for a report on a few
/// items: lines knead wrote for other items are skipped without being parsed).
pub fn history_of(dir: &Path, items: &[&str]) -> Result<Vec<LogEntry>, Error> {
    let wanted = |line: &str| written_item(line).is_none_or(|item| items.contains(&item));
    let tail = read_whole_log(&dir.join(LOG_FILE), wanted)?;
    Ok(tail
        .entries
        .into_iter()
        .filter(|entry| items.contains(&entry.item.as_str()))
        .collect())
}

/// `progress.ron`; `Items` and `Days` are owned when read and borrowed when written.
#[derive(Serialize, Deserialize)]
struct Snapshot<Items = HashMap<String, ItemProgress>, Days = StudyDays> {
    format: u32,
    /// How much of `reviews.log` is folded into `items` and `days`.
    log_bytes: u64,
    log_lines: u64,
    /// A hash of the log's line that ends at `log_bytes` ([`line_hash`]): a log edited before
    /// that point is told from the one the snapshot summarised. Absent from older snapshots
    /// and when the log is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_line: Option<String>,
    items: Items,
    /// Absent from snapshots written before days were counted: then counted from the log.
    #[serde(default)]
    days: Days,
}

/// A short hash of one log line's bytes (without its newline).
fn line_hash(line: &[u8]) -> String {
    blake3::hash(line).to_hex()[..16].to_owned()
}

/// The hash of the line of `path` whose newline is at `end - 1` (or, for a last line without
/// its newline, that ends the file at `end - 1`), if any.
fn last_line_hash(path: &Path, end: u64) -> Result<Option<String>, Error> {
    if end == 0 {
        return Ok(None);
    }
    Ok(Some(line_hash(&line_ending_at(path, end - 1)?)))
}

/// The bytes of the line of `path` that ends at byte `end` (exclusive, not counting its
/// newline), read backwards in small blocks.
fn line_ending_at(path: &Path, end: u64) -> Result<Vec<u8>, Error> {
    const BLOCK: u64 = 4096;
    let mut file = files::open_regular(path)?;
    let mut line = Vec::new();
    let mut unread = end;
    while unread > 0 {
        let size = unread.min(BLOCK);
        unread -= size;
        let mut block = vec![0; size as usize];
        file.seek(SeekFrom::Start(unread))
            .and_then(|_| file.read_exact(&mut block))
            .context("read", path)?;
        if let Some(newline) = block.iter().rposition(|&b| b == b'\n') {
            block.drain(..=newline);
            block.extend_from_slice(&line);
            return Ok(block);
        }
        block.extend_from_slice(&line);
        line = block;
    }
    Ok(line)
}

/// An answer taken back by [`Store::undo_last`].
#[derive(Clone, Debug, PartialEq)]
pub struct Undone {
    /// The log entry that was removed.
    pub entry: LogEntry,
    /// The item's progress as it is again; `None` when the item is new again (the entry was
    /// its first review).
    pub restored: Option<ItemProgress>,
}

/// An answer recorded by this process, remembered so that undoing it needs no log scan.
#[derive(Debug)]
struct Recorded {
    /// Byte offset of its line in the log.
    start: u64,
    entry: LogEntry,
    /// The item's progress before it.
    before: Option<ItemProgress>,
}

/// How many of this process's answers are remembered for undo; older ones are undone from the
/// log (more slowly).
const REMEMBERED_ANSWERS: usize = 64;

/// Something knead did to the data that the learner should hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice(pub String);

/// Exclusive use of a data directory, held until dropped.
#[derive(Debug)]
pub struct Lock {
    _file: Option<File>,
}

impl Lock {
    /// Takes the data directory's lock, or fails at once if another session holds it.
    /// On filesystems without locking the lock is skipped with a notice, as cargo does.
    pub fn acquire(dir: &Path) -> Result<(Lock, Option<Notice>), Error> {
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .context("open the lock file", &path)?;
        match file.try_lock() {
            Ok(()) => Ok((Lock { _file: Some(file) }, None)),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Busy { lock: path }),
            Err(fs::TryLockError::Error(error)) if error.kind() == io::ErrorKind::Unsupported => {
                Ok((
                    Lock { _file: None },
                    Some(Notice(format!(
                        "this filesystem does not support file locks ({}); do not study from two terminals at once",
                        path.display()
                    ))),
                ))
            }
            Err(fs::TryLockError::Error(error)) => Err(Error::Io {
                action: "lock",
                path,
                source: error,
            }),
        }
    }
}

/// How the store is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// For study: holds the lock, may repair a torn last line, may write.
    Exclusive,
    /// For reports: takes no lock and changes nothing (an unfinished last line is ignored).
    ReadOnly,
}

/// The progress of one learner (one data directory).
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    items: HashMap<String, ItemProgress>,
    days: StudyDays,
    log: Option<File>,
    log_bytes: u64,
    log_lines: u64,
    snapshot_log_bytes: u64,
    recent: VecDeque<Recorded>,
    access: Access,
    _lock: Option<Lock>,
}

impl Store {
    /// Opens the progress in `dir` (creating the directory if needed). Returns what was
    /// repaired or skipped, for the learner to see.
    pub fn open(dir: &Path, access: Access) -> Result<(Store, Vec<Notice>), Error> {
        let mut notices = Vec::new();
        let lock = match access {
            Access::Exclusive => {
                fs::create_dir_all(dir).context("create the data directory", dir)?;
                let (lock, notice) = Lock::acquire(dir)?;
                notices.extend(notice);
                Some(lock)
            }
            Access::ReadOnly => None,
        };
        let log_path = dir.join(LOG_FILE);
        let (snapshot, tail) = read_snapshot_and_tail(dir, access, &mut notices)?;
        let (mut items, mut days, snapshot_log_bytes) = match snapshot {
            Some(s) => (s.items, s.days, s.log_bytes),
            None => (HashMap::new(), StudyDays::new(), 0),
        };
        for entry in &tail.entries {
            apply(&mut items, entry);
        }
        // A snapshot written before days were counted has none (while it summarises answers):
        // count them once from the whole log; the next snapshot keeps them.
        let days_missing = days.is_empty() && snapshot_log_bytes > 0;
        let uncounted = if days_missing {
            read_whole_log(&log_path, |_| true)?.entries
        } else {
            tail.entries
        };
        for entry in &uncounted {
            count_day(&mut days, entry);
        }
        let mut log_bytes = tail.complete_end;
        if access == Access::Exclusive {
            if let Some(torn) = tail.torn {
                let file = OpenOptions::new()
                    .write(true)
                    .open(&log_path)
                    .context("open", &log_path)?;
                file.set_len(tail.complete_end)
                    .and_then(|()| file.sync_all())
                    .context("repair", &log_path)?;
                notices.push(Notice(format!(
                    "{}: line {} was an answer cut off by a crash or power loss ({torn} bytes, not a complete answer); it was removed, every complete answer is kept",
                    log_path.display(),
                    tail.lines + 1
                )));
            }
            if tail.unterminated {
                // The next answer must start a line of its own.
                let mut file = append_options()
                    .open(&log_path)
                    .context("open", &log_path)?;
                file.write_all(b"\n")
                    .and_then(|()| file.sync_data())
                    .context("repair", &log_path)?;
                log_bytes += 1;
                notices.push(Notice(format!(
                    "{}: line {}, a complete answer, lacked the newline that ends a line (an edit by hand?); the newline was added and the answer kept",
                    log_path.display(),
                    tail.lines
                )));
            }
            remove_temporary_files(dir);
            cache::remove_leftovers(dir);
        }
        Ok((
            Store {
                dir: dir.to_owned(),
                items,
                days,
                log: None,
                log_bytes,
                log_lines: tail.lines,
                snapshot_log_bytes,
                recent: VecDeque::new(),
                access,
                _lock: lock,
            },
            notices,
        ))
    }

    pub fn get(&self, item: &str) -> Option<&ItemProgress> {
        self.items.get(item)
    }

    /// Every item with progress, including items whose cards are no longer in any deck.
    pub fn items(&self) -> &HashMap<String, ItemProgress> {
        &self.items
    }

    /// How many answers (of every kind) each study day has.
    pub fn study_days(&self) -> &StudyDays {
        &self.days
    }

    /// Appends an answer to the log and makes it durable before returning.
    pub fn record(&mut self, entry: &LogEntry) -> Result<(), Error> {
        self.record_all(std::slice::from_ref(entry))
    }

    /// Appends answers to the log in one write and makes them durable before returning (for
    /// importing history; a study session records one answer at a time).
    pub fn record_all(&mut self, entries: &[LogEntry]) -> Result<(), Error> {
        assert_eq!(
            self.access,
            Access::Exclusive,
            "answers are recorded only by a session holding the lock"
        );
        let path = self.dir.join(LOG_FILE);
        let mut line = String::new();
        let mut starts = Vec::with_capacity(entries.len());
        for entry in entries {
            starts.push(self.log_bytes + line.len() as u64);
            line.push_str(&one_line(entry));
            line.push('\n');
        }
        if self.log.is_none() {
            let existed = path.exists();
            let file = append_options()
                .open(&path)
                .context("open the review log", &path)?;
            if !existed {
                sync_dir(&self.dir)?;
            }
            self.log = Some(file);
        }
        let file = self.log.as_mut().expect("opened above");
        // One write call keeps a crash from leaving more than one torn line.
        if let Err(error) = file
            .write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
        {
            // Part of the line may be in the file (a disk that filled up mid-write): cut it
            // off, so that the answers confirmed so far end the log and nothing is appended
            // to a torn line. Should that fail too, the next start removes the torn line.
            let _ = file.set_len(self.log_bytes);
            self.log = None;
            return Err(Error::Io {
                action: "save an answer to",
                path,
                source: error,
            });
        }
        self.log_bytes += line.len() as u64;
        self.log_lines += entries.len() as u64;
        let remember_from = entries.len().saturating_sub(REMEMBERED_ANSWERS);
        for (n, (entry, start)) in entries.iter().zip(starts).enumerate() {
            let before = (n >= remember_from).then(|| self.items.get(&entry.item).cloned());
            apply(&mut self.items, entry);
            count_day(&mut self.days, entry);
            if let Some(before) = before {
                if self.recent.len() == REMEMBERED_ANSWERS {
                    self.recent.pop_front();
                }
                self.recent.push_back(Recorded {
                    start,
                    entry: entry.clone(),
                    before,
                });
            }
        }
        Ok(())
    }

    /// Answers logged since the snapshot was written.
    pub fn unsnapshotted_bytes(&self) -> u64 {
        self.log_bytes - self.snapshot_log_bytes
    }

    /// Rewrites `progress.ron` to include every answer so far (atomically: a crash leaves
    /// either the old snapshot or the new one).
    pub fn write_snapshot(&mut self) -> Result<(), Error> {
        assert_eq!(self.access, Access::Exclusive);
        let path = self.dir.join(SNAPSHOT_FILE);
        let last_line = last_line_hash(&self.dir.join(LOG_FILE), self.log_bytes)?;
        let text = snapshot_text(
            &self.items,
            &self.days,
            self.log_bytes,
            self.log_lines,
            last_line.as_deref(),
        );
        write_atomically(&path, text.as_bytes())?;
        let snapshot = Snapshot {
            format: SNAPSHOT_FORMAT,
            log_bytes: self.log_bytes,
            log_lines: self.log_lines,
            last_line,
            items: &self.items,
            days: &self.days,
        };
        cache::save_snapshot(&self.dir, text.as_bytes(), &snapshot);
        self.snapshot_log_bytes = self.log_bytes;
        Ok(())
    }

    /// Takes back the latest answer: removes its line from the log and restores everything it
    /// changed (its item's progress, its day's count). Returns `None` when the log is empty.
    /// Each call steps one answer further back, across sessions and restarts.
    ///
    /// Crash-safe: when the snapshot already includes the answer, a snapshot without it is
    /// written first (atomically), and only then is the line cut off the log. A crash in
    /// between leaves a snapshot of the shorter log beside the longer log, which reopening
    /// reads as the state before the undo (the extra line is replayed); a crash after it, as
    /// the state after. The snapshot never covers more of the log than the log holds.
    pub fn undo_last(&mut self) -> Result<Option<Undone>, Error> {
        // Revision notes logged after the answer (at the start of a later session) go with it:
        // they are not answers, and the next session records them again.
        loop {
            match self.undo_last_entry()? {
                Some(undone) if !undone.entry.kind.is_answer() => continue,
                other => return Ok(other),
            }
        }
    }

    fn undo_last_entry(&mut self) -> Result<Option<Undone>, Error> {
        assert_eq!(
            self.access,
            Access::Exclusive,
            "answers are undone only by a session holding the lock"
        );
        // This process's own answers are remembered; older ones are read back from the log.
        let (last, before) = match self.recent.back() {
            Some(recorded) => (
                LastLine {
                    start: recorded.start,
                    lines: 1,
                    entry: recorded.entry.clone(),
                },
                recorded.before.clone(),
            ),
            None => {
                let Some(last) = self.last_line()? else {
                    return Ok(None);
                };
                let before = self.rebuild_before(&last)?;
                (last, before)
            }
        };
        let key = &last.entry.item;
        let after = match &before {
            Some(progress) => self.items.insert(key.clone(), progress.clone()),
            None => self.items.remove(key),
        };
        uncount_day(&mut self.days, &last.entry);
        let (log_bytes, log_lines) = (self.log_bytes, self.log_lines);
        self.log_bytes = last.start;
        self.log_lines -= last.lines;
        if let Err(error) = self.cut_log() {
            match after {
                Some(progress) => self.items.insert(key.clone(), progress),
                None => self.items.remove(key),
            };
            count_day(&mut self.days, &last.entry);
            (self.log_bytes, self.log_lines) = (log_bytes, log_lines);
            return Err(error);
        }
        self.recent.pop_back();
        Ok(Some(Undone {
            entry: last.entry,
            restored: before,
        }))
    }

    /// Makes the log end at `self.log_bytes` (the in-memory state already reflects the cut).
    fn cut_log(&mut self) -> Result<(), Error> {
        if self.snapshot_log_bytes > self.log_bytes {
            self.write_snapshot()?;
        }
        let path = self.dir.join(LOG_FILE);
        OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|file| {
                file.set_len(self.log_bytes)?;
                file.sync_all()
            })
            .context("undo the last answer in", &path)
    }

    /// The log's last answer, read backwards from its end.
    fn last_line(&self) -> Result<Option<LastLine>, Error> {
        if self.log_bytes == 0 {
            return Ok(None);
        }
        let path = self.dir.join(LOG_FILE);
        let mut lines = LinesBackward::open(&path, self.log_bytes, self.log_lines)?;
        let mut skipped = 0;
        while let Some(line) = lines.next_line()? {
            skipped += 1;
            if let Some(entry) = line.entry(&path)? {
                return Ok(Some(LastLine {
                    start: line.start,
                    lines: skipped,
                    entry,
                }));
            }
        }
        Ok(None)
    }

    /// The progress of the last line's item before it. Usually found quickly: the item's own
    /// earlier entries, read backwards until as many reviews as it had before have turned up
    /// (for a recently introduced item, long before the start of a large log), folded through
    /// [`apply`] and checked by folding the last entry on top. Should the check fail, because
    /// the item's progress is more than the fold of its own entries, the whole log before the
    /// line is replayed instead.
    fn rebuild_before(&self, last: &LastLine) -> Result<Option<ItemProgress>, Error> {
        let key = &last.entry.item;
        let current = self.items.get(key);
        if !moves_schedule(&last.entry) {
            return Ok(current.cloned());
        }
        let reviews_before = current.map_or(0, |p| p.reviews.saturating_sub(1));
        let earlier = self.latest_entries_of(key, last, reviews_before)?;
        let before = fold_item(key, &earlier);
        let mut check = HashMap::new();
        if let Some(progress) = &before {
            check.insert(key.clone(), progress.clone());
        }
        apply(&mut check, &last.entry);
        if check.get(key) == current {
            return Ok(before);
        }
        let mut entries = read_whole_log(&self.dir.join(LOG_FILE), |_| true)?.entries;
        entries.pop();
        Ok(fold_item(key, &entries))
    }

    /// The entries of `key` before the last line, oldest first, back to the one that brings
    /// its `reviews` scheduling reviews (counted as [`apply`] counts them) or to the log's
    /// start.
    fn latest_entries_of(
        &self,
        key: &str,
        last: &LastLine,
        reviews: u32,
    ) -> Result<Vec<LogEntry>, Error> {
        let path = self.dir.join(LOG_FILE);
        let needle = one_line(key);
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut found = Vec::new();
        let mut reviews_found = 0;
        let mut lines = LinesBackward::open(&path, last.start, self.log_lines - last.lines)?;
        while reviews_found < reviews {
            let Some(line) = lines.next_line()? else {
                break;
            };
            // Only lines naming the item are parsed: a quick byte search rejects the rest.
            if finder.find(&line.bytes).is_none() {
                continue;
            }
            if let Some(entry) = line.entry(&path)?
                && entry.item == key
            {
                reviews_found += u32::from(entry.kind == ReviewKind::Review);
                found.push(entry);
            }
        }
        found.reverse();
        Ok(found)
    }
}

/// `key`'s progress after `entries` (which may name other items too), folded through
/// [`apply`] from nothing.
fn fold_item(key: &str, entries: &[LogEntry]) -> Option<ItemProgress> {
    let mut items = HashMap::new();
    for entry in entries {
        apply(&mut items, entry);
    }
    items.remove(key)
}

/// The last answer in the log, where its line starts, and how many lines (with any blank ones
/// after it) end the log from there.
struct LastLine {
    start: u64,
    lines: u64,
    entry: LogEntry,
}

/// One complete line of the log, read backwards.
struct BackwardLine {
    start: u64,
    number: u64,
    bytes: Vec<u8>,
}

impl BackwardLine {
    /// The entry on this line; `None` for a blank line.
    fn entry(&self, path: &Path) -> Result<Option<LogEntry>, Error> {
        let text = std::str::from_utf8(&self.bytes).map_err(|_| not_utf8(path, self.number))?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_line(path, text, self.number).map(Some)
    }
}

/// The complete lines of a log before a byte offset, last first, read in large blocks so that
/// stepping back through a long log costs a few reads rather than one per line.
struct LinesBackward {
    path: PathBuf,
    file: File,
    /// How much is read at a time.
    block: u64,
    /// Bytes before `unread` have not been read yet.
    unread: u64,
    /// Read bytes not yet returned: the lines between `unread` and the last line returned.
    pending: Vec<u8>,
    /// The number of the last line in `pending`.
    number: u64,
}

impl LinesBackward {
    const BLOCK: u64 = 256 * 1024;

    /// Lines before `end`, which must be the end of a line (or 0); `lines` is how many there are.
    fn open(path: &Path, end: u64, lines: u64) -> Result<LinesBackward, Error> {
        let file = files::open_regular(path)?;
        Ok(LinesBackward {
            path: path.to_owned(),
            file,
            block: Self::BLOCK,
            unread: end,
            pending: Vec::new(),
            number: lines,
        })
    }

    fn next_line(&mut self) -> Result<Option<BackwardLine>, Error> {
        // `pending` always ends where the previous line began, just after its newline; the
        // line to return ends at the newline that closes `pending`.
        loop {
            let body = self.pending.len().saturating_sub(1);
            if let Some(newline) = self.pending[..body].iter().rposition(|&b| b == b'\n') {
                let bytes = self.pending[newline + 1..body].to_vec();
                self.pending.truncate(newline + 1);
                return Ok(Some(self.line(bytes)));
            }
            if self.unread == 0 {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                let bytes = self.pending[..body].to_vec();
                self.pending.clear();
                return Ok(Some(self.line(bytes)));
            }
            let size = self.unread.min(self.block);
            self.unread -= size;
            let mut block = vec![0; size as usize];
            self.file
                .seek(SeekFrom::Start(self.unread))
                .and_then(|_| self.file.read_exact(&mut block))
                .context("read", &self.path)?;
            block.extend_from_slice(&self.pending);
            self.pending = block;
        }
    }

    fn line(&mut self, bytes: Vec<u8>) -> BackwardLine {
        let number = self.number;
        self.number -= 1;
        BackwardLine {
            start: self.unread + self.pending.len() as u64,
            number,
            bytes,
        }
    }
}

/// A value as RON on a single line, spaced for reading: `(grade: 4, due: "2026-11-27")`.
fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    let config = ron::ser::PrettyConfig::new()
        .new_line("")
        .indentor("")
        .compact_structs(true)
        .compact_arrays(true)
        .compact_maps(true);
    ron::ser::to_string_pretty(value, config).expect("progress values always serialise")
}

fn append_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// The snapshot as text: one item per line, sorted, so a learner (or a diff) can read it.
fn snapshot_text(
    items: &HashMap<String, ItemProgress>,
    days: &StudyDays,
    log_bytes: u64,
    log_lines: u64,
    last_line: Option<&str>,
) -> String {
    let mut keys: Vec<&String> = items.keys().collect();
    keys.sort();
    let mut text = String::with_capacity(64 + items.len() * 180);
    text.push_str("// knead progress: a summary of reviews.log, rebuilt from it if removed.\n");
    text.push_str(&format!(
        "(\n    format: {SNAPSHOT_FORMAT},\n    log_bytes: {log_bytes},\n    log_lines: {log_lines},\n    items: {{\n"
    ));
    for key in keys {
        let value = one_line(&items[key]);
        let key = one_line(key);
        text.push_str(&format!("        {key}: {value},\n"));
    }
    text.push_str(&format!("    }},\n    days: {},\n", one_line(days)));
    if let Some(hash) = last_line {
        text.push_str(&format!("    last_line: Some({}),\n", one_line(hash)));
    }
    text.push_str(")\n");
    text
}

/// Replaces `path` with `contents` so that a crash leaves the old file or the new one, never
/// a mixture: temporary file in the same directory, fsync, rename, fsync of the directory.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).context("create", dir)?;
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).context("create a temporary file in", dir)?;
    temp.write_all(contents)
        .and_then(|()| temp.as_file().sync_all())
        .context("write", path)?;
    temp.persist(path).map_err(|e| Error::Io {
        action: "replace",
        path: path.to_owned(),
        source: e.error,
    })?;
    sync_dir(dir)
}

pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    // Makes a rename or a new file's directory entry durable. Not possible on every platform.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .context("sync", dir)?;
    Ok(())
}

/// The snapshot (if any) and the log lines after it.
///
/// The log holds every answer; the snapshot only summarises it. When they disagree (the log is
/// shorter than the snapshot says, or the snapshot's offset is not the start of a line), the
/// log is believed: the lock holder sets the snapshot aside (renamed, never deleted) and says
/// so; a reader rebuilds the progress from the whole log and changes nothing. A damaged line
/// is reported with its number counted from the start of the log, not from the snapshot's
/// count, which may be the part that is wrong.
fn read_snapshot_and_tail(
    dir: &Path,
    access: Access,
    notices: &mut Vec<Notice>,
) -> Result<(Option<Snapshot>, LogTail), Error> {
    let snapshot_path = dir.join(SNAPSHOT_FILE);
    let log_path = dir.join(LOG_FILE);
    let Some(snapshot) = read_snapshot(dir, access)? else {
        return Ok((None, read_whole_log(&log_path, |_| true)?));
    };
    let reason = match read_log_tail(&log_path, snapshot.log_bytes, snapshot.log_lines, |_| true) {
        Ok(tail) => match &snapshot.last_line {
            Some(expected)
                if last_line_hash(&log_path, snapshot.log_bytes)?.as_ref() != Some(expected) =>
            {
                format!(
                    "the line before its offset in {LOG_FILE} ({}) is not the answer it summarised last: the log was edited before that point",
                    snapshot.log_bytes
                )
            }
            _ => return Ok((Some(snapshot), tail)),
        },
        Err(TailError::Mismatch(reason)) => reason,
        Err(TailError::Failed(Error::DamagedProgress(_))) => {
            // Counted from the start, the damage has its true line number; if the whole log
            // reads, the snapshot's line count was the problem.
            read_whole_log(&log_path, |_| true)?;
            "its line count does not match reviews.log".to_owned()
        }
        Err(TailError::Failed(error)) => return Err(error),
    };
    let tail = read_whole_log(&log_path, |_| true)?;
    match access {
        Access::Exclusive => {
            let aside = set_aside(&snapshot_path)?;
            notices.push(Notice(format!(
                "{} did not match {} ({reason}). reviews.log holds every answer, so your progress was rebuilt from it and the old summary set aside as {}; no answer was lost. (Only if reviews.log itself was replaced by mistake: put the right one back and rename {} to progress.ron before studying again.)",
                snapshot_path.display(),
                log_path.display(),
                aside.display(),
                aside.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            )));
        }
        Access::ReadOnly => notices.push(Notice(format!(
            "{} does not match {} ({reason}); the progress shown is rebuilt from reviews.log, which holds every answer. The next study session sets progress.ron aside",
            snapshot_path.display(),
            log_path.display(),
        ))),
    }
    Ok((None, tail))
}

/// Renames `path` to `<name>.bad-<UTC time>` (with a counter if that is taken); returns the
/// new path.
fn set_aside(path: &Path) -> Result<PathBuf, Error> {
    let stamp = crate::day::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut aside = dir.join(format!("{name}.bad-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = dir.join(format!("{name}.bad-{stamp}-{n}"));
    }
    fs::rename(path, &aside).context("set aside", path)?;
    sync_dir(dir)?;
    Ok(aside)
}

/// Removes the temporary files of saves cut off by a kill (`.tmpXXXXXX`, up to the size of a
/// whole snapshot or deck) from the data directory and its `decks/` and `seen/` folders. Only
/// the lock holder calls this, and every writer there holds the lock (`knead add` too), so
/// none of them is still being written. Failing to remove one is not an error.
pub(crate) fn remove_temporary_files(dir: &Path) {
    for folder in [dir.to_owned(), dir.join("decks"), dir.join("seen")] {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_temporary = entry.file_name().to_string_lossy().starts_with(".tmp");
            if is_temporary && entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn read_snapshot(dir: &Path, access: Access) -> Result<Option<Snapshot>, Error> {
    let path = &dir.join(SNAPSHOT_FILE);
    let bytes = match files::read_regular_if_present(path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(Error::NotAFile { kind, .. }) => {
            return Err(Error::DamagedProgress(
                Diagnostic::error(
                    "K101",
                    path.display().to_string(),
                    format!("the progress snapshot is {kind}, not a file"),
                )
                .with_help(snapshot_recovery_help(path)),
            ));
        }
        Err(error) => return Err(error),
    };
    let writes = match access {
        Access::Exclusive => cache::Writes::Allowed,
        Access::ReadOnly => cache::Writes::Never,
    };
    let snapshot = cache::load_snapshot(dir, &bytes, writes, || parse_snapshot(path, &bytes))?;
    if snapshot.format != SNAPSHOT_FORMAT {
        return Err(Error::DamagedProgress(
            Diagnostic::error(
                "K102",
                path.display().to_string(),
                format!(
                    "the progress snapshot has format {}, this knead reads format {SNAPSHOT_FORMAT}",
                    snapshot.format
                ),
            )
            .with_help("it was written by a different knead version: use that version, or move the file aside to rebuild it from reviews.log"),
        ));
    }
    Ok(Some(snapshot))
}

fn parse_snapshot(path: &Path, bytes: &[u8]) -> Result<Snapshot, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        Error::DamagedProgress(
            Diagnostic::error(
                "K101",
                path.display().to_string(),
                "the progress snapshot is not valid UTF-8 text",
            )
            .with_help(snapshot_recovery_help(path)),
        )
    })?;
    ron::from_str(text).map_err(|e| {
        Error::DamagedProgress(
            Diagnostic::error(
                "K101",
                path.display().to_string(),
                format!("the progress snapshot is damaged: {}", e.code),
            )
            .with_mark(Mark::at_line_col(
                text,
                e.span.start.line,
                e.span.start.col,
                1,
                "damaged here",
            ))
            .with_help(snapshot_recovery_help(path)),
        )
    })
}

fn snapshot_recovery_help(path: &Path) -> String {
    format!(
        "{} only summarises reviews.log, which holds every answer: rename it (e.g. to progress.ron.damaged) and run knead again to rebuild it from the log; nothing is lost",
        path.display()
    )
}

struct LogTail {
    entries: Vec<LogEntry>,
    /// Byte offset just after the last complete entry (its newline, if it has one).
    complete_end: u64,
    /// Lines in the file up to `complete_end`.
    lines: u64,
    /// Size of an unfinished last line (a write cut off by a crash), if any.
    torn: Option<u64>,
    /// The last line is a complete entry without its newline (a hand edit).
    unterminated: bool,
}

/// Why a log could not be read from the snapshot's offset: the snapshot does not describe
/// this log, and the log, which holds every answer, is the one to believe.
enum TailError {
    Mismatch(String),
    Failed(Error),
}

impl From<Error> for TailError {
    fn from(error: Error) -> TailError {
        TailError::Failed(error)
    }
}

/// A read from the start of the log, where no snapshot can disagree with it.
fn read_whole_log(path: &Path, wanted: impl Fn(&str) -> bool) -> Result<LogTail, Error> {
    match read_log_tail(path, 0, 0, wanted) {
        Ok(tail) => Ok(tail),
        Err(TailError::Failed(error)) => Err(error),
        Err(TailError::Mismatch(reason)) => unreachable!("a read from 0 has no snapshot: {reason}"),
    }
}

/// Reads the log from byte `from` (line `lines_before` + 1); lines `wanted` rejects are
/// skipped unparsed.
///
/// Only a last line that fails to parse and has no newline after it is taken for a write
/// cut off by a crash (`torn`): a complete entry without its newline is kept. Zero bytes
/// anywhere, or a line that fails to parse anywhere before the last newline, are refused: the
/// log is never cut there.
fn read_log_tail(
    path: &Path,
    from: u64,
    lines_before: u64,
    wanted: impl Fn(&str) -> bool,
) -> Result<LogTail, TailError> {
    let mut file = match files::open_regular(path) {
        Ok(file) => file,
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound && from == 0 => {
            return Ok(LogTail {
                entries: Vec::new(),
                complete_end: 0,
                lines: 0,
                torn: None,
                unterminated: false,
            });
        }
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            return Err(TailError::Mismatch(format!(
                "it summarises {from} bytes of {LOG_FILE}, which is missing"
            )));
        }
        Err(Error::NotAFile { kind, .. }) => {
            return Err(Error::DamagedProgress(
                Diagnostic::error(
                    "K103",
                    path.display().to_string(),
                    format!("the review log is {kind}, not a file"),
                )
                .with_help(format!(
                    "{} must be a regular file with one answer per line: move it aside and put the real file (or a backup) in its place; knead will not change it",
                    path.display()
                )),
            )
            .into());
        }
        Err(error) => return Err(error.into()),
    };
    let length = file.metadata().context("read", path)?.len();
    // The snapshot's last answer, which ended the log, lost its newline (a hand edit): the
    // snapshot still describes the log, and the newline is all that is missing.
    if from > 0 && length + 1 == from {
        let last = line_ending_at(path, length)?;
        let complete = std::str::from_utf8(&last)
            .ok()
            .is_some_and(|line| parse_line(path, line, lines_before).is_ok());
        if complete {
            return Ok(LogTail {
                entries: Vec::new(),
                complete_end: length,
                lines: lines_before,
                torn: None,
                unterminated: true,
            });
        }
    }
    if length < from {
        return Err(TailError::Mismatch(format!(
            "it summarises {from} bytes of {LOG_FILE}, which has {length}"
        )));
    }
    // The snapshot's offset must fall just after a newline: read from the byte before it.
    let start = from.saturating_sub(1);
    file.seek(SeekFrom::Start(start)).context("read", path)?;
    let mut bytes = Vec::with_capacity((length - start) as usize);
    file.read_to_end(&mut bytes).context("read", path)?;
    if from > 0 {
        if bytes.first() != Some(&b'\n') {
            return Err(TailError::Mismatch(format!(
                "its offset in {LOG_FILE} ({from}) is not the start of a line"
            )));
        }
        bytes.remove(0);
    }
    parse_log_bytes(path, &bytes, from, lines_before, wanted).map_err(TailError::Failed)
}

/// Every answer in the bytes of a whole review log, as knead reads its file: a torn last
/// line (no newline, does not parse) is left out, a complete one without a newline is kept,
/// zero bytes or a damaged line anywhere else are an error. (For fuzzing and tests.)
pub fn parse_log(bytes: &[u8]) -> Result<Vec<LogEntry>, Error> {
    Ok(parse_log_bytes(Path::new(LOG_FILE), bytes, 0, 0, |_| true)?.entries)
}

/// [`read_log_tail`] on bytes already read (from byte `from` of the file, at line
/// `lines_before` + 1).
fn parse_log_bytes(
    path: &Path,
    bytes: &[u8],
    from: u64,
    lines_before: u64,
    wanted: impl Fn(&str) -> bool,
) -> Result<LogTail, Error> {
    if let Some(zero) = memchr::memchr(0, bytes) {
        let line = lines_before + memchr::memchr_iter(b'\n', &bytes[..zero]).count() as u64 + 1;
        let zeros = memchr::memchr_iter(0, bytes).count();
        return Err(zero_bytes(path, line, zeros));
    }
    let mut complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = std::str::from_utf8(&bytes[..complete]).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        not_utf8(
            path,
            lines_before + valid.iter().filter(|&&b| b == b'\n').count() as u64 + 1,
        )
    })?;
    let mut entries = Vec::new();
    let mut line_number = lines_before;
    for line in text.split_terminator('\n') {
        line_number += 1;
        if line.trim().is_empty() || !wanted(line) {
            continue;
        }
        entries.push(parse_line(path, line, line_number)?);
    }
    let mut torn = None;
    let mut unterminated = false;
    let last = &bytes[complete..];
    if !last.is_empty() {
        let entry = std::str::from_utf8(last)
            .ok()
            .filter(|line| !line.trim().is_empty())
            .and_then(|line| parse_line(path, line, line_number + 1).ok());
        match entry {
            Some(entry) => {
                line_number += 1;
                if wanted(std::str::from_utf8(last).unwrap_or_default()) {
                    entries.push(entry);
                }
                complete = bytes.len();
                unterminated = true;
            }
            None => torn = Some(last.len() as u64),
        }
    }
    Ok(LogTail {
        entries,
        complete_end: from + complete as u64,
        lines: line_number,
        torn,
        unterminated,
    })
}

fn parse_line(path: &Path, line: &str, number: u64) -> Result<LogEntry, Error> {
    if let Some(entry) = read_written_line(line) {
        return Ok(entry);
    }
    ron::from_str(line).map_err(|e| {
        let mark = Mark::at_line_col(line, 1, e.span.start.col, 1, "damaged here");
        Error::DamagedProgress(
            Diagnostic::error(
                "K103",
                path.display().to_string(),
                format!("the review log is damaged: {}", e.code),
            )
            .with_mark(Mark {
                line: number as usize,
                ..mark
            })
            .with_help(log_recovery_help(path, number)),
        )
    })
}

/// The item of a line as [`one_line`] writes it, found without parsing the line (`None` when
/// the line is laid out otherwise). Only the item field can contain `, item: "`: the other
/// strings are dates and times.
fn written_item(line: &str) -> Option<&str> {
    let rest = &line[line.find(", item: \"")? + ", item: \"".len()..];
    let item = &rest[..rest.find('"')?];
    (!item.contains('\\')).then_some(item)
}

/// Reads a log line laid out exactly as [`one_line`] writes a [`LogEntry`], without ron's
/// general parser (which reads about 60 MB a second: a year of reviews of 100,000 cards is
/// 176 MB). Gives `None` for any other layout (a hand-edited line, an escaped string, a future
/// field), which ron then reads; a line this accepts, ron reads the same.
fn read_written_line(line: &str) -> Option<LogEntry> {
    struct Fields<'a> {
        rest: &'a str,
        first: bool,
    }
    impl<'a> Fields<'a> {
        /// The raw value of the next field, which must be `name`.
        fn next(&mut self, name: &str, string: bool) -> Option<&'a str> {
            let rest = if self.first {
                self.rest
            } else {
                self.rest.strip_prefix(", ")?
            };
            self.first = false;
            let rest = rest.strip_prefix(name)?.strip_prefix(": ")?;
            let (value, after) = if string {
                let inner = rest.strip_prefix('"')?;
                let end = inner.find('"')?;
                (&inner[..end], &inner[end + 1..])
            } else {
                rest.split_at(rest.find(',').unwrap_or(rest.len()))
            };
            // Escapes are ron's to decode.
            if value.contains('\\') {
                return None;
            }
            self.rest = after;
            Some(value)
        }
        fn string<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
            self.next(name, true)?.parse().ok()
        }
        fn bare<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
            self.next(name, false)?.parse().ok()
        }
    }
    let mut fields = Fields {
        rest: line.strip_prefix('(')?.strip_suffix(')')?,
        first: true,
    };
    let entry = LogEntry {
        at: fields.string("at")?,
        day: fields.string("day")?,
        item: fields.next("item", true)?.to_owned(),
        kind: match fields.next("kind", false)? {
            "Review" => ReviewKind::Review,
            "Drill" => ReviewKind::Drill,
            "Cram" => ReviewKind::Cram,
            _ => return None,
        },
        grade: fields.bare("grade")?,
        took_ms: fields.bare("took_ms")?,
        repetitions: fields.bare("repetitions")?,
        interval_days: fields.bare("interval_days")?,
        easiness: fields.bare("easiness")?,
        due: fields.string("due")?,
        rev: if fields.rest.is_empty() {
            0
        } else {
            fields.bare("rev")?
        },
        // A carried entry's `from` comes after `rev`; ron reads those lines.
        from: None,
    };
    fields.rest.is_empty().then_some(entry)
}

fn not_utf8(path: &Path, line: u64) -> Error {
    Error::DamagedProgress(
        Diagnostic::error(
            "K103",
            path.display().to_string(),
            format!("line {line} of the review log is not valid UTF-8 text"),
        )
        .with_help(log_recovery_help(path, line)),
    )
}

fn log_recovery_help(path: &Path, line: u64) -> String {
    format!(
        "each line of {} is one answer. Keep a copy of the file, then correct line {line} or delete it (deleting loses that one answer); knead will not change the file itself",
        path.display()
    )
}

fn zero_bytes(path: &Path, line: u64, zeros: usize) -> Error {
    Error::DamagedProgress(
        Diagnostic::error(
            "K103",
            path.display().to_string(),
            format!(
                "the review log holds {zeros} zero byte{} from line {line} on: the disk lost what was written there (usually in a power cut)",
                if zeros == 1 { "" } else { "s" }
            ),
        )
        .with_help(format!(
            "keep a copy of {}. Restore it from a backup if you have one; otherwise remove the zero bytes (for example `tr -d '\\000' < reviews.log > fixed.log`, then put fixed.log in its place): the answers they stand for cannot be recovered, every other complete line is kept. knead will not change the file itself, nor add answers to it until then",
            path.display()
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        }
    }

    fn open(dir: &Path) -> (Store, Vec<Notice>) {
        Store::open(dir, Access::Exclusive).unwrap()
    }

    #[test]
    fn reviews_at_the_easiness_floor_are_counted_until_one_rises_above_it() {
        let mut items = HashMap::new();
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
        let log = dir.path().join(LOG_FILE);
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
        let log = dir.path().join(LOG_FILE);
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
    fn a_damaged_snapshot_is_refused_and_the_log_can_rebuild_it() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(dir.path());
            store
                .record(&entry("d/a", "2026-11-20", 4, ReviewKind::Review))
                .unwrap();
            store.write_snapshot().unwrap();
        }
        let snapshot = dir.path().join(SNAPSHOT_FILE);
        let text = fs::read_to_string(&snapshot).unwrap();
        fs::write(&snapshot, text.replace("easiness: 2.5", "easiness: two")).unwrap();
        let error = Store::open(dir.path(), Access::ReadOnly).unwrap_err();
        let Error::DamagedProgress(diagnostic) = &error else {
            panic!("{error:?}")
        };
        assert!(
            diagnostic.location().contains("progress.ron:"),
            "{diagnostic}"
        );
        assert!(diagnostic.help.as_ref().unwrap().contains("rebuild"));
        fs::rename(&snapshot, dir.path().join("progress.ron.damaged")).unwrap();
        assert_eq!(open(dir.path()).0.items().len(), 1);
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
        let mut names: Vec<String> = fs::read_dir(dir)
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
                "not the start of a line",
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
                "not the answer it summarised last",
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
            let log_path = dir.path().join(LOG_FILE);
            let edited = edit(&fs::read_to_string(&log_path).unwrap());
            fs::write(&log_path, &edited).unwrap();
            let expected = fold(&history(dir.path()).unwrap()).0;
            assert_eq!(history(dir.path()).unwrap().len(), lines);

            // A reader believes the log and changes nothing.
            let (reader, notices) = Store::open(dir.path(), Access::ReadOnly).unwrap();
            assert_eq!(reader.items(), &expected, "{reason}");
            assert_eq!(notices.len(), 1, "{notices:?}");
            assert!(notices[0].0.contains(reason), "{notices:?}");
            assert!(dir.path().join(SNAPSHOT_FILE).exists());
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
            assert!(!dir.path().join(SNAPSHOT_FILE).exists());
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
        let snapshot = dir.path().join(SNAPSHOT_FILE);
        let text = fs::read_to_string(&snapshot).unwrap();
        fs::write(&snapshot, text.replace("log_lines: 3,", "log_lines: 40,")).unwrap();
        let log = dir.path().join(LOG_FILE);
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
    fn a_snapshots_last_answer_without_its_newline_is_kept_and_the_snapshot_too() {
        let dir = tempfile::tempdir().unwrap();
        let entries = five_with_a_snapshot_after_three(dir.path());
        {
            let (mut store, _) = open(dir.path());
            store.write_snapshot().unwrap();
        }
        let log = dir.path().join(LOG_FILE);
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
        assert_eq!(line_ending_at(&path, 5).unwrap(), b"first");
        assert_eq!(line_ending_at(&path, 6 + 10_000).unwrap(), long.as_bytes());
        assert_eq!(line_ending_at(&path, 6 + 10_001 + 4).unwrap(), b"last");
        assert_eq!(line_ending_at(&path, 0).unwrap(), b"");
    }

    #[test]
    fn a_complete_last_answer_without_its_newline_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let entries = five_with_a_snapshot_after_three(dir.path());
        let log = dir.path().join(LOG_FILE);
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
    fn zero_bytes_anywhere_in_the_log_are_refused_and_never_cut() {
        let dir = tempfile::tempdir().unwrap();
        five_with_a_snapshot_after_three(dir.path());
        let log = dir.path().join(LOG_FILE);
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
            dir.path().join("seen/.tmpG7h8I9"),
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
        for name in [SNAPSHOT_FILE, LOG_FILE] {
            let dir = tempfile::tempdir().unwrap();
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
        std::os::unix::fs::symlink("/dev/full", dir.path().join(LOG_FILE)).unwrap();
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

    fn fold(entries: &[LogEntry]) -> (HashMap<String, ItemProgress>, StudyDays) {
        let mut items = HashMap::new();
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
        assert!(!dir.path().join(LOG_FILE).exists());
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
        assert_eq!(fs::read(dir.path().join(LOG_FILE)).unwrap(), b"");
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
        let log = fs::read(dir.path().join(LOG_FILE)).unwrap();
        store.undo_last().unwrap().unwrap();
        drop(store);
        // The undo's first step done, its second not: the new snapshot beside the old log.
        fs::write(dir.path().join(LOG_FILE), &log).unwrap();
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
        let snapshot = dir.path().join(SNAPSHOT_FILE);
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
        let snapshot = dir.path().join(SNAPSHOT_FILE);
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
        let log = dir.path().join(LOG_FILE);
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
        ) {
            entry.rev = rev;
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
            let mut expected = HashMap::new();
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
            let log = fs::read_to_string(dir.path().join(LOG_FILE)).unwrap();
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
            prop_assert_eq!(fs::read_to_string(dir.path().join(LOG_FILE)).unwrap(), expected_log);
            let (store, notices) = open(dir.path());
            prop_assert!(notices.is_empty());
            prop_assert_eq!(store.items(), &items);
            prop_assert_eq!(store.study_days(), &days);
        }
    }
}
