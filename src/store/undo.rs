//! Taking back this device's latest answer ([`Store::undo_last`]).
//!
//! Undo is the one change that is not an append: it cuts the last line off this device's
//! journal, after first rewriting the snapshot if it already included that line, so the
//! snapshot never covers more of a journal than the journal holds. Another device's journal is
//! never changed: its entries are that device's to take back.

use std::fs::OpenOptions;

use super::aggregate;
use super::journal::{self, LastLine};
use super::merge::Key;
use super::model::{
    ItemProgress, LogEntry, ReviewKind, apply, fold_item, moves_schedule, uncount_day,
};
use super::snapshot::Coverage;
use super::{Access, Store, rebuild};
use crate::error::{Error, IoContext};

/// An answer taken back by [`Store::undo_last`].
#[derive(Clone, Debug, PartialEq)]
pub struct Undone {
    /// The journal entry that was removed.
    pub entry: LogEntry,
    /// The item's progress as it is again; `None` when the item is new again (the entry was
    /// its first review).
    pub restored: Option<ItemProgress>,
}

/// How the progress without the undone entry is found.
enum Before {
    /// Only its item changes, to this.
    Item(Option<ItemProgress>),
    /// Entries of other devices were folded after it: everything is folded again without it.
    Everything,
}

impl Store {
    /// Takes back this device's latest answer: removes its line from the journal and restores
    /// everything it changed (its item's progress, its day's count). Returns `None` when this
    /// device's journal is empty. Each call steps one answer further back, across sessions and
    /// restarts.
    ///
    /// Crash-safe: when the snapshot already includes the answer, a snapshot without it is
    /// written first (atomically), and only then is the line cut off the journal. A crash in
    /// between leaves a snapshot of the shorter journal beside the longer one, which reopening
    /// reads as the state before the undo (the extra line is folded again); a crash after it,
    /// as the state after. The snapshot never covers more of a journal than it holds.
    pub fn undo_last(&mut self) -> Result<Option<Undone>, Error> {
        // Revision notes logged after the answer (at the start of a later session) go with it:
        // they are not answers, and the next session records them again. An entry brought in
        // from Anki is taken back on its own: an undo just after an import never reaches past
        // it to an answer made in knead before.
        loop {
            match self.undo_last_entry()? {
                Some(undone)
                    if !undone.entry.kind.is_answer()
                        && !matches!(
                            undone.entry.kind,
                            ReviewKind::Anki(_) | ReviewKind::AnkiSchedule(_)
                        ) =>
                {
                    continue;
                }
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
        let own = self.journals.get(&self.device).cloned().unwrap_or_default();
        // This process's own answers are remembered; older ones are read back from the journal.
        let (last, coverage_after, before) = match self.recent.back() {
            Some(recorded) if self.frontier.as_ref() == Some(&recorded.key) => (
                LastLine {
                    start: recorded.start,
                    lines: 1,
                    number: recorded.key.line,
                    entry: recorded.entry.clone(),
                    hash_before: recorded.coverage_before.last_line.clone(),
                },
                recorded.coverage_before.clone(),
                Before::Item(recorded.before.clone()),
            ),
            _ => {
                let Some(last) = journal::last_line(&self.journal_path(), own.bytes, own.lines)?
                else {
                    return Ok(None);
                };
                let key = Key {
                    at: last.entry.at,
                    device: self.device.as_str().to_owned(),
                    line: last.number,
                };
                let alone = self
                    .journals
                    .iter()
                    .all(|(id, c)| *id == self.device || c.bytes == 0);
                let before = if alone && self.frontier.as_ref() == Some(&key) {
                    Before::Item(self.rebuild_before(&last)?)
                } else {
                    Before::Everything
                };
                let coverage_after = Coverage {
                    bytes: last.start,
                    lines: own.lines - last.lines,
                    last_line: last.hash_before.clone(),
                    latest: own.latest,
                };
                (last, coverage_after, before)
            }
        };
        let saved = (
            self.items.clone(),
            self.days.clone(),
            self.journals.clone(),
            self.frontier.clone(),
            self.tallies.clone(),
            self.day_index.clone(),
        );
        let key = last.entry.item.clone();
        let restored = match before {
            Before::Item(before) => {
                match &before {
                    Some(progress) => self.items.insert(key.clone(), progress.clone()),
                    None => self.items.remove(&key),
                };
                uncount_day(&mut self.days, &last.entry);
                aggregate::uncount(&mut self.tallies, &last.entry);
                if let Some(index) = self.day_index.get_mut(&self.device) {
                    aggregate::unindex_line(index, last.start);
                }
                before
            }
            Before::Everything => {
                let mut notices = Vec::new();
                let paths = super::journals(&self.dir, &self.device, &mut notices)?;
                let folded = rebuild(&paths, &self.device, Some(last.number))?;
                self.items = folded.items;
                self.days = folded.days;
                self.journals = folded.journals;
                self.frontier = folded.frontier;
                self.tallies = folded.tallies;
                self.day_index = folded.day_index;
                self.items.get(&key).cloned()
            }
        };
        self.journals.insert(self.device.clone(), coverage_after);
        self.stale = true;
        if let Err(error) = self.cut_journal() {
            (
                self.items,
                self.days,
                self.journals,
                self.frontier,
                self.tallies,
                self.day_index,
            ) = saved;
            return Err(error);
        }
        if self
            .recent
            .back()
            .is_some_and(|recorded| recorded.start == last.start)
        {
            self.recent.pop_back();
        } else {
            // Read back from the journal: what is remembered lies beyond it no more.
            self.recent.clear();
        }
        Ok(Some(Undone {
            entry: last.entry,
            restored,
        }))
    }

    /// Makes this device's journal end where its coverage says (the in-memory state already
    /// reflects the cut).
    fn cut_journal(&mut self) -> Result<(), Error> {
        let end = self.journals.get(&self.device).map_or(0, |c| c.bytes);
        let covered = self
            .snapshot
            .as_ref()
            .and_then(|s| s.get(&self.device).copied())
            .unwrap_or(0);
        if covered > end {
            self.write_snapshot()?;
        }
        let path = self.journal_path();
        OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|file| {
                file.set_len(end)?;
                file.sync_all()
            })
            .context("undo the last answer in", &path)
    }

    /// The progress of the last line's item before it, when this device's journal is the only
    /// one. Usually found quickly: the item's own earlier entries, read backwards until as many
    /// reviews as it had before have turned up, folded through [`apply`] and checked by folding
    /// the last entry on top. Should the check fail, because the item's progress is more than
    /// the fold of its own entries, the whole journal before the line is replayed instead.
    fn rebuild_before(&self, last: &LastLine) -> Result<Option<ItemProgress>, Error> {
        let key = &last.entry.item;
        let current = self.items.get(key);
        if !moves_schedule(&last.entry) {
            return Ok(current.cloned());
        }
        let own = self.journals.get(&self.device).cloned().unwrap_or_default();
        let path = self.journal_path();
        let reviews_before = current.map_or(0, |p| p.reviews.saturating_sub(1));
        let earlier = journal::latest_entries_of(
            &path,
            key,
            last.start,
            own.lines - last.lines,
            reviews_before,
        )?;
        let before = fold_item(key, &earlier);
        let mut check = super::ItemMap::default();
        if let Some(progress) = &before {
            check.insert(key.clone(), progress.clone());
        }
        apply(&mut check, &last.entry);
        if check.get(key) == current {
            return Ok(before);
        }
        let entries: Vec<LogEntry> =
            journal::read_whole(&path, journal::Owner::ThisDevice, |_| true)?
                .entries
                .into_iter()
                .filter(|(number, _)| *number < last.number)
                .map(|(_, entry)| entry)
                .collect();
        Ok(fold_item(key, &entries))
    }
}
