//! Moving a single-machine data directory (`reviews.log`, `progress.ron`) to this layout, on
//! the first session of this version. Crash-safe at every step, and idempotent: a kill leaves
//! the old file, or both (the journal is a whole copy, so the redo appends nothing), or only
//! the new one; the next session finishes the move.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use super::Notice;
use super::device::DeviceId;
use super::journal::{self, Owner};
use super::lock::append_options;
use super::merge::Key;
use super::snapshot::{self, Coverage, SNAPSHOT_FILE};
use super::{JOURNAL_DIR, model};
use crate::error::{Error, IoContext};
use crate::files;
use crate::files::{sync_dir, write_atomically};

/// The single log of knead before journals.
pub const LEGACY_LOG: &str = "reviews.log";
/// The single snapshot of knead before journals (format 1).
pub const LEGACY_SNAPSHOT: &str = "progress.ron";

/// Moves what is left of the old layout in `dir` to this device's journal `journal` (locked
/// by the caller) and its device-local folder `local`.
pub fn run(
    dir: &Path,
    device: &DeviceId,
    journal: &Path,
    local: &Path,
    notices: &mut Vec<Notice>,
) -> Result<(), Error> {
    let moved = move_log(dir, device, journal, notices)?;
    if moved {
        move_snapshot(dir, device, journal, local, notices)?;
    }
    Ok(())
}

/// Step 1: `reviews.log` becomes this device's journal. Its whole lines are appended to the
/// journal (which is empty, or a copy cut short by a kill), made durable, and only then is
/// `reviews.log` removed. Returns whether there is no `reviews.log` left.
fn move_log(
    dir: &Path,
    device: &DeviceId,
    journal: &Path,
    notices: &mut Vec<Notice>,
) -> Result<bool, Error> {
    let legacy = dir.join(LEGACY_LOG);
    let Some(old) = files::read_regular_if_present(&legacy)? else {
        return Ok(true);
    };
    // What the old knead would have kept: its complete lines, and a complete answer that lost
    // its newline; a torn last line is left out (the old file keeps it until it is removed).
    let tail = journal::read_whole(&legacy, Owner::ThisDevice, |_| true)?;
    let mut whole = old[..tail.complete_end as usize].to_vec();
    if tail.unterminated {
        whole.push(b'\n');
    }
    let current = fs::read(journal).context("read", journal)?;
    // A copy cut short by a kill ends in at most one unfinished line: go back to the last
    // whole line the two share and copy on from there.
    let shared = whole
        .iter()
        .zip(&current)
        .take_while(|(a, b)| a == b)
        .count();
    let shared = whole[..shared]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1);
    let unfinished = &current[shared..];
    if current.len() > whole.len() && current.starts_with(&whole) || current == whole {
        // Copied already; a kill came before the old file was removed.
    } else if !unfinished.contains(&b'\n') {
        let file = OpenOptions::new()
            .write(true)
            .open(journal)
            .context("open", journal)?;
        file.set_len(shared as u64)
            .and_then(|()| file.sync_all())
            .context("move reviews.log into", journal)?;
        append_options()
            .open(journal)
            .and_then(|mut file| {
                file.write_all(&whole[shared..])?;
                file.sync_data()
            })
            .context("move reviews.log into", journal)?;
        sync_dir(&dir.join(JOURNAL_DIR))?;
    } else {
        // This device's journal holds answers that are not in reviews.log: an older knead
        // wrote reviews.log after this device moved to journals. Its answers move to a journal
        // of their own (answers both hold are counted once), named by its content so that a
        // device doing the same with the same file makes the same one.
        let name = format!("legacy-{}.log", &snapshot::line_hash(&whole)[..12]);
        let target = dir.join(JOURNAL_DIR).join(&name);
        write_atomically(&target, &whole)?;
        fs::remove_file(&legacy).context("remove", &legacy)?;
        sync_dir(dir)?;
        notices.push(Notice(format!(
            "{} held answers written after {} moved to journals (by an older knead?); they are now read from {} (answers both hold count once)",
            legacy.display(),
            device,
            target.display()
        )));
        return Ok(true);
    }
    fs::remove_file(&legacy).context("remove", &legacy)?;
    sync_dir(dir)?;
    notices.push(Notice(format!(
        "moved {} into {}, this machine's journal, for studying on several machines (nothing was lost)",
        legacy.display(),
        journal.display()
    )));
    if let Some(torn) = tail.torn {
        notices.push(Notice(format!(
            "{}: its last line was an answer cut off by a crash ({torn} bytes, not a complete answer); it was left out",
            legacy.display()
        )));
    }
    Ok(true)
}

/// Step 2: `progress.ron` (format 1, a summary of `reviews.log`) becomes this device's
/// snapshot, once the log is this device's journal. It is converted when it still describes
/// the journal (offset at a line end, the line hash if it has one, sound values, entries in
/// time order so the merge order is the order it folded them); otherwise it is set aside and
/// the journals rebuild it. Then it is removed; a kill before that only repeats the check.
fn move_snapshot(
    dir: &Path,
    device: &DeviceId,
    journal: &Path,
    local: &Path,
    notices: &mut Vec<Notice>,
) -> Result<(), Error> {
    let legacy = dir.join(LEGACY_SNAPSHOT);
    let Some(bytes) = files::read_regular_if_present(&legacy)? else {
        return Ok(());
    };
    let target = local.join(SNAPSHOT_FILE);
    if target.exists() {
        // Converted already; a kill came before the old file was removed.
        fs::remove_file(&legacy).context("remove", &legacy)?;
        return sync_dir(dir);
    }
    match convert(&bytes, device, journal)? {
        Some(text) => {
            write_atomically(&target, text.as_bytes())?;
            fs::remove_file(&legacy).context("remove", &legacy)?;
            sync_dir(dir)?;
        }
        None => {
            fs::create_dir_all(local).context("create", local)?;
            let aside = local.join(format!("{LEGACY_SNAPSHOT}.before-journals"));
            fs::rename(&legacy, &aside).context("set aside", &legacy)?;
            sync_dir(dir)?;
            sync_dir(local)?;
            notices.push(Notice(format!(
                "{} did not match the answers it summarised, so it was set aside as {} and your progress rebuilt from the journal; no answer was lost",
                legacy.display(),
                aside.display()
            )));
        }
    }
    Ok(())
}

/// The old snapshot in the new format, when it still describes this device's journal.
fn convert(bytes: &[u8], device: &DeviceId, journal: &Path) -> Result<Option<String>, Error> {
    #[derive(serde::Deserialize)]
    struct Old {
        format: u32,
        log_bytes: u64,
        log_lines: u64,
        #[serde(default)]
        last_line: Option<String>,
        items: model::ItemMap,
        #[serde(default)]
        days: model::StudyDays,
    }
    let Some(old) = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| ron::from_str::<Old>(text).ok())
    else {
        return Ok(None);
    };
    if old.format != 1
        || old.items.values().any(|item| item.problem().is_some())
        || (old.days.is_empty() && old.log_bytes > 0)
    {
        return Ok(None);
    }
    let text = fs::read(journal).context("read", journal)?;
    let end = old.log_bytes as usize;
    if text.len() < end || (end > 0 && text[end - 1] != b'\n') {
        return Ok(None);
    }
    let covered = &text[..end];
    let lines = memchr::memchr_iter(b'\n', covered).count() as u64;
    let last = covered[..end.saturating_sub(1)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |n| n + 1);
    let hash_now = (end > 0).then(|| snapshot::line_hash(&covered[last..end - 1]));
    if lines != old.log_lines || (old.last_line.is_some() && old.last_line != hash_now) {
        return Ok(None);
    }
    let tail = journal::parse_bytes(journal, covered, 0, 0, Owner::ThisDevice, |_| true)?;
    let in_range = &tail.entries;
    if !in_range.windows(2).all(|pair| pair[0].1.at <= pair[1].1.at) {
        return Ok(None);
    }
    let frontier = in_range.last().map(|(number, entry)| Key {
        at: entry.at,
        device: device.as_str().to_owned(),
        line: *number,
    });
    let mut journals = std::collections::BTreeMap::new();
    if old.log_bytes > 0 {
        journals.insert(
            device.as_str().to_owned(),
            Coverage {
                bytes: old.log_bytes,
                lines: old.log_lines,
                last_line: hash_now,
                latest: in_range.iter().map(|(_, e)| e.at).max(),
            },
        );
    }
    // The old snapshot had no tallies or index of days: they come from the lines it covers,
    // which were just read anyway.
    let mut tallies = super::Tallies::default();
    for (_, entry) in in_range {
        super::aggregate::count(&mut tallies, entry);
    }
    let mut day_index = std::collections::BTreeMap::new();
    if !tail.day_starts.is_empty() {
        day_index.insert(device.as_str().to_owned(), tail.day_starts.clone());
    }
    Ok(Some(snapshot::text(
        device.as_str(),
        &journals,
        frontier.as_ref(),
        &old.items,
        &old.days,
        &tallies,
        &day_index,
    )))
}
