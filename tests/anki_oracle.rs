//! Anki itself as the oracle: knead's `.apkg` imported by Anki's backend (the PyPI `anki`
//! package), and a package made with Anki's API imported by knead. The interpreter of a
//! virtual environment with `anki` installed is named by KNEAD_ANKI_PYTHON (`.ci/run` makes
//! one). Without it the tests fail under CI=true, and are skipped with a note otherwise.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use common::{edited_fixture, fixture, knead};
use knead::deck::{self, Card};
use serde_json::Value;

fn cmd(data_dir: &Path) -> Command {
    Command::from_std(knead(data_dir, "2026-11-21"))
}

/// The Python with `anki`, or `None` (after a note) when it is not set up outside CI.
fn anki_python() -> Option<PathBuf> {
    match std::env::var_os("KNEAD_ANKI_PYTHON") {
        Some(python) => Some(PathBuf::from(python)),
        None if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!(
                "KNEAD_ANKI_PYTHON is not set: .ci/run makes the Anki virtual environment and sets it"
            )
        }
        None => {
            eprintln!(
                "note: skipped, KNEAD_ANKI_PYTHON is not set (python3 -m venv target/anki-venv && target/anki-venv/bin/pip install anki==26.9.3, then KNEAD_ANKI_PYTHON=target/anki-venv/bin/python)"
            );
            None
        }
    }
}

fn oracle(python: &Path, args: &[&Path], command: &str) -> std::process::Output {
    let output = StdCommand::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/anki/oracle.py"))
        .arg(command)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn anki_import(python: &Path, packages: &[&Path]) -> Value {
    serde_json::from_slice(&oracle(python, packages, "import").stdout).unwrap()
}

/// Exports `decks` as if the clock read `clock` (seconds since 1970): Anki updates a note
/// only from a newer one.
fn export(dir: &Path, decks: &[&Path], name: &str, clock: u64) -> PathBuf {
    let package = dir.join(name);
    cmd(dir)
        .env("KNEAD_CLOCK", clock.to_string())
        .args(["export", "apkg"])
        .args(decks)
        .arg("-o")
        .arg(&package)
        .assert()
        .success();
    package
}

fn note<'a>(collection: &'a Value, guid: &str) -> &'a Value {
    collection["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["guid"] == guid)
        .unwrap_or_else(|| panic!("no note {guid} in {collection:#}"))
}

#[test]
fn anki_imports_knead_s_package_and_a_corrected_one_updates_in_place() {
    let Some(python) = anki_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let first = export(
        dir.path(),
        &[&fixture("mini.ron"), &fixture("tagged.ron")],
        "first.apkg",
        1_764_000_000,
    );
    let corrected_deck = edited_fixture(dir.path(), "mini.ron", |text| {
        text.replace("back: \"Back one\"", "back: \"Back one, corrected\"")
    });
    let corrected = export(
        dir.path(),
        &[&corrected_deck],
        "corrected.apkg",
        1_764_086_400,
    );

    let collection = anki_import(&python, &[&first]);
    let imports = collection["imports"].as_array().unwrap();
    assert_eq!(imports[0]["new"], 11, "{collection:#}");
    // 10 Basic-like notes and two Cloze notes of two deletions: each deletion is a card.
    assert_eq!(collection["card_count"], 13);
    let cloze = note(&collection, "knead:mini/z1");
    assert_eq!(cloze["note_type"], "knead Cloze");
    assert_eq!(cloze["cards"], serde_json::json!([0, 1]));
    assert_eq!(
        cloze["fields"]["Text"],
        "Steroids thin the {{c1::skin}} and cause {{c2::bone loss}}."
    );
    assert_eq!(cloze["fields"]["Back Extra"], "");
    assert_eq!(cloze["fields"]["Why"], "Why cloze");
    let basic = note(&collection, "knead:mini/b1");
    assert_eq!(basic["note_type"], "knead");
    assert_eq!(basic["fields"]["Front"], "Front one");
    assert_eq!(basic["fields"]["Back"], "Back one");
    assert_eq!(basic["fields"]["Source"], "Source one");
    assert_eq!(basic["decks"], serde_json::json!(["Mini deck"]));
    let critical = note(&collection, "knead:tagged/dvt-calf");
    assert_eq!(
        critical["tags"],
        serde_json::json!(["knead::critical", "red-flag"])
    );
    assert_eq!(critical["decks"], serde_json::json!(["Tagged deck"]));
    let choice = note(&collection, "knead:mini/c1");
    assert!(
        choice["fields"]["Front"]
            .as_str()
            .unwrap()
            .contains("<ul class=knead-options><li>Right option</li>")
    );
    assert_eq!(choice["fields"]["Back"], "Right option");
    // Anki's own check finds nothing to repair.
    assert_eq!(collection["integrity"], "Database rebuilt and optimized.");

    let again = anki_import(&python, &[&first, &corrected]);
    let second = &again["imports"][1];
    // Every note of the newer export updates its note (Anki compares modification times).
    assert_eq!(second["updated"], 5, "{again:#}");
    assert_eq!(second["new"], 0);
    assert_eq!(second["conflicting"], 0);
    assert_eq!(again["notes"].as_array().unwrap().len(), 11);
    assert_eq!(
        note(&again, "knead:mini/b1")["fields"]["Back"],
        "Back one, corrected"
    );
}

#[test]
fn knead_imports_a_package_anki_made() {
    let Some(python) = anki_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("anki.apkg");
    oracle(&python, &[&package], "make");
    let out = dir.path().join("out.ron");
    let output = cmd(dir.path())
        .arg("import")
        .arg(&package)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("Imported 5 cards into deck `massage-pathology`"),
        "{stderr}"
    );
    let deck = deck::parse(&fs::read_to_string(&out).unwrap(), "out.ron").unwrap();
    assert_eq!(deck.title, "Pathology");
    let summary: Vec<String> = deck
        .cards
        .iter()
        .map(|card| match card {
            Card::Basic(b) => format!(
                "{}: {} / {} / {:?} / {:?}",
                b.id, b.front, b.back, b.why, b.tags
            ),
            Card::Cloze(c) => format!("{}: {} / {:?}", c.id, c.text, c.why),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "what-is-sle: What is SLE? / An autoimmune disease / None / [\"lupus\"]",
            "raynaud-s: Raynaud's / Fingers blanch in the cold / None / []",
            "raynaud-s-reverse: Fingers blanch in the cold / Raynaud's / None / []",
            "sle-is-autoimmune-and-chronic: SLE is {{autoimmune}} and {{chronic}}. / None",
            "fever: Fever? / Refer / Some(\"Massage spreads infection\") / [\"red-flag\"]",
        ]
    );
}

/// Anki's whole-collection "Notes in Plain Text" export of the same collection: every note
/// becomes a card, and what the text format cannot carry is reported.
#[test]
fn knead_imports_anki_s_plain_text_export_of_a_whole_collection() {
    let Some(python) = anki_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("anki.apkg");
    oracle(&python, &[&package], "make");
    let text = dir.path().join("notes.txt");
    oracle(&python, &[&package, &text], "text");
    let output = cmd(dir.path()).arg("import").arg(&text).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let deck = deck::parse(&String::from_utf8(output.stdout).unwrap(), "out.ron").unwrap();
    let kinds: Vec<&str> = deck.cards.iter().map(Card::kind).collect();
    assert_eq!(kinds, ["Basic", "Basic", "Cloze", "Basic"]);
    let Card::Cloze(cloze) = &deck.cards[2] else {
        panic!()
    };
    assert_eq!(cloze.text, "SLE is {{autoimmune}} and {{chronic}}.");
    for expected in [
        "warning[K217]",
        "1 note of a reversed note type",
        "warning[K212]",
        "the text of field 6 is left out",
        "Imported 4 cards",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

/// A collection whose cards Anki's own scheduler answered (graduated, moved by hand, lapsed
/// into relearning, in a learning step, suspended, new), exported with scheduling: with
/// `--progress` each knead item continues on the interval, ease and due day Anki holds, and
/// lists Anki's review log rows as its history.
#[test]
fn knead_import_progress_continues_the_schedule_anki_made() {
    let Some(python) = anki_python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let package = dir.path().join("reviewed.apkg");
    // One time zone for both, so that both read the same study days.
    let output = StdCommand::new(&python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/anki/oracle.py"))
        .arg("reviewed")
        .arg(&package)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let anki: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let out = dir.path().join("lupus.ron");
    let import = || {
        let output = cmd(&data)
            .env("TZ", "UTC")
            .args(["import", "--id", "lupus", "--progress", "--force", "-o"])
            .arg(&out)
            .arg(&package)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    let stderr = import();
    assert!(
        stderr.contains("4 card schedules and 8 reviews brought into"),
        "{stderr}"
    );
    cmd(&data).arg("add").arg(&out).assert().success();
    let deck = deck::parse(&fs::read_to_string(&out).unwrap(), "lupus.ron").unwrap();
    let ids: Vec<&str> = deck.cards.iter().map(Card::id).collect();
    assert_eq!(
        ids,
        [
            "what-is-sle",
            "raynaud-s",
            "raynaud-s-reverse",
            "sle-is-autoimmune-and-chronic"
        ]
    );
    for card in &anki {
        let (name, part) = match (
            card["note"].as_str().unwrap(),
            card["ord"].as_u64().unwrap(),
        ) {
            ("What is SLE?", 0) => ("what-is-sle", 0),
            ("Raynaud's", 0) => ("raynaud-s", 0),
            ("Raynaud's", 1) => ("raynaud-s-reverse", 0),
            (_, ord) => ("sle-is-autoimmune-and-chronic", ord as usize),
        };
        let output = cmd(&data)
            .args(["card", &format!("lupus/{name}"), "--json"])
            .output()
            .unwrap();
        assert!(output.status.success());
        let info: Value = serde_json::from_slice(&output.stdout).unwrap();
        let item = &info["items"][part];
        let progress = &item["progress"];
        if card["type"] == 0 {
            assert_eq!(*progress, Value::Null, "{card:#}");
            continue;
        }
        let interval = match card["type"].as_u64().unwrap() {
            1 => 0,
            3 => 1,
            _ => card["ivl"].as_u64().unwrap(),
        };
        let factor = card["factor"].as_f64().unwrap();
        let easiness = if factor == 0.0 {
            2.5
        } else {
            (factor / 1000.0).max(1.3)
        };
        assert_eq!(progress["interval_days"], interval, "{card:#}\n{item:#}");
        assert_eq!(progress["easiness"].as_f64(), Some(easiness), "{card:#}");
        assert_eq!(progress["due"], card["due_date"], "{card:#}\n{item:#}");
        assert_eq!(progress["lapses"], card["lapses"], "{card:#}");
        let history: Vec<&Value> = item["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|entry| entry["kind"].get("Anki"))
            .map(|anki| &anki["revlog"])
            .collect();
        let revlog: Vec<&Value> = card["revlog"].as_array().unwrap().iter().collect();
        assert_eq!(history, revlog, "{card:#}");
    }
    let again = import();
    assert!(again.contains("already imported: 8 reviews"), "{again}");
}
