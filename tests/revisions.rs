//! Instructors' edits reach students once, as the deck format promises: Typo keeps progress,
//! Clarify brings the card back within a day, Substantive starts it again, retired cards leave
//! study, `replaces` carries history, and a new deck version is announced once.

mod common;

use std::fs;
use std::path::Path;

use common::{Plain, edited_fixture, knead};

fn study(data_dir: &Path, deck: &Path, today: &str, cards: usize) -> String {
    let mut command = knead(data_dir, today);
    command
        .args(["study", "--seed", "1", "--new", "0", "--deck"])
        .arg(deck);
    let mut session = Plain::spawn(command);
    for _ in 0..cards {
        session.answer_correctly();
    }
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    output
}

fn log_lines(data_dir: &Path, item: &str) -> Vec<String> {
    fs::read_to_string(common::journal_path(data_dir))
        .unwrap()
        .lines()
        .filter(|line| line.contains(&format!("item: \"{item}\"")))
        .map(str::to_owned)
        .collect()
}

const EDITS: [(&str, &str); 6] = [
    (
        "version: 1,",
        "version: 2,\n    changelog: {2: \"Clearer wording; the fever card is superseded\"},",
    ),
    (
        "back: \"Back one\",",
        "back: \"Back one.\", rev: 1, change: Typo,",
    ),
    ("answer: 0,\n", "answer: 0, rev: 1, change: Clarify,\n"),
    (
        "answer: false,",
        "answer: false, rev: 1, change: Substantive,",
    ),
    (
        "critical: true),",
        "critical: true, retired: \"superseded by s2\"),",
    ),
    (
        "    ],\n)",
        "        Scenario(id: \"s2\", client: \"Client with a fever of 38.5 C\", technique: \"Swedish massage\", verdict: Refer, why: \"Why\", source: \"Source\", replaces: [\"s1\"]),\n        Basic(id: \"b2\", front: \"New front\", back: \"New back\", why: \"Why\", source: \"Source\"),\n    ],\n)",
    ),
];

#[test]
fn each_kind_of_edit_reaches_progress_once_and_the_update_is_announced_once() {
    let data = tempfile::tempdir().unwrap();
    let decks = tempfile::tempdir().unwrap();
    let original = decks.path().join("mini.ron");
    fs::copy(common::fixture("mini.ron"), &original).unwrap();
    let first = || {
        let mut command = knead(data.path(), "2026-11-01");
        command
            .args(["study", "--seed", "1", "--deck"])
            .arg(&original);
        command
    };
    let mut session = Plain::spawn(first());
    for _ in 0..6 {
        session.answer_correctly();
    }
    assert_eq!(session.finish().0, 0);
    study(data.path(), &original, "2026-11-02", 6);
    // Every item is now due 2026-11-08 (intervals 1, then 6).

    let edited = edited_fixture(decks.path(), "mini.ron", |text| {
        EDITS.iter().fold(text, |text, (from, to)| {
            assert!(text.contains(from), "{from}");
            text.replacen(from, to, 1)
        })
    });
    let check = knead(data.path(), "2026-11-03")
        .args(["check", "--strict"])
        .arg(&edited)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // The substantive change is due again today; nothing else is.
    let output = study(data.path(), &edited, "2026-11-03", 1);
    assert!(
        output.contains("Updated: Mini deck v2: 3 cards corrected, 1 withdrawn (superseded by s2), 2 added\n  v2: Clearer wording; the fever card is superseded"),
        "{output}"
    );
    assert!(
        output.contains("Fibromyalgia is an autoimmune disease."),
        "{output}"
    );

    let typo = log_lines(data.path(), "mini/b1");
    assert!(
        typo[2].contains("kind: Revised(Typo)") && typo[2].contains("due: \"2026-11-08\""),
        "{typo:?}"
    );
    let clarify = log_lines(data.path(), "mini/c1");
    assert!(
        clarify[2].contains("kind: Revised(Clarify)") && clarify[2].contains("due: \"2026-11-04\""),
        "{clarify:?}"
    );
    let substantive = log_lines(data.path(), "mini/t1");
    assert!(
        substantive[2].contains("kind: Revised(Substantive)")
            && substantive[2].contains("repetitions: 0")
            && substantive[2].contains("due: \"2026-11-03\""),
        "{substantive:?}"
    );
    assert!(
        substantive[3].contains("kind: Review") && substantive[3].contains("rev: 1"),
        "{substantive:?}"
    );
    let carried = log_lines(data.path(), "mini/s2");
    assert_eq!(carried.len(), 1, "{carried:?}");
    assert!(
        carried[0].contains("kind: Carried")
            && carried[0].contains("from: Some(\"mini/s1\")")
            && carried[0].contains("due: \"2026-11-08\""),
        "{carried:?}"
    );

    // Next day: only the clarified card is due; no edit applies twice, nothing is announced again.
    let output = study(data.path(), &edited, "2026-11-04", 1);
    assert!(!output.contains("Updated:"), "{output}");
    assert!(output.contains("Pick the right one"), "{output}");
    let log = common::journal(data.path());
    assert_eq!(log.matches("kind: Revised").count(), 3, "{log}");
    assert_eq!(log.matches("kind: Carried").count(), 1, "{log}");

    // The retired card is never asked again; its replacement arrives with its schedule.
    let output = study(data.path(), &edited, "2026-11-08", 5);
    assert!(!output.contains("Client with a fever\n"), "{output}");
    assert!(output.contains("Client with a fever of 38.5 C"), "{output}");
}

#[test]
fn undo_takes_back_an_answer_with_the_revision_notes_logged_after_it() {
    let data = tempfile::tempdir().unwrap();
    let decks = tempfile::tempdir().unwrap();
    let original = decks.path().join("mini.ron");
    fs::copy(common::fixture("mini.ron"), &original).unwrap();
    let mut command = knead(data.path(), "2026-11-01");
    command
        .args(["study", "--seed", "1", "--new-order", "deck", "--deck"])
        .arg(&original);
    let mut session = Plain::spawn(command);
    for _ in 0..6 {
        session.answer_correctly();
    }
    assert_eq!(session.finish().0, 0);
    let edited = edited_fixture(decks.path(), "mini.ron", |text| {
        text.replacen("answer: 0,\n", "answer: 0, rev: 1, change: Clarify,\n", 1)
    });
    // A session that answers nothing still records the revision note.
    study(data.path(), &edited, "2026-11-01", 0);
    let log = || common::journal(data.path());
    assert_eq!(log().lines().count(), 7, "{}", log());
    assert!(
        log()
            .lines()
            .last()
            .unwrap()
            .contains("kind: Revised(Clarify)")
    );

    let undo = knead(data.path(), "2026-11-01")
        .arg("undo")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&undo.stdout);
    assert!(undo.status.success(), "{said}");
    assert!(
        said.starts_with("Undone: your review of mini/s1 on 2026-11-01"),
        "{said}"
    );
    assert_eq!(
        log().lines().count(),
        5,
        "the answer and the note after it: {}",
        log()
    );

    // The next session records the revision again: it has not been lost.
    study(data.path(), &edited, "2026-11-01", 0);
    assert_eq!(
        log().matches("kind: Revised(Clarify)").count(),
        1,
        "{}",
        log()
    );
}

fn write_deck(dir: &Path, id: &str, version: u32, cards: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{id}.ron"));
    fs::write(
        &path,
        format!(
            "Deck(id: \"{id}\", title: \"Deck {id}\", version: {version}, cards: [\n{cards}\n])\n"
        ),
    )
    .unwrap();
    path
}

fn basic(id: &str, front: &str, extra: &str) -> String {
    format!(
        "Basic(id: \"{id}\", front: \"{front}\", back: \"Back of {front}\", why: \"Why {front}\", source: \"Source 2026\"{extra}),"
    )
}

#[test]
fn a_duplicate_retired_in_one_deck_carries_its_history_to_the_copy_kept_in_another() {
    let data = tempfile::tempdir().unwrap();
    let decks = tempfile::tempdir().unwrap();
    let session = |today: &str, decks: &[&Path], answers: usize| {
        let mut command = knead(data.path(), today);
        command.args(["study", "--seed", "1"]);
        for deck in decks {
            command.arg("--deck").arg(deck);
        }
        let mut session = Plain::spawn(command);
        for _ in 0..answers {
            session.answer_correctly();
        }
        let (code, output) = session.finish();
        assert_eq!(code, 0, "{output}");
        output
    };
    let alpha = write_deck(
        decks.path(),
        "alpha",
        1,
        &basic("heat-numb-skin", "Heat on numb skin", ""),
    );
    let beta = write_deck(
        decks.path(),
        "beta",
        1,
        &basic("cold-numb-skin", "Cold on numb skin", ""),
    );
    session("2026-11-01", &[&alpha, &beta], 2);
    // Only the beta copy is answered again: it is the learner's latest knowledge of the fact.
    session("2026-11-02", &[&beta], 1);

    let alpha = write_deck(
        decks.path(),
        "alpha",
        2,
        &basic(
            "heat-numb-skin",
            "Heat on numb skin",
            ", retired: \"duplicate of beta/numb-skin\"",
        ),
    );
    let beta = write_deck(
        decks.path(),
        "beta",
        2,
        &format!(
            "{}\n{}",
            basic(
                "cold-numb-skin",
                "Cold on numb skin",
                ", retired: \"duplicate of beta/numb-skin\""
            ),
            basic(
                "numb-skin",
                "Heat or cold on numb skin",
                ", replaces: [\"alpha/heat-numb-skin\", \"beta/cold-numb-skin\"]"
            )
        ),
    );
    let check = knead(data.path(), "2026-11-03")
        .args(["check", "--strict"])
        .arg(&alpha)
        .arg(&beta)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    let output = session("2026-11-03", &[&alpha, &beta], 0);
    assert!(
        output.contains("Deck alpha v2: 1 merged into the copy that stays (progress carried over)"),
        "{output}"
    );
    let carried = log_lines(data.path(), "beta/numb-skin");
    assert_eq!(carried.len(), 1, "{carried:?}");
    assert!(
        carried[0].contains("kind: Carried")
            && carried[0].contains("from: Some(\"beta/cold-numb-skin\")")
            && carried[0].contains("repetitions: 2")
            && carried[0].contains("due: \"2026-11-08\""),
        "the copy answered last carries on: {carried:?}"
    );
}

#[test]
fn check_follows_references_across_the_decks_it_is_given() {
    let data = tempfile::tempdir().unwrap();
    let decks = tempfile::tempdir().unwrap();
    let alpha = write_deck(
        decks.path(),
        "alpha",
        1,
        &basic("old", "Old card", ", retired: \"duplicate of beta/new\""),
    );
    let beta = write_deck(
        decks.path(),
        "beta",
        1,
        &format!(
            "{}\n{}",
            basic("new", "New card", ", replaces: [\"alpha/missing\"]"),
            basic("other", "Other card", ", contrast: [\"alpha/nowhere\"]")
        ),
    );
    let output = knead(data.path(), "2026-11-03")
        .args(["check", "--format", "json"])
        .arg(&alpha)
        .arg(&beta)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut codes: Vec<String> = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["code"].to_string())
        .collect();
    codes.sort();
    assert_eq!(codes, ["\"K030\"", "\"K047\"", "\"K048\""], "{stdout}");
    assert_eq!(output.status.code(), Some(2));
    // Alone, a deck's references to decks not given are not judged.
    let alone = knead(data.path(), "2026-11-03")
        .args(["check", "--strict"])
        .arg(&beta)
        .output()
        .unwrap();
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stdout)
    );
}

/// The streak counts days with answers. A day on which knead only recorded what a deck
/// revision did (a session opened and closed without answering) is not a day studied, in
/// `knead stats` as in the session summary: both read the store's one count of answers per day.
#[test]
fn a_day_with_only_a_revision_note_does_not_lengthen_the_streak() {
    let data = tempfile::tempdir().unwrap();
    let decks = tempfile::tempdir().unwrap();
    let original = decks.path().join("mini.ron");
    fs::copy(common::fixture("mini.ron"), &original).unwrap();
    let mut command = knead(data.path(), "2026-11-01");
    command
        .args(["study", "--seed", "1", "--deck"])
        .arg(&original);
    let mut session = Plain::spawn(command);
    for _ in 0..6 {
        session.answer_correctly();
    }
    assert_eq!(session.finish().0, 0);
    let edited = edited_fixture(decks.path(), "mini.ron", |text| {
        text.replacen("answer: 0,\n", "answer: 0, rev: 1, change: Clarify,\n", 1)
    });
    // 2026-11-02: the revision is recorded, nothing is answered.
    let output = study(data.path(), &edited, "2026-11-02", 0);
    assert!(
        common::journal(data.path()).contains("day: \"2026-11-02\""),
        "the revision note is logged on the second day"
    );
    assert!(output.contains("Streak: 1 study day in a row."), "{output}");
    let stats = knead(data.path(), "2026-11-02")
        .args(["stats", "--json"])
        .output()
        .unwrap();
    assert!(stats.status.success(), "{stats:?}");
    let json: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(json["streak_days"], 1, "{json}");
}
