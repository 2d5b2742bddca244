//! The limits on what knead reads, and the cap on repeated diagnostics, through the real
//! binary: each is refused with its code, the limit and the file, and output stays bounded by
//! the input. (No timings: behaviour only. `tools/stress/run.sh` measures time and memory.)

mod common;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::knead;
use knead::deck::diagnostic::{MAX_PER_CODE, WINDOW_CHARS};
use knead::limits::{
    MAX_CARD_BYTES, MAX_CARDS, MAX_CLOZE_DELETIONS, MAX_COLUMNS, MAX_DECK_BYTES, MAX_FIELD_BYTES,
    MAX_IMPORT_BYTES, MAX_TAGS,
};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

const TODAY: &str = "2026-12-01";

fn cmd(data_dir: &Path) -> Command {
    Command::from_std(knead(data_dir, TODAY))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// A deck on one line holding `cards` (RON card expressions).
fn deck_of(cards: &str) -> String {
    format!("Deck(id:\"stress\",title:\"Stress\",cards:[{cards}])\n")
}

fn basic(id: &str, extra: &str) -> String {
    format!("Basic(id:\"{id}\",front:\"q {id}\",back:\"a\",why:\"w\",source:\"s\"{extra}),")
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn a_repeated_mistake_is_shown_fifty_times_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let cards: String = (0..4000)
        .map(|n| basic(&format!("Bad Id {n}"), ""))
        .collect();
    let text = deck_of(&cards);
    let path = write(dir.path(), "bad-ids.ron", &text);

    let output = cmd(dir.path()).arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let out = stdout(&output);
    assert_eq!(
        out.matches("error[K010]").count(),
        MAX_PER_CODE + 1,
        "{out}"
    );
    assert!(
        out.contains("error[K010]: … and 3,950 more K010 errors in"),
        "{out}"
    );
    assert!(out.contains("4000 errors"), "every error is counted: {out}");
    // Fifty windows of the 300 KB line, not fifty copies of it.
    assert!(out.len() < 60 * 1024, "{} bytes", out.len());
    assert!(out.contains("…"));

    let output = cmd(dir.path())
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), MAX_PER_CODE + 1);
    for diagnostic in &lines[..MAX_PER_CODE] {
        let mark = &diagnostic["marks"][0];
        let shown = mark["source_line"].as_str().unwrap();
        assert!(shown.chars().count() <= 3 * WINDOW_CHARS + 2, "{shown}");
        assert_eq!(mark["line"], 1);
        assert!(mark["end_column"].as_u64() > mark["column"].as_u64());
    }
    let summary = &lines[MAX_PER_CODE];
    assert_eq!(summary["code"], "K010");
    assert_eq!(summary["omitted"], 3950);
    assert_eq!(summary["marks"].as_array().unwrap().len(), 0);
}

#[test]
fn a_deck_file_over_the_size_limit_is_refused_by_check_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = deck_of(&basic("ok", ""));
    text.push_str(&" ".repeat(MAX_DECK_BYTES + 1 - text.len()));
    let path = write(dir.path(), "big.ron", &text);
    cmd(dir.path())
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stdout(contains("error[K050]").and(contains("more than the 10 MB a deck file may hold")));
    cmd(dir.path())
        .arg("show")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains("K050"));
    // One byte less is read.
    text.pop();
    let path = write(dir.path(), "just-fits.ron", &text);
    cmd(dir.path()).arg("check").arg(&path).assert().success();
}

#[test]
fn a_card_over_the_size_limit_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let why = "w".repeat(MAX_CARD_BYTES);
    let small = basic("small", "");
    let text = format!(
        "Deck(\n    id: \"stress\",\n    title: \"Stress\",\n    cards: [\n        {small}\n        \
         Basic(id:\"Big Card\",front:\"q\",back:\"a\",source:\"s\",why:\"{why}\"),\n    ],\n)\n",
    );
    let path = write(dir.path(), "big-card.ron", &text);
    cmd(dir.path())
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stdout(
            contains("error[K051]: card `Big Card` holds 16,")
                .and(contains("more than the 16 KB a card may hold"))
                .and(contains("big-card.ron:6:"))
                // Its other problems are not checked.
                .and(contains("K010").not()),
        );
}

#[test]
fn a_cloze_may_have_fifty_deletions_and_show_prints_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let cloze = |n: usize| {
        let text: String = (0..n).map(|i| format!("word {{{{d{i}}}}} ")).collect();
        deck_of(&format!(
            "Cloze(id:\"many\",text:\"{text}\",why:\"w\",source:\"s\"),"
        ))
    };
    let fits = write(dir.path(), "fifty.ron", &cloze(MAX_CLOZE_DELETIONS));
    let output = cmd(dir.path()).arg("show").arg(&fits).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let out = stdout(&output);
    assert_eq!(out.matches("[...").count(), MAX_CLOZE_DELETIONS);
    assert!(out.contains("A50: d49"), "{out}");
    // The text once, not once per deletion.
    assert!(out.len() < 3 * fs::metadata(&fits).unwrap().len() as usize);

    let over = write(dir.path(), "over.ron", &cloze(MAX_CLOZE_DELETIONS + 1));
    cmd(dir.path())
        .arg("check")
        .arg(&over)
        .assert()
        .code(2)
        .stdout(contains(
            "error[K052]: Cloze card `many` has 51 deletions, more than the 50",
        ));
    cmd(dir.path())
        .arg("show")
        .arg(&over)
        .assert()
        .code(2)
        .stderr(contains("K052"));
}

#[test]
fn a_deck_holds_at_most_fifty_thousand_cards() {
    let dir = tempfile::tempdir().unwrap();
    let mut cards = String::new();
    for n in 0..=MAX_CARDS {
        write!(cards, "Basic(id:\"c{n}\",front:\"q{n}\",back:\"a\"),").unwrap();
    }
    let path = write(dir.path(), "many.ron", &deck_of(&cards));
    cmd(dir.path())
        .args(["check", "--format", "json"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout(contains(
            "\"message\":\"the deck has 50,001 cards, more than the 50,000 a deck may hold\"",
        ));
}

#[test]
fn a_card_has_at_most_thirty_two_tags() {
    let dir = tempfile::tempdir().unwrap();
    let tags: Vec<String> = (0..=MAX_TAGS).map(|n| format!("\"t{n}\"")).collect();
    let path = write(
        dir.path(),
        "tags.ron",
        &deck_of(&basic("tagged", &format!(",tags:[{}]", tags.join(",")))),
    );
    cmd(dir.path())
        .arg("check")
        .arg(&path)
        .assert()
        .code(2)
        .stdout(contains(
            "error[K054]: card `tagged` has 33 tags, more than the 32 a card may have",
        ));
}

fn import(dir: &Path, name: &str, text: &str) -> std::process::Output {
    let path = write(dir, name, text);
    cmd(dir)
        .args(["import", "--id", "stress"])
        .arg(path)
        .output()
        .unwrap()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn a_wide_row_is_one_problem_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let wide: String = (0..100_000).map(|n| format!(",c{n}")).collect();
    let output = import(
        dir.path(),
        "wide.csv",
        &format!("front,back{wide}\nq,a{wide}\n"),
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    assert!(
        err.contains("error[K220]: this row has 100,002 fields, more than the 64 a row may have"),
        "{err}"
    );
    assert!(err.contains("wide.csv:1:"), "{err}");
    assert!(err.len() < 4 * 1024, "{} bytes", err.len());
    assert!(output.stdout.is_empty());

    // The same in a data row of an Anki file.
    let row: String = (0..=MAX_COLUMNS).map(|n| format!("f{n}\t")).collect();
    let output = import(
        dir.path(),
        "wide.txt",
        &format!("#separator:tab\nq\ta\n{row}\n"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("error[K220]"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("wide.txt:3:"));
}

#[test]
fn imported_fields_cards_tags_rows_and_files_have_limits() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "field.csv",
            format!("front,back\nq,{}\n", "x".repeat(MAX_FIELD_BYTES + 1)),
            "error[K221]: field 2 is 65,537 bytes long, more than the 64 KB a field may hold",
        ),
        (
            "card.csv",
            format!("front,back,why\nq,a,{}\n", "x".repeat(MAX_CARD_BYTES)),
            "error[K222]: this row holds 16,386 bytes of text, more than the 16 KB a card may hold",
        ),
        (
            "tags.csv",
            format!(
                "front,back,tags\nq,a,{}\n",
                (0..=MAX_TAGS)
                    .map(|n| format!("t{n}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            "error[K224]: this row has 33 tags, more than the 32 a card may have",
        ),
        (
            "tags.txt",
            format!(
                "#separator:tab\n#tags:{}\nq\ta\n",
                (0..=MAX_TAGS)
                    .map(|n| format!("t{n}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            "error[K224]: the `#tags` header names 33 tags, more than the 32 a card may have",
        ),
        (
            "rows.csv",
            std::iter::once("front,back\n".to_owned())
                .chain((0..=MAX_CARDS).map(|n| format!("q{n},a\n")))
                .collect(),
            "error[K223]: the file has more than 50,000 rows, the most a deck may hold",
        ),
    ];
    for (name, text, message) in cases {
        let output = import(dir.path(), name, &text);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let err = stderr(&output);
        assert!(err.contains(message), "{name}: {err}");
        assert!(
            err.contains(&format!("{name}:")),
            "{name} is located: {err}"
        );
        assert!(output.stdout.is_empty());
    }

    let mut huge = "front,back\n".to_owned();
    huge.push_str(&"q,a\n".repeat((MAX_IMPORT_BYTES - huge.len()) / 4 + 1));
    let output = import(dir.path(), "huge.csv", &huge);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("huge.csv: the file is 10,485,"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("more than the 10 MB knead imports"));
}

#[test]
fn import_lists_fifty_rejected_rows_of_a_kind_then_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("front,back\n{}ok,fine\n", ",no front\n".repeat(3000));
    let output = import(dir.path(), "empty-fronts.csv", &text);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert_eq!(
        err.matches("error[K204]").count(),
        MAX_PER_CODE + 1,
        "{err}"
    );
    assert!(err.contains("… and 2,950 more K204 errors in"), "{err}");
    assert!(err.contains("3000 problems found"), "{err}");

    // Under --skip-invalid the good row is imported and the rejected ones are capped warnings.
    let path = dir.path().join("empty-fronts.csv");
    let output = cmd(dir.path())
        .args(["import", "--id", "stress", "--skip-invalid"])
        .arg(path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let err = stderr(&output);
    assert_eq!(
        err.matches("warning[K204]").count(),
        MAX_PER_CODE + 1,
        "{err}"
    );
    assert!(err.contains("3000 rows skipped"), "{err}");
}

#[test]
fn twenty_thousand_rows_with_one_front_get_numbered_ids() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "front,back\n".to_owned();
    for n in 0..20_000 {
        writeln!(text, "What is SLE?,answer {n}").unwrap();
    }
    let output = import(dir.path(), "same.csv", &text);
    assert!(output.status.success(), "{output:?}");
    let deck = knead::deck::parse(&stdout(&output), "out.ron").unwrap();
    let ids: Vec<&str> = deck.cards.iter().map(|c| c.id()).collect();
    assert_eq!(ids[..3], ["what-is-sle", "what-is-sle-2", "what-is-sle-3"]);
    assert_eq!(ids.last(), Some(&"what-is-sle-20000"));
}

#[test]
fn an_exam_date_more_than_five_years_ahead_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .args(["study", "--plain", "--exam", "2031-12-02"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(
            contains("the exam date 2031-12-02 is more than 5 years ahead")
                .and(contains("give a date up to 2031-12-01")),
        );
    // Exam plans are kept per device, in `exam/<device>.ron`.
    let plans = || {
        fs::read_dir(dir.path().join("exam"))
            .map(|entries| entries.count())
            .unwrap_or(0)
    };
    assert_eq!(plans(), 0);
    cmd(dir.path())
        .args(["study", "--plain", "--exam", "2031-12-01"])
        .write_stdin("q\n")
        .assert()
        .success();
    assert_eq!(plans(), 1);
}

#[test]
fn stats_projects_an_old_far_away_exam_plan_over_a_year() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("exam.ron"),
        "(date: \"9999-01-01\", max_per_day: 200)\n",
    )
    .unwrap();
    let output = cmd(dir.path()).args(["stats", "--json"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stats: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let loads = stats["exam"]["expected_per_day"].as_array().unwrap();
    assert_eq!(loads.len(), knead::limits::EXAM_PROJECTION_DAYS);
    assert_eq!(loads[0]["day"], TODAY);
    cmd(dir.path())
        .args(["stats", "--width", "80"])
        .assert()
        .success()
        .stdout(contains("Expected cards per day for the next 366 days"));
}

#[test]
fn hidden_characters_are_reported_fifty_times_then_counted() {
    let dir = tempfile::tempdir().unwrap();
    let hidden = "\u{200b}".repeat(200);
    let path = write(
        dir.path(),
        "hidden.ron",
        &deck_of(&basic("hidden", &format!(",tags:[\"a{hidden}\"]"))),
    );
    let output = cmd(dir.path())
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .filter(|d: &Value| d["code"] == "K042")
        .collect();
    assert_eq!(lines.len(), MAX_PER_CODE + 1, "{}", stdout(&output));
    assert_eq!(lines[MAX_PER_CODE]["omitted"], 150);
}
