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
