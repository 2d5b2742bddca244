//! One study session: which items are due, in what order, how each is asked and graded, and
//! what answering does to the schedule. No terminal code: the binary asks the questions.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::collection::Collection;
use crate::deck::{Card, Verdict, cloze_deletions};
use crate::error::Error;
use crate::exam::ExamDay;
use crate::sm2::{self, Grade};
use crate::store::{ItemProgress, LogEntry, ReviewKind, Store};

/// How many items a day may bring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// New items introduced per day.
    pub new_per_day: usize,
    /// Reviews of already-introduced items per day.
    pub reviews_per_day: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            new_per_day: 20,
            reviews_per_day: 200,
        }
    }
}

/// What was already studied on a given day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub new: usize,
    pub reviews: usize,
}

impl DayCounts {
    pub fn on(day: Date, progress: &HashMap<String, ItemProgress>) -> DayCounts {
        let mut counts = DayCounts::default();
        for item in progress.values().filter(|p| p.last_reviewed == day) {
            if item.introduced == day {
                counts.new += 1;
            } else {
                counts.reviews += 1;
            }
        }
        counts
    }
}

/// Today's items, in the order they are studied: overdue reviews (most overdue first), then
/// reviews due today, then new items in deck order, within the day's remaining limits.
/// Returns indexes into `collection.items()`.
pub fn due_queue(
    collection: &Collection,
    progress: &HashMap<String, ItemProgress>,
    today: Date,
    limits: Limits,
) -> Vec<usize> {
    let done = DayCounts::on(today, progress);
    let mut reviews = Vec::new();
    let mut new = Vec::new();
    for (index, item) in collection.items().iter().enumerate() {
        match progress.get(&item.key) {
            Some(p) if p.due <= today => reviews.push((p.due, index)),
            Some(_) => {}
            None => new.push(index),
        }
    }
    // Stable: items due the same day stay in deck order.
    reviews.sort_by_key(|&(due, _)| due);
    let mut queue: Vec<usize> = reviews
        .into_iter()
        .map(|(_, index)| index)
        .take(limits.reviews_per_day.saturating_sub(done.reviews))
        .collect();
    queue.extend(
        new.into_iter()
            .take(limits.new_per_day.saturating_sub(done.new)),
    );
    queue
}

/// How a study item is asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Question {
    /// The learner recalls, sees the answer and grades themself (Basic, Cloze).
    Recall {
        prompt: String,
        answer: String,
        /// For a Cloze: the whole text with nothing hidden.
        full_text: Option<String>,
    },
    /// Options in the order shown (shuffled); `correct` indexes them.
    Choice {
        prompt: String,
        options: Vec<String>,
        correct: usize,
    },
    TrueFalse {
        statement: String,
        answer: bool,
    },
    Scenario {
        client: String,
        technique: String,
        correct: Verdict,
    },
}

/// A learner's reply to an auto-graded question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    Option(usize),
    Bool(bool),
    Verdict(Verdict),
}

/// The grade given for a wrong answer to an auto-graded question: "incorrect; the correct
/// answer remembered once seen".
pub const WRONG_ANSWER_GRADE: u8 = 1;
/// The grade for a right answer when the learner does not say how easy it was.
pub const DEFAULT_EASE: u8 = 4;

impl Question {
    /// Builds the question for `card` (deletion `part` for a Cloze), shuffling choice options.
    pub fn for_card(card: &Card, part: usize, rng: &mut impl rand::Rng) -> Question {
        match card {
            Card::Basic(basic) => Question::Recall {
                prompt: basic.front.clone(),
                answer: basic.back.clone(),
                full_text: None,
            },
            Card::Cloze(cloze) => {
                let deletions = cloze_deletions(&cloze.text).unwrap_or_default();
                let mut prompt = String::new();
                let mut full = String::new();
                let mut answer = String::new();
                let mut rest = 0;
                for (index, range) in deletions.iter().enumerate() {
                    let before = &cloze.text[rest..range.start - 2];
                    let content = &cloze.text[range.clone()];
                    prompt.push_str(before);
                    full.push_str(before);
                    full.push_str(content);
                    if index == part {
                        prompt.push_str("[...]");
                        answer = content.to_owned();
                    } else {
                        prompt.push_str(content);
                    }
                    rest = range.end + 2;
                }
                prompt.push_str(&cloze.text[rest..]);
                full.push_str(&cloze.text[rest..]);
                Question::Recall {
                    prompt,
                    answer,
                    full_text: Some(full),
                }
            }
            Card::Choice(choice) => {
                let mut order: Vec<usize> = (0..choice.options.len()).collect();
                order.shuffle(rng);
                Question::Choice {
                    prompt: choice.prompt.clone(),
                    options: order.iter().map(|&i| choice.options[i].clone()).collect(),
                    correct: order.iter().position(|&i| i == choice.answer).unwrap_or(0),
                }
            }
            Card::TrueFalse(tf) => Question::TrueFalse {
                statement: tf.statement.clone(),
                answer: tf.answer,
            },
            Card::Scenario(scenario) => Question::Scenario {
                client: scenario.client.clone(),
                technique: scenario.technique.clone(),
                correct: scenario.verdict,
            },
        }
    }

    pub fn is_correct(&self, response: Response) -> bool {
        match (self, response) {
            (Question::Choice { correct, .. }, Response::Option(chosen)) => *correct == chosen,
            (Question::TrueFalse { answer, .. }, Response::Bool(said)) => *answer == said,
            (Question::Scenario { correct, .. }, Response::Verdict(said)) => *correct == said,
            _ => false,
        }
    }

    /// The right answer, as shown after the learner has answered.
    pub fn answer_text(&self) -> String {
        match self {
            Question::Recall { answer, .. } => answer.clone(),
            Question::Choice {
                options, correct, ..
            } => options[*correct].clone(),
            Question::TrueFalse { answer, .. } => (if *answer { "True" } else { "False" }).into(),
            Question::Scenario { correct, .. } => {
                format!("{} ({})", correct.name(), correct.meaning())
            }
        }
    }
}

/// The grade for an auto-graded answer: wrong is 1; right is how easy the learner found it.
pub fn auto_grade(correct: bool, ease: Option<Grade>) -> Grade {
    let value = if correct {
        ease.map_or(DEFAULT_EASE, Grade::value)
    } else {
        WRONG_ANSWER_GRADE
    };
    Grade::try_from(value).expect("constant grades are in range")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    item: usize,
    /// SM-2 step 7: asked again this session after a grade below 4.
    drill: bool,
}

/// The card on screen, with everything needed to ask it and explain the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub key: String,
    pub deck_title: String,
    pub kind: &'static str,
    pub question: Question,
    pub why: Option<String>,
    pub source: Option<String>,
    pub critical: bool,
    /// Asked again this session after a grade below 4; its schedule is already set.
    pub drill: bool,
    pub position: Position,
}

/// Where the session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based number of the card on screen.
    pub number: usize,
    /// Cards in this session so far (grows when cards come back for another drill).
    pub total: usize,
    /// Cards still to come after this one.
    pub left: usize,
}

/// What an answer did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    pub grade: Grade,
    /// The next due day (unchanged by a drill).
    pub due: Date,
    pub interval_days: u32,
    /// The card will be asked again this session.
    pub again: bool,
}

/// The end-of-session report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Scheduling answers given (drills not included).
    pub reviewed: usize,
    /// Of those, graded 3 or more.
    pub correct: usize,
    /// Extra same-session drills of cards graded below 4.
    pub drilled: usize,
    /// The next day with cards due after today, and how many.
    pub next_due: Option<(Date, usize)>,
}

/// A study session over a collection, recording answers to a store.
pub struct Session {
    collection: Collection,
    store: Store,
    today: Date,
    queue: VecDeque<Pending>,
    current: Option<(Pending, Question)>,
    shown: usize,
    total: usize,
    rng: StdRng,
    summary: Summary,
    exam: Option<ExamDay>,
}

impl Session {
    /// `seed` makes option shuffling reproducible.
    pub fn new(
        collection: Collection,
        store: Store,
        today: Date,
        limits: Limits,
        seed: Option<u64>,
    ) -> Session {
        let queue: VecDeque<Pending> = due_queue(&collection, store.items(), today, limits)
            .into_iter()
            .map(|item| Pending { item, drill: false })
            .collect();
        let rng = match seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::seed_from_u64(rand::rng().random()),
        };
        Session {
            total: queue.len(),
            collection,
            store,
            today,
            queue,
            current: None,
            shown: 0,
            rng,
            summary: Summary::default(),
            exam: None,
        }
    }

    /// Follows an exam plan from now on: the items in its scope are today's as the plan picks
    /// them (in place of their normal queue), and no answer schedules one after the exam.
    /// Items outside its scope keep their normal queue. Call before the first card.
    pub fn follow_exam(&mut self, exam: ExamDay) {
        let items = self.collection.items();
        let index: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.key.as_str(), index))
            .collect();
        let planned = exam.study.iter().filter_map(|key| index.get(key.as_str()));
        let mut queue: VecDeque<Pending> = planned
            .map(|&item| Pending { item, drill: false })
            .collect();
        queue.extend(
            self.queue
                .iter()
                .filter(|pending| !exam.covers(&items[pending.item].key)),
        );
        self.total = queue.len();
        self.queue = queue;
        self.exam = Some(exam);
    }

    pub fn today(&self) -> Date {
        self.today
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Moves to the next card, or returns `None` when the session is done. Calling it again
    /// without answering shows the same card.
    pub fn next_card(&mut self) -> Option<Shown> {
        if self.current.is_none() {
            let pending = self.queue.pop_front()?;
            let item = &self.collection.items()[pending.item];
            let question = Question::for_card(self.collection.card(item), item.part, &mut self.rng);
            self.shown += 1;
            self.current = Some((pending, question));
        }
        let (pending, question) = self.current.as_ref()?;
        let item = &self.collection.items()[pending.item];
        let card = self.collection.card(item);
        let common = card.common();
        Some(Shown {
            key: item.key.clone(),
            deck_title: self.collection.deck_of(item).title.clone(),
            kind: card.kind(),
            question: question.clone(),
            why: common.why.map(str::to_owned),
            source: common.source.map(str::to_owned),
            critical: common.critical,
            drill: pending.drill,
            position: self.position(),
        })
    }

    pub fn position(&self) -> Position {
        Position {
            number: self.shown,
            total: self.total,
            left: self.queue.len(),
        }
    }

    /// Records the grade for the card on screen; durable on disk when this returns.
    pub fn answer(
        &mut self,
        grade: Grade,
        took: Duration,
        at: Timestamp,
    ) -> Result<Outcome, Error> {
        let (pending, _) = self.current.take().expect("answer() follows next_card()");
        let item = &self.collection.items()[pending.item];
        let before = self.store.get(&item.key).map(ItemProgress::sm2_state);
        let (kind, state, due) = match (pending.drill, self.store.get(&item.key)) {
            (true, Some(progress)) => (ReviewKind::Drill, progress.sm2_state(), progress.due),
            _ => {
                let state = sm2::review(before.unwrap_or_default(), grade);
                let due = self
                    .today
                    .checked_add(jiff::Span::new().days(i64::from(state.interval_days)))
                    .unwrap_or(Date::MAX);
                let (state, due) = match &self.exam {
                    Some(exam) => exam.schedule(&item.key, state, due),
                    None => (state, due),
                };
                (ReviewKind::Review, state, due)
            }
        };
        self.store.record(&LogEntry {
            at,
            day: self.today,
            item: item.key.clone(),
            kind,
            grade: grade.value(),
            took_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            repetitions: state.repetitions,
            interval_days: state.interval_days,
            easiness: state.easiness,
            due,
            rev: self.collection.card(item).common().rev,
        })?;
        if kind == ReviewKind::Review {
            self.summary.reviewed += 1;
            self.summary.correct += usize::from(grade.is_pass());
        } else {
            self.summary.drilled += 1;
        }
        let again = grade.value() < 4;
        if again {
            self.queue.push_back(Pending {
                item: pending.item,
                drill: true,
            });
            self.total += 1;
        }
        Ok(Outcome {
            grade,
            due,
            interval_days: state.interval_days,
            again,
        })
    }

    /// The session's report so far, with the next day that has cards due.
    pub fn summary(&self) -> Summary {
        let mut next: Option<(Date, usize)> = None;
        for item in self.collection.items() {
            let Some(progress) = self.store.get(&item.key) else {
                continue;
            };
            if progress.due <= self.today {
                continue;
            }
            next = match next {
                Some((day, count)) if progress.due == day => Some((day, count + 1)),
                Some((day, count)) if progress.due > day => Some((day, count)),
                _ => Some((progress.due, 1)),
            };
        }
        Summary {
            next_due: next,
            ..self.summary.clone()
        }
    }

    /// Ends the session: folds its answers into the progress snapshot so the next start is fast.
    /// (Skipping this loses nothing: every answer is already in the review log.)
    pub fn finish(&mut self) -> Result<Summary, Error> {
        if self.store.unsnapshotted_bytes() > 0 {
            self.store.write_snapshot()?;
        }
        Ok(self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::{LoadedDeck, Origin};
    use crate::deck;
    use crate::store::Access;

    const DECK: &str = r#"Deck(id: "d", title: "Demo", cards: [
        Basic(id: "b1", front: "F1", back: "B1"),
        Basic(id: "b2", front: "F2", back: "B2"),
        Choice(id: "c", prompt: "P", options: ["right", "wrong 1", "wrong 2", "wrong 3"], answer: 0),
        Cloze(id: "z", text: "Steroids thin the {{skin}} and cause {{bone loss}}."),
        TrueFalse(id: "t", statement: "S", answer: false),
        Scenario(id: "s", client: "C", technique: "T", verdict: Refer),
    ])"#;

    fn collection() -> Collection {
        Collection::new(vec![LoadedDeck {
            deck: deck::parse(DECK, "d.ron").unwrap(),
            origin: Origin::File("d.ron".into()),
        }])
        .unwrap()
    }

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn progress(due: &str, introduced: &str, last: &str) -> ItemProgress {
        ItemProgress {
            repetitions: 1,
            interval_days: 1,
            easiness: 2.5,
            due: day(due),
            introduced: day(introduced),
            last_reviewed: day(last),
            reviews: 1,
            lapses: 0,
            rev: 0,
            floor_reviews: 0,
        }
    }

    #[test]
    fn queue_puts_most_overdue_first_then_due_then_new_in_deck_order() {
        let collection = collection();
        let mut map = HashMap::new();
        map.insert(
            "d/b2".to_owned(),
            progress("2026-11-21", "2026-11-01", "2026-11-15"),
        );
        map.insert(
            "d/t".to_owned(),
            progress("2026-11-10", "2026-11-01", "2026-11-09"),
        );
        map.insert(
            "d/s".to_owned(),
            progress("2026-11-19", "2026-11-01", "2026-11-18"),
        );
        map.insert(
            "d/c".to_owned(),
            progress("2026-11-30", "2026-11-01", "2026-11-20"),
        );
        let queue = due_queue(&collection, &map, day("2026-11-21"), Limits::default());
        let keys: Vec<_> = queue
            .iter()
            .map(|&i| collection.items()[i].key.as_str())
            .collect();
        assert_eq!(keys, ["d/t", "d/s", "d/b2", "d/b1", "d/z#1", "d/z#2"]);
    }

    #[test]
    fn limits_count_what_was_already_done_today() {
        let collection = collection();
        let mut map = HashMap::new();
        // Introduced today (counts against new), reviewed today (counts against reviews).
        map.insert(
            "d/b1".to_owned(),
            progress("2026-11-22", "2026-11-21", "2026-11-21"),
        );
        map.insert(
            "d/b2".to_owned(),
            progress("2026-11-25", "2026-11-01", "2026-11-21"),
        );
        map.insert(
            "d/c".to_owned(),
            progress("2026-11-20", "2026-11-01", "2026-11-15"),
        );
        map.insert(
            "d/t".to_owned(),
            progress("2026-11-21", "2026-11-01", "2026-11-15"),
        );
        let limits = Limits {
            new_per_day: 2,
            reviews_per_day: 2,
        };
        let queue = due_queue(&collection, &map, day("2026-11-21"), limits);
        let keys: Vec<_> = queue
            .iter()
            .map(|&i| collection.items()[i].key.as_str())
            .collect();
        assert_eq!(keys, ["d/c", "d/z#1"]);
    }

    #[test]
    fn cloze_hides_only_its_own_deletion() {
        let collection = collection();
        let card = collection.card(&collection.items()[3]);
        let mut rng = StdRng::seed_from_u64(1);
        let Question::Recall {
            prompt,
            answer,
            full_text,
        } = Question::for_card(card, 1, &mut rng)
        else {
            panic!()
        };
        assert_eq!(prompt, "Steroids thin the skin and cause [...].");
        assert_eq!(answer, "bone loss");
        assert_eq!(
            full_text.as_deref(),
            Some("Steroids thin the skin and cause bone loss.")
        );
    }

    #[test]
    fn shuffled_choices_keep_track_of_the_right_option() {
        let collection = collection();
        let card = collection.card(&collection.items()[2]);
        let mut rng = StdRng::seed_from_u64(7);
        let mut positions = std::collections::HashSet::new();
        for _ in 0..40 {
            let question = Question::for_card(card, 0, &mut rng);
            let Question::Choice {
                options, correct, ..
            } = &question
            else {
                panic!()
            };
            assert_eq!(options[*correct], "right");
            assert!(question.is_correct(Response::Option(*correct)));
            positions.insert(*correct);
        }
        assert!(positions.len() > 1, "options are shuffled");
    }

    #[test]
    fn auto_grading_gives_one_for_wrong_and_the_ease_for_right() {
        assert_eq!(auto_grade(false, Grade::try_from(5).ok()).value(), 1);
        assert_eq!(auto_grade(true, None).value(), 4);
        assert_eq!(auto_grade(true, Grade::try_from(3).ok()).value(), 3);
    }

    #[test]
    fn cards_graded_below_four_return_as_drills_that_do_not_reschedule() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let today = day("2026-11-21");
        let limits = Limits {
            new_per_day: 1,
            reviews_per_day: 10,
        };
        let mut session = Session::new(collection(), store, today, limits, Some(3));
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let grade = |q| Grade::try_from(q).unwrap();

        assert_eq!(session.next_card().unwrap().key, "d/b1");
        let first = session
            .answer(grade(3), Duration::from_secs(2), now)
            .unwrap();
        assert!(first.again);
        assert_eq!(first.due, day("2026-11-22"));

        let drill = session.next_card().unwrap();
        assert!(drill.drill);
        assert_eq!(drill.key, "d/b1");
        assert_eq!(
            drill.position,
            Position {
                number: 2,
                total: 2,
                left: 0
            }
        );
        let again = session.answer(grade(2), Duration::ZERO, now).unwrap();
        assert_eq!(
            again.due,
            day("2026-11-22"),
            "a drill leaves the schedule alone"
        );
        assert!(session.next_card().unwrap().drill);
        assert!(!session.answer(grade(5), Duration::ZERO, now).unwrap().again);
        assert!(session.next_card().is_none());

        let progress = session.store().get("d/b1").unwrap().clone();
        assert_eq!((progress.repetitions, progress.reviews), (1, 1));
        assert!((progress.easiness - 2.36).abs() < 1e-9);
        let summary = session.finish().unwrap();
        assert_eq!(
            summary,
            Summary {
                reviewed: 1,
                correct: 1,
                drilled: 2,
                next_due: Some((day("2026-11-22"), 1)),
            }
        );
    }
}
