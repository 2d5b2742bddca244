//! Every reader of bytes a stranger can hand knead (a deck, a CSV or Anki file, a review
//! log) returns a value or an error for any input: never a panic. Short runs here keep CI in
//! seconds; `fuzz/` has coverage-guided targets for the same four readers (`cargo +nightly
//! fuzz run deck_loader`, `csv_import`, `anki_import`, `log_lines`). Crashers found by either
//! are kept below as named regression tests.

use knead::interchange::{self, Format, ImportOptions};
use proptest::prelude::*;

/// What the fuzz targets do with one input (see `fuzz/fuzz_targets/`).
fn load_deck(bytes: &[u8]) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(deck) = knead::deck::parse(text, "fuzz.ron") {
        let again = knead::deck::parse(&knead::deck::to_ron(&deck), "again.ron");
        assert!(again.is_ok(), "{again:?}");
    }
}

fn import(bytes: &[u8], format: Format) {
    for skip_invalid in [false, true] {
        let options = ImportOptions {
            deck_id: "fuzz".into(),
            title: None,
            skip_invalid,
        };
        if let Ok(imported) = interchange::import(bytes, "fuzz", format, &options) {
            let loaded = knead::deck::parse(&imported.ron, "out.ron");
            assert!(loaded.is_ok(), "{loaded:?}\n{}", imported.ron);
        }
    }
}

fn read_log(bytes: &[u8]) {
    if let Ok(entries) = knead::store::parse_log(bytes) {
        assert!(entries.len() <= bytes.split(|&b| b == b'\n').count());
    }
}

const LOG_LINE: &str = r#"(at: "2026-11-21T10:00:00Z", day: "2026-11-20", item: "d/a#1", kind: Review, grade: 4, took_ms: 1200, repetitions: 1, interval_days: 1, easiness: 2.5, due: "2026-11-21")"#;

const MINI: &str = include_str!("fixtures/mini.ron");

const ANKI: &str = "#separator:tab\n#html:true\n#deck:Lupus\n#tags column:3\n#guid column:4\nWhat is SLE?\tAn <b>autoimmune</b> disease\tlupus\tknead:d/sle\n";

const CSV: &str =
    "front,back,why,source,tags,id,critical\n\"What, exactly?\",\"A\nB\",why,src,\"a;b\",x,yes\n";

/// Bytes that are mostly `seed`, with a few random edits (insertions, deletions, flips).
fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 0..8).prop_map(
        move |edits| {
            let mut bytes = seed.as_bytes().to_vec();
            for (at, byte, how) in edits {
                let at = at.index(bytes.len() + 1);
                match how {
                    0 => bytes.insert(at, byte),
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ if at < bytes.len() => bytes[at] ^= byte | 1,
                    _ => bytes.push(byte),
                }
            }
            bytes
        },
    )
}

fn any_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..400)
}

proptest! {
    // PROPTEST_CASES raises the count for a longer hunt (200 keeps CI in seconds).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_deck_loader_never_panics(bytes in prop_oneof![any_bytes(), mutated(MINI)]) {
        load_deck(&bytes);
    }

    #[test]
    fn the_csv_reader_never_panics(bytes in prop_oneof![any_bytes(), mutated(CSV)]) {
        import(&bytes, Format::Csv);
    }

    #[test]
    fn the_anki_reader_never_panics(bytes in prop_oneof![any_bytes(), mutated(ANKI)]) {
        import(&bytes, Format::Anki);
    }

    #[test]
    fn the_log_reader_never_panics(
        bytes in prop_oneof![any_bytes(), mutated(LOG_LINE)],
        lines in 0usize..4,
    ) {
        read_log(&bytes);
        // The same damage after complete lines, and as the last line with and without a
        // newline.
        let mut log = format!("{LOG_LINE}\n").repeat(lines).into_bytes();
        log.extend_from_slice(&bytes);
        read_log(&log);
        log.push(b'\n');
        read_log(&log);
    }

    /// A log of complete answers followed by any tail without a newline that does not parse
    /// keeps every complete answer.
    #[test]
    fn a_torn_tail_never_costs_a_complete_answer(lines in 0usize..5, cut in 0usize..LOG_LINE.len()) {
        let mut log = format!("{LOG_LINE}\n").repeat(lines);
        log.push_str(&LOG_LINE[..cut]);
        let entries = knead::store::parse_log(log.as_bytes()).unwrap();
        prop_assert_eq!(entries.len(), lines);
        // And a complete last answer, newline or not, is kept.
        log.push_str(&LOG_LINE[cut..]);
        prop_assert_eq!(knead::store::parse_log(log.as_bytes()).unwrap().len(), lines + 1);
    }
}
