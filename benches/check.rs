//! Speed of `knead check`, the instructor's tool, including the checks across decks
//! (near-duplicates by TF-IDF cosine, conflicting verdicts and flags):
//!
//! - `bundled_decks`: the four decks shipped with knead, from their files, as `knead check decks/`
//!   runs (it must stay well under a second);
//! - `generated`: one deck of N generated cards whose text is drawn from a 3,000-word vocabulary
//!   with a Zipf-like skew (so words repeat across cards as they do in a real curriculum);
//! - `generated_with_mistakes`: the same deck with a misspelt field in every tenth card, so that
//!   the deck is parsed again card by card to report every mistake (it must stay linear).
//!
//! Run with `cargo bench --bench check`.

use std::fmt::Write;
use std::path::PathBuf;

use divan::Bencher;
use knead::deck::checks::{Strictness, check_paths};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 20)]
fn bundled_decks() -> usize {
    let decks = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("decks");
    check_paths(&[decks], Strictness::Strict).diagnostics.len()
}

/// A sentence of `words` words; word `k` of the vocabulary is drawn with weight 1/(k+1).
fn sentence(rng: &mut StdRng, vocabulary: &[String], words: usize) -> String {
    let total: f64 = (1..=vocabulary.len()).map(|k| 1.0 / k as f64).sum();
    let mut text = String::new();
    for _ in 0..words {
        let mut pick = rng.random::<f64>() * total;
        let word = vocabulary
            .iter()
            .enumerate()
            .find(|(k, _)| {
                pick -= 1.0 / (*k as f64 + 1.0);
                pick <= 0.0
            })
            .map_or(&vocabulary[0], |(_, w)| w);
        text.push_str(word);
        text.push(' ');
    }
    text.trim_end().to_owned()
}

fn generated_deck(cards: usize) -> tempfile::TempDir {
    write_deck(&generated_source(cards))
}

fn write_deck(source: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("generated.ron"), source).unwrap();
    dir
}

fn generated_source(cards: usize) -> String {
    let mut rng = StdRng::seed_from_u64(7);
    let vocabulary: Vec<String> = (0..3_000)
        .map(|n| {
            let letters = b"abcdefghijklmnopqrstuvwxyz";
            let mut word = String::new();
            let mut n = n + 30;
            while n > 0 {
                word.push(letters[n % 26] as char);
                n /= 26;
            }
            word
        })
        .collect();
    let mut source = String::from("Deck(id: \"generated\", title: \"Generated\", cards: [\n");
    for n in 0..cards {
        let front = sentence(&mut rng, &vocabulary, 14);
        let back = sentence(&mut rng, &vocabulary, 12);
        let why = sentence(&mut rng, &vocabulary, 25);
        writeln!(
            source,
            "Basic(id: \"card-{n}\", front: \"{front}\", back: \"{back}\", why: \"{why}\", source: \"Author, Title, Journal 2020\", tags: [\"group-{}\"]),",
            n % 40
        )
        .unwrap();
    }
    source.push_str("])\n");
    source
}

#[divan::bench(args = [1_000, 10_000], sample_count = 5)]
fn generated(bencher: Bencher, cards: usize) {
    let dir = generated_deck(cards);
    let paths = [dir.path().to_owned()];
    bencher.bench(|| check_paths(&paths, Strictness::Strict).diagnostics.len());
}

#[divan::bench(args = [1_000, 10_000], sample_count = 5)]
fn generated_with_mistakes(bencher: Bencher, cards: usize) {
    let source = generated_source(cards);
    let mut mistaken = String::with_capacity(source.len());
    for (n, line) in source.lines().enumerate() {
        // Line 0 is the deck's header: card k is on line k + 1.
        if n % 10 == 1 {
            mistaken.push_str(&line.replacen("back:", "bakc:", 1));
        } else {
            mistaken.push_str(line);
        }
        mistaken.push('\n');
    }
    let dir = write_deck(&mistaken);
    let paths = [dir.path().to_owned()];
    bencher.bench(|| check_paths(&paths, Strictness::Strict).diagnostics.len());
}
