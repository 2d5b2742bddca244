//! What the store keeps: a journal line ([`LogEntry`]), an item's state ([`ItemProgress`]),
//! the one fold that gives the second from the first ([`apply`]), and the checks every value
//! read back from disk must pass ([`LogEntry::problem`], [`ItemProgress::problem`]).

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::deck::{Change, Verdict};
use crate::sm2;

/// Every item's progress by its key.
///
/// Hashed with foldhash rather than std's SipHash: a session looks up every card of the
/// collection several times (the queue, the summary, the exam plan), which at 100,000 cards
/// made SipHash a tenth of the time to the first card. foldhash is several times faster on
/// short keys and still seeded at random per process, so keys from a stranger's deck cannot
/// be chosen to collide.
pub type ItemMap = std::collections::HashMap<String, ItemProgress, foldhash::fast::RandomState>;

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

    /// What is impossible about this state, if anything (for a snapshot read back).
    pub fn problem(&self) -> Option<Problem> {
        easiness_problem(self.easiness)
            .or_else(|| interval_problem(self.interval_days))
            .or_else(|| {
                (self.reviews == 0).then(|| Problem {
                    field: "reviews",
                    problem: "an item with progress has at least one review".into(),
                })
            })
            .or_else(|| {
                (self.lapses > self.reviews).then(|| Problem {
                    field: "lapses",
                    problem: format!(
                        "{} lapses is more than its {} reviews",
                        self.lapses, self.reviews
                    ),
                })
            })
            .or_else(|| {
                (self.floor_reviews > self.reviews).then(|| Problem {
                    field: "floor_reviews",
                    problem: format!(
                        "{} reviews at the easiness floor is more than its {} reviews",
                        self.floor_reviews, self.reviews
                    ),
                })
            })
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
    /// A review the learner made in Anki, brought in by `knead import --progress`: history
    /// only. It is not a knead answer (knead did not ask it, nor time it), so it counts in no
    /// streak, calendar or retention figure, and it leaves the schedule alone: the
    /// `AnkiSchedule` entry after it sets that.
    Anki(AnkiReview),
    /// Not an answer: the schedule Anki had for the card when it was imported, which the item
    /// continues on (see [`apply`]).
    AnkiSchedule(AnkiCard),
}

/// One row of Anki's review log, as Anki recorded it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnkiReview {
    /// The row's id: when the review was made, in milliseconds since 1970 (what makes an
    /// import skip the reviews it already brought in).
    pub revlog: i64,
    /// The button pressed: 1 Again, 2 Hard, 3 Good, 4 Easy (0: rescheduled by hand).
    pub ease: u8,
    /// The interval Anki gave: days, or (negative) seconds of a learning step.
    pub interval: i64,
    pub stage: AnkiStage,
}

/// What an Anki review was (the review log's `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnkiStage {
    Learning,
    Review,
    Relearning,
    /// Answered in a filtered ("cram") deck.
    Filtered,
    /// Rescheduled by hand, not answered.
    Manual,
}

/// An Anki card's counters when imported, beside the schedule the entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnkiCard {
    /// The Anki card's id.
    pub card: i64,
    /// Anki's count of answers (`reps`) and of lapses.
    pub reps: u32,
    pub lapses: u32,
    /// The days of the first and latest Anki review (the import day when the log has none).
    pub introduced: Date,
    pub last_reviewed: Date,
    /// Suspended in Anki: knead has no suspension, so the card is scheduled all the same.
    pub suspended: bool,
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

/// One line of a journal.
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
    /// What the learner chose on a Choice, TrueFalse or Scenario question (absent for recall
    /// questions, and in lines written before knead recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chose: Option<Chosen>,
    /// The first answer ever to this item (marked only on that answer; lines written before
    /// knead recorded it have no mark, and a class report then takes the earliest answer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first: bool,
}

/// The option a learner chose, in the deck's terms (not the shuffled order it was shown in),
/// so answers from every student and session compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Chosen {
    /// A Choice card's option, by its 0-based index in the deck.
    Option(u32),
    /// A TrueFalse card's answer.
    Bool(bool),
    /// A Scenario card's verdict.
    Verdict(Verdict),
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

    /// What is impossible about this entry, if anything: knead never writes such a value, so a
    /// line holding one was damaged or edited, and folding it would schedule nonsense (a NaN
    /// easiness puts a card 100 years ahead).
    pub fn problem(&self) -> Option<Problem> {
        if self.grade > 5 {
            return Some(Problem {
                field: "grade",
                problem: format!("grade {} is not a grade: grades are 0 to 5", self.grade),
            });
        }
        easiness_problem(self.easiness).or_else(|| interval_problem(self.interval_days))
    }
}

/// An answer about to be journaled: everything but the schedule it sets. Every answer knead
/// records, and every answer the exam planner projects ahead, becomes a [`LogEntry`] here, so
/// the two can never disagree about what a line holds (they once logged different `rev`s).
#[derive(Clone, Debug)]
pub struct Answer<'a> {
    pub at: Timestamp,
    pub day: Date,
    pub item: &'a str,
    pub kind: ReviewKind,
    pub grade: sm2::Grade,
    pub took_ms: u64,
    /// The revision of the card as it was asked (its `rev` in the deck).
    pub rev: u32,
    /// What the learner chose, on an auto-graded question.
    pub chose: Option<Chosen>,
    /// The first answer ever to this item.
    pub first: bool,
}

impl Answer<'_> {
    /// The journal line: this answer and the SM-2 state and due date it leaves the item in.
    pub fn entry(&self, state: sm2::State, due: Date) -> LogEntry {
        LogEntry {
            at: self.at,
            day: self.day,
            item: self.item.to_owned(),
            kind: self.kind,
            grade: self.grade.value(),
            took_ms: self.took_ms,
            repetitions: state.repetitions,
            interval_days: state.interval_days,
            easiness: state.easiness,
            due,
            rev: self.rev,
            from: None,
            chose: self.chose,
            first: self.first,
        }
    }
}

/// What a scheduling review graded `grade` on study day `day` does to an item that had
/// `before`: SM-2's next state, and the due date its interval gives counted from `day`. The
/// one place an answer is scheduled: the study session and the exam planner's projection both
/// call it (an exam plan may then shorten the interval, see `study::exam`).
pub fn review_schedule(
    before: Option<&ItemProgress>,
    grade: sm2::Grade,
    day: Date,
) -> (sm2::State, Date) {
    let state = sm2::review(
        before.map(ItemProgress::sm2_state).unwrap_or_default(),
        grade,
    );
    let due = crate::day::add_days(day, i64::from(state.interval_days));
    (state, due)
}

/// One impossible value: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub problem: String,
}

fn easiness_problem(easiness: f64) -> Option<Problem> {
    let problem = if !easiness.is_finite() {
        format!("easiness {easiness} is not a number")
    } else if easiness < sm2::MIN_EASINESS {
        format!(
            "easiness {easiness} is below SM-2's floor of {}",
            sm2::MIN_EASINESS
        )
    } else {
        return None;
    };
    Some(Problem {
        field: "easiness",
        problem,
    })
}

fn interval_problem(interval_days: u32) -> Option<Problem> {
    (interval_days > sm2::MAX_INTERVAL_DAYS).then(|| Problem {
        field: "interval_days",
        problem: format!(
            "an interval of {interval_days} days is over knead's cap of {} days",
            sm2::MAX_INTERVAL_DAYS
        ),
    })
}

/// Whether an entry can change its item's progress: every kind but the two that are logged
/// only for the learner's history.
pub fn moves_schedule(entry: &LogEntry) -> bool {
    !matches!(
        entry.kind,
        ReviewKind::Drill | ReviewKind::Cram | ReviewKind::Anki(_)
    )
}

/// Folds one journal entry into the progress map: the only place the journals' meaning is
/// defined, used when answering, when replaying journals, when rebuilding an item for undo,
/// and when projecting an exam plan ahead.
///
/// Two devices may each record the same effect of a deck update (each brings its progress up
/// to date at its next session): a `Revised` entry for a revision the item already has, and a
/// `Carried` entry for an item that already has progress, change nothing. Knead on one device
/// writes neither (it records a revision only when the card's `rev` is above the item's, and a
/// carry-over only for an item without progress), so on one device these guards never fire.
pub fn apply(progress: &mut ItemMap, entry: &LogEntry) {
    match entry.kind {
        ReviewKind::Review => {}
        ReviewKind::Drill | ReviewKind::Cram | ReviewKind::Anki(_) => return,
        ReviewKind::AnkiSchedule(card) => {
            apply_anki_schedule(progress, entry, card);
            return;
        }
        ReviewKind::Revised(change) => {
            if let Some(item) = progress.get_mut(&entry.item)
                && entry.rev > item.rev
            {
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
            if progress.contains_key(&entry.item) {
                return;
            }
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

/// The item takes the schedule Anki had; its counters take Anki's where they are larger, so
/// importing again (or after studying in knead) never counts a review twice.
fn apply_anki_schedule(progress: &mut ItemMap, entry: &LogEntry, card: AnkiCard) {
    let reviews = card.reps.max(1);
    let at_floor = u32::from(entry.easiness <= sm2::MIN_EASINESS);
    let item = progress
        .entry(entry.item.clone())
        .or_insert_with(|| ItemProgress {
            repetitions: entry.repetitions,
            interval_days: entry.interval_days,
            easiness: entry.easiness,
            due: entry.due,
            introduced: card.introduced,
            last_reviewed: card.last_reviewed,
            reviews,
            lapses: 0,
            rev: entry.rev,
            floor_reviews: 0,
        });
    item.repetitions = entry.repetitions;
    item.interval_days = entry.interval_days;
    item.easiness = entry.easiness;
    item.due = entry.due;
    item.introduced = item.introduced.min(card.introduced);
    item.last_reviewed = item.last_reviewed.max(card.last_reviewed);
    item.reviews = item.reviews.max(reviews);
    item.lapses = item.lapses.max(card.lapses).min(item.reviews);
    item.floor_reviews = (item.floor_reviews.max(1) * at_floor).min(item.reviews);
}

/// Answers per study day (reviews, drills and cram answers): the days a learner studied (for
/// streaks and calendars) without reading the whole history.
pub type StudyDays = BTreeMap<Date, u32>;

pub fn count_day(days: &mut StudyDays, entry: &LogEntry) {
    if entry.kind.is_answer() {
        *days.entry(entry.day).or_default() += 1;
    }
}

pub fn uncount_day(days: &mut StudyDays, entry: &LogEntry) {
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

/// `key`'s progress after `entries` (which may name other items too), folded through
/// [`apply`] from nothing.
pub fn fold_item(key: &str, entries: &[LogEntry]) -> Option<ItemProgress> {
    let mut items = ItemMap::default();
    for entry in entries {
        apply(&mut items, entry);
    }
    items.remove(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn entry(kind: ReviewKind, on: &str, interval_days: u32, easiness: f64) -> LogEntry {
        LogEntry {
            at: format!("{on}T09:00:00Z").parse().unwrap(),
            day: day(on),
            item: "d/c".into(),
            kind,
            grade: 4,
            took_ms: 0,
            repetitions: 2,
            interval_days,
            easiness,
            due: crate::day::add_days(day(on), i64::from(interval_days)),
            rev: 0,
            from: None,
            chose: None,
            first: false,
        }
    }

    fn anki_review(on: &str) -> LogEntry {
        entry(
            ReviewKind::Anki(AnkiReview {
                revlog: 1_767_000_000_000,
                ease: 3,
                interval: 5,
                stage: AnkiStage::Review,
            }),
            on,
            5,
            2.5,
        )
    }

    fn anki_schedule(on: &str, reps: u32, lapses: u32) -> LogEntry {
        entry(
            ReviewKind::AnkiSchedule(AnkiCard {
                card: 7,
                reps,
                lapses,
                introduced: day("2026-01-05"),
                last_reviewed: day("2026-02-01"),
                suspended: false,
            }),
            on,
            20,
            2.3,
        )
    }

    #[test]
    fn anki_reviews_are_history_only_and_not_answers() {
        let mut items = ItemMap::default();
        apply(&mut items, &anki_review("2026-02-01"));
        assert!(items.is_empty());
        let review = anki_review("2026-02-01");
        assert!(!review.kind.is_answer());
        assert!(!moves_schedule(&review));
        let mut days = StudyDays::new();
        count_day(&mut days, &review);
        assert!(days.is_empty(), "no streak from Anki");
    }

    #[test]
    fn an_anki_schedule_sets_the_state_and_never_counts_twice() {
        let mut items = ItemMap::default();
        let schedule = anki_schedule("2026-03-01", 6, 1);
        apply(&mut items, &schedule);
        let item = items["d/c"].clone();
        assert_eq!(
            (
                item.repetitions,
                item.interval_days,
                item.easiness,
                item.due
            ),
            (2, 20, 2.3, day("2026-03-21"))
        );
        assert_eq!((item.reviews, item.lapses), (6, 1));
        assert_eq!(item.introduced, day("2026-01-05"));
        assert_eq!(item.last_reviewed, day("2026-02-01"));
        assert_eq!(item.problem(), None);
        apply(&mut items, &schedule);
        assert_eq!(
            items["d/c"], item,
            "the same schedule again changes nothing"
        );

        // Over progress made in knead: Anki's schedule, the larger counters.
        let mut items = ItemMap::default();
        apply(&mut items, &entry(ReviewKind::Review, "2025-12-20", 1, 2.5));
        apply(&mut items, &anki_schedule("2026-03-01", 0, 0));
        let item = &items["d/c"];
        assert_eq!((item.interval_days, item.reviews), (20, 1));
        assert_eq!(item.introduced, day("2025-12-20"));
    }

    #[test]
    fn anki_entries_are_written_and_read_back_and_old_kinds_still_read() {
        let lines = [
            crate::store::one_line(&anki_review("2026-02-01")),
            crate::store::one_line(&anki_schedule("2026-03-01", 6, 1)),
            crate::store::one_line(&entry(ReviewKind::Review, "2026-03-02", 6, 2.5)),
        ]
        .join("\n");
        let read = crate::store::parse_log(format!("{lines}\n").as_bytes()).unwrap();
        assert_eq!(read[0], anki_review("2026-02-01"));
        assert_eq!(read[1], anki_schedule("2026-03-01", 6, 1));
        assert_eq!(read[2].kind, ReviewKind::Review);
    }
}
