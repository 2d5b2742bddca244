//! The snapshot's compiled copy (see [`crate::cache`]): the same values as `progress.ron`, laid
//! out to be read back fast.
//!
//! At 100,000 items, reading the snapshot back was most of the time to the first card. The
//! general MessagePack form repeats ten field names in every item, writes three dates per item
//! as text for jiff to parse, and grows two hash maps of 100,000 keys by doubling. Here each
//! item is one row of numbers (an array, no names) beside its key, dates are one integer each,
//! and the maps are allocated once at their final size: the copy is a third smaller and reads
//! back about three times faster. The RON file stays the form a learner can read and the truth
//! this is compiled from; only this process's own build reads the copy back (the cache's build
//! stamp).

use crate::store::ItemMap;
use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::aggregate::{DayIndex, DayStart, Tallies, Tally};
use super::merge::Key;
use super::model::{ItemProgress, StudyDays};
use super::snapshot::{Coverage, Snapshot};

/// A date as one integer, `year × 10,000 + month × 100 + day`; one that is not a real date
/// does not read back (and the copy is then ignored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PackedDate(Date);

impl Serialize for PackedDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let date = self.0;
        serializer.serialize_i32(
            i32::from(date.year()) * 10_000 + i32::from(date.month()) * 100 + i32::from(date.day()),
        )
    }
}

impl<'de> Deserialize<'de> for PackedDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let packed = i32::deserialize(deserializer)?;
        let part = |n: i32| i8::try_from(n).map_err(D::Error::custom);
        let year = i16::try_from(packed.div_euclid(10_000)).map_err(D::Error::custom)?;
        let month = part(packed.rem_euclid(10_000) / 100)?;
        let day = part(packed.rem_euclid(100))?;
        Date::new(year, month, day)
            .map(PackedDate)
            .map_err(D::Error::custom)
    }
}

/// An item's [`ItemProgress`], field by field in declaration order.
type StateRow = (
    u32,
    u32,
    f64,
    PackedDate,
    PackedDate,
    PackedDate,
    u32,
    u32,
    u32,
    u32,
);

/// An item's [`Tally`]: reviews, passed, crams, cram passes.
type TallyRow = (u32, u32, u32, u32);

/// One journal's [`DayStart`]s: day, offset, lines.
type DayRow = (PackedDate, u64, u64);

/// A [`Snapshot`] whose item, day and index maps are borrowed.
pub type BorrowedSnapshot<'a> =
    Snapshot<&'a ItemMap, &'a StudyDays, &'a Tallies, &'a BTreeMap<String, DayIndex>>;

/// The compiled form of a [`Snapshot`].
#[derive(Serialize, Deserialize)]
pub struct Compiled {
    format: u32,
    device: String,
    journals: BTreeMap<String, Coverage>,
    frontier: Option<Key>,
    /// Every item with progress or a tally, each once.
    items: Vec<(String, Option<StateRow>, Option<TallyRow>)>,
    /// How many items have progress (the size of the map they go back into).
    with_progress: usize,
    days: Vec<(PackedDate, u32)>,
    day_index: BTreeMap<String, Vec<DayRow>>,
}

impl Compiled {
    /// The compiled form of a snapshot whose large parts are borrowed (the store's own maps,
    /// which it goes on using after the save).
    pub fn new(snapshot: BorrowedSnapshot<'_>) -> Compiled {
        let Snapshot {
            format,
            device,
            journals,
            frontier,
            items,
            days,
            tallies,
            day_index,
        } = snapshot;
        let state = |p: &ItemProgress| {
            (
                p.repetitions,
                p.interval_days,
                p.easiness,
                PackedDate(p.due),
                PackedDate(p.introduced),
                PackedDate(p.last_reviewed),
                p.reviews,
                p.lapses,
                p.rev,
                p.floor_reviews,
            )
        };
        let tally = |t: &Tally| (t.reviews, t.passed, t.crams, t.cram_passed);
        let mut rows: Vec<_> = items
            .iter()
            .map(|(key, progress)| {
                (
                    key.clone(),
                    Some(state(progress)),
                    tallies.get(key).map(tally),
                )
            })
            .collect();
        rows.extend(
            tallies
                .iter()
                .filter(|(key, _)| !items.contains_key(*key))
                .map(|(key, t)| (key.clone(), None, Some(tally(t)))),
        );
        Compiled {
            format,
            device,
            journals,
            frontier,
            items: rows,
            with_progress: items.len(),
            days: days.iter().map(|(day, n)| (PackedDate(*day), *n)).collect(),
            day_index: day_index
                .iter()
                .map(|(journal, index)| {
                    let rows = index
                        .iter()
                        .map(|s| (PackedDate(s.day), s.offset, s.lines))
                        .collect();
                    (journal.clone(), rows)
                })
                .collect(),
        }
    }

    /// The compiled form of a snapshot read from its text.
    pub fn of(snapshot: &Snapshot) -> Compiled {
        Compiled::new(Snapshot {
            format: snapshot.format,
            device: snapshot.device.clone(),
            journals: snapshot.journals.clone(),
            frontier: snapshot.frontier.clone(),
            items: &snapshot.items,
            days: &snapshot.days,
            tallies: &snapshot.tallies,
            day_index: &snapshot.day_index,
        })
    }

    /// The snapshot again.
    pub fn into_snapshot(self) -> Snapshot {
        let mut items = ItemMap::with_capacity_and_hasher(
            self.with_progress.min(self.items.len()),
            Default::default(),
        );
        let tallied = self.items.iter().filter(|row| row.2.is_some()).count();
        let mut tallies = Tallies::with_capacity_and_hasher(tallied, Default::default());
        for (key, state, tally) in self.items {
            if let Some((reviews, passed, crams, cram_passed)) = tally {
                let tally = Tally {
                    reviews,
                    passed,
                    crams,
                    cram_passed,
                };
                tallies.insert(key.clone(), tally);
            }
            if let Some(row) = state {
                let (repetitions, interval_days, easiness, due, introduced, last_reviewed) =
                    (row.0, row.1, row.2, row.3.0, row.4.0, row.5.0);
                let progress = ItemProgress {
                    repetitions,
                    interval_days,
                    easiness,
                    due,
                    introduced,
                    last_reviewed,
                    reviews: row.6,
                    lapses: row.7,
                    rev: row.8,
                    floor_reviews: row.9,
                };
                items.insert(key, progress);
            }
        }
        Snapshot {
            format: self.format,
            device: self.device,
            journals: self.journals,
            frontier: self.frontier,
            items,
            days: self.days.into_iter().map(|(day, n)| (day.0, n)).collect(),
            tallies,
            day_index: self
                .day_index
                .into_iter()
                .map(|(journal, rows)| {
                    let index = rows
                        .into_iter()
                        .map(|(day, offset, lines)| DayStart {
                            day: day.0,
                            offset,
                            lines,
                        })
                        .collect();
                    (journal, index)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_pack_into_one_integer_and_back_and_impossible_ones_do_not_read() {
        for day in [
            date(2026, 11, 21),
            date(-9999, 1, 1),
            date(9999, 12, 31),
            date(2024, 2, 29),
        ] {
            let bytes = rmp_serde::to_vec(&PackedDate(day)).unwrap();
            let back: PackedDate = rmp_serde::from_slice(&bytes).unwrap();
            assert_eq!(back.0, day);
        }
        for impossible in [20_260_230, 20_261_301, 20_260_010, i32::MAX] {
            let bytes = rmp_serde::to_vec(&impossible).unwrap();
            assert!(
                rmp_serde::from_slice::<PackedDate>(&bytes).is_err(),
                "{impossible}"
            );
        }
    }

    #[test]
    fn a_snapshot_comes_back_from_its_compiled_form_unchanged() {
        let progress = |due| ItemProgress {
            repetitions: 3,
            interval_days: 14,
            easiness: 2.36,
            due,
            introduced: date(2026, 1, 2),
            last_reviewed: date(2026, 11, 7),
            reviews: 5,
            lapses: 1,
            rev: 2,
            floor_reviews: 0,
        };
        let tally = Tally {
            reviews: 5,
            passed: 4,
            crams: 2,
            cram_passed: 1,
        };
        let snapshot = Snapshot {
            format: 3,
            device: "laptop".into(),
            journals: BTreeMap::from([(
                "laptop".to_owned(),
                Coverage {
                    bytes: 900,
                    lines: 6,
                    last_line: Some("0123456789abcdef".into()),
                    latest: Some("2026-11-07T18:00:00Z".parse().unwrap()),
                },
            )]),
            frontier: Some(Key {
                at: "2026-11-07T18:00:00Z".parse().unwrap(),
                device: "laptop".into(),
                line: 6,
            }),
            items: ItemMap::from_iter([
                ("d/a".to_owned(), progress(date(2026, 11, 21))),
                ("d/b#2".to_owned(), progress(date(2027, 3, 1))),
            ]),
            days: BTreeMap::from([(date(2026, 1, 2), 4), (date(2026, 11, 7), 2)]),
            // One tally of an item with progress, one of an item only crammed.
            tallies: Tallies::from_iter([("d/a".to_owned(), tally), ("d/c".to_owned(), tally)]),
            day_index: BTreeMap::from([(
                "laptop".to_owned(),
                vec![
                    DayStart {
                        day: date(2026, 1, 2),
                        offset: 0,
                        lines: 0,
                    },
                    DayStart {
                        day: date(2026, 11, 7),
                        offset: 600,
                        lines: 4,
                    },
                ],
            )]),
        };
        let bytes = rmp_serde::to_vec(&Compiled::of(&snapshot)).unwrap();
        let back = rmp_serde::from_slice::<Compiled>(&bytes)
            .unwrap()
            .into_snapshot();
        assert_eq!(back.format, snapshot.format);
        assert_eq!(back.device, snapshot.device);
        assert_eq!(back.journals, snapshot.journals);
        assert_eq!(back.frontier, snapshot.frontier);
        assert_eq!(back.items, snapshot.items);
        assert_eq!(back.days, snapshot.days);
        assert_eq!(back.tallies, snapshot.tallies);
        assert_eq!(back.day_index, snapshot.day_index);
    }
}
