//! The snapshot, `local/<device>/progress.ron`: every item's state folded from the journals,
//! and proof of what it covers.
//!
//! For each journal it records the bytes and lines folded and a hash of the last line folded,
//! and for all of them a frontier (an upper bound of the merge keys folded). Beside the items'
//! states it keeps what reports need of the history ([`super::aggregate`]): per-item tallies
//! and, per journal, where each study day starts. It only makes start-up and reports fast: it
//! is device-local, rewritten atomically at the end of a session once the journals have grown
//! enough since ([`super::Store::checkpoint`]), and can always be rebuilt from the journals. A
//! snapshot that does not match the journals, or that holds an impossible value, is set aside
//! and rebuilt; it never stops knead.

use crate::store::ItemMap;
use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::aggregate::{self, DayIndex, Tallies};
use super::merge::Key;
use super::model::StudyDays;
use super::one_line;

/// The snapshot's file in the device-local folder.
pub const SNAPSHOT_FILE: &str = "progress.ron";
/// Raised when the layout changes; 1 was the single-log snapshot of `reviews.log`, 2 had no
/// tallies or index of days (an older snapshot is rebuilt once, with a note).
pub const FORMAT: u32 = 3;

/// How much of one journal is folded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Bytes folded: always the end of a line.
    pub bytes: u64,
    pub lines: u64,
    /// A hash of the last line folded (without its newline); `None` when nothing is.
    #[serde(default)]
    pub last_line: Option<String>,
    /// The latest `at` folded (for `knead status`).
    #[serde(default)]
    pub latest: Option<Timestamp>,
}

/// `progress.ron`; `Items`, `Days`, `Counts` and `Index` are owned when read and borrowed when
/// written.
#[derive(Serialize, Deserialize)]
pub struct Snapshot<
    Items = ItemMap,
    Days = StudyDays,
    Counts = Tallies,
    Index = BTreeMap<String, DayIndex>,
> {
    pub format: u32,
    /// The device whose folder holds it (a copy in another device's folder is not used).
    pub device: String,
    /// What of each journal is folded, by device.
    pub journals: BTreeMap<String, Coverage>,
    /// Every entry folded sorts at or before it.
    pub frontier: Option<Key>,
    pub items: Items,
    pub days: Days,
    /// Answers by the item they name ([`aggregate::Tally`]).
    pub tallies: Counts,
    /// Where each study day starts in each journal, by device ([`aggregate::DayIndex`]).
    pub day_index: Index,
}

/// A short hash of one journal line's bytes (without its newline).
pub fn line_hash(line: &[u8]) -> String {
    blake3::hash(line).to_hex()[..16].to_owned()
}

/// The snapshot as text: one item per line, sorted, so a learner (or a diff) can read it.
pub fn text(
    device: &str,
    journals: &BTreeMap<String, Coverage>,
    frontier: Option<&Key>,
    items: &ItemMap,
    days: &StudyDays,
    tallies: &Tallies,
    day_index: &BTreeMap<String, DayIndex>,
) -> String {
    let mut keys: Vec<&String> = items.keys().collect();
    keys.sort();
    let mut text = String::with_capacity(256 + items.len() * 180);
    text.push_str(
        "// knead progress on this device: a summary of the journals, rebuilt from them if removed.\n",
    );
    text.push_str(&format!(
        "(\n    format: {FORMAT},\n    device: {},\n    journals: {{\n",
        one_line(device)
    ));
    for (journal, coverage) in journals {
        text.push_str(&format!(
            "        {}: {},\n",
            one_line(journal),
            one_line(coverage)
        ));
    }
    text.push_str(&format!(
        "    }},\n    frontier: {},\n    items: {{\n",
        one_line(&frontier)
    ));
    for key in keys {
        let value = one_line(&items[key]);
        let key = one_line(key);
        text.push_str(&format!("        {key}: {value},\n"));
    }
    text.push_str(&format!(
        "    }},\n    days: {},\n    tallies: {{\n",
        one_line(days)
    ));
    let mut keys: Vec<&String> = tallies.keys().collect();
    keys.sort();
    for key in keys {
        let value = one_line(&tallies[key]);
        let key = one_line(key);
        text.push_str(&format!("        {key}: {value},\n"));
    }
    text.push_str("    },\n    day_index: {\n");
    for (journal, index) in day_index {
        text.push_str(&format!(
            "        {}: {},\n",
            one_line(journal),
            one_line(index)
        ));
    }
    text.push_str("    },\n)\n");
    text
}

/// What is wrong with a snapshot read back, if anything: an impossible value, or counts that
/// cannot be.
pub fn problem(snapshot: &Snapshot, path: &Path) -> Option<String> {
    if snapshot.format != FORMAT {
        return Some(format!(
            "{} has format {}, this knead writes format {FORMAT}",
            path.display(),
            snapshot.format
        ));
    }
    for (key, item) in &snapshot.items {
        if let Some(problem) = item.problem() {
            return Some(format!(
                "{}: item {key}: {} ({})",
                path.display(),
                problem.problem,
                problem.field
            ));
        }
    }
    for (journal, coverage) in &snapshot.journals {
        if coverage.lines > coverage.bytes || (coverage.bytes > 0) != coverage.last_line.is_some() {
            return Some(format!(
                "{}: what it covers of journal {journal} is inconsistent",
                path.display()
            ));
        }
    }
    for (key, tally) in &snapshot.tallies {
        if let Some(problem) = tally.problem() {
            return Some(format!("{}: tally of {key}: {problem}", path.display()));
        }
    }
    for (journal, index) in &snapshot.day_index {
        let problem = match snapshot.journals.get(journal) {
            None => Some("it indexes a journal it does not cover".to_owned()),
            Some(coverage) => aggregate::index_problem(index, coverage.bytes, coverage.lines),
        };
        if let Some(problem) = problem {
            return Some(format!("{}: journal {journal}: {problem}", path.display()));
        }
    }
    if let Some((day, _)) = snapshot.days.iter().find(|(_, count)| **count == 0) {
        return Some(format!("{}: day {day} counts 0 answers", path.display()));
    }
    None
}
