//! `knead import PACKAGE --progress` over the real binary: a legacy package built here with
//! rusqlite holds cards in review (one suspended, one new) and their review log; the import
//! brings the schedule and the history into the data directory, the added deck continues on
//! Anki's due days, and importing again adds no history twice.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::knead;
use knead::deck::{self, Card, Deck};
use rusqlite::{Connection, params};
use serde_json::{Value, json};

/// 2026-01-01T04:00:00Z: the collection's first day starts at the rollover.
const CREATED: i64 = 1_767_240_000;
const DAY_MS: i64 = 86_400_000;

fn cmd(data_dir: &Path, today: &str) -> Command {
    let mut command = Command::from_std(knead(data_dir, today));
    // Anki's days are read in the local time zone.
    command.env("TZ", "UTC");
    command
}

/// Milliseconds of 09:00 UTC on the collection's day `day`.
fn at_day(day: i64) -> i64 {
    (CREATED * 1000) + day * DAY_MS + 5 * 3_600_000
}

/// A card's scheduling: id, note, ord, type, queue, due, ivl, factor, reps, lapses.
type CardRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

fn package(dir: &Path) -> PathBuf {
    let db_path = dir.join("collection.anki21");
    let _ = fs::remove_file(&db_path);
    let db = Connection::open(&db_path).unwrap();
    db.execute_batch(
        "create table col (id integer primary key, crt integer, models text, decks text);
         create table notes (id integer primary key, guid text, mid integer, mod integer,
            usn integer, tags text, flds text, sfld text, csum integer, flags integer, data text);
         create table cards (id integer primary key, nid integer, did integer, ord integer,
            mod integer, usn integer, type integer, queue integer, due integer, ivl integer,
            factor integer, reps integer, lapses integer, left integer, odue integer,
            odid integer, flags integer, data text);
         create table revlog (id integer primary key, cid integer, usn integer, ease integer,
            ivl integer, lastIvl integer, factor integer, time integer, type integer);",
    )
    .unwrap();
    let model = |id: i64, name: &str, cloze: bool, fields: &[&str], questions: &[&str]| {
        let flds: Vec<_> = fields
            .iter()
            .enumerate()
            .map(|(ord, name)| json!({"name": name, "ord": ord}))
            .collect();
        let tmpls: Vec<_> = questions
            .iter()
            .enumerate()
            .map(|(ord, q)| json!({"name": format!("Card {}", ord + 1), "ord": ord, "qfmt": q}))
            .collect();
        (
            id.to_string(),
            json!({"id": id, "name": name, "type": i32::from(cloze), "flds": flds, "tmpls": tmpls}),
        )
    };
    let models: serde_json::Map<String, Value> = [
        model(100, "Basic", false, &["Front", "Back"], &["{{Front}}"]),
        model(
            101,
            "Basic (and reversed card)",
            false,
            &["Front", "Back"],
            &["{{Front}}", "{{Back}}"],
        ),
        model(
            102,
            "Cloze",
            true,
            &["Text", "Back Extra"],
            &["{{cloze:Text}}"],
        ),
    ]
    .into_iter()
    .collect();
    db.execute(
        "insert into col values (1, ?1, ?2, ?3)",
        params![
            CREATED,
            Value::Object(models).to_string(),
            json!({"1": {"id": 1, "name": "Lupus"}}).to_string()
        ],
    )
    .unwrap();
    for (id, model, fields) in [
        (1000, 100, "What is SLE?\x1fAn autoimmune disease"),
        (1001, 101, "Raynaud's\x1fFingers blanch in the cold"),
        (
            1002,
            102,
            "SLE is {{c1::autoimmune}} and {{c2::chronic}}.\x1f",
        ),
    ] {
        db.execute(
            "insert into notes values (?1, ?2, ?3, 0, 0, '', ?4, '', 0, 0, '')",
            params![id, format!("g{id}"), model, fields],
        )
        .unwrap();
    }
    let cards: [CardRow; 5] = [
        // Basic: in review, 20 days, ease 2300, due 2026-11-25, one lapse.
        (5001, 1000, 0, 2, 2, 328, 20, 2300, 5, 1),
        // Reversed: the forward card due today (2026-11-21), the reverse card new.
        (5002, 1001, 0, 2, 2, 324, 10, 2500, 3, 0),
        (5003, 1001, 1, 0, 0, 7, 0, 0, 0, 0),
        // Cloze: c1 due 2026-11-30; c2 suspended, overdue since 2026-11-19.
        (5004, 1002, 0, 2, 2, 333, 7, 2600, 2, 0),
        (5005, 1002, 1, 2, -1, 322, 3, 1200, 2, 0),
    ];
    for (id, nid, ord, kind, queue, due, ivl, factor, reps, lapses) in cards {
        db.execute(
            "insert into cards values (?1, ?2, 1, ?3, 0, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, 0, 0, 0, '')",
            params![id, nid, ord, kind, queue, due, ivl, factor, reps, lapses],
        )
        .unwrap();
    }
    // (card, day, ease, ivl, factor, type)
    let revlog = [
        (5001, 100, 3, -600, 0, 0),
        (5001, 100, 3, 1, 2500, 0),
        (5001, 101, 3, 3, 2500, 1),
        (5001, 104, 1, -600, 2300, 1),
        (5001, 300, 3, 20, 2300, 2),
        (5002, 314, 3, 10, 2500, 1),
        (5004, 326, 4, 7, 2600, 1),
        (5005, 319, 2, 3, 1200, 1),
    ];
    for (n, (card, day, ease, ivl, factor, kind)) in revlog.into_iter().enumerate() {
        // Rows of one day ten minutes apart.
        let id = at_day(day) + n as i64 * 600_000;
        db.execute(
            "insert into revlog values (?1, ?2, 0, ?3, ?4, 0, ?5, 8000, ?6)",
            params![id, card, ease, ivl, factor, kind],
        )
        .unwrap();
    }
    drop(db);
    let path = dir.join("lupus.apkg");
    let mut zip = zip::ZipWriter::new(fs::File::create(&path).unwrap());
    zip.start_file(
        "collection.anki21",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&fs::read(&db_path).unwrap()).unwrap();
    zip.finish().unwrap();
    path
}

fn import(data: &Path, package: &Path, deck_file: &Path) -> String {
    let output = cmd(data, "2026-11-21")
        .arg("import")
        .arg(package)
        .args(["--id", "lupus", "--progress", "--force", "-o"])
        .arg(deck_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    stderr
}

fn card_json(data: &Path, name: &str) -> Value {
    let output = cmd(data, "2026-11-21")
        .args(["card", name, "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn due_on(data: &Path, today: &str) -> (u64, u64) {
    let output = cmd(data, today)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let status: Value = serde_json::from_slice(&output.stdout).unwrap();
    let deck = status["decks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "lupus")
        .unwrap();
    (deck["due"].as_u64().unwrap(), deck["new"].as_u64().unwrap())
}

fn card_id(deck: &Deck, starts: &str) -> String {
    deck.cards
        .iter()
        .find(|card| match card {
            Card::Basic(b) => b.front.starts_with(starts),
            Card::Cloze(c) => c.text.starts_with(starts),
            _ => false,
        })
        .unwrap()
        .id()
        .to_owned()
}

#[test]
fn anki_schedule_and_history_come_along_and_a_second_import_adds_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let package = package(dir.path());
    let deck_file = dir.path().join("lupus.ron");
    let stderr = import(&data, &package, &deck_file);
    assert!(
        stderr.contains("4 card schedules and 8 reviews brought into"),
        "{stderr}"
    );
    assert!(stderr.contains("1 card suspended in Anki"), "{stderr}");
    assert!(
        stderr.contains("2 reviews within learning steps"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 reviews answered Hard or Easy"),
        "{stderr}"
    );
    assert!(stderr.contains("1 card new in Anki"), "{stderr}");
    let deck = deck::parse(&fs::read_to_string(&deck_file).unwrap(), "lupus.ron").unwrap();
    let add = cmd(&data, "2026-11-21")
        .arg("add")
        .arg(&deck_file)
        .output()
        .unwrap();
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );

    let sle = card_json(&data, &format!("lupus/{}", card_id(&deck, "What is SLE")));
    let item = &sle["items"][0];
    let progress = &item["progress"];
    assert_eq!(progress["due"], "2026-11-25");
    assert_eq!(progress["interval_days"], 20);
    assert_eq!(progress["easiness"], 2.3);
    // Passes since the Again (one, at 20 days): at least SM-2's second step, so the next
    // interval grows from 20 days.
    assert_eq!(progress["repetitions"], 2);
    assert_eq!(
        (progress["reviews"].clone(), progress["lapses"].clone()),
        (json!(5), json!(1))
    );
    assert_eq!(progress["introduced"], "2026-04-11");
    assert_eq!(progress["last_reviewed"], "2026-10-28");
    let history = item["history"].as_array().unwrap();
    assert_eq!(history.len(), 6, "five Anki reviews and the schedule");
    let again = &history[3];
    assert_eq!(again["day"], "2026-04-15");
    assert_eq!(again["kind"]["Anki"]["ease"], 1);
    assert_eq!(again["kind"]["Anki"]["interval"], -600);
    assert_eq!(again["kind"]["Anki"]["stage"], "Review");
    assert_eq!(history[5]["kind"]["AnkiSchedule"]["card"], 5001);

    let text = cmd(&data, "2026-11-21")
        .args(["card", &format!("lupus/{}", card_id(&deck, "What is SLE"))])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("History: 0 answers, 5 Anki reviews, 1 schedule change"),
        "{text}"
    );
    assert!(
        text.contains("2026-04-15  Anki        Again  10m"),
        "{text}"
    );

    // The reverse card was new in Anki, and is new in knead.
    let reverse = card_json(
        &data,
        &format!("lupus/{}", card_id(&deck, "Fingers blanch")),
    );
    assert_eq!(reverse["items"][0]["progress"], Value::Null);
    // Each Cloze deletion continues its own Anki card's schedule.
    let cloze = card_json(&data, &format!("lupus/{}", card_id(&deck, "SLE is")));
    assert_eq!(cloze["items"][0]["progress"]["due"], "2026-11-30");
    assert_eq!(cloze["items"][1]["progress"]["due"], "2026-11-19");
    assert_eq!(cloze["items"][1]["progress"]["easiness"], 1.3);

    // Anki reviews are not knead answers: no review counted today or ever.
    assert_eq!(due_on(&data, "2026-11-21"), (2, 1));
    assert_eq!(due_on(&data, "2026-11-25"), (3, 1));
    assert_eq!(due_on(&data, "2026-11-30"), (4, 1));

    // A session on 2026-11-25 asks the three due then; Anki's reviews make no streak.
    let mut study = knead(&data, "2026-11-25");
    study.env("TZ", "UTC").args(["study", "--new", "0"]);
    let session = common::without_input(study);
    let session =
        String::from_utf8(session.stdout).unwrap() + &String::from_utf8(session.stderr).unwrap();
    assert!(session.contains("Card 1 of 3 "), "{session}");
    assert!(session.contains("Streak: 0 study days"), "{session}");

    // An undo takes back the latest imported line alone, and importing again restores it.
    let journal = common::journal(&data);
    let undo = cmd(&data, "2026-11-21").arg("undo").output().unwrap();
    let undo = String::from_utf8(undo.stdout).unwrap();
    assert!(
        undo.starts_with("Undone: the schedule of lupus/") && undo.contains("imported from Anki"),
        "{undo}"
    );
    assert_eq!(
        common::journal(&data).lines().count(),
        journal.lines().count() - 1
    );
    let restored = import(&data, &package, &deck_file);
    assert!(
        restored.contains("1 card schedule and 0 reviews brought into"),
        "{restored}"
    );
    assert_eq!(due_on(&data, "2026-11-30"), (4, 1));

    let journal = common::journal(&data);
    let again = import(&data, &package, &deck_file);
    assert!(again.contains("already imported: 8 reviews"), "{again}");
    assert!(
        again.contains("0 card schedules and 0 reviews brought into"),
        "{again}"
    );
    assert_eq!(common::journal(&data), journal, "nothing written twice");
}

#[test]
fn progress_needs_a_package() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cards.csv");
    fs::write(&csv, "front,back\nWhat is SLE?,An autoimmune disease\n").unwrap();
    let output = cmd(&dir.path().join("data"), "2026-11-21")
        .arg("import")
        .arg(&csv)
        .arg("--progress")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("not an Anki package"), "{stderr}");
    assert!(
        stderr.contains("Include scheduling information"),
        "{stderr}"
    );
}
