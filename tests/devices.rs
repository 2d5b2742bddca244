//! Progress that follows a student across machines (#11): two data directories studied
//! offline as two devices, then synced by copying files as a sync tool does.

mod common;

use knead::store::ItemMap;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{Plain, knead_on};
use jiff::Timestamp;
use knead::store::device::DeviceId;
use knead::store::{self, Access, LogEntry, Store};
use serde_json::Value;

const LAB: &str = "lab-pc";
const LAPTOP: &str = "laptop";

/// A deck of `cards` recall cards (`Q0`/`A0`, ...); the even ones tagged `even`.
fn deck(dir: &Path, cards: usize) -> PathBuf {
    let cards: String = (0..cards)
        .map(|n| {
            let tags = if n % 2 == 0 { r#"["even"]"# } else { "[]" };
            format!("    Basic(id: \"q{n}\", front: \"Q{n}\", back: \"A{n}\", tags: {tags}),\n")
        })
        .collect();
    let path = dir.join("deck.ron");
    fs::write(
        &path,
        format!("Deck(id: \"basic\", title: \"Basic deck\", cards: [\n{cards}])\n"),
    )
    .unwrap();
    path
}

/// Installs the deck file, as `knead add` does on each machine (the same file on both, so a
/// sync finds nothing to reconcile).
fn install(device: &str, data: &Path, deck: &Path) {
    let output = knead_on(device, data, "2026-11-21")
        .arg("add")
        .arg(deck)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

/// Studies every card offered, grading each new answer `grade(card number)` and drills 5;
/// returns how many answers were given.
fn study(
    device: &str,
    data: &Path,
    today: &str,
    deck_file: &Path,
    args: &[&str],
    grade: impl Fn(usize) -> u8,
) -> usize {
    let mut command = knead_on(device, data, today);
    command
        .args(["study", "--seed", "1", "--deck"])
        .arg(deck_file)
        .args(args);
    let mut session = Plain::spawn(command);
    let mut answers = 0;
    while session.expect_any(&["\nCard ", "Session saved.", "Nothing is due"]) == 0 {
        let card = format!("Card {}", session.expect("to quit): "));
        let drill = card.contains("again, to fix it in memory");
        let front = card
            .lines()
            .find(|l| l.starts_with('Q'))
            .unwrap()
            .to_owned();
        let n: usize = front[1..].parse().unwrap();
        session.send("");
        session.expect("Grade your recall");
        session.send(&if drill { 5 } else { grade(n) }.to_string());
        answers += 1;
    }
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    answers
}

/// Every file under `root`, by relative path.
fn files(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    for entry in walkdir(root) {
        found.insert(
            entry.strip_prefix(root).unwrap().to_owned(),
            fs::read(&entry).unwrap(),
        );
    }
    found
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// What a sync tool knows: every file as it was after the last sync.
type Synced = BTreeMap<PathBuf, Vec<u8>>;

/// Brings the two directories together as a sync tool does: a file changed (or made) on one
/// side since the last sync is copied to the other. A file changed on both sides to different
/// contents would be a sync conflict (a conflict copy, or one side's answers lost): the test
/// fails if there is one.
fn sync(a: &Path, b: &Path, last: &mut Synced) {
    let (in_a, in_b) = (files(a), files(b));
    let paths: std::collections::BTreeSet<&PathBuf> = in_a.keys().chain(in_b.keys()).collect();
    let mut now = Synced::new();
    for path in paths {
        let (x, y, base) = (in_a.get(path), in_b.get(path), last.get(path));
        let merged = match (x, y) {
            (Some(x), Some(y)) if x == y => x,
            (Some(x), Some(y)) => {
                let (changed_a, changed_b) = (Some(x) != base, Some(y) != base);
                assert!(
                    !(changed_a && changed_b),
                    "{} changed on both devices: a sync conflict",
                    path.display()
                );
                if changed_a { x } else { y }
            }
            (Some(x), None) => x,
            (None, Some(y)) => y,
            (None, None) => unreachable!(),
        };
        copy_to(a, path, merged);
        copy_to(b, path, merged);
        now.insert(path.clone(), merged.clone());
    }
    *last = now;
}

fn copy_to(root: &Path, path: &Path, bytes: &[u8]) {
    let target = root.join(path);
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::write(target, bytes).unwrap();
}

fn open(data: &Path, device: &str) -> ItemMap {
    let device = DeviceId::parse(device).unwrap();
    let (store, _) = Store::open_with(data, Access::ReadOnly, &device).unwrap();
    store.items().clone()
}

/// The progress that replaying every journal's entries in timestamp order gives (ties by
/// device, then line), written independently of the store's reader.
fn replay_union(data: &Path) -> ItemMap {
    let mut entries: Vec<(Timestamp, String, usize, LogEntry)> = Vec::new();
    for path in walkdir(&data.join("journal")) {
        let device = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = fs::read_to_string(&path).unwrap();
        // Only complete lines: a last line without its newline is a sync in progress.
        let complete = &text[..text.rfind('\n').map_or(0, |n| n + 1)];
        for (number, line) in complete.lines().enumerate() {
            let entry: LogEntry = ron::from_str(line).unwrap();
            entries.push((entry.at, device.clone(), number, entry));
        }
    }
    entries.sort_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    let mut items = ItemMap::default();
    for (_, _, _, entry) in &entries {
        store::apply(&mut items, entry);
    }
    items
}

fn json(device: &str, data: &Path, today: &str, args: &[&str]) -> Value {
    let output = knead_on(device, data, today).args(args).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn card_answers(device: &str, data: &Path, today: &str, card: &str) -> usize {
    let output = knead_on(device, data, today)
        .args(["card", &format!("basic/{card}"), "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let info: Value = serde_json::from_slice(&output.stdout).unwrap();
    info["items"][0]["history"].as_array().unwrap().len()
}

/// Both directories agree after a sync: the same progress, equal to a replay of the union,
/// and the same statistics.
fn assert_agree(lab: &Path, laptop: &Path, today: &str) {
    let expected = replay_union(lab);
    assert_eq!(replay_union(laptop), expected);
    assert_eq!(open(lab, LAB), expected, "the lab PC's progress");
    assert_eq!(open(laptop, LAPTOP), expected, "the laptop's progress");
    let stats = |device, data| {
        let mut stats = json(device, data, today, &["stats", "--json"]);
        stats.as_object_mut().unwrap().remove("generated");
        stats
    };
    assert_eq!(stats(LAB, lab), stats(LAPTOP, laptop), "knead stats --json");
}

#[test]
fn two_devices_studying_offline_agree_after_every_sync() {
    let root = tempfile::tempdir().unwrap();
    let deck_file = deck(root.path(), 10);
    let (lab, laptop) = (root.path().join("lab"), root.path().join("laptop"));
    install(LAB, &lab, &deck_file);
    install(LAPTOP, &laptop, &deck_file);
    let mut synced = Synced::new();

    // Day one, offline: the lab PC learns q0-q4; the laptop q0, q2, q4, q6 (three in common),
    // with other grades.
    let lab_answers = study(LAB, &lab, "2026-11-21", &deck_file, &["--new", "5"], |_| 4);
    let laptop_answers = study(
        LAPTOP,
        &laptop,
        "2026-11-21",
        &deck_file,
        &["--new", "4", "--tag", "even"],
        |n| [5, 2, 3][n % 3],
    );
    sync(&lab, &laptop, &mut synced);
    assert_agree(&lab, &laptop, "2026-11-21");
    // Both devices show every answer to a card studied on both.
    let q0_on_lab = card_answers(LAB, &lab, "2026-11-21", "q0");
    assert_eq!(q0_on_lab, card_answers(LAPTOP, &laptop, "2026-11-21", "q0"));
    assert!(q0_on_lab >= 2, "one answer from each device: {q0_on_lab}");
    let answers_in_journals: usize = files(&lab.join("journal"))
        .values()
        .map(|bytes| bytes.iter().filter(|&&b| b == b'\n').count())
        .sum();
    assert_eq!(answers_in_journals, lab_answers + laptop_answers);

    // Days two and three: both study again, offline, answers interleaved in time.
    for today in ["2026-11-22", "2026-11-23"] {
        study(LAPTOP, &laptop, today, &deck_file, &["--new", "2"], |n| {
            [4, 5, 1][n % 3]
        });
        study(LAB, &lab, today, &deck_file, &["--new", "1"], |n| {
            [3, 4][n % 2]
        });
        sync(&lab, &laptop, &mut synced);
        assert_agree(&lab, &laptop, today);
    }
    // The laptop sets an exam plan; the lab PC follows it after the sync, and cancels it:
    // each writes only its own plan file, and the one set last is in force on both.
    study(
        LAPTOP,
        &laptop,
        "2026-11-24",
        &deck_file,
        &["--exam", "2026-12-20"],
        |_| 4,
    );
    sync(&lab, &laptop, &mut synced);
    let exam =
        |device, data| json(device, data, "2026-11-24", &["stats", "--json"])["exam"].clone();
    assert_eq!(exam(LAB, &lab)["date"], "2026-12-20");
    study(
        LAB,
        &lab,
        "2026-11-24",
        &deck_file,
        &["--exam", "none"],
        |_| 4,
    );
    sync(&lab, &laptop, &mut synced);
    assert!(exam(LAPTOP, &laptop).is_null());
    // A session after the sync (which rebuilt from all journals) leaves both still agreeing.
    study(LAB, &lab, "2026-11-24", &deck_file, &[], |_| 4);
    sync(&lab, &laptop, &mut synced);
    assert_agree(&lab, &laptop, "2026-11-24");

    // Each device names itself and the devices it has seen.
    let status = json(LAPTOP, &laptop, "2026-11-24", &["status", "--json"]);
    assert_eq!(status["device"], LAPTOP);
    let seen: Vec<&str> = status["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(seen, [LAB, LAPTOP]);
    let text = knead_on(LAPTOP, &laptop, "2026-11-24")
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("This device: laptop"), "{text}");
    assert!(text.contains("lab-pc"), "{text}");
}

#[test]
fn a_half_synced_journal_is_read_to_its_last_complete_line_and_never_changed() {
    let root = tempfile::tempdir().unwrap();
    let deck_file = deck(root.path(), 6);
    let (lab, laptop) = (root.path().join("lab"), root.path().join("laptop"));
    study(
        LAPTOP,
        &laptop,
        "2026-11-21",
        &deck_file,
        &["--new", "3"],
        |_| 4,
    );
    study(LAB, &lab, "2026-11-21", &deck_file, &["--new", "1"], |_| 4);
    let journal = |data: &Path| data.join("journal").join("laptop.log");
    let whole = fs::read(journal(&laptop)).unwrap();
    // The sync tool has written the laptop's journal up to the middle of its last line.
    let cut = whole.len() - 40;
    fs::write(journal(&lab), &whole[..cut]).unwrap();
    let complete_lines = whole[..cut].iter().filter(|&&b| b == b'\n').count();

    let status = json(LAB, &lab, "2026-11-21", &["status", "--json"]);
    assert_eq!(status["reviews_total"], 1 + complete_lines);
    // A study session holding the lock does not repair another device's journal either.
    study(LAB, &lab, "2026-11-21", &deck_file, &[], |_| 4);
    assert_eq!(fs::read(journal(&lab)).unwrap(), &whole[..cut]);
    assert_eq!(open(&lab, LAB), replay_union(&lab));

    // The sync completes: the rest is picked up.
    fs::write(journal(&lab), &whole).unwrap();
    let status = json(LAB, &lab, "2026-11-21", &["status", "--json"]);
    let replayed = replay_union(&lab);
    let reviews: u32 = replayed.values().map(|p| p.reviews).sum();
    assert_eq!(status["reviews_total"], reviews);
    assert_eq!(open(&lab, LAB), replayed);
    assert_eq!(
        replayed["basic/q2"].reviews, 2,
        "the laptop's last answer counts, beside the lab PC's"
    );
}
