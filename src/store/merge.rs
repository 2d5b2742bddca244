//! One order for every machine: the journals of all devices, merged by timestamp.
//!
//! Each entry's key is `(at, device, line)`; progress is the fold of all entries in key order.
//! Any machine holding the same journals sorts the same entries the same way, so it computes
//! the same progress. Entries that are identical in two devices' journals (both migrated one
//! old `reviews.log` before the sync caught up) are folded once.

use crate::store::ItemMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::aggregate::{self, Tallies};
use super::device::DeviceId;
use super::model::{LogEntry, StudyDays, apply, count_day};
use super::{JOURNAL_DIR, Notice};
use crate::error::Error;

/// Where an entry sorts among every device's entries.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub at: Timestamp,
    pub device: String,
    /// 1-based line number in its journal.
    pub line: u64,
}

/// An entry with its key.
#[derive(Clone, Debug)]
pub struct Keyed {
    pub key: Key,
    pub entry: LogEntry,
}

/// The journals in `dir`'s `journal/` folder, by device. Files whose name is not
/// `<device id>.log` (a sync tool's conflict copy, an editor's backup) are not journals: each
/// is reported once in `notices` and never read.
pub fn journals(
    dir: &Path,
    notices: &mut Vec<Notice>,
) -> Result<BTreeMap<DeviceId, PathBuf>, Error> {
    let folder = dir.join(JOURNAL_DIR);
    let (found, ignored) = super::device::files_by_device(&folder, "log")?;
    for name in ignored {
        notices.push(Notice(format!(
            "{}: not a device journal (journals are named <device id>.log; this may be a sync tool's conflict copy), so it is not read. If it holds answers no journal has, ask for help before deleting it",
            folder.join(name).display()
        )));
    }
    Ok(found)
}

/// Sorts `entries` into key order.
pub fn sort(entries: &mut [Keyed]) {
    entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
}

/// Folds `entries` (in key order) into `items`, `days` and `tallies`, skipping an entry
/// identical to one of another device at the same time (the same answer in two journals).
pub fn fold(entries: &[Keyed], items: &mut ItemMap, days: &mut StudyDays, tallies: &mut Tallies) {
    for_each_distinct(entries, |entry| {
        apply(items, entry);
        count_day(days, entry);
        aggregate::count(tallies, entry);
    });
}

/// `entries` (in key order) without the copies [`fold`] skips.
pub fn distinct(entries: Vec<Keyed>) -> Vec<LogEntry> {
    let mut copies = Vec::new();
    let (mut group_start, mut device_start) = (0, 0);
    for n in 0..entries.len() {
        (group_start, device_start) = bounds(&entries, n, group_start, device_start);
        copies.push(is_copy(&entries, n, group_start, device_start));
    }
    entries
        .into_iter()
        .zip(copies)
        .filter(|(_, copy)| !copy)
        .map(|(keyed, _)| keyed.entry)
        .collect()
}

fn for_each_distinct(entries: &[Keyed], mut each: impl FnMut(&LogEntry)) {
    let mut group_start = 0;
    let mut device_start = 0;
    for (n, keyed) in entries.iter().enumerate() {
        (group_start, device_start) = bounds(entries, n, group_start, device_start);
        if !is_copy(entries, n, group_start, device_start) {
            each(&keyed.entry);
        }
    }
}

/// Where the group of entries with the same time as entry `n` starts, and where that group's
/// entries of `n`'s device start (entries with the same time sort by device).
fn bounds(entries: &[Keyed], n: usize, group_start: usize, device_start: usize) -> (usize, usize) {
    if entries[n].key.at != entries[group_start].key.at {
        (n, n)
    } else if entries[n].key.device != entries[device_start].key.device {
        (group_start, n)
    } else {
        (group_start, device_start)
    }
}

/// Whether entry `n` repeats an entry of an earlier device at the same time.
fn is_copy(entries: &[Keyed], n: usize, group_start: usize, device_start: usize) -> bool {
    entries[group_start..device_start]
        .iter()
        .any(|earlier| earlier.entry == entries[n].entry)
}
