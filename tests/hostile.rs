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
    command
        .env_remove("KNEAD_DATA_DIR")
        .env_remove("KNEAD_TODAY")
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
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("error: the system clock reads a time outside the years -9999 to 9999"),
        "{stderr}"
    );
    assert!(stderr.contains("--today"), "{stderr}");
    assert!(!dir.path().join("reviews.log").exists(), "nothing recorded");

    // With the date given, study goes ahead; the log's timestamps are clamped, not a panic.
    let mut study = knead(dir.path(), TODAY);
    study.env("KNEAD_CLOCK", YEAR_10000).arg("study");
    let mut session = common::Plain::spawn(study);
    session.answer_correctly();
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
    let log = fs::read_to_string(dir.path().join("reviews.log")).unwrap();
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
        study.env("TZ", tz).arg("study");
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
