//! `knead export gift` read back by an independent GIFT parser (npm `gift-pegjs`, installed
//! into tools/gift-check by `.ci/run`): every bundled deck's questions, their types and their
//! right answers must be the deck's, and GIFT's special characters must survive.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::knead;
use knead::deck::{Card, Deck, cloze_deletions};
use serde_json::Value;

fn checker_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/gift-check")
}

/// Whether node and gift-pegjs are here: CI must have them (`.ci/run` installs them); a
/// developer's machine may not, and then the test says so and does nothing.
fn parser_available() -> bool {
    let installed = checker_dir().join("node_modules/gift-pegjs").is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must check GIFT exports with gift-pegjs: node or tools/gift-check/node_modules is missing (`.ci/run` runs `npm ci` there)"
        );
        eprintln!(
            "note: skipped: node or gift-pegjs is missing; run `npm ci` in tools/gift-check to check GIFT exports"
        );
    }
    installed
}

/// The deck exported as GIFT by the real binary, then parsed by gift-pegjs.
fn export_and_parse(deck: &Path, work: &Path) -> Vec<Value> {
    let output = work.join("quiz.gift");
    let exported = knead(work, "2026-03-01")
        .args(["export", "gift"])
        .arg(deck)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let said = String::from_utf8_lossy(&exported.stderr);
    let basic = std::fs::read_to_string(deck)
        .unwrap()
        .matches("Basic(")
        .count();
    assert_eq!(
        said.contains("Basic card")
            && said.contains("left out: a Basic card is graded by the student's own recall"),
        basic > 0,
        "the note on left-out Basic cards: {said}"
    );
    let parsed = Command::new("node")
        .arg(checker_dir().join("check.js"))
        .arg(&output)
        .output()
        .unwrap();
    assert!(
        parsed.status.success(),
        "gift-pegjs rejected the export of {}: {}",
        deck.display(),
        String::from_utf8_lossy(&parsed.stderr)
    );
    serde_json::from_slice(&parsed.stdout).unwrap()
}

/// What gift-pegjs should find for `deck`, worked out from the deck alone: (name, type, the
/// right answer's text, how many answers).
fn expected(deck: &Deck) -> Vec<(String, &'static str, String, usize)> {
    let mut questions = Vec::new();
    for card in &deck.cards {
        if card.common().retired.is_some() {
            continue;
        }
        match card {
            Card::Basic(_) => {}
            Card::Choice(c) => questions.push((
                c.id.clone(),
                "MC",
                c.options[c.answer].clone(),
                c.options.len(),
            )),
            Card::TrueFalse(t) => {
                questions.push((t.id.clone(), "TF", t.answer.to_string(), 0));
            }
            Card::Scenario(s) => questions.push((
                s.id.clone(),
                "MC",
                format!("{} — {}", s.verdict.name(), s.verdict.meaning()),
                4,
            )),
            Card::Cloze(c) => {
                let deletions = cloze_deletions(&c.text).unwrap();
                for (part, range) in deletions.iter().enumerate() {
                    let name = if deletions.len() == 1 {
                        c.id.clone()
                    } else {
                        format!("{} (part {} of {})", c.id, part + 1, deletions.len())
                    };
                    questions.push((name, "Short", c.text[range.clone()].trim().to_owned(), 1));
                }
            }
        }
    }
    questions.sort();
    questions
}

/// What gift-pegjs found, in the same terms as [`expected`].
fn found(parsed: &[Value]) -> Vec<(String, &'static str, String, usize)> {
    let mut questions: Vec<_> = parsed
        .iter()
        .filter(|q| q["type"] != "Category")
        .map(|q| {
            let title = q["title"].as_str().unwrap().to_owned();
            match q["type"].as_str().unwrap() {
                "TF" => (title, "TF", q["isTrue"].as_bool().unwrap().to_string(), 0),
                kind @ ("MC" | "Short") => {
                    let choices = q["choices"].as_array().unwrap();
                    let right: Vec<&str> = choices
                        .iter()
                        .filter(|c| c["isCorrect"] == true)
                        .map(|c| c["text"].as_str().unwrap())
                        .collect();
                    assert_eq!(right.len(), 1, "one right answer in {q}");
                    let kind = if kind == "MC" { "MC" } else { "Short" };
                    (title, kind, right[0].to_owned(), choices.len())
                }
                other => panic!("unexpected question type {other}: {q}"),
            }
        })
        .collect();
    questions.sort();
    questions
}

#[test]
fn every_bundled_deck_exports_questions_gift_pegjs_reads_as_the_deck() {
    if !parser_available() {
        return;
    }
    let decks_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("decks");
    let mut checked = 0;
    for entry in std::fs::read_dir(&decks_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("ron") {
            continue;
        }
        let deck = knead::deck::parse(
            &std::fs::read_to_string(&path).unwrap(),
            &path.display().to_string(),
        )
        .unwrap();
        let work = tempfile::tempdir().unwrap();
        let parsed = export_and_parse(&path, work.path());
        let want = expected(&deck);
        assert!(!want.is_empty(), "{} has questions to export", deck.id);
        assert_eq!(found(&parsed), want, "questions of {}", deck.id);
        let categories = parsed.iter().filter(|q| q["type"] == "Category").count();
        assert!(categories >= 1, "{} is filed under a category", deck.id);
        checked += 1;
    }
    assert!(
        checked >= 4,
        "every bundled deck is checked (found {checked})"
    );
}

#[test]
fn gift_special_characters_and_line_breaks_survive_the_round_trip() {
    if !parser_available() {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let deck = work.path().join("special.ron");
    std::fs::write(
        &deck,
        r##"Deck(id: "special", title: "Odd: {chars}", cards: [
            Choice(id: "c", prompt: "Which = right? a ~ b # c {d} e: f \\ g\nsecond line", options: ["x = y", "~tilde", "#hash", "{brace}"], answer: 2, why: "Because: #2 = {right} \\ ok"),
            TrueFalse(id: "t", statement: "Pain 7/10 ~ always: refer {yes}", answer: false, why: "See #3"),
            Cloze(id: "z", text: "A {{= sign}} and a {{colon:}} here."),
        ])"##,
    )
    .unwrap();
    let parsed = export_and_parse(&deck, work.path());
    let question = |name: &str| {
        parsed
            .iter()
            .find(|q| q["title"] == name)
            .unwrap_or_else(|| panic!("{name} in {parsed:?}"))
    };
    let choice = question("c");
    assert_eq!(
        choice["stem"],
        "Which = right? a ~ b # c {d} e: f \\ g\nsecond line"
    );
    let texts: Vec<&str> = choice["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["x = y", "~tilde", "#hash", "{brace}"]);
    for option in choice["choices"].as_array().unwrap() {
        assert_eq!(option["feedback"], "Because: #2 = {right} \\ ok");
    }
    let tf = question("t");
    assert_eq!(tf["stem"], "Pain 7/10 ~ always: refer {yes}");
    assert_eq!(tf["isTrue"], false);
    assert_eq!(tf["feedback"][0], "See #3");
    let first = question("z (part 1 of 2)");
    assert_eq!(first["choices"][0]["text"], "= sign");
    let second = question("z (part 2 of 2)");
    assert_eq!(second["choices"][0]["text"], "colon:");
    assert_eq!(second["stem"], "A = sign and a _____ here.");
}
