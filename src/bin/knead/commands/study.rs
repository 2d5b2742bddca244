//! `knead study`: asks today's cards and records every answer before showing the next.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::{ArgGroup, Args};
use jiff::civil::Date;
use knead::error::Error;
use knead::store::{Access, ReviewKind, Store, Undone};
use knead::study::collection::{self, Collection, DeckRef, Scope};
use knead::study::exam::{self, ExamDay, ExamPlan};
use knead::study::history::LeechRule;
use knead::study::revision;
use knead::study::session::{
    self, Limits, Mode, Outcome, Question, Response, Session, Shown, Summary, auto_grade,
};

use crate::args::{LeechArgs, ScopeArgs};
use knead::text;

use crate::out;

use super::Context;
use crate::prompt::{LinePrompter, Prompter, Reply, TerminalPrompter};

#[derive(Args, Default)]
#[command(group(ArgGroup::new("unscheduled").args(["cram", "leeches"]).multiple(true)))]
pub struct StudyArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub leech: LeechArgs,
    /// New cards to introduce today at most [default: 20]
    #[arg(long, value_name = "N", conflicts_with = "unscheduled")]
    pub new: Option<usize>,
    /// Reviews to do today at most [default: 200]
    #[arg(long, value_name = "N", conflicts_with = "unscheduled")]
    pub reviews: Option<usize>,
    /// Review cards now whatever their schedule, weakest first, without changing it
    #[arg(long)]
    pub cram: bool,
    /// Drill only leeches (cards that keep slipping), critical first; like --cram, schedules
    /// do not change
    #[arg(long)]
    pub leeches: bool,
    /// With --cram or --leeches: ask at most N cards
    #[arg(long, value_name = "N", requires = "unscheduled")]
    pub max: Option<usize>,
    /// Seed for shuffling answer options (reproducible sessions)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Prepare for an exam on this date: every card in scope is seen in the final week and
    /// none is due after the exam; kept until the date (`none` cancels the plan)
    #[arg(long, value_name = "YYYY-MM-DD|none", value_parser = parse_exam_date, conflicts_with = "unscheduled")]
    pub exam: Option<ExamDate>,
    /// With --exam: cards a day at most [default: 200]
    #[arg(long, value_name = "N", requires = "exam", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_per_day: Option<u32>,
}

pub struct StudyOptions {
    pub data_dir: PathBuf,
    pub today: Date,
    pub plain: bool,
    /// `--deck` values; none means every deck.
    pub decks: Vec<DeckRef>,
    pub tags: Vec<String>,
    pub session: session::Options,
    pub exam: Option<ExamDate>,
    pub max_per_day: Option<usize>,
}

/// `--exam`: an exam date, or `none` to cancel the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExamDate {
    On(Date),
    Cancel,
}

pub fn parse_exam_date(text: &str) -> Result<ExamDate, String> {
    if text == "none" {
        return Ok(ExamDate::Cancel);
    }
    text.parse()
        .map(ExamDate::On)
        .map_err(|_| "expected a date as YYYY-MM-DD, or `none` to cancel the exam plan".into())
}

/// `knead study` (and `knead` alone): the day's reviews, then new cards; or cram, leeches, or
/// an exam plan.
pub fn run(context: &Context, args: StudyArgs) -> Result<(), Error> {
    if context.today_override.is_none() && !knead::day::clock_in_range() {
        return Err(Error::ClockOutOfRange);
    }
    let today = context.today();
    let defaults = Limits::default();
    let mode = if args.cram || args.leeches {
        Mode::Cram {
            max: args.max,
            leeches_only: args.leeches,
        }
    } else {
        Mode::Scheduled(Limits {
            new_per_day: args.new.unwrap_or(defaults.new_per_day),
            reviews_per_day: args.reviews.unwrap_or(defaults.reviews_per_day),
        })
    };
    study(StudyOptions {
        data_dir: context.data_dir.clone(),
        today,
        plain: context.plain,
        decks: args.scope.deck_refs(),
        tags: args.scope.tag,
        session: session::Options {
            mode,
            leech_rule: args.leech.rule(),
            seed: args.seed,
        },
        exam: args.exam,
        max_per_day: args.max_per_day.map(|n| n as usize),
    })
}

/// Loads the decks and the progress (in parallel: they are independent and both take time with
/// large collections), then runs the session.
fn study(options: StudyOptions) -> Result<(), Error> {
    let (selected, opened) = std::thread::scope(|scope| {
        let decks =
            scope.spawn(|| collection::select(&options.data_dir, &options.decks, &options.tags));
        let opened = Store::open(&options.data_dir, Access::Exclusive);
        (decks.join().expect("deck loading does not panic"), opened)
    });
    let (mut store, notices) = opened?;
    let (collection, scope) = selected?;
    super::remove::warn_skipped(&collection);
    for notice in notices {
        errln!("note: {}", notice.0);
    }
    revision::bring_up_to_date(&collection, &mut store, options.today, knead::day::now())?;
    let mut notes: Vec<String> =
        revision::deck_updates(&collection, &options.data_dir, store.local_dir())?
            .iter()
            .map(|update| format!("Updated: {update}"))
            .collect();
    let (exam_day, exam_notes) = exam_for_today(&options, &collection, &scope, &store)?;
    notes.extend(exam_notes);
    let empty = empty_text(options.session.mode, options.session.leech_rule);
    let mut session = Session::with_options(
        collection.scoped(&scope),
        store,
        options.today,
        options.session,
    );
    if let Some(exam_day) = exam_day {
        session.follow_exam(exam_day);
    }
    let interactive =
        !options.plain && io::stdin().is_terminal() && out::Stream::Stdout.is_terminal();
    if interactive {
        drive(session, TerminalPrompter::default(), &notes, &empty)
    } else {
        // Everything the plain prompter writes (cards, options, feedback) is deck text.
        let prompter = LinePrompter::new(io::stdin().lock(), out::stdout());
        drive(session, prompter, &notes, &empty)
    }
}

/// What an empty session says.
fn empty_text(mode: Mode, rule: LeechRule) -> String {
    match mode {
        Mode::Scheduled(_) => {
            "Nothing is due today and no new cards are left within today's limits.".into()
        }
        Mode::Cram {
            leeches_only: false,
            ..
        } => "No cards to cram: none is in the chosen decks and tags.".into(),
        Mode::Cram {
            leeches_only: true, ..
        } => format!(
            "No leeches: no card in scope has {} lapses or {} reviews in a row at the lowest easiness.",
            rule.lapses, rule.floor_reviews
        ),
    }
}

/// Sets or cancels the exam plan as asked, then plans today from the plan in force (over the
/// whole collection, so the plan's quotas do not depend on this session's scope). Returns what
/// the learner should be told.
fn exam_for_today(
    options: &StudyOptions,
    collection: &Collection,
    scope: &Scope,
    store: &Store,
) -> Result<(Option<ExamDay>, Vec<String>), Error> {
    let (dir, today) = (&options.data_dir, options.today);
    let device = store.device();
    let mut notes = Vec::new();
    match options.exam {
        Some(ExamDate::Cancel) => notes.push(if exam::clear(dir, device)? {
            "Exam plan cancelled: normal scheduling resumes.".to_owned()
        } else {
            "There was no exam plan to cancel.".to_owned()
        }),
        Some(ExamDate::On(date)) => {
            exam::check_date(date, today)?;
            // A deck file's cards stay the exam's when studied later from installed decks:
            // `select` names the deck of every file in the scope.
            let scope = scope.clone();
            let max_per_day = options.max_per_day.unwrap_or(exam::DEFAULT_MAX_PER_DAY);
            exam::save(
                dir,
                device,
                &ExamPlan {
                    date,
                    scope,
                    max_per_day,
                },
            )?;
        }
        None => {}
    }
    let Some(plan) = exam::load(dir)? else {
        return Ok((None, notes));
    };
    if today > plan.date {
        exam::clear(dir, device)?;
        notes.push(format!(
            "The exam on {} has passed: its plan is removed and normal scheduling resumes.",
            plan.date
        ));
        return Ok((None, notes));
    }
    if !plan.is_active(today) {
        notes.push(format!(
            "Exam day ({}): the plan asks nothing more; cards are due as SM-2 scheduled them. Good luck!",
            plan.date
        ));
        return Ok((None, notes));
    }
    let day = ExamDay::new(&plan, collection, store.items(), today);
    notes.push(day.outlook.summary());
    notes.extend(day.outlook.problems());
    notes.push(format!(
        "Today the plan asks {} card{} of its scope.",
        day.study.len(),
        if day.study.len() == 1 { "" } else { "s" }
    ));
    Ok((Some(day), notes))
}

fn drive(
    session: Session,
    mut prompter: impl Prompter,
    notes: &[String],
    empty: &str,
) -> Result<(), Error> {
    for note in notes {
        prompter.say(note);
    }
    let session = Arc::new(Mutex::new(session));
    // Ctrl-C outside a prompt (or in plain mode) ends the session like `q`. The handler waits
    // for the session lock, so it never cuts an answer's save short.
    let for_handler = Arc::clone(&session);
    let _ = ctrlc::set_handler(move || {
        let mut session = for_handler.lock().unwrap_or_else(|e| e.into_inner());
        let code = match session.finish() {
            Ok(summary) => {
                outln!("\n{}", summary_text(&summary, session.today()));
                0
            }
            Err(error) => {
                errln!("error: {error}");
                1
            }
        };
        std::process::exit(code);
    });

    if session.lock().expect("not poisoned").position().total == 0 {
        prompter.say(empty);
    }
    loop {
        let (shown, can_undo) = {
            let mut session = session.lock().expect("not poisoned");
            let Some(shown) = session.next_card() else {
                break;
            };
            (shown, session.can_undo())
        };
        prompter.offer_undo(can_undo);
        prompter.say(&card_text(&shown));
        let started = Instant::now();
        match ask(&mut prompter, &shown.question) {
            Reply::Quit => break,
            Reply::Undo => match session.lock().expect("not poisoned").undo()? {
                Some(undone) => prompter.say(&format!("\n{}", undone_text(&undone))),
                None => prompter.say(
                    "Nothing to undo in this session yet (`knead undo` steps back through earlier ones).",
                ),
            },
            Reply::Answer((grade, correct, response)) => {
                let outcome = session.lock().expect("not poisoned").answer_with(
                    grade,
                    response,
                    started.elapsed(),
                    knead::day::now(),
                )?;
                prompter.say(&feedback_text(&shown, correct, &outcome));
            }
        }
    }
    let mut session = session.lock().expect("not poisoned");
    let summary = session.finish()?;
    prompter.say(&summary_text(&summary, session.today()));
    Ok(())
}

/// Asks one question; returns the grade and, for auto-graded kinds, whether it was right and
/// what was chosen.
fn ask(
    prompter: &mut impl Prompter,
    question: &Question,
) -> Reply<(knead::sm2::Grade, Option<bool>, Option<Response>)> {
    let response = match question {
        Question::Recall { .. } => {
            match prompter.reveal() {
                Reply::Answer(()) => {}
                Reply::Undo => return Reply::Undo,
                Reply::Quit => return Reply::Quit,
            }
            prompter.say(&format!("Answer: {}", question.answer_text()));
            return prompter.grade().map(|g| (g, None, None));
        }
        Question::Choice { options, .. } => prompter.choose(options).map(Response::Option),
        Question::TrueFalse { .. } => prompter.true_false().map(Response::Bool),
        Question::Scenario { .. } => prompter.verdict().map(Response::Verdict),
    };
    let response = match response {
        Reply::Answer(response) => response,
        Reply::Undo => return Reply::Undo,
        Reply::Quit => return Reply::Quit,
    };
    if question.is_correct(response) {
        prompter
            .ease()
            .map(|ease| (auto_grade(true, Some(ease)), Some(true), Some(response)))
    } else {
        Reply::Answer((auto_grade(false, None), Some(false), Some(response)))
    }
}

fn card_text(shown: &Shown) -> String {
    let position = shown.position;
    let mut text = format!(
        "\nCard {} of {} ({} left) - {}",
        position.number, position.total, position.left, shown.deck_title
    );
    if shown.drill {
        text.push_str(" - again, to fix it in memory (does not change its schedule)");
    } else if shown.cram {
        text.push_str(" - cram (does not change its schedule)");
    }
    if shown.critical {
        text.push_str("\nSAFETY-CRITICAL");
    }
    match &shown.question {
        Question::Recall { prompt, .. } => text.push_str(&format!("\n{prompt}")),
        Question::Choice { prompt, .. } => text.push_str(&format!("\n{prompt}")),
        Question::TrueFalse { statement, .. } => {
            text.push_str(&format!("\nTrue or false: {statement}"))
        }
        Question::Scenario {
            client, technique, ..
        } => text.push_str(&format!(
            "\nClient: {client}\nTechnique: {technique}\nWhich verdict applies?"
        )),
    }
    text
}

fn feedback_text(shown: &Shown, correct: Option<bool>, outcome: &Outcome) -> String {
    let mut lines = Vec::new();
    match correct {
        Some(true) => lines.push("Correct.".to_owned()),
        Some(false) => lines.push(format!(
            "Not quite. The answer: {}",
            shown.question.answer_text()
        )),
        None => {}
    }
    if correct == Some(true) {
        lines.push(format!("Answer: {}", shown.question.answer_text()));
    }
    if let Question::Recall {
        full_text: Some(full),
        ..
    } = &shown.question
    {
        lines.push(format!("Full text: {full}"));
    }
    if let Some(why) = &shown.why {
        lines.push(format!("Why: {why}"));
    }
    if let Some(source) = &shown.source {
        lines.push(format!("Source: {source}"));
    }
    if outcome.leech {
        lines.push(LEECH_NOTICE.to_owned());
    }
    if outcome.again {
        lines.push("This card comes back later in this session.".to_owned());
    } else if outcome.rescheduled {
        lines.push(format!(
            "Next review: {} (in {}).",
            outcome.due,
            text::count(outcome.interval_days as usize, "day")
        ));
    } else if shown.cram && !shown.drill {
        lines.push("Its schedule is unchanged.".to_owned());
    }
    lines.join("\n")
}

/// Said when a card is or becomes a leech.
pub const LEECH_NOTICE: &str =
    "This card keeps slipping: read the why, or tell your instructor the wording is unclear.";

/// What an undo took back and what it restored.
pub fn undone_text(undone: &Undone) -> String {
    let entry = &undone.entry;
    match entry.kind {
        ReviewKind::Anki(_) => {
            return format!(
                "Undone: a review of {} on {} imported from Anki; it had not changed the card's schedule.",
                entry.item, entry.day
            );
        }
        ReviewKind::AnkiSchedule(_) => {
            return format!(
                "Undone: the schedule of {} imported from Anki (importing again brings it back).",
                entry.item
            );
        }
        _ => {}
    }
    let at = entry.at.to_zoned(knead::day::zone()).strftime("%H:%M");
    let kind = match entry.kind {
        ReviewKind::Drill => "drill",
        ReviewKind::Cram => "cram answer",
        _ => "review",
    };
    let mut text = format!(
        "Undone: your {kind} of {} on {} at {at}, grade {}.",
        entry.item, entry.day, entry.grade
    );
    match (&undone.restored, entry.kind) {
        (_, ReviewKind::Drill | ReviewKind::Cram) => {
            text.push_str("\nIt had not changed the card's schedule; nothing else changes.")
        }
        (None, _) => text.push_str("\nThe card is new again (never reviewed)."),
        (Some(progress), _) => text.push_str(&format!(
            "\nSchedule restored: due {}, interval {}, easiness {:.2}, {}, {}.",
            progress.due,
            text::count(progress.interval_days as usize, "day"),
            progress.easiness,
            text::count(progress.reviews as usize, "review"),
            text::count(progress.lapses as usize, "lapse"),
        )),
    }
    text
}

pub fn summary_text(summary: &Summary, today: Date) -> String {
    let mut text = format!(
        "Session saved. {} {}, correct {}",
        if summary.cram { "Crammed" } else { "Reviewed" },
        summary.reviewed,
        summary.correct
    );
    if summary.reviewed > 0 {
        let percent = text::percent(summary.correct as u64, summary.reviewed as u64);
        text.push_str(&format!(" ({percent})"));
    }
    if summary.drilled > 0 {
        text.push_str(&format!(", drilled again {}", summary.drilled));
    }
    if summary.cram {
        text.push_str("; no schedule changed");
    }
    text.push('.');
    match summary.next_due {
        Some((day, count)) => text.push_str(&format!(
            "\nNext due: {day} ({}{}).",
            text::count(count, "card"),
            if Some(day) == today.tomorrow().ok() {
                ", tomorrow"
            } else {
                ""
            }
        )),
        None => text.push_str("\nNext due: nothing scheduled yet."),
    }
    text.push_str(&format!(
        "\nDue tomorrow: {}.",
        text::count(summary.due_tomorrow, "card")
    ));
    text.push_str(&format!(
        "\nTime answering: {}.",
        text::duration(summary.time)
    ));
    text.push_str(&format!("\nLeeches met: {}", summary.leeches_met));
    if summary.leeches_met > 0 {
        text.push_str(" (`knead study --leeches` drills them)");
    }
    text.push('.');
    text.push_str(&format!(
        "\nStreak: {} in a row.",
        text::count(summary.streak as usize, "study day")
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn summary(reviewed: usize, correct: usize) -> Summary {
        Summary {
            cram: false,
            reviewed,
            correct,
            drilled: 0,
            time: Duration::from_secs(0),
            leeches_met: 0,
            next_due: None,
            due_tomorrow: 0,
            streak: 1,
        }
    }

    /// The summary rates a session the way `knead stats` does: one miss in 200 is not a
    /// perfect record.
    #[test]
    fn the_summary_never_rounds_a_miss_to_100_percent() {
        let today: Date = "2026-12-02".parse().unwrap();
        assert!(summary_text(&summary(200, 199), today).contains("correct 199 (99%)"));
        assert!(summary_text(&summary(300, 1), today).contains("correct 1 (1%)"));
        assert!(summary_text(&summary(4, 4), today).contains("correct 4 (100%)"));
        assert!(!summary_text(&summary(0, 0), today).contains('%'));
    }
}
