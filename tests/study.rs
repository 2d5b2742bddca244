//! The study loop end to end, through the real binary in plain mode, across simulated days.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{Plain, fixture, knead, without_input};
use serde_json::Value;

/// `knead study` on the mini fixture deck, in deck order (its critical card last).
fn mini_session(data_dir: &Path, today: &str) -> Command {
    let mut command = knead(data_dir, today);
    command
        .args(["study", "--seed", "1", "--new-order", "deck", "--deck"])
        .arg(fixture("mini.ron"));
    command
}

fn study_mini(data_dir: &Path, today: &str, extra: &[&str]) -> Plain {
    let mut command = mini_session(data_dir, today);
    command.args(extra);
    Plain::spawn(command)
}

/// Answers every card of the session correctly; returns the final output.
fn answer_all(mut session: Plain, cards: usize) -> String {
    for _ in 0..cards {
        session.answer_correctly();
    }
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    output
}

fn status(data_dir: &Path, today: &str) -> Value {
    let output = knead(data_dir, today)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn deck_status<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["decks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no deck {id} in {status}"))
}

fn install_mini(data_dir: &Path) {
    let output = knead(data_dir, "2026-11-21")
        .arg("add")
        .arg(fixture("mini.ron"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn each_day_shows_exactly_what_sm2_scheduled() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();

    // Day 1: six new items (the Cloze card has two deletions), all right.
    let out = answer_all(study_mini(data, "2026-11-21", &[]), 6);
    assert!(out.contains("Reviewed 6, correct 6 (100%)."), "{out}");
    assert!(out.contains("Due tomorrow: 6 cards."), "{out}");
    assert!(
        !out.contains("Next due"),
        "said once, as due tomorrow: {out}"
    );

    // Day 2: all six are due after one day; a second pass sets six days.
    let mut session = study_mini(data, "2026-11-22", &[]);
    let first = session.answer_correctly();
    assert!(
        first.contains("Card 1 of 6 (5 left) - Mini deck"),
        "{first}"
    );
    let out = answer_all(session, 5);
    assert!(
        out.contains("Next review: 2026-11-28 (in 6 days)."),
        "{out}"
    );

    // Day 3: nothing due, nothing new.
    let (code, out) = study_mini(data, "2026-11-23", &[]).finish();
    assert_eq!(code, 0);
    assert!(out.contains("Nothing is due today"), "{out}");
    assert!(
        out.contains("Due tomorrow: 0 cards. Next due: 2026-11-28 (6 cards)."),
        "{out}"
    );

    // Day 8 (a day late): all six, in deck order since they are equally overdue; limit 2.
    let mut session = study_mini(data, "2026-11-29", &["--reviews", "2"]);
    assert!(session.answer_correctly().contains("Front one"));
    assert!(session.answer_correctly().contains("Pick the right one"));
    let (code, out) = session.finish();
    assert_eq!(code, 0);
    assert!(out.contains("Reviewed 2, correct 2"), "{out}");
}

#[test]
fn cards_graded_below_four_come_back_without_rescheduling_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &["--new", "2"]);
    session.expect("Press Enter to show the answer");
    session.send("");
    session.expect("Answer: Back one");
    session.expect("Grade your recall");
    session.send("2");
    session.expect("This card comes back later in this session.");
    session.answer_correctly(); // the Choice card
    let again = session.expect_question();
    assert!(again.contains("Card 3 of 3 (0 left)"), "{again}");
    assert!(again.contains("again, to fix it in memory"), "{again}");
    session.send("");
    session.expect("Grade your recall");
    session.send("5");
    let (code, out) = session.finish();
    assert_eq!(code, 0);
    assert!(
        out.contains("Reviewed 2, correct 1 (50%), drilled again 1."),
        "{out}"
    );
    let log = common::journal(dir.path());
    assert_eq!(log.lines().count(), 3);
    assert_eq!(log.lines().filter(|l| l.contains("kind: Drill")).count(), 1);
}

#[test]
fn status_reports_per_deck_counts_and_reviews() {
    let dir = tempfile::tempdir().unwrap();
    install_mini(dir.path());
    let before = status(dir.path(), "2026-11-21");
    let mini = deck_status(&before, "mini");
    assert_eq!(
        (mini["cards"].as_u64(), mini["new"].as_u64()),
        (Some(6), Some(6))
    );

    // Studying the same file with --deck records progress under the installed deck's id.
    answer_all(study_mini(dir.path(), "2026-11-21", &["--new", "3"]), 3);

    let today = status(dir.path(), "2026-11-21");
    assert_eq!(today["reviews_total"], 3);
    assert_eq!(today["reviews_today"], 3);
    assert_eq!(today["today"], "2026-11-21");
    let mini = deck_status(&today, "mini");
    assert_eq!(
        (mini["new"].as_u64(), mini["learned"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(mini["due"], 0);
    let tomorrow = status(dir.path(), "2026-11-22");
    assert_eq!(tomorrow["reviews_today"], 0);
    assert_eq!(deck_status(&tomorrow, "mini")["due"], 3);

    let text = knead(dir.path(), "2026-11-22")
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Reviews: 3 in total, 0 today."), "{text}");
    assert!(text.lines().any(|l| l.starts_with("mini ")), "{text}");
    // The mini deck has 5 cards and 6 items (a Cloze card with two deletions); status counts
    // items, and says so with the header `knead decks` uses for them.
    let header = text.lines().find(|l| l.starts_with("DECK")).expect(&text);
    assert!(
        header.contains("ITEMS") && !header.contains("CARDS"),
        "{header}"
    );
}

#[test]
fn invalid_input_is_asked_again_and_q_saves_what_was_answered() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    session.answer_correctly();
    let card = session.expect_question();
    assert!(card.contains("Pick the right one"));
    session.send("banana");
    session.expect("Type a number from 1 to 3, or u to undo, q to quit.");
    session.send("0");
    session.expect("Type a number from 1 to 3, or u to undo, q to quit.");
    session.send("q");
    let (code, out) = session.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Session saved. Reviewed 1, correct 1"),
        "{out}"
    );
    let log = common::journal(dir.path());
    assert_eq!(log.lines().count(), 1, "only the answered card is recorded");
    assert!(common::snapshot_path(dir.path()).exists());
}

#[test]
fn a_second_session_on_the_same_data_is_refused_and_the_first_is_unharmed() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = study_mini(dir.path(), "2026-11-21", &[]);
    first.expect_question();

    let refused = |why: &str| {
        let second = without_input(mini_session(dir.path(), "2026-11-21"));
        let message = String::from_utf8(second.stderr).unwrap();
        assert_eq!(second.status.code(), Some(1), "{why}: {message}");
        assert!(
            message.contains(&format!(
                "another knead session (process {}) is using this data directory",
                first.child.id()
            )) || why != "locked",
            "{why}: {message}"
        );
        assert!(
            message.contains("another knead session"),
            "{why}: {message}"
        );
        assert!(message.contains("help:"), "{why}: {message}");
    };
    refused("locked");
    // The lock is on the journal itself: deleting or replacing the pid file lets no one in.
    let pid_file = common::local_path(dir.path()).join("knead.lock");
    fs::remove_file(&pid_file).unwrap();
    refused("lock file deleted");
    fs::write(&pid_file, "12345\n").unwrap();
    refused("lock file replaced");

    first.send("");
    first.expect("Grade your recall");
    first.send("5");
    first.expect("Next review");
    let (code, out) = first.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Reviewed 1, correct 1"), "{out}");
    assert_eq!(common::journal(dir.path()).lines().count(), 1);
}

#[test]
fn a_killed_session_keeps_every_answer_already_given() {
    let dir = tempfile::tempdir().unwrap();
    install_mini(dir.path());
    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    for _ in 0..3 {
        session.answer_correctly();
        session.expect("Next review");
    }
    session.child.kill().unwrap(); // SIGKILL: no handler runs, no snapshot is written
    session.child.wait().unwrap();

    assert!(!common::snapshot_path(dir.path()).exists());
    let log = common::journal(dir.path());
    assert_eq!(log.lines().count(), 3);
    let now = status(dir.path(), "2026-11-21");
    assert_eq!(deck_status(&now, "mini")["learned"], 3);

    // The next session picks up where the killed one stopped.
    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    let card = session.answer_correctly();
    assert!(card.contains("Card 1 of 3"), "{card}");
    assert!(
        card.contains("Steroids thin the [...] and cause bone loss."),
        "{card}"
    );
    session.finish();
}

#[test]
fn an_answer_torn_by_a_crash_is_removed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    answer_all(study_mini(dir.path(), "2026-11-21", &["--new", "2"]), 2);
    let log = common::journal_path(dir.path());
    let mut bytes = fs::read(&log).unwrap();
    let intact = bytes.len();
    bytes.extend_from_slice(
        b"(at: \"2026-11-21T12:00:00Z\", day: \"2026-11-21\", item: \"mini/t1\", ki",
    );
    fs::write(&log, bytes).unwrap();

    let output = without_input(mini_session(dir.path(), "2026-11-22"));
    assert!(output.status.success(), "{output:?}");
    let notes = String::from_utf8(output.stderr).unwrap();
    assert!(
        notes.contains("line 3 was an answer cut off by a crash"),
        "{notes}"
    );
    assert_eq!(fs::read(&log).unwrap().len(), intact);
}

#[test]
fn a_damaged_snapshot_is_set_aside_and_rebuilt_from_the_journal_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    answer_all(study_mini(dir.path(), "2026-11-21", &["--new", "1"]), 1);
    let before = status(dir.path(), "2026-11-22");
    let snapshot = common::snapshot_path(dir.path());
    let damaged = fs::read_to_string(&snapshot)
        .unwrap()
        .replace("easiness: 2.5", "easiness: 2..5");
    fs::write(&snapshot, &damaged).unwrap();

    // A report rebuilds from the journal and changes nothing.
    assert_eq!(status(dir.path(), "2026-11-22"), before);
    assert_eq!(fs::read_to_string(&snapshot).unwrap(), damaged);

    let mut command = knead(dir.path(), "2026-11-22");
    command.arg("study");
    let output = without_input(command);
    assert!(output.status.success(), "{output:?}");
    let message = String::from_utf8(output.stderr).unwrap();
    assert!(
        message.contains("progress.ron did not match the journals"),
        "{message}"
    );
    assert!(message.contains("no answer was lost"), "{message}");
    assert_eq!(status(dir.path(), "2026-11-22"), before, "nothing lost");
    let aside: Vec<String> = fs::read_dir(common::local_path(dir.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("progress.ron.bad-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        fs::read_to_string(common::local_path(dir.path()).join(&aside[0])).unwrap(),
        damaged,
        "set aside as it was"
    );
}

#[test]
fn edited_removed_and_returning_cards_keep_their_progress() {
    let dir = tempfile::tempdir().unwrap();
    let deck_file = dir.path().join("mini.ron");
    let original = fs::read_to_string(fixture("mini.ron")).unwrap();
    fs::write(&deck_file, &original).unwrap();
    let data = dir.path().join("data");
    let study = |today: &str| {
        let mut command = knead(&data, today);
        command
            .args(["study", "--seed", "2", "--deck"])
            .arg(&deck_file);
        Plain::spawn(command)
    };
    answer_all(study("2026-11-21"), 6);

    // The instructor rewords b1, removes t1 and adds a card.
    let edited = original
        .replace("Front one", "Front one, reworded")
        .replace(
            "        TrueFalse(id: \"t1\", statement: \"Fibromyalgia is an autoimmune disease.\", answer: false, why: \"Why tf\", source: \"Source tf\"),\n",
            "        Basic(id: \"b2\", front: \"Front two\", back: \"Back two\"),\n",
        );
    assert_ne!(edited, original);
    fs::write(&deck_file, &edited).unwrap();
    let mut session = study("2026-11-22");
    let first = session.answer_correctly();
    assert!(
        first.contains("Card 1 of 6"),
        "5 due reviews and 1 new: {first}"
    );
    assert!(first.contains("Front one, reworded"), "{first}");
    let out = answer_all(session, 5);
    assert!(
        !out.contains("Fibromyalgia"),
        "a removed card is not studied"
    );
    assert!(out.contains("Front two"));

    // t1 returns: its progress (due since 2026-11-22) comes back with it.
    fs::write(&deck_file, &original).unwrap();
    let mut session = study("2026-11-23");
    let card = session.answer_correctly();
    assert!(
        card.contains("Card 1 of 1") && card.contains("Fibromyalgia"),
        "{card}"
    );
    session.finish();
}

#[test]
fn global_options_work_before_or_after_the_subcommand_and_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_knead"));
    let output = common::hermetic(&mut command, common::TEST_DEVICE)
        .args(["study", "--deck"])
        .arg(fixture("mini.ron"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--plain", "--new", "1"])
        .env("KNEAD_TODAY", "2030-01-02")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("Card 1 of 1")
    );
    // The answer was never given (end of input), so nothing is due; but the day was 2030-01-02.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_knead"));
    let status = common::hermetic(&mut command, common::TEST_DEVICE)
        .args(["status", "--json"])
        .env("KNEAD_DATA_DIR", dir.path())
        .env("KNEAD_TODAY", "2030-01-02")
        .output()
        .unwrap();
    let status: Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["today"], "2030-01-02");
}

#[test]
fn an_interrupt_in_plain_mode_saves_and_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    session.answer_correctly();
    session.expect_question();
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &session.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = session.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let (_, out) = session.finish();
    assert!(
        out.contains(
            "Still due today: 5 new — run `knead` to continue.\nSession saved. Reviewed 1, correct 1"
        ),
        "{out}"
    );
    assert!(
        out.contains("Due tomorrow: 1 card.\nTime answering: ")
            && out.contains("Streak: 1 study day in a row."),
        "the whole summary: {out}"
    );
    assert!(
        common::snapshot_path(dir.path()).exists(),
        "the snapshot was written"
    );
}
