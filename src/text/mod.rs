//! Text made safe for a terminal.
//!
//! Decks, CSV files and Anki exports come from strangers, and a terminal does not only show
//! text: it obeys what is hidden in it. An ESC sequence can clear the screen, move the cursor to
//! overwrite the previous line, set the window title, write the clipboard (OSC 52), disguise a
//! link's target (OSC 8) or ask the terminal to type a reply into knead's input (`ESC[6n`),
//! which ends a plain-mode session. A carriage return overwrites the line it ends; bidi
//! overrides reorder what is shown (so the text read is not the text stored); zero-width
//! characters hide text. None of these belong in a card.
//!
//! So every string that reaches the terminal passes through [`terminal_safe`] (or [`safe`],
//! [`SafeWriter`], [`json`]), which shows each such character visibly instead of emitting it:
//! C0 controls and DEL as their Unicode control pictures (`␛`, `␇`, `␡`, as rustc and cargo
//! show them), everything else as `<U+202E>`. Newline and tab pass; a carriage return directly
//! followed by a line feed is a Windows line ending and shown as the line break it is.
//!
//! It is applied *by construction*, not by remembering it at each call:
//! - the `knead` binary prints only through its `out` module, whose writers are
//!   [`SafeWriter`]s; `println!`, `eprintln!`, `io::stdout()` and `io::stderr()` are denied
//!   elsewhere by clippy (`clippy.toml`, and `#![deny(clippy::print_stdout, ...)]` in the
//!   binary and this library), so new output cannot bypass it;
//! - the interactive prompts get their message and options through `out` too (inquire draws
//!   on the terminal itself);
//! - [`Diagnostic::render`](crate::deck::diagnostic::Diagnostic::render) escapes the source lines,
//!   messages and labels it quotes before drawing (its colours are the only escape sequences
//!   knead itself writes), and the text charts escape before measuring widths;
//! - JSON stays exact: [`json`] writes every string value unchanged in meaning, with these
//!   characters as `\uXXXX` escapes, which any JSON reader turns back into the same text.
//!
//! Output is the last line of defence. The first is refusing such text: `knead check` reports
//! it ([`deck_diagnostics`]: K040 error for control characters, K041 warning for bidi
//! controls, K042 warning for zero-width characters), so a deck with an ESC in it fails to
//! load, install or study, and `knead import` refuses such rows (K218).

mod quantity;
mod wrap;

pub use quantity::{count, count_irregular, duration, percent, percent_value, plural_s};
pub use wrap::{wrap, wrap_block, wrap_hanging};

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use crate::deck::diagnostic::{Capped, Diagnostic, Lines, Mark, Severity};

/// Why a character must not reach a terminal as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hostile {
    /// A control character (Unicode general category Cc: C0 but newline and tab, DEL, C1).
    /// ESC starts every terminal escape sequence; C1 CSI (U+009B) is one by itself.
    Control,
    /// A bidirectional formatting character (Unicode property Bidi_Control): it reorders what
    /// is shown, so the text read differs from the text stored.
    Bidi,
    /// A zero-width character: invisible, so it hides or splits text unseen.
    ZeroWidth,
}

/// The class of `c` if it must not reach a terminal as it is. A carriage return is a control
/// character here; [`hostile_chars`] lets the one of a CRLF line ending pass.
pub fn classify(c: char) -> Option<Hostile> {
    match c {
        '\n' | '\t' => None,
        // `is_control` is exactly general category Cc: U+0000-U+001F, U+007F-U+009F.
        c if c.is_control() => Some(Hostile::Control),
        // Bidi_Control (Unicode PropList.txt, unchanged since Unicode 6.3): ALM, LRM, RLM,
        // LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => Some(Hostile::Bidi),
        // Zero width space, non-joiner, joiner; word joiner; zero width no-break space (BOM).
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => Some(Hostile::ZeroWidth),
        _ => None,
    }
}

/// One character that must not reach a terminal, found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Byte range in the text searched (for a RON escape such as `\u{1b}`, the whole escape).
    pub range: Range<usize>,
    pub ch: char,
    pub class: Hostile,
}

/// Every character of `text` that [`classify`] rejects, in order, with its byte range; the
/// carriage return of a CRLF line ending is not one.
pub fn hostile_chars(text: &str) -> impl Iterator<Item = Found> + '_ {
    text.char_indices().filter_map(move |(at, ch)| {
        if ch == '\r' && text.as_bytes().get(at + 1) == Some(&b'\n') {
            return None;
        }
        classify(ch).map(|class| Found {
            range: at..at + ch.len_utf8(),
            ch,
            class,
        })
    })
}

/// Whether `text` reaches a terminal unchanged through [`terminal_safe`].
pub fn is_terminal_safe(text: &str) -> bool {
    hostile_chars(text).next().is_none()
}

/// How a rejected character is shown: C0 controls and DEL as their control pictures (`␛`),
/// anything else as `<U+XXXX>`.
pub fn visible(ch: char) -> String {
    match ch {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + ch as u32)
            .expect("control pictures U+2400-U+241F exist")
            .to_string(),
        '\u{7f}' => "␡".to_owned(),
        _ => format!("<U+{:04X}>", ch as u32),
    }
}

/// `text` as it may be shown on a terminal: unchanged when nothing in it is rejected by
/// [`classify`] (the usual case, with no copy), otherwise with each such character
/// [`visible`] and each CRLF a plain line feed.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if is_terminal_safe(text) && !text.contains("\r\n") {
        return Cow::Borrowed(text);
    }
    Cow::Owned(safe(text).to_string())
}

/// `text` displayed terminal-safe, without a copy: `format!("{}", safe(text))`.
pub fn safe(text: &str) -> Safe<'_> {
    Safe(text)
}

/// Displays its text as [`terminal_safe`] returns it.
#[derive(Clone, Copy, Debug)]
pub struct Safe<'a>(pub &'a str);

impl fmt::Display for Safe<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut shown = 0;
        for found in hostile_chars(text) {
            write_plain(f, &text[shown..found.range.start])?;
            f.write_str(&visible(found.ch))?;
            shown = found.range.end;
        }
        write_plain(f, &text[shown..])
    }
}

/// Writes text holding no rejected character but perhaps CRLF line endings, each as `\n`.
fn write_plain(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let mut lines = text.split("\r\n");
    f.write_str(lines.next().unwrap_or_default())?;
    for line in lines {
        f.write_str("\n")?;
        f.write_str(line)?;
    }
    Ok(())
}

/// `line` made terminal-safe, with `span` (a byte range of `line`) moved onto the same
/// characters in the result, so a caret drawn under it still marks them.
pub fn terminal_safe_span(line: &str, span: Range<usize>) -> (String, Range<usize>) {
    let mut shown = String::with_capacity(line.len());
    let (mut start, mut end) = (None, None);
    for (at, ch) in line.char_indices() {
        if at == span.start {
            start = Some(shown.len());
        }
        if at == span.end {
            end = Some(shown.len());
        }
        let crlf = ch == '\r' && line.as_bytes().get(at + 1) == Some(&b'\n');
        match classify(ch) {
            Some(_) if !crlf => shown.push_str(&visible(ch)),
            Some(_) => {}
            None => shown.push(ch),
        }
    }
    let start = start.unwrap_or(shown.len());
    let end = end.unwrap_or(shown.len()).max(start);
    (shown, start..end)
}

/// A copy of `diagnostic` fit to show on a terminal: the message, labels, help, paths and the
/// quoted source lines terminal-safe, each mark moved onto the same characters. The line and
/// column stay those of the file.
pub fn diagnostic_for_terminal(diagnostic: &Diagnostic) -> Diagnostic {
    let owned = |text: &str| terminal_safe(text).into_owned();
    Diagnostic {
        message: owned(&diagnostic.message),
        path: owned(&diagnostic.path),
        help: diagnostic.help.as_deref().map(owned),
        marks: diagnostic
            .marks
            .iter()
            .map(|mark| {
                let (line_text, span) = terminal_safe_span(&mark.line_text, mark.span.clone());
                Mark {
                    line_text,
                    span,
                    label: owned(&mark.label),
                    file: mark.file.as_deref().map(owned),
                    ..mark.clone()
                }
            })
            .collect(),
        ..diagnostic.clone()
    }
}

/// `rendered` (the drawing of `shown`, made by [`diagnostic_for_terminal`] from `original`)
/// with each location's column put back to the file's: the renderer counts the characters of
/// the line it draws, where an escape such as `<U+202E>` takes several.
pub(crate) fn with_file_columns(
    mut rendered: String,
    original: &Diagnostic,
    shown: &Diagnostic,
) -> String {
    let mut from = 0;
    for (before, after) in original.marks.iter().zip(&shown.marks) {
        let drawn_col = after.line_text[..after.span.start].chars().count() + 1;
        let path = after.file.as_deref().unwrap_or(&shown.path);
        let drawn = format!("{path}:{}:{drawn_col}", after.line);
        let Some(at) = rendered[from..].find(&drawn).map(|at| from + at) else {
            continue;
        };
        let file = format!("{path}:{}:{}", before.line, before.col);
        rendered.replace_range(at..at + drawn.len(), &file);
        from = at + file.len();
    }
    rendered
}

/// A writer that passes everything written through [`terminal_safe`]: what `knead` prints
/// goes through one of these. Writes may split characters or a CRLF anywhere; the pieces are
/// held back until the rest arrives (or until [`flush`](Write::flush) or drop). Bytes that are
/// not UTF-8 are shown as U+FFFD.
pub struct SafeWriter<W: Write> {
    inner: W,
    /// An incomplete UTF-8 sequence, or a carriage return that may start a CRLF.
    pending: Vec<u8>,
}

impl<W: Write> SafeWriter<W> {
    pub fn new(inner: W) -> Self {
        SafeWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes the complete text in `bytes`, keeping back what may continue in the next write
    /// (all of it when `last` is false).
    fn emit(&mut self, bytes: Vec<u8>, last: bool) -> io::Result<()> {
        let mut text = String::new();
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    rest = &[];
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    text.push_str(std::str::from_utf8(valid).expect("checked valid"));
                    match error.error_len() {
                        Some(bad) => {
                            text.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[bad..];
                        }
                        None if last => {
                            text.push(char::REPLACEMENT_CHARACTER);
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        let mut keep = rest.to_vec();
        if !last && keep.is_empty() && text.ends_with('\r') {
            text.pop();
            keep.push(b'\r');
        }
        self.pending = keep;
        self.inner.write_all(safe(&text).to_string().as_bytes())
    }
}

impl<W: Write> Write for SafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        self.emit(bytes, false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            let bytes = std::mem::take(&mut self.pending);
            self.emit(bytes, true)?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for SafeWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// `value` as JSON (`pretty`: indented, else on one line), with every string exactly as it is
/// (a JSON reader gets the same text back) but no character [`classify`] rejects written raw:
/// serde_json already escapes C0 controls; DEL, C1, bidi and zero-width characters are
/// written as `\uXXXX` too, so JSON printed to a terminal is as safe as text.
pub fn json(value: &impl serde::Serialize, pretty: bool) -> String {
    let mut bytes = Vec::new();
    let result = if pretty {
        let formatter = EscapingFormatter(serde_json::ser::PrettyFormatter::new());
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut bytes, formatter,
        ))
    } else {
        let formatter = EscapingFormatter(serde_json::ser::CompactFormatter);
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut bytes, formatter,
        ))
    };
    result.expect("knead's reports serialise to JSON");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

/// A serde_json formatter that writes the characters [`classify`] rejects as `\uXXXX` (all
/// are in the Basic Multilingual Plane, so one escape each) and otherwise formats as `F`.
struct EscapingFormatter<F>(F);

macro_rules! delegate {
    ($($name:ident($($arg:ident: $type:ty),*);)*) => {
        $(fn $name<W: ?Sized + io::Write>(&mut self, writer: &mut W $(, $arg: $type)*) -> io::Result<()> {
            self.0.$name(writer $(, $arg)*)
        })*
    };
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for EscapingFormatter<F> {
    delegate! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        end_object_key();
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut written = 0;
        for (at, ch) in fragment.char_indices() {
            // serde_json escapes C0 itself, before fragments are written; the rest is ours.
            if classify(ch).is_some() {
                writer.write_all(&fragment.as_bytes()[written..at])?;
                write!(writer, "\\u{:04x}", ch as u32)?;
                written = at + ch.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[written..])
    }
}

/// The characters [`classify`] rejects in a RON deck's source: written as they are anywhere in
/// the file (in a string, or in a comment, where a bidi override can disguise the code around
/// it: "Trojan Source"), and written as escapes (`\u{1b}`, `\x1b`, `\r`, `\0`) inside strings.
/// Ranges are byte ranges of `source`, covering the whole escape for an escaped character.
pub fn hostile_in_ron(source: &str) -> Vec<Found> {
    let mut found: Vec<Found> = hostile_chars(source).collect();
    // Finding the strings costs a scan of the deck on every load: only when an escape might
    // write one of these characters (a clean deck pays a byte search).
    let escapes = memchr::memchr_iter(b'\\', source.as_bytes()).any(|at| {
        matches!(
            source.as_bytes().get(at + 1),
            Some(b'u' | b'x' | b'r' | b'0')
        )
    });
    if !escapes {
        return found;
    }
    for literal in crate::deck::outline::strings(source) {
        if source[literal.clone()].starts_with('"') {
            found.extend(escaped_in_literal(&source[literal.clone()], literal.start));
        }
    }
    found.sort_by_key(|f| f.range.start);
    found
}

/// Escapes inside one quoted RON string literal (`"..."`, starting at byte `offset` of the
/// source) that stand for characters [`classify`] rejects.
fn escaped_in_literal(literal: &str, offset: usize) -> Vec<Found> {
    let bytes = literal.as_bytes();
    let mut found = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        let start = i;
        let (decoded, end) = match bytes.get(i + 1) {
            Some(b'r') => (Some('\r'), i + 2),
            Some(b'0') => (Some('\0'), i + 2),
            Some(b'u') => {
                let close = literal[i..].find('}').map(|n| i + n);
                let ch = close.and_then(|close| {
                    u32::from_str_radix(literal.get(i + 3..close)?, 16)
                        .ok()
                        .and_then(char::from_u32)
                });
                (ch, close.map_or(i + 2, |c| c + 1))
            }
            Some(b'x') => {
                // One `\xHH` is an ASCII character; up to four in a row spell one UTF-8
                // character (how ron reads them).
                let mut utf8 = Vec::new();
                let mut end = i;
                let mut ch = None;
                while utf8.len() < 4 && literal[end..].starts_with("\\x") {
                    let Some(byte) = literal
                        .get(end + 2..end + 4)
                        .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    else {
                        break;
                    };
                    utf8.push(byte);
                    end += 4;
                    if let Ok(text) = std::str::from_utf8(&utf8) {
                        ch = text.chars().next();
                        break;
                    }
                }
                (ch, end.max(i + 2))
            }
            _ => (None, i + 2),
        };
        if let Some(ch) = decoded
            && let Some(class) = classify(ch)
        {
            found.push(Found {
                range: offset + start..offset + end.min(bytes.len()),
                ch,
                class,
            });
        }
        i = end;
    }
    found
}

/// The name of a rejected character in messages: "ESC (U+001B)", "U+202E RIGHT-TO-LEFT
/// OVERRIDE".
pub fn describe(ch: char) -> String {
    let name = match ch {
        '\0' => "NUL",
        '\u{7}' => "BEL",
        '\u{8}' => "BACKSPACE",
        '\u{b}' => "VERTICAL TAB",
        '\u{c}' => "FORM FEED",
        '\r' => "CARRIAGE RETURN",
        '\u{1b}' => "ESC",
        '\u{7f}' => "DEL",
        '\u{9b}' => "CSI",
        '\u{9d}' => "OSC",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => "",
    };
    match name {
        "" => format!("U+{:04X}", ch as u32),
        name => format!("{name} (U+{:04X})", ch as u32),
    }
}

/// `knead check`'s findings for the characters [`classify`] rejects in a deck's source
/// (K040-K042), each marking the character (or the escape that writes it).
pub fn deck_diagnostics(source: &str, path: &str) -> Vec<Diagnostic> {
    let found = hostile_in_ron(source);
    if found.is_empty() {
        return Vec::new();
    }
    let lines = Lines::new(source);
    // At most 50 of each code are built; the rest are counted in a summary.
    let mut capped = Capped::new();
    for found in found {
        let (code, severity) = match found.class {
            Hostile::Control => ("K040", Severity::Error),
            Hostile::Bidi => ("K041", Severity::Warning),
            Hostile::ZeroWidth => ("K042", Severity::Warning),
        };
        if capped.is_full(path, code) {
            capped.omit(severity, code, path);
            continue;
        }
        capped.push({
            let what = describe(found.ch);
            let shown = visible(found.ch);
            let (code, message, help) = match found.class {
                Hostile::Control => (
                    "K040",
                    format!("control character {what} in the deck"),
                    format!("terminals obey control characters (ESC starts sequences that clear the screen, set the title, write the clipboard or disguise links): delete it; knead shows it as `{shown}` and refuses the deck"),
                ),
                Hostile::Bidi => (
                    "K041",
                    format!("bidirectional control {what} in the deck"),
                    format!("it reorders the text around it, so what students read is not what is written: delete it (knead shows it as `{shown}`)"),
                ),
                Hostile::ZeroWidth => (
                    "K042",
                    format!("zero-width character {what} in the deck"),
                    format!("it is invisible and can hide or split words: delete it (knead shows it as `{shown}`)"),
                ),
            };
            let mark = lines.mark(found.range, format!("{shown} here"));
            match found.class {
                Hostile::Control => Diagnostic::error(code, path, message),
                _ => Diagnostic::warning(code, path, message),
            }
            .with_mark(mark)
            .with_help(help)
        });
    }
    capped.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_text_passes_unchanged_and_uncopied() {
        for text in [
            "",
            "Plain text",
            "Sjögren's, Guillain-Barré: “quotes” — dashes\n\ttabbed",
            "日本語 ✓ ␛ is a picture, not an ESC",
        ] {
            assert!(matches!(terminal_safe(text), Cow::Borrowed(t) if t == text));
            assert!(is_terminal_safe(text));
        }
    }

    #[test]
    fn escape_sequences_are_shown_not_sent() {
        assert_eq!(terminal_safe("\x1b[2Jgone"), "␛[2Jgone");
        assert_eq!(terminal_safe("\x1b]52;c;ZXZpbA==\x07"), "␛]52;c;ZXZpbA==␇");
        assert_eq!(
            terminal_safe("\x1b]8;;https://evil\x1b\\safe.org\x1b]8;;\x1b\\"),
            "␛]8;;https://evil␛\\safe.org␛]8;;␛\\"
        );
        assert_eq!(terminal_safe("ask\x1b[6n"), "ask␛[6n");
        assert_eq!(terminal_safe("a\x7fb\u{9b}2J"), "a␡b<U+009B>2J");
        assert_eq!(terminal_safe("\0\u{1f}"), "␀␟");
    }

    #[test]
    fn a_lone_carriage_return_is_shown_and_a_crlf_is_a_line_break() {
        assert_eq!(terminal_safe("true\rfalse"), "true␍false");
        assert_eq!(terminal_safe("one\r\ntwo\r\n"), "one\ntwo\n");
        assert_eq!(terminal_safe("a\r\r\nb\r"), "a␍\nb␍");
        assert_eq!(hostile_chars("a\r\nb").count(), 0);
        assert_eq!(hostile_chars("a\rb").count(), 1);
    }

    #[test]
    fn bidi_and_zero_width_characters_are_named() {
        assert_eq!(terminal_safe("txt.\u{202E}exe"), "txt.<U+202E>exe");
        assert_eq!(
            terminal_safe("\u{2066}a\u{2069}\u{200E}\u{200F}\u{061C}"),
            "<U+2066>a<U+2069><U+200E><U+200F><U+061C>"
        );
        assert_eq!(
            terminal_safe("in\u{200B}vis\u{200C}\u{200D}\u{2060}\u{FEFF}"),
            "in<U+200B>vis<U+200C><U+200D><U+2060><U+FEFF>"
        );
        let classes: Vec<_> = hostile_chars("\u{1b}\u{202E}\u{200B}")
            .map(|f| f.class)
            .collect();
        assert_eq!(
            classes,
            [Hostile::Control, Hostile::Bidi, Hostile::ZeroWidth]
        );
    }

    #[test]
    fn every_class_member_listed_in_the_docs_is_rejected() {
        let mut rejected: Vec<u32> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| classify(*c).is_some())
            .map(|c| c as u32)
            .collect();
        rejected.sort();
        let mut expected: Vec<u32> = (0..0x20)
            .filter(|c| *c != 0x0A && *c != 0x09)
            .chain(0x7F..=0x9F)
            .chain([0x061C, 0x200E, 0x200F])
            .chain(0x202A..=0x202E)
            .chain(0x2066..=0x2069)
            .chain(0x200B..=0x200D)
            .chain([0x2060, 0xFEFF])
            .collect();
        expected.sort();
        assert_eq!(rejected, expected);
    }

    #[test]
    fn spans_follow_their_characters_through_escaping() {
        let line = "a\u{202E}b\x1bc";
        let at = line.find('c').unwrap();
        let (shown, span) = terminal_safe_span(line, at..at + 1);
        assert_eq!(shown, "a<U+202E>b␛c");
        assert_eq!(&shown[span], "c");
        let at = line.find('\x1b').unwrap();
        let (shown, span) = terminal_safe_span(line, at..at + 1);
        assert_eq!(&shown[span], "␛");
        let (_, span) = terminal_safe_span(line, line.len()..line.len());
        assert_eq!(span, shown.len()..shown.len());
    }

    #[test]
    fn a_writer_makes_split_writes_safe() {
        let text = "é\x1b[2J\r\nok\rx\u{202E}";
        let whole = terminal_safe(text).into_owned();
        // Every way of cutting the bytes in two gives the same output.
        for cut in 0..=text.len() {
            assert_eq!(
                written(&[&text.as_bytes()[..cut], &text.as_bytes()[cut..]]),
                whole,
                "cut at {cut}"
            );
        }
        assert_eq!(
            written(&[b"bad \xff byte, cut \xc3"]),
            "bad \u{FFFD} byte, cut \u{FFFD}"
        );
    }

    /// What a [`SafeWriter`] writes for `chunks` written one after another, then dropped.
    fn written(chunks: &[&[u8]]) -> String {
        let mut out = Vec::new();
        {
            let mut writer = SafeWriter::new(&mut out);
            for chunk in chunks {
                writer.write_all(chunk).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_keeps_the_exact_text_and_writes_no_raw_control() {
        let value = serde_json::json!({
            "title\u{202E}": "\x1b[2J\r\u{9b}\u{7f}\u{200B}\u{202E}é",
            "list": ["\u{2066}", 1, null],
        });
        for pretty in [true, false] {
            let text = json(&value, pretty);
            assert!(
                text.chars().all(|c| classify(c).is_none() || c == '\n'),
                "{text}"
            );
            assert!(
                text.contains("\\u001b[2J\\r\\u009b\\u007f\\u200b\\u202e"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
        }
        assert_eq!(
            json(&serde_json::json!({"a": [1, "b"]}), true),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1, "b"]})).unwrap()
        );
    }

    #[test]
    fn ron_sources_report_raw_and_escaped_characters_where_they_are_written() {
        let source = "Deck( // \u{202E} comment\n  title: \"a\\u{1b}[2J \\x1b \\r \\0 \\\\r \\u{200b}\",\n  x: r\"\x07\", y: \"ok\\\"\\n\\t\",\n  z: \"\\xE2\\x80\\xAE\",\n)";
        let found: Vec<(&str, Hostile)> = hostile_in_ron(source)
            .into_iter()
            .map(|f| (&source[f.range], f.class))
            .collect();
        assert_eq!(
            found,
            [
                ("\u{202E}", Hostile::Bidi),
                ("\\u{1b}", Hostile::Control),
                ("\\x1b", Hostile::Control),
                ("\\r", Hostile::Control),
                ("\\0", Hostile::Control),
                ("\\u{200b}", Hostile::ZeroWidth),
                ("\x07", Hostile::Control),
                ("\\xE2\\x80\\xAE", Hostile::Bidi),
            ]
        );
    }

    #[test]
    fn deck_diagnostics_locate_each_character_by_line_and_column() {
        let source =
            "Deck(\n    title: \"Café \x1b[2J\",\n    id: \"x\u{200B}\", d: \"\u{202E}\",\n)";
        let found = deck_diagnostics(source, "h.ron");
        let summary: Vec<_> = found
            .iter()
            .map(|d| (d.code, d.severity, d.location()))
            .collect();
        use crate::deck::diagnostic::Severity::*;
        assert_eq!(
            summary,
            [
                ("K040", Error, "h.ron:2:18".to_owned()),
                ("K042", Warning, "h.ron:3:11".to_owned()),
                ("K041", Warning, "h.ron:3:19".to_owned()),
            ]
        );
        let shown = found[0].render(false);
        assert!(shown.contains("title: \"Café ␛[2J\""), "{shown}");
        assert!(shown.contains("control character ESC (U+001B)"), "{shown}");
        assert!(!shown.contains('\x1b'), "{shown}");
    }

    #[test]
    fn rendered_diagnostics_escape_what_they_quote() {
        let source = "  front: \"\u{202E}\x1b]0;pwned\x07\u{9b}31m\",";
        let at = source.find('\u{9b}').unwrap();
        let diagnostic = Diagnostic::error("K999", "deck\x1b[2J.ron", "bad \x1b[1mtext")
            .with_mark(Mark::at_bytes(source, at..at + 2, "label \u{202E}"))
            .with_help("help \x1b[6n");
        for styled in [false, true] {
            let shown = diagnostic.render(styled);
            // The renderer's own colours are the only sequences left: SGR, `ESC[...m`.
            let without_colours = strip_sgr(&shown);
            assert!(
                without_colours.chars().all(|c| classify(c).is_none()),
                "{shown:?}"
            );
            assert!(
                without_colours.contains("<U+202E>␛]0;pwned␇<U+009B>31m"),
                "{shown}"
            );
            assert!(without_colours.contains("deck␛[2J.ron:1:22"), "{shown}");
            assert!(without_colours.contains("help ␛[6n"), "{shown}");
        }
        // The caret still sits under the marked characters.
        let plain = diagnostic.render(false);
        let source_line = plain.lines().find(|l| l.contains("front:")).unwrap();
        let caret_line = plain.lines().find(|l| l.contains('^')).unwrap();
        let caret = caret_line.chars().position(|c| c == '^').unwrap();
        let under: String = source_line.chars().skip(caret).take(8).collect();
        assert_eq!(under, "<U+009B>");
        assert_eq!(caret_line.matches('^').count(), "<U+009B>".len());
        // The location is the file's: characters before the mark count one column each.
        assert!(plain.contains("deck␛[2J.ron:1:22"), "{plain}");
    }

    fn strip_sgr(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("\x1b[") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let end = after
                .find(|c: char| !(c.is_ascii_digit() || c == ';'))
                .unwrap_or(after.len());
            if after[end..].starts_with('m') {
                rest = &after[end + 1..];
            } else {
                out.push('\x1b');
                rest = &rest[at + 1..];
            }
        }
        out.push_str(rest);
        out
    }

    proptest! {
        #[test]
        fn nothing_rejected_ever_comes_out(text in any::<String>(), cut in any::<usize>()) {
            let shown = terminal_safe(&text);
            prop_assert!(shown.chars().all(|c| classify(c).is_none()), "{:?}", shown);
            prop_assert_eq!(safe(&text).to_string(), shown.as_ref());
            let cut = cut % (text.len() + 1);
            let bytes = text.as_bytes();
            prop_assert_eq!(written(&[&bytes[..cut], &bytes[cut..]]), shown.as_ref());
        }

        #[test]
        fn safe_text_round_trips_unchanged(text in "[^\\p{Cc}\u{061C}\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2060}\u{2066}-\u{2069}\u{FEFF}]*|[\\n\\tA-Za-z é]*") {
            prop_assert!(is_terminal_safe(&text));
            prop_assert!(matches!(terminal_safe(&text), Cow::Borrowed(_)));
            prop_assert_eq!(safe(&text).to_string(), text.clone());
        }

        #[test]
        fn spans_survive_escaping(text in any::<String>(), a in any::<usize>(), b in any::<usize>()) {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let (a, b) = (bounds[a % bounds.len()], bounds[b % bounds.len()]);
            let span = a.min(b)..a.max(b);
            let (shown, moved) = terminal_safe_span(&text, span.clone());
            prop_assert_eq!(&shown, &*terminal_safe(&text));
            prop_assert!(shown.is_char_boundary(moved.start) && shown.is_char_boundary(moved.end));
            // (A span that cuts a CRLF in two leaves a lone carriage return in its part.)
            let splits_crlf = |at: usize| at > 0 && text[..at].ends_with('\r') && text[at..].starts_with('\n');
            if !splits_crlf(span.start) && !splits_crlf(span.end) {
                prop_assert_eq!(&shown[moved], &*terminal_safe(&text[span]));
            }
        }
    }
}
