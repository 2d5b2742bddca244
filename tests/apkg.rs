//! `knead export apkg` and `knead import PACKAGE.apkg` over the real binary, with packages
//! built here with rusqlite in both Anki formats (legacy schema 11, and the current
//! zstd-compressed schema 18). `tests/anki_oracle.rs` checks the same against Anki itself.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{fixture, knead};
use knead::deck::{self, Card, Deck};
use predicates::str::contains;
use rusqlite::{Connection, params};
use serde_json::json;

fn cmd(data_dir: &Path) -> Command {
    Command::from_std(knead(data_dir, "2026-11-21"))
}

/// A note type for a test package: name, Cloze or not, fields, question templates.
struct Model {
    id: i64,
    name: &'static str,
    cloze: bool,
    fields: &'static [&'static str],
    questions: &'static [&'static str],
}

const BASIC: Model = Model {
    id: 100,
    name: "Basic",
    cloze: false,
    fields: &["Front", "Back"],
    questions: &["{{Front}}"],
};
const REVERSED: Model = Model {
    id: 101,
    name: "Basic (and reversed card)",
    cloze: false,
    fields: &["Front", "Back"],
    questions: &["{{Front}}", "{{Back}}"],
};
const CLOZE: Model = Model {
    id: 102,
    name: "Cloze",
    cloze: true,
    fields: &["Text", "Back Extra"],
    questions: &["{{cloze:Text}}"],
};
const CUSTOM: Model = Model {
    id: 103,
    name: "Massage (3 fields)",
    cloze: false,
    fields: &["Front", "Back", "Why"],
    questions: &["{{Front}}"],
};
const OCCLUSION: Model = Model {
    id: 104,
    name: "Image Occlusion",
    cloze: true,
    fields: &["Occlusion", "Image", "Header"],
    questions: &["{{#Image}}{{image-occlusion:Occlusion}}{{/Image}}"],
};

/// A note: its model, fields, tags, the card ordinals it has, its deck id.
struct TestNote {
    model: &'static Model,
    fields: &'static [&'static str],
    tags: &'static str,
    ords: &'static [i64],
    deck: i64,
}

const DECKS: [(i64, &str); 2] = [(1, "Default"), (2000, "Pathology::Lupus")];

fn notes() -> Vec<TestNote> {
    vec![
        TestNote {
            model: &BASIC,
            fields: &[
                "What is SLE?",
                "An <b>autoimmune</b> disease [sound:sle.mp3]",
            ],
            tags: " Pathology::Lupus ",
            ords: &[0],
            deck: 2000,
        },
        TestNote {
            model: &REVERSED,
            fields: &["Raynaud's", "Fingers blanch in the cold"],
            tags: "",
            ords: &[0, 1],
            deck: 2000,
        },
        TestNote {
            model: &CLOZE,
            fields: &["SLE is {{c1::autoimmune::a kind}} and {{c2::chronic}}.", ""],
            tags: "",
            ords: &[0, 1],
            deck: 2000,
        },
        TestNote {
            model: &CUSTOM,
            fields: &["Fever?", "Refer", "Massage spreads infection"],
            tags: "",
            ords: &[0],
            deck: 2000,
        },
        TestNote {
            model: &OCCLUSION,
            fields: &[
                "{{c1::image-occlusion:rect:left=.1}}",
                "<img src=knee.png>",
                "",
            ],
            tags: "",
            ords: &[0],
            deck: 2000,
        },
    ]
}

fn create_common_tables(db: &Connection) {
    db.execute_batch(
        "create table notes (id integer primary key, guid text, mid integer, mod integer,
            usn integer, tags text, flds text, sfld text, csum integer, flags integer, data text);
         create table cards (id integer primary key, nid integer, did integer, ord integer,
            mod integer, usn integer, type integer, queue integer, due integer, ivl integer,
            factor integer, reps integer, lapses integer, left integer, odue integer,
            odid integer, flags integer, data text);",
    )
    .unwrap();
}

fn insert_notes(db: &Connection, notes: &[TestNote]) {
    let mut card_id = 5000;
    for (index, note) in notes.iter().enumerate() {
        let id = 1000 + index as i64;
        db.execute(
            "insert into notes values (?1, ?2, ?3, 0, 0, ?4, ?5, '', 0, 0, '')",
            params![
                id,
                format!("g{index}"),
                note.model.id,
                note.tags,
                note.fields.join("\x1f")
            ],
        )
        .unwrap();
        for ord in note.ords {
            card_id += 1;
            db.execute(
                "insert into cards values (?1, ?2, ?3, ?4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                params![card_id, id, note.deck, ord],
            )
            .unwrap();
        }
    }
}

/// A legacy package: schema 11, note types and decks as JSON in `col`.
fn legacy_package(dir: &Path, notes: &[TestNote], models: &[&Model]) -> PathBuf {
    let db_path = dir.join("legacy.anki2");
    let db = Connection::open(&db_path).unwrap();
    create_common_tables(&db);
    db.execute_batch("create table col (id integer primary key, models text, decks text)")
        .unwrap();
    let models: serde_json::Map<String, serde_json::Value> = models
        .iter()
        .map(|m| {
            let flds: Vec<_> = m
                .fields
                .iter()
                .enumerate()
                .map(|(ord, name)| json!({"name": name, "ord": ord}))
                .collect();
            let tmpls: Vec<_> = m
                .questions
                .iter()
                .enumerate()
                .map(|(ord, q)| json!({"name": format!("Card {}", ord + 1), "ord": ord, "qfmt": q, "afmt": ""}))
                .collect();
            (
                m.id.to_string(),
                json!({"id": m.id, "name": m.name, "type": i32::from(m.cloze), "flds": flds, "tmpls": tmpls}),
            )
        })
        .collect();
    let decks: serde_json::Map<String, serde_json::Value> = DECKS
        .iter()
        .map(|(id, name)| (id.to_string(), json!({"id": id, "name": name})))
        .collect();
    db.execute(
        "insert into col values (1, ?1, ?2)",
        params![
            serde_json::Value::Object(models).to_string(),
            serde_json::Value::Object(decks).to_string()
        ],
    )
    .unwrap();
    insert_notes(&db, notes);
    drop(db);
    zip_package(
        dir,
        "legacy.apkg",
        &[("collection.anki21", fs::read(&db_path).unwrap())],
    )
}

/// A protocol-buffer length-delimited field.
fn proto_bytes(number: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![(number << 3) | 2];
    let mut len = bytes.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(bytes);
    out
}

/// A current package: schema 18 (note types, fields, templates and decks in tables, their
/// configuration as protocol buffers), zstd-compressed as `collection.anki21b`, beside the
/// placeholder `collection.anki2` a current Anki writes for old versions.
fn current_package(dir: &Path, notes: &[TestNote], models: &[&Model]) -> PathBuf {
    let db_path = dir.join("current.anki2");
    let db = Connection::open(&db_path).unwrap();
    create_common_tables(&db);
    db.execute_batch(
        "create table notetypes (id integer primary key, name text, mtime_secs integer,
            usn integer, config blob);
         create table fields (ntid integer, ord integer, name text, config blob);
         create table templates (ntid integer, ord integer, name text, mtime_secs integer,
            usn integer, config blob);
         create table decks (id integer primary key, name text, mtime_secs integer,
            usn integer, common blob, kind blob);",
    )
    .unwrap();
    for model in models {
        // NotetypeConfig: field 1 (kind) = 1 for Cloze; field 3 (css).
        let mut config = if model.cloze {
            vec![0x08, 0x01]
        } else {
            vec![]
        };
        config.extend(proto_bytes(3, b".card {}"));
        db.execute(
            "insert into notetypes values (?1, ?2, 0, 0, ?3)",
            params![model.id, model.name, config],
        )
        .unwrap();
        for (ord, name) in model.fields.iter().enumerate() {
            db.execute(
                "insert into fields values (?1, ?2, ?3, x'')",
                params![model.id, ord as i64, name],
            )
            .unwrap();
        }
        for (ord, question) in model.questions.iter().enumerate() {
            // CardTemplateConfig: field 1 question format, field 2 answer format.
            let mut config = proto_bytes(1, question.as_bytes());
            config.extend(proto_bytes(2, b"{{FrontSide}}"));
            db.execute(
                "insert into templates values (?1, ?2, 'Card', 0, 0, ?3)",
                params![model.id, ord as i64, config],
            )
            .unwrap();
        }
    }
    for (id, name) in DECKS {
        db.execute(
            "insert into decks values (?1, ?2, 0, 0, x'', x'')",
            params![id, name.replace("::", "\x1f")],
        )
        .unwrap();
    }
    insert_notes(&db, notes);
    drop(db);
    let compressed = zstd::encode_all(&fs::read(&db_path).unwrap()[..], 3).unwrap();
    let placeholder = legacy_placeholder(dir);
    zip_package(
        dir,
        "current.apkg",
        &[
            ("collection.anki2", placeholder),
            ("collection.anki21b", compressed),
            ("media", zstd::encode_all(&b""[..], 3).unwrap()),
        ],
    )
}

/// The "please update Anki" collection a current Anki writes beside the real one.
fn legacy_placeholder(dir: &Path) -> Vec<u8> {
    let notes = [TestNote {
        model: &BASIC,
        fields: &[
            "Please update to the latest Anki version, then import the .colpkg/.apkg file again.",
            "",
        ],
        tags: "",
        ords: &[0],
        deck: 1,
    }];
    let path = legacy_package(&dir.join("placeholder-dir").tap_create(), &notes, &[&BASIC]);
    let mut archive = zip::ZipArchive::new(fs::File::open(path).unwrap()).unwrap();
    let mut entry = archive.by_name("collection.anki21").unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
    bytes
}

trait TapCreate {
    fn tap_create(self) -> Self;
}

impl TapCreate for PathBuf {
    fn tap_create(self) -> Self {
        fs::create_dir_all(&self).unwrap();
        self
    }
}

fn zip_package(dir: &Path, name: &str, entries: &[(&str, Vec<u8>)]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
    for (entry, bytes) in entries {
        zip.start_file(*entry, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

fn all_models() -> [&'static Model; 5] {
    [&BASIC, &REVERSED, &CLOZE, &CUSTOM, &OCCLUSION]
}

/// Imports the package; returns the deck written and what was said on stderr.
fn import(dir: &Path, package: &Path, extra: &[&str]) -> (Deck, String) {
    let out = dir.join("out.ron");
    let _ = fs::remove_file(&out);
    let output = cmd(dir)
        .arg("import")
        .arg(package)
        .args(extra)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    let text = fs::read_to_string(&out).unwrap();
    (deck::parse(&text, "out.ron").unwrap(), stderr)
}

fn check_converted(deck: &Deck, stderr: &str) {
    assert_eq!(deck.id, "pathology-lupus");
    assert_eq!(deck.title, "Lupus");
    let cards: Vec<String> = deck
        .cards
        .iter()
        .map(|card| match card {
            Card::Basic(b) => format!(
                "{} | {} | {} | {} | {:?}",
                b.id,
                b.front,
                b.back,
                b.why.as_deref().unwrap_or("-"),
                b.tags
            ),
            Card::Cloze(c) => format!("{} | {} | {:?}", c.id, c.text, c.why),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        cards,
        [
            "what-is-sle | What is SLE? | An autoimmune disease | - | [\"pathology-lupus\"]",
            "raynaud-s | Raynaud's | Fingers blanch in the cold | - | []",
            "raynaud-s-reverse | Fingers blanch in the cold | Raynaud's | - | []",
            "sle-is-autoimmune-and-chronic | SLE is {{autoimmune}} and {{chronic}}. | None",
            "fever | Fever? | Refer | Massage spreads infection | []",
        ]
    );
    for expected in [
        "warning[K230]",
        "note 1000 (\"What is SLE?\"): 1 sound removed",
        "warning[K231]",
        "note 1002 (\"SLE is {{c1::autoimmune::a kind}} and {{…\"): 1 Cloze hint left out",
        "warning[K227]",
        "note 1004",
        "is skipped: an Image Occlusion note",
        "warning[K232]",
        "1 note had formatting",
        "warning[K210]",
        "tag `Pathology::Lupus` becomes `pathology-lupus`",
        "Imported 5 cards into deck `pathology-lupus`",
        "1 note of 5 left out",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn a_legacy_package_of_every_note_type_becomes_cards_with_each_loss_reported() {
    let dir = tempfile::tempdir().unwrap();
    let package = legacy_package(dir.path(), &notes(), &all_models());
    let (deck, stderr) = import(dir.path(), &package, &[]);
    check_converted(&deck, &stderr);
}

#[test]
fn a_current_zstd_package_is_read_the_same_not_its_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let package = current_package(dir.path(), &notes(), &all_models());
    let (deck, stderr) = import(dir.path(), &package, &[]);
    check_converted(&deck, &stderr);
}

#[test]
fn a_custom_note_type_s_other_fields_are_reported_by_note() {
    let dir = tempfile::tempdir().unwrap();
    const EXTRA: Model = Model {
        id: 105,
        name: "Four fields",
        cloze: false,
        fields: &["Front", "Back", "Source", "Mnemonic"],
        questions: &["{{Front}}"],
    };
    let notes = [TestNote {
        model: &EXTRA,
        fields: &["Q", "A", "LFA", "remember this"],
        tags: "knead::critical",
        ords: &[0],
        deck: 2000,
    }];
    let package = legacy_package(dir.path(), &notes, &[&EXTRA]);
    let (deck, stderr) = import(dir.path(), &package, &["--id", "mine"]);
    let Card::Basic(card) = &deck.cards[0] else {
        panic!()
    };
    assert_eq!(card.source.as_deref(), Some("LFA"));
    assert!(card.critical);
    assert!(card.tags.is_empty());
    assert!(
        stderr.contains("warning[K228]") && stderr.contains("field `Mnemonic`"),
        "{stderr}"
    );
}

#[test]
fn several_anki_decks_need_a_folder_or_one_id() {
    let dir = tempfile::tempdir().unwrap();
    let notes = [
        TestNote {
            model: &BASIC,
            fields: &["Q1", "A1"],
            tags: "",
            ords: &[0],
            deck: 1,
        },
        TestNote {
            model: &BASIC,
            fields: &["Q2", "A2"],
            tags: "",
            ords: &[0],
            deck: 2000,
        },
    ];
    let package = legacy_package(dir.path(), &notes, &[&BASIC]);
    cmd(dir.path())
        .arg("import")
        .arg(&package)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("error[K234]").and(contains("`Default`, `Pathology::Lupus`")));
    let folder = dir.path().join("decks");
    fs::create_dir(&folder).unwrap();
    cmd(dir.path())
        .arg("import")
        .arg(&package)
        .arg("-o")
        .arg(&folder)
        .assert()
        .success();
    let mut written: Vec<_> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    assert_eq!(written, ["default.ron", "pathology-lupus.ron"]);
    let (merged, _) = import(dir.path(), &package, &["--id", "all"]);
    assert_eq!(merged.cards.len(), 2);
}

#[test]
fn hostile_text_and_broken_packages_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let notes = [TestNote {
        model: &BASIC,
        fields: &["clear \x1b[2J", "A"],
        tags: "",
        ords: &[0],
        deck: 1,
    }];
    let package = legacy_package(dir.path(), &notes, &[&BASIC]);
    let output = cmd(dir.path())
        .arg("import")
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("error[K218]"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");

    let not_zip = dir.path().join("x.apkg");
    fs::write(&not_zip, "front,back\n").unwrap();
    cmd(dir.path())
        .arg("import")
        .arg(&not_zip)
        .assert()
        .code(2)
        .stderr(contains("error[K225]"));
    let no_collection = zip_package(dir.path(), "empty.apkg", &[("media", b"{}".to_vec())]);
    cmd(dir.path())
        .arg("import")
        .arg(&no_collection)
        .assert()
        .code(2)
        .stderr(contains("error[K225]").and(contains("holds no collection")));
    let not_sqlite = zip_package(
        dir.path(),
        "garbage.apkg",
        &[("collection.anki2", b"not a database".to_vec())],
    );
    cmd(dir.path())
        .arg("import")
        .arg(&not_sqlite)
        .assert()
        .code(2)
        .stderr(contains("error[K225]"));
}

#[test]
fn a_package_named_as_text_is_read_as_a_package() {
    let dir = tempfile::tempdir().unwrap();
    let package = legacy_package(dir.path(), &notes()[..1], &[&BASIC]);
    let renamed = dir.path().join("deck.txt");
    fs::copy(&package, &renamed).unwrap();
    let (deck, _) = import(dir.path(), &renamed, &["--id", "renamed"]);
    assert_eq!(deck.cards.len(), 1);
}

/// Every studied card of the bundled decks and the fixtures, exported and imported again.
#[test]
fn knead_to_apkg_to_knead_gives_back_every_card_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("all.apkg");
    let mut originals: Vec<Deck> = knead::study::collection::bundled()
        .unwrap()
        .into_iter()
        .map(|d| d.deck)
        .collect();
    for name in ["mini.ron", "tagged.ron"] {
        originals.push(deck::parse(&fs::read_to_string(fixture(name)).unwrap(), name).unwrap());
    }
    let mut args: Vec<String> = originals
        .iter()
        .filter(|d| !d.id.contains("mini") && !d.id.contains("tagged"))
        .map(|d| d.id.clone())
        .collect();
    args.push(fixture("mini.ron").display().to_string());
    args.push(fixture("tagged.ron").display().to_string());
    cmd(dir.path())
        .args(["export", "apkg"])
        .args(&args)
        .arg("-o")
        .arg(&package)
        .assert()
        .success()
        .stderr(contains(format!("from {} decks to", originals.len())));
    let folder = dir.path().join("back");
    fs::create_dir(&folder).unwrap();
    cmd(dir.path())
        .arg("import")
        .arg(&package)
        .arg("-o")
        .arg(&folder)
        .assert()
        .success()
        .stderr(contains("warning").not());
    for original in originals {
        let text = fs::read_to_string(folder.join(format!("{}.ron", original.id))).unwrap();
        let again = deck::parse(&text, "again.ron").unwrap();
        assert_eq!(again.title, original.title);
        // Retired cards are not exported (they are not studied), nor references to them.
        let studied: Vec<Card> = original
            .cards
            .iter()
            .filter(|c| c.common().retired.is_none())
            .cloned()
            .collect();
        let retired: Vec<String> = original
            .cards
            .iter()
            .filter(|c| c.common().retired.is_some())
            .flat_map(|c| [c.id().to_owned(), format!("{}/{}", original.id, c.id())])
            .collect();
        let (same, changed): (Vec<_>, Vec<_>) = again
            .cards
            .iter()
            .zip(&studied)
            .partition(|(back, before)| back == before);
        assert_eq!(again.cards.len(), studied.len(), "{}", original.id);
        for (back, before) in changed {
            // Only references to retired cards may differ.
            let kept = |card: &Card| {
                let common = card.common();
                common
                    .replaces
                    .iter()
                    .chain(common.contrast)
                    .filter(|r| !retired.contains(r))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(kept(back), kept(before), "{}", before.id());
            assert!(
                before.common().replaces.len() + before.common().contrast.len()
                    > back.common().replaces.len() + back.common().contrast.len()
            );
        }
        assert!(!same.is_empty());
    }
}

#[test]
fn an_export_needs_an_output_file_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join("mini.apkg");
    fs::write(&package, "keep").unwrap();
    cmd(dir.path())
        .args(["export", "apkg"])
        .arg(fixture("mini.ron"))
        .arg("-o")
        .arg(&package)
        .assert()
        .code(1)
        .stderr(contains("already exists"));
    assert_eq!(fs::read_to_string(&package).unwrap(), "keep");
    cmd(dir.path())
        .args(["export", "apkg"])
        .arg(fixture("mini.ron"))
        .assert()
        .failure()
        .stderr(contains("--output"));
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn a_text_import_without_id_takes_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Lupus Basics.txt");
    fs::write(
        &file,
        "#separator:tab\n#html:false\nWhat is SLE?\tAn autoimmune disease\n",
    )
    .unwrap();
    let output = cmd(dir.path()).arg("import").arg(&file).output().unwrap();
    assert!(output.status.success());
    let deck = deck::parse(&String::from_utf8(output.stdout).unwrap(), "out.ron").unwrap();
    assert_eq!(deck.id, "lupus-basics");
}
