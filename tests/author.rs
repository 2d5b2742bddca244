//! The instructor's commands through the real binary: check, new and show.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::fixture;
use predicates::prelude::*;
use predicates::str::contains;

/// `knead` run from `dir` (where relative deck paths are), with its data in `dir/data`.
fn knead(dir: &Path) -> Command {
    let mut command = common::knead(&dir.join("data"), "2026-11-21");
    command.current_dir(dir);
    Command::from_std(command)
}

#[test]
fn the_bundled_decks_pass_the_strict_check() {
    let decks = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks");
    let dir = tempfile::tempdir().unwrap();
    knead(dir.path())
        .args(["check", "--strict"])
        .arg(&decks)
        .assert()
        .code(0)
        .stdout(contains(
            "(4 decks, 339 cards, 95 retired): 0 errors, 0 warnings.",
        ));
}

#[test]
fn exit_status_separates_clean_warnings_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let without_why = dir.path().join("draft.ron");
    fs::write(
        &without_why,
        fs::read_to_string(fixture("mini.ron"))
            .unwrap()
            .replace("why: \"Why one\", ", ""),
    )
    .unwrap();
    knead(dir.path())
        .arg("check")
        .arg(fixture("mini.ron"))
        .assert()
        .code(0);
    knead(dir.path())
        .arg("check")
        .arg(&without_why)
        .assert()
        .code(0)
        .stdout(contains("warning[K022]: card `b1` has no `why`"));
    // Under --strict a missing `why` is an error; other advice fails with status 1.
    knead(dir.path())
        .args(["check", "--strict"])
        .arg(&without_why)
        .assert()
        .code(2)
        .stdout(contains("error[K022]"));
    let two_options = dir.path().join("two.ron");
    fs::write(
        &two_options,
        fs::read_to_string(fixture("mini.ron"))
            .unwrap()
            .replace(", \"Wrong B\"", ""),
    )
    .unwrap();
    knead(dir.path())
        .args(["check", "--strict"])
        .arg(&two_options)
        .assert()
        .code(1)
        .stdout(contains("warning[K020]"));
}

#[test]
fn json_lines_carry_code_severity_and_location() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.ron");
    fs::write(
        &broken,
        fs::read_to_string(fixture("mini.ron"))
            .unwrap()
            .replace("answer: 0,", "answer: 5,"),
    )
    .unwrap();
    let output = knead(dir.path())
        .args(["check", "--format", "json", "broken.ron"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let d = &lines[0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "K013");
    assert_eq!(d["file"], "broken.ron");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(12), Some(21))
    );
    assert!(d["help"].as_str().unwrap().contains("counts from 0"));
}

#[test]
fn a_new_deck_passes_the_strict_check_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    knead(dir.path())
        .args(["new", "lupus-basics", "--title", "Lupus \"basics\""])
        .assert()
        .success()
        .stdout(contains("Wrote lupus-basics.ron"));
    let text = fs::read_to_string(dir.path().join("lupus-basics.ron")).unwrap();
    for kind in ["Basic(", "Choice(", "TrueFalse(", "Cloze(", "Scenario("] {
        assert!(text.contains(kind), "{kind} missing from the starter deck");
    }
    knead(dir.path())
        .args(["check", "--strict", "lupus-basics.ron"])
        .assert()
        .code(0)
        .stdout(contains("(1 deck, 5 cards): 0 errors, 0 warnings."));
    knead(dir.path())
        .args(["show", "lupus-basics.ron", "--card", "sle-fatigue"])
        .assert()
        .success()
        .stdout(contains("Lupus \"basics\" (v1) - lupus-basics"));
    knead(dir.path())
        .args(["new", "lupus-basics"])
        .assert()
        .code(1) // refused (see the exit status table)
        .stderr(contains("lupus-basics.ron already exists"))
        .stderr(contains("--force"));
    knead(dir.path())
        .args(["new", "Lupus Basics"])
        .assert()
        .code(2)
        .stderr(contains("for example `lupus-basics`"));
}

#[test]
fn show_prints_cards_as_studied_with_answers_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    knead(dir.path())
        .arg("show")
        .arg(fixture("mini.ron"))
        .assert()
        .success()
        .stdout(contains(
            "[2/5] c1 - Choice\nQ: Pick the right one\n  * 1. Right option\n    2. Wrong A\n    3. Wrong B\nWhy: Why choice\nSource: Source choice",
        ))
        .stdout(contains("Q: Steroids thin the [...1] and cause [...2].\nA1: skin\nA2: bone loss"))
        .stdout(contains("[5/5] s1 - Scenario - SAFETY-CRITICAL\nClient: Client with a fever\nTechnique: Swedish massage\nA: Refer (postpone the session and refer)"));
    knead(dir.path())
        .args([
            "show",
            "red-flags-and-safety",
            "--card",
            "rf-fever-ra-phone-cal",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "deck `red-flags-and-safety` has no card `rf-fever-ra-phone-cal`",
        ))
        .stderr(contains("did you mean `rf-fever-ra-phone-call`?"));
    knead(dir.path())
        .args([
            "show",
            "red-flags-and-safety",
            "--card",
            "rf-fever-ra-phone-call",
        ])
        .assert()
        .success()
        .stdout(
            contains("SAFETY-CRITICAL")
                .and(contains("* 3. Postpone, and ask her to contact her doctor")),
        );
}
