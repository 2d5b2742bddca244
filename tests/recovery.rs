//! A deck from a stranger, a hand-edited or damaged data directory, a broken clock: what the
//! student sees over the real binary. Nothing here may hang, panic or lose a complete answer.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{fixture, knead};

const TODAY: &str = "2026-11-21";

fn run(mut command: Command) -> (i32, String, String) {
    let output: Output = command.stdin(Stdio::null()).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn args(data_dir: &Path, list: &[&str]) -> Command {
    let mut command = knead(data_dir, TODAY);
    command.args(list);
    command
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_by_every_command_that_reads_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fifo = dir.path().join("deck.ron");
    mkfifo(&fifo);
    let fifo = fifo.to_str().unwrap();
    for (command, path) in [
        (vec!["add"], fifo),
        (vec!["show"], fifo),
        (vec!["import", "--id", "x"], fifo),
        (vec!["study", "--plain", "--deck"], fifo),
        (vec!["add"], "/dev/zero"),
        (vec!["show"], "/dev/zero"),
        (vec!["import", "--id", "x"], "/dev/zero"),
    ] {
        let mut list = command.clone();
        list.push(path);
        let (code, _, stderr) = run(args(&data, &list));
        assert_eq!(code, 2, "{list:?}: {stderr}");
        assert!(
            stderr.contains(&format!("error: {path} is a")) && stderr.contains("not a file"),
            "{list:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    for path in ["/dev/zero", fifo] {
        let (code, stdout, _) = run(args(&data, &["check", path]));
        assert_eq!(code, 2, "{stdout}");
        assert!(stdout.contains("error[K008]"), "{stdout}");
        assert!(stdout.contains("1 error"), "{stdout}");
    }
}

#[cfg(unix)]
#[test]
fn a_folder_of_decks_with_a_fifo_among_them_names_it_and_checks_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("mini.ron"), dir.path().join("mini.ron")).unwrap();
    mkfifo(&dir.path().join("pipe.ron"));
    let (code, stdout, _) = run(args(dir.path(), &["check", dir.path().to_str().unwrap()]));
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("pipe.ron: cannot read: it is a named pipe"),
        "{stdout}"
    );
    assert!(stdout.contains("Checked 1 file (1 deck"), "{stdout}");
}

/// `knead` with no `--today`: the date comes from the clock.
fn knead_by_the_clock(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .env("NO_COLOR", "1")
        .arg("--data-dir")
        .arg(data_dir);
    command
}

/// 10000-01-01T00:00:00Z, as a system clock might read after a bad battery or a bad hand.
const YEAR_10000: &str = "253402300800";

#[test]
fn a_clock_beyond_9999_falls_back_with_a_note_and_study_asks_for_the_date() {
    let dir = tempfile::tempdir().unwrap();
    let mini = fixture("mini.ron");
    let mini = mini.to_str().unwrap();
    for command in [
        vec!["check", mini],
        vec!["show", mini],
        vec!["decks"],
        vec!["status"],
        vec!["stats"],
        vec!["card", "mini/x"],
        vec!["undo"],
    ] {
        let mut knead = knead_by_the_clock(dir.path());
        knead.env("KNEAD_CLOCK", YEAR_10000).args(&command);
        let (code, stdout, stderr) = run(knead);
        assert!(!stderr.contains("panicked"), "{command:?}: {stderr}");
        assert!(
            code == 0 || command[0] == "card" || command[0] == "undo",
            "{command:?}: {stderr}"
        );
        if ["status", "stats"].contains(&command[0]) {
            assert!(
                stderr.contains("note: the system clock reads a time after 9999-12-30"),
                "{command:?}: {stderr}"
            );
            assert!(stdout.contains("9999-12-30"), "{command:?}: {stdout}");
        }
        if command[0] == "check" {
            assert!(
                !stderr.contains("note:"),
                "check never reads the clock: {stderr}"
            );
        }
    }
    let mut study = knead_by_the_clock(dir.path());
    study
        .env("KNEAD_CLOCK", YEAR_10000)
        .args(["study", "--plain"]);
    let (code, _, stderr) = run(study);
    assert_eq!(code, i32::from(knead::error::exit::FAILED), "{stderr}");
    assert!(
        stderr.contains("error: the system clock reads a time outside the years -9999 to 9999"),
        "{stderr}"
    );
    assert!(stderr.contains("--today"), "{stderr}");
    assert_eq!(common::journal(dir.path()), "", "nothing recorded");

    // With the date given, study goes ahead; the log's timestamps are clamped, not a panic.
    let mut study = knead(dir.path(), TODAY);
    study.env("KNEAD_CLOCK", YEAR_10000).arg("study");
    // The first card in deck order is one the test driver knows how to answer.
    study.args(["--new-order", "deck"]);
    let mut session = common::Plain::spawn(study);
    session.answer_correctly();
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    let log = common::journal(dir.path());
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains(&format!("day: \"{TODAY}\"")), "{log}");
}

#[cfg(unix)]
#[test]
fn a_time_zone_naming_a_device_falls_back_to_utc_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    for tz in [":/dev/zero", "/dev/zero"] {
        // An answer to undo: `knead undo` tells its time of day in the local zone.
        let mut study = knead_by_the_clock(dir.path());
        study.env("TZ", tz).args(["study", "--new-order", "deck"]);
        let mut session = common::Plain::spawn(study);
        session.answer_correctly();
        let (code, output) = session.finish();
        assert_eq!(code, 0, "{output}");
        for command in ["status", "stats", "undo"] {
            let mut knead = knead_by_the_clock(dir.path());
            knead.env("TZ", tz).arg(command);
            let (code, stdout, stderr) = run(knead);
            assert!(!stderr.contains("panicked"), "{stderr}");
            assert_eq!(code, 0, "{command}: {stderr}");
            assert!(
                stderr.contains(&format!(
                    "note: TZ={tz} names /dev/zero, which is a character device, not a time zone file; knead uses UTC"
                )),
                "{command}: {stderr}"
            );
            if command == "undo" {
                assert!(stdout.contains("Undone: "), "{stdout}");
            }
        }
    }
}

/// A deck whose safety-critical answer a lying cache could turn into a wrong one.
const CRITICAL_DECK: &str = r#"Deck(
    id: "red-flags-drill",
    title: "Red flags drill",
    cards: [
        Choice(
            id: "dvt",
            prompt: "A client's calf is hot, swollen and painful on one side. What do you do?",
            options: ["Massage it gently", "Apply heat", "Right option: stop and refer them to a doctor today"],
            answer: 2,
            why: "Signs of a deep vein thrombosis: massage could dislodge a clot.",
            source: "Red flags chapter",
            critical: true,
        ),
        TrueFalse(id: "fever", statement: "A client with a fever should be massaged.", answer: false, why: "Refer.", source: "Red flags chapter", critical: true),
    ],
)
"#;

/// Answers every card of a plain session on `deck` correctly.
fn study_all(data: &Path, deck: &str) {
    let mut command = knead(data, TODAY);
    command.args(["study", "--deck", deck]);
    common::Plain::spawn(command).answer_all_correctly();
}

fn stdout_of(data: &Path, list: &[&str]) -> String {
    let (code, stdout, stderr) = run(args(data, list));
    assert_eq!(code, 0, "{list:?}: {stderr}");
    stdout
}

fn cache_entries(data: &Path, prefix: &str) -> Vec<std::path::PathBuf> {
    let Ok(entries) = fs::read_dir(common::local_path(data).join("cache")) else {
        return Vec::new();
    };
    let mut found: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".cache")
        })
        .collect();
    found.sort();
    found
}

/// A small deterministic generator (no timing, no global state).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn read_only_commands_never_write_a_cache_and_flipped_bytes_never_change_what_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let deck = dir.path().join("red-flags-drill.ron");
    fs::write(&deck, CRITICAL_DECK).unwrap();
    let deck = deck.to_str().unwrap();
    stdout_of(&data, &["add", deck]);
    let truth_show = stdout_of(&data, &["show", "red-flags-drill"]);
    assert!(
        truth_show.contains("Right option: stop and refer them to a doctor today"),
        "{truth_show}"
    );
    let truth_status = stdout_of(&data, &["status", "--json"]);
    // A plain session with no input ends at once; with progress on disk, every read-only
    // command runs, and none writes a cache.
    fs::remove_dir_all(common::local_path(&data).join("cache")).ok();
    for list in [
        vec!["show", "red-flags-drill"],
        vec!["show", deck],
        vec!["check", deck],
        vec!["export", "markdown", "red-flags-drill"],
        vec!["export", "anki", "red-flags-drill"],
        vec!["stats"],
        vec!["card", "red-flags-drill/dvt"],
        vec!["status"],
        vec!["decks"],
    ] {
        stdout_of(&data, &list);
        assert!(
            !common::local_path(&data).join("cache").exists(),
            "{list:?} wrote a cache"
        );
    }

    // A study session writes one entry for each deck (this one and each bundled deck) and
    // one for the progress snapshot.
    study_all(&data, "red-flags-drill");
    let decks = cache_entries(&data, "deck-");
    let progress = cache_entries(&data, "progress-");
    let bundled = knead::study::collection::bundled().unwrap().len();
    assert_eq!(
        (decks.len(), progress.len()),
        (1 + bundled, 1),
        "{decks:?} {progress:?}"
    );
    let drill = decks
        .iter()
        .find(|entry| entry.to_string_lossy().ends_with("-red-flags-drill.cache"))
        .expect("the installed deck's entry");
    let truth_status = {
        let now = stdout_of(&data, &["status", "--json"]);
        assert_ne!(now, truth_status, "the session changed the progress");
        now
    };
    assert_eq!(stdout_of(&data, &["show", "red-flags-drill"]), truth_show);

    let mut random = Lcg(0x5eed);
    for (entry, list, truth, flips) in [
        (drill, vec!["show", "red-flags-drill"], &truth_show, 100),
        (&progress[0], vec!["status", "--json"], &truth_status, 40),
    ] {
        let original = fs::read(entry).unwrap();
        let len = original.len() as u64;
        // The framing's both ends, then positions at random.
        let positions: Vec<u64> = (0..12)
            .chain(len - 36..len)
            .chain((0..flips).map(|_| random.next() % len))
            .collect();
        let mut flipped = original.clone();
        for at in positions {
            flipped = original.clone();
            flipped[at as usize] ^= (random.next() % 255 + 1) as u8;
            fs::write(entry, &flipped).unwrap();
            assert_eq!(
                &stdout_of(&data, &list),
                truth,
                "{list:?}, byte {at} flipped"
            );
            assert_eq!(
                fs::read(entry).unwrap(),
                flipped,
                "a reader never rewrites the entry"
            );
        }
        // A study session (a writer) replaces the damaged entry with a sound one.
        stdout_of(
            &data,
            &[
                "study",
                "--plain",
                "--deck",
                "red-flags-drill",
                "--new",
                "0",
            ],
        );
        assert_ne!(
            fs::read(entry).unwrap(),
            flipped,
            "the damaged entry is replaced"
        );
        assert_eq!(&stdout_of(&data, &list), truth);
    }
}

/// Three sessions on the mini deck, one answer each, so the log has several lines and the
/// snapshot summarises them all.
fn three_sessions(data: &Path) -> String {
    for today in ["2026-11-19", "2026-11-20", TODAY] {
        let mut command = knead(data, today);
        command
            .args(["study", "--new", "1", "--deck"])
            .arg(fixture("mini.ron"));
        let mut session = common::Plain::spawn(command);
        session.answer_correctly();
        let (code, output) = session.finish();
        assert_eq!(code, 0, "{output}");
    }
    common::journal(data)
}

fn study_mini(data: &Path) -> (i32, String, String) {
    let mut command = knead(data, "2026-11-22");
    command
        .args(["study", "--plain", "--deck"])
        .arg(fixture("mini.ron"));
    run(command)
}

#[test]
fn a_hand_edit_before_the_snapshots_offset_sets_the_snapshot_aside_and_keeps_every_answer() {
    let dir = tempfile::tempdir().unwrap();
    let log = three_sessions(dir.path());
    // Shorten the first answer's time: every offset after it moves, so the snapshot's offset
    // falls inside a line (knead used to call that line damaged and advise deleting it).
    let edited = log.replacen("took_ms: ", "took_ms: 1", 1);
    assert_ne!(edited, log);
    fs::write(common::journal_path(dir.path()), &edited).unwrap();

    let (code, _, stderr) = run(args(dir.path(), &["status"]));
    assert_eq!(code, 0, "a reader rebuilds from the log: {stderr}");
    assert!(
        common::snapshot_path(dir.path()).exists(),
        "and changes nothing"
    );

    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("delete"), "{stderr}");
    assert!(
        stderr.contains("progress.ron did not match")
            && stderr.contains("set aside as")
            && stderr.contains("progress.ron.bad-")
            && stderr.contains("no answer was lost"),
        "{stderr}"
    );
    let after = common::journal(dir.path());
    assert!(after.starts_with(&edited), "every line kept");
    let aside = fs::read_dir(common::local_path(dir.path()))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("progress.ron.bad-")
        })
        .count();
    assert_eq!(aside, 1);
    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("note:"), "said once: {stderr}");
}

#[test]
fn a_last_answer_without_its_newline_is_kept_and_the_newline_added() {
    let dir = tempfile::tempdir().unwrap();
    let log = three_sessions(dir.path());
    fs::write(common::journal_path(dir.path()), log.trim_end()).unwrap();
    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("line 3, a complete answer, lacked the newline"),
        "{stderr}"
    );
    assert!(!stderr.contains("cut off"), "{stderr}");
    assert!(
        !stderr.contains("did not match"),
        "the snapshot still holds: {stderr}"
    );
    assert_eq!(common::journal(dir.path()), log);
}

#[test]
fn a_log_with_zero_bytes_is_refused_with_its_file_and_line_and_never_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let log = three_sessions(dir.path());
    let mut zeroed = log.clone().into_bytes();
    zeroed.extend([0u8; 512]);
    let path = common::journal_path(dir.path());
    fs::write(&path, &zeroed).unwrap();
    for list in [vec!["status"], vec!["undo"]] {
        let (code, _, stderr) = run(args(dir.path(), &list));
        assert_eq!(code, i32::from(knead::error::exit::DAMAGED), "{stderr}");
        assert!(stderr.contains(&format!("{}", path.display())), "{stderr}");
        assert!(stderr.contains("512 zero bytes from line 4 on"), "{stderr}");
        assert!(!stderr.contains("intact"), "{stderr}");
    }
    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, i32::from(knead::error::exit::DAMAGED), "{stderr}");
    assert!(
        stderr.contains("knead stopped without changing any progress file"),
        "{stderr}"
    );
    assert_eq!(
        fs::read(&path).unwrap(),
        zeroed,
        "never cut, never appended to"
    );
}

#[test]
fn the_next_study_session_removes_what_killed_saves_left_and_a_report_does_not() {
    let dir = tempfile::tempdir().unwrap();
    three_sessions(dir.path());
    let left = [
        dir.path().join(".tmpK1LLED"),
        dir.path().join("decks/.tmpADD123"),
    ];
    fs::create_dir_all(dir.path().join("decks")).unwrap();
    for path in &left {
        fs::write(path, vec![b'('; 1 << 20]).unwrap();
    }
    let stale = common::local_path(dir.path()).join("cache/.tmpCACHE1");
    fs::write(&stale, b"x").unwrap();
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 3600);
    fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    stdout_of(dir.path(), &["status"]);
    assert!(left.iter().chain([&stale]).all(|p| p.exists()));
    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(left.iter().chain([&stale]).all(|p| !p.exists()));
}

#[test]
fn two_installed_files_with_one_id_name_the_one_to_remove() {
    let dir = tempfile::tempdir().unwrap();
    stdout_of(dir.path(), &["add", fixture("mini.ron").to_str().unwrap()]);
    // What a kill between the two steps of an older `knead add` left behind.
    fs::copy(fixture("mini.ron"), dir.path().join("decks/mini-old.ron")).unwrap();
    let (code, _, stderr) = run(args(dir.path(), &["status"]));
    assert_eq!(code, 2, "{stderr}");
    let remove = dir.path().join("decks/mini-old.ron");
    let keep = dir.path().join("decks/mini.ron");
    assert!(
        stderr.contains(&format!(
            "help: remove {} and keep {}; progress is kept per deck id",
            remove.display(),
            keep.display()
        )),
        "{stderr}"
    );
    // `knead add` also mends it.
    stdout_of(dir.path(), &["add", fixture("mini.ron").to_str().unwrap()]);
    assert!(!remove.exists() && keep.exists());
    stdout_of(dir.path(), &["status"]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_while_saving_an_answer_says_every_confirmed_answer_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    use std::io::{Read, Write};
    let mut command = knead(dir.path(), TODAY);
    let mut child = command
        .args(["study", "--plain", "--deck"])
        .arg(fixture("mini.ron"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first card's prompt: knead now waits for the answer.
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"to quit): ") {
        assert_eq!(
            stdout.read(&mut byte).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&seen)
        );
        seen.push(byte[0]);
    }
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    let journal = common::journal_path(dir.path());
    fs::remove_file(&journal).unwrap();
    std::os::unix::fs::symlink("/dev/full", &journal).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Whatever the card's kind, these lines answer it (reveal, then a grade or an option).
    stdin.write_all(b"\n1\n4\n4\n").unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(i32::from(knead::error::exit::FAILED)),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: could not save an answer to")
            && stderr.contains(
                "help: the disk is full. Every answer knead confirmed is saved in this machine's journal"
            ),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_bookkeeping_files_name_themselves_and_what_removing_them_loses() {
    let dir = tempfile::tempdir().unwrap();
    three_sessions(dir.path());
    // A FIFO must neither hang knead nor be taken for an empty file.
    fs::remove_file(common::local_path(dir.path()).join("decks-seen.ron")).unwrap();
    mkfifo(&common::local_path(dir.path()).join("decks-seen.ron"));
    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, i32::from(knead::error::exit::FAILED), "{stderr}");
    assert!(
        stderr.contains("decks-seen.ron: it is a named pipe"),
        "{stderr}"
    );
    assert!(
        stderr.contains("decks-seen.ron only remembers which version of each deck you last studied")
            && stderr.contains("remove it: that loses one announcement of what changed in updated decks, and no answer or schedule"),
        "{stderr}"
    );
    fs::remove_file(common::local_path(dir.path()).join("decks-seen.ron")).unwrap();
    fs::create_dir(dir.path().join("exam.ron")).unwrap();
    let (code, _, stderr) = study_mini(dir.path());
    assert_eq!(code, i32::from(knead::error::exit::FAILED), "{stderr}");
    assert!(
        stderr.contains("exam.ron only holds your exam plan")
            && stderr
                .contains("that loses the exam plan (set it again with `knead study --exam DATE`)"),
        "{stderr}"
    );
}
