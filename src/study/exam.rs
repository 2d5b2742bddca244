//! Exam mode: until an exam date, a plan decides which items in its scope are studied each day
//! and how far ahead an answer may schedule them.
//!
//! For the items in the plan's scope, on each day before the exam:
//!
//! - **The final week** (the 7 days before the exam, or fewer when the exam is sooner) asks
//!   every item at least once. The items it has not asked yet are spread evenly over its
//!   remaining days, `ceil(unseen / days left)` a day, so the daily load never grows; items
//!   never studied come first, then the most overdue. Items it has asked come back only as
//!   SM-2 has them due, within the cap.
//! - **Before the final week**, new items are introduced evenly over the days left before it, so
//!   that all of them are met before it whenever the cap allows; reviews SM-2 has due fill the
//!   rest of the day's cap, most overdue first. Reviews that do not fit wait: the final week
//!   asks every item anyway.
//! - **The cap** (`max_per_day`) bounds the items asked each day, always. When the final week
//!   cannot hold every item still to see at the cap, [`Outlook::problems`] says so plainly,
//!   with the cap that would fit them.
//! - **Due dates.** No answer schedules an item after the exam. Before the final week an
//!   item's due date is at most its own day in the final week (items are spread over its seven
//!   days by position, so a forecast shows the spread); within the final week, at most the exam
//!   day. The interval recorded is the shortened one, so that SM-2 grows the next interval from
//!   the spacing the item really had, not from one it never waited.
//! - **From the exam day on** the plan asks nothing and clamps nothing: SM-2 resumes from each
//!   item's state.
//!
//! The planner is pure ([`ExamPlan::day`], [`ExamPlan::schedule`]): it reads the items' progress
//! and today's date and is recomputed every day, so it survives restarts, missed days and
//! edited decks. Only the plan itself (date, scope, cap) is kept: each device keeps the plan as it
//! last set it in `exam/<device>.ron` with the time it was set, and the plan set last is in
//! force (see [`load`]), so two devices never rewrite one file.

use crate::store::ItemMap;
use std::collections::HashMap;
use std::fs;
use std::path::Path;

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::{Deserialize, Serialize};

use crate::day::{add_days, days_between};
use crate::deck::diagnostic::{Diagnostic, Mark};
use crate::error::Error;
use crate::files::write_atomically;
use crate::limits::{EXAM_PROJECTION_DAYS, MAX_EXAM_YEARS};
use crate::sm2::{self, Grade};
use crate::store::device::DeviceId;
use crate::store::{self, Answer, ItemProgress, LogEntry, ReviewKind};
use crate::study::collection::{Collection, Scope};
use crate::text;

/// The folder of exam plan files in the data directory, one per device: `exam/<device>.ron`.
pub const DIR: &str = "exam";
/// The one plan file of knead before plans were kept per device: read (as set when the file
/// was last modified), never written.
pub const FILE: &str = "exam.ron";
/// The length of the final week, in days.
pub const FINAL_WEEK_DAYS: i64 = 7;
/// The cap when none is given: the normal daily review limit.
pub const DEFAULT_MAX_PER_DAY: usize = 200;

/// An exam to prepare for: what `knead study --exam` sets and `exam.ron` keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamPlan {
    pub date: Date,
    /// The cards the exam covers.
    #[serde(default)]
    pub scope: Scope,
    /// Items asked per day at most.
    pub max_per_day: usize,
}

/// Where a plan stands on a day: the numbers behind the day's picks and its warnings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outlook {
    pub date: Date,
    #[serde(serialize_with = "Scope::serialize_in_full")]
    pub scope: Scope,
    pub max_per_day: usize,
    pub today: Date,
    /// Days from today to the exam (0 on the exam day, negative after it).
    pub days_left: i64,
    pub final_week_start: Date,
    /// Study items in scope (a Cloze card counts once per deletion).
    pub cards: usize,
    /// Items answered at least once.
    pub introduced: usize,
    /// Items answered on a day of the final week so far (today included) and due by the exam.
    pub seen_in_final_week: usize,
    /// Days of the final week still to come, today included.
    pub final_week_days_left: usize,
    /// Items the final week must still ask, counted from the start of today.
    pub to_see: usize,
    /// The smallest cap that fits `to_see` into the final week's remaining days.
    pub needed_per_day: usize,
    /// Whether the cap is enough to ask every item in the final week.
    pub feasible: bool,
    /// New items not yet introduced, counted from the start of today.
    pub new: usize,
    /// Days before the final week, today included.
    pub days_before_final_week: usize,
}

/// One day's plan: positions (into the items given to [`ExamPlan::day`]) to study, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayPlan {
    pub study: Vec<usize>,
    pub outlook: Outlook,
}

/// How many items a plan expects to ask on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DayLoad {
    pub day: Date,
    pub cards: usize,
}

/// Refuses an exam date that is not after `today`, or more than [`MAX_EXAM_YEARS`] ahead.
pub fn check_date(date: Date, today: Date) -> Result<(), Error> {
    if date <= today {
        return Err(Error::ExamNotAhead { date, today });
    }
    let latest = today
        .checked_add(Span::new().years(MAX_EXAM_YEARS))
        .unwrap_or(Date::MAX);
    if date > latest {
        return Err(Error::ExamTooFar {
            date,
            today,
            latest,
        });
    }
    Ok(())
}

impl ExamPlan {
    /// The first day of the final week.
    pub fn final_week_start(&self) -> Date {
        add_days(self.date, -FINAL_WEEK_DAYS)
    }

    /// Whether the plan still decides what is studied `today` (it stops on the exam day).
    pub fn is_active(&self, today: Date) -> bool {
        today < self.date
    }

    /// What to study `today` among `items` (the progress of each in-scope item, `None` for
    /// one never answered, in a fixed order), and why.
    pub fn day(&self, items: &[Option<&ItemProgress>], today: Date) -> DayPlan {
        let week_start = self.final_week_start();
        let cap = self.max_per_day;
        let days_left = days_between(today, self.date);
        let in_final_week = today >= week_start;
        let week_days = days_left.clamp(0, FINAL_WEEK_DAYS) as usize;
        let before_days = if in_final_week {
            0
        } else {
            days_between(today, week_start) as usize
        };

        let (mut introduced, mut new_today) = (0, 0);
        let (mut done_today, mut seen, mut seen_today) = (0, 0, 0);
        for progress in items.iter().flatten() {
            introduced += 1;
            new_today += usize::from(progress.introduced == today);
            done_today += usize::from(progress.last_reviewed == today);
            if self.seen_in_final_week(progress) {
                seen += 1;
                seen_today += usize::from(progress.last_reviewed == today);
            }
        }
        let new_left = items.len() - introduced;
        // Counted from the start of today, so a second session on the same day keeps the
        // quotas of the first.
        let to_see = items.len() - seen + seen_today;
        let new = new_left + new_today;
        let needed_per_day = if week_days == 0 {
            0
        } else {
            to_see.div_ceil(week_days)
        };
        let outlook = Outlook {
            date: self.date,
            scope: self.scope.clone(),
            max_per_day: cap,
            today,
            days_left,
            final_week_start: week_start,
            cards: items.len(),
            introduced,
            seen_in_final_week: seen,
            final_week_days_left: week_days,
            to_see,
            needed_per_day,
            feasible: days_left <= 0 || to_see <= cap.saturating_mul(week_days),
            new,
            days_before_final_week: before_days,
        };

        let mut study = Vec::new();
        if days_left > 0 {
            let capacity = cap.saturating_sub(done_today);
            if in_final_week {
                let quota = needed_per_day
                    .min(cap)
                    .saturating_sub(seen_today)
                    .min(capacity);
                // Not yet seen this week: new items first (met this late, they need every
                // day left), then the most overdue.
                let unseen = sorted_by_due(items, |progress| match progress {
                    None => Some(Date::MIN),
                    Some(p) if !self.seen_in_final_week(p) && p.last_reviewed != today => {
                        Some(p.due)
                    }
                    Some(_) => None,
                });
                study.extend(unseen.into_iter().take(quota));
                // Seen this week and due again (a lapse): only within the cap.
                let again = sorted_by_due(items, |progress| {
                    progress
                        .filter(|p| self.seen_in_final_week(p) && p.last_reviewed < today)
                        .filter(|p| p.due <= today)
                        .map(|p| p.due)
                });
                let room = capacity - study.len();
                study.extend(again.into_iter().take(room));
            } else {
                let new_quota = new
                    .div_ceil(before_days)
                    .min(cap)
                    .saturating_sub(new_today)
                    .min(capacity);
                let due = sorted_by_due(items, |progress| {
                    progress
                        .filter(|p| p.due <= today && p.last_reviewed != today)
                        .map(|p| p.due)
                });
                study.extend(due.into_iter().take(capacity - new_quota));
                let new_items = items.iter().enumerate().filter(|(_, p)| p.is_none());
                study.extend(new_items.take(new_quota).map(|(position, _)| position));
            }
        }
        DayPlan { study, outlook }
    }

    /// Whether the final week has asked the item: answered in it, and due by the exam (an
    /// answer given there before the plan was set may have scheduled it after the exam).
    pub fn seen_in_final_week(&self, progress: &ItemProgress) -> bool {
        progress.last_reviewed >= self.final_week_start() && progress.due <= self.date
    }

    /// The latest due date an answer given `today` may set for the item at `position`.
    pub fn latest_due(&self, position: usize, today: Date) -> Date {
        let week_start = self.final_week_start();
        if today < week_start {
            add_days(week_start, position as i64 % FINAL_WEEK_DAYS)
        } else {
            self.date
        }
    }

    /// The schedule an answer given `today` sets for the item at `position`: SM-2's `state`
    /// and `due`, with the interval shortened to land by [`ExamPlan::latest_due`] while the
    /// plan is active.
    pub fn schedule(
        &self,
        position: usize,
        today: Date,
        state: sm2::State,
        due: Date,
    ) -> (sm2::State, Date) {
        if !self.is_active(today) {
            return (state, due);
        }
        let latest = self.latest_due(position, today);
        if due <= latest {
            return (state, due);
        }
        let interval_days = u32::try_from(days_between(today, latest)).unwrap_or(1);
        (
            sm2::State {
                interval_days,
                ..state
            },
            latest,
        )
    }

    /// The log entry of an answer given under the plan, as a study session records it (the
    /// same [`store::review_schedule`] and [`Answer`], then the plan's cap).
    fn answer(
        &self,
        (key, rev): (&str, u32),
        position: usize,
        before: Option<&ItemProgress>,
        today: Date,
        grade: Grade,
    ) -> LogEntry {
        let (state, due) = store::review_schedule(before, grade, today);
        let (state, due) = self.schedule(position, today, state, due);
        Answer {
            at: Timestamp::UNIX_EPOCH,
            day: today,
            item: key,
            kind: ReviewKind::Review,
            grade,
            took_ms: 0,
            rev,
            chose: None,
            first: false,
        }
        .entry(state, due)
    }

    /// The items the plan would ask each day from today until the exam (at most
    /// [`EXAM_PROJECTION_DAYS`] days) if every answer from now on were graded 4 (right, after a
    /// hesitation). Today's count is what is left of today. `keys` are the in-scope items in
    /// plan order, each with its card's revision.
    pub fn expected_load(
        &self,
        keys: &[(&str, u32)],
        progress: &ItemMap,
        today: Date,
    ) -> Vec<DayLoad> {
        let grade = Grade::try_from(4).expect("in range");
        // By position, not by key: each day reads every item, and hashing every key every day
        // cost more than the plan itself.
        let mut projected: Vec<Option<ItemProgress>> = keys
            .iter()
            .map(|(key, _)| progress.get(*key).cloned())
            .collect();
        let mut loads = Vec::new();
        let mut day = today;
        // Each day is simulated over every item: a plan far ahead (one kept from before exam
        // dates were limited) is projected over its next days only.
        while self.is_active(day) && loads.len() < EXAM_PROJECTION_DAYS {
            let items: Vec<Option<&ItemProgress>> = projected.iter().map(Option::as_ref).collect();
            let plan = self.day(&items, day);
            let entries: Vec<(usize, LogEntry)> = plan
                .study
                .iter()
                .map(|&position| {
                    let entry = self.answer(keys[position], position, items[position], day, grade);
                    (position, entry)
                })
                .collect();
            loads.push(DayLoad {
                day,
                cards: entries.len(),
            });
            for (position, entry) in &entries {
                // The item's progress as the store would record the answer.
                let mut one: ItemMap = projected[*position]
                    .take()
                    .map(|p| (entry.item.clone(), p))
                    .into_iter()
                    .collect();
                store::apply(&mut one, entry);
                projected[*position] = one.remove(&entry.item);
            }
            day = add_days(day, 1);
        }
        loads
    }
}

/// Positions of the items `due_of` selects, earliest due date first (then in order).
fn sorted_by_due(
    items: &[Option<&ItemProgress>],
    due_of: impl Fn(Option<&ItemProgress>) -> Option<Date>,
) -> Vec<usize> {
    let mut selected: Vec<(Date, usize)> = items
        .iter()
        .enumerate()
        .filter_map(|(position, progress)| due_of(*progress).map(|due| (due, position)))
        .collect();
    selected.sort_unstable();
    selected.into_iter().map(|(_, position)| position).collect()
}

impl Outlook {
    /// One line: the exam, its scope, and how far preparation has come.
    pub fn summary(&self) -> String {
        let when = match self.days_left {
            0 => "today".to_owned(),
            1 => "tomorrow".to_owned(),
            days if days > 1 => format!("in {days} days"),
            _ => "passed".to_owned(),
        };
        format!(
            "Exam on {} ({when}), {}: {} in scope, {} introduced, {} seen in the final week (from {}); at most {} a day.",
            self.date,
            self.scope.describe(),
            text::count_irregular(self.cards, "card", "cards"),
            self.introduced,
            self.seen_in_final_week,
            self.final_week_start,
            self.max_per_day,
        )
    }

    /// What the plan cannot do with its cap, said plainly; empty when it can do everything.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.days_left <= 0 {
            return problems;
        }
        if !self.feasible {
            let fit = self.max_per_day * self.final_week_days_left;
            problems.push(format!(
                "{}, {}, cap {}: not enough days. Every card is asked once in the final {}, which hold {fit} at {} a day, so {} will not be asked; --max-per-day {} fits them all.",
                text::count_irregular(self.to_see, "card", "cards"),
                text::count_irregular(self.days_left as usize, "day", "days"),
                self.max_per_day,
                text::count_irregular(self.final_week_days_left, "day", "days"),
                self.max_per_day,
                self.to_see - fit,
                self.needed_per_day,
            ));
        }
        let fit_before = self.max_per_day * self.days_before_final_week;
        if self.days_before_final_week > 0 && self.new > fit_before {
            problems.push(format!(
                "{}, {} before the final week, cap {}: {} will first be seen in the final week.",
                text::count_irregular(self.new, "new card", "new cards"),
                text::count_irregular(self.days_before_final_week, "day", "days"),
                self.max_per_day,
                self.new - fit_before,
            ));
        }
        problems
    }
}

/// The keys of the items of `collection` in the plan's scope, in plan order.
/// The items in the plan's scope, in plan order, each with its card's revision.
fn in_scope<'c>(plan: &ExamPlan, collection: &'c Collection) -> Vec<(&'c str, u32)> {
    collection
        .items()
        .iter()
        .filter(|item| {
            plan.scope
                .includes(collection.deck_of(item), collection.card(item))
        })
        .map(|item| (item.key.as_str(), collection.card(item).common().rev))
        .collect()
}

/// Today's part of an exam plan, by item key, for a study session.
#[derive(Clone, Debug)]
pub struct ExamDay {
    plan: ExamPlan,
    today: Date,
    /// Each in-scope item's position in plan order.
    positions: HashMap<String, usize>,
    /// The items to study today, in order.
    pub study: Vec<String>,
    pub outlook: Outlook,
}

impl ExamDay {
    /// Plans `today` over the items of `collection` in the plan's scope.
    pub fn new(
        plan: &ExamPlan,
        collection: &Collection,
        progress: &ItemMap,
        today: Date,
    ) -> ExamDay {
        let keys = in_scope(plan, collection);
        let items: Vec<Option<&ItemProgress>> =
            keys.iter().map(|(key, _)| progress.get(*key)).collect();
        let day = plan.day(&items, today);
        ExamDay {
            plan: plan.clone(),
            today,
            study: day.study.iter().map(|&p| keys[p].0.to_owned()).collect(),
            positions: keys
                .iter()
                .enumerate()
                .map(|(position, (key, _))| ((*key).to_owned(), position))
                .collect(),
            outlook: day.outlook,
        }
    }

    /// Whether the plan decides when the item `key` is studied.
    pub fn covers(&self, key: &str) -> bool {
        self.positions.contains_key(key)
    }

    /// The schedule an answer to `key` sets today under the plan (see [`ExamPlan::schedule`]).
    pub fn schedule(&self, key: &str, state: sm2::State, due: Date) -> (sm2::State, Date) {
        match self.positions.get(key) {
            Some(&position) => self.plan.schedule(position, self.today, state, due),
            None => (state, due),
        }
    }
}

/// An exam plan as `knead stats` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Status {
    #[serde(flatten)]
    pub outlook: Outlook,
    pub problems: Vec<String>,
    /// What each day until the exam is expected to ask, for at most
    /// [`EXAM_PROJECTION_DAYS`] days (see [`ExamPlan::expected_load`]).
    pub expected_per_day: Vec<DayLoad>,
}

pub fn status(plan: &ExamPlan, collection: &Collection, progress: &ItemMap, today: Date) -> Status {
    let keys = in_scope(plan, collection);
    let items: Vec<Option<&ItemProgress>> =
        keys.iter().map(|(key, _)| progress.get(*key)).collect();
    let outlook = plan.day(&items, today).outlook;
    Status {
        problems: outlook.problems(),
        outlook,
        expected_per_day: plan.expected_load(&keys, progress, today),
    }
}

/// The plan in force in `data_dir`, if any: of the plans every device set (`exam/<device>.ron`,
/// and a `exam.ron` of an older knead), the one set last. A cancelled or passed plan is a newer
/// file saying `plan: None`.
pub fn load(data_dir: &Path) -> Result<Option<ExamPlan>, Error> {
    Ok(newest(data_dir)?.and_then(|set| set.plan))
}

/// Sets `plan` as this device's, newer than any plan set so far (atomically).
pub fn save(data_dir: &Path, device: &DeviceId, plan: &ExamPlan) -> Result<(), Error> {
    write_plan(data_dir, device, Some(plan))
}

/// Cancels the plan in force, if any (false if there was none), by setting "no plan" as this
/// device's, newer than the plan: another device's file is never changed.
pub fn clear(data_dir: &Path, device: &DeviceId) -> Result<bool, Error> {
    if load(data_dir)?.is_none() {
        return Ok(false);
    }
    write_plan(data_dir, device, None)?;
    Ok(true)
}

/// One device's exam plan file: when it was set, and the plan (`None`: cancelled).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile<P> {
    set: Timestamp,
    plan: Option<P>,
}

/// A plan as some device set it.
struct SetPlan {
    set: Timestamp,
    /// The device whose file it is ("" for the legacy `exam.ron`), which breaks ties.
    device: String,
    plan: Option<ExamPlan>,
}

fn newest(data_dir: &Path) -> Result<Option<SetPlan>, Error> {
    let mut plans = Vec::new();
    let legacy = data_dir.join(FILE);
    if let Some(text) = read_text(&legacy)? {
        let set = fs::metadata(&legacy)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|time| Timestamp::try_from(time).ok())
            .unwrap_or(Timestamp::UNIX_EPOCH);
        plans.push(SetPlan {
            set,
            device: String::new(),
            plan: Some(parse_plan(&legacy, &text, LEGACY_HELP)?),
        });
    }
    // Only `<device id>.ron`: a sync tool's conflict copy or an editor's backup is not a plan.
    let (files, _others) = store::device::files_by_device(&data_dir.join(DIR), "ron")?;
    for (device, path) in files {
        let Some(text) = read_text(&path)? else {
            continue;
        };
        let file: PlanFile<ExamPlan> = parse_plan(&path, &text, DEVICE_HELP)?;
        plans.push(SetPlan {
            set: file.set,
            device: device.as_str().to_owned(),
            plan: file.plan,
        });
    }
    Ok(plans
        .into_iter()
        .max_by(|a, b| (a.set, &a.device).cmp(&(b.set, &b.device))))
}

fn write_plan(data_dir: &Path, device: &DeviceId, plan: Option<&ExamPlan>) -> Result<(), Error> {
    // Set after every plan already set, even one stamped by a device whose clock runs ahead:
    // the plan just set is the one in force.
    let now = Timestamp::now();
    let set = match newest(data_dir)? {
        Some(newest) if newest.set >= now => newest
            .set
            .checked_add(jiff::SignedDuration::from_nanos(1))
            .unwrap_or(newest.set),
        _ => now,
    };
    let body = ron::ser::to_string_pretty(&PlanFile { set, plan }, ron::ser::PrettyConfig::new())
        .expect("an exam plan always serialises");
    let text = format!(
        "// knead exam plan as this device set it; the plan set last on any device is in force.\n// `knead study --exam DATE` sets it, `knead study --exam none` cancels it.\n{body}\n"
    );
    write_atomically(
        &data_dir.join(DIR).join(format!("{device}.ron")),
        text.as_bytes(),
    )
}

const LEGACY_HELP: &str = "exam.ron only holds the exam date, its scope and the daily cap: correct it, or cancel the plan with `knead study --exam none` and set it again; no progress is lost";
const DEVICE_HELP: &str = "this file holds the exam plan as one device last set it (when, date, scope, daily cap): correct it, or delete it on the device it names, or set a plan again with `knead study --exam DATE`; no progress is lost";

fn read_text(path: &Path) -> Result<Option<String>, Error> {
    let bytes = crate::files::read_record(
        path,
        "holds your exam plan (the exam date, its decks and tags, the daily cap)",
        "the exam plan (set it again with `knead study --exam DATE`)",
    )?;
    Ok(bytes.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()))
}

fn parse_plan<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    help: &str,
) -> Result<T, Error> {
    ron::from_str(text).map_err(|e| {
        Error::DamagedProgress(
            Diagnostic::error(
                "K105",
                path.display().to_string(),
                format!("the exam plan is damaged: {}", e.code),
            )
            .with_mark(Mark::at_line_col(
                text,
                e.span.start.line,
                e.span.start.col,
                1,
                "damaged here",
            ))
            .with_help(help),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn plan_on(date: &str) -> ExamPlan {
        plan(date, DEFAULT_MAX_PER_DAY)
    }

    fn plan(date: &str, max_per_day: usize) -> ExamPlan {
        ExamPlan {
            date: day(date),
            scope: Scope::default(),
            max_per_day,
        }
    }

    fn learned(due: &str, last_reviewed: &str) -> ItemProgress {
        ItemProgress {
            repetitions: 3,
            interval_days: 20,
            easiness: 2.5,
            due: day(due),
            introduced: day("2026-09-01"),
            last_reviewed: day(last_reviewed),
            reviews: 3,
            lapses: 0,
            rev: 0,
            floor_reviews: 0,
        }
    }

    #[test]
    fn before_the_final_week_new_items_are_spread_over_the_days_left_before_it() {
        // Exam in 14 days: 7 days before the final week, 20 new items -> 3 a day.
        let plan = plan("2026-12-05", 10);
        let items = vec![None; 20];
        let day_plan = plan.day(&items, day("2026-11-21"));
        assert_eq!(day_plan.study, [0, 1, 2]);
        assert_eq!(day_plan.outlook.days_before_final_week, 7);
        assert!(day_plan.outlook.feasible);
        assert!(day_plan.outlook.problems().is_empty());
    }

    #[test]
    fn before_the_final_week_due_reviews_fill_the_cap_after_the_new_quota() {
        let plan = plan("2026-12-05", 4);
        let overdue = learned("2026-11-19", "2026-11-10");
        let due_today = learned("2026-11-21", "2026-11-15");
        let later = learned("2026-11-25", "2026-11-18");
        let items = vec![
            Some(&due_today),
            None,
            Some(&overdue),
            Some(&later),
            Some(&overdue),
            Some(&due_today),
        ];
        // One new item (ceil(1/7)), then three of the four due reviews, most overdue first.
        let study = plan.day(&items, day("2026-11-21")).study;
        assert_eq!(study, [2, 4, 0, 1]);
    }

    #[test]
    fn the_final_week_spreads_every_unseen_item_evenly_and_caps_repeats() {
        let plan = plan("2026-12-05", 5);
        let seen = learned("2026-11-29", "2026-11-28"); // seen this week, due again
        let unseen = learned("2026-12-20", "2026-11-01");
        let mut items = vec![Some(&unseen); 10];
        items.push(Some(&seen));
        items.push(None);
        // 2026-11-29: 6 days left in the final week, 11 items to see -> 2 today, then the
        // repeat due today within the cap.
        let day_plan = plan.day(&items, day("2026-11-29"));
        assert_eq!(day_plan.outlook.to_see, 11);
        assert_eq!(day_plan.outlook.needed_per_day, 2);
        assert_eq!(day_plan.study, [11, 0, 10]);
    }

    #[test]
    fn an_item_answered_in_the_final_week_before_the_plan_is_asked_again_if_due_after_it() {
        let plan = plan("2026-11-02", 1);
        let before_the_plan = learned("2026-11-07", "2026-10-31");
        let day_plan = plan.day(&[Some(&before_the_plan)], day("2026-11-01"));
        assert_eq!(day_plan.outlook.seen_in_final_week, 0);
        assert_eq!(day_plan.study, [0]);
    }

    #[test]
    fn answers_are_scheduled_no_later_than_the_plan_allows() {
        let plan = plan("2026-12-05", 5);
        let state = sm2::State {
            repetitions: 4,
            interval_days: 40,
            easiness: 2.5,
        };
        // Before the final week (it starts 2026-11-28): at most the item's day in it.
        let (shortened, due) = plan.schedule(9, day("2026-11-21"), state, day("2026-12-31"));
        assert_eq!(
            due,
            day("2026-11-30"),
            "position 9 -> the third day of the week"
        );
        assert_eq!(shortened.interval_days, 9);
        assert_eq!(shortened.easiness, 2.5);
        // A date already within the limit is kept.
        let kept = plan.schedule(9, day("2026-11-21"), state, day("2026-11-22"));
        assert_eq!(kept, (state, day("2026-11-22")));
        // Within the final week: at most the exam day.
        let (_, due) = plan.schedule(0, day("2026-12-02"), state, day("2027-01-11"));
        assert_eq!(due, day("2026-12-05"));
        // From the exam day on, SM-2 as it is.
        let after = plan.schedule(0, day("2026-12-05"), state, day("2027-01-14"));
        assert_eq!(after, (state, day("2027-01-14")));
    }

    #[test]
    fn a_cap_too_small_for_the_final_week_is_said_plainly() {
        let plan = plan("2026-11-30", 30);
        let items = vec![None; 312];
        let outlook = plan.day(&items, day("2026-11-21")).outlook;
        assert!(!outlook.feasible);
        assert_eq!(
            outlook.problems(),
            [
                "312 cards, 9 days, cap 30: not enough days. Every card is asked once in the final 7 days, which hold 210 at 30 a day, so 102 will not be asked; --max-per-day 45 fits them all.",
                "312 new cards, 2 days before the final week, cap 30: 252 will first be seen in the final week.",
            ]
        );
        assert!(plan.day(&items, day("2026-11-21")).study.len() <= 30);
    }

    #[test]
    fn exam_dates_are_after_today_and_within_five_years() {
        let today = day("2026-12-01");
        assert!(check_date(day("2031-12-01"), today).is_ok());
        assert!(matches!(
            check_date(day("2031-12-02"), today),
            Err(Error::ExamTooFar { latest, .. }) if latest == day("2031-12-01")
        ));
        assert!(matches!(
            check_date(day("9999-01-01"), today),
            Err(Error::ExamTooFar { .. })
        ));
        assert!(matches!(
            check_date(today, today),
            Err(Error::ExamNotAhead { .. })
        ));
    }

    #[test]
    fn a_plan_far_ahead_is_projected_over_a_year() {
        let plan = plan("9999-01-01", 200);
        let keys = [("d/a", 0), ("d/b", 0)];
        let loads = plan.expected_load(&keys, &ItemMap::default(), day("2026-12-01"));
        assert_eq!(loads.len(), EXAM_PROJECTION_DAYS);
        assert_eq!(
            loads[0].cards, 1,
            "two new cards over the days before the final week"
        );
        let near =
            plan_on("2026-12-20").expected_load(&keys, &ItemMap::default(), day("2026-12-01"));
        assert_eq!(near.len(), 19);
    }

    #[test]
    fn the_plan_survives_a_round_trip_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let me = DeviceId::parse("laptop").unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
        let plan = ExamPlan {
            date: day("2026-12-20"),
            scope: Scope {
                decks: vec!["autoimmune-conditions".into()],
                tags: vec!["lupus".into()],
            },
            max_per_day: 30,
        };
        save(dir.path(), &me, &plan).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(plan));
        let file = dir.path().join(DIR).join("laptop.ron");
        let text = fs::read_to_string(&file).unwrap();
        fs::write(&file, text.replace("max_per_day", "max_per_dya")).unwrap();
        let error = load(dir.path()).unwrap_err();
        assert!(
            matches!(&error, Error::DamagedProgress(d) if d.code == "K105" && d.location().contains("laptop.ron:")),
            "{error:?}"
        );
        fs::write(&file, text).unwrap();
        assert!(clear(dir.path(), &me).unwrap());
        assert_eq!(load(dir.path()).unwrap(), None);
        assert!(!clear(dir.path(), &me).unwrap());
    }

    #[test]
    fn the_plan_set_last_on_any_device_is_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let (laptop, lab) = (
            DeviceId::parse("laptop").unwrap(),
            DeviceId::parse("lab-pc").unwrap(),
        );
        let plan = |cap| ExamPlan {
            date: day("2026-12-20"),
            scope: Scope::default(),
            max_per_day: cap,
        };
        // An older knead's single file is read, as set when it was last modified.
        fs::write(
            dir.path().join(FILE),
            "(date: \"2026-12-20\", max_per_day: 10)",
        )
        .unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(plan(10)));
        save(dir.path(), &laptop, &plan(20)).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(plan(20)));
        // The lab PC's clock runs a day ahead: its plan is newer than anything set since...
        let ahead = Timestamp::now() + jiff::SignedDuration::from_hours(24);
        let lab_file = dir.path().join(DIR).join("lab-pc.ron");
        fs::write(
            &lab_file,
            format!("(set: \"{ahead}\", plan: Some((date: \"2026-12-20\", max_per_day: 30)))"),
        )
        .unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(plan(30)));
        // ...but a plan set afterwards on the laptop still wins, and only its own file changes.
        let lab_text = fs::read_to_string(&lab_file).unwrap();
        save(dir.path(), &laptop, &plan(40)).unwrap();
        assert_eq!(load(dir.path()).unwrap(), Some(plan(40)));
        assert!(clear(dir.path(), &lab).unwrap());
        assert_eq!(load(dir.path()).unwrap(), None);
        assert_ne!(fs::read_to_string(&lab_file).unwrap(), lab_text);
        // A sync tool's conflict copy is not a plan.
        fs::write(
            dir.path()
                .join(DIR)
                .join("laptop.sync-conflict-20261121-101010-ABC.ron"),
            "damaged",
        )
        .unwrap();
        assert_eq!(load(dir.path()).unwrap(), None);
    }

    /// A learner's state before the plan starts: each item new, or learned earlier.
    fn any_item(start: Date) -> impl Strategy<Value = Option<ItemProgress>> {
        prop::option::weighted(
            0.6,
            (
                0u32..8,
                1u32..300,
                130u32..300,
                1i64..200,
                0i64..100,
                0u32..4,
            )
                .prop_map(
                    move |(repetitions, interval_days, easiness, ago, earlier, lapses)| {
                        let last_reviewed = add_days(start, -ago);
                        ItemProgress {
                            repetitions,
                            interval_days,
                            easiness: f64::from(easiness) / 100.0,
                            due: add_days(last_reviewed, i64::from(interval_days)),
                            introduced: add_days(last_reviewed, -earlier),
                            last_reviewed,
                            reviews: repetitions + lapses + 1,
                            lapses,
                            rev: 0,
                            floor_reviews: 0,
                        }
                    },
                ),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Studying every day what the plan asks, with random grades, until the exam.
        #[test]
        fn following_the_plan_keeps_its_promises(
            (start, items) in (0i64..30).prop_flat_map(|offset| {
                let start = add_days(day("2026-11-01"), offset);
                (Just(start), prop::collection::vec(any_item(start), 0..60))
            }),
            exam_in in 1i64..45,
            max_per_day in 1usize..25,
            grades in prop::collection::vec(0u8..=5, 1..200),
        ) {
            let plan = ExamPlan { date: add_days(start, exam_in), scope: Scope::default(), max_per_day };
            let week_start = plan.final_week_start();
            let keys: Vec<String> = (0..items.len()).map(|n| format!("d/c{n}")).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let mut progress: ItemMap = items
                .iter()
                .zip(&keys)
                .filter_map(|(item, key)| item.clone().map(|p| ((*key).to_owned(), p)))
                .collect();

            // What the numbers say before the first day.
            let seen_before = items.iter().flatten().filter(|p| p.last_reviewed >= week_start && p.due <= plan.date).count();
            let to_see = items.len() - seen_before;
            let week_days = exam_in.min(FINAL_WEEK_DAYS) as usize;
            let feasible = to_see <= max_per_day * week_days;
            let before_days = (exam_in - FINAL_WEEK_DAYS).max(0) as usize;
            let new = items.iter().filter(|p| p.is_none()).count();
            let new_fits = before_days > 0 && new <= max_per_day * before_days;

            let mut grades = grades.iter().cycle();
            let mut today = start;
            while today < plan.date {
                let view: Vec<Option<&ItemProgress>> = keys.iter().map(|k| progress.get(*k)).collect();
                let day_plan = plan.day(&view, today);
                if today == start {
                    prop_assert_eq!(day_plan.outlook.feasible, feasible);
                    let said = day_plan.outlook.problems().iter().any(|p| p.contains("not enough days"));
                    prop_assert_eq!(said, !feasible, "{:?}", day_plan.outlook.problems());
                }
                prop_assert!(day_plan.study.len() <= max_per_day, "{} on {}", day_plan.study.len(), today);
                let mut distinct = day_plan.study.clone();
                distinct.sort_unstable();
                distinct.dedup();
                prop_assert_eq!(distinct.len(), day_plan.study.len());
                let entries: Vec<LogEntry> = day_plan.study.iter().map(|&position| {
                    let grade = Grade::try_from(*grades.next().unwrap()).unwrap();
                    plan.answer((keys[position], 0), position, view[position], today, grade)
                }).collect();
                for entry in &entries {
                    prop_assert!(entry.due > today && entry.due <= plan.date, "{:?}", entry);
                    prop_assert_eq!(entry.due, add_days(today, i64::from(entry.interval_days)));
                    store::apply(&mut progress, entry);
                }
                today = add_days(today, 1);
            }
            if feasible {
                for key in &keys {
                    let item = progress.get(*key);
                    prop_assert!(item.is_some_and(|p| p.last_reviewed >= week_start && p.due <= plan.date),
                        "{key}: {item:?}");
                }
            }
            if new_fits {
                for (key, item) in keys.iter().zip(&items) {
                    if item.is_none() {
                        prop_assert!(progress[*key].introduced < week_start, "{key} introduced late");
                    }
                }
            }
        }
    }
}
