//! knead beside the tools people trust: completions, a man page, `knead remove`, one broken
//! deck that blocks nothing, errors written for the case, one table of exit statuses, and
//! `knead` alone taking the study options.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use assert_cmd::Command;
use common::{edited_fixture, fixture, knead};
use knead::error::exit;
use predicates::prelude::*;
use predicates::str::contains;

fn cmd(data_dir: &Path) -> Command {
    Command::from_std(knead(data_dir, "2026-11-21"))
}

fn code(status: u8) -> i32 {
    i32::from(status)
}

/// Whether `program` runs here; under CI a missing one fails the test (`.ci/run` installs it).
fn available(program: &str) -> bool {
    let found = StdCommand::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none_or(|ci| ci != "true"),
            "{program} is missing; .ci/run installs it"
        );
        eprintln!("note: {program} is not installed here; skipping its check");
    }
    found
}

/// Runs `shell` with `args` on `script` and asserts it accepts it.
fn parses_in(shell: &str, args: &[&str], script: &Path) {
    let output = StdCommand::new(shell)
        .args(args)
        .arg(script)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{shell} rejects the script: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn completion_scripts_parse_in_their_shells_and_name_every_command() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = cmd(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = String::from_utf8(output.stdout).unwrap();
        for command in ["study", "stats", "remove", "completions"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
        let path = dir.path().join(format!("knead.{shell}"));
        fs::write(&path, &script).unwrap();
        match shell {
            "bash" if available("bash") => parses_in("bash", &["-n"], &path),
            "zsh" if available("zsh") => parses_in("zsh", &["-n"], &path),
            "fish" if available("fish") => parses_in("fish", &["--no-execute"], &path),
            _ => {}
        }
    }
    assert!(!dir.path().join("journal").exists(), "nothing written");
}

#[test]
fn the_man_page_renders_with_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let output = cmd(dir.path()).arg("man").output().unwrap();
    assert!(output.status.success());
    let page = dir.path().join("knead.1");
    fs::write(&page, &output.stdout).unwrap();
    let roff = String::from_utf8(output.stdout).unwrap();
    assert!(
        roff.starts_with(".ie \\n(.g .ds Aq") || roff.contains(".TH knead 1"),
        "{roff}"
    );
    if !available("man") {
        return;
    }
    let rendered = StdCommand::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{rendered:?}");
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains("SYNOPSIS"), "{text}");
    for command in ["knead-study", "knead-remove", "knead-check"] {
        assert!(text.contains(command), "{command} missing:\n{text}");
    }
}

/// Installs mini.ron and answers one of its cards (so it has history).
fn mini_with_history(data: &Path) {
    cmd(data)
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    let mut study = knead(data, "2026-11-21");
    study.args([
        "study",
        "--new-order",
        "deck",
        "--deck",
        "mini",
        "--new",
        "1",
        "--seed",
        "1",
    ]);
    let session = common::Plain::spawn(study);
    let (asked, _) = session.answer_all_correctly();
    assert_eq!(asked, 1);
}

fn reviews_total(data: &Path) -> u64 {
    let output = cmd(data).args(["status", "--json"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    status["reviews_total"].as_u64().unwrap()
}

#[test]
fn remove_uninstalls_a_deck_and_its_history_returns_when_added_again() {
    let dir = tempfile::tempdir().unwrap();
    mini_with_history(dir.path());
    let learned = |data: &Path| {
        let output = cmd(data).args(["status", "--json"]).output().unwrap();
        let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        status["decks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == "mini")
            .map(|d| d["new"].as_u64().unwrap())
    };
    assert_eq!(learned(dir.path()), Some(5), "one of six cards seen");
    cmd(dir.path())
        .args(["remove", "mini"])
        .assert()
        .success()
        .stdout(
            contains("Removed deck `mini` (v1)").and(contains("progress on its cards is kept")),
        );
    assert_eq!(learned(dir.path()), None, "gone from status");
    assert!(!dir.path().join("decks/mini.ron").exists());
    cmd(dir.path())
        .arg("decks")
        .assert()
        .success()
        .stdout(contains("mini").not());
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    assert_eq!(learned(dir.path()), Some(5), "its history came back");
    assert_eq!(reviews_total(dir.path()), 1);
}

#[test]
fn remove_refuses_bundled_decks_and_names_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let bundled = knead::study::collection::bundled().unwrap();
    let id = &bundled[0].deck.id;
    cmd(dir.path())
        .args(["remove", id])
        .assert()
        .code(code(exit::REFUSED))
        .stderr(
            contains(format!("`{id}` is a bundled deck"))
                .and(contains("help: bundled decks update with knead itself")),
        );
    cmd(dir.path())
        .args(["remove", "no-such-deck"])
        .assert()
        .code(code(exit::BAD_INPUT))
        .stderr(contains("no deck `no-such-deck`"));
    assert!(!dir.path().join("decks").exists());
}

#[test]
fn one_broken_installed_deck_is_left_out_with_a_warning_and_blocks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    mini_with_history(dir.path());
    // A hand edit with a typo.
    let installed = dir.path().join("decks/mini.ron");
    let text = fs::read_to_string(&installed).unwrap();
    fs::write(&installed, text.replace("statement:", "statment:")).unwrap();

    let decks = cmd(dir.path()).arg("decks").output().unwrap();
    assert!(decks.status.success(), "{decks:?}");
    let listing = String::from_utf8(decks.stdout).unwrap();
    let broken = listing
        .lines()
        .find(|l| l.starts_with("mini "))
        .expect(&listing);
    assert!(broken.contains("broken"), "{broken}");
    let unwrapped = listing.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        unwrapped.contains("problem: 1 problem: unknown field `statment`")
            && unwrapped.contains(&format!("`knead check {}`", installed.display()))
            && unwrapped.contains("`knead remove mini`"),
        "{listing}"
    );
    assert!(listing.contains(" bundled "), "{listing}");

    for command in [&["status"][..], &["stats"], &["card", "mini/b1"]] {
        let output = cmd(dir.path()).args(command).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "warning: left out the installed deck {}: 1 problem: unknown field `statment`",
                installed.display()
            )),
            "{command:?}: {stderr}"
        );
        if command[0] != "card" {
            assert!(output.status.success(), "{command:?}: {stderr}");
        } else {
            // The broken deck's own cards are not there; the others are.
            assert_eq!(output.status.code(), Some(code(exit::BAD_INPUT)));
        }
    }
    // The bundled decks can still be studied.
    let mut study = knead(dir.path(), "2026-11-22");
    study.args([
        "study",
        "--new-order",
        "deck",
        "--new",
        "1",
        "--reviews",
        "0",
        "--seed",
        "1",
    ]);
    let (asked, output) = common::Plain::spawn(study).answer_all_correctly();
    assert_eq!(asked, 1, "{output}");
    // `show` of the broken deck shows its problem, located.
    cmd(dir.path())
        .args(["show", "mini"])
        .assert()
        .code(code(exit::BAD_INPUT))
        .stderr(contains("error[K002]: unknown field `statment`"));
    // Adding a fixed copy replaces the broken file; the history is there.
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    assert_eq!(fs::read_dir(dir.path().join("decks")).unwrap().count(), 1);
    cmd(dir.path())
        .arg("status")
        .assert()
        .success()
        .stderr(contains("warning").not());
    assert_eq!(reviews_total(dir.path()), 2);
    // A broken deck can be removed by its file's name.
    fs::write(&installed, "Deck(").unwrap();
    cmd(dir.path())
        .args(["remove", "mini"])
        .assert()
        .success()
        .stdout(contains("(it did not load)"));
}

#[test]
fn a_missing_file_is_bad_input_for_every_command_that_reads_one() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["study", "--plain", "--deck", "nothere.ron"][..],
        &["show", "nothere.ron"],
        &["add", "nothere.ron"],
        &["check", "nothere.ron"],
        &["export", "anki", "nothere.ron"],
    ] {
        let output = cmd(dir.path()).args(args).write_stdin("").output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(code(exit::BAD_INPUT)),
            "{args:?}: {stderr}{stdout}"
        );
        assert!(
            format!("{stdout}{stderr}").contains("nothere.ron"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("--data-dir"), "{args:?}: {stderr}");
    }
    let output = cmd(dir.path())
        .args(["show", "nothere.ron"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("help: check the spelling of the path"),
        "{stderr}"
    );
}

#[test]
fn a_folder_given_as_a_deck_is_called_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("my-decks");
    fs::create_dir(&folder).unwrap();
    let output = cmd(dir.path())
        .args(["study", "--plain", "--deck"])
        .arg(&folder)
        .write_stdin("")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        output.status.code(),
        Some(code(exit::BAD_INPUT)),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{} is a folder", folder.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`knead check {}`", folder.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("no deck"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn an_unwritable_data_directory_is_named_with_the_way_around_it() {
    use std::os::unix::fs::PermissionsExt;
    if unsafe { libc::geteuid() } == 0 {
        // root may write anywhere: the same error, through a file where the folder should be.
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        fs::write(&data, "").unwrap();
        let output = cmd(&data)
            .arg("add")
            .arg(fixture("mini.ron"))
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(code(exit::FAILED)), "{stderr}");
        assert!(
            stderr.contains(&format!("help: {} is a file, not a folder", data.display())),
            "{stderr}"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o500)).unwrap();
    let output = cmd(&data)
        .arg("add")
        .arg(fixture("mini.ron"))
        .output()
        .unwrap();
    fs::set_permissions(&data, fs::Permissions::from_mode(0o700)).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code(exit::FAILED)), "{stderr}");
    assert!(
        stderr.contains("must be able to write there") && stderr.contains("--data-dir"),
        "{stderr}"
    );
}

#[test]
fn date_errors_say_the_format_and_where_the_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let mut from_option = knead(dir.path(), "12/03/2026");
    let output = from_option.arg("status").output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        output.status.code(),
        Some(code(exit::BAD_INPUT)),
        "{stderr}"
    );
    assert!(
        stderr.starts_with(
            "error: invalid value `12/03/2026` for --today: expected a date as YYYY-MM-DD\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("`--today 2026-12-03`"), "{stderr}");
    assert!(!stderr.contains("four digit"), "{stderr}");

    let mut from_env = StdCommand::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut from_env, common::TEST_DEVICE);
    let output = from_env
        .arg("--data-dir")
        .arg(dir.path())
        .arg("status")
        .env("KNEAD_TODAY", "2026-02-30")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        output.status.code(),
        Some(code(exit::BAD_INPUT)),
        "{stderr}"
    );
    assert!(
        stderr.contains("invalid value `2026-02-30` for KNEAD_TODAY")
            && stderr.contains("set KNEAD_TODAY to a date")
            && !stderr.contains("--today"),
        "{stderr}"
    );
    // The same wording as --exam's.
    let exam = cmd(dir.path())
        .args(["study", "--plain", "--exam", "12/03/2026"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&exam.stderr).contains("expected a date as YYYY-MM-DD"),
        "{exam:?}"
    );
}

#[test]
fn the_exit_status_table_in_the_readme_is_the_one_knead_follows() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for (status, meaning) in exit::TABLE {
        let row = format!("| {status} | {meaning} |");
        assert!(readme.contains(&row), "README lacks the row:\n{row}");
    }
}

#[test]
fn knead_alone_takes_the_study_options() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    // Nothing is due on day one: --cram asks anyway.
    let mut alone = knead(dir.path(), "2026-11-21");
    alone.args(["--cram", "--deck", "mini", "--max", "1", "--seed", "1"]);
    let (asked, output) = common::Plain::spawn(alone).answer_all_correctly();
    assert_eq!(asked, 1, "{output}");
    assert!(output.contains("Session saved."), "{output}");
    // A study option before another command would be ignored: it is refused instead.
    cmd(dir.path())
        .args(["--cram", "stats"])
        .assert()
        .code(code(exit::BAD_INPUT))
        .stderr(contains(
            "`--cram` is an option of `knead study`, not of `knead stats`",
        ));
    // `knead study` still takes them.
    let mut study = knead(dir.path(), "2026-11-21");
    study.args(["study", "--cram", "--deck", "mini", "--max", "1"]);
    let (asked, _) = common::Plain::spawn(study).answer_all_correctly();
    assert_eq!(asked, 1);
}

#[test]
fn usage_and_help_show_only_what_each_command_uses() {
    let dir = tempfile::tempdir().unwrap();
    // A data directory from the environment is not shown as a required option.
    let mut card = StdCommand::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut card, common::TEST_DEVICE);
    let output = card
        .arg("card")
        .env("KNEAD_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(code(exit::BAD_INPUT)));
    assert!(stderr.contains("Usage: knead card <DECK/CARD>"), "{stderr}");
    let help = |command: &str| {
        let output = cmd(dir.path()).args([command, "--help"]).output().unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    for command in ["check", "new", "export", "decks", "add", "remove", "import"] {
        let text = help(command);
        assert!(!text.contains("--today"), "{command}:\n{text}");
        assert!(!text.contains("--plain"), "{command}:\n{text}");
    }
    for command in ["study", "stats"] {
        let text = help(command);
        assert!(
            text.contains("--today") && text.contains("--plain"),
            "{command}:\n{text}"
        );
    }
    assert!(help("status").contains("--today"));
    // The default data directory is shown as the path it is.
    let text = help("status");
    let line = text
        .lines()
        .skip_while(|l| !l.contains("--data-dir"))
        .take(3)
        .collect::<String>();
    assert!(!line.contains("platform data directory"), "{line}");
    assert!(line.contains("[default: "), "{line}");
}

#[test]
fn a_misspelt_deck_file_gets_help_about_the_path_not_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("v")).unwrap();
    let bad = edited_fixture(&dir.path().join("v"), "mini.ron", |d| {
        d.replace("version: 1", "version: 2")
    });
    fs::remove_file(&bad).unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(&bad)
        .assert()
        .code(code(exit::BAD_INPUT))
        .stderr(contains("help: check the spelling of the path").and(contains("--data-dir").not()));
}

/// A data directory where one bundled card (`autoimmune-conditions/sle-definition`, with a
/// long deck id) has lapsed once.
fn one_lapse(data: &Path) {
    let mut study = knead(data, "2026-11-21");
    study.args([
        "study",
        "--new-order",
        "deck",
        "--new",
        "1",
        "--deck",
        "autoimmune-conditions",
        "--seed",
        "1",
    ]);
    let mut session = common::Plain::spawn(study);
    let card = session.expect_question();
    assert!(card.contains("Press Enter to show the answer"), "{card}");
    session.send("");
    session.expect("Grade your recall 0-5");
    session.send("0");
    session.send("q");
    let (code, output) = session.finish();
    assert_eq!(code, 0, "{output}");
}

fn narrow(data: &Path, columns: u16, args: &[&str]) -> String {
    let output = cmd(data)
        .env("COLUMNS", columns.to_string())
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn every_table_fits_the_width_and_a_shortened_card_key_still_names_the_card() {
    let dir = tempfile::tempdir().unwrap();
    one_lapse(dir.path());
    for columns in [40u16, 50] {
        for args in [
            &["decks"][..],
            &["status"],
            &["stats", "--leech-lapses", "1"],
        ] {
            let text = narrow(dir.path(), columns, args);
            for line in text.lines().filter(|l| !l.starts_with("Progress kept in:")) {
                assert!(
                    line.chars().count() <= usize::from(columns),
                    "{args:?} wider than {columns}: {line:?}"
                );
            }
        }
    }
    let text = narrow(dir.path(), 80, &["status"]);
    assert!(text.contains("autoimmune-conditions "), "{text}");
    let text = narrow(dir.path(), 40, &["status"]);
    assert!(text.contains("autoimmun… "), "{text}");
    // The leech table at 40 columns: the deck prefix gives way, the card id stays whole.
    let stats = narrow(dir.path(), 40, &["stats", "--leech-lapses", "1"]);
    let shown = stats
        .lines()
        .find(|l| l.contains("/sle-definition"))
        .expect(&stats)
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(shown.ends_with("…/sle-definition"), "{shown}");
    cmd(dir.path())
        .args(["card", &shown])
        .assert()
        .success()
        .stdout(contains("autoimmune-conditions/sle-definition (Basic)"));
    cmd(dir.path())
        .args(["card", "…/sle-definition"])
        .assert()
        .success();
}

#[test]
fn stats_and_card_honour_the_leech_threshold() {
    let dir = tempfile::tempdir().unwrap();
    one_lapse(dir.path());
    let json = |args: &[&str]| -> serde_json::Value {
        let output = cmd(dir.path()).args(args).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let card = "autoimmune-conditions/sle-definition";
    assert_eq!(json(&["card", card, "--json"])["items"][0]["leech"], false);
    assert_eq!(
        json(&["card", card, "--json", "--leech-lapses", "1"])["items"][0]["leech"],
        true
    );
    let leeches = |args: &[&str]| json(args)["leeches"].as_array().unwrap().len();
    assert_eq!(leeches(&["stats", "--json"]), 0);
    assert_eq!(leeches(&["stats", "--json", "--leech-lapses", "1"]), 1);
}

#[test]
fn plain_stats_and_a_dumb_terminal_get_numbers_instead_of_block_charts() {
    let dir = tempfile::tempdir().unwrap();
    one_lapse(dir.path());
    let blocks = |text: &str| {
        text.chars()
            .any(|c| matches!(c, '▁'..='█' | '░' | '▒' | '▓' | '┤' | '└'))
    };
    let charts = narrow(dir.path(), 80, &["stats"]);
    assert!(blocks(&charts), "{charts}");
    let plain = narrow(dir.path(), 80, &["stats", "--plain"]);
    assert!(!blocks(&plain), "{plain}");
    // The numbers the charts drew: one card due tomorrow, one answer today.
    assert!(plain.contains("  11-22 1"), "{plain}");
    assert!(plain.contains("  11-21 1"), "{plain}");
    let output = cmd(dir.path())
        .env("TERM", "dumb")
        .arg("stats")
        .output()
        .unwrap();
    let dumb = String::from_utf8(output.stdout).unwrap();
    assert_eq!(dumb, plain);
}

#[cfg(unix)]
#[test]
fn a_dumb_terminal_gets_plain_prompts_without_colour() {
    use rexpect::session::spawn_command;
    let dir = tempfile::tempdir().unwrap();
    let mut command = StdCommand::new(env!("CARGO_BIN_EXE_knead"));
    common::hermetic(&mut command, common::TEST_DEVICE)
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "--today",
            "2026-11-21",
            "study",
            "--new-order",
            "deck",
            "--seed",
            "1",
            "--deck",
        ])
        .arg(fixture("mini.ron"))
        .env_remove("NO_COLOR")
        .env("TERM", "dumb");
    let mut session = spawn_command(command, Some(30_000)).unwrap();
    // The plain prompt, not inquire's "Your answer (optional):".
    let before = session
        .exp_string("Press Enter to show the answer")
        .unwrap();
    session.send_line("").unwrap();
    let shown = session.exp_string("Grade your recall 0-5").unwrap();
    session.send_line("q").unwrap();
    session.exp_string("Session saved.").unwrap();
    for text in [before, shown] {
        assert!(!text.contains('\x1b'), "no escape sequences: {text:?}");
    }
}

#[test]
fn pagers_get_the_width_of_columns_else_80() {
    let dir = tempfile::tempdir().unwrap();
    let text = narrow(dir.path(), 45, &["decks"]);
    assert!(text.lines().all(|l| l.chars().count() <= 45), "{text}");
    let output = cmd(dir.path())
        .env_remove("COLUMNS")
        .arg("decks")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.lines().any(|l| l.chars().count() > 45), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn card_shows_a_revision_as_no_answer_and_marks_a_retired_card() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    // Answer b1 (the first card).
    let mut study = knead(dir.path(), "2026-11-21");
    study.args([
        "study",
        "--new-order",
        "deck",
        "--deck",
        "mini",
        "--new",
        "1",
        "--seed",
        "1",
    ]);
    let (asked, _) = common::Plain::spawn(study).answer_all_correctly();
    assert_eq!(asked, 1);
    // The author revises b1 substantively; the next session applies it.
    fs::create_dir_all(dir.path().join("v2")).unwrap();
    let v2 = edited_fixture(&dir.path().join("v2"), "mini.ron", |deck| {
        deck.replace("version: 1", "version: 2").replace(
            r#"back: "Back one","#,
            r#"back: "Back one, corrected", rev: 1, change: Substantive,"#,
        )
    });
    cmd(dir.path()).arg("add").arg(&v2).assert().success();
    let mut study = knead(dir.path(), "2026-11-22");
    study.args(["study", "--deck", "mini", "--new", "0", "--reviews", "0"]);
    let (_, output) = common::Plain::spawn(study).answer_all_correctly();
    let card = narrow(dir.path(), 80, &["card", "mini/b1"]);
    assert!(
        card.contains("History: 1 answer, 1 schedule change"),
        "{output}\n{card}"
    );
    let revision = card
        .lines()
        .find(|l| l.starts_with("2026-11-22"))
        .expect(&card);
    assert!(
        revision.contains("Revision") && revision.contains(" — "),
        "{revision}"
    );
    let answer = card.lines().find(|l| l.starts_with("2026-11-21")).unwrap();
    assert!(
        answer.contains("Review") && answer.contains(" 4 "),
        "{answer}"
    );
    assert!(!card.contains("RETIRED"), "{card}");

    // Retired in v3: marked, with its reason.
    fs::create_dir_all(dir.path().join("v3")).unwrap();
    let v3 = edited_fixture(&dir.path().join("v3"), "mini.ron", |deck| {
        deck.replace("version: 1", "version: 3").replace(
            r#"back: "Back one","#,
            r#"back: "Back one", retired: "merged into c1","#,
        )
    });
    cmd(dir.path()).arg("add").arg(&v3).assert().success();
    let card = narrow(dir.path(), 80, &["card", "mini/b1"]);
    assert!(
        card.contains("RETIRED (no longer studied; its history is kept): merged into c1"),
        "{card}"
    );
    let output = cmd(dir.path())
        .args(["card", "mini/b1", "--json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["retired"], "merged into c1");
}

#[test]
fn adding_the_same_version_again_says_students_will_not_be_told() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    fs::create_dir_all(dir.path().join("edit")).unwrap();
    let same = edited_fixture(&dir.path().join("edit"), "mini.ron", |deck| {
        deck.replace("Back one", "Back one, reworded")
    });
    cmd(dir.path())
        .arg("add")
        .arg(&same)
        .assert()
        .success()
        .stdout(
            contains("same version")
                .and(contains("will not be told of the changes"))
                .and(contains("raise `version:`")),
        );
}

#[test]
fn tags_match_whatever_their_case_and_a_near_miss_is_suggested() {
    let dir = tempfile::tempdir().unwrap();
    let lower = narrow(dir.path(), 80, &["stats", "--tag", "lupus", "--json"]);
    let upper = narrow(dir.path(), 80, &["stats", "--tag", "LUPUS", "--json"]);
    let cards =
        |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap()["cards"].clone();
    assert_eq!(cards(&lower), cards(&upper));
    assert!(cards(&lower).as_u64().unwrap() > 0);
    cmd(dir.path())
        .args(["stats", "--tag", "LUPSU"])
        .assert()
        .code(code(exit::BAD_INPUT))
        .stderr(contains("did you mean `lupus`?"));
}

#[test]
fn show_and_export_leave_no_data_directory_or_cache_behind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cache = dir.path().join("cache");
    for args in [
        &["show", "autoimmune-conditions"][..],
        &["export", "anki", "autoimmune-conditions"],
    ] {
        cmd(&data)
            .env("KNEAD_CACHE_DIR", &cache)
            .args(args)
            .assert()
            .success();
    }
    for args in [&["show"][..], &["export", "markdown"]] {
        cmd(&data)
            .env("KNEAD_CACHE_DIR", &cache)
            .args(args)
            .arg(fixture("mini.ron"))
            .assert()
            .success();
    }
    assert!(!data.exists(), "no data directory");
    assert!(!cache.exists(), "no cache");
}

#[test]
fn the_first_run_says_where_progress_is_kept_and_status_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut study = knead(&data, "2026-11-21");
    study.args(["study", "--new-order", "deck", "--new", "1", "--seed", "1"]);
    let output = common::without_input(study);
    let stderr = String::from_utf8(output.stderr).unwrap();
    let note = format!("note: knead keeps your progress in {}", data.display());
    assert!(stderr.contains(&note), "{stderr}");
    assert!(data.exists());
    let output = common::without_input({
        let mut again = knead(&data, "2026-11-21");
        again.args(["study", "--new-order", "deck", "--new", "1"]);
        again
    });
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("keeps your progress"), "once: {stderr}");
    cmd(&data)
        .arg("status")
        .assert()
        .success()
        .stdout(contains(format!("Progress kept in: {}", data.display())));
}

#[test]
fn the_readme_counts_cards_and_items_as_knead_decks_does() {
    let dir = tempfile::tempdir().unwrap();
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let listing = narrow(dir.path(), 120, &["decks"]);
    let bundled: Vec<&str> = listing
        .lines()
        .filter(|l| l.contains(" bundled "))
        .collect();
    assert_eq!(bundled.len(), 4, "{listing}");
    for line in bundled {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let row = format!("| `{}` | {} | {} |", fields[0], fields[1], fields[2]);
        assert!(readme.contains(&row), "README lacks {row}\n{listing}");
    }
}

/// The card `mini/b1`'s SM-2 interval and due date.
fn b1_schedule(data: &Path) -> (u64, String) {
    let output = cmd(data)
        .args(["card", "mini/b1", "--json"])
        .output()
        .unwrap();
    let card: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let progress = &card["items"][0]["progress"];
    (
        progress["interval_days"].as_u64().unwrap(),
        progress["due"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn a_lapsed_card_comes_back_after_one_day_one_day_then_six() {
    let dir = tempfile::tempdir().unwrap();
    cmd(dir.path())
        .arg("add")
        .arg(fixture("mini.ron"))
        .assert()
        .success();
    // Day 1: b1 (first in deck order) is forgotten: grade 0, then quit before the drill.
    let session = |day: &str, input: &str, new: &str| {
        Command::from_std(knead(dir.path(), day))
            .args([
                "study",
                "--new-order",
                "deck",
                "--plain",
                "--deck",
                "mini",
                "--new",
                new,
            ])
            .write_stdin(input)
            .assert()
            .success();
    };
    session("2026-11-21", "\n0\nq\n", "1");
    assert_eq!(b1_schedule(dir.path()), (1, "2026-11-22".into()));
    // Then passed twice: 1 day (repetition 1), then 6 days (repetition 2).
    session("2026-11-22", "\n4\n", "0");
    assert_eq!(b1_schedule(dir.path()), (1, "2026-11-23".into()));
    session("2026-11-23", "\n4\n", "0");
    assert_eq!(b1_schedule(dir.path()), (6, "2026-11-29".into()));
}
