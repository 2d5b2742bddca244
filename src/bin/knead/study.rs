//! `knead study`: asks today's cards and records every answer before showing the next.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use jiff::Timestamp;
use jiff::civil::Date;
use knead::collection::{self, Collection};
use knead::error::Error;
use knead::revision;
use knead::session::{Limits, Outcome, Question, Response, Session, Shown, Summary, auto_grade};
use knead::store::{Access, Store};

use crate::prompt::{LinePrompter, Prompter, Reply, TerminalPrompter};

pub struct StudyOptions {
    pub data_dir: PathBuf,
    pub today: Date,
    pub plain: bool,
    pub deck: Option<PathBuf>,
    pub limits: Limits,
    pub seed: Option<u64>,
}

/// Loads the decks and the progress (in parallel: they are independent and both take time with
/// large collections), then runs the session.
pub fn run(options: StudyOptions) -> Result<(), Error> {
    let (collection, opened) = std::thread::scope(|scope| {
        let decks = scope.spawn(|| load_collection(options.deck.as_deref(), &options.data_dir));
        let opened = Store::open(&options.data_dir, Access::Exclusive);
        (decks.join().expect("deck loading does not panic"), opened)
    });
    let (mut store, notices) = opened?;
    let collection = collection?;
    for notice in notices {
        eprintln!("note: {}", notice.0);
    }
    revision::bring_up_to_date(&collection, &mut store, options.today, Timestamp::now())?;
    for update in revision::deck_updates(&collection, &options.data_dir)? {
        println!("Updated: {update}");
    }
    let session = Session::new(
        collection,
        store,
        options.today,
        options.limits,
        options.seed,
    );
    let interactive = !options.plain && io::stdin().is_terminal() && io::stdout().is_terminal();
    if interactive {
        drive(session, TerminalPrompter)
    } else {
        drive(session, LinePrompter::new(io::stdin().lock(), io::stdout()))
    }
}

fn load_collection(deck: Option<&Path>, data_dir: &Path) -> Result<Collection, Error> {
    match deck {
        Some(path) => Collection::new(vec![collection::load_file(path, data_dir)?]),
        None => Collection::standard(data_dir),
    }
}

fn drive(session: Session, mut prompter: impl Prompter) -> Result<(), Error> {
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
