//! One study session: which items are due, in what order, how each is asked and graded, and
//! what answering does to the schedule. No terminal code: the binary asks the questions.

use crate::store::ItemMap;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::time::Duration;

use rayon::prelude::*;

use jiff::Timestamp;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::deck::{Card, Verdict, cloze_deletions};
use crate::error::Error;
use crate::sm2::{self, Grade};
use crate::store::{self, Answer, Chosen, ReviewKind, Store, Undone};
use crate::study::collection::Collection;
use crate::study::exam::ExamDay;
use crate::study::history::{self, LeechRule};

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
    /// What was studied on `day`, read from the answers logged for it. Unlike [`DayCounts::on`]
    /// this still counts a card answered on `day` and again on a later day (`--today`), so
    /// the real day's limits hold after studying as another day. Only the journal lines of
    /// cards that can have been answered on `day` are parsed.
    pub fn from_journal(store: &Store, day: Date) -> Result<DayCounts, Error> {
        let candidates: Vec<&str> = store
            .items()
            .iter()
            .filter(|(_, p)| p.introduced == day || p.last_reviewed >= day)
            .map(|(key, _)| key.as_str())
            .collect();
        if candidates.is_empty() {
            return Ok(DayCounts::default());
        }
        // Read from where `day` starts in each journal (the snapshot's day index), not the
        // whole history: this runs at the start of every session.
        let history = store.entries_since(day)?;
        let answered: BTreeSet<&str> = history
            .iter()
            .filter(|entry| entry.day == day && entry.kind == ReviewKind::Review)
            .map(|entry| entry.item.as_str())
            .collect();
        let mut counts = DayCounts::default();
        for key in answered {
            match store.get(key) {
                Some(progress) if progress.introduced == day => counts.new += 1,
                _ => counts.reviews += 1,
            }
        }
        Ok(counts)
    }

    pub fn on(day: Date, progress: &ItemMap) -> DayCounts {
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

/// In what order new cards are introduced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NewOrder {
    /// Safety-critical cards first; within each group the decks take turns, one card each
    /// (each deck in its own order), so every deck in scope is met from the first day.
    #[default]
    Interleaved,
    /// Deck after deck, each in its own order, safety-critical or not.
    Deck,
}

/// `new` (indexes into `collection.items()`, in collection order) in the order `order` says.
pub fn order_new(collection: &Collection, new: Vec<usize>, order: NewOrder) -> Vec<usize> {
    if order == NewOrder::Deck {
        return new;
    }
    let items = collection.items();
    let (critical, other): (Vec<usize>, Vec<usize>) = new
        .into_iter()
        .partition(|&index| collection.card(&items[index]).common().critical);
    let mut ordered = Vec::with_capacity(critical.len() + other.len());
    for group in [critical, other] {
        // One queue per deck, in the order the decks first appear; then take turns.
        let mut decks: Vec<(usize, VecDeque<usize>)> = Vec::new();
        for index in group {
            let deck = items[index].deck;
            match decks.iter_mut().find(|(d, _)| *d == deck) {
                Some((_, queue)) => queue.push_back(index),
                None => decks.push((deck, VecDeque::from([index]))),
            }
        }
        while !decks.is_empty() {
            for (_, queue) in &mut decks {
                ordered.extend(queue.pop_front());
            }
            decks.retain(|(_, queue)| !queue.is_empty());
        }
    }
    ordered
}

/// Today's items, in the order they are studied: overdue reviews (most overdue first), then
/// reviews due today, then new items in `new_order`, within the day's remaining limits.
/// Returns indexes into `collection.items()`.
pub fn due_queue(
    collection: &Collection,
    progress: &ItemMap,
    today: Date,
    limits: Limits,
    new_order: NewOrder,
) -> Vec<usize> {
    let done = DayCounts::on(today, progress);
    due_queue_after(collection, progress, today, limits, new_order, done)
}

/// The earlier of two (day, cards due that day), their counts added when it is one day.
fn earliest(a: Option<(Date, usize)>, b: Option<(Date, usize)>) -> Option<(Date, usize)> {
    match (a, b) {
        (Some((day, n)), Some((other, m))) if day == other => Some((day, n + m)),
        (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// [`due_queue`] when `done` was already studied today.
pub fn due_queue_after(
    collection: &Collection,
    progress: &ItemMap,
    today: Date,
    limits: Limits,
    new_order: NewOrder,
    done: DayCounts,
) -> Vec<usize> {
    let due = due_dates(collection, progress);
    queue_of_due_dates(collection, &due, today, limits, new_order, done)
}

/// Each item's due date in `progress` (`None`: never studied), in `collection.items()`'s order.
///
/// A lookup per item, on every core (rayon): at 100,000 items this pass is part of the time
/// to the first card, so a session makes it once. The queue is built from its result, and the
/// session keeps it ([`Session`]'s `due`) for its summary at the end, which used to make the
/// same lookups again (8-14 ms).
pub fn due_dates(collection: &Collection, progress: &ItemMap) -> Vec<Option<Date>> {
    collection
        .items()
        .par_iter()
        .map(|item| progress.get(&item.key).map(|p| p.due))
        .collect()
}

/// The due date of the item `key` in `store`, read again after an answer or an undo changed
/// its progress.
fn due_in(store: &Store, key: &str) -> Option<Date> {
    store.get(key).map(|p| p.due)
}

/// [`due_queue_after`] of the items' due dates ([`due_dates`]).
fn queue_of_due_dates(
    collection: &Collection,
    due: &[Option<Date>],
    today: Date,
    limits: Limits,
    new_order: NewOrder,
    done: DayCounts,
) -> Vec<usize> {
    let mut reviews: Vec<(Date, usize)> = Vec::new();
    let mut new = Vec::new();
    for (index, due) in due.iter().enumerate() {
        match *due {
            Some(day) if day <= today => reviews.push((day, index)),
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
        order_new(collection, new, new_order)
            .into_iter()
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

/// A response in the deck's terms: a Choice option by its index in the deck rather than in
/// the shuffled order shown. `None` when the response does not fit the question.
pub fn chosen(card: &Card, question: &Question, response: Response) -> Option<Chosen> {
    match (card, question, response) {
        (Card::Choice(choice), Question::Choice { options, .. }, Response::Option(shown)) => {
            let text = options.get(shown)?;
            let index = choice.options.iter().position(|option| option == text)?;
            Some(Chosen::Option(u32::try_from(index).ok()?))
        }
        (Card::TrueFalse(_), _, Response::Bool(said)) => Some(Chosen::Bool(said)),
        (Card::Scenario(_), _, Response::Verdict(said)) => Some(Chosen::Verdict(said)),
        _ => None,
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

/// What a session asks, and whether its answers move the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Today's due reviews, then new items, within the day's limits ([`due_queue`]); answers
    /// reschedule.
    Scheduled(Limits),
    /// Items regardless of their schedule, weakest first ([`cram_queue`]), at most `max` of
    /// them; answers are logged as [`ReviewKind::Cram`] and leave the schedule alone. With
    /// `leeches_only`, only leeches (`knead study --leeches`).
    Cram {
        max: Option<usize>,
        leeches_only: bool,
    },
}

/// How a session is run, beyond its collection and day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    pub mode: Mode,
    pub leech_rule: LeechRule,
    /// Makes option shuffling reproducible.
    pub seed: Option<u64>,
    /// The order new cards come in.
    pub new_order: NewOrder,
    /// What was already studied today, when known from the journal
    /// ([`DayCounts::from_journal`]); else it is read from the progress ([`DayCounts::on`]).
    pub done_today: Option<DayCounts>,
    /// Each answer counts for the study day of its own time, so a session running past 04:00
    /// moves on to the new day; otherwise every answer counts for the session's day
    /// (`--today`).
    pub day_by_clock: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::Scheduled(Limits::default()),
            leech_rule: LeechRule::default(),
            seed: None,
            new_order: NewOrder::default(),
            done_today: None,
            day_by_clock: false,
        }
    }
}

/// Items for a cram session, weakest first: leeches (critical ones first, then by more lapses
/// and lower easiness), then the other studied items by lower easiness and more lapses, then
/// items never studied, each group in deck order. Returns indexes into `collection.items()`.
pub fn cram_queue(
    collection: &Collection,
    progress: &ItemMap,
    rule: LeechRule,
    leeches_only: bool,
    max: Option<usize>,
) -> Vec<usize> {
    let mut studied = Vec::new();
    let mut new = Vec::new();
    for (index, item) in collection.items().iter().enumerate() {
        match progress.get(&item.key) {
            Some(p) if rule.is_leech(p) || !leeches_only => {
                let critical = collection.card(item).common().critical;
                studied.push((rule.is_leech(p), critical, p, index));
            }
            None if !leeches_only => new.push(index),
            _ => {}
        }
    }
    // Stable: equals stay in deck order. Among leeches lapses come before easiness, which the
    // floor rule pins at 1.3 for many of them.
    studied.sort_by(|(leech_a, critical_a, a, _), (leech_b, critical_b, b, _)| {
        leech_b.cmp(leech_a).then(if *leech_a && *leech_b {
            critical_b
                .cmp(critical_a)
                .then(b.lapses.cmp(&a.lapses))
                .then(a.easiness.total_cmp(&b.easiness))
        } else {
            a.easiness
                .total_cmp(&b.easiness)
                .then(b.lapses.cmp(&a.lapses))
        })
    });
    studied
        .into_iter()
        .map(|(_, _, _, index)| index)
        .chain(new)
        .take(max.unwrap_or(usize::MAX))
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pending {
    item: usize,
    /// Asked again this session after a grade below 4 (SM-2 step 7).
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
    /// Asked in a cram session: the answer does not change its schedule.
    pub cram: bool,
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
    /// The next due day (unchanged by a drill or a cram answer).
    pub due: Date,
    pub interval_days: u32,
    /// The answer moved the schedule (a scheduled review, not a drill or a cram answer).
    pub rescheduled: bool,
    /// The card will be asked again this session.
    pub again: bool,
    /// The card is a leech (it keeps slipping), said once per card and session.
    pub leech: bool,
    /// Graded below 4 but already drilled [`MAX_DRILLS_PER_DAY`] times today: not asked again
    /// today.
    pub drills_used_up: bool,
}

/// Drills of one card in one day at most: a card answered wrong again and again leaves the
/// session (and comes back when it is next due) instead of being asked forever.
pub const MAX_DRILLS_PER_DAY: u32 = 3;

/// The end-of-session report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// A cram session: its answers did not change any schedule.
    pub cram: bool,
    /// Cards answered (scheduling reviews, or first cram answers; drills not included).
    pub reviewed: usize,
    /// Of those, graded 3 or more.
    pub correct: usize,
    /// Extra same-session drills of cards graded below 4.
    pub drilled: usize,
    /// Time spent answering: from each card shown to its answer, drills included.
    pub time: Duration,
    /// Leeches met in the session.
    pub leeches_met: usize,
    /// The next day with cards due after today, and how many.
    pub next_due: Option<(Date, usize)>,
    /// Cards in the session's decks due by tomorrow (today's left-overs included).
    pub due_tomorrow: usize,
    /// What today still holds in the session's scope: for a scheduled session, the cards it
    /// had not reached; for a cram session, today's scheduled queue.
    pub still_due: StillDue,
    /// New cards in scope never studied, beyond those still due today.
    pub new_waiting: usize,
    /// New cards introduced today.
    pub new_today: usize,
    /// Consecutive study days up to today ([`history::streak`]).
    pub streak: u32,
}

/// Cards still due today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StillDue {
    pub reviews: usize,
    pub new: usize,
    /// Drills owed by cards answered below 4 today.
    pub drills: usize,
}

impl StillDue {
    pub fn is_empty(&self) -> bool {
        *self == StillDue::default()
    }
}

/// What a session has done so far; saved with each answer so that undo can restore it.
#[derive(Clone, Debug, Default)]
struct Counters {
    shown: usize,
    total: usize,
    reviewed: usize,
    correct: usize,
    drilled: usize,
    time: Duration,
    /// Items (indexes) met as leeches.
    leeches: BTreeSet<usize>,
    /// Drills asked or queued today per item (index), today's earlier sessions included.
    drills: HashMap<usize, u32>,
}

/// One answer of this session, for undo.
#[derive(Clone, Debug)]
struct Step {
    pending: Pending,
    question: Question,
    /// The counters before the answer.
    before: Counters,
    /// The answer sent the card to the back of the queue for another drill.
    requeued: bool,
}

/// A study session over a collection, recording answers to a store.
pub struct Session {
    collection: Collection,
    store: Store,
    /// Each item's due date as the store has it (`None`: never studied), in
    /// `collection.items()`'s order: read once, in the pass that builds the queue, and kept in
    /// step by [`Session::answer_with`] and [`Session::undo`], the only changes to progress
    /// during a session, so the summary needs no lookup per item.
    due: Vec<Option<Date>>,
    today: Date,
    options: Options,
    queue: VecDeque<Pending>,
    current: Option<(Pending, Question)>,
    counters: Counters,
    steps: Vec<Step>,
    rng: StdRng,
    exam: Option<ExamDay>,
}

impl Session {
    /// A scheduled session; `seed` makes option shuffling reproducible.
    pub fn new(
        collection: Collection,
        store: Store,
        today: Date,
        limits: Limits,
        seed: Option<u64>,
    ) -> Session {
        let options = Options {
            mode: Mode::Scheduled(limits),
            seed,
            ..Options::default()
        };
        Session::with_options(collection, store, today, options)
    }

    pub fn with_options(
        collection: Collection,
        store: Store,
        today: Date,
        options: Options,
    ) -> Session {
        let due = due_dates(&collection, store.items());
        let items = match options.mode {
            Mode::Scheduled(limits) => {
                let done = options
                    .done_today
                    .unwrap_or_else(|| DayCounts::on(today, store.items()));
                queue_of_due_dates(&collection, &due, today, limits, options.new_order, done)
            }
            Mode::Cram { max, leeches_only } => cram_queue(
                &collection,
                store.items(),
                options.leech_rule,
                leeches_only,
                max,
            ),
        };
        let queue: VecDeque<Pending> = items
            .into_iter()
            .map(|item| Pending { item, drill: false })
            .collect();
        let rng = match options.seed {
            Some(seed) => StdRng::seed_from_u64(seed),
            None => StdRng::seed_from_u64(rand::rng().random()),
        };
        Session {
            counters: Counters {
                total: queue.len(),
                ..Counters::default()
            },
            collection,
            store,
            due,
            today,
            options,
            queue,
            current: None,
            steps: Vec::new(),
            rng,
            exam: None,
        }
    }

    /// Follows an exam plan from now on: the items in its scope are today's as the plan picks
    /// them (in place of their normal queue), and no answer schedules one after the exam.
    /// Items outside its scope keep their normal queue. Call before the first card.
    pub fn follow_exam(&mut self, exam: ExamDay) {
        self.follow_exam_with(exam, false);
    }

    /// Follows an exam plan in a session the learner narrowed (`--deck`, `--tag`): the plan's
    /// picks for today among this session's items come first, then the items' own due reviews
    /// and new cards the plan did not pick today, so a narrowed session is never emptied by
    /// the plan; every answer still lands before the exam. Returns how many items came from
    /// the plan and how many were added. Call before the first card.
    pub fn follow_exam_within_scope(&mut self, exam: ExamDay) -> (usize, usize) {
        self.follow_exam_with(exam, true)
    }

    fn follow_exam_with(&mut self, exam: ExamDay, keep_own_due: bool) -> (usize, usize) {
        let items = self.collection.items();
        let index: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.key.as_str(), index))
            .collect();
        let planned: Vec<usize> = exam
            .study
            .iter()
            .filter_map(|key| index.get(key.as_str()).copied())
            .collect();
        let is_planned: BTreeSet<usize> = planned.iter().copied().collect();
        let mut queue: VecDeque<Pending> = planned
            .iter()
            .map(|&item| Pending { item, drill: false })
            .collect();
        let mut added = 0;
        for pending in &self.queue {
            if is_planned.contains(&pending.item) {
                continue;
            }
            let covered = exam.covers(&items[pending.item].key);
            added += usize::from(covered && keep_own_due);
            if !covered || keep_own_due {
                queue.push_back(*pending);
            }
        }
        self.counters.total = queue.len();
        self.queue = queue;
        self.exam = Some(exam);
        (planned.len(), added)
    }

    /// Puts back today's drills that an earlier session today left unasked (its last answer
    /// of a card was graded below 4 and the session ended before the drill), read from the
    /// journals; drills already given today count against [`MAX_DRILLS_PER_DAY`]. Returns how
    /// many cards came back. Scheduled sessions only, before the first card.
    pub fn resume_drills(&mut self) -> Result<usize, Error> {
        if self.cram() {
            return Ok(0);
        }
        let items = self.collection.items();
        // Only cards reviewed today can owe a drill: only their journal lines are parsed. A
        // scan of the progress, not a lookup per card: this runs at the start of every session.
        let reviewed_today: HashSet<&str> = self
            .store
            .items()
            .iter()
            .filter(|(_, progress)| progress.last_reviewed == self.today)
            .map(|(key, _)| key.as_str())
            .collect();
        if reviewed_today.is_empty() {
            return Ok(0);
        }
        // Today's lines only, from where today starts in each journal (the snapshot's day
        // index).
        let history = self.store.entries_since(self.today)?;
        // Per item, today: drills given, and whether its last answer asks for another.
        let mut today: HashMap<&str, (u32, bool)> = HashMap::new();
        for entry in history
            .iter()
            .filter(|e| e.day == self.today && reviewed_today.contains(e.item.as_str()))
        {
            let state = today.entry(entry.item.as_str()).or_default();
            match entry.kind {
                ReviewKind::Review => state.1 = entry.grade < 4,
                ReviewKind::Drill => {
                    state.0 += 1;
                    state.1 = entry.grade < 4;
                }
                _ => {}
            }
        }
        // In deck order; a scan with a lookup in today's few items, not an index of every card.
        let owing: Vec<(usize, u32, bool)> = items
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let (drilled, owed) = *today.get(item.key.as_str())?;
                Some((index, drilled, owed))
            })
            .collect();
        let mut resumed = 0;
        for (item, drilled, owed) in owing {
            let owed = owed && drilled < MAX_DRILLS_PER_DAY;
            self.counters.drills.insert(item, drilled + u32::from(owed));
            if owed && !self.queue.iter().any(|p| p.item == item) {
                self.queue.push_back(Pending { item, drill: true });
                resumed += 1;
            }
        }
        self.counters.total += resumed;
        Ok(resumed)
    }

    pub fn today(&self) -> Date {
        self.today
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    fn cram(&self) -> bool {
        matches!(self.options.mode, Mode::Cram { .. })
    }

    /// Moves to the next card, or returns `None` when the session is done. Calling it again
    /// without answering shows the same card.
    pub fn next_card(&mut self) -> Option<Shown> {
        let pending = match &self.current {
            Some((pending, _)) => *pending,
            None => self.queue.pop_front()?,
        };
        let item = &self.collection.items()[pending.item];
        // Decoded once per call: from a deck's compiled copy, each call decodes the card.
        let card = self.collection.card_with_text(item);
        if self.current.is_none() {
            let question = Question::for_card(&card, item.part, &mut self.rng);
            self.counters.shown += 1;
            self.current = Some((pending, question));
        }
        let question = self
            .current
            .as_ref()
            .map(|(_, question)| question.clone())?;
        let common = card.common();
        Some(Shown {
            key: item.key.clone(),
            deck_title: self.collection.deck_of(item).title.clone(),
            kind: card.kind(),
            question,
            why: common.why.map(str::to_owned),
            source: common.source.map(str::to_owned),
            critical: common.critical,
            drill: pending.drill,
            cram: self.cram(),
            position: self.position(),
        })
    }

    pub fn position(&self) -> Position {
        Position {
            number: self.counters.shown,
            total: self.counters.total,
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
        self.answer_with(grade, None, took, at)
    }

    /// [`Session::answer`], also recording what the learner chose on an auto-graded question
    /// (for class reports).
    pub fn answer_with(
        &mut self,
        grade: Grade,
        response: Option<Response>,
        took: Duration,
        at: Timestamp,
    ) -> Result<Outcome, Error> {
        if self.options.day_by_clock {
            // Never back: a clock set back mid-session does not reopen an earlier day.
            self.today = crate::day::study_day(&at.to_zoned(crate::day::zone())).max(self.today);
        }
        let (pending, question) = self.current.take().expect("answer() follows next_card()");
        let item = &self.collection.items()[pending.item];
        let progress = self.store.get(&item.key);
        // An item without progress was never answered, except earlier in this session by a
        // cram answer, whose wrong answers come back as drills.
        let first = progress.is_none() && !pending.drill;
        let chose =
            response.and_then(|r| chosen(&self.collection.card_with_text(item), &question, r));
        let (kind, state, due) = match (self.cram(), pending.drill, progress) {
            (true, _, Some(progress)) => (ReviewKind::Cram, progress.sm2_state(), progress.due),
            (true, _, None) => (ReviewKind::Cram, sm2::State::default(), self.today),
            (false, true, Some(progress)) => {
                (ReviewKind::Drill, progress.sm2_state(), progress.due)
            }
            (false, _, _) => {
                let (state, due) = store::review_schedule(progress, grade, self.today);
                let (state, due) = match &self.exam {
                    Some(exam) => exam.schedule(&item.key, state, due),
                    None => (state, due),
                };
                (ReviewKind::Review, state, due)
            }
        };
        let answer = Answer {
            at,
            day: self.today,
            item: &item.key,
            kind,
            grade,
            took_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            rev: self.collection.card(item).common().rev,
            chose,
            first,
        };
        let recorded = self.store.record(&answer.entry(state, due));
        if let Err(error) = recorded {
            self.current = Some((pending, question));
            return Err(error);
        }
        self.due[pending.item] = due_in(&self.store, &item.key);
        let before = self.counters.clone();
        let counters = &mut self.counters;
        if pending.drill {
            counters.drilled += 1;
        } else {
            counters.reviewed += 1;
            counters.correct += usize::from(grade.is_pass());
        }
        counters.time += took;
        let is_leech = self
            .store
            .get(&item.key)
            .is_some_and(|p| self.options.leech_rule.is_leech(p));
        let leech = is_leech && counters.leeches.insert(pending.item);
        let drills = counters.drills.entry(pending.item).or_default();
        let below_four = grade.value() < 4;
        let again = below_four && *drills < MAX_DRILLS_PER_DAY;
        if again {
            *drills += 1;
            self.queue.push_back(Pending {
                item: pending.item,
                drill: true,
            });
            counters.total += 1;
        }
        self.steps.push(Step {
            pending,
            question,
            before,
            requeued: again,
        });
        Ok(Outcome {
            grade,
            due,
            interval_days: state.interval_days,
            rescheduled: kind == ReviewKind::Review,
            again,
            leech,
            drills_used_up: below_four && !again,
        })
    }

    /// Whether this session has an answer to take back.
    pub fn can_undo(&self) -> bool {
        !self.steps.is_empty()
    }

    /// Takes back this session's latest answer (its log entry and what it did to the
    /// schedule) and puts its card on screen again, with the session's counters as they were
    /// before it; a card that was on screen goes back to the front of the queue. `None` when
    /// nothing was answered in this session (`knead undo` steps back further).
    pub fn undo(&mut self) -> Result<Option<Undone>, Error> {
        if self.steps.is_empty() {
            return Ok(None);
        }
        let undone = self
            .store
            .undo_last()?
            .expect("this session's answers are in the log");
        let step = self.steps.pop().expect("checked above");
        debug_assert_eq!(
            undone.entry.item,
            self.collection.items()[step.pending.item].key
        );
        self.due[step.pending.item] = due_in(&self.store, &undone.entry.item);
        if let Some((pending, _)) = self.current.take() {
            self.queue.push_front(pending);
        }
        if step.requeued {
            let drill = self.queue.pop_back();
            debug_assert_eq!(drill.map(|d| d.item), Some(step.pending.item));
        }
        self.counters = step.before;
        self.current = Some((step.pending, step.question));
        Ok(Some(undone))
    }

    /// The session's report so far.
    pub fn summary(&self) -> Summary {
        let tomorrow = self.today.tomorrow().unwrap_or(self.today);
        // Per part: cards never studied, cards due by tomorrow, and the next day after today
        // with cards due, with how many; from the session's due dates, not a lookup per card.
        let (never_studied, due_tomorrow, next) =
            self.due
                .iter()
                .fold(
                    (0usize, 0usize, None),
                    |(never, by_tomorrow, next), due| match *due {
                        None => (never + 1, by_tomorrow, next),
                        Some(day) => (
                            never,
                            by_tomorrow + usize::from(day <= tomorrow),
                            earliest(next, (day > self.today).then_some((day, 1))),
                        ),
                    },
                );
        let mut still_due = StillDue::default();
        let progress = self.store.items();
        let mut count = |pending: &Pending| {
            let key = &self.collection.items()[pending.item].key;
            match (pending.drill, progress.contains_key(key)) {
                (true, _) => still_due.drills += 1,
                (false, true) => still_due.reviews += 1,
                (false, false) => still_due.new += 1,
            }
        };
        if self.cram() {
            due_queue(
                &self.collection,
                progress,
                self.today,
                Limits::default(),
                self.options.new_order,
            )
            .into_iter()
            .for_each(|item| count(&Pending { item, drill: false }));
        } else {
            self.current.iter().for_each(|(pending, _)| count(pending));
            self.queue.iter().for_each(&mut count);
        }
        let counters = &self.counters;
        Summary {
            cram: self.cram(),
            reviewed: counters.reviewed,
            correct: counters.correct,
            drilled: counters.drilled,
            time: counters.time,
            leeches_met: counters.leeches.len(),
            next_due: next,
            due_tomorrow,
            still_due,
            new_waiting: never_studied.saturating_sub(still_due.new),
            new_today: DayCounts::on(self.today, progress).new,
            streak: history::streak(self.store.study_days(), self.today),
        }
    }

    /// Ends the session: folds its answers into the progress snapshot when enough have gathered
    /// since it was written ([`crate::store::Store::checkpoint`]), so the next start stays fast.
    /// (Skipping this loses nothing: every answer is already in the journal.)
    pub fn finish(&mut self) -> Result<Summary, Error> {
        self.store.checkpoint()?;
        Ok(self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck;
    use crate::store::Access;
    use crate::store::ItemProgress;
    use crate::study::collection::{LoadedDeck, Origin};

    const DECK: &str = r#"Deck(id: "d", title: "Demo", cards: [
        Basic(id: "b1", front: "F1", back: "B1"),
        Basic(id: "b2", front: "F2", back: "B2"),
        Choice(id: "c", prompt: "P", options: ["right", "wrong 1", "wrong 2", "wrong 3"], answer: 0),
        Cloze(id: "z", text: "Steroids thin the {{skin}} and cause {{bone loss}}."),
        TrueFalse(id: "t", statement: "S", answer: false),
        Scenario(id: "s", client: "C", technique: "T", verdict: Refer),
    ])"#;

    fn collection() -> Collection {
        Collection::new(vec![LoadedDeck::new(
            deck::parse(DECK, "d.ron").unwrap(),
            Origin::File("d.ron".into()),
        )])
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
        let mut map = ItemMap::default();
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
        let queue = due_queue(
            &collection,
            &map,
            day("2026-11-21"),
            Limits::default(),
            NewOrder::default(),
        );
        let keys: Vec<_> = queue
            .iter()
            .map(|&i| collection.items()[i].key.as_str())
            .collect();
        assert_eq!(keys, ["d/t", "d/s", "d/b2", "d/b1", "d/z#1", "d/z#2"]);
    }

    #[test]
    fn limits_count_what_was_already_done_today() {
        let collection = collection();
        let mut map = ItemMap::default();
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
        let queue = due_queue(
            &collection,
            &map,
            day("2026-11-21"),
            limits,
            NewOrder::default(),
        );
        let keys: Vec<_> = queue
            .iter()
            .map(|&i| collection.items()[i].key.as_str())
            .collect();
        assert_eq!(keys, ["d/c", "d/z#1"]);
    }

    #[test]
    fn new_cards_come_critical_first_then_the_decks_in_turn_unless_deck_order_is_asked() {
        let deck = |id: &str, cards: &str| {
            LoadedDeck::new(
                deck::parse(
                    &format!(r#"Deck(id: "{id}", title: "{id}", cards: [{cards}])"#),
                    "d.ron",
                )
                .unwrap(),
                Origin::File(format!("{id}.ron").into()),
            )
        };
        let collection = Collection::new(vec![
            deck(
                "a",
                r#"Basic(id: "1", front: "F", back: "B"), Basic(id: "2", front: "F", back: "B"),
                   Basic(id: "3", front: "F", back: "B")"#,
            ),
            deck(
                "b",
                r#"Basic(id: "1", front: "F", back: "B"),
                   Basic(id: "2", front: "F", back: "B", source: "S", critical: true)"#,
            ),
            deck("c", r#"Basic(id: "1", front: "F", back: "B")"#),
        ])
        .unwrap();
        let today = day("2026-11-21");
        let order = |new_order| {
            let queue = due_queue(
                &collection,
                &ItemMap::default(),
                today,
                Limits::default(),
                new_order,
            );
            keys(&collection, &queue)
        };
        assert_eq!(
            order(NewOrder::Interleaved),
            ["b/2", "a/1", "b/1", "c/1", "a/2", "a/3"]
        );
        assert_eq!(
            order(NewOrder::Deck),
            ["a/1", "a/2", "a/3", "b/1", "b/2", "c/1"]
        );
    }

    #[test]
    fn by_the_clock_an_answer_after_four_counts_for_the_new_day() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let options = Options {
            day_by_clock: true,
            seed: Some(1),
            ..Options::default()
        };
        let evening = day("2026-11-21");
        let mut session = Session::with_options(collection(), store, evening, options);
        let local = |date: &str, hour: i8| {
            day(date)
                .at(hour, 30, 0, 0)
                .to_zoned(crate::day::zone())
                .unwrap()
                .timestamp()
        };
        let good = Grade::try_from(4).unwrap();
        session.next_card().unwrap();
        let late = session
            .answer(good, Duration::ZERO, local("2026-11-22", 3))
            .unwrap();
        assert_eq!(
            late.due,
            day("2026-11-22"),
            "03:30 is still the evening's day"
        );
        session.next_card().unwrap();
        let morning = session
            .answer(good, Duration::ZERO, local("2026-11-22", 4))
            .unwrap();
        assert_eq!(morning.due, day("2026-11-23"), "04:30 starts the next day");
        assert_eq!(session.today(), day("2026-11-22"));
        assert_eq!(
            session.store().get("d/b2").unwrap().last_reviewed,
            day("2026-11-22")
        );
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

    /// Every card a session shows, what each answer did and the lines it recorded, answering
    /// each question rightly (a choice by its option, which is looked up in the card).
    fn shown_and_answered(collection: Collection) -> (Vec<(Shown, Outcome)>, Vec<store::LogEntry>) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let limits = Limits {
            new_per_day: 20,
            reviews_per_day: 20,
        };
        let mut session = Session::new(collection, store, day("2026-11-21"), limits, Some(7));
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let mut seen = Vec::new();
        while let Some(shown) = session.next_card() {
            let response = match &shown.question {
                Question::Choice { correct, .. } => Some(Response::Option(*correct)),
                _ => None,
            };
            let grade = Grade::try_from(5).unwrap();
            let outcome = session
                .answer_with(grade, response, Duration::ZERO, now)
                .unwrap();
            seen.push((shown, outcome));
        }
        let recorded = session.store().entries_since(day("2026-11-21")).unwrap();
        (seen, recorded)
    }

    #[test]
    fn a_session_over_a_compiled_deck_shows_and_records_what_one_over_its_file_does() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("d.ron");
        // Every kind, with the text around the question too.
        let deck = DECK.replace(r#"back: "B1")"#, r#"back: "B1", why: "W1", source: "S1")"#);
        std::fs::write(&file, deck).unwrap();
        let refs = [crate::study::collection::DeckRef::File(file)];
        let select = || {
            crate::study::collection::select(dir.path(), &refs, &[])
                .unwrap()
                .0
        };
        // Parsed from the file (and compiled), then from the compiled copy, whose cards carry
        // no text until they are shown.
        let (parsed, compiled) = (select(), select());
        let first = compiled.card(&compiled.items()[0]);
        assert!(
            matches!(first, Card::Basic(basic) if basic.front.is_empty()),
            "{first:?}"
        );
        let from_file = shown_and_answered(parsed);
        assert_eq!(from_file.0.len(), collection().items().len());
        assert!(from_file.1.iter().any(|entry| entry.chose.is_some()));
        assert_eq!(shown_and_answered(compiled), from_file);
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
                cram: false,
                reviewed: 1,
                correct: 1,
                drilled: 2,
                time: Duration::from_secs(2),
                leeches_met: 0,
                next_due: Some((day("2026-11-22"), 1)),
                due_tomorrow: 1,
                still_due: StillDue::default(),
                new_waiting: 6,
                new_today: 1,
                streak: 1,
            }
        );
    }

    #[test]
    fn a_card_is_drilled_three_times_a_day_at_most() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let limits = Limits {
            new_per_day: 1,
            reviews_per_day: 10,
        };
        let mut session = Session::new(collection(), store, day("2026-11-21"), limits, Some(3));
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let blackout = Grade::try_from(0).unwrap();
        let mut outcomes = Vec::new();
        while let Some(shown) = session.next_card() {
            assert_eq!(shown.key, "d/b1");
            outcomes.push(session.answer(blackout, Duration::ZERO, now).unwrap());
            assert!(outcomes.len() <= 4, "a stuck learner is not asked forever");
        }
        let again: Vec<bool> = outcomes.iter().map(|o| o.again).collect();
        assert_eq!(again, [true, true, true, false]);
        assert!(outcomes[3].drills_used_up && !outcomes[2].drills_used_up);
        assert_eq!(session.summary().drilled, 3);
    }

    #[test]
    fn drills_left_unasked_come_back_when_the_session_restarts_the_same_day() {
        let dir = tempfile::tempdir().unwrap();
        let today = day("2026-11-21");
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let limits = Limits {
            new_per_day: 2,
            reviews_per_day: 10,
        };
        let grade = |q| Grade::try_from(q).unwrap();
        {
            let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
            let mut first = Session::new(collection(), store, today, limits, Some(1));
            first.next_card().unwrap();
            first.answer(grade(2), Duration::ZERO, now).unwrap(); // b1: a drill is owed
            first.next_card().unwrap();
            first.answer(grade(1), Duration::ZERO, now).unwrap(); // b2: drilled twice below
            for _ in 0..3 {
                let shown = first.next_card().unwrap();
                assert!(shown.drill);
                let key = shown.key;
                let value = if key == "d/b1" { 5 } else { 1 };
                first.answer(grade(value), Duration::ZERO, now).unwrap();
            }
            // b2, drilled twice, owes its third drill; the learner quits.
        }
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let mut second = Session::new(collection(), store, today, limits, Some(1));
        assert_eq!(second.resume_drills().unwrap(), 1);
        let shown = second.next_card().unwrap();
        assert_eq!((shown.key.as_str(), shown.drill), ("d/b2", true));
        let outcome = second.answer(grade(0), Duration::ZERO, now).unwrap();
        assert!(
            outcome.drills_used_up && !outcome.again,
            "drills of the earlier session count against the day's three"
        );
        assert!(second.next_card().is_none());

        drop(second);
        let tomorrow = day("2026-11-22");
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let mut next_day = Session::new(collection(), store, tomorrow, limits, Some(1));
        assert_eq!(
            next_day.resume_drills().unwrap(),
            0,
            "a new day owes no drills"
        );
    }

    fn keys(collection: &Collection, queue: &[usize]) -> Vec<String> {
        queue
            .iter()
            .map(|&i| collection.items()[i].key.clone())
            .collect()
    }

    #[test]
    fn cram_puts_leeches_first_critical_ones_first_then_the_weakest_then_new_cards() {
        let collection = Collection::new(vec![LoadedDeck::new(
            deck::parse(
                r#"Deck(id: "d", title: "Demo", cards: [
                    Basic(id: "new", front: "F", back: "B"),
                    Basic(id: "strong", front: "F", back: "B"),
                    Basic(id: "weak", front: "F", back: "B"),
                    Basic(id: "leech", front: "F", back: "B"),
                    Basic(id: "floor-leech", front: "F", back: "B"),
                    Basic(id: "critical-leech", front: "F", back: "B", source: "S", critical: true),
                ])"#,
                "d.ron",
            )
            .unwrap(),
            Origin::File("d.ron".into()),
        )])
        .unwrap();
        let with = |easiness, lapses, floor_reviews| ItemProgress {
            easiness,
            lapses,
            floor_reviews,
            ..progress("2026-12-30", "2026-11-01", "2026-11-20")
        };
        let map: ItemMap = [
            ("d/strong", with(2.8, 0, 0)),
            ("d/weak", with(1.7, 3, 0)),
            ("d/leech", with(1.3, 9, 2)),
            ("d/floor-leech", with(1.3, 4, 4)),
            ("d/critical-leech", with(1.3, 8, 0)),
        ]
        .into_iter()
        .map(|(k, p)| (k.to_owned(), p))
        .collect();
        let rule = LeechRule::default();
        let all = cram_queue(&collection, &map, rule, false, None);
        assert_eq!(
            keys(&collection, &all),
            [
                "d/critical-leech",
                "d/leech",
                "d/floor-leech",
                "d/weak",
                "d/strong",
                "d/new"
            ]
        );
        let leeches = cram_queue(&collection, &map, rule, true, Some(2));
        assert_eq!(keys(&collection, &leeches), ["d/critical-leech", "d/leech"]);
        let stricter = LeechRule { lapses: 9, ..rule };
        let leeches = cram_queue(&collection, &map, stricter, true, None);
        assert_eq!(keys(&collection, &leeches), ["d/leech", "d/floor-leech"]);
    }

    #[test]
    fn cram_answers_are_logged_as_cram_and_leave_every_schedule_alone() {
        let dir = tempfile::tempdir().unwrap();
        let today = day("2026-11-21");
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let grade = |q| Grade::try_from(q).unwrap();
        {
            let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
            let mut first = Session::new(collection(), store, today, Limits::default(), Some(1));
            first.next_card().unwrap();
            first.answer(grade(1), Duration::ZERO, now).unwrap();
        }
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let scheduled = store.items().clone();

        let options = Options {
            mode: Mode::Cram {
                max: Some(2),
                leeches_only: false,
            },
            seed: Some(1),
            ..Options::default()
        };
        let mut cram = Session::with_options(collection(), store, today, options);
        let shown = cram.next_card().unwrap();
        assert_eq!((shown.key.as_str(), shown.cram), ("d/b1", true));
        let outcome = cram.answer(grade(2), Duration::ZERO, now).unwrap();
        assert!(!outcome.rescheduled && outcome.again);
        assert_eq!(outcome.due, scheduled["d/b1"].due);
        assert_eq!(
            cram.next_card().unwrap().key,
            "d/b2",
            "a card never studied"
        );
        cram.answer(grade(5), Duration::ZERO, now).unwrap();
        let again = cram.next_card().unwrap();
        assert!(again.drill && again.key == "d/b1");
        cram.answer(grade(4), Duration::ZERO, now).unwrap();
        assert!(cram.next_card().is_none());
        assert_eq!(cram.store().items(), &scheduled, "no schedule changed");
        let summary = cram.finish().unwrap();
        assert_eq!(
            (
                summary.cram,
                summary.reviewed,
                summary.correct,
                summary.drilled
            ),
            (true, 2, 1, 1)
        );
        let log = std::fs::read_to_string(dir.path().join("journal/unit-test.log")).unwrap();
        assert_eq!(log.matches("kind: Cram").count(), 3, "{log}");
    }

    #[test]
    fn a_leech_is_flagged_once_when_it_is_met_or_becomes_one() {
        let dir = tempfile::tempdir().unwrap();
        let today = day("2026-11-21");
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let options = Options {
            mode: Mode::Scheduled(Limits {
                new_per_day: 1,
                reviews_per_day: 10,
            }),
            leech_rule: LeechRule {
                lapses: 1,
                floor_reviews: 4,
            },
            seed: Some(1),
            new_order: NewOrder::Deck,
            done_today: None,
            day_by_clock: false,
        };
        let mut session = Session::with_options(collection(), store, today, options);
        session.next_card().unwrap();
        let fail = Grade::try_from(0).unwrap();
        let first = session.answer(fail, Duration::ZERO, now).unwrap();
        assert!(first.leech, "one lapse makes a leech under this rule");
        session.next_card().unwrap();
        let drill = session.answer(fail, Duration::ZERO, now).unwrap();
        assert!(!drill.leech, "said once per session");
        assert_eq!(session.summary().leeches_met, 1);
    }

    #[test]
    fn undo_in_a_session_shows_the_card_again_and_restores_the_counters() {
        let dir = tempfile::tempdir().unwrap();
        let today = day("2026-11-21");
        let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let grade = |q| Grade::try_from(q).unwrap();
        let (store, _) = Store::open(dir.path(), Access::Exclusive).unwrap();
        let mut session = Session::new(collection(), store, today, Limits::default(), Some(1));
        assert_eq!(session.undo().unwrap(), None, "nothing answered yet");
        assert!(!session.can_undo());
        session.next_card().unwrap();
        session
            .answer(grade(2), Duration::from_secs(3), now)
            .unwrap();
        let second = session.next_card().unwrap();
        assert_eq!(second.key, "d/b2");
        let before = session.summary();

        let undone = session.undo().unwrap().unwrap();
        assert_eq!(
            (undone.entry.item.as_str(), undone.restored),
            ("d/b1", None)
        );
        let again = session.next_card().unwrap();
        assert_eq!(again.key, "d/b1");
        assert_eq!(
            again.position,
            Position {
                number: 1,
                total: 7,
                left: 6
            },
            "the drill it had queued is gone"
        );
        assert_eq!(session.summary().reviewed, 0);
        assert_eq!(session.summary().time, Duration::ZERO);
        assert!(session.store().items().is_empty());

        session
            .answer(grade(2), Duration::from_secs(3), now)
            .unwrap();
        assert_eq!(session.next_card().unwrap().key, "d/b2");
        assert_eq!(session.summary(), before);
    }

    proptest::proptest! {
        /// The summary's next due day, folded by `earliest` (in parts joined by `earliest`),
        /// is the one a scan of the cards in order finds, wherever the cut falls.
        #[test]
        fn the_next_due_day_is_the_same_however_the_cards_are_split(
            days in proptest::collection::vec(proptest::option::of(0i64..5), 0..40),
            cut in 0usize..40,
        ) {
            let today = jiff::civil::date(2026, 1, 1);
            let cards: Vec<Option<(Date, usize)>> = days
                .iter()
                .map(|d| d.map(|d| (crate::day::add_days(today, d), 1)))
                .collect();
            let mut scanned: Option<(Date, usize)> = None;
            for &(due, _) in cards.iter().flatten() {
                scanned = match scanned {
                    Some((day, count)) if due == day => Some((day, count + 1)),
                    Some((day, count)) if due > day => Some((day, count)),
                    _ => Some((due, 1)),
                };
            }
            let cut = cut.min(cards.len());
            let part = |cards: &[Option<(Date, usize)>]| cards.iter().copied().fold(None, earliest);
            proptest::prop_assert_eq!(earliest(part(&cards[..cut]), part(&cards[cut..])), scanned);
        }
    }

    /// The summary's counts over the session's cards (never studied, due by tomorrow, the next
    /// due day), by a lookup of each card in the store.
    fn counted_in_store(session: &Session) -> (usize, usize, Option<(Date, usize)>) {
        let tomorrow = session.today.tomorrow().unwrap();
        let mut counted = (0, 0, None);
        for item in session.collection.items() {
            match session.store.get(&item.key) {
                None => counted.0 += 1,
                Some(progress) => {
                    counted.1 += usize::from(progress.due <= tomorrow);
                    if progress.due > session.today {
                        counted.2 = earliest(counted.2, Some((progress.due, 1)));
                    }
                }
            }
        }
        counted
    }

    /// [`counted_in_store`] as the summary reports it.
    fn counted_in_summary(summary: &Summary) -> (usize, usize, Option<(Date, usize)>) {
        (
            summary.new_waiting + summary.still_due.new,
            summary.due_tomorrow,
            summary.next_due,
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(40))]
        /// A session with undos ends where a session that never gave the undone answers ends:
        /// same cards answered in the same order, same progress, same counters.
        #[test]
        fn undo_in_a_session_is_as_if_the_answer_was_never_given(
            actions in proptest::collection::vec(proptest::option::weighted(0.7, 0u8..=5), 0..30),
        ) {
            let today = day("2026-11-21");
            let now: Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
            let took = Duration::from_millis(1500);
            let limits = Limits { new_per_day: 4, reviews_per_day: 10 };
            let undoing = tempfile::tempdir().unwrap();
            let (store, _) = Store::open(undoing.path(), Access::Exclusive).unwrap();
            let mut session = Session::new(collection(), store, today, limits, Some(5));
            let mut kept: Vec<(String, u8)> = Vec::new();
            for action in &actions {
                match action {
                    Some(value) => {
                        let Some(shown) = session.next_card() else { continue };
                        session.answer(Grade::try_from(*value).unwrap(), took, now).unwrap();
                        kept.push((shown.key, *value));
                    }
                    None => {
                        let undone = session.undo().unwrap();
                        proptest::prop_assert_eq!(undone.is_some(), kept.pop().is_some());
                    }
                }
                // The due dates the session keeps for its summary follow every answer and undo.
                proptest::prop_assert_eq!(
                    counted_in_summary(&session.summary()),
                    counted_in_store(&session)
                );
            }

            let plain = tempfile::tempdir().unwrap();
            let (store, _) = Store::open(plain.path(), Access::Exclusive).unwrap();
            let mut straight = Session::new(collection(), store, today, limits, Some(5));
            for (key, value) in &kept {
                let shown = straight.next_card().unwrap();
                proptest::prop_assert_eq!(&shown.key, key);
                straight.answer(Grade::try_from(*value).unwrap(), took, now).unwrap();
            }
            proptest::prop_assert_eq!(session.store().items(), straight.store().items());
            proptest::prop_assert_eq!(session.summary(), straight.summary());
            let next = session.next_card().map(|s| (s.key, s.drill, s.position));
            let expected = straight.next_card().map(|s| (s.key, s.drill, s.position));
            proptest::prop_assert_eq!(next, expected);
        }
    }
}
