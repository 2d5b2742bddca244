//! The interactive (inquire) prompts, driven through a real pseudo-terminal with rexpect.
//! Every send is flushed: without it the keys never reach the program.

mod common;

use std::process::Command;

use common::fixture;
use rexpect::session::{PtySession, spawn_command};

const UP: &str = "\x1b[A";
const DOWN: &str = "\x1b[B";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";

fn start(data_dir: &std::path::Path) -> PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--today", "2026-11-21", "study", "--seed", "1"])
        .args(["--new-order", "deck", "--deck"])
        .arg(fixture("mini.ron"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    // The timeout only guards against a hang.
    spawn_command(command, Some(30_000)).expect("knead starts in a pseudo-terminal")
}

fn keys(session: &mut PtySession, keys: &str) {
    session.send(keys).unwrap();
    session.flush().unwrap();
}

#[test]
fn a_session_in_the_interactive_prompts_records_answers_and_esc_saves() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());

    // Basic: reveal with Enter, then choose grade 5 (the cursor starts on 4).
    p.exp_string("Front one").unwrap();
    p.exp_string("Your answer (optional):").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("Answer: Back one").unwrap();
    p.exp_string("How well did you recall it?").unwrap();
    keys(&mut p, UP);
    keys(&mut p, ENTER);
    p.exp_string("Next review: 2026-11-22 (in 1 day).").unwrap();

    // Choice: type to filter the options, Enter, then accept the default ease (4).
    p.exp_string("Pick the right one").unwrap();
    p.exp_string("Your answer:").unwrap();
    keys(&mut p, "Right");
    keys(&mut p, ENTER);
    p.exp_string("Right! How easy was it?").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("Correct.").unwrap();

    // TrueFalse: the statement is false; move down to False.
    p.exp_string("True or false: Fibromyalgia is an autoimmune disease.")
        .unwrap();
    p.exp_string("True or false?").unwrap();
    keys(&mut p, DOWN);
    keys(&mut p, ENTER);
    p.exp_string("Right! How easy was it?").unwrap();
    keys(&mut p, UP);
    keys(&mut p, ENTER);
    p.exp_string("Why: Why tf").unwrap();

    // Esc at the next card saves and ends the session.
    p.exp_string("Your answer (optional):").unwrap();
    keys(&mut p, ESC);
    p.exp_string("Session saved. Reviewed 3, correct 3 (100%).")
        .unwrap();
    p.exp_eof().unwrap();

    let log = common::journal(dir.path());
    let grades: Vec<&str> = log
        .lines()
        .map(|l| {
            l.split("grade: ")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(grades, ["5", "4", "5"]);
}

#[test]
fn ctrl_c_in_the_interactive_prompts_saves_and_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    p.exp_string("Your answer (optional):").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("How well did you recall it?").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("Pick the right one").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("Session saved. Reviewed 1, correct 1")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(
        std::fs::read_to_string(common::journal_path(dir.path()))
            .unwrap()
            .lines()
            .count(),
        1
    );
}

#[test]
fn u_in_the_interactive_lists_undoes_and_moving_never_lands_on_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = start(dir.path());
    p.exp_string("Your answer (optional):").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("How well did you recall it?").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("Next review: 2026-11-22 (in 1 day).").unwrap();

    // At the Choice card, Up from the first option wraps to the last option, not to undo;
    // typing u shows the undo entry, and Enter takes it.
    p.exp_string("Pick the right one").unwrap();
    p.exp_string("u to undo").unwrap();
    keys(&mut p, UP);
    p.exp_string("> 3. Wrong B").unwrap();
    keys(&mut p, "u");
    p.exp_string("> u: undo the previous answer").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("Undone: your review of mini/b1 on 2026-11-21")
        .unwrap();
    p.exp_string("The card is new again (never reviewed).")
        .unwrap();

    // The Basic card is asked again; this time graded 5.
    p.exp_string("Card 1 of 6 (5 left)").unwrap();
    p.exp_string("Your answer (optional):").unwrap();
    keys(&mut p, ENTER);
    p.exp_string("How well did you recall it?").unwrap();
    keys(&mut p, UP);
    keys(&mut p, ENTER);
    p.exp_string("Pick the right one").unwrap();
    p.exp_string("Your answer:").unwrap();
    keys(&mut p, ESC);
    p.exp_string("Session saved. Reviewed 1, correct 1 (100%).")
        .unwrap();
    p.exp_eof().unwrap();

    let log = common::journal(dir.path());
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("grade: 5"), "{log}");
}

/// rexpect reads the terminal byte by byte, each byte as one `char`: text with accents or
/// symbols is looked for in that form.
fn as_read(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// What rexpect read, as the UTF-8 text the terminal received.
fn as_received(read: &str) -> String {
    let bytes: Vec<u8> = read.chars().map(|c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn the_interactive_prompts_show_a_strangers_escape_sequences_and_never_send_them() {
    use common::hostile::{self, BIDI, C1, CLEAR, CLIPBOARD, LINK, OVERWRITE, STATUS_REQUEST};

    let dir = tempfile::tempdir().unwrap();
    // Past the checks, as a deck cached before K040 would be (see `hostile::plant`).
    hostile::plant(dir.path(), &hostile::deck(1));
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--today", "2026-11-21", "study", "--seed", "1"])
        .args(["--deck", "stranger"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(command, Some(30_000)).expect("knead starts in a pseudo-terminal");
    let mut read = String::new();
    let mut expect = |p: &mut PtySession, text: &str| {
        let text = as_read(text);
        read.push_str(&p.exp_string(&text).unwrap());
        read.push_str(&text);
    };

    // Basic: the question, the answer after Enter, then why and source after a grade.
    expect(&mut p, "Screen ␛[2J␛[H question ␛]0;PWNED␇");
    expect(&mut p, "Your answer (optional):");
    keys(&mut p, ENTER);
    expect(&mut p, "Answer: ␛[31mStop and refer␍Continue as usual");
    expect(&mut p, "How well did you recall it?");
    keys(&mut p, ENTER);
    expect(&mut p, "Why: Because ␛]52;c;UFdORUQ=␇");
    expect(
        &mut p,
        "Source: ␛]8;;https://evil.example/␛\\https://www.nhs.uk␛]8;;␛\\",
    );

    // Choice: the options as inquire lists them; typing filters on what is shown.
    expect(&mut p, "Which source? report<U+202E>exe.txt");
    expect(&mut p, "Wrong one ␛[6n");
    expect(&mut p, "Another <U+009B>2J");
    keys(&mut p, "Right");
    keys(&mut p, ENTER);
    expect(&mut p, "Right! How easy was it?");
    keys(&mut p, ENTER);
    expect(&mut p, "Correct.");
    expect(&mut p, "contra<U+200B>indication");

    expect(&mut p, "True or false: Reply ␛[6n here");
    keys(&mut p, ESC);
    expect(&mut p, "Session saved. Reviewed 2, correct 2 (100%).");
    read.push_str(&p.exp_eof().unwrap());

    // inquire draws with escape sequences of its own; none of the deck's got through.
    let received = as_received(&read);
    // (Each is looked for with the deck text around it, so inquire's own never matches.)
    for raw in [
        format!("Screen {CLEAR}"),
        format!("Because {CLIPBOARD}"),
        format!("Right option {LINK}"),
        "question \x1b]0;PWNED".to_owned(),
        OVERWRITE.to_owned(),
        "refer\rContinue".to_owned(),
        format!("Wrong one {STATUS_REQUEST}"),
        format!("Reply {STATUS_REQUEST}"),
        format!("Another {C1}"),
        BIDI.to_owned(),
        "\u{202E}".to_owned(),
        "\u{200B}".to_owned(),
    ] {
        assert!(
            !received.contains(&raw),
            "{raw:?} reached the terminal:\n{received:?}"
        );
    }
}
