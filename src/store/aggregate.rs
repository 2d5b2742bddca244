//! What reports need of the history, kept beside the progress so that `knead stats` costs the
//! cards and the recent days it shows, not the whole history.
//!
//! - [`Tally`]: per item, its scheduling reviews and cram answers, and how many of each were
//!   graded 3 or more, counted by the item each answer names (a carried-over card starts its
//!   own tally; its progress is what carries over). These give the all-time columns.
//! - [`DayIndex`]: per journal, where each study day starts, so a report over the last days
//!   (the 7- and 30-day columns, the 12-week calendar, today) seeks to them and reads only
//!   them.
//!
//! Both are derived like the rest of the snapshot: folded with it from the journals, checked
//! with it, and rebuilt with it when it does not match them.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::model::{LogEntry, ReviewKind};

/// One item's answers that count in retention, by the item they name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Scheduling reviews (`Review` entries, a new card's first answer included).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reviews: u32,
    /// Of those, graded 3 or more.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub passed: u32,
    /// Cram answers (`study --cram`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub crams: u32,
    /// Of those, graded 3 or more.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cram_passed: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Tally {
    fn is_empty(&self) -> bool {
        *self == Tally::default()
    }

    /// What is impossible about this tally, if anything (for a snapshot read back).
    pub fn problem(&self) -> Option<String> {
        if self.is_empty() {
            Some("a tally with nothing counted".into())
        } else if self.passed > self.reviews || self.cram_passed > self.crams {
            Some("more answers passed than were given".into())
        } else {
            None
        }
    }
}

/// Tallies by item key.
/// (foldhash, as [`super::ItemMap`].)
pub type Tallies = HashMap<String, Tally, foldhash::fast::RandomState>;

/// Counts `entry` in `tallies` (drills, deck-revision notes and reviews made in Anki count
/// nowhere).
pub fn count(tallies: &mut Tallies, entry: &LogEntry) {
    let passed = u32::from(entry.grade >= 3);
    match entry.kind {
        ReviewKind::Review => {
            let tally = tallies.entry(entry.item.clone()).or_default();
            tally.reviews += 1;
            tally.passed += passed;
        }
        ReviewKind::Cram => {
            let tally = tallies.entry(entry.item.clone()).or_default();
            tally.crams += 1;
            tally.cram_passed += passed;
        }
        ReviewKind::Drill
        | ReviewKind::Revised(_)
        | ReviewKind::Carried
        | ReviewKind::Anki(_)
        | ReviewKind::AnkiSchedule(_) => {}
    }
}

/// Takes `entry` back out of `tallies` (an undo).
pub fn uncount(tallies: &mut Tallies, entry: &LogEntry) {
    let passed = u32::from(entry.grade >= 3);
    let Some(tally) = tallies.get_mut(&entry.item) else {
        return;
    };
    match entry.kind {
        ReviewKind::Review => {
            tally.reviews = tally.reviews.saturating_sub(1);
            tally.passed = tally.passed.saturating_sub(passed);
        }
        ReviewKind::Cram => {
            tally.crams = tally.crams.saturating_sub(1);
            tally.cram_passed = tally.cram_passed.saturating_sub(passed);
        }
        ReviewKind::Drill
        | ReviewKind::Revised(_)
        | ReviewKind::Carried
        | ReviewKind::Anki(_)
        | ReviewKind::AnkiSchedule(_) => {}
    }
    if tally.is_empty() {
        tallies.remove(&entry.item);
    }
}

/// Where a study day starts in one journal: the first line whose day is later than the day of
/// every line before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayStart {
    pub day: Date,
    /// Byte offset of the line.
    pub offset: u64,
    /// Lines before it.
    pub lines: u64,
}

/// One journal's day starts, in file order (days and offsets both increasing).
///
/// Days usually only grow along a journal, but a clock set back or a change of time zone can
/// write a day earlier than one before it; such a line starts nothing. The index still finds,
/// for any day `d`, the first line whose day is `d` or later: that line's day is later than
/// every day before it, so it starts an entry, and every earlier entry is of an earlier day.
/// A read from there, keeping lines of day `d` or later, misses nothing.
pub type DayIndex = Vec<DayStart>;

/// Notes that the line at `offset` (after `lines` lines) has study day `day`.
pub fn index_line(index: &mut DayIndex, day: Date, offset: u64, lines: u64) {
    if index.last().is_none_or(|last| day > last.day) {
        index.push(DayStart { day, offset, lines });
    }
}

/// Forgets the line at `offset`, the journal's last (an undo cuts it).
pub fn unindex_line(index: &mut DayIndex, offset: u64) {
    if index.last().is_some_and(|last| last.offset >= offset) {
        index.pop();
    }
}

/// Where to read a journal from to see every line of day `from` or later: the offset and the
/// lines before it; `None` when no line of the index is that late.
pub fn seek(index: &DayIndex, from: Date) -> Option<(u64, u64)> {
    let at = index.partition_point(|start| start.day < from);
    index.get(at).map(|start| (start.offset, start.lines))
}

/// What is wrong with one journal's index read back, if anything: it must grow in day and
/// offset, and end within the bytes and lines folded.
pub fn index_problem(index: &DayIndex, bytes: u64, lines: u64) -> Option<String> {
    let ordered = index
        .windows(2)
        .all(|w| w[0].day < w[1].day && w[0].offset < w[1].offset && w[0].lines < w[1].lines);
    let within = index
        .last()
        .is_none_or(|last| last.offset < bytes && last.lines < lines);
    (!(ordered && within)).then(|| "its index of days is out of order".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> Date {
        d.parse().unwrap()
    }

    #[test]
    fn a_day_earlier_than_one_before_it_starts_nothing_and_is_still_found() {
        let mut index = DayIndex::new();
        // Lines 0..5 at offsets 0, 10, 20, ...: days 1, 1, 3, 2 (clock set back), 4.
        for (n, d) in [
            "2026-11-01",
            "2026-11-01",
            "2026-11-03",
            "2026-11-02",
            "2026-11-04",
        ]
        .iter()
        .enumerate()
        {
            index_line(&mut index, day(d), n as u64 * 10, n as u64);
        }
        assert_eq!(index.len(), 3);
        assert_eq!(seek(&index, day("2026-10-01")), Some((0, 0)));
        // Day 2 first appears on line 3, but line 2 (day 3) is already later: read from it.
        assert_eq!(seek(&index, day("2026-11-02")), Some((20, 2)));
        assert_eq!(seek(&index, day("2026-11-04")), Some((40, 4)));
        assert_eq!(seek(&index, day("2026-11-05")), None);
        unindex_line(&mut index, 40);
        assert_eq!(seek(&index, day("2026-11-04")), None);
        // Cutting a line that started nothing leaves the index as it is.
        unindex_line(&mut index, 30);
        assert_eq!(index.len(), 2);
        assert_eq!(index_problem(&index, 30, 3), None);
        assert!(index_problem(&index, 20, 2).is_some());
    }

    #[test]
    fn tallies_count_reviews_and_crams_and_undo_takes_them_back() {
        let entry = |kind, grade| LogEntry {
            at: "2026-11-21T10:00:00Z".parse().unwrap(),
            day: day("2026-11-21"),
            item: "d/a".into(),
            kind,
            grade,
            took_ms: 1000,
            repetitions: 1,
            interval_days: 1,
            easiness: 2.5,
            due: day("2026-11-22"),
            rev: 0,
            from: None,
            chose: None,
            first: false,
        };
        let mut tallies = Tallies::default();
        for (kind, grade) in [
            (ReviewKind::Review, 4),
            (ReviewKind::Review, 1),
            (ReviewKind::Drill, 5),
            (ReviewKind::Cram, 3),
        ] {
            count(&mut tallies, &entry(kind, grade));
        }
        let expected = Tally {
            reviews: 2,
            passed: 1,
            crams: 1,
            cram_passed: 1,
        };
        assert_eq!(tallies["d/a"], expected);
        uncount(&mut tallies, &entry(ReviewKind::Cram, 3));
        uncount(&mut tallies, &entry(ReviewKind::Review, 1));
        uncount(&mut tallies, &entry(ReviewKind::Review, 4));
        assert!(tallies.is_empty(), "{tallies:?}");
    }
}
