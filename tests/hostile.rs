//! A deck from a stranger cannot hurt a student (issue #10): text a terminal would obey (escape
//! sequences, carriage returns, bidi overrides, zero-width characters) never reaches the
//! terminal raw, over the real binary, in every command that shows deck text; `knead check`
//! reports it and a deck with a control character is refused; JSON keeps the exact text.
//!
//! Two decks: one with every kind of hostile text, which no longer loads (K040), so the output
//! paths are reached by planting it past the checks (see `common::hostile::plant`); and one with
//! only bidi and zero-width characters (warnings), which loads and installs for real.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::hostile::{self, assert_terminal_safe};
use common::{Plain, knead};

const TODAY: &str = "2026-11-21";

/// Runs `command` with `input` on stdin; stdout and stderr must be terminal-safe.
fn run(mut command: Command, input: &str, what: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    assert_terminal_safe(&output.stdout, &format!("{what}: stdout"));
    assert_terminal_safe(&output.stderr, &format!("{what}: stderr"));
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn knead_with(dir: &Path, args: &[&str]) -> Command {
    let mut command = knead(dir, TODAY);
    command.args(args);
    command
}

#[test]
fn check_reports_each_character_and_refuses_a_deck_with_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    // Written as ron writes it (`\u{1b}`), and with the characters themselves.
    let escaped_dir = dir.path().join("escaped");
    std::fs::create_dir(&escaped_dir).unwrap();
    let escaped = hostile::write_escaped_file(&escaped_dir, &hostile::deck(1));
    let output = run(
        knead_with(dir.path(), &["check", escaped.to_str().unwrap()]),
        "",
        "check",
    );
    assert_eq!(output.status.code(), Some(2));
    let shown = text(&output.stdout);
    for code in ["error[K040]", "warning[K041]", "warning[K042]"] {
        assert!(shown.contains(code), "{code} missing:\n{shown}");
    }
    assert!(
        shown.contains("control character ESC (U+001B) in the deck"),
        "{shown}"
    );
    assert!(shown.contains("^^^^^^ ␛ here"), "{shown}");

    let file = hostile::write_file(dir.path(), &hostile::deck(1));
    let file = file.to_str().unwrap();
    let output = run(knead_with(dir.path(), &["check", file]), "", "check");
    assert_eq!(output.status.code(), Some(2));
    let shown = text(&output.stdout);
    // Each points at the character, in the file's own line and column, shown escaped.
    let source = std::fs::read_to_string(file).unwrap();
    let (line, text_before) = source
        .lines()
        .enumerate()
        .find_map(|(n, l)| Some((n + 1, &l[..l.find("Stranger ")? + "Stranger ".len()])))
        .unwrap();
    let location = format!("{file}:{line}:{}", text_before.chars().count() + 1);
    assert!(
        shown.contains(&format!(
            "error[K040]: control character ESC (U+001B) in the deck\n --> {location}"
        )),
        "{location}:\n{shown}"
    );
    assert!(
        shown.contains("title: \"Stranger ␛]0;PWNED␇ deck report<U+202E>exe.txt\""),
        "{shown}"
    );
    assert!(
        shown.contains("warning[K041]: bidirectional control RIGHT-TO-LEFT OVERRIDE (U+202E)"),
        "{shown}"
    );
    assert!(
        shown.contains("warning[K042]: zero-width character ZERO WIDTH SPACE (U+200B)"),
        "{shown}"
    );

    // JSON carries the exact source line: serde_json escapes the controls itself.
    let output = run(
        knead_with(dir.path(), &["check", "--format", "json", file]),
        "",
        "check --format json",
    );
    assert_eq!(output.status.code(), Some(2));
    let source = std::fs::read_to_string(file).unwrap();
    let problems: Vec<serde_json::Value> = text(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first = problems.iter().find(|p| p["code"] == "K040").unwrap();
    let line = first["line"].as_u64().unwrap() as usize;
    assert_eq!(
        first["marks"][0]["source_line"],
        source.lines().nth(line - 1).unwrap(),
        "the exact line"
    );
    assert!(problems.iter().any(|p| p["code"] == "K041"));
    assert!(problems.iter().any(|p| p["code"] == "K042"));
}

#[test]
fn a_deck_with_control_characters_cannot_be_installed_shown_or_studied() {
    let dir = tempfile::tempdir().unwrap();
    let file = hostile::write_file(dir.path(), &hostile::deck(1));
    let file = file.to_str().unwrap();
    for args in [
        vec!["add", file],
        vec!["show", file],
        vec!["--plain", "study", "--deck", file],
        vec!["export", "anki", file],
    ] {
        let output = run(knead_with(dir.path(), &args), "", &args.join(" "));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let shown = text(&output.stderr);
        assert!(shown.contains("error[K040]"), "{args:?}:\n{shown}");
        assert!(
            shown.contains("title: \"Stranger ␛]0;PWNED␇ deck"),
            "{shown}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    assert!(!dir.path().join("decks").exists(), "nothing installed");
}

#[test]
fn show_decks_and_card_escape_deck_text_and_json_keeps_it_exact() {
    let dir = tempfile::tempdir().unwrap();
    let deck = hostile::deck(1);
    hostile::plant(dir.path(), &deck);

    let shown = text(&run(knead_with(dir.path(), &["show", "stranger"]), "", "show").stdout);
    for escaped in [
        "Stranger ␛]0;PWNED␇ deck report<U+202E>exe.txt (v1) - stranger",
        "Described ␛[2J␛[H",
        "Q: Screen ␛[2J␛[H question ␛]0;PWNED␇",
        "A: ␛[31mStop and refer␍Continue as usual",
        "Why: Because ␛]52;c;UFdORUQ=␇",
        "Source: ␛]8;;https://evil.example/␛\\https://www.nhs.uk␛]8;;␛\\",
        "* 1. Right option ␛]8;;",
        "2. Wrong one ␛[6n",
        "3. Another <U+009B>2J",
        "True or false: Reply ␛[6n here",
        "contra<U+200B>indication",
        "Client: Client report<U+202E>exe.txt",
        "Tags: red␛[31mflag",
    ] {
        assert!(shown.contains(escaped), "{escaped:?} missing:\n{shown}");
    }

    // Wide enough for the title on one line (`knead decks` wraps titles to the width).
    let mut decks = knead_with(dir.path(), &["decks"]);
    decks.env("COLUMNS", "200");
    let shown = text(&run(decks, "", "decks").stdout);
    assert!(
        shown.contains("Stranger ␛]0;PWNED␇ deck report<U+202E>exe.txt (v1)"),
        "{shown}"
    );

    let shown = text(
        &run(
            knead_with(dir.path(), &["card", "stranger/clear"]),
            "",
            "card",
        )
        .stdout,
    );
    assert!(shown.contains("Screen ␛[2J␛[H question"), "{shown}");
    assert!(shown.contains("red␛[31mflag"), "{shown}");

    // JSON: no raw control on stdout, and exactly the deck's text once parsed.
    for (name, card) in [("clear", 0), ("link", 1), ("bidi", 4)] {
        let output = run(
            knead_with(dir.path(), &["card", &format!("stranger/{name}"), "--json"]),
            "",
            "card --json",
        );
        let info: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(info["deck_title"], deck.title.as_str());
        let original = &deck.cards[card];
        assert_eq!(info["why"], original.common().why.unwrap());
        assert_eq!(info["source"], original.common().source.unwrap());
        if card == 1 {
            let knead::deck::Card::Choice(choice) = original else {
                panic!()
            };
            assert_eq!(info["options"], serde_json::json!(choice.options));
            assert_eq!(info["prompt"], choice.prompt.as_str());
        }
    }
}

#[test]
fn plain_study_its_feedback_summary_stats_and_update_notices_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    hostile::plant(dir.path(), &hostile::deck(1));

    // Every card answered right, in plain mode on pipes.
    let study = || {
        let mut command = knead(dir.path(), TODAY);
        command.args(["study", "--seed", "1", "--deck", "stranger"]);
        Plain::spawn(command)
    };
    let (asked, shown) = study().answer_all_correctly();
    assert_eq!(asked, 5, "{shown}");
    assert_terminal_safe(shown.as_bytes(), "plain study");
    for escaped in [
        "Stranger ␛]0;PWNED␇ deck report<U+202E>exe.txt",
        "Screen ␛[2J␛[H question ␛]0;PWNED␇",
        "Answer: ␛[31mStop and refer␍Continue as usual",
        "Why: Because ␛]52;c;UFdORUQ=␇",
        "Source: ␛]8;;https://evil.example/␛\\https://www.nhs.uk␛]8;;␛\\",
        "Which source? report<U+202E>exe.txt",
        ". Wrong one ␛[6n",
        "True or false: Reply ␛[6n here",
        "Client: Client report<U+202E>exe.txt",
        "Technique: Technique ␛]0;PWNED␇",
        "Session saved. Reviewed 5, correct 5",
    ] {
        assert!(shown.contains(escaped), "{escaped:?} missing:\n{shown}");
    }

    // Stats name the deck's tags.
    let output = run(knead_with(dir.path(), &["stats"]), "", "stats");
    assert!(text(&output.stdout).contains("red␛[31mflag"));
    let output = run(
        knead_with(dir.path(), &["stats", "--json"]),
        "",
        "stats --json",
    );
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        stats["retention"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "red\x1b[31mflag"),
        "{stats}"
    );

    // A new version, with a changelog note and a withdrawn card: the update notice.
    hostile::plant(dir.path(), &hostile::deck(2));
    let output = run(
        knead_with(dir.path(), &["--plain", "study", "--deck", "stranger"]),
        "q\n",
        "study after an update",
    );
    let shown = text(&output.stdout);
    assert!(
        shown.contains(
            "Updated: Stranger ␛]0;PWNED␇ deck report<U+202E>exe.txt v2: 1 withdrawn (withdrawn ␛]0;PWNED␇)"
        ),
        "{shown}"
    );
    assert!(shown.contains("v2: v2 ␛]52;c;UFdORUQ=␇ notes"), "{shown}");
    assert!(shown.contains("Session saved."), "{shown}");

    // Answers given in any order (wrong ones too) and end of input: stdout and stderr stay safe.
    let output = run(
        knead_with(
            dir.path(),
            &["--plain", "study", "--cram", "--deck", "stranger"],
        ),
        "\n2\n3\nt\n\n1\n1\nu\n4\n\n0\n",
        "cram with mixed answers",
    );
    assert!(text(&output.stdout).contains("Session saved. Crammed"));
}

#[test]
fn a_deck_with_only_bidi_and_zero_width_characters_loads_and_shows_them_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quiet.ron");
    std::fs::write(
        &file,
        "Deck(id: \"quiet\", title: \"Quiet \u{202E}deck\", cards: [\n\
         Basic(id: \"a\", front: \"Hid\u{200B}den?\", back: \"Yes \u{2066}x\u{2069}\", why: \"W\", source: \"S\"),\n\
         ])\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let output = run(
        knead_with(dir.path(), &["check", "--strict", file]),
        "",
        "check --strict",
    );
    assert_eq!(output.status.code(), Some(1), "warnings fail --strict only");

    let output = run(knead_with(dir.path(), &["add", file]), "", "add");
    assert!(output.status.success(), "{}", text(&output.stderr));
    // Wide enough for the title on one line (`knead decks` wraps titles to the width).
    let mut decks = knead_with(dir.path(), &["decks"]);
    decks.env("COLUMNS", "200");
    let shown = text(&run(decks, "", "decks").stdout);
    assert!(shown.contains("Quiet <U+202E>deck"), "{shown}");
    let output = run(
        knead_with(dir.path(), &["--plain", "study", "--deck", "quiet"]),
        "\n5\n",
        "study",
    );
    let shown = text(&output.stdout);
    assert!(shown.contains("Hid<U+200B>den?"), "{shown}");
    assert!(shown.contains("Answer: Yes <U+2066>x<U+2069>"), "{shown}");

    // Export to a pipe is data: exact. (On a terminal it is escaped like any text.)
    let output = knead_with(dir.path(), &["export", "anki", "quiet"])
        .output()
        .unwrap();
    assert!(text(&output.stdout).contains("Hid\u{200B}den?"));
}

#[test]
fn import_refuses_rows_with_such_text_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cards.csv");
    std::fs::write(
        &csv,
        "front,back\nfine,ok\n\"clear \x1b[2J\",ok\nq,\"evil \u{202E}txt\"\n",
    )
    .unwrap();
    let output = run(
        knead_with(
            dir.path(),
            &["import", csv.to_str().unwrap(), "--id", "cards"],
        ),
        "",
        "import",
    );
    assert_eq!(output.status.code(), Some(2));
    let shown = text(&output.stderr);
    assert!(
        shown.contains("error[K218]: the front holds ESC (U+001B)"),
        "{shown}"
    );
    assert!(shown.contains("cards.csv:3:8"), "{shown}");
    assert!(shown.contains("\"clear ␛[2J\",ok"), "{shown}");
    assert!(shown.contains("cards.csv:4:9"), "{shown}");
    assert!(output.stdout.is_empty());
}
