//! A learner's control over study, through the real binary in plain mode across simulated
//! days: undo (in a session and `knead undo`), cram, leeches, `--deck`/`--tag` scopes, and the
//! end-of-session summary.

mod common;

use knead::store::ItemMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Plain, fixture, knead, without_input};
use knead::store::Access;

/// A deck of `cards` Basic cards (`Q0`/`A0`, ...), the even ones tagged `even`, in `dir`.
fn basic_deck(dir: &Path, cards: usize) -> PathBuf {
    let cards: String = (0..cards)
        .map(|n| {
            let tags = if n % 2 == 0 { r#"["even"]"# } else { "[]" };
            format!("    Basic(id: \"q{n}\", front: \"Q{n}\", back: \"A{n}\", tags: {tags}),\n")
        })
        .collect();
    let path = dir.join("basic.ron");
    fs::write(
        &path,
        format!("Deck(id: \"basic\", title: \"Basic deck\", cards: [\n{cards}])\n"),
    )
    .unwrap();
    path
}

fn study(data_dir: &Path, today: &str, args: &[&str]) -> Plain {
    let mut command = knead(data_dir, today);
    // In deck order: the tests follow the fixtures' card order.
    command
        .args(["study", "--seed", "1", "--new-order", "deck"])
        .args(args);
    Plain::spawn(command)
}

/// Answers every card of a session of recall cards with `grade(front, drill)`; returns the
/// number of answers and the whole output.
fn answer_recall(mut session: Plain, grade: impl Fn(&str, bool) -> u8) -> (usize, String) {
    let mut answers = 0;
    loop {
        let card = session.expect_question();
        let drill = card.contains("again, to fix it in memory");
        let front = card
            .lines()
            .find(|l| l.starts_with('Q'))
            .expect("a question line")
            .to_owned();
        session.send("");
        session.expect("Grade your recall");
        let given = grade(&front, drill);
        session.send(&given.to_string());
        answers += 1;
        if card.contains("(0 left)") && given >= 4 {
            break;
        }
    }
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    (answers, output)
}

/// Grades by card number: 5, 4, 3, 2, 0 in turn; drills 5.
fn mixed_grades(front: &str, drill: bool) -> u8 {
    if drill {
        return 5;
    }
    let n: usize = front[1..].parse().unwrap();
    [5, 4, 3, 2, 0][n % 5]
}

fn items(data_dir: &Path) -> ItemMap {
    common::open_store(data_dir, Access::ReadOnly)
        .0
        .items()
        .clone()
}

fn log_lines(data_dir: &Path) -> Vec<String> {
    fs::read_to_string(common::journal_path(data_dir))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn run(mut command: Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn undo(data_dir: &Path, today: &str) -> (i32, String, String) {
    let mut command = knead(data_dir, today);
    command.arg("undo");
    run(command)
}

#[test]
fn knead_undo_steps_back_through_many_answers_across_days_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let deck = basic_deck(dir.path(), 30);
    let data = dir.path().join("data");
    let deck_arg = deck.to_str().unwrap();

    let (day_one, out) = answer_recall(
        study(&data, "2026-11-21", &["--deck", deck_arg]),
        mixed_grades,
    );
    assert!(out.contains("Streak: 1 study day in a row."), "{out}");
    let (day_two, out) = answer_recall(
        study(
            &data,
            "2026-11-22",
            &["--deck", deck_arg, "--new", "5", "--reviews", "10"],
        ),
        mixed_grades,
    );
    assert!(out.contains("Streak: 2 study days in a row."), "{out}");
    let log = log_lines(&data);
    assert_eq!(log.len(), day_one + day_two);
    assert!(
        day_two < 35 && log.len() > 35,
        "the undos reach into day one"
    );

    // 35 undos, each its own process; the day of the undo does not matter.
    let mut seen = [0; 3];
    for step in 1..=35 {
        let (code, out, err) = undo(&data, "2026-11-23");
        assert_eq!(code, 0, "{err}");
        let undone = &log[log.len() - step];
        let item = undone
            .split("item: \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        let day = if step <= day_two {
            "2026-11-22"
        } else {
            "2026-11-21"
        };
        assert!(
            out.starts_with("Undone: your ") && out.contains(&format!("of {item} on {day} at ")),
            "step {step}: {out}"
        );
        let reviewed_before = log[..log.len() - step]
            .iter()
            .any(|l| l.contains(&format!("item: \"{item}\", kind: Review")));
        let expected = if undone.contains("kind: Drill") {
            0
        } else if reviewed_before {
            1
        } else {
            2
        };
        seen[expected] += 1;
        let said = [
            "It had not changed the card's schedule",
            "Schedule restored: due ",
            "The card is new again",
        ][expected];
        assert!(out.contains(said), "step {step}: {out}");
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "drills, reviews and first reviews: {seen:?}"
    );

    // Exactly the first answers are left, and the progress is what they alone give.
    let kept = log.len() - 35;
    assert_eq!(log_lines(&data), log[..kept]);
    let replay = dir.path().join("replay");
    fs::create_dir_all(replay.join("journal")).unwrap();
    fs::write(common::journal_path(&replay), log[..kept].join("\n") + "\n").unwrap();
    assert_eq!(items(&data), items(&replay));
    let status = |dir: &Path| {
        let mut command = knead(dir, "2026-11-23");
        command.args(["status", "--json"]);
        let (code, out, err) = run(command);
        assert_eq!(code, 0, "{err}");
        let status: serde_json::Value = serde_json::from_str(&out).unwrap();
        status["reviews_total"].as_u64().unwrap()
    };
    assert_eq!(status(&data), status(&replay));

    // Studying again picks up from there: the cards answered by the undone answers of day one
    // are new again.
    let new_again = 30 - items(&data).len();
    assert!(new_again > 0);
    let mut session = study(
        &data,
        "2026-11-23",
        &["--deck", deck_arg, "--reviews", "0", "--new", "50"],
    );
    let card = session.expect_question();
    assert!(card.contains(&format!("of {new_again} (")), "{card}");
    session.finish();
}

#[test]
fn undo_in_a_plain_session_shows_the_card_again_and_knead_undo_continues_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study(
        dir.path(),
        "2026-11-21",
        &["--deck", fixture("mini.ron").to_str().unwrap()],
    );

    // Nothing to undo before the first answer; the card stays.
    let card = session.expect_question();
    assert!(!card.contains("u to undo"), "{card}");
    session.send("u");
    session.expect("Nothing to undo in this session yet");
    let again = session.expect_question();
    assert!(again.contains("Card 1 of 6 (5 left)"), "{again}");

    session.send("");
    session.expect("Grade your recall");
    session.send("2"); // b1 comes back as a drill: 7 cards
    session.answer_correctly(); // c1
    let third = session.expect_question();
    assert!(third.contains("Card 3 of 7 (4 left)"), "{third}");
    assert!(third.contains("u to undo, q to quit):"), "{third}");

    // u takes back c1's answer and asks c1 again, then b1's.
    session.send("u");
    session.expect("Undone: your review of mini/c1 on 2026-11-21 at ");
    session.expect("The card is new again (never reviewed).");
    let c1 = session.expect_question();
    assert!(
        c1.contains("Card 2 of 7 (5 left)") && c1.contains("Pick the right one"),
        "{c1}"
    );
    session.send("u");
    session.expect("Undone: your review of mini/b1");
    let b1 = session.expect_question();
    assert!(
        b1.contains("Card 1 of 6 (5 left)") && b1.contains("Front one"),
        "{b1}"
    );

    // Answered again differently, b1 is not drilled this time.
    session.send("");
    session.expect("Grade your recall");
    session.send("5");
    session.answer_correctly(); // c1
    let third = session.expect_question();
    assert!(third.contains("Card 3 of 6 (3 left)"), "{third}");
    session.send("q");
    let (code, out) = session.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Session saved. Reviewed 2, correct 2 (100%)."),
        "{out}"
    );
    let log = log_lines(dir.path());
    assert_eq!(log.len(), 2);
    assert!(
        log[0].contains("mini/b1") && log[0].contains("grade: 5"),
        "{log:?}"
    );

    // After the session, knead undo steps back further, and the store agrees.
    let (code, out, _) = undo(dir.path(), "2026-11-21");
    assert_eq!(code, 0);
    assert!(out.contains("of mini/c1"), "{out}");
    let (code, out, _) = undo(dir.path(), "2026-11-21");
    assert_eq!(code, 0);
    assert!(out.contains("of mini/b1"), "{out}");
    let (code, _, err) = undo(dir.path(), "2026-11-21");
    assert_eq!(code, 1);
    assert!(
        err.contains("nothing to undo") && err.contains("help:"),
        "{err}"
    );
    assert!(items(dir.path()).is_empty());
}

#[test]
fn cram_reviews_every_card_weakest_first_without_changing_any_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let deck = basic_deck(dir.path(), 5);
    let deck_arg = deck.to_str().unwrap();
    let data = dir.path().join("data");
    // Day one: q4 lapses (grade 0), q3 gets 2, q2 gets 3; q0 and q1 pass easily.
    answer_recall(
        study(&data, "2026-11-21", &["--deck", deck_arg]),
        mixed_grades,
    );
    let scheduled = items(&data);
    let snapshot = fs::read(common::snapshot_path(&data)).unwrap();
    let logged = log_lines(&data).len();

    // Later that day, with nothing due, cram still asks everything, lowest easiness first.
    let (answers, out) = answer_recall(
        study(&data, "2026-11-21", &["--cram", "--deck", deck_arg]),
        |front, drill| if front == "Q0" && !drill { 2 } else { 5 },
    );
    assert_eq!(answers, 6, "five cards and one drill of the wrong answer");
    assert!(
        out.contains("Card 1 of 5 (4 left) - Basic deck - cram (does not change its schedule)"),
        "{out}"
    );
    let order: Vec<&str> = out.lines().filter(|l| l.starts_with('Q')).collect();
    assert_eq!(order, ["Q4", "Q3", "Q2", "Q1", "Q0", "Q0"], "{out}");
    assert!(out.contains("Its schedule is unchanged."), "{out}");
    assert!(
        out.contains(
            "Session saved. Crammed 5, correct 4 (80%), drilled again 1; no schedule changed."
        ),
        "{out}"
    );
    assert!(!out.contains("Next review:"), "{out}");

    let log = log_lines(&data);
    assert_eq!(log.len(), logged + 6);
    assert!(
        log[logged..].iter().all(|l| l.contains("kind: Cram")),
        "{log:?}"
    );
    assert_eq!(items(&data), scheduled, "no schedule changed");
    // Six lines are far below what makes the end of a session rewrite the snapshot
    // (`Store::checkpoint`): the answers are in the journal, and the next start reads them.
    assert_eq!(
        fs::read(common::snapshot_path(&data)).unwrap(),
        snapshot,
        "a short session leaves the snapshot as it was"
    );
    let mut command = knead(&data, "2026-11-21");
    command.args(["study", "--deck", deck_arg]);
    let output = without_input(command);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("Nothing is due today"),
        "still nothing due: {text}"
    );

    // --max limits a cram; --new does not go with it.
    let (answers, _) = answer_recall(
        study(
            &data,
            "2026-11-21",
            &["--cram", "--max", "2", "--deck", deck_arg],
        ),
        |_, _| 5,
    );
    assert_eq!(answers, 2);
    let mut command = knead(&data, "2026-11-21");
    command.args(["study", "--cram", "--new", "3"]);
    let (code, _, err) = run(command);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn leeches_are_flagged_in_the_session_and_drilled_alone_critical_first() {
    let dir = tempfile::tempdir().unwrap();
    let mini = fixture("mini.ron");
    let mini = mini.to_str().unwrap();
    // With one lapse making a leech, failing b1 and the critical s1 makes two.
    let mut session = study(
        dir.path(),
        "2026-11-21",
        &["--leech-lapses", "1", "--deck", mini],
    );
    session.expect_question();
    session.send("");
    session.expect("Grade your recall");
    session.send("1");
    let feedback = session.expect("This card comes back later in this session.");
    assert!(
        feedback.contains(
            "This card keeps slipping: read the why, or tell your instructor the wording is unclear."
        ),
        "{feedback}"
    );
    for _ in 0..3 {
        session.answer_correctly(); // c1, t1, z1#1
    }
    session.answer_correctly(); // z1#2
    let scenario = session.expect_question();
    assert!(scenario.contains("Client with a fever"), "{scenario}");
    session.send("1"); // Suitable: wrong, the verdict is Refer
    session.expect("Not quite.");
    session.expect("This card keeps slipping");
    // The drills of both leeches do not repeat the message.
    let drill = session.expect_question();
    assert!(drill.contains("Front one"), "{drill}");
    session.send("");
    session.expect("Grade your recall");
    session.send("5");
    let after = session.expect("\nCard ");
    assert!(!after.contains("keeps slipping"), "{after}");
    session.send("q");
    let (code, out) = session.finish();
    assert_eq!(code, 0);
    assert!(
        out.contains("Leeches met: 2 (`knead study --leeches` drills them)."),
        "{out}"
    );

    // --leeches asks only the leeches, the critical one first, as cram answers.
    let mut command = knead(dir.path(), "2026-11-22");
    command.env("KNEAD_LEECH_LAPSES", "1").args([
        "study",
        "--leeches",
        "--seed",
        "1",
        "--deck",
        mini,
    ]);
    let mut session = Plain::spawn(command);
    let first = session.expect_question();
    assert!(
        first.contains("Card 1 of 2 (1 left)")
            && first.contains("SAFETY-CRITICAL")
            && first.contains("Client with a fever"),
        "{first}"
    );
    session.send("4");
    let feedback = session.expect("This card keeps slipping");
    assert!(
        !feedback.contains("How easy was it?"),
        "a cram answer changes no schedule: {feedback}"
    );
    let second = session.expect_question();
    assert!(second.contains("Front one"), "{second}");
    session.send("q");
    let (_, out) = session.finish();
    assert!(
        out.contains("Crammed 1, correct 1 (100%); no schedule changed."),
        "{out}"
    );
    assert!(log_lines(dir.path()).last().unwrap().contains("kind: Cram"));

    // Under the default rule (8 lapses) there are none.
    let mut command = knead(dir.path(), "2026-11-22");
    command.args(["study", "--leeches", "--deck", mini]);
    let output = without_input(command);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("No leeches: no card in scope has 8 lapses or 4 reviews in a row at the lowest easiness."),
        "{text}"
    );
}

#[test]
fn decks_are_chosen_by_id_or_file_and_cards_by_tag() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let deck = basic_deck(dir.path(), 6);
    let add = |path: &Path| {
        let mut command = knead(&data, "2026-11-21");
        command.arg("add").arg(path);
        assert_eq!(run(command).0, 0);
    };
    add(&fixture("mini.ron"));
    add(&deck);
    let first_card = |args: &[&str]| {
        let mut command = knead(&data, "2026-11-21");
        command.arg("study").args(args);
        String::from_utf8(without_input(command).stdout).unwrap()
    };

    // An installed deck by id; a bundled deck by id.
    let out = first_card(&["--deck", "mini"]);
    assert!(out.contains("Card 1 of 6 (5 left) - Mini deck"), "{out}");
    let bundled = &knead::study::collection::bundled().unwrap()[0].deck;
    let out = first_card(&["--deck", &bundled.id, "--new", "3"]);
    assert!(
        out.contains(&format!("Card 1 of 3 (2 left) - {}", bundled.title)),
        "{out}"
    );
    // A tag within a deck; several decks.
    let out = first_card(&["--deck", "basic", "--tag", "even", "--new", "50"]);
    assert!(
        out.contains("Card 1 of 3 (2 left) - Basic deck\nQ0"),
        "{out}"
    );
    let out = first_card(&["--deck", "mini", "--deck", "basic", "--new", "50"]);
    assert!(out.contains("Card 1 of 12 (11 left)"), "{out}");
    // A file alongside an id replaces the installed deck of the same id.
    let edited = dir.path().join("edited");
    fs::create_dir_all(&edited).unwrap();
    let fewer = common::edited_fixture(&edited, "mini.ron", |text| {
        text.replace("        Basic(id: \"b1\", front: \"Front one\", back: \"Back one\", why: \"Why one\", source: \"Source one\"),\n", "")
    });
    let out = first_card(&[
        "--deck",
        fewer.to_str().unwrap(),
        "--deck",
        "basic",
        "--new",
        "50",
    ]);
    assert!(out.contains("Card 1 of 11 (10 left)"), "{out}");

    // Unknown names are refused with the nearest known one.
    let mut command = knead(&data, "2026-11-21");
    command.args(["study", "--deck", "mnii"]);
    let (code, _, err) = run(command);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: no deck `mnii` and no file by that name"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `mini`?"), "{err}");
    let mut command = knead(&data, "2026-11-21");
    command.args(["study", "--deck", "basic", "--tag", "evn"]);
    let (code, _, err) = run(command);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: no card in the chosen decks has the tag `evn`")
            && err.contains("help: did you mean `even`?"),
        "{err}"
    );
    assert_eq!(common::journal(&data), "");
}

#[test]
fn the_summary_reports_time_leeches_tomorrow_and_the_streak() {
    let dir = tempfile::tempdir().unwrap();
    let deck = basic_deck(dir.path(), 4);
    let deck_arg = deck.to_str().unwrap();
    let summary = |today: &str| {
        let (_, out) = answer_recall(study(dir.path(), today, &["--deck", deck_arg]), |_, _| 4);
        out[out.find("Session saved.").unwrap()..].to_owned()
    };
    let day_one = summary("2026-11-21");
    let lines: Vec<&str> = day_one.lines().collect();
    assert_eq!(lines[0], "Session saved. Reviewed 4, correct 4 (100%).");
    assert_eq!(lines[1], "Due tomorrow: 4 cards.");
    assert!(
        lines[2].starts_with("Time answering: ") && lines[2].ends_with(" s."),
        "{day_one}"
    );
    assert_eq!(lines[3], "Leeches met: 0.");
    assert_eq!(lines[4], "Streak: 1 study day in a row.");
    assert_eq!(
        lines[5],
        "Nothing more is due today. To practise anyway: `knead study --cram` (no schedule changes)."
    );
    assert_eq!(lines.len(), 6, "{day_one}");

    let day_two = summary("2026-11-22");
    assert!(
        day_two.contains("Due tomorrow: 0 cards. Next due: 2026-11-28 (4 cards)."),
        "{day_two}"
    );
    assert!(
        day_two.contains("Streak: 2 study days in a row."),
        "{day_two}"
    );
    // A missed day breaks the streak (day two's cards are due again on 2026-11-28).
    let mut session = study(
        dir.path(),
        "2026-11-28",
        &["--deck", deck_arg, "--reviews", "1"],
    );
    session.answer_correctly();
    let (_, out) = session.finish();
    assert!(out.contains("Due tomorrow: 3 cards."), "{out}");
    assert!(out.contains("Streak: 1 study day in a row."), "{out}");
}
