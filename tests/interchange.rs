//! `knead import` and `knead export` over the real binary.

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use common::{fixture, knead};
use knead::deck::{self, Card, Deck};
use predicates::str::contains;

fn cmd(data_dir: &Path) -> Command {
    Command::from_std(knead(data_dir, "2026-11-21"))
}

fn interchange_fixture(name: &str) -> std::path::PathBuf {
    fixture(&format!("interchange/{name}"))
}

fn basic(card: &Card) -> &deck::Basic {
    match card {
        Card::Basic(basic) => basic,
        other => panic!("not a Basic card: {other:?}"),
    }
}

#[test]
fn a_spreadsheet_with_quotes_and_line_breaks_becomes_a_deck_knead_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let csv = interchange_fixture("spreadsheet.csv");
    let output = cmd(dir.path())
        .args(["import", "--id", "lupus", "--title", "Lupus basics"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let ron = String::from_utf8(output.stdout).unwrap();
    let deck = deck::parse(&ron, "stdout").unwrap();
    assert_eq!(
        (deck.id.as_str(), deck.title.as_str()),
        ("lupus", "Lupus basics")
    );
    let first = basic(&deck.cards[0]);
    assert_eq!(first.id, "what-is-sle");
    assert_eq!(
        first.back,
        "A chronic autoimmune disease\nthat can affect many organs"
    );
    assert_eq!(
        first.why.as_deref(),
        Some("It explains why a flare brings fever, not only sore joints")
    );
    assert_eq!(first.source.as_deref(), Some("Lupus Foundation of America"));
    assert_eq!(first.tags, ["lupus", "autoimmune"]);
    let second = basic(&deck.cards[1]);
    assert_eq!(second.id, "is-deep-pressure-safe-on-a-hot-swollen-joint");
    assert_eq!(
        second.front,
        "Is \"deep\" pressure safe on a hot, swollen joint?"
    );
    assert_eq!(second.why, None);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("warning[K210]: tag `Lupus` becomes `lupus`"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("Imported 2 cards into deck `lupus`.\n"),
        "{stderr}"
    );

    // Written to a file, the deck installs (which checks it), and is not overwritten by accident.
    let out = dir.path().join("lupus.ron");
    let import_to_file = |force: bool| {
        let mut command = cmd(dir.path());
        command
            .args(["import", "--id", "lupus", "-o"])
            .arg(&out)
            .arg(&csv);
        if force {
            command.arg("--force");
        }
        command.assert()
    };
    import_to_file(false)
        .success()
        .stdout("")
        .stderr(contains("Imported 2 cards into deck `lupus` ("));
    cmd(dir.path()).arg("add").arg(&out).assert().success();
    fs::write(&out, "edited by hand").unwrap();
    import_to_file(false)
        .code(i32::from(knead::error::exit::REFUSED))
        .stderr(contains("already exists"))
        .stderr(contains(
            "help: choose another file with `-o`, or pass `--force` to replace it",
        ));
    assert_eq!(fs::read_to_string(&out).unwrap(), "edited by hand");
    import_to_file(true).success();
    assert_eq!(
        deck::parse(&fs::read_to_string(&out).unwrap(), "o")
            .unwrap()
            .cards
            .len(),
        2
    );
}

const BAD_ROWS_REPORT: &str = r#"error[K204]: this row has an empty front
 --> BAD:3:1
  |
3 | ,A back without a front,,,
  | ^ no question here
  |
  = help: write the question in the front column, or delete the row
error[K205]: this row has an empty back
 --> BAD:4:13
  |
4 | What is RA?,,,,ra
  |             ^ no answer here
  |
  = help: write the answer in the back column, or delete the row
error[K203]: this row has 3 fields; the header has 5 (front, back, why, source, tags)
 --> BAD:5:1
  |
5 | Only three,fields,here
  | ^ row here
  |
  = help: put a field that contains the separator `,` in double quotes ("Fever, chills"); leave a field empty rather than leaving it out
error[K206]: the front field is not UTF-8 text
 --> BAD:6:5
  |
6 | "caf� au lait spots?",Skin marks,,,
  |     ^ this byte is not UTF-8
  |
  = help: save the spreadsheet as "CSV UTF-8" (in LibreOffice, choose the character set "Unicode (UTF-8)")
error[K214]: this quote is never closed
 --> BAD:7:19
  |
7 | Fever and a rash?,"Refer, and
  |                   ^ opens a quoted field that runs to the end of the file
  |
  = help: close the quoted field with "; a quote inside a quoted field is written twice: ""
5 problems found; fix them and run knead again.
"#;

#[test]
fn every_bad_row_is_reported_where_it_is_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad = interchange_fixture("bad-rows.csv");
    let out = dir.path().join("out.ron");
    let output = cmd(dir.path())
        .args(["import", "--id", "bad", "-o"])
        .arg(&out)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        BAD_ROWS_REPORT.replace("BAD", &bad.display().to_string())
    );
    assert!(!out.exists());

    // --skip-invalid keeps the good row and still lists the others, as warnings.
    let output = cmd(dir.path())
        .args(["import", "--id", "bad", "--skip-invalid", "-o"])
        .arg(&out)
        .arg(&bad)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.matches("warning[K2").count(), 5, "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    assert!(
        stderr.ends_with("; 5 rows skipped (listed above).\n"),
        "{stderr}"
    );
    let deck = deck::parse(&fs::read_to_string(&out).unwrap(), "out.ron").unwrap();
    assert_eq!(deck.cards.len(), 1);
    assert_eq!(deck.cards[0].id(), "what-is-sle");
}

#[test]
fn an_anki_export_with_headers_and_html_becomes_text_cards() {
    let dir = tempfile::tempdir().unwrap();
    let output = cmd(dir.path())
        .args(["import", "--id", "lupus"])
        .arg(interchange_fixture("anki-notes.txt"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let deck = deck::parse(&String::from_utf8(output.stdout).unwrap(), "stdout").unwrap();
    assert_eq!(deck.title, "Lupus::Basics");
    let sle = basic(&deck.cards[0]);
    assert_eq!(sle.id, "sle-definition");
    assert_eq!(sle.front, "What is SLE?");
    assert_eq!(sle.back, "An autoimmune disease\nof many organs & systems");
    assert_eq!(sle.why.as_deref(), Some("Flares bring fever"));
    assert_eq!(sle.tags, ["lupus-basics"]);
    let flare = basic(&deck.cards[1]);
    assert_eq!(flare.id, "sle-flare");
    assert_eq!(flare.front, "\"Butterfly\" rash?");
    assert_eq!(flare.back, "A sign of a flare\nRefer if new");
    assert_eq!(flare.tags, ["lupus", "red-flag"]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "warning[K217]: the image `rash.png` is left out: knead cards hold text only"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("anki-notes.txt:8:45"), "{stderr}");
}

fn import_back(dir: &Path, file: &Path, id: &str) -> Deck {
    let output = cmd(dir)
        .args(["import", "--id", id])
        .arg(file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8(output.stderr).unwrap().lines().count(),
        1,
        "only the summary line: no warning"
    );
    deck::parse(&String::from_utf8(output.stdout).unwrap(), "stdout").unwrap()
}

#[test]
fn a_bundled_deck_comes_back_from_its_anki_export() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("red-flags.txt");
    cmd(dir.path())
        .args(["export", "anki", "red-flags-and-safety", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout("")
        .stderr(contains("Wrote 70 cards of `red-flags-and-safety` to "));
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.starts_with(
        "#separator:tab\n#html:true\n#notetype:Basic\n#deck:Contraindications, red flags and safe practice\n#guid column:1\n#tags column:4\nknead:red-flags-and-safety/rf-fever-biologic-client\t"
    ));
    assert_eq!(text.lines().count(), 6 + 70);

    let original = knead::study::collection::bundled()
        .unwrap()
        .into_iter()
        .find(|d| d.deck.id == "red-flags-and-safety")
        .unwrap()
        .deck;
    let again = import_back(dir.path(), &file, "red-flags-and-safety");
    assert_eq!(again.title, original.title);
    // Retired cards are not exported: they are not studied.
    let studied: Vec<_> = original
        .cards
        .iter()
        .filter(|c| c.common().retired.is_none())
        .collect();
    assert_eq!(again.cards.len(), studied.len());
    let mut basics = 0;
    for (card, back) in studied.into_iter().zip(&again.cards) {
        let common = card.common();
        let back = basic(back);
        assert_eq!(back.id, common.id);
        assert_eq!(back.why.as_deref(), common.why);
        assert_eq!(back.source.as_deref(), common.source);
        assert_eq!(back.tags, common.tags);
        assert_eq!(back.critical, common.critical);
        if let Card::Basic(original) = card {
            // Revision history and links to other cards are the author's bookkeeping: Anki's
            // text format has no place for them.
            let studied = knead::deck::Basic {
                rev: 0,
                change: None,
                replaces: Vec::new(),
                contrast: Vec::new(),
                ..original.clone()
            };
            assert_eq!(*back, studied);
            basics += 1;
        }
    }
    assert_eq!(basics, 16);
}

#[test]
fn every_card_kind_comes_back_as_its_question_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let output = cmd(dir.path())
        .args(["export", "anki"])
        .arg(fixture("mini.ron"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let file = dir.path().join("mini.txt");
    fs::write(&file, &output.stdout).unwrap();
    let again = import_back(dir.path(), &file, "mini");
    let faces: Vec<_> = again
        .cards
        .iter()
        .map(|c| {
            let b = basic(c);
            (
                b.id.as_str(),
                b.front.as_str(),
                b.back.as_str(),
                b.why.as_deref(),
                b.critical,
            )
        })
        .collect();
    assert_eq!(
        faces,
        [
            ("b1", "Front one", "Back one", Some("Why one"), false),
            (
                "c1",
                "Pick the right one\n\n1. Right option\n2. Wrong A\n3. Wrong B",
                "1. Right option",
                Some("Why choice"),
                false
            ),
            (
                "t1",
                "True or false: Fibromyalgia is an autoimmune disease.",
                "False",
                Some("Why tf"),
                false
            ),
            (
                "z1",
                "Steroids thin the [...] and cause [...].",
                "Steroids thin the skin and cause bone loss.",
                Some("Why cloze"),
                false
            ),
            (
                "s1",
                "Client: Client with a fever\nTechnique: Swedish massage\nWhich verdict applies: Suitable, Adapt, Avoid or Refer?",
                "Refer (postpone the session and refer)",
                Some("Why scenario"),
                true
            ),
        ]
    );
}

#[test]
fn a_markdown_handout_groups_cards_by_tag_and_marks_critical_ones() {
    let dir = tempfile::tempdir().unwrap();
    let output = cmd(dir.path())
        .args(["export", "markdown", "red-flags-and-safety"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let handout = String::from_utf8(output.stdout).unwrap();
    assert!(handout.starts_with(
        "# Contraindications, red flags and safe practice\n\nRecognise the red flags that mean stop and refer"
    ));
    assert!(handout.contains("*70 cards from the knead deck `red-flags-and-safety`, version 2."));
    assert_eq!(handout.matches("\n**Answer:** ").count(), 70);
    let headings: Vec<_> = handout.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(headings[0], "## red-flag");
    assert_eq!(
        headings.len(),
        headings
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        "each tag once"
    );
    assert!(handout.contains(
        "**1.** ⚠ **SAFETY-CRITICAL** Client: A client with lupus who takes a TNF inhibitor"
    ));
    assert!(handout.contains("*Also under:* rf-fever, lupus, medication, swedish\n"));

    let file = dir.path().join("handout.md");
    cmd(dir.path())
        .args(["export", "markdown", "red-flags-and-safety", "-o"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(fs::read_to_string(&file).unwrap(), handout);
}

#[test]
fn an_unknown_deck_or_an_id_that_is_not_a_slug_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .args(["export", "anki", "red-flags"])
        .assert()
        .code(2)
        .stderr(contains("error: no deck `red-flags`"))
        .stderr(contains("help: did you mean `red-flags-and-safety`? (`knead decks` lists the decks; a path to a .ron file works too)"));
    cmd(dir.path())
        .args(["import", "--id", "My Deck"])
        .arg(interchange_fixture("spreadsheet.csv"))
        .assert()
        .code(2)
        .stderr(contains("for example `my-deck`"));
}
