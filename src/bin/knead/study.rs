//! `knead study`: asks today's cards and records every answer before showing the next.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::Timestamp;
use jiff::civil::Date;
use knead::collection::{self, Collection, Scope};
use knead::error::Error;
use knead::exam::{self, ExamDay, ExamPlan};
use knead::session::{Limits, Outcome, Question, Response, Session, Shown, Summary, auto_grade};
use knead::store::{Access, Store};

use crate::prompt::{LinePrompter, Prompter, Reply, TerminalPrompter};

pub struct StudyOptions {
    pub data_dir: PathBuf,
    pub today: Date,
    pub plain: bool,
    /// Deck files to study without installing them (none: the bundled and installed decks).
    pub files: Vec<PathBuf>,
    pub scope: Scope,
    pub limits: Limits,
    pub seed: Option<u64>,
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

/// `--deck` values: deck files (a path to a `.ron` file) and deck ids (everything else).
pub fn files_and_ids(values: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let (files, ids): (Vec<&String>, Vec<&String>) = values.iter().partition(|value| {
        value.ends_with(".ron")
            || value.contains(std::path::MAIN_SEPARATOR)
            || Path::new(value).is_file()
    });
    (
        files.into_iter().map(PathBuf::from).collect(),
        ids.into_iter().cloned().collect(),
    )
}

/// Loads the decks and the progress (in parallel: they are independent and both take time with
/// large collections), then runs the session.
pub fn run(options: StudyOptions) -> Result<(), Error> {
    let (collection, opened) = std::thread::scope(|scope| {
        let decks = scope.spawn(|| load_collection(&options.files, &options.data_dir));
        let opened = Store::open(&options.data_dir, Access::Exclusive);
        (decks.join().expect("deck loading does not panic"), opened)
    });
    let (store, notices) = opened?;
    let collection = collection?;
    options.scope.check(&collection)?;
    for notice in notices {
        eprintln!("note: {}", notice.0);
    }
    let (exam_day, exam_notes) = exam_for_today(&options, &collection, &store)?;
    let mut session = Session::new(
        collection.scoped(&options.scope),
        store,
        options.today,
        options.limits,
        options.seed,
    );
    if let Some(exam_day) = exam_day {
        session.follow_exam(exam_day);
    }
    let interactive = !options.plain && io::stdin().is_terminal() && io::stdout().is_terminal();
    if interactive {
        drive(session, TerminalPrompter, &exam_notes)
    } else {
        let prompter = LinePrompter::new(io::stdin().lock(), io::stdout());
        drive(session, prompter, &exam_notes)
    }
}

fn load_collection(files: &[PathBuf], data_dir: &Path) -> Result<Collection, Error> {
    if files.is_empty() {
        return Collection::standard(data_dir);
    }
    let decks = files
        .iter()
        .map(|path| collection::load_file(path, data_dir))
        .collect::<Result<Vec<_>, _>>()?;
    Collection::new(decks)
}

/// Sets or cancels the exam plan as asked, then plans today from the plan in force (over the
/// whole collection, so the plan's quotas do not depend on this session's scope). Returns what
/// the learner should be told.
fn exam_for_today(
    options: &StudyOptions,
    collection: &Collection,
    store: &Store,
) -> Result<(Option<ExamDay>, Vec<String>), Error> {
    let (dir, today) = (&options.data_dir, options.today);
    let mut notes = Vec::new();
    match options.exam {
        Some(ExamDate::Cancel) => notes.push(if exam::clear(dir)? {
            "Exam plan cancelled: normal scheduling resumes.".to_owned()
        } else {
            "There was no exam plan to cancel.".to_owned()
        }),
        Some(ExamDate::On(date)) => {
            if date <= today {
                return Err(Error::ExamNotAhead { date, today });
            }
            let mut scope = options.scope.clone();
            if !options.files.is_empty() && scope.decks.is_empty() {
                // A deck file's cards are the exam's, also when studied from the bundled and
                // installed decks later.
                scope.decks = collection
                    .decks()
                    .iter()
                    .map(|d| d.deck.id.clone())
                    .collect();
            }
            let max_per_day = options.max_per_day.unwrap_or(exam::DEFAULT_MAX_PER_DAY);
            exam::save(
                dir,
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
        exam::clear(dir)?;
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

fn drive(session: Session, mut prompter: impl Prompter, notes: &[String]) -> Result<(), Error> {
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
                println!("\n{}", summary_text(&summary, session.today()));
                0
            }
            Err(error) => {
                eprintln!("error: {error}");
                1
            }
        };
        std::process::exit(code);
    });

    if session.lock().expect("not poisoned").position().total == 0 {
        prompter.say("Nothing is due today and no new cards are left within today's limits.");
    }
    loop {
        let Some(shown) = session.lock().expect("not poisoned").next_card() else {
            break;
        };
        prompter.say(&card_text(&shown));
        let started = Instant::now();
        let Reply::Answer((grade, correct)) = ask(&mut prompter, &shown.question) else {
            break;
        };
        let outcome = session.lock().expect("not poisoned").answer(
            grade,
            started.elapsed(),
            Timestamp::now(),
        )?;
        prompter.say(&feedback_text(&shown, correct, &outcome));
    }
    let mut session = session.lock().expect("not poisoned");
    let summary = session.finish()?;
    prompter.say(&summary_text(&summary, session.today()));
    Ok(())
}

/// Asks one question; returns the grade and, for auto-graded kinds, whether it was right.
fn ask(
    prompter: &mut impl Prompter,
    question: &Question,
) -> Reply<(knead::sm2::Grade, Option<bool>)> {
    let response = match question {
        Question::Recall { .. } => {
            if prompter.reveal() == Reply::Quit {
                return Reply::Quit;
            }
            prompter.say(&format!("Answer: {}", question.answer_text()));
            return prompter.grade().map(|g| (g, None));
        }
        Question::Choice { options, .. } => prompter.choose(options).map(Response::Option),
        Question::TrueFalse { .. } => prompter.true_false().map(Response::Bool),
        Question::Scenario { .. } => prompter.verdict().map(Response::Verdict),
    };
    let Reply::Answer(response) = response else {
        return Reply::Quit;
    };
    if question.is_correct(response) {
        prompter
            .ease()
            .map(|ease| (auto_grade(true, Some(ease)), Some(true)))
    } else {
        Reply::Answer((auto_grade(false, None), Some(false)))
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
    if outcome.again {
        lines.push("This card comes back later in this session.".to_owned());
    } else if !shown.drill {
        lines.push(format!(
            "Next review: {} (in {} day{}).",
            outcome.due,
            outcome.interval_days,
            if outcome.interval_days == 1 { "" } else { "s" }
        ));
    }
    lines.join("\n")
}

pub fn summary_text(summary: &Summary, today: Date) -> String {
    let mut text = format!(
        "Session saved. Reviewed {}, correct {}",
        summary.reviewed, summary.correct
    );
    if let Some(percent) =
        (summary.correct * 100 + summary.reviewed / 2).checked_div(summary.reviewed)
    {
        text.push_str(&format!(" ({percent}%)"));
    }
    if summary.drilled > 0 {
        text.push_str(&format!(", drilled again {}", summary.drilled));
    }
    text.push('.');
    match summary.next_due {
        Some((day, count)) => text.push_str(&format!(
            "\nNext due: {day} ({count} card{}{}).",
            if count == 1 { "" } else { "s" },
            if Some(day) == today.tomorrow().ok() {
                ", tomorrow"
            } else {
                ""
            }
        )),
        None => text.push_str("\nNext due: nothing scheduled yet."),
    }
    text
}
