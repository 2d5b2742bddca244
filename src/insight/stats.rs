//! How a learner is doing, for `knead stats` (text and `--json`): today's work, the streak, a
//! forecast, a review calendar, retention by deck and tag, the weakest cards and tags,
//! leeches, cram answers and the exam plan. [`compute`] is a pure function of the decks, the
//! progress, the review log and today; [`render`] lays the result out for a given width.
//!
//! Definitions (also in `docs/stats-json.md`):
//!
//! - **Retention** is the share of scheduling reviews (`Review` log entries, a new card's first
//!   answer included) graded 3 or more. Drills (same-session repeats) and cram answers are not
//!   counted; cram answers are reported on their own.
//! - **Weakest cards**: items with at least [`MIN_CARD_REVIEWS`] reviews and at least one
//!   graded below 3, lowest all-time retention first (then more failed reviews, then lower
//!   easiness). **Weakest tags**: tags with at least [`MIN_TAG_REVIEWS`] reviews and at least
//!   one failed, lowest retention first. A perfect record is never called weak.
//! - Counts are of study items: a Cloze card with two deletions counts twice. Only items of
//!   the decks loaded now (and in the scope asked for) are counted; the streak counts every
//!   answer, whatever its deck.

use crate::store::ItemMap;
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use jiff::civil::Date;
use serde::Serialize;

use crate::day::{add_days, days_between};
use crate::insight::chart;
use crate::store::{ItemProgress, LogEntry, ReviewKind, StudyDays, Tallies, Tally};
use crate::study::collection::{Collection, Scope};
use crate::study::exam;
use crate::study::history::{self, LeechRule};
use crate::text::{duration, percent};

/// The version of the `--json` layout; raised whenever a field changes meaning or goes away.
pub const SCHEMA: u32 = 1;
pub const FORECAST_DAYS: usize = 30;
pub const CALENDAR_WEEKS: usize = 12;
/// How many weakest cards and tags are listed.
pub const WEAKEST: usize = 10;
/// Fewer reviews than this say too little to call a card weak.
pub const MIN_CARD_REVIEWS: u64 = 3;
/// Fewer reviews than this say too little to call a tag weak.
pub const MIN_TAG_REVIEWS: u64 = 5;

/// The whole of `knead stats --json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub schema: u32,
    pub today: Date,
    #[serde(serialize_with = "Scope::serialize_in_full")]
    pub scope: Scope,
    /// Study items in scope.
    pub cards: usize,
    /// Of those, answered at least once.
    pub introduced: usize,
    pub studied_today: Today,
    /// Consecutive study days up to today (or yesterday, until today's first answer).
    pub streak_days: u32,
    /// Items due on each of the next days, today first (today includes overdue items).
    pub forecast: Vec<DueOn>,
    /// Answers of every kind on each day of the calendar (12 weeks ending this week, Monday
    /// first, up to today).
    pub calendar: Vec<AnsweredOn>,
    pub retention: Retention,
    pub weakest_cards: Vec<WeakCard>,
    pub weakest_tags: Vec<WeakTag>,
    /// Safety-critical leeches first, then by lapses.
    pub leeches: Vec<Leech>,
    /// Cram answers (`study --cram`), kept out of retention.
    pub cram: Windows,
    /// The exam plan, while its date has not passed.
    pub exam: Option<exam::Status>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Today {
    /// Scheduling reviews (new cards' first answers included).
    pub reviewed: u64,
    /// Of those, graded 3 or more.
    pub correct: u64,
    /// `correct / reviewed`; null when nothing was reviewed.
    pub correct_rate: Option<f64>,
    /// Time spent answering, every kind of answer included.
    pub time_ms: u64,
    /// Items answered for the first time today.
    pub new: u64,
    /// Items answered before and due today or overdue.
    pub still_due: u64,
    /// Same-session repeats of items graded below 4.
    pub drilled: u64,
    pub crammed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DueOn {
    pub day: Date,
    pub due: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AnsweredOn {
    pub day: Date,
    pub answers: u64,
}

/// Answers and how many were graded 3 or more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rate {
    pub reviews: u64,
    pub passed: u64,
    /// `passed / reviews`; null when there were no reviews.
    pub rate: Option<f64>,
}

impl Rate {
    fn add(&mut self, passed: bool) {
        self.reviews += 1;
        self.passed += u64::from(passed);
    }

    fn merge(&mut self, other: &Rate) {
        self.reviews += other.reviews;
        self.passed += other.passed;
    }

    fn finish(mut self) -> Rate {
        self.rate = (self.reviews > 0).then(|| self.passed as f64 / self.reviews as f64);
        self
    }

    /// "94% (52)", or "—" with no reviews.
    pub fn text(&self) -> String {
        if self.reviews == 0 {
            return "—".into();
        }
        format!("{} ({})", percent(self.passed, self.reviews), self.reviews)
    }
}

/// A rate over the last 7 days, the last 30 days (today included) and all time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Windows {
    pub last_7_days: Rate,
    pub last_30_days: Rate,
    pub all: Rate,
}

impl Windows {
    fn add(&mut self, age_days: i64, passed: bool) {
        if (0..7).contains(&age_days) {
            self.last_7_days.add(passed);
        }
        if (0..30).contains(&age_days) {
            self.last_30_days.add(passed);
        }
        self.all.add(passed);
    }

    fn merge(&mut self, other: &Windows) {
        self.last_7_days.merge(&other.last_7_days);
        self.last_30_days.merge(&other.last_30_days);
        self.all.merge(&other.all);
    }

    fn finish(self) -> Windows {
        Windows {
            last_7_days: self.last_7_days.finish(),
            last_30_days: self.last_30_days.finish(),
            all: self.all.finish(),
        }
    }
}

/// One item's scheduling reviews and how many passed, over the last 7 days, the last 30 and
/// all time: the [`Windows`] of an item, kept as counts while the answers are folded (for
/// 100,000 items, 2.4 MB instead of 9.6).
#[derive(Clone, Copy, Debug, Default)]
struct ItemCounts {
    last_7_days: (u32, u32),
    last_30_days: (u32, u32),
    all: (u32, u32),
}

impl ItemCounts {
    fn add(&mut self, age_days: i64, passed: bool) {
        let count = |(reviews, pass): &mut (u32, u32)| {
            *reviews += 1;
            *pass += u32::from(passed);
        };
        if (0..7).contains(&age_days) {
            count(&mut self.last_7_days);
        }
        if (0..30).contains(&age_days) {
            count(&mut self.last_30_days);
        }
        count(&mut self.all);
    }

    fn merge(&mut self, other: ItemCounts) {
        let add = |mine: &mut (u32, u32), theirs: (u32, u32)| {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        };
        add(&mut self.last_7_days, other.last_7_days);
        add(&mut self.last_30_days, other.last_30_days);
        add(&mut self.all, other.all);
    }

    fn windows(&self) -> Windows {
        let rate = |(reviews, passed): (u32, u32)| Rate {
            reviews: u64::from(reviews),
            passed: u64::from(passed),
            rate: None,
        };
        Windows {
            last_7_days: rate(self.last_7_days),
            last_30_days: rate(self.last_30_days),
            all: rate(self.all),
        }
    }
}

/// Retention of one deck or tag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    #[serde(flatten)]
    pub windows: Windows,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Retention {
    pub overall: Windows,
    /// Every deck in scope, in load order.
    pub decks: Vec<Group>,
    /// Every tag with at least one review, by name.
    pub tags: Vec<Group>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeakCard {
    /// The item's progress key (`deck/card`, `#n` for a Cloze deletion).
    pub key: String,
    pub reviews: u64,
    pub passed: u64,
    pub rate: f64,
    pub lapses: u32,
    pub easiness: f64,
    pub critical: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeakTag {
    pub tag: String,
    pub reviews: u64,
    pub passed: u64,
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Leech {
    pub key: String,
    pub critical: bool,
    pub lapses: u32,
    /// Consecutive reviews at the easiness floor.
    pub floor_reviews: u32,
    pub easiness: f64,
    pub due: Date,
}

/// What [`compute`] reads.
pub struct Input<'a> {
    /// The decks, already narrowed to `scope`.
    pub collection: &'a Collection,
    pub scope: &'a Scope,
    pub progress: &'a ItemMap,
    /// The answers of the history, folded by [`Answers::add`] over `collection`: with
    /// `tallies`, those since [`window_start`] (older ones may be there and are not counted
    /// twice); without, the whole history.
    pub answers: Answers<'a>,
    /// Each item's all-time reviews and cram answers ([`crate::store::Store::tallies`]), so
    /// the all-time columns need no more than the recent days of history.
    pub tallies: Option<&'a Tallies>,
    /// Answers per study day ([`crate::store::Store::study_days`]): the one definition of a day
    /// studied, which the session summary's streak reads too. A day with only a deck revision
    /// in the journal is not one.
    pub study_days: &'a StudyDays,
    pub today: Date,
    pub leech_rule: LeechRule,
    pub exam: Option<exam::Status>,
}

/// The first day whose answers [`compute`] reads from the history when it has the tallies: the
/// calendar's first day (the 7- and 30-day windows are within the calendar's 12 weeks).
pub fn window_start(today: Date) -> Date {
    chart::calendar_start(today, CALENDAR_WEEKS).min(add_days(today, -29))
}

/// The answers of the history, folded one at a time into the counts [`compute`] reports, so
/// a report streams the journals through it (`Store::fold_entries_since`) instead of
/// holding the twelve weeks it reads: at 100,000 cards with a year of history those weeks
/// are 400,000 entries, a fifth of `knead stats`'s memory. The order of the answers does not
/// matter.
pub struct Answers<'a> {
    /// Each item of the collection by its key: answers of other items are not counted.
    /// Shared by the forks that fold parts of the history on other threads.
    index: std::sync::Arc<HashMap<&'a str, usize, foldhash::fast::RandomState>>,
    today: Date,
    calendar: Vec<u64>,
    per_item: Vec<ItemCounts>,
    cram: Windows,
    studied_today: Today,
    /// Entries come day by day: the age of the previous one is usually the age of the next.
    last_age: Option<(Date, i64)>,
}

impl<'a> Answers<'a> {
    /// No answers yet, for the items of `collection` (the one given to [`compute`]).
    pub fn new(collection: &'a Collection, today: Date) -> Answers<'a> {
        let items = collection.items();
        let mut index =
            HashMap::with_capacity_and_hasher(items.len(), foldhash::fast::RandomState::default());
        for (i, item) in items.iter().enumerate() {
            index.insert(item.key.as_str(), i);
        }
        let calendar_start = chart::calendar_start(today, CALENDAR_WEEKS);
        Answers {
            index: std::sync::Arc::new(index),
            today,
            calendar: vec![0; days_between(calendar_start, today) as usize + 1],
            per_item: vec![ItemCounts::default(); items.len()],
            cram: Windows::default(),
            studied_today: Today::default(),
            last_age: None,
        }
    }

    /// No answers yet, for the same items: to fold another part of the history, on another
    /// thread, then [`Answers::merge`] it.
    pub fn fork(&self) -> Answers<'a> {
        Answers {
            index: self.index.clone(),
            today: self.today,
            calendar: vec![0; self.calendar.len()],
            per_item: vec![ItemCounts::default(); self.per_item.len()],
            cram: Windows::default(),
            studied_today: Today::default(),
            last_age: None,
        }
    }

    /// Adds the answers `other` (a [`Answers::fork`] of this) counted.
    pub fn merge(&mut self, other: Answers<'a>) {
        for (mine, theirs) in self.calendar.iter_mut().zip(other.calendar) {
            *mine += theirs;
        }
        for (mine, theirs) in self.per_item.iter_mut().zip(other.per_item) {
            mine.merge(theirs);
        }
        self.cram.merge(&other.cram);
        let (today, theirs) = (&mut self.studied_today, other.studied_today);
        today.reviewed += theirs.reviewed;
        today.correct += theirs.correct;
        today.time_ms += theirs.time_ms;
        today.drilled += theirs.drilled;
        today.crammed += theirs.crammed;
    }

    /// Counts one entry of the history.
    pub fn add(&mut self, entry: &LogEntry) {
        // Notes of deck revisions are not answers: no day, rate or time of their own.
        if !entry.kind.is_answer() {
            return;
        }
        let Some(&item) = self.index.get(entry.item.as_str()) else {
            return;
        };
        let age = match self.last_age {
            Some((day, age)) if day == entry.day => age,
            _ => {
                let age = days_between(entry.day, self.today);
                self.last_age = Some((entry.day, age));
                age
            }
        };
        let calendar = &mut self.calendar;
        if let Some(slot) = usize::try_from(age)
            .ok()
            .and_then(|age| calendar.len().checked_sub(age + 1))
        {
            calendar[slot] += 1;
        }
        let passed = entry.grade >= 3;
        let is_today = age == 0;
        let studied_today = &mut self.studied_today;
        match entry.kind {
            ReviewKind::Review => {
                self.per_item[item].add(age, passed);
                if is_today {
                    studied_today.reviewed += 1;
                    studied_today.correct += u64::from(passed);
                }
            }
            ReviewKind::Drill => studied_today.drilled += u64::from(is_today),
            ReviewKind::Cram => {
                self.cram.add(age, passed);
                studied_today.crammed += u64::from(is_today);
            }
            ReviewKind::Revised(_)
            | ReviewKind::Carried
            | ReviewKind::Anki(_)
            | ReviewKind::AnkiSchedule(_) => {} // skipped above
        }
        if is_today {
            studied_today.time_ms += entry.took_ms;
        }
    }
}

pub fn compute(input: Input<'_>) -> Stats {
    let Input {
        collection,
        scope,
        progress,
        answers,
        tallies,
        study_days,
        today,
        leech_rule,
        exam,
    } = input;
    let items = collection.items();
    assert_eq!(
        answers.per_item.len(),
        items.len(),
        "the answers are folded over the collection given"
    );
    let Answers {
        calendar,
        mut per_item,
        mut cram,
        mut studied_today,
        ..
    } = answers;
    let calendar_start = chart::calendar_start(today, CALENDAR_WEEKS);
    // Each item's progress and tally, looked up once, on every core: at 100,000 items the
    // lookups (a string compare each, in a cold cache line) were most of this function when
    // each pass below made its own, one thread at a time.
    let looked_up: Vec<(Option<&ItemProgress>, Option<&Tally>)> = {
        use rayon::prelude::*;
        items
            .par_iter()
            .map(|item| {
                let tally = tallies.and_then(|t| t.get(&item.key));
                (progress.get(&item.key), tally)
            })
            .collect()
    };
    if tallies.is_some() {
        // All time comes from the tallies; the history read covers only the recent days.
        cram.all = Rate::default();
        for ((_, tally), counts) in looked_up.iter().zip(per_item.iter_mut()) {
            let tally = tally.copied().unwrap_or_default();
            counts.all = (tally.reviews, tally.passed);
            cram.all.reviews += u64::from(tally.crams);
            cram.all.passed += u64::from(tally.cram_passed);
        }
    }
    studied_today.correct_rate = (studied_today.reviewed > 0)
        .then(|| studied_today.correct as f64 / studied_today.reviewed as f64);

    let mut forecast = vec![0u64; FORECAST_DAYS];
    let mut introduced = 0;
    let mut leeches = Vec::new();
    for (item, &(p, _)) in items.iter().zip(&looked_up) {
        let Some(p) = p else {
            continue;
        };
        introduced += 1;
        studied_today.new += u64::from(p.introduced == today);
        studied_today.still_due += u64::from(p.due <= today);
        if let Ok(offset) = usize::try_from(days_between(today, p.due).max(0))
            && offset < FORECAST_DAYS
        {
            forecast[offset] += 1;
        }
        if leech_rule.is_leech(p) {
            leeches.push(Leech {
                key: item.key.clone(),
                critical: collection.card(item).common().critical,
                lapses: p.lapses,
                floor_reviews: p.floor_reviews,
                easiness: p.easiness,
                due: p.due,
            });
        }
    }
    leeches.sort_by(|a, b| {
        (
            !a.critical,
            Reverse(a.lapses),
            Reverse(a.floor_reviews),
            &a.key,
        )
            .cmp(&(
                !b.critical,
                Reverse(b.lapses),
                Reverse(b.floor_reviews),
                &b.key,
            ))
    });

    let mut overall = Windows::default();
    let mut decks: Vec<Option<Windows>> = vec![None; collection.decks().len()];
    let mut tags: BTreeMap<&str, Windows> = BTreeMap::new();
    for (item, counts) in items.iter().zip(&per_item) {
        let windows = &counts.windows();
        overall.merge(windows);
        decks[item.deck]
            .get_or_insert_with(Windows::default)
            .merge(windows);
        if windows.all.reviews > 0 {
            for tag in collection.card(item).common().tags {
                tags.entry(tag).or_default().merge(windows);
            }
        }
    }
    let decks: Vec<Group> = decks
        .into_iter()
        .enumerate()
        .filter_map(|(deck, windows)| {
            windows.map(|windows| Group {
                name: collection.decks()[deck].deck.id.clone(),
                windows: windows.finish(),
            })
        })
        .collect();
    let tags: Vec<Group> = tags
        .into_iter()
        .map(|(name, windows)| Group {
            name: name.to_owned(),
            windows: windows.finish(),
        })
        .collect();

    let mut weakest_cards: Vec<WeakCard> = items
        .iter()
        .zip(&per_item)
        .zip(&looked_up)
        .map(|((item, counts), &(p, _))| (item, counts.windows(), p))
        .filter(|(_, w, _)| w.all.reviews >= MIN_CARD_REVIEWS && w.all.passed < w.all.reviews)
        .map(|(item, w, p)| WeakCard {
            key: item.key.clone(),
            reviews: w.all.reviews,
            passed: w.all.passed,
            rate: w.all.passed as f64 / w.all.reviews as f64,
            lapses: p.map_or(0, |p| p.lapses),
            easiness: p.map_or(crate::sm2::INITIAL_EASINESS, |p| p.easiness),
            critical: collection.card(item).common().critical,
        })
        .collect();
    weakest_cards.sort_by(|a, b| {
        a.rate
            .total_cmp(&b.rate)
            .then((b.reviews - b.passed).cmp(&(a.reviews - a.passed)))
            .then(a.easiness.total_cmp(&b.easiness))
            .then(a.key.cmp(&b.key))
    });
    weakest_cards.truncate(WEAKEST);
    let mut weakest_tags: Vec<WeakTag> = tags
        .iter()
        .filter(|g| {
            g.windows.all.reviews >= MIN_TAG_REVIEWS && g.windows.all.passed < g.windows.all.reviews
        })
        .map(|g| WeakTag {
            tag: g.name.clone(),
            reviews: g.windows.all.reviews,
            passed: g.windows.all.passed,
            rate: g.windows.all.rate.unwrap_or(0.0),
        })
        .collect();
    weakest_tags.sort_by(|a, b| {
        a.rate
            .total_cmp(&b.rate)
            .then(b.reviews.cmp(&a.reviews))
            .then(a.tag.cmp(&b.tag))
    });
    weakest_tags.truncate(WEAKEST);

    Stats {
        schema: SCHEMA,
        today,
        scope: scope.clone(),
        cards: items.len(),
        introduced,
        studied_today,
        streak_days: history::streak(study_days, today),
        forecast: forecast
            .into_iter()
            .enumerate()
            .map(|(offset, due)| DueOn {
                day: add_days(today, offset as i64),
                due,
            })
            .collect(),
        calendar: calendar
            .into_iter()
            .enumerate()
            .map(|(offset, answers)| AnsweredOn {
                day: add_days(calendar_start, offset as i64),
                answers,
            })
            .collect(),
        retention: Retention {
            overall: overall.finish(),
            decks,
            tags,
        },
        weakest_cards,
        weakest_tags,
        leeches,
        cram: cram.finish(),
        exam,
    }
}

const CRITICAL_NOTE: &str = "! marks a safety-critical card.";

/// A card's key, marked at the front (where a narrow table never cuts it) when safety-critical.
fn critical_mark(key: &str, critical: bool) -> String {
    if critical {
        format!("! {key}")
    } else {
        key.to_owned()
    }
}

fn month_day(day: Date) -> String {
    format!("{:02}-{:02}", day.month(), day.day())
}

fn heading(lines: &mut Vec<String>, title: &str, width: usize) {
    lines.push(String::new());
    lines.extend(chart::wrap(title, width, ""));
}

/// How the report draws its charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Charts {
    /// Columns and a calendar of block characters.
    #[default]
    Glyphs,
    /// The same numbers as text (`--plain`, `TERM=dumb`): a screen reader reads a block chart
    /// glyph by glyph.
    Text,
}

/// The report as lines of at most `width` columns.
pub fn render(stats: &Stats, width: usize) -> Vec<String> {
    render_with(stats, width, Charts::Glyphs)
}

/// The days of a chart with a non-zero value, as `MM-DD N` flowed in `width` columns.
fn days_as_text(days: &[(Date, u64)], width: usize) -> Vec<String> {
    let items: Vec<String> = days
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(day, n)| format!("{} {n}", month_day(*day)))
        .collect();
    chart::flow(&items, width.saturating_sub(2), "", " · ")
        .into_iter()
        .map(|l| format!("  {l}"))
        .collect()
}

/// [`render`], drawing the charts as `charts` says.
pub fn render_with(stats: &Stats, width: usize, charts: Charts) -> Vec<String> {
    let mut lines = chart::wrap(
        &format!(
            "knead stats for {} ({}): {} cards, {} introduced",
            stats.today,
            stats.scope.describe(),
            stats.cards,
            stats.introduced
        ),
        width,
        "",
    );

    let t = &stats.studied_today;
    heading(&mut lines, "Today", width);
    let mut today = vec![
        format!("reviewed {}", t.reviewed),
        format!("correct {} ({})", t.correct, percent(t.correct, t.reviewed)),
        format!("time {}", duration(Duration::from_millis(t.time_ms))),
        format!("new {}", t.new),
        format!("still due {}", t.still_due),
        format!(
            "streak {} day{}",
            stats.streak_days,
            if stats.streak_days == 1 { "" } else { "s" }
        ),
    ];
    if t.drilled > 0 {
        today.push(format!("drilled again {}", t.drilled));
    }
    if t.crammed > 0 {
        today.push(format!("crammed {}", t.crammed));
    }
    lines.extend(
        chart::flow(&today, width.saturating_sub(2), "", " · ")
            .into_iter()
            .map(|l| format!("  {l}")),
    );

    let due: Vec<u64> = stats.forecast.iter().map(|d| d.due).collect();
    let total: u64 = due.iter().sum();
    heading(
        &mut lines,
        &format!(
            "Due in the next {} days: {total} ({} today, overdue included)",
            due.len(),
            due.first().copied().unwrap_or(0)
        ),
        width,
    );
    if total == 0 {
        lines.push("  nothing scheduled".into());
    } else {
        let labels: Vec<(usize, String)> = stats
            .forecast
            .iter()
            .enumerate()
            .step_by(7)
            .map(|(i, d)| (i, month_day(d.day)))
            .collect();
        if charts == Charts::Text {
            let days: Vec<(Date, u64)> = stats.forecast.iter().map(|d| (d.day, d.due)).collect();
            lines.extend(days_as_text(&days, width));
        } else {
            lines.extend(chart::column_chart(&due, &labels, width, 6));
        }
    }

    let answers: u64 = stats.calendar.iter().map(|d| d.answers).sum();
    let active = stats.calendar.iter().filter(|d| d.answers > 0).count();
    let mut title = format!(
        "Answers in the last {CALENDAR_WEEKS} weeks: {answers} on {active} day{}",
        if active == 1 { "" } else { "s" }
    );
    if let Some(busiest) = stats
        .calendar
        .iter()
        .filter(|d| d.answers > 0)
        .max_by_key(|d| (d.answers, Reverse(d.day)))
    {
        title.push_str(&format!("; most {} on {}", busiest.answers, busiest.day));
    }
    heading(&mut lines, &title, width);
    let counts: Vec<(Date, u64)> = stats.calendar.iter().map(|d| (d.day, d.answers)).collect();
    if charts == Charts::Text {
        lines.extend(days_as_text(&counts, width));
    } else {
        lines.extend(chart::heatmap(&counts, stats.today, CALENDAR_WEEKS, width));
    }

    heading(
        &mut lines,
        "Retention: reviews graded 3 or more, number of reviews in brackets",
        width,
    );
    let header = ["DECK", "7 DAYS", "30 DAYS", "ALL"];
    let row = |name: &str, w: &Windows| {
        vec![
            name.to_owned(),
            w.last_7_days.text(),
            w.last_30_days.text(),
            w.all.text(),
        ]
    };
    let mut rows = vec![row("all cards", &stats.retention.overall)];
    rows.extend(
        stats
            .retention
            .decks
            .iter()
            .map(|g| row(&g.name, &g.windows)),
    );
    lines.extend(chart::table(&header, &rows, width));
    if !stats.retention.tags.is_empty() {
        lines.push(String::new());
        let rows: Vec<Vec<String>> = stats
            .retention
            .tags
            .iter()
            .map(|g| row(&g.name, &g.windows))
            .collect();
        lines.extend(chart::table(
            &["TAG", "7 DAYS", "30 DAYS", "ALL"],
            &rows,
            width,
        ));
    }

    heading(
        &mut lines,
        &format!(
            "Weakest cards: lowest retention, at least {MIN_CARD_REVIEWS} reviews and one failed"
        ),
        width,
    );
    if stats.weakest_cards.is_empty() {
        lines.push("  none".into());
    } else {
        let rows: Vec<Vec<String>> = stats
            .weakest_cards
            .iter()
            .map(|c| {
                vec![
                    critical_mark(&c.key, c.critical),
                    format!("{} ({})", percent(c.passed, c.reviews), c.reviews),
                    c.lapses.to_string(),
                    format!("{:.2}", c.easiness),
                ]
            })
            .collect();
        lines.extend(chart::table(
            &["CARD", "RETENTION", "LAPSES", "EF"],
            &rows,
            width,
        ));
        if stats.weakest_cards.iter().any(|c| c.critical) {
            lines.push(format!("  {CRITICAL_NOTE}"));
        }
    }

    heading(
        &mut lines,
        &format!(
            "Weakest tags: lowest retention, at least {MIN_TAG_REVIEWS} reviews and one failed"
        ),
        width,
    );
    if stats.weakest_tags.is_empty() {
        lines.push("  none".into());
    } else {
        let items: Vec<String> = stats
            .weakest_tags
            .iter()
            .map(|t| format!("{} {} ({})", t.tag, percent(t.passed, t.reviews), t.reviews))
            .collect();
        lines.extend(
            chart::flow(&items, width.saturating_sub(2), "", ", ")
                .into_iter()
                .map(|l| format!("  {l}")),
        );
    }

    heading(
        &mut lines,
        "Leeches: cards that keep slipping, safety-critical first",
        width,
    );
    if stats.leeches.is_empty() {
        lines.push("  none".into());
    } else {
        let rows: Vec<Vec<String>> = stats
            .leeches
            .iter()
            .map(|l| {
                vec![
                    critical_mark(&l.key, l.critical),
                    l.lapses.to_string(),
                    l.floor_reviews.to_string(),
                    format!("{:.2}", l.easiness),
                ]
            })
            .collect();
        lines.extend(chart::table(
            &["CARD", "LAPSES", "FLOOR", "EF"],
            &rows,
            width,
        ));
        let mut notes = String::new();
        if stats.leeches.iter().any(|l| l.critical) {
            notes.push_str(CRITICAL_NOTE);
            notes.push(' ');
        }
        notes.push_str("FLOOR: reviews in a row at the lowest easiness (1.3). Read the why of each card again, or tell your instructor if its wording is unclear.");
        lines.extend(chart::wrap(&notes, width, "  "));
    }

    let c = &stats.cram;
    heading(&mut lines, "Cram answers (not counted in retention)", width);
    let cram = [
        format!("today {}", stats.studied_today.crammed),
        format!("7 days {}", c.last_7_days.text()),
        format!("30 days {}", c.last_30_days.text()),
        format!("all {}", c.all.text()),
    ];
    lines.extend(
        chart::flow(&cram, width.saturating_sub(2), "", " · ")
            .into_iter()
            .map(|l| format!("  {l}")),
    );

    if let Some(exam) = &stats.exam {
        render_exam(&mut lines, exam, width, charts);
    }
    lines
}

fn render_exam(lines: &mut Vec<String>, exam: &exam::Status, width: usize, charts: Charts) {
    let o = &exam.outlook;
    heading(lines, &o.summary(), width);
    for problem in &exam.problems {
        lines.extend(chart::wrap(problem, width, "  "));
    }
    if exam.expected_per_day.is_empty() {
        return;
    }
    let loads: Vec<u64> = exam
        .expected_per_day
        .iter()
        .map(|d| d.cards as u64)
        .collect();
    let busiest = loads.iter().copied().max().unwrap_or(0);
    // A plan more than a year ahead is projected over its next year only.
    let until = if o.days_left > loads.len() as i64 {
        format!("for the next {} days", loads.len())
    } else {
        "until the exam".to_owned()
    };
    lines.extend(chart::wrap(
        &format!(
            "Expected cards per day {until} if every answer is right (today: what is left): busiest {busiest}, cap {}.",
            o.max_per_day
        ),
        width,
        "",
    ));
    let labels: Vec<(usize, String)> = exam
        .expected_per_day
        .iter()
        .enumerate()
        .step_by(7)
        .map(|(i, d)| (i, month_day(d.day)))
        .collect();
    if charts == Charts::Text {
        let days: Vec<(Date, u64)> = exam
            .expected_per_day
            .iter()
            .map(|d| (d.day, d.cards as u64))
            .collect();
        lines.extend(days_as_text(&days, width));
        return;
    }
    lines.extend(chart::column_chart(&loads, &labels, width, 4));
    let shown = chart::columns_shown(&loads, width);
    if shown < loads.len() {
        lines.extend(chart::wrap(
            &format!(
                "(the first {shown} of {} days; `--json` has them all)",
                loads.len()
            ),
            width,
            "",
        ));
    }
}
