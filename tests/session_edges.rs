//! Nothing is lost at the edges of a session: quitting at the ease question, restarting the
//! same day, a card answered wrong again and again; and drills are not asked how easy.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Plain, fixture, journal, knead};
use rexpect::session::spawn_command;

fn study_mini(data_dir: &Path, today: &str, extra: &[&str]) -> Plain {
    let mut command = knead(data_dir, today);
    command
        .args(["study", "--seed", "1", "--new-order", "deck", "--deck"])
        .arg(fixture("mini.ron"))
        .args(extra);
    Plain::spawn(command)
}

/// Reveals the Basic card and grades it.
fn grade_basic(session: &mut Plain, grade: &str) {
    session.expect("Press Enter to show the answer");
    session.send("");
    session.expect("Grade your recall");
    session.send(grade);
}

/// Answers the Choice card right and waits for the ease question.
fn choose_right(session: &mut Plain) {
    let card = session.expect_question();
    assert!(card.contains("Pick the right one"), "{card}");
    let number = card
        .lines()
        .find(|l| l.contains("Right option"))
        .and_then(|l| l.trim().split('.').next())
        .unwrap()
        .to_owned();
    session.send(&number);
    session.expect("Correct. How easy was it?");
}

#[test]
fn quitting_or_ending_input_at_the_ease_question_keeps_the_right_answer() {
    for quit in [Some("q"), Some("\u{1b}"), None] {
        let dir = tempfile::tempdir().unwrap();
        let mut session = study_mini(dir.path(), "2026-11-21", &[]);
        grade_basic(&mut session, "5");
        choose_right(&mut session);
        if let Some(key) = quit {
            session.send(key);
        }
        let (code, out) = session.finish();
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("Your right answer is saved with grade 4, as if you had pressed Enter."),
            "{quit:?}: {out}"
        );
        assert!(out.contains("Reviewed 2, correct 2"), "{quit:?}: {out}");
        let log = journal(dir.path());
        assert_eq!(log.lines().count(), 2, "{log}");
        assert!(log.lines().nth(1).unwrap().contains("grade: 4"), "{log}");
    }
}

#[test]
fn esc_at_the_ease_question_in_the_interactive_prompts_keeps_the_right_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--today", "2026-11-21", "study", "--seed", "1"])
        .args(["--new-order", "deck", "--deck"])
        .arg(fixture("mini.ron"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(command, Some(30_000)).expect("knead starts in a pseudo-terminal");
    let send = |p: &mut rexpect::session::PtySession, keys: &str| {
        p.send(keys).unwrap();
        p.flush().unwrap();
    };
    p.exp_string("Your answer (optional):").unwrap();
    send(&mut p, "\r");
    p.exp_string("How well did you recall it?").unwrap();
    send(&mut p, "\r");
    p.exp_string("Pick the right one").unwrap();
    p.exp_string("Your answer:").unwrap();
    // A number picks its option.
    send(&mut p, "2");
    p.exp_string("> 2. ").unwrap();
    send(&mut p, "\r");
    let next = p.exp_any(vec![
        rexpect::ReadUntil::String("Right! How easy was it?".into()),
        rexpect::ReadUntil::String("Not quite.".into()),
    ]);
    if next.unwrap().1 == "Not quite." {
        // The shuffle put the right option elsewhere; the next card is the True/False one.
        p.exp_string("True or false?").unwrap();
        send(&mut p, "\x1b[B");
        send(&mut p, "\r");
        p.exp_string("Right! How easy was it?").unwrap();
    }
    send(&mut p, "\x1b");
    p.exp_string("Your right answer is saved with grade 4")
        .unwrap();
    p.exp_string("Session saved.").unwrap();
    p.exp_eof().unwrap();
    let log = journal(dir.path());
    let last = log.lines().last().unwrap();
    assert!(last.contains("kind: Review, grade: 4"), "{log}");
}

#[test]
fn a_same_day_restart_brings_back_the_drills_left_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    grade_basic(&mut session, "2");
    session.expect("This card comes back later in this session.");
    session.expect_question();
    session.send("q");
    let (code, out) = session.finish();
    assert_eq!(code, 0, "{out}");

    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    session.expect("1 card from your earlier session today comes back for another drill.");
    // Five new items are left; the drill comes after them.
    let mut asked = Vec::new();
    for _ in 0..6 {
        asked.push(session.answer_correctly());
    }
    let drill = asked.last().unwrap();
    assert!(
        drill.contains("Front one") && drill.contains("again, to fix it in memory"),
        "{drill}"
    );
    let (code, out) = session.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("drilled again 1"), "{out}");
}

#[test]
fn a_card_answered_wrong_again_and_again_leaves_after_three_drills() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &["--new", "1"]);
    for _ in 0..3 {
        grade_basic(&mut session, "0");
        session.expect("This card comes back later in this session.");
    }
    grade_basic(&mut session, "0");
    session
        .expect("That makes 3 drills today: it is not asked again today and comes back tomorrow.");
    let (code, out) = session.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("drilled again 3"), "{out}");
    assert_eq!(journal(dir.path()).lines().count(), 4);
}

#[test]
fn a_drill_answered_right_is_not_asked_how_easy_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &["--new", "2"]);
    grade_basic(&mut session, "5");
    let card = session.expect_question();
    assert!(card.contains("Pick the right one"), "{card}");
    let wrong = card
        .lines()
        .find(|l| l.contains("Wrong A"))
        .and_then(|l| l.trim().split('.').next())
        .unwrap()
        .to_owned();
    session.send(&wrong);
    session.expect("This card comes back later in this session.");
    let drill = session.expect_question();
    assert!(drill.contains("again, to fix it in memory"), "{drill}");
    let right = drill
        .lines()
        .find(|l| l.contains("Right option"))
        .and_then(|l| l.trim().split('.').next())
        .unwrap()
        .to_owned();
    session.send(&right);
    let feedback = session.expect("Correct.\n");
    assert!(!feedback.contains("How easy"), "{feedback}");
    let (code, out) = session.finish();
    assert_eq!(code, 0, "{out}");
    assert!(
        !out[out.rfind("again, to fix").unwrap()..].contains("How easy"),
        "{out}"
    );
}

fn install(data_dir: &Path, name: &str) {
    let output = knead(data_dir, "2026-11-21")
        .arg("add")
        .arg(fixture(name))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

fn study(data_dir: &Path, args: &[&str]) -> (usize, String) {
    let mut command = knead(data_dir, "2026-11-21");
    command.args(["study", "--seed", "1"]).args(args);
    Plain::spawn(command).answer_all_correctly()
}

#[test]
fn an_exam_plan_neither_empties_a_narrowed_session_nor_a_cram() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    install(data, "tagged.ron");
    install(data, "mini.ron");
    // A plan over every deck, one card a day: today it asks one card.
    let (asked, _) = study(data, &["--exam", "2026-12-01", "--max-per-day", "1"]);
    assert_eq!(asked, 1);

    // The plan has nothing more for today, but the chosen deck still has its new cards.
    let (asked, out) = study(data, &["--deck", "mini"]);
    assert!(
        out.contains("Your exam plan (2026-12-01) and the decks and tags you chose combine: "),
        "{out}"
    );
    assert!(
        asked > 0,
        "a narrowed session is not emptied by the plan:\n{out}"
    );
    assert!(!out.contains("Nothing is due today"), "{out}");
    // Every answer still lands by the exam (ISO dates compare as text).
    for line in common::journal(data).lines() {
        let due = line
            .split("due: \"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(due <= "2026-12-01", "{line}");
    }

    // Cram and leeches ask their own cards and say the plan is set aside.
    let (asked, out) = study(data, &["--cram", "--deck", "tagged", "--max", "2"]);
    assert_eq!(asked, 2, "{out}");
    assert!(
        out.contains("Your exam plan (2026-12-01) is set aside for this session"),
        "{out}"
    );
    assert!(!out.contains("No cards to cram"), "{out}");
}

#[test]
fn new_cards_come_critical_first_then_the_decks_in_turn_or_in_deck_order_on_request() {
    let first_cards = |order: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        let mut command = knead(dir.path(), "2026-11-21");
        command.args(["study", "--seed", "1", "--new", "5"]);
        if let Some(order) = order {
            command.args(["--new-order", order]);
        }
        command
            .arg("--deck")
            .arg(fixture("mini.ron"))
            .arg("--deck")
            .arg(fixture("tagged.ron"));
        let (asked, out) = Plain::spawn(command).answer_all_correctly();
        assert_eq!(asked, 5, "{out}");
        out.split("\nCard ")
            .skip(1)
            .map(|card| card.lines().take(3).collect::<Vec<_>>().join(" / "))
            .collect::<Vec<_>>()
    };
    let interleaved = first_cards(None);
    // The two safety-critical cards, then one card of each deck in turn.
    assert!(
        interleaved[0].contains("SAFETY-CRITICAL"),
        "{interleaved:#?}"
    );
    assert!(
        interleaved[1].contains("SAFETY-CRITICAL"),
        "{interleaved:#?}"
    );
    assert!(
        interleaved[2].contains("Mini deck") && interleaved[2].contains("Front one"),
        "{interleaved:#?}"
    );
    assert!(
        interleaved[3].contains("Tagged deck") && interleaved[3].contains("What is SLE?"),
        "{interleaved:#?}"
    );
    assert!(
        interleaved[4].contains("Mini deck") && interleaved[4].contains("Pick the right one"),
        "{interleaved:#?}"
    );

    let by_deck = first_cards(Some("deck"));
    assert!(
        by_deck.iter().all(|card| card.contains("Mini deck")),
        "{by_deck:#?}"
    );
    assert!(
        !by_deck.iter().any(|card| card.contains("SAFETY-CRITICAL")),
        "{by_deck:#?}"
    );
}

/// 2026-11-21T12:00:00Z: the real day is 2026-11-21 in UTC.
const CLOCK_2026_11_21: &str = "1795262400";

/// `knead` by the (fixed) clock, in UTC, with no `--today`.
fn knead_by_the_clock(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .env("KNEAD_CLOCK", CLOCK_2026_11_21)
        .arg("--data-dir")
        .arg(data_dir);
    command
}

#[test]
fn studying_as_another_day_says_so_and_leaves_the_real_days_limits_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let mini = fixture("mini.ron");
    let by_the_clock = |extra: &[&str]| {
        let mut command = knead_by_the_clock(data);
        command
            .args([
                "study",
                "--seed",
                "1",
                "--new-order",
                "deck",
                "--new",
                "2",
                "--deck",
            ])
            .arg(&mini)
            .args(extra);
        command
    };
    // The real day: two new cards, the day's limit.
    let (asked, out) = Plain::spawn(by_the_clock(&[])).answer_all_correctly();
    assert_eq!(asked, 2, "{out}");
    assert!(!out.contains("Studying as if"), "{out}");

    // As if it were tomorrow: a banner, and the answers are saved.
    let mut command = by_the_clock(&["--reviews", "1"]);
    command.args(["--today", "2026-11-22"]);
    let (asked, out) = Plain::spawn(command).answer_all_correctly();
    assert!(
        out.starts_with("Studying as if it were 2026-11-22: answers are saved.\n"),
        "{out}"
    );
    assert!(asked >= 1, "{out}");

    // Back on the real day, both new cards still count: no third one comes.
    let (asked, out) = Plain::spawn(by_the_clock(&[])).answer_all_correctly();
    assert_eq!(asked, 0, "{out}");
    assert!(out.contains("Nothing is due today"), "{out}");
}

#[test]
fn interactive_lists_are_numbered_a_number_picks_and_u_undoes_without_revealing() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--today", "2026-11-21", "study", "--seed", "1"])
        .args(["--new-order", "deck", "--deck"])
        .arg(fixture("mini.ron"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(command, Some(30_000)).expect("knead starts in a pseudo-terminal");
    let send = |p: &mut rexpect::session::PtySession, keys: &str| {
        p.send(keys).unwrap();
        p.flush().unwrap();
    };
    p.exp_string("Your answer (optional):").unwrap();
    send(&mut p, "\r");
    p.exp_string("How well did you recall it?").unwrap();
    p.exp_string("1. 5  perfect response").unwrap();
    // A number with no option says so, in place of an empty list.
    send(&mut p, "9");
    p.exp_string("No option matches").unwrap();
    send(&mut p, "\x7f");
    send(&mut p, "2");
    p.exp_string("> 2. 4  correct, after a hesitation").unwrap();
    send(&mut p, "\r");
    p.exp_string("Next review: 2026-11-22 (in 1 day).").unwrap();

    // The Choice card: answer it, then at the next card (True/False) move on; at the Cloze
    // card, u in the empty answer line takes back the True/False answer unrevealed.
    p.exp_string("Pick the right one").unwrap();
    p.exp_string("Your answer:").unwrap();
    send(&mut p, "Right");
    send(&mut p, "\r");
    p.exp_string("Right! How easy was it?").unwrap();
    send(&mut p, "\r");
    p.exp_string("True or false?").unwrap();
    send(&mut p, "2");
    send(&mut p, "\r");
    p.exp_string("Right! How easy was it?").unwrap();
    send(&mut p, "\r");
    p.exp_string("Steroids thin the").unwrap();
    p.exp_string("u then Enter undoes").unwrap();
    send(&mut p, "u");
    send(&mut p, "\r");
    p.exp_string("Undone: your review of mini/t1").unwrap();
    p.exp_string("Fibromyalgia is an autoimmune disease.")
        .unwrap();
    send(&mut p, "\x1b");
    p.exp_string("Session saved.").unwrap();
    p.exp_eof().unwrap();
    let log = journal(dir.path());
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(
        !log.contains("mini/z1"),
        "the Cloze card was never answered: {log}"
    );
}

#[test]
fn ctrl_c_at_the_ease_question_in_plain_mode_keeps_the_right_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = study_mini(dir.path(), "2026-11-21", &[]);
    grade_basic(&mut session, "5");
    choose_right(&mut session);
    let interrupted = Command::new("kill")
        .args(["-INT", &session.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = session.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let (_, out) = session.finish();
    assert!(
        out.contains("Your right answer is saved with grade 4, as if you had pressed Enter."),
        "{out}"
    );
    assert!(out.contains("Reviewed 2, correct 2"), "{out}");
    let log = journal(dir.path());
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(
        log.lines()
            .nth(1)
            .unwrap()
            .contains("kind: Review, grade: 4"),
        "{log}"
    );
}
