//! `knead check` must survive anything an editor can produce: random edits of real decks (and
//! of every broken deck in the corpus) are checked, rendered and serialised without a panic,
//! and every diagnostic points inside the text. Crashers found here are kept below as named
//! regression tests.

use std::path::Path;

use knead::deck::check_source;
use knead::deck::checks::Strictness;
use proptest::prelude::*;

fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = vec![std::fs::read_to_string(root.join("tests/fixtures/mini.ron")).unwrap()];
    let mut corpus: Vec<_> = std::fs::read_dir(root.join("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    corpus.sort();
    seeds.extend(
        corpus
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok()),
    );
    seeds
}

/// Checks `text` both ways and exercises everything done with the result.
fn check_everything(text: &str) {
    for strictness in [Strictness::Normal, Strictness::Strict] {
        let checked = check_source(text, "fuzz.ron", strictness);
        if checked.deck.is_none() {
            assert!(
                checked.has_errors(),
                "a deck that did not parse must say why"
            );
        }
        for diagnostic in &checked.diagnostics {
            let _ = diagnostic.render(false);
            let _ = diagnostic.render(true);
            let _ = diagnostic.to_json();
            for mark in &diagnostic.marks {
                assert!(mark.span.end <= mark.line_text.len(), "{diagnostic:?}");
                assert!(mark.at.end <= text.len(), "{diagnostic:?}");
                assert!(mark.col <= mark.end_col, "{diagnostic:?}");
                // However long the line, a mark shows a window of it.
                assert!(
                    mark.line_text.chars().count() <= 3 * knead::deck::diagnostic::WINDOW_CHARS + 2,
                    "{diagnostic:?}"
                );
                assert!(
                    mark.line_text.is_char_boundary(mark.span.start),
                    "{diagnostic:?}"
                );
                assert!(
                    mark.line_text.is_char_boundary(mark.span.end),
                    "{diagnostic:?}"
                );
            }
        }
    }
}

/// Pieces editors and word processors really insert.
const PIECES: &[&str] = &[
    "\"",
    "'",
    "“",
    "”",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "{{",
    "}}",
    ",",
    ":",
    "\t",
    "\r\n",
    "\n",
    "\u{feff}",
    "é",
    "日本",
    "🙂",
    "//",
    "/*",
    "*/",
    "r#\"",
    "\\",
    "Some(",
    "true",
    "-1",
    "99999999999999999999",
    "1.5",
    "Basic(",
    "Choice(",
    "id: \"x\",",
    "answer: 7,",
    "rev: 1,",
    "change: Clarify,",
    "retired: \"\",",
    "replaces: [\"nope\"],",
    "tags: [\"A B\"],",
];

#[derive(Clone, Debug)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, piece: usize },
    Duplicate { at: usize, len: usize },
    Truncate { at: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Edit::Insert { at, piece }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Edit::Duplicate { at, len }),
        any::<usize>().prop_map(|at| Edit::Truncate { at }),
    ]
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(mut text: String, edits: &[Edit]) -> String {
    for edit in edits {
        match *edit {
            Edit::Delete { at, len } => {
                let start = boundary(&text, at);
                let end = boundary(&text, (start + len).min(text.len()));
                text.replace_range(start..end.max(start), "");
            }
            Edit::Insert { at, piece } => {
                let at = boundary(&text, at);
                text.insert_str(at, PIECES[piece]);
            }
            Edit::Duplicate { at, len } => {
                let start = boundary(&text, at);
                let end = boundary(&text, (start + len).min(text.len())).max(start);
                let copy = text[start..end].to_owned();
                text.insert_str(end, &copy);
            }
            Edit::Truncate { at } => {
                let at = boundary(&text, at);
                text.truncate(at);
            }
        }
    }
    text
}

proptest! {
    // PROPTEST_CASES raises the count for a longer hunt (600 keeps CI quick).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(600),
        ..ProptestConfig::default()
    })]

    #[test]
    fn edited_decks_never_crash_the_checker(seed in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..6)) {
        let seeds = seeds();
        let text = apply(seeds[seed.index(seeds.len())].clone(), &edits);
        check_everything(&text);
    }

    #[test]
    fn arbitrary_text_never_crashes_the_checker(text in "\\PC{0,300}") {
        check_everything(&text);
    }
}

/// A deck whose cards list is never closed (a string left open swallows the rest) and whose
/// own fields miss one: the missing field is reported where the text ends, not past it.
#[test]
fn a_missing_deck_field_with_an_unclosed_cards_list_is_marked_inside_the_text() {
    let text = "Deck(\n    id: \"lupus\",\n    cards: [\n        Basic(id: \"a\", front: \"open,\n    ],\n)\n";
    check_everything(text);
    let checked = check_source(text, "t.ron", Strictness::Normal);
    assert!(checked.has_errors());
}
