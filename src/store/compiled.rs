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
use std::borrow::Borrow;
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

/// The compiled form of a [`Snapshot`]: written from the store's own maps (borrowed), read
/// back as its own.
#[derive(Serialize, Deserialize)]
pub struct Compiled<'a> {
    format: u32,
    device: String,
    journals: BTreeMap<String, Coverage>,
    frontier: Option<Key>,
    items: Rows<'a>,
    days: Vec<(PackedDate, u32)>,
    day_index: BTreeMap<String, Vec<DayRow>>,
}

/// The items with progress and the items with a tally, as two tables of rows `(key, row)`,
/// each in its own MessagePack blob. They are written straight from the maps and read straight
/// back into maps allocated at the length the rows announce (a list of 100,000 rows in between
/// was 11 MB held while the maps were built, which a report's peak memory paid for), the two
/// tables at once on two threads: building the two maps of 100,000 keys was the longest part
/// of opening the store, on the path to the first card, while the decks' decoding left a core
/// idle.
enum Rows<'a> {
    Borrowed {
        items: &'a ItemMap,
        tallies: &'a Tallies,
    },
    Owned {
        items: ItemMap,
        tallies: Tallies,
    },
}

fn pack_days(days: &StudyDays) -> Vec<(PackedDate, u32)> {
    days.iter().map(|(day, n)| (PackedDate(*day), *n)).collect()
}

fn pack_index(day_index: &BTreeMap<String, DayIndex>) -> BTreeMap<String, Vec<DayRow>> {
    day_index
        .iter()
        .map(|(journal, index)| {
            let rows = index
                .iter()
                .map(|s| (PackedDate(s.day), s.offset, s.lines))
                .collect();
            (journal.clone(), rows)
        })
        .collect()
}

fn state_row(p: &ItemProgress) -> StateRow {
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
}

fn tally_row(t: &Tally) -> TallyRow {
    (t.reviews, t.passed, t.crams, t.cram_passed)
}

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let (items, tallies) = match self {
            Rows::Borrowed { items, tallies } => (*items, *tallies),
            Rows::Owned { items, tallies } => (items, tallies),
        };
        let items = table_bytes(items.len(), items.iter().map(|(k, p)| (k, state_row(p))))
            .map_err(S::Error::custom)?;
        let tallies = table_bytes(
            tallies.len(),
            tallies.iter().map(|(k, t)| (k, tally_row(t))),
        )
        .map_err(S::Error::custom)?;
        (
            serde_bytes::Bytes::new(&items),
            serde_bytes::Bytes::new(&tallies),
        )
            .serialize(serializer)
    }
}

/// A table of `len` rows in MessagePack.
fn table_bytes<R: Serialize>(
    len: usize,
    rows: impl Iterator<Item = R>,
) -> Result<Vec<u8>, rmp_serde::encode::Error> {
    use serde::ser::SerializeSeq;
    let mut bytes = Vec::new();
    let mut serializer = rmp_serde::Serializer::new(&mut bytes);
    let mut table = serializer.serialize_seq(Some(len))?;
    for row in rows {
        table.serialize_element(&row)?;
    }
    table.end()?;
    Ok(bytes)
}

/// The map a table of rows `(key, R)` ([`table_bytes`]) reads back into, each row's value
/// made by `value`.
fn table<'de, R: Deserialize<'de>, V>(
    bytes: &'de [u8],
    value: fn(R) -> V,
) -> Result<
    std::collections::HashMap<String, V, foldhash::fast::RandomState>,
    rmp_serde::decode::Error,
> {
    struct Table<R, V>(fn(R) -> V);
    impl<'de, R: Deserialize<'de>, V> serde::de::Visitor<'de> for Table<R, V> {
        type Value = std::collections::HashMap<String, V, foldhash::fast::RandomState>;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a table of rows")
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            // The entry's checksum has been verified; the cap only bounds a length field.
            let rows = seq.size_hint().unwrap_or(0).min(1 << 24);
            let mut map = Self::Value::with_capacity_and_hasher(rows, Default::default());
            while let Some((key, row)) = seq.next_element::<(String, R)>()? {
                map.insert(key, (self.0)(row));
            }
            Ok(map)
        }
    }
    let mut deserializer = rmp_serde::Deserializer::from_read_ref(bytes);
    deserializer.deserialize_seq(Table(value))
}

fn progress_of(row: StateRow) -> ItemProgress {
    ItemProgress {
        repetitions: row.0,
        interval_days: row.1,
        easiness: row.2,
        due: row.3.0,
        introduced: row.4.0,
        last_reviewed: row.5.0,
        reviews: row.6,
        lapses: row.7,
        rev: row.8,
        floor_reviews: row.9,
    }
}

fn tally_of((reviews, passed, crams, cram_passed): TallyRow) -> Tally {
    Tally {
        reviews,
        passed,
        crams,
        cram_passed,
    }
}

impl<'de> Deserialize<'de> for Rows<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (items, tallies) =
            <(&'de serde_bytes::Bytes, &'de serde_bytes::Bytes)>::deserialize(deserializer)?;
        let (items, tallies) =
            rayon::join(|| table(items, progress_of), || table(tallies, tally_of));
        Ok(Rows::Owned {
            items: items.map_err(D::Error::custom)?,
            tallies: tallies.map_err(D::Error::custom)?,
        })
    }
}

impl<'a> Compiled<'a> {
    /// The compiled form of a snapshot whose large parts are borrowed (the store's own maps,
    /// which it goes on using after the save).
    pub fn new(snapshot: BorrowedSnapshot<'a>) -> Compiled<'a> {
        Compiled::assemble(snapshot, |items, tallies| Rows::Borrowed { items, tallies })
    }

    /// A snapshot's parts in their compiled layout, its items and tallies as `rows` makes them.
    fn assemble<I, D: Borrow<StudyDays>, T, X: Borrow<BTreeMap<String, DayIndex>>>(
        snapshot: Snapshot<I, D, T, X>,
        rows: impl FnOnce(I, T) -> Rows<'a>,
    ) -> Compiled<'a> {
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
        Compiled {
            format,
            device,
            journals,
            frontier,
            items: rows(items, tallies),
            days: pack_days(days.borrow()),
            day_index: pack_index(day_index.borrow()),
        }
    }

    /// The snapshot again.
    pub fn into_snapshot(self) -> Snapshot {
        let (items, tallies) = match self.items {
            Rows::Owned { items, tallies } => (items, tallies),
            Rows::Borrowed { items, tallies } => (items.clone(), tallies.clone()),
        };
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

impl Compiled<'static> {
    /// The compiled form of a snapshot read from its text, which it takes over.
    pub fn of(snapshot: Snapshot) -> Compiled<'static> {
        Compiled::assemble(snapshot, |items, tallies| Rows::Owned { items, tallies })
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
        let bytes = rmp_serde::to_vec(&Compiled::new(Snapshot {
            format: snapshot.format,
            device: snapshot.device.clone(),
            journals: snapshot.journals.clone(),
            frontier: snapshot.frontier.clone(),
            items: &snapshot.items,
            days: &snapshot.days,
            tallies: &snapshot.tallies,
            day_index: &snapshot.day_index,
        }))
        .unwrap();
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
