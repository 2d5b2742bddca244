//! `knead import PACKAGE --progress`: an Anki card's schedule and review log as knead journal
//! entries. The mapping (see README, "Moving from Anki"):
//!
//! - each `revlog` row becomes a [`ReviewKind::Anki`] entry (history only), dated by its id
//!   (milliseconds since 1970), with the button, Anki's interval and the review's stage;
//! - then one [`ReviewKind::AnkiSchedule`] entry sets the item's SM-2 state to Anki's:
//!   - easiness: the ease factor ÷ 1000, raised to SM-2's floor of 1.3 (2.5 before Anki gave
//!     one);
//!   - interval: `ivl` days for a review card; 0 for a card in learning, 1 for one relearning
//!     (SM-2's interval after a lapse);
//!   - repetitions: Anki keeps none. They are the passing answers that gave a day interval
//!     since the last Again, at the end of the log; at least 1 for a card in review, and at
//!     least 2 once its interval reaches SM-2's second step (6 days), so that the next interval
//!     grows from Anki's (interval × easiness) instead of starting again at 6 days;
//!   - due: a review card's `due` counts days from the collection's creation day (`col.crt`);
//!     a card in learning is due at `due` seconds since 1970 (or on day `due` for a step of a
//!     day or more); a card in a filtered deck keeps its home deck's due day (`odue`);
//!   - reviews and lapses: Anki's `reps` and `lapses`.
//! - New cards have no schedule: they stay new in knead.

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

use crate::day;
use crate::sm2::{INITIAL_EASINESS, MAX_INTERVAL_DAYS, MIN_EASINESS};
use crate::store::{AnkiCard, AnkiReview, AnkiStage, LogEntry, ReviewKind};

use super::read::{CardRow, Progress, RevlogRow};

/// The progress of one knead study item, as journal entries.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemHistory {
    pub item: String,
    /// The Anki reviews, oldest first.
    pub reviews: Vec<LogEntry>,
    /// The state Anki left the card in (none for a new card).
    pub schedule: Option<LogEntry>,
}

/// What the import found that SM-2 has no place for, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgressCounts {
    /// Cards with a schedule (not new).
    pub scheduled: usize,
    /// New cards: no schedule.
    pub new: usize,
    /// Cards in learning steps: knead starts them at interval 0, due when the step was.
    pub learning: usize,
    /// Cards relearning after a lapse: knead takes them as lapsed (interval 1).
    pub relearning: usize,
    /// Suspended cards: knead has no suspension, so they are scheduled.
    pub suspended: usize,
    /// Cards with an FSRS memory state, which SM-2 does not use.
    pub fsrs: usize,
    /// Reviews answered Hard or Easy: Anki's hard interval and easy bonus are not SM-2's.
    pub hard_or_easy: usize,
    /// Reviews within learning steps (intervals under a day).
    pub learning_steps: usize,
    /// Anki cards whose note was not imported (or a template that gave no card of its own),
    /// and their reviews: nothing to carry them to.
    pub unplaced_cards: usize,
    pub unplaced_reviews: usize,
}

/// Every imported item's Anki history and schedule, in Anki card order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnkiProgress {
    pub items: Vec<ItemHistory>,
    pub counts: ProgressCounts,
}

/// When the import runs, and the time zone Anki's days are read in.
#[derive(Clone, Debug)]
pub struct ImportClock {
    pub now: Timestamp,
    pub today: Date,
    pub zone: TimeZone,
}

/// The progress of the cards in `progress` whose (note, template ordinal) `places` maps to
/// knead item keys.
pub(crate) fn convert(
    progress: &Progress,
    places: &HashMap<(i64, u32), Vec<String>>,
    clock: &ImportClock,
) -> AnkiProgress {
    let mut revlog: HashMap<i64, Vec<&RevlogRow>> = HashMap::new();
    for row in &progress.revlog {
        revlog.entry(row.card).or_default().push(row);
    }
    let created = study_day(progress.created.saturating_mul(1000), &clock.zone);
    let mut out = AnkiProgress::default();
    for card in &progress.cards {
        let rows = revlog.remove(&card.id).unwrap_or_default();
        let Some(items) = places.get(&(card.note, card.ord)) else {
            if card.kind != 0 || !rows.is_empty() {
                out.counts.unplaced_cards += 1;
                out.counts.unplaced_reviews += rows.len();
            }
            continue;
        };
        let (reviews, repetitions) = review_entries(&rows, clock);
        out.counts.hard_or_easy += rows.iter().filter(|r| matches!(r.ease, 2 | 4)).count();
        out.counts.learning_steps += rows.iter().filter(|r| r.interval < 0).count();
        let schedule = schedule(card, &reviews, repetitions, created, clock, &mut out.counts);
        for item in items {
            let retarget = |entry: &LogEntry| LogEntry {
                item: item.clone(),
                ..entry.clone()
            };
            out.items.push(ItemHistory {
                item: item.clone(),
                reviews: reviews.iter().map(retarget).collect(),
                schedule: schedule.as_ref().map(retarget),
            });
        }
    }
    // Reviews of cards the package does not hold (deleted in Anki) have nowhere to go either.
    out.counts.unplaced_reviews += revlog.values().map(Vec::len).sum::<usize>();
    out
}

/// SM-2's easiness for an Anki ease factor in permille (0: none given yet).
pub(crate) fn easiness(factor: i64) -> f64 {
    if factor <= 0 {
        INITIAL_EASINESS
    } else {
        (factor as f64 / 1000.0).max(MIN_EASINESS)
    }
}

/// An Anki interval in days as knead's (learning steps, in negative seconds, are 0 days).
fn interval_days(interval: i64) -> u32 {
    u32::try_from(interval.clamp(0, i64::from(MAX_INTERVAL_DAYS))).unwrap_or(0)
}

/// The grade knead's scale gives an Anki button (Again fails; Hard, Good, Easy pass).
fn grade(ease: i64) -> u8 {
    match ease {
        1 => 1,
        2 => 3,
        3 => 4,
        4 => 5,
        _ => 0,
    }
}

fn stage(kind: i64) -> AnkiStage {
    match kind {
        0 => AnkiStage::Learning,
        2 => AnkiStage::Relearning,
        3 => AnkiStage::Filtered,
        4 => AnkiStage::Manual,
        _ => AnkiStage::Review,
    }
}

fn timestamp(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(millis).unwrap_or(if millis < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

/// The study day (rolling over at 04:00) of a time in milliseconds since 1970.
fn study_day(millis: i64, zone: &TimeZone) -> Date {
    day::study_day(&Zoned::new(timestamp(millis), zone.clone()))
}

/// The log rows as entries (the item is filled in later), and the repetitions at the end.
fn review_entries(rows: &[&RevlogRow], clock: &ImportClock) -> (Vec<LogEntry>, u32) {
    let mut repetitions = 0u32;
    let mut ease_factor = INITIAL_EASINESS;
    let entries = rows
        .iter()
        .map(|row| {
            let stage = stage(row.kind);
            if row.ease == 1 {
                repetitions = 0;
            } else if row.ease >= 2 && row.interval > 0 && stage != AnkiStage::Manual {
                repetitions = repetitions.saturating_add(1);
            }
            if row.factor > 0 {
                ease_factor = easiness(row.factor);
            }
            let day = study_day(row.id, &clock.zone);
            let interval = interval_days(row.interval);
            LogEntry {
                at: timestamp(row.id),
                day,
                item: String::new(),
                kind: ReviewKind::Anki(AnkiReview {
                    revlog: row.id,
                    ease: u8::try_from(row.ease.clamp(0, 4)).unwrap_or(0),
                    interval: row.interval,
                    stage,
                }),
                grade: grade(row.ease),
                took_ms: 0,
                repetitions,
                interval_days: interval,
                easiness: ease_factor,
                due: day::add_days(day, i64::from(interval)),
                rev: 0,
                from: None,
                chose: None,
                first: false,
            }
        })
        .collect();
    (entries, repetitions)
}

/// The due day of a card in (re)learning: `due` is seconds since 1970 for a step under a
/// day, else a day number counted from the collection's creation.
fn learning_due(due: i64, created: Date, zone: &TimeZone) -> Date {
    // Day numbers are small; any time since 2001 is above a billion seconds.
    if due > 1_000_000_000 {
        study_day(due.saturating_mul(1000), zone)
    } else {
        day::add_days(created, due)
    }
}

fn schedule(
    card: &CardRow,
    reviews: &[LogEntry],
    derived_repetitions: u32,
    created: Date,
    clock: &ImportClock,
    counts: &mut ProgressCounts,
) -> Option<LogEntry> {
    counts.fsrs += usize::from(card.fsrs);
    if card.kind == 0 {
        counts.new += 1;
        return None;
    }
    counts.scheduled += 1;
    counts.suspended += usize::from(card.queue == -1);
    let (repetitions, interval, due) = match card.kind {
        1 => {
            counts.learning += 1;
            (0, 0, learning_due(card.due, created, &clock.zone))
        }
        3 => {
            counts.relearning += 1;
            (0, 1, learning_due(card.due, created, &clock.zone))
        }
        _ => {
            let interval = interval_days(card.interval).max(1);
            let floor = if interval >= 6 { 2 } else { 1 };
            // A card in a filtered deck keeps its home deck's due day in `odue`.
            let due = if card.original_due != 0 {
                card.original_due
            } else {
                card.due
            };
            (
                derived_repetitions.max(floor),
                interval,
                day::add_days(created, due),
            )
        }
    };
    let introduced = reviews.first().map_or(clock.today, |r| r.day);
    let last_reviewed = reviews.last().map_or(clock.today, |r| r.day);
    Some(LogEntry {
        at: clock.now,
        day: clock.today,
        item: String::new(),
        kind: ReviewKind::AnkiSchedule(AnkiCard {
            card: card.id,
            reps: u32::try_from(card.reps).unwrap_or(0),
            lapses: u32::try_from(card.lapses).unwrap_or(0),
            introduced,
            last_reviewed,
            suspended: card.queue == -1,
        }),
        grade: 0,
        took_ms: 0,
        repetitions,
        interval_days: interval,
        easiness: easiness(card.factor),
        due,
        rev: 0,
        from: None,
        chose: None,
        first: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn clock() -> ImportClock {
        ImportClock {
            now: "2026-03-01T12:00:00Z".parse().unwrap(),
            today: date("2026-03-01"),
            zone: TimeZone::UTC,
        }
    }

    /// 2026-01-01T04:00:00Z: the collection's first day starts at the rollover.
    const CREATED: i64 = 1_767_240_000;

    fn millis(time: &str) -> i64 {
        time.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn review_card(id: i64) -> CardRow {
        CardRow {
            id,
            note: 10,
            ord: 0,
            kind: 2,
            queue: 2,
            due: 70,
            interval: 20,
            factor: 2500,
            reps: 3,
            lapses: 0,
            ..CardRow::default()
        }
    }

    fn one(card: CardRow, revlog: Vec<RevlogRow>) -> AnkiProgress {
        let places = HashMap::from([((10, 0), vec!["d/c".to_owned()])]);
        let progress = Progress {
            created: CREATED,
            cards: vec![card],
            revlog,
        };
        convert(&progress, &places, &clock())
    }

    fn row(card: i64, time: &str, ease: i64, interval: i64, kind: i64) -> RevlogRow {
        RevlogRow {
            id: millis(time),
            card,
            ease,
            interval,
            factor: 2500,
            kind,
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Whatever numbers a package holds (it is untrusted), the entries are ones knead
        /// would write itself, the state they fold to is possible, and folding the schedule
        /// again changes nothing.
        #[test]
        fn any_anki_numbers_give_a_possible_state(
            kind in -1i64..5,
            queue in -4i64..5,
            due in proptest::num::i64::ANY,
            interval in proptest::num::i64::ANY,
            factor in proptest::num::i64::ANY,
            reps in proptest::num::i64::ANY,
            lapses in proptest::num::i64::ANY,
            original_due in proptest::num::i64::ANY,
            created in proptest::num::i64::ANY,
            rows in proptest::collection::vec(
                (proptest::num::i64::ANY, -1i64..6, proptest::num::i64::ANY, proptest::num::i64::ANY, -1i64..6),
                0..6,
            ),
        ) {
            let card = CardRow {
                id: 1, note: 10, ord: 0, kind, queue, due, interval, factor, reps, lapses,
                original_due, fsrs: false,
            };
            let revlog: Vec<RevlogRow> = rows
                .into_iter()
                .map(|(id, ease, interval, factor, kind)| RevlogRow { id, card: 1, ease, interval, factor, kind })
                .collect();
            let places = HashMap::from([((10, 0), vec!["d/c".to_owned()])]);
            let progress = convert(&Progress { created, cards: vec![card], revlog }, &places, &clock());
            let mut items = crate::store::ItemMap::default();
            for item in &progress.items {
                for entry in item.reviews.iter().chain(&item.schedule) {
                    proptest::prop_assert_eq!(entry.problem(), None);
                    crate::store::apply(&mut items, entry);
                }
                if let Some(schedule) = &item.schedule {
                    let once = items.clone();
                    crate::store::apply(&mut items, schedule);
                    proptest::prop_assert_eq!(&items, &once);
                }
            }
            for state in items.values() {
                proptest::prop_assert_eq!(state.problem(), None);
            }
        }
    }

    #[test]
    fn ease_factors_become_easiness_with_sm2s_floor() {
        assert_eq!(easiness(2500), 2.5);
        assert_eq!(easiness(1300), 1.3);
        assert_eq!(easiness(1150), 1.3);
        assert_eq!(easiness(0), INITIAL_EASINESS);
    }

    #[test]
    fn a_review_card_is_due_its_due_days_after_the_collections_first_day() {
        let progress = one(review_card(1), Vec::new());
        let schedule = progress.items[0].schedule.as_ref().unwrap();
        // Day 70 after 2026-01-01.
        assert_eq!(schedule.due, date("2026-03-12"));
        assert_eq!(schedule.interval_days, 20);
        assert_eq!(schedule.easiness, 2.5);
        // No log: past SM-2's second step, so the next interval is 20 × 2.5.
        assert_eq!(schedule.repetitions, 2);
        assert_eq!(progress.counts.scheduled, 1);
    }

    #[test]
    fn a_card_in_a_filtered_deck_keeps_its_home_due_day() {
        let card = CardRow {
            due: -100_000,
            original_due: 75,
            ..review_card(1)
        };
        let progress = one(card, Vec::new());
        assert_eq!(
            progress.items[0].schedule.as_ref().unwrap().due,
            date("2026-03-17")
        );
    }

    #[test]
    fn reviews_become_history_and_repetitions_count_passes_since_the_last_again() {
        let revlog = vec![
            row(1, "2026-01-05T09:00:00Z", 3, -600, 0),
            row(1, "2026-01-05T09:10:00Z", 3, 1, 0),
            row(1, "2026-01-06T09:00:00Z", 3, 3, 1),
            row(1, "2026-01-09T09:00:00Z", 1, -600, 1),
            row(1, "2026-01-09T09:10:00Z", 3, 1, 2),
            row(1, "2026-01-10T09:00:00Z", 4, 4, 1),
        ];
        let card = CardRow {
            interval: 4,
            due: 12,
            lapses: 1,
            reps: 6,
            ..review_card(1)
        };
        let progress = one(card, revlog);
        let item = &progress.items[0];
        assert_eq!(item.item, "d/c");
        assert_eq!(item.reviews.len(), 6);
        let first = &item.reviews[0];
        assert_eq!(first.day, date("2026-01-05"));
        assert_eq!(
            first.kind,
            ReviewKind::Anki(AnkiReview {
                revlog: millis("2026-01-05T09:00:00Z"),
                ease: 3,
                interval: -600,
                stage: AnkiStage::Learning,
            })
        );
        assert_eq!(first.interval_days, 0);
        assert_eq!(item.reviews[2].due, date("2026-01-09"));
        let schedule = item.schedule.as_ref().unwrap();
        assert_eq!(schedule.repetitions, 2, "relearned, then Easy");
        assert_eq!(schedule.due, date("2026-01-13"));
        let ReviewKind::AnkiSchedule(card) = schedule.kind else {
            panic!("{:?}", schedule.kind)
        };
        assert_eq!((card.reps, card.lapses), (6, 1));
        assert_eq!(card.introduced, date("2026-01-05"));
        assert_eq!(card.last_reviewed, date("2026-01-10"));
        assert_eq!(progress.counts.hard_or_easy, 1);
        assert_eq!(progress.counts.learning_steps, 2);
    }

    #[test]
    fn a_learning_card_is_due_at_its_step_with_interval_zero() {
        let card = CardRow {
            kind: 1,
            queue: 1,
            due: millis("2026-02-27T15:30:00Z") / 1000,
            interval: 0,
            factor: 0,
            ..review_card(1)
        };
        let progress = one(card, Vec::new());
        let schedule = progress.items[0].schedule.as_ref().unwrap();
        assert_eq!(
            (
                schedule.repetitions,
                schedule.interval_days,
                schedule.easiness
            ),
            (0, 0, 2.5)
        );
        assert_eq!(schedule.due, date("2026-02-27"));
        assert_eq!(progress.counts.learning, 1);
        // A day-long step counts days from the collection's creation.
        let card = CardRow {
            kind: 3,
            queue: 3,
            due: 40,
            ..review_card(1)
        };
        let progress = one(card, Vec::new());
        let schedule = progress.items[0].schedule.as_ref().unwrap();
        assert_eq!((schedule.repetitions, schedule.interval_days), (0, 1));
        assert_eq!(schedule.due, date("2026-02-10"));
        assert_eq!(progress.counts.relearning, 1);
    }

    #[test]
    fn a_suspended_card_is_counted_and_still_scheduled() {
        let card = CardRow {
            queue: -1,
            ..review_card(1)
        };
        let progress = one(card, Vec::new());
        let ReviewKind::AnkiSchedule(card) = progress.items[0].schedule.as_ref().unwrap().kind
        else {
            panic!()
        };
        assert!(card.suspended);
        assert_eq!(progress.counts.suspended, 1);
    }

    #[test]
    fn new_cards_have_no_schedule_and_unplaced_cards_are_counted() {
        let card = CardRow {
            kind: 0,
            queue: 0,
            ..review_card(1)
        };
        let progress = one(card, Vec::new());
        assert_eq!(progress.items[0].schedule, None);
        assert_eq!(progress.counts.new, 1);
        let elsewhere = CardRow {
            note: 99,
            ..review_card(2)
        };
        let progress = one(
            elsewhere,
            vec![
                row(2, "2026-01-05T09:00:00Z", 3, 1, 0),
                row(3, "2026-01-05T09:00:00Z", 3, 1, 0),
            ],
        );
        assert!(progress.items.is_empty());
        assert_eq!(
            (
                progress.counts.unplaced_cards,
                progress.counts.unplaced_reviews
            ),
            (1, 2)
        );
    }
}
