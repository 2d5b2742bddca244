//! Speed of what a learner waits for, on synthetic collections with a year of history
//! (`benches/support/synth.rs`, as `cargo run --release --example synth` writes them):
//!
//! - `first_card`: from starting the `knead` process to the first card on screen.
//! - `save_answer`: recording one answer durably (append + fsync) in a collection that size.
//! - `answer_then_quit`: a whole `knead study` process that answers one card and quits: start,
//!   first card, one durable answer, end of session (which rewrites the snapshot only once
//!   the journals have grown by a quarter of it, see `Store::checkpoint`).
//! - `stats`: a whole `knead stats` process (tallies from the snapshot, recent days by seeking).
//! - `card`: a whole `knead card` process for a card answered about a dozen times.
//!
//! `tools/measure-cost` times the same processes from a shell, with peak memory.
//!
//! Run with `cargo bench`. Generating the 100,000-card collection takes about ten seconds.

#[path = "support/synth.rs"]
mod synth;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use divan::Bencher;
use jiff::civil::Date;
use knead::store::{Access, Answer, ReviewKind, Store, review_schedule};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn main() {
    // The benchmark and the knead processes it starts study as one device, without reading or
    // making this machine's real device id.
    // SAFETY: set before any other thread exists.
    unsafe { std::env::set_var("KNEAD_DEVICE_ID", "bench") };
    divan::main();
}

fn today() -> Date {
    "2026-11-21".parse().unwrap()
}

/// One synthetic collection per size, generated once per run and kept for both benchmarks.
fn collection(cards: usize) -> PathBuf {
    static DIRS: OnceLock<tempfile::TempDir> = OnceLock::new();
    let root = DIRS.get_or_init(|| tempfile::tempdir().unwrap()).path();
    let dir = root.join(cards.to_string());
    if !dir.exists() {
        let generated = synth::generate(&dir, cards, 365, today(), 1).unwrap();
        eprintln!(
            "synthetic collection: {} items, {} reviews, {} due",
            generated.items, generated.reviews, generated.due_on_last_day
        );
        // Warm the compiled-deck cache, as any earlier session would have.
        let mut warm = start(&dir);
        wait_for_first_card(&mut warm);
        drop(Running(warm));
        // Write back the hundreds of MB just generated now: otherwise the first answers'
        // fdatasync waits for them (ext4 commits ordered data with the journal), and
        // `save_answer` at 100,000 cards would time the generator's writes, not an answer's.
        let _ = Command::new("sync").status();
    }
    dir
}

fn start(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_knead"))
        .arg("--data-dir")
        .arg(dir)
        .args(["--today", "2026-11-21", "study", "--plain"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for_first_card(child: &mut Child) {
    let stdout = child.stdout.as_mut().unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !seen.windows(9).any(|w| w == b"to quit):") {
        let n = stdout.read(&mut buffer).unwrap();
        assert!(n > 0, "knead exited before showing a card");
        seen.extend_from_slice(&buffer[..n]);
    }
}

/// Ends the session outside the timed section (divan drops returned values after timing).
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}

#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn first_card(bencher: Bencher, cards: usize) {
    let dir = collection(cards);
    bencher.bench_local(|| {
        let mut child = start(&dir);
        wait_for_first_card(&mut child);
        Running(child)
    });
}

/// Runs `knead` on `dir` with `args` to the end, feeding it `input`.
fn run(dir: &Path, args: &[&str], input: &[u8]) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_knead"))
        .arg("--data-dir")
        .arg(dir)
        .args(["--today", "2026-11-21"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "knead {args:?} failed");
}

#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn answer_then_quit(bencher: Bencher, cards: usize) {
    let dir = collection(cards);
    // Tag group-2 holds only True/False cards: `t`, Enter for "how easy", then quit.
    bencher.bench_local(|| {
        run(&dir, &["study", "--plain", "--tag", "group-2"], b"t\n\nq\n");
    });
}

#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn stats(bencher: Bencher, cards: usize) {
    let dir = collection(cards);
    bencher.bench_local(|| run(&dir, &["stats"], b""));
}

#[divan::bench(args = SIZES, sample_count = 20, sample_size = 1)]
fn card(bencher: Bencher, cards: usize) {
    let dir = collection(cards);
    let name = synth::card_name(22);
    bencher.bench_local(|| run(&dir, &["card", &name], b""));
}

#[divan::bench(args = SIZES, sample_count = 200, sample_size = 1)]
fn save_answer(bencher: Bencher, cards: usize) {
    let dir = collection(cards);
    let (mut store, _) = Store::open(&dir, Access::Exclusive).unwrap();
    let mut n = 0usize;
    bencher.bench_local(|| {
        n += 1;
        let item = synth::item_key(n % cards);
        let grade = knead::sm2::Grade::try_from(4).unwrap();
        let (state, due) = review_schedule(store.get(&item), grade, today());
        let answer = Answer {
            at: jiff::Timestamp::now(),
            day: today(),
            item: &item,
            kind: ReviewKind::Review,
            grade,
            took_ms: 3_000,
            rev: 0,
            chose: None,
            first: false,
        };
        store.record(&answer.entry(state, due)).unwrap();
    });
}
