//! Commands other than study, and how deck errors reach an instructor.

mod common;

use std::fs;

use assert_cmd::Command;
use common::{edited_fixture, fixture, knead};
use predicates::prelude::*;
use predicates::str::contains;

fn cmd(data_dir: &std::path::Path) -> Command {
    Command::from_std(knead(data_dir, "2026-11-21"))
}

#[test]
fn help_names_every_command_with_examples_and_the_disclaimer_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = cmd(dir.path()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for command in ["study", "status", "decks", "add"] {
        assert!(
            help.contains(&format!("  {command} ")),
            "{command} missing:\n{help}"
        );
        assert!(
            help.contains(&format!("knead {command}")),
            "no example for {command}"
        );
    }
    assert_eq!(help.matches("educational aid").count(), 1, "{help}");
    assert!(help.contains("does not replace clinical"));
    assert!(
        help.lines().count() <= 50,
        "fits one screen: {} lines",
        help.lines().count()
    );
}

#[test]
fn decks_lists_bundled_and_installed_decks_with_card_counts() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success()
        .stdout(contains("Installed deck `mini`"));
    let listing = cmd(dir.path()).arg("decks").output().unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    let mini = listing
        .lines()
        .find(|l| l.starts_with("mini "))
        .expect(&listing);
    // 5 cards, 6 items: the Cloze card's two deletions are asked apart.
    assert!(
        mini.contains(" 5      6  installed  Mini deck (v1)"),
        "{mini}"
    );
    assert!(
        listing.lines().filter(|l| l.contains(" bundled ")).count() >= 1,
        "{listing}"
    );
}

#[test]
fn adding_a_new_version_updates_in_place_and_a_bundled_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("v2")).unwrap();
    let v2 = edited_fixture(&dir.path().join("v2"), "mini.ron", |deck| {
        deck.replace("version: 1", "version: 2")
    });
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    cmd(dir.path())
        .arg("add")
        .arg(&v2)
        .assert()
        .success()
        .stdout(contains("Updated deck `mini` (v1 -> v2)"));
    assert_eq!(fs::read_dir(dir.path().join("decks")).unwrap().count(), 1);

    let bundled = knead::study::collection::bundled().unwrap();
    fs::create_dir_all(dir.path().join("taken")).unwrap();
    let taken = edited_fixture(&dir.path().join("taken"), "mini.ron", |deck| {
        deck.replace("id: \"mini\"", &format!("id: \"{}\"", bundled[0].deck.id))
    });
    cmd(dir.path())
        .arg("add")
        .arg(&taken)
        .assert()
        .code(2)
        .stderr(contains("belongs to a bundled deck").and(contains("help: choose another `id:`")));
}

#[test]
fn a_broken_deck_is_reported_with_file_line_column_caret_and_hint() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("bad")).unwrap();
    let bad = edited_fixture(&dir.path().join("bad"), "mini.ron", |deck| {
        deck.replace("statement:", "statment:")
    });
    let output = cmd(dir.path())
        .args(["study", "--plain", "--deck"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let expected = format!(
        "error[K002]: unknown field `statment` in TrueFalse\n  --> {}:16:29\n",
        bad.display()
    );
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(stderr.contains("^^^^^^^^ not a field here"), "{stderr}");
    assert!(
        stderr.contains("help: did you mean `statement`?"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("1 problem found; fix it and run knead again.\n"),
        "{stderr}"
    );
    assert_eq!(common::journal(dir.path()), "");
}

#[test]
fn every_rule_broken_in_a_deck_is_reported_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ron");
    fs::write(
        &bad,
        r#"Deck(id: "bad", title: "Bad", cards: [
    Choice(id: "c", prompt: "P", options: ["a", "b"], answer: 2),
    Cloze(id: "c", text: "no deletion here"),
])"#,
    )
    .unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(
            contains("error[K013]: answer 2 is out of range: card `c` has 2 options")
                .and(contains("bad.ron:2:63"))
                .and(contains("error[K011]: card id `c` is used twice"))
                .and(contains(
                    "error[K014]: Cloze card `c`: the text has no {{deletion}}",
                ))
                .and(contains("3 problems found")),
        );
    assert!(!dir.path().join("decks").exists(), "nothing installed");
}

#[test]
fn a_missing_deck_file_says_which_path() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .args(["study", "--plain", "--deck", "no-such-deck.ron"])
        .assert()
        .code(2)
        .stderr(contains("could not read no-such-deck.ron").and(contains("help:")));
}
