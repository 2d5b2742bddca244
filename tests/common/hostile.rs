//! A deck from a stranger: every kind of card, each text carrying something a terminal would
//! obey, and the check that none of it reaches the terminal raw.

use std::path::{Path, PathBuf};

use knead::deck::{Basic, Card, Choice, Cloze, Deck, Scenario, TrueFalse, Verdict};

/// Clears the screen and homes the cursor.
pub const CLEAR: &str = "\x1b[2J\x1b[H";
/// Writes "PWNED" to the clipboard (OSC 52).
pub const CLIPBOARD: &str = "\x1b]52;c;UFdORUQ=\x07";
/// A link whose text names one site and whose target is another (OSC 8).
pub const LINK: &str = "\x1b]8;;https://evil.example/\x1b\\https://www.nhs.uk\x1b]8;;\x1b\\";
/// Sets the window title.
pub const TITLE: &str = "\x1b]0;PWNED\x07";
/// Asks the terminal where its cursor is: the reply is typed into knead's input.
pub const STATUS_REQUEST: &str = "\x1b[6n";
/// Red text, and a carriage return that overwrites what came before it on the line.
pub const OVERWRITE: &str = "\x1b[31mStop and refer\rContinue as usual";
/// Right-to-left override: `exe.txt` is shown as `txt.exe`.
pub const BIDI: &str = "report\u{202E}exe.txt";
/// A zero-width space inside a word.
pub const ZERO_WIDTH: &str = "contra\u{200B}indication";
/// C1 CSI (U+009B), an escape sequence in one character.
pub const C1: &str = "\u{9b}2J";

/// The deck, at `version` (from 2 on, one card is retired and the changelog has a note).
pub fn deck(version: u32) -> Deck {
    let basic = Card::Basic(Basic {
        id: "clear".into(),
        front: format!("Screen {CLEAR} question {TITLE}"),
        back: OVERWRITE.into(),
        why: Some(format!("Because {CLIPBOARD}")),
        source: Some(LINK.into()),
        tags: vec!["red\x1b[31mflag".into()],
        retired: (version > 1).then(|| format!("withdrawn {TITLE}")),
        ..Default::default()
    });
    let choice = Card::Choice(Choice {
        id: "link".into(),
        prompt: format!("Which source? {BIDI}"),
        options: vec![
            format!("Right option {LINK}"),
            format!("Wrong one {STATUS_REQUEST}"),
            format!("Another {C1}"),
        ],
        answer: 0,
        why: Some(ZERO_WIDTH.into()),
        source: Some("Plain source".into()),
        ..Default::default()
    });
    let true_false = Card::TrueFalse(TrueFalse {
        id: "status".into(),
        statement: format!("Reply {STATUS_REQUEST} here"),
        answer: false,
        why: Some(OVERWRITE.into()),
        source: Some(C1.into()),
        ..Default::default()
    });
    let cloze = Card::Cloze(Cloze {
        id: "zero".into(),
        text: format!("A {{{{{ZERO_WIDTH}}}}} {CLEAR}"),
        why: Some(BIDI.into()),
        source: Some("S".into()),
        ..Default::default()
    });
    let scenario = Card::Scenario(Scenario {
        id: "bidi".into(),
        client: format!("Client {BIDI}"),
        technique: format!("Technique {TITLE}"),
        verdict: Verdict::Refer,
        why: Some(CLIPBOARD.into()),
        source: Some("S".into()),
        ..Default::default()
    });
    Deck {
        id: "stranger".into(),
        title: format!("Stranger {TITLE} deck {BIDI}"),
        version,
        description: format!("Described {CLEAR}"),
        changelog: (2..=version)
            .map(|v| (v, format!("v{v} {CLIPBOARD} notes")))
            .collect(),
        cards: vec![basic, choice, true_false, cloze, scenario],
        ..Default::default()
    }
}

/// The deck's file, with every hostile character written as it is (ron's writer would escape
/// the controls as `\u{1b}`, which `knead check` finds too: [`write_escaped_file`]).
pub fn write_file(dir: &Path, deck: &Deck) -> PathBuf {
    let escaped = knead::deck::to_ron(deck);
    let mut raw = String::new();
    let mut rest = escaped.as_str();
    while let Some(at) = rest.find("\\u{") {
        raw.push_str(&rest[..at]);
        let close = at + rest[at..].find('}').unwrap();
        let code = u32::from_str_radix(&rest[at + 3..close], 16).unwrap();
        raw.push(char::from_u32(code).unwrap());
        rest = &rest[close + 1..];
    }
    raw.push_str(rest);
    let raw = raw.replace("\\r", "\r");
    let path = dir.join(format!("{}.ron", deck.id));
    std::fs::write(&path, raw).unwrap();
    path
}

/// The deck's file as ron writes it: control characters as escapes (`\u{1b}`, `\r`).
pub fn write_escaped_file(dir: &Path, deck: &Deck) -> PathBuf {
    let path = dir.join(format!("{}.ron", deck.id));
    std::fs::write(&path, knead::deck::to_ron(deck)).unwrap();
    path
}

/// Installs `deck` in `data_dir` past every check. No deck with a control character loads any
/// more (K040), so the output paths below could not be reached by it; this plants the compiled
/// copy that knead keeps beside an installed deck and trusts while the file is unchanged, as if
/// the deck had got past the checks (a deck cached before K040 existed, a rule with a hole).
/// The output must be safe all the same: the checks are the first defence, not the only one.
pub fn plant(data_dir: &Path, deck: &Deck) -> PathBuf {
    let dir = data_dir.join(knead::study::collection::INSTALLED_DIR);
    std::fs::create_dir_all(&dir).unwrap();
    let path = write_escaped_file(&dir, deck);
    // The "parse" hands back the hostile deck unchecked, and the cache keeps it as the compiled
    // copy of these exact bytes: a sound entry, in the cache directory the binary uses for
    // `data_dir` in tests (`DIR/local/<device>/cache`).
    let planted = knead::cache::load_deck(
        &super::local_path(data_dir),
        &path,
        knead::cache::Writes::Allowed,
        knead::cache::DeckText::Kept,
        || Ok::<_, ()>(std::fs::read(&path).unwrap()),
        |_| Ok(deck.clone()),
    );
    assert_eq!(planted.map(|(planted, _)| planted).as_ref(), Ok(deck));
    path
}

/// Fails if `output` holds anything a terminal would obey: ESC (so every escape sequence), BEL,
/// a carriage return, any other C0 control but newline and tab, DEL, C1, bidi controls or
/// zero-width characters. (Listed here, not taken from knead, so a mistake there shows.)
pub fn assert_terminal_safe(output: &[u8], what: &str) {
    let text = String::from_utf8_lossy(output);
    for (at, c) in text.char_indices() {
        let bad = matches!(c, '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
            || matches!(
                c,
                '\u{061C}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{FEFF}'
            );
        assert!(
            !bad,
            "{what}: raw U+{:04X} at byte {at} in:\n{text}",
            c as u32
        );
    }
}
