//! `knead study`: asks today's cards and records every answer before showing the next.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::{ArgGroup, Args};
use jiff::civil::Date;
use knead::error::Error;
use knead::sm2::Grade;
use knead::store::{Access, ReviewKind, Store, Undone};
use knead::study::collection::{self, Collection, DeckRef, Scope};
use knead::study::exam::{self, ExamDay, ExamPlan};
use knead::study::history::LeechRule;
use knead::study::revision;
use knead::study::session::{
    self, DayCounts, Limits, Mode, NewOrder, Outcome, Question, Response, Session, Shown, Summary,
    auto_grade,
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
    /// Order of new cards: `interleaved` (safety-critical first, then the decks in turn) or
    /// `deck` (deck after deck)
    #[arg(long, value_name = "ORDER", value_enum, default_value_t = NewOrderArg::Interleaved)]
    pub new_order: NewOrderArg,
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

/// `--new-order`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum NewOrderArg {
    #[default]
    Interleaved,
    Deck,
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
    /// `--today` naming another day than the clock's: studying as if it were that day.
    pub as_if: Option<Date>,
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
            new_order: match args.new_order {
                NewOrderArg::Interleaved => NewOrder::Interleaved,
                NewOrderArg::Deck => NewOrder::Deck,
            },
            // Read from the journal once the store is open.
            done_today: None,
            day_by_clock: context.today_override.is_none(),
        },
        exam: args.exam,
        max_per_day: args.max_per_day.map(|n| n as usize),
        as_if: context
            .today_override
            .filter(|&day| day != knead::day::today()),
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
    let mut notes: Vec<String> = options
        .as_if
        .map(|day| format!("Studying as if it were {day}: answers are saved."))
        .into_iter()
        .collect();
    notes.extend(
        revision::deck_updates(&collection, &options.data_dir, store.local_dir())?
            .iter()
            .map(|update| format!("Updated: {update}")),
    );
    let mut session_options = options.session;
    if matches!(session_options.mode, Mode::Scheduled(_)) {
        // From the day's answers: a card answered today and again as another day still counts.
        session_options.done_today = Some(DayCounts::from_journal(&store, options.today)?);
    }
    let cram = matches!(options.session.mode, Mode::Cram { .. });
    let (exam_day, exam_notes) = if cram {
        (None, plan_set_aside(&options)?)
    } else {
        exam_for_today(&options, &collection, &scope, &store)?
    };
    notes.extend(exam_notes);
    // A plan set earlier meets a session narrowed now: both count.
    let narrowed =
        options.exam.is_none() && (!options.decks.is_empty() || !options.tags.is_empty());
    let empty = empty_text(session_options.mode, session_options.leech_rule);
    let mut session = Session::with_options(
        collection.scoped(&scope),
        store,
        options.today,
        session_options,
    );
    if let Some(exam_day) = exam_day {
        if narrowed {
            let date = exam_day.outlook.date;
            let (planned, added) = session.follow_exam_within_scope(exam_day);
            notes.push(format!(
                "Your exam plan ({date}) and the decks and tags you chose combine: {} of the plan's cards for today {} in this choice, then {} more of its due and new {}; every answer still lands before the exam.",
                planned,
                if planned == 1 { "is" } else { "are" },
                added,
                if added == 1 { "card" } else { "cards" },
            ));
        } else {
            session.follow_exam(exam_day);
        }
    }
    let resumed = session.resume_drills()?;
    if resumed > 0 {
        notes.push(format!(
            "{} from your earlier session today {} back for another drill.",
            text::count(resumed, "card"),
            if resumed == 1 { "comes" } else { "come" }
        ));
    }
    let interactive =
        !options.plain && io::stdin().is_terminal() && out::Stream::Stdout.is_terminal();
    let width = out::width(None);
    if interactive {
        let rows = terminal_size::terminal_size().map(|(_, rows)| rows.0);
        drive(session, TerminalPrompter::new(width, rows), &notes, &empty)
    } else {
        // Everything the plain prompter writes (cards, options, feedback) is deck text.
        let prompter = LinePrompter::new(io::stdin().lock(), out::stdout(), width);
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

/// Cram and leech sessions change no schedule, so an exam plan has nothing to decide there:
/// they ask their own cards, and say so when a plan is in force.
fn plan_set_aside(options: &StudyOptions) -> Result<Vec<String>, Error> {
    Ok(match exam::load(&options.data_dir)? {
        Some(plan) if options.today <= plan.date => vec![format!(
            "Your exam plan ({}) is set aside for this session: it changes no schedule, so every card in scope can be asked.",
            plan.date
        )],
        _ => Vec::new(),
    })
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
    // Set while a right answer waits for its ease: when the card was shown. Taken (cleared)
    // only with the session locked, so the answer is recorded once, here or by the handler.
    let judged_right: Arc<Mutex<Option<Instant>>> = Arc::default();
    // Ctrl-C outside a prompt (or in plain mode) ends the session like `q`. The handler waits
    // for the session lock, so it never cuts an answer's save short.
    let for_handler = Arc::clone(&session);
    let judged_for_handler = Arc::clone(&judged_right);
    let _ = ctrlc::set_handler(move || {
        let mut session = for_handler.lock().unwrap_or_else(|e| e.into_inner());
        let judged = judged_for_handler
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(started) = judged {
            let grade = auto_grade(true, None);
            match session.answer(grade, started.elapsed(), knead::day::now()) {
                Ok(_) => outln!(
                    "\n{}",
                    text::wrap_block(&right_answer_kept(), out::width(None))
                ),
                Err(error) => errln!("error: {error}"),
            }
        }
        let code = match session.finish() {
            Ok(summary) => {
                let text = summary_text(&summary, session.today());
                outln!("\n{}", text::wrap_block(&text, out::width(None)));
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
        let judged = || *judged_right.lock().expect("not poisoned") = Some(started);
        let asked = ask(&mut prompter, &shown, judged);
        let mut locked = session.lock().expect("not poisoned");
        judged_right.lock().expect("not poisoned").take();
        match asked {
            Asked::Quit => break,
            Asked::Undo => match locked.undo()? {
                Some(undone) => prompter.say(&format!("\n{}", undone_text(&undone))),
                None => prompter.say(
                    "Nothing to undo in this session yet (`knead undo` steps back through earlier ones).",
                ),
            },
            Asked::Graded {
                grade,
                correct,
                response,
                then_quit,
            } => {
                let outcome =
                    locked.answer_with(grade, response, started.elapsed(), knead::day::now())?;
                prompter.say(&feedback_text(&shown, correct, &outcome, locked.today()));
                if then_quit {
                    prompter.say(&right_answer_kept());
                    break;
                }
            }
        }
    }
    let mut session = session.lock().expect("not poisoned");
    let summary = session.finish()?;
    prompter.say(&summary_text(&summary, session.today()));
    Ok(())
}

/// Said when the learner quits at the ease question: the right answer is not lost.
fn right_answer_kept() -> String {
    format!(
        "Your right answer is saved with grade {}, as if you had pressed Enter.",
        session::DEFAULT_EASE
    )
}

/// What the learner did with a card.
enum Asked {
    /// A grade to record; for auto-graded kinds, whether the answer was right. `then_quit`:
    /// the learner quit at the ease question after a right answer, which is saved all the same.
    /// `response`: what was chosen on an auto-graded kind (class reports record it).
    Graded {
        grade: Grade,
        correct: Option<bool>,
        response: Option<Response>,
        then_quit: bool,
    },
    Undo,
    Quit,
}

/// Asks one question. A right answer is asked how easy it was, except in a drill or a cram
/// session (their grade changes no schedule); quitting there keeps the right answer with
/// the default grade.
fn ask(prompter: &mut impl Prompter, shown: &Shown, judged_right: impl FnOnce()) -> Asked {
    let question = &shown.question;
    let graded = |grade, correct, response| Asked::Graded {
        grade,
        correct,
        response,
        then_quit: false,
    };
    let response = match question {
        Question::Recall { prompt, .. } => {
            match prompter.reveal() {
                Reply::Answer(()) => {}
                Reply::Undo => return Asked::Undo,
                Reply::Quit => return Asked::Quit,
            }
            prompter.say(&format!("Answer: {}", question.answer_text()));
            prompter.restate(prompt);
            return match prompter.grade() {
                Reply::Answer(grade) => graded(grade, None, None),
                Reply::Undo => Asked::Undo,
                Reply::Quit => Asked::Quit,
            };
        }
        Question::Choice { options, .. } => prompter.choose(options).map(Response::Option),
        Question::TrueFalse { .. } => prompter.true_false().map(Response::Bool),
        Question::Scenario { .. } => prompter.verdict().map(Response::Verdict),
    };
    let response = match response {
        Reply::Answer(response) => response,
        Reply::Undo => return Asked::Undo,
        Reply::Quit => return Asked::Quit,
    };
    if !question.is_correct(response) {
        return graded(auto_grade(false, None), Some(false), Some(response));
    }
    if shown.drill || shown.cram {
        return graded(auto_grade(true, None), Some(true), Some(response));
    }
    judged_right();
    prompter.restate(&question_line(question));
    match prompter.ease() {
        Reply::Answer(ease) => graded(auto_grade(true, Some(ease)), Some(true), Some(response)),
        Reply::Undo => Asked::Undo,
        Reply::Quit => Asked::Graded {
            grade: auto_grade(true, None),
            correct: Some(true),
            response: Some(response),
            then_quit: true,
        },
    }
}

/// The question in one line, to restate it above a list.
fn question_line(question: &Question) -> String {
    match question {
        Question::Recall { prompt, .. } | Question::Choice { prompt, .. } => prompt.clone(),
        Question::TrueFalse { statement, .. } => format!("True or false: {statement}"),
        Question::Scenario {
            client, technique, ..
        } => format!("{client} / {technique}"),
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

/// When a card left for today is next asked: "tomorrow", or "on DATE" when later.
fn when_due(due: Date, today: Date) -> String {
    match today.tomorrow() {
        Ok(tomorrow) if due > tomorrow => format!("on {due}, when it is next due"),
        _ => "tomorrow".to_owned(),
    }
}

fn feedback_text(shown: &Shown, correct: Option<bool>, outcome: &Outcome, today: Date) -> String {
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
    } else if outcome.drills_used_up {
        lines.push(format!(
            "That makes {} today: it is not asked again today and comes back {}.",
            text::count(session::MAX_DRILLS_PER_DAY as usize, "drill"),
            when_due(outcome.due, today)
        ));
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

/// New cards `--new` suggests when the day is done: today's plus this many more.
const MORE_NEW_CARDS: usize = 10;

pub fn summary_text(summary: &Summary, today: Date) -> String {
    let mut lines = Vec::new();
    let still = summary.still_due;
    if !still.is_empty() {
        let mut parts = Vec::new();
        if still.reviews > 0 {
            parts.push(text::count(still.reviews, "review"));
        }
        if still.new > 0 {
            parts.push(format!("{} new", still.new));
        }
        if still.drills > 0 {
            parts.push(text::count(still.drills, "drill"));
        }
        lines.push(format!(
            "Still due today: {} — run `knead` to continue.",
            parts.join(", ")
        ));
    }
    let mut saved = format!(
        "Session saved. {} {}, correct {}",
        if summary.cram { "Crammed" } else { "Reviewed" },
        summary.reviewed,
        summary.correct
    );
    if summary.reviewed > 0 {
        let percent = text::percent(summary.correct as u64, summary.reviewed as u64);
        saved.push_str(&format!(" ({percent})"));
    }
    if summary.drilled > 0 {
        saved.push_str(&format!(", drilled again {}", summary.drilled));
    }
    if summary.cram {
        saved.push_str("; no schedule changed");
    }
    saved.push('.');
    lines.push(saved);
    // "Due tomorrow" counts everything due by then; "Next due" is said only when that is
    // later, so the two never disagree.
    let tomorrow = today.tomorrow().ok();
    match summary.next_due {
        _ if summary.due_tomorrow > 0 => {
            let mut line = format!(
                "Due tomorrow: {}",
                text::count(summary.due_tomorrow, "card")
            );
            if still.reviews > 0 && !summary.cram {
                line.push_str(&format!(
                    ", today's {} left over included",
                    text::count(still.reviews, "review")
                ));
            }
            line.push('.');
            lines.push(line);
        }
        Some((day, count)) if Some(day) != tomorrow => lines.push(format!(
            "Due tomorrow: 0 cards. Next due: {day} ({}).",
            text::count(count, "card")
        )),
        _ => lines.push("Due tomorrow: 0 cards. Nothing is scheduled yet.".to_owned()),
    }
    lines.push(format!("Time answering: {}.", text::duration(summary.time)));
    let mut leeches = format!("Leeches met: {}", summary.leeches_met);
    if summary.leeches_met > 0 {
        leeches.push_str(" (`knead study --leeches` drills them)");
    }
    leeches.push('.');
    lines.push(leeches);
    lines.push(format!(
        "Streak: {} in a row.",
        text::count(summary.streak as usize, "study day")
    ));
    if still.is_empty() {
        lines.push(match summary.new_waiting {
            0 => "Nothing more is due today. To practise anyway: `knead study --cram` (no schedule changes).".to_owned(),
            waiting => format!(
                "Nothing more is due today. For more: `knead study --new {}` ({} waiting), or `knead study --cram` (no schedule changes).",
                summary.new_today + waiting.min(MORE_NEW_CARDS),
                text::count(waiting, "new card"),
            ),
        });
    }
    lines.join("\n")
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
            still_due: Default::default(),
            new_waiting: 0,
            new_today: 0,
            streak: 1,
        }
    }

    #[test]
    fn the_summary_says_first_what_is_still_due_and_never_repeats_the_next_due_day() {
        let today: Date = "2026-12-08".parse().unwrap();
        let quit_early = Summary {
            still_due: session::StillDue {
                reviews: 18,
                new: 19,
                drills: 0,
            },
            next_due: Some(("2026-12-09".parse().unwrap(), 1)),
            due_tomorrow: 19,
            ..summary(1, 1)
        };
        let text = summary_text(&quit_early, today);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Still due today: 18 reviews, 19 new — run `knead` to continue."
        );
        assert_eq!(
            lines[2],
            "Due tomorrow: 19 cards, today's 18 reviews left over included."
        );
        assert!(!text.contains("Next due"), "{text}");
        assert!(!text.contains("--new"), "{text}");

        let later = Summary {
            next_due: Some(("2026-12-14".parse().unwrap(), 3)),
            new_waiting: 25,
            new_today: 20,
            ..summary(4, 4)
        };
        let text = summary_text(&later, today);
        assert!(text.starts_with("Session saved."), "{text}");
        assert!(
            text.contains("\nDue tomorrow: 0 cards. Next due: 2026-12-14 (3 cards).\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Nothing more is due today. For more: `knead study --new 30` (25 new cards waiting), or `knead study --cram` (no schedule changes)."
            ),
            "{text}"
        );
        let all_met = summary_text(&summary(4, 4), today);
        assert!(all_met.contains("Nothing is scheduled yet."), "{all_met}");
        assert!(
            all_met.ends_with("To practise anyway: `knead study --cram` (no schedule changes)."),
            "{all_met}"
        );
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
