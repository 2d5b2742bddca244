//! Running the real `knead` binary in tests: a temporary data directory, and a driver that
//! answers plain-mode prompts according to what the program prints.
#![allow(dead_code)] // each test file uses part of this

pub mod hostile;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A copy of a fixture in `dir`, edited (a deck as an instructor changed or broke it).
pub fn edited_fixture(dir: &Path, name: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
    let original = std::fs::read_to_string(fixture(name)).unwrap();
    let edited = edit(original.clone());
    assert_ne!(edited, original, "the edit must change the fixture");
    let path = dir.join(name);
    std::fs::write(&path, edited).unwrap();
    path
}

/// The store in `data_dir`, opened as the test device (as `knead()` runs).
pub fn open_store(
    data_dir: &Path,
    access: knead::store::Access,
) -> (knead::store::Store, Vec<knead::store::Notice>) {
    knead::store::Store::open_with(data_dir, access, &test_device()).unwrap()
}

/// The test device's journal in `data_dir` (where its answers go).
pub fn journal_path(data_dir: &Path) -> PathBuf {
    data_dir.join("journal").join(format!("{TEST_DEVICE}.log"))
}

/// The test device's journal as text (empty when it does not exist yet).
pub fn journal(data_dir: &Path) -> String {
    std::fs::read_to_string(journal_path(data_dir)).unwrap_or_default()
}

/// The test device's local folder (device-local derived state).
pub fn local_path(data_dir: &Path) -> PathBuf {
    data_dir.join("local").join(TEST_DEVICE)
}

/// The test device's snapshot (device-local derived state).
pub fn snapshot_path(data_dir: &Path) -> PathBuf {
    data_dir
        .join("local")
        .join(TEST_DEVICE)
        .join("progress.ron")
}

/// Runs `command` in plain mode with no input: it shows at most the first card and ends.
pub fn without_input(mut command: Command) -> std::process::Output {
    command
        .arg("--plain")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The device every test runs `knead` as, unless it names another (`knead_on`): tests never
/// read or make the machine's real device id.
pub const TEST_DEVICE: &str = "test-device";

pub fn test_device() -> knead::store::device::DeviceId {
    knead::store::device::DeviceId::parse(TEST_DEVICE).unwrap()
}

/// `knead` with a data directory and a fixed day, no colours, no inherited overrides.
pub fn knead(data_dir: &Path, today: &str) -> Command {
    knead_on(TEST_DEVICE, data_dir, today)
}

/// Sets the environment a hermetic `knead` needs: this device id, no inherited overrides.
pub fn hermetic<'a>(command: &'a mut Command, device: &str) -> &'a mut Command {
    command
        .env("KNEAD_DEVICE_ID", device)
        .env_remove("KNEAD_STATE_DIR")
        .env_remove("KNEAD_DATA_DIR")
        .env_remove("KNEAD_TODAY")
        .env_remove("KNEAD_CACHE_DIR")
        .env_remove("KNEAD_CLOCK")
        // Fixed, and wide enough that text wraps only where a test sets its own width.
        .env("COLUMNS", "200")
}

/// `knead` as the machine `device`, with a data directory and a fixed day, no colours.
pub fn knead_on(device: &str, data_dir: &Path, today: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_knead"));
    hermetic(&mut command, device);
    command
        .env("NO_COLOR", "1")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--today")
        .arg(today);
    command
}

/// A plain-mode study session on pipes, read as it runs.
pub struct Plain {
    pub child: Child,
    stdin: Option<ChildStdin>,
    chunks: Receiver<Vec<u8>>,
    /// Everything printed so far.
    pub output: String,
    /// Where the next `expect` starts looking.
    seen: usize,
}

/// Guards against a hang; never a measure of speed.
const HANG_GUARD: Duration = Duration::from_secs(30);

impl Plain {
    pub fn spawn(mut command: Command) -> Plain {
        let mut child = command
            .arg("--plain")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("knead starts");
        let mut stdout = child.stdout.take().unwrap();
        let (send, chunks) = channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buffer) {
                if n == 0 || send.send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Plain {
            stdin: child.stdin.take(),
            child,
            chunks,
            output: String::new(),
            seen: 0,
        }
    }

    /// Waits until `text` is printed; returns what was printed up to and including it.
    pub fn expect(&mut self, text: &str) -> String {
        loop {
            if let Some(at) = self.output[self.seen..].find(text) {
                let end = self.seen + at + text.len();
                let printed = self.output[self.seen..end].to_owned();
                self.seen = end;
                return printed;
            }
            match self.chunks.recv_timeout(HANG_GUARD) {
                Ok(chunk) => self.output.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => panic!("knead never printed {text:?}; it printed:\n{}", self.output),
            }
        }
    }

    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// Closes stdin (end of input) and waits for the exit status and the rest of the output.
    pub fn finish(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        while let Ok(chunk) = self.chunks.recv_timeout(HANG_GUARD) {
            self.output.push_str(&String::from_utf8_lossy(&chunk));
        }
        (status.code().unwrap_or(-1), self.output)
    }

    /// Waits until one of `texts` is printed; returns the index of the one printed first.
    pub fn expect_any(&mut self, texts: &[&str]) -> usize {
        loop {
            let rest = &self.output[self.seen..];
            let first = texts
                .iter()
                .enumerate()
                .filter_map(|(i, text)| rest.find(text).map(|at| (at, i, text.len())))
                .min();
            if let Some((at, index, len)) = first {
                self.seen += at + len;
                return index;
            }
            match self.chunks.recv_timeout(HANG_GUARD) {
                Ok(chunk) => self.output.push_str(&String::from_utf8_lossy(&chunk)),
                Err(_) => panic!(
                    "knead printed none of {texts:?}; it printed:\n{}",
                    self.output
                ),
            }
        }
    }

    /// Answers every card correctly until the session ends; returns how many cards were asked
    /// and everything printed.
    pub fn answer_all_correctly(mut self) -> (usize, String) {
        let mut asked = 0;
        while self.expect_any(&["\nCard ", "Session saved."]) == 0 {
            let card = format!("Card {}", self.expect("to quit): "));
            self.respond_correctly(&card);
            asked += 1;
        }
        let (code, output) = self.finish();
        assert_eq!(code, 0, "{output}");
        (asked, output)
    }

    /// Answers the card on screen correctly (grade 4 for recall cards), returning its prompt.
    pub fn answer_correctly(&mut self) -> String {
        let card = self.expect_question();
        self.respond_correctly(&card);
        card
    }

    fn respond_correctly(&mut self, card: &str) {
        // Drills and cram answers change no schedule, so they are not asked how easy it was.
        let asks_ease =
            !card.contains(" - again, to fix it in memory") && !card.contains(" - cram (");
        if card.contains("Press Enter to show the answer") {
            self.send("");
            self.expect("Grade your recall 0-5");
            self.send("4");
        } else if card.contains("Your answer (1-") {
            let number = card
                .lines()
                .find(|l| l.contains("Right option"))
                .and_then(|l| l.trim().split('.').next())
                .expect("options listed")
                .to_owned();
            self.send(&number);
            self.ease_if(asks_ease);
        } else if card.contains("True or false? (t/f") {
            self.send("f");
            self.ease_if(asks_ease);
        } else if card.contains("Verdict (1 Suitable") {
            self.send("4");
            self.ease_if(asks_ease);
        } else {
            panic!("unexpected card:\n{card}");
        }
    }

    fn ease_if(&mut self, asked: bool) {
        if asked {
            self.ease("");
        }
    }

    fn ease(&mut self, answer: &str) {
        self.expect("How easy was it?");
        self.send(answer);
    }

    /// Waits for the next card's question prompt; returns the card text.
    pub fn expect_question(&mut self) -> String {
        self.expect("\nCard ");
        format!("Card {}", self.expect("to quit): "))
    }
}
