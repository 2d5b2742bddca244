//! The study screens and `knead show` at 40, 50, 80 and 120 columns: no line passes the width
//! and no word is broken, on pipes (`COLUMNS`) and in a pseudo-terminal.

mod common;

use std::collections::HashSet;
use std::process::Command;

use common::{Plain, fixture, knead};
use rexpect::session::spawn_command;

const WIDTHS: [usize; 4] = [40, 50, 80, 120];

/// Every word of the wordy deck's texts, as a student reads them.
fn deck_words() -> Vec<String> {
    let deck = std::fs::read_to_string(fixture("wordy.ron")).unwrap();
    let mut words = Vec::new();
    for line in deck.lines() {
        let line = line.trim();
        for field in [
            "front:",
            "back:",
            "why:",
            "statement:",
            "prompt:",
            "client:",
            "technique:",
        ] {
            if let Some(text) = line.strip_prefix(field) {
                words.extend(quoted(text).split_whitespace().map(str::to_owned));
            }
        }
        if line.starts_with('"') {
            words.extend(quoted(line).split_whitespace().map(str::to_owned));
        }
    }
    assert!(words.len() > 100, "{words:?}");
    words
}

fn quoted(text: &str) -> &str {
    let start = text.find('"').unwrap() + 1;
    let end = text.rfind('"').unwrap();
    &text[start..end]
}

/// Lines as a person sees them: on a terminal the answer typed after a prompt ends its line.
fn seen_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .flat_map(|line| line.split_inclusive("): "))
        .map(str::trim_end)
        .collect()
}

fn assert_fits(output: &str, width: usize) {
    for line in seen_lines(output) {
        assert!(
            line.chars().count() <= width,
            "line of {} columns at width {width}: {line:?}\n{output}",
            line.chars().count()
        );
    }
    let printed: HashSet<&str> = output.split_whitespace().collect();
    for word in deck_words() {
        assert!(
            printed.contains(word.as_str()),
            "{word:?} is broken or missing at width {width}:\n{output}"
        );
    }
}

#[test]
fn a_plain_session_wraps_every_screen_to_the_width_without_breaking_words() {
    for width in WIDTHS {
        let dir = tempfile::tempdir().unwrap();
        let mut command = knead(dir.path(), "2026-11-21");
        command
            .env("COLUMNS", width.to_string())
            .args(["study", "--seed", "1", "--new-order", "deck", "--deck"])
            .arg(fixture("wordy.ron"));
        let mut session = Plain::spawn(command);
        // Basic: reveal, grade 4. Choice: option 1 (right, the options are shuffled: find it).
        session.expect("quit): ");
        session.send("");
        session.expect("Grade your recall");
        session.send("4");
        let choice = session.expect("Your answer (1-3");
        session.expect("quit): ");
        let right = choice
            .split("\n  ")
            .find(|option| option.contains("Use light"))
            .and_then(|option| option.split('.').next())
            .expect("the right option is listed")
            .trim()
            .to_owned();
        session.send(&right);
        session.expect("How easy was it?");
        session.send("");
        // True or false, answered wrong: the feedback shows the answer and the why.
        session.expect("True or false? (t/f");
        session.expect("quit): ");
        session.send("t");
        session.expect("Not quite.");
        // Scenario, by the verdict's name.
        session.expect("Verdict (1 Suitable");
        session.expect("quit): ");
        session.send("refer");
        session.expect("How easy was it?");
        session.send("");
        let (code, output) = session.finish();
        assert_eq!(code, 0, "{output}");
        assert!(output.contains("Session saved."), "{output}");
        assert_fits(&output, width);
    }
}

#[test]
fn knead_show_wraps_to_the_width_with_options_under_their_text() {
    for width in WIDTHS {
        let dir = tempfile::tempdir().unwrap();
        let output = knead(dir.path(), "2026-11-21")
            .env("COLUMNS", width.to_string())
            .arg("show")
            .arg(fixture("wordy.ron"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert_fits(&text, width);
        if width < 80 {
            // The first option's second line hangs under its text, not under its number.
            let lines: Vec<&str> = text.lines().collect();
            let first = lines.iter().position(|l| l.starts_with("  * 1. ")).unwrap();
            assert!(lines[first + 1].starts_with("       "), "{text}");
            assert!(!lines[first + 1].starts_with("        "), "{text}");
        }
    }
}

/// Removes the terminal control sequences inquire draws with, and carriage returns.
fn without_controls(read: &str) -> String {
    let mut text = String::new();
    let mut chars = read.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => text.push(c),
        }
    }
    text
}

#[test]
fn in_a_short_narrow_terminal_the_card_wraps_and_the_question_is_restated_above_the_grades() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("stty cols 50 rows 20 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .env_remove("COLUMNS")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["--today", "2026-11-21", "study", "--seed", "1"])
        .args(["--new-order", "deck", "--deck"])
        .arg(fixture("wordy.ron"))
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut p = spawn_command(command, Some(30_000)).expect("knead starts in a pseudo-terminal");
    p.exp_string("Card 1 of 4").unwrap();
    let card = without_controls(&p.exp_string("Your answer (optional):").unwrap());
    let card = card
        .rsplit_once('\n')
        .map_or(card.as_str(), |(card, _)| card);
    assert!(card.contains("mean a client"), "{card}");
    for line in card.lines() {
        assert!(line.chars().count() <= 50, "{line:?} in\n{card}");
    }
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("Answer: Fever").unwrap();
    let before_grades = without_controls(&p.exp_string("How well did you recall it?").unwrap());
    assert!(
        before_grades.contains("Q: Which signs throughout the body"),
        "{before_grades}"
    );
    p.send("\x1b").unwrap();
    p.flush().unwrap();
    p.exp_string("Session saved.").unwrap();
    p.exp_eof().unwrap();
}
